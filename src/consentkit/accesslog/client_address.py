"""Which address the visitor connected from. Pure.

The peer of the connection (the ASGI scope's ``client``) is the answer unless it is one
of the configured trusted proxies. Only then are ``X-Forwarded-For`` (preferred, as most
proxies set it) or ``Forwarded`` (RFC 7239) believed: the hops they list, followed by the
peer, are read from the right, skipping trusted proxies, and the first untrusted hop is
the visitor. A header that does not parse falls back to the peer; nothing here raises.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from .iptrunc import Address, carried_ipv4, in_network, network_of, parse_address

# A hop is an address, or None for one that is not: Forwarded's "unknown" or an
# obfuscated "_name".
Hop = Address | None


class MalformedHeader(ValueError):
    """A forwarding header that cannot be trusted to name the hops."""


class ClientAddressResolver:
    """Built once from ``trusted_proxies`` (CIDR strings, validated by Settings)."""

    def __init__(self, trusted_proxies: Iterable[str] = ()) -> None:
        self.trusted: tuple[tuple[int, int, int], ...] = tuple(
            network_of(cidr) for cidr in trusted_proxies
        )

    def is_trusted(self, address: Address) -> bool:
        v4 = carried_ipv4(address)
        return any(in_network(address, network) or in_network(v4, network)
                   for network in self.trusted)

    def resolve(
        self,
        peer: str | None,
        forwarded_for: Sequence[bytes] = (),
        forwarded: Sequence[bytes] = (),
    ) -> Address | None:
        """The visitor's address, from the peer's host and the raw header values
        (``X-Forwarded-For`` values, ``Forwarded`` values, in the order received)."""
        peer_ip = parse_address(peer) if peer else None
        if peer_ip is None or not self.trusted or not self.is_trusted(peer_ip):
            return peer_ip
        hops: list[Hop]
        try:
            if forwarded_for:
                hops = list(parse_x_forwarded_for(forwarded_for))
            elif forwarded:
                hops = parse_forwarded(forwarded)
            else:
                return peer_ip
        except MalformedHeader:
            return peer_ip
        for hop in reversed(hops):
            if hop is None:
                return peer_ip  # the visitor hid behind an opaque name
            if not self.is_trusted(hop):
                return hop
        return hops[0]  # every hop is a trusted proxy: the left-most is the origin


def _hop(text: str) -> Address:
    """One hop as proxies write it: ``1.2.3.4``, ``1.2.3.4:80``, ``[2001:db8::1]:443``,
    ``2001:db8::1``."""
    text = text.strip().strip('"').strip()
    if text.startswith("["):
        end = text.find("]")
        if end < 0 or (text[end + 1:] and not _is_port(text[end + 1:])):
            raise MalformedHeader(text)
        text = text[1:end]
    elif text.count(":") == 1:
        text, port = text.split(":")
        if not port.isdigit():
            raise MalformedHeader(text)
    address = parse_address(text)
    if address is None:
        raise MalformedHeader(text)
    return address


def _is_port(text: str) -> bool:
    return text.startswith(":") and text[1:].isdigit()


def parse_x_forwarded_for(values: Sequence[bytes]) -> list[Address]:
    """The hops of one or more ``X-Forwarded-For`` values, left to right."""
    hops: list[Address] = []
    for value in values:
        for item in value.decode("latin-1").split(","):
            hops.append(_hop(item))
    if not hops:
        raise MalformedHeader("empty")
    return hops


def parse_forwarded(values: Sequence[bytes]) -> list[Hop]:
    """The ``for=`` hops of one or more ``Forwarded`` values, left to right; an
    ``unknown`` or obfuscated node is an opaque hop."""
    hops: list[Hop] = []
    for value in values:
        for element in _split_outside_quotes(value.decode("latin-1"), ","):
            node: Hop = None
            found = False
            for pair in _split_outside_quotes(element, ";"):
                key, sep, raw = pair.partition("=")
                if not sep:
                    if pair.strip():
                        raise MalformedHeader(pair)
                    continue
                if key.strip().lower() != "for":
                    continue
                text = raw.strip()
                if text.startswith('"'):
                    if len(text) < 2 or not text.endswith('"'):
                        raise MalformedHeader(text)
                    text = text[1:-1]
                if found:
                    raise MalformedHeader(element)  # two for= in one element
                found = True
                if text.lower() != "unknown" and not text.startswith("_"):
                    node = _hop(text)
            if not found:
                raise MalformedHeader(element)
            hops.append(node)
    if not hops:
        raise MalformedHeader("empty")
    return hops


def _split_outside_quotes(text: str, separator: str) -> list[str]:
    parts: list[str] = []
    current: list[str] = []
    quoted = False
    for char in text:
        if char == '"':
            quoted = not quoted
        if char == separator and not quoted:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    if quoted:
        raise MalformedHeader(text)
    parts.append("".join(current))
    return parts
