"""The WSGI adapter at the protocol's edges (PEP 3333), called with raw environs.

Each test runs twice: with an engine not yet started, the first request takes the
engine's exchange from the start; once started, a request without cookies (a first
visit) takes the quick path, where the exchange begins only if the response needs it."""

from __future__ import annotations

import io
import json
import logging
import sys
from collections.abc import Callable, Iterable, Iterator
from typing import Any
from wsgiref.util import FileWrapper, setup_testing_defaults

import pytest

from consentkit.wsgi import ConsentMiddleware

from .conftest import SECRET

HTML = b"<html><head><title>t</title></head><body><p>hello</p></body></html>"
PIXEL = b'<img src="https://www.facebook.com/tr?id=1&ev=PageView" alt="">'
StartResponse = Callable[..., Any]
Environ = dict[str, Any]


def environ_for(path: str = "/", method: str = "GET", body: bytes = b"",
                **extra: Any) -> Environ:
    environ: Environ = {"REQUEST_METHOD": method, "PATH_INFO": path,
                        "HTTP_HOST": "shop.test", "wsgi.input": io.BytesIO(body)}
    setup_testing_defaults(environ)
    environ.update(extra)
    return environ


class Server:
    """Records what a WSGI server would be told, and sends headers on the first byte."""

    def __init__(self) -> None:
        self.status: str | None = None
        self.headers: list[tuple[str, str]] = []
        self.headers_sent = False
        self.written: list[bytes] = []
        self.calls = 0

    def start_response(self, status: str, headers: list[tuple[str, str]],
                       exc_info: Any = None) -> Callable[[bytes], None]:
        self.calls += 1
        if exc_info is not None and self.headers_sent:
            raise exc_info[1].with_traceback(exc_info[2])
        self.status, self.headers = status, headers
        return self.write

    def write(self, data: bytes) -> None:
        if data:
            self.headers_sent = True
        self.written.append(data)

    def run(self, app: Callable[..., Iterable[bytes]], environ: Environ) -> bytes:
        result = app(environ, self.start_response)
        try:
            for chunk in result:
                self.write(chunk)
        finally:
            close = getattr(result, "close", None)
            if close is not None:
                close()
        return b"".join(self.written)

    def header_values(self, name: str) -> list[str]:
        return [v for k, v in self.headers if k.lower() == name]

    def cookie_names(self) -> list[str]:
        return [v.split("=", 1)[0] for v in self.header_values("set-cookie")]


class ClosingBody:
    """An app iterable that records whether ``close()`` was called."""

    def __init__(self, chunks: list[bytes]) -> None:
        self.chunks = chunks
        self.closed = False
        self.pulled = 0

    def __iter__(self) -> Iterator[bytes]:
        for chunk in self.chunks:
            self.pulled += 1
            yield chunk

    def close(self) -> None:
        self.closed = True


def html_app(body: Iterable[bytes], extra_headers: list[tuple[str, str]] | None = None
             ) -> Callable[..., Iterable[bytes]]:
    def app(environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        headers = [("Content-Type", "text/html; charset=utf-8"),
                   ("Set-Cookie", "_ga=GA1.1.1; Path=/"),
                   ("Set-Cookie", "session=abc; Path=/; HttpOnly"),
                   *(extra_headers or [])]
        start_response("200 OK", headers)
        return body

    return app


QUICK_PATH = False  # set by the `request_path` fixture


@pytest.fixture(autouse=True, params=["exchange", "quick"])
def request_path(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setattr(sys.modules[__name__], "QUICK_PATH", request.param == "quick")
    return str(request.param)


def wrap(app: Callable[..., Iterable[bytes]], **options: Any) -> ConsentMiddleware:
    middleware = ConsentMiddleware(app, secret_key=SECRET, cookie_secure=False, **options)
    if QUICK_PATH:
        middleware.engine.startup()  # as after a first request
    return middleware


def test_list_body_is_rewritten_with_an_exact_content_length() -> None:
    server = Server()
    body = server.run(wrap(html_app([HTML], [("Content-Length", str(len(HTML)))])),
                      environ_for())
    assert b"consentkit.js" in body
    assert server.header_values("content-length") == [str(len(body))]
    assert server.cookie_names() == ["session"]


def test_generator_body_is_streamed_chunk_by_chunk() -> None:
    app_body = ClosingBody([b"<html><head></head><body>", PIXEL, b"<p>a</p>", b"</body></html>"])
    middleware = wrap(html_app(app_body, [("Content-Length", "999")]))
    server = Server()
    result = middleware(environ_for(), server.start_response)
    iterator = iter(result)
    first = next(iterator)
    assert app_body.pulled == 1  # one chunk in, one chunk out: nothing buffered
    assert b"consentkit.js" in first  # the banner went in at </head>
    assert server.header_values("content-length") == []
    second = next(iterator)
    assert app_body.pulled == 2
    assert b' src="https://www.facebook.com' not in second
    assert b'data-consentkit-src="https://www.facebook.com/tr' in second
    rest = b"".join(iterator)
    result.close()  # type: ignore[attr-defined]
    assert rest.endswith(b"</body></html>") and app_body.closed


def test_close_is_called_when_the_client_goes_away() -> None:
    app_body = ClosingBody([b"<html><body>", b"<p>1</p>", b"<p>2</p>"])
    server = Server()
    result = wrap(html_app(app_body))(environ_for(), server.start_response)
    next(iter(result))
    result.close()  # type: ignore[attr-defined]  # what a server does on a broken pipe
    assert app_body.closed and app_body.pulled == 1


def test_close_is_called_when_the_body_filter_raises() -> None:
    class Exploding:
        def feed(self, chunk: bytes) -> bytes:
            raise RuntimeError("filter broke")

        def close(self) -> bytes:
            return b""

    class Responder:
        def plan(self, request: Any, consent: Any, status: int, headers: Any) -> Any:
            return headers, Exploding()

    app_body = ClosingBody([b"<html>"])
    middleware = wrap(html_app(app_body))
    middleware.engine.html = Responder()
    with pytest.raises(RuntimeError, match="filter broke"):
        Server().run(middleware, environ_for())
    assert app_body.closed


def test_close_is_called_for_untouched_bodies_too() -> None:
    app_body = ClosingBody([b"plain"])

    def app(environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        start_response("200 OK", [("Content-Type", "text/plain")])
        return app_body

    assert Server().run(wrap(app), environ_for()) == b"plain"
    assert app_body.closed


def test_start_response_called_lazily_by_a_generator_app() -> None:
    def app(environ: Environ, start_response: StartResponse) -> Iterator[bytes]:
        start_response("200 OK", [("Content-Type", "text/html"),
                                  ("Set-Cookie", "_fbp=fb.1; Path=/")])
        yield HTML

    server = Server()
    body = server.run(wrap(app), environ_for())
    assert server.status == "200 OK" and b"consentkit.js" in body
    assert server.cookie_names() == []


def replacing_app(first_cookie: str, second_cookie: str, body: bytes,
                  query: str | None = None) -> Callable[..., Iterable[bytes]]:
    """Starts a response, then replaces it with exc_info (for every request, or for
    those with the query string ``query``)."""
    def app(environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        start_response("200 OK", [("Content-Type", "text/plain"),
                                  ("Set-Cookie", first_cookie)])
        if query is None or environ.get("QUERY_STRING") == query:
            try:
                raise ValueError("view failed")
            except ValueError:
                start_response("500 Internal Server Error",
                               [("Content-Type", "text/plain"), ("Set-Cookie", second_cookie)],
                               sys.exc_info())
        return [body]

    return app


def test_exc_info_replaces_headers_not_yet_sent() -> None:
    server = Server()
    assert server.run(wrap(replacing_app("_ga=1; Path=/", "_fbp=1", b"sorry")),
                      environ_for()) == b"sorry"
    assert server.status == "500 Internal Server Error"
    assert server.cookie_names() == []


def test_exc_info_reraises_once_headers_are_sent() -> None:
    def app(environ: Environ, start_response: StartResponse) -> Iterator[bytes]:
        start_response("200 OK", [("Content-Type", "text/plain")])
        yield b"partial"
        try:
            raise ValueError("late failure")
        except ValueError:
            start_response("500 Internal Server Error", [], sys.exc_info())
        yield b"never"

    with pytest.raises(ValueError, match="late failure"):
        Server().run(wrap(app), environ_for())


def test_second_start_response_without_exc_info_is_an_error() -> None:
    def app(environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        start_response("200 OK", [])
        start_response("200 OK", [])
        return []

    with pytest.raises(RuntimeError, match="exc_info"):
        Server().run(wrap(app), environ_for())


def test_legacy_write_callable_is_filtered() -> None:
    def app(environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        write = start_response("200 OK", [("Content-Type", "text/html"),
                                          ("Set-Cookie", "_ga=1; Path=/")])
        write(b"<html><head></head><body>")
        write(PIXEL)
        return [b"</body></html>"]

    server = Server()
    body = server.run(wrap(app), environ_for())
    assert b"consentkit.js" in body and b' src="https://www.facebook.com' not in body
    assert body.endswith(b"</body></html>") and server.cookie_names() == []


def test_file_wrapper_passes_through_untouched() -> None:
    page = io.BytesIO(HTML)
    seen: dict[str, Any] = {}

    def app(environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        start_response("200 OK", [("Content-Type", "text/html"),
                                  ("Content-Length", str(len(HTML))),
                                  ("Set-Cookie", "_ga=1; Path=/")])
        seen["wrapper"] = environ["wsgi.file_wrapper"](page)
        return seen["wrapper"]  # type: ignore[no-any-return]

    server = Server()
    result = wrap(app)(environ_for(**{"wsgi.file_wrapper": FileWrapper}), server.start_response)
    assert result is seen["wrapper"]  # the server may sendfile() it
    assert b"".join(result) == HTML
    assert server.header_values("content-length") == [str(len(HTML))]
    assert server.cookie_names() == []


def test_consent_endpoint_reads_no_further_than_content_length() -> None:
    choice = b'{"categories": ["analytics"]}'
    stream = io.BytesIO(choice + b"NEXT REQUEST ON THE SAME CONNECTION")
    server = Server()
    body = server.run(wrap(html_app([])), environ_for(
        "/consentkit/consent", "POST", CONTENT_TYPE="application/json",
        CONTENT_LENGTH=str(len(choice)), **{"wsgi.input": stream}))
    assert server.status == "200 OK" and b'"analytics"' in body
    assert stream.read() == b"NEXT REQUEST ON THE SAME CONNECTION"


def test_consent_endpoint_stops_reading_past_the_limit() -> None:
    stream = io.BytesIO(b"x" * 100_000)
    server = Server()
    server.run(wrap(html_app([])), environ_for(
        "/consentkit/consent", "POST", CONTENT_TYPE="application/json",
        CONTENT_LENGTH="100000", **{"wsgi.input": stream}))
    assert server.status is not None and server.status.startswith("413")
    assert stream.tell() <= 4097


def test_consent_is_on_the_environ() -> None:
    seen: list[Any] = []

    def app(environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        seen.append(environ["consentkit.consent"])
        start_response("204 No Content", [])
        return []

    Server().run(wrap(app), environ_for())
    assert seen[0].allows("necessary") and not seen[0].allows("analytics")


class Lines(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.lines: list[dict[str, Any]] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(json.loads(record.getMessage()))


def logged(app: Callable[..., Iterable[bytes]], **options: Any
           ) -> tuple[ConsentMiddleware, Lines]:
    logger = logging.getLogger(f"test.access.{id(app)}")
    logger.propagate = False
    logger.setLevel(logging.INFO)
    handler = Lines()
    logger.addHandler(handler)
    return wrap(app, access_log=logger, **options), handler


def test_an_app_that_raises_is_logged_and_the_error_propagates() -> None:
    def app(environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        raise KeyError("boom")

    middleware, handler = logged(app)
    with pytest.raises(KeyError):
        Server().run(middleware, environ_for(REMOTE_ADDR="203.0.113.77"))
    middleware.close()
    assert [(line["status"], line["bytes"]) for line in handler.lines] == [(500, 0)]
    assert "203.0.113.77" not in json.dumps(handler.lines)


def test_access_log_is_written_after_the_last_byte() -> None:
    app_body = ClosingBody([b"<html><body>", b"<p>x</p>", b"</body></html>"])
    middleware, handler = logged(html_app(app_body), inject_banner=False)
    server = Server()
    result = middleware(environ_for(), server.start_response)
    chunks = list(result)
    middleware.close()  # flushes what is queued: nothing yet
    assert handler.lines == []  # not before close()
    result.close()  # type: ignore[attr-defined]
    result.close()  # type: ignore[attr-defined]  # twice is harmless
    middleware.close()
    assert [(line["status"], line["bytes"]) for line in handler.lines] == [
        (200, sum(map(len, chunks)))
    ]


def test_environ_is_translated_like_an_asgi_scope() -> None:
    from consentkit.wsgi import request_info

    raw_path = "/café".encode().decode("latin-1")  # how PEP 3333 hands over UTF-8 bytes
    request = request_info(environ_for(
        raw_path, "POST", CONTENT_TYPE="application/json", CONTENT_LENGTH="2",
        QUERY_STRING="a=1", HTTP_COOKIE="a=1; b=2", HTTP_SEC_GPC="1",
        REMOTE_ADDR="192.0.2.1", REMOTE_PORT="4711", SCRIPT_NAME="/shop"))
    assert request.path == "/café" and request.root_path == "/shop"
    assert request.method == "POST" and request.query_string == b"a=1"
    assert request.client == ("192.0.2.1", 4711)
    assert request.header(b"content-type") == b"application/json"
    assert request.header(b"sec-gpc") == b"1"
    assert request.cookies == {"a": "1", "b": "2"}
    assert request.host == "shop.test"


def text_app(body: Iterable[bytes], cookie: str = "session=abc; Path=/"
             ) -> Callable[..., Iterable[bytes]]:
    def app(environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        start_response("200 OK", [("Content-Type", "text/plain"), ("Set-Cookie", cookie)])
        return body

    return app


def test_untouched_body_is_the_apps_own_iterable() -> None:
    first, second = ClosingBody([b"one"]), ClosingBody([b"two"])
    bodies = iter([first, second])

    def app(environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        return text_app(next(bodies))(environ, start_response)

    middleware = wrap(app)
    for expected in (first, second):  # the second one after the engine has seen the first
        server = Server()
        result = middleware(environ_for(), server.start_response)
        assert result is expected
        assert b"".join(result) == b"".join(expected.chunks)
        result.close()  # type: ignore[attr-defined]
        assert expected.closed and server.cookie_names() == ["session"]


def test_untouched_body_with_an_access_log_is_closed_and_logged() -> None:
    app_body = ClosingBody([b"plain", b" text"])
    middleware, handler = logged(text_app(app_body))
    server = Server()
    assert server.run(middleware, environ_for()) == b"plain text"
    middleware.close()
    assert app_body.closed and server.cookie_names() == ["session"]
    assert [(line["status"], line["bytes"]) for line in handler.lines] == [(200, 10)]


def test_a_start_that_went_out_as_sent_is_judged_again_with_exc_info() -> None:
    app = replacing_app("session=1; Path=/", "_ga=1", b"body", query="fail")
    middleware = wrap(app)
    Server().run(middleware, environ_for())  # the engine now knows this start passes
    server = Server()
    assert server.run(middleware, environ_for(QUERY_STRING="fail")) == b"body"
    assert server.status == "500 Internal Server Error" and server.calls == 2
    assert server.cookie_names() == []


def test_exc_info_after_an_untouched_body_went_out_reraises() -> None:
    def app(environ: Environ, start_response: StartResponse) -> Iterator[bytes]:
        start_response("200 OK", [("Content-Type", "text/plain")])
        yield b"partial"
        if environ.get("QUERY_STRING") == "fail":
            try:
                raise ValueError("late failure")
            except ValueError:
                start_response("500 Internal Server Error",
                               [("Content-Type", "text/html")], sys.exc_info())

    middleware = wrap(app)
    assert Server().run(middleware, environ_for()) == b"partial"
    with pytest.raises(ValueError, match="late failure"):
        Server().run(middleware, environ_for(QUERY_STRING="fail"))


def test_host_comes_from_server_name_without_a_host_header() -> None:
    from consentkit.wsgi import request_info

    environ = environ_for(SERVER_NAME="shop.example", SERVER_PORT="8080")
    del environ["HTTP_HOST"]
    for _ in range(2):  # the second time from what was remembered of this environ's keys
        request = request_info(dict(environ))
        assert request.host == "shop.example:8080"
        assert [key for key, _ in request.headers].count(b"host") == 1
    assert request_info(environ_for(HTTP_ACCEPT="")).header(b"accept") is None


def headers_app(headers: list[tuple[str, str]], body: bytes = b"{}"
                ) -> Callable[..., Iterable[bytes]]:
    def app(environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        start_response("200 OK", list(headers))
        return [body]

    return app


@pytest.mark.parametrize("spelling", ["Set-Cookie", "set-cookie", "SET-COOKIE"])
def test_response_headers_are_judged_alike_however_their_names_are_spelled(
    spelling: str,
) -> None:
    # The first response teaches the engine the names; the next ones are read as text
    # on the quick path and must get the same answer.
    middleware = wrap(headers_app([("Content-Type", "application/json"),
                                   (spelling, "session=abc; Path=/; HttpOnly"),
                                   (spelling, "_fbp=fb.1.2; Path=/"),
                                   (spelling, "_ga=GA1.1.1; Path=/")]))
    for _ in range(3):
        server = Server()
        server.run(middleware, environ_for())
        assert server.cookie_names() == ["session"]


def test_a_response_that_passes_goes_out_with_the_apps_own_headers() -> None:
    headers = [("Content-Type", "application/json"), ("Set-Cookie", "session=abc; Path=/")]
    middleware = wrap(headers_app(headers))
    for _ in range(3):
        server = Server()
        server.run(middleware, environ_for())
        assert server.headers == headers


@pytest.mark.parametrize("content_type", ["text/html; charset=utf-8", "Text/HTML",
                                          "application/xhtml+xml"])
def test_html_is_rewritten_on_every_request_whatever_the_spelling_of_its_type(
    content_type: str,
) -> None:
    middleware = wrap(headers_app([("content-type", content_type)], PIXEL))
    for _ in range(3):
        body = Server().run(middleware, environ_for())
        assert b'data-consentkit-src="https://www.facebook.com/tr' in body


def test_a_header_value_that_is_not_latin_1_is_an_error_of_the_app() -> None:
    middleware = wrap(headers_app([("Set-Cookie", "session=\u20ac; Path=/")]))
    with pytest.raises(UnicodeEncodeError):
        Server().run(middleware, environ_for())


def test_an_empty_cookie_header_is_a_first_visit_and_gpc_is_read_from_the_environ() -> None:
    middleware = wrap(headers_app([("Set-Cookie", "_fbp=fb.1.2; Path=/"),
                                   ("Set-Cookie", "_ga=GA1.1.1; Path=/")]),
                      default_regime="opt-out")
    for _ in range(2):
        plain = Server()
        plain.run(middleware, environ_for(HTTP_COOKIE=""))
        assert plain.cookie_names() == ["_fbp", "_ga"]
        with_gpc = Server()
        with_gpc.run(middleware, environ_for(HTTP_SEC_GPC=" 1 "))
        assert with_gpc.cookie_names() == ["_ga"]
