"""Plain HTTP values the engine works on, shared by every adapter. Pure.

Headers are ASGI-style: a list of ``(name, value)`` byte pairs with lower-case names. The
WSGI adapter converts to and from latin-1 strings at its edge.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from http.cookies import _unquote  # type: ignore[attr-defined]

Headers = list[tuple[bytes, bytes]]


@dataclass(slots=True)
class RequestInfo:
    """The parts of a request the engine needs."""

    method: str
    path: str
    headers: Headers
    query_string: bytes = b""
    client: tuple[str, int] | None = None
    scheme: str = "http"
    root_path: str = ""
    _cookies: dict[str, str] | None = field(default=None, repr=False)

    def header(self, name: bytes) -> bytes | None:
        """The first value of a header (``name`` in lower case)."""
        for key, value in self.headers:
            if key == name:
                return value
        return None

    def header_str(self, name: bytes) -> str | None:
        value = self.header(name)
        return value.decode("latin-1") if value is not None else None

    @property
    def has_cookies(self) -> bool:
        """Did the browser send any cookie?"""
        return any(key == b"cookie" for key, _ in self.headers)

    @property
    def cookies(self) -> dict[str, str]:
        """The request's cookies (all Cookie headers), parsed leniently."""
        if self._cookies is None:
            jar: dict[str, str] = {}
            for key, value in self.headers:
                if key == b"cookie":
                    jar.update(parse_cookie_header(value.decode("latin-1")))
            self._cookies = jar
        return self._cookies

    @property
    def host(self) -> str:
        return self.header_str(b"host") or ""


@dataclass(slots=True)
class Reply:
    """A whole response the engine answers itself (the consent endpoint, static files)."""

    status: int
    headers: Headers
    body: bytes = b""

    @classmethod
    def json(cls, status: int, data: object, extra: Headers | None = None) -> Reply:
        body = json.dumps(data, separators=(",", ":")).encode()
        headers: Headers = [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
            (b"cache-control", b"no-store"),
        ]
        return cls(status, headers + (extra or []), body)


def parse_cookie_header(header: str) -> dict[str, str]:
    """Parse a ``Cookie`` header as browsers send it; never raises (bad pairs are skipped).

    Like Starlette's ``cookie_parser``: split on ``;``, first ``=`` splits name and value.
    """
    jar: dict[str, str] = {}
    for chunk in header.split(";"):
        if "=" in chunk:
            key, val = chunk.split("=", 1)
        else:
            key, val = "", chunk
        key, val = key.strip(), val.strip()
        if key or val:
            try:
                jar[key] = _unquote(val)
            except Exception:  # pragma: no cover - _unquote is lenient
                jar[key] = val
    return jar


def cookie_value_pattern(name: str) -> re.Pattern[bytes]:
    """What :func:`cookie_value` looks for: one cookie's pairs in a ``Cookie`` header."""
    return re.compile(rb"(?:^|;)\s*" + re.escape(name.encode("latin-1")) + rb"\s*=([^;]*)")


def cookie_value(header: bytes, pattern: re.Pattern[bytes]) -> str | None:
    """The value of one cookie in a ``Cookie`` header, read as :func:`parse_cookie_header`
    reads it (the last pair of that name wins), without parsing the other pairs."""
    found = pattern.findall(header)
    if not found:
        return None
    value = found[-1].strip().decode("latin-1")
    return _unquote(value) if value.startswith('"') else value  # type: ignore[no-any-return]


def set_cookie_name(header_value: bytes) -> str:
    """The cookie name of a ``Set-Cookie`` header value (``b"_ga=1; Path=/"`` -> ``"_ga"``)."""
    end = header_value.find(b"=")
    semi = header_value.find(b";")
    if end < 0 or (0 <= semi < end):
        return ""
    return header_value[:end].strip().decode("latin-1")


def expire_cookie(name: str, path: str = "/", domain: str | None = None) -> bytes:
    """A ``Set-Cookie`` value that deletes a cookie in the browser."""
    parts = [f"{name}=", "Max-Age=0", "Expires=Thu, 01 Jan 1970 00:00:00 GMT", f"Path={path}"]
    if domain:
        parts.append(f"Domain={domain}")
    return "; ".join(parts).encode("latin-1")


def content_type_of(headers: Headers) -> tuple[str, dict[str, str]]:
    """The media type (lower case) and its parameters from ``Content-Type``."""
    for key, value in headers:
        if key == b"content-type":
            return parse_media_type(value.decode("latin-1"))
    return "", {}


def parse_media_type(value: str) -> tuple[str, dict[str, str]]:
    media, _, rest = value.partition(";")
    params: dict[str, str] = {}
    for item in rest.split(";"):
        if "=" in item:
            key, val = item.split("=", 1)
            params[key.strip().lower()] = val.strip().strip('"')
    return media.strip().lower(), params


def header_value(headers: Headers, name: bytes) -> bytes | None:
    for key, value in headers:
        if key == name:
            return value
    return None


def without(headers: Headers, *names: bytes) -> Headers:
    """The headers minus every header named in ``names``."""
    return [(k, v) for k, v in headers if k not in names]


def add_vary(headers: Headers, token: str) -> Headers:
    """Add ``token`` to ``Vary`` unless it is already there (or ``Vary: *``)."""
    for index, (key, value) in enumerate(headers):
        if key == b"vary":
            existing = [v.strip().lower() for v in value.decode("latin-1").split(",")]
            if token.lower() in existing or "*" in existing:
                return headers
            headers[index] = (key, value + b", " + token.encode("latin-1"))
            return headers
    headers.append((b"vary", token.encode("latin-1")))
    return headers
