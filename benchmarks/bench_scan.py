"""Crawl speed of ``consentkit scan`` on an in-process site, without ``--browser``.

Run from the project's root: ``python benchmarks/bench_scan.py``. Prints one JSON object:

- ``scan_pages_per_s``: pages crawled per second by a full scan (before consent, accept
  all, after consent) of a 200-page Starlette site behind ConsentMiddleware, run
  in-process through httpx's ASGI transport. Each page is about 6 KB of HTML with
  navigation links, a held-back analytics tag and two cookies.
  Baseline field measured in the same run: ``plain_fetch_pages_per_s``, the same pages
  fetched one after another with a bare ``httpx.AsyncClient`` (no parsing, no
  classification, no bookkeeping), and ``ratio_to_plain_fetch``.

Each figure is the median of several rounds.
"""

from __future__ import annotations

import asyncio
import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from consentkit import ConsentMiddleware

PAGES = 200
ROUNDS = 5
FILLER = "<p>" + "A product description that goes on for a while. " * 8 + "</p>"


def render(number: int) -> str:
    links = " ".join(f'<a href="/page/{(number + step) % PAGES}">page {(number + step) % PAGES}'
                     f"</a>" for step in (1, 2, 3, 7, 50))
    return ("<!doctype html><html><head><title>Shop</title>"
            '<script async src="https://www.googletagmanager.com/gtag/js?id=G-BENCH"></script>'
            '<link rel="stylesheet" href="/style.css"></head><body>'
            f'<nav><a href="/">home</a> {links} <a href="https://elsewhere.test/">out</a></nav>'
            f"<h1>Page {number}</h1>{FILLER * 12}"
            '<img src="/logo.png" alt="logo"></body></html>')


async def page(request: Request) -> Response:
    response = HTMLResponse(render(int(request.path_params.get("number", 0))))
    response.set_cookie("sessionid", "s1")
    response.set_cookie("_ga", "GA1.1.1")
    return response


app = Starlette(routes=[Route("/", page), Route("/page/{number:int}", page)])
app.add_middleware(ConsentMiddleware, secret_key="benchmark-secret-key", cookie_secure=False)


async def plain_fetch_seconds() -> float:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        started = time.perf_counter()
        for number in range(PAGES):
            response = await client.get(f"/page/{number}")
            response.read()
        return time.perf_counter() - started


def main() -> None:
    from consentkit.scan.crawl import Limits
    from consentkit.scan.scanner import ScanOptions, scan_sync

    options = ScanOptions(Limits(max_pages=PAGES, max_seconds=300))
    scan_rates, plain_rates = [], []
    for _ in range(ROUNDS):
        report = scan_sync("bench_scan:app", options)
        pages = report.pages("before") + report.pages("after")
        assert report.pages("before") == PAGES and report.pages("after") == PAGES, pages
        assert report.passed
        scan_rates.append(pages / report.duration_s)
        plain_rates.append(PAGES / asyncio.run(plain_fetch_seconds()))
    scan_rate, plain_rate = statistics.median(scan_rates), statistics.median(plain_rates)
    print(json.dumps({
        "bench": "scan_pages_per_s",
        "value": round(scan_rate, 1),
        "unit": "pages/s",
        "pages_per_scan": 2 * PAGES,
        "target": 100,
        "plain_fetch_pages_per_s": round(plain_rate, 1),
        "ratio_to_plain_fetch": round(scan_rate / plain_rate, 3),
    }))


if __name__ == "__main__":
    main()
