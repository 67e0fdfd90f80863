"""What the request's path remembers between requests: verified consent cookies, the
cleanup owed to a set of cookies, and first visits answered without a request object.
Each cache must give the answer the uncached path gives."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest
from starlette.testclient import TestClient

from consentkit.consent_cookie import ConsentCodec

from .conftest import SECRET, set_cookie_names

DAY = 86_400


def consent_cookie(categories: list[str], *, age_days: float = 0) -> str:
    codec = ConsentCodec([SECRET], 180 * DAY)
    real_time = time.time
    try:  # sign it as if it had been issued age_days ago
        time.time = lambda: real_time() - age_days * DAY  # type: ignore[assignment]
        return codec.encode("1", categories, "abcdefghijklmnop")
    finally:
        time.time = real_time  # type: ignore[assignment]


def test_a_verified_consent_is_taken_again_from_the_cache(client: TestClient) -> None:
    client.cookies.set("consentkit", consent_cookie(["analytics"]))
    for _ in range(3):
        body = client.get("/").json()
        assert body["given"] is True and body["allows_analytics"] is True
        assert body["id"] == "abcdefghijklmnop"


def test_a_cached_consent_expires_with_its_max_age(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    client.cookies.set("consentkit", consent_cookie(["analytics"], age_days=179.99))
    assert client.get("/").json()["given"] is True  # verified and cached
    later = time.time() + 2 * DAY
    monkeypatch.setattr(time, "time", lambda: later)
    body = client.get("/").json()
    assert body["given"] is False and body["allows_analytics"] is False


def test_a_tampered_copy_of_a_cached_consent_is_no_consent(client: TestClient) -> None:
    good = consent_cookie(["analytics", "marketing"])
    client.cookies.set("consentkit", good)
    assert client.get("/").json()["given"] is True
    client.cookies.set("consentkit", good[:-2] + ("AA" if not good.endswith("AA") else "BB"))
    body = client.get("/").json()
    assert body["given"] is False and body["categories"] == ["necessary"]


def test_the_same_cookies_under_another_consent_get_their_own_cleanup(
    client_for: Callable[..., TestClient],
) -> None:
    client = client_for()
    client.cookies.set("_ga", "GA1.2.3.4")
    client.cookies.set("consentkit", consent_cookie(["analytics"]))
    kept = client.get("/")
    assert "_ga" in set_cookie_names(kept)  # granted: set again, never expired
    assert not [v for v in kept.headers.get_list("set-cookie") if v.startswith("_ga=;")]
    client.cookies.set("consentkit", consent_cookie([]))  # withdrawn
    for _ in range(2):  # computed, then taken from the cache: the same answer
        expired = client.get("/").headers.get_list("set-cookie")
        assert any(v.startswith("_ga=;") and "Max-Age=0" in v for v in expired)


def test_first_visits_get_the_default_consent_and_no_refused_cookie(
    client: TestClient,
) -> None:
    for _ in range(3):  # the first request starts the engine; the next take the quick path
        client.cookies.clear()
        response = client.get("/")
        assert response.json()["given"] is False
        assert set(set_cookie_names(response)) == {"session", "csrftoken"}


def test_a_first_visit_with_gpc_refuses_marketing_under_opt_out(
    client_for: Callable[..., TestClient],
) -> None:
    client = client_for(default_regime="opt-out")
    for _ in range(2):
        client.cookies.clear()
        plain = client.get("/")
        assert "_fbp" in set_cookie_names(plain)
        client.cookies.clear()
        with_gpc = client.get("/", headers={"Sec-GPC": "1"})
        assert "_fbp" not in set_cookie_names(with_gpc)
        assert "_ga" in set_cookie_names(with_gpc)
