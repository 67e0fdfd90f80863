"""The FastAPI consent dependency and the Jinja helpers for Jinja2Templates."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse
from starlette.templating import Jinja2Templates
from starlette.testclient import TestClient

from consentkit import ConsentMiddleware
from consentkit.starlette_helpers import ConsentDep, install_jinja_helpers

from .conftest import BASE_URL, POLICY, SECRET

PAGE = """<html><head></head><body>
{{ consent_script("marketing", src="https://connect.facebook.net/en_US/fbevents.js") }}
<p id="allows">{{ consent_allows("marketing") }}</p>
<ul>{% for section in cookie_table().sections %}{% for cookie in section.cookies %}
<li>{{ cookie.name }} ({{ section.name }}, {{ cookie.lifetime }})</li>{% endfor %}{% endfor %}</ul>
</body></html>"""


def templated_app(tmp_path: Path, with_middleware: bool = True) -> FastAPI:
    (tmp_path / "page.html").write_text(PAGE)
    templates = Jinja2Templates(directory=str(tmp_path))
    install_jinja_helpers(templates, POLICY)
    app = FastAPI()

    @app.get("/page", response_class=HTMLResponse)
    def page(request: Request) -> HTMLResponse:
        return templates.TemplateResponse(request, "page.html")

    @app.get("/who")
    def who(consent: ConsentDep) -> dict[str, bool]:
        return {"marketing": consent.allows("marketing")}

    if with_middleware:
        app.add_middleware(ConsentMiddleware, secret_key=SECRET, policy=POLICY,
                           cookie_secure=False, rewrite_html=False, inject_banner=False)
    return app


def test_templates_hold_back_and_list_the_policys_cookies(tmp_path: Path) -> None:
    client = TestClient(templated_app(tmp_path), base_url=BASE_URL)
    before = client.get("/page").text
    assert ('<script type="text/plain" data-consentkit="marketing" data-consentkit-src='
            '"https://connect.facebook.net/en_US/fbevents.js"></script>') in before
    assert '<p id="allows">False</p>' in before
    assert "<li>locale (preferences, 1 year)</li>" in before
    assert "<li>consentkit (necessary," in before
    client.post("/consentkit/consent", json={"categories": ["marketing"]})
    after = client.get("/page").text
    assert '<script src="https://connect.facebook.net/en_US/fbevents.js"></script>' in after
    assert '<p id="allows">True</p>' in after


def test_consent_dependency(tmp_path: Path) -> None:
    client = TestClient(templated_app(tmp_path), base_url=BASE_URL)
    assert client.get("/who").json() == {"marketing": False}
    client.post("/consentkit/consent", json={"categories": ["marketing"]})
    assert client.get("/who").json() == {"marketing": True}


def test_without_the_middleware_the_dependency_says_what_is_missing(tmp_path: Path) -> None:
    client = TestClient(templated_app(tmp_path, with_middleware=False))
    with pytest.raises(RuntimeError, match="ConsentMiddleware"):
        client.get("/who")
    # Templates still render: only what cannot be refused counts as allowed.
    assert '<p id="allows">False</p>' in client.get("/page").text
