"""The cookie table of a privacy policy, rendered from the policy file."""

from __future__ import annotations

import json
from html.parser import HTMLParser
from pathlib import Path

import pytest

from consentkit import ConfigError, load_policy
from consentkit.cli import main
from consentkit.declaration import build_declaration, render_html, render_markdown

POLICY = """
version = "2"
consent_lifetime_days = 365

[categories.marketing]
title = "Advertising"
description = "Ads on this site and elsewhere."

[[cookies]]
name = "locale"
category = "preferences"
purpose = "Keeps the language preference."
lifetime = "1 year"

[[cookies]]
name = "session"
category = "necessary"
purpose = "Keeps you signed in."
lifetime = "until the browser closes"

[[cookies]]
prefix = "_ga_"
category = "analytics"
vendor = "Google"
purpose = "Counts visits | pages."
lifetime = "2 years"
party = "third"
"""


@pytest.fixture
def policy_file(tmp_path: Path) -> Path:
    path = tmp_path / "policy.toml"
    path.write_text(POLICY)
    return path


def declare(*args: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    status = main(["declaration", *args])
    return status, capsys.readouterr().out


def test_markdown_lists_each_cookie_under_its_category(
    policy_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out = declare("--policy", str(policy_file), capsys=capsys)
    assert status == 0
    sections = out.split("### ")[1:]
    assert [s.splitlines()[0] for s in sections] == [
        "Strictly necessary", "Preferences", "Analytics", "Advertising"]
    necessary, preferences, analytics, marketing = sections
    assert "| `consentkit` |  | Remembers the visitor's cookie choice. | 365 days | this site |" \
        in necessary
    assert "| `session` |  | Keeps you signed in. | until the browser closes | this site |" \
        in necessary
    assert "| `locale` |  | Keeps the language preference. | 1 year | this site |" in preferences
    assert "| `_ga_*` | Google | Counts visits \\| pages. | 2 years | third party |" in analytics
    assert "Ads on this site and elsewhere." in marketing
    assert "No cookies are declared in this category." in marketing


def test_json_carries_every_field(policy_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, out = declare("--policy", str(policy_file), "--format", "json", capsys=capsys)
    assert status == 0
    data = json.loads(out)
    analytics = next(c for c in data["categories"] if c["name"] == "analytics")
    assert analytics["cookies"] == [{
        "name": "_ga_*", "vendor": "Google", "purpose": "Counts visits | pages.",
        "category": "analytics", "lifetime": "2 years", "party": "third"}]
    assert data["lang"] == "en"


class _Cells(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.cells: list[str] = []
        self._open = False

    def handle_starttag(self, tag: str, attrs: object) -> None:
        if tag in ("td", "th"):
            self._open = True
            self.cells.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th"):
            self._open = False

    def handle_data(self, data: str) -> None:
        if self._open:
            self.cells[-1] += data


def test_html_is_escaped_and_in_the_requested_language(
    policy_file: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    target = tmp_path / "cookies.html"
    status, _ = declare("--policy", str(policy_file), "--format", "html", "--lang", "de",
                        "--output", str(target), capsys=capsys)
    html = target.read_text()
    assert status == 0
    assert '<div class="consentkit-declaration" lang="de">' in html
    assert "<h3>Unbedingt erforderlich</h3>" in html
    assert "<h3>Präferenzen</h3>" in html
    assert "<h3>Advertising</h3>" not in html  # an English title is not shown in German
    parser = _Cells()
    parser.feed(html)
    assert parser.cells[:5] == ["Name", "Anbieter", "Zweck", "Speicherdauer", "Gesetzt von"]
    assert parser.cells[5:10] == ["consentkit", "", "Speichert die Cookie-Auswahl des Besuchers.",
                                  "365 Tage", "dieser Website"]


def test_custom_titles_are_kept_in_the_policy_language(policy_file: Path) -> None:
    policy = load_policy(policy_file)
    english = build_declaration(policy)
    assert english.sections[3].title == "Advertising"
    german = build_declaration(policy, lang="de")
    assert german.sections[3].title != "Advertising"  # the banner's German title


def test_unknown_language_falls_back_to_english(policy_file: Path) -> None:
    policy = load_policy(policy_file)
    decl = build_declaration(policy, lang="xx")
    assert decl.sections[0].title == "Strictly necessary"
    assert "| Name | Provider | Purpose | Lifetime | Set by |" in render_markdown(decl)


def test_regional_language_uses_its_base_language(policy_file: Path) -> None:
    decl = build_declaration(load_policy(policy_file), lang="pt-BR")
    assert decl.sections[0].cookies[0].lifetime == "365 dias"


def test_policy_texts_override_the_language_file(tmp_path: Path) -> None:
    path = tmp_path / "policy.toml"
    path.write_text(POLICY + '\n[texts.en]\ncategory_analytics_title = "Statistics"\n')
    html = render_html(build_declaration(load_policy(path)))
    assert "<h3>Statistics</h3>" in html


def test_bad_language_tag_is_a_configuration_error(
    policy_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(ConfigError, match="lang"):
        build_declaration(load_policy(policy_file), lang="../../etc")
    assert main(["declaration", "--policy", str(policy_file), "--lang", "e n"]) == 2
