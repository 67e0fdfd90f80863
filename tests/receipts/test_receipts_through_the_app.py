"""Every choice posted to the endpoint leaves a receipt, in both real backends."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta

from consentkit.consent_cookie import ConsentCodec

from .conftest import FIREFOX, SECRET, Backend, async_client, make_app

CHOICES: tuple[list[str], ...] = (
    ["analytics"], ["marketing", "preferences"], [], ["analytics", "marketing"],
)


def consent_id_in(set_cookie: str) -> str:
    value = set_cookie.split(";", 1)[0].split("=", 1)[1]
    record = ConsentCodec([SECRET], 86_400).decode(
        value, "1", frozenset({"necessary", "preferences", "analytics", "marketing"})
    )
    assert record is not None
    return record.id


async def test_2000_concurrent_posts_make_exactly_2000_receipts(backend: Backend) -> None:
    app = make_app(receipts=backend.store)
    async with async_client(app) as client:
        responses = await asyncio.gather(*(
            client.post("/consentkit/consent", json={"categories": CHOICES[n % 4]})
            for n in range(2000)
        ))
    assert [r.status_code for r in responses].count(200) == 2000
    ids = {consent_id_in(r.headers["set-cookie"]) for r in responses}
    assert len(ids) == 2000
    assert backend.store.count() == 2000  # type: ignore[attr-defined,unused-ignore]
    sample = responses[1].json()["id"]
    [receipt] = backend.store.by_consent_id(sample)
    assert receipt.granted == ("marketing", "necessary", "preferences")


async def test_receipt_holds_the_proof_and_is_found_by_the_cookie_id(backend: Backend) -> None:
    app = make_app(receipts=backend.store, country_headers=["CF-IPCountry"])
    headers = {"CF-IPCountry": "DE", "Sec-GPC": "1", "User-Agent": FIREFOX}
    async with async_client(app) as client:
        first = await client.post(
            "/consentkit/consent", headers=headers,
            json={"categories": ["analytics", "marketing"], "lang": "fr"},
        )
        assert first.status_code == 200
        second = await client.post("/consentkit/consent", headers=headers,
                                   json={"categories": [], "lang": "fr"})
    assert second.status_code == 200
    consent_id = consent_id_in(first.headers["set-cookie"])
    assert consent_id_in(second.headers["set-cookie"]) == consent_id  # the same visitor

    chosen, withdrawn = backend.store.by_consent_id(consent_id)
    assert chosen.granted == ("analytics", "necessary")  # GPC refused marketing
    assert chosen.refused == ("marketing", "preferences")
    assert (chosen.regime, chosen.region, chosen.gpc, chosen.language) == (
        "opt-in", "DE", True, "fr")
    assert chosen.ip == "203.0.113.0/24"
    assert chosen.user_agent == "Firefox 120 / Linux / pc"
    assert chosen.policy_version == "1"
    assert chosen.retention_tag == "consent-receipt-3y"
    assert chosen.delete_after - chosen.created_at == timedelta(days=3 * 365)
    assert chosen.created_at.utcoffset() == timedelta(0)
    assert withdrawn.granted == ("necessary",)
    assert withdrawn.created_at >= chosen.created_at

    exported = backend.store.export_json(consent_id)
    assert "203.0.113.77" not in exported
    document = json.loads(exported)
    assert document["consent_id"] == consent_id
    assert [r["granted"] for r in document["receipts"]] == [["analytics", "necessary"],
                                                            ["necessary"]]
    assert document["receipts"][0]["created_at"].endswith("Z")


async def test_storage_failure_answers_503_and_sets_no_cookie(backend: Backend) -> None:
    app = make_app(receipts=backend.store)
    async with async_client(app) as client:
        ok = await client.post("/consentkit/consent", json={"categories": ["analytics"]})
        assert ok.status_code == 200
        client.cookies.clear()  # a new visitor
        backend.drop_table()
        failed = await client.post("/consentkit/consent", json={"categories": ["analytics"]})
        state = await client.get("/consentkit/consent")
    assert failed.status_code == 503
    assert failed.json()["error"] == "storage_unavailable"
    assert "set-cookie" not in failed.headers
    assert state.json()["given"] is False  # asked again: no unprovable consent


async def test_no_store_means_no_receipt_and_no_failure() -> None:
    app = make_app()
    async with async_client(app) as client:
        answer = await client.post("/consentkit/consent", json={"categories": ["analytics"]})
    assert answer.status_code == 200
    assert "set-cookie" in answer.headers
