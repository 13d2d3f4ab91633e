"""The OSH committee's code lists and what each decision does to the item it is about.

Committee records follow domain/healthwise.md d.4: members with their role and side (management
or worker representative), meetings with attendance, and decisions per reviewed item. A decision
that is a status change of an action item or a HealthWISE plan names the target status here, so
recording it applies the change through the same guards as anywhere else.
"""

from __future__ import annotations

from dataclasses import dataclass

from hospital_osh.domain.codes import N_, code_list

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
    DecisionKind("new_action", N_("New action item"), "new", "proposed"),
)
DECISION_CODES = code_list("committee_decision", *((d.code, d.label) for d in DECISIONS))


def decision_kind(code: str) -> DecisionKind | None:
    return next((d for d in DECISIONS if d.code == code), None)
