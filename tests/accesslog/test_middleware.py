"""The access log through ConsentMiddleware, with real HTTP through Starlette's
TestClient: one line per request, 500 for an app that raised, flushed at shutdown,
and never blocking a request when the writer falls behind."""

from __future__ import annotations

import asyncio
import json
import logging
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route
from starlette.testclient import TestClient

from consentkit.asgi import ConsentMiddleware

from .conftest import CHROME, SECRET, collecting_logger


async def hello(request: Request) -> Response:
    response = PlainTextResponse("hello world")
    response.set_cookie("session", "s3cr3t-session-value")
    return response


async def broken(request: Request) -> Response:
    raise RuntimeError("the app failed")


def make_app(**options: object) -> Starlette:
    app = Starlette(routes=[Route("/hello", hello), Route("/broken", broken)])
    app.add_middleware(ConsentMiddleware, secret_key=SECRET, **options)
    return app


def test_a_request_gets_one_line_with_the_coarse_fields() -> None:
    logger, collector = collecting_logger()
    app = make_app(access_log=logger, log_query_params=["page"])
    with TestClient(app, client=("203.0.113.77", 50123)) as client:
        response = client.get("/hello?page=2&email=someone@example.com",
                              headers={"user-agent": CHROME.decode(),
                                       "cookie": "tracking=abc123; session=old-session"})
        assert response.status_code == 200
    (line,) = collector.objects
    assert line["method"] == "GET"
    assert line["path"] == "/hello?page=2"
    assert line["status"] == 200
    assert line["bytes"] == len(b"hello world")
    assert line["ip"] == "203.0.113.0/24"
    assert line["ua"] == {"browser": "Chrome", "version": 126, "os": "Windows",
                          "device": "pc", "bot": False}
    raw = collector.lines[0]
    for secret in ("203.0.113.77", "abc123", "old-session", "s3cr3t", "someone",
                   "Mozilla", "AppleWebKit"):
        assert secret not in raw


async def slow(request: Request) -> Response:
    await asyncio.sleep(0.05)
    return PlainTextResponse("took a while")


def test_a_first_visit_line_is_stamped_when_it_began_and_timed_to_its_end() -> None:
    # No cookie: the quick path, which queues the scope's values rather than the scope.
    logger, collector = collecting_logger()
    app = make_app(access_log=logger, log_query_params=["page"])
    app.router.routes.append(Route("/slow", slow))
    with TestClient(app, client=("2001:db8:aa:bb::7", 50123)) as client:
        began = datetime.now(UTC).replace(microsecond=0)
        response = client.get("/slow?page=4&token=abc",
                              headers={"user-agent": CHROME.decode()})
        ended = datetime.now(UTC)
        assert response.status_code == 200
        assert "set-cookie" not in response.headers
    (line,) = collector.objects
    stamped = datetime.strptime(str(line["ts"]), "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    assert began <= stamped <= ended
    assert isinstance(line["duration_ms"], float)
    assert 50.0 <= line["duration_ms"] < 5000.0
    assert (line["method"], line["path"], line["status"]) == ("GET", "/slow?page=4", 200)
    assert line["bytes"] == len(b"took a while")
    assert line["ip"] == "2001:db8:aa::/48"
    assert line["ua"] == {"browser": "Chrome", "version": 126, "os": "Windows",
                          "device": "pc", "bot": False}


def test_a_request_whose_app_raised_gets_a_500_line() -> None:
    logger, collector = collecting_logger()
    app = make_app(access_log=logger)
    with TestClient(app, raise_server_exceptions=False,
                    client=("198.51.100.4", 1)) as client:
        assert client.get("/broken").status_code == 500
    (line,) = collector.objects
    assert line["status"] == 500
    assert line["path"] == "/broken"
    assert line["ip"] == "198.51.100.0/24"


def test_shutdown_flushes_every_queued_line(tmp_path: Path) -> None:
    base = tmp_path / "logs" / "access.log"
    app = make_app(access_log=str(base))
    with TestClient(app) as client:
        for index in range(200):
            client.get(f"/hello?n={index}")
    (written,) = list(base.parent.iterdir())
    lines = written.read_text().splitlines()
    assert len(lines) == 200
    assert all(json.loads(line)["path"] == "/hello" for line in lines)


class GatedHandler(logging.Handler):
    """A sink that stalls until the test opens the gate."""

    def __init__(self) -> None:
        super().__init__()
        self.gate = threading.Event()
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.gate.wait(10)
        self.lines.append(record.getMessage())


def test_a_stalled_writer_never_blocks_requests_and_reports_the_drops() -> None:
    logger = logging.Logger("stalled")
    handler = GatedHandler()
    logger.addHandler(handler)
    app = make_app(access_log=logger, access_log_queue_size=3)
    requests = 40
    with TestClient(app) as client:
        started = time.perf_counter()
        for _ in range(requests):
            assert client.get("/hello").status_code == 200
        elapsed = time.perf_counter() - started
        handler.gate.set()
    assert elapsed < 5.0  # the handler would stall 10 s per line if requests waited
    objects = [json.loads(line) for line in handler.lines]
    reports = [item for item in objects if item.get("event") == "access_log_overflow"]
    request_lines = [item for item in objects if "event" not in item]
    assert reports, "no overflow report line"
    dropped = sum(item["dropped"] for item in reports)
    assert dropped > 0
    assert len(request_lines) + dropped == requests


def test_no_access_log_by_default() -> None:
    app = make_app()
    with TestClient(app) as client:
        client.get("/hello")
    middleware: object = app.middleware_stack
    while middleware is not None and not isinstance(middleware, ConsentMiddleware):
        middleware = getattr(middleware, "app", None)
    assert isinstance(middleware, ConsentMiddleware)
    assert middleware.engine.access_log is None
