"""The OSH committee: meetings with the items that come up for review, the decisions taken on
them, the minutes PDF, and the members.

At a meeting the business comes up by itself (``services.committee.review_items``): plans
submitted for approval, proposed items, overdue items, items done and awaiting verification,
verified items awaiting closure. For the chosen item the page offers only the decisions that
apply to it now; recording one applies it as the item's status change through the same guards as
anywhere else. Only roles with the right to decide (``DECIDE_ACTIONS``) may record decisions.
A HealthWISE plan changed since its approval comes up too, for the committee to approve the
revised plan.

Below the meetings, the minutes' sign-off: circulate the draft, record each co-chair's approval
(the second approves the minutes), lock them, or correct approved minutes as a new version
(``services.committee.move_minutes`` / ``sign_minutes``). Only draft minutes can be edited or
take new decisions; the page says why when the buttons are off.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from hospital_osh.domain import actions as action_rules
from hospital_osh.domain.actions import ACTION_STATUSES
from hospital_osh.domain.codes import N_, SEXES
from hospital_osh.domain.committee import (
    COMMITTEE_ROLES,
    DECISIONS,
    MEETING_STATUSES,
    MINUTES_STATES,
    REVIEW_KINDS,
    SIDES,
    DecisionKind,
    MinutesState,
    minutes_editable,
    minutes_moves_from,
)
from hospital_osh.domain.healthwise import STATES, State
from hospital_osh.domain.roles import Permission
from hospital_osh.i18n import _, current_language, format_date
from hospital_osh.services import committee, healthwise
from hospital_osh.services.actions import ActionInfo, ActionRow
from hospital_osh.services.committee import (
    CommitteeMemberInfo,
    MeetingInfo,
    MeetingRow,
    ReviewAgenda,
)
from hospital_osh.services.context import Actor
from hospital_osh.services.errors import UserError, ValidationError
from hospital_osh.services.healthwise import AssessmentRow
from hospital_osh.ui import style
from hospital_osh.ui.context import AppContext
from hospital_osh.ui.dialogs import reason_dialog
from hospital_osh.ui.dialogs.action_dialog import open_with_system
from hospital_osh.ui.dialogs.meeting_dialog import MeetingDialog, new_meeting_info
from hospital_osh.ui.dialogs.member_dialog import MemberDialog
from hospital_osh.ui.pages.base import Page
from hospital_osh.ui.widgets.code_combo import fill_combo
from hospital_osh.ui.widgets.date_formats import apply_locale_date_format
from hospital_osh.ui.widgets.form import FormLayout

ITEM_ROLE = Qt.ItemDataRole.UserRole + 1
_REVIEW_PARTS = (
    ("new_plan", "new_plans"),
    ("proposed", "proposed"),
    ("overdue", "overdue"),
    ("awaiting_verification", "awaiting_verification"),
    ("awaiting_closure", "awaiting_closure"),
    ("changed_plan", "changed_plans"),
)
_ONLY_FROM = {"reopen": {"done"}}
"""Decisions whose target is reachable from several statuses but which mean one move: reopening
is a failed verification of a done item (from 'planned' the same target is the owner's start)."""


def decisions_for(subject: ActionRow | AssessmentRow) -> list[DecisionKind]:
    """The decisions that apply to an item now: the status changes its status allows, and a
    note; for a HealthWISE plan submitted for approval, approve or return it; for an approved
    plan (it comes up when changed since), approve the revised plan."""
    if isinstance(subject, AssessmentRow):
        if subject.state == State.PLAN_SUBMITTED:
            return [d for d in DECISIONS if d.subject == "assessment" and d.target is not None]
        if subject.state in (State.PLAN_APPROVED, State.FOLLOW_UP):
            return [d for d in DECISIONS if d.code == "approve_revision"]
        return []
    targets = {t.target for t in action_rules.allowed_targets(subject.status)}
    return [
        d
        for d in DECISIONS
        if d.subject == "action"
        and (d.target is None or d.target in targets)
        and subject.status in _ONLY_FROM.get(d.code, {subject.status})
    ]


class CommitteePage(Page):
    """Meetings (with review and decisions) and members."""

    key = "committee"
    title = N_("Committee")
    icon = "handshake"
    order = 75

    # -- signals ------------------------------------------------------------------------------
    decisions_recorded = Signal()
    """Emitted after a decision was recorded (action items may have changed status)."""

    def __init__(
        self,
        context: AppContext,
        parent: QWidget | None = None,
        *,
        open_file: Callable[[Path], None] = open_with_system,
    ):
        super().__init__(context, parent)
        self._can_manage = context.actor.can(Permission.MANAGE_COMMITTEE)
        self._can_decide = context.actor.can(Permission.DECIDE_ACTIONS)
        self._open_file = open_file
        self.meeting_dialog: MeetingDialog | None = None
        self.member_dialog: MemberDialog | None = None
        self.meetings: list[MeetingRow] = []
        self.members: list[CommitteeMemberInfo] = []
        self.meeting: MeetingInfo | None = None
        self.agenda: ReviewAgenda | None = None
        self.plan_changes: dict[int, str] = {}
        """What changed in each approved plan on the agenda since its approval (tooltips)."""
        self._build()
        self.retranslate()  # the data is read when the page is shown: ``activated()``

    # -- Page API -----------------------------------------------------------------------------

    @classmethod
    def visible_for(cls, actor: Actor) -> bool:
        return actor.can(Permission.VIEW_ACTIONS)

    def activated(self) -> None:
        self.refresh()

    def retranslate(self) -> None:
        self.tabs.setTabText(0, _("Meetings"))
        self.tabs.setTabText(1, _("Members"))
        self.new_meeting_button.setText(_("New meeting…"))
        self.new_meeting_button.setToolTip(_("Plan or record a meeting (Ctrl+N)"))
        self.edit_meeting_button.setText(_("Edit meeting…"))
        self.edit_meeting_button.setToolTip(_("Date, attendance, agenda and minutes"))
        self.minutes_button.setText(_("Minutes PDF"))
        self.minutes_button.setToolTip(_("The minutes with signature lines, to print"))
        self.minutes_zh.setText(_("In Chinese…"))
        self.minutes_en.setText(_("In English…"))
        self.meeting_table.setHorizontalHeaderLabels(
            [_("Date"), _("Place"), _("Status"), _("Present"), _("Decisions"), _("Minutes")]
        )
        self.signoff_button.setText(_("Minutes sign-off"))
        self.signoff_button.setToolTip(
            _("Circulate the minutes, record the co-chairs' approval, lock or correct them")
        )
        self.review_title.setText(_("Items to review at this meeting"))
        self.review_tree.setHeaderLabels([_("Item"), _("Status"), _("Due")])
        self.decisions_title.setText(_("Decisions recorded at this meeting"))
        self.decision_table.setHorizontalHeaderLabels(
            [_("No."), _("Item"), _("Decision"), _("Change"), _("Note")]
        )
        self.decision_form.set_label_text("decision", _("Decision"))
        self.decision_form.set_label_text("note", _("Note or reason"))
        self.decision_form.set_label_text("new_due_date", _("New due date"))
        self.record_button.setText(_("Record the decision"))
        self.new_action_button.setText(_("New action item…"))
        self.new_action_button.setToolTip(
            _("Record the meeting's decision to start a new action item")
        )
        self.note.setPlaceholderText(_("Required for reject, reopen, defer, return and notes"))
        self.new_member_button.setText(_("New member…"))
        self.edit_member_button.setText(_("Edit member…"))
        self.member_table.setHorizontalHeaderLabels(
            [
                _("Name"),
                _("Role"),
                _("Represents"),
                _("Department"),
                _("Sex"),
                _("Term"),
                _("Status"),
            ]
        )
        if not self._can_decide:
            self.decide_hint.setText(
                _("Only committee members with the right to decide can record decisions.")
            )
        self._fill_meetings()
        self._fill_members()
        self._fill_review()
        self._fill_decisions()

    def new_item(self) -> None:
        if self._can_manage:
            self.new_meeting()

    def has_unsaved_changes(self) -> bool:
        for dialog in (self.meeting_dialog, self.member_dialog):
            if dialog is not None and dialog.isVisible() and dialog.is_dirty():
                return True
        return False

    def tour_views(self) -> list[tuple[str, QWidget]]:
        views: list[tuple[str, QWidget]] = []
        if self._can_manage:
            meeting = MeetingDialog(self.context, self)
            if self.meeting is not None:
                meeting.load(self.meeting)
            views.append(("meeting_dialog", meeting))
            minutes = MeetingDialog(self.context, self)
            if self.meeting is not None:
                minutes.load(self.meeting)
            minutes.tabs.setCurrentIndex(1)
            views.append(("meeting_minutes", minutes))
            member = MemberDialog(self.context, self)
            if self.members:
                member.load(self.members[0])
            views.append(("member_dialog", member))
        return views

    def tour_states(self) -> list[tuple[str, Callable[[], object]]]:
        return [("members", self._show_members_tab)]

    def _show_members_tab(self) -> None:
        self.tabs.setCurrentIndex(1)

    # -- public API ---------------------------------------------------------------------------

    def refresh(self) -> None:
        """Read meetings, members and the items to review again."""
        actor = self.context.actor
        try:
            with self.context.database.session() as session:
                self.meetings = committee.list_meetings(session, actor, limit=500)
                self.members = committee.list_members(session, actor)
                self.agenda = committee.review_items(session, actor)
                self.plan_changes = {
                    row.id: "\n".join(
                        c.text for c in healthwise.plan_status(session, actor, row.id).changes
                    )
                    for row in self.agenda.changed_plans
                }
        except UserError as error:
            self.status_label.setText(str(error))
            return
        self._fill_meetings()
        self._fill_members()
        self._fill_review()
        self._load_meeting()

    def select_meeting(self, meeting_id: int) -> bool:
        for row, meeting in enumerate(self.meetings):
            if meeting.id == meeting_id:
                self.meeting_table.selectRow(row)
                return True
        return False

    def selected_meeting_id(self) -> int | None:
        rows = self.meeting_table.selectionModel().selectedRows()
        if not rows:
            return None
        return self.meeting_table.item(rows[0].row(), 0).data(ITEM_ROLE)

    def select_review_item(self, reference: str) -> bool:
        """Select the first review entry for an action item or round (for keyboard and tests)."""
        for top in range(self.review_tree.topLevelItemCount()):
            group = self.review_tree.topLevelItem(top)
            for index in range(group.childCount()):
                child = group.child(index)
                if child.text(0).startswith(reference):
                    self.review_tree.setCurrentItem(child)
                    return True
        return False

    def selected_subject(self) -> ActionRow | AssessmentRow | None:
        item = self.review_tree.currentItem()
        subject = item.data(0, ITEM_ROLE) if item is not None else None
        return subject if isinstance(subject, ActionRow | AssessmentRow) else None

    def offered_decisions(self) -> list[str]:
        return [self.decision.itemData(i) for i in range(self.decision.count())]

    def record_decision(self) -> bool:
        """Record the chosen decision on the chosen item at the selected meeting."""
        meeting_id = self.selected_meeting_id()
        subject = self.selected_subject()
        code = self.decision.currentData()
        if meeting_id is None or subject is None or code is None:
            return False
        self.decision_form.clear_errors()
        self.decision_message.hide()
        kind = next(d for d in DECISIONS if d.code == code)
        new_due = self.new_due_date.date().toPython() if kind.needs_new_due_date else None
        try:
            with self.context.database.transaction() as session:
                committee.record_decision(
                    session,
                    self.context.actor,
                    meeting_id,
                    code,
                    action_id=subject.id if isinstance(subject, ActionRow) else None,
                    assessment_id=subject.id if isinstance(subject, AssessmentRow) else None,
                    note=self.note.text(),
                    new_due_date=new_due,  # type: ignore[arg-type]
                )
        except ValidationError as error:
            fields = {("note" if k == "reason" else k): v for k, v in error.fields.items()}
            leftover = self.decision_form.show_errors(fields)
            if leftover:
                self.decision_message.setText("\n".join(leftover.values()))
                self.decision_message.show()
            return False
        except UserError as error:
            self.decision_message.setText(str(error))
            self.decision_message.show()
            return False
        self.note.clear()
        self.refresh()
        self.select_meeting(meeting_id)
        self.decisions_recorded.emit()
        return True

    def new_action_from_meeting(self, title: str | None = None) -> bool:
        """Record the decision to start a new action item (asked for its 'what' when None)."""
        meeting_id = self.selected_meeting_id()
        if meeting_id is None or not self._can_decide:
            return False
        if title is None:
            answer = self.ask_title(
                self,
                _("New action item"),
                _("The item starts as proposed, from this meeting."),
                needs_reason=True,
                field_label=_("What will be done"),
            )
            if answer is None:
                return False
            title = answer.reason
        self.decision_message.hide()
        try:
            with self.context.database.transaction() as session:
                committee.record_decision(
                    session,
                    self.context.actor,
                    meeting_id,
                    "new_action",
                    note=self.note.text(),
                    new_action=ActionInfo(title=title),
                )
        except UserError as error:
            self._show_decision_error(error)
            return False
        self.note.clear()
        self.refresh()
        self.select_meeting(meeting_id)
        self.decisions_recorded.emit()
        return True

    def new_meeting(self) -> MeetingDialog | None:
        if not self._can_manage:
            return None
        dialog = MeetingDialog(self.context, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.load(new_meeting_info(self.context))
        dialog.mark_clean()
        return self._show_meeting_dialog(dialog)

    def edit_meeting(self) -> MeetingDialog | None:
        if not self._can_manage or self.meeting is None:
            return None
        dialog = MeetingDialog(self.context, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.load(self.meeting)
        return self._show_meeting_dialog(dialog)

    def edit_member(self, info: CommitteeMemberInfo | None = None) -> MemberDialog | None:
        if not self._can_manage:
            return None
        if info is None:
            rows = self.member_table.selectionModel().selectedRows()
            if not rows:
                return None
            info = self.members[rows[0].row()]
        dialog = MemberDialog(self.context, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.load(info)
        dialog.saved.connect(self._on_member_saved)
        dialog.finished.connect(self._on_member_dialog_finished)
        self.member_dialog = dialog
        dialog.open()
        return dialog

    def print_minutes(self, path: Path | None = None, language: str | None = None) -> None:
        """The selected meeting's minutes with signature lines, off the GUI thread."""
        meeting_id = self.selected_meeting_id()
        if meeting_id is None:
            return
        language = language or current_language()
        if path is None:
            name, _filter = QFileDialog.getSaveFileName(
                self,
                _("Save the minutes"),
                str(Path.home() / _("committee-minutes.pdf")),
                _("PDF files (*.pdf)"),
            )
            if not name:
                return
            path = Path(name)
        database, actor, target = self.context.database, self.context.actor, path

        def job(state):  # type: ignore[no-untyped-def]
            from hospital_osh.reports.minutes import build_minutes
            from hospital_osh.services.hospital import get_profile

            with database.session() as session:
                meeting = committee.get_meeting(session, actor, meeting_id)
                members = committee.list_members(session, actor)
                profile = get_profile(session)
            hospital = ""
            if profile is not None:
                hospital = profile.name_zh if language == "zh_CN" else profile.name_en
            build_minutes(meeting, language, target, members=members, hospital_name=hospital)
            return target

        self.minutes_button.setEnabled(False)
        self.context.runner.run(job, on_done=self._on_printed, on_error=self._on_print_failed)

    # -- private: building --------------------------------------------------------------------

    def _build(self) -> None:
        self.new_meeting_button = QPushButton(self)
        self.new_meeting_button.clicked.connect(self.new_item)
        self.edit_meeting_button = QPushButton(self)
        self.edit_meeting_button.clicked.connect(self.edit_meeting)
        for button in (self.new_meeting_button, self.edit_meeting_button):
            button.setVisible(self._can_manage)
        self.minutes_button = QPushButton(self)
        menu = QMenu(self.minutes_button)
        self.minutes_zh = QAction(menu)
        self.minutes_en = QAction(menu)
        self.minutes_zh.triggered.connect(self._print_chinese)
        self.minutes_en.triggered.connect(self._print_english)
        menu.addAction(self.minutes_zh)
        menu.addAction(self.minutes_en)
        self.minutes_button.setMenu(menu)

        self.signoff_button = QPushButton(self)
        self.signoff_menu = QMenu(self.signoff_button)
        self.signoff_button.setMenu(self.signoff_menu)
        self.signoff_menu.triggered.connect(self._on_signoff_triggered)
        self.signoff_button.setVisible(self._can_manage)
        self.minutes_status = QLabel(self)
        self.minutes_status.setWordWrap(True)
        self.ask_reason = reason_dialog.ask_reason
        """Asks why minutes return to draft or are corrected; tests replace it."""

        self.meeting_table = QTableWidget(0, 6, self)
        self._setup_table(self.meeting_table, stretch=1)
        self.meeting_table.itemSelectionChanged.connect(self._load_meeting)
        self.meeting_table.doubleClicked.connect(self._on_meeting_double_clicked)

        self.review_title = QLabel(self)
        self.review_title.setObjectName("sectionTitle")
        self.review_tree = QTreeWidget(self)
        self.review_tree.setColumnCount(3)
        self.review_tree.header().setStretchLastSection(False)
        self.review_tree.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.review_tree.header().setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        self.review_tree.header().setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        self.review_tree.currentItemChanged.connect(self._on_review_item_changed)
        self.decision = QComboBox(self)
        self.decision.currentIndexChanged.connect(self._update_decision_fields)
        self.note = QLineEdit(self)
        self.new_due_date = QDateEdit(self)
        self.new_due_date.setCalendarPopup(True)
        apply_locale_date_format(self.new_due_date)
        self.new_due_date.setDate(QDate.currentDate().addMonths(1))
        self.decision_form = FormLayout()
        self.decision_form.add_row("decision", "", self.decision)
        self.decision_form.add_row("note", "", self.note)
        self.decision_form.add_row("new_due_date", "", self.new_due_date)
        self.record_button = QPushButton(self)
        self.record_button.clicked.connect(self.record_decision)
        self.new_action_button = QPushButton(self)
        self.new_action_button.clicked.connect(self._on_new_action_clicked)
        self.ask_title = reason_dialog.ask_reason
        """Asks for a new item's 'what'; tests replace it."""
        self.note.returnPressed.connect(self.record_decision)
        self.decision_message = QLabel(self)
        style.set_role(self.decision_message, "error")
        self.decision_message.setWordWrap(True)
        self.decision_message.hide()
        self.decide_hint = QLabel(self)
        style.set_role(self.decide_hint, "hint")
        self.decide_hint.setWordWrap(True)
        self.decide_hint.setVisible(not self._can_decide)
        for widget in (
            self.decision,
            self.note,
            self.new_due_date,
            self.record_button,
            self.new_action_button,
        ):
            widget.setEnabled(self._can_decide)

        self.decisions_title = QLabel(self)
        self.decisions_title.setObjectName("sectionTitle")
        self.decision_table = QTableWidget(0, 5, self)
        self._setup_table(self.decision_table, stretch=1)

        left = QWidget(self)
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.meeting_table, 3)
        left_layout.addWidget(self.minutes_status)
        left_layout.addWidget(self.decisions_title)
        left_layout.addWidget(self.decision_table, 2)
        right = QWidget(self)
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(8, 0, 0, 0)
        right_layout.addWidget(self.review_title)
        right_layout.addWidget(self.review_tree, 1)
        right_layout.addLayout(self.decision_form)
        record_row = QHBoxLayout()
        record_row.addWidget(self.new_action_button)
        record_row.addStretch(1)
        record_row.addWidget(self.record_button)
        right_layout.addLayout(record_row)
        right_layout.addWidget(self.decision_message)
        right_layout.addWidget(self.decide_hint)
        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        splitter.addWidget(left)
        splitter.addWidget(right)
        splitter.setChildrenCollapsible(False)
        splitter.setSizes([520, 560])
        meetings_tab = QWidget(self)
        meetings_layout = QVBoxLayout(meetings_tab)
        buttons = QHBoxLayout()
        for button in (
            self.new_meeting_button,
            self.edit_meeting_button,
            self.minutes_button,
            self.signoff_button,
        ):
            buttons.addWidget(button)
        buttons.addStretch(1)
        meetings_layout.addLayout(buttons)
        meetings_layout.addWidget(splitter, 1)

        self.new_member_button = QPushButton(self)
        self.new_member_button.clicked.connect(self._on_new_member)
        self.edit_member_button = QPushButton(self)
        self.edit_member_button.clicked.connect(self._on_edit_member)
        for button in (self.new_member_button, self.edit_member_button):
            button.setVisible(self._can_manage)
        self.member_table = QTableWidget(0, 7, self)
        self._setup_table(self.member_table, stretch=0)
        self.member_table.doubleClicked.connect(self._on_edit_member)
        members_tab = QWidget(self)
        members_layout = QVBoxLayout(members_tab)
        member_buttons = QHBoxLayout()
        member_buttons.addWidget(self.new_member_button)
        member_buttons.addWidget(self.edit_member_button)
        member_buttons.addStretch(1)
        members_layout.addLayout(member_buttons)
        members_layout.addWidget(self.member_table, 1)

        self.tabs = QTabWidget(self)
        self.tabs.addTab(meetings_tab, "")
        self.tabs.addTab(members_tab, "")
        self.status_label = QLabel(self)
        style.set_role(self.status_label, "hint")
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.status_label)
        self.mirror_button(self.new_meeting_button)  # Ctrl+N is the window's Edit › New
        self.mirror_button(self.edit_meeting_button, "Ctrl+E")
        self.mirror_button(self.record_button, "Ctrl+R")

    @staticmethod
    def _setup_table(table: QTableWidget, *, stretch: int) -> None:
        table.verticalHeader().setVisible(False)
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        table.setAlternatingRowColors(True)
        header = table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)

    # -- private: filling ---------------------------------------------------------------------

    def _fill_meetings(self) -> None:
        keep = self.selected_meeting_id()
        self.meeting_table.blockSignals(True)
        self.meeting_table.setRowCount(len(self.meetings))
        for row, meeting in enumerate(self.meetings):
            cells = (
                format_date(meeting.held_on),
                meeting.place,
                _(MEETING_STATUSES.label(meeting.status)),
                str(meeting.present),
                str(meeting.decisions),
                _(MINUTES_STATES.label(meeting.minutes_state)),
            )
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setData(ITEM_ROLE, meeting.id)
                self.meeting_table.setItem(row, column, item)
        self.meeting_table.blockSignals(False)
        if (keep is None or not self.select_meeting(keep)) and self.meetings:
            self.meeting_table.selectRow(0)

    def _fill_members(self) -> None:
        language = current_language()
        names = {}
        try:
            from hospital_osh.services.hospital import list_departments

            with self.context.database.session() as session:
                names = {d.id: d.name(language) for d in list_departments(session)}
        except UserError:
            names = {}
        self.member_table.setRowCount(len(self.members))
        for row, member in enumerate(self.members):
            term = " – ".join(
                format_date(d) for d in (member.term_start, member.term_end) if d is not None
            )
            cells = (
                member.name,
                _(COMMITTEE_ROLES.label(member.committee_role)),
                _(SIDES.label(member.side)),
                names.get(member.department_id, "") if member.department_id else "",
                _(SEXES.label(member.sex)) if member.sex else "",
                term,
                _("Serving") if member.active else _("Former member"),
            )
            for column, text in enumerate(cells):
                self.member_table.setItem(row, column, QTableWidgetItem(text))
        self.edit_member_button.setEnabled(bool(self.members))

    def _fill_review(self) -> None:
        agenda = self.agenda
        keep = self.selected_subject()
        self.review_tree.blockSignals(True)
        self.review_tree.clear()
        chinese = current_language() == "zh_CN"
        if agenda is not None:
            for kind, attribute in _REVIEW_PARTS:
                entries = getattr(agenda, attribute)
                group = QTreeWidgetItem(self.review_tree)
                group.setText(0, f"{_(REVIEW_KINDS.label(kind))} ({len(entries)})")
                group.setFlags(Qt.ItemFlag.ItemIsEnabled)
                font = group.font(0)
                font.setBold(True)
                group.setFont(0, font)
                for entry in entries:
                    child = QTreeWidgetItem(group)
                    child.setData(0, ITEM_ROLE, entry)
                    if isinstance(entry, AssessmentRow):
                        where = (
                            (entry.department_zh or entry.area)
                            if chinese
                            else (entry.department_en or entry.area)
                        )
                        template = entry.template_name_zh if chinese else entry.template_name_en
                        child.setText(0, f"{template}: {where}, {format_date(entry.assessed_on)}")
                        child.setText(1, _(STATES.label(entry.state)))
                        if kind == "changed_plan":
                            child.setToolTip(0, self.plan_changes.get(entry.id, ""))
                    else:
                        child.setText(0, f"{entry.reference} {entry.title}")
                        child.setToolTip(0, entry.title)
                        status = _(ACTION_STATUSES.label(entry.status))
                        if entry.overdue:
                            status = _("{status}, overdue").format(status=status)
                        child.setText(1, status)
                        child.setText(2, format_date(entry.due_date) if entry.due_date else "")
                    if keep is not None and type(entry) is type(keep) and entry.id == keep.id:
                        self.review_tree.setCurrentItem(child)
                group.setExpanded(True)
        self.review_tree.blockSignals(False)
        self._on_review_item_changed(self.review_tree.currentItem(), None)

    def _load_meeting(self) -> None:
        meeting_id = self.selected_meeting_id()
        self.meeting = None
        if meeting_id is not None:
            try:
                with self.context.database.session() as session:
                    self.meeting = committee.get_meeting(session, self.context.actor, meeting_id)
            except UserError as error:
                self.status_label.setText(str(error))
        has = self.meeting is not None
        self.edit_meeting_button.setEnabled(has and self._minutes_editable())
        self.minutes_button.setEnabled(has)
        self._fill_decisions()
        self._fill_signoff()
        self._update_record_button()

    def _fill_decisions(self) -> None:
        decisions = self.meeting.decisions if self.meeting is not None else ()
        self.decision_table.setRowCount(len(decisions))
        for row, decision in enumerate(decisions):
            codes = STATES if decision.assessment_id is not None else ACTION_STATUSES
            change = ""
            if decision.new_status and decision.new_status != decision.old_status:
                change = _("{old} → {new}").format(
                    old=_(codes.label(decision.old_status)) if decision.old_status else "",
                    new=_(codes.label(decision.new_status)),
                )
            cells = (
                str(decision.position),
                decision.subject,
                committee.decision_label(decision.decision),
                change,
                decision.note,
            )
            for column, text in enumerate(cells):
                self.decision_table.setItem(row, column, QTableWidgetItem(text))

    def _minutes_editable(self) -> bool:
        return self.meeting is None or minutes_editable(self.meeting.minutes_state)

    def _fill_signoff(self) -> None:
        """The minutes' state and approvals, and the steps the sign-off menu offers now."""
        self.signoff_menu.clear()
        meeting = self.meeting
        if meeting is None:
            self.minutes_status.clear()
            self.signoff_button.setEnabled(False)
            return
        state = _(MINUTES_STATES.label(meeting.minutes_state))
        lines = [
            _("Minutes, version {version}: {state}").format(
                version=meeting.minutes_version, state=state
            )
        ]
        if meeting.minutes_reason:
            lines.append(_("Corrected: {reason}").format(reason=meeting.minutes_reason))
        for given in meeting.signatures:
            lines.append(
                _("Approved by {name} ({role}) on {date}").format(
                    name=given.name,
                    role=_(COMMITTEE_ROLES.label(given.committee_role)),
                    date=format_date(given.signed_at.date()),
                )
            )
        if not minutes_editable(meeting.minutes_state):
            lines.append(_("Only draft minutes can be edited or take new decisions."))
        self.minutes_status.setText("\n".join(lines))
        for move in minutes_moves_from(meeting.minutes_state):
            if move.target == MinutesState.APPROVED:
                signed = {g.committee_role for g in meeting.signatures}
                for member in self.members:
                    if member.active and member.committee_role in ("chair", "co_chair"):
                        action = self.signoff_menu.addAction(
                            _("Approve as {role}: {name}").format(
                                role=_(COMMITTEE_ROLES.label(member.committee_role)),
                                name=member.name,
                            )
                        )
                        action.setEnabled(member.committee_role not in signed)
                        action.setData(("sign", member.id))
                continue
            action = self.signoff_menu.addAction(_(move.label))
            action.setData(("move", move.target))
        self.signoff_button.setEnabled(self._can_manage and not self.signoff_menu.isEmpty())

    def signoff_steps(self) -> list[tuple[str, object, bool]]:
        """What the sign-off menu offers: (kind, target or member id, enabled)."""
        return [
            (*a.data(), a.isEnabled()) for a in self.signoff_menu.actions() if a.data() is not None
        ]

    def move_minutes(self, target: str) -> bool:
        """Take the selected meeting's minutes one step (asking the reason when it needs one)."""
        meeting = self.meeting
        if meeting is None or meeting.id is None:
            return False
        move = next(
            (m for m in minutes_moves_from(meeting.minutes_state) if m.target == target), None
        )
        reason = ""
        if move is not None and move.needs_reason:
            answer = self.ask_reason(
                self,
                _(move.label),
                _("Why? The reason is kept with the minutes."),
                needs_reason=True,
            )
            if answer is None:
                return False
            reason = answer.reason
        return self._minutes_call(
            lambda session: committee.move_minutes(
                session,
                self.context.actor,
                meeting.id or 0,
                target,
                reason=reason,
                version=meeting.version,
            )
        )

    def sign_minutes(self, member_id: int) -> bool:
        """Record a co-chair's approval of the selected meeting's circulated minutes."""
        meeting = self.meeting
        if meeting is None or meeting.id is None:
            return False
        return self._minutes_call(
            lambda session: committee.sign_minutes(
                session, self.context.actor, meeting.id or 0, member_id
            )
        )

    def _show_decision_error(self, error: UserError) -> None:
        """A refused decision or minutes step, under the decision form (field messages joined)."""
        fields = error.fields.values() if isinstance(error, ValidationError) else [str(error)]
        self.decision_message.setText("\n".join(fields))
        self.decision_message.show()

    def _minutes_call(self, call: Callable[..., MeetingInfo]) -> bool:
        meeting_id = self.selected_meeting_id()
        self.decision_message.hide()
        try:
            with self.context.database.transaction() as session:
                call(session)
        except UserError as error:
            self._show_decision_error(error)
            return False
        self.refresh()
        if meeting_id is not None:
            self.select_meeting(meeting_id)
        return True

    # -- private: events ----------------------------------------------------------------------

    def _on_signoff_triggered(self, action: QAction) -> None:
        kind, value = action.data()
        if kind == "sign":
            self.sign_minutes(value)
        else:
            self.move_minutes(value)

    def _on_review_item_changed(self, current: QTreeWidgetItem | None, _previous: object) -> None:
        subject = self.selected_subject()
        kinds = decisions_for(subject) if subject is not None else []
        fill_combo(self.decision, [(_(k.label), k.code) for k in kinds], keep=False)
        self._update_decision_fields()

    def _update_decision_fields(self, *_args: object) -> None:
        code = self.decision.currentData()
        kind = next((d for d in DECISIONS if d.code == code), None)
        self.decision_form.set_field_visible(
            "new_due_date", kind is not None and kind.needs_new_due_date
        )
        self._update_record_button()

    def _update_record_button(self) -> None:
        open_minutes = self.selected_meeting_id() is not None and self._minutes_editable()
        self.new_action_button.setEnabled(self._can_decide and open_minutes)
        self.record_button.setEnabled(
            self._can_decide and open_minutes and self.decision.currentData() is not None
        )

    def _show_meeting_dialog(self, dialog: MeetingDialog) -> MeetingDialog:
        dialog.saved.connect(self._on_meeting_saved)
        dialog.finished.connect(self._on_meeting_dialog_finished)
        self.meeting_dialog = dialog
        dialog.open()
        return dialog

    def _on_meeting_saved(self, info: MeetingInfo) -> None:
        self.refresh()
        if info.id is not None:
            self.select_meeting(info.id)

    def _on_meeting_dialog_finished(self, _result: int) -> None:
        self.meeting_dialog = None

    def _on_member_saved(self, _info: CommitteeMemberInfo) -> None:
        self.refresh()

    def _on_member_dialog_finished(self, _result: int) -> None:
        self.member_dialog = None

    def _on_meeting_double_clicked(self, _index: object) -> None:
        self.edit_meeting()

    def _on_new_member(self) -> None:
        self.edit_member(CommitteeMemberInfo())

    def _on_edit_member(self, *_args: object) -> None:
        self.edit_member()

    def _on_new_action_clicked(self) -> None:
        self.new_action_from_meeting()

    def _print_chinese(self) -> None:
        self.print_minutes(language="zh_CN")

    def _print_english(self) -> None:
        self.print_minutes(language="en")

    def _on_printed(self, path: Path) -> None:
        self.minutes_button.setEnabled(True)
        self.status_label.setText(_("Saved {path}").format(path=path))
        self._open_file(Path(path))

    def _on_print_failed(self, error: BaseException) -> None:
        self.minutes_button.setEnabled(True)
        self.status_label.setText(_("The PDF could not be written: {reason}").format(reason=error))
