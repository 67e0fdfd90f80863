"""The same small app written twice, for FastAPI (ASGI middleware) and for Flask (the
ConsentKit extension over the WSGI middleware), behind one httpx-style client API."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, PlainTextResponse, StreamingResponse
from flask import Flask, Response, g, make_response, stream_with_context
from starlette.testclient import TestClient

from consentkit import ConsentMiddleware, Policy
from consentkit.consent import Consent
from consentkit.flask import ConsentKit
from consentkit.policy import CollectionRoute, CookieRule
from consentkit.starlette_helpers import ConsentDep

SECRET = "adapter-suite-secret-key"
BASE_URL = "http://shop.test"
KINDS = ("fastapi", "flask")

# Set on every visit to "/": two necessary cookies, a preference, an analytics cookie,
# a marketing cookie and one nobody declared.
APP_COOKIES = ("session", "csrftoken", "locale", "_ga", "_fbp", "mystery_cookie")
POLICY = Policy(
    cookies=[
        CookieRule("necessary", name="session"),
        CookieRule("necessary", name="csrftoken"),
        CookieRule("preferences", name="locale", lifetime="1 year"),
    ],
    collection_routes=[CollectionRoute("/collect", "analytics", ("POST",))],
)
PAGE = (
    "<!doctype html><html><head><title>Shop</title>"
    '<script async src="https://www.googletagmanager.com/gtag/js?id=G-TEST1"></script>'
    "</head><body><h1>Shop</h1>"
    '<iframe src="https://www.youtube-nocookie.com/embed/abc123" title="Video"></iframe>'
    "</body></html>"
)
STREAM_PARTS = ("<!doctype html><html><head><title>S</title></head><body>",
                '<img src="https://www.facebook.com/tr?id=1&ev=PageView" alt="">',
                "<p>end</p></body></html>")


def state_of(consent: Consent) -> dict[str, Any]:
    return {"categories": sorted(consent.categories), "given": consent.given,
            "allows_analytics": consent.allows("analytics")}


def fastapi_app(**options: Any) -> FastAPI:
    app = FastAPI()

    @app.api_route("/", methods=["GET", "HEAD"])
    def home(consent: ConsentDep) -> JSONResponse:
        response = JSONResponse(state_of(consent))
        for name in APP_COOKIES:
            response.set_cookie(name, "v1")
        return response

    @app.get("/state")
    def from_state(request: Request) -> JSONResponse:
        return JSONResponse(state_of(request.state.consent))

    @app.get("/page")
    def page() -> HTMLResponse:
        return HTMLResponse(PAGE)

    @app.get("/stream")
    def stream() -> StreamingResponse:
        response = StreamingResponse(iter(STREAM_PARTS), media_type="text/html")
        response.set_cookie("_fbp", "fb.1.2")
        return response

    @app.post("/collect")
    def collect() -> PlainTextResponse:
        return PlainTextResponse("counted")

    app.add_middleware(ConsentMiddleware, **options)
    return app


def flask_app(**options: Any) -> Flask:
    app = Flask(__name__)

    @app.route("/", methods=["GET", "HEAD"])
    def home() -> Response:
        response = make_response(state_of(g.consent))
        for name in APP_COOKIES:
            response.set_cookie(name, "v1")
        return response

    @app.get("/state")
    def from_state() -> Response:
        return make_response(state_of(g.consent))

    @app.get("/page")
    def page() -> str:
        return PAGE

    @app.get("/stream")
    def stream() -> Response:
        def parts() -> Iterator[str]:
            yield from STREAM_PARTS

        response = Response(stream_with_context(parts()), mimetype="text/html")
        response.set_cookie("_fbp", "fb.1.2")
        return response

    @app.post("/collect")
    def collect() -> Response:
        return Response("counted", mimetype="text/plain")

    ConsentKit(app, **options)
    return app


AppFactory = Callable[..., httpx.Client]


def client_factory(kind: str) -> AppFactory:
    def build(**options: Any) -> httpx.Client:
        options.setdefault("secret_key", SECRET)
        options.setdefault("cookie_secure", False)
        options.setdefault("policy", POLICY)
        if kind == "fastapi":
            return TestClient(fastapi_app(**options), base_url=BASE_URL)  # type: ignore[return-value]
        transport = httpx.WSGITransport(app=flask_app(**options))
        return httpx.Client(transport=transport, base_url=BASE_URL)

    return build


@pytest.fixture(params=KINDS)
def kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def client_for(kind: str) -> AppFactory:
    return client_factory(kind)


@pytest.fixture
def client(client_for: AppFactory) -> Iterator[httpx.Client]:
    with client_for() as opened:
        yield opened


def set_cookie_names(response: Any) -> list[str]:
    return [value.split("=", 1)[0] for value in response.headers.get_list("set-cookie")]
