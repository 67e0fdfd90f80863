"""Passive discovery of undeclared cookies, from real traffic. Pure (``logging`` only).

The engine calls :meth:`UnknownCookies.note` for every cookie name the app sets that
neither the policy nor the catalogue knows. The first time a name is seen a warning goes
to the ``consentkit.discovery`` logger (no handler is attached: the application's logging
configuration decides where it goes); every sighting is counted. In development the counts
are served as JSON by ``GET {prefix}/discovery`` when the middleware runs with
``debug=True`` (see the README, "Passive discovery of undeclared cookies").
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from datetime import UTC, datetime

logger = logging.getLogger("consentkit.discovery")

#: The warning logged once per undeclared cookie name (arguments: name, what happens to it).
UNDECLARED_COOKIE = (
    "undeclared cookie %r set by the app: no policy or catalogue rule knows it, so it is %s; "
    "declare it in the policy's [[cookies]]"
)
#: Logged once when the number of distinct names reaches the limit.
TOO_MANY_NAMES = "more than %d undeclared cookie names seen; further new names are only counted"

DEFAULT_MAX_NAMES = 1000


@dataclass(frozen=True, slots=True)
class Sighting:
    """One undeclared cookie name: how often the app set it, and when first."""

    name: str
    count: int
    first_seen: datetime

    def to_json(self) -> dict[str, object]:
        return {"name": self.name, "count": self.count,
                "first_seen": self.first_seen.isoformat(timespec="seconds")}


class UnknownCookies:
    """Counts undeclared cookie names; thread-safe; bounded to ``max_names`` names.

    ``action`` is what the middleware does with such a cookie (``"held back"`` or
    ``"let through"``), quoted in the warning. ``warn=False`` counts silently.
    """

    def __init__(self, *, action: str = "held back", warn: bool = True,
                 max_names: int = DEFAULT_MAX_NAMES) -> None:
        self.action = action
        self.warn = warn
        self.max_names = max_names
        self._lock = threading.Lock()
        self._counts: dict[str, int] = {}
        self._first_seen: dict[str, datetime] = {}
        self._overflow = 0

    def note(self, name: str) -> None:
        """Count one Set-Cookie of an undeclared name; warn the first time it is seen."""
        with self._lock:
            count = self._counts.get(name)
            if count is not None:
                self._counts[name] = count + 1
                return
            if len(self._counts) >= self.max_names:
                self._overflow += 1
                first_overflow = self._overflow == 1
                new = False
            else:
                self._counts[name] = 1
                self._first_seen[name] = datetime.now(UTC)
                new, first_overflow = True, False
        if not self.warn:
            return
        if new:
            logger.warning(UNDECLARED_COOKIE, name, self.action)
        elif first_overflow:
            logger.warning(TOO_MANY_NAMES, self.max_names)

    def sightings(self) -> list[Sighting]:
        """Every name seen, the most frequent first."""
        with self._lock:
            items = [Sighting(name, count, self._first_seen[name])
                     for name, count in self._counts.items()]
        items.sort(key=lambda s: (-s.count, s.name))
        return items

    def counts(self) -> dict[str, int]:
        """``{name: count}`` of every name seen."""
        with self._lock:
            return dict(self._counts)

    def report(self) -> dict[str, object]:
        """The JSON the discovery route serves."""
        with self._lock:
            overflow = self._overflow
        return {
            "unknown_cookies": [s.to_json() for s in self.sightings()],
            "untracked_sightings": overflow,
            "max_names": self.max_names,
        }

    def clear(self) -> None:
        with self._lock:
            self._counts.clear()
            self._first_seen.clear()
            self._overflow = 0
