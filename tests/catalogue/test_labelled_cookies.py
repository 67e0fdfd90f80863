"""A labelled set of real cookie names, as browsers see them on real sites, is classified
by the catalogue into the expected purpose."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from consentkit.classify import Classifier
from consentkit.policy import Policy

LABELLED = Path(__file__).with_name("labelled_cookies.csv")


def labelled() -> list[tuple[str, str]]:
    with LABELLED.open(newline="", encoding="utf-8") as handle:
        return [(row["name"], row["category"]) for row in csv.DictReader(handle)]


def test_labelled_set_is_large_and_has_no_duplicates() -> None:
    names = [name for name, _ in labelled()]
    assert len(names) >= 300
    assert len(set(names)) == len(names)
    assert {category for _, category in labelled()} == {
        "necessary", "preferences", "analytics", "marketing"}


@pytest.fixture(scope="module")
def classifier() -> Classifier:
    return Classifier(Policy())


def test_every_labelled_name_is_recognised_by_the_catalogue_in_its_purpose(
    classifier: Classifier,
) -> None:
    wrong = []
    for name, expected in labelled():
        found = classifier.cookie(name)
        if found.source != "catalogue" or found.category != expected:
            wrong.append((name, expected, found.category, found.rule))
    assert wrong == []


@pytest.mark.parametrize(("name", "vendor", "rule"), [
    ("_ga_ABC123XYZ", "Google Analytics", 'prefix "_ga_" (catalogue, Google Analytics)'),
    ("_hjSessionUser_1234567", "Hotjar", 'prefix "_hjSessionUser_" (catalogue, Hotjar)'),
    ("__Secure-next-auth.session-token", "Next.js",
     'exact "__Secure-next-auth.session-token" (catalogue, Next.js)'),
    ("mp_4f1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e_mixpanel", "Mixpanel",
     'pattern "mp_[0-9a-f]{16,40}_mixpanel" (catalogue, Mixpanel)'),
])
def test_classification_names_the_rule_and_vendor(
    classifier: Classifier, name: str, vendor: str, rule: str
) -> None:
    found = classifier.cookie(name)
    assert (found.vendor, found.rule) == (vendor, rule)
    assert found.purpose and found.lifetime
    assert found.explain() == f"{name}: {found.category} by {rule}"
