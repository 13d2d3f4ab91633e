"""The hospital profile, departments, yearly staffing denominators and hospital settings."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field, replace

from sqlalchemy import select
from sqlalchemy.orm import Session

from hospital_osh.domain.codes import DEPARTMENT_TYPES, HOSPITAL_GRADES, JOB_CATEGORIES, SEXES
from hospital_osh.domain.roles import Permission
from hospital_osh.i18n import _
from hospital_osh.models import Department, Hospital, StaffingFte, StaffingYear
from hospital_osh.services import audit
from hospital_osh.services.context import Actor
from hospital_osh.services.errors import Conflict, NotFound, ValidationError
from hospital_osh.services.text_checks import text_problem
from hospital_osh.services.users import count_admins

# -- profile ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class HospitalProfile:
    name_zh: str = ""
    name_en: str = ""
    facility_code: str = ""
    province: str = ""
    city: str = ""
    grade: str = "other"
    time_zone: str = "Asia/Shanghai"
    version: int | None = None

    def values(self) -> dict[str, str]:
        return {
            "name_zh": self.name_zh,
            "name_en": self.name_en,
            "facility_code": self.facility_code,
            "province": self.province,
            "city": self.city,
            "grade": self.grade,
            "time_zone": self.time_zone,
        }


def get_profile(session: Session) -> HospitalProfile | None:
    row = session.get(Hospital, 1)
    if row is None:
        return None
    return HospitalProfile(
        row.name_zh,
        row.name_en,
        row.facility_code,
        row.province,
        row.city,
        row.grade,
        row.time_zone,
        row.version,
    )


def is_initialised(session: Session) -> bool:
    """A database is ready for login once it has a profile and an administrator."""
    return session.get(Hospital, 1) is not None and count_admins(session) > 0


def validate_profile(profile: HospitalProfile) -> dict[str, str]:
    from zoneinfo import available_timezones

    errors: dict[str, str] = {}
    if not profile.name_zh.strip() and not profile.name_en.strip():
        errors["name_zh"] = _("Enter the hospital's name (Chinese or English).")
    if not profile.facility_code.strip():
        errors["facility_code"] = _("Enter the facility code.")
    elif len(profile.facility_code.strip()) > 40:
        errors["facility_code"] = _("The facility code has at most 40 characters.")
    limits = {"name_zh": 200, "name_en": 200, "facility_code": 40, "province": 80, "city": 80}
    for name, limit in limits.items():
        problem = text_problem(getattr(profile, name), limit)
        if problem and name not in errors:
            errors[name] = problem
    if profile.grade not in HOSPITAL_GRADES:
        errors["grade"] = _("Choose a hospital grade from the list.")
    if profile.time_zone not in available_timezones():
        errors["time_zone"] = _("Unknown time zone '{zone}'.").format(zone=profile.time_zone)
    return errors


def save_profile(
    session: Session, actor: Actor, profile: HospitalProfile, *, bootstrap: bool = False
) -> HospitalProfile:
    """Create or update the profile. First-run setup creates it before any user exists."""
    row = session.get(Hospital, 1)
    if not (bootstrap and row is None):
        actor.require(Permission.MANAGE_HOSPITAL)
    errors = validate_profile(profile)
    if errors:
        raise ValidationError(errors)
    cleaned = {k: v.strip() for k, v in profile.values().items()}
    if row is None:
        row = Hospital(id=1, pseudonym_secret=secrets.token_hex(32), **cleaned)
        session.add(row)
        session.flush()
        audit.record(session, actor, "create", "hospital", 1, audit.created(cleaned))
    else:
        if profile.version is not None and profile.version != row.version:
            raise Conflict(
                _(
                    "Someone else changed this record since you opened it. "
                    "Close it, open it again and repeat your change."
                )
            )
        before = {k: getattr(row, k) for k in cleaned}
        for key, value in cleaned.items():
            setattr(row, key, value)
        session.flush()
        audit.record(session, actor, "update", "hospital", 1, audit.diff(before, cleaned))
    return replace(profile, version=row.version, **cleaned)


def pseudonym_secret(session: Session) -> str:
    row = session.get(Hospital, 1)
    if row is None:
        raise NotFound(_("The hospital profile has not been set up."))
    return row.pseudonym_secret


# -- departments --------------------------------------------------------------------------------


@dataclass(frozen=True)
class DepartmentInfo:
    code: str
    name_zh: str
    name_en: str
    type: str
    active: bool = True
    id: int | None = None
    version: int | None = None

    def name(self, language: str) -> str:
        """The name in ``language``, falling back to the other language."""
        if language == "zh_CN":
            return self.name_zh or self.name_en
        return self.name_en or self.name_zh


def _department_info(row: Department) -> DepartmentInfo:
    return DepartmentInfo(
        row.code, row.name_zh, row.name_en, row.type, row.active, row.id, row.version
    )


def list_departments(session: Session, *, active_only: bool = False) -> list[DepartmentInfo]:
    query = select(Department).order_by(Department.code)
    if active_only:
        query = query.where(Department.active.is_(True))
    return [_department_info(row) for row in session.scalars(query)]


def validate_department(session: Session, info: DepartmentInfo) -> dict[str, str]:
    errors: dict[str, str] = {}
    code = info.code.strip()
    if not code:
        errors["code"] = _("Enter a department code.")
    elif len(code) > 40:
        errors["code"] = _("The department code has at most 40 characters.")
    elif problem := text_problem(code):  # before the query: PostgreSQL refuses NUL
        errors["code"] = problem
    else:
        other = session.scalar(select(Department.id).where(Department.code == code))
        if other is not None and other != info.id:
            errors["code"] = _("The department code '{code}' is already used.").format(code=code)
    if not info.name_zh.strip() and not info.name_en.strip():
        errors["name_zh"] = _("Enter the department's name (Chinese or English).")
    for name in ("name_zh", "name_en"):
        problem = text_problem(getattr(info, name), 200)
        if problem and name not in errors:
            errors[name] = problem
    if info.type not in DEPARTMENT_TYPES:
        errors["type"] = _("Choose a department type from the list.")
    return errors


def save_department(
    session: Session, actor: Actor, info: DepartmentInfo, *, bootstrap: bool = False
) -> DepartmentInfo:
    """Create (``id`` None) or update a department. Departments are deactivated, never deleted."""
    if not (bootstrap and count_admins(session) == 0):
        actor.require(Permission.MANAGE_HOSPITAL)
    errors = validate_department(session, info)
    if errors:
        raise ValidationError(errors)
    values = {
        "code": info.code.strip(),
        "name_zh": info.name_zh.strip(),
        "name_en": info.name_en.strip(),
        "type": info.type,
        "active": info.active,
    }
    if info.id is None:
        row = Department(**values)
        session.add(row)
        session.flush()
        audit.record(session, actor, "create", "department", row.id, audit.created(values))
    else:
        found = session.get(Department, info.id)
        if found is None:
            raise NotFound(_("The department no longer exists."))
        row = found
        if info.version is not None and info.version != row.version:
            # Assigning the stale version to the row would not do: SQLAlchemy checks the version
            # it loaded and would overwrite silently.
            raise Conflict(
                _(
                    "Someone else changed this record since you opened it. "
                    "Close it, open it again and repeat your change."
                )
            )
        before = {k: getattr(row, k) for k in values}
        for key, value in values.items():
            setattr(row, key, value)
        session.flush()
        audit.record(session, actor, "update", "department", row.id, audit.diff(before, values))
    return _department_info(row)


# -- staffing denominators ------------------------------------------------------------------------


@dataclass(frozen=True)
class StaffingInfo:
    """Denominators of one year. ``fte`` maps (job_category, sex) -> full-time equivalents."""

    year: int
    occupied_beds: float | None = None
    fte: dict[tuple[str, str], float] = field(default_factory=dict)

    @property
    def total_fte(self) -> float:
        return sum(self.fte.values())

    def fte_by_job_category(self) -> dict[str, float]:
        totals: dict[str, float] = {}
        for (job, _sex), value in self.fte.items():
            totals[job] = totals.get(job, 0.0) + value
        return totals


def get_staffing(session: Session, year: int) -> StaffingInfo | None:
    row = session.scalar(select(StaffingYear).where(StaffingYear.year == year))
    if row is None:
        return None
    return StaffingInfo(
        row.year, row.occupied_beds, {(f.job_category, f.sex): f.fte for f in row.fte}
    )


def list_staffing(session: Session) -> list[StaffingInfo]:
    years = session.scalars(select(StaffingYear.year).order_by(StaffingYear.year)).all()
    return [info for year in years if (info := get_staffing(session, year)) is not None]


def validate_staffing(info: StaffingInfo) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not 1990 <= info.year <= 2100:
        errors["year"] = _("Enter a year between 1990 and 2100.")
    if info.occupied_beds is not None and not 0 <= info.occupied_beds <= 100_000:
        errors["occupied_beds"] = _("Occupied beds must be between 0 and 100,000.")
    for (job, sex), value in info.fte.items():
        if job not in JOB_CATEGORIES or sex not in SEXES:
            errors["fte"] = _("Unknown job category or sex in the FTE table.")
        elif not 0 <= value <= 100_000:
            errors["fte"] = _("FTE figures must be between 0 and 100,000.")
    return errors


def save_staffing(session: Session, actor: Actor, info: StaffingInfo) -> StaffingInfo:
    actor.require(Permission.MANAGE_HOSPITAL)
    errors = validate_staffing(info)
    if errors:
        raise ValidationError(errors)
    row = session.scalar(select(StaffingYear).where(StaffingYear.year == info.year))
    before = get_staffing(session, info.year)
    if row is None:
        row = StaffingYear(year=info.year)
        session.add(row)
    row.occupied_beds = info.occupied_beds
    row.fte.clear()
    session.flush()
    for (job, sex), value in sorted(info.fte.items()):
        if value:
            row.fte.append(StaffingFte(job_category=job, sex=sex, fte=float(value)))
    session.flush()

    def flat(item: StaffingInfo | None) -> dict[str, object]:
        if item is None:
            return {}
        values: dict[str, object] = {"occupied_beds": item.occupied_beds}
        values |= {f"fte.{job}.{sex}": v for (job, sex), v in sorted(item.fte.items()) if v}
        return values

    audit.record(
        session,
        actor,
        "update" if before else "create",
        "staffing_year",
        info.year,
        audit.diff(flat(before), flat(info)),
    )
    return info


def default_departments() -> list[DepartmentInfo]:
    """The editable starting list that first-run setup offers (resources/defaults)."""
    import json

    from hospital_osh.paths import resource

    data = json.loads(resource("defaults", "departments.json").read_text(encoding="utf-8"))
    return [
        DepartmentInfo(d["code"], d["name_zh"], d["name_en"], d["type"])
        for d in data["departments"]
    ]
