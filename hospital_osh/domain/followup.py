"""Follow-up schedules (dates from day offsets) and the status of each planned item.

Offsets count from D0, the hospital-local date of the exposure (domain/exposures.md §b); dates are
plain ``datetime.date`` values, so month ends and leap years need no special care: D30 after
31 January is 2 March (1 March in a leap year). Use :func:`hospital_osh.domain.clock.hospital_date`
to get D0 and "today" from stored UTC instants.

Status rules (§b conventions, EXCHANGE.md followups.csv ``status``), in this order:

1. ``cancelled`` when the item was cancelled (a clinician decided it is not needed);
2. ``done`` when it has a done date (even outside the window: it happened);
3. ``missed`` when the officer recorded it as missed (the worker did not come);
4. ``planned`` before the window opens;
5. ``due`` from the window's first day to its last day, both included;
6. ``overdue`` from the day after the window's last day.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol as TypingProtocol

from hospital_osh.domain.codes import N_, code_list
from hospital_osh.domain.messages import Issue, Severity, Text, issue
from hospital_osh.domain.post_exposure import (
    ExposureInputs,
    PathogenAdvice,
    Proposal,
    assess,
)
from hospital_osh.domain.protocol_vocab import (
    EXCHANGE_TESTS,
    FOLLOWUP_ITEMS,
    REASONS,
    Evidence,
    FollowupItem,
    Pathogen,
)
from hospital_osh.domain.protocols import Protocol, ScheduleItem


class FollowupStatus(StrEnum):
    PLANNED = "planned"
    DUE = "due"
    OVERDUE = "overdue"
    DONE = "done"
    MISSED = "missed"
    CANCELLED = "cancelled"


FOLLOWUP_STATUSES = code_list(
    "followup_status",
    (FollowupStatus.PLANNED, N_("Planned")),
    (FollowupStatus.DUE, N_("Due")),
    (FollowupStatus.OVERDUE, N_("Overdue")),
    (FollowupStatus.DONE, N_("Done")),
    (FollowupStatus.MISSED, N_("Missed")),
    (FollowupStatus.CANCELLED, N_("Cancelled")),
)
OPEN_STATUSES = frozenset({FollowupStatus.PLANNED, FollowupStatus.DUE, FollowupStatus.OVERDUE})
_EVIDENCE_ORDER = {Evidence.VERIFIED: 0, Evidence.PARTLY: 1, Evidence.UNVERIFIED: 2}
_CODE_ORDER = {code: index for index, code in enumerate(FOLLOWUP_ITEMS.codes)}


@dataclass(frozen=True)
class Basis:
    """Why one planned item exists: the protocol row, schedule item, source and tag behind it."""

    pathogen: Pathogen
    rule_id: str
    item_id: str
    reason: Text
    source: str
    verified: Evidence
    overridden: bool = False  # the hospital's protocol settings changed this item
    schedule: str = ""  # the schedule the item belongs to (item ids repeat across schedules)


@dataclass(frozen=True)
class PlannedTest:
    """One test, treatment or visit with its date and window (hospital-local dates)."""

    code: FollowupItem
    due: dt.date
    window_start: dt.date
    window_end: dt.date
    basis: tuple[Basis, ...]
    dose: int | None = None

    @property
    def reason(self) -> Text:
        return self.basis[0].reason

    @property
    def reasons(self) -> tuple[Text, ...]:
        return tuple(dict.fromkeys(b.reason for b in self.basis))

    @property
    def verified(self) -> Evidence:
        """The best tag among the rows asking for it: the item is as justified as its best row."""
        return min((b.verified for b in self.basis), key=_EVIDENCE_ORDER.__getitem__)

    @property
    def pathogens(self) -> tuple[Pathogen, ...]:
        return tuple(dict.fromkeys(b.pathogen for b in self.basis))

    @property
    def exchange_test(self) -> bool:
        """True for the codes followups.csv carries (tests and visits, not treatments)."""
        return self.code in EXCHANGE_TESTS


def _planned(advice: PathogenAdvice, item: ScheduleItem, d0: dt.date) -> PlannedTest:
    params = {"dose": item.dose} if item.dose is not None else {}
    basis = Basis(
        pathogen=advice.pathogen,
        rule_id=advice.decision.rule_id,
        item_id=item.id,
        reason=Text.of(REASONS[item.reason], **params),
        source=item.source or advice.decision.source,
        verified=item.verified or advice.decision.verified,
        overridden=item.overridden,
        schedule=item.schedule,
    )
    return PlannedTest(
        code=item.code,
        due=d0 + dt.timedelta(days=item.due),
        window_start=d0 + dt.timedelta(days=item.window_start),
        window_end=d0 + dt.timedelta(days=item.window_end),
        basis=(basis,),
        dose=item.dose,
    )


def _merge(tests: Iterable[PlannedTest]) -> list[PlannedTest]:
    """One row per test and due date: ALT at D90 for HBV and for HCV is one blood draw.

    The merged window is the intersection, which still contains the due date (both did)."""
    merged: dict[tuple[FollowupItem, dt.date, int | None], PlannedTest] = {}
    for test in tests:
        key = (test.code, test.due, test.dose)
        seen = merged.get(key)
        if seen is None:
            merged[key] = test
            continue
        merged[key] = PlannedTest(
            code=test.code,
            due=test.due,
            window_start=max(seen.window_start, test.window_start),
            window_end=min(seen.window_end, test.window_end),
            basis=(*seen.basis, *test.basis),
            dose=test.dose,
        )
    return sorted(
        merged.values(), key=lambda t: (t.due, t.window_end, _CODE_ORDER[t.code], t.dose or 0)
    )


def generate_schedule(
    proposal_or_inputs: Proposal | ExposureInputs,
    protocol: Protocol,
    exposure_date: dt.date,
    *,
    include_pep: bool | None = None,
) -> list[PlannedTest]:
    """The dated follow-up items of a proposal (or of the inputs, assessed on the spot).

    ``exposure_date`` is D0, the hospital-local date of the exposure. PEP monitoring visits are
    included when the proposal recommends or offers PEP; ``include_pep`` overrides that once the
    clinician has decided (started PEP after a "case by case" row, or declined it).
    """
    if isinstance(proposal_or_inputs, ExposureInputs):
        proposal = assess(proposal_or_inputs, protocol, proposal_or_inputs.occurred_at)
    else:
        proposal = proposal_or_inputs
    if proposal.protocol_id != protocol.id:
        raise ValueError(f"the proposal comes from {proposal.protocol_id!r}, not {protocol.id!r}")
    tests = [_planned(a, item, exposure_date) for a in proposal.advice for item in a.items]
    hiv = proposal.hiv
    if hiv is not None and (hiv.pep_proposed if include_pep is None else include_pep):
        tests += [_planned(hiv, item, exposure_date) for item in hiv.pep_items]
    return _merge(tests)


# -- status ----------------------------------------------------------------------------------------


class HasWindow(TypingProtocol):
    """Anything with a window of local dates: a :class:`PlannedTest`, or a stored follow-up."""

    @property
    def window_start(self) -> dt.date: ...

    @property
    def window_end(self) -> dt.date: ...


def followup_status(
    planned: HasWindow,
    done_date: dt.date | None,
    cancelled: bool,
    today: dt.date,
    *,
    missed: bool = False,
) -> FollowupStatus:
    """The status on ``today`` (a hospital-local date); the rules are in the module docstring."""
    if cancelled:
        return FollowupStatus.CANCELLED
    if done_date is not None:
        return FollowupStatus.DONE
    if missed:
        return FollowupStatus.MISSED
    if today < planned.window_start:
        return FollowupStatus.PLANNED
    if today <= planned.window_end:
        return FollowupStatus.DUE
    return FollowupStatus.OVERDUE


def days_overdue(planned: HasWindow, today: dt.date) -> int:
    """Whole days past the window's end (0 while not overdue)."""
    return max((today - planned.window_end).days, 0)


def validate_done_date(done_date: dt.date, exposure_date: dt.date, today: dt.date) -> list[Issue]:
    """A result dated before the exposure or in the future is an error (§b.10)."""
    if done_date < exposure_date:
        return [issue("done_date", Severity.ERROR, N_("The result is dated before the exposure."))]
    if done_date > today:
        return [issue("done_date", Severity.ERROR, N_("The result date is in the future."))]
    return []
