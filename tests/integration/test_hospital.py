"""The hospital profile, departments and yearly staffing denominators: validation and audit."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from hospital_osh.domain.codes import DEPARTMENT_TYPES
from hospital_osh.models import AuditEvent
from hospital_osh.services import hospital
from hospital_osh.services.context import Actor
from hospital_osh.services.database import Database
from hospital_osh.services.errors import Conflict, NotFound, ValidationError
from hospital_osh.services.hospital import DepartmentInfo, HospitalProfile, StaffingInfo

PROFILE = HospitalProfile(
    name_zh=" 示范市第一人民医院 ",
    name_en="Demo City First People's Hospital",
    facility_code="DEMO-1",
    province="浙江省",
    city="示范市",
    grade="tertiary_a",
)


def last_event(database: Database) -> AuditEvent:
    with database.session() as session:
        event = session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
        assert event is not None
        return event


# -- profile ------------------------------------------------------------------------------------


def test_profile_is_created_once_then_updated_with_a_diff(database: Database, admin: Actor) -> None:
    with database.session() as session:
        assert hospital.get_profile(session) is None and not hospital.is_initialised(session)
    with database.transaction() as session:
        saved = hospital.save_profile(session, admin, PROFILE)
    assert saved.name_zh == "示范市第一人民医院" and saved.version == 1
    event = last_event(database)
    assert (event.action, event.entity, event.entity_id) == ("create", "hospital", "1")
    assert json.loads(event.changes)["grade"] == [None, "tertiary_a"]

    with database.transaction() as session:
        hospital.save_profile(
            session,
            admin,
            HospitalProfile(**(saved.values() | {"city": "杭州市"}), version=saved.version),
        )
    event = last_event(database)
    assert event.action == "update" and json.loads(event.changes) == {"city": ["示范市", "杭州市"]}
    with database.session() as session:
        profile = hospital.get_profile(session)
        assert profile is not None and profile.city == "杭州市" and profile.version == 2
        secret = hospital.pseudonym_secret(session)
    assert len(secret) == 64  # generated, kept, never in the audit trail
    with database.session() as session:
        assert all(secret not in e.changes for e in session.scalars(select(AuditEvent)))


def test_a_stale_profile_is_refused(database: Database, admin: Actor) -> None:
    with database.transaction() as session:
        first = hospital.save_profile(session, admin, PROFILE)
    with database.transaction() as session:
        hospital.save_profile(
            session, admin, HospitalProfile(**(first.values() | {"city": "A"}), version=1)
        )
    with database.transaction() as session, pytest.raises(Conflict):
        hospital.save_profile(
            session, admin, HospitalProfile(**(first.values() | {"city": "B"}), version=1)
        )


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"name_zh": " ", "name_en": ""}, "name_zh", "Enter the hospital's name"),
        ({"facility_code": ""}, "facility_code", "Enter the facility code."),
        ({"facility_code": "x" * 41}, "facility_code", "at most 40 characters"),
        ({"grade": "best"}, "grade", "Choose a hospital grade from the list."),
        ({"time_zone": "Mars/Olympus"}, "time_zone", "Unknown time zone 'Mars/Olympus'."),
    ],
)
def test_profile_validation(
    database: Database, admin: Actor, changes: dict[str, str], field: str, message: str
) -> None:
    profile = HospitalProfile(**(PROFILE.values() | changes))
    assert hospital.validate_profile(PROFILE) == {}
    with database.transaction() as session, pytest.raises(ValidationError) as error:
        hospital.save_profile(session, admin, profile)
    assert list(error.value.fields) == [field] and message in error.value.fields[field]


def test_pseudonym_secret_needs_a_profile(database: Database) -> None:
    with database.session() as session, pytest.raises(NotFound):
        hospital.pseudonym_secret(session)


# -- departments --------------------------------------------------------------------------------


def test_departments_create_update_deactivate(database: Database, admin: Actor) -> None:
    with database.transaction() as session:
        im = hospital.save_department(
            session, admin, DepartmentInfo(" IM ", "内科", "Internal medicine", "ward")
        )
        hospital.save_department(session, admin, DepartmentInfo("ICU", "重症", "", "icu"))
    assert im.code == "IM" and im.id is not None
    with database.transaction() as session:
        hospital.save_department(
            session,
            admin,
            DepartmentInfo(
                "IM",
                "内科病房",
                "Internal medicine",
                "ward",
                active=False,
                id=im.id,
                version=im.version,
            ),
        )
    event = last_event(database)
    assert json.loads(event.changes) == {"active": [True, False], "name_zh": ["内科", "内科病房"]}
    with database.session() as session:
        assert [d.code for d in hospital.list_departments(session)] == ["ICU", "IM"]
        assert [d.code for d in hospital.list_departments(session, active_only=True)] == ["ICU"]
        icu = hospital.list_departments(session)[0]
    assert icu.name("en") == "重症" and icu.name("zh_CN") == "重症"  # falls back
    with database.transaction() as session, pytest.raises(Conflict):
        hospital.save_department(
            session, admin, DepartmentInfo("IM", "X", "X", "ward", id=im.id, version=im.version)
        )


@pytest.mark.parametrize(
    ("info", "field", "message"),
    [
        (DepartmentInfo("", "内科", "", "ward"), "code", "Enter a department code."),
        (DepartmentInfo("x" * 41, "内科", "", "ward"), "code", "at most 40 characters"),
        (
            DepartmentInfo("IM", "内科", "", "ward"),
            "code",
            "The department code 'IM' is already used.",
        ),
        (DepartmentInfo("NEW", " ", "", "ward"), "name_zh", "Enter the department's name"),
        (DepartmentInfo("NEW", "新", "", "garden"), "type", "Choose a department type"),
    ],
)
def test_department_validation(
    database: Database, admin: Actor, info: DepartmentInfo, field: str, message: str
) -> None:
    with database.transaction() as session:
        hospital.save_department(session, admin, DepartmentInfo("IM", "内科", "", "ward"))
    with database.transaction() as session, pytest.raises(ValidationError) as error:
        hospital.save_department(session, admin, info)
    assert list(error.value.fields) == [field] and message in error.value.fields[field]


def test_updating_a_missing_department_is_not_found(database: Database, admin: Actor) -> None:
    with database.transaction() as session, pytest.raises(NotFound):
        hospital.save_department(session, admin, DepartmentInfo("Z", "Z", "Z", "ward", id=999))


def test_default_departments_are_valid_and_cover_the_main_types() -> None:
    defaults = hospital.default_departments()
    codes = [d.code for d in defaults]
    assert len(codes) == len(set(codes)) >= 20
    assert all(d.type in DEPARTMENT_TYPES and d.name_zh and d.name_en for d in defaults)
    assert {d.type for d in defaults} >= {"ward", "icu", "emergency", "laboratory", "cssd"}


# -- staffing -----------------------------------------------------------------------------------


def test_staffing_is_saved_replaced_and_audited(database: Database, admin: Actor) -> None:
    first = StaffingInfo(2025, 420.5, {("nurse", "female"): 250.0, ("doctor", "male"): 80.0})
    with database.transaction() as session:
        hospital.save_staffing(session, admin, first)
    event = last_event(database)
    assert (event.action, event.entity, event.entity_id) == ("create", "staffing_year", "2025")
    assert json.loads(event.changes)["fte.nurse.female"] == [None, 250.0]

    second = StaffingInfo(2025, 430.0, {("nurse", "female"): 260.0, ("doctor", "male"): 0.0})
    with database.transaction() as session:
        hospital.save_staffing(session, admin, second)
    event = last_event(database)
    assert event.action == "update"
    assert json.loads(event.changes) == {
        "occupied_beds": [420.5, 430.0],
        "fte.nurse.female": [250.0, 260.0],
        "fte.doctor.male": [80.0, None],  # a zero is not stored
    }
    with database.session() as session:
        stored = hospital.get_staffing(session, 2025)
        assert stored is not None and stored.fte == {("nurse", "female"): 260.0}
        assert stored.total_fte == 260.0 and stored.fte_by_job_category() == {"nurse": 260.0}
        assert [s.year for s in hospital.list_staffing(session)] == [2025]
        assert hospital.get_staffing(session, 2024) is None


@pytest.mark.parametrize(
    ("info", "field", "message"),
    [
        (StaffingInfo(1989), "year", "between 1990 and 2100"),
        (StaffingInfo(2025, -1.0), "occupied_beds", "between 0 and 100,000"),
        (StaffingInfo(2025, 100_001.0), "occupied_beds", "between 0 and 100,000"),
        (StaffingInfo(2025, None, {("surgeon", "male"): 1.0}), "fte", "Unknown job category"),
        (StaffingInfo(2025, None, {("nurse", "x"): 1.0}), "fte", "Unknown job category or sex"),
        (StaffingInfo(2025, None, {("nurse", "female"): -3.0}), "fte", "between 0 and 100,000"),
    ],
)
def test_staffing_validation(
    database: Database, admin: Actor, info: StaffingInfo, field: str, message: str
) -> None:
    with database.transaction() as session, pytest.raises(ValidationError) as error:
        hospital.save_staffing(session, admin, info)
    assert list(error.value.fields) == [field] and message in error.value.fields[field]
    with database.session() as session:
        assert hospital.list_staffing(session) == []
