"""``hospital-osh tour``: a PNG of every view, for review, manuals and catching clipped labels.

Logs in as a demo user, opens every page that user may see (from the registry, so new pages are
included without changes here) with each page's ``tour_states()`` and ``tour_views()``, the
About box and the keyboard shortcuts, the login
dialog (normal and locked) and every step of first-run setup, and saves ``QWidget.grab()``
images as ``<nn>-<name>.png``. Runs offscreen; writes nothing to the user's settings.
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from hospital_osh.i18n import _

if TYPE_CHECKING:  # Qt is imported only when the tour runs (the CLI starts without it)
    from PySide6.QtWidgets import QWidget


class TourError(Exception):
    """A problem the user can fix (bad size, unknown user, empty database)."""


def parse_size(size: str) -> tuple[int, int]:
    try:
        width, height = (int(part) for part in size.lower().split("x"))
    except ValueError:
        raise TourError(
            _("Give the size as WIDTHxHEIGHT, e.g. 1280x800 (not '{size}').").format(size=size)
        ) from None
    if not (320 <= width <= 7680 and 240 <= height <= 4320):
        raise TourError(_("The size {size} is out of range.").format(size=size))
    return width, height


def demo_password(user: str) -> str:
    """The password of a demo user, or HOSPITAL_OSH_PASSWORD for another account."""
    from hospital_osh.services.demo import DEMO_USERS

    for demo_user in DEMO_USERS:
        if demo_user.username == user:
            return demo_user.password
    password = os.environ.get("HOSPITAL_OSH_PASSWORD")
    if password:
        return password
    raise TourError(
        _(
            "No password is known for '{user}': use a demo user ({users}) or set "
            "HOSPITAL_OSH_PASSWORD."
        ).format(user=user, users=", ".join(u.username for u in DEMO_USERS))
    )


HARMLESS_QT_MESSAGES = ("This plugin does not support",)
"""The offscreen platform's notes about window-manager features it lacks."""


@contextmanager
def _quiet_offscreen_messages() -> Iterator[None]:
    """Drop the offscreen platform's harmless notes; pass every other Qt message on (to the
    handler installed before, e.g. pytest-qt's). The previous handler is restored after."""
    from PySide6.QtCore import QtMsgType, qInstallMessageHandler

    previous = None

    def handler(kind: QtMsgType, context: object, message: str) -> None:
        if any(note in message for note in HARMLESS_QT_MESSAGES):
            return
        if previous is not None:
            previous(kind, context, message)
        else:
            print(message, file=sys.stderr)

    previous = qInstallMessageHandler(handler)
    try:
        yield
    finally:
        qInstallMessageHandler(previous)


def run_tour(
    db: str | None,
    out: Path | str,
    size: str = "1280x800",
    user: str = "admin",
    language: str | None = None,
    demo: bool = False,
) -> int:
    """Save the screenshots into ``out``; return the exit status (0, or 2 on a user error)."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from hospital_osh.services.errors import UserError

    try:
        with _quiet_offscreen_messages():
            return _run(db, Path(out), size, user, language, demo)
    except (TourError, UserError) as error:
        print(f"hospital-osh: {error}", file=sys.stderr)
        return 2


def _dispose(widgets: list[QWidget]) -> None:
    """Delete the tour's widgets now. Left to interpreter shutdown, PySide destroys them after
    parts of Qt are gone, and the process crashes on exit."""
    from PySide6.QtCore import QEvent
    from PySide6.QtWidgets import QApplication

    for widget in widgets:
        try:
            widget.close()
            widget.deleteLater()
        except RuntimeError:  # already deleted with its parent
            pass
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete.value)


def _run(db: str | None, out: Path, size: str, user: str, language: str | None, demo: bool) -> int:
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    from hospital_osh import i18n, paths
    from hospital_osh.services import hospital, users
    from hospital_osh.services.database import open_database
    from hospital_osh.ui.app import ensure_application, hospital_name
    from hospital_osh.ui.context import AppContext
    from hospital_osh.ui.dialogs.ask import ScriptedAsker
    from hospital_osh.ui.dialogs.login_dialog import LoginDialog
    from hospital_osh.ui.dialogs.setup_wizard import STEP_TITLES, SetupWizard
    from hospital_osh.ui.language import apply_language
    from hospital_osh.ui.main_window import MainWindow
    from hospital_osh.ui.tasks import TaskRunner

    width, height = parse_size(size)
    password = demo_password(user)
    app = ensure_application()
    app.setQuitOnLastWindowClosed(False)
    apply_language(language or i18n.default_language())
    if demo:
        from hospital_osh.services.demo import ensure_demo_database

        db = str(ensure_demo_database(paths.demo_database_path()))
    database = open_database(db)
    out.mkdir(parents=True, exist_ok=True)
    runner = TaskRunner(synchronous=True)  # every job finishes before its view is grabbed
    saved: list[Path] = []
    created: list[QWidget] = []  # deleted before returning (see _dispose)

    def settle() -> None:
        for _round in range(3):
            QApplication.processEvents()

    def save(widget: QWidget, name: str) -> None:
        settle()
        path = out / f"{len(saved) + 1:02d}-{name}.png"
        if not widget.grab().save(str(path)):
            raise TourError(_("Cannot write {path}.").format(path=path))
        saved.append(path)

    try:
        with database.session() as session:
            if not hospital.is_initialised(session):
                raise TourError(
                    _(
                        "The database has not been set up: fill it with 'hospital-osh demo' "
                        "or use --demo."
                    )
                )
        actor = users.login(database, user, password)
        if language is None:
            with database.session() as session:
                apply_language(users.get_user(session, actor.username).language)
        name = hospital_name(database)
        with tempfile.TemporaryDirectory() as folder:
            settings = QSettings(str(Path(folder) / "tour.ini"), QSettings.Format.IniFormat)
            context = AppContext(database=database, actor=actor, runner=runner, ask=ScriptedAsker())
            window = MainWindow(context, settings, hospital_name=name, idle_minutes=0)
            created.append(window)
            window.resize(width, height)
            window.show()
            for key in window.page_keys():
                page = window.show_page(key)
                save(window, key)
                for state_name, show_state in page.tour_states():
                    show_state()
                    save(window, f"{key}-{state_name}")
                for view_name, view in page.tour_views():
                    created.append(view)
                    view.show()
                    save(view, f"{key}-{view_name}")
                    view.close()
            about = window.about_box()
            about.show()
            save(about, "about")
            about.close()
            shortcuts = window.shortcuts_box()
            shortcuts.show()
            save(shortcuts, "shortcuts")
            shortcuts.close()
            window.close()
            settings.sync()

        login = LoginDialog(database, runner, hospital_name=name)
        created.append(login)
        login.show()
        save(login, "login")
        login.close()
        locked = LoginDialog(
            database, runner, hospital_name=name, locked_user=actor, idle_minutes=15
        )
        created.append(locked)
        locked.show()
        save(locked, "login-locked")
        locked.close()

        wizard = SetupWizard(None, runner)
        created.append(wizard)
        wizard.resize(max(wizard.minimumWidth(), 960), max(wizard.minimumHeight(), 640))
        wizard.show()
        for step, title in enumerate(STEP_TITLES):
            wizard.go_to(step)
            save(wizard, f"setup-{step + 1}-{title.lower()}")
        wizard.close()
    finally:
        _dispose(created)
        runner.shutdown()
        database.dispose()
    print(_("{count} screenshots saved in {folder}.").format(count=len(saved), folder=out))
    return 0
