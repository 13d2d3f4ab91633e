"""The case sheet: a confidential one- or two-page record of one exposure, in Chinese or English.

It goes into the worker's occupational health file (职业健康监护档案). Data in (an ExposureInfo,
already masked for the user who prints it), PDF out; no session, no Qt. The wording is ours and
the codes EPINet-compatible; the EPINet form layout is not reproduced (exposures.md a.9).
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import BinaryIO
from xml.sax.saxutils import escape

from hospital_osh.domain.codes import CodeList
from hospital_osh.domain.exposure_codes import (
    BARRIER_GARMENTS,
    CHINA_GRADES,
    CHINA_SOURCE_GRADES,
    FIELD_CODE_LISTS,
)
from hospital_osh.domain.exposure_rules import FIELD_LABELS, FLUID_TYPES_OF_EXPOSURE
from hospital_osh.reports.fonts import register_fonts
from hospital_osh.reports.language import ReportLanguage
from hospital_osh.services.exposures import HIDDEN, ExposureInfo

_SHARPS_FIELDS = (
    "device_type",
    "device_brand",
    "device_safety_engineered",
    "safety_activated",
    "purpose",
    "circumstance",
    "body_site",
    "depth",
    "gloves",
    "device_contaminated",
)
_FLUID_FIELDS = (
    "fluid_type",
    "fluid_visibly_bloody",
    "body_site",
    "contact_duration",
    "contact_volume",
    "barrier_garments",
)
_SOURCE_TESTS = (
    ("source_hbsag", "source_hbsag_date"),
    ("source_hbeag", "source_hbeag_date"),
    ("source_anti_hcv", "source_anti_hcv_date"),
    ("source_hcv_rna", "source_hcv_rna_date"),
    ("source_hiv", "source_hiv_date"),
)


class _Sheet:
    """Turns one ExposureInfo into labelled values in one language."""

    def __init__(self, info: ExposureInfo, lang: ReportLanguage):
        self.info = info
        self.lang = lang
        self._ = lang._

    def label(self, name: str) -> str:
        return self._(FIELD_LABELS.get(name, name))

    def code(self, codes: CodeList, code: str | None) -> str:
        if code is None or code == "":
            return ""
        if code == HIDDEN:
            return HIDDEN
        local = self.info.local_labels.get((codes.name, code))
        if local is not None:
            zh, en = local
            return (zh or en) if self.lang.chinese else (en or zh)
        return self._(codes.label(code))

    def value(self, name: str) -> str:
        info = self.info
        raw = getattr(info, name)
        if name == "barrier_garments":
            return self.lang_join(self.code(BARRIER_GARMENTS, c) for c in raw)
        if name in FIELD_CODE_LISTS:
            return self.code(FIELD_CODE_LISTS[name], raw)
        if name == "device_brand":
            local = info.local_labels.get(("device_brand", raw))
            if local:
                return (local[0] or local[1]) if self.lang.chinese else (local[1] or local[0])
        if isinstance(raw, dt.datetime):
            return self.lang.datetime(raw)
        if isinstance(raw, dt.date):
            return self.lang.date(raw)
        if isinstance(raw, float):
            return self.lang.number(raw)
        return "" if raw is None else str(raw)

    def lang_join(self, parts: Iterable[str]) -> str:
        return ("、" if self.lang.chinese else ", ").join(parts)

    def department(self, zh: str, en: str) -> str:
        return (zh or en) if self.lang.chinese else (en or zh)


def _local(value: dt.datetime | None) -> dt.datetime | None:
    """Bookkeeping times are stored in UTC; exposure times are already local."""
    if value is None:
        return None
    return value.replace(tzinfo=dt.UTC).astimezone().replace(tzinfo=None)


def _rows(sheet: _Sheet, names: Sequence[str]) -> list[tuple[str, str]]:
    return [(sheet.label(name), sheet.value(name)) for name in names]


def build_case_sheet(
    info: ExposureInfo,
    language: str,
    out: str | Path | BinaryIO,
    *,
    hospital_name: str = "",
    printed_at: dt.datetime | None = None,
    invariant: bool = False,
) -> None:
    """Write the case sheet of ``info`` in ``language`` (``zh_CN`` or ``en``) to ``out``."""
    from reportlab.lib import colors
    from reportlab.lib.enums import TA_LEFT
    from reportlab.lib.pagesizes import A4
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
    sheet = _Sheet(info, lang)
    wrap = "CJK" if lang.chinese else None
    base = ParagraphStyle("base", fontName=font, fontSize=9, leading=12, wordWrap=wrap)
    small = ParagraphStyle("small", parent=base, fontSize=7.5, leading=10, textColor=colors.grey)
    title = ParagraphStyle("title", parent=base, fontSize=15, leading=19, spaceAfter=2)
    heading = ParagraphStyle(
        "heading",
        parent=base,
        fontSize=10.5,
        leading=14,
        spaceBefore=7,
        spaceAfter=3,
        textColor=colors.HexColor("#1f4e79"),
        alignment=TA_LEFT,
    )
    warning = ParagraphStyle("warning", parent=base, textColor=colors.HexColor("#a00000"))

    def p(text: str, style: ParagraphStyle = base) -> Paragraph:
        return Paragraph(escape(text), style)

    width = A4[0] - 30 * mm

    def table(rows: Sequence[tuple[str, str]], columns: int = 2) -> Table:
        """Label/value pairs laid out ``columns`` pairs to a line."""
        cells: list[list[Paragraph]] = []
        line: list[Paragraph] = []
        for label, value in rows:
            line += [p(label, small), p(value or "—")]
            if len(line) == 2 * columns:
                cells.append(line)
                line = []
        if line:
            cells.append(line + [p("")] * (2 * columns - len(line)))
        label_width = 0.17 * width if columns == 2 else 0.3 * width
        value_width = width / columns - label_width
        result = Table(cells, colWidths=[label_width, value_width] * columns)
        result.setStyle(
            TableStyle(
                [
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("LINEBELOW", (0, 0), (-1, -1), 0.25, colors.lightgrey),
                    ("TOPPADDING", (0, 0), (-1, -1), 2),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
                ]
            )
        )
        return result

    def section(name: str, *flowables: object) -> KeepTogether:
        return KeepTogether([p(name, heading), *flowables])

    story: list[object] = []
    if hospital_name:
        story.append(p(hospital_name, small))
    story.append(
        p(_("Occupational exposure case sheet {reference}").format(reference=info.reference), title)
    )
    story.append(
        p(
            _(
                "Confidential medical record. Keep it in the worker's occupational health file "
                "and show it only to those who need it."
            ),
            warning,
        )
    )
    story.append(p(_("Record UUID: {uuid}").format(uuid=info.uuid), small))
    story.append(Spacer(1, 3 * mm))

    case_rows = [
        (_("Case number"), info.reference),
        (sheet.label("status"), sheet.value("status")),
        (sheet.label("occurred_at"), sheet.value("occurred_at")),
        (sheet.label("reported_at"), sheet.value("reported_at")),
        (_("Hours from exposure to report"), lang.number(info.hours_to_report)),
        (sheet.label("outcome"), sheet.value("outcome")),
        (_("Recorded by"), info.reported_by),
        (_("Completed"), lang.datetime(_local(info.completed_at))),
    ]
    story.append(section(_("Case"), table(case_rows)))
    if info.missing:
        missing = lang_join_labels(sheet, info.missing)
        story.append(p(_("Incomplete record; missing: {fields}").format(fields=missing), warning))

    worker_rows = [
        (sheet.label("worker_name"), info.worker_name),
        (_("Staff number"), info.staff_no),
        (sheet.label("worker_kind"), sheet.value("worker_kind")),
        (sheet.label("job_category"), sheet.value("job_category")),
        (sheet.label("employment_type"), sheet.value("employment_type")),
        (
            sheet.label("home_department_id"),
            sheet.department(info.home_department_zh, info.home_department_en),
        ),
        (sheet.label("sex"), sheet.value("sex")),
        (sheet.label("age"), sheet.value("age")),
        (sheet.label("years_in_post"), sheet.value("years_in_post")),
    ]
    story.append(section(_("Worker (at the time of the exposure)"), table(worker_rows)))

    event_rows = [
        (sheet.label("exposure_type"), sheet.value("exposure_type")),
        (sheet.label("department_id"), sheet.department(info.department_zh, info.department_en)),
        (sheet.label("location_type"), sheet.value("location_type")),
    ]
    if info.china_grade or info.china_source_grade:
        event_rows += [
            (sheet.label("china_grade"), sheet.code(CHINA_GRADES, info.china_grade)),
            (
                sheet.label("china_source_grade"),
                sheet.code(CHINA_SOURCE_GRADES, info.china_source_grade),
            ),
        ]
    story.append(section(_("The exposure"), table(event_rows)))

    if info.exposure_type == "percutaneous" or info.device_type:
        story.append(section(_("Sharps injury"), table(_rows(sheet, _SHARPS_FIELDS))))
    if info.exposure_type in FLUID_TYPES_OF_EXPOSURE or info.fluid_type:
        story.append(section(_("Blood or body fluid exposure"), table(_rows(sheet, _FLUID_FIELDS))))
    if info.exposure_type == "bite" and not info.device_type:
        story.append(section(_("Bite"), table(_rows(sheet, ("body_site",)))))

    source: list[object] = [
        table(
            [
                (sheet.label("source_identified"), sheet.value("source_identified")),
                (sheet.label("source_reference"), sheet.value("source_reference")),
            ]
        )
    ]
    if info.serostatus_hidden:
        source.append(p(_("Test results are not shown to your role."), small))
    else:
        results = [[p(_("Test"), small), p(_("Result"), small), p(_("Date tested"), small)]]
        for result_field, date_field in _SOURCE_TESTS:
            results.append(
                [
                    p(sheet.label(result_field)),
                    p(sheet.value(result_field) or "—"),
                    p(sheet.value(date_field) or "—"),
                ]
            )
        if info.source_hiv_viral_load is not None:
            results.append(
                [
                    p(sheet.label("source_hiv_viral_load")),
                    p(lang.number(info.source_hiv_viral_load, 0)),
                    p(sheet.value("source_hiv_viral_load_date") or "—"),
                ]
            )
        grid = Table(results, colWidths=[0.4 * width, 0.3 * width, 0.3 * width])
        grid.setStyle(
            TableStyle(
                [
                    ("LINEBELOW", (0, 0), (-1, -1), 0.25, colors.lightgrey),
                    ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eef3f8")),
                ]
            )
        )
        source.append(grid)
    story.append(section(_("Source patient"), *source))

    story.append(
        section(
            sheet.label("description"),
            p(info.description or "—"),
        )
    )

    printed = printed_at or dt.datetime.now().replace(microsecond=0)
    footer = _("Printed {time}. Codes are EPINet-compatible. Page {page}")

    def on_page(canvas, document) -> None:  # type: ignore[no-untyped-def]
        canvas.saveState()
        canvas.setFont(font, 7)
        canvas.setFillColor(colors.grey)
        canvas.drawString(
            15 * mm,
            10 * mm,
            footer.format(time=lang.datetime(printed), page=document.page),
        )
        canvas.drawRightString(A4[0] - 15 * mm, 10 * mm, _("Confidential"))
        canvas.restoreState()

    document = SimpleDocTemplate(
        out if not isinstance(out, Path) else str(out),
        pagesize=A4,
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=14 * mm,
        bottomMargin=16 * mm,
        title=_("Occupational exposure case sheet {reference}").format(reference=info.reference),
        author=hospital_name or "hospital_osh",
        subject=_("Confidential"),
        creator="hospital_osh",
        invariant=1 if invariant else 0,
    )
    document.build(story, onFirstPage=on_page, onLaterPages=on_page)


def lang_join_labels(sheet: _Sheet, names: Sequence[str]) -> str:
    return sheet.lang_join(sheet.label(name) for name in names)


def case_sheet_bytes(info: ExposureInfo, language: str, **options: object) -> bytes:
    """The PDF as bytes (for previews and tests)."""
    buffer = io.BytesIO()
    build_case_sheet(info, language, buffer, **options)  # type: ignore[arg-type]
    return buffer.getvalue()
