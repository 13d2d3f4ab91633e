"""Performance figures for hospital_osh, one command:

    python bench/run.py [--sizes S] [--out bench/results.json] [--repeat N] [--only NAME]

Run it with the project's virtualenv Python: every measurement starts fresh processes with that
interpreter (``sys.executable``), as a user's double-click or a script would. Prints a table and
writes JSON with the date, the machine and the git commit, so figures can be compared over time
(bench/RESULTS.md keeps the ones worth remembering).

To add a measurement, write a function ``(Bench) -> list[Result]`` and decorate it with
``@measurement``; it then runs in registration order and can be picked with ``--only``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VERSION_TARGET_S = 0.5  # `hospital-osh --version` must feel instant; scripts call it to probe


@dataclass
class Result:
    """One figure. Times are seconds; ``median_s`` None means not measured (see ``note``)."""

    name: str
    median_s: float | None
    p90_s: float | None = None
    runs: int = 0
    target_s: float | None = None
    note: str = ""

    @property
    def status(self) -> str:
        if self.median_s is None:
            return "n/a"
        if self.target_s is None:
            return ""
        return "ok" if self.median_s <= self.target_s else "SLOW"


@dataclass
class Bench:
    """What every measurement may use: the interpreter, a scratch folder, the options."""

    python: str
    work: Path
    repeat: int
    sizes: list[int | None]
    _migrated: Path | None = field(default=None, repr=False)

    def env(self) -> dict[str, str]:
        """A neutral environment: English messages, no screen, no user database touched."""
        return {
            **os.environ,
            "HOSPITAL_OSH_LANG": "en",
            "QT_QPA_PLATFORM": "offscreen",
            "HOSPITAL_OSH_DB": str(self.work / "default.sqlite"),
        }

    def command(self) -> list[str]:
        """How users start the program: the venv's ``hospital-osh`` script, else ``-m``."""
        script = Path(self.python).parent / "hospital-osh"
        return [str(script)] if script.exists() else [self.python, "-m", "hospital_osh"]

    def run(self, args: Sequence[str], timeout: float = 600) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            list(args),
            capture_output=True,
            text=True,
            env=self.env(),
            cwd=self.work,
            timeout=timeout,
            check=False,
        )

    def migrated_database(self) -> Path:
        """An SQLite file at the current schema (made once, by the command line)."""
        if self._migrated is None:
            path = self.work / "migrated.sqlite"
            done = self.run([*self.command(), "--db", str(path), "db", "upgrade"])
            if done.returncode != 0:
                raise RuntimeError(f"db upgrade failed: {done.stderr.strip()}")
            self._migrated = path
        return self._migrated


Measurement = Callable[[Bench], list[Result]]
MEASUREMENTS: list[Measurement] = []


def measurement(function: Measurement) -> Measurement:
    """Register ``function``; its name (without ``measure_``) is what ``--only`` matches."""
    MEASUREMENTS.append(function)
    return function


def _name(function: Measurement) -> str:
    return function.__name__.removeprefix("measure_")


def summarise(
    name: str, times: list[float], *, target_s: float | None = None, note: str = ""
) -> Result:
    """Median and 90th percentile of ``times``."""
    p90 = statistics.quantiles(times, n=10, method="inclusive")[8] if len(times) > 1 else None
    return Result(name, statistics.median(times), p90, len(times), target_s, note)


def timed_runs(bench: Bench, args: Sequence[str], runs: int) -> list[float]:
    """Wall time of ``runs`` fresh processes (after one untimed warm-up for the file cache)."""
    bench.run(args)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        done = bench.run(args)
        times.append(time.perf_counter() - start)
        if done.returncode != 0:
            raise RuntimeError(f"{' '.join(args)} failed: {done.stderr.strip()[-300:]}")
    return times


def reported_runs(bench: Bench, code: str, runs: int, *extra: str) -> list[dict[str, float]]:
    """Run ``code`` in fresh interpreters (after one warm-up); each prints, as its last line, a
    JSON object of the durations in seconds it measured itself."""
    bench.run([bench.python, "-c", code, *extra])
    answers = []
    for _ in range(runs):
        done = bench.run([bench.python, "-c", code, *extra])
        if done.returncode != 0:
            raise RuntimeError(done.stderr.strip()[-300:])
        answers.append(json.loads(done.stdout.strip().splitlines()[-1]))
    return answers


# -- measurements ----------------------------------------------------------------------------------


@measurement
def measure_version(bench: Bench) -> list[Result]:
    """Whole-process time of ``hospital-osh --version`` (interpreter start included)."""
    args = [*bench.command(), "--version"]
    baseline = timed_runs(bench, [bench.python, "-c", "pass"], bench.repeat)
    return [
        summarise(
            "hospital-osh --version (process)",
            timed_runs(bench, args, bench.repeat),
            target_s=VERSION_TARGET_S,
            note=f"via {Path(args[0]).name}",
        ),
        summarise("python -c pass (interpreter alone)", baseline, note="baseline"),
    ]


@measurement
def measure_import_cli(bench: Bench) -> list[Result]:
    """Import time of the command-line module in a fresh interpreter (what every command pays)."""
    code = (
        "import json, time\n"
        "start = time.perf_counter()\n"
        "import hospital_osh.cli\n"
        "print(json.dumps({'import': time.perf_counter() - start}))\n"
    )
    times = [answer["import"] for answer in reported_runs(bench, code, bench.repeat)]
    return [summarise("import hospital_osh.cli (cold)", times)]


@measurement
def measure_open_database(bench: Bench) -> list[Result]:
    """Opening an SQLite database at the current schema: cold (new process, imports included)
    and warm (again in the same process), each with a first query."""
    path = bench.migrated_database()
    code = (
        "import json, sys, time\n"
        "start = time.perf_counter()\n"
        "from sqlalchemy import text\n"
        "from hospital_osh.services.database import open_database\n"
        "def once():\n"
        "    database = open_database(sys.argv[1])\n"
        "    with database.session() as session:\n"
        "        session.execute(text('SELECT count(*) FROM audit_event')).scalar()\n"
        "    database.dispose()\n"
        "once()\n"
        "cold = time.perf_counter() - start\n"
        "start = time.perf_counter()\n"
        "for _ in range(10):\n"
        "    once()\n"
        "print(json.dumps({'cold': cold, 'warm': (time.perf_counter() - start) / 10}))\n"
    )
    answers = reported_runs(bench, code, max(3, bench.repeat // 2), str(path))
    return [
        summarise(
            "open migrated SQLite database (cold)",
            [a["cold"] for a in answers],
            note="new process, imports included",
        ),
        summarise(
            "open migrated SQLite database (warm)",
            [a["warm"] for a in answers],
            note="same process, mean of 10 per run",
        ),
    ]


@measurement
def measure_migrate_new_database(bench: Bench) -> list[Result]:
    """First run on a new machine: create an SQLite file and run every migration."""
    times = []
    for index in range(max(3, bench.repeat // 4)):
        path = bench.work / f"new-{index}.sqlite"
        start = time.perf_counter()
        done = bench.run([*bench.command(), "--db", str(path), "db", "upgrade"])
        times.append(time.perf_counter() - start)
        if done.returncode != 0:
            raise RuntimeError(done.stderr.strip())
    return [summarise("hospital-osh db upgrade (new file)", times)]


@measurement
def measure_demo(bench: Bench) -> list[Result]:
    """``hospital-osh demo`` on a new database, once per size (exposure records)."""
    results = []
    for size in bench.sizes:
        label = "default size" if size is None else f"--records {size}"
        path = bench.work / f"demo-{size or 'default'}.sqlite"
        args = [*bench.command(), "--db", str(path), "demo"]
        if size is not None:
            args += ["--records", str(size)]
        start = time.perf_counter()
        try:
            done = bench.run(args, timeout=1200)
        except subprocess.TimeoutExpired:
            results.append(Result(f"hospital-osh demo ({label})", None, note="timed out"))
            continue
        elapsed = time.perf_counter() - start
        if done.returncode != 0:
            reason = (done.stderr.strip().splitlines() or ["failed"])[-1][:80]
            results.append(Result(f"hospital-osh demo ({label})", None, note=reason))
            continue
        first_line = done.stdout.strip().splitlines()[0] if done.stdout.strip() else ""
        summary = first_line.split(": ", 1)[-1].split(" (")[0][:90]
        results.append(Result(f"hospital-osh demo ({label})", elapsed, None, 1, note=summary))
    return results


# -- running -------------------------------------------------------------------------------------


def git_commit() -> str:
    """The commit measured, with ``+dirty`` when the working tree has changes."""
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return commit + ("+dirty" if dirty else "")


def machine() -> dict[str, object]:
    return {
        "cpu_count": os.cpu_count(),
        "platform": platform.platform(),
        "processor": platform.processor() or platform.machine(),
        "python": platform.python_version(),
    }


def _seconds(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}"


def table(results: list[Result]) -> str:
    rows = [("measurement", "median s", "p90 s", "runs", "target", "note")]
    for r in results:
        target = "" if r.target_s is None else f"< {r.target_s} {r.status}"
        p90 = "" if r.p90_s is None else _seconds(r.p90_s)
        rows.append((r.name, _seconds(r.median_s), p90, str(r.runs), target, r.note))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)) for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(line.rstrip() for line in lines)


def parse_sizes(text: str) -> list[int | None]:
    sizes: list[int | None] = []
    for item in text.split(","):
        item = item.strip()
        sizes.append(None if item in ("", "default") else int(item))
    return sizes


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "--sizes",
        default="default",
        type=parse_sizes,
        help="demo sizes in exposure records, comma-separated ('default' = the demo's own)",
    )
    parser.add_argument("--repeat", type=int, default=20, help="runs per timed figure")
    parser.add_argument(
        "--only",
        action="append",
        choices=[_name(m) for m in MEASUREMENTS],
        help="run only this measurement (repeatable)",
    )
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results.json")
    options = parser.parse_args(argv)

    results: list[Result] = []
    with tempfile.TemporaryDirectory(prefix="osh-bench-") as folder:
        bench = Bench(sys.executable, Path(folder), options.repeat, options.sizes)
        for function in MEASUREMENTS:
            if options.only and _name(function) not in options.only:
                continue
            print(f"measuring {_name(function)}…", file=sys.stderr, flush=True)
            try:
                results.extend(function(bench))
            except (RuntimeError, OSError, subprocess.SubprocessError) as error:
                results.append(Result(_name(function), None, note=f"failed: {error}"[:100]))

    report = {
        "date": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        "commit": git_commit(),
        "machine": machine(),
        "repeat": options.repeat,
        "results": [asdict(r) | {"status": r.status} for r in results],
    }
    options.out.parent.mkdir(parents=True, exist_ok=True)
    options.out.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    print(table(results))
    print(f"\n{report['date']}  commit {report['commit']}  {report['machine']}")
    print(f"written to {options.out}")
    return 1 if any(r.status == "SLOW" for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
