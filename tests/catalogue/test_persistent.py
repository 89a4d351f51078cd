"""The persistent structures behave exactly like the plain list and dict they stand in for."""

from __future__ import annotations

from bisect import bisect_left, bisect_right

from hypothesis import given
from hypothesis import strategies as st

from modeldir.catalogue.persistent import Chunked, Overlay

KEYS = st.text(alphabet="abcdefgh", min_size=1, max_size=3)


@given(
    start=st.lists(KEYS, unique=True).map(sorted),
    edits=st.lists(st.tuples(st.booleans(), KEYS)),
    size=st.integers(1, 4),
)
def test_chunked_edits_match_a_sorted_list(
    start: list[str], edits: list[tuple[bool, str]], size: int
) -> None:
    chunked, reference = Chunked.of(start, str, size), list(start)
    versions = [(chunked, list(reference))]
    for insert, key in edits:
        if insert and key not in reference:
            chunked = chunked.inserted(key)
            reference = sorted([*reference, key])
        elif not insert:
            chunked = chunked.removed(key)
            reference = [k for k in reference if k != key]
        versions.append((chunked, list(reference)))
        assert all(len(chunk) <= 2 * size for chunk in chunked.chunks)
    # Every version still reads as it did when it was made: edits never touch an old one.
    for version, expected in versions:
        assert list(version) == expected
        assert len(version) == len(expected)


@given(
    items=st.lists(KEYS, unique=True).map(sorted),
    probe=KEYS,
    bounds=st.tuples(st.integers(-3, 40), st.integers(-3, 40)),
    size=st.integers(1, 4),
)
def test_chunked_positions_and_windows_match_bisect_and_slices(
    items: list[str], probe: str, bounds: tuple[int, int], size: int
) -> None:
    chunked = Chunked.of(items, str, size)
    assert chunked.position(probe, after=True) == bisect_right(items, probe)
    assert chunked.position(probe, after=False) == bisect_left(items, probe)
    start, stop = bounds
    assert list(chunked.window(start, stop)) == items[max(start, 0) : max(stop, 0)]


@given(
    start=st.dictionaries(KEYS, st.integers()),
    edits=st.lists(st.tuples(st.dictionaries(KEYS, st.integers()), st.lists(KEYS))),
    fold_at=st.integers(1, 6),
)
def test_overlay_matches_a_dict(
    start: dict[str, int], edits: list[tuple[dict[str, int], list[str]]], fold_at: int
) -> None:
    overlay, reference = Overlay(dict(start), fold_at=fold_at), dict(start)
    for sets, removals in edits:
        before = dict(overlay)
        newer = overlay.updated(sets, removals)
        reference.update(sets)
        for key in removals:
            reference.pop(key, None)
        assert dict(overlay) == before  # the old version is untouched
        overlay = newer
        assert dict(overlay) == reference
        assert len(overlay) == len(reference)
        for key in ["a", "b", "ab", *sets, *removals]:
            assert (key in overlay) == (key in reference)
            assert overlay.get(key) == reference.get(key)
