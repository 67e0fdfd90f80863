"""The built-in catalogue of known cookies, trackers and inline snippets.

The rules live in TOML data files beside this module (``data/*.toml``), each with arrays
``[[cookies]]``, ``[[trackers]]`` and ``[[snippets]]`` in the same format as a site's
policy file. They are read once, on first use.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources

from ..policy import CookieRule, SnippetRule, TrackerRule
from ..policy_file import cookie_rule, parse_rules, snippet_rule, tracker_rule


@dataclass(frozen=True)
class Catalogue:
    cookies: tuple[CookieRule, ...]
    trackers: tuple[TrackerRule, ...]
    snippets: tuple[SnippetRule, ...]
    files: tuple[str, ...]


@cache
def load_catalogue() -> Catalogue:
    """The built-in catalogue (cached: the files are read once per process)."""
    cookies: list[CookieRule] = []
    trackers: list[TrackerRule] = []
    snippets: list[SnippetRule] = []
    names: list[str] = []
    folder = resources.files(__package__).joinpath("data")
    for entry in sorted(folder.iterdir(), key=lambda item: item.name):
        if not entry.name.endswith(".toml"):
            continue
        names.append(entry.name)
        data = tomllib.loads(entry.read_text("utf-8"))
        where = f"catalogue/{entry.name}"
        cookies += parse_rules(data, "cookies", cookie_rule, where, "catalogue")
        trackers += parse_rules(data, "trackers", tracker_rule, where, "catalogue")
        snippets += parse_rules(data, "snippets", snippet_rule, where, "catalogue")
    return Catalogue(tuple(cookies), tuple(trackers), tuple(snippets), tuple(names))
