"""Consent receipts: the proof of every choice, in SQLite or PostgreSQL.

``open_store(settings.receipts, settings)`` turns the ``receipts`` setting into a store.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import ConfigError, StorageError
from .base import Receipt as Receipt
from .base import ReceiptStore as ReceiptStore

if TYPE_CHECKING:
    from ..settings import Settings

__all__ = ["Receipt", "ReceiptStore", "open_store", "open_store_at"]


def open_store(value: Any, settings: Settings) -> ReceiptStore | None:
    """The store named by the ``receipts`` setting (see :func:`open_store_at`)."""
    return open_store_at(value, settings.data_dir)


def open_store_at(value: Any, data_dir: str | Path) -> ReceiptStore | None:
    """The store named by a ``receipts`` value.

    - ``None`` or ``False``: no receipts;
    - a :class:`ReceiptStore`: used as it is;
    - ``True``, ``"sqlite"`` or ``"sqlite://"``: a SQLite file
      ``consentkit-receipts.sqlite3`` under ``data_dir``;
    - ``"sqlite:///path/to/file.sqlite3"``: that file (a relative path is under ``data_dir``);
    - ``"postgresql://user:pass@host:5432/db"`` (or ``postgres://``): a PostgreSQL table.
    """
    if value is None or value is False:
        return None
    if isinstance(value, ReceiptStore):
        return value
    if value is True:
        value = "sqlite://"
    if not isinstance(value, str):
        raise ConfigError("receipts", f"must be a ReceiptStore or a database URL, got {value!r}")
    if value in ("sqlite", "sqlite://") or value.startswith("sqlite:///"):
        from .sqlite import DEFAULT_FILE_NAME, SQLiteReceiptStore

        name = value[len("sqlite:///"):] if value.startswith("sqlite:///") else ""
        in_memory = name == ":memory:"
        path = name if in_memory else str(Path(data_dir) / (name or DEFAULT_FILE_NAME))
        try:
            return SQLiteReceiptStore(path)
        except StorageError as exc:
            raise ConfigError("receipts", str(exc)) from None
    if value.startswith(("postgresql://", "postgres://")):
        try:
            import psycopg  # noqa: F401
            import psycopg_pool  # noqa: F401
        except ImportError:  # pragma: no cover - depends on the installed extras
            raise ConfigError(
                "receipts", "PostgreSQL needs: pip install 'consentkit[postgres]'"
            ) from None
        from .postgres import PostgresReceiptStore

        return PostgresReceiptStore(value)
    raise ConfigError(
        "receipts", "must start with 'sqlite:///' or 'postgresql://' (or be a ReceiptStore)"
    )
