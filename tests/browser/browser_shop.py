"""A small shop served through ConsentMiddleware for the browser tests.

The page is written the way a site writes it: plain tracker tags (Google tag, Meta pixel,
a YouTube embed) and a first-party script that injects more trackers after ``load``. The
middleware holds them back, injects the banner, and answers the consent endpoint.
"""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, Response
from starlette.routing import Route

from consentkit import CookieRule, Policy, TrackerRule
from consentkit.asgi import ConsentMiddleware
from consentkit.policy import DEFAULT_CATEGORIES

SECRET = "browser-test-secret-0123456789"

POLICY = Policy(
    categories=DEFAULT_CATEGORIES,
    cookies=(
        CookieRule("analytics", name="_ga", vendor="Google Analytics",
                   purpose="Distinguishes visitors.", lifetime="2 years"),
        CookieRule("analytics", prefix="_ga_", vendor="Google Analytics",
                   purpose="Keeps the session state.", lifetime="2 years"),
        CookieRule("analytics", pattern=r"_pk_id\..*", vendor="Matomo",
                   purpose="Visitor id.", lifetime="13 months"),
        CookieRule("marketing", name="_fbp", vendor="Meta", purpose="Ad delivery.",
                   lifetime="3 months"),
        CookieRule("preferences", name="ui_theme", purpose="Light or dark theme.",
                   lifetime="1 year"),
    ),
    trackers=(
        TrackerRule("www.googletagmanager.com", "analytics", "script", vendor="Google tag"),
        TrackerRule("www.google-analytics.com", "analytics", "beacon",
                    vendor="Google Analytics"),
        TrackerRule("connect.facebook.net", "marketing", "script", vendor="Meta"),
        TrackerRule("www.facebook.com", "marketing", "pixel", path="/tr", vendor="Meta"),
        TrackerRule("www.youtube-nocookie.com", "marketing", "iframe", vendor="YouTube"),
    ),
    privacy_url="/privacy",
)

TRACKER_HOSTS = tuple(rule.host for rule in POLICY.trackers)

GTAG = '<script async src="https://www.googletagmanager.com/gtag/js?id=G-ONE"></script>'
GTAG_CONFIG = ("<script>window.dataLayer=window.dataLayer||[];function gtag(){dataLayer.push("
               "arguments);}gtag('js',new Date());gtag('config','G-ONE');"
               "(window.__ran=window.__ran||[]).push('gtag-config');</script>")
FBEVENTS = '<script src="https://connect.facebook.net/en_US/fbevents.js"></script>'
PIXEL = '<img src="https://www.facebook.com/tr?id=1&amp;ev=PageView" width="1" height="1" alt="">'
VIDEO = ('<iframe width="560" height="315" title="How the kettle works" '
         'src="https://www.youtube-nocookie.com/embed/kettle"></iframe>')

# Runs after load, like a tag manager would: every kind of late tracker, plus first-party
# work that must keep working.
APP_JS = """
window.addEventListener('load', function () {
  setTimeout(function () {
    var s = document.createElement('script');
    s.src = 'https://connect.facebook.net/signals/late.js';
    document.head.appendChild(s);
    var t = document.createElement('script');
    t.setAttribute('src', 'https://www.googletagmanager.com/gtm.js?id=GTM-LATE');
    document.body.appendChild(t);
    new Image().src = 'https://www.facebook.com/tr?id=1&ev=Late';
    navigator.sendBeacon('https://www.google-analytics.com/g/collect?v=2&beacon=1', 'x');
    fetch('https://www.google-analytics.com/g/collect?v=2&fetch=1', {method: 'POST'})
      .catch(function () {});
    var x = new XMLHttpRequest();
    x.open('GET', 'https://www.google-analytics.com/g/collect?v=2&xhr=1');
    x.send();
    var f = document.createElement('iframe');
    f.title = 'Late video';
    f.src = 'https://www.youtube-nocookie.com/embed/late';
    document.getElementById('late').appendChild(f);
    document.cookie = '_ga=GA1.1.late; path=/';
    document.cookie = 'app_state=ok; path=/';
    fetch('/api/ping').then(function (r) { return r.text(); })
      .then(function (text) { window.__firstParty = text; window.__lateDone = true; });
  }, 30);
});
"""


def page(lang: str = "en") -> str:
    return f"""<!doctype html>
<html lang="{lang}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Kettle shop</title>
{GTAG}
{GTAG_CONFIG}
{FBEVENTS}
<style>body{{font:16px/1.5 system-ui,sans-serif;margin:0;color:#222;background:#fafafa}}
header,main,footer{{max-width:60rem;margin:0 auto;padding:16px}}
@media (prefers-color-scheme:dark){{body{{background:#111;color:#eee}}a{{color:#9ec1ff}}}}
iframe{{max-width:100%;border:0}}</style>
</head><body>
<header><a href="/">Kettle shop</a></header>
<main>
<h1>The quiet kettle</h1>
<p>Boils a litre in three minutes and whistles softly when the water is ready.</p>
<p><a href="/cart">Add to cart</a></p>
{PIXEL}
{VIDEO}
<p><button type="button" data-consentkit-action="customize">Cookie settings</button></p>
<div id="late" style="height:160px"></div>
<script type="text/plain" data-category="analytics">
(window.__ran=window.__ran||[]).push('vanilla-cc');
</script>
</main>
<footer><a href="/privacy">Privacy policy</a></footer>
<script src="/app.js"></script>
</body></html>"""


def make_app(cache_safe: bool = False) -> ConsentMiddleware:
    """The shop wrapped in the middleware, which holds back and injects the banner."""

    async def home(request: Request) -> Response:
        response = HTMLResponse(page(request.query_params.get("lang", "en")),
                                headers={"cache-control": "no-store"})
        response.set_cookie("_ga", "GA1.1.server")  # dropped by the middleware until consent
        return response

    async def app_js(request: Request) -> Response:
        return Response(APP_JS, media_type="text/javascript")

    async def ping(request: Request) -> Response:
        return PlainTextResponse("pong")

    async def privacy(request: Request) -> Response:
        return HTMLResponse("<!doctype html><html lang='en'><title>Privacy</title>"
                            "<main><h1>Privacy</h1></main></html>")

    inner = Starlette(routes=[Route("/", home), Route("/app.js", app_js),
                              Route("/api/ping", ping), Route("/privacy", privacy)])
    return ConsentMiddleware(inner, secret_key=SECRET, policy=POLICY, cookie_secure=False,
                             cache_safe=cache_safe)
