"""Instants: parsed leniently, stored as whole epoch seconds, written as `YYYY-MM-DDTHH:MM:SSZ`."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from functools import lru_cache

# The range of datetime, so every stored value can be written back (year 1 to 9999).
MIN_EPOCH = int(datetime(1, 1, 1, tzinfo=UTC).timestamp())
MAX_EPOCH = int(datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC).timestamp())


def parse_timestamp(value: object) -> object:
    """Read RFC 3339 text, a bare date or a datetime as a UTC instant with whole seconds.

    Text without a zone is taken as UTC. Anything else is returned unchanged so that pydantic
    reports it with its own message.
    """
    moment: datetime
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        moment = datetime.combine(value, time(), tzinfo=UTC)
    elif isinstance(value, str):
        text = value.strip()
        try:
            moment = datetime.fromisoformat(text.replace("z", "Z"))
        except ValueError:
            raise ValueError(
                f"{value!r} is not an RFC 3339 date-time such as 2026-04-14T00:00:00Z"
            ) from None
    else:
        return value
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    try:
        return moment.astimezone(UTC).replace(microsecond=0)
    except OverflowError:  # an offset that moves year 1 or 9999 out of range
        raise ValueError(f"{value!r} is outside the years 0001 to 9999 in UTC") from None


@lru_cache(maxsize=65536)
def format_epoch(seconds: int) -> str:
    """`YYYY-MM-DDTHH:MM:SSZ` for whole epoch seconds (cached: catalogues share few dates)."""
    d = datetime.fromtimestamp(seconds, UTC)
    # Not strftime: glibc writes year 1 as "1", not "0001".
    return f"{d.year:04d}-{d.month:02d}-{d.day:02d}T{d.hour:02d}:{d.minute:02d}:{d.second:02d}Z"


def format_rfc3339(moment: datetime) -> str:
    """`YYYY-MM-DDTHH:MM:SSZ` for a datetime (D18)."""
    return format_epoch(int(moment.astimezone(UTC).timestamp()))
