"""Follow-up items: the list (due this week, overdue, upcoming), reminders, date changes, results.

Only an item's closing ``state`` is stored (``open``, ``done``, ``missed``, ``cancelled``); while it
is open its status is derived from its window and today's **hospital-local** date
(``domain.followup``): ``planned`` before the window, ``due`` inside it, ``overdue`` after it. The
list filters on that in SQL, so the overdue count and the pages agree at any size.

Reading needs VIEW_FOLLOWUPS; names and staff numbers are masked without VIEW_IDENTITIES, results
without VIEW_SEROSTATUS (reminders never show serostatus to roles that may not see it). Writing
needs MANAGE_POST_EXPOSURE; every write is one transaction with one audit event.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache, lru_cache
from typing import Any, NamedTuple

from sqlalchemy import Select, and_, func, select
from sqlalchemy.orm import Session

from hospital_osh.domain.clock import DEFAULT_TIME_ZONE, hospital_today
from hospital_osh.domain.codes import N_
from hospital_osh.domain.followup import (
    FOLLOWUP_STATUSES,
    FollowupStatus,
    days_overdue,
    followup_status,
    validate_done_date,
)
from hospital_osh.domain.immunity import MAX_ANTI_HBS
from hospital_osh.domain.protocol_vocab import FOLLOWUP_ITEMS, FollowupItem
from hospital_osh.domain.roles import Permission
from hospital_osh.i18n import _, current_language
from hospital_osh.models import (
    Exposure,
    FollowUp,
    FollowUpDateChange,
    Hospital,
    SerologyResult,
    Worker,
)
from hospital_osh.models.base import utcnow
from hospital_osh.services import audit, immunisation
from hospital_osh.services.context import Actor
from hospital_osh.services.errors import Conflict, NotFound, ValidationError
from hospital_osh.services.immunisation import issue_messages
from hospital_osh.services.page_rows import build_rows
from hospital_osh.services.text_checks import text_problem

HIDDEN = "•••"
ENTITY = "followup"
OPEN, DONE, MISSED, CANCELLED = "open", "done", "missed", "cancelled"
STATES = (OPEN, DONE, MISSED, CANCELLED)
WEEK_DAYS = 7
# Tests whose result is positive/negative/indeterminate; anti-HBs takes a number (mIU/mL).
QUALITATIVE_TESTS = frozenset({"hbsag", "anti_hbc", "anti_hcv", "hcv_rna", "hiv_ag_ab"})
# A positive result of these, after the baseline, is a seroconversion to the named virus.
SEROCONVERSION_TESTS = {
    "hbsag": "hbv",
    "anti_hbc": "hbv",
    "anti_hcv": "hcv",
    "hcv_rna": "hcv",
    "hiv_ag_ab": "hiv",
}
# Follow-up tests that are also the worker's own serology record (for the immunity status).
WORKER_TESTS = {
    "anti_hbs": "anti_hbs",
    "hbsag": "hbsag",
    "anti_hbc": "anti_hbc",
    "anti_hcv": "anti_hcv",
    "hiv_ag_ab": "hiv",
}
# Reasons the application writes itself: stored in English, shown through the catalogue.
SYSTEM_REASONS = frozenset(
    {
        N_("No longer in the schedule after re-assessment."),
        N_("Imported as a closed case: no record of this item."),
        N_("Recorded in the imported file."),
        N_("Lost to follow-up."),
    }
)
BASELINE_DAYS = 7  # a result within a week of the exposure is a baseline, not a conversion
_RESULTS = ("positive", "negative", "indeterminate")


# -- values ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class FollowupFilter:
    """``scope``: ``due_week`` (due now or within 7 days, not overdue), ``overdue``, ``upcoming``
    (window opens after this week), ``due_or_overdue`` (window open by ``due_by``, default
    today), ``open`` (every open item), ``all`` (closed ones too)."""

    scope: str = "open"
    due_by: dt.date | None = None
    worker_id: int | None = None
    exposure_id: int | None = None
    code: str | None = None


SCOPES = ("due_week", "overdue", "upcoming", "due_or_overdue", "open", "all")


@dataclass(frozen=True)
class FollowupRow:
    """One follow-up item as the follow-ups page, the case view and the command line show it.

    ``status`` is derived for today's hospital-local date. Masked values read ``HIDDEN`` (names)
    or None (results) and set ``identities_hidden`` / ``serostatus_hidden``."""

    id: int
    version: int
    exposure_id: int
    exposure_uuid: str
    exposure_ref: str
    worker_id: int | None
    worker_name: str
    staff_no: str
    code: str
    dose: int | None
    due_date: dt.date
    window_start: dt.date
    window_end: dt.date
    status: str
    days_overdue: int
    done_date: dt.date | None
    result: str | None
    result_value: float | None
    state_reason: str
    note: str
    pep_item: bool
    pathogens: tuple[str, ...]
    reasons: tuple[str, ...]  # why it is planned, in the user's language
    identities_hidden: bool = False
    serostatus_hidden: bool = False

    @property
    def label(self) -> str:
        """The item's name in the user's language ("Hepatitis B vaccine dose" + dose)."""
        name = _(FOLLOWUP_ITEMS.label(self.code))
        return f"{name} {self.dose}" if self.dose else name

    @property
    def is_open(self) -> bool:
        return self.status in (FollowupStatus.PLANNED, FollowupStatus.DUE, FollowupStatus.OVERDUE)


@dataclass(frozen=True)
class ScheduleChange:
    """New dates of one item and the reason (required: every change is explained)."""

    due_date: dt.date
    window_start: dt.date
    window_end: dt.date
    reason: str
    version: int | None = None


@dataclass(frozen=True)
class ResultEntry:
    """A test done (or a visit or treatment given) on ``done_date``; ``result`` for qualitative
    tests, ``value`` for anti-HBs (mIU/mL) or ALT (U/L)."""

    done_date: dt.date | None
    result: str | None = None
    value: float | None = None
    note: str = ""
    version: int | None = None


@dataclass(frozen=True)
class ResultSaved:
    """The saved item and what the result means: ``seroconversion`` names the virus (hbv, hcv,
    hiv) of a positive result after the baseline; the UI then prompts for the outcome and the
    occupational disease notification. ``baseline_positive`` is a pre-existing infection."""

    row: FollowupRow
    seroconversion: str | None = None
    baseline_positive: str | None = None
    warnings: dict[str, str] = field(default_factory=dict)


# -- time ------------------------------------------------------------------------------------


def hospital_zone(session: Session) -> str:
    """The hospital's IANA time zone (Asia/Shanghai until the profile says otherwise)."""
    zone = session.scalar(select(Hospital.time_zone).where(Hospital.id == 1))
    return zone or DEFAULT_TIME_ZONE


def today_in_hospital(session: Session, now: dt.datetime | None = None) -> dt.date:
    """Today's date where the hospital is (``now``: an aware instant or naive UTC, for tests)."""
    return hospital_today(hospital_zone(session), now)


def exposure_day(exposure: Exposure) -> dt.date:
    """D0: exposure times are stored as hospital-local date-times, so the date is local."""
    return exposure.occurred_at.date()


# -- reading ----------------------------------------------------------------------------------


def _open_in(scope: str, today: dt.date) -> Any:
    """The SQL condition of one tab (``overdue``, ``due_week``, ``upcoming``, ``open``)."""
    week_end = today + dt.timedelta(days=WEEK_DAYS - 1)
    is_open = FollowUp.state == OPEN
    if scope == "overdue":
        return and_(is_open, FollowUp.window_end < today)
    if scope == "due_week":
        return and_(is_open, FollowUp.window_start <= week_end, FollowUp.window_end >= today)
    if scope == "upcoming":
        return and_(is_open, FollowUp.window_start > week_end)
    return is_open


def _list_today(session: Session, today: dt.date | None) -> dt.date:
    """Today in the hospital, read once per session: a page and its count share one session
    (the table model's), and the zone is one more statement each time."""
    if today is not None:
        return today
    cached = session.info.get(_TODAY_KEY)
    if cached is None:
        cached = session.info[_TODAY_KEY] = today_in_hospital(session)
    return cached


_TODAY_KEY = "followups.today"


def _filtered(query: Select, filters: FollowupFilter, today: dt.date) -> Select:  # type: ignore[type-arg]
    if filters.scope not in SCOPES:
        raise ValidationError({"scope": _("Unknown filter value.")})
    if filters.scope == "due_or_overdue":
        query = query.where(
            FollowUp.state == OPEN, FollowUp.window_start <= (filters.due_by or today)
        )
    elif filters.scope != "all":
        query = query.where(_open_in(filters.scope, today))
    if filters.due_by is not None and filters.scope not in ("due_or_overdue", "all"):
        query = query.where(FollowUp.window_start <= filters.due_by)
    if filters.worker_id is not None:  # a subquery, so the page's id walk needs no join
        cases = select(Exposure.id).where(Exposure.worker_id == filters.worker_id)
        query = query.where(FollowUp.exposure_id.in_(cases))
    if filters.exposure_id is not None:
        query = query.where(FollowUp.exposure_id == filters.exposure_id)
    if filters.code:
        query = query.where(FollowUp.code == filters.code)
    return query


@lru_cache(maxsize=1024)
def _basis_in(text: str, language: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Pathogens and reasons of a stored basis, per language: items of one protocol rule share
    the same basis text, so a page parses a handful of texts instead of 200 (bench/run.py)."""
    items = json.loads(text or "[]")
    pathogens = tuple(dict.fromkeys(b["pathogen"] for b in items))
    reasons = tuple(dict.fromkeys(_(b["reason"]).format(**b.get("params", {})) for b in items))
    return pathogens, reasons


def shown_reason(reason: str) -> str:
    """A stored reason in the user's language when the application wrote it (else as typed)."""
    return _(reason) if reason in SYSTEM_REASONS else reason


class _Window(NamedTuple):
    window_start: dt.date
    window_end: dt.date


def status_of(row: FollowUp, today: dt.date) -> FollowupStatus:
    """The item's status on ``today`` (hospital-local); a done item stays done without a date
    (an imported treatment whose date is unknown)."""
    return _status(row.state, _Window(row.window_start, row.window_end), today)


def _status(state: str, window: _Window, today: dt.date) -> FollowupStatus:
    if state == DONE:
        return FollowupStatus.DONE
    return followup_status(window, None, state == CANCELLED, today, missed=state == MISSED)


def _rows(rows: Sequence[Any], actor: Actor, today: dt.date) -> list[FollowupRow]:
    """DTOs of ``_select()`` rows. The role is decided once per page and the rows unpacked by
    position: attribute access per cell was most of a page's Python time (bench/run.py)."""
    names = actor.sees_identities
    sero = actor.can(Permission.VIEW_SEROSTATUS)
    language = current_language()
    result: list[tuple[Any, ...]] = []
    for r in rows:
        (
            item_id,
            version,
            exposure_id,
            code,
            dose,
            due_date,
            window_start,
            window_end,
            state,
            state_reason,
            done_date,
            result_text,
            result_value,
            note,
            pep_item,
            basis,
            exposure_uuid,
            exposure_ref,
            worker_id,
            worker_name,
            staff_no,
        ) = r
        window = _Window(window_start, window_end)
        status = _status(state, window, today)
        pathogens, reasons = _basis_in(basis, language)
        result.append(
            (
                item_id,
                version,
                exposure_id,
                exposure_uuid,
                exposure_ref,
                worker_id,
                worker_name if names else HIDDEN,
                (staff_no or "") if names else HIDDEN,
                code,
                dose,
                due_date,
                window_start,
                window_end,
                str(status),
                days_overdue(window, today) if status is FollowupStatus.OVERDUE else 0,
                done_date,
                result_text if sero else None,
                result_value if sero else None,
                shown_reason(state_reason),
                note if sero else "",
                pep_item,
                pathogens,
                reasons,
                not names,
                not sero,
            )
        )
    return build_rows(FollowupRow, result)


URGENCY_ORDER = (FollowUp.window_end, FollowUp.due_date, FollowUp.id)
"""The list's one order, most urgent first; ``ix_followup_urgency`` holds it after ``state``."""


@cache
def _select() -> Select:  # type: ignore[type-arg]
    """The list's columns and joins, built once: a statement is immutable, and building it
    was a noticeable part of a page's Python time."""
    return (
        select(
            FollowUp.id,
            FollowUp.version,
            FollowUp.exposure_id,
            FollowUp.code,
            FollowUp.dose,
            FollowUp.due_date,
            FollowUp.window_start,
            FollowUp.window_end,
            FollowUp.state,
            FollowUp.state_reason,
            FollowUp.done_date,
            FollowUp.result,
            FollowUp.result_value,
            FollowUp.note,
            FollowUp.pep_item,
            FollowUp.basis,
            Exposure.uuid.label("exposure_uuid"),
            Exposure.reference.label("exposure_ref"),
            Exposure.worker_id,
            Exposure.worker_name,
            Worker.staff_no,
        )
        .join(Exposure, FollowUp.exposure_id == Exposure.id)
        .outerjoin(Worker, Exposure.worker_id == Worker.id)
    )


def list_followups(
    session: Session,
    actor: Actor,
    filters: FollowupFilter = FollowupFilter(),
    *,
    today: dt.date | None = None,
    offset: int = 0,
    limit: int = 200,
) -> list[FollowupRow]:
    """One page of follow-up items, most urgent first (window end, due date, item).

    The page's ids come first, from a walk of ``ix_followup_urgency`` (state, window end, due
    date, id) that stops after one page; only those rows are then joined to their exposure and
    worker. Ordering by the exposure's reference (a join across every open item) made the first
    page a sort of all 68,782 open items at the L size (bench/run.py: 176 ms; now under 5 ms)."""
    actor.require(Permission.VIEW_FOLLOWUPS)
    today = _list_today(session, today)
    page_ids = (
        _filtered(select(FollowUp.id), filters, today)
        .order_by(*URGENCY_ORDER)
        .offset(offset)
        .limit(limit)
    )
    query = _select().where(FollowUp.id.in_(page_ids)).order_by(*URGENCY_ORDER)
    # Core execution: the statement selects columns, not entities, so the ORM's row loading
    # would only add overhead (about a quarter of a millisecond per page).
    return _rows(session.connection().execute(query).all(), actor, today)


def count_followups(
    session: Session,
    actor: Actor,
    filters: FollowupFilter = FollowupFilter(),
    *,
    today: dt.date | None = None,
) -> int:
    actor.require(Permission.VIEW_FOLLOWUPS)
    today = _list_today(session, today)
    query = _filtered(select(func.count(FollowUp.id)), filters, today)
    return session.scalar(query) or 0


def overdue_count(session: Session, actor: Actor, *, today: dt.date | None = None) -> int:
    """Open items past their window: the badge in the window's navigation."""
    return count_followups(session, actor, FollowupFilter(scope="overdue"), today=today)


@dataclass(frozen=True)
class FollowupCounts:
    """The follow-ups page's tabs: how many items are overdue, due this week, upcoming."""

    overdue: int
    due_week: int
    upcoming: int


def counts(session: Session, actor: Actor, *, today: dt.date | None = None) -> FollowupCounts:
    actor.require(Permission.VIEW_FOLLOWUPS)
    today = today or today_in_hospital(session)
    values = {
        name: session.scalar(select(func.count(FollowUp.id)).where(_open_in(name, today))) or 0
        for name in ("overdue", "due_week", "upcoming")
    }
    return FollowupCounts(**values)


def get_followup(
    session: Session, actor: Actor, followup_id: int, *, today: dt.date | None = None
) -> FollowupRow:
    actor.require(Permission.VIEW_FOLLOWUPS)
    today = today or today_in_hospital(session)
    found = session.execute(_select().where(FollowUp.id == followup_id)).first()
    if found is None:
        raise NotFound(_("The follow-up item no longer exists."))
    return _rows([found], actor, today)[0]


def describe(row: FollowUp | FollowupRow) -> str:
    """ "Anti-HBs (due 2026-03-01)": how an open item is named in messages."""
    name = _(FOLLOWUP_ITEMS.label(row.code))
    if row.dose:
        name = f"{name} {row.dose}"
    return _("{item} (due {date})").format(item=name, date=row.due_date.isoformat())


# -- writing ----------------------------------------------------------------------------------


def _load(session: Session, followup_id: int, version: int | None = None) -> FollowUp:
    row = session.get(FollowUp, followup_id)
    if row is None:
        raise NotFound(_("The follow-up item no longer exists."))
    if version is not None and version != row.version:
        raise Conflict(
            _(
                "Someone else changed this record since you opened it. "
                "Close it, open it again and repeat your change."
            )
        )
    return row


def _exposure(session: Session, row: FollowUp) -> Exposure:
    exposure = session.get(Exposure, row.exposure_id)
    assert exposure is not None  # foreign key
    return exposure


def _reason(reason: str, field_name: str = "reason") -> str:
    reason = reason.strip()
    if not reason:
        raise ValidationError({field_name: _("Give the reason.")})
    if problem := text_problem(reason, multiline=True):
        raise ValidationError({field_name: problem})
    return reason


def _dates(row: FollowUp) -> dict[str, dt.date]:
    return {
        "due_date": row.due_date,
        "window_start": row.window_start,
        "window_end": row.window_end,
    }


def reschedule(
    session: Session, actor: Actor, followup_id: int, change: ScheduleChange
) -> FollowupRow:
    """Move an open item's due date and window; the reason is required and kept."""
    actor.require(Permission.MANAGE_POST_EXPOSURE)
    row = _load(session, followup_id, change.version)
    reason = _reason(change.reason)
    errors: dict[str, str] = {}
    if row.state != OPEN:
        errors["due_date"] = _("Only an open item can be rescheduled.")
    if not change.window_start <= change.due_date <= change.window_end:
        errors["due_date"] = _("The due date must lie inside the window.")
    if change.window_start < exposure_day(_exposure(session, row)):
        errors["window_start"] = _("The window cannot start before the exposure.")
    if errors:
        raise ValidationError(errors)
    before = {
        "due_date": row.due_date,
        "window_start": row.window_start,
        "window_end": row.window_end,
    }
    session.add(
        FollowUpDateChange(
            followup_id=row.id,
            old_due=row.due_date,
            old_window_start=row.window_start,
            old_window_end=row.window_end,
            new_due=change.due_date,
            new_window_start=change.window_start,
            new_window_end=change.window_end,
            reason=reason,
            changed_by=actor.username,
        )
    )
    row.due_date, row.window_start, row.window_end = (
        change.due_date,
        change.window_start,
        change.window_end,
    )
    row.updated_at = utcnow()
    session.flush()
    after = {
        "due_date": row.due_date,
        "window_start": row.window_start,
        "window_end": row.window_end,
    }
    changes = audit.diff(before, after) | {"reason": [None, reason]}
    audit.record(session, actor, "reschedule", ENTITY, row.id, changes)
    return get_followup(session, actor, row.id)


def validate_result(
    code: str, entry: ResultEntry, exposure_date: dt.date, today: dt.date
) -> dict[str, str]:
    """Per-field errors for a result: dated before the exposure or in the future is refused;
    anti-HBs needs a plausible number; qualitative tests need positive/negative/indeterminate."""
    errors: dict[str, str] = {}
    if entry.done_date is None:
        errors["done_date"] = _("Enter the date it was done.")
    else:
        errors |= issue_messages(validate_done_date(entry.done_date, exposure_date, today))
    value = entry.value
    if value is not None and (math.isnan(value) or value < 0):
        errors["value"] = _("The value cannot be negative.")
    if code == FollowupItem.ANTI_HBS:
        if value is None:
            errors["value"] = _("Enter the anti-HBs value in mIU/mL.")
        elif value > MAX_ANTI_HBS:
            errors["value"] = _(
                "Anti-HBs above {limit} mIU/mL is not plausible: check the value and unit."
            ).format(limit=int(MAX_ANTI_HBS))
    elif code in QUALITATIVE_TESTS and entry.result not in _RESULTS:
        errors["result"] = _("Choose the result: positive, negative or indeterminate.")
    if entry.result is not None and entry.result not in _RESULTS:
        errors.setdefault("result", _("Choose the result: positive, negative or indeterminate."))
    if problem := text_problem(entry.note, multiline=True):
        errors["note"] = problem
    return errors


def enter_result(
    session: Session,
    actor: Actor,
    followup_id: int,
    entry: ResultEntry,
    *,
    today: dt.date | None = None,
) -> ResultSaved:
    """Record a test as done with its result (one click from the follow-ups page).

    A worker's own test result (anti-HBs, HBsAg, anti-HBc, anti-HCV, HIV) also goes into the
    worker's serology record, so the immunity status follows it."""
    actor.require(Permission.MANAGE_POST_EXPOSURE)
    today = today or today_in_hospital(session)
    row = _load(session, followup_id, entry.version)
    exposure = _exposure(session, row)
    d0 = exposure_day(exposure)
    if row.state != OPEN:
        raise ValidationError({"done_date": _("The item is already closed; reopen it first.")})
    errors = validate_result(row.code, entry, d0, today)
    if errors:
        raise ValidationError(errors)
    assert entry.done_date is not None
    qualitative = row.code in QUALITATIVE_TESTS
    row.state = DONE
    row.done_date = entry.done_date
    row.result = entry.result if qualitative else None
    row.result_value = float(entry.value) if entry.value is not None else None
    row.note = entry.note.strip()
    row.updated_at = utcnow()
    session.flush()
    if exposure.worker_id is not None and row.code in WORKER_TESTS:
        immunisation._add_serology(
            session,
            actor,
            exposure.worker_id,
            immunisation.SerologyInput(
                test=WORKER_TESTS[row.code],
                tested_on=entry.done_date,
                value=row.result_value,
                result=row.result,
            ),
            row.id,
        )
    changes: dict[str, list[Any]] = {
        "state": [OPEN, DONE],
        "done_date": [None, entry.done_date.isoformat()],
        "result": [None, row.result],
        "result_value": [None, row.result_value],
    }
    audit.record(session, actor, "result", ENTITY, row.id, changes)
    pathogen = SEROCONVERSION_TESTS.get(row.code) if row.result == "positive" else None
    baseline = pathogen is not None and (entry.done_date - d0).days < BASELINE_DAYS
    return ResultSaved(
        row=get_followup(session, actor, row.id, today=today),
        seroconversion=None if baseline else pathogen,
        baseline_positive=pathogen if baseline else None,
    )


def resolve(
    session: Session,
    actor: Actor,
    followup_id: int,
    state: str,
    reason: str,
    *,
    version: int | None = None,
) -> FollowupRow:
    """Close an open item without a result: ``missed`` (the worker did not come) or
    ``cancelled`` (a clinician decided it is not needed); the reason is required."""
    actor.require(Permission.MANAGE_POST_EXPOSURE)
    if state not in (MISSED, CANCELLED):
        raise ValidationError({"state": _("Unknown filter value.")})
    row = _load(session, followup_id, version)
    reason = _reason(reason)
    if row.state != OPEN:
        raise ValidationError({"state": _("The item is already closed; reopen it first.")})
    row.state, row.state_reason, row.updated_at = state, reason, utcnow()
    session.flush()
    changes: dict[str, list[Any]] = {"state": [OPEN, state], "reason": [None, reason]}
    audit.record(session, actor, state, ENTITY, row.id, changes)
    return get_followup(session, actor, row.id)


def reopen(
    session: Session, actor: Actor, followup_id: int, reason: str, *, version: int | None = None
) -> FollowupRow:
    """Undo a result, a miss or a cancellation entered by mistake (the reason is kept)."""
    actor.require(Permission.MANAGE_POST_EXPOSURE)
    row = _load(session, followup_id, version)
    reason = _reason(reason)
    if row.state == OPEN:
        raise ValidationError({"state": _("The item is already open.")})
    exposure = _exposure(session, row)
    if exposure.status in ("closed", "lost_to_follow_up"):
        raise ValidationError({"state": _("The case is closed: its items cannot be reopened.")})
    before = {
        "state": row.state,
        "done_date": row.done_date,
        "result": row.result,
        "result_value": row.result_value,
        "state_reason": row.state_reason,
    }
    linked = select(SerologyResult).where(SerologyResult.followup_id == row.id)
    for result in session.scalars(linked):
        session.delete(result)
    row.state, row.done_date, row.result, row.result_value, row.state_reason = (
        OPEN,
        None,
        None,
        None,
        "",
    )
    row.updated_at = utcnow()
    session.flush()
    after = {k: getattr(row, k) for k in before}
    changes = audit.diff(before, after) | {"reason": [None, reason]}
    audit.record(session, actor, "reopen", ENTITY, row.id, changes)
    return get_followup(session, actor, row.id)


def status_label(status: str) -> str:
    """A status code in the user's language."""
    return _(FOLLOWUP_STATUSES.label(status))
