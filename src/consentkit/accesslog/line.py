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
from json.encoder import encode_basestring_ascii as json_string  # type: ignore[attr-defined]
from typing import TYPE_CHECKING
from urllib.parse import unquote_plus, urlsplit

from ..consent import Consent
from .client_address import ClientAddressResolver
from .iptrunc import parse_address, truncate
from .useragent import coarse_user_agent

if TYPE_CHECKING:
    from ..geo import CountryLookup
    from ..settings import Settings

MAX_PATH_LENGTH = 2048

# What AccessLog queues for one request: a flat tuple (the cheapest thing to build on the
# request's path) of values and references, no copies; the headers are read on the
# writer thread. The two times are ``time.perf_counter()`` readings: when the request
# began and when its response ended; the writer turns them into wall-clock time.
Captured = tuple[
    float,  # began: perf_counter() when the request began
    float,  # ended: perf_counter() after the response's last byte (or its failure)
    str,  # method
    str,  # path
    bytes,  # query string
    tuple[str, int] | None,  # the peer (ASGI's "client")
    Sequence[tuple[bytes, bytes]],  # request headers
    Consent | None,
    int,  # status
    int,  # response bytes
]


class LineBuilder:
    """Turns :data:`Captured` values into JSON lines, following the settings."""

    def __init__(self, settings: Settings, geo: CountryLookup | None = None) -> None:
        self.prefix_v4 = settings.ip_prefix_v4
        self.prefix_v6 = settings.ip_prefix_v6
        self.resolver = ClientAddressResolver(settings.trusted_proxies)
        self.geo = geo if geo is not None and geo.has_database else None
        self.query_params = frozenset(settings.log_query_params)
        self.log_referrer = settings.log_referrer
        self.log_consent = settings.log_consent
        self.retention_tag = settings.access_log_retention_tag
        self.retention = timedelta(days=settings.access_log_retention_days)
        self._country_headers = frozenset(geo.header_names if geo is not None else ())
        from ..geo import country_code  # geo imports this package: bind it late

        self._country_code = country_code
        self._tail_json = ',"retention":' + json_string(self.retention_tag) + ',"delete_after":"'
        self._network = lru_cache(maxsize=16_384)(self._network_of_peer)
        self.path = lru_cache(maxsize=4096)(self._path)  # type: ignore[method-assign]
        self._second = -1
        self._ts = ""
        self._day = date(1970, 1, 1)
        self._delete_after = ""
        # time.time() - time.perf_counter(): turns the captured times into wall-clock
        # time; the writer sets it again before each batch.
        self.clock_offset = time.time() - time.perf_counter()

    def _clock(self, at: float) -> None:
        """Format the timestamp once per second (lines come in bursts)."""
        second = int(at)
        if second != self._second:
            moment = time.gmtime(second)
            self._second = second
            self._ts = time.strftime("%Y-%m-%dT%H:%M:%SZ", moment)
            self._day = date(moment.tm_year, moment.tm_mon, moment.tm_mday)
            self._delete_after = (self._day + self.retention).isoformat()

    def day_at(self, at: float) -> date:
        self._clock(at)
        return self._day

    @property
    def day(self) -> date:
        """The UTC day of the line built last."""
        return self._day

    def build(self, entry: Captured) -> str:
        """The JSON line for one request (no trailing newline)."""
        (began_perf, ended_perf, method, path, query_string, client, headers, consent,
         status, response_bytes) = entry
        began = began_perf + self.clock_offset  # the line is stamped when the request began
        if int(began) != self._second:
            self._clock(began)
        user_agent: bytes | None = None
        referer: bytes | None = None
        forwarded_for: list[bytes] | None = None
        forwarded: list[bytes] | None = None
        country: str | None = None
        for key, value in headers:
            if key == b"user-agent":
                user_agent = value
            elif key == b"x-forwarded-for":
                forwarded_for = [*(forwarded_for or ()), value]
            elif key == b"forwarded":
                forwarded = [*(forwarded or ()), value]
            elif key == b"referer":
                referer = value
            elif key in self._country_headers and country is None:
                country = self._country_code(value)
        peer = client[0] if client else None
        if not isinstance(peer, str):
            peer = None
        if forwarded_for is None and forwarded is None:
            ip_json, address = self._network(peer)
        else:
            address = self.resolver.resolve(peer, forwarded_for or (), forwarded or ())
            ip_json = (json_string(truncate(address, self.prefix_v4, self.prefix_v6))
                       if address is not None else "null")
        if country is None and self.geo is not None and address is not None:
            country = self.geo.location_of_ip(address).country
        parts = [
            '{"ts":"', self._ts,
            '","method":', json_string(method[:16]),
            ',"path":', json_string(self.path(path, query_string)),
            ',"status":', str(int(status)),
            ',"bytes":', str(int(response_bytes)),
            ',"duration_ms":', repr(round((ended_perf - began_perf) * 1000.0, 1)),
            ',"ip":', ip_json,
            ',"ua":', _user_agent_json(user_agent),
            ',"country":', json_string(country) if country is not None else "null",
        ]
        if self.log_consent and consent is not None:
            parts += (',"consent":', _consent_summary(consent.given, consent.categories,
                                                      consent.regime, consent.gpc))
        if self.log_referrer:
            origin = referrer_origin(referer)
            parts += (',"referrer":', json_string(origin) if origin is not None else "null")
        parts += (self._tail_json, self._delete_after, '"}')
        return "".join(parts)

    def _network_of_peer(self, peer: str | None) -> tuple[str, tuple[int, int] | None]:
        """The JSON of a peer's truncated network (cached: visitors come back)."""
        address = self.resolver.resolve(peer)
        if address is None:
            return "null", None
        return json_string(truncate(address, self.prefix_v4, self.prefix_v6)), address

    def path(self, path: str, query_string: bytes) -> str:
        """The path, with only the allow-listed query parameters kept (as sent)."""
        return self._path(path, query_string)

    def _path(self, path: str, query_string: bytes) -> str:
        path = path[:MAX_PATH_LENGTH]
        if not self.query_params or not query_string:
            return path
        kept = [pair for pair in query_string.decode("latin-1").split("&")
                if _param_name(pair) in self.query_params]
        return f"{path}?{'&'.join(kept)}" if kept else path

    def drop_report(self, at: float, dropped: int) -> str:
        """The line written when the writer catches up after dropping ``dropped`` lines."""
        self._clock(at)
        return json.dumps({
            "ts": self._ts,
            "event": "access_log_overflow",
            "dropped": dropped,
            "retention": self.retention_tag,
            "delete_after": self._delete_after,
        }, separators=(",", ":"))


def _param_name(pair: str) -> str:
    name = pair.split("=", 1)[0]
    return unquote_plus(name) if "%" in name or "+" in name else name


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
    if parts.scheme not in ("http", "https") or not host or parse_address(host) is not None:
        return None  # an address as the host is not kept either
    return f"{parts.scheme}://{host}" + (f":{port}" if port else "")


@lru_cache(maxsize=4096)
def _user_agent_json(header: bytes | None) -> str:
    return json.dumps(coarse_user_agent(header).to_json(), separators=(",", ":"))


@lru_cache(maxsize=256)
def _consent_summary(given: bool, categories: frozenset[str], regime: str, gpc: bool) -> str:
    return json.dumps({"given": given, "categories": sorted(categories), "regime": regime,
                       "gpc": gpc}, separators=(",", ":"))
