"""The audit page: a lazily paged model that passes Qt's model tester, filters done in SQL, the
old -> new detail of an event, and a chain check that names the tampered event."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import QDate, QModelIndex
from sqlalchemy import text

from hospital_osh.domain.roles import Role
from hospital_osh.services import audit
from hospital_osh.services.audit import AuditFilter
from hospital_osh.services.context import Actor
from hospital_osh.services.database import Database
from hospital_osh.ui.context import AppContext
from hospital_osh.ui.itemmodels.audit_table_model import ACTION, USER, AuditTableModel
from hospital_osh.ui.pages.audit_page import AuditPage

ADMIN = Actor(username="admin", role=Role.ADMIN)


def _add_events(database: Database, count: int) -> None:
    """Many setting changes, as if an administrator had been busy."""
    with database.transaction() as session:
        for number in range(count):
            audit.record(
                session,
                ADMIN,
                "update",
                "setting",
                "backup_keep",
                {"backup_keep": [str(number), str(number + 1)]},
            )


EVERYTHING = AuditFilter()


def _fetch(database: Database, filters: AuditFilter = EVERYTHING):  # type: ignore[no-untyped-def]
    def fetch(offset: int, limit: int):  # type: ignore[no-untyped-def]
        with database.session() as session:
            return audit.list_events(session, ADMIN, filters, offset, limit)

    return fetch


def _count(database: Database, filters: AuditFilter = EVERYTHING) -> int:
    with database.session() as session:
        return audit.count_events(session, ADMIN, filters)


def _page(qtbot, context: AppContext) -> AuditPage:  # type: ignore[no-untyped-def]
    page = AuditPage(context)
    qtbot.addWidget(page)
    page.resize(1100, 700)
    page.show()
    page.activated()
    return page


@pytest.mark.parametrize("force_py", [False, True], ids=["qt-tester", "python-tester"])
def test_model_passes_the_model_tester(qtmodeltester, hospital_db, force_py) -> None:  # type: ignore[no-untyped-def]
    _add_events(hospital_db, 12)
    model = AuditTableModel(_fetch(hospital_db), page_size=5)
    qtmodeltester.check(model, force_py=force_py)  # stays connected: checks every later change
    while model.canFetchMore(QModelIndex()):
        model.fetchMore(QModelIndex())
    model.reload()
    model.fetchMore(QModelIndex())
    model.retranslate()
    model.set_fetch(_fetch(hospital_db, AuditFilter(entity="setting")))
    while model.canFetchMore(QModelIndex()):
        model.fetchMore(QModelIndex())
    assert model.rowCount() == 12


def test_model_pages_lazily_newest_first(hospital_db) -> None:  # type: ignore[no-untyped-def]
    _add_events(hospital_db, 30)
    total = _count(hospital_db)
    model = AuditTableModel(_fetch(hospital_db), page_size=10)
    assert model.rowCount() == 0 and model.canFetchMore(QModelIndex())
    model.fetchMore(QModelIndex())
    assert model.rowCount() == 10
    ids = [model.row_at(row).id for row in range(10)]
    assert ids == sorted(ids, reverse=True)
    while model.canFetchMore(QModelIndex()):
        model.fetchMore(QModelIndex())
    assert model.rowCount() == total
    assert len({model.row_at(row).id for row in range(total)}) == total


def test_scrolling_to_the_end_loads_every_row(qtbot, make_ui_context, hospital_db) -> None:  # type: ignore[no-untyped-def]
    _add_events(hospital_db, 450)
    total = _count(hospital_db)
    page = _page(qtbot, make_ui_context("admin"))
    assert page.model.rowCount() == 200 < total

    def scrolled_to_the_end() -> bool:
        page.view.scrollToBottom()
        return page.model.rowCount() == total

    qtbot.waitUntil(scrolled_to_the_end, timeout=5000)
    assert not page.model.canFetchMore(QModelIndex())
    assert page.count_label.text() == f"Showing {total:,} of {total:,} events"


def test_filters_run_in_sql(qtbot, make_ui_context, hospital_db) -> None:  # type: ignore[no-untyped-def]
    _add_events(hospital_db, 3)
    page = _page(qtbot, make_ui_context("admin"))
    users = [page.user_combo.itemData(i) for i in range(page.user_combo.count())]
    assert users[0] is None and "admin" in users
    actions = [page.action_combo.itemText(i) for i in range(page.action_combo.count())]
    assert "Changed" in actions and "Created" in actions  # labels, not codes

    page.entity_combo.setCurrentIndex(page.entity_combo.findData("setting"))
    assert page.model.rowCount() == 3
    assert {page.model.row_at(r).entity for r in range(3)} == {"setting"}

    page.action_combo.setCurrentIndex(page.action_combo.findData("create"))
    assert page.model.rowCount() == 0
    assert page.count_label.text() == "Showing 0 of 0 events"

    page.clear_filters()
    assert page.model.rowCount() == _count(hospital_db)
    assert page.model.index(0, ACTION).data() == "Changed"
    assert page.model.index(0, USER).data() == "admin"

    yesterday = dt.date.today() - dt.timedelta(days=1)
    page.to_edit.setDate(QDate(yesterday))
    assert page.model.rowCount() == 0
    page.to_edit.setDate(QDate(dt.date.today()))
    page.from_edit.setDate(QDate(dt.date.today()))
    assert page.model.rowCount() == _count(hospital_db)


def test_detail_pane_shows_old_and_new_values(qtbot, make_ui_context, hospital_db) -> None:  # type: ignore[no-untyped-def]
    _add_events(hospital_db, 1)
    page = _page(qtbot, make_ui_context("admin"))
    assert page.detail_title.text() == "No event selected"
    page.view.selectRow(0)
    newest = page.model.row_at(0)
    assert page.detail_title.text() == (f"Event {newest.id}: Changed — Setting backup_keep")
    cells = [[page.detail_table.item(0, column).text() for column in range(3)]]
    assert cells == [["backup_keep", "0", "1"]]
    headers = [page.detail_table.horizontalHeaderItem(c).text() for c in range(3)]
    assert headers == ["Field", "Before", "After"]


def test_verify_chain_shows_ok_in_green(qtbot, make_ui_context, hospital_db) -> None:  # type: ignore[no-untyped-def]
    page = _page(qtbot, make_ui_context("admin"))
    with qtbot.waitSignal(page.verified) as signal:
        page.verify_button.click()
    assert signal.args[0].ok
    assert page.result_label.property("role") == "ok"
    assert page.result_label.text().startswith("Audit trail intact")


def test_verify_chain_names_the_tampered_event_in_red(qtbot, make_ui_context, hospital_db) -> None:  # type: ignore[no-untyped-def]
    _add_events(hospital_db, 5)
    with hospital_db.engine.begin() as connection:
        victim = connection.execute(text("SELECT max(id) - 2 FROM audit_event")).scalar_one()
        connection.execute(
            text("UPDATE audit_event SET changes = :c WHERE id = :id"),
            {"c": '{"backup_keep": ["1", "365"]}', "id": victim},
        )
    page = _page(qtbot, make_ui_context("admin"))
    with qtbot.waitSignal(page.verified) as signal:
        page.verify_button.click()
    report = signal.args[0]
    assert not report.ok and report.bad_event_id == victim
    assert page.result_label.property("role") == "error"
    assert f"broken at event {victim}" in page.result_label.text()
    assert page.selected_row() is not None and page.selected_row().id == victim


def test_real_runner_verifies_off_the_gui_thread(qtbot, make_ui_context, hospital_db) -> None:  # type: ignore[no-untyped-def]
    from hospital_osh.ui.tasks import TaskRunner

    runner = TaskRunner()
    try:
        context = make_ui_context("admin")
        context.runner = runner
        page = _page(qtbot, context)
        with qtbot.waitSignal(page.verified, timeout=10000):
            page.verify_chain()
        assert page.result_label.property("role") == "ok"
    finally:
        runner.shutdown()


def test_only_roles_with_the_audit_permission_see_the_page(make_ui_context) -> None:  # type: ignore[no-untyped-def]
    assert AuditPage.visible_for(make_ui_context("admin").actor)
    assert AuditPage.visible_for(make_ui_context("officer").actor)
    assert not AuditPage.visible_for(make_ui_context("viewer").actor)


def test_retranslate_updates_headers_and_labels(qtbot, make_ui_context) -> None:  # type: ignore[no-untyped-def]
    from hospital_osh.ui.language import apply_language

    page = _page(qtbot, make_ui_context("admin"))
    apply_language("zh_CN")
    page.retranslate()
    assert page.model.headerData(0, page.view.horizontalHeader().orientation()) == "时间"
    assert page.verify_button.text() == "校验链"
    assert page.user_combo.itemText(0) == "全部"
