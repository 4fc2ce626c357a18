"""The parser of gateway expressions: tokens in, syntax tree out, with limits on size and depth."""

from __future__ import annotations

from typing import Any

from engine.runtime.expressions.methods import METHODS
from engine.runtime.expressions.syntax import (
    Attribute,
    Binary,
    BoolOp,
    Call,
    Compare,
    Conditional,
    Const,
    ListLit,
    Method,
    Name,
    Node,
    Subscript,
    TupleLit,
    Unary,
    children,
)
from engine.runtime.expressions.tokens import tokens_of, unwrap
from engine.runtime.parsing import Cursor, Problem, Token, checked, shown

# Limits keep a hostile or careless diagram from exhausting memory, CPU or the Python stack.
MAX_SOURCE = 2000
_MAX_NODES = 200

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
        raise Problem(f"Namen mit Unterstrich am Anfang sind nicht erlaubt: '{name}'.")


class Parser(Cursor):
    """A Pratt parser: each operator has a binding power, higher binds tighter."""

    def parse(self) -> Node:
        node = self._expr(0)
        if self._peek().kind != "end":
            raise self._unexpected(self._peek())
        return node

    @staticmethod
    def _unexpected(token: Token) -> Problem:
        if token.kind == "end":
            return Problem("Der Ausdruck endet unerwartet.")
        return Problem(f"Unerwartetes {shown(token)} an Stelle {token.pos + 1}.")

    def _expr(self, min_bp: int) -> Node:
        self._enter()
        left = self._prefix()
        while True:
            token = self._peek()
            text = token.text if token.kind in ("op", "name") else ""
            if text in (".", "[", "("):
                left = self._postfix(left)
            elif text in _BINARY and _BINARY[text][1] > min_bp:
                self._advance()
                op, bp = _BINARY[text]
                # `**` is right-associative and its exponent may carry a sign: 2 ** 3 ** 2, 2 ** -1.
                left = Binary(op, left, self._expr(_BP_UNARY if op == "**" else bp))
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
        self._leave()
        return left

    def _prefix(self) -> Node:
        token = self._advance()
        if token.kind in ("number", "string"):
            return Const(token.value)
        if token.kind == "name":
            return self._word(token)
        if token.kind == "op":
            if token.text in ("-", "+"):
                return Unary(token.text, self._expr(_BP_UNARY))
            if token.text == "!":
                return Unary("not", self._expr(_BP_UNARY))
            if token.text == "(":
                return self._parenthesised()
            if token.text == "[":
                return ListLit(self._items("]"))
        raise self._unexpected(token)

    def _word(self, token: Token) -> Node:
        word = token.text
        if word in _CONSTANTS:
            return Const(_CONSTANTS[word])
        if word == "not":
            return Unary("not", self._expr(_BP_NOT))
        if word == "empty":
            return Unary("empty", self._expr(_BP_UNARY))
        if word in _KEYWORDS:
            raise self._unexpected(token)
        _check_name(word)
        if self._at("("):
            self._advance()
            return Call(word, self._items(")"))
        return Name(word)

    def _parenthesised(self) -> Node:
        if self._at(")"):
            self._advance()
            return TupleLit(())
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
        return TupleLit(tuple(items))

    def _items(self, closing: str) -> tuple[Node, ...]:
        return self._listed(closing, lambda: self._expr(0))

    def _postfix(self, target: Node) -> Node:
        token = self._advance()
        if token.text == ".":
            name = self._advance()
            if name.kind != "name":
                raise Problem(f"Nach '.' wird ein Feldname erwartet (Stelle {name.pos + 1}).")
            _check_name(name.text)
            return Attribute(target, name.text)
        if token.text == "[":
            index = self._expr(0)
            self._expect("]")
            return Subscript(target, index)
        if token.text == "(" and isinstance(target, Attribute) and target.attr in METHODS:
            # A whitelisted Java method, implemented on plain values by `methods.py`, never looked up.
            return Method(target.target, target.attr, self._items(")"))
        # Calling through attributes or computed values would reach methods of arbitrary Python objects.
        raise Problem("Aufrufen lassen sich nur Funktionen mit einfachem Namen, z. B. heute(); "
                      "Methodenaufrufe sind nicht erlaubt.")

    def _comparison_ahead(self) -> tuple[str, int] | None:
        """The comparison operator at the current position and how many tokens it spans."""
        token = self._peek()
        if token.kind not in ("op", "name"):
            return None
        if token.text in _COMPARISONS:
            return _COMPARISONS[token.text], 1
        if token.text == "not" and self._at("in", ahead=1):
            return "not in", 2
        if token.text == "is":
            return ("is not", 2) if self._at("not", ahead=1) else ("is", 1)
        return None

    def _comparison(self, first: Node) -> Node:
        # Collected into one node so that 1 <= x <= 5 chains as in Python.
        ops: list[str] = []
        rest: list[Node] = []
        while (found := self._comparison_ahead()) is not None:
            op, width = found
            for _ in range(width):
                self._advance()
            ops.append(op)
            rest.append(self._singleton() if op in ("is", "is not") else self._expr(_BP_COMPARE))
        return Compare(first, tuple(ops), tuple(rest))

    def _singleton(self) -> Node:
        # Identity is only meaningful for null, true and false; `x is 3` would depend on CPython internals.
        token = self._advance()
        if token.kind == "name" and token.text in _CONSTANTS:
            return Const(_CONSTANTS[token.text])
        raise Problem("Nach 'is' bzw. 'is not' ist nur null, None, true oder false erlaubt.")

    def _bool_chain(self, op: str, spellings: tuple[str, ...], bp: int, first: Node) -> Node:
        values = [first]
        while self._at(*spellings):
            self._advance()
            values.append(self._expr(bp))
        return BoolOp(op, tuple(values))

    def _conditional(self, left: Node) -> Node:
        if self._advance().text == "?":
            then = self._expr(0)
            self._expect(":")
            return Conditional(left, then, self._expr(0))
        test = self._expr(_BP_CONDITIONAL)
        self._expect("else")
        return Conditional(test, left, self._expr(0))


def analyse(tree: Node) -> tuple[frozenset[str], frozenset[str]]:
    """Check size and depth of the tree and collect variable and function names, without recursion."""
    names: set[str] = set()
    functions: set[str] = set()
    for node in checked(tree, children, _MAX_NODES):
        if isinstance(node, Name):
            names.add(node.name)
        elif isinstance(node, Call):
            functions.add(node.function)
    return frozenset(names), frozenset(functions)


def parse(text: str) -> Node:
    if len(text) > MAX_SOURCE:
        raise Problem(f"Der Ausdruck ist zu lang ({len(text)} Zeichen, höchstens {MAX_SOURCE}).")
    inner, _ = unwrap(text)
    if not inner:
        raise Problem("Der Ausdruck ist leer.")
    return Parser(tokens_of(inner)).parse()
