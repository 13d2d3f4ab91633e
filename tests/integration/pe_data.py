"""Exposures ready for post-exposure tests (built on exposure_data's hospital and workers)."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from hospital_osh.services import exposures
from hospital_osh.services.context import Actor
from hospital_osh.services.database import Database
from tests.integration.exposure_data import NOW, Place, complete_sharps, setup_hospital

# 10:30 on 9 March 2026 in Shanghai (the hospital's zone) = 02:30 UTC.
OCCURRED = dt.datetime(2026, 3, 9, 10, 30)
ASSESSED = dt.datetime(2026, 3, 9, 4, 0, tzinfo=dt.UTC)


def add_exposure(database: Database, admin: Actor, place: Place, **changes: object) -> int:
    info = complete_sharps(place, **changes)
    with database.transaction() as session:
        saved = exposures.record_exposure(session, admin, info, now=NOW)
    assert saved.exposure.id is not None
    return saved.exposure.id


def hospital(database: Database, admin: Actor) -> Place:
    return setup_hospital(database, admin)


def source(**results: str) -> dict[str, object]:
    """Source results with their dates (the exposure rules want a date beside each result)."""
    values: dict[str, object] = {}
    for name, value in results.items():
        values[name] = value
        values[f"{name}_date"] = dt.date(2026, 3, 8)
    return values


__all__ = ["ASSESSED", "NOW", "OCCURRED", "Place", "add_exposure", "hospital", "replace", "source"]
