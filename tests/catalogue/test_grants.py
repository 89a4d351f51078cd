"""Grants: how a presented secret finds what its key may do.

Pinned here: `hash_secret` is SHA-256 of the whole key (str or bytes alike); grants are indexed
by the first 16 bytes of the hash and a lookup needs the whole hash to match; `key_grants` gives
an active key of a live workspace one grant carrying the workspace's rule and limits, none
otherwise, and after a rotation a second grant for the old secret that ends at the earlier of
the grace end and the key's own expiry; only active admin keys get admin grants.
"""

from __future__ import annotations

import dataclasses
import hashlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from modeldir.catalogue.access import EVERYTHING
from modeldir.catalogue.grants import (
    AdminGrant,
    KeyGrant,
    admin_grants,
    api_key_grants,
    hash_secret,
    key_grants,
    lookup,
    workspace_rules,
)
from modeldir.catalogue.records import AdminKeyRecord, ApiKeyRecord, WorkspaceRecord
from tests.factories import BASE, api_key, model, snapshot, workspace


def grants_of(key: ApiKeyRecord, spaces: dict[str, WorkspaceRecord]) -> list[KeyGrant]:
    """`key_grants` with the workspaces' rules made as the snapshot makes them."""
    return key_grants(key, spaces, workspace_rules(spaces.values()))


def sha256(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def test_hash_secret_is_sha256_of_the_whole_key() -> None:
    assert hash_secret("abc").hex() == (
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    )
    assert hash_secret(b"abc") == hash_secret("abc")


@settings(max_examples=100)
@given(secret=st.text(max_size=60))
def test_hash_secret_agrees_with_hashlib(secret: str) -> None:
    assert hash_secret(secret) == hashlib.sha256(secret.encode("utf-8")).digest()
    assert hash_secret(secret.encode("utf-8")) == hashlib.sha256(secret.encode("utf-8")).digest()


# ---- lookup ----------------------------------------------------------------------------------


def grant(secret: bytes, key_id: str = "k") -> KeyGrant:
    return KeyGrant(
        key_id=key_id,
        secret_hash=sha256(secret),
        workspace_id="w",
        workspace_header=b"w",
        rule=EVERYTHING,
        expires_at=None,
    )


def test_lookup_finds_a_grant_by_the_first_16_bytes_of_the_hash() -> None:
    one, two = grant(b"sk-one", "one"), grant(b"sk-two", "two")
    index = {sha256(b"sk-one")[:16]: one, sha256(b"sk-two")[:16]: two}
    assert lookup(index, "sk-one") is one
    assert lookup(index, b"sk-two") is two
    assert lookup(index, "sk-three") is None
    assert lookup(index, "") is None
    assert lookup({}, "sk-one") is None


def test_lookup_needs_the_whole_hash_to_match() -> None:
    digest = sha256(b"sk-one")
    impostor = KeyGrant(
        key_id="impostor",
        secret_hash=digest[:16] + bytes(16),
        workspace_id="w",
        workspace_header=b"w",
        rule=EVERYTHING,
        expires_at=None,
    )
    assert lookup({digest[:16]: impostor}, "sk-one") is None


def test_lookup_finds_admin_grants_too() -> None:
    admin = AdminGrant("admkey_1", sha256(b"sk-ant-admin01-x"))
    assert lookup({sha256(b"sk-ant-admin01-x")[:16]: admin}, "sk-ant-admin01-x") is admin


# ---- key_grants ------------------------------------------------------------------------------


def test_an_active_key_of_a_live_workspace_has_one_grant() -> None:
    space = workspace(
        "wrkspc_1",
        ("claude-opus-*", "claude-haiku-4-5", "claude-opus-*"),
        requests_per_minute=600,
        key_requests_per_minute=60,
    )
    key = api_key("apikey_1", "wrkspc_1", "sk-one", expires_at=BASE + 10)
    [only] = grants_of(key, {"wrkspc_1": space})
    assert only.key_id == "apikey_1"
    assert only.secret_hash == sha256(b"sk-one")
    assert (only.workspace_id, only.workspace_header) == ("wrkspc_1", b"wrkspc_1")
    assert only.rule.patterns == ("claude-haiku-4-5", "claude-opus-*")
    assert only.expires_at == BASE + 10
    assert (only.workspace_limit, only.key_limit) == (600, 60)


def test_a_workspace_without_a_rule_or_limits() -> None:
    [only] = grants_of(api_key("k", "w", "sk"), {"w": workspace("w")})
    assert only.rule.patterns is None
    assert only.rule.allows("anything")
    assert (only.expires_at, only.workspace_limit, only.key_limit) == (None, None, None)


@pytest.mark.parametrize("status", ["inactive", "archived", "expired", ""])
def test_a_key_that_is_not_active_has_no_grant(status: str) -> None:
    assert grants_of(api_key("k", "w", "sk", status=status), {"w": workspace("w")}) == []


def test_a_key_of_a_missing_or_archived_workspace_has_no_grant() -> None:
    key = api_key("k", "w", "sk")
    assert grants_of(key, {}) == []
    assert grants_of(key, {"other": workspace("other")}) == []
    assert grants_of(key, {"w": workspace("w", archived_at=BASE)}) == []


@pytest.mark.parametrize(
    ("expires_at", "previous_expires_at", "old_ends"),
    [
        (None, BASE + 100, BASE + 100),
        (BASE + 500, BASE + 100, BASE + 100),
        (BASE + 50, BASE + 100, BASE + 50),
        (BASE + 100, BASE + 100, BASE + 100),
    ],
)
def test_a_rotated_key_keeps_its_old_secret_until_the_grace_ends(
    expires_at: int | None, previous_expires_at: int, old_ends: int
) -> None:
    key = api_key(
        "k",
        "w",
        "sk-new",
        expires_at=expires_at,
        previous_secret_hash=sha256(b"sk-old"),
        previous_expires_at=previous_expires_at,
    )
    new, old = grants_of(key, {"w": workspace("w", ("a*",))})
    assert (new.secret_hash, new.expires_at) == (sha256(b"sk-new"), expires_at)
    assert (old.secret_hash, old.expires_at) == (sha256(b"sk-old"), old_ends)
    assert (old.key_id, old.workspace_id, old.rule.patterns) == ("k", "w", ("a*",))


def test_an_old_secret_without_a_grace_end_grants_nothing() -> None:
    key = api_key("k", "w", "sk-new", previous_secret_hash=sha256(b"sk-old"))
    [only] = grants_of(key, {"w": workspace("w")})
    assert only.secret_hash == sha256(b"sk-new")


def test_the_old_secret_works_on_a_snapshot_until_the_grace_ends() -> None:
    key = api_key(
        "k",
        "wrkspc_all",
        "sk-new",
        previous_secret_hash=sha256(b"sk-old"),
        previous_expires_at=BASE + 100,
    )
    snap = snapshot([model("m")], keys=[key])
    assert snap.grant_for("sk-old", BASE + 99) is not None
    assert snap.grant_for("sk-old", BASE + 100) is None
    assert snap.grant_for("sk-new", BASE + 100) is not None
    assert snap.grant_for("sk-new", BASE + 10**6) is not None


# ---- indexes ---------------------------------------------------------------------------------


def test_api_key_grants_index_every_usable_secret() -> None:
    spaces = {"w": workspace("w"), "gone": workspace("gone", archived_at=BASE)}
    keys = [
        api_key("a", "w", "sk-a"),
        api_key("b", "w", "sk-b", status="inactive"),
        api_key("c", "gone", "sk-c"),
        api_key("d", "w", "sk-d", previous_secret_hash=sha256(b"sk-d0"), previous_expires_at=BASE),
    ]
    index = api_key_grants(keys, spaces, workspace_rules(spaces.values()))
    found = {prefix: (g.key_id, g.secret_hash) for prefix, g in index.items()}
    assert found == {
        sha256(b"sk-a")[:16]: ("a", sha256(b"sk-a")),
        sha256(b"sk-d")[:16]: ("d", sha256(b"sk-d")),
        sha256(b"sk-d0")[:16]: ("d", sha256(b"sk-d0")),
    }


def admin_key(key_id: str, secret: bytes, status: str) -> AdminKeyRecord:
    return AdminKeyRecord(
        id=key_id,
        name=key_id,
        secret_hash=sha256(secret),
        partial_key_hint="sk-",
        status=status,
        created_at=BASE,
    )


def test_admin_grants_are_the_active_admin_keys() -> None:
    keys = [
        admin_key("one", b"sk-1", "active"),
        admin_key("two", b"sk-2", "inactive"),
        admin_key("three", b"sk-3", "archived"),
        dataclasses.replace(admin_key("four", b"sk-4", "active"), read_only=True),
    ]
    assert admin_grants(keys) == {
        sha256(b"sk-1")[:16]: AdminGrant("one", sha256(b"sk-1"), read_only=False),
        sha256(b"sk-4")[:16]: AdminGrant("four", sha256(b"sk-4"), read_only=True),
    }
