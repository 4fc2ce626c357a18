"""XPath regular expressions (as FEEL's `matches`, `replace` and `split` take them) translated to Python's `re`.

XPath differs in a few places that the TCK exercises: the `x` flag removes whitespace (outside
character classes) instead of allowing comments, `.` matches neither a newline nor a carriage
return, classes may subtract classes (`[A-Z-[OI]]`), `\\p{IsBasicLatin}` names a block, and a back
reference inside a class is an error. Patterns are size limited and nested quantifiers, the
classic way to make a backtracking matcher run for ever, refused; since a backtracking pattern needs no
nested quantifier (`(a|a)*b` takes seconds on 25 a's with `re`), patterns are compiled with the
`regex` package, whose matching takes a timeout (`re` cannot be interrupted), and a match that runs
longer than `MATCH_SECONDS` is stopped with a German reason.
"""

from __future__ import annotations

import re
from typing import Any

import regex

from engine.runtime.parsing import Problem

_MAX_PATTERN = 1000
MATCH_SECONDS = 1.0
_NESTED_QUANTIFIER = re.compile(r"\([^()]*[+*}][^()]*\)\s*[+*{]")
_SUBTRACTION = re.compile(r"\[([^\[\]]*)-\[([^\[\]]*)\]\]")
_BLOCKS = {"IsBasicLatin": "\\x00-\\x7F", "IsLatin-1Supplement": "\\x80-\\xFF"}
_PROPERTIES = {"L": "^\\W\\d_", "N": "\\d", "Lu": "A-Z", "Ll": "a-z"}


def _without_whitespace(pattern: str) -> str:
    """The `x` flag: whitespace outside classes goes, even right after a backslash (`hello\\ sworld`)."""
    out: list[str] = []
    in_class = False
    for index, char in enumerate(pattern):
        escaped = index > 0 and pattern[index - 1] == "\\" and (index < 2 or pattern[index - 2] != "\\")
        if char in " \t\n\r" and not in_class:
            continue
        if char == "[" and not escaped:
            in_class = True
        elif char == "]" and not escaped:
            in_class = False
        out.append(char)
    return "".join(out)


def _translate(pattern: str, dot_all: bool, extended: bool) -> str | None:
    if extended:
        pattern = _without_whitespace(pattern)
    pattern = _SUBTRACTION.sub(lambda match: f"(?:(?![{match[2]}])[{match[1]}])", pattern)
    out: list[str] = []
    in_class = False
    i = 0
    while i < len(pattern):
        char = pattern[i]
        if char == "\\" and i + 1 < len(pattern):
            following = pattern[i + 1]
            if in_class and following.isdigit():
                return None  # a back reference inside a class
            if following in "pP" and pattern[i + 2:i + 3] == "{":
                end = pattern.find("}", i)
                if end < 0:
                    return None
                name = "".join(pattern[i + 3:end].split())
                ranges = _BLOCKS.get(name) or _PROPERTIES.get(name)
                if ranges is None:
                    return None
                negated = following == "P"
                if ranges.startswith("^"):
                    ranges, negated = ranges[1:], not negated
                out.append(f"[{'^' if negated else ''}{ranges}]" if not in_class else ranges)
                i = end + 1
                continue
            out.append(pattern[i:i + 2])
            i += 2
            continue
        if char == "[" and not in_class:
            in_class = True
        elif char == "]" and in_class:
            in_class = False
        elif char == "." and not in_class and not dot_all:
            out.append("[^\\n\\r]")
            i += 1
            continue
        out.append(char)
        i += 1
    return "".join(out)


def compile_pattern(pattern: Any, flags: Any) -> regex.Pattern[str] | None:
    """The pattern compiled with XPath's flags (s, m, i, x, q); None where XPath would raise an error."""
    if not isinstance(pattern, str) or (flags is not None and not isinstance(flags, str)):
        return None
    if len(pattern) > _MAX_PATTERN or _NESTED_QUANTIFIER.search(pattern):
        return None
    options = regex.VERSION0  # `re`'s behaviour, which the translation above is written for
    for flag in flags or "":
        if flag == "i":
            options |= regex.IGNORECASE
        elif flag == "s":
            options |= regex.DOTALL
        elif flag == "m":
            options |= regex.MULTILINE
        elif flag not in "xq":
            return None
    flags = flags or ""
    if "q" in flags:
        translated: str | None = re.escape(pattern)
    else:
        translated = _translate(pattern, "s" in flags, "x" in flags)
    if translated is None:
        return None
    try:
        return regex.compile(translated, options)
    except (regex.error, re.error):
        return None


def timed(run: Any, *args: Any) -> Any:
    """Run a match method of a compiled pattern with the time limit."""
    try:
        return run(*args, timeout=MATCH_SECONDS)
    except TimeoutError:
        raise Problem(f"Der reguläre Ausdruck braucht zu lange (mehr als {MATCH_SECONDS:g} s); bitte "
                      "einfacher fassen.") from None
