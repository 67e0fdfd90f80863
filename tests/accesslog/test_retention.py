"""Retention is enforced: daily files past the period are deleted by the writer and by
``consentkit logs purge``; the rest is kept."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from consentkit.accesslog import AccessLog
from consentkit.cli import main

from .conftest import request, settings_for

TODAY = datetime.now(UTC).date()


def daily(base: Path, days_ago: int) -> Path:
    path = base.with_name(f"{base.name}.{(TODAY - timedelta(days=days_ago)).isoformat()}")
    path.write_text('{"old": true}\n')
    return path


def test_the_writer_deletes_files_past_the_period_and_keeps_the_rest(tmp_path: Path) -> None:
    base = tmp_path / "access.log"
    expired = [daily(base, 31), daily(base, 400)]
    kept = [daily(base, 30), daily(base, 1)]
    unrelated = [tmp_path / "access.log.bak", tmp_path / "other.log.2001-01-01",
                 tmp_path / "access.log.2001-13-45"]
    for path in unrelated:
        path.write_text("keep me\n")
    log = AccessLog(settings_for(access_log=str(base), access_log_retention_days=30,
                                 access_log_retention_tag="access-log-30d"))
    log.record(request("/today"), None, 200, 3, 0.001)
    log.close()
    assert not any(path.exists() for path in expired)
    assert all(path.exists() for path in kept + unrelated)
    today_file = base.with_name(f"access.log.{TODAY.isoformat()}")
    (line,) = [json.loads(text) for text in today_file.read_text().splitlines()]
    assert line["retention"] == "access-log-30d"
    assert line["delete_after"] == (TODAY + timedelta(days=30)).isoformat()
    assert oct(today_file.stat().st_mode & 0o777) == oct(0o640)


def test_retention_is_enforced_at_start_even_without_traffic(tmp_path: Path) -> None:
    base = tmp_path / "access.log"
    old = daily(base, 100)
    log = AccessLog(settings_for(access_log=base, access_log_retention_days=90))
    log.start()
    log.close()
    assert not old.exists()


def run_cli(*argv: str) -> int:
    return main(list(argv))


def test_purge_dry_run_lists_and_deletes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base = tmp_path / "access.log"
    old, recent = daily(base, 91), daily(base, 90)
    assert run_cli("logs", "purge", str(base), "--dry-run") == 0
    out = capsys.readouterr().out
    assert f"would delete {old}" in out
    assert str(recent) not in out
    assert old.exists() and recent.exists()


def test_purge_deletes_with_the_given_retention(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base = tmp_path / "access.log"
    files = {days: daily(base, days) for days in (0, 6, 7, 8, 60)}
    assert run_cli("logs", "purge", str(base), "--retention-days", "7") == 0
    assert sorted(days for days, path in files.items() if path.exists()) == [0, 6, 7]
    assert "2 file(s) deleted" in capsys.readouterr().out


def test_purge_refuses_a_directory_and_a_bad_period(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_cli("logs", "purge", str(tmp_path)) == 2
    assert "PATH" in capsys.readouterr().err
    assert run_cli("logs", "purge", str(tmp_path / "access.log"),
                   "--retention-days", "0") == 2
    assert "--retention-days" in capsys.readouterr().err


def test_an_unwritable_log_directory_fails_at_start_up(tmp_path: Path) -> None:
    from consentkit.errors import ConfigError

    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(ConfigError) as caught:
        AccessLog(settings_for(access_log=str(blocker / "access.log")))
    assert caught.value.setting == "access_log"
    with pytest.raises(ConfigError, match="access_log"):
        AccessLog(settings_for(access_log=""))
    assert os.path.exists(blocker)
