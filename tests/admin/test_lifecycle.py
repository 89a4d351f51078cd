"""Retirement warnings: the report, the automatic retirement of overdue models and its schedule,
on both backends, with a clock the test sets. What each report must say is written out here
from the models the test made, never read back from the code under test."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from modeldir.admin import inputs
from modeldir.admin.bootstrap import initialize
from modeldir.admin.lifecycle import RetirementSchedule
from modeldir.admin.service import Actor, AdminService
from modeldir.store import Store
from tests.support.openapi import assert_documented
from tests.support.outbox import endpoint, events

NOW = int(datetime(2030, 6, 1, tzinfo=UTC).timestamp())
DAY = 86_400


def at(seconds: int) -> str:
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def model(model_id: str, lifecycle: str = "active", retires: int | None = None) -> dict[str, Any]:
    made: dict[str, Any] = {
        "id": model_id,
        "display_name": model_id.upper(),
        "lifecycle": lifecycle,
    }
    made["created_at"] = "2029-01-01T00:00:00Z"
    if lifecycle != "active":
        made["deprecated_at"] = "2030-01-01T00:00:00Z"
    if retires is not None:
        made["retires_at"] = at(retires)
    return made


class Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock(NOW)


@pytest.fixture
def admin(store: Store, clock: Clock) -> AdminService:
    initialize(store, seed=False)
    return AdminService(store, Actor("cli", "tests"), clock)


MODELS = [
    model("soon", retires=NOW + 10 * DAY),  # active, with a date inside the window
    model("later", retires=NOW + 200 * DAY),  # active, outside it
    model("plain"),  # active, no date: never listed
    model("old", "deprecated"),  # deprecated, no date: always listed, last
    model("overdue", "deprecated", retires=NOW - 3 * DAY),
    model("team/next", "deprecated", retires=NOW + 40 * DAY),
    model("gone", "retired", retires=NOW - 100 * DAY),  # retired: never listed
    model("dropped", "deprecated", retires=NOW + DAY),  # deleted below: never listed
]


def made(admin: AdminService) -> None:
    admin.import_catalogue({"models": MODELS})
    admin.delete_model("dropped")


def test_the_report_lists_deprecated_and_soon_retiring_models_with_who_sees_them(
    store: Store, admin: AdminService
) -> None:
    made(admin)
    admin.create_alias(inputs.AliasCreate(alias="soon-latest", model="soon"))
    admin.create_alias(inputs.AliasCreate(alias="a-soon", model="soon"))
    admin.create_alias(inputs.AliasCreate(alias="next", model="team/next"))
    default = admin.list_workspaces(inputs.WorkspaceListParams())  # the default is not listed
    assert default["data"] == []
    team = admin.create_workspace(
        inputs.WorkspaceCreate(name="team", model_access=["team/*", "soon"])
    ).object
    archived = admin.create_workspace(inputs.WorkspaceCreate(name="archived")).object
    admin.archive_workspace(archived["id"])
    everyone = admin.create_workspace(inputs.WorkspaceCreate(name="everyone")).object
    with store.reader() as reader:
        default_id = next(w.id for w in reader.workspaces() if w.is_default)
        default_name = next(w.name for w in reader.workspaces() if w.is_default)

    every = [
        {"id": everyone["id"], "name": "everyone"},
        {"id": default_id, "name": default_name},
    ]
    every.sort(key=lambda w: w["name"])
    with_team = sorted([*every, {"id": team["id"], "name": "team"}], key=lambda w: w["name"])

    report = admin.lifecycle_report(inputs.LifecycleReportParams(within_days=90))
    assert report["type"] == "lifecycle_report" and report["within_days"] == 90
    assert report["as_of"] == "2030-06-01T00:00:00Z"
    assert report["data"] == [
        {
            "type": "retiring_model",
            "id": "overdue",
            "display_name": "OVERDUE",
            "lifecycle": "deprecated",
            "deprecated_at": "2030-01-01T00:00:00Z",
            "retires_at": at(NOW - 3 * DAY),
            "days_left": -3,
            "overdue": True,
            "aliases": [],
            "workspaces": every,
        },
        {
            "type": "retiring_model",
            "id": "soon",
            "display_name": "SOON",
            "lifecycle": "active",
            "deprecated_at": None,
            "retires_at": at(NOW + 10 * DAY),
            "days_left": 10,
            "overdue": False,
            "aliases": ["a-soon", "soon-latest"],
            "workspaces": with_team,
        },
        {
            "type": "retiring_model",
            "id": "team/next",
            "display_name": "TEAM/NEXT",
            "lifecycle": "deprecated",
            "deprecated_at": "2030-01-01T00:00:00Z",
            "retires_at": at(NOW + 40 * DAY),
            "days_left": 40,
            "overdue": False,
            "aliases": ["next"],
            "workspaces": with_team,
        },
        {
            "type": "retiring_model",
            "id": "old",
            "display_name": "OLD",
            "lifecycle": "deprecated",
            "deprecated_at": "2030-01-01T00:00:00Z",
            "retires_at": None,
            "days_left": None,
            "overdue": False,
            "aliases": [],
            "workspaces": every,
        },
    ]
    assert_documented("GET", "/lifecycle/report", report)
    # A shorter window keeps every deprecated model and drops the active one beyond it.
    short = admin.lifecycle_report(inputs.LifecycleReportParams(within_days=5))
    assert [m["id"] for m in short["data"]] == ["overdue", "team/next", "old"]
    # A longer one takes in the active model 200 days away.
    long = admin.lifecycle_report(inputs.LifecycleReportParams(within_days=365))
    assert [m["id"] for m in long["data"]] == ["overdue", "soon", "team/next", "later", "old"]


def test_overdue_models_are_retired_each_as_an_audited_change_told_to_webhooks(
    store: Store, admin: AdminService, clock: Clock
) -> None:
    made(admin)
    endpoint(admin)
    revision = store.revision()
    assert admin.retire_overdue() == ["overdue"]
    assert store.revision() == revision + 1
    retired = admin.get_model("overdue").object
    # Only the lifecycle moves: the dates are the ones the operator gave.
    assert (retired["lifecycle"], retired["deprecated_at"], retired["retires_at"]) == (
        "retired",
        "2030-01-01T00:00:00Z",
        at(NOW - 3 * DAY),
    )
    assert admin.retire_overdue() == []  # nothing more is due: nothing written
    assert store.revision() == revision + 1

    clock.now = NOW + 40 * DAY  # team/next's date arrives; soon's (active) passed long ago
    assert admin.retire_overdue() == ["team/next"]
    assert admin.get_model("soon").object["lifecycle"] == "active"  # only deprecated models
    assert events(store) == [
        ("model.lifecycle_changed", "overdue"),
        ("model.lifecycle_changed", "team/next"),
    ]
    audit = admin.audit_log(inputs.AuditListParams(action="model.retire"))["data"]
    assert [
        (e["object"]["id"], e["before"]["lifecycle"], e["after"]["lifecycle"]) for e in audit
    ] == [
        ("team/next", "deprecated", "retired"),
        ("overdue", "deprecated", "retired"),
    ]


def test_one_schedule_of_several_claims_each_period(
    store: Store, admin: AdminService, clock: Clock
) -> None:
    made(admin)
    others = [
        RetirementSchedule(AdminService(store, Actor("schedule", f"worker-{i}"), clock), 60)
        for i in range(3)
    ]
    # The first look of the first worker claims the period and retires what is due.
    assert [s.tick() for s in others] == [True, False, False]
    assert admin.get_model("overdue").object["lifecycle"] == "retired"
    clock.now += 59
    assert [s.tick() for s in others] == [False, False, False]  # still the same period
    clock.now += 1 + 40 * DAY
    assert [s.tick() for s in others] == [True, False, False]  # the next: team/next is due
    assert admin.get_model("team/next").object["lifecycle"] == "retired"
    clock.now += 60
    # Claimed, with nothing due: it says no change.
    assert [s.tick() for s in reversed(others)] == [False, False, False]
    entries = admin.audit_log(inputs.AuditListParams(action="model.retire"))["data"]
    assert [e["actor"]["id"] for e in entries] == ["worker-0", "worker-0"]
