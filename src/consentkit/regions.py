"""Where the visitor is, and which consent regime applies there. Pure (plus a read-only
MaxMind database when one is configured).

Three regimes:

- ``opt-in``: nothing non-essential until the visitor says yes (GDPR, ePrivacy, UK GDPR,
  the Swiss FADP, Korea's PIPA, Brazil's LGPD);
- ``opt-out``: non-essential categories are on until the visitor, or their browser through
  Global Privacy Control, says no (US state privacy laws such as California's CCPA/CPRA);
- ``notice``: the site informs; everything is on until the visitor says no.

The region comes from a CDN header the site trusts (only the headers named in
``country_headers`` and ``region_headers`` are believed) or from a local MaxMind database
(``geoip_database``) read with ``geoip2``. No lookup ever leaves the server. A region is an
ISO 3166-1 country code (``"DE"``) or, when a subdivision is known, an ISO 3166-2 code
(``"US-CA"``). The regime is the table's entry for the subdivision, else for the country,
else ``default_regime`` (``opt-in`` unless the site changes it).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from types import MappingProxyType

from .errors import ConfigError
from .geo import CountryLookup
from .http import RequestInfo
from .settings import REGIMES, Settings

OPT_IN = "opt-in"
OPT_OUT = "opt-out"
NOTICE = "notice"

EU_COUNTRIES: tuple[str, ...] = (
    "AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU",
    "IE", "IT", "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK",
)
# Parts of EU member states that carry their own ISO 3166-1 code.
EU_TERRITORIES: tuple[str, ...] = ("AX", "GF", "GP", "MF", "MQ", "RE", "YT")
EEA_ONLY: tuple[str, ...] = ("IS", "LI", "NO")
OTHER_OPT_IN: tuple[str, ...] = ("GB", "CH", "KR", "BR")

# The default region table. Opt-in places are listed explicitly so that they stay opt-in
# when a site sets ``default_regime`` to something else; every country not listed gets
# ``default_regime`` (opt-in by default). The United States is opt-out: its state laws
# give visitors a right to refuse sale and sharing, which Global Privacy Control exercises.
DEFAULT_REGIONS: Mapping[str, str] = MappingProxyType({
    **dict.fromkeys(EU_COUNTRIES + EU_TERRITORIES + EEA_ONLY + OTHER_OPT_IN, OPT_IN),
    "US": OPT_OUT,
})

_COUNTRY = re.compile(r"^[A-Z]{2}$")
_REGION = re.compile(r"^[A-Z]{2}-[A-Z0-9]{1,3}$")
# Placeholder codes CDNs send when they do not know: unknown, Tor, anonymous proxy, ...
_NOT_A_PLACE = frozenset({"XX", "T1", "A1", "A2", "O1", "ZZ", "EU", "AP"})


def region_table(overrides: Mapping[str, str] | None) -> dict[str, str]:
    """The default table with the site's entries on top; keys are upper-cased."""
    table = dict(DEFAULT_REGIONS)
    for key, regime in (overrides or {}).items():
        code = key.strip().upper() if isinstance(key, str) else ""
        if not (_COUNTRY.match(code) or _REGION.match(code)):
            raise ConfigError(
                f"regions.{key}", "must be a country code like 'DE' or a region like 'US-CA'"
            )
        if regime not in REGIMES:
            raise ConfigError(f"regions.{key}", f"{regime!r} is not one of {REGIMES}")
        table[code] = regime
    return table


def clean_country(value: bytes | str | None) -> str | None:
    """A two-letter country code from a header or database value, or ``None``."""
    if value is None:
        return None
    text = value.decode("latin-1") if isinstance(value, bytes) else value
    code = text.strip().upper()
    if not _COUNTRY.match(code) or code in _NOT_A_PLACE:
        return None
    return code


def clean_subdivision(value: bytes | str | None, country: str) -> str | None:
    """``"CA"`` or ``"US-CA"`` (from a region header) -> ``"US-CA"``; ``None`` when unusable
    or when it names another country."""
    if value is None:
        return None
    text = value.decode("latin-1") if isinstance(value, bytes) else value
    code = text.strip().upper()
    if "-" not in code:
        code = f"{country}-{code}"
    if not _REGION.match(code) or not code.startswith(country + "-"):
        return None
    return code


class RegionResolver:
    """Resolves ``(regime, region)`` for a request. Built once from :class:`Settings`;
    the country comes from :class:`~consentkit.geo.CountryLookup` (trusted headers, then
    the MaxMind database), the subdivision from a trusted region header or a City database.
    """

    def __init__(self, settings: Settings) -> None:
        self.default_regime: str = settings.default_regime
        self.table = region_table(settings.regions)
        self.region_headers = _header_names(settings.region_headers, "region_headers")
        self.lookup = CountryLookup(settings)

    def regime_for(self, region: str | None) -> str:
        """The regime of a region code (``"US-CA"`` falls back to ``"US"``)."""
        if region is None:
            return self.default_regime
        found = self.table.get(region)
        if found is None and "-" in region:
            found = self.table.get(region.split("-", 1)[0])
        return found or self.default_regime

    def resolve(self, request: RequestInfo) -> tuple[str, str | None]:
        """The regime and region of this request. Never raises."""
        region = self.locate(request)
        return self.regime_for(region), region

    def locate(self, request: RequestInfo) -> str | None:
        """The visitor's region code: a trusted CDN header first, then the database."""
        country = self.lookup.from_headers(request.headers)
        if country is not None:
            for name in self.region_headers:
                subdivision = clean_subdivision(request.header(name), country)
                if subdivision is not None:
                    return subdivision
            return country
        if not self.lookup.has_database:
            return None
        self.lookup.open()  # a no-op unless a lifespan shutdown closed it
        found = self.lookup.location(request)
        country = clean_country(found.country)
        if country is None:
            return None
        return clean_subdivision(found.subdivision, country) or country

    def close(self) -> None:
        self.lookup.close()


def _header_names(names: Sequence[str], setting: str) -> tuple[bytes, ...]:
    out: list[bytes] = []
    for index, name in enumerate(names):
        if not isinstance(name, str) or not name.strip() or not name.isascii():
            raise ConfigError(f"{setting}[{index}]", f"{name!r} is not a header name")
        out.append(name.strip().lower().encode("ascii"))
    return tuple(out)
