"""The hazard register's rules: code lists, the review cycle, the weak-controls warning, validation.

Two classification axes, as domain/healthwise.md c.1 recommends: the management category (WHO/ILO
style, used by the register and HealthWISE) and the optional statutory factor of China's
occupational disease hazard factor catalogue (a data file, ``resources/hazards/
statutory_factors.json``, each entry tagged with its source and verification).

Rules here are pure functions over plain values; the service turns their ``Issue`` findings into
translated per-field messages. Levels, review intervals and who must accept a residual risk come
from the risk matrix in force (``domain.risk_matrix``), so switching matrices changes them.
"""

from __future__ import annotations

import calendar
import datetime as dt
import json
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from hospital_osh.domain.codes import N_, code_list
from hospital_osh.domain.messages import Issue, Severity, issue
from hospital_osh.domain.risk_matrix import (
    EVIDENCE,
    Bilingual,
    MatrixError,
    RiskLevel,
    RiskMatrix,
    in_scale,
)

CATEGORIES = code_list(
    "hazard_category",
    ("biological", N_("Biological")),
    ("chemical", N_("Chemical")),
    ("physical", N_("Physical")),
    ("ionising_radiation", N_("Ionising radiation")),
    ("ergonomic", N_("Ergonomic")),
    ("psychosocial", N_("Psychosocial")),
    ("safety", N_("Safety (injury)")),
)

IDENTIFICATION_METHODS = code_list(
    "identification_method",
    ("walk_through", N_("Walk-through inspection")),
    ("healthwise", N_("HealthWISE checklist")),
    ("incident", N_("Incident or near miss")),
    ("monitoring", N_("Workplace monitoring")),
    ("complaint", N_("Worker complaint")),
    ("consultation", N_("Staff consultation")),
)

VULNERABLE_GROUPS = code_list(
    "vulnerable_group",
    ("pregnant_breastfeeding", N_("Pregnant or breastfeeding workers")),
    ("young_new", N_("Young or new workers")),
    ("health_conditions", N_("Workers with health conditions")),
)

# The order of ISO 45001 8.1.2 and NIOSH: the most effective first (domain/healthwise.md c.4).
HIERARCHY_LEVELS = code_list(
    "hierarchy_level",
    ("elimination", N_("Elimination")),
    ("substitution", N_("Substitution")),
    ("engineering", N_("Engineering control")),
    ("administrative", N_("Administrative control")),
    ("ppe", N_("Personal protective equipment")),
)
WEAK_HIERARCHY_LEVELS = frozenset({"administrative", "ppe"})
"""Levels 4-5: a high residual risk that rests only on these earns a warning."""

REVIEW_TRIGGERS = code_list(
    "review_trigger",
    ("incident", N_("Incident or near miss involving the hazard")),
    ("change", N_("New equipment, process or chemical")),
    ("refurbishment", N_("Refurbishment of the workplace")),
    ("regulation", N_("New regulation or exposure limit")),
    ("monitoring_above_limit", N_("Monitoring result above the limit")),
    ("complaint", N_("Worker complaints")),
    ("pregnancy", N_("Pregnancy notification in an exposed group")),
    ("healthwise", N_("HealthWISE re-assessment")),
)

STATUSES = code_list(
    "hazard_status",
    ("active", N_("Active")),
    ("retired", N_("Retired")),
)

ACCEPTOR_ROLES = code_list(
    "acceptor_role",
    ("department_head", N_("Department head")),
    ("osh_officer", N_("OSH officer")),
    ("hospital_leader", N_("Hospital leadership (president or vice-president)")),
    ("committee_chair", N_("OSH committee chair")),
)
SENIOR_ACCEPTOR_ROLES = frozenset({"hospital_leader", "committee_chair"})
"""Who may accept a residual risk whose level asks for a senior person (red in China)."""

REVIEW_STATES = code_list(
    "review_state",
    ("overdue", N_("Review overdue")),
    ("due", N_("Review due soon")),
    ("scheduled", N_("Review scheduled")),
)
DUE_SOON_DAYS = 30
MAX_EXPOSED = 100_000
TEXT_LIMITS: dict[str, int] = {
    "location": 200,
    "activity": 200,
    "agent": 200,
    "legal_reference": 400,
    "monitoring_unit": 40,
    "owner": 120,
    "assessors": 400,
    "approver": 120,
}

# -- the statutory catalogue --------------------------------------------------------------------


class CatalogueError(MatrixError):
    """A statutory catalogue file the application refuses (same shape as a matrix error)."""


@dataclass(frozen=True)
class ExposureLimit:
    value: float
    unit: str
    kind: str
    source: str
    verified: str


@dataclass(frozen=True)
class StatutoryFactor:
    code: str
    category: str
    name: Bilingual
    cas: str
    verified: str
    limit: ExposureLimit | None


@dataclass(frozen=True)
class StatutoryCatalogue:
    title: Bilingual
    reference: str
    source: str
    note: Bilingual
    categories: tuple[tuple[str, Bilingual], ...]
    factors: tuple[StatutoryFactor, ...]

    def get(self, code: str) -> StatutoryFactor | None:
        for factor in self.factors:
            if factor.code == code:
                return factor
        return None

    @property
    def codes(self) -> frozenset[str]:
        return frozenset(factor.code for factor in self.factors)

    def category_name(self, code: str) -> Bilingual:
        for key, name in self.categories:
            if key == code:
                return name
        return Bilingual(code, code)


def load_statutory_catalogue(text: str, file: str = "statutory_factors.json") -> StatutoryCatalogue:
    """Parse the catalogue subset; refuse an entry without category, names or evidence tag."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise CatalogueError(file, f"not valid JSON ({error})") from None
    categories = tuple(
        (str(entry["code"]), Bilingual(str(entry["en"]), str(entry["zh"])))
        for entry in data.get("categories", ())
    )
    known = {code for code, _name in categories}
    factors: list[StatutoryFactor] = []
    for entry in data.get("factors", ()):
        code = str(entry.get("code", ""))
        if not code or entry.get("category") not in known:
            raise CatalogueError(file, f"factor {code!r}: missing code or unknown category")
        if entry.get("verified") not in EVIDENCE or not entry.get("en") or not entry.get("zh"):
            raise CatalogueError(file, f"factor {code!r}: names and 'verified' V/P/U required")
        limit = None
        if "oel" in entry:
            oel = entry["oel"]
            if oel.get("verified") not in EVIDENCE or not oel.get("unit"):
                raise CatalogueError(file, f"factor {code!r}: limit needs unit and 'verified'")
            limit = ExposureLimit(
                float(oel["value"]), str(oel["unit"]), str(oel.get("kind", "")),
                str(oel.get("source", "")), str(oel["verified"]),
            )  # fmt: skip
        factors.append(
            StatutoryFactor(
                code=code,
                category=str(entry["category"]),
                name=Bilingual(str(entry["en"]), str(entry["zh"])),
                cas=str(entry.get("cas", "")),
                verified=str(entry["verified"]),
                limit=limit,
            )
        )
    codes = [factor.code for factor in factors]
    if len(set(codes)) != len(codes):
        raise CatalogueError(file, "two factors share a code")
    title = data.get("catalogue", {})
    note = data.get("note", {})
    return StatutoryCatalogue(
        title=Bilingual(str(title.get("en", "")), str(title.get("zh", ""))),
        reference=str(data.get("catalogue_reference", "")),
        source=str(data.get("source", "")),
        note=Bilingual(str(note.get("en", "")), str(note.get("zh", ""))),
        categories=categories,
        factors=tuple(factors),
    )


# -- the review cycle -------------------------------------------------------------------------


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` later, or the month's last day (31 Jan + 1 month = 28/29 Feb)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def latest_review(assessed_on: dt.date, level: RiskLevel) -> dt.date:
    """The latest date the level's interval allows for the next review."""
    return add_months(assessed_on, level.review_months)


def next_review(
    assessed_on: dt.date, level: RiskLevel, trigger_on: dt.date | None = None
) -> dt.date:
    """The earlier of the level's interval and a trigger recorded since the assessment.

    A trigger (an incident, new equipment, a monitoring result above the limit...) makes the
    review due on the day it happened (domain/healthwise.md c.5)."""
    due = latest_review(assessed_on, level)
    if trigger_on is not None and trigger_on >= assessed_on:
        return min(due, trigger_on)
    return due


def review_state(
    next_review_on: dt.date | None, today: dt.date, soon_days: int = DUE_SOON_DAYS
) -> str | None:
    """overdue (before today), due (within ``soon_days``), scheduled; None without a date."""
    if next_review_on is None:
        return None
    if next_review_on < today:
        return "overdue"
    if next_review_on <= today + dt.timedelta(days=soon_days):
        return "due"
    return "scheduled"


def monitoring_above_limit(value: float | None, limit: float | None) -> bool:
    return value is not None and limit is not None and value > limit


# -- the weak-controls warning ----------------------------------------------------------------


def relies_on_weak_controls(control_levels: Iterable[str]) -> bool:
    """True when no control is elimination, substitution or engineering (none at all included)."""
    return all(level in WEAK_HIERARCHY_LEVELS for level in control_levels)


def weak_controls_warning(level: RiskLevel | None, control_levels: Iterable[str]) -> bool:
    """A red or orange risk (a level flagged ``warn_weak_controls``) resting only on
    administrative controls and PPE: the hierarchy says to look for something stronger."""
    return (
        level is not None and level.warn_weak_controls and relies_on_weak_controls(control_levels)
    )


def current_scores(values: Mapping[str, Any]) -> tuple[int, int]:
    """The residual scores once assessed, else the initial ones: what the register shows."""
    if values.get("residual_likelihood") is not None and values.get("residual_severity"):
        return int(values["residual_likelihood"]), int(values["residual_severity"])
    return int(values["initial_likelihood"]), int(values["initial_severity"])


# -- validation -------------------------------------------------------------------------------


def _check_score(name: str, value: object, required: bool) -> list[Issue]:
    if value is None:
        return [issue(name, Severity.ERROR, N_("Required."))] if required else []
    if not in_scale(value):
        return [issue(name, Severity.ERROR, N_("Choose a value from 1 to 5."))]
    return []


def _codes(name: str, values: Sequence[str], allowed: Collection[str]) -> list[Issue]:
    unknown = [code for code in values if code not in allowed]
    if unknown:
        return [issue(name, Severity.ERROR, N_("Unknown code: {codes}."), codes=" ".join(unknown))]
    return []


def validate(
    values: Mapping[str, Any],
    matrix: RiskMatrix,
    today: dt.date,
    *,
    job_categories: Collection[str],
    statutory_codes: Collection[str],
) -> list[Issue]:
    """Every finding on a hazard's fields (``HazardInfo.values()`` in the service)."""
    found: list[Issue] = []
    error = Severity.ERROR

    for name in ("activity", "potential_harm", "owner"):
        if not str(values.get(name) or "").strip():
            found.append(issue(name, error, N_("Required.")))
    for name, limit in TEXT_LIMITS.items():
        if len(str(values.get(name) or "")) > limit:
            found.append(issue(name, error, N_("At most {limit} characters."), limit=limit))
    category = values.get("category")
    if category is None:
        found.append(issue("category", error, N_("Required.")))
    elif category not in CATEGORIES:
        found.append(issue("category", error, N_("Choose a category from the list.")))
    method = values.get("identification_method")
    if method is not None and method not in IDENTIFICATION_METHODS:
        found.append(issue("identification_method", error, N_("Choose a method from the list.")))
    factor = values.get("statutory_factor_code")
    if factor is not None and factor not in statutory_codes:
        found.append(
            issue("statutory_factor_code", error, N_("Choose a factor from the catalogue."))
        )
    found += _codes("job_categories", values.get("job_categories") or (), job_categories)
    found += _codes(
        "vulnerable_groups", values.get("vulnerable_groups") or (), VULNERABLE_GROUPS.codes
    )
    for name in ("exposed_female", "exposed_male"):
        count = values.get(name)
        if count is not None and not 0 <= count <= MAX_EXPOSED:
            found.append(
                issue(name, error, N_("Enter a number from 0 to {high}."), high=MAX_EXPOSED)
            )

    for position, (description, level) in enumerate(values.get("controls") or ()):
        if not str(description).strip():
            found.append(
                issue("controls", error, N_("Control {number} has no description."),
                      number=position + 1)
            )  # fmt: skip
        elif len(str(description)) > 400:
            found.append(
                issue("controls", error, N_("Control {number} is longer than 400 characters."),
                      number=position + 1)
            )  # fmt: skip
        if level not in HIERARCHY_LEVELS:
            found.append(
                issue("controls", error, N_("Choose the hierarchy level of control {number}."),
                      number=position + 1)
            )  # fmt: skip

    found += _validate_scores(values, matrix)
    found += _validate_dates(values, matrix, today)
    found += _validate_monitoring(values, today)
    return found


def _validate_scores(values: Mapping[str, Any], matrix: RiskMatrix) -> list[Issue]:
    found: list[Issue] = []
    initial = (values.get("initial_likelihood"), values.get("initial_severity"))
    residual = (values.get("residual_likelihood"), values.get("residual_severity"))
    found += _check_score("initial_likelihood", initial[0], True)
    found += _check_score("initial_severity", initial[1], True)
    found += _check_score("residual_likelihood", residual[0], False)
    found += _check_score("residual_severity", residual[1], False)
    if found:
        return found
    if (residual[0] is None) != (residual[1] is None):
        missing = "residual_severity" if residual[1] is None else "residual_likelihood"
        return [
            issue(missing, Severity.ERROR, N_("Score both likelihood and severity, or neither."))
        ]
    if residual[0] is None:
        return found
    before = matrix.level(int(initial[0]), int(initial[1]))  # type: ignore[arg-type]
    after = matrix.level(int(residual[0]), int(residual[1]))  # type: ignore[arg-type]
    higher = after.rank > before.rank or (
        after.rank == before.rank
        and int(residual[0]) * int(residual[1]) > int(initial[0]) * int(initial[1])  # type: ignore[arg-type]
    )
    if higher and not str(values.get("residual_reason") or "").strip():
        found.append(
            issue(
                "residual_reason",
                Severity.ERROR,
                N_("The residual risk is higher than the initial risk: say why."),
            )
        )
    return found


def _validate_dates(values: Mapping[str, Any], matrix: RiskMatrix, today: dt.date) -> list[Issue]:
    found: list[Issue] = []
    assessed = values.get("assessed_on")
    review = values.get("next_review_on")
    if assessed is None:
        return [issue("assessed_on", Severity.ERROR, N_("Required."))]
    if assessed > today:
        found.append(
            issue("assessed_on", Severity.ERROR, N_("The assessment date is in the future."))
        )
    if review is None:
        return found
    if review < assessed:
        found.append(
            issue("next_review_on", Severity.ERROR,
                  N_("The next review cannot be before the assessment date."))
        )  # fmt: skip
        return found
    try:
        level = matrix.level(*current_scores(values))
    except (TypeError, ValueError):
        return found
    latest = latest_review(assessed, level)
    if review > latest:
        found.append(
            issue(
                "next_review_on",
                Severity.ERROR,
                N_("At this level the next review is due by {date} at the latest."),
                date=latest.isoformat(),
            )
        )
    return found


def _validate_monitoring(values: Mapping[str, Any], today: dt.date) -> list[Issue]:
    found: list[Issue] = []
    value = values.get("monitoring_value")
    limit = values.get("monitoring_limit")
    unit = str(values.get("monitoring_unit") or "").strip()
    day = values.get("monitoring_date")
    if value is not None or limit is not None:
        if not unit:
            found.append(
                issue("monitoring_unit", Severity.ERROR,
                      N_("Give the unit of the monitoring result (e.g. mg/m³)."))
            )  # fmt: skip
        for name, number in (("monitoring_value", value), ("monitoring_limit", limit)):
            if number is not None and number < 0:
                found.append(issue(name, Severity.ERROR, N_("Cannot be negative.")))
    if value is not None and day is None:
        found.append(issue("monitoring_date", Severity.ERROR, N_("Give the date of the result.")))
    if value is None and day is not None:
        found.append(issue("monitoring_value", Severity.ERROR, N_("Enter the measured value.")))
    if day is not None and day > today:
        found.append(issue("monitoring_date", Severity.ERROR, N_("The date is in the future.")))
    return found


def validate_acceptance(
    matrix: RiskMatrix,
    residual: tuple[int | None, int | None],
    *,
    person: str,
    role: str | None,
    accepted_on: dt.date | None,
    assessed_on: dt.date,
    today: dt.date,
) -> list[Issue]:
    """Acceptance of a residual risk by a named person; a senior one where the level says so."""
    error = Severity.ERROR
    if residual[0] is None or residual[1] is None:
        return [issue("acceptance", error, N_("Score the residual risk before accepting it."))]
    level = matrix.level(int(residual[0]), int(residual[1]))
    found: list[Issue] = []
    if not person.strip():
        found.append(issue("accepted_by", error, N_("Name the person who accepts the risk.")))
    elif len(person.strip()) > 120:
        found.append(issue("accepted_by", error, N_("At most {limit} characters."), limit=120))
    if role is None:
        found.append(issue("accepted_role", error, N_("Required.")))
    elif role not in ACCEPTOR_ROLES:
        found.append(issue("accepted_role", error, N_("Choose a role from the list.")))
    elif level.needs_senior and role not in SENIOR_ACCEPTOR_ROLES:
        found.append(
            issue(
                "accepted_role",
                error,
                N_(
                    "A residual risk at the highest level must be accepted by hospital "
                    "leadership or the OSH committee chair."
                ),
            )
        )
    if accepted_on is None:
        found.append(issue("accepted_on", error, N_("Required.")))
    elif accepted_on < assessed_on:
        found.append(
            issue("accepted_on", error, N_("The acceptance cannot be before the assessment."))
        )
    elif accepted_on > today:
        found.append(issue("accepted_on", error, N_("The date is in the future.")))
    return found
