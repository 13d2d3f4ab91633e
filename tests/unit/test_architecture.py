"""The layering rules of ARCHITECTURE.md hold: the import-linter contracts in pyproject.toml are
kept, and the command line answers ``--version`` without loading Qt or SQLAlchemy."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HEAVY = ("PySide6", "shiboken6", "sqlalchemy", "alembic", "reportlab", "babel", "argon2")


def _contract_names() -> list[str]:
    with (ROOT / "pyproject.toml").open("rb") as handle:
        config = tomllib.load(handle)
    return [c["name"] for c in config["tool"]["importlinter"]["contracts"]]


def test_the_layering_contracts_exist() -> None:
    """Guard against the contracts being deleted to make a violation go away."""
    names = _contract_names()
    assert {"Only ui/ imports Qt", "Layers go one way", "The domain is pure Python"} <= set(names)


def _lint_imports(cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run ``lint-imports`` (with the test's Python) on the package found first in ``cwd``."""
    command = "import sys; from importlinter.cli import lint_imports_command as c; sys.exit(c())"
    return subprocess.run(
        [sys.executable, "-c", command, "--no-cache", "--no-logo"],
        cwd=cwd,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(cwd)},
        check=False,
    )


def test_import_linter_contracts_are_kept() -> None:
    result = _lint_imports(ROOT)
    count = len(_contract_names())
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"Contracts: {count} kept, 0 broken." in result.stdout, result.stdout


def test_the_contracts_catch_a_violation(tmp_path: Path) -> None:
    """A copy of the package with a domain module importing Qt and a service breaks all three."""
    shutil.copytree(
        ROOT / "hospital_osh",
        tmp_path / "hospital_osh",
        ignore=shutil.ignore_patterns("__pycache__"),
    )
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    (tmp_path / "hospital_osh" / "domain" / "canary.py").write_text(
        "import PySide6\nimport sqlalchemy\nfrom hospital_osh.services import errors\n"
    )
    result = _lint_imports(tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    for name in ("Only ui/ imports Qt", "Layers go one way", "The domain is pure Python"):
        assert f"{name} BROKEN" in result.stdout, result.stdout
    assert "hospital_osh.domain.canary" in result.stdout


def test_version_loads_no_heavy_module() -> None:
    """``python -m hospital_osh --version`` answers at once: scripts call it to probe the install,
    so it must not load Qt, SQLAlchemy or any other heavy package."""
    probe = (
        "import runpy, sys\n"
        "sys.argv = ['hospital_osh', '--version']\n"
        "try:\n"
        "    runpy.run_module('hospital_osh', run_name='__main__', alter_sys=True)\n"
        "except SystemExit as exit:\n"
        "    code = exit.code\n"
        "loaded = sorted({name.split('.')[0] for name in sys.modules})\n"
        "print('EXIT', code, 'LOADED', ' '.join(loaded), file=sys.stderr)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        check=True,
    )
    assert result.stdout.startswith("hospital-osh "), result.stdout
    status, loaded = result.stderr.split("LOADED")
    assert status.split() == ["EXIT", "0"]
    assert "hospital_osh" in loaded.split()  # the probe saw the package it ran
    assert set(loaded.split()).isdisjoint(HEAVY), sorted(set(loaded.split()) & set(HEAVY))
