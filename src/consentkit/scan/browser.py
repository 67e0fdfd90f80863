"""``consentkit scan --browser``: load each crawled page in headless Chromium (Playwright)
and record what only a browser shows: cookies written by script, and requests to tracker
hosts. Requests that leave the origin are recorded and aborted, so a scan never sends
data to a third party."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from typing import Any

from ..classify import Classifier
from ..errors import ConfigError
from .crawl import Limits, PhaseResult
from .findings import Finding
from .result import AFTER, BEFORE, ScanReport
from .tags import same_origin
from .target import Target

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update"]
SETTLE_MS = 250  # time given to scripts after the load event


@contextmanager
def _served(target: Target) -> Iterator[str]:
    """The origin a browser can reach: the URL's, or a local server for an app."""
    if target.kind == "url":
        yield target.origin
        return
    from .serve import serve_asgi, serve_wsgi

    with ExitStack() as stack:
        serve = serve_asgi if target.kind == "asgi" else serve_wsgi
        yield stack.enter_context(serve(target.app))


async def browse_phases(target: Target, report: ScanReport, classifier: Classifier,
                        limits: Limits, consent_jar: dict[str, str], deadline: float) -> None:
    """Add the browser's findings to each phase of ``report``, until ``deadline``
    (``time.monotonic()``; the scan's time limit is shared with the crawl)."""
    try:
        from playwright.async_api import async_playwright
    except ImportError:
        raise ConfigError("--browser", "needs the playwright package") from None
    with _served(target) as origin:
        async with async_playwright() as playwright:
            browser = await playwright.chromium.launch(
                executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
            try:
                for name, cookies in ((BEFORE, {}), (AFTER, consent_jar)):
                    phase = report.phases.get(name)
                    if phase is not None:
                        session = _PhaseSession(phase, target.origin, origin, classifier)
                        await session.run(browser, cookies, deadline, limits)
            finally:
                await browser.close()


class _PhaseSession:
    """One browser context (one visitor) for one phase of the scan."""

    def __init__(self, phase: PhaseResult, crawl_origin: str, origin: str,
                 classifier: Classifier) -> None:
        self.phase = phase
        self.crawl_origin = crawl_origin
        self.origin = origin
        self.classifier = classifier
        self.page_url = ""
        self.http_cookies = {f.name for f in phase.findings if f.kind == "cookie"}
        self.requests_seen: set[tuple[str, str]] = set()

    async def run(self, browser: Any, cookies: dict[str, str], deadline: float,
                  limits: Limits) -> None:
        context = await browser.new_context()
        try:
            if cookies:
                await context.add_cookies([{"name": key, "value": value, "url": self.origin}
                                           for key, value in cookies.items()])
            known = set(cookies) | self.http_cookies
            await context.route("**/*", self._route)
            page = await context.new_page()
            page.on("request", self._on_request)
            for visit in list(self.phase.visits):
                if visit.method != "GET" or visit.status != 200:
                    continue
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    self.phase.stopped_by = self.phase.stopped_by or "browser time limit"
                    break
                self.page_url = visit.url
                try:
                    await page.goto(self._browser_url(visit.url), wait_until="load",
                                    timeout=min(remaining, limits.request_timeout_s) * 1000)
                    await page.wait_for_timeout(SETTLE_MS)
                except Exception as exc:  # a page that fails in the browser is noted, not fatal
                    visit.error = visit.error or f"browser: {type(exc).__name__}"
                    continue
                for cookie in await context.cookies():
                    if cookie["name"] not in known:
                        known.add(cookie["name"])
                        self._add_script_cookie(cookie)
        finally:
            await context.close()

    def _browser_url(self, url: str) -> str:
        return self.origin + url[len(self.crawl_origin):] if url.startswith(
            self.crawl_origin) else url

    async def _route(self, route: Any) -> None:
        if same_origin(route.request.url, self.origin):
            await route.continue_()
        else:
            await route.abort()

    def _on_request(self, request: Any) -> None:
        url = str(request.url)
        key = (url, self.page_url)
        if key in self.requests_seen:
            return
        self.requests_seen.add(key)
        found = self.classifier.url(url)
        if found.category is None:
            return
        self.phase.findings.append(Finding(
            "request", url, found.category, found.rule, found.vendor, True, "GET",
            self.page_url, f"{request.resource_type} request"))

    def _add_script_cookie(self, cookie: dict[str, Any]) -> None:
        found = self.classifier.cookie(cookie["name"])
        self.phase.findings.append(Finding(
            "script-cookie", cookie["name"], found.category, found.rule, found.vendor, True,
            "GET", self.page_url, f"domain {cookie.get('domain', '')}"))
