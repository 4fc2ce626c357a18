"""How standard FEEL text is cut into tokens: the shared tokenizer loop with FEEL's lexicon, comments,
`.5` numbers and escaped surrogate pairs."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from decimal import Decimal

from engine.runtime.parsing import Lexicon, Problem, Token, scan_number, tokenize

_OPERATORS = ("..", "<=", ">=", "!=", "**", "=", "<", ">", "+", "-", "*", "/", "(", ")", "[", "]", "{", "}",
              ",", ".", ":", "?", "@")
_ESCAPES = {'"': '"', "\\": "\\", "n": "\n", "t": "\t", "r": "\r", "'": "'", "b": "\b", "f": "\f"}
_EXPONENT = re.compile(r"[eE][+-]?\d{1,4}(?![\w])")
_LONG_ESCAPE = re.compile(r"\\U([0-9a-fA-F]{6})")


class _Escapes(Mapping[str, str]):
    """FEEL's escapes; any other backslash stays in the text (`"\\s"` is the regular expression \\s)."""

    def __getitem__(self, char: str) -> str:
        return _ESCAPES.get(char, "\\" + char)

    def __iter__(self) -> Iterator[str]:
        return iter(_ESCAPES)

    def __len__(self) -> int:
        return len(_ESCAPES)
KEYWORDS = frozenset({"and", "or", "not", "if", "then", "else", "between", "in", "for", "some", "every",
                       "return", "satisfies", "instance", "of", "function", "true", "false", "null"})
BUILTIN_TYPES = ("date and time", "days and time duration", "years and months duration", "number", "string",
                 "boolean", "date", "time", "context", "list", "range", "function", "Any", "Null")


ALWAYS_KNOWN = {*BUILTIN_TYPES, "time offset", "start included", "end included"}


def leading_dots(tokens: list[Token]) -> list[Token]:
    """`.872` is a number: a '.' right before digits, where no value ends, starts its decimals."""
    result: list[Token] = []
    for token in tokens:
        previous = result[-1] if result else None
        if (token.kind == "number" and previous is not None and previous.text == "." and previous.kind == "op"
                and previous.pos + 1 == token.pos and "." not in token.text
                and not (len(result) > 1 and (result[-2].kind in ("number", "string", "name")
                                              or result[-2].text in (")", "]", "}")))):
            result[-1] = Token("number", "." + token.text, previous.pos, Decimal("0." + token.text))
            continue
        result.append(token)
    return result


def _number(source: str, start: int) -> Token:
    _, end = scan_number(source, start)
    exponent = _EXPONENT.match(source, end)  # 1.23e4, 5E-3
    if exponent is not None:
        end = exponent.end()
    if end - start > 60:
        raise Problem(f"Die Zahl an Stelle {start + 1} ist zu lang.")
    return Token("number", source[start:end], start, Decimal(source[start:end]))


def strip_comments(source: str) -> str:
    """`// …` and `/* … */` outside texts become spaces (positions stay)."""
    if "/" not in source:
        return source
    out, i, quoted = list(source), 0, False
    while i < len(source):
        char = source[i]
        if char == '"' and (i == 0 or source[i - 1] != "\\"):
            quoted = not quoted
        elif not quoted and source.startswith("//", i):
            end = source.find("\n", i)
            end = len(source) if end < 0 else end
            out[i:end] = " " * (end - i)
            i = end
            continue
        elif not quoted and source.startswith("/*", i):
            end = source.find("*/", i + 2)
            end = len(source) if end < 0 else end + 2
            out[i:end] = " " * (end - i)
            i = end
            continue
        i += 1
    return "".join(out)


LEXICON = Lexicon(operators=_OPERATORS, quotes='"', escapes=_Escapes(), number=_number,
                  name_char=lambda char: char.isalnum() or char in "_'", character_hints={},
                  check_name=None, unicode_escapes=True)


def code_points(text: str) -> str:
    """A text with its escaped UTF-16 surrogate pairs (\\uD83D\\uDC0E) joined into the characters they encode."""
    if not any("\ud800" <= char <= "\udfff" for char in text):
        return text
    return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")




def _long_escapes(source: str) -> str:
    """`\\U01F40E` (six hex digits) is the character itself."""
    if "\\U" not in source:
        return source
    return _LONG_ESCAPE.sub(lambda match: chr(min(int(match[1], 16), 0x10FFFF)), source)


def tokens_of(source: str) -> list[Token]:
    return leading_dots(tokenize(_long_escapes(strip_comments(source)), LEXICON))


def squeeze(source: str) -> tuple[str, list[int], list[int]]:
    """The source with each run of whitespace as one space, and the positions mapped both ways."""
    chars: list[str] = []
    to_squeezed: list[int] = []
    to_source: list[int] = []
    for index, char in enumerate(source):
        if char.isspace() and chars and chars[-1] == " " and to_source and source[to_source[-1]].isspace():
            to_squeezed.append(len(chars) - 1)
            continue
        to_squeezed.append(len(chars))
        to_source.append(index)
        chars.append(" " if char.isspace() else char)
    to_squeezed.append(len(chars))
    to_source.append(len(source))
    return "".join(chars), to_squeezed, to_source


def first_word(name: str) -> str:
    end = 0
    while end < len(name) and (name[end].isalnum() or name[end] in "_'"):
        end += 1
    return name[:end] or name[:1]
