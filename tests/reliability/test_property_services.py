"""Bad input at scale, for the services' own validation: random and malformed text (embedded NUL
and other control characters, formula injection, 10 MB strings, blanks, right-to-left marks)
in every text field of users, workers, the hospital profile, departments and exposure reports.

The property, on SQLite and PostgreSQL alike: a call either raises ValidationError naming the
field, with nothing written (no row, no audit event), or it succeeds and the stored values are
the input (trimmed); never a database error, never half a write.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import pytest
from argon2 import PasswordHasher
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from hospital_osh.models import AuditEvent, Department, Exposure, User, Worker
from hospital_osh.services import exposures, hospital, users, workers
from hospital_osh.services.database import Database
from hospital_osh.services.errors import ValidationError
from tests.conftest import ADMIN

HUGE = "病" * (10 * 1024 * 1024 // 3)  # a 10 MB cell pasted into a field
SPECIAL = (
    "",
    "   ",
    "a\x00b",
    "\x00",
    "tab\there",
    "bell\x07",
    "=cmd|' /C calc'!A0",
    "+SUM(1,2)",
    "-2+3",
    "@SUM(A1)",
    "＝1+1",
    "\u202eevil",
    "名" * 121,
    "x" * 201,
    HUGE,
    "李小红",
    "O'Brien; DROP TABLE worker;--",
)
texts = st.one_of(st.text(max_size=60), st.sampled_from(SPECIAL))
EXAMPLES = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.fixture(autouse=True)
def fast_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    hasher = PasswordHasher(time_cost=1, memory_cost=64, parallelism=1)
    monkeypatch.setattr(users, "_hasher", lambda: hasher)


def _counts(database: Database, model: Any) -> tuple[int, int]:
    with database.session() as session:
        rows = session.scalar(select(func.count()).select_from(model)) or 0
        events = session.scalar(select(func.count(AuditEvent.id))) or 0
    return rows, events


def _attempt(database: Database, model: Any, write: Callable[[Any], object]) -> object | None:
    """Run ``write`` in a transaction: a ValidationError must name fields and leave nothing
    behind; success must add exactly one row and one audit event. Returns the result or None."""
    before = _counts(database, model)
    try:
        with database.transaction() as session:
            result = write(session)
    except ValidationError as error:
        assert error.fields and all(error.fields.values())
        assert _counts(database, model) == before
        return None
    rows, events = _counts(database, model)
    assert (rows, events) == (before[0] + 1, before[1] + 1)
    return result


def _clean(text: str) -> str:
    return text.strip()


@given(staff_no=texts, name=texts)
@EXAMPLES
def test_workers(database: Database, staff_no: str, name: str) -> None:
    info = workers.WorkerInfo(staff_no=staff_no, name=name)
    saved = _attempt(database, Worker, lambda s: workers.create_worker(s, ADMIN, info))
    if saved is None:
        return
    assert isinstance(saved, workers.WorkerInfo) and saved.id is not None
    with database.session() as session:
        stored = workers.get_worker(session, ADMIN, saved.id)
    assert (stored.staff_no, stored.name) == (_clean(staff_no), _clean(name))
    assert "\x00" not in stored.name + stored.staff_no


@given(username=texts, display_name=texts, password=texts)
@EXAMPLES
def test_users(database: Database, username: str, display_name: str, password: str) -> None:
    def create(session: Any) -> object:
        return users.create_user(
            session,
            ADMIN,
            username=username,
            display_name=display_name,
            role="viewer",
            password=password,
        )

    saved = _attempt(database, User, create)
    if saved is None:
        return
    assert isinstance(saved, users.UserInfo)
    assert saved.display_name == _clean(display_name)
    assert users.login(database, saved.username, password).username == saved.username


@given(name_zh=texts, name_en=texts, code=texts, city=texts)
@EXAMPLES
def test_hospital_profile(
    database: Database, name_zh: str, name_en: str, code: str, city: str
) -> None:
    from hospital_osh.models import Hospital

    with database.session() as session:
        current = hospital.get_profile(session)
    profile = hospital.HospitalProfile(name_zh, name_en, code, city=city)
    if current is not None:
        profile = replace(profile, version=current.version)

    def save(session: Any) -> object:
        return hospital.save_profile(session, ADMIN, profile, bootstrap=True)

    before = _counts(database, Hospital)
    try:
        with database.transaction() as session:
            saved = save(session)
    except ValidationError as error:
        assert error.fields
        assert _counts(database, Hospital) == before
        return
    assert _counts(database, Hospital)[1] == before[1] + 1
    with database.session() as session:
        stored = hospital.get_profile(session)
    assert stored is not None and isinstance(saved, hospital.HospitalProfile)
    assert (stored.name_zh, stored.name_en, stored.facility_code, stored.city) == (
        _clean(name_zh),
        _clean(name_en),
        _clean(code),
        _clean(city),
    )


@given(code=texts, name_zh=texts, name_en=texts)
@EXAMPLES
def test_departments(database: Database, code: str, name_zh: str, name_en: str) -> None:
    info = hospital.DepartmentInfo(code, name_zh, name_en, "ward")
    saved = _attempt(
        database, Department, lambda s: hospital.save_department(s, ADMIN, info, bootstrap=True)
    )
    if saved is None:
        return
    assert isinstance(saved, hospital.DepartmentInfo)
    assert (saved.code, saved.name_zh, saved.name_en) == (
        _clean(code),
        _clean(name_zh),
        _clean(name_en),
    )


@given(worker_name=texts, description=texts, staff_no=st.sampled_from(["", "N-1", "=1+1"]))
@EXAMPLES
def test_quick_exposure_reports(
    database: Database, worker_name: str, description: str, staff_no: str
) -> None:
    with database.session() as session:
        department = session.scalar(select(Department.id).where(Department.code == "ER"))
    if department is None:
        with database.transaction() as session:
            department = hospital.save_department(
                session, ADMIN, hospital.DepartmentInfo("ER", "急诊", "ER", "emergency")
            ).id
    report = exposures.QuickReport(
        occurred_at=dt.datetime(2026, 3, 1, 8, 0),
        exposure_type="percutaneous",
        department_id=department,
        description=description,
        source_identified="no",
        staff_no=staff_no,
        worker_name=worker_name,
        worker_kind="student",
    )
    now = dt.datetime(2026, 3, 1, 9, 0)
    receipt = _attempt(
        database, Exposure, lambda s: exposures.quick_report(s, ADMIN, report, now=now)
    )
    if receipt is None:
        return
    assert isinstance(receipt, exposures.QuickReportReceipt)
    with database.session() as session:
        stored = exposures.get_exposure(session, ADMIN, receipt.id)
    assert (stored.worker_name, stored.description) == (_clean(worker_name), _clean(description))
