"""The checklist on paper: blank for a walk-through, or filled with a sheet's answers.

For each checkpoint the paper form asks "Do you propose action?" with No / Yes / Priority and a
remarks line (domain/healthwise.md a.4); we add "not applicable" as its own column so results can
be analysed. A working-version template says so on every page, with its source note, so nobody
takes our wording for the official checkpoints.
"""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import Any, BinaryIO

from hospital_osh.domain.codes import JOB_CATEGORIES
from hospital_osh.domain.healthwise import TEAM_ROLES, Answer
from hospital_osh.reports.language import ReportLanguage
from hospital_osh.reports.plan_common import CHECK, Kit
from hospital_osh.services.healthwise import AssessmentInfo, SheetView, TemplateDetail


def build_checklist(
    detail: TemplateDetail,
    language: str,
    out: str | Path | BinaryIO,
    *,
    assessment: AssessmentInfo | None = None,
    sheet: SheetView | None = None,
    hospital_name: str = "",
    printed_at: dt.datetime | None = None,
    invariant: bool = False,
) -> None:
    """Write the checklist of ``detail``; with ``sheet``, filled with its answers."""
    from reportlab.lib import colors
    from reportlab.platypus import Spacer

    kit = Kit(ReportLanguage.of(language))
    _ = kit._
    summary = detail.summary
    name = kit.pick(summary.name_zh, summary.name_en)
    title = _("Filled checklist: {name}") if sheet else _("Checklist for the walk-through: {name}")
    title = title.format(name=name)
    story: list[Any] = []
    if hospital_name:
        story.append(kit.p(hospital_name, kit.small))
    story.append(kit.p(title, kit.title))
    version = _("Template {code}, version {version}").format(
        code=summary.code, version=summary.version
    )
    story.append(kit.p(version, kit.small))
    if summary.working_version:
        story.append(
            kit.p(
                _(
                    "Working version: the checkpoints are written in our own words and are not "
                    "the official text."
                ),
                kit.warning,
            )
        )
        note = kit.pick(summary.source_note_zh, summary.source_note_en)
        if note:
            story.append(kit.p(note, kit.small))
    story.append(Spacer(1, 2 * kit.mm))

    if assessment is not None:
        area = " ".join(
            part
            for part in (
                kit.pick(assessment.department_zh, assessment.department_en),
                assessment.area,
            )
            if part
        )
        team = ("；" if kit.lang.chinese else "; ").join(
            _("{name} ({role}, {profession})").format(
                name=m.name,
                role=_(TEAM_ROLES.label(m.team_role)),
                profession=_(JOB_CATEGORIES.label(m.job_category)),
            )
            if m.job_category
            else _("{name} ({role})").format(name=m.name, role=_(TEAM_ROLES.label(m.team_role)))
            for m in assessment.members
        )
        facts = [
            (_("Area"), area),
            (_("Date"), kit.lang.date(assessment.assessed_on)),
            (_("Team"), team),
            (_("Sheet"), (sheet.member_name or _("Consensus sheet")) if sheet else ""),
        ]
        story.append(kit.pairs(facts))
    else:
        blank = "_" * 30
        story.append(
            kit.pairs(
                [
                    (_("Area"), blank),
                    (_("Date"), blank),
                    (_("Team"), blank),
                    (_("Filled in by"), blank),
                ]
            )
        )
    story.append(Spacer(1, 2 * kit.mm))
    story.append(
        kit.p(
            _(
                "Walk through the whole area first. For each item tick one answer; tick Priority "
                "for the few proposed actions with the greatest benefit; note where and what in "
                "the remarks, and any good practice you see."
            ),
            kit.small,
        )
    )

    answers = {a.checkpoint.code: a for a in sheet.answers} if sheet else {}
    header = [
        _("No."),
        _("Checkpoint"),
        _("No action needed"),
        _("Not applicable"),
        _("Action proposed"),
        _("Priority"),
        _("Remarks"),
    ]
    widths = (15, 62, 13, 13, 13, 11, 42)
    rows: list[list[Any]] = []
    styles: list[tuple[Any, ...]] = []
    for module in detail.modules:
        styles.append(("SPAN", (0, len(rows) + 1), (-1, len(rows) + 1)))
        styles.append(
            ("BACKGROUND", (0, len(rows) + 1), (-1, len(rows) + 1), colors.HexColor("#dce6f0"))
        )
        rows.append(
            [kit.p(f"{module.code}  {module.title(kit.lang.chinese)}", kit.heading)] + [""] * 6
        )
        for point in module.checkpoints:
            text = point.title(kit.lang.chinese)
            hint = kit.pick(point.how_zh, point.how_en)
            cell: Any = kit.p(text)
            if hint and sheet is None:
                cell = [kit.p(text), kit.p(hint, kit.small)]
            given = answers.get(point.code)

            def mark(wanted: str, given: Any = given) -> Any:
                return kit.p(
                    CHECK if given is not None and given.answer == wanted else "", kit.center
                )

            remarks = ""
            if given is not None:
                remarks = "\n".join(
                    part
                    for part in (
                        given.remarks,
                        _("Good practice: {text}").format(text=given.good_practice)
                        if given.good_practice
                        else "",
                        _("No action because: {text}").format(text=given.no_action_reason)
                        if given.no_action_reason
                        else "",
                    )
                    if part
                )
            rows.append(
                [
                    kit.p(point.code, kit.small),
                    cell,
                    mark(Answer.NO_ACTION),
                    mark(Answer.NOT_APPLICABLE),
                    mark(Answer.ACTION_PROPOSED),
                    kit.p(CHECK if given is not None and given.priority else "", kit.center),
                    kit.p(remarks, kit.small),
                ]
            )
    story.append(kit.grid(header, rows, widths, styles))
    if sheet is None:
        story.append(Spacer(1, 4 * kit.mm))
        story.append(
            kit.p(
                _("Good practice seen in the area:") + "\n\n\n" + _("Other remarks:") + "\n\n",
                kit.base,
            )
        )
    note = _("Working version") if summary.working_version else ""
    kit.build(
        story,
        out,
        title=title,
        hospital_name=hospital_name,
        printed_at=printed_at,
        invariant=invariant,
        note=note,
    )


def checklist_bytes(detail: TemplateDetail, language: str, **options: Any) -> bytes:
    buffer = io.BytesIO()
    build_checklist(detail, language, buffer, **options)
    return buffer.getvalue()
