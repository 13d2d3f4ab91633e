"""Start-up of the shell (issue 10) and page shortcuts (issue 3).

Pages are known by a PageSpec until shown, so the registry must agree with the classes; the
window imports only the page it shows; sidebar counts and the daily backup arrive through the
task runner, after the window is up; every page has a shortcut, listed in F1 and the tooltips.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QMessageBox

from hospital_osh.domain.roles import Role
from hospital_osh.services import backups
from hospital_osh.services.context import Actor
from hospital_osh.services.database import Database, resolve_url
from hospital_osh.services.errors import DatabaseProblem
from hospital_osh.ui import app as app_module
from hospital_osh.ui.context import AppContext
from hospital_osh.ui.language import apply_language
from hospital_osh.ui.main_window import PAGE_SHORTCUT_KEYS, MainWindow
from hospital_osh.ui.pages import PAGE_CLASSES, PageSpec, page_specs_for, specs
from hospital_osh.ui.pages.base import Page
from hospital_osh.ui.tasks import TaskRunner
from tests.ui.conftest import actor_of
from tests.ui.test_app_shell import FAKES, _FakePage

ROOT = Path(__file__).resolve().parents[2]


# -- the registry ------------------------------------------------------------------------------


@pytest.mark.parametrize("spec", specs(), ids=lambda spec: spec.key)
def test_each_spec_says_what_its_class_says(spec: PageSpec) -> None:
    page_class = spec.load()
    assert issubclass(page_class, Page)
    assert (spec.key, spec.title, spec.icon, spec.order) == (
        page_class.key,
        page_class.title,
        page_class.icon,
        page_class.order,
    )
    for role in Role:
        actor = Actor(username=str(role), role=role)
        assert spec.visible_for(actor) == page_class.visible_for(actor), role
    assert spec.has_badge == (page_class.badge.__func__ is not Page.badge.__func__)  # type: ignore[attr-defined]
    assert spec.loaded


def test_a_class_listed_directly_still_works() -> None:
    first = PageSpec.of(FAKES[1])
    assert (first.key, first.order, first.loaded, first.has_badge) == ("first", 10, True, False)
    admin_only = PageSpec.of(FAKES[2])
    assert admin_only.visible_for(Actor("a", Role.ADMIN))
    assert not admin_only.visible_for(Actor("v", Role.VIEWER))
    assert [spec.key for spec in page_specs_for(Actor("v", Role.VIEWER), [*FAKES])] == [
        "first",
        "second",
    ]


def _one_overdue_action(path: Path) -> None:
    import datetime as dt

    from hospital_osh.services import actions

    database = Database(resolve_url(path))
    with database.transaction() as session:
        actions.create_action(
            session,
            actor_of(database, "admin"),
            actions.ActionInfo(
                title="Replace the sharps bins", owner_name="Ward 3", due_date=dt.date(2020, 1, 1)
            ),
        )
    database.dispose()


def test_the_window_imports_only_the_page_it_shows(hospital_db_path: Path) -> None:
    """In a fresh interpreter: after the window is built and shown, the first page's module is
    the only page module imported, and neither Alembic nor ReportLab is; the sidebar counts
    come afterwards from the runner, which imports no page (a page imported on the counting
    thread while the GUI thread imports it too could meet Python's import deadlock error)."""
    _one_overdue_action(hospital_db_path)
    code = f"""
import json, sys
from hospital_osh.services.database import open_database
from hospital_osh.services.users import get_user
from hospital_osh.services.context import Actor
from hospital_osh.ui.app import ensure_application
from hospital_osh.ui.context import AppContext
from hospital_osh.ui.dialogs.ask import Asker
from hospital_osh.ui.main_window import MainWindow
from hospital_osh.ui.tasks import TaskRunner
from PySide6.QtCore import QSettings

app = ensure_application()
database = open_database({str(hospital_db_path)!r})
with database.session() as session:
    user = get_user(session, "admin")
actor = Actor(username=user.username, role=user.role, user_id=user.id)
runner = TaskRunner(app)
runner._reads.setMaxThreadCount(0 + 1)
blocker = __import__("threading").Event()
runner.run(lambda state: blocker.wait(30))  # holds the reads pool: counts wait their turn
settings = QSettings({str(hospital_db_path.with_suffix(".ini"))!r}, QSettings.Format.IniFormat)
window = MainWindow(AppContext(database, actor, runner, Asker()), settings, idle_minutes=0)
window.show()
pages = sorted(m for m in sys.modules if m.startswith("hospital_osh.ui.pages."))
heavy = sorted(m for m in ("alembic", "reportlab", "openpyxl") if m in sys.modules)
first = window.current_key()
blocker.set()
runner.wait()
app.processEvents()
after = sorted(m for m in sys.modules if m.startswith("hospital_osh.ui.pages."))
counts = [window.badge_count(key) for key in ("followups", "actions")]
print(json.dumps([pages, heavy, first, after, counts]))
runner.shutdown()
database.dispose()
"""
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
    }
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120
    )
    assert done.returncode == 0, done.stderr
    pages, heavy, first, after, counts = json.loads(done.stdout.strip().splitlines()[-1])
    assert first == "dashboard"
    assert pages == ["hospital_osh.ui.pages.base", "hospital_osh.ui.pages.dashboard_page"]
    assert heavy == []
    assert after == pages  # the counts were read without importing their pages
    assert counts == [0, 1]  # read all the same


# -- sidebar counts through the runner -------------------------------------------------------------


class CountPage(_FakePage):
    key = "count"
    title = "Follow-ups"
    icon = "calendar-check"
    order = 30
    count = 3
    threads: list[threading.Thread] = []

    @classmethod
    def badge(cls, context: AppContext) -> int | None:
        cls.threads.append(threading.current_thread())
        return cls.count


@pytest.fixture
def pooled_runner(qtbot) -> TaskRunner:  # type: ignore[no-untyped-def]
    """A real runner (jobs on worker threads); every job has reported before it goes."""
    runner = TaskRunner()
    yield runner
    qtbot.waitUntil(lambda: not runner.busy)
    runner.shutdown()


def test_counts_arrive_from_a_worker_after_the_window_is_up(
    qtbot, hospital_db: Database, pooled_runner: TaskRunner, temp_settings, asker
) -> None:  # type: ignore[no-untyped-def]
    CountPage.threads = []
    context = AppContext(hospital_db, actor_of(hospital_db, "admin"), pooled_runner, asker)
    window = MainWindow(context, temp_settings, page_classes=[*FAKES, CountPage], idle_minutes=0)
    qtbot.addWidget(window)
    row = window.page_keys().index("count")
    assert window.badge_count("count") == 0  # not waited for: the window is built already
    assert window.sidebar.item(row).text() == "Follow-ups"
    qtbot.waitUntil(lambda: window.badge_count("count") == 3)
    assert window.sidebar.item(row).text() == "Follow-ups (3)"
    assert CountPage.threads and threading.main_thread() not in CountPage.threads
    CountPage.count = 0
    window.refresh_badges()
    qtbot.waitUntil(lambda: window.sidebar.item(row).text() == "Follow-ups")
    CountPage.count = 3


def test_only_the_newest_counts_are_shown(make_window) -> None:  # type: ignore[no-untyped-def]
    window = make_window("admin", page_classes=[*FAKES, CountPage])
    assert window.badge_count("count") == 3  # the synchronous runner of the tests
    window._badge_generation += 1  # a newer refresh is on its way
    window._show_badges(window._badge_generation - 1, {"count": 7})
    assert window.badge_count("count") == 3


# -- the daily backup --------------------------------------------------------------------------


def test_the_daily_backup_runs_through_the_runner(
    qtbot, hospital_db: Database, pooled_runner: TaskRunner, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    threads: list[threading.Thread] = []
    real = backups.daily_backup_if_due

    def spy(database: Database) -> backups.DailyBackup:
        threads.append(threading.current_thread())
        return real(database)

    monkeypatch.setattr(backups, "daily_backup_if_due", spy)
    assert hospital_db.path is not None
    app_module.start_daily_backup(pooled_runner, hospital_db)
    qtbot.waitUntil(lambda: len(backups.automatic_backups(hospital_db.path)) == 1)
    assert threads and threads[0] is not threading.main_thread()


def test_a_failed_daily_backup_is_said_without_blocking(
    qtbot, hospital_db: Database, sync_runner: TaskRunner, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    def fail(database: Database) -> None:
        raise DatabaseProblem("The backup failed: disk full")

    monkeypatch.setattr(backups, "daily_backup_if_due", fail)
    app_module.start_daily_backup(sync_runner, hospital_db)  # returns: nothing modal
    boxes = [w for w in qtbot_top_levels() if isinstance(w, QMessageBox) and w.isVisible()]
    assert [box.text() for box in boxes] == ["The backup failed: disk full"]
    assert boxes[0].windowTitle() == "The automatic backup failed"
    boxes[0].close()


def qtbot_top_levels() -> list[object]:
    from PySide6.QtWidgets import QApplication

    return list(QApplication.topLevelWidgets())


# -- page shortcuts ------------------------------------------------------------------------------


def _all_shortcuts(window: MainWindow) -> list[str]:
    keys = []
    for action in window.findChildren(type(window.quit_action)):
        for sequence in action.shortcuts():
            keys.append(sequence.toString())
    return keys


@pytest.mark.parametrize("language", ["en", "zh_CN"])
def test_every_page_has_its_own_shortcut_in_the_menu_f1_and_tooltips(make_window, language) -> None:  # type: ignore[no-untyped-def]
    apply_language(language)
    window = make_window("admin")
    keys = window.page_keys()
    assert len(keys) == len(PAGE_CLASSES) == 11
    expected = [QKeySequence(f"Ctrl+{key}") for key in PAGE_SHORTCUT_KEYS[: len(keys)]]
    assert [window.page_actions[key].shortcut() for key in keys] == expected
    everything = _all_shortcuts(window)
    assert len(everything) == len(set(everything)), "two commands share a shortcut"
    listed = dict(window.shortcut_list())
    for row, key in enumerate(keys):
        native = (
            window.page_actions[key].shortcut().toString(QKeySequence.SequenceFormat.NativeText)
        )
        title = window.page_actions[key].text()
        assert listed[native] == title
        tooltip = window.sidebar.item(row).toolTip()
        if language == "en":
            assert tooltip == f"{title} ({native})"
        else:
            assert tooltip == f"{title}（{native}）"
    if language == "zh_CN":
        assert window.sidebar.item(keys.index("audit")).toolTip().startswith("审计")


def test_the_tenth_and_eleventh_page_open_with_their_keys(qtbot, make_window) -> None:  # type: ignore[no-untyped-def]
    window = make_window("admin")
    keys = window.page_keys()
    window.page_actions[keys[9]].trigger()
    assert window.current_key() == keys[9]
    window.page_actions[keys[10]].trigger()
    assert window.current_key() == keys[10] == "audit"
    assert window.page_actions["audit"].shortcut() == QKeySequence("Ctrl+-")


# -- the login prepares the window ---------------------------------------------------------------


def test_the_first_page_is_imported_while_the_password_is_checked(
    qtbot, hospital_db: Database, pooled_runner: TaskRunner, temp_settings, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    from hospital_osh.ui.app import Shell
    from hospital_osh.ui.dialogs.login_dialog import LoginDialog
    from hospital_osh.ui.main_window import LAST_PAGE_KEY
    from tests.ui.conftest import PASSWORDS

    loads: list[tuple[str, bool]] = []  # (page, whether the window existed yet)
    real = PageSpec.load

    def load(spec: PageSpec) -> type[Page]:
        loads.append((spec.key, shell.window is not None))
        return real(spec)

    monkeypatch.setattr(PageSpec, "load", load)
    temp_settings.setValue(LAST_PAGE_KEY, "hazards")
    shell = Shell(hospital_db, pooled_runner, temp_settings)
    shell.start()
    dialog = shell.dialog
    assert isinstance(dialog, LoginDialog)
    qtbot.addWidget(dialog)
    dialog.username_edit.setText("admin")
    dialog.password_edit.setText(PASSWORDS["admin"])
    with qtbot.waitSignal(shell.window_opened, timeout=30_000) as signal:
        dialog.submit()
    window = signal.args[0]
    qtbot.addWidget(window)
    assert window.current_key() == "hazards"
    assert loads[0] == ("hazards", False)  # before the window: during the password check


@pytest.mark.parametrize(
    ("key", "target"),
    [
        ("followups", "hospital_osh.ui.pages.followups_page:FollowupsPage"),
        ("committee", "hospital_osh.ui.pages.committee_page:CommitteePage"),
    ],
)
def test_a_page_reads_its_data_once_when_first_shown(
    make_window, monkeypatch: pytest.MonkeyPatch, key: str, target: str
) -> None:  # type: ignore[no-untyped-def]
    """Built and shown by the window: one read (``activated``), not one more from building."""
    page_class = PageSpec("x", "x", "x", 0, target).load()
    reads: list[str] = []
    refresh = page_class.refresh

    def counted(self: Page) -> None:
        reads.append(key)
        refresh(self)  # type: ignore[arg-type]

    monkeypatch.setattr(page_class, "refresh", counted)
    window = make_window("admin")
    window.show_page(key)
    assert reads == [key]
