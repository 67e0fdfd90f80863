"""Where a visitor is: a country code from a trusted CDN header or a MaxMind database.

``CountryLookup(settings)`` believes the headers named in ``settings.country_headers``
(``CF-IPCountry``, ``CloudFront-Viewer-Country``...) first, then looks the visitor's
address up in ``settings.geoip_database`` through ``geoip2``. The database is opened once,
memory-mapped, at construction (a missing or unreadable file raises
:class:`~consentkit.errors.ConfigError` naming ``geoip_database``) and closed by
:meth:`CountryLookup.close`. Lookups are cached and never raise.
"""

from __future__ import annotations

import ipaddress
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .accesslog.client_address import ClientAddressResolver
from .accesslog.iptrunc import Address, IPAddress, carried_ipv4, parse_address, to_ipaddress
from .errors import ConfigError
from .http import RequestInfo

if TYPE_CHECKING:
    from .settings import Settings

SETTING = "geoip_database"
# Header values that name no country (Cloudflare: unknown, Tor).
_NOT_COUNTRIES = frozenset({"XX", "T1", "ZZ"})
_CACHE_SIZE = 65_536


@dataclass(frozen=True, slots=True)
class Location:
    """A country (ISO 3166-1 alpha-2) and, with a City database, the most specific
    subdivision's code (``"CA"`` for California); either may be unknown."""

    country: str | None
    subdivision: str | None = None


NOWHERE = Location(None)


class CountryLookup:
    """Country of a request or an address. One per engine; thread-safe."""

    def __init__(self, settings: Settings) -> None:
        self.header_names: tuple[bytes, ...] = tuple(
            name.strip().lower().encode("latin-1") for name in settings.country_headers
        )
        self._resolver = ClientAddressResolver(settings.trusted_proxies)
        self._path = Path(settings.geoip_database) if settings.geoip_database else None
        self._reader: Any = None
        self._uses_city = False
        self._lock = threading.Lock()
        self._cached_location = lru_cache(maxsize=_CACHE_SIZE)(self._read_location)
        self.open()

    @property
    def has_database(self) -> bool:
        return self._path is not None

    def open(self) -> None:
        """Open the database (done by the constructor; again after :meth:`close`)."""
        if self._path is None or self._reader is not None:
            return
        with self._lock:
            if self._reader is None:
                self._reader, self._uses_city = open_database(self._path)

    def close(self) -> None:
        """Close the database; a later lookup answers from headers only until
        :meth:`open`."""
        with self._lock:
            reader, self._reader = self._reader, None
            self._cached_location.cache_clear()
        if reader is not None:
            reader.close()

    # -- lookups -------------------------------------------------------------------------

    def country(
        self, request_or_ip: RequestInfo | IPAddress | Address | str | None
    ) -> str | None:
        """The visitor's country code, or ``None`` when nothing says."""
        return self.location(request_or_ip).country

    def location(
        self, request_or_ip: RequestInfo | IPAddress | Address | str | None
    ) -> Location:
        if isinstance(request_or_ip, RequestInfo):
            request = request_or_ip
            from_header = self.from_headers(request.headers)
            if from_header is not None:
                return Location(from_header)
            peer = request.client[0] if request.client else None
            forwarded_for = [v for k, v in request.headers if k == b"x-forwarded-for"]
            forwarded = [v for k, v in request.headers if k == b"forwarded"]
            return self.location_of_ip(self._resolver.resolve(peer, forwarded_for, forwarded))
        return self.location_of_ip(request_or_ip)

    def from_headers(self, headers: Iterable[tuple[bytes, bytes]]) -> str | None:
        """The first trusted country header that holds a country code."""
        if not self.header_names:
            return None
        for key, value in headers:
            if key in self.header_names:
                code = country_code(value)
                if code is not None:
                    return code
        return None

    def location_of_ip(self, address: IPAddress | Address | str | None) -> Location:
        if address is None or self._reader is None:
            return NOWHERE
        parsed: Address | None
        if isinstance(address, str):
            parsed = parse_address(address)
        elif isinstance(address, (ipaddress.IPv4Address, ipaddress.IPv6Address)):
            parsed = (address.max_prefixlen, int(address))
        else:
            parsed = address
        if parsed is None:
            return NOWHERE
        return self._cached_location(carried_ipv4(parsed))

    def _read_location(self, address: Address) -> Location:
        reader = self._reader
        if reader is None:
            return NOWHERE
        ip = to_ipaddress(address)
        try:
            model = reader.city(ip) if self._uses_city else reader.country(ip)
        except Exception:  # not in the database, an IPv6 address in an IPv4 one, closed
            return NOWHERE
        code = model.country.iso_code
        subdivision = None
        if self._uses_city:
            subdivision = model.subdivisions.most_specific.iso_code
        return Location(code if isinstance(code, str) else None,
                        subdivision if isinstance(subdivision, str) else None)


def country_code(value: bytes) -> str | None:
    """A header value as a two-letter country code, or ``None``."""
    text = value.strip()
    if len(text) != 2 or not text.isalpha():
        return None
    code = text.decode("ascii", "replace").upper()
    return None if code in _NOT_COUNTRIES else code


def open_database(path: Path) -> tuple[Any, bool]:
    """A memory-mapped ``geoip2`` reader and whether it is a City database.

    Raises :class:`ConfigError` naming ``geoip_database`` for anything but a readable
    Country or City MMDB file."""
    import geoip2.database
    import maxminddb

    try:
        import maxminddb.extension

        mode = maxminddb.MODE_MMAP_EXT
    except ImportError:  # pragma: no cover - the pure-Python reader, still memory-mapped
        mode = maxminddb.MODE_MMAP
    if not path.is_file():
        raise ConfigError(SETTING, f"{str(path)!r} does not exist or is not a file")
    try:
        reader = geoip2.database.Reader(str(path), mode=mode)
    except (OSError, ValueError, RuntimeError) as exc:
        raise ConfigError(
            SETTING, f"cannot open {str(path)!r} as a MaxMind database: {exc}"
        ) from None
    kind = reader.metadata().database_type
    if "City" in kind:
        return reader, True
    if "Country" in kind:
        return reader, False
    reader.close()
    raise ConfigError(SETTING, f"{str(path)!r} is a {kind!r} database; a Country or City "
                               "database is needed")
