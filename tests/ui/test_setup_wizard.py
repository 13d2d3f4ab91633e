"""First-run setup: each step checks its fields (messages beside them, input kept); Finish saves
the profile, the departments and the first administrator in one transaction."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from sqlalchemy import func, select

from hospital_osh import i18n
from hospital_osh.domain.roles import Role
from hospital_osh.models import AuditEvent, Hospital
from hospital_osh.services import hospital, users
from hospital_osh.services.database import Database
from hospital_osh.services.hospital import HospitalProfile
from hospital_osh.ui.dialogs.setup_wizard import (
    ADMIN,
    DEPARTMENTS,
    LANGUAGE,
    PROFILE,
    AdminAccount,
    SetupWizard,
    _StepError,
    save_setup,
)
from hospital_osh.ui.tasks import TaskRunner

GOOD_PASSWORD = "a long enough secret"


def _wizard(qtbot, database: Database | None, runner: TaskRunner) -> SetupWizard:  # type: ignore[no-untyped-def]
    wizard = SetupWizard(database, runner)
    qtbot.addWidget(wizard)
    wizard.show()
    return wizard


def _fill_profile(wizard: SetupWizard) -> None:
    wizard.name_zh_edit.setText("第一人民医院")
    wizard.name_en_edit.setText("First People's Hospital")
    wizard.facility_code_edit.setText("330100-01")
    wizard.grade_combo.setCurrentIndex(wizard.grade_combo.findData("tertiary_a"))


def _fill_admin(wizard: SetupWizard, password: str = GOOD_PASSWORD) -> None:
    wizard.username_edit.setText("chief")
    wizard.display_name_edit.setText("Zhou Chief")
    wizard.password_edit.setText(password)
    wizard.password2_edit.setText(password)
    wizard.passphrase_edit.setText("kept on paper in the safe")
    wizard.passphrase2_edit.setText("kept on paper in the safe")


def test_setup_creates_profile_admin_and_departments_in_one_go(
    qtbot, database, sync_runner
) -> None:  # type: ignore[no-untyped-def]
    wizard = _wizard(qtbot, database, sync_runner)
    defaults = hospital.default_departments()
    _fill_profile(wizard)
    assert wizard.next() and wizard.current_step == ADMIN
    _fill_admin(wizard)
    assert wizard.next() and wizard.current_step == LANGUAGE
    wizard.language_buttons["en"].setChecked(True)
    assert wizard.next() and wizard.current_step == DEPARTMENTS
    assert wizard.departments_table.rowCount() == len(defaults)
    wizard.departments_table.selectRow(0)
    wizard.remove_departments()
    wizard.add_department()
    last = wizard.departments_table.rowCount() - 1
    wizard.departments_table.item(last, 0).setText("OHS")
    wizard.departments_table.item(last, 1).setText("职业健康科")
    with qtbot.waitSignal(wizard.accepted):
        qtbot.mouseClick(wizard.finish_button, Qt.MouseButton.LeftButton)

    assert wizard.actor is not None
    assert (wizard.actor.username, wizard.actor.role) == ("chief", Role.ADMIN)
    with database.session() as session:
        assert hospital.is_initialised(session)
        profile = hospital.get_profile(session)
        assert profile is not None and profile.facility_code == "330100-01"
        assert profile.grade == "tertiary_a"
        codes = [d.code for d in hospital.list_departments(session)]
        assert len(codes) == len(defaults)
        assert "OHS" in codes and defaults[0].code not in codes
        admin = users.get_user(session, "chief")
        assert (admin.role, admin.display_name, admin.language) == ("admin", "Zhou Chief", "en")
        actors = set(session.scalars(select(AuditEvent.actor)))
    assert actors == {"chief"}


def test_short_password_is_refused_beside_the_field_keeping_the_input(
    qtbot, database, sync_runner
) -> None:  # type: ignore[no-untyped-def]
    wizard = _wizard(qtbot, database, sync_runner)
    _fill_profile(wizard)
    wizard.next()
    _fill_admin(wizard, password="short")
    assert not wizard.next()
    assert wizard.current_step == ADMIN
    form = wizard._forms[ADMIN]
    assert form.error_text("password") == "The password must have at least 10 characters."
    assert form.label("password").isVisible()
    assert wizard.password_edit.text() == "short"
    assert wizard.username_edit.text() == "chief"
    assert wizard.password_edit.property("invalid") is True
    # fixing it clears the message and moves on
    wizard.password_edit.setText(GOOD_PASSWORD)
    wizard.password2_edit.setText("a different secret")
    assert not wizard.next()
    assert form.errors() == {"password2": "The two passwords differ."}
    wizard.password2_edit.setText(GOOD_PASSWORD)
    assert wizard.next() and form.errors() == {}


def test_profile_errors_come_from_the_service_and_show_beside_fields(
    qtbot, database, sync_runner
) -> None:  # type: ignore[no-untyped-def]
    wizard = _wizard(qtbot, database, sync_runner)
    wizard.time_zone_combo.setEditText("Mars/Olympus")
    assert not wizard.next() and wizard.current_step == PROFILE
    errors = wizard._forms[PROFILE].errors()
    assert errors["name_zh"] == "Enter the hospital's name (Chinese or English)."
    assert errors["facility_code"] == "Enter the facility code."
    assert errors["time_zone"] == "Unknown time zone 'Mars/Olympus'."


def test_duplicate_department_codes_are_refused(qtbot, database, sync_runner) -> None:  # type: ignore[no-untyped-def]
    wizard = _wizard(qtbot, database, sync_runner)
    wizard.departments_table.item(1, 0).setText(wizard.departments_table.item(0, 0).text())
    wizard.go_to(DEPARTMENTS)
    assert not wizard.check_step(DEPARTMENTS)
    assert "is also used in row 1" in wizard.banner_label.text()


def test_finish_with_an_incomplete_step_goes_back_to_it(qtbot, database, sync_runner) -> None:  # type: ignore[no-untyped-def]
    wizard = _wizard(qtbot, database, sync_runner)
    _fill_profile(wizard)
    wizard.go_to(DEPARTMENTS)
    wizard.finish()
    assert wizard.current_step == ADMIN and wizard.result() == 0
    with database.session() as session:
        assert not hospital.is_initialised(session)


def test_a_refused_step_rolls_back_everything(database) -> None:  # type: ignore[no-untyped-def]
    profile = HospitalProfile(name_zh="医院", facility_code="X1")
    account = AdminAccount("chief", "Chief", "short", "en")  # the service refuses it
    with pytest.raises(_StepError) as refused:
        save_setup(database, profile, account, hospital.default_departments())
    assert refused.value.step == ADMIN
    assert refused.value.fields == {"password": "The password must have at least 10 characters."}
    with database.session() as session:
        assert session.scalar(select(func.count()).select_from(Hospital)) == 0
        assert hospital.list_departments(session) == []
        assert session.scalar(select(func.count()).select_from(AuditEvent)) == 0


def test_choosing_chinese_retranslates_the_wizard_at_once(qtbot, database, sync_runner) -> None:  # type: ignore[no-untyped-def]
    wizard = _wizard(qtbot, database, sync_runner)
    assert wizard.next_button.text() == "Next"
    wizard.go_to(LANGUAGE)
    wizard.language_buttons["zh_CN"].setChecked(True)
    assert i18n.current_language() == "zh_CN"
    assert wizard.next_button.text() == "下一步"
    assert wizard.title_label.text() == "语言"
    assert wizard.language() == "zh_CN"


def test_cancel_asks_before_dropping_what_was_typed(qtbot, sync_runner) -> None:  # type: ignore[no-untyped-def]
    from hospital_osh.ui.dialogs.ask import ScriptedAsker
    from hospital_osh.ui.dialogs.setup_wizard import SetupWizard

    asker = ScriptedAsker([False, True])
    wizard = SetupWizard(None, sync_runner, ask=asker)
    qtbot.addWidget(wizard)
    wizard.show()
    wizard.reject()  # nothing typed: closes without a question
    assert not wizard.isVisible() and asker.asked == []
    wizard.show()
    wizard.name_zh_edit.setText("第一人民医院")
    wizard.reject()  # "discard?" - no
    assert wizard.isVisible() and wizard.name_zh_edit.text() == "第一人民医院"
    wizard.close()  # the close box: asked again - yes
    assert not wizard.isVisible() and len(asker.asked) == 2
