"""Demo HealthWISE work: two rounds in several wards, their plans, the committee and its meetings.

A year ago five wards walked the HealthWISE working checklist; their plans were approved, most
items are done and verified, some were deferred, cancelled or rejected, a few are overdue.
This spring the same wards started a second round, now at different steps of the workflow
(walk-through, group review, plan submitted, plan approved), so every page has something to show
and the progress report compares two rounds. The committee met quarterly and decided on plans
and items. Deterministic by seed; rows go in with bulk inserts (no audit event per row; the
demo's one summary event covers them).
"""

from __future__ import annotations

import datetime as dt
import random
import uuid
from collections import defaultdict
from decimal import Decimal
from typing import Any

from sqlalchemy import func, insert, select
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
    User,
)
from hospital_osh.services.context import SYSTEM
from hospital_osh.services.healthwise import _store_template, shipped_templates

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


def generate(session: Session, rng: random.Random, today: dt.date) -> dict[str, int]:
    """Add the demo HealthWISE rounds, plans, committee and meetings; returns the counts."""
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
    counts = {
        "hw_rounds": rounds,
        "action_items": build.items,
        "committee_members": len(members),
        "meetings": len(meetings) + 1,
        "decisions": len(rows),
    }
    session.flush()
    return counts
