"""First-party collection routes answer 204 without reaching the app until granted."""

from __future__ import annotations

from starlette.testclient import TestClient

from consentkit import Policy
from consentkit.policy import CollectionRoute

from .conftest import make_app

POLICY = Policy(collection_routes=(CollectionRoute("/collect", "analytics"),))


def test_collection_route_is_answered_204_while_analytics_is_not_granted() -> None:
    client = TestClient(make_app(policy=POLICY))
    for method in ("GET", "POST"):
        held = client.request(method, "/collect")
        assert held.status_code == 204
        assert held.content == b""
        assert held.headers.get("set-cookie") is None


def test_collection_route_reaches_the_app_once_granted() -> None:
    client = TestClient(make_app(policy=POLICY))
    assert client.post("/consentkit/consent", json={"categories": ["analytics"]}).status_code == 200
    reached = client.post("/collect")
    assert (reached.status_code, reached.text) == (200, "counted by the app")
    client.post("/consentkit/consent", json={"categories": []})
    assert client.get("/collect").status_code == 204


def test_collection_route_follows_the_regime() -> None:
    client = TestClient(make_app(policy=POLICY, country_headers=["CF-IPCountry"]))
    assert client.get("/collect", headers={"CF-IPCountry": "FR"}).status_code == 204
    assert client.get("/collect", headers={"CF-IPCountry": "US"}).status_code == 200
