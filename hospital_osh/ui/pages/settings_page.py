"""Settings: the hospital, its departments and denominators, users, language, the database.

Each part is a ``SettingsSection`` listed on the left; a role sees only the parts it may use
(everyone may choose a language). The services check the permissions again on every call.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QScrollArea,
    QStackedWidget,
    QWidget,
)

from hospital_osh.domain.codes import N_
from hospital_osh.i18n import _
from hospital_osh.services.hospital import DepartmentInfo
from hospital_osh.ui import icons, style
from hospital_osh.ui.context import AppContext
from hospital_osh.ui.dialogs.department_dialog import DepartmentDialog
from hospital_osh.ui.dialogs.user_dialog import UserDialog, UserDialogMode
from hospital_osh.ui.pages.base import Page
from hospital_osh.ui.widgets.settings_database import DatabaseSettings
from hospital_osh.ui.widgets.settings_departments import DepartmentSettings
from hospital_osh.ui.widgets.settings_general import GeneralSettings
from hospital_osh.ui.widgets.settings_language import LanguageSettings
from hospital_osh.ui.widgets.settings_local_codes import LocalCodeSettings
from hospital_osh.ui.widgets.settings_profile import ProfileSettings
from hospital_osh.ui.widgets.settings_protocol_offsets import ProtocolOffsetSettings
from hospital_osh.ui.widgets.settings_section import FormSection, ListSection, SettingsSection
from hospital_osh.ui.widgets.settings_staffing import StaffingSettings
from hospital_osh.ui.widgets.settings_users import UserSettings

SECTION_CLASSES: tuple[type[SettingsSection], ...] = (
    ProfileSettings,
    DepartmentSettings,
    LocalCodeSettings,
    StaffingSettings,
    UserSettings,
    GeneralSettings,
    ProtocolOffsetSettings,
    DatabaseSettings,
    LanguageSettings,
)


_LIST_STYLE = f"""
QListWidget#settingsSections {{
    background: {style.BASE};
    border: 1px solid {style.BORDER};
    border-radius: 6px;
    padding: 6px 4px;
    outline: 0;
}}
QListWidget#settingsSections::item {{
    padding: 6px 8px;
    margin: 1px 0;
    border-radius: 5px;
    color: {style.TEXT};
}}
QListWidget#settingsSections::item:hover:!selected {{ background: {style.HOVER}; }}
QListWidget#settingsSections::item:selected {{
    background: {style.ACCENT_SOFT};
    color: {style.ACCENT_DARK};
    font-weight: 600;
}}
"""
"""The section list looks like the main sidebar (ui/style.py), one level down."""


class SettingsPage(Page):
    """A list of sections on the left, the chosen section on the right."""

    key = "settings"
    title = N_("Settings")
    icon = "settings"
    order = 90

    # -- signals ------------------------------------------------------------------------------
    database_replaced = Signal(object)
    """Emitted with the database path after a backup was restored over it: the shell must
    close the database and open it again (the restored file may need an upgrade)."""
    language_changed = Signal(str)
    """Emitted with the language code the user chose here, after switching to it and saving
    it for the user: the window retranslates itself and every page."""
    settings_changed = Signal()
    """Emitted after the hospital-wide settings (General) were saved: the window reads again
    what it uses (the idle time before it locks)."""

    def __init__(self, context: AppContext, parent: QWidget | None = None):
        super().__init__(context, parent)
        self.sections: dict[str, SettingsSection] = {}
        self.list = QListWidget(self)
        self.list.setObjectName("settingsSections")
        self.list.setIconSize(QSize(18, 18))
        self.list.setStyleSheet(_LIST_STYLE)
        self.stack = QStackedWidget(self)
        for cls in SECTION_CLASSES:
            if not cls.visible_for(context.actor):
                continue
            section = cls(context)
            self.sections[cls.key] = section
            scroll = QScrollArea(self.stack)
            scroll.setWidgetResizable(True)
            scroll.setFrameShape(QScrollArea.Shape.NoFrame)
            scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # Tab goes from the list to the form
            scroll.setWidget(section)
            self.stack.addWidget(scroll)
            item = QListWidgetItem(icons.icon(cls.icon), "", self.list)
            item.setData(Qt.ItemDataRole.UserRole, cls.key)
            self._mirror_section_buttons(section)
        database = self.sections.get(DatabaseSettings.key)
        if isinstance(database, DatabaseSettings):
            database.database_replaced.connect(self.database_replaced)
        general = self.sections.get(GeneralSettings.key)
        if isinstance(general, GeneralSettings):
            general.saved.connect(self.settings_changed)
        language = self.sections.get(LanguageSettings.key)
        if isinstance(language, LanguageSettings):
            language.language_changed.connect(self._on_language_changed)
        self.list.currentRowChanged.connect(self._on_row_changed)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(12)
        layout.addWidget(self.list, 0, Qt.AlignmentFlag.AlignTop)
        layout.addWidget(self.stack, 1)
        self.retranslate()
        if self.list.count():
            self.list.setCurrentRow(0)

    # -- Page API -----------------------------------------------------------------------------

    def activated(self) -> None:
        section = self.current_section()
        if section is not None:
            section.activated()

    def retranslate(self) -> None:
        for row, key in enumerate(self.sections):
            self.list.item(row).setText(_(self.sections[key].title))
        for section in self.sections.values():
            section.retranslate()
        self.list.setFixedWidth(max(180, self.list.sizeHintForColumn(0) + 40))
        rows = sum(self.list.sizeHintForRow(row) + 2 for row in range(self.list.count()))
        self.list.setFixedHeight(rows + 2 * self.list.frameWidth() + 12)

    def has_unsaved_changes(self) -> bool:
        return any(section.has_unsaved_changes() for section in self.sections.values())

    def new_item(self) -> None:
        """Ctrl+N adds a department or a user where the current section lists them."""
        section = self.current_section()
        if isinstance(section, ListSection) and hasattr(section, "add"):
            section.add()

    def tour_states(self) -> list[tuple[str, Callable[[], object]]]:
        """Every section but the first (the page's own picture shows that one)."""
        return [(key, partial(self.show_section, key)) for key in list(self.sections)[1:]]

    def tour_views(self) -> list[tuple[str, QWidget]]:
        views: list[tuple[str, QWidget]] = []
        if DepartmentSettings.key in self.sections:
            dialog = DepartmentDialog(self.context, self)
            dialog.load(DepartmentInfo(code="", name_zh="", name_en="", type="ward"))
            views.append(("department_dialog", dialog))
        if UserSettings.key in self.sections:
            views.append(
                ("user_dialog", UserDialog(self.context, UserDialogMode.CREATE, None, self))
            )
        return views

    # -- public API ---------------------------------------------------------------------------

    def section(self, key: str) -> SettingsSection:
        return self.sections[key]

    def show_section(self, key: str) -> SettingsSection:
        """Select a section by key (tests, and links from other pages)."""
        row = list(self.sections).index(key)
        if row == self.list.currentRow():
            self.sections[key].activated()
        else:
            self.list.setCurrentRow(row)
        return self.sections[key]

    def current_section(self) -> SettingsSection | None:
        row = self.list.currentRow()
        keys = list(self.sections)
        return self.sections[keys[row]] if 0 <= row < len(keys) else None

    # -- private ------------------------------------------------------------------------------

    def _on_language_changed(self, code: str) -> None:
        self.retranslate()  # at least this page, should the window not be listening
        self.language_changed.emit(code)

    def _mirror_section_buttons(self, section: SettingsSection) -> None:
        """Every button of every section in the Actions menu; only the current section's are
        shown (and their shortcuts live) at a time."""
        shortcuts: dict[object, str] = {}
        if isinstance(section, FormSection):
            shortcuts[section.save_button] = "Ctrl+S"
        if isinstance(section, DatabaseSettings):
            shortcuts[section.backup_button] = "Ctrl+B"
        for button in section.findChildren(QPushButton):
            self.mirror_button(button, shortcuts.get(button, ""))

    def _on_row_changed(self, row: int) -> None:
        if row < 0:
            return
        self.stack.setCurrentIndex(row)
        self.sync_menu_actions()
        section = self.current_section()
        if section is not None:
            section.activated()
