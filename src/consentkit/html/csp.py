"""Content-Security-Policy: let the injected scripts run without ``'unsafe-inline'``. Pure.

- When the policy that governs ``<script>`` elements (``script-src-elem``, else
  ``script-src``, else ``default-src``) carries a nonce, the injected scripts carry it.
- Otherwise the ``sha256`` hash of each injected inline script is added to that
  directive, in every policy (enforced and report-only) that has one. Policies that
  allow inline scripts with ``'unsafe-inline'`` and no nonce or hash are left as they are:
  adding a hash there would switch ``'unsafe-inline'`` off for the page's own scripts.
"""

from __future__ import annotations

import base64
import hashlib

from ..http import Headers

CSP_HEADERS = (b"content-security-policy", b"content-security-policy-report-only")
SCRIPT_DIRECTIVES = ("script-src-elem", "script-src", "default-src")
STYLE_DIRECTIVES = ("style-src-elem", "style-src", "default-src")


def hash_source(code: str) -> str:
    """The CSP source expression for an inline script: ``'sha256-...'``."""
    digest = hashlib.sha256(code.encode("utf-8")).digest()
    return "'sha256-" + base64.b64encode(digest).decode("ascii") + "'"


def _directives(policy: str) -> list[tuple[str, list[str]]]:
    found = []
    for part in policy.split(";"):
        words = part.split()
        if words:
            found.append((words[0].lower(), words[1:]))
    return found


def _governing(directives: list[tuple[str, list[str]]],
               order: tuple[str, ...]) -> tuple[str, list[str]] | None:
    for wanted in order:
        for name, sources in directives:
            if name == wanted:
                return name, sources
    return None


def page_nonce(headers: Headers, order: tuple[str, ...] = SCRIPT_DIRECTIVES) -> str | None:
    """The nonce of the enforced policy that governs scripts (or styles), if any."""
    for key, value in headers:
        if key != b"content-security-policy":
            continue
        for policy in value.decode("latin-1").split(","):
            governing = _governing(_directives(policy), order)
            if governing is None:
                continue
            for source in governing[1]:
                if source.lower().startswith("'nonce-") and source.endswith("'"):
                    return source[7:-1]
    return None


def allow_inline_scripts(headers: Headers, codes: list[str], nonce: str | None) -> Headers:
    """The headers with the hashes of ``codes`` added where a policy would block them
    (policies that already accept ``nonce`` are left alone). The same list when nothing
    changes."""
    if not codes or not any(key in CSP_HEADERS for key, _ in headers):
        return headers
    hashes = [hash_source(code) for code in codes]
    changed = False
    out: Headers = []
    for key, value in headers:
        if key in CSP_HEADERS:
            text = value.decode("latin-1")
            new_text = ",".join(_with_hashes(policy, hashes, nonce)
                                for policy in text.split(","))
            if new_text != text:
                changed = True
                value = new_text.encode("latin-1")
        out.append((key, value))
    return out if changed else headers


def _with_hashes(policy: str, hashes: list[str], nonce: str | None) -> str:
    directives = _directives(policy)
    governing = _governing(directives, SCRIPT_DIRECTIVES)
    if governing is None:
        return policy
    name, sources = governing
    lowered = [source.lower() for source in sources]
    if nonce is not None and f"'nonce-{nonce}'" in sources:
        return policy
    has_allowlist = any(s.startswith(("'nonce-", "'sha256-", "'sha384-", "'sha512-"))
                        for s in lowered)
    if "'unsafe-inline'" in lowered and not has_allowlist:
        return policy
    missing = [h for h in hashes if h not in sources]
    if not missing:
        return policy
    parts = []
    for part in policy.split(";"):
        words = part.split()
        if words and words[0].lower() == name:
            part = part.rstrip() + " " + " ".join(missing)
        parts.append(part)
    return ";".join(parts)
