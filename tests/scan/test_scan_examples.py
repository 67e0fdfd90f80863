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


@pytest.fixture(params=["fastapi_app", "flask_app"])
def shop_target(request: pytest.FixtureRequest, tmp_path: Path,
                monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A module that builds an example shop with its state in ``tmp_path`` and the
    access log off (so that standard output is the report alone)."""
    monkeypatch.syspath_prepend(str(EXAMPLES / request.param))
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, "app", raising=False)
    module = f"ck_scan_{request.param}_shop"
    (tmp_path / f"{module}.py").write_text(
        "from app import create_app\n"
        f"app = create_app(data_dir={str(tmp_path)!r}, access_log=None)\n")
    yield f"{module}:app"
    sys.modules.pop("app", None)
    sys.modules.pop(module, None)


def test_example_shop_is_clean_before_consent(run_scan: Run, shop_target: str,
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
