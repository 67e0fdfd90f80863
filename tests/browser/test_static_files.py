"""The shipped assets: every language complete, the size budget as served, the build current.

These run without a browser.
"""

from __future__ import annotations

import gzip
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from browser_support import IN_CI, NPM_INSTALL, node_module_file
from starlette.applications import Starlette
from starlette.testclient import TestClient

from consentkit.asgi import ConsentMiddleware

ROOT = Path(__file__).resolve().parents[2]
I18N = ROOT / "static" / "i18n"
LANGUAGES = ("en", "zh-TW", "zh-CN", "ja", "ko", "de", "fr", "es", "it", "nl", "pt", "pl",
             "sv", "ar")
REQUIRED_KEYS = {
    "title", "description", "privacy_link", "accept_all", "reject_all", "customize", "save",
    "close", "preferences_title", "preferences_description", "always_on", "gpc_honoured",
    "floating_button", "placeholder_title", "placeholder_body", "placeholder_load",
    "cookie_name", "cookie_vendor", "cookie_purpose", "cookie_lifetime", "no_cookies",
    *(f"category_{name}_{part}" for name in ("necessary", "preferences", "analytics",
                                             "marketing") for part in ("title", "description")),
}
BUDGET = 7000


def texts(lang: str) -> dict[str, str]:
    return dict(json.loads((I18N / f"{lang}.json").read_text("utf-8")))


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_language_has_every_text(lang: str) -> None:
    found = texts(lang)
    assert set(found) >= REQUIRED_KEYS
    assert set(found) == set(texts("en"))
    assert all(isinstance(v, str) and v.strip() for v in found.values())


@pytest.mark.parametrize("lang", [lang for lang in LANGUAGES if lang != "en"])
def test_translations_keep_placeholders_and_are_translated(lang: str) -> None:
    english, found = texts("en"), texts(lang)
    for key, value in found.items():
        assert set(re.findall(r"\{\w+\}", value)) == set(re.findall(r"\{\w+\}", english[key]))
    for key in ("title", "description", "accept_all", "reject_all", "preferences_description"):
        assert found[key] != english[key], f"{lang}.{key} is still English"


def served_size(client: TestClient, name: str) -> int:
    response = client.get(f"/consentkit/static/{name}", headers={"accept-encoding": "gzip"})
    assert response.status_code == 200
    assert response.headers["content-encoding"] == "gzip"
    return int(response.headers["content-length"])


def test_script_and_stylesheet_fit_the_budget_as_served() -> None:
    app = ConsentMiddleware(Starlette(), secret_key="budget-secret-0123456789")
    with TestClient(app) as client:
        total = served_size(client, "consentkit.js") + served_size(client, "consentkit.css")
    assert total <= BUDGET
    expected = sum(len(gzip.compress((ROOT / "static" / n).read_bytes(), 9, mtime=0))
                   for n in ("consentkit.js", "consentkit.css"))
    assert total == expected


def test_the_committed_build_is_current() -> None:
    terser = node_module_file("terser/bin/terser")
    if shutil.which("node") is None or not terser.is_file():
        message = f"node and terser are needed ({NPM_INSTALL})"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    done = subprocess.run([sys.executable, str(ROOT / "scripts" / "build_static.py"), "--check"],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
