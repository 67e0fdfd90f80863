"""Open what ``consentkit scan`` looks at: a URL, or an ASGI/WSGI app run in-process.

``open_target("http://127.0.0.1:8000")`` crawls over the network;
``open_target("shop.main:app")`` imports the app and talks to it through httpx's ASGI or
WSGI transport (running the ASGI lifespan around the scan).
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import inspect
import os
import sys
from collections.abc import AsyncIterator, Awaitable, Callable, MutableMapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpx

from ..errors import ConfigError

IN_PROCESS_ORIGIN = "http://testserver"
USER_AGENT = "consentkit-scan/1"

ASGIApp = Callable[[MutableMapping[str, Any], Any, Any], Awaitable[None]]


@dataclass(slots=True)
class Target:
    """An open target: a client to talk to it, its origin and the first page."""

    spec: str
    client: httpx.AsyncClient
    origin: str
    start_url: str
    app: Any = None  # the imported app, for in-process targets
    kind: str = "url"  # "url", "asgi" or "wsgi"


def is_url(spec: str) -> bool:
    return spec.startswith(("http://", "https://"))


def load_app(spec: str) -> Any:
    """Import ``package.module:attribute`` (the current directory is importable)."""
    module_name, sep, attribute = spec.partition(":")
    if not sep or not module_name or not attribute:
        raise ConfigError("target", f"{spec!r} is neither a URL nor 'package.module:app'")
    if os.getcwd() not in sys.path:
        sys.path.insert(0, os.getcwd())
    try:
        found: Any = importlib.import_module(module_name)
    except ImportError as exc:
        raise ConfigError("target", f"cannot import {module_name!r}: {exc}") from None
    for part in attribute.split("."):
        try:
            found = getattr(found, part)
        except AttributeError:
            raise ConfigError("target", f"{module_name!r} has no attribute {attribute!r}") \
                from None
    return found


def is_asgi(app: Any) -> bool:
    """ASGI apps are coroutine callables; Flask and other WSGI apps are plain callables."""
    if hasattr(app, "wsgi_app"):
        return False
    if inspect.isroutine(app):
        return inspect.iscoroutinefunction(app)
    return inspect.iscoroutinefunction(type(app).__call__)


@asynccontextmanager
async def open_target(spec: str, *, timeout_s: float = 10.0) -> AsyncIterator[Target]:
    """A :class:`Target` for a URL or an in-process app; closes everything on exit."""
    limits = httpx.Timeout(timeout_s)
    headers = {"user-agent": USER_AGENT, "accept": "text/html,*/*;q=0.8"}
    if is_url(spec):
        parts = urlsplit(spec)
        if not parts.hostname:
            raise ConfigError("target", f"{spec!r} has no host")
        origin = f"{parts.scheme}://{parts.netloc}"
        async with httpx.AsyncClient(timeout=limits, headers=headers) as client:
            yield Target(spec, client, origin, spec if parts.path else origin + "/")
        return
    app = load_app(spec)
    if is_asgi(app):
        async with lifespan(app) as wrapped:
            transport: httpx.AsyncBaseTransport = httpx.ASGITransport(app=wrapped)
            async with httpx.AsyncClient(transport=transport, timeout=limits,
                                         headers=headers) as client:
                yield Target(spec, client, IN_PROCESS_ORIGIN, IN_PROCESS_ORIGIN + "/", app,
                             "asgi")
        return
    if not callable(app):
        raise ConfigError("target", f"{spec!r} is not an ASGI or WSGI application")
    sync_transport = httpx.WSGITransport(app=app)
    async with httpx.AsyncClient(transport=SyncTransport(sync_transport), timeout=limits,
                                 headers=headers) as client:
        yield Target(spec, client, IN_PROCESS_ORIGIN, IN_PROCESS_ORIGIN + "/", app, "wsgi")


class SyncTransport(httpx.AsyncBaseTransport):
    """Lets an ``AsyncClient`` drive a synchronous transport (httpx's WSGI transport)."""

    def __init__(self, transport: httpx.BaseTransport) -> None:
        self.transport = transport

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = self.transport.handle_request(request)
        try:
            body = b"".join(response.iter_raw())
        finally:
            response.close()
        return httpx.Response(response.status_code, headers=response.headers, content=body,
                              request=request)


@asynccontextmanager
async def lifespan(app: ASGIApp) -> AsyncIterator[ASGIApp]:
    """Run the app's lifespan startup and shutdown around the scan. An app without
    lifespan support is used as it is. Yields the app to call, which passes the lifespan
    state to each request as a server does."""
    state: dict[str, Any] = {}
    to_app: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
    from_app: asyncio.Queue[dict[str, Any]] = asyncio.Queue()

    async def receive() -> dict[str, Any]:
        return await to_app.get()

    async def send(message: dict[str, Any]) -> None:
        await from_app.put(message)

    async def run() -> None:
        scope = {"type": "lifespan", "asgi": {"version": "3.0", "spec_version": "2.0"},
                 "state": state}
        # An app without lifespan support may raise on the scope: it is used without.
        with contextlib.suppress(Exception):
            await app(scope, receive, send)
        await from_app.put({"type": "ended"})

    task = asyncio.create_task(run())
    await to_app.put({"type": "lifespan.startup"})
    started = await from_app.get()
    if started["type"] == "lifespan.startup.failed":
        raise ConfigError("target", f"the app's startup failed: {started.get('message', '')}")
    supported = started["type"] == "lifespan.startup.complete"

    async def with_state(scope: MutableMapping[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "http" and state:
            scope = {**scope, "state": dict(state)}
        await app(scope, receive, send)

    try:
        yield with_state
    finally:
        if supported:
            await to_app.put({"type": "lifespan.shutdown"})
            await from_app.get()
        await task
