"""Action items: create, edit, move through their statuses, attach evidence, list and count.

The shared tracker of improvements: HealthWISE plans (``source_kind='healthwise'``), the hazard
register's further controls (``source_kind='hazard'``), committee decisions and anything else.
A caller links its record by ``source_kind`` + ``source_id`` (+ ``source_item``, e.g. a checkpoint
code, and ``source_label``, a short text shown in lists); there is no foreign key to the source.

Rights: reading needs ``VIEW_ACTIONS``; creating, editing and the planning moves need
``MANAGE_ACTIONS``; approving, rejecting, verifying, reopening and closing need
``DECIDE_ACTIONS`` (the committee). Every write is one audit event and one or more lines of the
item's own update log (``list_updates``), which is the follow-up trail the committee reviews.

Stable API (other areas call it)::

    create_action(session, actor, info, today=None) -> ActionInfo
    update_action(session, actor, info, comment="") -> ActionInfo
    transition_action(session, actor, action_id, target, *, reason="", new_due_date=None,
                      version=None, today=None) -> ActionInfo
    add_note(session, actor, action_id, comment) -> ActionUpdateRow
    add_evidence(session, actor, action_id, filename, data, *, kind="document", caption="")
        -> EvidenceInfo
    evidence_data(session, actor, evidence_id) -> tuple[EvidenceInfo, bytes]
    get_action(session, actor, action_id, today=None) -> ActionInfo
    list_actions(session, actor, filters, sort, descending, offset, limit, today=None)
        -> list[ActionRow]
    count_actions(session, actor, filters, today=None) -> int
    action_counts(session, actor, filters, today=None) -> ActionCounts
    actions_for_source(session, actor, source_kind, source_id, today=None) -> list[ActionRow]
    list_updates(session, actor, action_id) -> list[ActionUpdateRow]
    list_evidence(session, actor, action_id) -> list[EvidenceInfo]
    available_transitions(actor, status) -> list[TransitionChoice]
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import mimetypes
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import Boolean, Select, and_, func, not_, or_, select, text, type_coerce
from sqlalchemy.orm import Session, aliased

from hospital_osh.domain import actions as rules
from hospital_osh.domain.actions import TRANSITIONS, ActionStatus, ItemFacts, Right
from hospital_osh.domain.roles import Permission
from hospital_osh.i18n import _
from hospital_osh.models import ActionEvidence, ActionItem, ActionUpdate, Department, User
from hospital_osh.models.base import utcnow
from hospital_osh.services import audit
from hospital_osh.services.context import Actor
from hospital_osh.services.errors import Conflict, NotFound, PermissionDenied, ValidationError
from hospital_osh.services.page_rows import build_rows, nulls_last_page
from hospital_osh.services.text_checks import text_problem

ENTITY = "action_item"
_PG_REFERENCE_LOCK = 73_657_004  # serialises action reference numbers on PostgreSQL
MAX_EVIDENCE_BYTES = 10 * 1024 * 1024
MAX_COST_CNY = Decimal("9999999999.99")

# Evidence: file suffix -> (MIME type, the first bytes a real file of that type starts with).
EVIDENCE_TYPES: dict[str, tuple[str, tuple[bytes, ...]]] = {
    ".jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
    ".gif": ("image/gif", (b"GIF87a", b"GIF89a")),
    ".pdf": ("application/pdf", (b"%PDF-",)),
    ".docx": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        (b"PK\x03\x04",),
    ),
    ".xlsx": (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        (b"PK\x03\x04",),
    ),
    ".txt": ("text/plain", ()),
}

EDITABLE = (
    "title",
    "details",
    "department_id",
    "location",
    "owner_user_id",
    "owner_name",
    "supporting",
    "due_date",
    "resources",
    "cost_category",
    "cost_cny",
    "hierarchy_level",
    "verification_method",
    "gender_relevant",
    "source_kind",
    "source_id",
    "source_item",
    "source_label",
)
_TEXT_LIMITS = {
    "title": 300,
    "details": None,
    "location": 200,
    "owner_name": 120,
    "supporting": 300,
    "resources": None,
    "verification_method": None,
    "source_item": 60,
    "source_label": 200,
}
_MULTILINE = frozenset({"details", "resources", "verification_method"})


# -- DTOs ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ActionInfo:
    """One action item as a form edits it; read-only fields follow the editable ones.

    ``owner_user_id`` names an application user as owner; ``owner_name`` a person without an
    account (it is filled from the user's display name when a user is chosen).
    """

    title: str = ""
    details: str = ""
    department_id: int | None = None
    location: str = ""
    owner_user_id: int | None = None
    owner_name: str = ""
    supporting: str = ""
    due_date: dt.date | None = None
    resources: str = ""
    cost_category: str | None = None
    cost_cny: Decimal | None = None
    hierarchy_level: str | None = None
    verification_method: str = ""
    gender_relevant: bool = False
    source_kind: str = "other"
    source_id: int | None = None
    source_item: str = ""
    source_label: str = ""
    # -- read-only --
    id: int | None = None
    version: int | None = None
    uuid: str = ""
    reference: str = ""
    status: str = ActionStatus.PROPOSED
    status_reason: str = ""
    status_changed_at: dt.datetime | None = None
    reopened_count: int = 0
    verified_by: str = ""
    verified_on: dt.date | None = None
    overdue: bool = False
    owner_username: str = ""
    department_code: str = ""
    department_zh: str = ""
    department_en: str = ""
    created_by: str = ""
    created_at: dt.datetime | None = None
    updated_at: dt.datetime | None = None
    evidence_count: int = 0

    def values(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in EDITABLE}


@dataclass(frozen=True)
class ActionRow:
    """One line of the action plan list (and of a source's linked items)."""

    id: int
    reference: str
    title: str
    status: str
    overdue: bool
    due_date: dt.date | None
    owner_name: str
    owner_username: str
    department_id: int | None
    department_zh: str
    department_en: str
    location: str
    hierarchy_level: str | None
    cost_cny: Decimal | None
    resources: str
    source_kind: str
    source_id: int | None
    source_item: str
    source_label: str
    status_reason: str
    updated_at: dt.datetime
    version: int


@dataclass(frozen=True)
class ActionFilter:
    """Filters of the action plan list; ``statuses`` empty means every status."""

    statuses: tuple[str, ...] = ()
    overdue: bool | None = None
    open_only: bool = False  # hide closed, rejected and cancelled items
    department_id: int | None = None
    source_kind: str | None = None
    source_id: int | None = None
    owner_user_id: int | None = None
    hierarchy_level: str | None = None
    due_from: dt.date | None = None
    due_to: dt.date | None = None
    search: str = ""


@dataclass(frozen=True)
class ActionCounts:
    """For the dashboard and the report: items by status, and how many are overdue."""

    total: int
    by_status: Mapping[str, int]
    overdue: int

    @property
    def open(self) -> int:
        return self.total - sum(self.by_status.get(s, 0) for s in rules.CLOSED_STATUSES)


@dataclass(frozen=True)
class ActionUpdateRow:
    id: int
    at: dt.datetime
    actor: str
    actor_name: str
    kind: str  # create, edit, status, evidence, note
    old_status: str | None
    new_status: str | None
    changes: dict[str, list[Any]]
    comment: str


@dataclass(frozen=True)
class EvidenceInfo:
    id: int
    action_id: int
    kind: str
    filename: str
    mime_type: str
    size: int
    sha256: str
    caption: str
    added_by: str
    added_at: dt.datetime

    @property
    def is_image(self) -> bool:
        return self.mime_type.startswith("image/")


@dataclass(frozen=True)
class TransitionChoice:
    """A move the actor may offer on an item in its current status."""

    target: str
    label: str  # translated verb
    needs_reason: bool
    needs_new_due_date: bool


# -- helpers ------------------------------------------------------------------------------------


def _today(today: dt.date | None) -> dt.date:
    return today or dt.date.today()


def _not_found() -> NotFound:
    return NotFound(_("The action item no longer exists."))


def _load(session: Session, action_id: int) -> ActionItem:
    row = session.get(ActionItem, action_id)
    if row is None:
        raise _not_found()
    return row


def _actor_name(actor: Actor) -> str:
    return actor.display_name or actor.username


def _permission(right: Right) -> Permission:
    return Permission.DECIDE_ACTIONS if right is Right.DECIDE else Permission.MANAGE_ACTIONS


def status_label(code: str) -> str:
    """The status in the user's language."""
    return _(rules.ACTION_STATUSES.label(code))


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    return value


def _info_of(session: Session, row: ActionItem, today: dt.date) -> ActionInfo:
    values = {name: getattr(row, name) for name in EDITABLE}
    department = row.department
    owner = row.owner_user
    evidence = session.scalar(
        select(func.count(ActionEvidence.id)).where(ActionEvidence.action_id == row.id)
    )
    return ActionInfo(
        **values,
        id=row.id,
        version=row.version,
        uuid=row.uuid,
        reference=row.reference,
        status=row.status,
        status_reason=row.status_reason,
        status_changed_at=row.status_changed_at,
        reopened_count=row.reopened_count,
        verified_by=row.verified_by,
        verified_on=row.verified_on,
        overdue=rules.is_overdue(row.status, row.due_date, today),
        owner_username=owner.username if owner else "",
        department_code=department.code if department else "",
        department_zh=department.name_zh if department else "",
        department_en=department.name_en if department else "",
        created_by=row.created_by,
        created_at=row.created_at,
        updated_at=row.updated_at,
        evidence_count=int(evidence or 0),
    )


def _log(
    session: Session,
    actor: Actor,
    row: ActionItem,
    kind: str,
    *,
    old_status: str | None = None,
    new_status: str | None = None,
    changes: Mapping[str, list[Any]] | None = None,
    comment: str = "",
) -> ActionUpdate:
    entry = ActionUpdate(
        action_id=row.id,
        at=utcnow(),
        actor=actor.username,
        actor_name=_actor_name(actor),
        kind=kind,
        old_status=old_status,
        new_status=new_status,
        changes=json.dumps(changes or {}, ensure_ascii=False, sort_keys=True, default=str),
        comment=comment,
    )
    session.add(entry)
    return entry


def _cleaned(info: ActionInfo) -> ActionInfo:
    changes: dict[str, Any] = {name: getattr(info, name).strip() for name in _TEXT_LIMITS}
    for name in ("cost_category", "hierarchy_level"):
        value = getattr(info, name)
        if isinstance(value, str) and not value.strip():
            changes[name] = None
    if info.cost_cny is not None and not isinstance(info.cost_cny, Decimal):
        try:
            changes["cost_cny"] = Decimal(str(info.cost_cny))
        except InvalidOperation:
            changes["cost_cny"] = Decimal("NaN")
    return replace(info, **changes)


def _validate(session: Session, info: ActionInfo) -> ActionInfo:
    """The cleaned item with the owner's name filled in, or ValidationError."""
    errors: dict[str, str] = {}
    if not info.title:
        errors["title"] = _("Say what will be done.")
    for name, limit in _TEXT_LIMITS.items():
        problem = text_problem(getattr(info, name), limit, multiline=name in _MULTILINE)
        if problem:
            errors.setdefault(name, problem)
    if info.department_id is not None and session.get(Department, info.department_id) is None:
        errors["department_id"] = _("Choose a department from the list.")
    owner_name = info.owner_name
    if info.owner_user_id is not None:
        user = session.get(User, info.owner_user_id)
        if user is None:
            errors["owner"] = _("The chosen user no longer exists.")
        elif not owner_name:
            owner_name = user.display_name or user.username
    if info.cost_category is not None and info.cost_category not in rules.COST_CATEGORIES:
        errors["cost_category"] = _("Choose a cost category from the list.")
    if info.cost_cny is not None:
        cost = info.cost_cny
        if not cost.is_finite() or cost < 0 or cost > MAX_COST_CNY:
            errors["cost_cny"] = _("Enter a cost in yuan between 0 and 9,999,999,999.99.")
        elif cost != cost.quantize(Decimal("0.01")):
            errors["cost_cny"] = _("Give the cost to the fen (two decimals) at most.")
    if info.hierarchy_level is not None and info.hierarchy_level not in rules.HIERARCHY_LEVELS:
        errors["hierarchy_level"] = _("Choose a level of the hierarchy of controls.")
    if info.source_kind not in rules.SOURCE_KINDS:
        errors["source_kind"] = _("Unknown source of the action item.")
    elif info.source_kind == "hazard" and info.hierarchy_level is None:
        errors["hierarchy_level"] = _(
            "A control of a hazard needs its level in the hierarchy of controls."
        )
    if info.source_id is not None and info.source_id < 1:
        errors["source_id"] = _("Unknown source of the action item.")
    if errors:
        raise ValidationError(errors)
    return replace(info, owner_name=owner_name)


def next_reference(session: Session, year: int) -> tuple[int, str]:
    """The next ACT-YYYY-NNNN number (in the caller's write transaction, which serialises it)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_REFERENCE_LOCK})
    last = session.scalar(select(func.max(ActionItem.ref_seq)).where(ActionItem.ref_year == year))
    seq = (last or 0) + 1
    return seq, f"ACT-{year}-{seq:04d}"


def _require_open(row: ActionItem) -> None:
    if row.status in rules.CLOSED_STATUSES:
        raise ValidationError(
            {
                "status": _("The item is {status} and can no longer be changed.").format(
                    status=status_label(row.status)
                )
            }
        )


# -- writing ------------------------------------------------------------------------------------


def insert_action(
    session: Session, actor: Actor, info: ActionInfo, *, status: str = ActionStatus.PROPOSED
) -> ActionItem:
    """Validate and add an item with its first log line, without an audit event.

    For services that create items as part of a larger write which they audit once
    (HealthWISE plans, committee decisions). Checks ``MANAGE_ACTIONS``.
    """
    actor.require(Permission.MANAGE_ACTIONS)
    info = _validate(session, _cleaned(info))
    year = utcnow().year
    seq, reference = next_reference(session, year)
    now = utcnow()
    row = ActionItem(
        ref_year=year,
        ref_seq=seq,
        reference=reference,
        status=status,
        status_changed_at=now,
        created_by=actor.username,
        created_at=now,
        updated_at=now,
        **info.values(),
    )
    session.add(row)
    session.flush()
    _log(session, actor, row, "create", new_status=status)
    return row


def create_action(
    session: Session, actor: Actor, info: ActionInfo, today: dt.date | None = None
) -> ActionInfo:
    """Add a proposed item. The hazard register passes ``source_kind='hazard'`` and the hazard's
    id; a hazard control must carry its ``hierarchy_level``."""
    row = insert_action(session, actor, info)
    values = {name: _plain(v) for name, v in _info_of(session, row, _today(today)).values().items()}
    audit.record(
        session,
        actor,
        "create",
        ENTITY,
        row.id,
        audit.created(values | {"reference": row.reference, "status": row.status}),
    )
    return _info_of(session, row, _today(today))


def update_action(
    session: Session, actor: Actor, info: ActionInfo, comment: str = ""
) -> ActionInfo:
    """Save an edit of an open item (``info.version`` guards against lost updates)."""
    actor.require(Permission.MANAGE_ACTIONS)
    if info.id is None:
        raise _not_found()
    row = _load(session, info.id)
    _require_open(row)
    info = _validate(session, _cleaned(info))
    if info.version is not None and info.version != row.version:
        raise Conflict(
            _(
                "Someone else changed this record since you opened it. "
                "Close it, open it again and repeat your change."
            )
        )
    problem = text_problem(comment, multiline=True)
    if problem:
        raise ValidationError({"comment": problem})
    before = {name: _plain(getattr(row, name)) for name in EDITABLE}
    for name, value in info.values().items():
        if _plain(value) != before[name]:
            setattr(row, name, value)
    after = {name: _plain(getattr(row, name)) for name in EDITABLE}
    changes = audit.diff(before, after)
    if not changes:  # nothing changed: nothing to log or audit
        return _info_of(session, row, dt.date.today())
    row.updated_at = utcnow()
    session.flush()
    _log(session, actor, row, "edit", changes=changes, comment=comment.strip())
    audit.record(session, actor, "update", ENTITY, row.id, changes)
    return _info_of(session, row, dt.date.today())


def _status_message(issue_: Any, source: str, target: str) -> str:
    if issue_.field == "status":
        return _("An item that is {status} cannot become {target}.").format(
            status=status_label(source), target=status_label(target)
        )
    return issue_.text.render(_)


def apply_transition(
    session: Session,
    actor: Actor,
    row: ActionItem,
    target: str,
    *,
    reason: str = "",
    new_due_date: dt.date | None = None,
    today: dt.date | None = None,
) -> dict[str, list[Any]]:
    """Move ``row`` to ``target`` after checking the right and the guards; log it, do not audit.

    For callers that audit a larger write once (committee decisions, HealthWISE plan approval).
    Returns the changes, for the caller's audit event.
    """
    today = _today(today)
    move = rules.transition_for(row.status, target)
    if move is not None and not actor.can(_permission(move.right)):
        raise PermissionDenied(
            _("Your role ({role}) may not take this step: {step}.").format(
                role=actor.role, step=_(move.label)
            )
        )
    reason = reason.strip()
    problem = text_problem(reason, multiline=True)
    if problem:
        raise ValidationError({"reason": problem})
    owner_username = row.owner_user.username if row.owner_user else None
    facts = ItemFacts(
        status=row.status,
        owner_username=owner_username,
        owner_name=row.owner_name,
        due_date=row.due_date,
        resources=row.resources,
        reason=reason,
        new_due_date=new_due_date,
        actor_username=actor.username,
        actor_name=_actor_name(actor),
    )
    issues = rules.check_transition(facts, target, today)
    if issues:
        raise ValidationError(
            {i.field: _status_message(i, row.status, target) for i in reversed(issues)}
        )
    assert move is not None
    old = row.status
    changes: dict[str, list[Any]] = {"status": [old, target]}
    if move.needs_new_due_date:
        changes["due_date"] = [_plain(row.due_date), _plain(new_due_date)]
        row.due_date = new_due_date
    if move.target == ActionStatus.VERIFIED:
        row.verified_by = _actor_name(actor)
        row.verified_on = today
        changes["verified_by"] = ["", row.verified_by]
    if move.source == ActionStatus.DONE and move.target == ActionStatus.IN_PROGRESS:
        row.reopened_count += 1
        changes["reopened_count"] = [row.reopened_count - 1, row.reopened_count]
    row.status = target
    row.status_reason = reason
    row.status_changed_at = utcnow()
    row.updated_at = row.status_changed_at
    if reason:
        changes["reason"] = ["", reason]
    _log(session, actor, row, "status", old_status=old, new_status=target, comment=reason)
    session.flush()
    return changes


def transition_action(
    session: Session,
    actor: Actor,
    action_id: int,
    target: str,
    *,
    reason: str = "",
    new_due_date: dt.date | None = None,
    version: int | None = None,
    today: dt.date | None = None,
) -> ActionInfo:
    """Move an item to ``target`` (see ``domain.actions.TRANSITIONS`` for the moves, rights and
    what each needs: a reason, a new due date, an owner/due date/resources to plan, a verifier
    other than the owner)."""
    actor.require(Permission.VIEW_ACTIONS)
    # Refused at entry when no move into ``target`` is open to the role; the move's own right
    # (which depends on where the item stands) is checked once the item is read.
    needed = [_permission(move.right) for move in TRANSITIONS if move.target == target]
    if needed and not any(actor.can(permission) for permission in needed):
        actor.require(needed[0])
    row = _load(session, action_id)
    if version is not None and version != row.version:
        raise Conflict(
            _(
                "Someone else changed this record since you opened it. "
                "Close it, open it again and repeat your change."
            )
        )
    changes = apply_transition(
        session, actor, row, target, reason=reason, new_due_date=new_due_date, today=today
    )
    audit.record(session, actor, "transition", ENTITY, row.id, changes)
    return _info_of(session, row, _today(today))


def add_note(session: Session, actor: Actor, action_id: int, comment: str) -> ActionUpdateRow:
    """A progress note in the item's log (no change of fields)."""
    actor.require(Permission.MANAGE_ACTIONS)
    row = _load(session, action_id)
    _require_open(row)
    comment = comment.strip()
    if not comment:
        raise ValidationError({"comment": _("Write the note.")})
    problem = text_problem(comment, multiline=True)
    if problem:
        raise ValidationError({"comment": problem})
    entry = _log(session, actor, row, "note", comment=comment)
    row.updated_at = utcnow()
    session.flush()
    audit.record(session, actor, "note", ENTITY, row.id, {"note": ["", comment]})
    return _update_row(entry)


def _sniff(filename: str, data: bytes) -> str:
    """The MIME type of an accepted evidence file, or ValidationError."""
    suffix = "." + filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    known = EVIDENCE_TYPES.get(suffix)
    if known is None:
        allowed = ", ".join(sorted({s.lstrip(".") for s in EVIDENCE_TYPES}))
        raise ValidationError(
            {
                "file": _("Files of this type cannot be attached. Allowed: {types}.").format(
                    types=allowed
                )
            }
        )
    mime, signatures = known
    if signatures and not data.startswith(signatures):
        raise ValidationError(
            {
                "file": _("The file {name} is not a real {suffix} file.").format(
                    name=filename, suffix=suffix.lstrip(".")
                )
            }
        )
    if not signatures:
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            raise ValidationError({"file": _("A text file must be UTF-8 encoded.")}) from None
    return mime or mimetypes.guess_type(filename)[0] or "application/octet-stream"


def _evidence_info(row: ActionEvidence) -> EvidenceInfo:
    return EvidenceInfo(
        id=row.id,
        action_id=row.action_id,
        kind=row.kind,
        filename=row.filename,
        mime_type=row.mime_type,
        size=row.size,
        sha256=row.sha256,
        caption=row.caption,
        added_by=row.added_by,
        added_at=row.added_at,
    )


def add_evidence(
    session: Session,
    actor: Actor,
    action_id: int,
    filename: str,
    data: bytes,
    *,
    kind: str = "document",
    caption: str = "",
) -> EvidenceInfo:
    """Attach a photo (before/after) or a document, stored in the database (so backups carry
    it). At most ``MAX_EVIDENCE_BYTES``; the content must match the file type."""
    actor.require(Permission.MANAGE_ACTIONS)
    row = _load(session, action_id)
    _require_open(row)
    filename = filename.replace("\\", "/").rsplit("/", 1)[-1].strip()
    errors: dict[str, str] = {}
    if kind not in rules.EVIDENCE_KINDS:
        errors["kind"] = _("Choose what the file shows.")
    name_problem = text_problem(filename, 200)
    if not filename:
        errors["file"] = _("Choose a file.")
    elif name_problem:
        errors["file"] = name_problem
    elif not data:
        errors["file"] = _("The file is empty.")
    elif len(data) > MAX_EVIDENCE_BYTES:
        errors["file"] = _("The file is larger than {limit} MB.").format(
            limit=MAX_EVIDENCE_BYTES // (1024 * 1024)
        )
    caption = caption.strip()
    caption_problem = text_problem(caption, 300)
    if caption_problem:
        errors["caption"] = caption_problem
    if errors:
        raise ValidationError(errors)
    mime = _sniff(filename, data)
    evidence = ActionEvidence(
        action_id=row.id,
        kind=kind,
        filename=filename,
        mime_type=mime,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        caption=caption,
        added_by=actor.username,
        added_at=utcnow(),
        data=data,
    )
    session.add(evidence)
    session.flush()
    _log(
        session,
        actor,
        row,
        "evidence",
        changes={"evidence": [None, filename]},
        comment=caption,
    )
    row.updated_at = utcnow()
    audit.record(
        session,
        actor,
        "add_evidence",
        ENTITY,
        row.id,
        audit.created(
            {"filename": filename, "kind": kind, "size": len(data), "sha256": evidence.sha256}
        ),
    )
    return _evidence_info(evidence)


# -- reading ------------------------------------------------------------------------------------


def get_action(
    session: Session, actor: Actor, action_id: int, today: dt.date | None = None
) -> ActionInfo:
    actor.require(Permission.VIEW_ACTIONS)
    return _info_of(session, _load(session, action_id), _today(today))


def list_evidence(session: Session, actor: Actor, action_id: int) -> list[EvidenceInfo]:
    actor.require(Permission.VIEW_ACTIONS)
    _load(session, action_id)
    rows = session.scalars(
        select(ActionEvidence)
        .where(ActionEvidence.action_id == action_id)
        .order_by(ActionEvidence.id)
    )
    return [_evidence_info(r) for r in rows]


def evidence_data(session: Session, actor: Actor, evidence_id: int) -> tuple[EvidenceInfo, bytes]:
    """An attachment and its bytes (to open or save it)."""
    actor.require(Permission.VIEW_ACTIONS)
    row = session.get(ActionEvidence, evidence_id)
    if row is None:
        raise NotFound(_("The attached file no longer exists."))
    return _evidence_info(row), bytes(row.data)


def _update_row(entry: ActionUpdate) -> ActionUpdateRow:
    return ActionUpdateRow(
        id=entry.id,
        at=entry.at,
        actor=entry.actor,
        actor_name=entry.actor_name,
        kind=entry.kind,
        old_status=entry.old_status,
        new_status=entry.new_status,
        changes=json.loads(entry.changes),
        comment=entry.comment,
    )


def list_updates(session: Session, actor: Actor, action_id: int) -> list[ActionUpdateRow]:
    """The item's follow-up trail, oldest first."""
    actor.require(Permission.VIEW_ACTIONS)
    _load(session, action_id)
    rows = session.scalars(
        select(ActionUpdate).where(ActionUpdate.action_id == action_id).order_by(ActionUpdate.id)
    )
    return [_update_row(r) for r in rows]


def available_transitions(actor: Actor, status: str) -> list[TransitionChoice]:
    """The moves out of ``status`` that ``actor`` has the right to take (for buttons)."""
    return [
        TransitionChoice(t.target, _(t.label), t.needs_reason, t.needs_new_due_date)
        for t in rules.allowed_targets(status)
        if actor.can(_permission(t.right))
    ]


_Dept = aliased(Department)
_Owner = aliased(User)


def overdue_condition(today: dt.date) -> Any:
    """SQL for the derived overdue flag (``domain.actions.is_overdue``)."""
    return and_(
        ActionItem.due_date.is_not(None),
        ActionItem.due_date < today,
        ActionItem.status.not_in([str(s) for s in rules.NOT_OVERDUE_STATUSES]),
    )


def _filtered(query: Select, filters: ActionFilter, today: dt.date) -> Select:  # type: ignore[type-arg]
    if filters.statuses:
        query = query.where(ActionItem.status.in_(filters.statuses))
    if filters.open_only:
        query = query.where(ActionItem.status.not_in([str(s) for s in rules.CLOSED_STATUSES]))
    if filters.overdue is not None:
        condition = overdue_condition(today)
        query = query.where(condition if filters.overdue else not_(condition))
    for name in (
        "department_id",
        "source_kind",
        "source_id",
        "owner_user_id",
        "hierarchy_level",
    ):
        value = getattr(filters, name)
        if value is not None and value != "":
            query = query.where(getattr(ActionItem, name) == value)
    if filters.due_from is not None:
        query = query.where(ActionItem.due_date >= filters.due_from)
    if filters.due_to is not None:
        query = query.where(ActionItem.due_date <= filters.due_to)
    search = filters.search.strip()
    if search:
        pattern = f"%{search}%"
        query = query.where(
            or_(
                ActionItem.reference.ilike(pattern),
                ActionItem.title.ilike(pattern),
                ActionItem.owner_name.ilike(pattern),
                ActionItem.location.ilike(pattern),
                ActionItem.source_label.ilike(pattern),
            )
        )
    return query


SORT_COLUMNS: dict[str, tuple[Any, ...]] = {
    "reference": (ActionItem.ref_year, ActionItem.ref_seq),
    "title": (ActionItem.title,),
    "status": (ActionItem.status,),
    "due_date": (ActionItem.due_date,),
    "owner": (ActionItem.owner_name,),
    "department": (_Dept.code,),
    "hierarchy_level": (ActionItem.hierarchy_level,),
    "cost_cny": (ActionItem.cost_cny,),
    "source": (ActionItem.source_kind, ActionItem.source_label),
    "updated_at": (ActionItem.updated_at,),
}
NULLABLE_SORTS = {
    "due_date": ActionItem.due_date,
    "department": _Dept.code,
    "hierarchy_level": ActionItem.hierarchy_level,
    "cost_cny": ActionItem.cost_cny,
}
"""Orders over a column that may be empty: items without a value come last, in either
direction (an undated item is neither the most nor the least urgent), read by
``nulls_last_page`` so that an index serves the order (``ix_action_item_due``, migration 0008)."""


def list_actions(
    session: Session,
    actor: Actor,
    filters: ActionFilter = ActionFilter(),
    sort: str = "due_date",
    descending: bool = False,
    offset: int = 0,
    limit: int = 100,
    today: dt.date | None = None,
) -> list[ActionRow]:
    """One page of items, filtered and sorted in SQL (items without a due date sort last)."""
    actor.require(Permission.VIEW_ACTIONS)
    today = _today(today)
    if sort not in SORT_COLUMNS:
        sort = "due_date"
    tie = ActionItem.id.desc() if descending else ActionItem.id.asc()
    # Columns in ActionRow's field order, the overdue flag in SQL: a page loads no ORM objects
    # (hydrating 200 action items was most of the page's time, bench/run.py).
    query = _filtered(
        select(
            ActionItem.id,
            ActionItem.reference,
            ActionItem.title,
            ActionItem.status,
            type_coerce(overdue_condition(today), Boolean),
            ActionItem.due_date,
            ActionItem.owner_name,
            func.coalesce(_Owner.username, ""),
            ActionItem.department_id,
            func.coalesce(_Dept.name_zh, ""),
            func.coalesce(_Dept.name_en, ""),
            ActionItem.location,
            ActionItem.hierarchy_level,
            ActionItem.cost_cny,
            ActionItem.resources,
            ActionItem.source_kind,
            ActionItem.source_id,
            ActionItem.source_item,
            ActionItem.source_label,
            ActionItem.status_reason,
            ActionItem.updated_at,
            ActionItem.version,
        )
        .outerjoin(_Dept, ActionItem.department_id == _Dept.id)
        .outerjoin(_Owner, ActionItem.owner_user_id == _Owner.id),
        filters,
        today,
    )
    nullable = NULLABLE_SORTS.get(sort)
    if nullable is None:
        order = [c.desc() if descending else c.asc() for c in SORT_COLUMNS[sort]]
        result = (
            session.connection()
            .execute(query.order_by(*order, tie).offset(offset).limit(limit))
            .all()
        )
    else:
        by_value = nullable.desc() if descending else nullable.asc()
        result = nulls_last_page(
            session,
            query.where(nullable.is_not(None)).order_by(by_value, tie),
            query.where(nullable.is_(None)).order_by(tie),
            offset,
            limit,
        )
    return build_rows(ActionRow, result)


def _row(
    item: ActionItem, zh: str | None, en: str | None, username: str | None, today: dt.date
) -> ActionRow:
    return ActionRow(
        id=item.id,
        reference=item.reference,
        title=item.title,
        status=item.status,
        overdue=rules.is_overdue(item.status, item.due_date, today),
        due_date=item.due_date,
        owner_name=item.owner_name,
        owner_username=username or "",
        department_id=item.department_id,
        department_zh=zh or "",
        department_en=en or "",
        location=item.location,
        hierarchy_level=item.hierarchy_level,
        cost_cny=item.cost_cny,
        resources=item.resources,
        source_kind=item.source_kind,
        source_id=item.source_id,
        source_item=item.source_item,
        source_label=item.source_label,
        status_reason=item.status_reason,
        updated_at=item.updated_at,
        version=item.version,
    )


def count_actions(
    session: Session,
    actor: Actor,
    filters: ActionFilter = ActionFilter(),
    today: dt.date | None = None,
) -> int:
    actor.require(Permission.VIEW_ACTIONS)
    query = _filtered(select(func.count(ActionItem.id)), filters, _today(today))
    return int(session.scalar(query) or 0)


def action_counts(
    session: Session,
    actor: Actor,
    filters: ActionFilter = ActionFilter(),
    today: dt.date | None = None,
) -> ActionCounts:
    """Items by status and the overdue count (two GROUP BY/COUNT queries)."""
    actor.require(Permission.VIEW_ACTIONS)
    today = _today(today)
    query = _filtered(
        select(ActionItem.status, func.count(ActionItem.id)), filters, today
    ).group_by(ActionItem.status)
    by_status = {str(status): int(n) for status, n in session.execute(query)}
    overdue = session.scalar(
        _filtered(select(func.count(ActionItem.id)), filters, today).where(overdue_condition(today))
    )
    return ActionCounts(
        total=sum(by_status.values()), by_status=by_status, overdue=int(overdue or 0)
    )


def actions_for_source(
    session: Session,
    actor: Actor,
    source_kind: str,
    source_id: int,
    today: dt.date | None = None,
) -> list[ActionRow]:
    """Every item linked to one source record (e.g. a hazard's further controls), oldest first."""
    return list_actions(
        session,
        actor,
        ActionFilter(source_kind=source_kind, source_id=source_id),
        sort="reference",
        limit=10_000,
        today=today,
    )


def rows_by_ids(
    session: Session, actor: Actor, ids: Sequence[int], today: dt.date | None = None
) -> list[ActionRow]:
    """Items by id, in reference order (for meeting agendas and minutes)."""
    actor.require(Permission.VIEW_ACTIONS)
    if not ids:
        return []
    today = _today(today)
    query = (
        select(ActionItem, _Dept.name_zh, _Dept.name_en, _Owner.username)
        .outerjoin(_Dept, ActionItem.department_id == _Dept.id)
        .outerjoin(_Owner, ActionItem.owner_user_id == _Owner.id)
        .where(ActionItem.id.in_(list(ids)))
        .order_by(ActionItem.ref_year, ActionItem.ref_seq)
    )
    return [_row(item, zh, en, u, today) for item, zh, en, u in session.execute(query)]
