"""``AccessLog``: the engine's access-log hook. ``enqueue()`` (and ``record()``, which
calls it) runs on the request's path and only queues a tuple of values and references;
everything else happens on the writer thread."""

from __future__ import annotations

import logging
import os
import time
import weakref
from collections.abc import Callable, Sequence
from datetime import date
from typing import TYPE_CHECKING

from ..consent import Consent
from ..http import RequestInfo
from .iptrunc import check_prefixes
from .line import Captured, LineBuilder
from .retention import today_utc
from .sinks import DailyFileSink, Sink, make_sink
from .writer import BackgroundWriter

if TYPE_CHECKING:
    from ..geo import CountryLookup
    from ..settings import Settings

logger = logging.getLogger("consentkit.accesslog")

Enqueue = Callable[[Captured], None]


def _enqueuer(writer: BackgroundWriter[Captured]) -> Enqueue:
    """The hot path: one length check and one append."""
    items, capacity = writer.items, writer.capacity
    append, count_dropped = items.append, writer.count_dropped

    def enqueue(entry: Captured) -> None:
        if len(items) < capacity:
            append(entry)
        else:
            count_dropped()

    return enqueue


class AccessLog:
    """One JSON line per request, written off the request's path.

    Built once from :class:`~consentkit.settings.Settings` (``access_log`` must not be
    ``None``); raises :class:`~consentkit.errors.ConfigError` for a bad sink, prefix or
    GeoIP database. ``country_lookup`` lets the engine share one
    :class:`~consentkit.geo.CountryLookup`; it is then not closed here.
    """

    def __init__(
        self, settings: Settings, *, country_lookup: CountryLookup | None = None
    ) -> None:
        check_prefixes(settings.ip_prefix_v4, settings.ip_prefix_v6)
        self.settings = settings
        self.sink: Sink = make_sink(settings)
        self._owns_geo = country_lookup is None
        if country_lookup is None and (settings.geoip_database or settings.country_headers):
            from ..geo import CountryLookup

            country_lookup = CountryLookup(settings)
        self.geo = country_lookup
        self.builder = LineBuilder(settings, country_lookup)
        self.lines_failed = 0
        self._purged_on: date | None = None
        self.writer: BackgroundWriter[Captured] = BackgroundWriter(
            self._write_batch, self._write_drop_report, settings.access_log_queue_size,
            on_idle=self._enforce_retention,
        )
        # enqueue(entry) queues one request's Captured values; it never blocks and never
        # raises. Until start() it is a function that starts the writer first; then a
        # closure that only appends (the request's path pays for nothing else).
        self.enqueue: Enqueue = self._start_and_enqueue
        if hasattr(os, "register_at_fork"):
            reference = weakref.ref(self)

            def forget_start() -> None:  # the writer thread did not survive the fork
                alive = reference()
                if alive is not None:
                    alive.enqueue = alive._start_and_enqueue

            os.register_at_fork(after_in_child=forget_start)

    # -- the request's path --------------------------------------------------------------

    def record(self, request: RequestInfo, consent: Consent | None, status: int,
               response_bytes: int, duration_s: float) -> None:
        """Queue the line of a request that ended now and took ``duration_s``."""
        ended = time.perf_counter()
        self.enqueue((ended - duration_s, ended, request.method, request.path,
                      request.query_string, request.client, request.headers, consent,
                      status, response_bytes))

    def _start_and_enqueue(self, entry: Captured) -> None:
        self.start()
        self.enqueue(entry)

    # -- lifespan ------------------------------------------------------------------------

    def start(self) -> None:
        """Start the writer thread (and reopen the database after :meth:`close`)."""
        if self.geo is not None and self._owns_geo:
            self.geo.open()
        self.writer.start()
        self.enqueue = _enqueuer(self.writer)

    def close(self) -> None:
        """Write every queued line, stop the writer, close the file and the database."""
        self.enqueue = self._start_and_enqueue
        self.writer.close()
        self.sink.close()
        if self.geo is not None and self._owns_geo:
            self.geo.close()

    @property
    def dropped_total(self) -> int:
        """Lines dropped because the queue was full, since start-up."""
        return self.writer.dropped_total

    # -- the writer thread ---------------------------------------------------------------

    def _write_batch(self, batch: Sequence[Captured]) -> None:
        builder = self.builder
        builder.clock_offset = time.time() - time.perf_counter()
        build = builder.build
        day: date | None = None
        lines: list[str] = []
        for entry in batch:
            try:
                line = build(entry)
                line_day = builder.day
            except Exception:  # one odd request must not cost the others their lines
                self.lines_failed += 1
                continue
            if line_day != day and lines:
                assert day is not None
                self.sink.write(day, lines)
                lines = []
            day = line_day
            lines.append(line)
        if lines and day is not None:
            self.sink.write(day, lines)

    def _write_drop_report(self, dropped: int) -> None:
        now = time.time()
        line = self.builder.drop_report(now, dropped)
        self.sink.write(self.builder.day_at(now), [line])
        logger.warning("access log queue was full: %d lines dropped", dropped)

    def _enforce_retention(self) -> None:
        if not isinstance(self.sink, DailyFileSink):
            return
        today = today_utc()
        if today != self._purged_on:
            self._purged_on = today
            self.sink.enforce_retention()
