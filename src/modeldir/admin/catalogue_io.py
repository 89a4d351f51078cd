"""The whole catalogue at once: import (merge or replace, all or nothing; dry runs) and export.

Both stream: an import reads and applies records in batches (`import_plan.py`), an export writes
models in list order as they come from the store (`catalogue/document_writer.py`). A million
models pass through either without being held at once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any, Literal

from modeldir.admin.import_plan import (
    SHOWN_IN_AUDIT,
    ImportReport,
    ImportRun,
    ImportSource,
    Progress,
    import_report,
)
from modeldir.admin.operation import Operations
from modeldir.admin.public_import import PublicImport, public_records
from modeldir.catalogue.document import CatalogueDocument, RawRecord, records_of
from modeldir.catalogue.document_writer import document_chunks
from modeldir.catalogue.model_info import Alias
from modeldir.catalogue.model_metadata import ModelMetadata, metadata_data
from modeldir.catalogue.public_catalogues import FORMATS
from modeldir.catalogue.render import Renderer
from modeldir.errors import InvalidCatalogue, InvalidRequestError
from modeldir.store import Reader


class CatalogueOperations(Operations):
    """Import and export of the whole catalogue."""

    def import_catalogue(
        self, data: Any, *, replace_all: bool = False, dry_run: bool = False
    ) -> ImportReport:
        """Bring the catalogue in line with a document held in memory, all or nothing.

        `merge` adds and updates; `replace` also deletes every model and alias the document does
        not name. A dry run reports the same diff and writes nothing.
        """
        return self.import_records(records_of(data), replace_all=replace_all, dry_run=dry_run)

    def import_records(
        self,
        records: Iterable[RawRecord],
        *,
        replace_all: bool = False,
        dry_run: bool = False,
        progress: Progress | None = None,
    ) -> ImportReport:
        """`import_catalogue` for records read one by one (a file of any size)."""
        return self._import(lambda _reader: records, replace_all, dry_run, progress)

    def import_public(
        self, data: Any, *, fmt: str, provider: str = "anthropic", dry_run: bool = False
    ) -> ImportReport:
        """Merge the models of one provider from a public catalogue (`models.dev`, `litellm`)
        held in memory: the native import's checks, diff and all-or-nothing write."""
        reader_of = FORMATS.get(fmt)
        if reader_of is None:
            raise InvalidRequestError(f"format: Input should be one of {', '.join(FORMATS)}")
        public = PublicImport(reader_of(data, provider), fmt)
        if public.reading.problems:
            raise InvalidCatalogue(public.reading.problems)
        # The skipped records are known once the records are read: the list fills as they are.
        about: ImportSource = {
            "format": fmt,
            "provider": provider,
            "skipped": public.reading.skipped,
        }
        return self._import(lambda r: public_records(r, public), False, dry_run, about=about)

    def _import(
        self,
        records_for: Callable[[Reader], Iterable[RawRecord]],
        replace_all: bool,
        dry_run: bool,
        progress: Progress | None = None,
        about: ImportSource | None = None,
    ) -> ImportReport:
        """One import through a reader (dry run) or one transaction, all or nothing; `about`
        adds to its report (and audit entry) what the records came from."""
        mode: Literal["merge", "replace"] = "replace" if replace_all else "merge"
        if dry_run:
            with self.store.reader() as reader:
                run = ImportRun(reader, replace_all=replace_all, write=False, progress=progress)
                diff = run.run(records_for(reader))
            return import_report(diff, mode, dry_run=True, revision=None, about=about)
        with self._transaction() as tx:
            run = ImportRun(tx, replace_all=replace_all, write=True, progress=progress)
            diff = run.run(records_for(tx))
            if not diff.has_changes:  # nothing written: no audit entry, no new revision
                return import_report(diff, mode, dry_run=False, revision=None, about=about)
            revision = tx.revision()
            audited = import_report(
                diff, mode, dry_run=False, revision=revision, shown=SHOWN_IN_AUDIT, about=about
            )
            self._audit(tx, "catalogue.import", "catalogue", "catalogue", None, audited)
        return import_report(diff, mode, dry_run=False, revision=revision, about=about)

    def export_chunks(self, *, as_json: bool) -> Iterator[bytes]:
        """The whole catalogue (live models, aliases, metadata) as an importable file, in
        chunks."""
        with self.store.reader() as reader:
            aliases = [_alias_data(a.alias, a.model_id, a.listed) for a in reader.aliases()]
            aliases.sort(key=lambda a: str(a["alias"]))
            models = (record.wire() for record in reader.models_in_order())
            metadata = (metadata_data(record) for record in reader.all_metadata())
            yield from document_chunks(models, aliases, as_json=as_json, metadata=metadata)

    def iter_models(self, lifecycles: frozenset[str]) -> Iterator[dict[str, Any]]:
        """Every model with one of these lifecycles in list order, as the Models API shows it."""
        with self.store.reader() as reader:
            for record in reader.models_in_order():
                if record.lifecycle in lifecycles:
                    yield record.wire()

    def iter_model_json(self, lifecycles: frozenset[str]) -> Iterator[bytes]:
        """`iter_models` as each model's JSON, rendered the way the Models API renders it."""
        renderer = Renderer()  # shares the capability trees and tails that repeat
        with self.store.reader() as reader:
            for record in reader.models_in_order():
                if record.lifecycle in lifecycles:
                    yield renderer.body_of(record.row)

    def export_catalogue(self) -> CatalogueDocument:
        """The whole catalogue (live models and aliases) as a validated document."""
        with self.store.reader() as reader:
            models = [m.info() for m in reader.models_in_order()]
            aliases = [
                Alias(alias=a.alias, model=a.model_id, listed=a.listed) for a in reader.aliases()
            ]
            metadata = [ModelMetadata(**metadata_data(r)) for r in reader.all_metadata()]
        return CatalogueDocument(models, aliases, metadata)


def _alias_data(alias: str, model: str, listed: bool) -> dict[str, Any]:
    return Alias(alias=alias, model=model, listed=listed).model_dump()
