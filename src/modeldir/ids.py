"""Object ids in the API's style: a prefix, then `01` and 22 base58 characters.

Request ids (`req_011CYHyk9NPsBYeGbC9LuDNK`), workspace ids (`wrkspc_…`) and key ids
(`apikey_…`) all take this form (WIRE §9, §19 D15, D21).
"""

from __future__ import annotations

import os

BASE58 = b"123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
# Maps every byte onto the alphabet. The slight bias (256 is not a multiple of 58) still leaves
# over 125 random bits in 22 characters, plenty for uniqueness.
_TO_BASE58 = bytes(BASE58[i % 58] for i in range(256))
_RANDOM_CHARS = 22
_BATCH = 256  # ids per read of the OS's random source


def new_id(prefix: str) -> str:
    """A fresh random id such as `wrkspc_01JwQvzr7rXLA5AGx3HKfFUJ`."""
    return prefix + "01" + os.urandom(_RANDOM_CHARS).translate(_TO_BASE58).decode("ascii")


class _RequestIds:
    """Request ids for the hot path: random bytes are read in batches, not once per request."""

    def __init__(self) -> None:
        self._pool = b""
        self._offset = 0
        # A forked worker must not hand out its parent's remaining ids.
        os.register_at_fork(after_in_child=self._drop)

    def _drop(self) -> None:
        self._pool, self._offset = b"", 0

    def next(self) -> bytes:
        """A fresh request id as ASCII bytes."""
        offset = self._offset
        if offset + _RANDOM_CHARS > len(self._pool):
            self._pool = os.urandom(_RANDOM_CHARS * _BATCH).translate(_TO_BASE58)
            offset = 0
        self._offset = offset + _RANDOM_CHARS
        return b"req_01" + self._pool[offset : offset + _RANDOM_CHARS]


_request_ids = _RequestIds()
new_request_id_bytes = _request_ids.next


def new_request_id() -> str:
    """A `request-id` value."""
    return new_request_id_bytes().decode("ascii")
