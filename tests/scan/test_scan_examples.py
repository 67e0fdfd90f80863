"""consentkit scan against the example shops: clean before consent, every declared
cookie and tag switched on after accepting all."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from .conftest import Run

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


@pytest.fixture
def shop_target(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A module that builds the FastAPI shop with its state in ``tmp_path`` and the
    access log off (so that standard output is the report alone)."""
    monkeypatch.syspath_prepend(str(EXAMPLES / "fastapi_app"))
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, "app", raising=False)
    (tmp_path / "ck_scan_fastapi_shop.py").write_text(
        "from app import create_app\n"
        f"app = create_app(data_dir={str(tmp_path)!r}, access_log=None)\n")
    yield "ck_scan_fastapi_shop:app"
    sys.modules.pop("app", None)
    sys.modules.pop("ck_scan_fastapi_shop", None)


def test_fastapi_shop_is_clean_before_consent(run_scan: Run, shop_target: str,
                                              tmp_path: Path) -> None:
    report_file = tmp_path / "report.json"
    status, _ = run_scan(shop_target, "--json", "--output", str(report_file),
                         "--max-pages", "30")
    report = json.loads(report_file.read_text())
    assert status == 0, report["breaches"]
    assert report["pages"]["before"] >= 5 and report["pages"]["after"] >= 5
    rows = {(row["kind"], row["name"]): row for row in report["rows"]}
    assert rows[("cookie", "_fbp")]["before"] is None
    assert rows[("cookie", "_fbp")]["after"] == "active"
    assert rows[("cookie", "csrf_token")]["before"] == "active"
    gtag = next(row for (kind, name), row in rows.items()
                if kind == "tag" and "googletagmanager.com/gtag/js" in name)
    assert (gtag["before"], gtag["after"]) == ("held back", "active")
