"""Benchmark catalogues of 10 to 1,000,000 models, built once and cached in bench/.cache/.

Model ids carry a group letter (`bench-c-0001234`): the glob `bench-a-*` selects a tenth of
them, which is what the "tenth" key's workspace may see. Each catalogue has two keys (one seeing
every model, one seeing the tenth) and a thousand aliases.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from pathlib import Path

from modeldir.admin import inputs
from modeldir.admin.bootstrap import bundled_document, initialize
from modeldir.admin.service import Actor, AdminService
from modeldir.catalogue.model_fields import stored_value
from modeldir.catalogue.records import AliasRecord, ModelRecord
from modeldir.store import Store, open_store

CACHE = Path(__file__).resolve().parent / ".cache"
GROUPS = "abcdefghij"
TENTH = "bench-a-*"
BATCH = 50_000
BASE_TIME = 1_600_000_000


@dataclass(frozen=True)
class Catalogue:
    size: int
    database_url: str
    key_all: str
    key_tenth: str
    admin_key: str
    deep_ids: list[str]
    """Cursors in the second half of the list, as the whole-catalogue key sees it."""
    deep_ids_tenth: list[str]
    sample_ids: list[str]
    sample_ids_tenth: list[str]
    aliases: list[str]


def model_id(i: int) -> str:
    return f"bench-{GROUPS[i % 10]}-{i:07d}"


def _records(start: int, stop: int, capabilities: list[str | None]) -> list[ModelRecord]:
    return [
        ModelRecord.of(
            id=model_id(i),
            display_name=f"Bench Model {i}",
            # Newest first is descending time: model 0 is the oldest; every 4 share a time.
            created_at=BASE_TIME + (i // 4) * 60,
            max_input_tokens=200_000,
            max_tokens=64_000,
            capabilities=capabilities[i % len(capabilities)],
            lifecycle="active",
            deprecated_at=None,
            retires_at=None,
            line=("opus", "sonnet", "haiku")[i % 3],
            allowed_fallback_models=None,
        )
        for i in range(start, stop)
    ]


def _fill(store: Store, size: int) -> None:
    capabilities = [stored_value("capabilities", m.capabilities) for m in bundled_document().models]
    for start in range(0, size, BATCH):
        with store.transaction() as tx:
            tx.put_models(_records(start, min(size, start + BATCH), capabilities))
    with store.transaction() as tx:
        tx.put_aliases(
            AliasRecord(f"bench-alias-{n}", model_id(n * size // 1000))
            for n in range(min(size, 1000))
        )


def _ids_in_list_order(size: int, group: str | None) -> list[str]:
    order = sorted(range(size), key=lambda i: (-(i // 4), model_id(i)))
    return [model_id(i) for i in order if group is None or model_id(i)[6] == group]


def prepare(size: int, database_url: str | None = None, label: str = "sqlite") -> Catalogue:
    """The catalogue of `size` models (built on first use), with its keys and cursor samples."""
    CACHE.mkdir(parents=True, exist_ok=True)
    meta_path = CACHE / f"catalogue-{label}-{size}.json"
    url = database_url or f"sqlite:///{CACHE / f'catalogue-{size}.db'}"
    if meta_path.exists():
        return Catalogue(**json.loads(meta_path.read_text()))
    store = open_store(url)
    try:
        initialize(store, seed=False)
        _fill(store, size)
        admin = AdminService(store, Actor("cli", "bench"))
        tenth = admin.create_workspace(inputs.WorkspaceCreate(name="tenth", model_access=[TENTH]))
        key_all = admin.create_api_key(inputs.ApiKeyCreate(name="all")).object["key"]
        key_tenth = admin.create_api_key(
            inputs.ApiKeyCreate(name="tenth", workspace_id=tenth.object["id"])
        ).object["key"]
        admin_key = admin.create_admin_key(inputs.AdminKeyCreate(name="bench")).object["key"]
    finally:
        store.close()
    everything, tenth_ids = _ids_in_list_order(size, None), _ids_in_list_order(size, "a")
    rng = random.Random(7)

    def deep(ids: list[str]) -> list[str]:
        half = ids[len(ids) // 2 : max(len(ids) // 2 + 1, len(ids) - 20)]
        return rng.sample(half, min(2000, len(half)))

    catalogue = Catalogue(
        size=size,
        database_url=url,
        key_all=key_all,
        key_tenth=key_tenth,
        admin_key=admin_key,
        deep_ids=deep(everything),
        deep_ids_tenth=deep(tenth_ids) if tenth_ids else [],
        sample_ids=rng.sample(everything, min(2000, len(everything))),
        sample_ids_tenth=rng.sample(tenth_ids, min(2000, len(tenth_ids))),
        aliases=[f"bench-alias-{n}" for n in range(min(size, 1000))],
    )
    meta_path.write_text(json.dumps(catalogue.__dict__))
    return catalogue
