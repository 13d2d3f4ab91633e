"""Rate formulas, denominators, quantiles, bands and small-cell suppression (pure Python).

The formulas follow domain/exposures.md c.1: rates per 100 FTE and per 100 occupied beds, with
the staffing denominators of the period's year(s). A period that crosses years weights each
year's denominator by the period's days in that year (EXCHANGE.md). A missing denominator gives
no rate (``None``) and a reason, never 0: a zero would read as "no exposures".
The privacy bands and the suppression threshold are the ones EXCHANGE.md fixes.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

SMALL_CELL = 5
"""Counts from 1 to SMALL_CELL - 1 are shown as ``<5`` in roll-up cells (EXCHANGE.md)."""
SUPPRESSED = "<5"

AGE_BANDS: tuple[tuple[str, float, float], ...] = (
    ("<25", -math.inf, 25),
    ("25-34", 25, 35),
    ("35-44", 35, 45),
    ("45-54", 45, 55),
    ("55+", 55, math.inf),
)
TENURE_BANDS: tuple[tuple[str, float, float], ...] = (
    ("<1", -math.inf, 1),
    ("1-4", 1, 5),
    ("5-9", 5, 10),
    ("10+", 10, math.inf),
)


def _band(value: float | None, bands: Sequence[tuple[str, float, float]]) -> str:
    if value is None:
        return ""
    for name, low, high in bands:
        if low <= value < high:
            return name
    return ""


def age_band(age: float | None) -> str:
    """The EXCHANGE.md age band of ``age`` in whole years; empty when unknown."""
    return _band(age, AGE_BANDS)


def tenure_band(years: float | None) -> str:
    """The EXCHANGE.md band of years in post (1.0 to 4.99 is ``1-4``); empty when unknown."""
    return _band(years, TENURE_BANDS)


def rate_per_100(count: float, denominator: float | None) -> float | None:
    """``count`` per 100 of ``denominator``; None when the denominator is missing or zero."""
    if denominator is None or denominator <= 0:
        return None
    return count * 100.0 / denominator


def share(part: float, whole: float) -> float | None:
    """``part / whole`` in 0..1; None when there is nothing to divide by."""
    if whole <= 0:
        return None
    return part / whole


def change(current: float | None, previous: float | None) -> float | None:
    """Relative change (0.25 = 25 % more); None when the previous value is missing or 0."""
    if current is None or previous is None or previous == 0:
        return None
    return (current - previous) / previous


def days_by_year(start: dt.date, end: dt.date) -> dict[int, int]:
    """Days of the inclusive period [start, end] that fall in each calendar year."""
    result: dict[int, int] = {}
    for year in range(start.year, end.year + 1):
        first = max(start, dt.date(year, 1, 1))
        last = min(end, dt.date(year, 12, 31))
        if first <= last:
            result[year] = (last - first).days + 1
    return result


def days_in_year(year: int) -> int:
    return (dt.date(year + 1, 1, 1) - dt.date(year, 1, 1)).days


@dataclass(frozen=True)
class Denominator:
    """A day-weighted denominator, or the years that lack one."""

    value: float | None
    missing_years: tuple[int, ...] = ()


def weighted_denominator(
    start: dt.date, end: dt.date, per_year: Mapping[int, float | None]
) -> Denominator:
    """The yearly figures weighted by the period's days in each year; missing if any year is.

    A year with no figure (or 0) makes the whole denominator missing: a rate over part of the
    period would be wrong without saying so.
    """
    days = days_by_year(start, end)
    missing = tuple(y for y in days if not per_year.get(y))
    if missing or not days:
        return Denominator(None, missing)
    total_days = sum(days.values())
    value = sum(float(per_year[y] or 0.0) * d for y, d in days.items()) / total_days
    return Denominator(value)


def person_years(start: dt.date, end: dt.date, per_year: Mapping[int, float | None]) -> float:
    """FTE-years (or bed-years) at risk in the period: each year's figure times the share of
    that year the period covers. A full calendar year gives that year's figure."""
    days = days_by_year(start, end)
    return sum(float(per_year.get(y) or 0.0) * d / days_in_year(y) for y, d in days.items())


def quantile_positions(count: int, fraction: float) -> tuple[int, int, float]:
    """0-based positions of the two sorted values around a quantile, and the weight of the
    upper one (linear interpolation, as PostgreSQL's percentile_cont and numpy's default).

    The database sorts and fetches just those two rows, so no list of all values is needed.
    """
    if count <= 0:
        raise ValueError("no values")
    h = (count - 1) * fraction
    low = math.floor(h)
    return low, min(low + 1, count - 1), h - low


def interpolate(low_value: float, high_value: float, weight: float) -> float:
    return low_value + (high_value - low_value) * weight


def quantile(values: Sequence[float], fraction: float) -> float | None:
    """Quantile of a short list (roll-up rates of hospitals); None for an empty list."""
    if not values:
        return None
    ordered = sorted(values)
    low, high, weight = quantile_positions(len(ordered), fraction)
    return interpolate(ordered[low], ordered[high], weight)


def suppress(count: int) -> int | str:
    """``<5`` for counts 1..4 (small-cell suppression); other counts unchanged."""
    if 0 < count < SMALL_CELL:
        return SUPPRESSED
    return count


def suppress_all(counts: Mapping[str, int]) -> dict[str, int | str]:
    return {key: suppress(value) for key, value in counts.items()}


def add_counts(target: dict[str, int], counts: Mapping[str, int] | None) -> None:
    """Add ``counts`` into ``target`` in place (roll-up accumulators)."""
    for key, value in (counts or {}).items():
        target[key] = target.get(key, 0) + int(value)


def ordered_counts(counts: Mapping[str, int], order: Iterable[str]) -> list[tuple[str, int]]:
    """Counts in code-list order, then unknown codes alphabetically; zero rows left out."""
    known = list(order)
    rows = [(code, counts[code]) for code in known if counts.get(code)]
    rows += sorted((k, v) for k, v in counts.items() if k not in known and v)
    return rows


def same_period_last_year(start: dt.date, end: dt.date) -> tuple[dt.date, dt.date]:
    """The period one year earlier (29 February becomes 28 February)."""

    def back(day: dt.date) -> dt.date:
        try:
            return day.replace(year=day.year - 1)
        except ValueError:
            return day.replace(year=day.year - 1, day=28)

    return back(start), back(end)


def previous_period(start: dt.date, end: dt.date) -> tuple[dt.date, dt.date]:
    """The period of the same kind just before: the previous month, quarter, half-year or year
    for calendar periods, else the same number of days immediately before."""
    months = _whole_months(start, end)
    if months:
        first = _add_months(start, -months)
        return first, start - dt.timedelta(days=1)
    length = (end - start).days + 1
    return start - dt.timedelta(days=length), start - dt.timedelta(days=1)


def _whole_months(start: dt.date, end: dt.date) -> int:
    """Number of months when [start, end] is whole calendar months, else 0."""
    if start.day != 1 or (end + dt.timedelta(days=1)).day != 1:
        return 0
    after = end + dt.timedelta(days=1)
    return (after.year - start.year) * 12 + after.month - start.month


def _add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


PERIOD_KINDS: dict[str, int] = {"month": 1, "quarter": 3, "half_year": 6, "year": 12}
"""Calendar period presets of the reports page, in months."""


def last_complete_period(kind: str, today: dt.date) -> tuple[dt.date, dt.date]:
    """The latest whole month, quarter, half-year or year that ended before ``today``."""
    months = PERIOD_KINDS[kind]
    index = today.year * 12 + today.month - 1  # the current month
    start_index = (index // months) * months - months
    start = dt.date(start_index // 12, start_index % 12 + 1, 1)
    return start, _add_months(start, months) - dt.timedelta(days=1)


def shift_period(start: dt.date, end: dt.date, steps: int) -> tuple[dt.date, dt.date]:
    """The period ``steps`` periods later (negative: earlier), keeping calendar periods whole."""
    for _step in range(abs(steps)):
        if steps < 0:
            start, end = previous_period(start, end)
        else:
            months = _whole_months(start, end)
            if months:
                start = end + dt.timedelta(days=1)
                end = _add_months(start, months) - dt.timedelta(days=1)
            else:
                length = (end - start).days + 1
                start, end = start + dt.timedelta(days=length), end + dt.timedelta(days=length)
    return start, end
