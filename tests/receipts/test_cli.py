"""``consentkit receipts show|export|purge`` against the stores the app wrote."""

from __future__ import annotations

import json

import pytest

from consentkit.cli import main

from .conftest import SECRET, Backend, async_client, make_app


async def cookie_after_choice(backend: Backend) -> str:
    app = make_app(receipts=backend.store)
    async with async_client(app) as client:
        answer = await client.post("/consentkit/consent",
                                   json={"categories": ["preferences"], "lang": "de"})
    assert answer.status_code == 200
    return answer.headers["set-cookie"].split(";", 1)[0].split("=", 1)[1]


async def test_show_and_export_by_the_cookie_a_visitor_hands_in(
    backend: Backend, capsys: pytest.CaptureFixture[str]
) -> None:
    cookie = await cookie_after_choice(backend)
    store = ["--store", backend.url]
    assert main(["receipts", "show", cookie, "--cookie", "--secret-key", SECRET, *store]) == 0
    shown = capsys.readouterr().out
    assert "granted:        necessary, preferences" in shown
    assert "language:       de" in shown

    assert main(["receipts", "export", cookie, "--cookie", "--secret-key", SECRET,
                 *store]) == 0
    document = json.loads(capsys.readouterr().out)
    [receipt] = document["receipts"]
    assert receipt["consent_id"] == document["consent_id"]
    assert receipt["refused"] == ["analytics", "marketing"]

    assert main(["receipts", "show", document["consent_id"], *store]) == 0
    assert document["consent_id"] in capsys.readouterr().out


async def test_unknown_consent_and_forged_cookie(
    backend: Backend, capsys: pytest.CaptureFixture[str]
) -> None:
    cookie = await cookie_after_choice(backend)
    store = ["--store", backend.url]
    assert main(["receipts", "show", "no-such-id", *store]) == 1
    assert main(["receipts", "export", "no-such-id", *store]) == 1
    assert json.loads(capsys.readouterr().out.split("\n", 1)[1])["receipts"] == []
    forged = ["receipts", "show", cookie, "--cookie", "--secret-key", "another-key-123"]
    assert main([*forged, *store]) == 2
    assert "not a consent cookie signed with this key" in capsys.readouterr().err


async def test_purge_keeps_receipts_in_retention(
    backend: Backend, capsys: pytest.CaptureFixture[str]
) -> None:
    await cookie_after_choice(backend)
    store = ["--store", backend.url]
    assert main(["receipts", "purge", "--now", "2028-01-01T00:00:00", *store]) == 0
    assert capsys.readouterr().out.startswith("0 receipt(s)")
    assert main(["receipts", "purge", "--now", "2099-01-01T00:00:00+00:00", *store]) == 0
    assert capsys.readouterr().out.startswith("1 receipt(s)")
    assert backend.store.count() == 0  # type: ignore[attr-defined,unused-ignore]
