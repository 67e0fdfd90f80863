"""The same lines through the WSGI adapter (Flask), flushed by ``close()``."""

from __future__ import annotations

from flask import Flask, Response

from consentkit.wsgi import ConsentMiddleware

from .conftest import SECRET, collecting_logger


def test_flask_requests_are_logged_like_asgi_ones() -> None:
    logger, collector = collecting_logger()
    app = Flask(__name__)

    @app.get("/page")
    def page() -> Response:
        return Response("flask page", mimetype="text/plain")

    @app.get("/fail")
    def fail() -> str:
        raise RuntimeError("boom")

    middleware = ConsentMiddleware(app.wsgi_app, secret_key=SECRET, access_log=logger)
    app.wsgi_app = middleware  # type: ignore[method-assign]
    client = app.test_client()
    # As a WSGI server does, the response iterable is read and closed.
    with client.get("/page?secret=1",
                    environ_base={"REMOTE_ADDR": "198.51.100.200"}) as response:
        assert response.status_code == 200
        assert response.data == b"flask page"
    with client.get("/fail") as response:
        assert response.status_code == 500
    middleware.close()
    first, second = collector.objects
    assert (first["path"], first["status"], first["ip"]) == ("/page", 200, "198.51.100.0/24")
    assert first["bytes"] == len(b"flask page")
    assert second["status"] == 500
    assert "198.51.100.200" not in collector.lines[0]
