"""Name heuristics: the last guess before "unknown", in a documented order."""

from __future__ import annotations

import pytest

from consentkit.classify import HEURISTICS, Classifier
from consentkit.policy import Policy


@pytest.fixture(scope="module")
def classifier() -> Classifier:
    return Classifier(Policy(use_catalogue=False))


@pytest.mark.parametrize(("name", "category"), [
    ("_myapp_session", "necessary"),
    ("shop-sess", "necessary"),
    ("api.sid", "necessary"),
    ("AuthToken", "necessary"),
    ("remember_me", "necessary"),
    ("my_csrf", "necessary"),
    ("X-XSRF", "necessary"),
    ("site_consent", "necessary"),
    ("cookie_notice_closed", "necessary"),
    ("user_lang", "preferences"),
    ("LOCALE", "preferences"),
    ("preferred-currency", "preferences"),
    ("ui.theme", "preferences"),
    ("dark_mode", "preferences"),
    ("ad_id", "marketing"),
    ("partner.ads.seen", "marketing"),
    ("fbclid_store", "marketing"),
    ("visitor_id", "analytics"),
    ("site_stats", "analytics"),
    ("tracking_id", "analytics"),
])
def test_heuristic_categories(classifier: Classifier, name: str, category: str) -> None:
    found = classifier.cookie(name)
    assert (found.category, found.source) == (category, "heuristic")
    assert found.rule.startswith('heuristic "') and found.purpose


@pytest.mark.parametrize(("name", "category"), [
    ("ad_session", "marketing"),          # advertising beats session
    ("tracking_session", "analytics"),    # measurement beats session
    ("analytics_consent", "necessary"),   # a consent record beats measurement
    ("session_lang", "necessary"),        # session beats display preference
])
def test_the_first_heuristic_in_order_wins(
    classifier: Classifier, name: str, category: str
) -> None:
    assert classifier.cookie(name).category == category


@pytest.mark.parametrize("name", ["mystery_cookie", "zq_42", "adobe_thing", "x", "loaded",
                                  "readme", "statue"])
def test_names_without_heuristic_words_stay_unknown(classifier: Classifier, name: str) -> None:
    assert classifier.cookie(name).category is None


def test_whole_word_markers_do_not_match_inside_words(classifier: Classifier) -> None:
    # "_ad_" and "_sid_" are whole words: "shadow" and "inside" are not advertising/session.
    assert classifier.cookie("shadow").category is None
    assert classifier.cookie("inside").category is None


def test_heuristics_are_ordered_necessary_first() -> None:
    assert HEURISTICS[0].category == "necessary"
    assert [h.category for h in HEURISTICS[2:4]] == ["marketing", "analytics"]
