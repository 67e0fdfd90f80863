"""The shared receipt store for sites that run several instances: PostgreSQL through
psycopg 3 and a psycopg_pool connection pool.

The receipts of concurrent ``save`` calls are inserted together (up to ``WRITERS``
transactions in flight); each ``save`` returns once the transaction that carries its
receipt has committed. ``asave`` does the same on the running asyncio loop, through an
``AsyncConnectionPool`` opened there (``postgres_async.py``), so that the ASGI adapter
needs no worker thread per choice. The table is created on first use, under an advisory
lock, so that instances starting together do not race.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from ..errors import ConfigError, StorageError
from .base import GroupCommit, Receipt, ReceiptStore, utc

if TYPE_CHECKING:
    from .postgres_async import LoopWriter

_TABLE = "consentkit_receipts"
_SCHEMA = (
    f"""CREATE TABLE IF NOT EXISTS {_TABLE} (
        id BIGSERIAL PRIMARY KEY,
        consent_id TEXT NOT NULL,
        created_at TIMESTAMPTZ NOT NULL,
        policy_version TEXT NOT NULL,
        granted TEXT[] NOT NULL,
        refused TEXT[] NOT NULL,
        regime TEXT NOT NULL,
        region TEXT,
        gpc BOOLEAN NOT NULL,
        language TEXT,
        ip TEXT,
        user_agent TEXT,
        retention_tag TEXT NOT NULL,
        delete_after TIMESTAMPTZ NOT NULL
    )""",
    f"CREATE INDEX IF NOT EXISTS {_TABLE}_consent_id ON {_TABLE} (consent_id)",
    f"CREATE INDEX IF NOT EXISTS {_TABLE}_delete_after ON {_TABLE} (delete_after)",
)
_COLUMNS = (
    "consent_id, created_at, policy_version, granted, refused, regime, region, gpc,"
    " language, ip, user_agent, retention_tag, delete_after"
)
_INSERT = f"INSERT INTO {_TABLE} ({_COLUMNS}) VALUES "
_ROW_VALUES = f"({', '.join(['%s'] * 13)})"
_ROWS_PER_INSERT = 500  # 13 parameters a row; PostgreSQL takes up to 65,535 a statement
_SELECT = f"SELECT {_COLUMNS} FROM {_TABLE} WHERE consent_id = %s ORDER BY created_at, id"
_PURGE = f"DELETE FROM {_TABLE} WHERE delete_after < %s"
_SCHEMA_LOCK = 0x636B_7263  # any constant shared by every instance
WRITERS = 8  # transactions in flight at once (PostgreSQL merges their WAL flushes)
APPLICATION_NAME = "consentkit-receipts"


class PostgresReceiptStore(ReceiptStore):
    """Receipts in a PostgreSQL table, through a pool of ``min_size``..``max_size``
    connections. An unreachable server at start-up raises ConfigError naming ``receipts``;
    later failures raise StorageError (the endpoint answers 503).

    The thread side (``save``, lookups, purge) and the event-loop side (``asave``) each
    have their pool, opened on first use; a process that only serves ASGI opens only the
    async one."""

    def __init__(self, dsn: str, min_size: int = 1, max_size: int = 10,
                 timeout_s: float = 10.0) -> None:
        self.dsn = dsn
        self.min_size, self.max_size, self.timeout_s = min_size, max_size, timeout_s
        self._lock = threading.Lock()
        self._pool: Any = None
        self._writer: LoopWriter | None = None  # the asave side, bound to one event loop
        self._group = GroupCommit(self._write_batch, writers=WRITERS)
        import psycopg

        try:
            with psycopg.connect(dsn, autocommit=True, connect_timeout=int(timeout_s)) as conn:
                _create_schema(conn)
        except psycopg.Error as exc:
            raise ConfigError("receipts", f"cannot use the PostgreSQL server: {exc}") from None

    def _get_pool(self) -> Any:
        with self._lock:
            if self._pool is None:
                from psycopg_pool import ConnectionPool

                pool = ConnectionPool(
                    self.dsn, min_size=self.min_size, max_size=self.max_size,
                    timeout=self.timeout_s, open=False, name=APPLICATION_NAME,
                    kwargs=connection_options(self.dsn, APPLICATION_NAME),
                )
                pool.open(wait=False)
                self._pool = pool
            return self._pool

    def _run(self, work: Any, *args: Any) -> Any:
        """Run ``work(connection, *args)``; a connection the server dropped is retried once
        on a fresh one. Every database failure becomes StorageError."""
        import psycopg
        from psycopg_pool import PoolTimeout

        for attempt in (1, 2):
            try:
                with self._get_pool().connection() as conn:
                    return work(conn, *args)
            except psycopg.OperationalError as exc:
                if attempt == 2 or isinstance(exc, PoolTimeout):
                    raise StorageError(f"PostgreSQL: {exc}") from exc
            except psycopg.Error as exc:
                raise StorageError(f"PostgreSQL: {exc}") from exc
        raise AssertionError("unreachable")  # pragma: no cover

    def save(self, receipt: Receipt) -> None:
        self._group.submit(_to_row(receipt))

    def _write_batch(self, rows: Sequence[tuple[Any, ...]]) -> None:
        self._run(_insert, rows)

    async def asave(self, receipt: Receipt) -> None:
        writer = self._loop_writer()
        if writer is None:  # not on asyncio, or the pool serves another running loop
            import anyio.to_thread

            await anyio.to_thread.run_sync(self.save, receipt)
            return
        await writer.save(_to_row(receipt))

    def _loop_writer(self) -> LoopWriter | None:
        """The writer of the running asyncio loop, created on first use. A writer left by
        a loop that has stopped (a test client's, a restarted server's) is replaced."""
        loop = _running_loop()
        if loop is None:  # another async library (trio)
            return None
        writer = self._writer
        if writer is not None and writer.loop is loop:
            return writer
        with self._lock:
            writer = self._writer
            if writer is None or writer.loop is not loop:
                if writer is not None and writer.loop.is_running():
                    return None
                from .postgres_async import LoopWriter

                writer = self._writer = LoopWriter(self.dsn, self.timeout_s)
        return writer

    async def aclose(self) -> None:
        with self._lock:
            writer = self._writer
            if writer is None or writer.loop is not _running_loop():
                return
            self._writer = None
        await writer.close()

    def by_consent_id(self, consent_id: str) -> list[Receipt]:
        rows: list[tuple[Any, ...]] = self._run(_select, consent_id)
        return [_from_row(row) for row in rows]

    def purge(self, now: datetime) -> int:
        deleted: int = self._run(_purge, utc(now))
        return deleted

    def count(self) -> int:
        """How many receipts the table holds."""
        total: int = self._run(_count)
        return total

    def close(self) -> None:
        with self._lock:
            pool, self._pool = self._pool, None
            writer, self._writer = self._writer, None
        if pool is not None:
            pool.close()
        if writer is not None:
            writer.close_elsewhere(self.timeout_s)


def _running_loop() -> asyncio.AbstractEventLoop | None:
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None


def connection_options(dsn: str, application_name: str) -> dict[str, Any]:
    """Autocommit, and a name in ``pg_stat_activity`` unless the DSN gives one."""
    from psycopg.conninfo import conninfo_to_dict

    options: dict[str, Any] = {"autocommit": True}
    if "application_name" not in conninfo_to_dict(dsn):
        options["application_name"] = application_name
    return options


def insert_statements(rows: Sequence[tuple[Any, ...]]) -> list[tuple[str, list[Any]]]:
    """The INSERT statements (with their parameters) that store ``rows``, one for every
    few hundred rows."""
    statements: list[tuple[str, list[Any]]] = []
    for start in range(0, len(rows), _ROWS_PER_INSERT):
        chunk = rows[start:start + _ROWS_PER_INSERT]
        query = _INSERT + ", ".join([_ROW_VALUES] * len(chunk))
        statements.append((query, [value for row in chunk for value in row]))
    return statements


def _create_schema(conn: Any) -> None:
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (_SCHEMA_LOCK,))
        for statement in _SCHEMA:
            conn.execute(statement)


def _insert(conn: Any, rows: Sequence[tuple[Any, ...]]) -> None:
    statements = insert_statements(rows)
    if len(statements) == 1:
        conn.execute(*statements[0])  # autocommit: one statement, one round trip
        return
    with conn.transaction():
        for query, params in statements:
            conn.execute(query, params)


def _select(conn: Any, consent_id: str) -> list[tuple[Any, ...]]:
    rows: list[tuple[Any, ...]] = conn.execute(_SELECT, (consent_id,)).fetchall()
    return rows


def _purge(conn: Any, before: datetime) -> int:
    deleted: int = conn.execute(_PURGE, (before,)).rowcount
    return deleted


def _count(conn: Any) -> int:
    total: int = conn.execute(f"SELECT count(*) FROM {_TABLE}").fetchone()[0]
    return total


def _to_row(receipt: Receipt) -> tuple[Any, ...]:
    return (
        receipt.consent_id, utc(receipt.created_at), receipt.policy_version,
        list(receipt.granted), list(receipt.refused), receipt.regime, receipt.region,
        receipt.gpc, receipt.language, receipt.ip, receipt.user_agent, receipt.retention_tag,
        utc(receipt.delete_after),
    )


def _from_row(row: tuple[Any, ...]) -> Receipt:
    (consent_id, created_at, version, granted, refused, regime, region, gpc, language, ip,
     user_agent, tag, delete_after) = row
    return Receipt(
        consent_id, utc(created_at), version, tuple(granted), tuple(refused), regime, region,
        bool(gpc), language, ip, user_agent, tag, utc(delete_after),
    )
