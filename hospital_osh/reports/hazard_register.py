"""The hazard register PDF: the register by department with the matrix colours, for posting on
the notice board and for inspectors, in Chinese or English (landscape A4).

The first page says what an inspector asks first: the matrix in force with the number of hazards
in each cell, the count per level with the response and review interval each level asks for,
overdue reviews, red and orange risks resting only on administrative controls and PPE, and
residual risks still waiting for acceptance. Then one table per department, worst risks first.
Data in (``services.hazards.RegisterData``), PDF out; no session, no Qt.
"""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import BinaryIO
from xml.sax.saxutils import escape

from hospital_osh.domain.codes import JOB_CATEGORIES
from hospital_osh.domain.hazards import (
    ACCEPTOR_ROLES,
    CATEGORIES,
    HIERARCHY_LEVELS,
    VULNERABLE_GROUPS,
)
from hospital_osh.domain.risk_matrix import SCALE
from hospital_osh.reports.fonts import register_fonts
from hospital_osh.reports.language import ReportLanguage
from hospital_osh.services.hazards import (
    HazardInfo,
    RegisterData,
    level_counts,
    statutory_catalogue,
)


def _evidence(lang: ReportLanguage, tag: str) -> str:
    return {
        "V": lang._("verified"),
        "P": lang._("partly verified"),
        "U": lang._("unverified"),
    }.get(tag, tag)


def build_hazard_register(
    data: RegisterData,
    language: str,
    out: str | Path | BinaryIO,
    *,
    printed_at: dt.datetime | None = None,
    invariant: bool = False,
) -> None:
    """Write the register in ``language`` (``zh_CN`` or ``en``) to ``out``."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import (
        KeepTogether,
        Paragraph,
        SimpleDocTemplate,
        Spacer,
        Table,
        TableStyle,
    )

    font = register_fonts()
    lang = ReportLanguage.of(language)
    _ = lang._
    code = lang.code
    matrix = data.matrix
    catalogue = statutory_catalogue()
    page_size = landscape(A4)
    width = page_size[0] - 20 * mm
    wrap = "CJK" if lang.chinese else None
    base = ParagraphStyle("base", fontName=font, fontSize=7, leading=8.8, wordWrap=wrap)
    small = ParagraphStyle("small", parent=base, fontSize=6.5, leading=8, textColor=colors.grey)
    bold = ParagraphStyle("bold", parent=base, fontSize=7.5, leading=9.5)
    title = ParagraphStyle("title", parent=base, fontSize=15, leading=19, spaceAfter=2)
    heading = ParagraphStyle(
        "heading",
        parent=base,
        fontSize=10,
        leading=13,
        spaceBefore=6,
        spaceAfter=3,
        textColor=colors.HexColor("#1f4e79"),
    )
    alert = ParagraphStyle("alert", parent=base, textColor=colors.HexColor("#b42318"))

    def p(text: str, style: ParagraphStyle = base) -> Paragraph:
        return Paragraph(escape(text).replace("\n", "<br/>"), style)

    def coloured(text: str, level_code: str) -> Paragraph:
        level = matrix.level_by_code(level_code)
        style = ParagraphStyle(
            f"level_{level.code}", parent=base, textColor=colors.HexColor(level.text_colour)
        )
        return Paragraph(escape(text).replace("\n", "<br/>"), style)

    def department(entry_zh: str, entry_en: str) -> str:
        return (entry_zh or entry_en) if lang.chinese else (entry_en or entry_zh)

    def join(parts: list[str]) -> str:
        return ("、" if lang.chinese else ", ").join(part for part in parts if part)

    def score_text(likelihood: int | None, severity: int | None) -> str:
        if likelihood is None or severity is None:
            return ""
        level = matrix.level(likelihood, severity)
        return f"{likelihood}×{severity}={likelihood * severity}\n{level.short.text(code)}"

    story: list[object] = []
    hospital = data.hospital_zh if lang.chinese else (data.hospital_en or data.hospital_zh)
    if hospital:
        story.append(p(hospital, small))
    story.append(p(_("Occupational hazard register and risk assessment"), title))
    story.append(
        p(
            _("State on {date}. Risk matrix: {matrix}. Active hazards: {count}.").format(
                date=lang.date(data.today),
                matrix=matrix.name.text(code),
                count=len(data.entries),
            )
        )
    )
    story.append(Spacer(1, 2 * mm))

    # -- first page: the matrix, the levels, the review state ------------------------------------
    cell = 9 * mm
    grid: list[list[object]] = []
    grid_style: list[tuple[object, ...]] = [
        ("ALIGN", (0, 0), (-1, -1), "CENTER"),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("FONTNAME", (0, 0), (-1, -1), font),
        ("FONTSIZE", (0, 0), (-1, -1), 7),
    ]
    for row_index, likelihood in enumerate(reversed(SCALE)):
        line: list[object] = [p(f"L{likelihood}", small)]
        for severity in SCALE:
            level = matrix.level(likelihood, severity)
            count = data.cell_counts.get((likelihood, severity), 0)
            line.append(coloured(str(count) if count else "·", level.code))
            grid_style.append(
                ("BACKGROUND", (severity, row_index), (severity, row_index),
                 colors.HexColor(level.colour))
            )  # fmt: skip
        grid.append(line)
    grid.append([p("", small)] + [p(f"S{severity}", small) for severity in SCALE])
    grid_style.append(("GRID", (1, 0), (-1, len(SCALE) - 1), 0.5, colors.white))
    matrix_table = Table(grid, colWidths=[8 * mm] + [cell] * 5, rowHeights=[cell] * 5 + [5 * mm])
    matrix_table.setStyle(TableStyle(grid_style))
    axis = p(_("L = likelihood, S = severity; hazards per cell (current risk)."), small)

    counts = level_counts(data)
    level_rows: list[list[object]] = [
        [p(_("Level"), bold), p(_("Hazards"), bold), p(_("Response"), bold),
         p(_("Longest review interval (months)"), bold)]
    ]  # fmt: skip
    level_style: list[tuple[object, ...]] = [
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LINEBELOW", (0, 0), (-1, -1), 0.25, colors.lightgrey),
    ]
    for index, level in enumerate(matrix.levels, start=1):
        level_rows.append(
            [
                coloured(level.name.text(code), level.code),
                p(lang.number(counts.get(level.code, 0), 0)),
                p(level.response.text(code)),
                p(lang.number(level.review_months, 0)),
            ]
        )
        level_style.append(("BACKGROUND", (0, index), (0, index), colors.HexColor(level.colour)))
    levels_table = Table(level_rows, colWidths=[42 * mm, 14 * mm, 80 * mm, 24 * mm])
    levels_table.setStyle(TableStyle(level_style))
    summary = data.summary
    state = [
        (_("Reviews overdue"), summary.overdue),
        (_("Reviews due within 30 days"), summary.due),
        (_("Red or orange risks resting only on administrative controls and PPE"),
         summary.warnings),
        (_("Residual risks awaiting acceptance"), summary.acceptance_missing),
    ]  # fmt: skip
    state_rows = [
        [p(label, alert if value else base), p(lang.number(value, 0), alert if value else base)]
        for label, value in state
    ]
    state_table = Table(state_rows, colWidths=[80 * mm, 14 * mm])
    state_table.setStyle(TableStyle([("LINEBELOW", (0, 0), (-1, -1), 0.25, colors.lightgrey)]))
    right = [levels_table, Spacer(1, 3 * mm), state_table]
    overview = Table(
        [[[matrix_table, Spacer(1, 1 * mm), axis], right]],
        colWidths=[64 * mm, width - 64 * mm],
    )
    overview.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")]))
    story.append(overview)
    story.append(
        p(
            _("Matrix source: {source} ({evidence}). Level responses and intervals: {rsource} "
              "({revidence}).").format(
                source=matrix.source,
                evidence=_evidence(lang, matrix.verified),
                rsource=matrix.top_level.response_source,
                revidence=_evidence(lang, matrix.top_level.response_verified),
            ),
            small,
        )
    )  # fmt: skip

    # -- the register, by department -------------------------------------------------------------
    headers = [
        _("Ref."),
        _("Activity · agent · location"),
        _("Category · statutory factor"),
        _("Who is exposed"),
        _("Potential harm"),
        _("Existing controls"),
        _("Initial"),
        _("Residual"),
        _("Owner · acceptance"),
        _("Next review"),
    ]
    widths_mm = (15, 40, 27, 33, 31, 52, 16, 17, 27, 19)
    scale = width / (sum(widths_mm) * mm)
    widths = [w * mm * scale for w in widths_mm]
    groups: dict[tuple[str, str, str], list[HazardInfo]] = {}
    for entry in data.entries:
        key = (entry.department_code, entry.department_zh, entry.department_en)
        groups.setdefault(key, []).append(entry)
    if not data.entries:
        story.append(p(_("No hazards match."), heading))
    for (_code, name_zh, name_en), entries in groups.items():
        rows: list[list[object]] = [[p(h, bold) for h in headers]]
        table_style: list[tuple[object, ...]] = [
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eef3f8")),
            ("LINEBELOW", (0, 0), (-1, -1), 0.25, colors.lightgrey),
            ("TOPPADDING", (0, 0), (-1, -1), 1.5),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
            ("LEFTPADDING", (0, 0), (-1, -1), 2),
            ("RIGHTPADDING", (0, 0), (-1, -1), 2),
        ]
        for index, entry in enumerate(entries, start=1):
            info = entry
            factor = catalogue.get(info.statutory_factor_code or "")
            category = _(CATEGORIES.label(info.category))
            if factor is not None:
                category = f"{category} · {factor.name.text(code)}"
            what = " · ".join(part for part in (info.activity, info.agent, info.location) if part)
            exposed = [join([_(JOB_CATEGORIES.label(j)) for j in info.job_categories])]
            if info.exposed_female is not None or info.exposed_male is not None:
                exposed.append(
                    _("women {female}, men {male}").format(
                        female=info.exposed_female if info.exposed_female is not None else "?",
                        male=info.exposed_male if info.exposed_male is not None else "?",
                    )
                )
            vulnerable = [_(VULNERABLE_GROUPS.label(v)) for v in info.vulnerable_groups]
            if vulnerable:
                exposed.append(join(vulnerable))
            if info.reproductive_hazard:
                exposed.append(_("Reproductive hazard"))
            colon = "：" if lang.chinese else ": "
            controls = [
                f"{_(HIERARCHY_LEVELS.label(c.hierarchy_level))}{colon}{c.description}"
                for c in info.controls
            ]
            control_cell: list[object] = [p("\n".join(controls) or "—")]
            if info.weak_controls_warning:
                control_cell.append(
                    p(_("Only administrative controls and PPE: look for stronger ones."), alert)
                )
            owner = [info.owner]
            if info.accepted_by:
                role = _(ACCEPTOR_ROLES.label(info.accepted_role)) if info.accepted_role else ""
                owner.append(
                    _("Accepted: {person}, {role}, {date}").format(
                        person=info.accepted_by, role=role, date=lang.date(info.accepted_on)
                    )
                )
            owner_cell: list[object] = [p("\n".join(owner))]
            if info.acceptance_missing:
                owner_cell.append(p(_("Acceptance missing"), alert))
            review = lang.date(info.next_review_on)
            review_cell: list[object] = [p(review)]
            if info.review_state == "overdue":
                review_cell = [p(review, alert), p(_("Overdue"), alert)]
            elif info.review_state == "due":
                review_cell = [p(review), p(_("Due soon"), small)]
            initial = score_text(info.initial_likelihood, info.initial_severity)
            residual = score_text(info.residual_likelihood, info.residual_severity)
            rows.append(
                [
                    p(info.reference),
                    p(what),
                    p(category),
                    p("\n".join(part for part in exposed if part) or "—"),
                    p(info.potential_harm),
                    control_cell,
                    coloured(initial, info.initial_level) if info.initial_level else p(""),
                    coloured(residual, info.residual_level)
                    if info.residual_level
                    else p(_("not yet scored"), small),
                    owner_cell,
                    review_cell,
                ]
            )
            for column, level_code in ((6, info.initial_level), (7, info.residual_level)):
                if level_code:
                    colour = colors.HexColor(matrix.level_by_code(level_code).colour)
                    table_style.append(("BACKGROUND", (column, index), (column, index), colour))
        body = Table(rows, colWidths=widths, repeatRows=1)
        body.setStyle(TableStyle(table_style))
        title_text = _("{department} (hazards: {count})").format(
            department=department(name_zh, name_en), count=len(entries)
        )
        if len(rows) < 8:  # a short department stays with its heading
            story.append(KeepTogether([p(title_text, heading), body]))
        else:
            story += [p(title_text, heading), body]

    printed = printed_at or dt.datetime.now().replace(microsecond=0)
    footer = _("Printed {time}. Risk matrix: {matrix}. Page {page}")

    def on_page(canvas, document) -> None:  # type: ignore[no-untyped-def]
        canvas.saveState()
        canvas.setFont(font, 7)
        canvas.setFillColor(colors.grey)
        canvas.drawString(
            10 * mm,
            7 * mm,
            footer.format(
                time=lang.datetime(printed), matrix=matrix.name.text(code), page=document.page
            ),
        )
        canvas.restoreState()

    document = SimpleDocTemplate(
        out if not isinstance(out, Path) else str(out),
        pagesize=page_size,
        leftMargin=10 * mm,
        rightMargin=10 * mm,
        topMargin=10 * mm,
        bottomMargin=12 * mm,
        title=_("Occupational hazard register and risk assessment"),
        author=hospital or "hospital_osh",
        creator="hospital_osh",
        invariant=1 if invariant else 0,
    )
    document.build(story, onFirstPage=on_page, onLaterPages=on_page)


def hazard_register_bytes(data: RegisterData, language: str, **options: object) -> bytes:
    """The PDF as bytes (for previews and tests)."""
    buffer = io.BytesIO()
    build_hazard_register(data, language, buffer, **options)  # type: ignore[arg-type]
    return buffer.getvalue()
