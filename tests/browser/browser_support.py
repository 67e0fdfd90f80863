"""Shared pieces of the browser tests: paths, the served shop, one visitor's browser context."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path("/usr/bin/chromium")
ROOT = Path(__file__).resolve().parents[2]
# npm packages (axe-core, terser) live in a git-ignored folder (the Makefile installs them).
NODE_MODULES = (ROOT / ".venv" / "axe" / "node_modules", Path(__file__).with_name("node_modules"))
NPM_INSTALL = ("npm install --no-save --no-audit --no-fund --prefix .venv/axe "
               "axe-core@4.14.1 terser@5.51.2")


def node_module_file(relative: str) -> Path:
    """The file from the first folder that has it (the first folder's path if none)."""
    for folder in NODE_MODULES:
        if (folder / relative).is_file():
            return folder / relative
    return NODE_MODULES[0] / relative


AXE = node_module_file("axe-core/axe.min.js")
SCREENSHOTS = ROOT / "docs" / "screenshots"
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
        self.settle()

    def reload(self) -> None:
        self.page.reload()
        self.settle()

    def settle(self) -> None:
        """Wait until the page's late injections ran and their requests would be seen."""
        self.page.wait_for_function("window.__lateDone === true")
        self.page.wait_for_timeout(150)

    def cookie_names(self) -> set[str]:
        return {c["name"] for c in self.context.cookies()}

    def js_cookie_names(self) -> set[str]:
        raw: str = self.page.evaluate("document.cookie")
        return {part.split("=")[0].strip() for part in raw.split(";") if part.strip()}

    def ran(self) -> list[str]:
        return list(self.page.evaluate("window.__ran || []"))

    def requests_to(self, fragment: str) -> list[str]:
        return [url for url in self.tracker_requests if fragment in url]

    def wait_for_request(self, fragment: str, timeout_ms: int = 5000) -> list[str]:
        """The recorded requests whose URL contains ``fragment``, once there is one."""
        for _ in range(timeout_ms // 50):
            found = self.requests_to(fragment)
            if found:
                return found
            self.page.wait_for_timeout(50)  # lets Playwright deliver pending events
        return []
