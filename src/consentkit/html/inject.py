"""What the middleware places into a page: the Consent Mode default and the banner. Pure.

- :func:`consent_mode_script`: the inline Google Consent Mode ``default`` call, granted
  for the categories in force and denied for the others, placed first in ``<head>``;
- :class:`PageInjection`: the stylesheet link, the JSON config block and the deferred
  banner script, placed once before ``</head>``.

Every injected ``<script>`` carries the page's CSP nonce when it has one.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from html import escape

from ..banner_config import BannerConfigs
from ..consent import Consent


def consent_mode_script(consent_mode: Mapping[str, tuple[str, ...]],
                        granted: frozenset[str]) -> str:
    """The code of the Consent Mode default call (ASCII, no ``<``)."""
    state: dict[str, str] = {}
    for category, types in consent_mode.items():
        for kind in types:
            # A type shared by several categories is granted only if all are.
            allowed = category in granted and state.get(kind, "granted") == "granted"
            state[kind] = "granted" if allowed else "denied"
    state_json = json.dumps(dict(sorted(state.items())), separators=(",", ":"))
    return (
        "(function(w){w.dataLayer=w.dataLayer||[];"
        "function g(){w.dataLayer.push(arguments);}"
        f'g("consent","default",{state_json[:-1]},"wait_for_update":500}});'
        "})(window);"
    )


def nonce_attribute(nonce: str | None) -> bytes:
    if not nonce:
        return b""
    return b' nonce="' + escape(nonce, quote=True).encode("ascii", "xmlcharrefreplace") + b'"'


class PageInjection:
    """The injected markup for one response (see :class:`~.rewriter.Injection`)."""

    __slots__ = ("_head_start", "accept_language", "configs", "consent", "css_url", "js_url",
                 "root_path", "rules_url", "script_nonce", "style_nonce")

    def __init__(self, *, head_start_code: str | None, configs: BannerConfigs,
                 consent: Consent | None, accept_language: str | None, css_url: str,
                 js_url: str, script_nonce: str | None, style_nonce: str | None,
                 root_path: str = "", rules_url: str | None = None) -> None:
        self.configs = configs
        self.root_path = root_path
        self.consent = consent
        self.accept_language = accept_language
        self.css_url = css_url
        self.js_url = js_url
        self.rules_url = rules_url
        self.script_nonce = script_nonce
        self.style_nonce = style_nonce
        self._head_start = b""
        if head_start_code:
            self._head_start = (b"<script" + nonce_attribute(script_nonce) + b">"
                                + head_start_code.encode("ascii") + b"</script>")

    def head_start(self) -> bytes:
        return self._head_start

    def banner(self, lang: str | None) -> bytes:
        language = self.configs.language(lang, self.accept_language)
        config = self.configs.json_for(language, self.consent, self.root_path)
        nonce = nonce_attribute(self.script_nonce)
        return b"".join((
            b'<link rel="stylesheet" href="', _url(self.css_url), b'"',
            nonce_attribute(self.style_nonce), b">",
            b'<script type="application/json" id="consentkit-config"', nonce, b">",
            config.encode("ascii"), b"</script>",
            # Deferred scripts run in document order: the rules before the banner.
            (b'<script src="' + _url(self.rules_url) + b'" defer' + nonce + b"></script>"
             if self.rules_url else b""),
            b'<script src="', _url(self.js_url), b'" defer', nonce, b"></script>",
        ))


def _url(url: str) -> bytes:
    return escape(url, quote=True).encode("ascii", "xmlcharrefreplace")
