"""Passive discovery: undeclared cookies found from real traffic."""

from __future__ import annotations

import logging
import threading

import pytest
from starlette.testclient import TestClient

from consentkit.discovery import TOO_MANY_NAMES, UNDECLARED_COOKIE, UnknownCookies

from .conftest import guarded_app


def discovery_records(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "consentkit.discovery"]


def test_warns_once_per_name_and_counts_every_sighting(
    caplog: pytest.LogCaptureFixture,
) -> None:
    found = UnknownCookies()
    with caplog.at_level(logging.WARNING, logger="consentkit.discovery"):
        for name in ("zq_tmp", "zq_tmp", "other", "zq_tmp"):
            found.note(name)
    records = discovery_records(caplog)
    assert [r.msg for r in records] == [UNDECLARED_COOKIE, UNDECLARED_COOKIE]
    assert [r.args for r in records] == [("zq_tmp", "held back"), ("other", "held back")]
    assert found.counts() == {"zq_tmp": 3, "other": 1}
    report = found.report()
    assert [(c["name"], c["count"]) for c in report["unknown_cookies"]] == [  # type: ignore[attr-defined]
        ("zq_tmp", 3), ("other", 1)]


def test_the_logger_has_no_handler_of_its_own() -> None:
    UnknownCookies().note("x_probe")
    assert logging.getLogger("consentkit.discovery").handlers == []


def test_silent_mode_counts_without_logging(caplog: pytest.LogCaptureFixture) -> None:
    found = UnknownCookies(warn=False, action="let through")
    with caplog.at_level(logging.WARNING, logger="consentkit.discovery"):
        found.note("zz")
    assert discovery_records(caplog) == []
    assert found.counts() == {"zz": 1}


def test_counts_are_exact_under_threads() -> None:
    found = UnknownCookies(warn=False)

    def hammer() -> None:
        for index in range(2000):
            found.note(f"name{index % 10}")

    threads = [threading.Thread(target=hammer) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert found.counts() == {f"name{i}": 1600 for i in range(10)}


def test_distinct_names_are_bounded(caplog: pytest.LogCaptureFixture) -> None:
    found = UnknownCookies(max_names=3)
    with caplog.at_level(logging.WARNING, logger="consentkit.discovery"):
        for index in range(10):
            found.note(f"cart_{index}")
    assert len(found.counts()) == 3
    assert found.report()["untracked_sightings"] == 7
    assert [r.msg for r in discovery_records(caplog)][-1] == TOO_MANY_NAMES


def test_middleware_notes_cookies_the_app_sets_without_a_rule(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.WARNING, logger="consentkit.discovery"), \
            TestClient(guarded_app(debug=True)) as client:
        for _ in range(3):
            assert "zq_tmp" not in client.get("/mystery").cookies  # held back meanwhile
        client.get("/tracked")  # only known cookies
        report = client.get("/consentkit/discovery").json()
    assert [(c["name"], c["count"]) for c in report["unknown_cookies"]] == [("zq_tmp", 3)]
    assert [r.args for r in discovery_records(caplog)] == [("zq_tmp", "held back")]


def test_discovery_route_exists_only_in_debug_mode() -> None:
    with TestClient(guarded_app()) as client:
        client.get("/mystery")
        assert client.get("/consentkit/discovery").status_code == 404
