"""URLs of scripts, pixels, beacons and embeds are recognised by host and path."""

from __future__ import annotations

import pytest

from consentkit.classify import Classifier
from consentkit.policy import Policy


@pytest.fixture(scope="module")
def classifier() -> Classifier:
    return Classifier(Policy())


@pytest.mark.parametrize(("url", "kind", "category", "vendor"), [
    # iframes: video, maps and social embeds
    ("https://www.youtube.com/embed/dQw4w9WgXcQ?rel=0", "iframe", "marketing", "YouTube"),
    ("https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ", "iframe", "marketing", "YouTube"),
    ("https://player.vimeo.com/video/76979871?h=8272103f6e", "iframe", "analytics", "Vimeo"),
    ("https://www.google.com/maps/embed?pb=!1m18!1m12", "iframe", "marketing", "Google Maps"),
    ("https://www.facebook.com/plugins/post.php?href=https%3A%2F%2Fexample.com", "iframe",
     "marketing", "Meta"),
    ("https://platform.twitter.com/embed/Tweet.html?id=20", "iframe", "marketing",
     "X (Twitter)"),
    ("https://www.instagram.com/p/CxYz123/embed", "iframe", "marketing", "Instagram"),
    ("https://open.spotify.com/embed/track/4uLU6hMCjMI75M1A2tKUQC", "iframe", "marketing",
     "Spotify"),
    ("https://www.tiktok.com/embed/v2/7100000000000000000", "iframe", "marketing", "TikTok"),
    ("https://www.googletagmanager.com/ns.html?id=GTM-ABC123", "iframe", "analytics",
     "Google tag"),
    # pixels: image requests
    ("https://www.facebook.com/tr?id=123&ev=PageView&noscript=1", "pixel", "marketing", "Meta"),
    ("https://bat.bing.com/action/0?ti=123&Ver=2", "pixel", "marketing",
     "Microsoft Advertising"),
    ("https://px.ads.linkedin.com/collect/?pid=123&fmt=gif", "pixel", "marketing", "LinkedIn"),
    ("https://ct.pinterest.com/v3/?event=init&tid=123", "pixel", "marketing", "Pinterest"),
    ("https://hm.baidu.com/hm.gif?si=abc", "pixel", "analytics", "Baidu Tongji"),
    ("https://mc.yandex.ru/watch/12345678", "pixel", "analytics", "Yandex Metrica"),
    ("https://tr.line.me/tag.gif?c_t=lap", "pixel", "marketing", "LINE"),
    # beacons: collection endpoints
    ("https://www.google-analytics.com/g/collect?v=2&tid=G-ABC", "beacon", "analytics",
     "Google Analytics"),
    ("https://region1.google-analytics.com/g/collect?v=2", "beacon", "analytics",
     "Google Analytics"),
    ("https://api-js.mixpanel.com/track/?verbose=1", "beacon", "analytics", "Mixpanel"),
    ("https://api2.amplitude.com/2/httpapi", "beacon", "analytics", "Amplitude"),
    ("https://api.segment.io/v1/t", "beacon", "analytics", "Segment"),
    ("https://analytics.tiktok.com/api/v2/pixel", "beacon", "marketing", "TikTok"),
    ("https://plausible.io/api/event", "beacon", "analytics", "Plausible"),
    # scripts
    ("https://www.googletagmanager.com/gtag/js?id=G-ABC123XYZ", "script", "analytics",
     "Google tag"),
    ("https://www.googletagmanager.com/gtm.js?id=GTM-ABC123", "script", "analytics",
     "Google tag"),
    ("https://connect.facebook.net/en_US/fbevents.js", "script", "marketing", "Meta"),
    ("https://www.clarity.ms/tag/abcdef123", "script", "analytics", "Microsoft Clarity"),
    ("https://static.hotjar.com/c/hotjar-1234567.js?sv=6", "script", "analytics", "Hotjar"),
    ("https://snap.licdn.com/li.lms-analytics/insight.min.js", "script", "marketing",
     "LinkedIn"),
    ("https://static.ads-twitter.com/uwt.js", "script", "marketing", "X (Twitter)"),
    ("https://js.stripe.com/v3/", "script", "necessary", "Stripe"),
    ("https://www.google.com/recaptcha/api.js", "script", "necessary", "Google reCAPTCHA"),
    ("https://js.hcaptcha.com/1/api.js", "script", "necessary", "hCaptcha"),
    ("https://widget.intercom.io/widget/abcd1234", "script", "preferences", "Intercom"),
    ("https://cdn.cookielaw.org/scripttemplates/otSDKStub.js", "script", "necessary",
     "OneTrust"),
])
def test_tracker_urls_by_kind(
    classifier: Classifier, url: str, kind: str, category: str, vendor: str
) -> None:
    found = classifier.url(url)
    assert (found.kind, found.category, found.vendor, found.source) == (
        kind, category, vendor, "catalogue")
    assert found.rule.startswith(f'{kind} "')


def test_protocol_relative_and_upper_case_urls_match(classifier: Classifier) -> None:
    assert classifier.url("//WWW.Google-Analytics.com/analytics.js").vendor == (
        "Google Analytics")


def test_a_host_rule_covers_subdomains_but_not_look_alike_hosts(classifier: Classifier) -> None:
    assert classifier.url("https://westeurope-5.in.applicationinsights.azure.com/v2/track").known
    assert not classifier.url("https://evilclarity.ms.example.org/tag/x").known
    assert not classifier.url("https://notfacebook.net/tr").known


def test_the_longest_path_on_a_host_wins(classifier: Classifier) -> None:
    assert classifier.url("https://www.googletagmanager.com/gtag/js?id=AW-1").kind == "script"
    assert classifier.url("https://www.googletagmanager.com/ns.html").kind == "iframe"
    assert classifier.url("https://bat.bing.com/bat.js").kind == "script"
    assert classifier.url("https://bat.bing.com/action/0").kind == "pixel"


@pytest.mark.parametrize("url", ["/static/app.js", "https://example.org/app.js",
                                 "http://[::1", "", "data:image/gif;base64,R0lGOD"])
def test_own_relative_or_malformed_urls_are_unknown_and_never_raise(
    classifier: Classifier, url: str
) -> None:
    assert classifier.url(url).category is None


def test_classify_tells_urls_and_bare_hosts_from_cookie_names(classifier: Classifier) -> None:
    assert classifier.classify("connect.facebook.net").kind == "script"
    assert classifier.classify("connect.facebook.net").subject == "connect.facebook.net"
    assert classifier.classify("www.youtube.com/embed/x").kind == "iframe"
    assert classifier.classify("connect.sid").source == "catalogue"
    assert classifier.classify("_pk_id.1.1fff").vendor == "Matomo"
