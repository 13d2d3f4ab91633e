"""The domain imports the standard library and itself only (ARCHITECTURE.md).

import-linter forbids the big packages by name; this test closes the rest of the door (platformdirs,
tomli, dateutil...) by reading every domain module's imports.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import hospital_osh.domain

DOMAIN = Path(hospital_osh.domain.__file__).parent


def imported_roots(path: Path) -> set[str]:
    roots = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            roots |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            roots.add(node.module.split(".")[0])
    return roots


def test_domain_imports_only_the_standard_library() -> None:
    allowed = set(sys.stdlib_module_names) | {"hospital_osh", "__future__"}
    offenders = {
        path.name: sorted(imported_roots(path) - allowed) for path in sorted(DOMAIN.glob("*.py"))
    }
    assert {name: bad for name, bad in offenders.items() if bad} == {}


def test_domain_does_not_reach_outside_itself() -> None:
    for path in DOMAIN.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("hospital_osh"):
                assert node.module.startswith("hospital_osh.domain"), (path.name, node.module)
