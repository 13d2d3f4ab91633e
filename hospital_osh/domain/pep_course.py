"""An HIV PEP course as taken: first dose, days taken, why it stopped, side effects.

Feeds the report's indicators (domain/exposures.md §c.2: time to first dose, % within 2 h and
72 h, completion of 28 days, stop reasons) and ``hiv_pep_completed`` (yes/no/ongoing) of
EXCHANGE.md. Validation follows §b.10: a first dose before the exposure is an error; a first
dose after the 72-hour window is allowed with a warning (the clinician records why).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from hospital_osh.domain.clock import as_utc, hours_between
from hospital_osh.domain.codes import N_, code_list
from hospital_osh.domain.messages import Issue, Severity, issue

COURSE_DAYS = 28  # CDC, WHO and China alike (§b.5–§b.7)
LIMIT_HOURS = 72


class PepStopReason(StrEnum):
    SOURCE_NEGATIVE = "source_negative"
    SIDE_EFFECTS = "side_effects"
    REFUSAL = "refusal"
    LOST_TO_FOLLOW_UP = "lost_to_follow_up"
    CLINICIAN_DECISION = "clinician_decision"
    OTHER = "other"


PEP_STOP_REASONS = code_list(
    "pep_stop_reason",
    (PepStopReason.SOURCE_NEGATIVE, N_("Source tested HIV-negative")),
    (PepStopReason.SIDE_EFFECTS, N_("Side effects")),
    (PepStopReason.REFUSAL, N_("Worker declined to continue")),
    (PepStopReason.LOST_TO_FOLLOW_UP, N_("Lost to follow-up")),
    (PepStopReason.CLINICIAN_DECISION, N_("Clinician's decision")),
    (PepStopReason.OTHER, N_("Other")),
)


class PepCompletion(StrEnum):
    """EXCHANGE.md ``hiv_pep_completed``."""

    YES = "yes"
    NO = "no"
    ONGOING = "ongoing"


@dataclass(frozen=True)
class PepCourse:
    started_at: dt.datetime  # first dose; aware, or naive UTC
    days_taken: int | None = None
    stop_reason: str | None = None
    side_effects: tuple[str, ...] = ()
    course_days: int = COURSE_DAYS


def validate_pep_course(
    course: PepCourse, exposure_at: dt.datetime, now: dt.datetime, *, limit_h: int = LIMIT_HOURS
) -> list[Issue]:
    found = []
    since = hours_between(exposure_at, course.started_at)
    if since < 0:
        found.append(
            issue("started_at", Severity.ERROR, N_("PEP cannot start before the exposure."))
        )
    elif since > limit_h:
        found.append(
            issue(
                "started_at",
                Severity.WARNING,
                N_(
                    "PEP started {hours} hours after the exposure, outside the {limit}-hour "
                    "window: record the reason."
                ),
                hours=round(since, 1),
                limit=limit_h,
            )
        )
    if as_utc(course.started_at) > as_utc(now):
        found.append(issue("started_at", Severity.ERROR, N_("The first dose is in the future.")))
    if course.days_taken is not None:
        elapsed = (as_utc(now) - as_utc(course.started_at)).days + 1
        if course.days_taken < 0:
            found.append(issue("days_taken", Severity.ERROR, N_("Days taken cannot be negative.")))
        elif course.days_taken > max(elapsed, 0):
            found.append(
                issue(
                    "days_taken",
                    Severity.ERROR,
                    N_(
                        "{days} days taken, but only {elapsed} days have passed since the first "
                        "dose."
                    ),
                    days=course.days_taken,
                    elapsed=max(elapsed, 0),
                )
            )
    if course.stop_reason is not None and course.stop_reason not in PEP_STOP_REASONS:
        found.append(
            issue(
                "stop_reason",
                Severity.ERROR,
                N_("Unknown code '{code}': choose from the list."),
                code=course.stop_reason,
            )
        )
    return found


def hours_to_first_dose(course: PepCourse, exposure_at: dt.datetime) -> float:
    return hours_between(exposure_at, course.started_at)


def started_within(course: PepCourse, exposure_at: dt.datetime, hours: float) -> bool:
    return 0 <= hours_to_first_dose(course, exposure_at) <= hours


def started_within_2h(course: PepCourse, exposure_at: dt.datetime) -> bool:
    """The ideal start (§b.1) and ``summary.json`` ``hiv_pep_within_2h``."""
    return started_within(course, exposure_at, 2)


def started_within_72h(course: PepCourse, exposure_at: dt.datetime) -> bool:
    return started_within(course, exposure_at, LIMIT_HOURS)


def is_complete(course: PepCourse) -> bool:
    return course.days_taken is not None and course.days_taken >= course.course_days


def completion(course: PepCourse) -> PepCompletion:
    """yes after the full course, no once stopped early, ongoing otherwise."""
    if is_complete(course):
        return PepCompletion.YES
    if course.stop_reason is not None:
        return PepCompletion.NO
    return PepCompletion.ONGOING


def last_dose_at(course: PepCourse) -> dt.datetime:
    """The planned last dose: start + 27 days for a 28-day course (§b.6)."""
    return as_utc(course.started_at) + dt.timedelta(days=course.course_days - 1)
