"""The pure-ASGI adapter: ``app.add_middleware(ConsentMiddleware, secret_key="...")``.

A thin translation of ASGI into calls on :class:`~consentkit.engine.Engine`; every
decision is the engine's. Per-request state lives in the closure that wraps the app's
``send`` for that request, never on the middleware.
"""

from __future__ import annotations

from time import perf_counter
from typing import TYPE_CHECKING, Unpack

import anyio.to_thread

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
        self.engine = Engine(Settings(**options))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            if scope["type"] == "lifespan":
                receive = self._lifespan_receive(receive)
            await self.app(scope, receive, send)
            return
        # HTTP, written out here rather than in a second coroutine: this is every
        # request's path. A first visit (no cookie) that the app answers takes the quick
        # path: no request object, no exchange, unless its response needs a change.
        engine = self.engine
        log = engine.access_log
        started = perf_counter() if log is not None else 0.0
        exchange: Exchange | None = None
        consent = engine.first_visit(scope["path"], scope["headers"])
        if consent is None:
            exchange = engine.begin(request_info(scope))
            consent = exchange.consent
        state = scope.get("state")
        if state is None:
            scope["state"] = state = {}
        state["consent"] = consent
        if exchange is not None:
            route = exchange.intercept()
            if route is not None:
                await _answer(exchange, route, receive, send)
                return
        # The app's send, judged: a closure over this request's state (nothing of it on
        # the middleware), as cheap as it can be for a response that needs no change.
        status = 500  # until the app starts its response
        sent = 0
        plan: ResponsePlan | None = None  # set while the body is rewritten
        held: Message | None = None  # the start, held until the first rewritten chunk

        async def judged_send(message: Message) -> None:
            nonlocal exchange, status, sent, plan, held
            kind = message["type"]
            if kind == "http.response.body":
                if plan is None:
                    sent += len(message.get("body", b""))
                    await send(message)
                    return
                more = message.get("more_body", False)
                out = plan.rewrite(message.get("body", b""), last=not more)
                if held is not None:
                    headers = plan.headers if more else plan.headers_with_length(len(out))
                    start, held = held, None
                    await send({**start, "headers": headers})
                sent += len(out)
                await send({"type": "http.response.body", "body": out, "more_body": more})
            elif kind == "http.response.start":
                status = message["status"]
                headers = message.get("headers") or []
                if exchange is None:
                    if engine.passes(consent, status, headers):
                        await send(message)
                        return
                    exchange = engine.begin(request_info(scope))
                judged = exchange.judge(status, headers)
                if judged is not None:
                    if judged.body_filter is not None:
                        # Hold the start until the first body chunk: with the whole body
                        # at hand the Content-Length can be exact, otherwise it streams.
                        plan, held = judged, message
                        return
                    if judged.changed:
                        message = {**message, "headers": judged.headers}
                await send(message)
            else:
                if held is not None:
                    # pathsend and other extensions: the body is not ours to rewrite, so
                    # the start goes out judged without the rewrite.
                    assert exchange is not None
                    start, held, plan = held, None, None
                    unwritten = exchange.response(
                        status, list(start.get("headers", ())), rewrite_body=False
                    )
                    await send({**start, "headers": unwritten.headers})
                await send(message)

        try:
            await self.app(scope, receive, judged_send)
        finally:
            if exchange is not None:
                exchange.finish(status, sent)
            elif log is not None:  # the scope is read on the log's writer thread
                log.record(scope, consent, status, sent, perf_counter() - started)

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
