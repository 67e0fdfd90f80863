"""Properties over many pages: where the body is cut into chunks does not matter, no
input makes the rewriter raise, and held-back tags can be restored exactly."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from consentkit.html.holdback import restore
from consentkit.html.tokenizer import START_TAG

from .conftest import HELD_TAG, NOTHING, MarkerInjection, rewrite

T = b"https://connect.facebook.net/en_US/fbevents.js"
G = b"https://www.googletagmanager.com/gtag/js?id=G-1"
PIXEL = b"https://www.facebook.com/tr?id=1&ev=PageView&noscript=1"

FRAGMENTS = [
    b"<!doctype html>", b"<html lang=fr>", b"<head>", b"</head>", b"<body class=a>", b"</body>",
    b"<p>", b"</p>", b"text ", b"a < b ", b"<3", b"</>", b"</ x>", b"<?php x ?>", b"&amp;",
    b'<script async src="' + T + b'"></script>', b"<SCRIPT SRC=" + G + b"></SCRIPT>",
    b"<script>fbq('init', '1');</script>", b"<script>var a = '</script>';</script>",
    b"<script><!-- <script> </script> --></script>", b"<script type=module src=/a.js></script>",
    b'<img src="' + PIXEL + b'" alt="x">', b"<img srcset='/a 1x, " + PIXEL + b" 2x'>",
    b'<iframe src="https://www.youtube.com/embed/x" allowfullscreen></iframe>',
    b'<link rel=preload as=script href="' + G + b'">', b'<object data="' + T + b'"></object>',
    b"<noscript><img src=" + PIXEL + b"></noscript>", b"<noscript>", b"</noscript>",
    b"<!-- <script src=" + T + b"> -->", b"<!-->", b"<!--", b"-->", b"--!>",
    b"<textarea><img src=" + PIXEL + b"></textarea>", b"<title>", b"</title>", b"<style>",
    b"</style>", b"<svg><style><img src=" + PIXEL + b"></style></svg>", b"<svg>", b"</svg>",
    b"<![CDATA[ x ]]>", b"<template>", b"</template>", b'<div title="a>b">', b"<div a\"b>",
    b'<div data-consent="analytics">', b'<video data-consent="marketing" src="/v.mp4">',
    b'<script type="text/plain" data-category="analytics" src="' + G + b'"></script>',
    b"<a href='/x'>", b"<br/>", b"<img src=/local.png>", b"\xe6\x97\xa5\xe6\x9c\xac",
]
pages = st.lists(st.sampled_from(FRAGMENTS), max_size=30).map(b"".join)
cut_points = st.lists(st.integers(min_value=0, max_value=4000), max_size=12)
ALPHABET = b"<>/!-=\"' \nasciprtmgnoybdhek?[]"
html_alphabet = st.binary(max_size=300).map(
    lambda raw: bytes(ALPHABET[byte % len(ALPHABET)] for byte in raw)
)
categories = st.frozensets(st.sampled_from(["preferences", "analytics", "marketing"]))


@settings(max_examples=300, deadline=None)
@given(pages, cut_points, categories)
def test_any_split_gives_the_same_output(page: bytes, cuts: list[int],
                                         granted: frozenset[str]) -> None:
    granted = granted | NOTHING
    whole = rewrite(page, granted, injection=MarkerInjection())
    assert rewrite(page, granted, chunks=cuts, injection=MarkerInjection()) == whole


@settings(max_examples=200, deadline=None)
@given(pages)
def test_every_single_byte_split_gives_the_same_output(page: bytes) -> None:
    whole = rewrite(page, injection=MarkerInjection())
    assert rewrite(page, chunks=range(len(page)), injection=MarkerInjection()) == whole


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.binary(max_size=400), html_alphabet), cut_points)
def test_random_bytes_never_raise_and_split_does_not_matter(data: bytes,
                                                            cuts: list[int]) -> None:
    whole = rewrite(data, injection=MarkerInjection())
    assert rewrite(data, chunks=cuts, injection=MarkerInjection()) == whole


@settings(max_examples=300, deadline=None)
@given(pages)
def test_restoring_held_back_tags_gives_the_original_page(page: bytes) -> None:
    out = rewrite(page)
    pieces = []
    last = 0
    for found in HELD_TAG.finditer(out):
        if found.start() < last:
            continue
        tag = START_TAG.match(out, found.start())
        assert tag is not None
        pieces += [out[last:tag.start()], restore(tag.group(0))]
        last = tag.end()
    pieces.append(out[last:])
    assert b"".join(pieces) == page


@settings(max_examples=200, deadline=None)
@given(pages)
def test_nothing_is_held_when_everything_is_granted(page: bytes) -> None:
    everything = {"necessary", "preferences", "analytics", "marketing"}
    assert rewrite(page, everything) == page
