"""The regime of the visitor's region decides what the first response lets through."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.testclient import TestClient

from consentkit import ConfigError

from .conftest import cookie_names, make_app

CDN = {"country_headers": ["CF-IPCountry"], "region_headers": ["CF-Region-Code"]}


def state(client: TestClient, **headers: str) -> dict[str, Any]:
    response = client.get("/consentkit/consent", headers=headers)
    assert response.status_code == 200
    data: dict[str, Any] = response.json()
    return data


def test_trusted_country_header_picks_the_regime() -> None:
    client = TestClient(make_app(**CDN))
    germany = state(client, **{"CF-IPCountry": "DE"})
    assert (germany["regime"], germany["region"]) == ("opt-in", "DE")
    assert germany["categories"] == ["necessary"]
    usa = state(client, **{"CF-IPCountry": "US", "CF-Region-Code": "CA"})
    assert (usa["regime"], usa["region"]) == ("opt-out", "US-CA")
    assert usa["categories"] == ["analytics", "marketing", "necessary", "preferences"]
    japan = state(client, **{"CF-IPCountry": "JP"})
    assert (japan["regime"], japan["region"]) == ("opt-in", "JP")


def test_first_page_cookies_follow_the_regime() -> None:
    client = TestClient(make_app(**CDN))
    in_germany = client.get("/", headers={"CF-IPCountry": "DE"})
    assert cookie_names(in_germany) == {"session"}
    in_texas = client.get("/", headers={"CF-IPCountry": "US", "CF-Region-Code": "TX"})
    assert cookie_names(in_texas) == {"session", "_ga", "_fbp"}


def test_the_site_table_changes_a_state_and_a_country() -> None:
    client = TestClient(make_app(regions={"US-VA": "opt-in", "JP": "notice"}, **CDN))
    virginia = state(client, **{"CF-IPCountry": "US", "CF-Region-Code": "VA"})
    assert (virginia["regime"], virginia["categories"]) == ("opt-in", ["necessary"])
    japan = state(client, **{"CF-IPCountry": "JP"})
    assert japan["regime"] == "notice"
    assert "marketing" in japan["categories"]  # notice: inform, everything on


def test_country_header_is_ignored_unless_configured() -> None:
    client = TestClient(make_app())
    spoofed = state(client, **{"CF-IPCountry": "US", "CF-Region-Code": "CA"})
    assert (spoofed["regime"], spoofed["region"]) == ("opt-in", None)
    assert spoofed["categories"] == ["necessary"]
    page = client.get("/", headers={"CF-IPCountry": "US"})
    assert cookie_names(page) == {"session"}


def test_only_the_configured_header_is_believed() -> None:
    client = TestClient(make_app(country_headers=["CloudFront-Viewer-Country"]))
    assert state(client, **{"CF-IPCountry": "US"})["regime"] == "opt-in"
    assert state(client, **{"CloudFront-Viewer-Country": "US"})["regime"] == "opt-out"


async def mmdb_state(app: object, peer: str, **headers: str) -> dict[str, Any]:
    transport = httpx.ASGITransport(app=app, client=(peer, 40000))  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url="http://shop.test") as client:
        response = await client.get("/consentkit/consent", headers=headers)
    assert response.status_code == 200
    data: dict[str, Any] = response.json()
    return data


async def test_mmdb_gives_country_and_state(world_mmdb: Path) -> None:
    app = make_app(geoip_database=world_mmdb, regions={"US-VA": "notice"})
    germany = await mmdb_state(app, "203.0.113.50")
    assert (germany["regime"], germany["region"]) == ("opt-in", "DE")
    california = await mmdb_state(app, "192.0.2.10")
    assert (california["regime"], california["region"]) == ("opt-out", "US-CA")
    virginia = await mmdb_state(app, "192.0.2.200")
    assert (virginia["regime"], virginia["region"]) == ("notice", "US-VA")
    japan = await mmdb_state(app, "2001:db8:1::7")
    assert (japan["regime"], japan["region"]) == ("opt-in", "JP")
    nowhere = await mmdb_state(app, "100.64.0.1")
    assert (nowhere["regime"], nowhere["region"]) == ("opt-in", None)


async def test_mmdb_reads_the_visitor_behind_a_trusted_proxy_only(world_mmdb: Path) -> None:
    forwarded = {"X-Forwarded-For": "192.0.2.10"}
    trusting = make_app(geoip_database=world_mmdb, trusted_proxies=["10.0.0.0/8"])
    assert (await mmdb_state(trusting, "10.1.2.3", **forwarded))["region"] == "US-CA"
    # From a peer that is no trusted proxy, the header is the visitor's own claim.
    assert (await mmdb_state(trusting, "203.0.113.9", **forwarded))["region"] == "DE"


async def test_trusted_header_comes_before_the_database(world_mmdb: Path) -> None:
    app = make_app(geoip_database=world_mmdb, country_headers=["CF-IPCountry"])
    found = await mmdb_state(app, "192.0.2.10", **{"CF-IPCountry": "FR"})
    assert (found["regime"], found["region"]) == ("opt-in", "FR")


def test_missing_database_fails_at_start_up(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        make_app(geoip_database=tmp_path / "nope.mmdb").build_middleware_stack()
    assert caught.value.setting == "geoip_database"


def test_database_lookups_survive_a_lifespan_restart(world_mmdb: Path) -> None:
    app = make_app(geoip_database=world_mmdb)
    for _ in range(2):
        with TestClient(app, client=("203.0.113.50", 40000)) as client:
            assert state(client)["region"] == "DE"
