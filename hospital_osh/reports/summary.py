"""The summary report of a period (NIOHPC model report), in Chinese or English.

Data in (the ``summary.json`` dict of ``services.summary.build_summary``), PDF out: every number in
the tables and charts is read from that dict, so the PDF, the package's ``summary.json`` and the
XLSX (``exchange.xlsx``, which takes the same ``summary_tables``) cannot disagree. No session,
no Qt. The CJK font is embedded so the report reads on a computer without Chinese fonts.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from html import escape as html_escape
from pathlib import Path
from typing import Any, BinaryIO

from hospital_osh.domain import metrics
from hospital_osh.domain.actions import ACTION_STATUSES
from hospital_osh.domain.codes import DEPARTMENT_TYPES, HOSPITAL_GRADES, N_, SEXES, CodeList
from hospital_osh.domain.exposure_codes import ALL_LISTS
from hospital_osh.reports.fonts import register_fonts
from hospital_osh.reports.language import ReportLanguage

Cell = str | int | float | None

# Column formats: how a number is shown (and typed in the XLSX).
TEXT, INT, RATE, PERCENT, HOURS, SIGNED = "text", "int", "rate", "percent", "hours", "signed"
MIXED = "mixed"  # the format is per row (``ReportTable.row_formats``)

# summary.json dimension -> the code list naming its codes, and the table's title.
_DIMENSION_TABLES: tuple[tuple[str, str, str], ...] = (
    ("type", "exposure_type", N_("Exposures by type and sex")),
    ("department_type", "department_type", N_("Exposures by department type and sex")),
    ("location_type", "location_type", N_("Exposures by location and sex")),
    ("device_type", "device_type", N_("Exposures by device and sex")),
    ("purpose", "purpose", N_("Exposures by original purpose of the item and sex")),
    ("circumstance", "circumstance", N_("Exposures by circumstance and sex")),
    ("body_site", "body_site", N_("Exposures by body site and sex")),
    ("employment_type", "employment_type", N_("Exposures by employment type and sex")),
)
_SECTION_NAMES = {
    "followup": N_("Post-exposure follow-up, PEP and seroconversions"),
    "immunity": N_("Staff hepatitis B immunity"),
    "hazards": N_("Hazard register"),
    "actions": N_("Action plans"),
    "healthwise": N_("HealthWISE rounds"),
}
_REASONS = {
    "no_staffing_year": N_("no staffing figures entered for {years}"),
    "no_fte": N_("no FTE entered for {years}"),
    "no_occupied_beds": N_("occupied beds not entered for {years}"),
    "no_fte_for_job_category": N_("no FTE of this job category entered for {years}"),
    "no_fte_for_sex": N_("no FTE of this sex entered for {years}"),
}
_LISTS: dict[str, CodeList] = {
    **ALL_LISTS,
    "department_type": DEPARTMENT_TYPES,
    "action_status": ACTION_STATUSES,
}


@dataclass(frozen=True)
class ReportTable:
    """One table of the report: also one sheet of the XLSX."""

    key: str
    title: str
    headers: list[str]
    rows: list[list[Cell]]
    formats: list[str]
    notes: list[str] = field(default_factory=list)
    row_formats: list[str] | None = None  # per row, where a column's format is "mixed"


class Labels:
    """Code labels and number formats in the report's language."""

    def __init__(self, summary: Mapping[str, Any], lang: ReportLanguage):
        self.summary = summary
        self.lang = lang
        self._ = lang._

    def code(self, list_name: str, code: str) -> str:
        codes = _LISTS.get(list_name)
        if code == "unknown" and (codes is None or "unknown" not in codes):
            return self._("Not recorded")
        local = self.summary.get("local_labels", {}).get(list_name, {}).get(code)
        if local:
            zh, en = local.get("zh", ""), local.get("en", "")
            return (zh or en) if self.lang.chinese else (en or zh)
        if codes is not None and code in codes:
            return self._(codes.label(code))
        return code

    def sex(self, code: str) -> str:
        return self._(SEXES.label(code)) if code in SEXES else self.code("sex", code)

    def not_available(self) -> str:
        return self._("not available")

    def format(self, value: Cell, kind: str) -> str:
        lang = self.lang
        if value is None:
            return "—" if kind in (TEXT, INT) else self.not_available()
        if isinstance(value, str):
            return value
        if kind == INT:
            return lang.number(value, 0)
        if kind == RATE:
            return lang.number(value, 2)
        if kind == PERCENT:
            return f"{lang.number(value * 100, 1)}%"
        if kind == SIGNED:
            sign = "+" if value > 0 else ""
            return f"{sign}{lang.number(value * 100, 1)}%"
        if kind == HOURS:
            return lang.number(value, 2)
        return str(value)

    def reason(self, entry: Mapping[str, Any] | None) -> str:
        if not entry:
            return ""
        template = _REASONS.get(str(entry.get("reason")), "")
        years = ", ".join(str(y) for y in entry.get("years", []))
        return self._(template).format(years=years) if template else str(entry.get("reason"))


def _sexes(split: Mapping[str, Mapping[str, int]]) -> list[str]:
    """The sex columns a table needs: female and male always, unknown when it occurs."""
    present = {sex for counts in split.values() for sex in counts}
    return [s for s in SEXES.codes if s in ("female", "male") or s in present]


def _dimension_table(
    labels: Labels, key: str, list_name: str, title: str, extra: Sequence[Any] = ()
) -> ReportTable:
    summary = labels.summary
    _ = labels._
    exposures = summary["exposures"]
    split: Mapping[str, Mapping[str, int]] = exposures["sex_split"].get(key, {})
    totals: Mapping[str, int] = exposures.get(f"by_{key}", {})
    total = exposures["total"]
    sexes = _sexes(split)
    order = _LISTS[list_name].codes if list_name in _LISTS else ()
    headers = [_("Category"), *(labels.sex(s) for s in sexes), _("Total"), _("Share")]
    formats = [TEXT, *(INT for _s in sexes), INT, PERCENT]
    for header, kind, _getter in extra:
        headers.append(header)
        formats.append(kind)
    rows: list[list[Cell]] = []
    for code, count in metrics.ordered_counts(totals, order):
        row: list[Cell] = [labels.code(list_name, code)]
        row += [split.get(code, {}).get(s, 0) for s in sexes]
        row += [count, metrics.share(count, total)]
        row += [getter(code) for _h, _k, getter in extra]
        rows.append(row)
    column_totals: list[Cell] = [_("All exposures")]
    column_totals += [sum(split.get(c, {}).get(s, 0) for c in split) for s in sexes]
    column_totals += [total, 1.0 if total else None]
    column_totals += ["" for _e in extra]
    rows.append(column_totals)
    return ReportTable(key, _(title), headers, rows, formats)


def key_figures(summary: Mapping[str, Any], lang: ReportLanguage) -> list[tuple[str, Cell, str]]:
    """(label, value, format) of the headline figures, for the report and the page preview."""
    _ = lang._
    exposures = summary["exposures"]
    rates = summary["rates"]
    hours = exposures["hours_to_report"]
    trend = summary["trend"]
    return [
        (_("Exposures"), exposures["total"], INT),
        (_("Of which percutaneous (sharps)"), exposures["percutaneous"], INT),
        (_("Exposures per 100 FTE"), rates["per_100_fte"], RATE),
        (_("Exposures per 100 occupied beds"), rates["per_100_occupied_beds"], RATE),
        (
            _("Percutaneous injuries per 100 occupied beds"),
            rates["percutaneous_per_100_occupied_beds"],
            RATE,
        ),
        (
            _("Share of sharps injuries from safety-engineered devices"),
            exposures["safety_engineered_share"],
            PERCENT,
        ),
        (
            _("Share of safety-engineered devices fully activated"),
            exposures["safety_activated_share"],
            PERCENT,
        ),
        (_("Median hours from exposure to report"), hours["median"], HOURS),
        (_("Reported within 24 hours"), hours["within_24h"], INT),
        (
            _("Exposures with the source patient identified"),
            exposures["source_identified"].get("yes", 0),
            INT,
        ),
        (_("Change against the previous period"), trend["change_vs_previous"], SIGNED),
        (_("Change against the same period last year"), trend["change_vs_last_year"], SIGNED),
    ]


def summary_tables(summary: Mapping[str, Any], lang: ReportLanguage) -> list[ReportTable]:
    """Every table of the report, in order, with raw numbers (formatted where shown)."""
    labels = Labels(summary, lang)
    _ = lang._
    exposures = summary["exposures"]
    rates = summary["rates"]
    not_available = rates.get("not_available", {})
    tables: list[ReportTable] = []

    figures = key_figures(summary, lang)
    notes = []
    for name, entry in not_available.items():
        if "." not in name:
            label = {
                "per_100_fte": _("Exposures per 100 FTE"),
                "per_100_occupied_beds": _("Exposures per 100 occupied beds"),
                "percutaneous_per_100_occupied_beds": _(
                    "Percutaneous injuries per 100 occupied beds"
                ),
            }.get(name, name)
            notes.append(
                _("{figure}: not available, {reason}.").format(
                    figure=label, reason=labels.reason(entry)
                )
            )
    tables.append(
        ReportTable(
            "key_figures",
            _("Key figures"),
            [_("Figure"), _("Value")],
            [[label, value] for label, value, _kind in figures],
            [TEXT, MIXED],
            notes,
            [kind for _label, _value, kind in figures],
        )
    )

    by_job_rate = rates.get("per_100_fte_by_job_category", {})
    job = _dimension_table(
        labels,
        "job_category",
        "job_category",
        "Exposures by job category and sex",
        [(_("Per 100 FTE"), RATE, lambda code: by_job_rate.get(code))],
    )
    for code, _rate in by_job_rate.items():
        entry = not_available.get(f"per_100_fte_by_job_category.{code}")
        if entry and exposures["by_job_category"].get(code):
            job.notes.append(
                _("{category}: rate not available, {reason}.").format(
                    category=labels.code("job_category", code), reason=labels.reason(entry)
                )
            )
    tables.append(job)
    for key, list_name, title in _DIMENSION_TABLES:
        tables.append(_dimension_table(labels, key, list_name, title))

    by_sex = exposures.get("by_sex", {})
    sex_rates = rates.get("per_100_fte_by_sex", {})
    sex_rows: list[list[Cell]] = []
    for code in SEXES.codes:
        if code in by_sex or code in sex_rates:
            sex_rows.append(
                [
                    labels.sex(code),
                    by_sex.get(code, 0),
                    metrics.share(by_sex.get(code, 0), exposures["total"]),
                    sex_rates.get(code) if code != "unknown" else None,
                ]
            )
    tables.append(
        ReportTable(
            "sex",
            _("Exposures and rates by sex"),
            [_("Sex"), _("Exposures"), _("Share"), _("Per 100 FTE")],
            sex_rows,
            [TEXT, INT, PERCENT, RATE],
        )
    )

    engineered = exposures.get("safety_engineered", {})
    activated = exposures.get("safety_activated", {})
    device_rows: list[list[Cell]] = [
        [_("Safety-engineered device: {answer}").format(answer=labels.code("yes_no_unknown", c)), n]
        for c, n in metrics.ordered_counts(engineered, ("yes", "no", "unknown"))
    ]
    device_rows += [
        [
            _("Safety feature activated: {answer}").format(
                answer=labels.code("safety_activated", c)
            ),
            n,
        ]
        for c, n in metrics.ordered_counts(activated, ("fully", "partially", "no", "unknown"))
    ]
    tables.append(
        ReportTable(
            "safety_devices",
            _("Sharps injuries: safety-engineered devices"),
            [_("Answer"), _("Percutaneous exposures")],
            device_rows,
            [TEXT, INT],
            [
                _(
                    "The share of safety-engineered devices counts injuries with a known answer; "
                    "the activation share counts full activation among safety-engineered devices."
                )
            ],
        )
    )

    hours = exposures["hours_to_report"]
    tables.append(
        ReportTable(
            "hours_to_report",
            _("Hours from exposure to report"),
            [
                _("Exposures"),
                _("First quartile"),
                _("Median"),
                _("Third quartile"),
                _("Within 24 h"),
            ],
            [[hours["n"], hours["q1"], hours["median"], hours["q3"], hours["within_24h"]]],
            [INT, HOURS, HOURS, HOURS, INT],
        )
    )

    identified = exposures.get("source_identified", {})
    positive = exposures.get("source_positive", {})
    tables.append(
        ReportTable(
            "source",
            _("Source patient"),
            [_("Source status"), _("Exposures")],
            [
                [_("Identified"), identified.get("yes", 0)],
                [_("Not identified"), identified.get("no", 0)],
                [_("Not recorded"), identified.get("unknown", 0)],
                [_("HBsAg positive"), positive.get("hbv", 0)],
                [_("Anti-HCV or HCV RNA positive"), positive.get("hcv", 0)],
                [_("HIV positive"), positive.get("hiv", 0)],
            ],
            [TEXT, INT],
        )
    )

    tables += _other_sections(summary, labels)

    trend = summary["trend"]
    period = summary["period"]
    trend_rows: list[list[Cell]] = []
    for label, item in (
        (_("This period"), {**period, "total": exposures["total"], **rates}),
        (_("Previous period"), trend["previous"]),
        (_("Same period last year"), trend["last_year"]),
    ):
        span = _("{start} to {end}").format(
            start=lang.date(dt.date.fromisoformat(item["from"])),
            end=lang.date(dt.date.fromisoformat(item["to"])),
        )
        trend_rows.append(
            [label, span, item["total"], item["per_100_fte"], item["per_100_occupied_beds"]]
        )
    tables.append(
        ReportTable(
            "trend",
            _("Trend"),
            [_("Period"), _("Dates"), _("Exposures"), _("Per 100 FTE"), _("Per 100 beds")],
            trend_rows,
            [TEXT, TEXT, INT, RATE, RATE],
        )
    )
    months = months_of(period)
    by_month = exposures.get("by_month", {})
    last_year = trend.get("by_month_last_year", {})
    tables.append(
        ReportTable(
            "by_month",
            _("Exposures by month"),
            [_("Month"), _("Exposures"), _("Same month last year")],
            [
                [month, by_month.get(month, 0), last_year.get(_year_before(month), 0)]
                for month in months
            ],
            [TEXT, INT, INT],
        )
    )
    return tables


def _other_sections(summary: Mapping[str, Any], labels: Labels) -> list[ReportTable]:
    """Tables of the sections other areas provide, when this installation records them."""
    _ = labels._
    lang = labels.lang
    tables: list[ReportTable] = []
    followup = summary.get("followup")
    if followup:
        sero = followup["seroconversions"]
        rows: list[list[Cell]] = [
            [_("Cases requiring follow-up tests"), followup["cases_requiring"]],
            [_("Follow-up completed"), followup["completed"]],
            [_("Share of follow-up completed"), followup["completion_share"]],
            [_("Lost to follow-up"), followup["lost"]],
            [_("Follow-up tests overdue now"), followup["overdue_now"]],
            [_("HIV PEP started"), followup["hiv_pep_started"]],
            [_("HIV PEP started within 2 hours"), followup["hiv_pep_within_2h"]],
            [_("HIV PEP started within 72 hours"), followup["hiv_pep_within_72h"]],
            [_("HIV PEP course completed"), followup["hiv_pep_completed"]],
            [_("HBV seroconversions"), sero.get("hbv", 0)],
            [_("HCV seroconversions"), sero.get("hcv", 0)],
            [_("HIV seroconversions"), sero.get("hiv", 0)],
        ]
        tables.append(
            ReportTable(
                "followup",
                _("Post-exposure follow-up, PEP and seroconversions"),
                [_("Figure"), _("Value")],
                rows,
                [TEXT, MIXED],
                [
                    _(
                        "A case requires follow-up when tests are scheduled; it is complete when "
                        "every test not cancelled is done."
                    )
                ],
                [INT, INT, PERCENT, INT, INT, INT, INT, INT, INT, INT, INT, INT],
            )
        )
    hazards = summary.get("hazards")
    if hazards:
        names = hazards.get("levels", {})
        rows = [
            [
                (names.get(code, {}).get("zh") if lang.chinese else names.get(code, {}).get("en"))
                or code,
                count,
            ]
            for code, count in hazards["by_level"].items()
        ]
        rows.append([_("All hazards"), hazards["total"]])
        rows.append([_("Reviews overdue at the end of the period"), hazards["reviews_overdue"]])
        tables.append(
            ReportTable(
                "hazards",
                _("Hazard register by risk level"),
                [_("Risk level"), _("Hazards")],
                rows,
                [TEXT, INT],
                [_("Levels are those in force when the report was made.")],
            )
        )
    actions = summary.get("actions")
    if actions:
        rows = [
            [labels.code("action_status", code), count]
            for code, count in metrics.ordered_counts(actions["by_status"], ACTION_STATUSES.codes)
        ]
        rows.append([_("All action items"), actions["total"]])
        rows.append([_("Overdue at the end of the period"), actions["overdue"]])
        rows.append([_("Verified during the period"), actions["verified_in_period"]])
        tables.append(
            ReportTable(
                "actions",
                _("Action plans by status"),
                [_("Status"), _("Action items")],
                rows,
                [TEXT, INT],
                [_("Statuses are those in force when the report was made.")],
            )
        )
    immunity = summary.get("immunity")
    if immunity:
        rows = [
            [labels.code("job_category", code), item["staff"], item["immune"], item["share"]]
            for code, item in immunity["by_job_category"].items()
        ]
        rows.append(
            [
                _("All active staff"),
                immunity["staff"],
                immunity["immune"],
                immunity["responder_share"],
            ]
        )
        tables.append(
            ReportTable(
                "immunity",
                _("Staff hepatitis B immunity at the end of the period"),
                [_("Job category"), _("Active staff"), _("Documented immunity"), _("Coverage")],
                rows,
                [TEXT, INT, INT, PERCENT],
                [
                    _(
                        "Documented immunity: anti-HBs of at least 10 mIU/mL after vaccination. "
                        "Staff without any record count as not immune."
                    )
                ],
            )
        )
    healthwise = summary.get("healthwise")
    if healthwise:
        members = healthwise.get("members_by_sex", {})
        rows = [
            [_("HealthWISE rounds in the period"), healthwise["assessments"]],
            [_("Checkpoints where action was proposed"), healthwise["checkpoints_action_proposed"]],
            [_("Priority items"), healthwise["priority_items"]],
        ]
        rows += [
            [_("Team members: {sex}").format(sex=labels.sex(code)), count]
            for code, count in metrics.ordered_counts(members, SEXES.codes)
        ]
        tables.append(
            ReportTable(
                "healthwise",
                _("HealthWISE rounds and priorities"),
                [_("Figure"), _("Value")],
                rows,
                [TEXT, INT],
            )
        )
    return tables


def months_of(period: Mapping[str, str]) -> list[str]:
    """``YYYY-MM`` of every month the period touches."""
    start = dt.date.fromisoformat(period["from"])
    end = dt.date.fromisoformat(period["to"])
    result = []
    year, month = start.year, start.month
    while (year, month) <= (end.year, end.month):
        result.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return result


def _year_before(month: str) -> str:
    return f"{int(month[:4]) - 1:04d}{month[4:]}"


def missing_sections(summary: Mapping[str, Any], lang: ReportLanguage) -> list[str]:
    """Names of the sections this installation does not record yet."""
    return [lang._(_SECTION_NAMES.get(name, name)) for name in summary.get("sections_missing", [])]


def hospital_name(summary: Mapping[str, Any], lang: ReportLanguage) -> str:
    identity = summary.get("hospital", {})
    zh, en = identity.get("name_zh", ""), identity.get("name_en", "")
    return (zh or en) if lang.chinese else (en or zh)


# -- the PDF --------------------------------------------------------------------------------------


def _charts(summary: Mapping[str, Any], labels: Labels, width: float, font: str) -> list[Any]:
    """A grouped bar chart (job category by sex), a bar chart (type) and a trend line chart."""
    from reportlab.graphics.charts.barcharts import HorizontalBarChart, VerticalBarChart
    from reportlab.graphics.charts.legends import Legend
    from reportlab.graphics.charts.linecharts import HorizontalLineChart
    from reportlab.graphics.shapes import Drawing, String
    from reportlab.lib import colors

    _ = labels._
    exposures = summary["exposures"]
    palette = [colors.HexColor("#c0504d"), colors.HexColor("#1f4e79"), colors.grey]
    result: list[Any] = []

    def frame(title: str, height: float) -> Drawing:
        drawing = Drawing(width, height)
        drawing.add(String(0, height - 12, title, fontName=font, fontSize=10))
        return drawing

    def style_axes(chart: Any) -> None:
        for axis in (chart.categoryAxis, chart.valueAxis):
            axis.labels.fontName = font
            axis.labels.fontSize = 7
        chart.valueAxis.valueMin = 0
        chart.valueAxis.forceZero = 1

    def legend(drawing: Drawing, pairs: list[tuple[Any, str]], x: float, y: float) -> None:
        item = Legend()
        item.x, item.y = x, y
        item.fontName = font
        item.fontSize = 7
        item.alignment = "right"
        item.columnMaximum = 1
        item.dx = item.dy = 7
        item.deltax = 90
        item.colorNamePairs = pairs
        drawing.add(item)

    split = exposures["sex_split"].get("job_category", {})
    jobs = [
        code
        for code, _n in metrics.ordered_counts(
            exposures["by_job_category"], _LISTS["job_category"].codes
        )
    ]
    if jobs:
        drawing = frame(_("Exposures by job category and sex"), 190)
        chart = VerticalBarChart()
        chart.x, chart.y, chart.width, chart.height = 30, 45, width - 40, 115
        chart.data = [[split.get(j, {}).get(s, 0) for j in jobs] for s in ("female", "male")]
        chart.categoryAxis.categoryNames = [labels.code("job_category", j) for j in jobs]
        chart.categoryAxis.labels.angle = 30 if len(jobs) > 5 else 0
        chart.categoryAxis.labels.boxAnchor = "ne" if len(jobs) > 5 else "n"
        style_axes(chart)
        chart.valueAxis.valueStep = max(1, _step(max(max(row) for row in chart.data)))
        for index, colour in enumerate(palette[:2]):
            chart.bars[index].fillColor = colour
        drawing.add(chart)
        legend(
            drawing,
            [(palette[0], labels.sex("female")), (palette[1], labels.sex("male"))],
            width - 190,
            178,
        )
        result.append(drawing)

    types = metrics.ordered_counts(exposures["by_type"], _LISTS["exposure_type"].codes)
    if types:
        height = 40 + 18 * len(types)
        drawing = frame(_("Exposures by type"), height + 10)
        chart = HorizontalBarChart()
        chart.x, chart.y = 150, 10
        chart.width, chart.height = width - 170, height - 20
        chart.data = [[n for _c, n in reversed(types)]]
        chart.categoryAxis.categoryNames = [
            labels.code("exposure_type", c) for c, _n in reversed(types)
        ]
        style_axes(chart)
        chart.valueAxis.valueStep = max(1, _step(max(n for _c, n in types)))
        chart.bars[0].fillColor = palette[1]
        drawing.add(chart)
        result.append(drawing)

    months = months_of(summary["period"])
    if len(months) >= 2:
        by_month = exposures.get("by_month", {})
        last_year = summary["trend"].get("by_month_last_year", {})
        drawing = frame(_("Exposures by month, against the same months last year"), 170)
        chart = HorizontalLineChart()
        chart.x, chart.y, chart.width, chart.height = 30, 30, width - 40, 110
        chart.data = [
            [by_month.get(m, 0) for m in months],
            [last_year.get(_year_before(m), 0) for m in months],
        ]
        chart.categoryAxis.categoryNames = [m[2:] for m in months]
        chart.categoryAxis.labels.angle = 45 if len(months) > 12 else 0
        chart.categoryAxis.labels.boxAnchor = "ne" if len(months) > 12 else "n"
        style_axes(chart)
        chart.valueAxis.valueStep = max(1, _step(max(max(row) for row in chart.data)))
        chart.lines[0].strokeColor = palette[1]
        chart.lines[0].strokeWidth = 1.5
        chart.lines[1].strokeColor = palette[2]
        chart.lines[1].strokeDashArray = (3, 2)
        drawing.add(chart)
        legend(
            drawing,
            [(palette[1], _("This period")), (palette[2], _("Same period last year"))],
            width - 190,
            158,
        )
        result.append(drawing)
    return result


def _step(top: float) -> int:
    """A value-axis step giving about five grid lines."""
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000):
        if top / step <= 6:
            return step
    return int(top // 5) or 1


def build_summary_pdf(
    summary: Mapping[str, Any],
    language: str,
    out: str | Path | BinaryIO,
    *,
    generated_at: dt.datetime | None = None,
    invariant: bool = False,
) -> None:
    """Write the summary report of ``summary`` in ``language`` (``zh_CN`` or ``en``) to ``out``."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.pdfgen.canvas import Canvas
    from reportlab.platypus import (
        KeepTogether,
        PageBreak,
        Paragraph,
        SimpleDocTemplate,
        Spacer,
        Table,
        TableStyle,
    )

    font = register_fonts()
    lang = ReportLanguage.of(language)
    _ = lang._
    labels = Labels(summary, lang)
    wrap = "CJK" if lang.chinese else None
    base = ParagraphStyle("base", fontName=font, fontSize=9, leading=12, wordWrap=wrap)
    small = ParagraphStyle("small", parent=base, fontSize=7.5, leading=10, textColor=colors.grey)
    small_right = ParagraphStyle("small_right", parent=small, alignment=2)
    cell = ParagraphStyle("cell", parent=base, fontSize=8, leading=10)
    number = ParagraphStyle("number", parent=cell, alignment=2)
    title = ParagraphStyle("title", parent=base, fontSize=22, leading=28, spaceAfter=8)
    subtitle = ParagraphStyle("subtitle", parent=base, fontSize=13, leading=18, spaceAfter=4)
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
    width = A4[0] - 36 * mm
    generated = generated_at or dt.datetime.now().replace(microsecond=0)
    version = summary.get("generator", {}).get("version", "")

    def p(text: str, style: ParagraphStyle = base) -> Paragraph:
        return Paragraph(html_escape(text, quote=False), style)

    period = summary["period"]
    start = dt.date.fromisoformat(period["from"])
    end = dt.date.fromisoformat(period["to"])
    period_text = _("{start} to {end}").format(start=lang.date(start), end=lang.date(end))
    identity = summary.get("hospital", {})
    name = hospital_name(summary, lang)
    other_name = identity.get("name_en" if lang.chinese else "name_zh", "")

    story: list[Any] = [Spacer(1, 40 * mm)]
    story.append(p(name, subtitle))
    if other_name and other_name != name:
        story.append(p(other_name, base))
    story.append(Spacer(1, 10 * mm))
    story.append(p(_("Occupational exposure summary report"), title))
    story.append(p(_("Period: {period}").format(period=period_text), subtitle))
    cover_rows = [
        (_("Facility code"), identity.get("code", "")),
        (_("Province"), identity.get("province", "")),
        (
            _("Hospital grade"),
            _(HOSPITAL_GRADES.label(identity.get("grade")))
            if identity.get("grade") in HOSPITAL_GRADES
            else identity.get("grade", ""),
        ),
        (_("Generated"), lang.datetime(generated)),
        (_("Software"), f"hospital-osh {version}"),
    ]
    cover = Table(
        [[p(k, small), p(v or "—")] for k, v in cover_rows],
        colWidths=[0.3 * width, 0.7 * width],
    )
    cover.setStyle(TableStyle([("LINEBELOW", (0, 0), (-1, -1), 0.25, colors.lightgrey)]))
    story += [Spacer(1, 8 * mm), cover, Spacer(1, 10 * mm)]
    story.append(
        p(
            _(
                "Confidential. Aggregate figures of occupational exposures to blood and body "
                "fluids; no worker is named. Share it only with the hospital's OSH committee, "
                "NIOHPC and the health authorities."
            ),
            note,
        )
    )
    story.append(PageBreak())

    exposures = summary["exposures"]
    tables = summary_tables(summary, lang)
    story.append(p(tables[0].title, heading))
    if exposures["total"] == 0:
        story.append(
            p(
                _("No exposures were recorded in this period ({period}).").format(
                    period=period_text
                ),
                subtitle,
            )
        )
    missing = missing_sections(summary, lang)
    if missing:
        story.append(
            p(
                _(
                    "This installation does not record these parts yet, so the report leaves "
                    "them out: {sections}."
                ).format(sections=("、" if lang.chinese else "; ").join(missing)),
                note,
            )
        )

    def grid(table: ReportTable) -> Table:
        row_formats = table.row_formats
        header = [
            p(h, small if kind == TEXT else small_right)
            for h, kind in zip(table.headers, table.formats, strict=True)
        ]
        body = []
        for index, row in enumerate(table.rows):
            cells = []
            for column, value in enumerate(row):
                kind = table.formats[column]
                if kind == MIXED and row_formats is not None:
                    kind = row_formats[index]
                text = labels.format(value, kind)
                cells.append(p(text, cell if kind == TEXT else number))
            body.append(cells)
        first = 0.36 if len(table.headers) > 3 else 0.6
        rest = (1 - first) / max(1, len(table.headers) - 1)
        widths = [first * width] + [rest * width] * (len(table.headers) - 1)
        result = Table([header, *body], colWidths=widths, repeatRows=1)
        style = [
            ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eef3f8")),
            ("LINEBELOW", (0, 0), (-1, -1), 0.25, colors.lightgrey),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("TOPPADDING", (0, 0), (-1, -1), 2),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
        ]
        if table.rows and table.key not in ("key_figures", "trend", "hours_to_report", "by_month"):
            style.append(("LINEABOVE", (0, -1), (-1, -1), 0.6, colors.grey))
        result.setStyle(TableStyle(style))
        return result

    story.append(grid(tables[0]))
    story += [p(text, note) for text in tables[0].notes]
    if exposures["total"]:
        for drawing in _charts(summary, labels, width, font):
            story += [Spacer(1, 4 * mm), KeepTogether([drawing])]
    for table in tables[1:]:
        if not table.rows or (
            exposures["total"] == 0
            and table.key
            not in ("trend", "hazards", "actions", "healthwise", "immunity", "followup")
        ):
            continue
        story.append(p(table.title, heading))
        story.append(grid(table))
        story += [p(text, note) for text in table.notes]

    footer_left = _("Confidential")
    footer_right = _("Generated {time} by hospital-osh {version}").format(
        time=lang.datetime(generated), version=version
    )
    page_text = _("Page {page} of {pages}")

    class NumberedCanvas(Canvas):
        """Draws "page x of y" once the page count is known (a second pass over saved pages)."""

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._pages: list[dict[str, Any]] = []

        def showPage(self) -> None:
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            count = len(self._pages)
            for state in self._pages:
                self.__dict__.update(state)
                self._footer(count)
                Canvas.showPage(self)
            Canvas.save(self)

        def _footer(self, count: int) -> None:
            self.saveState()
            self.setFont(font, 7)
            self.setFillColor(colors.grey)
            self.drawString(18 * mm, 10 * mm, footer_left)
            self.drawCentredString(
                A4[0] / 2, 10 * mm, page_text.format(page=self._pageNumber, pages=count)
            )
            self.drawRightString(A4[0] - 18 * mm, 10 * mm, footer_right)
            self.restoreState()

    document = SimpleDocTemplate(
        out if not isinstance(out, Path) else str(out),
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=16 * mm,
        bottomMargin=18 * mm,
        title=_("Occupational exposure summary report"),
        author=name or "hospital-osh",
        subject=period_text,
        creator=f"hospital-osh {version}",
        invariant=1 if invariant else 0,
    )
    document.build(story, canvasmaker=NumberedCanvas)


def summary_pdf_bytes(summary: Mapping[str, Any], language: str, **options: Any) -> bytes:
    """The PDF as bytes (for the export package and tests)."""
    buffer = io.BytesIO()
    build_summary_pdf(summary, language, buffer, **options)
    return buffer.getvalue()
