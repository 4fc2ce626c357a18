"""How FEEL text is cut into tokens: double-quoted texts, exact numbers, hints for other languages' operators."""

from __future__ import annotations

from decimal import Decimal

from engine.runtime.parsing import MAX_NUMBER, Lexicon, Problem, Token, clip, scan_number, tokenize

# Longest first, so that ".." is not read as two "." and "<=" not as "<" followed by "=".
_OPERATORS = ("..", "<=", ">=", "!=", "=", "<", ">", "+", "-", "*", "/", "(", ")", "[", "]", ",", ".", "?")
# Texts only in double quotes; \uXXXX is read too (see the lexicon below).
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


def _read_number(source: str, start: int) -> Token:
    whole, end = scan_number(source, start)
    text = source[start:end]
    # Checking the length first keeps int() and Decimal() away from very long digit strings.
    if whole - start > 31 or end - whole > 35:
        raise Problem(f"Die Zahl an Stelle {start + 1} ist zu lang.")
    value: int | Decimal = int(text) if end == whole else Decimal(text)
    if value > MAX_NUMBER:
        raise Problem(f"Die Zahl an Stelle {start + 1} ist zu groß (höchstens 10^30).")
    if end < len(source) and (source[end].isalpha() or source[end] == "_"):
        raise Problem(f"Nach der Zahl an Stelle {start + 1} folgt unmittelbar ein Buchstabe; "
                      "Texte stehen in doppelten Anführungszeichen.")
    return Token("number", text, start, value)


def _is_name_char(char: str) -> bool:
    return char.isalnum() or char == "_"


def _check_name(name: str) -> None:
    if name.startswith("_"):
        # __import__, __class__ and friends are the classic ways out of a Python sandbox.
        raise Problem(f"Namen mit Unterstrich am Anfang sind nicht erlaubt: '{clip(name)}'.")


# The tokenizer loop is shared (engine/runtime/parsing.py); the lexicon, alike in shape for both
# languages on purpose, is each language's own.
LEXICON = Lexicon(
    operators=_OPERATORS,
    quotes='"',
    escapes=_ESCAPES,
    number=_read_number,
    name_char=_is_name_char,
    character_hints=_CHARACTER_HINTS,
    refused_operators=_OPERATOR_HINTS,
    check_name=_check_name,
    unicode_escapes=True,
)


def tokens_of(source: str) -> list[Token]:
    return tokenize(source, LEXICON)
