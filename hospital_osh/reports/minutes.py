"""Committee meeting minutes with signature lines, in Chinese or English.

The contents follow committee practice (domain/healthwise.md d.4): date, time and place,
attendance marked management or worker representative, agenda, business carried forward,
decisions per item with their effect, the minutes text, the next meeting, and wet-signature
blocks for the chair, co-chair and secretary. Until both co-chairs have approved the minutes, the
first page and every page's footer say DRAFT (or circulated, not approved); once approved, each
co-chair's approval in the application (name, role, date and time) stands beside the wet-signature
line, and a corrected version says which version it is and why.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from pathlib import Path
from typing import Any, BinaryIO

from hospital_osh.domain.actions import ACTION_STATUSES
from hospital_osh.domain.committee import (
    ATTENDANCE,
    COMMITTEE_ROLES,
    DECISION_CODES,
    MINUTES_STATES,
    SIDES,
    MinutesState,
)
from hospital_osh.domain.healthwise import STATES
from hospital_osh.reports.language import ReportLanguage
from hospital_osh.reports.plan_common import Kit
from hospital_osh.services.committee import CommitteeMemberInfo, MeetingInfo, ReviewAgenda

SIGNATURE_ROLES = ("chair", "co_chair", "secretary")


def _status_label(kit: Kit, code: str | None, decision: str) -> str:
    if not code:
        return ""
    codes = STATES if decision in ("approve_plan", "return_plan") else ACTION_STATUSES
    return kit._(codes.label(code))


def build_minutes(
    meeting: MeetingInfo,
    language: str,
    out: str | Path | BinaryIO,
    *,
    members: Sequence[CommitteeMemberInfo] = (),
    carried_forward: ReviewAgenda | None = None,
    hospital_name: str = "",
    printed_at: dt.datetime | None = None,
    invariant: bool = False,
) -> None:
    """Write the minutes of ``meeting``; ``members`` give the signatories' names."""
    from reportlab.platypus import KeepTogether, Spacer

    kit = Kit(ReportLanguage.of(language))
    _ = kit._
    heading = _("Minutes of the OSH committee meeting of {date}").format(
        date=kit.lang.date(meeting.held_on)
    )
    story: list[Any] = []
    if hospital_name:
        story.append(kit.p(hospital_name, kit.small))
    approved = meeting.minutes_state in (MinutesState.APPROVED, MinutesState.LOCKED)
    if approved:
        note = _("Minutes version {version}: {state}").format(
            version=meeting.minutes_version, state=_(MINUTES_STATES.label(meeting.minutes_state))
        )
    else:
        note = _("DRAFT: not approved (version {version}, {state})").format(
            version=meeting.minutes_version, state=_(MINUTES_STATES.label(meeting.minutes_state))
        )
        story.append(_draft_banner(kit, _("DRAFT: these minutes are not approved yet.")))
    story.append(kit.p(heading, kit.title))
    if meeting.minutes_version > 1:
        story.append(
            kit.p(
                _("Version {version}, correcting the approved version {previous}: {reason}").format(
                    version=meeting.minutes_version,
                    previous=meeting.minutes_version - 1,
                    reason=meeting.minutes_reason,
                ),
                kit.warning,
            )
        )
    story.append(
        kit.pairs(
            [
                (_("Date"), kit.lang.date(meeting.held_on)),
                (_("Time"), meeting.start_time),
                (_("Place"), meeting.place),
                (_("Next meeting"), kit.lang.date(meeting.next_meeting_on)),
            ]
        )
    )

    story.append(kit.p(_("Attendance"), kit.heading))
    by_kind: dict[str, list[str]] = {"present": [], "absent": [], "guest": []}
    for entry in meeting.attendance:
        shown = (
            _("{name} ({side})").format(name=entry.name, side=_(SIDES.label(entry.side)))
            if entry.side
            else entry.name
        )
        by_kind.setdefault(entry.attendance, []).append(shown)
    separator = "；" if kit.lang.chinese else "; "
    story.append(
        kit.pairs(
            [(_(ATTENDANCE.label(kind)), separator.join(names)) for kind, names in by_kind.items()],
            columns=1,
        )
    )
    present = [a for a in meeting.attendance if a.attendance == "present"]
    workers = sum(1 for a in present if a.side == "worker")
    story.append(
        kit.p(
            _("{present} present, of whom {workers} worker representatives.").format(
                present=len(present), workers=workers
            ),
            kit.small,
        )
    )

    if meeting.agenda:
        story.append(kit.p(_("Agenda"), kit.heading))
        story.append(kit.p(meeting.agenda))

    if carried_forward is not None:
        open_items = (
            carried_forward.overdue
            + carried_forward.awaiting_verification
            + carried_forward.awaiting_closure
        )
        story.append(kit.p(_("Business carried forward"), kit.heading))
        if open_items:
            story.append(
                kit.grid(
                    [_("No."), _("What"), _("Who"), _("When"), _("Status")],
                    [
                        [
                            i.reference,
                            i.title,
                            i.owner_name,
                            kit.lang.date(i.due_date),
                            _("{status}, overdue").format(status=_(ACTION_STATUSES.label(i.status)))
                            if i.overdue
                            else _(ACTION_STATUSES.label(i.status)),
                        ]
                        for i in open_items
                    ],
                    (19, 50, 17, 16, 18),
                )
            )
        else:
            story.append(kit.p(_("None.")))

    story.append(kit.p(_("Decisions"), kit.heading))
    if meeting.decisions:
        rows = []
        for d in meeting.decisions:
            effect = ""
            if d.new_status and d.old_status and d.new_status != d.old_status:
                old = _status_label(kit, d.old_status, d.decision)
                effect = f"{old} → {_status_label(kit, d.new_status, d.decision)}"
            elif d.new_status and not d.old_status:
                effect = _status_label(kit, d.new_status, d.decision)
            rows.append(
                [str(d.position), d.subject, _(DECISION_CODES.label(d.decision)), effect, d.note]
            )
        story.append(
            kit.grid(
                [_("No."), _("Item"), _("Decision"), _("Effect"), _("Note")],
                rows,
                (6, 48, 18, 26, 34),
            )
        )
    else:
        story.append(kit.p(_("No decisions were recorded.")))

    if meeting.minutes:
        story.append(kit.p(_("Minutes"), kit.heading))
        story.append(kit.p(meeting.minutes))

    names = {m.committee_role: m.name for m in reversed(list(members)) if m.active}
    signed = {g.committee_role: g for g in meeting.signatures}
    blocks = []
    for role in SIGNATURE_ROLES:
        given = signed.get(role)
        blocks.append(
            [
                _(COMMITTEE_ROLES.label(role)),
                given.name if given else names.get(role, ""),
                _("Approved in the application {time}").format(
                    time=kit.lang.datetime(_local(given.signed_at))
                )
                if given
                else "",
                "",
                "",
            ]
        )
    signature = kit.grid(
        [_("Role"), _("Name"), _("Approval recorded"), _("Signature"), _("Date")],
        blocks,
        (18, 24, 30, 30, 16),
        extra_styles=[
            ("ROWBACKGROUNDS", (0, 1), (-1, -1), ["#ffffff"]),
            ("TOPPADDING", (0, 1), (-1, -1), 14),
        ],
    )
    story.append(Spacer(1, 6 * kit.mm))
    story.append(KeepTogether([kit.p(_("Approval of the minutes"), kit.heading), signature]))
    kit.build(
        story,
        out,
        title=heading,
        hospital_name=hospital_name,
        printed_at=printed_at,
        invariant=invariant,
        note=note,
    )


def _local(value: dt.datetime) -> dt.datetime:
    """A stored (naive UTC) time in this computer's time zone, as the co-chairs lived it."""
    return value.replace(tzinfo=dt.UTC).astimezone().replace(tzinfo=None)


def _draft_banner(kit: Kit, text: str) -> Any:
    """A framed line across the top of the first page: these minutes are not approved."""
    from reportlab.lib import colors
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import Table, TableStyle

    style = ParagraphStyle(
        "draft", parent=kit.base, fontSize=13, leading=17, alignment=1, textColor=colors.red
    )
    table = Table([[kit.p(text, style)]], colWidths=[kit.width])
    table.setStyle(
        TableStyle(
            [
                ("BOX", (0, 0), (-1, -1), 1.2, colors.red),
                ("TOPPADDING", (0, 0), (-1, -1), 4),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
            ]
        )
    )
    return table


def minutes_bytes(meeting: MeetingInfo, language: str, **options: Any) -> bytes:
    buffer = io.BytesIO()
    build_minutes(meeting, language, buffer, **options)
    return buffer.getvalue()
