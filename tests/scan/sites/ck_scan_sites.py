"""Purpose-built sites for the scanner tests (imported by ``module:app`` targets)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import flask
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route

from consentkit import ConsentMiddleware
from consentkit.flask import ConsentKit

SECRET = "scan-secret-0123456789"

NAV = '<nav><a href="/">home</a> <a href="/about#team">about</a> ' \
      '<a href="/go">go</a> <a href="https://elsewhere.test/">partner</a> ' \
      '<a href="/logo.png">logo</a> <a href="mailto:shop@example.test">mail</a></nav>'


def page(body: str, head: str = "") -> str:
    return f"<!doctype html><html><head>{head}</head><body>{NAV}{body}</body></html>"


async def dirty_home(request: Request) -> Response:
    response = HTMLResponse(page("<h1>Shop</h1>"))
    response.set_cookie("sessionid", "s1")
    response.set_cookie("_fbp", "fb.1.123")  # marketing, before any consent
    return response


async def about(request: Request) -> Response:
    return HTMLResponse(page("<h1>About</h1>"))


async def go(request: Request) -> Response:
    return RedirectResponse("/about")


dirty_app = Starlette(routes=[Route("/", dirty_home), Route("/about", about), Route("/go", go)])


async def clean_home(request: Request) -> Response:
    response = HTMLResponse(page(
        "<h1>Shop</h1>",
        head='<script type="text/plain" data-consentkit="analytics" '
             'data-consentkit-src="https://www.googletagmanager.com/gtag/js?id=G-1"></script>'))
    response.set_cookie("sessionid", "s1")
    return response


clean_app = Starlette(routes=[Route("/", clean_home), Route("/about", about), Route("/go", go)])


async def guarded_home(request: Request) -> Response:
    response = HTMLResponse(page("<h1>Shop</h1>"))
    response.set_cookie("sessionid", "s1")
    response.set_cookie("_ga", "GA1.1.1")  # analytics: held back until consent
    return response


guarded_app = Starlette(routes=[Route("/", guarded_home), Route("/about", about),
                                Route("/go", go)])
guarded_app.add_middleware(ConsentMiddleware, secret_key=SECRET, cookie_secure=False)


def chain_page(request: Request) -> Response:
    number = int(request.path_params["number"])
    return HTMLResponse(page(f'<a href="/p/{number + 1}">next</a>'))


def big_page(request: Request) -> Response:
    return HTMLResponse(page("x" * 200_000))


async def chain_home(request: Request) -> Response:
    return HTMLResponse(page('<a href="/p/1">first</a><a href="/big">big</a>'))


chain_app = Starlette(routes=[Route("/", chain_home), Route("/p/{number}", chain_page),
                              Route("/big", big_page)])


@asynccontextmanager
async def lifespan(app: Starlette) -> AsyncIterator[dict[str, str]]:
    yield {"greeting": "started"}


async def lifespan_home(request: Request) -> Response:
    return PlainTextResponse(request.state.greeting)


lifespan_app = Starlette(routes=[Route("/", lifespan_home)], lifespan=lifespan)


flask_app = flask.Flask("ck_scan_flask_site")


@flask_app.get("/")
def flask_home() -> flask.Response:
    response = flask.make_response(page("<h1>Shop</h1>"))
    response.set_cookie("sessionid", "s1")
    response.set_cookie("_fbp", "fb.1.123")
    return response


@flask_app.get("/about")
def flask_about() -> str:
    return page('<iframe src="https://www.youtube.com/embed/abc"></iframe>')


guarded_flask_app = flask.Flask("ck_scan_guarded_flask_site")


@guarded_flask_app.get("/")
def guarded_flask_home() -> flask.Response:
    response = flask.make_response(page("<h1>Shop</h1>"))
    response.set_cookie("sessionid", "s1")
    response.set_cookie("_ga", "GA1.1.1")
    return response


ConsentKit(guarded_flask_app, secret_key=SECRET, cookie_secure=False)


SCRIPT_PAGE = page("<h1>Shop</h1>", head="""<script>
document.cookie = "_ga=GA1.1.42; path=/";
new Image().src = "https://www.google-analytics.com/g/collect?v=2&tid=G-1";
</script>""")


async def script_home(request: Request) -> Response:
    return HTMLResponse(SCRIPT_PAGE)


script_app = Starlette(routes=[Route("/", script_home), Route("/about", about),
                               Route("/go", go)])
