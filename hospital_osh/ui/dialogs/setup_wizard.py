"""First-run setup: hospital profile, first administrator, language and departments.

The administrator step also asks for the recovery passphrase of an encrypted database (twice):
the key that encrypts the file stays on this computer, and the passphrase is the only way to read
the data on another one (docs/encryption.md). It is saved with everything else.

Shown when the database has no profile or no administrator. Each step is checked when the user
moves on (messages beside the fields, input kept); Finish saves everything in ONE transaction
through the services with ``bootstrap=True``, so a failure leaves the database untouched.
Built as a dialog with its own step list (rather than QWizard) so that the tour can show every
step and tests can drive it directly.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QAbstractItemModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QRadioButton,
    QStackedWidget,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from hospital_osh import i18n
from hospital_osh.domain.accounts import MIN_PASSWORD_LENGTH, USERNAME_PATTERN
from hospital_osh.domain.codes import DEPARTMENT_TYPES, HOSPITAL_GRADES
from hospital_osh.domain.roles import Role
from hospital_osh.i18n import N_, _
from hospital_osh.services import hospital, keys, users
from hospital_osh.services.context import Actor
from hospital_osh.services.database import Database
from hospital_osh.services.errors import UserError, ValidationError
from hospital_osh.services.hospital import DepartmentInfo, HospitalProfile
from hospital_osh.ui import icons, style
from hospital_osh.ui.dialogs.ask import Asker
from hospital_osh.ui.language import apply_language, language_choices
from hospital_osh.ui.tasks import TaskRunner, TaskState
from hospital_osh.ui.widgets.form import FormLayout

TIME_ZONES = (
    "Asia/Shanghai",
    "Asia/Urumqi",
    "Asia/Hong_Kong",
    "Asia/Macau",
    "Asia/Taipei",
    "UTC",
)

STEP_TITLES = (
    N_("Hospital"),
    N_("Administrator"),
    N_("Language"),
    N_("Departments"),
)
PROFILE, ADMIN, LANGUAGE, DEPARTMENTS = range(4)
FORM_WIDTH = 620

DEPT_CODE, DEPT_NAME_ZH, DEPT_NAME_EN, DEPT_TYPE = range(4)
DEPT_HEADERS = (N_("Code"), N_("Chinese name"), N_("English name"), N_("Type"))


@dataclass(frozen=True)
class AdminAccount:
    username: str
    display_name: str
    password: str
    language: str
    recovery_passphrase: str = ""  # empty: the database needs none (PostgreSQL, plaintext)


class _StepError(UserError):
    """A service refused one step's data; carries the step and per-field messages."""

    def __init__(self, step: int, fields: dict[str, str], banner: str = ""):
        self.step = step
        self.fields = fields
        self.banner = banner
        super().__init__(banner or "; ".join(fields.values()))


def save_setup(
    database: Database,
    profile: HospitalProfile,
    admin: AdminAccount,
    departments: list[DepartmentInfo],
) -> Actor:
    """Create profile, departments and the first administrator in one transaction.

    Departments go before the administrator: the services accept bootstrap writes only while
    no administrator exists. Runs in the task runner (no widgets here)."""
    actor = Actor(username=admin.username.strip(), role=Role.ADMIN)
    with database.transaction() as session:
        if hospital.is_initialised(session):
            raise UserError(
                _("This database has been set up meanwhile. Close this window and log in.")
            )
        try:
            hospital.save_profile(session, actor, profile, bootstrap=True)
        except ValidationError as error:
            raise _StepError(PROFILE, error.fields) from error
        for row, info in enumerate(departments, start=1):
            try:
                hospital.save_department(session, actor, info, bootstrap=True)
            except ValidationError as error:
                banner = _("Row {row} ({code}): {message}").format(
                    row=row, code=info.code, message="; ".join(error.fields.values())
                )
                raise _StepError(DEPARTMENTS, {}, banner) from error
        try:
            created = users.create_user(
                session,
                actor,
                username=admin.username,
                display_name=admin.display_name,
                role=Role.ADMIN,
                password=admin.password,
                language=admin.language,
                bootstrap=True,
            )
        except ValidationError as error:
            raise _StepError(ADMIN, error.fields) from error
        if admin.recovery_passphrase and database.encrypted:
            try:  # written last: a failure before it leaves no recovery file
                keys.set_recovery_passphrase(
                    session, database, actor, admin.recovery_passphrase, admin.recovery_passphrase
                )
            except ValidationError as error:
                fields = {"passphrase": "passphrase", "repeat": "passphrase2"}
                raise _StepError(ADMIN, {fields[k]: v for k, v in error.fields.items()}) from error
    return Actor(
        username=created.username,
        role=created.role,
        user_id=created.id,
        display_name=created.display_name,
    )


class _TypeDelegate(QStyledItemDelegate):
    """Edits a department type with a combo of translated labels; the code is the item data."""

    def createEditor(
        self, parent: QWidget, option: QStyleOptionViewItem, index: QModelIndex
    ) -> QWidget:
        combo = QComboBox(parent)
        for entry in DEPARTMENT_TYPES:
            combo.addItem(_(entry.label), entry.code)
        return combo

    def setEditorData(self, editor: QWidget, index: QModelIndex | QPersistentModelIndex) -> None:
        assert isinstance(editor, QComboBox)
        editor.setCurrentIndex(max(0, editor.findData(index.data(Qt.ItemDataRole.UserRole))))

    def setModelData(
        self,
        editor: QWidget,
        model: QAbstractItemModel,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        assert isinstance(editor, QComboBox)
        model.setData(index, editor.currentData(), Qt.ItemDataRole.UserRole)
        model.setData(index, editor.currentText(), Qt.ItemDataRole.DisplayRole)


class SetupWizard(QDialog):
    """First-run setup. When accepted, ``actor`` is the new administrator."""

    # -- signals ------------------------------------------------------------------------------
    step_changed = Signal(int)
    """Emitted with the index of the step now shown."""

    def __init__(
        self,
        database: Database | None,
        runner: TaskRunner,
        parent: QWidget | None = None,
        *,
        ask: Asker | None = None,
    ):
        super().__init__(parent)
        self._database = database
        self._runner = runner
        self._ask = ask or Asker()
        self.actor: Actor | None = None
        self.setModal(True)
        self.setMinimumSize(920, 620)

        self.steps_list = QListWidget()
        self.steps_list.setObjectName("wizardSteps")
        self.steps_list.setFixedWidth(190)
        self.steps_list.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.steps_list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        for _title in STEP_TITLES:
            self.steps_list.addItem("")
        self.steps_list.currentRowChanged.connect(self._on_step_clicked)

        self.title_label = QLabel()
        self.title_label.setObjectName("dialogTitle")
        self.hint_label = QLabel()
        self.hint_label.setWordWrap(True)
        style.set_role(self.hint_label, "hint")
        self.stack = QStackedWidget()
        self.stack.addWidget(self._build_profile_step())
        self.stack.addWidget(self._build_admin_step())
        self.stack.addWidget(self._build_language_step())
        self.stack.addWidget(self._build_departments_step())
        self.banner_label = QLabel()
        self.banner_label.setWordWrap(True)
        self.banner_label.setTextFormat(Qt.TextFormat.PlainText)
        style.set_role(self.banner_label, "error")
        self.banner_label.hide()

        self.back_button = QPushButton()
        self.next_button = QPushButton()
        self.next_button.setDefault(True)
        self.finish_button = QPushButton()
        self.finish_button.setProperty("accent", True)
        self.cancel_button = QPushButton()
        self.back_button.clicked.connect(self.back)
        self.next_button.clicked.connect(self.next)
        self.finish_button.clicked.connect(self.finish)
        self.cancel_button.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addWidget(self.cancel_button)
        buttons.addStretch(1)
        buttons.addWidget(self.back_button)
        buttons.addWidget(self.next_button)
        buttons.addWidget(self.finish_button)

        content = QVBoxLayout()
        style.set_margins(content, 24, 10)
        content.addWidget(self.title_label)
        content.addWidget(self.hint_label)
        content.addSpacing(4)
        content.addWidget(self.stack, 1)
        content.addWidget(self.banner_label)
        content.addLayout(buttons)
        outer = QHBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(0)
        outer.addWidget(self.steps_list)
        outer.addLayout(content, 1)

        self._reached = PROFILE
        self.retranslate()
        self.go_to(PROFILE)
        self._baseline = self._typed()

    # -- public API ---------------------------------------------------------------------------

    @property
    def current_step(self) -> int:
        return self.stack.currentIndex()

    def go_to(self, step: int) -> None:
        """Show ``step`` without checking the current one (Back, the step list, the tour)."""
        self._reached = max(self._reached, step)
        self.stack.setCurrentIndex(step)
        self.steps_list.blockSignals(True)
        self.steps_list.setCurrentRow(step)
        self.steps_list.blockSignals(False)
        self.banner_label.hide()
        self.back_button.setEnabled(step > PROFILE)
        last = step == DEPARTMENTS
        self.next_button.setVisible(not last)
        self.finish_button.setVisible(last)
        (self.finish_button if last else self.next_button).setDefault(True)
        self._retranslate_step_header()
        self.step_changed.emit(step)

    def next(self) -> bool:
        """Check the current step; move on when it is fine. Returns whether it moved."""
        step = self.current_step
        if not self.check_step(step):
            return False
        if step < DEPARTMENTS:
            self.go_to(step + 1)
        return True

    def back(self) -> None:
        if self.current_step > PROFILE:
            self.go_to(self.current_step - 1)

    def check_step(self, step: int) -> bool:
        """Show the step's problems (beside fields, or above the buttons for the table)."""
        errors = self._step_errors(step)
        form = self._forms.get(step)
        if form is not None:
            form.show_errors(errors)
        elif errors:
            self._show_banner("\n".join(errors.values()))
        return not errors

    def finish(self) -> None:
        """Check every step, then save all in one transaction through the runner."""
        for step in (PROFILE, ADMIN, DEPARTMENTS):
            if not self.check_step_silently(step):
                self.go_to(step)
                self.check_step(step)
                return
        if self._database is None:  # the tour shows the wizard without a database
            return
        database = self._database
        profile = self.profile()
        admin = self.admin_account()
        departments = self.departments()

        def job(state: TaskState) -> Actor:
            return save_setup(database, profile, admin, departments)

        self._set_busy(True)
        self._runner.run(job, on_done=self._saved, on_error=self._failed, write=True)

    def is_dirty(self) -> bool:
        """Whether anything was typed or changed since the wizard opened."""
        return self._typed() != self._baseline

    def reject(self) -> None:
        """Cancel, Esc and the close box: ask before dropping what was typed."""
        if self.is_dirty() and not self._ask.discard_changes(self):
            return
        self._baseline = self._typed()
        super().reject()

    def check_step_silently(self, step: int) -> bool:
        return not self._step_errors(step)

    def profile(self) -> HospitalProfile:
        return HospitalProfile(
            name_zh=self.name_zh_edit.text(),
            name_en=self.name_en_edit.text(),
            facility_code=self.facility_code_edit.text(),
            province=self.province_edit.text(),
            city=self.city_edit.text(),
            grade=str(self.grade_combo.currentData()),
            time_zone=self.time_zone_combo.currentText().strip(),
        )

    def admin_account(self) -> AdminAccount:
        return AdminAccount(
            username=self.username_edit.text().strip(),
            display_name=self.display_name_edit.text().strip(),
            password=self.password_edit.text(),
            language=self.language(),
            recovery_passphrase=self.passphrase_edit.text() if self.needs_passphrase() else "",
        )

    def needs_passphrase(self) -> bool:
        """Whether the database is an encrypted file without a recovery passphrase yet (the
        tour, without a database, shows the fields too)."""
        database = self._database
        if database is None:
            return True
        return (
            database.encrypted
            and database.path is not None
            and not keys.recovery_path(database.path).is_file()
        )

    def language(self) -> str:
        for code, button in self.language_buttons.items():
            if button.isChecked():
                return code
        return i18n.current_language()

    def departments(self) -> list[DepartmentInfo]:
        table = self.departments_table
        result = []
        for row in range(table.rowCount()):
            result.append(
                DepartmentInfo(
                    code=self._cell(row, DEPT_CODE),
                    name_zh=self._cell(row, DEPT_NAME_ZH),
                    name_en=self._cell(row, DEPT_NAME_EN),
                    type=str(self._type_item(row).data(Qt.ItemDataRole.UserRole) or ""),
                )
            )
        return result

    def set_departments(self, departments: list[DepartmentInfo]) -> None:
        self.departments_table.setRowCount(0)
        for info in departments:
            self._append_department(info)

    def add_department(self) -> None:
        self._append_department(DepartmentInfo("", "", "", "ward"))
        row = self.departments_table.rowCount() - 1
        self.departments_table.setCurrentCell(row, DEPT_CODE)
        self.departments_table.editItem(self.departments_table.item(row, DEPT_CODE))

    def remove_departments(self) -> None:
        rows = sorted({index.row() for index in self.departments_table.selectedIndexes()})
        for row in reversed(rows):
            self.departments_table.removeRow(row)

    def retranslate(self) -> None:
        self.setWindowTitle(_("Set up Hospital OSH"))
        for row, title in enumerate(STEP_TITLES):
            item = self.steps_list.item(row)
            item.setText(_("{number}. {title}").format(number=row + 1, title=_(title)))
        self._retranslate_step_header()
        self.back_button.setText(_("Back"))
        self.next_button.setText(_("Next"))
        self.finish_button.setText(_("Finish"))
        self.cancel_button.setText(_("Cancel"))
        labels = {
            "name_zh": _("Name (Chinese):"),
            "name_en": _("Name (English):"),
            "facility_code": _("Facility code:"),
            "province": _("Province:"),
            "city": _("City:"),
            "grade": _("Grade:"),
            "time_zone": _("Time zone:"),
            "username": _("User name:"),
            "display_name": _("Full name:"),
            "password": _("Password:"),
            "password2": _("Repeat password:"),
            "passphrase": _("Recovery passphrase:"),
            "passphrase2": _("Repeat passphrase:"),
        }
        for form in self._forms.values():
            for field in form.field_names():
                form.set_label_text(field, labels[field])
        self.facility_code_edit.setPlaceholderText(_("e.g. the institution code on the licence"))
        self.password_edit.setPlaceholderText(
            _("At least {n} characters").format(n=MIN_PASSWORD_LENGTH)
        )
        self.passphrase_edit.setPlaceholderText(
            _("At least {n} characters").format(n=keys.MIN_PASSPHRASE_LENGTH)
        )
        self.recovery_hint.setText(
            _(
                "The database is encrypted; its key stays on this computer. Choose a recovery "
                "passphrase, write it on paper and keep it in a safe place: it is the only way "
                "to open the data on a new computer or from a backup. If it is lost together "
                "with this computer, nobody can read the data."
            )
        )
        for index, entry in enumerate(HOSPITAL_GRADES):
            self.grade_combo.setItemText(index, _(entry.label))
        self.language_hint.setText(
            _(
                "The language of the application for this administrator. Each user can change "
                "it later from the Language menu."
            )
        )
        self.departments_hint.setText(
            _(
                "A starting list of departments. Edit codes and names by double-clicking a "
                "cell; remove what your hospital does not have. You can change them later."
            )
        )
        self.add_department_button.setText(_("Add department"))
        self.remove_department_button.setText(_("Remove selected"))
        self.departments_table.setHorizontalHeaderLabels([_(h) for h in DEPT_HEADERS])
        for row in range(self.departments_table.rowCount()):
            item = self._type_item(row)
            code = str(item.data(Qt.ItemDataRole.UserRole) or "")
            item.setText(_(DEPARTMENT_TYPES.label(code)) if code else "")

    # -- private: building ----------------------------------------------------------------------

    def _build_profile_step(self) -> QWidget:
        page = QWidget()
        page.setMaximumWidth(FORM_WIDTH)
        form = FormLayout(page)
        form.setContentsMargins(0, 8, 0, 0)
        self.name_zh_edit = QLineEdit()
        self.name_en_edit = QLineEdit()
        self.facility_code_edit = QLineEdit()
        self.province_edit = QLineEdit()
        self.city_edit = QLineEdit()
        self.grade_combo = QComboBox()
        for entry in HOSPITAL_GRADES:
            self.grade_combo.addItem("", entry.code)
        self.grade_combo.setCurrentIndex(self.grade_combo.findData("other"))
        self.time_zone_combo = QComboBox()
        self.time_zone_combo.setEditable(True)
        self.time_zone_combo.addItems(TIME_ZONES)
        for edit, size in (
            (self.name_zh_edit, 200),
            (self.name_en_edit, 200),
            (self.facility_code_edit, 40),
            (self.province_edit, 80),
            (self.city_edit, 80),
        ):
            edit.setMaxLength(size)
        form.add_row("name_zh", "", self.name_zh_edit)
        form.add_row("name_en", "", self.name_en_edit)
        form.add_row("facility_code", "", self.facility_code_edit)
        form.add_row("province", "", self.province_edit)
        form.add_row("city", "", self.city_edit)
        form.add_row("grade", "", self.grade_combo)
        form.add_row("time_zone", "", self.time_zone_combo)
        self._forms: dict[int, FormLayout] = {PROFILE: form}
        return page

    def _build_admin_step(self) -> QWidget:
        page = QWidget()
        page.setMaximumWidth(FORM_WIDTH)
        form = FormLayout(page)
        form.setContentsMargins(0, 8, 0, 0)
        self.username_edit = QLineEdit("admin")
        self.username_edit.setMaxLength(40)
        self.display_name_edit = QLineEdit()
        self.display_name_edit.setMaxLength(120)
        self.password_edit = QLineEdit()
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.password2_edit = QLineEdit()
        self.password2_edit.setEchoMode(QLineEdit.EchoMode.Password)
        form.add_row("username", "", self.username_edit)
        form.add_row("display_name", "", self.display_name_edit)
        form.add_row("password", "", self.password_edit)
        form.add_row("password2", "", self.password2_edit)
        self.recovery_hint = QLabel()
        self.recovery_hint.setWordWrap(True)
        style.set_role(self.recovery_hint, "hint")
        form.addRow(self.recovery_hint)
        self.passphrase_edit = QLineEdit()
        self.passphrase_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.passphrase2_edit = QLineEdit()
        self.passphrase2_edit.setEchoMode(QLineEdit.EchoMode.Password)
        form.add_row("passphrase", "", self.passphrase_edit)
        form.add_row("passphrase2", "", self.passphrase2_edit)
        needed = self.needs_passphrase()
        form.setRowVisible(self.recovery_hint, needed)
        form.set_field_visible("passphrase", needed)
        form.set_field_visible("passphrase2", needed)
        self._forms[ADMIN] = form
        return page

    def _build_language_step(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 8, 0, 0)
        layout.setSpacing(10)
        self.language_hint = QLabel()
        self.language_hint.setWordWrap(True)
        layout.addWidget(self.language_hint)
        self.language_buttons: dict[str, QRadioButton] = {}
        for code, name in language_choices():
            button = QRadioButton(name)
            button.setChecked(code == i18n.current_language())
            button.toggled.connect(lambda on, c=code: on and self._on_language_picked(c))
            self.language_buttons[code] = button
            layout.addWidget(button)
        layout.addStretch(1)
        return page

    def _build_departments_step(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 8, 0, 0)
        self.departments_hint = QLabel()
        self.departments_hint.setWordWrap(True)
        layout.addWidget(self.departments_hint)
        table = QTableWidget(0, len(DEPT_HEADERS))
        table.setItemDelegateForColumn(DEPT_TYPE, _TypeDelegate(table))
        table.setAlternatingRowColors(True)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.verticalHeader().setVisible(False)
        table.verticalHeader().setDefaultSectionSize(26)
        header = table.horizontalHeader()
        header.setSectionResizeMode(DEPT_CODE, QHeaderView.ResizeMode.Interactive)
        header.resizeSection(DEPT_CODE, 90)
        header.setSectionResizeMode(DEPT_NAME_ZH, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(DEPT_NAME_EN, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(DEPT_TYPE, QHeaderView.ResizeMode.Stretch)
        self.departments_table = table
        layout.addWidget(table, 1)
        row = QHBoxLayout()
        self.add_department_button = QPushButton(icons.icon("plus"), "")
        self.remove_department_button = QPushButton(icons.icon("trash-2"), "")
        self.add_department_button.clicked.connect(self.add_department)
        self.remove_department_button.clicked.connect(self.remove_departments)
        row.addWidget(self.add_department_button)
        row.addWidget(self.remove_department_button)
        row.addStretch(1)
        layout.addLayout(row)
        self.set_departments(hospital.default_departments())
        return page

    # -- private: behaviour ---------------------------------------------------------------------

    def _retranslate_step_header(self) -> None:
        step = self.current_step
        self.title_label.setText(_(STEP_TITLES[step]))
        hints = {
            PROFILE: _("Who is this database for? The names appear on reports."),
            ADMIN: _(
                "The first administrator manages users, departments and settings. Keep the "
                "password safe: nobody can read it back."
            ),
            LANGUAGE: _("Choose the language of the application."),
            DEPARTMENTS: _("Departments are where exposures happen and workers belong."),
        }
        self.hint_label.setText(hints[step])

    def _append_department(self, info: DepartmentInfo) -> None:
        table = self.departments_table
        row = table.rowCount()
        table.insertRow(row)
        table.setItem(row, DEPT_CODE, QTableWidgetItem(info.code))
        table.setItem(row, DEPT_NAME_ZH, QTableWidgetItem(info.name_zh))
        table.setItem(row, DEPT_NAME_EN, QTableWidgetItem(info.name_en))
        type_item = QTableWidgetItem(_(DEPARTMENT_TYPES.label(info.type)))
        type_item.setData(Qt.ItemDataRole.UserRole, info.type)
        table.setItem(row, DEPT_TYPE, type_item)

    def _cell(self, row: int, column: int) -> str:
        item = self.departments_table.item(row, column)
        return item.text().strip() if item is not None else ""

    def _type_item(self, row: int) -> QTableWidgetItem:
        item = self.departments_table.item(row, DEPT_TYPE)
        if item is None:
            item = QTableWidgetItem()
            self.departments_table.setItem(row, DEPT_TYPE, item)
        return item

    def _step_errors(self, step: int) -> dict[str, str]:
        if step == PROFILE:
            return hospital.validate_profile(self.profile())
        if step == ADMIN:
            return self._admin_errors()
        if step == DEPARTMENTS:
            return self._department_errors()
        return {}

    def _admin_errors(self) -> dict[str, str]:
        """The same rules the service applies, checked early so the user fixes them here."""
        account = self.admin_account()
        errors: dict[str, str] = {}
        if not USERNAME_PATTERN.match(account.username):
            errors["username"] = _(
                "A user name has 2 to 40 letters, digits, dots, dashes or underscores."
            )
        if not account.display_name:
            errors["display_name"] = _("Enter the person's name.")
        if len(account.password) < MIN_PASSWORD_LENGTH:
            errors["password"] = _("The password must have at least {n} characters.").format(
                n=MIN_PASSWORD_LENGTH
            )
        elif self.password2_edit.text() != account.password:
            errors["password2"] = _("The two passwords differ.")
        if self.needs_passphrase():
            try:
                keys.check_passphrase(self.passphrase_edit.text(), self.passphrase2_edit.text())
            except ValidationError as error:
                fields = {"passphrase": "passphrase", "repeat": "passphrase2"}
                errors.update({fields[k]: v for k, v in error.fields.items()})
        return errors

    def _department_errors(self) -> dict[str, str]:
        errors: dict[str, str] = {}
        seen: dict[str, int] = {}
        departments = self.departments()
        if not departments:
            errors["none"] = _("Keep at least one department.")
        for row, info in enumerate(departments, start=1):
            key = f"row{row}"
            if not info.code:
                errors[key] = _("Row {row}: enter a department code.").format(row=row)
            elif info.code in seen:
                errors[key] = _("Row {row}: the code {code} is also used in row {other}.").format(
                    row=row, code=info.code, other=seen[info.code]
                )
            elif not info.name_zh and not info.name_en:
                errors[key] = _("Row {row}: enter the department's name.").format(row=row)
            seen.setdefault(info.code, row)
        return errors

    def _typed(self) -> tuple[object, ...]:
        """Everything the user can change, comparable (the language is applied at once, so
        choosing it is not input that can be lost)."""
        return (
            self.profile(),
            self.username_edit.text(),
            self.display_name_edit.text(),
            self.password_edit.text(),
            self.password2_edit.text(),
            self.passphrase_edit.text(),
            self.passphrase2_edit.text(),
            self.departments(),
        )

    def _show_banner(self, text: str) -> None:
        self.banner_label.setText(text)
        self.banner_label.show()

    def _set_busy(self, busy: bool) -> None:
        for button in (self.back_button, self.finish_button, self.cancel_button):
            button.setEnabled(not busy)

    def _saved(self, actor: Actor) -> None:
        self._set_busy(False)
        self.actor = actor
        self.accept()

    def _failed(self, error: BaseException) -> None:
        self._set_busy(False)
        if isinstance(error, _StepError):
            self.go_to(error.step)
            if error.step in self._forms:
                leftover = self._forms[error.step].show_errors(error.fields)
                if leftover:
                    self._show_banner("\n".join(leftover.values()))
            else:
                self._show_banner(error.banner)
        elif isinstance(error, UserError):
            self._show_banner(str(error))
        else:
            self._show_banner(_("Setup failed: {reason}").format(reason=error))

    def _on_step_clicked(self, row: int) -> None:
        """The step list allows going back, or forward to steps already reached."""
        if row < 0:
            return
        if row <= self._reached or row <= self.current_step:
            self.go_to(row)
        else:
            self.steps_list.blockSignals(True)
            self.steps_list.setCurrentRow(self.current_step)
            self.steps_list.blockSignals(False)

    def _on_language_picked(self, code: str) -> None:
        if code != i18n.current_language():
            apply_language(code)
            self.retranslate()
