"""UI fixtures: a small hospital built through the services, contexts per role, temporary
QSettings, a synchronous task runner and a scripted asker.

The populated database is built once per session (Argon2 hashing is slow on purpose) and copied
for each test. Users carry the demo passwords (``services.demo.DEMO_USERS``) so that ``tour``
can log in to it like to the demo database.
"""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication

from hospital_osh.domain.roles import Role
from hospital_osh.services import hospital, users, workers
from hospital_osh.services.context import Actor
from hospital_osh.services.database import Database, resolve_url
from hospital_osh.services.demo import DEMO_USERS
from hospital_osh.services.hospital import DepartmentInfo, HospitalProfile
from hospital_osh.ui.app import SETTINGS_ENV
from hospital_osh.ui.context import AppContext
from hospital_osh.ui.dialogs.ask import ScriptedAsker
from hospital_osh.ui.language import apply_language
from hospital_osh.ui.main_window import MainWindow
from hospital_osh.ui.style import apply_style
from hospital_osh.ui.tasks import TaskRunner

PASSWORDS = {user.username: user.password for user in DEMO_USERS}
PROFILE = HospitalProfile(
    name_zh="测试市人民医院",
    name_en="Test City People's Hospital",
    facility_code="TEST-0001",
    province="浙江省",
    city="测试市",
    grade="tertiary_a",
)
# username -> (role, display name, language, active)
USERS = {
    "admin": (Role.ADMIN, "Wang Admin", "en", True),
    "officer": (Role.OSH_OFFICER, "Li Officer", "zh_CN", True),
    "viewer": (Role.VIEWER, "Chen Viewer", "en", True),
    "reporter": (Role.REPORTER, "Liu Reporter", "en", False),  # disabled
}
DEPARTMENTS = (
    ("ICU", "重症医学科", "Intensive care unit", "icu"),
    ("ED", "急诊科", "Emergency department", "emergency"),
    ("LAB", "检验科", "Clinical laboratory", "laboratory"),
)


def _populate(database: Database) -> None:
    setup = Actor(username="admin", role=Role.ADMIN)
    with database.transaction() as session:
        hospital.save_profile(session, setup, PROFILE, bootstrap=True)
        department_ids = [
            hospital.save_department(
                session, setup, DepartmentInfo(code, zh, en, kind), bootstrap=True
            ).id
            for code, zh, en, kind in DEPARTMENTS
        ]
        for username, (role, name, language, _active) in USERS.items():
            users.create_user(
                session,
                setup,
                username=username,
                display_name=name,
                role=role,
                password=PASSWORDS[username],
                language=language,
                bootstrap=True,
            )
        for number in range(1, 6):
            workers.create_worker(
                session,
                setup,
                workers.WorkerInfo(
                    staff_no=f"S{number:04d}",
                    name=f"职工{number}",
                    sex="female" if number % 2 else "male",
                    job_category="nurse",
                    department_id=department_ids[number % len(department_ids)],
                    hire_date=dt.date(2015, 1, number),
                ),
            )
        for username, (_role, _name, _language, active) in USERS.items():
            if not active:
                users.set_active(session, setup, username, False)


@pytest.fixture(scope="session")
def _ui_template(tmp_path_factory: pytest.TempPathFactory, _sqlite_template: Path) -> Path:
    path = tmp_path_factory.mktemp("ui") / "hospital.sqlite"
    shutil.copyfile(_sqlite_template, path)
    database = Database(resolve_url(path))
    # Cheap Argon2 parameters for the fixture users: verification reads the parameters from the
    # stored hash, so every login in the UI tests is fast. Production parameters are unchanged.
    cheap = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(users, "_hasher", lambda: cheap)
        _populate(database)
    with database.engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    database.dispose()
    return path


@pytest.fixture(scope="session", autouse=True)
def _styled_application(qapp: QApplication) -> QApplication:
    """The application looks (font, palette) as in production, so sizes are realistic."""
    apply_style(qapp)
    return qapp


@pytest.fixture(autouse=True)
def _isolated_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """No test writes the user's real QSettings, whatever code path it takes."""
    monkeypatch.setenv(SETTINGS_ENV, str(tmp_path / "settings.ini"))
    for scope in (QSettings.Scope.UserScope, QSettings.Scope.SystemScope):
        QSettings.setPath(QSettings.Format.NativeFormat, scope, str(tmp_path / "qsettings"))
        QSettings.setPath(QSettings.Format.IniFormat, scope, str(tmp_path / "qsettings"))
    yield


@pytest.fixture(autouse=True)
def _no_blocking_questions(monkeypatch: pytest.MonkeyPatch) -> None:
    """A real Asker left in a test (a dialog closed at teardown with input in it) would open
    a modal box nobody answers: it answers "yes" and shows nothing instead. Tests that look
    at questions use ScriptedAsker, which overrides these."""
    from hospital_osh.ui.dialogs.ask import Asker

    monkeypatch.setattr(Asker, "confirm", lambda self, parent, title, text: True)
    monkeypatch.setattr(Asker, "inform", lambda self, parent, title, text: None)
    monkeypatch.setattr(Asker, "error", lambda self, parent, title, text: None)


@pytest.fixture(autouse=True)
def _english_qt() -> Iterator[None]:
    """Reset Qt's translator too (the root conftest resets only gettext)."""
    yield
    apply_language("en")


@pytest.fixture
def hospital_db_path(tmp_path: Path, _ui_template: Path) -> Path:
    path = tmp_path / "hospital.sqlite"
    shutil.copyfile(_ui_template, path)
    return path


@pytest.fixture
def hospital_db(hospital_db_path: Path) -> Iterator[Database]:
    """A hospital with a profile, three departments, five workers and users of several roles
    (``PASSWORDS`` holds their passwords; ``reporter`` is disabled)."""
    database = Database(resolve_url(hospital_db_path))
    yield database
    database.dispose()


@pytest.fixture
def sync_runner(qtbot) -> Iterator[TaskRunner]:  # type: ignore[no-untyped-def]
    """Runs jobs inline, still delivering results through the callbacks."""
    runner = TaskRunner(synchronous=True)
    yield runner
    runner.shutdown()


@pytest.fixture
def asker() -> ScriptedAsker:
    return ScriptedAsker()


@pytest.fixture
def temp_settings(tmp_path: Path) -> QSettings:
    return QSettings(str(tmp_path / "window.ini"), QSettings.Format.IniFormat)


def actor_of(database: Database, username: str) -> Actor:
    with database.session() as session:
        info = users.get_user(session, username)
    return Actor(
        username=info.username, role=info.role, user_id=info.id, display_name=info.display_name
    )


@pytest.fixture
def make_ui_context(
    hospital_db: Database, sync_runner: TaskRunner, asker: ScriptedAsker
) -> Callable[[str], AppContext]:
    """``make_ui_context("viewer")``: the context of that fixture user."""

    def make(username: str = "admin") -> AppContext:
        return AppContext(hospital_db, actor_of(hospital_db, username), sync_runner, asker)

    return make


@pytest.fixture
def make_window(
    qtbot, make_ui_context: Callable[[str], AppContext], temp_settings: QSettings
) -> Callable[..., MainWindow]:  # type: ignore[no-untyped-def]
    """``make_window("viewer", page_classes=..., idle_minutes=0)``: a shown main window."""

    def make(username: str = "admin", **options: object) -> MainWindow:
        options.setdefault("idle_minutes", 0)
        options.setdefault("settings", temp_settings)
        window = MainWindow(make_ui_context(username), hospital_name="Test", **options)  # type: ignore[arg-type]
        qtbot.addWidget(window)
        window.show()
        qtbot.waitExposed(window)
        return window

    return make
