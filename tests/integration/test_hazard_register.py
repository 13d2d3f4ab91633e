"""The hazard register PDF (text in both languages, landscape A4, reproducible) and the demo
register (realistic, deterministic, sized by a parameter)."""

from __future__ import annotations

import datetime as dt
import io
import random
import re

import pytest
from pypdf import PdfReader
from sqlalchemy import delete, func, select

from hospital_osh.models import Hazard, HazardAssessment, HazardControl
from hospital_osh.reports.hazard_register import hazard_register_bytes
from hospital_osh.services import demo, demo_hazards, hazards
from hospital_osh.services.context import SYSTEM
from hospital_osh.services.hazards import HazardFilter

TODAY = dt.date(2026, 11, 20)
PRINTED = dt.datetime(2026, 11, 20, 9, 30)


@pytest.fixture
def demo_db(database):  # type: ignore[no-untyped-def]
    demo.build(database, seed=3, records=0, staff=60, today=TODAY)
    return database


def _text(pdf: bytes) -> tuple[str, PdfReader]:
    """The text with table-cell line breaks undone (spaces between English words, none in
    Chinese), so a sentence wrapped in a narrow column is still found whole."""
    reader = PdfReader(io.BytesIO(pdf))
    raw = "\n".join(page.extract_text() for page in reader.pages)
    joined = re.sub(r"(?<=[\u3000-\u9fff\uff00-\uffef])\n(?=[\u3000-\u9fff\uff00-\uffef])", "", raw)
    return " ".join(joined.split()), reader


def _data(database, filters: HazardFilter | None = None):  # type: ignore[no-untyped-def]
    with database.session() as session:
        return hazards.register_data(session, SYSTEM, filters or HazardFilter(), today=TODAY)


def test_register_in_english(demo_db) -> None:  # type: ignore[no-untyped-def]
    data = _data(demo_db)
    pdf = hazard_register_bytes(data, "en", printed_at=PRINTED, invariant=True)
    text, reader = _text(pdf)
    page = reader.pages[0]
    assert float(page.mediabox.width) > float(page.mediabox.height)  # landscape
    assert round(float(page.mediabox.width)) == 842
    assert "Occupational hazard register and risk assessment" in text
    assert "China four-colour matrix (red/orange/yellow/blue)" in text
    assert "Major risk (I, red)" in text and "Low risk (IV, blue)" in text
    assert "Reviews overdue" in text and "Residual risks awaiting acceptance" in text
    assert "Intravenous admixture service (hazards: 1)" in text
    assert "HZ-0001" in text and "细胞毒性药物配置" in text  # the data as the hospital wrote it
    assert "Engineering control: II级生物安全柜（B2型）" in text
    assert "Printed 20 Nov 2026 09:30" in text
    assert "(verified)" in text  # the matrix source and its evidence tag are shown
    # reproducible
    assert pdf == hazard_register_bytes(data, "en", printed_at=PRINTED, invariant=True)


def test_register_in_chinese(demo_db) -> None:  # type: ignore[no-untyped-def]
    data = _data(demo_db)
    text, _reader = _text(hazard_register_bytes(data, "zh_CN", printed_at=PRINTED))
    assert "职业病危害因素辨识与风险评估登记表" in text
    assert "四色风险矩阵（红/橙/黄/蓝）" in text
    assert "重大风险（I 级，红）" in text and "复评已逾期" in text
    assert "静脉用药调配中心（危害：1）" in text
    assert "工程控制：II级生物安全柜（B2型）" in text
    assert "Occupational hazard register" not in text


def test_register_shows_warnings_overdue_and_missing_acceptance(database) -> None:  # type: ignore[no-untyped-def]
    from hospital_osh.services.hazards import ControlInfo, HazardInfo, create_hazard
    from hospital_osh.services.hospital import DepartmentInfo, save_department

    with database.transaction() as session:
        department = save_department(
            session, SYSTEM, DepartmentInfo("ED", "急诊科", "Emergency", "emergency"),
            bootstrap=True,
        ).id  # fmt: skip
        create_hazard(
            session,
            SYSTEM,
            HazardInfo(
                department_id=department,
                activity="Triage at night",
                category="psychosocial",
                potential_harm="Assault",
                owner="Dr Han",
                assessed_on=dt.date(2026, 6, 1),
                initial_likelihood=5,
                initial_severity=4,
                residual_likelihood=4,
                residual_severity=5,
                controls=(ControlInfo("De-escalation training", "administrative"),),
            ),
            today=TODAY,
        )
    text, _reader = _text(hazard_register_bytes(_data(database), "en", printed_at=PRINTED))
    assert "Only administrative controls and PPE: look for stronger ones." in text
    assert "Overdue" in text and "Acceptance missing" in text
    text, _reader = _text(hazard_register_bytes(_data(database), "zh_CN", printed_at=PRINTED))
    assert "仅有管理控制和个体防护：应寻求更有效的措施。" in text and "尚未接受" in text


def test_an_empty_register_still_prints(database) -> None:  # type: ignore[no-untyped-def]
    text, _reader = _text(hazard_register_bytes(_data(database), "en", printed_at=PRINTED))
    assert "No hazards match." in text and "Active hazards: 0." in text


def test_demo_register_is_realistic(demo_db) -> None:  # type: ignore[no-untyped-def]
    with demo_db.session() as session:
        activities = set(session.scalars(select(Hazard.activity)))
        categories = set(session.scalars(select(Hazard.category)))
        summary = hazards.review_summary(session, SYSTEM, TODAY)
        controls = session.scalar(select(func.count(HazardControl.id)))
        history = session.scalar(select(func.count(HazardAssessment.id)))
        linked = hazards.further_controls(session, SYSTEM, 2, today=TODAY)
    assert len(activities) == demo_hazards.DEFAULT_COUNT
    for expected in ("细胞毒性药物配置", "吸入麻醉", "内镜手工清洗消毒", "环氧乙烷低温灭菌",
                     "X射线摄影与CT检查", "患者翻身、移位和搬运", "接诊与抢救", "夜班护理",
                     "静脉穿刺、注射及采血", "疑似及确诊结核病患者诊疗"):  # fmt: skip
        assert expected in activities
    assert categories == {
        "biological", "chemical", "physical", "ionising_radiation", "ergonomic",
        "psychosocial", "safety",
    }  # fmt: skip
    assert summary.warnings > 0 and summary.overdue > 0
    assert controls > demo_hazards.DEFAULT_COUNT and history >= demo_hazards.DEFAULT_COUNT
    assert [row.title for row in linked] == ["引进密闭式输液给药装置"]


def test_demo_register_is_deterministic_and_sized_by_a_parameter(database) -> None:  # type: ignore[no-untyped-def]
    demo.build(database, seed=5, records=0, staff=40, today=TODAY, hazards=0)

    def generate(count: int) -> list[tuple[object, ...]]:
        with database.transaction() as session:
            before = session.scalar(select(func.max(Hazard.ref_seq))) or 0
            assert demo_hazards.generate(session, random.Random(9), TODAY, count) == count
            rows = session.execute(
                select(Hazard.activity, Hazard.location, Hazard.assessed_on,
                       Hazard.current_likelihood, Hazard.current_severity)
                .where(Hazard.ref_seq > before).order_by(Hazard.ref_seq)
            ).all()  # fmt: skip
        return [tuple(r) for r in rows]

    first = generate(300)
    with database.transaction() as session:  # start again from an empty register
        session.execute(delete(HazardAssessment))
        session.execute(delete(HazardControl))
        session.execute(delete(Hazard))
    again = generate(300)
    assert first == again and len(first) == 300
    with database.session() as session:
        assert hazards.count_hazards(session, SYSTEM) == 300
        # every generated row follows the rules: levels, review dates, no residual above initial
        bad = session.scalar(
            select(func.count(Hazard.id)).where(Hazard.residual_severity > Hazard.initial_severity)
        )
        assert bad == 0
        assert session.scalar(select(func.min(Hazard.next_review_on))) >= dt.date(2024, 1, 1)
