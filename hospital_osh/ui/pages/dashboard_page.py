"""Dashboard: the hospital's OSH situation at a glance, the first page after login.

Key figures of this month, quarter or year against the previous period, charts, and what needs
action today; every tile, bar, matrix cell and alert opens the matching filtered list (through
the main window's ``navigate``). The page shows at once with empty tiles; the figures come from
``services.dashboard`` on the task runner and fill in when they arrive.

A reporter (ward staff) sees no hospital figures: its own latest reports and what to do next.
Viewers and committee members see aggregates only: the service gives them counts, not cases.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from hospital_osh.domain.actions import ACTION_STATUSES
from hospital_osh.domain.codes import JOB_CATEGORIES, N_
from hospital_osh.domain.exposure_codes import DEVICE_TYPES, EXPOSURE_TYPES, STATUSES
from hospital_osh.domain.risk_matrix import DEFAULT_MATRIX
from hospital_osh.domain.roles import Permission
from hospital_osh.i18n import (
    _,
    current_language,
    format_date,
    format_datetime,
    format_number,
    ngettext,
)
from hospital_osh.services import dashboard, hazards
from hospital_osh.services.actions import ActionFilter
from hospital_osh.services.context import Actor
from hospital_osh.services.dashboard import (
    COUNT,
    HOURS,
    RATE,
    SHARE,
    Alert,
    Dashboard,
    Figure,
    Link,
    OwnReport,
)
from hospital_osh.services.errors import UserError
from hospital_osh.services.exposures import ExposureFilter
from hospital_osh.services.followups import FollowupFilter
from hospital_osh.services.hazards import HazardFilter
from hospital_osh.ui import icons, style
from hospital_osh.ui.context import AppContext
from hospital_osh.ui.pages.base import Page
from hospital_osh.ui.widgets.dashboard_alerts import AlertLine, DashboardAlertList
from hospital_osh.ui.widgets.dashboard_bar_chart import Bar, DashboardBarChart
from hospital_osh.ui.widgets.dashboard_reporter import DashboardReporterView, ReportCard
from hospital_osh.ui.widgets.dashboard_tile import BETTER, NEUTRAL, WORSE, DashboardTile
from hospital_osh.ui.widgets.dashboard_trend_chart import DashboardTrendChart, TrendSeries
from hospital_osh.ui.widgets.risk_matrix_widget import RiskMatrixWidget

PERIOD_CHOICES: tuple[tuple[str, str], ...] = (
    ("month", N_("This month")),
    ("quarter", N_("This quarter")),
    ("year", N_("This year")),
)
TILES: tuple[tuple[str, str], ...] = (
    ("exposures", N_("Exposures")),
    ("rate_per_100_fte", N_("Exposures per 100 FTE")),
    ("safety_engineered_share", N_("Sharps injuries with a safety device")),
    ("median_hours_to_report", N_("Median hours to report")),
    ("pep_within_2h_share", N_("HIV PEP started within 2 hours")),
    ("hbv_immunity", N_("Staff immune to hepatitis B")),
    ("followups_overdue", N_("Follow-up tests overdue")),
    ("high_risk_hazards", N_("High-risk hazards")),
    ("hazard_reviews_overdue", N_("Hazard reviews overdue")),
    ("actions_overdue", N_("Action items overdue")),
    ("actions_verified", N_("Action items verified")),
)
"""(figure key, title), in the order of the tiles."""
TILE_COLUMNS = 6
TYPE_COLOURS = {
    "percutaneous": "#0f766e",
    "mucous_membrane": "#2563eb",
    "non_intact_skin": "#d97706",
    "bite": "#7c3aed",
    "other": "#64748b",
}
FOLLOWUP_BARS: tuple[tuple[str, str, str], ...] = (
    ("overdue", N_("Overdue"), style.ERROR),
    ("due_week", N_("Due this week"), "#d97706"),
    ("upcoming", N_("Upcoming"), style.ACCENT),
)
ACTION_COLOURS = {"verified": style.OK, "closed": "#64748b", "done": "#16a34a"}
MAX_DEVICE_BARS = 10
STATUS_NOTES = {
    "under_assessment": N_(
        "The OSH office is assessing this exposure and will tell you about prophylaxis and tests."
    ),
    "under_follow_up": N_(
        "Follow-up tests are planned: the OSH office will tell you when each one is due."
    ),
    "closed": N_("The case is closed."),
    "lost_to_follow_up": N_(
        "The case was closed without the last tests: ask the OSH office if you can still have them."
    ),
}
"""What a reporter reads about a report the OSH office has taken up, by status."""
OTHERS = "__others__"
NO_DATA = "—"


def _arrow(change: float) -> str:
    return "▲" if change > 0 else "▼"


class DashboardPage(Page):
    """Key figures, charts and alerts (or, for a reporter, its own reports)."""

    key = "dashboard"
    title = N_("Dashboard")
    icon = "layout-dashboard"
    order = 10

    # -- signals ------------------------------------------------------------------------------
    navigate_requested = Signal(str, object)
    """Emitted with a page key and a function to call with that page (apply a filter, open a
    record); the main window shows the page and calls it."""
    loaded = Signal()
    """Emitted when the figures (or the reporter's reports) have arrived and are shown."""

    def __init__(
        self,
        context: AppContext,
        parent: QWidget | None = None,
        *,
        now: Callable[[], dt.datetime | None] | None = None,
    ):
        super().__init__(context, parent)
        self._now = now or (lambda: None)
        self.data: Dashboard | None = None
        self.reports: tuple[OwnReport, ...] | None = None
        self.kind = "month"
        self.updated_at: dt.datetime | None = None
        self.error = ""
        self._generation = 0
        self._aggregates = context.actor.can(Permission.VIEW_REPORTS)
        if self._aggregates:
            self._build_figures()
        else:
            self._build_reporter()
        self.retranslate()
        self.refresh()

    # -- Page API -----------------------------------------------------------------------------

    @classmethod
    def visible_for(cls, actor: Actor) -> bool:
        return actor.can(Permission.VIEW_REPORTS) or actor.can(Permission.REPORT_EXPOSURE)

    def activated(self) -> None:
        if self._loading():
            return  # the window shows a page it has just built: its first read is on its way
        self.refresh()

    def _loading(self) -> bool:
        """True while a read started by ``refresh`` has neither arrived nor failed."""
        return self.updated_at is None and not self.error

    def retranslate(self) -> None:
        self.refresh_button.setText(_("Refresh"))
        self.refresh_button.setToolTip(_("Read the figures again (F5)"))
        if self._aggregates:
            for kind, label in PERIOD_CHOICES:
                self.period_buttons[kind].setText(_(label))
            self.period_buttons_group_label.setText(_("Period:"))
            self.alerts_title.setText(_("Needs action today"))
            self.matrix_title.setText(_("Risk matrix of the hazard register"))
            self.matrix_widget.retranslate()
            self._show_figures()
        else:
            self.reporter.set_texts(
                _("My reports"),
                _(
                    "Your latest exposure reports and what to do next. The OSH office completes "
                    "each record and arranges the follow-up."
                ),
                _("New quick report…"),
            )
            self._show_reports()
        self._show_status()

    # -- public API ---------------------------------------------------------------------------

    def refresh(self) -> None:
        """Read everything again off the GUI thread; the tiles keep their values meanwhile."""
        self._generation += 1
        generation = self._generation
        database, actor, kind = self.context.database, self.context.actor, self.kind
        now = self._now()
        self.error = ""
        self.updated_at = None
        self._show_status()
        if self._aggregates:

            def job(_state: Any) -> Dashboard:
                with database.session() as session:
                    return dashboard.build_dashboard(session, actor, kind, now=now)

            self.context.runner.run(
                job,
                on_done=lambda result: self._on_loaded(generation, result),
                on_error=self._on_failed,
            )
        else:

            def reports_job(_state: Any) -> tuple[OwnReport, ...]:
                with database.session() as session:
                    return dashboard.reporter_view(session, actor, now=now)

            self.context.runner.run(
                reports_job,
                on_done=lambda result: self._on_reports(generation, result),
                on_error=self._on_failed,
            )

    def set_period(self, kind: str) -> None:
        """Show this month, quarter or year (``month``, ``quarter``, ``year``)."""
        if kind not in dashboard.PERIOD_KINDS:
            raise ValueError(kind)
        self.period_buttons[kind].setChecked(True)
        if kind != self.kind:
            self.kind = kind
            self.refresh()

    def tile(self, key: str) -> DashboardTile:
        return self.tiles[key]

    def can_open(self, link: Link | None) -> bool:
        """Whether the user's role has the page ``link`` opens."""
        if link is None:
            return False
        from hospital_osh.ui.pages import PAGE_CLASSES  # the registry imports this module

        return any(
            cls.key == link.page and cls.visible_for(self.context.actor) for cls in PAGE_CLASSES
        )

    def open_link(self, link: Link | None) -> bool:
        """Ask the window to show the page of ``link`` with its filter (and record)."""
        if not self.can_open(link):
            return False
        assert link is not None
        self.navigate_requested.emit(link.page, lambda page: apply_link(page, link))
        return True

    def open_figure(self, key: str) -> bool:
        if self.data is None:
            return False
        figure = next((f for f in self.data.figures if f.key == key), None)
        return self.open_link(figure.link if figure is not None else None)

    def open_alert(self, index: int) -> bool:
        if self.data is None or not 0 <= index < len(self.data.alerts):
            return False
        return self.open_link(self.data.alerts[index].link)

    def open_report(self, exposure_id: int) -> bool:
        report = next((r for r in self.reports or () if r.id == exposure_id), None)
        if report is None:
            return False
        return self.open_link(
            Link("exposures", ExposureFilter(search=report.reference), report.id, report.reference)
        )

    def new_report(self) -> bool:
        if not self.can_open(Link("exposures")):
            return False
        self.navigate_requested.emit("exposures", _open_quick_report)
        return True

    # -- links of the charts ------------------------------------------------------------------

    def trend_link(self, code: str, month: dt.date) -> Link:
        """The exposures of type ``code`` in the month starting ``month``."""
        following = dashboard.trend_months(month + dt.timedelta(days=32))[-1]
        end = following - dt.timedelta(days=1)
        return Link("exposures", ExposureFilter(start=month, end=end, exposure_type=code))

    def breakdown_link(self, dimension: str, code: str) -> Link | None:
        """The period's exposures of one job category, or sharps injuries with one device."""
        if self.data is None or code in (dashboard.summary.UNKNOWN, OTHERS):
            return None
        period = self.data.period
        if dimension == "job_category":
            filters = ExposureFilter(start=period.start, end=period.end, job_category=code)
        else:
            filters = ExposureFilter(
                start=period.start, end=period.end, exposure_type="percutaneous", device_type=code
            )
        return Link("exposures", filters)

    # -- private: building --------------------------------------------------------------------

    def _header(self) -> QHBoxLayout:
        self.status_label = QLabel(self)
        style.set_role(self.status_label, "hint")
        self.refresh_button = QPushButton(icons.icon("refresh-cw"), "", self)
        self.refresh_button.clicked.connect(self.refresh)
        head = QHBoxLayout()
        return head

    def _build_figures(self) -> None:
        head = self._header()
        self.period_buttons_group_label = QLabel(self)
        head.addWidget(self.period_buttons_group_label)
        self.period_group = QButtonGroup(self)
        self.period_group.setExclusive(True)
        self.period_buttons: dict[str, QPushButton] = {}
        for kind, _label in PERIOD_CHOICES:
            button = QPushButton(self)
            button.setCheckable(True)
            button.setObjectName(f"period_{kind}")
            button.setChecked(kind == self.kind)
            button.clicked.connect(self._on_period_clicked)
            self.period_group.addButton(button)
            self.period_buttons[kind] = button
            head.addWidget(button)
        self.period_label = QLabel(self)
        self.period_label.setWordWrap(True)
        style.set_role(self.period_label, "hint")
        head.addWidget(self.period_label, 1)
        head.addWidget(self.status_label)
        head.addWidget(self.refresh_button)

        self.tiles: dict[str, DashboardTile] = {}
        grid = QGridLayout()
        grid.setSpacing(8)
        for position, (key, _title) in enumerate(TILES):
            tile = DashboardTile(key, self)
            tile.activated.connect(self._on_tile)
            self.tiles[key] = tile
            grid.addWidget(tile, position // TILE_COLUMNS, position % TILE_COLUMNS)
        for column in range(TILE_COLUMNS):
            grid.setColumnStretch(column, 1)

        self.alerts_title = QLabel(self)
        self.alerts_title.setObjectName("sectionTitle")
        self.alerts = DashboardAlertList(self)
        self.alerts.alert_activated.connect(self.open_alert)
        self.alerts.setMinimumHeight(300)
        alerts_box = QVBoxLayout()
        alerts_box.addWidget(self.alerts_title)
        alerts_box.addWidget(self.alerts, 1)
        self.trend_chart = DashboardTrendChart(self)
        self.trend_chart.segment_clicked.connect(self._on_trend_clicked)
        middle = QHBoxLayout()
        middle.addLayout(alerts_box, 2)
        middle.addWidget(self.trend_chart, 3)

        self.job_chart = DashboardBarChart(parent=self)
        self.job_chart.bar_clicked.connect(self._on_job_clicked)
        self.device_chart = DashboardBarChart(parent=self)
        self.device_chart.bar_clicked.connect(self._on_device_clicked)
        charts = QHBoxLayout()
        charts.addWidget(self.job_chart, 1)
        charts.addWidget(self.device_chart, 1)

        actor = self.context.actor
        self.followup_chart = DashboardBarChart(ticks=3, parent=self)
        self.followup_chart.bar_clicked.connect(self._on_followup_clicked)
        self.action_chart = DashboardBarChart(parent=self)
        self.action_chart.bar_clicked.connect(self._on_action_clicked)
        self.action_chart.setVisible(actor.can(Permission.VIEW_ACTIONS))
        self.matrix_title = QLabel(self)
        self.matrix_title.setObjectName("sectionTitle")
        self.matrix_title.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        self.matrix_widget = RiskMatrixWidget(hazards.shipped_matrix(DEFAULT_MATRIX), self)
        self.matrix_widget.cell_selected.connect(self._on_cell_selected)
        matrix_frame = QFrame(self)
        matrix_frame.setObjectName("matrixFrame")
        matrix_frame.setStyleSheet(
            f"QFrame#matrixFrame {{ background: {style.BASE}; border: 1px solid {style.BORDER};"
            " border-radius: 8px; }"
        )
        matrix_box = QVBoxLayout(matrix_frame)
        matrix_box.addWidget(self.matrix_title)
        matrix_box.addWidget(self.matrix_widget, 1)
        matrix_frame.setVisible(actor.can(Permission.VIEW_HAZARDS))
        bottom = QHBoxLayout()
        bottom.addWidget(self.followup_chart, 2)
        bottom.addWidget(self.action_chart, 3)
        bottom.addWidget(matrix_frame, 3)

        content = QWidget(self)
        body = QVBoxLayout(content)
        body.setContentsMargins(0, 0, 8, 0)
        body.setSpacing(12)
        body.addLayout(head)
        body.addLayout(grid)
        body.addLayout(middle)
        body.addLayout(charts)
        body.addLayout(bottom)
        self._wrap(content)

    def _build_reporter(self) -> None:
        head = self._header()
        head.addStretch(1)
        head.addWidget(self.status_label)
        head.addWidget(self.refresh_button)
        self.reporter = DashboardReporterView(self)
        self.reporter.new_report_requested.connect(self.new_report)
        self.reporter.open_requested.connect(self.open_report)
        content = QWidget(self)
        body = QVBoxLayout(content)
        body.setContentsMargins(0, 0, 0, 0)
        body.addLayout(head)
        body.addWidget(self.reporter, 1)
        self._wrap(content)

    def _wrap(self, content: QWidget) -> None:
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidget(content)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(scroll)

    # -- private: loading ---------------------------------------------------------------------

    def _on_loaded(self, generation: int, result: Dashboard) -> None:
        if not isValid(self) or generation != self._generation:
            return  # the page is gone, or a newer request is on its way
        self.data = result
        self.updated_at = dt.datetime.now()
        if result.matrix_id != self.matrix_widget.matrix.id:
            self.matrix_widget.set_matrix(hazards.shipped_matrix(result.matrix_id))
        self._show_figures()
        self._show_status()
        self.loaded.emit()

    def _on_reports(self, generation: int, result: tuple[OwnReport, ...]) -> None:
        if not isValid(self) or generation != self._generation:
            return
        self.reports = result
        self.updated_at = dt.datetime.now()
        self._show_reports()
        self._show_status()
        self.loaded.emit()

    def _on_failed(self, error: BaseException) -> None:
        if not isValid(self):
            return
        self.error = _message(error)
        self._show_status()

    # -- private: showing ---------------------------------------------------------------------

    def _show_status(self) -> None:
        if self.error:
            self.status_label.setText(self.error)
            style.set_role(self.status_label, "error")
            return
        style.set_role(self.status_label, "hint")
        if self.updated_at is None:
            self.status_label.setText(_("Reading the figures…"))
        else:
            self.status_label.setText(
                _("Updated {time}").format(time=format_datetime(self.updated_at, "short"))
            )

    def _show_figures(self) -> None:
        data = self.data
        if data is None:
            for key, title in TILES:
                self.tiles[key].set_content(_(title), "…")
            self.alerts.set_lines([], _("Reading…"))
            return
        period = data.period
        self.period_label.setText(
            _("{start} – {end}, compared with {previous_start} – {previous_end}").format(
                start=format_date(period.start),
                end=format_date(period.end),
                previous_start=format_date(period.previous_start),
                previous_end=format_date(period.previous_end),
            )
        )
        present = {figure.key: figure for figure in data.figures}
        for key, title in TILES:
            tile = self.tiles[key]
            figure = present.get(key)
            tile.setVisible(figure is not None)
            if figure is not None:
                self._show_figure(tile, _(title), figure)
        self._show_alerts(data)
        self._show_charts(data)

    def _show_figure(self, tile: DashboardTile, title: str, figure: Figure) -> None:
        value = _value_text(figure.unit, figure.value)
        change, tone, tooltip = self._change(figure)
        tile.set_content(title, value, change, tone, self._note(figure), tooltip)
        tile.set_clickable(self.can_open(figure.link))

    def _change(self, figure: Figure) -> tuple[str, str, str]:
        """(text, tone, tooltip) of how the figure moved since the previous period."""
        if not figure.compared:
            return _("Now"), NEUTRAL, ""
        assert self.data is not None
        period = self.data.period
        if figure.key == "hbv_immunity":  # a state on a day, not a count over a period
            tooltip = _("At the end of the previous period ({date}): {value}").format(
                date=format_date(period.previous_end),
                value=_value_text(figure.unit, figure.previous),
            )
        else:
            tooltip = _("Previous period ({start} – {end}): {value}").format(
                start=format_date(period.previous_start),
                end=format_date(period.previous_end),
                value=_value_text(figure.unit, figure.previous),
            )
        tone = {True: BETTER, False: WORSE, None: NEUTRAL}[figure.improved]
        change = figure.change
        if figure.value is None or figure.previous is None:
            return _("No figure for the previous period"), NEUTRAL, tooltip
        if figure.value == figure.previous:
            return _("Same as the previous period"), NEUTRAL, tooltip
        if change is None:  # a count rising from zero
            return _("None in the previous period"), tone, tooltip
        if figure.unit == SHARE:
            text = _("{arrow} {points} points on the previous period").format(
                arrow=_arrow(change), points=format_number(abs(change) * 100, 1)
            )
        else:
            text = _("{arrow} {percent}% on the previous period").format(
                arrow=_arrow(change), percent=format_number(abs(change) * 100, 0)
            )
        return text, tone, tooltip

    def _note(self, figure: Figure) -> str:
        assert self.data is not None
        if figure.value is None and figure.not_available:
            return _("No staffing figures (FTE) for this period: enter them in Settings.")
        if figure.key == "safety_engineered_share":
            return ngettext(
                "of {count} sharps injury with the device known",
                "of {count} sharps injuries with the device known",
                figure.of or 0,
            ).format(count=format_number(figure.of or 0))
        if figure.key == "pep_within_2h_share":
            return ngettext(
                "of {count} HIV PEP course started",
                "of {count} HIV PEP courses started",
                figure.of or 0,
            ).format(count=format_number(figure.of or 0))
        if figure.key == "hbv_immunity":
            return _("{immune} of {staff} active staff with documented immunity").format(
                immune=format_number(figure.count or 0), staff=format_number(figure.of or 0)
            )
        if figure.key == "median_hours_to_report":
            return ngettext(
                "from exposure to report, {count} report",
                "from exposure to report, {count} reports",
                figure.of or 0,
            ).format(count=format_number(figure.of or 0))
        if figure.key == "high_risk_hazards":
            matrix = self.matrix_widget.matrix
            names = [
                matrix.level_by_code(code).short.text(current_language())
                for code in self.data.high_levels
            ]
            return _("Levels: {levels}").format(levels=" / ".join(names))
        return ""

    def _show_alerts(self, data: Dashboard) -> None:
        lines = [
            AlertLine(
                self._alert_text(alert),
                alert.urgent,
                self.can_open(alert.link),
                "" if self.can_open(alert.link) else _("Your role cannot open this list."),
            )
            for alert in data.alerts
        ]
        self.alerts.set_lines(lines, _("Nothing needs action today."))

    def _alert_text(self, alert: Alert) -> str:
        count = format_number(alert.count)
        if alert.kind == "pep_window" and alert.reference:
            hours = alert.hours_since or 0.0
            return _(
                "{reference}: {hours} h since the exposure and no HIV PEP decision yet; the "
                "72-hour window closes in {left} h."
            ).format(
                reference=alert.reference,
                hours=format_number(hours, 0),
                left=format_number(max(dashboard.PEP_WINDOW_HOURS - hours, 0), 0),
            )
        if alert.kind == "cluster":
            chinese = current_language() == "zh_CN"
            department = (
                (alert.department_zh or alert.department_en)
                if chinese
                else (alert.department_en or alert.department_zh)
            )
            return _(
                "Cluster: {count} injuries with {device} in {department} from {first} to {last}."
            ).format(
                count=count,
                device=self._device_label(alert.device_type),
                department=department,
                first=format_date(alert.first),
                last=format_date(alert.last),
            )
        texts = {
            "pep_window": N_("Exposures in the 72-hour HIV PEP window without a decision: {count}"),
            "followups_overdue": N_("Follow-up tests overdue: {count}"),
            "followups_due": N_("Follow-up tests due this week: {count}"),
            "incomplete": N_("Exposure records still incomplete after 48 hours: {count}"),
            "reviews_overdue": N_("Hazard reviews overdue: {count}"),
            "actions_overdue": N_("Action items overdue: {count}"),
        }
        return _(texts[alert.kind]).format(count=count)

    def _job_label(self, code: str) -> str:
        if code == dashboard.summary.UNKNOWN:
            return _("Not recorded")
        return _(JOB_CATEGORIES.label(code))

    def _device_label(self, code: str) -> str:
        assert self.data is not None
        local = self.data.local_labels.get(("device_type", code))
        if local is not None:
            zh, en = local
            return (zh or en) if current_language() == "zh_CN" else (en or zh)
        if code == dashboard.summary.UNKNOWN:
            return _("Device not recorded")
        return _(DEVICE_TYPES.label(code))

    def _show_charts(self, data: Dashboard) -> None:
        months = data.trend_months
        self.trend_chart.set_trend(
            _("Exposures per month by type, last 24 months"),
            months,
            [month.strftime("%Y-%m") for month in months],
            [
                TrendSeries(
                    code,
                    _(EXPOSURE_TYPES.label(code)),
                    TYPE_COLOURS.get(code, "#94a3b8"),
                    data.trend.get(code, ()),
                )
                for code in [
                    *EXPOSURE_TYPES.codes,
                    *sorted(set(data.trend) - set(EXPOSURE_TYPES.codes)),
                ]
                if code in data.trend
            ],
        )
        nothing = _("none in this period")
        job_bars = [
            Bar(
                code,
                _("Not recorded")
                if code == dashboard.summary.UNKNOWN
                else _(JOB_CATEGORIES.label(code)),
                count,
                clickable=self.can_open(self.breakdown_link("job_category", code)),
            )
            for code, count in data.by_job_category
        ]
        self.job_chart.set_bars(_("Exposures by job category"), job_bars, nothing)
        devices = list(data.by_device[:MAX_DEVICE_BARS])
        rest = sum(count for _code, count in data.by_device[MAX_DEVICE_BARS:])
        device_bars = [
            Bar(
                code,
                self._device_label(code),
                count,
                clickable=self.can_open(self.breakdown_link("device_type", code)),
            )
            for code, count in devices
        ]
        if rest:
            device_bars.append(Bar(OTHERS, _("Other devices"), rest, "#94a3b8", clickable=False))
        self.device_chart.set_bars(_("Sharps injuries by device"), device_bars, nothing)
        counts = dict(data.followup_status)
        followup_link = self.can_open(Link("followups"))
        self.followup_chart.set_bars(
            _("Open follow-up tests"),
            [
                Bar(key, _(label), counts.get(key, 0), colour, clickable=followup_link)
                for key, label, colour in FOLLOWUP_BARS
            ],
            _("none open"),
        )
        actions_link = self.can_open(Link("actions"))
        self.action_chart.set_bars(
            _("Action items by status"),
            [
                Bar(
                    code,
                    _(ACTION_STATUSES.label(code)),
                    count,
                    ACTION_COLOURS.get(code, style.ACCENT),
                    clickable=actions_link,
                )
                for code, count in data.action_status
            ],
            _("none yet"),
        )
        self.matrix_widget.set_counts(dict(data.matrix_cells))

    def _show_reports(self) -> None:
        if self.reports is None:
            self.reporter.set_cards([], _("Reading…"))
            return
        cards = []
        for report in self.reports:
            detail = _("{type} · {when} · {status}").format(
                type=_(EXPOSURE_TYPES.label(report.exposure_type)),
                when=format_datetime(report.occurred_at, "short"),
                status=_(STATUSES.label(report.status)),
            )
            steps = tuple((step.text, step.urgent) for step in report.steps)
            if not steps and report.status in STATUS_NOTES:
                steps = ((_(STATUS_NOTES[report.status]), False),)
            cards.append(ReportCard(report.id, report.reference, detail, steps, _("Open…")))
        self.reporter.set_cards(
            cards, _("You have not reported an exposure. Use New quick report when one happens.")
        )

    # -- private: events ----------------------------------------------------------------------

    def _on_period_clicked(self) -> None:
        for kind, button in self.period_buttons.items():
            if button.isChecked() and kind != self.kind:
                self.kind = kind
                self.refresh()

    def _on_tile(self) -> None:
        tile = self.sender()
        if isinstance(tile, DashboardTile):
            self.open_figure(tile.key)

    def _on_trend_clicked(self, code: str, month: object) -> None:
        if isinstance(month, dt.date):
            self.open_link(self.trend_link(code, month))

    def _on_job_clicked(self, code: object) -> None:
        self.open_link(self.breakdown_link("job_category", str(code)))

    def _on_device_clicked(self, code: object) -> None:
        self.open_link(self.breakdown_link("device_type", str(code)))

    def _on_followup_clicked(self, scope: object) -> None:
        self.open_link(Link("followups", FollowupFilter(scope=str(scope))))

    def _on_action_clicked(self, status: object) -> None:
        self.open_link(Link("actions", ActionFilter(statuses=(str(status),))))

    def _on_cell_selected(self, cell: object) -> None:
        if isinstance(cell, tuple):
            self.matrix_widget.select_cell(None, notify=False)
            self.open_link(Link("hazards", HazardFilter(cell=cell)))


# -- helpers --------------------------------------------------------------------------------------


def _value_text(unit: str, value: float | None) -> str:
    if value is None:
        return NO_DATA
    if unit == SHARE:
        return f"{format_number(value * 100, 0)}%"
    if unit == RATE:
        return format_number(value, 2)
    if unit == HOURS:
        return format_number(value, 1)
    assert unit == COUNT
    return format_number(int(value))


def _ordered(known: Sequence[str], present: Mapping[str, object]) -> list[str]:
    """The codes of ``present`` in code-list order, then any others alphabetically."""
    return [c for c in known if c in present] + sorted(set(present) - set(known))


def _message(error: BaseException) -> str:
    if isinstance(error, UserError):
        return str(error)
    return _("The dashboard could not be read: {error}").format(error=repr(error))


def apply_link(page: Page, link: Link) -> None:
    """Put ``page`` in the state ``link`` asks for: its filter, then the record, if any."""
    filters = link.filters
    if isinstance(filters, FollowupFilter):
        page.set_scope(filters.scope)  # type: ignore[attr-defined]
    elif filters is not None:
        page.apply_filter(filters)  # type: ignore[attr-defined]
    if link.record_id is not None and page.select_exposure(link.record_id):  # type: ignore[attr-defined]
        page.open_selected()  # type: ignore[attr-defined]


def _open_quick_report(page: Page) -> None:
    page.open_quick_report()  # type: ignore[attr-defined]
