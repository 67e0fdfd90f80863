"""IP address truncation: keep the network, drop the host. Pure.

``truncate_ip("203.0.113.9")`` is ``"203.0.113.0/24"``; an IPv6 address keeps its first 48
bits (``"2001:db8:1::/48"``). An address that carries an IPv4 address inside an IPv6 one
(IPv4-mapped ``::ffff:a.b.c.d``, 6to4 ``2002:AABB:CCDD::``) is truncated as that IPv4
address, so the output never holds more of it than the IPv4 prefix allows.

Addresses are handled as ``(bits, value)`` pairs (32 or 128, an int), parsed and printed
by the C library (``inet_pton``/``inet_ntop``): the writer thread does this per line.
"""

from __future__ import annotations

import ipaddress
import socket
from functools import lru_cache

from ..errors import ConfigError

Address = tuple[int, int]  # (32, value) or (128, value)
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

# Truncation may be made coarser, never finer: a longer prefix points at a household.
MAX_PREFIX_V4 = 24
MAX_PREFIX_V6 = 48

_MAPPED_TAG = 0xFFFF  # ::ffff:0:0/96
_SIX_TO_FOUR_TAG = 0x2002  # 2002::/16
_V4 = socket.AF_INET
_V6 = socket.AF_INET6


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


def parse_address(text: str) -> Address | None:
    """An address from text, or ``None`` (never raises). A zone (``%eth0``) is dropped."""
    if "%" in text:
        text = text.split("%", 1)[0]
    text = text.strip()
    try:
        if ":" in text:
            return (128, int.from_bytes(socket.inet_pton(_V6, text), "big"))
        return (32, int.from_bytes(socket.inet_pton(_V4, text), "big"))
    except (OSError, ValueError):
        return None


def carried_ipv4(address: Address) -> Address:
    """The IPv4 address an IPv4-mapped or 6to4 IPv6 address stands for, else itself."""
    bits, value = address
    if bits == 128:
        if value >> 32 == _MAPPED_TAG:
            return (32, value & 0xFFFFFFFF)
        if value >> 112 == _SIX_TO_FOUR_TAG:
            return (32, (value >> 80) & 0xFFFFFFFF)
    return address


def in_network(address: Address, network: tuple[int, int, int]) -> bool:
    """``network`` is ``(bits, network value, mask)``."""
    return address[0] == network[0] and address[1] & network[2] == network[1]


def network_of(cidr: str) -> tuple[int, int, int]:
    """``"10.0.0.0/8"`` as ``(bits, network value, mask)`` (for :func:`in_network`)."""
    network = ipaddress.ip_network(cidr, strict=False)
    bits = network.max_prefixlen
    return (bits, int(network.network_address), int(network.netmask))


def truncate(address: Address, prefix_v4: int = 24, prefix_v6: int = 48) -> str:
    """The network of ``address`` in CIDR notation (``"203.0.113.0/24"``)."""
    bits, value = carried_ipv4(address)
    if bits == 32:
        host_bits = 32 - prefix_v4
        kept = (value >> host_bits) << host_bits
        return f"{socket.inet_ntop(_V4, kept.to_bytes(4, 'big'))}/{prefix_v4}"
    host_bits = 128 - prefix_v6
    kept = (value >> host_bits) << host_bits
    return f"{socket.inet_ntop(_V6, kept.to_bytes(16, 'big'))}/{prefix_v6}"


def to_ipaddress(address: Address) -> IPAddress:
    bits, value = address
    return ipaddress.IPv4Address(value) if bits == 32 else ipaddress.IPv6Address(value)


@lru_cache(maxsize=8192)
def truncate_ip(value: str, prefix_v4: int = 24, prefix_v6: int = 48) -> str | None:
    """The truncated network of an address given as text, or ``None`` when it is not an
    IP address. Never raises for bad input; the prefixes are checked by
    :func:`check_prefixes` at start-up."""
    address = parse_address(value)
    if address is None:
        return None
    return truncate(address, prefix_v4, prefix_v6)
