"""The decision-support panel: statuses in -> recommendation out (within a second), unverified
rows named with their source, the live PEP countdown on a fake clock, decisions recorded as
facts only when the clinician records them, the schedule with result entry and rescheduling,
the PEP course, closing refused while items are open, the seroconversion notification, who sees
the panel, the protocol setting, and every text in Chinese."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from PySide6.QtCore import QDate
from PySide6.QtWidgets import QApplication, QComboBox

from hospital_osh.domain.roles import Role
from hospital_osh.services import followups, settings
from hospital_osh.services import post_exposure as pe
from hospital_osh.services.context import Actor
from hospital_osh.services.exposures import get_exposure
from hospital_osh.ui.context import AppContext
from hospital_osh.ui.dialogs.exposure_dialog import ExposureDialog
from hospital_osh.ui.language import apply_language
from hospital_osh.ui.widgets.code_combo import select_data
from hospital_osh.ui.widgets.exposure_form import set_datetime
from hospital_osh.ui.widgets.post_exposure_panel import PostExposurePanel
from hospital_osh.ui.widgets.settings_general import GeneralSettings
from tests.ui.fixtures_post_exposure import *  # noqa: F403 - fixtures
from tests.ui.fixtures_post_exposure import ADMIN, OCCURRED, FakeClock, assess, make_responder
from tests.ui.helpers import untranslated

OFFICER = Actor(username="officer", role=Role.OSH_OFFICER)


@pytest.fixture
def panel(qtbot, hospital_db, sync_runner, clock):  # type: ignore[no-untyped-def]
    def make(actor: Actor = OFFICER) -> PostExposurePanel:
        widget = PostExposurePanel(AppContext(hospital_db, actor, sync_runner), now=clock)
        qtbot.addWidget(widget)
        widget.resize(960, 620)
        widget.show()
        return widget

    return make


def case(database, exposure_id: int, now: dt.datetime) -> pe.CaseView:  # type: ignore[no-untyped-def]
    with database.session() as session:
        return pe.get_case(session, ADMIN, exposure_id, now=now)


def followup_rows(database, exposure_id: int) -> list[followups.FollowupRow]:  # type: ignore[no-untyped-def]
    with database.session() as session:
        return followups.list_followups(
            session,
            ADMIN,
            followups.FollowupFilter(scope="all", exposure_id=exposure_id),
            today=dt.date(2026, 3, 9),
        )


# -- the recommendation -------------------------------------------------------------------------


def test_a_new_record_asks_to_be_saved_first(panel) -> None:  # type: ignore[no-untyped-def]
    widget = panel()
    assert widget.stack.currentWidget() is widget.empty
    assert "Save the record first" in widget.empty_label.text()


def test_hbsag_positive_source_and_unvaccinated_worker_propose_hbig(
    panel, add_exposure, clock
) -> None:  # type: ignore[no-untyped-def]
    widget = panel()
    widget.set_exposure(add_exposure())
    texts = widget.recommendation_texts()
    assert any("HBIG 200–400 IU" in t for t in texts)
    assert "Unvaccinated or incompletely vaccinated" in widget.inputs_label.text()
    assert "Source: HBsAg positive" in widget.inputs_label.text()
    # the China HCV rows are unverified: the panel says so and names the source
    unverified = [t for t in texts if t.startswith("Unverified: check before relying on it.")]
    assert unverified and all("Source: " in t for t in unverified)
    assert any("中国丙型病毒性肝炎医院感染防控指南 2021" in t for t in unverified)
    # HIV-negative source: no PEP, no countdown
    assert widget.groups["hiv"].title() == "HIV: PEP not indicated"
    assert widget.countdown.isHidden()
    # nothing was recorded: the proposal is not a fact
    assert "Not assessed yet" in widget.state_label.text()
    assert case(widget.context.database, widget.exposure_id, clock()).prophylaxis == ()
    assert followup_rows(widget.context.database, widget.exposure_id) == []


def test_a_responder_needs_no_hepatitis_b_prophylaxis(
    panel, add_exposure, hospital_db, place
) -> None:  # type: ignore[no-untyped-def]
    make_responder(hospital_db, place["S0001"])
    widget = panel()
    widget.set_exposure(add_exposure())
    assert "Documented responder" in widget.inputs_label.text()
    assert any("the worker is immune" in t for t in widget.recommendation_texts())


def test_statuses_entered_in_the_record_update_the_panel_within_a_second(
    qtbot, hospital_db, sync_runner, add_exposure
) -> None:  # type: ignore[no-untyped-def]
    exposure_id = add_exposure()
    context = AppContext(hospital_db, OFFICER, sync_runner)
    dialog = ExposureDialog(context)
    qtbot.addWidget(dialog)
    with hospital_db.session() as session:
        dialog.load(get_exposure(session, OFFICER, exposure_id))
    dialog.show()
    panel = dialog.post_exposure
    assert panel is not None and panel.exposure_id == exposure_id
    assert dialog.tabs.tabText(dialog.tabs.indexOf(panel)) == "Post-exposure"
    assert panel.groups["hiv"].title() == "HIV: PEP not indicated"
    combo = dialog.field_widget("source_hiv")
    assert isinstance(combo, QComboBox)
    select_data(combo, "positive")
    started = time.perf_counter()
    assert dialog.save()
    elapsed = time.perf_counter() - started
    assert elapsed < 1.0, f"save and recommendation took {elapsed:.2f} s"
    assert panel.groups["hiv"].title() == "HIV: PEP recommended"
    assert any("HIV PEP recommended" in t for t in panel.recommendation_texts())
    assert panel.countdown.isVisibleTo(panel) or dialog.tabs.currentWidget() is not panel


def test_roles_without_serostatus_do_not_get_the_panel(
    qtbot, hospital_db, sync_runner, add_exposure
) -> None:  # type: ignore[no-untyped-def]
    exposure_id = add_exposure()
    for role, expected in (
        (Role.VIEWER, False),
        (Role.COMMITTEE_MEMBER, False),
        (Role.OSH_OFFICER, True),
        (Role.ADMIN, True),
    ):
        actor = Actor(username=str(role), role=role)
        dialog = ExposureDialog(AppContext(hospital_db, actor, sync_runner))
        qtbot.addWidget(dialog)
        with hospital_db.session() as session:
            dialog.load(get_exposure(session, actor, exposure_id))
        assert (dialog.post_exposure is not None) is expected, role
        titles = [dialog.tabs.tabText(i) for i in range(dialog.tabs.count())]
        assert ("Post-exposure" in titles) is expected


# -- the live countdown ---------------------------------------------------------------------------


def test_countdown_counts_down_with_the_clock(panel, add_exposure, clock: FakeClock, qtbot) -> None:  # type: ignore[no-untyped-def]
    widget = panel()
    widget.set_exposure(
        add_exposure(source_hiv="positive", china_grade="level_2", china_source_grade="severe")
    )
    countdown = widget.countdown
    assert widget.groups["hiv"].title() == "HIV: PEP recommended"
    assert countdown.isVisibleTo(widget)
    assert countdown.main.text() == "70 h 30 min left to start HIV PEP (72-hour window)"
    assert "within 2 h of the exposure (by 2026-03-09 12:30)" in countdown.detail.text()
    assert "China 2004 grade: Level 2 exposure, source Severe" in widget.inputs_label.text()
    assert any("intensified regimen" in t for t in widget.recommendation_texts())
    # the timer re-reads the clock every second
    clock.advance(hours=2, minutes=15)
    qtbot.waitUntil(lambda: countdown.main.text().startswith("68 h 15 min left"), timeout=3000)
    assert "ideal 2-hour start has passed" in countdown.detail.text()
    clock.advance(hours=70)
    countdown.tick()
    assert countdown.main.text() == "The 72-hour window to start HIV PEP closed 1 h 45 min ago."
    assert "record the reason" in countdown.detail.text()


def test_countdown_stops_once_pep_is_given(panel, add_exposure, clock: FakeClock) -> None:  # type: ignore[no-untyped-def]
    widget = panel()
    widget.set_exposure(add_exposure(source_hiv="positive"))
    assert widget.assess()
    widget.treatment.choose("hiv_pep")
    set_datetime(widget.treatment.given_at, OCCURRED + dt.timedelta(minutes=80))
    assert widget.treatment.record()
    assert widget.countdown.main.text() == (
        "HIV PEP started 2026-03-09 11:50, 1.3 h after the exposure."
    )
    assert not widget.countdown.timer.isActive()


# -- what was done --------------------------------------------------------------------------------


def test_assess_generates_the_schedule(panel, add_exposure, hospital_db) -> None:  # type: ignore[no-untyped-def]
    widget = panel()
    widget.set_exposure(add_exposure())
    widget.show_section("schedule")
    preview = widget.schedule.table.rowCount()
    assert preview > 0 and widget.schedule.table.item(0, 4).text() == "proposed"
    assert "Not generated yet" in widget.schedule.intro.text()
    assert widget.assess()
    rows = followup_rows(hospital_db, widget.exposure_id)
    assert len(rows) == preview == widget.schedule.table.rowCount()
    assert "Assessed" in widget.state_label.text() and "up to date" in widget.state_label.text()
    assert widget.banner_text() == f"Assessed: {preview} follow-up items in the schedule."
    assert widget.schedule.table.item(0, 4).text() in ("Due", "Planned")


def test_record_given_and_declined(panel, add_exposure, hospital_db, clock) -> None:  # type: ignore[no-untyped-def]
    widget = panel()
    widget.set_exposure(add_exposure())
    assert widget.assess()
    section = widget.treatment
    # HBIG given 40 minutes after the exposure
    widget.record_hbv.click()
    assert widget.sections.currentIndex() == 1
    assert section.kind.currentData() == "hbig"
    set_datetime(section.given_at, OCCURRED + dt.timedelta(minutes=40))
    assert section.record()
    assert section.table.rowCount() == 1
    assert section.table.item(0, 1).text() == "Given"
    assert section.table.item(0, 2).text() == "2026-03-09 11:10"
    hbig = [r for r in followup_rows(hospital_db, widget.exposure_id) if r.code == "hbig"]
    assert [r.status for r in hbig] == ["done"]
    # the vaccine declined: the reason is required, and the typed choice stays on failure
    select_data(section.kind, "hbv_vaccine")
    select_data(section.decision, "declined")
    assert not section.given_at.isVisibleTo(section) and section.reason.isVisibleTo(section)
    assert not section.record()
    assert section.form.error_text("reason") == "Give the reason."
    assert section.decision.currentData() == "declined"
    section.reason.setText("Worker prefers to wait for the anti-HBs result")
    assert section.record()
    assert section.table.rowCount() == 2
    assert section.table.item(1, 1).text() == "Declined by the worker"
    vaccine = [r for r in followup_rows(hospital_db, widget.exposure_id) if r.code == "hbv_vaccine"]
    assert vaccine and {r.status for r in vaccine} == {"cancelled"}
    # a dose before the exposure is refused beside the time field
    select_data(section.kind, "hbig")
    select_data(section.decision, "given")
    set_datetime(section.given_at, OCCURRED - dt.timedelta(hours=1))
    assert not section.record()
    assert section.form.error_text("given_at") == "It cannot be given before the exposure."


def test_result_entry_and_seroconversion_prompt_the_notification(
    panel, add_exposure, hospital_db, clock, qtbot
) -> None:  # type: ignore[no-untyped-def]
    widget = panel()
    widget.set_exposure(add_exposure(source_hiv="positive"))
    assert widget.assess()
    schedule = widget.schedule
    later = next(
        i for i, r in enumerate(schedule.rows) if r.code == "hiv_ag_ab" and r.due_date.month == 4
    )
    schedule.table.selectRow(later)
    clock.advance(days=40)
    widget.refresh()
    schedule.table.selectRow(later)
    dialog = schedule.enter_result()
    assert dialog is not None and dialog.result.isVisibleTo(dialog)
    dialog.done_date.setDate(QDate(2026, 4, 10))
    select_data(dialog.result, "positive")
    with qtbot.waitSignal(widget.case_changed):
        assert dialog.save()
    assert "seroconversion to HIV" in widget.banner_text()
    assert widget.sections.currentIndex() == 4  # the outcome section
    outcome = widget.outcome
    assert outcome.prompt.isVisibleTo(outcome)
    assert outcome.outcome.currentData() == "hiv_seroconversion"
    assert outcome.notification_box.isVisibleTo(outcome)
    assert outcome.notification_type.currentData() == "occupational_disease_report"
    # closing is refused while follow-ups are open, and the message names them
    assert outcome.seroconversion_date.value() == dt.date(2026, 4, 10)  # from the result
    outcome.notified_party.setText("District CDC")
    outcome.notified_on.setDate(QDate(2026, 4, 11))
    assert not outcome.close_case()
    message = outcome.error_text()
    assert "Follow-up items still open" in message and "Anti-HBs (due 2026-03-09)" in message
    assert outcome.notified_party.text() == "District CDC"  # the input stays
    # the notification can be recorded on its own
    assert outcome.record_notification()
    assert "Occupational disease report (HIV) to District CDC" in outcome.notifications.text()
    assert not outcome.prompt.isVisibleTo(outcome)


def test_close_the_case_once_every_item_is_closed(panel, add_exposure, hospital_db, clock) -> None:  # type: ignore[no-untyped-def]
    widget = panel()
    widget.set_exposure(add_exposure())
    assert widget.assess()
    with hospital_db.transaction() as session:
        for row in followup_rows(hospital_db, widget.exposure_id):
            followups.resolve(session, ADMIN, row.id, "cancelled", "Clinician's decision")
    widget.refresh()
    outcome = widget.outcome
    assert outcome.open_items.text() == "Every follow-up item is closed."
    select_data(outcome.outcome, "no_seroconversion")
    assert not outcome.notification_box.isVisibleTo(outcome)
    assert outcome.close_case(), outcome.error_text()
    assert outcome.state.text().startswith("Closed ")
    assert "No seroconversion" in outcome.state.text()
    assert not outcome.editor.isVisibleTo(outcome)
    assert not widget.assess_button.isEnabled()
    assert not widget.treatment.editor.isVisibleTo(widget.treatment)


def test_reschedule_needs_a_reason(panel, add_exposure, hospital_db) -> None:  # type: ignore[no-untyped-def]
    widget = panel()
    widget.set_exposure(add_exposure())
    assert widget.assess()
    schedule = widget.schedule
    index = next(i for i, r in enumerate(schedule.rows) if r.due_date.month == 6)
    schedule.table.selectRow(index)
    row = schedule.rows[index]
    dialog = schedule.change_date()
    assert dialog is not None
    dialog.due_date.setDate(QDate(row.due_date + dt.timedelta(days=7)))
    assert dialog.window_start.date().toPython() == row.window_start + dt.timedelta(days=7)
    assert not dialog.save()
    assert dialog.form.error_text("reason") == "Give the reason."
    dialog.reason.setPlainText("Worker on leave that week")
    assert dialog.save()
    moved = next(r for r in followup_rows(hospital_db, widget.exposure_id) if r.id == row.id)
    assert moved.due_date == row.due_date + dt.timedelta(days=7)


def test_pep_course(panel, add_exposure, clock: FakeClock) -> None:  # type: ignore[no-untyped-def]
    widget = panel()
    widget.set_exposure(add_exposure(source_hiv="positive"))
    assert widget.assess()
    clock.advance(days=10)
    widget.refresh()
    course = widget.pep_course
    course.regimen.setText("TDF/FTC + DTG")
    set_datetime(course.started_at, OCCURRED - dt.timedelta(hours=1))
    assert not course.save()
    assert course.form.error_text("started_at") == "PEP cannot start before the exposure."
    assert course.regimen.text() == "TDF/FTC + DTG"
    set_datetime(course.started_at, OCCURRED + dt.timedelta(hours=1))
    course.days_taken.setValue(9)
    select_data(course.stop_reason, "side_effects")
    course.side_effects.setPlainText("nausea\nheadache")
    assert course.save()
    assert "First dose 1.0 h after the exposure; within 2 hours" in course.summary.text()
    assert "stopped early" in course.summary.text()
    saved = case(widget.context.database, widget.exposure_id, clock())
    assert saved.pep_course is not None and saved.pep_course.side_effects == ("nausea", "headache")
    assert saved.pep_course.completion == "no"


def test_read_only_for_a_role_without_manage_post_exposure(
    panel, add_exposure, hospital_db, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    from hospital_osh.domain import roles

    exposure_id = add_exposure()
    assess(hospital_db, exposure_id)
    permissions = dict(roles.ROLE_PERMISSIONS)
    permissions[Role.VIEWER] = permissions[Role.VIEWER] | {
        roles.Permission.VIEW_SEROSTATUS,
        roles.Permission.VIEW_FOLLOWUPS,
    }
    monkeypatch.setattr(roles, "ROLE_PERMISSIONS", permissions)
    widget = panel(Actor(username="viewer", role=Role.VIEWER))
    widget.set_exposure(exposure_id)
    assert not widget.editable
    assert not widget.assess_button.isVisibleTo(widget)
    assert not widget.treatment.editor.isVisibleTo(widget.treatment)
    assert not widget.schedule.result_button.isVisibleTo(widget.schedule)
    assert any("HBIG" in t for t in widget.recommendation_texts())  # the saved assessment


# -- the protocol setting -------------------------------------------------------------------------


def test_protocol_setting_is_a_choice_with_its_sources(
    qtbot, hospital_db, sync_runner, panel, add_exposure
) -> None:  # type: ignore[no-untyped-def]
    section = GeneralSettings(AppContext(hospital_db, ADMIN, sync_runner))
    qtbot.addWidget(section)
    section.activated()
    choice = section.edits["post_exposure_protocol"]
    assert choice.text() == "china"
    names = [choice.combo.itemText(i) for i in range(choice.combo.count())]
    assert names == ["China national guidance (default)", "US CDC (HBV 2013, HCV 2020, HIV 2013)"]
    assert "unverified" in choice.description.text()
    assert "慢性乙型肝炎防治指南" in choice.description.text()
    select_data(choice.combo, "cdc")
    assert "CDC MMWR 2013;62(RR-10) Table 3" in choice.description.text()
    assert section.save()
    with hospital_db.session() as session:
        assert settings.get_setting(session, "post_exposure_protocol") == "cdc"
    widget = panel()
    widget.set_exposure(add_exposure())
    assert widget.protocol_label.text().startswith("Protocol: US CDC")


# -- Chinese --------------------------------------------------------------------------------------


@pytest.mark.parametrize("switch_at_run_time", [False, True], ids=["built", "switched"])
def test_every_section_in_chinese(panel, add_exposure, hospital_db, switch_at_run_time) -> None:  # type: ignore[no-untyped-def]
    exposure_id = add_exposure(
        source_hiv="positive", china_grade="level_2", china_source_grade="mild"
    )
    assess(hospital_db, exposure_id)
    if not switch_at_run_time:
        apply_language("zh_CN")
    widget = panel()
    widget.set_exposure(exposure_id)
    if switch_at_run_time:
        apply_language("zh_CN")
        widget.retranslate()
    leaks: list[str] = []
    for index in range(widget.sections.count()):
        widget.sections.setCurrentIndex(index)
        QApplication.processEvents()
        leaks += [f"[{index}] {leak}" for leak in untranslated(widget)]
    assert widget.sections.tabText(0) == "建议"
    assert widget.countdown.main.text() == "开始HIV暴露后预防还剩70小时30分（72小时时限）"
    assert leaks == [], "untranslated strings:\n" + "\n".join(leaks)
