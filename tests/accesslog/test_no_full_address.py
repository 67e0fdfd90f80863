"""Property tests: whatever the client address and however it arrives (as the peer,
through trusted or untrusted X-Forwarded-For / Forwarded), no line holds it in any form,
and the line holds the truncated network of the right hop."""

from __future__ import annotations

import ipaddress
import json

from hypothesis import given, settings
from hypothesis import strategies as st

from .conftest import CHROME, lines_for, request

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
TRUSTED = ["10.0.0.0/8", "fd00::/8"]
TRUSTED_NETWORKS = [ipaddress.ip_network(cidr) for cidr in TRUSTED]
PROXY_V4 = "10.1.2.3"
PROXY_V6 = "fd00::17"


def carried(address: IPAddress) -> IPAddress:
    """The IPv4 address an IPv4-mapped or 6to4 IPv6 address stands for (else itself)."""
    if isinstance(address, ipaddress.IPv6Address):
        return address.ipv4_mapped or address.sixtofour or address
    return address


def spellings(address: IPAddress) -> list[str]:
    """Every way a line could spell the full address."""
    if carried(address) is not address:
        return sorted(set(spellings(carried(address))) | {str(address), address.exploded})
    forms = {str(address), address.exploded}
    if isinstance(address, ipaddress.IPv4Address):
        mapped = ipaddress.IPv6Address(f"::ffff:{address}")
        forms |= {f"::ffff:{address}", str(mapped), mapped.exploded,
                  str(mapped).removeprefix("::")}
    else:
        forms.add(":".join(f"{int(group, 16):x}" for group in address.exploded.split(":")))
    return sorted(form.lower() for form in forms)


def network_of(address: IPAddress) -> str:
    address = carried(address)
    prefix = 24 if address.version == 4 else 48
    return str(ipaddress.ip_network(f"{address}/{prefix}", strict=False))


def visitor(address: IPAddress) -> bool:
    """A usable visitor address: not a trusted proxy, and not its own network address
    (for 203.0.113.0 the network "203.0.113.0/24" necessarily spells the address)."""
    address = carried(address)
    prefix = 24 if address.version == 4 else 48
    host_bits = int(address) & ((1 << (address.max_prefixlen - prefix)) - 1)
    return host_bits != 0 and not any(
        address.version == net.version and address in net for net in TRUSTED_NETWORKS
    )


def bracketed(address: IPAddress) -> str:
    return f"[{address}]" if address.version == 6 else str(address)


addresses = st.one_of(st.ip_addresses(v=4), st.ip_addresses(v=6)).filter(visitor)


def the_line(item: object, **options: object) -> str:
    lines = lines_for([item], trusted_proxies=TRUSTED, **options)  # type: ignore[list-item]
    assert len(lines) == 1
    line: str = lines[0]
    return line


def assert_absent(line: str, *hidden: IPAddress) -> None:
    lowered = line.lower()
    for address in hidden:
        for form in spellings(address):
            assert form not in lowered, f"{form} leaked into {line}"


@settings(max_examples=150, deadline=None)
@given(addresses)
def test_peer_address_is_truncated(address: IPAddress) -> None:
    line = the_line(request(headers=[(b"user-agent", CHROME)], client=(str(address), 443)))
    assert json.loads(line)["ip"] == network_of(address)
    assert_absent(line, address)


@settings(max_examples=100, deadline=None)
@given(st.ip_addresses(v=4).filter(visitor))
def test_ipv4_mapped_peer_is_truncated_as_ipv4(address: ipaddress.IPv4Address) -> None:
    line = the_line(request(client=(f"::ffff:{address}", 443)))
    assert json.loads(line)["ip"] == network_of(address)
    assert_absent(line, address)


@settings(max_examples=150, deadline=None)
@given(addresses, addresses, st.sampled_from([PROXY_V4, PROXY_V6]))
def test_trusted_proxy_x_forwarded_for_gives_the_right_most_untrusted_hop(
    spoofed: IPAddress, real: IPAddress, proxy: str
) -> None:
    chain = f"{spoofed}, {real}, {PROXY_V6}".encode()
    line = the_line(request(headers=[(b"x-forwarded-for", chain)], client=(proxy, 443)))
    assert json.loads(line)["ip"] == network_of(real)
    assert_absent(line, spoofed, real)


@settings(max_examples=150, deadline=None)
@given(addresses, addresses)
def test_untrusted_peer_x_forwarded_for_is_ignored(
    peer: IPAddress, claimed: IPAddress
) -> None:
    headers = [(b"x-forwarded-for", str(claimed).encode()),
               (b"forwarded", f'for="{bracketed(claimed)}"'.encode())]
    line = the_line(request(headers=headers, client=(str(peer), 443)))
    assert json.loads(line)["ip"] == network_of(peer)
    assert_absent(line, peer, claimed)


@settings(max_examples=150, deadline=None)
@given(addresses, st.integers(min_value=1, max_value=65535))
def test_trusted_proxy_forwarded_header_with_ports_and_quotes(
    real: IPAddress, port: int
) -> None:
    value = f'for="{bracketed(real)}:{port}";proto=https;by={PROXY_V4}, for={PROXY_V4}'
    line = the_line(request(headers=[(b"forwarded", value.encode())],
                            client=(PROXY_V4, 443)))
    assert json.loads(line)["ip"] == network_of(real)
    assert_absent(line, real)


@settings(max_examples=150, deadline=None)
@given(addresses, addresses, st.sampled_from([
    b"%s, not-an-address", b"%s,,", b"%s; garbage", b"[%s", b"%s:port", b"",
]))
def test_malformed_x_forwarded_for_falls_back_to_the_peer(
    behind: IPAddress, peer_visitor: IPAddress, template: bytes
) -> None:
    # The peer is a trusted proxy; its malformed header is not believed at all.
    value = template.replace(b"%s", str(behind).encode()) if b"%s" in template else template
    line = the_line(request(headers=[(b"x-forwarded-for", value)], client=(PROXY_V4, 443)))
    assert json.loads(line)["ip"] == "10.1.2.0/24"
    assert_absent(line, behind, peer_visitor)


@settings(max_examples=100, deadline=None)
@given(addresses, st.sampled_from([
    'for=%s;for=%s', 'for="%s', 'for=%s;nonsense', 'proto=https', 'for=unknown',
    'for=_hidden', 'for="[%s]:x"',
]))
def test_malformed_or_opaque_forwarded_falls_back_to_the_peer(
    behind: IPAddress, template: str
) -> None:
    value = template.replace("%s", str(behind))
    line = the_line(request(headers=[(b"forwarded", value.encode())], client=(PROXY_V6, 443)))
    assert json.loads(line)["ip"] == "fd00::/48"
    assert_absent(line, behind)


@settings(max_examples=80, deadline=None)
@given(addresses, st.sampled_from([(16, 32), (8, 24), (0, 0)]))
def test_coarser_prefixes(address: IPAddress, prefixes: tuple[int, int]) -> None:
    prefix_v4, prefix_v6 = prefixes
    line = the_line(request(client=(str(address), 443)), ip_prefix_v4=prefix_v4,
                    ip_prefix_v6=prefix_v6)
    base = carried(address)
    prefix = prefix_v4 if base.version == 4 else prefix_v6
    expected = ipaddress.ip_network(f"{base}/{prefix}", strict=False)
    assert json.loads(line)["ip"] == str(expected)
    assert_absent(line, address)


def test_a_6to4_address_is_truncated_as_the_ipv4_address_it_carries() -> None:
    # 2002:cb00:7109::/48 spells 203.0.113.9 in hexadecimal; /48 would keep all of it.
    line = the_line(request(client=("2002:cb00:7109:1::5", 443)))
    assert json.loads(line)["ip"] == "203.0.113.0/24"
    assert "cb00:7109" not in line


def test_a_client_that_is_not_an_address_logs_no_ip() -> None:
    line = the_line(request(client=("testclient", 50000)))
    assert json.loads(line)["ip"] is None
    assert json.loads(the_line(request(client=None)))["ip"] is None
