"""New keys: secrets in the API's format, and the part of them that may be shown again."""

from __future__ import annotations

import secrets

API_KEY_PREFIX = "sk-ant-api03-"
ADMIN_KEY_PREFIX = "sk-ant-admin01-"


def new_secret(prefix: str) -> str:
    """A fresh key in the API's format: the prefix, 93 random characters, then `AA`."""
    return prefix + secrets.token_urlsafe(72)[:93] + "AA"


def partial_key_hint(secret: str, prefix: str = API_KEY_PREFIX) -> str:
    """The part of a key that may be shown again later, e.g. `sk-ant-api03-R2D...igAA`."""
    return f"{secret[: len(prefix) + 3]}...{secret[-4:]}"
