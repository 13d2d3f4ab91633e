"""The checklist form filled by keyboard alone, in the round window, and the submission guards."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from hospital_osh.domain.healthwise import Answer
from hospital_osh.services import healthwise
from hospital_osh.ui.dialogs.round_dialog import RoundDialog
from hospital_osh.ui.widgets.checklist_form import ChecklistForm
from tests.ui.fixtures_actions import fill_sheet, get_round, move, new_round

ALT = Qt.KeyboardModifier.AltModifier


def _round_window(qtbot, context, round_id: int) -> RoundDialog:  # type: ignore[no-untyped-def]
    window = RoundDialog(context, round_id)
    qtbot.addWidget(window)
    window.resize(1280, 760)
    window.show()
    qtbot.waitExposed(window)
    return window


def _focused() -> object:
    """Where a key goes: the focus widget of the window under test (offscreen windows may not
    be active, so fall back to the window's own focus widget)."""
    window = next(w for w in QApplication.topLevelWidgets() if isinstance(w, RoundDialog))
    return QApplication.focusWidget() or window.focusWidget() or window


def test_a_sheet_is_filled_by_keyboard_alone(qtbot, hospital_db, make_ui_context) -> None:  # type: ignore[no-untyped-def]
    info = new_round(hospital_db)
    assert info.id is not None
    move(hospital_db, info.id, "in_progress")
    window = _round_window(qtbot, make_ui_context("admin"), info.id)
    form = window.form
    total = form.count()
    assert total == 49 and form.current_index() == 0
    form.setFocus()
    qtbot.keyClick(_focused(), Qt.Key.Key_3, ALT)  # action proposed
    qtbot.keyClick(_focused(), Qt.Key.Key_P, ALT)  # priority
    qtbot.keyClick(_focused(), Qt.Key.Key_Tab)  # past the priority box to the remarks
    while _focused() is not form.remarks:
        qtbot.keyClick(_focused(), Qt.Key.Key_Tab)
    qtbot.keyClicks(form.remarks, "east corridor")
    qtbot.keyClick(_focused(), Qt.Key.Key_Tab)  # text fields pass Tab on
    assert _focused() is not form.remarks
    qtbot.keyClick(_focused(), Qt.Key.Key_PageDown)
    assert form.current_index() == 1
    qtbot.keyClick(_focused(), Qt.Key.Key_2)  # plain digit outside a text field
    for _index in range(2, total):
        qtbot.keyClick(_focused(), Qt.Key.Key_PageDown)
        qtbot.keyClick(_focused(), Qt.Key.Key_1, ALT)
    qtbot.keyClick(_focused(), Qt.Key.Key_PageDown)  # at the last one: stays
    assert form.current_index() == total - 1
    qtbot.keyClick(_focused(), Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert not form.is_dirty()
    with hospital_db.session() as session:
        sheet = healthwise.get_sheet(session, window.context.actor, info.id, info.members[0].id)
    first, second = sheet.answers[0], sheet.answers[1]
    assert (first.answer, first.priority, first.remarks) == (
        Answer.ACTION_PROPOSED,
        True,
        "east corridor",
    )
    assert second.answer == Answer.NOT_APPLICABLE
    assert sheet.unanswered == ()


def test_priority_needs_proposed_action_and_ctrl_u_finds_the_gaps(
    qtbot, hospital_db, make_ui_context
) -> None:  # type: ignore[no-untyped-def]
    info = new_round(hospital_db)
    assert info.id is not None
    window = _round_window(qtbot, make_ui_context("admin"), info.id)
    form: ChecklistForm = window.form
    form.setFocus()
    qtbot.keyClick(_focused(), Qt.Key.Key_1, ALT)
    qtbot.keyClick(_focused(), Qt.Key.Key_P, ALT)  # refused: no action proposed
    assert not form.priority.isChecked() and not form.priority.isEnabled()
    qtbot.keyClick(_focused(), Qt.Key.Key_3, ALT)
    assert form.priority.isEnabled()
    qtbot.keyClick(_focused(), Qt.Key.Key_P, ALT)
    qtbot.keyClick(_focused(), Qt.Key.Key_1, ALT)  # changing the answer drops the priority
    assert not form.priority.isChecked()
    form.show_checkpoint(5)
    qtbot.keyClick(_focused(), Qt.Key.Key_2, ALT)
    form.show_checkpoint(0)
    qtbot.keyClick(_focused(), Qt.Key.Key_U, Qt.KeyboardModifier.ControlModifier)
    assert form.current_index() == 1
    form.show_checkpoint(4)
    qtbot.keyClick(_focused(), Qt.Key.Key_U, Qt.KeyboardModifier.ControlModifier)
    assert form.current_index() == 6  # 5 is answered
    assert len(form.unanswered()) == 47
    module = form.navigator.topLevelItem(0)
    assert module.text(1) == "2/6"


def test_submission_lists_the_unanswered_items(qtbot, hospital_db, make_ui_context) -> None:  # type: ignore[no-untyped-def]
    info = new_round(hospital_db)
    assert info.id is not None
    first, second = (m.id for m in info.members)
    assert first is not None and second is not None
    window = _round_window(qtbot, make_ui_context("admin"), info.id)
    assert set(window.move_buttons()) == {"in_progress"}
    assert window.take_move("in_progress")
    assert window.state_label.text() == "Walk-through"
    fill_sheet(hospital_db, info.id, first, {})
    window.reload(sheet=second)
    window.form.set_answer(Answer.NO_ACTION)  # one answer typed, not yet saved
    assert not window.take_move("submitted")
    message = window.message.text()
    assert "护士甲: 48 items are not answered: HW-M1-02, HW-M1-03" in message
    assert window.form.current_code() == "HW-M1-02"  # the form goes to the first gap
    assert get_round(hospital_db, info.id).state == "in_progress"
    with hospital_db.session() as session:  # the typed answer was saved before the step
        sheet = healthwise.get_sheet(session, window.context.actor, info.id, second)
    assert sheet.answers[0].answer == Answer.NO_ACTION
    fill_sheet(hospital_db, info.id, second, {"HW-M1-02": True})
    window.reload()
    assert window.take_move("submitted")
    assert window.take_move("in_group_review")
    assert window.sheet_choice.currentData() == -1  # the consensus sheet is shown
    assert window.sheet is not None and window.sheet.member_id is None
    assert window.form.current_code() is not None


def test_a_member_sheet_is_read_only_after_submission(qtbot, hospital_db, make_ui_context) -> None:  # type: ignore[no-untyped-def]
    info = new_round(hospital_db, members=("王护士长",))
    assert info.id is not None and info.members[0].id is not None
    move(hospital_db, info.id, "in_progress")
    fill_sheet(hospital_db, info.id, info.members[0].id, {})
    move(hospital_db, info.id, "submitted")
    window = _round_window(qtbot, make_ui_context("admin"), info.id)
    window.choose_sheet(info.members[0].id)
    assert not window.form.remarks.isEnabled()
    assert not window.save_button.isEnabled()
    assert "read only" in window.sheet_summary.text()
