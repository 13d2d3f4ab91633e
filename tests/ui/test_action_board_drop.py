"""Drag and drop on the action board: a dropped card takes the same step as the status buttons.

Real mouse drags are unreliable offscreen, so the tests hand the drop handler the QMimeData a
card's drag carries (and once go through the column's own dropEvent)."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QDropEvent

from hospital_osh.services import actions
from hospital_osh.ui.dialogs.reason_dialog import ReasonAnswer
from hospital_osh.ui.pages.actions_page import ActionsPage
from hospital_osh.ui.widgets.action_board import ROW_ROLE, ActionBoard, card_mime
from tests.ui.fixtures_actions import TODAY, admin, make_item


def _board(qtbot, context) -> ActionBoard:  # type: ignore[no-untyped-def]
    board = ActionBoard(context)
    qtbot.addWidget(board)
    board.resize(1500, 600)
    board.show()
    board.refresh()
    return board


def _mime(board: ActionBoard, status: str, item_id: int):  # type: ignore[no-untyped-def]
    cards = board.columns[status]
    for index in range(cards.count()):
        row = cards.item(index).data(ROW_ROLE)
        if row.id == item_id:
            return cards.mimeData([cards.item(index)])
    raise AssertionError(f"no card {item_id} in {status}")


def _status(database, item_id: int) -> str:  # type: ignore[no-untyped-def]
    with database.session() as session:
        return actions.get_action(session, admin(database), item_id).status


def test_a_dropped_card_takes_the_step(qtbot, hospital_db, make_ui_context) -> None:  # type: ignore[no-untyped-def]
    proposed = make_item(hospital_db, "proposed")
    board = _board(qtbot, make_ui_context("admin"))
    asked: list[object] = []
    board.ask_reason = lambda *a, **k: asked.append(a) or None
    with qtbot.waitSignal(board.moved) as moved:
        assert board.drop(_mime(board, "proposed", proposed), "approved")
    assert moved.args == [proposed] and asked == []  # approving needs nothing more
    assert _status(hospital_db, proposed) == "approved"
    assert board.card_ids("approved") == [proposed] and board.card_ids("proposed") == []


def test_an_invalid_move_is_refused_with_the_domain_message(
    qtbot, hospital_db, make_ui_context
) -> None:  # type: ignore[no-untyped-def]
    proposed = make_item(hospital_db, "proposed")
    board = _board(qtbot, make_ui_context("admin"))
    assert not board.drop(_mime(board, "proposed", proposed), "closed")
    assert board.message.isVisibleTo(board)
    assert board.message.text() == "An item that is Proposed cannot become Closed."
    assert _status(hospital_db, proposed) == "proposed"
    assert board.card_ids("proposed") == [proposed]


def test_a_step_that_needs_a_reason_asks_and_cancel_changes_nothing(
    qtbot, hospital_db, make_ui_context
) -> None:  # type: ignore[no-untyped-def]
    planned = make_item(hospital_db, "planned")
    board = _board(qtbot, make_ui_context("admin"))
    questions: list[dict[str, object]] = []

    def cancel(*args: object, **options: object) -> None:
        questions.append(options)
        return None

    board.ask_reason = cancel
    assert not board.drop(_mime(board, "planned", planned), "deferred")
    assert questions == [{"needs_reason": True, "needs_new_due_date": True}]
    assert _status(hospital_db, planned) == "planned" and not board.message.isVisibleTo(board)
    new_due = TODAY + dt.timedelta(days=60)
    board.ask_reason = lambda *a, **k: ReasonAnswer("Waiting for the budget", new_due)
    assert board.drop(_mime(board, "planned", planned), "deferred")
    with hospital_db.session() as session:
        item = actions.get_action(session, admin(hospital_db), planned)
    assert (item.status, item.status_reason) == ("deferred", "Waiting for the budget")
    assert item.due_date == new_due


def test_verifying_names_the_verifier_and_refuses_the_owner(
    qtbot, hospital_db, make_ui_context
) -> None:  # type: ignore[no-untyped-def]
    own = make_item(hospital_db, "done", owner="Wang Admin", title="Own item")
    other = make_item(hospital_db, "done", owner="王护士长", title="Other item")
    board = _board(qtbot, make_ui_context("admin"))
    questions: list[str] = []

    def confirm(_parent: object, _title: str, question: str, **_options: object) -> ReasonAnswer:
        questions.append(question)
        return ReasonAnswer("", None)

    board.ask_reason = confirm
    assert not board.drop(_mime(board, "done", own), "verified")
    assert "cannot verify their own item" in board.message.text()
    assert _status(hospital_db, own) == "done"
    assert board.drop(_mime(board, "done", other), "verified")
    assert "You are recorded as the verifier (Wang Admin)" in questions[-1]
    with hospital_db.session() as session:
        assert actions.get_action(session, admin(hospital_db), other).verified_by == "Wang Admin"


def test_a_role_without_the_right_is_refused(qtbot, hospital_db, make_ui_context) -> None:  # type: ignore[no-untyped-def]
    proposed = make_item(hospital_db, "proposed")
    board = _board(qtbot, make_ui_context("viewer"))
    assert not board.drop(_mime(board, "proposed", proposed), "approved")
    assert board.message.text().startswith("Your role (viewer)")
    assert _status(hospital_db, proposed) == "proposed"


def test_the_column_drop_event_moves_and_the_page_follows(
    qtbot, hospital_db, make_ui_context
) -> None:  # type: ignore[no-untyped-def]
    proposed = make_item(hospital_db, "proposed")
    page = ActionsPage(make_ui_context("admin"))
    qtbot.addWidget(page)
    page.resize(1400, 700)
    page.show()
    page.set_board_visible(True)
    board = page.board
    with hospital_db.session() as session:
        row = actions.rows_by_ids(session, admin(hospital_db), [proposed])[0]
    column = board.columns["approved"]
    mime = card_mime(row)  # kept alive: the event does not own it
    event = QDropEvent(
        QPointF(10, 10),
        Qt.DropAction.MoveAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    with qtbot.waitSignal(page.actions_changed):
        column.dropEvent(event)
    assert event.dropAction() == Qt.DropAction.IgnoreAction  # the board reloads, Qt moves nothing
    assert board.card_ids("approved") == [proposed]
    assert page.model.row_at(0).status == "approved"
