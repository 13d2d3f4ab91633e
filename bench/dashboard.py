"""The dashboard, as a child process of ``bench/run.py``: ``services.dashboard.build_dashboard``
for this month, quarter and year (every figure, chart and alert the page shows, each time in a
fresh session), and the immunity coverage tile (``immunity_figure``: one query over the stored
status spells, today and at the end of the previous period) first cold, in a new process before
anything else has read the database, then warm.

    python -m bench.dashboard DATABASE_URL [--repeat N]

Prints one JSON line: per period the median and 90th percentile wall time, the median CPU time
of the process (which a busy machine does not inflate), and the coverage figures.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import sys
import time
from typing import Any


def _timed(function: Any, repeat: int) -> tuple[list[float], list[float]]:
    function()  # warm-up: the file cache and SQLAlchemy's statement cache
    walls, cpus = [], []
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        function()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return walls, cpus


def _p90(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.9 * (len(ordered) - 1)))]


def measure_dashboard(url: str, repeat: int) -> dict[str, Any]:
    from bench.lists import admin_actor
    from hospital_osh.services import dashboard
    from hospital_osh.services.database import Database, resolve_url

    database = Database(resolve_url(url))
    actor = admin_actor(database)
    result: dict[str, Any] = {"periods": {}}
    with database.session() as session:  # cold: before the dashboard has read anything
        start = time.perf_counter()
        figure = dashboard.immunity_figure(session, actor)
        result["coverage_cold_s"] = time.perf_counter() - start
    with database.session() as session:
        start = time.perf_counter()
        dashboard.immunity_figure(session, actor)
        result["coverage_cached_s"] = time.perf_counter() - start  # warm (nothing is cached)
    result["staff"] = figure.of
    result["coverage"] = [figure.value, figure.previous]
    for kind in dashboard.PERIOD_KINDS:

        def build(kind: str = kind) -> None:
            with database.session() as session:
                dashboard.build_dashboard(session, actor, kind)

        walls, cpus = _timed(build, repeat)
        result["periods"][kind] = {
            "median_s": statistics.median(walls),
            "p90_s": _p90(walls),
            "cpu_s": statistics.median(cpus),
            "runs": len(walls),
        }
    database.dispose()
    result["max_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Measure the dashboard (bench child).")
    parser.add_argument("url")
    parser.add_argument("--repeat", type=int, default=10)
    options = parser.parse_args(argv)
    print(json.dumps(measure_dashboard(options.url, options.repeat)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
