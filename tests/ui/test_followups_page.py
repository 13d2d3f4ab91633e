"""The follow-ups page: the SQL-paged model (qtmodeltester), the tabs (overdue, due this week,
upcoming, open, all) and the test filter, masking for roles without identities or serostatus,
one-click result entry with its messages, opening the case on its post-exposure tab, and the
overdue count in the window's sidebar."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import QApplication

from hospital_osh.domain import roles
from hospital_osh.domain.roles import Permission, Role
from hospital_osh.services import followups
from hospital_osh.services.context import Actor
from hospital_osh.services.followups import FollowupFilter
from hospital_osh.ui.context import AppContext
from hospital_osh.ui.itemmodels.followup_table_model import FollowupTableModel
from hospital_osh.ui.language import apply_language
from hospital_osh.ui.pages.followups_page import FollowupsPage
from hospital_osh.ui.widgets.code_combo import select_data
from tests.ui.fixtures_post_exposure import *  # noqa: F403 - fixtures
from tests.ui.fixtures_post_exposure import ADMIN, assess
from tests.ui.helpers import untranslated

# D0 = 9 March 2026; on 20 March the day-0 items are overdue, the visit of 12 March too, the
# 3-week items are due this week and the later ones upcoming.
TODAY = dt.date(2026, 3, 20)


@pytest.fixture
def case(hospital_db, add_exposure) -> int:  # type: ignore[no-untyped-def]
    exposure_id = add_exposure(source_hiv="positive")
    assess(hospital_db, exposure_id)
    return exposure_id


def counts(database) -> followups.FollowupCounts:  # type: ignore[no-untyped-def]
    with database.session() as session:
        return followups.counts(session, ADMIN, today=TODAY)


@pytest.fixture
def page(qtbot, hospital_db, sync_runner):  # type: ignore[no-untyped-def]
    def make(actor: Actor = ADMIN) -> FollowupsPage:
        widget = FollowupsPage(AppContext(hospital_db, actor, sync_runner), today=lambda: TODAY)
        qtbot.addWidget(widget)
        widget.resize(1060, 640)
        widget.show()
        widget.activated()  # as the main window does when it shows the page
        return widget

    return make


def column(page: FollowupsPage, key: str) -> list[str]:
    keys = [k for k, _label in page.model.COLUMNS]
    index = keys.index(key)
    return [page.model.index(r, index).data() for r in range(page.model.rowCount())]


def test_model_passes_modeltester(qtmodeltester, hospital_db, case) -> None:  # type: ignore[no-untyped-def]
    model = FollowupTableModel(
        hospital_db, ADMIN, FollowupFilter(scope="all"), today=lambda: TODAY, page_size=5
    )
    model.refresh()
    assert model.rowCount() == 5 and model.canFetchMore(model.index(-1, -1))
    qtmodeltester.check(model)
    while model.canFetchMore(model.index(-1, -1)):
        model.fetchMore(model.index(-1, -1))
    qtmodeltester.check(model)
    with hospital_db.session() as session:
        total = followups.count_followups(session, ADMIN, FollowupFilter(scope="all"), today=TODAY)
    assert model.rowCount() == total > 5


def test_tabs_filter_by_urgency(page, hospital_db, case) -> None:  # type: ignore[no-untyped-def]
    expected = counts(hospital_db)
    assert expected.overdue and expected.due_week and expected.upcoming
    widget = page()
    assert widget.filters().scope == "overdue"  # the most urgent first
    assert widget.tabs.tabText(0) == f"Overdue ({expected.overdue})"
    assert widget.tabs.tabText(1) == f"Due this week ({expected.due_week})"
    assert widget.tabs.tabText(2) == f"Upcoming ({expected.upcoming})"
    assert widget.model.rowCount() == expected.overdue
    assert all(s.startswith("Overdue, ") and s.endswith(" days") for s in column(widget, "status"))
    assert set(column(widget, "exposure_ref")) == {column(widget, "exposure_ref")[0]}
    assert set(column(widget, "worker")) == {"职工1"}
    widget.set_scope("due_week")
    assert widget.model.rowCount() == expected.due_week
    assert set(column(widget, "status")) <= {"Due", "Planned"}
    widget.set_scope("upcoming")
    assert widget.model.rowCount() == expected.upcoming
    assert set(column(widget, "status")) == {"Planned"}
    dues = [dt.date.fromisoformat(d) for d in column(widget, "due_date")]
    assert min(dues) > TODAY
    widget.set_scope("open")
    assert widget.total_label.text() == (
        f"Items: {expected.overdue + expected.due_week + expected.upcoming}"
    )
    select_data(widget.test_filter, "hiv_ag_ab")
    assert set(column(widget, "item")) == {"HIV antigen/antibody"}
    assert widget.model.rowCount() == 5  # baseline; 4, 8, 12 weeks and 6 months (China 2004)


def test_result_entry_in_one_click(page, hospital_db, case, qtbot) -> None:  # type: ignore[no-untyped-def]
    widget = page()
    before = counts(hospital_db).overdue
    widget.table.selectRow(column(widget, "item").index("Anti-HBs"))
    assert widget.result_button.isEnabled()
    dialog = widget.enter_result()
    assert dialog is not None
    assert dialog.value.isVisibleTo(dialog) and not dialog.result.isVisibleTo(dialog)
    assert "Anti-HBs for case EXP-" in dialog.summary.text()
    # a date before the exposure and a negative value are refused; the input stays
    dialog.done_date.setDate(QDate(2026, 3, 1))
    dialog.value.setText("-5")
    assert not dialog.save()
    assert dialog.form.error_text("done_date")
    assert dialog.form.error_text("value") == "The value cannot be negative."
    assert dialog.value.text() == "-5"
    dialog.value.setText("abc")
    assert not dialog.save()
    assert dialog.form.error_text("value") == "Enter a number, e.g. 125 or 12.5."
    dialog.done_date.setDate(QDate(2026, 3, 10))
    dialog.value.setText("8,5")
    with qtbot.waitSignal(widget.badge_changed):
        assert dialog.save()
    assert counts(hospital_db).overdue == before - 1
    assert widget.tabs.tabText(0) == f"Overdue ({before - 1})"
    widget.set_scope("all")
    index = column(widget, "item").index("Anti-HBs")
    assert column(widget, "status")[index] == "Done"
    assert column(widget, "result")[index] == "8.5 mIU/mL"


def test_positive_result_says_seroconversion(page, hospital_db, case) -> None:  # type: ignore[no-untyped-def]
    widget = page()
    widget.set_scope("upcoming")
    select_data(widget.test_filter, "hiv_ag_ab")
    widget.table.selectRow(0)
    dialog = widget.enter_result()
    assert dialog is not None and dialog.result.isVisibleTo(dialog)
    assert not dialog.save()
    assert dialog.form.error_text("result") == (
        "Choose the result: positive, negative or indeterminate."
    )
    select_data(dialog.result, "positive")
    dialog.done_date.setDate(QDate(2026, 3, 19))
    assert dialog.save()
    assert "seroconversion to HIV" in widget.last_message
    assert widget.message.isVisibleTo(widget)


def test_missed_and_reschedule(page, hospital_db, case) -> None:  # type: ignore[no-untyped-def]
    widget = page()
    before = widget.model.rowCount()
    widget.table.selectRow(0)
    dialog = widget.close_item()
    assert dialog is not None and dialog.state.currentData() == "missed"
    assert not dialog.save()
    dialog.reason.setPlainText("Worker did not come; phoned twice")
    assert dialog.save()
    assert widget.model.rowCount() == before - 1
    widget.table.selectRow(0)
    row = widget.selected_row()
    assert row is not None
    moved = widget.change_date()
    assert moved is not None
    moved.due_date.setDate(QDate(TODAY + dt.timedelta(days=2)))
    moved.window_end.setDate(QDate(TODAY + dt.timedelta(days=5)))
    moved.reason.setPlainText("Rebooked")
    assert moved.save(), moved.form.errors()
    assert widget.model.rowCount() == before - 2  # no longer overdue


def test_open_case_shows_the_post_exposure_tab(page, case) -> None:  # type: ignore[no-untyped-def]
    widget = page()
    widget.table.selectRow(0)
    dialog = widget.open_case()
    assert dialog is not None and dialog.post_exposure is not None
    assert dialog.tabs.currentWidget() is dialog.post_exposure
    assert dialog.post_exposure.exposure_id == case
    dialog.close()


def test_masking_for_a_role_without_identities_or_serostatus(
    page, hospital_db, case, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    with hospital_db.transaction() as session:
        first = followups.list_followups(
            session, ADMIN, FollowupFilter(scope="overdue"), today=TODAY
        )[0]
        followups.enter_result(
            session, ADMIN, first.id, followups.ResultEntry(TODAY, value=120.0), today=TODAY
        )
    permissions = dict(roles.ROLE_PERMISSIONS)
    permissions[Role.VIEWER] = permissions[Role.VIEWER] | {Permission.VIEW_FOLLOWUPS}
    monkeypatch.setattr(roles, "ROLE_PERMISSIONS", permissions)
    viewer = Actor(username="viewer", role=Role.VIEWER)
    assert FollowupsPage.visible_for(viewer)
    assert not FollowupsPage.visible_for(Actor(username="r", role=Role.REPORTER))
    widget = page(viewer)
    assert set(column(widget, "worker")) == {"•••"}
    assert set(column(widget, "staff_no")) == {"•••"}
    assert widget.masked_note.text() == "Names and test results are hidden for your role."
    assert widget.masked_note.isVisibleTo(widget)
    for button in (widget.result_button, widget.date_button, widget.close_button):
        assert not button.isVisibleTo(widget)
    widget.set_scope("all")
    results = column(widget, "result")
    assert "hidden" in results and not any("mIU/mL" in r for r in results)
    assert widget.enter_result() is None


def test_overdue_count_in_the_sidebar(make_window, hospital_db, case, qtbot) -> None:  # type: ignore[no-untyped-def]
    with hospital_db.session() as session:
        overdue = followups.overdue_count(session, ADMIN)  # today where the hospital is
    assert overdue > 0
    window = make_window("admin")
    row = window.page_keys().index("followups")
    assert window.sidebar.item(row).text() == f"Follow-ups ({overdue})"
    assert window.badge_count("followups") == overdue
    page = window.show_page("followups")
    assert isinstance(page, FollowupsPage)
    page._today = None  # the real date, as in the sidebar
    page.refresh()
    page.table.selectRow(0)
    dialog = page.enter_result()
    assert dialog is not None
    if dialog.result.isVisibleTo(dialog):
        select_data(dialog.result, "negative")
    dialog.value.setText("50")
    with qtbot.waitSignal(page.badge_changed):
        assert dialog.save(), dialog.form.errors()
    assert window.sidebar.item(row).text() == f"Follow-ups ({overdue - 1})"
    viewer = make_window("viewer")
    assert "followups" not in viewer.page_keys()


def test_empty_list_and_no_badge(make_window) -> None:  # type: ignore[no-untyped-def]
    window = make_window("admin")
    row = window.page_keys().index("followups")
    assert window.sidebar.item(row).text() == "Follow-ups"
    page = window.show_page("followups")
    assert isinstance(page, FollowupsPage)
    assert page.model.rowCount() == 0 and page.tabs.tabText(0) == "Overdue"
    assert not page.result_button.isEnabled()
    assert page.tour_views() == []


@pytest.mark.parametrize("switch_at_run_time", [False, True], ids=["built", "switched"])
def test_page_and_dialogs_in_chinese(page, case, qtbot, switch_at_run_time) -> None:  # type: ignore[no-untyped-def]
    if not switch_at_run_time:
        apply_language("zh_CN")
    widget = page()
    if switch_at_run_time:
        apply_language("zh_CN")
        widget.retranslate()
    QApplication.processEvents()
    leaks = untranslated(widget)
    widget.table.selectRow(0)
    for opener in (widget.enter_result, widget.change_date, widget.close_item):
        dialog = opener()
        assert dialog is not None
        QApplication.processEvents()
        leaks += [f"[{type(dialog).__name__}] {leak}" for leak in untranslated(dialog)]
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, False)
        dialog.reject()
    assert widget.tabs.tabText(0).startswith("逾期")
    assert leaks == [], "untranslated strings:\n" + "\n".join(leaks)
