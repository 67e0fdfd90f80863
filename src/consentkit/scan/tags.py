"""A light scan of an HTML page: the tags that load something, and the links. Pure.

This is a checker, not the rewriter: it reads a whole page (already received) with the
standard library's tolerant ``html.parser`` and reports every element that makes the
browser fetch a URL or run code, whether it is active or held back. Held back means
consentkit's markers (``data-consentkit="..."``) or a non-JavaScript ``type`` on a script
(``type="text/plain" data-category="analytics"``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

_JS_TYPES = frozenset({
    "", "module", "text/javascript", "application/javascript", "text/ecmascript",
    "application/ecmascript", "application/x-javascript", "text/jscript",
})
# Which attribute loads something, per element.
_LOADING_ATTRS: dict[str, tuple[str, ...]] = {
    "script": ("src",),
    "img": ("src", "srcset"),
    "iframe": ("src",),
    "embed": ("src",),
    "object": ("data",),
    "source": ("src", "srcset"),
    "link": ("href",),
    "video": ("src",),
    "audio": ("src",),
}
_LINK_RELS = frozenset({"preload", "prefetch", "modulepreload", "stylesheet"})
_MARKERS = ("data-consentkit", "data-category")
_SNIPPET_LEN = 160
_CODE_LEN = 20_000


@dataclass(frozen=True, slots=True)
class FoundTag:
    """One element that loads a URL or runs inline code.

    ``url`` is absolute (resolved against the page) or ``None`` for inline code;
    ``held_for`` names the category it is held back for (``None`` when active);
    ``marked`` is the category an author declared with ``data-consent="..."``.
    """

    tag: str
    url: str | None
    code: str
    source: str
    active: bool
    held_for: str | None
    marked: str | None
    line: int


@dataclass(slots=True)
class PageScan:
    tags: list[FoundTag] = field(default_factory=list)
    links: list[str] = field(default_factory=list)


def scan_html(html: str, page_url: str) -> PageScan:
    """Every loading tag and every ``<a href>`` of a page; never raises."""
    parser = _TagParser(page_url)
    try:
        parser.feed(html)
        parser.close()
    except Exception:  # a checker reports what it could read, it does not crash
        pass
    return parser.result


def _srcset_urls(value: str) -> list[str]:
    return [part.strip().split()[0] for part in value.split(",") if part.strip()]


class _TagParser(HTMLParser):
    def __init__(self, page_url: str) -> None:
        super().__init__(convert_charrefs=True)
        self.base = page_url
        self.result = PageScan()
        self._script: tuple[dict[str, str], str, int] | None = None
        self._code: list[str] = []

    # -- tags ----------------------------------------------------------------------------

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if tag == "a":
            href = values.get("href", "").strip()
            if href:
                self.result.links.append(self._absolute(href))
            return
        if tag == "base" and values.get("href"):
            self.base = self._absolute(values["href"])
            return
        if tag == "script":
            source = (self.get_starttag_text() or "")[:_SNIPPET_LEN]
            self._script = (values, source, self.getpos()[0])
            self._code = []
            if values.get("src") or values.get("data-consentkit-src"):
                self._add_loading(tag, values)
            return
        if tag in _LOADING_ATTRS:
            if tag == "link" and not (_LINK_RELS & set(values.get("rel", "").lower().split())):
                return
            self._add_loading(tag, values)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag == "script":
            self.handle_endtag(tag)

    def handle_data(self, data: str) -> None:
        if self._script is not None and sum(map(len, self._code)) < _CODE_LEN:
            self._code.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag != "script" or self._script is None:
            return
        values, source, line = self._script
        self._script = None
        code = "".join(self._code).strip()
        if code and not (values.get("src") or values.get("data-consentkit-src")):
            held = _held_for(tag, values)
            if held is not None and not _is_held_script(values):
                return
            self.result.tags.append(FoundTag(
                "script", None, code, source, held is None, held,
                values.get("data-consent") or None, line,
            ))

    # -- helpers -------------------------------------------------------------------------

    def _add_loading(self, tag: str, values: dict[str, str]) -> None:
        held = _held_for(tag, values)
        if tag == "script" and held is not None and not _is_held_script(values):
            return
        source = (self.get_starttag_text() or "")[:_SNIPPET_LEN]
        line = self.getpos()[0]
        marked = values.get("data-consent") or None
        for attr in _LOADING_ATTRS[tag]:
            raw = values.get(attr) or values.get(f"data-consentkit-{attr}") or ""
            if not raw.strip():
                continue
            urls = _srcset_urls(raw) if attr == "srcset" else [raw.strip()]
            for url in urls:
                # A live loading attribute loads, whatever marker sits beside it.
                live = bool(values.get(attr)) and (tag != "script" or held is None)
                self.result.tags.append(FoundTag(
                    tag, self._absolute(url), "", source, live, None if live else held,
                    marked, line,
                ))

    def _absolute(self, url: str) -> str:
        try:
            return urljoin(self.base, url)
        except ValueError:
            return url


def _held_for(tag: str, values: dict[str, str]) -> str | None:
    """The category an element is held back for; ``None`` when nothing holds it back.

    A script is held back by a type that is not JavaScript, another element by
    consentkit's ``data-consentkit`` marker (its loading attribute moved away)."""
    marker = (values.get("data-consentkit") or values.get("data-category")
              or values.get("data-consent"))
    if tag == "script":
        if values.get("type", "").strip().lower() in _JS_TYPES:
            return None
        return marker or "inert"
    if "data-consentkit" in values:
        return values["data-consentkit"] or "inert"
    return None


def _is_held_script(values: dict[str, str]) -> bool:
    """A non-JavaScript script only matters when it carries a consent marker (JSON data
    blocks and templates are not tags that run)."""
    return any(m in values for m in ("data-consentkit", "data-category", "data-consent"))


def same_origin(url: str, origin: str) -> bool:
    """Is ``url`` on ``origin`` (``scheme://host[:port]``)?"""
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return f"{parts.scheme}://{parts.netloc}".lower() == origin.lower()
