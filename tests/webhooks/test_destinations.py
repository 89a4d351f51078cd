"""The SSRF guard: which URLs and addresses webhooks may go to, and where a try connects."""

from __future__ import annotations

import ipaddress

import pytest
from hypothesis import given
from hypothesis import strategies as st

from modeldir.webhooks.destinations import RefusedDestination, destination, refusal

# The ranges a webhook must never reach, written out here from the IANA special-purpose
# registries (RFC 6890 and its updates), independently of Python's `ipaddress` flags.
REFUSED_V4 = [
    "0.0.0.0/8",
    "10.0.0.0/8",
    "100.64.0.0/10",
    "127.0.0.0/8",
    "169.254.0.0/16",
    "172.16.0.0/12",
    "192.0.0.0/24",
    "192.0.2.0/24",
    "192.168.0.0/16",
    "198.18.0.0/15",
    "198.51.100.0/24",
    "203.0.113.0/24",
    "224.0.0.0/4",
    "240.0.0.0/4",
]
PUBLIC_V4 = ["1.1.1.1", "8.8.8.8", "93.184.216.34", "151.101.1.69", "13.107.42.14"]


@pytest.mark.parametrize("network", REFUSED_V4)
def test_every_special_range_is_refused(network: str) -> None:
    net = ipaddress.ip_network(network)
    for address in (net[0], net[net.num_addresses // 2], net[-1]):
        assert refusal(address) is not None, address


@given(st.ip_addresses(v=4))
def test_an_ipv4_address_is_refused_exactly_when_it_is_in_a_special_range(
    address: ipaddress.IPv4Address,
) -> None:
    special = any(address in ipaddress.ip_network(n) for n in REFUSED_V4)
    assert (refusal(address) is not None) == special


@pytest.mark.parametrize(
    "address",
    [
        "::1",
        "::",
        "fe80::1",
        "fc00::1",
        "fd12:3456::1",
        "ff02::1",
        "::ffff:127.0.0.1",
        "::ffff:10.1.2.3",
    ],
)
def test_ipv6_loopback_link_local_unique_local_and_mapped_private_are_refused(address: str) -> None:
    assert refusal(ipaddress.ip_address(address)) is not None


@pytest.mark.parametrize("address", [*PUBLIC_V4, "2606:4700:4700::1111", "::ffff:8.8.8.8"])
def test_public_addresses_pass(address: str) -> None:
    assert refusal(ipaddress.ip_address(address)) is None


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/hook",
        "http://localhost:8080/hook",
        "https://[::1]/hook",
        "http://169.254.169.254/latest/meta-data/",
        "http://10.0.0.5/x",
        "http://0.0.0.0/",
        "http://2130706433/",  # 127.0.0.1 written as one number
    ],
)
def test_urls_to_this_machine_or_private_networks_are_refused_by_default(url: str) -> None:
    with pytest.raises(RefusedDestination, match="webhooks go to public addresses only"):
        destination(url, allow_private=False)


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("ftp://example.com/x", "http:// or https://"),
        ("http:///no-host", "http:// or https://"),
        ("http://user:pw@1.1.1.1/", "user name or password"),
        ("http://1.1.1.1:99999/", "port"),
        ("http://1.1.1.1/#frag", "fragment"),
        ("http://no-such-host.invalid/", "cannot resolve"),
    ],
)
def test_malformed_urls_are_refused_whatever_the_setting(url: str, problem: str) -> None:
    with pytest.raises(RefusedDestination, match=problem):
        destination(url, allow_private=True)


def test_a_try_connects_to_the_checked_address_and_names_the_host() -> None:
    checked = destination("https://1.1.1.1:8443/a/b?c=d", allow_private=False)
    assert checked.url == "https://1.1.1.1:8443/a/b?c=d"
    assert checked.host == "1.1.1.1:8443"
    found = destination("http://localhost:9/hook?x=1", allow_private=True)
    assert found.url in ("http://127.0.0.1:9/hook?x=1", "http://[::1]:9/hook?x=1")
    assert found.host == "localhost:9" and found.server_name is None
    named = destination("https://localhost/hook", allow_private=True)
    assert named.server_name == "localhost" and named.host == "localhost"
