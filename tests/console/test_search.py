"""The search index against an oracle: which entries hold a needle in their id or display name,
ignoring case, in list order from any position, either way, across chunks."""

from __future__ import annotations

from typing import Literal

from hypothesis import given, settings
from hypothesis import strategies as st

from modeldir.catalogue.access import EVERYTHING
from modeldir.catalogue.model_fields import POSITION
from modeldir.catalogue.model_info import LIFECYCLES
from modeldir.catalogue.persistent import Chunked
from modeldir.catalogue.records import CatalogueChanges, ModelRecord
from modeldir.catalogue.render import entry_sort_key
from modeldir.console.listing import ModelQuery, list_models
from modeldir.console.search import SearchIndex, searched
from tests.factories import model, snapshot

ID_CHARS = "abcAB-019"
NAME_CHARS = "abcAB Üüßİi\nΣ\u03c3ς-1"  # Greek sigmas: lower-casing depends on context
Order = Literal["newest", "oldest"]

Made = tuple[str, str, int, str, str | None]
records = st.lists(
    st.tuples(
        st.text(ID_CHARS, min_size=1, max_size=6),
        st.text(NAME_CHARS, min_size=1, max_size=8),
        st.integers(0, 5),
        st.sampled_from(LIFECYCLES),
        st.sampled_from([None, "opus", "haiku"]),
    ),
    max_size=40,
    unique_by=lambda r: r[0],
)


def made(found: list[Made]) -> list[ModelRecord]:
    return [
        model(i, day, lifecycle, display_name=name, line=line)  # type: ignore[arg-type]
        for i, name, day, lifecycle, line in found
    ]


def in_list_order(models: list[ModelRecord]) -> list[ModelRecord]:
    """Newest first, ties by id (D8), worked out here from the records."""
    return sorted(models, key=lambda m: (-m.created_at, m.id))


def holds(record: ModelRecord, needle: str) -> bool:
    name = str(record.row[POSITION["display_name"]])
    return needle.lower() in record.id.lower() or needle.lower() in name.lower()


@settings(max_examples=150, deadline=None)
@given(
    records,
    st.text(NAME_CHARS.replace("\n", ""), min_size=1, max_size=3),
    st.integers(0, 45),
    st.sampled_from(["newest", "oldest"]),
    st.integers(1, 4),
)
def test_hits_are_the_entries_that_hold_the_needle(
    found: list[Made], needle: str, start: int, order: Order, size: int
) -> None:
    models = made(found)
    everything = snapshot(models).views[EVERYTHING].by_mask[7]
    chunked = Chunked.of(list(everything), entry_sort_key, size=size)  # many small chunks
    ordered = in_list_order(models)
    if order == "newest":
        expected = [m.id for m in ordered[start:] if holds(m, needle)]
    else:
        expected = [m.id for m in reversed(ordered[: start + 1]) if holds(m, needle)]
    if start >= len(ordered):
        expected = []
    wanted = searched(needle)
    assert wanted is not None
    hits = [e.id for e in SearchIndex().hits(chunked, wanted, start, order)]
    assert hits == expected


@settings(max_examples=150, deadline=None)
@given(
    records,
    st.text(NAME_CHARS, max_size=3),
    st.sampled_from(["", "opus"]),
    st.frozensets(st.sampled_from(LIFECYCLES)),
    st.sampled_from(["newest", "oldest"]),
    st.integers(0, 45),
)
def test_a_filtered_page_and_the_pages_beside_it_are_the_oracles(
    found: list[Made],
    needle: str,
    line: str,
    lifecycles: frozenset[str],
    order: Order,
    start: int,
) -> None:
    models = made(found)
    snap = snapshot(models)
    query = ModelQuery(lifecycles=lifecycles, search=needle, line=line, order=order, start=start)
    filtered = [m for m in in_list_order(models) if not lifecycles or m.lifecycle in lifecycles]
    if order == "oldest":
        filtered.reverse()
    kept = [
        p
        for p, m in enumerate(filtered)
        if holds(m, needle) and (not line or m.row[POSITION["line"]] == line)
    ]
    start = min(start, len(filtered))  # a start past the end is the end
    after, before = [p for p in kept if p >= start], [p for p in kept if p < start]
    size = 3
    previous = None if not before else before[-size] if len(before) >= size else 0
    for index in (SearchIndex(), None):  # with the index, and walking
        listing = list_models(snap, query, size=size, index=index)
        assert [r.id for r in listing.rows] == [filtered[p].id for p in after[:size]]
        assert listing.next_start == (after[size] if len(after) > size else None)
        assert listing.previous_start == previous


def test_a_rare_needle_across_many_chunks_and_after_changes() -> None:
    models = [model(f"m-{i:05d}", i // 3, display_name=f"Model {i}") for i in range(5000)]
    models[1234] = model("m-01234", 1234 // 3, display_name="The Needle")
    snap = snapshot(models)
    index = SearchIndex()
    index.warm(index.listing(snap))
    for order in ("newest", "oldest"):
        listing = list_models(snap, ModelQuery(search="NEEDLE", order=order), index=index)
        assert [r.id for r in listing.rows] == ["m-01234"]
        assert listing.next_start is None
    # A later snapshot shares every chunk but the one a change touched: its search sees the
    # change, and no text of a chunk that left the list is kept.
    changed = snap.apply(
        CatalogueChanges(
            revision=snap.revision + 1,
            organization_id=snap.organization_id,
            models=[model("m-04000", 4000 // 3, display_name="Another needle")],
        )
    )
    listing = list_models(changed, ModelQuery(search="needle"), index=index)
    assert [r.id for r in listing.rows] == ["m-04000", "m-01234"]
    assert index.kept() == len(index.listing(changed).chunks)
