"""The snapshot: lookups, visibility, keys, and copy-on-write changes equal to a full rebuild."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from modeldir.catalogue import snapshot as snapshot_module
from modeldir.catalogue.access import EVERYTHING, AccessRule
from modeldir.catalogue.records import AliasRecord, CatalogueChanges, ModelRecord
from modeldir.catalogue.snapshot import Snapshot, build_snapshot
from tests.factories import BASE, api_key, model, snapshot, workspace

OPUS = AccessRule.of(["claude-opus-*"])


def ids(items: Any) -> list[str]:
    return [entry.id for entry in items]


def test_list_order_is_newest_first_then_id() -> None:
    snap = snapshot([model("b", 1), model("a", 1), model("c", 2), model("z", 0)])
    assert ids(snap.page(EVERYTHING, 0b011, 10).items) == ["c", "a", "b", "z"]


def test_lifecycle_mask_filters() -> None:
    snap = snapshot([model("act", 3), model("dep", 2, "deprecated"), model("ret", 1, "retired")])
    assert ids(snap.page(EVERYTHING, 0b011, 10).items) == ["act", "dep"]
    assert ids(snap.page(EVERYTHING, 0b100, 10).items) == ["ret"]
    assert ids(snap.page(EVERYTHING, 0b111, 10).items) == ["act", "dep", "ret"]


def test_find_resolves_aliases_to_the_canonical_entry() -> None:
    snap = snapshot(
        [model("claude-x-20250101")], aliases=[AliasRecord("claude-x", "claude-x-20250101")]
    )
    found = snap.find("claude-x", EVERYTHING)
    assert found is not None and found.id == "claude-x-20250101"
    assert snap.find("claude-y", EVERYTHING) is None


def test_hidden_model_is_missing_for_find_and_cursor() -> None:
    snap = snapshot(
        [model("claude-opus-1"), model("claude-sonnet-1")],
        aliases=[AliasRecord("sonnet", "claude-sonnet-1")],
        workspaces=[workspace("w", ("claude-opus-*",))],
        keys=[],
    )
    assert snap.find("claude-sonnet-1", OPUS) is None
    assert snap.find("sonnet", OPUS) is None
    assert snap.cursor_key("claude-sonnet-1", OPUS) is None
    assert snap.cursor_key("claude-opus-1", OPUS) is not None
    assert ids(snap.page(OPUS, 0b111, 10).items) == ["claude-opus-1"]


def test_deleted_model_keeps_its_position_as_a_cursor() -> None:
    snap = snapshot([model("a", 3), model("b", 2), model("c", 1)])
    snap = snap.apply(
        CatalogueChanges(revision=2, organization_id="o", models=[model("b", 2, deleted=True)])
    )
    assert snap.find("b", EVERYTHING) is None
    after_b = snap.cursor_key("b", EVERYTHING)
    assert after_b is not None
    assert ids(snap.page(EVERYTHING, 0b011, 10, after=after_b).items) == ["c"]
    assert ids(snap.page(EVERYTHING, 0b011, 10, before=after_b).items) == ["a"]


def test_grants_follow_key_and_workspace_status() -> None:
    snap = snapshot(
        [],
        workspaces=[workspace("w1"), workspace("w2", archived_at=5)],
        keys=[
            api_key("k1", "w1", "sk-good"),
            api_key("k2", "w1", "sk-inactive", status="inactive"),
            api_key("k3", "w2", "sk-archived-workspace"),
            api_key("k4", "w1", "sk-expiring", expires_at=1_000),
        ],
    )
    good = snap.grant_for("sk-good", now=0)
    assert good is not None and good.workspace_id == "w1"
    assert snap.grant_for("sk-unknown", now=0) is None
    assert snap.grant_for("sk-inactive", now=0) is None
    assert snap.grant_for("sk-archived-workspace", now=0) is None
    assert snap.grant_for("sk-expiring", now=999) is not None
    assert snap.grant_for("sk-expiring", now=1_000) is None


def test_apply_leaves_the_old_snapshot_untouched() -> None:
    old = snapshot([model("a", 1)])
    new = old.apply(CatalogueChanges(revision=2, organization_id="o", models=[model("b", 2)]))
    assert ids(old.page(EVERYTHING, 0b011, 10).items) == ["a"]
    assert ids(new.page(EVERYTHING, 0b011, 10).items) == ["b", "a"]


def test_revoking_a_key_removes_its_grant() -> None:
    snap = snapshot([], workspaces=[workspace("w")], keys=[api_key("k", "w", "sk-x")])
    revoked = snap.apply(
        CatalogueChanges(
            revision=2, organization_id="o", api_keys=[api_key("k", "w", "sk-x", status="archived")]
        )
    )
    assert revoked.grant_for("sk-x", now=0) is None
    assert snap.grant_for("sk-x", now=0) is not None


def test_narrowing_a_workspace_builds_a_view_for_the_new_rule() -> None:
    snap = snapshot(
        [model("claude-opus-1"), model("claude-haiku-1")],
        workspaces=[workspace("w")],
        keys=[api_key("k", "w", "sk-x")],
    )
    narrowed = snap.apply(
        CatalogueChanges(
            revision=2, organization_id="o", workspaces=[workspace("w", ("claude-opus-*",))]
        )
    )
    grant = narrowed.grant_for("sk-x", now=0)
    assert grant is not None and grant.rule == OPUS
    assert ids(narrowed.page(grant.rule, 0b011, 10).items) == ["claude-opus-1"]


# ---- incremental changes equal a rebuild -------------------------------------------------------

NAMES = ["claude-opus-1", "claude-opus-2", "claude-haiku-1", "x-1", "x-2", "y", "z"]
RULES = [None, ("claude-opus-*",), ("x-?", "y"), ("nothing",)]

model_changes = st.builds(
    lambda name, day, lifecycle, deleted, fallbacks: model(
        name,
        day,
        lifecycle,
        deleted=deleted,
        allowed_fallback_models=None
        if fallbacks is None
        else json.dumps(fallbacks, separators=(",", ":")),
    ),
    st.sampled_from(NAMES),
    st.integers(0, 3),
    st.sampled_from(["active", "deprecated", "retired"]),
    st.booleans(),
    st.none() | st.lists(st.sampled_from(NAMES), max_size=3, unique=True),
)
key_changes = st.builds(
    lambda key_id, workspace_id, status: api_key(
        key_id, workspace_id, f"sk-{key_id}", status=status
    ),
    st.sampled_from(["k1", "k2", "k3"]),
    st.sampled_from(["w1", "w2"]),
    st.sampled_from(["active", "inactive"]),
)
alias_changes = st.builds(
    AliasRecord,
    st.sampled_from(["al-1", "al-2", "claude-opus-al"]),
    st.sampled_from(NAMES),
    st.booleans(),
    st.booleans(),
)
batches = st.lists(
    st.tuples(
        st.lists(model_changes, max_size=5),
        st.lists(
            st.tuples(st.sampled_from(["w1", "w2"]), st.sampled_from(RULES), st.booleans()),
            max_size=2,
        ),
        st.lists(alias_changes, max_size=3),
        st.lists(key_changes, max_size=2),
    ),
    min_size=1,
    max_size=6,
)


def describe(snap: Snapshot) -> dict[str, Any]:
    """Everything a reader can observe, in comparable form."""
    return {
        "models": {i: e.body() for i, e in snap.models.items()},
        "listed": {i: (e.body(), e.sort_key, e.model_id) for i, e in snap.listed.items()},
        "tombstones": dict(snap.tombstones),
        "aliases": {a: (r.model_id, r.listed) for a, r in snap.aliases.items()},
        "views": {
            rule.patterns: [[e.body() for e in lst] for lst in view.by_mask[1:]]
            for rule, view in snap.views.items()
        },
        "grants": {
            (g.key_id, g.secret_hash): (g.workspace_id, g.rule) for g in snap.grants.values()
        },
        "rules": dict(snap.rules),
    }


def latest(records: list[Any], key: str = "id") -> list[Any]:
    final: dict[str, Any] = {}
    for record in records:
        final[getattr(record, key)] = record
    return list(final.values())


def check_changes_equal_rebuild(threshold: int, changes: list[Any]) -> None:
    original = snapshot_module.REBUILD_THRESHOLD
    snapshot_module.REBUILD_THRESHOLD = threshold
    try:
        workspaces = {"w1": workspace("w1"), "w2": workspace("w2")}
        keys = {"k1": api_key("k1", "w1", "sk-k1"), "k2": api_key("k2", "w2", "sk-k2")}
        history: list[ModelRecord] = []
        alias_history: list[AliasRecord] = []
        snap = build_snapshot(
            CatalogueChanges(
                revision=0,
                organization_id="o",
                workspaces=list(workspaces.values()),
                api_keys=list(keys.values()),
                complete=True,
            )
        )
        for revision, (models, rules, aliases, key_records) in enumerate(changes, start=1):
            changed_workspaces = [
                replace(workspaces[w], model_access=rule, archived_at=BASE if archived else None)
                for w, rule, archived in rules
            ]
            workspaces.update((w.id, w) for w in changed_workspaces)
            keys.update((k.id, k) for k in key_records)
            history += models
            alias_history += aliases
            snap = snap.apply(
                CatalogueChanges(
                    revision=revision,
                    organization_id="o",
                    models=models,
                    aliases=aliases,
                    workspaces=changed_workspaces,
                    api_keys=key_records,
                )
            )
            rebuilt = build_snapshot(
                CatalogueChanges(
                    revision=revision,
                    organization_id="o",
                    models=latest(history),
                    aliases=latest(alias_history, "alias"),
                    workspaces=list(workspaces.values()),
                    api_keys=list(keys.values()),
                    complete=True,
                )
            )
            assert describe(snap) == describe(rebuilt)
    finally:
        snapshot_module.REBUILD_THRESHOLD = original


@settings(max_examples=60, deadline=None)
@given(changes=batches)
def test_incremental_changes_equal_building_from_scratch(changes: list[Any]) -> None:
    check_changes_equal_rebuild(10_000, changes)


@settings(max_examples=30, deadline=None)
@given(changes=batches)
def test_bulk_changes_equal_building_from_scratch(changes: list[Any]) -> None:
    check_changes_equal_rebuild(0, changes)


def test_listed_alias_is_a_list_entry_under_its_own_id() -> None:
    snap = snapshot(
        [model("claude-x-20250101", 5), model("other", 4)],
        aliases=[
            AliasRecord("claude-x", "claude-x-20250101", listed=True),
            AliasRecord("hidden", "other"),
        ],
    )
    assert ids(snap.page(EVERYTHING, 0b011, 10).items) == ["claude-x", "claude-x-20250101", "other"]
    listed = snap.listed["claude-x"]
    assert listed.body().startswith(
        b'{"type":"model","id":"claude-x","display_name":"Claude-X-20250101"'
    )
    assert snap.cursor_key("claude-x", EVERYTHING) == listed.sort_key
    assert snap.cursor_key("hidden", EVERYTHING) is None
    found = snap.find("claude-x", EVERYTHING)
    assert found is not None and found.id == "claude-x-20250101"


def test_listed_alias_follows_its_target_and_its_visibility() -> None:
    snap = snapshot(
        [model("claude-opus-1", 1), model("claude-haiku-1", 2)],
        aliases=[AliasRecord("fav", "claude-haiku-1", listed=True)],
        workspaces=[workspace("w", ("claude-opus-*",))],
        keys=[],
    )
    assert ids(snap.page(OPUS, 0b011, 10).items) == ["claude-opus-1"]
    moved = snap.apply(
        CatalogueChanges(
            revision=2,
            organization_id="o",
            aliases=[AliasRecord("fav", "claude-opus-1", listed=True)],
        )
    )
    assert ids(moved.page(OPUS, 0b011, 10).items) == ["claude-opus-1", "fav"]
    retired = moved.apply(
        CatalogueChanges(
            revision=3, organization_id="o", models=[model("claude-opus-1", 1, "retired")]
        )
    )
    assert ids(retired.page(OPUS, 0b011, 10).items) == []
    assert ids(retired.page(OPUS, 0b100, 10).items) == ["claude-opus-1", "fav"]


def test_a_rotated_key_keeps_its_old_secret_until_the_grace_period_ends() -> None:
    from modeldir.catalogue.grants import hash_secret

    rotated = api_key(
        "k", "w", "sk-new", previous_secret_hash=hash_secret("sk-old"), previous_expires_at=500
    )
    snap = snapshot([], workspaces=[workspace("w")], keys=[api_key("k", "w", "sk-old")])
    snap = snap.apply(CatalogueChanges(revision=2, organization_id="o", api_keys=[rotated]))
    assert snap.grant_for("sk-new", now=1_000) is not None
    assert snap.grant_for("sk-old", now=499) is not None
    assert snap.grant_for("sk-old", now=500) is None
    done = snap.apply(
        CatalogueChanges(
            revision=3, organization_id="o", api_keys=[replace(rotated, previous_secret_hash=None)]
        )
    )
    assert done.grant_for("sk-old", now=0) is None


def test_admin_keys_are_separate_from_api_keys() -> None:
    from modeldir.catalogue.grants import hash_secret
    from modeldir.catalogue.records import AdminKeyRecord

    admin = AdminKeyRecord("adminkey_1", "ops", hash_secret("sk-admin"), "hint", "active", 0)
    snap = snapshot([]).apply(CatalogueChanges(revision=2, organization_id="o", admin_keys=[admin]))
    grant = snap.admin_grant_for("sk-admin")
    assert grant is not None and grant.key_id == "adminkey_1"
    assert snap.grant_for("sk-admin", now=0) is None
    assert snap.admin_grant_for("sk-all") is None
    revoked = snap.apply(
        CatalogueChanges(
            revision=3, organization_id="o", admin_keys=[replace(admin, status="archived")]
        )
    )
    assert revoked.admin_grant_for("sk-admin") is None
