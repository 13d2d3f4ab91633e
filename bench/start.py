"""Cold start, as a child process of ``bench/run.py``: the application to an interactive main
window (logged in, its first page shown), or an empty PySide6 window for comparison.

    python -m bench.start app DATABASE USER PASSWORD
    python -m bench.start empty

Prints ``ready {json}`` once the window is shown and the event loop is idle (the parent times
the whole process up to that line). Shutting down is not part of a start, but the application
then closes its database as a user's quit does (untimed): a file left as by a crash would have
the next start check the whole file, which a start after a normal quit does not.
The JSON holds the phases (seconds since the interpreter started, as ``time.perf_counter`` sees
it from the first line of this module) and the peak resident memory.
"""

from __future__ import annotations

import json
import os
import resource
import sys
import time
from collections.abc import Callable

STARTED = time.perf_counter()


def _ready(
    phases: dict[str, float], extra: dict[str, object], close: Callable[[], None] | None = None
) -> None:
    payload = {
        "phases": phases,
        "max_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        **extra,
    }
    sys.stdout.write("ready " + json.dumps(payload) + "\n")
    sys.stdout.flush()
    if close is not None:
        close()
    os._exit(0)


def empty_window() -> None:
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QMainWindow

    phases = {"imports": time.perf_counter() - STARTED}
    app = QApplication(sys.argv[:1])
    window = QMainWindow()
    window.resize(1280, 800)
    window.show()
    phases["window shown"] = time.perf_counter() - STARTED

    def ready() -> None:
        app.processEvents()
        phases["interactive"] = time.perf_counter() - STARTED
        _ready(phases, {})

    QTimer.singleShot(0, ready)
    app.exec()


def application(database: str, username: str, password: str) -> None:
    """What ``run_app`` does, with the login dialog filled in and submitted by this script."""
    from PySide6.QtCore import QTimer

    from hospital_osh import i18n
    from hospital_osh.ui.app import Shell, ensure_application, start_daily_backup, user_settings
    from hospital_osh.ui.language import apply_language
    from hospital_osh.ui.tasks import TaskRunner

    phases = {"imports": time.perf_counter() - STARTED}
    app = ensure_application()
    app.setQuitOnLastWindowClosed(False)
    apply_language("en")
    runner = TaskRunner(app)
    from hospital_osh.services.database import open_database

    opened = open_database(database)
    start_daily_backup(runner, opened)  # off the GUI thread, as run_app does
    phases["database open"] = time.perf_counter() - STARTED
    shell = Shell(opened, runner, user_settings())
    shell.start()
    phases["login shown"] = time.perf_counter() - STARTED
    from hospital_osh.ui.dialogs.login_dialog import LoginDialog

    dialog = shell.dialog
    assert isinstance(dialog, LoginDialog), "expected the login dialog (a set-up database)"

    def window_opened(window: object) -> None:
        phases["window shown"] = time.perf_counter() - STARTED

        def ready() -> None:
            app.processEvents()
            phases["interactive"] = time.perf_counter() - STARTED
            page = getattr(window, "current_key", lambda: None)()

            def close() -> None:  # as run_app's end: jobs finish, the database closes
                runner.shutdown()
                shell.database.dispose()

            _ready(phases, {"page": page, "language": i18n.current_language()}, close)

        QTimer.singleShot(0, ready)

    shell.window_opened.connect(window_opened)
    dialog.username_edit.setText(username)
    dialog.password_edit.setText(password)
    submitted = time.perf_counter()
    dialog.submit()
    original = dialog.accepted

    def logged_in() -> None:
        phases["password check"] = time.perf_counter() - submitted

    original.connect(logged_in)
    app.exec()


def main(argv: list[str]) -> None:
    if argv[:1] == ["empty"]:
        empty_window()
    elif argv[:1] == ["app"] and len(argv) == 4:
        application(*argv[1:])
    else:
        sys.exit("usage: python -m bench.start empty | app DATABASE USER PASSWORD")


if __name__ == "__main__":
    main(sys.argv[1:])
