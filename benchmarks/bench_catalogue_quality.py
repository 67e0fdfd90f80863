"""Quality of the built-in cookie catalogue against a public labelled cookie list.

Run from the project root::

    python benchmarks/bench_catalogue_quality.py --list /path/to/open-cookie-database.csv

(or set ``CONSENTKIT_COOKIE_LIST``). The list is the Open Cookie Database CSV; it is not
part of this repository. Each cookie name of the list is classified by
``Classifier(Policy())`` and two shares are printed, for the whole list and for the
vendor groups the catalogue is meant to cover:

- ``recognised``: names the catalogue (or policy) knows by a rule; names placed only by a
  name heuristic, and unknown names, do not count;
- ``agreement``: recognised names whose category matches the list's category, mapped as
  in :data:`CATEGORY_MAP` (the list's "Functional" means either "necessary" or
  "preferences" in our scheme, so either counts as agreement).

``--details`` also prints, on standard error, every missed or disagreeing name of the
named vendor groups.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import re
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

try:
    import consentkit  # noqa: F401
except ImportError:  # pragma: no cover - run from a checkout
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

from consentkit.classify import Classification, Classifier
from consentkit.policy import Policy

ENV_LIST = "CONSENTKIT_COOKIE_LIST"

# The list's categories and the categories of ours that agree with each.
CATEGORY_MAP: dict[str, frozenset[str]] = {
    "analytics": frozenset({"analytics"}),
    "marketing": frozenset({"marketing"}),
    # The list has no "strictly necessary" class: sign-in, load-balancer, CSRF and
    # consent-record cookies are all "Functional" there, as are display preferences.
    "functional": frozenset({"necessary", "preferences"}),
    "security": frozenset({"necessary"}),
    "personalization": frozenset({"preferences"}),
}

# The vendor groups the catalogue is meant to cover, matched as whole words in the
# list's Platform and Data Controller columns (lower-cased).
NAMED_VENDORS: dict[str, tuple[str, ...]] = {
    "Google": ("google", "goolge", "doubleclick", "youtube"),
    "Meta": ("facebook", "meta", "instagram"),
    "Microsoft": ("microsoft", "bing", "clarity", "azure"),
    "LinkedIn": ("linkedin",),
    "TikTok": ("tiktok",),
    "X": ("twitter",),
    "Pinterest": ("pinterest",),
    "Snap": ("snap", "snapchat"),
    "Reddit": ("reddit",),
    "Criteo": ("criteo",),
    "Hotjar": ("hotjar",),
    "Mixpanel": ("mixpanel",),
    "Amplitude": ("amplitude",),
    "Segment": ("segment",),
    "HubSpot": ("hubspot", "hubspot.com"),
    "Matomo": ("matomo", "piwik"),
    "Adobe": ("adobe",),
    "Yandex": ("yandex",),
    "Baidu": ("baidu",),
    "Naver": ("naver",),
    "Kakao": ("kakao",),
    "LINE": ("line",),
    "Intercom": ("intercom",),
    "Zendesk": ("zendesk", "zopim"),
    "Drift": ("drift",),
    "Crisp": ("crisp",),
    "Stripe": ("stripe",),
    "PayPal": ("paypal",),
    "Cloudflare": ("cloudflare",),
    "AWS": ("aws", "amazon web services"),
    "reCAPTCHA": ("recaptcha",),
    "hCaptcha": ("hcaptcha",),
    "Shopify": ("shopify", "shopify.com"),
    "WordPress": ("wordpress",),
    "WooCommerce": ("woocommerce",),
    "Wix": ("wix", "wix.com"),
    "Consent managers": ("cookiebot", "onetrust", "didomi", "usercentrics", "quantcast",
                         "osano", "webtoffee", "cookieconsent.io"),
}

_VENDOR_WORDS = re.compile(
    r"(?<![a-z0-9])(?:"
    + "|".join(sorted((re.escape(w) for ws in NAMED_VENDORS.values() for w in ws),
                      key=len, reverse=True))
    + r")(?![a-z0-9])")
_ANNOTATION = re.compile(r"\s*\[[^\]]*\]\s*$")      # "CookieConsent [x4]"
_PLACEHOLDER = re.compile(r"<[^<>]+>|%[A-Z_]+%")    # "EBFC<BannerID>", "%INTEGER%"
_SEPARATORS = "_-.:"
PLACEHOLDER_VALUE = "12345"
SUFFIX = "abc123"


@dataclass(frozen=True, slots=True)
class ListedCookie:
    """One row of the list, reduced to what the measure needs."""

    sample: str       # the name classified (a prefix gets a realistic suffix)
    listed: str       # the row's own name field
    wildcard: bool
    category: str     # the list's category, lower-cased
    vendor: str       # named vendor group, "" if none


def sample_name(name: str, wildcard: bool) -> str | None:
    """The cookie name to classify for a row, or ``None`` if the row names no cookie.

    Annotations (`` [x4]``) and words after a space (``"_dp Cookie"``) are dropped,
    placeholders (``<BannerID>``, ``%INTEGER%``) get a sample value, and a wildcard
    (prefix) name gets a realistic tail: ``abc123`` after a separator, ``.1.abc123``
    after Matomo's ``_pk_`` names (which use dots), ``_abc123`` otherwise.
    """
    name = _ANNOTATION.sub("", name.strip())
    name = name.split()[0] if name.split() else ""
    name = _PLACEHOLDER.sub(PLACEHOLDER_VALUE, name)
    if not name or name.upper() == "N/A" or "/" in name:
        return None
    if wildcard:
        if name.endswith(tuple(_SEPARATORS)):
            return name + SUFFIX
        if name.startswith("_pk_"):
            return f"{name}.1.{SUFFIX}"
        return f"{name}_{SUFFIX}"
    return name


def vendor_group(*fields: str) -> str:
    """The named vendor group a row belongs to, by its Platform and Data Controller."""
    for field in fields:
        found = _VENDOR_WORDS.search(field.lower())
        if found is not None:
            word = found.group(0)
            for group, words in NAMED_VENDORS.items():
                if word in words:
                    return group
    return ""


@dataclass
class Reading:
    """What was read from the list, and what was left out and why."""

    cookies: list[ListedCookie]
    rows: int = 0
    unmapped_category: int = 0
    not_a_name: int = 0
    duplicates: int = 0


def read_list(path: Path) -> Reading:
    reading = Reading([])
    seen: set[str] = set()
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            reading.rows += 1
            category = (row.get("Category") or "").strip().lower()
            if category not in CATEGORY_MAP:
                reading.unmapped_category += 1
                continue
            listed = row.get("Cookie / Data Key name") or ""
            wildcard = (row.get("Wildcard match") or "").strip() == "1"
            sample = sample_name(listed, wildcard)
            if sample is None:
                reading.not_a_name += 1
                continue
            if sample in seen:
                reading.duplicates += 1
                continue
            seen.add(sample)
            vendor = vendor_group(row.get("Platform") or "", row.get("Data Controller") or "")
            reading.cookies.append(ListedCookie(sample, listed, wildcard, category, vendor))
    return reading


def recognised(found: Classification) -> bool:
    return found.source in ("policy", "catalogue")


def agrees(found: Classification, listed_category: str) -> bool:
    return found.category in CATEGORY_MAP[listed_category]


def shares(name: str, cookies: Iterable[ListedCookie], classifier: Classifier,
           extra: dict[str, object]) -> Iterator[dict[str, object]]:
    cookies = list(cookies)
    answers = [(cookie, classifier.cookie(cookie.sample)) for cookie in cookies]
    known = [(cookie, found) for cookie, found in answers if recognised(found)]
    agreeing = sum(1 for cookie, found in known if agrees(found, cookie.category))
    by_heuristic = sum(1 for _, found in answers if found.source == "heuristic")
    total, count = len(cookies), len(known)
    yield {"bench": f"catalogue_recognised_share{name}",
           "value": round(count / total, 4) if total else None, "unit": "share",
           "recognised": count, "total": total, "by_heuristic_only": by_heuristic,
           "unknown": total - count - by_heuristic, **extra}
    yield {"bench": f"catalogue_agreement_share{name}",
           "value": round(agreeing / count, 4) if count else None, "unit": "share",
           "agreeing": agreeing, "recognised": count, "target": 0.9, **extra}


def details(cookies: Iterable[ListedCookie], classifier: Classifier) -> Iterator[str]:
    """One line per missed or disagreeing name of the named vendor groups."""
    for cookie in cookies:
        if not cookie.vendor:
            continue
        found = classifier.cookie(cookie.sample)
        if not recognised(found):
            yield f"missed    {cookie.vendor:18} {cookie.sample:40} list={cookie.category}"
        elif not agrees(found, cookie.category):
            yield (f"disagrees {cookie.vendor:18} {cookie.sample:40} list={cookie.category}"
                   f" ours={found.category} by {found.rule}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--list", type=Path, default=None,
                        help=f"the Open Cookie Database CSV (default: ${ENV_LIST})")
    parser.add_argument("--details", action="store_true",
                        help="print missed and disagreeing names of the named vendors")
    args = parser.parse_args(argv)
    path = args.list or (Path(os.environ[ENV_LIST]) if os.environ.get(ENV_LIST) else None)
    if path is None:
        print(json.dumps({"bench": "catalogue_recognised_share", "value": None,
                          "unit": "share", "skipped": "no list given: pass --list PATH to a"
                          " copy of the Open Cookie Database CSV"}))
        return 0
    reading = read_list(path)
    classifier = Classifier(Policy())
    common: dict[str, object] = {
        "list": path.name, "rows": reading.rows,
        "skipped_unmapped_category": reading.unmapped_category,
        "skipped_not_a_cookie_name": reading.not_a_name,
        "skipped_duplicate_name": reading.duplicates,
        "functional_means": "necessary or preferences",
    }
    named = [cookie for cookie in reading.cookies if cookie.vendor]
    lines = [*shares("", reading.cookies, classifier, common),
             *shares("_named_vendors", named, classifier,
                     {**common, "vendor_groups_present": len({c.vendor for c in named})})]
    for line in lines:
        print(json.dumps(line))
    if args.details:
        for note in details(reading.cookies, classifier):
            print(note, file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
