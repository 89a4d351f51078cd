"""The storage contract, run on real SQLite and real PostgreSQL."""

from __future__ import annotations

import threading
from dataclasses import replace

import pytest
from sqlalchemy import inspect

from modeldir.catalogue.records import AliasRecord
from modeldir.store import Store, open_store, sqlalchemy_url
from modeldir.store.sql_store import SqlStore
from tests.factories import api_key, model, workspace


def test_migrations_create_the_schema_and_are_idempotent(store: Store) -> None:
    store.migrate()  # a second run changes nothing
    assert isinstance(store, SqlStore)
    tables = set(inspect(store.engine).get_table_names())
    assert {
        "models",
        "aliases",
        "workspaces",
        "api_keys",
        "organization",
        "catalogue_state",
    } <= tables
    assert store.revision() == 0


def test_a_transaction_is_one_revision_stamped_on_every_row(store: Store) -> None:
    with store.transaction() as tx:
        tx.put_models([model("a"), model("b")])
        tx.put_aliases([AliasRecord("aa", "a")])
        written = tx.revision()
    assert written == 1 == store.revision()
    with store.reader() as reader:
        assert {m.revision for m in reader.models()} == {1}
        alias = reader.alias("aa")
        assert alias is not None and alias.revision == 1


def test_a_failed_transaction_leaves_nothing_behind(store: Store) -> None:
    with store.transaction() as tx:
        tx.put_models([model("kept")])
    with pytest.raises(RuntimeError), store.transaction() as tx:
        tx.put_models([model("lost")])
        tx.put_workspace(workspace("wrkspc_lost"))
        raise RuntimeError("boom")
    assert store.revision() == 1
    with store.reader() as reader:
        assert [m.id for m in reader.models()] == ["kept"]
        assert reader.workspace("wrkspc_lost") is None


def test_put_overwrites_and_round_trips_every_field(store: Store) -> None:
    original = model(
        "m",
        3,
        "deprecated",
        capabilities='{"batch":{"supported":true}}',
        retires_at=1_800_000_000,
        line="opus",
        allowed_fallback_models='["x","y"]',
    )
    with store.transaction() as tx:
        tx.put_models([model("m")])
    with store.transaction() as tx:
        tx.put_models([original])
    with store.reader() as reader:
        assert reader.model("m") == replace(original, revision=2)


def test_changes_since_returns_only_newer_rows_including_tombstones(store: Store) -> None:
    with store.transaction() as tx:
        tx.put_models([model("a"), model("b")])
        tx.put_workspace(workspace("w"))
        tx.put_api_key(api_key("k", "w", "sk-1"))
    with store.transaction() as tx:
        tx.put_models([model("b", deleted=True), model("c")])
    delta = store.changes_since(1)
    assert delta.revision == 2 and not delta.complete
    assert sorted((m.id, m.deleted) for m in delta.models) == [("b", True), ("c", False)]
    assert delta.workspaces == [] and delta.api_keys == []
    everything = store.changes_since(None)
    assert everything.complete
    assert sorted(m.id for m in everything.models) == ["a", "b", "c"]
    assert [k.secret_hash for k in everything.api_keys] == [api_key("k", "w", "sk-1").secret_hash]


def test_concurrent_writers_get_distinct_revisions_and_lose_nothing(store: Store) -> None:
    errors: list[BaseException] = []

    def write(n: int) -> None:
        try:
            for i in range(5):
                with store.transaction() as tx:
                    tx.put_models([model(f"m{n}-{i}")])
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [threading.Thread(target=write, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert store.revision() == 20
    with store.reader() as reader:
        revisions = sorted(m.revision for m in reader.models())
    assert revisions == list(range(1, 21))


def test_many_models_are_written_in_batches(store: Store) -> None:
    with store.transaction() as tx:
        tx.put_models(model(f"m{i:05d}", i % 50) for i in range(2_345))
    with store.reader() as reader:
        assert len(reader.models()) == 2_345


def test_organization_is_created_once(store: Store) -> None:
    with store.transaction() as tx:
        first = tx.ensure_organization("11111111-1111-4111-8111-111111111111", "org")
    with store.transaction() as tx:
        second = tx.ensure_organization("22222222-2222-4222-8222-222222222222", "org")
    assert first == second == "11111111-1111-4111-8111-111111111111"


def test_url_hides_the_password() -> None:
    store = open_store("postgresql://modeldir:s3cret@127.0.0.1:1/x", migrate=False)
    assert "s3cret" not in store.url and "s3cret" not in repr(store)
    assert sqlalchemy_url("postgres://u@h/d").startswith("postgresql+psycopg://")


def test_unknown_scheme_is_refused() -> None:
    with pytest.raises(ValueError, match="unsupported database URL scheme"):
        open_store("mysql://root@localhost/x")


# ---- keyset windows agree with the in-memory cursor contract ----------------------------------

TRICKY_IDS = ["a-b", "a_b", "aB", "Ab", "a", "ab", "a.b", "é", "z", "Z", "a b", "a-c"]


def test_model_windows_page_exactly_like_select_page(store: Store) -> None:
    from modeldir.catalogue.list_order import sort_key
    from modeldir.catalogue.pages import page_from_window, select_page
    from modeldir.catalogue.persistent import Chunked

    records = [
        model(i, day=n % 3, lifecycle="retired" if n % 5 == 0 else "active")
        for n, i in enumerate(TRICKY_IDS)
    ]
    with store.transaction() as tx:
        tx.put_models(records)
        tx.put_models([model("gone", 1, deleted=True)])
    keys = {r.id: sort_key(r.created_at, r.id) for r in [*records, model("gone", 1)]}
    for lifecycles in (frozenset({"active"}), frozenset({"active", "retired"})):
        expected = sorted(
            (r for r in records if r.lifecycle in lifecycles), key=lambda r: keys[r.id]
        )
        for limit in (1, 2, 5, 20):
            for cursor in [None, *keys]:
                for backwards in (False, True):
                    if cursor is None and backwards:
                        continue
                    after, before = (None, cursor) if backwards else (cursor, None)
                    with store.reader() as reader:
                        window = reader.model_window(after, before, limit, lifecycles=lifecycles)
                    assert window is not None
                    got = page_from_window(window, limit, backwards=backwards)
                    want = select_page(
                        Chunked.of(expected, lambda r: keys[r.id], size=3),
                        limit,
                        after=None if after is None else keys[after],
                        before=None if before is None else keys[before],
                    )
                    assert ([r.id for r in got.items], got.has_more) == (
                        [r.id for r in want.items],
                        want.has_more,
                    ), (lifecycles, limit, cursor, backwards)


def test_unknown_cursor_is_none(store: Store) -> None:
    with store.reader() as reader:
        assert reader.model_window("nope", None, 5, lifecycles=frozenset({"active"})) is None
        assert (
            reader.workspace_window(
                None, "nope", 5, include_archived=True, include_default=True, ids=None
            )
            is None
        )
