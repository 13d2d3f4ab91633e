"""Start a checklist round or edit its details: template, area or department, date, notes and
the team (names and roles, managers and staff together, as HealthWISE asks)."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QTableWidget,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.orm import Session

from hospital_osh.domain.codes import JOB_CATEGORIES, SEXES
from hospital_osh.domain.healthwise import TEAM_ROLES
from hospital_osh.i18n import _, current_language
from hospital_osh.services import healthwise
from hospital_osh.services.healthwise import AssessmentInfo, MemberInfo
from hospital_osh.services.hospital import list_departments
from hospital_osh.ui.context import AppContext
from hospital_osh.ui.dialogs.edit_dialog import EditDialog
from hospital_osh.ui.widgets.code_combo import fill_code_combo, fill_combo, select_data
from hospital_osh.ui.widgets.date_formats import apply_locale_date_format

FIELDS = ("template_id", "department_id", "area", "assessed_on", "notes", "members")


class AssessmentDialog(EditDialog):
    """``saved`` carries the saved ``AssessmentInfo``. The template is chosen only for a new
    round; a round's team can change until its sheets are submitted."""

    def __init__(self, context: AppContext, parent: QWidget | None = None):
        super().__init__(context, parent, min_width=640)
        self._loaded = AssessmentInfo()
        self.template = QComboBox(self)
        self.department = QComboBox(self)
        self.area = QLineEdit(self)
        self.area.setMaxLength(200)
        self.assessed_on = QDateEdit(self)
        self.assessed_on.setCalendarPopup(True)
        apply_locale_date_format(self.assessed_on)
        self.notes = QPlainTextEdit(self)
        self.notes.setTabChangesFocus(True)
        self.notes.setFixedHeight(self.notes.fontMetrics().lineSpacing() * 2 + 14)
        self.team = QTableWidget(0, 4, self)
        self.team.verticalHeader().setVisible(False)
        self.team.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.team.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.team.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column, width in ((1, 110), (2, 150), (3, 110)):
            self.team.horizontalHeader().resizeSection(column, width)
        # Rows hold editors (a line edit and combos): give them a combo's full height.
        self.team.verticalHeader().setDefaultSectionSize(QComboBox().sizeHint().height() + 6)
        self.team.setMinimumHeight(180)
        self.add_member_button = QPushButton(self)
        self.remove_member_button = QPushButton(self)
        self.add_member_button.clicked.connect(self._on_add_member)
        self.remove_member_button.clicked.connect(self.remove_selected_member)
        team_box = QWidget(self)
        team_layout = QVBoxLayout(team_box)
        team_layout.setContentsMargins(0, 0, 0, 0)
        team_layout.addWidget(self.team)
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_member_button)
        buttons.addWidget(self.remove_member_button)
        buttons.addStretch(1)
        team_layout.addLayout(buttons)
        team_box.setFocusProxy(self.team)
        widgets = {
            "template_id": self.template,
            "department_id": self.department,
            "area": self.area,
            "assessed_on": self.assessed_on,
            "notes": self.notes,
            "members": team_box,
        }
        for field in FIELDS:
            self.form.add_row(field, "", widgets[field])
        self._member_ids: list[int | None] = []
        self.retranslate()
        self.load(AssessmentInfo(assessed_on=dt.date.today()))

    # -- public API ---------------------------------------------------------------------------

    def load(self, info: AssessmentInfo) -> None:
        self._loaded = info
        self._load_choices(info)
        select_data(self.template, info.template_id)
        self.template.setEnabled(info.id is None)
        select_data(self.department, info.department_id)
        self.area.setText(info.area)
        day = info.assessed_on or dt.date.today()
        self.assessed_on.setDate(QDate(day.year, day.month, day.day))
        self.notes.setPlainText(info.notes)
        self.team.setRowCount(0)
        self._member_ids = []
        for member in info.members:
            self.add_member(member)
        if not info.members:
            self.add_member(MemberInfo("", "facilitator"))
        self.clear_messages()
        self.mark_clean()
        self._update_title()

    def add_member(self, member: MemberInfo | None = None) -> int:
        """Add a team row (empty by default) and return its index."""
        member = member or MemberInfo("")
        row = self.team.rowCount()
        self.team.insertRow(row)
        name = QLineEdit(member.name, self.team)
        name.setMaxLength(120)
        role = QComboBox(self.team)
        fill_code_combo(role, TEAM_ROLES)
        select_data(role, member.team_role)
        job = QComboBox(self.team)
        fill_code_combo(job, JOB_CATEGORIES, any_label=_("(not given)"))
        select_data(job, member.job_category)
        sex = QComboBox(self.team)
        fill_code_combo(sex, SEXES, any_label=_("(not given)"))
        select_data(sex, member.sex)
        for column, widget in enumerate((name, role, job, sex)):
            self.team.setCellWidget(row, column, widget)
        self._member_ids.append(member.id)
        return row

    def remove_selected_member(self) -> None:
        rows = sorted({i.row() for i in self.team.selectedIndexes()}, reverse=True)
        if not rows and self.team.currentRow() >= 0:
            rows = [self.team.currentRow()]
        for row in rows:
            self.team.removeRow(row)
            del self._member_ids[row]

    def members(self) -> tuple[MemberInfo, ...]:
        result = []
        for row in range(self.team.rowCount()):
            name = self.team.cellWidget(row, 0)
            role = self.team.cellWidget(row, 1)
            job = self.team.cellWidget(row, 2)
            sex = self.team.cellWidget(row, 3)
            assert isinstance(name, QLineEdit)
            assert isinstance(role, QComboBox) and isinstance(job, QComboBox)
            assert isinstance(sex, QComboBox)
            if not name.text().strip() and row == self.team.rowCount() - 1 and row > 0:
                continue  # an empty last row is an unused 'add'
            result.append(
                MemberInfo(
                    name=name.text(),
                    team_role=role.currentData() or "staff",
                    job_category=job.currentData(),
                    sex=sex.currentData(),
                    id=self._member_ids[row],
                )
            )
        return tuple(result)

    def to_info(self) -> AssessmentInfo:
        return replace(
            self._loaded,
            template_id=self.template.currentData(),
            department_id=self.department.currentData(),
            area=self.area.text(),
            assessed_on=self.assessed_on.date().toPython(),  # type: ignore[arg-type]
            notes=self.notes.toPlainText(),
            members=self.members(),
        )

    def retranslate(self) -> None:
        super().retranslate()
        self.form.set_label_text("template_id", _("Checklist"))
        self.form.set_label_text("department_id", _("Department"))
        self.form.set_label_text("area", _("Area checked"))
        self.form.set_label_text("assessed_on", _("Date of the walk-through"))
        self.form.set_label_text("notes", _("Notes"))
        self.form.set_label_text("members", _("Team"))
        self.area.setPlaceholderText(_("e.g. 3rd floor east, treatment room"))
        self.team.setHorizontalHeaderLabels([_("Name"), _("Role"), _("Profession"), _("Sex")])
        self.team.setAccessibleName(_("Team members"))
        self.add_member_button.setText(_("Add member"))
        self.remove_member_button.setText(_("Remove member"))
        self._update_title()

    # -- EditDialog ---------------------------------------------------------------------------

    def snapshot(self) -> AssessmentInfo:
        return self.to_info()

    def write(self, session: Session) -> AssessmentInfo:
        info = self.to_info()
        if info.id is None:
            return healthwise.create_assessment(session, self.context.actor, info)
        return healthwise.update_assessment(session, self.context.actor, info)

    def after_save(self, result: object) -> None:
        assert isinstance(result, AssessmentInfo)
        self._loaded = result

    # -- private ------------------------------------------------------------------------------

    def _load_choices(self, info: AssessmentInfo) -> None:
        chinese = current_language() == "zh_CN"
        with self.context.database.session() as session:
            templates = healthwise.list_templates(session, self.context.actor)
            departments = list_departments(session)
        items: list[tuple[str, object]] = []
        for template in templates:
            if template.active or template.id == info.template_id:
                label = template.name(chinese)
                items.append((f"{label} · {template.version}", template.id))
        fill_combo(self.template, items)
        language = current_language()
        fill_combo(
            self.department,
            [(_("(none)"), None)]
            + [
                (d.name(language), d.id)
                for d in departments
                if d.active or d.id == info.department_id
            ],
        )

    def _on_add_member(self) -> None:
        row = self.add_member()
        widget = self.team.cellWidget(row, 0)
        if widget is not None:
            widget.setFocus()

    def _update_title(self) -> None:
        self.setWindowTitle(
            _("New checklist round") if self._loaded.id is None else _("Edit the round")
        )
