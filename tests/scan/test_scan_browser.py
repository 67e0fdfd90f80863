"""consentkit scan --browser: cookies written by script and requests to tracker hosts."""

from __future__ import annotations

from pathlib import Path

import pytest

from .conftest import Run, scan_json

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path("/usr/bin/chromium").exists(), reason="needs /usr/bin/chromium"),
]


def test_browser_finds_script_cookie_and_tracker_request(run_scan: Run) -> None:
    status, report = scan_json(run_scan, "ck_scan_sites:script_app", "--browser",
                               "--max-pages", "2")
    assert status == 1
    found = {(b["kind"], b["name"]) for b in report["breaches"]}
    assert ("script-cookie", "_ga") in found
    assert ("request", "https://www.google-analytics.com/g/collect?v=2&tid=G-1") in found
    # Without the browser the inline script is not seen as a tracker (no snippet matches).
    status, report = scan_json(run_scan, "ck_scan_sites:script_app", "--max-pages", "2")
    assert status == 0


def test_browser_behind_the_middleware_is_clean_before_consent(run_scan: Run) -> None:
    status, report = scan_json(run_scan, "ck_scan_sites:guarded_app", "--browser",
                               "--max-pages", "2")
    assert status == 0, report["breaches"]
    assert report["browser"] is True
