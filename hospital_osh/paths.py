"""Where things live: shipped resources and the user's data folder.

Resources sit in ``hospital_osh/resources`` inside an installed wheel and in the repository's
``resources/`` folder in a source checkout or an editable install.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

APP_NAME = "hospital_osh"


@cache
def resources_dir() -> Path:
    """Return the folder holding translations, fonts, icons and data files."""
    package = Path(__file__).resolve().parent
    for candidate in (package / "resources", package.parent / "resources"):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError("hospital_osh resources folder not found")


def resource(*parts: str) -> Path:
    return resources_dir().joinpath(*parts)


def user_data_dir() -> Path:
    """The per-user folder for the default database and its backups (created on demand)."""
    from platformdirs import user_data_path

    path = user_data_path(APP_NAME, appauthor=False)
    path.mkdir(parents=True, exist_ok=True)
    return path


def default_database_path() -> Path:
    return user_data_dir() / "hospital_osh.sqlite"


def demo_database_path() -> Path:
    return user_data_dir() / "demo.sqlite"
