"""The PostgreSQL store's event-loop side: receipts saved without a worker thread.

A :class:`LoopWriter` belongs to one running asyncio loop: it opens a psycopg_pool
``AsyncConnectionPool`` on first use and commits the receipts of concurrent saves
together, like the thread side does.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from typing import Any

import psycopg
from psycopg_pool import AsyncConnectionPool, PoolTimeout

from ..errors import StorageError
from .async_commit import AsyncGroupCommit
from .postgres import connection_options, insert_statements

logger = logging.getLogger("consentkit")

ASYNC_APPLICATION_NAME = "consentkit-receipts-async"
ASYNC_WRITERS = 2  # batches in flight at once: fewer, larger transactions than threads use


class LoopWriter:
    """Saves rows on the running event loop through a pool of ``ASYNC_WRITERS``
    connections. Create it inside the loop; close it there with :meth:`close`.

    The pool has a fixed size and is filled before the first write: the pool's
    maintenance tasks swallow cancellation, so a loop that ended while one was still
    connecting would wait for it forever. With nothing left to grow, a loop that ends
    without closing the pool (no lifespan shutdown) cancels its idle tasks cleanly."""

    def __init__(self, dsn: str, timeout_s: float) -> None:
        self.loop = asyncio.get_running_loop()
        self.timeout_s = timeout_s
        self.pool: AsyncConnectionPool[Any] = AsyncConnectionPool(
            dsn, min_size=ASYNC_WRITERS, max_size=ASYNC_WRITERS, timeout=timeout_s,
            open=False,
            kwargs=connection_options(dsn, ASYNC_APPLICATION_NAME),
            name=ASYNC_APPLICATION_NAME,
        )
        self._opened = False
        self._opening = asyncio.Lock()
        self._group = AsyncGroupCommit(self._write_batch, writers=ASYNC_WRITERS)

    async def save(self, row: tuple[Any, ...]) -> None:
        """Return once ``row`` is committed; StorageError when it cannot be."""
        await self._group.submit(row)

    async def _open_pool(self) -> AsyncConnectionPool[Any]:
        if not self._opened:
            async with self._opening:
                if not self._opened:
                    await self.pool.open(wait=True, timeout=self.timeout_s)
                    self._opened = True
        return self.pool

    async def _write_batch(self, rows: Sequence[tuple[Any, ...]]) -> None:
        """Insert ``rows`` atomically; a connection the server dropped is retried once on
        a fresh one. Every database failure becomes StorageError."""
        for attempt in (1, 2):
            try:
                pool = await self._open_pool()
                async with pool.connection() as conn:
                    await _insert(conn, rows)
                return
            except psycopg.OperationalError as exc:
                if attempt == 2 or isinstance(exc, PoolTimeout):
                    raise StorageError(f"PostgreSQL: {exc}") from exc
            except psycopg.Error as exc:
                raise StorageError(f"PostgreSQL: {exc}") from exc

    async def close(self) -> None:
        """Close the pool; call on the writer's loop."""
        await self.pool.close()

    def close_elsewhere(self, timeout_s: float) -> None:
        """Close the pool from code that is not a coroutine on the writer's loop.

        A loop running in another thread closes it and this waits; on the loop's own
        thread the close is scheduled. A loop that has stopped keeps its pool: its tasks
        end, and its connections close, with the loop."""
        loop = self.loop
        if loop.is_closed() or not loop.is_running():
            return
        try:
            current: asyncio.AbstractEventLoop | None = asyncio.get_running_loop()
        except RuntimeError:
            current = None
        if current is loop:
            task = loop.create_task(self.close())
            _CLOSING.add(task)  # the loop keeps only a weak reference
            task.add_done_callback(_closed)
            return
        try:
            asyncio.run_coroutine_threadsafe(self.close(), loop).result(timeout_s)
        except Exception:  # closing is best effort: the server ends idle connections too
            logger.warning("the async receipt pool did not close cleanly", exc_info=True)


_CLOSING: set[asyncio.Task[None]] = set()


def _closed(task: asyncio.Task[None]) -> None:
    _CLOSING.discard(task)
    if not task.cancelled() and task.exception() is not None:
        logger.warning("the async receipt pool did not close cleanly",
                       exc_info=task.exception())


async def _insert(conn: Any, rows: Sequence[tuple[Any, ...]]) -> None:
    statements = insert_statements(rows)
    if len(statements) == 1:
        await conn.execute(*statements[0])  # autocommit: one statement, one round trip
        return
    async with conn.transaction():
        for query, params in statements:
            await conn.execute(query, params)
