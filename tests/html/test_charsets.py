"""Pages in multibyte encodings are rewritten byte by byte without damage; encodings in
which that is not sound pass through untouched."""

from __future__ import annotations

import pytest

from consentkit.html.charset import ascii_compatible
from consentkit.html.responder import HtmlBodyFilter
from consentkit.html.rewriter import HtmlRewriter

from .conftest import MarkerInjection, rewrite

DELIMITERS = frozenset(b"<>\"'=/!-?& \t\n\r\f")

# Text in each encoding, chosen to have trailing bytes in the ASCII range where the
# encoding has them (Shift_JIS: '表' 0x95 0x5C, 'ソ' 0x83 0x5C, 'ア' 0x83 0x41; Big5:
# '許' 0xB3 0x5C, '功' 0xA5 0x5C, '蓋' 0xBB 0x5C).
SAMPLES = {
    "shift_jis": "表示テスト ソフト 予約 アイウ",
    "big5": "許功蓋 中文 測試",
    "euc-kr": "한국어 시험 가나다",
    "utf-8": "表示 ソフト 한국어 — ünïcødé",
}


def sample_page(text: str) -> str:
    return (
        f'<html><head><title>{text}</title></head><body><p title="{text}">{text}</p>'
        '<script src="https://connect.facebook.net/x.js"></script>'
        f'<img alt="{text}" src="https://www.facebook.com/tr?id=1"><p>{text}</p></body></html>'
    )


@pytest.mark.parametrize("encoding", ["shift_jis", "cp932", "big5", "euc-kr", "euc-jp",
                                      "gb18030", "utf-8"])
def test_no_delimiter_byte_is_ever_part_of_a_multibyte_character(encoding: str) -> None:
    for lead in range(0x80, 0x100):
        for trail in range(0x00, 0x100):
            pair = bytes((lead, trail))
            try:
                text = pair.decode(encoding)
            except UnicodeDecodeError:
                continue
            if len(text) == 1:  # one character made of both bytes
                assert trail not in DELIMITERS, (encoding, pair, text)


@pytest.mark.parametrize("encoding", sorted(SAMPLES))
def test_multibyte_pages_are_rewritten_correctly(encoding: str) -> None:
    text = sample_page(SAMPLES[encoding])
    page = text.encode(encoding)
    out = rewrite(page, chunks=range(0, len(page), 3), injection=MarkerInjection())
    expected = (
        text.replace("<head>", "<head><!--CM-->").replace("</head>", "<!--BANNER--></head>")
        .replace('<script src="', '<script type="text/plain" data-consentkit="marketing" '
                 'data-consentkit-src="')
        .replace('<img alt="', '<img data-consentkit="marketing" alt="')
        .replace('" src="https://www.facebook', '" data-consentkit-src="https://www.facebook')
    )
    assert out.decode(encoding) == expected


def test_shift_jis_trailing_backslash_and_letters_do_not_confuse_the_rewriter() -> None:
    # 0x95 0x5C is '表' and 0x83 0x41 is 'ア': trailing bytes that are ASCII '\\' and 'A'.
    page = b'<p title="\x95\x5c\x83\x41"><\x83\x41>\x95\x5c</p><script src="' \
           b'https://connect.facebook.net/x.js"></script>'
    out = rewrite(page)
    assert out.startswith(b'<p title="\x95\x5c\x83\x41"><\x83\x41>\x95\x5c</p>')
    assert b'<script type="text/plain" data-consentkit="marketing"' in out


@pytest.mark.parametrize("charset", ["utf-16", "UTF-16LE", "utf-32", "iso-2022-jp", "utf-7",
                                     "cp037", "hz-gb-2312"])
def test_encodings_unsafe_for_byte_rewriting_are_refused(charset: str) -> None:
    assert not ascii_compatible(charset)


@pytest.mark.parametrize("charset", [None, "utf-8", "UTF8", "iso-8859-1", "windows-1252",
                                     "shift_jis", "Big5", "euc-kr", "gb18030", "x-unknown"])
def test_ascii_compatible_encodings_are_accepted(charset: str | None) -> None:
    assert ascii_compatible(charset)


def test_a_body_with_a_utf16_byte_order_mark_passes_through() -> None:
    body = "\ufeff<script src='https://connect.facebook.net/x.js'></script>".encode("utf-16")
    body_filter = HtmlBodyFilter(HtmlRewriter(None, MarkerInjection()))
    out = body_filter.feed(body[:5]) + body_filter.feed(body[5:]) + body_filter.close()
    assert out == body
