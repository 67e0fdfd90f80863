from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from consentkit.cli import main

SITES = Path(__file__).parent / "sites"


@pytest.fixture(autouse=True)
def sites_importable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.syspath_prepend(str(SITES))


Run = Callable[..., tuple[int, str]]


@pytest.fixture
def run_scan(capsys: pytest.CaptureFixture[str]) -> Run:
    """``run_scan("module:app", "--json")`` -> (exit status, standard output)."""

    def run(*args: str) -> tuple[int, str]:
        status = main(["scan", *args])
        return status, capsys.readouterr().out

    return run


def scan_json(run: Run, *args: str) -> tuple[int, dict[str, Any]]:
    status, out = run(*args, "--json")
    return status, json.loads(out)
