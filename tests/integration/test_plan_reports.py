"""The checklist, action plan, progress and minutes PDFs: their text in Chinese and English."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass

import pypdf
import pytest

from hospital_osh.reports.action_plan import action_plan_bytes, progress_report_bytes
from hospital_osh.reports.checklist import checklist_bytes
from hospital_osh.reports.minutes import minutes_bytes
from hospital_osh.services import actions, committee
from hospital_osh.services import healthwise as hws
from hospital_osh.services.committee import CommitteeMemberInfo, MeetingInfo
from hospital_osh.services.database import Database
from tests.integration.healthwise_data import (
    COMMITTEE,
    OFFICER,
    TODAY,
    move,
    prioritised_round,
    setup,
)

PRINTED = dt.datetime(2026, 6, 1, 10, 0)


@dataclass(frozen=True)
class Papers:
    detail: hws.TemplateDetail
    info: hws.AssessmentInfo
    sheet: hws.SheetView
    plan: hws.PlanView
    progress: hws.ProgressView
    meeting: MeetingInfo
    members: list[CommitteeMemberInfo]
    agenda: committee.ReviewAgenda


@pytest.fixture
def papers(database: Database) -> Papers:
    place = setup(database)
    a, b, c = place.codes[:3]
    prioritised_round(database, place, {a: True, b: False}, day=TODAY - dt.timedelta(days=365))
    info = prioritised_round(database, place, {b: True, c: False})
    assert info.id is not None
    with database.transaction() as session:
        made = hws.create_actions_from_priorities(session, OFFICER, info.id)
        overdue = actions.create_action(
            session,
            OFFICER,
            actions.ActionInfo(
                title="更换锐器盒支架",
                owner_name="王护士长",
                due_date=TODAY - dt.timedelta(days=5),
                source_kind="healthwise",
                source_id=info.id,
                source_item=c,
            ),
        )
    move(database, info.id, "plan_submitted")
    with database.transaction() as session:
        for name, role, side in (
            ("李建国", "chair", "management"),
            ("赵红梅", "co_chair", "worker"),
            ("孙丽", "secretary", "management"),
        ):
            committee.save_member(session, OFFICER, CommitteeMemberInfo(name, role, side))
        meeting = committee.create_meeting(
            session, OFFICER, MeetingInfo(held_on=TODAY, place="行政楼301", agenda="审议行动计划")
        )
        committee.record_decision(
            session, COMMITTEE, meeting.id or 0, "approve_plan", assessment_id=info.id
        )
        committee.record_decision(
            session, COMMITTEE, meeting.id or 0, "note", action_id=overdue.id, note="督办"
        )
    assert made
    with database.session() as session:
        return Papers(
            detail=hws.get_template(session, OFFICER, info.template_id or 0),
            info=hws.get_assessment(session, OFFICER, info.id),
            sheet=hws.get_sheet(session, OFFICER, info.id),
            plan=hws.get_plan(session, OFFICER, info.id, today=TODAY),
            progress=hws.get_progress(session, OFFICER, info.id),
            meeting=committee.get_meeting(session, OFFICER, meeting.id or 0),
            members=committee.list_members(session, OFFICER),
            agenda=committee.review_items(session, OFFICER, today=TODAY),
        )


def _text(pdf: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    text = "\n".join(page.extract_text() for page in reader.pages)
    return text.replace("\n", " ") + "\n" + text.replace("\n", "")


OPTIONS = {"hospital_name": "示范医院", "printed_at": PRINTED, "invariant": True}


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        (
            "en",
            [
                "Checklist for the walk-through: HealthWISE checklist (working version)",
                "Working version: the checkpoints are written in our own words",
                "Not applicable",
                "Make OSH a management priority",
                "Filled in by",
            ],
        ),
        (
            "zh_CN",
            [
                "现场巡查检查表：HealthWISE 检查表（工作版）",
                "工作版：检查点由本项目自行撰写，并非官方文本。",
                "不适用",
                "让职业安全卫生成为管理工作的重点",
                "填写人",
            ],
        ),
    ],
)
def test_blank_checklist(papers: Papers, language: str, expected: list[str]) -> None:
    text = _text(checklist_bytes(papers.detail, language, **OPTIONS))
    for phrase in expected:
        assert phrase in text, phrase


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", ["Filled checklist", "Consensus sheet", "王护士长 (Manager, Nurse)", "√"]),
        ("zh_CN", ["已填写的检查表", "共识检查表", "王护士长（管理人员，护士）", "√"]),
    ],
)
def test_filled_checklist(papers: Papers, language: str, expected: list[str]) -> None:
    pdf = checklist_bytes(
        papers.detail, language, assessment=papers.info, sheet=papers.sheet, **OPTIONS
    )
    text = _text(pdf)
    for phrase in expected:
        assert phrase in text, phrase
    assert text.count("√") >= 49  # one answer per checkpoint, plus the priorities


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", ["Action plan", "Resources and cost", "(priority)", "Approved, overdue"]),
        ("zh_CN", ["行动计划", "资源和费用", "（优先）", "已批准，已逾期", "更换锐器盒支架"]),
    ],
)
def test_action_plan(papers: Papers, language: str, expected: list[str]) -> None:
    text = _text(action_plan_bytes([], language, plan=papers.plan, today=TODAY, **OPTIONS))
    for phrase in expected:
        assert phrase in text, phrase
    for item in papers.plan.all_actions:
        assert item.reference in text


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        (
            "en",
            [
                "Progress report by module",
                "action was proposed on 2 items then and on 2 now",
                "Improved",
                "Worsened",
                "Overdue items",
            ],
        ),
        (
            "zh_CN",
            [
                "按模块的进展报告",
                "当时有 2 个条目建议行动，现在有 2 个",
                "已改善",
                "变差",
                "逾期事项",
            ],
        ),
    ],
)
def test_progress_report(papers: Papers, language: str, expected: list[str]) -> None:
    text = _text(
        progress_report_bytes(papers.progress, papers.plan, language, today=TODAY, **OPTIONS)
    )
    for phrase in expected:
        assert phrase in text, phrase


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        (
            "en",
            [
                "Minutes of the OSH committee meeting of",
                "赵红梅 (Worker representative)",
                "Approve the plan",
                "Plan submitted → Plan approved",
                "Approval of the minutes",
                "Signature",
                "Co-chair",
                "督办",
            ],
        ),
        (
            "zh_CN",
            [
                "职业安全卫生委员会会议纪要",
                "赵红梅（职工代表）",
                "批准行动计划",
                "计划已提交 → 计划已批准",
                "会议纪要确认",
                "签名",
                "副主任委员",
                "延续事项",
            ],
        ),
    ],
)
def test_minutes(papers: Papers, language: str, expected: list[str]) -> None:
    pdf = minutes_bytes(
        papers.meeting,
        language,
        members=papers.members,
        carried_forward=papers.agenda,
        **OPTIONS,
    )
    text = _text(pdf)
    for phrase in expected:
        assert phrase in text, phrase


def test_reports_are_reproducible(papers: Papers) -> None:
    first = checklist_bytes(papers.detail, "zh_CN", **OPTIONS)
    assert first == checklist_bytes(papers.detail, "zh_CN", **OPTIONS)
