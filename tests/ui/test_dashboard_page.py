"""The dashboard page: first after login, figures filled in from the task runner without blocking
the GUI thread, every click-through opening the right filtered list (tiles, bars, the matrix,
alerts), what each role sees, and both languages."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtWidgets import QApplication, QScrollArea

from hospital_osh.domain.roles import Role
from hospital_osh.services import actions, dashboard, exposures, hazards
from hospital_osh.services.context import Actor
from hospital_osh.services.database import Database
from hospital_osh.services.exposures import ExposureFilter
from hospital_osh.services.hospital import list_departments
from hospital_osh.ui.context import AppContext
from hospital_osh.ui.dialogs.ask import ScriptedAsker
from hospital_osh.ui.language import apply_language
from hospital_osh.ui.main_window import MainWindow
from hospital_osh.ui.pages.dashboard_page import DashboardPage
from hospital_osh.ui.pages.exposures_page import CUSTOM_PERIOD
from hospital_osh.ui.tasks import TaskRunner
from tests.ui.conftest import actor_of
from tests.ui.helpers import untranslated

NOW = dt.datetime(2026, 3, 10, 15, 0)
"""The hospital's clock in these tests (local time), so that periods and windows are fixed."""


def _fill(database: Database) -> dict[str, object]:
    """Three suture-needle injuries of nurse S0001 in the ICU, 2, 26 and 50 hours before NOW
    (each in the PEP window without a decision; together a cluster), an orange hazard in the ED
    (likelihood 3, severity 4) and one proposed action item."""
    admin = actor_of(database, "admin")
    now = NOW
    with database.transaction() as session:
        departments = {d.code: d.id for d in list_departments(session)}
        worker = exposures.find_workers(session, admin, "S0001")[0].id
        ids = []
        for hours in (2, 26, 50):
            occurred = now - dt.timedelta(hours=hours)
            saved = exposures.record_exposure(
                session,
                admin,
                exposures.ExposureInfo(
                    worker_id=worker,
                    occurred_at=occurred,
                    reported_at=occurred + dt.timedelta(minutes=30),
                    department_id=departments["ICU"],
                    exposure_type="percutaneous",
                    device_type="suture_needle",
                    source_identified="no",
                ),
                now=now,
            )
            ids.append(saved.exposure.id)
        hazards.create_hazard(
            session,
            admin,
            hazards.HazardInfo(
                department_id=departments["ED"],
                activity="Suturing",
                category="biological",
                potential_harm="Needle-stick",
                owner="Dr Han",
                assessed_on=now.date() - dt.timedelta(days=2),
                initial_likelihood=3,
                initial_severity=4,
            ),
        )
        actions.create_action(
            session,
            admin,
            actions.ActionInfo(
                title="Safety suture needles",
                owner_name="Head nurse",
                due_date=now.date() + dt.timedelta(days=30),
            ),
        )
    return {"ids": ids, "icu": departments["ICU"], "today": now.date()}


@pytest.fixture
def filled(hospital_db: Database, monkeypatch: pytest.MonkeyPatch) -> dict[str, object]:
    monkeypatch.setattr(dashboard, "local_now", lambda _session, _now=None: NOW)
    return _fill(hospital_db)


def _dashboard(window: MainWindow) -> DashboardPage:
    page = window.pages["dashboard"]
    assert isinstance(page, DashboardPage)
    return page


def _settle() -> None:
    QApplication.processEvents()


# -- the page ---------------------------------------------------------------------------------


def test_the_dashboard_is_the_first_page_after_login(qtbot, make_window, filled) -> None:  # type: ignore[no-untyped-def]
    for user in ("admin", "officer", "viewer"):
        window = make_window(user)
        assert window.page_keys()[0] == "dashboard"
        assert window.current_key() == "dashboard"
        page = _dashboard(window)
        assert page.data is not None  # the synchronous runner delivered the figures
        assert page.tile("exposures").value_text() == "3"
        window.close()


def test_figures_arrive_without_blocking_the_gui_thread(
    qtbot, hospital_db, filled, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    release = threading.Event()
    real = dashboard.build_dashboard
    started = threading.Event()

    def slow(*args, **kwargs):  # type: ignore[no-untyped-def]
        started.set()
        assert release.wait(10)
        return real(*args, **kwargs)

    monkeypatch.setattr(dashboard, "build_dashboard", slow)
    runner = TaskRunner()  # real worker threads
    context = AppContext(hospital_db, actor_of(hospital_db, "admin"), runner, ScriptedAsker())
    try:
        page = DashboardPage(context)
        qtbot.addWidget(page)
        page.show()
        # The page is built and shown while the job still waits in its worker thread.
        assert started.wait(5)
        assert page.data is None
        assert page.tile("exposures").value_text() == "…"
        assert page.status_label.text() == "Reading the figures…"
        generation = page._generation
        page.activated()  # the window shows the page it has just built: no second read
        assert page._generation == generation
        with qtbot.waitSignal(page.loaded, timeout=10_000):
            release.set()
        assert page.tile("exposures").value_text() == "3"
        assert page.status_label.text().startswith("Updated")
        assert page.tile("hbv_immunity").value_text() == "0%"  # five staff, no records
    finally:
        release.set()
        runner.shutdown()


def test_tiles_show_values_and_changes(qtbot, make_window, filled) -> None:  # type: ignore[no-untyped-def]
    page = _dashboard(make_window("admin"))
    assert page.period_label.text() == (
        "1 Mar 2026 – 10 Mar 2026, compared with 1 Feb 2026 – 10 Feb 2026"
    )
    assert page.tile("exposures").value_text() == "3"
    assert page.tile("exposures").change_text() == "None in the previous period"
    assert page.tile("exposures").change_label.styleSheet() == "color: #b42318;"  # worse
    assert page.tile("high_risk_hazards").value_text() == "1"
    assert page.tile("followups_overdue").change_text() == "Now"
    assert page.tile("median_hours_to_report").value_text() == "0.5"
    page.set_period("year")
    assert page.kind == "year" and page.data is not None and page.data.period.kind == "year"
    assert page.data.period.start == dt.date(2026, 1, 1)  # type: ignore[union-attr]


def _immune_since_march(database: Database) -> None:
    """S0001 completed a series in 2025 and had anti-HBs 50 on 2 March 2026: one of the five
    staff is immune on NOW (10 March), none at the end of the previous month's span (10 Feb)."""
    from hospital_osh.services import immunisation as im

    admin = actor_of(database, "admin")
    with database.transaction() as session:
        worker = exposures.find_workers(session, admin, "S0001")[0].id
        for number, day in ((1, "2025-01-06"), (2, "2025-02-05"), (3, "2025-07-05")):
            dose = im.DoseInput(dt.date.fromisoformat(day), number)
            im.record_dose(session, admin, worker, dose, today=NOW.date())
        result = im.SerologyInput("anti_hbs", dt.date(2026, 3, 2), value=50.0)
        im.record_serology(session, admin, worker, result, today=NOW.date())


@pytest.mark.parametrize(
    ("language", "change", "note", "tooltip"),
    [
        (
            "en",
            "▲ 20.0 points on the previous period",
            "1 of 5 active staff with documented immunity",
            "At the end of the previous period (10 Feb 2026): 0%",
        ),
        (
            "zh_CN",
            "较上期 ▲ 20.0 个百分点",
            "5 名在职职工中 1 名有免疫记录",
            "上期末（2026年2月10日）：0%",
        ),
    ],
)
def test_the_immunity_tile_shows_its_change(  # type: ignore[no-untyped-def]
    qtbot, make_window, hospital_db, filled, language, change, note, tooltip
) -> None:
    _immune_since_march(hospital_db)
    apply_language(language)
    tile = _dashboard(make_window("admin")).tile("hbv_immunity")
    assert tile.value_text() == "20%"
    assert tile.change_text() == change
    assert tile.change_label.styleSheet() == "color: #067647;"  # better
    assert tile.note_label.text() == note
    assert tile.toolTip() == tooltip
    assert not tile.clickable  # an aggregate of health data: no list behind it


# -- click-through ----------------------------------------------------------------------------


def test_a_tile_opens_the_period_s_exposures(qtbot, make_window, filled) -> None:  # type: ignore[no-untyped-def]
    window = make_window("admin")
    page = _dashboard(window)
    period = page.data.period  # type: ignore[union-attr]
    qtbot.mouseClick(page.tile("exposures"), Qt.MouseButton.LeftButton)
    assert window.current_key() == "exposures"
    target = window.pages["exposures"]
    assert target.filters() == ExposureFilter(start=period.start, end=period.end)  # type: ignore[attr-defined]
    assert target.period.currentData() == CUSTOM_PERIOD  # type: ignore[attr-defined]
    assert target.model.rowCount() == 3  # type: ignore[attr-defined]


def test_keyboard_opens_a_tile_too(qtbot, make_window, filled) -> None:  # type: ignore[no-untyped-def]
    window = make_window("admin")
    tile = _dashboard(window).tile("hazard_reviews_overdue")
    tile.setFocus()
    qtbot.keyClick(tile, Qt.Key.Key_Return)
    assert window.current_key() == "hazards"
    assert window.pages["hazards"].filters().review == "overdue"  # type: ignore[attr-defined]


def test_clicking_a_bar_opens_its_filtered_list(qtbot, make_window, filled) -> None:  # type: ignore[no-untyped-def]
    window = make_window("admin")
    window.resize(1280, 800)
    page = _dashboard(window)
    chart = page.job_chart
    page.findChild(QScrollArea).ensureWidgetVisible(chart)
    _settle()
    # A real click in the middle of the nurse bar (the only one).
    (bar_set,) = chart.sets
    point = chart.chart().mapToPosition(QPointF(bar_set.at(0) / 2, 0), chart.series)
    position = chart.mapFromScene(point)
    qtbot.mouseClick(chart.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(position))
    assert window.current_key() == "exposures"
    period = page.data.period  # type: ignore[union-attr]
    assert window.pages["exposures"].filters() == ExposureFilter(  # type: ignore[attr-defined]
        start=period.start, end=period.end, job_category="nurse"
    )


def test_the_trend_opens_the_month_and_type(qtbot, make_window, filled) -> None:  # type: ignore[no-untyped-def]
    window = make_window("admin")
    page = _dashboard(window)
    months = page.data.trend_months  # type: ignore[union-attr]
    assert page.trend_chart.click_segment("percutaneous", len(months) - 1)
    first = months[-1]
    following = dt.date(first.year + first.month // 12, first.month % 12 + 1, 1)
    assert window.pages["exposures"].filters() == ExposureFilter(  # type: ignore[attr-defined]
        start=first, end=following - dt.timedelta(days=1), exposure_type="percutaneous"
    )


def test_device_followup_and_action_bars(qtbot, make_window, filled) -> None:  # type: ignore[no-untyped-def]
    window = make_window("admin")
    page = _dashboard(window)
    assert page.device_chart.click_bar("suture_needle")
    filters = window.pages["exposures"].filters()  # type: ignore[attr-defined]
    assert (filters.exposure_type, filters.device_type) == ("percutaneous", "suture_needle")
    window.show_page("dashboard")
    assert page.followup_chart.click_bar("due_week")
    assert window.current_key() == "followups"
    assert window.pages["followups"].filters().scope == "due_week"  # type: ignore[attr-defined]
    window.show_page("dashboard")
    assert page.action_chart.click_bar("proposed")
    assert window.current_key() == "actions"
    assert window.pages["actions"].filters().statuses == ("proposed",)  # type: ignore[attr-defined]
    assert window.pages["actions"].model.rowCount() == 1  # type: ignore[attr-defined]


def test_a_matrix_cell_opens_the_register_at_that_cell(qtbot, make_window, filled) -> None:  # type: ignore[no-untyped-def]
    window = make_window("admin")
    page = _dashboard(window)
    assert page.matrix_widget.count((3, 4)) == 1
    qtbot.mouseClick(page.matrix_widget.cells[(3, 4)], Qt.MouseButton.LeftButton)
    assert window.current_key() == "hazards"
    target = window.pages["hazards"]
    assert target.filters().cell == (3, 4)  # type: ignore[attr-defined]
    assert target.model.rowCount() == 1  # type: ignore[attr-defined]
    assert page.matrix_widget.selected_cell() is None  # the dashboard's matrix stays clear


def test_an_alert_opens_its_record(qtbot, make_window, filled) -> None:  # type: ignore[no-untyped-def]
    window = make_window("admin")
    page = _dashboard(window)
    alerts = page.data.alerts  # type: ignore[union-attr]
    newest = max(filled["ids"])  # type: ignore[type-var]
    index = next(i for i, a in enumerate(alerts) if a.link and a.link.record_id == newest)
    assert "no HIV PEP decision yet" in page.alerts.texts()[index]
    item = page.alerts.item(index)
    rect = page.alerts.visualItemRect(item)
    qtbot.mouseClick(page.alerts.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert window.current_key() == "exposures"
    target = window.pages["exposures"]
    assert target.selected_row().id == newest  # type: ignore[attr-defined]
    dialog = target.exposure_dialog  # type: ignore[attr-defined]
    assert dialog is not None and dialog.isVisible()
    dialog.reject()


def test_the_cluster_alert_opens_its_injuries(qtbot, make_window, filled) -> None:  # type: ignore[no-untyped-def]
    window = make_window("admin")
    page = _dashboard(window)
    index = next(i for i, a in enumerate(page.data.alerts) if a.kind == "cluster")  # type: ignore[union-attr]
    assert page.alerts.texts()[index].startswith("Cluster: 3 injuries with Suture needle")
    assert page.alerts.activate(index)
    filters = window.pages["exposures"].filters()  # type: ignore[attr-defined]
    assert (filters.department_id, filters.device_type) == (filled["icu"], "suture_needle")
    assert window.pages["exposures"].model.rowCount() == 3  # type: ignore[attr-defined]


# -- roles ------------------------------------------------------------------------------------


def test_a_viewer_sees_counts_and_cannot_open_follow_ups(qtbot, make_window, filled) -> None:  # type: ignore[no-untyped-def]
    window = make_window("viewer")
    page = _dashboard(window)
    assert "followups" not in window.page_keys()
    texts = page.alerts.texts()
    assert not any("EXP-" in text for text in texts)
    assert any(text.endswith(": 3") and "PEP" in text for text in texts)
    assert not page.tile("followups_overdue").clickable
    assert page.tile("exposures").clickable
    assert not page.followup_chart.click_bar("overdue")
    assert window.current_key() == "dashboard"


def test_a_reporter_sees_its_reports_and_can_file_one(
    qtbot, hospital_db, filled, sync_runner
) -> None:  # type: ignore[no-untyped-def]
    # A reporter under the name that filed the fixtures' records: they are its own reports.
    reporter = Actor(username="admin", role=Role.REPORTER)
    context = AppContext(hospital_db, reporter, sync_runner, ScriptedAsker())
    page = DashboardPage(context)
    qtbot.addWidget(page)
    assert page.reports is not None and len(page.reports) == 3
    assert not hasattr(page, "tiles")  # no hospital figures
    assert set(page.reporter.open_buttons) == set(filled["ids"])  # type: ignore[arg-type]
    requests: list[tuple[str, object]] = []
    page.navigate_requested.connect(lambda key, then: requests.append((key, then)))
    qtbot.mouseClick(page.reporter.new_button, Qt.MouseButton.LeftButton)
    assert [key for key, _then in requests] == ["exposures"]


def test_a_reporter_s_window_opens_the_quick_report(
    qtbot, hospital_db, filled, sync_runner, temp_settings
) -> None:  # type: ignore[no-untyped-def]
    context = AppContext(hospital_db, Actor(username="admin", role=Role.REPORTER), sync_runner)
    reporter_window = MainWindow(context, temp_settings, hospital_name="Test", idle_minutes=0)
    qtbot.addWidget(reporter_window)
    reporter_window.show()
    page = _dashboard(reporter_window)
    assert page.new_report()
    assert reporter_window.current_key() == "exposures"
    dialog = reporter_window.pages["exposures"].quick_dialog  # type: ignore[attr-defined]
    assert dialog is not None and dialog.isVisible()
    dialog.reject()


# -- languages --------------------------------------------------------------------------------


@pytest.mark.parametrize("switch_at_run_time", [False, True], ids=["built", "switched"])
def test_chinese_shows_no_english(qtbot, make_window, filled, switch_at_run_time) -> None:  # type: ignore[no-untyped-def]
    if not switch_at_run_time:
        apply_language("zh_CN")
    window = make_window("admin")
    window.resize(1280, 800)
    if switch_at_run_time:
        window.switch_language("zh_CN", persist=False)
    _settle()
    page = _dashboard(window)
    assert untranslated(window) == []
    assert page.tile("exposures").title_label.text() == "暴露例数"
    assert page.period_buttons["month"].text() == "本月"
    assert any(text.startswith("聚集：") for text in page.alerts.texts())
    chart_texts = [page.job_chart.chart().title(), page.trend_chart.chart().title()]
    assert chart_texts == ["按岗位类别分的暴露", "近 24 个月各类暴露月度例数"]
    assert page.job_chart.category_labels() == ["护士  3"]
