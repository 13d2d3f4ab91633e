"""The HealthWISE page: templates (installed here; imported in test_template_import_dialog.py),
new rounds with a team, the plan guard and priority items, committee-only steps, progress against
the previous round, PDFs."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from PySide6.QtCore import Qt

from hospital_osh.i18n import format_date
from hospital_osh.services import healthwise
from hospital_osh.services.healthwise import MemberInfo
from hospital_osh.ui.dialogs.round_dialog import RoundDialog
from hospital_osh.ui.itemmodels.assessment_table_model import AssessmentTableModel
from hospital_osh.ui.pages.healthwise_page import HealthwisePage
from hospital_osh.ui.widgets.code_combo import select_data
from tests.ui.fixtures_actions import (
    department_id,
    fill_sheet,
    get_round,
    move,
    new_round,
    prioritised_round,
    templates,
)


def _page(qtbot, context, opened: list[Path] | None = None) -> HealthwisePage:  # type: ignore[no-untyped-def]
    page = HealthwisePage(context, open_file=(opened.append if opened is not None else print))
    qtbot.addWidget(page)
    page.resize(1080, 740)
    page.show()
    return page


def test_templates_are_installed_and_labelled_as_working_versions(
    qtbot, hospital_db, make_ui_context
) -> None:  # type: ignore[no-untyped-def]
    page = _page(qtbot, make_ui_context("officer"))
    assert page.template_table.rowCount() == 0
    assert "install the shipped ones" in page.template_note.text()
    assert page.install_templates() == 2
    assert page.template_table.rowCount() == 2
    assert page.status_label.text() == "2 templates installed."
    assert page.template_note.text().startswith("Working version: the checkpoints are written")
    assert page.install_templates() == 0
    assert page.status_label.text() == "The shipped templates are installed already."


def test_a_viewer_sees_templates_but_cannot_change_them(
    qtbot, hospital_db, make_ui_context
) -> None:  # type: ignore[no-untyped-def]
    templates(hospital_db)
    page = _page(qtbot, make_ui_context("viewer"))
    assert page.template_table.rowCount() == 2
    assert not page.install_button.isVisible() and not page.import_button.isVisible()
    assert not page.new_button.isVisible()
    assert page.new_round() is None and page.open_import() is None


def test_a_new_round_is_created_with_its_team(qtbot, hospital_db, make_ui_context) -> None:  # type: ignore[no-untyped-def]
    page = _page(qtbot, make_ui_context("officer"))
    asker = page.context.ask
    assert page.new_round() is None  # no template yet: says where to get one
    assert asker.messages[-1].startswith("Install the shipped templates")
    page.install_templates()
    dialog = page.new_round()
    assert dialog is not None
    assert dialog.members()[0].team_role == "facilitator"
    select_data(dialog.department, department_id(hospital_db, 1))
    dialog.area.setText("抢救室")
    dialog.add_member(MemberInfo("赵护工", "staff", None, None))
    dialog.add_member(MemberInfo("赵护工", "staff", None, None))
    assert not dialog.save()
    assert dialog.form.error_text("members") == "Each member's name may appear once."
    assert dialog.area.text() == "抢救室"  # the input stays
    dialog.team.setCurrentCell(2, 0)
    dialog.remove_selected_member()
    with qtbot.waitSignal(page.rounds_changed):
        assert dialog.save()
    row = page.selected_row()
    assert row is not None and row.area == "抢救室" and row.member_count == 2
    assert page.total_label.text() == "Rounds: 1"


def test_search_as_you_type_waits_for_a_pause(qtbot, hospital_db, make_ui_context) -> None:  # type: ignore[no-untyped-def]
    new_round(hospital_db)
    page = _page(qtbot, make_ui_context("officer"))
    assert [c.toolTip() for c in page.filter_bar.combos()] == ["Step of the round", "Department"]
    assert page.model.rowCount() == 1
    page.tabs.setCurrentIndex(1)
    page.focus_search()  # Ctrl+F: back to the rounds and into the search box
    assert page.tabs.currentIndex() == 0 and page.focusWidget() is page.search
    with qtbot.waitSignal(page.filter_bar.search_timer.timeout, timeout=2000):
        qtbot.keyClicks(page.search, "no such area")
        assert page.model.rowCount() == 1  # nothing asked yet while typing
    assert page.model.rowCount() == 0
    assert page.total_label.text() == "Rounds: 0"
    page.search.clear()
    qtbot.keyClick(page.search, Qt.Key.Key_Return)  # Enter: at once
    assert page.model.rowCount() == 1 and not page.filter_bar.search_timer.isActive()


def test_the_model_passes_the_model_tester(
    qtbot, qtmodeltester, hospital_db, make_ui_context
) -> None:  # type: ignore[no-untyped-def]
    for day in range(3):
        new_round(hospital_db, dt.date(2026, 1, 1 + day))
    context = make_ui_context("viewer")
    model = AssessmentTableModel(context.database, context.actor, page_size=2)
    model.refresh()
    assert model.rowCount() == 2
    qtmodeltester.check(model)
    assert model.index(0, 0).data() == format_date(dt.date(2026, 1, 3))  # newest first


def test_the_plan_guard_and_items_for_priorities(qtbot, hospital_db, make_ui_context) -> None:  # type: ignore[no-untyped-def]
    info = prioritised_round(hospital_db, {"HW-M1-02": True, "HW-M2-01": True, "HW-M3-01": False})
    assert info.id is not None
    window = RoundDialog(make_ui_context("officer"), info.id)
    qtbot.addWidget(window)
    assert window.sheet is not None and window.sheet.member_id is None  # the consensus sheet
    assert window.form.reasons_only() and not window.form.remarks.isEnabled()
    assert window.form.reason.isEnabled()
    assert "only reasons for no action can change" in window.sheet_summary.text()
    window.tabs.setCurrentIndex(1)
    assert window.plan_table.rowCount() == 3
    assert [window.plan_table.item(r, 1).text() for r in range(3)] == ["Priority", "Priority", ""]
    assert not window.take_move("plan_submitted")
    assert window.message.text() == (
        "Priority items need an action item or a reason for no action: HW-M1-02, HW-M2-01."
    )
    window.plan_table.selectRow(1)
    assert window.set_reason_for_selected("The ward is being rebuilt next year")
    assert window.create_priority_items() == 1
    assert window.plan_message.text() == "1 action items proposed."
    assert "(Proposed)" in window.plan_table.item(0, 3).text()
    assert window.take_move("plan_submitted")
    assert set(window.move_buttons()) == set()  # approving is the committee's decision


def test_the_committee_approves_a_plan_and_progress_compares_rounds(
    qtbot, tmp_path, hospital_db, make_ui_context
) -> None:  # type: ignore[no-untyped-def]
    first = prioritised_round(hospital_db, {"HW-M1-02": True}, day=dt.date(2025, 6, 1))
    assert first.id is not None
    second = new_round(hospital_db, dt.date(2026, 6, 1))
    assert second.id is not None and second.previous_id == first.id
    move(hospital_db, second.id, "in_progress")
    for member in second.members:
        assert member.id is not None
        fill_sheet(hospital_db, second.id, member.id, {"HW-M4-01": True})
    for step in ("submitted", "in_group_review", "prioritized"):
        move(hospital_db, second.id, step)
    opened: list[Path] = []
    window = RoundDialog(make_ui_context("admin"), second.id, open_file=opened.append)
    qtbot.addWidget(window)
    window.create_priority_items()
    assert window.take_move("plan_submitted")
    assert set(window.move_buttons()) == {"plan_approved", "in_group_review"}
    window.ask_reason = lambda *a, **k: None  # cancelled: nothing happens
    assert not window.take_move("in_group_review")
    assert window.take_move("plan_approved")
    assert get_round(hospital_db, second.id).state == "plan_approved"
    assert window.progress_summary.text() == (
        f"Compared with the round of {format_date(dt.date(2025, 6, 1))}: "
        "action proposed on 1 items then, on 1 now."
    )
    module_one = window.progress_table.item(0, 2).text()
    assert module_one == "1 → 0"
    assert "HW-M1-02" in window.changes_label.text()  # improved
    for kind in ("blank", "filled", "plan", "progress"):
        target = tmp_path / f"{kind}.pdf"
        window.print_pdf(kind, target, "en")
        assert target.read_bytes().startswith(b"%PDF")
    assert [p.name for p in opened] == ["blank.pdf", "filled.pdf", "plan.pdf", "progress.pdf"]


def test_the_blank_checklist_from_the_templates_tab(
    qtbot, tmp_path, hospital_db, make_ui_context
) -> None:  # type: ignore[no-untyped-def]
    templates(hospital_db)
    opened: list[Path] = []
    page = _page(qtbot, make_ui_context("viewer"), opened)
    page.template_table.selectRow(1)
    target = tmp_path / "blank.pdf"
    page.print_blank(target, "zh_CN")
    assert opened == [target] and target.read_bytes().startswith(b"%PDF")
    with hospital_db.session() as session:
        assert len(healthwise.list_templates(session, page.context.actor)) == 2
