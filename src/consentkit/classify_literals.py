"""Literal words behind regular expressions, for fast pre-screening. Pure.

Python's regular expressions try every alternative at every position of the text, so
a hundred snippet signatures cost a hundred scans of each inline script. The words a
signature cannot match without let one factored expression find, in a single scan,
the few signatures worth trying.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

_CLASS_ESCAPES = set("wWsSdDbBAZ0123456789")
_QUANTIFIERS = set("?*+{")
MIN_WORD = 3


def word_trie(words: Iterable[str]) -> str:
    """A regular expression matching any of ``words``, factored by common prefixes so that
    the engine compares one character per branch instead of trying every word. Where a
    word is a prefix of another, the shorter one is what matches."""
    trie: dict[str, Any] = {}
    for word in words:
        node = trie
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}

    def render(node: dict[str, Any]) -> str:
        if "" in node:
            return ""
        parts = [re.escape(char) + render(child) for char, child in sorted(node.items())]
        return parts[0] if len(parts) == 1 else "(?:" + "|".join(parts) + ")"

    return render(trie)


def required_words(pattern: str) -> tuple[str, ...] | None:
    """One literal word per top-level alternative of ``pattern`` that every match of that
    alternative contains, or ``None`` when some alternative has no such word of at least
    ``MIN_WORD`` characters (or the pattern uses inline flags)."""
    if "(?" in pattern.replace("(?:", ""):
        return None
    words: list[str] = []
    for alternative in _top_level_alternatives(pattern):
        runs = _literal_runs(alternative)
        best = max(runs, key=len, default="")
        if len(best) < MIN_WORD:
            return None
        words.append(best)
    return tuple(words)


def _top_level_alternatives(pattern: str) -> list[str]:
    parts: list[str] = []
    depth, start, index, in_class = 0, 0, 0, False
    while index < len(pattern):
        char = pattern[index]
        if char == "\\":
            index += 2
            continue
        if in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif char == "|" and depth == 0:
            parts.append(pattern[start:index])
            start = index + 1
        index += 1
    parts.append(pattern[start:])
    return parts


def _literal_runs(alternative: str) -> list[str]:
    """Runs of literal characters outside groups and classes that a match must contain."""
    runs: list[str] = []
    run = ""
    index = 0
    while index < len(alternative):
        char = alternative[index]
        if char == "\\" and index + 1 < len(alternative):
            escaped = alternative[index + 1]
            index += 2
            if escaped in _CLASS_ESCAPES:
                runs.append(run)
                run = ""
            else:
                run += escaped
            continue
        if char in _QUANTIFIERS:
            # The atom before "+" is there at least once; before "?", "*" or "{m,n}" it
            # may be absent (counting {m,n} as optional only loses a candidate word).
            runs.append(run if char == "+" else run[:-1])
            run = ""
            index = _skip_quantifier(alternative, index)
            continue
        if char in "([":
            runs.append(run)
            run = ""
            index = _skip_group(alternative, index)
            continue
        if char in ".^$)]|":
            runs.append(run)
            run = ""
        else:
            run += char
        index += 1
    runs.append(run)
    return [r for r in runs if r]


def _skip_quantifier(text: str, index: int) -> int:
    if text[index] == "{":
        end = text.find("}", index)
        index = len(text) if end < 0 else end
    index += 1
    if index < len(text) and text[index] in "?+":
        index += 1  # lazy or possessive
    return index


def _skip_group(text: str, index: int) -> int:
    """The index after the group or class that opens at ``index`` (and its quantifier)."""
    closing = {"(": ")", "[": "]"}[text[index]]
    depth, in_class = 0, False
    while index < len(text):
        char = text[index]
        if char == "\\":
            index += 2
            continue
        if closing == "]":
            if char == "]" and index > 0 and text[index - 1] != "[":
                break
        elif in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth == 0:
                break
        index += 1
    index += 1
    if index < len(text) and text[index] in _QUANTIFIERS:
        index = _skip_quantifier(text, index)
    return index
