"""The FEEL parser: tokens in, syntax tree of an expression or of an input entry's unary tests out."""

from __future__ import annotations

import functools
from typing import Any

from engine.runtime.feel.functions import BUILTINS
from engine.runtime.feel.syntax import (
    AnyTest,
    Arith,
    Between,
    Call,
    Cmp,
    CmpTest,
    Const,
    ExprTest,
    If,
    In,
    Index,
    Input,
    Interval,
    List,
    Logic,
    Name,
    Neg,
    Node,
    Path,
    Test,
    Tests,
    Tree,
    children,
    mentions_input,
)
from engine.runtime.feel.tokens import tokens_of
from engine.runtime.feel.values import is_number
from engine.runtime.parsing import TOO_DEEP, Cursor, Problem, Token, checked, shown

# Limits keep a hostile or careless table from exhausting memory, CPU or the Python stack.
_MAX_SOURCE = 1000
_MAX_NODES = 300

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


class Parser(Cursor):
    """A recursive-descent parser of FEEL expressions and unary tests."""

    def __init__(self, tokens: list[Token], tests: bool) -> None:
        super().__init__(tokens)
        self._question = 1 if tests else 0  # > 0 where `?` is allowed
        self._no_index = 0  # > 0 while reading the upper end of an interval

    def _finish(self) -> None:
        token = self._peek()
        if token.kind != "end":
            raise self._unexpected(token)

    @staticmethod
    def _unexpected(token: Token) -> Problem:
        if token.kind == "end":
            return Problem("Der Ausdruck endet unerwartet.")
        if token.kind == "name" and token.text not in _KEYWORDS:
            return Problem(f"Unerwartetes {shown(token)} an Stelle {token.pos + 1}; Namen mit Leerzeichen "
                           "werden nicht unterstützt, Texte stehen in doppelten Anführungszeichen.")
        return Problem(f"Unerwartetes {shown(token)} an Stelle {token.pos + 1}.")

    # ------------------------------------------------------------ unary tests

    def unary_tests(self) -> Tests:
        if self._at("not") and self._at("(", ahead=1):
            start = self._index
            self._advance()
            self._advance()
            tests = self._positive_tests()
            self._expect(")")
            if self._peek().kind == "end":
                return Tests(tests.items, negated=True)
            # Something follows, e.g. `not(?) = false`: read it as an ordinary expression instead.
            self._index = start
        tests = self._positive_tests()
        self._finish()
        return tests

    def _positive_tests(self) -> Tests:
        items = [self._positive_test()]
        while self._at(","):
            self._advance()
            items.append(self._positive_test())
        return Tests(tuple(items))

    def _positive_test(self) -> Test:
        token = self._peek()
        if token.kind == "op":
            if token.text in _TEST_OPS:
                self._advance()
                return CmpTest(token.text, self._additive())
            if token.text == "=":
                raise Problem("Ein '=' am Anfang gibt es in FEEL-Eingabezellen nicht; nur den Wert schreiben, "
                              "z. B. 5 oder \"hoch\".")
            if token.text == "!=":
                raise Problem("'!=' gibt es in FEEL-Eingabezellen nicht; Ungleichheit mit not(…) schreiben, "
                              "z. B. not(5) oder not(\"hoch\").")
            if token.text == "-" and (self._peek(1).kind == "end" or self._at(",", ")", ahead=1)):
                raise Problem("'-' (beliebiger Wert) muss allein in der Zelle stehen.")
            if token.text == "]":
                self._advance()
                return self._interval_rest(False, self._expression())
            if token.text in ("[", "("):
                return self._bracketed_test()
        node = self._expression()
        return ExprTest(node, mentions_input(node), isinstance(node, Const))

    def _bracketed_test(self) -> Test:
        """`[1..5]`, `(1..5)` — or a list or parenthesised expression that starts the same way."""
        opening = self._advance().text
        if opening == "[" and self._at("]"):
            self._advance()
            empty = self._expression(first=List(()))
            return ExprTest(empty, mentions_input(empty), False)
        self._enter()
        first = self._expression()
        if self._at(".."):
            self._leave()
            return self._interval_rest(opening == "[", first)
        node: Node
        if opening == "[":
            items = [first]
            while self._at(","):
                self._advance()
                items.append(self._expression())
            self._expect("]")
            node = List(tuple(items))
        else:
            self._expect(")")
            node = first
        self._leave()
        node = self._expression(first=node)
        return ExprTest(node, mentions_input(node), False)

    def _interval_rest(self, low_closed: bool, low: Node) -> Interval:
        self._expect("..")
        # In `]1..5[` the closing '[' must not be read as an index into 5.
        self._no_index += 1
        high = self._expression()
        self._no_index -= 1
        token = self._advance()
        if token.kind != "op" or token.text not in ("]", ")", "["):
            found = "das Ende" if token.kind == "end" else shown(token)
            raise Problem(f"Ein Intervall endet mit ']', ')' oder '[', nicht mit {found}.")
        return Interval(low_closed, low, high, token.text == "]")

    # ------------------------------------------------------------ expressions

    def expression_only(self) -> Node:
        node = self._expression()
        self._finish()
        return node

    def _expression(self, first: Node | None = None) -> Node:
        self._enter()
        if first is None and self._at("if"):
            self._advance()
            test = self._expression()
            self._expect("then")
            then = self._expression()
            self._expect("else")
            node: Node = If(test, then, self._expression())
        else:
            node = self._disjunction(first)
        self._leave()
        return node

    def _disjunction(self, first: Node | None) -> Node:
        left = self._conjunction(first)
        while self._at("or"):
            self._advance()
            left = Logic("or", left, self._conjunction(None))
        return left

    def _conjunction(self, first: Node | None) -> Node:
        left = self._comparison(first)
        while self._at("and"):
            self._advance()
            left = Logic("and", left, self._comparison(None))
        return left

    def _comparison(self, first: Node | None) -> Node:
        left = self._additive(first)
        if self._peek().kind == "op" and self._peek().text in _COMPARISON_OPS:
            op = self._advance().text
            node: Node = Cmp(op, left, self._additive())
        elif self._at("between"):
            self._advance()
            low = self._additive()
            self._expect("and")
            node = Between(left, low, self._additive())
        elif self._at("in"):
            self._advance()
            self._question += 1
            tests = self._in_tests()
            self._question -= 1
            node = In(left, tests)
        else:
            return left
        token = self._peek()
        if (token.kind == "op" and token.text in _COMPARISON_OPS) or self._at("between", "in"):
            raise Problem(f"Vergleiche lassen sich nicht verketten (Stelle {token.pos + 1}); "
                          "mit 'and' verbinden oder 'between' verwenden.")
        return node

    def _in_tests(self) -> Tests:
        # `x in (1, 2, > 5)` lists several tests in parentheses; `x in (1..5)` is one interval.
        if self._at("(") and not self._parenthesised_interval():
            self._advance()
            tests = self._positive_tests()
            self._expect(")")
            return tests
        return Tests((self._positive_test(),))

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

    def _additive(self, first: Node | None = None) -> Node:
        left = self._multiplicative(first)
        while self._at("+", "-"):
            op = self._advance().text
            left = Arith(op, left, self._multiplicative(None))
        return left

    def _multiplicative(self, first: Node | None) -> Node:
        left = self._unary() if first is None else self._postfix(first)
        while self._at("*", "/"):
            op = self._advance().text
            left = Arith(op, left, self._unary())
        return left

    def _unary(self) -> Node:
        if self._at("-"):
            self._advance()
            self._enter()
            operand = self._unary()
            self._leave()
            if isinstance(operand, Const) and is_number(operand.value):
                number = operand.value
                return Const(-number if isinstance(number, int) else number.copy_negate())
            return Neg(operand)
        return self._postfix(self._primary())

    def _postfix(self, node: Node) -> Node:
        while self._at(".") or (self._at("[") and not self._no_index):
            if self._advance().text == ".":
                name = self._advance()
                if name.kind != "name" or name.text in _KEYWORDS:
                    raise Problem(f"Nach '.' wird ein Feldname erwartet (Stelle {name.pos + 1}).")
                node = Path(node, name.text)
            else:
                index = self._expression()
                self._expect("]")
                node = Index(node, index)
        if self._at("("):
            raise Problem("Aufrufen lassen sich nur Funktionen mit einfachem Namen, z. B. date(\"2025-01-31\"); "
                          "Methodenaufrufe sind nicht erlaubt.")
        return node

    def _primary(self) -> Node:
        token = self._advance()
        if token.kind in ("number", "string"):
            return Const(token.value)
        if token.kind == "name":
            return self._name(token)
        if token.kind == "op":
            if token.text == "(":
                node = self._expression()
                self._expect(")")
                return node
            if token.text == "[":
                return List(self._arguments("]"))
            if token.text == "?":
                if self._question <= 0:
                    raise Problem("'?' steht nur in Eingabezellen für den Wert der Eingabe.")
                return Input()
        raise self._unexpected(token)

    def _name(self, token: Token) -> Node:
        word = token.text
        if word in _CONSTANTS:
            return Const(_CONSTANTS[word])
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
        return Name(word)

    def _arguments(self, closing: str) -> tuple[Node, ...]:
        return self._listed(closing, self._expression)

    @staticmethod
    def _call(name: str, args: tuple[Node, ...]) -> Node:
        arity = _ARITY.get(name)
        if arity is not None:
            fewest, most = arity
            if len(args) < fewest or (most is not None and len(args) > most):
                count = str(fewest) if fewest == most else f"{fewest} bis {most}" if most else f"mindestens {fewest}"
                raise Problem(f"Die Funktion {name}() erwartet {count} Argument(e), nicht {len(args)}.")
            if name in _FOLDABLE and all(isinstance(arg, Const) for arg in args):
                # date("2025-13-01") is found when the table is read, not when a case reaches it.
                values = [arg.value for arg in args if isinstance(arg, Const)]
                return Const(BUILTINS[name](values))
        return Call(name, args)


def _check_source(text: str) -> str:
    if not isinstance(text, str):
        raise Problem("Ein Eintrag muss ein Text sein.")
    if len(text) > _MAX_SOURCE:
        raise Problem(f"Der Eintrag ist zu lang ({len(text)} Zeichen, höchstens {_MAX_SOURCE}).")
    return text.strip()


@functools.lru_cache(maxsize=4096)
def expression_tree(text: str) -> Node:
    source = _check_source(text)
    if not source:
        raise Problem("Der Ausdruck ist leer.")
    try:
        node = Parser(tokens_of(source), tests=False).expression_only()
    except RecursionError:
        raise Problem(TOO_DEEP) from None
    _analyse(node)
    return node


@functools.lru_cache(maxsize=4096)
def tests_tree(text: str) -> Tests:
    source = _check_source(text)
    if source in ("", "-"):
        return Tests((AnyTest(),))
    try:
        tests = Parser(tokens_of(source), tests=True).unary_tests()
    except RecursionError:
        raise Problem(TOO_DEEP) from None
    _analyse(tests)
    return tests


def _analyse(tree: Tree) -> None:
    for _ in checked(tree, children, _MAX_NODES):
        pass
