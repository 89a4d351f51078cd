"""Every admin operation, once: the admin API and the CLI (on the database) both call these.

Each write is one store transaction holding the catalogue's write lock: it checks the caller's
`If-Match` against the object's current version, writes, and appends the audit entry, all or
nothing. Results are objects in the admin API's shape (`objects.py`) with their ETag.
Failures are the wire's own errors, so the API renders them unchanged and the CLI prints them.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any, TypeVar

import orjson

from modeldir.admin import objects
from modeldir.admin.bootstrap import default_workspace
from modeldir.admin.errors import InvalidCatalogue
from modeldir.admin.inputs import (
    AdminKeyCreate,
    AliasCreate,
    AliasUpdate,
    ApiKeyCreate,
    ApiKeyListParams,
    ApiKeyRotate,
    ApiKeyUpdate,
    AuditListParams,
    ListParams,
    ModelDeprecate,
    ModelListParams,
    ModelRetire,
    RateLimits,
    WorkspaceCreate,
    WorkspaceListParams,
    WorkspaceUpdate,
    now_or,
)
from modeldir.catalogue.document import CatalogueDocument, InvalidDocument, Problem, parse_document
from modeldir.catalogue.model_info import Alias, ModelInfo
from modeldir.catalogue.pages import page_from_window
from modeldir.catalogue.records import (
    AdminKeyRecord,
    AliasRecord,
    ApiKeyRecord,
    AuditRecord,
    ModelRecord,
    WorkspaceRecord,
)
from modeldir.catalogue.render import info_from_record, record_from_info
from modeldir.catalogue.snapshot import hash_secret
from modeldir.ids import new_id
from modeldir.store import Reader, Store, Transaction
from modeldir.wire.errors import (
    ConflictError,
    InvalidRequestError,
    NotFoundError,
    StaleVersionError,
)

API_KEY_PREFIX = "sk-ant-api03-"
ADMIN_KEY_PREFIX = "sk-ant-admin01-"
WORKSPACE_COLORS = ("#6C5BB9", "#2F7DD1", "#1E9E75", "#C2862E", "#C24B4B", "#8A5BB9", "#4B8AC2")

Object = dict[str, Any]
R = TypeVar("R")


def new_secret(prefix: str) -> str:
    """A fresh key in the API's format: the prefix, 93 random characters, then `AA`."""
    return prefix + secrets.token_urlsafe(72)[:93] + "AA"


def partial_key_hint(secret: str, prefix: str = API_KEY_PREFIX) -> str:
    """The part of a key that may be shown again later, e.g. `sk-ant-api03-R2D...igAA`."""
    return f"{secret[: len(prefix) + 3]}...{secret[-4:]}"


@dataclass(frozen=True, slots=True)
class Actor:
    """Who makes a change: an admin key (through the API) or a person at the CLI."""

    type: str
    id: str


@dataclass(frozen=True, slots=True)
class Versioned:
    """An object and its ETag."""

    object: Object
    etag: str


def list_page(
    window: list[Any] | None,
    params: ListParams,
    id_of: Callable[[Any], str],
    shape: Callable[[Any], Object],
    noun: str,
) -> Object:
    """The list envelope for a window fetched by the store (see catalogue/pages.py)."""
    if window is None:
        cursor = "after_id" if params.after_id is not None else "before_id"
        value = params.after_id if params.after_id is not None else params.before_id
        raise InvalidRequestError(f"{cursor}: no {noun} with id `{value}`")
    page = page_from_window(window, params.limit, backwards=params.before_id is not None)
    data = [shape(item) for item in page.items]
    return {
        "data": data,
        "has_more": page.has_more,
        "first_id": id_of(page.items[0]) if page.items else None,
        "last_id": id_of(page.items[-1]) if page.items else None,
    }


def check_version(if_match: str | None, current_revision: int, what: str) -> None:
    """An `If-Match` that names another version than the current one is a 409 (no lost updates)."""
    if if_match is None:
        return
    tags = [tag.strip().removeprefix("W/") for tag in if_match.split(",")]
    if "*" not in tags and objects.etag(current_revision) not in tags:
        raise StaleVersionError(
            f"{what} has changed since you read it (it is now version "
            f"{objects.etag(current_revision)}); read it again and reapply your change"
        )


def _json(value: Object | None) -> str | None:
    return None if value is None else orjson.dumps(value).decode()


def found(record: R | None, what: str) -> R:
    """The record, unless it is missing or deleted: then 404 naming `what`."""
    if record is None or getattr(record, "deleted", False):
        raise NotFoundError(what)
    return record


def _deep_merge(base: Any, patch: Any) -> Any:
    """JSON merge patch (RFC 7386): objects merge, anything else replaces, null removes."""
    if not isinstance(patch, dict) or not isinstance(base, dict):
        return patch
    merged = dict(base)
    for key, value in patch.items():
        if value is None:
            merged[key] = None
        else:
            merged[key] = _deep_merge(base.get(key), value)
    return merged


class AdminService:
    """Administration of one catalogue database, on behalf of one actor."""

    def __init__(self, store: Store, actor: Actor, clock: Callable[[], float] = time.time) -> None:
        self.store = store
        self.actor = actor
        self.clock = clock

    def now(self) -> int:
        return int(self.clock())

    # ---- helpers ---------------------------------------------------------------------------------

    def _audit(
        self,
        tx: Transaction,
        action: str,
        object_type: str,
        object_id: str,
        before: Object | None,
        after: Object | None,
    ) -> None:
        tx.add_audit(
            [
                AuditRecord(
                    id=new_id("audit_"),
                    created_at=self.now(),
                    actor_type=self.actor.type,
                    actor_id=self.actor.id,
                    action=action,
                    object_type=object_type,
                    object_id=object_id,
                    before=_json(before),
                    after=_json(after),
                )
            ]
        )

    @staticmethod
    def _default_workspace(reader: Reader) -> WorkspaceRecord:
        found = default_workspace(reader)
        if found is None:
            raise NotFoundError("workspace: default")
        return found

    def _key_object(self, reader: Reader, record: ApiKeyRecord) -> Object:
        return objects.api_key_object(record, self._default_workspace(reader).id, self.now())

    # ---- organisation ----------------------------------------------------------------------------

    def organization(self) -> Object:
        with self.store.reader() as reader:
            return objects.organization_object(reader.organization_id(), "modeldir")

    # ---- workspaces ------------------------------------------------------------------------------

    def list_workspaces(self, params: WorkspaceListParams) -> Object:
        with self.store.reader() as reader:
            window = reader.workspace_window(
                params.after_id,
                params.before_id,
                params.limit,
                include_archived=params.include_archived,
                include_default=params.include_default,
                ids=None if params.ids is None else frozenset(params.ids),
            )
        return list_page(window, params, lambda w: w.id, objects.workspace_object, "workspace")

    def get_workspace(self, workspace_id: str) -> Versioned:
        with self.store.reader() as reader:
            record = found(reader.workspace(workspace_id), f"workspace: {workspace_id}")
        return Versioned(objects.workspace_object(record), objects.etag(record.revision))

    def create_workspace(self, body: WorkspaceCreate) -> Versioned:
        limits = body.rate_limits or RateLimits()
        record = WorkspaceRecord(
            id=new_id("wrkspc_"),
            name=body.name,
            created_at=self.now(),
            model_access=None if body.model_access is None else tuple(body.model_access),
            display_color=body.display_color
            or WORKSPACE_COLORS[secrets.randbelow(len(WORKSPACE_COLORS))],
            tags=tuple(sorted((body.tags or {}).items())),
            requests_per_minute=limits.requests_per_minute,
            key_requests_per_minute=limits.key_requests_per_minute,
        )
        with self.store.transaction() as tx:
            record = replace(record, revision=tx.revision())
            tx.put_workspace(record)
            after = objects.workspace_object(record)
            self._audit(tx, "workspace.create", "workspace", record.id, None, after)
        return Versioned(after, objects.etag(record.revision))

    def update_workspace(
        self, workspace_id: str, body: WorkspaceUpdate, if_match: str | None = None
    ) -> Versioned:
        given = body.model_fields_set
        with self.store.transaction() as tx:
            current = found(tx.workspace(workspace_id), f"workspace: {workspace_id}")
            check_version(if_match, current.revision, f"workspace {workspace_id}")
            if current.archived_at is not None:
                raise InvalidRequestError(
                    f"workspace {workspace_id} is archived and cannot be changed"
                )
            if current.is_default and "name" in given and body.name != current.name:
                raise InvalidRequestError("The default workspace cannot be renamed.")
            tags = dict(current.tags)
            for key, value in (body.tags or {}).items():
                if value is None:
                    tags.pop(key, None)
                else:
                    tags[key] = value
            updated = replace(
                current,
                name=body.name if "name" in given else current.name,
                display_color=body.display_color
                if "display_color" in given
                else current.display_color,
                model_access=(
                    (None if body.model_access is None else tuple(body.model_access))
                    if "model_access" in given
                    else current.model_access
                ),
                tags=tuple(sorted(tags.items())),
                revision=tx.revision(),
            )
            if body.rate_limits is not None:
                limits = body.rate_limits
                updated = replace(
                    updated,
                    **{name: getattr(limits, name) for name in limits.model_fields_set},
                )
            tx.put_workspace(updated)
            after = objects.workspace_object(updated)
            self._audit(
                tx,
                "workspace.update",
                "workspace",
                workspace_id,
                objects.workspace_object(current),
                after,
            )
        return Versioned(after, objects.etag(updated.revision))

    def archive_workspace(self, workspace_id: str, if_match: str | None = None) -> Versioned:
        """Archive a workspace; its API keys are archived with it and stop working at once."""
        with self.store.transaction() as tx:
            current = found(tx.workspace(workspace_id), f"workspace: {workspace_id}")
            check_version(if_match, current.revision, f"workspace {workspace_id}")
            if current.is_default:
                raise InvalidRequestError("The default workspace cannot be archived.")
            if current.archived_at is not None:
                return Versioned(objects.workspace_object(current), objects.etag(current.revision))
            archived = replace(current, archived_at=self.now(), revision=tx.revision())
            tx.put_workspace(archived)
            after = objects.workspace_object(archived)
            self._audit(
                tx,
                "workspace.archive",
                "workspace",
                workspace_id,
                objects.workspace_object(current),
                after,
            )
            default_id = self._default_workspace(tx).id
            for key in tx.api_keys():
                if key.workspace_id == workspace_id and key.status != "archived":
                    revoked = replace(
                        key, status="archived", previous_secret_hash=None, previous_expires_at=None
                    )
                    tx.put_api_key(revoked)
                    self._audit(
                        tx,
                        "api_key.archive",
                        "api_key",
                        key.id,
                        objects.api_key_object(key, default_id, self.now()),
                        objects.api_key_object(revoked, default_id, self.now()),
                    )
        return Versioned(after, objects.etag(archived.revision))

    # ---- API keys --------------------------------------------------------------------------------

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
            record = found(reader.api_key(key_id), f"api_key: {key_id}")
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
                workspace = found(
                    tx.workspace(body.workspace_id), f"workspace: {body.workspace_id}"
                )
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
        return Versioned({**after, "key": secret}, objects.etag(record.revision))

    def update_api_key(
        self, key_id: str, body: ApiKeyUpdate, if_match: str | None = None
    ) -> Versioned:
        given = body.model_fields_set
        with self.store.transaction() as tx:
            current = found(tx.api_key(key_id), f"api_key: {key_id}")
            check_version(if_match, current.revision, f"api_key {key_id}")
            status = body.status if "status" in given else current.status
            if current.status == "archived" and status != "archived":
                raise InvalidRequestError(
                    f"api_key {key_id} is archived; an archived key cannot be reactivated"
                )
            if status == "active" and current.status != "active":
                workspace = found(
                    tx.workspace(current.workspace_id), f"workspace: {current.workspace_id}"
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
            current = found(tx.api_key(key_id), f"api_key: {key_id}")
            check_version(if_match, current.revision, f"api_key {key_id}")
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
        return Versioned({**after, "key": secret}, objects.etag(rotated.revision))

    # ---- admin keys (the database only: never through the API) -----------------------------------

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
                raise NotFoundError(f"admin_key: {key_id}")
            revoked = replace(current, status="archived", revision=tx.revision())
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

    # ---- models ----------------------------------------------------------------------------------

    def list_models(self, params: ModelListParams) -> Object:
        with self.store.reader() as reader:
            window = reader.model_window(
                params.after_id,
                params.before_id,
                params.limit,
                lifecycles=frozenset(params.lifecycle),
            )
        return list_page(window, params, lambda m: m.id, objects.model_object, "model")

    def get_model(self, model_id: str) -> Versioned:
        with self.store.reader() as reader:
            record = found(reader.model(model_id), f"model: {model_id}")
        return Versioned(objects.model_object(record), objects.etag(record.revision))

    def create_model(self, data: Any) -> Versioned:
        info = _validated_model(data)
        with self.store.transaction() as tx:
            existing = tx.model(info.id)
            if existing is not None and not existing.deleted:
                raise ConflictError(f"model {info.id} already exists; update it instead")
            alias = tx.alias(info.id)
            if alias is not None and not alias.deleted:
                raise ConflictError(f"{info.id} is already an alias")
            record = record_from_info(info, revision=tx.revision())
            tx.put_models([record])
            after = objects.model_object(record)
            self._audit(tx, "model.create", "model", info.id, None, after)
        return Versioned(after, objects.etag(record.revision))

    def update_model(self, model_id: str, patch: Any, if_match: str | None = None) -> Versioned:
        """Change any fields of a model: the body is a JSON merge patch of its `ModelInfo`."""
        if not isinstance(patch, dict):
            raise InvalidRequestError("the body must be a JSON object of the fields to change")
        if "id" in patch and patch["id"] != model_id:
            raise InvalidRequestError("id: a model's id cannot be changed")
        return self._change_model(
            model_id, "model.update", if_match, lambda wire: _deep_merge(wire, patch)
        )

    def deprecate_model(
        self, model_id: str, body: ModelDeprecate, if_match: str | None = None
    ) -> Versioned:
        def deprecate(wire: Object) -> Object:
            deprecated_at = now_or(body.deprecated_at, self.now())
            return {
                **wire,
                "lifecycle": "deprecated",
                "deprecated_at": objects.time_or_none(deprecated_at),
                "retires_at": body.retires_at
                if body.retires_at is not None
                else wire["retires_at"],
            }

        return self._change_model(model_id, "model.deprecate", if_match, deprecate)

    def retire_model(
        self, model_id: str, body: ModelRetire, if_match: str | None = None
    ) -> Versioned:
        def retire(wire: Object) -> Object:
            retired_at = objects.time_or_none(now_or(body.retires_at, self.now()))
            return {
                **wire,
                "lifecycle": "retired",
                "deprecated_at": wire["deprecated_at"] or retired_at,
                "retires_at": retired_at,
            }

        return self._change_model(model_id, "model.retire", if_match, retire)

    def _change_model(
        self, model_id: str, action: str, if_match: str | None, change: Callable[[Object], Any]
    ) -> Versioned:
        with self.store.transaction() as tx:
            current = found(tx.model(model_id), f"model: {model_id}")
            check_version(if_match, current.revision, f"model {model_id}")
            before = objects.model_object(current)
            info = _validated_model(change(before))
            updated = record_from_info(info, revision=tx.revision())
            tx.put_models([updated])
            after = objects.model_object(updated)
            self._audit(tx, action, "model", model_id, before, after)
        return Versioned(after, objects.etag(updated.revision))

    def delete_model(self, model_id: str, if_match: str | None = None) -> Object:
        """Delete a model. It keeps its list position, so a cursor on it stays valid (D3)."""
        with self.store.transaction() as tx:
            current = found(tx.model(model_id), f"model: {model_id}")
            check_version(if_match, current.revision, f"model {model_id}")
            tx.put_models([replace(current, deleted=True)])
            self._audit(tx, "model.delete", "model", model_id, objects.model_object(current), None)
        return {"type": "model_deleted", "id": model_id}

    # ---- aliases ---------------------------------------------------------------------------------

    def list_aliases(self, params: ListParams) -> Object:
        with self.store.reader() as reader:
            window = reader.alias_window(params.after_id, params.before_id, params.limit)
        return list_page(window, params, lambda a: a.alias, objects.alias_object, "alias")

    def get_alias(self, alias: str) -> Versioned:
        with self.store.reader() as reader:
            record = found(reader.alias(alias), f"alias: {alias}")
        return Versioned(objects.alias_object(record), objects.etag(record.revision))

    def create_alias(self, body: AliasCreate) -> Versioned:
        with self.store.transaction() as tx:
            existing = tx.alias(body.alias)
            if existing is not None and not existing.deleted:
                raise ConflictError(f"alias {body.alias} already exists; update it to move it")
            taken = tx.model(body.alias)
            if taken is not None and not taken.deleted:
                raise ConflictError(f"{body.alias} is already a model id")
            found(tx.model(body.model), f"model: {body.model}")
            record = AliasRecord(body.alias, body.model, body.listed, revision=tx.revision())
            tx.put_aliases([record])
            after = objects.alias_object(record)
            self._audit(tx, "alias.create", "alias", body.alias, None, after)
        return Versioned(after, objects.etag(record.revision))

    def update_alias(self, alias: str, body: AliasUpdate, if_match: str | None = None) -> Versioned:
        given = body.model_fields_set
        with self.store.transaction() as tx:
            current = found(tx.alias(alias), f"alias: {alias}")
            check_version(if_match, current.revision, f"alias {alias}")
            target = body.model if "model" in given else current.model_id
            found(tx.model(target), f"model: {target}")
            updated = replace(
                current,
                model_id=target,
                listed=body.listed if "listed" in given else current.listed,
                revision=tx.revision(),
            )
            tx.put_aliases([updated])
            after = objects.alias_object(updated)
            self._audit(tx, "alias.update", "alias", alias, objects.alias_object(current), after)
        return Versioned(after, objects.etag(updated.revision))

    def delete_alias(self, alias: str, if_match: str | None = None) -> Object:
        with self.store.transaction() as tx:
            current = found(tx.alias(alias), f"alias: {alias}")
            check_version(if_match, current.revision, f"alias {alias}")
            tx.put_aliases([replace(current, deleted=True)])
            self._audit(tx, "alias.delete", "alias", alias, objects.alias_object(current), None)
        return {"type": "model_alias_deleted", "id": alias}

    # ---- the whole catalogue ---------------------------------------------------------------------

    def import_catalogue(
        self, data: Any, *, replace_all: bool = False, dry_run: bool = False
    ) -> Object:
        """Bring the catalogue in line with a document, all or nothing.

        `merge` adds and updates; `replace` also deletes every model and alias the document does
        not name. A dry run reports the same diff and writes nothing.
        """
        mode = "replace" if replace_all else "merge"
        try:
            return self._import(data, mode, dry_run)
        except InvalidDocument as error:
            raise InvalidCatalogue(error.problems) from None

    def _import(self, data: Any, mode: str, dry_run: bool) -> Object:
        replace_all = mode == "replace"
        if dry_run:
            with self.store.reader() as reader:
                document, diff = _plan_import(reader, data, replace_all)
            return _import_report(diff, mode, dry_run=True, revision=None)
        with self.store.transaction() as tx:
            document, diff = _plan_import(tx, data, replace_all)
            revision = tx.revision()
            models = {m.id: record_from_info(m) for m in document.models}
            tx.put_models([models[i] for i in (*diff.added, *diff.changed)])
            tx.put_models([replace(diff.stored[i], deleted=True) for i in diff.removed])
            aliases = {a.alias: AliasRecord(a.alias, a.model, a.listed) for a in document.aliases}
            tx.put_aliases([aliases[a] for a in (*diff.aliases_added, *diff.aliases_changed)])
            tx.put_aliases(
                [replace(diff.stored_aliases[a], deleted=True) for a in diff.aliases_removed]
            )
            report = _import_report(diff, mode, dry_run=False, revision=revision)
            self._audit(tx, "catalogue.import", "catalogue", "catalogue", None, report)
        return report

    def export_catalogue(self) -> CatalogueDocument:
        """The whole catalogue (live models and aliases) as an importable document."""
        with self.store.reader() as reader:
            models = [info_from_record(m) for m in reader.models()]
            aliases = [
                Alias(alias=a.alias, model=a.model_id, listed=a.listed) for a in reader.aliases()
            ]
        return CatalogueDocument(models, aliases)

    # ---- audit -----------------------------------------------------------------------------------

    def audit_log(self, params: AuditListParams) -> Object:
        with self.store.reader() as reader:
            window = reader.audit_window(
                params.after_id,
                params.before_id,
                params.limit,
                object_id=params.object_id,
                actor_id=params.actor_id,
                action=params.action,
            )
        return list_page(window, params, lambda a: a.id, objects.audit_object, "audit entry")


def _validated_model(data: Any) -> ModelInfo:
    if not isinstance(data, dict):
        raise InvalidRequestError("the body must be a JSON object describing a model")
    try:
        return parse_document({"models": [data]}).models[0]
    except InvalidDocument as error:
        first = error.problems[0]
        location = first.location.removeprefix("models[0]").removeprefix(".")
        raise InvalidRequestError(str(Problem(location, first.message))) from None


@dataclass(frozen=True, slots=True)
class _ImportDiff:
    stored: dict[str, ModelRecord]
    stored_aliases: dict[str, AliasRecord]
    added: list[str]
    changed: list[str]
    unchanged: list[str]
    removed: list[str]
    aliases_added: list[str]
    aliases_changed: list[str]
    aliases_unchanged: list[str]
    aliases_removed: list[str]


def _plan_import(
    reader: Reader, data: Any, replace_all: bool
) -> tuple[CatalogueDocument, _ImportDiff]:
    stored = {m.id: m for m in reader.models()}
    stored_aliases = {a.alias: a for a in reader.aliases()}
    # In replace mode, what the document does not name is going away: aliases may not lean on it.
    document = parse_document(data, known_models=() if replace_all else set(stored))
    new_models = {m.id: record_from_info(m) for m in document.models}
    new_aliases = {a.alias: AliasRecord(a.alias, a.model, a.listed) for a in document.aliases}
    if not replace_all:
        clashes = [a for a in new_aliases if a in stored] + [
            m for m in new_models if m in stored_aliases
        ]
        if clashes:
            raise InvalidDocument([Problem("", f"{clashes[0]} is both a model id and an alias")])

    def same(old: Any, new: Any) -> bool:
        return bool(replace(old, revision=0) == replace(new, revision=0))

    def split(
        new: dict[str, Any], old: dict[str, Any]
    ) -> tuple[list[str], list[str], list[str], list[str]]:
        added = sorted(i for i in new if i not in old)
        changed = sorted(i for i in new if i in old and not same(old[i], new[i]))
        unchanged = sorted(i for i in new if i in old and same(old[i], new[i]))
        removed = sorted(i for i in old if i not in new) if replace_all else []
        return added, changed, unchanged, removed

    diff = _ImportDiff(
        stored, stored_aliases, *split(new_models, stored), *split(new_aliases, stored_aliases)
    )
    return document, diff


def _import_report(diff: _ImportDiff, mode: str, *, dry_run: bool, revision: int | None) -> Object:
    return {
        "type": "catalogue_import",
        "mode": mode,
        "dry_run": dry_run,
        "models": {
            "added": diff.added,
            "changed": diff.changed,
            "removed": diff.removed,
            "unchanged": len(diff.unchanged),
        },
        "aliases": {
            "added": diff.aliases_added,
            "changed": diff.aliases_changed,
            "removed": diff.aliases_removed,
            "unchanged": len(diff.aliases_unchanged),
        },
        "revision": revision,
    }
