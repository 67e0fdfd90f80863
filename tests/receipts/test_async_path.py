"""Under ASGI a store that saves on the event loop (``asave``) is awaited, no thread."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg
import pytest
from starlette.testclient import TestClient

from consentkit.errors import StorageError
from consentkit.receipts import Receipt, ReceiptStore

from .conftest import Backend, async_client, make_app
from .test_flask import flask_app


class LoopOnlyStore(ReceiptStore):
    """Saves only through ``asave`` (``save`` fails), or fails there when ``broken``."""

    def __init__(self, broken: bool = False) -> None:
        self.broken = broken
        self.saved: list[Receipt] = []

    def save(self, receipt: Receipt) -> None:
        raise StorageError("the thread path was used")

    async def asave(self, receipt: Receipt) -> None:
        if self.broken:
            raise StorageError("disk full")
        self.saved.append(receipt)

    def by_consent_id(self, consent_id: str) -> list[Receipt]:
        return [r for r in self.saved if r.consent_id == consent_id]

    def purge(self, now: datetime) -> int:
        return 0

    def close(self) -> None:
        pass


async def test_asgi_awaits_the_async_save_and_answers_after_it() -> None:
    store = LoopOnlyStore()
    async with async_client(make_app(receipts=store)) as client:
        answer = await client.post("/consentkit/consent", json={"categories": ["analytics"]})
    assert answer.status_code == 200
    assert "set-cookie" in answer.headers
    [receipt] = store.saved
    assert receipt.consent_id == answer.json()["id"]
    assert receipt.granted == ("analytics", "necessary")


async def test_a_failing_async_save_answers_503_and_sets_no_cookie() -> None:
    store = LoopOnlyStore(broken=True)
    async with async_client(make_app(receipts=store)) as client:
        failed = await client.post("/consentkit/consent", json={"categories": ["analytics"]})
        state = await client.get("/consentkit/consent")
    assert failed.status_code == 503
    assert failed.json()["error"] == "storage_unavailable"
    assert "set-cookie" not in failed.headers
    assert state.json()["given"] is False


async def test_invalid_choices_are_refused_before_any_save() -> None:
    store = LoopOnlyStore()
    async with async_client(make_app(receipts=store)) as client:
        unknown = await client.post("/consentkit/consent", json={"categories": ["nope"]})
        text = await client.post("/consentkit/consent", content=b"{}",
                                 headers={"content-type": "text/plain"})
    assert (unknown.status_code, text.status_code) == (400, 415)
    assert store.saved == []


def _sessions(backend: Backend) -> list[str]:
    database = backend.url.rsplit("/", 1)[1]
    with psycopg.connect(backend.url, autocommit=True) as conn:
        rows = conn.execute(
            "SELECT application_name FROM pg_stat_activity WHERE datname = %s"
            " AND pid <> pg_backend_pid()", (database,)).fetchall()
    return sorted(name for (name,) in rows)


def _until_no_async_sessions(backend: Backend) -> list[str]:
    for _ in range(50):
        sessions = _sessions(backend)
        if "consentkit-receipts-async" not in sessions:
            break
        time.sleep(0.05)
    return sessions


@pytest.mark.postgres
def test_postgres_saves_on_the_event_loop_and_closes_its_pool_at_shutdown(
    postgres_backend: Backend,
) -> None:
    store = postgres_backend.store
    with TestClient(make_app(receipts=store)) as client:
        for choice in (["analytics"], [], ["marketing"]):
            assert client.post("/consentkit/consent",
                               json={"categories": choice}).status_code == 200
        during = _sessions(postgres_backend)
    assert "consentkit-receipts-async" in during
    assert "consentkit-receipts" not in during  # no worker-thread save, no sync pool
    assert "consentkit-receipts-async" not in _until_no_async_sessions(postgres_backend)
    assert store.count() == 3  # type: ignore[attr-defined]


@pytest.mark.postgres
def test_postgres_async_path_follows_a_new_event_loop_per_request(
    postgres_backend: Backend,
) -> None:
    client = TestClient(make_app(receipts=postgres_backend.store))  # no lifespan
    answers = [client.post("/consentkit/consent", json={"categories": ["analytics"]})
               for _ in range(3)]
    assert [a.status_code for a in answers] == [200, 200, 200]
    assert postgres_backend.store.count() == 3  # type: ignore[attr-defined]


@pytest.mark.postgres
def test_postgres_under_wsgi_keeps_the_thread_pool(postgres_backend: Backend) -> None:
    client = flask_app(postgres_backend).test_client()
    answer = client.post("/consentkit/consent", json={"categories": ["analytics"]})
    assert answer.status_code == 200
    sessions = _sessions(postgres_backend)
    assert "consentkit-receipts" in sessions
    assert "consentkit-receipts-async" not in sessions


async def test_a_store_without_its_own_async_save_saves_in_a_worker_thread(
    tmp_path: Path,
) -> None:
    import threading

    from consentkit.receipts import open_store_at

    store = open_store_at("sqlite://", tmp_path)
    assert store is not None and not store.saves_async
    seen: list[str] = []
    original = store.save

    def save_and_note(receipt: Receipt) -> None:
        seen.append(threading.current_thread().name)
        original(receipt)

    store.save = save_and_note  # type: ignore[method-assign]
    now = datetime.now(UTC)
    receipt = Receipt("thread-save-0001", now, "1", ("necessary",), ("analytics",), "opt-in",
                      None, False, "en", "203.0.113.0/24", "Firefox 120 / Linux / pc",
                      "consent-receipt-3y", now + timedelta(days=30))
    await store.asave(receipt)
    assert seen and seen[0] != threading.current_thread().name
    assert [r.consent_id for r in store.by_consent_id("thread-save-0001")] == ["thread-save-0001"]
    store.close()
