"""Breadth-first, same-origin crawl of a site, recording what every response carried.

Bounded three ways: a page count, a deadline for the whole scan and a size limit per
response (a longer body is read up to the limit, then dropped). Links leaving the origin
are never followed; redirects are followed as links, so their Set-Cookie headers count.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urldefrag, urljoin, urlsplit

import httpx

from ..classify import Classifier
from ..http import parse_media_type
from .findings import Finding, cookie_findings, cookie_name, tag_findings
from .tags import same_origin, scan_html

#: ``progress(phase, pages_done, max_pages, url)``, called after every page.
Progress = Callable[[str, int, int, str], None]

_SKIPPED_SUFFIXES = (
    ".png", ".jpg", ".jpeg", ".gif", ".webp", ".svg", ".ico", ".pdf", ".zip", ".gz",
    ".mp4", ".webm", ".mp3", ".woff", ".woff2", ".ttf", ".css", ".js", ".map", ".xml",
)
_DELETIONS = ("max-age=0", "expires=thu, 01 jan 1970")


@dataclass(frozen=True, slots=True)
class Limits:
    max_pages: int = 50
    max_seconds: float = 120.0
    max_bytes: int = 5_000_000
    request_timeout_s: float = 10.0


@dataclass(slots=True)
class Visit:
    """One request of the crawl and how it went."""

    phase: str
    method: str
    url: str
    status: int | None
    size: int
    error: str | None = None
    truncated: bool = False

    def to_json(self) -> dict[str, object]:
        return {"phase": self.phase, "method": self.method, "url": self.url,
                "status": self.status, "bytes": self.size, "error": self.error,
                "truncated": self.truncated}


@dataclass(slots=True)
class PhaseResult:
    phase: str
    visits: list[Visit] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    stopped_by: str | None = None

    @property
    def pages(self) -> int:
        return sum(1 for visit in self.visits if visit.method == "GET")


@dataclass(slots=True)
class Fetched:
    visit: Visit
    findings: list[Finding]
    links: list[str]
    set_cookies: list[str]
    body: bytes = b""


class Crawler:
    """Walks one origin; per-phase cookies are passed in, never kept on the crawler."""

    def __init__(self, client: httpx.AsyncClient, origin: str, classifier: Classifier,
                 limits: Limits, progress: Progress | None = None) -> None:
        self.client = client
        self.origin = origin
        self.classifier = classifier
        self.limits = limits
        self.progress = progress
        self.deadline = time.monotonic() + limits.max_seconds

    async def crawl(self, phase: str, start_url: str, jar: dict[str, str]) -> PhaseResult:
        """Visit pages breadth-first from ``start_url`` as one visitor holding ``jar``."""
        result = PhaseResult(phase)
        queue: deque[str] = deque([start_url])
        seen = {start_url}
        while queue:
            if result.pages >= self.limits.max_pages:
                result.stopped_by = f"page limit ({self.limits.max_pages})"
                break
            if time.monotonic() >= self.deadline:
                result.stopped_by = f"time limit ({self.limits.max_seconds:g} s)"
                break
            url = queue.popleft()
            fetched = await self.fetch(phase, "GET", url, jar)
            result.visits.append(fetched.visit)
            result.findings += fetched.findings
            for link in fetched.links:
                next_url = self.crawlable(link)
                if next_url is not None and next_url not in seen:
                    seen.add(next_url)
                    queue.append(next_url)
            if self.progress is not None:
                self.progress(phase, result.pages, self.limits.max_pages, url)
        return result

    async def fetch(self, phase: str, method: str, url: str, jar: dict[str, str], *,
                    content: bytes | None = None,
                    headers: dict[str, str] | None = None) -> Fetched:
        """One request; updates ``jar`` from its Set-Cookie headers like a browser."""
        sent = dict(headers or {})
        if jar:
            sent["cookie"] = "; ".join(f"{name}={value}" for name, value in jar.items())
        remaining = self.deadline - time.monotonic()
        try:
            async with asyncio.timeout(max(0.001, min(remaining,
                                                      self.limits.request_timeout_s))):
                status, response_headers, body, truncated = await self._send(
                    method, url, sent, content)
        except (httpx.HTTPError, TimeoutError, OSError) as exc:
            reason = "timed out" if isinstance(exc, TimeoutError) else str(exc) or type(
                exc).__name__
            return Fetched(Visit(phase, method, url, None, 0, reason), [], [], [])
        visit = Visit(phase, method, url, status, len(body), None, truncated)
        set_cookies = response_headers.get_list("set-cookie")
        _update_jar(jar, set_cookies)
        findings = cookie_findings(set_cookies, self.classifier, method, url)
        links: list[str] = []
        location = response_headers.get("location")
        if location and 300 <= status < 400:
            links.append(_join(url, location))
        media, params = parse_media_type(response_headers.get("content-type", ""))
        if media in ("text/html", "application/xhtml+xml"):
            page = scan_html(body.decode(_charset(params), "replace"), url)
            findings += tag_findings(page, self.classifier, method, url)
            links += page.links
        return Fetched(visit, findings, links, set_cookies, body)

    async def _send(self, method: str, url: str, headers: dict[str, str],
                    content: bytes | None) -> tuple[int, httpx.Headers, bytes, bool]:
        chunks: list[bytes] = []
        size, truncated = 0, False
        async with self.client.stream(method, url, headers=headers, content=content) as resp:
            async for chunk in resp.aiter_bytes():
                size += len(chunk)
                if size > self.limits.max_bytes:
                    chunks.append(chunk[: len(chunk) - (size - self.limits.max_bytes)])
                    truncated = True
                    break
                chunks.append(chunk)
            return resp.status_code, resp.headers, b"".join(chunks), truncated

    def crawlable(self, link: str) -> str | None:
        """The link without its fragment when it stays on the origin and looks like a
        page; ``None`` otherwise."""
        url, _ = urldefrag(link)
        if not same_origin(url, self.origin):
            return None
        path = urlsplit(url).path
        if path.lower().endswith(_SKIPPED_SUFFIXES):
            return None
        return url if path else url + "/"


def _update_jar(jar: dict[str, str], set_cookies: list[str]) -> None:
    for header in set_cookies:
        name = cookie_name(header)
        if not name:
            continue
        value = header.partition("=")[2].partition(";")[0].strip()
        if any(mark in header.lower() for mark in _DELETIONS):
            jar.pop(name, None)
        else:
            jar[name] = value


def _charset(params: dict[str, str]) -> str:
    charset = params.get("charset", "utf-8")
    try:
        "".encode(charset)
    except LookupError:
        return "utf-8"
    return charset


def _join(base: str, location: str) -> str:
    try:
        return urljoin(base, location)
    except ValueError:
        return location
