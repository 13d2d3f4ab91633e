"""The reports page: presets, the period check, figures preview, building the PDF on the task
runner and opening it, export with preview, import with dry run; visibility by role; Chinese."""

from __future__ import annotations

import datetime as dt
import json
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import select

from hospital_osh import i18n
from hospital_osh.domain.roles import Role
from hospital_osh.exchange import layout
from hospital_osh.models import AuditEvent
from hospital_osh.services.context import Actor
from hospital_osh.services.database import Database
from hospital_osh.ui.language import apply_language
from hospital_osh.ui.pages import pages_for
from hospital_osh.ui.pages.reports_page import ReportsPage
from tests.integration import summary_data as data
from tests.ui.fixtures_staff import *  # noqa: F403 - pytest fixtures
from tests.ui.helpers import untranslated

TODAY = dt.date(2026, 5, 10)


@pytest.fixture
def filled(database: Database) -> Database:
    data.build(database, Actor(username="admin", role=Role.ADMIN))
    return database


def _page(qtbot, context, opened: list[Path] | None = None) -> ReportsPage:  # type: ignore[no-untyped-def]
    page = ReportsPage(
        context, today=TODAY, open_file=(opened.append if opened is not None else lambda p: None)
    )
    qtbot.addWidget(page)
    page.resize(1100, 700)
    page.show()
    qtbot.waitExposed(page)
    return page


def test_presets_and_the_period_check(qtbot, filled, make_context) -> None:  # type: ignore[no-untyped-def]
    page = _page(qtbot, make_context(Role.ADMIN))
    assert page.period() == (dt.date(2026, 1, 1), dt.date(2026, 3, 31))  # last whole quarter
    page.set_preset("month")
    assert page.period() == (dt.date(2026, 4, 1), dt.date(2026, 4, 30))
    page.earlier_button.click()
    assert page.period() == (dt.date(2026, 3, 1), dt.date(2026, 3, 31))
    page.set_preset("year")
    assert page.period() == (dt.date(2025, 1, 1), dt.date(2025, 12, 31))
    page.set_period(dt.date(2026, 3, 1), dt.date(2026, 2, 1))
    assert page.preset.currentData() == "custom"
    assert page.period_error.isVisible() and "before it starts" in page.period_error.text()
    assert not page.build_button.isEnabled() and page.preview_figures() is None


def test_figures_preview_and_build_open_the_pdf(  # type: ignore[no-untyped-def]
    qtbot, filled, make_context, tmp_path
) -> None:
    opened: list[Path] = []
    page = _page(qtbot, make_context(Role.ADMIN), opened)
    with qtbot.waitSignal(page.figures_ready, timeout=20_000) as ready:
        page.preview_button.click()
    summary = ready.args[0]
    assert summary["exposures"]["total"] == 6
    values = {
        page.figures.item(r, 0).text(): page.figures.item(r, 1).text()
        for r in range(page.figures.rowCount())
    }
    assert values["Exposures"] == "6" and values["Exposures per 100 FTE"] == "6.67"
    assert not page.missing.isVisible()  # every section is recorded, every rate available

    page.set_period(dt.date(2024, 1, 1), dt.date(2024, 3, 31))  # no staffing figures for 2024
    with qtbot.waitSignal(page.figures_ready, timeout=20_000):
        page.preview_figures()
    assert page.missing.isVisible()
    assert "No exposures were recorded in this period." in page.missing.text()
    assert "no staffing figures entered for 2024" in page.missing.text()
    page.set_preset("quarter")

    page.set_language("both")
    page.xlsx_check.setChecked(True)
    with qtbot.waitSignal(page.report_built, timeout=30_000) as built:
        page.build_report(tmp_path / "q1.pdf")
        assert page.progress.isVisible()  # the build runs on the task runner
    written = built.args[0]
    assert [p.name for p in written] == ["q1_zh_CN.pdf", "q1_en.pdf", "q1.xlsx"]
    assert all(p.stat().st_size > 1000 for p in written)
    assert opened == [tmp_path / "q1_zh_CN.pdf"]
    assert not page.progress.isVisible()
    qtbot.waitUntil(lambda: not page.context.runner.busy, timeout=10_000)
    with filled.session() as session:  # the figures left the program: audited
        event = session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
    assert event is not None and (event.action, event.entity) == ("export", "summary_report")
    assert json.loads(event.changes)["files"][1] == ["q1_zh_CN.pdf", "q1_en.pdf", "q1.xlsx"]


def test_export_shows_the_preview_then_writes(  # type: ignore[no-untyped-def]
    qtbot, filled, make_context, tmp_path
) -> None:
    page = _page(qtbot, make_context(Role.OSH_OFFICER))
    assert page.export_button.isVisible() and page.import_button.isVisible()
    with qtbot.waitSignal(page.figures_ready, timeout=20_000):
        page.preview_figures()
    dialog = page.open_export()
    assert dialog is not None
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.preview() is not None, timeout=20_000)
    preview = dialog.preview()
    assert preview is not None and preview.exposure_rows == 6
    assert dialog.sample.rowCount() == 5 and dialog.sample.columnCount() == len(
        layout.EXPOSURE_COLUMNS
    )
    assert "names of workers" in dialog.privacy.text()
    out = tmp_path / "package.zip"
    with qtbot.waitSignal(dialog.exported, timeout=30_000):
        dialog.export_to(out)
    with zipfile.ZipFile(out) as archive:
        assert layout.MANIFEST in archive.namelist()
    assert "6" in dialog.status.text()


def test_import_dry_run_shows_row_errors_then_imports(  # type: ignore[no-untyped-def]
    qtbot, filled, make_context, tmp_path
) -> None:
    page = _page(qtbot, make_context(Role.OSH_OFFICER))
    dialog = page.open_import()
    assert dialog is not None
    qtbot.addWidget(dialog)
    header = ",".join(layout.EXPOSURE_COLUMNS)

    def row(uuid: str, exposure_type: str) -> str:
        values = {
            "uuid": uuid,
            "occurred_at": "2025-06-01T09:00",
            "reported_at": "2025-06-01T10:00",
            "exposure_type": exposure_type,
            "department_type": "icu",
        }
        return ",".join(values.get(c, "") for c in layout.EXPOSURE_COLUMNS)

    bad = tmp_path / "bad.csv"
    bad.write_text(
        "\n".join([header, row("aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa", "stab")]), "utf-8"
    )
    with qtbot.waitSignal(dialog.plan_ready, timeout=20_000):
        dialog.load_file(bad)
    assert "Row 2, column exposure_type" in dialog.messages.toPlainText()
    assert not dialog.import_button.isEnabled()
    good = tmp_path / "good.csv"
    good.write_text(
        "\n".join([header, row("bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb", "bite")]), "utf-8"
    )
    with qtbot.waitSignal(dialog.plan_ready, timeout=20_000):
        dialog.load_file(good)
    assert dialog.import_button.isEnabled()
    with qtbot.waitSignal(dialog.imported, timeout=20_000) as done:
        dialog.import_button.click()
    assert done.args[0].created == 1
    assert "Imported 1 exposures" in dialog.status.text()


def test_closing_the_import_after_a_clean_dry_run_asks_first(  # type: ignore[no-untyped-def]
    qtbot, filled, make_context, tmp_path
) -> None:
    context = make_context(Role.OSH_OFFICER, answers=[False, True])
    page = _page(qtbot, context)
    dialog = page.open_import()
    assert dialog is not None
    qtbot.addWidget(dialog)
    values = {
        "uuid": "cccccccc-cccc-4ccc-8ccc-cccccccccccc",
        "occurred_at": "2025-06-01T09:00",
        "reported_at": "2025-06-01T10:00",
        "exposure_type": "bite",
        "department_type": "icu",
    }
    good = tmp_path / "good.csv"
    good.write_text(
        ",".join(layout.EXPOSURE_COLUMNS)
        + "\n"
        + ",".join(values.get(c, "") for c in layout.EXPOSURE_COLUMNS),
        "utf-8",
    )
    with qtbot.waitSignal(dialog.plan_ready, timeout=20_000):
        dialog.load_file(good)
    dialog.show()
    dialog.close_button.click()  # "No": the checked file stays
    assert dialog.isVisible() and dialog.import_button.isEnabled()
    assert "nothing has been imported yet" in context.ask.asked[0]
    dialog.close_button.click()  # "Yes"
    assert not dialog.isVisible()


def test_visible_by_role_and_exchange_buttons_need_the_permission(  # type: ignore[no-untyped-def]
    qtbot, filled, make_context
) -> None:
    assert ReportsPage in pages_for(Actor("v", Role.VIEWER))
    assert ReportsPage not in pages_for(Actor("r", Role.REPORTER))
    page = _page(qtbot, make_context(Role.COMMITTEE_MEMBER))
    assert not page.export_button.isVisible() and not page.import_button.isVisible()
    assert page.open_export() is None and page.open_import() is None


def test_the_page_speaks_chinese(qtbot, filled, make_context, tmp_path) -> None:  # type: ignore[no-untyped-def]
    apply_language("zh_CN")
    assert i18n.current_language() == "zh_CN"
    page = _page(qtbot, make_context(Role.ADMIN))
    with qtbot.waitSignal(page.figures_ready, timeout=20_000):
        page.preview_figures()
    assert untranslated(page) == []
    page.grab().save(str(tmp_path / "reports_zh.png"))
    dialog = page.open_import()
    assert dialog is not None
    qtbot.addWidget(dialog)
    assert untranslated(dialog) == []
