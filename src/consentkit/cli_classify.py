"""``consentkit classify NAME_OR_URL ...``: say what a cookie name or URL is for, and why."""

from __future__ import annotations

import argparse
import json
from typing import Any

from .classify import Classification, Classifier
from .policy import Policy
from .policy_file import load_policy

_FIELDS = ("category", "vendor", "purpose", "lifetime", "kind", "rule", "source")


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "classify",
        help="say what purpose a cookie name or URL has, and which rule decided it",
        description=(
            "Classify cookie names and URLs the way the middleware does: the policy's rules "
            "first, then the built-in catalogue, then name heuristics. Arguments that "
            "contain '/' (or start with http:) are URLs; a bare host such as "
            "connect.facebook.net is tried as a URL when no cookie rule knows it."
        ),
    )
    parser.add_argument("subjects", nargs="+", metavar="NAME_OR_URL",
                        help="a cookie name (_ga, _hjSessionUser_123) or a URL")
    parser.add_argument("--policy", metavar="POLICY_TOML",
                        help="classify under this policy file (its rules come first)")
    parser.add_argument("--json", action="store_true",
                        help="print a JSON array with one object per argument")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    policy = load_policy(args.policy) if args.policy else Policy()
    classifier = Classifier(policy)
    results = [classifier.classify(subject) for subject in args.subjects]
    if args.json:
        print(json.dumps([as_json(result) for result in results], indent=2))
    else:
        print("\n\n".join(as_text(result) for result in results))
    return 0


def as_json(result: Classification) -> dict[str, Any]:
    out: dict[str, Any] = {"subject": result.subject, "known": result.known}
    out.update((name, getattr(result, name)) for name in _FIELDS)
    return out


def as_text(result: Classification) -> str:
    lines = [result.subject]
    values = {"category": result.category or "unknown", "vendor": result.vendor,
              "purpose": result.purpose, "lifetime": result.lifetime, "kind": result.kind,
              "rule": result.rule, "source": str(result.source)}
    for name in _FIELDS:
        if values[name]:
            lines.append(f"  {name + ':':<10}{values[name]}")
    return "\n".join(lines)
