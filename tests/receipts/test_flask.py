"""The same receipts through the Flask extension (WSGI)."""

from __future__ import annotations

from flask import Flask

from consentkit.flask import ConsentKit

from .conftest import SECRET, Backend

VISITOR = {"REMOTE_ADDR": "198.51.100.23", "HTTP_CF_IPCOUNTRY": "US", "HTTP_SEC_GPC": "1"}


def flask_app(backend: Backend) -> Flask:
    app = Flask(__name__)
    app.config.update(CONSENTKIT_COOKIE_SECURE=False, CONSENTKIT_RECEIPTS=backend.store,
                      CONSENTKIT_COUNTRY_HEADERS=["CF-IPCountry"])
    ConsentKit(app, secret_key=SECRET)

    @app.get("/")
    def home() -> str:
        return "home"

    return app


def test_flask_choice_is_stored_with_its_regime_and_signal(backend: Backend) -> None:
    client = flask_app(backend).test_client()
    answer = client.post("/consentkit/consent", json={"categories": ["analytics"]},
                         environ_base=VISITOR)
    assert answer.status_code == 200
    [receipt] = backend.store.by_consent_id(answer.get_json()["id"])
    assert (receipt.regime, receipt.region, receipt.gpc) == ("opt-out", "US", True)
    assert receipt.ip == "198.51.100.0/24"


def test_flask_storage_failure_answers_503_without_cookie(backend: Backend) -> None:
    client = flask_app(backend).test_client()
    backend.drop_table()
    answer = client.post("/consentkit/consent", json={"categories": ["analytics"]},
                         environ_base=VISITOR)
    assert answer.status_code == 503
    assert answer.headers.get("Set-Cookie") is None
