"""Keyset pagination in SQL: a page of an admin list is one index range scan at any depth.

The cursor row's own sort values bound the query, so a cursor row that no longer matches the
filters (or is deleted) still marks its place. The window fetched here is handed to
`catalogue/pages.py`, which alone decides what the page holds and what `has_more` says.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Connection, Row, Table, and_, or_, select

from modeldir.store import schema
from modeldir.store.interface import Backend

R = TypeVar("R")


@dataclass(frozen=True, slots=True)
class ListOrder:
    """A table's list order: (column, descending) pairs, the last one unique."""

    table: Table
    columns: tuple[tuple[str, bool], ...]
    key: str
    """The column that cursors name."""


NEWEST_FIRST = (("created_at", True), ("id", False))
MODEL_ORDER = ListOrder(schema.models, NEWEST_FIRST, "id")
WORKSPACE_ORDER = ListOrder(schema.workspaces, NEWEST_FIRST, "id")
API_KEY_ORDER = ListOrder(schema.api_keys, NEWEST_FIRST, "id")
ALIAS_ORDER = ListOrder(schema.aliases, (("alias", False),), "alias")
AUDIT_ORDER = ListOrder(schema.audit_log, (("seq", True),), "id")
WEBHOOK_ORDER = ListOrder(schema.webhook_endpoints, NEWEST_FIRST, "id")
DELIVERY_ORDER = ListOrder(schema.webhook_deliveries, (("seq", True),), "id")

_TEXT_COLUMNS = {"id", "alias"}


def _column(backend: Backend, order: ListOrder, name: str) -> ColumnElement[Any]:
    column = order.table.c[name]
    return backend.bytewise(column) if name in _TEXT_COLUMNS else column


def window(
    connection: Connection,
    backend: Backend,
    order: ListOrder,
    convert: Callable[[Row[Any]], R],
    after: str | None,
    before: str | None,
    limit: int,
    where: Sequence[ColumnElement[bool]] = (),
) -> list[R] | None:
    """Up to `limit + 1` rows next to the cursor, in list order; None for an unknown cursor."""
    cursor = after if after is not None else before
    backwards = before is not None
    query = select(order.table).where(*where)
    if cursor is not None:
        names = [name for name, _ in order.columns]
        key_column = order.table.c[order.key]
        found = connection.execute(
            select(*(order.table.c[n] for n in names)).where(key_column == cursor)
        ).first()
        if found is None:
            return None
        query = query.where(_beyond(backend, order, tuple(found), backwards))
    sort = []
    for name, descending in order.columns:
        column = _column(backend, order, name)
        sort.append(column.asc() if descending == backwards else column.desc())
    rows = list(connection.execute(query.order_by(*sort).limit(limit + 1)))
    if backwards:
        rows.reverse()
    return [convert(row) for row in rows]


def _beyond(
    backend: Backend, order: ListOrder, values: tuple[Any, ...], backwards: bool
) -> ColumnElement[bool]:
    """Rows that come after the cursor's values in list order (before, when backwards)."""
    clauses = []
    for i, (name, descending) in enumerate(order.columns):
        column = _column(backend, order, name)
        equal = [
            _column(backend, order, n) == values[j] for j, (n, _) in enumerate(order.columns[:i])
        ]
        later = column < values[i] if descending != backwards else column > values[i]
        clauses.append(and_(*equal, later))
    return or_(*clauses)
