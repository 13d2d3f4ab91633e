"""The staff page: a lazy SQL-paged model, SQL sorting and filters, search as you type, roles."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, Qt

from hospital_osh.domain.roles import Role
from hospital_osh.services.workers import HIDDEN, WorkerFilter, get_worker
from hospital_osh.ui.dialogs.worker_dialog import WorkerDialog
from hospital_osh.ui.itemmodels.worker_table_model import COLUMNS, WorkerTableModel
from hospital_osh.ui.pages.staff_page import StaffPage
from hospital_osh.ui.widgets.code_combo import select_data
from tests.ui.fixtures_staff import *  # noqa: F403 - pytest fixtures

ALL = WorkerFilter(active=None)


def _column(name: str) -> int:
    return [key for key, _label in COLUMNS].index(name)


def _texts(model: WorkerTableModel, column: str) -> list[str]:
    col = _column(column)
    return [model.index(row, col).data() for row in range(model.rowCount())]


def _page(qtbot, context) -> StaffPage:  # type: ignore[no-untyped-def]
    page = StaffPage(context)
    qtbot.addWidget(page)
    page.resize(1280, 800)
    page.show()
    qtbot.waitExposed(page)
    return page


def test_model_passes_modeltester_and_pages_to_the_end(  # type: ignore[no-untyped-def]
    qtmodeltester, context, bulk_workers
) -> None:
    bulk_workers(450)
    model = WorkerTableModel(context.database, context.actor)
    model.set_filters(ALL)
    assert model.rowCount() == 200 and model.canFetchMore(QModelIndex())
    model.fetchMore(QModelIndex())
    assert model.rowCount() == 400 and model.canFetchMore(QModelIndex())
    model.fetchMore(QModelIndex())
    assert model.rowCount() == 450 and not model.canFetchMore(QModelIndex())  # a short page
    assert _texts(model, "staff_no")[-1] == "S0449"
    qtmodeltester.check(model)  # Qt's own tester; any complaint is a warning, which fails
    model.sort(_column("name"), Qt.SortOrder.DescendingOrder)
    assert model.rowCount() == 200 and _texts(model, "staff_no")[0] == "S0449"


def test_python_modeltester_too(qtmodeltester, context, bulk_workers) -> None:  # type: ignore[no-untyped-def]
    bulk_workers(450)
    model = WorkerTableModel(context.database, context.actor, page_size=50)
    model.set_filters(ALL)
    qtmodeltester.check(model, force_py=True)
    while model.canFetchMore(QModelIndex()):
        model.fetchMore(QModelIndex())
    assert model.rowCount() == 450


def test_workers_who_left_are_greyed_and_say_so(context, bulk_workers) -> None:  # type: ignore[no-untyped-def]
    bulk_workers(10)
    model = WorkerTableModel(context.database, context.actor)
    model.set_filters(ALL)
    status = _column("active")
    left = [r for r in range(model.rowCount()) if not model.row_at(r).active]
    kept = [r for r in range(model.rowCount()) if model.row_at(r).active]
    assert left and kept
    assert model.index(left[0], status).data() == "Left"
    assert model.index(left[0], 0).data(Qt.ItemDataRole.ForegroundRole) is not None
    assert model.index(kept[0], status).data() == "In service"
    assert model.index(kept[0], 0).data(Qt.ItemDataRole.ForegroundRole) is None
    assert model.index(kept[0], 0).data(model.ROW_ROLE) == model.row_at(kept[0])


def test_scrolling_the_view_reaches_the_last_worker(qtbot, context, bulk_workers) -> None:  # type: ignore[no-untyped-def]
    bulk_workers(450)
    page = _page(qtbot, context)
    select_data(page.status, None)  # active and inactive
    assert page.model.rowCount() == 200
    assert page.total_label.text() == "Workers: 450"

    def at_end() -> bool:
        page.table.scrollToBottom()
        return page.model.rowCount() == 450

    qtbot.waitUntil(at_end, timeout=5000)
    assert not page.model.canFetchMore(QModelIndex())
    assert page.model.index(449, 0).data() == "S0449"


def test_sorting_happens_in_sql(qtbot, context, bulk_workers) -> None:  # type: ignore[no-untyped-def]
    bulk_workers(450)
    page = _page(qtbot, context)
    assert page.model.index(0, 0).data() == "S0000"
    page.table.sortByColumn(_column("hire_date"), Qt.SortOrder.DescendingOrder)  # header click
    assert page.model.sort_key() == ("hire_date", True)
    # the newest hire of all 338 active workers comes first, not the newest of a loaded page
    assert page.model.index(0, 0).data() == "S0449"
    select_data(page.status, False)  # sorting survives a filter change
    assert page.model.index(0, 0).data() == "S0447"  # the last inactive one
    page.table.sortByColumn(_column("job_category"), Qt.SortOrder.AscendingOrder)
    jobs = [page.model.row_at(r).job_category for r in range(page.model.rowCount())]
    assert len(jobs) == 112 and jobs == sorted(jobs) and jobs[0] == "cleaner"


def test_filters_narrow_the_sql_query(qtbot, context, departments, bulk_workers) -> None:  # type: ignore[no-untyped-def]
    bulk_workers(450)
    page = _page(qtbot, context)
    assert page.total_label.text() == "Workers: 338"
    select_data(page.status, False)
    assert page.total_label.text() == "Workers: 112"
    assert {page.model.row_at(r).active for r in range(page.model.rowCount())} == {False}
    select_data(page.status, None)
    select_data(page.department, departments["LAB"])
    assert page.total_label.text() == "Workers: 225"
    assert set(_texts(page.model, "department")) == {"Clinical laboratory"}
    select_data(page.job_category, "midwife")
    assert page.total_label.text() == "Workers: 45"
    assert set(_texts(page.model, "job_category")) == {"Midwife"}
    select_data(page.employment_type, "agency")
    assert page.model.filters == WorkerFilter(
        department_id=departments["LAB"],
        job_category="midwife",
        employment_type="agency",
        active=None,
    )
    assert page.total_label.text() == "Workers: 15"


def test_search_as_you_type_waits_for_a_pause(qtbot, context, bulk_workers) -> None:  # type: ignore[no-untyped-def]
    bulk_workers(450)
    page = _page(qtbot, context)
    select_data(page.status, None)
    with qtbot.waitSignal(page.search_timer.timeout, timeout=2000):
        qtbot.keyClicks(page.search, "Worker 012")
        assert page.model.rowCount() == 200  # nothing asked yet while typing
        assert page.search_timer.isActive()
    assert page.total_label.text() == "Workers: 10"
    assert _texts(page.model, "staff_no") == [f"S{i:04d}" for i in range(120, 130)]
    page.focus_search()
    with qtbot.waitSignal(page.search_timer.timeout, timeout=2000):
        qtbot.keyClicks(page.search, "s044")  # by staff number, case-insensitive
    assert _texts(page.model, "staff_no") == [f"S{i:04d}" for i in range(440, 450)]


def test_viewer_sees_masked_names_and_no_edit_actions(qtbot, make_context, bulk_workers) -> None:  # type: ignore[no-untyped-def]
    bulk_workers(20)
    context = make_context(Role.VIEWER)
    page = _page(qtbot, context)
    assert page.model.rowCount() == 15
    assert set(_texts(page.model, "name")) == {HIDDEN}
    assert set(_texts(page.model, "staff_no")) == {HIDDEN}
    for button in (page.new_button, page.edit_button, page.active_button, page.import_button):
        assert not button.isVisible()
    page.new_item()
    page.table.selectRow(0)
    page.edit_selected()
    assert page.worker_dialog is None
    assert StaffPage.visible_for(context.actor)
    assert not StaffPage.visible_for(make_context(Role.REPORTER).actor)


def test_new_worker_from_ctrl_n_appears_selected(qtbot, context, departments) -> None:  # type: ignore[no-untyped-def]
    page = _page(qtbot, context)
    page.new_item()
    dialog = page.worker_dialog
    assert isinstance(dialog, WorkerDialog) and dialog.isVisible()
    qtbot.keyClicks(dialog.staff_no, "N100")
    qtbot.keyClicks(dialog.name, "Chen Jing")
    assert page.has_unsaved_changes()
    with qtbot.waitSignal(page.workers_changed):
        qtbot.keyClick(dialog.name, Qt.Key.Key_Return)
    assert page.total_label.text() == "Workers: 1"
    assert page.selected_row() is not None and page.selected_row().staff_no == "N100"


def test_enter_edits_and_deactivate_asks_first(qtbot, make_context, bulk_workers) -> None:  # type: ignore[no-untyped-def]
    bulk_workers(5)
    context = make_context(answers=[False, True])
    page = _page(qtbot, context)
    page.table.setFocus()
    page.table.selectRow(1)
    qtbot.keyClick(page.table, Qt.Key.Key_Return)
    assert page.worker_dialog is not None
    assert page.worker_dialog.to_info().staff_no == "S0001"
    page.worker_dialog.reject()

    assert page.active_button.text() == "Mark as left"
    page.active_button.click()  # answered No
    assert "S0001" in context.ask.asked[0]
    assert page.total_label.text() == "Workers: 4"
    page.active_button.click()  # answered Yes
    assert page.total_label.text() == "Workers: 3"
    with context.database.session() as session:
        assert get_worker(session, context.actor, page.model.row_at(0).id).active
        ids = [page.model.row_at(r).staff_no for r in range(page.model.rowCount())]
    assert "S0001" not in ids


def test_language_switch_retranslates(qtbot, context, bulk_workers) -> None:  # type: ignore[no-untyped-def]
    from hospital_osh import i18n

    bulk_workers(3)
    page = _page(qtbot, context)
    i18n.set_language("zh_CN")
    page.retranslate()
    assert page.model.headerData(1, Qt.Orientation.Horizontal) == "姓名"
    assert page.model.index(0, _column("department")).data() == "重症医学科"
    assert page.import_button.text() != "Import roster…"
