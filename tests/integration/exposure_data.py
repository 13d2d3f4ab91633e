"""Departments, workers and complete exposure records for the exposure tests."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from hospital_osh.services import hospital, workers
from hospital_osh.services.context import Actor
from hospital_osh.services.database import Database
from hospital_osh.services.exposures import ExposureInfo

NOW = dt.datetime(2026, 3, 10, 15, 0)


@dataclass(frozen=True)
class Place:
    icu: int
    ward: int
    nurse: int  # worker ids
    doctor: int


def setup_hospital(database: Database, admin: Actor) -> Place:
    with database.transaction() as session:
        icu = hospital.save_department(
            session,
            admin,
            hospital.DepartmentInfo("ICU", "重症医学科", "Intensive care", "icu"),
            bootstrap=True,
        )
        ward = hospital.save_department(
            session,
            admin,
            hospital.DepartmentInfo("SUR", "外科病房", "Surgical ward", "ward"),
            bootstrap=True,
        )
        nurse = workers.create_worker(
            session,
            admin,
            workers.WorkerInfo(
                staff_no="N001",
                name="李小红",
                sex="female",
                birth_date=dt.date(1995, 6, 15),
                job_category="nurse",
                department_id=icu.id,
                hire_date=dt.date(2018, 9, 1),
            ),
        )
        doctor = workers.create_worker(
            session,
            admin,
            workers.WorkerInfo(
                staff_no="D001",
                name="Wang Qiang",
                sex="male",
                birth_date=dt.date(1980, 1, 2),
                job_category="doctor",
                department_id=ward.id,
                hire_date=dt.date(2005, 7, 1),
            ),
        )
    assert icu.id and ward.id and nurse.id and doctor.id
    return Place(icu.id, ward.id, nurse.id, doctor.id)


def complete_sharps(place: Place, **changes: object) -> ExposureInfo:
    """A complete needle-stick with an HBsAg-positive source."""
    values: dict[str, object] = dict(
        worker_id=place.nurse,
        occurred_at=dt.datetime(2026, 3, 9, 10, 30),
        reported_at=dt.datetime(2026, 3, 9, 11, 15),
        department_id=place.icu,
        location_type="icu",
        exposure_type="percutaneous",
        device_type="iv_catheter_stylet",
        device_brand="BD Insyte",
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
    )
    values.update(changes)
    return ExposureInfo(**values)  # type: ignore[arg-type]
