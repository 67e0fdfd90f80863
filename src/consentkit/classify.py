"""Explainable classification of cookie names, URLs and inline scripts. Pure.

Precedence, first match wins:

1. consentkit's own consent cookie (always ``necessary``);
2. the site's policy rules (any policy rule beats any catalogue rule);
3. the built-in catalogue;
4. name heuristics (``*csrf*``, ``*consent*``, ``*session*``, ``*lang*`` ...);
5. unknown (``category is None``): held back or allowed per ``Policy.unknown_cookies``.

Within one source an exact name beats the longest prefix, which beats a pattern.
An inline script that matches several catalogue signatures is classed by the most
restrictive of them (the last in the policy's category order), so that a consent-manager
call next to a tracking tag does not let the tag through.
Every answer is a :class:`Classification` that names the rule and its source.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import NamedTuple
from urllib.parse import urlsplit

from .catalogue import load_catalogue
from .classify_literals import required_words, word_trie
from .policy import NECESSARY, CookieRule, Policy, RuleSource, SnippetRule, TrackerRule

Source = RuleSource | str

_CACHE_LIMIT = 8192
_SCRIPT_CACHE_LIMIT = 256
_SCRIPT_CACHE_MAX_CHARS = 16384
_BACKREFERENCE = re.compile(r"\\[1-9]|\(\?P=")


class Classification(NamedTuple):
    """What a cookie name, URL or snippet is for, and why.

    A named tuple rather than a dataclass: one is built for every uncached name, and a
    tuple is several times cheaper to build than a frozen dataclass.
    """

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


# Every field of a cookie answer but its subject, in field order.
_Answer = tuple[str | None, Source, str, str, str, str, str]
# Builds a Classification from a ready tuple without a Python-level __new__ call.
_new_answer = tuple.__new__
_UNKNOWN: _Answer = (None, "unknown", "no rule matched", "", "", "", "")


@dataclass(frozen=True, slots=True)
class Heuristic:
    """A guess from the words in a cookie name.

    ``words`` are looked for in the name lower-cased, with ``.`` and ``-`` turned into
    ``_`` and a ``_`` added at both ends, so that ``_ad_`` means the whole word "ad".
    """

    words: tuple[str, ...]
    category: str
    purpose: str

    @property
    def pattern(self) -> str:
        return "|".join(self.words)


# Order matters: the first heuristic whose words occur in the name wins. Consent records
# and CSRF tokens come first (they never track); words that say "advertising" or
# "measurement" come before "session", so that ``ad_session`` is held back.
HEURISTICS: tuple[Heuristic, ...] = (
    Heuristic(("csrf", "xsrf"), NECESSARY, "Looks like a cross-site request forgery token."),
    Heuristic(("consent", "gdpr", "ccpa", "cookie_notice", "cookienotice", "cookie_policy",
               "cookiepolicy", "cookie_law", "cookielaw", "cookies_accepted",
               "cookie_accepted"),
              NECESSARY, "Looks like the record of a cookie choice."),
    Heuristic(("advert", "retarget", "affiliate", "gclid", "fbclid", "msclkid", "pixel",
               "_ad_", "_ads_"),
              "marketing", "Looks like an advertising or campaign cookie."),
    Heuristic(("analytic", "track", "_utm", "_stat_", "_stats_", "_metric_", "_metrics_",
               "visitorid", "visitor_id"),
              "analytics", "Looks like a measurement cookie."),
    Heuristic(("sess", "_sid_", "auth", "login", "token", "jwt", "remember"), NECESSARY,
              "Looks like a session or sign-in cookie."),
    Heuristic(("locale", "lang", "i18n", "currency", "timezone", "theme", "darkmode",
               "dark_mode", "country", "region"),
              "preferences", "Looks like a display preference."),
)


class _Heuristics:
    """The heuristics in order, behind one expression of all their words: most unknown
    names contain none of them and cost a single scan."""

    def __init__(self, heuristics: Sequence[Heuristic]) -> None:
        self.heuristics = tuple(heuristics)
        self.any_word = re.compile(word_trie(w for h in heuristics for w in h.words))

    def find(self, name: str) -> Heuristic | None:
        words = "_" + name.lower().replace(".", "_").replace("-", "_") + "_"
        if self.any_word.search(words) is None:
            return None
        for heuristic in self.heuristics:
            for word in heuristic.words:
                if word in words:
                    return heuristic
        return None


def _combined(patterns: Sequence[str]) -> re.Pattern[str] | None:
    """One alternation of ``patterns`` used as a fast pre-check (``None`` if it cannot be
    built safely, e.g. a pattern uses a back-reference that would be renumbered)."""
    if not patterns or any(_BACKREFERENCE.search(p) for p in patterns):
        return None
    try:
        return re.compile("|".join(f"(?:{p})" for p in patterns))
    except re.error:
        return None


class _RuleSet:
    """Cookie rules of one source, indexed for fast lookup.

    Exact names are a dictionary. Prefixes are bucketed by their first ``width``
    characters (the length of the shortest prefix), longest first within a bucket, so a
    name is compared with a handful of prefixes at most. Patterns are tried through one
    combined expression first, and one by one only when that matches.
    """

    def __init__(self, rules: Iterable[CookieRule]) -> None:
        self.exact: dict[str, CookieRule] = {}
        prefixes: list[CookieRule] = []
        patterns: list[CookieRule] = []
        for rule in rules:
            if rule.name is not None:
                self.exact.setdefault(rule.name, rule)
            elif rule.prefix is not None:
                prefixes.append(rule)
            else:
                patterns.append(rule)
        prefixes.sort(key=lambda r: len(r.prefix or ""), reverse=True)
        self.width = min((len(r.prefix or "") for r in prefixes), default=0)
        self.buckets: dict[str, list[tuple[str, CookieRule]]] = {}
        for rule in prefixes:
            prefix = rule.prefix or ""
            self.buckets.setdefault(prefix[: self.width], []).append((prefix, rule))
        self.patterns = [(re.compile(r.pattern or ""), r) for r in patterns]
        self.any_pattern = _combined([r.pattern or "" for r in patterns])

    def find(self, name: str) -> CookieRule | None:
        rule = self.exact.get(name)
        if rule is not None:
            return rule
        return self.find_inexact(name)

    def find_inexact(self, name: str) -> CookieRule | None:
        """The longest prefix, else the first pattern, that matches ``name``."""
        if self.buckets:
            bucket = self.buckets.get(name[: self.width])
            if bucket is not None:
                for prefix, candidate in bucket:
                    if name.startswith(prefix):
                        return candidate
        if self.patterns:
            if self.any_pattern is not None and self.any_pattern.fullmatch(name) is None:
                return None
            for compiled, candidate in self.patterns:
                if compiled.fullmatch(name):
                    return candidate
        return None


class _TrackerIndex:
    """Tracker rules indexed by host; a rule for ``example.com`` covers its subdomains."""

    def __init__(self, rules: Iterable[TrackerRule]) -> None:
        self.by_host: dict[str, list[TrackerRule]] = {}
        for rule in rules:
            self.by_host.setdefault(rule.host.lower().strip("."), []).append(rule)
        for host_rules in self.by_host.values():
            # Rules with the longest path first; a rule without path last.
            host_rules.sort(key=lambda r: len(r.path or ""), reverse=True)

    def find(self, host: str, path: str) -> TrackerRule | None:
        if not self.by_host:
            return None
        labels = host.split(".")
        for start in range(len(labels) - 1):
            for rule in self.by_host.get(".".join(labels[start:]), ()):
                if rule.path is None or path.startswith(rule.path):
                    return rule
        return None


class _SnippetSet:
    """Snippet signatures of one source. Each signature's required words (see
    :mod:`consentkit.classify_literals`) are found together in one scan of the code; only
    the signatures whose words occur are then tried, in their order."""

    def __init__(self, rules: Iterable[SnippetRule]) -> None:
        self.rules = [(re.compile(rule.signature), rule) for rule in rules]
        self.always: set[int] = set()
        owners: dict[str, set[int]] = {}
        for index, (_, rule) in enumerate(self.rules):
            words = required_words(rule.signature)
            if words is None:
                self.always.add(index)
            for word in words or ():
                owners.setdefault(word, set()).add(index)
        # The factored expression reports the shortest word where one word starts
        # another, so each word also stands for the signatures of the words it starts.
        self.owners = {word: {index for other, indexes in owners.items()
                              if other.startswith(word) for index in indexes}
                       for word in owners}
        self.screen = re.compile(f"(?=({word_trie(owners)}))") if owners else None

    def matches(self, code: str) -> list[SnippetRule]:
        if not self.rules:
            return []
        candidates = set(self.always)
        if self.screen is not None:
            for found in {match.group(1) for match in self.screen.finditer(code)}:
                candidates |= self.owners.get(found, set())
        return [rule for index, (compiled, rule) in enumerate(self.rules)
                if index in candidates and compiled.search(code)]


class Classifier:
    """Classifies cookie names, URLs and inline scripts under one policy.

    Build it once (at start-up); its methods are cheap and thread-safe.
    """

    def __init__(self, policy: Policy, *, consent_cookie: str = "consentkit") -> None:
        self.policy = policy
        self.consent_cookie = consent_cookie
        catalogue = load_catalogue() if policy.use_catalogue else None
        catalogue_cookies = catalogue.cookies if catalogue else ()
        self._policy_rules = _RuleSet(policy.cookies)
        self._catalogue_rules = _RuleSet(catalogue_cookies)
        # What an answer says besides its subject, worked out once per rule. Exact names of
        # both sources share one dictionary, each resolved by the precedence above (a policy
        # prefix beats a catalogue exact name), so a known name costs one lookup.
        answers: dict[int, _Answer] = {
            id(rule): (rule.category, rule.source, rule.describe(), rule.vendor, rule.purpose,
                       rule.lifetime, "")
            for rule in (*policy.cookies, *catalogue_cookies)
        }
        self._answers = answers
        exact = {name: self._policy_rules.find(name) or rule
                 for name, rule in self._catalogue_rules.exact.items()}
        exact.update(self._policy_rules.exact)
        self._exact_answers = {name: answers[id(rule)] for name, rule in exact.items()}
        self._exact_answers[consent_cookie] = (
            NECESSARY, "consentkit", f'exact "{consent_cookie}" (consentkit)', "consentkit",
            "Remembers the visitor's cookie choice.", "", "")
        self._heuristics = _Heuristics(HEURISTICS)
        self._heuristic_answers: dict[Heuristic, _Answer] = {
            h: (h.category, "heuristic", f'heuristic "{h.pattern}"', "", h.purpose, "", "")
            for h in HEURISTICS
        }
        self._trackers = [_TrackerIndex(policy.trackers),
                          _TrackerIndex(catalogue.trackers if catalogue else ())]
        self._policy_snippets = _SnippetSet(policy.snippets)
        self._catalogue_snippets = _SnippetSet(catalogue.snippets if catalogue else ())
        self._strictness = {name: rank for rank, name in enumerate(policy.category_names)}
        self._cookie_cache: dict[str, Classification] = {}
        self._script_cache: dict[str, Classification] = {}

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
        answer = self._exact_answers.get(name)
        if answer is None:
            rule = (self._policy_rules.find_inexact(name)
                    or self._catalogue_rules.find_inexact(name))
            if rule is not None:
                answer = self._answers[id(rule)]
            else:
                heuristic = self._heuristics.find(name)
                answer = (_UNKNOWN if heuristic is None
                          else self._heuristic_answers[heuristic])
        return _new_answer(Classification, (name, *answer))

    def cookie_rule(self, name: str) -> CookieRule | None:
        """The policy or catalogue rule for a cookie name (for its domain and path)."""
        return self._policy_rules.find(name) or self._catalogue_rules.find(name)

    # -- URLs and snippets ---------------------------------------------------------------

    def url(self, url: str) -> Classification:
        """Classify a URL (absolute or protocol-relative) by the tracker rules."""
        try:
            parts = urlsplit(url.strip())
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
        """Classify the code of an inline ``<script>`` by the snippet signatures: the first
        policy signature that matches, else the most restrictive catalogue match.

        Pages repeat the same inline scripts on every request, so answers for scripts up to
        ``_SCRIPT_CACHE_MAX_CHARS`` long are cached.
        """
        cacheable = len(code) <= _SCRIPT_CACHE_MAX_CHARS
        if cacheable:
            cached = self._script_cache.get(code)
            if cached is not None:
                return cached
        found = self._policy_snippets.matches(code)[:1] or self._strictest(
            self._catalogue_snippets.matches(code))
        if found:
            rule = found[0]
            answer = Classification("inline script", rule.category, rule.source,
                                    rule.describe(), rule.vendor, rule.purpose, kind="script")
        else:
            answer = Classification("inline script", None, "unknown", "no snippet matched")
        if cacheable:
            if len(self._script_cache) >= _SCRIPT_CACHE_LIMIT:
                self._script_cache.clear()
            self._script_cache[code] = answer
        return answer

    def _strictest(self, rules: list[SnippetRule]) -> list[SnippetRule]:
        if len(rules) < 2:
            return rules
        rank = self._strictness
        best = max(rules, key=lambda rule: rank.get(rule.category, len(rank)))
        return [best]

    def classify(self, subject: str) -> Classification:
        """A cookie name or a URL, whichever ``subject`` looks like (for the CLI).

        A bare host such as ``connect.facebook.net`` is tried as a cookie name first and
        as a URL when no cookie rule knows it. The answer keeps ``subject`` as given.
        """
        if "/" in subject or subject.startswith(("http:", "https:")):
            found = self.url(subject if "//" in subject else "//" + subject)
            return found._replace(subject=subject)
        found = self.cookie(subject)
        if found.source in ("unknown", "heuristic") and "." in subject.strip("."):
            as_url = self.url("//" + subject)
            if as_url.known:
                return as_url._replace(subject=subject)
        return found
