"""What the Models API does not carry about a model: prices, provider, family, knowledge cut-off.

Kept beside a model, never in its `ModelInfo` (D18): the admin API, the export and the console
show it; the Models API never does. In a catalogue file it is the `metadata` collection:

    metadata:
      - {model: claude-opus-4-7, provider: anthropic, family: claude-opus,
         input_price_per_mtok: 5.0, output_price_per_mtok: 25.0, knowledge_cutoff: 2025-03}
"""

from __future__ import annotations

import dataclasses
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from modeldir.catalogue.model_info import ModelId
from modeldir.catalogue.records import MetadataRecord

KNOWLEDGE_PATTERN = r"^\d{4}-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?$"
METADATA_FIELDS: tuple[str, ...] = tuple(
    f.name for f in dataclasses.fields(MetadataRecord) if f.name not in ("model_id", "revision")
)
"""The fields of a model's metadata, in the order they are shown."""


class ModelMetadata(BaseModel):
    """One model's metadata as a file or a request gives it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    model: ModelId
    provider: str | None = Field(None, min_length=1, max_length=64)
    family: str | None = Field(None, min_length=1, max_length=64)
    input_price_per_mtok: float | None = Field(None, ge=0, allow_inf_nan=False)
    output_price_per_mtok: float | None = Field(None, ge=0, allow_inf_nan=False)
    knowledge_cutoff: str | None = Field(None, pattern=KNOWLEDGE_PATTERN)
    source: str | None = Field(None, min_length=1, max_length=256)

    def record(self) -> MetadataRecord:
        """The record to store."""
        return MetadataRecord(self.model, **{name: getattr(self, name) for name in METADATA_FIELDS})


def metadata_data(record: MetadataRecord) -> dict[str, Any]:
    """A stored record as a file holds it (`model` first, then every field)."""
    return {"model": record.model_id, **{name: getattr(record, name) for name in METADATA_FIELDS}}
