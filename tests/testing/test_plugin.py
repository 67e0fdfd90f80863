"""The pytest plugin, run with pytester in a fresh pytest process."""

from __future__ import annotations

from importlib.metadata import entry_points
from pathlib import Path

import pytest

SRC = str(Path(__file__).resolve().parents[2] / "src")


def _plugin_args() -> tuple[str, ...]:
    """An installed consentkit registers the plugin through its ``pytest11`` entry point;
    a source checkout on ``PYTHONPATH`` has to name it."""
    found = entry_points(group="pytest11", name="consentkit")
    return () if found else ("-p", "consentkit.pytest_plugin")


PLUGIN = _plugin_args()

APP = '''
from starlette.applications import Starlette
from starlette.responses import HTMLResponse
from starlette.routing import Route
from consentkit import ConsentMiddleware

async def home(request):
    response = HTMLResponse("<p>home</p>")
    response.set_cookie("_ga", "GA1.1.1")
    response.set_cookie("sessionid", "s")
    return response

async def about(request):
    return HTMLResponse('<script src="https://connect.facebook.net/en_US/fbevents.js"></script>')

def build(guarded):
    app = Starlette(routes=[Route("/", home), Route("/about", about)])
    if guarded:
        app.add_middleware(ConsentMiddleware, secret_key="plugin-secret-123456",
                           cookie_secure=False)
    return app
'''


INI = """
[pytest]
asyncio_default_fixture_loop_scope = function
"""


@pytest.fixture
def project(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> pytest.Pytester:
    monkeypatch.setenv("PYTHONPATH", SRC)
    monkeypatch.delenv("CONSENTKIT_SECRET_KEY", raising=False)
    pytester.makeini(INI)
    pytester.makepyfile(siteapp=APP)
    pytester.syspathinsert()
    return pytester


def test_one_line_check_passes_behind_the_middleware(project: pytest.Pytester) -> None:
    project.makepyfile(test_site='''
        from siteapp import build

        def test_nothing_before_consent(consentkit):
            consentkit.check_app(build(guarded=True), ["/", "/about"])
    ''')
    result = project.runpytest(*PLUGIN)
    result.assert_outcomes(passed=1)


def test_one_line_check_fails_naming_cookie_tag_rule_and_request(
    project: pytest.Pytester,
) -> None:
    project.makepyfile(test_site='''
        from starlette.testclient import TestClient
        from siteapp import build

        def test_nothing_before_consent(consentkit):
            consentkit.check_paths(TestClient(build(guarded=False)), ["/", "/about"])
    ''')
    result = project.runpytest(*PLUGIN)
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines([
        '*Set-Cookie "_ga" (analytics, by exact "_ga" (catalogue, Google Analytics)) '
        "from GET http://testserver/",
        '*<script src="https://connect.facebook.net/en_US/fbevents.js">*(marketing, by script '
        '"connect.facebook.net" (catalogue, Meta)) in GET http://testserver/about',
    ])
    assert "sessionid" not in result.stdout.str()


def test_consent_cookie_fixture_uses_the_ini_secret(project: pytest.Pytester) -> None:
    project.makeini(INI + "consentkit_secret_key = plugin-secret-123456\n")
    project.makepyfile(test_site='''
        from starlette.testclient import TestClient
        from siteapp import build

        def test_granted_analytics(consent_cookie, consentkit):
            client = TestClient(build(guarded=True))
            client.cookies.update(consent_cookie(["analytics"]))
            response = client.get("/")
            assert "_ga" in response.cookies
            consentkit.assert_no_cookies_outside(response, granted=["analytics"])

        def test_refused(consent_cookie):
            client = TestClient(build(guarded=True))
            client.cookies.update(consent_cookie())
            assert "_ga" not in client.get("/").cookies
    ''')
    result = project.runpytest(*PLUGIN)
    result.assert_outcomes(passed=2)


def test_settings_fixture_can_be_overridden(project: pytest.Pytester) -> None:
    project.makeconftest('''
        import pytest
        from consentkit import Settings

        @pytest.fixture
        def consentkit_settings():
            return Settings(secret_key="another-secret-98765")
    ''')
    project.makepyfile(test_site='''
        from consentkit.consent_cookie import ConsentCodec

        def test_minted_with_the_override(consent_cookie):
            value = consent_cookie("all")["consentkit"]
            known = frozenset({"necessary", "preferences", "analytics", "marketing"})
            assert ConsentCodec(["another-secret-98765"], 60).decode(value, "1", known)
            assert ConsentCodec(["plugin-secret-123456"], 60).decode(value, "1", known) is None
    ''')
    result = project.runpytest(*PLUGIN)
    result.assert_outcomes(passed=1)


def test_loading_the_plugin_imports_no_web_framework(project: pytest.Pytester) -> None:
    project.makepyfile(test_site='''
        import sys

        def test_no_framework_until_a_fixture_is_used():
            loaded = {"starlette", "flask", "fastapi", "httpx", "werkzeug", "consentkit.asgi"}
            assert not loaded & set(sys.modules)

        def test_fixture_works_without_settings(consentkit):
            assert consentkit.settings is None
    ''')
    result = project.runpytest_subprocess(*PLUGIN)
    result.assert_outcomes(passed=2)
