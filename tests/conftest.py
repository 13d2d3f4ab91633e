"""Shared fixtures. Qt runs offscreen; each test gets a fresh, migrated database.

Set HOSPITAL_OSH_TEST_POSTGRES_URL (e.g. postgresql+psycopg://osh@127.0.0.1:5432/osh_test) to
run every database test on PostgreSQL as well as SQLite.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ["HOSPITAL_OSH_LANG"] = "en"

import pytest
from sqlalchemy import text
from sqlalchemy.engine import URL

from hospital_osh import i18n
from hospital_osh.domain.roles import Role
from hospital_osh.services import audit
from hospital_osh.services.context import Actor
from hospital_osh.services.database import Database, resolve_url


def _worker_database(url: str | None) -> str | None:
    """Under pytest-xdist each worker process gets its own PostgreSQL database (the given one's
    name with the worker's suffix, created when missing): the tests empty and refill their
    database, which two workers must not do to each other."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not url or not worker:
        return url
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url

    base = make_url(url)
    name = f"{base.database}_{worker}"
    engine = create_engine(base, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        exists = connection.scalar(
            text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}
        )
        if not exists:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return base.set(database=name).render_as_string(hide_password=False)


POSTGRES_URL = _worker_database(os.environ.get("HOSPITAL_OSH_TEST_POSTGRES_URL"))
BACKENDS = ["sqlite"] + (["postgres"] if POSTGRES_URL else [])


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if "/tests/ui/" in str(item.fspath).replace("\\", "/"):
            item.add_marker(pytest.mark.gui)


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    i18n.set_language("en")
    yield
    i18n.set_language("en")


@pytest.fixture(scope="session", autouse=True)
def _key_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Database keys go to a temporary folder (inherited by child processes): the suite runs on
    encrypted databases and never touches the real key store."""
    from hospital_osh.services import keys

    folder = tmp_path_factory.mktemp("keys")
    previous = os.environ.get(keys.KEY_DIR_ENV)
    os.environ[keys.KEY_DIR_ENV] = str(folder)
    yield folder
    if previous is None:
        os.environ.pop(keys.KEY_DIR_ENV, None)
    else:
        os.environ[keys.KEY_DIR_ENV] = previous


@pytest.fixture(scope="session")
def _sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One migrated SQLite file, copied for each test (migrating each time would be slow)."""
    path = tmp_path_factory.mktemp("template") / "template.sqlite"
    database = Database(resolve_url(path))
    database.upgrade()
    with database.engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    database.dispose()
    return path


def reset_postgres(url: str) -> None:
    """Drop every table so that the next test starts from an empty database."""
    database = Database(resolve_url(url))
    with database.engine.begin() as connection:
        connection.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    database.dispose()


@contextmanager
def postgres_schema(url: str) -> Iterator[URL]:
    """The test server's URL with a fresh, empty schema first on the search path (dropped
    afterwards): a database of its own that the ``database`` fixture's emptying never touches."""
    base = resolve_url(url)
    schema = f"osh_test_{uuid.uuid4().hex[:12]}"
    admin = Database(base)
    with admin.engine.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield base.update_query_dict({"options": f"-csearch_path={schema}"})
    finally:
        with admin.engine.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


_pg_migrated = False


def _postgres_database() -> Database:
    """Migrate once per session, then empty the tables for each test."""
    global _pg_migrated
    assert POSTGRES_URL
    if not _pg_migrated:
        reset_postgres(POSTGRES_URL)
        database = Database(resolve_url(POSTGRES_URL))
        database.upgrade()
        _pg_migrated = True
    else:
        database = Database(resolve_url(POSTGRES_URL))
        with database.engine.begin() as connection:
            tables = (
                connection.execute(
                    text(
                        "SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
                        "AND tablename <> 'alembic_version'"
                    )
                )
                .scalars()
                .all()
            )
            if tables:
                connection.execute(
                    text(
                        "TRUNCATE "
                        + ", ".join(f'"{t}"' for t in tables)
                        + " RESTART IDENTITY CASCADE"
                    )
                )
    return database


@pytest.fixture(params=BACKENDS)
def database(
    request: pytest.FixtureRequest, tmp_path: Path, _sqlite_template: Path
) -> Iterator[Database]:
    """A migrated, empty database; after the test the audit chain must still verify."""
    if request.param == "sqlite":
        path = tmp_path / "osh.sqlite"
        shutil.copyfile(_sqlite_template, path)
        db = Database(resolve_url(path))
    else:
        db = _postgres_database()
    yield db
    with db.session() as session:
        report = audit.verify_chain(session)
    db.dispose()
    assert report.ok, report.message()


@pytest.fixture
def sqlite_path(tmp_path: Path, _sqlite_template: Path) -> Path:
    """A migrated SQLite file (for command-line and file-level tests)."""
    path = tmp_path / "osh.sqlite"
    shutil.copyfile(_sqlite_template, path)
    return path


ADMIN = Actor(username="admin", role=Role.ADMIN, user_id=1, display_name="Admin")


def actor(role: str, username: str | None = None) -> Actor:
    return Actor(username=username or role, role=role, display_name=role)


@pytest.fixture
def admin() -> Actor:
    return ADMIN


@pytest.fixture
def new_machine(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[], Path]]:
    """Call it to move to another computer: an empty key folder, nothing remembered."""
    from hospital_osh.services import keys

    folder = tmp_path / "other-pc-keys"

    def move() -> Path:
        monkeypatch.setenv(keys.KEY_DIR_ENV, str(folder))
        keys.forget_cached_keys()
        return folder

    yield move
    keys.forget_cached_keys()
