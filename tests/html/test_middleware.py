"""The HTML layer through the ASGI ConsentMiddleware: headers, streaming, compression,
HEAD, caching and Content-Security-Policy, as a client sees them."""

from __future__ import annotations

import base64
import gzip
import hashlib
import logging
import re
import zlib
from collections.abc import AsyncIterator
from typing import Any

import brotli
import pytest
from starlette.applications import Starlette
from starlette.middleware.gzip import GZipMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response, StreamingResponse
from starlette.routing import Route
from starlette.testclient import TestClient

from consentkit import ConsentMiddleware
from consentkit.html import codecs as body_codecs
from consentkit.html.responder import BROTLI_MISSING
from consentkit.testing import mint_consent_cookie

from .conftest import TEST_POLICY

SECRET = "html-tests-secret-key-0123456789"
GTAG = '<script async src="https://www.googletagmanager.com/gtag/js?id=G-1"></script>'
PIXEL = '<img src="https://www.facebook.com/tr?id=1&amp;ev=PageView" alt="">'
PAGE = (f"<!doctype html><html><head><title>Shop</title>{GTAG}</head>"
        f"<body><p>Hello</p>{PIXEL}</body></html>")
HELD_GTAG = '<script type="text/plain" data-consentkit="analytics" async data-consentkit-src='
CSP_SCRIPT = re.compile(r"<script>(.*?)</script>", re.S)


async def page(request: Request) -> Response:
    return HTMLResponse(PAGE)


async def stream(request: Request) -> Response:
    async def body() -> AsyncIterator[bytes]:
        data = PAGE.encode()
        cut = data.index(b"googletagmanager") + 5  # split inside the tracker's tag
        yield data[:cut]
        yield data[cut:]

    return StreamingResponse(body(), media_type="text/html")


async def with_headers(request: Request) -> Response:
    headers = dict(request.query_params)
    return HTMLResponse(PAGE, headers=headers)


async def json_page(request: Request) -> Response:
    return JSONResponse({"html": PAGE})


async def events(request: Request) -> Response:
    async def body() -> AsyncIterator[bytes]:
        yield f"data: {GTAG}\n\n".encode()

    return StreamingResponse(body(), media_type="text/event-stream")


async def not_modified(request: Request) -> Response:
    return Response(status_code=304, headers={"content-type": "text/html"})


async def deflated(request: Request) -> Response:
    return Response(zlib.compress(PAGE.encode()), media_type="text/html",
                    headers={"content-encoding": "deflate"})


async def brotli_page(request: Request) -> Response:
    return Response(brotli.compress(PAGE.encode()), media_type="text/html",
                    headers={"content-encoding": "br"})


ROUTES = [Route("/", page), Route("/stream", stream), Route("/headers", with_headers),
          Route("/json", json_page), Route("/events", events), Route("/304", not_modified),
          Route("/deflate", deflated), Route("/br", brotli_page)]


def client(*, inner_gzip: bool = False, **options: Any) -> TestClient:
    app = Starlette(routes=ROUTES)
    if inner_gzip:
        app.add_middleware(GZipMiddleware, minimum_size=0)
    options.setdefault("policy", TEST_POLICY)
    app.add_middleware(ConsentMiddleware, secret_key=SECRET, cookie_secure=False, **options)
    return TestClient(app)


def test_whole_body_gets_an_exact_content_length() -> None:
    response = client().get("/")
    assert HELD_GTAG in response.text
    assert 'id="consentkit-config"' in response.text
    assert int(response.headers["content-length"]) == len(response.content)


def test_streamed_body_is_rewritten_without_content_length() -> None:
    response = client().get("/stream")
    assert "content-length" not in response.headers
    assert HELD_GTAG in response.text
    assert response.text.count('id="consentkit-config"') == 1


def test_page_is_private_and_varies_on_cookie() -> None:
    response = client().get("/headers", params={"cache-control": "public, max-age=60"})
    assert response.headers["cache-control"] == "private, max-age=60"
    assert "Cookie" in response.headers["vary"]


def test_app_etag_is_made_specific_to_the_consent_state() -> None:
    test_client = client()
    before = test_client.get("/headers", params={"etag": '"v1"'}).headers["etag"]
    test_client.cookies.update(mint_consent_cookie(SECRET, ["analytics"], policy=TEST_POLICY))
    after = test_client.get("/headers", params={"etag": '"v1"'}).headers["etag"]
    assert before.startswith('W/"v1-ck') and after.startswith('W/"v1-ck')
    assert before != after


def test_granted_category_keeps_its_tags() -> None:
    cookies = mint_consent_cookie(SECRET, ["analytics"], policy=TEST_POLICY)
    test_client = client()
    test_client.cookies.update(cookies)
    response = test_client.get("/")
    assert GTAG in response.text
    assert 'data-consentkit="marketing"' in response.text
    assert '"given":true' in response.text


def test_cache_safe_mode_serves_the_same_bytes_to_everyone() -> None:
    anonymous = client(cache_safe=True)
    consenting = client(cache_safe=True)
    consenting.cookies.update(mint_consent_cookie(SECRET, ["analytics", "marketing"],
                                                  policy=TEST_POLICY))
    first, second = anonymous.get("/"), consenting.get("/")
    assert first.content == second.content
    assert HELD_GTAG in first.text
    assert '"cacheSafe":true' in first.text and '"consent":{' not in first.text
    assert "private" not in first.headers.get("cache-control", "")
    assert "Cookie" not in first.headers.get("vary", "")


@pytest.mark.parametrize("path,query", [
    ("/json", {}), ("/events", {}),
    ("/headers", {"content-disposition": "attachment; filename=page.html"}),
    ("/headers", {"content-type": "text/html; charset=utf-16"}),
    ("/headers", {"content-type": "text/plain"}),
])
def test_bodies_that_are_not_pages_pass_through(path: str, query: dict[str, str]) -> None:
    response = client().get(path, params=query)
    assert b"consentkit-config" not in response.content
    assert b"data-consentkit=" not in response.content


def test_head_request_gets_no_body_and_no_error() -> None:
    response = client().head("/")
    assert response.status_code == 200
    assert response.content == b""


def test_not_modified_passes_through() -> None:
    response = client().get("/304")
    assert response.status_code == 304
    assert response.content == b""


def test_gzip_from_an_inner_compressor_is_decoded_rewritten_and_encoded_again() -> None:
    response = client(inner_gzip=True).get("/", headers={"accept-encoding": "gzip"})
    assert response.headers["content-encoding"] == "gzip"
    assert HELD_GTAG in response.text  # httpx decoded the gzip body we produced
    assert int(response.headers["content-length"]) < len(response.text)


def test_gzip_streamed_through_an_inner_compressor() -> None:
    response = client(inner_gzip=True).get("/stream", headers={"accept-encoding": "gzip"})
    assert response.headers["content-encoding"] == "gzip"
    assert HELD_GTAG in response.text


@pytest.mark.parametrize("path", ["/deflate", "/br"])
def test_deflate_and_brotli_bodies_are_rewritten(path: str) -> None:
    response = client().get(path, headers={"accept-encoding": "gzip, deflate, br"})
    assert HELD_GTAG in response.text
    assert 'id="consentkit-config"' in response.text


def test_brotli_passes_through_with_one_warning_when_the_package_is_missing(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(body_codecs, "_brotli", None)
    test_client = client()
    with caplog.at_level(logging.WARNING, logger="consentkit"):
        first = test_client.get("/br")
        test_client.get("/br")
    assert first.text == PAGE  # passed through, still brotli on the wire
    assert [r.getMessage() for r in caplog.records].count(BROTLI_MISSING) == 1


def test_csp_nonce_is_put_on_every_injected_script() -> None:
    policy = "script-src 'nonce-r4nd0m' 'strict-dynamic'; object-src 'none'"
    response = client().get("/headers", params={"content-security-policy": policy})
    assert response.headers["content-security-policy"] == policy
    scripts = re.findall(r"<script[^>]*>", response.text.split("<title>")[0]
                         + response.text.split("</title>")[1].split("</head>")[0])
    injected = [tag for tag in scripts if "data-consentkit=" not in tag]
    # Consent Mode default, config block, client-side rules, banner script.
    assert len(injected) == 4
    assert all('nonce="r4nd0m"' in tag for tag in injected)


def test_csp_hash_of_the_inline_script_is_added_without_unsafe_inline() -> None:
    response = client().get("/headers", params={"content-security-policy": "default-src 'self'"})
    code = CSP_SCRIPT.search(response.text)
    assert code is not None
    digest = base64.b64encode(hashlib.sha256(code.group(1).encode()).digest()).decode()
    assert response.headers["content-security-policy"] == f"default-src 'self' 'sha256-{digest}'"
    assert "unsafe-inline" not in response.headers["content-security-policy"]


def test_csp_that_allows_inline_scripts_is_not_narrowed() -> None:
    policy = "script-src 'self' 'unsafe-inline'"
    response = client().get("/headers", params={"content-security-policy": policy})
    assert response.headers["content-security-policy"] == policy


def test_consent_mode_default_comes_first_in_head_and_follows_gpc() -> None:
    cookies = mint_consent_cookie(SECRET, ["analytics", "marketing"], policy=TEST_POLICY)
    test_client = client()
    test_client.cookies.update(cookies)
    text = test_client.get("/", headers={"sec-gpc": "1"}).text
    head = text.split("<head>", 1)[1]
    assert head.startswith("<script>(function(w)")
    code = CSP_SCRIPT.search(text)
    assert code is not None
    assert '"analytics_storage":"granted"' in code.group(1)
    assert '"ad_storage":"denied"' in code.group(1)  # GPC refuses marketing


def test_banner_language_follows_the_page_then_accept_language() -> None:
    test_client = client()
    french = test_client.get("/", headers={"accept-language": "fr-CH, fr;q=0.9, en;q=0.5"})
    assert '"lang":"fr"' in french.text
    nothing = test_client.get("/", headers={"accept-language": "tlh"})
    assert '"lang":"en"' in nothing.text


def test_rewriting_can_be_switched_off() -> None:
    response = client(rewrite_html=False, inject_banner=False).get("/")
    assert response.text == PAGE


def test_gzip_output_is_one_valid_stream() -> None:
    test_client = client(inner_gzip=True)
    with test_client.stream("GET", "/stream", headers={"accept-encoding": "gzip"}) as response:
        raw = b"".join(response.iter_raw())
    assert HELD_GTAG.encode() in gzip.decompress(raw)
