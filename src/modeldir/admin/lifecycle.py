"""Retirements: which models are deprecated or retire soon, who would notice, and retiring the
overdue ones automatically.

The report names, for each model, its aliases and the workspaces that can see it (the same
access rule the Models API applies). Retiring an overdue model is opt-in
(`MODELDIR_LIFECYCLE_AUTO_RETIRE`): on the real API a model past its `retires_at` stays
deprecated until someone retires it (WIRE 4.1). Each retirement is one audited change, written
through `put_models` like any other, so the webhook outbox hears of it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Literal

from typing_extensions import TypedDict

from modeldir.admin import objects
from modeldir.admin.inputs import LifecycleReportParams
from modeldir.admin.objects import Instant, closed
from modeldir.admin.operation import Operations
from modeldir.catalogue.access import AccessRule
from modeldir.catalogue.records import ModelRecord
from modeldir.catalogue.timestamps import format_epoch

logger = logging.getLogger("modeldir.lifecycle")
DAY = 86_400
AUTO_RETIRE_JOB = "lifecycle:auto-retire"
"""The schedule's name in the database, where one instance of a cluster claims each period."""


@closed
class WorkspaceRef(TypedDict):
    id: str
    name: str


@closed
class RetiringModel(TypedDict):
    """A model that is deprecated or retires soon, and who would notice."""

    type: Literal["retiring_model"]
    id: str
    display_name: str
    lifecycle: Literal["active", "deprecated"]
    deprecated_at: Instant | None
    retires_at: Instant | None
    days_left: int | None
    """Whole days until `retires_at` (negative: overdue); null when it has no date."""
    overdue: bool
    """`retires_at` has passed and the model is still not retired."""
    aliases: list[str]
    """The aliases that name it, by name."""
    workspaces: list[WorkspaceRef]
    """The workspaces (not archived) that can see it, by name."""


@closed
class LifecycleReport(TypedDict):
    """The models that are deprecated or retire within the window, soonest first."""

    type: Literal["lifecycle_report"]
    as_of: Instant
    within_days: int
    data: list[RetiringModel]


class LifecycleOperations(Operations):
    """The retirement report, and the automatic retirement of overdue models."""

    def lifecycle_report(self, params: LifecycleReportParams) -> LifecycleReport:
        """The models that are deprecated or retire within `within_days`, soonest first (those
        without a date last), each with its aliases and the workspaces that can see it."""
        now = self.now()
        with self.store.reader() as reader:
            models = reader.retiring(now + params.within_days * DAY, every_deprecated=True)
            aliases = reader.aliases()
            workspaces = [w for w in reader.workspaces() if w.archived_at is None]
        workspaces.sort(key=lambda w: (w.name, w.id))
        rules = [(w, AccessRule.of(w.model_access)) for w in workspaces]
        named: dict[str, list[str]] = {}
        for alias in sorted(aliases, key=lambda a: a.alias):
            named.setdefault(alias.model_id, []).append(alias.alias)
        models.sort(key=lambda m: (m.retires_at is None, m.retires_at or 0, m.id))
        data = [
            _retiring(
                model,
                now,
                named.get(model.id, []),
                [{"id": w.id, "name": w.name} for w, rule in rules if rule.allows(model.id)],
            )
            for model in models
        ]
        return {
            "type": "lifecycle_report",
            "as_of": format_epoch(now),
            "within_days": params.within_days,
            "data": data,
        }

    def retire_overdue(self) -> list[str]:
        """Retire every deprecated model whose `retires_at` has passed, in one transaction, each
        with its audit entry; the ids retired."""
        now = self.now()
        with self._transaction() as tx:
            due = [m for m in tx.retiring(now) if m.lifecycle == "deprecated"]
            if not due:
                return []
            due.sort(key=lambda m: m.id)
            retired = [
                ModelRecord.from_info(
                    m.info().model_copy(update={"lifecycle": "retired"}), revision=tx.revision()
                )
                for m in due
            ]
            tx.put_models(retired)
            for before, after in zip(due, retired, strict=True):
                shown = objects.model_object(before), objects.model_object(after)
                self._audit(tx, "model.retire", "model", before.id, *shown)
        return [m.id for m in retired]


def _retiring(
    model: ModelRecord, now: int, aliases: list[str], workspaces: list[WorkspaceRef]
) -> RetiringModel:
    wire = model.wire()
    retires_at = model.retires_at
    return {
        "type": "retiring_model",
        "id": model.id,
        "display_name": wire["display_name"],
        "lifecycle": "deprecated" if model.lifecycle == "deprecated" else "active",
        "deprecated_at": wire["deprecated_at"],
        "retires_at": wire["retires_at"],
        "days_left": None if retires_at is None else (retires_at - now) // DAY,
        "overdue": retires_at is not None and retires_at <= now,
        "aliases": aliases,
        "workspaces": workspaces,
    }


@dataclass(slots=True)
class RetirementSchedule:
    """A running server's automatic retirement: `tick` retires the overdue models when this
    instance claims the period."""

    operations: LifecycleOperations
    every_seconds: float = 60.0

    def tick(self) -> bool:
        """Retire what is overdue if this caller claims the period; whether anything was."""
        now_ms = int(self.operations.clock() * 1000)
        every_ms = int(self.every_seconds * 1000)
        if not self.operations.store.claim_schedule(AUTO_RETIRE_JOB, now_ms, every_ms):
            return False
        retired = self.operations.retire_overdue()
        if retired:
            logger.info("retired %d overdue model(s): %s", len(retired), ", ".join(retired))
        return bool(retired)
