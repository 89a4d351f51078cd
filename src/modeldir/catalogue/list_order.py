"""The list order (D8): `created_at` descending, then `id` ascending, as one comparable string.

A sort key is the inverted release time as 12 fixed-width digits followed by the id. Because the
prefix has a fixed width, comparing two keys as strings compares `(-created_at, id)` as a tuple,
so the order is total and a bisect finds any id's position, even one no longer listed.
"""

from __future__ import annotations

from modeldir.catalogue.timestamps import MAX_EPOCH, MIN_EPOCH

_WIDTH = len(str(MAX_EPOCH - MIN_EPOCH))


def sort_key(created_at: int, model_id: str) -> str:
    """The key that places a model in list order (newest first, ties by id)."""
    return f"{MAX_EPOCH - created_at:0{_WIDTH}d}{model_id}"


def release_time(key: str) -> int:
    """The release time (`created_at`, epoch seconds) a sort key was made from."""
    return MAX_EPOCH - int(key[:_WIDTH])
