"""One action item: what, where, who, when, resources and cost; its status steps, update log and
evidence files.

The form edits an ``ActionInfo`` and saves through ``services.actions`` (the house save flow of
``EditDialog``). The status buttons are the moves ``available_transitions`` offers to the
actor's role; a move that needs a reason or a new due date asks for it first, and the service's
guards (an owner cannot verify their own item...) answer beside the fields or in the banner.
Status moves, notes and evidence are written at once, each in its own transaction.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import Callable
from dataclasses import replace
from decimal import Decimal, InvalidOperation
from pathlib import Path

from PySide6.QtCore import Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.orm import Session

from hospital_osh.domain.actions import (
    ACTION_STATUSES,
    CLOSED_STATUSES,
    COST_CATEGORIES,
    EVIDENCE_KINDS,
    HIERARCHY_LEVELS,
    SOURCE_KINDS,
)
from hospital_osh.domain.roles import Permission
from hospital_osh.i18n import _, current_language, format_date, format_datetime, format_number
from hospital_osh.services import actions
from hospital_osh.services.actions import ActionInfo, ActionUpdateRow, EvidenceInfo
from hospital_osh.services.errors import UserError, ValidationError
from hospital_osh.services.hospital import list_departments
from hospital_osh.ui import style
from hospital_osh.ui.context import AppContext
from hospital_osh.ui.dialogs import reason_dialog
from hospital_osh.ui.dialogs.edit_dialog import EditDialog
from hospital_osh.ui.widgets.code_combo import fill_code_combo, fill_combo, select_data
from hospital_osh.ui.widgets.optional_date_edit import OptionalDateEdit

FIELDS = (
    "title",
    "details",
    "department_id",
    "location",
    "owner_name",
    "supporting",
    "due_date",
    "resources",
    "cost_category",
    "cost_cny",
    "hierarchy_level",
    "verification_method",
    "gender_relevant",
)
"""The form's rows, named as the actions service names its fields."""
EVIDENCE_ROLE = Qt.ItemDataRole.UserRole + 7
"""Item data role holding an evidence row's id."""
_FIELD_ALIASES = {"owner": "owner_name"}
"""Service message keys shown beside a differently named row."""


def open_with_system(path: Path) -> None:
    QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))


def _short_text(parent: QWidget, lines: int = 2) -> QPlainTextEdit:
    edit = QPlainTextEdit(parent)
    edit.setTabChangesFocus(True)
    edit.setFixedHeight(edit.fontMetrics().lineSpacing() * lines + 14)
    return edit


def _parse_cost(text: str) -> Decimal | str | None:
    """The typed cost, None when empty, or the text itself when it is not a number."""
    cleaned = text.strip().replace(",", "").replace("，", "").replace("¥", "").replace("元", "")
    if not cleaned:
        return None
    try:
        return Decimal(cleaned)
    except InvalidOperation:
        return text


class ActionDialog(EditDialog):
    """Enter saves, Esc cancels. ``saved`` carries the saved ``ActionInfo``; ``changed`` is
    emitted after a status move, a note or an attachment (the item was written at once)."""

    # -- signals ------------------------------------------------------------------------------
    changed = Signal(object)
    """Emitted with the item's new ``ActionInfo`` after a status move, note or attachment."""

    def __init__(
        self,
        context: AppContext,
        parent: QWidget | None = None,
        *,
        open_file: Callable[[Path], None] = open_with_system,
    ):
        super().__init__(context, parent, min_width=720)
        self._loaded = ActionInfo()
        self._open_file = open_file
        self._can_manage = context.actor.can(Permission.MANAGE_ACTIONS)
        self.ask_reason = reason_dialog.ask_reason
        """Asks for a step's reason and new due date; tests replace it."""
        self.choose_file: Callable[[], str] = self._choose_file
        """Asks for the file to attach; tests replace it."""
        self._build()
        self.retranslate()
        self.load(ActionInfo())

    # -- public API ---------------------------------------------------------------------------

    def load(self, info: ActionInfo) -> None:
        """Fill the form, the status buttons, the log and the files from ``info``."""
        self._loaded = info
        self._load_departments(info.department_id)
        self.title.setText(info.title)
        self.details.setPlainText(info.details)
        select_data(self.department, info.department_id)
        self.location.setText(info.location)
        self.owner_name.setText(info.owner_name)
        self._owner_user_id = info.owner_user_id
        self.supporting.setText(info.supporting)
        self.due_date.set_value(info.due_date)
        self.resources.setPlainText(info.resources)
        select_data(self.cost_category, info.cost_category)
        self.cost_cny.setText(f"{info.cost_cny:.2f}" if info.cost_cny is not None else "")
        select_data(self.hierarchy_level, info.hierarchy_level)
        self.verification_method.setPlainText(info.verification_method)
        self.gender_relevant.setChecked(info.gender_relevant)
        self.clear_messages()
        self.mark_clean()
        self._update_state()
        self._load_history()

    def info(self) -> ActionInfo:
        return self._loaded

    def to_info(self) -> ActionInfo:
        """What the form holds now (the cost as typed is checked by ``check``)."""
        cost = _parse_cost(self.cost_cny.text())
        return replace(
            self._loaded,
            title=self.title.text(),
            details=self.details.toPlainText(),
            department_id=self.department.currentData(),
            location=self.location.text(),
            owner_user_id=self._owner_user_id,
            owner_name=self.owner_name.text(),
            supporting=self.supporting.text(),
            due_date=self.due_date.value(),
            resources=self.resources.toPlainText(),
            cost_category=self.cost_category.currentData(),
            cost_cny=cost if not isinstance(cost, str) else None,
            hierarchy_level=self.hierarchy_level.currentData(),
            verification_method=self.verification_method.toPlainText(),
            gender_relevant=self.gender_relevant.isChecked(),
        )

    def transition_buttons(self) -> dict[str, QPushButton]:
        """The status steps offered now, by target status (for tests and the tour)."""
        return dict(self._transition_buttons)

    def take_transition(self, target: str) -> bool:
        """Move the item to ``target``, asking for what the step needs; True when it moved."""
        info = self._loaded
        if info.id is None:
            return False
        choice = next(
            (
                c
                for c in actions.available_transitions(self.context.actor, info.status)
                if c.target == target
            ),
            None,
        )
        if choice is None:
            return False
        if self.is_dirty():
            self.show_message(_("Save or undo your changes before changing the status."))
            return False
        reason, new_due = "", None
        if choice.needs_reason or choice.needs_new_due_date:
            answer = self.ask_reason(
                self,
                choice.label,
                _("{step}: {reference} {title}").format(
                    step=choice.label, reference=info.reference, title=info.title
                ),
                needs_reason=choice.needs_reason,
                needs_new_due_date=choice.needs_new_due_date,
            )
            if answer is None:
                return False
            reason, new_due = answer.reason, answer.new_due_date
        self.clear_messages()
        try:
            with self.context.database.transaction() as session:
                moved = actions.transition_action(
                    session,
                    self.context.actor,
                    info.id,
                    target,
                    reason=reason,
                    new_due_date=new_due,
                    version=info.version,
                )
        except ValidationError as error:
            fields = {_FIELD_ALIASES.get(k, k): v for k, v in error.fields.items()}
            self.show_errors(fields)
            return False
        except UserError as error:
            self.show_message(str(error))
            return False
        self.load(moved)
        self.changed.emit(moved)
        return True

    def add_note(self) -> bool:
        text = self.note.toPlainText()
        if self._loaded.id is None:
            return False
        try:
            with self.context.database.transaction() as session:
                actions.add_note(session, self.context.actor, self._loaded.id, text)
        except ValidationError as error:
            self.note_message.setText("\n".join(error.fields.values()))
            self.note_message.show()
            return False
        except UserError as error:
            self.note_message.setText(str(error))
            self.note_message.show()
            return False
        self.note.clear()
        self.note_message.hide()
        self._reload()
        return True

    def attach_file(self, path: str | Path | None = None) -> EvidenceInfo | None:
        """Attach ``path`` (asked for when None) as the chosen kind, with the caption typed."""
        if self._loaded.id is None:
            return None
        if path is None:
            path = self.choose_file()
            if not path:
                return None
        path = Path(path)
        self.evidence_message.hide()
        try:
            data = path.read_bytes()
        except OSError as error:
            self._evidence_error(_("The file cannot be read: {reason}").format(reason=error))
            return None
        try:
            with self.context.database.transaction() as session:
                added = actions.add_evidence(
                    session,
                    self.context.actor,
                    self._loaded.id,
                    path.name,
                    data,
                    kind=self.evidence_kind.currentData() or "document",
                    caption=self.caption.text(),
                )
        except ValidationError as error:
            self._evidence_error("\n".join(error.fields.values()))
            return None
        except UserError as error:
            self._evidence_error(str(error))
            return None
        self.caption.clear()
        self._reload()
        return added

    def open_evidence(self, evidence_id: int | None = None) -> Path | None:
        """Write the file to a private temporary folder and open it with the system's viewer."""
        if evidence_id is None:
            rows = self.evidence.selectionModel().selectedRows()
            if not rows:
                return None
            evidence_id = self.evidence.item(rows[0].row(), 0).data(EVIDENCE_ROLE)
        try:
            with self.context.database.session() as session:
                info, data = actions.evidence_data(session, self.context.actor, evidence_id)
        except UserError as error:
            self._evidence_error(str(error))
            return None
        folder = Path(tempfile.gettempdir()) / "hospital_osh_evidence"
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / f"{info.id}-{info.filename}"
        target.write_bytes(data)
        self._open_file(target)
        return target

    def retranslate(self) -> None:
        super().retranslate()
        labels = {
            "title": _("What will be done"),
            "details": _("Details"),
            "department_id": _("Department"),
            "location": _("Where"),
            "owner_name": _("Owner"),
            "supporting": _("Supporting people"),
            "due_date": _("Due date"),
            "resources": _("Resources"),
            "cost_category": _("Cost category"),
            "cost_cny": _("Cost (CNY)"),
            "hierarchy_level": _("Control level"),
            "verification_method": _("How success is checked"),
            "gender_relevant": _("Gender"),
        }
        for field, text in labels.items():
            self.form.set_label_text(field, text)
        self.me_button.setText(_("Me"))
        self.me_button.setToolTip(_("Make me the owner of this item"))
        self.gender_relevant.setText(_("Affects women and men differently"))
        self.cost_cny.setPlaceholderText(_("e.g. 1200.00"))
        fill_code_combo(self.cost_category, COST_CATEGORIES, any_label=_("(not set)"))
        fill_code_combo(self.hierarchy_level, HIERARCHY_LEVELS, any_label=_("(not set)"))
        fill_code_combo(self.evidence_kind, EVIDENCE_KINDS)
        self._load_departments(self.department.currentData())
        self.due_date.retranslate()
        self.tabs.setTabText(0, _("Details"))
        self.tabs.setTabText(1, _("Updates"))
        self.tabs.setTabText(2, _("Evidence"))
        self.updates.setHorizontalHeaderLabels([_("When"), _("Who"), _("Change"), _("Comment")])
        self.note.setPlaceholderText(_("A progress note for the log…"))
        self.note_button.setText(_("Add note"))
        self.evidence.setHorizontalHeaderLabels([_("File"), _("Shows"), _("Caption"), _("Added")])
        self.caption.setPlaceholderText(_("Caption (optional)"))
        self.evidence_kind.setToolTip(_("What the file shows"))
        self.attach_button.setText(_("Attach file…"))
        self.open_button.setText(_("Open"))
        self.status_caption.setText(_("Status:"))
        self._update_state()
        self._load_history()

    # -- EditDialog ---------------------------------------------------------------------------

    def snapshot(self) -> tuple[object, ...]:
        return (self.to_info(), self.cost_cny.text().strip())

    def check(self) -> dict[str, str]:
        if isinstance(_parse_cost(self.cost_cny.text()), str):
            return {"cost_cny": _("Enter a cost in yuan between 0 and 9,999,999,999.99.")}
        return {}

    def write(self, session: Session) -> ActionInfo:
        info = self.to_info()
        if info.id is None:
            return actions.create_action(session, self.context.actor, info)
        return actions.update_action(session, self.context.actor, info)

    def show_errors(self, errors):  # type: ignore[no-untyped-def]
        super().show_errors({_FIELD_ALIASES.get(k, k): v for k, v in errors.items()})

    def after_save(self, result: object) -> None:
        assert isinstance(result, ActionInfo)
        self._loaded = result

    # -- private: building --------------------------------------------------------------------

    def _build(self) -> None:
        self.title = QLineEdit(self)
        self.title.setMaxLength(300)
        self.details = _short_text(self)
        self.department = QComboBox(self)
        self.location = QLineEdit(self)
        self.location.setMaxLength(200)
        self.owner_name = QLineEdit(self)
        self.owner_name.setMaxLength(120)
        self.owner_name.textEdited.connect(self._on_owner_edited)
        self._owner_user_id: int | None = None
        self.me_button = QPushButton(self)
        self.me_button.clicked.connect(self._assign_to_me)
        owner_row = QWidget(self)
        owner_layout = QHBoxLayout(owner_row)
        owner_layout.setContentsMargins(0, 0, 0, 0)
        owner_layout.addWidget(self.owner_name, 1)
        owner_layout.addWidget(self.me_button)
        owner_row.setFocusProxy(self.owner_name)
        self.supporting = QLineEdit(self)
        self.supporting.setMaxLength(300)
        self.due_date = OptionalDateEdit(dt.date.today() + dt.timedelta(days=30), self)
        self.resources = _short_text(self)
        self.cost_category = QComboBox(self)
        self.cost_cny = QLineEdit(self)
        self.hierarchy_level = QComboBox(self)
        self.verification_method = _short_text(self)
        self.gender_relevant = QCheckBox(self)
        widgets: dict[str, QWidget] = {"department_id": self.department, "owner_name": owner_row}
        for field in FIELDS:
            self.form.add_row(field, "", widgets.get(field) or getattr(self, field))

        # The status line above the tabs: where the item is, and the steps the role may take.
        self.status_caption = QLabel(self)
        self.status_label = QLabel(self)
        self.status_label.setObjectName("actionStatus")
        font = self.status_label.font()
        font.setBold(True)
        self.status_label.setFont(font)
        self.source_label = QLabel(self)
        style.set_role(self.source_label, "hint")
        self.source_label.setWordWrap(True)
        self.steps = QHBoxLayout()
        self.steps.setSpacing(6)
        self._transition_buttons: dict[str, QPushButton] = {}
        status_row = QHBoxLayout()
        status_row.addWidget(self.status_caption)
        status_row.addWidget(self.status_label)
        status_row.addSpacing(12)
        status_row.addLayout(self.steps)
        status_row.addStretch(1)

        # The EditDialog's form goes into the first tab.
        outer = self.layout()
        assert isinstance(outer, QVBoxLayout)
        outer.removeItem(self.form)
        self.form.setParent(None)  # type: ignore[call-overload]
        details_tab = QWidget(self)
        details_tab.setLayout(self.form)

        self.updates = QTableWidget(0, 4, self)
        self._setup_table(self.updates, stretch=3)
        self.note = _short_text(self, 2)
        self.note_button = QPushButton(self)
        self.note_button.clicked.connect(self.add_note)
        self.note_message = QLabel(self)
        style.set_role(self.note_message, "error")
        self.note_message.setWordWrap(True)
        self.note_message.hide()
        updates_tab = QWidget(self)
        updates_layout = QVBoxLayout(updates_tab)
        updates_layout.addWidget(self.updates, 1)
        note_row = QHBoxLayout()
        note_row.addWidget(self.note, 1)
        note_row.addWidget(self.note_button)
        updates_layout.addLayout(note_row)
        updates_layout.addWidget(self.note_message)

        self.evidence = QTableWidget(0, 4, self)
        self._setup_table(self.evidence, stretch=2)
        self.evidence.doubleClicked.connect(self._on_evidence_double_clicked)
        self.evidence_kind = QComboBox(self)
        self.caption = QLineEdit(self)
        self.caption.setMaxLength(300)
        self.attach_button = QPushButton(self)
        self.attach_button.clicked.connect(self._on_attach_clicked)
        self.open_button = QPushButton(self)
        self.open_button.clicked.connect(self._on_open_clicked)
        self.evidence_message = QLabel(self)
        style.set_role(self.evidence_message, "error")
        self.evidence_message.setWordWrap(True)
        self.evidence_message.hide()
        evidence_tab = QWidget(self)
        evidence_layout = QVBoxLayout(evidence_tab)
        evidence_layout.addWidget(self.evidence, 1)
        attach_row = QHBoxLayout()
        attach_row.addWidget(self.evidence_kind)
        attach_row.addWidget(self.caption, 1)
        attach_row.addWidget(self.attach_button)
        attach_row.addWidget(self.open_button)
        evidence_layout.addLayout(attach_row)
        evidence_layout.addWidget(self.evidence_message)

        self.tabs = QTabWidget(self)
        self.tabs.addTab(details_tab, "")
        self.tabs.addTab(updates_tab, "")
        self.tabs.addTab(evidence_tab, "")
        outer.insertLayout(1, status_row)
        outer.insertWidget(2, self.source_label)
        outer.insertWidget(3, self.tabs, 1)

    @staticmethod
    def _setup_table(table: QTableWidget, *, stretch: int) -> None:
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        table.verticalHeader().setVisible(False)
        table.setWordWrap(True)
        header = table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)

    # -- private: state -----------------------------------------------------------------------

    def _update_state(self) -> None:
        info = self._loaded
        status = _(ACTION_STATUSES.label(info.status))
        if info.overdue:
            status = _("{status}, overdue").format(status=status)
        self.status_label.setText(status)
        style.set_role(self.status_label, "error" if info.overdue else "")
        source = _(SOURCE_KINDS.label(info.source_kind))
        parts = [source + (f": {info.source_label}" if info.source_label else "")]
        if info.status_reason:
            parts.append(_("Reason: {reason}").format(reason=info.status_reason))
        if info.verified_by:
            parts.append(
                _("Verified by {name} on {date}").format(
                    name=info.verified_by, date=format_date(info.verified_on)
                )
            )
        self.source_label.setText(" · ".join(parts))
        editable = self._can_manage and info.status not in CLOSED_STATUSES
        for field in FIELDS:
            self.form.field_widget(field).setEnabled(editable)
        self.save_button().setEnabled(editable)
        saved = info.id is not None
        self.tabs.setTabEnabled(1, saved)
        self.tabs.setTabEnabled(2, saved)
        for button in self._transition_buttons.values():
            self.steps.removeWidget(button)
            button.hide()
            button.deleteLater()
        self._transition_buttons = {}
        if saved:
            for choice in actions.available_transitions(self.context.actor, info.status):
                button = QPushButton(choice.label, self)
                button.setProperty("target", choice.target)
                button.clicked.connect(self._on_step_clicked)
                self.steps.addWidget(button)
                self._transition_buttons[choice.target] = button
        open_item = saved and editable
        for widget in (self.note, self.note_button, self.attach_button, self.caption):
            widget.setEnabled(open_item)
        self.evidence_kind.setEnabled(open_item)
        if info.id is None:
            self.setWindowTitle(_("New action item"))
        else:
            self.setWindowTitle(_("Action item {reference}").format(reference=info.reference))

    def _load_history(self) -> None:
        info = self._loaded
        updates: list[ActionUpdateRow] = []
        files: list[EvidenceInfo] = []
        if info.id is not None:
            try:
                with self.context.database.session() as session:
                    updates = actions.list_updates(session, self.context.actor, info.id)
                    files = actions.list_evidence(session, self.context.actor, info.id)
            except UserError as error:
                self.show_message(str(error))
        self.updates.setRowCount(len(updates))
        for row, update in enumerate(reversed(updates)):  # newest first
            cells = (
                format_datetime(update.at, "short"),
                update.actor_name or update.actor,
                self._describe(update),
                update.comment,
            )
            for column, text in enumerate(cells):
                self.updates.setItem(row, column, QTableWidgetItem(text))
        self.updates.resizeRowsToContents()
        self.evidence.setRowCount(len(files))
        for row, file in enumerate(files):
            size = _("{size} KB").format(size=format_number(max(1, round(file.size / 1024))))
            cells = (
                f"{file.filename} ({size})",
                _(EVIDENCE_KINDS.label(file.kind)),
                file.caption,
                format_datetime(file.added_at, "short"),
            )
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setData(EVIDENCE_ROLE, file.id)
                self.evidence.setItem(row, column, item)
        self.open_button.setEnabled(bool(files))
        self.tabs.setTabText(
            2,
            _("Evidence ({count})").format(count=len(files)) if files else _("Evidence"),
        )

    @staticmethod
    def _describe(update: ActionUpdateRow) -> str:
        if update.kind == "create":
            return _("Created")
        if update.kind == "status":
            return _("{old} → {new}").format(
                old=_(ACTION_STATUSES.label(update.old_status)),
                new=_(ACTION_STATUSES.label(update.new_status)),
            )
        if update.kind == "evidence":
            name = (update.changes.get("evidence") or [None, ""])[1]
            return _("File attached: {name}").format(name=name)
        if update.kind == "note":
            return _("Note")
        fields = ", ".join(sorted(update.changes))
        return _("Edited: {fields}").format(fields=fields)

    def _reload(self) -> None:
        if self._loaded.id is None:
            return
        try:
            with self.context.database.session() as session:
                fresh = actions.get_action(session, self.context.actor, self._loaded.id)
        except UserError as error:
            self.show_message(str(error))
            return
        dirty = self.is_dirty()
        if dirty:  # keep what was typed; take the new version, status and counts
            self._loaded = replace(
                self._loaded,
                version=fresh.version,
                status=fresh.status,
                evidence_count=fresh.evidence_count,
            )
            self._update_state()
            self._load_history()
        else:
            self.load(fresh)
        self.changed.emit(fresh)

    def _load_departments(self, keep_id: int | None) -> None:
        with self.context.database.session() as session:
            departments = list_departments(session)
        language = current_language()
        items: list[tuple[str, object]] = [(_("(none)"), None)]
        for department in departments:
            if department.active or department.id == keep_id:
                items.append((department.name(language), department.id))
        fill_combo(self.department, items)

    def _evidence_error(self, text: str) -> None:
        self.evidence_message.setText(text)
        self.evidence_message.show()

    def _choose_file(self) -> str:
        name, _filter = QFileDialog.getOpenFileName(
            self,
            _("Attach a photo or document"),
            str(Path.home()),
            _("Photos and documents (*.jpg *.jpeg *.png *.gif *.pdf *.docx *.xlsx *.txt)"),
        )
        return name

    # -- private: events ----------------------------------------------------------------------

    def _on_step_clicked(self) -> None:
        button = self.sender()
        if isinstance(button, QPushButton):
            self.take_transition(str(button.property("target")))

    def _on_owner_edited(self, _text: str) -> None:
        self._owner_user_id = None  # a typed name is a person without an account

    def _assign_to_me(self) -> None:
        actor = self.context.actor
        self._owner_user_id = actor.user_id
        self.owner_name.setText(actor.display_name or actor.username)

    def _on_attach_clicked(self) -> None:
        self.attach_file()

    def _on_open_clicked(self) -> None:
        self.open_evidence()

    def _on_evidence_double_clicked(self, _index: object) -> None:
        self.open_evidence()
