"""Settings › Local code entries: add, edit labels, deactivate; the exposure forms offer them."""

from __future__ import annotations

from hospital_osh.domain.roles import Role
from hospital_osh.services import audit
from hospital_osh.services.local_codes import entries, list_local_codes
from hospital_osh.ui.dialogs.quick_report_dialog import QuickReportDialog
from hospital_osh.ui.pages.settings_page import SettingsPage
from hospital_osh.ui.widgets.code_combo import select_data
from hospital_osh.ui.widgets.settings_local_codes import LocalCodeSettings
from tests.ui.fixtures_exposures import *  # noqa: F403 - pytest fixtures

_PAGES: list[SettingsPage] = []  # the section lives in its page: keep the page alive


def _section(qtbot, context) -> LocalCodeSettings:  # type: ignore[no-untyped-def]
    page = SettingsPage(context)
    _PAGES[:] = [page]
    qtbot.addWidget(page)
    page.resize(1060, 720)
    page.show()
    section = page.show_section(LocalCodeSettings.key)
    assert isinstance(section, LocalCodeSettings)
    return section


def test_add_edit_and_deactivate_a_local_device(qtbot, exposure_context) -> None:  # type: ignore[no-untyped-def]
    context = exposure_context(Role.ADMIN, "admin", answers=[True])
    section = _section(qtbot, context)
    assert section.table.rowCount() == 0
    select_data(section.list_name, "device_type")
    qtbot.keyClicks(section.code, "pen_needle")
    qtbot.keyClicks(section.label_en, "Pen needle")
    section.label_zh.setText("胰岛素笔用针头")
    assert section.save()
    assert section.table.rowCount() == 1 and section.selected().code == "pen_needle"
    assert section.code.isReadOnly()  # the code is stored in records: fixed once added

    # the quick report offers it at once
    dialog = QuickReportDialog(context)
    qtbot.addWidget(dialog)
    assert select_data(dialog.device_type, "pen_needle")
    assert dialog.device_type.currentText() == "Pen needle"

    section.label_en.setText("Insulin pen needle")
    assert section.save()
    assert section.table.item(0, 3).text() == "Insulin pen needle"

    section.toggle_selected_active()  # answered Yes
    assert "胰岛素笔用针头" in context.ask.asked[0]  # the question names the entry
    with context.database.session() as session:
        assert [e.active for e in list_local_codes(session)] == [False]
        assert "pen_needle" not in [e.code for e in entries(session, "device_type")]
        actions = [
            e.action
            for e in audit.list_events(session, context.actor, audit.AuditFilter())
            if e.entity == "local_code"
        ]
    assert sorted(actions) == ["create", "deactivate", "update"]
    assert section.table.item(0, 4).text() == "Inactive"
    assert section.active_button.text() == "Reactivate"


def test_bad_input_is_refused_at_the_field_and_kept(qtbot, exposure_context) -> None:  # type: ignore[no-untyped-def]
    section = _section(qtbot, exposure_context(Role.ADMIN, "admin"))
    select_data(section.list_name, "device_brand")
    section.code.setText("Bad Code")
    section.label_en.setText("BD")
    assert not section.save()
    assert section.form.error_text("code").startswith("Use 2 to 40 lower-case letters")
    assert section.code.text() == "Bad Code" and section.label_en.text() == "BD"
    section.code.setText("bd_insyte")
    section.label_en.setText("")
    assert not section.save()
    assert section.form.error_text("label_zh") == "Enter a label (Chinese or English)."
    section.label_en.setText("BD Insyte")
    assert section.save()
    section.start_new()
    select_data(section.list_name, "device_brand")
    section.code.setText("bd_insyte")
    section.label_en.setText("Again")
    assert not section.save()
    assert "already in this list" in section.form.error_text("code")


def test_only_roles_that_manage_the_hospital_see_the_section(qtbot, exposure_context) -> None:  # type: ignore[no-untyped-def]
    assert LocalCodeSettings.visible_for(exposure_context(Role.ADMIN).actor)
    for role in (Role.OSH_OFFICER, Role.VIEWER, Role.REPORTER, Role.COMMITTEE_MEMBER):
        assert not LocalCodeSettings.visible_for(exposure_context(role).actor)
