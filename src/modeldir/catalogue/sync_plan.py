"""What mirroring an upstream Models API changes here: a three-way merge, model by model.

Each synced model remembers its source and the upstream's `ModelInfo` as last synced (its
*base*). A field whose local value differs from the base was changed by the operator and is
kept (unless `overwrite`); every other field takes the upstream's value. The three lifecycle
fields go together, so a kept lifecycle never meets the upstream's dates. Models that are not
this source's (made here, or by another source) are never touched; a model deleted here stays
deleted. A model gone upstream is reported, and deprecated only when asked; a sync never deletes.
Pure: the caller fetches the upstream and reads and writes the store.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import orjson

from modeldir.catalogue.model_fields import STORED_FIELDS
from modeldir.catalogue.model_info import ModelInfo
from modeldir.catalogue.records import ModelRecord, SourceRecord
from modeldir.catalogue.timestamps import format_epoch

Wire = dict[str, Any]
LIFECYCLE_FIELDS = ("lifecycle", "deprecated_at", "retires_at")
_MERGED = tuple(name for name in STORED_FIELDS if name != "id")


@dataclass(slots=True)
class SyncPlan:
    """The changes one sync makes (or, in a dry run, would make), and what it reports."""

    source: str
    models: list[ModelRecord] = field(default_factory=list)
    """Models to write."""
    sources: list[SourceRecord] = field(default_factory=list)
    """Bases to write: every upstream model this source owns, written or not."""
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    lifecycle: list[str] = field(default_factory=list)
    """`id: old -> new` for every lifecycle that changes."""
    kept_local: dict[str, list[str]] = field(default_factory=dict)
    """The fields the operator changed, kept over the upstream's, by model."""
    not_ours: list[str] = field(default_factory=list)
    """Upstream models whose id is a local model (or another source's): left alone."""
    gone: list[str] = field(default_factory=list)
    """This source's models the upstream no longer lists."""
    deprecated: list[str] = field(default_factory=list)
    unchanged: int = 0

    @property
    def has_changes(self) -> bool:
        """Whether applying it writes anything (a model, or a base that moved)."""
        return bool(self.models or self.sources)


def plan_sync(
    source: str,
    upstream: Iterable[ModelInfo],
    local: Mapping[str, ModelRecord],
    bases: Mapping[str, SourceRecord],
    *,
    owned: Iterable[str],
    now: int,
    overwrite: bool = False,
    deprecate_missing: bool = False,
) -> SyncPlan:
    """The plan that brings this source's models in line with the upstream's list.

    `local` holds the stored models (tombstones included) with an upstream id or owned by the
    source; `bases` the stored sources of those models; `owned` every model id this source
    owns.
    """
    plan = SyncPlan(source)
    listed = set()
    for info in upstream:
        listed.add(info.id)
        _merge(plan, info, local.get(info.id), bases.get(info.id), overwrite)
    for model_id in sorted(set(owned) - listed):
        record = local.get(model_id)
        if record is None or record.deleted:
            continue
        plan.gone.append(model_id)
        if deprecate_missing and record.lifecycle == "active":
            wire = record.wire()
            info = ModelInfo.model_validate(
                {**wire, "lifecycle": "deprecated", "deprecated_at": format_epoch(now)}
            )
            plan.models.append(ModelRecord.from_info(info))
            plan.deprecated.append(model_id)
            plan.lifecycle.append(f"{model_id}: active -> deprecated")
    return plan


def _merge(
    plan: SyncPlan,
    info: ModelInfo,
    stored: ModelRecord | None,
    base: SourceRecord | None,
    overwrite: bool,
) -> None:
    theirs = info.to_wire()
    text = orjson.dumps(theirs).decode()
    ours = base is not None and base.source == plan.source
    if stored is not None and not ours and (not stored.deleted or base is not None):
        plan.not_ours.append(info.id)  # a local model, or another source's
        return
    if stored is not None and stored.deleted and ours and not overwrite:
        plan.kept_local[info.id] = ["deleted"]
        return
    if stored is None or stored.deleted or base is None:
        plan.models.append(ModelRecord.from_info(info))
        plan.sources.append(SourceRecord(info.id, plan.source, text))
        plan.created.append(info.id)
        return
    mine, was = stored.wire(), orjson.loads(base.upstream)
    changed_here = [name for name in _MERGED if mine.get(name) != was.get(name)]
    if changed_here and any(name in changed_here for name in LIFECYCLE_FIELDS):
        changed_here = sorted(set(changed_here) | set(LIFECYCLE_FIELDS), key=_MERGED.index)
    kept = [] if overwrite else changed_here
    merged: Wire = {**theirs, **{name: mine[name] for name in kept}}
    if kept:
        plan.kept_local[info.id] = kept
    record = ModelRecord.from_info(ModelInfo.model_validate(merged))
    if base.upstream != text:
        plan.sources.append(SourceRecord(info.id, plan.source, text))
    if record.row == stored.row:
        plan.unchanged += 1
        return
    plan.models.append(record)
    plan.updated.append(info.id)
    if mine["lifecycle"] != merged["lifecycle"]:
        plan.lifecycle.append(f"{info.id}: {mine['lifecycle']} -> {merged['lifecycle']}")
