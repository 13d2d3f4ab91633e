"""Settings › Hospital profile: names, facility code, place, grade and time zone."""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtWidgets import QComboBox, QLineEdit, QWidget
from sqlalchemy.orm import Session

from hospital_osh.domain.codes import HOSPITAL_GRADES, N_
from hospital_osh.domain.roles import Permission
from hospital_osh.i18n import _
from hospital_osh.services.hospital import HospitalProfile, get_profile, save_profile
from hospital_osh.ui.context import AppContext
from hospital_osh.ui.widgets.code_combo import fill_code_combo, select_data
from hospital_osh.ui.widgets.settings_section import FormSection

COMMON_TIME_ZONES = (
    "Asia/Shanghai",
    "Asia/Urumqi",
    "Asia/Hong_Kong",
    "Asia/Macau",
    "Asia/Taipei",
    "Asia/Singapore",
    "Asia/Bangkok",
    "Asia/Tokyo",
    "Asia/Seoul",
    "Asia/Kolkata",
    "Asia/Dubai",
    "Africa/Nairobi",
    "Europe/London",
    "Europe/Paris",
    "America/New_York",
    "America/Los_Angeles",
    "Australia/Sydney",
    "UTC",
)
"""Offered in the list; any IANA name may be typed instead."""


class ProfileSettings(FormSection):
    """A form over ``HospitalProfile``; the service validates and answers per field."""

    key = "profile"
    title = N_("Hospital profile")
    icon = "hospital"
    permission = Permission.MANAGE_HOSPITAL

    def __init__(self, context: AppContext, parent: QWidget | None = None):
        super().__init__(context, parent)
        self._loaded = HospitalProfile()
        self.name_zh = QLineEdit(self)
        self.name_en = QLineEdit(self)
        self.facility_code = QLineEdit(self)
        self.facility_code.setMaxLength(40)
        self.province = QLineEdit(self)
        self.city = QLineEdit(self)
        self.grade = QComboBox(self)
        self.time_zone = QComboBox(self)
        self.time_zone.setEditable(True)
        self.time_zone.addItems(COMMON_TIME_ZONES)
        for name, widget in (
            ("name_zh", self.name_zh),
            ("name_en", self.name_en),
            ("facility_code", self.facility_code),
            ("province", self.province),
            ("city", self.city),
            ("grade", self.grade),
            ("time_zone", self.time_zone),
        ):
            self.form.add_row(name, "", widget)
        self.finish_layout()
        self.retranslate()
        self.load(HospitalProfile())

    # -- public API ---------------------------------------------------------------------------

    def activated(self) -> None:
        if self.has_unsaved_changes():
            return  # never throw away what the user is typing
        with self.context.database.session() as session:
            profile = get_profile(session)
        self.load(profile or HospitalProfile())

    def load(self, profile: HospitalProfile) -> None:
        self._loaded = profile
        self.name_zh.setText(profile.name_zh)
        self.name_en.setText(profile.name_en)
        self.facility_code.setText(profile.facility_code)
        self.province.setText(profile.province)
        self.city.setText(profile.city)
        select_data(self.grade, profile.grade)
        self.time_zone.setCurrentText(profile.time_zone)
        self.form.clear_errors()
        self.mark_clean()

    def to_profile(self) -> HospitalProfile:
        return replace(
            self._loaded,
            name_zh=self.name_zh.text(),
            name_en=self.name_en.text(),
            facility_code=self.facility_code.text(),
            province=self.province.text(),
            city=self.city.text(),
            grade=self.grade.currentData() or "",
            time_zone=self.time_zone.currentText().strip(),
        )

    def retranslate(self) -> None:
        super().retranslate()
        self.set_intro(_("How the hospital appears in reports and export packages."))
        self.form.set_label_text("name_zh", _("Name (Chinese)"))
        self.form.set_label_text("name_en", _("Name (English)"))
        self.form.set_label_text("facility_code", _("Facility code"))
        self.form.set_label_text("province", _("Province"))
        self.form.set_label_text("city", _("City"))
        self.form.set_label_text("grade", _("Hospital grade"))
        self.form.set_label_text("time_zone", _("Time zone"))
        self.facility_code.setPlaceholderText(_("The code the health authority gave"))
        self.time_zone.setToolTip(_("Choose from the list or type a time zone name"))
        fill_code_combo(self.grade, HOSPITAL_GRADES)
        self.save_button.setText(_("Save profile"))
        self.status.clear()

    # -- FormSection --------------------------------------------------------------------------

    def snapshot(self) -> HospitalProfile:
        return self.to_profile()

    def write(self, session: Session) -> HospitalProfile:
        return save_profile(session, self.context.actor, self.to_profile())

    def after_save(self, result: object) -> None:
        assert isinstance(result, HospitalProfile)
        self.load(result)

    def saved_text(self, result: object) -> str:
        return _("The hospital profile was saved.")
