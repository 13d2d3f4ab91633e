"""The hazards page: the SQL-paged model (qtmodeltester), the matrix widget's cell selection by
mouse and keyboard, filters, review highlighting, the weak-controls warning in list and dialog,
the dialog's save/validation/re-assessment/acceptance, roles, and printing the register."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from pypdf import PdfReader
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import QApplication

from hospital_osh.domain.hazards import add_months
from hospital_osh.domain.roles import Role
from hospital_osh.services import hazards
from hospital_osh.services.context import Actor
from hospital_osh.services.hazards import ControlInfo, HazardFilter, HazardInfo
from hospital_osh.services.hospital import list_departments
from hospital_osh.ui.dialogs.hazard_dialog import HazardDialog
from hospital_osh.ui.itemmodels.hazard_table_model import COLUMNS, HazardTableModel
from hospital_osh.ui.pages.hazards_page import HazardsPage
from hospital_osh.ui.widgets.code_combo import select_data
from hospital_osh.ui.widgets.risk_matrix_widget import RiskMatrixWidget

ADMIN = Actor(username="admin", role=Role.ADMIN, user_id=1, display_name="Admin")
TODAY = dt.date.today()


def _column(name: str) -> int:
    return [key for key, _label in COLUMNS].index(name)


def _departments(database) -> dict[str, int]:  # type: ignore[no-untyped-def]
    with database.session() as session:
        return {d.code: d.id for d in list_departments(session)}


def _add(database, count: int = 1, **changes) -> list[int]:  # type: ignore[no-untyped-def]
    """``count`` hazards in the ED (varied scores unless given), created through the service."""
    departments = _departments(database)
    ids = []
    cells = [(5, 5), (3, 3), (2, 2), (1, 1), (4, 3), (2, 4)]
    with database.transaction() as session:
        for number in range(count):
            likelihood, severity = cells[number % len(cells)]
            values = dict(
                department_id=departments["ED"],
                activity=f"Task {number:03d}",
                category="psychosocial",
                potential_harm="Injury",
                owner="Dr Han",
                assessed_on=TODAY - dt.timedelta(days=2),
                initial_likelihood=likelihood,
                initial_severity=severity,
                controls=(ControlInfo("Guard post", "engineering"),),
            )
            values.update(changes)
            ids.append(hazards.create_hazard(session, ADMIN, HazardInfo(**values)).hazard.id)
    return ids


def _page(qtbot, context) -> HazardsPage:  # type: ignore[no-untyped-def]
    page = HazardsPage(context)
    qtbot.addWidget(page)
    page.resize(1280, 800)
    page.show()
    qtbot.waitExposed(page)
    return page


def test_model_passes_modeltester_and_pages(qtmodeltester, make_ui_context) -> None:  # type: ignore[no-untyped-def]
    context = make_ui_context("admin")
    _add(context.database, 45)
    with context.database.session() as session:
        matrix = hazards.current_matrix(session)
    model = HazardTableModel(context.database, context.actor, matrix, page_size=20)
    model.refresh()
    assert model.rowCount() == 20 and model.canFetchMore(QModelIndex())
    qtmodeltester.check(model)
    qtmodeltester.check(model, force_py=True)
    while model.canFetchMore(QModelIndex()):
        model.fetchMore(QModelIndex())
    assert model.rowCount() == 45
    # default order: worst level first
    assert model.index(0, _column("level")).data().startswith("Major risk")
    model.sort(_column("reference"), Qt.SortOrder.AscendingOrder)
    assert model.index(0, _column("reference")).data() == "HZ-0001"
    assert model.rowCount() == 20  # a new sort reads the first page again


def test_clicking_a_matrix_cell_filters_the_list(qtbot, make_ui_context) -> None:  # type: ignore[no-untyped-def]
    context = make_ui_context("admin")
    _add(context.database, 12)
    page = _page(qtbot, context)
    widget = page.matrix_widget
    assert widget.count((5, 5)) == 2 and widget.count((3, 3)) == 2
    assert page.model.rowCount() == 12
    with qtbot.waitSignal(widget.cell_selected) as signal:
        qtbot.mouseClick(widget.cells[(3, 3)], Qt.MouseButton.LeftButton)
    assert signal.args == [(3, 3)]
    assert page.filters().cell == (3, 3)
    assert page.model.rowCount() == 2
    assert {page.model.row_at(r).activity for r in range(2)} == {"Task 001", "Task 007"}
    assert widget.cells[(3, 3)].isChecked()
    assert widget.count((5, 5)) == 2  # the other cells keep their counts
    # clicking the picked cell again clears the choice
    with qtbot.waitSignal(widget.cell_selected) as signal:
        qtbot.mouseClick(widget.cells[(3, 3)], Qt.MouseButton.LeftButton)
    assert signal.args == [None]
    assert page.model.rowCount() == 12 and not widget.cells[(3, 3)].isChecked()


def test_matrix_keyboard_navigation_and_names(qtbot, make_ui_context) -> None:  # type: ignore[no-untyped-def]
    context = make_ui_context("admin")
    with context.database.session() as session:
        matrix = hazards.current_matrix(session)
    widget = RiskMatrixWidget(matrix)
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitExposed(widget)
    widget.set_counts({(2, 3): 4})
    widget.cells[(2, 3)].setFocus()
    QApplication.processEvents()
    qtbot.keyClick(widget.cells[(2, 3)], Qt.Key.Key_Up)
    assert widget.cells[(3, 3)].hasFocus()
    qtbot.keyClick(widget.cells[(3, 3)], Qt.Key.Key_Left)
    qtbot.keyClick(widget.cells[(3, 2)], Qt.Key.Key_Down)
    assert widget.cells[(2, 2)].hasFocus()
    qtbot.keyClick(widget.cells[(2, 2)], Qt.Key.Key_Right)
    with qtbot.waitSignal(widget.cell_selected) as signal:
        qtbot.keyClick(widget.cells[(2, 3)], Qt.Key.Key_Return)
    assert signal.args == [(2, 3)]
    with qtbot.waitSignal(widget.cell_selected) as signal:
        qtbot.keyClick(widget.cells[(2, 3)], Qt.Key.Key_Space)
    assert signal.args == [None]
    name = widget.cells[(2, 3)].accessibleName()
    assert "Likelihood 2 (Unlikely)" in name and "severity 3 (Moderate)" in name
    assert "General risk (III, yellow)" in name and "Hazards: 4." in name
    assert widget.cells[(2, 3)].text() == "4" and widget.cells[(5, 5)].text() == "·"
    # the edge stops the arrows
    widget.cells[(5, 5)].setFocus()
    qtbot.keyClick(widget.cells[(5, 5)], Qt.Key.Key_Up)
    assert widget.cells[(5, 5)].hasFocus()


def test_filters_review_highlight_and_warning(qtbot, make_ui_context) -> None:  # type: ignore[no-untyped-def]
    context = make_ui_context("admin")
    _add(context.database, 6)
    [old] = _add(
        context.database,
        activity="Old task",
        assessed_on=TODAY - dt.timedelta(days=200),
        initial_likelihood=3,
        initial_severity=3,
        controls=(ControlInfo("Gloves", "ppe"),),
    )
    page = _page(qtbot, context)
    select_data(page.review, "overdue")
    assert page.model.rowCount() == 1
    row = page.model.row_at(0)
    assert row.id == old and row.review_state == "overdue" and row.weak_controls_warning
    review = page.model.index(0, _column("next_review"))
    assert review.data().endswith("(overdue)")
    assert review.data(Qt.ItemDataRole.ForegroundRole).color().name() == "#b42318"
    assert review.data(Qt.ItemDataRole.FontRole).bold()
    level = page.model.index(0, _column("level"))
    assert level.data(Qt.ItemDataRole.DecorationRole) is not None  # the warning icon
    assert "administrative measures and PPE" in level.data(Qt.ItemDataRole.ToolTipRole)
    assert level.data(Qt.ItemDataRole.BackgroundRole).color().name() == "#f57c00"
    assert "reviews overdue: 1" in page.counts_label.text()
    select_data(page.review, None)
    page.warnings_only.setChecked(True)
    assert page.model.rowCount() == 1
    page.warnings_only.setChecked(False)
    select_data(page.level, "red")
    assert page.model.rowCount() == 1 and page.model.row_at(0).level == "red"
    select_data(page.level, None)
    page.search.setText("Task 004")
    page.search.returnPressed.emit()
    assert page.model.rowCount() == 1


def test_search_as_you_type_waits_for_a_pause(qtbot, make_ui_context) -> None:  # type: ignore[no-untyped-def]
    context = make_ui_context("admin")
    _add(context.database, 3)
    page = _page(qtbot, context)
    assert [c.toolTip() for c in page.filter_bar.combos()] == [
        "Department",
        "Category",
        "Risk level",
        "Review",
        "Risk owner",
        "Status",
    ]
    assert page.model.rowCount() == 3
    page.focus_search()
    with qtbot.waitSignal(page.filter_bar.search_timer.timeout, timeout=2000):
        qtbot.keyClicks(page.search, "Task 001")
        assert page.model.rowCount() == 3  # nothing asked yet while typing
    assert [page.model.row_at(0).activity] == ["Task 001"]
    assert page.counts_label.text().startswith("Hazards: 1 ")
    page.warnings_only.setChecked(True)  # beside the counts, it filters at once
    assert page.filters().warning_only and page.filters().search == "Task 001"


def _dialog(qtbot, context, info: HazardInfo | None = None) -> HazardDialog:  # type: ignore[no-untyped-def]
    dialog = HazardDialog(context)
    qtbot.addWidget(dialog)
    if info is not None:
        dialog.load(info)
    dialog.show()
    return dialog


def test_dialog_keeps_input_and_shows_errors_beside_fields(qtbot, make_ui_context) -> None:  # type: ignore[no-untyped-def]
    context = make_ui_context("admin")
    departments = _departments(context.database)
    dialog = _dialog(qtbot, context)
    select_data(dialog.department, departments["LAB"])
    dialog.activity.setText("Specimen reception")
    select_data(dialog.category, "biological")
    dialog.monitoring_value.setText("0,8")
    dialog.monitoring_date.set_value(TODAY)
    assert not dialog.save()
    errors = dialog.errors()
    assert errors["initial_likelihood"] == "Required."
    assert errors["potential_harm"] == "Required." and errors["owner"] == "Required."
    assert errors["monitoring_unit"] == "Give the unit of the monitoring result (e.g. mg/m³)."
    assert dialog.activity.text() == "Specimen reception"  # input kept
    assert dialog.monitoring_value.text() == "0,8"
    dialog.monitoring_value.setText("lots")
    assert not dialog.save()
    assert dialog.errors()["monitoring_value"] == "Enter a number, e.g. 0.5."
    assert dialog.tabs.currentIndex() == 4  # the tab holding the error
    dialog.monitoring_value.clear()
    dialog.monitoring_date.set_value(None)
    dialog.potential_harm.setPlainText("Bloodborne infection")
    dialog.owner.setText("Dr You")
    select_data(dialog.initial_likelihood, 4)
    select_data(dialog.initial_severity, 4)
    assert dialog.initial_level.text() == "Significant risk (II, orange)"
    # orange with no control at all: the warning shows while typing
    assert "rely only on administrative measures and PPE" in dialog.warning_text()
    dialog._on_add_control()
    dialog.control_rows[-1][0].setText("Biological safety cabinet")
    select_data(dialog.control_rows[-1][1], "engineering")
    assert dialog.warning_text() == ""
    with qtbot.waitSignal(dialog.saved) as signal:
        assert dialog.save()
    saved = signal.args[0]
    assert saved.reference == "HZ-0001" and saved.controls[0].hierarchy_level == "engineering"
    assert saved.next_review_on == add_months(TODAY, 3)  # orange: 3 months


def test_dialog_reassessment_keeps_history_and_acceptance(qtbot, make_ui_context) -> None:  # type: ignore[no-untyped-def]
    context = make_ui_context("admin")
    [hazard_id] = _add(
        context.database,
        initial_likelihood=5,
        initial_severity=5,
        residual_likelihood=4,
        residual_severity=5,
        controls=(ControlInfo("Training", "administrative"),),
    )
    with context.database.session() as session:
        info = hazards.get_hazard(session, context.actor, hazard_id)
    dialog = _dialog(qtbot, context, info)
    assert "Major risk (I, red)" in dialog.warning_text()
    assert "hospital leadership" in dialog.acceptance_state.text()
    dialog.accepted_by.setText("Dr Ma")
    select_data(dialog.accepted_role, "department_head")
    dialog.accepted_on.set_value(TODAY)
    assert not dialog.accept_residual()
    assert "hospital leadership" in dialog.errors()["accepted_role"]
    select_data(dialog.accepted_role, "hospital_leader")
    assert dialog.accept_residual()
    assert "Accepted by Dr Ma" in dialog.acceptance_state.text()
    # re-assess: lower residual; the history keeps the first assessment
    select_data(dialog.residual_likelihood, 2)
    dialog.assessment_note.setText("Alarm system installed")
    with qtbot.waitSignal(dialog.saved) as signal:
        assert dialog.save()
    saved = signal.args[0]
    assert [h.kind for h in saved.history] == ["reassessment", "initial"]
    assert saved.history[0].note == "Alarm system installed"
    assert saved.accepted_by == ""  # the residual changed: accept again


def test_dialog_adds_a_further_control_as_an_action_item(qtbot, make_ui_context) -> None:  # type: ignore[no-untyped-def]
    context = make_ui_context("admin")
    [hazard_id] = _add(context.database)
    with context.database.session() as session:
        info = hazards.get_hazard(session, context.actor, hazard_id)
    dialog = _dialog(qtbot, context, info)
    dialog.further_title.setText("Install panic buttons")
    assert not dialog.propose_further_control()
    assert "hierarchy_level" in dialog.errors()
    select_data(dialog.further_level, "engineering")
    dialog.further_owner.setText("Head of security")
    dialog.further_due.set_value(TODAY + dt.timedelta(days=30))
    assert dialog.propose_further_control()
    assert dialog.further.rowCount() == 1
    assert dialog.further.item(0, 1).text() == "Install panic buttons"
    assert dialog.further.item(0, 5).text() == "Proposed"
    with context.database.session() as session:
        [row] = hazards.further_controls(session, context.actor, hazard_id)
    assert row.source_kind == "hazard" and row.source_id == hazard_id
    assert row.hierarchy_level == "engineering" and row.owner_name == "Head of security"


def test_viewer_reads_but_does_not_write(qtbot, make_ui_context) -> None:  # type: ignore[no-untyped-def]
    admin = make_ui_context("admin")
    _add(admin.database, 2)
    context = make_ui_context("viewer")
    page = _page(qtbot, context)
    assert page.model.rowCount() == 2
    assert not page.new_button.isVisibleTo(page)
    assert not page.matrix_choice.isVisibleTo(page)
    page.new_item()
    assert page.hazard_dialog is None
    page.table.selectRow(0)
    page.edit_selected()
    dialog = page.hazard_dialog
    assert dialog is not None
    assert not dialog.buttons.button(dialog.buttons.StandardButton.Save).isVisibleTo(dialog)
    assert not dialog.retire_box.isVisibleTo(dialog)
    dialog.reject()


def test_switching_matrix_from_the_page(qtbot, make_ui_context) -> None:  # type: ignore[no-untyped-def]
    context = make_ui_context("admin")
    _add(context.database, 6)
    page = _page(qtbot, context)
    select_data(page.matrix_choice, "three_band")
    assert page.matrix.id == "three_band"
    assert page.matrix_widget.cells[(5, 5)].styleSheet().count("#c62828")
    levels = [page.level.itemData(i) for i in range(page.level.count())]
    assert levels == [None, "high", "medium", "low"]
    assert page.model.index(0, _column("level")).data() == "High risk"


def test_print_register_writes_the_pdf(qtbot, make_ui_context, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    context = make_ui_context("admin")
    _add(context.database, 3)
    page = _page(qtbot, context)
    target = tmp_path / "register.pdf"
    with qtbot.waitSignal(page.register_printed, timeout=20_000) as signal:
        page.print_register(target, "zh_CN")
    assert signal.args == [str(target)]
    text = "".join(p.extract_text() for p in PdfReader(str(target)).pages)
    assert "职业病危害因素辨识与风险评估登记表" in text and "Task 000" in text


@pytest.mark.parametrize("language", ["en", "zh_CN"])
def test_tour_view_opens_the_first_listed_hazard(  # type: ignore[no-untyped-def]
    qtbot, make_ui_context, language
) -> None:
    """The page's tour view opens the first listed hazard, so the tour shows a filled dialog."""
    from hospital_osh.ui.language import apply_language

    apply_language(language)
    context = make_ui_context("admin")
    _add(context.database, 2)
    page = _page(qtbot, context)
    [(name, dialog)] = page.tour_views()
    qtbot.addWidget(dialog)
    assert name == "hazard_dialog"
    assert dialog.activity.text() == page.model.row_at(0).activity
    with context.database.session() as session:
        assert hazards.count_hazards(session, context.actor, HazardFilter()) == 2
