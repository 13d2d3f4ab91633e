"""Exposure records: the quick report, the officer's full record, edits, and the paged list.

Two-stage reporting: anyone with REPORT_EXPOSURE files a quick report (who, when, where, what,
source known?) and gets a case number and first-aid guidance; the OSH office completes the record.
Every write is one transaction with its audit event. What a role may see is enforced here:
names only for roles that see identities (and reporters on their own reports), serostatus only
with VIEW_SEROSTATUS; masked values read ``HIDDEN``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy import Select, func, or_, select, text
from sqlalchemy.orm import Session, aliased

from hospital_osh.domain import exposure_rules as rules
from hospital_osh.domain.exposure_codes import FIELD_CODE_LISTS
from hospital_osh.domain.roles import Permission
from hospital_osh.i18n import _
from hospital_osh.models import Department, Exposure, Worker
from hospital_osh.models.base import utcnow
from hospital_osh.services import audit, local_codes
from hospital_osh.services.context import Actor
from hospital_osh.services.errors import Conflict, NotFound, PermissionDenied, ValidationError
from hospital_osh.services.page_rows import build_rows, nulls_last_page
from hospital_osh.services.text_checks import has_control_characters, text_problem

HIDDEN = "•••"
ENTITY = "exposure"
_PG_REFERENCE_LOCK = 73_657_002  # serialises reference numbers on PostgreSQL

# Fields a form edits, in form order; they are also the model's column names.
EDITABLE = (
    "worker_id",
    "worker_kind",
    "worker_name",
    "job_category",
    "employment_type",
    "home_department_id",
    "sex",
    "age",
    "years_in_post",
    "occurred_at",
    "reported_at",
    "department_id",
    "location_type",
    "exposure_type",
    "device_type",
    "device_brand",
    "device_safety_engineered",
    "safety_activated",
    "purpose",
    "circumstance",
    "depth",
    "gloves",
    "device_contaminated",
    "body_site",
    "fluid_type",
    "fluid_visibly_bloody",
    "contact_duration",
    "contact_volume",
    "barrier_garments",
    "source_identified",
    "source_reference",
    "source_hbsag",
    "source_hbsag_date",
    "source_hbeag",
    "source_hbeag_date",
    "source_anti_hcv",
    "source_anti_hcv_date",
    "source_hcv_rna",
    "source_hcv_rna_date",
    "source_hiv",
    "source_hiv_date",
    "source_hiv_viral_load",
    "source_hiv_viral_load_date",
    "description",
    "china_grade",
    "china_source_grade",
    "status",
    "outcome",
)
IDENTITY_FIELDS = ("worker_name", "description")
SEROSTATUS_FIELDS = (
    "source_reference",
    "source_hbsag",
    "source_hbsag_date",
    "source_hbeag",
    "source_hbeag_date",
    "source_anti_hcv",
    "source_anti_hcv_date",
    "source_hcv_rna",
    "source_hcv_rna_date",
    "source_hiv",
    "source_hiv_date",
    "source_hiv_viral_load",
    "source_hiv_viral_load_date",
)
_TEXT_FIELDS = ("worker_name", "device_brand", "source_reference", "description")


@dataclass(frozen=True)
class ExposureInfo:
    """One exposure as the form edits it and the case sheet prints it.

    ``barrier_garments`` is a tuple of codes. Read-only fields follow the editable ones.
    """

    worker_id: int | None = None
    worker_kind: str = "staff"
    worker_name: str = ""
    job_category: str | None = None
    employment_type: str | None = None
    home_department_id: int | None = None
    sex: str | None = None
    age: int | None = None
    years_in_post: float | None = None
    occurred_at: dt.datetime | None = None
    reported_at: dt.datetime | None = None
    department_id: int | None = None
    location_type: str | None = None
    exposure_type: str | None = None
    device_type: str | None = None
    device_brand: str = ""
    device_safety_engineered: str | None = None
    safety_activated: str | None = None
    purpose: str | None = None
    circumstance: str | None = None
    depth: str | None = None
    gloves: str | None = None
    device_contaminated: str | None = None
    body_site: str | None = None
    fluid_type: str | None = None
    fluid_visibly_bloody: str | None = None
    contact_duration: str | None = None
    contact_volume: str | None = None
    barrier_garments: tuple[str, ...] = ()
    source_identified: str | None = None
    source_reference: str = ""
    source_hbsag: str | None = None
    source_hbsag_date: dt.date | None = None
    source_hbeag: str | None = None
    source_hbeag_date: dt.date | None = None
    source_anti_hcv: str | None = None
    source_anti_hcv_date: dt.date | None = None
    source_hcv_rna: str | None = None
    source_hcv_rna_date: dt.date | None = None
    source_hiv: str | None = None
    source_hiv_date: dt.date | None = None
    source_hiv_viral_load: int | None = None
    source_hiv_viral_load_date: dt.date | None = None
    description: str = ""
    china_grade: str | None = None
    china_source_grade: str | None = None
    status: str = "reported"
    outcome: str = "pending"
    # -- read-only --
    id: int | None = None
    version: int | None = None
    uuid: str = ""
    reference: str = ""
    reported_by: str = ""
    hours_to_report: float | None = None
    completed_at: dt.datetime | None = None
    missing: tuple[str, ...] = ()
    staff_no: str = ""
    department_code: str = ""
    department_zh: str = ""
    department_en: str = ""
    home_department_zh: str = ""
    home_department_en: str = ""
    identities_hidden: bool = False
    serostatus_hidden: bool = False
    # (list name, code) -> (label_zh, label_en) of the hospital's own entries used here.
    local_labels: Mapping[tuple[str, str], tuple[str, str]] = field(default_factory=dict)

    def values(self) -> dict[str, Any]:
        """Editable fields as the rules and the model see them (garments space-separated)."""
        result = {name: getattr(self, name) for name in EDITABLE}
        result["barrier_garments"] = " ".join(self.barrier_garments)
        return result

    @property
    def complete(self) -> bool:
        return not self.missing


@dataclass(frozen=True)
class SaveResult:
    exposure: ExposureInfo
    warnings: dict[str, str]


@dataclass(frozen=True)
class QuickReport:
    """What a reporter fills in: who (a staff member or a typed-in name), when, where, what."""

    occurred_at: dt.datetime | None = None
    exposure_type: str | None = None
    department_id: int | None = None
    description: str = ""
    source_identified: str | None = None
    worker_id: int | None = None
    staff_no: str = ""
    worker_name: str = ""
    worker_kind: str = "staff"
    job_category: str | None = None
    location_type: str | None = None
    reported_at: dt.datetime | None = None
    device_type: str | None = None  # for a sharps injury, when the reporter knows it


@dataclass(frozen=True)
class Guidance:
    text: str
    urgent: bool


@dataclass(frozen=True)
class QuickReportReceipt:
    """The case number and what to do next, in the user's language."""

    id: int
    uuid: str
    reference: str
    hours_since: float
    steps: tuple[Guidance, ...]
    warnings: dict[str, str]


@dataclass(frozen=True)
class MissingField:
    field: str
    label: str


@dataclass(frozen=True)
class ExposureRow:
    """One line of the exposures page."""

    id: int
    reference: str
    occurred_at: dt.datetime
    reported_at: dt.datetime
    hours_to_report: float
    exposure_type: str
    worker_name: str
    worker_kind: str
    job_category: str | None
    department_id: int | None
    department_code: str
    department_zh: str
    department_en: str
    location_type: str | None
    device_type: str | None
    source_identified: str | None
    status: str
    outcome: str
    incomplete: bool
    missing_count: int


@dataclass(frozen=True)
class ExposureFilter:
    start: dt.date | None = None  # inclusive, on the date of exposure
    end: dt.date | None = None  # inclusive
    exposure_type: str | None = None
    department_id: int | None = None
    job_category: str | None = None
    device_type: str | None = None
    status: str | None = None
    # identified, unidentified; with VIEW_SEROSTATUS also positive, hbv_positive, hcv_positive,
    # hiv_positive
    source_status: str | None = None
    incomplete: bool | None = None
    search: str = ""


SOURCE_STATUSES = (
    "identified",
    "unidentified",
    "positive",
    "hbv_positive",
    "hcv_positive",
    "hiv_positive",
)
_SEROSTATUS_FILTERS = frozenset(SOURCE_STATUSES[2:])


@dataclass(frozen=True)
class WorkerChoice:
    """A staff member offered when choosing who was exposed."""

    id: int
    staff_no: str
    name: str
    job_category: str | None
    department_zh: str
    department_en: str


def field_label(name: str) -> str:
    """A field's name in the user's language (for completeness lists and messages)."""
    return _(rules.FIELD_LABELS.get(name, name))


def missing_fields(info: ExposureInfo) -> list[MissingField]:
    """Required fields still empty, with translated names."""
    return [MissingField(name, field_label(name)) for name in rules.missing_fields(info.values())]


# -- permissions and masking ----------------------------------------------------------------------


def _require_reader(actor: Actor) -> None:
    if not (actor.can(Permission.VIEW_EXPOSURES) or actor.can(Permission.REPORT_EXPOSURE)):
        raise PermissionDenied(_("Your role ({role}) does not allow this.").format(role=actor.role))


def _sees_name(actor: Actor, reported_by: str) -> bool:
    return actor.sees_identities or (
        actor.can(Permission.REPORT_EXPOSURE) and reported_by == actor.username
    )


def _masked(info: ExposureInfo, actor: Actor) -> ExposureInfo:
    changes: dict[str, Any] = {}
    if not _sees_name(actor, info.reported_by):
        changes |= {name: HIDDEN for name in IDENTITY_FIELDS}
        changes |= {"staff_no": HIDDEN, "identities_hidden": True}
    if not actor.can(Permission.VIEW_SEROSTATUS):
        for name in SEROSTATUS_FIELDS:
            textual = not name.endswith("_date") and name != "source_hiv_viral_load"
            changes[name] = HIDDEN if textual else None
        changes["serostatus_hidden"] = True
    return replace(info, **changes) if changes else info


# -- reading --------------------------------------------------------------------------------------

_Dept = aliased(Department)
_HomeDept = aliased(Department)


def _info_of(row: Exposure, session: Session) -> ExposureInfo:
    values = {name: getattr(row, name) for name in EDITABLE}
    values["barrier_garments"] = tuple(row.barrier_garments.split())
    labels = local_codes.local_labels(session)
    used = {
        (codes.name, str(values[name]))
        for name, codes in FIELD_CODE_LISTS.items()
        if values.get(name) and name != "barrier_garments"
    }
    used |= {("barrier_garment", code) for code in values["barrier_garments"]}
    used.add(("device_brand", row.device_brand))
    department = row.department
    home = row.home_department
    return ExposureInfo(
        **values,
        id=row.id,
        version=row.version,
        uuid=row.uuid,
        reference=row.reference,
        reported_by=row.reported_by,
        hours_to_report=row.hours_to_report,
        completed_at=row.completed_at,
        missing=tuple(row.missing.split()),
        staff_no=row.worker.staff_no if row.worker else "",
        department_code=department.code if department else "",
        department_zh=department.name_zh if department else "",
        department_en=department.name_en if department else "",
        home_department_zh=home.name_zh if home else "",
        home_department_en=home.name_en if home else "",
        local_labels={key: labels[key] for key in used if key in labels},
    )


def _load(session: Session, actor: Actor, exposure_id: int) -> Exposure:
    row = session.get(Exposure, exposure_id)
    if row is None or (
        not actor.can(Permission.VIEW_EXPOSURES) and row.reported_by != actor.username
    ):
        raise NotFound(_("The exposure record no longer exists."))
    return row


def get_exposure(session: Session, actor: Actor, exposure_id: int) -> ExposureInfo:
    """The full record, masked as the actor's role requires."""
    _require_reader(actor)
    return _masked(_info_of(_load(session, actor, exposure_id), session), actor)


def _scoped(query: Select, actor: Actor) -> Select:  # type: ignore[type-arg]
    if actor.can(Permission.VIEW_EXPOSURES):
        return query
    return query.where(Exposure.reported_by == actor.username)


def _positive(*columns: Any) -> Any:
    return or_(*(column == "positive" for column in columns))


def _filtered(query: Select, filters: ExposureFilter, actor: Actor) -> Select:  # type: ignore[type-arg]
    query = _scoped(query, actor)
    if filters.start is not None:
        query = query.where(Exposure.occurred_at >= dt.datetime.combine(filters.start, dt.time()))
    if filters.end is not None:
        end = dt.datetime.combine(filters.end + dt.timedelta(days=1), dt.time())
        query = query.where(Exposure.occurred_at < end)
    for name in ("exposure_type", "department_id", "job_category", "device_type", "status"):
        value = getattr(filters, name)
        if value is not None and value != "":
            query = query.where(getattr(Exposure, name) == value)
    if filters.incomplete is not None:
        query = query.where(Exposure.incomplete.is_(filters.incomplete))
    status = filters.source_status
    if status:
        if status in _SEROSTATUS_FILTERS:
            actor.require(Permission.VIEW_SEROSTATUS)
        condition = {
            "identified": Exposure.source_identified == "yes",
            "unidentified": or_(
                Exposure.source_identified.is_(None), Exposure.source_identified != "yes"
            ),
            "positive": _positive(
                Exposure.source_hbsag,
                Exposure.source_anti_hcv,
                Exposure.source_hcv_rna,
                Exposure.source_hiv,
            ),
            "hbv_positive": _positive(Exposure.source_hbsag),
            "hcv_positive": _positive(Exposure.source_anti_hcv, Exposure.source_hcv_rna),
            "hiv_positive": _positive(Exposure.source_hiv),
        }.get(status)
        if condition is None:
            raise ValidationError({"source_status": _("Unknown filter value.")})
        query = query.where(condition)
    search = filters.search.strip()
    if search:
        pattern = f"%{search}%"
        if actor.sees_identities:
            query = query.where(
                or_(Exposure.reference.ilike(pattern), Exposure.worker_name.ilike(pattern))
            )
        else:  # searching by name must not reveal a name the role may not see
            query = query.where(Exposure.reference.ilike(pattern))
    return query


SORT_COLUMNS: dict[str, Any] = {
    "reference": (Exposure.ref_year, Exposure.ref_seq),
    "occurred_at": (Exposure.occurred_at,),
    "reported_at": (Exposure.reported_at,),
    "hours_to_report": (Exposure.hours_to_report,),
    "exposure_type": (Exposure.exposure_type,),
    "department": (_Dept.code,),
    "location_type": (Exposure.location_type,),
    "job_category": (Exposure.job_category,),
    "device_type": (Exposure.device_type,),
    "status": (Exposure.status,),
    "source_identified": (Exposure.source_identified,),
    "incomplete": (Exposure.incomplete,),
    "worker": (Exposure.worker_name,),
}


_LIST_SELECT = select(
    Exposure.id,
    Exposure.reference,
    Exposure.occurred_at,
    Exposure.reported_at,
    Exposure.hours_to_report,
    Exposure.exposure_type,
    Exposure.worker_name,
    Exposure.worker_kind,
    Exposure.job_category,
    Exposure.department_id,
    _Dept.code,
    _Dept.name_zh,
    _Dept.name_en,
    Exposure.location_type,
    Exposure.device_type,
    Exposure.source_identified,
    Exposure.status,
    Exposure.outcome,
    Exposure.incomplete,
    Exposure.missing,
    Exposure.reported_by,
).outerjoin(_Dept, Exposure.department_id == _Dept.id)
"""The exposures page's columns, built once (a statement is immutable; building its 21 columns
was a tenth of a page's time)."""


def list_exposures(
    session: Session,
    actor: Actor,
    filters: ExposureFilter = ExposureFilter(),
    sort: str = "occurred_at",
    descending: bool = True,
    offset: int = 0,
    limit: int = 100,
) -> list[ExposureRow]:
    """One page of the exposures page, filtered and sorted in SQL."""
    _require_reader(actor)
    if sort == "worker" and not actor.sees_identities:
        sort = "occurred_at"  # the order of hidden names would hint at them
    columns = SORT_COLUMNS.get(sort, SORT_COLUMNS["occurred_at"])
    order = [c.desc() if descending else c.asc() for c in columns]
    order.append(Exposure.id.desc() if descending else Exposure.id.asc())
    query = _filtered(_LIST_SELECT, filters, actor).order_by(*order)
    if sort == "department":
        # Records with a department in its code order, then those without one: each part an
        # index walk (department code, then ix_exposure_department_id) that stops after a
        # page. One ORDER BY over the outer join sorted all 100,000 records (PostgreSQL:
        # 116 ms at the L size); it also put the records without a department first on
        # SQLite and last on PostgreSQL.
        tie = Exposure.id.desc() if descending else Exposure.id.asc()
        ids = nulls_last_page(
            session,
            _filtered(
                select(Exposure.id).join(_Dept, Exposure.department_id == _Dept.id),
                filters,
                actor,
            ).order_by(*order),
            _filtered(
                select(Exposure.id).where(Exposure.department_id.is_(None)), filters, actor
            ).order_by(tie),
            offset,
            limit,
        )
        query = query.where(Exposure.id.in_([i for (i,) in ids]))
        query = query.order_by(None).order_by(_Dept.code.is_(None), *order)
    elif offset:
        # A deep page: find its ids first, walking an index rather than whole rows, then read
        # only those rows. OFFSET over whole rows made scrolling to the end of 100,000 records
        # quadratic (bench/run.py: 17 s on SQLite).
        page_ids = (
            _filtered(select(Exposure.id), filters, actor)
            .order_by(*order)
            .offset(offset)
            .limit(limit)
        )
        query = query.where(Exposure.id.in_(page_ids))
    else:
        query = query.limit(limit)
    rows = session.connection().execute(query).all()  # columns only: no ORM loading
    # Positional unpacking, the role decided once and DTOs built by ``build_rows`` (a frozen
    # dataclass's own __init__ was 1.2 ms of a 2 ms page): bench/run.py, issue 10.
    sees_all = actor.sees_identities
    own = actor.username if actor.can(Permission.REPORT_EXPOSURE) else None
    return build_rows(
        ExposureRow,
        (
            (
                row_id,
                reference,
                occurred_at,
                reported_at,
                hours,
                exposure_type,
                name if sees_all or reported_by == own else HIDDEN,
                kind,
                job,
                department_id,
                code or "",
                name_zh or "",
                name_en or "",
                location,
                device,
                source,
                status,
                outcome,
                incomplete,
                len(missing.split()),
            )
            for (
                row_id,
                reference,
                occurred_at,
                reported_at,
                hours,
                exposure_type,
                name,
                kind,
                job,
                department_id,
                code,
                name_zh,
                name_en,
                location,
                device,
                source,
                status,
                outcome,
                incomplete,
                missing,
                reported_by,
            ) in rows
        ),
    )


def count_exposures(
    session: Session, actor: Actor, filters: ExposureFilter = ExposureFilter()
) -> int:
    _require_reader(actor)
    query = _filtered(select(func.count(Exposure.id)), filters, actor)
    return session.scalar(query) or 0


MIN_WORKER_SEARCH = 2
WORKER_SEARCH_LIMIT = 8


def find_workers(
    session: Session, actor: Actor, text: str, limit: int = WORKER_SEARCH_LIMIT
) -> list[WorkerChoice]:
    """Active staff whose name or staff number contains ``text``, to say who was exposed.

    Roles that see identities search by name or number (at most ``limit`` matches, after
    ``MIN_WORKER_SEARCH`` characters). A reporter, who never receives a colleague's identity,
    finds only the staff member whose number it typed in full, with the name and number
    masked: the department and job confirm it is the right person."""
    if not (actor.can(Permission.REPORT_EXPOSURE) or actor.can(Permission.MANAGE_EXPOSURES)):
        raise PermissionDenied(_("Your role ({role}) does not allow this.").format(role=actor.role))
    text = text.strip()
    if len(text) < MIN_WORKER_SEARCH or has_control_characters(text):
        return []
    if not actor.sees_identities:
        row = session.execute(
            select(Worker.id, Worker.job_category, Department.name_zh, Department.name_en)
            .outerjoin(Department, Worker.department_id == Department.id)
            .where(Worker.active.is_(True), Worker.staff_no == text)
        ).first()
        if row is None:
            return []
        return [WorkerChoice(row[0], HIDDEN, HIDDEN, row[1], row[2] or "", row[3] or "")]
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    pattern = f"%{escaped}%"
    rows = session.execute(
        select(
            Worker.id,
            Worker.staff_no,
            Worker.name,
            Worker.job_category,
            Department.name_zh,
            Department.name_en,
        )
        .outerjoin(Department, Worker.department_id == Department.id)
        .where(
            Worker.active.is_(True),
            or_(
                Worker.name.ilike(pattern, escape="\\"),
                Worker.staff_no.ilike(pattern, escape="\\"),
            ),
        )
        # An exact staff number first, then by name.
        .order_by((Worker.staff_no != text), Worker.name, Worker.id)
        .limit(max(1, min(limit, WORKER_SEARCH_LIMIT)))
    ).all()
    return [WorkerChoice(r[0], r[1], r[2], r[3], r[4] or "", r[5] or "") for r in rows]


def check_exposure(
    session: Session,
    actor: Actor,
    info: ExposureInfo,
    now: dt.datetime | None = None,
    *,
    completing: bool = False,
) -> tuple[dict[str, str], dict[str, str]]:
    """(errors, warnings) by field for a form being typed, without saving anything: the form
    shows them at the field while the user works, as a save would."""
    _require_reader(actor)
    values = _cleaned(info).values()
    issues = rules.validate(
        values, _now(now), allowed=local_codes.accepted_codes(session), completing=completing
    )
    errors = _check_links(session, values) | _messages(issues, rules.Severity.ERROR)
    return errors, _messages(issues, rules.Severity.WARNING)


def guidance(exposure_type: str, hours_since: float, reference: str = "") -> tuple[Guidance, ...]:
    """What to do next, in the user's language (before saving ``reference`` is empty)."""
    return tuple(
        Guidance(_(step.message).format(**step.params), step.urgent)
        for step in rules.next_steps(exposure_type, hours_since, reference)
    )


# -- writing --------------------------------------------------------------------------------------


def _now(now: dt.datetime | None) -> dt.datetime:
    """The hospital's local clock, as exposure times are entered."""
    return now or dt.datetime.now().replace(microsecond=0)


def next_reference(session: Session, year: int) -> tuple[int, str]:
    """The next number of ``year`` (in the caller's write transaction, which serialises it)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_REFERENCE_LOCK})
    last = session.scalar(select(func.max(Exposure.ref_seq)).where(Exposure.ref_year == year))
    seq = (last or 0) + 1
    return seq, format_reference(year, seq)


def format_reference(year: int, seq: int) -> str:
    return f"EXP-{year}-{seq:04d}"


def age_at(birth: dt.date | None, day: dt.date) -> int | None:
    if birth is None:
        return None
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def years_between(start: dt.date | None, day: dt.date) -> float | None:
    if start is None or start > day:
        return None
    return round((day - start).days / 365.25, 1)


def _staff_snapshot(worker: Worker, occurred: dt.datetime | None) -> dict[str, Any]:
    """The worker's attributes as they were on the day of the exposure."""
    day = (occurred or dt.datetime.now()).date()
    return {
        "worker_name": worker.name,
        "job_category": worker.job_category,
        "employment_type": worker.employment_type,
        "home_department_id": worker.department_id,
        "sex": worker.sex,
        "age": age_at(worker.birth_date, day),
        "years_in_post": years_between(worker.hire_date, day),
    }


def _cleaned(info: ExposureInfo) -> ExposureInfo:
    changes: dict[str, Any] = {name: getattr(info, name).strip() for name in _TEXT_FIELDS}
    for name in EDITABLE:  # empty code strings from forms mean "not answered"
        value = getattr(info, name)
        if isinstance(value, str) and name not in _TEXT_FIELDS and not value.strip():
            changes[name] = None
    changes["barrier_garments"] = tuple(dict.fromkeys(c for c in info.barrier_garments if c))
    if info.worker_id is not None:
        changes["worker_kind"] = "staff"
    return replace(info, **changes)


def _messages(issues: list[rules.Issue], severity: rules.Severity) -> dict[str, str]:
    result: dict[str, str] = {}
    for issue in issues:
        if issue.severity != severity:
            continue
        message = _(issue.message).format(**issue.params)
        earlier = result.get(issue.field)
        result[issue.field] = f"{earlier} {message}" if earlier else message
    return result


def _check_links(session: Session, values: Mapping[str, Any]) -> dict[str, str]:
    errors: dict[str, str] = {}
    for name in ("department_id", "home_department_id"):
        if values.get(name) is not None and session.get(Department, values[name]) is None:
            errors[name] = _("Choose a department from the list.")
    if values.get("worker_id") is not None and session.get(Worker, values["worker_id"]) is None:
        errors["worker"] = _("The worker no longer exists.")
    typed_in = values.get("worker_kind") != "staff" and values.get("worker_id") is None
    if typed_in and not (values.get("worker_name") or "").strip():
        errors["worker_name"] = _("Enter the worker's name.")
    if len(values.get("worker_name") or "") > 120:
        errors["worker_name"] = _("The name has at most 120 characters.")
    if len(values.get("device_brand") or "") > 120:
        errors["device_brand"] = _("At most 120 characters.")
    if len(values.get("source_reference") or "") > 80:
        errors["source_reference"] = _("At most 80 characters.")
    for name in _TEXT_FIELDS:
        problem = text_problem(values.get(name) or "", multiline=name == "description")
        if problem:
            errors.setdefault(name, problem)
    return errors


def _validate(
    session: Session, info: ExposureInfo, now: dt.datetime, *, completing: bool
) -> dict[str, str]:
    """Raise ValidationError for errors; return the warnings."""
    values = info.values()
    issues = rules.validate(
        values, now, allowed=local_codes.accepted_codes(session), completing=completing
    )
    errors = _check_links(session, values) | _messages(issues, rules.Severity.ERROR)
    for name in ("occurred_at", "reported_at", "exposure_type", "status", "outcome", "worker_kind"):
        if values.get(name) is None:
            errors.setdefault(name, _("Required."))
    if errors:
        raise ValidationError(errors)
    return _messages(issues, rules.Severity.WARNING)


def _apply(row: Exposure, info: ExposureInfo) -> None:
    for name, value in info.values().items():
        setattr(row, name, value)
    values = info.values()
    missing = rules.missing_fields(values)
    row.missing = " ".join(missing)
    row.incomplete = bool(missing)
    assert info.occurred_at is not None and info.reported_at is not None
    row.hours_to_report = rules.hours_between(info.occurred_at, info.reported_at)
    row.updated_at = utcnow()


def _with_snapshot(session: Session, info: ExposureInfo, previous: int | None) -> ExposureInfo:
    """Copy the staff member's attributes when the worker is chosen (or changed)."""
    if info.worker_id is None or info.worker_id == previous:
        return info
    worker = session.get(Worker, info.worker_id)
    if worker is None:
        return info
    snapshot = _staff_snapshot(worker, info.occurred_at)
    if previous is None and info.id is None:  # a new record keeps what the form already says
        snapshot = {k: v for k, v in snapshot.items() if getattr(info, k) in (None, "")}
    return replace(info, **snapshot)


def _insert(session: Session, actor: Actor, info: ExposureInfo) -> Exposure:
    assert info.occurred_at is not None
    seq, reference = next_reference(session, info.occurred_at.year)
    row = Exposure(
        reference=reference,
        ref_year=info.occurred_at.year,
        ref_seq=seq,
        reported_by=actor.username,
    )
    _apply(row, info)
    session.add(row)
    session.flush()
    created = info.values() | {"reference": reference, "uuid": row.uuid}
    audit.record(session, actor, "create", ENTITY, row.id, audit.created(created))
    return row


def quick_report(
    session: Session, actor: Actor, report: QuickReport, now: dt.datetime | None = None
) -> QuickReportReceipt:
    """File the first report; answer with the case number and what to do next."""
    actor.require(Permission.REPORT_EXPOSURE)
    now = _now(now)
    worker_id = report.worker_id
    errors: dict[str, str] = {}
    if worker_id is None and report.staff_no.strip():
        staff_no = report.staff_no.strip()
        if not has_control_characters(staff_no):  # PostgreSQL cannot compare NUL
            worker_id = session.scalar(select(Worker.id).where(Worker.staff_no == staff_no))
        if worker_id is None:
            errors["worker"] = _("No staff member has the staff number {staff_no}.").format(
                staff_no=report.staff_no.strip()
            )
    if worker_id is None and not report.worker_name.strip() and not errors:
        errors["worker"] = _("Choose the worker or type the name.")
    for name in ("occurred_at", "department_id", "exposure_type", "source_identified"):
        if getattr(report, name) in (None, ""):
            errors[name] = _("Required.")
    if not report.description.strip():
        errors["description"] = _("Say briefly what happened.")
    if errors:
        raise ValidationError(errors)
    info = _cleaned(
        ExposureInfo(
            worker_id=worker_id,
            worker_kind="staff" if worker_id is not None else report.worker_kind,
            worker_name="" if worker_id is not None else report.worker_name,
            job_category=report.job_category,
            occurred_at=report.occurred_at,
            reported_at=report.reported_at or now,
            department_id=report.department_id,
            location_type=report.location_type,
            exposure_type=report.exposure_type,
            device_type=report.device_type if report.exposure_type in rules.SHARPS_TYPES else None,
            description=report.description,
            source_identified=report.source_identified,
        )
    )
    info = _with_snapshot(session, info, None)
    warnings = _validate(session, info, now, completing=False)
    row = _insert(session, actor, info)
    assert info.occurred_at is not None
    hours = rules.hours_between(info.occurred_at, now)
    steps = guidance(info.exposure_type or "", hours, row.reference)
    return QuickReportReceipt(row.id, row.uuid, row.reference, hours, steps, warnings)


def record_exposure(
    session: Session, actor: Actor, info: ExposureInfo, now: dt.datetime | None = None
) -> SaveResult:
    """The OSH office enters a record directly (complete or not)."""
    actor.require(Permission.MANAGE_EXPOSURES)
    now = _now(now)
    info = _cleaned(replace(info, id=None, version=None))
    if info.reported_at is None:
        info = replace(info, reported_at=now)
    held = _linked_rows(session, info)
    info = _with_snapshot(session, info, None)
    held += _linked_rows(session, info)
    warnings = _validate(session, info, now, completing=False)
    row = _insert(session, actor, info)
    return SaveResult(_info_of(row, session), warnings)


def _linked_rows(session: Session, info: ExposureInfo) -> list[object]:
    """The worker and departments a record names, loaded once and held by the caller: the
    session's identity map keeps objects only while referenced, and the snapshot, the checks
    and the answer each look them up (without this, each lookup is another query)."""
    wanted = (
        (Worker, info.worker_id),
        (Department, info.department_id),
        (Department, info.home_department_id),
    )
    return [session.get(model, key) for model, key in wanted if key is not None]


def _update(
    session: Session,
    actor: Actor,
    info: ExposureInfo,
    now: dt.datetime | None,
    *,
    completing: bool,
) -> SaveResult:
    actor.require(Permission.MANAGE_EXPOSURES)
    now = _now(now)
    if info.id is None:
        raise NotFound(_("The exposure record no longer exists."))
    row = _load(session, actor, info.id)
    info = _with_snapshot(session, _cleaned(info), row.worker_id)
    if completing and info.status == "reported":
        info = replace(info, status="under_assessment")
    warnings = _validate(session, info, now, completing=completing)
    if info.version is not None and info.version != row.version:
        raise Conflict(
            _(
                "Someone else changed this record since you opened it. "
                "Close it, open it again and repeat your change."
            )
        )
    before = _info_of(row, session).values()
    _apply(row, info)
    if completing and row.completed_at is None:
        row.completed_at = utcnow()
    session.flush()
    changes = audit.diff(before, info.values())
    audit.record(session, actor, "complete" if completing else "update", ENTITY, row.id, changes)
    return SaveResult(_info_of(row, session), warnings)


def update_exposure(
    session: Session, actor: Actor, info: ExposureInfo, now: dt.datetime | None = None
) -> SaveResult:
    """Save an edit; missing fields are allowed (the record stays marked incomplete)."""
    return _update(session, actor, info, now, completing=False)


def complete_exposure(
    session: Session, actor: Actor, info: ExposureInfo, now: dt.datetime | None = None
) -> SaveResult:
    """Save and require every field a complete record needs; a new report moves on to
    assessment."""
    return _update(session, actor, info, now, completing=True)
