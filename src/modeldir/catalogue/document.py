"""The catalogue file: what `models import` reads and `models export` writes.

    models:  [ModelInfo, ...]        # or `data:`, so a saved GET /v1/models response imports too
    aliases: [{alias, model, listed}, ...]

Top-level keys that start with `x-` are ignored (a home for YAML anchors). Every record is
checked before anything is written, and every problem is reported with its position and field,
e.g. `models[3].created_at: Input should be a valid datetime`.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from modeldir.catalogue.list_order import sort_key
from modeldir.catalogue.model_info import Alias, ModelInfo, epoch_of
from modeldir.errors import InvalidCatalogue, Problem, problems_of

_RESPONSE_KEYS = frozenset({"has_more", "first_id", "last_id"})

M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True, slots=True)
class CatalogueDocument:
    models: list[ModelInfo] = field(default_factory=list)
    aliases: list[Alias] = field(default_factory=list)

    def to_data(self) -> dict[str, Any]:
        """The document as plain data, in a stable order (list order, then aliases by name)."""
        models = sorted(self.models, key=lambda m: sort_key(epoch_of(m.created_at), m.id))
        return {
            "models": [m.to_wire() for m in models],
            "aliases": [a.model_dump() for a in sorted(self.aliases, key=lambda a: a.alias)],
        }


def _records(raw: Any, name: str, kind: type[M], problems: list[Problem]) -> list[tuple[int, M]]:
    if not isinstance(raw, list):
        problems.append(Problem(name, "must be a list"))
        return []
    valid = []
    for position, item in enumerate(raw):
        try:
            valid.append((position, kind.model_validate(item)))
        except ValidationError as error:
            problems.extend(problems_of(error, f"{name}[{position}]"))
    return valid


def _duplicates(
    items: Iterable[tuple[int, str]], name: str, field_name: str, problems: list[Problem]
) -> None:
    first: dict[str, int] = {}
    for position, key in items:
        if key in first:
            problems.append(
                Problem(f"{name}[{position}].{field_name}", f"repeats {name}[{first[key]}]: {key}")
            )
        else:
            first[key] = position


def parse_document(data: Any, known_models: Collection[str] = ()) -> CatalogueDocument:
    """Validate a whole catalogue file; InvalidCatalogue lists every problem found.

    `known_models` are ids already in the catalogue, which aliases may point to as well.
    """
    problems: list[Problem] = []
    if isinstance(data, list):
        data = {"models": data}
    if not isinstance(data, dict):
        raise InvalidCatalogue([Problem("", "a catalogue file must hold a mapping or a list")])
    body = {k: v for k, v in data.items() if not (isinstance(k, str) and k.startswith("x-"))}
    models_key = "data" if "data" in body else "models"
    if "data" in body:
        if "models" in body:
            problems.append(Problem("data", "give the models either as `models` or as `data`"))
        body = {k: v for k, v in body.items() if k not in _RESPONSE_KEYS}
    for unknown in sorted(set(body) - {"models", "data", "aliases"}, key=str):
        problems.append(Problem(str(unknown), "unknown key (expected models and aliases)"))

    models = _records(body.get(models_key, []), models_key, ModelInfo, problems)
    aliases = _records(body.get("aliases", []), "aliases", Alias, problems)
    _duplicates(((p, m.id) for p, m in models), models_key, "id", problems)
    _duplicates(((p, a.alias) for p, a in aliases), "aliases", "alias", problems)
    model_ids = {m.id for _, m in models}
    for position, alias in aliases:
        if alias.alias in model_ids or alias.alias in known_models:
            problems.append(
                Problem(f"aliases[{position}].alias", f"{alias.alias} is already a model id")
            )
        if alias.model not in model_ids and alias.model not in known_models:
            problems.append(
                Problem(f"aliases[{position}].model", f"no model with id {alias.model}")
            )
    if problems:
        raise InvalidCatalogue(problems)
    return CatalogueDocument([m for _, m in models], [a for _, a in aliases])
