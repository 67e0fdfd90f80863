"""The ``consentkit`` command line. Each subcommand lives in its own ``cli_<name>.py``
module exposing ``register(subparsers)``, which adds a parser whose ``handler`` default
is a function ``(args) -> int`` (the exit status)."""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from .errors import ConfigError

# One module per subcommand, in the order `consentkit --help` lists them.
SUBCOMMAND_MODULES: tuple[str, ...] = (
    "consentkit.cli_classify",
    "consentkit.cli_logs",
    "consentkit.cli_scan",
    "consentkit.cli_declaration",
    "consentkit.cli_receipts",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="consentkit",
        description="Make a web app's cookie policy true on the wire.",
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for module_name in SUBCOMMAND_MODULES:
        importlib.import_module(module_name).register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        status: int = args.handler(args)
    except ConfigError as exc:
        print(f"consentkit: configuration error: {exc}", file=sys.stderr)
        return 2
    return status


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
