"""Render a :class:`~consentkit.scan.result.ScanReport`: a terminal table, Markdown, JSON,
and the progress bar shown while crawling."""

from __future__ import annotations

import json
from typing import TextIO

from .result import AFTER, BEFORE, Row, ScanReport

_HEADINGS = ("before", "after", "kind", "name", "category", "rule")
_NAME_WIDTH = 56
_RULE_WIDTH = 48


def render_json(report: ScanReport) -> str:
    return json.dumps(report.to_json(), indent=2)


def render_table(report: ScanReport) -> str:
    """A plain-text table for a terminal, then the verdict."""
    rows = [_cells(row, _NAME_WIDTH, _RULE_WIDTH) for row in report.rows()]
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h)
              for i, h in enumerate(_HEADINGS)]
    lines = [_summary(report), ""]
    if rows:
        lines.append("  ".join(h.ljust(w) for h, w in zip(_HEADINGS, widths, strict=True)))
        lines.append("  ".join("-" * w for w in widths))
        lines += ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip()
                  for r in rows]
    else:
        lines.append("No cookie and no tracker tag seen.")
    lines += ["", *_verdict(report)]
    return "\n".join(lines) + "\n"


def render_markdown(report: ScanReport) -> str:
    """The same report as a Markdown document (for a CI job summary or a pull request)."""
    lines = [f"## consentkit scan of {report.target}", "", _summary(report), ""]
    rows = report.rows()
    if rows:
        lines.append("| " + " | ".join(_HEADINGS) + " |")
        lines.append("|" + "---|" * len(_HEADINGS))
        for row in rows:
            cells = [_md(c) for c in _cells(row, 200, 200)]
            cells[3] = f"`{cells[3]}`"
            lines.append("| " + " | ".join(cells) + " |")
    else:
        lines.append("No cookie and no tracker tag seen.")
    notes, headline, items = _verdict_parts(report)
    lines += ["", *(f"> {note}" for note in notes), "", f"**{headline}**", ""]
    lines += [f"- {_md(item)}" for item in items]
    return "\n".join(lines) + "\n"


def _summary(report: ScanReport) -> str:
    accepted = ", ".join(report.accepted)
    after = (f", {report.pages(AFTER)} after accepting all ({accepted})" if AFTER in
             report.phases else ", none after consent")
    browser = " with a headless browser" if report.browser else ""
    return (f"Scanned {report.pages(BEFORE)} page(s) of {report.origin} before consent"
            f"{after}{browser} in {report.duration_s:.1f} s.")


def _verdict(report: ScanReport) -> list[str]:
    notes, headline, items = _verdict_parts(report)
    return [*(f"Note: {note}" for note in notes), headline, *(f"  {item}" for item in items)]


def _verdict_parts(report: ScanReport) -> tuple[list[str], str, list[str]]:
    found = report.breaches()
    if found:
        headline = f"FAIL: {len(found)} non-essential item(s) active before consent:"
    else:
        headline = "OK: nothing non-essential was active before consent."
    return list(report.notes), headline, [finding.describe() for finding in found]


def _cells(row: Row, name_width: int, rule_width: int) -> list[str]:
    return [row.before or "-", row.after or "-", row.kind, _cut(row.name, name_width),
            row.category or "unknown", _cut(row.rule, rule_width)]


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 3] + "..."


def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


class ProgressBar:
    """A one-line progress bar on a terminal (written only when ``stream`` is a tty)."""

    def __init__(self, stream: TextIO, width: int = 30) -> None:
        self.stream = stream
        self.width = width
        self.enabled = stream.isatty()
        self._drawn = False

    def __call__(self, phase: str, done: int, limit: int, url: str) -> None:
        if not self.enabled:
            return
        filled = min(self.width, self.width * done // max(1, limit))
        bar = "#" * filled + "." * (self.width - filled)
        self.stream.write(f"\r{phase:>6} consent [{bar}] {done:>4}/{limit} {url[-40:]:<40}")
        self.stream.flush()
        self._drawn = True

    def finish(self) -> None:
        if self._drawn:
            self.stream.write("\r" + " " * (self.width + 70) + "\r")
            self.stream.flush()
