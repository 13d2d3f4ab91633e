"""The comparison report of a roll-up (many hospitals), in Chinese or English.

Data in (the roll-up dict of ``exchange.rollup.rollup``, already small-cell suppressed), PDF out;
the same dict is what ``--json`` writes, so the two agree. ``rollup_tables`` also feeds the XLSX.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Mapping
from pathlib import Path
from typing import Any, BinaryIO
from xml.sax.saxutils import escape

from hospital_osh.domain import metrics
from hospital_osh.domain.codes import JOB_CATEGORIES, SEXES
from hospital_osh.reports.fonts import register_fonts
from hospital_osh.reports.language import ReportLanguage
from hospital_osh.reports.summary import INT, MIXED, PERCENT, RATE, TEXT, Labels, ReportTable


def _name(row: Mapping[str, Any], lang: ReportLanguage) -> str:
    zh, en = row.get("name_zh", ""), row.get("name_en", "")
    return (zh or en) if lang.chinese else (en or zh)


def _counts_table(
    labels: Labels, key: str, title: str, list_name: str, counts: Mapping[str, Any], total: int
) -> ReportTable:
    _ = labels._
    order = JOB_CATEGORIES.codes if list_name == "job_category" else ()
    rows: list[list[Any]] = []
    ordered = [c for c in order if c in counts] + sorted(c for c in counts if c not in order)
    for code in ordered:
        value = counts[code]
        share = metrics.share(value, total) if isinstance(value, int) else None
        rows.append([labels.code(list_name, code), value, share if value else None])
    rows.sort(key=lambda r: -(r[1] if isinstance(r[1], int) else 0))
    return ReportTable(
        key, title, [_("Category"), _("Exposures"), _("Share")], rows, [TEXT, INT, PERCENT]
    )


def rollup_tables(rollup: Mapping[str, Any], lang: ReportLanguage) -> list[ReportTable]:
    """Every table of the comparison report, in order (cells already suppressed)."""
    _ = lang._
    labels = Labels({}, lang)
    total = int(rollup["totals"]["exposures"])
    pooled = rollup["pooled"]
    tables: list[ReportTable] = []
    tables.append(
        ReportTable(
            "totals",
            _("Totals and pooled rates"),
            [_("Figure"), _("Value")],
            [
                [_("Hospitals"), rollup["hospitals"]],
                [_("Packages combined"), len(rollup["packages"])],
                [_("Duplicate packages counted once"), len(rollup["duplicates"])],
                [_("Exposures"), total],
                [_("Of which percutaneous (sharps)"), rollup["totals"]["percutaneous"]],
                [_("Exposures per 100 FTE per year (pooled)"), pooled["per_100_fte_years"]],
                [
                    _("Exposures per 100 occupied beds per year (pooled)"),
                    pooled["per_100_occupied_bed_years"],
                ],
                [_("Hospitals with FTE figures"), pooled["hospitals_with_fte"]],
                [_("Hospitals with occupied-bed figures"), pooled["hospitals_with_beds"]],
                [
                    _("Share of sharps injuries from safety-engineered devices"),
                    pooled["safety_engineered_share"],
                ],
            ],
            [TEXT, MIXED],
            row_formats=[INT, INT, INT, INT, INT, RATE, RATE, INT, INT, PERCENT],
        )
    )
    distribution = rollup["rate_distribution"]
    dist_rows = []
    for key, label in (
        ("per_100_fte_years", _("Per 100 FTE per year")),
        ("per_100_occupied_bed_years", _("Per 100 occupied beds per year")),
    ):
        d = distribution[key]
        dist_rows.append([label, d["n"], d["min"], d["q1"], d["median"], d["q3"], d["max"]])
    tables.append(
        ReportTable(
            "distribution",
            _("Distribution of hospitals' rates"),
            [
                _("Rate"),
                _("Hospitals"),
                _("Lowest"),
                _("First quartile"),
                _("Median"),
                _("Third quartile"),
                _("Highest"),
            ],
            dist_rows,
            [TEXT, INT, RATE, RATE, RATE, RATE, RATE],
        )
    )
    hospital_rows = []
    for row in rollup["per_hospital"]:
        hospital_rows.append(
            [
                _name(row, lang),
                row["code"],
                row["exposures"],
                row["by_sex"].get("female", 0),
                row["by_sex"].get("male", 0),
                row["per_100_fte_years"],
                row["per_100_occupied_bed_years"],
                row["followup_completion"],
            ]
        )
    tables.append(
        ReportTable(
            "hospitals",
            _("Hospitals compared"),
            [
                _("Hospital"),
                _("Code"),
                _("Exposures"),
                labels.sex("female"),
                labels.sex("male"),
                _("Per 100 FTE per year"),
                _("Per 100 beds per year"),
                _("Follow-up completed"),
            ],
            hospital_rows,
            [TEXT, TEXT, INT, INT, INT, RATE, RATE, PERCENT],
            [
                _(
                    "Counts from 1 to 4 by hospital, sex or job category are shown as <5 to "
                    "protect the workers; totals are exact."
                )
            ],
        )
    )
    tables.append(
        _counts_table(
            labels,
            "job_category",
            _("Job-category profile"),
            "job_category",
            rollup["by_job_category"],
            total,
        )
    )
    sex_rows = []
    sexes = [s for s in SEXES.codes if any(s in c for c in rollup["sex_by_job_category"].values())]
    for job, counts in rollup["sex_by_job_category"].items():
        sex_rows.append([labels.code("job_category", job), *(counts.get(s, 0) for s in sexes)])
    tables.append(
        ReportTable(
            "sex_job",
            _("Exposures by job category and sex"),
            [_("Job category"), *(labels.sex(s) for s in sexes)],
            sex_rows,
            [TEXT, *(INT for _s in sexes)],
        )
    )
    tables.append(
        _counts_table(
            labels,
            "device",
            _("Device profile"),
            "device_type",
            rollup["by_device_type"],
            total,
        )
    )
    tables.append(
        _counts_table(
            labels, "type", _("Exposures by type"), "exposure_type", rollup["by_type"], total
        )
    )
    followup = rollup.get("followup")
    if followup:
        tables.append(
            ReportTable(
                "followup",
                _("Post-exposure follow-up"),
                [_("Figure"), _("Value")],
                [
                    [_("Hospitals reporting follow-up"), followup["hospitals_reporting"]],
                    [_("Cases requiring follow-up"), followup.get("cases_requiring", 0)],
                    [_("Follow-up completed"), followup.get("completed", 0)],
                    [_("Completion"), followup.get("completion")],
                    [_("Lost to follow-up"), followup.get("lost", 0)],
                    [_("HIV PEP started"), followup.get("hiv_pep_started", 0)],
                    [_("HIV PEP started within 2 hours"), followup.get("hiv_pep_within_2h", 0)],
                    [_("HIV PEP course completed"), followup.get("hiv_pep_completed", 0)],
                    [_("HBV seroconversions"), followup.get("hbv_seroconversions", 0)],
                    [_("HCV seroconversions"), followup.get("hcv_seroconversions", 0)],
                    [_("HIV seroconversions"), followup.get("hiv_seroconversions", 0)],
                ],
                [TEXT, MIXED],
                row_formats=[INT, INT, INT, PERCENT, INT, INT, INT, INT, INT, INT, INT],
            )
        )
    package_rows = [[p["file"], p["hospital"], p["from"], p["to"]] for p in rollup["packages"]]
    tables.append(
        ReportTable(
            "packages",
            _("Packages combined"),
            [_("File"), _("Hospital"), _("From"), _("To")],
            package_rows,
            [TEXT, TEXT, TEXT, TEXT],
            [
                _("{file} repeats {other} and was counted once.").format(
                    file=d["file"], other=d["duplicate_of"]
                )
                for d in rollup["duplicates"]
            ],
        )
    )
    return tables


def build_rollup_pdf(
    rollup: Mapping[str, Any],
    language: str,
    out: str | Path | BinaryIO,
    *,
    generated_at: dt.datetime | None = None,
    invariant: bool = False,
) -> None:
    """Write the comparison report of ``rollup`` in ``language`` to ``out``."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    font = register_fonts()
    lang = ReportLanguage.of(language)
    _ = lang._
    labels = Labels({}, lang)
    wrap = "CJK" if lang.chinese else None
    page = landscape(A4)
    width = page[0] - 30 * mm
    base = ParagraphStyle("base", fontName=font, fontSize=9, leading=12, wordWrap=wrap)
    small = ParagraphStyle("small", parent=base, fontSize=7.5, leading=10, textColor=colors.grey)
    right = ParagraphStyle("right", parent=small, alignment=2)
    cell = ParagraphStyle("cell", parent=base, fontSize=8, leading=10)
    number = ParagraphStyle("number", parent=cell, alignment=2)
    title = ParagraphStyle("title", parent=base, fontSize=18, leading=24, spaceAfter=6)
    heading = ParagraphStyle(
        "heading",
        parent=base,
        fontSize=11,
        leading=15,
        spaceBefore=8,
        spaceAfter=4,
        textColor=colors.HexColor("#1f4e79"),
        keepWithNext=1,
    )
    note = ParagraphStyle("note", parent=small, textColor=colors.HexColor("#7a4a00"))
    generated = generated_at or dt.datetime.now().replace(microsecond=0)
    version = rollup.get("generator", {}).get("version", "")

    def p(text: str, style: ParagraphStyle = base) -> Paragraph:
        return Paragraph(escape(text), style)

    period = rollup.get("period", {})
    span = ""
    if period.get("from") and period.get("to"):
        span = _("{start} to {end}").format(
            start=lang.date(dt.date.fromisoformat(period["from"])),
            end=lang.date(dt.date.fromisoformat(period["to"])),
        )
    story: list[Any] = [
        p(_("Occupational exposures: comparison of hospitals"), title),
        p(_("Period: {period}").format(period=span)),
        p(
            _("Generated {time} by hospital-osh {version}").format(
                time=lang.datetime(generated), version=version
            ),
            small,
        ),
        Spacer(1, 4 * mm),
    ]
    for table in rollup_tables(rollup, lang):
        story.append(p(table.title, heading))
        header = [
            p(h, small if kind == TEXT else right)
            for h, kind in zip(table.headers, table.formats, strict=True)
        ]
        body = []
        for index, row in enumerate(table.rows):
            cells = []
            for column, value in enumerate(row):
                kind = table.formats[column]
                if kind == MIXED and table.row_formats:
                    kind = table.row_formats[index]
                cells.append(p(labels.format(value, kind), cell if kind == TEXT else number))
            body.append(cells)
        first = 0.3 if len(table.headers) > 3 else 0.6
        rest = (1 - first) / max(1, len(table.headers) - 1)
        grid = Table(
            [header, *body],
            colWidths=[first * width] + [rest * width] * (len(table.headers) - 1),
            repeatRows=1,
        )
        grid.setStyle(
            TableStyle(
                [
                    ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eef3f8")),
                    ("LINEBELOW", (0, 0), (-1, -1), 0.25, colors.lightgrey),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ]
            )
        )
        story.append(grid)
        story += [p(text, note) for text in table.notes]

    footer = _("Page {page}")

    def on_page(canvas: Any, document: Any) -> None:
        canvas.saveState()
        canvas.setFont(font, 7)
        canvas.setFillColor(colors.grey)
        canvas.drawString(15 * mm, 8 * mm, _("Confidential"))
        canvas.drawRightString(page[0] - 15 * mm, 8 * mm, footer.format(page=document.page))
        canvas.restoreState()

    SimpleDocTemplate(
        out if not isinstance(out, Path) else str(out),
        pagesize=page,
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=14 * mm,
        bottomMargin=15 * mm,
        title=_("Occupational exposures: comparison of hospitals"),
        creator=f"hospital-osh {version}",
        invariant=1 if invariant else 0,
    ).build(story, onFirstPage=on_page, onLaterPages=on_page)


def rollup_pdf_bytes(rollup: Mapping[str, Any], language: str, **options: Any) -> bytes:
    buffer = io.BytesIO()
    build_rollup_pdf(rollup, language, buffer, **options)
    return buffer.getvalue()
