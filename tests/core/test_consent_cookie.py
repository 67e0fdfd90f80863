"""The signed consent cookie: attributes, size, tampering, rotation, expiry, versions."""

from __future__ import annotations

import time
from collections.abc import Callable
from unittest import mock

from starlette.testclient import TestClient

from consentkit import Policy
from consentkit.consent_cookie import ConsentCodec

from .conftest import SECRET


def _consent_cookie(response: object) -> str:
    values = response.headers.get_list("set-cookie")  # type: ignore[attr-defined]
    (value,) = [v for v in values if v.startswith("consentkit=")]
    return str(value)


def test_cookie_attributes_and_size(client_for: Callable[..., TestClient]) -> None:
    client = client_for(cookie_secure=True, cookie_domain="shop.test")
    header = _consent_cookie(
        client.post("/consentkit/consent",
                    json={"categories": ["preferences", "analytics", "marketing"]})
    )
    value = header.split(";", 1)[0].split("=", 1)[1]
    assert len(value) < 200
    attributes = [part.strip() for part in header.split(";")[1:]]
    assert "Path=/" in attributes
    assert "SameSite=Lax" in attributes
    assert "Secure" in attributes
    assert "HttpOnly" in attributes
    assert "Domain=shop.test" in attributes
    assert f"Max-Age={180 * 86400}" in attributes


def test_secure_is_on_unless_turned_off(client_for: Callable[..., TestClient]) -> None:
    client = TestClient(client_for(cookie_secure=True).app, base_url="https://shop.test")
    assert "Secure" in _consent_cookie(client.post("/consentkit/consent",
                                                   json={"categories": []}))
    plain = client_for(cookie_secure=False)
    assert "Secure" not in _consent_cookie(plain.post("/consentkit/consent",
                                                      json={"categories": []}))


def _state_with_cookie(client: TestClient, value: str) -> dict[str, object]:
    client.cookies.set("consentkit", value, domain="shop.test")
    data: dict[str, object] = client.get("/").json()
    return data


def test_tampered_cookie_means_no_consent(client: TestClient) -> None:
    header = _consent_cookie(client.post("/consentkit/consent",
                                         json={"categories": ["analytics"]}))
    value = header.split(";", 1)[0].split("=", 1)[1]
    payload, stamp, signature = value.split(".")
    forged = payload.replace("a", "b", 1) + "." + stamp + "." + signature
    client.cookies.clear()
    state = _state_with_cookie(client, forged)
    assert state["given"] is False and state["categories"] == ["necessary"]


def test_malformed_cookies_mean_no_consent(client: TestClient) -> None:
    for junk in ("", "x", "....", "eyJ2IjoiMSJ9.AAAA.BBBB", "%%%", "a" * 5000):
        client.cookies.clear()
        response = client.get("/", headers={"cookie": f"consentkit={junk}"})
        assert response.status_code == 200
        assert response.json()["given"] is False


def test_key_rotation_newest_signs_all_verify(client_for: Callable[..., TestClient]) -> None:
    old = ConsentCodec(["old-secret-key-1234"], 3600).encode("1", ["analytics"], "abc123abc123")
    rotated = client_for(secret_key=["new-secret-key-5678", "old-secret-key-1234"])
    assert _state_with_cookie(rotated, old)["categories"] == ["analytics", "necessary"]
    fresh = _consent_cookie(rotated.post("/consentkit/consent", json={"categories": []}))
    fresh_value = fresh.split(";", 1)[0].split("=", 1)[1]
    new_only = ConsentCodec(["new-secret-key-5678"], 3600)
    assert new_only.decode(fresh_value, "1", frozenset({"analytics", "necessary"})) is not None


def test_cookie_signed_with_a_rotated_out_key_means_no_consent(
    client_for: Callable[..., TestClient],
) -> None:
    old = ConsentCodec(["retired-secret-key"], 3600).encode("1", ["analytics"], "abc123abc123")
    client = client_for(secret_key=["current-secret-key"])
    assert _state_with_cookie(client, old)["given"] is False


def test_expired_cookie_means_no_consent(client: TestClient) -> None:
    codec = ConsentCodec([SECRET], 180 * 86400)
    with mock.patch("itsdangerous.timed.time.time", return_value=time.time() - 181 * 86400):
        stale = codec.encode("1", ["analytics"], "abc123abc123")
    assert _state_with_cookie(client, stale)["given"] is False
    with mock.patch("itsdangerous.timed.time.time", return_value=time.time() - 179 * 86400):
        recent = codec.encode("1", ["analytics"], "abc123abc123")
    client.cookies.clear()
    assert _state_with_cookie(client, recent)["given"] is True


def test_cookie_for_an_older_policy_version_means_no_consent(
    client_for: Callable[..., TestClient],
) -> None:
    v1 = ConsentCodec([SECRET], 3600).encode("2025-01", ["analytics"], "abc123abc123")
    client = client_for(policy=Policy(version="2026-06"))
    assert _state_with_cookie(client, v1)["given"] is False
    v2 = ConsentCodec([SECRET], 3600).encode("2026-06", ["analytics"], "abc123abc123")
    client.cookies.clear()
    assert _state_with_cookie(client, v2)["given"] is True


def test_cookie_naming_an_unknown_category_means_no_consent(client: TestClient) -> None:
    odd = ConsentCodec([SECRET], 3600).encode("1", ["telemetry"], "abc123abc123")
    assert _state_with_cookie(client, odd)["given"] is False
