"""The request headers modeldir reads: picked out once per request, by lower-case name.

Only the headers below are read; `x-stainless-*`, `user-agent` and every other header are never
looked at (WIRE §3.1). What they must say is admission.py.
"""

from __future__ import annotations

from collections.abc import Iterable

API_KEY = b"x-api-key"
AUTHORIZATION = b"authorization"
VERSION = b"anthropic-version"
BETA = b"anthropic-beta"
WORKSPACE = b"anthropic-workspace-id"
ORIGIN = b"origin"
BROWSER_ACCESS = b"anthropic-dangerous-direct-browser-access"
PREFLIGHT_METHOD = b"access-control-request-method"
PREFLIGHT_HEADERS = b"access-control-request-headers"
_READ = frozenset(
    {
        API_KEY,
        AUTHORIZATION,
        VERSION,
        BETA,
        WORKSPACE,
        ORIGIN,
        BROWSER_ACCESS,
        PREFLIGHT_METHOD,
        PREFLIGHT_HEADERS,
    }
)


class RequestHeaders(dict[bytes, bytes]):
    """The headers the Models API reads, by lower-case name; repeats are joined with `, `."""

    __slots__ = ()

    @classmethod
    def read(cls, raw: Iterable[tuple[bytes, bytes]]) -> RequestHeaders:
        """Pick the interesting headers out of an ASGI header list (names arrive lower-case)."""
        headers = cls()
        for name, value in raw:
            if name in _READ:
                headers[name] = headers[name] + b", " + value if name in headers else value
        return headers

    @property
    def browser_opted_in(self) -> bool:
        """The request comes from a browser that opted in to direct access (WIRE §3.6)."""
        return ORIGIN in self and self.get(BROWSER_ACCESS) == b"true"
