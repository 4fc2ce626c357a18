"""Gateway conditions read as alternatives of simple comparisons (what the path explorer steers by)."""

from __future__ import annotations

import pytest

from engine.runtime.expressions import Atom, alternatives


def test_simple_comparisons_and_truth_tests() -> None:
    assert alternatives("${ergebnis == 'kein_plan'}") == [[Atom("ergebnis", "==", "kein_plan")]]
    assert alternatives("#{planVereinbart}") == [[Atom("planVereinbart", "==", True)]]
    assert alternatives("${!gewuenscht}") == [[Atom("gewuenscht", "==", False)]]
    assert alternatives("${x != null}") == [[Atom("x", "!=", None)]]
    assert alternatives("${n > -1}") == [[Atom("n", ">", -1)]]
    assert alternatives("${quote <= 0.5}") == [[Atom("quote", "<=", 0.5)]]
    assert alternatives("x == True") == [[Atom("x", "==", True)]]


def test_juel_word_operators() -> None:
    assert alternatives("${x eq 'y' or n lt 3}") == [[Atom("x", "==", "y")], [Atom("n", "<", 3)]]
    assert alternatives("${a ne 1 and b ge 2 and c le 3 and d gt 4}") == [
        [Atom("a", "!=", 1), Atom("b", ">=", 2), Atom("c", "<=", 3), Atom("d", ">", 4)]
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("${a || b && c}", [[Atom("a", "==", True)], [Atom("b", "==", True), Atom("c", "==", True)]]),
        ("${a && b || c}", [[Atom("a", "==", True), Atom("b", "==", True)], [Atom("c", "==", True)]]),
        # `not` binds below comparisons in the Python spelling, `!` tightly in JUEL.
        ("${not x == 'a' or b}", [[Atom("x", "!=", "a")], [Atom("b", "==", True)]]),
    ],
)
def test_precedence_is_the_parser_s(text: str, expected: list[list[Atom | None]]) -> None:
    assert alternatives(text) == expected


def test_texts_may_contain_operators() -> None:
    # The regular expression this replaces split at every || and && and lost both atoms.
    assert alternatives("${x == 'a || b'}") == [[Atom("x", "==", "a || b")]]
    assert alternatives("${x == \"a && b\" && y}") == [[Atom("x", "==", "a && b"), Atom("y", "==", True)]]
    assert alternatives("${x == '}'}") == [[Atom("x", "==", "}")]]


def test_parentheses_spread_into_alternatives() -> None:
    a, b, c = (Atom(name, "==", True) for name in "abc")
    assert alternatives("${(a || b) && c}") == [[a, c], [b, c]]
    assert alternatives("${(a && (b || c))}") == [[a, b], [a, c]]
    assert alternatives("${((a == 1))}") == [[Atom("a", "==", 1)]]


def test_negations_move_inward() -> None:
    assert alternatives("${!(n > 2)}") == [[Atom("n", "<=", 2)]]
    assert alternatives("${not (x == 'a')}") == [[Atom("x", "!=", "a")]]
    assert alternatives("${!(n <= 2) && !(m != 1)}") == [[Atom("n", ">", 2), Atom("m", "==", 1)]]
    assert alternatives("${not gewuenscht}") == [[Atom("gewuenscht", "==", False)]]
    assert alternatives("${!!a}") == [[Atom("a", "==", True)]]
    assert alternatives("${!(a && b)}") == [[Atom("a", "==", False)], [Atom("b", "==", False)]]
    assert alternatives("${!(a || b)}") == [[Atom("a", "==", False), Atom("b", "==", False)]]


@pytest.mark.parametrize(
    "text",
    [
        "${offeneSchritte(schritte) == 0}",  # a function call
        "${minderung.folge != 'keine'}",  # a dotted name
        "${a == b}",  # no literal
        "${n + 1 > 2}",  # arithmetic
        "${1 < x < 3}",  # a chained comparison
        "${x in [1, 2]}",
        "${x is null}",
        "${!a == 'x'}",  # (!a) == 'x'
        "${empty liste}",
        "${x == 'a' ? b : c}",
        "${!(f(x))}",
    ],
)
def test_other_parts_are_none(text: str) -> None:
    assert alternatives(text) == [[None]]


def test_unreadable_parts_keep_their_place() -> None:
    assert alternatives("${f(x) || y}") == [[None], [Atom("y", "==", True)]]
    assert alternatives("${a && x.y == 1}") == [[Atom("a", "==", True), None]]


def test_text_that_does_not_compile_or_spreads_too_far_is_none() -> None:
    assert alternatives("${kaputt ((}") == [[None]]
    assert alternatives("a = 1") == [[None]]
    # Six factors of two alternatives each spread into 64: still read; seven (128) are too many.
    six = " && ".join(f"(a{i} || b{i})" for i in range(6))
    assert len(alternatives(six)) == 64
    assert alternatives(f"{six} && (a6 || b6)") == [[None]]
