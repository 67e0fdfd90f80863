"""Small apps the testing helpers are checked against (plain Starlette, Starlette behind
the consent middleware, Flask)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import flask
import pytest
from flask.testing import FlaskClient
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route
from starlette.testclient import TestClient

from consentkit import ConsentMiddleware
from consentkit.testing import ConsentChecks

pytest_plugins = ["pytester"]

SECRET = "testing-secret-0123456789"

TRACKED_PAGE = """<!doctype html><html><head>
<script async src="https://www.googletagmanager.com/gtag/js?id=G-TEST"></script>
</head><body><h1>Shop</h1>
<noscript><img height="1" width="1" src="https://www.facebook.com/tr?id=1&ev=PageView"></noscript>
</body></html>"""

HELD_PAGE = """<!doctype html><html><head>
<script type="text/plain" data-consentkit="analytics"
  data-consentkit-src="https://www.googletagmanager.com/gtag/js?id=G-TEST"></script>
</head><body><h1>Shop</h1>
<img data-consentkit="marketing" data-consentkit-src="https://www.facebook.com/tr?id=1">
</body></html>"""


async def tracked(request: Request) -> Response:
    response = HTMLResponse(TRACKED_PAGE)
    response.set_cookie("session", "abc")
    response.set_cookie("_fbp", "fb.1.1")
    return response


async def held(request: Request) -> Response:
    response = HTMLResponse(HELD_PAGE)
    response.set_cookie("session", "abc")
    return response


async def hop(request: Request) -> Response:
    response = RedirectResponse("/held")
    response.set_cookie("_ga", "GA1.1.1")
    return response


async def sets_analytics(request: Request) -> Response:
    response = JSONResponse({"granted": sorted(request.state.consent.categories)
                             if hasattr(request.state, "consent") else None})
    response.set_cookie("_ga", "GA1.1.1")
    response.set_cookie("csrftoken", "t")
    return response


async def mystery(request: Request) -> Response:
    response = HTMLResponse("<p>hello</p>")
    response.set_cookie("zq_tmp", "1")
    return response


def plain_app() -> Starlette:
    """Sets cookies itself, with no consent middleware in front."""
    return Starlette(routes=[Route("/tracked", tracked), Route("/held", held),
                             Route("/hop", hop), Route("/analytics", sets_analytics),
                             Route("/mystery", mystery)])


def guarded_app(**options: Any) -> Starlette:
    """The same app behind the consent middleware."""
    app = plain_app()
    app.add_middleware(ConsentMiddleware, secret_key=SECRET, cookie_secure=False, **options)
    return app


def flask_app() -> flask.Flask:
    app = flask.Flask("consentkit_testing_flask")

    @app.get("/tracked")
    def flask_tracked() -> flask.Response:
        response = flask.make_response(TRACKED_PAGE)
        response.set_cookie("session", "abc")
        response.set_cookie("_fbp", "fb.1.1")
        return response

    @app.get("/clean")
    def flask_clean() -> flask.Response:
        response = flask.make_response("<p>nothing to see</p>")
        response.set_cookie("session", "abc")
        return response

    @app.get("/cookies")
    def flask_cookies() -> dict[str, str]:
        return dict(flask.request.cookies)

    @app.get("/analytics")
    def flask_analytics() -> flask.Response:
        response = flask.make_response({"granted": sorted(flask.g.consent.categories)
                                        if "consent" in flask.g else None})
        response.set_cookie("_ga", "GA1.1.1")
        return response

    return app


def guarded_flask_app() -> flask.Flask:
    """The Flask app behind the ConsentKit extension."""
    from consentkit.flask import ConsentKit

    app = flask_app()
    ConsentKit(app, secret_key=SECRET, cookie_secure=False)
    return app


@pytest.fixture
def checks() -> ConsentChecks:
    return ConsentChecks(secret_key=SECRET, cookie_secure=False)


@pytest.fixture
def plain_client() -> Iterator[TestClient]:
    with TestClient(plain_app()) as client:
        yield client


@pytest.fixture
def guarded_client() -> Iterator[TestClient]:
    with TestClient(guarded_app()) as client:
        yield client


@pytest.fixture
def flask_client() -> FlaskClient:
    return flask_app().test_client()
