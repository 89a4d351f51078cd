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

import orjson
import yaml
from pydantic import BaseModel, ValidationError

from modeldir.catalogue.list_order import sort_key
from modeldir.catalogue.model_info import Alias, ModelInfo, cross_field_problems, epoch_of
from modeldir.errors import InvalidCatalogue, InvalidRequestError, Problem, problems_of

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


def load_text(raw: bytes, source: str, *, as_json: bool) -> Any:
    """JSON or YAML text as data; a syntax error names the source, the line and the column.

    `source` is the file's name (`catalogue.yaml:3:5: ...`), or "" for a request body
    (`The request body is not valid YAML: line 3, column 5: ...`).
    """
    try:
        return orjson.loads(raw) if as_json else yaml.safe_load(raw)
    except (orjson.JSONDecodeError, yaml.YAMLError) as error:
        kind = "JSON" if as_json else "YAML"
        raise InvalidRequestError(_syntax_message(error, source, kind)) from None


def _syntax_message(error: Exception, source: str, kind: str) -> str:
    found: tuple[int, int, str] | None = None
    if isinstance(error, orjson.JSONDecodeError):
        found = error.lineno, error.colno, error.msg
    elif isinstance(error, yaml.MarkedYAMLError):
        mark = error.problem_mark or error.context_mark
        what = ": ".join(part for part in (error.context, error.problem) if part)
        found = None if mark is None else (mark.line + 1, mark.column + 1, what)
    body = f"The request body is not valid {kind}"
    if found is None:
        return f"{source or body}: {error}"
    line, column, what = found
    where = f"{source}:{line}:{column}" if source else f"{body}: line {line}, column {column}"
    return f"{where}: {what}"


def _records(raw: Any, name: str, kind: type[M], problems: list[Problem]) -> list[tuple[int, M]]:
    if not isinstance(raw, list):
        problems.append(Problem(name, "must be a list"))
        return []
    valid = []
    for position, item in enumerate(raw):
        try:
            valid.append((position, kind.model_validate(item)))
        except ValidationError as error:
            prefix = f"{name}[{position}]"
            found = problems_of(error, prefix)
            if kind is ModelInfo:  # rules across fields, even while some field is wrong
                found += [Problem(prefix, p) for p in cross_field_problems(item)]
            problems.extend(dict.fromkeys(found))  # each once, in order
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
