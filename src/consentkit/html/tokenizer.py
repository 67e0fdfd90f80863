"""Byte-level pieces of the HTML tokenizer, as the WHATWG tokenizer reads them. Pure.

Everything here works on ``bytes`` of an ASCII-compatible encoding: the characters that
delimit markup (``< > / = " ' - ! ?``, ASCII whitespace, ASCII letters after ``<``) are
single bytes there and never the trailing byte of a multibyte character (UTF-8, EUC-KR,
GBK have trailing bytes >= 0x80; Shift_JIS and Big5 have trailing bytes from 0x40, which
are letters and punctuation such as ``\\`` but never one of the delimiters above, and a
letter only matters right after a real ``<``).

The regular expressions mirror the tokenizer states:

- a start tag is ``<`` + ASCII letter, a tag name up to whitespace, ``/`` or ``>``, then
  attributes: a name (its first character may be ``=``), optionally ``=`` and a value
  that is double-quoted, single-quoted or unquoted (up to whitespace or ``>``); a quote
  only opens a value right after ``=``; the tag ends at the first ``>`` outside a quoted
  value. An unterminated quote makes the match fail: the tag is incomplete.
- comments end at ``-->`` or ``--!>``, or at once for ``<!-->`` and ``<!--->``;
  ``<!...>``, ``<?...>`` and ``</`` + non-letter are bogus comments ending at ``>``.
- script data knows the escape states: ``<!--`` ... ``<script>`` inside a script makes a
  later ``</script>`` not the end.
"""

from __future__ import annotations

import re
from typing import NamedTuple

_SEP = rb"[\t\n\f\r /]++"
_NAME = rb"[^\t\n\f\r />][^\t\n\f\r /=>]*+"
_VALUE = rb"(?:\"[^\"]*+\"|'[^']*+'|(?=>)|[^\t\n\f\r >\"'][^\t\n\f\r >]*+)"
# After a name: if an '=' follows (after whitespace) the value must match, else nothing.
_AFTER_NAME = (rb"(?:(?=[\t\n\f\r ]*+=)[\t\n\f\r ]*+=[\t\n\f\r ]*+" + _VALUE
               + rb"|(?![\t\n\f\r ]*+=))")
ATTRIBUTES = rb"(?:" + _SEP + rb"|" + _NAME + _AFTER_NAME + rb")*+"
_TAG_NAME = rb"[a-zA-Z][^\t\n\f\r />]*+"

START_TAG = re.compile(rb"<(" + _TAG_NAME + rb")(" + ATTRIBUTES + rb")>")
END_TAG = re.compile(rb"</(" + _TAG_NAME + rb")" + ATTRIBUTES + rb">")
# One attribute with the separators before it (group 1), for findall: the matches follow
# one another, so their offsets add up. Group 2: the name; group 3: '=' and the value as
# written (empty without '='); groups 4-6: the value double-quoted, single-quoted, bare.
_ATTRIBUTES_AT = re.compile(
    rb"([\t\n\f\r />]*+)([^\t\n\f\r />][^\t\n\f\r /=>]*+)"
    rb"((?:[\t\n\f\r ]*+=[\t\n\f\r ]*+(?:\"([^\"]*+)\"|'([^']*+)'|([^\t\n\f\r >]*+))|))"
)
COMMENT_END = re.compile(rb"--!?>")
CDATA_END = re.compile(rb"]]>")
STRAY_LT = rb"<(?=[^a-zA-Z/!?])"

# Start tags the rewriter looks at.
RAW_TEXT = frozenset({b"style", b"textarea", b"title", b"xmp", b"iframe", b"noembed",
                      b"noframes"})
FETCHING = frozenset({b"script", b"img", b"image", b"iframe", b"link", b"object", b"embed",
                      b"source", b"video", b"audio", b"input", b"frame"})
STRUCTURE = frozenset({b"html", b"head", b"body", b"template", b"svg", b"math", b"noscript",
                       b"plaintext"})
INTERESTING_START = RAW_TEXT | FETCHING | STRUCTURE
INTERESTING_END = frozenset({b"head", b"template"})


def _alternation(names: frozenset[bytes]) -> bytes:
    """A regular expression matching any of ``names``, as a trie: at each '<' the engine
    tries one branch per first letter instead of every name in turn."""
    by_first: dict[bytes, list[bytes]] = {}
    for name in sorted(names):
        by_first.setdefault(name[:1], []).append(name[1:])
    branches = []
    for first, rests in by_first.items():
        longer = frozenset(rest for rest in rests if rest)
        if not longer:
            branches.append(re.escape(first))
            continue
        optional = b"?" if b"" in rests else b""
        branches.append(re.escape(first) + b"(?:" + _alternation(longer) + b")" + optional)
    return b"(?:" + b"|".join(branches) + b")"


# The data-state scanner. One match copies text and every tag the rewriter has no
# business with (comments, doctype and other bogus comments, end tags, start tags of
# other names), entirely inside the regular expression engine, and stops at the first
# construct Python must look at. It accepts only the common shapes (lower-case names,
# ``name``, ``name="v"``, ``name='v'``, ``name=v`` separated by whitespace or '/');
# anything else stops it, and the rewriter reads that construct with the exact grammar
# above. So it never disagrees with a browser: it may only stop early. A quote opens a
# value only right after ``=``, so a '<' or '>' inside a quoted value never ends a tag.
# (Possessive throughout, and the optional value written as an alternative that may be
# empty rather than with '?': that saves the engine a repeat per attribute, about a
# fifth of the time on tags with several attributes.)
_PLAIN_NAME = rb"[^\t\n\f\r />\"'=]++"
_PLAIN_VALUE = rb"(?:=\"[^\"]*+\"|='[^']*+'|=[^\t\n\f\r >\"'=`<][^\t\n\f\r >\"'=`<]*+|)"
_PLAIN_ATTRIBUTES = rb"(?:" + _SEP + _PLAIN_NAME + _PLAIN_VALUE + rb")*+[\t\n\f\r /]*+>"
_DELIMITER = rb"[\t\n\f\r />]"
# After '<': an end tag or a start tag of another name, a whole comment or bogus
# comment, or a stray '<' (text).
_BORING_AFTER_LT = (
    rb"/(?!" + _alternation(INTERESTING_END) + _DELIMITER
    + rb")[a-z][^\t\n\f\r />A-Z]*+[\t\n\f\r ]*+>"
    rb"|(?!" + _alternation(INTERESTING_START) + _DELIMITER + rb")[a-z][^\t\n\f\r />A-Z]*+"
    + _PLAIN_ATTRIBUTES
    + rb"|!(?:--(?:-?>|(?:[^-]++|-(?!-!?>))*+--!?>)"  # a comment
    rb"|(?!--)[^>]*+>)"  # '<!DOCTYPE ...>' and other bogus comments
    rb"|\?[^>]*+>"  # '<?xml ...?>'
    rb"|(?=[^a-zA-Z/!?])"  # a stray '<'
)
# Tags that only fetch and change nothing else in how the page is read (images...).
PLAIN_FETCHING = FETCHING - {b"script", b"iframe"}
# Group 1, when it matched: the name of a start tag the rewriter looks at, right after
# the skipped stretch, the tag ending where the match ends. Tags with data-consent are
# Python's too: the rewriter ends the scan (``endpos``) where that word is.
DATA_SCAN = re.compile(
    rb"(?:[^<]*+<(?:" + _BORING_AFTER_LT + rb"))*+[^<]*+"
    rb"(?:<(" + _alternation(INTERESTING_START) + rb")(?=" + _DELIMITER + rb")"
    + _PLAIN_ATTRIBUTES + rb")?"
)
# "data-consent" in any case, found by its '-' (a literal the search skips to in C).
_MARK = re.compile(rb"-[cC][oO][nN][sS][eE][nN][tT](?<=[dD][aA][tT][aA]-.......)")


def find_mark(data: bytes, pos: int) -> int:
    """The offset of the first ``data-consent`` (in any case) that starts at or after
    ``pos``, or ``len(data)`` if there is none."""
    found = _MARK.search(data, pos + 4)
    return found.start() - 4 if found is not None else len(data)

SCRIPT_EVENTS = re.compile(rb"<!--|-->|<(/?)script(?=[\t\n\f\r />])", re.IGNORECASE)
SCRIPT_TAIL = 8  # len(b"</script"): bytes kept back when a script's end is not found yet

_RAW_END: dict[bytes, re.Pattern[bytes]] = {}


def raw_text_end(name: bytes) -> re.Pattern[bytes]:
    """The end tag opening (``</name`` + delimiter) of a raw-text element."""
    found = _RAW_END.get(name)
    if found is None:
        found = re.compile(rb"</" + re.escape(name) + rb"(?=[\t\n\f\r />])", re.IGNORECASE)
        _RAW_END[name] = found
    return found


RAW_TAIL = 11  # len(b"</noframes") + 1


class Attribute(NamedTuple):
    """One attribute of a tag: ``name`` in lower case, ``start`` the offset of its name in
    the tag bytes, ``value`` raw (entities not decoded) or ``None`` without ``=``."""

    name: bytes
    start: int
    value: bytes | None


def parse_attributes(tag: bytes, offset: int,
                     wanted: frozenset[bytes] | None = None) -> list[Attribute]:
    """The attributes of a complete tag, from ``offset`` (just after the tag name); with
    ``wanted``, only those of these (lower-case) names."""
    new = tuple.__new__
    found: list[Attribute] = []
    append = found.append
    at = offset
    for space, name, rest, double, single, bare in _ATTRIBUTES_AT.findall(
        tag, offset, len(tag) - 1
    ):
        start = at + len(space)
        at = start + len(name) + len(rest)
        name = name.lower()
        if wanted is None or name in wanted:
            append(new(Attribute, (name, start, (double or single or bare) if rest else None)))
    return found


def first_value(attributes: list[Attribute], name: bytes) -> bytes | None:
    """The value of the first attribute called ``name`` (browsers ignore duplicates)."""
    for attribute in attributes:
        if attribute.name == name:
            return attribute.value if attribute.value is not None else b""
    return None


class ScriptScanner:
    """Finds the end of script data across chunks, with the escape states of the spec."""

    __slots__ = ("state",)

    NORMAL, ESCAPED, DOUBLE = 0, 1, 2

    def __init__(self) -> None:
        self.state = self.NORMAL

    def find_end(self, data: bytes, start: int) -> tuple[int, int]:
        """``(end, resume)``: ``end`` is the offset of the ``</script`` that ends the
        script (``-1`` if not in ``data``); ``resume`` is where to scan again once more
        bytes arrive."""
        pos = start
        length = len(data)
        while True:
            match = SCRIPT_EVENTS.search(data, pos)
            if match is None:
                return -1, max(pos, length - SCRIPT_TAIL)
            token = match.group(0)
            at = match.start()
            state = self.state
            if token == b"<!--":
                if state == self.NORMAL:
                    self.state = self.ESCAPED
                pos = at + 2  # '<!-->' closes at once
            elif token == b"-->":
                self.state = self.NORMAL
                pos = match.end()
            elif match.group(1):  # </script
                if state == self.DOUBLE:
                    self.state = self.ESCAPED
                else:
                    return at, at
                pos = match.end()
            else:  # <script
                if state == self.ESCAPED:
                    self.state = self.DOUBLE
                pos = match.end()


class TagScanner:
    """Follows a tag byte by byte to its closing ``>`` (used only for a tag longer than
    the carry-over limit, so that it streams instead of being held)."""

    __slots__ = ("state",)

    TAG_NAME, BEFORE, NAME, AFTER_NAME, BEFORE_VALUE, DQ, SQ, UNQUOTED = range(8)
    _STOPS = {
        TAG_NAME: re.compile(rb"[\t\n\f\r />]"),
        NAME: re.compile(rb"[\t\n\f\r /=>]"),
        UNQUOTED: re.compile(rb"[\t\n\f\r >]"),
    }
    _SPACE = re.compile(rb"[\t\n\f\r ]*")
    _SPACE_SLASH = re.compile(rb"[\t\n\f\r /]*")

    def __init__(self) -> None:
        self.state = self.TAG_NAME

    def find_end(self, data: bytes, pos: int) -> int:
        """The offset just after the tag's ``>``, or ``-1`` if it is not in ``data``."""
        length = len(data)
        while pos < length:
            state = self.state
            if state in (self.TAG_NAME, self.NAME, self.UNQUOTED):
                match = self._STOPS[state].search(data, pos)
                if match is None:
                    return -1
                pos = match.start()
                char = data[pos]
                pos += 1
                if char == 0x3E:  # >
                    return pos
                if char == 0x3D and state == self.NAME:  # =
                    self.state = self.BEFORE_VALUE
                elif char == 0x2F or state != self.NAME:  # '/', or whitespace
                    self.state = self.BEFORE
                else:
                    self.state = self.AFTER_NAME
            elif state in (self.DQ, self.SQ):
                close = data.find(b'"' if state == self.DQ else b"'", pos)
                if close < 0:
                    return -1
                pos = close + 1
                self.state = self.BEFORE
            else:
                skip = self._SPACE_SLASH if state == self.BEFORE else self._SPACE
                pos = skip.match(data, pos).end()  # type: ignore[union-attr]
                if pos >= length:
                    return -1
                char = data[pos]
                if char == 0x3E:
                    return pos + 1
                if state == self.BEFORE_VALUE:
                    self.state = {0x22: self.DQ, 0x27: self.SQ}.get(char, self.UNQUOTED)
                    pos += char in (0x22, 0x27)
                elif state == self.AFTER_NAME and char == 0x3D:
                    self.state = self.BEFORE_VALUE
                    pos += 1
                elif state == self.AFTER_NAME and char == 0x2F:
                    self.state = self.BEFORE
                    pos += 1
                else:
                    self.state = self.NAME
                    pos += 1
        return -1
