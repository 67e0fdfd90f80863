"""Where access-log lines go: daily files (with retention enforced), standard output, or
a ``logging.Logger`` of the site's (consentkit attaches no handler to it).

Sinks are called from the writer thread only, with the lines of one day at a time.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from ..errors import ConfigError
from .retention import daily_path, purge, today_utc

if TYPE_CHECKING:
    from ..settings import Settings

SETTING = "access_log"
FILE_MODE = 0o640  # logs hold personal data: not world-readable


class Sink(Protocol):
    def write(self, day: date, lines: Sequence[str]) -> None: ...

    def close(self) -> None: ...


class StdoutSink:
    """``access_log="stdout"``: one line each, flushed after every batch."""

    def write(self, day: date, lines: Sequence[str]) -> None:
        stream = sys.stdout  # looked up each time: the process may swap it
        stream.write("".join(line + "\n" for line in lines))
        stream.flush()

    def close(self) -> None:
        return None


class LoggerSink:
    """``access_log=logging.getLogger("access")``: one INFO record per line, the line
    as its message; the site's handlers decide where it goes."""

    def __init__(self, logger: logging.Logger) -> None:
        self.logger = logger

    def write(self, day: date, lines: Sequence[str]) -> None:
        log = self.logger.log
        for line in lines:
            log(logging.INFO, "%s", line)

    def close(self) -> None:
        return None


class DailyFileSink:
    """``access_log="/var/log/shop/access.log"``: the lines of each UTC day are appended to
    ``access.log.YYYY-MM-DD``; files past the retention period are deleted at start and
    whenever the day changes. Appends are single ``write`` calls, so several worker
    processes can share the files."""

    def __init__(self, base: Path, retention_days: int) -> None:
        self.base = base
        self.retention_days = retention_days
        self._fd: int | None = None
        self._day: date | None = None
        try:
            base.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ConfigError(SETTING, f"cannot create the directory of {str(base)!r}: "
                                       f"{exc.strerror or exc}") from None
        if base.is_dir():
            raise ConfigError(SETTING, f"{str(base)!r} is a directory; give a file path such "
                                       "as 'logs/access.log'")
        if not os.access(base.parent, os.W_OK):
            raise ConfigError(SETTING, f"the directory of {str(base)!r} is not writable")

    def enforce_retention(self) -> None:
        purge(self.base, self.retention_days, today_utc())

    def write(self, day: date, lines: Sequence[str]) -> None:
        if day != self._day or self._fd is None:
            self._open(day)
        assert self._fd is not None
        data = "".join(line + "\n" for line in lines).encode("utf-8")
        view = memoryview(data)
        while view:
            written = os.write(self._fd, view)
            view = view[written:]

    def _open(self, day: date) -> None:
        self.close()
        self.enforce_retention()
        path = daily_path(self.base, day)
        self._fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, FILE_MODE)
        self._day = day

    def close(self) -> None:
        fd, self._fd, self._day = self._fd, None, None
        if fd is not None:
            os.close(fd)


def make_sink(settings: Settings) -> Sink:
    """The sink ``settings.access_log`` names; raises :class:`ConfigError` if it is bad."""
    target = settings.access_log
    if isinstance(target, logging.Logger):
        return LoggerSink(target)
    if target == "stdout":
        return StdoutSink()
    if isinstance(target, Path) or (isinstance(target, str) and target.strip()):
        return DailyFileSink(Path(target), settings.access_log_retention_days)
    raise ConfigError(SETTING, 'must be "stdout", a file path or a logging.Logger, '
                               f"got {target!r}")
