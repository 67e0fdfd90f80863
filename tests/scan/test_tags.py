"""The scanner's HTML tag reader: what loads, what is held back."""

from __future__ import annotations

from consentkit.scan.tags import scan_html

PAGE = """<html><head><base href="/shop/">
<script src="https://www.googletagmanager.com/gtag/js?id=G-1"></script>
<script>gtag('config', 'G-1');</script>
<script type="application/ld+json">{"@type": "Product"}</script>
<script type="text/plain" data-consentkit="analytics"
  data-consentkit-src="https://www.googletagmanager.com/gtag/js"></script>
<script type="text/plain" data-category="marketing">fbq('init', '1');</script>
<link rel="preload" as="script" href="https://connect.facebook.net/en_US/fbevents.js">
<link rel="icon" href="/favicon.ico">
</head><body>
<a href="cart">cart</a> <a href="https://elsewhere.test/">out</a>
<img src="logo.png" srcset="logo2.png 2x, https://px.ads.linkedin.com/collect?pid=1 3x">
<noscript><img src="https://www.facebook.com/tr?id=1"></noscript>
<iframe data-consentkit="marketing" data-consentkit-src="https://www.youtube.com/embed/x"></iframe>
<iframe src="https://www.youtube.com/embed/y" data-consent="marketing"></iframe>
</body></html>"""


def summary() -> list[tuple[str, str | None, bool, str | None]]:
    return [(t.tag, t.url or t.code, t.active, t.held_for)
            for t in scan_html(PAGE, "https://shop.test/a").tags]


def test_loading_tags_active_and_held_back() -> None:
    assert summary() == [
        ("script", "https://www.googletagmanager.com/gtag/js?id=G-1", True, None),
        ("script", "gtag('config', 'G-1');", True, None),
        ("script", "https://www.googletagmanager.com/gtag/js", False, "analytics"),
        ("script", "fbq('init', '1');", False, "marketing"),
        ("link", "https://connect.facebook.net/en_US/fbevents.js", True, None),
        ("img", "https://shop.test/shop/logo.png", True, None),
        ("img", "https://shop.test/shop/logo2.png", True, None),
        ("img", "https://px.ads.linkedin.com/collect?pid=1", True, None),
        ("img", "https://www.facebook.com/tr?id=1", True, None),
        ("iframe", "https://www.youtube.com/embed/x", False, "marketing"),
        ("iframe", "https://www.youtube.com/embed/y", True, None),
    ]


def test_author_marking_is_kept() -> None:
    marked = [t.marked for t in scan_html(PAGE, "https://shop.test/").tags]
    assert marked[-1] == "marketing"


def test_links_resolve_against_base() -> None:
    assert scan_html(PAGE, "https://shop.test/a").links == [
        "https://shop.test/shop/cart", "https://elsewhere.test/"]


def test_malformed_html_never_raises() -> None:
    for junk in ("<script", "<img src=", "</a></b>", "<![CDATA[", "\x00<scr\x00ipt>", "<" * 50):
        scan_html(junk, "http://x.test/")
