"""consentkit scan against apps run in-process (ASGI and WSGI)."""

from __future__ import annotations

import io
from pathlib import Path

from consentkit.scan.report import ProgressBar

from .conftest import Run, scan_json

DIRTY = "ck_scan_sites:dirty_app"
CLEAN = "ck_scan_sites:clean_app"


def test_marketing_cookie_before_consent_fails_and_is_named(run_scan: Run) -> None:
    status, out = run_scan(DIRTY)
    assert status == 1
    assert 'FAIL: 1 non-essential item(s) active before consent' in out
    assert 'Set-Cookie "_fbp" (marketing, by exact "_fbp" (catalogue, Meta)) from GET ' \
        "http://testserver/" in out


def test_clean_site_passes(run_scan: Run) -> None:
    status, out = run_scan(CLEAN)
    assert status == 0
    assert "OK: nothing non-essential was active before consent." in out
    assert "held back" in out  # the held-back gtag is listed, not counted


def test_crawl_follows_links_and_redirects_on_the_origin_only(run_scan: Run) -> None:
    status, report = scan_json(run_scan, DIRTY)
    assert status == 1
    urls = [visit["url"] for visit in report["visits"]]
    assert urls == ["http://testserver/", "http://testserver/about", "http://testserver/go"]
    assert report["pages"] == {"before": 3}
    assert any("no consent endpoint" in note for note in report["notes"])


def test_middleware_app_is_clean_before_and_sets_analytics_after_accepting(
    run_scan: Run,
) -> None:
    status, report = scan_json(run_scan, "ck_scan_sites:guarded_app")
    assert status == 0 and report["passed"] is True
    assert report["accepted"] == ["preferences", "analytics", "marketing"]
    rows = {row["name"]: row for row in report["rows"]}
    assert rows["_ga"]["before"] is None and rows["_ga"]["after"] == "active"
    assert rows["_ga"]["category"] == "analytics"
    assert rows["consentkit"]["after"] == "active"
    assert rows["sessionid"]["before"] == "active"
    consent_post = [v for v in report["visits"] if v["method"] == "POST"]
    assert consent_post[0]["url"] == "http://testserver/consentkit/consent"
    assert consent_post[0]["status"] == 200


def test_flask_app_runs_through_wsgi(run_scan: Run) -> None:
    status, report = scan_json(run_scan, "ck_scan_sites:flask_app")
    assert status == 1
    assert {(b["kind"], b["name"]) for b in report["breaches"]} == {
        ("cookie", "_fbp"), ("tag", "https://www.youtube.com/embed/abc")}


def test_flask_app_behind_consentkit_is_clean_then_sets_analytics(run_scan: Run) -> None:
    status, report = scan_json(run_scan, "ck_scan_sites:guarded_flask_app")
    assert status == 0
    rows = {row["name"]: row for row in report["rows"]}
    assert rows["_ga"]["before"] is None and rows["_ga"]["after"] == "active"
    assert rows["consentkit"]["after"] == "active"


def test_page_limit_bounds_the_crawl(run_scan: Run) -> None:
    status, report = scan_json(run_scan, "ck_scan_sites:chain_app", "--max-pages", "5")
    assert status == 0
    assert report["pages"] == {"before": 5}
    assert "before consent: stopped by the page limit (5)" in report["notes"]


def test_response_size_limit_truncates(run_scan: Run) -> None:
    status, report = scan_json(run_scan, "ck_scan_sites:chain_app", "--max-bytes", "4096",
                               "--max-pages", "8")
    assert status == 0
    big = [v for v in report["visits"] if v["url"].endswith("/big")]
    assert big and big[0]["truncated"] is True and big[0]["bytes"] == 4096


def test_lifespan_runs_around_an_in_process_scan(run_scan: Run) -> None:
    status, report = scan_json(run_scan, "ck_scan_sites:lifespan_app")
    assert status == 0
    assert report["visits"][0]["status"] == 200


def test_markdown_report_for_a_ci_summary(run_scan: Run, tmp_path: Path) -> None:
    target = tmp_path / "summary.md"
    status, out = run_scan(DIRTY, "--format", "markdown", "--output", str(target))
    text = target.read_text()
    assert status == 1 and out == ""
    assert text.startswith("## consentkit scan of ck_scan_sites:dirty_app")
    assert "| active | - | cookie | `_fbp` | marketing | exact \"_fbp\" (catalogue, Meta) |" \
        in text
    assert "**FAIL: 1 non-essential item(s) active before consent:**" in text


def test_unknown_cookies_can_be_allowed(run_scan: Run) -> None:
    status, _ = run_scan("ck_scan_sites:chain_app", "--allow-unknown", "--max-pages", "2")
    assert status == 0


def test_bad_target_is_a_configuration_error(run_scan: Run) -> None:
    assert run_scan("ck_scan_sites:no_such_app")[0] == 2
    assert run_scan("not a target")[0] == 2


def test_progress_bar_only_on_a_terminal() -> None:
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    terminal, pipe = Terminal(), io.StringIO()
    for stream in (terminal, pipe):
        bar = ProgressBar(stream)
        bar("before", 5, 10, "http://testserver/about")
        bar.finish()
    assert "[###############...............]    5/10" in terminal.getvalue()
    assert pipe.getvalue() == ""
