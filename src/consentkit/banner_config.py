"""The JSON config block the banner reads (schema in docs/ARCHITECTURE.md). Pure.

:func:`build_banner_config` builds the object; :class:`BannerConfigs` builds it for each
response, with the parts that do not depend on the visitor computed once per language,
and picks the language (``<html lang>``, else ``Accept-Language``, else the default).
:func:`script_json` serialises so that the text is safe inside ``<script>``.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from .catalogue import load_catalogue
from .consent import Consent
from .policy import CookieRule, Policy, TrackerRule

logger = logging.getLogger("consentkit")

FALLBACK_LANGUAGE = "en"
RTL_LANGUAGES = frozenset({"ar", "dv", "fa", "he", "ks", "ku", "ps", "sd", "ug", "ur", "yi"})
_SCRIPT_UNSAFE = {ord("<"): "\\u003c", ord(">"): "\\u003e", ord("&"): "\\u0026",
                  0x2028: "\\u2028", 0x2029: "\\u2029"}


def script_json(data: object) -> str:
    """JSON that can sit inside ``<script type="application/json">``: ``<``, ``>``, ``&``
    and U+2028/U+2029 escaped, everything else ASCII."""
    return json.dumps(data, separators=(",", ":"), ensure_ascii=True).translate(_SCRIPT_UNSAFE)


def build_banner_config(
    policy: Policy,
    *,
    lang: str,
    texts: Mapping[str, str],
    consent: Consent | None,
    endpoint: str,
    floating_button: bool = True,
    cache_safe: bool = False,
    rules: tuple[Sequence[CookieRule], Sequence[TrackerRule]] | None = None,
) -> dict[str, Any]:
    """The banner's config. ``consent`` ``None`` (cache-safe pages) leaves out the
    visitor's state: the banner asks the endpoint for it."""
    cookie_rules, tracker_rules = rules if rules is not None else client_rules(policy)
    config: dict[str, Any] = {
        "endpoint": endpoint,
        "version": policy.version,
        "lang": lang,
        "dir": "rtl" if lang.split("-")[0].lower() in RTL_LANGUAGES else "ltr",
        "texts": dict(texts),
        "privacyUrl": policy.privacy_url,
        "categories": [
            {
                "name": category.name,
                "title": texts.get(f"category_{category.name}_title", category.title),
                "description": texts.get(f"category_{category.name}_description",
                                         category.description),
                "required": category.required or category.name == "necessary",
                "cookies": [
                    {"name": rule.display_name, "vendor": rule.vendor, "purpose": rule.purpose,
                     "lifetime": rule.lifetime}
                    for rule in policy.cookies_in(category.name)
                ],
            }
            for category in policy.categories
        ],
        "rules": {
            # Compact: fields that are not set are left out (the banner reads them as
            # absent), which halves the block with the full catalogue.
            "cookies": [
                _present(name=rule.name, prefix=rule.prefix, pattern=rule.pattern,
                         category=rule.category)
                for rule in cookie_rules
            ],
            "trackers": [
                _present(host=rule.host, path=rule.path, kind=rule.kind,
                         category=rule.category, vendor=rule.vendor)
                for rule in tracker_rules
            ],
        },
        "consentMode": {name: list(types) for name, types in (policy.consent_mode or {}).items()},
        "floatingButton": floating_button,
        "cacheSafe": cache_safe,
    }
    if consent is not None:
        config["consent"] = {"given": consent.given, "categories": sorted(consent.categories),
                             "id": consent.id}
        config["regime"] = consent.regime
        config["gpc"] = consent.gpc
    return config


RULES_ASSET = "rules.js"


def rules_script(policy: Policy) -> bytes:
    """``window.consentkitRules = {...}``: the client-side rules as a script of their own,
    served under ``{prefix}/static/rules.js`` with a content-versioned URL, so that every
    page does not carry the catalogue and browsers cache it once."""
    config = build_banner_config(policy, lang=FALLBACK_LANGUAGE, texts={}, consent=None,
                                 endpoint="")
    return b"window.consentkitRules=" + script_json(config["rules"]).encode("ascii") + b";\n"


def _present(**fields: str | None) -> dict[str, str]:
    return {key: value for key, value in fields.items() if value}


def client_rules(policy: Policy) -> tuple[list[CookieRule], list[TrackerRule]]:
    """The cookie and tracker rules the browser side enforces: the policy's, then the
    catalogue's (when the policy uses it). Catalogue rules of categories that cannot be
    refused are left out: the banner lets unclassified cookies and URLs through anyway,
    and they are a third of the catalogue."""
    cookies = list(policy.cookies)
    trackers = list(policy.trackers)
    if policy.use_catalogue:
        catalogue = load_catalogue()
        required = policy.required_categories | {"necessary"}
        cookies += [rule for rule in catalogue.cookies if rule.category not in required]
        trackers += [rule for rule in catalogue.trackers if rule.category not in required]
    return cookies, trackers


def parse_accept_language(header: str) -> list[str]:
    """Language tags of an ``Accept-Language`` header, best first (``q=0`` dropped)."""
    ranked: list[tuple[float, int, str]] = []
    for index, item in enumerate(header.split(",")):
        tag, _, params = item.strip().partition(";")
        tag = tag.strip().lower()
        quality = 1.0
        params = params.strip()
        if params.startswith("q="):
            try:
                quality = float(params[2:])
            except ValueError:
                quality = 0.0
        if tag and tag != "*" and quality > 0:
            ranked.append((-quality, index, tag))
    return [tag for _, _, tag in sorted(ranked)]


def match_language(wanted: str, available: Sequence[str]) -> str | None:
    """``wanted`` itself if available, else its primary language (``pt-BR`` -> ``pt``),
    else an available regional variant of it."""
    wanted = wanted.strip().lower().replace("_", "-")
    if not wanted:
        return None
    lowered = {lang.lower(): lang for lang in available}
    if wanted in lowered:
        return lowered[wanted]
    primary = wanted.split("-")[0]
    if primary in lowered:
        return lowered[primary]
    for lang in available:
        if lang.lower().split("-")[0] == primary:
            return lang
    return None


class BannerConfigs:
    """Builds the config block for each response. One per middleware; thread-safe."""

    def __init__(self, policy: Policy, *, i18n_dir: Path | None, endpoint: str,
                 floating_button: bool, cache_safe: bool) -> None:
        self.policy = policy
        self.i18n_dir = i18n_dir
        self.endpoint = endpoint
        self.floating_button = floating_button
        self.cache_safe = cache_safe
        files = sorted(p.stem for p in i18n_dir.glob("*.json")) if i18n_dir else []
        offered = list(dict.fromkeys([*files, *policy.texts]))
        if policy.languages:
            offered = [lang for lang in policy.languages]
        self.languages: tuple[str, ...] = tuple(offered) or (FALLBACK_LANGUAGE,)
        self.default = (match_language(policy.default_language, self.languages)
                        or self.languages[0])
        self._rules = client_rules(policy)
        self._static: dict[str, str] = {}
        self._lock = threading.Lock()

    def language(self, page_lang: str | None, accept_language: str | None) -> str:
        """The language of the banner texts for one page."""
        if page_lang:
            found = match_language(page_lang, self.languages)
            if found is not None:
                return found
        for wanted in parse_accept_language(accept_language or ""):
            found = match_language(wanted, self.languages)
            if found is not None:
                return found
        return self.default

    def texts(self, lang: str) -> dict[str, str]:
        """The texts of one language: the shipped file (English where it is missing),
        then the policy's overrides."""
        merged: dict[str, str] = {}
        for name in dict.fromkeys([FALLBACK_LANGUAGE, lang]):
            merged.update(self._read(name))
        for name in dict.fromkeys([FALLBACK_LANGUAGE, lang]):
            merged.update(self.policy.texts.get(name, {}))
        return merged

    def json_for(self, lang: str, consent: Consent | None, root_path: str = "") -> str:
        """The config block's text for one response (script-safe JSON). The parts that
        do not depend on the request are serialised once per language."""
        static = self._static.get(lang)
        if static is None:
            config = build_banner_config(
                self.policy, lang=lang, texts=self.texts(lang), consent=None,
                endpoint=self.endpoint, floating_button=self.floating_button,
                cache_safe=self.cache_safe, rules=self._rules,
            )
            del config["endpoint"]
            del config["rules"]  # served once as a cached script: see rules_script()
            static = script_json(config)
            with self._lock:
                self._static[lang] = static
        request: dict[str, object] = {"endpoint": root_path + self.endpoint}
        if consent is not None:
            request["consent"] = {"given": consent.given, "categories": sorted(consent.categories),
                                  "id": consent.id}
            request["regime"] = consent.regime
            request["gpc"] = consent.gpc
        return script_json(request)[:-1] + "," + static[1:]

    def _read(self, lang: str) -> dict[str, str]:
        if self.i18n_dir is None:
            return {}
        path = self.i18n_dir / f"{lang}.json"
        try:
            data = json.loads(path.read_text("utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as exc:
            logger.warning("cannot read banner texts %s: %s", path, exc)
            return {}
        if not isinstance(data, dict):
            return {}
        return {str(key): str(value) for key, value in data.items()}
