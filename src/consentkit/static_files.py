"""Serves the banner's assets (``static/``, shipped inside the package) under
``{prefix}/static/``: only files that exist there, with ETag, 304 and gzip."""

from __future__ import annotations

import gzip
import hashlib
import mimetypes
import threading
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from .http import Reply, RequestInfo

_TYPES = {
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".json": "application/json",
    ".ts": "text/plain; charset=utf-8",
    ".png": "image/png",
    ".svg": "image/svg+xml",
}


def static_root() -> Path:
    """Where the assets are: inside the installed package, or ``static/`` beside ``src/``
    in a source checkout."""
    packaged = resources.files("consentkit").joinpath("static")
    if packaged.is_dir():
        return Path(str(packaged))
    return Path(__file__).resolve().parents[2] / "static"


@dataclass(frozen=True, slots=True)
class Asset:
    body: bytes
    gzipped: bytes | None
    etag: bytes
    content_type: bytes


def make_asset(name: str, body: bytes) -> Asset:
    suffix = name[name.rfind("."):] if "." in name else ""
    kind = _TYPES.get(suffix) or mimetypes.guess_type(name)[0]
    squeezed = gzip.compress(body, 9, mtime=0)
    etag = b'"' + hashlib.sha256(body).hexdigest()[:20].encode() + b'"'
    return Asset(
        body,
        squeezed if len(squeezed) < len(body) else None,
        etag,
        (kind or "application/octet-stream").encode(),
    )


class StaticFiles:
    def __init__(self, url_prefix: str, root: Path | None = None) -> None:
        self.url_prefix = url_prefix
        self.root = root or static_root()
        self._assets: dict[str, Asset] | None = None
        self._lock = threading.Lock()

    def assets(self) -> dict[str, Asset]:
        """Every file under the root, loaded once (a few kilobytes in all)."""
        if self._assets is None:
            with self._lock:
                if self._assets is None:
                    self._assets = self._load()
        return self._assets

    def _load(self) -> dict[str, Asset]:
        found: dict[str, Asset] = {}
        if not self.root.is_dir():
            return found
        for file in sorted(self.root.rglob("*")):
            if not file.is_file() or file.name.startswith("."):
                continue
            name = file.relative_to(self.root).as_posix()
            found[name] = make_asset(file.name, file.read_bytes())
        return found

    def add(self, name: str, body: bytes) -> None:
        """Serve generated content (the policy's client-side rules) like a file."""
        assets = dict(self.assets())
        assets[name] = make_asset(name, body)
        self._assets = assets

    def url(self, name: str) -> str:
        """The URL of an asset, versioned by its content so that caches stay right."""
        asset = self.assets().get(name)
        version = asset.etag.strip(b'"')[:10].decode() if asset else "0"
        return f"{self.url_prefix}{name}?v={version}"

    def read(self, name: str) -> bytes | None:
        asset = self.assets().get(name)
        return asset.body if asset else None

    def serve(self, request: RequestInfo, path: str) -> Reply:
        if request.method not in ("GET", "HEAD"):
            return Reply.json(405, {"error": "method_not_allowed", "message": "use GET"},
                              [(b"allow", b"GET, HEAD")])
        asset = self.assets().get(path[len(self.url_prefix):])
        if asset is None:
            return Reply.json(404, {"error": "not_found", "message": f"no asset {path}"})
        headers = [
            (b"content-type", asset.content_type),
            (b"etag", asset.etag),
            (b"cache-control", b"public, max-age=86400"),
            (b"vary", b"Accept-Encoding"),
            (b"x-content-type-options", b"nosniff"),
        ]
        if request.header(b"if-none-match") == asset.etag:
            return Reply(304, headers)
        body = asset.body
        accept = (request.header(b"accept-encoding") or b"").lower()
        if asset.gzipped is not None and b"gzip" in accept:
            body = asset.gzipped
            headers.append((b"content-encoding", b"gzip"))
        headers.append((b"content-length", str(len(body)).encode()))
        return Reply(200, headers, b"" if request.method == "HEAD" else body)
