"""Consent POSTs per second through the app, with each receipt backend.

Prints one JSON line per figure:

- ``receipts_sqlite_per_s``: POST /consentkit/consent through ConsentMiddleware with the
  SQLite store (WAL, synchronous=FULL) in a temporary folder;
- ``receipts_postgres_per_s``: the same with the PostgreSQL store, 8 concurrent clients;
  the server is CONSENTKIT_TEST_POSTGRES_DSN, or one started with
  scripts/start_postgres.sh (and stopped afterwards).

Each line carries the same run's baseline (the POST rate with no receipt store) and the
rate with the same 8 clients spread over two worker processes sharing the store.
The app is driven in-process through its ASGI interface (no sockets), so the figure is
the middleware's and the store's cost, not an HTTP server's.
"""

from __future__ import annotations

import asyncio
import json
import multiprocessing
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from starlette.applications import Starlette  # noqa: E402
from starlette.requests import Request  # noqa: E402
from starlette.responses import PlainTextResponse, Response  # noqa: E402
from starlette.routing import Route  # noqa: E402

from consentkit import ConsentMiddleware  # noqa: E402
from consentkit.receipts import open_store_at  # noqa: E402

SECRET = "bench-receipts-secret-0123456789"
CLIENTS = 8
DURATION_S = 4.0
BODIES = [json.dumps({"categories": c, "lang": "en"}).encode() for c in
          (["analytics"], ["marketing", "preferences"], [], ["analytics", "marketing"])]
HEADERS = [
    (b"host", b"shop.test"),
    (b"content-type", b"application/json"),
    (b"user-agent", b"Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0"),
    (b"cf-ipcountry", b"DE"),
]


async def home(request: Request) -> Response:
    return PlainTextResponse("home")


def build_app(store: Any) -> Any:
    app = Starlette(routes=[Route("/", home)])
    app.add_middleware(ConsentMiddleware, secret_key=SECRET, receipts=store,
                       country_headers=["CF-IPCountry"], inject_banner=False)
    return app


async def post_once(app: Any, body: bytes, client_ip: str) -> int:
    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST",
        "scheme": "https", "path": "/consentkit/consent", "raw_path": b"/consentkit/consent",
        "root_path": "", "query_string": b"",
        "headers": [*HEADERS, (b"content-length", str(len(body)).encode())],
        "client": (client_ip, 50000), "server": ("shop.test", 443),
    }
    sent = False
    status = 0

    async def receive() -> dict[str, Any]:
        nonlocal sent
        if sent:
            await asyncio.sleep(3600)
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]

    await app(scope, receive, send)
    return status


async def rate(app: Any, clients: int, duration_s: float) -> float:
    """POSTs answered 200 per second by ``clients`` concurrent sequential clients."""
    done = 0
    deadline = 0.0

    async def client(number: int) -> None:
        nonlocal done
        n = 0
        while time.perf_counter() < deadline:
            status = await post_once(app, BODIES[n % 4], f"198.51.100.{number + 1}")
            if status != 200:
                raise RuntimeError(f"the endpoint answered {status}")
            done += 1
            n += 1

    for _ in range(50):  # warm up (imports, caches, pool connections)
        await post_once(app, BODIES[0], "198.51.100.1")
    started = time.perf_counter()
    deadline = started + duration_s
    await asyncio.gather(*(client(number) for number in range(clients)))
    return done / (time.perf_counter() - started)


def measure(store_url: str | None, data_dir: str, clients: int = CLIENTS) -> tuple[float, int]:
    store = open_store_at(store_url, data_dir) if store_url else None

    async def run() -> float:
        per_s = await rate(build_app(store), clients, DURATION_S)
        if store is not None:
            await store.aclose()  # as the lifespan shutdown of a server does
        return per_s

    try:
        per_s = asyncio.run(run())
        stored = store.count() if store is not None else 0  # type: ignore[attr-defined]
    finally:
        if store is not None:
            store.close()
    return per_s, stored


def measure_workers(store_url: str, data_dir: str, workers: int) -> float:
    """The same 8 clients spread over ``workers`` processes (``uvicorn --workers N``):
    one middleware per process, one shared store."""
    context = multiprocessing.get_context("spawn")
    with context.Pool(workers) as pool:
        results = pool.starmap(measure, [(store_url, data_dir, CLIENTS // workers)] * workers)
    return sum(per_s for per_s, _ in results)


def postgres_dsn() -> tuple[str, Path | None]:
    dsn = os.environ.get("CONSENTKIT_TEST_POSTGRES_DSN")
    if dsn:
        return dsn, None
    out = subprocess.run([str(ROOT / "scripts" / "start_postgres.sh")], check=True,
                         capture_output=True, text=True)
    dsn = out.stdout.strip().splitlines()[-1]
    folder = Path(out.stderr.split("server in ", 1)[1].split(" ", 1)[0])
    return dsn, folder


def fresh_database(server_dsn: str) -> str:
    import psycopg

    name = f"consentkit_bench_{os.getpid()}"
    with psycopg.connect(server_dsn, autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {name}")
        admin.execute(f"CREATE DATABASE {name}")
    return server_dsn.rsplit("/", 1)[0] + "/" + name


def main() -> None:
    with tempfile.TemporaryDirectory() as data_dir:
        baseline, _ = measure(None, data_dir)
        sqlite_rate, sqlite_rows = measure("sqlite://", data_dir)
        sqlite_two = measure_workers("sqlite://", data_dir, 2)
    print(json.dumps({"bench": "receipts_sqlite_per_s", "value": round(sqlite_rate),
                      "unit": "POST/s", "clients": CLIENTS, "receipts_stored": sqlite_rows,
                      "two_workers_per_s": round(sqlite_two),
                      "no_store_per_s": round(baseline),
                      "ratio_to_no_store": round(sqlite_rate / baseline, 3)}), flush=True)
    server, started_folder = postgres_dsn()
    try:
        pg_rate, pg_rows = measure(fresh_database(server), ".")
        pg_two = measure_workers(fresh_database(server), ".", 2)
    finally:
        if started_folder is not None:
            subprocess.run([str(started_folder / "stop.sh")], check=False,
                           capture_output=True)
    print(json.dumps({"bench": "receipts_postgres_per_s", "value": round(pg_rate),
                      "unit": "POST/s", "clients": CLIENTS, "receipts_stored": pg_rows,
                      "two_workers_per_s": round(pg_two),
                      "no_store_per_s": round(baseline),
                      "ratio_to_no_store": round(pg_rate / baseline, 3)}), flush=True)


if __name__ == "__main__":
    main()
