"""Workers (staff): paged lists with filters and SQL sorting, create, edit, deactivate."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from hospital_osh.domain.codes import EMPLOYMENT_TYPES, JOB_CATEGORIES, SEXES
from hospital_osh.domain.roles import Permission
from hospital_osh.i18n import _
from hospital_osh.models import Department, Worker
from hospital_osh.services import audit
from hospital_osh.services.context import Actor
from hospital_osh.services.errors import Conflict, NotFound, ValidationError
from hospital_osh.services.text_checks import text_problem

HIDDEN = "•••"
FIELDS = (
    "staff_no",
    "name",
    "sex",
    "birth_date",
    "job_category",
    "department_id",
    "employment_type",
    "hire_date",
    "active",
)


@dataclass(frozen=True)
class WorkerInfo:
    """What the worker dialog edits and the services validate."""

    staff_no: str = ""
    name: str = ""
    sex: str = "female"
    birth_date: dt.date | None = None
    job_category: str = "nurse"
    department_id: int | None = None
    employment_type: str = "permanent"
    hire_date: dt.date | None = None
    active: bool = True
    id: int | None = None
    version: int | None = None

    def values(self) -> dict[str, object]:
        return {name: getattr(self, name) for name in FIELDS}


@dataclass(frozen=True)
class WorkerRow:
    """One line of the staff list; identities are masked for roles that may not see them."""

    id: int
    staff_no: str
    name: str
    sex: str
    job_category: str
    department_code: str | None
    department_zh: str | None
    department_en: str | None
    employment_type: str
    hire_date: dt.date | None
    active: bool


@dataclass(frozen=True)
class WorkerFilter:
    search: str = ""
    department_id: int | None = None
    job_category: str | None = None
    employment_type: str | None = None
    active: bool | None = True


SORT_COLUMNS = {
    "staff_no": Worker.staff_no,
    "name": Worker.name,
    "sex": Worker.sex,
    "job_category": Worker.job_category,
    "department": Department.code,
    "employment_type": Worker.employment_type,
    "hire_date": Worker.hire_date,
    "active": Worker.active,
}


def _filtered(query: Select, filters: WorkerFilter, actor: Actor) -> Select:  # type: ignore[type-arg]
    text = filters.search.strip()
    if text:
        pattern = f"%{text}%"
        if actor.sees_identities:
            query = query.where(or_(Worker.name.ilike(pattern), Worker.staff_no.ilike(pattern)))
        else:  # a viewer may not search by identity, so searching must not reveal one
            query = query.where(
                Department.name_zh.ilike(pattern) | Department.name_en.ilike(pattern)
            )
    if filters.department_id is not None:
        query = query.where(Worker.department_id == filters.department_id)
    if filters.job_category:
        query = query.where(Worker.job_category == filters.job_category)
    if filters.employment_type:
        query = query.where(Worker.employment_type == filters.employment_type)
    if filters.active is not None:
        query = query.where(Worker.active.is_(filters.active))
    return query


def list_workers(
    session: Session,
    actor: Actor,
    filters: WorkerFilter = WorkerFilter(),
    *,
    sort: str = "staff_no",
    descending: bool = False,
    offset: int = 0,
    limit: int = 100,
) -> list[WorkerRow]:
    actor.require(Permission.VIEW_WORKERS)
    column = SORT_COLUMNS.get(sort, Worker.staff_no)
    order = column.desc() if descending else column.asc()
    query = _filtered(
        select(
            Worker.id,
            Worker.staff_no,
            Worker.name,
            Worker.sex,
            Worker.job_category,
            Department.code,
            Department.name_zh,
            Department.name_en,
            Worker.employment_type,
            Worker.hire_date,
            Worker.active,
        ).outerjoin(Department, Worker.department_id == Department.id),
        filters,
        actor,
    ).order_by(order, Worker.id.desc() if descending else Worker.id.asc())
    rows = session.execute(query.offset(offset).limit(limit)).all()
    masked = not actor.sees_identities
    return [
        WorkerRow(r[0], HIDDEN if masked else r[1], HIDDEN if masked else r[2], *r[3:])
        for r in rows
    ]


def count_workers(session: Session, actor: Actor, filters: WorkerFilter = WorkerFilter()) -> int:
    actor.require(Permission.VIEW_WORKERS)
    query = _filtered(
        select(func.count(Worker.id))
        .select_from(Worker)
        .outerjoin(Department, Worker.department_id == Department.id),
        filters,
        actor,
    )
    return session.scalar(query) or 0


def get_worker(session: Session, actor: Actor, worker_id: int) -> WorkerInfo:
    actor.require(Permission.VIEW_IDENTITIES)
    row = session.get(Worker, worker_id)
    if row is None:
        raise NotFound(_("The worker no longer exists."))
    return WorkerInfo(
        **{name: getattr(row, name) for name in FIELDS}, id=row.id, version=row.version
    )


def find_by_staff_no(session: Session, staff_no: str) -> int | None:
    return session.scalar(select(Worker.id).where(Worker.staff_no == staff_no.strip()))


def validate_worker(
    session: Session, info: WorkerInfo, today: dt.date | None = None
) -> dict[str, str]:
    """Per-field messages; empty when the worker may be saved."""
    today = today or dt.date.today()
    errors: dict[str, str] = {}
    staff_no = info.staff_no.strip()
    if not staff_no:
        errors["staff_no"] = _("Enter the staff number.")
    elif len(staff_no) > 40:
        errors["staff_no"] = _("The staff number has at most 40 characters.")
    elif problem := text_problem(staff_no):  # before the query: PostgreSQL refuses NUL
        errors["staff_no"] = problem
    else:
        other = find_by_staff_no(session, staff_no)
        if other is not None and other != info.id:
            errors["staff_no"] = _("The staff number {staff_no} is already used.").format(
                staff_no=staff_no
            )
    if not info.name.strip():
        errors["name"] = _("Enter the worker's name.")
    elif len(info.name.strip()) > 120:
        errors["name"] = _("The name has at most 120 characters.")
    elif problem := text_problem(info.name):
        errors["name"] = problem
    if info.sex not in SEXES:
        errors["sex"] = _("Choose the sex from the list.")
    if info.job_category not in JOB_CATEGORIES:
        errors["job_category"] = _("Choose a job category from the list.")
    if info.employment_type not in EMPLOYMENT_TYPES:
        errors["employment_type"] = _("Choose an employment type from the list.")
    if info.birth_date is not None:
        age = (today - info.birth_date).days / 365.25
        if not 14 <= age <= 100:
            errors["birth_date"] = _("The birth date gives an age of {age}; check it.").format(
                age=int(age)
            )
    if info.hire_date is not None:
        if info.hire_date > today:
            errors["hire_date"] = _("The hire date is in the future.")
        elif info.birth_date is not None and info.hire_date < info.birth_date + dt.timedelta(
            days=14 * 365
        ):
            errors["hire_date"] = _("The hire date is before the worker's 14th birthday.")
    if info.department_id is not None and session.get(Department, info.department_id) is None:
        errors["department_id"] = _("Choose a department from the list.")
    return errors


def _cleaned(info: WorkerInfo) -> WorkerInfo:
    return replace(info, staff_no=info.staff_no.strip(), name=info.name.strip())


def create_worker(session: Session, actor: Actor, info: WorkerInfo) -> WorkerInfo:
    actor.require(Permission.MANAGE_WORKERS)
    info = _cleaned(replace(info, id=None))
    errors = validate_worker(session, info)
    if errors:
        raise ValidationError(errors)
    row = Worker(**info.values())
    session.add(row)
    session.flush()
    audit.record(session, actor, "create", "worker", row.id, audit.created(info.values()))
    return replace(info, id=row.id, version=row.version)


def update_worker(session: Session, actor: Actor, info: WorkerInfo) -> WorkerInfo:
    actor.require(Permission.MANAGE_WORKERS)
    info = _cleaned(info)
    if info.id is None:
        raise NotFound(_("The worker no longer exists."))
    row = session.get(Worker, info.id)
    if row is None:
        raise NotFound(_("The worker no longer exists."))
    errors = validate_worker(session, info)
    if errors:
        raise ValidationError(errors)
    if info.version is not None and info.version != row.version:
        # Someone saved since this form was opened. (Assigning the stale version to the row
        # would not do: SQLAlchemy checks the version it loaded and would overwrite silently.)
        # A save that races past this check still fails: the UPDATE checks the loaded version.
        raise Conflict(
            _(
                "Someone else changed this record since you opened it. "
                "Close it, open it again and repeat your change."
            )
        )
    before = {name: getattr(row, name) for name in FIELDS}
    for name, value in info.values().items():
        setattr(row, name, value)
    session.flush()
    audit.record(session, actor, "update", "worker", row.id, audit.diff(before, info.values()))
    return replace(info, version=row.version)


def set_worker_active(session: Session, actor: Actor, worker_id: int, active: bool) -> None:
    """Deactivate (or reactivate) instead of deleting: exposures keep pointing at the worker."""
    actor.require(Permission.MANAGE_WORKERS)
    row = session.get(Worker, worker_id)
    if row is None:
        raise NotFound(_("The worker no longer exists."))
    if row.active == active:
        return
    row.active = active
    session.flush()
    audit.record(
        session,
        actor,
        "reactivate" if active else "deactivate",
        "worker",
        row.id,
        {"active": [not active, active]},
    )
