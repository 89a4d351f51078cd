"""Every admin operation, once: the admin API and the CLI (on the database) both call these.

`AdminService` is the operations of each group, in one object for one actor:

    workspaces.py    WorkspaceOperations     create, change, archive workspaces
    keys.py          KeyOperations           API keys and admin keys
    models.py        ModelOperations         models and aliases
    catalogue_io.py  CatalogueOperations     import and export of the whole catalogue
    sync.py          SyncOperations          mirroring another Models API
    lifecycle.py     LifecycleOperations     the retirement report, retiring overdue models
    webhooks.py      WebhookOperations       webhook endpoints, their delivery log, re-sends

and, here, the organisation and the audit log. What they share (the actor, ETags, the audit
entry, list pages) is operation.py.
"""

from __future__ import annotations

from datetime import datetime

from modeldir.admin import objects
from modeldir.admin.catalogue_io import CatalogueOperations
from modeldir.admin.inputs import AuditListParams
from modeldir.admin.keys import KeyOperations
from modeldir.admin.lifecycle import LifecycleOperations
from modeldir.admin.models import ModelOperations
from modeldir.admin.operation import Actor, Object, Versioned, list_page
from modeldir.admin.sync import SyncOperations
from modeldir.admin.webhooks import WebhookOperations
from modeldir.admin.workspaces import WorkspaceOperations

__all__ = ["Actor", "AdminService", "Object", "Versioned"]


class AdminService(
    WorkspaceOperations,
    KeyOperations,
    ModelOperations,
    CatalogueOperations,
    SyncOperations,
    WebhookOperations,
    LifecycleOperations,
):
    """Administration of one catalogue database, on behalf of one actor."""

    def organization(self) -> Object:
        with self.store.reader() as reader:
            return objects.organization_object(reader.organization_id(), "modeldir")

    def audit_log(self, params: AuditListParams) -> Object:
        with self.store.reader() as reader:
            window = reader.audit_window(
                params.after_id,
                params.before_id,
                params.limit,
                object_id=params.object_id,
                actor_id=params.actor_id,
                action=params.action,
                starting_at=_epoch(params.starting_at),
                ending_at=_epoch(params.ending_at),
            )
        return list_page(window, params, lambda a: a.id, objects.audit_object, "audit entry")


def _epoch(moment: datetime | None) -> int | None:
    return None if moment is None else int(moment.timestamp())
