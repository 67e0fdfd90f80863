"""Build ``static/consentkit.js`` from the readable source ``static/src/consentkit.js``.

The source is minified with terser (a pinned version, installed from the npm registry
into a git-ignored folder: ``.venv/axe`` as the Makefile does, or ``tests/browser``)::

    npm install --no-save --no-audit --no-fund --prefix .venv/axe axe-core@4.14.1 terser@5.51.2
    python scripts/build_static.py           # rewrite static/consentkit.js
    python scripts/build_static.py --check   # exit 1 when the committed build is stale

The stylesheet ``static/consentkit.css`` is written compact by hand and served as is.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT / "static" / "src" / "consentkit.js"
OUTPUT = ROOT / "static" / "consentkit.js"
NODE_MODULES = (ROOT / ".venv" / "axe" / "node_modules",
                ROOT / "tests" / "browser" / "node_modules")
TERSER_VERSION = "5.51.2"
PREAMBLE = "/*! consentkit banner | MIT | readable source: static/src/consentkit.js */"


class BuildError(RuntimeError):
    """The minifier is missing or failed."""


def node_module_file(relative: str) -> Path | None:
    """A file of an npm package from the first folder that has it."""
    for folder in NODE_MODULES:
        if (folder / relative).is_file():
            return folder / relative
    return None


def terser_path() -> Path:
    override = os.environ.get("CONSENTKIT_TERSER")
    found = Path(override) if override else node_module_file("terser/bin/terser")
    if found is None or not found.is_file():
        raise BuildError(
            f"terser not found; run: npm install --no-save --prefix .venv/axe "
            f"terser@{TERSER_VERSION}"
        )
    package = json.loads((found.parent.parent / "package.json").read_text("utf-8"))
    if package.get("version") != TERSER_VERSION:
        raise BuildError(
            f"terser {package.get('version')} is installed; the build is pinned to "
            f"{TERSER_VERSION} so that its output is reproducible"
        )
    return found


def build() -> bytes:
    """The minified script, exactly as it is committed."""
    command = [
        "node", str(terser_path()), str(SOURCE),
        "--compress", "passes=2", "--mangle", "--comments", "false",
    ]
    done = subprocess.run(command, capture_output=True, check=False)
    if done.returncode != 0:
        raise BuildError(done.stderr.decode("utf-8", "replace"))
    return PREAMBLE.encode() + b"\n" + done.stdout.rstrip(b"\n") + b"\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true",
                        help="compare with the committed build instead of writing it")
    args = parser.parse_args(argv)
    try:
        built = build()
    except BuildError as exc:
        print(f"build_static: {exc}", file=sys.stderr)
        return 2
    if args.check:
        current = OUTPUT.read_bytes() if OUTPUT.is_file() else b""
        if current != built:
            print("build_static: static/consentkit.js is stale; run "
                  "python scripts/build_static.py", file=sys.stderr)
            return 1
        return 0
    OUTPUT.write_bytes(built)
    print(f"wrote {OUTPUT.relative_to(ROOT)} ({len(built)} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
