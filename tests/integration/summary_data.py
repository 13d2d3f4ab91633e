"""A small fixed data set for the summary, export and roll-up tests, with every figure of its
first quarter of 2026 worked out by hand in ``EXPECTED``.

Staffing 2026: 200 occupied beds; FTE nurse 40 female + 10 male, doctor 20 female + 20 male
(total 90: nurses 50, doctors 40; women 60, men 30). Staffing 2025: 180 beds; FTE nurse 40
female, doctor 20 male (total 60).

Q1 2026 (2026-01-01..2026-03-31) holds six exposures:

| # | worker | type | dept | device / SED / activated | hours to report | source |
|---|---|---|---|---|---|---|
| 1 | nurse F | percutaneous | ICU | iv_catheter_stylet / yes / partially | 1 | identified, HBsAg+ |
| 2 | nurse F | percutaneous | ward | syringe_needle / no | 2 | identified, HIV+, anti-HCV- |
| 3 | doctor M | percutaneous | ward | suture_needle / yes / fully | 24 | not identified |
| 4 | doctor M | mucous_membrane | ICU | - | 0.5 | identified, anti-HCV+ |
| 5 | nurse F | percutaneous | ICU | vacuum_tube_needle / unknown | 12 | not identified |
| 6 | student F (typed in) | non_intact_skin | ward | - | 6 | not identified |

plus one on 2026-04-01 (outside), two in Q4 2025 (the previous quarter) and three in Q1 2025
(the same quarter last year).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select

from hospital_osh.models import Hospital
from hospital_osh.services import exposures as ex
from hospital_osh.services import hospital
from hospital_osh.services.context import Actor
from hospital_osh.services.database import Database
from tests.integration.exposure_data import Place, setup_hospital

START, END = dt.date(2026, 1, 1), dt.date(2026, 3, 31)
NOW = dt.datetime(2026, 5, 1, 12, 0)
PROFILE = hospital.HospitalProfile(
    name_zh="测试市人民医院",
    name_en="Test City People's Hospital",
    facility_code="TEST-0001",
    province="浙江省",
    city="测试市",
    grade="tertiary_a",
)
SECRET = "a" * 64


def _at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)


def _sharps(place: Place, worker: int, **values: Any) -> ex.ExposureInfo:
    base: dict[str, Any] = dict(
        worker_id=worker,
        exposure_type="percutaneous",
        gloves="single",
        depth="superficial",
    )
    base.update(values)
    return ex.ExposureInfo(**base)


def records(place: Place) -> list[ex.ExposureInfo]:
    """The exposures of the data set, in the order of the table above, then the others."""
    nurse, doctor = place.nurse, place.doctor
    quarter = [
        _sharps(
            place,
            nurse,
            occurred_at=_at("2026-01-10T10:00"),
            reported_at=_at("2026-01-10T11:00"),
            department_id=place.icu,
            location_type="icu",
            device_type="iv_catheter_stylet",
            device_safety_engineered="yes",
            safety_activated="partially",
            purpose="start_iv",
            circumstance="during_use",
            body_site="finger",
            source_identified="yes",
            source_hbsag="positive",
            source_hbsag_date=dt.date(2026, 1, 10),
            status="under_follow_up",
            description="自由文本不得导出 free text must not leave",
        ),
        _sharps(
            place,
            nurse,
            occurred_at=_at("2026-02-05T08:00"),
            reported_at=_at("2026-02-05T10:00"),
            department_id=place.ward,
            location_type="patient_room",
            device_type="syringe_needle",
            device_safety_engineered="no",
            purpose="injection_im_sc",
            circumstance="recapping",
            body_site="finger",
            source_identified="yes",
            source_hiv="positive",
            source_anti_hcv="negative",
            status="under_follow_up",
            outcome="no_seroconversion",
        ),
        _sharps(
            place,
            doctor,
            occurred_at=_at("2026-02-20T14:00"),
            reported_at=_at("2026-02-21T14:00"),
            department_id=place.ward,
            location_type="operating_recovery",
            device_type="suture_needle",
            device_safety_engineered="yes",
            safety_activated="fully",
            purpose="suturing",
            circumstance="between_steps",
            body_site="thumb",
            depth="moderate",
            source_identified="no",
        ),
        ex.ExposureInfo(
            worker_id=doctor,
            exposure_type="mucous_membrane",
            occurred_at=_at("2026-03-01T09:00"),
            reported_at=_at("2026-03-01T09:30"),
            department_id=place.icu,
            location_type="icu",
            fluid_type="blood",
            body_site="eye",
            contact_duration="lt_5min",
            contact_volume="small",
            source_identified="yes",
            source_anti_hcv="positive",
        ),
        _sharps(
            place,
            nurse,
            occurred_at=_at("2026-03-15T20:00"),
            reported_at=_at("2026-03-16T08:00"),
            department_id=place.icu,
            location_type="icu",
            device_type="vacuum_tube_needle",
            device_safety_engineered="unknown",
            purpose="venous_blood_draw",
            circumstance="after_use_before_disposal",
            body_site="hand",
            source_identified="no",
        ),
        ex.ExposureInfo(
            worker_kind="student",
            worker_name="陈同学",
            job_category="student_intern",
            employment_type="student",
            sex="female",
            age=22,
            exposure_type="non_intact_skin",
            occurred_at=_at("2026-03-31T23:00"),
            reported_at=_at("2026-04-01T05:00"),
            department_id=place.ward,
            location_type="patient_room",
            fluid_type="blood",
            body_site="hand",
            source_identified="no",
        ),
    ]
    outside = [
        _sharps(
            place,
            nurse,
            occurred_at=_at("2026-04-01T00:30"),
            reported_at=_at("2026-04-01T01:00"),
            department_id=place.icu,
            source_identified="no",
        ),
        _sharps(
            place,
            nurse,
            occurred_at=_at("2025-11-03T10:00"),
            reported_at=_at("2025-11-03T12:00"),
            department_id=place.icu,
            source_identified="no",
        ),
        _sharps(
            place,
            doctor,
            occurred_at=_at("2025-12-31T22:00"),
            reported_at=_at("2026-01-01T08:00"),
            department_id=place.ward,
            source_identified="no",
        ),
    ]
    for month in (1, 2, 3):
        outside.append(
            _sharps(
                place,
                nurse,
                occurred_at=dt.datetime(2025, month, 15, 9, 0),
                reported_at=dt.datetime(2025, month, 15, 10, 0),
                department_id=place.icu,
                source_identified="no",
            )
        )
    return quarter + outside


def build(database: Database, admin: Actor, *, staffing: bool = True) -> Place:
    """The hospital, its staffing figures and the exposures of the data set."""
    with database.transaction() as session:
        hospital.save_profile(session, admin, PROFILE, bootstrap=True)
        session.scalar(select(Hospital)).pseudonym_secret = SECRET  # type: ignore[union-attr]
    place = setup_hospital(database, admin)
    with database.transaction() as session:
        if staffing:
            hospital.save_staffing(
                session,
                admin,
                hospital.StaffingInfo(
                    2026,
                    200.0,
                    {
                        ("nurse", "female"): 40.0,
                        ("nurse", "male"): 10.0,
                        ("doctor", "female"): 20.0,
                        ("doctor", "male"): 20.0,
                    },
                ),
            )
            hospital.save_staffing(
                session,
                admin,
                hospital.StaffingInfo(
                    2025, 180.0, {("nurse", "female"): 40.0, ("doctor", "male"): 20.0}
                ),
            )
        for info in records(place):
            ex.record_exposure(session, admin, info, now=NOW)
    return place


# Every figure of summary.json for Q1 2026, computed by hand from the table above.
EXPECTED: dict[str, Any] = {
    "exposures.total": 6,
    "exposures.by_type": {"percutaneous": 4, "mucous_membrane": 1, "non_intact_skin": 1},
    "exposures.by_job_category": {"nurse": 3, "doctor": 2, "student_intern": 1},
    "exposures.by_sex": {"female": 4, "male": 2},
    "exposures.by_department_type": {"icu": 3, "ward": 3},
    "exposures.by_device_type": {
        "iv_catheter_stylet": 1,
        "syringe_needle": 1,
        "suture_needle": 1,
        "vacuum_tube_needle": 1,
        "unknown": 2,
    },
    "exposures.by_purpose": {
        "start_iv": 1,
        "injection_im_sc": 1,
        "suturing": 1,
        "venous_blood_draw": 1,
        "unknown": 2,
    },
    "exposures.by_circumstance": {
        "during_use": 1,
        "recapping": 1,
        "between_steps": 1,
        "after_use_before_disposal": 1,
        "unknown": 2,
    },
    "exposures.by_body_site": {"finger": 2, "thumb": 1, "eye": 1, "hand": 2},
    "exposures.by_location_type": {"icu": 3, "patient_room": 2, "operating_recovery": 1},
    "exposures.sex_split.job_category": {
        "nurse": {"female": 3},
        "doctor": {"male": 2},
        "student_intern": {"female": 1},
    },
    "exposures.sex_split.type": {
        "percutaneous": {"female": 3, "male": 1},
        "mucous_membrane": {"male": 1},
        "non_intact_skin": {"female": 1},
    },
    "exposures.sex_split.department_type": {
        "icu": {"female": 2, "male": 1},
        "ward": {"female": 2, "male": 1},
    },
    "exposures.percutaneous": 4,
    "exposures.safety_engineered": {"yes": 2, "no": 1, "unknown": 1},
    "exposures.safety_engineered_share": 2 / 3,  # yes / (yes + no)
    "exposures.safety_activated": {"partially": 1, "fully": 1},
    "exposures.safety_activated_share": 0.5,  # fully / SED yes
    # sorted hours 0.5 1 2 6 12 24: q1 = 1 + 0.25 * 1, median = (2 + 6) / 2, q3 = 6 + 0.75 * 6
    "exposures.hours_to_report": {"n": 6, "q1": 1.25, "median": 4.0, "q3": 10.5, "within_24h": 6},
    "exposures.median_hours_to_report": 4.0,
    "exposures.source_identified": {"yes": 3, "no": 3},
    "exposures.source_positive": {"hbv": 1, "hcv": 1, "hiv": 1},
    "exposures.by_month": {"2026-01": 1, "2026-02": 2, "2026-03": 3},
    "rates.per_100_fte": 6 / 90 * 100,
    "rates.per_100_occupied_beds": 6 / 200 * 100,
    "rates.percutaneous_per_100_occupied_beds": 4 / 200 * 100,
    "rates.per_100_fte_by_job_category": {"doctor": 2 / 40 * 100, "nurse": 3 / 50 * 100},
    "rates.per_100_fte_by_job_category.student_intern": None,  # no FTE for students
    "rates.per_100_fte_by_sex": {"female": 4 / 60 * 100, "male": 2 / 30 * 100},
    "rates.denominators.fte": 90.0,
    "rates.denominators.occupied_beds": 200.0,
    "rates.denominators.fte_years": 90 * 90 / 365,  # 90 FTE for 90 of 365 days
    "trend.previous.total": 2,
    "trend.previous.per_100_fte": 2 / 60 * 100,
    "trend.last_year.total": 3,
    "trend.last_year.per_100_fte": 3 / 60 * 100,
    "trend.change_vs_previous": (6 - 2) / 2,
    "trend.change_vs_last_year": (6 - 3) / 3,
    "trend.by_month_last_year": {"2025-01": 1, "2025-02": 1, "2025-03": 1},
}


def lookup(summary: dict[str, Any], dotted: str) -> Any:
    """``summary["a"]["b"]`` for ``"a.b"``."""
    value: Any = summary
    for part in dotted.split("."):
        value = value[part]
    return value
