"""Every setting of the middleware, validated once at start-up. Pure.

Both adapters (ASGI and WSGI) and the Flask extension build a :class:`Settings` from
keyword arguments; a wrong value raises :class:`~consentkit.errors.ConfigError` naming the
setting, before the first request.
"""

from __future__ import annotations

import ipaddress
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, Literal

from .errors import ConfigError
from .policy import Policy
from .policy_file import load_policy

Regime = Literal["opt-in", "opt-out", "notice"]
REGIMES: tuple[str, ...] = ("opt-in", "opt-out", "notice")


@dataclass(frozen=True)
class Settings:
    """The middleware's configuration. See the README's configuration reference."""

    secret_key: str | bytes | Sequence[str | bytes]
    policy: Policy | str | Path | None = None

    # The consent cookie and endpoint.
    cookie_name: str = "consentkit"
    cookie_domain: str | None = None
    cookie_secure: bool = True
    prefix: str = "/consentkit"

    # HTML rewriting and the banner.
    rewrite_html: bool = True
    inject_banner: bool = True
    cache_safe: bool = False
    floating_button: bool = True

    # The access log (off unless a sink is given): "stdout", a file path, or a Logger.
    access_log: str | Path | logging.Logger | None = None
    access_log_retention_days: int = 90
    access_log_retention_tag: str = "access-log-3m"
    access_log_queue_size: int = 10_000
    ip_prefix_v4: int = 24
    ip_prefix_v6: int = 48
    trusted_proxies: Sequence[str] = ()
    log_query_params: Sequence[str] = ()
    log_referrer: bool = False
    log_consent: bool = False

    # Where the visitor is: a MaxMind database, and CDN country headers to believe.
    geoip_database: str | Path | None = None
    country_headers: Sequence[str] = ()
    region_headers: Sequence[str] = ()

    # Regimes: the default, and a table country (or "US-CA") -> regime.
    default_regime: Regime = "opt-in"
    regions: Mapping[str, Regime] | None = None
    honour_gpc: bool = True

    # Consent receipts: True (SQLite under data_dir, the embedded default), a ReceiptStore,
    # "sqlite:///path", "postgresql://...", or None/False to store none.
    receipts: Any = True
    receipts_retention_days: int = 365 * 3
    receipts_retention_tag: str = "consent-receipt-3y"
    data_dir: str | Path = "var"

    # Passive discovery of undeclared cookies.
    warn_unknown_cookies: bool = True
    # Development mode: serves GET {prefix}/discovery (counts of undeclared cookies).
    debug: bool = False

    # Derived at start-up (not arguments).
    secret_keys: tuple[str | bytes, ...] = field(init=False, repr=False)
    resolved_policy: Policy = field(init=False)

    def __post_init__(self) -> None:
        keys = _secret_keys(self.secret_key)
        object.__setattr__(self, "secret_keys", keys)
        object.__setattr__(self, "resolved_policy", _resolve_policy(self.policy))
        _check_str(self.cookie_name, "cookie_name")
        if not _is_token(self.cookie_name):
            raise ConfigError("cookie_name", f"{self.cookie_name!r} is not a valid cookie name")
        if self.cookie_domain is not None:
            _check_str(self.cookie_domain, "cookie_domain")
        if not self.prefix.startswith("/") or self.prefix.endswith("/") or len(self.prefix) < 2:
            raise ConfigError("prefix", f"must look like '/consentkit', got {self.prefix!r}")
        for name in ("rewrite_html", "inject_banner", "cache_safe", "floating_button",
                     "cookie_secure", "log_referrer", "log_consent", "honour_gpc",
                     "warn_unknown_cookies", "debug"):
            if not isinstance(getattr(self, name), bool):
                raise ConfigError(name, f"must be True or False, got {getattr(self, name)!r}")
        _check_int(self.ip_prefix_v4, "ip_prefix_v4", 0, 32)
        _check_int(self.ip_prefix_v6, "ip_prefix_v6", 0, 128)
        _check_int(self.access_log_retention_days, "access_log_retention_days", 1, 3650)
        _check_int(self.receipts_retention_days, "receipts_retention_days", 1, 36500)
        _check_int(self.access_log_queue_size, "access_log_queue_size", 1, 10_000_000)
        for index, cidr in enumerate(self.trusted_proxies):
            try:
                ipaddress.ip_network(cidr, strict=False)
            except ValueError:
                raise ConfigError(
                    f"trusted_proxies[{index}]", f"{cidr!r} is not an IP network (CIDR)"
                ) from None
        if self.default_regime not in REGIMES:
            raise ConfigError("default_regime", f"must be one of {REGIMES}")
        for region, regime in (self.regions or {}).items():
            if regime not in REGIMES:
                raise ConfigError(f"regions.{region}", f"{regime!r} is not one of {REGIMES}")
        for name in ("trusted_proxies", "log_query_params", "country_headers",
                     "region_headers"):
            value = getattr(self, name)
            if isinstance(value, str):
                raise ConfigError(name, "must be a list of strings, not a single string")

    @property
    def policy_obj(self) -> Policy:
        return self.resolved_policy

    @classmethod
    def option_names(cls) -> tuple[str, ...]:
        """The names accepted as keyword arguments (for adapters and CONSENTKIT_* config)."""
        return tuple(f.name for f in fields(cls) if f.init)


def _secret_keys(value: Any) -> tuple[str | bytes, ...]:
    keys: tuple[Any, ...]
    keys = (value,) if isinstance(value, (str, bytes)) else tuple(value or ())
    if not keys:
        raise ConfigError("secret_key", "is required (a long random string, or a list of them)")
    for index, key in enumerate(keys):
        if not isinstance(key, (str, bytes)) or len(key) < 8:
            where = "secret_key" if len(keys) == 1 else f"secret_key[{index}]"
            raise ConfigError(where, "must be a string of at least 8 characters")
    return keys


def _resolve_policy(value: Policy | str | Path | None) -> Policy:
    if value is None:
        return Policy()
    if isinstance(value, Policy):
        return value
    if isinstance(value, (str, Path)):
        return load_policy(value)
    raise ConfigError("policy", f"must be a Policy or a path to a TOML file, got {value!r}")


def _check_str(value: Any, name: str) -> None:
    if not isinstance(value, str) or not value:
        raise ConfigError(name, f"must be a non-empty string, got {value!r}")


def _check_int(value: Any, name: str, low: int, high: int) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise ConfigError(name, f"must be a whole number from {low} to {high}, got {value!r}")


_SEPARATORS = set('()<>@,;:\\"/[]?={} \t')


def _is_token(name: str) -> bool:
    return all(32 < ord(ch) < 127 and ch not in _SEPARATORS for ch in name)
