"""The minutes' sign-off state machine (every pair of states) and the plan-revision diff."""

from __future__ import annotations

import itertools

import pytest

from hospital_osh.domain import committee as rules
from hospital_osh.domain import healthwise as hw
from hospital_osh.domain.committee import MinutesState

S = MinutesState
BOTH = rules.SIGNATORY_ROLES
ALLOWED = {
    (S.DRAFT, S.CIRCULATED),
    (S.CIRCULATED, S.DRAFT),
    (S.CIRCULATED, S.APPROVED),
    (S.APPROVED, S.LOCKED),
    (S.APPROVED, S.DRAFT),
}


@pytest.mark.parametrize(("source", "target"), list(itertools.product(S, S)))
def test_every_pair_of_states(source: S, target: S) -> None:
    """With everything a move needs (held, both approvals, a reason), exactly the table's moves
    pass; any other pair is refused naming both states."""
    found = rules.check_minutes_move(
        source, target, held=True, signed_roles=BOTH, reason="Wrong date in item 3"
    )
    if (source, target) in ALLOWED:
        assert found == []
    else:
        assert [f.field for f in found] == ["minutes_state"]
        assert found[0].text.kwargs == {"state": source.value, "target": target.value}


def test_locked_minutes_never_move() -> None:
    assert rules.minutes_moves_from(S.LOCKED) == ()
    assert not rules.minutes_editable(S.LOCKED)
    assert [s for s in S if rules.minutes_editable(s)] == [S.DRAFT]


def test_circulating_needs_a_held_meeting() -> None:
    found = rules.check_minutes_move(S.DRAFT, S.CIRCULATED, held=False)
    assert [f.field for f in found] == ["status"]


@pytest.mark.parametrize(
    ("signed", "missing"),
    [((), "chair, co_chair"), (("chair",), "co_chair"), (("co_chair",), "chair")],
)
def test_approval_needs_both_co_chairs(signed: tuple[str, ...], missing: str) -> None:
    found = rules.check_minutes_move(S.CIRCULATED, S.APPROVED, held=True, signed_roles=signed)
    assert [f.field for f in found] == ["signatures"]
    assert found[0].text.kwargs == {"roles": missing}


@pytest.mark.parametrize(("source", "target"), [(S.CIRCULATED, S.DRAFT), (S.APPROVED, S.DRAFT)])
def test_returning_and_correcting_need_a_reason(source: S, target: S) -> None:
    found = rules.check_minutes_move(source, target, held=True, reason="  ")
    assert [f.field for f in found] == ["reason"]
    move = rules.minutes_move(source, target)
    assert move is not None and move.new_version == (source == S.APPROVED)


@pytest.mark.parametrize("state", [S.DRAFT, S.APPROVED, S.LOCKED])
def test_signing_only_circulated_minutes(state: S) -> None:
    found = rules.check_signature(state, "chair", ())
    assert [f.field for f in found] == ["minutes_state"]


def test_signing_rules() -> None:
    assert rules.check_signature(S.CIRCULATED, "chair", ()) == []
    assert rules.check_signature(S.CIRCULATED, "co_chair", ("chair",)) == []
    secretary = rules.check_signature(S.CIRCULATED, "secretary", ())
    assert [f.field for f in secretary] == ["member"]
    twice = rules.check_signature(S.CIRCULATED, "chair", ("chair",))
    assert twice[0].text.kwargs == {"role": "chair"}


def _facts(reference: str, **changes: str) -> hw.PlanItemFacts:
    values = {
        "title": "Install a hoist",
        "owner": "王护士长",
        "due_date": "2026-07-01",
        "cost_cny": "3000.00",
    } | changes
    return hw.PlanItemFacts(reference, **values)


def test_plan_changes_item_by_item() -> None:
    approved = [_facts("ACT-2026-0001"), _facts("ACT-2026-0002"), _facts("ACT-2026-0003")]
    current = [
        _facts("ACT-2026-0001"),
        _facts("ACT-2026-0002", due_date="2026-08-01", owner="李工", cost_cny=""),
        _facts("ACT-2026-0004"),
    ]
    found = hw.plan_changes(approved, current)
    assert [(c.reference, c.kind, c.field, c.old, c.new) for c in found] == [
        ("ACT-2026-0002", "changed", "owner", "王护士长", "李工"),
        ("ACT-2026-0002", "changed", "due_date", "2026-07-01", "2026-08-01"),
        ("ACT-2026-0002", "changed", "cost_cny", "3000.00", ""),
        ("ACT-2026-0003", "removed", "", "", ""),
        ("ACT-2026-0004", "added", "", "", ""),
    ]
    assert hw.plan_changes(approved, approved) == []
    assert [
        c.field for c in hw.plan_changes(approved[:1], [_facts("ACT-2026-0001", title="x")])
    ] == ["title"]
