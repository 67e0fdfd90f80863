from __future__ import annotations

import os
import secrets
import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from consentkit.asgi import ConsentMiddleware
from consentkit.receipts import ReceiptStore, open_store_at

SECRET = "receipts-test-secret-0123456789"
FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0"


async def home(request: Request) -> Response:
    return PlainTextResponse("home")


def make_app(**options: Any) -> Starlette:
    """A one-page app behind the middleware (plain HTTP, so the cookie is not Secure)."""
    settings = {"secret_key": SECRET, "cookie_secure": False, **options}
    return Starlette(routes=[Route("/", home)],
                     middleware=[Middleware(ConsentMiddleware, **settings)])


def async_client(app: Starlette, peer: str = "203.0.113.77") -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, client=(peer, 51000))
    return httpx.AsyncClient(transport=transport, base_url="http://shop.test")


def postgres_server_dsn() -> str:
    """The test server's DSN; skipped locally without one, a failure on CI."""
    dsn = os.environ.get("CONSENTKIT_TEST_POSTGRES_DSN")
    if not dsn:
        if os.environ.get("CI") == "true":
            pytest.fail("CONSENTKIT_TEST_POSTGRES_DSN is not set on CI")
        pytest.skip("no PostgreSQL server (set CONSENTKIT_TEST_POSTGRES_DSN)")
    return dsn


@dataclass
class Backend:
    """One real receipt store with a way to break it from outside."""

    name: str
    url: str
    store: ReceiptStore
    drop_table: Callable[[], None]


@pytest.fixture
def sqlite_backend(tmp_path: Path) -> Iterator[Backend]:
    url = "sqlite:///receipts.sqlite3"
    store = open_store_at(url, tmp_path)
    assert store is not None
    path = tmp_path / "receipts.sqlite3"

    def drop_table() -> None:
        with sqlite3.connect(path) as conn:
            conn.execute("DROP TABLE consentkit_receipts")

    yield Backend("sqlite", f"sqlite:///{path}", store, drop_table)
    store.close()


@pytest.fixture
def postgres_backend() -> Iterator[Backend]:
    import psycopg

    server = postgres_server_dsn()
    database = f"consentkit_{secrets.token_hex(6)}"
    with psycopg.connect(server, autocommit=True) as admin:
        admin.execute(f"CREATE DATABASE {database}")
    url = server.rsplit("/", 1)[0] + "/" + database
    store = open_store_at(url, "unused")
    assert store is not None

    def drop_table() -> None:
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("DROP TABLE consentkit_receipts")

    yield Backend("postgres", url, store, drop_table)
    store.close()
    with psycopg.connect(server, autocommit=True) as admin:
        admin.execute(f"DROP DATABASE {database} WITH (FORCE)")


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def backend(request: pytest.FixtureRequest) -> Backend:
    found: Backend = request.getfixturevalue(f"{request.param}_backend")
    return found
