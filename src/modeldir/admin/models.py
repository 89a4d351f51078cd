"""Models and aliases: create, change (a JSON merge patch), deprecate, retire, delete."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from modeldir.admin import objects
from modeldir.admin.inputs import (
    AliasCreate,
    AliasUpdate,
    ListParams,
    ModelDeprecate,
    ModelListParams,
    ModelRetire,
    now_or,
)
from modeldir.admin.operation import (
    Object,
    Operations,
    Versioned,
    check_if_match,
    found,
    list_page,
    unchanged,
)
from modeldir.catalogue.document import parse_document
from modeldir.catalogue.model_info import ModelInfo
from modeldir.catalogue.records import AliasRecord, MetadataRecord, ModelRecord
from modeldir.errors import ConflictError, InvalidCatalogue, InvalidRequestError, Problem


class ModelOperations(Operations):
    """Every operation on models and their aliases."""

    def list_models(self, params: ModelListParams) -> Object:
        with self.store.reader() as reader:
            window = reader.model_window(
                params.after_id,
                params.before_id,
                params.limit,
                lifecycles=frozenset(params.lifecycle),
            )
        return list_page(window, params, lambda m: m.id, objects.model_object, "model")

    def get_model(self, model_id: str) -> Versioned:
        with self.store.reader() as reader:
            record = found(reader.model(model_id), "model", model_id)
        return Versioned(objects.model_object(record), objects.etag(record.revision))

    def get_model_metadata(self, model_id: str) -> Object:
        """What the Models API does not carry about a model (every field null when unknown)."""
        with self.store.reader() as reader:
            found(reader.model(model_id), "model", model_id)
            stored = reader.metadata_of([model_id])
        return objects.metadata_object(stored[0] if stored else MetadataRecord(model_id))

    def create_model(self, data: Any) -> Versioned:
        info = _validated_model(data)
        with self._transaction() as tx:
            existing = tx.model(info.id)
            if existing is not None and not existing.deleted:
                raise ConflictError(f"model {info.id} already exists; update it instead")
            alias = tx.alias(info.id)
            if alias is not None and not alias.deleted:
                raise ConflictError(f"{info.id} is already an alias")
            record = ModelRecord.from_info(info, revision=tx.revision())
            tx.put_models([record])
            after = objects.model_object(record)
            self._audit(tx, "model.create", "model", info.id, None, after)
        return Versioned(after, objects.etag(record.revision))

    def update_model(self, model_id: str, patch: Any, if_match: str | None = None) -> Versioned:
        """Change any fields of a model: the body is a JSON merge patch of its `ModelInfo`."""
        if not isinstance(patch, dict):
            raise InvalidRequestError("the body must be a JSON object of the fields to change")
        if "id" in patch and patch["id"] != model_id:
            raise InvalidRequestError("id: a model's id cannot be changed")
        return self._change_model(
            model_id, "model.update", if_match, lambda wire: _deep_merge(wire, patch)
        )

    def deprecate_model(
        self, model_id: str, body: ModelDeprecate, if_match: str | None = None
    ) -> Versioned:
        def deprecate(wire: Object) -> Object:
            deprecated_at = now_or(body.deprecated_at, self.now())
            return {
                **wire,
                "lifecycle": "deprecated",
                "deprecated_at": objects.time_or_none(deprecated_at),
                "retires_at": body.retires_at
                if body.retires_at is not None
                else wire["retires_at"],
            }

        return self._change_model(model_id, "model.deprecate", if_match, deprecate)

    def retire_model(
        self, model_id: str, body: ModelRetire, if_match: str | None = None
    ) -> Versioned:
        def retire(wire: Object) -> Object:
            retired_at = objects.time_or_none(now_or(body.retires_at, self.now()))
            return {
                **wire,
                "lifecycle": "retired",
                "deprecated_at": wire["deprecated_at"] or retired_at,
                "retires_at": retired_at,
            }

        return self._change_model(model_id, "model.retire", if_match, retire)

    def _change_model(
        self, model_id: str, action: str, if_match: str | None, change: Callable[[Object], Any]
    ) -> Versioned:
        with self._transaction() as tx:
            current = found(tx.model(model_id), "model", model_id)
            check_if_match(if_match, current.revision, f"model {model_id}")
            before = objects.model_object(current)
            info = _validated_model(change(before))
            updated = ModelRecord.from_info(info, revision=tx.revision())
            if unchanged(current, updated):
                return Versioned(before, objects.etag(current.revision), changed=False)
            tx.put_models([updated])
            after = objects.model_object(updated)
            self._audit(tx, action, "model", model_id, before, after)
        return Versioned(after, objects.etag(updated.revision))

    def delete_model(self, model_id: str, if_match: str | None = None) -> Object:
        """Delete a model. It keeps its list position, so a cursor on it stays valid (D3)."""
        with self._transaction() as tx:
            current = found(tx.model(model_id), "model", model_id)
            check_if_match(if_match, current.revision, f"model {model_id}")
            tx.put_models([replace(current, deleted=True)])
            self._audit(tx, "model.delete", "model", model_id, objects.model_object(current), None)
        return {"type": "model_deleted", "id": model_id}

    def list_aliases(self, params: ListParams) -> Object:
        with self.store.reader() as reader:
            window = reader.alias_window(params.after_id, params.before_id, params.limit)
        return list_page(window, params, lambda a: a.alias, objects.alias_object, "alias")

    def get_alias(self, alias: str) -> Versioned:
        with self.store.reader() as reader:
            record = found(reader.alias(alias), "alias", alias)
        return Versioned(objects.alias_object(record), objects.etag(record.revision))

    def create_alias(self, body: AliasCreate) -> Versioned:
        with self._transaction() as tx:
            existing = tx.alias(body.alias)
            if existing is not None and not existing.deleted:
                raise ConflictError(f"alias {body.alias} already exists; update it to move it")
            taken = tx.model(body.alias)
            if taken is not None and not taken.deleted:
                raise ConflictError(f"{body.alias} is already a model id")
            found(tx.model(body.model), "model", body.model)
            record = AliasRecord(body.alias, body.model, body.listed, revision=tx.revision())
            tx.put_aliases([record])
            after = objects.alias_object(record)
            self._audit(tx, "alias.create", "alias", body.alias, None, after)
        return Versioned(after, objects.etag(record.revision))

    def update_alias(self, alias: str, body: AliasUpdate, if_match: str | None = None) -> Versioned:
        given = body.model_fields_set
        with self._transaction() as tx:
            current = found(tx.alias(alias), "alias", alias)
            check_if_match(if_match, current.revision, f"alias {alias}")
            target = body.model if "model" in given else current.model_id
            found(tx.model(target), "model", target)
            updated = replace(
                current,
                model_id=target,
                listed=body.listed if "listed" in given else current.listed,
                revision=tx.revision(),
            )
            if unchanged(current, updated):
                return Versioned(
                    objects.alias_object(current), objects.etag(current.revision), False
                )
            tx.put_aliases([updated])
            after = objects.alias_object(updated)
            self._audit(tx, "alias.update", "alias", alias, objects.alias_object(current), after)
        return Versioned(after, objects.etag(updated.revision))

    def delete_alias(self, alias: str, if_match: str | None = None) -> Object:
        with self._transaction() as tx:
            current = found(tx.alias(alias), "alias", alias)
            check_if_match(if_match, current.revision, f"alias {alias}")
            tx.put_aliases([replace(current, deleted=True)])
            self._audit(tx, "alias.delete", "alias", alias, objects.alias_object(current), None)
        return {"type": "model_alias_deleted", "id": alias}


def _validated_model(data: Any) -> ModelInfo:
    if not isinstance(data, dict):
        raise InvalidRequestError("the body must be a JSON object describing a model")
    try:
        return parse_document({"models": [data]}).models[0]
    except InvalidCatalogue as error:
        first = error.problems[0]
        location = first.location.removeprefix("models[0]").removeprefix(".")
        raise InvalidRequestError(str(Problem(location, first.message))) from None


def _deep_merge(base: Any, patch: Any) -> Any:
    """JSON merge patch (RFC 7386): objects merge, anything else replaces, null removes."""
    if not isinstance(patch, dict) or not isinstance(base, dict):
        return patch
    merged = dict(base)
    for key, value in patch.items():
        if value is None:
            merged[key] = None
        else:
            merged[key] = _deep_merge(base.get(key), value)
    return merged
