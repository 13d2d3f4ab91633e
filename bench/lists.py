"""List measurements: each list's first page, a filter change, a sort change and scrolling to the
end, timed through the services (what the Qt table models call) and against the floor, the very
same SQL run directly through the database driver.

The floor is exact, not a rewrite: a listener on the engine records every statement and its
parameters while the service runs; the floor then executes those statements on a raw DB-API
connection and fetches every row. ``app / floor`` is therefore what the application adds on top
of the database: building the query, the session, row processing and the DTOs.

Run as a child process by ``bench/run.py`` (one process per list, so the peak memory figure is
the list's own)::

    python -m bench.lists DATABASE_URL LIST [--repeat N]

and prints one JSON object. ``tests/integration/test_bench_smoke.py`` calls ``measure_list``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import json
import resource
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from typing import Any

PAGE_SIZE = 200  # what the staff table model asks for per fetch
ADMIN_USERNAME = "admin"
SCROLL_REPEAT = 3  # scrolling to the end reads every page; fewer runs suffice
SLOW_SCROLL_S = 10.0  # a scroll slower than this is timed once and its memory not traced


@dataclass(frozen=True)
class Operation:
    """One user action on a list: which filters and sort, and whether the page asks for the
    total (a filter change updates the count label; a sort change does not)."""

    name: str
    filters: Any
    sort: str
    descending: bool
    count: bool = True
    scroll: bool = False


@dataclass(frozen=True)
class ListSpec:
    """A list of the application: its page and count services and the operations measured."""

    name: str
    page: Callable[..., list[Any]]
    count: Callable[..., int]
    operations: Callable[[Any], list[Operation]]  # given a session: realistic filter values
    rows: Callable[[Any], int]  # rows in the table, to say when a list has no data yet


@dataclass
class OperationResult:
    name: str
    app_s: float
    floor_s: float
    runs: int
    rows: int
    statements: int
    plans: list[str] = field(default_factory=list)
    peak_python_mb: float | None = None

    @property
    def ratio(self) -> float:
        return self.app_s / self.floor_s if self.floor_s > 0 else float("inf")


@dataclass
class ListResult:
    name: str
    status: str  # "measured", "not yet built: ...", "no data: ..."
    table_rows: int = 0
    operations: list[OperationResult] = field(default_factory=list)
    max_rss_mb: float | None = None


# -- the lists ------------------------------------------------------------------------------------


def _largest(session: Any, column: Any) -> Any:
    """The most frequent value of ``column``: a realistic, not-too-selective filter value."""
    from sqlalchemy import func, select

    return session.execute(
        select(column).group_by(column).order_by(func.count().desc(), column).limit(1)
    ).scalar()


def _staff() -> ListSpec:
    from sqlalchemy import func, select

    from hospital_osh.models import Worker
    from hospital_osh.services import workers

    def operations(session: Any) -> list[Operation]:
        department = _largest(session, Worker.department_id)
        base = workers.WorkerFilter()
        return [
            Operation("first page", base, "staff_no", False),
            Operation(
                "filter: department",
                workers.WorkerFilter(department_id=department),
                "staff_no",
                False,
            ),
            Operation("filter: search '王'", workers.WorkerFilter(search="王"), "staff_no", False),
            Operation("sort: hire date, newest first", base, "hire_date", True, count=False),
            Operation("sort: department", base, "department", False, count=False),
            Operation("scroll to end", base, "staff_no", False, count=False, scroll=True),
        ]

    return ListSpec(
        "staff",
        lambda s, a, f, sort, desc, offset, limit: workers.list_workers(
            s, a, f, sort=sort, descending=desc, offset=offset, limit=limit
        ),
        workers.count_workers,
        operations,
        lambda s: s.scalar(select(func.count()).select_from(Worker)) or 0,
    )


def _exposures() -> ListSpec:
    from sqlalchemy import func, select

    from hospital_osh.models import Exposure
    from hospital_osh.services import exposures

    def operations(session: Any) -> list[Operation]:
        department = _largest(session, Exposure.department_id)
        newest = session.scalar(select(func.max(Exposure.occurred_at)))
        year = (newest or dt.datetime.now()).year
        base = exposures.ExposureFilter()
        return [
            Operation("first page", base, "occurred_at", True),
            Operation(
                "filter: department",
                exposures.ExposureFilter(department_id=department),
                "occurred_at",
                True,
            ),
            Operation(
                "filter: this year, percutaneous, open",
                exposures.ExposureFilter(
                    start=dt.date(year, 1, 1),
                    end=dt.date(year, 12, 31),
                    exposure_type="percutaneous",
                    incomplete=True,
                ),
                "occurred_at",
                True,
            ),
            Operation("sort: department", base, "department", False, count=False),
            Operation("sort: department, descending", base, "department", True, count=False),
            Operation("sort: hours to report, longest first", base, "hours_to_report", True, False),
            Operation("scroll to end", base, "occurred_at", True, count=False, scroll=True),
        ]

    return ListSpec(
        "exposures",
        exposures.list_exposures,
        exposures.count_exposures,
        operations,
        lambda s: s.scalar(select(func.count()).select_from(Exposure)) or 0,
    )


def _hazards() -> ListSpec:
    from sqlalchemy import func, select

    from hospital_osh.models import Hazard
    from hospital_osh.services import hazards

    def operations(session: Any) -> list[Operation]:
        department = _largest(session, Hazard.department_id)
        base = hazards.HazardFilter()
        return [
            Operation("first page", base, "level", True),
            Operation(
                "filter: department",
                hazards.HazardFilter(department_id=department),
                "level",
                True,
            ),
            Operation(
                "filter: review overdue", hazards.HazardFilter(review="overdue"), "level", True
            ),
            Operation("sort: next review", base, "next_review", False, count=False),
            Operation("scroll to end", base, "level", True, count=False, scroll=True),
        ]

    return ListSpec(
        "hazards",
        lambda s, a, f, sort, desc, offset, limit: hazards.list_hazards(
            s, a, f, sort=sort, descending=desc, offset=offset, limit=limit
        ),
        hazards.count_hazards,
        operations,
        lambda s: s.scalar(select(func.count()).select_from(Hazard)) or 0,
    )


def _actions() -> ListSpec:
    from sqlalchemy import func, select

    from hospital_osh.models import ActionItem
    from hospital_osh.services import actions

    def operations(session: Any) -> list[Operation]:
        department = _largest(session, ActionItem.department_id)
        base = actions.ActionFilter()
        return [
            Operation("first page", base, "due_date", False),
            Operation(
                "filter: department, open",
                actions.ActionFilter(department_id=department, open_only=True),
                "due_date",
                False,
            ),
            Operation("filter: overdue", actions.ActionFilter(overdue=True), "due_date", False),
            # Undated items last in both directions: two index range reads (migration 0008).
            Operation("sort: due date, latest first", base, "due_date", True, count=False),
            Operation("sort: last update", base, "updated_at", True, count=False),
            Operation("scroll to end", base, "due_date", False, count=False, scroll=True),
        ]

    return ListSpec(
        "action items",
        actions.list_actions,
        actions.count_actions,
        operations,
        lambda s: s.scalar(select(func.count()).select_from(ActionItem)) or 0,
    )


def _follow_ups() -> ListSpec:
    from sqlalchemy import func, select

    from hospital_osh.models.post_exposure import FollowUp
    from hospital_osh.services import followups

    def operations(session: Any) -> list[Operation]:
        base = followups.FollowupFilter()
        return [
            Operation("first page", base, "", False),
            Operation("filter: overdue", followups.FollowupFilter(scope="overdue"), "", False),
            Operation(
                "filter: due this week", followups.FollowupFilter(scope="due_week"), "", False
            ),
            # The list has one order (most urgent first): there is no sort change to measure.
            Operation("scroll to end", base, "", False, count=False, scroll=True),
        ]

    return ListSpec(
        "follow-ups",
        lambda s, a, f, sort, desc, offset, limit: followups.list_followups(
            s, a, f, offset=offset, limit=limit
        ),
        followups.count_followups,
        operations,
        lambda s: s.scalar(select(func.count()).select_from(FollowUp)) or 0,
    )


LISTS: dict[str, Callable[[], ListSpec]] = {
    "staff": _staff,
    "exposures": _exposures,
    "follow-ups": _follow_ups,
    "hazards": _hazards,
    "action items": _actions,
}


# -- measuring ------------------------------------------------------------------------------------


class _Recorder:
    """Records the statements an engine sends while ``recording`` is on."""

    def __init__(self, engine: Any):
        from sqlalchemy import event

        self.statements: list[tuple[str, Any]] = []
        self.recording = False
        event.listen(engine, "before_cursor_execute", self._record)

    def _record(self, conn: Any, cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        if self.recording and statement.lstrip().upper().startswith(("SELECT", "WITH")):
            self.statements.append((statement, parameters))

    @contextmanager
    def capture(self) -> Iterator[list[tuple[str, Any]]]:
        self.statements = []
        self.recording = True
        try:
            yield self.statements
        finally:
            self.recording = False


def _run_app(database: Any, spec: ListSpec, actor: Any, op: Operation) -> int:
    """What the table model does: one session per page; the total when the page shows it."""
    rows = 0
    offset = 0
    while True:
        with database.session() as session:
            page = spec.page(session, actor, op.filters, op.sort, op.descending, offset, PAGE_SIZE)
            if op.count and offset == 0:
                spec.count(session, actor, op.filters)
        rows += len(page)
        offset += len(page)
        if not op.scroll or len(page) < PAGE_SIZE:
            return rows


def _run_floor(raw: Any, statements: list[tuple[str, Any]]) -> None:
    cursor = raw.cursor()
    try:
        for statement, parameters in statements:
            cursor.execute(statement, parameters)
            cursor.fetchall()
    finally:
        cursor.close()
    if not getattr(raw, "autocommit", True):
        raw.rollback()  # psycopg opens a transaction per read; end it as the session would


def explain(raw: Any, dialect: str, statement: str, parameters: Any) -> str:
    """The database's plan: EXPLAIN QUERY PLAN (SQLite), EXPLAIN ANALYZE (PostgreSQL)."""
    cursor = raw.cursor()
    try:
        if dialect == "sqlite":
            cursor.execute("EXPLAIN QUERY PLAN " + statement, parameters)
            rows = cursor.fetchall()
            depth: dict[int, int] = {0: 0}
            lines = []
            for node, parent, _unused, detail in rows:
                depth[node] = depth.get(parent, 0) + 1
                lines.append("  " * (depth[node] - 1) + detail)
            return "\n".join(lines)
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) " + statement, parameters)
        return "\n".join(row[0] for row in cursor.fetchall())
    finally:
        cursor.close()
        if not getattr(raw, "autocommit", True):
            raw.rollback()


def _short_sql(statement: str) -> str:
    return " ".join(statement.split())


def measure_operation(
    database: Any,
    spec: ListSpec,
    actor: Any,
    op: Operation,
    recorder: _Recorder,
    raw: Any,
    repeat: int,
) -> OperationResult:
    """Median of ``repeat`` interleaved runs of the service and of its SQL, after a warm-up."""
    start = time.perf_counter()
    with recorder.capture() as statements:
        rows = _run_app(database, spec, actor, op)
    warm_up = time.perf_counter() - start
    captured = list(statements)
    slow = op.scroll and warm_up > SLOW_SCROLL_S
    app, floor = [], []
    if slow:  # quadratic paging: one more run of each would take minutes and say nothing new
        app.append(warm_up)
        start = time.perf_counter()
        _run_floor(raw, captured)
        floor.append(time.perf_counter() - start)
    else:
        _run_floor(raw, captured)  # warm the floor's statement cache like the app's
    runs = 1 if slow else max(1, SCROLL_REPEAT if op.scroll else repeat)
    gc.collect()
    for _ in range(0 if slow else runs):
        start = time.perf_counter()
        _run_app(database, spec, actor, op)
        app.append(time.perf_counter() - start)
        start = time.perf_counter()
        _run_floor(raw, captured)
        floor.append(time.perf_counter() - start)
    dialect = database.engine.dialect.name
    # The plans of the distinct statements (for a scroll: its first and its last page).
    chosen = captured if not op.scroll else captured[:1] + captured[-1:]
    plans = []
    for statement, parameters in chosen:
        plan = explain(raw, dialect, statement, parameters)
        plans.append(f"{_short_sql(statement)[:160]}…\n{plan}")
    result = OperationResult(
        name=op.name,
        app_s=statistics.median(app),
        floor_s=statistics.median(floor),
        runs=runs,
        rows=rows,
        statements=len(captured),
        plans=plans,
    )
    if op.scroll and not slow:  # what holding every row costs (the model after a scroll)
        tracemalloc.start()
        _kept = _collect_all(database, spec, actor, op)
        result.peak_python_mb = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
        del _kept
    return result


def _collect_all(database: Any, spec: ListSpec, actor: Any, op: Operation) -> list[Any]:
    kept: list[Any] = []
    while True:
        with database.session() as session:
            page = spec.page(
                session, actor, op.filters, op.sort, op.descending, len(kept), PAGE_SIZE
            )
        kept.extend(page)
        if len(page) < PAGE_SIZE:
            return kept


def admin_actor(database: Any) -> Any:
    """The demo administrator, as the login would give it (no password hashing needed here)."""
    from hospital_osh.services import users
    from hospital_osh.services.context import Actor

    with database.session() as session:
        user = users.get_user(session, ADMIN_USERNAME)
    return Actor(username=user.username, role=user.role, display_name=user.display_name)


def measure_list(url: str, name: str, repeat: int, *, scroll: bool = True) -> ListResult:
    """Every operation of the list ``name`` on the database ``url`` (``scroll`` False leaves
    out scrolling to the end, which reads every row: the XL size checks that lists open)."""
    try:
        spec = LISTS[name]()
    except ImportError as error:
        return ListResult(name, f"not yet built ({error})")
    from hospital_osh.services.database import open_database

    database = open_database(url)
    try:
        with database.session() as session:
            table_rows = spec.rows(session)
            if table_rows == 0:
                return ListResult(name, "no data: the demo does not generate these rows yet")
            operations = [op for op in spec.operations(session) if scroll or not op.scroll]
        actor = admin_actor(database)
        recorder = _Recorder(database.engine)
        raw = database.engine.raw_connection()
        try:
            results = [
                measure_operation(database, spec, actor, op, recorder, raw, repeat)
                for op in operations
            ]
        finally:
            raw.close()
    finally:
        database.dispose()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return ListResult(name, "measured", table_rows, results, peak)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Measure one list (a child of bench/run.py).")
    parser.add_argument("url")
    parser.add_argument("list", choices=sorted(LISTS))
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--no-scroll", action="store_true", help="leave out scrolling to the end")
    options = parser.parse_args(argv)
    result = measure_list(options.url, options.list, options.repeat, scroll=not options.no_scroll)
    payload = asdict(result)
    for op, data in zip(result.operations, payload["operations"], strict=True):
        data["ratio"] = op.ratio
    print(json.dumps(payload, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
