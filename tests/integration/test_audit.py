"""The audit trail: one event per write with old and new values; tampering is found and named."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from argon2 import PasswordHasher
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from hospital_osh.domain.roles import Role
from hospital_osh.models import AuditEvent
from hospital_osh.services import audit, hospital, settings, users, workers
from hospital_osh.services.database import Database
from hospital_osh.services.hospital import DepartmentInfo, HospitalProfile, StaffingInfo
from hospital_osh.services.workers import WorkerInfo
from tests.conftest import ADMIN


@pytest.fixture(autouse=True)
def fast_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    hasher = PasswordHasher(time_cost=1, memory_cost=64, parallelism=1)
    monkeypatch.setattr(users, "_hasher", lambda: hasher)


def _setup(session: Session) -> None:
    users.create_user(
        session,
        ADMIN,
        username="zhao",
        display_name="Zhao",
        role=Role.REPORTER,
        password="a password 1",
    )
    hospital.save_profile(session, ADMIN, HospitalProfile("示范医院", "Demo", "F-1"))
    hospital.save_department(session, ADMIN, DepartmentInfo("IM", "内科", "Medicine", "ward"))
    hospital.save_staffing(session, ADMIN, StaffingInfo(2025, 300.0, {("nurse", "female"): 100.0}))
    workers.create_worker(session, ADMIN, WorkerInfo("W1", "王芳", "female", None, "nurse"))


def _worker_id(session: Session) -> int:
    found = workers.find_by_staff_no(session, "W1")
    assert found is not None
    return found


def _department(session: Session) -> DepartmentInfo:
    return hospital.list_departments(session)[0]


@dataclass(frozen=True)
class Write:
    name: str
    call: Callable[[Session], object]
    action: str
    entity: str
    changes: dict[str, list[object]]  # must be among the event's changes


WRITES = [
    Write(
        "create_user",
        lambda s: users.create_user(
            s,
            ADMIN,
            username="qian",
            display_name="Qian",
            role=Role.VIEWER,
            password="a password 1",
        ),
        "create",
        "user",
        {"username": [None, "qian"], "role": [None, "viewer"]},
    ),
    Write(
        "update_user",
        lambda s: users.update_user(s, ADMIN, "zhao", display_name="Zhao Li", role="viewer"),
        "update",
        "user",
        {"display_name": ["Zhao", "Zhao Li"], "role": ["reporter", "viewer"]},
    ),
    Write(
        "set_password",
        lambda s: users.set_password(s, ADMIN, "zhao", "another password"),
        "set_password",
        "user",
        {"password": ["***", "***"]},
    ),
    Write(
        "set_active",
        lambda s: users.set_active(s, ADMIN, "zhao", False),
        "disable",
        "user",
        {"active": [True, False]},
    ),
    Write("lock", lambda s: users.lock(s, ADMIN, "zhao"), "lock", "user", {}),
    Write("unlock", lambda s: users.unlock(s, ADMIN, "zhao"), "unlock", "user", {}),
    Write(
        "save_profile",
        lambda s: hospital.save_profile(s, ADMIN, HospitalProfile("示范医院", "Demo", "F-2")),
        "update",
        "hospital",
        {"facility_code": ["F-1", "F-2"]},
    ),
    Write(
        "create_department",
        lambda s: hospital.save_department(s, ADMIN, DepartmentInfo("ICU", "重症", "ICU", "icu")),
        "create",
        "department",
        {"code": [None, "ICU"], "type": [None, "icu"]},
    ),
    Write(
        "update_department",
        lambda s: hospital.save_department(
            s,
            ADMIN,
            DepartmentInfo("IM", "内科病房", "Medicine", "ward", id=_department(s).id),
        ),
        "update",
        "department",
        {"name_zh": ["内科", "内科病房"]},
    ),
    Write(
        "save_staffing",
        lambda s: hospital.save_staffing(
            s, ADMIN, StaffingInfo(2025, 310.0, {("nurse", "female"): 110.0})
        ),
        "update",
        "staffing_year",
        {"occupied_beds": [300.0, 310.0], "fte.nurse.female": [100.0, 110.0]},
    ),
    Write(
        "set_setting",
        lambda s: settings.set_setting(s, ADMIN, "backup_keep", "20"),
        "update",
        "setting",
        {"backup_keep": ["10", "20"]},
    ),
    Write(
        "create_worker",
        lambda s: workers.create_worker(s, ADMIN, WorkerInfo("W2", "李强", "male", None, "doctor")),
        "create",
        "worker",
        {"staff_no": [None, "W2"], "job_category": [None, "doctor"]},
    ),
    Write(
        "update_worker",
        lambda s: workers.update_worker(
            s, ADMIN, WorkerInfo("W1", "王芳芳", "female", None, "midwife", id=_worker_id(s))
        ),
        "update",
        "worker",
        {"name": ["王芳", "王芳芳"], "job_category": ["nurse", "midwife"]},
    ),
    Write(
        "set_worker_active",
        lambda s: workers.set_worker_active(s, ADMIN, _worker_id(s), False),
        "deactivate",
        "worker",
        {"active": [True, False]},
    ),
]


@pytest.mark.parametrize("write", WRITES, ids=lambda w: w.name)
def test_every_write_appends_exactly_one_event_with_old_and_new_values(
    database: Database, write: Write
) -> None:
    with database.transaction() as session:
        _setup(session)
    with database.session() as session:
        last = session.scalar(select(AuditEvent.id).order_by(AuditEvent.id.desc()).limit(1))
    with database.transaction() as session:
        write.call(session)
    with database.session() as session:
        events = session.scalars(select(AuditEvent).where(AuditEvent.id > (last or 0))).all()
    assert len(events) == 1
    event = events[0]
    assert (event.actor, event.action, event.entity) == ("admin", write.action, write.entity)
    changes = json.loads(event.changes)
    assert changes.items() >= write.changes.items()
    if write.action == "update":
        assert all(old != new for old, new in changes.values())  # only what changed


def test_a_failed_write_leaves_no_event(database: Database) -> None:
    with database.transaction() as session:
        _setup(session)
    with database.session() as session:
        before = audit.count_events(session, ADMIN, audit.AuditFilter())
    with pytest.raises(Exception, match="already used"), database.transaction() as session:
        workers.create_worker(session, ADMIN, WorkerInfo("W9", "某", "male", None, "porter"))
        workers.create_worker(session, ADMIN, WorkerInfo("W9", "某", "male", None, "porter"))
    with database.session() as session:
        assert audit.count_events(session, ADMIN, audit.AuditFilter()) == before


def _ids(database: Database) -> list[int]:
    with database.session() as session:
        return list(session.scalars(select(AuditEvent.id).order_by(AuditEvent.id)))


def _verify(database: Database) -> audit.ChainReport:
    with database.session() as session:
        return audit.verify_chain(session)


def test_an_altered_event_is_named(database: Database) -> None:
    with database.transaction() as session:
        _setup(session)
    ids = _ids(database)
    target = ids[2]
    assert _verify(database).ok
    with database.engine.begin() as connection:
        original = connection.execute(
            text("SELECT changes FROM audit_event WHERE id = :id"), {"id": target}
        ).scalar_one()
        connection.execute(
            text("UPDATE audit_event SET changes = :c WHERE id = :id"),
            {"c": original.replace("内科", "外科"), "id": target},
        )
    report = _verify(database)
    assert not report.ok and report.bad_event_id == target and report.checked == 2
    assert report.message() == (
        f"Audit trail broken at event {target}: its content was altered after it was written"
    )
    with database.engine.begin() as connection:  # put it back (the fixture verifies the chain)
        connection.execute(
            text("UPDATE audit_event SET changes = :c WHERE id = :id"),
            {"c": original, "id": target},
        )
    assert _verify(database).ok


def test_a_deleted_event_is_named_by_the_one_after_it(database: Database) -> None:
    with database.transaction() as session:
        _setup(session)
    ids = _ids(database)
    middle, following = ids[2], ids[3]
    columns = "id, at, actor, action, entity, entity_id, changes, prev_hash, hash"
    with database.engine.begin() as connection:
        row = (
            connection.execute(
                text(f"SELECT {columns} FROM audit_event WHERE id = :id"), {"id": middle}
            )
            .mappings()
            .one()
        )
        connection.execute(text("DELETE FROM audit_event WHERE id = :id"), {"id": middle})
    report = _verify(database)
    assert not report.ok and report.bad_event_id == following
    assert "the event before it was deleted or altered" in report.message()
    with database.engine.begin() as connection:
        placeholders = ", ".join(f":{c.strip()}" for c in columns.split(","))
        connection.execute(
            text(f"INSERT INTO audit_event ({columns}) VALUES ({placeholders})"), dict(row)
        )
    assert _verify(database).ok


def test_listing_filters_and_newest_first(database: Database) -> None:
    with database.transaction() as session:
        _setup(session)
    with database.session() as session:
        rows = audit.list_events(session, ADMIN, audit.AuditFilter(entity="worker"))
        assert [r.action for r in rows] == ["create"]
        everything = audit.list_events(session, ADMIN, audit.AuditFilter())
        assert [r.id for r in everything] == sorted((r.id for r in everything), reverse=True)
        assert audit.count_events(session, ADMIN, audit.AuditFilter(actor="admin")) == 5
        assert audit.distinct_values(session, ADMIN, "entity") == [
            "department",
            "hospital",
            "staffing_year",
            "user",
            "worker",
        ]
        assert audit.verify_chain(session, batch=2).checked == 5  # batches join up
