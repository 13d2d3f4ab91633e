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
from functools import cache, lru_cache
from pathlib import Path
from typing import Any, cast
from zoneinfo import ZoneInfo

from sqlalchemy import Table, insert, select
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
    OffsetAdjustment,
    Protocol,
    ProtocolError,
    adjustment_issues,
    adjustments_as_overrides,
    find_item,
    load_protocol,
)
from hospital_osh.domain.roles import Permission
from hospital_osh.i18n import _, current_language
from hospital_osh.models import (
    CaseOutcome,
    CaseReopening,
    DiseaseNotification,
    Exposure,
    FollowUp,
    HbvVaccineDose,
    PepCourseRecord,
    PostExposureAssessment,
    Prophylaxis,
    ProtocolAdjustment,
)
from hospital_osh.models.base import new_uuid, utcnow
from hospital_osh.services import audit, exposures, followups, immunisation, settings
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
    adjusted: str = ""  # "Adjusted by the hospital: <reason>" when the hospital changed its offsets

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


ADJUSTED = "hospital"  # how a protocol with the hospital's offsets names them (snapshot, audit)


def _adjustments(session: Session, protocol_id: str) -> tuple[OffsetAdjustment, ...]:
    rows = session.execute(
        select(
            ProtocolAdjustment.schedule,
            ProtocolAdjustment.item_id,
            ProtocolAdjustment.due,
            ProtocolAdjustment.window_start,
            ProtocolAdjustment.window_end,
            ProtocolAdjustment.reason,
        )
        .where(ProtocolAdjustment.protocol_id == protocol_id)
        .order_by(ProtocolAdjustment.schedule, ProtocolAdjustment.item_id)
    )
    return tuple(OffsetAdjustment(*row) for row in rows)


@lru_cache(maxsize=32)
def _with_adjustments(protocol_id: str, adjustments: tuple[OffsetAdjustment, ...]) -> Protocol:
    """The shipped protocol with the hospital's offsets merged in (validated by the loader:
    raises ProtocolError naming the row)."""
    path = paths.resource("protocols", PROTOCOL_FILES[protocol_id])
    merged = load_protocol(path, adjustments_as_overrides(adjustments), overrides_name=ADJUSTED)
    return dataclasses.replace(merged, adjustments=adjustments)


def adjusted_protocol(session: Session, protocol_id: str) -> Protocol:
    """A shipped protocol with the hospital's offsets (the shipped one when it has none)."""
    adjustments = _adjustments(session, protocol_id)
    if not adjustments:
        return protocol_by_id(protocol_id)
    try:
        return _with_adjustments(protocol_id, adjustments)
    except ProtocolError as error:
        raise ProtocolProblem(
            _("The protocol file cannot be used: {problem}").format(problem=str(error))
        ) from None


def hospital_protocol(session: Session) -> tuple[Protocol, Protocol | None]:
    """The hospital's protocol (setting ``post_exposure_protocol``) with its own offsets, and the
    alternative it names (CDC beside China for a documented non-responder)."""
    chosen = settings.get_setting(session, SETTING)
    protocol = adjusted_protocol(session, chosen if chosen in PROTOCOL_FILES else DEFAULT_PROTOCOL)
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


# The inputs the protocol decided on, as they stood at the exposure: the route and circumstances,
# the source's statuses and the worker's derived HBV status on D0. A change to any of them makes a
# saved assessment outdated. The worker's own results measured after the exposure (the baseline
# anti-HCV and HIV, anti-HBs tested now for a worker whose response is unknown) are results of the
# follow-up that the schedule asked for: they arrive in nearly every case and do not make it so.
DECISION_INPUTS = (
    "exposure_type",
    "occurred_at",
    "clean_unused_sharp",
    "infectious_fluid",
    "source_identified",
    "source_hbsag",
    "source_hbeag",
    "source_anti_hcv",
    "source_hcv_rna",
    "source_hiv",
    "source_hiv_viral_load",
    "source_recent_risk",
    "worker_hbv_status",
    "china_exposure_level",
    "china_source_grade",
)


def decision_inputs(values: Mapping[str, Any]) -> dict[str, Any]:
    """The part of stored (JSON) inputs that decides whether an assessment is outdated."""
    return {name: values.get(name) for name in DECISION_INPUTS}


def changed_inputs(saved_json: str, current: ExposureInputs) -> tuple[str, ...]:
    """The decision inputs that differ between a saved assessment and the record now."""
    before = decision_inputs(json.loads(saved_json))
    after = decision_inputs(json.loads(_inputs_json(current)))
    return tuple(name for name in DECISION_INPUTS if before[name] != after[name])


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


def _planned_view(
    test: PlannedTest, pep_keys: set[str], d0: dt.date, protocol: Protocol
) -> PlannedItemView:
    found = (protocol.adjustment(b.schedule, b.item_id) for b in test.basis if b.overridden)
    reasons = tuple(dict.fromkeys(a.reason for a in found if a is not None))
    return PlannedItemView(
        code=str(test.code),
        dose=test.dose,
        due_date=test.due,
        window_start=test.window_start,
        window_end=test.window_end,
        reasons=tuple(r.render(_) for r in test.reasons),
        verified=str(test.verified),
        pep_item=_plan_key(test, d0) in pep_keys,
        adjusted=(
            _("Adjusted by the hospital: {reason}").format(reason="; ".join(reasons))
            if reasons
            else ""
        ),
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
        planned=tuple(_planned_view(t, pep_keys, d0, protocol) for t in planned),
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
    """What the audit trail and the outdated rule need of a proposal, kept small (it is stored
    once per exposure): the protocol and its adjustments, the rows that decided, the PEP level
    and the keys of the planned items. The full text is rebuilt from the protocol on display."""
    hiv = proposal.hiv
    data = {
        "protocol": proposal.protocol_id,
        "protocol_version": proposal.protocol_version,
        "overrides": list(proposal.protocol_overrides),
        "assessed_at": proposal.assessed_at.isoformat(),
        "rules": [r.rule_id for r in proposal.recommendations],
        "pep_level": hiv.pep if hiv else None,
        "planned": [_plan_key(t, d0) for t in planned],
    }
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


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


def _draft_exposure(info: exposures.ExposureInfo) -> Exposure:
    """A transient record holding what the form says now. It is never added to the session,
    so nothing about it can be flushed: the proposal reads it like a saved record. The fields
    are the form's editable ones, as ``ExposureInfo.values()`` gives them to the model."""
    return Exposure(id=info.id or 0, reference=info.reference, **info.values())


def propose_for(
    session: Session,
    actor: Actor,
    info: exposures.ExposureInfo,
    *,
    now: dt.datetime | None = None,
) -> AssessmentView:
    """What the protocol proposes for the values on a form, saved or not; writes nothing.

    The exposure and quick-report forms call it a moment after each change, so the officer sees
    the recommendation while typing the source and worker status (issue 5: within a second).
    It takes the same path as ``propose`` (the worker's immunity from the records, the
    hospital's protocol and offsets) on a transient record; ``saved`` is False. A form that
    lacks what the tables need is refused with the field named."""
    actor.require(Permission.MANAGE_POST_EXPOSURE)
    missing: dict[str, str] = {}
    if info.occurred_at is None:
        missing["occurred_at"] = _("Enter when the exposure happened.")
    if not info.exposure_type:
        missing["exposure_type"] = _("Choose the type of exposure.")
    if missing:
        raise ValidationError(missing)
    if info.serostatus_hidden:
        raise ValidationError(
            {"source_identified": _("Source test results are hidden for your role.")}
        )
    exposure = _draft_exposure(info)
    protocol, proposal, planned, pep_keys, status = _propose(session, exposure, None, now)
    return _view(exposure, protocol, proposal, planned, pep_keys, status, None)


def _assessment(session: Session, exposure_id: int) -> PostExposureAssessment | None:
    return session.scalar(
        select(PostExposureAssessment).where(PostExposureAssessment.exposure_id == exposure_id)
    )


def _basis_json(test: PlannedTest) -> str:
    """Why the item exists, for the follow-ups list (pathogen, reason) and the audit (row, item,
    tag); the source text stays in the protocol file, named by the row."""
    return json.dumps(
        [
            {
                "pathogen": b.pathogen,
                "rule_id": b.rule_id,
                "item_id": b.item_id,
                "reason": b.reason.message,
                "params": b.reason.kwargs,
                "verified": b.verified,
                **({"overridden": True} if b.overridden else {}),
            }
            for b in test.basis
        ],
        ensure_ascii=False,
        separators=(",", ":"),
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
    new_rows: list[dict[str, Any]] = []
    stamp = utcnow()
    for key, test in wanted.items():
        row = existing.get(key)
        if row is None:
            new_rows.append(
                {
                    "uuid": new_uuid(),
                    "version": 1,
                    "exposure_id": exposure.id,
                    "plan_key": key,
                    "code": str(test.code),
                    "dose": test.dose,
                    "pep_item": key in pep_keys,
                    "due_date": test.due,
                    "window_start": test.window_start,
                    "window_end": test.window_end,
                    "basis": _basis_json(test),
                    "state": OPEN,
                    "state_reason": "",
                    "note": "",
                    "created_at": stamp,
                    "updated_at": stamp,
                }
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
    if new_rows:  # one multi-row INSERT: one round trip on PostgreSQL, whatever the count
        session.execute(insert(cast(Table, FollowUp.__table__)), new_rows)
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
    protocol = adjusted_protocol(session, saved.protocol_id)
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
    outdated = bool(changed_inputs(saved.inputs, current))
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


# -- reopening a closed case ------------------------------------------------------------------

CLOSED_STATUSES = ("closed", "lost_to_follow_up")  # the exposure statuses a case can reopen from


@dataclass(frozen=True)
class ReopeningRow:
    """An earlier closing of the case, undone: the outcome it had and why it was reopened."""

    previous_status: str
    previous_outcome: str
    seroconversion_date: dt.date | None
    outcome_note: str
    closed_by: str
    closed_at: dt.datetime
    reason: str
    reopened_by: str
    reopened_at: dt.datetime


def reopen_case(session: Session, actor: Actor, exposure_id: int, reason: str) -> ReopeningRow:
    """Open a closed (or lost) case again, e.g. when a worker lost to follow-up comes back.

    The outcome it had moves to the case's history with the reason; the items a "lost to
    follow-up" closing marked missed are open again, and follow-ups can be added (re-assessment)
    or re-planned. One audit event."""
    actor.require(Permission.MANAGE_POST_EXPOSURE)
    exposure = _exposure(session, exposure_id)
    if exposure.status not in ("closed", "lost_to_follow_up"):
        raise ValidationError({"reason": _("The case is not closed.")})
    errors: dict[str, str] = {}
    if not reason.strip():
        errors["reason"] = _("Give the reason for reopening the case.")
    elif problem := text_problem(reason, multiline=True):
        errors["reason"] = problem
    if errors:
        raise ValidationError(errors)
    closed = session.scalar(select(CaseOutcome).where(CaseOutcome.exposure_id == exposure_id))
    history = CaseReopening(
        exposure_id=exposure_id,
        previous_status=exposure.status,
        previous_outcome=exposure.outcome,
        seroconversion_date=closed.seroconversion_date if closed else None,
        outcome_note=closed.note if closed else "",
        closed_by=closed.closed_by if closed else "",
        closed_at=closed.closed_at if closed else exposure.updated_at,
        reason=reason.strip(),
        reopened_by=actor.username,
    )
    session.add(history)
    if closed is not None:
        session.delete(closed)
    reopened_items = 0
    lost = N_("Lost to follow-up.")
    for item in session.scalars(
        select(FollowUp).where(
            FollowUp.exposure_id == exposure_id,
            FollowUp.state == MISSED,
            FollowUp.state_reason == lost,
        )
    ):
        item.state, item.state_reason, item.updated_at = OPEN, "", utcnow()
        reopened_items += 1
    before = {"status": exposure.status, "outcome": exposure.outcome}
    exposure.status, exposure.outcome = "under_follow_up", str(Outcome.PENDING)
    exposure.updated_at = utcnow()
    session.flush()
    changes = audit.diff(before, {"status": exposure.status, "outcome": exposure.outcome}) | {
        "reason": [None, history.reason],
        "followups_reopened": [None, reopened_items],
    }
    audit.record(session, actor, "reopen", ENTITY, exposure_id, changes)
    return _reopening_row(history)


def _reopening_row(row: CaseReopening) -> ReopeningRow:
    return ReopeningRow(
        row.previous_status,
        row.previous_outcome,
        row.seroconversion_date,
        row.outcome_note,
        row.closed_by,
        row.closed_at,
        row.reason,
        row.reopened_by,
        row.reopened_at,
    )


def reopenings(session: Session, actor: Actor, exposure_id: int) -> tuple[ReopeningRow, ...]:
    """The case's earlier closings that were undone, oldest first."""
    actor.require(Permission.VIEW_SEROSTATUS)
    return tuple(
        _reopening_row(row)
        for row in session.scalars(
            select(CaseReopening)
            .where(CaseReopening.exposure_id == exposure_id)
            .order_by(CaseReopening.id)
        )
    )


# -- the hospital's own schedule offsets -------------------------------------------------------


@dataclass(frozen=True)
class ScheduleRowView:
    """One schedule item of a protocol: the protocol's offsets and, if set, the hospital's."""

    protocol_id: str
    schedule: str
    item_id: str
    code: str
    label: str  # the test or treatment in the user's language (with its dose)
    protocol_due: int
    protocol_window: tuple[int, int]
    due: int
    window_start: int
    window_end: int
    adjusted: bool
    reason: str = ""
    changed_by: str = ""
    changed_at: dt.datetime | None = None

    @property
    def row_name(self) -> str:
        """How messages name the row: the test, then its schedule and item."""
        return f"{self.label} ({self.schedule} / {self.item_id})"


@dataclass(frozen=True)
class AdjustmentInput:
    protocol_id: str
    schedule: str
    item_id: str
    due: int
    window_start: int
    window_end: int
    reason: str


def _item_label(code: str, dose: int | None) -> str:
    from hospital_osh.domain.protocol_vocab import FOLLOWUP_ITEMS

    name = _(FOLLOWUP_ITEMS.label(code))
    return f"{name} {dose}" if dose else name


def schedule_rows(session: Session, protocol_id: str) -> list[ScheduleRowView]:
    """Every schedule item of a shipped protocol with the hospital's offsets beside it (the
    settings section's table). Protocol data: any signed-in user may read it."""
    if protocol_id not in PROTOCOL_FILES:
        raise ValidationError(
            {
                "protocol_id": _("Choose one of: {choices}.").format(
                    choices=", ".join(PROTOCOL_FILES)
                )
            }
        )
    shipped = protocol_by_id(protocol_id)
    stored = {
        (row.schedule, row.item_id): row
        for row in session.scalars(
            select(ProtocolAdjustment).where(ProtocolAdjustment.protocol_id == protocol_id)
        )
    }
    rows = []
    for name, items in shipped.schedules:
        for item in items:
            own = stored.get((name, item.id))
            rows.append(
                ScheduleRowView(
                    protocol_id=protocol_id,
                    schedule=name,
                    item_id=item.id,
                    code=str(item.code),
                    label=_item_label(str(item.code), item.dose),
                    protocol_due=item.due,
                    protocol_window=(item.window_start, item.window_end),
                    due=own.due if own else item.due,
                    window_start=own.window_start if own else item.window_start,
                    window_end=own.window_end if own else item.window_end,
                    adjusted=own is not None,
                    reason=own.reason if own else "",
                    changed_by=own.changed_by if own else "",
                    changed_at=own.changed_at if own else None,
                )
            )
    return rows


def _shipped_item(protocol_id: str, schedule: str, item_id: str) -> tuple[Protocol, str]:
    if protocol_id not in PROTOCOL_FILES:
        raise ValidationError(
            {
                "protocol_id": _("Choose one of: {choices}.").format(
                    choices=", ".join(PROTOCOL_FILES)
                )
            }
        )
    shipped = protocol_by_id(protocol_id)
    item = find_item(shipped, schedule, item_id)
    if item is None:
        raise ValidationError(
            {
                "item_id": _("The protocol has no schedule item '{item}' in '{schedule}'.").format(
                    item=item_id, schedule=schedule
                )
            }
        )
    label = f"{_item_label(str(item.code), item.dose)} ({schedule} / {item_id})"
    return shipped, label


def set_adjustment(session: Session, actor: Actor, entry: AdjustmentInput) -> ScheduleRowView:
    """Set the hospital's due day and window of one schedule item, with the reason.

    Days outside 0..730, a window that does not contain the due day or a missing reason are
    refused naming the row; so is an offset the protocol's own rules forbid (anti-HBs tested
    too early after the vaccine or HBIG). Schedules generated from now on use it."""
    actor.require(Permission.MANAGE_HOSPITAL)
    _shipped, label = _shipped_item(entry.protocol_id, entry.schedule, entry.item_id)
    adjustment = OffsetAdjustment(
        entry.schedule,
        entry.item_id,
        entry.due,
        entry.window_start,
        entry.window_end,
        entry.reason.strip(),
    )
    errors = issue_messages(adjustment_issues(adjustment, label))
    if not errors and (problem := text_problem(entry.reason, multiline=True)):
        errors["reason"] = problem
    if errors:
        raise ValidationError(errors)
    others = tuple(
        a
        for a in _adjustments(session, entry.protocol_id)
        if (a.schedule, a.item_id) != (entry.schedule, entry.item_id)
    )
    try:
        _with_adjustments(entry.protocol_id, (*others, adjustment))
    except ProtocolError as error:
        raise ValidationError(
            {
                "due": _("{row}: the protocol does not allow it: {problem}").format(
                    row=label, problem=error.problem
                )
            }
        ) from None
    row = session.scalar(
        select(ProtocolAdjustment).where(
            ProtocolAdjustment.protocol_id == entry.protocol_id,
            ProtocolAdjustment.schedule == entry.schedule,
            ProtocolAdjustment.item_id == entry.item_id,
        )
    )
    before: dict[str, Any] = {}
    if row is None:
        row = ProtocolAdjustment(
            protocol_id=entry.protocol_id, schedule=entry.schedule, item_id=entry.item_id
        )
        session.add(row)
    else:
        before = _adjustment_values(row)
    row.due, row.window_start, row.window_end = entry.due, entry.window_start, entry.window_end
    row.reason = adjustment.reason
    row.changed_by = actor.username
    row.changed_at = utcnow()
    session.flush()
    key = f"{entry.protocol_id}:{entry.schedule}:{entry.item_id}"
    changes = audit.diff(before, _adjustment_values(row))
    audit.record(session, actor, "adjust_offsets", "protocol", key, changes)
    return next(
        r
        for r in schedule_rows(session, entry.protocol_id)
        if (r.schedule, r.item_id) == (entry.schedule, entry.item_id)
    )


def reset_adjustment(
    session: Session, actor: Actor, protocol_id: str, schedule: str, item_id: str
) -> ScheduleRowView:
    """Return one schedule item to the protocol's own offsets (audited with what it was)."""
    actor.require(Permission.MANAGE_HOSPITAL)
    _shipped_item(protocol_id, schedule, item_id)
    row = session.scalar(
        select(ProtocolAdjustment).where(
            ProtocolAdjustment.protocol_id == protocol_id,
            ProtocolAdjustment.schedule == schedule,
            ProtocolAdjustment.item_id == item_id,
        )
    )
    if row is None:
        raise ValidationError({"item_id": _("The row already has the protocol's values.")})
    before = _adjustment_values(row)
    session.delete(row)
    session.flush()
    key = f"{protocol_id}:{schedule}:{item_id}"
    audit.record(session, actor, "reset_offsets", "protocol", key, audit.diff(before, {}))
    return next(
        r
        for r in schedule_rows(session, protocol_id)
        if (r.schedule, r.item_id) == (schedule, item_id)
    )


def _adjustment_values(row: ProtocolAdjustment) -> dict[str, Any]:
    return {
        "due": row.due,
        "window_start": row.window_start,
        "window_end": row.window_end,
        "reason": row.reason,
    }


# -- the case sheet -----------------------------------------------------------------------------


def case_sheet_info(
    session: Session, actor: Actor, exposure_id: int, language: str
) -> exposures.ExposureInfo:
    """The record a case sheet prints (masked as the actor's role requires), with one audit
    event: a confidential document leaves the system, so the trail says who printed which case.
    Call it in the transaction that builds the sheet, so a failed build leaves no event."""
    info = exposures.get_exposure(session, actor, exposure_id)
    audit.record(
        session,
        actor,
        "print_case_sheet",
        exposures.ENTITY,
        exposure_id,
        {"reference": [None, info.reference], "language": [None, language]},
    )
    return info
