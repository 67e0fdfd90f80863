"""IP address truncation: keep the network, drop the host. Pure.

``truncate_ip("203.0.113.9")`` is ``"203.0.113.0/24"``; an IPv6 address keeps its first 48
bits (``"2001:db8:1::/48"``). An address that carries an IPv4 address inside an IPv6 one
(IPv4-mapped ``::ffff:a.b.c.d``, 6to4 ``2002:AABB:CCDD::``) is truncated as that IPv4
address, so the output never holds more of it than the IPv4 prefix allows.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from ..errors import ConfigError

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

# Truncation may be made coarser, never finer: a longer prefix points at a household.
MAX_PREFIX_V4 = 24
MAX_PREFIX_V6 = 48


def check_prefixes(prefix_v4: int, prefix_v6: int) -> None:
    """Raise :class:`ConfigError` unless both prefixes keep the host part out."""
    if not 0 <= prefix_v4 <= MAX_PREFIX_V4:
        raise ConfigError(
            "ip_prefix_v4", f"must be from 0 to {MAX_PREFIX_V4} bits, got {prefix_v4!r}"
        )
    if not 0 <= prefix_v6 <= MAX_PREFIX_V6:
        raise ConfigError(
            "ip_prefix_v6", f"must be from 0 to {MAX_PREFIX_V6} bits, got {prefix_v6!r}"
        )


def parse_ip(value: str) -> IPAddress | None:
    """An address from text, or ``None`` (never raises). A zone (``%eth0``) is dropped."""
    text = value.strip()
    if "%" in text:
        text = text.split("%", 1)[0]
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def embedded_ipv4(address: IPAddress) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address stands for (mapped or 6to4), if any."""
    if isinstance(address, ipaddress.IPv4Address):
        return address
    return address.ipv4_mapped or address.sixtofour


def truncate_address(address: IPAddress, prefix_v4: int = 24, prefix_v6: int = 48) -> str:
    """The network of ``address`` in CIDR notation (``"203.0.113.0/24"``)."""
    v4 = embedded_ipv4(address)
    if v4 is not None:
        host_bits = 32 - prefix_v4
        network4 = ipaddress.IPv4Address((int(v4) >> host_bits) << host_bits)
        return f"{network4}/{prefix_v4}"
    host_bits = 128 - prefix_v6
    network6 = ipaddress.IPv6Address((int(address) >> host_bits) << host_bits)
    return f"{network6}/{prefix_v6}"


@lru_cache(maxsize=8192)
def truncate_ip(value: str, prefix_v4: int = 24, prefix_v6: int = 48) -> str | None:
    """The truncated network of an address given as text, or ``None`` when it is not an
    IP address. Never raises for bad input; the prefixes are checked by
    :func:`check_prefixes` at start-up."""
    address = parse_ip(value)
    if address is None:
        return None
    return truncate_address(address, prefix_v4, prefix_v6)
