"""``consentkit scan TARGET``: crawl a site before and after consent; exit 1 when anything
non-essential was active before consent (for CI), 2 when the site could not be scanned."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import ConfigError
from .policy_file import load_policy

if TYPE_CHECKING:  # the scanner needs httpx, imported when a scan runs
    from .scan.result import ScanReport
    from .scan.scanner import ScanOptions

EXIT_CLEAN, EXIT_BREACH, EXIT_UNREACHABLE = 0, 1, 2


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "scan",
        help="crawl a site before and after consent and report every cookie and tracker",
        description="Crawl a URL or an app (package.module:app, ASGI or WSGI, run "
                    "in-process) as a new visitor, then again after accepting all "
                    "categories. Exit status 1 when anything non-essential was active "
                    "before consent.",
    )
    parser.add_argument("target", help="http(s)://host[:port][/path] or package.module:app")
    parser.add_argument("--max-pages", type=int, default=50,
                        help="pages per crawl (default 50)")
    parser.add_argument("--max-seconds", type=float, default=120.0,
                        help="time limit of the whole scan (default 120)")
    parser.add_argument("--max-bytes", type=int, default=5_000_000,
                        help="bytes read per response (default 5000000)")
    parser.add_argument("--timeout", type=float, default=10.0,
                        help="seconds per request (default 10)")
    parser.add_argument("--policy", type=Path, help="policy TOML that classifies what is seen")
    parser.add_argument("--prefix", help="consentkit's URL prefix (default /consentkit)")
    parser.add_argument("--cookie-name", help="the consent cookie's name (default consentkit)")
    parser.add_argument("--allow-unknown", action="store_true",
                        help="do not fail on cookies that no rule knows")
    parser.add_argument("--browser", action="store_true",
                        help="also load each page in headless Chromium (Playwright)")
    parser.add_argument("--format", choices=("table", "markdown", "json"), default="table")
    parser.add_argument("--json", dest="format", action="store_const", const="json",
                        help="same as --format json")
    parser.add_argument("-o", "--output", type=Path,
                        help="write the report to this file instead of standard output")
    parser.set_defaults(handler=run)


def options_from(args: argparse.Namespace) -> ScanOptions:
    from .scan.crawl import Limits
    from .scan.scanner import ScanOptions

    for name, low in (("max_pages", 1), ("max_seconds", 0.1), ("max_bytes", 1024),
                      ("timeout", 0.1)):
        if getattr(args, name) < low:
            raise ConfigError(f"--{name.replace('_', '-')}", f"must be at least {low}")
    limits = Limits(args.max_pages, args.max_seconds, args.max_bytes, args.timeout)
    policy = load_policy(args.policy) if args.policy is not None else None
    return ScanOptions(limits, policy, args.prefix, args.cookie_name, args.allow_unknown,
                       args.browser)


def render(report: ScanReport, fmt: str) -> str:
    from .scan.report import render_json, render_markdown, render_table

    if fmt == "json":
        return render_json(report) + "\n"
    if fmt == "markdown":
        return render_markdown(report)
    return render_table(report)


def exit_status(report: ScanReport) -> int:
    from .scan.result import BEFORE

    before = report.phases.get(BEFORE)
    if before is None or not any(visit.status is not None for visit in before.visits):
        return EXIT_UNREACHABLE
    return EXIT_CLEAN if report.passed else EXIT_BREACH


def run(args: argparse.Namespace) -> int:
    try:
        import httpx  # noqa: F401 - checked here for a clear message
    except ImportError:
        raise ConfigError("scan", "needs httpx: pip install 'consentkit[scan]'") from None
    from .scan.report import ProgressBar
    from .scan.scanner import scan_sync

    options = options_from(args)
    progress = ProgressBar(sys.stderr)
    try:
        report = scan_sync(args.target, options, progress)
    finally:
        progress.finish()
    text = render(report, args.format)
    if args.output is not None:
        args.output.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    status = exit_status(report)
    if status == EXIT_UNREACHABLE:
        for note in report.notes:
            print(f"consentkit scan: {note}", file=sys.stderr)
    return status
