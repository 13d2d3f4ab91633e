"""Fixtures for the staff and settings tests. Import them with
``from tests.ui.fixtures_staff import *`` (tests/ui/conftest.py belongs to the app shell)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator

import pytest
from sqlalchemy import insert

from hospital_osh.domain.roles import Role
from hospital_osh.models import Worker
from hospital_osh.services.context import Actor
from hospital_osh.services.database import Database
from hospital_osh.services.hospital import DepartmentInfo, save_department
from hospital_osh.services.users import create_user
from hospital_osh.ui.context import AppContext
from hospital_osh.ui.dialogs.ask import ScriptedAsker
from hospital_osh.ui.tasks import TaskRunner

__all__ = [
    "ADMIN_ACTOR",
    "PASSWORD",
    "admin_account",
    "bulk_workers",
    "context",
    "departments",
    "make_context",
    "runner",
]

PASSWORD = "correct horse battery"
ADMIN_ACTOR = Actor(username="admin", role=Role.ADMIN, user_id=1, display_name="Admin")

JOBS = ("doctor", "nurse", "cleaner", "lab_technician", "midwife")
SEXES = ("female", "male", "unknown")
EMPLOYMENT = ("permanent", "contract", "agency")


@pytest.fixture
def runner(qtbot) -> Iterator[TaskRunner]:  # type: ignore[no-untyped-def]
    """A real (threaded) runner, as in the application; shut down before the database closes."""
    task_runner = TaskRunner()
    yield task_runner
    task_runner.shutdown()
    qtbot.wait(1)  # deliver callbacks still queued, so none outlives the test


@pytest.fixture
def make_context(database: Database, runner: TaskRunner) -> Callable[..., AppContext]:
    """``make_context(role)``: an AppContext acting as ``role``. No user row is written
    (Argon2 hashing is slow); tests that need accounts use ``admin_account``."""

    def make(role: str = Role.ADMIN, answers: list[bool] | None = None) -> AppContext:
        actor = ADMIN_ACTOR if role == Role.ADMIN else Actor(username=role, role=role)
        return AppContext(database, actor, runner, ScriptedAsker(answers))

    return make


@pytest.fixture
def admin_account(database: Database) -> None:
    """The ``admin`` user row behind ADMIN_ACTOR (id 1)."""
    with database.transaction() as session:
        info = create_user(
            session,
            ADMIN_ACTOR,
            username="admin",
            display_name="Admin",
            role=Role.ADMIN,
            password=PASSWORD,
            language="en",
            bootstrap=True,
        )
    assert info.id == ADMIN_ACTOR.user_id


@pytest.fixture
def context(make_context: Callable[..., AppContext]) -> AppContext:
    return make_context()


@pytest.fixture
def departments(database: Database, context: AppContext) -> dict[str, int]:
    """Three departments; returns code -> id. ``OLD`` is inactive."""
    ids: dict[str, int] = {}
    with database.transaction() as session:
        for code, zh, en, kind, active in (
            ("ICU", "重症医学科", "Intensive care unit", "icu", True),
            ("LAB", "检验科", "Clinical laboratory", "laboratory", True),
            ("OLD", "旧病房", "Old ward", "ward", False),
        ):
            saved = save_department(
                session, ADMIN_ACTOR, DepartmentInfo(code, zh, en, kind, active=active)
            )
            assert saved.id is not None
            ids[code] = saved.id
    return ids


@pytest.fixture
def bulk_workers(database: Database, departments: dict[str, int]) -> Callable[[int], None]:
    """``bulk_workers(n)`` inserts n workers in one statement (no service calls, no audit).

    Worker i: staff_no ``S{i:04d}``, name ``Worker {i:04d}``; every 4th is inactive; ICU for
    even i, LAB for odd; job, sex and employment cycle through short lists; hire dates rise."""

    def insert_workers(count: int) -> None:
        rows = [
            {
                "staff_no": f"S{i:04d}",
                "name": f"Worker {i:04d}",
                "sex": SEXES[i % len(SEXES)],
                "birth_date": dt.date(1970, 1, 1) + dt.timedelta(days=i * 11),
                "job_category": JOBS[i % len(JOBS)],
                "department_id": departments["ICU" if i % 2 == 0 else "LAB"],
                "employment_type": EMPLOYMENT[i % len(EMPLOYMENT)],
                "hire_date": dt.date(2000, 1, 1) + dt.timedelta(days=i * 7),
                "active": i % 4 != 3,
            }
            for i in range(count)
        ]
        with database.transaction() as session:
            session.execute(insert(Worker), rows)

    return insert_workers
