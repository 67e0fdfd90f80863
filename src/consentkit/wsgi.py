"""The WSGI adapter (PEP 3333): ``app.wsgi_app = ConsentMiddleware(app.wsgi_app, ...)``.

A thin translation of WSGI into calls on :class:`~consentkit.engine.Engine`; every
decision is the engine's. Per-request state lives in a :class:`_Response` built for the
request, never on the middleware.

- ``start_response`` keeps PEP 3333's ``exc_info`` semantics: a second call without it is
  an error, a call with it re-raises once the headers have gone out (the server decides).
- Bodies are streamed chunk by chunk through the engine's body filter; a list or tuple
  body (its whole length known) gets an exact ``Content-Length`` again.
- ``close()`` of the app's iterable is always called, also when the client goes away or
  the filter raises; the access log is written from ``close()``, after the last byte.
- A ``wsgi.file_wrapper`` body is passed through untouched (the server may ``sendfile``
  it); only its headers are judged.
- WSGI has no lifespan: the engine starts on the first request and is shut down (the
  access log flushed) at interpreter exit, or earlier with :meth:`ConsentMiddleware.close`.
"""

from __future__ import annotations

import atexit
import weakref
from collections.abc import Callable, Iterable, Iterator
from http import HTTPStatus
from typing import TYPE_CHECKING, Unpack

from .consent import Consent
from .engine import Engine, Exchange, ResponsePlan
from .http import Headers, RequestInfo
from .options import ConsentOptions
from .settings import Settings

if TYPE_CHECKING:
    from _typeshed import OptExcInfo
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

    from .endpoint import Route

StrHeaders = list[tuple[str, str]]
Write = Callable[[bytes], object]

ENVIRON_KEY = "consentkit.consent"
_READ_SIZE = 65_536


class ConsentMiddleware:
    """Holds back non-essential cookies and trackers until the visitor consents.

    Takes the options of :class:`~consentkit.settings.Settings` as keyword arguments;
    a bad one raises :class:`~consentkit.errors.ConfigError` here, at start-up. The
    visitor's consent is put on ``environ["consentkit.consent"]``.
    """

    def __init__(self, app: WSGIApplication, **options: Unpack[ConsentOptions]) -> None:
        self.app = app
        self.engine = Engine(Settings(**options))
        atexit.register(_shutdown, weakref.ref(self.engine))

    def close(self) -> None:
        """Flush the access log and close what the engine opened (also done at exit)."""
        self.engine.shutdown()

    def __call__(
        self, environ: WSGIEnvironment, start_response: StartResponse
    ) -> Iterable[bytes]:
        engine = self.engine
        # A first visit (no cookie) that the app answers takes the quick path: no request
        # object, no headers read beyond the two in the environ the engine asks about,
        # and no exchange unless its response needs the engine's judgement. With an
        # access log every request has its exchange (the log line is its last act).
        consent = None
        if engine.access_log is None and not environ.get("HTTP_COOKIE"):
            # The engine is given the only request header its check reads besides the
            # Cookie that is not there.
            path = environ.get("PATH_INFO", "")
            sec_gpc = environ.get("HTTP_SEC_GPC")
            consent = engine.first_visit(
                path if path.isascii() else _unicode_path(path),
                () if sec_gpc is None else [(b"sec-gpc", sec_gpc.encode("latin-1"))])
        if consent is None:
            return self._exchange(environ, environ_headers(environ), start_response)
        environ[ENVIRON_KEY] = consent
        quick = _FirstVisit(engine, consent, environ, start_response)
        try:
            result = self.app(environ, quick.start_response)
        except BaseException:
            if quick.response is not None:
                quick.response.finish(0)  # nothing was sent: the server answers 500
            raise
        response = quick.response
        if response is None:
            if quick.passed:
                quick.returned = True
                return result  # the start went out as the app sent it; the body does too
            # The app starts its response when its body is first pulled.
            response = quick.hand_over()
        return self._respond(environ, response, result)

    def _exchange(self, environ: WSGIEnvironment, request_headers: Headers,
                  start_response: StartResponse) -> Iterable[bytes]:
        """Every request but a quick first visit: the engine's exchange from the start."""
        exchange = self.engine.begin(request_info(environ, request_headers))
        environ[ENVIRON_KEY] = exchange.consent
        route = exchange.intercept()
        if route is not None:
            return _answer(exchange, route, environ, start_response)
        response = _Response(self.engine, exchange, exchange.consent, environ,
                             start_response)
        try:
            result = self.app(environ, response.start_response)
        except BaseException:
            exchange.finish(500, 0)  # nothing was sent: the server answers 500
            raise
        return self._respond(environ, response, result)

    def _respond(self, environ: WSGIEnvironment, response: _Response,
                 result: Iterable[bytes]) -> Iterable[bytes]:
        """The body for the server, once the app has returned its iterable."""
        wrapper = environ.get("wsgi.file_wrapper")
        if isinstance(wrapper, type) and isinstance(result, wrapper):
            return response.pass_through(result)
        plan = response.plan
        if response.forwarded and (plan is None or plan.body_filter is None):
            # The headers are out and there is nothing to rewrite: the app's own iterable,
            # counted only when there is an access log to write when it is closed.
            response.untouched = True
            exchange = response.exchange
            if exchange is None or self.engine.access_log is None:
                return result
            return _Finishing(result, exchange, response.status, response)
        return _Body(response, result)


def _shutdown(engine_ref: weakref.ref[Engine]) -> None:
    engine = engine_ref()
    if engine is not None:
        engine.shutdown()


def request_info(environ: WSGIEnvironment, headers: Headers | None = None) -> RequestInfo:
    """The engine's view of a WSGI request (latin-1 strings become bytes here);
    ``headers`` are the environ's, when :func:`environ_headers` has already read them."""
    if headers is None:
        headers = environ_headers(environ)
    address = environ.get("REMOTE_ADDR")
    client: tuple[str, int] | None = None
    if address:
        port = environ.get("REMOTE_PORT") or "0"
        if port.__class__ is not str:
            port = str(port)
        client = (address, int(port) if port.isdigit() else 0)
    path = environ.get("PATH_INFO", "")
    root = environ.get("SCRIPT_NAME", "")
    query = environ.get("QUERY_STRING")
    return RequestInfo(
        environ.get("REQUEST_METHOD", "GET"),
        path if path.isascii() else _unicode_path(path),
        headers,
        query.encode("latin-1") if query else b"",
        client,
        environ.get("wsgi.url_scheme", "http"),
        root if root.isascii() else _unicode_path(root),
    )


def environ_headers(environ: WSGIEnvironment) -> Headers:
    """The request headers of a WSGI environ, ASGI-style (``HTTP_HOST`` -> ``b"host"``).
    Which keys are headers is remembered by the environ's keys: a server builds the
    environs of its requests alike."""
    layout = _LAYOUTS.get(tuple(environ))
    if layout is None:
        layout = _layout(environ)
    pairs, host_from_server = layout
    headers: Headers = []
    for key, name in pairs:
        value = environ[key]
        if value:
            headers.append((name, value.encode("latin-1")))
    if host_from_server:
        headers.append((b"host", f"{environ['SERVER_NAME']}:{environ.get('SERVER_PORT', '')}"
                        .rstrip(":").encode("latin-1")))
    return headers


#: An environ's keys -> the keys that are headers with their names, and whether the Host
#: header comes from SERVER_NAME (bounded: cleared when full).
_LAYOUTS: dict[tuple[str, ...], tuple[tuple[tuple[str, bytes], ...], bool]] = {}


def _layout(environ: WSGIEnvironment) -> tuple[tuple[tuple[str, bytes], ...], bool]:
    names = _HEADER_NAMES
    pairs: list[tuple[str, bytes]] = []
    for key in environ:
        name = names.get(key)
        if name is None:
            name = _header_name(key)
        if name:
            pairs.append((key, name))
    layout = (tuple(pairs), "HTTP_HOST" not in environ and "SERVER_NAME" in environ)
    if len(_LAYOUTS) >= 256:
        _LAYOUTS.clear()
    _LAYOUTS[tuple(environ)] = layout
    return layout


#: Environ key -> header name, ``b""`` for a key that is no header (``wsgi.input``...).
_HEADER_NAMES: dict[str, bytes] = {
    "CONTENT_TYPE": b"content-type", "CONTENT_LENGTH": b"content-length"}


def _header_name(key: str) -> bytes:
    """``HTTP_ACCEPT_LANGUAGE`` -> ``b"accept-language"`` (``b""`` for a key that is not a
    header), remembered for the keys servers send (a bounded table)."""
    name = key[5:].replace("_", "-").lower().encode("latin-1") if key[:5] == "HTTP_" else b""
    if len(_HEADER_NAMES) < 1024:
        _HEADER_NAMES[key] = name
    return name


def _unicode_path(value: str) -> str:
    """WSGI paths are bytes decoded as latin-1; ASGI's (and the engine's) are UTF-8."""
    if value.isascii():
        return value
    try:
        return value.encode("latin-1").decode("utf-8")
    except UnicodeError:
        return value


def status_line(status: int) -> str:
    try:
        return f"{status} {HTTPStatus(status).phrase}"
    except ValueError:
        return f"{status} Unknown"


def to_wsgi_headers(headers: Headers) -> StrHeaders:
    return [(key.decode("latin-1"), value.decode("latin-1")) for key, value in headers]


def from_wsgi_headers(headers: StrHeaders) -> Headers:
    names = _RESPONSE_NAMES
    out: Headers = []
    for key, value in headers:
        name = names.get(key)
        if name is None:
            name = key.lower().encode("latin-1")
            if len(names) < 512:
                names[key] = name
        out.append((name, value.encode("latin-1")))
    return out


_RESPONSE_NAMES: dict[str, bytes] = {}


# -- routes the engine answers -------------------------------------------------------------


def _answer(
    exchange: Exchange, route: Route, environ: WSGIEnvironment, start_response: StartResponse
) -> Iterable[bytes]:
    body = read_body(environ, route.max_body) if route.needs_body else b""
    reply = exchange.answer(route, body)
    start_response(status_line(reply.status), to_wsgi_headers(reply.headers))
    return _Finishing([reply.body] if reply.body else [], exchange, reply.status)


def read_body(environ: WSGIEnvironment, limit: int) -> bytes:
    """Read the request body, at most ``limit + 1`` bytes (enough to know it is too long),
    never past ``CONTENT_LENGTH`` (PEP 3333: reading further may block)."""
    stream = environ.get("wsgi.input")
    if stream is None:
        return b""
    raw_length = str(environ.get("CONTENT_LENGTH") or "").strip()
    if raw_length.isdigit():
        wanted = min(int(raw_length), limit + 1)
    elif environ.get("wsgi.input_terminated"):
        wanted = limit + 1  # chunked upload; the server marks the end of the stream
    else:
        return b""
    chunks: list[bytes] = []
    while wanted > 0:
        chunk = stream.read(min(wanted, _READ_SIZE))
        if not chunk:
            break
        chunks.append(chunk)
        wanted -= len(chunk)
    return b"".join(chunks)


class _Finishing:
    """A body that tells the exchange when it is done (for the access log): the engine's
    own reply, or an app's body that goes out as it is. ``close()`` closes the wrapped
    body (when it has a ``close``) and then finishes the exchange, once."""

    __slots__ = ("body", "exchange", "finished", "response", "sent", "status")

    def __init__(self, body: Iterable[bytes], exchange: Exchange, status: int,
                 response: _Response | None = None) -> None:
        self.body, self.exchange, self.status, self.response = body, exchange, status, response
        self.sent = 0
        self.finished = False

    def __iter__(self) -> Iterator[bytes]:
        for chunk in self.body:
            self.sent += len(chunk)
            yield chunk

    def close(self) -> None:
        if self.finished:
            return
        self.finished = True
        try:
            close_body = getattr(self.body, "close", None)
            if close_body is not None:
                close_body()
        finally:
            # A start_response() with exc_info may have changed the status meanwhile.
            status = self.response.status if self.response is not None else self.status
            self.exchange.finish(status, self.sent)


# -- responses of the app -------------------------------------------------------------------


class _FirstVisit:
    """``start_response`` of a first visit: a start that the engine says passes goes out
    as the app sent it; any other hands the response over to a :class:`_Response`."""

    __slots__ = ("consent", "engine", "environ", "passed", "response", "returned",
                 "start_next")

    def __init__(self, engine: Engine, consent: Consent, environ: WSGIEnvironment,
                 start_response: StartResponse) -> None:
        self.engine, self.consent, self.environ = engine, consent, environ
        self.start_next = start_response
        self.response: _Response | None = None  # once the response needs more than passes()
        self.passed = self.returned = False

    def start_response(
        self, status: str, headers: StrHeaders, exc_info: OptExcInfo | None = None
    ) -> Write:
        response = self.response
        if response is None:
            if exc_info is None and not self.passed and self.engine.passes_text(
                self.consent, headers
            ):
                self.passed = True
                return self.start_next(status, headers)  # as the app sent it
            response = self.hand_over()
        return response.start_response(status, headers, exc_info)

    def hand_over(self) -> _Response:
        response = self.response = _Response(
            self.engine, None, self.consent, self.environ, self.start_next)
        # A second start (exc_info): the first is with the server already, and the body
        # too once the app has returned it.
        response.started = response.forwarded = self.passed
        response.untouched = self.returned
        return response


class _Response:
    """One response of the app: applies the engine's judgement to ``start_response`` and
    to the body. The real ``start_response`` is called at once unless the body is to be
    rewritten; then it waits until the body's kind (list, stream, file) is known.

    On the quick path (a first visit) there is no exchange: a start that the engine says
    passes goes out as the app sent it, and any other begins the exchange there and then.
    ``plan`` is ``None`` for a start that goes out as the app sent it."""

    __slots__ = ("app_headers", "consent", "engine", "environ", "exchange", "forwarded",
                 "plan", "start_next", "started", "status", "status_text",
                 "untouched", "write_next")

    def __init__(self, engine: Engine, exchange: Exchange | None, consent: Consent,
                 environ: WSGIEnvironment, start_response: StartResponse) -> None:
        self.engine, self.exchange, self.consent = engine, exchange, consent
        self.environ = environ
        self.start_next = start_response
        self.plan: ResponsePlan | None = None
        self.started = False
        self.status = 500
        self.status_text = ""
        self.app_headers: StrHeaders = []
        self.forwarded = False
        # The app's body goes out as it is (no filter in between): a later start (with
        # exc_info) is judged for its headers only.
        self.untouched = False
        self.write_next: Write | None = None

    def start_response(
        self, status: str, headers: StrHeaders, exc_info: OptExcInfo | None = None
    ) -> Write:
        if exc_info is None:
            if self.started:
                raise RuntimeError("start_response() called twice without exc_info (PEP 3333)")
            plan = self._judge(status, headers)
            if plan is None or plan.body_filter is None:
                self._forward(None)
            return self.write
        try:
            plan = self._judge(status, headers)
            if self.forwarded:
                # Replacing headers already given to the server: it re-raises exc_info
                # if they are on the wire, as PEP 3333 asks.
                self._forward(exc_info)
            elif plan is None or plan.body_filter is None:
                self._forward(None)
        finally:
            exc_info = None  # PEP 3333: no reference cycle through the traceback
        return self.write

    def _judge(self, status: str, headers: StrHeaders) -> ResponsePlan | None:
        code = _STATUS_CODES.get(status)
        if code is None:
            code = _status_code(status)
        self.started = True
        self.status, self.status_text, self.app_headers = code, status, headers
        judged = from_wsgi_headers(headers)
        exchange = self.exchange
        if exchange is None:
            if self.engine.passes(self.consent, judged):
                self.plan = None
                return None
            self.exchange = exchange = self.engine.begin(
                request_info(self.environ))
        self.plan = plan = exchange.judge(code, judged, rewrite_body=not self.untouched)
        return plan

    def _forward(self, exc_info: OptExcInfo | None, headers: Headers | None = None) -> None:
        plan = self.plan
        if headers is None and (plan is None or not plan.changed):
            out = self.app_headers
        else:
            assert plan is not None
            out = to_wsgi_headers(plan.headers if headers is None else headers)
        self.forwarded = True
        if exc_info is not None:
            self.write_next = self.start_next(self.status_text, out, exc_info)
        else:
            self.write_next = self.start_next(self.status_text, out)

    def _require_started(self) -> None:
        if not self.started:
            raise RuntimeError("the application did not call start_response() (PEP 3333)")

    def _filter(self) -> ResponsePlan | None:
        """The plan whose body filter the body goes through (``None``: none), once the
        app has started its response; the start goes out now if it has not yet."""
        self._require_started()
        if not self.forwarded:
            self._forward(None)
        plan = self.plan
        return plan if plan is not None and plan.body_filter is not None else None

    def write(self, data: bytes) -> None:
        """The legacy ``write()`` callable: rewritten and sent at once."""
        plan = self._filter()
        out = plan.rewrite(data, last=False) if plan is not None else data
        if out and self.write_next is not None:
            self.write_next(out)

    def pass_through(self, result: Iterable[bytes]) -> Iterable[bytes]:
        """A ``wsgi.file_wrapper`` body goes out untouched; only its headers are judged."""
        self._require_started()
        self.untouched = True
        if not self.forwarded:
            self._judge(self.status_text, self.app_headers)
            self._forward(None)
        self.finish(_declared_length(self.app_headers))
        return result

    def finish(self, sent: int) -> None:
        """Tell the exchange (if the response had one) that the response is done."""
        if self.exchange is not None:
            self.exchange.finish(self.status if self.started else 500, sent)


_STATUS_CODES: dict[str, int] = {}


def _status_code(status: str) -> int:
    """``"404 Not Found"`` -> 404 (500 for a malformed status), remembered (bounded)."""
    code = status[:3]
    value = int(code) if code.isdigit() else 500
    if len(_STATUS_CODES) < 256:
        _STATUS_CODES[status] = value
    return value


def _declared_length(headers: StrHeaders) -> int:
    for key, value in headers:
        if key.lower() == "content-length" and value.strip().isdigit():
            return int(value)
    return 0


class _Body:
    """The response body the server iterates: the app's, through the body filter."""

    __slots__ = ("finished", "response", "result", "sent", "stream")

    def __init__(self, response: _Response, result: Iterable[bytes]) -> None:
        self.response = response
        self.result = result
        self.sent = 0
        self.finished = False
        self.stream: Iterator[bytes] | None = None

    def __iter__(self) -> Iterator[bytes]:
        self.stream = self._chunks()
        return self.stream

    def _chunks(self) -> Iterator[bytes]:
        response, result = self.response, self.result
        plan = response.plan
        whole = isinstance(result, (list, tuple)) and not response.forwarded
        if whole and plan is not None and plan.body_filter is not None:
            yield from self._whole(response, plan, result)  # type: ignore[arg-type]
            return
        for chunk in result:
            plan = response._filter()
            if plan is not None:
                chunk = plan.rewrite(chunk, last=False)
            self.sent += len(chunk)
            yield chunk
        plan = response._filter()
        if plan is not None:
            tail = plan.rewrite(b"", last=True)
            if tail:
                self.sent += len(tail)
                yield tail

    def _whole(
        self, response: _Response, plan: ResponsePlan, result: list[bytes] | tuple[bytes, ...]
    ) -> Iterator[bytes]:
        """A body whose every chunk is at hand: rewritten at once, exact Content-Length."""
        out = plan.rewrite(b"".join(result), last=True)
        response._forward(None, plan.headers_with_length(len(out)))
        self.sent = len(out)
        if out:
            yield out

    def close(self) -> None:
        try:
            if self.stream is not None:
                close_stream = getattr(self.stream, "close", None)
                if close_stream is not None:
                    close_stream()
        finally:
            try:
                close_result = getattr(self.result, "close", None)
                if close_result is not None:
                    close_result()
            finally:
                if not self.finished:
                    self.finished = True
                    self.response.finish(self.sent)
