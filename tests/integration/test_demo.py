"""The demo hospital: counts, realism rules, determinism, demo logins, refusal of a second run."""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from sqlalchemy import func, select

from hospital_osh.cli import main
from hospital_osh.domain.codes import EMPLOYMENT_TYPES, JOB_CATEGORIES
from hospital_osh.models import AuditEvent, Department, Hospital, StaffingYear, User, Worker
from hospital_osh.services import audit, demo, hospital, users, workers
from hospital_osh.services.context import Actor
from hospital_osh.services.database import Database, open_database
from hospital_osh.services.demo import DEMO_USERS, build, ensure_demo_database
from hospital_osh.services.errors import UserError

TODAY = dt.date(2026, 3, 15)


@pytest.fixture(autouse=True)
def fast_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Cheap Argon2 parameters; logins verify with whatever parameters a hash names."""
    hasher = PasswordHasher(time_cost=1, memory_cost=64, parallelism=1)
    monkeypatch.setattr(users, "_hasher", lambda: hasher)


@pytest.fixture
def built(database: Database) -> demo.DemoSummary:
    return build(database, seed=7, today=TODAY)


def _workers(database: Database) -> list[Worker]:
    with database.session() as session:
        rows = list(session.scalars(select(Worker).order_by(Worker.id)))
        session.expunge_all()
        return rows


def _add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return dt.date(day.year + years, 3, 1)


def test_counts_match_the_summary_and_the_database(
    database: Database, built: demo.DemoSummary
) -> None:
    assert built.workers == demo.DEFAULT_STAFF == 600
    assert built.departments == len(hospital.default_departments())
    assert (built.users, built.staffing_years, built.exposures) == (5, 4, 900)
    with database.session() as session:
        assert session.scalar(select(func.count(Worker.id))) == 600
        assert session.scalar(select(func.count(Department.id))) == built.departments
        assert session.scalar(select(func.count(User.id))) == 5
        assert session.scalar(select(func.count(StaffingYear.id))) == 4
        profile = hospital.get_profile(session)
        assert hospital.is_initialised(session)
    assert profile is not None and profile.grade == "tertiary_a"
    assert profile.name_zh == "示范市第一人民医院" and profile.facility_code
    assert "600 workers" in built.message() and "admin / admin-demo-2026" in built.message()


def test_one_summary_event_and_an_intact_chain(database: Database, built: demo.DemoSummary) -> None:
    with database.session() as session:
        events = session.scalars(select(AuditEvent).order_by(AuditEvent.id)).all()
        report = audit.verify_chain(session)
    assert report.ok and report.checked == built.audit_events == len(events)
    assert [e.action for e in events].count("demo_generate") == 1
    assert [e.entity for e in events].count("worker") == 0  # no event per generated row
    summary = json.loads(events[-1].changes)
    assert events[-1].action == "demo_generate"
    assert summary["workers"] == [None, 600] and summary["seed"] == [None, 7]


def test_every_job_category_department_and_employment_type_is_used(
    database: Database, built: demo.DemoSummary
) -> None:
    rows = _workers(database)
    assert {w.job_category for w in rows} == set(JOB_CATEGORIES.codes)
    assert {w.employment_type for w in rows} == set(EMPLOYMENT_TYPES.codes)
    with database.session() as session:
        assert {w.department_id for w in rows} == set(session.scalars(select(Department.id)))


def test_the_staff_mix_is_plausible(database: Database, built: demo.DemoSummary) -> None:
    rows = _workers(database)
    jobs = Counter(w.job_category for w in rows)
    assert jobs["nurse"] == 270 and jobs["doctor"] == 150  # 45 % and 25 %
    nurses = [w for w in rows if w.job_category == "nurse"]
    assert sum(w.sex == "female" for w in nurses) / len(nurses) > 0.9
    porters = [w for w in rows if w.job_category == "porter"]
    assert sum(w.sex == "male" for w in porters) > len(porters) / 2
    assert all(w.employment_type == "student" for w in rows if w.job_category == "student_intern")
    assert len({w.staff_no for w in rows}) == 600 and len({w.uuid for w in rows}) == 600
    assert len({w.name for w in rows}) > 500
    assert all(2 <= len(w.name) <= 4 for w in rows)
    assert 0 < sum(not w.active for w in rows) < 60


def test_no_hire_before_18_or_in_the_future_and_every_worker_validates(
    database: Database, built: demo.DemoSummary
) -> None:
    rows = _workers(database)
    for w in rows:
        assert w.birth_date is not None and w.hire_date is not None
        assert _add_years(w.birth_date, 18) <= w.hire_date <= TODAY, w.staff_no
        assert _add_years(w.birth_date, 18) <= TODAY <= _add_years(w.birth_date, 66)
    with database.session() as session:
        for w in rows[:100]:
            info = workers.WorkerInfo(
                **{name: getattr(w, name) for name in workers.FIELDS}, id=w.id, version=w.version
            )
            assert workers.validate_worker(session, info, TODAY) == {}


def test_staffing_denominators_cover_four_years_and_agree_with_the_staff(
    database: Database, built: demo.DemoSummary
) -> None:
    with database.session() as session:
        years = hospital.list_staffing(session)
    assert [y.year for y in years] == [2023, 2024, 2025, 2026]
    for year in years:
        assert hospital.validate_staffing(year) == {}
        assert year.occupied_beds is not None and 200 < year.occupied_beds < 600
        assert 300 < year.total_fte <= 600
        assert year.fte[("nurse", "female")] > 10 * year.fte.get(("nurse", "male"), 0.1)
        assert set(year.fte_by_job_category()) == set(JOB_CATEGORIES.codes)
    assert years[0].total_fte < years[2].total_fte  # the hospital grew


def test_demo_users_log_in_with_the_documented_passwords(
    database: Database, built: demo.DemoSummary
) -> None:
    assert [u.username for u in DEMO_USERS] == [
        "admin",
        "officer",
        "committee",
        "reporter",
        "viewer",
    ]
    for user in DEMO_USERS:
        actor = users.login(database, user.username, user.password)
        assert (actor.username, actor.role) == (user.username, user.role)
        assert user.password == f"{user.username}-demo-2026"
    assert {u.role for u in DEMO_USERS} == {
        "admin",
        "osh_officer",
        "committee_member",
        "reporter",
        "viewer",
    }


def test_the_same_seed_gives_the_same_hospital(tmp_path: Path) -> None:
    def snapshot(name: str, seed: int) -> tuple[list[tuple[object, ...]], list[object]]:
        database = open_database(tmp_path / name)
        try:
            build(database, seed=seed, staff=150, today=TODAY)
            with database.session() as session:
                people = session.execute(
                    select(
                        Worker.staff_no,
                        Worker.name,
                        Worker.sex,
                        Worker.birth_date,
                        Worker.job_category,
                        Department.code,
                        Worker.employment_type,
                        Worker.hire_date,
                        Worker.active,
                        Worker.uuid,
                    )
                    .join(Department)
                    .order_by(Worker.id)
                ).all()
                staffing = hospital.list_staffing(session)
                secret = session.scalar(select(Hospital.pseudonym_secret))
            return [tuple(p) for p in people], [staffing, secret]
        finally:
            database.dispose()

    first, second, other = snapshot("a.sqlite", 3), snapshot("b.sqlite", 3), snapshot("c.sqlite", 4)
    assert first == second
    assert first[0] != other[0] and first[1] != other[1]


def test_a_database_with_data_is_refused_and_left_alone(database: Database, admin: Actor) -> None:
    with database.transaction() as session:
        hospital.save_profile(
            session, admin, hospital.HospitalProfile("真实医院", "Real", "R-1"), bootstrap=True
        )
    with pytest.raises(UserError, match="already holds a hospital's data"):
        build(database, staff=20)
    with database.session() as session:
        assert session.scalar(select(func.count(Worker.id))) == 0
        profile = hospital.get_profile(session)
        assert profile is not None and profile.name_zh == "真实医院"


def test_a_second_run_is_refused(database: Database, built: demo.DemoSummary) -> None:
    with pytest.raises(UserError, match="only fills a new, empty database"):
        build(database, seed=8)
    with database.session() as session:
        assert session.scalar(select(func.count(Worker.id))) == 600


@pytest.mark.parametrize(("staff", "records"), [(0, None), (demo.MAX_STAFF + 1, None), (10, -1)])
def test_absurd_sizes_are_refused(database: Database, staff: int, records: int | None) -> None:
    with pytest.raises(UserError):
        build(database, staff=staff, records=records)


def test_small_sizes_still_cover_every_department(database: Database) -> None:
    summary = build(database, staff=40, today=TODAY)
    rows = _workers(database)
    assert summary.workers == len(rows) == 40
    assert len({w.department_id for w in rows}) == summary.departments  # 26 of 40 moved as needed
    assert {w.job_category for w in rows} == set(JOB_CATEGORIES.codes)


def test_ensure_demo_database_builds_once(tmp_path: Path) -> None:
    path = tmp_path / "folder" / "demo.sqlite"
    assert ensure_demo_database(path) == path
    database = open_database(path)
    try:
        with database.session() as session:
            first = session.scalar(select(func.count(AuditEvent.id)))
        assert ensure_demo_database(path) == path  # kept as it is
        with database.session() as session:
            assert session.scalar(select(func.count(AuditEvent.id))) == first
            assert session.scalar(select(func.count(Worker.id))) == demo.DEFAULT_STAFF
    finally:
        database.dispose()


def test_command_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "cli.sqlite"
    assert main(["--db", str(path), "demo", "--seed", "5", "--staff", "30", "--records", "0"]) == 0
    out = capsys.readouterr().out
    assert "30 workers" in out and "viewer / viewer-demo-2026" in out
    assert main(["--db", str(path), "demo"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("hospital-osh: The database") and "Traceback" not in err
