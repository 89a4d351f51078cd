"""The whole catalogue at once: import (merge or replace, all or nothing; dry runs) and export."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from modeldir.admin.import_plan import import_report, plan_import
from modeldir.admin.operation import Object, Operations
from modeldir.catalogue.document import CatalogueDocument
from modeldir.catalogue.model_info import Alias
from modeldir.catalogue.records import AliasRecord, ModelRecord


class CatalogueOperations(Operations):
    """Import and export of the whole catalogue."""

    def import_catalogue(
        self, data: Any, *, replace_all: bool = False, dry_run: bool = False
    ) -> Object:
        """Bring the catalogue in line with a document, all or nothing.

        `merge` adds and updates; `replace` also deletes every model and alias the document does
        not name. A dry run reports the same diff and writes nothing.
        """
        mode = "replace" if replace_all else "merge"
        if dry_run:
            with self.store.reader() as reader:
                document, diff = plan_import(reader, data, replace_all)
            return import_report(diff, mode, dry_run=True, revision=None)
        with self.store.transaction() as tx:
            document, diff = plan_import(tx, data, replace_all)
            if not diff.has_changes:  # nothing written: no audit entry, no new revision
                return import_report(diff, mode, dry_run=False, revision=None)
            revision = tx.revision()
            models = {m.id: ModelRecord.from_info(m) for m in document.models}
            tx.put_models([models[i] for i in (*diff.added, *diff.changed)])
            tx.put_models([replace(diff.stored[i], deleted=True) for i in diff.removed])
            aliases = {a.alias: AliasRecord(a.alias, a.model, a.listed) for a in document.aliases}
            tx.put_aliases([aliases[a] for a in (*diff.aliases_added, *diff.aliases_changed)])
            tx.put_aliases(
                [replace(diff.stored_aliases[a], deleted=True) for a in diff.aliases_removed]
            )
            report = import_report(diff, mode, dry_run=False, revision=revision)
            self._audit(tx, "catalogue.import", "catalogue", "catalogue", None, report)
        return report

    def export_catalogue(self) -> CatalogueDocument:
        """The whole catalogue (live models and aliases) as an importable document."""
        with self.store.reader() as reader:
            models = [m.info() for m in reader.models()]
            aliases = [
                Alias(alias=a.alias, model=a.model_id, listed=a.listed) for a in reader.aliases()
            ]
        return CatalogueDocument(models, aliases)
