"""What the two expression languages share: tokens, the tokenizer loop, a token cursor, tree limits.

Gateway expressions (JUEL and Python style, `engine/runtime/expressions/`) and FEEL
(`engine/runtime/feel/`) differ in grammar and semantics, and each keeps its own: operators,
quotes and escapes, keywords, numbers (float against exact Decimal), null handling and messages
about values. What they agree on lives here, so that a limit or a sentence about the text itself is
changed in one place: how text is cut into tokens (each language passes its `Lexicon`), how a
number or a quoted text is delimited, the nesting depth, the non-recursive check of a finished
tree, and how a token or a long text is shown in a message.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

# Both interpreters recurse along their trees; this bound keeps them far from Python's recursion limit.
MAX_DEPTH = 30
MAX_NUMBER = 10**30
TOO_DEEP = f"Der Ausdruck ist zu tief verschachtelt (höchstens {MAX_DEPTH} Ebenen)."

DIGITS = "0123456789"

T = TypeVar("T")


class Problem(Exception):
    """Carries a German reason up to a language's public boundary, which adds the expression text."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class Token:
    kind: str  # "number", "string", "name", "op" or "end"
    text: str
    pos: int
    value: Any = None


@dataclass(frozen=True)
class Lexicon:
    """How one language writes its tokens."""

    operators: tuple[str, ...]  # longest first, so that "**" is not read as two "*"
    quotes: str  # the characters that open (and close) a text
    escapes: Mapping[str, str]  # the character after a backslash -> what it stands for
    number: Callable[[str, int], Token]  # reads the number starting at an index (see scan_number)
    name_char: Callable[[str], bool]  # may this character continue a name
    character_hints: Mapping[str, str]  # a character no operator starts with -> what to write instead
    refused_operators: Mapping[str, str] = field(default_factory=dict)  # operators of other languages -> hint
    check_name: Callable[[str], None] | None = None  # refuses a name as soon as it is read
    unicode_escapes: bool = False  # \uXXXX


def tokenize(source: str, lexicon: Lexicon) -> list[Token]:
    tokens: list[Token] = []
    i = 0
    while i < len(source):
        char = source[i]
        if char.isspace():
            i += 1
        elif char in DIGITS:
            token = lexicon.number(source, i)
            tokens.append(token)
            i += len(token.text)
        elif char in lexicon.quotes:
            token = read_string(source, i, lexicon)
            tokens.append(token)
            i += len(token.text)
        elif char.isalpha() or char == "_":
            end = i + 1
            while end < len(source) and lexicon.name_char(source[end]):
                end += 1
            if lexicon.check_name is not None:
                lexicon.check_name(source[i:end])
            tokens.append(Token("name", source[i:end], i))
            i = end
        else:
            hint = next((h for op, h in lexicon.refused_operators.items() if source.startswith(op, i)), None)
            if hint is not None:
                raise Problem(f"Unerwartetes '{source[i:i + 2]}' an Stelle {i + 1}; {hint}.")
            op = next((op for op in lexicon.operators if source.startswith(op, i)), None)
            if op is None:
                reason = f"Unerwartetes Zeichen '{char}' an Stelle {i + 1}"
                char_hint = lexicon.character_hints.get(char)
                raise Problem(f"{reason}; {char_hint}." if char_hint else f"{reason}.")
            tokens.append(Token("op", op, i))
            i += len(op)
    tokens.append(Token("end", "", len(source)))
    return tokens


def scan_number(source: str, start: int) -> tuple[int, int]:
    """Where the whole digits of a number end, and where the number ends.

    The dot starts decimals only when a digit follows, so that `1..5` (FEEL) and `x.y` stay apart.
    """
    end = start
    while end < len(source) and source[end] in DIGITS:
        end += 1
    whole = end
    if end + 1 < len(source) and source[end] == "." and source[end + 1] in DIGITS:
        end += 1
        while end < len(source) and source[end] in DIGITS:
            end += 1
    return whole, end


def read_string(source: str, start: int, lexicon: Lexicon) -> Token:
    quote = source[start]
    chars: list[str] = []
    i = start + 1
    while i < len(source):
        char = source[i]
        if char == quote:
            return Token("string", source[start : i + 1], start, "".join(chars))
        if char != "\\":
            chars.append(char)
            i += 1
            continue
        following = source[i + 1 : i + 2]
        code = source[i + 2 : i + 6]
        if following == "u" and lexicon.unicode_escapes and len(code) == 4 and all(c in _HEX for c in code):
            chars.append(chr(int(code, 16)))
            i += 6
            continue
        escaped = lexicon.escapes.get(following)
        if escaped is None:
            raise Problem(f"Unbekannte Escape-Sequenz '\\{following}' an Stelle {i + 1}.")
        chars.append(escaped)
        i += 2
    raise Problem(f"Der Text ab Stelle {start + 1} ist nicht mit {quote} abgeschlossen.")


_HEX = frozenset("0123456789abcdefABCDEF")


class Cursor:
    """A parser's position in the tokens, and its nesting depth."""

    def __init__(self, tokens: list[Token]) -> None:
        self._tokens = tokens
        self._index = 0
        self._depth = 0

    def _peek(self, ahead: int = 0) -> Token:
        return self._tokens[min(self._index + ahead, len(self._tokens) - 1)]

    def _advance(self) -> Token:
        token = self._peek()
        if token.kind != "end":
            self._index += 1
        return token

    def _at(self, *texts: str, ahead: int = 0) -> bool:
        token = self._peek(ahead)
        return token.kind in ("op", "name") and token.text in texts

    def _expect(self, text: str) -> None:
        if not self._at(text):
            token = self._peek()
            found = "das Ende" if token.kind == "end" else f"{shown(token)} an Stelle {token.pos + 1}"
            raise Problem(f"'{text}' erwartet, aber {found} gefunden.")
        self._advance()

    def _listed(self, closing: str, item: Callable[[], T]) -> tuple[T, ...]:
        """Items separated by commas up to `closing` (a trailing comma allowed), e.g. arguments or a list."""
        items: list[T] = []
        while not self._at(closing):
            items.append(item())
            if not self._at(","):
                break
            self._advance()
        self._expect(closing)
        return tuple(items)

    def _enter(self) -> None:
        # Every nesting level passes through here, so this limit holds long before Python's recursion limit.
        self._depth += 1
        if self._depth > MAX_DEPTH:
            raise Problem(TOO_DEEP)

    def _leave(self) -> None:
        self._depth -= 1


def walk(tree: T, children: Callable[[T], Iterable[T]]) -> Iterator[tuple[T, int]]:
    """Every node with its depth (the root has 1), without recursion."""
    stack: list[tuple[T, int]] = [(tree, 1)]
    while stack:
        node, depth = stack.pop()
        yield node, depth
        stack.extend((child, depth + 1) for child in children(node))


def checked(tree: T, children: Callable[[T], Iterable[T]], max_nodes: int) -> Iterator[T]:
    """Every node of a parsed tree; raises Problem at the first beyond `max_nodes` or deeper than MAX_DEPTH."""
    for count, (node, depth) in enumerate(walk(tree, children), start=1):
        if count > max_nodes:
            raise Problem(f"Der Ausdruck hat zu viele Bestandteile (höchstens {max_nodes}).")
        # The interpreters recurse along the tree, so left-nested chains like a+b+c+… count as depth too.
        if depth > MAX_DEPTH:
            raise Problem(TOO_DEEP)
        yield node


def clip(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def shown(token: Token) -> str:
    """A token as a message quotes it: texts with their own quotes, everything else in single quotes."""
    return clip(token.text if token.kind == "string" else f"'{token.text}'", 40)
