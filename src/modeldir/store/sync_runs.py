"""Syncs and their schedule in the database, outside catalogue revisions (like sessions).

A scheduled run (of a sync, or of another job such as retiring overdue models: the schedule's
`source` is then the job's name) is claimed with one conditional UPDATE: the instance whose
UPDATE moves its `next_at_ms` from the past to one period ahead runs it; every other instance of the
cluster, and every other worker, finds it already moved. That works the same on PostgreSQL and
on SQLite (whose file several workers share), and a run claimed is never claimed twice.
"""

from __future__ import annotations

import dataclasses

from sqlalchemy import Connection, select, update

from modeldir.catalogue.records import SyncRunRecord
from modeldir.store import schema
from modeldir.store.interface import Backend

_SCHEDULE = schema.sync_schedule
_RUNS = schema.sync_runs


def claim(
    connection: Connection, backend: Backend, source: str, now_ms: int, every_ms: int
) -> bool:
    """Whether this caller runs the sync of `source` due at `now_ms` (then the next is due one
    period later)."""
    first = backend.dialect_insert(_SCHEDULE).values(source=source, next_at_ms=now_ms + every_ms)
    # RETURNING, not rowcount: psycopg reports -1 for an INSERT ... ON CONFLICT DO NOTHING.
    inserted = first.on_conflict_do_nothing().returning(_SCHEDULE.c.source)
    if connection.execute(inserted).first() is not None:
        return True
    moved = connection.execute(
        update(_SCHEDULE)
        .where(_SCHEDULE.c.source == source, _SCHEDULE.c.next_at_ms <= now_ms)
        .values(next_at_ms=now_ms + every_ms)
    )
    return moved.rowcount == 1


_FIELDS = tuple(f.name for f in dataclasses.fields(SyncRunRecord) if f.name != "seq")


def add_run(connection: Connection, record: SyncRunRecord) -> None:
    """Keep how one sync ended."""
    connection.execute(_RUNS.insert().values({name: getattr(record, name) for name in _FIELDS}))


def runs(connection: Connection, source: str | None, limit: int) -> list[SyncRunRecord]:
    """The latest runs, newest first (of one source, or of all)."""
    query = select(_RUNS).order_by(_RUNS.c.seq.desc()).limit(limit)
    if source is not None:
        query = query.where(_RUNS.c.source == source)
    return [
        SyncRunRecord(**{name: row._mapping[name] for name in (*_FIELDS, "seq")})
        for row in connection.execute(query)
    ]
