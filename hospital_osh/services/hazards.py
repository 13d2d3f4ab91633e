"""The hazard register: create, edit, re-assess, accept, retire; the paged list and the matrix.

Levels are never stored on a hazard: they come from the hospital's risk matrix (setting
``risk_matrix``), computed in SQL from the current likelihood and severity, so switching matrices
re-grades the whole register at once. Every assessment (the first and each re-assessment) is kept
in the history with its scores, date, assessors and the levels it had under the matrix of the day.
Reading needs VIEW_HAZARDS, writing MANAGE_HAZARDS; every write is one transaction with one audit
event. Further controls are action items of ``services.actions`` (``source_kind='hazard'``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cache
from typing import Any

from sqlalchemy import (
    Boolean,
    Select,
    and_,
    case,
    exists,
    false,
    func,
    or_,
    select,
    text,
    type_coerce,
)
from sqlalchemy.orm import Session, selectinload

from hospital_osh import paths
from hospital_osh.domain import hazards as rules
from hospital_osh.domain.codes import JOB_CATEGORIES
from hospital_osh.domain.messages import Issue, Severity
from hospital_osh.domain.risk_matrix import (
    DEFAULT_MATRIX,
    MATRIX_FILES,
    RiskLevel,
    RiskMatrix,
    in_scale,
    load_matrix,
)
from hospital_osh.domain.roles import Permission
from hospital_osh.i18n import _, current_language
from hospital_osh.models import Department, Hazard, HazardAssessment, HazardControl, Hospital
from hospital_osh.models.base import utcnow
from hospital_osh.services import actions, audit, settings
from hospital_osh.services.context import Actor
from hospital_osh.services.errors import Conflict, NotFound, ValidationError
from hospital_osh.services.page_rows import build_rows

ENTITY = "hazard"
_PG_REFERENCE_LOCK = 73_657_005  # serialises hazard reference numbers on PostgreSQL
STRONG_LEVELS = tuple(
    code for code in rules.HIERARCHY_LEVELS.codes if code not in rules.WEAK_HIERARCHY_LEVELS
)

# Fields a form edits, in form order; all but ``controls`` are the model's column names.
EDITABLE = (
    "department_id",
    "location",
    "activity",
    "agent",
    "category",
    "statutory_factor_code",
    "description",
    "potential_harm",
    "identification_method",
    "legal_reference",
    "job_categories",
    "exposed_female",
    "exposed_male",
    "vulnerable_groups",
    "reproductive_hazard",
    "monitoring_value",
    "monitoring_unit",
    "monitoring_limit",
    "monitoring_date",
    "owner",
    "assessors",
    "approver",
    "assessed_on",
    "initial_likelihood",
    "initial_severity",
    "residual_likelihood",
    "residual_severity",
    "residual_reason",
    "next_review_on",
    "controls",
)
ASSESSMENT_FIELDS = (
    "assessed_on",
    "initial_likelihood",
    "initial_severity",
    "residual_likelihood",
    "residual_severity",
)
"""A change to any of these is a re-assessment: it adds a row to the history."""
_TEXT_FIELDS = (
    "location",
    "activity",
    "agent",
    "description",
    "potential_harm",
    "legal_reference",
    "monitoring_unit",
    "owner",
    "assessors",
    "approver",
    "residual_reason",
)
_MULTI_CODE_FIELDS = ("job_categories", "vulnerable_groups")


# -- the matrix and the catalogue ---------------------------------------------------------------


@cache
def shipped_matrix(matrix_id: str) -> RiskMatrix:
    """A matrix shipped in resources/risk_matrices (validated once per process)."""
    name = MATRIX_FILES[matrix_id]
    return load_matrix(paths.resource("risk_matrices", name).read_text(encoding="utf-8"), name)


def shipped_matrices() -> list[RiskMatrix]:
    return [shipped_matrix(matrix_id) for matrix_id in MATRIX_FILES]


def current_matrix(session: Session) -> RiskMatrix:
    """The hospital's matrix; the default one if the setting names a matrix no longer shipped."""
    matrix_id = settings.get_setting(session, "risk_matrix")
    return shipped_matrix(matrix_id if matrix_id in MATRIX_FILES else DEFAULT_MATRIX)


def set_risk_matrix(session: Session, actor: Actor, matrix_id: str) -> RiskMatrix:
    """Switch the register to another shipped matrix (a hospital setting: MANAGE_HOSPITAL)."""
    settings.set_setting(session, actor, "risk_matrix", matrix_id)
    session.info.pop(_MATRIX_KEY, None)
    return shipped_matrix(matrix_id)


@cache
def statutory_catalogue() -> rules.StatutoryCatalogue:
    path = paths.resource("hazards", "statutory_factors.json")
    return rules.load_statutory_catalogue(path.read_text(encoding="utf-8"), path.name)


# -- DTOs ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ControlInfo:
    """An existing control and its level in the hierarchy of controls."""

    description: str = ""
    hierarchy_level: str = "administrative"


@dataclass(frozen=True)
class AssessmentRecord:
    """One row of a hazard's assessment history."""

    id: int
    kind: str
    assessed_on: dt.date
    assessors: str
    matrix_id: str
    initial_likelihood: int
    initial_severity: int
    initial_level: str
    residual_likelihood: int | None
    residual_severity: int | None
    residual_level: str | None
    note: str
    recorded_by: str
    recorded_at: dt.datetime


@dataclass(frozen=True)
class HazardInfo:
    """One hazard as the dialog edits it and the register prints it.

    ``next_review_on`` None on save means "from the level's interval and any trigger".
    ``assessment_note`` goes into the history row a (re-)assessment adds. Read-only fields
    follow; the level fields are codes of the matrix in force when the DTO was made.
    """

    department_id: int | None = None
    location: str = ""
    activity: str = ""
    agent: str = ""
    category: str | None = None
    statutory_factor_code: str | None = None
    description: str = ""
    potential_harm: str = ""
    identification_method: str | None = None
    legal_reference: str = ""
    job_categories: tuple[str, ...] = ()
    exposed_female: int | None = None
    exposed_male: int | None = None
    vulnerable_groups: tuple[str, ...] = ()
    reproductive_hazard: bool = False
    monitoring_value: float | None = None
    monitoring_unit: str = ""
    monitoring_limit: float | None = None
    monitoring_date: dt.date | None = None
    owner: str = ""
    assessors: str = ""
    approver: str = ""
    assessed_on: dt.date | None = None
    initial_likelihood: int | None = None
    initial_severity: int | None = None
    residual_likelihood: int | None = None
    residual_severity: int | None = None
    residual_reason: str = ""
    next_review_on: dt.date | None = None
    controls: tuple[ControlInfo, ...] = ()
    assessment_note: str = ""
    # -- read-only --
    id: int | None = None
    version: int | None = None
    uuid: str = ""
    reference: str = ""
    status: str = "active"
    department_code: str = ""
    department_zh: str = ""
    department_en: str = ""
    review_trigger: str | None = None
    review_trigger_on: dt.date | None = None
    review_trigger_note: str = ""
    accepted_by: str = ""
    accepted_role: str | None = None
    accepted_on: dt.date | None = None
    acceptance_note: str = ""
    retired_reason: str = ""
    computed_review_on: dt.date | None = None
    initial_level: str | None = None
    residual_level: str | None = None
    current_level: str | None = None
    weak_controls_warning: bool = False
    review_state: str | None = None
    acceptance_missing: bool = False
    history: tuple[AssessmentRecord, ...] = field(default=(), compare=False)

    def values(self) -> dict[str, Any]:
        """Editable fields as the rules and the audit trail see them."""
        result = {name: getattr(self, name) for name in EDITABLE}
        result["controls"] = tuple((c.description, c.hierarchy_level) for c in self.controls)
        return result

    def assessment(self) -> tuple[Any, ...]:
        return tuple(getattr(self, name) for name in ASSESSMENT_FIELDS)

    @property
    def residual_scored(self) -> bool:
        return self.residual_likelihood is not None and self.residual_severity is not None


@dataclass(frozen=True)
class SaveResult:
    hazard: HazardInfo
    warnings: dict[str, str]


@dataclass(frozen=True)
class Acceptance:
    """Who accepts a residual risk, in which role, when."""

    person: str = ""
    role: str | None = None
    accepted_on: dt.date | None = None
    note: str = ""


@dataclass(frozen=True)
class HazardRow:
    """One line of the register page."""

    id: int
    reference: str
    status: str
    department_id: int
    department_code: str
    department_zh: str
    department_en: str
    location: str
    activity: str
    agent: str
    category: str
    owner: str
    assessed_on: dt.date
    next_review_on: dt.date
    likelihood: int
    severity: int
    residual_scored: bool
    level: str
    score: int
    weak_controls_warning: bool
    review_state: str | None
    acceptance_missing: bool
    reproductive_hazard: bool


@dataclass(frozen=True)
class HazardFilter:
    department_id: int | None = None
    category: str | None = None
    level: str | None = None  # a level code of the matrix in force
    review: str | None = None  # overdue | due | due_or_overdue
    owner: str | None = None
    cell: tuple[int, int] | None = None  # (likelihood, severity) of the current risk
    status: str | None = "active"
    warning_only: bool = False
    search: str = ""


REVIEW_FILTERS = ("overdue", "due", "due_or_overdue")


@dataclass(frozen=True)
class ReviewSummary:
    overdue: int
    due: int
    warnings: int
    acceptance_missing: int


# -- reading --------------------------------------------------------------------------------------


def _today(today: dt.date | None) -> dt.date:
    return today or dt.date.today()


def _level_or_none(matrix: RiskMatrix, likelihood: int | None, severity: int | None) -> str | None:
    if likelihood is None or severity is None:
        return None
    return matrix.level(likelihood, severity).code


def computed_review(
    matrix: RiskMatrix, info: HazardInfo, trigger_on: dt.date | None = None
) -> dt.date | None:
    """The next review the rules give for what ``info`` holds (None while scores are missing)."""
    if info.assessed_on is None:
        return None
    try:
        level = matrix.level(*rules.current_scores(info.values()))
    except (TypeError, ValueError):
        return None
    return rules.next_review(info.assessed_on, level, trigger_on)


def _derived(matrix: RiskMatrix, info: HazardInfo, today: dt.date) -> HazardInfo:
    """Levels, the warning, the review state: what the matrix in force says of ``info``."""
    initial = _level_or_none(matrix, info.initial_likelihood, info.initial_severity)
    residual = _level_or_none(matrix, info.residual_likelihood, info.residual_severity)
    current = residual or initial
    level = matrix.level_by_code(current) if current else None
    return replace(
        info,
        initial_level=initial,
        residual_level=residual,
        current_level=current,
        weak_controls_warning=rules.weak_controls_warning(
            level, (c.hierarchy_level for c in info.controls)
        ),
        review_state=rules.review_state(info.next_review_on, today)
        if info.status == "active"
        else None,
        acceptance_missing=bool(
            residual
            and matrix.level_by_code(residual).needs_acceptance
            and not info.accepted_by
            and info.status == "active"
        ),
        computed_review_on=computed_review(matrix, info, info.review_trigger_on),
    )


def _info_of(
    row: Hazard, matrix: RiskMatrix, today: dt.date, *, history: bool = True
) -> HazardInfo:
    values = {name: getattr(row, name) for name in EDITABLE if name != "controls"}
    for name in _MULTI_CODE_FIELDS:
        values[name] = tuple(values[name].split())
    info = HazardInfo(
        **values,
        controls=tuple(ControlInfo(c.description, c.hierarchy_level) for c in row.controls),
        id=row.id,
        version=row.version,
        uuid=row.uuid,
        reference=row.reference,
        status=row.status,
        department_code=row.department.code,
        department_zh=row.department.name_zh,
        department_en=row.department.name_en,
        review_trigger=row.review_trigger,
        review_trigger_on=row.review_trigger_on,
        review_trigger_note=row.review_trigger_note,
        accepted_by=row.accepted_by,
        accepted_role=row.accepted_role,
        accepted_on=row.accepted_on,
        acceptance_note=row.acceptance_note,
        retired_reason=row.retired_reason,
        history=tuple(
            AssessmentRecord(
                a.id,
                a.kind,
                a.assessed_on,
                a.assessors,
                a.matrix_id,
                a.initial_likelihood,
                a.initial_severity,
                a.initial_level,
                a.residual_likelihood,
                a.residual_severity,
                a.residual_level,
                a.note,
                a.recorded_by,
                a.recorded_at,
            )
            for a in (reversed(row.assessments) if history else ())  # newest first
        ),
    )
    return _derived(matrix, info, today)


def _load(session: Session, hazard_id: int | None) -> Hazard:
    row = session.get(Hazard, hazard_id) if hazard_id is not None else None
    if row is None:
        raise NotFound(_("The hazard no longer exists."))
    return row


def get_hazard(
    session: Session, actor: Actor, hazard_id: int, today: dt.date | None = None
) -> HazardInfo:
    actor.require(Permission.VIEW_HAZARDS)
    return _info_of(_load(session, hazard_id), current_matrix(session), _today(today))


def preview(session: Session, info: HazardInfo, today: dt.date | None = None) -> HazardInfo:
    """Levels, warning and computed review of unsaved input, for the dialog to show as it is
    typed. Nothing is written; scores outside 1-5 simply give no level."""
    matrix = current_matrix(session)
    initial_ok = in_scale(info.initial_likelihood) and in_scale(info.initial_severity)
    if not initial_ok:
        return replace(info, initial_level=None, residual_level=None, current_level=None)
    safe = info
    if not (in_scale(info.residual_likelihood) and in_scale(info.residual_severity)):
        safe = replace(info, residual_likelihood=None, residual_severity=None)
    derived = _derived(matrix, safe, _today(today))
    return replace(
        info,
        initial_level=derived.initial_level,
        residual_level=derived.residual_level,
        current_level=derived.current_level,
        weak_controls_warning=derived.weak_controls_warning,
        acceptance_missing=derived.acceptance_missing,
        computed_review_on=derived.computed_review_on,
    )


def _cell_key() -> Any:
    return Hazard.current_likelihood * 10 + Hazard.current_severity


def _cells_condition(cells: Sequence[tuple[int, int]]) -> Any:
    if not cells:
        return false()
    return _cell_key().in_([likelihood * 10 + severity for likelihood, severity in cells])


def _rank_expression(matrix: RiskMatrix) -> Any:
    ranks = {
        likelihood * 10 + severity: matrix.level_by_code(code).rank
        for (likelihood, severity), code in matrix.cells.items()
    }
    return case(ranks, value=_cell_key(), else_=0)


def _review_condition(review: str, today: dt.date) -> Any:
    """SQL of ``rules.review_state`` (overdue, due, or either), for filters and the list."""
    soon = today + dt.timedelta(days=rules.DUE_SOON_DAYS)
    if review == "overdue":
        return Hazard.next_review_on < today
    if review == "due":
        return and_(Hazard.next_review_on >= today, Hazard.next_review_on <= soon)
    return Hazard.next_review_on <= soon


def _review_state_sql(today: dt.date) -> Any:
    """The review state of an active hazard (None once retired), as the list shows it."""
    return case(
        (Hazard.status != "active", None),
        (_review_condition("overdue", today), "overdue"),
        (_review_condition("due", today), "due"),
        else_="scheduled",
    )


@dataclass(frozen=True)
class _MatrixSql:
    """What a matrix says of a hazard's current cell, as SQL: built once per matrix (the
    expressions are the same for every call) and evaluated by the database per row."""

    level: Any  # the level code
    rank: Any  # the level's rank, higher is worse (the register's default order)
    warns: Any  # a level that warns when only administrative controls and PPE are in place
    needs_acceptance: Any  # a level whose residual risk needs a named acceptance
    sort: dict[str, tuple[Any, ...]]  # the list's orders by sort key


_MATRIX_SQL: dict[str, tuple[RiskMatrix, _MatrixSql]] = {}


def _matrix_sql(matrix: RiskMatrix) -> _MatrixSql:
    known = _MATRIX_SQL.get(matrix.id)
    if known is not None and known[0] is matrix:
        return known[1]
    key = _cell_key()
    cells = {
        lik * 10 + sev: matrix.level_by_code(code) for (lik, sev), code in matrix.cells.items()
    }
    accept = [c for c, code in matrix.cells.items() if matrix.level_by_code(code).needs_acceptance]
    rank = _rank_expression(matrix)
    found = _MatrixSql(
        level=case({k: level.code for k, level in cells.items()}, value=key, else_=""),
        rank=rank,
        warns=_cells_condition(_warning_cells(matrix)),
        needs_acceptance=_cells_condition(accept),
        sort=_build_sort_columns(rank),
    )
    _MATRIX_SQL[matrix.id] = (matrix, found)
    return found


def _has_strong_control() -> Any:
    return exists().where(
        HazardControl.hazard_id == Hazard.id, HazardControl.hierarchy_level.in_(STRONG_LEVELS)
    )


def _warning_cells(matrix: RiskMatrix) -> list[tuple[int, int]]:
    return [c for c, code in matrix.cells.items() if matrix.level_by_code(code).warn_weak_controls]


def _filtered(
    query: Select,  # type: ignore[type-arg]
    filters: HazardFilter,
    matrix: RiskMatrix,
    today: dt.date,
    *,
    with_cell: bool = True,
) -> Select:  # type: ignore[type-arg]
    if filters.status:
        query = query.where(Hazard.status == filters.status)
    if filters.department_id is not None:
        query = query.where(Hazard.department_id == filters.department_id)
    if filters.category:
        query = query.where(Hazard.category == filters.category)
    if filters.owner:
        query = query.where(Hazard.owner == filters.owner)
    if filters.level:
        if not matrix.has_level(filters.level):
            raise ValidationError({"level": _("Unknown filter value.")})
        query = query.where(_cells_condition(matrix.cells_of(filters.level)))
    if with_cell and filters.cell is not None:
        likelihood, severity = filters.cell
        query = query.where(
            Hazard.current_likelihood == likelihood, Hazard.current_severity == severity
        )
    if filters.review:
        if filters.review not in REVIEW_FILTERS:
            raise ValidationError({"review": _("Unknown filter value.")})
        query = query.where(_review_condition(filters.review, today), Hazard.status == "active")
    if filters.warning_only:
        query = query.where(_cells_condition(_warning_cells(matrix)), ~_has_strong_control())
    search = filters.search.strip()
    if search:
        pattern = f"%{search}%"
        query = query.where(
            or_(
                Hazard.reference.ilike(pattern),
                Hazard.activity.ilike(pattern),
                Hazard.agent.ilike(pattern),
                Hazard.location.ilike(pattern),
                Hazard.potential_harm.ilike(pattern),
            )
        )
    return query


def _sort_columns(matrix: RiskMatrix) -> dict[str, tuple[Any, ...]]:
    return _matrix_sql(matrix).sort


def _build_sort_columns(rank: Any) -> dict[str, tuple[Any, ...]]:
    return {
        "reference": (Hazard.ref_seq,),
        "department": (Department.code,),
        "activity": (Hazard.activity,),
        "category": (Hazard.category,),
        "level": (rank, _score()),
        "score": (_score(),),
        "next_review": (Hazard.next_review_on,),
        "assessed_on": (Hazard.assessed_on,),
        "owner": (Hazard.owner,),
        "status": (Hazard.status,),
    }


def _score() -> Any:
    return Hazard.current_likelihood * Hazard.current_severity


SORT_KEYS = (
    "reference",
    "department",
    "activity",
    "category",
    "level",
    "score",
    "next_review",
    "assessed_on",
    "owner",
    "status",
)


def _list_matrix(session: Session) -> RiskMatrix:
    """The matrix in force, read once per session: a page and its count share the session."""
    matrix = session.info.get(_MATRIX_KEY)
    if matrix is None:
        matrix = session.info[_MATRIX_KEY] = current_matrix(session)
    return matrix


_MATRIX_KEY = "hazards.matrix"


def list_hazards(
    session: Session,
    actor: Actor,
    filters: HazardFilter = HazardFilter(),
    *,
    sort: str = "level",
    descending: bool = True,
    offset: int = 0,
    limit: int = 100,
    today: dt.date | None = None,
) -> list[HazardRow]:
    """One page of the register, filtered and sorted in SQL.

    Level, review state, the weak-controls warning and missing acceptance are SQL expressions
    of the matrix in force (``_matrix_sql``), so a row costs no Python beyond its DTO. The
    page's ids come first, from the hazard table alone (an index walk for most orders); the
    department join and the controls subquery then run for those rows only."""
    actor.require(Permission.VIEW_HAZARDS)
    today = _today(today)
    matrix = _list_matrix(session)
    derived = _matrix_sql(matrix)
    columns = derived.sort.get(sort) or derived.sort["level"]
    order = [c.desc() if descending else c.asc() for c in columns]
    order.append(Hazard.ref_seq.desc() if descending else Hazard.ref_seq.asc())
    ids = select(Hazard.id)
    if sort == "department":
        ids = ids.join(Department, Hazard.department_id == Department.id)
    page_ids = _filtered(ids, filters, matrix, today).order_by(*order).offset(offset).limit(limit)
    active = Hazard.status == "active"
    strong = _has_strong_control()
    query = (
        select(
            Hazard.id,
            Hazard.reference,
            Hazard.status,
            Hazard.department_id,
            Department.code,
            Department.name_zh,
            Department.name_en,
            Hazard.location,
            Hazard.activity,
            Hazard.agent,
            Hazard.category,
            Hazard.owner,
            Hazard.assessed_on,
            Hazard.next_review_on,
            Hazard.current_likelihood,
            Hazard.current_severity,
            type_coerce(Hazard.residual_likelihood.is_not(None), Boolean),
            derived.level,
            _score(),
            type_coerce(and_(derived.warns, ~strong), Boolean),
            _review_state_sql(today),
            type_coerce(
                and_(
                    active,
                    Hazard.residual_likelihood.is_not(None),
                    Hazard.accepted_by == "",
                    derived.needs_acceptance,
                ),
                Boolean,
            ),
            Hazard.reproductive_hazard,
        )
        .join(Department, Hazard.department_id == Department.id)
        .where(Hazard.id.in_(page_ids))
        .order_by(*order)
    )
    # The columns are HazardRow's fields in order: the rows become DTOs without per-cell work.
    return build_rows(HazardRow, session.connection().execute(query).all())


def count_hazards(
    session: Session,
    actor: Actor,
    filters: HazardFilter = HazardFilter(),
    today: dt.date | None = None,
) -> int:
    actor.require(Permission.VIEW_HAZARDS)
    query = _filtered(select(func.count(Hazard.id)), filters, _list_matrix(session), _today(today))
    return session.scalar(query) or 0


def cell_counts(
    session: Session,
    actor: Actor,
    filters: HazardFilter = HazardFilter(),
    today: dt.date | None = None,
) -> dict[tuple[int, int], int]:
    """Hazards per (likelihood, severity) cell of the current risk, under every filter but the
    cell itself (so the matrix keeps showing the other cells while one is picked)."""
    actor.require(Permission.VIEW_HAZARDS)
    query = _filtered(
        select(Hazard.current_likelihood, Hazard.current_severity, func.count(Hazard.id)),
        filters,
        current_matrix(session),
        _today(today),
        with_cell=False,
    ).group_by(Hazard.current_likelihood, Hazard.current_severity)
    return {(row[0], row[1]): row[2] for row in session.execute(query).all()}


def review_summary(session: Session, actor: Actor, today: dt.date | None = None) -> ReviewSummary:
    """Counts for the page header and the dashboard: overdue and due reviews, warnings, and
    residual risks still waiting for acceptance."""
    actor.require(Permission.VIEW_HAZARDS)
    today = _today(today)
    matrix = current_matrix(session)

    def count(filters: HazardFilter, *extra: Any) -> int:
        query = _filtered(select(func.count(Hazard.id)), filters, matrix, today)
        return session.scalar(query.where(*extra)) or 0

    accept_cells = [
        c for c, code in matrix.cells.items() if matrix.level_by_code(code).needs_acceptance
    ]
    return ReviewSummary(
        overdue=count(HazardFilter(review="overdue")),
        due=count(HazardFilter(review="due")),
        warnings=count(HazardFilter(warning_only=True)),
        acceptance_missing=count(
            HazardFilter(),
            Hazard.residual_likelihood.is_not(None),
            Hazard.accepted_by == "",
            _cells_condition(accept_cells),
        ),
    )


def due_reviews(
    session: Session, actor: Actor, today: dt.date | None = None, limit: int = 100
) -> list[HazardRow]:
    """Active hazards whose review is overdue or due within 30 days, the most urgent first."""
    return list_hazards(
        session,
        actor,
        HazardFilter(review="due_or_overdue"),
        sort="next_review",
        descending=False,
        limit=limit,
        today=today,
    )


def owners(session: Session, actor: Actor) -> list[str]:
    """The risk owners named in the register, for the owner filter."""
    actor.require(Permission.VIEW_HAZARDS)
    query = select(Hazard.owner).where(Hazard.owner != "").distinct().order_by(Hazard.owner)
    return list(session.scalars(query))


# -- writing --------------------------------------------------------------------------------------


def _cleaned(info: HazardInfo) -> HazardInfo:
    changes: dict[str, Any] = {name: getattr(info, name).strip() for name in _TEXT_FIELDS}
    for name in ("category", "statutory_factor_code", "identification_method"):
        value = getattr(info, name)
        if isinstance(value, str) and not value.strip():
            changes[name] = None
    for name in _MULTI_CODE_FIELDS:
        changes[name] = tuple(dict.fromkeys(c for c in getattr(info, name) if c))
    changes["controls"] = tuple(
        ControlInfo(c.description.strip(), c.hierarchy_level)
        for c in info.controls
        if c.description.strip()  # a row left blank in the form is no control
    )
    changes["assessment_note"] = info.assessment_note.strip()
    return replace(info, **changes)


def _messages(issues: list[Issue], severity: Severity) -> dict[str, str]:
    result: dict[str, str] = {}
    for found in issues:
        if found.severity != severity:
            continue
        message = _(found.message).format(**found.text.kwargs)
        earlier = result.get(found.field)
        result[found.field] = f"{earlier} {message}" if earlier else message
    return result


def _validate(session: Session, info: HazardInfo, matrix: RiskMatrix, today: dt.date) -> None:
    issues = rules.validate(
        info.values(),
        matrix,
        today,
        job_categories=JOB_CATEGORIES.codes,
        statutory_codes=statutory_catalogue().codes,
    )
    errors = _messages(issues, Severity.ERROR)
    if info.department_id is None:
        errors["department_id"] = _("Required.")
    elif session.get(Department, info.department_id) is None:
        errors["department_id"] = _("Choose a department from the list.")
    if errors:
        raise ValidationError(errors)


def _warnings(info: HazardInfo, matrix: RiskMatrix) -> dict[str, str]:
    """What the user should know after a save (nothing here blocks it)."""
    warnings: dict[str, str] = {}
    if info.weak_controls_warning:
        warnings["controls"] = weak_controls_message(matrix, info.current_level)
    if rules.monitoring_above_limit(info.monitoring_value, info.monitoring_limit):
        warnings["monitoring_value"] = _(
            "The latest monitoring result is above the exposure limit: the hazard is due for "
            "review."
        )
    if info.acceptance_missing:
        warnings["acceptance"] = _(
            "The residual risk at this level must be accepted by a named person."
        )
    return warnings


def weak_controls_message(matrix: RiskMatrix, level_code: str | None) -> str:
    """The warning text, naming the level in the user's language."""
    name = matrix.level_by_code(level_code).name.text(current_language()) if level_code else ""
    return _(
        "{level}: the controls rely only on administrative measures and PPE. Look for "
        "elimination, substitution or engineering controls."
    ).format(level=name)


def _level_codes(matrix: RiskMatrix, info: HazardInfo) -> tuple[str, str | None, RiskLevel]:
    assert info.initial_likelihood is not None and info.initial_severity is not None
    initial = matrix.level(info.initial_likelihood, info.initial_severity)
    residual = None
    if info.residual_likelihood is not None and info.residual_severity is not None:
        residual = matrix.level(info.residual_likelihood, info.residual_severity)
    return initial.code, residual.code if residual else None, residual or initial


def _trigger_from_monitoring(row: Hazard, info: HazardInfo) -> None:
    """A result above the limit measured since the assessment triggers a review on its date."""
    day = info.monitoring_date
    if (
        rules.monitoring_above_limit(info.monitoring_value, info.monitoring_limit)
        and day is not None
        and info.assessed_on is not None
        and day >= info.assessed_on
        and (row.review_trigger_on is None or day < row.review_trigger_on)
    ):
        row.review_trigger = "monitoring_above_limit"
        row.review_trigger_on = day
        row.review_trigger_note = ""


def _apply(row: Hazard, info: HazardInfo, matrix: RiskMatrix) -> None:
    for name in EDITABLE:
        if name in ("controls", "next_review_on"):
            continue
        value = getattr(info, name)
        setattr(row, name, " ".join(value) if name in _MULTI_CODE_FIELDS else value)
    likelihood, severity = rules.current_scores(info.values())
    row.current_likelihood, row.current_severity = likelihood, severity
    _trigger_from_monitoring(row, info)
    if info.next_review_on is not None:
        row.next_review_on = info.next_review_on
    else:
        assert info.assessed_on is not None
        row.next_review_on = rules.next_review(
            info.assessed_on, matrix.level(likelihood, severity), row.review_trigger_on
        )
    if row.review_trigger_on is not None and row.review_trigger_on < row.next_review_on:
        row.next_review_on = row.review_trigger_on
    existing = [(c.description, c.hierarchy_level) for c in row.controls]
    wanted = [(c.description, c.hierarchy_level) for c in info.controls]
    if existing != wanted:
        row.controls = [
            HazardControl(position=position, description=description, hierarchy_level=level)
            for position, (description, level) in enumerate(wanted)
        ]
    row.updated_at = utcnow()


def _history(
    row: Hazard, info: HazardInfo, matrix: RiskMatrix, actor: Actor, kind: str
) -> HazardAssessment:
    initial, residual, _current = _level_codes(matrix, info)
    assert info.assessed_on is not None
    assert info.initial_likelihood is not None and info.initial_severity is not None
    entry = HazardAssessment(
        kind=kind,
        assessed_on=info.assessed_on,
        assessors=info.assessors,
        matrix_id=matrix.id,
        initial_likelihood=info.initial_likelihood,
        initial_severity=info.initial_severity,
        initial_level=initial,
        residual_likelihood=info.residual_likelihood,
        residual_severity=info.residual_severity,
        residual_level=residual,
        note=info.assessment_note or info.residual_reason,
        recorded_by=actor.username,
    )
    row.assessments.append(entry)
    return entry


def _next_reference(session: Session) -> tuple[int, str]:
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_REFERENCE_LOCK})
    seq = (session.scalar(select(func.max(Hazard.ref_seq))) or 0) + 1
    return seq, format_reference(seq)


def format_reference(seq: int) -> str:
    return f"HZ-{seq:04d}"


def _audit_values(info: HazardInfo) -> dict[str, Any]:
    values = info.values()
    values["controls"] = [f"{level}: {text}" for text, level in values["controls"]]
    for name in _MULTI_CODE_FIELDS:
        values[name] = " ".join(values[name])
    return values


def create_hazard(
    session: Session, actor: Actor, info: HazardInfo, today: dt.date | None = None
) -> SaveResult:
    """Enter a hazard with its first assessment (which starts the history)."""
    actor.require(Permission.MANAGE_HAZARDS)
    today = _today(today)
    matrix = current_matrix(session)
    info = _cleaned(replace(info, id=None, version=None, status="active"))
    _validate(session, info, matrix, today)
    seq, reference = _next_reference(session)
    row = Hazard(ref_seq=seq, reference=reference, created_by=actor.username, status="active")
    _apply(row, info, matrix)
    _history(row, info, matrix, actor, "initial")
    session.add(row)
    session.flush()
    values = _audit_values(info) | {"reference": reference, "uuid": row.uuid}
    audit.record(session, actor, "create", ENTITY, row.id, audit.created(values))
    saved = _info_of(row, matrix, today)
    return SaveResult(saved, _warnings(saved, matrix))


def update_hazard(
    session: Session, actor: Actor, info: HazardInfo, today: dt.date | None = None
) -> SaveResult:
    """Save an edit. Changed scores or assessment date make it a re-assessment: a history row
    is added, a pending review trigger is cleared and, if the residual scores changed, so is
    the earlier acceptance."""
    return _update(session, actor, info, today)


def _update(
    session: Session,
    actor: Actor,
    info: HazardInfo,
    today: dt.date | None,
    *,
    force_reassessment: bool = False,
) -> SaveResult:
    actor.require(Permission.MANAGE_HAZARDS)
    today = _today(today)
    matrix = current_matrix(session)
    row = _load(session, info.id)
    if row.status != "active":
        raise ValidationError({"status": _("A retired hazard cannot be changed.")})
    info = _cleaned(info)
    _validate(session, info, matrix, today)
    if info.version is not None and info.version != row.version:
        raise Conflict(
            _(
                "Someone else changed this record since you opened it. "
                "Close it, open it again and repeat your change."
            )
        )
    before = _info_of(row, matrix, today)
    reassessed = force_reassessment or before.assessment() != info.assessment()
    if reassessed:
        row.review_trigger, row.review_trigger_on, row.review_trigger_note = None, None, ""
        if (before.residual_likelihood, before.residual_severity) != (
            info.residual_likelihood,
            info.residual_severity,
        ):
            row.accepted_by, row.accepted_role, row.accepted_on = "", None, None
            row.acceptance_note = ""
        _history(row, info, matrix, actor, "reassessment")
    _apply(row, info, matrix)
    session.flush()
    changes = audit.diff(_audit_values(before), _audit_values(info))
    audit.record(session, actor, "reassess" if reassessed else "update", ENTITY, row.id, changes)
    saved = _info_of(row, matrix, today)
    return SaveResult(saved, _warnings(saved, matrix))


def reassess_hazard(
    session: Session,
    actor: Actor,
    hazard_id: int,
    *,
    assessed_on: dt.date,
    initial: tuple[int, int],
    residual: tuple[int, int] | None,
    assessors: str,
    note: str = "",
    residual_reason: str = "",
    version: int | None = None,
    today: dt.date | None = None,
) -> SaveResult:
    """A new assessment of an existing hazard; the earlier one stays in the history."""
    actor.require(Permission.MANAGE_HAZARDS)
    current = _info_of(_load(session, hazard_id), current_matrix(session), _today(today))
    info = replace(
        current,
        assessed_on=assessed_on,
        initial_likelihood=initial[0],
        initial_severity=initial[1],
        residual_likelihood=residual[0] if residual else None,
        residual_severity=residual[1] if residual else None,
        residual_reason=residual_reason,
        assessors=assessors,
        assessment_note=note or _("Re-assessment"),
        next_review_on=None,
        version=version if version is not None else current.version,
    )
    return _update(session, actor, info, today, force_reassessment=True)


def accept_residual(
    session: Session,
    actor: Actor,
    hazard_id: int,
    acceptance: Acceptance,
    *,
    version: int | None = None,
    today: dt.date | None = None,
) -> HazardInfo:
    """Record who accepted the residual risk; a senior person where the level asks for one."""
    actor.require(Permission.MANAGE_HAZARDS)
    today = _today(today)
    matrix = current_matrix(session)
    row = _load(session, hazard_id)
    if row.status != "active":
        raise ValidationError({"status": _("A retired hazard cannot be changed.")})
    if version is not None and version != row.version:
        raise Conflict(
            _(
                "Someone else changed this record since you opened it. "
                "Close it, open it again and repeat your change."
            )
        )
    issues = rules.validate_acceptance(
        matrix,
        (row.residual_likelihood, row.residual_severity),
        person=acceptance.person,
        role=acceptance.role,
        accepted_on=acceptance.accepted_on,
        assessed_on=row.assessed_on,
        today=today,
    )
    errors = _messages(issues, Severity.ERROR)
    if errors:
        raise ValidationError(errors)
    before = {
        "accepted_by": row.accepted_by,
        "accepted_role": row.accepted_role,
        "accepted_on": row.accepted_on,
        "acceptance_note": row.acceptance_note,
    }
    row.accepted_by = acceptance.person.strip()
    row.accepted_role = acceptance.role
    row.accepted_on = acceptance.accepted_on
    row.acceptance_note = acceptance.note.strip()
    row.updated_at = utcnow()
    session.flush()
    after = {
        "accepted_by": row.accepted_by,
        "accepted_role": row.accepted_role,
        "accepted_on": row.accepted_on,
        "acceptance_note": row.acceptance_note,
    }
    audit.record(session, actor, "accept", ENTITY, row.id, audit.diff(before, after))
    return _info_of(row, matrix, today)


def record_review_trigger(
    session: Session,
    actor: Actor,
    hazard_id: int,
    trigger: str,
    occurred_on: dt.date,
    note: str = "",
    today: dt.date | None = None,
) -> HazardInfo:
    """Something happened that calls for a review (an incident, new equipment...): the review
    becomes due on that day, unless it already was earlier."""
    actor.require(Permission.MANAGE_HAZARDS)
    today = _today(today)
    row = _load(session, hazard_id)
    errors: dict[str, str] = {}
    if trigger not in rules.REVIEW_TRIGGERS:
        errors["review_trigger"] = _("Choose a trigger from the list.")
    if occurred_on > today:
        errors["review_trigger_on"] = _("The date is in the future.")
    if row.status != "active":
        errors["status"] = _("A retired hazard cannot be changed.")
    if errors:
        raise ValidationError(errors)
    before = {
        "review_trigger": row.review_trigger,
        "review_trigger_on": row.review_trigger_on,
        "next_review_on": row.next_review_on,
    }
    row.review_trigger = trigger
    row.review_trigger_on = max(occurred_on, row.assessed_on)
    row.review_trigger_note = note.strip()
    row.next_review_on = min(row.next_review_on, row.review_trigger_on)
    row.updated_at = utcnow()
    session.flush()
    after = {
        "review_trigger": row.review_trigger,
        "review_trigger_on": row.review_trigger_on,
        "next_review_on": row.next_review_on,
    }
    audit.record(session, actor, "review_trigger", ENTITY, row.id, audit.diff(before, after))
    return _info_of(row, current_matrix(session), today)


def retire_hazard(session: Session, actor: Actor, hazard_id: int, reason: str) -> None:
    """Take a hazard off the active register (eliminated, activity stopped); kept for the record."""
    actor.require(Permission.MANAGE_HAZARDS)
    row = _load(session, hazard_id)
    if not reason.strip():
        raise ValidationError({"retired_reason": _("Say why the hazard is retired.")})
    if row.status == "retired":
        return
    row.status = "retired"
    row.retired_reason = reason.strip()
    row.updated_at = utcnow()
    session.flush()
    audit.record(
        session,
        actor,
        "retire",
        ENTITY,
        row.id,
        {"status": ["active", "retired"], "retired_reason": ["", row.retired_reason]},
    )


# -- further controls: action items of the shared tracker --------------------------------------


@dataclass(frozen=True)
class FurtherControl:
    """A control still to be put in place: an action item with ``source_kind='hazard'``."""

    title: str = ""
    hierarchy_level: str | None = None
    owner_name: str = ""
    due_date: dt.date | None = None
    details: str = ""


def further_controls(
    session: Session, actor: Actor, hazard_id: int, today: dt.date | None = None
) -> list[actions.ActionRow]:
    """The hazard's further controls with their owner, due date and status (oldest first)."""
    actor.require(Permission.VIEW_HAZARDS)
    _load(session, hazard_id)
    return actions.actions_for_source(session, actor, "hazard", hazard_id, today=today)


def propose_further_control(
    session: Session,
    actor: Actor,
    hazard_id: int,
    control: FurtherControl,
    today: dt.date | None = None,
) -> actions.ActionInfo:
    """Add a further control as a proposed action item of the shared tracker, linked to the
    hazard (its department and location carried over). The tracker validates, audits and logs
    it; the hazard itself is not changed."""
    actor.require(Permission.MANAGE_HAZARDS)
    row = _load(session, hazard_id)
    if row.status != "active":
        raise ValidationError({"status": _("A retired hazard cannot be changed.")})
    info = actions.ActionInfo(
        title=control.title,
        details=control.details,
        department_id=row.department_id,
        location=row.location,
        owner_name=control.owner_name,
        due_date=control.due_date,
        hierarchy_level=control.hierarchy_level,
        source_kind="hazard",
        source_id=row.id,
        source_label=f"{row.reference} {row.activity}"[:200],
    )
    return actions.create_action(session, actor, info, today=today)


# -- the printed register -----------------------------------------------------------------------


@dataclass(frozen=True)
class RegisterData:
    """Everything the register PDF prints; built here so the report needs no session."""

    hospital_zh: str
    hospital_en: str
    matrix: RiskMatrix
    today: dt.date
    entries: tuple[HazardInfo, ...]
    cell_counts: Mapping[tuple[int, int], int]
    summary: ReviewSummary
    filters: HazardFilter


def register_data(
    session: Session,
    actor: Actor,
    filters: HazardFilter = HazardFilter(),
    today: dt.date | None = None,
) -> RegisterData:
    """The active register (or what ``filters`` select), by department then level."""
    actor.require(Permission.VIEW_HAZARDS)
    today = _today(today)
    matrix = current_matrix(session)
    query = _filtered(
        select(Hazard).join(Department, Hazard.department_id == Department.id),
        filters,
        matrix,
        today,
    )
    query = query.options(selectinload(Hazard.controls), selectinload(Hazard.department)).order_by(
        Department.code,
        _rank_expression(matrix).desc(),
        (Hazard.current_likelihood * Hazard.current_severity).desc(),
        Hazard.ref_seq,
    )
    rows = session.scalars(query).all()
    entries = []
    for row in rows:
        entries.append(_info_of(row, matrix, today, history=False))
    hospital = session.get(Hospital, 1)
    return RegisterData(
        hospital_zh=hospital.name_zh if hospital else "",
        hospital_en=hospital.name_en if hospital else "",
        matrix=matrix,
        today=today,
        entries=tuple(entries),
        cell_counts=cell_counts(session, actor, filters, today),
        summary=review_summary(session, actor, today),
        filters=filters,
    )


def level_counts(data: RegisterData) -> dict[str, int]:
    """Entries per level code of the matrix, worst first (for the register's summary)."""
    counts = {level.code: 0 for level in data.matrix.levels}
    for entry in data.entries:
        if entry.current_level:
            counts[entry.current_level] += 1
    return counts
