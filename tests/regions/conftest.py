from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from mmdb_writer import MMDBWriter
from netaddr import IPSet
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, Response
from starlette.routing import Route

from consentkit.asgi import ConsentMiddleware

SECRET = "regions-test-secret-0123456789"
PAGE = "<!doctype html><html><head><title>t</title></head><body><p>hello</p></body></html>"


async def page(request: Request) -> Response:
    response = HTMLResponse(PAGE)
    response.set_cookie("_ga", "GA1.1.1")  # analytics
    response.set_cookie("_fbp", "fb.1.1")  # marketing
    response.set_cookie("session", "s1")  # necessary
    return response


async def collect(request: Request) -> Response:
    return PlainTextResponse("counted by the app")


def make_app(**options: Any) -> Starlette:
    options.setdefault("secret_key", SECRET)
    options.setdefault("cookie_secure", False)
    app = Starlette(routes=[Route("/", page), Route("/collect", collect, methods=["GET", "POST"])])
    app.add_middleware(ConsentMiddleware, **options)
    return app


def cookie_names(response: Any) -> set[str]:
    return {value.split("=", 1)[0] for value in response.headers.get_list("set-cookie")}


@pytest.fixture(scope="session")
def world_mmdb(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A City database written for the test: Germany, California, Virginia, Japan."""
    places: dict[str, Any] = {
        "203.0.113.0/24": {"country": {"iso_code": "DE"}},
        "192.0.2.0/25": {"country": {"iso_code": "US"}, "subdivisions": [{"iso_code": "CA"}]},
        "192.0.2.128/25": {"country": {"iso_code": "US"}, "subdivisions": [{"iso_code": "VA"}]},
        "2001:db8:1::/48": {"country": {"iso_code": "JP"}},
    }
    writer = MMDBWriter(ip_version=6, database_type="GeoIP2-City", ipv4_compatible=True)
    for network, record in places.items():
        writer.insert_network(IPSet([network]), record)
    target = tmp_path_factory.mktemp("mmdb") / "world-city.mmdb"
    writer.to_db_file(str(target))
    return target
