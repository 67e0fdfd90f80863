"""The held-back markup: how a tag is made inert, and how the banner undoes it. Pure.

A held-back tag keeps every byte it had. Right after the tag name the rewriter inserts
``type="text/plain"`` (scripts only), ``data-consentkit="CATEGORY"`` and, for iframes,
``data-consentkit-vendor="VENDOR"``; the attributes that would fetch or run something
(``src``, ``srcset``, ``href``, ``data``, ``poster``, and ``type`` on scripts) are renamed by
prefixing ``data-consentkit-`` to their name, value and quoting untouched. :func:`restore`
is the exact inverse.
"""

from __future__ import annotations

import re
from html import escape

from .tokenizer import Attribute, parse_attributes

MARKER = b"data-consentkit"
PREFIX = b"data-consentkit-"

# The attributes renamed when a tag of this name is held back.
RENAMED: dict[bytes, frozenset[bytes]] = {
    b"script": frozenset({b"src", b"type", b"href", b"xlink:href"}),
    b"img": frozenset({b"src", b"srcset"}),
    b"image": frozenset({b"src", b"srcset", b"href", b"xlink:href"}),
    b"source": frozenset({b"src", b"srcset"}),
    b"iframe": frozenset({b"src"}),
    b"frame": frozenset({b"src"}),
    b"link": frozenset({b"href", b"imagesrcset"}),
    b"object": frozenset({b"data"}),
    b"embed": frozenset({b"src"}),
    b"video": frozenset({b"src", b"poster"}),
    b"audio": frozenset({b"src"}),
    b"input": frozenset({b"src"}),
}
RENAMED_OTHERWISE = frozenset({b"src", b"srcset", b"href", b"data", b"poster"})


def hold_back(tag: bytes, name_end: int, name: bytes, attributes: list[Attribute],
              category: str, vendor: str = "") -> bytes:
    """The inert form of a complete start tag (``name_end``: offset after the tag name)."""
    renamed = RENAMED.get(name, RENAMED_OTHERWISE)
    inserted = b' type="text/plain"' if name == b"script" else b""
    inserted += b' data-consentkit="' + _attribute_text(category) + b'"'
    if vendor and name in (b"iframe", b"frame"):
        inserted += b' data-consentkit-vendor="' + _attribute_text(vendor) + b'"'
    pieces = [tag[:name_end], inserted]
    last = name_end
    for attribute in attributes:
        if attribute.name in renamed:
            pieces.append(tag[last:attribute.start])
            pieces.append(PREFIX)
            last = attribute.start
    pieces.append(tag[last:])
    return b"".join(pieces)


def _attribute_text(text: str) -> bytes:
    found = _ATTRIBUTE_TEXTS.get(text)
    if found is None:
        found = escape(text, quote=True).encode("ascii", "xmlcharrefreplace")
        if len(_ATTRIBUTE_TEXTS) < 1024:  # category and vendor names: a small set
            _ATTRIBUTE_TEXTS[text] = found
    return found


_ATTRIBUTE_TEXTS: dict[str, bytes] = {}


_INSERTED = re.compile(
    rb'<([a-zA-Z][^\t\n\f\r />]*)(?: type="text/plain")? data-consentkit="[^"]*"'
    rb'(?: data-consentkit-vendor="[^"]*")?'
)
def restore(tag: bytes) -> bytes:
    """The original of a tag made inert by :func:`hold_back` (other tags unchanged)."""
    match = _INSERTED.match(tag)
    if match is None:
        return tag
    original = b"<" + match.group(1)
    rest = original + tag[match.end():]
    pieces = []
    last = 0
    for attribute in parse_attributes(rest, len(original)):
        if attribute.name.startswith(PREFIX):
            pieces.append(rest[last:attribute.start])
            last = attribute.start + len(PREFIX)
    pieces.append(rest[last:])
    return b"".join(pieces)
