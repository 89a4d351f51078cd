"""WIRE §5: the worked examples verbatim, and SDK-style walks over random catalogues."""

from __future__ import annotations

import fnmatch
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from hypothesis import given, settings
from hypothesis import strategies as st

from modeldir.catalogue.records import ModelRecord
from tests.factories import BASE, DAY, api_key, model, snapshot, workspace
from tests.wire.inprocess import api_for, call

# The nine models of WIRE §5.3 (CAP-LIST), with their real release dates.
CAP_LIST = [
    ("claude-opus-4-7", "2026-04-14"),
    ("claude-sonnet-4-6", "2026-02-17"),
    ("claude-opus-4-6", "2026-02-04"),
    ("claude-opus-4-5-20251101", "2025-11-24"),
    ("claude-haiku-4-5-20251001", "2025-10-15"),
    ("claude-sonnet-4-5-20250929", "2025-09-29"),
    ("claude-opus-4-1-20250805", "2025-08-05"),
    ("claude-opus-4-20250514", "2025-05-22"),
    ("claude-sonnet-4-20250514", "2025-05-22"),
]


def _epoch(day: str) -> int:
    return int(datetime.fromisoformat(day).replace(tzinfo=UTC).timestamp())


API = api_for(snapshot([model(i, created_at=_epoch(d)) for i, d in reversed(CAP_LIST)]))


def page(query: str) -> tuple[list[str], bool, str | None, str | None]:
    body = call(API, f"/v1/models{query}").json
    return [m["id"] for m in body["data"]], body["has_more"], body["first_id"], body["last_id"]


def test_a_first_page() -> None:
    ids = [i for i, _ in CAP_LIST[:4]]
    assert page("?limit=4") == (ids, True, "claude-opus-4-7", "claude-opus-4-5-20251101")


def test_b_after() -> None:
    ids = [i for i, _ in CAP_LIST[4:8]]
    assert page("?limit=4&after_id=claude-opus-4-5-20251101") == (
        ids,
        True,
        "claude-haiku-4-5-20251001",
        "claude-opus-4-20250514",
    )


def test_c_last_page() -> None:
    last = "claude-sonnet-4-20250514"
    assert page("?limit=4&after_id=claude-opus-4-20250514") == ([last], False, last, last)


def test_d_after_last() -> None:
    assert page("?after_id=claude-sonnet-4-20250514") == ([], False, None, None)


def test_e_backwards() -> None:
    ids = [i for i, _ in CAP_LIST[4:8]]
    assert page("?limit=4&before_id=claude-sonnet-4-20250514") == (
        ids,
        True,
        "claude-haiku-4-5-20251001",
        "claude-opus-4-20250514",
    )


def test_f_backwards_to_the_start() -> None:
    ids = [i for i, _ in CAP_LIST[:4]]
    assert page("?limit=4&before_id=claude-haiku-4-5-20251001") == (
        ids,
        False,
        "claude-opus-4-7",
        "claude-opus-4-5-20251101",
    )


def test_g_before_first() -> None:
    assert page("?before_id=claude-opus-4-7") == ([], False, None, None)


def test_h_default_lists_all_nine() -> None:
    ids = [i for i, _ in CAP_LIST]
    assert page("") == (ids, False, "claude-opus-4-7", "claude-sonnet-4-20250514")


def test_empty_page_body_is_exact() -> None:
    assert call(API, "/v1/models?before_id=claude-opus-4-7").body == (
        b'{"data":[],"has_more":false,"first_id":null,"last_id":null}'
    )


# ---- random catalogues, walked the way every SDK walks -----------------------------------------

MASKS = {"active": 1, "deprecated": 2, "retired": 4}
NAMES = st.text(alphabet="abcxyz-/", min_size=1, max_size=5)
records = st.lists(
    st.tuples(NAMES, st.integers(0, 4), st.sampled_from(list(MASKS))),
    max_size=30,
    unique_by=lambda t: t[0],
)
rules = st.one_of(
    st.none(), st.lists(st.sampled_from(["a*", "b*", "*x*", "c", "zz", "?"]), min_size=1)
)
filters = st.one_of(st.none(), st.lists(st.sampled_from(list(MASKS)), min_size=1, max_size=3))


def visible(model_id: str, rule: list[str] | None) -> bool:
    """No rule sees everything; otherwise an id must match one pattern as a shell glob."""
    return rule is None or any(fnmatch.fnmatchcase(model_id, pattern) for pattern in rule)


def walk(
    api: Any, limit: int, lifecycle: list[str] | None, start: dict[str, str]
) -> list[list[str]]:
    """Follow pages like the Python SDK: stop on has_more false or an empty page."""
    reverse = "before_id" in start
    cursor = dict(start)
    pages: list[list[str]] = []
    while True:
        params: list[tuple[str, Any]] = [*cursor.items(), ("limit", limit)]
        params += [("lifecycle[]", value) for value in lifecycle or []]
        reply = call(
            api,
            f"/v1/models?{urlencode(params)}",
            {"x-api-key": "sk-w", "anthropic-version": "2026-10-21"},
        )
        assert reply.status == 200, reply.body
        body = reply.json
        pages.append([m["id"] for m in body["data"]])
        assert body["first_id"] == (pages[-1][0] if pages[-1] else None)
        assert body["last_id"] == (pages[-1][-1] if pages[-1] else None)
        if not body["has_more"] or not body["data"]:
            return pages
        assert len(pages[-1]) == limit  # has_more only ever comes with a full page
        cursor = {"before_id": body["first_id"]} if reverse else {"after_id": body["last_id"]}


@settings(max_examples=150, deadline=None)
@given(catalogue=records, rule=rules, wanted=filters, limit=st.integers(1, 7), data=st.data())
def test_walks_return_every_visible_model_once_in_order(
    catalogue: list[tuple[str, int, str]],
    rule: list[str] | None,
    wanted: list[str] | None,
    limit: int,
    data: st.DataObject,
) -> None:
    models: list[ModelRecord] = [model(name, day, lc) for name, day, lc in catalogue]  # type: ignore[arg-type]
    snap = snapshot(
        models,
        workspaces=[workspace("w", None if rule is None else tuple(rule))],
        keys=[api_key("k", "w", "sk-w")],
    )
    api = api_for(snap)
    mask = 0b011 if wanted is None else sum({MASKS[w] for w in wanted})
    # The oracle: the plain list, newest first then by id, filtered by shell-glob visibility.
    in_list_order = sorted(catalogue, key=lambda m: (-(BASE + m[1] * DAY), m[0]))
    expected = [
        name
        for name, _, lifecycle in in_list_order
        if visible(name, rule) and MASKS[lifecycle] & mask
    ]
    forward = walk(api, limit, wanted, {})
    assert [i for p in forward for i in p] == expected
    if expected:
        start = data.draw(st.sampled_from(expected))
        backward = walk(api, limit, wanted, {"before_id": start})
        assert [i for p in reversed(backward) for i in p] == expected[: expected.index(start)]
