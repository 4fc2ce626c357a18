"""DMN 1.3 decision tables as Camunda Modeler 5 writes them, evaluated with our own FEEL subset.

SpiffWorkflow's DMN support evaluates entries as Python and misreads FEEL (ranges, ``not(...)``,
lists); this module reads the tables itself and interprets FEEL with its own tokenizer, parser and
interpreter: never eval, exec or compile, with limits on text length, nesting depth and number size.

FEEL semantics worth knowing (they follow Camunda's FEEL engine):

* Comparing values of incompatible types (a date with a number, a text with a number, a date with a
  date-time) gives null, never an error; in an input entry null means "does not match", also under
  ``not(...)``. The same holds for ``and``/``or`` (three-valued logic) and arithmetic on unfitting
  types or division by zero (null).
* Numbers are exact: integer literals are ``int``, decimals ``Decimal``; floats coming from variables are
  read by their shortest decimal form (0.1 stays 0.1). Results leave this module as ``int`` when whole,
  otherwise ``float`` (as Camunda maps FEEL numbers to Long/Double), then the output's typeRef applies.
* A missing field of a record (``fall.kinder`` when ``fall`` has no ``kinder``) is null as in FEEL,
  but a top-level name that is not among the variables is an error ("Unbekannte Eingabe"), so that a
  typo or an unquoted text cannot silently make a rule never match.
* ``duration("P6M")`` gives a :class:`FeelDuration` (calendar months kept apart from seconds; date
  arithmetic clamps to the month end like Java). ``str()`` of it is the ISO text.
* ``today()``/``now()`` are not built in: the engine passes them in ``functions`` from its own clock.
  Built-in functions cannot be shadowed by passed functions.
"""

from __future__ import annotations

import datetime as dt
import decimal
import functools
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, assert_never
from zoneinfo import ZoneInfo

from dateutil.relativedelta import relativedelta
from lxml import etree

from engine.runtime.errors import EngineError, Finding

__all__ = [
    "Decision",
    "DecisionResult",
    "DmnError",
    "FeelDuration",
    "FeelExpression",
    "Rule",
    "UnaryTests",
    "compile_feel_expression",
    "compile_unary_tests",
    "evaluate",
    "lint_dmn",
    "read_decisions",
]

DMN_NAMESPACES = (
    "https://www.omg.org/spec/DMN/20191111/MODEL/",
    "http://www.omg.org/spec/DMN/20180521/MODEL/",
    "http://www.omg.org/spec/DMN/20151101/dmn.xsd",
)
HIT_POLICIES = ("UNIQUE", "FIRST", "PRIORITY", "ANY", "COLLECT", "RULE ORDER", "OUTPUT ORDER")
AGGREGATIONS = ("SUM", "MIN", "MAX", "COUNT")
TYPE_REFS = ("string", "boolean", "integer", "long", "double", "date", "number")

# Limits keep a hostile or careless table from exhausting memory, CPU or the Python stack.
_MAX_SOURCE = 1000
_MAX_DEPTH = 30
_MAX_NODES = 300
_MAX_NUMBER = 10**30
_MAX_TEXT = 10_000
_MAX_DURATION_MONTHS = 12 * 10_000
_MAX_DURATION_SECONDS = 10_000 * 366 * 86_400
_INT_RANGES = {"integer": 2**31, "long": 2**63}

_TOO_DEEP = f"Der Ausdruck ist zu tief verschachtelt (höchstens {_MAX_DEPTH} Ebenen)."
_TOO_LARGE = "Die Zahl ist zu groß (höchstens 10^30)."
_CONTEXT = decimal.Context(
    prec=34,
    rounding=decimal.ROUND_HALF_EVEN,
    Emax=999,
    Emin=-999,
    traps=[decimal.InvalidOperation, decimal.DivisionByZero, decimal.Overflow],
)


class DmnError(EngineError):
    """A decision table that cannot be read or evaluated; the message is a German sentence."""

    def __init__(self, message: str, decision_id: str | None = None, rule_id: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.decision_id = decision_id
        self.rule_id = rule_id

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.message, self.decision_id, self.rule_id))


class _Problem(Exception):
    """Carries a German reason up to the public boundary, which adds decision, rule and entry."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


# --------------------------------------------------------------------------- durations


@dataclass(frozen=True)
class FeelDuration:
    """A FEEL duration: calendar months (years included) and exact seconds, each signed.

    P1Y equals P12M; a pure months duration and a pure seconds duration cannot be ordered against
    each other (null), as in FEEL.
    """

    months: int = 0
    seconds: Decimal = Decimal(0)

    def __str__(self) -> str:
        if self.months == 0 and self.seconds == 0:
            return "PT0S"
        negative = self.months < 0 or self.seconds < 0
        months, seconds = abs(self.months), abs(self.seconds)
        text = "-P" if negative else "P"
        if months // 12:
            text += f"{months // 12}Y"
        if months % 12:
            text += f"{months % 12}M"
        days, rest = divmod(seconds, 86_400)
        if days:
            text += f"{int(days)}D"
        if rest:
            hours, rest = divmod(rest, 3600)
            minutes, rest = divmod(rest, 60)
            text += "T"
            if hours:
                text += f"{int(hours)}H"
            if minutes:
                text += f"{int(minutes)}M"
            if rest:
                text += f"{_plain(rest)}S"
        return text

    def delta(self) -> relativedelta:
        """The duration as a dateutil delta (months as calendar months)."""
        days, rest = divmod(self.seconds, 86_400)
        return relativedelta(months=self.months, days=int(days), seconds=int(rest),
                             microseconds=int(rest % 1 * 1_000_000))


_DURATION = re.compile(
    r"^(?P<sign>-)?P(?!$)(?:(?P<years>\d{1,6})Y)?(?:(?P<months>\d{1,6})M)?(?:(?P<weeks>\d{1,6})W)?"
    r"(?:(?P<days>\d{1,7})D)?(?:T(?=\d)(?:(?P<hours>\d{1,8})H)?(?:(?P<minutes>\d{1,9})M)?"
    r"(?:(?P<seconds>\d{1,10}(?:\.\d{1,9})?)S)?)?$"
)


def _parse_duration(text: str) -> FeelDuration:
    match = _DURATION.match(text)
    if match is None:
        raise _Problem(f"»{_clip(text)}« ist keine ISO-8601-Dauer (z. B. P6M, P14D, PT2H).")
    parts = match.groupdict()

    def number(key: str) -> int:
        value = parts[key]
        return int(value) if value else 0

    months = number("years") * 12 + number("months")
    seconds = Decimal(parts["seconds"] or 0) + ((number("weeks") * 7 + number("days")) * 86_400
                                                + number("hours") * 3600 + number("minutes") * 60)
    if months > _MAX_DURATION_MONTHS or seconds > _MAX_DURATION_SECONDS:
        raise _Problem(f"Die Dauer »{_clip(text)}« ist zu groß (höchstens 10.000 Jahre).")
    if parts["sign"]:
        return FeelDuration(-months, -seconds)
    return FeelDuration(months, seconds)


# --------------------------------------------------------------------------- syntax tree


@dataclass(frozen=True, slots=True)
class _Const:
    value: Any


@dataclass(frozen=True, slots=True)
class _Name:
    name: str


@dataclass(frozen=True, slots=True)
class _Input:
    """`?`: the value of the input column inside an input entry."""


@dataclass(frozen=True, slots=True)
class _Path:
    target: _Node
    name: str


@dataclass(frozen=True, slots=True)
class _Index:
    target: _Node
    index: _Node


@dataclass(frozen=True, slots=True)
class _Neg:
    operand: _Node


@dataclass(frozen=True, slots=True)
class _Arith:
    op: str  # "+", "-", "*" or "/"
    left: _Node
    right: _Node


@dataclass(frozen=True, slots=True)
class _Cmp:
    op: str  # "=", "!=", "<", "<=", ">" or ">="
    left: _Node
    right: _Node


@dataclass(frozen=True, slots=True)
class _Between:
    value: _Node
    low: _Node
    high: _Node


@dataclass(frozen=True, slots=True)
class _In:
    value: _Node
    tests: _Tests


@dataclass(frozen=True, slots=True)
class _Logic:
    op: str  # "and" or "or"
    left: _Node
    right: _Node


@dataclass(frozen=True, slots=True)
class _If:
    test: _Node
    then: _Node
    other: _Node


@dataclass(frozen=True, slots=True)
class _Call:
    function: str
    args: tuple[_Node, ...]


@dataclass(frozen=True, slots=True)
class _List:
    items: tuple[_Node, ...]


# Unary tests (input entries).


@dataclass(frozen=True, slots=True)
class _AnyTest:
    """`-` or an empty cell."""


@dataclass(frozen=True, slots=True)
class _CmpTest:
    op: str  # "<", "<=", ">" or ">="
    endpoint: _Node


@dataclass(frozen=True, slots=True)
class _Interval:
    low_closed: bool
    low: _Node
    high: _Node
    high_closed: bool


@dataclass(frozen=True, slots=True)
class _ExprTest:
    node: _Node
    uses_input: bool  # mentions `?`: the result itself is the test
    literal: bool  # a plain literal such as `true` or `"a"`: always compared for equality


@dataclass(frozen=True, slots=True)
class _Tests:
    items: tuple[_Test, ...]
    negated: bool = False


_Node = (
    _Const | _Name | _Input | _Path | _Index | _Neg | _Arith | _Cmp | _Between | _In | _Logic | _If | _Call | _List
)
_Test = _AnyTest | _CmpTest | _Interval | _ExprTest
_Tree = _Node | _Test | _Tests


def _children(node: _Tree) -> tuple[_Tree, ...]:
    match node:
        case _Const() | _Name() | _Input() | _AnyTest():
            return ()
        case _Path(target, _) | _Neg(target):
            return (target,)
        case _Index(target, index):
            return (target, index)
        case _Arith(_, left, right) | _Cmp(_, left, right) | _Logic(_, left, right):
            return (left, right)
        case _Between(value, low, high):
            return (value, low, high)
        case _In(value, tests):
            return (value, tests)
        case _If(test, then, other):
            return (test, then, other)
        case _Call(_, args):
            return args
        case _List(items):
            return items
        case _CmpTest(_, endpoint):
            return (endpoint,)
        case _Interval(_, low, high, _):
            return (low, high)
        case _ExprTest(inner, _, _):
            return (inner,)
        case _Tests(items, _):
            return items
    assert_never(node)


def _walk(tree: _Tree) -> Iterator[tuple[_Tree, int]]:
    """Every node with its depth, without recursion."""
    stack: list[tuple[_Tree, int]] = [(tree, 1)]
    while stack:
        node, depth = stack.pop()
        yield node, depth
        stack.extend((child, depth + 1) for child in _children(node))


def _analyse(tree: _Tree) -> None:
    for count, (_, depth) in enumerate(_walk(tree), start=1):
        if count > _MAX_NODES:
            raise _Problem(f"Der Ausdruck hat zu viele Bestandteile (höchstens {_MAX_NODES}).")
        # The interpreter recurses along the tree, so left-nested chains like a+b+c+… count as depth too.
        if depth > _MAX_DEPTH:
            raise _Problem(_TOO_DEEP)


# --------------------------------------------------------------------------- tokens


@dataclass(frozen=True, slots=True)
class _Token:
    kind: str  # "number", "string", "name", "op" or "end"
    text: str
    pos: int
    value: Any = None


_DIGITS = "0123456789"
# Longest first, so that ".." is not read as two "." and "<=" not as "<" followed by "=".
_OPERATORS = ("..", "<=", ">=", "!=", "=", "<", ">", "+", "-", "*", "/", "(", ")", "[", "]", ",", ".", "?")
_ESCAPES = {'"': '"', "\\": "\\", "n": "\n", "t": "\t", "r": "\r", "'": "'"}
_CHARACTER_HINTS = {
    "'": "Texte stehen in FEEL in doppelten Anführungszeichen, z. B. \"hoch\"",
    "$": "JUEL-Ausdrücke ${…} gibt es in FEEL nicht; den Namen ohne ${} schreiben",
    "#": "JUEL-Ausdrücke #{…} gibt es in FEEL nicht",
    "&": "für »und« in FEEL 'and' schreiben",
    "|": "für »oder« in FEEL 'or' schreiben",
    "!": "Verneinung in FEEL mit not(…) schreiben",
    "{": "Kontexte {…} werden nicht unterstützt",
    "}": "Kontexte {…} werden nicht unterstützt",
    "%": "einen Rest-Operator gibt es in FEEL nicht",
}
_OPERATOR_HINTS = {
    "==": "Gleichheit schreibt FEEL mit einem einfachen '='",
    "**": "einen Potenz-Operator gibt es hier nicht",
    "&&": "für »und« in FEEL 'and' schreiben",
    "||": "für »oder« in FEEL 'or' schreiben",
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
        elif char == '"':
            i = _read_string(source, i, tokens)
        elif char.isalpha() or char == "_":
            end = i + 1
            while end < len(source) and (source[end].isalnum() or source[end] == "_"):
                end += 1
            name = source[i:end]
            if name.startswith("_"):
                # __import__, __class__ and friends are the classic ways out of a Python sandbox.
                raise _Problem(f"Namen mit Unterstrich am Anfang sind nicht erlaubt: '{_clip(name)}'.")
            tokens.append(_Token("name", name, i))
            i = end
        else:
            hint = next((h for op, h in _OPERATOR_HINTS.items() if source.startswith(op, i)), None)
            if hint is not None:
                raise _Problem(f"Unerwartetes '{source[i:i + 2]}' an Stelle {i + 1}; {hint}.")
            op = next((op for op in _OPERATORS if source.startswith(op, i)), None)
            if op is None:
                reason = f"Unerwartetes Zeichen '{char}' an Stelle {i + 1}"
                char_hint = _CHARACTER_HINTS.get(char)
                raise _Problem(f"{reason}; {char_hint}." if char_hint else f"{reason}.")
            tokens.append(_Token("op", op, i))
            i += len(op)
    tokens.append(_Token("end", "", len(source)))
    return tokens


def _read_number(source: str, start: int, tokens: list[_Token]) -> int:
    end = start
    while end < len(source) and source[end] in _DIGITS:
        end += 1
    whole = end
    # `1..5` is a range: the dot only starts decimals when a digit follows.
    if end + 1 < len(source) and source[end] == "." and source[end + 1] in _DIGITS:
        end += 1
        while end < len(source) and source[end] in _DIGITS:
            end += 1
    text = source[start:end]
    # Checking the length first keeps int() and Decimal() away from very long digit strings.
    if whole - start > 31 or end - whole > 35:
        raise _Problem(f"Die Zahl an Stelle {start + 1} ist zu lang.")
    value: int | Decimal = int(text) if end == whole else Decimal(text)
    if value > _MAX_NUMBER:
        raise _Problem(f"Die Zahl an Stelle {start + 1} ist zu groß (höchstens 10^30).")
    if end < len(source) and (source[end].isalpha() or source[end] == "_"):
        raise _Problem(f"Nach der Zahl an Stelle {start + 1} folgt unmittelbar ein Buchstabe; "
                       "Texte stehen in doppelten Anführungszeichen.")
    tokens.append(_Token("number", text, start, value))
    return end


def _read_string(source: str, start: int, tokens: list[_Token]) -> int:
    chars: list[str] = []
    i = start + 1
    while i < len(source):
        char = source[i]
        if char == '"':
            tokens.append(_Token("string", source[start : i + 1], start, "".join(chars)))
            return i + 1
        if char == "\\":
            following = source[i + 1 : i + 2]
            if following == "u" and re.fullmatch(r"[0-9A-Fa-f]{4}", source[i + 2 : i + 6]):
                chars.append(chr(int(source[i + 2 : i + 6], 16)))
                i += 6
                continue
            escaped = _ESCAPES.get(following)
            if escaped is None:
                raise _Problem(f"Unbekannte Escape-Sequenz '\\{following}' an Stelle {i + 1}.")
            chars.append(escaped)
            i += 2
        else:
            chars.append(char)
            i += 1
    raise _Problem(f"Der Text ab Stelle {start + 1} ist nicht mit \" abgeschlossen.")


# --------------------------------------------------------------------------- parser

_CONSTANTS: dict[str, Any] = {"true": True, "false": False, "null": None}
_KEYWORDS = frozenset({
    "and", "or", "not", "if", "then", "else", "between", "in", "for", "some", "every", "return", "satisfies",
    "instance", "of", "function",
} | _CONSTANTS.keys())  # fmt: skip
_COMPARISON_OPS = ("=", "!=", "<", "<=", ">", ">=")
_TEST_OPS = ("<", "<=", ">", ">=")
# Built-in functions: name -> (fewest, most arguments; None = any number).
_ARITY: dict[str, tuple[int, int | None]] = {
    "date": (1, 3), "date and time": (1, 1), "duration": (1, 1), "not": (1, 1),
    "abs": (1, 1), "floor": (1, 1), "ceiling": (1, 1), "min": (1, None), "max": (1, None), "sum": (1, None),
    "count": (1, 1), "string length": (1, 1), "upper case": (1, 1), "lower case": (1, 1), "string": (1, 1),
    "number": (1, 1), "contains": (2, 2), "starts with": (2, 2), "ends with": (2, 2),
}  # fmt: skip
# FEEL names of built-ins may contain spaces (and even the keyword `and`).
_MULTI_WORD = sorted((tuple(name.split()) for name in _ARITY if " " in name), key=len, reverse=True)
# Built-ins whose literal arguments are checked (and folded) when the table is read.
_FOLDABLE = frozenset({"date", "date and time", "duration"})


class _Parser:
    def __init__(self, tokens: list[_Token], tests: bool) -> None:
        self._tokens = tokens
        self._index = 0
        self._depth = 0
        self._question = 1 if tests else 0  # > 0 where `?` is allowed
        self._no_index = 0  # > 0 while reading the upper end of an interval

    # ------------------------------------------------------------ helpers

    def _peek(self, ahead: int = 0) -> _Token:
        return self._tokens[min(self._index + ahead, len(self._tokens) - 1)]

    def _advance(self) -> _Token:
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
            found = "das Ende" if token.kind == "end" else f"{_shown(token)} an Stelle {token.pos + 1}"
            raise _Problem(f"'{text}' erwartet, aber {found} gefunden.")
        self._advance()

    def _finish(self) -> None:
        token = self._peek()
        if token.kind != "end":
            raise self._unexpected(token)

    @staticmethod
    def _unexpected(token: _Token) -> _Problem:
        if token.kind == "end":
            return _Problem("Der Ausdruck endet unerwartet.")
        if token.kind == "name" and token.text not in _KEYWORDS:
            return _Problem(f"Unerwartetes {_shown(token)} an Stelle {token.pos + 1}; Namen mit Leerzeichen "
                            "werden nicht unterstützt, Texte stehen in doppelten Anführungszeichen.")
        return _Problem(f"Unerwartetes {_shown(token)} an Stelle {token.pos + 1}.")

    def _enter(self) -> None:
        # Every nesting level passes through here, so this limit holds long before Python's recursion limit.
        self._depth += 1
        if self._depth > _MAX_DEPTH:
            raise _Problem(_TOO_DEEP)

    # ------------------------------------------------------------ unary tests

    def unary_tests(self) -> _Tests:
        if self._at("not") and self._at("(", ahead=1):
            start = self._index
            self._advance()
            self._advance()
            tests = self._positive_tests()
            self._expect(")")
            if self._peek().kind == "end":
                return _Tests(tests.items, negated=True)
            # Something follows, e.g. `not(?) = false`: read it as an ordinary expression instead.
            self._index = start
        tests = self._positive_tests()
        self._finish()
        return tests

    def _positive_tests(self) -> _Tests:
        items = [self._positive_test()]
        while self._at(","):
            self._advance()
            items.append(self._positive_test())
        return _Tests(tuple(items))

    def _positive_test(self) -> _Test:
        token = self._peek()
        if token.kind == "op":
            if token.text in _TEST_OPS:
                self._advance()
                return _CmpTest(token.text, self._additive())
            if token.text == "=":
                raise _Problem("Ein '=' am Anfang gibt es in FEEL-Eingabezellen nicht; nur den Wert schreiben, "
                               "z. B. 5 oder \"hoch\".")
            if token.text == "!=":
                raise _Problem("'!=' gibt es in FEEL-Eingabezellen nicht; Ungleichheit mit not(…) schreiben, "
                               "z. B. not(5) oder not(\"hoch\").")
            if token.text == "-" and (self._peek(1).kind == "end" or self._at(",", ")", ahead=1)):
                raise _Problem("'-' (beliebiger Wert) muss allein in der Zelle stehen.")
            if token.text == "]":
                self._advance()
                return self._interval_rest(False, self._expression())
            if token.text in ("[", "("):
                return self._bracketed_test()
        node = self._expression()
        return _ExprTest(node, _mentions_input(node), isinstance(node, _Const))

    def _bracketed_test(self) -> _Test:
        """`[1..5]`, `(1..5)` — or a list or parenthesised expression that starts the same way."""
        opening = self._advance().text
        if opening == "[" and self._at("]"):
            self._advance()
            empty = self._expression(first=_List(()))
            return _ExprTest(empty, _mentions_input(empty), False)
        self._enter()
        first = self._expression()
        if self._at(".."):
            self._depth -= 1
            return self._interval_rest(opening == "[", first)
        node: _Node
        if opening == "[":
            items = [first]
            while self._at(","):
                self._advance()
                items.append(self._expression())
            self._expect("]")
            node = _List(tuple(items))
        else:
            self._expect(")")
            node = first
        self._depth -= 1
        node = self._expression(first=node)
        return _ExprTest(node, _mentions_input(node), False)

    def _interval_rest(self, low_closed: bool, low: _Node) -> _Interval:
        self._expect("..")
        # In `]1..5[` the closing '[' must not be read as an index into 5.
        self._no_index += 1
        high = self._expression()
        self._no_index -= 1
        token = self._advance()
        if token.kind != "op" or token.text not in ("]", ")", "["):
            found = "das Ende" if token.kind == "end" else _shown(token)
            raise _Problem(f"Ein Intervall endet mit ']', ')' oder '[', nicht mit {found}.")
        return _Interval(low_closed, low, high, token.text == "]")

    # ------------------------------------------------------------ expressions

    def expression_only(self) -> _Node:
        node = self._expression()
        self._finish()
        return node

    def _expression(self, first: _Node | None = None) -> _Node:
        self._enter()
        if first is None and self._at("if"):
            self._advance()
            test = self._expression()
            self._expect("then")
            then = self._expression()
            self._expect("else")
            node: _Node = _If(test, then, self._expression())
        else:
            node = self._disjunction(first)
        self._depth -= 1
        return node

    def _disjunction(self, first: _Node | None) -> _Node:
        left = self._conjunction(first)
        while self._at("or"):
            self._advance()
            left = _Logic("or", left, self._conjunction(None))
        return left

    def _conjunction(self, first: _Node | None) -> _Node:
        left = self._comparison(first)
        while self._at("and"):
            self._advance()
            left = _Logic("and", left, self._comparison(None))
        return left

    def _comparison(self, first: _Node | None) -> _Node:
        left = self._additive(first)
        if self._peek().kind == "op" and self._peek().text in _COMPARISON_OPS:
            op = self._advance().text
            node: _Node = _Cmp(op, left, self._additive())
        elif self._at("between"):
            self._advance()
            low = self._additive()
            self._expect("and")
            node = _Between(left, low, self._additive())
        elif self._at("in"):
            self._advance()
            self._question += 1
            tests = self._in_tests()
            self._question -= 1
            node = _In(left, tests)
        else:
            return left
        token = self._peek()
        if (token.kind == "op" and token.text in _COMPARISON_OPS) or self._at("between", "in"):
            raise _Problem(f"Vergleiche lassen sich nicht verketten (Stelle {token.pos + 1}); "
                           "mit 'and' verbinden oder 'between' verwenden.")
        return node

    def _in_tests(self) -> _Tests:
        # `x in (1, 2, > 5)` lists several tests in parentheses; `x in (1..5)` is one interval.
        if self._at("(") and not self._parenthesised_interval():
            self._advance()
            tests = self._positive_tests()
            self._expect(")")
            return tests
        return _Tests((self._positive_test(),))

    def _parenthesised_interval(self) -> bool:
        level = 0
        for token in self._tokens[self._index :]:
            if token.kind == "op" and token.text in ("(", "["):
                level += 1
            elif token.kind == "op" and token.text in (")", "]"):
                level -= 1
                if level <= 0:
                    return False
            elif level == 1 and token.kind == "op" and token.text in ("..", ","):
                return token.text == ".."
        return False

    def _additive(self, first: _Node | None = None) -> _Node:
        left = self._multiplicative(first)
        while self._at("+", "-"):
            op = self._advance().text
            left = _Arith(op, left, self._multiplicative(None))
        return left

    def _multiplicative(self, first: _Node | None) -> _Node:
        left = self._unary() if first is None else self._postfix(first)
        while self._at("*", "/"):
            op = self._advance().text
            left = _Arith(op, left, self._unary())
        return left

    def _unary(self) -> _Node:
        if self._at("-"):
            self._advance()
            self._enter()
            operand = self._unary()
            self._depth -= 1
            if isinstance(operand, _Const) and _is_number(operand.value):
                number = operand.value
                return _Const(-number if isinstance(number, int) else number.copy_negate())
            return _Neg(operand)
        return self._postfix(self._primary())

    def _postfix(self, node: _Node) -> _Node:
        while self._at(".") or (self._at("[") and not self._no_index):
            if self._advance().text == ".":
                name = self._advance()
                if name.kind != "name" or name.text in _KEYWORDS:
                    raise _Problem(f"Nach '.' wird ein Feldname erwartet (Stelle {name.pos + 1}).")
                node = _Path(node, name.text)
            else:
                index = self._expression()
                self._expect("]")
                node = _Index(node, index)
        if self._at("("):
            raise _Problem("Aufrufen lassen sich nur Funktionen mit einfachem Namen, z. B. date(\"2025-01-31\"); "
                           "Methodenaufrufe sind nicht erlaubt.")
        return node

    def _primary(self) -> _Node:
        token = self._advance()
        if token.kind in ("number", "string"):
            return _Const(token.value)
        if token.kind == "name":
            return self._name(token)
        if token.kind == "op":
            if token.text == "(":
                node = self._expression()
                self._expect(")")
                return node
            if token.text == "[":
                return _List(self._arguments("]"))
            if token.text == "?":
                if self._question <= 0:
                    raise _Problem("'?' steht nur in Eingabezellen für den Wert der Eingabe.")
                return _Input()
        raise self._unexpected(token)

    def _name(self, token: _Token) -> _Node:
        word = token.text
        if word in _CONSTANTS:
            return _Const(_CONSTANTS[word])
        for words in _MULTI_WORD:
            if word == words[0] and all(self._peek(i).kind == "name" and self._peek(i).text == w
                                        for i, w in enumerate(words[1:])) and self._at("(", ahead=len(words) - 1):
                for _ in words[1:]:
                    self._advance()
                word = " ".join(words)
                break
        if self._at("(") and (word not in _KEYWORDS or word == "not"):
            self._advance()
            return self._call(word, self._arguments(")"))
        if word in _KEYWORDS:
            raise self._unexpected(token)
        return _Name(word)

    def _arguments(self, closing: str) -> tuple[_Node, ...]:
        items: list[_Node] = []
        while not self._at(closing):
            items.append(self._expression())
            if not self._at(","):
                break
            self._advance()
        self._expect(closing)
        return tuple(items)

    @staticmethod
    def _call(name: str, args: tuple[_Node, ...]) -> _Node:
        arity = _ARITY.get(name)
        if arity is not None:
            fewest, most = arity
            if len(args) < fewest or (most is not None and len(args) > most):
                count = str(fewest) if fewest == most else f"{fewest} bis {most}" if most else f"mindestens {fewest}"
                raise _Problem(f"Die Funktion {name}() erwartet {count} Argument(e), nicht {len(args)}.")
            if name in _FOLDABLE and all(isinstance(arg, _Const) for arg in args):
                # date("2025-13-01") is found when the table is read, not when a case reaches it.
                values = [arg.value for arg in args if isinstance(arg, _Const)]
                return _Const(_BUILTINS[name](values))
        return _Call(name, args)


def _mentions_input(node: _Tree) -> bool:
    return any(isinstance(item, _Input) for item, _ in _walk(node))


def _shown(token: _Token) -> str:
    text = token.text if token.kind == "string" else f"'{token.text}'"
    return _clip(text, 40)


def _clip(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _check_source(text: str) -> str:
    if not isinstance(text, str):
        raise _Problem("Ein Eintrag muss ein Text sein.")
    if len(text) > _MAX_SOURCE:
        raise _Problem(f"Der Eintrag ist zu lang ({len(text)} Zeichen, höchstens {_MAX_SOURCE}).")
    return text.strip()


@functools.lru_cache(maxsize=4096)
def _compile_expression(text: str) -> _Node:
    source = _check_source(text)
    if not source:
        raise _Problem("Der Ausdruck ist leer.")
    try:
        node = _Parser(_tokenize(source), tests=False).expression_only()
    except RecursionError:
        raise _Problem(_TOO_DEEP) from None
    _analyse(node)
    return node


@functools.lru_cache(maxsize=4096)
def _compile_tests(text: str) -> _Tests:
    source = _check_source(text)
    if source in ("", "-"):
        return _Tests((_AnyTest(),))
    try:
        tests = _Parser(_tokenize(source), tests=True).unary_tests()
    except RecursionError:
        raise _Problem(_TOO_DEEP) from None
    _analyse(tests)
    return tests


# --------------------------------------------------------------------------- values


def _is_number(value: object) -> bool:
    # Booleans are ints in Python, but FEEL keeps them apart.
    return isinstance(value, int | float | Decimal) and not isinstance(value, bool)


def _num(value: Any) -> int | Decimal:
    """A number in FEEL form: int or finite Decimal (floats by their shortest decimal text)."""
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise _Problem("Eine Zahl ist nicht endlich (NaN oder unendlich).")
        return Decimal(repr(value))
    if isinstance(value, Decimal) and value.is_finite():
        return value
    raise _Problem("Eine Zahl ist nicht endlich (NaN oder unendlich).")


def _limited(value: int | Decimal) -> int | Decimal:
    if value > _MAX_NUMBER or value < -_MAX_NUMBER:
        raise _Problem(_TOO_LARGE)
    return value


def _is_date(value: object) -> bool:
    return isinstance(value, dt.date) and not isinstance(value, dt.datetime)


def _kind(value: object) -> str:
    """The FEEL type of a value for comparisons; values of different kinds never compare."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if _is_number(value):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, dt.datetime):
        return "local date and time" if value.utcoffset() is None else "date and time"
    if isinstance(value, dt.date):
        return "date"
    if isinstance(value, FeelDuration):
        return "duration"
    if isinstance(value, list | tuple):
        return "list"
    if isinstance(value, Mapping):
        return "context"
    return "other"


_TYPE_NAMES = {
    "null": "null", "boolean": "ein Wahrheitswert", "number": "eine Zahl", "string": "ein Text",
    "date": "ein Datum", "date and time": "ein Zeitpunkt", "local date and time": "ein Zeitpunkt ohne Zeitzone",
    "duration": "eine Dauer", "list": "eine Liste", "context": "ein Datensatz", "other": "ein unbekannter Wert",
}  # fmt: skip


def _order(left: Any, right: Any) -> int | None:
    """-1, 0 or 1; None when FEEL cannot order the two values (null, or different kinds)."""
    kind = _kind(left)
    if kind != _kind(right):
        return None
    a: Any
    b: Any
    if kind == "number":
        a, b = _num(left), _num(right)
    elif kind in ("string", "date", "date and time", "local date and time"):
        a, b = left, right
    elif kind == "duration":
        if left.months == 0 and right.months == 0:
            a, b = left.seconds, right.seconds
        elif left.seconds == 0 and right.seconds == 0:
            a, b = left.months, right.months
        else:
            return None
    else:
        return None
    return -1 if a < b else 1 if a > b else 0


def _equal(left: Any, right: Any) -> bool | None:
    """FEEL equality: null equals only null; values of different kinds give null."""
    if left is None or right is None:
        return left is None and right is None
    kind = _kind(left)
    if kind != _kind(right):
        return None
    if kind == "boolean":
        return bool(left == right)
    if kind == "list":
        if len(left) != len(right):
            return False
        return _all([_equal(a, b) for a, b in zip(left, right, strict=True)])
    if kind == "context":
        if set(left) != set(right):
            return False
        return _all([_equal(left[key], right[key]) for key in left])
    if kind == "other":
        return None
    order = _order(left, right)
    if order is None:
        # Durations of different kinds (P1M and P30D) are simply not equal.
        return bool(left == right) if kind == "duration" else None
    return order == 0


def _all(values: Sequence[bool | None]) -> bool | None:
    if any(value is False for value in values):
        return False
    return None if any(value is None for value in values) else True


def _any(values: Sequence[bool | None]) -> bool | None:
    if any(value is True for value in values):
        return True
    return None if any(value is None for value in values) else False


def _plain(number: Decimal) -> str:
    text = format(number.normalize(), "f")
    return text


def _outbound(value: Any) -> Any:
    """A FEEL value as Python code expects it: whole numbers int, others float; containers converted."""
    if isinstance(value, Decimal):
        if value.is_finite() and abs(value) <= _MAX_NUMBER and value == value.to_integral_value():
            return int(value)
        return float(value)
    if isinstance(value, list | tuple):
        return [_outbound(item) for item in value]
    if isinstance(value, Mapping):
        return {key: _outbound(item) for key, item in value.items()}
    return value


def _show(value: object) -> str:
    try:
        text = repr(_outbound(value))
    except Exception:
        text = f"ein Wert vom Typ {type(value).__name__}"
    return _clip(text)


# --------------------------------------------------------------------------- arithmetic


def _arithmetic(op: str, left: Any, right: Any) -> Any:
    if left is None or right is None:
        return None
    if _is_number(left) and _is_number(right):
        return _number_arithmetic(op, _num(left), _num(right))
    if op == "+" and isinstance(left, str) and isinstance(right, str):
        if len(left) + len(right) > _MAX_TEXT:
            raise _Problem(f"Der Text würde zu lang (höchstens {_MAX_TEXT} Zeichen).")
        return left + right
    if op in ("+", "-") and isinstance(left, dt.date) and isinstance(right, FeelDuration):
        return _shift(left, right if op == "+" else FeelDuration(-right.months, -right.seconds))
    if op == "+" and isinstance(left, FeelDuration) and isinstance(right, dt.date):
        return _shift(right, left)
    if op in ("+", "-") and isinstance(left, FeelDuration) and isinstance(right, FeelDuration):
        sign = 1 if op == "+" else -1
        return _duration(left.months + sign * right.months, left.seconds + sign * right.seconds)
    if op == "-" and isinstance(left, dt.date) and isinstance(right, dt.date):
        if _kind(left) != _kind(right):
            return None
        if isinstance(left, dt.datetime) and isinstance(right, dt.datetime):
            difference = left - right
            return _duration(0, Decimal(difference.days * 86_400 + difference.seconds)
                             + Decimal(difference.microseconds) / 1_000_000)
        return _duration(0, Decimal((left - right).days * 86_400))
    # Anything else (text minus number, date plus number, ...) is null in FEEL.
    return None


def _number_arithmetic(op: str, left: int | Decimal, right: int | Decimal) -> int | Decimal | None:
    try:
        if isinstance(left, int) and isinstance(right, int) and op != "/":
            result: int | Decimal = left + right if op == "+" else left - right if op == "-" else left * right
            return _limited(result)
        a, b = Decimal(left), Decimal(right)
        if op == "+":
            return _limited(_CONTEXT.add(a, b))
        if op == "-":
            return _limited(_CONTEXT.subtract(a, b))
        if op == "*":
            return _limited(_CONTEXT.multiply(a, b))
        if b == 0:
            return None  # FEEL: division by zero is null
        return _limited(_CONTEXT.divide(a, b))
    except (decimal.Overflow, decimal.InvalidOperation, decimal.DivisionByZero):
        raise _Problem(_TOO_LARGE) from None


def _duration(months: int, seconds: Decimal) -> FeelDuration:
    if abs(months) > _MAX_DURATION_MONTHS or abs(seconds) > _MAX_DURATION_SECONDS:
        raise _Problem("Die Dauer ist zu groß (höchstens 10.000 Jahre).")
    return FeelDuration(months, seconds)


def _shift(moment: dt.date, duration: FeelDuration) -> dt.date | None:
    """Calendar arithmetic: months first (clamped to the month end, as Java does), then exact seconds."""
    try:
        if isinstance(moment, dt.datetime):
            return moment + relativedelta(months=duration.months) + dt.timedelta(seconds=float(duration.seconds))
        days, rest = divmod(duration.seconds, 86_400)
        if rest:
            return None  # a date plus hours is null in FEEL
        return moment + relativedelta(months=duration.months, days=int(days))
    except (OverflowError, ValueError):
        raise _Problem("Das Ergebnis liegt außerhalb des Kalenders.") from None


# --------------------------------------------------------------------------- built-in functions

_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_ISO_DATE_TIME = re.compile(
    r"^(?P<moment>\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?)"
    r"(?:(?P<offset>Z|[+-]\d{2}:\d{2})|@(?P<zone>[A-Za-z][A-Za-z0-9_+\-]*(?:/[A-Za-z0-9_+\-]+){0,2}))?$"
)
_NUMBER_TEXT = re.compile(r"^-?\d{1,31}(?:\.\d{1,34})?$")


def _parse_date(text: str) -> dt.date:
    match = _ISO_DATE.match(text)
    try:
        if match is None:
            raise ValueError
        return dt.date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        raise _Problem(f"»{_clip(text)}« ist kein gültiges Datum (JJJJ-MM-TT, z. B. 2025-01-31).") from None


def _parse_date_time(text: str) -> dt.datetime:
    match = _ISO_DATE_TIME.match(text)
    problem = _Problem(f"»{_clip(text)}« ist kein gültiger Zeitpunkt (z. B. 2025-01-31T10:00:00, "
                       "optional mit Z, +01:00 oder @Europe/Berlin).")
    if match is None:
        raise problem
    moment = match["moment"]
    if "." in moment:
        head, fraction = moment.split(".")
        moment = f"{head}.{fraction[:6].ljust(6, '0')}"
    try:
        value = dt.datetime.fromisoformat(moment + (match["offset"] or "").replace("Z", "+00:00"))
        if match["zone"]:
            value = value.replace(tzinfo=ZoneInfo(match["zone"]))
    except Exception:
        raise problem from None
    return value


def _date(args: list[Any]) -> Any:
    if len(args) == 2:
        raise _Problem("Die Funktion date() erwartet ein oder drei Argumente.")
    if len(args) == 3:
        if not all(_is_number(arg) and _num(arg) == int(_num(arg)) for arg in args):
            return None
        try:
            year, month, day = (int(_num(arg)) for arg in args)
            return dt.date(year, month, day)
        except (ValueError, OverflowError):
            raise _Problem(f"date({', '.join(_show(arg) for arg in args)}) ist kein gültiges Datum.") from None
    value = args[0]
    if isinstance(value, str):
        return _parse_date(value)
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return None


def _date_and_time(args: list[Any]) -> Any:
    value = args[0]
    if isinstance(value, str):
        return _parse_date_time(value)
    if isinstance(value, dt.datetime):
        return value
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day)
    return None


def _duration_of(args: list[Any]) -> Any:
    value = args[0]
    if isinstance(value, str):
        return _parse_duration(value)
    return value if isinstance(value, FeelDuration) else None


def _not(args: list[Any]) -> Any:
    return not args[0] if isinstance(args[0], bool) else None


def _rounded(args: list[Any], rounding: str | None) -> Any:
    if not _is_number(args[0]):
        return None
    value = _num(args[0])
    if rounding is None:
        return abs(value) if isinstance(value, int) else value.copy_abs()
    if isinstance(value, int):
        return value
    return int(value.to_integral_value(rounding=rounding))


def _items(args: list[Any]) -> list[Any] | None:
    if len(args) == 1 and isinstance(args[0], list | tuple):
        return list(args[0])
    return None if len(args) == 1 and args[0] is None else list(args)


def _extreme(args: list[Any], sign: int) -> Any:
    items = _items(args)
    if not items:
        return None
    best = items[0]
    for item in items[1:]:
        order = _order(item, best)
        if order is None:
            return None
        if order == sign:
            best = item
    return None if _order(best, best) is None else best


def _sum(args: list[Any]) -> Any:
    items = _items(args)
    if not items or not all(_is_number(item) for item in items):
        return None
    total: Any = 0
    for item in items:
        total = _number_arithmetic("+", total, _num(item))
    return total


def _count(args: list[Any]) -> Any:
    return len(args[0]) if isinstance(args[0], list | tuple) else None


def _text(args: list[Any], operation: Callable[..., Any]) -> Any:
    if not all(isinstance(arg, str) for arg in args):
        return None
    return operation(*args)


def _string(args: list[Any]) -> Any:
    value = args[0]
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if _is_number(value):
        number = _num(value)
        return str(number) if isinstance(number, int) else _plain(number)
    if isinstance(value, str):
        return value
    if isinstance(value, dt.date | FeelDuration):
        return value.isoformat() if isinstance(value, dt.date) else str(value)
    return None


def _number(args: list[Any]) -> Any:
    value = args[0]
    if _is_number(value):
        return _num(value)
    if isinstance(value, str) and _NUMBER_TEXT.match(value.strip()):
        text = value.strip()
        return _limited(Decimal(text) if "." in text else int(text))
    return None


_BUILTINS: dict[str, Callable[[list[Any]], Any]] = {
    "date": _date,
    "date and time": _date_and_time,
    "duration": _duration_of,
    "not": _not,
    "abs": lambda args: _rounded(args, None),
    "floor": lambda args: _rounded(args, decimal.ROUND_FLOOR),
    "ceiling": lambda args: _rounded(args, decimal.ROUND_CEILING),
    "min": lambda args: _extreme(args, -1),
    "max": lambda args: _extreme(args, 1),
    "sum": _sum,
    "count": _count,
    "string length": lambda args: _text(args, len),
    "upper case": lambda args: _text(args, str.upper),
    "lower case": lambda args: _text(args, str.lower),
    "contains": lambda args: _text(args, lambda text, part: part in text),
    "starts with": lambda args: _text(args, str.startswith),
    "ends with": lambda args: _text(args, str.endswith),
    "string": _string,
    "number": _number,
}


# --------------------------------------------------------------------------- interpreter


class _Scope:
    """Variable lookup through layers (required decisions first, then the caller's variables)."""

    __slots__ = ("_layers",)

    def __init__(self, *layers: Mapping[str, object]) -> None:
        self._layers = layers

    def lookup(self, name: str) -> object:
        for layer in self._layers:
            if name in layer:
                return layer[name]
        raise _Problem(f"Unbekannte Eingabe '{name}'.")


_DATE_FIELDS = {"year", "month", "day", "weekday"}
_TIME_FIELDS = {"hour", "minute", "second"}
_NO_INPUT: Any = object()


class _Interpreter:
    def __init__(self, scope: _Scope, functions: Mapping[str, Callable[..., object]]) -> None:
        self._scope = scope
        self._functions = functions
        self._input: Any = _NO_INPUT

    def run(self, node: _Node) -> Any:
        match node:
            case _Const(value):
                return value
            case _Name(name):
                return self._scope.lookup(name)
            case _Input():
                if self._input is _NO_INPUT:
                    raise _Problem("'?' steht nur in Eingabezellen für den Wert der Eingabe.")
                return self._input
            case _Path(target, name):
                return _path(self.run(target), name)
            case _Index(target, index):
                return _index(self.run(target), self.run(index))
            case _Neg(operand):
                return self._negate(self.run(operand))
            case _Arith(op, left, right):
                return _arithmetic(op, self.run(left), self.run(right))
            case _Cmp(op, left, right):
                return _compare(op, self.run(left), self.run(right))
            case _Between(value, low, high):
                subject = self.run(value)
                return _all([_compare(">=", subject, self.run(low)), _compare("<=", subject, self.run(high))])
            case _In(value, tests):
                return self.test(tests, self.run(value))
            case _Logic(op, left, right):
                return self._logic(op, left, right)
            case _If(test, then, other):
                return self.run(then) if self.run(test) is True else self.run(other)
            case _Call(function, args):
                return self._call(function, [self.run(arg) for arg in args])
            case _List(items):
                return [self.run(item) for item in items]
        assert_never(node)

    @staticmethod
    def _negate(value: Any) -> Any:
        if _is_number(value):
            number = _num(value)
            return -number if isinstance(number, int) else number.copy_negate()
        if isinstance(value, FeelDuration):
            return FeelDuration(-value.months, -value.seconds)
        return None

    def _logic(self, op: str, left: _Node, right: _Node) -> bool | None:
        # Three-valued: anything but true/false counts as null; false decides `and`, true decides `or`.
        deciding: bool = op == "or"
        first = self.run(left)
        if first is deciding:
            return op == "or"
        second = self.run(right)
        if second is deciding:
            return op == "or"
        if isinstance(first, bool) and isinstance(second, bool):
            return not deciding
        return None

    def _call(self, name: str, args: list[Any]) -> Any:
        builtin = _BUILTINS.get(name)
        if builtin is not None:
            return builtin(args)
        function = self._functions.get(name)
        if function is None:
            raise _Problem(f"Unbekannte Funktion '{name}'.")
        try:
            result = function(*(_outbound(arg) for arg in args))
        except Exception as error:
            raise _Problem(f"Die Funktion '{name}' ist fehlgeschlagen: {_clip(str(error), 200)}") from error
        return result

    # ------------------------------------------------------------ unary tests

    def test(self, tests: _Tests, value: Any) -> bool | None:
        saved = self._input
        self._input = value
        try:
            results: list[bool | None] = []
            for item in tests.items:
                result = self._one(item, value)
                if result is True:
                    results = [True]
                    break
                results.append(result)
            outcome = _any(results)
        finally:
            self._input = saved
        if tests.negated:
            return None if outcome is None else not outcome
        return outcome

    def _one(self, test: _Test, value: Any) -> bool | None:
        match test:
            case _AnyTest():
                return True
            case _CmpTest(op, endpoint):
                return _compare(op, value, self.run(endpoint))
            case _Interval(low_closed, low, high, high_closed):
                above = _compare(">=" if low_closed else ">", value, self.run(low))
                if above is False:
                    return False
                return _all([above, _compare("<=" if high_closed else "<", value, self.run(high))])
            case _ExprTest(node, uses_input, literal):
                result = self.run(node)
                if uses_input:
                    return result if isinstance(result, bool) else None
                if isinstance(result, bool) and not literal and value is not None and not isinstance(value, bool):
                    # An entry like `alter > grenze` decides by itself (as Camunda's FEEL engine does).
                    return result
                if isinstance(result, list | tuple):
                    return _any([_equal(value, item) for item in result])
                return _equal(value, result)
        assert_never(test)


def _compare(op: str, left: Any, right: Any) -> bool | None:
    if op == "=":
        return _equal(left, right)
    if op == "!=":
        same = _equal(left, right)
        return None if same is None else not same
    order = _order(left, right)
    if order is None:
        return None
    if op == "<":
        return order < 0
    if op == "<=":
        return order <= 0
    if op == ">":
        return order > 0
    return order >= 0


def _path(value: Any, name: str) -> Any:
    if isinstance(value, Mapping):
        return value.get(name)  # a missing field is null in FEEL
    if isinstance(value, list | tuple):
        return [_path(item, name) for item in value]
    if isinstance(value, dt.date) and name in _DATE_FIELDS:
        return value.isoweekday() if name == "weekday" else getattr(value, name)
    if isinstance(value, dt.datetime) and name in _TIME_FIELDS:
        return getattr(value, name)
    if isinstance(value, FeelDuration):
        days, rest = divmod(abs(value.seconds), 86_400)
        sign = -1 if value.months < 0 or value.seconds < 0 else 1
        parts: dict[str, int | Decimal] = {
            "years": abs(value.months) // 12, "months": abs(value.months) % 12, "days": int(days),
            "hours": int(rest // 3600), "minutes": int(rest % 3600 // 60), "seconds": rest % 60,
        }
        return sign * parts[name] if name in parts else None
    return None


def _index(value: Any, index: Any) -> Any:
    if not isinstance(value, list | tuple):
        return None
    if not _is_number(index) or _num(index) != int(_num(index)):
        raise _Problem("Listen lassen sich nur mit einer ganzen Zahl abfragen (z. B. liste[1]); "
                       "Filterausdrücke werden nicht unterstützt.")
    position = int(_num(index))
    # FEEL counts from 1; negative positions count from the end.
    if 1 <= position <= len(value):
        return value[position - 1]
    if -len(value) <= position <= -1:
        return value[position]
    return None


# --------------------------------------------------------------------------- compiled entries


def _run_guarded(action: Callable[[], Any]) -> Any:
    """Run an evaluation; every failure, whatever its cause, becomes a _Problem with a German reason."""
    try:
        return action()
    except _Problem:
        raise
    except RecursionError:
        # Only reachable through self-referencing data, e.g. a list that contains itself.
        raise _Problem("Die Auswertung ist zu tief verschachtelt.") from None
    except MemoryError:
        raise _Problem("Für die Auswertung reicht der Speicher nicht.") from None
    except Exception as error:
        raise _Problem(f"Die Auswertung ist fehlgeschlagen ({type(error).__name__}).") from error


@dataclass(frozen=True)
class FeelExpression:
    """A compiled FEEL expression (input expression or output entry)."""

    source: str
    _tree: _Node = field(repr=False, compare=False)

    def evaluate(
        self, variables: Mapping[str, object], functions: Mapping[str, Callable[..., object]] | None = None
    ) -> object:
        """The value as Python code expects it (see the module notes); raises only DmnError."""
        try:
            return _outbound(self._value(_Scope(variables), functions or {}))
        except _Problem as problem:
            raise DmnError(f"Ausdruck »{_clip(self.source)}«: {problem.reason}") from problem

    def _value(self, scope: _Scope, functions: Mapping[str, Callable[..., object]]) -> Any:
        return _run_guarded(lambda: _Interpreter(scope, functions).run(self._tree))


@dataclass(frozen=True)
class UnaryTests:
    """A compiled input entry: FEEL unary tests against the input value."""

    source: str
    _tests: _Tests = field(repr=False, compare=False)

    @property
    def is_any(self) -> bool:
        return self._tests.items == (_AnyTest(),) and not self._tests.negated

    def matches(
        self,
        value: object,
        variables: Mapping[str, object] | None = None,
        functions: Mapping[str, Callable[..., object]] | None = None,
    ) -> bool:
        """True if the value passes; null results (incompatible types) do not match. Raises only DmnError."""
        try:
            return self._matches(value, _Scope(variables or {}), functions or {})
        except _Problem as problem:
            raise DmnError(f"Eingabezelle »{_clip(self.source)}«: {problem.reason}") from problem

    def _matches(self, value: object, scope: _Scope, functions: Mapping[str, Callable[..., object]]) -> bool:
        if self.is_any:
            return True
        return _run_guarded(lambda: _Interpreter(scope, functions).test(self._tests, value)) is True


def _guarded_compile(action: Callable[[], Any]) -> Any:
    try:
        return action()
    except _Problem:
        raise
    except RecursionError:
        raise _Problem(_TOO_DEEP) from None
    except Exception as error:
        raise _Problem(f"Der Eintrag ließ sich nicht lesen ({type(error).__name__}).") from error


def _expression(text: str) -> FeelExpression:
    return FeelExpression(text, _guarded_compile(lambda: _compile_expression(text)))


def _unary_tests(text: str) -> UnaryTests:
    return UnaryTests(text, _guarded_compile(lambda: _compile_tests(text)))


def compile_feel_expression(text: str) -> FeelExpression:
    """Parse a FEEL expression; raises DmnError (German reason) if it is refused."""
    try:
        return _expression(text)
    except _Problem as problem:
        raise DmnError(f"Ausdruck »{_clip(str(text))}«: {problem.reason}") from None


def compile_unary_tests(text: str) -> UnaryTests:
    """Parse an input entry (FEEL unary tests); raises DmnError (German reason) if it is refused."""
    try:
        return _unary_tests(text)
    except _Problem as problem:
        raise DmnError(f"Eingabezelle »{_clip(str(text))}«: {problem.reason}") from None


# --------------------------------------------------------------------------- types


def _coerce(value: Any, type_ref: str | None) -> Any:
    """Convert a value to a column's typeRef as Camunda's type transformers do; raises _Problem if impossible."""
    value = _outbound(value)
    if value is None or not type_ref:
        return value
    if type_ref == "string":
        if isinstance(value, str):
            return value
        if isinstance(value, bool):
            return "true" if value else "false"
        converted = _string([value])
        if isinstance(converted, str):
            return converted
    elif type_ref in _INT_RANGES:
        number: Any = None
        if _is_number(value) and _num(value) == int(_num(value)):
            number = int(_num(value))
        elif isinstance(value, str) and re.fullmatch(r"-?\d{1,20}", value.strip()):
            number = int(value.strip())
        if number is not None and -_INT_RANGES[type_ref] <= number < _INT_RANGES[type_ref]:
            return number
    elif type_ref == "double":
        if _is_number(value):
            return float(value)
        if isinstance(value, str) and _NUMBER_TEXT.match(value.strip()):
            return float(value.strip())
    elif type_ref == "number":
        if _is_number(value):
            return value
    elif type_ref == "boolean":
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.strip() in ("true", "false"):
            return value.strip() == "true"
    elif type_ref == "date":
        if isinstance(value, dt.date):
            return value
        if isinstance(value, str):
            text = value.strip()
            return _parse_date_time(text) if "T" in text else _parse_date(text)
    raise _Problem(f"Der Wert {_show(value)} passt nicht zum Typ '{type_ref}'.")


# --------------------------------------------------------------------------- model


@dataclass(frozen=True)
class Rule:
    id: str
    description: str
    inputs: tuple[UnaryTests, ...]
    outputs: tuple[FeelExpression, ...]


@dataclass(frozen=True)
class Decision:
    id: str
    name: str
    hit_policy: str
    aggregation: str | None
    input_expressions: tuple[FeelExpression, ...]
    input_labels: tuple[str, ...]
    output_names: tuple[str, ...]
    output_values: tuple[tuple[object, ...] | None, ...]
    rules: tuple[Rule, ...]
    required: tuple[str, ...]
    input_types: tuple[str | None, ...] = ()
    output_types: tuple[str | None, ...] = ()


@dataclass(frozen=True)
class DecisionResult:
    decision_id: str
    matched_rules: tuple[str, ...]
    outputs: list[dict[str, object]]
    value: object


# --------------------------------------------------------------------------- reading


@dataclass(frozen=True)
class _Issue:
    element_id: str | None
    decision_id: str | None
    rule_id: str | None
    message: str
    line: int | None


_NUMERIC_TYPES = frozenset({"integer", "long", "double", "number"})
_TYPE_KINDS = {"string": {"string"}, "boolean": {"boolean"}, "date": {"date", "date and time", "local date and time"}}


class _Reader:
    def __init__(self) -> None:
        self.issues: list[_Issue] = []

    def _issue(self, element: etree._Element, message: str, decision_id: str | None = None,
               rule_id: str | None = None) -> None:
        element_id = rule_id or decision_id or element.get("id")
        line = element.sourceline if isinstance(element.sourceline, int) else None
        self.issues.append(_Issue(element_id, decision_id, rule_id, message, line))

    def read(self, root: etree._Element) -> dict[str, Decision]:
        namespace = etree.QName(root).namespace if isinstance(root.tag, str) else None
        if namespace not in DMN_NAMESPACES or etree.QName(root).localname != "definitions":
            self._issue(root, "Die Datei ist keine DMN-Datei (erwartet wird <definitions> im DMN-Namensraum).")
            return {}
        ns = f"{{{namespace}}}"
        decisions: dict[str, Decision] = {}
        seen: set[str] = set()
        elements: dict[str, etree._Element] = {}
        for element in root.iterfind(f"{ns}decision"):
            decision_id = element.get("id") or ""
            if not decision_id:
                self._issue(element, "Eine Entscheidung hat keine id.")
                continue
            if decision_id in seen:
                self._issue(element, f"Die id »{decision_id}« ist doppelt vergeben.", decision_id)
                continue
            seen.add(decision_id)
            elements[decision_id] = element
            before = len(self.issues)
            decision = self._decision(element, decision_id, ns)
            if decision is not None and len(self.issues) == before:
                decisions[decision_id] = decision
        if not seen and not self.issues:
            self._issue(root, "Die Datei enthält keine Entscheidung.")
        for decision_id, element in elements.items():
            for required in self._required(element, ns):
                if required not in seen:
                    self._issue(element, f"Entscheidung »{decision_id}«: die benötigte Entscheidung »{required}« "
                                         "gibt es in dieser Datei nicht.", decision_id)
        self._check_cycles(elements, ns)
        return decisions

    @staticmethod
    def _required(element: etree._Element, ns: str) -> tuple[str, ...]:
        found: list[str] = []
        for requirement in element.iterfind(f"{ns}informationRequirement/{ns}requiredDecision"):
            href = (requirement.get("href") or "").strip()
            found.append(href[1:] if href.startswith("#") else href)
        return tuple(found)

    def _check_cycles(self, elements: Mapping[str, etree._Element], ns: str) -> None:
        graph = {decision_id: self._required(element, ns) for decision_id, element in elements.items()}
        reported: set[str] = set()
        for start in graph:
            path = _cycle_from(graph, start)
            if path and path[0] not in reported:
                reported.update(path)
                self._issue(elements[start], f"Die Entscheidungen hängen im Kreis voneinander ab: "
                                             f"{' → '.join(path)}.", start)

    def _decision(self, element: etree._Element, decision_id: str, ns: str) -> Decision | None:
        where = f"Entscheidung »{decision_id}«"
        table = element.find(f"{ns}decisionTable")
        if table is None:
            self._issue(element, f"{where} hat keine Entscheidungstabelle; nur Entscheidungstabellen werden "
                                 "unterstützt (keine literalen Ausdrücke).", decision_id)
            return None
        self._check_language(element, where, decision_id)
        hit_policy = " ".join((table.get("hitPolicy") or "UNIQUE").replace("_", " ").upper().split())
        if hit_policy not in HIT_POLICIES:
            self._issue(table, f"{where}: die Trefferrichtlinie »{table.get('hitPolicy')}« ist unbekannt "
                               f"(erlaubt: {', '.join(HIT_POLICIES)}).", decision_id)
        aggregation = (table.get("aggregation") or "").strip().upper() or None
        if aggregation is not None:
            if aggregation not in AGGREGATIONS:
                self._issue(table, f"{where}: die Aggregation »{table.get('aggregation')}« ist unbekannt "
                                   f"(erlaubt: {', '.join(AGGREGATIONS)}).", decision_id)
            elif hit_policy != "COLLECT":
                self._issue(table, f"{where}: eine Aggregation ({aggregation}) gibt es nur bei der "
                                   "Trefferrichtlinie COLLECT.", decision_id)
        inputs = [self._input(item, where, decision_id, index) for index, item in
                  enumerate(table.iterfind(f"{ns}input"), start=1)]
        outputs = [self._output(item, where, decision_id, index) for index, item in
                   enumerate(table.iterfind(f"{ns}output"), start=1)]
        if not outputs:
            self._issue(table, f"{where} hat keine Ausgabespalte.", decision_id)
        names = [name for name, _, _ in outputs]
        if len(outputs) > 1:
            for index, name in enumerate(names, start=1):
                if not name:
                    self._issue(table, f"{where}: Ausgabespalte {index} hat keinen Namen; bei mehreren Ausgaben "
                                       "braucht jede einen (Feld »Output Name«).", decision_id)
                elif names.index(name) != index - 1:
                    self._issue(table, f"{where}: der Ausgabename »{name}« kommt mehrfach vor.", decision_id)
        if aggregation is not None and len(outputs) > 1:
            self._issue(table, f"{where}: COLLECT mit Aggregation ({aggregation}) verlangt genau eine "
                               f"Ausgabespalte, die Tabelle hat {len(outputs)}.", decision_id)
        if hit_policy in ("PRIORITY", "OUTPUT ORDER") and outputs and all(values is None for _, _, values in outputs):
            self._issue(table, f"{where}: die Trefferrichtlinie {hit_policy} braucht eine Liste der Ausgabewerte "
                               "(»Output Values«), nach deren Reihenfolge sie ordnet.", decision_id)
        rules = []
        for rule_element in table.iterfind(f"{ns}rule"):
            rule = self._rule(rule_element, ns, where, decision_id, inputs, outputs, hit_policy)
            if rule is not None:
                rules.append(rule)
        if any(item is None for item in inputs):
            return None
        return Decision(
            id=decision_id,
            name=element.get("name") or decision_id,
            hit_policy=hit_policy,
            aggregation=aggregation,
            input_expressions=tuple(expression for expression, _, _ in inputs if expression is not None),
            input_labels=tuple(label for _, label, _ in inputs),
            output_names=tuple(names),
            output_values=tuple(values for _, _, values in outputs),
            rules=tuple(rules),
            required=self._required(element, ns),
            input_types=tuple(type_ref for _, _, type_ref in inputs),
            output_types=tuple(type_ref for _, type_ref, _ in outputs),
        )

    def _check_language(self, element: etree._Element, where: str, decision_id: str) -> None:
        for item in element.iter():
            language = item.get("expressionLanguage")
            if language and language.strip().lower() not in ("feel", "https://www.omg.org/spec/dmn/20191111/feel/",
                                                             "http://www.omg.org/spec/feel/20140401"):
                self._issue(item, f"{where}: die Ausdruckssprache »{language}« wird nicht unterstützt; "
                                  "nur FEEL.", decision_id)

    def _type_ref(self, element: etree._Element, where: str, decision_id: str) -> str | None:
        type_ref = (element.get("typeRef") or "").strip() or None
        if type_ref is not None and type_ref not in TYPE_REFS:
            self._issue(element, f"{where}: der Typ »{type_ref}« ist unbekannt (erlaubt: {', '.join(TYPE_REFS)}).",
                        decision_id)
            return None
        return type_ref

    def _input(self, element: etree._Element, where: str, decision_id: str,
               index: int) -> tuple[FeelExpression | None, str, str | None]:
        ns = etree.QName(element).namespace
        expression_element = element.find(f"{{{ns}}}inputExpression")
        text_element = expression_element.find(f"{{{ns}}}text") if expression_element is not None else None
        text = (text_element.text or "").strip() if text_element is not None else ""
        label = (element.get("label") or "").strip() or text or f"Eingabe {index}"
        place = f"{where}, Eingabe {index} »{_clip(label, 40)}«"
        if expression_element is None or not text:
            self._issue(element, f"{place}: der Eingabeausdruck fehlt.", decision_id)
            return None, label, None
        type_ref = self._type_ref(expression_element, place, decision_id)
        expression = self._compile(_expression, text, expression_element, f"{place}, Ausdruck", decision_id)
        values_element = element.find(f"{{{ns}}}inputValues/{{{ns}}}text")
        if values_element is not None and (values_element.text or "").strip():
            self._compile(_unary_tests, values_element.text or "", values_element,
                          f"{place}, erlaubte Werte", decision_id)
        return expression, label, type_ref

    def _output(self, element: etree._Element, where: str, decision_id: str,
                index: int) -> tuple[str, str | None, tuple[object, ...] | None]:
        ns = etree.QName(element).namespace
        name = (element.get("name") or "").strip()
        place = f"{where}, Ausgabe {index} »{name or element.get('label') or index}«"
        type_ref = self._type_ref(element, place, decision_id)
        values_element = element.find(f"{{{ns}}}outputValues/{{{ns}}}text")
        values: tuple[object, ...] | None = None
        text = (values_element.text or "").strip() if values_element is not None else ""
        if values_element is not None and text:
            values = self._output_values(values_element, text, type_ref, f"{place}, Ausgabewerte", decision_id)
        return name or element.get("id") or f"output{index}", type_ref, values

    def _output_values(self, element: etree._Element, text: str, type_ref: str | None, place: str,
                       decision_id: str) -> tuple[object, ...] | None:
        tests = self._compile(_unary_tests, text, element, place, decision_id)
        if tests is None:
            return None
        values: list[object] = []
        for item in tests._tests.items:
            constant = _constant(item.node) if isinstance(item, _ExprTest) else _NOT_CONSTANT
            if constant is _NOT_CONSTANT or tests._tests.negated:
                self._issue(element, f"{place} »{_clip(text)}«: erlaubt ist nur eine Liste fester Werte, "
                                     "z. B. \"hoch\",\"mittel\",\"niedrig\".", decision_id)
                return None
            try:
                values.append(_coerce(constant, type_ref))
            except _Problem as problem:
                self._issue(element, f"{place} »{_clip(text)}«: {problem.reason}", decision_id)
                return None
        return tuple(values)

    def _compile(self, compiler: Callable[[str], Any], text: str, element: etree._Element, place: str,
                 decision_id: str, rule_id: str | None = None) -> Any:
        try:
            return compiler(text)
        except _Problem as problem:
            self._issue(element, f"{place} »{_clip(text.strip())}«: {problem.reason}", decision_id, rule_id)
            return None

    def _rule(self, element: etree._Element, ns: str, where: str, decision_id: str,
              inputs: list[tuple[FeelExpression | None, str, str | None]],
              outputs: list[tuple[str, str | None, tuple[object, ...] | None]], hit_policy: str) -> Rule | None:
        rule_id = element.get("id") or ""
        if not rule_id:
            self._issue(element, f"{where}: eine Regel hat keine id.", decision_id)
            return None
        place = f"{where}, Regel »{rule_id}«"
        input_entries = element.findall(f"{ns}inputEntry")
        output_entries = element.findall(f"{ns}outputEntry")
        if len(input_entries) != len(inputs) or len(output_entries) != len(outputs):
            self._issue(element, f"{place} hat {len(input_entries)} Eingabe- und {len(output_entries)} Ausgabezellen, "
                                 f"die Tabelle aber {len(inputs)} Eingabe- und {len(outputs)} Ausgabespalten.",
                        decision_id, rule_id)
            return None
        tests: list[UnaryTests | None] = []
        for index, (entry, (_, _, type_ref)) in enumerate(zip(input_entries, inputs, strict=True), start=1):
            text = entry.findtext(f"{ns}text") or ""
            cell = f"{place}, Eingabezelle {index}"
            compiled = self._compile(_unary_tests, text, entry, cell, decision_id, rule_id)
            if compiled is not None:
                self._check_test_types(compiled, type_ref, entry, cell, decision_id, rule_id)
            tests.append(compiled)
        results: list[FeelExpression | None] = []
        for index, (entry, (_, type_ref, values)) in enumerate(zip(output_entries, outputs, strict=True), start=1):
            text = (entry.findtext(f"{ns}text") or "").strip() or "null"
            cell = f"{place}, Ausgabezelle {index}"
            compiled_output = self._compile(_expression, text, entry, cell, decision_id, rule_id)
            if compiled_output is not None:
                self._check_output(compiled_output, type_ref, values, hit_policy, entry, cell, decision_id, rule_id)
            results.append(compiled_output)
        if any(item is None for item in tests) or any(item is None for item in results):
            return None
        description = (element.findtext(f"{ns}description") or "").strip()
        return Rule(rule_id, description, tuple(t for t in tests if t is not None),
                    tuple(r for r in results if r is not None))

    def _check_test_types(self, tests: UnaryTests, type_ref: str | None, entry: etree._Element, cell: str,
                          decision_id: str, rule_id: str) -> None:
        """A literal that can never equal a value of the column's type is a mistake, e.g. "18" for an integer."""
        if type_ref is None:
            return
        allowed = {"number"} if type_ref in _NUMERIC_TYPES else _TYPE_KINDS.get(type_ref, set())
        for item in tests._tests.items:
            nodes: tuple[_Node, ...] = ()
            if isinstance(item, _CmpTest):
                nodes = (item.endpoint,)
            elif isinstance(item, _Interval):
                nodes = (item.low, item.high)
            elif isinstance(item, _ExprTest) and not item.uses_input:
                nodes = (item.node,)
            for node in nodes:
                constant = _constant(node)
                values = constant if isinstance(constant, list) else [constant]
                if constant is _NOT_CONSTANT:
                    continue
                for value in values:
                    kind = _kind(value)
                    if kind != "null" and kind not in allowed:
                        self._issue(entry, f"{cell} »{_clip(tests.source.strip())}«: {_TYPE_NAMES[kind]} passt "
                                           f"nicht zum Typ '{type_ref}' der Eingabe; die Regel träfe nie zu"
                                           + (" (Zahlen ohne Anführungszeichen schreiben)." if kind == "string"
                                              and type_ref in _NUMERIC_TYPES else "."), decision_id, rule_id)
                        return

    def _check_output(self, expression: FeelExpression, type_ref: str | None, values: tuple[object, ...] | None,
                      hit_policy: str, entry: etree._Element, cell: str, decision_id: str, rule_id: str) -> None:
        constant = _constant(expression._tree)
        if constant is _NOT_CONSTANT:
            return
        try:
            value = _coerce(constant, type_ref)
        except _Problem as problem:
            self._issue(entry, f"{cell} »{_clip(expression.source)}«: {problem.reason}", decision_id, rule_id)
            return
        if values is not None and hit_policy in ("PRIORITY", "OUTPUT ORDER") and _rank(value, values) is None:
            self._issue(entry, f"{cell} »{_clip(expression.source)}«: der Wert steht nicht in der Liste der "
                               f"Ausgabewerte ({', '.join(_show(v) for v in values)}), nach der {hit_policy} "
                               "ordnet.", decision_id, rule_id)


_NOT_CONSTANT: Any = object()


def _constant(node: _Node) -> Any:
    """The value of an entry that needs no variables or passed functions; _NOT_CONSTANT otherwise."""
    for item, _ in _walk(node):
        if isinstance(item, _Name | _Input) or (isinstance(item, _Call) and item.function not in _BUILTINS):
            return _NOT_CONSTANT
    try:
        return _run_guarded(lambda: _Interpreter(_Scope(), {}).run(node))
    except _Problem:
        return _NOT_CONSTANT


def _cycle_from(graph: Mapping[str, tuple[str, ...]], start: str) -> list[str] | None:
    """A dependency path from `start` back to itself, if there is one."""
    stack: list[tuple[str, list[str]]] = [(start, [start])]
    seen: set[str] = set()
    while stack:
        node, path = stack.pop()
        for following in graph.get(node, ()):
            if following == start:
                return [*path, start]
            if following not in seen:
                seen.add(following)
                stack.append((following, [*path, following]))
    return None


def _issues(root: etree._Element) -> tuple[dict[str, Decision], list[_Issue]]:
    reader = _Reader()
    try:
        decisions = reader.read(root)
    except RecursionError:
        reader.issues.append(_Issue(None, None, None, "Die Datei ist zu tief verschachtelt.", None))
        decisions = {}
    return decisions, reader.issues


def read_decisions(root: etree._Element, filename: str) -> dict[str, Decision]:
    """All decisions of a DMN file, compiled; raises DmnError naming the first problem (see lint_dmn for all)."""
    decisions, issues = _issues(root)
    if issues:
        first = issues[0]
        more = {1: "", 2: " (und ein weiteres Problem)"}.get(len(issues), f" (und {len(issues) - 1} weitere Probleme)")
        line = f":{first.line}" if first.line is not None else ""
        raise DmnError(f"{filename}{line}: {first.message}{more}", first.decision_id, first.rule_id)
    return decisions


def lint_dmn(root: etree._Element, filename: str) -> list[Finding]:
    """Every problem read_decisions would refuse, as findings (file, rule or decision id, sentence, line)."""
    _, issues = _issues(root)
    return [Finding(filename, issue.element_id, issue.message, line=issue.line) for issue in issues]


# --------------------------------------------------------------------------- evaluation


def evaluate(
    decisions: Mapping[str, Decision],
    decision_id: str,
    variables: Mapping[str, object],
    functions: Mapping[str, Callable[..., object]] | None = None,
) -> DecisionResult:
    """Evaluate a decision, its required decisions first (each once); raises only DmnError.

    The value of every required decision is visible to the later ones under its decision id.
    """
    return _Evaluation(decisions, variables, functions or {}).decide(decision_id, ())


class _Evaluation:
    def __init__(self, decisions: Mapping[str, Decision], variables: Mapping[str, object],
                 functions: Mapping[str, Callable[..., object]]) -> None:
        self._decisions = decisions
        self._variables = variables
        self._functions = functions
        self._done: dict[str, DecisionResult] = {}

    def decide(self, decision_id: str, chain: tuple[str, ...]) -> DecisionResult:
        if decision_id in self._done:
            return self._done[decision_id]
        if decision_id in chain:
            path = " → ".join((*chain[chain.index(decision_id):], decision_id))
            raise DmnError(f"Die Entscheidungen hängen im Kreis voneinander ab: {path}.", decision_id)
        decision = self._decisions.get(decision_id)
        if decision is None:
            if chain:
                raise DmnError(f"Entscheidung »{chain[-1]}«: die benötigte Entscheidung »{decision_id}« gibt es "
                               "nicht.", chain[-1])
            raise DmnError(f"Die Entscheidung »{decision_id}« gibt es nicht.", decision_id)
        required = {name: self.decide(name, (*chain, decision_id)).value for name in decision.required}
        result = _Table(decision, _Scope(required, self._variables), self._functions).run()
        self._done[decision_id] = result
        return result


class _Table:
    def __init__(self, decision: Decision, scope: _Scope, functions: Mapping[str, Callable[..., object]]) -> None:
        self.decision = decision
        self.scope = scope
        self.functions = functions

    def _fail(self, message: str, rule_id: str | None = None) -> DmnError:
        return DmnError(f"Entscheidung »{self.decision.id}«{message}", self.decision.id, rule_id)

    def run(self) -> DecisionResult:
        decision = self.decision
        values = [self._input(index, expression) for index, expression in enumerate(decision.input_expressions)]
        matched: list[Rule] = []
        for rule in decision.rules:
            if all(self._matches(rule, index, tests, value)
                   for index, (tests, value) in enumerate(zip(rule.inputs, values, strict=True))):
                matched.append(rule)
                if decision.hit_policy == "FIRST":
                    break
        if decision.hit_policy == "UNIQUE" and len(matched) > 1:
            names = _enumerate(f"»{rule.id}«" for rule in matched)
            raise self._fail(f": bei der Trefferrichtlinie UNIQUE darf nur eine Regel zutreffen, es treffen aber "
                             f"{len(matched)} zu: {names}.", matched[0].id)
        outputs = [self._outputs(rule) for rule in matched]
        if decision.hit_policy in ("PRIORITY", "OUTPUT ORDER"):
            order = sorted(range(len(matched)), key=lambda i: self._priority(matched[i], outputs[i]))
            matched = [matched[i] for i in order]
            outputs = [outputs[i] for i in order]
        if decision.hit_policy == "ANY":
            for rule, output in zip(matched[1:], outputs[1:], strict=True):
                if not _same_outputs(output, outputs[0]):
                    raise self._fail(f": bei der Trefferrichtlinie ANY müssen alle zutreffenden Regeln dasselbe "
                                     f"Ergebnis liefern, aber »{matched[0].id}« ergibt {_show(outputs[0])} und "
                                     f"»{rule.id}« ergibt {_show(output)}.", rule.id)
        return DecisionResult(decision.id, tuple(rule.id for rule in matched), outputs, self._value(outputs))

    def _input(self, index: int, expression: FeelExpression) -> Any:
        label = self.decision.input_labels[index]
        try:
            value = expression._value(self.scope, self.functions)
            return _coerce(value, _at(self.decision.input_types, index))
        except _Problem as problem:
            raise self._fail(f", Eingabe »{label}« ({_clip(expression.source)}): {problem.reason}") from None

    def _matches(self, rule: Rule, index: int, tests: UnaryTests, value: Any) -> bool:
        try:
            return tests._matches(value, self.scope, self.functions)
        except _Problem as problem:
            reason = problem.reason
            if reason.startswith("Unbekannte Eingabe"):
                reason += " Texte stehen in doppelten Anführungszeichen, z. B. \"hoch\"."
            raise self._fail(f", Regel »{rule.id}«, Eingabezelle {index + 1} »{_clip(tests.source.strip())}«: "
                             f"{reason}", rule.id) from None

    def _outputs(self, rule: Rule) -> dict[str, object]:
        result: dict[str, object] = {}
        for index, (name, expression) in enumerate(zip(self.decision.output_names, rule.outputs, strict=True)):
            try:
                value = expression._value(self.scope, self.functions)
                result[name] = _coerce(value, _at(self.decision.output_types, index))
            except _Problem as problem:
                raise self._fail(f", Regel »{rule.id}«, Ausgabezelle {index + 1} »{_clip(expression.source)}«: "
                                 f"{problem.reason}", rule.id) from None
        return result

    def _priority(self, rule: Rule, output: Mapping[str, object]) -> tuple[int, ...]:
        key: list[int] = []
        for name, values in zip(self.decision.output_names, self.decision.output_values, strict=True):
            if values is None:
                continue
            rank = _rank(output[name], values)
            if rank is None:
                raise self._fail(f", Regel »{rule.id}«: der Ausgabewert {_show(output[name])} für »{name}« steht "
                                 f"nicht in der Liste der Ausgabewerte, nach der {self.decision.hit_policy} ordnet.",
                                 rule.id)
            key.append(rank)
        return tuple(key)

    def _value(self, outputs: list[dict[str, object]]) -> object:
        decision = self.decision
        single = len(decision.output_names) == 1
        shaped: list[object] = [next(iter(output.values())) if single else output for output in outputs]
        if decision.hit_policy in ("UNIQUE", "FIRST", "ANY", "PRIORITY"):
            return shaped[0] if shaped else None
        if decision.aggregation is None:
            return shaped
        if decision.aggregation == "COUNT":
            return len(outputs)
        values = [value for value in shaped if value is not None]
        try:
            return _aggregate(decision.aggregation, values)
        except _Problem as problem:
            raise self._fail(f": {problem.reason}") from None


def _enumerate(items: Iterable[str]) -> str:
    """»a«, »b« und »c«."""
    texts = list(items)
    return texts[0] if len(texts) == 1 else f"{', '.join(texts[:-1])} und {texts[-1]}"


def _at(types: tuple[str | None, ...], index: int) -> str | None:
    return types[index] if index < len(types) else None


def _rank(value: object, values: tuple[object, ...]) -> int | None:
    for position, candidate in enumerate(values):
        if _equal(value, candidate) is True:
            return position
    return None


def _same_outputs(left: Mapping[str, object], right: Mapping[str, object]) -> bool:
    return all(_equal(left[name], right[name]) is True for name in left)


def _aggregate(aggregation: str, values: list[object]) -> object:
    if aggregation == "SUM":
        if not all(_is_number(value) for value in values):
            raise _Problem("SUM lässt sich nur über Zahlen bilden, die Ergebnisse sind "
                           f"{', '.join(_show(value) for value in values)}.")
        total: int | Decimal | None = 0
        for value in values:
            total = _number_arithmetic("+", _num(total), _num(value))
        return _outbound(total)
    if not values:
        return None
    best = values[0]
    for value in values[1:]:
        order = _order(value, best)
        if order is None:
            raise _Problem(f"{aggregation} lässt sich über {_show(best)} und {_show(value)} nicht bilden "
                           "(verschiedene Typen).")
        if order == (-1 if aggregation == "MIN" else 1):
            best = value
    if _order(best, best) is None:
        raise _Problem(f"{aggregation} lässt sich über {_show(best)} nicht bilden.")
    return best
