"""Precedence: the consent cookie, then the site's policy, then the catalogue, then name
heuristics, then unknown. A policy overrides the catalogue, on the wire too."""

from __future__ import annotations

from pathlib import Path

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route
from starlette.testclient import TestClient

from consentkit.asgi import ConsentMiddleware
from consentkit.classify import Classifier
from consentkit.policy import CookieRule, Policy, SnippetRule, TrackerRule
from consentkit.policy_file import load_policy

GTAG = "gtag('js', new Date()); gtag('config', 'G-ABC123XYZ');"


def test_policy_exact_rule_overrides_a_catalogue_exact_rule() -> None:
    policy = Policy(cookies=(CookieRule("necessary", name="_ga", purpose="Load balancing",
                                        vendor="Our CDN"),))
    found = Classifier(policy).cookie("_ga")
    assert (found.category, found.source, found.vendor) == ("necessary", "policy", "Our CDN")
    assert found.rule == 'exact "_ga" (policy, Our CDN)'


def test_any_policy_rule_beats_any_catalogue_rule_even_a_prefix_over_an_exact_name() -> None:
    classifier = Classifier(Policy(cookies=(CookieRule("preferences", prefix="_g"),)))
    assert classifier.cookie("_ga").category == "preferences"
    assert classifier.cookie("_gid").source == "policy"
    assert classifier.cookie_rule("_ga") == CookieRule("preferences", prefix="_g")
    # Names the policy does not cover still come from the catalogue.
    assert classifier.cookie("_fbp").source == "catalogue"


def test_policy_pattern_beats_a_catalogue_prefix() -> None:
    classifier = Classifier(Policy(cookies=(CookieRule("necessary", pattern=r"_hj\w+_42"),)))
    assert classifier.cookie("_hjSession_42").category == "necessary"
    assert classifier.cookie("_hjSession_43").category == "analytics"


def test_within_one_source_exact_beats_longest_prefix_beats_pattern() -> None:
    policy = Policy(cookies=(
        CookieRule("marketing", pattern=r"app_.*"),
        CookieRule("analytics", prefix="app_"),
        CookieRule("preferences", prefix="app_pref_"),
        CookieRule("necessary", name="app_pref_main"),
    ))
    classifier = Classifier(policy, consent_cookie="ck")
    assert classifier.cookie("app_pref_main").category == "necessary"
    assert classifier.cookie("app_pref_other").category == "preferences"
    assert classifier.cookie("app_x").category == "analytics"


def test_catalogue_beats_heuristics() -> None:
    # "_hjSession_1" contains "sess", a session word, but the catalogue knows it is Hotjar.
    found = Classifier(Policy()).cookie("_hjSession_1")
    assert (found.category, found.source) == ("analytics", "catalogue")


def test_heuristics_apply_when_no_rule_matches_and_unknown_after_that() -> None:
    classifier = Classifier(Policy())
    assert classifier.cookie("myshop_lang").source == "heuristic"
    assert classifier.cookie("myshop_lang").category == "preferences"
    unknown = classifier.cookie("zq_42")
    assert (unknown.category, unknown.source, unknown.known) == (None, "unknown", False)
    assert unknown.explain() == "zq_42: unknown by no rule matched"


def test_the_consent_cookie_is_necessary_whatever_the_policy_says() -> None:
    policy = Policy(cookies=(CookieRule("marketing", prefix="consent"),))
    found = Classifier(policy, consent_cookie="consentkit").cookie("consentkit")
    assert (found.category, found.source) == ("necessary", "consentkit")


def test_without_the_catalogue_only_policy_and_heuristics_apply() -> None:
    classifier = Classifier(Policy(use_catalogue=False))
    assert classifier.cookie("_ga").category is None
    assert classifier.cookie("__cf_bm").category is None
    assert classifier.url("https://connect.facebook.net/en_US/fbevents.js").category is None
    assert classifier.inline_script(GTAG).category is None
    assert classifier.cookie("sessionid").source == "heuristic"


def test_policy_tracker_rule_overrides_the_catalogue() -> None:
    policy = Policy(trackers=(TrackerRule("youtube-nocookie.com", "preferences", kind="iframe",
                                          vendor="YouTube (privacy mode)"),))
    found = Classifier(policy).url("https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ")
    assert (found.category, found.source, found.kind) == ("preferences", "policy", "iframe")
    assert Classifier(Policy()).url("https://www.youtube-nocookie.com/embed/x").category == (
        "marketing")


def test_policy_snippet_overrides_the_catalogue() -> None:
    policy = Policy(snippets=(SnippetRule(r"G-ABC123XYZ", "necessary", vendor="Own"),))
    found = Classifier(policy).inline_script(GTAG)
    assert (found.category, found.source, found.vendor) == ("necessary", "policy", "Own")


def test_policy_file_overrides_the_catalogue(tmp_path: Path) -> None:
    path = tmp_path / "policy.toml"
    path.write_text('[[cookies]]\nname = "_fbp"\ncategory = "analytics"\n'
                    'purpose = "We only count visits with it."\n', encoding="utf-8")
    found = Classifier(load_policy(path)).cookie("_fbp")
    assert (found.category, found.source, found.purpose) == (
        "analytics", "policy", "We only count visits with it.")


def test_the_cache_answers_like_the_uncached_path_and_stays_bounded() -> None:
    classifier = Classifier(Policy())
    for index in range(9000):
        name = f"_ga_{index}" if index % 2 else f"n{index}"
        assert classifier.cookie(name) == classifier.cookie_uncached(name)
    assert classifier.cookie("_ga_1") is classifier.cookie("_ga_1")
    assert len(classifier._cookie_cache) <= 8192


async def cookies_page(request: Request) -> Response:
    response = PlainTextResponse("ok")
    for name in ("__cf_bm", "_hjSessionUser_1234567", "_fbp", "NEXT_LOCALE"):
        response.set_cookie(name, "1")
    return response


def client_with(policy: Policy) -> TestClient:
    app = ConsentMiddleware(Starlette(routes=[Route("/", cookies_page)]),
                            secret_key="test-secret-key-0123456789", cookie_secure=False,
                            policy=policy)
    return TestClient(app, base_url="http://shop.test")


def set_cookie_names(client: TestClient) -> list[str]:
    """The cookie names the front page sets, in header order."""
    headers = client.get("/").headers.get_list("set-cookie")
    return [value.split("=", 1)[0] for value in headers]


def test_catalogue_cookies_are_held_back_before_consent_on_the_wire() -> None:
    names = set_cookie_names(client_with(Policy()))
    assert names == ["__cf_bm"]


def test_a_policy_rule_lets_a_catalogue_cookie_through_on_the_wire() -> None:
    policy = Policy(cookies=(CookieRule("necessary", prefix="_hjSessionUser_",
                                        purpose="Self-hosted, anonymous session counter"),))
    names = set_cookie_names(client_with(policy))
    assert names == ["__cf_bm", "_hjSessionUser_1234567"]
