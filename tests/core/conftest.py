from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.testclient import TestClient

from consentkit import ConsentMiddleware

SECRET = "test-secret-key-0123456789"

# What the app under test sets on every page: two necessary cookies, a preference, an
# analytics and a marketing cookie, and one nobody declared.
APP_COOKIES = ("session", "csrftoken", "locale", "_ga", "_fbp", "mystery_cookie")


async def home(request: Request) -> Response:
    consent = request.state.consent
    response = JSONResponse(
        {"categories": sorted(consent.categories), "given": consent.given, "id": consent.id,
         "allows_analytics": consent.allows("analytics")}
    )
    for name in APP_COOKIES:
        response.set_cookie(name, "v1")
    return response


def make_app(**options: Any) -> Starlette:
    options.setdefault("secret_key", SECRET)
    options.setdefault("cookie_secure", False)
    app = Starlette(routes=[Route("/", home)])
    app.add_middleware(ConsentMiddleware, **options)
    return app


def set_cookie_names(response: Any) -> list[str]:
    return [value.split("=", 1)[0] for value in response.headers.get_list("set-cookie")]


@pytest.fixture
def client_for() -> Callable[..., TestClient]:
    def build(**options: Any) -> TestClient:
        return TestClient(make_app(**options), base_url="http://shop.test")

    return build


@pytest.fixture
def client(client_for: Callable[..., TestClient]) -> TestClient:
    return client_for()
