"""The streaming HTML rewriter: body chunks in, body chunks out. Pure.

One compiled regular expression (:data:`.tokenizer.DATA_SCAN`) does most of the work: in
one call it reads text and every construct the rewriter has no business with (comments,
doctypes, end tags, start tags of other names, attribute values included) exactly as a
browser reads them, and stops at the next place the rewriter must look at (scripts,
images, iframes, links, objects, embeds, raw-text elements, ``<noscript>``, ``<head>``,
``<body>``, ``<template>``, SVG/MathML), capturing that start tag whole. Anything it does
not recognise as plainly written stops it too, and the exact grammar of
:mod:`.tokenizer` takes over; a tag with ``data-consent`` is always read that way (the
scan ends where that word is). Everything the rewriter does not change is copied as
slices of the input, so a page with nothing to hold back comes out byte for byte apart
from the injected tags.

Carry-over between chunks is bounded:

- an unfinished tag is held up to :data:`TAG_LIMIT` bytes. Past that, a tag that could
  fetch or run something (or changes how the rest is parsed) is written out as text
  (``&lt;`` instead of ``<``), so it can never become active; any other tag streams as it
  is. Either way the rewriter follows the tag to its real end and carries on.
- an inline ``<script>`` is held, start tag and code, until its end tag or until
  :data:`INLINE_LIMIT` bytes of code: it is judged on that much code (known snippets
  identify themselves in their first lines), then streamed.
- comments and raw text stream, holding back at most the length of their end marker.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Protocol

from . import tokenizer as tk
from .holdback import RENAMED, RENAMED_OTHERWISE, hold_back
from .judge import URL_ATTRIBUTES, TagJudge, needs_code

TAG_LIMIT = 256 * 1024
INLINE_LIMIT = 64 * 1024
CONTEXT_LIMIT = 256

# Start tags that leave SVG/MathML for HTML (the "breakout" list of the tree builder).
BREAKOUT = frozenset(
    b"b big blockquote body br center code dd div dl dt em embed h1 h2 h3 h4 h5 h6 head hr "
    b"i img li listing menu meta nobr ol p pre ruby s small span strong strike sub sup "
    b"table tt u ul var".split()
)
_FOREIGN_ROOTS = frozenset({b"svg", b"math"})
INTEGRATION = {b"svg": frozenset({b"foreignobject", b"desc", b"title"}),
               b"math": frozenset({b"mi", b"mo", b"mn", b"ms", b"mtext", b"annotation-xml"})}
# Over-long tags of these names are written out as text rather than left to chance.
ESCAPED_WHEN_LONG = tk.FETCHING | tk.RAW_TEXT | frozenset(
    {b"noscript", b"plaintext", b"svg", b"math", b"template"})
_NOSCRIPT_END = tk.raw_text_end(b"noscript")
_TAG_NAME_AT = re.compile(rb"</?([a-zA-Z][^\t\n\f\r />]*)")

DATA, COMMENT, BOGUS, CDATA, RAWTEXT, SCRIPT, HELD, NOSCRIPT, PLAINTEXT, LONG_TAG = range(10)


class Injection(Protocol):
    """What the rewriter places into the page (see :mod:`consentkit.html.inject`)."""

    def head_start(self) -> bytes:
        """Markup for the very start of ``<head>`` (the Consent Mode default)."""
        ...

    def banner(self, lang: str | None) -> bytes:
        """The banner's tags, for the page language found in ``<html lang>``."""
        ...


Handler = Callable[["HtmlRewriter", bytes, int, list[bytes], bool], "int | None"]


class HtmlRewriter:
    """Rewrites one HTML document. ``judge`` ``None`` holds nothing back; ``injection``
    ``None`` injects nothing. ``feed`` any number of chunks, then ``close`` once."""

    def __init__(self, judge: TagJudge | None, injection: Injection | None = None, *,
                 in_noscript: bool = False) -> None:
        self.judge = judge
        self.injection = injection
        self.in_noscript = in_noscript
        self.mode = DATA
        self.carry = b""
        self.contexts: list[tuple[bytes, bool]] = []  # (name, is_foreign)
        self.template_depth = 0
        self.lang: str | None = None
        self.html_seen = False
        self.head_seen = False
        self.head_start_pending = injection is not None and bool(injection.head_start())
        self.banner_pending = injection is not None
        self.open_at_end = False
        self.raw_end = _NOSCRIPT_END
        self.script = tk.ScriptScanner()
        self.scan_at = 0
        self.held_tag = b""
        self.held_name_end = 0
        self.held_attributes: list[tk.Attribute] = []
        self.child: HtmlRewriter | None = None
        self.tag_scanner = tk.TagScanner()

    # -- the public side -------------------------------------------------------------------

    def feed(self, chunk: bytes) -> bytes:
        return self._run(chunk, False)

    def close(self) -> bytes:
        return self._run(b"", True)

    def _run(self, chunk: bytes, final: bool) -> bytes:
        data = self.carry + chunk if self.carry else chunk
        self.carry = b""
        self.marked_at = -1
        out: list[bytes] = []
        pos: int | None = 0
        while pos is not None:
            pos = _HANDLERS[self.mode](self, data, pos, out, final)
        if final:
            self._finish(out)
        if len(out) == 1:
            return out[0]
        return b"".join(out)

    # -- data --------------------------------------------------------------------------------

    def _data(self, data: bytes, pos: int, out: list[bytes], final: bool) -> int | None:
        length = len(data)
        if self.head_start_pending or self.contexts:
            stop = data.find(b"<", pos)
            if stop < 0:
                out.append(data[pos:] if pos else data)
                return None
            if stop > pos:
                out.append(data[pos:stop])
            return self._markup(data, stop, out, final)
        scan = tk.DATA_SCAN.match
        plain_fetching = tk.PLAIN_FETCHING
        may_hold = self.judge.may_hold if self.judge is not None else None
        copied = pos  # data[copied:pos] goes out unchanged
        marked = self.marked_at
        while True:
            if marked < pos:
                marked = self.marked_at = tk.find_mark(data, pos)
            # The scan stops short of "data-consent": the tag that carries it (if any) is
            # read by the exact grammar, and judged by its mark.
            match = scan(data, pos, marked)
            assert match is not None  # every part of the pattern is optional
            name = match.group(1)
            end = match.end()
            if name is None:  # stopped where Python must look, or at the end
                if end >= length:
                    out.append(data[copied:] if copied else data)
                    return None
                if end == marked:  # "data-consent" in text, not in a tag
                    pos = end + 1
                    continue
                if end > copied:
                    out.append(data[copied:end])
                return self._markup(data, end, out, final)
            at, name_end = match.span(1)
            at -= 1
            if name in plain_fetching:
                # The common case: an image or another tag that only fetches.
                if may_hold is not None and may_hold(data, at, end):
                    if at > copied:
                        out.append(data[copied:at])
                    out.append(self._decided(data[at:end], name, name_end - at, False))
                    copied = end
                pos = end
                continue
            # A tag that changes how the rest is read, or where the banner goes.
            if at > copied:
                out.append(data[copied:at])
            pos = self._open(data, at, name_end, end, name, out)
            while self.mode != DATA:  # a script, raw text...: read on to its end
                found = _HANDLERS[self.mode](self, data, pos, out, final)
                if found is None:
                    return None
                pos = found
            if self.head_start_pending or self.contexts:
                return pos
            copied = pos
            marked = self.marked_at

    def _next_mark(self, data: bytes, pos: int) -> int:
        """The offset of the first "data-consent" at or after ``pos`` (``len(data)`` if
        none); ``pos`` never goes back within one call of :meth:`_run`."""
        marked = self.marked_at
        if marked < pos:
            marked = self.marked_at = tk.find_mark(data, pos)
        return marked

    def _markup(self, data: bytes, at: int, out: list[bytes], final: bool) -> int | None:
        length = len(data)
        if at + 1 >= length:
            return self._unfinished(data, at, out, final)
        char = data[at + 1]
        if _is_letter(char):
            return self._start_tag(data, at, out, final)
        if char == 0x2F:  # '/'
            if at + 2 >= length:
                return self._unfinished(data, at, out, final)
            if _is_letter(data[at + 2]):
                return self._end_tag(data, at, out, final)
            self.mode = BOGUS
            return at
        if char == 0x21:  # '!'
            if data.startswith(b"<!--", at):
                if at + 6 > length and not final:
                    return self._unfinished(data, at, out, final)
                if data.startswith(b">", at + 4) or data.startswith(b"->", at + 4):
                    end = at + (5 if data[at + 4] == 0x3E else 6)
                    out.append(data[at:end])
                    return end
                out.append(b"<!--")
                self.mode = COMMENT
                return at + 4
            if length - at < 9 and not final and (
                b"<!--".startswith(data[at:at + 4]) or b"<![CDATA[".startswith(data[at:])
            ):
                return self._unfinished(data, at, out, final)
            if self._foreign() and data.startswith(b"<![CDATA[", at):
                out.append(b"<![CDATA[")
                self.mode = CDATA
                return at + 9
            self.mode = BOGUS
            return at
        if char == 0x3F:  # '?'
            self.mode = BOGUS
            return at
        out.append(b"<")
        return at + 1

    def _unfinished(self, data: bytes, at: int, out: list[bytes], final: bool) -> int | None:
        """``data[at:]`` is the start of a construct whose end has not arrived."""
        if final:
            rest = data[at:]
            self.open_at_end = True
            if self.in_noscript and self._long_tag_is_dangerous(rest):
                out.append(b"&lt;" + rest[1:])
            else:
                out.append(rest)
            return None
        if len(data) - at > TAG_LIMIT:
            return self._long_tag(data, at, out)
        self.carry = data[at:]
        return None

    def _long_tag_is_dangerous(self, tag: bytes) -> bool:
        match = _TAG_NAME_AT.match(tag)
        if match is None or tag.startswith(b"</"):
            return False
        return (match.group(1).lower() in ESCAPED_WHEN_LONG
                or b"data-consent" in tag.lower())

    def _long_tag(self, data: bytes, at: int, out: list[bytes]) -> int | None:
        match = _TAG_NAME_AT.match(data, at)
        if match is None:  # '<!' or '<?' that never ends: a bogus comment to the next '>'
            self.mode = BOGUS
            return at
        if self._long_tag_is_dangerous(data[at:]):
            out.append(b"&lt;")
            at += 1
        self.tag_scanner = tk.TagScanner()
        self.mode = LONG_TAG
        out.append(data[at:match.end()])
        return match.end()

    # -- tags --------------------------------------------------------------------------------

    def _start_tag(self, data: bytes, at: int, out: list[bytes], final: bool) -> int | None:
        match = tk.START_TAG.match(data, at)
        if match is None:
            return self._unfinished(data, at, out, final)
        return self._open(data, at, match.end(1), match.end(), match.group(1).lower(), out)

    def _open(self, data: bytes, at: int, name_end: int, end: int, name: bytes,
              out: list[bytes]) -> int:
        """The start tag ``data[at:end]`` called ``name`` (lower case), its name ending at
        ``name_end``."""
        tag = data[at:end]
        name_end -= at
        marked = self._next_mark(data, at) < end  # "data-consent" in the tag
        contexts = self.contexts
        if (contexts or self.head_start_pending or name in _FOREIGN_ROOTS) and self._in_context(
            data, at, tag, name, name_end, marked, out
        ):
            return end
        if name == b"script":
            return self._script_tag(data, at, tag, name_end, out, marked)
        if name in tk.RAW_TEXT:
            self.raw_end = tk.raw_text_end(name)
            self.mode = RAWTEXT
        elif name == b"html":
            if not self.html_seen:
                self.html_seen = True
                lang = tk.first_value(tk.parse_attributes(tag, name_end), b"lang")
                if lang:
                    self.lang = lang.decode("latin-1").strip()
        elif name == b"head":
            out.append(tag)
            if not self.head_seen:
                self.head_seen = True
                if self.head_start_pending:
                    out.append(self._take_head_start())
            return end
        elif name == b"body":
            out.append(self._judged(data, at, tag, name, name_end, marked))
            if self.banner_pending and self.template_depth == 0:
                out.append(self._take_banner())
            return end
        elif name == b"template":
            self.template_depth += 1
        elif name == b"noscript" and not self.in_noscript:
            out.append(self._judged(data, at, tag, name, name_end, marked))
            self.child = HtmlRewriter(self.judge, in_noscript=True)
            self.mode = NOSCRIPT
            return end
        elif name == b"plaintext":
            out.append(tag)
            self.mode = PLAINTEXT
            return end
        out.append(self._judged(data, at, tag, name, name_end, marked))
        return end

    def _in_context(self, data: bytes, at: int, tag: bytes, name: bytes, name_end: int,
                    marked: bool, out: list[bytes]) -> bool:
        """What a start tag does to SVG/MathML and to the Consent Mode default that is
        still waiting for ``<head>``: ``True`` when that deals with the tag (it is foreign
        content, or opens SVG/MathML)."""
        contexts = self.contexts
        if contexts and contexts[-1][1] and name in BREAKOUT:
            while contexts and contexts[-1][1]:
                contexts.pop()
        if self.head_start_pending and name not in (b"html", b"head"):
            out.append(self._take_head_start())
        foreign = bool(contexts) and contexts[-1][1]
        if data[at + len(tag) - 2] != 0x2F and len(contexts) < CONTEXT_LIMIT:  # not '/>'
            if name in _FOREIGN_ROOTS:
                contexts.append((name, True))
            elif foreign and name in INTEGRATION.get(self._foreign_root(), ()):
                contexts.append((name, False))
        if foreign or name in _FOREIGN_ROOTS:
            out.append(self._judged(data, at, tag, name, name_end, marked))
            return True
        return False

    def _judged(self, data: bytes, at: int, tag: bytes, name: bytes, name_end: int,
                marked: bool) -> bytes:
        """The tag ``tag`` (``data[at:]`` up to its end) as it goes out: held back if the
        judge says so, else untouched. ``marked``: the tag has "data-consent" in it."""
        judge = self.judge
        if judge is None:
            return tag
        if not marked and (name not in tk.FETCHING
                           or not judge.may_hold(data, at, at + len(tag))):
            return tag  # no mark, and no URL that could name a tracker's host
        return self._decided(tag, name, name_end, marked)

    def _decided(self, tag: bytes, name: bytes, name_end: int, marked: bool) -> bytes:
        """The judge's full reading of a start tag (``name_end``: offset after its name)."""
        assert self.judge is not None
        # Without a mark, only the attributes that the judge reads or hold_back renames.
        attributes = tk.parse_attributes(tag, name_end, None if marked else _read(name))
        decision = self.judge.tag(name, attributes, marked)
        if decision is None:
            return tag
        return hold_back(tag, name_end, name, attributes, decision[0], decision[1])

    def _script_tag(self, data: bytes, at: int, tag: bytes, name_end: int, out: list[bytes],
                    marked: bool) -> int:
        end = at + len(tag)
        self.script = tk.ScriptScanner()
        self.mode = SCRIPT
        if self.judge is None:
            out.append(tag)
            return end
        attributes = tk.parse_attributes(tag, name_end) if name_end < len(tag) - 1 else []
        if tk.first_value(attributes, b"data-consent") is None and needs_code(
            b"script", attributes
        ):
            self.mode = HELD
            self.held_tag = tag
            self.held_name_end = name_end
            self.held_attributes = attributes
            self.scan_at = end
            return end
        out.append(self._judged(data, at, tag, b"script", name_end, marked))
        return end

    def _end_tag(self, data: bytes, at: int, out: list[bytes], final: bool) -> int | None:
        match = tk.END_TAG.match(data, at)
        if match is None:
            return self._unfinished(data, at, out, final)
        name = match.group(1).lower()
        contexts = self.contexts
        if contexts:
            for index in range(len(contexts) - 1, -1, -1):
                if contexts[index][0] == name:
                    del contexts[index:]
                    break
        elif name == b"head":
            if self.banner_pending and self.template_depth == 0:
                out.append(self._take_banner())
        elif name == b"template" and self.template_depth:
            self.template_depth -= 1
        out.append(match.group(0))
        return match.end()

    # -- streaming modes ---------------------------------------------------------------------

    def _comment(self, data: bytes, pos: int, out: list[bytes], final: bool) -> int | None:
        return self._until(tk.COMMENT_END, 3, data, pos, out, final)

    def _cdata(self, data: bytes, pos: int, out: list[bytes], final: bool) -> int | None:
        return self._until(tk.CDATA_END, 2, data, pos, out, final)

    def _until(self, end: re.Pattern[bytes], keep: int, data: bytes, pos: int,
               out: list[bytes], final: bool) -> int | None:
        match = end.search(data, pos)
        if match is not None:
            out.append(data[pos:match.end()])
            self.mode = DATA
            return match.end()
        return self._stream(data, pos, keep, out, final)

    def _stream(self, data: bytes, pos: int, keep: int, out: list[bytes],
                final: bool) -> int | None:
        cut = len(data) if final else max(pos, len(data) - keep)
        if cut > pos:
            out.append(data[pos:cut])
        self.carry = data[cut:]
        return None

    def _bogus(self, data: bytes, pos: int, out: list[bytes], final: bool) -> int | None:
        close = data.find(b">", pos)
        if close < 0:
            out.append(data[pos:])
            return None
        out.append(data[pos:close + 1])
        self.mode = DATA
        return close + 1

    def _raw_text(self, data: bytes, pos: int, out: list[bytes], final: bool) -> int | None:
        match = self.raw_end.search(data, pos)
        if match is None:
            return self._stream(data, pos, tk.RAW_TAIL, out, final)
        out.append(data[pos:match.start()])
        self.mode = DATA
        return match.start()

    def _script_data(self, data: bytes, pos: int, out: list[bytes], final: bool) -> int | None:
        end, resume = self.script.find_end(data, pos)
        if end < 0:
            return self._stream(data, pos, len(data) - resume, out, final)
        out.append(data[pos:end])
        self.mode = DATA
        return end

    def _held(self, data: bytes, pos: int, out: list[bytes], final: bool) -> int | None:
        """An inline script: its start tag is held until its code has been judged."""
        end, resume = self.script.find_end(data, self.scan_at)
        if end < 0 and not final and len(data) - pos < INLINE_LIMIT:
            self.carry = data[pos:]
            self.scan_at = resume - pos
            return None
        code_end = end if end >= 0 else (len(data) if final else resume)
        code = data[pos:code_end]
        tag = self.held_tag
        decision = self.judge.inline(code) if self.judge is not None else None
        if decision is not None:
            tag = hold_back(tag, self.held_name_end, b"script", self.held_attributes,
                            decision[0], decision[1])
        out.append(tag)
        out.append(code)
        self.held_tag = b""
        self.held_attributes = []
        if end >= 0:
            self.mode = DATA
            return end
        self.mode = SCRIPT
        if final:
            return None
        return code_end

    def _noscript(self, data: bytes, pos: int, out: list[bytes], final: bool) -> int | None:
        child = self.child
        assert child is not None
        match = _NOSCRIPT_END.search(data, pos)
        if match is None:
            cut = len(data) if final else max(pos, len(data) - tk.RAW_TAIL)
            out.append(child.feed(data[pos:cut]))
            if final:
                out.append(child.close())
            self.carry = data[cut:]
            return None
        out.append(child.feed(data[pos:match.start()]))
        out.append(child.close())
        self.child = None
        self.mode = DATA
        return match.start()

    def _plaintext(self, data: bytes, pos: int, out: list[bytes], final: bool) -> int | None:
        out.append(data[pos:])
        return None

    def _long(self, data: bytes, pos: int, out: list[bytes], final: bool) -> int | None:
        end = self.tag_scanner.find_end(data, pos)
        if end < 0:
            out.append(data[pos:])
            return None
        out.append(data[pos:end])
        self.mode = DATA
        return end

    # -- helpers -----------------------------------------------------------------------------

    def _finish(self, out: list[bytes]) -> None:
        """At the end of the document: inject the banner if no place was found."""
        if not self.banner_pending or self.open_at_end or self.template_depth:
            return
        if self.contexts and self.contexts[-1][1]:
            return
        if self.mode == COMMENT:
            out.append(b"-->")
        elif self.mode == BOGUS:
            out.append(b">")
        elif self.mode != DATA:
            return
        out.append(self._take_banner())

    def _take_head_start(self) -> bytes:
        self.head_start_pending = False
        return self.injection.head_start() if self.injection is not None else b""

    def _take_banner(self) -> bytes:
        self.banner_pending = False
        lead = self._take_head_start() if self.head_start_pending else b""
        assert self.injection is not None
        return lead + self.injection.banner(self.lang)

    def _foreign(self) -> bool:
        return bool(self.contexts) and self.contexts[-1][1]

    def _foreign_root(self) -> bytes:
        for name, foreign in reversed(self.contexts):
            if foreign and name in (b"svg", b"math"):
                return name
        return b""


def _read(name: bytes) -> frozenset[bytes]:
    """The attributes of a start tag without "data-consent" that the judge reads or
    :func:`.holdback.hold_back` renames."""
    found = _READ.get(name)
    if found is None:
        found = _READ[name] = (frozenset(URL_ATTRIBUTES.get(name, ()))
                               | RENAMED.get(name, RENAMED_OTHERWISE) | _READ_ALWAYS)
    return found


_READ_ALWAYS = frozenset({b"type", b"rel"})
_READ: dict[bytes, frozenset[bytes]] = {}


def _is_letter(char: int) -> bool:
    return 0x61 <= (char | 0x20) <= 0x7A


_HANDLERS: dict[int, Handler] = {
    DATA: HtmlRewriter._data,
    COMMENT: HtmlRewriter._comment,
    BOGUS: HtmlRewriter._bogus,
    CDATA: HtmlRewriter._cdata,
    RAWTEXT: HtmlRewriter._raw_text,
    SCRIPT: HtmlRewriter._script_data,
    HELD: HtmlRewriter._held,
    NOSCRIPT: HtmlRewriter._noscript,
    PLAINTEXT: HtmlRewriter._plaintext,
    LONG_TAG: HtmlRewriter._long,
}
