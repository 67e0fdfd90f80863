"""Routes the engine answers itself: the consent endpoint, static assets, gated routes.

``GET {prefix}/consent`` answers the visitor's state as JSON. ``POST {prefix}/consent``
with ``{"categories": [...], "lang": "en"}`` records a choice: it stores a receipt (when a
store is configured), sets the signed consent cookie and expires the cookies of the
categories that are no longer granted. An empty list withdraws everything optional.

The endpoint does no I/O of its own: :meth:`ConsentEndpoint.decide` answers, or hands back
a :class:`PendingChoice` whose receipt the caller stores (``store.save`` in
:meth:`ConsentEndpoint.respond`, ``await store.asave`` in the ASGI adapter) before
:meth:`PendingChoice.stored` or :meth:`PendingChoice.not_stored` gives the answer.
"""

from __future__ import annotations

import json
import logging
from typing import TYPE_CHECKING, Any, Protocol

from .consent import Consent
from .consent_cookie import new_consent_id
from .errors import ConsentRequestError
from .http import Headers, Reply, parse_media_type

if TYPE_CHECKING:
    from .engine import Engine, Exchange
    from .receipts import Receipt

logger = logging.getLogger("consentkit")

MAX_BODY = 4096
_ALLOWED_KEYS = frozenset({"categories", "lang"})


class Route(Protocol):
    """A request the engine answers without the app."""

    needs_body: bool
    max_body: int
    blocking: bool  # may do I/O: an async adapter runs respond() in a worker thread

    def respond(self, body: bytes) -> Reply: ...


class FixedRoute:
    needs_body = False
    max_body = 0
    blocking = False

    def __init__(self, reply: Reply) -> None:
        self.reply = reply

    def respond(self, body: bytes) -> Reply:
        return self.reply


def route_for(exchange: Exchange, path: str) -> Route | None:
    engine = exchange.engine
    prefix = engine.settings.prefix
    if path != prefix and not path.startswith(prefix + "/"):
        return None
    if path == engine.endpoint_path:
        return ConsentEndpoint(exchange)
    if path.startswith(engine.static_prefix):
        return FixedRoute(engine.static.serve(exchange.request, path))
    if path == prefix + "/discovery" and engine.settings.debug and engine.discovery is not None:
        return FixedRoute(Reply.json(200, engine.discovery.report()))
    return FixedRoute(Reply.json(404, {"error": "not_found", "message": f"no route {path}"}))


class ConsentEndpoint:
    max_body = MAX_BODY

    def __init__(self, exchange: Exchange) -> None:
        self.exchange = exchange
        method = exchange.request.method
        store = exchange.engine.receipts
        self.needs_body = method == "POST"
        self.blocking = method == "POST" and store is not None
        # An async adapter may await store.asave instead of running respond() in a thread.
        self.saves_async: bool = self.blocking and store.saves_async

    def respond(self, body: bytes) -> Reply:
        """The answer, storing the receipt of a choice with the store's blocking ``save``."""
        decision = self.decide(body)
        if isinstance(decision, Reply):
            return decision
        try:
            self.exchange.engine.receipts.save(decision.receipt)
        except Exception as exc:  # any storage failure: ask again rather than lose the proof
            return decision.not_stored(exc)
        return decision.stored()

    def decide(self, body: bytes) -> Reply | PendingChoice:
        """The answer, or a valid choice whose receipt must be stored before it."""
        method = self.exchange.request.method
        try:
            if method in ("GET", "HEAD"):
                return Reply.json(200, self.exchange.consent.to_json())
            if method == "POST":
                return self._record(body)
            raise ConsentRequestError(405, "method_not_allowed", "use GET or POST")
        except ConsentRequestError as exc:
            extra: Headers = [(b"allow", b"GET, HEAD, POST")] if exc.status == 405 else []
            return Reply.json(exc.status, {"error": exc.code, "message": exc.message}, extra)

    def _record(self, body: bytes) -> Reply | PendingChoice:
        exchange, engine = self.exchange, self.exchange.engine
        request, before = exchange.request, exchange.consent
        check_same_origin(request)
        media, _ = parse_media_type(request.header_str(b"content-type") or "")
        if media != "application/json":
            raise ConsentRequestError(415, "unsupported_media_type",
                                      "send the choice as Content-Type: application/json")
        if len(body) > MAX_BODY:
            raise ConsentRequestError(413, "body_too_large",
                                      f"the body must be at most {MAX_BODY} bytes")
        chosen, lang = parse_choice(body, engine)
        granted = engine.in_force(chosen, before.gpc)
        refused = engine.known_categories - granted
        consent_id = before.id or new_consent_id()
        after = Consent(granted, True, consent_id, engine.policy.version, None,
                        before.regime, before.gpc, before.region, refused)
        if engine.receipts is None:
            return accepted(exchange, after)
        from .receipts.build import build_receipt

        try:
            receipt = build_receipt(
                engine.settings, request, after.categories, after.refused, consent_id,
                after.regime, after.region, after.gpc, lang,
            )
        except Exception as exc:  # no receipt, no consent: ask again
            return unavailable(exc)
        return PendingChoice(exchange, after, receipt)


class PendingChoice:
    """A valid choice whose receipt must be stored before the endpoint answers."""

    __slots__ = ("after", "exchange", "receipt")

    def __init__(self, exchange: Exchange, after: Consent, receipt: Receipt) -> None:
        self.exchange = exchange
        self.after = after
        self.receipt = receipt

    def stored(self) -> Reply:
        """The answer once the receipt is durable: 200, the consent cookie, cleanup."""
        return accepted(self.exchange, self.after)

    def not_stored(self, error: Exception) -> Reply:
        """The answer when the receipt could not be stored: 503 and no cookie."""
        return unavailable(error)


def accepted(exchange: Exchange, after: Consent) -> Reply:
    """200 with the new state, the signed consent cookie and the expiry of the cookies of
    the categories no longer granted."""
    engine = exchange.engine
    cookie = consent_cookie_header(engine, after.categories, after.id or "")
    cleanup = engine.cleanup_headers(exchange.request, after)
    return Reply.json(200, after.to_json(), [(b"set-cookie", cookie), *cleanup])


def unavailable(error: Exception) -> Reply:
    """503 without a cookie: the visitor is asked again rather than given a consent that
    cannot be proved."""
    logger.error("consent receipt could not be stored", exc_info=error)
    return Reply.json(503, {"error": "storage_unavailable",
                            "message": "the choice could not be recorded; try again"})


def parse_choice(body: bytes, engine: Engine) -> tuple[list[str], str | None]:
    """Validate ``{"categories": [...], "lang": "xx"}``; raises ConsentRequestError(400)."""
    try:
        data: Any = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise ConsentRequestError(400, "malformed_json", "the body is not valid JSON") from None
    if not isinstance(data, dict):
        raise ConsentRequestError(400, "invalid_choice", "send a JSON object")
    extra = set(data) - _ALLOWED_KEYS
    if extra:
        raise ConsentRequestError(400, "invalid_choice", f"unknown keys: {sorted(extra)}")
    categories = data.get("categories")
    if not isinstance(categories, list) or not all(isinstance(c, str) for c in categories):
        raise ConsentRequestError(400, "invalid_choice",
                                  '"categories" must be a list of category names')
    unknown = sorted(set(categories) - engine.known_categories)
    if unknown:
        raise ConsentRequestError(400, "unknown_category",
                                  f"unknown categories {unknown}; known: "
                                  f"{sorted(engine.known_categories)}")
    lang = data.get("lang")
    if lang is not None and (not isinstance(lang, str) or len(lang) > 35):
        raise ConsentRequestError(400, "invalid_choice", '"lang" must be a language tag')
    return categories, lang


def check_same_origin(request: Any) -> None:
    """Refuse cross-site POSTs: a foreign ``Origin`` or ``Sec-Fetch-Site: cross-site``."""
    if request.header(b"sec-fetch-site") == b"cross-site":
        raise ConsentRequestError(403, "cross_site", "cross-site requests cannot record consent")
    origin = request.header_str(b"origin")
    if origin is None:
        return
    netloc = origin.split("://", 1)[1] if "://" in origin else ""
    if not netloc or netloc.lower() != request.host.lower():
        raise ConsentRequestError(403, "cross_site",
                                  "the Origin of this request is not this site")


def consent_cookie_header(engine: Engine, categories: frozenset[str], consent_id: str) -> bytes:
    """The ``Set-Cookie`` value of the signed consent cookie."""
    settings = engine.settings
    optional = sorted(categories - engine.required_categories)  # required ones are implied
    value = engine.codec.encode(engine.policy.version, optional, consent_id)
    parts = [
        f"{settings.cookie_name}={value}",
        f"Max-Age={engine.policy.consent_lifetime_days * 86_400}",
        "Path=/",
        "SameSite=Lax",
        "HttpOnly",
    ]
    if settings.cookie_domain:
        parts.append(f"Domain={settings.cookie_domain}")
    if settings.cookie_secure:
        parts.append("Secure")
    return "; ".join(parts).encode("latin-1")
