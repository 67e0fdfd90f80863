"""The ASGI adapter: protocol edges (websocket, lifespan, streaming, HEAD, 204/304),
collection routes, static assets, and an async client."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import anyio
import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response, StreamingResponse
from starlette.routing import Route, WebSocketRoute
from starlette.testclient import TestClient
from starlette.websockets import WebSocket

from consentkit import ConsentMiddleware, Policy
from consentkit.policy import CollectionRoute

from .conftest import SECRET, make_app, set_cookie_names


async def echo(websocket: WebSocket) -> None:
    await websocket.accept()
    await websocket.send_text("hello " + await websocket.receive_text())
    await websocket.close()


async def stream(request: Request) -> StreamingResponse:
    async def chunks() -> AsyncIterator[bytes]:
        for index in range(3):
            yield f"chunk{index};".encode()

    response = StreamingResponse(chunks(), media_type="text/plain")
    response.set_cookie("_fbp", "x")
    return response


async def empty(request: Request) -> Response:
    response = Response(status_code=int(request.path_params["code"]))
    response.set_cookie("_ga", "1")
    response.set_cookie("session", "1")
    return response


def app_with_routes(**options: Any) -> Starlette:
    events: list[str] = []

    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        events.append("startup")
        yield
        events.append("shutdown")

    from contextlib import asynccontextmanager

    app = Starlette(
        routes=[
            WebSocketRoute("/ws", echo),
            Route("/stream", stream),
            Route("/empty/{code:int}", empty, methods=["GET", "HEAD"]),
            Route("/collect", lambda r: PlainTextResponse("app saw it"), methods=["POST"]),
        ],
        lifespan=asynccontextmanager(lifespan),
    )
    app.state.events = events
    app.add_middleware(ConsentMiddleware, secret_key=SECRET, **options)
    return app


def test_websockets_pass_through() -> None:
    with TestClient(app_with_routes()) as client, client.websocket_connect("/ws") as ws:
        ws.send_text("there")
        assert ws.receive_text() == "hello there"


def test_lifespan_reaches_the_app() -> None:
    app = app_with_routes()
    with TestClient(app):
        assert app.state.events == ["startup"]
    assert app.state.events == ["startup", "shutdown"]


def test_streaming_stays_streaming_and_cookies_are_judged() -> None:
    client = TestClient(app_with_routes())
    with client.stream("GET", "/stream") as response:
        pieces = list(response.iter_bytes())
        assert b"".join(pieces) == b"chunk0;chunk1;chunk2;"
        assert "_fbp" not in set_cookie_names(response)


async def test_streaming_sends_each_chunk_as_it_comes() -> None:
    app = app_with_routes()
    sent: list[dict[str, Any]] = []
    received: list[bool] = []

    async def receive() -> dict[str, Any]:
        if received:  # the body was read: the client then only ever disconnects
            await anyio.sleep_forever()
        received.append(True)
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {"type": "http", "method": "GET", "path": "/stream", "headers": [],
             "query_string": b"", "http_version": "1.1", "scheme": "http",
             "root_path": "", "client": ("127.0.0.1", 1), "server": ("t", 80)}
    await app(scope, receive, send)
    bodies = [m["body"] for m in sent if m["type"] == "http.response.body" and m["body"]]
    assert bodies == [b"chunk0;", b"chunk1;", b"chunk2;"]


def test_204_and_304_and_head_still_have_their_cookies_judged() -> None:
    client = TestClient(app_with_routes())
    for code in (204, 304):
        response = client.get(f"/empty/{code}")
        assert response.status_code == code
        assert response.content == b""
        assert set_cookie_names(response) == ["session"]
    head = client.head("/empty/200")
    assert head.status_code == 200 and set_cookie_names(head) == ["session"]


def test_collection_route_answers_204_until_its_category_is_granted() -> None:
    policy = Policy(collection_routes=[CollectionRoute("/collect", "analytics", ("POST",))])
    client = TestClient(app_with_routes(policy=policy, cookie_secure=False),
                        base_url="http://shop.test")
    refused = client.post("/collect", content=b"event")
    assert refused.status_code == 204 and refused.content == b""
    client.post("/consentkit/consent", json={"categories": ["analytics"]})
    granted = client.post("/collect", content=b"event")
    assert granted.status_code == 200 and granted.text == "app saw it"


def test_static_paths_outside_the_assets_are_refused() -> None:
    client = TestClient(app_with_routes())
    assert client.get("/consentkit/static/../../pyproject.toml").status_code == 404
    assert client.get("/consentkit/static/no-such-file.js").status_code == 404
    assert client.post("/consentkit/static/consentkit.js").status_code == 405


def test_static_files_from_a_folder(tmp_path: Any) -> None:
    from consentkit.http import RequestInfo
    from consentkit.static_files import StaticFiles

    (tmp_path / "banner.js").write_text("console.log('hi');" * 50)
    files = StaticFiles("/consentkit/static/", tmp_path)
    request = RequestInfo("GET", "/consentkit/static/banner.js",
                          [(b"accept-encoding", b"gzip, br")])
    reply = files.serve(request, request.path)
    headers = dict(reply.headers)
    assert reply.status == 200 and headers[b"content-encoding"] == b"gzip"
    assert headers[b"content-type"].startswith(b"text/javascript")
    again = RequestInfo("GET", request.path, [(b"if-none-match", headers[b"etag"])])
    assert files.serve(again, again.path).status == 304
    assert files.url("banner.js").startswith("/consentkit/static/banner.js?v=")


async def test_async_client_through_httpx() -> None:
    transport = httpx.ASGITransport(app=make_app())
    async with httpx.AsyncClient(transport=transport, base_url="http://shop.test") as client:
        before = await client.get("/")
        assert set_cookie_names(before) == ["session", "csrftoken"]
        await client.post("/consentkit/consent", json={"categories": ["analytics"]})
        after = await client.get("/")
        assert "_ga" in set_cookie_names(after)
        assert "_fbp" not in set_cookie_names(after)
