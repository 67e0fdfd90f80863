"""The shipped catalogue is consistent: every rule complete, no two rules disagree."""

from __future__ import annotations

import re
import tomllib
from collections import defaultdict
from importlib import resources
from typing import Any

import pytest

from consentkit.catalogue import load_catalogue
from consentkit.policy import (
    DEFAULT_CATEGORIES,
    TRACKER_KINDS,
    CookieRule,
    SnippetRule,
    TrackerRule,
)

CATEGORIES = {c.name for c in DEFAULT_CATEGORIES}
HOST = re.compile(r"^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9-]{2,63}$")


def raw_files() -> dict[str, dict[str, Any]]:
    folder = resources.files("consentkit.catalogue").joinpath("data")
    return {entry.name: tomllib.loads(entry.read_text("utf-8"))
            for entry in folder.iterdir() if entry.name.endswith(".toml")}


def test_catalogue_is_split_by_vendor_family() -> None:
    names = set(load_catalogue().files)
    assert {"google.toml", "meta.toml", "microsoft.toml", "frameworks.toml"} <= names
    assert len(names) >= 10


def test_catalogue_meets_the_coverage_floor() -> None:
    catalogue = load_catalogue()
    assert len(catalogue.cookies) >= 400
    assert len(catalogue.trackers) >= 150
    kinds = {rule.kind for rule in catalogue.trackers}
    assert kinds == set(TRACKER_KINDS)
    assert len(catalogue.snippets) >= 20


@pytest.mark.parametrize("vendor", [
    "Google Analytics", "Google Ads", "Meta", "Microsoft Clarity", "Microsoft Advertising",
    "LinkedIn", "TikTok", "X (Twitter)", "Pinterest", "Snap", "Reddit", "Criteo", "Hotjar",
    "Mixpanel", "Amplitude", "Segment", "HubSpot", "Matomo", "Adobe Analytics",
    "Yandex Metrica", "Baidu Tongji", "Naver Analytics", "Kakao", "LINE", "Intercom",
    "Zendesk", "Drift", "Crisp", "Stripe", "PayPal", "Cloudflare", "Amazon Web Services",
    "Google reCAPTCHA", "hCaptcha", "Shopify", "WordPress", "WooCommerce", "Wix", "Django",
    "Flask / Starlette", "Ruby on Rails", "Laravel", "Express / Koa", "PHP",
    "Java servlet containers", "ASP.NET", "Next.js", "OneTrust", "Cookiebot",
])
def test_every_vendor_group_of_the_issue_has_cookie_rules(vendor: str) -> None:
    assert any(rule.vendor == vendor for rule in load_catalogue().cookies), vendor


def test_every_rule_has_a_known_category_a_vendor_and_a_purpose() -> None:
    catalogue = load_catalogue()
    rules: list[CookieRule | TrackerRule | SnippetRule] = [
        *catalogue.cookies, *catalogue.trackers, *catalogue.snippets]
    for rule in rules:
        assert rule.category in CATEGORIES, rule
        assert rule.vendor.strip(), rule
        assert rule.purpose.strip() and "\n" not in rule.purpose, rule
        assert rule.source == "catalogue"


def test_every_cookie_rule_states_a_lifetime() -> None:
    for rule in load_catalogue().cookies:
        assert rule.lifetime.strip(), rule


def test_every_pattern_and_signature_compiles() -> None:
    for name, data in raw_files().items():
        for entry in data.get("cookies", []):
            if "pattern" in entry:
                re.compile(entry["pattern"])
        for entry in data.get("snippets", []):
            assert re.compile(entry["signature"]).pattern, name


def test_every_tracker_host_is_a_bare_lower_case_host_and_every_path_absolute() -> None:
    for rule in load_catalogue().trackers:
        assert HOST.match(rule.host), rule.host
        assert rule.path is None or rule.path.startswith("/"), rule


def test_no_exact_name_appears_twice() -> None:
    seen: dict[str, list[str]] = defaultdict(list)
    for name, data in raw_files().items():
        for entry in data.get("cookies", []):
            if "name" in entry:
                seen[entry["name"]].append(name)
    assert {n: files for n, files in seen.items() if len(files) > 1} == {}


def test_no_prefix_or_pattern_matches_an_exact_name_of_another_category() -> None:
    rules = load_catalogue().cookies
    exact = [rule for rule in rules if rule.name is not None]
    clashes = [
        (wide.match, wide.category, rule.name, rule.category)
        for wide in rules if wide.name is None
        for rule in exact
        if wide.matches(rule.name or "") and wide.category != rule.category
    ]
    assert clashes == []


def test_no_prefix_overlaps_another_prefix_of_another_category() -> None:
    prefixes = [rule for rule in load_catalogue().cookies if rule.prefix is not None]
    clashes = [
        (short.prefix, long.prefix)
        for short in prefixes for long in prefixes
        if short is not long and (long.prefix or "").startswith(short.prefix or "")
        and short.category != long.category
    ]
    assert clashes == []


def test_no_two_tracker_rules_share_host_and_path() -> None:
    keys = [(rule.host, rule.path) for rule in load_catalogue().trackers]
    assert len(keys) == len(set(keys))


def test_catalogue_is_read_once_per_process() -> None:
    assert load_catalogue() is load_catalogue()
