"""The background writer: a full queue drops and counts, the drops are reported once
the writer catches up, close() writes everything queued."""

from __future__ import annotations

import json
import logging
import os
import threading
import time
from pathlib import Path

from consentkit.accesslog import AccessLog

from .conftest import collecting_logger, request, settings_for


class SlowHandler(logging.Handler):
    def __init__(self, delay: float) -> None:
        super().__init__()
        self.delay = delay
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        time.sleep(self.delay)
        self.lines.append(record.getMessage())


def test_record_never_waits_for_a_slow_sink_and_the_overflow_is_reported() -> None:
    logger = logging.Logger("slow")
    handler = SlowHandler(0.02)
    logger.addHandler(handler)
    log = AccessLog(settings_for(access_log=logger, access_log_queue_size=5))
    log.start()
    started = time.perf_counter()
    for index in range(300):
        log.record(request(f"/r{index}"), None, 200, 1, 0.0)
    spent = time.perf_counter() - started
    log.close()
    assert spent < 0.5  # 300 lines at 20 ms each would take 6 s
    objects = [json.loads(line) for line in handler.lines]
    reports = [item for item in objects if item.get("event") == "access_log_overflow"]
    written = [item for item in objects if "event" not in item]
    assert len(reports) >= 1
    assert sum(item["dropped"] for item in reports) == 300 - len(written)
    assert log.dropped_total == 300 - len(written)
    assert all("delete_after" in item and "retention" in item for item in reports)


def test_close_writes_everything_queued_in_order() -> None:
    logger, collector = collecting_logger()
    log = AccessLog(settings_for(access_log=logger))
    for index in range(2_000):
        log.record(request(f"/p{index}"), None, 200, index, 0.0)
    log.close()
    assert [line["bytes"] for line in collector.objects] == list(range(2_000))


def test_records_from_many_threads_are_all_written() -> None:
    logger, collector = collecting_logger()
    log = AccessLog(settings_for(access_log=logger))

    def worker(offset: int) -> None:
        for index in range(500):
            log.record(request("/t"), None, 200, offset + index, 0.0)

    threads = [threading.Thread(target=worker, args=(n * 1000,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    log.close()
    assert sorted(line["bytes"] for line in collector.objects) == sorted(
        n * 1000 + i for n in range(4) for i in range(500))


def test_a_failing_sink_does_not_stop_the_writer() -> None:
    class FlakyHandler(logging.Handler):
        def __init__(self) -> None:
            super().__init__()
            self.calls = 0
            self.lines: list[str] = []

        def emit(self, record: logging.LogRecord) -> None:
            self.calls += 1
            if self.calls == 1:
                raise OSError(28, "No space left on device")
            self.lines.append(record.getMessage())

    logger = logging.Logger("flaky")
    handler = FlakyHandler()
    logger.addHandler(handler)
    log = AccessLog(settings_for(access_log=logger))
    log.record(request("/first"), None, 200, 1, 0.0)
    log.close()
    log.record(request("/second"), None, 200, 1, 0.0)
    log.close()
    assert [json.loads(line)["path"] for line in handler.lines] == ["/second"]


def test_restart_after_close() -> None:
    logger, collector = collecting_logger()
    log = AccessLog(settings_for(access_log=logger))
    log.record(request("/a"), None, 200, 1, 0.0)
    log.close()
    log.start()
    log.record(request("/b"), None, 200, 1, 0.0)
    log.close()
    assert [line["path"] for line in collector.objects] == ["/a", "/b"]


def test_a_forked_worker_starts_its_own_writer(tmp_path: Path) -> None:
    base = tmp_path / "access.log"
    log = AccessLog(settings_for(access_log=str(base)))
    log.record(request("/parent-before-fork"), None, 200, 1, 0.0)
    pid = os.fork()
    if pid == 0:  # the worker: the parent's thread is gone, its queue is the parent's
        try:
            log.record(request("/child"), None, 200, 1, 0.0)
            log.close()
        finally:
            os._exit(0)
    os.waitpid(pid, 0)
    log.record(request("/parent-after-fork"), None, 200, 1, 0.0)
    log.close()
    (written,) = list(tmp_path.iterdir())
    paths = sorted(json.loads(line)["path"] for line in written.read_text().splitlines())
    assert paths == ["/child", "/parent-after-fork", "/parent-before-fork"]
