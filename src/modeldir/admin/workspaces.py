"""Workspaces: create, change, archive (archiving takes their API keys with it)."""

from __future__ import annotations

import secrets
from dataclasses import replace

from modeldir.admin import objects
from modeldir.admin.inputs import RateLimits, WorkspaceCreate, WorkspaceListParams, WorkspaceUpdate
from modeldir.admin.operation import (
    Object,
    Operations,
    Versioned,
    check_if_match,
    found,
    list_page,
    unchanged,
)
from modeldir.catalogue.records import WorkspaceRecord
from modeldir.errors import ConflictError, InvalidRequestError
from modeldir.ids import new_id
from modeldir.store import Reader

WORKSPACE_COLORS = ("#6C5BB9", "#2F7DD1", "#1E9E75", "#C2862E", "#C24B4B", "#8A5BB9", "#4B8AC2")


class WorkspaceOperations(Operations):
    """Every operation on workspaces."""

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
            record = found(reader.workspace(workspace_id), "workspace", workspace_id)
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
        with self._transaction() as tx:
            _check_name_is_free(tx, body.name)
            record = replace(record, revision=tx.revision())
            tx.put_workspace(record)
            after = objects.workspace_object(record)
            self._audit(tx, "workspace.create", "workspace", record.id, None, after)
        return Versioned(after, objects.etag(record.revision))

    @staticmethod
    def _as_is(record: WorkspaceRecord) -> Versioned:
        return Versioned(objects.workspace_object(record), objects.etag(record.revision), False)

    def update_workspace(
        self, workspace_id: str, body: WorkspaceUpdate, if_match: str | None = None
    ) -> Versioned:
        given = body.model_fields_set
        with self._transaction() as tx:
            current = found(tx.workspace(workspace_id), "workspace", workspace_id)
            check_if_match(if_match, current.revision, f"workspace {workspace_id}")
            if current.archived_at is not None:
                raise InvalidRequestError(
                    f"workspace {workspace_id} is archived and cannot be changed"
                )
            if current.is_default and "name" in given and body.name != current.name:
                raise InvalidRequestError("The default workspace cannot be renamed.")
            if "name" in given and body.name != current.name:
                _check_name_is_free(tx, body.name)
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
            if unchanged(current, updated):
                return self._as_is(current)
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
        with self._transaction() as tx:
            current = found(tx.workspace(workspace_id), "workspace", workspace_id)
            check_if_match(if_match, current.revision, f"workspace {workspace_id}")
            if current.is_default:
                raise InvalidRequestError("The default workspace cannot be archived.")
            if current.archived_at is not None:
                return self._as_is(current)
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


def _check_name_is_free(reader: Reader, name: str) -> None:
    """Two active workspaces never share a name: the second is a conflict."""
    holder = reader.active_workspace_named(name)
    if holder is not None:
        raise ConflictError(
            f"a workspace named {name!r} already exists ({holder.id}); "
            "choose another name, or archive that workspace first"
        )
