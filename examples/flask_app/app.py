"""The same tea shop on Flask, with the ConsentKit extension enforcing policy.toml.

Run it from the project's root (``flask`` finds the ``create_app`` factory)::

    .venv/bin/flask --app examples/flask_app/app.py run --port 5000

or under a production server: ``gunicorn --chdir examples/flask_app "app:create_app()"``.

then open http://127.0.0.1:5000. Served like that (plain http on 127.0.0.1) cookies are
sent without ``Secure`` and a development secret key is used; anywhere else set
``SHOP_PUBLIC_URL=https://...`` and ``SHOP_SECRET_KEY=...`` (see the README, "The example shops").

The app factory configures consentkit the Flask way, with ``CONSENTKIT_*`` keys in
``app.config``; the login session is Flask's own signed session cookie, renamed
``shop_session``.
"""

from __future__ import annotations

import hmac
import json
import os
import secrets
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

from flask import Flask, Response, abort, g, redirect, render_template, request, session
from werkzeug.wrappers import Response as BaseResponse

from consentkit import load_policy
from consentkit.flask import ConsentKit

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

consentkit = ConsentKit()


def served_locally(public_url: str) -> bool:
    """Plain http on the loopback address: a developer's machine."""
    parts = urlsplit(public_url)
    return parts.scheme == "http" and parts.hostname in ("127.0.0.1", "localhost")


def create_app(public_url: str | None = None, **overrides: Any) -> Flask:
    url = public_url or os.environ.get("SHOP_PUBLIC_URL", "http://127.0.0.1:5000")
    local = served_locally(url)
    app = Flask(__name__, root_path=str(HERE))
    app.config.from_mapping(
        SECRET_KEY=os.environ.get("SHOP_SECRET_KEY") or (DEV_SECRET_KEY if local else None),
        SESSION_COOKIE_NAME="shop_session",
        SESSION_COOKIE_SECURE=not local,
        CONSENTKIT_POLICY=POLICY,
        CONSENTKIT_COOKIE_SECURE=not local,  # only plain http on 127.0.0.1 goes without it
        CONSENTKIT_ACCESS_LOG="stdout",  # one JSON line per request, IP truncated
        CONSENTKIT_ACCESS_LOG_RETENTION_DAYS=90,
        CONSENTKIT_ACCESS_LOG_RETENTION_TAG="access-log-3m",
        CONSENTKIT_RECEIPTS="sqlite",  # proof of each choice, var/consentkit-receipts.sqlite3
        CONSENTKIT_DATA_DIR=HERE / "var",
    )
    app.config.update({f"CONSENTKIT_{name.upper()}": value for name, value in overrides.items()})
    consentkit.init_app(app)
    app.extensions["shop_visits"] = [0]
    secure = not local

    def language() -> str:
        for wanted in (request.args.get("lang"), request.cookies.get("locale"),
                       request.headers.get("Accept-Language", "")[:2]):
            if wanted is not None and wanted in MESSAGES:
                return str(wanted)
        return POLICY.default_language

    def csrf_token() -> str:
        token = request.cookies.get("csrf_token")
        if not token:
            token = str(g.setdefault("new_csrf_token", secrets.token_urlsafe(24)))
        return token

    def page(name: str, status: int = 200, **context: Any) -> Response:
        lang = language()
        html = render_template(
            name, t=MESSAGES[lang], lang=lang, languages=LANGUAGES, path=request.path,
            user=session.get("user"), csrf_token=csrf_token(),
            cart_count=sum(read_cart(request.cookies.get("cart", "")).values()), **context,
        )
        response = Response(html, status=status, mimetype="text/html")
        if "csrf_token" not in request.cookies:
            response.set_cookie("csrf_token", csrf_token(), httponly=True, secure=secure,
                                samesite="Lax")
        # Set on every page as a shop would; consentkit drops them until consent.
        if "shop_visitor" not in request.cookies:
            response.set_cookie("shop_visitor", secrets.token_hex(8), max_age=396 * 86_400,
                                secure=secure, samesite="Lax")
        if "_fbp" not in request.cookies:
            response.set_cookie("_fbp", f"fb.1.{int(time.time() * 1000)}.{secrets.randbits(31)}",
                                max_age=90 * 86_400, secure=secure, samesite="Lax")
        return response

    def checked_form() -> dict[str, str]:
        expected = request.cookies.get("csrf_token", "")
        if not expected or not hmac.compare_digest(request.form.get("csrf_token", ""),
                                                   expected):
            abort(403, "The form expired; reload the page and try again.")
        return request.form.to_dict()

    @app.get("/")
    def home() -> Response:
        return page("index.html", products=list(PRODUCTS.values()))

    @app.get("/cart")
    def cart() -> Response:
        lines = [(PRODUCTS[pid], qty)
                 for pid, qty in read_cart(request.cookies.get("cart", "")).items()]
        total = sum(product["price_cents"] * qty for product, qty in lines)
        return page("cart.html", lines=lines, total_cents=total)

    @app.post("/cart/add")
    def add_to_cart() -> BaseResponse:
        data = checked_form()
        items = read_cart(request.cookies.get("cart", ""))
        product = int(data["product"]) if data.get("product", "").isdigit() else 0
        if product not in PRODUCTS:
            abort(404)
        items[product] = min(items.get(product, 0) + 1, 99)
        response = redirect("/cart", 303)
        response.set_cookie("cart", write_cart(items), httponly=True, secure=secure,
                            samesite="Lax")
        return response

    @app.get("/login")
    def login_form() -> Response:
        return page("login.html")

    @app.post("/login")
    def login() -> BaseResponse:
        data = checked_form()
        user, password = data.get("username", ""), data.get("password", "")
        known = USERS.get(user)
        if known is None or not hmac.compare_digest(password, known):
            return page("login.html", status=401, error=True)
        session["user"] = user
        return redirect("/", 303)

    @app.post("/logout")
    def logout() -> BaseResponse:
        checked_form()
        session.clear()
        return redirect("/", 303)

    @app.get("/lang/<code>")
    def switch_language(code: str) -> BaseResponse:
        if code not in MESSAGES:
            abort(404)
        # The choice also rides in the URL, so it holds for this page even while the
        # locale cookie (preferences) is refused.
        target = f"{safe_path(request.args.get('next', '/'))}?{urlencode({'lang': code})}"
        response = redirect(target, 303)
        response.set_cookie("locale", code, max_age=YEAR, secure=secure, samesite="Lax")
        return response

    @app.get("/privacy")
    def privacy() -> Response:
        return page("privacy.html")

    @app.post("/collect")
    def collect() -> Response:
        # The middleware answers 204 itself until analytics is granted (the route is
        # declared in policy.toml); the check here keeps the view honest on its own.
        if not g.consent.allows("analytics"):
            return Response(status=204)
        app.extensions["shop_visits"][0] += 1
        return Response(status=202)

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
