"""One of several processes writing to the same database at once (see test_concurrency).

    python -m tests.reliability.concurrency_child TARGET SECONDS TAG DEPARTMENT_ID SHARED_ID

Until SECONDS have passed it repeats: create a worker; edit the shared worker (read and written
in one write transaction, so no edit may be lost); every third turn, file a quick exposure report
(reference numbers must stay unique across processes); read a page of the staff list. It prints
one JSON line: what it wrote, how many edits of the shared worker it committed, conflicts met,
and every error (an error message such as "database is locked" fails the test).
"""

from __future__ import annotations

import datetime as dt
import json
import sys
import time
from dataclasses import replace

from hospital_osh.services import exposures, workers
from hospital_osh.services.context import SYSTEM
from hospital_osh.services.database import Database, resolve_url
from hospital_osh.services.errors import Conflict


def main(target: str, seconds: float, tag: str, department_id: int, shared_id: int) -> None:
    database = Database(resolve_url(target))
    created: list[str] = []
    references: list[str] = []
    edits = conflicts = reads = 0
    errors: list[str] = []
    deadline = time.monotonic() + seconds
    turn = 0
    print("ready", flush=True)
    while time.monotonic() < deadline:
        turn += 1
        try:
            staff_no = f"{tag}-{turn}"
            with database.transaction() as session:
                workers.create_worker(
                    session, SYSTEM, workers.WorkerInfo(staff_no=staff_no, name=f"{tag} {turn}")
                )
            created.append(staff_no)
            try:
                with database.transaction() as session:
                    shared = workers.get_worker(session, SYSTEM, shared_id)
                    workers.update_worker(session, SYSTEM, replace(shared, name=f"{tag} {turn}"))
                edits += 1
            except Conflict:
                conflicts += 1  # another process committed between our read and our write
            if turn % 3 == 0:
                with database.transaction() as session:
                    receipt = exposures.quick_report(
                        session,
                        SYSTEM,
                        exposures.QuickReport(
                            occurred_at=dt.datetime(2026, 3, 1, 8, 0),
                            exposure_type="percutaneous",
                            department_id=department_id,
                            description=f"{tag} {turn}",
                            source_identified="no",
                            worker_name=f"{tag} {turn}",
                            worker_kind="contractor",
                        ),
                        now=dt.datetime(2026, 3, 1, 9, 0),
                    )
                references.append(receipt.reference)
            with database.session() as session:
                workers.list_workers(session, SYSTEM, limit=50)
                reads += 1
        except Exception as error:  # every failure is reported, and fails the test
            errors.append(f"{type(error).__name__}: {error}")
    database.dispose()
    result = {
        "created": created,
        "references": references,
        "edits": edits,
        "conflicts": conflicts,
        "reads": reads,
        "errors": errors,
    }
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    target, seconds, tag, department, shared = sys.argv[1:]
    main(target, float(seconds), tag, int(department), int(shared))
