"""Bytes of the banner's script and stylesheet as the middleware serves them (gzip -9).

Run from the project root: ``python benchmarks/bench_banner.py``. The assets are fetched
through ConsentMiddleware with ``Accept-Encoding: gzip``, so the figure is what a browser
downloads. The sizes of other banners' published packages (gzip, measured from their
npm releases) are printed beside it for scale; they are constants, not measured here.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

try:
    import consentkit  # noqa: F401
except ImportError:  # pragma: no cover - run from a checkout
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

from starlette.applications import Starlette
from starlette.testclient import TestClient

from consentkit.asgi import ConsentMiddleware

TARGET = 7000
REFERENCE_GZIP_BYTES = {
    "vanilla_cookieconsent_3_1": 15_558,
    "tarteaucitron": 24_855,
    "klaro": 68_892,
    "osano_legacy": 7_965,
}


def served(client: TestClient, name: str) -> tuple[int, int]:
    """(bytes on the wire with gzip, bytes without)."""
    zipped = client.get(f"/consentkit/static/{name}", headers={"accept-encoding": "gzip"})
    plain = client.get(f"/consentkit/static/{name}", headers={"accept-encoding": "identity"})
    if zipped.status_code != 200 or plain.status_code != 200:
        raise SystemExit(f"{name} is not served: {zipped.status_code}")
    return int(zipped.headers["content-length"]), len(plain.content)


def main() -> None:
    app = ConsentMiddleware(Starlette(), secret_key="bench-secret-0123456789")
    with TestClient(app) as client:
        js_gzip, js_raw = served(client, "consentkit.js")
        css_gzip, css_raw = served(client, "consentkit.css")
    print(json.dumps({
        "bench": "banner_gzip_bytes",
        "value": js_gzip + css_gzip,
        "unit": "bytes",
        "target": TARGET,
        "js_gzip_bytes": js_gzip,
        "css_gzip_bytes": css_gzip,
        "js_minified_bytes": js_raw,
        "css_bytes": css_raw,
        "compression": "gzip level 9, as served by consentkit's static route",
        **{f"{name}_gzip_bytes": size for name, size in REFERENCE_GZIP_BYTES.items()},
    }))


if __name__ == "__main__":
    main()
