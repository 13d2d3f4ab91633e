"""The action plan page: SQL-paged model, filters, the board, the item dialog's steps per role,
reasons, guards, evidence files and the PDF."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from hospital_osh.services import actions
from hospital_osh.services.actions import ActionFilter
from hospital_osh.ui.dialogs.action_dialog import ActionDialog
from hospital_osh.ui.dialogs.reason_dialog import ReasonAnswer, ReasonDialog
from hospital_osh.ui.itemmodels.action_table_model import COLUMNS, ActionTableModel
from hospital_osh.ui.pages.actions_page import ActionsPage
from hospital_osh.ui.widgets.code_combo import select_data
from tests.ui.fixtures_actions import TODAY, make_item

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _page(qtbot, context, opened: list[Path] | None = None) -> ActionsPage:  # type: ignore[no-untyped-def]
    page = ActionsPage(context, open_file=(opened.append if opened is not None else None))
    qtbot.addWidget(page)
    page.resize(1080, 740)
    page.show()
    return page


def _dialog(qtbot, context, action_id: int, **options) -> ActionDialog:  # type: ignore[no-untyped-def]
    dialog = ActionDialog(context, **options)
    qtbot.addWidget(dialog)
    with context.database.session() as session:
        dialog.load(actions.get_action(session, context.actor, action_id))
    return dialog


def _references(model: ActionTableModel) -> list[str]:
    return [model.index(row, 0).data() for row in range(model.rowCount())]


def test_the_model_passes_the_model_tester_and_pages_in_sql(
    qtbot, qtmodeltester, hospital_db, make_ui_context
) -> None:  # type: ignore[no-untyped-def]
    for number in range(7):
        make_item(hospital_db, title=f"Item {number}", due=TODAY + dt.timedelta(days=number))
    context = make_ui_context("admin")
    model = ActionTableModel(context.database, context.actor, page_size=3)
    model.set_filters(ActionFilter())
    assert model.rowCount() == 3 and model.canFetchMore(model.index(-1, -1))
    while model.canFetchMore(model.index(-1, -1)):
        model.fetchMore(model.index(-1, -1))
    assert model.rowCount() == 7
    qtmodeltester.check(model)
    model.sort([key for key, _label in COLUMNS].index("title"), Qt.SortOrder.DescendingOrder)
    assert model.sort_key() == ("title", True)
    titles = [model.index(row, 1).data() for row in range(model.rowCount())]
    assert titles[:3] == ["Item 6", "Item 5", "Item 4"]  # read again from SQL, three at a time
    qtmodeltester.check(model)


def test_filters_search_and_overdue(qtbot, hospital_db, make_ui_context) -> None:  # type: ignore[no-untyped-def]
    late = make_item(hospital_db, "planned", title="Late trolley", due=TODAY - dt.timedelta(days=2))
    make_item(hospital_db, "done", title="Done already")
    make_item(hospital_db, title="Hazard control", source_kind="hazard", hierarchy_level="ppe")
    page = _page(qtbot, make_ui_context("admin"))
    assert len(page.model.rows()) == 3
    page.show_overdue()
    assert [r.id for r in page.model.rows()] == [late]
    status = page.model.index(0, [k for k, _l in COLUMNS].index("status")).data()
    assert status == "Planned, overdue"
    select_data(page.overdue, None)
    select_data(page.source, "hazard")
    assert [r.title for r in page.model.rows()] == ["Hazard control"]
    select_data(page.source, None)
    page.search.setText("trolley")
    qtbot.keyClick(page.search, Qt.Key.Key_Return)
    assert [r.title for r in page.model.rows()] == ["Late trolley"]
    assert page.total_label.text() == "Items: 1 · overdue: 1"
    assert ActionsPage.badge(page.context) == 1  # the sidebar shows the overdue count


def test_search_as_you_type_waits_for_a_pause(qtbot, hospital_db, make_ui_context) -> None:  # type: ignore[no-untyped-def]
    make_item(hospital_db, title="Late trolley")
    make_item(hospital_db, title="Sharps bins")
    page = _page(qtbot, make_ui_context("admin"))
    assert [c.toolTip() for c in page.filter_bar.combos()] == [
        "Status",
        "Overdue",
        "Owner",
        "Department",
        "Source",
    ]
    page.focus_search()
    assert page.focusWidget() is page.search
    with qtbot.waitSignal(page.filter_bar.search_timer.timeout, timeout=2000):
        qtbot.keyClicks(page.search, "trolley")
        assert len(page.model.rows()) == 2  # nothing asked yet while typing
        assert page.filter_bar.search_timer.isActive()
    assert [r.title for r in page.model.rows()] == ["Late trolley"]
    assert page.filters().search == "trolley"
    page.apply_filter(ActionFilter())  # the dashboard's link clears the search too
    assert page.search.text() == "" and not page.filter_bar.search_timer.isActive()
    assert len(page.model.rows()) == 2


def test_the_board_shows_a_column_per_status_and_opens_cards(
    qtbot, hospital_db, make_ui_context
) -> None:  # type: ignore[no-untyped-def]
    proposed = make_item(hospital_db)
    done = make_item(hospital_db, "done")
    page = _page(qtbot, make_ui_context("admin"))
    qtbot.mouseClick(page.board_button, Qt.MouseButton.LeftButton)
    assert page.views.currentWidget() is page.board
    assert page.board.card_ids("proposed") == [proposed]
    assert page.board.card_ids("done") == [done]
    assert page.board.card_ids("planned") == []
    assert page.board.headers["done"].text() == "Done (1)"
    cards = page.board.columns["done"]
    cards.setCurrentRow(0)
    cards.itemActivated.emit(cards.item(0))
    assert page.action_dialog is not None
    assert page.action_dialog.info().id == done
    page.action_dialog.reject()


@pytest.mark.parametrize(
    ("user", "offered"),
    [
        ("admin", {"approved", "rejected", "cancelled"}),
        ("officer", {"cancelled"}),  # plans work, does not decide
        ("viewer", set()),
    ],
)
def test_steps_offered_follow_the_role(qtbot, hospital_db, make_ui_context, user, offered) -> None:  # type: ignore[no-untyped-def]
    item = make_item(hospital_db)
    dialog = _dialog(qtbot, make_ui_context(user), item)
    assert set(dialog.transition_buttons()) == offered
    assert dialog.save_button().isEnabled() == (user != "viewer")
    assert dialog.attach_button.isEnabled() == (user != "viewer")


def test_a_step_that_needs_a_reason_asks_for_it(qtbot, hospital_db, make_ui_context) -> None:  # type: ignore[no-untyped-def]
    item = make_item(hospital_db)
    dialog = _dialog(qtbot, make_ui_context("admin"), item)
    asked: list[tuple[bool, bool]] = []

    def ask(parent, title, question, *, needs_reason=True, needs_new_due_date=False):  # type: ignore[no-untyped-def]
        asked.append((needs_reason, needs_new_due_date))
        return ReasonAnswer("   ", None)

    dialog.ask_reason = ask
    assert not dialog.take_transition("rejected")
    assert asked == [(True, False)]
    assert dialog.message.text() == "Give the reason."
    dialog.ask_reason = lambda *a, **k: ReasonAnswer("Already in the hospital plan", None)
    with qtbot.waitSignal(dialog.changed):
        qtbot.mouseClick(dialog.transition_buttons()["rejected"], Qt.MouseButton.LeftButton)
    assert dialog.info().status == "rejected"
    assert "Already in the hospital plan" in dialog.source_label.text()
    assert dialog.transition_buttons() == {}
    assert not dialog.save_button().isEnabled()  # a finished item is read only
    log = [dialog.updates.item(row, 2).text() for row in range(dialog.updates.rowCount())]
    assert log[0] == "Proposed → Rejected" and log[-1] == "Created"


def test_the_owner_cannot_verify_their_own_item(qtbot, hospital_db, make_ui_context) -> None:  # type: ignore[no-untyped-def]
    context = make_ui_context("admin")
    item = make_item(hospital_db, "done", owner="Wang Admin", owner_user_id=context.actor.user_id)
    dialog = _dialog(qtbot, context, item)
    assert set(dialog.transition_buttons()) == {"verified", "in_progress"}
    assert not dialog.take_transition("verified")
    assert "cannot verify their own item" in dialog.message.text()
    assert dialog.info().status == "done"


def test_planning_guard_shows_beside_the_fields_and_edits_must_be_saved_first(
    qtbot, hospital_db, make_ui_context
) -> None:  # type: ignore[no-untyped-def]
    context = make_ui_context("admin")
    with hospital_db.transaction() as session:
        made = actions.create_action(session, context.actor, actions.ActionInfo(title="Rails"))
        assert made.id is not None
        actions.transition_action(session, context.actor, made.id, "approved")
    dialog = _dialog(qtbot, context, made.id)
    dialog.location.setText("Ward 3")
    assert not dialog.take_transition("planned")
    assert dialog.message.text() == "Save or undo your changes before changing the status."
    dialog.location.setText("")
    assert not dialog.take_transition("planned")
    assert dialog.form.error_text("owner_name") == "Name the owner before planning the item."
    assert dialog.form.error_text("due_date") == "Set the due date before planning."
    qtbot.mouseClick(dialog.me_button, Qt.MouseButton.LeftButton)
    assert dialog.owner_name.text() == "Wang Admin"
    dialog.cost_cny.setText("12,5x")
    assert not dialog.save()
    assert dialog.form.error_text("cost_cny").startswith("Enter a cost in yuan")
    assert dialog.cost_cny.text() == "12,5x"  # the typed input stays


def test_evidence_is_attached_listed_and_opened(
    qtbot, tmp_path, hospital_db, make_ui_context
) -> None:  # type: ignore[no-untyped-def]
    item = make_item(hospital_db, "in_progress")
    opened: list[Path] = []
    dialog = _dialog(qtbot, make_ui_context("officer"), item, open_file=opened.append)
    photo = tmp_path / "before.png"
    photo.write_bytes(PNG)
    select_data(dialog.evidence_kind, "before")
    dialog.caption.setText("Trolley before")
    added = dialog.attach_file(photo)
    assert added is not None and added.kind == "before"
    assert dialog.evidence.rowCount() == 1
    assert dialog.evidence.item(0, 1).text() == "Photo before"
    assert dialog.tabs.tabText(2) == "Evidence (1)"
    fake = tmp_path / "notes.png"
    fake.write_text("not a picture")
    assert dialog.attach_file(fake) is None
    assert "not a real png file" in dialog.evidence_message.text()
    dialog.evidence.selectRow(0)
    path = dialog.open_evidence()
    assert path is not None and opened == [path] and path.read_bytes() == PNG


def test_the_action_plan_pdf_is_written_off_the_gui_thread(
    qtbot, tmp_path, hospital_db, make_ui_context
) -> None:  # type: ignore[no-untyped-def]
    make_item(hospital_db, "planned", title="Install a hoist")
    opened: list[Path] = []
    page = _page(qtbot, make_ui_context("viewer"), opened)
    assert not page.new_button.isVisible()
    target = tmp_path / "plan.pdf"
    page.print_plan(target, "zh_CN")
    assert opened == [target]
    assert target.read_bytes().startswith(b"%PDF")
    assert page.print_button.isEnabled()


def test_the_reason_dialog_refuses_an_empty_reason(qtbot) -> None:  # type: ignore[no-untyped-def]
    dialog = ReasonDialog("Defer", "Defer ACT-2026-0001", needs_new_due_date=True)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.keyClick(dialog.reason, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    dialog.buttons.accepted.emit()
    assert dialog.result() == 0 and dialog.form.error_text("reason") == "This cannot be left empty."
    assert dialog.form.field_widget("new_due_date").isVisibleTo(dialog)
    qtbot.keyClicks(dialog.reason, "Waiting for the supplier")
    dialog.buttons.accepted.emit()
    answer = dialog.answer()
    assert dialog.result() == 1 and answer.reason == "Waiting for the supplier"
    assert answer.new_due_date is not None and answer.new_due_date > TODAY
