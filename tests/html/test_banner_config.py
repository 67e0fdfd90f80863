"""The banner's config block: safe inside <script>, the right language, the visitor's
state only where the page is per visitor."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from consentkit.banner_config import (
    BannerConfigs,
    build_banner_config,
    parse_accept_language,
    script_json,
)
from consentkit.consent import Consent
from consentkit.html.csp import allow_inline_scripts, page_nonce
from consentkit.html.inject import consent_mode_script
from consentkit.html.responder import private_cache
from consentkit.policy import DEFAULT_CONSENT_MODE, Category, CookieRule, Policy

from .conftest import MarkerInjection, rewrite


def test_json_is_safe_inside_a_script_element() -> None:
    text = script_json({"t": "</script><!-- & \u2028\u2029 é"})
    assert "<" not in text and ">" not in text and "&" not in text
    assert "\u2028" not in text and "\u2029" not in text
    assert text.isascii()
    assert json.loads(text) == {"t": "</script><!-- & \u2028\u2029 é"}


def test_config_has_the_documented_fields() -> None:
    policy = Policy(privacy_url="/privacy")
    consent = Consent(frozenset({"necessary", "analytics"}), given=True, id="abc", gpc=True)
    config = build_banner_config(policy, lang="he", texts={"title": "T"}, consent=consent,
                                 endpoint="/consentkit/consent")
    assert config["dir"] == "rtl" and config["privacyUrl"] == "/privacy"
    assert config["consent"] == {"given": True, "categories": ["analytics", "necessary"],
                                 "id": "abc"}
    assert config["gpc"] is True and config["cacheSafe"] is False
    assert [c["name"] for c in config["categories"]] == list(policy.category_names)
    assert config["categories"][0]["required"] is True
    assert config["consentMode"]["analytics"] == ["analytics_storage"]
    assert {"host", "category"} <= set(config["rules"]["trackers"][0])


@pytest.fixture
def i18n(tmp_path: Path) -> Path:
    (tmp_path / "en.json").write_text(json.dumps({"title": "Cookies", "save": "Save"}))
    (tmp_path / "fr.json").write_text(json.dumps({"title": "Témoins"}))
    (tmp_path / "pt-BR.json").write_text(json.dumps({"title": "Cookies (BR)"}))
    return tmp_path


def configs(i18n: Path, **policy: object) -> BannerConfigs:
    return BannerConfigs(Policy(**policy), i18n_dir=i18n, endpoint="/c",  # type: ignore[arg-type]
                         floating_button=True, cache_safe=False)


def test_page_language_wins_then_accept_language_then_default(i18n: Path) -> None:
    banner = configs(i18n)
    assert banner.language("fr-CA", "pt-BR") == "fr"
    assert banner.language("xx", "de, pt-br;q=0.8, fr;q=0.5") == "pt-BR"
    assert banner.language(None, "pt") == "pt-BR"
    assert banner.language(None, "de, *;q=0.1") == "en"


def test_missing_texts_fall_back_to_english_and_policy_overrides(i18n: Path) -> None:
    banner = configs(i18n, texts={"fr": {"save": "Garder"}})
    assert banner.texts("fr") == {"title": "Témoins", "save": "Garder"}
    assert banner.texts("pt-BR")["save"] == "Save"


def test_policy_languages_restrict_the_choice(i18n: Path) -> None:
    banner = configs(i18n, languages=("en",))
    assert banner.language("fr", "fr") == "en"


def test_visitor_state_is_left_out_in_cache_safe_pages(i18n: Path) -> None:
    banner = configs(i18n)
    consent = Consent(frozenset({"necessary"}))
    assert '"consent":{' in banner.json_for("en", consent)
    assert '"consent"' not in banner.json_for("en", None)
    assert json.loads(banner.json_for("en", None, "/shop"))["endpoint"] == "/shop/c"
    assert json.loads(banner.json_for("en", consent))["texts"]["title"] == "Cookies"


def test_accept_language_quality_order() -> None:
    assert parse_accept_language("da, en-gb;q=0.8, en;q=0.7, x;q=0") == ["da", "en-gb", "en"]


def test_consent_mode_default_says_granted_only_for_categories_in_force() -> None:
    code = consent_mode_script(DEFAULT_CONSENT_MODE, frozenset({"necessary", "analytics"}))
    assert '"analytics_storage":"granted"' in code
    assert '"ad_storage":"denied"' in code and '"functionality_storage":"denied"' in code
    assert "<" not in code


def test_custom_category_titles_reach_the_config() -> None:
    policy = Policy(categories=(Category("necessary", "Needed", required=True),
                                Category("video", "Videos", "Embedded players")),
                    consent_mode=None)
    config = build_banner_config(policy, lang="en", texts={}, consent=None, endpoint="/c")
    assert config["categories"][1] == {"name": "video", "title": "Videos",
                                       "description": "Embedded players", "required": False,
                                       "cookies": []}
    assert "consent" not in config


def test_nonce_is_read_from_the_directive_that_governs_scripts() -> None:
    headers = [(b"content-security-policy",
                b"default-src 'nonce-a'; script-src-elem 'self' 'nonce-b'")]
    assert page_nonce(headers) == "b"
    assert page_nonce([(b"content-security-policy", b"img-src *")]) is None


def test_hash_goes_only_where_inline_scripts_would_be_blocked() -> None:
    headers = [(b"content-security-policy", b"script-src 'nonce-n'"),
               (b"content-security-policy-report-only", b"script-src 'self'"),
               (b"content-security-policy", b"img-src *")]
    out = allow_inline_scripts(headers, ["x()"], "n")
    assert out[0] == headers[0] and out[2] == headers[2]
    assert out[1][1].startswith(b"script-src 'self' 'sha256-")


def test_private_cache_keeps_other_directives() -> None:
    assert private_cache([(b"cache-control", b"public, s-maxage=600, max-age=60")]) == [
        (b"cache-control", b"private, max-age=60")]
    assert private_cache([(b"cache-control", b"no-store")]) == [(b"cache-control", b"no-store")]
    assert private_cache([]) == [(b"cache-control", b"private")]


@pytest.mark.parametrize("page,expected", [
    (b"<html><head><title>x</title></head><body>y</body></html>",
     b"<html><head><!--CM--><title>x</title><!--BANNER--></head><body>y</body></html>"),
    (b"<!doctype html><meta charset=utf-8><title>x</title><p>y",
     b"<!doctype html><!--CM--><meta charset=utf-8><title>x</title><p>y<!--BANNER-->"),
    (b"<body class=a><p>y</p></body>", b"<!--CM--><body class=a><!--BANNER--><p>y</p></body>"),
    (b"<head><!-- </head> --><script>'</head>'</script></head>",
     b"<head><!--CM--><!-- </head> --><script>'</head>'</script><!--BANNER--></head>"),
    (b"<head><template><p></head></template></head>",
     b"<head><!--CM--><template><p></head></template><!--BANNER--></head>"),
    (b"<head><textarea></head></textarea></head>",
     b"<head><!--CM--><textarea></head></textarea><!--BANNER--></head>"),
    (b"<p>x<!-- unclosed", b"<!--CM--><p>x<!-- unclosed--><!--BANNER-->"),
    (b"plain text", b"plain text<!--CM--><!--BANNER-->"),
])
def test_injection_places(page: bytes, expected: bytes) -> None:
    injection = MarkerInjection()
    assert rewrite(page, chunks=range(0, len(page), 2), injection=injection) == expected


def test_page_language_reaches_the_banner() -> None:
    injection = MarkerInjection()
    rewrite(b'<html lang="de-AT"><head></head></html>', injection=injection)
    assert injection.langs == ["de-AT"]


def test_client_rules_keep_the_policy_and_the_refusable_catalogue_rules() -> None:
    policy = Policy(cookies=(CookieRule("necessary", name="sid"),
                             CookieRule("analytics", prefix="_stat_")))
    config = build_banner_config(policy, lang="en", texts={}, consent=None, endpoint="/c")
    cookies = config["rules"]["cookies"]
    assert cookies[:2] == [{"name": "sid", "category": "necessary"},
                           {"prefix": "_stat_", "category": "analytics"}]
    assert {"name": "_ga", "category": "analytics"} in cookies
    assert all(rule["category"] != "necessary" for rule in cookies[2:])
    assert all(rule["category"] != "necessary" for rule in config["rules"]["trackers"])
