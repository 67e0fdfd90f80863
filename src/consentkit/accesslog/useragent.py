"""The coarse user agent: browser family and major version, OS family, device type, bot.
Pure; parsing is done by the ``user-agents`` package, imported on first use, and cached.

The raw ``User-Agent`` string is never returned or logged, only these few coarse fields.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

# A longer header is cut before parsing: no real browser sends one, and the parser's
# regular expressions should not run over kilobytes an attacker chose.
MAX_PARSED_LENGTH = 512
# Families are short names from the parser's table; a bot's family can be copied from the
# header itself, so anything long or that looks like an address is reduced to "Other".
_MAX_FAMILY_LENGTH = 40
_ADDRESS_LIKE = re.compile(r"\d{1,3}(?:\.\d{1,3}){3}|[0-9a-fA-F]*:[0-9a-fA-F]*:")
_SAFE_FAMILY = re.compile(r"[A-Za-z0-9 ._+!()-]+")

DEVICE_TYPES = ("mobile", "tablet", "pc", "bot", "other")


@dataclass(frozen=True, slots=True)
class CoarseUserAgent:
    """What the access log (and a consent receipt) keeps of a ``User-Agent``."""

    browser: str | None
    version: int | None  # the browser's major version
    os: str | None
    device: str  # one of DEVICE_TYPES
    bot: bool

    def to_json(self) -> dict[str, Any]:
        return {"browser": self.browser, "version": self.version, "os": self.os,
                "device": self.device, "bot": self.bot}


UNKNOWN = CoarseUserAgent(None, None, None, "other", False)


def coarse_user_agent(header: str | bytes | None) -> CoarseUserAgent:
    """The coarse fields of a ``User-Agent`` header value. Never raises."""
    if header is None:
        return UNKNOWN
    if isinstance(header, bytes):
        header = header[:MAX_PARSED_LENGTH].decode("latin-1")
    return _parse(header[:MAX_PARSED_LENGTH].strip())


@lru_cache(maxsize=4096)
def _parse(text: str) -> CoarseUserAgent:
    if not text:
        return UNKNOWN
    try:
        from user_agents import parse

        agent = parse(text)
        if agent.is_bot:
            device = "bot"
        elif agent.is_tablet:
            device = "tablet"
        elif agent.is_mobile:
            device = "mobile"
        elif agent.is_pc:
            device = "pc"
        else:
            device = "other"
        version = agent.browser.version
        return CoarseUserAgent(
            browser=_family(agent.browser.family),
            version=version[0] if version and isinstance(version[0], int) else None,
            os=_family(agent.os.family),
            device=device,
            bot=bool(agent.is_bot),
        )
    except Exception:  # a parser bug must not lose the line
        return UNKNOWN


def _family(name: Any) -> str | None:
    if not isinstance(name, str) or not name:
        return None
    if (len(name) > _MAX_FAMILY_LENGTH or _ADDRESS_LIKE.search(name)
            or not _SAFE_FAMILY.fullmatch(name)):
        return "Other"
    return name
