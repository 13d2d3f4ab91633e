"""The OSH committee's code lists and what each decision does to the item it is about.

Committee records follow domain/healthwise.md d.4: members with their role and side (management
or worker representative), meetings with attendance, and decisions per reviewed item. A decision
that is a status change of an action item or a HealthWISE plan names the target status here, so
recording it applies the change through the same guards as anywhere else.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from enum import StrEnum

from hospital_osh.domain.codes import N_, code_list
from hospital_osh.domain.messages import Issue, Severity, issue

COMMITTEE_ROLES = code_list(
    "committee_role",
    ("chair", N_("Chair")),
    ("co_chair", N_("Co-chair")),
    ("secretary", N_("Secretary")),
    ("member", N_("Member")),
)

SIDES = code_list(
    "committee_side",
    ("management", N_("Management representative")),
    ("worker", N_("Worker representative")),
)

ATTENDANCE = code_list(
    "attendance",
    ("present", N_("Present")),
    ("absent", N_("Absent")),
    ("guest", N_("Guest")),
)

MEETING_STATUSES = code_list(
    "meeting_status",
    ("planned", N_("Planned")),
    ("held", N_("Held")),
)

REVIEW_KINDS = code_list(
    "review_kind",
    ("new_plan", N_("New plan to approve")),
    ("proposed", N_("Proposed item")),
    ("overdue", N_("Overdue item")),
    ("awaiting_verification", N_("Done, awaiting verification")),
    ("awaiting_closure", N_("Verified, awaiting closure")),
    ("changed_plan", N_("Plan changed since approval")),
)


@dataclass(frozen=True)
class DecisionKind:
    code: str
    label: str
    subject: str  # "action" or "assessment"
    target: str | None  # the status it leads to; None: recorded only
    needs_note: bool = False
    needs_new_due_date: bool = False


DECISIONS: tuple[DecisionKind, ...] = (
    DecisionKind("approve", N_("Approve"), "action", "approved"),
    DecisionKind("reject", N_("Reject"), "action", "rejected", needs_note=True),
    DecisionKind("verify", N_("Verify"), "action", "verified"),
    DecisionKind("reopen", N_("Reopen: verification failed"), "action", "in_progress", True),
    DecisionKind("close", N_("Close"), "action", "closed"),
    DecisionKind("defer", N_("Defer"), "action", "deferred", True, needs_new_due_date=True),
    DecisionKind("note", N_("Noted"), "action", None, needs_note=True),
    DecisionKind("approve_plan", N_("Approve the plan"), "assessment", "plan_approved"),
    DecisionKind(
        "return_plan", N_("Return the plan for rework"), "assessment", "in_group_review", True
    ),
    DecisionKind("approve_revision", N_("Approve the revised plan"), "assessment", None),
    DecisionKind("new_action", N_("New action item"), "new", "proposed"),
)
DECISION_CODES = code_list("committee_decision", *((d.code, d.label) for d in DECISIONS))


def decision_kind(code: str) -> DecisionKind | None:
    return next((d for d in DECISIONS if d.code == code), None)


# -- the sign-off of minutes (domain/healthwise.md d.4, sign-off model [U]) ----------------------


class MinutesState(StrEnum):
    DRAFT = "draft"
    CIRCULATED = "circulated"
    APPROVED = "approved"
    LOCKED = "locked"


MINUTES_STATES = code_list(
    "minutes_state",
    (MinutesState.DRAFT, N_("Draft")),
    (MinutesState.CIRCULATED, N_("Circulated for approval")),
    (MinutesState.APPROVED, N_("Approved")),
    (MinutesState.LOCKED, N_("Locked")),
)

SIGNATORY_ROLES: tuple[str, ...] = ("chair", "co_chair")
"""The co-chairs (one management, one worker representative) approve the minutes."""


@dataclass(frozen=True)
class MinutesMove:
    source: MinutesState
    target: MinutesState
    label: str
    needs_reason: bool = False
    new_version: bool = False  # a correction after approval: the approved version is kept


_M = MinutesState
MINUTES_MOVES: tuple[MinutesMove, ...] = (
    MinutesMove(_M.DRAFT, _M.CIRCULATED, N_("Circulate for approval")),
    MinutesMove(_M.CIRCULATED, _M.DRAFT, N_("Return to draft"), needs_reason=True),
    MinutesMove(_M.CIRCULATED, _M.APPROVED, N_("Approve")),
    MinutesMove(_M.APPROVED, _M.LOCKED, N_("Lock")),
    MinutesMove(_M.APPROVED, _M.DRAFT, N_("Correct: start a new version"), True, new_version=True),
)
"""Every allowed step of the minutes. Approval happens when the last co-chair signs; locked
minutes are final (filed and posted): nothing moves them again."""


def minutes_move(source: str, target: str) -> MinutesMove | None:
    return next((m for m in MINUTES_MOVES if m.source == source and m.target == target), None)


def minutes_moves_from(source: str) -> tuple[MinutesMove, ...]:
    return tuple(m for m in MINUTES_MOVES if m.source == source)


def minutes_editable(state: str) -> bool:
    """Only draft minutes change; circulated ones go back to draft, approved ones are corrected."""
    return state == MinutesState.DRAFT


def check_minutes_move(
    source: str,
    target: str,
    *,
    held: bool,
    signed_roles: Collection[str] = (),
    reason: str = "",
) -> list[Issue]:
    """Errors that refuse moving minutes from ``source`` to ``target`` (empty: allowed)."""
    error = Severity.ERROR
    move = minutes_move(source, target)
    if move is None:
        return [
            issue(
                "minutes_state",
                error,
                N_("Minutes that are {state} cannot become {target}."),
                state=source,
                target=target,
            )
        ]
    found: list[Issue] = []
    if move.needs_reason and not reason.strip():
        found.append(issue("reason", error, N_("Give the reason.")))
    if target == MinutesState.CIRCULATED and not held:
        found.append(
            issue(
                "status",
                error,
                N_("Only the minutes of a meeting that was held can be circulated."),
            )
        )
    if target == MinutesState.APPROVED:
        missing = [r for r in SIGNATORY_ROLES if r not in signed_roles]
        if missing:
            found.append(
                issue(
                    "signatures",
                    error,
                    N_("The minutes still need the approval of: {roles}."),
                    roles=", ".join(missing),
                )
            )
    return found


def check_signature(state: str, role: str, signed_roles: Collection[str]) -> list[Issue]:
    """Errors that refuse a member's approval of the minutes (empty: allowed)."""
    error = Severity.ERROR
    if state != MinutesState.CIRCULATED:
        return [
            issue(
                "minutes_state",
                error,
                N_("Minutes are approved once they have been circulated, not when {state}."),
                state=state,
            )
        ]
    if role not in SIGNATORY_ROLES:
        return [issue("member", error, N_("Only the chair and the co-chair approve the minutes."))]
    if role in signed_roles:
        return [
            issue(
                "member",
                error,
                N_("This version of the minutes is already approved by the {role}."),
                role=role,
            )
        ]
    return []
