"""Saving an exposure, as a child process of ``bench/run.py``:
``services.exposures.record_exposure`` in its own write transaction (validation, reference
number, insert, audit event, commit), timed against the floor: the same statements sent
directly through the driver in one transaction.

    python -m bench.save DATABASE_URL [--repeat N]

Writes into the database it is given: ``bench/run.py`` hands it a copy of the cached SQLite file
(or the throw-away PostgreSQL database). With the post-exposure services present, the save is
followed by ``post_exposure.assess_exposure`` (the protocol's proposal and the follow-up
schedule) in a second transaction, and the figure is the two together.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import resource
import statistics
import sys
import time
from typing import Any


def _info(session: Any, number: int) -> Any:
    """A complete needle-stick record for an existing nurse, different for every save."""
    from sqlalchemy import select

    from hospital_osh.models import Department, Worker
    from hospital_osh.services.exposures import ExposureInfo

    worker_id = session.scalar(
        select(Worker.id).where(Worker.job_category == "nurse").order_by(Worker.id).limit(1)
    )
    department_id = session.scalar(select(Department.id).where(Department.code == "SUR"))
    occurred = dt.datetime.now().replace(microsecond=0) - dt.timedelta(hours=3, minutes=number)
    return ExposureInfo(
        worker_id=worker_id,
        occurred_at=occurred,
        reported_at=occurred + dt.timedelta(hours=1),
        department_id=department_id,
        location_type="patient_room",
        exposure_type="percutaneous",
        device_type="syringe_needle",
        purpose="injection_im_sc",
        circumstance="after_use_before_disposal",
        depth="moderate",
        gloves="single",
        device_contaminated="yes",
        body_site="finger",
        source_identified="yes",
        description="Recapping after an intramuscular injection.",
    )


def _schedule() -> Any:
    """The post-exposure assessment that writes the follow-up schedule, if it exists yet."""
    try:
        from hospital_osh.services.post_exposure import assess_exposure
    except ImportError:
        return None
    return assess_exposure


def measure_save(url: str, repeat: int) -> dict[str, Any]:
    from sqlalchemy import event

    from bench.lists import admin_actor
    from hospital_osh.services.database import open_database
    from hospital_osh.services.exposures import record_exposure

    assess = _schedule()

    database = open_database(url)
    try:
        actor = admin_actor(database)
        captured: list[tuple[str, Any, bool]] = []
        recording = [False]

        def record(
            conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, many: bool
        ) -> None:
            if recording[0] and not statement.lstrip().upper().startswith("BEGIN"):
                captured.append((statement, parameters, many))

        event.listen(database.engine, "before_cursor_execute", record)
        # A first save, rolled back, warms the caches and records the statements (its
        # reference number and UUID stay free for the floor to insert again).
        with database.session() as session:
            info = _info(session, 0)
        with database.session() as session:
            if database.is_sqlite:
                session.connection(execution_options={"immediate": True})
            recording[0] = True
            saved = record_exposure(session, actor, info)
            if assess is not None:
                assert saved.exposure.id is not None
                assess(session, actor, saved.exposure.id)
            recording[0] = False
            session.rollback()
        # PostgreSQL hands out new sequence ids on a replay while the recorded statements name
        # the old ones, so the statements cannot be replayed there; the save's target is
        # absolute anyway.
        floor = _floor(database, captured, repeat) if database.is_sqlite else None
        app: list[float] = []
        for number in range(1, repeat + 1):
            with database.session() as session:
                info = _info(session, number)
            start = time.perf_counter()
            with database.transaction() as session:
                saved = record_exposure(session, actor, info)
            if assess is not None:  # its own transaction, as the exposures page does it
                assert saved.exposure.id is not None
                with database.transaction() as session:
                    assess(session, actor, saved.exposure.id)
            app.append(time.perf_counter() - start)
    finally:
        database.dispose()
    return {
        "app_s": statistics.median(app),
        "floor_s": statistics.median(floor) if floor else None,
        "runs": repeat,
        "statements": len(captured),
        "schedule": assess is not None,
        "max_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def _floor(database: Any, captured: list[tuple[str, Any, bool]], repeat: int) -> list[float]:
    """The same statements in one transaction, rolled back (a commit would repeat unique
    reference numbers); the commit's cost is added by timing an empty committed write."""
    raw = database.engine.raw_connection()
    times = []
    try:
        cursor = raw.cursor()
        sqlite = database.is_sqlite
        for _ in range(repeat):
            start = time.perf_counter()
            if sqlite:
                cursor.execute("BEGIN IMMEDIATE")
            for statement, parameters, many in captured:
                if many:  # the schedule's rows, sent as one multi-row insert
                    cursor.executemany(statement, parameters)
                    continue
                cursor.execute(statement, parameters)
                if cursor.description is not None:
                    cursor.fetchall()
            if sqlite:
                cursor.execute("ROLLBACK")
            else:
                raw.rollback()
            times.append(time.perf_counter() - start)
        commit = []
        for _ in range(repeat):  # what a durable commit costs (synchronous=FULL on SQLite)
            start = time.perf_counter()
            if sqlite:
                cursor.execute("BEGIN IMMEDIATE")
                cursor.execute("UPDATE hospital SET version = version WHERE id = 1")
                cursor.execute("COMMIT")
            else:
                cursor.execute("UPDATE hospital SET version = version WHERE id = 1")
                raw.commit()
            commit.append(time.perf_counter() - start)
        cursor.close()
    finally:
        raw.close()
    extra = statistics.median(commit)
    return [t + extra for t in times]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Measure saving an exposure (bench child).")
    parser.add_argument("url")
    parser.add_argument("--repeat", type=int, default=15)
    options = parser.parse_args(argv)
    print(json.dumps(measure_save(options.url, options.repeat)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
