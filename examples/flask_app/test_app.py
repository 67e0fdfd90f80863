"""The Flask example shop keeps its privacy policy: nothing non-essential before consent."""

from __future__ import annotations

import importlib.util
import json
import re
import sqlite3
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from consentkit import ConfigError
from consentkit.flask import ConsentKit
from consentkit.testing import ConsentChecks

HERE = Path(__file__).resolve().parent
PAGES = ["/", "/cart", "/login", "/privacy"]
TRACKER_URLS = ("https://www.googletagmanager.com/gtag/js", "https://connect.facebook.net/",
                "https://www.facebook.com/tr", "https://www.youtube-nocookie.com/embed/")


def load_shop() -> ModuleType:
    spec = importlib.util.spec_from_file_location("flask_example_shop", HERE / "app.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


shop = load_shop()


@pytest.fixture
def app(tmp_path: Path) -> Flask:
    built: Flask = shop.create_app("http://127.0.0.1:5000", data_dir=tmp_path,
                                   access_log=str(tmp_path / "access"))
    return built


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def checks(app: Flask) -> ConsentChecks:
    return ConsentChecks.for_app(app)


def live_trackers(html: str) -> list[str]:
    """Tracker URLs the browser would load: in a src attribute, not held back."""
    return [url for url in TRACKER_URLS if re.search(r'\ssrc="' + re.escape(url), html)]


def cookie_names(response: Any) -> set[str]:
    return {value.split("=", 1)[0] for value in response.headers.getlist("Set-Cookie")}


def csrf(client: FlaskClient) -> str:
    client.get("/")
    cookie = client.get_cookie("csrf_token")
    assert cookie is not None
    return cookie.value


@pytest.mark.parametrize("path", PAGES)
def test_no_cookie_or_tracker_before_consent(client: FlaskClient, checks: ConsentChecks,
                                             path: str) -> None:
    response = client.get(path)
    assert response.status_code == 200
    checks.assert_clean_before_consent(response)
    assert cookie_names(response) <= {"csrf_token"}
    assert live_trackers(response.text) == []
    assert 'data-consentkit-src="https://www.googletagmanager.com/gtag/js' in response.text
    assert "/consentkit/static/consentkit.js" in response.text


def test_every_page_passes_the_scanner_before_consent(client: FlaskClient,
                                                      checks: ConsentChecks) -> None:
    checks.check_paths(client, PAGES)


def test_consent_to_analytics_brings_analytics_and_not_marketing(
    client: FlaskClient, checks: ConsentChecks
) -> None:
    recorded = client.post("/consentkit/consent", json={"categories": ["analytics"]})
    assert recorded.status_code == 200
    response = client.get("/")
    names = cookie_names(response)
    assert "shop_visitor" in names and "_fbp" not in names
    checks.assert_no_cookies_outside(response, ["analytics"])
    checks.assert_no_trackers_outside(response, ["analytics"])
    assert live_trackers(response.text) == ["https://www.googletagmanager.com/gtag/js"]


def test_consent_to_everything_loads_the_pixel_and_the_video(client: FlaskClient) -> None:
    client.post("/consentkit/consent",
                json={"categories": ["preferences", "analytics", "marketing"]})
    response = client.get("/")
    assert {"shop_visitor", "_fbp"} <= cookie_names(response)
    assert len(live_trackers(response.text)) == 4


def test_beacon_is_answered_204_without_the_app_until_analytics(client: FlaskClient,
                                                                app: Flask) -> None:
    assert client.post("/collect", data=b'{"page":"/"}').status_code == 204
    assert app.extensions["shop_visits"] == [0]
    client.post("/consentkit/consent", json={"categories": ["analytics"]})
    assert client.post("/collect", data=b'{"page":"/"}').status_code == 202
    assert app.extensions["shop_visits"] == [1]


def test_language_switcher_cookie_needs_preferences(client: FlaskClient) -> None:
    refused = client.get("/lang/de?next=/cart")
    assert refused.status_code == 303 and refused.headers["Location"] == "/cart?lang=de"
    assert "locale" not in cookie_names(refused)
    assert '<html lang="de">' in client.get(refused.headers["Location"]).text
    client.post("/consentkit/consent", json={"categories": ["preferences"]})
    granted = client.get("/lang/fr?next=//evil.example/")
    assert granted.headers["Location"] == "/?lang=fr"
    assert "Max-Age=31536000" in granted.headers["Set-Cookie"]
    assert '<html lang="fr">' in client.get("/").text


def test_cart_login_and_csrf_are_necessary(client: FlaskClient) -> None:
    token = csrf(client)
    added = client.post("/cart/add", data={"csrf_token": token, "product": "2"})
    assert added.status_code == 303 and "cart" in cookie_names(added)
    assert "Sencha Uji" in client.get("/cart").text
    forged = client.post("/cart/add", data={"csrf_token": "guess", "product": "2"})
    assert forged.status_code == 403
    wrong = client.post("/login", data={"csrf_token": token, "username": "demo",
                                        "password": "nope"})
    assert wrong.status_code == 401
    signed_in = client.post("/login", data={"csrf_token": token, "username": "demo",
                                            "password": "demo"})
    assert "shop_session" in cookie_names(signed_in)
    assert "Signed in as demo" in client.get("/").text


def test_privacy_page_renders_the_policys_cookie_table(client: FlaskClient) -> None:
    page = client.get("/privacy?lang=en").text
    for name in ("shop_session", "csrf_token", "cart", "locale", "shop_visitor", "_ga",
                 "_fbp", "VISITOR_INFO1_LIVE", "consentkit"):
        assert f"<code>{name}</code>" in page
    assert "1 year" in page and "3 months" in page
    assert "Remembers the items you put in your shopping cart" in page


def test_choices_are_receipted_and_the_access_log_keeps_no_full_ip(
    app: Flask, client: FlaskClient, tmp_path: Path
) -> None:
    # buffered: the test client then closes the body at once, as a server does after the
    # last byte; the access log line is written on close().
    address = {"REMOTE_ADDR": "203.0.113.77"}
    client.post("/consentkit/consent", json={"categories": ["analytics"]},
                environ_base=address, buffered=True)
    client.get("/", environ_base=address, buffered=True)
    ConsentKit.state(app).middleware.close()  # what happens at exit: the log is flushed
    with sqlite3.connect(tmp_path / "consentkit-receipts.sqlite3") as db:
        (table,) = db.execute("select name from sqlite_master where type = 'table'").fetchone()
        assert db.execute(f"select count(*) from {table}").fetchone()[0] == 1
    lines = [json.loads(line) for file in tmp_path.glob("access*")
             for line in file.read_text().splitlines()]
    assert [(line["method"], line["path"]) for line in lines] == [
        ("POST", "/consentkit/consent"), ("GET", "/")]
    assert {line["retention"] for line in lines} == {"access-log-3m"}
    assert "203.0.113.77" not in json.dumps(lines)
    assert lines[0]["ip"].startswith("203.0.113.0")


def test_cookies_are_secure_unless_served_over_local_plain_http(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    local = shop.create_app("http://127.0.0.1:5000", data_dir=tmp_path)
    assert ConsentKit.state(local).settings.cookie_secure is False
    monkeypatch.setenv("SHOP_SECRET_KEY", "a-production-secret")
    public = shop.create_app("https://tea.example", data_dir=tmp_path)
    assert ConsentKit.state(public).settings.cookie_secure is True
    assert public.config["SESSION_COOKIE_SECURE"] is True


def test_without_a_secret_key_a_public_deployment_refuses_to_start(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("SHOP_SECRET_KEY", raising=False)
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        shop.create_app("https://tea.example")
