"""``consentkit declaration --policy policy.toml``: the cookie table of a privacy policy."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from .declaration import build_declaration, render_html, render_json, render_markdown
from .policy_file import load_policy

_RENDERERS = {"markdown": render_markdown, "html": render_html, "json": render_json}


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "declaration",
        help="print the cookie table of a privacy policy, from the policy file",
        description="Render the cookies a policy declares (name, provider, purpose, "
                    "lifetime, first or third party), one section per category, with the "
                    "category titles of the banner's language.",
    )
    parser.add_argument("--policy", type=Path, required=True, help="the policy TOML file")
    parser.add_argument("--format", choices=tuple(_RENDERERS), default="markdown")
    parser.add_argument("--lang", help="language of the titles (default: the policy's)")
    parser.add_argument("--cookie-name", default="consentkit",
                        help="the consent cookie's name (default consentkit)")
    parser.add_argument("-o", "--output", type=Path, help="write to this file")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    policy = load_policy(args.policy)
    declaration = build_declaration(policy, lang=args.lang, cookie_name=args.cookie_name)
    text = _RENDERERS[args.format](declaration)
    if args.output is not None:
        args.output.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0
