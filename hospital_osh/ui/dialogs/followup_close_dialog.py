"""Close a follow-up item without a result: missed (the worker did not come) or cancelled (a
clinician decided it is not needed). Either way the reason is required and audited, so no test
disappears silently from the schedule."""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QLabel, QPlainTextEdit, QWidget
from sqlalchemy.orm import Session

from hospital_osh.domain.followup import FOLLOWUP_STATUSES
from hospital_osh.i18n import _
from hospital_osh.services import followups
from hospital_osh.services.followups import CANCELLED, MISSED, FollowupRow
from hospital_osh.ui.context import AppContext
from hospital_osh.ui.dialogs.edit_dialog import EditDialog
from hospital_osh.ui.widgets.code_combo import fill_combo, select_data


class FollowupCloseDialog(EditDialog):
    """Enter saves, Esc cancels. ``saved`` carries the updated ``FollowupRow``."""

    def __init__(
        self,
        context: AppContext,
        row: FollowupRow,
        parent: QWidget | None = None,
        *,
        state: str = MISSED,
    ):
        super().__init__(context, parent, min_width=460)
        self.row = row
        self.summary = QLabel(self)
        self.summary.setWordWrap(True)
        self.summary.setProperty("role", "hint")
        self.layout().insertWidget(0, self.summary)  # type: ignore[attr-defined]
        self.state = QComboBox(self)
        self.reason = QPlainTextEdit(self)
        self.reason.setTabChangesFocus(True)
        self.reason.setMaximumHeight(self.fontMetrics().lineSpacing() * 4 + 12)
        self.form.add_row("state", "", self.state)
        self.form.add_row("reason", "", self.reason)
        self.retranslate()
        select_data(self.state, state)
        self.mark_clean()

    def retranslate(self) -> None:
        super().retranslate()
        self.setWindowTitle(_("Close without a result: {item}").format(item=self.row.label))
        self.summary.setText(
            _("{item} for case {case}, due {due}.").format(
                item=self.row.label, case=self.row.exposure_ref, due=self.row.due_date.isoformat()
            )
        )
        self.form.set_label_text("state", _("Close as"))
        self.form.set_label_text("reason", _("Reason"))
        choice = self.state.currentData()
        fill_combo(
            self.state,
            [
                (
                    _("{status}: the worker did not come").format(
                        status=_(FOLLOWUP_STATUSES.label(MISSED))
                    ),
                    MISSED,
                ),
                (
                    _("{status}: not needed (clinician's decision)").format(
                        status=_(FOLLOWUP_STATUSES.label(CANCELLED))
                    ),
                    CANCELLED,
                ),
            ],
        )
        select_data(self.state, choice)

    def snapshot(self) -> tuple[object, str]:
        return (self.state.currentData(), self.reason.toPlainText())

    def write(self, session: Session) -> FollowupRow:
        return followups.resolve(
            session,
            self.context.actor,
            self.row.id,
            str(self.state.currentData()),
            self.reason.toPlainText(),
            version=self.row.version,
        )
