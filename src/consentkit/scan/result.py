"""The result of a scan: what was seen before and after consent, and the verdict."""

from __future__ import annotations

from dataclasses import dataclass, field

from .crawl import PhaseResult, Visit
from .findings import Finding, breaches

BEFORE = "before"
AFTER = "after"


@dataclass(slots=True)
class Row:
    """One cookie or tracker, as the report's table shows it."""

    kind: str
    name: str
    category: str | None
    rule: str
    vendor: str
    before: str = ""  # "active", "held back", "deleted" or "" (not seen)
    after: str = ""
    first_seen: str = ""

    def to_json(self) -> dict[str, object]:
        return {"kind": self.kind, "name": self.name, "category": self.category,
                "rule": self.rule, "vendor": self.vendor, "before": self.before or None,
                "after": self.after or None, "first_seen": self.first_seen}


@dataclass(slots=True)
class ScanReport:
    target: str
    origin: str
    required: frozenset[str]
    phases: dict[str, PhaseResult] = field(default_factory=dict)
    accepted: tuple[str, ...] = ()
    notes: list[str] = field(default_factory=list)
    allow_unknown: bool = False
    browser: bool = False
    duration_s: float = 0.0

    @property
    def visits(self) -> list[Visit]:
        return [visit for phase in self.phases.values() for visit in phase.visits]

    def pages(self, phase: str) -> int:
        found = self.phases.get(phase)
        return found.pages if found is not None else 0

    def breaches(self) -> list[Finding]:
        """Everything non-essential that was active before consent."""
        before = self.phases.get(BEFORE)
        if before is None:
            return []
        unique: dict[tuple[str, str, str], Finding] = {}
        for finding in breaches(before.findings, self.required,
                                allow_unknown=self.allow_unknown):
            unique.setdefault((finding.kind, finding.name, finding.url), finding)
        return list(unique.values())

    @property
    def passed(self) -> bool:
        return not self.breaches()

    def rows(self) -> list[Row]:
        """One row per (kind, name), its state before and after consent."""
        table: dict[tuple[str, str], Row] = {}
        for phase_name, phase in self.phases.items():
            for finding in phase.findings:
                key = (finding.kind, finding.name)
                row = table.get(key)
                if row is None:
                    row = table[key] = Row(finding.kind, finding.name, finding.category,
                                           finding.rule, finding.vendor,
                                           first_seen=finding.url)
                state = _state(finding)
                if phase_name == BEFORE:
                    row.before = _stronger(row.before, state)
                else:
                    row.after = _stronger(row.after, state)
        order = {"cookie": 0, "script-cookie": 1, "tag": 2, "request": 3}
        return sorted(table.values(), key=lambda r: (order.get(r.kind, 9), r.name))

    def to_json(self) -> dict[str, object]:
        return {
            "target": self.target,
            "origin": self.origin,
            "passed": self.passed,
            "pages": {name: phase.pages for name, phase in self.phases.items()},
            "accepted": list(self.accepted),
            "browser": self.browser,
            "duration_s": round(self.duration_s, 3),
            "breaches": [finding.to_json() for finding in self.breaches()],
            "rows": [row.to_json() for row in self.rows()],
            "findings": {name: [f.to_json() for f in phase.findings]
                         for name, phase in self.phases.items()},
            "visits": [visit.to_json() for visit in self.visits],
            "notes": list(self.notes),
        }


_STRENGTH = {"": 0, "deleted": 1, "held back": 2, "active": 3}


def _state(finding: Finding) -> str:
    if finding.active:
        return "active"
    return "deleted" if finding.kind == "cookie" else "held back"


def _stronger(current: str, new: str) -> str:
    return new if _STRENGTH[new] > _STRENGTH[current] else current
