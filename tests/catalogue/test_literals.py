"""The pre-screen words of a signature are in every text the signature matches, so that
screening never changes a classification."""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from consentkit.catalogue import load_catalogue
from consentkit.classify import Classifier
from consentkit.classify_literals import required_words, word_trie
from consentkit.policy import Policy, SnippetRule

SIGNATURES = [rule.signature for rule in load_catalogue().snippets]


@pytest.mark.parametrize(("pattern", "words"), [
    (r"fbq\(\s*['\"]init['\"]", ("fbq(",)),
    (r"_paq\.push\(|matomo\.js", ("_paq.push(", "matomo.js")),
    (r"abc?def", ("def",)),
    (r"ab+cdef", ("cdef",)),          # "abbcdef" matches: only "cdef" is certain
    (r"x(yz)*wxyz", ("wxyz",)),
    (r"new\s+Vimeo\.Player\(", ("Vimeo.Player(",)),
    (r"[abc]+xyz{2,3}q", None),       # only "xy" is certain: too short to screen by
    (r"ab|cdef", None),
    (r"(?i)clarity", None),
    (r"\d+\s*", None),
])
def test_required_words(pattern: str, words: tuple[str, ...] | None) -> None:
    assert required_words(pattern) == words


def test_every_catalogue_signature_has_screen_words() -> None:
    assert all(required_words(signature) for signature in SIGNATURES)


@pytest.mark.parametrize("signature", SIGNATURES)
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_screen_words_occur_in_every_match(signature: str, data: st.DataObject) -> None:
    text = data.draw(st.from_regex(re.compile(signature)))
    words = required_words(signature) or ()
    assert any(word in text for word in words)


def test_word_trie_matches_exactly_the_words() -> None:
    trie = re.compile(f"^(?:{word_trie(['fbq(', 'fbevents', '_paq', 'gtag'])})$")
    assert all(trie.match(word) for word in ["fbq(", "fbevents", "_paq", "gtag"])
    assert not any(trie.match(word) for word in ["fbq", "fbe", "paq", "gta"])


CLASSIFIER = Classifier(Policy())
RANK = {name: rank for rank, name in enumerate(Policy().category_names)}
FRAGMENTS = ["fbq(", "'init'", "gtag(", "'config'", "_paq.push(", "ttq.load(", "(", "'",
             "\"", " ", ",", "AW-", "conversion", "'event'", "__tcfapi(", "snaptr(",
             "analytics.load(", "ym(1, ", "clarity.ms/tag/", "x", ".", "=", "Intercom("]


@settings(deadline=None, max_examples=300)
@given(st.lists(st.sampled_from(FRAGMENTS), max_size=12).map("".join))
def test_screened_classification_equals_trying_every_signature(code: str) -> None:
    found = CLASSIFIER.inline_script(code)
    matching = [rule for rule in load_catalogue().snippets if re.search(rule.signature, code)]
    if not matching:
        assert found.category is None
    else:
        assert found.category == max((rule.category for rule in matching), key=RANK.__getitem__)
        assert found.vendor in {rule.vendor for rule in matching}


def test_policy_signature_without_screen_words_is_still_tried() -> None:
    policy = Policy(snippets=(SnippetRule(r"\d{3}-\d{4}", "analytics", vendor="Own"),))
    assert Classifier(policy).inline_script("call('555-1234')").vendor == "Own"


def test_repeated_scripts_are_answered_from_the_cache() -> None:
    classifier = Classifier(Policy())
    code = "fbq('init', '123');"
    assert classifier.inline_script(code) is classifier.inline_script(code)
    long_code = "x=1;" * 5000 + code
    assert classifier.inline_script(long_code).vendor == "Meta"
