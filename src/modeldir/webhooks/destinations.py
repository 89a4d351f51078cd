"""Where a webhook may go: by default never to this machine or a private network (no SSRF).

An admin API that POSTs wherever it is told would let anyone holding an admin key reach what
only the server can reach. So every address a destination's host resolves to must be public:
loopback, link-local (cloud metadata at 169.254.169.254 among them), private, shared (CGNAT),
multicast, reserved and unspecified addresses are refused. The check runs when an endpoint is
registered and again at every try, and the try connects to the very address checked, so a name
that resolves elsewhere between the check and the connection (DNS rebinding) gains nothing.
`MODELDIR_WEBHOOK_ALLOW_PRIVATE_ADDRESSES` lifts the rule, for receivers on a private network.
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import SplitResult, urlsplit, urlunsplit

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
MAX_URL_LENGTH = 2048

_KINDS = (
    ("is_loopback", "a loopback address"),
    ("is_link_local", "a link-local address"),
    ("is_private", "a private address"),
    ("is_multicast", "a multicast address"),
    ("is_reserved", "a reserved address"),
    ("is_unspecified", "an unspecified address"),
)


# IETF protocol assignments: `ipaddress` counts a few of them as global; none is a webhook's.
_ALSO_REFUSED = (ipaddress.ip_network("192.0.0.0/24"),)


class RefusedDestination(ValueError):
    """A URL that webhooks may not be sent to, and why."""


@dataclass(frozen=True, slots=True)
class Destination:
    """A checked destination: the URL with the checked address in place of the name."""

    url: str
    host: str
    """The `Host` header: the name (and port) as the endpoint's URL gives them."""
    server_name: str | None
    """For HTTPS, the name TLS must present a certificate for (and sends as SNI)."""


def parse_url(url: str) -> SplitResult:
    """An endpoint URL: http or https, a host, no credentials; else RefusedDestination."""
    if len(url) > MAX_URL_LENGTH:
        raise RefusedDestination(f"url: longer than {MAX_URL_LENGTH} characters")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise RefusedDestination(f"url: must be an http:// or https:// URL with a host: {url!r}")
    if parts.username is not None or parts.password is not None:
        raise RefusedDestination("url: must not carry a user name or password")
    if parts.fragment:
        raise RefusedDestination("url: must not have a #fragment")
    try:
        parts.port  # noqa: B018 - raises for a port out of range
    except ValueError:
        raise RefusedDestination(
            f"url: the port is not a number from 0 to 65535: {url!r}"
        ) from None
    return parts


def refusal(address: Address) -> str | None:
    """Why webhooks may not go to this address (None: it is a public one)."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped  # ::ffff:127.0.0.1 is 127.0.0.1
    for test, kind in _KINDS:
        if getattr(address, test):
            return kind
    if not address.is_global or any(address in network for network in _ALSO_REFUSED):
        return "not a public address"
    return None


def resolve(host: str, port: int) -> list[Address]:
    """Every address `host` resolves to (an address stands for itself)."""
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as error:
        raise RefusedDestination(f"url: cannot resolve {host}: {error}") from None
    addresses: list[Address] = []
    for *_, sockaddr in found:
        address = ipaddress.ip_address(str(sockaddr[0]).split("%")[0])
        if address not in addresses:
            addresses.append(address)
    if not addresses:
        raise RefusedDestination(f"url: {host} resolves to no address")
    return addresses


def destination(url: str, *, allow_private: bool) -> Destination:
    """Resolve and check a URL's host; the URL to connect to, at an address that passed."""
    parts = parse_url(url)
    host = str(parts.hostname)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    addresses = resolve(host, port)
    if not allow_private:
        for address in addresses:
            reason = refusal(address)
            if reason is not None:
                raise RefusedDestination(
                    f"url: {host} resolves to {address}, {reason}; webhooks go to public "
                    "addresses only (MODELDIR_WEBHOOK_ALLOW_PRIVATE_ADDRESSES lifts this)"
                )
    chosen = addresses[0]
    literal = f"[{chosen}]" if chosen.version == 6 else str(chosen)
    netloc = literal if parts.port is None else f"{literal}:{parts.port}"
    named = f"[{host}]" if ":" in host else host
    return Destination(
        url=urlunsplit((parts.scheme, netloc, parts.path or "/", parts.query, "")),
        host=named if parts.port is None else f"{named}:{parts.port}",
        server_name=host if parts.scheme == "https" else None,
    )
