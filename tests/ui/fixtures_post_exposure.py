"""Fixtures for the post-exposure UI tests: a complete needle-stick on the UI hospital's first
worker (职工1, S0001) and a fake clock. Import with
``from tests.ui.fixtures_post_exposure import *``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from sqlalchemy import select

from hospital_osh.domain.roles import Role
from hospital_osh.models import Department, Worker
from hospital_osh.services import exposures, immunisation
from hospital_osh.services import post_exposure as pe
from hospital_osh.services.context import Actor
from hospital_osh.services.database import Database
from hospital_osh.services.exposures import ExposureInfo

__all__ = [
    "ADMIN",
    "ASSESSED",
    "OCCURRED",
    "TODAY",
    "FakeClock",
    "add_exposure",
    "assess",
    "clock",
    "make_responder",
    "place",
]

ADMIN = Actor(username="admin", role=Role.ADMIN)
# 10:30 on 9 March 2026 in Shanghai (the hospital's zone) = 02:30 UTC.
OCCURRED = dt.datetime(2026, 3, 9, 10, 30)
ASSESSED = dt.datetime(2026, 3, 9, 4, 0, tzinfo=dt.UTC)  # 1.5 hours after the exposure
TODAY = dt.date(2026, 3, 9)


class FakeClock:
    """An aware UTC clock the test moves by hand."""

    def __init__(self, start: dt.datetime = ASSESSED):
        self.now = start

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += dt.timedelta(**delta)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def place(hospital_db: Database) -> dict[str, int]:
    """Department codes and staff numbers -> ids."""
    with hospital_db.session() as session:
        found = {code: id_ for id_, code in session.execute(select(Department.id, Department.code))}
        found |= {no: id_ for id_, no in session.execute(select(Worker.id, Worker.staff_no))}
    return found


def complete_sharps(place: dict[str, int], **changes: object) -> ExposureInfo:
    """A complete needle-stick; by default the source is HBsAg-positive, HCV and HIV negative."""
    values: dict[str, object] = dict(
        worker_id=place["S0001"],
        occurred_at=OCCURRED,
        reported_at=OCCURRED + dt.timedelta(minutes=45),
        department_id=place["ICU"],
        location_type="icu",
        exposure_type="percutaneous",
        device_type="iv_catheter_stylet",
        device_safety_engineered="yes",
        safety_activated="partially",
        purpose="start_iv",
        circumstance="during_use",
        body_site="finger",
        depth="moderate",
        gloves="single",
        device_contaminated="yes",
        source_identified="yes",
        source_reference="ZY123456",
        source_hbsag="positive",
        source_hbsag_date=dt.date(2026, 3, 8),
        source_anti_hcv="negative",
        source_anti_hcv_date=dt.date(2026, 3, 8),
        source_hiv="negative",
        source_hiv_date=dt.date(2026, 3, 8),
        description="置管时患者躁动，针芯刺伤左手食指。",
        age=31,
        years_in_post=8.0,
    )
    values.update(changes)
    return ExposureInfo(**values)  # type: ignore[arg-type]


@pytest.fixture
def add_exposure(hospital_db: Database, place: dict[str, int]) -> Callable[..., int]:
    """``add_exposure(**changes)`` records and completes a needle-stick; returns its id."""

    def add(**changes: object) -> int:
        now = dt.datetime(2026, 3, 9, 12)
        if changes.get("source_hiv") == "positive":  # a complete record then has its grades
            changes.setdefault("china_grade", "level_2")
            changes.setdefault("china_source_grade", "mild")
        with hospital_db.transaction() as session:
            saved = exposures.record_exposure(
                session, ADMIN, complete_sharps(place, **changes), now=now
            )
            done = exposures.complete_exposure(session, ADMIN, saved.exposure, now=now)
        assert done.exposure.id is not None and done.exposure.complete
        return done.exposure.id

    return add


def assess(database: Database, exposure_id: int, now: dt.datetime = ASSESSED) -> None:
    with database.transaction() as session:
        pe.assess_exposure(session, ADMIN, exposure_id, now=now)


def make_responder(database: Database, worker_id: int) -> None:
    """Three doses in 2019 and anti-HBs 120 mIU/mL afterwards."""
    with database.transaction() as session:
        for number, day in ((1, "2019-01-10"), (2, "2019-02-10"), (3, "2019-07-10")):
            immunisation.record_dose(
                session,
                ADMIN,
                worker_id,
                immunisation.DoseInput(dt.date.fromisoformat(day), number),
            )
        immunisation.record_serology(
            session,
            ADMIN,
            worker_id,
            immunisation.SerologyInput("anti_hbs", dt.date(2019, 9, 1), value=120.0),
        )
