"""Fixtures for the exposure UI tests. Import them with
``from tests.ui.fixtures_exposures import *``; they build on tests/ui/conftest.py's hospital
(departments ICU, ED, LAB; workers S0001-S0005 named 职工1-职工5)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from sqlalchemy import insert, select

from hospital_osh.domain.roles import Role
from hospital_osh.models import Department, Exposure, Worker
from hospital_osh.services.context import Actor
from hospital_osh.services.database import Database
from hospital_osh.ui.context import AppContext
from hospital_osh.ui.dialogs.ask import ScriptedAsker
from hospital_osh.ui.tasks import TaskRunner

__all__ = ["NOW", "bulk_exposures", "exposure_context", "ids"]

NOW = dt.datetime(2026, 3, 10, 15, 0)
TYPES = ("percutaneous", "percutaneous", "mucous_membrane", "non_intact_skin", "bite")
STATUSES = ("reported", "under_assessment", "under_follow_up", "closed")


@pytest.fixture
def exposure_context(hospital_db: Database, sync_runner: TaskRunner) -> Callable[..., AppContext]:
    """``exposure_context(role, username=None, answers=None)``: a context acting as ``role``
    (no user row needed: services check the role on the actor)."""

    def make(
        role: str = Role.ADMIN, username: str | None = None, answers: list[bool] | None = None
    ) -> AppContext:
        actor = Actor(username=username or str(role), role=role)
        return AppContext(hospital_db, actor, sync_runner, ScriptedAsker(answers))

    return make


@pytest.fixture
def ids(hospital_db: Database) -> dict[str, int]:
    """Department codes and staff numbers -> ids."""
    with hospital_db.session() as session:
        result = {
            code: id_ for id_, code in session.execute(select(Department.id, Department.code))
        }
        result |= {no: id_ for id_, no in session.execute(select(Worker.id, Worker.staff_no))}
    return result


@pytest.fixture
def bulk_exposures(hospital_db: Database, ids: dict[str, int]) -> Callable[..., None]:
    """``bulk_exposures(n, reported_by="officer")`` inserts n quick-report-like exposures in one
    statement (no service, no audit). Exposure i: ``EXP-2025-{i+1:04d}``, occurred i hours
    after 2025-01-01 00:00, worker 职工{i%5+1}; types and statuses cycle; every 3rd complete."""

    def insert_exposures(count: int, reported_by: str = "officer", start: int = 0) -> None:
        departments = [ids["ICU"], ids["ED"], ids["LAB"]]
        rows = []
        for i in range(start, start + count):
            occurred = dt.datetime(2025, 1, 1) + dt.timedelta(hours=i)
            kind = TYPES[i % len(TYPES)]
            rows.append(
                {
                    "reference": f"EXP-2025-{i + 1:04d}",
                    "ref_year": 2025,
                    "ref_seq": i + 1,
                    "status": STATUSES[i % len(STATUSES)],
                    "outcome": "pending",
                    "incomplete": i % 3 != 0,
                    "missing": "" if i % 3 == 0 else "age sex",
                    "reported_by": reported_by,
                    "worker_id": ids[f"S{i % 5 + 1:04d}"],
                    "worker_kind": "staff",
                    "worker_name": f"职工{i % 5 + 1}",
                    "job_category": "nurse" if i % 2 else "doctor",
                    "occurred_at": occurred,
                    "reported_at": occurred + dt.timedelta(hours=1),
                    "hours_to_report": 1.0,
                    "department_id": departments[i % 3],
                    "exposure_type": kind,
                    "device_type": "suture_needle" if kind == "percutaneous" else None,
                    "source_identified": "yes" if i % 2 else "no",
                    "source_hbsag": "positive" if i % 4 == 1 else None,
                    "description": f"Event {i}",
                }
            )
        with hospital_db.transaction() as session:
            session.execute(insert(Exposure), rows)

    return insert_exposures
