"""Every write service × every role: allowed, or PermissionDenied with nothing written.

The tables are written out by hand on purpose: a change to ROLE_PERMISSIONS that changes who may
do what has to change this file too, where a reviewer sees it.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import pytest
from argon2 import PasswordHasher
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hospital_osh.domain.roles import Role
from hospital_osh.models import AuditEvent
from hospital_osh.services import audit, hospital, roster, settings, users, workers
from hospital_osh.services.context import Actor
from hospital_osh.services.database import Database
from hospital_osh.services.errors import PermissionDenied
from hospital_osh.services.hospital import DepartmentInfo, HospitalProfile, StaffingInfo
from hospital_osh.services.workers import WorkerInfo
from tests.conftest import actor

ROLES = (Role.ADMIN, Role.OSH_OFFICER, Role.COMMITTEE_MEMBER, Role.REPORTER, Role.VIEWER)

# fmt: off
WRITES: dict[str, tuple[bool, bool, bool, bool, bool]] = {
    #                              admin  officer committee reporter viewer
    "users.create_user":          (True,  False,  False,    False,   False),
    "users.update_user":          (True,  False,  False,    False,   False),
    "users.set_password":         (True,  False,  False,    False,   False),
    "users.set_active":           (True,  False,  False,    False,   False),
    "users.lock":                 (True,  False,  False,    False,   False),
    "users.unlock":               (True,  False,  False,    False,   False),
    "hospital.save_profile":      (True,  False,  False,    False,   False),
    "hospital.save_department":   (True,  False,  False,    False,   False),
    "hospital.save_staffing":     (True,  False,  False,    False,   False),
    "settings.set_setting":       (True,  False,  False,    False,   False),
    "workers.create_worker":      (True,  True,   False,    False,   False),
    "workers.update_worker":      (True,  True,   False,    False,   False),
    "workers.set_worker_active":  (True,  True,   False,    False,   False),
    "roster.apply_roster":        (True,  True,   False,    False,   False),
}

READS: dict[str, tuple[bool, bool, bool, bool, bool]] = {
    #                              admin  officer committee reporter viewer
    "users.list_users":           (True,  False,  False,    False,   False),
    "workers.list_workers":       (True,  True,   True,     False,   True),
    "workers.count_workers":      (True,  True,   True,     False,   True),
    "workers.get_worker":         (True,  True,   False,    False,   False),
    "audit.list_events":          (True,  True,   False,    False,   False),
    "audit.count_events":         (True,  True,   False,    False,   False),
    "audit.distinct_values":      (True,  True,   False,    False,   False),
}
# fmt: on

# Take an actor but check nothing themselves: they serve services that have checked already.
UNCHECKED = {"audit.record"}

MODULES: dict[str, ModuleType] = {
    "users": users,
    "hospital": hospital,
    "workers": workers,
    "settings": settings,
    "roster": roster,
    "audit": audit,
}


@pytest.fixture(autouse=True)
def fast_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    hasher = PasswordHasher(time_cost=1, memory_cost=64, parallelism=1)
    monkeypatch.setattr(users, "_hasher", lambda: hasher)


def test_the_tables_cover_every_service_function_that_takes_an_actor() -> None:
    found = {
        f"{prefix}.{name}"
        for prefix, module in MODULES.items()
        for name, function in inspect.getmembers(module, inspect.isfunction)
        if function.__module__ == module.__name__
        and not name.startswith("_")
        and "actor" in inspect.signature(function).parameters
    }
    assert found == set(WRITES) | set(READS) | UNCHECKED


class World:
    """What the calls act on: one user, one worker, one department, a roster preview."""

    def __init__(self, database: Database, admin: Actor, tmp_path: Path):
        with database.transaction() as session:
            users.create_user(
                session,
                admin,
                username="target",
                display_name="T",
                role=Role.REPORTER,
                password="a password 1",
            )
            users.create_user(
                session,
                admin,
                username="admin",
                display_name="A",
                role=Role.ADMIN,
                password="a password 1",
            )
            self.department = hospital.save_department(
                session, admin, DepartmentInfo("IM", "内科", "Medicine", "ward")
            )
            self.worker = workers.create_worker(
                session, admin, WorkerInfo("W1", "王芳", "female", None, "nurse")
            )
        path = tmp_path / "roster.csv"
        path.write_text(
            ",".join(roster.REQUIRED_COLUMNS) + "\nR1,李强,male,,doctor,IM,permanent,\n",
            encoding="utf-8",
        )
        with database.session() as session:
            self.preview = roster.read_roster(session, path)
        assert self.preview.ok

    def call(self, name: str, session: Session, who: Actor) -> object:
        assert self.worker.id is not None
        calls: dict[str, Callable[[], object]] = {
            "users.create_user": lambda: users.create_user(
                session,
                who,
                username="new",
                display_name="N",
                role=Role.VIEWER,
                password="a password 1",
            ),
            "users.update_user": lambda: users.update_user(
                session, who, "target", display_name="Changed"
            ),
            "users.set_password": lambda: users.set_password(
                session, who, "target", "another password"
            ),
            "users.set_active": lambda: users.set_active(session, who, "target", False),
            "users.lock": lambda: users.lock(session, who, "target"),
            "users.unlock": lambda: users.unlock(session, who, "target"),
            "hospital.save_profile": lambda: hospital.save_profile(
                session, who, HospitalProfile("示范医院", "Demo", "F-1", grade="tertiary_a")
            ),
            "hospital.save_department": lambda: hospital.save_department(
                session, who, DepartmentInfo("ICU", "重症", "ICU", "icu")
            ),
            "hospital.save_staffing": lambda: hospital.save_staffing(
                session, who, StaffingInfo(2025, 300.0, {("nurse", "female"): 120.0})
            ),
            "settings.set_setting": lambda: settings.set_setting(session, who, "backup_keep", "5"),
            "workers.create_worker": lambda: workers.create_worker(
                session, who, WorkerInfo("W2", "李强", "male", None, "doctor")
            ),
            "workers.update_worker": lambda: workers.update_worker(
                session, who, WorkerInfo("W1", "王芳芳", "female", None, "nurse", id=self.worker.id)
            ),
            "workers.set_worker_active": lambda: workers.set_worker_active(
                session, who, self.worker.id or 0, False
            ),
            "roster.apply_roster": lambda: roster.apply_roster(
                session, who, self.preview, existing="update"
            ),
            "users.list_users": lambda: users.list_users(session, who),
            "workers.list_workers": lambda: workers.list_workers(session, who),
            "workers.count_workers": lambda: workers.count_workers(session, who),
            "workers.get_worker": lambda: workers.get_worker(session, who, self.worker.id or 0),
            "audit.list_events": lambda: audit.list_events(session, who, audit.AuditFilter()),
            "audit.count_events": lambda: audit.count_events(session, who, audit.AuditFilter()),
            "audit.distinct_values": lambda: audit.distinct_values(session, who, "actor"),
        }
        return calls[name]()


def _events(database: Database) -> int:
    with database.session() as session:
        return session.scalar(select(func.count(AuditEvent.id))) or 0


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", list(WRITES))
def test_write_permissions(
    database: Database, admin: Actor, tmp_path: Path, name: str, role: Role
) -> None:
    world = World(database, admin, tmp_path)
    before = _events(database)
    allowed = WRITES[name][ROLES.index(role)]
    if allowed:
        with database.transaction() as session:
            world.call(name, session, actor(role))
        assert _events(database) > before
    else:
        with database.transaction() as session, pytest.raises(PermissionDenied) as error:
            world.call(name, session, actor(role))
        assert str(error.value) == f"Your role ({role}) does not allow this."
        assert _events(database) == before


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", list(READS))
def test_read_permissions(
    database: Database, admin: Actor, tmp_path: Path, name: str, role: Role
) -> None:
    world = World(database, admin, tmp_path)
    with database.session() as session:
        if READS[name][ROLES.index(role)]:
            assert world.call(name, session, actor(role)) is not None
        else:
            with pytest.raises(PermissionDenied):
                world.call(name, session, actor(role))


def test_users_may_set_their_own_password_whatever_their_role(
    database: Database, admin: Actor, tmp_path: Path
) -> None:
    World(database, admin, tmp_path)
    with database.transaction() as session:
        users.set_password(session, actor(Role.REPORTER, "target"), "target", "my new password")
    assert users.login(database, "target", "my new password").username == "target"


def test_first_run_setup_may_create_the_profile_and_first_admin_without_rights(
    database: Database,
) -> None:
    nobody = Actor("setup", Role.VIEWER)
    with database.transaction() as session:
        hospital.save_profile(
            session, nobody, HospitalProfile("示范医院", "Demo", "F-1"), bootstrap=True
        )
        hospital.save_department(
            session, nobody, DepartmentInfo("IM", "内科", "Medicine", "ward"), bootstrap=True
        )
        users.create_user(
            session,
            nobody,
            username="first",
            display_name="F",
            role=Role.ADMIN,
            password="a password 1",
            bootstrap=True,
        )
    with database.transaction() as session, pytest.raises(PermissionDenied):  # only once
        users.create_user(
            session,
            nobody,
            username="second",
            display_name="S",
            role=Role.ADMIN,
            password="a password 1",
            bootstrap=True,
        )
    with database.transaction() as session, pytest.raises(PermissionDenied):
        hospital.save_profile(
            session, nobody, HospitalProfile("改名", "Renamed", "F-1"), bootstrap=True
        )
