"""The exact shapes of WIRE §4, written out independently of the code under test."""

from __future__ import annotations

MODEL_FIELDS = [
    "type",
    "id",
    "display_name",
    "created_at",
    "max_input_tokens",
    "max_tokens",
    "capabilities",
    "lifecycle",
    "deprecated_at",
    "retires_at",
    "line",
    "allowed_fallback_models",
]
