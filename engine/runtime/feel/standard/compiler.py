"""Standard FEEL text compiled into evaluators (closures over an `Env`): expressions and unary tests.

A recursive-descent parser over the shared tokenizer; names with spaces (`Employment Status`,
`date and time`) are read by matching the longest name the surrounding model declares, as the
specification's grammar leaves it to the names in scope. Each grammar rule returns a closure, so
an expression is parsed once (per deployment) and evaluating it is a chain of Python calls.
Nothing reaches eval or exec; text size, nesting depth and, at run time, steps, time and result
sizes are bounded.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from engine.runtime.feel.standard import operators as op
from engine.runtime.feel.standard.lexer import (
    ALWAYS_KNOWN,
    BUILTIN_TYPES,
    KEYWORDS,
    code_points,
    first_word,
    squeeze,
    tokens_of,
)
from engine.runtime.feel.standard.scope import Env
from engine.runtime.feel.standard.values import Function, all_of, any_of, checked_list, equal
from engine.runtime.parsing import Cursor, Problem, Token, shown

Evaluator = Callable[[Env], Any]
TypeResolver = Callable[[str], Callable[[Any], bool] | None]
MAX_SOURCE = 50_000

class Parser(Cursor):
    def __init__(self, source: str, names: Iterable[str], types: TypeResolver | None = None) -> None:
        super().__init__(tokens_of(source))
        self._source = source
        self._scopes: list[set[str]] = [{name for name in names if name} | ALWAYS_KNOWN]
        self._types = types
        self._range_end = False  # reading the upper end of a range: in `[1..10[` the '[' closes it
        self._index_of_names: dict[str, list[str]] | None = None
        self._squeezed: tuple[str, list[int], list[int]] | None = None
        self.uses_input = False

    # ------------------------------------------------------------ names

    def _known(self) -> Iterable[str]:
        for scope in self._scopes:
            yield from scope

    def _name_end(self, start: int, name: str) -> int:
        """Where a declared name written from `start` ends (any whitespace between its words), or -1."""
        if self._source.startswith(name, start):
            return start + len(name)
        if " " not in name:
            return -1
        if self._squeezed is None:
            self._squeezed = squeeze(self._source)
        text, to_squeezed, to_source = self._squeezed
        at = to_squeezed[start]
        return to_source[at + len(name)] if text.startswith(name, at) else -1

    def _candidates(self, word: str) -> Iterable[str]:
        """Declared names that may start with this word (the model's names are indexed once per parser)."""
        if self._index_of_names is None:
            index: dict[str, list[str]] = {}
            for name in self._scopes[0]:
                index.setdefault(first_word(name), []).append(name)
            self._index_of_names = index
        yield from self._index_of_names.get(first_word(word), ())
        for scope in self._scopes[1:]:
            yield from scope

    def _name(self) -> str:
        """The longest declared name starting at the current name token, else the single word."""
        token = self._advance()
        best, best_end = token.text, token.pos + len(token.text)
        for name in self._candidates(token.text):
            if len(name) <= len(best):
                continue
            end = self._name_end(token.pos, name)
            if end >= 0 and (end == len(self._source) or not (self._source[end].isalnum() or self._source[end] == "_")):
                best, best_end = name, end
        while self._peek().kind != "end" and self._peek().pos < best_end:
            self._advance()
        return best

    # ------------------------------------------------------------ unary tests

    def unary_tests(self) -> Callable[[Any, Env], bool | None]:
        if self._at("-") and self._peek(1).kind == "end":
            return lambda value, env: True
        negated = False
        if self._at("not") and self._at("(", ahead=1):
            start = self._index
            self._advance()
            self._advance()
            tests = self._positive_tests(")")
            if self._peek().kind == "end":
                return lambda value, env: op.negate(tests(value, env))
            self._index = start
        tests = self._positive_tests("")
        if self._peek().kind != "end":
            raise self._unexpected(self._peek())
        return (lambda value, env: op.negate(tests(value, env))) if negated else tests

    def _positive_tests(self, closing: str) -> Callable[[Any, Env], bool | None]:
        items = [self._positive_test()]
        while self._at(","):
            self._advance()
            items.append(self._positive_test())
        if closing:
            self._expect(closing)

        def tests(value: Any, env: Env) -> bool | None:
            results = []
            for item in items:
                result = item(value, env)
                if result is True:
                    return True
                results.append(result)
            return any_of(results)
        return tests

    def _positive_test(self) -> Callable[[Any, Env], bool | None]:
        if self._at("=", "!="):
            negate = self._advance().text == "!="
            right = self._additive()

            def equality(value: Any, env: Env) -> bool | None:
                same = equal(value, right(env))
                return op.negate(same) if negate else same
            return equality
        before = self.uses_input
        self.uses_input = False
        node = self.expression()
        uses_input, self.uses_input = self.uses_input, before

        def test(value: Any, env: Env) -> bool | None:
            inner = env.child({"?": value})
            result = node(inner)
            if uses_input:
                return result if isinstance(result, bool) else None
            return op.matches(value, result)
        return test

    # ------------------------------------------------------------ expressions

    def whole(self) -> Evaluator:
        node = self.expression()
        if self._peek().kind != "end":
            raise self._unexpected(self._peek())
        return node

    @staticmethod
    def _unexpected(token: Token) -> Problem:
        if token.kind == "end":
            return Problem("Der Ausdruck endet unerwartet.")
        return Problem(f"Unerwartetes {shown(token)} an Stelle {token.pos + 1}.")

    def expression(self) -> Evaluator:
        self._enter()
        try:
            if self._at("if"):
                return self._if()
            if self._at("for") and self._peek(1).kind == "name" and not self._at("(", ahead=1):
                return self._for()
            if self._at("some", "every") and self._peek(1).kind == "name" and not self._at("(", ahead=1):
                return self._quantified()
            if self._at("function") and self._at("(", ahead=1):
                return self._function()
            return self._disjunction()
        finally:
            self._leave()

    def _if(self) -> Evaluator:
        self._advance()
        test = self.expression()
        self._expect("then")
        then = self.expression()
        self._expect("else")
        other = self.expression()
        return lambda env: then(env) if test(env) is True else other(env)

    def _iteration_contexts(self, keyword: str) -> list[tuple[str, Evaluator]]:
        self._advance()
        contexts: list[tuple[str, Evaluator]] = []
        names: set[str] = set()
        self._scopes.append(names)
        while True:
            name = self._name()
            self._expect("in")
            domain = self.expression()
            if self._at(".."):
                self._advance()
                domain = _integers(domain, self.expression())
            contexts.append((name, domain))
            names.add(name)
            if not self._at(","):
                break
            self._advance()
        self._expect(keyword)
        return contexts

    def _for(self) -> Evaluator:
        contexts = self._iteration_contexts("return")
        self._scopes[-1].add("partial")
        body = self.expression()
        self._scopes.pop()

        def run(env: Env) -> Any:
            results: list[Any] = []
            for layer in op.combinations(contexts, env):
                if layer is None:
                    return None
                env.budget.step()
                layer["partial"] = results
                results.append(body(env.child(layer)))
                checked_list(results)
            return results
        return run

    def _quantified(self) -> Evaluator:
        every = self._peek().text == "every"
        contexts = self._iteration_contexts("satisfies")
        body = self.expression()
        self._scopes.pop()

        def run(env: Env) -> Any:
            results = []
            for layer in op.combinations(contexts, env):
                if layer is None:
                    return None
                env.budget.step()
                results.append(body(env.child(layer)))
            return all_of(results) if every else any_of(results)
        return run

    def _function(self) -> Evaluator:
        self._advance()
        self._expect("(")
        params: list[str] = []
        checks: dict[str, Callable[[Any], bool]] = {}
        while not self._at(")"):
            params.append(self._name())
            if self._at(":"):
                self._advance()
                checks[params[-1]] = self._type()
            if not self._at(","):
                break
            self._advance()
        self._expect(")")
        if self._at("external"):
            raise Problem("Externe Funktionen (Java, PMML) werden nicht unterstützt.")
        self._scopes.append(set(params))
        body = self.expression()
        self._scopes.pop()
        names = tuple(params)
        if not checks:
            return lambda env: Function("anonymous", names, lambda args: body(env.child(args)), budget=env.budget)

        def typed(env: Env) -> Function:
            def call(args: dict[str, Any]) -> Any:
                if any(args.get(name) is not None and not check(args.get(name)) for name, check in checks.items()):
                    return None  # an argument of the wrong type for a typed parameter
                return body(env.child(args))
            return Function("anonymous", names, call, budget=env.budget)
        return typed

    def _disjunction(self) -> Evaluator:
        left = self._conjunction()
        while self._at("or"):
            self._advance()
            left = op.logic_or(left, self._conjunction())
        return left

    def _conjunction(self) -> Evaluator:
        left = self._comparison()
        while self._at("and"):
            self._advance()
            left = op.logic_and(left, self._comparison())
        return left

    def _comparison(self) -> Evaluator:
        left = self._additive()
        while True:
            token = self._peek()
            if token.kind == "op" and token.text in op.COMPARISONS:
                self._advance()
                left = op.comparison(token.text, left, self._additive())
            elif self._at("between"):
                self._advance()
                low = self._additive()
                self._expect("and")
                left = op.between(left, low, self._additive())
            elif self._at("in"):
                self._advance()
                left = self._in(left)
            elif self._at("instance") and self._at("of", ahead=1):
                self._advance()
                self._advance()
                left = op.instance_of(left, self._type())
            else:
                return left

    def _in(self, left: Evaluator) -> Evaluator:
        if self._at("(") and self._top_level_comma():
            self._advance()
            tests = self._positive_tests(")")
        else:
            tests = self._positive_test()
        return lambda env: tests(left(env), env)

    def _top_level_comma(self) -> bool:
        level = 0
        for token in self._tokens[self._index:]:
            if token.kind == "op" and token.text in ("(", "[", "{"):
                level += 1
            elif token.kind == "op" and token.text in (")", "]", "}"):
                level -= 1
                if level <= 0:
                    return False
            elif level == 1 and token.kind == "op" and token.text == ",":
                return True
        return False

    def _type(self) -> Callable[[Any], bool]:
        name = self._name()
        if name in ("list", "range") and self._at("<"):
            self._advance()
            inner = self._type()
            self._expect(">")
            return op.collection_type(name, inner)
        if name == "context" and self._at("<"):
            self._advance()
            fields: dict[str, Callable[[Any], bool]] = {}
            while not self._at(">"):
                key = self._name()
                self._expect(":")
                fields[key] = self._type()
                if not self._at(","):
                    break
                self._advance()
            self._expect(">")
            return op.context_type(fields)
        if name == "function" and self._at("<"):
            self._advance()
            while not self._at(">"):
                self._type()
                if not self._at(","):
                    break
                self._advance()
            self._expect(">")
            if self._at("-") and self._at(">", ahead=1):
                self._advance()
                self._advance()
                self._type()
            return lambda value: isinstance(value, Function)
        if self._types is not None and name not in BUILTIN_TYPES:
            resolved = self._types(name)
            if resolved is not None:
                return resolved
        return op.named_type(name)

    def _additive(self) -> Evaluator:
        left = self._multiplicative()
        while self._at("+", "-"):
            symbol = self._advance().text
            left = op.arithmetic(symbol, left, self._multiplicative())
        return left

    def _multiplicative(self) -> Evaluator:
        left = self._power()
        while self._at("*", "/"):
            symbol = self._advance().text
            left = op.arithmetic(symbol, left, self._power())
        return left

    def _power(self) -> Evaluator:
        left = self._unary()
        while self._at("**"):
            self._advance()
            left = op.arithmetic("**", left, self._unary())
        return left

    def _unary(self) -> Evaluator:
        if self._at("-"):
            self._advance()
            self._enter()
            operand = self._unary()
            self._leave()
            return lambda env: op.negative(operand(env))
        return self._postfix(self._primary())

    def _postfix(self, node: Evaluator) -> Evaluator:
        while True:
            if self._at("."):
                self._advance()
                if self._peek().kind != "name":
                    raise self._unexpected(self._peek())
                node = op.path(node, self._name())
            elif self._at("[") and not self._range_end:
                self._advance()
                self._scopes.append({"item"})
                index = self.expression()
                self._scopes.pop()
                self._expect("]")
                node = op.filtered(node, index)
            elif self._at("("):
                self._advance()
                node = self._call(node)
            else:
                return node

    def _call(self, function: Evaluator) -> Evaluator:
        positional: list[Evaluator] = []
        named: dict[str, Evaluator] = {}
        while not self._at(")"):
            if self._peek().kind == "name" and self._named_argument_ahead():
                key = self._key_words()
                self._expect(":")
                named[key] = self.expression()
            else:
                positional.append(self.expression())
            if not self._at(","):
                break
            self._advance()
        self._expect(")")
        if named and positional:
            raise Problem("Benannte und positionelle Argumente lassen sich nicht mischen.")
        return op.call(function, tuple(positional), named if named else None)

    def _named_argument_ahead(self) -> bool:
        ahead = 0
        while self._peek(ahead).kind == "name":
            ahead += 1
        return ahead > 0 and self._at(":", ahead=ahead)

    def _primary(self) -> Evaluator:
        token = self._peek()
        if token.kind == "number":
            self._advance()
            value = token.value
            return lambda env: value
        if token.kind == "string":
            self._advance()
            text = code_points(token.value)
            return lambda env: text
        if token.kind == "op":
            return self._primary_op(token)
        if token.kind == "name":
            if token.text in ("true", "false", "null"):
                self._advance()
                constant = {"true": True, "false": False, "null": None}[token.text]
                return lambda env: constant
            if token.text == "function" and self._at("(", ahead=1):
                return self._function()
            if token.text in ("if", "for", "some", "every"):
                return self.expression()
            if token.text in KEYWORDS - {"not"} and token.text not in self._first_words():
                raise self._unexpected(token)
            name = self._name()
            if "." in name:
                return op.dotted(name)
            return lambda env: env.lookup(name)
        raise self._unexpected(token)

    def _first_words(self) -> set[str]:
        return {name.split(" ")[0] for name in self._known()}

    def _primary_op(self, token: Token) -> Evaluator:
        text = token.text
        if text == "@":
            self._advance()
            literal = self._advance()
            if literal.kind != "string":
                raise Problem(f"Nach '@' wird ein Text erwartet (Stelle {token.pos + 1}).")
            value = op.temporal_literal(literal.value)
            return lambda env: value
        if text == "?":
            self._advance()
            self.uses_input = True
            return lambda env: env.lookup("?")
        if text in ("<", "<=", ">", ">=", "=", "!="):
            self._advance()
            end = self._additive()
            return op.open_range(text, end)
        if text == "{":
            return self._context()
        if text in ("(", "[", "]"):
            return self._bracket()
        raise self._unexpected(token)

    def _bracket(self) -> Evaluator:
        opening = self._advance().text
        if opening == "[" and self._at("]"):
            self._advance()
            return lambda env: []
        self._enter()
        outer, self._range_end = self._range_end, False
        first = self.expression()
        if self._at(".."):
            self._advance()
            self._range_end = True
            high = self.expression()
            self._range_end = outer
            closing = self._advance()
            if closing.kind != "op" or closing.text not in ("]", ")", "["):
                raise Problem(f"Ein Bereich endet mit ']', ')' oder '[' (Stelle {closing.pos + 1}).")
            self._leave()
            low_closed, high_closed = opening == "[", closing.text == "]"
            return lambda env: op.make_range(first(env), high(env), low_closed, high_closed)
        self._range_end = outer
        if opening == "(":
            self._expect(")")
            self._leave()
            return first
        if opening == "]":
            raise Problem("Ein Bereich ']a..b' braucht '..'.")
        items = [first]
        while self._at(","):
            self._advance()
            if self._at("]"):
                break
            items.append(self.expression())
        self._expect("]")
        self._leave()
        return lambda env: [item(env) for item in items]

    def _context(self) -> Evaluator:
        self._advance()
        self._enter()
        entries: list[tuple[str, Evaluator]] = []
        names: set[str] = set()
        self._scopes.append(names)
        while not self._at("}"):
            key_token = self._peek()
            if key_token.kind == "string":
                self._advance()
                key = str(key_token.value)
            elif key_token.kind == "name":
                key = self._key_words()
            else:
                raise self._unexpected(key_token)
            self._expect(":")
            entries.append((key, self.expression()))
            names.add(key)
            if not self._at(","):
                break
            self._advance()
        self._expect("}")
        self._scopes.pop()
        self._leave()
        if len({key for key, _ in entries}) != len(entries):
            raise Problem("Ein Kontext hat einen Schlüssel doppelt.")
        return op.context(tuple(entries))

    def _key_words(self) -> str:
        """A context key: every word up to the ':' (keys may have spaces and keywords)."""
        start = self._peek().pos
        end = start
        while self._peek().kind != "end" and not self._at(":"):
            token = self._advance()
            end = token.pos + len(token.text)
        return " ".join(self._source[start:end].split())


def _integers(low: Evaluator, high: Evaluator) -> Evaluator:
    return lambda env: op.integer_range(low(env), high(env))


def compile_expression(source: str, names: Iterable[str] = (), types: TypeResolver | None = None) -> Evaluator:
    """A standard FEEL expression compiled; raises Problem (German reason) if it is refused.

    `names` are the names in scope (for names with spaces); `types` resolves a model's item
    definitions for `instance of`.
    """
    return Parser(_checked(source), names, types).whole()


def compile_tests(source: str, names: Iterable[str] = (),
                  types: TypeResolver | None = None) -> Callable[[Any, Env], bool | None]:
    """An input entry (unary tests) compiled: a test of the input value in an environment."""
    text = _checked(source).strip()
    if text in ("", "-"):
        return lambda value, env: True
    return Parser(text, names, types).unary_tests()


def _checked(source: str) -> str:
    if len(source) > MAX_SOURCE:
        raise Problem(f"Der Ausdruck ist zu lang ({len(source)} Zeichen, höchstens {MAX_SOURCE}).")
    if not source.strip():
        raise Problem("Der Ausdruck ist leer.")
    return source
