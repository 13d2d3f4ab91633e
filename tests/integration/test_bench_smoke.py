"""The benchmark's measuring code, run on a tiny demo database so that ``bench/`` cannot rot.

The benchmark itself (``python bench/run.py``) stays out of the suite: it takes minutes. This runs
the list measurement it runs for the S size (services against the same SQL run directly, query
plans), with a page size small enough that scrolling crosses several pages.
"""

from __future__ import annotations

import datetime as dt

import pytest

from bench import lists, run
from hospital_osh.services import demo
from hospital_osh.services.database import Database


@pytest.fixture
def demo_database(database: Database) -> Database:
    demo.build(database, records=40, staff=60, hazards=3, today=dt.date(2026, 6, 30))
    return database


def test_list_measurement_times_the_service_against_its_own_sql(
    demo_database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(lists, "PAGE_SIZE", 7)
    url = demo_database.url.render_as_string(hide_password=False)

    result = lists.measure_list(url, "exposures", repeat=2)

    assert result.status == "measured" and result.table_rows == 40
    by_name = {op.name: op for op in result.operations}
    assert set(by_name) >= {"first page", "filter: department", "scroll to end"}
    scroll = by_name["scroll to end"]
    assert scroll.rows == 40  # every page read once, none twice: 6 pages of 7 rows
    assert scroll.statements == 6
    first = by_name["first page"]
    assert first.statements == 2  # the page and the total
    for op in result.operations:
        assert op.app_s > 0 and op.floor_s > 0 and op.ratio > 0
        assert op.plans and all("exposure" in plan for plan in op.plans)
    keyword = "SCAN" if demo_database.is_sqlite else "Scan"
    assert any(keyword in plan for plan in first.plans)
    assert scroll.peak_python_mb is not None and result.max_rss_mb


def test_a_list_without_rows_is_reported_not_measured(database: Database) -> None:
    url = database.url.render_as_string(hide_password=False)
    result = lists.measure_list(url, "follow-ups", repeat=1)
    assert result.status.startswith("no data") and not result.operations


def test_the_table_shows_ratios_targets_and_unbuilt_features() -> None:
    results = [
        run.Result("staff: first page", 0.004, floor_s=0.002, target="<= 2x", passed=True),
        run.not_built("dashboard complete", "the dashboard page"),
    ]
    text = run.table(results)
    assert "2.00" in text and "pass" in text
    assert "not yet built: the dashboard page" in text and "n/a" in text
