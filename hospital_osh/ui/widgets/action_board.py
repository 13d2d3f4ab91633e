"""The action plan as a board: one column per status, one card per item.

Each column is a list read from ``services.actions.list_actions`` with the page's filters and
that one status, at most ``CARDS_PER_COLUMN`` cards (the column header gives the full count).
Cards open with Enter or a double-click; arrow keys move within a column and Tab between them.

Dragging a card to another column takes the same step as the item's status buttons
(``services.actions.transition_action``): it asks for the reason or the new due date when the step
needs one, and who verifies when the step is a verification (the user, who must not be the
owner); cancelling changes nothing, and a refused move shows the domain's message above the
columns. The drop handler (``drop``) takes the ``QMimeData`` a card's drag carries, so tests call
it directly instead of simulating a mouse drag.
"""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import QByteArray, QMimeData, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QDragEnterEvent, QDragMoveEvent, QDropEvent
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
from hospital_osh.services.errors import UserError, ValidationError
from hospital_osh.ui import style
from hospital_osh.ui.context import AppContext
from hospital_osh.ui.dialogs import reason_dialog

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
CARD_MIME = "application/x-hospital-osh-action-card"
"""A dragged card: ``id version status`` of the item, as ASCII."""


def card_mime(row: ActionRow) -> QMimeData:
    """What dragging ``row``'s card carries."""
    mime = QMimeData()
    mime.setData(CARD_MIME, QByteArray(f"{row.id} {row.version} {row.status}".encode("ascii")))
    return mime


def _card_of(mime: QMimeData) -> tuple[int, int, str] | None:
    if not mime.hasFormat(CARD_MIME):
        return None
    try:
        item_id, version, status = bytes(mime.data(CARD_MIME).data()).decode("ascii").split()
        return int(item_id), int(version), status
    except ValueError:
        return None


class _Column(QListWidget):
    """One status column: its cards drag out, and cards of other columns drop in."""

    def __init__(self, board: ActionBoard, status: str, parent: QWidget):
        super().__init__(parent)
        self._board = board
        self.status = status
        self.setDragEnabled(True)
        self.setAcceptDrops(True)
        self.setDragDropMode(QAbstractItemView.DragDropMode.DragDrop)
        self.setDefaultDropAction(Qt.DropAction.MoveAction)

    def mimeTypes(self) -> list[str]:
        return [CARD_MIME]

    def mimeData(self, items: list[QListWidgetItem]) -> QMimeData:  # type: ignore[override]
        row = items[0].data(ROW_ROLE) if items else None
        return card_mime(row) if isinstance(row, ActionRow) else QMimeData()

    def _wanted(self, mime: QMimeData) -> bool:
        card = _card_of(mime)
        return card is not None and card[2] != self.status

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if self._wanted(event.mimeData()):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:
        if self._wanted(event.mimeData()):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event: QDropEvent) -> None:
        """Take the step; the board reloads the columns, so Qt must not move the item itself."""
        mime = event.mimeData()
        event.setDropAction(Qt.DropAction.IgnoreAction)
        event.accept()
        self._board.drop(mime, self.status)


class ActionBoard(QScrollArea):
    """Columns of cards; ``open_requested`` carries the item id to open."""

    # -- signals ------------------------------------------------------------------------------
    open_requested = Signal(int)
    """Emitted with an action item's id when its card is activated."""
    moved = Signal(int)
    """Emitted with an action item's id after a dropped card changed its status."""

    def __init__(self, context: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.context = context
        self._filters = ActionFilter()
        self.ask_reason = reason_dialog.ask_reason
        """Asks for a dropped step's reason, new due date or verification; tests replace it."""
        self.setWidgetResizable(True)
        inner = QWidget(self)
        outer = QVBoxLayout(inner)
        self.message = QLabel(inner)
        self.message.setWordWrap(True)
        style.set_role(self.message, "error")
        self.message.hide()
        outer.addWidget(self.message)
        layout = QHBoxLayout()
        outer.addLayout(layout, 1)
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
            cards = _Column(self, status, inner)
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

    def drop(self, mime: QMimeData, target: str) -> bool:
        """A card dropped on the ``target`` column: take that step as the status buttons do.

        True when the item moved; False when the user cancelled or the step was refused (the
        reason shows above the columns and nothing changes)."""
        card = _card_of(mime)
        if card is None or card[2] == target:
            return False
        item_id, version, status = card
        row = next(
            (r for r in self._rows(status) if r.id == item_id),
            None,
        )
        choice = next(
            (
                c
                for c in actions.available_transitions(self.context.actor, status)
                if c.target == target
            ),
            None,
        )
        reason, new_due = "", None
        if choice is not None and row is not None:
            verify = target == ActionStatus.VERIFIED
            if choice.needs_reason or choice.needs_new_due_date or verify:
                question = _("{step}: {reference} {title}").format(
                    step=choice.label, reference=row.reference, title=row.title
                )
                if verify:
                    question = _(
                        "{step}: {reference} {title}. You are recorded as the verifier "
                        "({name}); the owner cannot verify their own item."
                    ).format(
                        step=choice.label,
                        reference=row.reference,
                        title=row.title,
                        name=self.context.actor.display_name or self.context.actor.username,
                    )
                answer = self.ask_reason(
                    self,
                    choice.label,
                    question,
                    needs_reason=choice.needs_reason,
                    needs_new_due_date=choice.needs_new_due_date,
                )
                if answer is None:
                    return False
                reason, new_due = answer.reason, answer.new_due_date
        # A move the table does not have, or that the role may not take, goes to the service
        # as well: it refuses with the domain's message and changes nothing.
        try:
            with self.context.database.transaction() as session:
                actions.transition_action(
                    session,
                    self.context.actor,
                    item_id,
                    target,
                    reason=reason,
                    new_due_date=new_due,
                    version=version,
                )
        except ValidationError as error:
            self._show_message("\n".join(dict.fromkeys(error.fields.values())))
            return False
        except UserError as error:
            self._show_message(str(error))
            return False
        self.message.hide()
        self.refresh()
        self.moved.emit(item_id)
        return True

    def card_ids(self, status: str) -> list[int]:
        """The ids of the cards in one column, top to bottom (for tests)."""
        cards = self.columns[status]
        return [cards.item(i).data(ROW_ROLE).id for i in range(cards.count())]

    # -- private ------------------------------------------------------------------------------

    def _rows(self, status: str) -> list[ActionRow]:
        cards = self.columns.get(status)
        if cards is None:
            return []
        return [cards.item(i).data(ROW_ROLE) for i in range(cards.count())]

    def _show_message(self, text: str) -> None:
        self.message.setText(text)
        self.message.show()

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
