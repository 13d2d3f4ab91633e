"""Closing an exposure case: open follow-ups, outcomes, and the notification a seroconversion needs.

Rules (domain/exposures.md §b.8, §b.10):
- A case with follow-ups still planned, due or overdue cannot be closed; the refusal lists them.
  Mark each one done, missed or cancelled first.
- A case closes with an outcome other than ``pending``.
- Every seroconversion needs a notification record: HIV in a health worker is a listed
  occupational disease (职业病报告) [V]; HBV and HCV are not listed [P] and go the work-injury
  way (工伤) [U]. The notification types are those §b.8 proposes.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol as TypingProtocol
from typing import TypeVar

from hospital_osh.domain.codes import N_, code_list
from hospital_osh.domain.followup import OPEN_STATUSES
from hospital_osh.domain.messages import Issue, Severity, issue
from hospital_osh.domain.protocol_vocab import Evidence


class Outcome(StrEnum):
    """EXCHANGE.md ``outcome`` (labels in ``exposure_codes.OUTCOMES``)."""

    PENDING = "pending"
    NO_SEROCONVERSION = "no_seroconversion"
    HBV_SEROCONVERSION = "hbv_seroconversion"
    HCV_SEROCONVERSION = "hcv_seroconversion"
    HIV_SEROCONVERSION = "hiv_seroconversion"
    LOST_TO_FOLLOW_UP = "lost_to_follow_up"


class NotificationType(StrEnum):
    OCCUPATIONAL_DISEASE_REPORT = "occupational_disease_report"
    WORK_INJURY_CLAIM = "work_injury_claim"
    INTERNAL_ONLY = "internal_only"


NOTIFICATION_TYPES = code_list(
    "notification_type",
    (NotificationType.OCCUPATIONAL_DISEASE_REPORT, N_("Occupational disease report")),
    (NotificationType.WORK_INJURY_CLAIM, N_("Work-injury claim")),
    (NotificationType.INTERNAL_ONLY, N_("Internal record only")),
)


@dataclass(frozen=True)
class OutcomeRule:
    outcome: Outcome
    closes_case: bool
    requires_notification: bool
    notification_type: NotificationType | None
    source: str
    verified: Evidence


_CATALOGUE = "职业病分类和目录 (2013; revised 2024), exposures.md §b.8"
OUTCOME_RULES: dict[Outcome, OutcomeRule] = {
    rule.outcome: rule
    for rule in (
        OutcomeRule(Outcome.PENDING, False, False, None, "", Evidence.VERIFIED),
        OutcomeRule(Outcome.NO_SEROCONVERSION, True, False, None, "", Evidence.VERIFIED),
        OutcomeRule(Outcome.LOST_TO_FOLLOW_UP, True, False, None, "", Evidence.VERIFIED),
        OutcomeRule(
            Outcome.HIV_SEROCONVERSION,
            True,
            True,
            NotificationType.OCCUPATIONAL_DISEASE_REPORT,
            _CATALOGUE,
            Evidence.VERIFIED,
        ),
        OutcomeRule(
            Outcome.HBV_SEROCONVERSION,
            True,
            True,
            NotificationType.WORK_INJURY_CLAIM,
            "工伤保险条例 (not a listed occupational disease), exposures.md §b.8",
            Evidence.UNVERIFIED,
        ),
        OutcomeRule(
            Outcome.HCV_SEROCONVERSION,
            True,
            True,
            NotificationType.WORK_INJURY_CLAIM,
            "工伤保险条例 (not a listed occupational disease), exposures.md §b.8",
            Evidence.UNVERIFIED,
        ),
    )
}


def outcome_rule(outcome: str) -> OutcomeRule:
    """The rule for an outcome code (ValueError for an unknown code)."""
    return OUTCOME_RULES[Outcome(outcome)]


def requires_notification(outcome: str) -> bool:
    """True for every seroconversion: the case needs an occupational-disease notification."""
    return outcome_rule(outcome).requires_notification


class HasStatus(TypingProtocol):
    @property
    def status(self) -> str: ...


T = TypeVar("T", bound=HasStatus)


def can_close(followups: Iterable[T]) -> tuple[bool, list[T]]:
    """``(ok, open_items)``: the follow-ups still planned, due or overdue stop the closing."""
    open_items = [f for f in followups if f.status in OPEN_STATUSES]
    return not open_items, open_items


def close_problems(
    followups: Iterable[HasStatus], outcome: str, *, notified: bool = False
) -> list[Issue]:
    """Everything that stops closing the case now, one issue per open follow-up.

    ``notified`` says whether a notification record exists; a seroconversion without one is an
    error, because the evidence chain for NIOHPC starts there (§b.8)."""
    found = []
    ok, open_items = can_close(followups)
    if not ok:
        found.append(
            issue(
                "followups",
                Severity.ERROR,
                N_(
                    "Follow-up items still open: {count}. Record each as done, missed or "
                    "cancelled first."
                ),
                count=len(open_items),
            )
        )
    try:
        rule = outcome_rule(outcome)
    except ValueError:
        return [
            *found,
            issue(
                "outcome",
                Severity.ERROR,
                N_("Unknown code '{code}': choose from the list."),
                code=outcome,
            ),
        ]
    if not rule.closes_case:
        found.append(issue("outcome", Severity.ERROR, N_("Choose the outcome before closing.")))
    if rule.requires_notification and not notified:
        found.append(
            issue(
                "notification",
                Severity.ERROR,
                N_("A seroconversion needs a notification record before the case is closed."),
            )
        )
    return found
