"""In Chinese, no visible text is an English source string that has a translation: every page
of the registry (so pages added later are covered too), their tour views and the main dialogs,
built in Chinese and also switched to Chinese at run time (which tests ``retranslate``)."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QApplication, QWidget

from hospital_osh.ui.context import AppContext
from hospital_osh.ui.dialogs.exposure_dialog import ExposureDialog
from hospital_osh.ui.dialogs.login_dialog import LoginDialog
from hospital_osh.ui.dialogs.quick_report_dialog import QuickReportDialog
from hospital_osh.ui.dialogs.setup_wizard import STEP_TITLES, SetupWizard
from hospital_osh.ui.language import apply_language
from hospital_osh.ui.main_window import MainWindow
from hospital_osh.ui.pages import PAGE_CLASSES
from tests.ui.conftest import actor_of
from tests.ui.helpers import translated_msgids, untranslated, visible_texts


def _settle() -> None:
    QApplication.processEvents()


def _window_leaks(qtbot, window: MainWindow) -> list[str]:  # type: ignore[no-untyped-def]
    leaks = untranslated(window)
    for key in window.page_keys():
        page = window.show_page(key)
        _settle()
        leaks += [f"[{key}] {leak}" for leak in untranslated(window)]
        for name, view in page.tour_views():
            qtbot.addWidget(view)
            view.show()
            _settle()
            leaks += [f"[{key}/{name}] {leak}" for leak in untranslated(view)]
            view.close()
    return leaks


def test_the_catalogue_has_translations_to_check_against() -> None:
    sources = translated_msgids()
    assert {"&File", "Audit log", "Log in", "Verify chain"} <= sources


def test_every_page_built_in_chinese_shows_no_english(qtbot, make_window) -> None:  # type: ignore[no-untyped-def]
    apply_language("zh_CN")
    window = make_window("admin")
    window.resize(1280, 800)
    assert set(window.page_keys()) == {cls.key for cls in PAGE_CLASSES}  # admin sees all
    leaks = _window_leaks(qtbot, window)
    assert leaks == [], "untranslated strings:\n" + "\n".join(leaks)


def test_every_page_switched_to_chinese_shows_no_english(qtbot, make_window) -> None:  # type: ignore[no-untyped-def]
    window = make_window("admin")
    window.resize(1280, 800)
    for key in window.page_keys():  # create every page in English first
        window.show_page(key)
    window.switch_language("zh_CN", persist=False)
    _settle()
    leaks = _window_leaks(qtbot, window)
    assert leaks == [], "not retranslated:\n" + "\n".join(leaks)


def _dialogs(hospital_db, sync_runner) -> list[tuple[str, QWidget]]:  # type: ignore[no-untyped-def]
    window_less: list[tuple[str, QWidget]] = [
        ("login", LoginDialog(hospital_db, sync_runner, hospital_name="医院")),
        (
            "locked",
            LoginDialog(
                hospital_db,
                sync_runner,
                locked_user=actor_of(hospital_db, "admin"),
                idle_minutes=15,
            ),
        ),
    ]
    # The exposure dialogs (the page's tour views cover them too; here they are also switched
    # to Chinese at run time, which tests their retranslate()).
    officer = AppContext(hospital_db, actor_of(hospital_db, "officer"), sync_runner)
    window_less += [
        ("quick_report", QuickReportDialog(officer)),
        ("exposure_record", ExposureDialog(officer)),
    ]
    return window_less


@pytest.mark.parametrize("switch_at_run_time", [False, True], ids=["built", "switched"])
def test_dialogs_show_no_english(
    qtbot, hospital_db, sync_runner, make_window, switch_at_run_time
) -> None:  # type: ignore[no-untyped-def]
    if not switch_at_run_time:
        apply_language("zh_CN")
    window = make_window("admin")
    dialogs = _dialogs(hospital_db, sync_runner)
    wizard = SetupWizard(None, sync_runner)
    about = window.about_box()
    for _name, dialog in [*dialogs, ("wizard", wizard), ("about", about)]:
        qtbot.addWidget(dialog)
    if switch_at_run_time:
        window.switch_language("zh_CN", persist=False)
        for _name, dialog in dialogs:
            dialog.retranslate()  # type: ignore[attr-defined]
        wizard.retranslate()
        about = window.about_box()
        qtbot.addWidget(about)
    leaks: list[str] = []
    for name, dialog in [*dialogs, ("about", about)]:
        dialog.show()
        _settle()
        leaks += [f"[{name}] {leak}" for leak in untranslated(dialog)]
    wizard.show()
    for step, title in enumerate(STEP_TITLES):
        wizard.go_to(step)
        _settle()
        leaks += [f"[wizard {title}] {leak}" for leak in untranslated(wizard)]
    assert leaks == [], "untranslated strings:\n" + "\n".join(leaks)


def test_the_checker_does_find_a_leak(qtbot, make_window) -> None:  # type: ignore[no-untyped-def]
    """Guard against a helper that silently sees nothing."""
    apply_language("zh_CN")
    window = make_window("admin")
    texts = [text for _where, text in visible_texts(window)]
    assert "文件(&F)" in texts and "审计日志" in texts
    window.file_menu.setTitle("&File")  # as if retranslate() had forgotten it
    window.page_title.setText("Audit log")
    leaks = untranslated(window)
    assert any("'&File'" in leak for leak in leaks)
    assert any("'Audit log'" in leak for leak in leaks)


@pytest.mark.parametrize("switch_at_run_time", [False, True], ids=["built", "switched"])
def test_hazard_dialog_tabs_show_no_english(
    qtbot, hospital_db, sync_runner, make_ui_context, switch_at_run_time
) -> None:  # type: ignore[no-untyped-def]
    """The hazard dialog on a saved hazard (acceptance, trigger, further controls, history),
    every tab, in Chinese."""
    import datetime as dt

    from hospital_osh.services import hazards
    from hospital_osh.services.hospital import list_departments
    from hospital_osh.ui.dialogs.hazard_dialog import HazardDialog

    context = make_ui_context("admin")
    with hospital_db.transaction() as session:
        department = list_departments(session)[0].id
        saved = hazards.create_hazard(
            session,
            context.actor,
            hazards.HazardInfo(
                department_id=department,
                activity="任务",
                category="chemical",
                statutory_factor_code="chem.formaldehyde",
                potential_harm="伤害",
                owner="主任",
                assessed_on=dt.date.today(),
                initial_likelihood=4,
                initial_severity=4,
                residual_likelihood=3,
                residual_severity=4,
                controls=(hazards.ControlInfo("手套", "ppe"),),
            ),
        ).hazard
    if not switch_at_run_time:
        apply_language("zh_CN")
    dialog = HazardDialog(context)
    qtbot.addWidget(dialog)
    dialog.load(saved)
    if switch_at_run_time:
        apply_language("zh_CN")
        dialog.retranslate()
    dialog.show()
    leaks: list[str] = []
    for tab in range(dialog.tabs.count()):
        dialog.tabs.setCurrentIndex(tab)
        _settle()
        leaks += [f"[tab {tab}] {leak}" for leak in untranslated(dialog)]
    assert dialog.warning_text()  # the warning is among the checked texts
    assert leaks == [], "untranslated strings:\n" + "\n".join(leaks)


@pytest.mark.parametrize("switch_at_run_time", [False, True], ids=["built", "switched"])
def test_round_action_and_committee_views_show_no_english(
    qtbot, hospital_db, make_ui_context, switch_at_run_time
) -> None:  # type: ignore[no-untyped-def]
    """A HealthWISE round with its plan (every tab), an action item with its log (every tab) and
    the committee page with items to review, in Chinese."""
    from hospital_osh.services import committee, healthwise
    from hospital_osh.services.committee import MeetingInfo
    from hospital_osh.ui.dialogs.action_dialog import ActionDialog
    from hospital_osh.ui.dialogs.round_dialog import RoundDialog
    from hospital_osh.ui.pages.committee_page import CommitteePage
    from tests.ui.fixtures_actions import TODAY, make_item, prioritised_round

    context = make_ui_context("admin")
    info = prioritised_round(hospital_db, {"HW-M1-02": True})
    assert info.id is not None
    with hospital_db.transaction() as session:
        healthwise.create_actions_from_priorities(session, context.actor, info.id)
        committee.create_meeting(session, context.actor, MeetingInfo(held_on=TODAY, place="301"))
    item = make_item(hospital_db, "done")
    if not switch_at_run_time:
        apply_language("zh_CN")
    window = RoundDialog(context, info.id)
    action = ActionDialog(context)
    page = CommitteePage(context)
    for widget in (window, action, page):
        qtbot.addWidget(widget)
    page.activated()
    from hospital_osh.services import actions

    with hospital_db.session() as session:
        action.load(actions.get_action(session, context.actor, item))
    if switch_at_run_time:
        apply_language("zh_CN")
        for widget in (window, action, page):
            widget.retranslate()
    leaks: list[str] = []
    for name, view, tabs in (
        ("round", window, window.tabs),
        ("action", action, action.tabs),
        ("committee", page, page.tabs),
    ):
        view.show()
        for tab in range(tabs.count()):
            tabs.setCurrentIndex(tab)
            _settle()
            leaks += [f"[{name} tab {tab}] {leak}" for leak in untranslated(view)]
    assert window.plan_table.rowCount() == 1 and action.updates.rowCount() == 5
    assert leaks == [], "untranslated strings:\n" + "\n".join(leaks)


@pytest.mark.parametrize("switch_at_run_time", [False, True], ids=["built", "switched"])
def test_followups_and_post_exposure_views_show_no_english(
    qtbot, hospital_db, make_window, switch_at_run_time
) -> None:  # type: ignore[no-untyped-def]
    """The follow-ups page with items, its tour views (result entry; the case on its
    post-exposure tab, every section of the decision panel) in Chinese."""
    import datetime as dt

    from sqlalchemy import select

    from hospital_osh.models import Department, Worker
    from hospital_osh.services import exposures
    from tests.ui.fixtures_post_exposure import ADMIN, assess, complete_sharps

    with hospital_db.transaction() as session:
        place = {code: id_ for code, id_ in session.execute(select(Department.code, Department.id))}
        place |= {no: id_ for no, id_ in session.execute(select(Worker.staff_no, Worker.id))}
        now = dt.datetime(2026, 3, 9, 12)
        info = complete_sharps(
            place, source_hiv="positive", china_grade="level_2", china_source_grade="mild"
        )
        saved = exposures.record_exposure(session, ADMIN, info, now=now)
        exposures.complete_exposure(session, ADMIN, saved.exposure, now=now)
    assert saved.exposure.id is not None
    assess(hospital_db, saved.exposure.id)
    if not switch_at_run_time:
        apply_language("zh_CN")
    window = make_window("admin")
    window.resize(1280, 800)
    page = window.show_page("followups")
    if switch_at_run_time:
        window.switch_language("zh_CN", persist=False)
    _settle()
    leaks = [f"[followups] {leak}" for leak in untranslated(window)]
    views = page.tour_views()
    assert [name for name, _view in views] == ["result_entry", "case"]
    for name, view in views:
        qtbot.addWidget(view)
        view.show()
        panel = getattr(view, "post_exposure", None)
        for index in range(panel.sections.count() if panel is not None else 1):
            if panel is not None:
                panel.sections.setCurrentIndex(index)
            _settle()
            leaks += [f"[{name} {index}] {leak}" for leak in untranslated(view)]
        view.close()
    assert leaks == [], "untranslated strings:\n" + "\n".join(leaks)
