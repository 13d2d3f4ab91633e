"""The action plan as a board: one column per status, one card per item.

Each column is a list read from ``services.actions.list_actions`` with the page's filters and
that one status, at most ``CARDS_PER_COLUMN`` cards (the column header gives the full count).
Cards open with Enter or a double-click; arrow keys move within a column and Tab between them.
"""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from hospital_osh.domain.actions import ACTION_STATUSES, ActionStatus
from hospital_osh.i18n import _, format_date, format_number
from hospital_osh.services import actions
from hospital_osh.services.actions import ActionFilter, ActionRow
from hospital_osh.services.errors import UserError
from hospital_osh.ui import style
from hospital_osh.ui.context import AppContext

CARDS_PER_COLUMN = 100
BOARD_STATUSES: tuple[str, ...] = (
    ActionStatus.PROPOSED,
    ActionStatus.APPROVED,
    ActionStatus.PLANNED,
    ActionStatus.IN_PROGRESS,
    ActionStatus.DEFERRED,
    ActionStatus.DONE,
    ActionStatus.VERIFIED,
    ActionStatus.CLOSED,
)
"""The working columns, in the order work flows; rejected and cancelled items show only in the
list (they are finished and need no board space)."""
ROW_ROLE = Qt.ItemDataRole.UserRole + 1
COLUMN_WIDTH = 190


class ActionBoard(QScrollArea):
    """Columns of cards; ``open_requested`` carries the item id to open."""

    # -- signals ------------------------------------------------------------------------------
    open_requested = Signal(int)
    """Emitted with an action item's id when its card is activated."""

    def __init__(self, context: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.context = context
        self._filters = ActionFilter()
        self.setWidgetResizable(True)
        inner = QWidget(self)
        layout = QHBoxLayout(inner)
        layout.setSpacing(8)
        self.headers: dict[str, QLabel] = {}
        self.columns: dict[str, QListWidget] = {}
        for status in BOARD_STATUSES:
            box = QVBoxLayout()
            header = QLabel(inner)
            header.setWordWrap(True)
            font = header.font()
            font.setBold(True)
            header.setFont(font)
            cards = QListWidget(inner)
            cards.setObjectName(f"board_{status}")
            cards.setMinimumWidth(COLUMN_WIDTH)
            cards.setWordWrap(True)
            cards.setSpacing(3)
            cards.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
            cards.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
            cards.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
            cards.itemActivated.connect(self._on_activated)
            header.setBuddy(cards)
            box.addWidget(header)
            box.addWidget(cards, 1)
            layout.addLayout(box, 1)
            self.headers[status] = header
            self.columns[status] = cards
        self.setWidget(inner)

    # -- public API ---------------------------------------------------------------------------

    def set_filters(self, filters: ActionFilter) -> None:
        self._filters = filters
        self.refresh()

    def refresh(self) -> None:
        """Read every column again with the current filters."""
        wanted = set(self._filters.statuses)
        for status in BOARD_STATUSES:
            cards = self.columns[status]
            cards.clear()
            if wanted and status not in wanted:
                rows: list[ActionRow] = []
                total = 0
            else:
                filters = replace(self._filters, statuses=(status,), open_only=False)
                try:
                    with self.context.database.session() as session:
                        rows = actions.list_actions(
                            session,
                            self.context.actor,
                            filters,
                            sort="due_date",
                            limit=CARDS_PER_COLUMN,
                        )
                        total = actions.count_actions(session, self.context.actor, filters)
                except UserError as error:
                    self.headers[status].setText(str(error))
                    continue
            for row in rows:
                cards.addItem(self._card(row))
            label = _(ACTION_STATUSES.label(status))
            self.headers[status].setText(
                _("{status} ({count})").format(status=label, count=format_number(total))
            )
            cards.setAccessibleName(label)

    def retranslate(self) -> None:
        self.refresh()

    def card_ids(self, status: str) -> list[int]:
        """The ids of the cards in one column, top to bottom (for tests)."""
        cards = self.columns[status]
        return [cards.item(i).data(ROW_ROLE).id for i in range(cards.count())]

    # -- private ------------------------------------------------------------------------------

    @staticmethod
    def _card(row: ActionRow) -> QListWidgetItem:
        lines = [f"{row.reference}", row.title]
        who = row.owner_name or _("No owner yet")
        due = format_date(row.due_date) if row.due_date else _("No due date")
        lines.append(f"{who} · {due}")
        if row.overdue:
            lines.append(_("Overdue"))
        item = QListWidgetItem("\n".join(lines))
        item.setData(ROW_ROLE, row)
        item.setToolTip(row.title)
        if row.overdue:
            item.setForeground(QBrush(QColor(style.ERROR)))
        return item

    def _on_activated(self, item: QListWidgetItem) -> None:
        row = item.data(ROW_ROLE)
        if isinstance(row, ActionRow):
            self.open_requested.emit(row.id)
