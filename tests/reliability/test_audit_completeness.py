"""Audit completeness: every write a service makes appends exactly one audit event, in the same
transaction, naming the actor; a write that fails appends none; a write that changes nothing
appends none. The write operations are those of ``test_access_matrix.WRITES``, which a test there
keeps in step with every service function that takes an actor (found by introspection).

``tests/conftest.py`` verifies the audit chain after every test that uses a database.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from argon2 import PasswordHasher
from sqlalchemy import select

from hospital_osh.domain.roles import Role
from hospital_osh.models import AuditEvent
from hospital_osh.services import users
from hospital_osh.services.context import Actor
from hospital_osh.services.database import Database
from tests.reliability.operations import World
from tests.reliability.test_access_matrix import WRITES

WRITER = Actor("auditor_check", Role.ADMIN)


@pytest.fixture(autouse=True)
def fast_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    hasher = PasswordHasher(time_cost=1, memory_cost=64, parallelism=1)
    monkeypatch.setattr(users, "_hasher", lambda: hasher)


@pytest.fixture
def world(database: Database, admin: Actor, tmp_path: Path) -> World:
    return World(database, admin, tmp_path)


def _new_events(database: Database, after: int) -> list[AuditEvent]:
    with database.session() as session:
        return list(session.scalars(select(AuditEvent).where(AuditEvent.id > after)))


def _last_id(database: Database) -> int:
    with database.session() as session:
        return session.scalar(select(AuditEvent.id).order_by(AuditEvent.id.desc()).limit(1)) or 0


@pytest.mark.parametrize("name", list(WRITES))
def test_each_write_appends_exactly_one_event(database: Database, world: World, name: str) -> None:
    """Rolled back (an error after the write): neither the write nor its event stays. Committed:
    exactly one event, naming the actor."""
    last = _last_id(database)
    with pytest.raises(RuntimeError), database.transaction() as session:
        world.call(name, session, WRITER)
        raise RuntimeError("power cut")
    assert _new_events(database, last) == []
    with database.transaction() as session:
        world.call(name, session, WRITER)
    events = _new_events(database, last)
    assert len(events) == 1, [(e.action, e.entity) for e in events]
    assert events[0].actor == WRITER.username


@pytest.mark.parametrize(
    "name",
    [
        "users.set_active",
        "workers.set_worker_active",
        "local_codes.set_local_code_active",
        "healthwise.set_template_active",
        "healthwise.install_shipped_templates",
    ],
)
def test_a_write_that_changes_nothing_appends_nothing(
    database: Database, world: World, name: str
) -> None:
    with database.transaction() as session:
        world.call(name, session, WRITER)  # the first call changes the state...
    last = _last_id(database)
    with database.transaction() as session:
        world.call(name, session, WRITER)  # ...the second finds it already so
    assert _new_events(database, last) == []


def test_logins_are_audited_once_and_unknown_names_not_at_all(
    database: Database, world: World
) -> None:
    last = _last_id(database)
    users.login(database, "target", "a password 1")
    with pytest.raises(users.LoginFailed):
        users.login(database, "target", "wrong password")
    with pytest.raises(users.LoginFailed):
        users.login(database, "nobody_here", "wrong password")
    events = _new_events(database, last)
    assert [(e.action, e.actor) for e in events] == [
        ("login", "target"),
        ("login_failed", "target"),
    ]
