"""Build the receipt of one choice from the request that made it. Pure."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from functools import lru_cache

from ..accesslog.client_address import ClientAddressResolver
from ..accesslog.iptrunc import truncate
from ..accesslog.useragent import coarse_user_agent
from ..http import RequestInfo
from ..settings import Settings
from .base import Receipt


def build_receipt(
    engine_settings: Settings,
    request: RequestInfo,
    granted: Iterable[str],
    refused: Iterable[str],
    consent_id: str,
    regime: str,
    region: str | None,
    gpc: bool,
    language: str | None,
    now: datetime | None = None,
) -> Receipt:
    """The receipt of a choice: truncated IP and coarse user agent, never the raw ones."""
    settings = engine_settings
    created = now or datetime.now(UTC)
    return Receipt(
        consent_id=consent_id,
        created_at=created,
        policy_version=settings.resolved_policy.version,
        granted=tuple(sorted(granted)),
        refused=tuple(sorted(refused)),
        regime=regime,
        region=region,
        gpc=gpc,
        language=language,
        ip=_visitor_ip(request, settings),
        user_agent=_coarse_agent(request.header(b"user-agent")),
        retention_tag=settings.receipts_retention_tag,
        delete_after=created + timedelta(days=settings.receipts_retention_days),
    )


@lru_cache(maxsize=64)
def _address_resolver(trusted_proxies: tuple[str, ...]) -> ClientAddressResolver:
    return ClientAddressResolver(trusted_proxies)


def _visitor_ip(request: RequestInfo, settings: Settings) -> str | None:
    """The visitor's address, truncated to the access log's prefixes."""
    resolver = _address_resolver(tuple(settings.trusted_proxies))
    address = resolver.resolve(
        request.client[0] if request.client else None,
        [value for key, value in request.headers if key == b"x-forwarded-for"],
        [value for key, value in request.headers if key == b"forwarded"],
    )
    if address is None:
        return None
    return truncate(address, settings.ip_prefix_v4, settings.ip_prefix_v6)


def _coarse_agent(header: bytes | None) -> str | None:
    """``"Firefox 120 / Linux / pc"``: browser family and major version, OS family, device
    type; ``None`` when the header says nothing usable."""
    if header is None:
        return None
    agent = coarse_user_agent(header)
    if agent.browser is None and agent.os is None:
        return None
    browser = agent.browser or "Other"
    if agent.version is not None:
        browser = f"{browser} {agent.version}"
    return f"{browser} / {agent.os or 'Other'} / {agent.device}"
