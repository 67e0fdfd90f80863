"""``consentkit logs purge PATH``: delete the daily access-log files past their
retention period (``--dry-run`` lists them and deletes nothing)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from .accesslog.retention import purge, today_utc
from .errors import ConfigError

DEFAULT_RETENTION_DAYS = 90


def register(subparsers: Any) -> None:
    logs = subparsers.add_parser("logs", help="manage the files of the access log")
    actions = logs.add_subparsers(dest="logs_command", metavar="ACTION", required=True)
    purge_parser = actions.add_parser(
        "purge",
        help="delete daily access-log files older than the retention period",
        description="Delete the files PATH.YYYY-MM-DD whose day is more than the retention "
                    "period ago (PATH is the access_log setting).",
    )
    purge_parser.add_argument("path", metavar="PATH", type=Path,
                              help="the access_log file path, e.g. logs/access.log")
    purge_parser.add_argument("--retention-days", type=int, default=DEFAULT_RETENTION_DAYS,
                              metavar="N",
                              help=f"keep this many days (default {DEFAULT_RETENTION_DAYS})")
    purge_parser.add_argument("--dry-run", action="store_true",
                              help="list the files that would be deleted, delete nothing")
    purge_parser.set_defaults(handler=run_purge)


def run_purge(args: argparse.Namespace) -> int:
    if not 1 <= args.retention_days <= 3650:
        raise ConfigError("--retention-days", f"must be from 1 to 3650, got {args.retention_days}")
    base: Path = args.path
    if base.is_dir():
        raise ConfigError("PATH", f"{str(base)!r} is a directory; give the access_log file "
                                  "path, e.g. logs/access.log")
    today = today_utc()
    expired = purge(base, args.retention_days, today, dry_run=args.dry_run)
    verb = "would delete" if args.dry_run else "deleted"
    for item in expired:
        print(f"{verb} {item.path} (lines of {item.day}, delete after "
              f"{item.delete_after(args.retention_days)})")
    outcome = "to delete (dry run, nothing deleted)" if args.dry_run else "deleted"
    print(f"{len(expired)} file(s) {outcome}; retention {args.retention_days} days, "
          f"today {today}")
    return 0
