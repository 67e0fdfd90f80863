"""Load a :class:`~consentkit.policy.Policy` (or catalogue rules) from TOML.

Every problem is a :class:`~consentkit.errors.ConfigError` naming the key, e.g.
``cookies[2].category: unknown category 'analytic'; known: [...] (in policy.toml)``.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, TypeVar

from .errors import ConfigError
from .policy import (
    DEFAULT_CATEGORIES,
    Category,
    CollectionRoute,
    CookieRule,
    Policy,
    RuleSource,
    SnippetRule,
    TrackerRule,
)

T = TypeVar("T")

_COOKIE_KEYS = {"name", "prefix", "pattern", "category", "purpose", "lifetime", "vendor",
                "domain", "path", "party"}
_TRACKER_KEYS = {"host", "path", "kind", "category", "vendor", "purpose"}
_SNIPPET_KEYS = {"signature", "category", "vendor", "purpose"}
_ROUTE_KEYS = {"path", "category", "methods"}
_CATEGORY_KEYS = {"title", "description", "required"}
_TOP_KEYS = {"version", "unknown_cookies", "consent_lifetime_days", "use_catalogue",
             "privacy_url", "languages", "default_language", "texts", "consent_mode",
             "categories", "cookies", "trackers", "snippets", "collection_routes"}


def read_toml(path: str | Path, setting: str = "policy") -> dict[str, Any]:
    """Read a TOML file, turning every failure into a ConfigError naming ``setting``."""
    file = Path(path)
    try:
        with file.open("rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError:
        raise ConfigError(setting, f"file not found: {file}") from None
    except OSError as exc:
        raise ConfigError(setting, f"cannot read {file}: {exc.strerror}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(setting, f"not valid TOML: {exc}", str(file)) from None


def load_policy(path: str | Path) -> Policy:
    """Load a policy from a TOML file; see the README's configuration reference."""
    return policy_from_mapping(read_toml(path), source=str(path))


def policy_from_mapping(data: Mapping[str, Any], source: str | None = None) -> Policy:
    """Build a Policy from parsed TOML (or any plain mapping)."""
    _check_keys(data, _TOP_KEYS, "", source)
    kwargs: dict[str, Any] = {}
    for key in ("version", "privacy_url", "default_language", "unknown_cookies"):
        if key in data:
            kwargs[key] = _typed(data[key], str, key, source)
    if "consent_lifetime_days" in data:
        kwargs["consent_lifetime_days"] = _typed(
            data["consent_lifetime_days"], int, "consent_lifetime_days", source
        )
    if "use_catalogue" in data:
        kwargs["use_catalogue"] = _typed(data["use_catalogue"], bool, "use_catalogue", source)
    if "languages" in data:
        kwargs["languages"] = tuple(_str_list(data["languages"], "languages", source))
    if "texts" in data:
        kwargs["texts"] = _texts(data["texts"], source)
    if "consent_mode" in data:
        kwargs["consent_mode"] = _consent_mode(data["consent_mode"], source)
    kwargs["categories"] = _categories(data.get("categories", {}), source)
    kwargs["cookies"] = tuple(parse_rules(data, "cookies", cookie_rule, source, "policy"))
    kwargs["trackers"] = tuple(parse_rules(data, "trackers", tracker_rule, source, "policy"))
    kwargs["snippets"] = tuple(parse_rules(data, "snippets", snippet_rule, source, "policy"))
    kwargs["collection_routes"] = tuple(
        parse_rules(data, "collection_routes", collection_route, source, "policy")
    )
    try:
        return Policy(**kwargs)
    except ConfigError as exc:
        raise ConfigError(exc.setting, exc.problem, source) from None


def parse_rules(
    data: Mapping[str, Any],
    key: str,
    build: Callable[[Mapping[str, Any], str, str | None, RuleSource], T],
    source: str | None,
    origin: RuleSource,
) -> list[T]:
    """Parse the array of tables ``data[key]`` with ``build``, naming ``key[i]`` on error."""
    entries = data.get(key, [])
    if not isinstance(entries, list):
        raise ConfigError(key, "must be an array of tables ([[" + key + "]])", source)
    return [build(entry, f"{key}[{index}]", source, origin) for index, entry in enumerate(entries)]


def cookie_rule(
    entry: Mapping[str, Any], where: str, source: str | None, origin: RuleSource
) -> CookieRule:
    _check_table(entry, _COOKIE_KEYS, where, source, required=("category",))
    matchers = [k for k in ("name", "prefix", "pattern") if k in entry]
    if len(matchers) != 1:
        raise ConfigError(where, "needs exactly one of name, prefix or pattern", source)
    fields: dict[str, Any] = {k: _typed(v, str, f"{where}.{k}", source) for k, v in entry.items()}
    if fields.get("party", "first") not in ("first", "third"):
        raise ConfigError(f"{where}.party", "must be 'first' or 'third'", source)
    try:
        return CookieRule(source=origin, **fields)
    except ConfigError as exc:
        raise ConfigError(f"{where}.{matchers[0]}", exc.problem, source) from None


def tracker_rule(
    entry: Mapping[str, Any], where: str, source: str | None, origin: RuleSource
) -> TrackerRule:
    _check_table(entry, _TRACKER_KEYS, where, source, required=("host", "category"))
    fields: dict[str, Any] = {k: _typed(v, str, f"{where}.{k}", source) for k, v in entry.items()}
    try:
        return TrackerRule(source=origin, **fields)
    except ConfigError as exc:
        key = "kind" if "kind" in exc.setting else "host"
        raise ConfigError(f"{where}.{key}", exc.problem, source) from None


def snippet_rule(
    entry: Mapping[str, Any], where: str, source: str | None, origin: RuleSource
) -> SnippetRule:
    _check_table(entry, _SNIPPET_KEYS, where, source, required=("signature", "category"))
    fields = {k: _typed(v, str, f"{where}.{k}", source) for k, v in entry.items()}
    try:
        return SnippetRule(source=origin, **fields)
    except ConfigError as exc:
        raise ConfigError(f"{where}.signature", exc.problem, source) from None


def collection_route(
    entry: Mapping[str, Any], where: str, source: str | None, origin: RuleSource
) -> CollectionRoute:
    _check_table(entry, _ROUTE_KEYS, where, source, required=("path", "category"))
    path = _typed(entry["path"], str, f"{where}.path", source)
    if not path.startswith("/"):
        raise ConfigError(f"{where}.path", f"must start with '/', got {path!r}", source)
    methods = tuple(
        m.upper() for m in _str_list(entry.get("methods", ["GET", "POST"]), f"{where}.methods",
                                     source)
    )
    return CollectionRoute(path, _typed(entry["category"], str, f"{where}.category", source),
                           methods)


def _categories(data: Any, source: str | None) -> tuple[Category, ...]:
    if not isinstance(data, Mapping):
        raise ConfigError("categories", "must be a table of [categories.NAME]", source)
    merged = {c.name: c for c in DEFAULT_CATEGORIES}
    for name, entry in data.items():
        where = f"categories.{name}"
        _check_table(entry, _CATEGORY_KEYS, where, source)
        base = merged.get(name, Category(name, name.replace("_", " ").capitalize()))
        required = _typed(entry.get("required", base.required), bool, f"{where}.required", source)
        if name == "necessary" and not required:
            raise ConfigError(f"{where}.required", "the necessary category is always on",
                              source)
        merged[name] = Category(
            name,
            _typed(entry.get("title", base.title), str, f"{where}.title", source),
            _typed(entry.get("description", base.description), str, f"{where}.description",
                   source),
            required,
        )
    return tuple(merged.values())


def _texts(data: Any, source: str | None) -> dict[str, dict[str, str]]:
    if not isinstance(data, Mapping):
        raise ConfigError("texts", "must be a table of [texts.LANG]", source)
    out: dict[str, dict[str, str]] = {}
    for lang, table in data.items():
        if not isinstance(table, Mapping):
            raise ConfigError(f"texts.{lang}", "must be a table of text keys", source)
        out[lang] = {k: _typed(v, str, f"texts.{lang}.{k}", source) for k, v in table.items()}
    return out


def _consent_mode(data: Any, source: str | None) -> dict[str, tuple[str, ...]] | None:
    if data is False:
        return None
    if not isinstance(data, Mapping):
        raise ConfigError("consent_mode", "must be a table or false", source)
    return {k: tuple(_str_list(v, f"consent_mode.{k}", source)) for k, v in data.items()}


def _check_table(
    entry: Any,
    allowed: set[str],
    where: str,
    source: str | None,
    required: tuple[str, ...] = (),
) -> None:
    if not isinstance(entry, Mapping):
        raise ConfigError(where, "must be a table", source)
    _check_keys(entry, allowed, where + ".", source)
    for key in required:
        if key not in entry:
            raise ConfigError(f"{where}.{key}", "is required", source)


def _check_keys(data: Mapping[str, Any], allowed: set[str], prefix: str,
                source: str | None) -> None:
    for key in data:
        if key not in allowed:
            raise ConfigError(
                f"{prefix}{key}", f"unknown key; expected one of {sorted(allowed)}", source
            )


def _typed(value: Any, kind: type[T], where: str, source: str | None) -> T:
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise ConfigError(
            where, f"must be a {kind.__name__}, got {type(value).__name__} {value!r}", source
        )
    return value


def _str_list(value: Any, where: str, source: str | None) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(where, f"must be a list of strings, got {value!r}", source)
    return list(value)
