"""The client-side rules travel once, as a cached script, not inside every page."""

from __future__ import annotations

import json
import re

from starlette.applications import Starlette
from starlette.responses import HTMLResponse
from starlette.routing import Route
from starlette.testclient import TestClient

from consentkit import ConsentMiddleware, Policy, TrackerRule

PAGE = "<!doctype html><html><head><title>t</title></head><body>hi</body></html>"


def client(policy: Policy | None = None) -> TestClient:
    app = Starlette(routes=[Route("/", lambda request: HTMLResponse(PAGE))])
    app.add_middleware(ConsentMiddleware, secret_key="rules-secret-123", policy=policy)
    return TestClient(app)


def test_pages_reference_a_versioned_rules_script_and_carry_no_rules() -> None:
    page = client().get("/").text
    src = re.search(r'<script src="(/consentkit/static/rules\.js\?v=[0-9a-f]+)" defer>', page)
    assert src is not None
    config = re.search(r'id="consentkit-config">(.*?)</script>', page, re.S)
    assert config is not None and "rules" not in json.loads(config.group(1))
    assert page.index("rules.js") < page.index("consentkit.js")
    assert len(page) < 8_000


def test_the_rules_script_holds_the_policy_and_the_catalogue() -> None:
    policy = Policy(trackers=[TrackerRule("cdn.chat.example", "preferences", kind="script")])
    response = client(policy).get("/consentkit/static/rules.js")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/javascript")
    assert "max-age" in response.headers["cache-control"]
    body = response.text
    assert body.startswith("window.consentkitRules=")
    rules = json.loads(body[len("window.consentkitRules="):].rstrip().rstrip(";"))
    hosts = {rule["host"] for rule in rules["trackers"]}
    assert {"cdn.chat.example", "connect.facebook.net"} <= hosts
    names = {rule.get("name") for rule in rules["cookies"]}
    assert "_ga" in names
    # Rules of categories that cannot be refused are not needed in the browser.
    assert all(rule["category"] != "necessary" for rule in rules["cookies"])
