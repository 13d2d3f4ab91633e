"""Settings › Follow-up schedule: the protocol's due days and windows beside the hospital's own.

A hospital may move a follow-up test (e.g. HCV RNA at 6 weeks instead of 4, to match its
laboratory's days) without editing the protocol file: ``services.post_exposure.set_adjustment``
stores the new due day and window with the reason, checks it against the protocol's own rules
and audits it; "Return to the protocol's value" removes it. Schedules generated afterwards use
it, and the decision panel marks such items "Adjusted by the hospital: <reason>".

Users who manage the hospital's settings (MANAGE_HOSPITAL) change it; officers who manage
post-exposure care see it read-only, without the buttons (the service checks it again).
"""

from __future__ import annotations

from collections.abc import Mapping

from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QWidget,
)
from sqlalchemy.orm import Session

from hospital_osh.domain.codes import N_
from hospital_osh.domain.protocols import DEFAULT_PROTOCOL, PROTOCOL_FILES
from hospital_osh.domain.roles import Permission
from hospital_osh.i18n import _, current_language
from hospital_osh.services import post_exposure as pe
from hospital_osh.services import settings
from hospital_osh.services.context import Actor
from hospital_osh.services.errors import UserError
from hospital_osh.ui import style
from hospital_osh.ui.context import AppContext
from hospital_osh.ui.dialogs.edit_dialog import EditDialog
from hospital_osh.ui.widgets.code_combo import fill_combo, select_data
from hospital_osh.ui.widgets.settings_section import ListSection

MAX_DAY = 730  # the service refuses more (two years after the exposure)
ADJUSTED_COLOUR = style.ACCENT_DARK


def window_text(start: int, end: int) -> str:
    return _("day {start} to {end}").format(start=start, end=end)


class OffsetDialog(EditDialog):
    """Edit one schedule item's due day and window, with the reason. ``saved`` carries the
    updated ``ScheduleRowView``; a refused value stays in the form with the message beside it."""

    def __init__(self, context: AppContext, row: pe.ScheduleRowView, parent: QWidget | None = None):
        super().__init__(context, parent, min_width=560)
        self.row = row
        self.summary = QLabel(self)
        self.summary.setWordWrap(True)
        style.set_role(self.summary, "hint")
        self.layout().insertWidget(0, self.summary)  # type: ignore[attr-defined]
        self.due = self._days()
        self.window_start = self._days()
        self.window_end = self._days()
        self.reason = QPlainTextEdit(self)
        self.reason.setTabChangesFocus(True)
        self.reason.setMaximumHeight(self.fontMetrics().lineSpacing() * 4 + 12)
        for name in ("due", "window_start", "window_end", "reason"):
            self.form.add_row(name, "", getattr(self, name))
        self.due.setValue(row.due)
        self.window_start.setValue(row.window_start)
        self.window_end.setValue(row.window_end)
        self.reason.setPlainText(row.reason)
        self.retranslate()
        self.mark_clean()

    # -- public API ---------------------------------------------------------------------------

    def entry(self) -> pe.AdjustmentInput:
        row = self.row
        return pe.AdjustmentInput(
            protocol_id=row.protocol_id,
            schedule=row.schedule,
            item_id=row.item_id,
            due=self.due.value(),
            window_start=self.window_start.value(),
            window_end=self.window_end.value(),
            reason=self.reason.toPlainText(),
        )

    def retranslate(self) -> None:
        super().retranslate()
        row = self.row
        self.setWindowTitle(_("Change the schedule of {item}").format(item=row.label))
        self.summary.setText(
            _(
                "{item} ({schedule} / {row}). The protocol plans it on day {due} after the "
                "exposure, {window}. Schedules generated from now on use the hospital's values; "
                "follow-ups already planned keep their dates."
            ).format(
                item=row.label,
                schedule=row.schedule,
                row=row.item_id,
                due=row.protocol_due,
                window=window_text(*row.protocol_window),
            )
        )
        self.form.set_label_text("due", _("Due on day"))
        self.form.set_label_text("window_start", _("Window from day"))
        self.form.set_label_text("window_end", _("Window to day"))
        self.form.set_label_text("reason", _("Reason"))
        self.reason.setPlaceholderText(_("Why the hospital differs from the protocol"))

    def show_errors(self, errors: Mapping[str, str]) -> None:
        """Messages beside the fields; the dialog grows so that none is cut off."""
        super().show_errors(errors)
        self.adjustSize()

    # -- EditDialog ---------------------------------------------------------------------------

    def snapshot(self) -> pe.AdjustmentInput:
        return self.entry()

    def write(self, session: Session) -> pe.ScheduleRowView:
        return pe.set_adjustment(session, self.context.actor, self.entry())

    # -- private ------------------------------------------------------------------------------

    def _days(self) -> QSpinBox:
        box = QSpinBox(self)
        box.setRange(0, MAX_DAY)
        return box


class ProtocolOffsetSettings(ListSection):
    """The schedule items of one protocol (China or CDC), the hospital's values beside them."""

    key = "protocol_offsets"
    title = N_("Follow-up schedule")
    icon = "calendar-check"
    headers = (
        N_("Test or treatment"),
        N_("Schedule / row"),
        N_("Protocol: due day"),
        N_("Protocol: window"),
        N_("Hospital: due day"),
        N_("Hospital: window"),
        N_("Reason"),
    )
    stretch_column = 6

    def __init__(self, context: AppContext, parent: QWidget | None = None):
        super().__init__(context, parent)
        self.editable = context.actor.can(Permission.MANAGE_HOSPITAL)
        self.protocol = QComboBox(self)
        self.protocol_label = QLabel(self)
        self.protocol_label.setBuddy(self.protocol)
        chooser = QHBoxLayout()
        chooser.addWidget(self.protocol_label)
        chooser.addWidget(self.protocol)
        chooser.addStretch(1)
        self.body.insertLayout(2, chooser)
        self.edit_button = QPushButton(self)
        self.reset_button = QPushButton(self)
        self.edit_button.clicked.connect(self.edit_selected)
        self.reset_button.clicked.connect(self.reset_selected)
        self.add_buttons(self.edit_button, self.reset_button)
        for button in (self.edit_button, self.reset_button):
            button.setVisible(self.editable)
        self.retranslate()
        self._choose_hospital_protocol()
        self.protocol.currentIndexChanged.connect(self._on_protocol_changed)

    # -- public API ---------------------------------------------------------------------------

    @classmethod
    def visible_for(cls, actor: Actor) -> bool:
        """Those who set the schedules (MANAGE_HOSPITAL) and, read-only, those who follow the
        cases up (MANAGE_POST_EXPOSURE), so an officer can see why a date differs."""
        return actor.can(Permission.MANAGE_HOSPITAL) or actor.can(Permission.MANAGE_POST_EXPOSURE)

    def protocol_id(self) -> str:
        chosen = self.protocol.currentData()
        return str(chosen) if chosen in PROTOCOL_FILES else DEFAULT_PROTOCOL

    def choose_protocol(self, protocol_id: str) -> None:
        select_data(self.protocol, protocol_id)

    def edit_selected(self) -> OffsetDialog | None:
        row = self.selected()
        if row is None or not self.editable:
            return None
        dialog = OffsetDialog(self.context, row, self)
        self.open_dialog(dialog)
        return dialog

    def reset_selected(self) -> None:
        row = self.selected()
        if row is None or not row.adjusted or not self.editable:
            return
        question = _(
            "Return {item} to the protocol's values (day {due}, {window})? Schedules generated "
            "from now on use them."
        ).format(item=row.label, due=row.protocol_due, window=window_text(*row.protocol_window))
        self.act(
            _("Return to the protocol's value"),
            question,
            lambda session: pe.reset_adjustment(
                session, self.context.actor, row.protocol_id, row.schedule, row.item_id
            ),
        )

    def retranslate(self) -> None:
        intro = _(
            "When the hospital's laboratory or clinic works on other days, a follow-up test "
            "may be moved: the due day and its window count from the day of the exposure. "
            "Each change needs its reason; the decision panel shows it beside the items it "
            "plans. The protocol's own rules still apply (e.g. anti-HBs not too soon after "
            "HBIG)."
        )
        if not self.editable:
            intro = _("{intro} Only users who manage the hospital may change it.").format(
                intro=intro
            )
        self.set_intro(intro)
        self.protocol_label.setText(_("Protocol"))
        choice = self.protocol.currentData()
        language = current_language()
        names = []
        for protocol_id in PROTOCOL_FILES:
            try:
                names.append((pe.protocol_by_id(protocol_id).name(language), protocol_id))
            except UserError:
                names.append((protocol_id, protocol_id))
        fill_combo(self.protocol, names)
        if choice is not None:
            select_data(self.protocol, choice)
        self.edit_button.setText(_("Change…"))
        self.reset_button.setText(_("Return to the protocol's value"))
        super().retranslate()

    # -- ListSection --------------------------------------------------------------------------

    def load_rows(self, session: Session) -> list[pe.ScheduleRowView]:
        return pe.schedule_rows(session, self.protocol_id())

    def row_key(self, row: pe.ScheduleRowView) -> object:
        return (row.protocol_id, row.schedule, row.item_id)

    def saved_key(self, result: object) -> object:
        assert isinstance(result, pe.ScheduleRowView)
        return self.row_key(result)

    def row_texts(self, row: pe.ScheduleRowView) -> tuple[str, ...]:
        own = row.adjusted
        return (
            row.label,
            f"{row.schedule} / {row.item_id}",
            str(row.protocol_due),
            window_text(*row.protocol_window),
            str(row.due) if own else "",
            window_text(row.window_start, row.window_end) if own else "",
            row.reason,
        )

    def fill(self) -> None:
        super().fill()
        accent = QBrush(QColor(ADJUSTED_COLOUR))
        for number, row in enumerate(self.rows):
            if not row.adjusted:
                continue
            changed = _("Changed by {who} on {when}").format(
                who=row.changed_by,
                when=row.changed_at.strftime("%Y-%m-%d") if row.changed_at else "",
            )
            tip = f"{row.reason}\n{changed}"
            for column in (0, 4, 5, 6):
                item = self.table.item(number, column)
                if item is None:
                    continue
                item.setForeground(accent)
                item.setToolTip(tip)
                font = QFont(item.font())
                font.setBold(column in (4, 5))
                item.setFont(font)

    def update_actions(self) -> None:
        row = self.selected()
        self.edit_button.setEnabled(self.editable and row is not None)
        self.reset_button.setEnabled(self.editable and row is not None and row.adjusted)

    # -- private ------------------------------------------------------------------------------

    def _choose_hospital_protocol(self) -> None:
        try:
            with self.context.database.session() as session:
                chosen = settings.get_setting(session, pe.SETTING)
        except UserError:
            chosen = DEFAULT_PROTOCOL
        self.protocol.blockSignals(True)
        select_data(self.protocol, chosen if chosen in PROTOCOL_FILES else DEFAULT_PROTOCOL)
        self.protocol.blockSignals(False)

    def _on_protocol_changed(self, _index: int) -> None:
        self.reload()
