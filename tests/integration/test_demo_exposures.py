"""Demo exposures: realistic distributions, every code used, hire dates and numbering respected."""

from __future__ import annotations

import datetime as dt
import random
import re
from collections import Counter

import pytest
from sqlalchemy import func, select

from hospital_osh.domain import exposure_codes as codes
from hospital_osh.domain import exposure_rules as rules
from hospital_osh.domain.codes import JOB_CATEGORIES
from hospital_osh.models import Exposure, Worker
from hospital_osh.services import demo_exposures, hospital, workers
from hospital_osh.services.context import Actor
from hospital_osh.services.database import Database
from hospital_osh.services.demo_exposures import _Person

TODAY = dt.date(2026, 11, 28)
DEPARTMENTS = [
    (i + 1, kind)
    for i, kind in enumerate(
        [
            "ward",
            "ward",
            "icu",
            "operating_theatre",
            "emergency",
            "outpatient",
            "laboratory",
            "radiology",
            "cssd",
            "dental",
            "dialysis",
            "logistics",
            "pharmacy",
            "administration",
        ]
    )
]


def _people(rng: random.Random, n: int = 400) -> list[_Person]:
    people = []
    for i in range(n):
        job = (
            JOB_CATEGORIES.codes[i % len(JOB_CATEGORIES)]
            if i < 60
            else rng.choice(["nurse", "nurse", "doctor", "cleaner"])
        )
        hire = TODAY - dt.timedelta(days=rng.randint(30, 9000))
        people.append(
            _Person(
                i + 1,
                f"W{i}",
                "staff",
                rng.choice(["female", "male"]),
                hire - dt.timedelta(days=rng.randint(20 * 365, 30 * 365)),
                job,
                rng.choice(DEPARTMENTS)[0],
                "permanent",
                hire,
            )
        )
    return people


@pytest.fixture(scope="module")
def sample() -> list[dict[str, object]]:
    rng = random.Random(2024)
    return demo_exposures.build_rows(rng, 20_000, TODAY, _people(rng), DEPARTMENTS)


def test_every_code_is_used(sample: list[dict[str, object]]) -> None:
    for field, code_list in codes.FIELD_CODE_LISTS.items():
        if field in {"employment_type", "sex"}:  # copied from the workers the test made up
            continue
        used: set[str] = set()
        for row in sample:
            value = row[field]
            if value:
                used |= set(str(value).split()) if field == "barrier_garments" else {str(value)}
        assert used == set(code_list.codes), (field, set(code_list.codes) - used)


def test_rows_pass_validation(sample: list[dict[str, object]]) -> None:
    now = dt.datetime.combine(TODAY, dt.time())
    errors = Counter(
        issue.field
        for row in sample
        for issue in rules.validate(row, now)
        if issue.severity == rules.Severity.ERROR
    )
    assert errors == Counter()
    late = sum(1 for row in sample if row["hours_to_report"] > 365 * 24)  # type: ignore[operator]
    assert 0 < late < len(sample) * 0.01


def test_distributions_look_like_the_chinese_series(sample: list[dict[str, object]]) -> None:
    n = len(sample)
    share = lambda field, value: sum(r[field] == value for r in sample) / n  # noqa: E731
    assert 0.75 <= share("exposure_type", "percutaneous") <= 0.87
    assert 0.5 <= share("job_category", "nurse") <= 0.7
    assert share("location_type", "operating_recovery") > share("location_type", "emergency")
    hours = Counter(r["occurred_at"].hour for r in sample)  # type: ignore[attr-defined]
    assert (hours[10] + hours[11]) / n > 0.2
    quarters = Counter((r["occurred_at"].month - 1) // 3 for r in sample)  # type: ignore[attr-defined]
    assert quarters[2] == max(quarters.values())
    identified = [r for r in sample if r["source_identified"] == "yes"]
    hbsag = sum(r["source_hbsag"] == "positive" for r in identified) / len(identified)
    assert 0.15 <= hbsag <= 0.25
    incomplete = sum(bool(r["incomplete"]) for r in sample) / n
    assert 0.005 < incomplete < 0.1
    junior = sum(1 for r in sample if r["years_in_post"] is not None and r["years_in_post"] <= 5)
    assert junior / n > 0.15


def test_generate_writes_numbered_rows_after_hire(database: Database, admin: Actor) -> None:
    rng = random.Random(5)
    with database.transaction() as session:
        icu = hospital.save_department(
            session, admin, hospital.DepartmentInfo("ICU", "重症", "ICU", "icu"), bootstrap=True
        )
        for i, job in enumerate(JOB_CATEGORIES.codes * 3):
            workers.create_worker(
                session,
                admin,
                workers.WorkerInfo(
                    staff_no=f"S{i}",
                    name=f"W{i}",
                    job_category=job,
                    department_id=icu.id,
                    birth_date=dt.date(1980, 1, 1),
                    hire_date=TODAY - dt.timedelta(days=40 * i + 10),
                ),
            )
    with database.transaction() as session:
        assert demo_exposures.generate(session, rng, 1500, TODAY) == 1500
    with database.transaction() as session:  # a second run continues the numbering
        assert demo_exposures.generate(session, rng, 200, TODAY) == 200
    with database.session() as session:
        assert session.scalar(select(func.count(Exposure.id))) == 1700
        before_hire = session.scalar(
            select(func.count(Exposure.id))
            .join(Worker, Exposure.worker_id == Worker.id)
            .where(Exposure.occurred_at < Worker.hire_date)
        )
        assert before_hire == 0
        references = session.scalars(select(Exposure.reference)).all()
        assert len(set(references)) == len(references)
        assert all(re.fullmatch(r"EXP-20\d\d-\d{4,}", r) for r in references)
        per_year = session.execute(
            select(Exposure.ref_year, func.count(), func.max(Exposure.ref_seq)).group_by(
                Exposure.ref_year
            )
        ).all()
        assert all(count == top for _year, count, top in per_year)
        first = session.scalar(select(Exposure).order_by(Exposure.id).limit(1))
        assert first is not None and first.occurred_at.year == first.ref_year
        assert session.scalar(select(func.max(Exposure.occurred_at))) < dt.datetime.combine(
            TODAY, dt.time()
        )


def test_nothing_to_do_without_departments(database: Database) -> None:
    with database.transaction() as session:
        assert demo_exposures.generate(session, random.Random(1), 10, TODAY) == 0
