"""Post-exposure management of one exposure: assessment, prophylaxis, PEP course, outcome.

``propose`` answers what the hospital's protocol (setting ``post_exposure_protocol``) recommends
for an exposure, without writing: the decision-support panel calls it as the officer types.
``assess`` saves that proposal as a snapshot and generates the follow-up schedule; it is
idempotent (same inputs, no change) and re-assessment after new results keeps every item already
done, missed or cancelled, adds what is new and cancels, with a reason, what is no longer needed.
``ensure_assessed`` does the same for an exposure that came in through the historical import and
keeps what the file recorded (treatments, status, outcome). The proposal never becomes a fact:
``record_prophylaxis`` and ``record_pep_course`` record what the clinician did.

Permissions: reading a case needs VIEW_SEROSTATUS (it shows results), every write
MANAGE_POST_EXPOSURE. Every write is one transaction with one audit event.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from hospital_osh import paths
from hospital_osh.domain import pep_course as pep_rules
from hospital_osh.domain.case_outcome import (
    NOTIFICATION_TYPES,
    Outcome,
    close_problems,
    outcome_rule,
)
from hospital_osh.domain.clock import as_utc, hours_between
from hospital_osh.domain.codes import N_, code_list
from hospital_osh.domain.exposure_codes import OUTCOMES
from hospital_osh.domain.followup import PlannedTest, generate_schedule
from hospital_osh.domain.immunity import HbvStatus
from hospital_osh.domain.messages import DomainError, Severity
from hospital_osh.domain.post_exposure import ExposureInputs, Proposal, Recommendation, assess
from hospital_osh.domain.protocol_vocab import PATHOGENS
from hospital_osh.domain.protocols import (
    DEFAULT_PROTOCOL,
    PROTOCOL_FILES,
    Protocol,
    ProtocolError,
    load_protocol,
)
from hospital_osh.domain.roles import Permission
from hospital_osh.i18n import _, current_language
from hospital_osh.models import (
    CaseOutcome,
    DiseaseNotification,
    Exposure,
    FollowUp,
    HbvVaccineDose,
    PepCourseRecord,
    PostExposureAssessment,
    Prophylaxis,
)
from hospital_osh.models.base import utcnow
from hospital_osh.services import audit, followups, immunisation, settings
from hospital_osh.services.context import Actor
from hospital_osh.services.errors import Conflict, NotFound, UserError, ValidationError
from hospital_osh.services.followups import CANCELLED, DONE, MISSED, OPEN, FollowupRow
from hospital_osh.services.immunisation import ImmunityStatus, issue_messages
from hospital_osh.services.text_checks import text_problem

ENTITY = "post_exposure"
SETTING = "post_exposure_protocol"

PROPHYLAXIS_KINDS = code_list(
    "prophylaxis_kind",
    ("hbig", N_("Hepatitis B immunoglobulin (HBIG)")),
    ("hbv_vaccine", N_("Hepatitis B vaccine")),
    ("hiv_pep", N_("HIV post-exposure prophylaxis (PEP)")),
)
DECISIONS = code_list(
    "prophylaxis_decision",
    ("given", N_("Given")),
    ("declined", N_("Declined by the worker")),
    ("contraindicated", N_("Contraindicated")),
    ("not_given", N_("Not given (reason not recorded)")),
)
# Fluids that carry no blood-borne risk unless visibly bloody (domain/exposures.md §b.6 X5) [V].
NON_INFECTIOUS_FLUIDS = frozenset({"urine", "faeces", "vomit", "sputum", "saliva"})
HBIG_LATE_DAYS = 7  # CDC: efficacy after 7 days unknown (§b.10) [V]
# Columns of the historical import that this service keeps (EXCHANGE.md exposures.csv).
RECORDED_COLUMNS = (
    "worker_hbv_status",
    "worker_anti_hbs_miu",
    "hbig_given",
    "hbv_vaccine_given",
    "hiv_pep_started",
    "hiv_pep_started_at",
    "hiv_pep_completed",
)


class ProtocolProblem(UserError):
    """The hospital's protocol file cannot be used; the message names the file and the row."""


# -- values ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class RecommendationView:
    """One line of the decision-support panel, in the user's language.

    ``evidence`` is "Source: ..." or "Unverified: check before relying on it. Source: ...";
    ``unverified`` is True for rows the domain reference tags [U]."""

    pathogen: str | None
    kind: str  # decision, source_test, regimen, china_grade, alternative, general
    rule_id: str
    action: str
    text: str
    evidence: str
    verified: str
    unverified: bool
    note: str = ""
    overridden: str = ""


@dataclass(frozen=True)
class PlannedItemView:
    """One item the protocol schedules (before or after it is saved as a follow-up)."""

    code: str
    dose: int | None
    due_date: dt.date
    window_start: dt.date
    window_end: dt.date
    reasons: tuple[str, ...]
    verified: str
    pep_item: bool

    @property
    def label(self) -> str:
        from hospital_osh.domain.protocol_vocab import FOLLOWUP_ITEMS

        name = _(FOLLOWUP_ITEMS.label(self.code))
        return f"{name} {self.dose}" if self.dose else name


@dataclass(frozen=True)
class AssessmentView:
    """What the protocol proposes for one exposure (saved, or a preview when ``saved`` is False).

    ``proposal`` is the live domain value: the panel's countdown reads
    ``proposal.hiv.clock.hours_left(now)``; ``pep_limit_at`` etc. are aware UTC instants.
    ``worker_hbv_reason`` explains the derived immunity status used."""

    exposure_id: int
    reference: str
    protocol_id: str
    protocol_name: str
    protocol_version: int
    saved: bool
    assessed_at: dt.datetime | None
    assessed_by: str
    inputs: ExposureInputs
    proposal: Proposal
    lines: tuple[RecommendationView, ...]
    planned: tuple[PlannedItemView, ...]
    worker_hbv_status: str
    worker_hbv_reason: str
    worker_anti_hbs: float | None
    pep_level: str | None
    pep_target_at: dt.datetime | None
    pep_guidance_at: dt.datetime | None
    pep_limit_at: dt.datetime | None
    no_bbf_risk: bool
    warnings: tuple[str, ...] = ()
    # the saved snapshot's inputs differ from the record now (results came in): re-assess
    outdated: bool = False


@dataclass(frozen=True)
class ProphylaxisInput:
    """What the clinician did: ``kind`` hbig / hbv_vaccine / hiv_pep; ``decision`` given (with
    ``given_at``, hospital-local), declined or contraindicated (with ``reason``)."""

    kind: str
    decision: str
    given_at: dt.datetime | None = None
    dose_number: int | None = None
    product: str = ""
    reason: str = ""


@dataclass(frozen=True)
class ProphylaxisRow:
    id: int
    exposure_id: int
    kind: str
    decision: str
    dose_number: int | None
    given_at: dt.datetime | None
    product: str
    reason: str
    recorded_by: str
    recorded_at: dt.datetime


@dataclass(frozen=True)
class ProphylaxisSaved:
    row: ProphylaxisRow
    warnings: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class PepCourseInput:
    """The PEP course as taken; ``started_at`` (first dose) is hospital-local. A start after the
    72-hour window is allowed with ``late_reason``."""

    started_at: dt.datetime | None
    regimen: str = ""
    days_taken: int | None = None
    stop_reason: str | None = None
    side_effects: tuple[str, ...] = ()
    late_reason: str = ""
    version: int | None = None


@dataclass(frozen=True)
class PepCourseView:
    exposure_id: int
    version: int
    regimen: str
    started_at: dt.datetime
    course_days: int
    days_taken: int | None
    stop_reason: str | None
    side_effects: tuple[str, ...]
    late_reason: str
    completion: str  # yes / no / ongoing (EXCHANGE.md hiv_pep_completed)
    hours_to_first_dose: float
    within_2h: bool
    within_72h: bool
    planned_last_dose: dt.date
    warnings: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class NotificationInput:
    """Who was notified of a seroconversion and when (type: occupational_disease_report,
    work_injury_claim or internal_only; the outcome rules propose the type per virus)."""

    notification_type: str
    pathogen: str
    notified_party: str
    notified_on: dt.date | None
    case_number: str = ""
    note: str = ""


@dataclass(frozen=True)
class NotificationRow:
    id: int
    exposure_id: int
    notification_type: str
    pathogen: str
    notified_party: str
    notified_on: dt.date
    case_number: str
    note: str
    recorded_by: str


@dataclass(frozen=True)
class CloseInput:
    """Close a case with ``outcome``; a seroconversion needs its date and a notification (given
    here or recorded before). ``mark_open_missed`` closes a lost case's open items as missed."""

    outcome: str
    seroconversion_date: dt.date | None = None
    note: str = ""
    notification: NotificationInput | None = None
    mark_open_missed: bool = False


@dataclass(frozen=True)
class OutcomeView:
    outcome: str
    seroconversion_date: dt.date | None
    note: str
    closed_by: str
    closed_at: dt.datetime


@dataclass(frozen=True)
class CaseView:
    """Everything about one exposure's post-exposure management, for the case panel."""

    exposure_id: int
    reference: str
    exposure_date: dt.date
    status: str
    outcome: str
    assessment: AssessmentView | None
    prophylaxis: tuple[ProphylaxisRow, ...]
    followups: tuple[FollowupRow, ...]
    pep_course: PepCourseView | None
    closed: OutcomeView | None
    notifications: tuple[NotificationRow, ...]

    @property
    def open_followups(self) -> tuple[FollowupRow, ...]:
        return tuple(f for f in self.followups if f.is_open)

    @property
    def seroconversions(self) -> tuple[str, ...]:
        """Viruses with a positive follow-up result after the baseline (hbv, hcv, hiv)."""
        found = (
            followups.SEROCONVERSION_TESTS[f.code]
            for f in self.followups
            if f.result == "positive"
            and f.code in followups.SEROCONVERSION_TESTS
            and f.done_date is not None
            and (f.done_date - self.exposure_date).days >= followups.BASELINE_DAYS
        )
        return tuple(dict.fromkeys(found))

    @property
    def notification_needed(self) -> bool:
        """A seroconversion and no notification recorded yet: the UI prompts for one."""
        return bool(self.seroconversions) and not self.notifications


# -- protocols --------------------------------------------------------------------------------


@cache
def _load_cached(path: str) -> Protocol:
    return load_protocol(Path(path))


def load_protocol_file(path: Path) -> Protocol:
    """A protocol file, validated; a bad row is refused with the file and the row named."""
    try:
        return _load_cached(str(path))
    except ProtocolError as error:
        raise ProtocolProblem(
            _("The protocol file cannot be used: {problem}").format(problem=str(error))
        ) from None
    except OSError as error:
        raise ProtocolProblem(
            _("The protocol file cannot be read: {problem}").format(problem=str(error))
        ) from None


def protocol_by_id(protocol_id: str) -> Protocol:
    """A shipped protocol (``china`` or ``cdc``)."""
    return load_protocol_file(paths.resource("protocols", PROTOCOL_FILES[protocol_id]))


def hospital_protocol(session: Session) -> tuple[Protocol, Protocol | None]:
    """The hospital's protocol (setting ``post_exposure_protocol``) and the alternative it names
    (CDC beside China for a documented non-responder)."""
    chosen = settings.get_setting(session, SETTING)
    protocol = protocol_by_id(chosen if chosen in PROTOCOL_FILES else DEFAULT_PROTOCOL)
    alternative = None
    if protocol.alternative in PROTOCOL_FILES:
        alternative = protocol_by_id(protocol.alternative)
    return protocol, alternative


# -- inputs -----------------------------------------------------------------------------------


def _result(value: str | None) -> str:
    return value if value in ("positive", "negative") else "unknown"


def _recorded(recorded: Mapping[str, str] | None) -> dict[str, str]:
    """Check the import's post-exposure answers; unknown codes are errors naming the column."""
    if not recorded:
        return {}
    values = {k: str(v).strip() for k, v in recorded.items() if str(v).strip()}
    allowed = {
        "worker_hbv_status": tuple(HbvStatus),
        "hbig_given": ("yes", "no"),
        "hbv_vaccine_given": ("yes", "no"),
        "hiv_pep_started": ("yes", "no"),
        "hiv_pep_completed": ("yes", "no", "ongoing"),
    }
    errors: dict[str, str] = {}
    for name, value in values.items():
        if name not in RECORDED_COLUMNS:
            errors[name] = _("Unknown column.")
        elif name in allowed and value not in allowed[name]:
            errors[name] = _("Unknown code '{code}'. Use one of: {choices}.").format(
                code=value, choices=", ".join(allowed[name])
            )
    if "worker_anti_hbs_miu" in values:
        try:
            number = float(values["worker_anti_hbs_miu"])
            if not 0 <= number <= 100_000:
                raise ValueError
        except ValueError:
            errors["worker_anti_hbs_miu"] = _(
                "Anti-HBs must be between 0 and {limit} mIU/mL."
            ).format(limit=100_000)
    if "hiv_pep_started_at" in values:
        try:
            dt.datetime.fromisoformat(values["hiv_pep_started_at"])
        except ValueError:
            errors["hiv_pep_started_at"] = _(
                "'{value}' is not a date and time; write it as 2026-03-01T14:30."
            ).format(value=values["hiv_pep_started_at"])
    if errors:
        raise ValidationError(errors)
    return values


def _zone(session: Session) -> ZoneInfo:
    return ZoneInfo(followups.hospital_zone(session))


def _aware(local: dt.datetime, zone: ZoneInfo) -> dt.datetime:
    """A stored hospital-local naive date-time as an aware instant."""
    return local.replace(tzinfo=zone) if local.tzinfo is None else local


def exposure_inputs(
    session: Session, exposure: Exposure, recorded: Mapping[str, str] | None = None
) -> tuple[ExposureInputs, ImmunityStatus | None]:
    """The decision tables' inputs from the exposure record and the worker's immunity records.

    The worker's HBV status is derived as of the exposure date; the anti-HBs used is the one
    measured after the exposure for a worker whose response is unknown (CDC Table 3 tests it
    then), otherwise the latest. A worker without any record counts as unvaccinated unless the
    imported file says otherwise (``recorded``)."""
    recorded = _recorded(recorded)
    d0 = followups.exposure_day(exposure)
    identified = exposure.source_identified == "yes"
    status: ImmunityStatus | None = None
    hbv = recorded.get("worker_hbv_status", HbvStatus.UNVACCINATED)
    anti_hbs = float(recorded["worker_anti_hbs_miu"]) if "worker_anti_hbs_miu" in recorded else None
    anti_hcv = hiv = "unknown"
    if exposure.worker_id is not None:
        records = immunisation.statuses(session, [exposure.worker_id], on=d0)
        status = records.get(exposure.worker_id)
        if status is not None and status.status is not None:
            hbv = status.status
            if hbv in (HbvStatus.VACCINATED_RESPONSE_UNKNOWN, HbvStatus.NON_RESPONDER):
                anti_hbs = immunisation.post_exposure_anti_hbs(session, exposure.worker_id, d0)
            else:
                anti_hbs = status.latest_anti_hbs
        later = immunisation.status_for(
            session, exposure.worker_id, on=d0 + dt.timedelta(days=followups.BASELINE_DAYS - 1)
        )
        anti_hcv, hiv = _result(later.anti_hcv), _result(later.hiv)
        if status is None:
            status = later if later.status is not None else None
    fluid = exposure.fluid_type
    infectious = not (
        exposure.exposure_type in ("mucous_membrane", "non_intact_skin")
        and fluid in NON_INFECTIOUS_FLUIDS
        and exposure.fluid_visibly_bloody != "yes"
    )
    load = exposure.source_hiv_viral_load
    inputs = ExposureInputs(
        exposure_type=exposure.exposure_type,
        occurred_at=_aware(exposure.occurred_at, _zone(session)),
        clean_unused_sharp=(
            exposure.exposure_type == "percutaneous" and exposure.device_contaminated == "no"
        ),
        infectious_fluid=infectious,
        source_identified=identified,
        source_hbsag=_result(exposure.source_hbsag) if identified else "unknown",
        source_hbeag=_result(exposure.source_hbeag) if identified else "unknown",
        source_anti_hcv=_result(exposure.source_anti_hcv) if identified else "unknown",
        source_hcv_rna=_result(exposure.source_hcv_rna) if identified else "unknown",
        source_hiv=_result(exposure.source_hiv) if identified else "unknown",
        source_hiv_viral_load=(
            "unknown" if load is None or not identified else "positive" if load > 0 else "negative"
        ),
        worker_hbv_status=hbv,
        worker_anti_hbs=anti_hbs,
        worker_anti_hcv=anti_hcv,
        worker_hiv=hiv,
        china_exposure_level=exposure.china_grade,
        china_source_grade=exposure.china_source_grade,
    )
    return inputs, status


def _inputs_json(inputs: ExposureInputs) -> str:
    values = dataclasses.asdict(inputs)
    values["occurred_at"] = as_utc(inputs.occurred_at).isoformat()
    return json.dumps(values, sort_keys=True, ensure_ascii=False)


# -- rendering --------------------------------------------------------------------------------


def _line(rec: Recommendation) -> RecommendationView:
    language = current_language()
    overridden = rec.overridden_text
    return RecommendationView(
        pathogen=str(rec.pathogen) if rec.pathogen else None,
        kind=rec.kind,
        rule_id=rec.rule_id,
        action=rec.action,
        text=rec.text.render(_),
        evidence=rec.evidence.render(_),
        verified=str(rec.verified),
        unverified=rec.unverified,
        note=rec.note.text(language) if rec.note else "",
        overridden=overridden.render(_) if overridden else "",
    )


def _plan_key(test: PlannedTest, d0: dt.date) -> str:
    return f"{test.code}:{test.dose or 0}:{(test.due - d0).days}"


def _planned_view(test: PlannedTest, pep_keys: set[str], d0: dt.date) -> PlannedItemView:
    return PlannedItemView(
        code=str(test.code),
        dose=test.dose,
        due_date=test.due,
        window_start=test.window_start,
        window_end=test.window_end,
        reasons=tuple(r.render(_) for r in test.reasons),
        verified=str(test.verified),
        pep_item=_plan_key(test, d0) in pep_keys,
    )


def _schedule(
    proposal: Proposal, protocol: Protocol, d0: dt.date, include_pep: bool | None
) -> tuple[list[PlannedTest], set[str]]:
    """The dated items and the keys of those that are PEP monitoring (kept only with PEP)."""
    tests = generate_schedule(proposal, protocol, d0, include_pep=include_pep)
    without = generate_schedule(proposal, protocol, d0, include_pep=False)
    base = {_plan_key(t, d0) for t in without}
    return tests, {_plan_key(t, d0) for t in tests} - base


def _view(
    exposure: Exposure,
    protocol: Protocol,
    proposal: Proposal,
    planned: list[PlannedTest],
    pep_keys: set[str],
    status: ImmunityStatus | None,
    saved: PostExposureAssessment | None,
    outdated: bool = False,
) -> AssessmentView:
    d0 = followups.exposure_day(exposure)
    hiv = proposal.hiv
    if status is not None and status.status == proposal.inputs.worker_hbv_status:
        reason = status.reason
    elif exposure.worker_id is None:
        reason = _("No immunisation record: the worker is not on the staff list.")
    else:
        reason = _("No complete hepatitis B vaccine series.")
    return AssessmentView(
        exposure_id=exposure.id,
        reference=exposure.reference,
        protocol_id=protocol.id,
        protocol_name=protocol.name(current_language()),
        protocol_version=protocol.version,
        saved=saved is not None,
        assessed_at=saved.assessed_at if saved else None,
        assessed_by=saved.assessed_by if saved else "",
        inputs=proposal.inputs,
        proposal=proposal,
        lines=tuple(_line(r) for r in proposal.recommendations),
        planned=tuple(_planned_view(t, pep_keys, d0) for t in planned),
        worker_hbv_status=str(proposal.inputs.worker_hbv_status),
        worker_hbv_reason=reason,
        worker_anti_hbs=proposal.inputs.worker_anti_hbs,
        pep_level=str(hiv.pep) if hiv else None,
        pep_target_at=hiv.clock.target_at if hiv else None,
        pep_guidance_at=hiv.clock.guidance_at if hiv else None,
        pep_limit_at=hiv.clock.limit_at if hiv else None,
        no_bbf_risk=proposal.no_bbf_risk,
        warnings=tuple(w.text.render(_) for w in proposal.warnings),
        outdated=outdated,
    )


def _snapshot(proposal: Proposal, planned: list[PlannedTest], d0: dt.date) -> str:
    def rec(r: Recommendation) -> dict[str, Any]:
        return {
            "pathogen": r.pathogen,
            "kind": r.kind,
            "rule_id": r.rule_id,
            "action": r.action,
            "message": r.text.message,
            "params": r.text.kwargs,
            "source": r.source,
            "verified": r.verified,
            "overridden": r.overridden,
            "note_en": r.note.en if r.note else "",
            "note_zh": r.note.zh if r.note else "",
        }

    hiv = proposal.hiv
    data = {
        "protocol": proposal.protocol_id,
        "protocol_version": proposal.protocol_version,
        "assessed_at": proposal.assessed_at.isoformat(),
        "recommendations": [rec(r) for r in proposal.recommendations],
        "pep_level": hiv.pep if hiv else None,
        "pep_limit_at": hiv.clock.limit_at.isoformat() if hiv else None,
        "planned": [
            {
                "code": t.code,
                "dose": t.dose,
                "due": t.due.isoformat(),
                "window": [t.window_start.isoformat(), t.window_end.isoformat()],
                "key": _plan_key(t, d0),
            }
            for t in planned
        ],
    }
    return json.dumps(data, ensure_ascii=False, sort_keys=True)


# -- assessment -------------------------------------------------------------------------------


def _exposure(session: Session, exposure_id: int) -> Exposure:
    row = session.get(Exposure, exposure_id)
    if row is None:
        raise NotFound(_("The exposure record no longer exists."))
    return row


def _pep_decision(session: Session, exposure_id: int) -> bool | None:
    """True once HIV PEP was given, False when declined or contraindicated, None before."""
    decision = session.scalar(
        select(Prophylaxis.decision)
        .where(Prophylaxis.exposure_id == exposure_id, Prophylaxis.kind == "hiv_pep")
        .order_by(Prophylaxis.id.desc())
        .limit(1)
    )
    if decision is None:
        return None
    return decision == "given"


def _propose(
    session: Session,
    exposure: Exposure,
    recorded: Mapping[str, str] | None,
    now: dt.datetime | None,
) -> tuple[Protocol, Proposal, list[PlannedTest], set[str], ImmunityStatus | None]:
    protocol, alternative = hospital_protocol(session)
    inputs, status = exposure_inputs(session, exposure, recorded)
    moment = as_utc(now) if now is not None else dt.datetime.now(dt.UTC)
    moment = max(moment, as_utc(inputs.occurred_at))  # a record whose clock runs ahead
    try:
        proposal = assess(inputs, protocol, moment, alternative=alternative)
    except DomainError as error:
        raise ValidationError(issue_messages(error.issues)) from None
    d0 = followups.exposure_day(exposure)
    planned, pep_keys = _schedule(proposal, protocol, d0, _pep_decision(session, exposure.id))
    return protocol, proposal, planned, pep_keys, status


def propose(
    session: Session, actor: Actor, exposure_id: int, *, now: dt.datetime | None = None
) -> AssessmentView:
    """The protocol's proposal for the exposure as it is recorded now; writes nothing.

    For the decision-support panel: call it again after each saved change of the source or
    worker status; it answers in milliseconds."""
    actor.require(Permission.MANAGE_POST_EXPOSURE)
    exposure = _exposure(session, exposure_id)
    protocol, proposal, planned, pep_keys, status = _propose(session, exposure, None, now)
    return _view(exposure, protocol, proposal, planned, pep_keys, status, None)


def _assessment(session: Session, exposure_id: int) -> PostExposureAssessment | None:
    return session.scalar(
        select(PostExposureAssessment).where(PostExposureAssessment.exposure_id == exposure_id)
    )


def _basis_json(test: PlannedTest) -> str:
    return json.dumps(
        [
            {
                "pathogen": b.pathogen,
                "rule_id": b.rule_id,
                "item_id": b.item_id,
                "reason": b.reason.message,
                "params": b.reason.kwargs,
                "source": b.source,
                "verified": b.verified,
                "overridden": b.overridden,
            }
            for b in test.basis
        ],
        ensure_ascii=False,
    )


def _sync_schedule(
    session: Session,
    exposure: Exposure,
    planned: list[PlannedTest],
    pep_keys: set[str],
) -> dict[str, int]:
    """Make the stored items match the plan: add new ones, cancel open ones no longer planned;
    items done, missed or cancelled are never touched. Returns the counts for the audit event."""
    d0 = followups.exposure_day(exposure)
    existing = {
        row.plan_key: row
        for row in session.scalars(select(FollowUp).where(FollowUp.exposure_id == exposure.id))
    }
    wanted = {_plan_key(t, d0): t for t in planned}
    added = cancelled = 0
    for key, test in wanted.items():
        row = existing.get(key)
        if row is None:
            session.add(
                FollowUp(
                    exposure_id=exposure.id,
                    plan_key=key,
                    code=str(test.code),
                    dose=test.dose,
                    pep_item=key in pep_keys,
                    due_date=test.due,
                    window_start=test.window_start,
                    window_end=test.window_end,
                    basis=_basis_json(test),
                )
            )
            added += 1
        elif row.state == CANCELLED and row.state_reason == _auto_reason():
            row.state, row.state_reason, row.updated_at = OPEN, "", utcnow()  # planned again
            added += 1
    for key, row in existing.items():
        if key not in wanted and row.state == OPEN:
            row.state, row.state_reason, row.updated_at = CANCELLED, _auto_reason(), utcnow()
            cancelled += 1
    session.flush()
    return {"added": added, "cancelled": cancelled}


def _auto_reason() -> str:
    # Stored in English (a code-like marker); the list shows it through the catalogue.
    return N_("No longer in the schedule after re-assessment.")


def _save_assessment(
    session: Session,
    actor: Actor,
    exposure: Exposure,
    recorded: Mapping[str, str] | None,
    now: dt.datetime | None,
) -> AssessmentView:
    protocol, proposal, planned, pep_keys, status = _propose(session, exposure, recorded, now)
    d0 = followups.exposure_day(exposure)
    saved = _assessment(session, exposure.id)
    inputs_json = _inputs_json(proposal.inputs)
    keys = {_plan_key(t, d0) for t in planned}
    if (
        saved is not None
        and saved.inputs == inputs_json
        and saved.protocol_id == protocol.id
        and saved.protocol_version == protocol.version
        and keys
        <= set(
            session.scalars(select(FollowUp.plan_key).where(FollowUp.exposure_id == exposure.id))
        )
        and not _stale_open(session, exposure.id, keys)
    ):
        return _view(exposure, protocol, proposal, planned, pep_keys, status, saved)
    action = "assess" if saved is None else "reassess"
    before = {} if saved is None else {"protocol": saved.protocol_id, "inputs": saved.inputs}
    if saved is None:
        saved = PostExposureAssessment(exposure_id=exposure.id)
        session.add(saved)
    saved.protocol_id = protocol.id
    saved.protocol_version = protocol.version
    saved.worker_hbv_status = str(proposal.inputs.worker_hbv_status)
    saved.worker_anti_hbs = proposal.inputs.worker_anti_hbs
    saved.pep_level = str(proposal.hiv.pep) if proposal.hiv else None
    saved.inputs = inputs_json
    saved.proposal = _snapshot(proposal, planned, d0)
    saved.assessed_by = actor.username
    saved.assessed_at = utcnow()
    counts = _sync_schedule(session, exposure, planned, pep_keys)
    if exposure.status in ("reported", "under_assessment") and planned:
        exposure.status = "under_follow_up"
        exposure.updated_at = utcnow()
    session.flush()
    changes = audit.diff(before, {"protocol": protocol.id, "inputs": inputs_json}) | {
        "followups_added": [None, counts["added"]],
        "followups_cancelled": [None, counts["cancelled"]],
    }
    audit.record(session, actor, action, ENTITY, exposure.id, changes)
    return _view(exposure, protocol, proposal, planned, pep_keys, status, saved)


def _stale_open(session: Session, exposure_id: int, keys: set[str]) -> bool:
    """An open item the plan no longer has (re-assessment would cancel it)."""
    rows = session.scalars(
        select(FollowUp.plan_key).where(FollowUp.exposure_id == exposure_id, FollowUp.state == OPEN)
    )
    return any(key not in keys for key in rows)


def assess_exposure(
    session: Session, actor: Actor, exposure_id: int, *, now: dt.datetime | None = None
) -> AssessmentView:
    """Save the protocol's proposal and generate (or update) the follow-up schedule.

    Idempotent: with the same inputs and protocol nothing is written. After new results the
    snapshot is replaced and the schedule synchronised (see the module docstring)."""
    actor.require(Permission.MANAGE_POST_EXPOSURE)
    exposure = _exposure(session, exposure_id)
    if exposure.status in ("closed", "lost_to_follow_up"):
        raise ValidationError({"status": _("The case is closed: it cannot be re-assessed.")})
    return _save_assessment(session, actor, exposure, None, now)


def ensure_assessed(
    session: Session,
    actor: Actor,
    exposure_id: int,
    *,
    recorded: Mapping[str, str] | None = None,
    now: dt.datetime | None = None,
) -> AssessmentView:
    """Give an exposure (typically imported) its assessment and schedule if it has none.

    ``recorded`` holds the import's post-exposure columns (EXCHANGE.md: worker_hbv_status,
    worker_anti_hbs_miu, hbig_given, hbv_vaccine_given, hiv_pep_started, hiv_pep_started_at,
    hiv_pep_completed). They are kept: a recorded status is used when the worker has no
    immunisation record, treatments become prophylaxis records (and close their schedule items),
    a PEP start becomes the PEP course. The exposure's status and outcome are kept; for a case
    already closed (or lost) the generated items that are still open are closed as cancelled (or
    missed), since nothing was recorded about them. An exposure already assessed is returned
    unchanged (imports may be re-run)."""
    actor.require(Permission.MANAGE_POST_EXPOSURE)
    exposure = _exposure(session, exposure_id)
    saved = _assessment(session, exposure_id)
    if saved is not None:
        protocol, proposal, planned, pep_keys, status = _propose(session, exposure, None, now)
        return _view(exposure, protocol, proposal, planned, pep_keys, status, saved)
    values = _recorded(recorded)
    status_before, outcome_before = exposure.status, exposure.outcome
    _apply_recorded(session, actor, exposure, values)
    view = _save_assessment(session, actor, exposure, values, now)
    exposure.status, exposure.outcome = status_before, outcome_before
    _close_recorded_treatments(session, exposure, values)
    if status_before in ("closed", "lost_to_follow_up"):
        state = MISSED if status_before == "lost_to_follow_up" else CANCELLED
        reason = N_("Imported as a closed case: no record of this item.")
        for row in session.scalars(
            select(FollowUp).where(FollowUp.exposure_id == exposure.id, FollowUp.state == OPEN)
        ):
            row.state, row.state_reason = state, reason
    session.flush()
    return view


def _apply_recorded(
    session: Session, actor: Actor, exposure: Exposure, values: Mapping[str, str]
) -> None:
    """Prophylaxis and PEP records from the import (no audit event: the caller audits)."""
    for column, kind in (
        ("hbig_given", "hbig"),
        ("hbv_vaccine_given", "hbv_vaccine"),
        ("hiv_pep_started", "hiv_pep"),
    ):
        answer = values.get(column)
        if answer is None:
            continue
        given_at = None
        if kind == "hiv_pep" and "hiv_pep_started_at" in values:
            given_at = dt.datetime.fromisoformat(values["hiv_pep_started_at"])
        session.add(
            Prophylaxis(
                exposure_id=exposure.id,
                kind=kind,
                decision="given" if answer == "yes" else "not_given",
                dose_number=1 if kind != "hiv_pep" else None,
                given_at=given_at,
                reason=N_("Recorded in the imported file."),
                recorded_by=actor.username,
            )
        )
    if values.get("hiv_pep_started") == "yes" and "hiv_pep_started_at" in values:
        completed = values.get("hiv_pep_completed")
        session.add(
            PepCourseRecord(
                exposure_id=exposure.id,
                started_at=dt.datetime.fromisoformat(values["hiv_pep_started_at"]),
                days_taken=pep_rules.COURSE_DAYS if completed == "yes" else None,
                stop_reason=pep_rules.PepStopReason.OTHER if completed == "no" else None,
                recorded_by=actor.username,
            )
        )
    session.flush()


def _close_recorded_treatments(
    session: Session, exposure: Exposure, values: Mapping[str, str]
) -> None:
    for column, code in (("hbig_given", "hbig"), ("hbv_vaccine_given", "hbv_vaccine")):
        answer = values.get(column)
        if answer is None:
            continue
        first = session.scalar(
            select(FollowUp)
            .where(
                FollowUp.exposure_id == exposure.id, FollowUp.code == code, FollowUp.state == OPEN
            )
            .order_by(FollowUp.due_date)
            .limit(1)
        )
        if first is not None:
            first.state = DONE if answer == "yes" else CANCELLED
            first.state_reason = "" if answer == "yes" else N_("Recorded in the imported file.")


# -- prophylaxis ------------------------------------------------------------------------------


def _prophylaxis_row(row: Prophylaxis) -> ProphylaxisRow:
    return ProphylaxisRow(
        row.id,
        row.exposure_id,
        row.kind,
        row.decision,
        row.dose_number,
        row.given_at,
        row.product,
        followups.shown_reason(row.reason),
        row.recorded_by,
        row.recorded_at,
    )


def _local_now(session: Session, now: dt.datetime | None) -> dt.datetime:
    """Now as a hospital-local naive date-time (the form in which clinical times are stored)."""
    moment = as_utc(now) if now is not None else dt.datetime.now(dt.UTC)
    return moment.astimezone(_zone(session)).replace(tzinfo=None)


def validate_prophylaxis(
    exposure: Exposure, entry: ProphylaxisInput, local_now: dt.datetime
) -> tuple[dict[str, str], dict[str, str]]:
    """(errors, warnings) for a prophylaxis record."""
    errors: dict[str, str] = {}
    warnings: dict[str, str] = {}
    if entry.kind not in PROPHYLAXIS_KINDS:
        errors["kind"] = _("Choose from the list.")
    if entry.decision not in ("given", "declined", "contraindicated"):
        errors["decision"] = _("Choose from the list.")
    if entry.decision == "given":
        if entry.given_at is None:
            errors["given_at"] = _("Enter when it was given.")
        elif entry.given_at < exposure.occurred_at:
            errors["given_at"] = _("It cannot be given before the exposure.")
        elif entry.given_at > local_now:
            errors["given_at"] = _("The time is in the future.")
        else:
            hours = hours_between(exposure.occurred_at, entry.given_at)
            if entry.kind == "hbig" and hours > HBIG_LATE_DAYS * 24:
                warnings["given_at"] = _(
                    "HBIG given more than {days} days after the exposure: its benefit is unknown."
                ).format(days=HBIG_LATE_DAYS)
            if entry.kind == "hiv_pep" and hours > pep_rules.LIMIT_HOURS:
                warnings["given_at"] = _(
                    "PEP started {hours} hours after the exposure, outside the {limit}-hour "
                    "window: record the reason."
                ).format(hours=round(hours, 1), limit=pep_rules.LIMIT_HOURS)
    elif not entry.reason.strip():
        errors["reason"] = _("Give the reason.")
    if entry.dose_number is not None and entry.dose_number < 1:
        errors["dose_number"] = _("The dose number starts at 1.")
    for name in ("product", "reason"):
        if problem := text_problem(getattr(entry, name), multiline=name == "reason"):
            errors[name] = problem
    if len(entry.product) > 120:
        errors["product"] = _("At most 120 characters.")
    return errors, warnings


def record_prophylaxis(
    session: Session,
    actor: Actor,
    exposure_id: int,
    entry: ProphylaxisInput,
    *,
    now: dt.datetime | None = None,
) -> ProphylaxisSaved:
    """Record what was actually done about HBIG, the HBV vaccine or HIV PEP.

    A dose given closes its schedule item as done (and a vaccine dose joins the worker's
    immunisation record); a refusal or contraindication cancels the open items of that
    treatment with the reason; an HIV PEP decision adds or cancels the PEP monitoring visits."""
    actor.require(Permission.MANAGE_POST_EXPOSURE)
    exposure = _exposure(session, exposure_id)
    errors, warnings = validate_prophylaxis(exposure, entry, _local_now(session, now))
    if errors:
        raise ValidationError(errors)
    row = Prophylaxis(
        exposure_id=exposure.id,
        kind=entry.kind,
        decision=entry.decision,
        dose_number=entry.dose_number,
        given_at=entry.given_at if entry.decision == "given" else None,
        product=entry.product.strip(),
        reason=entry.reason.strip(),
        recorded_by=actor.username,
    )
    session.add(row)
    session.flush()
    effects = _treatment_effects(session, actor, exposure, row, warnings)
    if entry.kind == "hiv_pep" and _assessment(session, exposure.id) is not None:
        _protocol, _proposal, planned, pep_keys, _status = _propose(session, exposure, None, now)
        effects |= _sync_schedule(session, exposure, planned, pep_keys)
    values = dataclasses.asdict(entry) | {"exposure_id": exposure.id}
    changes = audit.created(values) | {k: [None, v] for k, v in effects.items()}
    audit.record(session, actor, "prophylaxis", ENTITY, exposure.id, changes)
    return ProphylaxisSaved(_prophylaxis_row(row), warnings)


def _treatment_effects(
    session: Session,
    actor: Actor,
    exposure: Exposure,
    row: Prophylaxis,
    warnings: dict[str, str],
) -> dict[str, Any]:
    if row.kind == "hiv_pep":
        return {}
    items = list(
        session.scalars(
            select(FollowUp)
            .where(
                FollowUp.exposure_id == exposure.id,
                FollowUp.code == row.kind,
                FollowUp.state == OPEN,
            )
            .order_by(FollowUp.due_date, FollowUp.id)
        )
    )
    effects: dict[str, Any] = {}
    if row.decision == "given":
        match = next((i for i in items if row.dose_number in (None, i.dose)), None)
        if match is not None:
            assert row.given_at is not None
            match.state, match.done_date, match.updated_at = DONE, row.given_at.date(), utcnow()
            effects["followup_done"] = match.id
            if row.dose_number is None:
                row.dose_number = match.dose
        if row.kind == "hbv_vaccine" and exposure.worker_id is not None:
            effects |= _add_worker_dose(session, actor, exposure, row, warnings)
    else:
        for item in items:
            item.state, item.state_reason, item.updated_at = CANCELLED, row.reason, utcnow()
        effects["followups_cancelled"] = len(items)
    session.flush()
    return effects


def _add_worker_dose(
    session: Session, actor: Actor, exposure: Exposure, row: Prophylaxis, warnings: dict[str, str]
) -> dict[str, Any]:
    """The post-exposure vaccine dose joins the worker's record (dose 1 opens a new series)."""
    assert exposure.worker_id is not None and row.given_at is not None
    series = session.scalar(
        select(HbvVaccineDose.series)
        .where(HbvVaccineDose.worker_id == exposure.worker_id)
        .order_by(HbvVaccineDose.series.desc())
        .limit(1)
    )
    number = row.dose_number or 1
    dose = immunisation.DoseInput(
        given_on=row.given_at.date(),
        dose_number=number,
        series=(series or 0) + 1 if number == 1 else series or 1,
        product=row.product,
    )
    errors = immunisation.validate_dose(session, exposure.worker_id, dose, row.given_at.date())
    if errors:
        warnings["dose_number"] = _(
            "The dose was not added to the worker's vaccination record: {problem}"
        ).format(problem=" ".join(errors.values()))
        return {}
    session.add(
        HbvVaccineDose(
            worker_id=exposure.worker_id,
            given_on=dose.given_on,
            series=dose.series,
            dose_number=dose.dose_number,
            doses_in_series=dose.doses_in_series,
            product=dose.product,
            exposure_id=exposure.id,
            recorded_by=actor.username,
        )
    )
    return {"worker_dose_series": dose.series}


# -- PEP course -------------------------------------------------------------------------------


def _pep_view(session: Session, row: PepCourseRecord, exposure: Exposure) -> PepCourseView:
    zone = _zone(session)
    course = pep_rules.PepCourse(
        _aware(row.started_at, zone),
        row.days_taken,
        row.stop_reason,
        tuple(row.side_effects.splitlines()),
        row.course_days,
    )
    exposure_at = _aware(exposure.occurred_at, zone)
    return PepCourseView(
        exposure_id=exposure.id,
        version=row.version,
        regimen=row.regimen,
        started_at=row.started_at,
        course_days=row.course_days,
        days_taken=row.days_taken,
        stop_reason=row.stop_reason,
        side_effects=course.side_effects,
        late_reason=row.late_reason,
        completion=str(pep_rules.completion(course)),
        hours_to_first_dose=round(pep_rules.hours_to_first_dose(course, exposure_at), 1),
        within_2h=pep_rules.started_within_2h(course, exposure_at),
        within_72h=pep_rules.started_within_72h(course, exposure_at),
        planned_last_dose=(row.started_at + dt.timedelta(days=row.course_days - 1)).date(),
    )


def record_pep_course(
    session: Session,
    actor: Actor,
    exposure_id: int,
    entry: PepCourseInput,
    *,
    now: dt.datetime | None = None,
) -> PepCourseView:
    """Create or update the PEP course (first dose, days taken, stop reason, side effects).

    A first dose before the exposure or in the future is refused; after the 72-hour window it
    needs ``late_reason``. Recording a course also records HIV PEP as given, if not yet."""
    actor.require(Permission.MANAGE_POST_EXPOSURE)
    exposure = _exposure(session, exposure_id)
    if entry.started_at is None:
        raise ValidationError({"started_at": _("Enter the time of the first dose.")})
    zone = _zone(session)
    effects = [s.strip() for s in entry.side_effects if s.strip()]
    course = pep_rules.PepCourse(
        _aware(entry.started_at, zone), entry.days_taken, entry.stop_reason or None, tuple(effects)
    )
    moment = as_utc(now) if now is not None else dt.datetime.now(dt.UTC)
    issues = pep_rules.validate_pep_course(course, _aware(exposure.occurred_at, zone), moment)
    errors = issue_messages(issues)
    warnings = issue_messages(issues, Severity.WARNING)
    if warnings.get("started_at") and not entry.late_reason.strip():
        errors.setdefault("late_reason", warnings["started_at"])
    for name, value in (("regimen", entry.regimen), ("late_reason", entry.late_reason)):
        if problem := text_problem(value, multiline=name == "late_reason"):
            errors[name] = problem
    if len(entry.regimen) > 200:
        errors["regimen"] = _("At most 200 characters.")
    if errors:
        raise ValidationError(errors)
    row = session.scalar(select(PepCourseRecord).where(PepCourseRecord.exposure_id == exposure_id))
    if row is not None and entry.version is not None and entry.version != row.version:
        raise Conflict(
            _(
                "Someone else changed this record since you opened it. "
                "Close it, open it again and repeat your change."
            )
        )
    before: dict[str, Any] = {}
    if row is None:
        row = PepCourseRecord(exposure_id=exposure_id, recorded_by=actor.username)
        session.add(row)
    else:
        before = _course_values(row)
    row.regimen = entry.regimen.strip()
    row.started_at = entry.started_at.replace(tzinfo=None)
    row.days_taken = entry.days_taken
    row.stop_reason = entry.stop_reason or None
    row.side_effects = "\n".join(effects)
    row.late_reason = entry.late_reason.strip()
    row.updated_at = utcnow()
    session.flush()
    added_given = False
    if not _pep_decision(session, exposure_id):
        session.add(
            Prophylaxis(
                exposure_id=exposure_id,
                kind="hiv_pep",
                decision="given",
                given_at=row.started_at,
                product=row.regimen,
                recorded_by=actor.username,
            )
        )
        session.flush()
        added_given = True
        if _assessment(session, exposure_id) is not None:
            planned, pep_keys = _propose(session, exposure, None, now)[2:4]
            _sync_schedule(session, exposure, planned, pep_keys)
    changes = audit.diff(before, _course_values(row))
    if added_given:
        changes["hiv_pep_given"] = [None, True]
    audit.record(session, actor, "pep_course", ENTITY, exposure_id, changes)
    view = _pep_view(session, row, exposure)
    return dataclasses.replace(view, warnings=warnings)


def _course_values(row: PepCourseRecord) -> dict[str, Any]:
    return {
        "regimen": row.regimen,
        "started_at": row.started_at,
        "days_taken": row.days_taken,
        "stop_reason": row.stop_reason,
        "side_effects": row.side_effects,
        "late_reason": row.late_reason,
    }


# -- notification and closing ------------------------------------------------------------------


def _notification_row(row: DiseaseNotification) -> NotificationRow:
    return NotificationRow(
        row.id,
        row.exposure_id,
        row.notification_type,
        row.pathogen,
        row.notified_party,
        row.notified_on,
        row.case_number,
        row.note,
        row.recorded_by,
    )


def _validate_notification(
    entry: NotificationInput, exposure: Exposure, today: dt.date
) -> dict[str, str]:
    errors: dict[str, str] = {}
    if entry.notification_type not in NOTIFICATION_TYPES:
        errors["notification_type"] = _("Choose from the list.")
    if entry.pathogen not in PATHOGENS:
        errors["pathogen"] = _("Choose from the list.")
    if not entry.notified_party.strip():
        errors["notified_party"] = _("Say who was notified.")
    elif len(entry.notified_party.strip()) > 200:
        errors["notified_party"] = _("At most 200 characters.")
    if entry.notified_on is None:
        errors["notified_on"] = _("Enter the date of the notification.")
    elif entry.notified_on < followups.exposure_day(exposure):
        errors["notified_on"] = _("The date is before the exposure.")
    elif entry.notified_on > today:
        errors["notified_on"] = _("The date is in the future.")
    for name in ("notified_party", "case_number", "note"):
        if problem := text_problem(getattr(entry, name), multiline=name == "note"):
            errors[name] = problem
    if len(entry.case_number) > 80:
        errors["case_number"] = _("At most 80 characters.")
    return errors


def _add_notification(
    session: Session, actor: Actor, exposure: Exposure, entry: NotificationInput
) -> DiseaseNotification:
    row = DiseaseNotification(
        exposure_id=exposure.id,
        notification_type=entry.notification_type,
        pathogen=entry.pathogen,
        notified_party=entry.notified_party.strip(),
        notified_on=entry.notified_on,
        case_number=entry.case_number.strip(),
        note=entry.note.strip(),
        recorded_by=actor.username,
    )
    session.add(row)
    session.flush()
    return row


def record_notification(
    session: Session,
    actor: Actor,
    exposure_id: int,
    entry: NotificationInput,
    *,
    today: dt.date | None = None,
) -> NotificationRow:
    """Record who was notified of a seroconversion (occupational disease report for HIV, work
    injury claim for HBV/HCV, or internal only) and when."""
    actor.require(Permission.MANAGE_POST_EXPOSURE)
    exposure = _exposure(session, exposure_id)
    today = today or followups.today_in_hospital(session)
    errors = _validate_notification(entry, exposure, today)
    if errors:
        raise ValidationError(errors)
    row = _add_notification(session, actor, exposure, entry)
    values = dataclasses.asdict(entry)
    audit.record(session, actor, "notification", ENTITY, exposure.id, audit.created(values))
    return _notification_row(row)


def suggested_notification(outcome: str) -> str | None:
    """The notification type the outcome rules propose (HIV: occupational disease report)."""
    rule = outcome_rule(outcome)
    return str(rule.notification_type) if rule.notification_type else None


def close_case(
    session: Session,
    actor: Actor,
    exposure_id: int,
    entry: CloseInput,
    *,
    today: dt.date | None = None,
) -> OutcomeView:
    """Close the case with its outcome. Refused while follow-ups are open (they are named), for
    an incomplete record, and for a seroconversion without its date or a notification."""
    actor.require(Permission.MANAGE_POST_EXPOSURE)
    exposure = _exposure(session, exposure_id)
    today = today or followups.today_in_hospital(session)
    d0 = followups.exposure_day(exposure)
    if exposure.status in ("closed", "lost_to_follow_up"):
        raise ValidationError({"outcome": _("The case is already closed.")})
    if entry.outcome not in OUTCOMES or entry.outcome == Outcome.PENDING:
        raise ValidationError({"outcome": _("Choose the outcome before closing.")})
    items = list(session.scalars(select(FollowUp).where(FollowUp.exposure_id == exposure_id)))
    errors: dict[str, str] = {}
    if entry.mark_open_missed:
        if entry.outcome != Outcome.LOST_TO_FOLLOW_UP:
            errors["mark_open_missed"] = _(
                "Only a case lost to follow-up closes its open items as missed."
            )
        else:
            for item in items:
                if item.state == OPEN:
                    item.state, item.state_reason = MISSED, N_("Lost to follow-up.")
                    item.updated_at = utcnow()
    rule = outcome_rule(entry.outcome)
    if rule.requires_notification:
        if entry.seroconversion_date is None:
            errors["seroconversion_date"] = _("Enter the date of the seroconversion.")
        elif not d0 <= entry.seroconversion_date <= today:
            errors["seroconversion_date"] = _("The date must lie between the exposure and today.")
        if entry.notification is not None:
            errors |= _validate_notification(entry.notification, exposure, today)
    notified = entry.notification is not None or (
        session.scalar(
            select(DiseaseNotification.id).where(DiseaseNotification.exposure_id == exposure_id)
        )
        is not None
    )

    day = today

    class _Status:
        def __init__(self, item: FollowUp):
            self.item, self.status = item, str(followups.status_of(item, day))

    wrapped = [_Status(i) for i in items]
    for found in close_problems(wrapped, entry.outcome, notified=notified):
        if found.field == "followups":
            still = [w.item for w in wrapped if w.item.state == OPEN]
            errors["followups"] = _(
                "Follow-up items still open: {items}. Record each as done, missed or cancelled "
                "first."
            ).format(items="; ".join(followups.describe(i) for i in still))
        else:
            errors.setdefault(found.field, found.text.render(_))
    if exposure.incomplete:
        errors["status"] = _("Complete the record before closing it.")
    if problem := text_problem(entry.note, multiline=True):
        errors["note"] = problem
    if errors:
        raise ValidationError(errors)
    if entry.notification is not None:
        _add_notification(session, actor, exposure, entry.notification)
    row = CaseOutcome(
        exposure_id=exposure_id,
        outcome=entry.outcome,
        seroconversion_date=entry.seroconversion_date if rule.requires_notification else None,
        note=entry.note.strip(),
        closed_by=actor.username,
    )
    session.add(row)
    before = {"status": exposure.status, "outcome": exposure.outcome}
    exposure.status = (
        "lost_to_follow_up" if entry.outcome == Outcome.LOST_TO_FOLLOW_UP else "closed"
    )
    exposure.outcome = entry.outcome
    exposure.updated_at = utcnow()
    session.flush()
    after = {"status": exposure.status, "outcome": exposure.outcome}
    changes = audit.diff(before, after) | {
        "seroconversion_date": [None, audit._plain(row.seroconversion_date)],
        "notification_added": [None, entry.notification is not None],
    }
    audit.record(session, actor, "close", ENTITY, exposure_id, changes)
    return OutcomeView(row.outcome, row.seroconversion_date, row.note, row.closed_by, row.closed_at)


# -- the case as a whole ----------------------------------------------------------------------


def _saved_view(
    session: Session, exposure: Exposure, saved: PostExposureAssessment, now: dt.datetime | None
) -> AssessmentView:
    protocol = protocol_by_id(saved.protocol_id)
    alternative = protocol_by_id(protocol.alternative) if protocol.alternative else None
    values = json.loads(saved.inputs)
    values["occurred_at"] = dt.datetime.fromisoformat(values["occurred_at"])
    inputs = ExposureInputs(**values)
    moment = as_utc(now) if now is not None else dt.datetime.now(dt.UTC)
    proposal = assess(
        inputs, protocol, max(moment, as_utc(inputs.occurred_at)), alternative=alternative
    )
    d0 = followups.exposure_day(exposure)
    planned, pep_keys = _schedule(proposal, protocol, d0, _pep_decision(session, exposure.id))
    current, status = exposure_inputs(session, exposure)
    outdated = _inputs_json(current) != saved.inputs
    return _view(exposure, protocol, proposal, planned, pep_keys, status, saved, outdated)


def get_case(
    session: Session,
    actor: Actor,
    exposure_id: int,
    *,
    today: dt.date | None = None,
    now: dt.datetime | None = None,
) -> CaseView:
    """The saved assessment (as proposed then; ``outdated`` if results changed since), the
    clinician's decisions, the follow-ups, the PEP course, the outcome and notifications."""
    actor.require(Permission.VIEW_SEROSTATUS)
    exposure = _exposure(session, exposure_id)
    today = today or followups.today_in_hospital(session, now)
    saved = _assessment(session, exposure_id)
    course = session.scalar(
        select(PepCourseRecord).where(PepCourseRecord.exposure_id == exposure_id)
    )
    closed = session.scalar(select(CaseOutcome).where(CaseOutcome.exposure_id == exposure_id))
    items: list[FollowupRow] = []
    if actor.can(Permission.VIEW_FOLLOWUPS):
        items = followups.list_followups(
            session,
            actor,
            followups.FollowupFilter(scope="all", exposure_id=exposure_id),
            today=today,
            limit=1000,
        )
        items.sort(key=lambda r: (r.due_date, r.window_end, r.id))
    return CaseView(
        exposure_id=exposure.id,
        reference=exposure.reference,
        exposure_date=followups.exposure_day(exposure),
        status=exposure.status,
        outcome=exposure.outcome,
        assessment=_saved_view(session, exposure, saved, now) if saved else None,
        prophylaxis=tuple(
            _prophylaxis_row(r)
            for r in session.scalars(
                select(Prophylaxis)
                .where(Prophylaxis.exposure_id == exposure_id)
                .order_by(Prophylaxis.id)
            )
        ),
        followups=tuple(items),
        pep_course=_pep_view(session, course, exposure) if course else None,
        closed=(
            OutcomeView(
                closed.outcome,
                closed.seroconversion_date,
                closed.note,
                closed.closed_by,
                closed.closed_at,
            )
            if closed
            else None
        ),
        notifications=tuple(
            _notification_row(r)
            for r in session.scalars(
                select(DiseaseNotification)
                .where(DiseaseNotification.exposure_id == exposure_id)
                .order_by(DiseaseNotification.id)
            )
        ),
    )


def check_recorded(recorded: Mapping[str, str] | None) -> dict[str, str]:
    """Check post-exposure answers as ``ensure_assessed`` will (the historical import's dry
    run reports them before anything is written); raises ValidationError naming the column."""
    return _recorded(recorded)
