"""Action items: every allowed and refused transition, guards, rights, log, evidence, lists."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from hospital_osh.domain import actions as rules
from hospital_osh.domain.actions import ActionStatus
from hospital_osh.domain.roles import Role
from hospital_osh.models import ActionUpdate, AuditEvent
from hospital_osh.services import actions
from hospital_osh.services import users as users_service
from hospital_osh.services.actions import ActionFilter, ActionInfo
from hospital_osh.services.context import Actor
from hospital_osh.services.database import Database
from hospital_osh.services.errors import NotFound, PermissionDenied, ValidationError
from tests.conftest import actor
from tests.integration.exposure_data import setup_hospital

TODAY = dt.date(2026, 6, 1)
OFFICER = actor(Role.OSH_OFFICER, "officer")
COMMITTEE = Actor("committee", Role.COMMITTEE_MEMBER, display_name="张委员")
REPORTER = actor(Role.REPORTER)
VIEWER = actor(Role.VIEWER)

# Facts that satisfy every guard, so only the table decides whether a move is allowed.
_GOOD = {"reason": "Reason given", "new_due_date": TODAY + dt.timedelta(days=30)}


def _item(**changes: object) -> ActionInfo:
    base = ActionInfo(
        title="Install a ceiling hoist in bay 3",
        location="Bay 3",
        owner_name="王护士长",
        due_date=TODAY + dt.timedelta(days=20),
        resources="Hoist from the equipment budget",
        cost_cny=Decimal("18000.00"),
        source_kind="healthwise",
        source_id=1,
        source_item="M2-01",
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def _create(database: Database, **changes: object) -> ActionInfo:
    with database.transaction() as session:
        return actions.create_action(session, OFFICER, _item(**changes), today=TODAY)


def _force_status(database: Database, action_id: int, status: str) -> None:
    from hospital_osh.models import ActionItem

    with database.transaction() as session:
        row = session.get(ActionItem, action_id)
        assert row is not None
        row.status = status


PAIRS = [(s, t) for s in ActionStatus for t in ActionStatus if s != t]


@pytest.mark.parametrize(("source", "target"), PAIRS, ids=[f"{s}->{t}" for s, t in PAIRS])
def test_every_transition_is_allowed_or_refused_as_the_table_says(
    database: Database, admin: Actor, source: str, target: str
) -> None:
    item = _create(database)
    assert item.id is not None
    _force_status(database, item.id, source)
    allowed = rules.transition_for(source, target) is not None
    with database.transaction() as session:
        if allowed:
            result = actions.transition_action(
                session, admin, item.id, target, today=TODAY, **_GOOD
            )
            assert result.status == target
        else:
            with pytest.raises(ValidationError) as error:
                actions.transition_action(session, admin, item.id, target, today=TODAY, **_GOOD)
            assert "cannot become" in str(error.value)


def test_the_table_has_the_moves_of_the_domain_reference() -> None:
    moves = {(t.source.value, t.target.value) for t in rules.TRANSITIONS}
    assert ("proposed", "approved") in moves and ("done", "verified") in moves
    assert ("done", "in_progress") in moves and ("verified", "closed") in moves
    assert not any(source in rules.CLOSED_STATUSES for source, _t in moves)


def test_full_life_cycle_with_log_and_audit(database: Database) -> None:
    item = _create(database)
    assert item.reference == f"ACT-{dt.date.today().year}-0001" and item.status == "proposed"
    assert item.id is not None
    steps = [
        (COMMITTEE, "approved", {}),
        (OFFICER, "planned", {}),
        (OFFICER, "in_progress", {}),
        (OFFICER, "done", {"reason": "Hoist installed and staff trained"}),
        (COMMITTEE, "verified", {}),
        (COMMITTEE, "closed", {}),
    ]
    for who, target, extra in steps:
        with database.transaction() as session:
            item = actions.transition_action(session, who, item.id, target, today=TODAY, **extra)
    assert item.status == "closed" and item.verified_by == "张委员" and item.verified_on == TODAY
    with database.session() as session:
        log = actions.list_updates(session, OFFICER, item.id)
        audit_count = session.scalar(
            select(func.count(AuditEvent.id)).where(AuditEvent.entity == "action_item")
        )
    assert [u.new_status for u in log] == ["proposed", *[s[1] for s in steps]]
    assert log[4].comment == "Hoist installed and staff trained" and log[4].actor == "officer"
    assert audit_count == 1 + len(steps)
    with database.transaction() as session, pytest.raises(ValidationError):
        actions.update_action(session, OFFICER, replace(item, title="Too late"))


def test_guards_reason_new_date_and_planning_facts(database: Database, admin: Actor) -> None:
    item = _create(database, owner_name="", due_date=None, resources="")
    assert item.id is not None
    with database.transaction() as session, pytest.raises(ValidationError) as error:
        actions.transition_action(session, admin, item.id, "rejected", today=TODAY)
    assert set(error.value.fields) == {"reason"}
    with database.transaction() as session:
        actions.transition_action(session, admin, item.id, "approved", today=TODAY)
    with database.transaction() as session, pytest.raises(ValidationError) as error:
        actions.transition_action(session, admin, item.id, "planned", today=TODAY)
    assert set(error.value.fields) == {"owner", "due_date", "resources"}
    with database.transaction() as session:
        item = actions.get_action(session, admin, item.id)
        item = actions.update_action(
            session,
            admin,
            replace(item, owner_name="王护士长", due_date=TODAY, resources="Budget"),
        )
        actions.transition_action(session, admin, item.id or 0, "planned", today=TODAY)
    with database.transaction() as session, pytest.raises(ValidationError) as error:
        actions.transition_action(
            session, admin, item.id or 0, "deferred", reason="No budget", today=TODAY
        )
    assert set(error.value.fields) == {"new_due_date"}
    with database.transaction() as session, pytest.raises(ValidationError) as error:
        actions.transition_action(
            session,
            admin,
            item.id or 0,
            "deferred",
            reason="No budget",
            new_due_date=TODAY - dt.timedelta(days=1),
            today=TODAY,
        )
    assert "past" in error.value.fields["new_due_date"]
    later = TODAY + dt.timedelta(days=90)
    with database.transaction() as session:
        deferred = actions.transition_action(
            session,
            admin,
            item.id or 0,
            "deferred",
            reason="No budget",
            new_due_date=later,
            today=TODAY,
        )
    assert deferred.due_date == later and deferred.status_reason == "No budget"


def _done_item(database: Database, **changes: object) -> int:
    item = _create(database, **changes)
    assert item.id is not None
    _force_status(database, item.id, "done")
    return item.id


def test_the_owner_cannot_verify_their_own_item(database: Database) -> None:
    with database.transaction() as session:
        user = users_service.create_user(
            session,
            actor(Role.ADMIN, "admin"),
            username="committee",
            display_name="张委员",
            role=Role.COMMITTEE_MEMBER,
            password="a password 1",
        )
    by_account = _done_item(database, owner_user_id=user.id, owner_name="")
    by_name = _done_item(database, owner_name="张委员")
    for action_id in (by_account, by_name):
        with database.transaction() as session, pytest.raises(ValidationError) as error:
            actions.transition_action(session, COMMITTEE, action_id, "verified", today=TODAY)
        assert "verifier" in error.value.fields
    other = Actor("chair", Role.COMMITTEE_MEMBER, display_name="李主任")
    with database.transaction() as session:
        assert actions.transition_action(session, other, by_name, "verified").status == "verified"


def test_failed_verification_reopens_and_counts(database: Database) -> None:
    action_id = _done_item(database)
    with database.transaction() as session:
        info = actions.transition_action(
            session, COMMITTEE, action_id, "in_progress", reason="Hoist not yet used", today=TODAY
        )
    assert info.status == "in_progress" and info.reopened_count == 1


@pytest.mark.parametrize(
    ("who", "target", "allowed"),
    [
        (OFFICER, "approved", False),  # approving is a committee decision
        (COMMITTEE, "approved", True),
        (REPORTER, "approved", False),
        (VIEWER, "cancelled", False),
        (OFFICER, "cancelled", True),
        (COMMITTEE, "rejected", True),
        (OFFICER, "rejected", False),
    ],
)
def test_rights_per_transition(database: Database, who: Actor, target: str, allowed: bool) -> None:
    item = _create(database)
    with database.transaction() as session:
        if allowed:
            actions.transition_action(session, who, item.id or 0, target, reason="r", today=TODAY)
        else:
            with pytest.raises(PermissionDenied):
                actions.transition_action(
                    session, who, item.id or 0, target, reason="r", today=TODAY
                )


def test_reporters_and_viewers_cannot_create_or_edit(database: Database) -> None:
    for who in (REPORTER, VIEWER):
        with database.transaction() as session, pytest.raises(PermissionDenied):
            actions.create_action(session, who, _item())
    with database.session() as session, pytest.raises(PermissionDenied):
        actions.list_actions(session, REPORTER)


def test_validation_messages(database: Database) -> None:
    place = setup_hospital(database, actor(Role.ADMIN, "admin"))
    with database.transaction() as session, pytest.raises(ValidationError) as error:
        actions.create_action(
            session,
            OFFICER,
            _item(
                title=" ",
                cost_cny=Decimal("-1"),
                hierarchy_level="magic",
                department_id=place.icu + 100,
                source_kind="nowhere",
            ),
        )
    assert set(error.value.fields) == {
        "title",
        "cost_cny",
        "hierarchy_level",
        "department_id",
        "source_kind",
    }
    with database.transaction() as session, pytest.raises(ValidationError) as error:
        actions.create_action(session, OFFICER, _item(source_kind="hazard", source_id=3))
    assert set(error.value.fields) == {"hierarchy_level"}
    with database.transaction() as session:
        made = actions.create_action(
            session,
            OFFICER,
            _item(source_kind="hazard", source_id=3, hierarchy_level="engineering"),
        )
        assert made.hierarchy_level == "engineering"
        linked = actions.actions_for_source(session, OFFICER, "hazard", 3)
    assert [r.id for r in linked] == [made.id]


def test_an_edit_that_changes_nothing_logs_nothing(database: Database) -> None:
    item = _create(database)
    with database.session() as session:
        before = session.scalar(select(func.count(AuditEvent.id)))
    with database.transaction() as session:
        same = actions.update_action(session, OFFICER, item)
    with database.session() as session:
        assert session.scalar(select(func.count(AuditEvent.id))) == before
        updates = session.scalar(select(func.count(ActionUpdate.id)))
    assert same.version == item.version and updates == 1
    with database.transaction() as session:
        changed = actions.update_action(
            session, OFFICER, replace(item, location="Bay 4"), comment="Moved"
        )
        log = actions.list_updates(session, OFFICER, item.id or 0)
    assert changed.location == "Bay 4"
    assert log[-1].changes == {"location": ["Bay 3", "Bay 4"]} and log[-1].comment == "Moved"


PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def test_evidence_is_stored_in_the_database(database: Database) -> None:
    item = _create(database)
    with database.transaction() as session:
        evidence = actions.add_evidence(
            session, OFFICER, item.id or 0, "C:\\photos\\before.png", PNG, kind="before"
        )
    assert evidence.filename == "before.png" and evidence.mime_type == "image/png"
    with database.session() as session:
        info, data = actions.evidence_data(session, VIEWER, evidence.id)
        listed = actions.list_evidence(session, VIEWER, item.id or 0)
        assert actions.get_action(session, VIEWER, item.id or 0).evidence_count == 1
    assert data == PNG and info.size == len(PNG) and [e.id for e in listed] == [evidence.id]


@pytest.mark.parametrize(
    ("filename", "data", "field_text"),
    [
        ("x.exe", b"MZ", "cannot be attached"),
        ("fake.png", b"GIF89a....", "not a real png"),
        ("empty.pdf", b"", "empty"),
        ("big.pdf", b"%PDF-" + b"0" * actions.MAX_EVIDENCE_BYTES, "larger than 10 MB"),
    ],
)
def test_bad_evidence_is_refused(
    database: Database, filename: str, data: bytes, field_text: str
) -> None:
    item = _create(database)
    with database.transaction() as session, pytest.raises(ValidationError) as error:
        actions.add_evidence(session, OFFICER, item.id or 0, filename, data)
    assert field_text in error.value.fields["file"]


def test_list_filters_sorting_paging_and_counts(database: Database, admin: Actor) -> None:
    place = setup_hospital(database, admin)
    made = []
    for index in range(6):
        made.append(
            _create(
                database,
                title=f"Item {index}",
                department_id=place.icu if index % 2 else place.ward,
                due_date=TODAY + dt.timedelta(days=index - 3),
            )
        )
    made.append(_create(database, title="No date", due_date=None))
    _force_status(database, made[0].id or 0, "done")  # past due but done: not overdue
    _force_status(database, made[1].id or 0, "cancelled")
    with database.session() as session:
        overdue = actions.list_actions(session, VIEWER, ActionFilter(overdue=True), today=TODAY)
        assert [r.title for r in overdue] == ["Item 2"]
        assert overdue[0].overdue
        page = actions.list_actions(session, VIEWER, sort="due_date", offset=0, limit=3)
        assert [r.title for r in page] == ["Item 0", "Item 1", "Item 2"]
        last = actions.list_actions(session, VIEWER, sort="due_date", offset=6, limit=3)
        assert [r.title for r in last] == ["No date"]  # no due date sorts last
        desc = actions.list_actions(session, VIEWER, sort="due_date", descending=True, limit=1)
        assert desc[0].title == "Item 5"  # nulls last in both directions
        icu = actions.count_actions(session, VIEWER, ActionFilter(department_id=place.icu))
        assert icu == 3
        open_items = actions.count_actions(session, VIEWER, ActionFilter(open_only=True))
        assert open_items == 6
        found = actions.list_actions(session, VIEWER, ActionFilter(search="item 4"))
        assert [r.title for r in found] == ["Item 4"]
        counts = actions.action_counts(session, VIEWER, today=TODAY)
    assert counts.total == 7 and counts.overdue == 1
    assert counts.by_status == {"proposed": 5, "done": 1, "cancelled": 1}
    assert counts.open == 6


def test_available_transitions_follow_the_role() -> None:
    officer = {c.target for c in actions.available_transitions(OFFICER, "proposed")}
    committee = {c.target for c in actions.available_transitions(COMMITTEE, "proposed")}
    assert officer == {"cancelled"}
    assert committee == {"approved", "rejected", "cancelled"}
    assert actions.available_transitions(VIEWER, "proposed") == []


def test_a_move_no_role_right_allows_is_refused_before_the_item_is_read(
    database: Database,
) -> None:
    """A viewer asking to cancel learns that the role cannot, not whether the item exists."""
    with database.transaction() as session:
        with pytest.raises(PermissionDenied):
            actions.transition_action(session, VIEWER, 999_999, "cancelled", reason="r")
        with pytest.raises(NotFound):
            actions.transition_action(session, OFFICER, 999_999, "cancelled", reason="r")
