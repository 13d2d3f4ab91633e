"""The composition root: the QApplication, the database, and the journey through the windows.

``run_app`` opens the database (a clear message and exit status 2 if it cannot), then the
``Shell`` shows first-run setup (empty database) or the login, then the main window; logging out
returns to the login, closing the window quits. Only this module wires concrete services, the
task runner and user settings together.

Start-up is kept short: the day's automatic backup (seconds on a large file) runs through the task
runner while the user logs in, and what only some starts need (the setup wizard, the demo) is
imported when needed.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QEventLoop, QObject, QSettings, Qt, QTimer, Signal
from PySide6.QtWidgets import QApplication, QMessageBox, QProgressDialog

from hospital_osh import __version__, i18n, paths
from hospital_osh.domain.accounts import is_locked
from hospital_osh.domain.codes import N_
from hospital_osh.i18n import _
from hospital_osh.services import backups, hospital, users
from hospital_osh.services.context import Actor
from hospital_osh.services.database import Database, open_database
from hospital_osh.services.errors import DatabaseProblem, UserError
from hospital_osh.ui.context import AppContext
from hospital_osh.ui.dialogs.ask import Asker
from hospital_osh.ui.dialogs.login_dialog import LoginDialog
from hospital_osh.ui.language import apply_language
from hospital_osh.ui.style import apply_style
from hospital_osh.ui.tasks import TaskRunner, TaskState

if TYPE_CHECKING:
    from hospital_osh.ui.dialogs.setup_wizard import SetupWizard
    from hospital_osh.ui.main_window import MainWindow

ORGANISATION = "hospital_osh"
APPLICATION = "hospital_osh"
SETTINGS_ENV = "HOSPITAL_OSH_SETTINGS"
"""If set, the path of an INI file used instead of the user's settings (tests, the tour)."""
EXIT_OK, EXIT_BAD_INPUT = 0, 2


def user_settings() -> QSettings:
    """Window geometry, last page...: the user's own, or the file named by HOSPITAL_OSH_SETTINGS."""
    path = os.environ.get(SETTINGS_ENV)
    if path:
        return QSettings(path, QSettings.Format.IniFormat)
    return QSettings(ORGANISATION, APPLICATION)


def ensure_application(argv: Sequence[str] | None = None) -> QApplication:
    """The one QApplication, styled (created if needed)."""
    app = QApplication.instance()
    if app is None:
        app = QApplication(list(argv) if argv is not None else sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setOrganizationName(ORGANISATION)
    app.setApplicationName(APPLICATION)
    app.setApplicationVersion(__version__)
    apply_style(app)
    return app


def same_account(database: Database, actor: Actor) -> Actor | None:
    """``actor`` as ``database`` knows them, if it does so unchanged (same id, role, active and
    not locked); None when they must log in again."""
    try:
        with database.session() as session:
            user = users.get_user(session, actor.username)
    except UserError:
        return None
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    if (
        user.id != actor.user_id
        or user.role != actor.role
        or not user.active
        or is_locked(user.locked_until, now)
    ):
        return None
    return Actor(
        username=user.username, role=user.role, user_id=user.id, display_name=user.display_name
    )


def hospital_name(database: Database) -> str:
    """The hospital's name in the current language ('' before setup)."""
    with database.session() as session:
        profile = hospital.get_profile(session)
    if profile is None:
        return ""
    if i18n.current_language() == "zh_CN":
        return profile.name_zh or profile.name_en
    return profile.name_en or profile.name_zh


class Shell(QObject):
    """Leads the user through setup or login to the main window, and back on log out."""

    # -- signals ------------------------------------------------------------------------------
    window_opened = Signal(object)
    """Emitted with the MainWindow after a successful login or setup."""
    finished = Signal()
    """Emitted when the user left (cancelled the login or closed the window)."""

    def __init__(
        self,
        database: Database,
        runner: TaskRunner,
        settings: QSettings,
        *,
        ask: Asker | None = None,
        parent: QObject | None = None,
    ):
        super().__init__(parent)
        self.database = database
        self.runner = runner
        self.settings = settings
        self.ask = ask or Asker()
        self.window: MainWindow | None = None
        self.dialog: LoginDialog | SetupWizard | None = None

    # -- public API ---------------------------------------------------------------------------

    def start(self) -> None:
        with self.database.session() as session:
            ready = hospital.is_initialised(session)
        if ready:
            self.show_login()
        else:
            self.show_setup()

    def show_setup(self) -> None:
        from hospital_osh.ui.dialogs.setup_wizard import SetupWizard

        wizard = SetupWizard(self.database, self.runner, ask=self.ask)
        wizard.accepted.connect(lambda: self._logged_in(wizard.actor))
        wizard.rejected.connect(self.finished)
        self.dialog = wizard
        wizard.show()

    def show_login(self, notice: str = "") -> None:
        """The login dialog; ``notice`` (an N_-marked English text) says why it is back."""
        dialog = LoginDialog(
            self.database, self.runner, hospital_name=hospital_name(self.database), notice=notice
        )
        dialog.accepted.connect(lambda: self._logged_in(dialog.actor))
        dialog.rejected.connect(self.finished)
        dialog.submitted.connect(self._prepare_window)
        self.dialog = dialog
        dialog.show()

    # -- private ------------------------------------------------------------------------------

    def _prepare_window(self) -> None:
        """While the password is checked (Argon2, ~0.3 s on a worker thread, which releases
        the GIL), import the main window and the page it will most likely show first, so
        that the window opens sooner after the check. Nothing is built; a wrong guess costs
        only an import that a later click would have made."""
        QTimer.singleShot(0, self._import_window_modules)

    def _import_window_modules(self) -> None:
        from hospital_osh.ui.main_window import LAST_PAGE_KEY
        from hospital_osh.ui.pages import specs

        candidates = sorted(specs(), key=lambda spec: (spec.order, spec.key))
        last = self.settings.value(LAST_PAGE_KEY)
        chosen = next((spec for spec in candidates if spec.key == last), None)
        if chosen is None and candidates:
            chosen = candidates[0]
        if chosen is not None:
            chosen.load()

    def _logged_in(self, actor: Actor | None) -> None:
        if actor is None:
            self.finished.emit()
            return
        if self.dialog is not None:
            self.dialog.deleteLater()
            self.dialog = None
        self._open_window(actor)

    def _open_window(self, actor: Actor) -> None:
        from hospital_osh.ui.main_window import MainWindow

        context = AppContext(database=self.database, actor=actor, runner=self.runner, ask=self.ask)
        window = MainWindow(context, self.settings, hospital_name=hospital_name(self.database))
        window.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        window.closed.connect(self._window_closed)
        window.database_replaced.connect(self._database_replaced)
        self.window = window
        window.show()
        self.window_opened.emit(window)

    def _window_closed(self, logged_out: bool) -> None:
        self.window = None
        if logged_out:
            self.show_login()
        else:
            self.finished.emit()

    def _database_replaced(self, path: object) -> None:
        """A backup was restored over the database: open it again (it may need an upgrade)
        and carry on as the same user if the restored database still knows them exactly so;
        otherwise ask for a login on the restored database."""
        window = self.window
        if window is not None:
            actor = window.context.actor
            window.closed.disconnect(self._window_closed)
            window.close_without_asking()
            self.window = None
        else:
            actor = None
        self.database.dispose()
        try:
            self.database = open_database(str(path))
        except UserError as error:
            self.ask.error(None, _("Cannot open the database"), str(error))
            self.finished.emit()
            return
        same = same_account(self.database, actor) if actor is not None else None
        if same is not None:
            self._open_window(same)
        else:
            self.show_login(N_("The restored backup has other accounts. Log in again."))


def _prepare_demo(runner: TaskRunner) -> str:
    """Build the demo database off the GUI thread, with a busy indicator; return its path."""
    from hospital_osh.services import demo

    target = paths.demo_database_path()
    progress = QProgressDialog(_("Preparing the demo database…"), "", 0, 0)
    progress.setCancelButton(None)
    progress.setWindowTitle(_("Hospital OSH"))
    progress.setMinimumDuration(300)
    outcome: dict[str, object] = {}
    loop = QEventLoop()

    def job(state: TaskState) -> str:
        return str(demo.ensure_demo_database(target))

    def done(path: str) -> None:
        outcome["path"] = path
        progress.close()
        loop.quit()

    def failed(error: BaseException) -> None:
        outcome["error"] = error
        progress.close()
        loop.quit()

    runner.run(job, on_done=done, on_error=failed, write=True)
    if not outcome:
        loop.exec()  # until the job reports
    if "error" in outcome:
        error = outcome["error"]
        if isinstance(error, UserError):
            raise error
        raise DatabaseProblem(str(error))
    return str(outcome["path"])


_NOTICES: list[QMessageBox] = []
"""Messages shown without waiting for an answer (a failed automatic backup)."""


def start_daily_backup(runner: TaskRunner, database: Database) -> None:
    """The day's automatic copy, off the GUI thread (reads pool: the login's write must not
    queue behind a copy of a large file). A failure is said in a message that waits for the
    user without holding anything up, and keeps nobody out."""

    def job(state: TaskState) -> object:
        return backups.daily_backup_if_due(database)

    def failed(error: BaseException) -> None:
        if not isinstance(error, UserError):
            raise error
        box = QMessageBox(QMessageBox.Icon.Warning, _("The automatic backup failed"), str(error))
        # Without a parent the box lives as long as Python holds it: until it was closed.
        _NOTICES[:] = [*(notice for notice in _NOTICES if notice.isVisible()), box]
        box.show()

    runner.run(job, on_error=failed)


def run_app(db: str | None, language: str | None, demo: bool) -> int:
    """Open the application on ``db`` (or the demo database). Returns the exit status."""
    app = ensure_application()
    app.setQuitOnLastWindowClosed(False)  # log out closes the window before the login shows
    apply_language(language or i18n.default_language())
    runner = TaskRunner(app)
    try:
        target = _prepare_demo(runner) if demo else db
        from hospital_osh.ui.dialogs.recovery_dialog import open_or_recover

        database = open_or_recover(target, runner)  # asks the passphrase when the key is missing
    except UserError as error:
        runner.shutdown()
        QMessageBox.critical(None, _("Cannot open the database"), str(error))
        return EXIT_BAD_INPUT
    start_daily_backup(runner, database)
    shell = Shell(database, runner, user_settings())
    shell.finished.connect(app.quit)
    shell.start()
    try:
        status = app.exec()
    finally:
        dispose_windows(app)
        runner.shutdown()
        shell.database.dispose()  # the one open now (a restore opens it again)
    return status


def dispose_windows(app: QApplication) -> None:
    """Delete the remaining windows while Qt is whole. Left to interpreter shutdown, PySide
    destroys them after parts of Qt are gone and the process may crash on exit."""
    for widget in app.topLevelWidgets():
        if widget.parent() is None:
            widget.close()
            widget.deleteLater()
    app.sendPostedEvents(None, QEvent.Type.DeferredDelete.value)
