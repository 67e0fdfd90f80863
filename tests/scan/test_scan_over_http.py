"""consentkit scan against real servers on 127.0.0.1: uvicorn (ASGI) and wsgiref (WSGI)."""

from __future__ import annotations

import importlib

from consentkit.scan.serve import free_port, serve_asgi, serve_wsgi

from .conftest import Run, scan_json


def site(name: str) -> object:
    return getattr(importlib.import_module("ck_scan_sites"), name)


def test_marketing_cookie_over_http_fails(run_scan: Run) -> None:
    with serve_asgi(site("dirty_app")) as origin:
        status, out = run_scan(origin + "/")
    assert status == 1
    assert f'Set-Cookie "_fbp" (marketing, by exact "_fbp" (catalogue, Meta)) from GET ' \
        f"{origin}/" in out


def test_clean_site_over_http_passes(run_scan: Run) -> None:
    with serve_asgi(site("clean_app")) as origin:
        status, report = scan_json(run_scan, origin)
    assert status == 0
    assert [v["url"] for v in report["visits"]] == [
        f"{origin}/", f"{origin}/about", f"{origin}/go"]


def test_middleware_over_http_accepts_all_then_sees_analytics(run_scan: Run) -> None:
    with serve_asgi(site("guarded_app")) as origin:
        status, report = scan_json(run_scan, origin)
    rows = {row["name"]: row for row in report["rows"]}
    assert status == 0
    assert rows["_ga"]["before"] is None and rows["_ga"]["after"] == "active"


def test_flask_over_http_fails(run_scan: Run) -> None:
    with serve_wsgi(site("flask_app")) as origin:
        status, report = scan_json(run_scan, origin)
    assert status == 1
    assert report["breaches"][0]["name"] == "_fbp"


def test_unreachable_site_exits_2(run_scan: Run) -> None:
    status, out = run_scan(f"http://127.0.0.1:{free_port()}/", "--timeout", "2")
    assert status == 2
    assert "Note: could not fetch" in out
