"""Sec-GPC: 1 on the very first request refuses marketing in every regime."""

from __future__ import annotations

import re

import pytest
from starlette.testclient import TestClient

from .conftest import cookie_names, make_app

GPC = {"Sec-GPC": "1"}
REGIMES = ("opt-in", "opt-out", "notice")


@pytest.mark.parametrize("regime", REGIMES)
def test_gpc_refuses_marketing_in_the_state(regime: str) -> None:
    client = TestClient(make_app(default_regime=regime))
    with_gpc = client.get("/consentkit/consent", headers=GPC).json()
    assert with_gpc["gpc"] is True
    assert with_gpc["regime"] == regime
    assert "marketing" not in with_gpc["categories"]
    without = client.get("/consentkit/consent").json()
    assert without["gpc"] is False
    assert ("marketing" in without["categories"]) is (regime != "opt-in")


@pytest.mark.parametrize("regime", REGIMES)
def test_gpc_drops_the_marketing_cookie_on_the_first_page(regime: str) -> None:
    client = TestClient(make_app(default_regime=regime))
    names = cookie_names(client.get("/", headers=GPC))
    assert "_fbp" not in names
    assert "session" in names
    assert ("_ga" in names) is (regime != "opt-in")  # analytics is not GPC's business


def test_gpc_is_read_before_the_regime_table() -> None:
    client = TestClient(make_app(country_headers=["CF-IPCountry"]))
    names = cookie_names(client.get("/", headers={"CF-IPCountry": "US", **GPC}))
    assert names == {"session", "_ga"}


def test_gpc_also_holds_against_a_choice_that_granted_marketing() -> None:
    client = TestClient(make_app(default_regime="opt-out"))
    chosen = client.post("/consentkit/consent", json={"categories": ["marketing", "analytics"]},
                         headers=GPC)
    assert chosen.status_code == 200
    assert chosen.json()["categories"] == ["analytics", "necessary"]
    page = client.get("/", headers=GPC)
    assert cookie_names(page) == {"session", "_ga"}


def test_gpc_can_be_ignored_by_setting() -> None:
    client = TestClient(make_app(default_regime="opt-out", honour_gpc=False))
    state = client.get("/consentkit/consent", headers=GPC).json()
    assert state["gpc"] is False
    assert "marketing" in state["categories"]


def consent_mode_default(html: str) -> dict[str, str]:
    found = re.search(r'g\("consent","default",(\{[^}]*\})', html)
    assert found is not None, "no Consent Mode default in the page"
    pairs = re.findall(r'"(\w+)":"(granted|denied)"', found.group(1))
    return dict(pairs)


def test_consent_mode_default_in_the_page_reflects_gpc() -> None:
    client = TestClient(make_app(default_regime="opt-out"))
    plain = consent_mode_default(client.get("/").text)
    assert plain["ad_storage"] == "granted"
    with_gpc = consent_mode_default(client.get("/", headers=GPC).text)
    assert with_gpc["ad_storage"] == "denied"
    assert with_gpc["ad_user_data"] == "denied"
    assert with_gpc["analytics_storage"] == "granted"
