"""Per-request overhead of ConsentMiddleware, as a ratio against the bare app.

Run from the project's root: ``python benchmarks/bench_overhead.py``. Prints one JSON
object per line:

- ``asgi_overhead_ratio``: a Starlette JSON endpoint that sets one cookie, called through
  ASGI directly (no server, no client), time with ConsentMiddleware / time without;
- ``asgi_session_middleware_ratio``: the same for Starlette's own SessionMiddleware,
  measured in the same run, as the yardstick;
- ``wsgi_overhead_ratio``: a plain Flask view that sets one cookie, called through WSGI
  directly with a prepared environ, time with ConsentKit / time without.

Time is the CPU time of the thread serving the calls (``time.thread_time``). The ASGI
apps are timed in many short rounds, in turns (the order shifts each round), and each
ASGI figure is the median of the ratios paired within a round, so that a busy neighbour
slows both sides of a ratio alike; the ratio of the median times is a further field. The
WSGI figure is taken the same way: many short rounds, the two apps in turn (the order
alternating), the median of the ratios paired within a round.
"""

from __future__ import annotations

import asyncio
import json
import statistics
import sys
import time
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from consentkit import ConsentMiddleware

# WSGI: many short rounds, the two Flask apps in turn, median of the paired ratios.
ROUNDS = 41
CALLS = 500
# ASGI: many short rounds, the apps in turn (in a new order each round), so that a busy
# neighbour slows all apps of a round alike; each figure is the median of the ratios
# paired within a round.
ASGI_ROUNDS = 61
ASGI_CALLS = 400
SECRET = "benchmark-secret-key"


async def endpoint(request: Request) -> JSONResponse:
    response = JSONResponse({"ok": True, "items": [1, 2, 3]})
    response.set_cookie("session_hint", "abc123", httponly=True)
    return response


def make_app(middleware: list[Middleware]) -> Starlette:
    return Starlette(routes=[Route("/api", endpoint)], middleware=middleware)


SCOPE: dict[str, Any] = {
    "type": "http",
    "asgi": {"version": "3.0"},
    "http_version": "1.1",
    "method": "GET",
    "scheme": "http",
    "path": "/api",
    "raw_path": b"/api",
    "root_path": "",
    "query_string": b"",
    "headers": [
        (b"host", b"shop.example"),
        (b"user-agent", b"Mozilla/5.0 (X11; Linux x86_64) Chrome/126.0 Safari/537.36"),
        (b"accept", b"application/json"),
    ],
    "client": ("203.0.113.9", 51000),
    "server": ("127.0.0.1", 8000),
}


async def _receive() -> dict[str, Any]:
    return {"type": "http.request", "body": b"", "more_body": False}


async def _send(message: dict[str, Any]) -> None:
    return None


def timer(
    app: Callable[..., Coroutine[Any, Any, None]],
) -> Callable[[], Coroutine[Any, Any, float]]:
    async def run() -> float:
        start = time.thread_time()
        for _ in range(ASGI_CALLS):
            await app(dict(SCOPE), _receive, _send)
        return (time.thread_time() - start) / ASGI_CALLS

    return run


def ratios(apps: dict[str, Any]) -> tuple[dict[str, float], dict[str, float]]:
    """Per app: the median time per call, and the median of its ratio to ``plain``
    paired within each round."""
    samples: dict[str, list[float]] = {name: [] for name in apps}
    paired: dict[str, list[float]] = {name: [] for name in apps}
    timers = {name: timer(app) for name, app in apps.items()}
    order = list(timers)

    async def measure() -> None:
        for name in order:  # warm-up
            await timers[name]()
        for round_number in range(ASGI_ROUNDS):
            shift = round_number % len(order)
            this_round = {name: await timers[name]() for name in order[shift:] + order[:shift]}
            for name, value in this_round.items():
                samples[name].append(value)
                paired[name].append(value / this_round["plain"])

    asyncio.run(measure())
    return (
        {name: statistics.median(values) for name, values in samples.items()},
        {name: statistics.median(values) for name, values in paired.items()},
    )


def flask_app(with_consentkit: bool) -> Callable[..., Any]:
    from flask import Flask, Response, jsonify

    from consentkit.flask import ConsentKit

    app = Flask("bench")

    @app.get("/api")
    def api() -> Response:
        response = jsonify({"ok": True, "items": [1, 2, 3]})
        response.set_cookie("session_hint", "abc123", httponly=True)
        return response

    if with_consentkit:
        ConsentKit(app, secret_key=SECRET)
    return app


def wsgi_timer(app: Callable[..., Any]) -> Callable[[], float]:
    from wsgiref.util import setup_testing_defaults

    environ: dict[str, Any] = {"REQUEST_METHOD": "GET", "PATH_INFO": "/api",
                               "HTTP_HOST": "shop.example", "REMOTE_ADDR": "203.0.113.9",
                               "HTTP_USER_AGENT": SCOPE["headers"][1][1].decode(),
                               "HTTP_ACCEPT": "application/json"}
    setup_testing_defaults(environ)

    def start_response(status: str, headers: list[tuple[str, str]],
                       exc_info: Any = None) -> Callable[[bytes], None]:
        return lambda data: None

    def run() -> float:
        start = time.thread_time()
        for _ in range(CALLS):
            result = app(dict(environ), start_response)
            for _chunk in result:
                pass
            result.close()
        return (time.thread_time() - start) / CALLS

    return run


def wsgi_figure() -> dict[str, Any]:
    timers = {"plain": wsgi_timer(flask_app(False)), "consentkit": wsgi_timer(flask_app(True))}
    samples: dict[str, list[float]] = {name: [] for name in timers}
    paired: list[float] = []
    for run in timers.values():  # warm-up
        run()
    order = list(timers)
    for round_number in range(ROUNDS):
        turn = order if round_number % 2 == 0 else order[::-1]
        this_round = {name: timers[name]() for name in turn}
        for name, value in this_round.items():
            samples[name].append(value)
        paired.append(this_round["consentkit"] / this_round["plain"])
    plain, with_kit = (statistics.median(samples[n]) for n in ("plain", "consentkit"))
    return {
        "bench": "wsgi_overhead_ratio",
        "value": round(statistics.median(paired), 3),
        "unit": "ratio",
        "with_consentkit_us": round(with_kit * 1e6, 2),
        "plain_us": round(plain * 1e6, 2),
        "ratio_of_medians": round(with_kit / plain, 3),
        "best_round_ratio": round(min(samples["consentkit"]) / min(samples["plain"]), 3),
        "target": 1.10,
        "rounds": ROUNDS,
        "calls_per_round": CALLS,
    }


def main() -> None:
    apps = {
        "plain": make_app([]),
        "consentkit": make_app([Middleware(ConsentMiddleware, secret_key=SECRET)]),
        "session": make_app([Middleware(SessionMiddleware, secret_key=SECRET)]),
    }
    times, paired = ratios(apps)
    base = times["plain"]
    common = {"plain_us": round(base * 1e6, 2), "rounds": ASGI_ROUNDS,
              "calls_per_round": ASGI_CALLS}
    print(json.dumps({
        "bench": "asgi_overhead_ratio",
        "value": round(paired["consentkit"], 3),
        "unit": "ratio",
        "with_consentkit_us": round(times["consentkit"] * 1e6, 2),
        "session_middleware_ratio": round(paired["session"], 3),
        "ratio_of_medians": round(times["consentkit"] / base, 3),
        "target": 1.10,
        **common,
    }))
    print(json.dumps({
        "bench": "asgi_session_middleware_ratio",
        "value": round(paired["session"], 3),
        "unit": "ratio",
        "with_session_us": round(times["session"] * 1e6, 2),
        "ratio_of_medians": round(times["session"] / base, 3),
        **common,
    }))
    print(json.dumps(wsgi_figure()))


if __name__ == "__main__":
    main()
