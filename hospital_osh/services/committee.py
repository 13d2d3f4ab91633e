"""The OSH committee: members, meetings, the items to review and the decisions taken.

At a meeting the items to review come up by themselves (``review_items``): plans submitted for
approval, proposed items, overdue items, items done and awaiting verification, verified items
awaiting closure. Each decision is recorded against the meeting and, where it is a status change
(approve, reject, verify, reopen, close, defer; approve or return a HealthWISE plan), applied
through the same guards as anywhere else, in the same transaction and under one audit event.

Minutes go Draft -> Circulated -> Approved (when both co-chairs have approved: name, role,
time) -> Locked (domain/healthwise.md d.4). Only draft minutes change (the meeting's details,
attendance, agenda, minutes text and decisions); a correction after approval keeps the approved
version as a read-only snapshot with its approvals and starts a new draft version.

Rights: reading needs ``VIEW_ACTIONS``; members, meetings and the minutes' sign-off need
``MANAGE_COMMITTEE``; decisions need ``DECIDE_ACTIONS``.

API::

    save_member(session, actor, info) -> CommitteeMemberInfo
    list_members(session, actor, active_only=False) -> list[CommitteeMemberInfo]
    create_meeting(session, actor, info) -> MeetingInfo
    update_meeting(session, actor, info) -> MeetingInfo
    get_meeting(session, actor, meeting_id) -> MeetingInfo
    list_meetings(session, actor, offset=0, limit=100) -> list[MeetingRow]
    count_meetings(session, actor) -> int
    review_items(session, actor, today=None) -> ReviewAgenda
    record_decision(session, actor, meeting_id, decision, *, action_id=None,
                    assessment_id=None, note="", new_due_date=None, new_action=None,
                    today=None) -> DecisionInfo
    move_minutes(session, actor, meeting_id, target, *, reason="", version=None) -> MeetingInfo
    sign_minutes(session, actor, meeting_id, member_id) -> MeetingInfo
    minutes_history(session, actor, meeting_id) -> list[MinutesVersionInfo]
    period_summary(session, actor, start, end) -> CommitteeSummary
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hospital_osh.domain import committee as rules
from hospital_osh.domain.actions import ActionStatus
from hospital_osh.domain.codes import SEXES
from hospital_osh.domain.healthwise import State
from hospital_osh.domain.roles import Permission
from hospital_osh.i18n import _, current_language
from hospital_osh.models import (
    ActionItem,
    Assessment,
    CommitteeMeeting,
    CommitteeMember,
    Department,
    MeetingAttendance,
    MeetingDecision,
    MinutesSignature,
    MinutesVersion,
    User,
)
from hospital_osh.models.base import utcnow
from hospital_osh.services import actions, audit, healthwise
from hospital_osh.services.actions import ActionFilter, ActionInfo, ActionRow
from hospital_osh.services.context import Actor
from hospital_osh.services.errors import Conflict, NotFound, PermissionDenied, ValidationError
from hospital_osh.services.healthwise import AssessmentFilter, AssessmentRow
from hospital_osh.services.text_checks import text_problem

ENTITY_MEMBER = "committee_member"
ENTITY_MEETING = "committee_meeting"
_TIME = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


# -- DTOs ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CommitteeMemberInfo:
    name: str = ""
    committee_role: str = "member"
    side: str = "worker"
    department_id: int | None = None
    sex: str | None = None
    user_id: int | None = None
    term_start: dt.date | None = None
    term_end: dt.date | None = None
    active: bool = True
    id: int | None = None
    version: int | None = None


@dataclass(frozen=True)
class AttendanceInfo:
    name: str
    attendance: str = "present"  # present, absent, guest
    side: str = ""
    member_id: int | None = None


@dataclass(frozen=True)
class DecisionInfo:
    id: int
    position: int
    decision: str
    action_id: int | None
    action_reference: str
    assessment_id: int | None
    subject: str
    old_status: str | None
    new_status: str | None
    note: str
    decided_by: str
    created_at: dt.datetime


@dataclass(frozen=True)
class SignatureInfo:
    """A co-chair's approval of a version of the minutes."""

    name: str
    committee_role: str
    side: str
    signed_at: dt.datetime
    recorded_by: str
    member_id: int | None = None


@dataclass(frozen=True)
class MinutesVersionInfo:
    """One version of a meeting's minutes; earlier versions carry what they said."""

    version: int
    state: str
    reason: str
    state_changed_at: dt.datetime | None
    state_changed_by: str
    superseded_at: dt.datetime | None
    signatures: tuple[SignatureInfo, ...]
    minutes: str = ""  # the text as approved, for superseded versions
    agenda: str = ""


@dataclass(frozen=True)
class MeetingInfo:
    held_on: dt.date | None = None
    start_time: str = ""
    place: str = ""
    agenda: str = ""
    minutes: str = ""
    status: str = "planned"
    next_meeting_on: dt.date | None = None
    attendance: tuple[AttendanceInfo, ...] = ()
    # -- read-only --
    id: int | None = None
    version: int | None = None
    uuid: str = ""
    decisions: tuple[DecisionInfo, ...] = ()
    created_by: str = ""
    minutes_state: str = rules.MinutesState.DRAFT
    minutes_version: int = 1
    minutes_reason: str = ""  # why this version corrects the previous one
    signatures: tuple[SignatureInfo, ...] = ()

    @property
    def present(self) -> tuple[AttendanceInfo, ...]:
        return tuple(a for a in self.attendance if a.attendance == "present")


@dataclass(frozen=True)
class MeetingRow:
    id: int
    held_on: dt.date
    place: str
    status: str
    present: int
    decisions: int
    minutes_state: str = rules.MinutesState.DRAFT


@dataclass(frozen=True)
class ReviewAgenda:
    """What the committee should look at, gathered from the action items and the plans."""

    new_plans: tuple[AssessmentRow, ...]
    proposed: tuple[ActionRow, ...]
    overdue: tuple[ActionRow, ...]
    awaiting_verification: tuple[ActionRow, ...]
    awaiting_closure: tuple[ActionRow, ...]
    changed_plans: tuple[AssessmentRow, ...] = ()  # approved plans edited since approval

    @property
    def count(self) -> int:
        return sum(
            len(part)
            for part in (
                self.new_plans,
                self.proposed,
                self.overdue,
                self.awaiting_verification,
                self.awaiting_closure,
                self.changed_plans,
            )
        )


# -- members ------------------------------------------------------------------------------------


def _member_info(row: CommitteeMember) -> CommitteeMemberInfo:
    return CommitteeMemberInfo(
        name=row.name,
        committee_role=row.committee_role,
        side=row.side,
        department_id=row.department_id,
        sex=row.sex,
        user_id=row.user_id,
        term_start=row.term_start,
        term_end=row.term_end,
        active=row.active,
        id=row.id,
        version=row.version,
    )


_MEMBER_FIELDS = (
    "name",
    "committee_role",
    "side",
    "department_id",
    "sex",
    "user_id",
    "term_start",
    "term_end",
    "active",
)


def _validate_member(session: Session, info: CommitteeMemberInfo) -> dict[str, str]:
    errors: dict[str, str] = {}
    problem = text_problem(info.name, 120)
    if not info.name.strip():
        errors["name"] = _("Enter the member's name.")
    elif problem:
        errors["name"] = problem
    if info.committee_role not in rules.COMMITTEE_ROLES:
        errors["committee_role"] = _("Choose the role on the committee.")
    if info.side not in rules.SIDES:
        errors["side"] = _("Choose whom the member represents.")
    if info.sex and info.sex not in SEXES:
        errors["sex"] = _("Choose the sex from the list.")
    if info.department_id is not None and session.get(Department, info.department_id) is None:
        errors["department_id"] = _("Choose a department from the list.")
    if info.user_id is not None and session.get(User, info.user_id) is None:
        errors["user_id"] = _("The chosen user no longer exists.")
    if info.term_start and info.term_end and info.term_end < info.term_start:
        errors["term_end"] = _("The term ends before it starts.")
    return errors


def save_member(session: Session, actor: Actor, info: CommitteeMemberInfo) -> CommitteeMemberInfo:
    """Add a member (``info.id`` None) or change one."""
    actor.require(Permission.MANAGE_COMMITTEE)
    info = replace(info, name=info.name.strip(), sex=info.sex or None)
    errors = _validate_member(session, info)
    if errors:
        raise ValidationError(errors)
    values = {name: getattr(info, name) for name in _MEMBER_FIELDS}
    if info.id is None:
        row = CommitteeMember(**values)
        session.add(row)
        session.flush()
        audit.record(session, actor, "create", ENTITY_MEMBER, row.id, audit.created(values))
        return _member_info(row)
    existing = session.get(CommitteeMember, info.id)
    if existing is None:
        raise NotFound(_("The committee member no longer exists."))
    row = existing
    if info.version is not None and info.version != row.version:
        raise Conflict(
            _(
                "Someone else changed this record since you opened it. "
                "Close it, open it again and repeat your change."
            )
        )
    before = {name: getattr(row, name) for name in _MEMBER_FIELDS}
    changes = audit.diff(before, values)
    if changes:
        for name in changes:
            setattr(row, name, values[name])
        session.flush()
        audit.record(session, actor, "update", ENTITY_MEMBER, row.id, changes)
    return _member_info(row)


def list_members(
    session: Session, actor: Actor, active_only: bool = False
) -> list[CommitteeMemberInfo]:
    """Members, chairs first, then secretaries, then by name."""
    actor.require(Permission.VIEW_ACTIONS)
    order = {code: index for index, code in enumerate(rules.COMMITTEE_ROLES.codes)}
    query = select(CommitteeMember)
    if active_only:
        query = query.where(CommitteeMember.active.is_(True))
    rows = sorted(
        session.scalars(query), key=lambda r: (order.get(r.committee_role, 99), r.name, r.id)
    )
    return [_member_info(r) for r in rows]


# -- meetings -----------------------------------------------------------------------------------


def _decision_info(row: MeetingDecision, reference: str) -> DecisionInfo:
    return DecisionInfo(
        id=row.id,
        position=row.position,
        decision=row.decision,
        action_id=row.action_id,
        action_reference=reference,
        assessment_id=row.assessment_id,
        subject=row.subject,
        old_status=row.old_status,
        new_status=row.new_status,
        note=row.note,
        decided_by=row.decided_by,
        created_at=row.created_at,
    )


def _signature_info(row: MinutesSignature) -> SignatureInfo:
    return SignatureInfo(
        row.name, row.committee_role, row.side, row.signed_at, row.recorded_by, row.member_id
    )


def _current_minutes(session: Session, meeting_id: int) -> MinutesVersion | None:
    return session.scalar(
        select(MinutesVersion)
        .where(MinutesVersion.meeting_id == meeting_id)
        .order_by(MinutesVersion.version.desc())
        .limit(1)
    )


def _meeting_info(session: Session, row: CommitteeMeeting) -> MeetingInfo:
    minutes = _current_minutes(session, row.id)
    decisions = session.execute(
        select(MeetingDecision, ActionItem.reference)
        .outerjoin(ActionItem, MeetingDecision.action_id == ActionItem.id)
        .where(MeetingDecision.meeting_id == row.id)
        .order_by(MeetingDecision.position)
    ).all()
    return MeetingInfo(
        held_on=row.held_on,
        start_time=row.start_time,
        place=row.place,
        agenda=row.agenda,
        minutes=row.minutes,
        status=row.status,
        next_meeting_on=row.next_meeting_on,
        attendance=tuple(
            AttendanceInfo(a.name, a.attendance, a.side, a.member_id) for a in row.attendance
        ),
        id=row.id,
        version=row.version,
        uuid=row.uuid,
        decisions=tuple(_decision_info(d, ref or "") for d, ref in decisions),
        created_by=row.created_by,
        minutes_state=minutes.state if minutes else rules.MinutesState.DRAFT,
        minutes_version=minutes.version if minutes else 1,
        minutes_reason=minutes.reason if minutes else "",
        signatures=tuple(_signature_info(g) for g in minutes.signatures) if minutes else (),
    )


def _validate_meeting(session: Session, info: MeetingInfo) -> dict[str, str]:
    errors: dict[str, str] = {}
    if info.held_on is None:
        errors["held_on"] = _("Give the date of the meeting.")
    if info.start_time and not _TIME.match(info.start_time):
        errors["start_time"] = _("Give the time as HH:MM, for example 14:30.")
    if info.status not in rules.MEETING_STATUSES:
        errors["status"] = _("Choose the meeting's status.")
    for name, limit, multiline in (
        ("place", 200, False),
        ("agenda", None, True),
        ("minutes", None, True),
    ):
        problem = text_problem(getattr(info, name), limit, multiline=multiline)
        if problem:
            errors[name] = problem
    if info.next_meeting_on and info.held_on and info.next_meeting_on <= info.held_on:
        errors["next_meeting_on"] = _("The next meeting must come after this one.")
    names: set[str] = set()
    for entry in info.attendance:
        name = entry.name.strip()
        if not name or text_problem(name, 120):
            errors["attendance"] = _("Each person on the attendance list needs a name.")
        elif entry.attendance not in rules.ATTENDANCE:
            errors["attendance"] = _("{name}: choose present, absent or guest.").format(name=name)
        elif entry.side and entry.side not in rules.SIDES:
            errors["attendance"] = _("{name}: choose whom the person represents.").format(name=name)
        elif name in names:
            errors["attendance"] = _("{name} is on the attendance list twice.").format(name=name)
        elif entry.member_id is not None and session.get(CommitteeMember, entry.member_id) is None:
            errors["attendance"] = _("The committee member no longer exists.")
        names.add(name)
    if info.status == "held" and not any(a.attendance == "present" for a in info.attendance):
        errors.setdefault("attendance", _("A meeting that was held needs who was present."))
    return errors


def _meeting_values(info: MeetingInfo) -> dict[str, Any]:
    return {
        "held_on": info.held_on,
        "start_time": info.start_time.strip(),
        "place": info.place.strip(),
        "agenda": info.agenda.strip(),
        "minutes": info.minutes.strip(),
        "status": info.status,
        "next_meeting_on": info.next_meeting_on,
    }


def _attendance_rows(info: MeetingInfo) -> list[MeetingAttendance]:
    return [
        MeetingAttendance(
            name=a.name.strip(), attendance=a.attendance, side=a.side, member_id=a.member_id
        )
        for a in info.attendance
    ]


def _plain_attendance(entries: Sequence[AttendanceInfo]) -> list[str]:
    return [f"{a.name.strip()}: {a.attendance}" for a in entries]


def create_meeting(session: Session, actor: Actor, info: MeetingInfo) -> MeetingInfo:
    """Plan a meeting (or record one held). With no attendance given, the active members are
    listed as present, to be corrected."""
    actor.require(Permission.MANAGE_COMMITTEE)
    if not info.attendance:
        members = list_members(session, actor, active_only=True)
        info = replace(
            info,
            attendance=tuple(AttendanceInfo(m.name, "present", m.side, m.id) for m in members),
        )
    errors = _validate_meeting(session, info)
    if errors:
        raise ValidationError(errors)
    values = _meeting_values(info)
    row = CommitteeMeeting(**values, created_by=actor.username)
    row.attendance = _attendance_rows(info)
    session.add(row)
    session.flush()
    audit.record(
        session,
        actor,
        "create",
        ENTITY_MEETING,
        row.id,
        audit.created(values | {"attendance": _plain_attendance(info.attendance)}),
    )
    return _meeting_info(session, row)


def _meeting(session: Session, meeting_id: int) -> CommitteeMeeting:
    row = session.get(CommitteeMeeting, meeting_id)
    if row is None:
        raise NotFound(_("The meeting no longer exists."))
    return row


def minutes_state_label(code: str) -> str:
    return _(rules.MINUTES_STATES.label(code))


def _require_draft_minutes(session: Session, row: CommitteeMeeting) -> None:
    """Only draft minutes change: circulated ones go back to draft, approved ones are corrected
    (a new version), locked ones are final."""
    minutes = _current_minutes(session, row.id)
    state = minutes.state if minutes else rules.MinutesState.DRAFT
    if not rules.minutes_editable(state):
        raise ValidationError(
            {
                "minutes_state": _(
                    "The minutes are {state}: return them to draft or correct them before "
                    "changing the meeting."
                ).format(state=minutes_state_label(state))
                if state != rules.MinutesState.LOCKED
                else _("The minutes are locked and can no longer be changed.")
            }
        )


def update_meeting(session: Session, actor: Actor, info: MeetingInfo) -> MeetingInfo:
    """Save the date, place, agenda, minutes and attendance."""
    actor.require(Permission.MANAGE_COMMITTEE)
    if info.id is None:
        raise NotFound(_("The meeting no longer exists."))
    row = _meeting(session, info.id)
    if info.version is not None and info.version != row.version:
        raise Conflict(
            _(
                "Someone else changed this record since you opened it. "
                "Close it, open it again and repeat your change."
            )
        )
    _require_draft_minutes(session, row)
    errors = _validate_meeting(session, info)
    if errors:
        raise ValidationError(errors)
    current = _meeting_info(session, row)
    before = _meeting_values(current) | {"attendance": _plain_attendance(current.attendance)}
    values = _meeting_values(info)
    after = values | {"attendance": _plain_attendance(info.attendance)}
    changes = audit.diff(before, after)
    if not changes:
        return current
    for name, value in values.items():
        if name in changes:
            setattr(row, name, value)
    if "attendance" in changes:
        row.attendance.clear()
        session.flush()
        row.attendance.extend(_attendance_rows(info))
    row.updated_at = utcnow()
    session.flush()
    audit.record(session, actor, "update", ENTITY_MEETING, row.id, changes)
    return _meeting_info(session, row)


def get_meeting(session: Session, actor: Actor, meeting_id: int) -> MeetingInfo:
    actor.require(Permission.VIEW_ACTIONS)
    return _meeting_info(session, _meeting(session, meeting_id))


def list_meetings(
    session: Session, actor: Actor, offset: int = 0, limit: int = 100
) -> list[MeetingRow]:
    """Meetings, newest first."""
    actor.require(Permission.VIEW_ACTIONS)
    present = (
        select(func.count(MeetingAttendance.id))
        .where(
            MeetingAttendance.meeting_id == CommitteeMeeting.id,
            MeetingAttendance.attendance == "present",
        )
        .scalar_subquery()
    )
    decisions = (
        select(func.count(MeetingDecision.id))
        .where(MeetingDecision.meeting_id == CommitteeMeeting.id)
        .scalar_subquery()
    )
    state = (
        select(MinutesVersion.state)
        .where(MinutesVersion.meeting_id == CommitteeMeeting.id)
        .order_by(MinutesVersion.version.desc())
        .limit(1)
        .scalar_subquery()
    )
    query = (
        select(
            CommitteeMeeting.id,
            CommitteeMeeting.held_on,
            CommitteeMeeting.place,
            CommitteeMeeting.status,
            present.label("present"),
            decisions.label("decisions"),
            state.label("minutes_state"),
        )
        .order_by(CommitteeMeeting.held_on.desc(), CommitteeMeeting.id.desc())
        .offset(offset)
        .limit(limit)
    )
    return [
        MeetingRow(
            r.id,
            r.held_on,
            r.place,
            r.status,
            int(r.present),
            int(r.decisions),
            r.minutes_state or rules.MinutesState.DRAFT,
        )
        for r in session.execute(query)
    ]


def count_meetings(session: Session, actor: Actor) -> int:
    actor.require(Permission.VIEW_ACTIONS)
    return int(session.scalar(select(func.count(CommitteeMeeting.id))) or 0)


# -- review and decisions -----------------------------------------------------------------------


def review_items(session: Session, actor: Actor, today: dt.date | None = None) -> ReviewAgenda:
    """The business before the committee, gathered automatically."""
    actor.require(Permission.VIEW_ACTIONS)
    today = today or dt.date.today()

    def items(filters: ActionFilter) -> tuple[ActionRow, ...]:
        return tuple(
            actions.list_actions(
                session, actor, filters, sort="due_date", limit=10_000, today=today
            )
        )

    plans = healthwise.list_assessments(
        session,
        actor,
        AssessmentFilter(states=(State.PLAN_SUBMITTED,)),
        sort="assessed_on",
        descending=False,
        limit=10_000,
    )
    return ReviewAgenda(
        new_plans=tuple(plans),
        proposed=items(ActionFilter(statuses=(ActionStatus.PROPOSED,))),
        overdue=items(ActionFilter(overdue=True)),
        awaiting_verification=items(ActionFilter(statuses=(ActionStatus.DONE,))),
        awaiting_closure=items(ActionFilter(statuses=(ActionStatus.VERIFIED,))),
        changed_plans=tuple(healthwise.changed_plans(session, actor)),
    )


def decision_label(code: str) -> str:
    return _(rules.DECISION_CODES.label(code))


def record_decision(
    session: Session,
    actor: Actor,
    meeting_id: int,
    decision: str,
    *,
    action_id: int | None = None,
    assessment_id: int | None = None,
    note: str = "",
    new_due_date: dt.date | None = None,
    new_action: ActionInfo | None = None,
    today: dt.date | None = None,
) -> DecisionInfo:
    """Record one decision of a meeting and apply it (one audit event for both).

    ``decision`` is a code of ``domain.committee.DECISIONS``: on an action item (approve, reject,
    verify, reopen, close, defer, note), on a HealthWISE plan (approve_plan, return_plan), or
    ``new_action``, which creates a proposed item from ``new_action``
    (``source_kind='committee'``, ``source_id`` = the meeting).
    """
    actor.require(Permission.DECIDE_ACTIONS)
    meeting = _meeting(session, meeting_id)
    _require_draft_minutes(session, meeting)
    kind = rules.decision_kind(decision)
    if kind is None:
        raise ValidationError({"decision": _("Choose a decision from the list.")})
    note = note.strip()
    problem = text_problem(note, multiline=True)
    if problem:
        raise ValidationError({"note": problem})
    if kind.code == "note" and not note:  # transitions' own guards ask for their reasons
        raise ValidationError({"note": _("Write what the committee noted.")})
    changes: dict[str, list[Any]] = {"meeting": [None, meeting.id], "decision": [None, decision]}
    old_status: str | None = None
    new_status: str | None = None
    subject = ""
    if kind.subject == "action":
        if action_id is None:
            raise ValidationError({"action": _("Choose the action item.")})
        item = session.get(ActionItem, action_id)
        if item is None:
            raise NotFound(_("The action item no longer exists."))
        old_status, subject = item.status, f"{item.reference} {item.title}"
        if kind.target is not None:
            changes |= actions.apply_transition(
                session,
                actor,
                item,
                kind.target,
                reason=note,
                new_due_date=new_due_date,
                today=today,
            )
            new_status = item.status
        changes["action"] = [None, item.reference]
    elif kind.subject == "assessment":
        if assessment_id is None:
            raise ValidationError({"assessment": _("Choose the checklist round.")})
        round_ = session.get(Assessment, assessment_id)
        if round_ is None:
            raise NotFound(_("The checklist round no longer exists."))
        old_status = round_.state
        where = round_.department.name_zh if round_.department else round_.area
        subject = f"{round_.template.name_zh} {where} {round_.assessed_on.isoformat()}"
        if kind.target is None:  # approving a revised plan leaves the round where it is
            changes |= healthwise.apply_plan_revision(
                session, actor, round_, note=note, meeting_id=meeting.id
            )
        else:
            changes |= healthwise.apply_move(
                session, actor, round_, kind.target, reason=note, today=today, meeting_id=meeting.id
            )
        new_status = round_.state
        changes["assessment"] = [None, round_.id]
    else:
        if new_action is None:
            raise ValidationError({"action": _("Describe the new action item.")})
        info = replace(new_action, source_kind="committee", source_id=meeting.id)
        item = actions.insert_action(session, actor, info)
        action_id, new_status, subject = item.id, item.status, f"{item.reference} {item.title}"
        changes["action"] = [None, item.reference]
    position = 1 + int(
        session.scalar(
            select(func.max(MeetingDecision.position)).where(
                MeetingDecision.meeting_id == meeting.id
            )
        )
        or 0
    )
    row = MeetingDecision(
        meeting_id=meeting.id,
        position=position,
        decision=decision,
        action_id=action_id if kind.subject != "assessment" else None,
        assessment_id=assessment_id if kind.subject == "assessment" else None,
        old_status=old_status,
        new_status=new_status,
        subject=subject[:300],
        note=note,
        decided_by=actor.username,
    )
    session.add(row)
    session.flush()
    if note:
        changes["note"] = [None, note]
    audit.record(session, actor, "decision", ENTITY_MEETING, meeting.id, changes)
    linked = session.get(ActionItem, row.action_id) if row.action_id else None
    return _decision_info(row, linked.reference if linked else "")


# -- the minutes' sign-off ----------------------------------------------------------------------


def _render(found: Any) -> str:
    """A domain finding in the user's language, with state and role codes as labels."""
    params = found.text.kwargs
    for name in ("state", "target"):
        if name in params:
            params[name] = minutes_state_label(str(params[name]))
    if "role" in params:
        params["role"] = _(rules.COMMITTEE_ROLES.label(str(params["role"])))
    if "roles" in params:
        separator = "、" if current_language() == "zh_CN" else ", "
        params["roles"] = separator.join(
            _(rules.COMMITTEE_ROLES.label(r)) for r in str(params["roles"]).split(", ")
        )
    return _(found.text.message).format(**params)


def _raise(issues: Sequence[Any]) -> None:
    if issues:
        messages: dict[str, str] = {}
        for found in issues:
            text = _render(found)
            earlier = messages.get(found.field)
            messages[found.field] = f"{earlier}\n{text}" if earlier else text
        raise ValidationError(messages)


def _ensure_minutes(session: Session, actor: Actor, meeting: CommitteeMeeting) -> MinutesVersion:
    minutes = _current_minutes(session, meeting.id)
    if minutes is None:
        minutes = MinutesVersion(
            meeting_id=meeting.id,
            version=1,
            state=rules.MinutesState.DRAFT,
            reason="",
            state_changed_at=utcnow(),
            state_changed_by=actor.username,
            snapshot="",
        )
        session.add(minutes)
        session.flush()
    return minutes


def _snapshot(info: MeetingInfo) -> str:
    """What an approved version said, kept when a correction supersedes it."""
    return json.dumps(
        {
            "held_on": info.held_on.isoformat() if info.held_on else None,
            "start_time": info.start_time,
            "place": info.place,
            "agenda": info.agenda,
            "minutes": info.minutes,
            "next_meeting_on": info.next_meeting_on.isoformat() if info.next_meeting_on else None,
            "attendance": [[a.name, a.attendance, a.side] for a in info.attendance],
            "decisions": [
                [d.position, d.decision, d.subject, d.old_status, d.new_status, d.note]
                for d in info.decisions
            ],
        },
        ensure_ascii=False,
        sort_keys=True,
    )


def _check_meeting_version(row: CommitteeMeeting, version: int | None) -> None:
    if version is not None and version != row.version:
        raise Conflict(
            _(
                "Someone else changed this record since you opened it. "
                "Close it, open it again and repeat your change."
            )
        )


def move_minutes(
    session: Session,
    actor: Actor,
    meeting_id: int,
    target: str,
    *,
    reason: str = "",
    version: int | None = None,
) -> MeetingInfo:
    """Take the minutes one step (``domain.committee.MINUTES_MOVES``): circulate, return to
    draft, lock, or correct approved minutes (a new draft version; the approved one is kept)."""
    actor.require(Permission.MANAGE_COMMITTEE)
    meeting = _meeting(session, meeting_id)
    _check_meeting_version(meeting, version)
    reason = reason.strip()
    problem = text_problem(reason, multiline=True)
    if problem:
        raise ValidationError({"reason": problem})
    minutes = _ensure_minutes(session, actor, meeting)
    signed = {g.committee_role for g in minutes.signatures}
    _raise(
        rules.check_minutes_move(
            minutes.state,
            target,
            held=meeting.status == "held",
            signed_roles=signed,
            reason=reason,
        )
    )
    move = rules.minutes_move(minutes.state, target)
    assert move is not None
    now = utcnow()
    changes: dict[str, list[Any]] = {
        "minutes_state": [minutes.state, target],
        "minutes_version": [None, minutes.version],
    }
    if move.new_version:
        minutes.snapshot = _snapshot(_meeting_info(session, meeting))
        minutes.superseded_at = now
        minutes = MinutesVersion(
            meeting_id=meeting.id,
            version=minutes.version + 1,
            state=target,
            reason=reason,
            state_changed_at=now,
            state_changed_by=actor.username,
            snapshot="",
        )
        session.add(minutes)
        changes["minutes_version"] = [minutes.version - 1, minutes.version]
    else:
        if target == rules.MinutesState.DRAFT:  # returned: the approvals given so far lapse
            minutes.signatures.clear()
        minutes.state = target
        minutes.state_changed_at = now
        minutes.state_changed_by = actor.username
    if reason:
        changes["reason"] = [None, reason]
    meeting.updated_at = now
    session.flush()
    audit.record(session, actor, "minutes", ENTITY_MEETING, meeting.id, changes)
    return _meeting_info(session, meeting)


def sign_minutes(session: Session, actor: Actor, meeting_id: int, member_id: int) -> MeetingInfo:
    """Record a co-chair's approval of the circulated minutes (name, role, time); the second
    co-chair's approval approves them.

    A co-chair with an application account approves with that account; for one without an
    account, the committee's secretary records the approval, which shows who recorded it.
    """
    actor.require(Permission.MANAGE_COMMITTEE)
    meeting = _meeting(session, meeting_id)
    member = session.get(CommitteeMember, member_id)
    if member is None or not member.active:
        raise NotFound(_("The committee member no longer exists."))
    if member.user_id is not None and member.user_id != actor.user_id:
        raise PermissionDenied(
            _(
                "Your role ({role}) does not allow this: {name} approves with their own account."
            ).format(role=actor.role, name=member.name)
        )
    minutes = _ensure_minutes(session, actor, meeting)
    signed = {g.committee_role for g in minutes.signatures}
    _raise(rules.check_signature(minutes.state, member.committee_role, signed))
    minutes.signatures.append(
        MinutesSignature(
            member_id=member.id,
            name=member.name,
            committee_role=member.committee_role,
            side=member.side,
            signed_at=utcnow(),
            recorded_by=actor.username,
        )
    )
    signed.add(member.committee_role)
    changes: dict[str, list[Any]] = {
        "minutes_version": [None, minutes.version],
        "approved_by": [None, f"{member.name} ({member.committee_role})"],
    }
    if not rules.check_minutes_move(
        minutes.state, rules.MinutesState.APPROVED, held=True, signed_roles=signed
    ):
        changes["minutes_state"] = [minutes.state, rules.MinutesState.APPROVED]
        minutes.state = rules.MinutesState.APPROVED
        minutes.state_changed_at = utcnow()
        minutes.state_changed_by = actor.username
    meeting.updated_at = utcnow()
    session.flush()
    audit.record(session, actor, "minutes_approval", ENTITY_MEETING, meeting.id, changes)
    return _meeting_info(session, meeting)


def minutes_history(session: Session, actor: Actor, meeting_id: int) -> list[MinutesVersionInfo]:
    """Every version of the meeting's minutes, oldest first, with its approvals."""
    actor.require(Permission.VIEW_ACTIONS)
    meeting = _meeting(session, meeting_id)
    rows = list(
        session.scalars(
            select(MinutesVersion)
            .where(MinutesVersion.meeting_id == meeting.id)
            .order_by(MinutesVersion.version)
        )
    )
    result = []
    for row in rows:
        said = json.loads(row.snapshot) if row.snapshot else {}
        result.append(
            MinutesVersionInfo(
                version=row.version,
                state=row.state,
                reason=row.reason,
                state_changed_at=row.state_changed_at,
                state_changed_by=row.state_changed_by,
                superseded_at=row.superseded_at,
                signatures=tuple(_signature_info(g) for g in row.signatures),
                minutes=said.get("minutes", meeting.minutes if not row.snapshot else ""),
                agenda=said.get("agenda", meeting.agenda if not row.snapshot else ""),
            )
        )
    if not result:
        result.append(
            MinutesVersionInfo(
                1, rules.MinutesState.DRAFT, "", None, "", None, (), meeting.minutes, meeting.agenda
            )
        )
    return result


@dataclass(frozen=True)
class CommitteeSummary:
    """The committee's work in a period, for the summary report (ILO 10 Keys: participation)."""

    meetings_held: int
    decisions_by_kind: dict[str, int]
    members_by_sex: dict[str, int]  # active members; "unknown" where not recorded
    members_by_side: dict[str, int]
    worker_share_present: float | None  # worker representatives among those present


def period_summary(
    session: Session, actor: Actor, start: dt.date, end: dt.date
) -> CommitteeSummary:
    """Meetings held from ``start`` to ``end`` (inclusive), their decisions and attendance."""
    actor.require(Permission.VIEW_ACTIONS)
    held = (
        CommitteeMeeting.held_on >= start,
        CommitteeMeeting.held_on <= end,
        CommitteeMeeting.status == "held",
    )
    meetings = session.scalar(select(func.count(CommitteeMeeting.id)).where(*held))
    decisions = {
        str(k): int(n)
        for k, n in session.execute(
            select(MeetingDecision.decision, func.count(MeetingDecision.id))
            .join(CommitteeMeeting, MeetingDecision.meeting_id == CommitteeMeeting.id)
            .where(*held)
            .group_by(MeetingDecision.decision)
        )
    }
    sex = func.coalesce(CommitteeMember.sex, "unknown")
    by_sex = {
        str(k): int(n)
        for k, n in session.execute(
            select(sex, func.count(CommitteeMember.id))
            .where(CommitteeMember.active.is_(True))
            .group_by(sex)
        )
    }
    by_side = {
        str(k): int(n)
        for k, n in session.execute(
            select(CommitteeMember.side, func.count(CommitteeMember.id))
            .where(CommitteeMember.active.is_(True))
            .group_by(CommitteeMember.side)
        )
    }
    present = session.execute(
        select(
            func.count(MeetingAttendance.id),
            func.count(MeetingAttendance.id).filter(MeetingAttendance.side == "worker"),
        )
        .join(CommitteeMeeting, MeetingAttendance.meeting_id == CommitteeMeeting.id)
        .where(*held, MeetingAttendance.attendance == "present")
    ).one()
    total, workers = int(present[0] or 0), int(present[1] or 0)
    return CommitteeSummary(
        meetings_held=int(meetings or 0),
        decisions_by_kind=decisions,
        members_by_sex=by_sex,
        members_by_side=by_side,
        worker_share_present=round(workers / total, 3) if total else None,
    )
