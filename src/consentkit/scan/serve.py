"""Serve an in-process app on 127.0.0.1 in a background thread (a browser needs a real
URL): uvicorn for ASGI apps, the standard library's ``wsgiref`` for WSGI apps."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, make_server

from ..errors import ConfigError


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def serve_asgi(app: Any, *, startup_timeout_s: float = 10.0) -> Iterator[str]:
    """``http://127.0.0.1:PORT`` serving ``app`` with uvicorn until the block ends."""
    try:
        import uvicorn
    except ImportError:
        raise ConfigError("--browser", "serving an in-process ASGI app needs uvicorn; "
                                       "install it, or start the app and scan its URL") from None
    config = uvicorn.Config(app, host="127.0.0.1", port=free_port(), log_level="warning",
                            lifespan="auto")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="consentkit-scan-server", daemon=True)
    thread.start()
    deadline = time.monotonic() + startup_timeout_s
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise ConfigError("target", "the app could not be served on 127.0.0.1")
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{config.port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        return


@contextmanager
def serve_wsgi(app: Any) -> Iterator[str]:
    """``http://127.0.0.1:PORT`` serving a WSGI ``app`` until the block ends."""
    server = make_server("127.0.0.1", 0, app, handler_class=_QuietHandler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                              name="consentkit-scan-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
