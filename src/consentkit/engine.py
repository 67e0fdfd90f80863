"""The sans-IO engine: given a request and a response, decide what goes out.

Adapters (``asgi.py``, ``wsgi.py``) translate their protocol into calls on
:class:`Engine` and :class:`Exchange`; no decision is made in an adapter. See
``docs/ARCHITECTURE.md`` for the call sequence.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from .classify import Classifier
from .consent import Consent
from .consent_cookie import ConsentCodec
from .http import (
    Headers,
    Reply,
    RequestInfo,
    cookie_value,
    cookie_value_pattern,
    expire_cookie,
    set_cookie_name,
)
from .policy import NECESSARY, CollectionRoute
from .settings import Settings

if TYPE_CHECKING:
    from .endpoint import Route

logger = logging.getLogger("consentkit")

GPC_REFUSES = "marketing"
_NO_BODY_STATUSES = frozenset({204, 304})
_MISSING = object()
CACHE_SIZE = 4096  # entries of each cache on the request's path
# Only these media types can be rewritten (the HTML layer makes the final decision).
_HTML_TYPES = (b"text/html", b"application/xhtml")
# Which response header a name is, for passes_text().
_OTHER_HEADER, _SET_COOKIE, _CONTENT_TYPE = 0, 1, 2


def _sends_gpc(sec_gpc: bytes) -> bool:
    """Does this ``Sec-GPC`` header value turn Global Privacy Control on?"""
    return sec_gpc.strip() == b"1"


class BodyFilter(Protocol):
    """Rewrites a response body that arrives in pieces."""

    def feed(self, chunk: bytes) -> bytes: ...

    def close(self) -> bytes: ...


@dataclass(slots=True)
class ResponsePlan:
    """What the adapter sends instead of the app's response start."""

    status: int
    headers: Headers
    body_filter: BodyFilter | None = None
    changed: bool = False

    def rewrite(self, chunk: bytes, last: bool) -> bytes:
        """One body chunk through the body filter; ``last`` flushes and closes it."""
        assert self.body_filter is not None
        out = self.body_filter.feed(chunk)
        return out + self.body_filter.close() if last else out

    def headers_with_length(self, length: int) -> Headers:
        """The headers for a rewritten body whose whole length is known."""
        return [*self.headers, (b"content-length", str(length).encode())]


class Engine:
    """Built once per middleware instance from validated :class:`Settings`."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.policy = policy = settings.resolved_policy
        self.classifier = Classifier(policy, consent_cookie=settings.cookie_name)
        self.codec = ConsentCodec(settings.secret_keys, policy.consent_lifetime_days * 86_400)
        self.known_categories = frozenset(policy.category_names)
        self.required_categories = policy.required_categories | {NECESSARY}
        self.prefix = settings.prefix
        self.endpoint_path = settings.prefix + "/consent"
        self.static_prefix = settings.prefix + "/static/"
        self._cookie_marker = settings.cookie_name.encode("latin-1") + b"="
        self._consent_cookie_pattern = cookie_value_pattern(settings.cookie_name)
        # Caches of the request's path, each bounded (cleared when full): consent cookies
        # already verified, and the cleanup owed to a set of cookies under a consent.
        self._verified: dict[tuple[str, str, str | None, bool], tuple[Consent, float]] = {}
        self._cleanups: dict[tuple[tuple[bytes, ...], str, frozenset[str]], Headers] = {}
        self._collection_routes: dict[str, CollectionRoute] = {
            route.path: route for route in policy.collection_routes
        }
        self._default_consents: dict[tuple[str, str | None, bool], Consent] = {}
        self._category_by_raw_name: dict[bytes, object] = {}
        self._rewritten_type: dict[bytes, bool] = {}  # Content-Type -> HTML to rewrite?
        # The same two caches keyed by text, for response headers that are text (WSGI),
        # and which header each spelling of a header name is.
        self._category_by_text_name: dict[str, object] = {}
        self._rewritten_text_type: dict[str, bool] = {}
        self._text_header_kinds: dict[str, int] = {}
        self._started = False
        # First visits to a path that starts with this take the exchange, not the quick
        # path: every path ("") until start-up, the engine's own routes after it.
        self._exchange_prefix = ""

        from .static_files import StaticFiles

        self.static = StaticFiles(self.static_prefix)
        # Hooks, each built by the part that owns it (see docs/ARCHITECTURE.md).
        self.html: Any = None  # consentkit.html.HtmlResponder
        if settings.rewrite_html or settings.inject_banner:
            from .banner_config import RULES_ASSET, rules_script
            from .html import HtmlResponder

            self.static.add(RULES_ASSET, rules_script(policy))

            self.html = HtmlResponder(settings, policy, self.classifier, assets=self.static)
        from .receipts import open_store
        from .regions import RegionResolver

        # Without a CDN header or a database to believe, every visitor gets the default
        # regime: no resolver to ask on each request.
        self.regions: Any = (  # consentkit.regions.RegionResolver
            RegionResolver(settings)
            if settings.country_headers or settings.geoip_database
            else None
        )
        self.access_log: Any = None  # consentkit.accesslog.AccessLog
        if settings.access_log is not None:
            from .accesslog import AccessLog

            # One country lookup (one open MaxMind database) serves both.
            self.access_log = AccessLog(
                settings, country_lookup=self.regions.lookup if self.regions else None
            )
        self.receipts: Any = open_store(settings.receipts, settings)  # a ReceiptStore
        self._plain_default = self.default_consent(settings.default_regime, None, False)
        self._gpc_default = self.default_consent(
            settings.default_regime, None, settings.honour_gpc
        )
        from .discovery import UnknownCookies

        self.discovery: Any = UnknownCookies(  # consentkit.discovery.UnknownCookies
            action="held back" if policy.unknown_cookies == "hold" else "let through",
            warn=settings.warn_unknown_cookies,
        )

    # -- lifespan ------------------------------------------------------------------------

    def startup(self) -> None:
        """Start background work (the access-log writer). Safe to call more than once."""
        if self._started:
            return
        self._started = True
        if self.access_log is not None:
            self.access_log.start()
        # First visits can take the quick path once started, unless where the visitor
        # is decides their regime.
        self._exchange_prefix = self.prefix if self.regions is None else ""

    def shutdown(self) -> None:
        """Flush and close everything opened at start-up."""
        for part in (self.access_log, self.receipts, self.regions):
            close = getattr(part, "close", None)
            if close is not None:
                close()
        self._started = False
        self._exchange_prefix = ""

    # -- requests ------------------------------------------------------------------------

    def begin(self, request: RequestInfo) -> Exchange:
        if not self._started:
            self.startup()
        raw, gpc, cookies = self._scan(request)
        return Exchange(self, request, self._consent(request, raw, gpc), cookies)

    def first_visit(self, path: str, headers: Iterable[tuple[bytes, bytes]]) -> Consent | None:
        """The quick path of a request the app answers, from a browser that sent no
        cookie (a first visit): its consent, the regime's default. ``None`` for any
        other request, which takes :meth:`begin`."""
        if path.startswith(self._exchange_prefix):
            return None
        if self._collection_routes and path in self._collection_routes:
            return None
        gpc = False
        for key, value in headers:
            if key == b"cookie":
                return None
            if key == b"sec-gpc":
                gpc = _sends_gpc(value)
        return self._gpc_default if gpc else self._plain_default

    def passes(self, consent: Consent, headers: Headers) -> bool:
        """Does a first visit's response start go out exactly as the app sent it, body
        untouched? Only when each ``Set-Cookie`` is of a name judged before and granted,
        and the body is not HTML to rewrite. ``False`` sends the response through
        :meth:`Exchange.judge`, which decides every other case."""
        for key, value in headers:
            if key == b"set-cookie":
                category = self._category_by_raw_name.get(value.partition(b"=")[0])
                if category is None or category not in consent.categories:
                    return False
            elif key == b"content-type" and self._rewritten_type.get(value, True) and (
                self.rewrites(value)  # not known to be left alone: ask
            ):
                return False
        return True

    def passes_text(self, consent: Consent, headers: Iterable[tuple[str, str]]) -> bool:
        """:meth:`passes` for response headers as text (WSGI's latin-1 strings), read
        without turning them into bytes: the same answer, from caches keyed by text that
        learn from the ones keyed by bytes."""
        kinds = self._text_header_kinds
        for key, value in headers:
            kind = kinds.get(key)
            if kind is None:
                kind = self._text_header_kind(key)
            if kind == _SET_COOKIE:
                name = value.partition("=")[0]
                category = self._category_by_text_name.get(name, _MISSING)
                if category is _MISSING:
                    category = self._text_name_category(name)
                if category is None or category is _MISSING or (
                    category not in consent.categories
                ):
                    return False
            elif kind == _CONTENT_TYPE and self._rewritten_text_type.get(value, True) and (
                self._text_type_rewritten(value)  # not known to be left alone: ask
            ):
                return False
        return True

    def _text_header_kind(self, name: str) -> int:
        lowered = name.lower()
        kind = (_SET_COOKIE if lowered == "set-cookie"
                else _CONTENT_TYPE if lowered == "content-type" else _OTHER_HEADER)
        if len(self._text_header_kinds) < 256:
            self._text_header_kinds[name] = kind
        return kind

    def _text_name_category(self, name: str) -> object:
        """The category of a ``Set-Cookie`` raw name judged before (:data:`_MISSING` for a
        name not judged yet), remembered by its text."""
        try:
            category = self._category_by_raw_name.get(name.encode("latin-1"), _MISSING)
        except UnicodeEncodeError:
            return _MISSING  # not a header value; the full judgement says so
        if category is not _MISSING:
            if len(self._category_by_text_name) >= CACHE_SIZE:
                self._category_by_text_name.clear()
            self._category_by_text_name[name] = category
        return category

    def _text_type_rewritten(self, content_type: str) -> bool:
        try:
            rewritten = self.rewrites(content_type.encode("latin-1"))
        except UnicodeEncodeError:
            return True  # not a header value; the full judgement says so
        if len(self._rewritten_text_type) < 256:
            self._rewritten_text_type[content_type] = rewritten
        return rewritten

    def rewrites(self, content_type: bytes) -> bool:
        """Is a body of this ``Content-Type`` HTML that the HTML layer rewrites?
        Remembered for the few values a site sends (bounded)."""
        known = self._rewritten_type.get(content_type)
        if known is not None:
            return known
        rewritten = self.html is not None and content_type[:21].lower().startswith(_HTML_TYPES)
        if len(self._rewritten_type) < 256:
            self._rewritten_type[content_type] = rewritten
        return rewritten

    def consent_for(self, request: RequestInfo) -> Consent:
        """The consent in force for this request: the visitor's cookie, else the default
        of the regime where they are. Never raises."""
        raw, gpc, _ = self._scan(request)
        return self._consent(request, raw, gpc)

    def _scan(self, request: RequestInfo) -> tuple[str | None, bool, tuple[bytes, ...]]:
        """One pass over the request headers: the consent cookie's value, whether GPC
        was sent (and is honoured), and the values of the Cookie headers."""
        raw: str | None = None
        gpc = False
        cookies: tuple[bytes, ...] = ()
        for key, value in request.headers:
            if key == b"cookie":
                cookies = (*cookies, value)
                if self._cookie_marker in value:
                    raw = cookie_value(value, self._consent_cookie_pattern) or raw
            elif key == b"sec-gpc":
                gpc = _sends_gpc(value) and self.settings.honour_gpc
        return raw, gpc, cookies

    def _consent(self, request: RequestInfo, raw: str | None, gpc: bool) -> Consent:
        if raw is None and not gpc and self.regions is None:
            return self._plain_default  # the common first visit: nothing to look up
        if self.regions is not None:
            regime, region = self.regions.resolve(request)
        else:
            regime, region = self.settings.default_regime, None
        if raw is not None:
            key = (raw, regime, region, gpc)
            known = self._verified.get(key)
            if known is not None and time.time() <= known[1]:
                return known[0]
            record = self.codec.decode(raw, self.policy.version, self.known_categories)
            if record is not None:
                granted = self.in_force(record.categories, gpc)
                consent = Consent(
                    granted, True, record.id, record.version, record.issued_at,
                    regime, gpc, region, self.known_categories - granted,
                )
                # A value verified once is not verified again until its max age runs out.
                if len(self._verified) >= CACHE_SIZE:
                    self._verified.clear()
                expires = record.issued_at.timestamp() + self.codec.max_age_seconds
                self._verified[key] = (consent, expires)
                return consent
        return self.default_consent(regime, region, gpc)

    def in_force(self, chosen: Iterable[str], gpc: bool) -> frozenset[str]:
        """The categories in force for a choice: the required ones always, and never what
        Global Privacy Control refuses when the browser sent it."""
        granted = frozenset(chosen) | self.required_categories
        return granted - {GPC_REFUSES} if gpc else granted

    def default_consent(self, regime: str, region: str | None, gpc: bool) -> Consent:
        key = (regime, region, gpc)
        found = self._default_consents.get(key)
        if found is None:
            granted = self.in_force(
                self.required_categories if regime == "opt-in" else self.known_categories, gpc
            )
            found = Consent(granted, regime=regime, gpc=gpc, region=region,
                            refused=self.known_categories - granted)
            if len(self._default_consents) < 1024:
                self._default_consents[key] = found
        return found

    def collection_route(self, path: str) -> CollectionRoute | None:
        """The first-party collection route at ``path``, if the policy names one."""
        return self._collection_routes.get(path) if self._collection_routes else None

    # -- cookies -------------------------------------------------------------------------

    def cookie_allowed(self, name: str, consent: Consent) -> bool:
        """May a cookie of this name reach a visitor with this consent?"""
        found = self.classifier.cookie(name)
        if found.category is None:
            if self.discovery is not None:
                self.discovery.note(name)
            return self.policy.unknown_cookies == "allow"
        return found.category in consent.categories

    def set_cookie_allowed(self, value: bytes, consent: Consent) -> bool:
        """May this ``Set-Cookie`` header value reach a visitor with this consent?
        The category is cached by the raw name, the hot path of every response."""
        raw_name = value.partition(b"=")[0]
        category = self._category_by_raw_name.get(raw_name, _MISSING)
        if category is _MISSING:
            category = self.classifier.cookie(set_cookie_name(value)).category
            if len(self._category_by_raw_name) >= 4096:
                self._category_by_raw_name.clear()
            self._category_by_raw_name[raw_name] = category
        if category is None:
            return self.cookie_allowed(set_cookie_name(value), consent)
        return category in consent.categories

    def cleanup_headers(self, request: RequestInfo, consent: Consent,
                        cookies: tuple[bytes, ...] | None = None) -> Headers:
        """``Set-Cookie`` headers that expire the request's cookies of refused categories.
        Cached by the Cookie header values (``cookies``, when the caller has them), host
        and consent: a browser sends the same cookies request after request."""
        key = None
        if cookies is not None:
            key = (cookies, request.host, consent.categories)
            found = self._cleanups.get(key)
            if found is not None:
                return found
        out: Headers = []
        for name in request.cookies:
            if name == self.settings.cookie_name:
                continue
            found_rule = self.classifier.cookie(name)
            if found_rule.category is None or found_rule.category in consent.categories:
                continue
            rule = self.classifier.cookie_rule(name)
            path = rule.path if rule else "/"
            domains: list[str | None] = [None]
            if rule is not None and rule.domain:
                domains.append(rule.domain)
            domains += parent_domains(request.host)
            for domain in dict.fromkeys(domains):
                out.append((b"set-cookie", expire_cookie(name, path, domain)))
        if key is not None:
            if len(self._cleanups) >= CACHE_SIZE:
                self._cleanups.clear()
            self._cleanups[key] = out
        return out


def parent_domains(host_header: str) -> list[str | None]:
    """``www.shop.example.com`` -> ``[shop.example.com, example.com]`` plus the host
    itself as a Domain cookie; nothing for IP addresses and single-label hosts."""
    host = host_header.rsplit(":", 1)[0] if not host_header.endswith("]") else ""
    labels = host.lower().strip(".").split(".")
    if len(labels) < 2 or labels[-1].isdigit():
        return []
    return [".".join(labels[i:]) for i in range(len(labels) - 1)]


class Exchange:
    """One request and its response. Never stored on the middleware."""

    __slots__ = ("consent", "cookies", "engine", "request", "started")

    def __init__(self, engine: Engine, request: RequestInfo, consent: Consent,
                 cookies: tuple[bytes, ...] = ()) -> None:
        self.engine = engine
        self.request = request
        self.consent = consent
        self.cookies = cookies  # the values of the request's Cookie headers
        self.started = time.perf_counter() if engine.access_log is not None else 0.0

    def intercept(self) -> Route | None:
        """A route the engine answers itself, or ``None`` when the app should answer."""
        engine, path = self.engine, self.request.path
        if path.startswith(engine.prefix):
            from .endpoint import route_for

            return route_for(self, path)
        collection = engine.collection_route(path)
        if (
            collection is not None
            and self.request.method in collection.methods
            and collection.category not in self.consent.categories
        ):
            from .endpoint import FixedRoute

            return FixedRoute(Reply(204, [(b"cache-control", b"no-store")]))
        return None

    def answer(self, route: Route, body: bytes) -> Reply:
        """The reply of a route the engine answers itself (no body for HEAD)."""
        reply = route.respond(body)
        if self.request.method == "HEAD" and reply.body:
            reply = Reply(reply.status, reply.headers)
        return reply

    def response(
        self, status: int, headers: Headers, rewrite_body: bool = True
    ) -> ResponsePlan:
        """Judge the app's response start: drop Set-Cookie of refused categories, expire
        refused cookies the browser still has, and plan the HTML rewrite (unless the body
        is not the adapter's to rewrite: a file sent by the server, ASGI pathsend)."""
        plan = self.judge(status, headers, rewrite_body)
        return ResponsePlan(status, headers) if plan is None else plan

    def judge(
        self, status: int, headers: Headers, rewrite_body: bool = True
    ) -> ResponsePlan | None:
        """:meth:`response`, or ``None`` when the start goes out exactly as the app sent
        it and the body is not rewritten (the common case, kept cheap)."""
        engine, consent = self.engine, self.consent
        refused: list[int] | None = None
        html = False
        for index, (key, value) in enumerate(headers):
            if key == b"set-cookie":
                if not (engine.set_cookie_allowed(value, consent) or _is_deletion(value)):
                    logger.debug("held back Set-Cookie %r", value.partition(b"=")[0])
                    if refused is None:
                        refused = []
                    refused.append(index)
            elif key == b"content-type":
                html = engine.rewrites(value)
        rewrite = (
            html
            and rewrite_body
            and status not in _NO_BODY_STATUSES
            and status >= 200
            and self.request.method != "HEAD"
        )
        if refused is None and not self.cookies and not rewrite:
            return None
        plan = ResponsePlan(status, headers)
        if refused is not None:
            dropped = set(refused)
            plan.headers = [item for at, item in enumerate(headers) if at not in dropped]
            plan.changed = True
        if self.cookies:
            cleanup = engine.cleanup_headers(self.request, consent, self.cookies)
            if cleanup:
                plan.headers = [*plan.headers, *cleanup]
                plan.changed = True
        if rewrite:
            new_headers, body_filter = engine.html.plan(
                self.request, consent, status, plan.headers
            )
            if body_filter is not None or new_headers is not plan.headers:
                plan.headers, plan.body_filter, plan.changed = new_headers, body_filter, True
        return plan

    def finish(self, status: int, response_bytes: int) -> None:
        """Called once after the last byte (or the failure) of the response."""
        log = self.engine.access_log
        if log is not None:
            log.record(self.request, self.consent, status, response_bytes,
                       time.perf_counter() - self.started)


_DELETION = re.compile(rb"(?i);\s*(max-age\s*=\s*(0+|-\d+)\s*(;|$)|expires\s*=\s*thu, 01 jan 1970)")


def _is_deletion(value: bytes) -> bool:
    """A Set-Cookie that removes a cookie is always let through."""
    return _DELETION.search(value) is not None
