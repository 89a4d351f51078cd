"""An import, record by record: what a catalogue document adds, changes, keeps and removes.

Records are validated as they arrive (`catalogue.document.DocumentCheck`) and compared with the
stored catalogue in batches, so memory holds a batch of models and the document's ids, never the
whole catalogue. A writing run puts each batch's additions and changes as it goes, inside the
caller's one transaction: a problem found later stops the writing, every problem is still
collected, and the transaction is rolled back, so an import is all or nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from typing import Any, Literal, NotRequired

from typing_extensions import TypedDict

from modeldir.admin.objects import closed
from modeldir.catalogue.document import DocumentCheck, RawRecord
from modeldir.catalogue.records import AliasRecord, MetadataRecord, ModelRecord
from modeldir.store import Reader, Transaction

BATCH = 1000
"""Models compared with the store, and written, at a time."""
SHOWN_IN_AUDIT = 100
"""Ids of each kind an audit entry lists (the counts are always whole)."""

Progress = Callable[[int], None]
"""Told how many records have been read so far, now and then."""
KINDS = ("models", "aliases", "metadata")
"""What an import reports on, each with ids added, changed and removed, and a count unchanged."""


@dataclass(slots=True)
class ImportDiff:
    """The stored catalogue beside a document: ids added, changed and removed, and how many
    are unchanged."""

    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    unchanged: int = 0
    removed: list[str] = field(default_factory=list)
    aliases_added: list[str] = field(default_factory=list)
    aliases_changed: list[str] = field(default_factory=list)
    aliases_unchanged: int = 0
    aliases_removed: list[str] = field(default_factory=list)
    metadata_added: list[str] = field(default_factory=list)
    metadata_changed: list[str] = field(default_factory=list)
    metadata_unchanged: int = 0
    metadata_removed: list[str] = field(default_factory=list)

    @property
    def has_changes(self) -> bool:
        """Whether applying the document would change anything at all."""
        return any(ids for kind in KINDS for ids in report_lists(self, kind).values())


class ImportRun:
    """One import through one reader (a dry run) or one transaction (`write`)."""

    def __init__(
        self,
        reader: Reader,
        *,
        replace_all: bool,
        write: bool,
        progress: Progress | None = None,
    ) -> None:
        self.reader = reader
        self.replace_all = replace_all
        self.write = write
        self.progress = progress
        self.diff = ImportDiff()
        self.stored_aliases = {a.alias: a for a in reader.aliases()}
        # A merge may lean on what is stored; a replace is about to remove it.
        self.check = (
            DocumentCheck()
            if replace_all
            else DocumentCheck(self._stored_model, self.stored_aliases.__contains__)
        )
        self._pending: list[tuple[str, tuple[Any, ...]]] = []
        self._pending_metadata: list[MetadataRecord] = []

    def run(self, records: Iterable[RawRecord]) -> ImportDiff:
        """Read every record, then compare and (when writing) apply; InvalidCatalogue if any
        record has a problem."""
        read = 0
        for record in records:
            if record.collection == "aliases":
                self.check.alias(record)
            elif record.collection == "metadata":
                found = self.check.metadata(record)
                if found is not None:
                    self._pending_metadata.append(found.record())
                    if len(self._pending_metadata) >= BATCH:
                        self._flush_metadata()
            else:
                checked = self.check.model(record)
                if checked is not None:
                    self._pending.append((checked[0].id, checked[1]))
                    if len(self._pending) >= BATCH:
                        self._flush()
            read += 1
            if self.progress is not None and read % BATCH == 0:
                self.progress(read)
        self._flush()
        self._flush_metadata()
        aliases = self.check.finish()  # raises with every problem found
        if self.progress is not None:
            self.progress(read)
        if self.replace_all:
            self._remove_models()
            self._remove_metadata()
        self._apply_aliases(aliases)
        diff = self.diff
        for kind in ("models", "metadata"):
            for ids in report_lists(diff, kind).values():
                ids.sort()
        return diff

    def _stored_model(self, model_id: str) -> bool:
        found = self.reader.model(model_id)
        return found is not None and not found.deleted

    @property
    def _writing(self) -> Transaction | None:
        """The transaction to write through, while there is no problem yet."""
        if not self.write or self.check.has_problems:
            return None
        return self.reader  # type: ignore[return-value]

    def _flush(self) -> None:
        if not self._pending:
            return
        stored = {r.id: r for r in self.reader.models_by_id([i for i, _ in self._pending])}
        puts = []
        for model_id, row in self._pending:
            old = stored.get(model_id)
            if old is None or old.deleted:
                self.diff.added.append(model_id)
            elif old.row == row:
                self.diff.unchanged += 1
                continue
            else:
                self.diff.changed.append(model_id)
            puts.append(ModelRecord(row))
        self._pending.clear()
        tx = self._writing
        if tx is not None and puts:
            tx.put_models(puts)

    def _flush_metadata(self) -> None:
        if not self._pending_metadata:
            return
        pending = self._pending_metadata
        stored = {r.model_id: r for r in self.reader.metadata_of([r.model_id for r in pending])}
        puts = []
        for record in pending:
            old = stored.get(record.model_id)
            if old is None:
                self.diff.metadata_added.append(record.model_id)
            elif replace(old, revision=0) == record:
                self.diff.metadata_unchanged += 1
                continue
            else:
                self.diff.metadata_changed.append(record.model_id)
            puts.append(record)
        self._pending_metadata = []
        tx = self._writing
        if tx is not None and puts:
            tx.put_metadata(puts)

    def _remove_metadata(self) -> None:
        named = self.check.metadata_models
        gone = [r.model_id for r in self.reader.all_metadata() if r.model_id not in named]
        self.diff.metadata_removed = gone
        tx = self._writing
        if tx is not None:
            tx.drop_metadata(gone)

    def _remove_models(self) -> None:
        named = self.check.model_ids
        removed = [i for i in self.reader.live_model_ids() if i not in named]
        self.diff.removed = removed
        tx = self._writing
        if tx is None:
            return
        for start in range(0, len(removed), BATCH):
            gone = self.reader.models_by_id(removed[start : start + BATCH])
            tx.put_models([replace(record, deleted=True) for record in gone])

    def _apply_aliases(self, aliases: list[Any]) -> None:
        new = {a.alias: AliasRecord(a.alias, a.model, a.listed) for a in aliases}
        stored = self.stored_aliases
        diff = self.diff
        puts = []
        for name in sorted(new):
            old = stored.get(name)
            if old is None:
                diff.aliases_added.append(name)
            elif replace(old, revision=0) == new[name]:
                diff.aliases_unchanged += 1
                continue
            else:
                diff.aliases_changed.append(name)
            puts.append(new[name])
        if self.replace_all:
            diff.aliases_removed = sorted(name for name in stored if name not in new)
            puts += [replace(stored[name], deleted=True) for name in diff.aliases_removed]
        tx = self._writing
        if tx is not None and puts:
            tx.put_aliases(puts)


@closed
class ImportedIds(TypedDict):
    """The ids of one kind an import adds, changes and removes, and how many stay unchanged."""

    added: list[str]
    changed: list[str]
    removed: list[str]
    unchanged: int


@closed
class ImportSource(TypedDict):
    """Where a public catalogue's import came from, and the provider's records it left out."""

    format: str
    provider: str
    skipped: list[str]
    """Each with the reason (not a chat model, the same model as another record...)."""


@closed
class ImportReport(TypedDict):
    """What an import did (or, in a dry run, would do); `revision` is null if nothing changed."""

    type: Literal["catalogue_import"]
    mode: Literal["merge", "replace"]
    dry_run: bool
    models: ImportedIds
    aliases: ImportedIds
    metadata: ImportedIds
    """Model metadata (prices, provider, family...), by model id."""
    revision: int | None
    counts: NotRequired[dict[str, dict[str, int]]]
    """Only in the audit log, where the lists are cut short: the whole counts."""
    format: NotRequired[str]
    """A public catalogue's import only (`models.dev`, `litellm`), as are the next two."""
    provider: NotRequired[str]
    skipped: NotRequired[list[str]]


def import_report(
    diff: ImportDiff,
    mode: Literal["merge", "replace"],
    *,
    dry_run: bool,
    revision: int | None,
    shown: int | None = None,
    about: ImportSource | None = None,
) -> ImportReport:
    """What an import did (or, in a dry run, would do), as the API shows it.

    `shown` caps each list of ids (for the audit log); when it cuts any, the full counts are
    given beside them. `about` names a public catalogue the records came from.
    """

    def ids(kind: str) -> ImportedIds:
        lists = {name: values[:shown] for name, values in report_lists(diff, kind).items()}
        return {
            "added": lists["added"],
            "changed": lists["changed"],
            "removed": lists["removed"],
            "unchanged": unchanged[kind],
        }

    unchanged = {
        "models": diff.unchanged,
        "aliases": diff.aliases_unchanged,
        "metadata": diff.metadata_unchanged,
    }
    report: ImportReport = {
        "type": "catalogue_import",
        "mode": mode,
        "dry_run": dry_run,
        "models": ids("models"),
        "aliases": ids("aliases"),
        "metadata": ids("metadata"),
        "revision": revision,
    }
    every = [values for kind in KINDS for values in report_lists(diff, kind).values()]
    if shown is not None and any(len(values) > shown for values in every):
        report["counts"] = {
            kind: {k: len(v) for k, v in report_lists(diff, kind).items()} for kind in KINDS
        }
    if about is not None:
        report["format"] = about["format"]
        report["provider"] = about["provider"]
        report["skipped"] = about["skipped"]
    return report


def report_lists(diff: ImportDiff, kind: str) -> dict[str, list[str]]:
    """The added, changed and removed ids of one kind."""
    if kind == "models":
        return {"added": diff.added, "changed": diff.changed, "removed": diff.removed}
    if kind == "metadata":
        return {
            "added": diff.metadata_added,
            "changed": diff.metadata_changed,
            "removed": diff.metadata_removed,
        }
    return {
        "added": diff.aliases_added,
        "changed": diff.aliases_changed,
        "removed": diff.aliases_removed,
    }
