"""A public catalogue (models.dev, LiteLLM) as the records of a native import.

What a source says is laid over what the catalogue holds: its token limits, the capabilities it
speaks of and its metadata replace the stored ones; a model's name and release date are used
only for a model the catalogue does not have yet (`created_at` is never overwritten; a source
without dates releases a new model at the epoch, as the Models API does for unknown dates). An
id that is one of the catalogue's aliases stands for the model it points to, unless the file
gives that model too. The records then go through the native import, so validation, the
dry-run diff and the all-or-nothing write are the same.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from modeldir.catalogue.document import RawRecord
from modeldir.catalogue.model_info import Capabilities
from modeldir.catalogue.model_metadata import METADATA_FIELDS
from modeldir.catalogue.public_catalogues import Leaf, SourceModel, SourceReading, unique_models
from modeldir.catalogue.records import MetadataRecord, ModelRecord
from modeldir.store import Reader

EPOCH = "1970-01-01T00:00:00Z"


@dataclass(frozen=True, slots=True)
class PublicImport:
    """A public catalogue read for one provider, and what it is called in reports."""

    reading: SourceReading
    source: str
    """`models.dev` or `litellm`: kept as each model's metadata source."""


def public_records(reader: Reader, public: PublicImport) -> Iterator[RawRecord]:
    """The native records (models, then metadata) that bring the catalogue in line with a
    public catalogue, each labelled with its place in that file."""
    models = list(unique_models(public.reading))
    given = {m.id for m in models}
    aliases = {a.alias: a.model_id for a in reader.aliases()}
    targets: list[tuple[str, SourceModel]] = []
    for model in models:
        target = aliases.get(model.id, model.id)
        if target != model.id and target in given:
            public.reading.skipped.append(
                f"{model.where}: {model.id} is an alias of {target}, which the file also gives"
            )
            continue
        targets.append((target, model))
    stored = {r.id: r for r in reader.models_by_id([t for t, _ in targets]) if not r.deleted}
    metadata = {r.model_id: r for r in reader.metadata_of(list(stored))}
    for position, (target, model) in enumerate(targets):
        data = _model_data(target, model, stored.get(target))
        yield RawRecord("models", position, data, label=model.where)
    for position, (target, model) in enumerate(targets):
        data = _metadata_data(target, model, metadata.get(target), public.source)
        yield RawRecord("metadata", position, data, label=f"{model.where} (metadata)")


def _model_data(target: str, model: SourceModel, stored: ModelRecord | None) -> dict[str, Any]:
    if stored is None:
        base: dict[str, Any] = {
            "id": target,
            "display_name": model.name or target,
            "created_at": model.released or EPOCH,
            "capabilities": None,
        }
    else:
        base = stored.wire()
    tree = base["capabilities"] or Capabilities().model_dump()
    for leaf, supported in model.capabilities.items():
        _set(tree, leaf, supported)
    return {
        **base,
        "max_input_tokens": model.max_input_tokens or base.get("max_input_tokens"),
        "max_tokens": model.max_tokens or base.get("max_tokens"),
        "capabilities": tree,
    }


def _set(tree: dict[str, Any], leaf: Leaf, supported: bool) -> None:
    node = tree
    for step in leaf[:-1]:
        node = node[step]
    node[leaf[-1]] = supported


def _metadata_data(
    target: str, model: SourceModel, stored: MetadataRecord | None, source: str
) -> dict[str, Any]:
    kept = {name: getattr(stored, name) for name in METADATA_FIELDS} if stored else {}
    return {**kept, **model.metadata, "model": target, "source": source}
