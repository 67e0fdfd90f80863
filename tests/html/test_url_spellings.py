"""URLs spelled the way browsers still read as a tracker's address are held back."""

from __future__ import annotations

import pytest

from .conftest import rewrite

SPELLINGS = (
    b"https://www.facebook.com/tr?id=1",
    b"https:///www.facebook.com/tr?id=1",
    b"https:////www.facebook.com/tr?id=1",
    b"///www.facebook.com/tr?id=1",
    b"https:\\\\www.facebook.com/tr?id=1",
    b"https:/\\/www.facebook.com/tr?id=1",
    b"HTTPS:www.facebook.com/tr?id=1",
    b"//WWW.FACEBOOK.COM/tr?id=1",
    b"https://www.facebook.com./tr?id=1",
    # Spellings that the quick look at a tag (TagJudge.may_hold) finds by other signs
    # than a plain host after '//': a percent-encoded host, entities, a tab or new line.
    b"//www.faceb%6Fok.com/tr?id=1",
    b"https://www.faceb%6fok.com/tr?id=1",
    b"https:&#47;&#47;www.facebook.com/tr?id=1",
    b"&#x2F;/www.facebook.com/tr?id=1",
    b"/\t/www.facebook.com/tr?id=1",
    b"https:/\n/www.facebook.com/tr?id=1",
    b"//www.face\nbook.com/tr?id=1",
    b"https\n://www.facebook.com/tr?id=1",
    b"\\\\www.facebook.com/tr?id=1",
    b"/\\www.facebook.com/tr?id=1",
)


@pytest.mark.parametrize("url", SPELLINGS)
def test_extra_slashes_and_backslashes_do_not_hide_a_pixel(url: bytes) -> None:
    page = b'<p>x</p><img alt="" src="' + url + b'"><p>y</p>'
    assert rewrite(page) == (b'<p>x</p><img data-consentkit="marketing" alt="" '
                             b'data-consentkit-src="' + url + b'"><p>y</p>')


def test_a_path_with_double_slashes_on_the_same_site_is_left_alone() -> None:
    page = b'<img src="/media//www.facebook.com/tr.png"><img src="img///a.png">'
    assert rewrite(page) == page
