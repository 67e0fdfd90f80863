"""The README's two quick starts, as written, behave as the README says."""

from __future__ import annotations

import re

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse
from starlette.testclient import TestClient

from consentkit import ConsentMiddleware


def fastapi_quickstart() -> FastAPI:
    app = FastAPI()
    app.add_middleware(ConsentMiddleware, secret_key="change-me", cookie_secure=False)

    @app.get("/", response_class=HTMLResponse)
    def home(request: Request) -> str:
        if request.state.consent.allows("analytics"):
            pass
        return """<!doctype html><html lang="en"><head><title>Shop</title>
        <script async src="https://www.googletagmanager.com/gtag/js?id=G-XXXX"></script>
        </head><body><h1>Welcome</h1></body></html>"""

    return app


def test_fastapi_quickstart_holds_the_google_tag_until_analytics_is_accepted() -> None:
    client = TestClient(fastapi_quickstart(), base_url="http://shop.test")
    page = client.get("/").text
    tag = re.search(r"<script[^>]*googletagmanager[^>]*>", page)
    assert tag is not None
    assert 'type="text/plain"' in tag.group(0)
    assert 'data-consentkit="analytics"' in tag.group(0)
    assert 'id="consentkit-config"' in page
    assert page.index('id="consentkit-config"') < page.index("</head>")

    client.post("/consentkit/consent", json={"categories": ["analytics"]})
    page = client.get("/").text
    tag = re.search(r"<script[^>]*googletagmanager[^>]*>", page)
    assert tag is not None
    assert tag.group(0) == (
        '<script async src="https://www.googletagmanager.com/gtag/js?id=G-XXXX">'
    )


def test_flask_quickstart() -> None:
    from flask import Flask, g

    from consentkit.flask import ConsentKit

    app = Flask(__name__)
    app.config["SECRET_KEY"] = "change-me"
    app.config["CONSENTKIT_COOKIE_SECURE"] = False
    ConsentKit(app)

    @app.get("/")
    def home() -> str:
        return "analytics on" if g.consent.allows("analytics") else "analytics off"

    client = app.test_client()
    page = client.get("/").text
    # A str view is served as text/html: the banner is appended (no <head> to put it in).
    assert page.startswith("analytics off<script>")
    assert 'id="consentkit-config"' in page
    answer = client.post("/consentkit/consent", json={"categories": ["analytics"]})
    assert answer.status_code == 200
    assert client.get("/").text.startswith("analytics on<script>")
