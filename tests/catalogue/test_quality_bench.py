"""The catalogue-quality benchmark reads a labelled cookie list and counts fairly."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BENCH = ROOT / "benchmarks" / "bench_catalogue_quality.py"
HEADER = ("ID,Platform,Category,Cookie / Data Key name,Domain,Description,"
          "Retention period,Data Controller,User Privacy & GDPR Rights Portals,Wildcard match\n")


def run(*args: str, env: dict[str, str] | None = None) -> list[dict[str, object]]:
    environment = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    environment.pop("CONSENTKIT_COOKIE_LIST", None)
    environment.update(env or {})
    done = subprocess.run([sys.executable, str(BENCH), *args], capture_output=True,
                          text=True, check=True, env=environment, cwd=ROOT)
    return [json.loads(line) for line in done.stdout.splitlines()]


def figures(lines: list[dict[str, object]]) -> dict[str, dict[str, object]]:
    return {str(line["bench"]): line for line in lines}


def write_list(folder: Path, rows: list[str]) -> Path:
    path = folder / "list.csv"
    path.write_text(HEADER + "".join(f"{row}\n" for row in rows), "utf-8")
    return path


def test_without_a_list_it_prints_one_skipped_line_and_succeeds() -> None:
    [line] = run()
    assert line["bench"] == "catalogue_recognised_share"
    assert line["value"] is None
    assert "--list" in str(line["skipped"])


def test_shares_count_catalogue_matches_and_map_functional_to_either_of_ours(
        tmp_path: Path) -> None:
    path = write_list(tmp_path, [
        "1,Google Analytics,Analytics,_ga,x,d,2 years,Google,p,0",
        "2,Google Analytics,Analytics,_ga_,x,d,2 years,Google,p,1",        # prefix
        "3,Cookiebot,Functional,CookieConsent [x4],x,d,1 year,Cookiebot,p,0",  # necessary
        "4,Hotjar,Functional,_hjFirstSeen,x,d,30 minutes,Hotjar,p,0",     # ours analytics
        "5,Some Shop,Functional,my_cart_thing,x,d,session,Shop,p,0",      # unknown
        "6,Some Shop,Functional,shop_lang,x,d,session,Shop,p,0",          # heuristic only
        "7,Adform,Marketing,EBFC<BannerID>,x,d,7 days,Adform,p,0",        # placeholder
        "8,Moat,Analytics,N/A,x,d,N/A,Oracle,p,0",                        # not a name
        "9,Google Analytics,Analytics,_ga,x,d,2 years,Google,p,0",        # duplicate
    ])
    found = figures(run("--list", str(path)))
    recognised = found["catalogue_recognised_share"]
    assert (recognised["recognised"], recognised["total"]) == (4, 7)
    assert recognised["by_heuristic_only"] == 1
    assert recognised["skipped_not_a_cookie_name"] == 1
    assert recognised["skipped_duplicate_name"] == 1
    agreement = found["catalogue_agreement_share"]
    assert (agreement["agreeing"], agreement["recognised"]) == (3, 4)
    assert agreement["value"] == 0.75
    named = found["catalogue_recognised_share_named_vendors"]
    assert (named["recognised"], named["total"]) == (4, 4)


def test_the_list_can_come_from_the_environment(tmp_path: Path) -> None:
    path = write_list(tmp_path, ["1,Meta,Marketing,_fbp,x,d,3 months,Facebook,p,0"])
    found = figures(run(env={"CONSENTKIT_COOKIE_LIST": str(path)}))
    assert found["catalogue_agreement_share_named_vendors"]["value"] == 1.0
