"""The visitor's consent as the app sees it. Pure."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True, slots=True)
class Consent:
    """What this visitor has agreed to.

    ``categories`` are the categories in force (always including the required ones).
    ``given`` is true when the visitor made a choice (a valid consent cookie came with the
    request); ``id`` is the random consent id of that choice, for receipts.
    ``regime`` is the consent regime that applied (``opt-in``, ``opt-out``, ``notice``) and
    ``gpc`` whether the browser sent Global Privacy Control.
    """

    categories: frozenset[str]
    given: bool = False
    id: str | None = None
    version: str | None = None
    issued_at: datetime | None = None
    regime: str = "opt-in"
    gpc: bool = False
    region: str | None = None
    refused: frozenset[str] = field(default_factory=frozenset)

    def allows(self, category: str | None) -> bool:
        """Is this category granted? ``None`` (an unknown cookie) is never granted here."""
        return category in self.categories

    def to_json(self) -> dict[str, object]:
        """The state as the consent endpoint and the banner config show it."""
        return {
            "given": self.given,
            "categories": sorted(self.categories),
            "id": self.id,
            "version": self.version,
            "issued_at": self.issued_at.isoformat() if self.issued_at else None,
            "regime": self.regime,
            "gpc": self.gpc,
            "region": self.region,
        }
