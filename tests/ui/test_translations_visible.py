"""In Chinese, no visible text is an English source string that has a translation: every page
of the registry (so pages added later are covered too), their tour views and the main dialogs,
built in Chinese and also switched to Chinese at run time (which tests ``retranslate``)."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QApplication, QWidget

from hospital_osh.ui.dialogs.login_dialog import LoginDialog
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
