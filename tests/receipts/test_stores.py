"""The store interface in both backends: retention, lookup, export, configuration."""

from __future__ import annotations

import json
import socket
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from consentkit import ConfigError, Settings
from consentkit.http import RequestInfo
from consentkit.receipts import Receipt, open_store_at
from consentkit.receipts.build import build_receipt

from .conftest import FIREFOX, SECRET, Backend, make_app

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


def receipt_at(consent_id: str, created: datetime, retention_days: int = 30) -> Receipt:
    settings = Settings(secret_key=SECRET, receipts_retention_days=retention_days,
                        receipts_retention_tag="consent-30d", trusted_proxies=["10.0.0.0/8"])
    request = RequestInfo("POST", "/consentkit/consent",
                          [(b"user-agent", FIREFOX.encode()),
                           (b"x-forwarded-for", b"2001:db8:77:1::9")],
                          client=("10.0.0.2", 4000))
    return build_receipt(settings, request, {"analytics", "necessary"},
                         {"marketing", "preferences"}, consent_id, "opt-in", "FR", False,
                         "fr", now=created)


def test_receipt_is_built_from_the_request_without_personal_detail() -> None:
    receipt = receipt_at("c1", NOW)
    assert receipt.ip == "2001:db8:77::/48"
    assert receipt.user_agent == "Firefox 120 / Linux / pc"
    assert receipt.retention_tag == "consent-30d"
    assert receipt.delete_after == NOW + timedelta(days=30)


def test_purge_deletes_only_receipts_past_retention(backend: Backend) -> None:
    store = backend.store
    store.save(receipt_at("old", NOW - timedelta(days=31)))
    store.save(receipt_at("edge", NOW - timedelta(days=29)))
    store.save(receipt_at("new", NOW - timedelta(hours=1)))
    store.save(receipt_at("new", NOW))
    assert store.purge(NOW) == 1
    assert store.by_consent_id("old") == []
    assert len(store.by_consent_id("edge")) == 1
    assert len(store.by_consent_id("new")) == 2
    assert store.purge(NOW) == 0
    assert store.purge(NOW + timedelta(days=31)) == 3


def test_lookup_round_trips_every_field_and_export_is_json(backend: Backend) -> None:
    saved = receipt_at("abc", NOW)
    backend.store.save(saved)
    assert backend.store.by_consent_id("abc") == [saved]
    assert backend.store.by_consent_id("nobody") == []
    document = json.loads(backend.store.export_json("abc"))
    assert document["receipts"][0]["created_at"] == "2026-06-01T12:00:00Z"
    assert document["receipts"][0]["refused"] == ["marketing", "preferences"]
    assert json.loads(backend.store.export_json("nobody"))["receipts"] == []


def test_sqlite_default_file_is_under_data_dir_in_wal_mode(tmp_path: Path) -> None:
    app = make_app(receipts="sqlite://", data_dir=str(tmp_path / "data"))
    with TestClient(app) as client:
        assert client.post("/consentkit/consent", json={"categories": []}).status_code == 200
        path = tmp_path / "data" / "consentkit-receipts.sqlite3"
        with sqlite3.connect(path) as conn:
            assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
            assert conn.execute("SELECT count(*) FROM consentkit_receipts").fetchone()[0] == 1


def test_the_store_reopens_after_a_lifespan_restart(tmp_path: Path) -> None:
    app = make_app(receipts="sqlite:///r.sqlite3", data_dir=str(tmp_path))
    for _ in range(2):
        with TestClient(app) as client:
            assert client.post("/consentkit/consent", json={"categories": []}).status_code == 200
    with sqlite3.connect(tmp_path / "r.sqlite3") as conn:
        assert conn.execute("SELECT count(*) FROM consentkit_receipts").fetchone()[0] == 2


@pytest.mark.parametrize("value", ["mysql://db/x", 42, "sqlite:/relative"])
def test_a_bad_receipts_setting_names_it(value: object) -> None:
    with pytest.raises(ConfigError) as caught:
        open_store_at(value, ".")
    assert caught.value.setting == "receipts"


def test_an_unusable_sqlite_path_fails_at_start_up(tmp_path: Path) -> None:
    (tmp_path / "taken").write_text("a file where a folder should be")
    with pytest.raises(ConfigError) as caught:
        open_store_at("sqlite:///taken/receipts.sqlite3", tmp_path)
    assert caught.value.setting == "receipts"


def test_an_unreachable_postgres_fails_at_start_up() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(ConfigError) as caught:
        open_store_at(f"postgresql://nobody@127.0.0.1:{port}/none", ".")
    assert caught.value.setting == "receipts"
