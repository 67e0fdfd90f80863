"""The example shop keeps its privacy policy: nothing non-essential before consent."""

from __future__ import annotations

import importlib.util
import json
import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from starlette.testclient import TestClient

from consentkit import ConfigError
from consentkit.testing import ConsentChecks

HERE = Path(__file__).resolve().parent
BASE_URL = "http://127.0.0.1:8000"
PAGES = ["/", "/cart", "/login", "/privacy"]
TRACKER_URLS = ("https://www.googletagmanager.com/gtag/js", "https://connect.facebook.net/",
                "https://www.facebook.com/tr", "https://www.youtube-nocookie.com/embed/")


def load_shop() -> ModuleType:
    spec = importlib.util.spec_from_file_location("fastapi_example_shop", HERE / "app.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


shop = load_shop()


@pytest.fixture
def app(tmp_path: Path) -> Any:
    return shop.create_app(BASE_URL, data_dir=tmp_path, access_log=str(tmp_path / "access"))


@pytest.fixture
def client(app: Any) -> Iterator[TestClient]:
    with TestClient(app, base_url=BASE_URL) as opened:
        yield opened


@pytest.fixture
def checks(app: Any) -> ConsentChecks:
    return ConsentChecks.for_app(app)


def live_trackers(html: str) -> list[str]:
    """Tracker URLs the browser would load: in a src attribute, not held back."""
    return [url for url in TRACKER_URLS if re.search(r'\ssrc="' + re.escape(url), html)]


def cookie_names(response: Any) -> set[str]:
    return {value.split("=", 1)[0] for value in response.headers.get_list("set-cookie")}


def csrf(client: TestClient) -> str:
    client.get("/")
    return str(client.cookies["csrf_token"])


@pytest.mark.parametrize("path", PAGES)
def test_no_cookie_or_tracker_before_consent(client: TestClient, checks: ConsentChecks,
                                             path: str) -> None:
    response = client.get(path)
    assert response.status_code == 200
    checks.assert_clean_before_consent(response)
    assert cookie_names(response) <= {"csrf_token"}
    assert live_trackers(response.text) == []
    assert 'data-consentkit-src="https://www.googletagmanager.com/gtag/js' in response.text
    assert "/consentkit/static/consentkit.js" in response.text


def test_every_page_passes_the_scanner_before_consent(client: TestClient,
                                                      checks: ConsentChecks) -> None:
    checks.check_paths(client, PAGES)


def test_consent_to_analytics_brings_analytics_and_not_marketing(client: TestClient,
                                                                 checks: ConsentChecks) -> None:
    recorded = client.post("/consentkit/consent", json={"categories": ["analytics"]})
    assert recorded.status_code == 200
    response = client.get("/")
    names = cookie_names(response)
    assert "shop_visitor" in names and "_fbp" not in names
    checks.assert_no_cookies_outside(response, ["analytics"])
    checks.assert_no_trackers_outside(response, ["analytics"])
    assert live_trackers(response.text) == ["https://www.googletagmanager.com/gtag/js"]


def test_consent_to_everything_loads_the_pixel_and_the_video(client: TestClient) -> None:
    client.post("/consentkit/consent",
                json={"categories": ["preferences", "analytics", "marketing"]})
    response = client.get("/")
    assert {"shop_visitor", "_fbp"} <= cookie_names(response)
    assert len(live_trackers(response.text)) == 4


def test_beacon_is_answered_204_without_the_app_until_analytics(client: TestClient,
                                                                app: Any) -> None:
    assert client.post("/collect", content=b'{"page":"/"}').status_code == 204
    assert app.state.visits == 0
    client.post("/consentkit/consent", json={"categories": ["analytics"]})
    assert client.post("/collect", content=b'{"page":"/"}').status_code == 202
    assert app.state.visits == 1


def test_language_switcher_cookie_needs_preferences(client: TestClient) -> None:
    refused = client.get("/lang/de?next=/cart", follow_redirects=False)
    assert refused.status_code == 303 and refused.headers["location"] == "/cart?lang=de"
    assert "locale" not in cookie_names(refused)
    assert '<html lang="de">' in client.get(refused.headers["location"]).text
    client.post("/consentkit/consent", json={"categories": ["preferences"]})
    granted = client.get("/lang/fr?next=//evil.example/", follow_redirects=False)
    assert granted.headers["location"] == "/?lang=fr"
    assert "Max-Age=31536000" in granted.headers["set-cookie"]
    assert '<html lang="fr">' in client.get("/").text


def test_cart_login_and_csrf_are_necessary(client: TestClient) -> None:
    token = csrf(client)
    added = client.post("/cart/add", data={"csrf_token": token, "product": "2"},
                        follow_redirects=False)
    assert added.status_code == 303 and "cart" in cookie_names(added)
    assert "Sencha Uji" in client.get("/cart").text
    forged = client.post("/cart/add", data={"csrf_token": "guess", "product": "2"})
    assert forged.status_code == 403
    wrong = client.post("/login", data={"csrf_token": token, "username": "demo",
                                        "password": "nope"})
    assert wrong.status_code == 401
    signed_in = client.post("/login", data={"csrf_token": token, "username": "demo",
                                            "password": "demo"}, follow_redirects=False)
    assert "shop_session" in cookie_names(signed_in)
    assert "Signed in as demo" in client.get("/").text


def test_privacy_page_renders_the_policys_cookie_table(client: TestClient) -> None:
    page = client.get("/privacy?lang=en").text
    for name in ("shop_session", "csrf_token", "cart", "locale", "shop_visitor", "_ga",
                 "_fbp", "VISITOR_INFO1_LIVE", "consentkit"):
        assert f"<code>{name}</code>" in page
    assert "1 year" in page and "3 months" in page
    assert "user-input" not in page  # the justification lives in policy.toml's comments
    assert "Remembers the items you put in your shopping cart" in page


def test_choices_are_receipted_and_the_access_log_keeps_no_full_ip(
    app: Any, tmp_path: Path
) -> None:
    with TestClient(app, base_url=BASE_URL, client=("203.0.113.77", 51000)) as visitor:
        visitor.post("/consentkit/consent", json={"categories": ["analytics"]})
        visitor.get("/")
    # Leaving the client ran the lifespan's shutdown: the log is flushed to its file.
    with sqlite3.connect(tmp_path / "consentkit-receipts.sqlite3") as db:
        assert db.execute("select count(*) from sqlite_master").fetchone()[0] >= 1
        (table,) = db.execute("select name from sqlite_master where type = 'table'").fetchone()
        assert db.execute(f"select count(*) from {table}").fetchone()[0] == 1
    lines = [json.loads(line) for file in tmp_path.glob("access*")
             for line in file.read_text().splitlines()]
    assert [(line["method"], line["path"]) for line in lines] == [
        ("POST", "/consentkit/consent"), ("GET", "/")]
    assert {line["retention"] for line in lines} == {"access-log-3m"}
    assert "203.0.113.77" not in json.dumps(lines)
    assert lines[0]["ip"].startswith("203.0.113.0")


def test_cookie_secure_only_off_on_local_plain_http() -> None:
    assert shop.consent_options("http://127.0.0.1:8000")["cookie_secure"] is False
    options = shop.consent_options("https://tea.example", secret_key="a-production-secret")
    assert options["cookie_secure"] is True


def test_without_a_secret_key_a_public_deployment_refuses_to_start(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("SHOP_SECRET_KEY", raising=False)
    app = shop.create_app("https://tea.example")
    with pytest.raises(ConfigError, match="secret_key"), TestClient(app):
        pass  # start-up (the lifespan) fails before the first request
