"""The rewriter reads markup as browsers do: what a browser would fetch is held back,
what a browser would not see as a tag is left alone."""

from __future__ import annotations

import pytest

from consentkit.html.judge import TagJudge
from consentkit.html.rewriter import INLINE_LIMIT, TAG_LIMIT, HtmlRewriter

from .conftest import CLASSIFIER, EVERYTHING, HOSTS, MarkerInjection, rewrite

T = b"https://connect.facebook.net/en_US/fbevents.js"
PIXEL = b"https://www.facebook.com/tr?id=1&amp;ev=PageView"
HELD_SCRIPT = b'<script type="text/plain" data-consentkit="marketing" data-consentkit-src="' + T


def test_tracker_script_is_held_back_with_its_attributes_kept() -> None:
    page = b'<script async src="' + T + b'" crossorigin="anonymous"></script>'
    assert rewrite(page) == (b'<script type="text/plain" data-consentkit="marketing" async '
                             b'data-consentkit-src="' + T + b'" crossorigin="anonymous"></script>')


def test_original_type_is_kept_in_data_attribute() -> None:
    page = b'<script type="module" src="' + T + b'"></script>'
    assert rewrite(page) == (b'<script type="text/plain" data-consentkit="marketing" '
                             b'data-consentkit-type="module" data-consentkit-src="' + T
                             + b'"></script>')


def test_granted_category_is_untouched() -> None:
    page = b'<p>x</p><script src="' + T + b'"></script><img src="' + PIXEL + b'">'
    assert rewrite(page, {"necessary", "marketing"}) == page


def test_unknown_and_relative_urls_are_left_alone() -> None:
    page = (b'<script src="/app.js"></script><script src="https://cdn.example.org/x.js">'
            b'</script><img src="https://images.example.org/a.png" srcset="/b.png 2x">')
    assert rewrite(page) == page


def test_script_in_a_comment_is_not_touched() -> None:
    page = b'<!-- <script src="' + T + b'"></script> --><p>x</p>'
    assert rewrite(page) == page


@pytest.mark.parametrize("opening", [b"<!-->", b"<!--->", b"<!-- x --!>", b"<!---->"])
def test_comments_that_end_early_do_not_hide_what_follows(opening: bytes) -> None:
    page = opening + b'<script src="' + T + b'"></script>'
    assert rewrite(page) == opening + HELD_SCRIPT + b'"></script>'


@pytest.mark.parametrize("bogus", [b"<!DOCTYPE html>", b"<?xml version='1.0'?>",
                                   b"<![CDATA[ x ]]>", b"</ not a tag>", b"</>"])
def test_bogus_comments_end_at_the_first_gt(bogus: bytes) -> None:
    page = bogus + b'<script src="' + T + b'"></script>'
    assert rewrite(page) == bogus + HELD_SCRIPT + b'"></script>'


def test_end_tag_inside_a_string_ends_the_script_as_in_browsers() -> None:
    page = b'<script>var s = "</script><script src="' + T + b'"></script>'
    out = rewrite(page)
    assert out == b'<script>var s = "</script>' + HELD_SCRIPT + b'"></script>'


def test_double_escaped_script_text_is_not_markup() -> None:
    # Inside '<!-- <script>' the next '</script>' does not end the script (spec's
    # "script data double escaped" state): the tag after it is still script text.
    page = (b'<script><!-- <script></script><script src="' + T + b'"></script> --></script>'
            b'<img src="' + PIXEL + b'">')
    out = rewrite(page)
    # The inline script itself may be held (its text names a tracker); the tag inside
    # its text is text, and the end is found where browsers find it.
    assert b'<script></script><script src="' + T + b'"></script> --></script><img ' \
        b'data-consentkit="marketing" data-consentkit-src="' + PIXEL in out


def test_gt_inside_quoted_attribute_does_not_end_the_tag() -> None:
    page = b'<div title="a > b <script src=' + T + b'>">x</div>'
    assert rewrite(page) == page


def test_quote_that_is_not_after_equals_is_part_of_the_name() -> None:
    # 'a"b' is an attribute name: the tag ends at the first '>'.
    page = b'<div a"b>x</div><img src="' + PIXEL + b'">'
    out = rewrite(page)
    assert out.startswith(b'<div a"b>x</div><img data-consentkit="marketing"')


def test_unquoted_and_upper_case_attributes() -> None:
    page = b"<IMG SRC=" + PIXEL + b" ALT=x><ScRiPt sRc=" + T + b"></sCrIpT>"
    out = rewrite(page)
    assert out == (b'<IMG data-consentkit="marketing" data-consentkit-SRC=' + PIXEL
                   + b' ALT=x><ScRiPt type="text/plain" data-consentkit="marketing" '
                   b"data-consentkit-sRc=" + T + b"></sCrIpT>")


def test_first_of_duplicate_attributes_counts_but_all_are_renamed() -> None:
    page = b'<script src="' + T + b'" src="/ok.js"></script>'
    out = rewrite(page)
    assert out.count(b"data-consentkit-src=") == 2
    assert b" src=" not in out


def test_stray_less_than_signs_are_text() -> None:
    page = b'<p>1 < 2 <= 3 <3 <</p><img src="' + PIXEL + b'">'
    out = rewrite(page)
    assert out.startswith(b"<p>1 < 2 <= 3 <3 <</p><img data-consentkit=")


@pytest.mark.parametrize("element", [b"textarea", b"title", b"style", b"xmp", b"noembed",
                                     b"noframes", b"iframe"])
def test_raw_text_elements_hide_their_content(element: bytes) -> None:
    inner = b'<script src="' + T + b'"></script><img src="' + PIXEL + b'">'
    page = b"<" + element + b">" + inner + b"</" + element + b"><p>after</p>"
    assert rewrite(page) == page


def test_raw_text_ends_only_at_its_own_end_tag() -> None:
    page = b'<title></titlex><img src="' + PIXEL + b'"></title ><img src="' + PIXEL + b'">'
    out = rewrite(page)
    assert out.count(b"data-consentkit=") == 1
    assert out.endswith(b'</title ><img data-consentkit="marketing" data-consentkit-src="'
                        + PIXEL + b'">')


def test_pixel_inside_noscript_is_held_back() -> None:
    page = b'<noscript><img height="1" width="1" src="' + PIXEL + b'"/></noscript>'
    assert rewrite(page) == (b'<noscript><img data-consentkit="marketing" height="1" width="1"'
                             b' data-consentkit-src="' + PIXEL + b'"/></noscript>')


def test_noscript_ends_at_its_end_tag_even_inside_a_comment() -> None:
    # With scripting on, noscript content is raw text: '</noscript>' ends it wherever it
    # is, and the image after it is live markup.
    page = b'<noscript><!-- </noscript><img src="' + PIXEL + b'"> --></noscript>'
    out = rewrite(page)
    assert b'<img data-consentkit="marketing"' in out


def test_svg_breakout_tag_is_seen_inside_svg_style() -> None:
    # In SVG, <style> is not raw text, and <img> leaves SVG for HTML.
    page = b'<svg><style><img src="' + PIXEL + b'"></style></svg>'
    assert b'<img data-consentkit="marketing"' in rewrite(page)


def test_cdata_in_svg_is_text() -> None:
    page = b'<svg><![CDATA[ <img src="' + PIXEL + b'"> ]]></svg><p>x</p>'
    assert rewrite(page) == page


def test_script_inside_svg_foreign_object_is_html_script() -> None:
    page = (b'<svg><foreignObject><script>x = "<img src=' + PIXEL + b'>"</script>'
            b"</foreignObject></svg>")
    assert rewrite(page) == page


def test_marked_by_hand_elements_are_held() -> None:
    page = (b'<div data-consent="analytics"><video src="/v.mp4"></video></div>'
            b'<iframe data-consent="marketing" src="/widget"></iframe>'
            b'<script data-consent="analytics">track()</script>')
    out = rewrite(page)
    assert b'<div data-consentkit="analytics" data-consent="analytics">' in out
    assert b'<iframe data-consentkit="marketing" data-consent="marketing" ' \
           b'data-consentkit-src="/widget">' in out
    assert (b'<script type="text/plain" data-consentkit="analytics" data-consent="analytics">'
            b"track()</script>") in out
    assert rewrite(page, EVERYTHING) == page


@pytest.mark.parametrize("mark", [b"DATA-CONSENT", b"Data-Consent", b"data-consentkit-x"])
def test_a_mark_is_found_in_any_case_and_an_earlier_hold_back_is_respected(
        mark: bytes) -> None:
    page = b'<p>x</p><img ' + mark + b'="analytics" src="/local.png"><p>y</p>'
    held = b'<p>x</p><img data-consentkit="analytics" ' + mark + \
        b'="analytics" data-consentkit-src="/local.png"><p>y</p>'
    assert rewrite(page) == (page if mark.startswith(b"data-consentkit") else held)


def test_the_word_data_consent_in_text_or_in_a_value_is_not_a_mark() -> None:
    page = (b"<p>data-consent: DATA-CONSENT</p>"
            b'<img alt="data-consent" title="x data-consent=analytics" src="/a.png">'
            b'<img src="' + PIXEL + b'" alt="data-consent">')
    out = rewrite(page)
    assert out.startswith(page[:page.index(b'<img src="')])
    assert out.endswith(b'<img data-consentkit="marketing" data-consentkit-src="' + PIXEL
                        + b'" alt="data-consent">')
    for cut in range(len(page)):
        assert rewrite(page, chunks=[cut]) == out


def test_vanilla_cookieconsent_markup_is_left_as_it_is() -> None:
    page = (b'<script type="text/plain" data-category="analytics" src="https://'
            b'www.googletagmanager.com/gtag/js?id=G-1"></script>')
    assert rewrite(page) == page


def test_json_and_template_scripts_are_not_judged() -> None:
    page = b"<script type=\"application/ld+json\">{\"fbq('init'\": 1}</script>"
    assert rewrite(page) == page


def test_preload_of_a_tracker_script_is_held_but_preconnect_is_not() -> None:
    page = (b'<link rel="preload" as="script" href="' + T + b'">'
            b'<link rel="preconnect" href="https://connect.facebook.net">')
    out = rewrite(page)
    assert out.startswith(b'<link data-consentkit="marketing" rel="preload" as="script" '
                          b'data-consentkit-href="' + T + b'">')
    assert out.endswith(b'<link rel="preconnect" href="https://connect.facebook.net">')


def test_srcset_object_and_embed() -> None:
    page = (b'<img src="/a.png" srcset="/a2.png 2x, ' + PIXEL + b' 3x">'
            b'<object data="' + T + b'"></object><embed src="' + T + b'">')
    out = rewrite(page)
    assert out.count(b'data-consentkit="marketing"') == 3
    assert b"data-consentkit-srcset=" in out and b"data-consentkit-data=" in out


@pytest.mark.parametrize("url", [
    b"https:\\\\connect.facebook.net\\x.js", b"//connect.facebook.net/x.js",
    b"https://connect.facebook.net&#47;x.js", b" https://connect.facebook.net/x.js ",
    b"https://connect.face\nbook.net/x.js", b"HTTPS://CONNECT.FACEBOOK.NET/x.js",
    b"https:/\n/connect.facebook.net/x.js", b"https://connect%2Efacebook%2Enet/x.js",
    b"//user@connect.facebook.net:443/x.js", b"https:connect.facebook.net/x.js",
    b"https://connect.facebook.net\n/x.js", b"\t//connect.facebook.net/x.js",
])
def test_url_spellings_browsers_accept_are_recognised(url: bytes) -> None:
    assert b"data-consentkit=" in rewrite(b'<script src="' + url + b'"></script>')
    assert b"data-consentkit=" in rewrite(b'<img alt=x\nsrc="' + url + b'">')


def test_unquoted_url_ends_at_a_new_line() -> None:
    page = b"<img src=//connect.facebook.net/x.gif\nalt=x>"
    assert b"data-consentkit=" in rewrite(page)


def test_vendor_is_named_on_held_back_iframes() -> None:
    page = b'<iframe src="https://www.youtube.com/embed/abc" allowfullscreen></iframe>'
    assert rewrite(page) == (b'<iframe data-consentkit="marketing" data-consentkit-vendor='
                             b'"YouTube" data-consentkit-src="https://www.youtube.com/embed/abc"'
                             b" allowfullscreen></iframe>")


def test_inline_snippet_is_held_with_its_code_whole() -> None:
    code = b"!function(f,b,e,v){}(window);fbq('init', '123');fbq('track', 'PageView');"
    page = b"<script>" + code + b"</script><p>x</p>"
    out = rewrite(page, chunks=range(1, len(page)))
    assert out == b'<script type="text/plain" data-consentkit="marketing">' + code \
        + b"</script><p>x</p>"


def test_long_inline_script_is_judged_on_its_first_part_then_streamed() -> None:
    code = b"fbq('init', '1');" + b"x=1;" * (INLINE_LIMIT // 2)
    page = b"<script>" + code + b"</script>"
    out = rewrite(page, chunks=range(0, len(page), 4096))
    assert out == b'<script type="text/plain" data-consentkit="marketing">' + code + b"</script>"


def test_snippet_after_the_inline_limit_is_not_seen() -> None:
    code = b"x=1;" * (INLINE_LIMIT // 2) + b"fbq('init', '1');"
    page = b"<script>" + code + b"</script>"
    assert rewrite(page, chunks=range(0, len(page), 4096)) == page


def test_over_long_fetching_tag_is_written_out_as_text() -> None:
    filler = b"a" * (TAG_LIMIT * 2)
    page = b'<img alt="' + filler + b'" src="' + PIXEL + b'"><img src="' + PIXEL + b'">'
    out = rewrite(page, chunks=range(0, len(page), 8192))
    assert out.startswith(b"&lt;img alt=")
    assert out.endswith(b'<img data-consentkit="marketing" data-consentkit-src="'
                        + PIXEL + b'">')
    assert out.count(b"<img") == 1


def test_over_long_ordinary_tag_streams_unchanged() -> None:
    filler = b"a" * (TAG_LIMIT * 2)
    page = b'<div data-x="' + filler + b'>">x</div><img src="' + PIXEL + b'">'
    out = rewrite(page, chunks=range(0, len(page), 8192))
    assert out.startswith(page[:TAG_LIMIT])
    assert out.endswith(b'<img data-consentkit="marketing" data-consentkit-src="'
                        + PIXEL + b'">')


def test_unclosed_tag_at_the_end_passes_and_no_banner_follows_it() -> None:
    page = b'<p>x</p><script src="' + T
    assert rewrite(page, injection=MarkerInjection(b"")) == page


def test_page_without_trackers_is_byte_for_byte_the_same_apart_from_injection() -> None:
    page = (b"<!doctype html>\n<html><head><meta charset=utf-8><title>A & B</title>"
            b"<style>p > a { color: red }</style></head>\n<body class=x><p>Hello"
            b" <b>world</b><!-- c --></p><script>console.log('<b>')</script></body></html>")
    out = rewrite(page, injection=MarkerInjection())
    assert out.replace(b"<!--CM-->", b"").replace(b"<!--BANNER-->", b"") == page


@pytest.mark.parametrize("opening,filler", [
    (b'<div title="', b"x"), (b"<img src=x alt='", b"y"), (b"<!-- ", b"-"),
    (b"<script>", b"a<!--b"), (b"<style>", b"p{}"), (b"<noscript>", b"<img "),
    (b"<!DOCTYPE ", b"z"), (b"<textarea>", b"</textare"), (b"", b"<"), (b"<p ", b"a=b "),
    (b"<script>var s='", b"</scrip"),
])
def test_carry_over_stays_bounded_on_endless_constructs(opening: bytes, filler: bytes) -> None:
    rewriter = HtmlRewriter(TagJudge(CLASSIFIER, frozenset({"necessary"}), HOSTS))
    chunk = filler * (4096 // len(filler))
    written = len(rewriter.feed(opening))
    for _ in range(200):  # about 800 KiB
        written += len(rewriter.feed(chunk))
        assert len(rewriter.carry) <= TAG_LIMIT + len(chunk)
    written += len(rewriter.close())
    assert written >= len(opening) + 200 * len(chunk)
