"""Fixtures for the browser tests: Debian's Chromium driven by Playwright, the shop served
by uvicorn on 127.0.0.1, and tracker hosts answered by routes that record every request.

Chromium resolves ``*.shop.test`` to 127.0.0.1 so that cookies on parent domains
(``Domain=shop.test``) can be tested. Under CI (``CI=true``) a missing browser fails.
"""

from __future__ import annotations

import socket
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn

sys.path.insert(0, str(Path(__file__).parent))
from browser_shop import TRACKER_HOSTS, make_app
from browser_support import CHROMIUM, Shop, Visit, need

# What each tracker host answers: scripts that record that they ran and set their cookies.
TRACKER_SCRIPTS = {
    "/gtag/js": "(window.__ran=window.__ran||[]).push('gtag');"
                "document.cookie='_ga=GA1.1.42;domain=shop.test;path=/';"
                "document.cookie='_ga_ONE=GS1.1.42;path=/';",
    "/en_US/fbevents.js": "(window.__ran=window.__ran||[]).push('fbevents');"
                          "document.cookie='_fbp=fb.1.42;path=/';",
    "/gtm.js": "(window.__ran=window.__ran||[]).push('gtm-late');",
    "/signals/late.js": "(window.__ran=window.__ran||[]).push('fb-late');",
}


# Module scope: Playwright's sync API keeps an event loop running in this thread while it
# is open, which would break the asyncio tests of other folders run after these.
@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    need(CHROMIUM, "Chromium (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update",
                  "--host-resolver-rules=MAP *.shop.test 127.0.0.1"],
        )
        yield launched
        launched.close()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def serve(cache_safe: bool) -> Iterator[Shop]:
    app = make_app(cache_safe=cache_safe)
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning",
                                           lifespan="off", ws="none"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.02)
    yield Shop(f"http://www.shop.test:{port}")
    server.should_exit = True
    thread.join(5)


@pytest.fixture(scope="session")
def shop() -> Iterator[Shop]:
    yield from serve(cache_safe=False)


@pytest.fixture(scope="session")
def cached_shop() -> Iterator[Shop]:
    yield from serve(cache_safe=True)


@pytest.fixture
def visit_for(browser: Any) -> Iterator[Callable[..., Visit]]:
    contexts: list[Any] = []

    def open_visit(shop: Shop, *, width: int = 1280, height: int = 800,
                   color_scheme: str = "light", gpc: bool = False) -> Visit:
        headers = {"Sec-GPC": "1"} if gpc else {}
        context = browser.new_context(viewport={"width": width, "height": height},
                                      color_scheme=color_scheme, extra_http_headers=headers)
        contexts.append(context)
        if gpc:
            context.add_init_script("Object.defineProperty(Navigator.prototype,"
                                    "'globalPrivacyControl',{get:function(){return true}})")
        visit = Visit(context, context.new_page(), shop.base)

        def answer(route: Any) -> None:
            url = route.request.url
            visit.tracker_requests.append(url)
            path = url.split("://", 1)[1].split("?", 1)[0]
            path = path[path.find("/"):]
            if path in TRACKER_SCRIPTS:
                route.fulfill(status=200, content_type="text/javascript",
                              body=TRACKER_SCRIPTS[path])
            elif "youtube" in url:
                route.fulfill(status=200, content_type="text/html",
                              body="<!doctype html><title>video</title><p>video</p>")
            else:
                route.fulfill(status=204)

        for host in TRACKER_HOSTS:
            context.route(f"https://{host}/**", answer)
        context.on("request", lambda request: _note(visit, request.url))
        return visit

    yield open_visit
    for context in contexts:
        context.close()


def _note(visit: Visit, url: str) -> None:
    host = url.split("://", 1)[-1].split("/", 1)[0]
    if any(host == h or host.endswith("." + h) for h in TRACKER_HOSTS) and (
        url not in visit.tracker_requests
    ):
        visit.tracker_requests.append(url)


@pytest.fixture
def visit(visit_for: Callable[..., Visit], shop: Shop) -> Visit:
    return visit_for(shop)
