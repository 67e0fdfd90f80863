"""The policy model and its TOML file: what loads, and errors that name the key."""

from __future__ import annotations

from pathlib import Path

import pytest

from consentkit import ConfigError, CookieRule, Policy, load_policy
from consentkit.asgi import ConsentMiddleware

GOOD = """
version = "2026-11"
unknown_cookies = "allow"
consent_lifetime_days = 365
privacy_url = "/privacy"

[categories.functional]
title = "Functional"
description = "Chat and video widgets."

[[cookies]]
name = "locale"
category = "preferences"
purpose = "Keeps the language chosen with the language switcher."
lifetime = "1 year"

[[cookies]]
prefix = "cart_"
category = "necessary"
purpose = "The shopping cart."
lifetime = "session"
domain = "shop.test"

[[cookies]]
pattern = "^chat_[0-9]+$"
category = "functional"
vendor = "Chat widget"

[[trackers]]
host = "cdn.chat.example"
kind = "script"
category = "functional"
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "policy.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_policy_loads_from_toml(tmp_path: Path) -> None:
    policy = load_policy(write(tmp_path, GOOD))
    assert policy.version == "2026-11"
    assert policy.unknown_cookies == "allow"
    assert policy.consent_lifetime_days == 365
    assert policy.category_names == (
        "necessary", "preferences", "analytics", "marketing", "functional",
    )
    assert policy.category("functional").title == "Functional"
    kinds = [(rule.kind, rule.match) for rule in policy.cookies]
    assert kinds == [("exact", "locale"), ("prefix", "cart_"), ("pattern", "^chat_[0-9]+$")]
    assert policy.cookies[1].domain == "shop.test"
    assert policy.cookies[2].matches("chat_42") and not policy.cookies[2].matches("chat_x")


def test_the_same_policy_in_python() -> None:
    policy = Policy(cookies=[CookieRule("preferences", name="locale", lifetime="1 year")])
    assert policy.cookies_in("preferences")[0].lifetime == "1 year"
    assert policy.consent_lifetime_days == 180
    assert policy.unknown_cookies == "hold"


@pytest.mark.parametrize(
    ("text", "setting", "problem"),
    [
        ('[[cookies]]\nname = "a"\ncategory = "analytic"\n', "cookies[0].category",
         "unknown category 'analytic'"),
        ('[[cookies]]\ncategory = "analytics"\n', "cookies[0]", "exactly one of"),
        ('[[cookies]]\nname = "a"\nprefix = "b"\ncategory = "analytics"\n', "cookies[0]",
         "exactly one of"),
        ('[[cookies]]\npattern = "([a-"\ncategory = "analytics"\n', "cookies[0].pattern",
         "does not compile"),
        ('[[cookies]]\nname = "a"\ncategory = "analytics"\ncolour = "red"\n',
         "cookies[0].colour", "unknown key"),
        ('unknown_cookies = "drop"\n', "unknown_cookies", "'hold' or 'allow'"),
        ('consent_lifetime_days = "long"\n', "consent_lifetime_days", "must be a int"),
        ('consent_lifetime_days = 0\n', "consent_lifetime_days", "from 1 to 3650"),
        ('[[trackers]]\nhost = "a.example/x"\ncategory = "analytics"\n', "trackers[0].host",
         "bare host"),
        ('[[trackers]]\nhost = "a.example"\nkind = "laser"\ncategory = "analytics"\n',
         "trackers[0].kind", "not one of"),
        ('[categories.necessary]\nrequired = false\n', "categories.necessary.required",
         "always on"),
        ('[categories.Bad]\n', "categories[4].name", "lower-case"),
        ("version = \n", "policy", "not valid TOML"),
    ],
)
def test_a_bad_file_names_the_key(tmp_path: Path, text: str, setting: str, problem: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as caught:
        load_policy(path)
    assert caught.value.setting == setting
    assert problem in caught.value.problem
    if setting != "policy":
        assert str(path) in str(caught.value)


def test_a_missing_file_fails_at_start_up(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="policy: file not found"):
        ConsentMiddleware(lambda *a: None, secret_key="secret-key-123",
                          policy=tmp_path / "nope.toml")


@pytest.mark.parametrize(
    ("options", "setting"),
    [
        ({}, "secret_key"),
        ({"secret_key": "short"}, "secret_key"),
        ({"secret_key": ["good-secret-key", 42]}, "secret_key[1]"),
        ({"secret_key": "secret-key-123", "cookie_name": "bad name"}, "cookie_name"),
        ({"secret_key": "secret-key-123", "prefix": "consent"}, "prefix"),
        ({"secret_key": "secret-key-123", "ip_prefix_v4": 33}, "ip_prefix_v4"),
        ({"secret_key": "secret-key-123", "trusted_proxies": ["10.0.0.0/33"]},
         "trusted_proxies[0]"),
        ({"secret_key": "secret-key-123", "default_regime": "maybe"}, "default_regime"),
        ({"secret_key": "secret-key-123", "cache_safe": "yes"}, "cache_safe"),
    ],
)
def test_bad_settings_fail_at_start_up_naming_the_setting(
    options: dict[str, object], setting: str
) -> None:
    with pytest.raises((ConfigError, TypeError)) as caught:
        ConsentMiddleware(lambda *a: None, **options)
    if isinstance(caught.value, ConfigError):
        assert caught.value.setting == setting
    else:
        assert setting == "secret_key"


def test_an_unknown_option_is_refused_by_name() -> None:
    with pytest.raises(TypeError, match="secret_kee"):
        ConsentMiddleware(lambda *a: None, secret_kee="secret-key-123")


def test_typed_options_match_the_settings() -> None:
    from consentkit.options import ConsentOptions
    from consentkit.settings import Settings

    assert set(ConsentOptions.__annotations__) == set(Settings.option_names())


@pytest.mark.parametrize(
    ("rule", "shown"),
    [
        (CookieRule("analytics", name="_ga"), "_ga"),
        (CookieRule("analytics", prefix="_ga_"), "_ga_*"),
        (CookieRule("analytics", pattern=r"^_pk_id\..*$"), "_pk_id.*"),
        (CookieRule("analytics", pattern=r"^_hjSession_\d+$"), "_hjSession_*"),
        (CookieRule("analytics", pattern=r"^(a|b)_x$"), r"/^(a|b)_x$/"),
    ],
)
def test_cookie_tables_show_rules_readably(rule: CookieRule, shown: str) -> None:
    assert rule.display_name == shown
