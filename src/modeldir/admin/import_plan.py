"""Planning an import: what a catalogue document adds, changes, keeps and removes."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from modeldir.admin.operation import Object
from modeldir.catalogue.document import CatalogueDocument, parse_document
from modeldir.catalogue.records import AliasRecord, ModelRecord
from modeldir.errors import InvalidCatalogue, Problem
from modeldir.store import Reader


@dataclass(frozen=True, slots=True)
class ImportDiff:
    """The stored catalogue beside a document: ids added, changed, unchanged and removed."""

    stored: dict[str, ModelRecord]
    stored_aliases: dict[str, AliasRecord]
    added: list[str]
    changed: list[str]
    unchanged: list[str]
    removed: list[str]
    aliases_added: list[str]
    aliases_changed: list[str]
    aliases_unchanged: list[str]
    aliases_removed: list[str]

    @property
    def has_changes(self) -> bool:
        """Whether applying the document would change anything at all."""
        lists = (self.added, self.changed, self.removed)
        return any((*lists, self.aliases_added, self.aliases_changed, self.aliases_removed))


def plan_import(
    reader: Reader, data: Any, replace_all: bool
) -> tuple[CatalogueDocument, ImportDiff]:
    """The validated document and its diff against what `reader` sees (replace or merge)."""
    stored = {m.id: m for m in reader.models()}
    stored_aliases = {a.alias: a for a in reader.aliases()}
    # In replace mode, what the document does not name is going away: aliases may not lean on it.
    document = parse_document(data, known_models=() if replace_all else set(stored))
    new_models = {m.id: ModelRecord.from_info(m) for m in document.models}
    new_aliases = {a.alias: AliasRecord(a.alias, a.model, a.listed) for a in document.aliases}
    if not replace_all:
        clashes = [a for a in new_aliases if a in stored] + [
            m for m in new_models if m in stored_aliases
        ]
        if clashes:
            raise InvalidCatalogue([Problem("", f"{clashes[0]} is both a model id and an alias")])

    def same(old: Any, new: Any) -> bool:
        return bool(replace(old, revision=0) == replace(new, revision=0))

    def split(
        new: dict[str, Any], old: dict[str, Any]
    ) -> tuple[list[str], list[str], list[str], list[str]]:
        added = sorted(i for i in new if i not in old)
        changed = sorted(i for i in new if i in old and not same(old[i], new[i]))
        unchanged = sorted(i for i in new if i in old and same(old[i], new[i]))
        removed = sorted(i for i in old if i not in new) if replace_all else []
        return added, changed, unchanged, removed

    diff = ImportDiff(
        stored, stored_aliases, *split(new_models, stored), *split(new_aliases, stored_aliases)
    )
    return document, diff


def import_report(diff: ImportDiff, mode: str, *, dry_run: bool, revision: int | None) -> Object:
    """What an import did (or, in a dry run, would do), as the API and the audit log show it."""
    return {
        "type": "catalogue_import",
        "mode": mode,
        "dry_run": dry_run,
        "models": {
            "added": diff.added,
            "changed": diff.changed,
            "removed": diff.removed,
            "unchanged": len(diff.unchanged),
        },
        "aliases": {
            "added": diff.aliases_added,
            "changed": diff.aliases_changed,
            "removed": diff.aliases_removed,
            "unchanged": len(diff.aliases_unchanged),
        },
        "revision": revision,
    }
