"""List speed work of issue 10 (migration 0008): the orders stay what users see while an index
serves them. Follow-ups by urgency with id-first paging, hazard levels and flags computed in SQL
agreeing with the domain rules under both shipped matrices, empty due dates and departments last
in both directions across page boundaries, the frozen row DTOs built without their __init__, and
on SQLite the query plans that show the indexes at work."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

import pytest
from sqlalchemy import func, select, text, update

from hospital_osh.models import ActionItem, Exposure, FollowUp, Hazard
from hospital_osh.services import actions, exposures, followups, hazards
from hospital_osh.services import post_exposure as pe
from hospital_osh.services.actions import ActionFilter
from hospital_osh.services.context import Actor
from hospital_osh.services.database import Database
from hospital_osh.services.exposures import ExposureFilter, ExposureRow, _Dept
from hospital_osh.services.followups import FollowupFilter, FollowupRow
from hospital_osh.services.hazards import HazardFilter
from hospital_osh.services.hospital import DepartmentInfo, save_department
from hospital_osh.services.page_rows import build_rows
from tests.integration.pe_data import ASSESSED, add_exposure, source
from tests.integration.pe_data import hospital as setup
from tests.integration.test_actions import _create as create_action
from tests.integration.test_hazards import OFFICER
from tests.integration.test_hazards import TODAY as HAZARD_TODAY
from tests.integration.test_hazards import _info as hazard_info

TODAY = dt.date(2026, 4, 20)


def _pages(fetch: Any, size: int) -> list[Any]:
    """Every row, read a page of ``size`` at a time as the table models do."""
    rows: list[Any] = []
    while True:
        page = fetch(len(rows), size)
        rows.extend(page)
        if len(page) < size:
            return rows


def _plan(database: Database, statement: Any) -> str:
    """SQLite's EXPLAIN QUERY PLAN of a statement, one detail per line."""
    compiled = statement.compile(database.engine, compile_kwargs={"literal_binds": True})
    with database.engine.connect() as connection:
        rows = connection.execute(text(f"EXPLAIN QUERY PLAN {compiled}")).all()
    return "\n".join(row[3] for row in rows)


# -- follow-ups -----------------------------------------------------------------------------------


@pytest.fixture
def cases(database: Database, admin: Actor) -> list[int]:
    """Three assessed exposures a week apart: their schedules interleave by date."""
    place = setup(database, admin)
    ids = []
    for days in (0, 7, 14):
        occurred = dt.datetime(2026, 2, 20, 9, 0) - dt.timedelta(days=days)
        exposure_id = add_exposure(
            database,
            admin,
            place,
            occurred_at=occurred,
            reported_at=occurred + dt.timedelta(hours=1),
            **source(source_hiv="positive"),
        )
        with database.transaction() as session:
            pe.assess_exposure(session, admin, exposure_id, now=ASSESSED)
        ids.append(exposure_id)
    return ids


@pytest.mark.parametrize("scope", ["open", "overdue", "due_week", "upcoming", "all"])
def test_followups_come_most_urgent_first_and_page_without_gaps(
    database: Database, admin: Actor, cases: list[int], scope: str
) -> None:
    filters = FollowupFilter(scope=scope)
    with database.session() as session:
        every = followups.list_followups(session, admin, filters, today=TODAY, limit=10_000)
        total = followups.count_followups(session, admin, filters, today=TODAY)
        items = {i.id: i for i in session.scalars(select(FollowUp))}
    assert len(every) == total and (total > 3 or scope in ("due_week", "overdue"))
    keys = [(items[r.id].window_end, items[r.id].due_date, r.id) for r in every]
    assert keys == sorted(keys)  # window end, due date, id: the order of ix_followup_urgency

    def page(offset: int, limit: int) -> list[FollowupRow]:
        with database.session() as session:
            return followups.list_followups(
                session, admin, filters, today=TODAY, offset=offset, limit=limit
            )

    assert [r.id for r in _pages(page, 4)] == [r.id for r in every]


def test_followup_rows_carry_their_exposure_and_worker(
    database: Database, admin: Actor, cases: list[int]
) -> None:
    with database.session() as session:
        rows = followups.list_followups(session, admin, FollowupFilter(scope="all"), today=TODAY)
        exposure = session.get(Exposure, rows[0].exposure_id)
        assert exposure is not None
        one = followups.get_followup(session, admin, rows[0].id, today=TODAY)
    assert one == rows[0]  # the single read and the page give the same row
    assert rows[0].exposure_ref == exposure.reference and rows[0].worker_name == "李小红"
    assert {r.exposure_id for r in rows} == set(cases)


def test_worker_filter_needs_no_join(database: Database, admin: Actor, cases: list[int]) -> None:
    with database.session() as session:
        worker = session.scalar(select(Exposure.worker_id).where(Exposure.id == cases[0]))
        mine = followups.list_followups(
            session, admin, FollowupFilter(scope="all", worker_id=worker), today=TODAY
        )
        nobody = followups.count_followups(
            session, admin, FollowupFilter(scope="all", worker_id=-1), today=TODAY
        )
    assert {r.worker_id for r in mine} == {worker} and nobody == 0


def test_followup_page_is_an_index_range_read(database: Database) -> None:
    if database.engine.dialect.name != "sqlite":
        pytest.skip("EXPLAIN QUERY PLAN is SQLite's")
    for scope in ("open", "overdue", "due_week"):
        page = (
            followups._filtered(select(FollowUp.id), FollowupFilter(scope=scope), TODAY)
            .order_by(*followups.URGENCY_ORDER)
            .limit(200)
        )
        plan = _plan(database, page)
        assert "ix_followup_urgency" in plan and "TEMP B-TREE" not in plan, plan
        count = followups._filtered(
            select(func.count(FollowUp.id)), FollowupFilter(scope=scope), TODAY
        )
        assert "COVERING INDEX" in _plan(database, count)  # the tab counts read no rows


# -- hazards --------------------------------------------------------------------------------------


@pytest.fixture
def register(database: Database, admin: Actor) -> list[int]:
    """Hazards over many cells, some residual-scored, some accepted, one without strong
    controls, reviews past, near and far, one retired."""
    with database.transaction() as session:
        department = save_department(
            session, admin, DepartmentInfo("PH", "药剂科", "Pharmacy", "pharmacy"), bootstrap=True
        ).id
    assert department is not None
    ids = []
    variants: list[dict[str, Any]] = []
    for likelihood in range(1, 6):
        for severity in range(1, 6, 2):
            variants.append(
                {
                    "initial_likelihood": likelihood,
                    "initial_severity": severity,
                    "residual_likelihood": None if likelihood % 2 else max(likelihood - 1, 1),
                    "residual_severity": None if likelihood % 2 else severity,
                    "assessed_on": HAZARD_TODAY - dt.timedelta(days=40 * likelihood * severity),
                }
            )
    variants.append(  # a red risk resting on PPE alone: the weak-controls warning
        {
            "controls": (hazards.ControlInfo("Gloves", "ppe"),),
            "initial_likelihood": 5,
            "initial_severity": 5,
            "residual_likelihood": 5,
            "residual_severity": 5,
            "residual_reason": "Nothing else is possible yet",
        }
    )
    for values in variants:
        with database.transaction() as session:
            saved = hazards.create_hazard(
                session, OFFICER, hazard_info(department, **values), today=HAZARD_TODAY
            )
            assert saved.hazard.id is not None
            ids.append(saved.hazard.id)
    with database.transaction() as session:
        hazards.retire_hazard(session, admin, ids[0], "Task no longer done")
    return ids


@pytest.mark.parametrize("matrix_id", sorted(hazards.MATRIX_FILES))
def test_hazard_levels_and_flags_in_sql_agree_with_the_rules(
    database: Database, admin: Actor, register: list[int], matrix_id: str
) -> None:
    with database.transaction() as session:
        hazards.set_risk_matrix(session, admin, matrix_id)
    today = dt.date(2027, 6, 1)  # some reviews overdue, some due within 30 days, some later
    with database.session() as session:
        rows = hazards.list_hazards(
            session, admin, HazardFilter(status=None), limit=1000, today=today
        )
        assert {r.id for r in rows} == set(register)
        for row in rows:
            info = hazards.get_hazard(session, admin, row.id, today=today)
            assert (row.level, row.review_state) == (info.current_level, info.review_state)
            assert row.weak_controls_warning is info.weak_controls_warning
            assert row.acceptance_missing is info.acceptance_missing
            assert row.residual_scored is (info.residual_likelihood is not None)
            cell = (
                (info.residual_likelihood, info.residual_severity)
                if row.residual_scored
                else (info.initial_likelihood, info.initial_severity)
            )
            assert (row.likelihood, row.severity) == cell
            assert row.score == row.likelihood * row.severity
    # The register holds every case the SQL must get right (else this test proves little).
    assert {r.review_state for r in rows} == {"overdue", "due", "scheduled", None}
    assert {r.weak_controls_warning for r in rows} == {True, False}
    assert {r.acceptance_missing for r in rows} == {True, False}
    assert len({r.level for r in rows}) == len(hazards.shipped_matrix(matrix_id).levels)


@pytest.mark.parametrize("sort", hazards.SORT_KEYS)
@pytest.mark.parametrize("descending", [False, True])
def test_hazard_pages_follow_every_order(
    database: Database, admin: Actor, register: list[int], sort: str, descending: bool
) -> None:
    def page(offset: int, limit: int) -> list[Any]:
        with database.session() as session:
            return hazards.list_hazards(
                session,
                admin,
                HazardFilter(status=None),
                sort=sort,
                descending=descending,
                offset=offset,
                limit=limit,
            )

    whole = page(0, 1000)
    assert [r.id for r in _pages(page, 4)] == [r.id for r in whole]
    if sort == "level":
        matrix = hazards.shipped_matrix(hazards.DEFAULT_MATRIX)
        keys = [(matrix.level_by_code(r.level).rank, r.score) for r in whole]
        assert keys == sorted(keys, reverse=descending)


def test_hazard_orders_use_their_indexes(database: Database, admin: Actor) -> None:
    if database.engine.dialect.name != "sqlite":
        pytest.skip("EXPLAIN QUERY PLAN is SQLite's")
    with database.session() as session:
        matrix = hazards.current_matrix(session)
    columns = hazards._sort_columns(matrix)
    review = (
        select(Hazard.id)
        .where(Hazard.status == "active")
        .order_by(*columns["next_review"], Hazard.ref_seq)
    )
    plan = _plan(database, review)
    assert "ix_hazard_review_order" in plan and "TEMP B-TREE" not in plan, plan
    level = select(Hazard.id).where(Hazard.status == "active").order_by(*columns["level"])
    assert "COVERING INDEX ix_hazard_level_order" in _plan(database, level)


# -- action items ---------------------------------------------------------------------------------


@pytest.fixture
def plan_items(database: Database) -> list[int]:
    """Nine items: six dated (two share a date), three without a due date."""
    ids = []
    for n, due in enumerate([12, None, 3, 30, None, 3, 18, None, 7]):
        item = create_action(
            database,
            title=f"Item {n}",
            due_date=None if due is None else dt.date(2026, 6, 1) + dt.timedelta(days=due),
        )
        assert item.id is not None
        ids.append(item.id)
    return ids


@pytest.mark.parametrize("descending", [False, True])
@pytest.mark.parametrize("size", [1, 2, 4, 6, 7, 100])
def test_undated_items_come_last_on_every_page(
    database: Database, admin: Actor, plan_items: list[int], descending: bool, size: int
) -> None:
    def page(offset: int, limit: int) -> list[Any]:
        with database.session() as session:
            return actions.list_actions(
                session, admin, ActionFilter(), "due_date", descending, offset, limit
            )

    rows = _pages(page, size)
    dated = [r for r in rows if r.due_date is not None]
    assert len(rows) == 9 and rows[: len(dated)] == dated  # the undated ones after, always
    keys = [(r.due_date, r.id) for r in dated]
    assert keys == sorted(keys, reverse=descending)
    undated = [r.id for r in rows[len(dated) :]]
    assert undated == sorted(undated, reverse=descending)
    assert page(50, 10) == []  # past the end: nothing, not an error


def test_action_sorts_without_empty_values_keep_their_order(
    database: Database, admin: Actor, plan_items: list[int]
) -> None:
    with database.session() as session:
        rows = actions.list_actions(session, admin, ActionFilter(), "title", True, 0, 100)
    assert [r.title for r in rows] == sorted((r.title for r in rows), reverse=True)


def test_action_due_order_reads_its_index(database: Database, admin: Actor) -> None:
    if database.engine.dialect.name != "sqlite":
        pytest.skip("EXPLAIN QUERY PLAN is SQLite's")
    dated = (
        select(ActionItem.id)
        .where(ActionItem.due_date.is_not(None))
        .order_by(ActionItem.due_date, ActionItem.id)
    )
    plan = _plan(database, dated)
    assert "ix_action_item_due" in plan and "TEMP B-TREE" not in plan, plan
    latest = select(ActionItem.id).order_by(ActionItem.updated_at.desc(), ActionItem.id.desc())
    plan = _plan(database, latest)
    assert "ix_action_item_updated" in plan and "TEMP B-TREE" not in plan, plan


# -- exposures ------------------------------------------------------------------------------------


@pytest.mark.parametrize("descending", [False, True])
def test_records_without_a_department_sort_last(
    database: Database, admin: Actor, descending: bool
) -> None:
    place = setup(database, admin)
    ids = [
        add_exposure(database, admin, place, department_id=department)
        for department in (place.icu, place.ward, place.icu, place.ward, place.icu)
    ]
    with database.transaction() as session:  # imported records may name no department
        session.execute(update(Exposure).where(Exposure.id.in_(ids[3:])).values(department_id=None))

    def page(offset: int, limit: int) -> list[ExposureRow]:
        with database.session() as session:
            return exposures.list_exposures(
                session, admin, ExposureFilter(), "department", descending, offset, limit
            )

    for size in (1, 2, 3, 100):
        rows = _pages(page, size)
        assert [r.department_code for r in rows][3:] == ["", ""]
        codes = [(r.department_code, r.id) for r in rows[:3]]
        assert codes == sorted(codes, reverse=descending)
        assert [r.id for r in rows[3:]] == sorted(ids[3:], reverse=descending)


def test_department_order_walks_departments_then_records(database: Database) -> None:
    if database.engine.dialect.name != "sqlite":
        pytest.skip("EXPLAIN QUERY PLAN is SQLite's")
    page = (
        select(Exposure.id)
        .join(_Dept, Exposure.department_id == _Dept.id)
        .order_by(_Dept.code, Exposure.id)
        .limit(200)
    )
    plan = _plan(database, page)
    assert "ix_exposure_department_id" in plan and "TEMP B-TREE" not in plan, plan


# -- row DTOs -------------------------------------------------------------------------------------


def test_built_rows_are_the_dataclass_itself() -> None:
    values = tuple(
        f.name if f.type in ("str", str) else None for f in dataclasses.fields(ExposureRow)
    )
    built = build_rows(ExposureRow, [values])[0]
    made = ExposureRow(*values)
    assert built == made and hash(built) == hash(made) and repr(built) == repr(made)
    assert dataclasses.replace(built, reference="EXP-1").reference == "EXP-1"
    with pytest.raises(dataclasses.FrozenInstanceError):
        built.reference = "changed"  # type: ignore[misc]
    with pytest.raises(ValueError, match="20 fields, got 2"):
        build_rows(ExposureRow, [("a", "b")])
