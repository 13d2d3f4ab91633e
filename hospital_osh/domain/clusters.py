"""Exposure clusters: several sharps injuries with the same device in one department, close in
time.

One needle-stick is an accident; three with the same kind of device in the same department
within a month point at the device, the procedure, the sharps containers or the staffing there,
and the OSH office should go and look while people still remember. The dashboard raises such a
cluster as an alert.

The parameters are plain constants, not settings, so that every hospital's dashboard and every
roll-up mean the same thing by "cluster":

- ``MIN_INJURIES = 3``: two injuries in a month in a busy department happen by chance; three is
  the smallest count at which a pattern is worth a visit (the rule of thumb in the issue that
  asked for the alert, issue 9). Lower values drown the dashboard in alerts in a large hospital.
- ``WINDOW_DAYS = 30``: about a month, the rhythm of the OSH committee's review and short
  enough that the injuries share a cause (the same batch of devices, the same rota). Injuries
  count as "within 30 days" when the first and the last fall on dates at most 30 days apart:
  1 March and 31 March are within; 1 March and 1 April are not.
- ``ALERT_DAYS = WINDOW_DAYS``: a cluster stays on the dashboard until 30 days have passed
  since its latest injury without another one joining it.

Only sharps injuries with a known device type count: "unknown" is not a device, and a splash has
none.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

MIN_INJURIES = 3
WINDOW_DAYS = 30
ALERT_DAYS = WINDOW_DAYS
NOT_A_DEVICE = frozenset({"unknown", ""})
"""Device codes that say nothing about the device, so they never form a cluster."""


@dataclass(frozen=True)
class Injury:
    """One sharps injury as the rule sees it: where, with what, on which local date."""

    department_id: int
    device_type: str
    day: dt.date


@dataclass(frozen=True)
class Cluster:
    """Injuries of one device type in one department, each within ``WINDOW_DAYS`` of at least
    ``MIN_INJURIES - 1`` others of the run; ``first`` and ``last`` are their dates."""

    department_id: int
    device_type: str
    first: dt.date
    last: dt.date
    count: int


def _qualifying(days: list[dt.date], min_injuries: int, window_days: int) -> list[bool]:
    """For sorted ``days``: whether each lies in some window of at most ``window_days`` days
    (first to last) that holds at least ``min_injuries`` injuries."""
    marked = [False] * len(days)
    start = 0
    for end in range(len(days)):
        while (days[end] - days[start]).days > window_days:
            start += 1
        if end - start + 1 >= min_injuries:
            for index in range(start, end + 1):
                marked[index] = True
    return marked


def find_clusters(
    injuries: Iterable[Injury],
    *,
    min_injuries: int = MIN_INJURIES,
    window_days: int = WINDOW_DAYS,
) -> list[Cluster]:
    """Every cluster among ``injuries``, most recent first.

    Injuries of a department and device that belong to a qualifying window are joined into
    one cluster as long as each follows the previous one within ``window_days`` days, so a
    long run of injuries is one cluster (with its count), not one alert per window."""
    groups: dict[tuple[int, str], list[dt.date]] = {}
    for injury in injuries:
        if injury.device_type in NOT_A_DEVICE:
            continue
        groups.setdefault((injury.department_id, injury.device_type), []).append(injury.day)
    clusters: list[Cluster] = []
    for (department_id, device_type), days in groups.items():
        days.sort()
        run: list[dt.date] = []
        for day, marked in zip(days, _qualifying(days, min_injuries, window_days), strict=True):
            if not marked:
                continue
            if run and (day - run[-1]).days > window_days:
                clusters.append(Cluster(department_id, device_type, run[0], run[-1], len(run)))
                run = []
            run.append(day)
        if run:
            clusters.append(Cluster(department_id, device_type, run[0], run[-1], len(run)))
    clusters.sort(key=lambda c: (c.last, c.count, c.department_id, c.device_type), reverse=True)
    return clusters


def active_clusters(
    injuries: Iterable[Injury], today: dt.date, *, alert_days: int = ALERT_DAYS
) -> list[Cluster]:
    """The clusters whose latest injury is at most ``alert_days`` days before ``today``: those
    the dashboard shows. Give the injuries from ``lookback_start(today)`` on: every window
    that makes such a cluster lies within that span (an older start only shortens the count
    and the first date shown)."""
    return [c for c in find_clusters(injuries) if (today - c.last).days <= alert_days]


def lookback_start(today: dt.date, *, alert_days: int = ALERT_DAYS) -> dt.date:
    """The earliest date of an injury that can belong to an active cluster on ``today``."""
    return today - dt.timedelta(days=alert_days + WINDOW_DAYS)
