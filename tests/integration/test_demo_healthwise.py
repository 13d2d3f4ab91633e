"""The demo's HealthWISE rounds, plans, committee and meetings: complete, consistent, repeatable."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from sqlalchemy import select

from hospital_osh.domain.actions import ActionStatus
from hospital_osh.models import ActionItem
from hospital_osh.services import actions, committee, demo, users
from hospital_osh.services import healthwise as hws
from hospital_osh.services.context import SYSTEM
from hospital_osh.services.database import Database, open_database
from hospital_osh.services.healthwise import AssessmentFilter

TODAY = dt.date(2026, 11, 29)


@pytest.fixture(autouse=True)
def fast_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    hasher = PasswordHasher(time_cost=1, memory_cost=64, parallelism=1)
    monkeypatch.setattr(users, "_hasher", lambda: hasher)


def _build(database: Database, seed: int = 3) -> None:
    demo.build(database, seed=seed, staff=60, records=10, hazards=5, today=TODAY)


def test_two_rounds_per_ward_with_plans_in_every_status(database: Database) -> None:
    _build(database)
    with database.session() as session:
        rounds = hws.list_assessments(session, SYSTEM, limit=1000)
        counts = actions.action_counts(
            session, SYSTEM, actions.ActionFilter(source_kind="healthwise"), today=TODAY
        )
        agenda = committee.review_items(session, SYSTEM, today=TODAY)
        meetings = committee.list_meetings(session, SYSTEM)
        members = committee.list_members(session, SYSTEM)
        second = next(r for r in rounds if r.state == "plan_approved")
        progress = hws.get_progress(session, SYSTEM, second.id)
        closed = hws.list_assessments(session, SYSTEM, AssessmentFilter(states=("closed",)))
        closed_plan = hws.get_plan(session, SYSTEM, closed[0].id, today=TODAY)
    by_department: dict[int | None, int] = {}
    for row in rounds:
        by_department[row.department_id] = by_department.get(row.department_id, 0) + 1
    assert len(by_department) == 5 and set(by_department.values()) == {2}
    assert {r.state for r in rounds} >= {
        "closed",
        "follow_up",
        "in_progress",
        "in_group_review",
        "prioritized",
        "plan_submitted",
        "plan_approved",
    }
    assert set(counts.by_status) == {str(s) for s in ActionStatus}
    assert counts.overdue > 0
    assert agenda.new_plans and agenda.proposed and agenda.awaiting_verification
    assert len(meetings) == 6 and sum(m.decisions for m in meetings) > 5
    assert {m.committee_role for m in members} == {"chair", "co_chair", "secretary", "member"}
    assert progress.previous is not None and progress.proposed_before > 0
    assert all(
        i.status in ("closed", "cancelled", "rejected", "deferred") for i in closed_plan.all_actions
    )


def _snapshot(path: Path, seed: int) -> list[tuple[str, str, str, str]]:
    database = open_database(path)
    try:
        _build(database, seed)
        with database.session() as session:
            return [
                (r.reference, r.title, r.status, str(r.due_date))
                for r in session.scalars(select(ActionItem).order_by(ActionItem.id))
            ]
    finally:
        database.dispose()


def test_the_same_seed_gives_the_same_plans(tmp_path: Path, sqlite_path: Path) -> None:
    copies = []
    for name in ("a", "b", "c"):  # migrated copies: no migration per build
        copies.append(tmp_path / f"{name}.sqlite")
        shutil.copyfile(sqlite_path, copies[-1])
    first = _snapshot(copies[0], 5)
    assert first == _snapshot(copies[1], 5)
    assert first != _snapshot(copies[2], 6)


def test_period_figures_agree_with_the_lists(database: Database) -> None:
    _build(database)
    start, end = TODAY - dt.timedelta(days=400), TODAY
    with database.session() as session:
        figures = hws.period_summary(session, SYSTEM, start, end, today=TODAY)
        rounds = hws.list_assessments(session, SYSTEM, limit=1000)
        items = actions.action_counts(
            session, SYSTEM, actions.ActionFilter(source_kind="healthwise"), today=TODAY
        )
        board = committee.period_summary(session, SYSTEM, start, end)
        meetings = committee.list_meetings(session, SYSTEM)
        proposed = 0
        for row in rounds:
            sheet = hws.get_sheet(session, SYSTEM, row.id)
            proposed += sum(1 for a in sheet.answers if a.answer == "action_proposed")
    assert figures.rounds == len(rounds) == 10 and figures.areas == 5
    assert sum(figures.members_by_sex.values()) == 40
    assert figures.members_by_role == {"facilitator": 10, "manager": 10, "staff": 20}
    assert figures.proposed == proposed and 0 < figures.priorities < figures.proposed
    assert figures.actions == items
    assert board.meetings_held == sum(1 for m in meetings if m.status == "held") == 5
    assert sum(board.decisions_by_kind.values()) == sum(m.decisions for m in meetings)
    assert board.members_by_side == {"management": 3, "worker": 4}
    assert board.worker_share_present is not None and 0 < board.worker_share_present < 1
    with database.session() as session:
        empty = hws.period_summary(session, SYSTEM, TODAY + dt.timedelta(days=1), TODAY)
    assert empty.rounds == 0 and empty.actions.total == 0


def test_approved_plans_have_revisions_and_past_minutes_are_signed(database: Database) -> None:
    _build(database)
    with database.session() as session:
        agenda = committee.review_items(session, SYSTEM, today=TODAY)
        meetings = committee.list_meetings(session, SYSTEM)
        approved = hws.list_assessments(
            session, SYSTEM, AssessmentFilter(states=("plan_approved", "follow_up", "closed"))
        )
        statuses = [hws.plan_status(session, SYSTEM, r.id) for r in approved]
        last_held = next(m for m in meetings if m.status == "held")
        circulated = committee.get_meeting(session, SYSTEM, last_held.id)
    assert all(s.current is not None and s.current.number == 1 for s in statuses)
    assert [len(s.changes) for s in statuses].count(1) == 1  # one ward's plan moved a due date
    assert len(agenda.changed_plans) == 1
    assert [m.minutes_state for m in meetings if m.status == "held"] == [
        "circulated",
        "locked",
        "locked",
        "locked",
        "locked",
    ]
    assert [s.committee_role for s in circulated.signatures] == ["chair"]


def test_the_benchmark_size_adds_years_of_rounds(database: Database) -> None:
    """``--actions`` makes about that many items over years of monthly walk-rounds and yearly
    HealthWISE rounds: old rounds closed with settled items, last year's followed up."""
    demo.build(database, seed=3, staff=60, records=10, hazards=5, actions=3000, today=TODAY)
    with database.session() as session:
        counts = actions.action_counts(session, SYSTEM, actions.ActionFilter(), today=TODAY)
        rounds = hws.list_assessments(session, SYSTEM, limit=10_000)
        oldest = min(rounds, key=lambda r: r.assessed_on)
        old_plan = hws.get_plan(session, SYSTEM, oldest.id, today=TODAY)
        linked = [r for r in rounds if r.previous_id is not None]
        references = session.scalars(select(ActionItem.reference)).all()
    assert 2_700 <= counts.total <= 3_300
    assert {"closed", "cancelled", "rejected", "deferred", "in_progress", "done"} <= set(
        counts.by_status
    )
    assert counts.overdue > 0
    assert oldest.state == "closed" and oldest.assessed_on < TODAY - dt.timedelta(days=365)
    assert old_plan.all_actions and all(
        a.status in ("closed", "cancelled", "rejected", "deferred") for a in old_plan.all_actions
    )
    assert len({r.template_id for r in rounds}) == 2  # IPC walk-rounds and HealthWISE
    assert len(linked) > len(rounds) // 2  # re-assessments point to the area's previous round
    assert len(references) == len(set(references))
    with database.transaction() as session:  # the database takes new items as usual after it
        made = actions.create_action(session, SYSTEM, actions.ActionInfo(title="One more"))
    assert made.reference not in references
