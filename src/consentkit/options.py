"""The middleware's keyword arguments as a TypedDict, so that type checkers check
``app.add_middleware(ConsentMiddleware, secret_key=..., cookie_secure=False)`` (names and
types) just as :class:`~consentkit.settings.Settings` checks them at start-up."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Required, TypedDict

from .policy import Policy
from .settings import Regime


class ConsentOptions(TypedDict, total=False):
    secret_key: Required[str | bytes | Sequence[str | bytes]]
    policy: Policy | str | Path | None
    cookie_name: str
    cookie_domain: str | None
    cookie_secure: bool
    prefix: str
    rewrite_html: bool
    inject_banner: bool
    cache_safe: bool
    floating_button: bool
    access_log: str | Path | logging.Logger | None
    access_log_retention_days: int
    access_log_retention_tag: str
    access_log_queue_size: int
    ip_prefix_v4: int
    ip_prefix_v6: int
    trusted_proxies: Sequence[str]
    log_query_params: Sequence[str]
    log_referrer: bool
    log_consent: bool
    geoip_database: str | Path | None
    country_headers: Sequence[str]
    region_headers: Sequence[str]
    default_regime: Regime
    regions: Mapping[str, Regime] | None
    honour_gpc: bool
    receipts: Any
    receipts_retention_days: int
    receipts_retention_tag: str
    data_dir: str | Path
    warn_unknown_cookies: bool
    debug: bool
