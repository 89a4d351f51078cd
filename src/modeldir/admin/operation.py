"""What every admin operation shares: who acts, versions (ETags), the audit entry, list pages.

Each write is one store transaction holding the catalogue's write lock: it checks the caller's
`If-Match` against the object's current version, writes, and appends the audit entry, all or
nothing. Results are objects in the admin API's shape (`objects.py`) with their ETag. Failures
are errors of `modeldir.errors`, so the API renders them unchanged and the CLI prints them.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any, TypeVar

import orjson

from modeldir.admin import objects
from modeldir.admin.bootstrap import default_workspace
from modeldir.admin.inputs import ListParams
from modeldir.catalogue.pages import Cursor, envelope, page_from_window
from modeldir.catalogue.records import ApiKeyRecord, AuditRecord, WorkspaceRecord
from modeldir.errors import NotFoundError, StaleVersionError
from modeldir.ids import new_id
from modeldir.store import Reader, Store, Transaction

Object = Mapping[str, Any]
"""An object as the API shows it (its shape: a TypedDict of `objects.py`)."""
R = TypeVar("R")


@dataclass(frozen=True, slots=True)
class Actor:
    """Who makes a change: an admin key (through the API) or a person at the CLI."""

    type: str
    id: str


@dataclass(frozen=True, slots=True)
class Versioned:
    """An object and its ETag; `changed` is False when the request changed nothing."""

    object: Object
    etag: str
    changed: bool = True


def list_page(
    window: list[Any] | None,
    params: ListParams,
    id_of: Callable[[Any], str],
    shape: Callable[[Any], Object],
    noun: str,
) -> Object:
    """The list envelope for a window fetched by the store (see catalogue/pages.py)."""
    cursor = Cursor(params.after_id, params.before_id)
    if window is None:
        raise cursor.unknown(noun)
    page = page_from_window(window, params.limit, backwards=cursor.backwards)
    return envelope(page, id_of, shape)


def check_if_match(if_match: str | None, current_revision: int, what: str) -> None:
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


def unchanged(current: Any, updated: Any) -> bool:
    """Whether a change leaves a record as it was (its revision aside): then nothing is written,
    no audit entry is made and the catalogue's revision stays."""
    return bool(replace(updated, revision=current.revision) == current)


def found(record: R | None, kind: str, object_id: str) -> R:
    """The record, unless it is missing or deleted: then a 404 naming the kind and the id."""
    if record is None or getattr(record, "deleted", False):
        raise NotFoundError(f"no {kind} with id {object_id}")
    return record


class Operations:
    """The state every group of operations works with: one store, one actor, one clock."""

    def __init__(
        self,
        store: Store,
        actor: Actor,
        clock: Callable[[], float] = time.time,
        *,
        allow_private_webhooks: bool = False,
    ) -> None:
        self.store = store
        self.actor = actor
        self.clock = clock
        self.allow_private_webhooks = allow_private_webhooks
        """Whether webhook endpoints may be on private addresses (webhooks/destinations.py)."""

    def now(self) -> int:
        return int(self.clock())

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
            raise NotFoundError("no default workspace: run any modeldir command once to create it")
        return found

    def _key_object(self, reader: Reader, record: ApiKeyRecord) -> objects.ApiKeyObject:
        return objects.api_key_object(record, self._default_workspace(reader).id, self.now())
