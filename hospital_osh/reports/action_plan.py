"""The action plan table and the progress report by module, in Chinese or English.

The plan's columns are those of domain/healthwise.md b.3: No. · checkpoint/issue · what · where ·
who · when · resources/cost · status · remarks. The progress report compares a round with the
previous round of the same area and shows how far its action items have come.
"""

from __future__ import annotations

import datetime as dt
import io
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any, BinaryIO

from hospital_osh.domain.actions import ACTION_STATUSES, HIERARCHY_LEVELS, is_overdue
from hospital_osh.domain.healthwise import CHANGES
from hospital_osh.reports.language import ReportLanguage
from hospital_osh.reports.plan_common import Kit
from hospital_osh.services.actions import ActionRow
from hospital_osh.services.healthwise import (
    AssessmentInfo,
    PlanRevisionInfo,
    PlanView,
    ProgressView,
)


def _money(kit: Kit, row: ActionRow) -> str:
    if row.cost_cny is None:
        return row.resources
    cost = kit._("¥{amount}").format(amount=kit.lang.number(float(row.cost_cny), 2))
    return f"{row.resources}\n{cost}" if row.resources else cost


def _status(kit: Kit, row: ActionRow, today: dt.date) -> str:
    text = kit._(ACTION_STATUSES.label(row.status))
    if is_overdue(row.status, row.due_date, today):
        text = kit._("{status}, overdue").format(status=text)
    return text


def _round_rows(kit: Kit, info: AssessmentInfo) -> list[tuple[str, str]]:
    _ = kit._
    where = " ".join(p for p in (kit.pick(info.department_zh, info.department_en), info.area) if p)
    return [
        (_("Checklist"), kit.pick(info.template_name_zh, info.template_name_en)),
        (_("Area"), where),
        (_("Date"), kit.lang.date(info.assessed_on)),
        (
            _("Team"),
            "、".join(m.name for m in info.members)
            if kit.lang.chinese
            else ", ".join(m.name for m in info.members),
        ),
    ]


def build_action_plan(
    rows: Sequence[ActionRow],
    language: str,
    out: str | Path | BinaryIO,
    *,
    plan: PlanView | None = None,
    title: str = "",
    hospital_name: str = "",
    today: dt.date | None = None,
    printed_at: dt.datetime | None = None,
    invariant: bool = False,
    revision: PlanRevisionInfo | None = None,
) -> None:
    """The plan as a table: ``rows`` (any list of items), or a round's ``plan`` with its
    checkpoints. With ``revision``, ``plan`` is that approved revision's read-only snapshot
    and every page says so; a live plan lists what changed since its last approval."""
    from reportlab.platypus import Spacer

    kit = Kit(ReportLanguage.of(language), landscape=True)
    _ = kit._
    today = revision.approved_at.date() if revision is not None else today or dt.date.today()
    heading = title or _("Action plan")
    story: list[Any] = []
    if hospital_name:
        story.append(kit.p(hospital_name, kit.small))
    story.append(kit.p(heading, kit.title))
    issue_of: dict[int, str] = {}
    priority_of: dict[int, bool] = {}
    note = ""
    if revision is not None:
        note = _("Approved revision {number}: a read-only copy").format(number=revision.number)
        story.append(kit.p(_revision_text(kit, revision), kit.warning))
    elif plan is not None and plan.status is not None and plan.status.current is not None:
        current = plan.status.current
        story.append(kit.p(_revision_text(kit, current), kit.small))
        if plan.status.changed:
            note = _("Changed since revision {number}: not yet approved").format(
                number=current.number
            )
            story.append(kit.p(note, kit.warning))
            story.append(kit.p("\n".join(c.text for c in plan.status.changes), kit.small))
    if plan is not None:
        story.append(kit.pairs(_round_rows(kit, plan.assessment)))
        story.append(Spacer(1, 2 * kit.mm))
        rows = list(plan.all_actions)
        for line in plan.lines:
            for item in line.actions:
                issue_of[item.id] = (
                    f"{line.checkpoint.code} {line.checkpoint.title(kit.lang.chinese)}"
                )
                priority_of[item.id] = line.priority
        reasons = [line for line in plan.lines if line.priority and line.no_action_reason]
    else:
        reasons = []
    header = [
        _("No."),
        _("Checkpoint or issue"),
        _("What"),
        _("Where"),
        _("Who"),
        _("When"),
        _("Resources and cost"),
        _("Status"),
        _("Remarks"),
    ]
    widths = (18, 40, 44, 20, 18, 19, 27, 17, 27)
    cells = []
    for item in rows:
        issue = issue_of.get(item.id) or item.source_label
        if priority_of.get(item.id):
            issue = _("{issue} (priority)").format(issue=issue)
        where = " ".join(
            p for p in (kit.pick(item.department_zh, item.department_en), item.location) if p
        )
        what = item.title
        if item.hierarchy_level:
            what += "\n" + _(HIERARCHY_LEVELS.label(item.hierarchy_level))
        cells.append(
            [
                kit.p(item.reference, kit.small),
                issue,
                what,
                where,
                item.owner_name,
                kit.lang.date(item.due_date),
                _money(kit, item),
                _status(kit, item, today),
                item.status_reason,
            ]
        )
    if cells:
        story.append(kit.grid(header, cells, widths))
    else:
        story.append(kit.p(_("No action items.")))
    if reasons:
        story.append(kit.p(_("Priority items without an action item"), kit.heading))
        story.append(
            kit.grid(
                [_("Checkpoint"), _("Reason")],
                [
                    [
                        f"{line.checkpoint.code} {line.checkpoint.title(kit.lang.chinese)}",
                        line.no_action_reason,
                    ]
                    for line in reasons
                ],
                (1, 1),
            )
        )
    kit.build(
        story,
        out,
        title=heading,
        hospital_name=hospital_name,
        printed_at=printed_at,
        invariant=invariant,
        note=note,
    )


def _revision_text(kit: Kit, revision: PlanRevisionInfo) -> str:
    _ = kit._
    if revision.meeting_date is not None:
        return _(
            "Revision {number}, approved on {date} by {name} at the committee meeting of {meeting}."
        ).format(
            number=revision.number,
            date=kit.lang.date(revision.approved_at.date()),
            name=revision.approved_by_name,
            meeting=kit.lang.date(revision.meeting_date),
        )
    return _("Revision {number}, approved on {date} by {name}.").format(
        number=revision.number,
        date=kit.lang.date(revision.approved_at.date()),
        name=revision.approved_by_name,
    )


def build_progress_report(
    progress: ProgressView,
    plan: PlanView,
    language: str,
    out: str | Path | BinaryIO,
    *,
    hospital_name: str = "",
    today: dt.date | None = None,
    printed_at: dt.datetime | None = None,
    invariant: bool = False,
) -> None:
    """Findings and action items by module, against the previous round of the area."""
    from reportlab.platypus import Spacer

    kit = Kit(ReportLanguage.of(language))
    _ = kit._
    today = today or dt.date.today()
    heading = _("Progress report by module")
    story: list[Any] = []
    if hospital_name:
        story.append(kit.p(hospital_name, kit.small))
    story.append(kit.p(heading, kit.title))
    story.append(kit.pairs(_round_rows(kit, progress.assessment)))
    if progress.previous is not None:
        story.append(
            kit.p(
                _(
                    "Compared with the round of {date}: action was proposed on {before} items "
                    "then and on {after} now."
                ).format(
                    date=kit.lang.date(progress.previous.assessed_on),
                    before=progress.proposed_before,
                    after=progress.proposed_after,
                )
            )
        )
    else:
        story.append(kit.p(_("This is the first round in this area: nothing to compare yet.")))
    story.append(Spacer(1, 2 * kit.mm))
    header = [
        _("Module"),
        _("Checkpoints"),
        _("Action proposed (before → now)"),
        _("Priorities (before → now)"),
        _("Improved"),
        _("Worsened"),
        _("Action items completed"),
    ]
    rows = [
        [
            f"{m.code} {kit.pick(m.title_zh, m.title_en)}",
            str(m.checkpoints),
            f"{m.proposed_before} → {m.proposed_after}"
            if progress.previous
            else str(m.proposed_after),
            f"{m.priority_before} → {m.priority_after}"
            if progress.previous
            else str(m.priority_after),
            str(m.improved),
            str(m.worsened),
            f"{m.actions_completed} / {m.actions_total}",
        ]
        for m in progress.modules
    ]
    story.append(kit.grid(header, rows, (52, 14, 22, 20, 13, 13, 18)))

    counts = Counter(item.status for item in plan.all_actions)
    story.append(kit.p(_("Action items by status"), kit.heading))
    if counts:
        story.append(
            kit.grid(
                [_(ACTION_STATUSES.label(code)) for code in ACTION_STATUSES.codes if counts[code]],
                [[str(counts[code]) for code in ACTION_STATUSES.codes if counts[code]]],
                [1] * sum(1 for code in ACTION_STATUSES.codes if counts[code]),
            )
        )
    else:
        story.append(kit.p(_("No action items.")))
    overdue = [i for i in plan.all_actions if is_overdue(i.status, i.due_date, today)]
    story.append(kit.p(_("Overdue items"), kit.heading))
    if overdue:
        story.append(
            kit.grid(
                [_("No."), _("What"), _("Who"), _("When")],
                [[i.reference, i.title, i.owner_name, kit.lang.date(i.due_date)] for i in overdue],
                (19, 57, 20, 16),
            )
        )
    else:
        story.append(kit.p(_("None.")))
    changed = [c for c in progress.changes if c.change in ("improved", "worsened")]
    if changed:
        story.append(kit.p(_("Checkpoints that changed"), kit.heading))
        titles = {code: kit.pick(zh, en) for code, (zh, en) in progress.titles.items()}
        story.append(
            kit.grid(
                [_("Checkpoint"), _("Change")],
                [
                    [f"{c.code} {titles.get(c.code, '')}".strip(), _(CHANGES.label(c.change))]
                    for c in changed
                ],
                (4, 1),
            )
        )
    kit.build(
        story,
        out,
        title=heading,
        hospital_name=hospital_name,
        printed_at=printed_at,
        invariant=invariant,
    )


def action_plan_bytes(rows: Sequence[ActionRow], language: str, **options: Any) -> bytes:
    buffer = io.BytesIO()
    build_action_plan(rows, language, buffer, **options)
    return buffer.getvalue()


def progress_report_bytes(
    progress: ProgressView, plan: PlanView, language: str, **options: Any
) -> bytes:
    buffer = io.BytesIO()
    build_progress_report(progress, plan, language, buffer, **options)
    return buffer.getvalue()
