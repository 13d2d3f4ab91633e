"""The figures of a period: what ``summary.json``, the summary PDF, the XLSX and the reports
page preview all show, from one set of SQL aggregate queries.

Every figure is a GROUP BY or a count in the database; no Python loop runs over exposure rows,
so a period of 100,000 exposures costs a few queries. The exposure figures are one statement
that reads the period's rows once (``_exposure_figures``); quartiles of the hours to report
fetch only the two rows around each quantile (``domain.metrics.quantile_positions``), which
works the same on SQLite and PostgreSQL.

The export package's tables (``export_rows``, ``followup_export_rows``, ``hazard_export_rows``,
``action_export_rows``) are iterators of plain column rows, streamed from the database while
the zip is written, so memory does not grow with the number of rows.

Rates use the staffing denominators of ``services.hospital``; a missing denominator gives
``None`` and a reason code (``rates.not_available``), never 0.

The summary is built from independent sections. A section whose records this installation does
not keep yet is left out and named in ``sections_missing``, so that nobody reads an absent
section as zeros. Codes that a row leaves empty are counted under ``unknown``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple
from typing import cast as type_cast

from sqlalchemy import (
    String,
    and_,
    case,
    cast,
    extract,
    func,
    literal,
    or_,
    select,
    type_coerce,
    union_all,
)
from sqlalchemy.orm import Session

from hospital_osh import __version__
from hospital_osh.domain import metrics
from hospital_osh.domain.roles import Permission
from hospital_osh.i18n import _
from hospital_osh.models import Department, Exposure, Hospital, StaffingFte, StaffingYear, Worker
from hospital_osh.services import local_codes
from hospital_osh.services.context import Actor
from hospital_osh.services.errors import ValidationError

UNKNOWN = "unknown"
MAX_PERIOD_DAYS = 366 * 10
STREAM_BATCH = 2000  # rows a streamed export query fetches at a time

# Sections whose services other areas are building; until their figures are wired in here,
# a summary names them in ``sections_missing`` instead of showing zeros.
PENDING_SECTIONS: tuple[str, ...] = (
    "followup",
    "immunity",
    "hazards",
    "actions",
    "healthwise",
)

# Dimensions of ``exposures.by_*``: key -> the column counted.
_DIMENSIONS: dict[str, Any] = {
    "by_type": Exposure.exposure_type,
    "by_job_category": Exposure.job_category,
    "by_sex": Exposure.sex,
    "by_device_type": Exposure.device_type,
    "by_purpose": Exposure.purpose,
    "by_circumstance": Exposure.circumstance,
    "by_body_site": Exposure.body_site,
    "by_location_type": Exposure.location_type,
    "by_employment_type": Exposure.employment_type,
}


@dataclass(frozen=True)
class Period:
    """An inclusive period of local dates."""

    start: dt.date
    end: dt.date

    def where(self) -> list[Any]:
        """Exposures that occurred in the period (on the local date of the exposure)."""
        after = dt.datetime.combine(self.end + dt.timedelta(days=1), dt.time())
        return [
            Exposure.occurred_at >= dt.datetime.combine(self.start, dt.time()),
            Exposure.occurred_at < after,
        ]

    def as_json(self) -> dict[str, str]:
        return {"from": self.start.isoformat(), "to": self.end.isoformat()}


def check_period(start: dt.date | None, end: dt.date | None) -> Period:
    """The period, or a ValidationError saying what is wrong with it."""
    if start is None or end is None:
        raise ValidationError({"period": _("Give the first and the last day of the period.")})
    if end < start:
        raise ValidationError(
            {
                "period": _("The period ends ({end}) before it starts ({start}).").format(
                    start=start.isoformat(), end=end.isoformat()
                )
            }
        )
    if (end - start).days > MAX_PERIOD_DAYS:
        raise ValidationError({"period": _("A report covers at most ten years.")})
    return Period(start, end)


# -- the sections ---------------------------------------------------------------------------------


def _grouped(session: Session, key: Any, where: Sequence[Any], *joins: Any) -> dict[str, int]:
    label = func.coalesce(key, UNKNOWN)
    query = select(label, func.count(Exposure.id)).select_from(Exposure)
    for target, condition in joins:
        query = query.outerjoin(target, condition)
    query = query.where(*where).group_by(label)
    return {str(code): int(count) for code, count in session.execute(query)}


def _count(session: Session, where: Sequence[Any]) -> int:
    return int(session.scalar(select(func.count(Exposure.id)).where(*where)) or 0)


def _by_month(session: Session, where: Sequence[Any]) -> dict[str, int]:
    year = extract("year", Exposure.occurred_at)
    month = extract("month", Exposure.occurred_at)
    query = select(year, month, func.count(Exposure.id)).where(*where).group_by(year, month)
    return {f"{int(y):04d}-{int(m):02d}": int(n) for y, m, n in session.execute(query)}


# The figures of ``exposure_section`` come from one statement: the period's exposures are read
# once into a materialised CTE and every count is a GROUP BY arm of a UNION ALL over it, each
# arm a row of (figure, code, sex, value). Twenty separate queries read the same rows twenty
# times, which on an encrypted file means decrypting the same pages twenty times.
_QUARTILES = (("q1", 0.25), ("median", 0.5), ("q3", 0.75))
_SOURCE_POSITIVE = ("hbv", "hcv", "hiv")


def _exposure_figures(session: Session, period: Period, total: int) -> list[tuple[Any, ...]]:
    """(figure, code, sex, value) rows of every exposure figure of the period (see above)."""
    keys = {**_DIMENSIONS, "by_department_type": Department.type}
    extra = {
        "engineered": Exposure.device_safety_engineered,
        "activated": Exposure.safety_activated,
        "identified": Exposure.source_identified,
        "hbsag": Exposure.source_hbsag,
        "anti_hcv": Exposure.source_anti_hcv,
        "hcv_rna": Exposure.source_hcv_rna,
        "hiv": Exposure.source_hiv,
        "hours": Exposure.hours_to_report,
        "occurred_at": Exposure.occurred_at,
        "id": Exposure.id,
    }
    rows = (
        select(*(column.label(name) for name, column in {**keys, **extra}.items()))
        .select_from(Exposure)
        .outerjoin(Department, Exposure.department_id == Department.id)
        .where(*period.where())
        .cte("period_exposures")
        .prefix_with("MATERIALIZED")
    )
    c = rows.c
    sex = func.coalesce(c.by_sex, UNKNOWN)
    none = literal("")

    def grouped(figure: str, column: Any, *where: Any, by_sex: bool = False) -> Any:
        code = func.coalesce(column, UNKNOWN)
        split = sex if by_sex else none
        query = select(literal(figure), code, split, func.count()).where(*where)
        return query.group_by(code, split) if by_sex else query.group_by(code)

    def counted(figure: str, code: str, *where: Any) -> Any:
        return select(literal(figure), literal(code), none, func.count()).where(*where)

    percutaneous = c.by_type == "percutaneous"
    arms = [grouped(key, c[key], by_sex=True) for key in keys]
    arms += [
        grouped("safety_engineered", c.engineered, percutaneous),
        grouped("safety_activated", c.activated, percutaneous, c.engineered == "yes"),
        grouped("source_identified", c.identified),
        counted("source_positive", "hbv", c.hbsag == "positive"),
        counted("source_positive", "hcv", or_(c.anti_hcv == "positive", c.hcv_rna == "positive")),
        counted("source_positive", "hiv", c.hiv == "positive"),
        counted("within_24h", "", c.hours <= 24),
    ]
    month = extract("year", c.occurred_at) * 100 + extract("month", c.occurred_at)
    arms.append(
        select(literal("by_month"), cast(month, String), none, func.count()).group_by(month)
    )
    if total:
        # The two sorted values around each quartile (domain.metrics.quantile_positions).
        ranked = select(
            c.hours, func.row_number().over(order_by=(c.hours, c.id)).label("position")
        ).subquery()
        positions = set()
        for _name, fraction in _QUARTILES:
            low, high, _weight = metrics.quantile_positions(total, fraction)
            positions |= {low + 1, high + 1}
        arms.append(
            select(literal("hours"), cast(ranked.c.position, String), none, ranked.c.hours).where(
                ranked.c.position.in_(sorted(positions))
            )
        )
    return list(session.connection().execute(union_all(*arms)))


def exposure_section(session: Session, period: Period) -> dict[str, Any]:
    """``summary.json["exposures"]``: counts by every coded dimension (each also split by sex),
    devices, reporting time and source status, from one statement over the period's rows."""
    total = _count(session, period.where())
    keys = (*_DIMENSIONS, "by_department_type")
    split: dict[str, dict[str, dict[str, int]]] = {key: {} for key in keys}
    counts: dict[str, dict[str, int]] = {
        "safety_engineered": {},
        "safety_activated": {},
        "source_identified": {},
        "source_positive": dict.fromkeys(_SOURCE_POSITIVE, 0),
        "within_24h": {},
        "by_month": {},
    }
    hours_at: dict[int, float] = {}
    for figure, code, sex, value in _exposure_figures(session, period, total):
        if figure in split:
            split[figure].setdefault(str(code), {})[str(sex)] = int(value)
        elif figure == "hours":
            hours_at[int(code) - 1] = float(value)
        elif figure == "by_month":
            year, month = divmod(int(float(code)), 100)
            counts[figure][f"{year:04d}-{month:02d}"] = int(value)
        else:
            counts[figure][str(code)] = int(value)

    section: dict[str, Any] = {"total": total}
    for key in keys:
        section[key] = {code: sum(per_sex.values()) for code, per_sex in split[key].items()}
    section["sex_split"] = {key.removeprefix("by_"): split[key] for key in keys}
    engineered = counts["safety_engineered"]
    known = engineered.get("yes", 0) + engineered.get("no", 0)
    section["percutaneous"] = sum(engineered.values())
    section["safety_engineered"] = engineered
    section["safety_engineered_share"] = metrics.share(engineered.get("yes", 0), known)
    activated = counts["safety_activated"]
    section["safety_activated"] = activated
    section["safety_activated_share"] = metrics.share(
        activated.get("fully", 0), engineered.get("yes", 0)
    )
    hours: dict[str, Any] = {"n": total, "q1": None, "median": None, "q3": None}
    if total:
        for name, fraction in _QUARTILES:
            low, high, weight = metrics.quantile_positions(total, fraction)
            value = metrics.interpolate(hours_at[low], hours_at[high], weight)
            hours[name] = round(value, 2)
    hours["within_24h"] = counts["within_24h"].get("", 0)
    section["hours_to_report"] = hours
    section["median_hours_to_report"] = hours["median"]
    section["source_identified"] = counts["source_identified"]
    section["source_positive"] = counts["source_positive"]
    section["by_month"] = counts["by_month"]
    return section


@dataclass(frozen=True)
class _Staffing:
    """Yearly denominators: occupied beds, FTE in total, by job category and by sex."""

    rows: set[int]
    beds: dict[int, float | None]
    fte: dict[int, float]
    by_job: dict[str, dict[int, float]]
    by_sex: dict[str, dict[int, float]]


def _staffing(session: Session, years: Sequence[int]) -> _Staffing:
    rows = {
        year: beds
        for year, beds in session.execute(
            select(StaffingYear.year, StaffingYear.occupied_beds).where(
                StaffingYear.year.in_(years)
            )
        )
    }
    fte: dict[int, float] = {}
    by_job: dict[str, dict[int, float]] = {}
    by_sex: dict[str, dict[int, float]] = {}
    query = (
        select(
            StaffingYear.year,
            StaffingFte.job_category,
            StaffingFte.sex,
            func.sum(StaffingFte.fte),
        )
        .join(StaffingYear, StaffingFte.staffing_year_id == StaffingYear.id)
        .where(StaffingYear.year.in_(years))
        .group_by(StaffingYear.year, StaffingFte.job_category, StaffingFte.sex)
    )
    for year, job, sex, value in session.execute(query):
        value = float(value or 0.0)
        fte[year] = fte.get(year, 0.0) + value
        by_job.setdefault(job, {})
        by_job[job][year] = by_job[job].get(year, 0.0) + value
        by_sex.setdefault(sex, {})
        by_sex[sex][year] = by_sex[sex].get(year, 0.0) + value
    return _Staffing(set(rows), dict(rows), fte, by_job, by_sex)


def _reason(staffing: _Staffing, missing: Sequence[int], what: str) -> dict[str, Any]:
    """Why a rate is not available: no staffing figures for a year at all, or not this one."""
    without_row = [y for y in missing if y not in staffing.rows]
    code = "no_staffing_year" if without_row else what
    return {"reason": code, "years": list(missing)}


def rates_section(session: Session, period: Period, exposures: dict[str, Any]) -> dict[str, Any]:
    """``summary.json["rates"]``: rates per 100 FTE (overall, by job category, by sex) and per
    100 occupied beds, the denominators used, and why any rate is not available."""
    years = sorted(metrics.days_by_year(period.start, period.end))
    staffing = _staffing(session, years)
    start, end = period.start, period.end
    total = exposures["total"]
    not_available: dict[str, Any] = {}

    def rate(name: str, count: int, per_year: dict[int, Any], reason: str) -> float | None:
        denominator = metrics.weighted_denominator(start, end, per_year)
        if denominator.value is None:
            not_available[name] = _reason(staffing, denominator.missing_years, reason)
            return None
        return metrics.rate_per_100(count, denominator.value)

    fte = metrics.weighted_denominator(start, end, staffing.fte)
    beds = metrics.weighted_denominator(start, end, staffing.beds)
    result: dict[str, Any] = {
        "per_100_fte": rate("per_100_fte", total, dict(staffing.fte), "no_fte"),
        "per_100_occupied_beds": rate(
            "per_100_occupied_beds", total, dict(staffing.beds), "no_occupied_beds"
        ),
        "percutaneous_per_100_occupied_beds": rate(
            "percutaneous_per_100_occupied_beds",
            exposures["percutaneous"],
            dict(staffing.beds),
            "no_occupied_beds",
        ),
    }
    by_job: dict[str, float | None] = {}
    for job in sorted(set(exposures["by_job_category"]) | set(staffing.by_job)):
        if job == UNKNOWN:
            continue
        count = exposures["by_job_category"].get(job, 0)
        by_job[job] = rate(
            f"per_100_fte_by_job_category.{job}",
            count,
            staffing.by_job.get(job, {}),
            "no_fte_for_job_category",
        )
    result["per_100_fte_by_job_category"] = by_job
    by_sex: dict[str, float | None] = {}
    for sex in sorted(set(exposures["by_sex"]) | set(staffing.by_sex)):
        if sex == UNKNOWN:
            continue
        by_sex[sex] = rate(
            f"per_100_fte_by_sex.{sex}",
            exposures["by_sex"].get(sex, 0),
            staffing.by_sex.get(sex, {}),
            "no_fte_for_sex",
        )
    result["per_100_fte_by_sex"] = by_sex
    result["denominators"] = {
        "fte": fte.value,
        "occupied_beds": beds.value,
        "fte_years": (
            None if fte.value is None else metrics.person_years(start, end, staffing.fte)
        ),
        "bed_years": (
            None if beds.value is None else metrics.person_years(start, end, staffing.beds)
        ),
        "fte_by_job_category": {
            job: value.value
            for job, per_year in sorted(staffing.by_job.items())
            if (value := metrics.weighted_denominator(start, end, per_year)).value is not None
        },
        "days": {str(y): d for y, d in metrics.days_by_year(start, end).items()},
    }
    result["not_available"] = not_available
    return result


def _headline(session: Session, period: Period) -> dict[str, Any]:
    """Total and rates of another period, for the trend."""
    where = period.where()
    total = _count(session, where)
    percutaneous = _count(session, [*where, Exposure.exposure_type == "percutaneous"])
    rates = rates_section(
        session,
        period,
        {
            "total": total,
            "percutaneous": percutaneous,
            "by_job_category": {},
            "by_sex": {},
        },
    )
    return {
        **period.as_json(),
        "total": total,
        "per_100_fte": rates["per_100_fte"],
        "per_100_occupied_beds": rates["per_100_occupied_beds"],
    }


def trend_section(session: Session, period: Period, current: dict[str, Any]) -> dict[str, Any]:
    """The period against the previous one of the same kind and the same period last year."""
    previous = Period(*metrics.previous_period(period.start, period.end))
    last_year = Period(*metrics.same_period_last_year(period.start, period.end))
    before = _headline(session, previous)
    a_year_ago = _headline(session, last_year)
    total = current["exposures"]["total"]
    rate = current["rates"]["per_100_fte"]
    return {
        "previous": before,
        "last_year": a_year_ago,
        "change_vs_previous": metrics.change(total, before["total"]),
        "change_vs_last_year": metrics.change(total, a_year_ago["total"]),
        "rate_change_vs_previous": metrics.change(rate, before["per_100_fte"]),
        "rate_change_vs_last_year": metrics.change(rate, a_year_ago["per_100_fte"]),
        "by_month_last_year": _by_month(session, last_year.where()),
    }


def _hazards_section(session: Session, actor: Actor, period: Period) -> dict[str, Any]:
    """``summary.json["hazards"]``: the register by level and the reviews overdue at the
    period's end. The register keeps no history, so levels are those in force now."""
    from hospital_osh.services import hazards

    matrix = hazards.current_matrix(session)
    by_level = {level.code: 0 for level in matrix.levels}
    cells = hazards.cell_counts(session, actor, hazards.HazardFilter(), today=period.end)
    for (likelihood, severity), count in cells.items():
        code = matrix.level(likelihood, severity).code
        by_level[code] = by_level.get(code, 0) + int(count)
    reviews = hazards.review_summary(session, actor, today=period.end)
    return {
        "total": sum(by_level.values()),
        "by_level": by_level,
        "levels": {
            level.code: {"en": level.name.en, "zh": level.name.zh} for level in matrix.levels
        },
        "reviews_overdue": reviews.overdue,
        "as_of": "current",
    }


def _actions_section(session: Session, actor: Actor, period: Period) -> dict[str, Any]:
    """``summary.json["actions"]``: action items by status (as they stand now), overdue at the
    period's end, and verified during the period."""
    from hospital_osh.models.actions import ActionItem
    from hospital_osh.services import actions

    counts = actions.action_counts(session, actor, today=period.end)
    verified = session.scalar(
        select(func.count(ActionItem.id)).where(
            ActionItem.verified_on >= period.start, ActionItem.verified_on <= period.end
        )
    )
    return {
        "total": counts.total,
        "by_status": dict(sorted(counts.by_status.items())),
        "overdue": counts.overdue,
        "verified_in_period": int(verified or 0),
        "as_of": "current",
    }


def _healthwise_section(session: Session, actor: Actor, period: Period) -> dict[str, Any]:
    """``summary.json["healthwise"]``: rounds held in the period, checkpoints where the group
    proposed action, priority items, and who took part by sex (gender-sensitive OSH, key 7)."""
    from hospital_osh.domain.healthwise import Answer
    from hospital_osh.models.healthwise import (
        Assessment,
        AssessmentMember,
        ChecklistAnswer,
        ChecklistSheet,
    )

    actor.require(Permission.VIEW_ACTIONS)
    in_period = [Assessment.assessed_on >= period.start, Assessment.assessed_on <= period.end]
    assessments = session.scalar(select(func.count(Assessment.id)).where(*in_period))
    group_answers = (
        select(
            func.count(ChecklistAnswer.id),
            func.coalesce(func.sum(case((ChecklistAnswer.priority.is_(True), 1), else_=0)), 0),
        )
        .join(ChecklistSheet, ChecklistAnswer.sheet_id == ChecklistSheet.id)
        .join(Assessment, ChecklistSheet.assessment_id == Assessment.id)
        .where(
            *in_period,
            ChecklistSheet.member_id.is_(None),  # the group's consolidated sheet
            ChecklistAnswer.answer == str(Answer.ACTION_PROPOSED),
        )
    )
    proposed, priority = session.execute(group_answers).one()
    sex = func.coalesce(AssessmentMember.sex, UNKNOWN)
    members = {
        str(code): int(count)
        for code, count in session.execute(
            select(sex, func.count(AssessmentMember.id))
            .join(Assessment, AssessmentMember.assessment_id == Assessment.id)
            .where(*in_period)
            .group_by(sex)
        )
    }
    return {
        "assessments": int(assessments or 0),
        "checkpoints_action_proposed": int(proposed or 0),
        "priority_items": int(priority or 0),
        "members_by_sex": members,
    }


def _immunity_section(session: Session, actor: Actor, period: Period) -> dict[str, Any]:
    """``summary.json["immunity"]``: hepatitis B immunity of active staff at the period's end
    (documented responders), overall and by job category, with the count of each status."""
    from hospital_osh.services import immunisation

    coverage = immunisation.coverage(session, actor, on=period.end)
    total = coverage.total
    return {
        "staff": total.staff,
        "immune": total.immune,
        "responder_share": total.share,
        "by_status": dict(total.by_status),
        "by_job_category": {
            row.key: {"staff": row.staff, "immune": row.immune, "share": row.share}
            for row in coverage.by_job_category
        },
    }


def hours_after(session: Session, start: Any, end: Any) -> Any:
    """SQL for the hours from ``start`` to ``end`` (naive local date-times) on either backend."""
    if session.get_bind().dialect.name == "sqlite":
        return (func.julianday(end) - func.julianday(start)) * 24.0
    return extract("epoch", end - start) / 3600.0


def _followup_section(session: Session, actor: Actor, period: Period) -> dict[str, Any]:
    """``summary.json["followup"]``: follow-up completion, losses, overdue tests, HIV PEP
    started (and within 2 and 72 hours), completed, and seroconversions, for the exposures of
    the period. A case requires follow-up when it has at least one test scheduled; it is
    complete when every test not cancelled is done."""
    from hospital_osh.domain.protocol_vocab import EXCHANGE_TESTS
    from hospital_osh.models.post_exposure import FollowUp, PepCourseRecord, Prophylaxis
    from hospital_osh.services import followups

    actor.require(Permission.VIEW_REPORTS)
    where = period.where()
    today = followups.today_in_hospital(session)
    # One pass over the period's tests, grouped by case: a case requires follow-up when it
    # has a test that is not cancelled, and is complete when none of those is still not done.
    tests = [FollowUp.code.in_(sorted(EXCHANGE_TESTS)), FollowUp.state != "cancelled"]
    cases = (
        select(
            func.sum(case((FollowUp.state != "done", 1), else_=0)).label("unfinished"),
            func.sum(
                case((and_(FollowUp.state == "open", FollowUp.window_end < today), 1), else_=0)
            ).label("overdue"),
        )
        .join(Exposure, FollowUp.exposure_id == Exposure.id)
        .where(*where, *tests)
        .group_by(FollowUp.exposure_id)
        .subquery()
    )
    requiring, completed, overdue = session.execute(
        select(
            func.count(),
            func.coalesce(func.sum(case((cases.c.unfinished == 0, 1), else_=0)), 0),
            func.coalesce(func.sum(cases.c.overdue), 0),
        ).select_from(cases)
    ).one()
    # Outcomes and losses of the period's cases in one GROUP BY.
    outcome = func.coalesce(Exposure.outcome, UNKNOWN)
    is_lost = or_(Exposure.status == "lost_to_follow_up", Exposure.outcome == "lost_to_follow_up")
    outcomes: dict[str, int] = {}
    lost = 0
    for code, count, lost_count in session.execute(
        select(outcome, func.count(Exposure.id), func.sum(case((is_lost, 1), else_=0)))
        .where(*where)
        .group_by(outcome)
    ):
        outcomes[str(code)] = int(count)
        lost += int(lost_count or 0)
    # The first HIV PEP start of each case of the period: a PEP course, or a dose given.
    starts = union_all(
        select(
            Exposure.id.label("exposure_id"),
            Exposure.occurred_at.label("occurred_at"),
            PepCourseRecord.started_at.label("started_at"),
        )
        .join(PepCourseRecord, PepCourseRecord.exposure_id == Exposure.id)
        .where(*where),
        select(Exposure.id, Exposure.occurred_at, Prophylaxis.given_at)
        .join(Prophylaxis, Prophylaxis.exposure_id == Exposure.id)
        .where(
            *where,
            Prophylaxis.kind == "hiv_pep",
            Prophylaxis.decision == "given",
            Prophylaxis.given_at.is_not(None),
        ),
    ).subquery()
    first = (
        select(
            starts.c.occurred_at.label("occurred_at"),
            func.min(starts.c.started_at).label("started_at"),
        )
        .group_by(starts.c.exposure_id, starts.c.occurred_at)
        .subquery()
    )
    hours = hours_after(session, first.c.occurred_at, first.c.started_at)
    started, within_2h, within_72h = session.execute(
        select(
            func.count(),
            func.coalesce(func.sum(case((hours <= 2, 1), else_=0)), 0),
            func.coalesce(func.sum(case((hours <= 72, 1), else_=0)), 0),
        ).select_from(first)
    ).one()
    pep_completed = session.scalar(
        select(func.count(Exposure.id))
        .join(PepCourseRecord, PepCourseRecord.exposure_id == Exposure.id)
        .where(*where, PepCourseRecord.days_taken >= PepCourseRecord.course_days)
    )
    return {
        "cases_requiring": int(requiring),
        "completed": int(completed),
        "completion_share": metrics.share(int(completed), int(requiring)),
        "lost": lost,
        "overdue_now": int(overdue or 0),
        "hiv_pep_started": int(started or 0),
        "hiv_pep_within_2h": int(within_2h or 0),
        "hiv_pep_within_72h": int(within_72h or 0),
        "hiv_pep_completed": int(pep_completed or 0),
        "seroconversions": {
            virus: outcomes.get(f"{virus}_seroconversion", 0) for virus in ("hbv", "hcv", "hiv")
        },
    }


# Sections other areas provide, each a function (session, actor, period) -> dict. A name in
# PENDING_SECTIONS without a provider is reported as missing, never shown as zeros.
SECTION_PROVIDERS: dict[str, Callable[[Session, Actor, Period], dict[str, Any]]] = {
    "hazards": _hazards_section,
    "actions": _actions_section,
    "healthwise": _healthwise_section,
    "immunity": _immunity_section,
    "followup": _followup_section,
}


def _local_labels(session: Session) -> dict[str, dict[str, dict[str, str]]]:
    """The hospital's own code entries (list -> code -> zh/en), so reports can name them.
    Brands stay out: they are hospital-level detail (exposures.md c.3, table 8)."""
    result: dict[str, dict[str, dict[str, str]]] = {}
    for (list_name, code), (zh, en) in sorted(local_codes.local_labels(session).items()):
        if list_name == "device_brand":
            continue
        result.setdefault(list_name, {})[code] = {"zh": zh, "en": en}
    return result


def hospital_identity(session: Session) -> dict[str, str]:
    row = session.get(Hospital, 1)
    if row is None:
        return {"code": "", "name_zh": "", "name_en": "", "province": "", "grade": ""}
    return {
        "code": row.facility_code,
        "name_zh": row.name_zh,
        "name_en": row.name_en,
        "province": row.province,
        "city": row.city,
        "grade": row.grade,
    }


def build_summary(
    session: Session, actor: Actor, start: dt.date | None, end: dt.date | None
) -> dict[str, Any]:
    """Every figure of the period, as ``summary.json`` holds it (plain JSON values)."""
    actor.require(Permission.VIEW_REPORTS)
    period = check_period(start, end)
    exposures = exposure_section(session, period)
    summary: dict[str, Any] = {
        "period": period.as_json(),
        "hospital": hospital_identity(session),
        "generator": {"name": "hospital-osh", "version": __version__},
        "exposures": exposures,
        "local_labels": _local_labels(session),
    }
    summary["rates"] = rates_section(session, period, exposures)
    summary["trend"] = trend_section(session, period, summary)
    missing = []
    for name in PENDING_SECTIONS:
        provider = SECTION_PROVIDERS.get(name)
        if provider is None:
            missing.append(name)
        else:
            summary[name] = provider(session, actor, period)
    summary["sections_missing"] = missing
    return summary


# -- rows for the export package ------------------------------------------------------------------


@dataclass(frozen=True)
class ExportRow:
    """One exposure as the export needs it: the record's codes, the staff number (for the keyed
    pseudonym, never written out) and the department type. No names, no free text."""

    values: dict[str, Any]
    staff_no: str
    department_type: str
    post_exposure: dict[str, str] = field(default_factory=dict)  # EXCHANGE.md columns


EXPORT_FIELDS: tuple[str, ...] = (
    "uuid",
    "occurred_at",
    "reported_at",
    "exposure_type",
    "location_type",
    "job_category",
    "employment_type",
    "sex",
    "age",
    "years_in_post",
    "age_band",  # kept only where the exact age is unknown (an imported typed-in worker)
    "tenure_band",
    "device_type",
    "device_safety_engineered",
    "safety_activated",
    "purpose",
    "circumstance",
    "body_site",
    "depth",
    "gloves",
    "fluid_type",
    "contact_duration",
    "contact_volume",
    "source_identified",
    "source_hbsag",
    "source_anti_hcv",
    "source_hcv_rna",
    "source_hiv",
    "outcome",
    "status",
)


def export_rows(
    session: Session, actor: Actor, start: dt.date, end: dt.date, *, batch: int = 1000
) -> Iterator[ExportRow]:
    """The period's exposures in occurrence order, read in batches (memory stays flat).

    The permission and the period are checked when this is called, not when the rows are first
    read: a refused caller learns it at once, before it writes a file header or opens a zip."""
    actor.require(Permission.EXCHANGE_DATA)
    return _export_batches(session, check_period(start, end), batch)


def _export_batches(session: Session, period: Period, batch: int) -> Iterator[ExportRow]:
    """Keyset pages of ``batch`` exposures with their worker, department, assessment and PEP
    course joined (one row each at most), and one more query a page for the prophylaxis
    decisions. Plain column rows through the session's connection: no ORM objects."""
    from hospital_osh.models.post_exposure import PepCourseRecord as Course
    from hospital_osh.models.post_exposure import PostExposureAssessment as Assessment

    columns = [getattr(Exposure, name) for name in EXPORT_FIELDS]
    query = (
        select(
            Exposure.id,
            *columns,
            Worker.staff_no,
            Department.type,
            Assessment.id,
            Assessment.worker_hbv_status,
            Assessment.worker_anti_hbs,
            Course.id,
            Course.started_at,
            Course.course_days,
            Course.days_taken,
            Course.stop_reason,
        )
        .outerjoin(Worker, Exposure.worker_id == Worker.id)
        .outerjoin(Department, Exposure.department_id == Department.id)
        .outerjoin(Assessment, Assessment.exposure_id == Exposure.id)
        .outerjoin(Course, Course.exposure_id == Exposure.id)
        .where(*period.where())
    )
    connection = session.connection()
    end = 1 + len(EXPORT_FIELDS)
    last: tuple[dt.datetime, int] | None = None
    while True:
        page = query
        if last is not None:
            page = page.where(
                or_(
                    Exposure.occurred_at > last[0],
                    and_(Exposure.occurred_at == last[0], Exposure.id > last[1]),
                )
            )
        page = page.order_by(Exposure.occurred_at, Exposure.id).limit(batch)
        rows = connection.execute(page).all()
        if not rows:
            return
        prophylaxis = _prophylaxis(session, [row[0] for row in rows])
        for row in rows:
            post = _post_exposure(_Joined._make(row[end + 2 :]), prophylaxis.get(row[0]))
            values = dict(zip(EXPORT_FIELDS, row[1:end], strict=True))
            yield ExportRow(values, row[end] or "", row[end + 1] or "", post)
        last = (rows[-1].occurred_at, rows[-1].id)


def _yes_no_given(decisions: set[str]) -> str:
    if not decisions:
        return ""
    return "yes" if "given" in decisions else "no"


@dataclass
class _Prophylaxis:
    """One case's prophylaxis decisions by kind, and when HIV PEP was first given."""

    decisions: dict[str, set[str]] = field(default_factory=dict)
    pep_given_at: dt.datetime | None = None


def _prophylaxis(session: Session, ids: Sequence[int]) -> dict[int, _Prophylaxis]:
    from hospital_osh.models.post_exposure import Prophylaxis

    result: dict[int, _Prophylaxis] = {}
    for exposure_id, kind, decision, given_at in session.connection().execute(
        select(
            Prophylaxis.exposure_id, Prophylaxis.kind, Prophylaxis.decision, Prophylaxis.given_at
        ).where(Prophylaxis.exposure_id.in_(ids))
    ):
        case_ = result.setdefault(exposure_id, _Prophylaxis())
        case_.decisions.setdefault(kind, set()).add(decision)
        if kind == "hiv_pep" and decision == "given" and given_at is not None:
            earlier = case_.pep_given_at
            case_.pep_given_at = min(given_at, earlier) if earlier else given_at
    return result


_PROPHYLAXIS_COLUMNS = {
    "hbig": "hbig_given",
    "hbv_vaccine": "hbv_vaccine_given",
    "hiv_pep": "hiv_pep_started",
}


class _Joined(NamedTuple):
    """The assessment's and the PEP course's columns of one exposure (None: not recorded)."""

    assessment_id: int | None
    hbv_status: str | None
    anti_hbs: float | None
    course_id: int | None
    course_started: dt.datetime | None
    course_days: int | None
    days_taken: int | None
    stop_reason: str | None


def _post_exposure(joined: _Joined, prophylaxis: _Prophylaxis | None) -> dict[str, str]:
    """The post-exposure columns of exposures.csv for one case: the worker's HBV status at
    assessment, prophylaxis given or not, and the HIV PEP course (which, when recorded, says
    when PEP started and whether it was completed)."""
    values: dict[str, str] = {}
    if joined.assessment_id is not None:
        values["worker_hbv_status"] = joined.hbv_status or ""
        if joined.anti_hbs is not None:
            values["worker_anti_hbs_miu"] = format(joined.anti_hbs, "g")
    pep_given_at = None
    if prophylaxis is not None:
        for kind, found in prophylaxis.decisions.items():
            column = _PROPHYLAXIS_COLUMNS.get(kind)
            if column:
                values[column] = _yes_no_given(found)
        pep_given_at = prophylaxis.pep_given_at
    if joined.course_id is not None:
        values["hiv_pep_started"] = "yes"
        pep_given_at = joined.course_started
        days, taken = joined.course_days, joined.days_taken
        if taken is not None and days is not None and taken >= days:
            values["hiv_pep_completed"] = "yes"
        elif joined.stop_reason is not None:
            values["hiv_pep_completed"] = "no"
        else:
            values["hiv_pep_completed"] = "ongoing"
    if pep_given_at is not None:
        values["hiv_pep_started_at"] = pep_given_at.strftime("%Y-%m-%dT%H:%M")
    return values


def count_in_period(session: Session, start: dt.date, end: dt.date) -> int:
    return _count(session, check_period(start, end).where())


def _yes_no(value: bool | None) -> str:
    return "" if value is None else ("yes" if value else "no")


def _number(value: int | None) -> str:
    return "" if value is None else str(value)


def _iso(value: dt.date | None) -> str:
    return value.isoformat() if value else ""


def hazard_export_rows(
    session: Session, actor: Actor, start: dt.date, end: dt.date
) -> Iterator[dict[str, str]]:
    """The hazard register as recorded by the period's end: codes, levels and dates only (no
    activity, location or description text). Levels are those of the matrix in force.

    Checked when called, read when iterated (plain columns, streamed)."""
    actor.require(Permission.EXCHANGE_DATA)
    return _hazard_rows(session, check_period(start, end))


def _hazard_rows(session: Session, period: Period) -> Iterator[dict[str, str]]:
    from hospital_osh.models.hazards import Hazard
    from hospital_osh.services import hazards

    matrix = hazards.current_matrix(session)
    after = dt.datetime.combine(period.end + dt.timedelta(days=1), dt.time())

    def level(likelihood: int | None, severity: int | None) -> str:
        if likelihood is None or severity is None:
            return ""
        return matrix.level(likelihood, severity).code

    query = (
        select(
            Hazard.uuid,
            Department.type,
            Hazard.category,
            Hazard.statutory_factor_code,
            Hazard.status,
            Hazard.assessed_on,
            Hazard.initial_likelihood,
            Hazard.initial_severity,
            Hazard.residual_likelihood,
            Hazard.residual_severity,
            Hazard.current_likelihood,
            Hazard.current_severity,
            Hazard.next_review_on,
            Hazard.exposed_female,
            Hazard.exposed_male,
            Hazard.reproductive_hazard,
        )
        .outerjoin(Department, Hazard.department_id == Department.id)
        .where(Hazard.created_at < after)
        .order_by(Hazard.ref_seq)
        .execution_options(yield_per=STREAM_BATCH)
    )
    for row in session.connection().execute(query):
        yield {
            "uuid": row.uuid,
            "department_type": row.type or "",
            "category": row.category or "",
            "statutory_factor_code": row.statutory_factor_code or "",
            "status": row.status,
            "assessed_on": row.assessed_on.isoformat(),
            "initial_level": level(row.initial_likelihood, row.initial_severity),
            "residual_level": level(row.residual_likelihood, row.residual_severity),
            "current_level": level(row.current_likelihood, row.current_severity),
            "next_review_on": row.next_review_on.isoformat(),
            "review_overdue": _yes_no(row.status == "active" and row.next_review_on < period.end),
            "exposed_female": _number(row.exposed_female),
            "exposed_male": _number(row.exposed_male),
            "reproductive_hazard": _yes_no(row.reproductive_hazard),
        }


def action_export_rows(
    session: Session, actor: Actor, start: dt.date, end: dt.date
) -> Iterator[dict[str, str]]:
    """Action items open at some time during the period (created by its end, and not settled
    before it began): codes and dates only, no titles or details.

    Checked when called, read when iterated (plain columns, streamed)."""
    actor.require(Permission.EXCHANGE_DATA)
    return _action_rows(session, check_period(start, end))


def _action_rows(session: Session, period: Period) -> Iterator[dict[str, str]]:
    from hospital_osh.domain.actions import CLOSED_STATUSES
    from hospital_osh.models.actions import ActionItem
    from hospital_osh.services.actions import overdue_condition

    after = dt.datetime.combine(period.end + dt.timedelta(days=1), dt.time())
    before = dt.datetime.combine(period.start, dt.time())
    query = (
        select(
            ActionItem.uuid,
            Department.type,
            ActionItem.source_kind,
            ActionItem.hierarchy_level,
            ActionItem.status,
            ActionItem.created_at,
            ActionItem.due_date,
            overdue_condition(period.end).label("overdue"),
            ActionItem.verified_on,
            ActionItem.gender_relevant,
            ActionItem.cost_category,
        )
        .outerjoin(Department, ActionItem.department_id == Department.id)
        .where(
            ActionItem.created_at < after,
            or_(
                ActionItem.status.not_in([str(s) for s in CLOSED_STATUSES]),
                ActionItem.status_changed_at >= before,
            ),
        )
        .order_by(ActionItem.ref_year, ActionItem.ref_seq)
        .execution_options(yield_per=STREAM_BATCH)
    )
    for row in session.connection().execute(query):
        yield {
            "uuid": row.uuid,
            "department_type": row.type or "",
            "source_kind": row.source_kind,
            "hierarchy_level": row.hierarchy_level or "",
            "status": row.status,
            "created_on": row.created_at.date().isoformat(),
            "due_date": _iso(row.due_date),
            "overdue": _yes_no(bool(row.overdue)),
            "verified_on": _iso(row.verified_on),
            "gender_relevant": _yes_no(row.gender_relevant),
            "cost_category": row.cost_category or "",
        }


# followups.csv columns in order (EXCHANGE.md; ``exchange.layout.FOLLOWUP_COLUMNS`` is the same).
FOLLOWUP_EXPORT_FIELDS: tuple[str, ...] = (
    "exposure_uuid",
    "test",
    "due_date",
    "done_date",
    "status",
    "result",
)


class _Window(NamedTuple):
    """What ``followups.status_of`` reads of a test."""

    state: str
    window_start: dt.date | None
    window_end: dt.date | None


def _date(value: dt.date | str | None) -> dt.date | None:
    """A date column read as text (SQLite) or as a date (PostgreSQL)."""
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(value)


def followup_export_rows(
    session: Session,
    actor: Actor,
    start: dt.date,
    end: dt.date,
    *,
    now: dt.datetime | None = None,
) -> Iterator[tuple[str, ...]]:
    """``followups.csv``: one row per follow-up test of the period's exposures (EXCHANGE.md),
    with its status on the hospital's date at ``now`` (naive UTC) and its result, as a tuple in
    ``FOLLOWUP_EXPORT_FIELDS`` order.

    A year of a large hospital holds some 200,000 tests: they are streamed (``yield_per``, a
    server-side cursor on PostgreSQL) as plain columns, never loaded as ORM objects or held in a
    list. Checked when called, read when iterated."""
    from hospital_osh.services import followups

    actor.require(Permission.EXCHANGE_DATA)
    period = check_period(start, end)
    today = followups.today_in_hospital(session, now)
    return _followup_rows(session, period, today)


def _followup_rows(session: Session, period: Period, today: dt.date) -> Iterator[tuple[str, ...]]:
    from hospital_osh.domain.protocol_vocab import EXCHANGE_TESTS
    from hospital_osh.models.post_exposure import FollowUp
    from hospital_osh.services.followups import status_of

    # The dates are read as the database's text where it keeps them as text (SQLite's ISO
    # dates) and written out as they are: parsing 800,000 dates of a large year only to format
    # them again cost a quarter of the file's time. PostgreSQL returns dates; str() is the same
    # ISO form for both.
    query = (
        select(
            Exposure.uuid,
            FollowUp.code,
            type_coerce(FollowUp.due_date, String),
            type_coerce(FollowUp.done_date, String),
            FollowUp.result,
            FollowUp.result_value,
            FollowUp.state,
            type_coerce(FollowUp.window_start, String),
            type_coerce(FollowUp.window_end, String),
        )
        .join(Exposure, FollowUp.exposure_id == Exposure.id)
        .where(*period.where(), FollowUp.code.in_(sorted(EXCHANGE_TESTS)))
        .order_by(Exposure.occurred_at, Exposure.id, FollowUp.due_date, FollowUp.id)
        .execution_options(yield_per=STREAM_BATCH)
    )
    # status_of reads the state and the window, which this row carries; tests of cases
    # recorded on the same day share windows, so each (state, window) is decided once (the
    # cache is bounded by the calendar, not by the number of rows).
    statuses: dict[tuple[Any, ...], str] = {}
    for uuid, code, due_date, done_date, result, value, *window in session.connection().execute(
        query
    ):
        status = statuses.get(key := tuple(window))
        if status is None:
            state, start, end = window
            item = _Window(state, _date(start), _date(end))
            status = statuses[key] = str(status_of(type_cast(FollowUp, item), today))
        yield (
            uuid,
            code,
            str(due_date),
            str(done_date) if done_date else "",
            status,
            result or ("" if value is None else format(value, "g")),
        )
