"""Country lookup: a real MMDB built by the tests, trusted CDN headers, and start-up
errors that name the setting."""

from __future__ import annotations

from pathlib import Path

import pytest

from consentkit.accesslog import AccessLog
from consentkit.errors import ConfigError
from consentkit.geo import CountryLookup

from .conftest import build_mmdb, collecting_logger, request, settings_for


def test_country_from_the_database(country_mmdb: Path) -> None:
    geo = CountryLookup(settings_for(geoip_database=str(country_mmdb)))
    try:
        assert geo.country("203.0.113.9") == "DE"
        assert geo.country("::ffff:198.51.100.7") == "FR"
        assert geo.country("2001:db8:1:aa::1") == "JP"
        assert geo.country("192.0.2.1") is None
        assert geo.country("not an address") is None
        assert geo.country(None) is None
        assert geo.country(request(client=("203.0.113.200", 1))) == "DE"
    finally:
        geo.close()


def test_country_of_the_forwarded_visitor_behind_a_trusted_proxy(country_mmdb: Path) -> None:
    geo = CountryLookup(settings_for(geoip_database=country_mmdb,
                                     trusted_proxies=["10.0.0.0/8"]))
    behind_proxy = request(headers=[(b"x-forwarded-for", b"198.51.100.8")],
                           client=("10.0.0.2", 1))
    spoofed = request(headers=[(b"x-forwarded-for", b"198.51.100.8")],
                      client=("203.0.113.5", 1))
    try:
        assert geo.country(behind_proxy) == "FR"
        assert geo.country(spoofed) == "DE"
    finally:
        geo.close()


def test_a_trusted_cdn_header_comes_first(country_mmdb: Path) -> None:
    geo = CountryLookup(settings_for(geoip_database=country_mmdb,
                                     country_headers=["CF-IPCountry"]))
    try:
        assert geo.country(request(headers=[(b"cf-ipcountry", b"se")],
                                   client=("203.0.113.9", 1))) == "SE"
        # "XX" (unknown) and nonsense fall through to the database.
        assert geo.country(request(headers=[(b"cf-ipcountry", b"XX")],
                                   client=("203.0.113.9", 1))) == "DE"
        assert geo.country(request(headers=[(b"cf-ipcountry", b"<script>")],
                                   client=("203.0.113.9", 1))) == "DE"
        # A header the settings do not name is not believed.
        assert geo.country(request(headers=[(b"x-country", b"SE")],
                                   client=("203.0.113.9", 1))) == "DE"
    finally:
        geo.close()


def test_headers_alone_need_no_database() -> None:
    geo = CountryLookup(settings_for(country_headers=["CloudFront-Viewer-Country"]))
    assert geo.country(request(headers=[(b"cloudfront-viewer-country", b"BR")])) == "BR"
    assert geo.country(request()) is None
    geo.close()


def test_city_database_gives_country_and_subdivision(city_mmdb: Path) -> None:
    geo = CountryLookup(settings_for(geoip_database=city_mmdb))
    try:
        location = geo.location("192.0.2.44")
        assert (location.country, location.subdivision) == ("US", "CA")
    finally:
        geo.close()


def test_close_releases_the_database_and_open_reopens_it(country_mmdb: Path) -> None:
    geo = CountryLookup(settings_for(geoip_database=country_mmdb))
    geo.close()
    assert geo.country("203.0.113.9") is None
    geo.open()
    assert geo.country("203.0.113.9") == "DE"
    geo.close()


def test_the_line_carries_the_country(country_mmdb: Path) -> None:
    logger, collector = collecting_logger()
    log = AccessLog(settings_for(access_log=logger, geoip_database=country_mmdb))
    log.record(request(client=("203.0.113.50", 1)), None, 200, 1, 0.001)
    log.record(request(client=("192.0.2.50", 1)), None, 200, 1, 0.001)
    log.close()
    assert [line["country"] for line in collector.objects] == ["DE", None]


def test_a_missing_database_fails_at_construction_naming_the_setting(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        CountryLookup(settings_for(geoip_database=tmp_path / "absent.mmdb"))
    assert caught.value.setting == "geoip_database"
    logger, _ = collecting_logger()
    with pytest.raises(ConfigError, match="geoip_database"):
        AccessLog(settings_for(access_log=logger, geoip_database=tmp_path / "absent.mmdb"))


@pytest.mark.parametrize("content", [b"", b"not a maxmind database" * 100])
def test_an_unreadable_database_fails_at_construction(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "broken.mmdb"
    path.write_bytes(content)
    with pytest.raises(ConfigError) as caught:
        CountryLookup(settings_for(geoip_database=path))
    assert caught.value.setting == "geoip_database"


def test_a_directory_or_an_asn_database_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="geoip_database"):
        CountryLookup(settings_for(geoip_database=tmp_path))
    asn = build_mmdb(tmp_path / "asn.mmdb", "GeoLite2-ASN",
                     {"203.0.113.0/24": {"autonomous_system_number": 64500}})
    with pytest.raises(ConfigError, match="Country or City"):
        CountryLookup(settings_for(geoip_database=asn))


def test_the_middleware_refuses_a_missing_database_when_built(tmp_path: Path) -> None:
    from starlette.applications import Starlette

    from consentkit.asgi import ConsentMiddleware

    with pytest.raises(ConfigError) as caught:
        ConsentMiddleware(Starlette(), secret_key="a-long-enough-secret",
                          access_log="stdout", geoip_database=str(tmp_path / "none.mmdb"))
    assert caught.value.setting == "geoip_database"
