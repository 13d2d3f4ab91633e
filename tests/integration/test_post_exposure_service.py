"""Post-exposure service: schedules with exact dates per source status, idempotent assessment,
re-assessment, prophylaxis, the PEP course, closing a case, imported exposures, the protocol
setting, permissions and audit events."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import func, select

from hospital_osh.domain.roles import Role
from hospital_osh.models import AuditEvent, Exposure, FollowUp, HbvVaccineDose
from hospital_osh.paths import resource
from hospital_osh.services import exposures, followups, immunisation, settings
from hospital_osh.services import post_exposure as pe
from hospital_osh.services.context import Actor
from hospital_osh.services.database import Database
from hospital_osh.services.errors import PermissionDenied, ValidationError
from tests.conftest import actor
from tests.integration.pe_data import ASSESSED, Place, add_exposure, hospital, source

D = dt.date.fromisoformat
NEGATIVE = source(source_hbsag="negative", source_anti_hcv="negative", source_hiv="negative")


@pytest.fixture
def place(database: Database, admin: Actor) -> Place:
    return hospital(database, admin)


def assess(database: Database, admin: Actor, exposure_id: int) -> pe.AssessmentView:
    with database.transaction() as session:
        return pe.assess_exposure(session, admin, exposure_id, now=ASSESSED)


def planned(view: pe.AssessmentView) -> set[tuple[str, int | None, str, str, str]]:
    return {
        (
            p.code,
            p.dose,
            p.due_date.isoformat(),
            p.window_start.isoformat(),
            p.window_end.isoformat(),
        )
        for p in view.planned
    }


def stored(database: Database, exposure_id: int) -> list[FollowUp]:
    with database.session() as session:
        return list(
            session.scalars(
                select(FollowUp).where(FollowUp.exposure_id == exposure_id).order_by(FollowUp.id)
            )
        )


def audit_count(database: Database, action: str | None = None) -> int:
    with database.session() as session:
        query = select(func.count(AuditEvent.id))
        if action:
            query = query.where(AuditEvent.action == action)
        return session.scalar(query) or 0


def make_responder(database: Database, admin: Actor, worker_id: int) -> None:
    with database.transaction() as session:
        for number, day in ((1, "2019-01-10"), (2, "2019-02-10"), (3, "2019-07-10")):
            immunisation.record_dose(
                session, admin, worker_id, immunisation.DoseInput(D(day), number)
            )
        immunisation.record_serology(
            session,
            admin,
            worker_id,
            immunisation.SerologyInput("anti_hbs", D("2019-09-01"), value=120.0),
        )


# -- schedules with exact dates, per source status (China protocol, D0 = 9 March 2026) ----------


def test_hbsag_positive_source_unvaccinated_worker(
    database: Database, admin: Actor, place: Place
) -> None:
    exposure = add_exposure(
        database,
        admin,
        place,
        **source(
            source_hbsag="positive",
            source_anti_hcv="negative",
            source_hcv_rna="negative",
            source_hiv="negative",
        ),
    )
    view = assess(database, admin, exposure)
    assert view.protocol_id == "china" and view.saved
    assert view.worker_hbv_status == "unvaccinated"
    assert planned(view) == {
        ("anti_hbs", None, "2026-03-09", "2026-03-09", "2026-03-10"),
        ("hbsag", None, "2026-03-09", "2026-03-09", "2026-03-10"),
        ("alt", None, "2026-03-09", "2026-03-09", "2026-03-10"),  # HBV [0,1] ∩ HCV [0,2]
        ("hbig", 1, "2026-03-09", "2026-03-09", "2026-03-10"),
        ("hbv_vaccine", 1, "2026-03-09", "2026-03-09", "2026-03-10"),
        ("anti_hcv", None, "2026-03-09", "2026-03-09", "2026-03-11"),
        ("hbv_vaccine", 2, "2026-04-08", "2026-04-06", "2026-05-08"),
        ("hbsag", None, "2026-06-07", "2026-05-28", "2026-06-17"),
        ("anti_hbs", None, "2026-06-07", "2026-05-28", "2026-06-17"),
        ("alt", None, "2026-06-07", "2026-05-28", "2026-06-17"),
        ("hbsag", None, "2026-09-05", "2026-08-26", "2026-09-25"),
        ("anti_hbs", None, "2026-09-05", "2026-08-26", "2026-09-25"),
        ("alt", None, "2026-09-05", "2026-08-26", "2026-09-25"),
        ("hbv_vaccine", 3, "2026-09-05", "2026-07-07", "2026-11-04"),
        ("anti_hbs", None, "2026-10-05", "2026-10-05", "2026-11-04"),
    }
    rows = stored(database, exposure)
    assert len(rows) == 15 and {r.state for r in rows} == {"open"}
    assert {(r.code, r.dose, r.due_date) for r in rows} == {
        (c, d, D(due)) for c, d, due, _s, _e in planned(view)
    }
    hbv = [line for line in view.lines if line.pathogen == "hbv"]
    assert hbv[0].rule_id == "C-H2u" and "200–400 IU" in hbv[0].text
    assert hbv[0].evidence.startswith("Partly verified. Source: ")


def test_hiv_positive_source_adds_hiv_tests_and_pep_monitoring(
    database: Database, admin: Actor, place: Place
) -> None:
    exposure = add_exposure(database, admin, place)  # HBsAg+, anti-HCV-, HIV- by default
    make_responder(database, admin, place.nurse)
    with database.transaction() as session:
        row = session.get(Exposure, exposure)
        assert row is not None
        row.source_hiv = "positive"
    view = assess(database, admin, exposure)
    assert view.worker_hbv_status == "responder" and view.pep_level == "recommended"
    assert view.pep_limit_at == dt.datetime(2026, 3, 12, 2, 30, tzinfo=dt.UTC)  # 72 h after 02:30Z
    hiv = {p for p in planned(view) if p[0] in ("hiv_ag_ab", "visit", "pep_review")}
    assert hiv == {
        ("hiv_ag_ab", None, "2026-03-09", "2026-03-09", "2026-03-10"),
        ("visit", None, "2026-03-12", "2026-03-10", "2026-03-12"),
        ("pep_review", None, "2026-03-23", "2026-03-21", "2026-03-25"),
        ("hiv_ag_ab", None, "2026-04-06", "2026-04-06", "2026-04-13"),
        ("hiv_ag_ab", None, "2026-05-04", "2026-05-04", "2026-05-11"),
        ("hiv_ag_ab", None, "2026-06-01", "2026-06-01", "2026-06-08"),
        ("hiv_ag_ab", None, "2026-09-05", "2026-09-05", "2026-09-20"),
    }
    assert {p.code for p in view.planned if p.pep_item} == {"visit", "pep_review"}
    assert not {p[0] for p in planned(view)} & {"hbig", "hbv_vaccine"}  # an immune worker
    assert any(line.kind == "regimen" for line in view.lines)


def test_negative_source_and_immune_worker_need_only_the_hcv_baseline(
    database: Database, admin: Actor, place: Place
) -> None:
    make_responder(database, admin, place.nurse)
    exposure = add_exposure(database, admin, place, **NEGATIVE, **source(source_hcv_rna="negative"))
    view = assess(database, admin, exposure)
    assert planned(view) == {
        ("anti_hcv", None, "2026-03-09", "2026-03-09", "2026-03-11"),
        ("alt", None, "2026-03-09", "2026-03-09", "2026-03-11"),
    }
    assert [line.rule_id for line in view.lines if line.kind == "decision"] == [
        "C-H1",
        "C-C1",
        "C-X4",
    ]


def test_identified_source_with_unknown_status(
    database: Database, admin: Actor, place: Place
) -> None:
    exposure = add_exposure(
        database,
        admin,
        place,
        source_hbsag=None,
        source_hbsag_date=None,
        source_anti_hcv=None,
        source_anti_hcv_date=None,
        source_hiv=None,
        source_hiv_date=None,
    )
    view = assess(database, admin, exposure)
    decisions = {line.pathogen: line.rule_id for line in view.lines if line.kind == "decision"}
    assert decisions == {"hbv": "C-H2u", "hcv": "C-C3", "hiv": "C-X2"}
    assert {line.rule_id for line in view.lines if line.kind == "source_test"} == {
        "C-S-HBV",
        "C-S-HCV",
        "C-S-HIV",
    }
    codes = {(p[0], p[2]) for p in planned(view)}
    assert ("hcv_rna", "2026-04-06") in codes and ("anti_hcv", "2026-06-07") in codes
    assert ("visit", "2026-03-12") in codes  # PEP offered, so its monitoring is planned
    assert view.pep_level == "offer"
    unverified = [line for line in view.lines if line.unverified]
    assert unverified and all(line.evidence.startswith("Unverified") for line in unverified)


def test_unidentified_source(database: Database, admin: Actor, place: Place) -> None:
    exposure = add_exposure(
        database,
        admin,
        place,
        source_identified="no",
        source_reference="",
        **{k: None for k in source(source_hbsag="", source_anti_hcv="", source_hiv="")},
    )
    view = assess(database, admin, exposure)
    decisions = {line.pathogen: line.rule_id for line in view.lines if line.kind == "decision"}
    assert decisions == {"hbv": "C-H2u", "hcv": "C-C3", "hiv": "C-X3"}
    assert not [line for line in view.lines if line.kind == "source_test"]


def test_cdc_protocol_from_the_setting(database: Database, admin: Actor, place: Place) -> None:
    exposure = add_exposure(database, admin, place, **NEGATIVE, **source(source_hcv_rna="negative"))
    with database.transaction() as session:
        settings.set_setting(session, admin, "post_exposure_protocol", "cdc")
    view = assess(database, admin, exposure)
    assert view.protocol_id == "cdc"
    assert next(line.rule_id for line in view.lines if line.kind == "decision") == "H8"
    assert ("anti_hcv", None, "2026-03-09", "2026-03-09", "2026-03-11") in planned(view)
    with database.transaction() as session, pytest.raises(ValidationError) as error:
        settings.set_setting(session, admin, "post_exposure_protocol", "who")
    assert "china, cdc" in str(error.value)


def test_a_malformed_protocol_file_is_refused_naming_the_row(tmp_path: Path) -> None:
    text = resource("protocols", "china.toml").read_text(encoding="utf-8")
    bad = tmp_path / "china.toml"
    bad.write_text(text.replace('action = "hbv_none_immune"', 'action = "hbv_nothing"', 1))
    with pytest.raises(pe.ProtocolProblem) as error:
        pe.load_protocol_file(bad)
    assert "china.toml, hbv row 2 (C-H1): unknown action 'hbv_nothing'" in str(error.value)
    missing = tmp_path / "cdc.toml"
    missing.write_text(text.replace("window = [80, 100], ", "", 1))
    with pytest.raises(pe.ProtocolProblem) as error:
        pe.load_protocol_file(missing)
    assert "cdc.toml, schedule 'china_hbv_exposed' item 8: missing 'window'" in str(error.value)


# -- idempotence and re-assessment --------------------------------------------------------------


def test_assessment_is_idempotent(database: Database, admin: Actor, place: Place) -> None:
    exposure = add_exposure(database, admin, place)
    first = assess(database, admin, exposure)
    events = audit_count(database)
    second = assess(database, admin, exposure)
    assert audit_count(database) == events  # nothing written the second time
    assert planned(first) == planned(second)
    assert len(stored(database, exposure)) == len(first.planned)
    assert audit_count(database, "assess") == 1
    with database.session() as session:
        assert session.get(Exposure, exposure).status == "under_follow_up"  # type: ignore[union-attr]


def test_reassessment_keeps_done_items_and_cancels_what_is_no_longer_needed(
    database: Database, admin: Actor, place: Place
) -> None:
    exposure = add_exposure(database, admin, place, source_hiv=None, source_hiv_date=None)
    assess(database, admin, exposure)
    baseline = next(r for r in stored(database, exposure) if r.code == "hiv_ag_ab")
    with database.transaction() as session:
        followups.enter_result(
            session,
            admin,
            baseline.id,
            followups.ResultEntry(D("2026-03-09"), "negative"),
            today=D("2026-03-10"),
        )
        info = exposures.get_exposure(session, admin, exposure)
        exposures.update_exposure(
            session,
            admin,
            replace(info, source_hiv="negative", source_hiv_date=D("2026-03-09")),
            now=dt.datetime(2026, 3, 10, 9, 0),
        )
    view = assess(database, admin, exposure)
    assert audit_count(database, "reassess") == 1
    assert not any(p.code == "hiv_ag_ab" for p in view.planned)
    hiv = [r for r in stored(database, exposure) if r.code in ("hiv_ag_ab", "visit", "pep_review")]
    done = [r for r in hiv if r.state == "done"]
    assert [r.id for r in done] == [baseline.id]  # the result is kept
    cancelled = [r for r in hiv if r.state == "cancelled"]
    assert cancelled and all(
        r.state_reason == "No longer in the schedule after re-assessment." for r in cancelled
    )
    with database.session() as session:
        case = pe.get_case(session, admin, exposure, today=D("2026-03-10"))
    assert case.assessment is not None and not case.assessment.outdated


# -- what the clinician did ---------------------------------------------------------------------


def test_prophylaxis_given_declined_and_refused(
    database: Database, admin: Actor, place: Place
) -> None:
    exposure = add_exposure(database, admin, place)
    assess(database, admin, exposure)
    given = dt.datetime(2026, 3, 9, 12, 0)
    with database.transaction() as session:
        saved = pe.record_prophylaxis(
            session, admin, exposure, pe.ProphylaxisInput("hbig", "given", given), now=ASSESSED
        )
        vaccine = pe.record_prophylaxis(
            session,
            admin,
            exposure,
            pe.ProphylaxisInput("hbv_vaccine", "given", given, dose_number=1, product="乙肝疫苗"),
            now=ASSESSED,
        )
    assert saved.row.dose_number == 1 and not saved.warnings and not vaccine.warnings
    rows = {(r.code, r.dose): r for r in stored(database, exposure)}
    assert rows[("hbig", 1)].state == "done" and rows[("hbig", 1)].done_date == D("2026-03-09")
    assert rows[("hbv_vaccine", 1)].state == "done" and rows[("hbv_vaccine", 2)].state == "open"
    with database.session() as session:
        dose = session.scalar(select(HbvVaccineDose).where(HbvVaccineDose.exposure_id == exposure))
        assert dose is not None and (dose.series, dose.dose_number) == (1, 1)
    with database.transaction() as session, pytest.raises(ValidationError) as error:
        pe.record_prophylaxis(
            session,
            admin,
            exposure,
            pe.ProphylaxisInput("hbig", "given", dt.datetime(2026, 3, 9, 10, 0)),
            now=ASSESSED,
        )
    assert error.value.fields["given_at"] == "It cannot be given before the exposure."
    with database.transaction() as session, pytest.raises(ValidationError) as error:
        pe.record_prophylaxis(
            session, admin, exposure, pe.ProphylaxisInput("hbv_vaccine", "declined"), now=ASSESSED
        )
    assert error.value.fields["reason"] == "Give the reason."
    with database.transaction() as session:
        pe.record_prophylaxis(
            session,
            admin,
            exposure,
            pe.ProphylaxisInput("hbv_vaccine", "declined", reason="拒绝继续接种"),
            now=ASSESSED,
        )
    rows = {(r.code, r.dose): r for r in stored(database, exposure)}
    assert rows[("hbv_vaccine", 2)].state == "cancelled"
    assert rows[("hbv_vaccine", 2)].state_reason == "拒绝继续接种"
    assert rows[("hbv_vaccine", 1)].state == "done"


def test_late_hbig_warns(database: Database, admin: Actor, place: Place) -> None:
    exposure = add_exposure(database, admin, place)
    with database.transaction() as session:
        saved = pe.record_prophylaxis(
            session,
            admin,
            exposure,
            pe.ProphylaxisInput("hbig", "given", dt.datetime(2026, 3, 20, 9, 0)),
            now=dt.datetime(2026, 3, 21, tzinfo=dt.UTC),
        )
    assert "more than 7 days" in saved.warnings["given_at"]


def test_pep_course(database: Database, admin: Actor, place: Place) -> None:
    exposure = add_exposure(database, admin, place, **source(source_hiv="positive"))
    assess(database, admin, exposure)
    now = dt.datetime(2026, 4, 20, tzinfo=dt.UTC)
    with database.transaction() as session, pytest.raises(ValidationError) as error:
        pe.record_pep_course(
            session, admin, exposure, pe.PepCourseInput(dt.datetime(2026, 3, 9, 9, 0)), now=now
        )
    assert error.value.fields["started_at"] == "PEP cannot start before the exposure."
    late = pe.PepCourseInput(dt.datetime(2026, 3, 13, 9, 0), "TDF/FTC + DTG")
    with database.transaction() as session, pytest.raises(ValidationError) as error:
        pe.record_pep_course(session, admin, exposure, late, now=now)
    assert "outside the 72-hour window" in error.value.fields["late_reason"]
    start = dt.datetime(2026, 3, 9, 11, 45)  # 1.25 h after the exposure
    with database.transaction() as session:
        course = pe.record_pep_course(
            session,
            admin,
            exposure,
            pe.PepCourseInput(start, "TDF/FTC + DTG", days_taken=28, side_effects=("恶心",)),
            now=now,
        )
    assert course.completion == "yes" and course.within_2h and course.hours_to_first_dose == 1.2
    assert course.planned_last_dose == D("2026-04-05")
    with database.session() as session:
        case = pe.get_case(session, admin, exposure, today=D("2026-04-20"))
    assert [p.kind for p in case.prophylaxis] == ["hiv_pep"]
    assert case.pep_course is not None and case.pep_course.side_effects == ("恶心",)


# -- closing --------------------------------------------------------------------------------------


def test_closing_with_open_followups_is_refused_naming_them(
    database: Database, admin: Actor, place: Place
) -> None:
    exposure = add_exposure(database, admin, place, **NEGATIVE, **source(source_hcv_rna="negative"))
    make_responder(database, admin, place.nurse)
    assess(database, admin, exposure)
    with database.transaction() as session, pytest.raises(ValidationError) as error:
        pe.close_case(session, admin, exposure, pe.CloseInput("no_seroconversion"))
    message = error.value.fields["followups"]
    assert (
        "Anti-HCV (due 2026-03-09)" in message
        and "ALT (liver function) (due 2026-03-09)" in message
    )
    rows = stored(database, exposure)
    with database.transaction() as session:
        followups.enter_result(
            session,
            admin,
            rows[0].id,
            followups.ResultEntry(D("2026-03-09"), "negative", 20.0)
            if rows[0].code == "anti_hcv"
            else followups.ResultEntry(D("2026-03-09"), value=20.0),
            today=D("2026-03-10"),
        )
        followups.resolve(session, admin, rows[1].id, "cancelled", "检验科已合并检测")
        closed = pe.close_case(
            session, admin, exposure, pe.CloseInput("no_seroconversion"), today=D("2026-03-10")
        )
    assert closed.outcome == "no_seroconversion"
    with database.session() as session:
        row = session.get(Exposure, exposure)
        assert row is not None and (row.status, row.outcome) == ("closed", "no_seroconversion")


def test_seroconversion_needs_a_notification(
    database: Database, admin: Actor, place: Place
) -> None:
    exposure = add_exposure(database, admin, place)
    assess(database, admin, exposure)
    today = D("2026-10-10")
    rows = stored(database, exposure)
    with database.transaction() as session:
        saved = None
        for row in rows:
            if row.code == "hbsag" and row.due_date == D("2026-06-07"):
                saved = followups.enter_result(
                    session,
                    admin,
                    row.id,
                    followups.ResultEntry(D("2026-06-08"), "positive"),
                    today=today,
                )
            elif row.code == "hbsag" and row.due_date == D("2026-03-09"):
                baseline = followups.enter_result(
                    session,
                    admin,
                    row.id,
                    followups.ResultEntry(D("2026-03-09"), "negative"),
                    today=today,
                )
                assert baseline.seroconversion is None
    assert saved is not None and saved.seroconversion == "hbv"
    with database.session() as session:
        case = pe.get_case(session, admin, exposure, today=today)
    assert case.seroconversions == ("hbv",) and case.notification_needed
    entry = pe.CloseInput(
        "hbv_seroconversion", seroconversion_date=D("2026-06-08"), mark_open_missed=False
    )
    with database.transaction() as session:
        for row in stored(database, exposure):
            if row.state == "open":
                followups.resolve(session, admin, row.id, "missed", "员工离职")
    with database.transaction() as session, pytest.raises(ValidationError) as error:
        pe.close_case(session, admin, exposure, entry, today=today)
    assert error.value.fields == {
        "notification": "A seroconversion needs a notification record before the case is closed."
    }
    assert pe.suggested_notification("hbv_seroconversion") == "work_injury_claim"
    notification = pe.NotificationInput(
        "work_injury_claim", "hbv", "市人社局工伤认定科", D("2026-06-15"), "GS-2026-001"
    )
    with database.transaction() as session:
        pe.close_case(
            session, admin, exposure, replace(entry, notification=notification), today=today
        )
    with database.session() as session:
        case = pe.get_case(session, admin, exposure, today=today)
    assert case.closed is not None and case.closed.seroconversion_date == D("2026-06-08")
    assert [n.notified_party for n in case.notifications] == ["市人社局工伤认定科"]
    assert not case.notification_needed and case.status == "closed"


def test_lost_case_closes_open_items_as_missed(
    database: Database, admin: Actor, place: Place
) -> None:
    exposure = add_exposure(database, admin, place)
    assess(database, admin, exposure)
    with database.transaction() as session:
        pe.close_case(
            session,
            admin,
            exposure,
            pe.CloseInput("lost_to_follow_up", mark_open_missed=True),
            today=D("2026-05-01"),
        )
    assert {r.state for r in stored(database, exposure)} == {"missed"}
    with database.session() as session:
        assert session.get(Exposure, exposure).status == "lost_to_follow_up"  # type: ignore[union-attr]


# -- imported exposures ---------------------------------------------------------------------------


def test_imported_exposure_is_assessed_and_keeps_what_was_recorded(
    database: Database, admin: Actor, place: Place
) -> None:
    exposure = add_exposure(
        database,
        admin,
        place,
        worker_id=None,
        worker_kind="student",
        worker_name="王小明",
        job_category="student_intern",
    )
    with database.transaction() as session:  # as the historical import stores a closed case
        row = session.get(Exposure, exposure)
        assert row is not None
        row.status, row.outcome = "closed", "no_seroconversion"
    recorded = {
        "worker_hbv_status": "vaccinated_response_unknown",
        "worker_anti_hbs_miu": "3.5",
        "hbig_given": "yes",
        "hbv_vaccine_given": "no",
        "hiv_pep_started": "no",
    }
    with database.transaction() as session:
        view = pe.ensure_assessed(session, admin, exposure, recorded=recorded, now=ASSESSED)
    assert view.worker_hbv_status == "vaccinated_response_unknown" and view.worker_anti_hbs == 3.5
    rows = {(r.code, r.dose): r for r in stored(database, exposure)}
    assert rows[("hbig", 1)].state == "done"
    assert rows[("hbv_vaccine", 1)].state == "cancelled"
    assert {r.state for r in rows.values()} <= {"done", "cancelled"}
    with database.session() as session:
        row = session.get(Exposure, exposure)
        assert row is not None and (row.status, row.outcome) == ("closed", "no_seroconversion")
        case = pe.get_case(session, admin, exposure, today=D("2026-04-01"))
    assert {(p.kind, p.decision) for p in case.prophylaxis} == {
        ("hbig", "given"),
        ("hbv_vaccine", "not_given"),
        ("hiv_pep", "not_given"),
    }
    events = audit_count(database)
    with database.transaction() as session:  # a re-run import changes nothing
        pe.ensure_assessed(session, admin, exposure, recorded=recorded, now=ASSESSED)
    assert audit_count(database) == events
    other = add_exposure(database, admin, place)
    with database.transaction() as session, pytest.raises(ValidationError) as error:
        pe.ensure_assessed(session, admin, other, recorded={"hbig_given": "maybe"})
    assert "Unknown code 'maybe'" in error.value.fields["hbig_given"]


# -- permissions ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "may_write", "may_read"),
    [
        (Role.ADMIN, True, True),
        (Role.OSH_OFFICER, True, True),
        (Role.COMMITTEE_MEMBER, False, False),
        (Role.REPORTER, False, False),
        (Role.VIEWER, False, False),
    ],
)
def test_permissions_per_role(
    database: Database, admin: Actor, place: Place, role: str, may_write: bool, may_read: bool
) -> None:
    exposure = add_exposure(database, admin, place)
    who = actor(role)
    with database.transaction() as session:
        if may_write:
            pe.assess_exposure(session, who, exposure, now=ASSESSED)
        else:
            with pytest.raises(PermissionDenied):
                pe.assess_exposure(session, who, exposure, now=ASSESSED)
            with pytest.raises(PermissionDenied):
                pe.propose(session, who, exposure)
            with pytest.raises(PermissionDenied):
                pe.close_case(session, who, exposure, pe.CloseInput("no_seroconversion"))
    with database.session() as session:
        if may_read:
            assert pe.get_case(session, who, exposure).exposure_id == exposure
        else:
            with pytest.raises(PermissionDenied):
                pe.get_case(session, who, exposure)


def test_every_write_appends_one_audit_event(
    database: Database, admin: Actor, place: Place
) -> None:
    exposure = add_exposure(database, admin, place, **source(source_hiv="positive"))
    before = audit_count(database)
    assess(database, admin, exposure)
    with database.transaction() as session:
        pe.record_prophylaxis(
            session,
            admin,
            exposure,
            pe.ProphylaxisInput("hbig", "given", dt.datetime(2026, 3, 9, 12, 0)),
            now=ASSESSED,
        )
        pe.record_pep_course(
            session,
            admin,
            exposure,
            pe.PepCourseInput(dt.datetime(2026, 3, 9, 11, 0)),
            now=ASSESSED,
        )
        pe.record_notification(
            session,
            admin,
            exposure,
            pe.NotificationInput("internal_only", "hiv", "院感科", D("2026-03-09")),
            today=D("2026-03-10"),
        )
    assert audit_count(database) == before + 4
    with database.session() as session:
        actions = session.scalars(
            select(AuditEvent.action)
            .where(AuditEvent.entity == "post_exposure")
            .order_by(AuditEvent.id)
        ).all()
    assert actions == ["assess", "prophylaxis", "pep_course", "notification"]


def test_propose_writes_nothing_and_is_fast(database: Database, admin: Actor, place: Place) -> None:
    import time

    exposure = add_exposure(database, admin, place)
    events = audit_count(database)
    with database.session() as session:
        started = time.perf_counter()
        view = pe.propose(session, admin, exposure, now=ASSESSED)
        elapsed = time.perf_counter() - started
    assert not view.saved and view.lines and audit_count(database) == events
    assert elapsed < 1.0  # "within a second of entering the source and worker status"
    assert stored(database, exposure) == []
