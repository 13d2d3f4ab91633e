"""The exposures page: a lazy SQL-paged model (qtmodeltester, scrolling to the end), SQL sorting
and filters, search as you type, role masking, Ctrl+N, and the case sheet off the GUI thread."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from PySide6.QtCore import QModelIndex, Qt

from hospital_osh.domain.roles import Role
from hospital_osh.services.exposures import HIDDEN, ExposureFilter
from hospital_osh.ui.dialogs.exposure_dialog import ExposureDialog
from hospital_osh.ui.dialogs.quick_report_dialog import QuickReportDialog
from hospital_osh.ui.itemmodels.exposure_table_model import ExposureTableModel, column_of
from hospital_osh.ui.language import apply_language
from hospital_osh.ui.pages.exposures_page import ExposuresPage
from hospital_osh.ui.widgets.code_combo import select_data
from tests.ui.fixtures_exposures import *  # noqa: F403 - pytest fixtures


def _texts(model: ExposureTableModel, column: str) -> list[str]:
    col = column_of(column)
    return [model.index(row, col).data() for row in range(model.rowCount())]


def _page(qtbot, context, **options) -> ExposuresPage:  # type: ignore[no-untyped-def]
    page = ExposuresPage(context, **options)
    qtbot.addWidget(page)
    page.resize(1060, 720)
    page.show()
    qtbot.waitExposed(page)
    return page


def test_model_passes_modeltester_and_pages_to_the_end(  # type: ignore[no-untyped-def]
    qtmodeltester, exposure_context, bulk_exposures
) -> None:
    bulk_exposures(450)
    context = exposure_context(Role.OSH_OFFICER, "officer")
    model = ExposureTableModel(context.database, context.actor)
    model.refresh()
    assert model.rowCount() == 200 and model.canFetchMore(QModelIndex())
    model.fetchMore(QModelIndex())
    model.fetchMore(QModelIndex())
    assert model.rowCount() == 450 and not model.canFetchMore(QModelIndex())
    assert _texts(model, "reference")[0] == "EXP-2025-0450"  # newest first
    assert _texts(model, "reference")[-1] == "EXP-2025-0001"
    qtmodeltester.check(model)
    model.sort(column_of("reference"), Qt.SortOrder.AscendingOrder)
    assert model.rowCount() == 200 and _texts(model, "reference")[0] == "EXP-2025-0001"


def test_python_modeltester_too(qtmodeltester, exposure_context, bulk_exposures) -> None:  # type: ignore[no-untyped-def]
    bulk_exposures(120)
    context = exposure_context(Role.VIEWER, "viewer")
    model = ExposureTableModel(context.database, context.actor, page_size=50)
    model.refresh()
    qtmodeltester.check(model, force_py=True)
    while model.canFetchMore(QModelIndex()):
        model.fetchMore(QModelIndex())
    assert model.rowCount() == 120


def test_cells_read_in_the_language_and_mark_incomplete_records(  # type: ignore[no-untyped-def]
    exposure_context, bulk_exposures
) -> None:
    bulk_exposures(2)  # EXP-2025-0002 at 2025-01-01 01:00 lacks fields; 0001 is complete
    context = exposure_context(Role.OSH_OFFICER, "officer")
    model = ExposureTableModel(context.database, context.actor)
    model.refresh()
    when, record = column_of("occurred_at"), column_of("incomplete")
    hours = column_of("hours_to_report")
    assert model.index(0, when).data() == "01/01/2025, 01:00"
    assert model.index(0, record).data() == "2 missing"
    assert model.index(0, record).data(Qt.ItemDataRole.ForegroundRole) is not None
    assert "required fields" in model.index(0, record).data(Qt.ItemDataRole.ToolTipRole)
    assert model.index(1, record).data() == "Complete"
    assert model.index(1, record).data(Qt.ItemDataRole.ForegroundRole) is None
    assert model.index(1, record).data(Qt.ItemDataRole.ToolTipRole) is None
    right = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    assert model.index(0, hours).data(Qt.ItemDataRole.TextAlignmentRole) == right
    assert model.index(0, when).data(Qt.ItemDataRole.TextAlignmentRole) is None
    apply_language("zh_CN")
    assert model.index(0, when).data() == "2025/1/1 01:00"


def test_scrolling_the_view_reaches_the_last_record(
    qtbot, exposure_context, bulk_exposures
) -> None:  # type: ignore[no-untyped-def]
    bulk_exposures(450)
    page = _page(qtbot, exposure_context(Role.OSH_OFFICER, "officer"))
    assert page.model.rowCount() == 200
    assert page.total_label.text() == "Exposures: 450"

    def at_end() -> bool:
        page.table.scrollToBottom()
        return page.model.rowCount() == 450

    qtbot.waitUntil(at_end, timeout=5000)
    assert page.model.index(449, column_of("reference")).data() == "EXP-2025-0001"


def test_sorting_and_filters_happen_in_sql(qtbot, exposure_context, bulk_exposures, ids) -> None:  # type: ignore[no-untyped-def]
    bulk_exposures(450)
    today = dt.date(2026, 3, 10)
    page = _page(qtbot, exposure_context(Role.OSH_OFFICER, "officer"), today=lambda: today)
    page.table.sortByColumn(column_of("status"), Qt.SortOrder.AscendingOrder)  # header click
    assert page.model.sort_key() == ("status", False)
    statuses = [page.model.row_at(r).status for r in range(page.model.rowCount())]
    assert statuses[0] == "closed" and statuses == sorted(statuses)  # of all 450, not a page

    select_data(page.exposure_type, "bite")
    assert page.total_label.text() == "Exposures: 90"
    select_data(page.department, ids["LAB"])
    assert page.total_label.text() == "Exposures: 30"
    assert set(_texts(page.model, "department")) == {"Clinical laboratory"}
    select_data(page.exposure_type, None)
    select_data(page.job_category, "nurse")
    select_data(page.status, "closed")
    assert page.model.filters == ExposureFilter(
        department_id=ids["LAB"], job_category="nurse", status="closed"
    )
    assert {page.model.row_at(r).status for r in range(page.model.rowCount())} == {"closed"}
    select_data(page.department, None)
    select_data(page.job_category, None)
    select_data(page.status, None)
    page.incomplete.setChecked(True)
    assert page.total_label.text() == "Exposures: 300"
    assert set(_texts(page.model, "incomplete")) == {"2 missing"}
    page.incomplete.setChecked(False)
    select_data(page.source, "hbv_positive")  # officers may filter on serostatus
    assert page.total_label.text() == "Exposures: 113"
    select_data(page.source, None)
    select_data(page.device, "suture_needle")
    assert page.total_label.text() == "Exposures: 180"
    select_data(page.period, "this_year")  # 2026 by the page's clock
    assert page.total_label.text() == "Exposures: 0"
    select_data(page.period, "last_year")
    assert page.total_label.text() == "Exposures: 180"
    assert page.model.filters.start == dt.date(2025, 1, 1)


def test_search_as_you_type_and_ctrl_f(qtbot, exposure_context, bulk_exposures) -> None:  # type: ignore[no-untyped-def]
    bulk_exposures(450)
    page = _page(qtbot, exposure_context(Role.OSH_OFFICER, "officer"))
    page.focus_search()
    assert page.focusWidget() is page.search
    with qtbot.waitSignal(page.search_timer.timeout, timeout=2000):
        qtbot.keyClicks(page.search, "EXP-2025-012")
        assert page.model.rowCount() == 200  # nothing asked while typing
    assert page.total_label.text() == "Exposures: 10"


def test_viewer_and_committee_see_no_names_and_no_serostatus(  # type: ignore[no-untyped-def]
    qtbot, exposure_context, bulk_exposures
) -> None:
    bulk_exposures(20)
    for role in (Role.VIEWER, Role.COMMITTEE_MEMBER):
        page = _page(qtbot, exposure_context(role, str(role)))
        assert page.model.rowCount() == 20
        assert set(_texts(page.model, "worker")) == {HIDDEN}
        assert page.table.isColumnHidden(column_of("worker"))
        sources = [page.source.itemData(i) for i in range(page.source.count())]
        assert sources == [None, "identified", "unidentified"]  # no serostatus filters
        assert not page.new_button.isVisible() and not page.sheet_button.isVisible()
        assert page.open_button.text() == "Open…"
        page.new_item()
        assert page.quick_dialog is None
        page.table.selectRow(0)
        dialog = page.open_selected()
        assert isinstance(dialog, ExposureDialog) and not dialog.editable
        assert dialog.picker.edit.text() == HIDDEN
        assert dialog.description.toPlainText() == HIDDEN
        assert not dialog.save_button.isVisible() and not dialog.complete_button.isVisible()
        assert not dialog.masked_note.isHidden()
        source = dialog.forms["source"]
        assert not source.isRowVisible(dialog.field_widget("source_hbsag"))
        assert dialog.field_widget("source_hbsag").currentText() != "Positive"
        dialog.close()


def test_a_reporter_lists_only_its_own_reports(qtbot, exposure_context, bulk_exposures) -> None:  # type: ignore[no-untyped-def]
    bulk_exposures(20)  # the officer's
    bulk_exposures(3, reported_by="nurse1", start=20)
    page = _page(qtbot, exposure_context(Role.REPORTER, "nurse1"))
    assert page.total_label.text() == "Exposures: 3"
    assert _texts(page.model, "worker") == ["职工3", "职工2", "职工1"]  # its own: names shown
    assert not page.table.isColumnHidden(column_of("worker"))
    assert page.new_button.isVisible() and page.sheet_button.isVisible()
    page.table.selectRow(0)
    dialog = page.open_selected()
    assert dialog is not None and not dialog.editable
    assert not dialog.masked_note.isHidden()  # no source results for a reporter
    assert ExposuresPage.visible_for(page.context.actor)


def test_ctrl_n_files_a_report_that_appears_selected(
    qtbot, exposure_context, bulk_exposures
) -> None:  # type: ignore[no-untyped-def]
    bulk_exposures(5)
    page = _page(qtbot, exposure_context(Role.OSH_OFFICER, "officer"))
    page.new_item()
    dialog = page.quick_dialog
    assert isinstance(dialog, QuickReportDialog) and dialog.isVisible()
    assert page.has_unsaved_changes() is False
    dialog.picker.edit.setText("S0003")
    dialog.picker.search_now()
    qtbot.keyClick(dialog.picker.edit, Qt.Key.Key_Return)
    assert page.has_unsaved_changes()
    select_data(dialog.department, dialog.department.itemData(1))
    select_data(dialog.exposure_type, "percutaneous")
    select_data(dialog.source_identified, "yes")
    dialog.description.setPlainText("Needle-stick")
    with qtbot.waitSignal(page.exposures_changed):
        assert dialog.save()
    assert page.total_label.text() == "Exposures: 6"
    assert page.selected_row() is not None
    assert page.selected_row().reference == dialog.receipt.reference


def test_case_sheet_is_written_off_the_gui_thread_then_opened(  # type: ignore[no-untyped-def]
    qtbot, exposure_context, bulk_exposures, tmp_path: Path
) -> None:
    bulk_exposures(3)
    opened: list[Path] = []
    page = _page(qtbot, exposure_context(Role.OSH_OFFICER, "officer"), open_file=opened.append)
    page.table.selectRow(0)
    target = tmp_path / "sheet.pdf"
    with qtbot.waitSignal(page.case_sheet_written) as blocker:
        page.write_case_sheet(target, "zh_CN")
    assert blocker.args == [str(target)] and opened == [target]
    assert target.read_bytes().startswith(b"%PDF")
    assert page.sheet_button.isEnabled()


def test_ctrl_e_opens_the_selected_record_and_ctrl_f_searches(  # type: ignore[no-untyped-def]
    qtbot, make_window, bulk_exposures
) -> None:
    bulk_exposures(3)
    window = make_window("admin", page_classes=[ExposuresPage])
    page = window.show_page("exposures")
    assert isinstance(page, ExposuresPage)
    window.actions_menu.aboutToShow.emit()
    entries = {a.text(): a.shortcut().toString() for a in window.actions_menu.actions()}
    assert entries == {"New quick report…": "", "Complete / edit…": "Ctrl+E"}
    with qtbot.waitActive(window):  # shortcuts fire in the active window only
        window.activateWindow()
    qtbot.keyClick(window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert window.focusWidget() is page.search
    page.table.selectRow(0)
    page.table.setFocus()
    qtbot.keyClick(page.table, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    assert page.exposure_dialog is not None and page.exposure_dialog.isVisible()
    page.exposure_dialog.reject()
