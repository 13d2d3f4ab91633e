"""The dashboard: key figures of a period against the previous one, charts and today's alerts.

The figures mean what the summary report means by them (``services.summary``): the same
period filter, the same denominators (``summary.rates_section``), the same definitions of the
share with safety-engineered devices, the median hours to report and HIV PEP within 2 hours;
``tests/integration/test_dashboard.py`` checks them against the report's figures. What the
other areas already count is asked of their services (follow-up counts, the hazard matrix and
reviews, action counts, immunity coverage).

The dashboard must be complete in well under half a second on 100,000 exposures, so it does not
call ``summary.build_summary`` (which computes every breakdown of a period, split by sex, in
more than a second at that size): each figure here is one small aggregate query over the
period, walking the index on ``occurred_at``.

Periods run from the start of this month, quarter or year to today. The previous period is the
same number of days from the start of the previous month, quarter or year, so that a half-month
is never compared with a whole one.

Roles: every figure and chart is an aggregate and needs ``VIEW_REPORTS``. Alerts name single
records (case numbers) only for roles that see identities (the OSH office); the others get
counts. A reporter, who has no ``VIEW_REPORTS``, gets ``reporter_view``: its own reports and what
to do next.

Staff hepatitis B immunity is the share of staff who are documented responders today, against
the share at the end of the previous period: one query over the status spells that
``services.immunisation`` stores whenever a dose or a result changes (the same definition as
``immunisation.coverage``: staff active now and hired by the day).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import and_, case, func, literal, or_, select, union_all
from sqlalchemy.orm import Session

from hospital_osh.domain import clusters as cluster_rules
from hospital_osh.domain import metrics
from hospital_osh.domain.actions import ACTION_STATUSES
from hospital_osh.domain.clock import as_utc, zone
from hospital_osh.domain.exposure_rules import SHARPS_TYPES
from hospital_osh.domain.protocol_vocab import PepLevel
from hospital_osh.domain.roles import Permission
from hospital_osh.i18n import _
from hospital_osh.models import Department, Exposure
from hospital_osh.models.actions import ActionItem
from hospital_osh.models.post_exposure import (
    FollowUp,
    PepCourseRecord,
    PostExposureAssessment,
    Prophylaxis,
)
from hospital_osh.services import (
    actions,
    exposures,
    followups,
    hazards,
    immunisation,
    local_codes,
    summary,
)
from hospital_osh.services.actions import ActionFilter
from hospital_osh.services.context import Actor
from hospital_osh.services.errors import PermissionDenied, ValidationError
from hospital_osh.services.exposures import ExposureFilter, Guidance
from hospital_osh.services.followups import FollowupFilter
from hospital_osh.services.hazards import HazardFilter

PERIOD_KINDS: dict[str, int] = {"month": 1, "quarter": 3, "year": 12}
"""Selectable periods and their length in months."""
TREND_MONTHS = 24
PEP_WINDOW_HOURS = 72  # HIV PEP can be started up to 72 h after the exposure (exposure_rules)
PEP_TARGET_HOURS = 2  # ... and works best within 2 h: the report's "PEP within 2 hours"
INCOMPLETE_AFTER_HOURS = 48  # the OSH office completes a quick report within two days
PEP_DECISION_LEVELS = (PepLevel.RECOMMENDED, PepLevel.OFFER, PepLevel.CONSIDER)
"""Assessed HIV PEP levels that call for a decision (given, declined or contraindicated)."""
MAX_ITEM_ALERTS = 20
"""Single-record alerts of one kind shown before they are summed up as a count."""

COUNT, RATE, SHARE, HOURS = "count", "rate", "share", "hours"


# -- values ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DashboardPeriod:
    """This month, quarter or year up to ``end`` (today), and the same span one period back."""

    kind: str
    start: dt.date
    end: dt.date
    previous_start: dt.date
    previous_end: dt.date


@dataclass(frozen=True)
class Link:
    """What to open for a figure, a bar or an alert: a page by its key, the filter of its list
    (the service's own filter value), and optionally one record to open there."""

    page: str
    filters: ExposureFilter | FollowupFilter | HazardFilter | ActionFilter | None = None
    record_id: int | None = None
    reference: str = ""


@dataclass(frozen=True)
class Figure:
    """One key figure. ``previous`` is the previous period's value when the figure belongs to a
    period; a figure of the present state (overdue now) has ``compared`` False."""

    key: str
    unit: str  # count | rate | share | hours
    value: float | None
    previous: float | None = None
    compared: bool = False
    lower_is_better: bool = True
    of: int | None = None  # the denominator of a share (how many cases it is a share of)
    count: int | None = None  # the numerator of a share, where the page names it
    not_available: str = ""  # why the value is None (e.g. no staffing figures)
    link: Link | None = None

    @property
    def change(self) -> float | None:
        """Shares change in percentage points (0.05 = 5 points); other units relatively."""
        if not self.compared or self.value is None or self.previous is None:
            return None
        if self.unit == SHARE:
            return self.value - self.previous
        return metrics.change(self.value, self.previous)

    @property
    def improved(self) -> bool | None:
        """True when the change is for the better, None when unchanged or not comparable."""
        if not self.compared or self.value is None or self.previous is None:
            return None
        if self.value == self.previous:
            return None
        return (self.value < self.previous) == self.lower_is_better


@dataclass(frozen=True)
class Alert:
    """Something to act on today. ``count`` records (or one, named by ``reference``)."""

    kind: str  # followups_overdue | followups_due | pep_window | incomplete | reviews_overdue
    #            | actions_overdue | cluster
    count: int
    urgent: bool
    link: Link | None
    reference: str = ""
    hours_since: float | None = None  # pep_window: hours since the exposure
    department_zh: str = ""
    department_en: str = ""
    device_type: str = ""
    first: dt.date | None = None
    last: dt.date | None = None


@dataclass(frozen=True)
class Dashboard:
    """Everything the dashboard page shows (plain values; the page translates labels)."""

    period: DashboardPeriod
    today: dt.date
    figures: tuple[Figure, ...]
    alerts: tuple[Alert, ...]
    trend_months: tuple[dt.date, ...]  # the first day of each month shown
    trend: Mapping[str, tuple[int, ...]]  # exposure type -> count per month
    by_job_category: tuple[tuple[str, int], ...]
    by_device: tuple[tuple[str, int], ...]
    followup_status: tuple[tuple[str, int], ...]  # overdue, due_week, upcoming
    action_status: tuple[tuple[str, int], ...]
    matrix_cells: Mapping[tuple[int, int], int]
    matrix_id: str
    high_levels: tuple[str, ...]  # level codes counted as the high risks
    sees_records: bool  # alerts name single records
    local_labels: Mapping[tuple[str, str], tuple[str, str]] = field(default_factory=dict)

    def figure(self, key: str) -> Figure:
        return next(f for f in self.figures if f.key == key)


@dataclass(frozen=True)
class OwnReport:
    """One of the reporter's own reports, with what to do next (translated)."""

    id: int
    reference: str
    occurred_at: dt.datetime
    exposure_type: str
    status: str
    hours_since: float
    steps: tuple[Guidance, ...]


# -- periods --------------------------------------------------------------------------------------


def _month_start(day: dt.date, months_back: int = 0) -> dt.date:
    index = day.year * 12 + day.month - 1 - months_back
    return dt.date(index // 12, index % 12 + 1, 1)


def period_of(kind: str, today: dt.date) -> DashboardPeriod:
    """The period ``kind`` (month, quarter, year) up to ``today`` and its like-for-like
    predecessor (the same number of days from the previous period's start)."""
    months = PERIOD_KINDS.get(kind)
    if months is None:
        raise ValidationError({"period": _("Unknown filter value.")})
    start = _month_start(today, (today.month - 1) % months)
    previous_start = _month_start(start, months)
    previous_end = min(previous_start + (today - start), start - dt.timedelta(days=1))
    return DashboardPeriod(kind, start, today, previous_start, previous_end)


# -- the hospital's clock -------------------------------------------------------------------------


def local_now(session: Session, now: dt.datetime | None = None) -> dt.datetime:
    """Now as a hospital-local naive date-time, the form in which exposure times are stored
    (``now``: an aware instant or naive UTC, for tests)."""
    moment = as_utc(now) if now is not None else dt.datetime.now(dt.UTC)
    return moment.astimezone(zone(followups.hospital_zone(session))).replace(tzinfo=None)


# -- figures of a period --------------------------------------------------------------------------


def _between(start: dt.date, end: dt.date) -> list[Any]:
    return summary.Period(start, end).where()


def _as_date(value: Any) -> dt.date:
    """SQL ``date()`` gives a date on PostgreSQL and ISO text on SQLite."""
    return dt.date.fromisoformat(value) if isinstance(value, str) else value


def _counts(session: Session, where: Sequence[Any]) -> tuple[int, int, int, int]:
    """(exposures, percutaneous, with a safety-engineered device, without one)."""
    sharps = Exposure.exposure_type == "percutaneous"

    def total(condition: Any) -> Any:
        return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

    row = session.execute(
        select(
            func.count(Exposure.id),
            total(sharps),
            total(and_(sharps, Exposure.device_safety_engineered == "yes")),
            total(and_(sharps, Exposure.device_safety_engineered == "no")),
        ).where(*where)
    ).one()
    return int(row[0]), int(row[1]), int(row[2]), int(row[3])


def _median_hours(session: Session, where: Sequence[Any], count: int) -> float | None:
    """The median hours from exposure to report, as the report computes it (the two middle
    rows fetched from the database, interpolated)."""
    if not count:
        return None
    low, high, weight = metrics.quantile_positions(count, 0.5)
    values = [
        float(v)
        for v in session.scalars(
            select(Exposure.hours_to_report)
            .where(*where)
            .order_by(Exposure.hours_to_report, Exposure.id)
            .offset(low)
            .limit(high - low + 1)
        )
    ]
    return round(metrics.interpolate(values[0], values[-1], weight), 2)


def _hours_after(session: Session, start: Any, end: Any) -> Any:
    """SQL for the hours from ``start`` to ``end`` on either backend (as the report)."""
    return summary.hours_after(session, start, end)


def _pep_starts(session: Session, period: DashboardPeriod) -> tuple[tuple[int, int], ...]:
    """(exposures whose HIV PEP was started, of them within 2 hours) of the period and of the
    previous one, as the report counts: the first start of a course or of a dose recorded as
    given. One query over both periods."""
    where = _between(period.previous_start, period.end)
    courses = (
        select(PepCourseRecord.exposure_id.label("exposure_id"), PepCourseRecord.started_at)
        .join(Exposure, PepCourseRecord.exposure_id == Exposure.id)
        .where(*where)
    )
    doses = (
        select(
            Prophylaxis.exposure_id.label("exposure_id"),
            Prophylaxis.given_at.label("started_at"),
        )
        .join(Exposure, Prophylaxis.exposure_id == Exposure.id)
        .where(
            *where,
            Prophylaxis.kind == "hiv_pep",
            Prophylaxis.decision == "given",
            Prophylaxis.given_at.is_not(None),
        )
    )
    starts = courses.union_all(doses).subquery()
    first = (
        select(starts.c.exposure_id, func.min(starts.c.started_at).label("started_at"))
        .group_by(starts.c.exposure_id)
        .subquery()
    )
    soon = _hours_after(session, Exposure.occurred_at, first.c.started_at) <= PEP_TARGET_HOURS
    current = and_(*_between(period.start, period.end))
    previous = and_(*_between(period.previous_start, period.previous_end))

    def total(condition: Any) -> Any:
        return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

    row = session.execute(
        select(
            total(current), total(and_(current, soon)), total(previous), total(and_(previous, soon))
        ).join(first, first.c.exposure_id == Exposure.id)
    ).one()
    return (int(row[0]), int(row[1])), (int(row[2]), int(row[3]))


def _verified(session: Session, start: dt.date, end: dt.date) -> int:
    return int(
        session.scalar(
            select(func.count(ActionItem.id)).where(
                ActionItem.verified_on >= start, ActionItem.verified_on <= end
            )
        )
        or 0
    )


@dataclass(frozen=True)
class _PeriodFigures:
    total: int
    rate: float | None
    rate_reason: str
    engineered: int
    engineered_known: int
    median_hours: float | None
    pep_started: int
    pep_within: int
    verified: int | None


def _period_figures(
    session: Session, actor: Actor, start: dt.date, end: dt.date, pep: tuple[int, int]
) -> _PeriodFigures:
    where = _between(start, end)
    total, percutaneous, engineered, plain = _counts(session, where)
    rates = summary.rates_section(
        session,
        summary.Period(start, end),
        {"total": total, "percutaneous": percutaneous, "by_job_category": {}, "by_sex": {}},
    )
    reason = rates["not_available"].get("per_100_fte", {}).get("reason", "")
    return _PeriodFigures(
        total=total,
        rate=rates["per_100_fte"],
        rate_reason=reason,
        engineered=engineered,
        engineered_known=engineered + plain,
        median_hours=_median_hours(session, where, total),
        pep_started=pep[0],
        pep_within=pep[1],
        verified=_verified(session, start, end) if actor.can(Permission.VIEW_ACTIONS) else None,
    )


# -- charts ---------------------------------------------------------------------------------------


def trend_months(today: dt.date) -> tuple[dt.date, ...]:
    """The first day of each month of the trend: the last ``TREND_MONTHS``, this one included."""
    return tuple(_month_start(today, back) for back in range(TREND_MONTHS - 1, -1, -1))


def _trend(
    session: Session, months: Sequence[dt.date], today: dt.date
) -> dict[str, tuple[int, ...]]:
    """Exposures per month and type over ``months``: one statement of per-month GROUP BYs over
    date ranges, which walk the ``occurred_at`` index without computing a date function for
    every row (twice as fast on SQLite as grouping by the extracted year and month)."""
    kind = func.coalesce(Exposure.exposure_type, summary.UNKNOWN)
    ends = [*months[1:], today + dt.timedelta(days=1)]
    parts = [
        select(literal(position).label("position"), kind.label("kind"), func.count(Exposure.id))
        .where(
            Exposure.occurred_at >= dt.datetime.combine(start, dt.time()),
            Exposure.occurred_at < dt.datetime.combine(end, dt.time()),
        )
        .group_by(kind)
        for position, (start, end) in enumerate(zip(months, ends, strict=True))
    ]
    counts: dict[str, list[int]] = {}
    for position, code, n in session.execute(union_all(*parts)):
        counts.setdefault(str(code), [0] * len(months))[int(position)] = int(n)
    return {code: tuple(values) for code, values in counts.items()}


def _grouped(session: Session, column: Any, where: Sequence[Any]) -> tuple[tuple[str, int], ...]:
    """Counts per code, largest first (unknown codes counted as ``unknown``)."""
    label = func.coalesce(column, summary.UNKNOWN)
    rows = session.execute(
        select(label, func.count(Exposure.id)).where(*where).group_by(label)
    ).all()
    return tuple(sorted(((str(c), int(n)) for c, n in rows), key=lambda r: (-r[1], r[0])))


# -- state of the other areas ---------------------------------------------------------------------


def _followup_counts(session: Session, actor: Actor, today: dt.date) -> followups.FollowupCounts:
    """Open follow-up items overdue, due this week and upcoming (``followups.counts``). Roles
    without the follow-up list (viewer, committee) get the same counts as an aggregate, as the
    summary report shows them, by the same three conditions."""
    if actor.can(Permission.VIEW_FOLLOWUPS):
        return followups.counts(session, actor, today=today)
    week_end = today + dt.timedelta(days=followups.WEEK_DAYS - 1)
    is_open = FollowUp.state == followups.OPEN
    conditions = (
        (FollowUp.window_end < today,),
        (FollowUp.window_start <= week_end, FollowUp.window_end >= today),
        (FollowUp.window_start > week_end,),
    )
    overdue, due_week, upcoming = (
        int(session.scalar(select(func.count(FollowUp.id)).where(is_open, *c)) or 0)
        for c in conditions
    )
    return followups.FollowupCounts(overdue, due_week, upcoming)


def _pep_pending(session: Session, now: dt.datetime) -> list[tuple[int, str, dt.datetime]]:
    """(id, reference, occurred_at) of exposures less than 72 hours old with no HIV PEP decision
    where one is called for: not yet assessed, or assessed as recommended, offer or consider."""
    decided = select(Prophylaxis.id).where(
        Prophylaxis.exposure_id == Exposure.id, Prophylaxis.kind == "hiv_pep"
    )
    course = select(PepCourseRecord.id).where(PepCourseRecord.exposure_id == Exposure.id)
    query = (
        select(Exposure.id, Exposure.reference, Exposure.occurred_at)
        .outerjoin(PostExposureAssessment, PostExposureAssessment.exposure_id == Exposure.id)
        .where(
            Exposure.occurred_at > now - dt.timedelta(hours=PEP_WINDOW_HOURS),
            Exposure.occurred_at <= now,
            ~decided.exists(),
            ~course.exists(),
            or_(
                PostExposureAssessment.id.is_(None),
                PostExposureAssessment.pep_level.in_([str(p) for p in PEP_DECISION_LEVELS]),
            ),
        )
        .order_by(Exposure.occurred_at, Exposure.id)
    )
    return [(row[0], row[1], row[2]) for row in session.execute(query)]


def _incomplete_since(session: Session, now: dt.datetime) -> int:
    """Records still incomplete 48 hours after they were reported."""
    cutoff = now - dt.timedelta(hours=INCOMPLETE_AFTER_HOURS)
    return int(
        session.scalar(
            select(func.count(Exposure.id)).where(
                Exposure.incomplete.is_(True), Exposure.reported_at <= cutoff
            )
        )
        or 0
    )


def _clusters(session: Session, today: dt.date) -> list[cluster_rules.Cluster]:
    """Active clusters (``domain.clusters``) among the sharps injuries of the last weeks."""
    start = cluster_rules.lookback_start(today)
    day = func.date(Exposure.occurred_at)
    rows = session.execute(
        select(Exposure.department_id, Exposure.device_type, day).where(
            *_between(start, today),
            Exposure.exposure_type.in_(sorted(SHARPS_TYPES)),
            Exposure.department_id.is_not(None),
            Exposure.device_type.is_not(None),
        )
    )
    injuries = [
        cluster_rules.Injury(department, device, _as_date(occurred))
        for department, device, occurred in rows
    ]
    return cluster_rules.active_clusters(injuries, today)


def _departments(session: Session, ids: set[int]) -> dict[int, tuple[str, str]]:
    if not ids:
        return {}
    rows = session.execute(
        select(Department.id, Department.name_zh, Department.name_en).where(
            Department.id.in_(sorted(ids))
        )
    )
    return {row[0]: (row[1], row[2]) for row in rows}


# -- the dashboard --------------------------------------------------------------------------------


def _figures(
    current: _PeriodFigures,
    previous: _PeriodFigures,
    period: DashboardPeriod,
    followup_counts: followups.FollowupCounts,
    high_risks: int | None,
    reviews_overdue: int | None,
    action_counts: actions.ActionCounts | None,
    immunity: Figure,
) -> tuple[Figure, ...]:
    in_period = ExposureFilter(start=period.start, end=period.end)
    exposures_link = Link("exposures", in_period)
    sharps_link = Link("exposures", ExposureFilter(period.start, period.end, "percutaneous"))
    figures = [
        Figure("exposures", COUNT, current.total, previous.total, True, link=exposures_link),
        Figure(
            "rate_per_100_fte",
            RATE,
            current.rate,
            previous.rate,
            True,
            not_available=current.rate_reason,
            link=exposures_link,
        ),
        Figure(
            "safety_engineered_share",
            SHARE,
            metrics.share(current.engineered, current.engineered_known),
            metrics.share(previous.engineered, previous.engineered_known),
            True,
            lower_is_better=False,
            of=current.engineered_known,
            link=sharps_link,
        ),
        Figure(
            "median_hours_to_report",
            HOURS,
            current.median_hours,
            previous.median_hours,
            True,
            of=current.total,
            link=exposures_link,
        ),
        Figure(
            "pep_within_2h_share",
            SHARE,
            metrics.share(current.pep_within, current.pep_started),
            metrics.share(previous.pep_within, previous.pep_started),
            True,
            lower_is_better=False,
            of=current.pep_started,
        ),
        immunity,
        Figure(
            "followups_overdue",
            COUNT,
            followup_counts.overdue,
            link=Link("followups", FollowupFilter(scope="overdue")),
        ),
    ]
    if high_risks is not None and reviews_overdue is not None:
        figures += [
            Figure("high_risk_hazards", COUNT, high_risks, link=Link("hazards", HazardFilter())),
            Figure(
                "hazard_reviews_overdue",
                COUNT,
                reviews_overdue,
                link=Link("hazards", HazardFilter(review="overdue")),
            ),
        ]
    if action_counts is not None:
        figures += [
            Figure(
                "actions_overdue",
                COUNT,
                action_counts.overdue,
                link=Link("actions", ActionFilter(overdue=True)),
            ),
            Figure(
                "actions_verified",
                COUNT,
                current.verified,
                previous.verified,
                True,
                lower_is_better=False,
                link=Link("actions", ActionFilter(statuses=("verified",))),
            ),
        ]
    return tuple(figures)


def _alerts(
    session: Session,
    actor: Actor,
    now: dt.datetime,
    today: dt.date,
    followup_counts: followups.FollowupCounts,
    reviews_overdue: int | None,
    action_counts: actions.ActionCounts | None,
) -> tuple[Alert, ...]:
    named = actor.sees_identities
    alerts: list[Alert] = []
    pending = _pep_pending(session, now)
    if named and len(pending) <= MAX_ITEM_ALERTS:
        for exposure_id, reference, occurred in pending:
            hours = (now - occurred).total_seconds() / 3600
            link = Link("exposures", ExposureFilter(search=reference), exposure_id, reference)
            alerts.append(Alert("pep_window", 1, True, link, reference, hours_since=hours))
    elif pending:
        start = (now - dt.timedelta(hours=PEP_WINDOW_HOURS)).date()
        link = Link("exposures", ExposureFilter(start=start, end=today))
        alerts.append(Alert("pep_window", len(pending), True, link))
    if followup_counts.overdue:
        link = Link("followups", FollowupFilter(scope="overdue"))
        alerts.append(Alert("followups_overdue", followup_counts.overdue, True, link))
    if followup_counts.due_week:
        link = Link("followups", FollowupFilter(scope="due_week"))
        alerts.append(Alert("followups_due", followup_counts.due_week, False, link))
    incomplete = _incomplete_since(session, now)
    if incomplete:
        link = Link("exposures", ExposureFilter(incomplete=True))
        alerts.append(Alert("incomplete", incomplete, False, link))
    found = _clusters(session, today)
    names = _departments(session, {c.department_id for c in found})
    for cluster in found:
        zh, en = names.get(cluster.department_id, ("", ""))
        link = Link(
            "exposures",
            ExposureFilter(
                start=cluster.first,
                end=cluster.last,
                department_id=cluster.department_id,
                device_type=cluster.device_type,
            ),
        )
        alerts.append(
            Alert(
                "cluster",
                cluster.count,
                True,
                link,
                department_zh=zh,
                department_en=en,
                device_type=cluster.device_type,
                first=cluster.first,
                last=cluster.last,
            )
        )
    if reviews_overdue:
        link = Link("hazards", HazardFilter(review="overdue"))
        alerts.append(Alert("reviews_overdue", reviews_overdue, False, link))
    if action_counts is not None and action_counts.overdue:
        link = Link("actions", ActionFilter(overdue=True))
        alerts.append(Alert("actions_overdue", action_counts.overdue, False, link))
    return tuple(alerts)


def build_dashboard(
    session: Session, actor: Actor, kind: str = "month", *, now: dt.datetime | None = None
) -> Dashboard:
    """Every figure, chart and alert of the dashboard for the period ``kind`` (month, quarter,
    year) up to today; ``now`` (aware, or naive UTC) for tests."""
    actor.require(Permission.VIEW_REPORTS)
    local = local_now(session, now)
    today = local.date()
    period = period_of(kind, today)
    months = trend_months(today)
    pep_current, pep_previous = _pep_starts(session, period)
    current = _period_figures(session, actor, period.start, period.end, pep_current)
    previous = _period_figures(
        session, actor, period.previous_start, period.previous_end, pep_previous
    )
    counts = _followup_counts(session, actor, today)

    matrix = hazards.current_matrix(session)
    high = tuple(level.code for level in matrix.levels if level.warn_weak_controls)
    cells: dict[tuple[int, int], int] = {}
    high_risks = reviews_overdue = None
    if actor.can(Permission.VIEW_HAZARDS):
        cells = hazards.cell_counts(session, actor, HazardFilter(), today=today)
        high_risks = sum(n for cell, n in cells.items() if matrix.level(*cell).code in high)
        reviews_overdue = hazards.review_summary(session, actor, today=today).overdue
    action_counts = None
    if actor.can(Permission.VIEW_ACTIONS):
        action_counts = actions.action_counts(session, actor, today=today)

    where = _between(period.start, period.end)
    by_status = action_counts.by_status if action_counts is not None else {}
    return Dashboard(
        period=period,
        today=today,
        figures=_figures(
            current,
            previous,
            period,
            counts,
            high_risks,
            reviews_overdue,
            action_counts,
            _immunity(session, period),
        ),
        alerts=_alerts(session, actor, local, today, counts, reviews_overdue, action_counts),
        trend_months=months,
        trend=_trend(session, months, today),
        by_job_category=_grouped(session, Exposure.job_category, where),
        by_device=_grouped(
            session, Exposure.device_type, [*where, Exposure.exposure_type == "percutaneous"]
        ),
        followup_status=(
            ("overdue", counts.overdue),
            ("due_week", counts.due_week),
            ("upcoming", counts.upcoming),
        ),
        action_status=tuple(
            (str(code), by_status[str(code)])
            for code in ACTION_STATUSES.codes
            if by_status.get(str(code))
        ),
        matrix_cells=cells,
        matrix_id=matrix.id,
        high_levels=high,
        sees_records=actor.sees_identities,
        local_labels=local_codes.local_labels(session),
    )


# -- immunity coverage ---------------------------------------------------------------------------


def _immunity(session: Session, period: DashboardPeriod) -> Figure:
    (staff, immune), (staff_before, immune_before) = immunisation.immune_counts(
        session, period.end, period.previous_end
    )
    return Figure(
        "hbv_immunity",
        SHARE,
        metrics.share(immune, staff),
        metrics.share(immune_before, staff_before),
        True,
        lower_is_better=False,
        of=staff,
        count=immune,
    )


def immunity_figure(
    session: Session, actor: Actor, kind: str = "month", *, now: dt.datetime | None = None
) -> Figure:
    """Share of staff with documented hepatitis B immunity today, and at the end of the
    previous period of ``kind`` (the dashboard's tile, also part of :func:`build_dashboard`)."""
    actor.require(Permission.VIEW_REPORTS)
    return _immunity(session, period_of(kind, local_now(session, now).date()))


# -- the reporter's view --------------------------------------------------------------------------

REPORTER_LIMIT = 10
AWAITING_OFFICE = "reported"
"""A report the OSH office has not taken up yet: the reporter still has steps to take."""


def reporter_view(
    session: Session, actor: Actor, *, now: dt.datetime | None = None, limit: int = REPORTER_LIMIT
) -> tuple[OwnReport, ...]:
    """The actor's own latest reports. A report the OSH office has not taken up yet carries the
    steps of the quick report (first aid, go to the office, the prophylaxis window); once the
    office handles the case its status says what happens next."""
    if not actor.can(Permission.REPORT_EXPOSURE):
        raise PermissionDenied(_("Your role ({role}) does not allow this.").format(role=actor.role))
    local = local_now(session, now)
    rows = exposures.list_exposures(
        session, actor, ExposureFilter(), sort="occurred_at", descending=True, limit=limit
    )
    if actor.can(Permission.VIEW_EXPOSURES):  # an officer who also reports: only its own
        own = set(
            session.scalars(
                select(Exposure.id).where(
                    Exposure.id.in_([r.id for r in rows]), Exposure.reported_by == actor.username
                )
            )
        )
        rows = [r for r in rows if r.id in own]
    result = []
    for row in rows:
        hours = max((local - row.occurred_at).total_seconds() / 3600, 0.0)
        steps: tuple[Guidance, ...] = ()
        if row.status == AWAITING_OFFICE:
            # Whole hours: "42 hours since the exposure" (the rules' thresholds are whole too).
            steps = exposures.guidance(row.exposure_type, int(hours), row.reference)
        result.append(
            OwnReport(
                row.id,
                row.reference,
                row.occurred_at,
                row.exposure_type,
                row.status,
                round(hours, 1),
                steps,
            )
        )
    return tuple(result)
