"""summary.json figures against a hand-computed table, missing denominators, empty periods, and
the summary PDF (same numbers in both languages, embedded CJK font)."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pypdf
import pytest

from hospital_osh.domain.roles import Role
from hospital_osh.reports.fonts import FONT
from hospital_osh.reports.summary import summary_pdf_bytes
from hospital_osh.services.context import Actor
from hospital_osh.services.database import Database
from hospital_osh.services.errors import PermissionDenied, ValidationError
from hospital_osh.services.summary import PENDING_SECTIONS, build_summary
from tests.conftest import actor
from tests.integration import summary_data as data

GENERATED = dt.datetime(2026, 5, 1, 12, 0)


@pytest.fixture
def summary(database: Database, admin: Actor) -> dict[str, Any]:
    data.build(database, admin)
    with database.session() as session:
        return build_summary(session, admin, data.START, data.END)


def _matches(expected: Any, got: Any) -> bool:
    if isinstance(expected, dict):
        return (
            isinstance(got, dict)
            and set(expected) == set(got)
            and all(_matches(expected[key], got[key]) for key in expected)
        )
    if isinstance(expected, float):
        return got == pytest.approx(expected, rel=1e-9)
    return bool(expected == got)


@pytest.mark.parametrize("key", sorted(data.EXPECTED))
def test_every_figure_matches_the_hand_computed_table(summary: dict[str, Any], key: str) -> None:
    if key == "rates.per_100_fte_by_job_category":
        got = {k: v for k, v in summary["rates"]["per_100_fte_by_job_category"].items() if v}
    else:
        got = data.lookup(summary, key)
    assert _matches(data.EXPECTED[key], got), (key, got)


def test_a_rate_without_denominator_says_why(summary: dict[str, Any]) -> None:
    reason = summary["rates"]["not_available"]["per_100_fte_by_job_category.student_intern"]
    assert reason == {"reason": "no_fte_for_job_category", "years": [2026]}
    # A section this installation does not record is named, never shown as zeros.
    for name in summary["sections_missing"]:
        assert name in PENDING_SECTIONS and name not in summary


def test_missing_staffing_gives_no_rate_and_a_reason(database: Database, admin: Actor) -> None:
    data.build(database, admin, staffing=False)
    with database.session() as session:
        summary = build_summary(session, admin, data.START, data.END)
    rates = summary["rates"]
    assert rates["per_100_fte"] is None and rates["per_100_occupied_beds"] is None
    assert rates["not_available"]["per_100_fte"] == {"reason": "no_staffing_year", "years": [2026]}
    assert summary["exposures"]["total"] == 6  # the counts do not depend on denominators
    text = _text(summary_pdf_bytes(summary, "en", generated_at=GENERATED, invariant=True))
    assert "not available" in text and "no staffing figures entered for 2026" in text


def test_a_period_across_two_years_weights_denominators_by_days(
    database: Database, admin: Actor
) -> None:
    data.build(database, admin)
    start, end = dt.date(2025, 10, 1), dt.date(2026, 3, 31)
    with database.session() as session:
        summary = build_summary(session, admin, start, end)
    # 92 days of 2025 at 60 FTE and 90 days of 2026 at 90 FTE; 2 + 6 exposures.
    fte = (60 * 92 + 90 * 90) / 182
    assert summary["exposures"]["total"] == 8
    assert summary["rates"]["denominators"]["fte"] == pytest.approx(fte)
    assert summary["rates"]["per_100_fte"] == pytest.approx(8 / fte * 100)
    beds = (180 * 92 + 200 * 90) / 182
    assert summary["rates"]["per_100_occupied_beds"] == pytest.approx(8 / beds * 100)
    assert summary["rates"]["denominators"]["fte_years"] == pytest.approx(
        60 * 92 / 365 + 90 * 90 / 365
    )


def test_an_empty_period_is_a_valid_report_that_says_so(database: Database, admin: Actor) -> None:
    data.build(database, admin)
    with database.session() as session:
        summary = build_summary(session, admin, dt.date(2024, 1, 1), dt.date(2024, 1, 31))
    exposures = summary["exposures"]
    assert exposures["total"] == 0 and exposures["by_type"] == {}
    assert exposures["median_hours_to_report"] is None
    assert exposures["safety_engineered_share"] is None  # nothing to divide, not 0 %
    pdf = summary_pdf_bytes(summary, "en", generated_at=GENERATED, invariant=True)
    assert "No exposures were recorded in this period" in _text(pdf)
    zh = _text(summary_pdf_bytes(summary, "zh_CN", generated_at=GENERATED, invariant=True))
    assert "本期间未记录" in zh


def test_a_period_ending_before_it_starts_is_refused(database: Database, admin: Actor) -> None:
    with database.session() as session, pytest.raises(ValidationError) as caught:
        build_summary(session, admin, dt.date(2026, 3, 1), dt.date(2026, 2, 1))
    assert "2026-02-01" in str(caught.value) and "2026-03-01" in str(caught.value)


def test_reports_need_the_view_reports_permission(database: Database) -> None:
    with database.session() as session:
        build_summary(session, actor(Role.VIEWER), data.START, data.END)
        with pytest.raises(PermissionDenied):
            build_summary(session, actor(Role.REPORTER), data.START, data.END)


# -- the PDF --------------------------------------------------------------------------------------


def _text(pdf: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    text = "\n".join(page.extract_text() for page in reader.pages)
    return text.replace("\n", " ") + "\n" + text.replace("\n", "")


def _embedded_fonts(pdf: bytes) -> set[str]:
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    names = set()
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descriptor = font.get("/FontDescriptor")
            if descriptor is None and "/DescendantFonts" in font:
                descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"]
            if descriptor is not None and "/FontFile2" in descriptor.get_object():
                names.add(str(font["/BaseFont"]))
    return names


@pytest.mark.parametrize(
    ("language", "words"),
    [
        (
            "en",
            (
                "Test City People's Hospital",
                "Occupational exposure summary report",
                "1 Jan 2026 to 31 Mar 2026",
                "Exposures by job category and sex",
                "Confidential",
                "Page 1 of",
            ),
        ),
        (
            "zh_CN",
            ("测试市人民医院", "职业暴露汇总报告", "按岗位类别和性别分列的暴露", "保密", "第 1 页"),
        ),
    ],
)
def test_the_pdf_shows_the_same_numbers_in_both_languages(
    summary: dict[str, Any], language: str, words: tuple[str, ...]
) -> None:
    pdf = summary_pdf_bytes(summary, language, generated_at=GENERATED, invariant=True)
    text = _text(pdf)
    for word in words:
        assert word in text, word
    # Numbers from summary.json, formatted as the report shows them.
    for number in ("6.67", "66.7%", "50%", "+200%", "+100%", "1.25", "10.5", "16.7%"):
        assert number in text, number
    assert any(FONT in name for name in _embedded_fonts(pdf))


def test_healthwise_rounds_of_the_period_are_counted(database: Database, admin: Actor) -> None:
    from tests.integration import healthwise_data as hw

    data.build(database, admin)
    place = hw.setup(database)
    a, b, c = place.codes[:3]
    # Two members agree: three items with action proposed, two of them priorities.
    hw.prioritised_round(database, place, {a: True, b: False, c: True}, day=dt.date(2026, 2, 10))
    hw.prioritised_round(database, place, {a: True}, day=dt.date(2026, 4, 10))  # next quarter
    with database.session() as session:
        summary = build_summary(session, admin, data.START, data.END)
    assert summary["healthwise"] == {
        "assessments": 1,
        "checkpoints_action_proposed": 3,
        "priority_items": 2,
        "members_by_sex": {"female": 2},
    }
    assert "healthwise" not in summary["sections_missing"]
    text = _text(summary_pdf_bytes(summary, "en", generated_at=GENERATED, invariant=True))
    assert "HealthWISE rounds and priorities" in text and "Team members: Female" in text


def test_staff_immunity_at_the_end_of_the_period(database: Database, admin: Actor) -> None:
    from hospital_osh.services import immunisation

    place = data.build(database, admin)
    with database.transaction() as session:
        for number, day in enumerate(
            (dt.date(2020, 1, 6), dt.date(2020, 2, 6), dt.date(2020, 7, 6))
        ):
            immunisation.record_dose(
                session,
                admin,
                place.nurse,
                immunisation.DoseInput(given_on=day, dose_number=number + 1),
                today=dt.date(2026, 1, 1),
            )
        immunisation.record_serology(
            session,
            admin,
            place.nurse,
            immunisation.SerologyInput(tested_on=dt.date(2020, 9, 1), value=120.0),
            today=dt.date(2026, 1, 1),
        )
    with database.session() as session:
        summary = build_summary(session, admin, data.START, data.END)
    immunity = summary["immunity"]
    # Two active staff: the nurse is a documented responder, the doctor has no record.
    assert (immunity["staff"], immunity["immune"], immunity["responder_share"]) == (2, 1, 0.5)
    assert immunity["by_job_category"]["nurse"] == {"staff": 1, "immune": 1, "share": 1.0}
    assert immunity["by_job_category"]["doctor"]["share"] == 0.0
    text = _text(summary_pdf_bytes(summary, "en", generated_at=GENERATED, invariant=True))
    assert "Staff hepatitis B immunity at the end of the period" in text


def test_followup_pep_and_seroconversions_as_computed_by_hand(
    database: Database, admin: Actor
) -> None:
    """E1 all tests done; E2 one test overdue, PEP 1.5 h after and completed; E3 only a
    cancelled test, lost to follow-up; E4 a missed test, PEP given 30 h after, HCV
    seroconversion; E5 PEP not given."""
    from sqlalchemy import select

    from hospital_osh.models import Exposure
    from hospital_osh.models.post_exposure import FollowUp, PepCourseRecord, Prophylaxis

    data.build(database, admin)
    with database.transaction() as session:
        e1, e2, e3, e4, e5, _e6 = session.scalars(
            select(Exposure)
            .where(Exposure.occurred_at >= dt.datetime(2026, 1, 1))
            .where(Exposure.occurred_at < dt.datetime(2026, 4, 1))
            .order_by(Exposure.occurred_at)
        ).all()

        def item(exposure: Exposure, code: str, state: str, end: dt.date) -> FollowUp:
            return FollowUp(
                exposure_id=exposure.id,
                plan_key=f"{code}:{state}",
                code=code,
                state=state,
                due_date=end - dt.timedelta(days=3),
                window_start=end - dt.timedelta(days=7),
                window_end=end,
            )

        session.add_all(
            [
                item(e1, "anti_hbs", "done", dt.date(2026, 2, 1)),
                item(e1, "hbsag", "done", dt.date(2026, 2, 1)),
                item(e2, "hiv_ag_ab", "open", dt.date(2026, 3, 1)),
                item(e2, "hbig", "open", dt.date(2026, 3, 1)),  # a treatment, not a test
                item(e3, "hcv_rna", "cancelled", dt.date(2026, 3, 1)),
                item(e4, "anti_hcv", "missed", dt.date(2026, 3, 20)),
                PepCourseRecord(
                    exposure_id=e2.id,
                    started_at=e2.occurred_at + dt.timedelta(hours=1, minutes=30),
                    days_taken=28,
                    recorded_by="admin",
                ),
                Prophylaxis(
                    exposure_id=e4.id,
                    kind="hiv_pep",
                    decision="given",
                    given_at=e4.occurred_at + dt.timedelta(hours=30),
                    recorded_by="admin",
                ),
                Prophylaxis(
                    exposure_id=e5.id, kind="hiv_pep", decision="declined", recorded_by="admin"
                ),
            ]
        )
        e3.status = "lost_to_follow_up"
        e4.outcome = "hcv_seroconversion"
    with database.session() as session:
        summary = build_summary(session, admin, data.START, data.END)
    assert summary["followup"] == {
        "cases_requiring": 3,  # E1, E2, E4
        "completed": 1,  # E1
        "completion_share": pytest.approx(1 / 3),
        "lost": 1,
        "overdue_now": 1,  # E2's HIV test (window ended 2026-03-01)
        "hiv_pep_started": 2,
        "hiv_pep_within_2h": 1,
        "hiv_pep_within_72h": 2,
        "hiv_pep_completed": 1,
        "seroconversions": {"hbv": 0, "hcv": 1, "hiv": 0},
    }
    text = _text(summary_pdf_bytes(summary, "en", generated_at=GENERATED, invariant=True))
    assert "HIV PEP started within 2 hours" in text and "33.3%" in text
