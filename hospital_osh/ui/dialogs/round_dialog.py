"""One checklist round from walk-through to follow-up: the team's sheets, the consensus sheet,
the action plan, the progress against the area's previous round, and the PDFs.

The steps along the round's workflow are the moves ``available_moves`` offers to the user's role;
the service checks their guards (every item answered before submission, a priority item needs
an action item or a reason) and its messages, which name the items, appear above the tabs.
Answers are saved before any step is taken, so nothing typed is lost.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeyEvent, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMenu,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from hospital_osh.domain.actions import ACTION_STATUSES
from hospital_osh.domain.healthwise import (
    CHANGES,
    CONSENSUS_STATES,
    MEMBER_SHEET_STATES,
    STATES,
    Change,
    State,
)
from hospital_osh.domain.roles import Permission
from hospital_osh.i18n import _, current_language, format_date
from hospital_osh.services import actions, healthwise
from hospital_osh.services.actions import ActionInfo
from hospital_osh.services.errors import UserError, ValidationError
from hospital_osh.services.healthwise import (
    AssessmentInfo,
    PlanView,
    ProgressView,
    SheetView,
    TemplateDetail,
)
from hospital_osh.ui import style
from hospital_osh.ui.context import AppContext
from hospital_osh.ui.dialogs import reason_dialog
from hospital_osh.ui.dialogs.action_dialog import ActionDialog, open_with_system
from hospital_osh.ui.dialogs.assessment_dialog import AssessmentDialog
from hospital_osh.ui.widgets.checklist_form import ChecklistForm
from hospital_osh.ui.widgets.code_combo import fill_combo, select_data

CONSENSUS = -1
"""The sheet combo's data for the consensus sheet (member ids are positive)."""
ROW_ROLE = Qt.ItemDataRole.UserRole + 1
PDF_KINDS = ("blank", "filled", "plan", "progress")


class RoundDialog(QDialog):
    """Opens on a saved round; ``changed`` tells the page to refresh its list."""

    # -- signals ------------------------------------------------------------------------------
    changed = Signal()
    """Emitted after answers were saved, a step was taken or the plan changed."""

    def __init__(
        self,
        context: AppContext,
        assessment_id: int,
        parent: QWidget | None = None,
        *,
        open_file: Callable[[Path], None] = open_with_system,
    ):
        super().__init__(parent)
        self.context = context
        self.assessment_id = assessment_id
        self._open_file = open_file
        self._can_manage = context.actor.can(Permission.MANAGE_ACTIONS)
        self.ask_reason = reason_dialog.ask_reason
        """Asks for a step's reason; tests replace it."""
        self.choose_pdf_path: Callable[[str], Path | None] = self._choose_pdf_path
        """Asks where to save a PDF (given a suggested name); tests replace it."""
        self.info = AssessmentInfo()
        self.detail: TemplateDetail | None = None
        self.sheet: SheetView | None = None
        self.plan: PlanView | None = None
        self.progress: ProgressView | None = None
        self.action_dialog: ActionDialog | None = None
        self.edit_dialog: AssessmentDialog | None = None
        self._move_buttons: dict[str, QPushButton] = {}
        self._build()
        self.retranslate()
        self.reload()

    # -- public API ---------------------------------------------------------------------------

    def reload(self, *, sheet: int | None = None) -> None:
        """Read the round, its template, the chosen sheet, the plan and the progress again."""
        keep = sheet if sheet is not None else self.sheet_choice.currentData()
        actor = self.context.actor
        try:
            with self.context.database.session() as session:
                self.info = healthwise.get_assessment(session, actor, self.assessment_id)
                assert self.info.template_id is not None
                self.detail = healthwise.get_template(session, actor, self.info.template_id)
                self.plan = healthwise.get_plan(session, actor, self.assessment_id)
                self.progress = healthwise.get_progress(session, actor, self.assessment_id)
        except UserError as error:
            self.show_message(str(error))
            return
        self._fill_sheet_choice(keep)
        self._load_sheet()
        self._fill_header()
        self._fill_plan()
        self._fill_progress()

    def current_member(self) -> int | None:
        """The member whose sheet is shown; None for the consensus sheet."""
        data = self.sheet_choice.currentData()
        return None if data in (None, CONSENSUS) else int(data)

    def choose_sheet(self, member_id: int | None) -> bool:
        """Show a member's sheet, or the consensus sheet (None); unsaved answers are saved."""
        if self.form.is_dirty() and not self.save_answers():
            return False
        return select_data(self.sheet_choice, CONSENSUS if member_id is None else member_id)

    def save_answers(self) -> bool:
        """Save what changed on the shown sheet; on failure keep the input and say why."""
        changed = self.form.changed_answers()
        if not changed or self.sheet is None:
            return True
        self.clear_message()
        try:
            with self.context.database.transaction() as session:
                self.sheet = healthwise.save_answers(
                    session, self.context.actor, self.assessment_id, self.sheet.member_id, changed
                )
                # Saving answers changes the round's version: take the new one for the next step.
                self.info = healthwise.get_assessment(
                    session, self.context.actor, self.assessment_id
                )
        except ValidationError as error:
            self.show_message("\n".join(error.fields.values()))
            first = next(iter(error.fields), "")
            self.form.show_code(first)
            return False
        except UserError as error:
            self.show_message(str(error))
            return False
        self.form.mark_clean()
        self._update_sheet_summary()
        self.changed.emit()
        return True

    def move_buttons(self) -> dict[str, QPushButton]:
        return dict(self._move_buttons)

    def take_move(self, target: str) -> bool:
        """Take the round one step on after saving the answers; True when it moved."""
        choice = next(
            (
                m
                for m in healthwise.available_moves(self.context.actor, self.info.state)
                if m.target == target
            ),
            None,
        )
        if choice is None:
            return False
        if not self.save_answers():
            return False
        reason = ""
        if choice.needs_reason:
            answer = self.ask_reason(self, choice.label, choice.label, needs_reason=True)
            if answer is None:
                return False
            reason = answer.reason
        self.clear_message()
        try:
            with self.context.database.transaction() as session:
                healthwise.move_assessment(
                    session,
                    self.context.actor,
                    self.assessment_id,
                    target,
                    reason=reason,
                    version=self.info.version,
                )
        except ValidationError as error:
            self.show_message("\n".join(error.fields.values()))
            if self.form.unanswered() and self.tabs.currentIndex() == 0:
                self.form.show_code(self.form.unanswered()[0])
            return False
        except UserError as error:
            self.show_message(str(error))
            return False
        self.reload(sheet=CONSENSUS if target == "in_group_review" else None)
        self.changed.emit()
        return True

    def create_priority_items(self) -> int:
        """One proposed action item for each priority without an item or a reason."""
        try:
            with self.context.database.transaction() as session:
                made = healthwise.create_actions_from_priorities(
                    session, self.context.actor, self.assessment_id
                )
        except UserError as error:
            self._plan_error(error)
            return 0
        self.reload()
        self.plan_message.setText(
            _("{count} action items proposed.").format(count=len(made))
            if made
            else _("Every priority already has an action item or a reason.")
        )
        self.changed.emit()
        return len(made)

    def add_item_for_selected(self) -> ActionDialog | None:
        """Add an action item for the selected checkpoint and open it for editing."""
        line = self._selected_line()
        if line is None:
            return None
        try:
            with self.context.database.transaction() as session:
                made = healthwise.add_plan_action(
                    session,
                    self.context.actor,
                    self.assessment_id,
                    line.checkpoint.code,
                    ActionInfo(),
                )
        except UserError as error:
            self._plan_error(error)
            return None
        self.reload()
        self.changed.emit()
        return self.open_action(made.id) if made.id is not None else None

    def set_reason_for_selected(self, reason: str | None = None) -> bool:
        """Write why the selected priority gets no action item (asked for when None)."""
        line = self._selected_line()
        if line is None:
            return False
        if reason is None:
            answer = self.ask_reason(
                self,
                _("Reason for no action"),
                _("Why does {code} get no action item?").format(code=line.checkpoint.code),
                needs_reason=False,
            )
            if answer is None:
                return False
            reason = answer.reason
        try:
            with self.context.database.transaction() as session:
                healthwise.set_no_action_reason(
                    session, self.context.actor, self.assessment_id, line.checkpoint.code, reason
                )
        except ValidationError as error:
            self.plan_message.setText("\n".join(error.fields.values()))
            return False
        except UserError as error:
            self._plan_error(error)
            return False
        self.reload()
        self.changed.emit()
        return True

    def open_action(self, action_id: int | None = None) -> ActionDialog | None:
        if action_id is None:
            line = self._selected_line()
            if line is None or not line.actions:
                return None
            action_id = line.actions[0].id
        try:
            with self.context.database.session() as session:
                info = actions.get_action(session, self.context.actor, action_id)
        except UserError as error:
            self._plan_error(error)
            return None
        dialog = ActionDialog(self.context, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.load(info)
        dialog.saved.connect(self._on_action_changed)
        dialog.changed.connect(self._on_action_changed)
        dialog.finished.connect(self._on_action_dialog_finished)
        self.action_dialog = dialog
        dialog.open()
        return dialog

    def edit_round(self) -> AssessmentDialog | None:
        dialog = AssessmentDialog(self.context, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.load(self.info)
        dialog.saved.connect(self._on_round_edited)
        dialog.finished.connect(self._on_edit_dialog_finished)
        self.edit_dialog = dialog
        dialog.open()
        return dialog

    def print_pdf(self, kind: str, path: Path | None = None, language: str | None = None) -> None:
        """Write one of ``PDF_KINDS`` off the GUI thread and open it."""
        language = language or self.pdf_language.currentData() or current_language()
        if path is None:
            suggested = {
                "blank": _("blank-checklist.pdf"),
                "filled": _("filled-checklist.pdf"),
                "plan": _("round-action-plan.pdf"),
                "progress": _("progress-report.pdf"),
            }[kind]
            path = self.choose_pdf_path(suggested)
            if path is None:
                return
        if kind == "filled" and self.form.is_dirty() and not self.save_answers():
            return
        database, actor, round_id = self.context.database, self.context.actor, self.assessment_id
        member = self.current_member()
        template_id = self.info.template_id
        target = path

        def job(state):  # type: ignore[no-untyped-def]
            from hospital_osh.reports.action_plan import build_action_plan, build_progress_report
            from hospital_osh.reports.checklist import build_checklist
            from hospital_osh.services.hospital import get_profile

            with database.session() as session:
                profile = get_profile(session)
                detail = healthwise.get_template(session, actor, template_id)
                info = healthwise.get_assessment(session, actor, round_id)
                sheet = healthwise.get_sheet(session, actor, round_id, member)
                plan = healthwise.get_plan(session, actor, round_id)
                progress = healthwise.get_progress(session, actor, round_id)
            state.report(1, 2, "")
            hospital = ""
            if profile is not None:
                hospital = profile.name_zh if language == "zh_CN" else profile.name_en
            if kind == "blank":
                build_checklist(detail, language, target, assessment=info, hospital_name=hospital)
            elif kind == "filled":
                build_checklist(
                    detail, language, target, assessment=info, sheet=sheet, hospital_name=hospital
                )
            elif kind == "plan":
                build_action_plan(
                    plan.all_actions, language, target, plan=plan, hospital_name=hospital
                )
            else:
                build_progress_report(progress, plan, language, target, hospital_name=hospital)
            return target

        self.pdf_button.setEnabled(False)
        self.context.runner.run(job, on_done=self._on_printed, on_error=self._on_print_failed)

    def show_message(self, text: str) -> None:
        self.message.setText(text)
        self.message.setVisible(bool(text))

    def clear_message(self) -> None:
        self.show_message("")

    def retranslate(self) -> None:
        self.tabs.setTabText(0, _("Checklist"))
        self.tabs.setTabText(1, _("Action plan"))
        self.tabs.setTabText(2, _("Progress"))
        self.sheet_label.setText(_("Sheet:"))
        self.save_button.setText(_("Save answers (Ctrl+S)"))
        self.edit_button.setText(_("Edit round…"))
        self.edit_button.setToolTip(_("Area, date, notes and team"))
        self.pdf_button.setText(_("PDF"))
        self.pdf_button.setToolTip(_("Print the checklist, the plan or the progress report"))
        self.pdf_actions["blank"].setText(_("Blank checklist for the walk-through…"))
        self.pdf_actions["filled"].setText(_("Filled checklist (this sheet)…"))
        self.pdf_actions["plan"].setText(_("Action plan of the round…"))
        self.pdf_actions["progress"].setText(_("Progress report by module…"))
        fill_combo(self.pdf_language, [(_("Chinese"), "zh_CN"), (_("English"), "en")])
        self.pdf_language.setToolTip(_("Language of the PDF"))
        self.close_button.setText(_("Close"))
        self.plan_table.setHorizontalHeaderLabels(
            [
                _("Checkpoint"),
                _("Priority"),
                _("Remarks"),
                _("Action items"),
                _("Reason for no action"),
            ]
        )
        self.revisions_button.setText(_("Approved revisions"))
        self.revisions_button.setToolTip(
            _(
                "Print an approved revision of the plan: a read-only copy as the committee "
                "approved it"
            )
        )
        self.create_items_button.setText(_("Create items for the priorities"))
        self.add_item_button.setText(_("Add item for the checkpoint…"))
        self.reason_button.setText(_("Reason for no action…"))
        self.open_item_button.setText(_("Open item…"))
        self.progress_table.setHorizontalHeaderLabels(
            [
                _("Module"),
                _("Checkpoints"),
                _("Action proposed: before → now"),
                _("Priorities: before → now"),
                _("Improved"),
                _("Worsened"),
                _("Items completed"),
            ]
        )
        self.form.retranslate()
        if self.detail is not None:
            self._fill_sheet_choice(self.sheet_choice.currentData())
            self._fill_header()
            self._fill_plan()
            self._fill_progress()
            self._set_module_titles()

    # -- QDialog ------------------------------------------------------------------------------

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.matches(QKeySequence.StandardKey.Save):
            self.save_answers()
            return
        super().keyPressEvent(event)

    def reject(self) -> None:
        if self.form.is_dirty() and not self.context.ask.discard_changes(self):
            return
        self.form.mark_clean()
        super().reject()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.form.is_dirty() and not self.context.ask.discard_changes(self):
            event.ignore()
            return
        self.form.mark_clean()
        super().closeEvent(event)

    # -- private: building --------------------------------------------------------------------

    def _build(self) -> None:
        self.setMinimumSize(960, 600)
        self.resize(1180, 660)  # fits a 1366x768 screen with its task bar and title bar
        self.heading = QLabel(self)
        self.heading.setObjectName("sectionTitle")
        self.heading.setWordWrap(True)
        self.state_label = QLabel(self)
        font = self.state_label.font()
        font.setBold(True)
        self.state_label.setFont(font)
        self.note_label = QLabel(self)
        style.set_role(self.note_label, "hint")
        self.note_label.setWordWrap(True)
        self.steps = QHBoxLayout()
        self.edit_button = QPushButton(self)
        self.edit_button.setAutoDefault(False)
        self.edit_button.clicked.connect(self.edit_round)
        self.pdf_language = QComboBox(self)
        self.pdf_button = QPushButton(self)
        self.pdf_button.setAutoDefault(False)
        menu = QMenu(self.pdf_button)
        self.pdf_actions: dict[str, QAction] = {}
        for kind in PDF_KINDS:
            action = QAction(menu)
            action.setData(kind)
            action.triggered.connect(self._on_pdf_action)
            menu.addAction(action)
            self.pdf_actions[kind] = action
        self.pdf_button.setMenu(menu)
        self.message = QLabel(self)
        style.set_role(self.message, "error")
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.message.hide()

        # Checklist tab
        self.sheet_label = QLabel(self)
        self.sheet_choice = QComboBox(self)
        self.sheet_choice.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.sheet_label.setBuddy(self.sheet_choice)
        self.sheet_choice.currentIndexChanged.connect(self._on_sheet_chosen)
        self.save_button = QPushButton(self)
        self.save_button.setAutoDefault(False)
        self.save_button.clicked.connect(self.save_answers)
        self.sheet_summary = QLabel(self)
        style.set_role(self.sheet_summary, "hint")
        self.form = ChecklistForm(self)
        self.form.answers_changed.connect(self._update_sheet_summary)
        checklist_tab = QWidget(self)
        checklist_layout = QVBoxLayout(checklist_tab)
        sheet_row = QHBoxLayout()
        sheet_row.addWidget(self.sheet_label)
        sheet_row.addWidget(self.sheet_choice)
        sheet_row.addWidget(self.save_button)
        sheet_row.addWidget(self.sheet_summary, 1)
        checklist_layout.addLayout(sheet_row)
        checklist_layout.addWidget(self.form, 1)

        # Plan tab
        self.plan_table = QTableWidget(0, 5, self)
        self.plan_table.verticalHeader().setVisible(False)
        self.plan_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.plan_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.plan_table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.plan_table.setWordWrap(True)
        header = self.plan_table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(4, QHeaderView.ResizeMode.Interactive)
        header.resizeSection(2, 200)
        header.resizeSection(3, 260)
        header.resizeSection(4, 180)
        header.sectionResized.connect(self._on_plan_column_resized)
        self.plan_table.itemSelectionChanged.connect(self._update_plan_buttons)
        self.plan_table.doubleClicked.connect(self._on_plan_double_clicked)
        self.create_items_button = QPushButton(self)
        self.add_item_button = QPushButton(self)
        self.reason_button = QPushButton(self)
        self.open_item_button = QPushButton(self)
        self.create_items_button.clicked.connect(self.create_priority_items)
        self.add_item_button.clicked.connect(self.add_item_for_selected)
        self.reason_button.clicked.connect(self._on_reason_clicked)
        self.open_item_button.clicked.connect(self._on_open_item_clicked)
        self.plan_message = QLabel(self)
        self.plan_message.setWordWrap(True)
        self.revision_label = QLabel(self)
        self.revision_label.setWordWrap(True)
        self.revision_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.revisions_button = QPushButton(self)
        self.revisions_button.setAutoDefault(False)
        self.revisions_menu = QMenu(self.revisions_button)
        self.revisions_menu.triggered.connect(self._on_revision_triggered)
        self.revisions_button.setMenu(self.revisions_menu)
        plan_tab = QWidget(self)
        plan_layout = QVBoxLayout(plan_tab)
        plan_buttons = QHBoxLayout()
        for button in (
            self.create_items_button,
            self.add_item_button,
            self.reason_button,
            self.open_item_button,
        ):
            button.setAutoDefault(False)
            plan_buttons.addWidget(button)
        plan_buttons.addStretch(1)
        plan_buttons.addWidget(self.revisions_button)
        plan_layout.addLayout(plan_buttons)
        plan_layout.addWidget(self.revision_label)
        plan_layout.addWidget(self.plan_table, 1)
        plan_layout.addWidget(self.plan_message)

        # Progress tab
        self.progress_summary = QLabel(self)
        self.progress_summary.setWordWrap(True)
        self.progress_table = QTableWidget(0, 7, self)
        self.progress_table.verticalHeader().setVisible(False)
        self.progress_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.progress_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        progress_header = self.progress_table.horizontalHeader()
        progress_header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column in range(1, 7):
            progress_header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        self.changes_label = QLabel(self)
        self.changes_label.setWordWrap(True)
        progress_tab = QWidget(self)
        progress_layout = QVBoxLayout(progress_tab)
        progress_layout.addWidget(self.progress_summary)
        progress_layout.addWidget(self.progress_table, 1)
        progress_layout.addWidget(self.changes_label)

        self.tabs = QTabWidget(self)
        self.tabs.addTab(checklist_tab, "")
        self.tabs.addTab(plan_tab, "")
        self.tabs.addTab(progress_tab, "")

        self.close_button = QPushButton(self)
        self.close_button.setAutoDefault(False)
        self.close_button.clicked.connect(self.reject)

        top = QHBoxLayout()
        top.addWidget(self.heading, 1)
        top.addWidget(self.state_label)
        steps_row = QHBoxLayout()
        steps_row.addLayout(self.steps)
        steps_row.addStretch(1)
        steps_row.addWidget(self.edit_button)
        steps_row.addWidget(self.pdf_language)
        steps_row.addWidget(self.pdf_button)
        bottom = QHBoxLayout()
        bottom.addStretch(1)
        bottom.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.note_label)
        layout.addLayout(steps_row)
        layout.addWidget(self.message)
        layout.addWidget(self.tabs, 1)
        layout.addLayout(bottom)

    # -- private: filling ---------------------------------------------------------------------

    def _chinese(self) -> bool:
        return current_language() == "zh_CN"

    def _fill_header(self) -> None:
        info = self.info
        chinese = self._chinese()
        template = (
            (info.template_name_zh or info.template_name_en)
            if chinese
            else (info.template_name_en or info.template_name_zh)
        )
        department = (
            (info.department_zh or info.department_en)
            if chinese
            else (info.department_en or info.department_zh)
        )
        where = " · ".join(part for part in (department, info.area) if part)
        self.heading.setText(
            _("{template}: {where}, {date}").format(
                template=template, where=where, date=format_date(info.assessed_on)
            )
        )
        self.setWindowTitle(_("Checklist round: {where}").format(where=where))
        self.state_label.setText(_(STATES.label(info.state)))
        notes = []
        if info.template_working:
            notes.append(
                _(
                    "Working version: the checkpoints are written in our own words and are not "
                    "the official text."
                )
            )
        team = ", ".join(m.name for m in info.members)
        notes.append(_("Team: {names}").format(names=team))
        if info.previous_assessed_on:
            notes.append(
                _("Previous round: {date}").format(date=format_date(info.previous_assessed_on))
            )
        if info.returned_reason:
            notes.append(_("Returned for rework: {reason}").format(reason=info.returned_reason))
        self.note_label.setText(" · ".join(notes))
        for button in self._move_buttons.values():
            self.steps.removeWidget(button)
            button.hide()
            button.deleteLater()
        self._move_buttons = {}
        for move in healthwise.available_moves(self.context.actor, info.state):
            button = QPushButton(move.label, self)
            button.setAutoDefault(False)
            button.setProperty("target", move.target)
            button.clicked.connect(self._on_move_clicked)
            self.steps.addWidget(button)
            self._move_buttons[move.target] = button
        self.edit_button.setVisible(self._can_manage)
        self.edit_button.setEnabled(info.state in MEMBER_SHEET_STATES)

    def _fill_sheet_choice(self, keep: object) -> None:
        items: list[tuple[str, object]] = []
        for member in self.info.members:
            label = _("{name}'s sheet").format(name=member.name)
            if member.id not in self.info.member_sheets:
                label = _("{name}'s sheet (not started)").format(name=member.name)
            items.append((label, member.id))
        if self.info.has_consensus:
            items.append((_("Consensus sheet"), CONSENSUS))
        self.sheet_choice.blockSignals(True)
        fill_combo(self.sheet_choice, items, keep=False)
        if keep is None and self.info.has_consensus and self.info.state not in MEMBER_SHEET_STATES:
            keep = CONSENSUS
        select_data(self.sheet_choice, keep)
        self.sheet_choice.blockSignals(False)

    def _load_sheet(self) -> None:
        member = self.current_member()
        if member is None and self.sheet_choice.currentData() != CONSENSUS:
            self.sheet = None
            return
        try:
            with self.context.database.session() as session:
                self.sheet = healthwise.get_sheet(
                    session, self.context.actor, self.assessment_id, member
                )
        except UserError as error:
            self.show_message(str(error))
            return
        editable = self.sheet.editable and self._can_manage
        reasons_only = member is None and self.info.state not in CONSENSUS_STATES
        self.form.load(
            self.sheet, chinese=self._chinese(), editable=editable, reasons_only=reasons_only
        )
        self._set_module_titles()
        self.save_button.setEnabled(editable)
        self._update_sheet_summary()

    def _set_module_titles(self) -> None:
        if self.detail is None:
            return
        chinese = self._chinese()
        self.form.set_module_titles(
            {m.code: f"{m.code} {m.title(chinese)}" for m in self.detail.modules}
        )

    def _update_sheet_summary(self) -> None:
        left = len(self.form.unanswered())
        total = self.form.count()
        text = _("{answered} of {total} answered").format(answered=total - left, total=total)
        if self.sheet is not None and not self.sheet.editable:
            text = _("{summary} · read only at this step").format(summary=text)
        elif self.form.reasons_only():
            text = _("{summary} · priorities agreed: only reasons for no action can change").format(
                summary=text
            )
        elif self.form.is_dirty():
            text = _("{summary} · unsaved changes").format(summary=text)
        self.sheet_summary.setText(text)

    def _fill_plan(self) -> None:
        plan = self.plan
        lines = plan.lines if plan else ()
        chinese = self._chinese()
        self.plan_table.setRowCount(len(lines))
        for row, line in enumerate(lines):
            items = "\n".join(
                _("{reference} {title} ({status})").format(
                    reference=a.reference, title=a.title, status=_(ACTION_STATUSES.label(a.status))
                )
                for a in line.actions
            )
            cells = (
                f"{line.checkpoint.code} {line.checkpoint.title(chinese)}",
                _("Priority") if line.priority else "",
                line.remarks,
                items,
                line.no_action_reason,
            )
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setData(ROW_ROLE, row)
                if column == 1 and line.priority:
                    item.setForeground(style_colour(style.ERROR))
                self.plan_table.setItem(row, column, item)
        self.plan_table.resizeRowsToContents()
        self._fill_revisions()
        in_plan = self.info.state in healthwise.PLAN_STATES and self._can_manage
        self.create_items_button.setEnabled(in_plan)
        priorities = sum(1 for line in lines if line.priority)
        self.plan_message.setText(
            _("{lines} checkpoints with proposed action, {priorities} of them priorities.").format(
                lines=len(lines), priorities=priorities
            )
            if lines
            else _("The plan fills in once the team has agreed the consensus sheet.")
        )
        self._update_plan_buttons()

    def _fill_revisions(self) -> None:
        """The approved revision the plan stands on, what changed since, and the earlier ones."""
        status = self.plan.status if self.plan is not None else None
        self.revisions_menu.clear()
        current = status.current if status is not None else None
        if status is None or current is None:
            if self.info.state in (State.PLAN_APPROVED, State.FOLLOW_UP, State.CLOSED):
                text = _(
                    "The plan was approved before the application kept revisions; the "
                    "committee's next approval of it will be revision 1."
                )
            elif self.info.state in healthwise.PLAN_STATES:
                text = _("Once the committee approves the plan, it is kept as revision 1.")
            else:
                text = ""
            self.revision_label.setText(text)
            self.revision_label.setVisible(bool(text))
            self.revisions_button.setEnabled(False)
            return
        text = _("Revision {number}, approved on {date} by {name}.").format(
            number=current.number,
            date=format_date(current.approved_at.date()),
            name=current.approved_by_name,
        )
        if status.changed:
            changes = "\n".join(f"• {c.text}" for c in status.changes)
            text = _(
                "{revision} Changed since, to be approved by the committee as revision "
                "{next}:\n{changes}"
            ).format(revision=text, next=current.number + 1, changes=changes)
            style.set_role(self.revision_label, "notice")
        else:
            text = _("{revision} Unchanged since.").format(revision=text)
            style.set_role(self.revision_label, "hint")
        self.revision_label.setText(text)
        self.revision_label.setVisible(True)
        for revision in status.revisions:
            action = self.revisions_menu.addAction(
                _("Revision {number}, approved on {date}…").format(
                    number=revision.number, date=format_date(revision.approved_at.date())
                )
            )
            action.setData(revision.number)
        self.revisions_button.setEnabled(True)

    def print_revision(
        self, number: int, path: Path | None = None, language: str | None = None
    ) -> None:
        """Write an approved revision of the plan (read-only snapshot) off the GUI thread."""
        language = language or self.pdf_language.currentData() or current_language()
        if path is None:
            path = self.choose_pdf_path(
                _("action-plan-revision-{number}.pdf").format(number=number)
            )
            if path is None:
                return
        database, actor, round_id, target = (
            self.context.database,
            self.context.actor,
            self.assessment_id,
            path,
        )

        def job(state):  # type: ignore[no-untyped-def]
            from hospital_osh.reports.action_plan import build_action_plan
            from hospital_osh.services.hospital import get_profile

            with database.session() as session:
                profile = get_profile(session)
                frozen = healthwise.get_plan_revision(session, actor, round_id, number)
            hospital = ""
            if profile is not None:
                hospital = profile.name_zh if language == "zh_CN" else profile.name_en
            build_action_plan(
                frozen.plan.all_actions,
                language,
                target,
                plan=frozen.plan,
                revision=frozen.revision,
                hospital_name=hospital,
            )
            return target

        self.pdf_button.setEnabled(False)
        self.context.runner.run(job, on_done=self._on_printed, on_error=self._on_print_failed)

    def _on_revision_triggered(self, action: QAction) -> None:
        self.print_revision(int(action.data()))

    def _fill_progress(self) -> None:
        progress = self.progress
        if progress is None:
            return
        chinese = self._chinese()
        if progress.previous is None:
            self.progress_summary.setText(
                _("This is the first round of this area: nothing to compare with yet.")
            )
        else:
            self.progress_summary.setText(
                _(
                    "Compared with the round of {date}: action proposed on {before} items "
                    "then, on {after} now."
                ).format(
                    date=format_date(progress.previous.assessed_on),
                    before=progress.proposed_before,
                    after=progress.proposed_after,
                )
            )
        self.progress_table.setRowCount(len(progress.modules))
        for row, module in enumerate(progress.modules):
            title = module.title_zh if chinese else module.title_en
            cells = (
                f"{module.code} {title}",
                str(module.checkpoints),
                f"{module.proposed_before} → {module.proposed_after}",
                f"{module.priority_before} → {module.priority_after}",
                str(module.improved),
                str(module.worsened),
                f"{module.actions_completed}/{module.actions_total}",
            )
            for column, text in enumerate(cells):
                self.progress_table.setItem(row, column, QTableWidgetItem(text))
        improved = [c.code for c in progress.changes if c.change == Change.IMPROVED]
        worsened = [c.code for c in progress.changes if c.change == Change.WORSENED]
        parts = []
        if improved:
            parts.append(f"{_(CHANGES.label(Change.IMPROVED))}: {', '.join(improved)}")
        if worsened:
            parts.append(f"{_(CHANGES.label(Change.WORSENED))}: {', '.join(worsened)}")
        self.changes_label.setText("\n".join(parts))

    def _selected_line(self):  # type: ignore[no-untyped-def]
        rows = self.plan_table.selectionModel().selectedRows()
        if not rows or self.plan is None:
            return None
        index = rows[0].row()
        return self.plan.lines[index] if 0 <= index < len(self.plan.lines) else None

    def _update_plan_buttons(self) -> None:
        line = self._selected_line()
        in_plan = self.info.state in healthwise.PLAN_STATES and self._can_manage
        self.add_item_button.setEnabled(in_plan and line is not None)
        self.reason_button.setEnabled(
            self._can_manage
            and line is not None
            and line.priority
            and self.info.state in ("in_group_review", "prioritized")
        )
        self.open_item_button.setEnabled(line is not None and bool(line.actions))

    def _plan_error(self, error: UserError) -> None:
        if isinstance(error, ValidationError):
            self.plan_message.setText("\n".join(error.fields.values()))
        else:
            self.plan_message.setText(str(error))

    def _choose_pdf_path(self, suggested: str) -> Path | None:
        name, _filter = QFileDialog.getSaveFileName(
            self, _("Save the PDF"), str(Path.home() / suggested), _("PDF files (*.pdf)")
        )
        return Path(name) if name else None

    # -- private: events ----------------------------------------------------------------------

    def _on_sheet_chosen(self, _index: int) -> None:
        dirty = self.form.is_dirty() and self.sheet is not None
        if dirty and not self._save_previous_sheet():
            return
        self._load_sheet()

    def _save_previous_sheet(self) -> bool:
        """Save the sheet shown before the combo changed (``self.sheet`` is still that one);
        when that fails, go back to it with the input kept."""
        assert self.sheet is not None
        if self.save_answers():
            return True
        self.sheet_choice.blockSignals(True)
        select_data(
            self.sheet_choice, CONSENSUS if self.sheet.member_id is None else self.sheet.member_id
        )
        self.sheet_choice.blockSignals(False)
        return False

    def _on_move_clicked(self) -> None:
        button = self.sender()
        if isinstance(button, QPushButton):
            self.take_move(str(button.property("target")))

    def _on_pdf_action(self) -> None:
        action = self.sender()
        if isinstance(action, QAction):
            self.print_pdf(str(action.data()))

    def _on_plan_column_resized(self, *_args: object) -> None:
        self.plan_table.resizeRowsToContents()

    def _on_reason_clicked(self) -> None:
        self.set_reason_for_selected()

    def _on_open_item_clicked(self) -> None:
        self.open_action()

    def _on_plan_double_clicked(self, _index: object) -> None:
        self.open_action()

    def _on_action_changed(self, _info: object) -> None:
        self.reload()
        self.changed.emit()

    def _on_action_dialog_finished(self, _result: int) -> None:
        self.action_dialog = None

    def _on_round_edited(self, _info: object) -> None:
        self.reload()
        self.changed.emit()

    def _on_edit_dialog_finished(self, _result: int) -> None:
        self.edit_dialog = None

    def _on_printed(self, path: Path) -> None:
        self.pdf_button.setEnabled(True)
        self._open_file(Path(path))

    def _on_print_failed(self, error: BaseException) -> None:
        self.pdf_button.setEnabled(True)
        self.show_message(_("The PDF could not be written: {reason}").format(reason=error))


def style_colour(name: str):  # type: ignore[no-untyped-def]
    from PySide6.QtGui import QBrush, QColor

    return QBrush(QColor(name))
