"""The engine's HTML hook: decide per response whether and how its body is rewritten. Pure.

:class:`HtmlResponder` is built once per middleware; ``plan()`` is called for every
response that may have a body and returns the headers to send and a body filter (or
``None`` to leave the body alone).
"""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path
from typing import Protocol

from ..banner_config import RULES_ASSET, BannerConfigs
from ..classify import Classifier
from ..consent import Consent
from ..http import Headers, RequestInfo, add_vary, header_value, parse_media_type
from ..policy import NECESSARY, Policy
from ..settings import Settings
from . import csp
from .charset import ascii_compatible, starts_with_wide_bom
from .codecs import BodyFilter, Recoded, supported
from .inject import PageInjection, consent_mode_script
from .judge import TagJudge, TrackerHosts
from .rewriter import HtmlRewriter

logger = logging.getLogger("consentkit")

HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
BROTLI_MISSING = ("consentkit: HTML compressed with br passes through unchanged: "
                  "install the 'brotli' package to rewrite it")
REWRITE_FAILED = "consentkit: the HTML rewriter failed; the rest of the body passes through"


class Assets(Protocol):
    """Where the banner's files are served (``consentkit.static_files.StaticFiles``)."""

    def url(self, name: str) -> str: ...


class HtmlResponder:
    """Plans the rewrite of HTML responses: holds back trackers, injects the banner."""

    def __init__(self, settings: Settings, policy: Policy, classifier: Classifier, *,
                 assets: Assets | None = None, i18n_dir: Path | None = None) -> None:
        self.settings = settings
        self.policy = policy
        self.classifier = classifier
        static = settings.prefix + "/static/"
        self.css_url = assets.url("consentkit.css") if assets else static + "consentkit.css"
        self.js_url = assets.url("consentkit.js") if assets else static + "consentkit.js"
        self.rules_url = assets.url(RULES_ASSET) if assets else static + RULES_ASSET
        if i18n_dir is None:
            from ..static_files import static_root

            i18n_dir = static_root() / "i18n"
        self.configs = BannerConfigs(
            policy, i18n_dir=i18n_dir if i18n_dir.is_dir() else None,
            endpoint=settings.prefix + "/consent", floating_button=settings.floating_button,
            cache_safe=settings.cache_safe,
        )
        self.required = policy.required_categories | {NECESSARY}
        self.tracker_hosts = TrackerHosts(classifier)
        self.brotli_warned = False

    def plan(self, request: RequestInfo, consent: Consent, status: int,
             headers: Headers) -> tuple[Headers, BodyFilter | None]:
        settings = self.settings
        if not (settings.rewrite_html or settings.inject_banner):
            return headers, None
        encoding = self._rewritable(headers)
        if encoding is None:
            return headers, None
        granted = frozenset(self.required) if settings.cache_safe else consent.categories
        judge = (TagJudge(self.classifier, granted, self.tracker_hosts)
                 if settings.rewrite_html else None)
        out = [(k, v) for k, v in headers if k not in (b"content-length", b"content-md5")]
        injection = None
        if settings.inject_banner:
            script_nonce = csp.page_nonce(headers)
            head_code = None
            if self.policy.consent_mode:
                head_code = consent_mode_script(self.policy.consent_mode, granted)
                out = csp.allow_inline_scripts(out, [head_code], script_nonce)
            injection = PageInjection(
                head_start_code=head_code, configs=self.configs,
                consent=None if settings.cache_safe else consent,
                accept_language=request.header_str(b"accept-language"),
                css_url=request.root_path + self.css_url,
                js_url=request.root_path + self.js_url,
                rules_url=request.root_path + self.rules_url,
                script_nonce=script_nonce,
                style_nonce=csp.page_nonce(headers, csp.STYLE_DIRECTIVES),
                root_path=request.root_path,
            )
        if not settings.cache_safe:
            out = add_vary(out, "Cookie")
            if settings.honour_gpc:
                out = add_vary(out, "Sec-GPC")
            out = private_cache(out)
            out = per_visitor_etag(out, consent)
        body: BodyFilter = HtmlBodyFilter(HtmlRewriter(judge, injection))
        if encoding:
            body = Recoded(encoding, body)
        return out, body

    def _rewritable(self, headers: Headers) -> str | None:
        """``""`` for a plain HTML body, the encoding for a compressed one we can
        decode, ``None`` when the body must pass through."""
        content_type = header_value(headers, b"content-type")
        if content_type is None or not content_type[:21].lower().startswith(_HTML_PREFIXES):
            return None
        media, params = parse_media_type(content_type.decode("latin-1"))
        if media not in HTML_TYPES or not ascii_compatible(params.get("charset")):
            return None
        disposition = header_value(headers, b"content-disposition")
        if disposition is not None and disposition.strip().lower().startswith(b"attachment"):
            return None
        encoding = (header_value(headers, b"content-encoding") or b"").decode("latin-1")
        encoding = encoding.strip().lower()
        if encoding in ("", "identity"):
            return ""
        if supported(encoding):
            return encoding
        if encoding == "br" and not self.brotli_warned:
            self.brotli_warned = True
            logger.warning(BROTLI_MISSING)
        return None


_HTML_PREFIXES = (b"text/html", b"application/xhtml")


def private_cache(headers: Headers) -> Headers:
    """Mark a response as not storable by shared caches (``Cache-Control: private``),
    keeping the app's other directives (``public`` and ``s-maxage`` are dropped)."""
    for index, (key, value) in enumerate(headers):
        if key == b"cache-control":
            directives = [d.strip() for d in value.decode("latin-1").split(",") if d.strip()]
            names = [d.split("=")[0].strip().lower() for d in directives]
            if "private" in names or "no-store" in names:
                return headers
            kept = [d for d, n in zip(directives, names, strict=True)
                    if n not in ("public", "s-maxage")]
            headers = list(headers)
            headers[index] = (key, ", ".join(["private", *kept]).encode("latin-1"))
            return headers
    return [*headers, (b"cache-control", b"private")]


def per_visitor_etag(headers: Headers, consent: Consent) -> Headers:
    """An app's ``ETag`` made specific to the consent state the page was rewritten for,
    and weak (the bytes are not the app's): a browser revalidating a page rewritten for
    an earlier choice gets a new page, not a ``304`` for the old one."""
    for index, (key, value) in enumerate(headers):
        if key == b"etag":
            state = ",".join(sorted(consent.categories)) + f"|{consent.given}|{consent.gpc}"
            tag = hashlib.sha256(state.encode()).hexdigest()[:8].encode()
            opaque = value[2:] if value.startswith(b"W/") else value
            headers = list(headers)
            headers[index] = (key, b'W/"' + opaque.strip(b'"') + b"-ck" + tag + b'"')
            return headers
    return headers


class HtmlBodyFilter:
    """The rewriter as a body filter: passes UTF-16/32 bodies (byte order mark) through
    untouched, and never lets an internal error break the response."""

    __slots__ = ("passthrough", "rewriter", "started")

    def __init__(self, rewriter: HtmlRewriter) -> None:
        self.rewriter = rewriter
        self.started = False
        self.passthrough = False

    def feed(self, chunk: bytes) -> bytes:
        if self.passthrough:
            return chunk
        if not self.started:
            if not chunk:
                return b""
            self.started = True
            if starts_with_wide_bom(chunk):
                self.passthrough = True
                return chunk
        try:
            return self.rewriter.feed(chunk)
        except Exception:
            logger.exception(REWRITE_FAILED)
            self.passthrough = True
            return self.rewriter.carry + chunk

    def close(self) -> bytes:
        if self.passthrough:
            return b""
        try:
            return self.rewriter.close()
        except Exception:
            logger.exception(REWRITE_FAILED)
            return self.rewriter.carry
