"""Action items: the statuses, the transitions between them and their guards, and "overdue".

Action items are shared by HealthWISE plans, the hazard register's further controls and committee
decisions (domain/healthwise.md b.3). The transition table below is the single source of truth:
services check it, the UI asks it which buttons to show, and tests walk every pair of statuses.

Guards are pure functions returning untranslated :class:`Issue` findings, so a service can show
each beside its field. Who may take a transition is a *kind* of right (``MANAGE`` or ``DECIDE``)
that the service maps to ``Permission.MANAGE_ACTIONS`` / ``Permission.DECIDE_ACTIONS``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from hospital_osh.domain.codes import N_, code_list
from hospital_osh.domain.hazards import HIERARCHY_LEVELS
from hospital_osh.domain.messages import Issue, Severity, issue

__all__ = [
    "ACTION_STATUSES",
    "CLOSED_STATUSES",
    "COST_CATEGORIES",
    "EVIDENCE_KINDS",
    "HIERARCHY_LEVELS",
    "NOT_OVERDUE_STATUSES",
    "SETTLED_STATUSES",
    "SOURCE_KINDS",
    "TRANSITIONS",
    "ActionStatus",
    "ItemFacts",
    "Right",
    "Transition",
    "allowed_targets",
    "check_transition",
    "is_overdue",
    "same_person",
    "transition_for",
]


class ActionStatus(StrEnum):
    PROPOSED = "proposed"
    APPROVED = "approved"
    PLANNED = "planned"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    VERIFIED = "verified"
    CLOSED = "closed"
    DEFERRED = "deferred"
    REJECTED = "rejected"
    CANCELLED = "cancelled"


ACTION_STATUSES = code_list(
    "action_status",
    (ActionStatus.PROPOSED, N_("Proposed")),
    (ActionStatus.APPROVED, N_("Approved")),
    (ActionStatus.PLANNED, N_("Planned")),
    (ActionStatus.IN_PROGRESS, N_("In progress")),
    (ActionStatus.DONE, N_("Done")),
    (ActionStatus.VERIFIED, N_("Verified")),
    (ActionStatus.CLOSED, N_("Closed")),
    (ActionStatus.DEFERRED, N_("Deferred")),
    (ActionStatus.REJECTED, N_("Rejected")),
    (ActionStatus.CANCELLED, N_("Cancelled")),
)

CLOSED_STATUSES = frozenset({ActionStatus.CLOSED, ActionStatus.REJECTED, ActionStatus.CANCELLED})
"""Final statuses: the item can no longer be edited or moved."""

NOT_OVERDUE_STATUSES = frozenset(
    {
        ActionStatus.DONE,
        ActionStatus.VERIFIED,
        ActionStatus.CLOSED,
        ActionStatus.CANCELLED,
        ActionStatus.REJECTED,
    }
)
"""Statuses in which a past due date no longer matters (the work is done or will not happen)."""

SETTLED_STATUSES = frozenset(
    {ActionStatus.CLOSED, ActionStatus.CANCELLED, ActionStatus.REJECTED, ActionStatus.DEFERRED}
)
"""Statuses that let a HealthWISE round close (deferred ones carry their reason)."""

SOURCE_KINDS = code_list(
    "action_source",
    ("hazard", N_("Hazard register")),
    ("healthwise", N_("HealthWISE checklist")),
    ("committee", N_("Committee decision")),
    ("other", N_("Other")),
)

COST_CATEGORIES = code_list(
    "cost_category",
    ("none", N_("No cost")),
    ("low", N_("Low cost")),
    ("medium", N_("Medium cost")),
    ("high", N_("High cost")),
)

EVIDENCE_KINDS = code_list(
    "evidence_kind",
    ("before", N_("Photo before")),
    ("after", N_("Photo after")),
    ("document", N_("Document")),
)


class Right(StrEnum):
    """Which permission a transition needs: planning work, or a committee decision."""

    MANAGE = "manage"
    DECIDE = "decide"


@dataclass(frozen=True)
class Transition:
    source: ActionStatus
    target: ActionStatus
    right: Right
    label: str  # the verb on the button, untranslated
    needs_reason: bool = False
    needs_new_due_date: bool = False


_S = ActionStatus
TRANSITIONS: tuple[Transition, ...] = (
    Transition(_S.PROPOSED, _S.APPROVED, Right.DECIDE, N_("Approve")),
    Transition(_S.PROPOSED, _S.REJECTED, Right.DECIDE, N_("Reject"), needs_reason=True),
    Transition(_S.PROPOSED, _S.CANCELLED, Right.MANAGE, N_("Cancel"), needs_reason=True),
    Transition(_S.APPROVED, _S.PLANNED, Right.MANAGE, N_("Plan")),
    Transition(_S.APPROVED, _S.CANCELLED, Right.MANAGE, N_("Cancel"), needs_reason=True),
    Transition(_S.PLANNED, _S.IN_PROGRESS, Right.MANAGE, N_("Start")),
    Transition(
        _S.PLANNED,
        _S.DEFERRED,
        Right.MANAGE,
        N_("Defer"),
        needs_reason=True,
        needs_new_due_date=True,
    ),
    Transition(_S.PLANNED, _S.CANCELLED, Right.MANAGE, N_("Cancel"), needs_reason=True),
    Transition(_S.IN_PROGRESS, _S.DONE, Right.MANAGE, N_("Report done"), needs_reason=True),
    Transition(
        _S.IN_PROGRESS,
        _S.DEFERRED,
        Right.MANAGE,
        N_("Defer"),
        needs_reason=True,
        needs_new_due_date=True,
    ),
    Transition(_S.DEFERRED, _S.PLANNED, Right.MANAGE, N_("Resume")),
    Transition(_S.DONE, _S.VERIFIED, Right.DECIDE, N_("Verify")),
    Transition(_S.DONE, _S.IN_PROGRESS, Right.DECIDE, N_("Reopen"), needs_reason=True),
    Transition(_S.VERIFIED, _S.CLOSED, Right.DECIDE, N_("Close")),
)
"""Every allowed move (domain/healthwise.md b.3, plus cancelling an approved item that is no
longer needed). Reporting "done" needs a note of what was done; reopening a done item is a failed
verification and counts in ``reopened_count``."""

_BY_PAIR = {(t.source, t.target): t for t in TRANSITIONS}


def transition_for(source: str, target: str) -> Transition | None:
    try:
        return _BY_PAIR.get((ActionStatus(source), ActionStatus(target)))
    except ValueError:
        return None


def allowed_targets(source: str) -> tuple[Transition, ...]:
    """The moves out of ``source``, in table order (the UI shows them as buttons)."""
    return tuple(t for t in TRANSITIONS if t.source == source)


def is_overdue(status: str, due_date: dt.date | None, today: dt.date) -> bool:
    """Derived, never stored: due before today and the work neither done nor dropped."""
    return due_date is not None and due_date < today and status not in NOT_OVERDUE_STATUSES


def _norm(name: str) -> str:
    return "".join(name.split()).casefold()


def same_person(
    owner_username: str | None,
    owner_name: str,
    verifier_username: str,
    verifier_name: str,
) -> bool:
    """Whether the verifier is the item's owner, by account or (for named owners) by name."""
    if owner_username and owner_username == verifier_username:
        return True
    return bool(owner_name.strip()) and _norm(owner_name) in {
        _norm(verifier_name),
        _norm(verifier_username),
    }


@dataclass(frozen=True)
class ItemFacts:
    """What the guards look at: the item as it is, and what the move brings."""

    status: str
    owner_username: str | None = None
    owner_name: str = ""
    due_date: dt.date | None = None
    resources: str = ""
    reason: str = ""
    new_due_date: dt.date | None = None
    actor_username: str = ""
    actor_name: str = ""


def check_transition(facts: ItemFacts, target: str, today: dt.date) -> list[Issue]:
    """Errors that refuse moving an item from its status to ``target`` (empty: allowed)."""
    error = Severity.ERROR
    move = transition_for(facts.status, target)
    if move is None:
        return [
            issue(
                "status",
                error,
                N_("An item that is {status} cannot become {target}."),
                status=facts.status,
                target=target,
            )
        ]
    issues: list[Issue] = []
    if move.needs_reason and not facts.reason.strip():
        issues.append(issue("reason", error, N_("Give the reason.")))
    if move.needs_new_due_date:
        if facts.new_due_date is None:
            issues.append(issue("new_due_date", error, N_("Give the new due date.")))
        elif facts.new_due_date < today:
            issues.append(issue("new_due_date", error, N_("The new due date is in the past.")))
    if move.target == ActionStatus.PLANNED and move.source == ActionStatus.APPROVED:
        if not (facts.owner_username or facts.owner_name.strip()):
            issues.append(issue("owner", error, N_("Name the owner before planning the item.")))
        if facts.due_date is None:
            issues.append(issue("due_date", error, N_("Set the due date before planning.")))
        if not facts.resources.strip():
            issues.append(
                issue("resources", error, N_("Say what resources it needs before planning."))
            )
    if move.target == ActionStatus.VERIFIED and same_person(
        facts.owner_username, facts.owner_name, facts.actor_username, facts.actor_name
    ):
        issues.append(
            issue(
                "verifier",
                error,
                N_("The owner cannot verify their own item; someone else must check it."),
            )
        )
    return issues
