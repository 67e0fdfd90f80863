"""A background thread fed by a bounded queue, so that the request's path only appends.

:meth:`BackgroundWriter.put` never blocks and never raises: when the queue is full the
item is dropped and counted. The thread handles items in batches; when it has caught up
(the queue is empty) it reports how many were dropped since the last report. :meth:`close`
hands everything queued to the handler before it returns. The thread is not a daemon, but
it also stops, after draining, when the main thread has finished, so a forgotten
``close()`` neither loses lines nor keeps the process alive.
"""

from __future__ import annotations

import logging
import os
import threading
import time
import weakref
from collections import deque
from collections.abc import Callable
from typing import Any, Generic, TypeVar

logger = logging.getLogger("consentkit.accesslog")

Item = TypeVar("Item")

BATCH_SIZE = 512
IDLE_WAIT_S = 0.05  # how often the thread looks at the queue
MAX_DELAY_S = 0.2  # the longest a line waits for a batch to fill
CLOSE_TIMEOUT_S = 30.0


class BackgroundWriter(Generic[Item]):
    def __init__(
        self,
        handle: Callable[[list[Item]], None],
        report_dropped: Callable[[int], None],
        capacity: int,
        *,
        on_idle: Callable[[], None] | None = None,
        name: str = "consentkit-access-log",
    ) -> None:
        self.capacity = capacity
        self._handle = handle
        self._report_dropped = report_dropped
        self._on_idle = on_idle
        self._name = name
        self.items: deque[Item] = deque()  # appended to by put() and AccessLog.record
        self._dropped = 0
        self._dropped_total = 0
        self._drop_lock = threading.Lock()
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._start_lock = threading.Lock()
        _forget_in_forked_children(self)

    @property
    def running(self) -> bool:
        return self._thread is not None

    @property
    def dropped_total(self) -> int:
        """Items dropped because the queue was full, since construction."""
        return self._dropped_total

    def put(self, item: Item) -> None:
        """Queue ``item``; drop and count it when the queue is full. O(1), never blocks."""
        items = self.items
        if len(items) < self.capacity:
            items.append(item)
        else:
            self.count_dropped()

    def count_dropped(self) -> None:
        with self._drop_lock:
            self._dropped += 1
            self._dropped_total += 1

    def start(self) -> None:
        with self._start_lock:
            if self._thread is not None:
                return
            self._stopping.clear()
            thread = threading.Thread(target=self._run, name=self._name, daemon=False)
            self._thread = thread
            thread.start()

    def close(self, timeout: float = CLOSE_TIMEOUT_S) -> None:
        """Write everything queued, then stop the thread."""
        with self._start_lock:
            thread, self._thread = self._thread, None
        if thread is None:
            self._drain()  # never started: still hand over what was queued
            return
        self._stopping.set()
        self._wake.set()
        thread.join(timeout)
        if thread.is_alive():
            logger.warning("access log writer did not finish within %.0f s", timeout)

    def after_fork_in_child(self) -> None:
        """A forked worker (``gunicorn --preload``) has no writer thread: start afresh,
        without the parent's queued items, which the parent writes itself."""
        self._thread = None
        self.items.clear()
        self._dropped = 0
        self._drop_lock = threading.Lock()
        self._start_lock = threading.Lock()
        self._wake = threading.Event()
        self._stopping = threading.Event()

    def _run(self) -> None:
        main = threading.main_thread()
        # Drain in good-sized batches: when a batch is waiting, when the queue is half
        # full, or when the oldest item has waited MAX_DELAY_S.
        enough = max(1, min(BATCH_SIZE, self.capacity // 2))
        last_drain = time.monotonic()
        while True:
            stopping = self._stopping.is_set() or not main.is_alive()
            now = time.monotonic()
            if (stopping or len(self.items) >= enough or self._dropped
                    or now - last_drain >= MAX_DELAY_S):
                self._drain()
                last_drain = now
            if stopping:
                return
            if self._on_idle is not None:
                self._safely(self._on_idle)
            self._wake.wait(IDLE_WAIT_S)
            self._wake.clear()

    def _drain(self) -> None:
        items = self.items
        pop = items.popleft
        while items:
            batch: list[Item] = []
            try:
                for _ in range(BATCH_SIZE):
                    batch.append(pop())
            except IndexError:
                pass
            self._safely(self._handle, batch)
        with self._drop_lock:
            dropped, self._dropped = self._dropped, 0
        if dropped:
            self._safely(self._report_dropped, dropped)

    @staticmethod
    def _safely(function: Callable[..., None], *args: object) -> None:
        try:
            function(*args)
        except Exception as exc:  # a full disk must not kill the thread
            # The type and the OS's reason only: a message could quote a request's data.
            reason = exc.strerror if isinstance(exc, OSError) else None
            logger.warning("access log writer failed: %s %s", type(exc).__name__, reason or "")


def _forget_in_forked_children(writer: BackgroundWriter[Any]) -> None:
    reference = weakref.ref(writer)

    def reset() -> None:
        alive = reference()
        if alive is not None:
            alive.after_fork_in_child()

    if hasattr(os, "register_at_fork"):
        os.register_at_fork(after_in_child=reset)
