"""Run a scan: crawl as a new visitor, accept all categories, crawl again.

The policy that classifies what is seen is, in order: the one given, the one of the
consent middleware found on an in-process app, or the built-in catalogue alone.
"""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import dataclass, field

from ..classify import Classifier
from ..policy import NECESSARY, Policy
from ..settings import Settings
from ..testing import find_settings
from .crawl import Crawler, Limits, PhaseResult, Progress
from .result import AFTER, BEFORE, ScanReport
from .target import Target, open_target


@dataclass(frozen=True)
class ScanOptions:
    limits: Limits = field(default_factory=Limits)
    policy: Policy | None = None
    prefix: str | None = None
    cookie_name: str | None = None
    allow_unknown: bool = False
    browser: bool = False


def scan_sync(spec: str, options: ScanOptions | None = None,
              progress: Progress | None = None) -> ScanReport:
    return asyncio.run(scan(spec, options or ScanOptions(), progress))


async def scan(spec: str, options: ScanOptions, progress: Progress | None = None) -> ScanReport:
    started = time.perf_counter()
    async with open_target(spec, timeout_s=options.limits.request_timeout_s) as target:
        report = await _scan_open(target, options, progress)
    report.duration_s = time.perf_counter() - started
    return report


async def _scan_open(target: Target, options: ScanOptions,
                     progress: Progress | None) -> ScanReport:
    settings: Settings | None = find_settings(target.app) if target.app is not None else None
    policy = options.policy or (settings.resolved_policy if settings else Policy())
    cookie_name = options.cookie_name or (settings.cookie_name if settings else "consentkit")
    prefix = options.prefix or (settings.prefix if settings else "/consentkit")
    classifier = Classifier(policy, consent_cookie=cookie_name)
    crawler = Crawler(target.client, target.origin, classifier, options.limits, progress)
    report = ScanReport(target.spec, target.origin,
                        policy.required_categories | {NECESSARY},
                        allow_unknown=options.allow_unknown, browser=options.browser)

    before = await crawler.crawl(BEFORE, target.start_url, {})
    report.phases[BEFORE] = before
    if not any(v.status is not None for v in before.visits):
        first = before.visits[0].error if before.visits else "nothing fetched"
        report.notes.append(f"could not fetch {target.start_url}: {first}")
        return report

    after_jar: dict[str, str] = {}
    after = PhaseResult(AFTER)
    accepted = await _accept_all(crawler, after, target.origin + prefix + "/consent",
                                 list(policy.optional_categories), after_jar, report.notes)
    consent_jar = dict(after_jar)
    if accepted:
        report.accepted = tuple(policy.optional_categories)
        crawled = await crawler.crawl(AFTER, target.start_url, after_jar)
        after.visits += crawled.visits
        after.findings += crawled.findings
        after.stopped_by = crawled.stopped_by
        report.phases[AFTER] = after
    for phase in report.phases.values():
        if phase.stopped_by:
            report.notes.append(f"{phase.phase} consent: stopped by the {phase.stopped_by}")

    if options.browser:
        from .browser import browse_phases

        await browse_phases(target, report, classifier, options.limits, consent_jar,
                            crawler.deadline)
    return report


async def _accept_all(crawler: Crawler, after: PhaseResult, url: str, categories: list[str],
                      jar: dict[str, str], notes: list[str]) -> bool:
    """POST the accept-all choice to the consent endpoint; the consent cookie lands in
    ``jar``. False (with a note saying why) when the site did not take it."""
    body = json.dumps({"categories": categories}).encode()
    fetched = await crawler.fetch(AFTER, "POST", url, jar, content=body,
                                  headers={"content-type": "application/json"})
    after.visits.append(fetched.visit)
    after.findings += fetched.findings
    status = fetched.visit.status
    if status is None:
        notes.append(f"could not record consent at {url}: {fetched.visit.error}")
        return False
    if status == 404:
        notes.append(f"no consent endpoint at {url} (is the consentkit middleware installed, "
                     "or is --prefix different?): the after-consent crawl was skipped")
        return False
    if not 200 <= status < 300 or not fetched.set_cookies:
        notes.append(f"POST {url} answered {status} {_error_text(fetched.body)}; "
                     "the after-consent crawl was skipped")
        return False
    return True


def _error_text(body: bytes) -> str:
    try:
        data = json.loads(body)
    except ValueError:
        return ""
    if isinstance(data, dict) and isinstance(data.get("message"), str):
        return f"({data['message']})"
    return ""

