"""Which character encodings the byte-level rewriter can work on. Pure.

The rewriter looks only at ASCII bytes (``<``, ``>``, quotes, ``=``, ``/``, ``!``, ``-``,
whitespace, letters after ``<``). That is sound for every encoding in which those
characters are single bytes that never occur inside a multibyte character: UTF-8, the
ISO-8859 and Windows code pages, EUC-JP/EUC-KR/GB2312/GBK/GB18030, and Shift_JIS and Big5
(their trailing bytes go from 0x40, so they may be letters or ``\\`` but never one of the
delimiters). Encodings where that fails are passed through untouched: UTF-16/32 (two or
four bytes per character), EBCDIC code pages, and the stateful 7-bit encodings
(ISO-2022-*, UTF-7, HZ) in which ``<`` can be half of a character.
"""

from __future__ import annotations

import codecs

_PROBE = "<a b='c'>-!/= \t\n</a>"
_STATEFUL = ("iso2022", "iso-2022", "utf_7", "utf-7", "hz")
BOMS = (codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)


def ascii_compatible(charset: str | None) -> bool:
    """Can pages in ``charset`` be rewritten byte by byte? Unknown names count as yes:
    browsers read them with their default, ASCII-compatible, encoding."""
    if not charset:
        return True
    name = charset.strip().strip('"').lower()
    if name.startswith(("utf-16", "utf-32", "ucs-2", "ucs-4", "utf16", "utf32", "ucs2")):
        return False
    try:
        info = codecs.lookup(name)
    except LookupError:
        return True
    if info.name.startswith(_STATEFUL) or any(s in name for s in _STATEFUL):
        return False
    try:
        return _PROBE.encode(info.name) == _PROBE.encode("ascii")
    except (UnicodeError, LookupError):
        return False


def starts_with_wide_bom(data: bytes) -> bool:
    """Does the body start with a UTF-16 or UTF-32 byte order mark?"""
    return data.startswith(BOMS)
