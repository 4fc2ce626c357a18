"""Safe evaluation of diagram expressions (JUEL and Python style) by our own parser, never eval or exec."""

from __future__ import annotations

import datetime as dt
import functools
import math
import operator
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, assert_never

__all__ = ["Expression", "ExpressionError", "compile_expression", "evaluate", "unwrap"]

# Limits keep a hostile or careless diagram from exhausting memory, CPU or the Python stack.
_MAX_SOURCE = 2000
_MAX_NODES = 200
_MAX_DEPTH = 30
_MAX_INT = 10**30
_MAX_LENGTH = 10_000
_MAX_EXPONENT = 64
_MAX_POWER_BASE = 10**6

_TOO_DEEP = f"Der Ausdruck ist zu tief verschachtelt (höchstens {_MAX_DEPTH} Ebenen)."
_TOO_LARGE = "Das Ergebnis ist zu groß (höchstens 10^30)."
_TOO_LONG = f"Text oder Liste würde zu lang (höchstens {_MAX_LENGTH} Zeichen bzw. Elemente)."


class ExpressionError(Exception):
    """An expression that cannot be compiled or evaluated; ``str(e)`` is shown to process owners."""

    def __init__(self, expression: str, reason: str) -> None:
        super().__init__(f"Ausdruck »{expression}«: {reason}")
        self.expression = expression
        self.reason = reason

    def __reduce__(self) -> tuple[Any, ...]:
        # The default would call ExpressionError(message) when unpickling and miss the second argument.
        return (type(self), (self.expression, self.reason))


class _Problem(Exception):
    """Carries a German reason up to the public boundary, which adds the expression text."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


# --------------------------------------------------------------------------- syntax tree


@dataclass(frozen=True, slots=True)
class _Const:
    value: Any


@dataclass(frozen=True, slots=True)
class _Name:
    name: str


@dataclass(frozen=True, slots=True)
class _Attribute:
    target: _Node
    attr: str


@dataclass(frozen=True, slots=True)
class _Subscript:
    target: _Node
    index: _Node


@dataclass(frozen=True, slots=True)
class _Unary:
    op: str  # "-", "+", "not" or "empty"
    operand: _Node


@dataclass(frozen=True, slots=True)
class _Binary:
    op: str  # "+", "-", "*", "/", "//", "%" or "**"
    left: _Node
    right: _Node


@dataclass(frozen=True, slots=True)
class _BoolOp:
    op: str  # "and" or "or"
    values: tuple[_Node, ...]


@dataclass(frozen=True, slots=True)
class _Compare:
    first: _Node
    ops: tuple[str, ...]
    rest: tuple[_Node, ...]


@dataclass(frozen=True, slots=True)
class _Conditional:
    test: _Node
    then: _Node
    other: _Node


@dataclass(frozen=True, slots=True)
class _Call:
    function: str
    args: tuple[_Node, ...]


@dataclass(frozen=True, slots=True)
class _ListLit:
    items: tuple[_Node, ...]


@dataclass(frozen=True, slots=True)
class _TupleLit:
    items: tuple[_Node, ...]


_Node = (
    _Const | _Name | _Attribute | _Subscript | _Unary | _Binary | _BoolOp | _Compare | _Conditional | _Call
    | _ListLit | _TupleLit
)


def _children(node: _Node) -> tuple[_Node, ...]:
    match node:
        case _Const() | _Name():
            return ()
        case _Attribute(target, _):
            return (target,)
        case _Subscript(target, index):
            return (target, index)
        case _Unary(_, operand):
            return (operand,)
        case _Binary(_, left, right):
            return (left, right)
        case _BoolOp(_, values):
            return values
        case _Compare(first, _, rest):
            return (first, *rest)
        case _Conditional(test, then, other):
            return (test, then, other)
        case _Call(_, args):
            return args
        case _ListLit(items) | _TupleLit(items):
            return items
    assert_never(node)


# --------------------------------------------------------------------------- tokens


@dataclass(frozen=True, slots=True)
class _Token:
    kind: str  # "number", "string", "word", "op" or "end"
    text: str
    pos: int
    value: Any = None


_DIGITS = "0123456789"
# Longest first, so that "**" is not read as two "*" and "!=" not as "!" followed by "=".
_OPERATORS = (
    "**", "//", "==", "!=", "<=", ">=", "&&", "||",
    "+", "-", "*", "/", "%", "<", ">", "!", "?", ":", "(", ")", "[", "]", ",", ".",
)  # fmt: skip
_ESCAPES = {"'": "'", '"': '"', "\\": "\\", "n": "\n", "t": "\t"}
_CHARACTER_HINTS = {
    "=": "'=' ist keine Zuweisung; zum Vergleichen '==' verwenden",
    "&": "für »und« '&&' oder 'and' verwenden",
    "|": "für »oder« '||' oder 'or' verwenden",
    "$": "${…} muss den ganzen Ausdruck umschließen",
    "#": "#{…} muss den ganzen Ausdruck umschließen",
}


def _tokenize(source: str) -> list[_Token]:
    tokens: list[_Token] = []
    i = 0
    while i < len(source):
        char = source[i]
        if char.isspace():
            i += 1
        elif char in _DIGITS:
            i = _read_number(source, i, tokens)
        elif char in "'\"":
            i = _read_string(source, i, tokens)
        elif char.isalpha() or char == "_":
            end = i + 1
            while end < len(source) and _is_name_char(source[end]):
                end += 1
            tokens.append(_Token("word", source[i:end], i))
            i = end
        else:
            op = next((op for op in _OPERATORS if source.startswith(op, i)), None)
            if op is None:
                reason = f"Unerwartetes Zeichen '{char}' an Stelle {i + 1}"
                hint = _CHARACTER_HINTS.get(char)
                raise _Problem(f"{reason}; {hint}." if hint else f"{reason}.")
            tokens.append(_Token("op", op, i))
            i += len(op)
    tokens.append(_Token("end", "", len(source)))
    return tokens


def _is_name_char(char: str) -> bool:
    return char.isalpha() or char.isdecimal() or char == "_"


def _read_number(source: str, start: int, tokens: list[_Token]) -> int:
    end = start
    while end < len(source) and source[end] in _DIGITS:
        end += 1
    value: int | float
    if end + 1 < len(source) and source[end] == "." and source[end + 1] in _DIGITS:
        end += 1
        while end < len(source) and source[end] in _DIGITS:
            end += 1
        value = float(source[start:end])
        if not math.isfinite(value):
            raise _Problem(f"Die Zahl an Stelle {start + 1} ist zu groß.")
    else:
        digits = source[start:end]
        # Checking the length first keeps int() away from very long digit strings.
        if len(digits) > 31 or int(digits) > _MAX_INT:
            raise _Problem(f"Die Zahl an Stelle {start + 1} ist zu groß (höchstens 10^30).")
        value = int(digits)
    tokens.append(_Token("number", source[start:end], start, value))
    return end


def _read_string(source: str, start: int, tokens: list[_Token]) -> int:
    quote = source[start]
    chars: list[str] = []
    i = start + 1
    while i < len(source):
        char = source[i]
        if char == quote:
            tokens.append(_Token("string", source[start : i + 1], start, "".join(chars)))
            return i + 1
        if char == "\\" and i + 1 < len(source):
            escaped = _ESCAPES.get(source[i + 1])
            if escaped is None:
                raise _Problem(f"Unbekannte Escape-Sequenz '\\{source[i + 1]}' an Stelle {i + 1}.")
            chars.append(escaped)
            i += 2
        else:
            chars.append(char)
            i += 1
    raise _Problem(f"Der Text ab Stelle {start + 1} ist nicht mit {quote} abgeschlossen.")


# --------------------------------------------------------------------------- parser

_CONSTANTS: dict[str, Any] = {
    "true": True, "True": True, "false": False, "False": False, "null": None, "None": None,
}  # fmt: skip
_KEYWORDS = frozenset(
    {"and", "or", "not", "in", "is", "if", "else", "empty", "div", "mod", "eq", "ne", "lt", "gt", "le", "ge"}
    | _CONSTANTS.keys()
)

# Binding powers of the Pratt parser; higher binds tighter.
_BP_CONDITIONAL = 1
_BP_OR = 2
_BP_AND = 3
_BP_NOT = 4  # Python's `not` sits below comparisons: `not a == b` means `not (a == b)`.
_BP_COMPARE = 5
# JUEL's `!` and `empty` and the signs bind tightly, but `**` binds tighter still: -2 ** 2 == -4 as in Python.
_BP_UNARY = 8

_BINARY = {
    "+": ("+", 6), "-": ("-", 6),
    "*": ("*", 7), "/": ("/", 7), "div": ("/", 7), "//": ("//", 7), "%": ("%", 7), "mod": ("%", 7),
    "**": ("**", 9),
}  # fmt: skip
_COMPARISONS = {
    "==": "==", "eq": "==", "!=": "!=", "ne": "!=",
    "<": "<", "lt": "<", ">": ">", "gt": ">", "<=": "<=", "le": "<=", ">=": ">=", "ge": ">=",
    "in": "in",
}  # fmt: skip
_AND = ("and", "&&")
_OR = ("or", "||")


def _check_name(name: str) -> None:
    # Names like __class__, __globals__ or __import__ are the classic ways out of a Python sandbox.
    if name.startswith("_"):
        raise _Problem(f"Namen mit Unterstrich am Anfang sind nicht erlaubt: '{name}'.")


class _Parser:
    def __init__(self, tokens: list[_Token]) -> None:
        self._tokens = tokens
        self._index = 0
        self._depth = 0

    def parse(self) -> _Node:
        node = self._expr(0)
        if self._peek().kind != "end":
            raise self._unexpected(self._peek())
        return node

    def _peek(self, ahead: int = 0) -> _Token:
        return self._tokens[min(self._index + ahead, len(self._tokens) - 1)]

    def _advance(self) -> _Token:
        token = self._peek()
        if token.kind != "end":
            self._index += 1
        return token

    def _at(self, *texts: str, ahead: int = 0) -> bool:
        token = self._peek(ahead)
        return token.kind in ("op", "word") and token.text in texts

    def _expect(self, text: str) -> None:
        if not self._at(text):
            token = self._peek()
            found = "das Ende" if token.kind == "end" else f"{_shown(token)} an Stelle {token.pos + 1}"
            raise _Problem(f"'{text}' erwartet, aber {found} gefunden.")
        self._advance()

    @staticmethod
    def _unexpected(token: _Token) -> _Problem:
        if token.kind == "end":
            return _Problem("Der Ausdruck endet unerwartet.")
        return _Problem(f"Unerwartetes {_shown(token)} an Stelle {token.pos + 1}.")

    def _expr(self, min_bp: int) -> _Node:
        # Every nesting level passes through here, so this limit holds long before Python's recursion limit.
        self._depth += 1
        if self._depth > _MAX_DEPTH:
            raise _Problem(_TOO_DEEP)
        left = self._prefix()
        while True:
            token = self._peek()
            text = token.text if token.kind in ("op", "word") else ""
            if text in (".", "[", "("):
                left = self._postfix(left)
            elif text in _BINARY and _BINARY[text][1] > min_bp:
                self._advance()
                op, bp = _BINARY[text]
                # `**` is right-associative and its exponent may carry a sign: 2 ** 3 ** 2, 2 ** -1.
                left = _Binary(op, left, self._expr(_BP_UNARY if op == "**" else bp))
            elif min_bp < _BP_COMPARE and self._comparison_ahead() is not None:
                left = self._comparison(left)
            elif text in _AND and min_bp < _BP_AND:
                left = self._bool_chain("and", _AND, _BP_AND, left)
            elif text in _OR and min_bp < _BP_OR:
                left = self._bool_chain("or", _OR, _BP_OR, left)
            elif text in ("?", "if") and min_bp < _BP_CONDITIONAL:
                left = self._conditional(left)
            else:
                break
        self._depth -= 1
        return left

    def _prefix(self) -> _Node:
        token = self._advance()
        if token.kind in ("number", "string"):
            return _Const(token.value)
        if token.kind == "word":
            return self._word(token)
        if token.kind == "op":
            if token.text in ("-", "+"):
                return _Unary(token.text, self._expr(_BP_UNARY))
            if token.text == "!":
                return _Unary("not", self._expr(_BP_UNARY))
            if token.text == "(":
                return self._parenthesised()
            if token.text == "[":
                return _ListLit(self._items("]"))
        raise self._unexpected(token)

    def _word(self, token: _Token) -> _Node:
        word = token.text
        if word in _CONSTANTS:
            return _Const(_CONSTANTS[word])
        if word == "not":
            return _Unary("not", self._expr(_BP_NOT))
        if word == "empty":
            return _Unary("empty", self._expr(_BP_UNARY))
        if word in _KEYWORDS:
            raise self._unexpected(token)
        _check_name(word)
        if self._at("("):
            self._advance()
            return _Call(word, self._items(")"))
        return _Name(word)

    def _parenthesised(self) -> _Node:
        if self._at(")"):
            self._advance()
            return _TupleLit(())
        first = self._expr(0)
        if not self._at(","):
            self._expect(")")
            return first
        items = [first]
        while self._at(","):
            self._advance()
            if self._at(")"):
                break
            items.append(self._expr(0))
        self._expect(")")
        return _TupleLit(tuple(items))

    def _items(self, closing: str) -> tuple[_Node, ...]:
        items: list[_Node] = []
        while not self._at(closing):
            items.append(self._expr(0))
            if not self._at(","):
                break
            self._advance()
        self._expect(closing)
        return tuple(items)

    def _postfix(self, target: _Node) -> _Node:
        token = self._advance()
        if token.text == ".":
            name = self._advance()
            if name.kind != "word":
                raise _Problem(f"Nach '.' wird ein Feldname erwartet (Stelle {name.pos + 1}).")
            _check_name(name.text)
            return _Attribute(target, name.text)
        if token.text == "[":
            index = self._expr(0)
            self._expect("]")
            return _Subscript(target, index)
        # Calling through attributes or computed values would reach methods of arbitrary Python objects.
        raise _Problem("Aufrufen lassen sich nur Funktionen mit einfachem Namen, z. B. heute(); "
                       "Methodenaufrufe sind nicht erlaubt.")

    def _comparison_ahead(self) -> tuple[str, int] | None:
        """The comparison operator at the current position and how many tokens it spans."""
        token = self._peek()
        if token.kind not in ("op", "word"):
            return None
        if token.text in _COMPARISONS:
            return _COMPARISONS[token.text], 1
        if token.text == "not" and self._at("in", ahead=1):
            return "not in", 2
        if token.text == "is":
            return ("is not", 2) if self._at("not", ahead=1) else ("is", 1)
        return None

    def _comparison(self, first: _Node) -> _Node:
        # Collected into one node so that 1 <= x <= 5 chains as in Python.
        ops: list[str] = []
        rest: list[_Node] = []
        while (found := self._comparison_ahead()) is not None:
            op, width = found
            for _ in range(width):
                self._advance()
            ops.append(op)
            rest.append(self._singleton() if op in ("is", "is not") else self._expr(_BP_COMPARE))
        return _Compare(first, tuple(ops), tuple(rest))

    def _singleton(self) -> _Node:
        # Identity is only meaningful for null, true and false; `x is 3` would depend on CPython internals.
        token = self._advance()
        if token.kind == "word" and token.text in _CONSTANTS:
            return _Const(_CONSTANTS[token.text])
        raise _Problem("Nach 'is' bzw. 'is not' ist nur null, None, true oder false erlaubt.")

    def _bool_chain(self, op: str, spellings: tuple[str, ...], bp: int, first: _Node) -> _Node:
        values = [first]
        while self._at(*spellings):
            self._advance()
            values.append(self._expr(bp))
        return _BoolOp(op, tuple(values))

    def _conditional(self, left: _Node) -> _Node:
        if self._advance().text == "?":
            then = self._expr(0)
            self._expect(":")
            return _Conditional(left, then, self._expr(0))
        test = self._expr(_BP_CONDITIONAL)
        self._expect("else")
        return _Conditional(test, left, self._expr(0))


def _shown(token: _Token) -> str:
    text = token.text if token.kind == "string" else f"'{token.text}'"
    return text if len(text) <= 40 else text[:39] + "…"


def _analyse(tree: _Node) -> tuple[frozenset[str], frozenset[str]]:
    """Check size and depth of the tree and collect variable and function names, without recursion."""
    names: set[str] = set()
    functions: set[str] = set()
    count = 0
    stack: list[tuple[_Node, int]] = [(tree, 1)]
    while stack:
        node, depth = stack.pop()
        count += 1
        if count > _MAX_NODES:
            raise _Problem(f"Der Ausdruck hat zu viele Bestandteile (höchstens {_MAX_NODES}).")
        # The interpreter recurses along the tree, so left-nested chains like a+b+c+… count as depth too.
        if depth > _MAX_DEPTH:
            raise _Problem(_TOO_DEEP)
        if isinstance(node, _Name):
            names.add(node.name)
        elif isinstance(node, _Call):
            functions.add(node.function)
        stack.extend((child, depth + 1) for child in _children(node))
    return frozenset(names), frozenset(functions)


# --------------------------------------------------------------------------- values


def _is_number(value: Any) -> bool:
    # Booleans are ints in Python, but `true + 1` is almost certainly a mistake in a diagram.
    return isinstance(value, int | float) and not isinstance(value, bool)


def _is_count(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


_SEQUENCES = (str, list, tuple)
_CONTAINERS = (str, list, tuple, Mapping, set, frozenset)
_DATE_FIELDS = frozenset({"year", "month", "day"})
_DATETIME_FIELDS = _DATE_FIELDS | {"hour", "minute"}


def _type_name(value: Any, article: bool = False) -> str:
    """German name of the value's type for messages, optionally with the indefinite article."""
    if value is None:
        return "null"
    kinds: tuple[tuple[type | tuple[type, ...], str, str], ...] = (
        (bool, "ein", "Wahrheitswert"),
        ((int, float), "eine", "Zahl"),
        (str, "ein", "Text"),
        (dt.datetime, "ein", "Zeitpunkt"),
        (dt.date, "ein", "Datum"),
        (dt.timedelta, "eine", "Zeitspanne"),
        (list, "eine", "Liste"),
        (tuple, "ein", "Tupel"),
        (Mapping, "ein", "Datensatz"),
    )
    for kind, indefinite, name in kinds:
        if isinstance(value, kind):
            return f"{indefinite} {name}" if article else name
    name = f"Wert vom Typ {type(value).__name__}"
    return f"ein {name}" if article else name


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:59] + "…"


def _describe(node: _Node) -> str:
    """The expression text a user would recognise for a value, e.g. `schritt.faellig`."""
    match node:
        case _Name(name):
            return name
        case _Attribute(target, attr):
            return f"{_describe(target)}.{attr}"
        case _Subscript(target, _Const(value)):
            return f"{_describe(target)}[{_show(value)}]"
        case _Subscript(target, _):
            return f"{_describe(target)}[…]"
        case _Call(function, _):
            return f"{function}(…)"
        case _Const(value):
            return _show(value)
        case _:
            return "…"


def _check_length(length: int) -> None:
    if length > _MAX_LENGTH:
        raise _Problem(_TOO_LONG)


def _limited(value: Any) -> Any:
    if _is_count(value) and abs(value) > _MAX_INT:
        raise _Problem(_TOO_LARGE)
    if isinstance(value, float) and not math.isfinite(value):
        raise _Problem(_TOO_LARGE)
    if isinstance(value, _SEQUENCES):
        _check_length(len(value))
    return value


def _member(value: Any, attr: str, node: _Node) -> Any:
    if isinstance(value, Mapping):
        if attr in value:
            return value[attr]
        raise _Problem(f"'{_describe(node)}' hat kein Feld '{attr}'.")
    if isinstance(value, dt.datetime):
        allowed = _DATETIME_FIELDS
    elif isinstance(value, dt.date):
        allowed = _DATE_FIELDS
    else:
        raise _Problem(f"'{_describe(node)}' ist {_type_name(value, article=True)} "
                       f"und hat kein Feld '{attr}'.")
    if attr not in allowed:
        raise _Problem(f"Bei {_type_name(value, article=True)} lassen sich nur die Felder "
                       f"{', '.join(sorted(allowed))} abfragen, nicht '{attr}'.")
    return getattr(value, attr)


def _item(value: Any, index: Any, node: _Node) -> Any:
    if isinstance(value, Mapping):
        try:
            found = index in value
        except TypeError:
            key = _type_name(index, article=True).capitalize()
            raise _Problem(f"{key} taugt nicht als Schlüssel.") from None
        if not found:
            raise _Problem(f"'{_describe(node)}' hat kein Feld {_show(index)}.")
        return value[index]
    if isinstance(value, _SEQUENCES):
        if not _is_count(index):
            raise _Problem(f"Der Index für '{_describe(node)}' muss eine ganze Zahl sein, "
                           f"nicht {_type_name(index, article=True)}.")
        if -len(value) <= index < len(value):
            return value[index]
        raise _Problem(f"Index {index} liegt außerhalb von '{_describe(node)}' (Länge {len(value)}).")
    raise _Problem(f"'{_describe(node)}' ist {_type_name(value, article=True)} und lässt sich nicht "
                   "mit [...] abfragen.")


def _is_empty(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, _CONTAINERS):
        return len(value) == 0
    return False


def _unary(op: str, value: Any) -> Any:
    if op == "not":
        return not value
    if op == "empty":
        return _is_empty(value)
    if _is_number(value) or isinstance(value, dt.timedelta):
        try:
            return _limited(-value if op == "-" else +value)
        except OverflowError:
            raise _Problem(_TOO_LARGE) from None
    raise _Problem(f"Das Vorzeichen '{op}' passt nicht zu {_type_name(value, article=True)}.")


# Returned by an arithmetic helper when the operand types do not fit the operator.
_UNSUPPORTED: Any = object()


def _same_time_kind(left: dt.date, right: dt.date) -> None:
    # Python raises TypeError with an English text for these mixes; process owners get a German sentence.
    if isinstance(left, dt.datetime) != isinstance(right, dt.datetime):
        raise _Problem("Ein Datum und ein Zeitpunkt (mit Uhrzeit) lassen sich nicht miteinander verrechnen "
                       "oder vergleichen.")
    if (
        isinstance(left, dt.datetime)
        and isinstance(right, dt.datetime)
        and (left.utcoffset() is None) != (right.utcoffset() is None)
    ):
        raise _Problem("Zeitpunkte mit und ohne Zeitzone lassen sich nicht miteinander verrechnen "
                       "oder vergleichen.")


def _add(left: Any, right: Any) -> Any:
    if _is_number(left) and _is_number(right):
        return left + right
    if any(isinstance(left, kind) and isinstance(right, kind) for kind in _SEQUENCES):
        # Checked before concatenating, so that no oversized object is ever built.
        _check_length(len(left) + len(right))
        return left + right
    if isinstance(left, dt.date | dt.timedelta) and isinstance(right, dt.timedelta):
        return left + right
    if isinstance(left, dt.timedelta) and isinstance(right, dt.date):
        return left + right
    return _UNSUPPORTED


def _subtract(left: Any, right: Any) -> Any:
    if _is_number(left) and _is_number(right):
        return left - right
    if isinstance(left, dt.date | dt.timedelta) and isinstance(right, dt.timedelta):
        return left - right
    if isinstance(left, dt.date) and isinstance(right, dt.date):
        _same_time_kind(left, right)
        return left - right
    return _UNSUPPORTED


def _multiply(left: Any, right: Any) -> Any:
    if _is_number(left) and _is_number(right):
        return left * right
    if _is_count(left) and isinstance(right, _SEQUENCES):
        left, right = right, left
    if isinstance(left, _SEQUENCES) and _is_count(right):
        # Checked before repeating: 'a' * 10**9 must fail without allocating a gigabyte.
        _check_length(len(left) * max(right, 0))
        return left * right
    if isinstance(left, dt.timedelta) and _is_number(right):
        return left * right
    if _is_number(left) and isinstance(right, dt.timedelta):
        return left * right
    return _UNSUPPORTED


def _divide(left: Any, right: Any) -> Any:
    if _is_number(left) and _is_number(right):
        return left / right
    if isinstance(left, dt.timedelta) and (_is_number(right) or isinstance(right, dt.timedelta)):
        return left / right
    return _UNSUPPORTED


def _floor_divide(left: Any, right: Any) -> Any:
    if _is_number(left) and _is_number(right):
        return left // right
    if isinstance(left, dt.timedelta) and (_is_count(right) or isinstance(right, dt.timedelta)):
        return left // right
    return _UNSUPPORTED


def _modulo(left: Any, right: Any) -> Any:
    # Numbers only: on text, `%` is printf formatting, and '%*d' with a huge width would allocate gigabytes.
    if _is_number(left) and _is_number(right):
        return left % right
    return _UNSUPPORTED


def _power(left: Any, right: Any) -> Any:
    if not (_is_number(left) and _is_number(right)):
        return _UNSUPPORTED
    # Bounding both operands before computing keeps 9**9**9 from running for minutes.
    if not _is_count(right) or not 0 <= right <= _MAX_EXPONENT:
        raise _Problem(f"Die Hochzahl bei '**' muss eine ganze Zahl von 0 bis {_MAX_EXPONENT} sein.")
    if abs(left) > _MAX_POWER_BASE:
        raise _Problem(f"Die Basis bei '**' darf höchstens {_MAX_POWER_BASE} betragen.")
    return left**right


_ARITHMETIC: dict[str, Callable[[Any, Any], Any]] = {
    "+": _add,
    "-": _subtract,
    "*": _multiply,
    "/": _divide,
    "//": _floor_divide,
    "%": _modulo,
    "**": _power,
}


def _arithmetic(op: str, left: Any, right: Any) -> Any:
    try:
        result = _ARITHMETIC[op](left, right)
    except ZeroDivisionError:
        raise _Problem("Division durch null.") from None
    except OverflowError:
        raise _Problem(_TOO_LARGE) from None
    if result is _UNSUPPORTED:
        raise _Problem(f"Der Operator '{op}' passt nicht zu {_type_name(left)} und {_type_name(right)}.")
    return _limited(result)


_ORDERINGS: dict[str, Callable[[Any, Any], Any]] = {
    "<": operator.lt,
    ">": operator.gt,
    "<=": operator.le,
    ">=": operator.ge,
}


def _check_orderable(op: str, left: Any, right: Any) -> None:
    if _is_number(left) and _is_number(right):
        return
    for kind in (str, dt.timedelta, list, tuple):
        if isinstance(left, kind) and isinstance(right, kind):
            return
    if isinstance(left, dt.date) and isinstance(right, dt.date):
        _same_time_kind(left, right)
        return
    raise _Problem(f"{_type_name(left)} und {_type_name(right)} lassen sich nicht mit '{op}' vergleichen.")


def _contains(container: Any, item: Any) -> bool:
    if isinstance(container, str):
        if not isinstance(item, str):
            raise _Problem(f"'in' prüft in einem Text nur Texte, nicht {_type_name(item, article=True)}.")
        return item in container
    if isinstance(container, _CONTAINERS):
        try:
            return item in container
        except TypeError:
            raise _Problem(f"{_type_name(item, article=True).capitalize()} lässt sich nicht in "
                           f"{_type_name(container, article=True)} suchen.") from None
    raise _Problem(f"'in' erwartet rechts eine Liste, einen Datensatz oder einen Text, "
                   f"nicht {_type_name(container, article=True)}.")


def _compare(op: str, left: Any, right: Any) -> bool:
    if op == "==":
        return bool(left == right)
    if op == "!=":
        return bool(left != right)
    if op == "in":
        return _contains(right, left)
    if op == "not in":
        return not _contains(right, left)
    if op == "is":
        return left is right
    if op == "is not":
        return left is not right
    _check_orderable(op, left, right)
    try:
        return bool(_ORDERINGS[op](left, right))
    except TypeError:
        # Lists of mixed element types, e.g. [1, 'a'] < [1, 2].
        raise _Problem(f"Die Werte lassen sich nicht mit '{op}' vergleichen: {_show(left)} und "
                       f"{_show(right)}.") from None


# --------------------------------------------------------------------------- interpreter


class _Interpreter:
    def __init__(self, variables: Mapping[str, Any], functions: Mapping[str, Callable[..., Any]]) -> None:
        self._variables = variables
        self._functions = functions

    def run(self, node: _Node) -> Any:
        match node:
            case _Const(value):
                return value
            case _Name(name):
                if name not in self._variables:
                    raise _Problem(f"Unbekannte Variable '{name}'.")
                return self._variables[name]
            case _Attribute(target, attr):
                return _member(self.run(target), attr, target)
            case _Subscript(target, index):
                return _item(self.run(target), self.run(index), target)
            case _Unary(op, operand):
                return _unary(op, self.run(operand))
            case _Binary(op, left, right):
                return _arithmetic(op, self.run(left), self.run(right))
            case _BoolOp(op, values):
                return self._bool(op, values)
            case _Compare(first, ops, rest):
                return self._chain(first, ops, rest)
            case _Conditional(test, then, other):
                return self.run(then) if self.run(test) else self.run(other)
            case _Call(function, args):
                return self._call(function, args)
            case _ListLit(items):
                return [self.run(item) for item in items]
            case _TupleLit(items):
                return tuple(self.run(item) for item in items)
        assert_never(node)

    def _bool(self, op: str, values: tuple[_Node, ...]) -> Any:
        # Python semantics: the deciding operand itself is returned, so `name or 'unbekannt'` works.
        for node in values[:-1]:
            value = self.run(node)
            if bool(value) == (op == "or"):
                return value
        return self.run(values[-1])

    def _chain(self, first: _Node, ops: tuple[str, ...], rest: tuple[_Node, ...]) -> bool:
        left = self.run(first)
        for op, node in zip(ops, rest, strict=True):
            right = self.run(node)
            if not _compare(op, left, right):
                return False
            left = right
        return True

    def _call(self, name: str, args: tuple[_Node, ...]) -> Any:
        function = self._functions.get(name)
        if function is None:
            raise _Problem(f"Unbekannte Funktion '{name}'.")
        values = [self.run(arg) for arg in args]
        try:
            return function(*values)
        except Exception as error:
            raise _Problem(f"Die Funktion '{name}' ist fehlgeschlagen: {error}") from error


# --------------------------------------------------------------------------- public interface


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


@dataclass(frozen=True)
class Expression:
    """A compiled expression: compile once when the diagram is deployed, evaluate for every token.

    Operators follow Python where JUEL and Python differ: `and`/`or` return the deciding operand
    (`0 or 'x'` is 'x'); conditions only test its truth. `not` binds like in Python (below comparisons),
    JUEL's `!` and `empty` bind tightly. The JUEL words eq, ne, lt, gt, le, ge, div, mod, empty and the
    constants true, false, null are reserved and cannot be variable names.
    """

    source: str
    names: frozenset[str]
    functions: frozenset[str]
    _tree: _Node = field(repr=False, compare=False)

    def evaluate(
        self, variables: Mapping[str, Any], functions: Mapping[str, Callable[..., Any]] | None = None
    ) -> Any:
        """The value of the expression; every failure, whatever its cause, becomes an ExpressionError."""
        try:
            return _Interpreter(variables, functions or {}).run(self._tree)
        except _Problem as problem:
            raise ExpressionError(self.source, problem.reason) from problem
        except RecursionError as error:
            # Only reachable through self-referencing data, e.g. a list that contains itself.
            raise ExpressionError(self.source, "Die Auswertung ist zu tief verschachtelt.") from error
        except MemoryError as error:
            raise ExpressionError(self.source, "Für die Auswertung reicht der Speicher nicht.") from error
        except Exception as error:
            # Variables and functions come from outside; whatever they raise must not leak past this point.
            raise ExpressionError(
                self.source, f"Die Auswertung ist fehlgeschlagen ({type(error).__name__}: {error})."
            ) from error


@functools.lru_cache(maxsize=4096)
def compile_expression(text: str) -> Expression:
    """Parse and check an expression, with or without `${...}`; raises ExpressionError if it is refused."""
    if not isinstance(text, str):
        raise ExpressionError(str(text), "Ein Ausdruck muss ein Text sein.")
    try:
        tree = _parse(text)
        names, functions = _analyse(tree)
    except _Problem as problem:
        raise ExpressionError(text, problem.reason) from None
    except RecursionError as error:
        # The parser limits its own depth; this only happens when the caller's stack is nearly full already.
        raise ExpressionError(text, _TOO_DEEP) from error
    except Exception as error:
        reason = f"Der Ausdruck ließ sich nicht lesen ({type(error).__name__})."
        raise ExpressionError(text, reason) from error
    return Expression(text, names, functions, tree)


def _parse(text: str) -> _Node:
    if len(text) > _MAX_SOURCE:
        raise _Problem(f"Der Ausdruck ist zu lang ({len(text)} Zeichen, höchstens {_MAX_SOURCE}).")
    inner, _ = unwrap(text)
    if not inner:
        raise _Problem("Der Ausdruck ist leer.")
    return _Parser(_tokenize(inner)).parse()


def evaluate(
    text: str, variables: Mapping[str, Any], functions: Mapping[str, Callable[..., Any]] | None = None
) -> Any:
    """Compile (cached) and evaluate `text`; raises only ExpressionError."""
    return compile_expression(text).evaluate(variables, functions)
