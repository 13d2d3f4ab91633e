"""The Reports page's "Documents" group: the PDFs of the other areas in one place.

Hazard register, action plan of all open items, a blank HealthWISE checklist (choose the
template), committee minutes (choose the meeting) and an exposure's case sheet (by reference
number). Each is built by its own report module from the same service reads as on its own page,
on the task runner; the file is written whole or not at all. A row appears only for the roles
whose services allow it (the services check again): the case sheet, which names the worker, only
for roles that see identities, as on the Exposures page.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QGridLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QPushButton,
    QWidget,
)

from hospital_osh.domain.codes import N_
from hospital_osh.domain.roles import Permission
from hospital_osh.i18n import _, current_language, format_date
from hospital_osh.services.context import Actor
from hospital_osh.services.database import Database
from hospital_osh.services.errors import UserError, ValidationError
from hospital_osh.ui import style
from hospital_osh.ui.context import AppContext
from hospital_osh.ui.tasks import TaskState

HAZARD_REGISTER = "hazard_register"
ACTION_PLAN = "action_plan"
CHECKLIST = "checklist"
MINUTES = "minutes"
CASE_SHEET = "case_sheet"
DOCUMENTS: tuple[tuple[str, str], ...] = (
    (HAZARD_REGISTER, N_("Hazard register")),
    (ACTION_PLAN, N_("Action plan (all open items)")),
    (CHECKLIST, N_("Blank HealthWISE checklist")),
    (MINUTES, N_("Committee minutes")),
    (CASE_SHEET, N_("Case sheet of an exposure")),
)
_LANGUAGES: tuple[tuple[str, str], ...] = (("zh_CN", N_("Chinese")), ("en", N_("English")))
_FILE_NAMES = {
    HAZARD_REGISTER: N_("hazard-register.pdf"),
    ACTION_PLAN: N_("action-plan.pdf"),
    CHECKLIST: N_("blank-checklist.pdf"),
    MINUTES: N_("committee-minutes.pdf"),
}
_ALL_OPEN_ITEMS = 100_000
_OPEN_ITEMS_TITLE = N_("Action plan: all open items")  # in the document's own language


def can_build(actor: Actor, kind: str) -> bool:
    """Whether ``actor``'s role may build ``kind`` (what the builders' services require)."""
    if kind == HAZARD_REGISTER:
        return actor.can(Permission.VIEW_HAZARDS)
    if kind in (ACTION_PLAN, CHECKLIST, MINUTES):
        return actor.can(Permission.VIEW_ACTIONS)
    if kind == CASE_SHEET:
        # As on the Exposures page: a sheet with the worker's name masked is of no use in the
        # worker's file, so roles that see masked records get none.
        return actor.can(Permission.VIEW_EXPOSURES) and actor.sees_identities
    return False


@dataclass(frozen=True)
class Choices:
    """What the checklist and minutes rows offer: (id, label) pairs, newest meetings first."""

    templates: tuple[tuple[int, str], ...] = ()
    meetings: tuple[tuple[int, str], ...] = ()


# -- jobs (run off the GUI thread; plain values in and out) ---------------------------------------


def load_choices(database: Database, actor: Actor, chinese: bool) -> Choices:
    from hospital_osh.services import committee, healthwise

    templates: list[tuple[int, str]] = []
    meetings: list[tuple[int, str]] = []
    if actor.can(Permission.VIEW_ACTIONS):
        with database.session() as session:
            for template in healthwise.list_templates(session, actor, active_only=True):
                label = f"{template.name(chinese)} ({template.version})"
                templates.append((template.id, label))
            for meeting in committee.list_meetings(session, actor, 0, 200):
                label = f"{format_date(meeting.held_on)} {meeting.place}".strip()
                meetings.append((meeting.id, label))
    return Choices(tuple(templates), tuple(meetings))


def _hospital_name(session: Any, language: str) -> str:
    from hospital_osh.services.hospital import get_profile

    profile = get_profile(session)
    if profile is None:
        return ""
    name = profile.name_zh if language == "zh_CN" else profile.name_en
    return name or profile.name_zh or profile.name_en


def find_exposure(session: Any, actor: Actor, reference: str) -> int:
    """The id of the exposure with this reference number, among those ``actor`` may open."""
    from hospital_osh.services.exposures import ExposureFilter, list_exposures

    wanted = reference.strip().upper()
    if not wanted:
        raise ValidationError({"reference": _("Give the reference number, e.g. EXP-2026-0042.")})
    for row in list_exposures(session, actor, ExposureFilter(search=wanted), limit=50):
        if row.reference.upper() == wanted:
            return row.id
    raise ValidationError(
        {
            "reference": _("No exposure record has the reference {reference}.").format(
                reference=wanted
            )
        }
    )


def document_bytes(
    database: Database, actor: Actor, kind: str, language: str, choice: int | str | None
) -> bytes:
    """The PDF of ``kind`` in ``language``; ``choice`` is the template or meeting id or the
    exposure's reference number."""
    with database.session() as session:
        hospital = _hospital_name(session, language)
        if kind == HAZARD_REGISTER:
            from hospital_osh.reports.hazard_register import hazard_register_bytes
            from hospital_osh.services import hazards

            return hazard_register_bytes(hazards.register_data(session, actor), language)
        if kind == ACTION_PLAN:
            from hospital_osh.reports.action_plan import action_plan_bytes
            from hospital_osh.reports.language import ReportLanguage
            from hospital_osh.services import actions

            rows = actions.list_actions(
                session, actor, actions.ActionFilter(open_only=True), limit=_ALL_OPEN_ITEMS
            )
            title = ReportLanguage.of(language)._(_OPEN_ITEMS_TITLE)
            return action_plan_bytes(rows, language, title=title, hospital_name=hospital)
        if kind == CHECKLIST:
            from hospital_osh.reports.checklist import checklist_bytes
            from hospital_osh.services import healthwise

            if not isinstance(choice, int):
                raise UserError(_("Choose a checklist template."))
            detail = healthwise.get_template(session, actor, choice)
            return checklist_bytes(detail, language, hospital_name=hospital)
        if kind == MINUTES:
            from hospital_osh.reports.minutes import minutes_bytes
            from hospital_osh.services import committee

            if not isinstance(choice, int):
                raise UserError(_("Choose a meeting."))
            meeting = committee.get_meeting(session, actor, choice)
            members = committee.list_members(session, actor)
            return minutes_bytes(meeting, language, members=members, hospital_name=hospital)
        if kind == CASE_SHEET:
            from hospital_osh.reports.case_sheet import case_sheet_bytes
            from hospital_osh.services.post_exposure import case_sheet_info

            exposure_id = find_exposure(session, actor, str(choice or ""))
            # Its own write transaction: the audit event says who printed which case.
            with database.transaction() as write:
                info = case_sheet_info(write, actor, exposure_id, language)
                return case_sheet_bytes(info, language, hospital_name=hospital)
    raise UserError(_("Unknown document."))


def write_whole(path: Path, data: bytes) -> Path:
    """Write ``data`` beside ``path`` and rename it into place: never a half-written PDF."""
    partial = path.with_name(f".{path.name}.partial")
    try:
        partial.write_bytes(data)
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
    return path


# -- the group box --------------------------------------------------------------------------------


class ReportDocumentsBox(QGroupBox):
    """One row per document the role may build: what, a choice where needed, a button."""

    # -- signals ----------------------------------------------------------------------------------
    document_built = Signal(object)
    """Emitted with the Path of a document once it is written."""
    document_failed = Signal(str)
    """Emitted with the translated reason when a document could not be built."""
    choices_loaded = Signal()
    """Emitted when the template and meeting lists have been (re)loaded."""

    def __init__(
        self,
        context: AppContext,
        parent: QWidget | None = None,
        *,
        open_file: Callable[[Path], None] | None = None,
    ):
        super().__init__(parent)
        self.context = context
        self.open_file = open_file
        self._busy = False
        self._choices = Choices()
        self._choices_language: str | None = None  # the UI language the labels were made in
        self.kinds = tuple(kind for kind, _label in DOCUMENTS if can_build(context.actor, kind))
        self.buttons: dict[str, QPushButton] = {}
        self.labels: dict[str, QLabel] = {}
        self._build()
        self.retranslate()

    # -- public API -------------------------------------------------------------------------------

    def retranslate(self) -> None:
        self.setTitle(_("Documents"))
        self.language_label.setText(_("Language"))
        self._fill_languages()
        for kind, label in DOCUMENTS:
            if kind in self.labels:
                self.labels[kind].setText(_(label))
                self.buttons[kind].setText(_("PDF…"))
        self.reference.setPlaceholderText(_("e.g. EXP-2026-0042"))
        self.reference.setAccessibleName(_("Reference number"))
        self.template.setAccessibleName(_("Checklist template"))
        self.meeting.setAccessibleName(_("Meeting"))
        self._show_choices()
        if self._choices_language not in (None, current_language()):
            self.load_choices()  # template names and dates in the new language

    def set_language(self, code: str) -> None:
        self.language.setCurrentIndex(max(0, self.language.findData(code)))

    def document_language(self) -> str:
        return str(self.language.currentData())

    def load_choices(self) -> TaskState | None:
        """(Re)load the template and meeting lists off the GUI thread."""
        if CHECKLIST not in self.kinds and MINUTES not in self.kinds:
            return None
        database, actor = self.context.database, self.context.actor
        self._choices_language = current_language()
        chinese = self._choices_language == "zh_CN"
        return self.context.runner.run(
            lambda _state: load_choices(database, actor, chinese),
            on_done=self._on_choices,
            on_error=self._on_failed,
        )

    def choose_and_build(self, kind: str) -> None:
        """Ask where to save, then build."""
        if kind == CASE_SHEET:
            suggested = self.reference.text().strip().upper() or "case-sheet"
            name = f"{suggested}.pdf"
        else:
            name = _(_FILE_NAMES[kind])
        path, _filter = QFileDialog.getSaveFileName(
            self, _("Save the PDF"), str(Path.home() / name), _("PDF files (*.pdf)")
        )
        if path:
            self.build(kind, Path(path))

    def build(self, kind: str, out: Path) -> TaskState | None:
        """Build ``kind`` in the chosen language to ``out`` on the task runner."""
        if kind not in self.kinds or self._busy:
            return None
        choice: int | str | None = None
        if kind == CHECKLIST:
            choice = self.template.currentData()
        elif kind == MINUTES:
            choice = self.meeting.currentData()
        elif kind == CASE_SHEET:
            choice = self.reference.text()
        self._show_reference_error("")
        database, actor, language = (
            self.context.database,
            self.context.actor,
            self.document_language(),
        )
        target = Path(out)

        def job(state: TaskState) -> Path:
            state.report(0, 2, "")
            data = document_bytes(database, actor, kind, language, choice)
            state.report(1, 2, "")
            return write_whole(target, data)

        self._set_busy(True)
        self._status(_("Writing the PDF…"), "hint")
        return self.context.runner.run(job, on_done=self._on_built, on_error=self._on_failed)

    # -- private: building ------------------------------------------------------------------------

    def _build(self) -> None:
        self.language_label = QLabel(self)
        self.language = QComboBox(self)
        self.template = QComboBox(self)
        self.meeting = QComboBox(self)
        for combo in (self.template, self.meeting):
            combo.setSizeAdjustPolicy(
                QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
            )
            combo.setMinimumContentsLength(16)
        self.reference = QLineEdit(self)
        self.reference.setMaxLength(20)
        self.reference.returnPressed.connect(self._on_reference_entered)
        self.reference_error = QLabel(self)
        self.reference_error.setWordWrap(True)
        style.set_role(self.reference_error, "error")
        self.reference_error.hide()
        self.status = QLabel(self)
        self.status.setWordWrap(True)
        grid = QGridLayout(self)
        grid.addWidget(self.language_label, 0, 0)
        grid.addWidget(self.language, 0, 1)
        choosers: dict[str, QWidget] = {
            CHECKLIST: self.template,
            MINUTES: self.meeting,
            CASE_SHEET: self.reference,
        }
        row = 1
        for kind in self.kinds:
            label = QLabel(self)
            button = QPushButton(self)
            button.clicked.connect(self._on_button)
            button.setProperty("document", kind)
            self.labels[kind], self.buttons[kind] = label, button
            grid.addWidget(label, row, 0)
            if kind in choosers:
                grid.addWidget(choosers[kind], row, 1)
                label.setBuddy(choosers[kind])
            grid.addWidget(button, row, 2)
            row += 1
            if kind == CASE_SHEET:
                grid.addWidget(self.reference_error, row, 1, 1, 2)
                row += 1
        for kind, widget in choosers.items():
            widget.setVisible(kind in self.kinds)
        grid.addWidget(self.status, row, 0, 1, 3)
        grid.setColumnStretch(1, 1)
        grid.setRowStretch(row + 1, 1)

    def _fill_languages(self) -> None:
        current = self.language.currentData() or current_language()
        self.language.blockSignals(True)
        self.language.clear()
        for code, label in _LANGUAGES:
            self.language.addItem(_(label), code)
        self.language.setCurrentIndex(max(0, self.language.findData(current)))
        self.language.blockSignals(False)

    def _show_choices(self) -> None:
        for combo, items, empty in (
            (self.template, self._choices.templates, _("No checklist templates installed")),
            (self.meeting, self._choices.meetings, _("No meetings recorded")),
        ):
            current = combo.currentData()
            combo.clear()
            for ident, label in items:
                combo.addItem(label, ident)
            if not items:
                combo.addItem(empty, None)
            combo.setCurrentIndex(max(0, combo.findData(current)))
            combo.setEnabled(bool(items))
            for index in range(combo.count()):  # a long name may not fit: the tip shows it all
                combo.setItemData(index, combo.itemText(index), Qt.ItemDataRole.ToolTipRole)
        self._enable()

    def _enable(self) -> None:
        ready = {
            CHECKLIST: bool(self._choices.templates),
            MINUTES: bool(self._choices.meetings),
        }
        for kind, button in self.buttons.items():
            button.setEnabled(not self._busy and ready.get(kind, True))

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        self._enable()

    def _status(self, text: str, role: str) -> None:
        self.status.setText(text)
        style.set_role(self.status, role)

    def _show_reference_error(self, text: str) -> None:
        self.reference_error.setText(text)
        self.reference_error.setVisible(bool(text))

    # -- private: events --------------------------------------------------------------------------

    def _on_button(self) -> None:
        button = self.sender()
        kind = button.property("document") if button is not None else None
        if kind:
            self.choose_and_build(str(kind))

    def _on_reference_entered(self) -> None:
        if CASE_SHEET in self.kinds:
            self.choose_and_build(CASE_SHEET)

    def _on_choices(self, choices: Choices) -> None:
        self._choices = choices
        self._show_choices()
        self.choices_loaded.emit()

    def _on_built(self, path: Path) -> None:
        self._set_busy(False)
        self._status(_("Saved {path}").format(path=path), "ok")
        self.document_built.emit(path)
        if self.open_file is not None:
            self.open_file(path)

    def _on_failed(self, error: BaseException) -> None:
        self._set_busy(False)
        if not isinstance(error, UserError | OSError):
            raise error
        if isinstance(error, ValidationError) and "reference" in error.fields:
            self._show_reference_error(error.fields["reference"])
            self._status("", "hint")
            self.document_failed.emit(error.fields["reference"])
            return
        message = _("The PDF could not be written: {reason}").format(reason=error)
        self._status(message, "error")
        self.document_failed.emit(message)
