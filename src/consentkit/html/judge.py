"""Decides which tags are held back for one visitor. Pure.

A tag is held back when it carries ``data-consent="CATEGORY"`` for a category not granted,
or when one of the URLs it would fetch (or, for an inline script, its code) is classified
in a category not granted. URLs nobody classified are left alone.
"""

from __future__ import annotations

import re
from html import unescape
from urllib.parse import unquote

from ..catalogue import load_catalogue
from ..classify import Classifier
from .tokenizer import Attribute, first_value

Decision = tuple[str, str]  # (category, vendor)

# The attributes that make a tag fetch something, by tag name.
URL_ATTRIBUTES: dict[bytes, tuple[bytes, ...]] = {
    b"script": (b"src", b"href", b"xlink:href"),
    b"img": (b"src", b"srcset"),
    b"image": (b"src", b"srcset", b"href", b"xlink:href"),
    b"source": (b"src", b"srcset"),
    b"iframe": (b"src",),
    b"frame": (b"src",),
    b"link": (b"href", b"imagesrcset"),
    b"object": (b"data",),
    b"embed": (b"src",),
    b"video": (b"src", b"poster"),
    b"audio": (b"src",),
    b"input": (b"src",),
}
SRCSET = frozenset({b"srcset", b"imagesrcset"})
PRELOADS = frozenset({"preload", "prefetch", "modulepreload"})
JAVASCRIPT_TYPES = frozenset({
    "", "module", "text/javascript", "application/javascript", "application/ecmascript",
    "application/x-ecmascript", "application/x-javascript", "text/ecmascript",
    "text/javascript1.0", "text/javascript1.1", "text/javascript1.2", "text/javascript1.3",
    "text/javascript1.4", "text/javascript1.5", "text/jscript", "text/livescript",
    "text/x-ecmascript", "text/x-javascript",
})
_URL_NOISE = re.compile(r"[\t\n\r]")
_SPECIAL_SLASHES = re.compile(r"^(https?|wss?|ftp):/*", re.IGNORECASE)
CACHE_LIMIT = 4096


class TrackerHosts:
    """Which hosts have tracker rules at all (the policy's and the catalogue's), so that
    the many URLs of other hosts are settled without parsing them. Shared by every
    response; thread-safe (plain dict caches)."""

    def __init__(self, classifier: Classifier) -> None:
        policy = classifier.policy
        rules = list(policy.trackers)
        if policy.use_catalogue:
            rules += load_catalogue().trackers
        self.hosts = frozenset(rule.host.lower().strip(".") for rule in rules)
        self.verdicts: dict[str, bool] = {}
        self.raw_verdicts: dict[bytes, bool] = {}
        self.urls: dict[bytes, Decision | None] = {}
        self.plain_urls: dict[bytes, Decision | None] = {}

    def raw_verdict(self, found: bytes) -> bool:
        """May what follows a '//' in a tag (see ``_URL_SIGNS``) name a host with tracker
        rules? Empty (a tab or new line after '/', or '///'), or ending in a byte that
        browsers drop or decode, it may always. Cached."""
        seen = self.raw_verdicts
        verdict = not found or found[-1] in _BROKEN_HOST_END or self.may_track(
            _bare_host(found.decode("latin-1")))
        if len(seen) >= CACHE_LIMIT:
            seen.clear()
        seen[found] = verdict
        return verdict

    def may_track(self, host: str) -> bool:
        found = self.verdicts.get(host)
        if found is None:
            labels = host.split(".")
            found = any(".".join(labels[i:]) in self.hosts for i in range(len(labels)))
            if len(self.verdicts) >= CACHE_LIMIT:
                self.verdicts.clear()
            self.verdicts[host] = found
        return found


class TagJudge:
    """Holds back what ``granted`` does not cover. Cheap to build (one per response)."""

    __slots__ = ("classifier", "granted", "hosts")

    def __init__(self, classifier: Classifier, granted: frozenset[str],
                 hosts: TrackerHosts | None = None) -> None:
        self.classifier = classifier
        self.granted = granted
        self.hosts = hosts if hosts is not None else TrackerHosts(classifier)

    def may_hold(self, data: bytes, start: int, end: int) -> bool:
        """A quick look at a whole start tag, ``data[start:end]``: ``False`` when no URL in
        it can name a host with tracker rules, so that its attributes need not be parsed.
        Conservative: any spelling that could hide a host (entities, backslashes, percent
        signs in a host, a special scheme without ``//``, a tab or new line after a slash)
        answers ``True``."""
        hosts = self.hosts
        seen = hosts.raw_verdicts
        for found in _URL_SIGNS.findall(data, start, end):
            verdict = seen.get(found)
            if verdict is None:
                verdict = hosts.raw_verdict(found)
            if verdict:
                return True
        return (data.find(b"\\", start, end) >= 0
                or _ENTITY.search(data, start, end) is not None
                or _SCHEME_WITHOUT_SLASHES.search(data, start, end) is not None)

    def tag(self, name: bytes, attributes: list[Attribute],
            marked: bool = True) -> Decision | None:
        """The category (and vendor) to hold this start tag back for, or ``None``.
        ``marked`` ``False``: the caller knows that no attribute name contains
        "data-consent" (so neither a mark nor an earlier hold-back can be there)."""
        if marked:
            for attribute in attributes:
                if attribute.name.startswith(b"data-consentkit"):
                    return None  # already held back by the page itself
            value = first_value(attributes, b"data-consent")
            if value is not None:
                category = value.decode("latin-1").strip().lower()
                if category:
                    return None if category in self.granted else (category, "")
        if name == b"script" and not is_executable(attributes):
            return None  # JSON, templates, and type="text/plain" data-category="..."
        if name == b"link" and not _is_preload(attributes):
            return None
        for attribute_name in URL_ATTRIBUTES.get(name, ()):
            value = first_value(attributes, attribute_name)
            if not value:
                continue
            urls = _srcset_urls(value) if attribute_name in SRCSET else (value,)
            for url in urls:
                found = self.url(url)
                if found is not None and found[0] not in self.granted:
                    return found
        return None

    def url(self, raw: bytes) -> Decision | None:
        """The category and vendor of a URL attribute value (``None``: unknown)."""
        plain = _PLAIN_URL_BASE.match(raw)
        if plain is None or (plain.end() < len(raw) and raw[plain.end()] not in b"?#"):
            return self._url(raw)
        # A plain absolute URL: nothing in it before its query is spelled in a way a
        # browser would read differently, so the answer depends on that part only.
        base = plain.group()
        known = self.hosts.plain_urls
        if base in known:
            return known[base]
        found = self._url(raw)
        if len(known) >= CACHE_LIMIT:
            known.clear()
        known[base] = found
        return found

    def _url(self, raw: bytes) -> Decision | None:
        hosts = self.hosts
        cache = hosts.urls
        if raw in cache:
            return cache[raw]
        url = normalise_url(raw)
        if url is None:
            return None
        host = _HOST.match(url)
        if host is None:
            return None
        authority = host.group(1)
        spelled = authority
        if "%" in authority:  # browsers percent-decode host names
            authority = unquote(authority)
        authority = _TRAILING_DOTS.sub("", authority)  # 'host.' is the same host
        if authority != spelled:
            url = url[:host.start(1)] + authority + url[host.end(1):]
        if not hosts.may_track(_bare_host(authority)):
            return None
        # Rules look at the host and the path only: URLs differing in their query share
        # one answer (pixels carry a new query on every page).
        base = url.split("#", 1)[0].split("?", 1)[0]
        key = base.encode("latin-1", "replace")
        if key in cache:
            return cache[key]
        found: Decision | None = None
        result = self.classifier.url(base)
        if result.category is not None:
            found = (result.category, result.vendor)
        if len(cache) >= CACHE_LIMIT:
            cache.clear()
        cache[key] = found
        return found

    def inline(self, code: bytes) -> Decision | None:
        """Hold-back decision for the code of an inline script."""
        result = self.classifier.inline_script(code.decode("latin-1"))
        if result.category is None or result.category in self.granted:
            return None
        return (result.category, result.vendor)


# Quick reading of a tag's URLs (see TagJudge.may_hold). _URL_SIGNS, one match per '/'
# that matters: a host after '//' (the group), with the byte that ends it if that is a
# tab or new line, which browsers drop, or a percent sign, which they decode (the host
# is then "broken"), or, with the group empty, a tab or new line after '/'. Then the
# spellings that could hide a host anywhere: a backslash, an entity other than '&amp;',
# a colon not followed by '//' right after the end of a special scheme's name (http,
# https, ws, wss, ftp all end in 's' or 'p') or after a tab or new line. Each pattern
# starts with one literal byte, so that the search skips to the next one in C (a pattern
# with all of them tests every byte against a set, and is slower than the searches).
_URL_SIGNS = re.compile(rb"/(?:/([^/?#\"'>\\ \f\t\n\r&%]*+[\t\n\r%]?)|[\t\n\r])")
_BROKEN_HOST_END = b"\t\n\r%"
_ENTITY = re.compile(rb"&(?!amp;)")
_SCHEME_WITHOUT_SLASHES = re.compile(rb":(?<=[sSpP\t\n\r]:)(?!//)")
# The part before the query of an absolute URL with nothing to decode or drop in it.
_PLAIN_URL_BASE = re.compile(rb"(?:https?:)?//[^\x00-\x20\x7f-\xff&%\\\\?#]*+")
_TRAILING_DOTS = re.compile(r"\.+(?=(?::[0-9]*)?$)")
_HOST = re.compile(r"(?:[a-zA-Z][a-zA-Z0-9+.-]*:)?//([^/?#]*)")


def _bare_host(authority: str) -> str:
    host = authority.rpartition("@")[2]
    if host.startswith("["):
        return host.lower()
    return host.partition(":")[0].lower().strip(".")


def needs_code(name: bytes, attributes: list[Attribute]) -> bool:
    """Is this an inline classic or module script, to be judged by its code?"""
    return (name == b"script" and first_value(attributes, b"src") is None
            and is_executable(attributes))


def is_executable(attributes: list[Attribute]) -> bool:
    kind = first_value(attributes, b"type")
    if kind is None:
        return True
    return kind.decode("latin-1").strip().lower() in JAVASCRIPT_TYPES


def _is_preload(attributes: list[Attribute]) -> bool:
    rel = first_value(attributes, b"rel")
    return rel is not None and not PRELOADS.isdisjoint(rel.decode("latin-1").lower().split())


def _srcset_urls(value: bytes) -> list[bytes]:
    urls = []
    for candidate in value.split(b","):
        words = candidate.split()
        if words:
            urls.append(words[0])
    return urls


def normalise_url(raw: bytes) -> str | None:
    """The URL as a browser would read it for its host: entities decoded, tabs and new
    lines dropped, backslashes as slashes; ``None`` for a URL without a host."""
    url = raw.decode("latin-1")
    if "&" in url:
        url = unescape(url)
    url = _URL_NOISE.sub("", url).strip(" \x00\x01\x02\x03\x04\x05\x06\x07\x08\x0b\x0c\x0e"
                                         "\x0f\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1a"
                                         "\x1b\x1c\x1d\x1e\x1f").replace("\\", "/")
    if url.startswith("//"):  # browsers skip any further slashes before the host
        return "//" + url.lstrip("/")
    match = _SPECIAL_SLASHES.match(url)
    if match is not None:  # 'https:x', 'https:/x', 'https:///x' all name host x
        return match.group(1) + "://" + url[match.end():]
    if "://" in url[:12]:
        return url
    return None
