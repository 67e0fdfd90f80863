"""The pure-ASGI adapter: ``app.add_middleware(ConsentMiddleware, secret_key="...")``.

A thin translation of ASGI into calls on :class:`~consentkit.engine.Engine`; every
decision is the engine's. Per-request state lives in the closure that wraps the app's
``send`` for that request, or in a :class:`_Responder` built for it, never on the
middleware.
"""

from __future__ import annotations

from collections.abc import Awaitable
from time import perf_counter
from typing import TYPE_CHECKING, Any, Unpack

import anyio.to_thread

from .consent import Consent
from .endpoint import ConsentEndpoint, PendingChoice
from .engine import Engine, Exchange, ResponsePlan
from .http import Reply, RequestInfo
from .options import ConsentOptions
from .settings import Settings

if TYPE_CHECKING:
    from starlette.types import ASGIApp, Message, Receive, Scope, Send

    from .endpoint import Route


class ConsentMiddleware:
    """Holds back non-essential cookies and trackers until the visitor consents.

    Takes the options of :class:`~consentkit.settings.Settings` as keyword arguments;
    a bad one raises :class:`~consentkit.errors.ConfigError` here, at start-up.
    """

    def __init__(self, app: ASGIApp, **options: Unpack[ConsentOptions]) -> None:
        self.app = app
        self.engine = engine = Engine(Settings(**options))
        self._first_visit = engine.first_visit
        self._passes = engine.passes
        self._log = engine.access_log

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            if scope["type"] == "lifespan":
                receive = self._lifespan_receive(receive)
            await self.app(scope, receive, send)
            return
        # HTTP, written out here rather than in a second coroutine: this is every
        # request's path. A first visit (no cookie) that the app answers takes the quick
        # path: no request object and no exchange unless its response needs a change.
        consent = self._first_visit(scope["path"], scope["headers"])
        if consent is None:
            await self._exchange(scope, receive, send)
            return
        _put_consent(scope, consent)
        judged: _Responder | None = None  # once the response needs the engine's judgement
        if self._log is not None:
            # The quick path below, also counting the status and bytes for the access
            # log, which gets a tuple of the scope's values (not the scope: what the app
            # put in it is let go with the request) and reads them on its own thread.
            # The counts live in a list bound to the wrapper like the rest (see
            # quick_send), not in variables of this function, which every request would
            # pay to make cells for.
            counts = [500, 0, perf_counter()]  # status, bytes sent, when it began

            def logged_send(
                message: Message, counts: list[Any] = counts, send: Send = send,
                consent: Consent = consent, scope: Scope = scope,
                middleware: ConsentMiddleware = self,
            ) -> Awaitable[None]:
                nonlocal judged
                if judged is None:
                    kind = message["type"]
                    if kind == "http.response.body":
                        counts[1] += len(message.get("body", b""))
                    elif kind == "http.response.start":
                        counts[0] = message["status"]
                        if not middleware._passes(consent, message.get("headers", ())):
                            judged = _Responder(
                                middleware.engine.begin(request_info(scope)), send)
                            judged.exchange.started = counts[2]
                            return judged.send(message)
                    return send(message)
                return judged.send(message)

            try:
                await self.app(scope, receive, logged_send)
            finally:
                if judged is not None:
                    judged.exchange.finish(judged.status, judged.sent)
                else:
                    status, sent, started = counts
                    self._log.enqueue((
                        started, perf_counter(), scope["method"], scope["path"],
                        scope.get("query_string", b""), scope.get("client"),
                        scope["headers"], consent, status, sent))
            return

        # A plain function that returns the awaitable of the ``send`` it hands on to: the
        # app awaits that, with no coroutine of ours in between. What it reads is bound
        # as default values (one tuple per request) rather than closed over (a cell per
        # variable); only ``judged`` changes, so only it is a cell.
        def quick_send(
            message: Message, send: Send = send, consent: Consent = consent,
            scope: Scope = scope, middleware: ConsentMiddleware = self,
        ) -> Awaitable[None]:
            nonlocal judged
            if judged is None:
                if message["type"] != "http.response.start" or middleware._passes(
                    consent, message.get("headers", ())
                ):
                    return send(message)  # the start as the app sent it, and its body
                judged = _Responder(middleware.engine.begin(request_info(scope)), send)
            return judged.send(message)

        await self.app(scope, receive, quick_send)

    async def _exchange(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Every request but a quick first visit: the engine's exchange from the start."""
        exchange = self.engine.begin(request_info(scope))
        _put_consent(scope, exchange.consent)
        route = exchange.intercept()
        if route is not None:
            await _answer(exchange, route, receive, send)
            return
        responder = _Responder(exchange, send)
        try:
            await self.app(scope, receive, responder.send)
        finally:
            exchange.finish(responder.status, responder.sent)

    def _lifespan_receive(self, receive: Receive) -> Receive:
        engine = self.engine

        async def wrapped() -> Message:
            message = await receive()
            if message["type"] == "lifespan.startup":
                engine.startup()
            elif message["type"] == "lifespan.shutdown":
                if engine.receipts is not None:
                    await engine.receipts.aclose()  # what asave opened on this loop
                await anyio.to_thread.run_sync(engine.shutdown)
            return message

        return wrapped


def _put_consent(scope: Scope, consent: Consent) -> None:
    """``request.state.consent`` for the app."""
    state = scope.get("state")
    if state is None:
        scope["state"] = {"consent": consent}
    else:
        state["consent"] = consent


def request_info(scope: Scope) -> RequestInfo:
    """The parts of an HTTP scope the engine reads."""
    return RequestInfo(
        scope["method"],
        scope["path"],
        scope["headers"],
        scope.get("query_string", b""),
        scope.get("client"),
        scope.get("scheme", "http"),
        scope.get("root_path", ""),
    )


async def _answer(exchange: Exchange, route: Route, receive: Receive, send: Send) -> None:
    body = b""
    if route.needs_body:
        body = await _read_body(receive, route.max_body)
    if isinstance(route, ConsentEndpoint) and route.saves_async:
        reply = await _record_on_loop(route, body)
    elif route.blocking:
        reply = await anyio.to_thread.run_sync(exchange.answer, route, body)
    else:
        reply = exchange.answer(route, body)
    await send({"type": "http.response.start", "status": reply.status, "headers": reply.headers})
    await send({"type": "http.response.body", "body": reply.body})
    exchange.finish(reply.status, len(reply.body))


async def _record_on_loop(route: ConsentEndpoint, body: bytes) -> Reply:
    """A choice whose receipt the store saves on the event loop (``asave``), no thread."""
    decision = route.decide(body)
    if not isinstance(decision, PendingChoice):
        return decision
    try:
        await route.exchange.engine.receipts.asave(decision.receipt)
    except Exception as exc:  # any storage failure: ask again rather than lose the proof
        return decision.not_stored(exc)
    return decision.stored()


async def _read_body(receive: Receive, limit: int) -> bytes:
    """Read the request body, stopping once it is longer than ``limit``."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunk = message.get("body", b"")
        chunks.append(chunk)
        size += len(chunk)
        if size > limit or not message.get("more_body", False):
            break
    return b"".join(chunks)


class _Responder:
    """Wraps ``send`` for one response: applies the engine's plan to it."""

    __slots__ = ("exchange", "held", "plan", "send_next", "sent", "status")

    def __init__(self, exchange: Exchange, send: Send) -> None:
        self.exchange = exchange
        self.send_next = send
        self.plan: ResponsePlan | None = None
        self.held: Message | None = None
        self.status = 500  # until the app starts its response
        self.sent = 0

    async def send(self, message: Message) -> None:
        kind = message["type"]
        if kind == "http.response.body":
            if self.plan is not None:
                await self._filtered(message)
                return
            self.sent += len(message.get("body", b""))
            await self.send_next(message)
        elif kind == "http.response.start":
            self.status = message["status"]
            plan = self.exchange.judge(self.status, message.get("headers") or [])
            if plan is not None:
                if plan.body_filter is not None:
                    # Hold the start until the first body chunk: with the whole body at
                    # hand the Content-Length can be exact, otherwise the body streams.
                    self.plan, self.held = plan, message
                    return
                if plan.changed:
                    message = {**message, "headers": plan.headers}
            await self.send_next(message)
        else:
            if self.held is not None:
                # pathsend and other extensions: the body is not ours to rewrite, so the
                # start goes out judged without the rewrite.
                start, self.held, self.plan = self.held, None, None
                plan = self.exchange.response(
                    self.status, list(start.get("headers", ())), rewrite_body=False
                )
                await self.send_next({**start, "headers": plan.headers})
            await self.send_next(message)

    async def _filtered(self, message: Message) -> None:
        assert self.plan is not None
        more = message.get("more_body", False)
        out = self.plan.rewrite(message.get("body", b""), last=not more)
        if self.held is not None:
            headers = self.plan.headers if more else self.plan.headers_with_length(len(out))
            await self.send_next({**self.held, "headers": headers})
            self.held = None
        self.sent += len(out)
        await self.send_next({"type": "http.response.body", "body": out, "more_body": more})
