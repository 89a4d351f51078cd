"""Standard Webhooks signing: a per-endpoint secret and an HMAC-SHA256 signature of each try.

The secret is `whsec_` followed by the base64 of 32 random bytes (the key). Each try signs
`{webhook-id}.{webhook-timestamp}.{body}` and sends `v1,` and the signature's base64.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

SECRET_PREFIX = "whsec_"  # noqa: S105 - the prefix Standard Webhooks gives secrets
_KEY_BYTES = 32  # the specification asks for 24 to 64


def new_secret() -> str:
    """A fresh endpoint secret, `whsec_` and base64."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(_KEY_BYTES)).decode("ascii")


def signature(secret: str, message_id: str, timestamp: int, body: bytes) -> str:
    """The `webhook-signature` value for one try of one message."""
    key = base64.b64decode(secret.removeprefix(SECRET_PREFIX))
    signed = f"{message_id}.{timestamp}.".encode() + body
    digest = hmac.new(key, signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode("ascii")
