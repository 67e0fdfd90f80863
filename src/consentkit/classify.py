"""Explainable classification of cookie names, URLs and inline scripts. Pure.

Precedence, first match wins:

1. consentkit's own consent cookie (always ``necessary``);
2. the site's policy rules;
3. the built-in catalogue;
4. name heuristics (``*session*``, ``*csrf*``, ``*locale*``, ``*lang*`` ...);
5. unknown (``category is None``): held back or allowed per ``Policy.unknown_cookies``.

Within one source an exact name beats the longest prefix, which beats a pattern.
Every answer is a :class:`Classification` that names the rule and its source.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

from .catalogue import load_catalogue
from .policy import NECESSARY, CookieRule, Policy, RuleSource, SnippetRule, TrackerRule

Source = RuleSource | str

_CACHE_LIMIT = 8192


@dataclass(frozen=True, slots=True)
class Classification:
    """What a cookie name, URL or snippet is for, and why."""

    subject: str
    category: str | None
    source: Source
    rule: str
    vendor: str = ""
    purpose: str = ""
    lifetime: str = ""
    kind: str = ""

    @property
    def known(self) -> bool:
        return self.category is not None

    def explain(self) -> str:
        what = self.category or "unknown"
        return f"{self.subject}: {what} by {self.rule}"


@dataclass(frozen=True, slots=True)
class Heuristic:
    pattern: str
    category: str
    purpose: str


HEURISTICS: tuple[Heuristic, ...] = (
    Heuristic(r"(?i).*(csrf|xsrf).*", NECESSARY, "Looks like a cross-site request forgery token."),
    Heuristic(r"(?i).*(sess|sid$|^sid|auth|login|token).*", NECESSARY,
              "Looks like a session or sign-in cookie."),
    Heuristic(r"(?i).*(locale|lang|language|i18n|currency|timezone|theme).*", "preferences",
              "Looks like a display preference."),
    Heuristic(r"(?i).*(consent|cookieconsent|cookie_?notice|gdpr).*", NECESSARY,
              "Looks like the record of a cookie choice."),
)


class _RuleSet:
    """Cookie rules of one source, indexed for fast lookup."""

    def __init__(self, rules: Iterable[CookieRule]) -> None:
        self.exact: dict[str, CookieRule] = {}
        prefixes: list[CookieRule] = []
        self.patterns: list[tuple[re.Pattern[str], CookieRule]] = []
        for rule in rules:
            if rule.name is not None:
                self.exact.setdefault(rule.name, rule)
            elif rule.prefix is not None:
                prefixes.append(rule)
            else:
                self.patterns.append((re.compile(rule.pattern or ""), rule))
        prefixes.sort(key=lambda r: len(r.prefix or ""), reverse=True)
        self.prefixes = [(r.prefix or "", r) for r in prefixes]
        # First characters of all prefixes: a name starting elsewhere skips the scan.
        self.prefix_starts = {p[:1] for p, _ in self.prefixes}

    def find(self, name: str) -> CookieRule | None:
        rule = self.exact.get(name)
        if rule is not None:
            return rule
        if name[:1] in self.prefix_starts:
            for prefix, candidate in self.prefixes:
                if name.startswith(prefix):
                    return candidate
        for compiled, candidate in self.patterns:
            if compiled.fullmatch(name):
                return candidate
        return None


class _TrackerIndex:
    """Tracker rules indexed by host; a rule for ``example.com`` covers its subdomains."""

    def __init__(self, rules: Iterable[TrackerRule]) -> None:
        self.by_host: dict[str, list[TrackerRule]] = {}
        for rule in rules:
            self.by_host.setdefault(rule.host.lower().lstrip("."), []).append(rule)
        for host_rules in self.by_host.values():
            # Rules with the longest path first; a rule without path last.
            host_rules.sort(key=lambda r: len(r.path or ""), reverse=True)

    def find(self, host: str, path: str) -> TrackerRule | None:
        labels = host.split(".")
        for start in range(len(labels) - 1):
            for rule in self.by_host.get(".".join(labels[start:]), ()):
                if rule.path is None or path.startswith(rule.path):
                    return rule
        return None


class Classifier:
    """Classifies cookie names, URLs and inline scripts under one policy.

    Build it once (at start-up); its methods are cheap and thread-safe.
    """

    def __init__(self, policy: Policy, *, consent_cookie: str = "consentkit") -> None:
        self.policy = policy
        self.consent_cookie = consent_cookie
        catalogue = load_catalogue() if policy.use_catalogue else None
        self._policy_rules = _RuleSet(policy.cookies)
        self._catalogue_rules = _RuleSet(catalogue.cookies if catalogue else ())
        self._heuristics = [(re.compile(h.pattern), h) for h in HEURISTICS]
        self._trackers = [_TrackerIndex(policy.trackers),
                          _TrackerIndex(catalogue.trackers if catalogue else ())]
        self._snippets: list[tuple[re.Pattern[str], SnippetRule]] = [
            (re.compile(rule.signature), rule)
            for rule in (*policy.snippets, *(catalogue.snippets if catalogue else ()))
        ]
        self._cookie_cache: dict[str, Classification] = {}

    # -- cookies -------------------------------------------------------------------------

    def cookie(self, name: str) -> Classification:
        """Classify a cookie by its name (cached)."""
        found = self._cookie_cache.get(name)
        if found is None:
            found = self.cookie_uncached(name)
            if len(self._cookie_cache) >= _CACHE_LIMIT:
                self._cookie_cache.clear()
            self._cookie_cache[name] = found
        return found

    def cookie_uncached(self, name: str) -> Classification:
        if name == self.consent_cookie:
            return Classification(name, NECESSARY, "consentkit", f'exact "{name}" (consentkit)',
                                  "consentkit", "Remembers the visitor's cookie choice.")
        for rules in (self._policy_rules, self._catalogue_rules):
            rule = rules.find(name)
            if rule is not None:
                return Classification(name, rule.category, rule.source, rule.describe(),
                                      rule.vendor, rule.purpose, rule.lifetime)
        for compiled, heuristic in self._heuristics:
            if compiled.fullmatch(name):
                return Classification(name, heuristic.category, "heuristic",
                                      f'heuristic "{heuristic.pattern}"', "", heuristic.purpose)
        return Classification(name, None, "unknown", "no rule matched")

    def cookie_rule(self, name: str) -> CookieRule | None:
        """The policy or catalogue rule for a cookie name (for its domain and path)."""
        return self._policy_rules.find(name) or self._catalogue_rules.find(name)

    # -- URLs and snippets ---------------------------------------------------------------

    def url(self, url: str) -> Classification:
        """Classify a URL (absolute or protocol-relative) by the tracker rules."""
        try:
            parts = urlsplit(url.strip() if url.startswith("//") else url.strip())
            host = (parts.hostname or "").lower()
        except ValueError:
            return Classification(url, None, "unknown", "not a valid URL")
        if not host:
            return Classification(url, None, "unknown", "relative URL")
        for index in self._trackers:
            rule = index.find(host, parts.path or "/")
            if rule is not None:
                return Classification(url, rule.category, rule.source, rule.describe(),
                                      rule.vendor, rule.purpose, kind=rule.kind)
        return Classification(url, None, "unknown", "no tracker rule matched")

    def inline_script(self, code: str) -> Classification:
        """Classify the code of an inline ``<script>`` by the snippet signatures."""
        for compiled, rule in self._snippets:
            if compiled.search(code):
                return Classification("inline script", rule.category, rule.source,
                                      rule.describe(), rule.vendor, rule.purpose, kind="script")
        return Classification("inline script", None, "unknown", "no snippet matched")

    def classify(self, subject: str) -> Classification:
        """A cookie name or a URL, whichever ``subject`` looks like (for the CLI)."""
        if "/" in subject or subject.startswith(("http:", "https:")):
            return self.url(subject if "//" in subject else "//" + subject)
        return self.cookie(subject)
