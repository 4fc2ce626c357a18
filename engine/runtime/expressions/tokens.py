"""How gateway expressions are cut into tokens, and the Camunda `${...}` wrapper around them."""

from __future__ import annotations

import math

from engine.runtime.parsing import MAX_NUMBER, Lexicon, Problem, Token, scan_number, tokenize

# Longest first, so that "**" is not read as two "*" and "!=" not as "!" followed by "=".
_OPERATORS = (
    "**", "//", "==", "!=", "<=", ">=", "&&", "||",
    "+", "-", "*", "/", "%", "<", ">", "!", "?", ":", "(", ")", "[", "]", ",", ".",
)  # fmt: skip
# Texts in single or double quotes, with Python's common escapes. A backslash at the very end of the
# expression stays a backslash, so that the text is reported as not closed rather than as a bad escape.
_ESCAPES = {"'": "'", '"': '"', "\\": "\\", "n": "\n", "t": "\t", "": "\\"}
_CHARACTER_HINTS = {
    "=": "'=' ist keine Zuweisung; zum Vergleichen '==' verwenden",
    "&": "für »und« '&&' oder 'and' verwenden",
    "|": "für »oder« '||' oder 'or' verwenden",
    "$": "${…} muss den ganzen Ausdruck umschließen",
    "#": "#{…} muss den ganzen Ausdruck umschließen",
}


def _read_number(source: str, start: int) -> Token:
    whole, end = scan_number(source, start)
    value: int | float
    if end > whole:
        value = float(source[start:end])
        if not math.isfinite(value):
            raise Problem(f"Die Zahl an Stelle {start + 1} ist zu groß.")
    else:
        digits = source[start:end]
        # Checking the length first keeps int() away from very long digit strings.
        if len(digits) > 31 or int(digits) > MAX_NUMBER:
            raise Problem(f"Die Zahl an Stelle {start + 1} ist zu groß (höchstens 10^30).")
        value = int(digits)
    return Token("number", source[start:end], start, value)


def _is_name_char(char: str) -> bool:
    return char.isalpha() or char.isdecimal() or char == "_"


# The tokenizer loop is shared (engine/runtime/parsing.py); the lexicon, alike in shape for both
# languages on purpose, is each language's own.
LEXICON = Lexicon(
    operators=_OPERATORS,
    quotes="'\"",
    escapes=_ESCAPES,
    number=_read_number,
    name_char=_is_name_char,
    character_hints=_CHARACTER_HINTS,
)


def tokens_of(source: str) -> list[Token]:
    return tokenize(source, LEXICON)


def unwrap(text: str) -> tuple[str, bool]:
    """Strip whitespace; if the whole text is a Camunda/JUEL `${...}` or `#{...}` return (inner, True)."""
    stripped = text.strip()
    if stripped[:2] in ("${", "#{") and _closing_brace(stripped) == len(stripped) - 1:
        return stripped[2:-1].strip(), True
    return stripped, False


def _closing_brace(text: str) -> int:
    """Index of the `}` closing the `{` at index 1, skipping string literals; -1 if there is none."""
    quote = ""
    i = 2
    while i < len(text):
        char = text[i]
        if quote:
            if char == "\\":
                i += 1
            elif char == quote:
                quote = ""
        elif char in "'\"":
            quote = char
        elif char == "}":
            return i
        i += 1
    return -1
