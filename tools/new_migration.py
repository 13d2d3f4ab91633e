"""Write a new Alembic revision by comparing the models with a database migrated to head.

Usage: python tools/new_migration.py "message" REV_ID
The revision lands in hospital_osh/migrations/versions/; read it and tidy it before committing.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from alembic import command

from hospital_osh.services.database import Database, _alembic_config, resolve_url


def main() -> None:
    message, rev_id = sys.argv[1], sys.argv[2]
    with tempfile.TemporaryDirectory() as folder:
        database = Database(resolve_url(Path(folder) / "scratch.sqlite"))
        database.upgrade()
        with database.engine.begin() as connection:
            command.revision(
                _alembic_config(connection), message=message, autogenerate=True, rev_id=rev_id
            )
        database.dispose()


if __name__ == "__main__":
    main()
