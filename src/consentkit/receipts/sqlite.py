"""The embedded receipt store: one SQLite file in WAL mode.

Writes from many threads go through one connection: the receipts of concurrent ``save``
calls are committed together (one transaction, ``synchronous=FULL``), and each ``save``
returns once its receipt is on disk. Several processes may share the file: WAL
and a busy timeout let them take turns.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from ..errors import StorageError
from .base import GroupCommit, Receipt, ReceiptStore, utc

_SCHEMA = (
    """CREATE TABLE IF NOT EXISTS consentkit_receipts (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        consent_id TEXT NOT NULL,
        created_at TEXT NOT NULL,
        policy_version TEXT NOT NULL,
        granted TEXT NOT NULL,
        refused TEXT NOT NULL,
        regime TEXT NOT NULL,
        region TEXT,
        gpc INTEGER NOT NULL,
        language TEXT,
        ip TEXT,
        user_agent TEXT,
        retention_tag TEXT NOT NULL,
        delete_after TEXT NOT NULL
    )""",
    "CREATE INDEX IF NOT EXISTS consentkit_receipts_consent_id"
    " ON consentkit_receipts (consent_id)",
    "CREATE INDEX IF NOT EXISTS consentkit_receipts_delete_after"
    " ON consentkit_receipts (delete_after)",
)
_COLUMNS = (
    "consent_id, created_at, policy_version, granted, refused, regime, region, gpc,"
    " language, ip, user_agent, retention_tag, delete_after"
)
_INSERT = f"INSERT INTO consentkit_receipts ({_COLUMNS}) VALUES ({', '.join('?' * 13)})"
_SELECT = (
    f"SELECT {_COLUMNS} FROM consentkit_receipts WHERE consent_id = ? ORDER BY created_at, id"
)
_PURGE = "DELETE FROM consentkit_receipts WHERE delete_after < ?"

DEFAULT_FILE_NAME = "consentkit-receipts.sqlite3"


class SQLiteReceiptStore(ReceiptStore):
    """Receipts in a SQLite file (created with its folder when missing)."""

    def __init__(self, path: str | Path, busy_timeout_s: float = 30.0) -> None:
        self.path = str(path)
        self.busy_timeout_s = busy_timeout_s
        self._lock = threading.Lock()
        self._conn: sqlite3.Connection | None = None
        self._group = GroupCommit(self._write_batch)
        with self._lock:
            self._connection()

    def _connection(self) -> sqlite3.Connection:
        """The open connection, (re)opened on demand. Call with the lock held."""
        if self._conn is not None:
            return self._conn
        try:
            if self.path != ":memory:":
                Path(self.path).parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(
                self.path, timeout=self.busy_timeout_s, isolation_level=None,
                check_same_thread=False,
            )
            mode = conn.execute("PRAGMA journal_mode=WAL").fetchone()[0]
            if mode != "wal" and self.path != ":memory:":
                conn.close()
                raise StorageError(f"{self.path}: SQLite refused WAL mode ({mode})")
            conn.execute("PRAGMA synchronous=FULL")
            for statement in _SCHEMA:
                conn.execute(statement)
        except (sqlite3.Error, OSError) as exc:
            raise StorageError(f"cannot open the receipt database {self.path}: {exc}") from exc
        self._conn = conn
        return conn

    def save(self, receipt: Receipt) -> None:
        self._group.submit(_to_row(receipt))

    def _write_batch(self, rows: Sequence[tuple[object, ...]]) -> None:
        with self._lock:
            conn = self._connection()
            try:
                conn.execute("BEGIN IMMEDIATE")
                conn.executemany(_INSERT, rows)
                conn.execute("COMMIT")
            except sqlite3.Error:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise

    def by_consent_id(self, consent_id: str) -> list[Receipt]:
        with self._lock:
            try:
                rows = self._connection().execute(_SELECT, (consent_id,)).fetchall()
            except sqlite3.Error as exc:
                raise StorageError(f"cannot read consent receipts: {exc}") from exc
        return [_from_row(row) for row in rows]

    def purge(self, now: datetime) -> int:
        with self._lock:
            try:
                cursor = self._connection().execute(_PURGE, (_text_time(now),))
            except sqlite3.Error as exc:
                raise StorageError(f"cannot purge consent receipts: {exc}") from exc
        return cursor.rowcount

    def count(self) -> int:
        """How many receipts the file holds."""
        with self._lock:
            row = self._connection().execute("SELECT count(*) FROM consentkit_receipts")
            total: int = row.fetchone()[0]
        return total

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None


def _text_time(moment: datetime) -> str:
    # A fixed-width UTC form, so that text order is time order.
    return utc(moment).isoformat(timespec="microseconds")


def _to_row(receipt: Receipt) -> tuple[object, ...]:
    return (
        receipt.consent_id, _text_time(receipt.created_at), receipt.policy_version,
        ",".join(receipt.granted), ",".join(receipt.refused), receipt.regime, receipt.region,
        int(receipt.gpc), receipt.language, receipt.ip, receipt.user_agent,
        receipt.retention_tag, _text_time(receipt.delete_after),
    )


def _from_row(row: tuple[object, ...]) -> Receipt:
    (consent_id, created_at, version, granted, refused, regime, region, gpc, language, ip,
     user_agent, tag, delete_after) = row
    return Receipt(
        str(consent_id), datetime.fromisoformat(str(created_at)), str(version),
        _split(granted), _split(refused), str(regime), _opt(region), bool(gpc),
        _opt(language), _opt(ip), _opt(user_agent), str(tag),
        datetime.fromisoformat(str(delete_after)),
    )


def _split(value: object) -> tuple[str, ...]:
    return tuple(part for part in str(value).split(",") if part)


def _opt(value: object) -> str | None:
    return None if value is None else str(value)
