"""The settings page: sections per role, forms that answer beside their fields, the staffing
grid, users, language switching, and backup / restore / integrity check through the runner."""

from __future__ import annotations

from pathlib import Path

import pytest

from hospital_osh import i18n
from hospital_osh.domain.roles import Role
from hospital_osh.services.hospital import (
    HospitalProfile,
    get_profile,
    get_staffing,
    list_departments,
    save_profile,
)
from hospital_osh.services.settings import get_setting
from hospital_osh.services.users import get_user, list_users
from hospital_osh.ui.dialogs.user_dialog import UserDialog
from hospital_osh.ui.pages.settings_page import SettingsPage
from hospital_osh.ui.widgets.code_combo import select_data
from hospital_osh.ui.widgets.settings_database import DatabaseSettings
from hospital_osh.ui.widgets.settings_staffing import StaffingSettings
from tests.ui.fixtures_staff import *  # noqa: F403 - pytest fixtures
from tests.ui.fixtures_staff import ADMIN_ACTOR

PROFILE = HospitalProfile(
    name_zh="第一人民医院",
    name_en="First People's Hospital",
    facility_code="F-001",
    province="江苏",
    city="南京",
    grade="tertiary_a",
)


def _page(qtbot, context) -> SettingsPage:  # type: ignore[no-untyped-def]
    page = SettingsPage(context)
    qtbot.addWidget(page)
    page.resize(1280, 800)
    page.show()
    qtbot.waitExposed(page)
    return page


@pytest.fixture
def profile(database, context) -> None:  # type: ignore[no-untyped-def]
    with database.transaction() as session:
        save_profile(session, context.actor, PROFILE)


@pytest.mark.parametrize(
    ("role", "sections"),
    [
        (
            Role.ADMIN,
            [
                "profile",
                "departments",
                "local_codes",
                "staffing",
                "users",
                "general",
                "protocol_offsets",
                "database",
                "language",
            ],
        ),
        (Role.OSH_OFFICER, ["protocol_offsets", "database", "language"]),
        (Role.VIEWER, ["language"]),
        (Role.REPORTER, ["language"]),
    ],
)
def test_each_role_sees_what_it_may_use(qtbot, make_context, role, sections) -> None:  # type: ignore[no-untyped-def]
    page = _page(qtbot, make_context(role))
    assert list(page.sections) == sections
    assert page.list.count() == len(sections)
    assert SettingsPage.visible_for(make_context(role).actor)


def test_profile_save_shows_the_error_beside_the_field(qtbot, context, profile) -> None:  # type: ignore[no-untyped-def]
    page = _page(qtbot, context)
    section = page.show_section("profile")
    assert section.name_en.text() == PROFILE.name_en
    section.facility_code.clear()
    section.city.setText("苏州")
    assert page.has_unsaved_changes()
    section.save_button.click()
    assert section.form.error_text("facility_code") == "Enter the facility code."
    assert section.facility_code.property("invalid") is True
    assert section.city.text() == "苏州"  # the input is kept
    section.time_zone.setCurrentText("Mars/Olympus")
    section.facility_code.setText("F-002")
    section.save_button.click()
    assert "Mars/Olympus" in section.form.error_text("time_zone")
    assert section.form.error_text("facility_code") == ""
    section.time_zone.setCurrentText("Asia/Urumqi")
    select_data(section.grade, "secondary")
    section.save_button.click()
    assert section.status.text() == "The hospital profile was saved."
    assert not page.has_unsaved_changes()
    with context.database.session() as session:
        stored = get_profile(session)
    assert stored is not None
    assert (stored.facility_code, stored.city, stored.time_zone, stored.grade) == (
        "F-002",
        "苏州",
        "Asia/Urumqi",
        "secondary",
    )


def test_departments_add_and_deactivate(qtbot, make_context) -> None:  # type: ignore[no-untyped-def]
    context = make_context(answers=[True])
    page = _page(qtbot, context)
    section = page.show_section("departments")
    dialog = section.add()
    dialog.save()
    assert dialog.form.error_text("code") == "Enter a department code."
    qtbot.keyClicks(dialog.code, "ICU")
    dialog.name_zh.setText("重症医学科")
    select_data(dialog.type, "icu")
    dialog.save()
    assert section.table.rowCount() == 1
    assert section.table.item(0, 3).text() == "Intensive care unit"
    assert section.selected() is not None and section.selected().code == "ICU"
    section.active_button.click()
    assert context.ask.asked and "重症医学科" in context.ask.asked[0]
    assert section.table.item(0, 4).text() == "Inactive"
    with context.database.session() as session:
        assert [d.active for d in list_departments(session)] == [False]


def test_staffing_grid_totals_and_saves(qtbot, context) -> None:  # type: ignore[no-untyped-def]
    page = _page(qtbot, context)
    section = page.show_section("staffing")
    assert isinstance(section, StaffingSettings)
    section.year.setValue(2025)
    section.beds.setValue(812.5)
    section.cells[("nurse", "female")].setValue(320)
    section.cells[("nurse", "male")].setValue(14.5)
    section.cells[("doctor", "male")].setValue(100)
    nurse_row, total_col = 1, 3
    assert section.grid.item(nurse_row, total_col).text() == "334.5"
    assert section.grid.item(section.grid.rowCount() - 1, total_col).text() == "434.5"
    assert section.grid.item(section.grid.rowCount() - 1, 1).text() == "114.5"  # male column
    assert section.save()
    assert "434.5 FTE" in section.status.text()
    with context.database.session() as session:
        stored = get_staffing(session, 2025)
    assert stored is not None and stored.total_fte == 434.5 and stored.occupied_beds == 812.5
    assert stored.fte[("nurse", "male")] == 14.5
    section.year.setValue(2024)  # nothing unsaved: no question, an empty year
    assert section.grid.item(section.grid.rowCount() - 1, total_col).text() == "0.0"
    section.year.setValue(2025)
    assert section.cells[("doctor", "male")].value() == 100


def test_staffing_asks_before_dropping_typed_figures(qtbot, make_context) -> None:  # type: ignore[no-untyped-def]
    context = make_context(answers=[False])
    page = _page(qtbot, context)
    section = page.show_section("staffing")
    section.year.setValue(2025)
    section.cells[("cleaner", "female")].setValue(12)
    section.year.setValue(2024)
    assert context.ask.asked  # asked, and answered "keep editing"
    assert section.year.value() == 2025 and section.cells[("cleaner", "female")].value() == 12


def test_add_user_with_short_password_says_so_beside_the_field(qtbot, context) -> None:  # type: ignore[no-untyped-def]
    page = _page(qtbot, context)
    section = page.show_section("users")
    dialog = section.add()
    assert isinstance(dialog, UserDialog)
    qtbot.keyClicks(dialog.username, "li.na")
    dialog.display_name.setText("李娜")
    qtbot.keyClicks(dialog.password, "short")
    qtbot.keyClicks(dialog.confirm, "short")
    assert dialog.save() is False
    assert dialog.form.error_text("password") == "The password must have at least 10 characters."
    assert dialog.username.text() == "li.na"
    dialog.password.setText("a long enough one")
    dialog.confirm.setText("a long enough one!")
    assert dialog.save() is False
    assert "differ" in dialog.form.error_text("confirm")
    dialog.confirm.setText("a long enough one")
    select_data(dialog.role, Role.VIEWER)
    assert dialog.save() is True
    assert [u.username for u in section.rows] == ["li.na"]
    assert section.table.item(0, 2).text() == "Viewer"


def test_user_lock_disable_and_role(qtbot, make_context, admin_account) -> None:  # type: ignore[no-untyped-def]
    from hospital_osh.services.users import create_user

    context = make_context(answers=[True, True])
    with context.database.transaction() as session:
        create_user(
            session,
            context.actor,
            username="wang",
            display_name="王医生",
            role=Role.OSH_OFFICER,
            password="a long enough one",
        )
    page = _page(qtbot, context)
    section = page.show_section("users")
    section.table.selectRow(1)
    assert section.selected().username == "wang"
    section.lock_button.click()
    assert section.table.item(1, 3).text() == "Locked"
    assert section.lock_button.text() == "Unlock"
    section.lock_button.click()  # unlocking needs no question
    section.active_button.click()
    assert section.table.item(1, 3).text() == "Disabled"
    dialog = section.edit_selected()
    select_data(dialog.role, Role.VIEWER)
    assert dialog.save()
    with context.database.session() as session:
        wang = get_user(session, "wang")
        assert (wang.role, wang.active, wang.locked_until) == (Role.VIEWER, False, None)
        assert len(list_users(session, context.actor)) == 2
    section.table.selectRow(0)  # the last administrator cannot be disabled
    section.active_button.click()
    assert "last administrator" in context.ask.messages[-1]


def test_general_settings_validate_beside_the_field(qtbot, context) -> None:  # type: ignore[no-untyped-def]
    page = _page(qtbot, context)
    section = page.show_section("general")
    section.edits["backup_keep"].setText("0")
    section.edits["session_timeout_minutes"].setText("30")
    assert not section.save()
    assert "1 to 365" in section.form.error_text("backup_keep")
    section.edits["backup_keep"].setText("20")
    assert section.save()
    with context.database.session() as session:
        assert get_setting(session, "backup_keep") == "20"
        assert get_setting(session, "session_timeout_minutes") == "30"


def test_language_switch_retranslates_and_is_remembered(qtbot, context, admin_account) -> None:  # type: ignore[no-untyped-def]
    page = _page(qtbot, context)
    section = page.show_section("language")
    assert page.list.item(0).text() == "Hospital profile"
    with qtbot.waitSignal(page.language_changed) as changed:
        section.buttons["zh_CN"].click()
    assert changed.args == ["zh_CN"] and i18n.current_language() == "zh_CN"
    assert page.list.item(0).text() == "医院概况"
    assert page.section("profile").save_button.text() == "保存概况"
    assert page.section("database").backup_button.text() == "立即备份"
    assert section.status.text() == "下次登录时将沿用您的选择。"
    with context.database.session() as session:
        assert get_user(session, "admin").language == "zh_CN"
    section.buttons["en"].click()
    assert page.list.item(0).text() == "Hospital profile"


def _sqlite_only(context) -> None:  # type: ignore[no-untyped-def]
    if not context.database.is_sqlite:
        pytest.skip("file backups are SQLite's; PostgreSQL: test_shared_database_...")


def test_backup_now_writes_a_file(qtbot, context) -> None:  # type: ignore[no-untyped-def]
    _sqlite_only(context)
    page = _page(qtbot, context)
    section = page.show_section("database")
    assert isinstance(section, DatabaseSettings)
    assert section.location.text() == str(context.database.path)
    with qtbot.waitSignal(section.task_finished, timeout=10_000):
        section.backup_button.click()
        assert section.progress.isVisible() and not section.backup_button.isEnabled()
    assert section.last_backup is not None and section.last_backup.is_file()
    assert section.last_backup.parent == context.database.path.parent / "backups"
    assert str(section.last_backup) in section.result.text()
    assert section.backup_button.isEnabled()


def test_integrity_check_reports(qtbot, context) -> None:  # type: ignore[no-untyped-def]
    page = _page(qtbot, context)
    section = page.show_section("database")
    with qtbot.waitSignal(section.task_finished, timeout=10_000):
        section.check_button.click()
    assert section.last_check is not None and section.last_check.ok
    assert section.result.text().startswith("No problems found. Audit trail intact")


def test_restore_asks_then_replaces_and_announces(qtbot, make_context, profile) -> None:  # type: ignore[no-untyped-def]
    context = make_context(answers=[False, True])
    _sqlite_only(context)
    page = _page(qtbot, context)
    section = page.show_section("database")
    with qtbot.waitSignal(section.task_finished, timeout=10_000):
        section.backup_now()
    backup: Path = section.last_backup
    with context.database.transaction() as session:  # a change after the backup
        save_profile(
            session, context.actor, PROFILE.__class__(**{**PROFILE.values(), "city": "苏州"})
        )
    assert section.restore_from(backup) is None  # answered No: nothing happens
    with qtbot.waitSignal(page.database_replaced, timeout=10_000) as replaced:
        section.restore_from(backup)
    assert replaced.args == [context.database.path]
    assert "restored from" in context.ask.messages[-1]
    assert list(context.database.path.parent.glob("osh.replaced-*.sqlite"))
    with context.database.session() as session:
        stored = get_profile(session)
    assert stored is not None and stored.city == "南京"  # the backup's content


def test_backup_and_restore_follow_the_backend(qtbot, context, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """SQLite: the application copies the file. PostgreSQL: the server's administrator does;
    the section says so, the two buttons are off and the calls do nothing."""
    page = _page(qtbot, context)
    section = page.show_section("database")
    assert isinstance(section, DatabaseSettings)
    sqlite = context.database.is_sqlite
    assert section.file_backups is sqlite
    assert section.server_notice.isVisible() is not sqlite
    assert section.backup_button.isEnabled() is sqlite
    assert section.restore_button.isEnabled() is sqlite
    if not sqlite:
        assert "PostgreSQL" in section.server_notice.text()
        assert "pg_dump" in section.server_notice.text()
        assert section.backup_now() is None
        assert section.restore_from(tmp_path / "any.sqlite") is None
        assert context.ask.asked == []  # not even the question
        assert not section.busy
    with qtbot.waitSignal(section.task_finished, timeout=10_000):  # the check works on both
        section.check_button.click()
    assert section.last_check is not None and section.last_check.ok


def test_shared_database_notice_is_translated(qtbot, sync_runner) -> None:  # type: ignore[no-untyped-def]
    """Without a PostgreSQL server at hand: a Database on a PostgreSQL URL never connects
    until used, which is enough for the section's look."""
    from hospital_osh.services.database import Database, resolve_url
    from hospital_osh.ui.context import AppContext
    from hospital_osh.ui.dialogs.ask import ScriptedAsker
    from hospital_osh.ui.language import apply_language

    shared = Database(resolve_url("postgresql+psycopg://osh@127.0.0.1:1/never_opened"))
    try:
        context = AppContext(shared, ADMIN_ACTOR, sync_runner, ScriptedAsker())
        apply_language("zh_CN")
        section = DatabaseSettings(context)
        qtbot.addWidget(section)
        section.show()
        assert section.server_notice.isVisible()
        assert not section.backup_button.isEnabled() and not section.restore_button.isEnabled()
        assert "PostgreSQL" in section.server_notice.text()
        assert "shared PostgreSQL database" not in section.server_notice.text()  # translated
        assert section.backup_hint.text() != "Not available for a shared database."
        assert section.backup_now() is None
    finally:
        shared.dispose()
