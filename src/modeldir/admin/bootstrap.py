"""The first start of a database: the organisation, a default workspace, the bundled catalogue.

Run by `modeldir serve` and by every CLI command, so any of them can be the first to touch a
database. When nothing is missing it costs one read and writes nothing.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from importlib import resources

import yaml

from modeldir.catalogue.document import CatalogueDocument, parse_document
from modeldir.catalogue.records import AliasRecord, ModelRecord, WorkspaceRecord
from modeldir.ids import new_id
from modeldir.store import Reader, Store

DEFAULT_WORKSPACE_NAME = "Default"


def bundled_document() -> CatalogueDocument:
    """The default catalogue shipped with modeldir (`data/catalogue.yaml`)."""
    text = resources.files("modeldir.data").joinpath("catalogue.yaml").read_text("utf-8")
    return parse_document(yaml.safe_load(text))


@dataclass(frozen=True, slots=True)
class Initialization:
    organization_id: str
    default_workspace: WorkspaceRecord
    seeded: bool
    """True when this call loaded the bundled catalogue into the database."""


def default_workspace(reader: Reader) -> WorkspaceRecord | None:
    """The organisation's default workspace, once it exists."""
    return next((w for w in reader.workspaces() if w.is_default), None)


def initialize(
    store: Store, *, organization_id: str | None = None, seed: bool = True
) -> Initialization:
    """Create what a first start needs, each piece once.

    Safe on every start and from several instances at once: the write transaction holds the
    catalogue's write lock and checks again what is missing.
    """
    with store.reader() as reader:
        org_id = reader.organization_id()
        default = default_workspace(reader)
        if org_id and default is not None and (not seed or reader.is_seeded()):
            return Initialization(org_id, default, seeded=False)
    document = bundled_document() if seed else None
    with store.transaction() as tx:
        org_id = tx.ensure_organization(organization_id or str(uuid.uuid4()), "modeldir")
        default = default_workspace(tx)
        if default is None:
            default = WorkspaceRecord(
                id=new_id("wrkspc_"),
                name=DEFAULT_WORKSPACE_NAME,
                created_at=int(time.time()),
                is_default=True,
            )
            tx.put_workspace(default)
        seeded = False
        if document is not None and not tx.is_seeded():
            tx.put_models(ModelRecord.from_info(m) for m in document.models)
            tx.put_aliases(AliasRecord(a.alias, a.model, a.listed) for a in document.aliases)
            tx.mark_seeded()
            seeded = True
    return Initialization(org_id, default, seeded)
