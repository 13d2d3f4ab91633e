"""The committee: members, meetings, the review agenda and decisions applied as transitions."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from hospital_osh.domain.roles import Role
from hospital_osh.models import ActionItem, AuditEvent
from hospital_osh.services import actions, committee
from hospital_osh.services import healthwise as hws
from hospital_osh.services.actions import ActionInfo
from hospital_osh.services.committee import AttendanceInfo, CommitteeMemberInfo, MeetingInfo
from hospital_osh.services.database import Database
from hospital_osh.services.errors import PermissionDenied, ValidationError
from tests.conftest import actor
from tests.integration.healthwise_data import (
    COMMITTEE,
    OFFICER,
    TODAY,
    move,
    prioritised_round,
    setup,
)

REPORTER = actor(Role.REPORTER)


def _item(database: Database, status: str, **changes: object) -> int:
    info = ActionInfo(
        title="Fix the sharps container holders",
        owner_name="王护士长",
        due_date=TODAY + dt.timedelta(days=10),
        resources="Maintenance team",
        cost_cny=Decimal("300"),
    )
    with database.transaction() as session:
        made = actions.create_action(session, OFFICER, replace(info, **changes))  # type: ignore[arg-type]
        row = session.get(ActionItem, made.id)
        assert row is not None
        row.status = status
        return row.id


def _meeting(database: Database) -> MeetingInfo:
    with database.transaction() as session:
        for name, role, side in (
            ("李院长", "chair", "management"),
            ("赵护士", "co_chair", "worker"),
            ("孙秘书", "secretary", "management"),
        ):
            committee.save_member(session, OFFICER, CommitteeMemberInfo(name, role, side))
        return committee.create_meeting(
            session,
            OFFICER,
            MeetingInfo(held_on=TODAY, start_time="14:30", place="行政楼301", agenda="1. 行动计划"),
        )


def test_members_and_meetings(database: Database) -> None:
    meeting = _meeting(database)
    assert [a.name for a in meeting.attendance] == ["李院长", "赵护士", "孙秘书"]
    assert all(a.attendance == "present" for a in meeting.attendance)
    with database.transaction() as session:
        members = committee.list_members(session, OFFICER)
        assert [m.committee_role for m in members] == ["chair", "co_chair", "secretary"]
        absent = tuple(
            replace(a, attendance="absent") if a.name == "赵护士" else a for a in meeting.attendance
        )
        saved = committee.update_meeting(
            session,
            OFFICER,
            replace(
                meeting,
                attendance=(*absent, AttendanceInfo("钱工程师", "guest")),
                minutes="会议纪要",
                status="held",
            ),
        )
        assert [a.attendance for a in saved.attendance] == ["present", "absent", "present", "guest"]
        rows = committee.list_meetings(session, OFFICER)
    assert rows[0].present == 2 and committee.count_meetings.__name__


def test_meeting_validation(database: Database) -> None:
    with database.transaction() as session, pytest.raises(ValidationError) as error:
        committee.create_meeting(
            session,
            OFFICER,
            MeetingInfo(
                start_time="25:00",
                status="held",
                attendance=(AttendanceInfo("甲", "absent"), AttendanceInfo("甲", "absent")),
            ),
        )
    assert set(error.value.fields) == {"held_on", "start_time", "attendance"}


def test_the_review_agenda_gathers_the_business(database: Database) -> None:
    place = setup(database)
    a = place.codes[0]
    round_ = prioritised_round(database, place, {a: True})
    assert round_.id is not None
    with database.transaction() as session:
        hws.create_actions_from_priorities(session, OFFICER, round_.id)
    move(database, round_.id, "plan_submitted")
    overdue = _item(database, "in_progress", due_date=TODAY - dt.timedelta(days=3))
    done = _item(database, "done")
    verified = _item(database, "verified")
    _item(database, "closed")
    with database.session() as session:
        agenda = committee.review_items(session, COMMITTEE, today=TODAY)
    assert [p.id for p in agenda.new_plans] == [round_.id]
    assert len(agenda.proposed) == 1 and agenda.proposed[0].source_item == a
    assert [r.id for r in agenda.overdue] == [overdue]
    assert [r.id for r in agenda.awaiting_verification] == [done]
    assert [r.id for r in agenda.awaiting_closure] == [verified]
    assert agenda.count == 5


def test_decisions_are_applied_and_minuted(database: Database) -> None:
    meeting = _meeting(database)
    assert meeting.id is not None
    proposed = _item(database, "proposed")
    done = _item(database, "done")
    with database.session() as session:
        before = session.scalar(select(func.count(AuditEvent.id)))
    with database.transaction() as session:
        first = committee.record_decision(
            session, COMMITTEE, meeting.id, "approve", action_id=proposed, today=TODAY
        )
        second = committee.record_decision(
            session, COMMITTEE, meeting.id, "verify", action_id=done, today=TODAY
        )
        third = committee.record_decision(
            session,
            COMMITTEE,
            meeting.id,
            "new_action",
            new_action=ActionInfo(title="Train porters in safe lifting"),
        )
        note = committee.record_decision(
            session, COMMITTEE, meeting.id, "note", action_id=done, note="Photos seen"
        )
    assert (first.old_status, first.new_status) == ("proposed", "approved")
    assert (second.new_status, second.position) == ("verified", 2)
    assert third.new_status == "proposed" and third.action_reference.startswith("ACT-")
    assert note.new_status is None and note.note == "Photos seen"
    with database.session() as session:
        after = session.scalar(select(func.count(AuditEvent.id)))
        item = actions.get_action(session, OFFICER, done)
        new = actions.get_action(session, OFFICER, third.action_id or 0)
        minutes = committee.get_meeting(session, OFFICER, meeting.id)
    assert after == (before or 0) + 4  # one event per decision, transition included
    assert item.status == "verified" and item.verified_by == "张委员"
    assert new.source_kind == "committee" and new.source_id == meeting.id
    assert [d.decision for d in minutes.decisions] == ["approve", "verify", "new_action", "note"]


def test_a_refused_transition_records_no_decision(database: Database) -> None:
    meeting = _meeting(database)
    owned = _item(database, "done", owner_name="张委员")
    with database.transaction() as session, pytest.raises(ValidationError) as error:
        committee.record_decision(session, COMMITTEE, meeting.id or 0, "verify", action_id=owned)
    assert "verifier" in error.value.fields
    with database.transaction() as session, pytest.raises(ValidationError) as error:
        committee.record_decision(session, COMMITTEE, meeting.id or 0, "reject", action_id=owned)
    with database.session() as session:
        assert committee.get_meeting(session, OFFICER, meeting.id or 0).decisions == ()


def test_plan_decisions(database: Database) -> None:
    place = setup(database)
    round_ = prioritised_round(database, place, {place.codes[0]: True})
    assert round_.id is not None
    with database.transaction() as session:
        hws.create_actions_from_priorities(session, OFFICER, round_.id)
    move(database, round_.id, "plan_submitted")
    meeting = _meeting(database)
    with database.transaction() as session:
        decision = committee.record_decision(
            session, COMMITTEE, meeting.id or 0, "approve_plan", assessment_id=round_.id
        )
        state = hws.get_assessment(session, OFFICER, round_.id).state
    assert (decision.old_status, decision.new_status, state) == (
        "plan_submitted",
        "plan_approved",
        "plan_approved",
    )


@pytest.mark.parametrize("who", [OFFICER, REPORTER, actor(Role.VIEWER)])
def test_only_committee_members_decide(database: Database, who: object) -> None:
    meeting = _meeting(database)
    proposed = _item(database, "proposed")
    with database.transaction() as session, pytest.raises(PermissionDenied):
        committee.record_decision(
            session,
            who,
            meeting.id or 0,
            "approve",
            action_id=proposed,  # type: ignore[arg-type]
        )


def test_reporters_cannot_manage_the_committee(database: Database) -> None:
    with database.transaction() as session, pytest.raises(PermissionDenied):
        committee.save_member(session, REPORTER, CommitteeMemberInfo("X"))
    with database.transaction() as session, pytest.raises(PermissionDenied):
        committee.create_meeting(session, REPORTER, MeetingInfo(held_on=TODAY))
    with database.session() as session, pytest.raises(PermissionDenied):
        committee.list_meetings(session, REPORTER)
