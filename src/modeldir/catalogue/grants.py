"""What a key may do, resolved in advance: the hot path hashes a key and finds its grant.

Keys are stored only as SHA-256 hashes. Grants are indexed by a prefix of the hash; the whole
hash is then compared in constant time, so a lookup reveals nothing through its timing.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace

from modeldir.catalogue.access import AccessRule
from modeldir.catalogue.records import AdminKeyRecord, ApiKeyRecord, WorkspaceRecord

INDEX_BYTES = 16
"""How much of a hash indexes the grants: plenty to tell keys apart."""


def hash_secret(secret: str | bytes) -> bytes:
    """The stored form of a key: SHA-256 of the whole key.

    A fast hash is right here: keys carry over 256 random bits, so there is nothing for a slow
    password hash to protect against, and it runs on every request.
    """
    return hashlib.sha256(secret.encode() if isinstance(secret, str) else secret).digest()


@dataclass(frozen=True, slots=True)
class KeyGrant:
    """What a usable API key may do: everything the hot path needs, resolved in advance."""

    key_id: str
    secret_hash: bytes
    workspace_id: str
    workspace_header: bytes
    rule: AccessRule
    expires_at: int | None
    workspace_limit: int | None = None
    """The workspace's requests per minute (None: the organisation default; 0: none)."""
    key_limit: int | None = None
    """This key's requests per minute (None: the organisation default; 0: none)."""


@dataclass(frozen=True, slots=True)
class AdminGrant:
    """A usable admin key, and whether it may change anything."""

    key_id: str
    secret_hash: bytes
    read_only: bool = False


def lookup(grants: Mapping[bytes, KeyGrant | AdminGrant], secret: str | bytes) -> object | None:
    digest = hash_secret(secret)
    # Indexed by a prefix of the hash; the full hash is then compared in constant time.
    grant = grants.get(digest[:INDEX_BYTES])
    if grant is None or not hmac.compare_digest(grant.secret_hash, digest):
        return None
    return grant


def workspace_rules(workspaces: Iterable[WorkspaceRecord]) -> dict[str, AccessRule]:
    """The access rule of each usable (unarchived) workspace, by workspace id."""
    return {w.id: AccessRule.of(w.model_access) for w in workspaces if w.archived_at is None}


def key_grants(
    key: ApiKeyRecord,
    workspaces: Mapping[str, WorkspaceRecord],
    rules: Mapping[str, AccessRule],
) -> list[KeyGrant]:
    """A usable key's grants: its secret, and after a rotation its old one until the grace ends."""
    workspace = workspaces.get(key.workspace_id)
    rule = rules.get(key.workspace_id)
    if key.status != "active" or workspace is None or rule is None:
        return []
    grant = KeyGrant(
        key_id=key.id,
        secret_hash=key.secret_hash,
        workspace_id=workspace.id,
        workspace_header=workspace.id.encode(),
        rule=rule,
        expires_at=key.expires_at,
        workspace_limit=workspace.requests_per_minute,
        key_limit=workspace.key_requests_per_minute,
    )
    grants = [grant]
    if key.previous_secret_hash is not None and key.previous_expires_at is not None:
        ends = key.previous_expires_at
        if key.expires_at is not None:
            ends = min(ends, key.expires_at)
        grants.append(replace(grant, secret_hash=key.previous_secret_hash, expires_at=ends))
    return grants


def api_key_grants(
    keys: Iterable[ApiKeyRecord],
    workspaces: Mapping[str, WorkspaceRecord],
    rules: Mapping[str, AccessRule],
) -> dict[bytes, KeyGrant]:
    """The grants of every usable key, indexed by a prefix of each secret's hash."""
    return {
        grant.secret_hash[:INDEX_BYTES]: grant
        for key in keys
        for grant in key_grants(key, workspaces, rules)
    }


def admin_grants(keys: Iterable[AdminKeyRecord]) -> dict[bytes, AdminGrant]:
    """The grants of every active admin key, indexed like the API keys'."""
    return {
        key.secret_hash[:INDEX_BYTES]: AdminGrant(key.id, key.secret_hash, key.read_only)
        for key in keys
        if key.status == "active"
    }
