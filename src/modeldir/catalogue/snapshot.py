"""The immutable in-memory catalogue that every read is answered from.

A snapshot is built once from the whole store, then each later change produces a new snapshot
that shares all it can with the old one (copy-on-write): requests in flight keep the snapshot
they started with, and the next request sees the new one. Nothing here does I/O.

Reads cost the same at any catalogue size: each access rule has a `View` holding, for each of the
seven lifecycle filters, the visible list entries in list order, so a page is a bisect and a
slice. List entries are the models plus the aliases marked as listed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from modeldir.catalogue.access import EVERYTHING, AccessRule
from modeldir.catalogue.grants import (
    INDEX_BYTES,
    AdminGrant,
    KeyGrant,
    admin_grants,
    api_key_grants,
    key_grants,
    lookup,
    workspace_rules,
)
from modeldir.catalogue.list_order import sort_key
from modeldir.catalogue.pages import Cursor, Page, select_page
from modeldir.catalogue.persistent import Chunked, Overlay
from modeldir.catalogue.records import (
    AdminKeyRecord,
    AliasRecord,
    ApiKeyRecord,
    CatalogueChanges,
    FullCatalogue,
    WorkspaceRecord,
)
from modeldir.catalogue.render import (
    Entry,
    Renderer,
    alias_entry,
    entry_sort_key,
    seen_through,
)

ALL_MASKS = range(1, 8)
MASKS_WITH_BIT: dict[int, tuple[int, ...]] = {
    bit: tuple(mask for mask in ALL_MASKS if mask & bit) for bit in (1, 2, 4)
}

# Past this many changed entries a delta is applied by rebuilding the lists, which costs one
# sort instead of one memmove per change.
REBUILD_THRESHOLD = 2048


@dataclass(frozen=True, slots=True)
class View:
    """What one access rule may see, in list order, once per lifecycle mask (1 to 7)."""

    rule: AccessRule
    by_mask: tuple[Chunked[Entry], ...]

    @classmethod
    def build(cls, rule: AccessRule, ordered: Iterable[Entry]) -> View:
        """A view of entries already in list order."""
        lists: list[list[Entry]] = [[] for _ in range(8)]
        for entry in ordered:
            if rule.allows(entry.model_id):
                seen = seen_through(entry, rule.allows)
                for mask in MASKS_WITH_BIT[entry.lifecycle_bit]:
                    lists[mask].append(seen)
        return cls(rule, tuple(Chunked.of(entries, entry_sort_key) for entries in lists))


@dataclass(frozen=True, slots=True)
class Snapshot:
    revision: int
    organization_id: str
    models: Overlay[Entry]
    """Live models by canonical id."""
    listed: Mapping[str, Entry]
    """List entries of listed aliases, by alias."""
    tombstones: Overlay[str]
    """Deleted model id -> its last sort key, so a deleted model stays a valid cursor (D3)."""
    aliases: Mapping[str, AliasRecord]
    workspaces: Mapping[str, WorkspaceRecord]
    api_keys: Mapping[str, ApiKeyRecord]
    admin_keys: Mapping[str, AdminKeyRecord]
    rules: Mapping[str, AccessRule]
    """The access rule of each usable workspace, by workspace id."""
    views: Mapping[AccessRule, View]
    grants: Mapping[bytes, KeyGrant]
    admin_grants: Mapping[bytes, AdminGrant]
    renderer: Renderer = field(repr=False, compare=False)

    # ---- reads -------------------------------------------------------------------------------

    def grant_for(self, secret: str | bytes, now: float) -> KeyGrant | None:
        """The grant of a usable, unexpired API key, or None."""
        grant = lookup(self.grants, secret)
        if not isinstance(grant, KeyGrant):
            return None
        if grant.expires_at is not None and now >= grant.expires_at:
            return None
        return grant

    def admin_grant_for(self, secret: str | bytes) -> AdminGrant | None:
        """The grant of a usable admin key, or None."""
        grant = lookup(self.admin_grants, secret)
        return grant if isinstance(grant, AdminGrant) else None

    def find(self, model_or_alias: str, rule: AccessRule) -> Entry | None:
        """The model an id or alias names, if the rule lets it be seen."""
        alias = self.aliases.get(model_or_alias)
        model_id = model_or_alias if alias is None else alias.model_id
        entry = self.models.get(model_id)
        if entry is None or not rule.allows(model_id):
            return None
        return seen_through(entry, rule.allows)

    def cursor_key(self, list_id: str, rule: AccessRule) -> str | None:
        """The position of a cursor (a listed id, or a deleted model); None if unknown or hidden."""
        entry = self.models.get(list_id) or self.listed.get(list_id)
        if entry is not None:
            return entry.sort_key if rule.allows(entry.model_id) else None
        key = self.tombstones.get(list_id)
        return key if key is not None and rule.allows(list_id) else None

    def page(
        self,
        rule: AccessRule,
        lifecycle_mask: int,
        limit: int,
        after: str | None = None,
        before: str | None = None,
    ) -> Page[Entry]:
        """One page of the entries a rule may see, filtered by lifecycle; cursors are sort keys."""
        return select_page(self.views[rule].by_mask[lifecycle_mask], limit, after, before)

    def visible(self, rule: AccessRule, lifecycle_mask: int) -> Iterable[Entry]:
        """Every list entry a rule may see with these lifecycles, in list order."""
        return self.views[rule].by_mask[lifecycle_mask]

    def list_page(
        self, rule: AccessRule, lifecycle_mask: int, limit: int, cursor: Cursor
    ) -> Page[Entry]:
        """The page a list request asks for; a cursor the rule cannot see is a 400."""
        if cursor.after_id is not None:
            after = self.cursor_key(cursor.after_id, rule)
            if after is None:
                raise cursor.unknown("model")
            return self.page(rule, lifecycle_mask, limit, after=after)
        if cursor.before_id is not None:
            before = self.cursor_key(cursor.before_id, rule)
            if before is None:
                raise cursor.unknown("model")
            return self.page(rule, lifecycle_mask, limit, before=before)
        return self.page(rule, lifecycle_mask, limit)

    # ---- changes -----------------------------------------------------------------------------

    def apply(self, changes: CatalogueChanges) -> Snapshot:
        """The snapshot after `changes`, sharing everything they leave alone."""
        if changes.complete:
            return build_snapshot(changes)
        return _Evolution(self, changes).result()


def build_snapshot(changes: CatalogueChanges) -> Snapshot:
    """A snapshot of a whole catalogue given as records (`changes.complete` is expected)."""
    live = (r.row for r in changes.models if not r.deleted)
    gone = ((r.id, r.created_at) for r in changes.models if r.deleted)
    return load_snapshot(FullCatalogue(changes, live, gone))


def load_snapshot(catalogue: FullCatalogue) -> Snapshot:
    """A snapshot of a whole catalogue, its models streamed as rows (see model_fields.py).

    Nothing but the entries is kept of a row, so a million models load without a million
    records in memory at once. `changes.models` is not read.
    """
    changes, live, gone = catalogue
    renderer = Renderer()
    ordered = [renderer.entry_from_row(row) for row in live]
    models = {entry.id: entry for entry in ordered}
    aliases = {a.alias: a for a in changes.aliases if not a.deleted}
    listed = _listed_entries(aliases.values(), models)
    ordered.extend(listed.values())
    ordered.sort(key=entry_sort_key)
    workspaces = {w.id: w for w in changes.workspaces}
    api_keys = {k.id: k for k in changes.api_keys}
    admin_keys = {k.id: k for k in changes.admin_keys}
    rules = workspace_rules(workspaces.values())
    return Snapshot(
        revision=changes.revision,
        organization_id=changes.organization_id,
        models=Overlay(models),
        listed=listed,
        tombstones=Overlay(
            {model_id: sort_key(created_at, model_id) for model_id, created_at in gone}
        ),
        aliases=aliases,
        workspaces=workspaces,
        api_keys=api_keys,
        admin_keys=admin_keys,
        rules=rules,
        views={rule: View.build(rule, ordered) for rule in _in_use(rules)},
        grants=api_key_grants(api_keys.values(), workspaces, rules),
        admin_grants=admin_grants(admin_keys.values()),
        renderer=renderer,
    )


def empty_snapshot(organization_id: str = "") -> Snapshot:
    """A snapshot with nothing in it: what a server has before its first load."""
    return build_snapshot(CatalogueChanges(revision=0, organization_id=organization_id))


def _listed_entries(
    aliases: Iterable[AliasRecord], models: Mapping[str, Entry]
) -> dict[str, Entry]:
    listed = {}
    for alias in aliases:
        target = models.get(alias.model_id)
        if alias.listed and not alias.deleted and target is not None:
            listed[alias.alias] = alias_entry(target, alias.alias)
    return listed


def _in_use(rules: Mapping[str, AccessRule]) -> set[AccessRule]:
    """The rules that need a view: every workspace's, and the admin's (everything)."""
    return {*rules.values(), EVERYTHING}


class _Evolution:
    """One delta applied to a snapshot, copying only the structures it touches."""

    def __init__(self, base: Snapshot, changes: CatalogueChanges) -> None:
        self.base = base
        self.changes = changes
        self.models: Overlay[Entry] = base.models
        self.listed: Mapping[str, Entry] = base.listed
        self.tombstones: Overlay[str] = base.tombstones
        self.aliases: Mapping[str, AliasRecord] = base.aliases
        self.views: dict[AccessRule, View] = dict(base.views)

    def result(self) -> Snapshot:
        base, changes = self.base, self.changes
        if changes.models or changes.aliases:
            self._apply_catalogue()
        workspaces, api_keys, rules, grants = self._access()
        admin_keys, admin_key_grants = base.admin_keys, base.admin_grants
        if changes.admin_keys:
            admin_keys = {**base.admin_keys, **{k.id: k for k in changes.admin_keys}}
            admin_key_grants = admin_grants(admin_keys.values())
        return Snapshot(
            revision=changes.revision,
            organization_id=changes.organization_id,
            models=self.models,
            listed=self.listed,
            tombstones=self.tombstones,
            aliases=self.aliases,
            workspaces=workspaces,
            api_keys=api_keys,
            admin_keys=admin_keys,
            rules=rules,
            views=self.views,
            grants=grants,
            admin_grants=admin_key_grants,
            renderer=base.renderer,
        )

    def _apply_catalogue(self) -> None:
        changes = self.changes
        sets: dict[str, Entry] = {}
        removals: list[str] = []
        gone: dict[str, str] = {}
        back: list[str] = []
        incremental = len(changes.models) + len(changes.aliases) <= REBUILD_THRESHOLD
        renderer = self.base.renderer
        for record in changes.models:
            old = sets.pop(record.id, None) or self.models.get(record.id)
            if old is not None:
                removals.append(record.id)
            if old is not None and incremental:
                self._remove(old)
            if record.deleted:
                gone[record.id] = sort_key(record.created_at, record.id)
                continue
            gone.pop(record.id, None)  # the latest record of an id is the one that counts
            back.append(record.id)
            new = renderer.entry(record)
            sets[record.id] = new
            if incremental:
                self._insert(new)
        models = self.models.updated(sets, [m for m in removals if m not in sets])
        tombstones = self.tombstones.updated(gone, [m for m in back if m not in gone])
        aliases = dict(self.aliases)
        for alias in changes.aliases:
            if alias.deleted:
                aliases.pop(alias.alias, None)
            else:
                aliases[alias.alias] = alias
        # Listed aliases follow their target: re-place those whose alias or target changed.
        changed_models = {r.id for r in changes.models}
        touched = {a.alias for a in changes.aliases}
        touched |= {
            name for name, a in aliases.items() if a.listed and a.model_id in changed_models
        }
        listed = dict(self.listed)
        for name in touched:
            old_alias = listed.pop(name, None)
            if old_alias is not None and incremental:
                self._remove(old_alias)
        fresh = _listed_entries((aliases[n] for n in touched if n in aliases), models)
        for name, entry in fresh.items():
            listed[name] = entry
            if incremental:
                self._insert(entry)
        if not incremental:
            ordered = sorted([*models.values(), *listed.values()], key=entry_sort_key)
            self.views = {rule: View.build(rule, ordered) for rule in self.views}
        self.models, self.tombstones, self.aliases, self.listed = (
            models,
            tombstones,
            aliases,
            listed,
        )

    def _replace_list(self, rule: AccessRule, mask: int, entries: Chunked[Entry]) -> None:
        lists = list(self.views[rule].by_mask)
        lists[mask] = entries
        self.views[rule] = View(rule, tuple(lists))

    def _remove(self, entry: Entry) -> None:
        for rule in list(self.views):
            if rule.allows(entry.model_id):
                for mask in MASKS_WITH_BIT[entry.lifecycle_bit]:
                    self._replace_list(
                        rule, mask, self.views[rule].by_mask[mask].removed(entry.sort_key)
                    )

    def _insert(self, entry: Entry) -> None:
        for rule in list(self.views):
            if rule.allows(entry.model_id):
                seen = seen_through(entry, rule.allows)
                for mask in MASKS_WITH_BIT[entry.lifecycle_bit]:
                    self._replace_list(rule, mask, self.views[rule].by_mask[mask].inserted(seen))

    def _access(
        self,
    ) -> tuple[
        Mapping[str, WorkspaceRecord],
        Mapping[str, ApiKeyRecord],
        Mapping[str, AccessRule],
        Mapping[bytes, KeyGrant],
    ]:
        """Workspaces, keys, rules and grants after the change, redoing only what it touched.

        An admin write costs what it changes: a workspace's rule is made only when that
        workspace changed, and only its keys and the changed keys get new grants.
        """
        base, changes = self.base, self.changes
        if not changes.workspaces and not changes.api_keys:
            return base.workspaces, base.api_keys, base.rules, base.grants
        workspaces = {**base.workspaces, **{w.id: w for w in changes.workspaces}}
        api_keys = {**base.api_keys, **{k.id: k for k in changes.api_keys}}
        rules = dict(base.rules)
        changed_workspaces = {w.id for w in changes.workspaces}
        for workspace_id in changed_workspaces:
            rules.pop(workspace_id, None)
        rules.update(workspace_rules(workspaces[w] for w in changed_workspaces))
        in_use = _in_use(rules)
        if in_use != set(self.views):
            kept = {rule: view for rule, view in self.views.items() if rule in in_use}
            added = in_use - set(kept)
            if added:  # only a new rule needs the entries in order
                ordered = sorted([*self.models.values(), *self.listed.values()], key=entry_sort_key)
                kept.update((rule, View.build(rule, ordered)) for rule in added)
            self.views = kept
        touched = {k.id for k in changes.api_keys}
        if changed_workspaces:
            touched |= {k.id for k in api_keys.values() if k.workspace_id in changed_workspaces}
        grants = dict(base.grants)
        for key_id in touched:
            old = base.api_keys.get(key_id)
            if old is not None:
                for stale in (old.secret_hash, old.previous_secret_hash):
                    if stale is not None:
                        grants.pop(stale[:INDEX_BYTES], None)
            for grant in key_grants(api_keys[key_id], workspaces, rules):
                grants[grant.secret_hash[:INDEX_BYTES]] = grant
        return workspaces, api_keys, rules, grants
