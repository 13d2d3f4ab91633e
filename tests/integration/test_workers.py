"""Workers: validation per field, paging, sorting, filters and search in SQL, masking for viewers,
deactivation instead of deletion."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from hospital_osh.domain.roles import Role
from hospital_osh.services import workers
from hospital_osh.services.context import Actor
from hospital_osh.services.database import Database
from hospital_osh.services.errors import Conflict, NotFound, ValidationError
from hospital_osh.services.hospital import DepartmentInfo, save_department
from hospital_osh.services.workers import HIDDEN, WorkerFilter, WorkerInfo
from tests.conftest import actor

TODAY = dt.date(2026, 6, 1)


@pytest.fixture
def departments(database: Database, admin: Actor) -> dict[str, int]:
    ids = {}
    with database.transaction() as session:
        for code, zh, en, kind in (
            ("IM", "内科病房", "Internal medicine ward", "ward"),
            ("ICU", "重症医学科", "Intensive care unit", "icu"),
            ("LAB", "检验科", "Clinical laboratory", "laboratory"),
        ):
            info = save_department(session, admin, DepartmentInfo(code, zh, en, kind))
            assert info.id is not None
            ids[code] = info.id
    return ids


# staff_no, name, sex, job, department, employment, hire date
STAFF = [
    ("N003", "王芳", "female", "nurse", "IM", "permanent", dt.date(2010, 1, 5)),
    ("N001", "李静", "female", "nurse", "ICU", "contract", dt.date(2015, 3, 1)),
    ("D002", "张伟", "male", "doctor", "IM", "permanent", dt.date(2008, 7, 1)),
    ("D001", "刘洋", "male", "doctor", "ICU", "permanent", dt.date(2012, 9, 1)),
    ("L001", "陈敏", "female", "lab_technician", "LAB", "contract", dt.date(2018, 4, 2)),
    ("C001", "杨霞", "female", "cleaner", None, "agency", dt.date(2021, 11, 15)),
    ("N002", "王丽", "female", "nurse", "IM", "agency", dt.date(2020, 2, 1)),
]


@pytest.fixture
def staff(database: Database, admin: Actor, departments: dict[str, int]) -> dict[str, int]:
    ids = {}
    with database.transaction() as session:
        for staff_no, name, sex, job, dept, employment, hired in STAFF:
            info = workers.create_worker(
                session,
                admin,
                WorkerInfo(
                    staff_no,
                    name,
                    sex,
                    dt.date(1985, 5, 5),
                    job,
                    departments[dept] if dept else None,
                    employment,
                    hired,
                ),
            )
            assert info.id is not None
            ids[staff_no] = info.id
        workers.set_worker_active(session, admin, ids["N002"], False)
    return ids


def valid(**changes: object) -> WorkerInfo:
    base = WorkerInfo(
        "X001",
        "赵雪",
        "female",
        dt.date(1990, 1, 1),
        "nurse",
        None,
        "permanent",
        dt.date(2012, 1, 1),
    )
    return WorkerInfo(**(base.values() | {"id": None, "version": None} | changes))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"staff_no": "  "}, "staff_no", "Enter the staff number."),
        ({"staff_no": "x" * 41}, "staff_no", "The staff number has at most 40 characters."),
        ({"name": ""}, "name", "Enter the worker's name."),
        ({"name": "名" * 121}, "name", "The name has at most 120 characters."),
        ({"sex": "f"}, "sex", "Choose the sex from the list."),
        ({"job_category": "surgeon"}, "job_category", "Choose a job category from the list."),
        ({"employment_type": "x"}, "employment_type", "Choose an employment type from the list."),
        (
            {"birth_date": dt.date(2020, 1, 1), "hire_date": None},
            "birth_date",
            "The birth date gives an age of 6; check it.",
        ),
        ({"hire_date": dt.date(2026, 6, 2)}, "hire_date", "The hire date is in the future."),
        (
            {"hire_date": dt.date(2003, 1, 1)},
            "hire_date",
            "The hire date is before the worker's 14th birthday.",
        ),
        ({"department_id": 999}, "department_id", "Choose a department from the list."),
    ],
)
def test_validation_messages_per_field(
    database: Database, changes: dict[str, object], field: str, message: str
) -> None:
    with database.session() as session:
        assert workers.validate_worker(session, valid(), TODAY) == {}
        assert workers.validate_worker(session, valid(**changes), TODAY) == {field: message}


def test_create_refuses_invalid_and_duplicate_staff_numbers(
    database: Database, admin: Actor, staff: dict[str, int]
) -> None:
    with database.transaction() as session, pytest.raises(ValidationError) as error:
        workers.create_worker(session, admin, valid(staff_no=" N001 "))
    assert error.value.fields == {"staff_no": "The staff number N001 is already used."}
    with database.transaction() as session, pytest.raises(ValidationError) as error:
        workers.create_worker(session, admin, valid(name=" ", sex="?"))
    assert set(error.value.fields) == {"name", "sex"}


def test_create_strips_and_update_keeps_its_own_staff_number(
    database: Database, admin: Actor
) -> None:
    with database.transaction() as session:
        created = workers.create_worker(session, admin, valid(staff_no=" X9 ", name=" 赵雪 "))
    assert (created.staff_no, created.name) == ("X9", "赵雪")
    with database.transaction() as session:
        updated = workers.update_worker(
            session, admin, valid(staff_no="X9", name="赵雪梅", id=created.id, version=1)
        )
    with database.session() as session:
        assert created.id is not None
        assert workers.get_worker(session, admin, created.id).version == updated.version == 2
    # A second editor who opened version 1 is refused instead of overwriting silently.
    with pytest.raises(Conflict), database.transaction() as session:
        workers.update_worker(
            session, admin, valid(staff_no="X9", name="赵雪", id=created.id, version=1)
        )


def test_update_of_a_missing_worker_is_not_found(database: Database, admin: Actor) -> None:
    with database.transaction() as session, pytest.raises(NotFound):
        workers.update_worker(session, admin, valid(id=12345))


ACTIVE = WorkerFilter()


def _staff_nos(
    database: Database, who: Actor, filters: WorkerFilter = ACTIVE, **options: Any
) -> list[str]:
    with database.session() as session:
        return [row.staff_no for row in workers.list_workers(session, who, filters, **options)]


def test_paging_and_sorting_happen_in_sql(
    database: Database, admin: Actor, staff: dict[str, int]
) -> None:
    everyone = WorkerFilter(active=None)
    assert _staff_nos(database, admin, everyone) == sorted(s[0] for s in STAFF)
    pages = [_staff_nos(database, admin, everyone, offset=offset, limit=3) for offset in (0, 3, 6)]
    assert pages == [["C001", "D001", "D002"], ["L001", "N001", "N002"], ["N003"]]
    by_hire = _staff_nos(database, admin, everyone, sort="hire_date", descending=True)
    assert by_hire == [s[0] for s in sorted(STAFF, key=lambda s: s[6], reverse=True)]
    by_department = _staff_nos(database, admin, everyone, sort="department")
    assert by_department[-1] == "C001" or by_department[0] == "C001"  # NULL sorts at an end
    assert by_department.index("L001") > by_department.index("D001")  # ICU < IM < LAB
    assert _staff_nos(database, admin, everyone, sort="no such column") == sorted(
        s[0] for s in STAFF
    )
    with database.session() as session:
        assert workers.count_workers(session, admin, everyone) == len(STAFF)


def test_filters(
    database: Database, admin: Actor, staff: dict[str, int], departments: dict[str, int]
) -> None:
    assert "N002" not in _staff_nos(database, admin)  # active only by default
    assert _staff_nos(database, admin, WorkerFilter(active=False)) == ["N002"]
    assert _staff_nos(database, admin, WorkerFilter(department_id=departments["ICU"])) == [
        "D001",
        "N001",
    ]
    assert _staff_nos(database, admin, WorkerFilter(job_category="nurse", active=None)) == [
        "N001",
        "N002",
        "N003",
    ]
    assert _staff_nos(database, admin, WorkerFilter(employment_type="agency")) == ["C001"]
    with database.session() as session:
        assert workers.count_workers(session, admin, WorkerFilter(job_category="doctor")) == 2


def test_search_by_name_or_staff_number(
    database: Database, admin: Actor, staff: dict[str, int]
) -> None:
    assert _staff_nos(database, admin, WorkerFilter(search="王", active=None)) == [
        "N002",
        "N003",
    ]
    assert _staff_nos(database, admin, WorkerFilter(search="d00")) == ["D001", "D002"]  # any case
    assert _staff_nos(database, admin, WorkerFilter(search="  ")) == _staff_nos(database, admin)
    officer = actor(Role.OSH_OFFICER)
    assert _staff_nos(database, officer, WorkerFilter(search="李静")) == ["N001"]


def test_viewers_see_masked_identities_and_cannot_search_by_them(
    database: Database, staff: dict[str, int]
) -> None:
    viewer = actor(Role.VIEWER)
    with database.session() as session:
        rows = workers.list_workers(session, viewer)
        assert rows and all(r.staff_no == HIDDEN and r.name == HIDDEN for r in rows)
        assert {r.job_category for r in rows} >= {"nurse", "doctor"}  # the rest stays visible
        assert workers.count_workers(session, viewer, WorkerFilter(search="王芳")) == 0
        assert workers.count_workers(session, viewer, WorkerFilter(search="N003")) == 0
        by_department = workers.list_workers(session, viewer, WorkerFilter(search="重症"))
        assert len(by_department) == 2 and {r.department_code for r in by_department} == {"ICU"}


def test_sorting_by_name_does_not_reveal_order_to_viewers_only_by_masking(
    database: Database, staff: dict[str, int]
) -> None:
    """Sorting by name still works for a viewer (rows come back masked); nothing leaks in text."""
    with database.session() as session:
        rows = workers.list_workers(session, actor(Role.VIEWER), sort="name")
    assert all(HIDDEN in (r.name, r.staff_no) for r in rows)


def test_deactivate_instead_of_delete(
    database: Database, admin: Actor, staff: dict[str, int]
) -> None:
    worker_id = staff["N001"]
    with database.transaction() as session:
        workers.set_worker_active(session, admin, worker_id, False)
        workers.set_worker_active(session, admin, worker_id, False)  # no second event
    assert "N001" not in _staff_nos(database, admin)
    assert "N001" in _staff_nos(database, admin, WorkerFilter(active=False))
    with database.session() as session:
        assert not workers.get_worker(session, admin, worker_id).active
        assert workers.count_workers(session, admin, WorkerFilter(active=None)) == len(STAFF)
    with database.transaction() as session:
        workers.set_worker_active(session, admin, worker_id, True)
    assert "N001" in _staff_nos(database, admin)
    with database.transaction() as session, pytest.raises(NotFound):
        workers.set_worker_active(session, admin, 99999, False)


def test_get_worker_needs_identity_rights(database: Database, staff: dict[str, int]) -> None:
    from hospital_osh.services.errors import PermissionDenied

    with database.session() as session, pytest.raises(PermissionDenied):
        workers.get_worker(session, actor(Role.VIEWER), staff["N001"])
