"""Add or edit one OSH committee member: role, whom they represent, department, sex, term."""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtWidgets import QCheckBox, QComboBox, QLineEdit, QWidget
from sqlalchemy.orm import Session

from hospital_osh.domain.codes import SEXES
from hospital_osh.domain.committee import COMMITTEE_ROLES, SIDES
from hospital_osh.i18n import _, current_language
from hospital_osh.services import committee
from hospital_osh.services.committee import CommitteeMemberInfo
from hospital_osh.services.hospital import list_departments
from hospital_osh.ui.context import AppContext
from hospital_osh.ui.dialogs.edit_dialog import EditDialog
from hospital_osh.ui.widgets.code_combo import fill_code_combo, fill_combo, select_data
from hospital_osh.ui.widgets.optional_date_edit import OptionalDateEdit

FIELDS = (
    "name",
    "committee_role",
    "side",
    "department_id",
    "sex",
    "term_start",
    "term_end",
    "active",
)


class MemberDialog(EditDialog):
    """``saved`` carries the saved ``CommitteeMemberInfo``."""

    def __init__(self, context: AppContext, parent: QWidget | None = None):
        super().__init__(context, parent, min_width=480)
        self._loaded = CommitteeMemberInfo()
        self.name = QLineEdit(self)
        self.name.setMaxLength(120)
        self.committee_role = QComboBox(self)
        self.side = QComboBox(self)
        self.department = QComboBox(self)
        self.sex = QComboBox(self)
        self.term_start = OptionalDateEdit(parent=self)
        self.term_end = OptionalDateEdit(parent=self)
        self.active = QCheckBox(self)
        widgets = {"department_id": self.department}
        for field in FIELDS:
            self.form.add_row(field, "", widgets.get(field) or getattr(self, field))
        self.retranslate()
        self.load(CommitteeMemberInfo())

    def load(self, info: CommitteeMemberInfo) -> None:
        self._loaded = info
        self._load_departments(info.department_id)
        self.name.setText(info.name)
        select_data(self.committee_role, info.committee_role)
        select_data(self.side, info.side)
        select_data(self.department, info.department_id)
        select_data(self.sex, info.sex)
        self.term_start.set_value(info.term_start)
        self.term_end.set_value(info.term_end)
        self.active.setChecked(info.active)
        self.clear_messages()
        self.mark_clean()
        self._update_title()

    def to_info(self) -> CommitteeMemberInfo:
        return replace(
            self._loaded,
            name=self.name.text(),
            committee_role=self.committee_role.currentData() or "member",
            side=self.side.currentData() or "worker",
            department_id=self.department.currentData(),
            sex=self.sex.currentData(),
            term_start=self.term_start.value(),
            term_end=self.term_end.value(),
            active=self.active.isChecked(),
        )

    def retranslate(self) -> None:
        super().retranslate()
        for field, text in (
            ("name", _("Name")),
            ("committee_role", _("Role on the committee")),
            ("side", _("Represents")),
            ("department_id", _("Department")),
            ("sex", _("Sex")),
            ("term_start", _("Term starts")),
            ("term_end", _("Term ends")),
            ("active", _("Status")),
        ):
            self.form.set_label_text(field, text)
        self.active.setText(_("Serving on the committee"))
        fill_code_combo(self.committee_role, COMMITTEE_ROLES)
        fill_code_combo(self.side, SIDES)
        fill_code_combo(self.sex, SEXES, any_label=_("(not given)"))
        self.term_start.retranslate()
        self.term_end.retranslate()
        self._update_title()

    def snapshot(self) -> CommitteeMemberInfo:
        return self.to_info()

    def write(self, session: Session) -> CommitteeMemberInfo:
        return committee.save_member(session, self.context.actor, self.to_info())

    def after_save(self, result: object) -> None:
        assert isinstance(result, CommitteeMemberInfo)
        self._loaded = result

    def _load_departments(self, keep_id: int | None) -> None:
        with self.context.database.session() as session:
            departments = list_departments(session)
        language = current_language()
        fill_combo(
            self.department,
            [(_("(none)"), None)]
            + [(d.name(language), d.id) for d in departments if d.active or d.id == keep_id],
        )

    def _update_title(self) -> None:
        self.setWindowTitle(
            _("New committee member")
            if self._loaded.id is None
            else _("Committee member {name}").format(name=self._loaded.name)
        )
