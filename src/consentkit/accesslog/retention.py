"""Retention of file access logs: which daily files are past their period, and deleting
them. The writer calls :func:`purge` at start and at every change of day;
``consentkit logs purge PATH`` calls it on demand.

The file sink writes the lines of day D to ``<PATH>.<D>`` (``access.log.2026-11-22``).
Every line of that file has ``delete_after`` = D + retention days, so the whole file is
deleted on the first day after that date. Only names of exactly that shape are touched.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

_DAY_SUFFIX = re.compile(r"\.(\d{4}-\d{2}-\d{2})$")


@dataclass(frozen=True, slots=True)
class DailyFile:
    path: Path
    day: date

    def delete_after(self, retention_days: int) -> date:
        return self.day + timedelta(days=retention_days)


def today_utc() -> date:
    return datetime.now(UTC).date()


def daily_path(base: Path, day: date) -> Path:
    """The file that holds the lines of ``day``."""
    return base.with_name(f"{base.name}.{day.isoformat()}")


def daily_files(base: Path) -> list[DailyFile]:
    """Every ``<base>.<YYYY-MM-DD>`` file beside ``base``, oldest first."""
    found: list[DailyFile] = []
    directory = base.parent
    if not directory.is_dir():
        return found
    prefix = base.name + "."
    for candidate in directory.iterdir():
        name = candidate.name
        if not name.startswith(prefix):
            continue
        match = _DAY_SUFFIX.search(name)
        if match is None or len(name) != len(prefix) + 10 or not candidate.is_file():
            continue
        try:
            day = date.fromisoformat(match.group(1))
        except ValueError:
            continue
        found.append(DailyFile(candidate, day))
    found.sort(key=lambda item: item.day)
    return found


def expired_files(base: Path, retention_days: int, today: date | None = None) -> list[DailyFile]:
    """The daily files whose lines are all past ``delete_after``."""
    current = today or today_utc()
    return [item for item in daily_files(base) if item.delete_after(retention_days) < current]


def purge(
    base: Path, retention_days: int, today: date | None = None, dry_run: bool = False
) -> list[DailyFile]:
    """Delete (or with ``dry_run`` only list) the expired daily files; returns them."""
    expired = expired_files(base, retention_days, today)
    if not dry_run:
        for item in expired:
            item.path.unlink(missing_ok=True)
    return expired
