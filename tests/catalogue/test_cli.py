"""``consentkit classify``: category, vendor, purpose, rule and source per argument."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from consentkit.cli import main


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    assert main(["classify", *argv]) == 0
    return capsys.readouterr().out


def test_classify_prints_category_vendor_purpose_rule_and_source(
    capsys: pytest.CaptureFixture[str],
) -> None:
    out = run(capsys, "_ga_ABC123XYZ")
    assert out.splitlines() == [
        "_ga_ABC123XYZ",
        "  category: analytics",
        "  vendor:   Google Analytics",
        "  purpose:  Keeps the session state and count of one Google Analytics 4 property.",
        "  lifetime: 2 years",
        '  rule:     prefix "_ga_" (catalogue, Google Analytics)',
        "  source:   catalogue",
    ]


def test_classify_takes_several_names_and_urls_in_order(
    capsys: pytest.CaptureFixture[str],
) -> None:
    out = run(capsys, "__cf_bm", "https://www.youtube-nocookie.com/embed/x", "zq_42")
    blocks = out.strip().split("\n\n")
    assert [block.splitlines()[0] for block in blocks] == [
        "__cf_bm", "https://www.youtube-nocookie.com/embed/x", "zq_42"]
    assert "  kind:     iframe" in blocks[1]
    assert "  category: unknown" in blocks[2]
    assert "  source:   unknown" in blocks[2]


def test_classify_json_is_one_object_per_argument(capsys: pytest.CaptureFixture[str]) -> None:
    data = json.loads(run(capsys, "--json", "_fbp", "connect.facebook.net", "my_lang"))
    assert [item["subject"] for item in data] == ["_fbp", "connect.facebook.net", "my_lang"]
    assert data[0] == {
        "subject": "_fbp", "known": True, "category": "marketing", "vendor": "Meta",
        "purpose": "Meta Pixel: identifies the browser for Meta advertising and measurement.",
        "lifetime": "90 days", "kind": "", "rule": 'exact "_fbp" (catalogue, Meta)',
        "source": "catalogue"}
    assert (data[1]["kind"], data[1]["category"]) == ("script", "marketing")
    assert (data[2]["source"], data[2]["category"]) == ("heuristic", "preferences")


def test_classify_under_a_policy_file_shows_the_override(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    policy = tmp_path / "policy.toml"
    policy.write_text('[[cookies]]\nname = "_ga"\ncategory = "necessary"\nvendor = "Us"\n'
                      'purpose = "Load balancing."\n', encoding="utf-8")
    data = json.loads(run(capsys, "--json", "--policy", str(policy), "_ga", "_gid"))
    assert (data[0]["category"], data[0]["source"], data[0]["rule"]) == (
        "necessary", "policy", 'exact "_ga" (policy, Us)')
    assert data[1]["source"] == "catalogue"


def test_classify_with_a_broken_policy_names_the_setting(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    policy = tmp_path / "policy.toml"
    policy.write_text('[[cookies]]\nname = "_ga"\ncategory = "analytic"\n', encoding="utf-8")
    assert main(["classify", "--policy", str(policy), "_ga"]) == 2
    assert "cookies[0].category" in capsys.readouterr().err


def test_classify_needs_at_least_one_argument(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["classify"])
    assert exit_info.value.code == 2
    assert "NAME_OR_URL" in capsys.readouterr().err
