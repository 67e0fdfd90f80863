"""What the access log costs: on the request's path, and on the writer thread.

Run from the project's root: ``python benchmarks/bench_accesslog.py``. Prints one JSON
object per line:

- ``accesslog_hot_path_share``: a plain Starlette endpoint called through ASGI directly
  (no server, no client), three ways in one process: without middleware, with
  ConsentMiddleware, with ConsentMiddleware and a file access log. The figure is
  (t_log - t_nolog) / (t_log - t_plain): the share of the middleware's per-request cost
  that logging adds to the request's own path. Times are the CPU time of the thread that
  serves the requests (``time.thread_time``), in many short rounds, interleaved, with a
  pause after each in which the writer thread catches up; the share is the median of the
  differences paired within a round. The writer's own cost is the next figure. The same
  share from wall-clock times is a further field, and so is the share of a fourth
  middleware whose log queue takes nothing (the send wrapper, the clock reads and the call
  alone: the floor of this design).
- ``accesslog_lines_per_s``: the writer's sustained throughput, queue to file, for
  requests with realistic, varied user agents (a few hundred, of many browsers, versions,
  devices and bots), addresses, paths and forwarding headers, once its caches are warm.
  The throughput from cold caches is a further field.
"""

from __future__ import annotations

import asyncio
import json
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from consentkit.accesslog import AccessLog
from consentkit.asgi import ConsentMiddleware
from consentkit.http import RequestInfo
from consentkit.settings import Settings

SECRET = "benchmark-secret-key"
ROUNDS = 101
CALLS = 300
LINES = 60_000
SEED = 20261122


# -- user agents: built from templates, a few hundred distinct strings ------------------

def user_agents() -> list[str]:
    agents: list[str] = []
    desktops = ["Windows NT 10.0; Win64; x64", "Macintosh; Intel Mac OS X 10_15_7",
                "X11; Linux x86_64", "X11; Ubuntu; Linux x86_64"]
    for version in range(100, 132, 2):
        for platform in desktops:
            agents.append(f"Mozilla/5.0 ({platform}) AppleWebKit/537.36 (KHTML, like Gecko) "
                          f"Chrome/{version}.0.0.0 Safari/537.36")
        agents.append(f"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, "
                      f"like Gecko) Chrome/{version}.0.0.0 Safari/537.36 Edg/{version}.0.0.0")
        for phone in ("Pixel 7", "SM-S911B", "moto g(60)", "Redmi Note 12", "K"):
            agents.append(f"Mozilla/5.0 (Linux; Android {10 + version % 5}; {phone}) "
                          f"AppleWebKit/537.36 (KHTML, like Gecko) Chrome/{version}.0.0.0 "
                          "Mobile Safari/537.36")
        agents.append(f"Mozilla/5.0 (Linux; Android 13; SM-X710) AppleWebKit/537.36 (KHTML, "
                      f"like Gecko) Chrome/{version}.0.0.0 Safari/537.36")
    for version in range(100, 134, 3):
        for platform in ("Windows NT 10.0; Win64; x64", "X11; Linux x86_64",
                         "Macintosh; Intel Mac OS X 14.5", "Android 14; Mobile"):
            agents.append(f"Mozilla/5.0 ({platform}; rv:{version}.0) Gecko/20100101 "
                          f"Firefox/{version}.0")
    for major in range(14, 19):
        for minor in range(0, 6):
            agents.append(f"Mozilla/5.0 (iPhone; CPU iPhone OS {major}_{minor} like Mac OS X) "
                          "AppleWebKit/605.1.15 (KHTML, like Gecko) "
                          f"Version/{major}.{minor} Mobile/15E148 Safari/604.1")
            agents.append(f"Mozilla/5.0 (iPad; CPU OS {major}_{minor} like Mac OS X) "
                          "AppleWebKit/605.1.15 (KHTML, like Gecko) "
                          f"Version/{major}.{minor} Mobile/15E148 Safari/604.1")
            agents.append(f"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/"
                          f"605.1.15 (KHTML, like Gecko) Version/{major}.{minor} "
                          "Safari/605.1.15")
    for version in range(20, 26):
        agents.append(f"Mozilla/5.0 (Linux; Android 13; SAMSUNG SM-A536B) AppleWebKit/537.36 "
                      f"(KHTML, like Gecko) SamsungBrowser/{version}.0 Chrome/115.0.0.0 "
                      "Mobile Safari/537.36")
    for version in range(95, 112, 4):
        agents.append("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, "
                      f"like Gecko) Chrome/120.0.0.0 Safari/537.36 OPR/{version}.0.0.0")
    bots = [
        "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
        "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
        "Mozilla/5.0 (compatible; YandexBot/3.0; +http://yandex.com/bots)",
        "DuckDuckBot/1.1; (+http://duckduckgo.com/duckduckbot.html)",
        "Mozilla/5.0 (compatible; Baiduspider/2.0; +http://www.baidu.com/search/spider.html)",
        "Mozilla/5.0 (compatible; AhrefsBot/7.0; +http://ahrefs.com/robot/)",
        "Mozilla/5.0 (compatible; SemrushBot/7~bl; +http://www.semrush.com/bot.html)",
        "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)",
        "Twitterbot/1.0",
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_5) AppleWebKit/605.1.15 (KHTML, like "
        "Gecko) Version/13.1.1 Safari/605.1.15 (Applebot/0.1)",
        "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; GPTBot/1.2; "
        "+https://openai.com/gptbot)",
        "curl/8.5.0", "curl/7.88.1", "python-requests/2.31.0", "python-httpx/0.27.0",
        "Go-http-client/2.0", "Wget/1.21.4", "Slackbot-LinkExpanding 1.0",
        "Mozilla/5.0 (compatible; MJ12bot/v1.4.8; http://mj12bot.com/)",
        "UptimeRobot/2.0 (http://www.uptimerobot.com/)",
    ]
    agents.extend(bots)
    return list(dict.fromkeys(agents))


# -- the hot path ----------------------------------------------------------------------

async def endpoint(request: Request) -> PlainTextResponse:
    return PlainTextResponse("ok")


def make_app(middleware: list[Middleware]) -> Starlette:
    return Starlette(routes=[Route("/page", endpoint)], middleware=middleware)


def scope(agent: str) -> dict[str, Any]:
    return {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET",
        "scheme": "https", "path": "/page", "raw_path": b"/page", "root_path": "",
        "query_string": b"page=2&utm_source=news",
        "headers": [(b"host", b"shop.example"), (b"user-agent", agent.encode()),
                    (b"accept", b"text/plain"), (b"accept-language", b"en-GB,en;q=0.8")],
        "client": ("203.0.113.9", 51000), "server": ("127.0.0.1", 8000),
    }


async def _receive() -> dict[str, Any]:
    return {"type": "http.request", "body": b"", "more_body": False}


async def _send(message: dict[str, Any]) -> None:
    return None


def timer(app: Any, scopes: list[dict[str, Any]]) -> Callable[[], tuple[float, float]]:
    async def run() -> tuple[float, float]:
        wall, cpu = time.perf_counter(), time.thread_time()
        for index in range(CALLS):
            await app(dict(scopes[index % len(scopes)]), _receive, _send)
        return ((time.thread_time() - cpu) / CALLS, (time.perf_counter() - wall) / CALLS)

    def go() -> tuple[float, float]:
        coroutine: Coroutine[Any, Any, tuple[float, float]] = run()
        return asyncio.run(coroutine)

    return go


def hot_path(directory: Path, agents: list[str]) -> dict[str, Any]:
    scopes = [scope(agent) for agent in agents]
    apps = {
        "plain": make_app([]),
        "nolog": make_app([Middleware(ConsentMiddleware, secret_key=SECRET)]),
        "log": make_app([Middleware(ConsentMiddleware, secret_key=SECRET,
                                    access_log=str(directory / "hot.log"),
                                    log_query_params=["page"],
                                    access_log_queue_size=CALLS * ROUNDS * 2)]),
    }
    # The same log with a queue that takes nothing: what the send wrapper, the two clock
    # reads and the call cost without the append (a floor for the figure).
    apps["log_no_queue"] = make_app([Middleware(ConsentMiddleware, secret_key=SECRET,
                                                access_log=str(directory / "none.log"))])
    timers = {name: timer(app, scopes) for name, app in apps.items()}
    for run in timers.values():
        run()  # warm-up (and the writer's caches)
    consentkit_in(apps["log_no_queue"]).engine.access_log.enqueue = _take_nothing
    time.sleep(0.5)
    cpu: dict[str, list[float]] = {name: [] for name in apps}
    wall: dict[str, list[float]] = {name: [] for name in apps}
    order = list(timers)
    for round_index in range(ROUNDS):
        turn = round_index % len(order)
        for name in order[turn:] + order[:turn]:
            cpu_s, wall_s = timers[name]()
            cpu[name].append(cpu_s)
            wall[name].append(wall_s)
        time.sleep(0.06)  # the writer (it polls every 50 ms) catches up between rounds

    def share(samples: dict[str, list[float]], logged: str = "log") -> float:
        # Differences paired within a round cancel the machine's drift between rounds.
        log, nolog, plain = samples[logged], samples["nolog"], samples["plain"]
        added = statistics.median(a - b for a, b in zip(log, nolog, strict=True))
        total = statistics.median(a - b for a, b in zip(log, plain, strict=True))
        return added / total

    t = {name: statistics.median(values) for name, values in cpu.items()}
    return {
        "share": share(cpu), "wall_share": share(wall),
        "no_queue_share": share(cpu, "log_no_queue"), "no_queue_us": t["log_no_queue"] * 1e6,
        "plain_us": t["plain"] * 1e6, "nolog_us": t["nolog"] * 1e6, "log_us": t["log"] * 1e6,
    }


def consentkit_in(app: Starlette) -> ConsentMiddleware:
    layer = app.middleware_stack
    while not isinstance(layer, ConsentMiddleware):
        layer = layer.app  # type: ignore[union-attr]
    return layer


def _take_nothing(entry: object) -> None:
    return None


# -- the writer ------------------------------------------------------------------------

def requests_for(agents: list[str], count: int) -> list[RequestInfo]:
    rng = random.Random(SEED)
    paths = ["/", "/shop", "/shop/items", "/cart", "/account/orders", "/blog/privacy",
             "/api/products", "/static/app.js", "/search", "/contact"]
    requests: list[RequestInfo] = []
    for _ in range(count):
        headers = [(b"host", b"shop.example"),
                   (b"user-agent", rng.choice(agents).encode()),
                   (b"accept", b"text/html"),
                   (b"cookie", b"consentkit=abc; session=xyz")]
        if rng.random() < 0.5:
            client = (f"{rng.randrange(1, 224)}.{rng.randrange(256)}.{rng.randrange(256)}."
                      f"{rng.randrange(1, 255)}", rng.randrange(1024, 65535))
        elif rng.random() < 0.5:
            client = (f"2001:db8:{rng.randrange(65536):x}:{rng.randrange(65536):x}::"
                      f"{rng.randrange(1, 65536):x}", rng.randrange(1024, 65535))
        else:  # behind the site's own proxy
            client = ("10.0.0.2", 40000)
            headers.append((b"x-forwarded-for",
                            f"{rng.randrange(1, 224)}.{rng.randrange(256)}.7.9, 10.0.0.3"
                            .encode()))
        requests.append(RequestInfo("GET", rng.choice(paths), headers,
                                    b"page=%d&q=x" % rng.randrange(5), client))
    return requests


def throughput(directory: Path, requests: list[RequestInfo]) -> float:
    settings = Settings(secret_key=SECRET, access_log=str(directory / "access.log"),
                        access_log_queue_size=len(requests) + 1,
                        trusted_proxies=["10.0.0.0/8"], log_query_params=["page"])
    log = AccessLog(settings)
    for item in requests:  # queued before the writer starts: nothing else competes
        log.record(item, None, 200, 1234, 0.003)
    started = time.perf_counter()
    log.start()
    log.close()
    return len(requests) / (time.perf_counter() - started)


def main() -> None:
    agents = user_agents()
    with tempfile.TemporaryDirectory() as name:
        directory = Path(name)
        requests = requests_for(agents, LINES)
        cold = throughput(directory, requests)  # first: no user agent parsed yet
        warm = statistics.median(throughput(directory, requests) for _ in range(3))
        hot = hot_path(directory, agents)
    print(json.dumps({
        "bench": "accesslog_hot_path_share",
        "value": round(hot["share"], 4),
        "unit": "share",
        "target": 0.10,
        "plain_cpu_us": round(hot["plain_us"], 2),
        "consentkit_cpu_us": round(hot["nolog_us"], 2),
        "consentkit_with_log_cpu_us": round(hot["log_us"], 2),
        "wall_clock_share": round(hot["wall_share"], 4),
        "share_with_a_queue_that_takes_nothing": round(hot["no_queue_share"], 4),
        "consentkit_with_log_taking_nothing_cpu_us": round(hot["no_queue_us"], 2),
        "rounds": ROUNDS, "calls_per_round": CALLS, "user_agents": len(agents),
    }))
    print(json.dumps({
        "bench": "accesslog_lines_per_s",
        "value": round(warm),
        "unit": "lines/s",
        "target": 20_000,
        "cold_cache_lines_per_s": round(cold),
        "lines": LINES, "distinct_user_agents": len(agents),
    }))


if __name__ == "__main__":
    main()
