"""Plan or record one committee meeting: date, time, place, attendance, agenda and minutes.

A new meeting starts with the serving members listed as present and a standard agenda (previous
minutes, business carried forward, HealthWISE plans, new business); the decisions themselves are
recorded on the Committee page, against the items that come up for review.
"""

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
    QTabWidget,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.orm import Session

from hospital_osh.domain.committee import ATTENDANCE, MEETING_STATUSES, SIDES
from hospital_osh.i18n import _, format_date, ngettext
from hospital_osh.services import committee
from hospital_osh.services.committee import AttendanceInfo, MeetingInfo
from hospital_osh.ui.context import AppContext
from hospital_osh.ui.dialogs.edit_dialog import EditDialog
from hospital_osh.ui.widgets.code_combo import fill_code_combo, select_data
from hospital_osh.ui.widgets.date_formats import apply_locale_date_format
from hospital_osh.ui.widgets.form import FormLayout
from hospital_osh.ui.widgets.optional_date_edit import OptionalDateEdit

FIELDS = ("held_on", "start_time", "place", "status", "next_meeting_on", "attendance")


def standard_agenda(review_count: int) -> str:
    """The usual order of business (committee practice, domain/healthwise.md d.4)."""
    return "\n".join(
        (
            _("1. Approval of the previous minutes"),
            ngettext(
                "2. Business carried forward: {count} item to review",
                "2. Business carried forward: {count} items to review",
                review_count,
            ).format(count=review_count),
            _("3. Injury, exposure and HealthWISE findings"),
            _("4. New business"),
        )
    )


class MeetingDialog(EditDialog):
    """``saved`` carries the saved ``MeetingInfo``."""

    def __init__(self, context: AppContext, parent: QWidget | None = None):
        super().__init__(context, parent, min_width=680)
        self._loaded = MeetingInfo()
        self.held_on = QDateEdit(self)
        self.held_on.setCalendarPopup(True)
        apply_locale_date_format(self.held_on)
        self.start_time = QLineEdit(self)
        self.start_time.setInputMask("99:99;_")
        self.place = QLineEdit(self)
        self.place.setMaxLength(200)
        self.status = QComboBox(self)
        self.next_meeting_on = OptionalDateEdit(dt.date.today() + dt.timedelta(days=90), self)
        self.attendance = QTableWidget(0, 3, self)
        self.attendance.verticalHeader().setVisible(False)
        self.attendance.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.attendance.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.attendance.horizontalHeader().resizeSection(1, 110)
        self.attendance.horizontalHeader().resizeSection(2, 200)
        # Rows hold editors (a line edit and combos): give them a combo's full height.
        self.attendance.verticalHeader().setDefaultSectionSize(QComboBox().sizeHint().height() + 6)
        self.attendance.setMinimumHeight(150)
        self.add_person_button = QPushButton(self)
        self.remove_person_button = QPushButton(self)
        self.add_person_button.clicked.connect(self._on_add_person)
        self.remove_person_button.clicked.connect(self.remove_selected_person)
        people = QWidget(self)
        people_layout = QVBoxLayout(people)
        people_layout.setContentsMargins(0, 0, 0, 0)
        people_layout.addWidget(self.attendance)
        people_buttons = QHBoxLayout()
        people_buttons.addWidget(self.add_person_button)
        people_buttons.addWidget(self.remove_person_button)
        people_buttons.addStretch(1)
        people_layout.addLayout(people_buttons)
        people.setFocusProxy(self.attendance)
        widgets = {"attendance": people}
        for field in FIELDS:
            self.form.add_row(field, "", widgets.get(field) or getattr(self, field))

        self.agenda = QPlainTextEdit(self)
        self.agenda.setTabChangesFocus(True)
        self.minutes = QPlainTextEdit(self)
        self.minutes.setTabChangesFocus(True)
        self.texts = FormLayout()
        self.texts.add_row("agenda", "", self.agenda)
        self.texts.add_row("minutes", "", self.minutes)
        outer = self.layout()
        assert isinstance(outer, QVBoxLayout)
        outer.removeItem(self.form)
        self.form.setParent(None)  # type: ignore[call-overload]
        details = QWidget(self)
        details.setLayout(self.form)
        texts = QWidget(self)
        texts.setLayout(self.texts)
        self.tabs = QTabWidget(self)
        self.tabs.addTab(details, "")
        self.tabs.addTab(texts, "")
        outer.insertWidget(1, self.tabs, 1)
        self._member_ids: list[int | None] = []
        self.retranslate()
        self.load(MeetingInfo(held_on=dt.date.today()))

    # -- public API ---------------------------------------------------------------------------

    def load(self, info: MeetingInfo) -> None:
        self._loaded = info
        day = info.held_on or dt.date.today()
        self.held_on.setDate(QDate(day.year, day.month, day.day))
        self.start_time.setText(info.start_time)
        self.place.setText(info.place)
        select_data(self.status, info.status)
        self.next_meeting_on.set_value(info.next_meeting_on)
        self.agenda.setPlainText(info.agenda)
        self.minutes.setPlainText(info.minutes)
        self.attendance.setRowCount(0)
        self._member_ids = []
        for entry in info.attendance:
            self.add_person(entry)
        self.clear_messages()
        self.mark_clean()
        self._update_title()

    def add_person(self, entry: AttendanceInfo | None = None) -> int:
        entry = entry or AttendanceInfo("", "guest")
        row = self.attendance.rowCount()
        self.attendance.insertRow(row)
        name = QLineEdit(entry.name, self.attendance)
        name.setMaxLength(120)
        present = QComboBox(self.attendance)
        fill_code_combo(present, ATTENDANCE)
        select_data(present, entry.attendance)
        side = QComboBox(self.attendance)
        fill_code_combo(side, SIDES, any_label=_("(not given)"))
        select_data(side, entry.side or None)
        for column, widget in enumerate((name, present, side)):
            self.attendance.setCellWidget(row, column, widget)
        self._member_ids.append(entry.member_id)
        return row

    def remove_selected_person(self) -> None:
        row = self.attendance.currentRow()
        if row >= 0:
            self.attendance.removeRow(row)
            del self._member_ids[row]

    def people(self) -> tuple[AttendanceInfo, ...]:
        result = []
        for row in range(self.attendance.rowCount()):
            name = self.attendance.cellWidget(row, 0)
            present = self.attendance.cellWidget(row, 1)
            side = self.attendance.cellWidget(row, 2)
            assert isinstance(name, QLineEdit)
            assert isinstance(present, QComboBox) and isinstance(side, QComboBox)
            result.append(
                AttendanceInfo(
                    name=name.text().strip(),
                    attendance=present.currentData() or "present",
                    side=side.currentData() or "",
                    member_id=self._member_ids[row],
                )
            )
        return tuple(result)

    def to_info(self) -> MeetingInfo:
        time = self.start_time.text()
        return replace(
            self._loaded,
            held_on=self.held_on.date().toPython(),  # type: ignore[arg-type]
            start_time="" if time.strip(":_ ") == "" else time,
            place=self.place.text(),
            status=self.status.currentData() or "planned",
            next_meeting_on=self.next_meeting_on.value(),
            agenda=self.agenda.toPlainText(),
            minutes=self.minutes.toPlainText(),
            attendance=self.people(),
        )

    def retranslate(self) -> None:
        super().retranslate()
        for field, text in (
            ("held_on", _("Date")),
            ("start_time", _("Time")),
            ("place", _("Place")),
            ("status", _("Status")),
            ("next_meeting_on", _("Next meeting")),
            ("attendance", _("Attendance")),
        ):
            self.form.set_label_text(field, text)
        self.texts.set_label_text("agenda", _("Agenda"))
        self.texts.set_label_text("minutes", _("Minutes"))
        self.tabs.setTabText(0, _("Meeting"))
        self.tabs.setTabText(1, _("Agenda and minutes"))
        fill_code_combo(self.status, MEETING_STATUSES)
        self.attendance.setHorizontalHeaderLabels([_("Name"), _("Attendance"), _("Represents")])
        self.add_person_button.setText(_("Add person"))
        self.remove_person_button.setText(_("Remove person"))
        self.minutes.setPlaceholderText(_("What was discussed and agreed…"))
        self.next_meeting_on.retranslate()
        self._update_title()

    # -- EditDialog ---------------------------------------------------------------------------

    def snapshot(self) -> MeetingInfo:
        return self.to_info()

    def write(self, session: Session) -> MeetingInfo:
        info = self.to_info()
        if info.id is None:
            return committee.create_meeting(session, self.context.actor, info)
        return committee.update_meeting(session, self.context.actor, info)

    def show_errors(self, errors):  # type: ignore[no-untyped-def]
        texts = {k: v for k, v in errors.items() if k in ("agenda", "minutes")}
        self.texts.show_errors(texts)
        super().show_errors({k: v for k, v in errors.items() if k not in texts})

    def clear_messages(self) -> None:
        super().clear_messages()
        self.texts.clear_errors()

    def after_save(self, result: object) -> None:
        assert isinstance(result, MeetingInfo)
        self._loaded = result

    # -- private ------------------------------------------------------------------------------

    def _on_add_person(self) -> None:
        row = self.add_person()
        widget = self.attendance.cellWidget(row, 0)
        if widget is not None:
            widget.setFocus()

    def _update_title(self) -> None:
        self.setWindowTitle(
            _("New committee meeting")
            if self._loaded.id is None
            else _("Committee meeting of {date}").format(date=format_date(self._loaded.held_on))
        )


def new_meeting_info(context: AppContext) -> MeetingInfo:
    """Today's meeting with the serving members present and the standard agenda."""
    with context.database.session() as session:
        members = committee.list_members(session, context.actor, active_only=True)
        agenda = committee.review_items(session, context.actor)
    return MeetingInfo(
        held_on=dt.date.today(),
        start_time="14:30",
        agenda=standard_agenda(agenda.count),
        attendance=tuple(AttendanceInfo(m.name, "present", m.side, m.id) for m in members),
    )
