"""Settings › Local code entries: a hospital's own entries in the extensible exposure code lists.

A device brand, a local device type (say a safety IV catheter), a location the EPINet list does
not name: added here, they appear in the exposure forms and filters at once, without a new
version of the program. An entry's code is stored in records, so it is fixed once added; its
labels can be corrected, and an entry no longer used is deactivated (records keep it).
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QWidget,
)

from hospital_osh.domain.codes import N_
from hospital_osh.domain.exposure_codes import EXTENSIBLE_LISTS
from hospital_osh.domain.roles import Permission
from hospital_osh.i18n import _
from hospital_osh.services.errors import UserError, ValidationError
from hospital_osh.services.local_codes import (
    LocalCodeInfo,
    add_local_code,
    list_local_codes,
    set_local_code_active,
    update_local_code,
)
from hospital_osh.ui import style
from hospital_osh.ui.context import AppContext
from hospital_osh.ui.widgets.code_combo import fill_combo, select_data
from hospital_osh.ui.widgets.form import FormLayout
from hospital_osh.ui.widgets.settings_section import SettingsSection

LIST_TITLES: dict[str, str] = {
    "device_type": N_("Device"),
    "device_brand": N_("Device brand and model"),
    "purpose": N_("Original purpose or procedure"),
    "circumstance": N_("When and how it happened"),
    "location_type": N_("Location"),
    "body_site": N_("Body site"),
    "fluid_type": N_("Body fluid"),
    "barrier_garment": N_("Barrier garments worn"),
}
"""Every extensible list, by the name the code lists use."""

_HEADERS = (N_("List"), N_("Code"), N_("Name (Chinese)"), N_("Name (English)"), N_("Status"))


class LocalCodeSettings(SettingsSection):
    """The entries in a table; the form under it adds a new one or edits the selected one."""

    key = "local_codes"
    title = N_("Local code entries")
    icon = "list-checks"
    permission = Permission.MANAGE_HOSPITAL
    max_width = None

    def __init__(self, context: AppContext, parent: QWidget | None = None):
        super().__init__(context, parent)
        self._entries: list[LocalCodeInfo] = []
        self._editing: LocalCodeInfo | None = None
        self.show_list = QComboBox(self)
        self.show_list.currentIndexChanged.connect(self.reload)
        self.table = QTableWidget(0, len(_HEADERS), self)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.setAlternatingRowColors(True)
        self.table.setMinimumHeight(200)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.table.itemSelectionChanged.connect(self._on_selection)
        self.new_button = QPushButton(self)
        self.active_button = QPushButton(self)
        self.new_button.clicked.connect(self.start_new)
        self.active_button.clicked.connect(self.toggle_selected_active)
        top = QHBoxLayout()
        top.addWidget(self.show_list, 1)
        top.addWidget(self.new_button)
        top.addWidget(self.active_button)

        self.form_title = QLabel(self)
        self.form_title.setObjectName("sectionTitle")
        self.list_name = QComboBox(self)
        self.code = QLineEdit(self)
        self.code.setMaxLength(40)
        self.label_zh = QLineEdit(self)
        self.label_zh.setMaxLength(200)
        self.label_en = QLineEdit(self)
        self.label_en.setMaxLength(200)
        self.form = FormLayout()
        self.form.add_row("list_name", "", self.list_name)
        self.form.add_row("code", "", self.code)
        self.form.add_row("label_zh", "", self.label_zh)
        self.form.add_row("label_en", "", self.label_en)
        self.message = QLabel(self)
        self.message.setWordWrap(True)
        self.message.hide()
        self.save_button = QPushButton(self)
        self.save_button.setProperty("accent", True)
        self.save_button.clicked.connect(self.save)
        for edit in (self.code, self.label_zh, self.label_en):
            edit.returnPressed.connect(self.save)
        buttons = QHBoxLayout()
        buttons.addWidget(self.message, 1)
        buttons.addStretch(1)
        buttons.addWidget(self.save_button)

        self.body.addLayout(top)
        self.body.addWidget(self.table, 1)
        self.body.addWidget(self.form_title)
        self.body.addLayout(self.form)
        self.body.addLayout(buttons)
        self.retranslate()
        self.start_new()

    # -- public API ---------------------------------------------------------------------------

    def activated(self) -> None:
        self.reload()

    def reload(self, *_args: object) -> None:
        selected = self.selected()
        with self.context.database.session() as session:
            self._entries = list_local_codes(session, self.show_list.currentData())
        self._fill()
        if selected is not None:
            self.select(selected.list_name, selected.code)
        self._update_actions()

    def selected(self) -> LocalCodeInfo | None:
        rows = self.table.selectionModel().selectedRows()
        return self._entries[rows[0].row()] if rows else None

    def select(self, list_name: str, code: str) -> bool:
        for row, entry in enumerate(self._entries):
            if (entry.list_name, entry.code) == (list_name, code):
                self.table.selectRow(row)
                return True
        return False

    def start_new(self) -> None:
        """Empty the form for a new entry (in the list shown, if one is chosen)."""
        self.table.clearSelection()
        self._editing = None
        self._load_form(
            LocalCodeInfo(self.show_list.currentData() or EXTENSIBLE_LISTS[0], "", "", "")
        )
        self.code.setFocus(Qt.FocusReason.OtherFocusReason)

    def save(self) -> bool:
        """Add the entry, or save the selected entry's labels; messages at the field."""
        info = LocalCodeInfo(
            self.list_name.currentData() or "",
            self.code.text(),
            self.label_zh.text(),
            self.label_en.text(),
        )
        self.form.clear_errors()
        self.message.hide()
        try:
            with self.context.database.transaction() as session:
                if self._editing is None:
                    saved = add_local_code(session, self.context.actor, info)
                else:
                    saved = update_local_code(session, self.context.actor, info)
        except ValidationError as error:
            leftover = self.form.show_errors(error.fields)
            if leftover:
                self._show_message("\n".join(leftover.values()))
            return False
        except UserError as error:
            self._show_message(str(error))
            return False
        self.reload()
        self.select(saved.list_name, saved.code)
        self._show_message(_("Saved."), ok=True)
        return True

    def toggle_selected_active(self) -> None:
        entry = self.selected()
        if entry is None:
            return
        label = entry.label_zh or entry.label_en
        if entry.active:
            title = _("Deactivate entry")
            question = _(
                "Deactivate '{label}'? Forms stop offering it; records that use it keep it."
            ).format(label=label)
        else:
            title = _("Reactivate entry")
            question = _("Reactivate '{label}'?").format(label=label)
        if not self.context.ask.confirm(self, title, question):
            return
        try:
            with self.context.database.transaction() as session:
                set_local_code_active(
                    session, self.context.actor, entry.list_name, entry.code, not entry.active
                )
        except UserError as error:
            self.context.ask.error(self, title, str(error))
        self.reload()

    def retranslate(self) -> None:
        super().retranslate()
        self.set_intro(
            _(
                "Add your hospital's own entries to the exposure code lists, e.g. a device "
                "brand or a local device type. They appear in the exposure forms and filters "
                "at once. The code is stored in records and cannot change later."
            )
        )
        lists = [(_(LIST_TITLES[name]), name) for name in EXTENSIBLE_LISTS]
        fill_combo(self.show_list, [(_("All lists"), None), *lists])
        fill_combo(self.list_name, lists)
        self.show_list.setToolTip(_("Show the entries of one list"))
        self.table.setHorizontalHeaderLabels([_(text) for text in _HEADERS])
        self.new_button.setText(_("New entry"))
        self.form.set_label_text("list_name", _("List"))
        self.form.set_label_text("code", _("Code"))
        self.form.set_label_text("label_zh", _("Name (Chinese)"))
        self.form.set_label_text("label_en", _("Name (English)"))
        self.code.setPlaceholderText(_("e.g. pen_needle (lower-case letters, digits, _)"))
        self.save_button.setText(_("Save entry"))
        self._update_form_title()
        self._fill()
        self._update_actions()

    # -- private ------------------------------------------------------------------------------

    def _load_form(self, info: LocalCodeInfo) -> None:
        select_data(self.list_name, info.list_name)
        self.code.setText(info.code)
        self.label_zh.setText(info.label_zh)
        self.label_en.setText(info.label_en)
        editing = self._editing is not None
        self.list_name.setEnabled(not editing)
        self.code.setReadOnly(editing)
        self.form.clear_errors()
        self.message.hide()
        self._update_form_title()

    def _update_form_title(self) -> None:
        if self._editing is None:
            self.form_title.setText(_("New entry"))
        else:
            self.form_title.setText(
                _("Edit the labels of '{code}'").format(code=self._editing.code)
            )

    def _on_selection(self) -> None:
        entry = self.selected()
        if entry is not None:
            self._editing = entry
            self._load_form(entry)
        self._update_actions()

    def _fill(self) -> None:
        self.table.setRowCount(len(self._entries))
        muted = QBrush(QColor(style.MUTED))
        for row, entry in enumerate(self._entries):
            texts = (
                _(LIST_TITLES.get(entry.list_name, entry.list_name)),
                entry.code,
                entry.label_zh,
                entry.label_en,
                _("Active") if entry.active else _("Inactive"),
            )
            for column, text in enumerate(texts):
                item = QTableWidgetItem(text)
                if not entry.active:
                    item.setForeground(muted)
                self.table.setItem(row, column, item)

    def _update_actions(self) -> None:
        entry = self.selected()
        self.active_button.setEnabled(entry is not None)
        self.active_button.setText(
            _("Reactivate") if entry is not None and not entry.active else _("Deactivate")
        )

    def _show_message(self, text: str, *, ok: bool = False) -> None:
        self.message.setText(text)
        style.set_role(self.message, "ok" if ok else "error")
        self.message.show()
