"""Demo HealthWISE work: two rounds in several wards, their plans, the committee and its meetings.

A year ago five wards walked the HealthWISE working checklist; their plans were approved, most
items are done and verified, some were deferred, cancelled or rejected, a few are overdue.
This spring the same wards started a second round, now at different steps of the workflow
(walk-through, group review, plan submitted, plan approved), so every page has something to show
and the progress report compares two rounds. The committee met quarterly and decided on plans
and items. Deterministic by seed; rows go in with bulk inserts (no audit event per row; the
demo's one summary event covers them).

Approved plans carry their approved revision (one ward's plan changed since, so the committee has
a revised plan to approve), and the minutes of past meetings are approved by both co-chairs and
locked; the last meeting's minutes are circulated, one co-chair has approved.

``generate(..., actions=N)`` (the benchmark's sizes: ``hospital-osh demo --actions N``) adds the
years before the story until about N action items exist: every department walks the
infection-prevention round each month in each of its areas and the HealthWISE checklist once a
year, each round's proposed actions become items, older rounds are closed with their items
settled and the last year's are followed up, some overdue. These history rounds keep the
consensus sheet only (as rounds typed in from paper would) and go in by bulk inserts with
RETURNING (SQLite 3.35+ and PostgreSQL), a few thousand rows per statement.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import uuid
from collections import defaultdict
from decimal import Decimal
from typing import Any, cast

from sqlalchemy import Table, func, insert, select, text
from sqlalchemy.orm import Session

from hospital_osh.domain import healthwise as hw
from hospital_osh.models import (
    ActionItem,
    ActionUpdate,
    Assessment,
    AssessmentMember,
    ChecklistAnswer,
    ChecklistSheet,
    ChecklistTemplate,
    Checkpoint,
    CommitteeMeeting,
    CommitteeMember,
    Department,
    MeetingAttendance,
    MeetingDecision,
    MinutesSignature,
    MinutesVersion,
    User,
)
from hospital_osh.services.context import SYSTEM, Actor
from hospital_osh.services.healthwise import _freeze_plan, _store_template, shipped_templates

MAX_ACTIONS = 2_000_000
"""The most history items ``generate`` adds (the XL benchmark asks for 20,000)."""

# ward code -> (head nurse, the second round's state)
WARDS: dict[str, tuple[str, str]] = {
    "IM": ("周丽华", hw.State.PLAN_APPROVED),
    "SUR": ("吴敏", hw.State.PLAN_SUBMITTED),
    "ICU": ("郑晓燕", hw.State.IN_GROUP_REVIEW),
    "ED": ("孙建平", hw.State.IN_PROGRESS),
    "PED": ("何婷", hw.State.PRIORITIZED),
}
STAFF_NAMES = ("陈静", "林芳", "黄磊", "徐丹", "马超", "高洁", "罗敏", "梁勇", "宋佳", "唐娜")
COMMITTEE = (
    ("李建国", "chair", "management", "male"),
    ("赵红梅", "co_chair", "worker", "female"),
    ("孙丽", "secretary", "management", "female"),
    ("钱伟", "member", "management", "male"),
    ("冯雪", "member", "worker", "female"),
    ("蒋涛", "member", "worker", "male"),
    ("韩琳", "member", "worker", "female"),
)
RESOURCES = (
    ("科室自行解决", Decimal("0")),
    ("后勤维修班", Decimal("600")),
    ("设备科采购", Decimal("4800")),
    ("护理部培训经费", Decimal("1200")),
    ("院感科提供物资", Decimal("350")),
    ("基建改造预算", Decimal("26000")),
)
_PATHS: dict[str, tuple[str, ...]] = {
    "proposed": (),
    "approved": ("approved",),
    "planned": ("approved", "planned"),
    "in_progress": ("approved", "planned", "in_progress"),
    "done": ("approved", "planned", "in_progress", "done"),
    "verified": ("approved", "planned", "in_progress", "done", "verified"),
    "closed": ("approved", "planned", "in_progress", "done", "verified", "closed"),
    "deferred": ("approved", "planned", "deferred"),
    "rejected": ("rejected",),
    "cancelled": ("approved", "planned", "cancelled"),
}
_REASONS = {
    "done": "已完成并拍照留存",
    "deferred": "等待下一年度预算",
    "rejected": "与医院改造计划重复",
    "cancelled": "病区搬迁，措施不再需要",
}
# Statuses of the first round's items in wards whose first round is still followed up.
_FIRST_ROUND_MIX = (
    "closed",
    "closed",
    "verified",
    "done",
    "in_progress",
    "planned",
    "deferred",
    "cancelled",
    "closed",
)


def _at(day: dt.date, hour: int = 9) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour))


class _Builder:
    def __init__(self, session: Session, rng: random.Random, today: dt.date):
        self.session = session
        self.rng = rng
        self.today = today
        self.seq: dict[int, int] = {}
        self.items = 0
        self.decisions: list[tuple[dt.date, dict[str, Any]]] = []
        officer = session.scalar(select(User).where(User.username == "officer"))
        self.officer_id = officer.id if officer else None
        self.officer_name = officer.display_name if officer else ""

    # -- templates and rounds ---------------------------------------------------------------------

    def templates(self) -> dict[str, ChecklistTemplate]:
        found = {}
        for data in shipped_templates():
            row = self.session.scalar(
                select(ChecklistTemplate).where(
                    ChecklistTemplate.code == data.code, ChecklistTemplate.version == data.version
                )
            )
            found[data.code] = row or _store_template(self.session, SYSTEM, data, "shipped")
        return found

    def round(
        self,
        template: ChecklistTemplate,
        points: list[Checkpoint],
        department: Department,
        head: str,
        day: dt.date,
        state: str,
        previous: int | None,
        rate: float,
    ) -> tuple[Assessment, dict[str, tuple[str, bool]]]:
        rng = self.rng
        row = Assessment(
            template_id=template.id,
            department_id=department.id,
            area=rng.choice(("", "东区", "西区", "1号护理单元")),
            assessed_on=day,
            state=state,
            previous_id=previous,
            created_by="officer",
            created_at=_at(day),
            updated_at=_at(day + dt.timedelta(days=7)),
            uuid=str(uuid.UUID(int=rng.getrandbits(128), version=4)),
        )
        staff = rng.sample(STAFF_NAMES, 3)
        row.members = [
            AssessmentMember(
                name=head, team_role="facilitator", job_category="nurse", sex="female"
            ),
            AssessmentMember(name=staff[0], team_role="manager", job_category="doctor", sex="male"),
            AssessmentMember(name=staff[1], team_role="staff", job_category="nurse", sex="female"),
            AssessmentMember(
                name=staff[2], team_role="staff", job_category="cleaner", sex="female"
            ),
        ]
        self.session.add(row)
        self.session.flush()
        # What the area really needs this round; each member sees most of it.
        needs = {p.code: rng.random() < rate for p in points}
        sheets: dict[str, dict[str, hw.MemberAnswer]] = {}
        answer_rows = []
        filling = state == hw.State.IN_PROGRESS
        for index, member in enumerate(row.members[:3]):
            sheet = ChecklistSheet(assessment_id=row.id, member_id=member.id, created_at=_at(day))
            self.session.add(sheet)
            self.session.flush()
            mine = {}
            for number, point in enumerate(points):
                if filling and index == 2 and number > len(points) // 2:
                    break  # the third member is still walking
                proposed = needs[point.code] != (rng.random() < 0.08)
                answer = (
                    "action_proposed"
                    if proposed
                    else ("not_applicable" if rng.random() < 0.05 else "no_action")
                )
                priority = proposed and rng.random() < 0.45
                remark = rng.choice(("", "", "见走廊尽头", "夜班时更明显", "已向护士长反映"))
                mine[point.code] = hw.MemberAnswer(
                    member.name, answer, priority, remark if proposed else ""
                )
                answer_rows.append(
                    {
                        "sheet_id": sheet.id,
                        "checkpoint_id": point.id,
                        "answer": answer,
                        "priority": priority,
                        "remarks": remark if proposed else "",
                        "good_practice": "" if proposed or rng.random() > 0.06 else "做法值得推广",
                        "location_detail": "",
                        "no_action_reason": "",
                        "disputed": False,
                    }
                )
            sheets[member.name] = mine
        consensus: dict[str, tuple[str, bool]] = {}
        if state not in (hw.State.DRAFT, hw.State.IN_PROGRESS, hw.State.SUBMITTED):
            sheet = ChecklistSheet(assessment_id=row.id, member_id=None, created_at=_at(day))
            self.session.add(sheet)
            self.session.flush()
            merged = hw.merge_sheets([p.code for p in points], sheets)
            by_code = {p.code: p for p in points}
            for m in merged:
                consensus[m.code] = (m.answer, m.priority)
                answer_rows.append(
                    {
                        "sheet_id": sheet.id,
                        "checkpoint_id": by_code[m.code].id,
                        "answer": m.answer,
                        "priority": m.priority,
                        "remarks": m.remarks,
                        "good_practice": m.good_practice,
                        "location_detail": "",
                        "no_action_reason": "",
                        "disputed": m.disputed,
                    }
                )
        self.session.execute(insert(ChecklistAnswer), answer_rows)
        return row, consensus

    # -- action items ---------------------------------------------------------------------------

    def item(
        self,
        *,
        title: str,
        department: Department | None,
        location: str,
        owner: str,
        created: dt.date,
        status: str,
        source: tuple[str, int | None, str, str],
        module: str = "",
    ) -> ActionItem:
        rng = self.rng
        resources, cost = rng.choice(RESOURCES)
        if created.year not in self.seq:  # other demo areas may have numbered items already
            last = self.session.scalar(
                select(func.max(ActionItem.ref_seq)).where(ActionItem.ref_year == created.year)
            )
            self.seq[created.year] = last or 0
        self.seq[created.year] += 1
        seq = self.seq[created.year]
        steps = _PATHS[status]
        due = created + dt.timedelta(days=rng.choice((30, 45, 60, 90, 120)))
        when = created
        updates: list[tuple[dt.date, str, str | None, str, str]] = [
            (when, "create", None, "proposed", "")
        ]
        old = "proposed"
        for step in steps:
            when = min(when + dt.timedelta(days=rng.randint(5, 30)), self.today)
            if step == "deferred":
                due = max(due, self.today) + dt.timedelta(days=90)
            updates.append((when, "status", old, step, _REASONS.get(step, "")))
            old = step
        if status in ("in_progress", "planned") and rng.random() < 0.5:
            due = min(due, self.today - dt.timedelta(days=rng.randint(3, 40)))  # overdue
        owned_by_officer = module == "M1" and self.officer_id is not None and rng.random() < 0.5
        hierarchy = {
            "M1": "engineering",
            "M2": "engineering",
            "M3": "administrative",
            "M8": "administrative",
        }.get(module)
        row = ActionItem(
            ref_year=created.year,
            ref_seq=seq,
            reference=f"ACT-{created.year}-{seq:04d}",
            title=title,
            department_id=department.id if department else None,
            location=location,
            owner_user_id=self.officer_id if owned_by_officer else None,
            owner_name=self.officer_name if owned_by_officer else owner,
            due_date=due,
            resources=resources,
            cost_category="none" if cost == 0 else ("low" if cost < 5000 else "high"),
            cost_cny=cost,
            hierarchy_level=hierarchy,
            status=status,
            status_reason=_REASONS.get(status, ""),
            status_changed_at=_at(when, 10),
            verified_by=COMMITTEE[0][0] if status in ("verified", "closed") else "",
            verified_on=next((d for d, _k, _o, n, _c in updates if n == "verified"), None),
            source_kind=source[0],
            source_id=source[1],
            source_item=source[2],
            source_label=source[3],
            created_by="officer",
            created_at=_at(created),
            updated_at=_at(when, 10),
            uuid=str(uuid.UUID(int=rng.getrandbits(128), version=4)),
        )
        self.session.add(row)
        self.session.flush()
        self.session.execute(
            insert(ActionUpdate),
            [
                {
                    "action_id": row.id,
                    "at": _at(day, 10),
                    "actor": "committee"
                    if new in ("approved", "verified", "closed", "rejected")
                    else "officer",
                    "actor_name": "",
                    "kind": kind,
                    "old_status": old_status,
                    "new_status": new,
                    "changes": "{}",
                    "comment": comment,
                }
                for day, kind, old_status, new, comment in updates
            ],
        )
        for day, _kind, old_status, new, comment in updates:
            if new in ("verified", "closed", "rejected"):
                decision = {"verified": "verify", "closed": "close", "rejected": "reject"}[new]
                self.decisions.append(
                    (
                        day,
                        {
                            "decision": decision,
                            "action_id": row.id,
                            "old_status": old_status,
                            "new_status": new,
                            "subject": f"{row.reference} {row.title}"[:300],
                            "note": comment,
                        },
                    )
                )
        self.items += 1
        return row


def generate(
    session: Session, rng: random.Random, today: dt.date, actions: int | None = None
) -> dict[str, int]:
    """Add the demo HealthWISE rounds, plans, committee and meetings; returns the counts.

    ``actions``: about how many action items in all (None: the story's few dozen); the years
    before the story make up the difference."""
    build = _Builder(session, rng, today)
    templates = build.templates()
    template = templates["healthwise-working"]
    points = list(
        session.scalars(
            select(Checkpoint)
            .where(Checkpoint.template_id == template.id)
            .order_by(Checkpoint.position)
        )
    )
    departments = {
        d.code: d for d in session.scalars(select(Department).where(Department.code.in_(WARDS)))
    }
    rounds = 0
    plans_submitted: list[tuple[dt.date, Assessment]] = []
    for index, (code, (head, second_state)) in enumerate(WARDS.items()):
        department = departments.get(code)
        if department is None:
            continue
        first_day = today - dt.timedelta(days=380 - 9 * index)
        first_state = hw.State.CLOSED if index < 2 else hw.State.FOLLOW_UP
        first, answers = build.round(
            template, points, department, head, first_day, first_state, None, 0.32
        )
        plans_submitted.append((first_day + dt.timedelta(days=14), first))
        priority_points = [p for p in points if answers.get(p.code, ("", False))[1]]
        for number, point in enumerate(priority_points):
            status = (
                ("closed", "rejected", "closed", "cancelled", "deferred")[number % 5]
                if first_state == hw.State.CLOSED
                else _FIRST_ROUND_MIX[number % len(_FIRST_ROUND_MIX)]
            )
            build.item(
                title=point.title_zh,
                department=department,
                location=first.area,
                owner=head,
                created=first_day + dt.timedelta(days=10),
                status=status,
                source=(
                    "healthwise",
                    first.id,
                    point.code,
                    f"{code} {first_day.isoformat()} {point.code}",
                ),
                module=point.code.split("-")[1],
            )
        second_day = today - dt.timedelta(days=45 - 6 * index)
        second, answers = build.round(
            template, points, department, head, second_day, second_state, first.id, 0.18
        )
        rounds += 2
        if second_state in (hw.State.PLAN_SUBMITTED, hw.State.PLAN_APPROVED, hw.State.PRIORITIZED):
            status_pool: tuple[str, ...] = {
                hw.State.PLAN_APPROVED: ("approved", "planned", "in_progress", "done"),
                hw.State.PLAN_SUBMITTED: ("proposed",),
                hw.State.PRIORITIZED: ("proposed",),
            }[hw.State(second_state)]
            for number, point in enumerate(
                p for p in points if answers.get(p.code, ("", False))[1]
            ):
                build.item(
                    title=point.title_zh,
                    department=department,
                    location=second.area,
                    owner=head,
                    created=second_day + dt.timedelta(days=7),
                    status=status_pool[number % len(status_pool)],
                    source=(
                        "healthwise",
                        second.id,
                        point.code,
                        f"{code} {second_day.isoformat()} {point.code}",
                    ),
                    module=point.code.split("-")[1],
                )
            if second_state != hw.State.PRIORITIZED:
                plans_submitted.append((second_day + dt.timedelta(days=12), second))
    # committee members and meetings
    members = [
        CommitteeMember(
            name=name,
            committee_role=role,
            side=side,
            sex=sex,
            term_start=today.replace(month=1, day=1) - dt.timedelta(days=365),
            active=True,
        )
        for name, role, side, sex in COMMITTEE
    ]
    session.add_all(members)
    session.flush()
    meeting_days = [today - dt.timedelta(days=d) for d in (330, 240, 150, 60, 5)]
    meetings = []
    for number, day in enumerate(meeting_days):
        meeting = CommitteeMeeting(
            held_on=day,
            start_time="14:30",
            place="行政楼三楼会议室",
            agenda="1. 审议HealthWISE行动计划\n2. 逾期事项\n3. 待验证事项\n4. 职业暴露情况通报",
            minutes="会议审议了各病区HealthWISE行动计划的进展，对逾期事项提出督办意见。",
            status="held",
            next_meeting_on=meeting_days[number + 1]
            if number + 1 < len(meeting_days)
            else today + dt.timedelta(days=85),
            created_by="officer",
            created_at=_at(day),
            updated_at=_at(day),
            uuid=str(uuid.UUID(int=rng.getrandbits(128), version=4)),
        )
        absent = rng.choice(members[3:])
        meeting.attendance = [
            MeetingAttendance(
                member_id=m.id,
                name=m.name,
                attendance="absent" if m is absent else "present",
                side=m.side,
            )
            for m in members
        ]
        meetings.append(meeting)
    upcoming = CommitteeMeeting(
        held_on=today + dt.timedelta(days=85),
        start_time="14:30",
        place="行政楼三楼会议室",
        agenda="1. 审议第二轮HealthWISE行动计划\n2. 逾期事项",
        status="planned",
        created_by="officer",
        created_at=_at(today),
        updated_at=_at(today),
        uuid=str(uuid.UUID(int=rng.getrandbits(128), version=4)),
    )
    session.add_all([*meetings, upcoming])
    session.flush()

    def meeting_after(day: dt.date) -> CommitteeMeeting | None:
        return next((m for m in meetings if m.held_on >= day), None)

    rows: list[dict[str, Any]] = []
    positions: dict[int, int] = defaultdict(int)
    for day, round_ in plans_submitted:
        if round_.state in (hw.State.PLAN_SUBMITTED,):
            continue  # awaits the next meeting
        held = meeting_after(day)
        if held is None:
            continue
        meeting = held
        positions[meeting.id] += 1
        department = round_.department
        rows.append(
            {
                "meeting_id": meeting.id,
                "position": positions[meeting.id],
                "decision": "approve_plan",
                "action_id": None,
                "assessment_id": round_.id,
                "old_status": "plan_submitted",
                "new_status": "plan_approved",
                "subject": " ".join(
                    (
                        "HealthWISE",
                        department.name_zh if department else "",
                        str(round_.assessed_on),
                    )
                ),
                "note": "",
                "decided_by": "committee",
                "created_at": _at(meeting.held_on, 16),
            }
        )
    for day, values in sorted(build.decisions, key=lambda d: d[0]):
        held = meeting_after(day)
        if held is None:
            continue
        meeting = held
        positions[meeting.id] += 1
        rows.append(
            values
            | {
                "meeting_id": meeting.id,
                "position": positions[meeting.id],
                "assessment_id": None,
                "decided_by": "committee",
                "created_at": _at(meeting.held_on, 16),
            }
        )
    if rows:
        session.execute(insert(MeetingDecision), rows)
    # Two items the committee raised itself.
    for number, title in enumerate(("为急诊科增设一键报警装置", "修订职业暴露报告流程并全院培训")):
        meeting = meetings[2 + number]
        build.item(
            title=title,
            department=departments.get("ED") if number == 0 else None,
            location="",
            owner="孙丽" if number else "钱伟",
            created=meeting.held_on,
            status=("in_progress", "done")[number],
            source=("committee", meeting.id, "", meeting.held_on.isoformat()),
        )
    _sign_off(session, today, meetings, members, plans_submitted, build)
    counts = {
        "hw_rounds": rounds,
        "action_items": build.items,
        "committee_members": len(members),
        "meetings": len(meetings) + 1,
        "decisions": len(rows),
    }
    session.flush()
    if actions is not None and actions > build.items:
        history = _History(session, rng, today, templates, min(actions, MAX_ACTIONS) - build.items)
        added_rounds, added_items = history.run(
            before=today - dt.timedelta(days=30),
            healthwise_before=today - dt.timedelta(days=400),
        )
        counts["hw_rounds"] += added_rounds
        counts["action_items"] += added_items
    return counts


def _sign_off(
    session: Session,
    today: dt.date,
    meetings: list[CommitteeMeeting],
    members: list[CommitteeMember],
    plans: list[tuple[dt.date, Assessment]],
    build: _Builder,
) -> None:
    """Approved plans get their revision 1; one changes after approval. Past minutes are
    approved and locked; the last meeting's are circulated with one co-chair's approval."""
    committee = Actor("committee", "committee_member", display_name=COMMITTEE[0][0])
    changed = False
    for day, round_ in plans:
        if round_.state not in (hw.State.PLAN_APPROVED, hw.State.FOLLOW_UP, hw.State.CLOSED):
            continue
        held = next((m for m in meetings if m.held_on >= day), None)
        revision = _freeze_plan(
            session, committee, round_, note="", meeting_id=held.id if held else None
        )
        revision.approved_at = _at(held.held_on if held else day, 16)
        if round_.state == hw.State.PLAN_APPROVED and not changed:
            item = session.scalar(
                select(ActionItem)
                .where(ActionItem.source_kind == "healthwise", ActionItem.source_id == round_.id)
                .order_by(ActionItem.id)
                .limit(1)
            )
            if item is not None and item.due_date is not None:
                old_due, item.due_date = item.due_date, item.due_date + dt.timedelta(days=30)
                session.add(
                    ActionUpdate(
                        action_id=item.id,
                        at=_at(today - dt.timedelta(days=2), 11),
                        actor="officer",
                        actor_name=build.officer_name,
                        kind="edit",
                        changes=json.dumps(
                            {"due_date": [old_due.isoformat(), item.due_date.isoformat()]}
                        ),
                        comment="等待设备到货，顺延一个月",
                    )
                )
                changed = True
    chairs = [m for m in members if m.committee_role in ("chair", "co_chair")]
    for number, meeting in enumerate(meetings):
        last = number == len(meetings) - 1
        minutes = MinutesVersion(
            meeting_id=meeting.id,
            version=1,
            state="circulated" if last else "locked",
            reason="",
            state_changed_at=_at(meeting.held_on + dt.timedelta(days=3 if last else 10), 10),
            state_changed_by="officer",
            snapshot="",
        )
        minutes.signatures = [
            MinutesSignature(
                member_id=m.id,
                name=m.name,
                committee_role=m.committee_role,
                side=m.side,
                signed_at=_at(meeting.held_on + dt.timedelta(days=4 + index), 15),
                recorded_by="officer",
            )
            for index, m in enumerate(chairs[:1] if last else chairs)
        ]
        session.add(minutes)
    session.flush()


# -- the years before the story, at benchmark scale ---------------------------------------------

_AREAS = ("东区", "西区", "1号护理单元")
_SETTLED_MIX = (("closed", 72), ("cancelled", 10), ("rejected", 8), ("deferred", 10))
_FOLLOW_UP_MIX = (
    ("closed", 45),
    ("verified", 12),
    ("done", 10),
    ("in_progress", 12),
    ("planned", 8),
    ("deferred", 6),
    ("cancelled", 4),
    ("rejected", 3),
)
_RECENT_MIX = (
    ("approved", 20),
    ("planned", 30),
    ("in_progress", 30),
    ("done", 15),
    ("deferred", 5),
)
_CHUNK = 2_000
_PROPOSED_RATE = 0.3  # share of checkpoints where a history round proposes action
_COPIES = 1 + 0.45 * 0.3  # items per proposed checkpoint: a second one for 30% of priorities


def _table(model: Any) -> Table:
    return cast(Table, model.__table__)


def _insert_with_ids(session: Session, model: Any, rows: list[dict[str, Any]]) -> list[int]:
    """Insert ``rows`` with ids numbered on from the table's largest, in one executemany per
    chunk through Core (RETURNING in parameter order would cost one statement per row on
    SQLite); ``_resync_ids`` then moves PostgreSQL's sequence past them."""
    table = _table(model)
    first = 1 + int(session.scalar(select(func.max(table.c.id))) or 0)
    ids = list(range(first, first + len(rows)))
    for row, new_id in zip(rows, ids, strict=True):
        row["id"] = new_id
    for start in range(0, len(rows), _CHUNK):
        session.execute(table.insert(), rows[start : start + _CHUNK])
    return ids


def _resync_ids(session: Session, *models: Any) -> None:
    """On PostgreSQL, set each table's id sequence to its largest id (ids were given)."""
    if session.get_bind().dialect.name != "postgresql":
        return
    for model in models:
        name = _table(model).name
        session.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                f"(SELECT max(id) FROM {name}))"
            )
        )


class _History:
    """Rounds and items before the story, built forward in time and inserted in bulk."""

    def __init__(
        self,
        session: Session,
        rng: random.Random,
        today: dt.date,
        templates: dict[str, ChecklistTemplate],
        wanted: int,
    ):
        self.session = session
        self.rng = random.Random(rng.getrandbits(64))
        self.today = today
        self.wanted = wanted
        self.points = {
            code: list(
                session.scalars(
                    select(Checkpoint)
                    .where(Checkpoint.template_id == template.id)
                    .order_by(Checkpoint.position)
                )
            )
            for code, template in templates.items()
        }
        self.templates = templates
        self.departments = list(session.scalars(select(Department).order_by(Department.id)))
        self.seq: dict[int, int] = {}

    def _schedule(
        self, before: dt.date, healthwise_before: dt.date
    ) -> list[tuple[dt.date, str, Any, str]]:
        """(day, template code, department, area), oldest first, about enough for ``wanted``
        items: months back from ``before`` until the expected items (rate x checkpoints x copies)
        reach it, then the oldest rounds dropped while the rest still reach it. HealthWISE
        rounds stay before ``healthwise_before``, where the story's rounds begin."""
        per_round = {
            code: _PROPOSED_RATE * len(points) * _COPIES for code, points in self.points.items()
        }
        rounds: list[tuple[dt.date, str, Any, str]] = []
        expected = 0.0
        month = 0
        while expected < self.wanted and month < 1200:  # 1200: a century, then give up
            first = (before.replace(day=1) - dt.timedelta(days=31 * month)).replace(day=1)
            month += 1
            for index, department in enumerate(self.departments):
                for number, area in enumerate(_AREAS[: 1 + index % 3]):
                    day = first + dt.timedelta(days=(3 * index + 7 * number) % 27)
                    rounds.append((day, "ipc-walkround", department, area))
                    expected += per_round["ipc-walkround"]
                if first.month == 1 + index % 12 and first < healthwise_before:
                    day = first + dt.timedelta(days=index % 20)
                    rounds.append((day, "healthwise-working", department, ""))
                    expected += per_round["healthwise-working"]
        rounds.sort(key=lambda r: (r[0], r[1], r[2].id, r[3]))
        drop = 0
        while drop < len(rounds) and expected - per_round[rounds[drop][1]] >= self.wanted:
            expected -= per_round[rounds[drop][1]]
            drop += 1
        return rounds[drop:]

    def _mix(self, age: int) -> tuple[str, tuple[tuple[str, int], ...]]:
        if age > 365:
            return hw.State.CLOSED, _SETTLED_MIX
        if age > 120:
            return hw.State.FOLLOW_UP, _FOLLOW_UP_MIX
        return hw.State.FOLLOW_UP, _RECENT_MIX

    def _pick(self, mix: tuple[tuple[str, int], ...]) -> str:
        return self.rng.choices([s for s, _w in mix], weights=[w for _s, w in mix])[0]

    def run(self, before: dt.date, healthwise_before: dt.date) -> tuple[int, int]:
        """Add the scheduled rounds up to ``before`` with their items; (rounds, items) added."""
        schedule = self._schedule(before, healthwise_before)
        made_rounds = made_items = 0
        last: dict[tuple[str, int, str], int] = {}
        for start in range(0, len(schedule), _CHUNK // 10):
            batch = schedule[start : start + _CHUNK // 10]
            rounds, items = self._batch(batch, last)
            made_rounds += rounds
            made_items += items
        _resync_ids(self.session, Assessment, ChecklistSheet, ActionItem)
        return made_rounds, made_items

    def _batch(
        self,
        batch: list[tuple[dt.date, str, Any, str]],
        last: dict[tuple[str, int, str], int],
    ) -> tuple[int, int]:
        rng, today, session = self.rng, self.today, self.session
        plans = []
        round_rows = []
        for day, code, department, area in batch:
            state, mix = self._mix((today - day).days)
            answers = []
            for point in self.points[code]:
                proposed = rng.random() < _PROPOSED_RATE
                answer = (
                    "action_proposed"
                    if proposed
                    else ("not_applicable" if rng.random() < 0.05 else "no_action")
                )
                priority = proposed and rng.random() < 0.45
                answers.append((point, answer, priority))
            key = (code, department.id, area)
            round_rows.append(
                {
                    "template_id": self.templates[code].id,
                    "department_id": department.id,
                    "area": area,
                    "assessed_on": day,
                    "state": state,
                    "previous_id": last.get(key),
                    "notes": "",
                    "returned_reason": "",
                    "created_by": "officer",
                    "created_at": _at(day),
                    "updated_at": _at(min(day + dt.timedelta(days=30), today)),
                    "uuid": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                    "version": 1,
                }
            )
            plans.append((day, code, department, area, key, answers, mix))
        if not round_rows:
            return 0, 0
        ids = _insert_with_ids(session, Assessment, round_rows)
        heads = ("护士长", "科主任", "感控护士")
        session.execute(
            _table(AssessmentMember).insert(),
            [
                {
                    "assessment_id": round_id,
                    "name": f"{plan[2].name_zh}{heads[n]}",
                    "team_role": ("facilitator", "manager", "staff")[n],
                    "job_category": ("nurse", "doctor", "nurse")[n],
                    "sex": ("female", "male", "female")[n],
                }
                for round_id, plan in zip(ids, plans, strict=True)
                for n in range(3)
            ],
        )
        sheets = _insert_with_ids(
            session,
            ChecklistSheet,
            [
                {"assessment_id": i, "member_id": None, "created_at": _at(p[0])}
                for i, p in zip(ids, plans, strict=True)
            ],
        )
        answer_rows = []
        item_rows = []
        item_paths = []
        for round_id, sheet_id, (day, code, department, area, key, answers, mix) in zip(
            ids, sheets, plans, strict=True
        ):
            last[key] = round_id
            for point, answer, priority in answers:
                answer_rows.append(
                    {
                        "sheet_id": sheet_id,
                        "checkpoint_id": point.id,
                        "answer": answer,
                        "priority": priority,
                        "remarks": "",
                        "good_practice": "",
                        "location_detail": "",
                        "no_action_reason": "",
                        "disputed": False,
                    }
                )
                if answer != "action_proposed":
                    continue
                for _copy in range(1 + (priority and rng.random() < 0.3)):
                    status = self._pick(mix)
                    row, path = self._item(day, department, area, round_id, code, point, status)
                    item_rows.append(row)
                    item_paths.append(path)
        for start in range(0, len(answer_rows), _CHUNK * 5):
            session.execute(
                _table(ChecklistAnswer).insert(), answer_rows[start : start + _CHUNK * 5]
            )
        item_ids = _insert_with_ids(session, ActionItem, item_rows)
        updates = [
            {
                "action_id": item_id,
                "at": at,
                "actor": actor,
                "actor_name": "",
                "kind": kind,
                "old_status": old,
                "new_status": new,
                "changes": "{}",
                "comment": comment,
            }
            for item_id, path in zip(item_ids, item_paths, strict=True)
            for at, actor, kind, old, new, comment in path
        ]
        for start in range(0, len(updates), _CHUNK * 5):
            session.execute(_table(ActionUpdate).insert(), updates[start : start + _CHUNK * 5])
        return len(ids), len(item_ids)

    def _item(
        self,
        day: dt.date,
        department: Department,
        area: str,
        round_id: int,
        code: str,
        point: Checkpoint,
        status: str,
    ) -> tuple[dict[str, Any], list[tuple[dt.datetime, str, str, str | None, str, str]]]:
        rng, today = self.rng, self.today
        created = day + dt.timedelta(days=rng.randint(5, 14))
        year = created.year
        if year not in self.seq:
            last = self.session.scalar(
                select(func.max(ActionItem.ref_seq)).where(ActionItem.ref_year == year)
            )
            self.seq[year] = last or 0
        self.seq[year] += 1
        seq = self.seq[year]
        resources, cost = rng.choice(RESOURCES)
        due = created + dt.timedelta(days=rng.choice((30, 45, 60, 90, 120)))
        when = created
        path: list[tuple[dt.datetime, str, str, str | None, str, str]] = [
            (_at(when, 10), "officer", "create", None, "proposed", "")
        ]
        old = "proposed"
        for step in _PATHS[status]:
            when = min(when + dt.timedelta(days=rng.randint(5, 40)), today)
            if step == "deferred":
                due = max(due, today) + dt.timedelta(days=rng.choice((60, 90, 180)))
            actor = (
                "committee" if step in ("approved", "verified", "closed", "rejected") else "officer"
            )
            path.append((_at(when, 10), actor, "status", old, step, _REASONS.get(step, "")))
            old = step
        label = f"{department.code} {day.isoformat()} {point.code}"
        row = {
            "ref_year": year,
            "ref_seq": seq,
            "reference": f"ACT-{year}-{seq:04d}",
            "title": point.title_zh[:300],
            "details": "",
            "department_id": department.id,
            "location": area,
            "owner_user_id": None,
            "owner_name": f"{department.name_zh}护士长",
            "supporting": "",
            "due_date": due,
            "resources": resources,
            "cost_category": "none" if cost == 0 else ("low" if cost < 5000 else "high"),
            "cost_cny": cost,
            "hierarchy_level": "administrative" if code == "ipc-walkround" else None,
            "verification_method": "",
            "gender_relevant": False,
            "status": status,
            "status_reason": _REASONS.get(status, ""),
            "status_changed_at": _at(when, 10),
            "reopened_count": 0,
            "verified_by": COMMITTEE[0][0] if status in ("verified", "closed") else "",
            "verified_on": next(
                (a.date() for a, _x, _k, _o, n, _c in path if n == "verified"), None
            ),
            "source_kind": "healthwise",
            "source_id": round_id,
            "source_item": point.code,
            "source_label": label,
            "created_by": "officer",
            "created_at": _at(created),
            "updated_at": _at(when, 10),
            "uuid": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
            "version": 1,
        }
        return row, path
