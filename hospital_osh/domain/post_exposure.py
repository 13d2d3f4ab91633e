"""Decision support after an exposure: inputs + protocol -> a proposal, per pathogen.

``assess(inputs, protocol, now)`` looks up the one matching row of each decision table of the
protocol file (domain/exposures.md §b.2–§b.7) and returns a :class:`Proposal`: what to give or
test for HBV, HCV and HIV, the HIV PEP clock, and the follow-up items. Every recommendation
carries its translatable text, its source and its evidence tag, so the UI can show "unverified,
source: ..." beside [U] rows. A proposal is a plain immutable value: it never becomes a fact by
itself; a clinician's decisions are recorded separately (§a.1, Assessment).
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from enum import StrEnum

from hospital_osh.domain.clock import as_utc, hours_between
from hospital_osh.domain.codes import N_
from hospital_osh.domain.immunity import MAX_ANTI_HBS, PROTECTIVE_ANTI_HBS, HbvStatus
from hospital_osh.domain.messages import Issue, Severity, Text, issue, raise_errors
from hospital_osh.domain.protocol_vocab import (
    ACTION_TEXTS,
    CHINA_LEVELS,
    CHINA_SOURCE_GRADES,
    EVIDENCE_NOTES,
    NO_BBF_RISK,
    OVERRIDDEN_NOTE,
    PEP_LEVELS,
    REGIMEN_ACTIONS,
    ROUTES,
    SOURCE_RESULTS,
    SOURCE_TEST_ACTIONS,
    WORKER_HCV_POSITIVE,
    WORKER_HIV_POSITIVE,
    Evidence,
    FollowupItem,
    Pathogen,
    PepLevel,
)
from hospital_osh.domain.protocols import Note, Protocol, Rule, ScheduleItem

POSITIVE, NEGATIVE, UNKNOWN = SOURCE_RESULTS


@dataclass(frozen=True, kw_only=True)
class ExposureInputs:
    """What the decision tables need to know about one exposure (§a.2, §a.7, §a.8, §b.5).

    Test results are ``positive``/``negative``/``unknown``. ``worker_anti_hbs`` is the latest
    value in mIU/mL; for ``vaccinated_response_unknown`` it should be the value measured after the
    exposure (CDC Table 3 tests it now). ``infectious_fluid`` is False only for a fluid that is
    not infectious and not visibly bloody (§b.6 X5). ``source_recent_risk`` (e.g. injection drug
    use in the last 4 months; None = not assessed) decides whether an anti-HCV-negative source
    still needs HCV RNA (§b.4). The China grades use the codes of ``exposure_codes``.
    """

    exposure_type: str
    occurred_at: dt.datetime
    clean_unused_sharp: bool = False
    infectious_fluid: bool = True
    source_identified: bool = True
    source_hbsag: str = UNKNOWN
    source_hbeag: str = UNKNOWN
    source_anti_hcv: str = UNKNOWN
    source_hcv_rna: str = UNKNOWN
    source_hiv: str = UNKNOWN
    source_hiv_viral_load: str = UNKNOWN  # positive = detectable
    source_recent_risk: bool | None = None
    worker_hbv_status: str = HbvStatus.UNVACCINATED
    worker_anti_hbs: float | None = None
    worker_anti_hcv: str = UNKNOWN
    worker_hiv: str = UNKNOWN
    china_exposure_level: str | None = None
    china_source_grade: str | None = None


_SOURCE_FIELDS = (
    "source_hbsag",
    "source_hbeag",
    "source_anti_hcv",
    "source_hcv_rna",
    "source_hiv",
    "source_hiv_viral_load",
)


def validate_inputs(inputs: ExposureInputs, now: dt.datetime | None = None) -> list[Issue]:
    """Findings that stop an assessment (errors) or deserve a look (warnings)."""
    found: list[Issue] = []

    def unknown_code(name: str, value: object) -> None:
        found.append(
            issue(
                name,
                Severity.ERROR,
                N_("Unknown code '{code}': choose from the list."),
                code=str(value),
            )
        )

    if inputs.exposure_type not in ROUTES:
        unknown_code("exposure_type", inputs.exposure_type)
    for name in (*_SOURCE_FIELDS, "worker_anti_hcv", "worker_hiv"):
        if getattr(inputs, name) not in SOURCE_RESULTS:
            unknown_code(name, getattr(inputs, name))
    if inputs.worker_hbv_status not in tuple(HbvStatus):
        unknown_code("worker_hbv_status", inputs.worker_hbv_status)
    if inputs.china_exposure_level not in (None, *CHINA_LEVELS):
        unknown_code("china_exposure_level", inputs.china_exposure_level)
    if inputs.china_source_grade not in (None, *CHINA_SOURCE_GRADES):
        unknown_code("china_source_grade", inputs.china_source_grade)
    anti_hbs = inputs.worker_anti_hbs
    if anti_hbs is not None and (math.isnan(anti_hbs) or not 0 <= anti_hbs <= MAX_ANTI_HBS):
        found.append(
            issue(
                "worker_anti_hbs",
                Severity.ERROR,
                N_("Anti-HBs must be between 0 and {limit} mIU/mL."),
                limit=int(MAX_ANTI_HBS),
            )
        )
    if not inputs.source_identified:
        for name in _SOURCE_FIELDS:
            if getattr(inputs, name) != UNKNOWN:
                found.append(
                    issue(
                        name, Severity.ERROR, N_("An unidentified source cannot have test results.")
                    )
                )
    if now is not None and hours_between(inputs.occurred_at, now) < 0:
        found.append(
            issue("occurred_at", Severity.ERROR, N_("The exposure time is in the future."))
        )
    return found


# -- the proposal ----------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class Recommendation:
    """One thing to do (or not), with the protocol row it comes from."""

    pathogen: Pathogen | None  # None: applies to the whole exposure
    kind: str  # decision, source_test, regimen, china_grade, alternative, general
    rule_id: str
    action: str
    text: Text
    source: str
    verified: Evidence
    protocol: str
    note: Note | None = None
    overridden: bool = False

    @property
    def unverified(self) -> bool:
        return self.verified is Evidence.UNVERIFIED

    @property
    def evidence(self) -> Text:
        """The evidence line shown beside the text ("Unverified: ... Source: ...")."""
        return Text.of(EVIDENCE_NOTES[self.verified], source=self.source)

    @property
    def overridden_text(self) -> Text | None:
        return Text.of(OVERRIDDEN_NOTE) if self.overridden else None


@dataclass(frozen=True, kw_only=True)
class PathogenAdvice:
    pathogen: Pathogen
    decision: Recommendation
    source_test: Recommendation | None = None
    items: tuple[ScheduleItem, ...] = ()

    @property
    def recommendations(self) -> tuple[Recommendation, ...]:
        return tuple(r for r in (self.decision, self.source_test) if r is not None)

    def gives(self, code: FollowupItem) -> bool:
        return any(item.code is code for item in self.items)


@dataclass(frozen=True, kw_only=True)
class HbvAdvice(PathogenAdvice):
    alternative: Recommendation | None = None  # e.g. CDC's row for a documented non-responder

    @property
    def hbig(self) -> bool:
        return self.gives(FollowupItem.HBIG)

    @property
    def vaccine(self) -> bool:
        return self.gives(FollowupItem.HBV_VACCINE)

    @property
    def anti_hbs_testing(self) -> bool:
        return self.gives(FollowupItem.ANTI_HBS)

    @property
    def recommendations(self) -> tuple[Recommendation, ...]:
        extra = (self.alternative,) if self.alternative else ()
        return (*super().recommendations, *extra)


class PepPhase(StrEnum):
    """Where the clock stands: before the ideal start, before the guidance, before the limit."""

    TARGET = "target"
    GUIDANCE = "guidance"
    LIMIT = "limit"
    PASSED = "passed"


@dataclass(frozen=True)
class PepClock:
    """HIV PEP deadlines counted from the exposure (§b.1: 2 h, 24 h, 72 h countdowns)."""

    exposure_at: dt.datetime  # aware UTC
    target_h: int
    guidance_h: int | None
    limit_h: int

    def deadline(self, hours: int) -> dt.datetime:
        return self.exposure_at + dt.timedelta(hours=hours)

    @property
    def target_at(self) -> dt.datetime:
        return self.deadline(self.target_h)

    @property
    def guidance_at(self) -> dt.datetime | None:
        return None if self.guidance_h is None else self.deadline(self.guidance_h)

    @property
    def limit_at(self) -> dt.datetime:
        return self.deadline(self.limit_h)

    def hours_since(self, now: dt.datetime) -> float:
        return hours_between(self.exposure_at, now)

    def hours_left(self, now: dt.datetime) -> float:
        """Hours until the hard limit (negative once it has passed): the live countdown."""
        return hours_between(now, self.limit_at)

    def hours_left_to(self, hours: int, now: dt.datetime) -> float:
        """Hours until another mark of the clock (the 2 h target, the 24 h guidance)."""
        return hours_between(now, self.deadline(hours))

    def phase(self, now: dt.datetime) -> PepPhase:
        since = self.hours_since(now)
        if since <= self.target_h:
            return PepPhase.TARGET
        if self.guidance_h is not None and since <= self.guidance_h:
            return PepPhase.GUIDANCE
        if since <= self.limit_h:
            return PepPhase.LIMIT
        return PepPhase.PASSED


@dataclass(frozen=True, kw_only=True)
class HivAdvice(PathogenAdvice):
    pep: PepLevel
    clock: PepClock
    clock_source: str
    clock_verified: Evidence
    clock_note: Note | None = None
    course_days: int
    pep_items: tuple[ScheduleItem, ...] = ()
    regimen: Recommendation | None = None
    china_grade: Recommendation | None = None

    @property
    def pep_proposed(self) -> bool:
        return self.pep in (PepLevel.RECOMMENDED, PepLevel.OFFER)

    def hours_left(self, now: dt.datetime) -> float:
        return self.clock.hours_left(now)

    def urgency(self, now: dt.datetime) -> PepPhase | None:
        """The clock's phase while PEP is on the table; None when PEP is not indicated."""
        return None if self.pep is PepLevel.NOT_INDICATED else self.clock.phase(now)

    @property
    def recommendations(self) -> tuple[Recommendation, ...]:
        extra = tuple(r for r in (self.regimen, self.china_grade) if r is not None)
        return (*super().recommendations, *extra)


@dataclass(frozen=True, kw_only=True)
class Proposal:
    """What the protocol proposes for one exposure at ``assessed_at``; never applied by itself."""

    protocol_id: str
    protocol_version: int
    protocol_overrides: tuple[str, ...]
    inputs: ExposureInputs
    assessed_at: dt.datetime
    general: tuple[Recommendation, ...] = ()
    hbv: HbvAdvice | None = None
    hcv: PathogenAdvice | None = None
    hiv: HivAdvice | None = None
    warnings: tuple[Issue, ...] = field(default=())

    @property
    def no_bbf_risk(self) -> bool:
        return self.hbv is None and self.hcv is None and self.hiv is None

    @property
    def advice(self) -> tuple[PathogenAdvice, ...]:
        return tuple(a for a in (self.hbv, self.hcv, self.hiv) if a is not None)

    @property
    def recommendations(self) -> tuple[Recommendation, ...]:
        return (*self.general, *(r for a in self.advice for r in a.recommendations))

    def hours_left(self, now: dt.datetime) -> float | None:
        """Hours left to start HIV PEP (None when there is no HIV question at all)."""
        return self.hiv.hours_left(now) if self.hiv is not None else None


# -- facts the tables are keyed on ----------------------------------------------------------------


def hbv_facts(inputs: ExposureInputs) -> dict[str, str]:
    anti_hbs = inputs.worker_anti_hbs
    level = "unknown" if anti_hbs is None else "ge10" if anti_hbs >= PROTECTIVE_ANTI_HBS else "lt10"
    source = inputs.source_hbsag if inputs.source_identified else UNKNOWN
    return {
        "worker_hbv_status": inputs.worker_hbv_status,
        "source_hbsag": source,
        "anti_hbs": level,
    }


def source_hcv_class(inputs: ExposureInputs) -> str:
    """§b.4: HCV RNA decides when known; an anti-HCV-negative source counts as not infectious
    only when recent risk behaviour has been ruled out (CDC 2020, option A)."""
    if not inputs.source_identified:
        return "unknown"
    if inputs.source_hcv_rna == POSITIVE:
        return "rna_positive"
    if inputs.source_hcv_rna == NEGATIVE:
        return "rna_negative"
    if inputs.source_anti_hcv == POSITIVE:
        return "antibody_positive_rna_unknown"
    if inputs.source_anti_hcv == NEGATIVE:
        ruled_out = inputs.source_recent_risk is False
        return "antibody_negative_low_risk" if ruled_out else "antibody_negative_at_risk"
    return "unknown"


def hcv_facts(inputs: ExposureInputs) -> dict[str, str]:
    return {"source_hcv": source_hcv_class(inputs)}


def hiv_facts(inputs: ExposureInputs) -> dict[str, str]:
    if not inputs.source_identified:
        source = "unidentified"
    elif inputs.source_hiv == UNKNOWN:
        source = "unknown_identified"
    else:
        source = inputs.source_hiv
    return {
        "source_hiv": source,
        "route": inputs.exposure_type,
        "infectious_fluid": "yes" if inputs.infectious_fluid else "no",
    }


# -- assessment ----------------------------------------------------------------------------------


def _from_rule(
    rule: Rule, protocol: Protocol, kind: str, pathogen: Pathogen | None, **extra: int | str
) -> Recommendation:
    params = {**dict(rule.params), **extra}
    return Recommendation(
        pathogen=pathogen,
        kind=kind,
        rule_id=rule.id,
        action=rule.action,
        text=Text.of(ACTION_TEXTS[rule.action], **params),
        source=rule.source,
        verified=rule.verified,
        protocol=protocol.id,
        note=rule.note,
        overridden=rule.overridden,
    )


def _general(
    pathogen: Pathogen | None, rule_id: str, message: str, source: str, verified: Evidence
) -> Recommendation:
    return Recommendation(
        pathogen=pathogen,
        kind="general",
        rule_id=rule_id,
        action=rule_id,
        text=Text.of(message),
        source=source,
        verified=verified,
        protocol="",
    )


def _source_test(protocol: Protocol, pathogen: Pathogen) -> Recommendation:
    test = protocol.source_test(pathogen)
    params = {"within_h": test.within_h} if test.within_h is not None else {}
    return Recommendation(
        pathogen=pathogen,
        kind="source_test",
        rule_id=test.id,
        action=test.action,
        text=Text.of(SOURCE_TEST_ACTIONS[test.action], **params),
        source=test.source,
        verified=test.verified,
        protocol=protocol.id,
        note=test.note,
        overridden=test.overridden,
    )


def _hbv(inputs: ExposureInputs, protocol: Protocol, alternative: Protocol | None) -> HbvAdvice:
    facts = hbv_facts(inputs)
    rule = protocol.rule_for("hbv", facts)
    other = None
    if rule.show_alternative and alternative is not None:
        other = _from_rule(
            alternative.rule_for("hbv", facts), alternative, "alternative", Pathogen.HBV
        )
    needs_source = inputs.source_identified and inputs.source_hbsag == UNKNOWN
    return HbvAdvice(
        pathogen=Pathogen.HBV,
        decision=_from_rule(rule, protocol, "decision", Pathogen.HBV),
        source_test=_source_test(protocol, Pathogen.HBV) if needs_source else None,
        items=protocol.items(rule.schedules),
        alternative=other,
    )


def _hcv(inputs: ExposureInputs, protocol: Protocol) -> PathogenAdvice:
    if inputs.worker_anti_hcv == POSITIVE:
        decision = _general(
            Pathogen.HCV,
            "worker_hcv_positive",
            WORKER_HCV_POSITIVE,
            "CDC MMWR 2020;69(RR-6): positive baseline = pre-existing infection",
            Evidence.VERIFIED,
        )
        return PathogenAdvice(pathogen=Pathogen.HCV, decision=decision)
    facts = hcv_facts(inputs)
    rule = protocol.rule_for("hcv", facts)
    needs_source = inputs.source_identified and facts["source_hcv"] in (
        "antibody_positive_rna_unknown",
        "antibody_negative_at_risk",
        "unknown",
    )
    return PathogenAdvice(
        pathogen=Pathogen.HCV,
        decision=_from_rule(rule, protocol, "decision", Pathogen.HCV),
        source_test=_source_test(protocol, Pathogen.HCV) if needs_source else None,
        items=protocol.items(rule.schedules),
    )


def _china_grade(inputs: ExposureInputs, protocol: Protocol) -> Recommendation | None:
    level, grade = inputs.china_exposure_level, inputs.china_source_grade
    if not protocol.hiv_grade or level is None or grade is None:
        return None
    rule = protocol.rule_for("hiv_grade", {"exposure_level": level, "source_grade": grade})
    return _from_rule(rule, protocol, "china_grade", Pathogen.HIV)


def _regimen(protocol: Protocol) -> Recommendation | None:
    chosen = protocol.hiv_regimen
    if chosen is None:
        return None
    return Recommendation(
        pathogen=Pathogen.HIV,
        kind="regimen",
        rule_id="regimen",
        action=chosen.action,
        text=Text.of(REGIMEN_ACTIONS[chosen.action]),
        source=chosen.source,
        verified=chosen.verified,
        protocol=protocol.id,
        note=chosen.note,
        overridden=chosen.overridden,
    )


def _hiv(inputs: ExposureInputs, protocol: Protocol) -> HivAdvice:
    timing = protocol.hiv_timing
    clock = PepClock(as_utc(inputs.occurred_at), timing.target_h, timing.guidance_h, timing.limit_h)

    def advice(decision: Recommendation, pep: PepLevel, rule: Rule | None = None) -> HivAdvice:
        proposed = pep is not PepLevel.NOT_INDICATED
        needs_source = inputs.source_identified and inputs.source_hiv == UNKNOWN
        return HivAdvice(
            pathogen=Pathogen.HIV,
            decision=decision,
            source_test=_source_test(protocol, Pathogen.HIV) if needs_source else None,
            items=protocol.items(rule.schedules) if rule else (),
            pep=pep,
            clock=clock,
            clock_source=timing.source,
            clock_verified=timing.verified,
            clock_note=timing.note,
            course_days=timing.course_days,
            pep_items=protocol.items(rule.pep_schedules) if rule else (),
            regimen=_regimen(protocol) if proposed else None,
            china_grade=_china_grade(inputs, protocol) if proposed else None,
        )

    if inputs.worker_hiv == POSITIVE:
        decision = _general(
            Pathogen.HIV,
            "worker_hiv_positive",
            WORKER_HIV_POSITIVE,
            "no reference row: PEP prevents infection and cannot help an infected worker",
            Evidence.UNVERIFIED,
        )
        return advice(decision, PepLevel.NOT_INDICATED)
    rule = protocol.rule_for("hiv", hiv_facts(inputs))
    decision = _from_rule(rule, protocol, "decision", Pathogen.HIV, **timing.params())
    return advice(decision, PEP_LEVELS[rule.action], rule)


def assess(
    inputs: ExposureInputs,
    protocol: Protocol,
    now: dt.datetime,
    *,
    alternative: Protocol | None = None,
) -> Proposal:
    """The protocol's proposal for ``inputs`` as of ``now``.

    ``alternative`` is the protocol the current one names in ``[protocol] alternative`` (CDC for
    China); rows marked ``show_alternative`` then carry that protocol's row too (§b.3).
    Raises :class:`~hospital_osh.domain.messages.DomainError` for unusable inputs.
    """
    if alternative is not None and alternative.id != protocol.alternative:
        raise ValueError(f"{protocol.id} names {protocol.alternative!r} as its alternative")
    found = validate_inputs(inputs, now)
    raise_errors(found)
    no_risk = inputs.exposure_type == "percutaneous" and inputs.clean_unused_sharp
    general: tuple[Recommendation, ...] = ()
    if no_risk:
        general = (
            _general(
                None,
                "no_bbf_risk",
                NO_BBF_RISK,
                "NHSN exposure form Q7a; exposures.md §a.2 #16, §b.10",
                Evidence.VERIFIED,
            ),
        )
    return Proposal(
        protocol_id=protocol.id,
        protocol_version=protocol.version,
        protocol_overrides=protocol.overrides,
        inputs=inputs,
        assessed_at=as_utc(now),
        warnings=tuple(found),
        general=general,
        hbv=None if no_risk else _hbv(inputs, protocol, alternative),
        hcv=None if no_risk else _hcv(inputs, protocol),
        hiv=None if no_risk else _hiv(inputs, protocol),
    )
