"""The policy model: categories, cookie rules, tracker rules. Pure: no framework, no I/O.

A :class:`Policy` is what a site's privacy policy promises, in a form the middleware can
enforce. It is plain Python (frozen dataclasses) and can be loaded from TOML with
:func:`consentkit.policy_file.load_policy`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from .errors import ConfigError

NECESSARY = "necessary"
UnknownCookies = Literal["hold", "allow"]
TrackerKind = Literal["script", "pixel", "beacon", "iframe"]
TRACKER_KINDS: tuple[str, ...] = ("script", "pixel", "beacon", "iframe")
RuleSource = Literal["policy", "catalogue", "heuristic", "consentkit"]

_CATEGORY_NAME = re.compile(r"^[a-z][a-z0-9_-]{0,31}$")


def _check_regex(pattern: str, setting: str) -> None:
    try:
        re.compile(pattern)
    except re.error as exc:
        raise ConfigError(setting, f"{pattern!r} does not compile: {exc}") from exc


@dataclass(frozen=True, slots=True)
class Category:
    """A purpose a visitor can agree to. ``required`` categories cannot be refused."""

    name: str
    title: str
    description: str = ""
    required: bool = False


DEFAULT_CATEGORIES: tuple[Category, ...] = (
    Category(
        NECESSARY,
        "Strictly necessary",
        "Needed for the site to work: signing in, security, remembering this choice.",
        required=True,
    ),
    Category(
        "preferences",
        "Preferences",
        "Remember choices such as language or region so the site feels like yours.",
    ),
    Category(
        "analytics",
        "Analytics",
        "Count visits and measure how the site is used, so that it can be improved.",
    ),
    Category(
        "marketing",
        "Marketing",
        "Show relevant advertising and measure campaigns, on this site and elsewhere.",
    ),
)


@dataclass(frozen=True, slots=True)
class CookieRule:
    """Says which category a cookie belongs to. Exactly one of ``name`` (exact match),
    ``prefix`` or ``pattern`` (a regular expression matched against the whole name) is set.

    ``domain`` and ``path`` are used to expire the cookie after a refusal or withdrawal.
    """

    category: str
    name: str | None = None
    prefix: str | None = None
    pattern: str | None = None
    purpose: str = ""
    lifetime: str = ""
    vendor: str = ""
    domain: str | None = None
    path: str = "/"
    party: Literal["first", "third"] = "first"
    source: RuleSource = "policy"

    def __post_init__(self) -> None:
        given = [k for k in ("name", "prefix", "pattern") if getattr(self, k)]
        if len(given) != 1:
            raise ConfigError(
                "cookie rule", f"exactly one of name, prefix or pattern must be set, got {given}"
            )
        if self.pattern is not None:
            _check_regex(self.pattern, "cookie rule pattern")

    @property
    def kind(self) -> Literal["exact", "prefix", "pattern"]:
        if self.name is not None:
            return "exact"
        if self.prefix is not None:
            return "prefix"
        return "pattern"

    @property
    def match(self) -> str:
        """The name, prefix or pattern this rule matches by."""
        return self.name or self.prefix or self.pattern or ""

    @property
    def display_name(self) -> str:
        """How the rule reads in a cookie table: ``_ga``, ``_ga_*``, ``_pk_id.*``."""
        if self.name is not None:
            return self.name
        if self.prefix is not None:
            return self.prefix + "*"
        return readable_pattern(self.pattern or "")

    def matches(self, cookie_name: str) -> bool:
        if self.name is not None:
            return cookie_name == self.name
        if self.prefix is not None:
            return cookie_name.startswith(self.prefix)
        return re.fullmatch(self.pattern or "", cookie_name) is not None

    def describe(self) -> str:
        """A short human description: ``prefix "_ga_" (catalogue, Google Analytics)``."""
        who = f", {self.vendor}" if self.vendor else ""
        return f'{self.kind} "{self.match}" ({self.source}{who})'


_WILDCARDS = re.compile(r"\\d[+*]|\[[^\]]*\][+*]|\\w[+*]|\.[+*]|\\d\{[0-9,]+\}")


def readable_pattern(pattern: str) -> str:
    """``^_pk_id\\.[0-9]+\\..*$`` -> ``_pk_id.*.*``; a pattern too rich to read that way
    is shown as ``/pattern/``."""
    text = pattern.removeprefix("^").removesuffix("$")
    text = _WILDCARDS.sub("*", text).replace("\\.", ".").replace("\\-", "-")
    if any(ch in text for ch in "()[]{}|?+\\"):
        return f"/{pattern}/"
    return re.sub(r"\*+", "*", text)


@dataclass(frozen=True, slots=True)
class TrackerRule:
    """A URL that collects data: ``host`` matches the host and its subdomains, ``path`` (if
    set) is a prefix of the URL path."""

    host: str
    category: str
    kind: TrackerKind = "script"
    path: str | None = None
    vendor: str = ""
    purpose: str = ""
    source: RuleSource = "policy"

    def __post_init__(self) -> None:
        if self.kind not in TRACKER_KINDS:
            raise ConfigError("tracker rule kind", f"{self.kind!r} is not one of {TRACKER_KINDS}")
        if not self.host or "/" in self.host:
            raise ConfigError("tracker rule host", f"{self.host!r} is not a bare host name")

    def describe(self) -> str:
        who = f", {self.vendor}" if self.vendor else ""
        return f'{self.kind} "{self.host}{self.path or ""}" ({self.source}{who})'


@dataclass(frozen=True, slots=True)
class SnippetRule:
    """Recognises an inline ``<script>`` by a regular expression over its code."""

    signature: str
    category: str
    vendor: str = ""
    purpose: str = ""
    source: RuleSource = "policy"

    def __post_init__(self) -> None:
        _check_regex(self.signature, "snippet rule signature")

    def describe(self) -> str:
        who = f", {self.vendor}" if self.vendor else ""
        return f'snippet "{self.signature}" ({self.source}{who})'


@dataclass(frozen=True, slots=True)
class CollectionRoute:
    """A first-party collection route (``/collect``): answered 204 without reaching the app
    while its category is not granted."""

    path: str
    category: str
    methods: tuple[str, ...] = ("GET", "POST")


DEFAULT_CONSENT_MODE: Mapping[str, tuple[str, ...]] = {
    "analytics": ("analytics_storage",),
    "marketing": ("ad_storage", "ad_user_data", "ad_personalization"),
    "preferences": ("functionality_storage", "personalization_storage"),
}


@dataclass(frozen=True)
class Policy:
    """Everything the middleware enforces. Build it in Python or load it from TOML.

    ``texts`` maps a language code to banner text overrides (``{"en": {"title": "..."}}``).
    ``consent_mode`` maps categories to Google Consent Mode types; ``None`` turns the
    Consent Mode integration off.
    """

    categories: tuple[Category, ...] = DEFAULT_CATEGORIES
    cookies: tuple[CookieRule, ...] = ()
    trackers: tuple[TrackerRule, ...] = ()
    snippets: tuple[SnippetRule, ...] = ()
    version: str = "1"
    unknown_cookies: UnknownCookies = "hold"
    consent_lifetime_days: int = 180
    use_catalogue: bool = True
    privacy_url: str | None = None
    languages: tuple[str, ...] = ()
    default_language: str = "en"
    texts: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    consent_mode: Mapping[str, tuple[str, ...]] | None = field(
        default_factory=lambda: dict(DEFAULT_CONSENT_MODE)
    )
    collection_routes: tuple[CollectionRoute, ...] = ()

    def __post_init__(self) -> None:
        # Accept lists where tuples are declared, so that Policy(cookies=[...]) works.
        for name in ("categories", "cookies", "trackers", "snippets", "languages",
                     "collection_routes"):
            value = getattr(self, name)
            if not isinstance(value, tuple):
                object.__setattr__(self, name, tuple(value))
        self._validate()

    def _validate(self) -> None:
        names = [c.name for c in self.categories]
        for index, cat in enumerate(self.categories):
            if not _CATEGORY_NAME.match(cat.name):
                raise ConfigError(
                    f"categories[{index}].name",
                    f"{cat.name!r} must be lower-case letters, digits, '-' or '_'",
                )
        if len(set(names)) != len(names):
            raise ConfigError("categories", f"duplicate category names in {names}")
        if NECESSARY not in names:
            raise ConfigError("categories", "the 'necessary' category cannot be removed")
        known = set(names)
        ruled: tuple[tuple[str, tuple[CookieRule | TrackerRule | SnippetRule | CollectionRoute,
                                      ...]], ...] = (
            ("cookies", self.cookies),
            ("trackers", self.trackers),
            ("snippets", self.snippets),
            ("collection_routes", self.collection_routes),
        )
        for label, rules in ruled:
            for index, rule in enumerate(rules):
                if rule.category not in known:
                    raise ConfigError(
                        f"{label}[{index}].category",
                        f"unknown category {rule.category!r}; known: {sorted(known)}",
                    )
        if self.unknown_cookies not in ("hold", "allow"):
            raise ConfigError(
                "unknown_cookies", f"must be 'hold' or 'allow', got {self.unknown_cookies!r}"
            )
        if not isinstance(self.consent_lifetime_days, int) or not (
            1 <= self.consent_lifetime_days <= 3650
        ):
            raise ConfigError(
                "consent_lifetime_days",
                "must be a whole number of days from 1 to 3650, "
                f"got {self.consent_lifetime_days!r}",
            )
        if not self.version or not isinstance(self.version, str):
            raise ConfigError("version", "must be a non-empty string")
        if self.consent_mode is not None:
            for cat_name in self.consent_mode:
                if cat_name not in known:
                    raise ConfigError(
                        f"consent_mode.{cat_name}", f"unknown category {cat_name!r}"
                    )

    # -- queries -----------------------------------------------------------------------

    @property
    def category_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.categories)

    @property
    def required_categories(self) -> frozenset[str]:
        return frozenset(c.name for c in self.categories if c.required)

    @property
    def optional_categories(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.categories if not c.required)

    def category(self, name: str) -> Category:
        for cat in self.categories:
            if cat.name == name:
                return cat
        raise KeyError(name)

    def cookies_in(self, category: str) -> tuple[CookieRule, ...]:
        return tuple(rule for rule in self.cookies if rule.category == category)
