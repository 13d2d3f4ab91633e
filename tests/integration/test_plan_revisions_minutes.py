"""Plan revisions after approval, and the minutes' sign-off (domain/healthwise.md b.1, d.4)."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pypdf
import pytest
from sqlalchemy import delete, func, select

from hospital_osh.domain.roles import Role
from hospital_osh.models import AuditEvent, PlanRevision, User
from hospital_osh.reports.action_plan import action_plan_bytes
from hospital_osh.reports.minutes import minutes_bytes
from hospital_osh.services import actions, committee
from hospital_osh.services import healthwise as hws
from hospital_osh.services.actions import ActionInfo
from hospital_osh.services.committee import CommitteeMemberInfo, MeetingInfo
from hospital_osh.services.context import Actor
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


def _audits(database: Database) -> int:
    with database.session() as session:
        return int(session.scalar(select(func.count(AuditEvent.id))) or 0)


def _members(database: Database, chair_user: int | None = None) -> dict[str, int]:
    with database.transaction() as session:
        made = {}
        for name, role, side in (
            ("李院长", "chair", "management"),
            ("赵护士", "co_chair", "worker"),
            ("孙秘书", "secretary", "management"),
        ):
            info = CommitteeMemberInfo(
                name, role, side, user_id=chair_user if role == "chair" else None
            )
            made[role] = committee.save_member(session, OFFICER, info).id or 0
        return made


def _meeting(database: Database, status: str = "held") -> MeetingInfo:
    with database.transaction() as session:
        return committee.create_meeting(
            session,
            OFFICER,
            MeetingInfo(held_on=TODAY, place="行政楼301", minutes="纪要正文", status=status),
        )


def _approved_plan(database: Database) -> tuple[int, list[int], int]:
    """A round whose plan (two items) the committee approved at a meeting."""
    place = setup(database)
    a, b = place.codes[0], place.codes[1]
    round_ = prioritised_round(database, place, {a: True, b: True})
    assert round_.id is not None
    with database.transaction() as session:
        made = hws.create_actions_from_priorities(
            session, OFFICER, round_.id, due_date=TODAY + dt.timedelta(days=30)
        )
        for item in made:
            actions.update_action(
                session, OFFICER, replace(item, owner_name="王护士长", cost_cny=Decimal("120"))
            )
    move(database, round_.id, "plan_submitted")
    _members(database)
    meeting = _meeting(database)
    with database.transaction() as session:
        committee.record_decision(
            session, COMMITTEE, meeting.id or 0, "approve_plan", assessment_id=round_.id
        )
    return round_.id, [m.id or 0 for m in made], meeting.id or 0


# -- plan revisions -------------------------------------------------------------------------------


def test_approval_freezes_revision_one(database: Database) -> None:
    round_id, _items, meeting_id = _approved_plan(database)
    with database.session() as session:
        plan = hws.get_plan(session, OFFICER, round_id, today=TODAY)
    assert plan.status is not None and not plan.status.changed
    revision = plan.status.current
    assert revision is not None
    assert (revision.number, revision.meeting_id, revision.meeting_date) == (1, meeting_id, TODAY)
    assert revision.item_count == 2 and revision.approved_by_name == "张委员"


def test_changes_after_approval_make_a_pending_revision(database: Database) -> None:
    round_id, items, _ = _approved_plan(database)
    with database.transaction() as session:
        first = actions.get_action(session, OFFICER, items[0])
        actions.update_action(
            session,
            OFFICER,
            replace(first, due_date=TODAY + dt.timedelta(days=60), title="Ceiling hoist, bay 3"),
        )
        second = actions.get_action(session, OFFICER, items[1])
        actions.transition_action(
            session, OFFICER, second.id or 0, "cancelled", reason="Done by facilities"
        )
        point = hws.get_plan(session, OFFICER, round_id).lines[0].checkpoint.code
        added = hws.add_plan_action(session, OFFICER, round_id, point, ActionInfo(title="Train"))
    with database.session() as session:
        status = hws.plan_status(session, OFFICER, round_id)
        agenda = committee.review_items(session, COMMITTEE, today=TODAY)
    assert [(c.reference, c.kind, c.field) for c in status.changes] == [
        (first.reference, "changed", "title"),
        (first.reference, "changed", "due_date"),
        (second.reference, "removed", ""),
        (added.reference, "added", ""),
    ]
    assert "Ceiling hoist, bay 3" in status.changes[0].text
    assert [p.id for p in agenda.changed_plans] == [round_id]
    # the approved revision is unchanged: same items, same values
    with database.session() as session:
        old = hws.get_plan_revision(session, OFFICER, round_id, 1)
    frozen = {a.reference: a for a in old.plan.all_actions}
    assert set(frozen) == {first.reference, second.reference}
    assert frozen[first.reference].title == first.title
    assert frozen[first.reference].due_date == first.due_date
    assert frozen[second.reference].status == "approved"
    assert frozen[first.reference].cost_cny == Decimal("120.00")


def test_the_committee_approves_the_revision(database: Database) -> None:
    round_id, items, _meeting_id = _approved_plan(database)
    with database.transaction() as session:
        item = actions.get_action(session, OFFICER, items[0])
        actions.update_action(session, OFFICER, replace(item, owner_name="李工程师"))
    before = _audits(database)
    second = _meeting(database)
    with database.transaction() as session:
        decision = committee.record_decision(
            session, COMMITTEE, second.id or 0, "approve_revision", assessment_id=round_id
        )
    assert decision.new_status == decision.old_status == "plan_approved"
    assert _audits(database) == before + 2  # the meeting, then the decision with the revision
    with database.session() as session:
        status = hws.plan_status(session, OFFICER, round_id)
        agenda = committee.review_items(session, COMMITTEE, today=TODAY)
    assert [r.number for r in status.revisions] == [1, 2] and not status.changed
    assert status.revisions[1].meeting_id == second.id
    assert agenda.changed_plans == ()
    with database.transaction() as session, pytest.raises(ValidationError) as error:
        hws.approve_plan_revision(session, COMMITTEE, round_id)
    assert "revision 2" in error.value.fields["plan"]


def test_revision_rights_and_states(database: Database) -> None:
    round_id, items, _ = _approved_plan(database)
    with database.transaction() as session:
        item = actions.get_action(session, OFFICER, items[0])
        actions.update_action(session, OFFICER, replace(item, cost_cny=Decimal("99.50")))
    for who in (OFFICER, actor(Role.VIEWER), actor(Role.REPORTER)):
        with database.transaction() as session, pytest.raises(PermissionDenied):
            hws.approve_plan_revision(session, who, round_id)
    before = _audits(database)
    with database.transaction() as session:
        made = hws.approve_plan_revision(session, COMMITTEE, round_id, note="Cost confirmed")
    assert (made.number, made.note, made.item_count) == (2, "Cost confirmed", 2)
    assert _audits(database) == before + 1
    with database.session() as session, pytest.raises(hws.NotFound):
        hws.get_plan_revision(session, OFFICER, round_id, 3)


def test_a_plan_not_yet_approved_has_no_revision(database: Database) -> None:
    place = setup(database)
    round_ = prioritised_round(database, place, {place.codes[0]: True})
    with database.transaction() as session:
        assert hws.plan_status(session, OFFICER, round_.id or 0).revisions == ()
        with pytest.raises(ValidationError) as error:
            hws.approve_plan_revision(session, COMMITTEE, round_.id or 0)
    assert "state" in error.value.fields


# -- minutes sign-off -----------------------------------------------------------------------------


def test_minutes_from_draft_to_locked(database: Database) -> None:
    members = _members(database)
    meeting = _meeting(database)
    mid = meeting.id or 0
    assert (meeting.minutes_state, meeting.minutes_version) == ("draft", 1)
    before = _audits(database)
    with database.transaction() as session:
        circulated = committee.move_minutes(session, OFFICER, mid, "circulated")
        assert circulated.minutes_state == "circulated"
        with pytest.raises(ValidationError) as error:
            committee.update_meeting(session, OFFICER, replace(circulated, minutes="改"))
        assert "minutes_state" in error.value.fields
        with pytest.raises(ValidationError):
            committee.record_decision(
                session, COMMITTEE, mid, "new_action", new_action=ActionInfo(title="x")
            )
        one = committee.sign_minutes(session, OFFICER, mid, members["chair"])
        assert one.minutes_state == "circulated" and [s.name for s in one.signatures] == ["李院长"]
        with pytest.raises(ValidationError):
            committee.sign_minutes(session, OFFICER, mid, members["secretary"])
        with pytest.raises(ValidationError):
            committee.sign_minutes(session, OFFICER, mid, members["chair"])
        both = committee.sign_minutes(session, OFFICER, mid, members["co_chair"])
        assert both.minutes_state == "approved"
        assert [(s.committee_role, s.side, s.recorded_by) for s in both.signatures] == [
            ("chair", "management", "officer"),
            ("co_chair", "worker", "officer"),
        ]
        locked = committee.move_minutes(session, OFFICER, mid, "locked")
        assert locked.minutes_state == "locked"
        with pytest.raises(ValidationError) as error:
            committee.move_minutes(session, OFFICER, mid, "draft", reason="typo")
        assert "minutes_state" in error.value.fields
        with pytest.raises(ValidationError) as error:
            committee.update_meeting(session, OFFICER, replace(locked, minutes="改"))
        assert "locked" in error.value.fields["minutes_state"]
        rows = committee.list_meetings(session, OFFICER)
    assert rows[0].minutes_state == "locked"
    assert _audits(database) == before + 4


def test_correction_after_approval_keeps_the_approved_version(database: Database) -> None:
    members = _members(database)
    mid = _meeting(database).id or 0
    with database.transaction() as session:
        committee.move_minutes(session, OFFICER, mid, "circulated")
        committee.sign_minutes(session, OFFICER, mid, members["chair"])
        committee.sign_minutes(session, OFFICER, mid, members["co_chair"])
        with pytest.raises(ValidationError) as error:
            committee.move_minutes(session, OFFICER, mid, "draft")
        assert "reason" in error.value.fields
        corrected = committee.move_minutes(
            session, OFFICER, mid, "draft", reason="The place was room 302"
        )
        assert (corrected.minutes_state, corrected.minutes_version) == ("draft", 2)
        assert corrected.signatures == () and corrected.minutes_reason == "The place was room 302"
        saved = committee.update_meeting(
            session, OFFICER, replace(corrected, place="行政楼302", minutes="更正后的纪要")
        )
        history = committee.minutes_history(session, OFFICER, mid)
    assert saved.place == "行政楼302"
    assert [(h.version, h.state) for h in history] == [(1, "approved"), (2, "draft")]
    assert history[0].minutes == "纪要正文" and history[0].superseded_at is not None
    assert [s.name for s in history[0].signatures] == ["李院长", "赵护士"]
    assert history[1].minutes == "更正后的纪要"


def test_returning_circulated_minutes_drops_the_approvals(database: Database) -> None:
    members = _members(database)
    mid = _meeting(database).id or 0
    with database.transaction() as session:
        committee.move_minutes(session, OFFICER, mid, "circulated")
        committee.sign_minutes(session, OFFICER, mid, members["chair"])
        back = committee.move_minutes(session, OFFICER, mid, "draft", reason="Add item 4")
    assert (back.minutes_state, back.minutes_version, back.signatures) == ("draft", 1, ())


def test_minutes_of_a_planned_meeting_cannot_circulate(database: Database) -> None:
    mid = _meeting(database, status="planned").id or 0
    with database.transaction() as session, pytest.raises(ValidationError) as error:
        committee.move_minutes(session, OFFICER, mid, "circulated")
    assert "status" in error.value.fields


def test_a_co_chair_with_an_account_signs_with_it(database: Database) -> None:
    with database.transaction() as session:
        user = User(
            username="lidean", display_name="李院长", role=Role.COMMITTEE_MEMBER, password_hash="x"
        )
        session.add(user)
        session.flush()
        user_id = user.id
    members = _members(database, chair_user=user_id)
    mid = _meeting(database).id or 0
    with database.transaction() as session:
        committee.move_minutes(session, OFFICER, mid, "circulated")
        with pytest.raises(PermissionDenied):
            committee.sign_minutes(session, OFFICER, mid, members["chair"])
        own = Actor("lidean", Role.COMMITTEE_MEMBER, user_id=user_id, display_name="李院长")
        signed = committee.sign_minutes(session, own, mid, members["chair"])
    assert signed.signatures[0].recorded_by == "lidean"


@pytest.mark.parametrize("who", [actor(Role.VIEWER), actor(Role.REPORTER)])
def test_only_committee_managers_sign_off(database: Database, who: Actor) -> None:
    members = _members(database)
    mid = _meeting(database).id or 0
    with database.transaction() as session:
        with pytest.raises(PermissionDenied):
            committee.move_minutes(session, who, mid, "circulated")
        committee.move_minutes(session, OFFICER, mid, "circulated")
        with pytest.raises(PermissionDenied):
            committee.sign_minutes(session, who, mid, members["chair"])


# -- PDFs -----------------------------------------------------------------------------------------


def _pdf_text(pdf: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    text = "\n".join(page.extract_text() for page in reader.pages)
    return text.replace("\n", " ") + "\n" + text.replace("\n", "")


@pytest.mark.parametrize(
    ("language", "draft", "approved", "changed"),
    [
        ("en", "DRAFT", "Approved in the application", "Changed since revision 1"),
        ("zh_CN", "草稿", "已在系统中批准", "自第1版批准后已更改"),
    ],
)
def test_pdfs_show_the_sign_off_and_the_revision(
    database: Database, language: str, draft: str, approved: str, changed: str
) -> None:
    round_id, items, meeting_id = _approved_plan(database)
    with database.transaction() as session:
        item = actions.get_action(session, OFFICER, items[0])
        actions.update_action(session, OFFICER, replace(item, owner_name="李工程师"))
        members = committee.list_members(session, OFFICER)
        by_role = {m.committee_role: m.id or 0 for m in members}
        draft_minutes = committee.get_meeting(session, OFFICER, meeting_id)
        committee.move_minutes(session, OFFICER, meeting_id, "circulated")
        committee.sign_minutes(session, OFFICER, meeting_id, by_role["chair"])
        final = committee.sign_minutes(session, OFFICER, meeting_id, by_role["co_chair"])
        live = hws.get_plan(session, OFFICER, round_id, today=TODAY)
        frozen = hws.get_plan_revision(session, OFFICER, round_id, 1)
    options = {"members": members, "invariant": True, "printed_at": dt.datetime(2026, 6, 2, 9)}
    before = minutes_bytes(draft_minutes, language, **options)
    after = minutes_bytes(final, language, **options)
    live_pdf = action_plan_bytes([], language, plan=live, today=TODAY, invariant=True)
    frozen_pdf = action_plan_bytes(
        [], language, plan=frozen.plan, revision=frozen.revision, invariant=True
    )
    out = Path("/tmp/hw_pdfs")
    if out.is_dir():  # for looking at them by eye
        for name, pdf in (("draft", before), ("approved", after), ("live", live_pdf)):
            (out / f"{name}_{language}.pdf").write_bytes(pdf)
        (out / f"revision_{language}.pdf").write_bytes(frozen_pdf)
    before_text, after_text = _pdf_text(before), _pdf_text(after)
    assert draft in before_text and approved not in before_text
    assert draft not in after_text and approved in after_text
    assert "李院长" in after_text and "赵护士" in after_text
    assert changed in _pdf_text(live_pdf) and "李工程师" in _pdf_text(live_pdf)
    frozen_text = _pdf_text(frozen_pdf)
    assert "王护士长" in frozen_text and "李工程师" not in frozen_text


def test_a_plan_approved_before_revisions_were_kept_gets_revision_one(database: Database) -> None:
    """A database upgraded from a version without revisions holds approved plans without any:
    nothing counts as changed, and the committee's next approval records revision 1."""
    round_id, _items, _meeting_id = _approved_plan(database)
    with database.transaction() as session:
        session.execute(delete(PlanRevision))
    with database.session() as session:
        assert hws.plan_status(session, OFFICER, round_id).revisions == ()
        assert committee.review_items(session, COMMITTEE, today=TODAY).changed_plans == ()
    with database.transaction() as session:
        made = hws.approve_plan_revision(session, COMMITTEE, round_id, note="Baseline")
    assert (made.number, made.item_count) == (1, 2)
