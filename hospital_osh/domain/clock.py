"""Instants and hospital-local dates.

Day offsets count from the **local** date of the exposure, not the UTC date (domain/exposures.md
§b conventions): a needle-stick at 01:30 in Shanghai on 1 March is stored as 17:30 UTC on
28 February, and its D0 is 1 March. Every date rule (due, overdue) works on hospital-local dates.

Naive datetimes are read as UTC, the storage convention of the models (``models.base.utcnow``).
Time zones come from the standard library's ``zoneinfo``; on Windows it needs the ``tzdata``
package installed alongside (the domain itself imports nothing outside the standard library).
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

DEFAULT_TIME_ZONE = "Asia/Shanghai"


def as_utc(moment: dt.datetime) -> dt.datetime:
    """An aware UTC datetime; a naive one is taken to be UTC already."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC)


def zone(tz: str | dt.tzinfo) -> dt.tzinfo:
    """A tzinfo from an IANA name (``Asia/Shanghai``) or a tzinfo; unknown names raise."""
    return ZoneInfo(tz) if isinstance(tz, str) else tz


def hospital_date(moment: dt.datetime, tz: str | dt.tzinfo = DEFAULT_TIME_ZONE) -> dt.date:
    """The hospital-local calendar date of an instant (aware, or naive UTC)."""
    return as_utc(moment).astimezone(zone(tz)).date()


def hospital_today(
    tz: str | dt.tzinfo = DEFAULT_TIME_ZONE, now: dt.datetime | None = None
) -> dt.date:
    """Today in the hospital's time zone (``now`` for tests; the system clock otherwise)."""
    return hospital_date(now if now is not None else dt.datetime.now(dt.UTC), tz)


def hours_between(start: dt.datetime, end: dt.datetime) -> float:
    """Hours from ``start`` to ``end`` (negative if ``end`` is earlier), safe across zones."""
    return (as_utc(end) - as_utc(start)).total_seconds() / 3600
