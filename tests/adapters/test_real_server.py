"""The Flask extension behind a real WSGI server (werkzeug) on 127.0.0.1, over HTTP."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import httpx
import pytest
from werkzeug.serving import make_server

from .conftest import POLICY, SECRET, flask_app, set_cookie_names


@pytest.fixture
def base_url() -> Iterator[str]:
    app = flask_app(secret_key=SECRET, policy=POLICY, cookie_secure=False)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(5)
        server.server_close()


def test_consent_flow_over_real_http(base_url: str) -> None:
    with httpx.Client(base_url=base_url, timeout=10) as client:
        before = client.get("/")
        assert set_cookie_names(before) == ["session", "csrftoken"]
        page = client.get("/page")
        assert "/consentkit/static/consentkit.js" in page.text
        assert ' src="https://www.googletagmanager.com' not in page.text
        recorded = client.post("/consentkit/consent", json={"categories": ["analytics"]},
                               headers={"origin": base_url})
        assert recorded.status_code == 200
        after = client.get("/")
        assert set_cookie_names(after) == ["session", "csrftoken", "_ga"]
        assert after.json()["allows_analytics"] is True
        assert ' src="https://www.googletagmanager.com' in client.get("/page").text


def test_streamed_page_over_real_http(base_url: str) -> None:
    with httpx.Client(base_url=base_url, timeout=10) as client, \
            client.stream("GET", "/stream") as response:
        body = b"".join(response.iter_bytes()).decode()
        assert "_fbp" not in set_cookie_names(response)
    assert "data-consentkit-src=\"https://www.facebook.com/tr" in body
    assert body.endswith("</body></html>")


def test_static_asset_over_real_http(base_url: str) -> None:
    with httpx.Client(base_url=base_url, timeout=10) as client:
        script = client.get("/consentkit/static/consentkit.js",
                            headers={"accept-encoding": "gzip"})
        assert script.status_code == 200 and "consentkit" in script.text
