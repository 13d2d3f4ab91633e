"""Reopening a closed case from the case panel (beside where it closes), with the reason asked
for and the earlier closing kept in the case's history; and the hospital's own schedule offsets
named on the items they plan ("Adjusted by the hospital: <reason>")."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QDialogButtonBox

from hospital_osh.domain.roles import Role
from hospital_osh.services import post_exposure as pe
from hospital_osh.services.context import SYSTEM, Actor
from hospital_osh.ui.context import AppContext
from hospital_osh.ui.language import apply_language
from hospital_osh.ui.widgets.post_exposure_panel import PostExposurePanel
from tests.ui.fixtures_post_exposure import *  # noqa: F403 - fixtures
from tests.ui.fixtures_post_exposure import ADMIN, TODAY, assess
from tests.ui.helpers import untranslated

OFFICER = Actor(username="officer", role=Role.OSH_OFFICER)
REASON = "The worker came back from secondment and wants the remaining tests."


@pytest.fixture
def panel(qtbot, hospital_db, sync_runner, clock):  # type: ignore[no-untyped-def]
    def make(actor: Actor = OFFICER) -> PostExposurePanel:
        widget = PostExposurePanel(AppContext(hospital_db, actor, sync_runner), now=clock)
        qtbot.addWidget(widget)
        widget.resize(960, 620)
        widget.show()
        return widget

    return make


@pytest.fixture
def lost_case(hospital_db, add_exposure) -> int:  # type: ignore[no-untyped-def]
    """An assessed case closed as lost to follow-up (its open items marked missed)."""
    exposure_id = add_exposure()
    assess(hospital_db, exposure_id)
    with hospital_db.transaction() as session:
        pe.close_case(
            session,
            ADMIN,
            exposure_id,
            pe.CloseInput("lost_to_follow_up", note="moved away", mark_open_missed=True),
            today=TODAY,
        )
    return exposure_id


def ok(dialog) -> None:  # type: ignore[no-untyped-def]
    dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()


def test_a_closed_case_reopens_with_its_reason_and_keeps_the_closing_in_its_history(
    panel, lost_case, hospital_db
) -> None:  # type: ignore[no-untyped-def]
    widget = panel()
    widget.set_exposure(lost_case)
    outcome = widget.outcome
    widget.show_section("outcome")
    assert outcome.reopen_button.isVisibleTo(widget)
    assert outcome.reopen_button.text() == "Reopen case…"
    assert not outcome.close_button.isVisibleTo(widget)  # closing and reopening never both
    assert outcome.history_text() == ""
    dialog = outcome.reopen()
    assert dialog is not None and dialog.isVisible()
    assert "Lost to follow-up" in dialog.question.text()
    ok(dialog)  # an empty reason: refused in the dialog, nothing written
    assert dialog.isVisible()
    assert dialog.form.error_text("reason") == "This cannot be left empty."
    with hospital_db.session() as session:
        assert pe.get_case(session, ADMIN, lost_case).status == "lost_to_follow_up"
    # the service refuses control characters: the message comes back beside the field, the
    # text stays as typed
    dialog.reason.setPlainText("back\x00again")
    ok(dialog)
    assert dialog.isVisible()
    assert "control characters" in dialog.form.error_text("reason")
    assert dialog.reason.toPlainText() == "back\x00again"
    dialog.reason.setPlainText(REASON)
    ok(dialog)
    assert not dialog.isVisible()
    with hospital_db.session() as session:
        case = pe.get_case(session, ADMIN, lost_case)
        history = pe.reopenings(session, ADMIN, lost_case)
    assert (case.status, case.outcome, case.closed) == ("under_follow_up", "pending", None)
    assert [h.reason for h in history] == [REASON]
    assert case.open_followups  # the items marked missed at closing are open again
    # the panel shows the case open again, with the earlier closing and the reason
    assert widget.case is not None and widget.case.closed is None
    assert not outcome.reopen_button.isVisibleTo(widget)
    assert outcome.close_button.isVisibleTo(widget)
    text = outcome.history_text()
    assert "as Lost to follow-up" in text and REASON in text and "by officer" in text
    assert widget.assess_button.isEnabled()


def test_an_open_case_and_a_reader_get_no_reopen(
    panel, add_exposure, lost_case, hospital_db
) -> None:  # type: ignore[no-untyped-def]
    widget = panel()
    widget.set_exposure(add_exposure())
    assert not widget.outcome.reopen_button.isVisibleTo(widget)
    assert widget.outcome.reopen() is None
    reader = panel(Actor(username="doctor", role=Role.ADMIN))
    reader.editable = False  # a role that sees the case without managing it
    reader.set_exposure(lost_case)
    assert not reader.outcome.reopen_button.isVisibleTo(reader)
    assert reader.outcome.reopen() is None


def test_items_planned_on_the_hospitals_offsets_say_so(panel, add_exposure, hospital_db) -> None:  # type: ignore[no-untyped-def]
    reason = "Our laboratory runs HCV RNA on Tuesdays."
    with hospital_db.transaction() as session:
        pe.set_adjustment(
            session,
            SYSTEM,
            pe.AdjustmentInput("china", "china_hcv_follow_up", "hcv_rna_4w", 42, 42, 56, reason),
        )
    exposure_id = add_exposure(source_anti_hcv="positive")
    widget = panel()
    widget.set_exposure(exposure_id)
    schedule = widget.schedule
    adjusted = f"Adjusted by the hospital: {reason}"
    # before the assessment: the proposed items
    names = [schedule.table.item(r, 0).text() for r in range(schedule.table.rowCount())]
    notes = schedule.note_texts()
    marked = [name for name, note in zip(names, notes, strict=True) if note]
    assert marked == ["HCV RNA"] and adjusted in notes
    assert schedule.adjusted_label.text() == f"HCV RNA — {adjusted}"
    assert schedule.adjusted_label.isVisibleTo(schedule)
    # after it: the saved follow-ups, the same item marked
    assert widget.assess()
    rows = schedule.rows
    notes = schedule.note_texts()
    marked_rows = [row for row, note in zip(rows, notes, strict=True) if note == adjusted]
    assert [(r.code, (r.due_date - TODAY).days) for r in marked_rows] == [("hcv_rna", 42)]
    assert sum(1 for n in notes if n) == 1


@pytest.mark.parametrize("language", ["en", "zh_CN"])
def test_reopen_in_both_languages(panel, lost_case, language) -> None:  # type: ignore[no-untyped-def]
    apply_language(language)
    try:
        widget = panel()
        widget.set_exposure(lost_case)
        widget.show_section("outcome")
        dialog = widget.outcome.reopen()
        assert dialog is not None
        if language == "zh_CN":
            assert untranslated(widget.outcome) == []
            assert untranslated(dialog) == []
            assert widget.outcome.reopen_button.text() == "重新打开病例…"
        dialog.reject()
    finally:
        apply_language("en")
