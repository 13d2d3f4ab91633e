"""Validation of an exposure record, what "complete" means, and the quick report's next steps.

Pure Python on a plain mapping of field -> value (what the service's DTO holds), so the rules run
and are tested without a database. Messages are English sources marked with ``N_`` and carry
named parameters; the service translates them (``_(issue.message).format(**issue.params)``).
Sources: domain/exposures.md b.1 (first aid, time windows), b.5 (China grade), b.10 (rules).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from enum import StrEnum

from hospital_osh.domain.codes import N_
from hospital_osh.domain.exposure_codes import FIELD_CODE_LISTS, MULTI_CODE_FIELDS

LATE_REPORT = dt.timedelta(days=365)
STALE_SOURCE_RESULT = dt.timedelta(days=365)
MIN_AGE, MAX_AGE = 14, 100

# Field names as people read them (translated where shown).
FIELD_LABELS: dict[str, str] = {
    "worker": N_("Worker"),
    "worker_kind": N_("Kind of worker"),
    "worker_name": N_("Worker's name"),
    "job_category": N_("Job category"),
    "employment_type": N_("Employment type"),
    "home_department_id": N_("Worker's department"),
    "sex": N_("Sex"),
    "age": N_("Age"),
    "years_in_post": N_("Years in post"),
    "occurred_at": N_("Date and time of exposure"),
    "reported_at": N_("Date and time of report"),
    "department_id": N_("Department where it happened"),
    "location_type": N_("Location"),
    "exposure_type": N_("Type of exposure"),
    "device_type": N_("Device"),
    "device_brand": N_("Brand and model"),
    "device_safety_engineered": N_("Safety-engineered device"),
    "safety_activated": N_("Safety feature activated"),
    "purpose": N_("Original purpose or procedure"),
    "circumstance": N_("When and how it happened"),
    "body_site": N_("Body site"),
    "depth": N_("Depth"),
    "gloves": N_("Gloves"),
    "device_contaminated": N_("Device visibly contaminated with blood"),
    "fluid_type": N_("Body fluid"),
    "fluid_visibly_bloody": N_("Fluid visibly bloody"),
    "contact_duration": N_("Contact duration"),
    "contact_volume": N_("Contact volume"),
    "barrier_garments": N_("Barrier garments worn"),
    "source_identified": N_("Source patient identified"),
    "source_reference": N_("Source patient's record number"),
    "source_hbsag": N_("Source HBsAg"),
    "source_hbsag_date": N_("Source HBsAg test date"),
    "source_hbeag": N_("Source HBeAg"),
    "source_hbeag_date": N_("Source HBeAg test date"),
    "source_anti_hcv": N_("Source anti-HCV"),
    "source_anti_hcv_date": N_("Source anti-HCV test date"),
    "source_hcv_rna": N_("Source HCV RNA"),
    "source_hcv_rna_date": N_("Source HCV RNA test date"),
    "source_hiv": N_("Source HIV"),
    "source_hiv_date": N_("Source HIV test date"),
    "source_hiv_viral_load": N_("Source HIV viral load (copies/mL)"),
    "source_hiv_viral_load_date": N_("Source HIV viral load date"),
    "description": N_("What happened, in the worker's words"),
    "china_grade": N_("China exposure grade"),
    "china_source_grade": N_("China source grade"),
    "status": N_("Status"),
    "outcome": N_("Outcome"),
}

SOURCE_TESTS = ("hbsag", "hbeag", "anti_hcv", "hcv_rna", "hiv", "hiv_viral_load")
SOURCE_DATE_FIELDS = tuple(f"source_{test}_date" for test in SOURCE_TESTS)
SHARPS_TYPES = frozenset({"percutaneous"})
FLUID_TYPES_OF_EXPOSURE = frozenset({"mucous_membrane", "non_intact_skin"})
GRADED_TYPES = frozenset({"percutaneous", "mucous_membrane", "non_intact_skin"})

_ALWAYS_REQUIRED = (
    "worker",
    "job_category",
    "sex",
    "age",
    "occurred_at",
    "reported_at",
    "department_id",
    "location_type",
    "exposure_type",
    "source_identified",
    "description",
)
_SHARPS_REQUIRED = (
    "device_type",
    "device_safety_engineered",
    "purpose",
    "circumstance",
    "body_site",
    "depth",
    "gloves",
    "device_contaminated",
)
_FLUID_REQUIRED = (
    "fluid_type",
    "body_site",
    "contact_duration",
    "contact_volume",
    "barrier_garments",
)
_SOURCE_REQUIRED = ("source_hbsag", "source_anti_hcv", "source_hiv")


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True)
class Issue:
    """One finding on one field. ``message`` is an untranslated source with ``params``."""

    field: str
    severity: Severity
    message: str
    params: Mapping[str, object] = dataclasses.field(default_factory=dict)


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def grade_applies(values: Mapping[str, object]) -> bool:
    """The China 2004 grade is asked for blood-borne exposures whose source may carry HIV."""
    if values.get("exposure_type") not in GRADED_TYPES:
        return False
    return values.get("source_identified") != "yes" or values.get("source_hiv") != "negative"


def required_fields(values: Mapping[str, object]) -> tuple[str, ...]:
    """The fields a complete record needs, given its exposure type and source answers."""
    fields = list(_ALWAYS_REQUIRED)
    if values.get("worker_kind", "staff") == "staff":
        fields.append("years_in_post")
    kind = values.get("exposure_type")
    if kind in SHARPS_TYPES:
        fields += _SHARPS_REQUIRED
    elif kind in FLUID_TYPES_OF_EXPOSURE:
        fields += _FLUID_REQUIRED
    elif kind == "bite":
        fields.append("body_site")
    if values.get("source_identified") == "yes":
        fields += _SOURCE_REQUIRED
    if grade_applies(values):
        fields += ["china_grade", "china_source_grade"]
    return tuple(dict.fromkeys(fields))


def _value_of(values: Mapping[str, object], name: str) -> object:
    if name == "worker":
        return values.get("worker_id") or values.get("worker_name")
    return values.get(name)


def missing_fields(values: Mapping[str, object]) -> tuple[str, ...]:
    """Required fields still empty (in form order): an empty tuple means the record is complete."""
    return tuple(name for name in required_fields(values) if _blank(_value_of(values, name)))


def _codes_of(name: str, value: object) -> list[str]:
    if name in MULTI_CODE_FIELDS and isinstance(value, str):
        return value.split()
    return [str(value)]


def _check_codes(
    values: Mapping[str, object], allowed: Mapping[str, Collection[str]] | None
) -> list[Issue]:
    issues = []
    for name, codes in FIELD_CODE_LISTS.items():
        value = values.get(name)
        if _blank(value):
            continue
        known = (allowed or {}).get(codes.name, codes.codes)
        unknown = [code for code in _codes_of(name, value) if code not in known]
        if unknown:
            issues.append(
                Issue(
                    name,
                    Severity.ERROR,
                    N_("Unknown code '{code}': choose from the list."),
                    {"code": unknown[0]},
                )
            )
    garments = _codes_of("barrier_garments", values.get("barrier_garments") or "")
    if "none" in garments and len(garments) > 1:
        issues.append(
            Issue(
                "barrier_garments",
                Severity.ERROR,
                N_("'None' cannot be combined with garments that were worn."),
            )
        )
    return issues


def _as_date(value: object) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return None


def _check_times(values: Mapping[str, object], now: dt.datetime) -> list[Issue]:
    issues = []
    occurred = values.get("occurred_at")
    reported = values.get("reported_at")
    if isinstance(occurred, dt.datetime) and occurred > now:
        issues.append(
            Issue("occurred_at", Severity.ERROR, N_("The exposure time is in the future."))
        )
    if isinstance(reported, dt.datetime) and reported > now:
        issues.append(Issue("reported_at", Severity.ERROR, N_("The report time is in the future.")))
    if isinstance(occurred, dt.datetime) and isinstance(reported, dt.datetime):
        if occurred > reported:
            issues.append(
                Issue(
                    "occurred_at",
                    Severity.ERROR,
                    N_("The exposure time is after the report time."),
                )
            )
        elif reported - occurred > LATE_REPORT:
            issues.append(
                Issue(
                    "reported_at",
                    Severity.WARNING,
                    N_("Reported {days} days after the exposure: check both dates."),
                    {"days": (reported - occurred).days},
                )
            )
    exposure_day = _as_date(occurred)
    for name in SOURCE_DATE_FIELDS:
        tested = _as_date(values.get(name))
        if tested is None:
            continue
        if tested > now.date():
            issues.append(Issue(name, Severity.ERROR, N_("The test date is in the future.")))
        elif exposure_day is not None and exposure_day - tested > STALE_SOURCE_RESULT:
            issues.append(
                Issue(
                    name,
                    Severity.WARNING,
                    N_(
                        "This result is {days} days older than the exposure and may no longer "
                        "hold: consider testing the source again."
                    ),
                    {"days": (exposure_day - tested).days},
                )
            )
    return issues


def _check_numbers(values: Mapping[str, object]) -> list[Issue]:
    issues = []
    age = values.get("age")
    if isinstance(age, int | float) and not MIN_AGE <= age <= MAX_AGE:
        issues.append(
            Issue(
                "age",
                Severity.ERROR,
                N_("The age must be between {low} and {high}."),
                {"low": MIN_AGE, "high": MAX_AGE},
            )
        )
    years = values.get("years_in_post")
    if isinstance(years, int | float):
        if years < 0:
            issues.append(
                Issue("years_in_post", Severity.ERROR, N_("Years in post cannot be negative."))
            )
        elif isinstance(age, int | float) and years > age - MIN_AGE:
            issues.append(
                Issue(
                    "years_in_post",
                    Severity.ERROR,
                    N_("Years in post do not fit the worker's age."),
                )
            )
    load = values.get("source_hiv_viral_load")
    if isinstance(load, int | float) and load < 0:
        issues.append(
            Issue("source_hiv_viral_load", Severity.ERROR, N_("The viral load cannot be negative."))
        )
    return issues


def _check_answers(values: Mapping[str, object]) -> list[Issue]:
    """Answers that contradict each other (EPINet skip logic)."""
    issues = []
    if values.get("device_safety_engineered") == "no" and values.get("safety_activated") in {
        "fully",
        "partially",
    }:
        issues.append(
            Issue(
                "safety_activated",
                Severity.ERROR,
                N_("The device has no safety feature, so it cannot have been activated."),
            )
        )
    return issues


def validate(
    values: Mapping[str, object],
    now: dt.datetime,
    *,
    allowed: Mapping[str, Collection[str]] | None = None,
    completing: bool = False,
) -> list[Issue]:
    """Every finding on ``values``. ``allowed`` maps list name -> accepted codes (built-in plus
    the hospital's local entries); ``completing`` adds one error per missing required field and
    the completion warnings."""
    issues = _check_codes(values, allowed)
    issues += _check_times(values, now)
    issues += _check_numbers(values)
    issues += _check_answers(values)
    if values.get("status") == "closed" and missing_fields(values):
        issues.append(Issue("status", Severity.ERROR, N_("Complete the record before closing it.")))
    if completing:
        issues += [
            Issue(name, Severity.ERROR, N_("Required to complete the record."))
            for name in missing_fields(values)
        ]
        if values.get("device_safety_engineered") == "yes" and _blank(
            values.get("safety_activated")
        ):
            issues.append(
                Issue(
                    "safety_activated",
                    Severity.WARNING,
                    N_("Say whether the safety feature was activated."),
                )
            )
    return issues


# -- China 2004 grade (exposures.md b.5, the app rule) -------------------------------------------


def suggest_china_grade(values: Mapping[str, object]) -> str | None:
    """The exposure level the 2004 guidance gives, or None when it cannot be told yet."""
    kind = values.get("exposure_type")
    if kind == "percutaneous":
        if values.get("depth") == "deep" or values.get("device_contaminated") == "yes":
            return "level_3"
        if values.get("depth") in {"superficial", "moderate"}:
            return "level_2"
        return None
    if kind in FLUID_TYPES_OF_EXPOSURE:
        volume, duration = values.get("contact_volume"), values.get("contact_duration")
        if volume is None or duration is None:
            return None
        large = volume in {"moderate", "large"} or duration in {"15min_1h", "gt_1h"}
        return "level_2" if large else "level_1"
    return None


# -- the quick report's "what to do next" (exposures.md b.1) ---------------------------------------


@dataclass(frozen=True)
class Step:
    """One piece of advice: an untranslated message with named parameters."""

    message: str
    params: Mapping[str, object] = dataclasses.field(default_factory=dict)
    urgent: bool = False


def hours_between(start: dt.datetime, end: dt.datetime) -> float:
    return round((end - start).total_seconds() / 3600, 1)


def next_steps(exposure_type: str, hours_since: float, reference: str = "") -> list[Step]:
    """First aid, reporting and the prophylaxis windows, in the order the worker needs them.
    Without a ``reference`` (the report is not saved yet) the worker is told to save first."""
    steps: list[Step] = []
    if exposure_type == "mucous_membrane":
        steps.append(
            Step(N_("Flush the eyes, nose or mouth at once with plenty of water or normal saline."))
        )
    else:
        steps.append(
            Step(
                N_(
                    "Gently squeeze the wound from the end nearer the heart outwards, wash it "
                    "with soap and running water, then disinfect it with 75% alcohol or 0.5% "
                    "iodophor. Do not suck the wound."
                )
            )
        )
    if reference:
        steps.append(
            Step(
                N_(
                    "Go to the OSH office (infection prevention and control) now and give your "
                    "case number {reference}."
                ),
                {"reference": reference},
                urgent=True,
            )
        )
    else:  # shown while the quick report is being filled in
        steps.append(
            Step(
                N_(
                    "Save this report, then go to the OSH office (infection prevention and "
                    "control) at once with the case number it gives you."
                ),
                urgent=True,
            )
        )
    steps.append(
        Step(
            N_(
                "If the source patient is known, ask for the patient's blood to be tested for "
                "HBsAg, anti-HCV and HIV."
            )
        )
    )
    hours = max(hours_since, 0.0)
    if hours < 2:
        window = N_(
            "{hours} hours since the exposure. HIV prophylaxis works best when started within "
            "2 hours: do not wait."
        )
    elif hours < 24:
        window = N_(
            "{hours} hours since the exposure. Start HIV prophylaxis, if it is needed, as soon "
            "as possible; hepatitis B immunoglobulin is best given within 24 hours."
        )
    elif hours < 72:
        window = N_(
            "{hours} hours since the exposure. HIV prophylaxis can still be started up to 72 "
            "hours after the exposure: go now."
        )
    else:
        window = N_(
            "{hours} hours since the exposure: the 72-hour window for HIV prophylaxis has "
            "passed, but testing and follow-up are still needed."
        )
    steps.append(Step(window, {"hours": hours}, urgent=hours < 72))
    return steps
