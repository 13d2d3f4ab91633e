"""The proposal as a value: input checks, the PEP clock, special cases, outcomes, PEP courses."""

from __future__ import annotations

import dataclasses
import datetime as dt
from functools import cache
from zoneinfo import ZoneInfo

import pytest

from hospital_osh import i18n
from hospital_osh.domain.case_outcome import (
    NotificationType,
    Outcome,
    can_close,
    close_problems,
    outcome_rule,
    requires_notification,
)
from hospital_osh.domain.exposure_codes import OUTCOMES
from hospital_osh.domain.followup import FollowupStatus
from hospital_osh.domain.messages import DomainError, Severity, Text
from hospital_osh.domain.pep_course import (
    PepCompletion,
    PepCourse,
    completion,
    hours_to_first_dose,
    is_complete,
    last_dose_at,
    started_within_2h,
    started_within_72h,
    validate_pep_course,
)
from hospital_osh.domain.post_exposure import ExposureInputs, PepPhase, assess
from hospital_osh.domain.protocol_vocab import Evidence, PepLevel
from hospital_osh.domain.protocols import PROTOCOL_FILES, Protocol, load_protocol
from hospital_osh.paths import resource

SHANGHAI = ZoneInfo("Asia/Shanghai")
AT = dt.datetime(2026, 3, 1, 8, 0, tzinfo=SHANGHAI)


@cache
def protocol(name: str) -> Protocol:
    return load_protocol(resource("protocols", PROTOCOL_FILES[name]))


def exposure(**values: object) -> ExposureInputs:
    values.setdefault("exposure_type", "percutaneous")
    return ExposureInputs(occurred_at=AT, **values)  # type: ignore[arg-type]


def hours(n: float) -> dt.datetime:
    return AT + dt.timedelta(hours=n)


# -- validation ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "values,field",
    [
        ({"exposure_type": "splash"}, "exposure_type"),
        ({"source_hiv": "reactive"}, "source_hiv"),
        ({"worker_hbv_status": "immune"}, "worker_hbv_status"),
        ({"worker_anti_hbs": -1.0}, "worker_anti_hbs"),
        ({"worker_anti_hbs": 250_000.0}, "worker_anti_hbs"),
        ({"china_exposure_level": "3"}, "china_exposure_level"),
        ({"china_source_grade": "high"}, "china_source_grade"),
        ({"source_identified": False, "source_hbsag": "positive"}, "source_hbsag"),
    ],
)
def test_bad_inputs_are_refused(values: dict[str, object], field: str) -> None:
    with pytest.raises(DomainError) as caught:
        assess(exposure(**values), protocol("china"), hours(1))
    assert [i.field for i in caught.value.issues] == [field]


def test_exposure_after_now_is_refused() -> None:
    with pytest.raises(DomainError, match="in the future"):
        assess(exposure(), protocol("china"), hours(-1))


def test_alternative_must_be_the_one_the_protocol_names() -> None:
    with pytest.raises(ValueError, match="alternative"):
        assess(exposure(), protocol("cdc"), hours(1), alternative=protocol("china"))


# -- the PEP clock ------------------------------------------------------------------------------


def test_hours_left_counts_down_to_72_hours() -> None:
    proposal = assess(exposure(source_hiv="positive"), protocol("china"), hours(0.5))
    assert proposal.hiv is not None and proposal.hiv.pep is PepLevel.RECOMMENDED
    assert proposal.hours_left(hours(0.5)) == 71.5
    assert proposal.hours_left(hours(80)) == -8
    # the clock works with any aware time and with naive UTC
    assert proposal.hours_left(dt.datetime(2026, 3, 1, 1, 0)) == 71.0
    assert proposal.hiv.clock.limit_at == dt.datetime(2026, 3, 4, 0, 0, tzinfo=dt.UTC)
    assert proposal.hiv.clock.guidance_at == dt.datetime(2026, 3, 2, 0, 0, tzinfo=dt.UTC)
    assert proposal.hiv.clock.hours_left_to(2, hours(0.5)) == 1.5
    assert proposal.hiv.clock_note is not None and "4 hours" in proposal.hiv.clock_note.en


@pytest.mark.parametrize(
    "elapsed,phase",
    [
        (0, PepPhase.TARGET),
        (2, PepPhase.TARGET),
        (2.1, PepPhase.GUIDANCE),
        (24, PepPhase.GUIDANCE),
        (30, PepPhase.LIMIT),
        (72, PepPhase.LIMIT),
        (72.1, PepPhase.PASSED),
    ],
)
def test_urgency_follows_the_china_countdowns(elapsed: float, phase: str) -> None:
    """§b.1: 2 h ideal, 24 h, 72 h last start."""
    hiv = assess(exposure(source_hiv="positive"), protocol("china"), AT).hiv
    assert hiv is not None and hiv.urgency(hours(elapsed)) == phase


def test_cdc_clock_has_no_24_hour_step() -> None:
    hiv = assess(exposure(source_hiv="positive"), protocol("cdc"), AT).hiv
    assert hiv is not None and hiv.urgency(hours(10)) == PepPhase.LIMIT


def test_no_urgency_without_pep() -> None:
    hiv = assess(exposure(source_hiv="negative"), protocol("china"), AT).hiv
    assert hiv is not None and hiv.urgency(hours(1)) is None
    assert hiv.regimen is None and hiv.china_grade is None


# -- special cases -------------------------------------------------------------------------------


def test_clean_unused_sharp_has_no_pathogen_workflow() -> None:
    proposal = assess(
        exposure(clean_unused_sharp=True, source_hiv="positive"), protocol("china"), hours(1)
    )
    assert proposal.no_bbf_risk and proposal.hiv is None
    assert [r.rule_id for r in proposal.recommendations] == ["no_bbf_risk"]
    assert proposal.hours_left(hours(1)) is None


def test_clean_unused_applies_to_sharps_only() -> None:
    proposal = assess(
        exposure(exposure_type="mucous_membrane", clean_unused_sharp=True),
        protocol("china"),
        hours(1),
    )
    assert not proposal.no_bbf_risk


def test_worker_already_infected() -> None:
    proposal = assess(
        exposure(
            worker_anti_hcv="positive",
            worker_hiv="positive",
            source_hiv="positive",
            source_hcv_rna="positive",
        ),
        protocol("cdc"),
        hours(1),
    )
    assert proposal.hcv is not None and proposal.hcv.items == ()
    assert proposal.hcv.decision.rule_id == "worker_hcv_positive"
    assert proposal.hiv is not None and proposal.hiv.pep is PepLevel.NOT_INDICATED
    assert proposal.hiv.decision.unverified


def test_source_tests_only_for_an_identified_source_of_unknown_status() -> None:
    known = assess(exposure(source_hbsag="negative", source_hiv="negative"), protocol("cdc"), AT)
    assert known.hbv is not None and known.hbv.source_test is None
    assert known.hiv is not None and known.hiv.source_test is None
    unknown = assess(exposure(), protocol("cdc"), AT)
    assert unknown.hbv is not None and unknown.hbv.source_test is not None
    assert unknown.hiv is not None and unknown.hiv.source_test is not None
    assert {r.kind for r in unknown.recommendations} >= {"decision", "source_test", "regimen"}


def test_china_grade_is_shown_when_graded() -> None:
    graded = exposure(
        source_hiv="positive", china_exposure_level="level_2", china_source_grade="severe"
    )
    hiv = assess(graded, protocol("china"), AT).hiv
    assert hiv is not None and hiv.china_grade is not None
    assert hiv.china_grade.action == "grade_intensified"
    ungraded = assess(exposure(source_hiv="positive"), protocol("china"), AT).hiv
    assert ungraded is not None and ungraded.china_grade is None
    cdc = assess(graded, protocol("cdc"), AT).hiv
    assert cdc is not None and cdc.china_grade is None  # the CDC file has no grade table


def test_proposal_is_an_immutable_value() -> None:
    proposal = assess(exposure(source_hiv="positive"), protocol("china"), AT)
    with pytest.raises(dataclasses.FrozenInstanceError):
        proposal.hiv = None  # type: ignore[misc]
    assert proposal == assess(exposure(source_hiv="positive"), protocol("china"), AT)
    hash(proposal.recommendations)


def test_every_text_renders_in_both_languages() -> None:
    """Texts are N_ sources with named placeholders; the catalogue has every one in Chinese."""
    samples = [
        exposure(
            source_hiv="positive",
            source_hbsag="positive",
            source_hcv_rna="positive",
            worker_hbv_status="non_responder",
            china_exposure_level="level_3",
            china_source_grade="unknown",
        ),
        exposure(worker_hbv_status="vaccinated_response_unknown"),
        exposure(source_identified=False, exposure_type="bite"),
    ]
    i18n.set_language("zh_CN")
    try:
        for name in PROTOCOL_FILES:
            for given in samples:
                proposal = assess(
                    given,
                    protocol(name),
                    AT,
                    alternative=(protocol("cdc") if name == "china" else None),
                )
                for recommendation in proposal.recommendations:
                    chinese = recommendation.text.render(i18n._)
                    assert chinese != recommendation.text.render()
                    assert "{" not in chinese
                    evidence = recommendation.evidence
                    assert evidence.render(i18n._) != evidence.render()
    finally:
        i18n.set_language("en")


def test_text_renders_named_placeholders() -> None:
    text = Text.of("HBIG dose {dose}", dose=2)
    assert text.render() == "HBIG dose 2" and str(text) == "HBIG dose 2"
    assert text.render(lambda s: s.replace("HBIG dose", "HBIG 第")) == "HBIG 第 2"


# -- closing the case -------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Row:
    test: str
    status: str


def test_can_close_lists_open_items() -> None:
    rows = [
        Row("hiv_ag_ab", FollowupStatus.DONE),
        Row("anti_hcv", FollowupStatus.OVERDUE),
        Row("hcv_rna", FollowupStatus.CANCELLED),
        Row("hbsag", FollowupStatus.PLANNED),
        Row("alt", FollowupStatus.MISSED),
        Row("visit", FollowupStatus.DUE),
    ]
    ok, open_items = can_close(rows)
    assert not ok and [r.test for r in open_items] == ["anti_hcv", "hbsag", "visit"]
    assert can_close([Row("alt", "done"), Row("hbsag", "missed")]) == (True, [])
    assert can_close([]) == (True, [])


def test_close_problems() -> None:
    done = [Row("hiv_ag_ab", "done")]
    assert close_problems(done, "no_seroconversion") == []
    assert [i.field for i in close_problems(done, "pending")] == ["outcome"]
    assert [i.field for i in close_problems([Row("alt", "due")], "lost_to_follow_up")] == [
        "followups"
    ]
    problems = close_problems(done, "hiv_seroconversion")
    assert [(i.field, i.severity) for i in problems] == [("notification", Severity.ERROR)]
    assert close_problems(done, "hiv_seroconversion", notified=True) == []
    assert close_problems(done, "cured")[0].field == "outcome"


def test_seroconversion_needs_a_notification() -> None:
    """§b.8: HIV is a listed occupational disease; HBV/HCV go the work-injury way [U]."""
    assert outcome_rule("hiv_seroconversion").notification_type is (
        NotificationType.OCCUPATIONAL_DISEASE_REPORT
    )
    for virus in ("hbv", "hcv"):
        rule = outcome_rule(f"{virus}_seroconversion")
        assert rule.requires_notification and rule.verified is Evidence.UNVERIFIED
        assert rule.notification_type is NotificationType.WORK_INJURY_CLAIM
    assert not requires_notification("no_seroconversion")
    assert not requires_notification("lost_to_follow_up")


def test_outcome_codes_match_the_exposure_code_list() -> None:
    assert tuple(Outcome) == OUTCOMES.codes


# -- PEP course ---------------------------------------------------------------------------------


def test_pep_course_helpers() -> None:
    course = PepCourse(started_at=hours(1.5))
    assert hours_to_first_dose(course, AT) == 1.5
    assert started_within_2h(course, AT) and started_within_72h(course, AT)
    late = PepCourse(started_at=hours(30))
    assert not started_within_2h(late, AT) and started_within_72h(late, AT)
    assert last_dose_at(course) == dt.datetime(2026, 3, 28, 1, 30, tzinfo=dt.UTC)  # D0 + 27


@pytest.mark.parametrize(
    "course,expected",
    [
        (PepCourse(started_at=AT), PepCompletion.ONGOING),
        (PepCourse(started_at=AT, days_taken=12), PepCompletion.ONGOING),
        (PepCourse(started_at=AT, days_taken=28), PepCompletion.YES),
        (PepCourse(started_at=AT, days_taken=9, stop_reason="source_negative"), PepCompletion.NO),
        (PepCourse(started_at=AT, days_taken=28, stop_reason="side_effects"), PepCompletion.YES),
    ],
)
def test_pep_completion(course: PepCourse, expected: str) -> None:
    assert completion(course) == expected
    assert is_complete(course) is (expected == PepCompletion.YES)


def test_pep_course_validation() -> None:
    now = hours(24 * 40)
    before = validate_pep_course(PepCourse(started_at=hours(-0.5)), AT, now)
    assert [(i.field, i.severity) for i in before] == [("started_at", Severity.ERROR)]
    late = validate_pep_course(PepCourse(started_at=hours(80)), AT, now)
    assert [(i.field, i.severity) for i in late] == [("started_at", Severity.WARNING)]
    assert late[0].text.kwargs == {"hours": 80.0, "limit": 72}
    too_many = validate_pep_course(PepCourse(started_at=hours(1), days_taken=5), AT, hours(48))
    assert [i.field for i in too_many] == ["days_taken"]
    odd = validate_pep_course(PepCourse(started_at=hours(1), stop_reason="bored"), AT, now)
    assert [i.field for i in odd] == ["stop_reason"]
    assert validate_pep_course(PepCourse(started_at=hours(1), days_taken=28), AT, now) == []
