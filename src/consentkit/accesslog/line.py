"""One access-log line: the few raw values captured on the request's path in, one JSON
object out. Pure apart from the caches; runs on the writer thread.

The line holds the truncated network, never the address; the coarse user agent, never
the header; the referrer's origin only, and only when ``log_referrer`` is set; no cookie.
"""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from datetime import date, timedelta
from functools import lru_cache
from typing import TYPE_CHECKING, Any, NamedTuple
from urllib.parse import parse_qsl, urlencode, urlsplit

from ..consent import Consent
from ..http import Headers
from .client_address import ClientAddressResolver
from .iptrunc import parse_ip, truncate_address
from .useragent import coarse_user_agent

if TYPE_CHECKING:
    from ..geo import CountryLookup
    from ..settings import Settings

MAX_PATH_LENGTH = 2048
_ENCODER = json.JSONEncoder(separators=(",", ":"))


class Captured(NamedTuple):
    """What :meth:`AccessLog.record` keeps of a request: references, no copies, no work."""

    at: float  # time.time() when the response ended
    method: str
    path: str
    query_string: bytes
    client: Sequence[Any] | None  # the ASGI scope's (host, port)
    headers: Headers
    consent: Consent | None
    status: int
    response_bytes: int
    duration_s: float


class LineBuilder:
    """Turns :class:`Captured` values into JSON lines, following the settings."""

    def __init__(self, settings: Settings, geo: CountryLookup | None = None) -> None:
        self.prefix_v4 = settings.ip_prefix_v4
        self.prefix_v6 = settings.ip_prefix_v6
        self.resolver = ClientAddressResolver(settings.trusted_proxies)
        self.geo = geo
        self.query_params = frozenset(settings.log_query_params)
        self.log_referrer = settings.log_referrer
        self.log_consent = settings.log_consent
        self.retention_tag = settings.access_log_retention_tag
        self.retention = timedelta(days=settings.access_log_retention_days)
        self._country_headers = frozenset(geo.header_names if geo is not None else ())
        from ..geo import country_code  # geo imports this package: bind it late

        self._country_code = country_code
        self._second = -1
        self._ts = ""
        self._day = date(1970, 1, 1)
        self._delete_after = ""

    def _clock(self, at: float) -> None:
        """Format the timestamp once per second (lines come in bursts)."""
        second = int(at)
        if second != self._second:
            moment = time.gmtime(second)
            self._second = second
            self._ts = time.strftime("%Y-%m-%dT%H:%M:%SZ", moment)
            self._day = date(moment.tm_year, moment.tm_mon, moment.tm_mday)
            self._delete_after = (self._day + self.retention).isoformat()

    def day_of(self, at: float) -> date:
        self._clock(at)
        return self._day

    def build(self, entry: Captured) -> str:
        """The JSON line for one request (no trailing newline)."""
        self._clock(entry.at - entry.duration_s)  # the line is stamped when it began
        user_agent: bytes | None = None
        referer: bytes | None = None
        forwarded_for: list[bytes] = []
        forwarded: list[bytes] = []
        header_country: str | None = None
        for key, value in entry.headers:
            if key == b"user-agent":
                user_agent = value
            elif key == b"x-forwarded-for":
                forwarded_for.append(value)
            elif key == b"forwarded":
                forwarded.append(value)
            elif key == b"referer":
                referer = value
            elif key in self._country_headers and header_country is None:
                header_country = self._country_code(value)
        peer = entry.client[0] if entry.client else None
        address = self.resolver.resolve(peer if isinstance(peer, str) else None,
                                        forwarded_for, forwarded)
        country = header_country
        if country is None and self.geo is not None and address is not None:
            country = self.geo.location_of_ip(address).country
        line: dict[str, Any] = {
            "ts": self._ts,
            "method": entry.method[:16],
            "path": self.path(entry.path, entry.query_string),
            "status": entry.status,
            "bytes": entry.response_bytes,
            "duration_ms": round(entry.duration_s * 1000.0, 1),
            "ip": (truncate_address(address, self.prefix_v4, self.prefix_v6)
                   if address is not None else None),
            "ua": _user_agent_json(user_agent),
            "country": country,
        }
        if self.log_consent and entry.consent is not None:
            consent = entry.consent
            line["consent"] = _consent_summary(consent.given, consent.categories,
                                               consent.regime, consent.gpc)
        if self.log_referrer:
            line["referrer"] = referrer_origin(referer)
        line["retention"] = self.retention_tag
        line["delete_after"] = self._delete_after
        return _ENCODER.encode(line)

    def path(self, path: str, query_string: bytes) -> str:
        """The path, with only the allow-listed query parameters kept."""
        path = path[:MAX_PATH_LENGTH]
        if not self.query_params or not query_string:
            return path
        kept = [(name, value)
                for name, value in parse_qsl(query_string.decode("latin-1"),
                                             keep_blank_values=True)
                if name in self.query_params]
        return f"{path}?{urlencode(kept)}" if kept else path

    def drop_report(self, at: float, dropped: int) -> str:
        """The line written when the writer catches up after dropping ``dropped`` lines."""
        self._clock(at)
        return _ENCODER.encode({
            "ts": self._ts,
            "event": "access_log_overflow",
            "dropped": dropped,
            "retention": self.retention_tag,
            "delete_after": self._delete_after,
        })


def referrer_origin(value: bytes | None) -> str | None:
    """``https://shop.example/search?q=x`` -> ``https://shop.example``: the referring
    page's path and query can carry personal data, its origin rarely does."""
    if not value:
        return None
    try:
        parts = urlsplit(value.decode("latin-1").strip())
        host = parts.hostname
        port = parts.port
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not host or parse_ip(host) is not None:
        return None  # an address as the host is not kept either
    if ":" in host:
        host = f"[{host}]"
    return f"{parts.scheme}://{host}" + (f":{port}" if port else "")


@lru_cache(maxsize=4096)
def _user_agent_json(header: bytes | None) -> dict[str, Any]:
    # Shared between lines and only ever read by the encoder.
    return coarse_user_agent(header).to_json()


@lru_cache(maxsize=256)
def _consent_summary(given: bool, categories: frozenset[str], regime: str,
                     gpc: bool) -> dict[str, Any]:
    return {"given": given, "categories": sorted(categories), "regime": regime, "gpc": gpc}
