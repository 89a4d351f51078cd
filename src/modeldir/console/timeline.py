"""The lifecycle timeline: each dated model from release to retirement, drawn as SVG.

Which models have lifecycle dates is read from the snapshot once per revision (tails, which hold
the dates, are shared between models, so each distinct one is parsed once) and remembered.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from modeldir.catalogue.access import EVERYTHING
from modeldir.catalogue.snapshot import Snapshot
from modeldir.console.listing import model_json, tail_of

MAX_ROWS = 300
DAY = 86400
WIDTH, LABEL, ROW, TOP = 960, 260, 20, 28
COLOURS = {"active": "#1e9e75", "deprecated": "#c2862e", "retired": "#8a8f98"}


def epoch(text: str | None) -> int | None:
    """An RFC 3339 instant as epoch seconds."""
    if text is None:
        return None
    return int(datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC).timestamp())


@dataclass(frozen=True, slots=True)
class Dated:
    """One model on the timeline."""

    id: str
    display_name: str
    lifecycle: str
    created_at: int
    deprecated_at: int | None
    retires_at: int | None


@dataclass(frozen=True, slots=True)
class Bar:
    """A coloured stretch of one row of the picture."""

    x: float
    width: float
    colour: str
    lifecycle: str


@dataclass(frozen=True, slots=True)
class Picture:
    width: int
    height: int
    rows: list[tuple[Dated, float, list[Bar]]]
    """Each model with the y of its row and its bars."""
    today_x: float
    ticks: list[tuple[float, str]]


def dated_models(snapshot: Snapshot) -> tuple[list[Dated], int]:
    """The models with a deprecation or retirement date (newest first, at most MAX_ROWS), and
    how many such models there are in all."""
    found: list[Dated] = []
    count = 0
    for entry in snapshot.visible(EVERYTHING, 7):
        if entry.id != entry.model_id:
            continue  # a listed alias: its model is on the timeline already
        tail = tail_of(entry)
        if tail["deprecated_at"] is None and tail["retires_at"] is None:
            continue
        count += 1
        if len(found) < MAX_ROWS:
            data = model_json(entry)
            found.append(
                Dated(
                    entry.id,
                    data["display_name"],
                    data["lifecycle"],
                    epoch(data["created_at"]) or 0,
                    epoch(data["deprecated_at"]),
                    epoch(data["retires_at"]),
                )
            )
    return found, count


def retiring_within(models: list[Dated], now: int, days: int) -> list[Dated]:
    """The models whose retirement falls between now and `days` days from now, soonest first."""
    soon = [
        m for m in models if m.retires_at is not None and now <= m.retires_at <= now + days * DAY
    ]
    return sorted(soon, key=lambda m: (m.retires_at, m.id))


def picture(models: list[Dated], now: int) -> Picture:
    """Where each bar goes: time runs left to right, oldest release to past the last date."""
    start = min([m.created_at for m in models] + [now - 365 * DAY])
    ends = [d for m in models for d in (m.deprecated_at, m.retires_at) if d is not None]
    end = max([*ends, now]) + 30 * DAY
    span = WIDTH - LABEL - 10

    def x(moment: int) -> float:
        return round(LABEL + (moment - start) / (end - start) * span, 1)

    rows = []
    for index, model in enumerate(models):
        stops = [
            (model.created_at, "active"),
            *([(model.deprecated_at, "deprecated")] if model.deprecated_at is not None else []),
            *([(model.retires_at, "retired")] if model.retires_at is not None else []),
        ]
        bars = []
        for (begin, phase), (finish, _) in zip(stops, [*stops[1:], (end, "")], strict=True):
            if phase == "retired" and finish == end:
                finish = begin + 7 * DAY  # a short mark: retired from here on
            bars.append(Bar(x(begin), max(1.0, x(finish) - x(begin)), COLOURS[phase], phase))
        rows.append((model, float(TOP + index * ROW), bars))
    ticks = []
    year = datetime.fromtimestamp(start, UTC).year + 1
    while (tick := int(datetime(year, 1, 1, tzinfo=UTC).timestamp())) < end:
        ticks.append((x(tick), str(year)))
        year += 1
    return Picture(WIDTH, TOP + len(models) * ROW + 10, rows, x(now), ticks)
