"""``consentkit receipts purge|show|export``: the consent receipts of a site.

The store is the ``receipts`` setting of the site (``--store``, or the environment
variable ``CONSENTKIT_RECEIPTS``; by default the SQLite file under ``--data-dir``).
``show`` and ``export`` take a consent id, or with ``--cookie`` the visitor's whole
``consentkit`` cookie value, verified with the site's secret key.
"""

from __future__ import annotations

import argparse
import json
import os
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, TypeVar

from itsdangerous import BadData, URLSafeTimedSerializer

from .consent_cookie import SALT
from .errors import ConfigError, StorageError
from .receipts import ReceiptStore, open_store_at
from .receipts.base import Receipt

T = TypeVar("T")


def register(subparsers: Any) -> None:
    receipts = subparsers.add_parser(
        "receipts", help="purge, show or export consent receipts",
        description="Manage the consent receipts (proof of every choice) a site stores.",
    )
    actions = receipts.add_subparsers(dest="receipts_command", metavar="ACTION", required=True)
    store = argparse.ArgumentParser(add_help=False)
    store.add_argument(
        "--store", metavar="URL", default=os.environ.get("CONSENTKIT_RECEIPTS", "sqlite://"),
        help="the receipts setting: sqlite:///path or postgresql://... "
             "(default: $CONSENTKIT_RECEIPTS, else the SQLite file under --data-dir)",
    )
    store.add_argument(
        "--data-dir", metavar="DIR", default=os.environ.get("CONSENTKIT_DATA_DIR", "var"),
        help="the data_dir setting (default: $CONSENTKIT_DATA_DIR, else ./var)",
    )
    purge = actions.add_parser(
        "purge", parents=[store], help="delete the receipts past their retention",
        description="Delete every receipt whose delete_after time has passed.",
    )
    purge.add_argument("--now", metavar="ISO_TIME", type=_moment,
                       help="purge as if it were this UTC time (default: now)")
    purge.set_defaults(handler=run_purge)
    for name, text in (("show", "print the receipts of one consent"),
                       ("export", "print the receipts of one consent as JSON")):
        action = actions.add_parser(name, parents=[store], help=text, description=text + ".")
        action.add_argument("consent", metavar="CONSENT_ID",
                            help="a consent id, or with --cookie a consent cookie value")
        action.add_argument("--cookie", action="store_true",
                            help="CONSENT_ID is the visitor's consent cookie value")
        action.add_argument(
            "--secret-key", metavar="KEY", default=os.environ.get("CONSENTKIT_SECRET_KEY"),
            help="the site's secret key, to verify --cookie (default: $CONSENTKIT_SECRET_KEY)",
        )
        action.set_defaults(handler=run_show if name == "show" else run_export)


def run_purge(args: argparse.Namespace) -> int:
    now = args.now or datetime.now(UTC)
    deleted = _with_store(args, lambda store: store.purge(now))
    print(f"{deleted} receipt(s) past retention deleted (now {now.isoformat()})")
    return 0


def run_show(args: argparse.Namespace) -> int:
    consent_id = _consent_id(args)
    found = _with_store(args, lambda store: store.by_consent_id(consent_id))
    if not found:
        print(f"no receipt for consent {consent_id}")
        return 1
    print("\n\n".join(describe(receipt) for receipt in found))
    return 0


def run_export(args: argparse.Namespace) -> int:
    consent_id = _consent_id(args)
    document = _with_store(args, lambda store: store.export_json(consent_id))
    print(document)
    return 0 if json.loads(document)["receipts"] else 1


def describe(receipt: Receipt) -> str:
    """A receipt as indented ``name: value`` lines."""
    values = receipt.to_json()
    lines = [f"consent {receipt.consent_id} at {values['created_at']}"]
    for name, value in values.items():
        if name in ("consent_id", "created_at"):
            continue
        shown = ", ".join(value) if isinstance(value, list) else value
        lines.append(f"  {name + ':':<16}{'' if shown is None else shown}")
    return "\n".join(lines)


def _with_store(args: argparse.Namespace, work: Callable[[ReceiptStore], T]) -> T:
    """Open the store named by ``--store``, run ``work`` on it, close it."""
    try:
        store = open_store_at(args.store, args.data_dir)
    except StorageError as exc:
        raise ConfigError("--store", str(exc)) from None
    if store is None:
        raise ConfigError("--store", "names no receipt store")
    try:
        return work(store)
    finally:
        store.close()


def _consent_id(args: argparse.Namespace) -> str:
    if not args.cookie:
        return str(args.consent)
    if not args.secret_key:
        raise ConfigError("--secret-key", "is needed to verify a consent cookie")
    serializer = URLSafeTimedSerializer(args.secret_key, salt=SALT)
    try:
        payload = serializer.loads(args.consent)
    except BadData:
        raise ConfigError("CONSENT_ID", "is not a consent cookie signed with this key") from None
    consent_id = payload.get("i") if isinstance(payload, dict) else None
    if not isinstance(consent_id, str) or not consent_id:
        raise ConfigError("CONSENT_ID", "the consent cookie carries no consent id")
    return consent_id


def _moment(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not an ISO 8601 time") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
