"""A small tea shop on FastAPI whose privacy policy (policy.toml) consentkit enforces.

Run it from the project's root with ``make demo``, which runs::

    .venv/bin/python -m uvicorn --app-dir examples/fastapi_app app:app \
        --host 127.0.0.1 --port 8000

then open http://127.0.0.1:8000. Served like that (plain http on 127.0.0.1) the consent
cookie is sent without ``Secure`` and a development secret key is used; anywhere else set
``SHOP_PUBLIC_URL=https://...`` and ``SHOP_SECRET_KEY=...`` (see the README, "The example shops").

The views set their cookies the way a shop does, without asking: the login session, the
CSRF token, the cart, the locale, a visitor number for analytics and Meta's ``_fbp``. The
middleware lets through only what the visitor agreed to.
"""

from __future__ import annotations

import hmac
import json
import os
import secrets
import time
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from itsdangerous import BadSignature, URLSafeSerializer

from consentkit import ConsentMiddleware, load_policy
from consentkit.starlette_helpers import ConsentDep, install_jinja_helpers

HERE = Path(__file__).resolve().parent
POLICY = load_policy(HERE / "policy.toml")
MESSAGES: dict[str, dict[str, str]] = json.loads((HERE / "messages.json").read_text("utf-8"))
PRODUCTS: dict[int, dict[str, Any]] = {
    item["id"]: item for item in json.loads((HERE / "products.json").read_text("utf-8"))
}
LANGUAGES = [(code, texts["language_name"]) for code, texts in MESSAGES.items()]
USERS = {"demo": "demo"}  # user name -> password, for the example only
YEAR = 365 * 86_400
DEV_SECRET_KEY = "development-only-secret-key-of-the-example-shop"


def served_locally(public_url: str) -> bool:
    """Plain http on the loopback address: a developer's machine."""
    parts = urlsplit(public_url)
    return parts.scheme == "http" and parts.hostname in ("127.0.0.1", "localhost")


def consent_options(public_url: str, **overrides: Any) -> dict[str, Any]:
    """The middleware's settings for this shop."""
    local = served_locally(public_url)
    secret_key = os.environ.get("SHOP_SECRET_KEY") or (DEV_SECRET_KEY if local else None)
    options: dict[str, Any] = {
        "secret_key": secret_key,
        "policy": POLICY,
        "cookie_secure": not local,  # only plain http on 127.0.0.1 goes without Secure
        "access_log": "stdout",  # one JSON line per request, IP truncated to /24 and /48
        "access_log_retention_days": 90,
        "access_log_retention_tag": "access-log-3m",
        "receipts": "sqlite",  # proof of each choice, in var/consentkit-receipts.sqlite3
        "data_dir": HERE / "var",
    }
    options.update(overrides)
    return options


def create_app(public_url: str | None = None, **overrides: Any) -> FastAPI:
    url = public_url or os.environ.get("SHOP_PUBLIC_URL", "http://127.0.0.1:8000")
    options = consent_options(url, **overrides)
    secure = bool(options["cookie_secure"])
    sessions = URLSafeSerializer(options["secret_key"] or "unset", salt="shop-session")
    templates = Jinja2Templates(directory=HERE / "templates")
    install_jinja_helpers(templates, POLICY)
    app = FastAPI(title="Corner Tea Shop", docs_url=None, redoc_url=None)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    app.state.visits = 0

    def language(request: Request) -> str:
        for wanted in (request.query_params.get("lang"), request.cookies.get("locale"),
                       request.headers.get("accept-language", "")[:2]):
            if wanted is not None and wanted in MESSAGES:
                return str(wanted)
        return POLICY.default_language

    def signed_in(request: Request) -> str | None:
        try:
            user = sessions.loads(request.cookies.get("shop_session", ""))
        except BadSignature:
            return None
        return user if isinstance(user, str) else None

    def render(request: Request, name: str, status: int = 200, **context: Any) -> Response:
        lang = language(request)
        token = request.cookies.get("csrf_token") or secrets.token_urlsafe(24)
        response = templates.TemplateResponse(request, name, {
            "t": MESSAGES[lang], "lang": lang, "languages": LANGUAGES,
            "path": request.url.path, "user": signed_in(request), "csrf_token": token,
            "cart_count": sum(read_cart(request.cookies.get("cart", "")).values()),
            **context,
        }, status_code=status)
        if "csrf_token" not in request.cookies:
            response.set_cookie("csrf_token", token, httponly=True, secure=secure,
                                samesite="lax")
        # Set on every page as a shop would; consentkit drops them until consent.
        if "shop_visitor" not in request.cookies:
            response.set_cookie("shop_visitor", secrets.token_hex(8), max_age=396 * 86_400,
                                secure=secure, samesite="lax")
        if "_fbp" not in request.cookies:
            response.set_cookie("_fbp", f"fb.1.{int(time.time() * 1000)}.{secrets.randbits(31)}",
                                max_age=90 * 86_400, secure=secure, samesite="lax")
        return response

    async def form(request: Request) -> dict[str, str]:
        fields = parse_qs((await request.body()).decode("utf-8", "replace"))
        data = {key: values[0] for key, values in fields.items()}
        expected = request.cookies.get("csrf_token", "")
        if not expected or not hmac.compare_digest(data.get("csrf_token", ""), expected):
            raise HTTPException(403, "The form expired; reload the page and try again.")
        return data

    @app.get("/", response_class=HTMLResponse)
    def home(request: Request) -> Response:
        return render(request, "index.html", products=list(PRODUCTS.values()))

    @app.get("/cart", response_class=HTMLResponse)
    def cart(request: Request) -> Response:
        lines = [(PRODUCTS[pid], qty)
                 for pid, qty in read_cart(request.cookies.get("cart", "")).items()]
        total = sum(product["price_cents"] * qty for product, qty in lines)
        return render(request, "cart.html", lines=lines, total_cents=total)

    @app.post("/cart/add")
    async def add_to_cart(request: Request) -> Response:
        data = await form(request)
        items = read_cart(request.cookies.get("cart", ""))
        product = int(data["product"]) if data.get("product", "").isdigit() else 0
        if product not in PRODUCTS:
            raise HTTPException(404, "No such product")
        items[product] = min(items.get(product, 0) + 1, 99)
        response = RedirectResponse("/cart", status_code=303)
        response.set_cookie("cart", write_cart(items), httponly=True, secure=secure,
                            samesite="lax")
        return response

    @app.get("/login", response_class=HTMLResponse)
    def login_form(request: Request) -> Response:
        return render(request, "login.html")

    @app.post("/login")
    async def login(request: Request) -> Response:
        data = await form(request)
        user, password = data.get("username", ""), data.get("password", "")
        known = USERS.get(user)
        if known is None or not hmac.compare_digest(password, known):
            return render(request, "login.html", status=401, error=True)
        response = RedirectResponse("/", status_code=303)
        response.set_cookie("shop_session", sessions.dumps(user), httponly=True,
                            secure=secure, samesite="lax")
        return response

    @app.post("/logout")
    async def logout(request: Request) -> Response:
        await form(request)
        response = RedirectResponse("/", status_code=303)
        response.delete_cookie("shop_session")
        return response

    @app.get("/lang/{code}")
    def switch_language(code: str, request: Request, next: str = "/") -> Response:
        if code not in MESSAGES:
            raise HTTPException(404, "No such language")
        # The choice also rides in the URL, so it holds for this page even while the
        # locale cookie (preferences) is refused.
        response = RedirectResponse(f"{safe_path(next)}?{urlencode({'lang': code})}",
                                    status_code=303)
        response.set_cookie("locale", code, max_age=YEAR, secure=secure, samesite="lax")
        return response

    @app.get("/privacy", response_class=HTMLResponse)
    def privacy(request: Request) -> Response:
        return render(request, "privacy.html")

    @app.post("/collect")
    def collect(consent: ConsentDep) -> Response:
        # The middleware answers 204 itself until analytics is granted (the route is
        # declared in policy.toml); the check here keeps the view honest on its own.
        if not consent.allows("analytics"):
            return Response(status_code=204)
        app.state.visits += 1
        return Response(status_code=202)

    app.add_middleware(ConsentMiddleware, **options)
    return app


def read_cart(value: str) -> dict[int, int]:
    """``"1:2,3:1"`` -> ``{1: 2, 3: 1}``; anything malformed is dropped."""
    items: dict[int, int] = {}
    for part in value.split(","):
        pid, _, qty = part.partition(":")
        if pid.isdigit() and qty.isdigit() and int(pid) in PRODUCTS and 0 < int(qty) < 100:
            items[int(pid)] = int(qty)
    return items


def write_cart(items: dict[int, int]) -> str:
    return ",".join(f"{pid}:{qty}" for pid, qty in sorted(items.items()))


def safe_path(target: str) -> str:
    """A local path to go back to (never another site)."""
    if not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return urlsplit(target).path or "/"


app = create_app()
