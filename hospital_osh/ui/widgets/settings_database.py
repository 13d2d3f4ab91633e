"""Settings › Database: where it is, back up now, restore a backup, check integrity.

Each of the three runs through the task runner: a large file never freezes the window, and
backup and restore queue behind any write in progress (they use the one writer thread).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFileDialog,
    QGridLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QWidget,
)

from hospital_osh.domain.codes import N_
from hospital_osh.domain.roles import Permission
from hospital_osh.i18n import _
from hospital_osh.services import audit
from hospital_osh.services.database import backup_file, backups_dir, integrity_report, restore_file
from hospital_osh.services.errors import UserError
from hospital_osh.ui import style
from hospital_osh.ui.context import AppContext
from hospital_osh.ui.tasks import TaskState
from hospital_osh.ui.widgets.settings_section import SettingsSection


@dataclass(frozen=True)
class IntegrityResult:
    problems: list[str]
    chain_ok: bool
    chain_message: str

    @property
    def ok(self) -> bool:
        return not self.problems and self.chain_ok


class DatabaseSettings(SettingsSection):
    """Backups, restore and checks for the embedded SQLite file. On a shared PostgreSQL
    database backups and restores are the server's job: the section says so and offers only
    the integrity check."""

    key = "database"
    title = N_("Database")
    icon = "database"
    permission = Permission.MANAGE_BACKUPS

    # -- signals ------------------------------------------------------------------------------
    database_replaced = Signal(object)
    """Emitted with the database's path after a restore replaced the file: the application
    must close every session and open the database again (it may need upgrading)."""
    task_finished = Signal(str)
    """Emitted with ``"backup"``, ``"restore"`` or ``"check"`` when one ends (either way)."""

    def __init__(self, context: AppContext, parent: QWidget | None = None):
        super().__init__(context, parent)
        self._busy = False
        self.last_backup: Path | None = None
        self.last_check: IntegrityResult | None = None
        self.location_label = QLabel(self)
        self.location = QLabel(context.database.display_name(), self)
        self.location.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.location.setWordWrap(True)
        self.server_notice = QLabel(self)
        self.server_notice.setObjectName("serverNotice")
        self.server_notice.setWordWrap(True)
        style.set_role(self.server_notice, "notice")
        self.server_notice.setVisible(not context.database.is_sqlite)
        self.backup_button = QPushButton(self)
        self.backup_hint = QLabel(self)
        self.restore_button = QPushButton(self)
        self.restore_hint = QLabel(self)
        self.check_button = QPushButton(self)
        self.check_hint = QLabel(self)
        for hint in (self.backup_hint, self.restore_hint, self.check_hint):
            hint.setWordWrap(True)
            style.set_role(hint, "hint")
        self.backup_button.clicked.connect(self.backup_now)
        self.restore_button.clicked.connect(self.choose_restore)
        self.check_button.clicked.connect(self.check_integrity)
        self.progress = QProgressBar(self)
        self.progress.setRange(0, 0)
        self.progress.setTextVisible(False)
        self.progress.setMaximumHeight(8)
        self.progress.hide()
        self.result = QLabel(self)
        self.result.setWordWrap(True)
        self.result.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        grid = QGridLayout()
        grid.setColumnStretch(1, 1)
        grid.setHorizontalSpacing(16)
        grid.setVerticalSpacing(10)
        grid.addWidget(self.location_label, 0, 0, Qt.AlignmentFlag.AlignTop)
        grid.addWidget(self.location, 0, 1)
        for row, (button, hint) in enumerate(
            (
                (self.backup_button, self.backup_hint),
                (self.restore_button, self.restore_hint),
                (self.check_button, self.check_hint),
            ),
            start=1,
        ):
            grid.addWidget(button, row, 0)
            grid.addWidget(hint, row, 1)
        self.body.addWidget(self.server_notice)
        self.body.addLayout(grid)
        self.body.addWidget(self.progress)
        self.body.addWidget(self.result)
        self.body.addStretch(1)
        self.retranslate()

    # -- public API ---------------------------------------------------------------------------

    @property
    def busy(self) -> bool:
        return self._busy

    @property
    def file_backups(self) -> bool:
        """Whether this application backs the database up itself (an SQLite file)."""
        return self.context.database.is_sqlite and self.context.database.path is not None

    def backup_now(self) -> TaskState | None:
        if self._busy or not self.file_backups:
            return None
        database = self.context.database

        def job(state: TaskState) -> Path:
            return backup_file(database)

        self._start(_("Backing up…"))
        return self.context.runner.run(
            job,
            on_done=self._on_backup_done,
            on_error=lambda e: self._on_failed("backup", e),
            write=True,
        )

    def choose_restore(self) -> None:
        if not self.file_backups:
            return
        path = self.context.database.path
        start = str(backups_dir(path)) if path is not None else ""
        chosen, _filter = QFileDialog.getOpenFileName(
            self,
            _("Choose the backup to restore"),
            start,
            _("Database backups (*.sqlite *.db);;All files (*)"),
        )
        if chosen:
            self.restore_from(Path(chosen))

    def restore_from(self, source: Path) -> TaskState | None:
        """Replace the database by ``source`` after an explicit confirmation."""
        target = self.context.database.path
        if self._busy or target is None or not self.file_backups:
            return None
        question = _(
            "Replace the current database with the backup {source}?\n\n"
            "Everything recorded after that backup was made will no longer be in the "
            "database. The current file is kept aside next to it, so it is not lost.\n\n"
            "Everyone must stop working in hospital_osh on this computer. The application "
            "will open the restored database afterwards."
        ).format(source=source)
        if not self.context.ask.confirm(self, _("Restore a backup"), question):
            return None
        database = self.context.database

        def job(state: TaskState) -> tuple[Path, Path | None]:
            database.dispose()  # close our connections to the file before it is replaced
            return source, restore_file(target, source)

        self._start(_("Restoring…"))
        return self.context.runner.run(
            job,
            on_done=self._on_restore_done,
            on_error=lambda e: self._on_failed("restore", e),
            write=True,
        )

    def check_integrity(self) -> TaskState | None:
        if self._busy:
            return None
        database = self.context.database

        def job(state: TaskState) -> IntegrityResult:
            problems = integrity_report(database)
            with database.session() as session:
                chain = audit.verify_chain(session)
            return IntegrityResult(problems, chain.ok, chain.message())

        self._start(_("Checking…"))
        return self.context.runner.run(
            job, on_done=self._on_check_done, on_error=lambda e: self._on_failed("check", e)
        )

    def retranslate(self) -> None:
        super().retranslate()
        self.set_intro(
            _(
                "hospital_osh also backs the database up before every upgrade. Keep copies of "
                "backups on another disk."
            )
        )
        self.location_label.setText(_("Location"))
        self.backup_button.setText(_("Back up now"))
        self.restore_button.setText(_("Restore…"))
        self.check_button.setText(_("Check integrity"))
        self.check_hint.setText(
            _("Checks the database file and that the audit trail has not been altered.")
        )
        if self.file_backups:
            self.backup_hint.setText(_("Writes a copy to the backups folder beside the database."))
            self.restore_hint.setText(_("Replaces the database by a backup you choose."))
        else:
            self.set_intro("")
            self.backup_hint.setText(_("Not available for a shared database."))
            self.restore_hint.setText(_("Not available for a shared database."))
            self.check_hint.setText(
                _("Checks the database schema and that the audit trail has not been altered.")
            )
        self.server_notice.setText(
            _(
                "This is a shared PostgreSQL database. Its backups and restores are made on the "
                "database server by its administrator (for example with pg_dump and "
                "pg_restore), not from this application."
            )
        )
        self._update_buttons()

    # -- private ------------------------------------------------------------------------------

    def _start(self, text: str) -> None:
        self._busy = True
        self.progress.show()
        self._show_result(text, "hint")
        self._update_buttons()

    def _stop(self) -> None:
        self._busy = False
        self.progress.hide()
        self._update_buttons()

    def _update_buttons(self) -> None:
        files = self.file_backups
        self.backup_button.setEnabled(files and not self._busy)
        self.restore_button.setEnabled(files and not self._busy)
        self.check_button.setEnabled(not self._busy)

    def _show_result(self, text: str, role: str) -> None:
        self.result.setText(text)
        style.set_role(self.result, role)

    def _on_backup_done(self, path: Path) -> None:
        self._stop()
        self.last_backup = path
        self._show_result(_("Backup written to {path}").format(path=path), "ok")
        self.task_finished.emit("backup")

    def _on_restore_done(self, result: tuple[Path, Path | None]) -> None:
        self._stop()
        source, aside = result
        if aside is not None:
            text = _(
                "The database was restored from {source}. The replaced database was "
                "kept as {aside}."
            ).format(source=source, aside=aside)
        else:
            text = _("The database was restored from {source}.").format(source=source)
        self._show_result(text, "ok")
        self.task_finished.emit("restore")
        self.context.ask.inform(
            self,
            _("Restore a backup"),
            _("{done}\n\nThe application now opens the restored database.").format(done=text),
        )
        self.database_replaced.emit(self.context.database.path)

    def _on_check_done(self, result: IntegrityResult) -> None:
        self._stop()
        self.last_check = result
        if result.ok:
            self._show_result(
                _("No problems found. {chain}").format(chain=result.chain_message), "ok"
            )
        else:
            lines = [*result.problems, result.chain_message]
            self._show_result(
                _("Problems found:\n{problems}").format(
                    problems="\n".join(f"• {line}" for line in lines)
                ),
                "error",
            )
        self.task_finished.emit("check")

    def _on_failed(self, task: str, error: BaseException) -> None:
        self._stop()
        self.task_finished.emit(task)
        if not isinstance(error, UserError | OSError):
            raise error
        self._show_result(str(error), "error")
