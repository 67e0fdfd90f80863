"""Turn what a response carried (Set-Cookie headers, HTML tags) into classified findings,
and decide which of them break a visitor's consent. Pure; shared by ``consentkit.testing``
and the ``consentkit scan`` crawler."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from ..classify import Classification, Classifier
from .tags import FoundTag, PageScan

FindingKind = Literal["cookie", "tag", "script-cookie", "request"]

_DELETION = re.compile(r"(?i);\s*(max-age\s*=\s*(0+|-\d+)\s*(;|$)|expires\s*=\s*thu, 01 jan 1970)")
_KIND_LABEL = {"cookie": "Set-Cookie", "tag": "tag", "script-cookie": "cookie set by script",
               "request": "request"}


@dataclass(frozen=True, slots=True)
class Finding:
    """A cookie or tracker seen on the wire, with its purpose and the rule that said so.

    ``active`` is false for a held-back tag and for a Set-Cookie that deletes a cookie.
    ``method`` and ``url`` name the request whose response carried it.
    """

    kind: FindingKind
    name: str
    category: str | None
    rule: str
    vendor: str
    active: bool
    method: str
    url: str
    detail: str = ""

    def describe(self) -> str:
        """``Set-Cookie "_fbp" (marketing, by exact "_fbp" (catalogue, Meta)) from GET /``."""
        what = self.category or "unknown purpose"
        subject = self.detail if self.kind == "tag" and self.detail else f'"{self.name}"'
        verb = "in" if self.kind == "tag" else "from"
        return (f"{_KIND_LABEL[self.kind]} {subject} ({what}, by {self.rule}) "
                f"{verb} {self.method} {self.url}")

    def to_json(self) -> dict[str, object]:
        return {"kind": self.kind, "name": self.name, "category": self.category,
                "rule": self.rule, "vendor": self.vendor, "active": self.active,
                "method": self.method, "url": self.url, "detail": self.detail}


def cookie_name(set_cookie: str) -> str:
    name, _, _ = set_cookie.partition("=")
    return name.strip()


def cookie_attributes(set_cookie: str) -> str:
    """The attributes of a Set-Cookie value without the value itself (``Path=/; Secure``)."""
    _, _, attributes = set_cookie.partition(";")
    return attributes.strip()


def cookie_findings(
    set_cookies: Iterable[str], classifier: Classifier, method: str, url: str
) -> list[Finding]:
    """One finding per Set-Cookie header value."""
    found: list[Finding] = []
    for header in set_cookies:
        name = cookie_name(header)
        if not name:
            continue
        result = classifier.cookie(name)
        found.append(Finding(
            "cookie", name, result.category, result.rule, result.vendor,
            _DELETION.search(header) is None, method, url, cookie_attributes(header),
        ))
    return found


def classify_tag(tag: FoundTag, classifier: Classifier) -> Classification:
    """A tag's purpose: the author's ``data-consent`` marking, else the tracker rules."""
    subject = tag.url or "inline script"
    if tag.marked:
        return Classification(subject, tag.marked, "markup",
                               f'attribute data-consent="{tag.marked}"')
    if tag.url is None:
        return classifier.inline_script(tag.code)
    return classifier.url(tag.url)


def tag_findings(
    page: PageScan, classifier: Classifier, method: str, url: str
) -> list[Finding]:
    """Tracker tags of a page: every tag a rule knows, and every tag held back."""
    found: list[Finding] = []
    for tag in page.tags:
        result = classify_tag(tag, classifier)
        category, rule = result.category, result.rule
        if category is None:
            if tag.held_for is None:
                continue  # an ordinary script or image
            category, rule = tag.held_for, f'held back as "{tag.held_for}"'
        name = tag.url or "inline script"
        detail = f"{tag.source} (line {tag.line})"
        found.append(Finding("tag", name, category, rule, result.vendor, tag.active,
                             method, url, detail))
    return found


def breaches(
    findings: Iterable[Finding], granted: Iterable[str], *, allow_unknown: bool = False
) -> list[Finding]:
    """The active findings whose category is not granted. A cookie of unknown purpose is
    a breach unless ``allow_unknown``; a tag of unknown purpose is never reported."""
    allowed = frozenset(granted)
    out: list[Finding] = []
    for finding in findings:
        if not finding.active:
            continue
        if finding.category is None:
            if not allow_unknown:
                out.append(finding)
        elif finding.category not in allowed:
            out.append(finding)
    return out
