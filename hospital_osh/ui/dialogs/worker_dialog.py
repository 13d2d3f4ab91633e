"""Add or edit one worker: a form over a ``WorkerInfo`` DTO, saved by the workers service."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from PySide6.QtWidgets import QCheckBox, QComboBox, QLineEdit, QWidget
from sqlalchemy.orm import Session

from hospital_osh.domain.codes import EMPLOYMENT_TYPES, JOB_CATEGORIES, SEXES
from hospital_osh.i18n import _, current_language
from hospital_osh.services.hospital import list_departments
from hospital_osh.services.workers import FIELDS, WorkerInfo, create_worker, update_worker
from hospital_osh.ui.context import AppContext
from hospital_osh.ui.dialogs.edit_dialog import EditDialog
from hospital_osh.ui.widgets.code_combo import fill_code_combo, fill_combo, select_data
from hospital_osh.ui.widgets.optional_date_edit import OptionalDateEdit


class WorkerDialog(EditDialog):
    """Enter saves, Esc cancels (asking first when something was typed). ``saved`` carries the
    saved ``WorkerInfo`` (with its id and new version)."""

    def __init__(self, context: AppContext, parent: QWidget | None = None):
        super().__init__(context, parent, min_width=520)
        self._loaded = WorkerInfo()
        self.staff_no = QLineEdit(self)
        self.staff_no.setMaxLength(40)
        self.name = QLineEdit(self)
        self.name.setMaxLength(120)
        self.sex = QComboBox(self)
        self.birth_date = OptionalDateEdit(dt.date(1990, 1, 1), self)
        self.job_category = QComboBox(self)
        self.department = QComboBox(self)
        self.employment_type = QComboBox(self)
        self.hire_date = OptionalDateEdit(dt.date.today(), self)
        self.active = QCheckBox(self)
        widgets = {"department_id": self.department}
        for field in FIELDS:
            self.form.add_row(field, "", widgets.get(field) or getattr(self, field))
        self.retranslate()
        self.load(WorkerInfo())

    # -- public API ---------------------------------------------------------------------------

    def load(self, info: WorkerInfo) -> None:
        """Fill the form from ``info``; what is loaded counts as 'no unsaved changes'."""
        self._loaded = info
        self._load_departments(info.department_id)
        self.staff_no.setText(info.staff_no)
        self.name.setText(info.name)
        select_data(self.sex, info.sex)
        self.birth_date.set_value(info.birth_date)
        select_data(self.job_category, info.job_category)
        select_data(self.department, info.department_id)
        select_data(self.employment_type, info.employment_type)
        self.hire_date.set_value(info.hire_date)
        self.active.setChecked(info.active)
        self.clear_messages()
        self.mark_clean()
        self._update_title()

    def to_info(self) -> WorkerInfo:
        """What the form holds now, as a DTO carrying the loaded id and version."""
        return replace(
            self._loaded,
            staff_no=self.staff_no.text(),
            name=self.name.text(),
            sex=self.sex.currentData() or "",
            birth_date=self.birth_date.value(),
            job_category=self.job_category.currentData() or "",
            department_id=self.department.currentData(),
            employment_type=self.employment_type.currentData() or "",
            hire_date=self.hire_date.value(),
            active=self.active.isChecked(),
        )

    def retranslate(self) -> None:
        super().retranslate()
        self.form.set_label_text("staff_no", _("Staff number"))
        self.form.set_label_text("name", _("Name"))
        self.form.set_label_text("sex", _("Sex"))
        self.form.set_label_text("birth_date", _("Birth date"))
        self.form.set_label_text("job_category", _("Job category"))
        self.form.set_label_text("department_id", _("Department"))
        self.form.set_label_text("employment_type", _("Employment type"))
        self.form.set_label_text("hire_date", _("Hire date"))
        self.form.set_label_text("active", _("Status"))
        self.active.setText(_("Active (works at the hospital)"))
        fill_code_combo(self.sex, SEXES)
        fill_code_combo(self.job_category, JOB_CATEGORIES)
        fill_code_combo(self.employment_type, EMPLOYMENT_TYPES)
        self.birth_date.retranslate()
        self.hire_date.retranslate()
        self._update_title()

    # -- EditDialog ---------------------------------------------------------------------------

    def snapshot(self) -> WorkerInfo:
        return self.to_info()

    def write(self, session: Session) -> WorkerInfo:
        info = self.to_info()
        if info.id is None:
            return create_worker(session, self.context.actor, info)
        return update_worker(session, self.context.actor, info)

    def after_save(self, result: object) -> None:
        assert isinstance(result, WorkerInfo)
        self._loaded = result

    # -- private ------------------------------------------------------------------------------

    def _load_departments(self, keep_id: int | None) -> None:
        """Active departments, plus the worker's own even if it was deactivated since."""
        with self.context.database.session() as session:
            departments = list_departments(session)
        language = current_language()
        items: list[tuple[str, object]] = [(_("(none)"), None)]
        for department in departments:
            if department.active:
                items.append((department.name(language), department.id))
            elif department.id == keep_id:
                items.append(
                    (_("{name} (inactive)").format(name=department.name(language)), department.id)
                )
        fill_combo(self.department, items)

    def _update_title(self) -> None:
        if self._loaded.id is None:
            self.setWindowTitle(_("New worker"))
        else:
            self.setWindowTitle(_("Edit worker {staff_no}").format(staff_no=self._loaded.staff_no))
