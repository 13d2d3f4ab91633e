"""HealthWISE and other checklists: templates, rounds, sheets, the plan and progress.

Templates come shipped (``resources/healthwise/*.json``, installed with
``install_shipped_templates``) or imported from a hospital's CSV/XLSX of its edition's official
texts (``import_template``: all rows or none, each problem named by its row; the column layout is
in ``resources/healthwise/README.md``). A round (assessment) walks one template in one area with a
team; members fill sheets, the sheets merge into a consensus sheet, priorities become action
items (``services.actions``, ``source_kind='healthwise'``, ``source_id`` = the round,
``source_item`` = the checkpoint code) and the committee approves the plan.

The committee's approval freezes the plan as revision 1 (``hw_plan_revision``: a JSON snapshot
of the plan lines and their items, read-only). Changing the approved plan afterwards (an item
added, cancelled or rejected; an item's what, owner, due date or cost) shows as "changed since
revision N" (``plan_status``; the committee's review lists such rounds, ``changed_plans``), and
the committee approves the plan as it now stands as revision N + 1 (``approve_plan_revision``,
or the ``approve_revision`` decision at a meeting). Earlier revisions stay readable and
printable (``get_plan_revision``).

Rights: reading needs ``VIEW_ACTIONS``; templates, rounds, answers and plans need
``MANAGE_ACTIONS``; approving a plan or its revision, or returning it for rework, needs
``DECIDE_ACTIONS``. Every write is one audit event.

API::

    install_shipped_templates(session, actor) -> list[TemplateSummary]
    read_template_file(path, *, code, version, name_zh, name_en) -> TemplateImportPreview
    import_template(session, actor, path, *, code, version, name_zh, name_en) -> TemplateSummary
    set_template_active(session, actor, template_id, active) -> TemplateSummary
    list_templates(session, actor, active_only=False) -> list[TemplateSummary]
    get_template(session, actor, template_id) -> TemplateDetail
    create_assessment(session, actor, info) -> AssessmentInfo
    update_assessment(session, actor, info) -> AssessmentInfo
    get_assessment(session, actor, assessment_id) -> AssessmentInfo
    list_assessments(session, actor, filters, sort, descending, offset, limit)
        -> list[AssessmentRow]
    count_assessments(session, actor, filters) -> int
    get_sheet(session, actor, assessment_id, member_id=None) -> SheetView  (None: consensus)
    save_answers(session, actor, assessment_id, member_id, answers) -> SheetView
    set_no_action_reason(session, actor, assessment_id, checkpoint_code, reason) -> SheetView
    move_assessment(session, actor, assessment_id, target, *, reason="", version=None,
                    today=None) -> AssessmentInfo
    available_moves(actor, state) -> list[MoveChoice]
    add_plan_action(session, actor, assessment_id, checkpoint_code, info) -> ActionInfo
    create_actions_from_priorities(session, actor, assessment_id, *, due_date=None)
        -> list[ActionInfo]
    get_plan(session, actor, assessment_id, today=None) -> PlanView
    plan_status(session, actor, assessment_id) -> PlanStatus
    get_plan_revision(session, actor, assessment_id, number) -> PlanRevisionView
    approve_plan_revision(session, actor, assessment_id, *, note="", meeting_id=None)
        -> PlanRevisionInfo
    changed_plans(session, actor) -> list[AssessmentRow]
    get_progress(session, actor, assessment_id) -> ProgressView
    period_summary(session, actor, start, end, today=None) -> HealthwiseSummary
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

from sqlalchemy import Select, String, cast, func, or_, select
from sqlalchemy.orm import Session, aliased

from hospital_osh import paths
from hospital_osh.domain import healthwise as hw
from hospital_osh.domain.actions import ActionStatus
from hospital_osh.domain.codes import JOB_CATEGORIES, SEXES
from hospital_osh.domain.healthwise import Answer, Bilingual, State, TemplateData
from hospital_osh.domain.roles import Permission
from hospital_osh.i18n import _, current_language
from hospital_osh.models import (
    ActionItem,
    Assessment,
    AssessmentMember,
    ChecklistAnswer,
    ChecklistModule,
    ChecklistSheet,
    ChecklistTemplate,
    Checkpoint,
    CommitteeMeeting,
    Department,
    PlanRevision,
)
from hospital_osh.models.base import utcnow
from hospital_osh.services import actions, audit
from hospital_osh.services.actions import ActionInfo, ActionRow
from hospital_osh.services.context import Actor
from hospital_osh.services.errors import (
    Conflict,
    NotFound,
    PermissionDenied,
    UserError,
    ValidationError,
)
from hospital_osh.services.text_checks import text_problem

ENTITY_TEMPLATE = "checklist_template"
ENTITY = "hw_assessment"
SHIPPED_FILES: tuple[str, ...] = ("healthwise_working.json", "ipc_walkround.json")
MAX_MEMBERS = 30


# -- DTOs ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TemplateSummary:
    id: int
    code: str
    version: str
    name_zh: str
    name_en: str
    description_zh: str
    description_en: str
    source_note_zh: str
    source_note_en: str
    working_version: bool
    origin: str  # shipped, imported
    active: bool
    module_count: int
    checkpoint_count: int

    def name(self, chinese: bool) -> str:
        return Bilingual(self.name_zh, self.name_en).pick(chinese)


@dataclass(frozen=True)
class CheckpointInfo:
    id: int
    code: str
    module_code: str
    title_zh: str
    title_en: str
    why_zh: str
    why_en: str
    how_zh: str
    how_en: str
    verification: str
    source: str

    def title(self, chinese: bool) -> str:
        return Bilingual(self.title_zh, self.title_en).pick(chinese)


@dataclass(frozen=True)
class ModuleInfo:
    id: int
    code: str
    title_zh: str
    title_en: str
    verification: str
    source: str
    checkpoints: tuple[CheckpointInfo, ...]

    def title(self, chinese: bool) -> str:
        return Bilingual(self.title_zh, self.title_en).pick(chinese)


@dataclass(frozen=True)
class TemplateDetail:
    summary: TemplateSummary
    modules: tuple[ModuleInfo, ...]

    @property
    def checkpoints(self) -> tuple[CheckpointInfo, ...]:
        return tuple(c for m in self.modules for c in m.checkpoints)


@dataclass(frozen=True)
class RowMessage:
    row: int  # line in the file; 0 for the whole file
    message: str


@dataclass(frozen=True)
class TemplateImportPreview:
    """What an import would store; ``problems`` non-empty means nothing can be imported."""

    template: TemplateData | None
    problems: tuple[RowMessage, ...]

    @property
    def ok(self) -> bool:
        return self.template is not None and not self.problems


class TemplateImportError(UserError):
    """The file cannot be imported; ``problems`` say where and why (nothing was stored)."""

    def __init__(self, problems: Sequence[RowMessage]):
        self.problems = tuple(problems)
        lines = [
            _("Row {row}: {message}").format(row=p.row, message=p.message) if p.row else p.message
            for p in self.problems
        ]
        super().__init__("\n".join(lines))


@dataclass(frozen=True)
class MemberInfo:
    name: str
    team_role: str = "staff"  # facilitator, manager, staff
    job_category: str | None = None
    sex: str | None = None
    id: int | None = None


@dataclass(frozen=True)
class AssessmentInfo:
    """A round as its form edits it; read-only fields follow the editable ones."""

    template_id: int | None = None
    department_id: int | None = None
    area: str = ""
    assessed_on: dt.date | None = None
    notes: str = ""
    previous_id: int | None = None  # None on create: the latest earlier round of the area
    members: tuple[MemberInfo, ...] = ()
    # -- read-only --
    id: int | None = None
    version: int | None = None
    uuid: str = ""
    state: str = State.DRAFT
    returned_reason: str = ""
    template_name_zh: str = ""
    template_name_en: str = ""
    template_working: bool = False
    department_zh: str = ""
    department_en: str = ""
    previous_assessed_on: dt.date | None = None
    member_sheets: tuple[int, ...] = ()  # member ids with a sheet
    has_consensus: bool = False
    created_by: str = ""


@dataclass(frozen=True)
class AssessmentRow:
    id: int
    template_id: int
    template_name_zh: str
    template_name_en: str
    department_id: int | None
    department_zh: str
    department_en: str
    area: str
    assessed_on: dt.date
    state: str
    previous_id: int | None
    member_count: int


@dataclass(frozen=True)
class AssessmentFilter:
    states: tuple[str, ...] = ()
    department_id: int | None = None
    template_id: int | None = None
    search: str = ""
    start: dt.date | None = None
    end: dt.date | None = None
    ids: tuple[int, ...] = ()  # only these rounds (empty: no restriction)


@dataclass(frozen=True)
class AnswerInput:
    """One checkpoint's answer as the checklist form gives it (by checkpoint code)."""

    code: str
    answer: str = Answer.UNANSWERED
    priority: bool = False
    remarks: str = ""
    good_practice: str = ""
    location_detail: str = ""
    no_action_reason: str = ""  # consensus sheet only: why a priority gets no action item


@dataclass(frozen=True)
class AnswerView:
    checkpoint: CheckpointInfo
    answer: str
    priority: bool
    remarks: str
    good_practice: str
    location_detail: str
    no_action_reason: str
    disputed: bool


@dataclass(frozen=True)
class SheetView:
    """One sheet in checklist order; a sheet not yet saved shows every item unanswered."""

    assessment_id: int
    member_id: int | None  # None: the consensus sheet
    member_name: str
    state: str
    editable: bool
    answers: tuple[AnswerView, ...]

    @property
    def unanswered(self) -> tuple[str, ...]:
        return tuple(a.checkpoint.code for a in self.answers if a.answer == Answer.UNANSWERED)


@dataclass(frozen=True)
class MoveChoice:
    target: str
    label: str
    needs_reason: bool


@dataclass(frozen=True)
class PlanLine:
    """A consensus item where action is proposed, with its action items (priority first)."""

    checkpoint: CheckpointInfo
    priority: bool
    remarks: str
    no_action_reason: str
    actions: tuple[ActionRow, ...]


@dataclass(frozen=True)
class PlanView:
    assessment: AssessmentInfo
    lines: tuple[PlanLine, ...]
    other_actions: tuple[ActionRow, ...]  # linked to the round but to no listed checkpoint
    status: PlanStatus | None = None  # the approved revision and what changed since

    @property
    def all_actions(self) -> tuple[ActionRow, ...]:
        return tuple(a for line in self.lines for a in line.actions) + self.other_actions


@dataclass(frozen=True)
class PlanRevisionInfo:
    """One approved revision of a round's plan (read-only)."""

    assessment_id: int
    number: int
    approved_at: dt.datetime
    approved_by: str
    approved_by_name: str
    meeting_id: int | None
    meeting_date: dt.date | None
    note: str
    item_count: int


@dataclass(frozen=True)
class PlanChangeView:
    reference: str
    kind: str  # domain.healthwise.PlanChangeKind
    field: str
    old: str
    new: str
    text: str  # the change as a sentence in the user's language


@dataclass(frozen=True)
class PlanStatus:
    """Where the plan stands against its approvals: the latest revision and what changed since."""

    revisions: tuple[PlanRevisionInfo, ...]  # oldest first
    changes: tuple[PlanChangeView, ...]

    @property
    def current(self) -> PlanRevisionInfo | None:
        return self.revisions[-1] if self.revisions else None

    @property
    def changed(self) -> bool:
        return bool(self.changes)


@dataclass(frozen=True)
class PlanRevisionView:
    """An approved revision as it was approved, rebuilt from its snapshot for display and print."""

    revision: PlanRevisionInfo
    plan: PlanView


@dataclass(frozen=True)
class ModuleProgressView:
    code: str
    title_zh: str
    title_en: str
    checkpoints: int
    proposed_before: int
    proposed_after: int
    priority_before: int
    priority_after: int
    improved: int
    worsened: int
    actions_total: int
    actions_completed: int  # verified or closed


@dataclass(frozen=True)
class ProgressView:
    """A round's findings by module, against the previous round of the area if there is one."""

    assessment: AssessmentInfo
    previous: AssessmentInfo | None
    modules: tuple[ModuleProgressView, ...]
    changes: tuple[hw.CheckpointProgress, ...]
    titles: Mapping[str, tuple[str, str]] = field(default_factory=dict)  # code -> (zh, en)

    @property
    def proposed_before(self) -> int:
        return sum(m.proposed_before for m in self.modules)

    @property
    def proposed_after(self) -> int:
        return sum(m.proposed_after for m in self.modules)


# -- templates ----------------------------------------------------------------------------------


@cache
def shipped_template(filename: str) -> TemplateData:
    path = paths.resource("healthwise", filename)
    return hw.parse_template_json(path.read_text(encoding="utf-8"), filename)


def shipped_templates() -> list[TemplateData]:
    return [shipped_template(name) for name in SHIPPED_FILES]


def _summary(session: Session, row: ChecklistTemplate) -> TemplateSummary:
    modules = session.scalar(
        select(func.count(ChecklistModule.id)).where(ChecklistModule.template_id == row.id)
    )
    points = session.scalar(
        select(func.count(Checkpoint.id)).where(Checkpoint.template_id == row.id)
    )
    return TemplateSummary(
        id=row.id,
        code=row.code,
        version=row.version,
        name_zh=row.name_zh,
        name_en=row.name_en,
        description_zh=row.description_zh,
        description_en=row.description_en,
        source_note_zh=row.source_note_zh,
        source_note_en=row.source_note_en,
        working_version=row.working_version,
        origin=row.origin,
        active=row.active,
        module_count=int(modules or 0),
        checkpoint_count=int(points or 0),
    )


def _store_template(
    session: Session, actor: Actor, data: TemplateData, origin: str
) -> ChecklistTemplate:
    row = ChecklistTemplate(
        code=data.code,
        version=data.version,
        name_zh=data.name.zh,
        name_en=data.name.en,
        description_zh=data.description.zh,
        description_en=data.description.en,
        source_note_zh=data.source_note.zh,
        source_note_en=data.source_note.en,
        working_version=data.working_version,
        origin=origin,
        created_by=actor.username,
    )
    session.add(row)
    session.flush()
    position = 0
    for module_position, module in enumerate(data.modules, 1):
        module_row = ChecklistModule(
            template_id=row.id,
            position=module_position,
            code=module.code,
            title_zh=module.title.zh,
            title_en=module.title.en,
            verification=module.verification,
            source=module.source,
        )
        session.add(module_row)
        session.flush()
        for point in module.checkpoints:
            position += 1
            session.add(
                Checkpoint(
                    template_id=row.id,
                    module_id=module_row.id,
                    position=position,
                    code=point.code,
                    title_zh=point.title.zh,
                    title_en=point.title.en,
                    why_zh=point.why.zh,
                    why_en=point.why.en,
                    how_zh=point.how.zh,
                    how_en=point.how.en,
                    verification=point.verification,
                    source=point.source,
                )
            )
    session.flush()
    return row


def _exists(session: Session, code: str, version: str) -> bool:
    return (
        session.scalar(
            select(ChecklistTemplate.id).where(
                ChecklistTemplate.code == code, ChecklistTemplate.version == version
            )
        )
        is not None
    )


def install_shipped_templates(session: Session, actor: Actor) -> list[TemplateSummary]:
    """Store the shipped templates that are not in the database yet (one audit event)."""
    actor.require(Permission.MANAGE_ACTIONS)
    added = []
    for data in shipped_templates():
        if not _exists(session, data.code, data.version):
            added.append(_store_template(session, actor, data, "shipped"))
    if added:
        audit.record(
            session,
            actor,
            "install_templates",
            ENTITY_TEMPLATE,
            ",".join(str(r.id) for r in added),
            audit.created({"templates": [f"{r.code} {r.version}" for r in added]}),
        )
    return [_summary(session, r) for r in added]


def _read_rows(path: Path) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """Header and data rows of a CSV/XLSX file (``services.tabular``'s readers)."""
    from hospital_osh.services import tabular

    header: list[str] = []
    rows: list[tuple[int, list[str]]] = []
    for line, values in tabular.rows_of(path):
        texts = [tabular.cell_text(v) for v in values]
        if not header:
            if any(t.strip() for t in texts):
                header = texts
            continue
        rows.append((line, texts))
    return header, rows


def read_template_file(
    path: str | Path,
    *,
    code: str,
    version: str,
    name_zh: str,
    name_en: str,
    session: Session | None = None,
) -> TemplateImportPreview:
    """Read and check a template file without storing anything (the import dialog's preview)."""
    from hospital_osh.services import tabular

    problems: list[RowMessage] = []
    code, version = code.strip(), version.strip()
    for value, missing, limit in (
        (code, _("Give the template's code."), 60),
        (version, _("Give the template's version."), 40),
        (name_zh.strip(), _("Give the template's Chinese name."), 200),
        (name_en.strip(), _("Give the template's English name."), 200),
    ):
        if not value:
            problems.append(RowMessage(0, missing))
        elif text_problem(value, limit):
            problems.append(
                RowMessage(
                    0,
                    _("The code, version and names have at most {n} characters: {value}").format(
                        n=limit, value=value[:20]
                    ),
                )
            )
    if session is not None and code and version and _exists(session, code, version):
        problems.append(
            RowMessage(
                0,
                _("A template {code} version {version} already exists.").format(
                    code=code, version=version
                ),
            )
        )
    path = Path(path)
    try:
        header, rows = _read_rows(path)
    except tabular.FileProblem as error:
        return TemplateImportPreview(None, (*problems, RowMessage(0, str(error))))
    except OSError as error:
        return TemplateImportPreview(
            None,
            (
                *problems,
                RowMessage(0, _("The file cannot be read: {reason}").format(reason=error)),
            ),
        )
    template, found = hw.rows_to_template(
        header, rows, code=code, version=version, name=Bilingual(name_zh.strip(), name_en.strip())
    )
    problems += [RowMessage(p.row, p.text.render(_)) for p in found]
    for row_number, values in rows:
        for value in values:
            if text_problem(value, multiline=True):
                problems.append(RowMessage(row_number, text_problem(value, multiline=True) or ""))
                break
    if problems:
        return TemplateImportPreview(None, tuple(problems))
    return TemplateImportPreview(template, ())


def import_template(
    session: Session,
    actor: Actor,
    path: str | Path,
    *,
    code: str,
    version: str,
    name_zh: str,
    name_en: str,
) -> TemplateSummary:
    """Import a hospital's checkpoint texts: every row or none (TemplateImportError)."""
    actor.require(Permission.MANAGE_ACTIONS)
    preview = read_template_file(
        path, code=code, version=version, name_zh=name_zh, name_en=name_en, session=session
    )
    if not preview.ok or preview.template is None:
        raise TemplateImportError(preview.problems)
    row = _store_template(session, actor, preview.template, "imported")
    audit.record(
        session,
        actor,
        "import",
        ENTITY_TEMPLATE,
        row.id,
        audit.created(
            {
                "code": row.code,
                "version": row.version,
                "file": Path(path).name,
                "checkpoints": preview.template.checkpoint_count,
            }
        ),
    )
    return _summary(session, row)


def set_template_active(
    session: Session, actor: Actor, template_id: int, active: bool
) -> TemplateSummary:
    """Offer a template for new rounds, or stop offering it (rounds keep it)."""
    actor.require(Permission.MANAGE_ACTIONS)
    row = _template(session, template_id)
    if row.active != active:
        row.active = active
        session.flush()
        audit.record(
            session, actor, "update", ENTITY_TEMPLATE, row.id, {"active": [not active, active]}
        )
    return _summary(session, row)


def _template(session: Session, template_id: int) -> ChecklistTemplate:
    row = session.get(ChecklistTemplate, template_id)
    if row is None:
        raise NotFound(_("The checklist template no longer exists."))
    return row


def list_templates(
    session: Session, actor: Actor, active_only: bool = False
) -> list[TemplateSummary]:
    actor.require(Permission.VIEW_ACTIONS)
    query = select(ChecklistTemplate).order_by(ChecklistTemplate.code, ChecklistTemplate.version)
    if active_only:
        query = query.where(ChecklistTemplate.active.is_(True))
    return [_summary(session, r) for r in session.scalars(query)]


def _detail(session: Session, row: ChecklistTemplate) -> TemplateDetail:
    modules = session.scalars(
        select(ChecklistModule)
        .where(ChecklistModule.template_id == row.id)
        .order_by(ChecklistModule.position)
    ).all()
    points = session.scalars(
        select(Checkpoint).where(Checkpoint.template_id == row.id).order_by(Checkpoint.position)
    ).all()
    by_module: dict[int, list[CheckpointInfo]] = {m.id: [] for m in modules}
    codes = {m.id: m.code for m in modules}
    for p in points:
        by_module[p.module_id].append(
            CheckpointInfo(
                id=p.id,
                code=p.code,
                module_code=codes[p.module_id],
                title_zh=p.title_zh,
                title_en=p.title_en,
                why_zh=p.why_zh,
                why_en=p.why_en,
                how_zh=p.how_zh,
                how_en=p.how_en,
                verification=p.verification,
                source=p.source,
            )
        )
    return TemplateDetail(
        summary=_summary(session, row),
        modules=tuple(
            ModuleInfo(
                id=m.id,
                code=m.code,
                title_zh=m.title_zh,
                title_en=m.title_en,
                verification=m.verification,
                source=m.source,
                checkpoints=tuple(by_module[m.id]),
            )
            for m in modules
        ),
    )


def get_template(session: Session, actor: Actor, template_id: int) -> TemplateDetail:
    """The template with its modules and checkpoints in order (both languages)."""
    actor.require(Permission.VIEW_ACTIONS)
    return _detail(session, _template(session, template_id))


# -- assessments --------------------------------------------------------------------------------


def _not_found() -> NotFound:
    return NotFound(_("The checklist round no longer exists."))


def _load(session: Session, assessment_id: int) -> Assessment:
    row = session.get(Assessment, assessment_id)
    if row is None:
        raise _not_found()
    return row


def state_label(code: str) -> str:
    return _(hw.STATES.label(code))


def _sheets(session: Session, assessment_id: int) -> list[ChecklistSheet]:
    return list(
        session.scalars(
            select(ChecklistSheet)
            .where(ChecklistSheet.assessment_id == assessment_id)
            .order_by(ChecklistSheet.id)
        )
    )


def _info_of(session: Session, row: Assessment) -> AssessmentInfo:
    sheets = _sheets(session, row.id)
    previous = session.get(Assessment, row.previous_id) if row.previous_id else None
    department = row.department
    return AssessmentInfo(
        template_id=row.template_id,
        department_id=row.department_id,
        area=row.area,
        assessed_on=row.assessed_on,
        notes=row.notes,
        previous_id=row.previous_id,
        members=tuple(
            MemberInfo(m.name, m.team_role, m.job_category, m.sex, m.id) for m in row.members
        ),
        id=row.id,
        version=row.version,
        uuid=row.uuid,
        state=row.state,
        returned_reason=row.returned_reason,
        template_name_zh=row.template.name_zh,
        template_name_en=row.template.name_en,
        template_working=row.template.working_version,
        department_zh=department.name_zh if department else "",
        department_en=department.name_en if department else "",
        previous_assessed_on=previous.assessed_on if previous else None,
        member_sheets=tuple(s.member_id for s in sheets if s.member_id is not None),
        has_consensus=any(s.member_id is None for s in sheets),
        created_by=row.created_by,
    )


def _validate(session: Session, info: AssessmentInfo) -> dict[str, str]:
    errors: dict[str, str] = {}
    if info.template_id is None or session.get(ChecklistTemplate, info.template_id) is None:
        errors["template_id"] = _("Choose a checklist template.")
    if info.department_id is not None and session.get(Department, info.department_id) is None:
        errors["department_id"] = _("Choose a department from the list.")
    if not info.area.strip() and info.department_id is None:
        errors["area"] = _("Say which area is checked (a department or a place).")
    for name, limit, multiline in (("area", 200, False), ("notes", None, True)):
        problem = text_problem(getattr(info, name), limit, multiline=multiline)
        if problem:
            errors[name] = problem
    if info.assessed_on is None:
        errors["assessed_on"] = _("Give the date of the walk-through.")
    if not info.members:
        errors["members"] = _("Name the team: at least one person.")
    elif len(info.members) > MAX_MEMBERS:
        errors["members"] = _("A team has at most {n} members.").format(n=MAX_MEMBERS)
    for index, member in enumerate(info.members, 1):
        problem = text_problem(member.name, 120)
        if not member.name.strip():
            problem = _("Member {number} has no name.").format(number=index)
        elif member.team_role not in hw.TEAM_ROLES:
            problem = _("Member {number}: choose the role in the team.").format(number=index)
        elif member.job_category and member.job_category not in JOB_CATEGORIES:
            problem = _("Member {number}: choose the profession from the list.").format(
                number=index
            )
        elif member.sex and member.sex not in SEXES:
            problem = _("Member {number}: choose the sex from the list.").format(number=index)
        if problem:
            errors.setdefault("members", problem)
    names = [m.name.strip() for m in info.members]
    if len(set(names)) != len(names):
        errors.setdefault("members", _("Each member's name may appear once."))
    if info.previous_id is not None and session.get(Assessment, info.previous_id) is None:
        errors["previous_id"] = _("The previous round no longer exists.")
    return errors


def _latest_previous(session: Session, info: AssessmentInfo, exclude: int | None) -> int | None:
    """The latest earlier round of the same area with the same kind of template."""
    template = session.get(ChecklistTemplate, info.template_id)
    assert template is not None and info.assessed_on is not None
    Template = aliased(ChecklistTemplate)
    query = (
        select(Assessment.id)
        .join(Template, Assessment.template_id == Template.id)
        .where(Template.code == template.code, Assessment.assessed_on < info.assessed_on)
        .order_by(Assessment.assessed_on.desc(), Assessment.id.desc())
        .limit(1)
    )
    if info.department_id is not None:
        query = query.where(Assessment.department_id == info.department_id)
    else:
        query = query.where(Assessment.department_id.is_(None))
    if info.area.strip():
        query = query.where(func.lower(Assessment.area) == info.area.strip().lower())
    if exclude is not None:
        query = query.where(Assessment.id != exclude)
    return session.scalar(query)


def _set_members(row: Assessment, members: Sequence[MemberInfo]) -> None:
    keep = {m.id: m for m in members if m.id is not None}
    for existing in list(row.members):
        wanted = keep.get(existing.id)
        if wanted is None:
            row.members.remove(existing)
        else:
            existing.name = wanted.name.strip()
            existing.team_role = wanted.team_role
            existing.job_category = wanted.job_category or None
            existing.sex = wanted.sex or None
    for member in members:
        if member.id is None:
            row.members.append(
                AssessmentMember(
                    name=member.name.strip(),
                    team_role=member.team_role,
                    job_category=member.job_category or None,
                    sex=member.sex or None,
                )
            )


def _plain_members(members: Sequence[MemberInfo]) -> list[str]:
    return [f"{m.name.strip()} ({m.team_role})" for m in members]


def create_assessment(session: Session, actor: Actor, info: AssessmentInfo) -> AssessmentInfo:
    """Start a round in draft; it links to the area's previous round to show progress."""
    actor.require(Permission.MANAGE_ACTIONS)
    errors = _validate(session, info)
    if errors:
        raise ValidationError(errors)
    template = _template(session, info.template_id or 0)
    if not template.active:
        raise ValidationError(
            {"template_id": _("This template is no longer offered for new rounds.")}
        )
    previous = info.previous_id or _latest_previous(session, info, None)
    row = Assessment(
        template_id=template.id,
        department_id=info.department_id,
        area=info.area.strip(),
        assessed_on=info.assessed_on,
        notes=info.notes.strip(),
        previous_id=previous,
        state=State.DRAFT,
        created_by=actor.username,
    )
    _set_members(row, info.members)
    session.add(row)
    session.flush()
    audit.record(
        session,
        actor,
        "create",
        ENTITY,
        row.id,
        audit.created(
            {
                "template": f"{template.code} {template.version}",
                "department_id": info.department_id,
                "area": row.area,
                "assessed_on": row.assessed_on,
                "previous_id": previous,
                "members": _plain_members(info.members),
            }
        ),
    )
    return _info_of(session, row)


def _check_version(row: Assessment, version: int | None) -> None:
    if version is not None and version != row.version:
        raise Conflict(
            _(
                "Someone else changed this record since you opened it. "
                "Close it, open it again and repeat your change."
            )
        )


def update_assessment(session: Session, actor: Actor, info: AssessmentInfo) -> AssessmentInfo:
    """Edit the area, date, notes and team before the sheets are submitted."""
    actor.require(Permission.MANAGE_ACTIONS)
    if info.id is None:
        raise _not_found()
    row = _load(session, info.id)
    _check_version(row, info.version)
    if row.state not in hw.MEMBER_SHEET_STATES:
        raise ValidationError(
            {"state": _("The round can no longer be edited once the sheets are submitted.")}
        )
    info = replace(info, template_id=row.template_id)
    errors = _validate(session, info)
    with_sheet = {s.member_id for s in _sheets(session, row.id)}
    removed = {m.id for m in row.members} - {m.id for m in info.members if m.id is not None}
    if removed & with_sheet:
        errors["members"] = _("A member who has filled a sheet cannot be removed from the team.")
    if errors:
        raise ValidationError(errors)
    before = {
        "department_id": row.department_id,
        "area": row.area,
        "assessed_on": row.assessed_on,
        "notes": row.notes,
        "previous_id": row.previous_id,
        "members": _plain_members(
            [MemberInfo(m.name, m.team_role, m.job_category, m.sex, m.id) for m in row.members]
        ),
    }
    row.department_id = info.department_id
    row.area = info.area.strip()
    row.assessed_on = info.assessed_on  # type: ignore[assignment]
    row.notes = info.notes.strip()
    row.previous_id = info.previous_id
    _set_members(row, info.members)
    after = before | {
        "department_id": row.department_id,
        "area": row.area,
        "assessed_on": row.assessed_on,
        "notes": row.notes,
        "previous_id": row.previous_id,
        "members": _plain_members(info.members),
    }
    changes = audit.diff(before, after)
    if not changes:
        return _info_of(session, row)
    row.updated_at = utcnow()
    session.flush()
    audit.record(session, actor, "update", ENTITY, row.id, changes)
    return _info_of(session, row)


def get_assessment(session: Session, actor: Actor, assessment_id: int) -> AssessmentInfo:
    actor.require(Permission.VIEW_ACTIONS)
    return _info_of(session, _load(session, assessment_id))


_Dept = aliased(Department)
_Tpl = aliased(ChecklistTemplate)


def _filtered(query: Select, filters: AssessmentFilter) -> Select:  # type: ignore[type-arg]
    if filters.states:
        query = query.where(Assessment.state.in_(filters.states))
    if filters.ids:
        query = query.where(Assessment.id.in_(filters.ids))
    if filters.department_id is not None:
        query = query.where(Assessment.department_id == filters.department_id)
    if filters.template_id is not None:
        query = query.where(Assessment.template_id == filters.template_id)
    if filters.start is not None:
        query = query.where(Assessment.assessed_on >= filters.start)
    if filters.end is not None:
        query = query.where(Assessment.assessed_on <= filters.end)
    search = filters.search.strip()
    if search:
        pattern = f"%{search}%"
        query = query.where(
            or_(
                Assessment.area.ilike(pattern),
                _Dept.name_zh.ilike(pattern),
                _Dept.name_en.ilike(pattern),
            )
        )
    return query


ASSESSMENT_SORT: dict[str, tuple[Any, ...]] = {
    "assessed_on": (Assessment.assessed_on,),
    "department": (_Dept.code, Assessment.area),
    "area": (Assessment.area,),
    "state": (Assessment.state,),
    "template": (_Tpl.code, _Tpl.version),
}


def _joined(query: Select) -> Select:  # type: ignore[type-arg]
    return query.join(_Tpl, Assessment.template_id == _Tpl.id).outerjoin(
        _Dept, Assessment.department_id == _Dept.id
    )


def list_assessments(
    session: Session,
    actor: Actor,
    filters: AssessmentFilter = AssessmentFilter(),
    sort: str = "assessed_on",
    descending: bool = True,
    offset: int = 0,
    limit: int = 100,
) -> list[AssessmentRow]:
    """One page of rounds, filtered and sorted in SQL."""
    actor.require(Permission.VIEW_ACTIONS)
    members = (
        select(func.count(AssessmentMember.id))
        .where(AssessmentMember.assessment_id == Assessment.id)
        .scalar_subquery()
    )
    columns = ASSESSMENT_SORT.get(sort, ASSESSMENT_SORT["assessed_on"])
    order = [c.desc() if descending else c.asc() for c in columns]
    order.append(Assessment.id.desc() if descending else Assessment.id.asc())
    query = _filtered(
        _joined(
            select(
                Assessment.id,
                Assessment.template_id,
                _Tpl.name_zh.label("template_zh"),
                _Tpl.name_en.label("template_en"),
                Assessment.department_id,
                _Dept.name_zh.label("department_zh"),
                _Dept.name_en.label("department_en"),
                Assessment.area,
                Assessment.assessed_on,
                Assessment.state,
                Assessment.previous_id,
                members.label("members"),
            )
        ),
        filters,
    ).order_by(*order)
    return [
        AssessmentRow(
            id=r.id,
            template_id=r.template_id,
            template_name_zh=r.template_zh,
            template_name_en=r.template_en,
            department_id=r.department_id,
            department_zh=r.department_zh or "",
            department_en=r.department_en or "",
            area=r.area,
            assessed_on=r.assessed_on,
            state=r.state,
            previous_id=r.previous_id,
            member_count=int(r.members or 0),
        )
        for r in session.execute(query.offset(offset).limit(limit))
    ]


def count_assessments(
    session: Session, actor: Actor, filters: AssessmentFilter = AssessmentFilter()
) -> int:
    actor.require(Permission.VIEW_ACTIONS)
    query = _filtered(_joined(select(func.count(Assessment.id))), filters)
    return int(session.scalar(query) or 0)


# -- sheets -------------------------------------------------------------------------------------


def _sheet(session: Session, assessment_id: int, member_id: int | None) -> ChecklistSheet | None:
    condition = (
        ChecklistSheet.member_id.is_(None)
        if member_id is None
        else ChecklistSheet.member_id == member_id
    )
    return session.scalar(
        select(ChecklistSheet).where(ChecklistSheet.assessment_id == assessment_id, condition)
    )


def _answers(session: Session, sheet: ChecklistSheet | None) -> dict[int, ChecklistAnswer]:
    if sheet is None:
        return {}
    rows = session.scalars(select(ChecklistAnswer).where(ChecklistAnswer.sheet_id == sheet.id))
    return {a.checkpoint_id: a for a in rows}


def _member(row: Assessment, member_id: int) -> AssessmentMember:
    for member in row.members:
        if member.id == member_id:
            return member
    raise NotFound(_("This person is not a member of the round's team."))


def _sheet_editable(state: str, member_id: int | None) -> bool:
    if member_id is None:
        return state in hw.REASON_STATES
    return state in hw.MEMBER_SHEET_STATES


def _view(
    session: Session, row: Assessment, member_id: int | None, detail: TemplateDetail
) -> SheetView:
    sheet = _sheet(session, row.id, member_id)
    answers = _answers(session, sheet)
    views = []
    for point in detail.checkpoints:
        a = answers.get(point.id)
        views.append(
            AnswerView(
                checkpoint=point,
                answer=a.answer if a else Answer.UNANSWERED,
                priority=a.priority if a else False,
                remarks=a.remarks if a else "",
                good_practice=a.good_practice if a else "",
                location_detail=a.location_detail if a else "",
                no_action_reason=a.no_action_reason if a else "",
                disputed=a.disputed if a else False,
            )
        )
    name = _member(row, member_id).name if member_id is not None else ""
    return SheetView(
        assessment_id=row.id,
        member_id=member_id,
        member_name=name,
        state=row.state,
        editable=_sheet_editable(row.state, member_id),
        answers=tuple(views),
    )


def get_sheet(
    session: Session, actor: Actor, assessment_id: int, member_id: int | None = None
) -> SheetView:
    """A member's sheet, or the consensus sheet (``member_id=None``), in checklist order."""
    actor.require(Permission.VIEW_ACTIONS)
    row = _load(session, assessment_id)
    if member_id is not None:
        _member(row, member_id)
    return _view(session, row, member_id, _detail(session, row.template))


_ANSWER_TEXTS = (("remarks", None), ("good_practice", None), ("location_detail", 200))


def save_answers(
    session: Session,
    actor: Actor,
    assessment_id: int,
    member_id: int | None,
    answers: Sequence[AnswerInput],
) -> SheetView:
    """Save some or all answers of a sheet (unanswered items may stay; submission checks).

    Members' sheets are filled during the walk-through; the consensus sheet's answers and
    priorities change during the group review, and its reasons for no action until the plan is
    submitted. Errors are keyed by checkpoint code.
    """
    actor.require(Permission.MANAGE_ACTIONS)
    row = _load(session, assessment_id)
    if member_id is not None:
        _member(row, member_id)
    if not _sheet_editable(row.state, member_id):
        if member_id is None:
            message = _("The consensus sheet cannot be changed while the round is at “{state}”.")
        else:
            message = _("A member's sheet cannot be changed while the round is at “{state}”.")
        raise ValidationError({"state": message.format(state=state_label(row.state))})
    detail = _detail(session, row.template)
    by_code = {c.code: c for c in detail.checkpoints}
    errors: dict[str, str] = {}
    for given in answers:
        point = by_code.get(given.code)
        if point is None:
            errors[given.code] = _("The checkpoint {code} is not in this checklist.").format(
                code=given.code
            )
            continue
        found = hw.answer_issues(given.answer, given.priority)
        if found:
            errors[given.code] = f"{given.code}: {found[0].text.render(_)}"
            continue
        for name, limit in (*_ANSWER_TEXTS, ("no_action_reason", None)):
            problem = text_problem(getattr(given, name), limit, multiline=limit is None)
            if problem:
                errors[given.code] = f"{given.code}: {problem}"
        if member_id is not None and given.no_action_reason.strip():
            errors[given.code] = _(
                "{code}: a reason for no action belongs on the consensus sheet."
            ).format(code=given.code)
    if errors:
        raise ValidationError(errors)
    sheet = _sheet(session, row.id, member_id)
    if sheet is None:
        sheet = ChecklistSheet(assessment_id=row.id, member_id=member_id)
        session.add(sheet)
        session.flush()
    existing = _answers(session, sheet)
    changed: dict[str, list[Any]] = {}
    reasons_only = member_id is None and row.state not in hw.CONSENSUS_STATES
    for given in answers:
        point = by_code[given.code]
        stored = existing.get(point.id)
        values = {
            "answer": str(given.answer),
            "priority": bool(given.priority),
            "remarks": given.remarks.strip(),
            "good_practice": given.good_practice.strip(),
            "location_detail": given.location_detail.strip(),
            "no_action_reason": given.no_action_reason.strip(),
        }
        old = {
            name: getattr(stored, name) if stored else default
            for name, default in (
                ("answer", Answer.UNANSWERED.value),
                ("priority", False),
                ("remarks", ""),
                ("good_practice", ""),
                ("location_detail", ""),
                ("no_action_reason", ""),
            )
        }
        if reasons_only and any(values[n] != old[n] for n in values if n != "no_action_reason"):
            raise ValidationError(
                {
                    given.code: _(
                        "{code}: the priorities are agreed; only the reason for no action "
                        "can change now."
                    ).format(code=given.code)
                }
            )
        diff = audit.diff(old, values)
        if not diff:
            continue
        if stored is None:
            stored = ChecklistAnswer(sheet_id=sheet.id, checkpoint_id=point.id)
            session.add(stored)
        for name, value in values.items():
            setattr(stored, name, value)
        changed[given.code] = [old["answer"], values["answer"]]
        for name in diff:
            if name != "answer":
                changed[f"{given.code}.{name}"] = diff[name]
    if changed:
        row.updated_at = utcnow()
        session.flush()
        audit.record(
            session,
            actor,
            "answers",
            ENTITY,
            row.id,
            {"sheet": [None, "consensus" if member_id is None else member_id], **changed},
        )
    return _view(session, row, member_id, detail)


def set_no_action_reason(
    session: Session, actor: Actor, assessment_id: int, checkpoint_code: str, reason: str
) -> SheetView:
    """Write (or clear) why a consensus priority gets no action item; the other values of the
    item stay as they are."""
    actor.require(Permission.MANAGE_ACTIONS)
    row = _load(session, assessment_id)
    current = _view(session, row, None, _detail(session, row.template))
    found = next((a for a in current.answers if a.checkpoint.code == checkpoint_code), None)
    if found is None:
        raise ValidationError(
            {
                checkpoint_code: _("The checkpoint {code} is not in this checklist.").format(
                    code=checkpoint_code
                )
            }
        )
    return save_answers(
        session,
        actor,
        assessment_id,
        None,
        [
            AnswerInput(
                checkpoint_code,
                found.answer,
                found.priority,
                found.remarks,
                found.good_practice,
                found.location_detail,
                reason,
            )
        ],
    )


# -- moving through the workflow ----------------------------------------------------------------


def _sheet_facts(
    session: Session, row: Assessment, detail: TemplateDetail
) -> tuple[list[hw.SheetFacts], hw.SheetFacts | None]:
    code_of = {c.id: c.code for c in detail.checkpoints}
    names = {m.id: m.name for m in row.members}
    members = []
    consensus = None
    for sheet in _sheets(session, row.id):
        answers = {
            code_of[a.checkpoint_id]: (a.answer, a.priority)
            for a in _answers(session, sheet).values()
        }
        if sheet.member_id is None:
            consensus = hw.SheetFacts("", answers)
        else:
            members.append(hw.SheetFacts(names.get(sheet.member_id, ""), answers))
    return members, consensus


def _linked_actions(session: Session, assessment_id: int) -> list[ActionItem]:
    return list(
        session.scalars(
            select(ActionItem)
            .where(ActionItem.source_kind == "healthwise", ActionItem.source_id == assessment_id)
            .order_by(ActionItem.id)
        )
    )


def _priority_facts(
    session: Session, row: Assessment, detail: TemplateDetail
) -> list[hw.PriorityFacts]:
    consensus = _sheet(session, row.id, None)
    answers = _answers(session, consensus)
    counts: dict[str, int] = {}
    for item in _linked_actions(session, row.id):
        if item.status not in (ActionStatus.REJECTED, ActionStatus.CANCELLED):
            counts[item.source_item] = counts.get(item.source_item, 0) + 1
    facts = []
    for point in detail.checkpoints:
        answer = answers.get(point.id)
        if answer is not None and answer.priority:
            facts.append(
                hw.PriorityFacts(point.code, counts.get(point.code, 0), answer.no_action_reason)
            )
    return facts


def _merge(session: Session, row: Assessment, detail: TemplateDetail) -> int:
    """Create the consensus sheet from the members' sheets; returns how many items disagree."""
    if _sheet(session, row.id, None) is not None:
        return 0  # returned for rework: the group keeps its consensus sheet
    names = {m.id: m.name for m in row.members}
    code_of = {c.id: c.code for c in detail.checkpoints}
    sheets: dict[str, dict[str, hw.MemberAnswer]] = {}
    for sheet in _sheets(session, row.id):
        if sheet.member_id is None:
            continue
        member = names.get(sheet.member_id, "")
        sheets[member] = {
            code_of[a.checkpoint_id]: hw.MemberAnswer(
                member, a.answer, a.priority, a.remarks, a.good_practice
            )
            for a in _answers(session, sheet).values()
        }
    merged = hw.merge_sheets([c.code for c in detail.checkpoints], sheets)
    consensus = ChecklistSheet(assessment_id=row.id, member_id=None)
    session.add(consensus)
    session.flush()
    id_of = {c.code: c.id for c in detail.checkpoints}
    session.add_all(
        ChecklistAnswer(
            sheet_id=consensus.id,
            checkpoint_id=id_of[m.code],
            answer=m.answer,
            priority=m.priority,
            remarks=m.remarks,
            good_practice=m.good_practice,
            disputed=m.disputed,
        )
        for m in merged
    )
    session.flush()
    return sum(1 for m in merged if m.disputed)


def available_moves(actor: Actor, state: str) -> list[MoveChoice]:
    """The next steps the actor may take from ``state`` (for buttons)."""
    result = []
    for move in hw.moves_from(state):
        right = Permission.DECIDE_ACTIONS if move.decide else Permission.MANAGE_ACTIONS
        if actor.can(right):
            result.append(MoveChoice(move.target, _(move.label), move.needs_reason))
    return result


def move_assessment(
    session: Session,
    actor: Actor,
    assessment_id: int,
    target: str,
    *,
    reason: str = "",
    version: int | None = None,
    today: dt.date | None = None,
) -> AssessmentInfo:
    """Take the round one step on (``domain.healthwise.STATE_MOVES``), checking its guards.

    Merging happens on the way into the group review; approving the plan approves its proposed
    action items (the committee's decision, logged on each item). A role that can neither run
    rounds nor decide is refused before anything is read; ``apply_move`` then checks the right
    the particular step needs.
    """
    if not (actor.can(Permission.MANAGE_ACTIONS) or actor.can(Permission.DECIDE_ACTIONS)):
        actor.require(Permission.MANAGE_ACTIONS)
    row = _load(session, assessment_id)
    _check_version(row, version)
    changes = apply_move(session, actor, row, target, reason=reason, today=today)
    audit.record(session, actor, "move", ENTITY, row.id, changes)
    return _info_of(session, row)


def apply_move(
    session: Session,
    actor: Actor,
    row: Assessment,
    target: str,
    *,
    reason: str = "",
    today: dt.date | None = None,
    meeting_id: int | None = None,
) -> dict[str, list[Any]]:
    """Check and take one step without an audit event (for committee decisions, which audit
    the decision once); returns the changes. Approving the plan freezes it as revision 1
    (``meeting_id``: the meeting that decided)."""
    move = hw.state_move(row.state, target)
    if move is not None:
        right = Permission.DECIDE_ACTIONS if move.decide else Permission.MANAGE_ACTIONS
        if not actor.can(right):
            raise PermissionDenied(
                _("Your role ({role}) does not allow this.").format(role=actor.role)
            )
    reason = reason.strip()
    problem = text_problem(reason, multiline=True)
    if problem:
        raise ValidationError({"reason": problem})
    detail = _detail(session, row.template)
    codes = [c.code for c in detail.checkpoints]
    members, consensus = _sheet_facts(session, row, detail)
    items = [
        hw.ItemSettlement(i.reference, i.status, i.status_reason)
        for i in _linked_actions(session, row.id)
    ]
    issues = hw.check_move(
        row.state,
        target,
        codes=codes,
        member_sheets=members,
        consensus=consensus,
        priorities=_priority_facts(session, row, detail),
        items=items,
        reason=reason,
    )
    if issues:
        messages: dict[str, str] = {}
        for found in issues:
            text = found.text.render(_)
            earlier = messages.get(found.field)
            messages[found.field] = f"{earlier}\n{text}" if earlier else text
        raise ValidationError(messages)
    assert move is not None
    changes: dict[str, list[Any]] = {"state": [row.state, target]}
    if target == State.IN_GROUP_REVIEW and row.state == State.SUBMITTED:
        changes["disputed_items"] = [None, _merge(session, row, detail)]
    if move.needs_reason:
        row.returned_reason = reason
        changes["reason"] = ["", reason]
    if target == State.PLAN_APPROVED:
        approved = []
        for item in _linked_actions(session, row.id):
            if item.status == ActionStatus.PROPOSED:
                actions.apply_transition(
                    session,
                    actor,
                    item,
                    ActionStatus.APPROVED,
                    today=today,
                )
                approved.append(item.reference)
        changes["approved_items"] = [None, approved]
        session.flush()
        revision = _freeze_plan(session, actor, row, note=reason, meeting_id=meeting_id)
        changes["plan_revision"] = [None, revision.number]
    row.state = target
    row.updated_at = utcnow()
    session.flush()
    return changes


# -- the plan -----------------------------------------------------------------------------------

PLAN_STATES = frozenset(
    {
        State.IN_GROUP_REVIEW,
        State.PRIORITIZED,
        State.PLAN_SUBMITTED,
        State.PLAN_APPROVED,
        State.FOLLOW_UP,
    }
)
"""Action items can be added to a round's plan from the group review until it closes."""


def _source_label(row: Assessment, code: str) -> str:
    where = row.department.code if row.department else row.area
    return f"{where} {row.assessed_on.isoformat()} {code}"


def _plan_info(row: Assessment, point: CheckpointInfo, info: ActionInfo) -> ActionInfo:
    chinese = current_language() == "zh_CN"
    return replace(
        info,
        title=info.title or point.title(chinese),
        department_id=info.department_id or row.department_id,
        location=info.location or row.area,
        source_kind="healthwise",
        source_id=row.id,
        source_item=point.code,
        source_label=_source_label(row, point.code),
    )


def _require_plan_state(row: Assessment) -> None:
    if row.state not in PLAN_STATES:
        raise ValidationError(
            {
                "state": _(
                    "Action items can be added from the group review on, not at “{state}”."
                ).format(state=state_label(row.state))
            }
        )


def add_plan_action(
    session: Session,
    actor: Actor,
    assessment_id: int,
    checkpoint_code: str,
    info: ActionInfo,
) -> ActionInfo:
    """Add an action item for one checkpoint of the round (title defaults to the checkpoint's)."""
    actor.require(Permission.MANAGE_ACTIONS)
    row = _load(session, assessment_id)
    _require_plan_state(row)
    point = next(
        (c for c in _detail(session, row.template).checkpoints if c.code == checkpoint_code),
        None,
    )
    if point is None:
        raise ValidationError(
            {
                "checkpoint": _("The checkpoint {code} is not in this checklist.").format(
                    code=checkpoint_code
                )
            }
        )
    item = actions.insert_action(session, actor, _plan_info(row, point, info))
    audit.record(
        session,
        actor,
        "plan_action",
        ENTITY,
        row.id,
        audit.created({"action": item.reference, "checkpoint": point.code, "title": item.title}),
    )
    return actions.get_action(session, actor, item.id)


def create_actions_from_priorities(
    session: Session,
    actor: Actor,
    assessment_id: int,
    *,
    due_date: dt.date | None = None,
) -> list[ActionInfo]:
    """One proposed item for each consensus priority that has neither an item nor a reason."""
    actor.require(Permission.MANAGE_ACTIONS)
    row = _load(session, assessment_id)
    _require_plan_state(row)
    detail = _detail(session, row.template)
    by_code = {c.code: c for c in detail.checkpoints}
    made = []
    for fact in _priority_facts(session, row, detail):
        if fact.action_count or fact.no_action_reason.strip():
            continue
        point = by_code[fact.code]
        made.append(
            actions.insert_action(
                session, actor, _plan_info(row, point, ActionInfo(due_date=due_date))
            )
        )
    if made:
        audit.record(
            session,
            actor,
            "plan_actions",
            ENTITY,
            row.id,
            audit.created({"actions": [m.reference for m in made]}),
        )
    return [actions.get_action(session, actor, m.id) for m in made]


def get_plan(
    session: Session, actor: Actor, assessment_id: int, today: dt.date | None = None
) -> PlanView:
    """The round's action plan: consensus items with proposed action (priorities first) and
    their action items."""
    actor.require(Permission.VIEW_ACTIONS)
    row = _load(session, assessment_id)
    plan = _plan_view(session, actor, row, today)
    return replace(plan, status=_plan_status(session, row))


def _plan_view(session: Session, actor: Actor, row: Assessment, today: dt.date | None) -> PlanView:
    detail = _detail(session, row.template)
    answers = _answers(session, _sheet(session, row.id, None))
    linked = actions.actions_for_source(session, actor, "healthwise", row.id, today=today)
    by_item: dict[str, list[ActionRow]] = {}
    for item in linked:
        by_item.setdefault(item.source_item, []).append(item)
    lines = []
    listed: set[str] = set()
    for point in detail.checkpoints:
        answer = answers.get(point.id)
        proposed = answer is not None and answer.answer == Answer.ACTION_PROPOSED
        if not proposed and point.code not in by_item:
            continue
        listed.add(point.code)
        lines.append(
            PlanLine(
                checkpoint=point,
                priority=bool(answer and answer.priority),
                remarks=answer.remarks if answer else "",
                no_action_reason=answer.no_action_reason if answer else "",
                actions=tuple(by_item.get(point.code, ())),
            )
        )
    lines.sort(key=lambda line: not line.priority)  # stable: checklist order within each group
    others = tuple(i for i in linked if i.source_item not in listed)
    return PlanView(_info_of(session, row), tuple(lines), others)


# -- plan revisions after approval --------------------------------------------------------------

REVISION_STATES = frozenset({State.PLAN_APPROVED, State.FOLLOW_UP})
"""An approved plan can be changed and its new revision approved until the round closes."""
_DROPPED = (ActionStatus.REJECTED, ActionStatus.CANCELLED)


def _row_json(item: ActionRow) -> dict[str, Any]:
    return {
        name: (
            str(value)
            if isinstance(value, Decimal)
            else value.isoformat()
            if isinstance(value, dt.date | dt.datetime)
            else value
        )
        for name, value in item.__dict__.items()
    }


_ROW_DATES = {"due_date": dt.date.fromisoformat, "updated_at": dt.datetime.fromisoformat}


def _row_of(data: Mapping[str, Any]) -> ActionRow:
    values = dict(data)
    for name, parse in _ROW_DATES.items():
        if values.get(name):
            values[name] = parse(values[name])
    if values.get("cost_cny") is not None:
        values["cost_cny"] = Decimal(values["cost_cny"])
    return ActionRow(**values)


def _facts(item: ActionRow | ActionItem) -> hw.PlanItemFacts:
    """What a plan revision compares of an item, from a snapshot row or a live item alike."""
    return hw.PlanItemFacts(
        reference=item.reference,
        title=item.title,
        owner=item.owner_name,
        due_date=item.due_date.isoformat() if item.due_date else "",
        cost_cny=str(item.cost_cny) if item.cost_cny is not None else "",
    )


def _snapshot_rows(snapshot: Mapping[str, Any]) -> list[ActionRow]:
    rows = [_row_of(a) for line in snapshot.get("lines", []) for a in line.get("actions", [])]
    return rows + [_row_of(a) for a in snapshot.get("other_actions", [])]


def _snapshot_facts(snapshot: Mapping[str, Any]) -> list[hw.PlanItemFacts]:
    return [_facts(r) for r in _snapshot_rows(snapshot) if r.status not in _DROPPED]


def _live_facts(items: Sequence[ActionItem]) -> list[hw.PlanItemFacts]:
    return [_facts(i) for i in items if i.status not in _DROPPED]


def _freeze_plan(
    session: Session, actor: Actor, row: Assessment, *, note: str, meeting_id: int | None
) -> PlanRevision:
    """Store the plan as it stands now as the next approved revision."""
    plan = _plan_view(session, actor, row, None)
    snapshot = {
        "lines": [
            {
                "code": line.checkpoint.code,
                "priority": line.priority,
                "remarks": line.remarks,
                "no_action_reason": line.no_action_reason,
                "actions": [_row_json(a) for a in line.actions],
            }
            for line in plan.lines
        ],
        "other_actions": [_row_json(a) for a in plan.other_actions],
    }
    last = session.scalar(
        select(func.max(PlanRevision.number)).where(PlanRevision.assessment_id == row.id)
    )
    revision = PlanRevision(
        assessment_id=row.id,
        number=(last or 0) + 1,
        approved_at=utcnow(),
        approved_by=actor.username,
        approved_by_name=actor.display_name or actor.username,
        meeting_id=meeting_id,
        note=note,
        snapshot=json.dumps(snapshot, ensure_ascii=False, sort_keys=True),
    )
    session.add(revision)
    session.flush()
    return revision


def _revision_info(session: Session, revision: PlanRevision) -> PlanRevisionInfo:
    meeting = session.get(CommitteeMeeting, revision.meeting_id) if revision.meeting_id else None
    snapshot = json.loads(revision.snapshot)
    return PlanRevisionInfo(
        assessment_id=revision.assessment_id,
        number=revision.number,
        approved_at=revision.approved_at,
        approved_by=revision.approved_by,
        approved_by_name=revision.approved_by_name,
        meeting_id=revision.meeting_id,
        meeting_date=meeting.held_on if meeting else None,
        note=revision.note,
        item_count=len(_snapshot_facts(snapshot)),
    )


def _revisions(session: Session, assessment_id: int) -> list[PlanRevision]:
    return list(
        session.scalars(
            select(PlanRevision)
            .where(PlanRevision.assessment_id == assessment_id)
            .order_by(PlanRevision.number)
        )
    )


def _empty(value: str) -> str:
    return value or "—"


def _change_view(change: hw.PlanChange) -> PlanChangeView:
    if change.kind == hw.PlanChangeKind.ADDED:
        text = _("{reference} added").format(reference=change.reference)
    elif change.kind == hw.PlanChangeKind.REMOVED:
        text = _("{reference} taken off the plan (cancelled or rejected)").format(
            reference=change.reference
        )
    else:
        text = _("{reference}: {field} {old} → {new}").format(
            reference=change.reference,
            field=_(hw.PLAN_FIELD_LABELS.label(change.field)),
            old=_empty(change.old),
            new=_empty(change.new),
        )
    return PlanChangeView(change.reference, change.kind, change.field, change.old, change.new, text)


def _plan_status(session: Session, row: Assessment) -> PlanStatus:
    revisions = _revisions(session, row.id)
    if not revisions:
        return PlanStatus((), ())
    approved = _snapshot_facts(json.loads(revisions[-1].snapshot))
    found = hw.plan_changes(approved, _live_facts(_linked_actions(session, row.id)))
    return PlanStatus(
        tuple(_revision_info(session, r) for r in revisions),
        tuple(_change_view(c) for c in found),
    )


def plan_status(session: Session, actor: Actor, assessment_id: int) -> PlanStatus:
    """The approved revisions of the round's plan and how the plan differs from the latest."""
    actor.require(Permission.VIEW_ACTIONS)
    return _plan_status(session, _load(session, assessment_id))


def get_plan_revision(
    session: Session, actor: Actor, assessment_id: int, number: int
) -> PlanRevisionView:
    """An approved revision exactly as approved (items with their status at that time)."""
    actor.require(Permission.VIEW_ACTIONS)
    row = _load(session, assessment_id)
    revision = session.scalar(
        select(PlanRevision).where(
            PlanRevision.assessment_id == row.id, PlanRevision.number == number
        )
    )
    if revision is None:
        raise NotFound(_("The plan has no revision {number}.").format(number=number))
    snapshot = json.loads(revision.snapshot)
    points = {c.code: c for c in _detail(session, row.template).checkpoints}
    lines = tuple(
        PlanLine(
            checkpoint=points[line["code"]],
            priority=bool(line["priority"]),
            remarks=line["remarks"],
            no_action_reason=line["no_action_reason"],
            actions=tuple(_row_of(a) for a in line["actions"]),
        )
        for line in snapshot["lines"]
        if line["code"] in points
    )
    others = tuple(_row_of(a) for a in snapshot["other_actions"])
    plan = PlanView(_info_of(session, row), lines, others)
    return PlanRevisionView(_revision_info(session, revision), plan)


def apply_plan_revision(
    session: Session,
    actor: Actor,
    row: Assessment,
    *,
    note: str = "",
    meeting_id: int | None = None,
) -> dict[str, list[Any]]:
    """Approve the changed plan as its next revision without an audit event (for committee
    decisions); returns the changes. A plan approved before revisions were kept (a database
    upgraded from an older version) has none: approving it now records revision 1."""
    if not actor.can(Permission.DECIDE_ACTIONS):
        raise PermissionDenied(_("Your role ({role}) does not allow this.").format(role=actor.role))
    note = note.strip()
    problem = text_problem(note, multiline=True)
    if problem:
        raise ValidationError({"note": problem})
    if row.state not in REVISION_STATES:
        raise ValidationError(
            {
                "state": _(
                    "A revised plan is approved only after the first approval and before "
                    "the round closes, not at “{state}”."
                ).format(state=state_label(row.state))
            }
        )
    status = _plan_status(session, row)
    current = status.current
    if current is not None and not status.changed:  # none yet: approved before revisions were
        raise ValidationError(  # kept (an upgraded database); this approval is revision 1
            {
                "plan": _("The plan has not changed since revision {number} was approved.").format(
                    number=current.number
                )
            }
        )
    revision = _freeze_plan(session, actor, row, note=note, meeting_id=meeting_id)
    row.updated_at = utcnow()
    session.flush()
    return {
        "plan_revision": [revision.number - 1, revision.number],
        "plan_changes": [None, [c.text for c in status.changes]],
    }


def approve_plan_revision(
    session: Session,
    actor: Actor,
    assessment_id: int,
    *,
    note: str = "",
    meeting_id: int | None = None,
    version: int | None = None,
) -> PlanRevisionInfo:
    """The committee approves the plan as changed since its last approval (a new revision)."""
    actor.require(Permission.DECIDE_ACTIONS)
    row = _load(session, assessment_id)
    _check_version(row, version)
    if meeting_id is not None and session.get(CommitteeMeeting, meeting_id) is None:
        raise NotFound(_("The meeting no longer exists."))
    changes = apply_plan_revision(session, actor, row, note=note, meeting_id=meeting_id)
    audit.record(session, actor, "approve_revision", ENTITY, row.id, changes)
    return _revision_info(session, _revisions(session, row.id)[-1])


def changed_plan_ids(session: Session) -> list[int]:
    """Rounds whose approved plan has changed since its latest approved revision (two queries
    over every open round's items, for the committee's review)."""
    latest = (
        select(PlanRevision.assessment_id, func.max(PlanRevision.number).label("number"))
        .join(Assessment, PlanRevision.assessment_id == Assessment.id)
        .where(Assessment.state.in_([str(s) for s in REVISION_STATES]))
        .group_by(PlanRevision.assessment_id)
        .subquery()
    )
    snapshots = {
        assessment_id: snapshot
        for assessment_id, snapshot in session.execute(
            select(PlanRevision.assessment_id, PlanRevision.snapshot).join(
                latest,
                (PlanRevision.assessment_id == latest.c.assessment_id)
                & (PlanRevision.number == latest.c.number),
            )
        )
    }
    if not snapshots:
        return []
    live: dict[int, list[ActionItem]] = {}
    for item in session.scalars(
        select(ActionItem).where(
            ActionItem.source_kind == "healthwise", ActionItem.source_id.in_(list(snapshots))
        )
    ):
        live.setdefault(item.source_id or 0, []).append(item)
    return sorted(
        assessment_id
        for assessment_id, snapshot in snapshots.items()
        if hw.plan_changes(
            _snapshot_facts(json.loads(snapshot)), _live_facts(live.get(assessment_id, []))
        )
    )


def changed_plans(session: Session, actor: Actor) -> list[AssessmentRow]:
    """Rounds whose approved plan changed since approval: the committee approves the revision."""
    actor.require(Permission.VIEW_ACTIONS)
    ids = changed_plan_ids(session)
    if not ids:
        return []
    return list_assessments(
        session,
        actor,
        AssessmentFilter(ids=tuple(ids)),
        sort="assessed_on",
        descending=False,
        limit=len(ids),
    )


def _consensus_map(session: Session, row: Assessment) -> dict[str, tuple[str, bool]]:
    sheet = _sheet(session, row.id, None)
    if sheet is None:
        return {}
    query = (
        select(Checkpoint.code, ChecklistAnswer.answer, ChecklistAnswer.priority)
        .join(Checkpoint, ChecklistAnswer.checkpoint_id == Checkpoint.id)
        .where(ChecklistAnswer.sheet_id == sheet.id)
    )
    return {code: (answer, priority) for code, answer, priority in session.execute(query)}


def get_progress(session: Session, actor: Actor, assessment_id: int) -> ProgressView:
    """Findings by module and how they compare with the area's previous round."""
    actor.require(Permission.VIEW_ACTIONS)
    row = _load(session, assessment_id)
    detail = _detail(session, row.template)
    previous = session.get(Assessment, row.previous_id) if row.previous_id else None
    before = _consensus_map(session, previous) if previous else {}
    current = _consensus_map(session, row)
    modules = [(m.code, [c.code for c in m.checkpoints]) for m in detail.modules]
    progress = hw.compare_rounds(modules, before, current)
    totals: dict[str, list[int]] = {}
    module_of = {c.code: c.module_code for c in detail.checkpoints}
    for item in _linked_actions(session, row.id):
        module_code = module_of.get(item.source_item)
        if module_code is None:
            continue
        counts = totals.setdefault(module_code, [0, 0])
        counts[0] += 1
        counts[1] += int(item.status in (ActionStatus.VERIFIED, ActionStatus.CLOSED))
    views = []
    for module, summary in zip(detail.modules, progress.modules, strict=True):
        total, completed = totals.get(module.code, [0, 0])
        views.append(
            ModuleProgressView(
                code=module.code,
                title_zh=module.title_zh,
                title_en=module.title_en,
                checkpoints=len(module.checkpoints),
                proposed_before=summary.proposed_before,
                proposed_after=summary.proposed_after,
                priority_before=summary.priority_before,
                priority_after=summary.priority_after,
                improved=summary.improved,
                worsened=summary.worsened,
                actions_total=total,
                actions_completed=completed,
            )
        )
    return ProgressView(
        assessment=_info_of(session, row),
        previous=_info_of(session, previous) if previous else None,
        modules=tuple(views),
        changes=progress.checkpoints,
        titles={c.code: (c.title_zh, c.title_en) for c in detail.checkpoints},
    )


# -- figures for the summary report and the dashboard -------------------------------------------


@dataclass(frozen=True)
class HealthwiseSummary:
    """HealthWISE work of a period (rounds walked on dates in it), from aggregate queries."""

    rounds: int
    rounds_by_state: Mapping[str, int]
    areas: int  # distinct departments (or named areas) walked
    members_by_sex: Mapping[str, int]  # team participation; "unknown" where not recorded
    members_by_role: Mapping[str, int]
    proposed: int  # consensus items where action was proposed
    priorities: int
    actions: actions.ActionCounts  # the rounds' action items


def period_summary(
    session: Session,
    actor: Actor,
    start: dt.date,
    end: dt.date,
    today: dt.date | None = None,
) -> HealthwiseSummary:
    """Rounds walked from ``start`` to ``end`` (inclusive), their teams, findings and items."""
    actor.require(Permission.VIEW_ACTIONS)
    in_period = (Assessment.assessed_on >= start, Assessment.assessed_on <= end)
    by_state = {
        str(state): int(n)
        for state, n in session.execute(
            select(Assessment.state, func.count(Assessment.id))
            .where(*in_period)
            .group_by(Assessment.state)
        )
    }
    area = func.coalesce(cast(Assessment.department_id, String), Assessment.area)
    areas = session.scalar(select(func.count(func.distinct(area))).where(*in_period))
    sex = func.coalesce(AssessmentMember.sex, "unknown")
    by_sex = {
        str(k): int(n)
        for k, n in session.execute(
            select(sex, func.count(AssessmentMember.id))
            .join(Assessment, AssessmentMember.assessment_id == Assessment.id)
            .where(*in_period)
            .group_by(sex)
        )
    }
    by_role = {
        str(k): int(n)
        for k, n in session.execute(
            select(AssessmentMember.team_role, func.count(AssessmentMember.id))
            .join(Assessment, AssessmentMember.assessment_id == Assessment.id)
            .where(*in_period)
            .group_by(AssessmentMember.team_role)
        )
    }
    consensus = (
        select(ChecklistAnswer.answer, ChecklistAnswer.priority)
        .join(ChecklistSheet, ChecklistAnswer.sheet_id == ChecklistSheet.id)
        .join(Assessment, ChecklistSheet.assessment_id == Assessment.id)
        .where(ChecklistSheet.member_id.is_(None), *in_period)
        .subquery()
    )
    proposed, priorities = session.execute(
        select(
            func.count().filter(consensus.c.answer == Answer.ACTION_PROPOSED),
            func.count().filter(consensus.c.priority.is_(True)),
        ).select_from(consensus)
    ).one()
    round_ids = select(Assessment.id).where(*in_period)
    today = today or dt.date.today()
    items = session.execute(
        select(ActionItem.status, func.count(ActionItem.id))
        .where(ActionItem.source_kind == "healthwise", ActionItem.source_id.in_(round_ids))
        .group_by(ActionItem.status)
    )
    item_counts = {str(s): int(n) for s, n in items}
    overdue = session.scalar(
        select(func.count(ActionItem.id)).where(
            ActionItem.source_kind == "healthwise",
            ActionItem.source_id.in_(round_ids),
            actions.overdue_condition(today),
        )
    )
    return HealthwiseSummary(
        rounds=sum(by_state.values()),
        rounds_by_state=by_state,
        areas=int(areas or 0),
        members_by_sex=by_sex,
        members_by_role=by_role,
        proposed=int(proposed or 0),
        priorities=int(priorities or 0),
        actions=actions.ActionCounts(
            total=sum(item_counts.values()), by_status=item_counts, overdue=int(overdue or 0)
        ),
    )
