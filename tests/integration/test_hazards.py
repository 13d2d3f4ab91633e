"""The hazard register service: validation, permissions, audit, history, acceptance, the paged list
with its filters and SQL sorting, cell counts, reviews, and switching matrices."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json

import pytest
from sqlalchemy import func, select

from hospital_osh.domain.roles import Role
from hospital_osh.models import AuditEvent, HazardAssessment
from hospital_osh.services import hazards
from hospital_osh.services.errors import Conflict, PermissionDenied, ValidationError
from hospital_osh.services.hazards import (
    Acceptance,
    ControlInfo,
    HazardFilter,
    HazardInfo,
)
from hospital_osh.services.hospital import DepartmentInfo, save_department
from tests.conftest import actor

TODAY = dt.date(2026, 11, 20)
OFFICER = actor(Role.OSH_OFFICER, "officer")


@pytest.fixture
def departments(database, admin) -> dict[str, int]:  # type: ignore[no-untyped-def]
    with database.transaction() as session:
        return {
            code: save_department(
                session, admin, DepartmentInfo(code, zh, en, kind), bootstrap=True
            ).id
            for code, zh, en, kind in (
                ("PIVAS", "静脉用药调配中心", "Intravenous admixture service", "pharmacy"),
                ("ED", "急诊科", "Emergency department", "emergency"),
                ("CSSD", "消毒供应中心", "Sterile services (CSSD)", "cssd"),
            )
        }


def _info(department_id: int | None = None, **changes) -> HazardInfo:  # type: ignore[no-untyped-def]
    values = dict(
        department_id=department_id,
        location="Building 2, floor 1",
        activity="Preparing cytotoxic infusions",
        agent="Cyclophosphamide, 5-FU",
        category="chemical",
        potential_harm="Reproductive toxicity, skin sensitisation",
        identification_method="walk_through",
        job_categories=("pharmacist", "nurse"),
        exposed_female=12,
        exposed_male=3,
        vulnerable_groups=("pregnant_breastfeeding",),
        reproductive_hazard=True,
        owner="Dr Zhou (head of pharmacy)",
        assessors="Li Jing; Zhou Min",
        approver="OSH office",
        assessed_on=dt.date(2026, 11, 2),
        initial_likelihood=4,
        initial_severity=4,
        residual_likelihood=3,
        residual_severity=4,
        controls=(
            ControlInfo("Class II biological safety cabinet", "engineering"),
            ControlInfo("Chemo gloves, gown", "ppe"),
        ),
    )
    values.update(changes)
    return HazardInfo(**values)


def _create(database, info: HazardInfo, who=OFFICER) -> hazards.SaveResult:  # type: ignore[no-untyped-def]
    with database.transaction() as session:
        return hazards.create_hazard(session, who, info, today=TODAY)


def _events(database, action: str | None = None) -> list[AuditEvent]:  # type: ignore[no-untyped-def]
    with database.session() as session:
        query = select(AuditEvent).where(AuditEvent.entity == "hazard").order_by(AuditEvent.id)
        if action:
            query = query.where(AuditEvent.action == action)
        return list(session.scalars(query))


def test_create_computes_levels_review_and_history(database, departments) -> None:  # type: ignore[no-untyped-def]
    result = _create(database, _info(departments["PIVAS"]))
    saved = result.hazard
    assert saved.reference == "HZ-0001" and saved.uuid
    assert (saved.initial_level, saved.residual_level, saved.current_level) == (
        "orange",
        "orange",
        "orange",
    )
    # orange: 3 months from the assessment
    assert saved.next_review_on == dt.date(2027, 2, 2) == saved.computed_review_on
    assert saved.review_state == "scheduled"
    assert not saved.weak_controls_warning  # an engineering control is in place
    assert saved.acceptance_missing and "acceptance" in result.warnings
    assert [c.hierarchy_level for c in saved.controls] == ["engineering", "ppe"]
    assert len(saved.history) == 1 and saved.history[0].kind == "initial"
    assert saved.history[0].initial_level == "orange"
    [event] = _events(database)
    assert event.action == "create" and event.actor == "officer"
    changes = json.loads(event.changes)
    assert changes["reference"] == [None, "HZ-0001"]
    assert changes["controls"][1] == [
        "engineering: Class II biological safety cabinet",
        "ppe: Chemo gloves, gown",
    ]


def test_the_warning_on_weak_controls(database, departments) -> None:  # type: ignore[no-untyped-def]
    weak = (ControlInfo("SOP and training", "administrative"), ControlInfo("Gloves", "ppe"))
    result = _create(database, _info(departments["ED"], controls=weak, residual_likelihood=None,
                                     residual_severity=None, initial_likelihood=5))  # fmt: skip
    assert result.hazard.current_level == "red" and result.hazard.weak_controls_warning
    assert "rely only on administrative measures and PPE" in result.warnings["controls"]
    with database.session() as session:
        [row] = hazards.list_hazards(session, OFFICER, today=TODAY)
        assert row.weak_controls_warning and row.level == "red"
        assert hazards.count_hazards(session, OFFICER, HazardFilter(warning_only=True)) == 1
        assert hazards.review_summary(session, OFFICER, TODAY).warnings == 1


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"initial_likelihood": 6}, "initial_likelihood", "Choose a value from 1 to 5."),
        ({"residual_severity": 0}, "residual_severity", "Choose a value from 1 to 5."),
        (
            {"residual_likelihood": 5, "residual_severity": 5},
            "residual_reason",
            "The residual risk is higher than the initial risk: say why.",
        ),
        (
            {"next_review_on": dt.date(2026, 11, 1)},
            "next_review_on",
            "The next review cannot be before the assessment date.",
        ),
        (
            {"monitoring_value": 0.7, "monitoring_date": TODAY},
            "monitoring_unit",
            "Give the unit of the monitoring result (e.g. mg/m³).",
        ),
        ({"department_id": None}, "department_id", "Required."),
        ({"department_id": 999}, "department_id", "Choose a department from the list."),
    ],
)
def test_bad_input_is_refused_and_nothing_is_written(  # type: ignore[no-untyped-def]
    database, departments, changes, field, message
) -> None:
    info = _info(**({"department_id": departments["PIVAS"]} | changes))
    with pytest.raises(ValidationError) as raised:
        _create(database, info)
    assert raised.value.fields[field] == message
    with database.session() as session:
        assert hazards.count_hazards(session, OFFICER, HazardFilter(status=None)) == 0
    assert _events(database) == []


def test_messages_are_translated(database, departments) -> None:  # type: ignore[no-untyped-def]
    from hospital_osh import i18n

    i18n.set_language("zh_CN")
    with pytest.raises(ValidationError) as raised:
        _create(database, _info(departments["PIVAS"], initial_likelihood=0))
    assert raised.value.fields["initial_likelihood"] == "请选择 1 至 5 之间的值。"


@pytest.mark.parametrize("role", [Role.VIEWER, Role.COMMITTEE_MEMBER, Role.REPORTER])
def test_only_managers_write(database, departments, role) -> None:  # type: ignore[no-untyped-def]
    saved = _create(database, _info(departments["PIVAS"])).hazard
    who = actor(role)
    with database.transaction() as session, pytest.raises(PermissionDenied):
        hazards.create_hazard(session, who, _info(departments["ED"]), today=TODAY)
    with database.transaction() as session, pytest.raises(PermissionDenied):
        hazards.update_hazard(session, who, saved, today=TODAY)
    with database.transaction() as session, pytest.raises(PermissionDenied):
        hazards.accept_residual(session, who, saved.id, Acceptance("X", "osh_officer", TODAY))
    with database.transaction() as session, pytest.raises(PermissionDenied):
        hazards.retire_hazard(session, who, saved.id, "gone")


def test_who_may_read(database, departments) -> None:  # type: ignore[no-untyped-def]
    saved = _create(database, _info(departments["PIVAS"])).hazard
    with database.session() as session:
        for role in (Role.VIEWER, Role.COMMITTEE_MEMBER, Role.OSH_OFFICER, Role.ADMIN):
            assert hazards.get_hazard(session, actor(role), saved.id).reference == "HZ-0001"
            assert len(hazards.list_hazards(session, actor(role))) == 1
        with pytest.raises(PermissionDenied):
            hazards.list_hazards(session, actor(Role.REPORTER))
        with pytest.raises(PermissionDenied):
            hazards.cell_counts(session, actor(Role.REPORTER))


def test_reassessment_keeps_the_history(database, departments) -> None:  # type: ignore[no-untyped-def]
    saved = _create(database, _info(departments["PIVAS"])).hazard
    with database.transaction() as session:
        result = hazards.reassess_hazard(
            session,
            OFFICER,
            saved.id,
            assessed_on=dt.date(2026, 11, 18),
            initial=(4, 4),
            residual=(2, 3),
            assessors="Li Jing",
            note="Closed-system transfer devices in use",
            version=saved.version,
            today=TODAY,
        )
    info = result.hazard
    assert info.residual_level == "yellow" and info.next_review_on == dt.date(2027, 5, 18)
    assert [h.kind for h in info.history] == ["reassessment", "initial"]  # newest first
    latest, first = info.history
    assert (latest.residual_likelihood, latest.residual_severity, latest.residual_level) == (
        2,
        3,
        "yellow",
    )
    assert (first.residual_likelihood, first.residual_severity) == (3, 4)
    assert latest.note == "Closed-system transfer devices in use"
    assert latest.recorded_by == "officer" and latest.matrix_id == "china_4_colour"
    assert [e.action for e in _events(database)] == ["create", "reassess"]
    # an ordinary edit adds no history row
    with database.transaction() as session:
        edited = hazards.update_hazard(
            session, OFFICER, dataclasses.replace(info, location="Room 101"), today=TODAY
        ).hazard
    assert len(edited.history) == 2 and edited.location == "Room 101"
    assert _events(database)[-1].action == "update"
    assert json.loads(_events(database)[-1].changes) == {
        "location": ["Building 2, floor 1", "Room 101"]
    }


def test_stale_version_is_a_conflict(database, departments) -> None:  # type: ignore[no-untyped-def]
    saved = _create(database, _info(departments["PIVAS"])).hazard
    with database.transaction() as session:
        hazards.update_hazard(session, OFFICER, dataclasses.replace(saved, location="A"))
    with database.transaction() as session, pytest.raises(Conflict):
        hazards.update_hazard(session, OFFICER, dataclasses.replace(saved, location="B"))


def test_acceptance_of_red_needs_a_senior_person(database, departments) -> None:  # type: ignore[no-untyped-def]
    saved = _create(
        database,
        _info(departments["ED"], initial_likelihood=5, initial_severity=5, residual_likelihood=4,
              residual_severity=5),
    ).hazard  # fmt: skip
    assert saved.residual_level == "red" and saved.acceptance_missing
    with database.transaction() as session, pytest.raises(ValidationError) as raised:
        hazards.accept_residual(
            session, OFFICER, saved.id, Acceptance("Dr Ma", "department_head", TODAY), today=TODAY
        )
    assert "hospital leadership" in raised.value.fields["accepted_role"]
    with database.transaction() as session, pytest.raises(ValidationError) as raised:
        hazards.accept_residual(
            session, OFFICER, saved.id, Acceptance("", "hospital_leader", TODAY), today=TODAY
        )
    assert raised.value.fields["accepted_by"] == "Name the person who accepts the risk."
    with database.transaction() as session:
        accepted = hazards.accept_residual(
            session,
            OFFICER,
            saved.id,
            Acceptance("Vice-president Sun", "hospital_leader", TODAY, "Guard post funded"),
            today=TODAY,
        )
    assert accepted.accepted_by == "Vice-president Sun" and not accepted.acceptance_missing
    assert _events(database, "accept")[0].actor == "officer"
    # changing the residual scores clears the acceptance
    with database.transaction() as session:
        changed = hazards.update_hazard(
            session, OFFICER, dataclasses.replace(accepted, residual_likelihood=3), today=TODAY
        ).hazard
    assert changed.accepted_by == "" and changed.acceptance_missing


def test_review_triggers_and_monitoring_above_the_limit(database, departments) -> None:  # type: ignore[no-untyped-def]
    saved = _create(
        database,
        _info(
            departments["CSSD"],
            activity="Ethylene oxide sterilisation",
            initial_likelihood=2,
            initial_severity=2,
            residual_likelihood=None,
            residual_severity=None,
        ),
    ).hazard
    assert saved.next_review_on == dt.date(2027, 5, 2)  # yellow: 6 months
    with database.transaction() as session:
        triggered = hazards.record_review_trigger(
            session, OFFICER, saved.id, "change", dt.date(2026, 11, 15), "New steriliser"
        )
    assert triggered.next_review_on == dt.date(2026, 11, 15)
    assert triggered.review_state == "overdue" or triggered.review_state == "due"
    with database.transaction() as session:
        measured = hazards.update_hazard(
            session,
            OFFICER,
            dataclasses.replace(
                triggered,
                next_review_on=None,
                monitoring_value=3.0,
                monitoring_unit="mg/m³",
                monitoring_limit=2.0,
                monitoring_date=dt.date(2026, 11, 10),
            ),
            today=TODAY,
        )
    assert measured.hazard.review_trigger == "monitoring_above_limit"
    assert measured.hazard.next_review_on == dt.date(2026, 11, 10)
    assert "above the exposure limit" in measured.warnings["monitoring_value"]
    with database.transaction() as session, pytest.raises(ValidationError):
        hazards.record_review_trigger(session, OFFICER, saved.id, "weather", TODAY)


def test_retire_needs_a_reason_and_keeps_the_record(database, departments) -> None:  # type: ignore[no-untyped-def]
    saved = _create(database, _info(departments["PIVAS"])).hazard
    with database.transaction() as session, pytest.raises(ValidationError):
        hazards.retire_hazard(session, OFFICER, saved.id, "  ")
    with database.transaction() as session:
        hazards.retire_hazard(session, OFFICER, saved.id, "Preparation moved to a vendor")
    with database.session() as session:
        assert hazards.count_hazards(session, OFFICER) == 0
        assert hazards.count_hazards(session, OFFICER, HazardFilter(status="retired")) == 1
        info = hazards.get_hazard(session, OFFICER, saved.id)
    assert info.status == "retired" and info.review_state is None
    with database.transaction() as session, pytest.raises(ValidationError):
        hazards.update_hazard(session, OFFICER, dataclasses.replace(info, location="X"))
    assert [e.action for e in _events(database)] == ["create", "retire"]


def _bulk(database, departments) -> None:  # type: ignore[no-untyped-def]
    """Nine hazards over the matrix, departments, owners and review dates."""
    cells = [(5, 5), (4, 5), (3, 4), (3, 3), (2, 4), (2, 2), (1, 3), (1, 1), (3, 3)]
    for number, (likelihood, severity) in enumerate(cells):
        department = ("PIVAS", "ED", "CSSD")[number % 3]
        assessed = dt.date(2026, 1, 10) if number % 2 else dt.date(2026, 11, 1)
        _create(
            database,
            _info(
                departments[department],
                activity=f"Task {number}",
                owner=("Owner A", "Owner B")[number % 2],
                category=("chemical", "biological", "psychosocial")[number % 3],
                assessed_on=assessed,
                initial_likelihood=likelihood,
                initial_severity=severity,
                residual_likelihood=None,
                residual_severity=None,
                controls=(ControlInfo("PPE", "ppe"),) if number < 4 else (),
            ),
        )


def test_filters_sorting_and_paging_happen_in_sql(database, departments) -> None:  # type: ignore[no-untyped-def]
    _bulk(database, departments)
    with database.session() as session:

        def refs(filters=None, **kwargs):  # type: ignore[no-untyped-def]
            filters = filters or HazardFilter()
            rows = hazards.list_hazards(session, OFFICER, filters, today=TODAY, **kwargs)
            return [r.activity for r in rows]

        assert refs()[:2] == ["Task 0", "Task 1"]  # worst level first
        assert refs(sort="level", descending=False)[0] == "Task 7"
        assert refs(sort="reference", descending=False, offset=3, limit=2) == ["Task 3", "Task 4"]
        assert set(refs(HazardFilter(level="orange"))) == {"Task 2", "Task 3", "Task 8"}
        assert set(refs(HazardFilter(level="red"))) == {"Task 0", "Task 1"}
        assert refs(HazardFilter(cell=(3, 3)), sort="reference", descending=False) == [
            "Task 3",
            "Task 8",
        ]
        assert set(refs(HazardFilter(department_id=departments["ED"]))) == {
            "Task 1",
            "Task 4",
            "Task 7",
        }
        assert set(refs(HazardFilter(category="psychosocial"))) == {"Task 2", "Task 5", "Task 8"}
        assert set(refs(HazardFilter(owner="Owner B"))) == {"Task 1", "Task 3", "Task 5", "Task 7"}
        assert refs(HazardFilter(search="task 6")) == ["Task 6"]
        # assessed in January: every level's interval has passed, except blue's 12 months
        overdue = set(refs(HazardFilter(review="overdue")))
        assert overdue == {"Task 1", "Task 3", "Task 5"}
        assert hazards.owners(session, OFFICER) == ["Owner A", "Owner B"]
        counts = hazards.cell_counts(session, OFFICER, HazardFilter(cell=(1, 1)))
        assert counts[(3, 3)] == 2 and counts[(5, 5)] == 1 and sum(counts.values()) == 9
        summary = hazards.review_summary(session, OFFICER, TODAY)
        assert summary.overdue == 3
        # red and orange with PPE only, or nothing: tasks 0-3 and 8
        assert summary.warnings == 5
        due = hazards.due_reviews(session, OFFICER, TODAY)
        assert [r.activity for r in due][:3] == ["Task 1", "Task 3", "Task 5"]
        with pytest.raises(ValidationError):
            hazards.list_hazards(session, OFFICER, HazardFilter(level="purple"))


def test_switching_the_matrix_regrades_the_register(database, departments, admin) -> None:  # type: ignore[no-untyped-def]
    _bulk(database, departments)
    with database.transaction() as session, pytest.raises(PermissionDenied):
        hazards.set_risk_matrix(session, OFFICER, "three_band")  # a hospital setting
    with database.transaction() as session, pytest.raises(ValidationError):
        hazards.set_risk_matrix(session, admin, "nine_colour")
    with database.transaction() as session:
        hazards.set_risk_matrix(session, admin, "three_band")
    with database.session() as session:
        assert hazards.current_matrix(session).id == "three_band"
        levels = {r.activity: r.level for r in hazards.list_hazards(session, OFFICER)}
        assert levels["Task 0"] == "high" and levels["Task 3"] == "medium"
        assert levels["Task 7"] == "low"
        assert hazards.count_hazards(session, OFFICER, HazardFilter(level="high")) == 2
        # medium asks no warning in three bands, so only the high ones with PPE remain
        assert hazards.review_summary(session, OFFICER, TODAY).warnings == 2
    with database.session() as session:
        history = session.scalars(select(HazardAssessment.matrix_id)).all()
        assert set(history) == {"china_4_colour"}  # the record of the day is kept


def test_register_data_groups_by_department(database, departments) -> None:  # type: ignore[no-untyped-def]
    _bulk(database, departments)
    with database.session() as session:
        before = session.scalar(select(func.count(AuditEvent.id)))
        data = hazards.register_data(session, OFFICER, today=TODAY)
        after = session.scalar(select(func.count(AuditEvent.id)))
    codes = [e.department_code for e in data.entries]
    assert codes == sorted(codes)
    pivas = [e for e in data.entries if e.department_code == "PIVAS"]
    assert [e.current_level for e in pivas] == ["red", "orange", "blue"]
    assert hazards.level_counts(data) == {"red": 2, "orange": 3, "yellow": 2, "blue": 2}
    assert data.summary.overdue == 3 and sum(data.cell_counts.values()) == 9
    assert before == after  # reading writes nothing


def test_preview_shows_levels_of_unsaved_input(database, departments) -> None:  # type: ignore[no-untyped-def]
    with database.session() as session:
        info = hazards.preview(session, _info(departments["ED"], residual_likelihood=7), TODAY)
        assert info.initial_level == "orange" and info.residual_level is None
        assert info.computed_review_on == dt.date(2027, 2, 2)
        blank = hazards.preview(session, HazardInfo(), TODAY)
        assert blank.current_level is None
