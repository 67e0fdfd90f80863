"""Checked against an independent, character-by-character tokenizer: on any mix of
markup, before consent no tag that a browser would see is an active tracker."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from consentkit.html.judge import JAVASCRIPT_TYPES

from .conftest import CLASSIFIER, NOTHING, rewrite
from .reference_tokenizer import Tag, start_tags

T = "https://connect.facebook.net/en_US/fbevents.js"
PIXEL = "https://www.facebook.com/tr?id=1"
PIECES = [
    f'<script src="{T}"></script>', f"<script src={T}>", f"<SCRIPT SRC='{T}'>", "</script>",
    "<script>fbq('init', '1');</script>", "<script>", "fbq('init', '2');", f"<img src={PIXEL}>",
    f'<img alt="x" srcset="/a 1x, {PIXEL} 2x">', f'<iframe src="{T}"></iframe>',
    f'<link rel=preload href="{T}">', f'<embed src="{T}">', f'<object data="{T}">',
    "<noscript>", "</noscript>", "<!--", "-->", "--!>", "<!-->", "<!", "<?", "</", "<", ">",
    '"', "'", "=", " ", "/", "<div title=", "<p a", "<title>", "</title>", "<textarea>",
    "</textarea>", "<style>", "</style>", "<template>", "</template>", "<!-- <script>",
    "text", "<br/>", "<a href='/x'>", "</a>", "<b>", "<xmp>", "</xmp>", "<plaintext>",
    '<div data-consent="marketing" src="/x">', "&amp;", "\n",
]
pages = st.lists(st.sampled_from(PIECES), min_size=10, max_size=60).map("".join)
URL_ATTRIBUTES = {"script": ("src",), "img": ("src", "srcset"), "iframe": ("src",),
                  "embed": ("src",), "object": ("data",), "source": ("src", "srcset")}


def urls(value: str, name: str) -> list[str]:
    if name == "srcset":
        return [part.split()[0] for part in value.split(",") if part.split()]
    return [value]


def active_trackers(tags: list[Tag]) -> list[str]:
    found = []
    for name, attrs, text in tags:
        if name == "script" and attrs.get("type", "").strip().lower() not in JAVASCRIPT_TYPES:
            continue
        if name == "link" and "preload" not in attrs.get("rel", "").lower().split():
            continue
        for attribute in (*URL_ATTRIBUTES.get(name, ()), *(("href",) if name == "link" else ())):
            for url in urls(attrs.get(attribute, ""), attribute):
                if url.strip() and CLASSIFIER.url(url.strip()).category not in (None, "necessary"):
                    found.append(f"<{name} {attribute}={url}>")
        inline = name == "script" and "src" not in attrs and text
        if inline and CLASSIFIER.inline_script(text).category not in (None, "necessary"):
            found.append(f"<script>{text[:30]}")
        if "data-consent" in attrs and "data-consentkit" not in attrs:
            found.append(f"<{name} data-consent>")
    return found


def test_the_reference_sees_the_trackers_of_the_input() -> None:
    page = PIECES[0] + PIECES[4] + PIECES[7]
    assert len(active_trackers(start_tags(page))) == 3


@settings(max_examples=1000, deadline=None)
@given(pages, st.lists(st.integers(min_value=0, max_value=3000), max_size=8))
def test_no_tracker_a_browser_would_see_stays_active(page: str, cuts: list[int]) -> None:
    out = rewrite(page.encode(), NOTHING, chunks=cuts).decode()
    assert active_trackers(start_tags(out)) == []
