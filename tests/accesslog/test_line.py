"""What a line holds, and what it never holds."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from consentkit.accesslog import AccessLog, coarse_user_agent, truncate_ip
from consentkit.consent import Consent
from consentkit.errors import ConfigError

from .conftest import CHROME, collecting_logger, lines_for, request, settings_for

IPHONE = (b"Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 "
          b"(KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1")
IPAD = (b"Mozilla/5.0 (iPad; CPU OS 16_6 like Mac OS X) AppleWebKit/605.1.15 "
        b"(KHTML, like Gecko) Version/16.6 Mobile/15E148 Safari/604.1")
GOOGLEBOT = b"Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"
FULL_HEADERS = [
    (b"user-agent", CHROME),
    (b"cookie", b"consentkit=signed-value; _ga=GA1.2.3456"),
    (b"referer", b"https://search.example:8443/results?q=my+medical+condition"),
    (b"authorization", b"Bearer topsecret"),
]


def one_line(**options: object) -> dict[str, object]:
    (line,) = lines_for([request("/shop/items", FULL_HEADERS, query_string=b"page=3&q=x")],
                        **options)
    parsed: dict[str, object] = json.loads(line)
    return parsed


def test_the_default_line_has_exactly_the_documented_fields() -> None:
    before = datetime.now(UTC).replace(microsecond=0)
    line = one_line()
    assert list(line) == ["ts", "method", "path", "status", "bytes", "duration_ms", "ip",
                          "ua", "country", "retention", "delete_after"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", str(line["ts"]))
    stamped = datetime.strptime(str(line["ts"]), "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    assert before - timedelta(seconds=2) <= stamped <= datetime.now(UTC)
    assert line["path"] == "/shop/items"
    assert line["duration_ms"] == 5.0
    assert line["retention"] == "access-log-3m"
    assert line["delete_after"] == (stamped.date() + timedelta(days=90)).isoformat()


def test_no_cookie_no_raw_user_agent_no_referrer_no_other_header() -> None:
    (raw,) = lines_for([request("/", FULL_HEADERS)])
    for secret in ("signed-value", "GA1.2", "Mozilla", "KHTML", "search.example",
                   "medical", "topsecret", "Bearer"):
        assert secret not in raw


def test_only_allow_listed_query_parameters_are_kept() -> None:
    assert one_line(log_query_params=["page"])["path"] == "/shop/items?page=3"
    assert one_line(log_query_params=["absent"])["path"] == "/shop/items"


def test_the_referrer_is_only_an_origin_and_only_when_asked() -> None:
    assert one_line(log_referrer=True)["referrer"] == "https://search.example:8443"
    headers = [(b"referer", b"http://user:pass@203.0.113.9/private")]
    (line,) = lines_for([request("/", headers)], log_referrer=True)
    assert json.loads(line)["referrer"] is None
    assert "203.0.113.9" not in line and "pass" not in line
    (line,) = lines_for([request("/", [(b"referer", b"android-app://x")])], log_referrer=True)
    assert json.loads(line)["referrer"] is None


def test_the_consent_summary_only_when_asked() -> None:
    logger, collector = collecting_logger()
    log = AccessLog(settings_for(access_log=logger, log_consent=True))
    consent = Consent(frozenset({"necessary", "analytics"}), given=True, id="consent-id-123",
                      regime="opt-in")
    log.record(request(), consent, 204, 0, 0.0)
    log.close()
    (line,) = collector.objects
    assert line["consent"] == {"given": True, "categories": ["analytics", "necessary"],
                               "regime": "opt-in", "gpc": False}
    assert "consent-id-123" not in collector.lines[0]
    assert "consent" not in one_line()


@pytest.mark.parametrize(("header", "expected"), [
    (CHROME, ("Chrome", 126, "Windows", "pc", False)),
    (IPHONE, ("Mobile Safari", 17, "iOS", "mobile", False)),
    (IPAD, ("Mobile Safari", 16, "iOS", "tablet", False)),
    (GOOGLEBOT, ("Googlebot", 2, "Other", "bot", True)),
    (None, (None, None, None, "other", False)),
    (b"", (None, None, None, "other", False)),
])
def test_coarse_user_agent(header: bytes | None,
                           expected: tuple[object, ...]) -> None:
    agent = coarse_user_agent(header)
    assert (agent.browser, agent.version, agent.os, agent.device, agent.bot) == expected


def test_a_user_agent_cannot_smuggle_an_address_into_the_line() -> None:
    header = b"Mozilla/5.0 (compatible; 203.0.113.9bot/1.0)"
    (line,) = lines_for([request("/", [(b"user-agent", header)])])
    assert "203.0.113.9" not in line
    assert coarse_user_agent("x" * 10_000).browser == "Other"


def test_helpers_for_receipts() -> None:
    assert truncate_ip("203.0.113.9") == "203.0.113.0/24"
    assert truncate_ip("2001:db8:aa:bb::1") == "2001:db8:aa::/48"
    assert truncate_ip("::ffff:203.0.113.9", 16) == "203.0.0.0/16"
    assert truncate_ip("garbage") is None


def test_prefixes_finer_than_the_defaults_are_refused() -> None:
    logger, _ = collecting_logger()
    with pytest.raises(ConfigError) as caught:
        AccessLog(settings_for(access_log=logger, ip_prefix_v4=32))
    assert caught.value.setting == "ip_prefix_v4"
    with pytest.raises(ConfigError) as caught:
        AccessLog(settings_for(access_log=logger, ip_prefix_v6=64))
    assert caught.value.setting == "ip_prefix_v6"


def test_stdout_sink(capsys: pytest.CaptureFixture[str]) -> None:
    log = AccessLog(settings_for(access_log="stdout"))
    log.record(request("/out"), None, 200, 1, 0.0)
    log.close()
    (line,) = capsys.readouterr().out.splitlines()
    assert json.loads(line)["path"] == "/out"


@settings(max_examples=150, deadline=None)
@given(path=st.text(max_size=80), method=st.text(min_size=1, max_size=10),
       query=st.binary(max_size=60), agent=st.binary(max_size=80))
def test_any_request_gives_one_valid_json_line(
    path: str, method: str, query: bytes, agent: bytes
) -> None:
    (line,) = lines_for([request(path, [(b"user-agent", agent)], query_string=query,
                                 method=method)], log_query_params=["page"])
    assert "\n" not in line
    parsed = json.loads(line)
    assert parsed["path"] == path[:2048] or parsed["path"].startswith(path[:2048] + "?page")
    assert parsed["method"] == method[:16]
