"""The Flask extension: app factories, configuration, per-app state, g.consent, Jinja."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask, Response, g, make_response, render_template_string
from flask.ctx import _AppCtxGlobals

from consentkit import ConfigError, Policy
from consentkit.flask import ConsentKit, current_consent
from consentkit.policy import CookieRule
from consentkit.testing import mint_consent_cookie
from consentkit.wsgi import ConsentMiddleware

from .conftest import SECRET

TEMPLATE = """<!doctype html><html><head><title>t</title>
{{ consent_script("analytics", src="https://www.googletagmanager.com/gtag/js?id=G-1",
                  async=true) }}
{% call consent_script("analytics") %}gtag("config", "G-1");{% endcall %}
</head><body>
<p id="allows">{{ consent_allows("analytics") }}</p>
<iframe {{ consent_attrs("marketing", src="https://www.youtube-nocookie.com/embed/x",
                         vendor="YouTube", title="Video") }}></iframe>
{% for section in cookie_table().sections %}<h2>{{ section.title }}</h2>
{% for cookie in section.cookies %}<code>{{ cookie.name }}</code>{% endfor %}{% endfor %}
</body></html>"""


def create_app(config: dict[str, Any] | None = None, kit: ConsentKit | None = None) -> Flask:
    app = Flask(__name__)
    app.config.update(config or {})
    (kit or ConsentKit(secret_key=SECRET, cookie_secure=False)).init_app(app)

    @app.get("/")
    def home() -> Response:
        response = make_response({"analytics": g.consent.allows("analytics")})
        response.set_cookie("_ga", "1")
        response.set_cookie("session", "1")
        return response

    @app.get("/page")
    def page() -> str:
        return render_template_string(TEMPLATE)

    return app


def test_init_app_wraps_wsgi_app_and_registers_the_extension() -> None:
    kit = ConsentKit(secret_key=SECRET)
    app = create_app(kit=kit)
    assert isinstance(app.wsgi_app, ConsentMiddleware)
    assert ConsentKit.state(app).settings.secret_key == SECRET
    assert not any(isinstance(value, Flask) for value in vars(kit).values())
    with pytest.raises(RuntimeError, match="already"):
        kit.init_app(app)


def test_settings_come_from_app_config_before_the_defaults() -> None:
    kit = ConsentKit(secret_key=SECRET, cookie_name="from_default")
    app = create_app({"CONSENTKIT_COOKIE_NAME": "from_config"}, kit)
    assert app.config["CONSENTKIT_SECRET_KEY"] == SECRET  # setdefault
    client = app.test_client()
    client.post("/consentkit/consent", json={"categories": []})
    assert client.get_cookie("from_config") is not None


def test_secret_key_falls_back_to_the_apps_secret_key() -> None:
    app = create_app({"SECRET_KEY": "the-apps-own-secret"}, ConsentKit(cookie_secure=False))
    assert ConsentKit.state(app).settings.secret_key == "the-apps-own-secret"


def test_bad_configuration_names_the_setting() -> None:
    with pytest.raises(ConfigError, match="CONSENTKIT_COOKIE_NAMME"):
        create_app({"CONSENTKIT_COOKIE_NAMME": "x"})
    with pytest.raises(ConfigError, match="ip_prefix_v4"):
        create_app({"CONSENTKIT_IP_PREFIX_V4": 99})
    with pytest.raises(ConfigError, match="CONSENTKIT_SECRET_KEY"):
        create_app(kit=ConsentKit())
    with pytest.raises(ConfigError, match="cookie_nam"):
        ConsentKit(cookie_nam="x")


def test_two_apps_in_one_process_share_no_state() -> None:
    kit = ConsentKit(cookie_secure=False)
    strict = create_app({"SECRET_KEY": "first-app-secret", "CONSENTKIT_POLICY": Policy()}, kit)
    lenient = create_app({
        "SECRET_KEY": "second-app-secret",
        "CONSENTKIT_POLICY": Policy(cookies=[CookieRule("necessary", name="_ga")]),
        "CONSENTKIT_COOKIE_NAME": "choice",
    }, kit)
    assert ConsentKit.state(strict).engine is not ConsentKit.state(lenient).engine
    first, second = strict.test_client(), lenient.test_client()
    assert [c.split("=")[0] for c in first.get("/").headers.getlist("set-cookie")] == [
        "session"]
    assert [c.split("=")[0] for c in second.get("/").headers.getlist("set-cookie")] == [
        "_ga", "session"]
    # A consent cookie signed for one app means nothing to the other.
    first.set_cookie("choice", mint_consent_cookie("second-app-secret", ["analytics"],
                                                   cookie_name="choice")["choice"])
    first.set_cookie("consentkit", mint_consent_cookie("second-app-secret", ["analytics"])[
        "consentkit"])
    assert first.get("/").json == {"analytics": False}


def test_g_consent_in_views_and_without_the_middleware() -> None:
    app = create_app()
    client = app.test_client()
    client.set_cookie("consentkit", mint_consent_cookie(SECRET, ["analytics"])["consentkit"])
    assert client.get("/").json == {"analytics": True}
    cookie = mint_consent_cookie(SECRET, ["analytics"])["consentkit"]
    with app.test_request_context("/", headers={"Cookie": f"consentkit={cookie}"}):
        assert current_consent().allows("analytics")


def test_jinja_helpers_hold_back_until_consent() -> None:
    app = create_app({"CONSENTKIT_REWRITE_HTML": False, "CONSENTKIT_INJECT_BANNER": False})
    client = app.test_client()
    before = client.get("/page").text
    assert ('<script type="text/plain" data-consentkit="analytics" data-consentkit-src='
            '"https://www.googletagmanager.com/gtag/js?id=G-1" async></script>') in before
    assert ('<script type="text/plain" data-consentkit="analytics">gtag("config", "G-1");'
            "</script>") in before
    assert ('<iframe data-consentkit="marketing" data-consentkit-vendor="YouTube" '
            'data-consentkit-src="https://www.youtube-nocookie.com/embed/x" title="Video">'
            ) in before
    assert '<p id="allows">False</p>' in before
    assert "<code>consentkit</code>" in before  # the consent cookie is declared
    client.post("/consentkit/consent", json={"categories": ["analytics", "marketing"]})
    after = client.get("/page").text
    assert ('<script src="https://www.googletagmanager.com/gtag/js?id=G-1" async></script>'
            in after)
    assert '<script>gtag("config", "G-1");</script>' in after
    assert '<iframe src="https://www.youtube-nocookie.com/embed/x" title="Video">' in after
    assert '<p id="allows">True</p>' in after


def test_g_consent_is_there_for_hooks_views_and_dict_style_access() -> None:
    class AppGlobals(_AppCtxGlobals):
        def greeting(self) -> str:
            return "hello"

    app = Flask(__name__)
    app.app_ctx_globals_class = AppGlobals  # the app's own g class is kept
    seen: dict[str, Any] = {}

    @app.before_request
    def hook() -> None:  # registered before the extension
        seen["hook"] = g.consent.allows("analytics")

    ConsentKit(app, secret_key=SECRET)

    @app.get("/")
    def view() -> Response:
        seen["in"] = "consent" in g
        seen["get"] = g.get("consent") is g.consent
        seen["names"] = list(g)
        seen["greeting"] = g.greeting()  # type: ignore[attr-defined]
        return make_response("ok")

    client = app.test_client()
    client.set_cookie("consentkit", mint_consent_cookie(SECRET, ["analytics"])["consentkit"])
    assert client.get("/").status_code == 200
    assert seen == {"hook": True, "in": True, "get": True, "names": ["consent"],
                    "greeting": "hello"}
    with app.app_context():  # no request: no visitor, no consent
        assert "consent" not in g and g.get("consent") is None
        with pytest.raises(AttributeError):
            g.consent  # noqa: B018
    with app.test_request_context("/"):  # no middleware in front: the engine's reading
        assert g.consent.allows("necessary") and not g.consent.allows("analytics")
