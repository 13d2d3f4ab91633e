"""Post-exposure changes: the outdated rule, the compact snapshot and one-statement schedule,
reopening a closed case, the hospital's own schedule offsets, and the audited case sheet."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import event, select

from hospital_osh.models import AuditEvent, Exposure, FollowUp, PostExposureAssessment
from hospital_osh.services import exposures, immunisation
from hospital_osh.services import post_exposure as pe
from hospital_osh.services.context import Actor
from hospital_osh.services.database import Database
from hospital_osh.services.errors import PermissionDenied, ValidationError
from tests.conftest import actor
from tests.integration.pe_data import ASSESSED, NOW, Place, add_exposure, hospital, source

D = dt.date.fromisoformat
NEGATIVE = source(source_hbsag="negative", source_anti_hcv="negative", source_hiv="negative")


@pytest.fixture
def place(database: Database, admin: Actor) -> Place:
    return hospital(database, admin)


def assess(database: Database, admin: Actor, exposure_id: int) -> pe.AssessmentView:
    with database.transaction() as session:
        return pe.assess_exposure(session, admin, exposure_id, now=ASSESSED)


def case(database: Database, admin: Actor, exposure_id: int) -> pe.CaseView:
    with database.session() as session:
        return pe.get_case(session, admin, exposure_id, today=D("2026-03-20"), now=ASSESSED)


def events(database: Database, action: str) -> list[AuditEvent]:
    with database.session() as session:
        return list(session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


# -- which changes make an assessment outdated ---------------------------------------------------


def test_a_followup_result_does_not_make_the_assessment_outdated(
    database: Database, admin: Actor, place: Place
) -> None:
    exposure = add_exposure(database, admin, place, **NEGATIVE)
    assess(database, admin, exposure)
    with database.transaction() as session:  # the baseline anti-HCV the schedule asked for
        immunisation.record_serology(
            session,
            admin,
            place.nurse,
            immunisation.SerologyInput("anti_hcv", D("2026-03-10"), result="positive"),
        )
    with database.session() as session:
        current, _status = pe.exposure_inputs(session, session.get(Exposure, exposure))  # type: ignore[arg-type]
    assert current.worker_anti_hcv == "positive"  # the inputs did change ...
    assert not case(database, admin, exposure).assessment.outdated  # type: ignore[union-attr]


def test_a_changed_source_status_makes_it_outdated_until_reassessed(
    database: Database, admin: Actor, place: Place
) -> None:
    exposure = add_exposure(database, admin, place, **NEGATIVE)
    assess(database, admin, exposure)
    with database.transaction() as session:
        info = exposures.get_exposure(session, admin, exposure)
        exposures.update_exposure(
            session,
            admin,
            pe_replace(info, source_hbsag="positive"),
            now=NOW,
        )
    assert case(database, admin, exposure).assessment.outdated  # type: ignore[union-attr]
    with database.session() as session:
        saved = session.scalar(select(PostExposureAssessment.inputs))
        current, _status = pe.exposure_inputs(session, session.get(Exposure, exposure))  # type: ignore[arg-type]
    assert saved is not None and pe.changed_inputs(saved, current) == ("source_hbsag",)
    assess(database, admin, exposure)
    assert not case(database, admin, exposure).assessment.outdated  # type: ignore[union-attr]


def pe_replace(info: exposures.ExposureInfo, **changes: object) -> exposures.ExposureInfo:
    from dataclasses import replace

    return replace(info, **changes)  # type: ignore[arg-type]


# -- saving: a small snapshot, the schedule in one statement ---------------------------------------


def test_snapshot_keeps_only_what_the_audit_and_the_outdated_rule_need(
    database: Database, admin: Actor, place: Place
) -> None:
    exposure = add_exposure(database, admin, place)
    view = assess(database, admin, exposure)
    with database.session() as session:
        saved = session.scalars(select(PostExposureAssessment)).one()
        basis = session.scalars(select(FollowUp.basis)).all()
    snapshot = json.loads(saved.proposal)
    assert set(snapshot) == {
        "assessed_at",
        "overrides",
        "pep_level",
        "planned",
        "protocol",
        "protocol_version",
        "rules",
    }
    assert len(snapshot["planned"]) == len(view.planned)
    assert [line.rule_id for line in view.lines] == snapshot["rules"]
    assert len(saved.proposal) < 800
    assert all("source" not in b for text in basis for b in json.loads(text))


def test_the_schedule_is_inserted_in_one_statement(
    database: Database, admin: Actor, place: Place
) -> None:
    exposure = add_exposure(database, admin, place)
    inserts: list[str] = []

    def count(_c: object, _cur: object, statement: str, *_rest: object) -> None:
        if statement.lstrip().upper().startswith("INSERT INTO FOLLOWUP"):
            inserts.append(statement)

    event.listen(database.engine, "before_cursor_execute", count)
    try:
        view = assess(database, admin, exposure)
    finally:
        event.remove(database.engine, "before_cursor_execute", count)
    assert len(view.planned) > 5 and len(inserts) == 1
    with database.session() as session:
        rows = session.scalars(select(FollowUp)).all()
    assert len(rows) == len(view.planned)
    assert len({r.uuid for r in rows}) == len(rows) and {r.version for r in rows} == {1}
    assert {r.state for r in rows} == {"open"}


# -- reopening a closed case ---------------------------------------------------------------------


def test_reopen_a_lost_case_keeps_the_outcome_in_history(
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
    with database.transaction() as session, pytest.raises(ValidationError) as error:
        pe.reopen_case(session, admin, exposure, "  ")
    assert error.value.fields == {"reason": "Give the reason for reopening the case."}
    with database.transaction() as session:
        pe.reopen_case(session, admin, exposure, "The worker came back from secondment.")
    with database.session() as session:
        row = session.get(Exposure, exposure)
        assert row is not None and (row.status, row.outcome) == ("under_follow_up", "pending")
        history = pe.reopenings(session, admin, exposure)
        states = set(session.scalars(select(FollowUp.state)))
    assert [(h.previous_status, h.previous_outcome, h.reason) for h in history] == [
        ("lost_to_follow_up", "lost_to_follow_up", "The worker came back from secondment.")
    ]
    assert states == {"open"}  # the items the closing marked missed are open again
    [reopened] = events(database, "reopen")
    assert json.loads(reopened.changes)["status"] == ["lost_to_follow_up", "under_follow_up"]
    assess(database, admin, exposure)  # a reopened case can be re-assessed ...
    with database.transaction() as session:  # ... and closed again
        pe.close_case(
            session,
            admin,
            exposure,
            pe.CloseInput("lost_to_follow_up", mark_open_missed=True),
            today=D("2026-05-02"),
        )


def test_reopen_refuses_an_open_case_and_needs_the_permission(
    database: Database, admin: Actor, place: Place
) -> None:
    exposure = add_exposure(database, admin, place)
    with database.transaction() as session, pytest.raises(ValidationError) as error:
        pe.reopen_case(session, admin, exposure, "why not")
    assert error.value.fields == {"reason": "The case is not closed."}
    with database.transaction() as session, pytest.raises(PermissionDenied):
        pe.reopen_case(session, actor("viewer"), exposure, "why not")


# -- the hospital's own schedule offsets ---------------------------------------------------------

HCV_RNA = ("china_hcv_follow_up", "hcv_rna_4w")  # due day 28, window 28-42


def adjust(
    database: Database, admin: Actor, due: int, start: int, end: int, reason: str = "本院检验科排期"
) -> pe.ScheduleRowView:
    entry = pe.AdjustmentInput("china", *HCV_RNA, due, start, end, reason)
    with database.transaction() as session:
        return pe.set_adjustment(session, admin, entry)


def test_adjusted_offsets_reach_the_schedule_with_their_reason(
    database: Database, admin: Actor, place: Place
) -> None:
    row = adjust(database, admin, 35, 30, 45)
    assert (row.protocol_due, row.protocol_window) == (28, (28, 42))
    assert (row.due, row.window_start, row.window_end, row.adjusted) == (35, 30, 45, True)
    exposure = add_exposure(
        database, admin, place, **source(source_anti_hcv="positive", source_hiv="negative")
    )
    view = assess(database, admin, exposure)
    [rna] = [p for p in view.planned if p.code == "hcv_rna" and p.due_date > D("2026-03-20")]
    assert (rna.due_date, rna.window_start, rna.window_end) == (
        D("2026-04-13"),
        D("2026-04-08"),
        D("2026-04-23"),
    )
    assert rna.adjusted == "Adjusted by the hospital: 本院检验科排期"
    assert all(not p.adjusted for p in view.planned if p is not rna)
    assert json.loads(events(database, "adjust_offsets")[0].changes)["due"] == [None, 35]
    with database.transaction() as session:
        back = pe.reset_adjustment(session, admin, "china", *HCV_RNA)
    assert (back.due, back.adjusted) == (28, False)
    assert len(events(database, "reset_offsets")) == 1


@pytest.mark.parametrize(
    ("due", "start", "end", "reason", "field", "message"),
    [
        (-3, 0, 40, "x", "due", "days must be between 0 and 730"),
        (28, 28, 9999, "x", "window_end", "days must be between 0 and 730"),
        (50, 28, 42, "x", "window_start", "(day 28 to day 42) does not contain the due day 50"),
        (30, 28, 42, " ", "reason", "give the reason for the change"),
    ],
)
def test_bad_offsets_are_refused_naming_the_row(
    database: Database,
    admin: Actor,
    due: int,
    start: int,
    end: int,
    reason: str,
    field: str,
    message: str,
) -> None:
    with pytest.raises(ValidationError) as error:
        adjust(database, admin, due, start, end, reason)
    text = error.value.fields[field]
    assert message in text and "(china_hcv_follow_up / hcv_rna_4w)" in text
    with database.session() as session:
        assert not any(r.adjusted for r in pe.schedule_rows(session, "china"))


def test_an_offset_the_protocol_forbids_is_refused(database: Database, admin: Actor) -> None:
    # anti-HBs after the vaccine must wait a month after the last dose (§b.2)
    entry = pe.AdjustmentInput("china", "china_hbv_exposed", "pvst", 185, 185, 240, "早一点")
    with database.transaction() as session, pytest.raises(ValidationError) as error:
        pe.set_adjustment(session, admin, entry)
    assert "the protocol does not allow it" in error.value.fields["due"]


def test_offsets_need_the_hospital_permission(database: Database) -> None:
    entry = pe.AdjustmentInput("china", *HCV_RNA, 30, 28, 42, "x")
    with database.transaction() as session, pytest.raises(PermissionDenied):
        pe.set_adjustment(session, actor("officer"), entry)


# -- printing a case sheet is audited ------------------------------------------------------------


def test_case_sheet_printing_appends_one_audit_event(
    database: Database, admin: Actor, place: Place
) -> None:
    exposure = add_exposure(database, admin, place)
    with database.transaction() as session:
        info = pe.case_sheet_info(session, admin, exposure, "zh_CN")
    assert info.id == exposure
    [printed] = events(database, "print_case_sheet")
    who = (printed.actor, printed.entity, printed.entity_id)
    assert who == ("admin", "exposure", str(exposure))
    assert json.loads(printed.changes)["language"] == [None, "zh_CN"]
