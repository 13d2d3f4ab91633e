"""The Reports page's Documents group: every other area's PDF built from there on the task runner,
in the chosen language (checked through the PDF's text), whole or not at all; rows by role;
the case sheet by reference number with the error beside the field; Chinese."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pypdf
import pytest

from hospital_osh.domain.roles import Role
from hospital_osh.reports.language import ReportLanguage
from hospital_osh.services import actions, committee, hazards
from hospital_osh.services.committee import MeetingInfo
from hospital_osh.services.hazards import ControlInfo, HazardInfo
from hospital_osh.ui.language import apply_language
from hospital_osh.ui.pages.reports_page import ReportsPage
from hospital_osh.ui.widgets import report_documents as docs
from tests.ui.fixtures_actions import admin, department_id, make_item, templates
from tests.ui.fixtures_exposures import *  # noqa: F403 - pytest fixtures
from tests.ui.helpers import clipped_texts, untranslated

OPEN_ITEM = "Fix the sharps container holders"
CLOSED_ITEM = "Replace the old glove boxes"
MEETING_DAY = dt.date(2026, 3, 12)


@pytest.fixture
def documents_db(hospital_db, bulk_exposures):  # type: ignore[no-untyped-def]
    """A hazard, an open and a closed action item, the shipped templates, a meeting and
    three exposures (EXP-2025-0001 to 0003)."""
    who = admin(hospital_db)
    with hospital_db.transaction() as session:
        hazards.create_hazard(
            session,
            who,
            HazardInfo(
                department_id=department_id(hospital_db),
                activity="Handling sharps at the bedside",
                category="biological",
                potential_harm="Needle-stick injury",
                owner="Dr Han",
                assessed_on=dt.date(2026, 3, 1),
                initial_likelihood=4,
                initial_severity=4,
                controls=(ControlInfo("Safety-engineered needles", "engineering"),),
            ),
        )
        committee.create_meeting(
            session, who, MeetingInfo(held_on=MEETING_DAY, start_time="14:30", place="行政楼301")
        )
    make_item(hospital_db, "planned", title=OPEN_ITEM)
    closed = make_item(hospital_db, "verified", title=CLOSED_ITEM)
    with hospital_db.transaction() as session:
        actions.transition_action(session, who, closed, "closed")
    templates(hospital_db)
    bulk_exposures(3)
    return hospital_db


def _box(qtbot, context, opened: list[Path] | None = None) -> docs.ReportDocumentsBox:  # type: ignore[no-untyped-def]
    box = docs.ReportDocumentsBox(context, open_file=opened.append if opened is not None else None)
    qtbot.addWidget(box)
    box.resize(520, 360)
    box.show()
    with qtbot.waitSignal(box.choices_loaded, timeout=10_000):
        box.load_choices()
    return box


def _text(path: Path) -> str:
    data = path.read_bytes()
    assert data.startswith(b"%PDF-") and data.rstrip().endswith(b"%%EOF")
    reader = pypdf.PdfReader(io.BytesIO(data))
    text = "\n".join(page.extract_text() for page in reader.pages)
    # Cells wrap: compare with line breaks as spaces (English) and removed (Chinese).
    return text.replace("\n", " ") + "\n" + text.replace("\n", "")


def _titles(language: str) -> dict[str, str]:
    """A line of each document that only its own language prints."""
    lang = ReportLanguage.of(language)
    return {
        docs.HAZARD_REGISTER: lang._("Occupational hazard register and risk assessment"),
        docs.ACTION_PLAN: lang._("Action plan: all open items"),
        docs.CHECKLIST: lang._("Checklist for the walk-through: {name}").split("{name}")[0],
        docs.MINUTES: lang._("Minutes of the OSH committee meeting of {date}").split("{date}")[0],
        docs.CASE_SHEET: lang._("Occupational exposure case sheet {reference}").format(
            reference="EXP-2025-0002"
        ),
    }


@pytest.mark.parametrize("language", ["zh_CN", "en"])
@pytest.mark.parametrize("kind", [kind for kind, _label in docs.DOCUMENTS])
def test_each_document_is_written_in_the_chosen_language(  # type: ignore[no-untyped-def]
    qtbot, documents_db, make_ui_context, tmp_path, kind, language
) -> None:
    opened: list[Path] = []
    box = _box(qtbot, make_ui_context("admin"), opened)
    assert box.kinds == tuple(k for k, _label in docs.DOCUMENTS)  # the admin gets every row
    box.set_language(language)
    box.reference.setText("exp-2025-0002")  # the case sheet's; case does not matter
    out = tmp_path / f"{kind}.pdf"
    with qtbot.waitSignal(box.document_built, timeout=30_000) as built:
        box.build(kind, out)
    assert built.args == [out] and opened == [out]
    assert not list(tmp_path.glob(".*.partial"))
    text = _text(out)
    ours, theirs = _titles(language), _titles("en" if language == "zh_CN" else "zh_CN")
    assert ours[kind] in text
    assert theirs[kind] not in text
    if kind == docs.ACTION_PLAN:
        assert OPEN_ITEM in text and CLOSED_ITEM not in text  # open items only
    if kind == docs.MINUTES:
        assert "行政楼301" in text
    if kind == docs.CASE_SHEET:
        assert "职工2" in text  # the admin sees the worker's name
    assert "Saved" in box.status.text() and box.buttons[kind].isEnabled()


def test_the_template_and_meeting_are_the_ones_chosen(  # type: ignore[no-untyped-def]
    qtbot, documents_db, make_ui_context, tmp_path
) -> None:
    box = _box(qtbot, make_ui_context("admin"), [])
    box.set_language("en")
    assert box.template.count() >= 2 and box.meeting.count() == 1
    box.template.setCurrentIndex(box.template.count() - 1)
    chosen = box.template.currentText().rsplit(" (", 1)[0]
    with qtbot.waitSignal(box.document_built, timeout=30_000):
        box.build(docs.CHECKLIST, tmp_path / "c.pdf")
    assert chosen in _text(tmp_path / "c.pdf")


def test_an_unknown_reference_is_said_beside_the_field_and_nothing_is_written(  # type: ignore[no-untyped-def]
    qtbot, documents_db, make_ui_context, tmp_path
) -> None:
    box = _box(qtbot, make_ui_context("officer"))
    assert docs.CASE_SHEET in box.kinds
    box.reference.setText("EXP-2031-0001")
    with qtbot.waitSignal(box.document_failed, timeout=10_000):
        box.build(docs.CASE_SHEET, tmp_path / "x.pdf")
    assert box.reference_error.isVisible()
    assert "EXP-2031-0001" in box.reference_error.text()
    assert box.reference.text() == "EXP-2031-0001"  # what was typed stays
    assert not (tmp_path / "x.pdf").exists()
    box.reference.setText("EXP-2025-0001")
    with qtbot.waitSignal(box.document_built, timeout=30_000):
        box.build(docs.CASE_SHEET, tmp_path / "x.pdf")
    assert not box.reference_error.isVisible()


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        (Role.OSH_OFFICER, tuple(k for k, _label in docs.DOCUMENTS)),
        (
            Role.COMMITTEE_MEMBER,
            (docs.HAZARD_REGISTER, docs.ACTION_PLAN, docs.CHECKLIST, docs.MINUTES),
        ),
        (Role.VIEWER, (docs.HAZARD_REGISTER, docs.ACTION_PLAN, docs.CHECKLIST, docs.MINUTES)),
        (Role.REPORTER, ()),
    ],
)
def test_rows_follow_the_role(
    qtbot, documents_db, exposure_context, tmp_path, role, expected
) -> None:  # type: ignore[no-untyped-def]
    context = exposure_context(role)
    box = docs.ReportDocumentsBox(context)
    qtbot.addWidget(box)
    assert box.kinds == expected
    assert set(box.buttons) == set(expected)
    out = tmp_path / "out"
    out.mkdir()
    hidden = [kind for kind, _label in docs.DOCUMENTS if kind not in expected]
    for kind in hidden:  # not offered, and not built when asked for anyway
        assert box.build(kind, out / f"{kind}.pdf") is None
    assert not list(out.iterdir())


def test_the_page_shows_the_group_and_it_speaks_chinese(  # type: ignore[no-untyped-def]
    qtbot, documents_db, make_ui_context, tmp_path
) -> None:
    apply_language("zh_CN")
    page = ReportsPage(make_ui_context("admin"), open_file=lambda _path: None)
    qtbot.addWidget(page)
    page.resize(1100, 720)
    page.show()
    qtbot.waitExposed(page)
    with qtbot.waitSignal(page.documents.choices_loaded, timeout=10_000):
        page.activated()
    assert page.documents.isVisible()
    assert page.documents.document_language() == "zh_CN"
    assert page.documents.meeting.currentText().endswith("行政楼301")
    assert untranslated(page) == []
    assert clipped_texts(page.documents) == []
    page.grab().save(str(tmp_path / "documents_zh.png"))
    apply_language("en")
    page.retranslate()
    qtbot.waitUntil(lambda: not clipped_texts(page.documents), timeout=2_000)  # laid out again
    assert page.documents.title() == "Documents" and clipped_texts(page.documents) == []
    page.grab().save(str(tmp_path / "documents_en.png"))
