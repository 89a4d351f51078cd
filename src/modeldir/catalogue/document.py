"""The catalogue file: what `models import` reads and `models export` writes.

    models:   [ModelInfo, ...]        # or `data:`, so a saved GET /v1/models response imports too
    aliases:  [{alias, model, listed}, ...]
    metadata: [{model, provider, family, prices, knowledge_cutoff, source}, ...]   # optional

Top-level keys that start with `x-` are ignored (a home for YAML anchors). Every record is
checked before anything is written, and every problem is reported with its position and field,
e.g. `models[3].created_at: Input should be a valid datetime`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import orjson
import yaml
from pydantic import ValidationError

from modeldir.catalogue.list_order import sort_key
from modeldir.catalogue.model_fields import row_of, stored_value
from modeldir.catalogue.model_info import (
    Alias,
    Capabilities,
    ModelInfo,
    cross_field_problems,
    epoch_of,
)
from modeldir.catalogue.model_metadata import ModelMetadata
from modeldir.errors import InvalidCatalogue, InvalidRequestError, Problem, problems_of

_RESPONSE_KEYS = frozenset({"has_more", "first_id", "last_id"})
COLLECTIONS = ("aliases", "metadata")
"""What a file holds after its models, in this order."""


@dataclass(frozen=True, slots=True)
class CatalogueDocument:
    """A catalogue file: `models` (or `data`, so that a saved list response imports too), then
    `aliases`. A bare list is a list of models; top-level keys starting `x-` are ignored."""

    models: list[ModelInfo] = field(default_factory=list)
    aliases: list[Alias] = field(default_factory=list)
    metadata: list[ModelMetadata] = field(default_factory=list)

    def to_data(self) -> dict[str, Any]:
        """The document as plain data, in a stable order (list order, then aliases by name,
        then metadata by model, when there is any)."""
        models = sorted(self.models, key=lambda m: sort_key(epoch_of(m.created_at), m.id))
        data = {
            "models": [m.to_wire() for m in models],
            "aliases": [a.model_dump() for a in sorted(self.aliases, key=lambda a: a.alias)],
        }
        if self.metadata:
            data["metadata"] = [m.model_dump() for m in sorted(self.metadata, key=_by_model)]
        return data


def _by_model(metadata: ModelMetadata) -> str:
    return metadata.model


def load_text(raw: bytes, source: str, *, as_json: bool) -> Any:
    """JSON or YAML text as data; a syntax error names the source, the line and the column.

    `source` is the file's name (`catalogue.yaml:3:5: ...`), or "" for a request body
    (`The request body is not valid YAML: line 3, column 5: ...`).
    """
    try:
        return orjson.loads(raw) if as_json else _bounded_yaml(raw, source)
    except (orjson.JSONDecodeError, yaml.YAMLError) as error:
        kind = "JSON" if as_json else "YAML"
        raise InvalidRequestError(_syntax_message(error, source, kind)) from None
    except ValueError as error:  # a YAML number too long to convert (over 4,300 digits)
        where = source or "The request body"
        raise InvalidRequestError(f"{where}: {error}") from None


YAML_EXPANSION_LIMIT = 100
"""How many times aliases may multiply a YAML document's nodes (more: a billion laughs)."""
_YAML_EXPANSION_FLOOR = 100_000


def _bounded_yaml(raw: bytes, source: str) -> Any:
    """YAML as data, refusing documents whose aliases expand beyond a bound or into a cycle.

    Anchors and aliases are legitimate (a catalogue shares capability trees that way), but a
    few lines of nested aliases can stand for billions of nodes, which every later step would
    walk. The node graph is measured before anything is built from it.
    """
    loader = yaml.SafeLoader(raw)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        distinct, expanded = _node_counts(node)
        limit = YAML_EXPANSION_LIMIT * distinct + _YAML_EXPANSION_FLOOR
        if expanded is None or expanded > limit:
            where = source or "The request body"
            why = "an alias refers to itself" if expanded is None else "aliases expand it more "
            why += "" if expanded is None else f"than {YAML_EXPANSION_LIMIT} times over"
            raise InvalidRequestError(f"{where}: {why}; write the repeated parts out instead")
        return loader.construct_document(node)
    finally:
        loader.dispose()


def _node_counts(root: yaml.Node) -> tuple[int, int | None]:
    """The distinct nodes of a YAML graph and the nodes it stands for once aliases are
    expanded (None for a cycle), each distinct node visited once."""
    sizes: dict[int, int] = {}
    in_progress: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        key = id(node)
        if children_done:
            in_progress.discard(key)
            sizes[key] = 1 + sum(sizes[id(child)] for child in _children(node))
            continue
        if key in sizes:
            continue
        if key in in_progress:
            return len(sizes), None
        in_progress.add(key)
        stack.append((node, True))
        for child in _children(node):
            if id(child) in in_progress:
                return len(sizes), None
            if id(child) not in sizes:
                stack.append((child, False))
    return len(sizes), sizes[id(root)]


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    return []


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


@dataclass(frozen=True, slots=True)
class RawRecord:
    """One record as a file holds it, unvalidated: `models[3]` is ("models", 3, {...})."""

    collection: str
    position: int
    data: Any
    label: str | None = None
    """Where a problem with it is reported, when not `collection[position]` (a record made
    from another format names its place in that file)."""

    @property
    def location(self) -> str:
        return self.label or f"{self.collection}[{self.position}]"


def records_of(data: Any, problems: list[Problem] | None = None) -> Iterator[RawRecord]:
    """The records of a catalogue document held in memory: models first, then aliases.

    Problems with the document as a whole go to `problems` when it is given (the records that
    can still be read are read), else they raise InvalidCatalogue at once.
    """
    if isinstance(data, list):
        data = {"models": data}
    if not isinstance(data, dict):
        raise InvalidCatalogue([Problem("", "a catalogue file must hold a mapping or a list")])
    body = {k: v for k, v in data.items() if not (isinstance(k, str) and k.startswith("x-"))}
    found = []
    if "data" in body and "models" in body:
        found.append(Problem("data", "give the models either as `models` or as `data`"))
    allowed = {"models", "data", *COLLECTIONS} | (_RESPONSE_KEYS if "data" in body else set())
    for unknown in sorted(set(body) - allowed, key=str):
        found.append(Problem(str(unknown), "unknown key (expected models and aliases)"))
    models = "data" if "data" in body else "models"
    for name in (models, *COLLECTIONS):
        if not isinstance(body.get(name, []), list):
            found.append(Problem(name, "must be a list"))
    if found and problems is None:
        raise InvalidCatalogue(found)
    problems = problems if problems is not None else []
    problems.extend(found)
    for name in (models, *COLLECTIONS):
        items = body.get(name, [])
        for position, item in enumerate(items if isinstance(items, list) else []):
            yield RawRecord(name, position, item)


def _never(_id: str) -> bool:
    return False


class DocumentCheck:
    """Validates a catalogue record by record and across records, collecting every problem.

    Records are checked as they come, so a file can be streamed; what spans records (repeated
    ids, aliases and their targets) is checked as far as it can be on the way and completed by
    `finish`. `stored_model` and `stored_alias` say whether an id is already a model or an alias
    in the catalogue (a merge import may lean on those). Identical capability trees are
    validated once: a million models share a few hundred.
    """

    def __init__(
        self,
        stored_model: Callable[[str], bool] = _never,
        stored_alias: Callable[[str], bool] = _never,
    ) -> None:
        self.stored_model = stored_model
        self.stored_alias = stored_alias
        self.problems: list[Problem] = []
        """Problems with the document as a whole (see `records_of`)."""
        self._fields: list[Problem] = []
        self._alias_fields: list[Problem] = []
        self._repeats: list[Problem] = []
        self._alias_repeats: list[Problem] = []
        self.model_ids: dict[str, int] = {}
        """Each model id of the document and its position."""
        self.aliases: list[tuple[int, Alias]] = []
        self._alias_names: dict[str, int] = {}
        self._metadata_for: dict[str, int] = {}
        self._metadata_problems: list[Problem] = []
        self._trees: dict[bytes, tuple[Capabilities, str]] = {}

    @property
    def metadata_models(self) -> frozenset[str]:
        """The models the document gives metadata for."""
        return frozenset(self._metadata_for)

    @property
    def has_problems(self) -> bool:
        """Whether any problem was found so far (those of `finish` aside)."""
        kinds = (self._fields, self._alias_fields, self._repeats, self._alias_repeats)
        return bool(self.problems) or any(kinds) or bool(self._metadata_problems)

    def model(self, record: RawRecord) -> tuple[ModelInfo, tuple[Any, ...]] | None:
        """The validated model and its row, or None (with the problems noted)."""
        try:
            info, tree = self._validated(record.data)
        except ValidationError as error:
            found = problems_of(error, record.location)
            found += [Problem(record.location, p) for p in cross_field_problems(record.data)]
            self._fields.extend(dict.fromkeys(found))  # each once, in order
            return None
        repeat = _repeat(self.model_ids, info.id, record, "id")
        if repeat is not None:
            self._repeats.append(repeat)
            return None
        if self.stored_alias(info.id):
            self._repeats.append(_at(record, "id", f"{info.id} is already an alias"))
            return None
        row = row_of(info, capabilities=tree) if tree is not None else row_of(info)
        return info, row

    def alias(self, record: RawRecord) -> None:
        """Validate an alias record (its target is checked by `finish`)."""
        try:
            alias = Alias.model_validate(record.data)
        except ValidationError as error:
            self._alias_fields.extend(problems_of(error, record.location))
            return
        repeat = _repeat(self._alias_names, alias.alias, record, "alias")
        if repeat is not None:
            self._alias_repeats.append(repeat)
            return
        self.aliases.append((record.position, alias))

    def metadata(self, record: RawRecord) -> ModelMetadata | None:
        """A validated metadata record, or None (with the problems noted).

        Metadata comes after every model of the file, so its model is checked at once.
        """
        try:
            found = ModelMetadata.model_validate(record.data)
        except ValidationError as error:
            self._metadata_problems.extend(problems_of(error, record.location))
            return None
        repeat = _repeat(self._metadata_for, found.model, record, "model")
        if repeat is not None:
            self._metadata_problems.append(repeat)
            return None
        if found.model not in self.model_ids and not self.stored_model(found.model):
            self._metadata_problems.append(_at(record, "model", f"no model with id {found.model}"))
            return None
        return found

    def finish(self) -> list[Alias]:
        """The valid aliases, once every record was seen; InvalidCatalogue lists every problem.

        Problems are listed by kind: the document, each record's fields, repeated ids, then
        aliases and their targets.
        """
        links = []
        for position, alias in self.aliases:
            where = RawRecord("aliases", position, None)
            if alias.alias in self.model_ids or self.stored_model(alias.alias):
                links.append(_at(where, "alias", f"{alias.alias} is already a model id"))
            if alias.model not in self.model_ids and not self.stored_model(alias.model):
                links.append(_at(where, "model", f"no model with id {alias.model}"))
        kinds = (
            self._fields,
            self._alias_fields,
            self._repeats,
            self._alias_repeats,
            links,
            self._metadata_problems,
        )
        problems = [*self.problems, *(problem for kind in kinds for problem in kind)]
        if problems:
            raise InvalidCatalogue(problems)
        return [alias for _, alias in self.aliases]

    def _validated(self, data: Any) -> tuple[ModelInfo, str | None]:
        """The model, validating a capability tree seen before only once."""
        raw_tree = data.get("capabilities") if isinstance(data, dict) else None
        if not isinstance(raw_tree, dict):
            return ModelInfo.model_validate(data), None
        key = orjson.dumps(raw_tree, option=orjson.OPT_SORT_KEYS)
        known = self._trees.get(key)
        if known is not None:  # a validated tree is taken as it is
            return ModelInfo.model_validate({**data, "capabilities": known[0]}), known[1]
        info = ModelInfo.model_validate(data)
        assert info.capabilities is not None
        text = stored_value("capabilities", info.capabilities)
        self._trees[key] = (info.capabilities, text)
        return info, text


def _at(record: RawRecord, field_name: str, message: str) -> Problem:
    return Problem(f"{record.location}.{field_name}", message)


def _repeat(seen: dict[str, int], key: str, record: RawRecord, field_name: str) -> Problem | None:
    """The problem of a key an earlier record of the collection has (each key is noted once)."""
    first = seen.setdefault(key, record.position)
    if first == record.position:
        return None
    return _at(record, field_name, f"repeats {record.collection}[{first}]: {key}")


def check_records(records: Iterable[RawRecord], check: DocumentCheck) -> CatalogueDocument:
    """Every record through one check: the valid document, or InvalidCatalogue."""
    models, metadata = [], []
    for record in records:
        if record.collection == "aliases":
            check.alias(record)
        elif record.collection == "metadata":
            found = check.metadata(record)
            if found is not None:
                metadata.append(found)
        else:
            checked = check.model(record)
            if checked is not None:
                models.append(checked[0])
    aliases = check.finish()
    return CatalogueDocument(models, aliases, metadata)


def parse_document(data: Any, known_models: Iterable[str] = ()) -> CatalogueDocument:
    """Validate a whole catalogue held in memory; InvalidCatalogue lists every problem found.

    `known_models` are ids already in the catalogue, which aliases may point to as well.
    """
    known = frozenset(known_models)
    check = DocumentCheck(stored_model=known.__contains__)
    return check_records(records_of(data, check.problems), check)
