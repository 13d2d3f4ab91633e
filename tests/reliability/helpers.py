"""Shared by the reliability tests: child processes, and the checks every test ends with."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from hospital_osh.services import audit
from hospital_osh.services.database import (
    Database,
    connect_raw,
    resolve_url,
    sqlite_file_problem,
)

ROOT = Path(__file__).resolve().parents[2]


def child_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    env["HOSPITAL_OSH_LANG"] = "en"
    env.pop("QT_QPA_PLATFORM", None)
    return env


def start_child(module: str, *args: object) -> subprocess.Popen[str]:
    """``python -m module args`` from the project root, its lines readable as they come."""
    return subprocess.Popen(
        [sys.executable, "-m", module, *map(str, args)],
        cwd=ROOT,
        env=child_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


@dataclass(frozen=True)
class Killed:
    lines: list[str]  # what the child printed (each line after a commit)
    finished: bool  # it ended on its own before the kill
    stderr: str


def run_and_kill(delay: float, *args: object) -> Killed:
    """Run the crash child, wait until it says ``ready``, let it work ``delay`` seconds, then
    SIGKILL it (no clean-up, no atexit, no finally: what a power cut leaves, less the disk)."""
    child = start_child("tests.reliability.crash_child", *args)
    assert child.stdout is not None and child.stderr is not None
    first = child.stdout.readline().strip()
    if first != "ready":
        child.kill()
        raise AssertionError(f"the child did not start: {first!r} {child.stderr.read()}")
    finished = True
    try:
        child.wait(timeout=delay)
    except subprocess.TimeoutExpired:
        finished = False
        child.kill()  # SIGKILL on POSIX
        child.wait()
    lines = [line.strip() for line in child.stdout.read().splitlines() if line.strip()]
    stderr = child.stderr.read()
    child.stdout.close()
    child.stderr.close()
    if finished and child.returncode not in (0, -9):
        raise AssertionError(f"the child failed ({child.returncode}): {stderr}")
    return Killed(lines, finished, stderr)


def assert_healthy(path: Path) -> None:
    """The file passes SQLite's full integrity check and its audit chain verifies."""
    assert sqlite_file_problem(path, full=True) is None
    database = Database(resolve_url(path))
    try:
        with database.session() as session:
            report = audit.verify_chain(session)
        assert report.ok, report.message()
    finally:
        database.dispose()


def query(path: Path, sql: str, *params: object) -> list[tuple[object, ...]]:
    """Rows as a fresh reader of ``path`` sees them (WAL included)."""
    connection = connect_raw(path, timeout=30)
    try:
        return connection.execute(sql, params).fetchall()
    finally:
        connection.close()
