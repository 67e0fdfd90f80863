"""Shared helpers for the HTML layer's tests: a classifier with the vendor rules the
example pages need, and a function that runs the rewriter over chunks."""

from __future__ import annotations

import re
from collections.abc import Iterable

from consentkit.classify import Classifier
from consentkit.html.judge import TagJudge, TrackerHosts
from consentkit.html.rewriter import HtmlRewriter, Injection
from consentkit.policy import Policy, SnippetRule, TrackerRule

# The rules the example pages rely on are stated here, so that the tests do not depend
# on how the built-in catalogue grows (policy rules win over the catalogue).
TEST_POLICY = Policy(
    trackers=(
        TrackerRule("www.googletagmanager.com", "analytics", vendor="Google tag"),
        TrackerRule("www.google-analytics.com", "analytics", "beacon", vendor="Google"),
        TrackerRule("connect.facebook.net", "marketing", vendor="Meta"),
        TrackerRule("www.facebook.com", "marketing", "pixel", path="/tr", vendor="Meta"),
        TrackerRule("snap.licdn.com", "marketing", vendor="LinkedIn"),
        TrackerRule("px.ads.linkedin.com", "marketing", "pixel", vendor="LinkedIn"),
        TrackerRule("analytics.tiktok.com", "marketing", vendor="TikTok"),
        TrackerRule("static.hotjar.com", "analytics", vendor="Hotjar"),
        TrackerRule("www.clarity.ms", "analytics", vendor="Microsoft Clarity"),
        TrackerRule("www.youtube.com", "marketing", "iframe", path="/embed", vendor="YouTube"),
        TrackerRule("www.google.com", "preferences", "iframe", path="/maps/embed",
                    vendor="Google Maps"),
    ),
    snippets=(
        SnippetRule(r"gtag\(\s*['\"]config['\"]", "analytics", vendor="Google tag"),
        SnippetRule(r"['\"]gtm\.start['\"]", "analytics", vendor="Google Tag Manager"),
        SnippetRule(r"fbq\(\s*['\"]init['\"]", "marketing", vendor="Meta"),
        SnippetRule(r"_linkedin_partner_id", "marketing", vendor="LinkedIn"),
        SnippetRule(r"ttq\.load\(", "marketing", vendor="TikTok"),
        SnippetRule(r"h\.hj\s*=\s*h\.hj", "analytics", vendor="Hotjar"),
        SnippetRule(r"clarity\.ms/tag/", "analytics", vendor="Microsoft Clarity"),
    ),
)
CLASSIFIER = Classifier(TEST_POLICY)
HOSTS = TrackerHosts(CLASSIFIER)
NOTHING = frozenset({"necessary"})
EVERYTHING = frozenset({"necessary", "preferences", "analytics", "marketing"})


class MarkerInjection:
    """Injects visible markers, to check where the banner and Consent Mode land."""

    def __init__(self, head_start: bytes = b"<!--CM-->") -> None:
        self._head_start = head_start
        self.langs: list[str | None] = []

    def head_start(self) -> bytes:
        return self._head_start

    def banner(self, lang: str | None) -> bytes:
        self.langs.append(lang)
        return b"<!--BANNER-->"


def rewrite(page: bytes, granted: Iterable[str] = NOTHING, *, chunks: Iterable[int] = (),
            injection: Injection | None = None, classifier: Classifier = CLASSIFIER) -> bytes:
    """Run the rewriter over ``page`` cut at the offsets in ``chunks``."""
    hosts = HOSTS if classifier is CLASSIFIER else TrackerHosts(classifier)
    rewriter = HtmlRewriter(TagJudge(classifier, frozenset(granted), hosts), injection)
    cuts = sorted({c for c in chunks if 0 < c < len(page)})
    out = []
    last = 0
    for cut in [*cuts, len(page)]:
        out.append(rewriter.feed(page[last:cut]))
        last = cut
    out.append(rewriter.close())
    return b"".join(out)


HELD_TAG = re.compile(rb'<[a-zA-Z][^\t\n\f\r />]*(?: type="text/plain")? data-consentkit="')
