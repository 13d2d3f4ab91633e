"""The worker's immunisation panel: the derived hepatitis B status with its reason, doses and
results added through the forms (bad values refused beside the field, input kept), removal
with a reason, the staff page's button for roles that may see serostatus, and Chinese."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import QDate
from PySide6.QtWidgets import QApplication

from hospital_osh.domain.roles import Role
from hospital_osh.services import immunisation
from hospital_osh.services.context import Actor
from hospital_osh.ui.context import AppContext
from hospital_osh.ui.dialogs import reason_dialog
from hospital_osh.ui.dialogs.immunisation_dialog import ImmunisationDialog
from hospital_osh.ui.language import apply_language
from hospital_osh.ui.pages.staff_page import StaffPage
from hospital_osh.ui.widgets.code_combo import select_data
from hospital_osh.ui.widgets.immunisation_panel import ImmunisationPanel
from tests.ui.fixtures_post_exposure import *  # noqa: F403 - fixtures
from tests.ui.fixtures_post_exposure import ADMIN, make_responder
from tests.ui.helpers import untranslated

TODAY = dt.date(2026, 3, 20)
OFFICER = Actor(username="officer", role=Role.OSH_OFFICER)


@pytest.fixture
def panel(qtbot, hospital_db, sync_runner, place):  # type: ignore[no-untyped-def]
    def make(actor: Actor = OFFICER) -> ImmunisationPanel:
        widget = ImmunisationPanel(AppContext(hospital_db, actor, sync_runner), today=TODAY)
        qtbot.addWidget(widget)
        widget.resize(900, 560)
        widget.set_worker(place["S0001"])
        widget.show()
        return widget

    return make


def add_dose(widget: ImmunisationPanel, day: str, number: int) -> bool:
    widget.given_on.setDate(QDate(dt.date.fromisoformat(day)))
    widget.dose_number.setValue(number)
    return widget.add_dose()


def test_an_empty_record_is_unvaccinated(panel) -> None:  # type: ignore[no-untyped-def]
    widget = panel()
    assert "Unvaccinated or incompletely vaccinated" in widget.status_text()
    assert "HBsAg: not tested" in widget.status_text()
    assert widget.doses.rowCount() == 0 and widget.results.rowCount() == 0


def test_doses_and_anti_hbs_make_a_documented_responder(panel, hospital_db, place) -> None:  # type: ignore[no-untyped-def]
    widget = panel()
    assert add_dose(widget, "2019-01-10", 1)
    assert add_dose(widget, "2019-02-10", 2)
    assert add_dose(widget, "2019-07-10", 3)
    assert widget.doses.rowCount() == 3
    assert widget.doses.item(2, 2).text() == "3 of 3"
    assert "Vaccinated, response unknown" in widget.status_text()
    # the same dose twice is refused beside the field
    assert not add_dose(widget, "2019-07-11", 3)
    assert widget.dose_form.errors()
    # anti-HBs: negative, absurd and non-numbers are refused; the typed value stays
    select_data(widget.test, "anti_hbs")
    assert widget.value.isVisibleTo(widget) and not widget.result.isVisibleTo(widget)
    widget.tested_on.setDate(QDate(2019, 9, 1))
    for typed in ("-3", "250000", "many"):
        widget.value.setText(typed)
        assert not widget.add_result(), typed
        assert widget.result_form.error_text("value"), typed
        assert widget.value.text() == typed
    widget.value.setText("120")
    assert widget.add_result()
    assert "Documented responder" in widget.status_text()
    assert "Latest anti-HBs: 120.0 mIU/mL on 2019-09-01." in widget.status_text()
    assert widget.results.item(0, 2).text() == "120.0 mIU/mL"
    with hospital_db.session() as session:
        status = immunisation.status_for(session, place["S0001"])
    assert status.status == "responder"


def test_baseline_results_and_removal_with_a_reason(panel, hospital_db, place, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    make_responder(hospital_db, place["S0001"])
    widget = panel()
    select_data(widget.test, "anti_hcv")
    assert widget.result.isVisibleTo(widget)
    assert not widget.add_result()
    assert widget.result_form.error_text("result")
    select_data(widget.result, "negative")
    assert widget.add_result()
    assert "Anti-HCV: Negative" in widget.status_text()
    asked: list[str] = []

    def answer(parent, title, question, **options):  # type: ignore[no-untyped-def]
        asked.append(question)
        return reason_dialog.ReasonAnswer("Entered for the wrong worker", None)

    monkeypatch.setattr(reason_dialog, "ask_reason", answer)
    widget.doses.selectRow(0)
    assert widget.remove_selected_dose()
    assert asked and "2019-01-10" in asked[0]
    assert widget.doses.rowCount() == 2
    assert "Documented responder" not in widget.status_text()


def test_read_only_without_manage_post_exposure(panel, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from hospital_osh.domain import roles

    permissions = dict(roles.ROLE_PERMISSIONS)
    permissions[Role.VIEWER] = permissions[Role.VIEWER] | {roles.Permission.VIEW_SEROSTATUS}
    monkeypatch.setattr(roles, "ROLE_PERMISSIONS", permissions)
    widget = panel(Actor(username="viewer", role=Role.VIEWER))
    assert not widget.editable
    assert not widget.add_dose_button.isVisibleTo(widget)
    assert not widget.given_on.isVisibleTo(widget)
    assert "Unvaccinated" in widget.status_text()


def test_staff_page_opens_it_for_roles_that_may_see_serostatus(
    qtbot, hospital_db, sync_runner
) -> None:  # type: ignore[no-untyped-def]
    viewer = StaffPage(AppContext(hospital_db, Actor("viewer", Role.VIEWER), sync_runner))
    qtbot.addWidget(viewer)
    assert not viewer.immunisation_button.isVisibleTo(viewer)
    viewer.table.selectRow(0)
    assert viewer.open_immunisation() is None
    page = StaffPage(AppContext(hospital_db, OFFICER, sync_runner))
    qtbot.addWidget(page)
    page.show()
    assert page.immunisation_button.isVisibleTo(page)
    assert not page.immunisation_button.isEnabled()
    page.table.selectRow(0)
    assert page.immunisation_button.isEnabled()
    dialog = page.open_immunisation()
    assert isinstance(dialog, ImmunisationDialog)
    row = page.selected_row()
    assert row is not None and dialog.panel.worker_id == row.id
    assert row.staff_no in dialog.windowTitle()
    dialog.close()


@pytest.mark.parametrize("switch_at_run_time", [False, True], ids=["built", "switched"])
def test_in_chinese(panel, hospital_db, place, switch_at_run_time) -> None:  # type: ignore[no-untyped-def]
    make_responder(hospital_db, place["S0001"])
    if not switch_at_run_time:
        apply_language("zh_CN")
    widget = panel(ADMIN)
    if switch_at_run_time:
        apply_language("zh_CN")
        widget.retranslate()
    QApplication.processEvents()
    leaks = untranslated(widget)
    assert leaks == [], "untranslated strings:\n" + "\n".join(leaks)
