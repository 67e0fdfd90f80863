"""Shared pieces of the browser tests: paths, the served shop, one visitor's browser context."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path("/usr/bin/chromium")
AXE = Path(__file__).with_name("node_modules") / "axe-core" / "axe.min.js"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
IN_CI = os.environ.get("CI", "").lower() == "true"


def need(path: Path, what: str) -> None:
    if path.exists():
        return
    message = f"{what} not found at {path}"
    if IN_CI:
        pytest.fail(message)
    pytest.skip(message)


@dataclass
class Shop:
    base: str


@dataclass
class Visit:
    """One browser context (a fresh visitor) with its recorded tracker requests."""

    context: Any
    page: Any
    base: str
    tracker_requests: list[str] = field(default_factory=list)

    def goto(self, path: str = "/") -> None:
        self.page.goto(self.base + path)
        self.page.wait_for_function("window.__lateDone === true")

    def reload(self) -> None:
        self.page.reload()
        self.page.wait_for_function("window.__lateDone === true")

    def cookie_names(self) -> set[str]:
        return {c["name"] for c in self.context.cookies()}

    def js_cookie_names(self) -> set[str]:
        raw: str = self.page.evaluate("document.cookie")
        return {part.split("=")[0].strip() for part in raw.split(";") if part.strip()}

    def ran(self) -> list[str]:
        return list(self.page.evaluate("window.__ran || []"))

    def requests_to(self, fragment: str) -> list[str]:
        return [url for url in self.tracker_requests if fragment in url]
