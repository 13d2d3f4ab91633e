"""Settings › Follow-up schedule: the protocol's offsets beside the hospital's, a change through
the small dialog (refused values stay with the message beside the field), the return to the
protocol's value, read-only for officers, and both languages."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from hospital_osh.domain.roles import Role
from hospital_osh.services import post_exposure as pe
from hospital_osh.services import settings
from hospital_osh.services.context import SYSTEM
from hospital_osh.ui.language import apply_language
from hospital_osh.ui.pages.settings_page import SettingsPage
from hospital_osh.ui.widgets.settings_protocol_offsets import (
    OffsetDialog,
    ProtocolOffsetSettings,
)
from tests.ui.fixtures_staff import *  # noqa: F403 - pytest fixtures
from tests.ui.helpers import is_blank, untranslated

HCV_RNA = ("china_hcv_follow_up", "hcv_rna_4w")
_PAGES: list[SettingsPage] = []  # the pages stay alive while a test uses their sections


@pytest.fixture(autouse=True)
def _keep_pages() -> Iterator[None]:
    yield
    _PAGES.clear()


REASON = "The laboratory runs HCV RNA on Tuesdays only."


def section_of(qtbot, context, language: str = "en") -> ProtocolOffsetSettings:  # type: ignore[no-untyped-def]
    apply_language(language)
    page = SettingsPage(context)
    qtbot.addWidget(page)
    _PAGES.append(page)
    page.resize(1280, 800)
    page.show()
    section = page.show_section("protocol_offsets")
    assert isinstance(section, ProtocolOffsetSettings)
    return section


def select(section: ProtocolOffsetSettings, key: tuple[str, str]) -> pe.ScheduleRowView:
    for number, row in enumerate(section.rows):
        if (row.schedule, row.item_id) == key:
            section.table.selectRow(number)
            return row
    raise AssertionError(key)


def stored(database, key: tuple[str, str] = HCV_RNA) -> pe.ScheduleRowView:  # type: ignore[no-untyped-def]
    with database.session() as session:
        return next(r for r in pe.schedule_rows(session, "china") if (r.schedule, r.item_id) == key)


def texts(section: ProtocolOffsetSettings, key: tuple[str, str]) -> list[str]:
    number = next(i for i, r in enumerate(section.rows) if (r.schedule, r.item_id) == key)
    return [section.table.item(number, c).text() for c in range(section.table.columnCount())]


def test_the_table_lists_every_item_of_the_hospitals_protocol(
    qtbot, make_context, database
) -> None:  # type: ignore[no-untyped-def]
    section = section_of(qtbot, make_context())
    assert section.protocol_id() == "china"  # the hospital's setting (default)
    with database.session() as session:
        expected = pe.schedule_rows(session, "china")
    assert [(r.schedule, r.item_id) for r in section.rows] == [
        (r.schedule, r.item_id) for r in expected
    ]
    assert section.table.rowCount() == len(expected) > 20
    assert texts(section, HCV_RNA) == [
        "HCV RNA",
        "china_hcv_follow_up / hcv_rna_4w",
        "28",
        "day 28 to 42",
        "",
        "",
        "",
    ]
    with database.transaction() as session:
        settings.set_setting(session, SYSTEM, pe.SETTING, "cdc")
    other = section_of(qtbot, make_context())
    assert other.protocol_id() == "cdc"
    assert all(r.protocol_id == "cdc" for r in other.rows)
    other.choose_protocol("china")
    assert all(r.protocol_id == "china" for r in other.rows)


def test_a_change_is_saved_with_its_reason_and_shown_beside_the_protocols(
    qtbot, make_context, database
) -> None:  # type: ignore[no-untyped-def]
    section = section_of(qtbot, make_context())
    select(section, HCV_RNA)
    assert section.edit_button.isEnabled() and not section.reset_button.isEnabled()
    dialog = section.edit_selected()
    assert isinstance(dialog, OffsetDialog)
    assert "day 28 after the exposure, day 28 to 42" in dialog.summary.text()
    dialog.due.setValue(42)
    dialog.window_start.setValue(42)
    dialog.window_end.setValue(56)
    dialog.reason.setPlainText(REASON)
    assert dialog.save()
    row = stored(database)
    assert (row.due, row.window_start, row.window_end, row.reason) == (42, 42, 56, REASON)
    assert texts(section, HCV_RNA)[2:] == ["28", "day 28 to 42", "42", "day 42 to 56", REASON]
    assert section.selected() is not None and section.selected().item_id == "hcv_rna_4w"
    assert section.reset_button.isEnabled()


def test_refused_values_stay_in_the_dialog_with_the_message_beside_the_field(
    qtbot, make_context, database
) -> None:  # type: ignore[no-untyped-def]
    section = section_of(qtbot, make_context())
    select(section, HCV_RNA)
    dialog = section.edit_selected()
    assert isinstance(dialog, OffsetDialog)
    dialog.due.setValue(42)
    dialog.window_start.setValue(50)
    dialog.window_end.setValue(56)
    dialog.reason.setPlainText("")
    assert not dialog.save()
    assert "does not contain the due day 42" in dialog.form.error_text("window_start")
    assert "give the reason for the change" in dialog.form.error_text("reason")
    assert (dialog.due.value(), dialog.window_start.value(), dialog.window_end.value()) == (
        42,
        50,
        56,
    )
    assert dialog.isVisible()
    assert not stored(database).adjusted
    # a value the protocol's own rules forbid: the message names the row
    pvst = select(section, ("china_hbv_exposed", "pvst"))
    dialog.reject()
    other = section.edit_selected()
    assert isinstance(other, OffsetDialog) and other.row == pvst
    other.due.setValue(185)
    other.window_start.setValue(185)
    other.reason.setPlainText("早一点")
    assert not other.save()
    assert "the protocol does not allow it" in other.form.error_text("due")
    assert other.reason.toPlainText() == "早一点"


def test_return_to_the_protocols_value_asks_then_removes_the_change(
    qtbot, make_context, database
) -> None:  # type: ignore[no-untyped-def]
    with database.transaction() as session:
        pe.set_adjustment(
            session, SYSTEM, pe.AdjustmentInput("china", *HCV_RNA, 42, 42, 56, REASON)
        )
    context = make_context(answers=[False, True])
    section = section_of(qtbot, context)
    select(section, HCV_RNA)
    section.reset_selected()  # answered no: nothing changes
    assert stored(database).adjusted
    section.reset_selected()
    assert not stored(database).adjusted
    assert texts(section, HCV_RNA)[4:] == ["", "", ""]
    assert len(context.ask.asked) == 2
    assert "day 28, day 28 to 42" in context.ask.asked[0]


def test_officers_see_the_table_read_only(qtbot, make_context, database) -> None:  # type: ignore[no-untyped-def]
    section = section_of(qtbot, make_context(Role.OSH_OFFICER))
    assert section.rows
    assert section.edit_button.isHidden() and section.reset_button.isHidden()
    select(section, HCV_RNA)
    assert section.edit_selected() is None
    assert "Only users who manage the hospital may change it." in section.intro.text()
    assert not ProtocolOffsetSettings.visible_for(make_context(Role.VIEWER).actor)


@pytest.mark.parametrize("language", ["en", "zh_CN"])
def test_the_section_and_its_dialog_in_both_languages(
    qtbot, make_context, database, language
) -> None:  # type: ignore[no-untyped-def]
    with database.transaction() as session:
        pe.set_adjustment(
            session, SYSTEM, pe.AdjustmentInput("china", *HCV_RNA, 42, 42, 56, REASON)
        )
    try:
        section = section_of(qtbot, make_context(), language)
        assert not is_blank(section.grab().toImage())
        select(section, HCV_RNA)
        dialog = section.edit_selected()
        assert dialog is not None
        if language == "zh_CN":
            assert untranslated(section) == []
            assert untranslated(dialog) == []
            assert section.heading.text() == "随访计划"
        dialog.reject()
    finally:
        apply_language("en")
