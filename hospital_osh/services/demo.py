"""A realistic demo hospital: profile, departments, staffing denominators, staff and users.

Used by ``hospital-osh demo``, by ``hospital-osh --demo`` (through ``ensure_demo_database``), by
screenshots and by benchmarks. The same seed (and day) always gives the same data, so benchmark
runs and screenshots are comparable. Everything is written in one transaction with bulk inserts
(benchmarks build 20,000 workers), and audited by one ``demo_generate`` event that states the counts
instead of one event per row. The demo users are the exception: they are created through
``services.users.create_user`` (validated and audited like any other account).
"""

from __future__ import annotations

import bisect
import contextlib
import datetime as dt
import itertools
import json
import random
import time
import uuid
from collections import Counter
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from hospital_osh import paths
from hospital_osh.domain.codes import JOB_CATEGORIES
from hospital_osh.domain.roles import Role
from hospital_osh.i18n import _, current_language
from hospital_osh.models import (
    AuditEvent,
    Department,
    Hospital,
    StaffingFte,
    StaffingYear,
    User,
    Worker,
)
from hospital_osh.services import (
    audit,
    demo_exposures,
    demo_hazards,
    demo_healthwise,
    demo_post_exposure,
    users,
)
from hospital_osh.services.context import SYSTEM
from hospital_osh.services.database import Database, open_database
from hospital_osh.services.errors import UserError
from hospital_osh.services.hospital import default_departments

DEFAULT_STAFF = 600
MAX_STAFF = 200_000
STAFFING_YEARS = 4  # the current year and the three before it


@dataclass(frozen=True)
class DemoUser:
    username: str
    password: str
    role: str
    display_name: str


# The documented demo logins (README, tests and the login screen of ``--demo`` use these).
DEMO_USERS: tuple[DemoUser, ...] = (
    DemoUser("admin", "admin-demo-2026", Role.ADMIN, "王建国（系统管理员）"),
    DemoUser("officer", "officer-demo-2026", Role.OSH_OFFICER, "李静（职业安全专员）"),
    DemoUser("committee", "committee-demo-2026", Role.COMMITTEE_MEMBER, "张伟（安全委员会委员）"),
    DemoUser("reporter", "reporter-demo-2026", Role.REPORTER, "刘芳（科室报告员）"),
    DemoUser("viewer", "viewer-demo-2026", Role.VIEWER, "陈晓（查阅人员）"),
)

DEMO_HOSPITAL = {
    "name_zh": "示范市第一人民医院",
    "name_en": "Demo City First People's Hospital",
    "facility_code": "DEMO-330100-0001",
    "province": "浙江省",
    "city": "示范市",
    "grade": "tertiary_a",
    "time_zone": "Asia/Shanghai",
}


@dataclass(frozen=True)
class _JobProfile:
    """How one job category looks in a Chinese tertiary hospital (shares are rough, plausible)."""

    share: float  # of all staff
    female: float  # share of women
    ages: tuple[int, int, int]  # youngest, most common, oldest age
    start_age: int  # earliest age at hire (after training); never under 18
    employment: dict[str, float]
    departments: dict[str, float]  # department code -> weight


_JOBS: dict[str, _JobProfile] = {
    "nurse": _JobProfile(
        0.45,
        0.97,
        (20, 31, 55),
        19,
        {"permanent": 55, "contract": 40, "agency": 5},
        {
            "IM": 12,
            "SUR": 10,
            "ORTH": 5,
            "OBS": 6,
            "PED": 5,
            "ONC": 5,
            "INF": 3,
            "ICU": 9,
            "OR": 8,
            "ANES": 2,
            "ED": 7,
            "OPD": 6,
            "HD": 4,
            "CSSD": 3,
            "PIVAS": 2,
            "DEN": 1,
            "RAD": 1,
            "IPC": 1,
        },
    ),
    "doctor": _JobProfile(
        0.25,
        0.55,
        (25, 38, 62),
        24,
        {"permanent": 85, "contract": 15},
        {
            "IM": 10,
            "SUR": 8,
            "ORTH": 4,
            "OBS": 4,
            "PED": 4,
            "ONC": 4,
            "INF": 2,
            "ICU": 4,
            "ANES": 5,
            "OR": 1,
            "ED": 6,
            "OPD": 6,
            "LAB": 1,
            "PATH": 3,
            "BB": 1,
            "RAD": 5,
            "NM": 1,
            "HD": 1,
            "IPC": 1,
        },
    ),
    "student_intern": _JobProfile(
        0.06,
        0.68,
        (19, 22, 27),
        18,
        {"student": 100},
        {
            "IM": 5,
            "SUR": 5,
            "ORTH": 2,
            "OBS": 2,
            "PED": 2,
            "ONC": 1,
            "ICU": 2,
            "ED": 3,
            "OPD": 1,
            "LAB": 2,
            "RAD": 1,
        },
    ),
    "lab_technician": _JobProfile(
        0.04,
        0.68,
        (22, 35, 60),
        21,
        {"permanent": 75, "contract": 25},
        {"LAB": 6, "PATH": 2, "BB": 2},
    ),
    "imaging_technician": _JobProfile(
        0.04,
        0.45,
        (22, 35, 60),
        21,
        {"permanent": 75, "contract": 25},
        {"RAD": 7, "NM": 2, "HD": 1},
    ),
    "cleaner": _JobProfile(
        0.04,
        0.72,
        (30, 48, 60),
        18,
        {"agency": 80, "contract": 20},
        {"ENV": 10, "OR": 1, "CSSD": 1},
    ),
    "pharmacist": _JobProfile(
        0.03,
        0.70,
        (22, 36, 60),
        21,
        {"permanent": 80, "contract": 20},
        {"PHA": 6, "PIVAS": 3},
    ),
    "midwife": _JobProfile(
        0.02,
        1.0,
        (21, 33, 55),
        19,
        {"permanent": 60, "contract": 40},
        {"OBS": 1},
    ),
    "caregiver": _JobProfile(
        0.02,
        0.82,
        (30, 50, 60),
        18,
        {"agency": 90, "other": 10},
        {"IM": 3, "SUR": 2, "ORTH": 2, "ONC": 2, "ICU": 1, "INF": 1, "PED": 1},
    ),
    "porter": _JobProfile(
        0.02,
        0.12,
        (22, 42, 60),
        18,
        {"agency": 70, "contract": 30},
        {"LOG": 8, "ED": 1, "OR": 1},
    ),
    "other": _JobProfile(
        0.02,
        0.60,
        (22, 40, 60),
        18,
        {"permanent": 50, "contract": 40, "other": 10},
        {"ADM": 6, "LOG": 3, "IPC": 2, "CSSD": 2, "OPD": 1},
    ),
    "dentist": _JobProfile(
        0.01,
        0.55,
        (25, 38, 60),
        24,
        {"permanent": 85, "contract": 15},
        {"DEN": 1},
    ),
}
assert set(_JOBS) == set(JOB_CATEGORIES.codes), "every job category needs a demo profile"

# FTE per head: agency and other staff work some part-time; students rotate through the year.
_FTE_PER_HEAD = {"permanent": 1.0, "contract": 1.0, "agency": 0.95, "student": 0.6, "other": 0.8}
_STAFF_NO_PREFIX = {"agency": "WB", "student": "XS", "other": "QT"}  # 外包, 学生, 其他
_LEFT_SHARE = 0.03  # workers who have left (inactive)
_STAFF_PER_OCCUPIED_BED = 1.7


@dataclass(frozen=True)
class DemoSummary:
    """What ``build`` created; ``message`` is what the command line prints."""

    database: str
    seed: int
    hospital: str
    departments: int
    workers: int
    users: int
    staffing_years: int
    records: int | None  # exposure records asked for (None: the default)
    exposures: int  # exposure records created
    audit_events: int
    seconds: float

    def message(self) -> str:
        hospital = self.hospital
        if current_language() != "zh_CN" and hospital == DEMO_HOSPITAL["name_zh"]:
            hospital = DEMO_HOSPITAL["name_en"]
        first = _(
            "Demo hospital {hospital} created in {database}: {departments} departments, "
            "{workers} workers, staffing figures for {years} years, {users} users, "
            "{exposures} exposure records ({seconds:.1f} s)."
        ).format(
            hospital=hospital,
            database=self.database,
            departments=self.departments,
            workers=self.workers,
            years=self.staffing_years,
            users=self.users,
            exposures=self.exposures,
            seconds=self.seconds,
        )
        logins = ", ".join(f"{u.username} / {u.password}" for u in DEMO_USERS)
        second = _("Demo logins (user / password): {logins}").format(logins=logins)
        return f"{first}\n{second}"


class DemoDatabaseNotEmpty(UserError):
    """The demo only fills a new database; it never mixes fictional data into real data."""


# -- entry points -------------------------------------------------------------------------------


def build(
    database: Database,
    *,
    seed: int = 1,
    records: int | None = None,
    staff: int | None = None,
    hazards: int | None = None,
    actions: int | None = None,
    today: dt.date | None = None,
) -> DemoSummary:
    """Fill an empty database with the demo hospital, in one transaction.

    ``today`` anchors dates (defaults to the real date); the same seed and day give the same data.
    ``records`` (how many exposure records) is for the exposure generator
    (``services.demo_exposures``), whose call its author adds below; until then none are made.
    ``actions`` asks for about that many action items (HealthWISE history before the story's
    two rounds per ward; None: the story alone, a few dozen).
    """
    started = time.perf_counter()
    staff = DEFAULT_STAFF if staff is None else staff
    if not 1 <= staff <= MAX_STAFF:
        raise UserError(
            _("The number of workers must be between {low} and {high}.").format(
                low=1, high=MAX_STAFF
            )
        )
    if records is not None and records < 0:
        raise UserError(_("The number of exposure records cannot be negative."))
    if hazards is not None and hazards < 0:
        raise UserError(_("The number of hazards cannot be negative."))
    if actions is not None and not 0 <= actions <= demo_healthwise.MAX_ACTIONS:
        raise UserError(
            _("The number of action items must be between {low} and {high}.").format(
                low=0, high=demo_healthwise.MAX_ACTIONS
            )
        )
    today = today or dt.date.today()
    rng = random.Random(seed)
    with database.transaction() as session:
        _refuse_if_not_empty(session, database)
        hospital_name = _add_hospital(session, rng)
        department_ids = _add_departments(session)
        people = _make_workers(rng, staff, department_ids, today)
        session.execute(insert(Worker), _worker_rows(people, department_ids))
        years = _add_staffing(session, rng, people, today)
        for user in DEMO_USERS:
            users.create_user(
                session,
                SYSTEM,
                username=user.username,
                display_name=user.display_name,
                role=user.role,
                password=user.password,
                language="zh_CN",
            )
        count = demo_exposures.DEFAULT_COUNT if records is None else records
        exposures = demo_exposures.generate(session, rng, count, today)
        demo_hazards.generate(session, random.Random(f"hazards-{seed}"), today, hazards)
        demo_post_exposure.generate(session, random.Random(f"post-exposure-{seed}"), today)
        demo_healthwise.generate(session, random.Random(f"healthwise-{seed}"), today, actions)
        counts = {
            "seed": seed,
            "departments": len(department_ids),
            "workers": len(people),
            "staffing_years": years,
            "users": len(DEMO_USERS),
            "exposures": exposures,
        }
        audit.record(session, SYSTEM, "demo_generate", "database", "demo", audit.created(counts))
        audit_events = session.scalar(select(func.count(AuditEvent.id))) or 0
    return DemoSummary(
        database=database.display_name(),
        seed=seed,
        hospital=hospital_name,
        departments=len(department_ids),
        workers=len(people),
        users=len(DEMO_USERS),
        staffing_years=years,
        records=records,
        exposures=exposures,
        audit_events=audit_events,
        seconds=time.perf_counter() - started,
    )


def ensure_demo_database(path: Path | None = None) -> Path:
    """Return a ready demo database file, building it first when it is missing or empty.

    ``hospital-osh --demo`` opens this; a demo database that already holds data is kept as it is
    (it may hold the user's own practice entries).
    """
    path = Path(path) if path is not None else paths.demo_database_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    database = open_database(path)
    try:
        with database.session() as session:
            empty = _is_empty(session)
        if empty:
            # Another process may have filled it meanwhile: then use that.
            with contextlib.suppress(DemoDatabaseNotEmpty):
                build(database)
    finally:
        database.dispose()
    return path


# -- building blocks ----------------------------------------------------------------------------


def _is_empty(session: Session) -> bool:
    return (
        session.get(Hospital, 1) is None
        and session.scalar(select(User.id).limit(1)) is None
        and session.scalar(select(Worker.id).limit(1)) is None
        and session.scalar(select(Department.id).limit(1)) is None
    )


def _refuse_if_not_empty(session: Session, database: Database) -> None:
    if not _is_empty(session):
        raise DemoDatabaseNotEmpty(
            _(
                "The database {name} already holds a hospital's data; the demo only fills a new, "
                "empty database. Choose another file with --db."
            ).format(name=database.display_name())
        )


def _add_hospital(session: Session, rng: random.Random) -> str:
    secret = f"{rng.getrandbits(256):064x}"  # deterministic, so demo exports are reproducible
    session.execute(
        insert(Hospital), [{"id": 1, "pseudonym_secret": secret, "version": 1, **DEMO_HOSPITAL}]
    )
    return DEMO_HOSPITAL["name_zh"]


def _add_departments(session: Session) -> dict[str, int]:
    rows = [
        {
            "code": d.code,
            "name_zh": d.name_zh,
            "name_en": d.name_en,
            "type": d.type,
            "active": True,
            "version": 1,
        }
        for d in default_departments()
    ]
    session.execute(insert(Department), rows)
    return dict(session.execute(select(Department.code, Department.id)).all())


@cache
def _names() -> tuple[list[str], list[float], str, str, str]:
    data = json.loads(paths.resource("demo", "names.json").read_text(encoding="utf-8"))
    surnames = list(data["surnames"])
    cumulative = list(itertools.accumulate(float(w) for w in data["surnames"].values()))
    return (
        surnames,
        cumulative,
        data["given_female"],
        data["given_male"],
        data["given_neutral"],
    )


def _name(rng: random.Random, female: bool) -> str:
    surnames, cumulative, given_female, given_male, given_neutral = _names()
    surname = surnames[bisect.bisect_right(cumulative, rng.random() * cumulative[-1])]
    pool = (given_female if female else given_male) + given_neutral
    first = rng.choice(pool)
    if rng.random() < 0.3:
        return surname + first  # one-character given name
    if female and rng.random() < 0.04:
        return surname + first + first  # 婷婷, 丽丽
    return surname + first + rng.choice(given_female if female else given_male)


def _quotas(total: int) -> list[str]:
    """Job categories in exact shares (largest remainder), at least one each when there is room."""
    raw = {job: profile.share * total for job, profile in _JOBS.items()}
    counts = {job: int(value) for job, value in raw.items()}
    if total >= len(_JOBS):
        for job in counts:
            counts[job] = max(counts[job], 1)
    by_remainder = sorted(raw, key=lambda job: raw[job] - int(raw[job]), reverse=True)
    for job in itertools.cycle(by_remainder):
        missing = total - sum(counts.values())
        if missing <= 0:
            break
        counts[job] += 1
    while sum(counts.values()) > total:  # the minimum of one each overshot: trim the largest
        largest = max(counts, key=lambda job: counts[job])
        counts[largest] -= 1
    return [job for job, n in counts.items() for _i in range(n)]


def _add_years(day: dt.date, years: int) -> dt.date:
    """The same calendar day ``years`` later; 29 February becomes 1 March."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return dt.date(day.year + years, 3, 1)


class _Picker:
    """A weighted choice with the cumulative weights computed once (called per worker)."""

    def __init__(self, weights: dict[str, float]):
        self.keys = list(weights)
        self.cumulative = list(itertools.accumulate(weights.values()))

    def __call__(self, rng: random.Random) -> str:
        return self.keys[bisect.bisect_right(self.cumulative, rng.random() * self.cumulative[-1])]


@dataclass(slots=True)
class _Person:
    """One generated worker before staff numbers and department ids are assigned."""

    name: str
    sex: str
    birth_date: dt.date
    job_category: str
    department: str
    employment_type: str
    hire_date: dt.date
    active: bool
    uuid: str


def _make_workers(
    rng: random.Random, total: int, department_ids: dict[str, int], today: dt.date
) -> list[_Person]:
    """``total`` plausible workers; hired no earlier than 18 (or after training), never later
    than ``today``. Sorted by hire date, the order in which staff numbers are handed out."""
    jobs = _quotas(total)
    rng.shuffle(jobs)
    employment_of = {job: _Picker(profile.employment) for job, profile in _JOBS.items()}
    department_of = {}
    for job, profile in _JOBS.items():
        weights = {c: w for c, w in profile.departments.items() if c in department_ids}
        department_of[job] = _Picker(weights or dict.fromkeys(sorted(department_ids), 1.0))
    people = []
    for job in jobs:
        profile = _JOBS[job]
        female = rng.random() < profile.female
        youngest, mode, oldest = profile.ages
        if female and job not in ("doctor", "dentist"):
            oldest = min(oldest, 55)  # women in these posts retire at 50-55
        age = rng.triangular(youngest, oldest + 1, min(mode, oldest))
        birth = today - dt.timedelta(days=int(age * 365.25))
        earliest = max(_add_years(birth, profile.start_age), _add_years(birth, 18))
        employment = employment_of[job](rng)
        if employment == "student":  # this year's cohort
            recent = max(earliest, today - dt.timedelta(days=330))
            hire = recent + dt.timedelta(days=rng.randint(0, (today - recent).days))
        elif employment == "agency":  # outsourced posts turn over quickly
            recent = max(earliest, _add_years(today, -8))
            hire = recent + dt.timedelta(days=rng.randint(0, (today - recent).days))
        else:  # most join early in their career
            span = (today - earliest).days
            hire = earliest + dt.timedelta(days=int(rng.triangular(0, span, 0)))
        people.append(
            _Person(
                name=_name(rng, female),
                sex="female" if female else "male",
                birth_date=birth,
                job_category=job,
                department=department_of[job](rng),
                employment_type=employment,
                hire_date=hire,
                active=rng.random() >= _LEFT_SHARE,
                uuid=str(uuid.UUID(int=rng.getrandbits(128), version=4)),
            )
        )
    _cover_every_department(people, department_ids)
    people.sort(key=lambda p: (p.hire_date, p.uuid))
    return people


def _worker_rows(people: list[_Person], department_ids: dict[str, int]) -> list[dict[str, object]]:
    """Rows for the bulk insert; staff numbers like 20150042 (WB/XS/QT for agency, students,
    others), numbered per prefix and hire year."""
    counters: Counter[str] = Counter()
    rows: list[dict[str, object]] = []
    for p in people:
        prefix = _STAFF_NO_PREFIX.get(p.employment_type, "") + str(p.hire_date.year)
        counters[prefix] += 1
        rows.append(
            {
                "staff_no": f"{prefix}{counters[prefix]:04d}",
                "name": p.name,
                "sex": p.sex,
                "birth_date": p.birth_date,
                "job_category": p.job_category,
                "department_id": department_ids[p.department],
                "employment_type": p.employment_type,
                "hire_date": p.hire_date,
                "active": p.active,
                "uuid": p.uuid,
                "version": 1,
            }
        )
    return rows


def _cover_every_department(people: list[_Person], department_ids: dict[str, int]) -> None:
    """Move one worker into each department nobody was drawn for, so every list has data.

    A worker whose job fits the empty department is preferred; the donor department keeps at
    least one worker. Deterministic: the first fitting worker in the (seeded) order moves.
    """
    used = Counter(p.department for p in people)
    for code in sorted(department_ids):
        if used[code]:
            continue
        fitting = [
            p
            for p in people
            if code in _JOBS[p.job_category].departments and used[p.department] > 1
        ]
        donors = fitting or [p for p in people if used[p.department] > 1]
        if not donors:
            return  # fewer workers than departments
        mover = donors[0]
        used[mover.department] -= 1
        mover.department = code
        used[code] += 1


def _add_staffing(
    session: Session, rng: random.Random, people: list[_Person], today: dt.date
) -> int:
    """Yearly denominators that agree with the generated staff: who was employed in each year."""
    years = list(range(today.year - STAFFING_YEARS + 1, today.year + 1))
    rows = []
    fte_by_year: dict[int, dict[tuple[str, str], float]] = {}
    for year in years:
        end = min(dt.date(year, 12, 31), today)
        fte: dict[tuple[str, str], float] = {}
        heads = 0
        for p in people:
            student = p.job_category == "student_intern"  # a new cohort every year
            if (not student and p.hire_date > end) or (year == today.year and not p.active):
                continue
            heads += 1
            key = (p.job_category, p.sex)
            fte[key] = fte.get(key, 0.0) + _FTE_PER_HEAD[p.employment_type]
        fte_by_year[year] = {k: round(v, 1) for k, v in sorted(fte.items()) if v}
        occupancy = rng.uniform(0.86, 0.95)
        rows.append(
            {
                "year": year,
                "occupied_beds": round(heads / _STAFF_PER_OCCUPIED_BED * occupancy, 1),
                "version": 1,
            }
        )
    session.execute(insert(StaffingYear), rows)
    ids = dict(session.execute(select(StaffingYear.year, StaffingYear.id)).all())
    session.execute(
        insert(StaffingFte),
        [
            {"staffing_year_id": ids[year], "job_category": job, "sex": sex, "fte": value}
            for year, table in fte_by_year.items()
            for (job, sex), value in table.items()
        ],
    )
    return len(years)
