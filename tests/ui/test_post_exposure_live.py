"""The protocol's proposal while the officer types (issue 5, done-when): the exposure form and the
quick report show what the protocol proposes a moment after the source or the worker changes,
marked as a proposal not yet recorded, and nothing is written to the database."""

from __future__ import annotations

import time

import pytest
from PySide6.QtWidgets import QComboBox
from sqlalchemy import func, select

from hospital_osh.domain.roles import Role
from hospital_osh.models import (
    AuditEvent,
    Exposure,
    FollowUp,
    PostExposureAssessment,
    Prophylaxis,
)
from hospital_osh.services import post_exposure as pe
from hospital_osh.services.context import Actor
from hospital_osh.services.database import Database
from hospital_osh.services.exposures import WorkerChoice, get_exposure
from hospital_osh.ui.context import AppContext
from hospital_osh.ui.dialogs import exposure_dialog, quick_report_dialog
from hospital_osh.ui.dialogs.exposure_dialog import ExposureDialog
from hospital_osh.ui.dialogs.quick_report_dialog import QuickReportDialog
from hospital_osh.ui.language import apply_language
from hospital_osh.ui.widgets.code_combo import select_data
from hospital_osh.ui.widgets.exposure_form import set_datetime
from tests.ui.fixtures_post_exposure import *  # noqa: F403 - fixtures
from tests.ui.fixtures_post_exposure import OCCURRED, make_responder
from tests.ui.helpers import is_blank, untranslated

OFFICER = Actor(username="officer", role=Role.OSH_OFFICER)
HBIG = "HBIG 200–400 IU"
SOURCE_TAB = [key for key, _title, _names in exposure_dialog.SECTIONS].index("source")


def counts(database: Database) -> dict[str, int]:
    """Rows of every table a proposal could have written to."""
    with database.session() as session:
        return {
            model.__name__: session.scalar(select(func.count()).select_from(model)) or 0
            for model in (AuditEvent, Exposure, FollowUp, PostExposureAssessment, Prophylaxis)
        }


def new_record_dialog(
    qtbot, database: Database, sync_runner, actor: Actor = OFFICER
) -> ExposureDialog:  # type: ignore[no-untyped-def]
    dialog = ExposureDialog(AppContext(database, actor, sync_runner), now=lambda: OCCURRED)
    qtbot.addWidget(dialog)
    dialog.resize(980, 700)
    dialog.show()
    return dialog


def choose(dialog: ExposureDialog, name: str, code: str) -> None:
    combo = dialog.field_widget(name)
    assert isinstance(combo, QComboBox)
    select_data(combo, code)


def staff(worker_id: int) -> WorkerChoice:
    return WorkerChoice(worker_id, "S0001", "职工1", "nurse", "重症医学科", "Intensive care unit")


def fill_needle_stick(dialog: ExposureDialog, worker_id: int) -> None:
    dialog.picker.set_choice(staff(worker_id), "S0001")
    dialog.picker.chosen.emit(staff(worker_id))
    occurred = dialog.field_widget("occurred_at")
    set_datetime(occurred, OCCURRED)  # type: ignore[arg-type]
    choose(dialog, "exposure_type", "percutaneous")
    choose(dialog, "source_identified", "yes")


def test_hbsag_positive_source_for_a_non_immune_worker_proposes_hbig_before_saving(
    qtbot, hospital_db, sync_runner, place
) -> None:  # type: ignore[no-untyped-def]
    before = counts(hospital_db)
    dialog = new_record_dialog(qtbot, hospital_db, sync_runner)
    preview = dialog.proposal_preview
    assert preview is not None
    fill_needle_stick(dialog, place["S0001"])
    choose(dialog, "source_hbsag", "negative")
    qtbot.waitUntil(lambda: any(t == "Hepatitis B" for t in preview.texts()), timeout=1000)
    assert not any(HBIG in t for t in preview.texts())  # an HBsAg-negative source: vaccine only
    started = time.perf_counter()
    choose(dialog, "source_hbsag", "positive")
    assert dialog.proposal_timer.isActive()  # debounced, not computed on each key
    qtbot.waitUntil(lambda: any(HBIG in t for t in preview.texts()), timeout=1000)
    elapsed = time.perf_counter() - started
    assert elapsed < 1.0, f"the proposal took {elapsed:.2f} s"
    texts = preview.texts()
    dialog.tabs.setCurrentIndex(SOURCE_TAB)
    assert preview.isVisibleTo(dialog)
    assert any(t.startswith("Proposal, not yet recorded") for t in texts)
    assert any("Worker: Unvaccinated or incompletely vaccinated" in t for t in texts)
    # the post-exposure tab of the unsaved record shows the same, marked the same
    panel = dialog.post_exposure
    assert panel is not None and panel.draft_preview.isVisibleTo(panel)
    assert any(HBIG in t for t in panel.draft_preview.texts())
    # nothing at all was written: no record, no assessment, no follow-up, no audit event
    assert counts(hospital_db) == before


def test_a_responder_gets_no_hbig_in_the_live_proposal(
    qtbot, hospital_db, sync_runner, place
) -> None:  # type: ignore[no-untyped-def]
    make_responder(hospital_db, place["S0001"])
    dialog = new_record_dialog(qtbot, hospital_db, sync_runner)
    fill_needle_stick(dialog, place["S0001"])
    choose(dialog, "source_hbsag", "positive")
    preview = dialog.proposal_preview
    assert preview is not None
    qtbot.waitUntil(lambda: any("Documented responder" in t for t in preview.texts()), timeout=1000)
    assert any("the worker is immune" in t for t in preview.texts())
    assert not any(HBIG in t for t in preview.texts())


def test_a_burst_of_changes_asks_the_protocol_once(
    qtbot, hospital_db, sync_runner, place, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    dialog = new_record_dialog(qtbot, hospital_db, sync_runner)
    fill_needle_stick(dialog, place["S0001"])
    qtbot.waitUntil(lambda: not dialog.proposal_timer.isActive(), timeout=1000)
    calls: list[str | None] = []
    real = pe.propose_for

    def counting(session, actor, info, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(info.source_hbsag)
        return real(session, actor, info, **kwargs)

    monkeypatch.setattr(pe, "propose_for", counting)
    for code in ("negative", "unknown", "positive"):
        choose(dialog, "source_hbsag", code)
    assert calls == []
    assert dialog.proposal_timer.interval() == exposure_dialog.PROPOSAL_DELAY_MS == 200
    qtbot.waitUntil(lambda: calls == ["positive"], timeout=1000)


def test_an_unsaved_change_of_a_saved_record_shows_in_the_panel_as_not_recorded(
    qtbot, hospital_db, sync_runner, add_exposure
) -> None:  # type: ignore[no-untyped-def]
    exposure_id = add_exposure()
    dialog = ExposureDialog(AppContext(hospital_db, OFFICER, sync_runner))
    qtbot.addWidget(dialog)
    with hospital_db.session() as session:
        dialog.load(get_exposure(session, OFFICER, exposure_id))
    dialog.show()
    panel, preview = dialog.post_exposure, dialog.proposal_preview
    assert panel is not None and preview is not None
    assert panel.draft is None and preview.isHidden()  # nothing typed yet
    assert panel.groups["hiv"].title() == "HIV: PEP not indicated"
    before = counts(hospital_db)
    choose(dialog, "source_hiv", "positive")
    qtbot.waitUntil(lambda: panel.groups["hiv"].title() == "HIV: PEP recommended", timeout=1000)
    assert panel.draft is not None and not panel.draft.saved
    assert panel.state_label.text().startswith("Proposal, not yet recorded")
    assert any("HIV PEP recommended" in t for t in panel.recommendation_texts())
    assert not preview.isHidden()
    assert counts(hospital_db) == before
    with hospital_db.session() as session:
        assert get_exposure(session, OFFICER, exposure_id).source_hiv == "negative"
    # back to the saved value: the panel shows the record as saved again
    choose(dialog, "source_hiv", "negative")
    qtbot.waitUntil(lambda: panel.draft is None, timeout=1000)
    assert panel.groups["hiv"].title() == "HIV: PEP not indicated"
    assert not panel.state_label.text().startswith("Proposal, not yet recorded")


def test_roles_that_do_not_manage_post_exposure_care_get_no_live_proposal(
    qtbot, hospital_db, sync_runner
) -> None:  # type: ignore[no-untyped-def]
    for role in (Role.VIEWER, Role.COMMITTEE_MEMBER, Role.REPORTER):
        actor = Actor(username=str(role), role=role)
        dialog = ExposureDialog(AppContext(hospital_db, actor, sync_runner))
        qtbot.addWidget(dialog)
        assert dialog.proposal_preview is None, role
        quick = QuickReportDialog(AppContext(hospital_db, actor, sync_runner))
        qtbot.addWidget(quick)
        assert quick.proposal is None, role


def test_the_quick_report_proposes_for_the_worker_and_an_unknown_source(
    qtbot, hospital_db, sync_runner, place
) -> None:  # type: ignore[no-untyped-def]
    before = counts(hospital_db)
    dialog = QuickReportDialog(AppContext(hospital_db, OFFICER, sync_runner), now=lambda: OCCURRED)
    qtbot.addWidget(dialog)
    dialog.resize(1000, 660)
    dialog.show()
    preview = dialog.proposal
    assert preview is not None
    assert any("Choose the type of exposure." in t for t in preview.texts())
    dialog.picker.set_choice(staff(place["S0001"]), "S0001")
    dialog.picker.chosen.emit(staff(place["S0001"]))
    select_data(dialog.exposure_type, "percutaneous")
    select_data(dialog.source_identified, "no")
    assert dialog.proposal_timer.interval() == quick_report_dialog.PROPOSAL_DELAY_MS
    qtbot.waitUntil(lambda: any(t.startswith("HIV:") for t in preview.texts()), timeout=1000)
    texts = preview.texts()
    assert any(t.startswith("Proposal, not yet recorded") for t in texts)
    assert any(t == "Hepatitis B" for t in texts)
    assert any("Worker: Unvaccinated or incompletely vaccinated" in t for t in texts)
    assert counts(hospital_db) == before


@pytest.mark.parametrize("language", ["en", "zh_CN"])
def test_the_live_proposal_speaks_the_users_language(
    qtbot, hospital_db, sync_runner, place, language
) -> None:  # type: ignore[no-untyped-def]
    apply_language(language)
    try:
        dialog = new_record_dialog(qtbot, hospital_db, sync_runner)
        fill_needle_stick(dialog, place["S0001"])
        choose(dialog, "source_hbsag", "positive")
        dialog.tabs.setCurrentIndex(SOURCE_TAB)
        preview = dialog.proposal_preview
        assert preview is not None
        qtbot.waitUntil(lambda: len(preview.texts()) > 6, timeout=1000)
        assert not is_blank(preview.grab().toImage())
        if language == "zh_CN":
            assert untranslated(preview) == []
            assert any("建议" in t for t in preview.texts())
    finally:
        apply_language("en")
