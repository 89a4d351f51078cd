"""A model as a web form and back, derived from `ModelInfo`: one input per field, one checkbox
per capability. What the form gives is validated by the admin operations, as any change is."""

from __future__ import annotations

import types
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel
from starlette.datastructures import FormData

from modeldir.catalogue.model_info import Capabilities, ModelInfo


def _leaves(model: type[BaseModel], prefix: str = "") -> list[str]:
    """Every boolean of a capability tree as a dotted path (`thinking.types.adaptive.supported`)."""
    found = []
    for name, info in model.model_fields.items():
        annotation = info.annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            found += _leaves(annotation, f"{prefix}{name}.")
        else:
            found.append(f"{prefix}{name}")
    return found


CAPABILITY_LEAVES: tuple[str, ...] = tuple(_leaves(Capabilities))


@dataclass(frozen=True, slots=True)
class FormField:
    """One input of the model form."""

    name: str
    kind: Literal["text", "number", "instant", "choice", "list"]
    required: bool
    choices: tuple[str, ...] = ()


def _plain(annotation: Any) -> Any:
    """The annotation without `| None` or `Annotated[...]` around it."""
    if get_origin(annotation) in (Union, types.UnionType):
        annotation = next(a for a in get_args(annotation) if a is not type(None))
    if get_origin(annotation) is Annotated:
        annotation = get_args(annotation)[0]
    return annotation


def _field(name: str) -> FormField:
    info = ModelInfo.model_fields[name]
    annotation = _plain(info.annotation)
    required = info.is_required()
    if get_origin(annotation) is Literal:
        return FormField(name, "choice", required, tuple(get_args(annotation)))
    if get_origin(annotation) is list:
        return FormField(name, "list", required)
    if annotation is int:
        return FormField(name, "number", required)
    if annotation is datetime:
        return FormField(name, "instant", required)
    return FormField(name, "text", required)


FIELDS: tuple[FormField, ...] = tuple(
    _field(name) for name in ModelInfo.model_fields if name not in ("type", "capabilities")
)
"""The model form's inputs, in wire order; capabilities are checkboxes of their own."""


def _value(field: FormField, raw: str) -> Any:
    """What a field's text means; left as text when it cannot be read, so validation says why."""
    text = raw.strip()
    if not text:
        return None
    if field.kind == "number":
        return int(text) if text.isdigit() else text
    if field.kind == "list":
        return [item.strip() for item in text.replace("\n", ",").split(",") if item.strip()]
    return text


def model_from_form(form: FormData) -> dict[str, Any]:
    """The model a submitted form describes, as the admin operations take it."""
    model: dict[str, Any] = {}
    for field in FIELDS:
        raw = form.get(field.name)
        model[field.name] = _value(field, raw if isinstance(raw, str) else "")
    checked = set(form.getlist("capability"))
    capabilities: dict[str, Any] = {}
    for leaf in CAPABILITY_LEAVES:
        node = capabilities
        *parents, last = leaf.split(".")
        for part in parents:
            node = node.setdefault(part, {})
        node[last] = leaf in checked
    model["capabilities"] = capabilities
    return {name: value for name, value in model.items() if value is not None or name != "id"}


def form_values(model: Mapping[str, Any]) -> dict[str, Any]:
    """What the form's inputs show for a model (a wire object or what a form gave)."""
    values: dict[str, Any] = {}
    for field in FIELDS:
        value = model.get(field.name)
        if value is None:
            values[field.name] = ""
        elif field.kind == "list":
            values[field.name] = ", ".join(value) if isinstance(value, list) else str(value)
        else:
            values[field.name] = str(value)
    values["capability"] = set(_checked(model.get("capabilities") or {}))
    return values


def _checked(tree: dict[str, Any], prefix: str = "") -> list[str]:
    found = []
    for name, value in tree.items():
        if isinstance(value, dict):
            found += _checked(value, f"{prefix}{name}.")
        elif value is True:
            found.append(f"{prefix}{name}")
    return found
