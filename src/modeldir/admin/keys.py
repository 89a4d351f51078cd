"""API keys (create, change, rotate with grace, revoke) and admin keys (the database only)."""

from __future__ import annotations

from dataclasses import replace

from modeldir.admin import objects
from modeldir.admin.inputs import (
    AdminKeyCreate,
    ApiKeyCreate,
    ApiKeyListParams,
    ApiKeyRotate,
    ApiKeyUpdate,
)
from modeldir.admin.minting import ADMIN_KEY_PREFIX, API_KEY_PREFIX, new_secret, partial_key_hint
from modeldir.admin.operation import (
    Object,
    Operations,
    Versioned,
    check_if_match,
    found,
    list_page,
    unchanged,
)
from modeldir.catalogue.grants import hash_secret
from modeldir.catalogue.records import AdminKeyRecord, ApiKeyRecord
from modeldir.errors import InvalidRequestError, NotFoundError
from modeldir.ids import new_id


class KeyOperations(Operations):
    """Every operation on API keys and admin keys."""

    def list_api_keys(self, params: ApiKeyListParams) -> Object:
        with self.store.reader() as reader:
            window = reader.api_key_window(
                params.after_id,
                params.before_id,
                params.limit,
                workspace_id=params.workspace_id,
                status=params.status,
                created_by=params.created_by_user_id,
                now=self.now(),
            )
            default_id = self._default_workspace(reader).id
        now = self.now()
        return list_page(
            window,
            params,
            lambda k: k.id,
            lambda k: objects.api_key_object(k, default_id, now),
            "api_key",
        )

    def get_api_key(self, key_id: str) -> Versioned:
        with self.store.reader() as reader:
            record = found(reader.api_key(key_id), "API key", key_id)
            return Versioned(self._key_object(reader, record), objects.etag(record.revision))

    def create_api_key(self, body: ApiKeyCreate) -> Versioned:
        """A new API key; the object carries the key itself under `key`, this once only."""
        secret = new_secret(API_KEY_PREFIX)
        expires_at = None if body.expires_at is None else int(body.expires_at.timestamp())
        if expires_at is not None and expires_at <= self.now():
            raise InvalidRequestError("expires_at: must be in the future")
        with self.store.transaction() as tx:
            if body.workspace_id is None:
                workspace = self._default_workspace(tx)
            else:
                workspace = found(tx.workspace(body.workspace_id), "workspace", body.workspace_id)
            if workspace.archived_at is not None:
                raise InvalidRequestError(f"workspace {workspace.id} is archived")
            record = ApiKeyRecord(
                id=new_id("apikey_"),
                workspace_id=workspace.id,
                name=body.name,
                secret_hash=hash_secret(secret),
                partial_key_hint=partial_key_hint(secret),
                status="active",
                created_at=self.now(),
                expires_at=expires_at,
                revision=tx.revision(),
                created_by=self.actor.id if self.actor.type == "admin_key" else None,
            )
            tx.put_api_key(record)
            after = self._key_object(tx, record)
            self._audit(tx, "api_key.create", "api_key", record.id, None, after)
        return Versioned(objects.with_secret(after, secret), objects.etag(record.revision))

    def update_api_key(
        self, key_id: str, body: ApiKeyUpdate, if_match: str | None = None
    ) -> Versioned:
        given = body.model_fields_set
        with self.store.transaction() as tx:
            current = found(tx.api_key(key_id), "API key", key_id)
            check_if_match(if_match, current.revision, f"api_key {key_id}")
            status = body.status if "status" in given else current.status
            if current.status == "archived" and status != "archived":
                raise InvalidRequestError(
                    f"api_key {key_id} is archived; an archived key cannot be reactivated"
                )
            if status == "active" and current.status != "active":
                workspace = found(
                    tx.workspace(current.workspace_id), "workspace", current.workspace_id
                )
                if workspace.archived_at is not None:
                    raise InvalidRequestError(f"workspace {workspace.id} is archived")
            updated = replace(
                current,
                name=body.name if "name" in given else current.name,
                status=status,
                revision=tx.revision(),
            )
            if status == "archived":
                updated = replace(updated, previous_secret_hash=None, previous_expires_at=None)
            if unchanged(current, updated):
                return Versioned(
                    self._key_object(tx, current), objects.etag(current.revision), False
                )
            tx.put_api_key(updated)
            action = {"active": "reactivate", "inactive": "deactivate", "archived": "archive"}[
                status
            ]
            if status == current.status:
                action = "update"
            after = self._key_object(tx, updated)
            self._audit(
                tx, f"api_key.{action}", "api_key", key_id, self._key_object(tx, current), after
            )
        return Versioned(after, objects.etag(updated.revision))

    def rotate_api_key(
        self, key_id: str, body: ApiKeyRotate, if_match: str | None = None
    ) -> Versioned:
        """A new secret for the same key; the old one works for `grace_period_seconds` more."""
        secret = new_secret(API_KEY_PREFIX)
        with self.store.transaction() as tx:
            current = found(tx.api_key(key_id), "API key", key_id)
            check_if_match(if_match, current.revision, f"api_key {key_id}")
            if current.status == "archived":
                raise InvalidRequestError(f"api_key {key_id} is archived and cannot be rotated")
            grace = body.grace_period_seconds
            rotated = replace(
                current,
                secret_hash=hash_secret(secret),
                partial_key_hint=partial_key_hint(secret),
                previous_secret_hash=current.secret_hash if grace > 0 else None,
                previous_expires_at=self.now() + grace if grace > 0 else None,
                revision=tx.revision(),
            )
            tx.put_api_key(rotated)
            after = self._key_object(tx, rotated)
            self._audit(
                tx, "api_key.rotate", "api_key", key_id, self._key_object(tx, current), after
            )
        return Versioned(objects.with_secret(after, secret), objects.etag(rotated.revision))

    def create_admin_key(self, body: AdminKeyCreate) -> Versioned:
        secret = new_secret(ADMIN_KEY_PREFIX)
        with self.store.transaction() as tx:
            record = AdminKeyRecord(
                id=new_id("adminkey_"),
                name=body.name,
                secret_hash=hash_secret(secret),
                partial_key_hint=partial_key_hint(secret, ADMIN_KEY_PREFIX),
                status="active",
                created_at=self.now(),
                revision=tx.revision(),
            )
            tx.put_admin_key(record)
            after = objects.admin_key_object(record)
            self._audit(tx, "admin_key.create", "admin_key", record.id, None, after)
        return Versioned({**after, "key": secret}, objects.etag(record.revision))

    def list_admin_keys(self) -> list[Object]:
        with self.store.reader() as reader:
            found = sorted(reader.admin_keys(), key=lambda k: (-k.created_at, k.id))
        return [objects.admin_key_object(k) for k in found]

    def revoke_admin_key(self, key_id: str) -> Versioned:
        with self.store.transaction() as tx:
            current = tx.admin_key(key_id)
            if current is None:
                raise NotFoundError(f"no admin key with id {key_id}")
            revoked = replace(current, status="archived", revision=tx.revision())
            if unchanged(current, revoked):
                return Versioned(
                    objects.admin_key_object(current), objects.etag(current.revision), False
                )
            tx.put_admin_key(revoked)
            after = objects.admin_key_object(revoked)
            self._audit(
                tx,
                "admin_key.revoke",
                "admin_key",
                key_id,
                objects.admin_key_object(current),
                after,
            )
        return Versioned(after, objects.etag(revoked.revision))
