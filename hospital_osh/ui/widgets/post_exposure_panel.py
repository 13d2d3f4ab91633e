"""Decision support and case management after one exposure: the "Post-exposure" tab.

What the hospital's protocol (China national guidance or US CDC, a hospital setting) recommends
for hepatitis B, hepatitis C and HIV is read from ``services.post_exposure.propose`` each time
the panel is shown or the record is saved: it answers in milliseconds, so the officer sees the
recommendation at once after entering the source and worker status. Each line names its source;
rows the domain reference marks unverified say so, in amber. HIV shows the PEP decision, its
urgency and a live countdown to the end of the 72-hour window, and the China exposure grade and
source grade where the protocol uses them.

While the record is edited, ``show_draft(info)`` shows instead what the protocol proposes for
the values on the form (``services.post_exposure.propose_for``), marked "proposal, not yet
recorded"; ``ProposalPreview`` shows the same beside the fields where the source and the worker
are entered (exposure form, quick report).

The proposal never becomes a fact by itself: "Assess and generate schedule" saves it and creates
the follow-up items; the clinician records what was actually done (Treatment given), the results
(Follow-up), the PEP course and the outcome in the sections below, each through its service.

Roles that see serostatus (VIEW_SEROSTATUS) see the panel; only MANAGE_POST_EXPOSURE writes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from zoneinfo import ZoneInfo

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QStackedWidget,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from hospital_osh.domain.codes import N_
from hospital_osh.domain.exposure_codes import CHINA_GRADES, CHINA_SOURCE_GRADES
from hospital_osh.domain.immunity import HBV_STATUSES
from hospital_osh.domain.protocol_vocab import PepLevel
from hospital_osh.domain.roles import Permission
from hospital_osh.i18n import _, format_number
from hospital_osh.services import followups
from hospital_osh.services import post_exposure as pe
from hospital_osh.services.context import Actor
from hospital_osh.services.errors import UserError, ValidationError
from hospital_osh.services.exposures import ExposureInfo
from hospital_osh.services.followups import ResultSaved
from hospital_osh.ui import style
from hospital_osh.ui.context import AppContext
from hospital_osh.ui.dialogs.followup_result_dialog import seroconversion_text
from hospital_osh.ui.widgets.pep_countdown import PepCountdown, utc_now
from hospital_osh.ui.widgets.post_exposure_sections import (
    OutcomeSection,
    PepCourseSection,
    ScheduleSection,
    TreatmentSection,
)

UNVERIFIED_COLOUR = "#9a5b00"

PEP_LEVEL_LABELS = {
    PepLevel.RECOMMENDED: N_("PEP recommended"),
    PepLevel.OFFER: N_("Offer PEP"),
    PepLevel.CONSIDER: N_("PEP case by case"),
    PepLevel.NOT_INDICATED: N_("PEP not indicated"),
}
GROUPS: tuple[tuple[str, str], ...] = (
    ("hbv", N_("Hepatitis B")),
    ("hcv", N_("Hepatitis C")),
    ("hiv", N_("HIV")),
)
SECTIONS: tuple[tuple[str, str], ...] = (
    ("recommendation", N_("Recommendation")),
    ("treatment", N_("Treatment given")),
    ("schedule", N_("Follow-up")),
    ("pep_course", N_("PEP course")),
    ("outcome", N_("Outcome")),
)
_RESULT_LABELS = {
    "positive": N_("positive"),
    "negative": N_("negative"),
    "unknown": N_("unknown"),
}


class RecommendationLine(QFrame):
    """One recommendation: what to do, and below it where it comes from."""

    def __init__(self, line: pe.RecommendationView, parent: QWidget | None = None):
        super().__init__(parent)
        self.line = line
        self.text = QLabel(self)
        self.text.setWordWrap(True)
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        prefix = ""
        if line.kind == "alternative":
            prefix = _("For comparison, the other protocol:") + " "
        self.text.setText(prefix + line.text)
        if line.kind == "decision":
            font = self.text.font()
            font.setBold(True)
            self.text.setFont(font)
        self.evidence = QLabel(self)
        self.evidence.setWordWrap(True)
        self.evidence.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        notes = [line.evidence]
        if line.note:
            notes.append(line.note)
        if line.overridden:
            notes.append(line.overridden)
        self.evidence.setText("\n".join(notes))
        if line.unverified:
            self.evidence.setStyleSheet(f"color: {UNVERIFIED_COLOUR};")
        else:
            self.evidence.setProperty("role", "hint")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 2, 0, 6)
        layout.setSpacing(1)
        layout.addWidget(self.text)
        layout.addWidget(self.evidence)


class ProposalPreview(QFrame):
    """The protocol's proposal for the values on a form, before anything is recorded.

    ``set_view(view)`` shows the decision per virus (and, unless ``compact``, the source tests
    and the regimen) with the evidence line of each; ``set_view(None, problem)`` says what is
    missing. The heading says plainly that this is a proposal and nothing is recorded yet."""

    def __init__(self, parent: QWidget | None = None, *, compact: bool = False):
        super().__init__(parent)
        self.setObjectName("proposalPreview")
        self.setStyleSheet(
            f"QFrame#proposalPreview {{ border: 1px dashed {style.BORDER}; border-radius: 6px; }}"
        )
        self.compact = compact
        self.view: pe.AssessmentView | None = None
        self.problem = ""
        self.heading = QLabel(self)
        self.heading.setObjectName("sectionTitle")
        self.marker = QLabel(self)
        self.marker.setWordWrap(True)
        style.set_role(self.marker, "notice")
        self.message = QLabel(self)
        self.message.setWordWrap(True)
        style.set_role(self.message, "hint")
        self.worker = QLabel(self)
        self.worker.setWordWrap(True)
        self.lines_box = QWidget(self)
        self.lines = QVBoxLayout(self.lines_box)
        self.lines.setContentsMargins(0, 0, 0, 0)
        self.lines.setSpacing(0)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 8, 10, 8)
        layout.addWidget(self.heading)
        layout.addWidget(self.marker)
        layout.addWidget(self.message)
        layout.addWidget(self.worker)
        layout.addWidget(self.lines_box)
        self.retranslate()
        self.set_view(None)

    # -- public API ---------------------------------------------------------------------------

    def set_view(self, view: pe.AssessmentView | None, problem: str = "") -> None:
        """Show ``view`` (a proposal, not saved); None shows ``problem`` or the hint."""
        self.view, self.problem = view, problem
        _clear_layout(self.lines)
        if view is None:
            self.message.setText(
                problem
                or _("Enter the type of exposure, the worker and the source to see the proposal.")
            )
            self.message.show()
            self.worker.hide()
            return
        self.worker.setText(
            _("Worker: {status}.").format(status=_(HBV_STATUSES.label(view.worker_hbv_status)))
            + " "
            + view.worker_hbv_reason
        )
        self.worker.show()
        self.message.setText("\n".join(view.warnings))
        self.message.setVisible(bool(view.warnings))
        titles = dict(GROUPS)
        shown = ("decision", "general") if self.compact else None
        current: str | None = "-"
        for line in view.lines:
            if shown is not None and line.kind not in shown:
                continue
            if line.pathogen != current and line.pathogen in titles:
                current = line.pathogen
                header = QLabel(self._group_title(view, line.pathogen), self.lines_box)
                font = header.font()
                font.setBold(True)
                header.setFont(font)
                self.lines.addWidget(header)
            self.lines.addWidget(RecommendationLine(line, self.lines_box))

    def texts(self) -> list[str]:
        """Every text shown, in order (tests, accessibility)."""
        found = [self.heading.text(), self.marker.text()]
        for label in (self.message, self.worker):
            if not label.isHidden():
                found.append(label.text())
        for index in range(self.lines.count()):
            widget = self.lines.itemAt(index).widget()
            if isinstance(widget, RecommendationLine):
                found += [widget.text.text(), widget.evidence.text()]
            elif isinstance(widget, QLabel):
                found.append(widget.text())
        return found

    def retranslate(self) -> None:
        self.heading.setText(_("What the protocol proposes"))
        self.marker.setText(
            _(
                "Proposal, not yet recorded: worked out from the values on the form. Nothing "
                "is given or planned until the case is assessed and the treatment recorded."
            )
        )
        self.set_view(self.view, self.problem)

    # -- private ------------------------------------------------------------------------------

    def _group_title(self, view: pe.AssessmentView, pathogen: str) -> str:
        title = _(dict(GROUPS)[pathogen])
        if pathogen == "hiv" and view.pep_level is not None:
            level = _(PEP_LEVEL_LABELS.get(PepLevel(view.pep_level), view.pep_level))
            return _("{virus}: {decision}").format(virus=title, decision=level)
        return title


class PostExposurePanel(QWidget):
    """Call ``set_exposure(id)`` after loading or saving the record; ``refresh()`` re-reads."""

    # -- signals ------------------------------------------------------------------------------
    case_changed = Signal()
    """Emitted after the panel wrote something (assessment, decision, result, outcome)."""

    def __init__(
        self,
        context: AppContext,
        parent: QWidget | None = None,
        *,
        now: Callable[[], dt.datetime] = utc_now,
    ):
        super().__init__(parent)
        self.context = context
        self._now = now
        actor = context.actor
        self.editable = actor.can(Permission.MANAGE_POST_EXPOSURE)
        self.exposure_id: int | None = None
        self.case: pe.CaseView | None = None
        self.view: pe.AssessmentView | None = None
        self.draft: pe.AssessmentView | None = None  # the form's unsaved values, when shown
        self.reopenings: tuple[pe.ReopeningRow, ...] = ()
        self.problem = ""
        self.draft_problem = ""
        self._zone = ZoneInfo("Asia/Shanghai")
        self._build()
        self.retranslate()
        self.set_exposure(None)

    # -- public API ---------------------------------------------------------------------------

    @classmethod
    def visible_for(cls, actor: Actor) -> bool:
        """The panel shows results: only roles that may see serostatus get it."""
        return actor.can(Permission.VIEW_SEROSTATUS)

    def set_exposure(self, exposure_id: int | None) -> None:
        """Show the case of ``exposure_id`` (None: a record not saved yet)."""
        self.exposure_id = exposure_id
        self.draft, self.draft_problem = None, ""
        self.draft_preview.set_view(None)  # no lines of an earlier draft stay behind
        self.draft_preview.hide()
        self._show_banner("")
        self.refresh()

    @property
    def drafts(self) -> bool:
        """Whether the panel can show proposals for unsaved values (writers only)."""
        return self.editable

    def show_draft(self, info: ExposureInfo | None) -> tuple[pe.AssessmentView | None, str]:
        """Show the proposal for the form's values ``info`` (None: the saved record again).

        Nothing is written; answers the view shown (or None) and what stops a proposal."""
        if not self.drafts or (self.case is not None and self.case.closed is not None):
            info = None
        view, problem = None, ""
        if info is not None:
            try:
                with self.context.database.session() as session:
                    view = pe.propose_for(session, self.context.actor, info, now=self._now())
            except ValidationError as error:
                problem = "\n".join(error.fields.values())
            except UserError as error:
                problem = str(error)
        self.draft, self.draft_problem = view, problem
        if self.exposure_id is None:
            self.draft_preview.set_view(view, problem)
            self.draft_preview.setVisible(info is not None)
        else:
            self._show_case()
        return view, problem

    def refresh(self) -> None:
        """Read the case and the protocol's current proposal again."""
        if self.exposure_id is None:
            self.case, self.view = None, None
            self.stack.setCurrentWidget(self.empty)
            self.countdown.set_clock(None, self._zone)
            return
        self.problem = ""
        now = self._now()
        try:
            with self.context.database.session() as session:
                self._zone = ZoneInfo(followups.hospital_zone(session))
                self.case = pe.get_case(session, self.context.actor, self.exposure_id, now=now)
                self.reopenings = pe.reopenings(session, self.context.actor, self.exposure_id)
                self._today = followups.today_in_hospital(session, now)
                self.view = self.case.assessment
                if self.editable and self.case.closed is None:
                    self.view = pe.propose(session, self.context.actor, self.exposure_id, now=now)
        except ValidationError as error:
            self.problem = "\n".join(error.fields.values())
        except UserError as error:
            self.problem = str(error)
        self.stack.setCurrentWidget(self.content)
        self._show_case()

    def assess(self) -> bool:
        """Save the proposal and generate (or update) the follow-up schedule."""
        if self.exposure_id is None:
            return False
        try:
            with self.context.database.transaction() as session:
                view = pe.assess_exposure(
                    session, self.context.actor, self.exposure_id, now=self._now()
                )
        except ValidationError as error:
            self._show_banner("\n".join(error.fields.values()))
            return False
        except UserError as error:
            self._show_banner(str(error))
            return False
        self.refresh()
        self._show_banner(
            _("Assessed: {count} follow-up items in the schedule.").format(count=len(view.planned)),
            "ok",
        )
        self.case_changed.emit()
        return True

    def show_section(self, key: str) -> None:
        self.sections.setCurrentIndex([k for k, _title in SECTIONS].index(key))

    def recommendation_texts(self) -> list[str]:
        """Every recommendation and evidence line shown, in order (tests, accessibility)."""
        texts: list[str] = []
        for line in self.findChildren(RecommendationLine):
            texts += [line.text.text(), line.evidence.text()]
        return texts

    def banner_text(self) -> str:
        return self.banner.text() if self.banner.isVisibleTo(self) else ""

    def retranslate(self) -> None:
        self.empty_label.setText(
            _(
                "Save the record first: the recommendation is recorded and the follow-up "
                "schedule planned for a saved exposure only."
            )
        )
        self.assess_button.setText(_("Assess and generate schedule"))
        self.assess_button.setToolTip(
            _(
                "Save what the protocol proposes now and create the follow-up tests and visits; "
                "items already done stay as they are"
            )
        )
        for index, (_key, title) in enumerate(SECTIONS):
            self.sections.setTabText(index, _(title))
        self.record_hbv.setText(_("Record HBIG or vaccine…"))
        self.record_hiv.setText(_("Record the PEP decision…"))
        for section in (self.treatment, self.schedule, self.pep_course, self.outcome):
            section.retranslate()
        self.countdown.retranslate()
        self.draft_preview.retranslate()
        if self.exposure_id is not None:
            self.refresh()

    # -- private: building --------------------------------------------------------------------

    def _build(self) -> None:
        self.empty = QWidget(self)
        self.empty_label = QLabel(self.empty)
        self.empty_label.setWordWrap(True)
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        style.set_role(self.empty_label, "hint")
        self.draft_preview = ProposalPreview(self.empty)
        self.draft_preview.hide()
        empty_layout = QVBoxLayout(self.empty)
        empty_layout.addWidget(self.empty_label)
        empty_layout.addWidget(self.draft_preview)
        empty_layout.addStretch(1)

        self.content = QWidget(self)
        self.protocol_label = QLabel(self.content)
        self.protocol_label.setObjectName("sectionTitle")
        self.state_label = QLabel(self.content)
        self.state_label.setWordWrap(True)
        self.assess_button = QPushButton(self.content)
        self.assess_button.setProperty("accent", True)
        self.assess_button.setAutoDefault(False)
        self.assess_button.clicked.connect(self.assess)
        self.assess_button.setVisible(self.editable)
        self.banner = QLabel(self.content)
        self.banner.setWordWrap(True)
        self.banner.hide()

        self.sections = QTabWidget(self.content)
        self.sections.setDocumentMode(True)
        self.sections.addTab(self._build_recommendation(), "")
        self.treatment = TreatmentSection(self.context)
        self.schedule = ScheduleSection(self.context)
        self.pep_course = PepCourseSection(self.context)
        self.outcome = OutcomeSection(self.context)
        for section in (self.treatment, self.schedule, self.pep_course, self.outcome):
            self.sections.addTab(self._scrolled(section), "")
        self.treatment.changed.connect(self._on_changed)
        self.schedule.changed.connect(self._on_schedule_changed)
        self.pep_course.changed.connect(self._on_changed)
        self.outcome.changed.connect(self._on_changed)

        header = QHBoxLayout()
        titles = QVBoxLayout()
        titles.addWidget(self.protocol_label)
        titles.addWidget(self.state_label)
        header.addLayout(titles, 1)
        header.addWidget(self.assess_button, 0, Qt.AlignmentFlag.AlignTop)
        content_layout = QVBoxLayout(self.content)
        content_layout.setContentsMargins(0, 0, 0, 0)
        content_layout.addLayout(header)
        content_layout.addWidget(self.banner)
        content_layout.addWidget(self.sections, 1)

        self.stack = QStackedWidget(self)
        self.stack.addWidget(self.empty)
        self.stack.addWidget(self.content)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 12, 12, 12)
        layout.addWidget(self.stack)

    def _scrolled(self, widget: QWidget) -> QScrollArea:
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(widget)
        return scroll

    def _build_recommendation(self) -> QWidget:
        page = QWidget()
        self.inputs_label = QLabel(page)
        self.inputs_label.setWordWrap(True)
        self.inputs_label.setTextFormat(Qt.TextFormat.RichText)
        self.warnings_label = QLabel(page)
        self.warnings_label.setWordWrap(True)
        self.general_box = QWidget(page)
        self.general_layout = QVBoxLayout(self.general_box)
        self.general_layout.setContentsMargins(0, 0, 0, 0)
        self.groups: dict[str, QGroupBox] = {}
        self.group_layouts: dict[str, QVBoxLayout] = {}
        self.countdown = PepCountdown(page, now=self._now)
        self.record_hbv = QPushButton(page)
        self.record_hiv = QPushButton(page)
        self.record_hbv.clicked.connect(self._on_record_hbv)
        self.record_hiv.clicked.connect(self._on_record_hiv)
        layout = QVBoxLayout(page)
        layout.addWidget(self.inputs_label)
        layout.addWidget(self.warnings_label)
        layout.addWidget(self.general_box)
        for key, _title in GROUPS:
            box = QGroupBox(page)
            box_layout = QVBoxLayout(box)
            if key == "hiv":
                box_layout.addWidget(self.countdown)
            lines = QVBoxLayout()
            lines.setSpacing(0)
            box_layout.addLayout(lines)
            button = {"hbv": self.record_hbv, "hiv": self.record_hiv}.get(key)
            if button is not None:
                button.setAutoDefault(False)
                button.setVisible(self.editable)
                row = QHBoxLayout()
                row.addWidget(button)
                row.addStretch(1)
                box_layout.addLayout(row)
            self.groups[key] = box
            self.group_layouts[key] = lines
            layout.addWidget(box)
        layout.addStretch(1)
        return self._scrolled(page)

    # -- private: showing ---------------------------------------------------------------------

    def _show_case(self) -> None:
        case, view = self.case, self.view
        if self.draft is not None:
            view = self.draft
        self._clear_lines()
        if case is None:
            self.protocol_label.setText("")
            self.state_label.setText(self.problem)
            style.set_role(self.state_label, "error")
            self.sections.setEnabled(False)
            self.assess_button.setEnabled(False)
            self.countdown.set_clock(None, self._zone)
            return
        self.sections.setEnabled(True)
        self.assess_button.setEnabled(self.editable and case.closed is None and not self.problem)
        local_now = self._local_now()
        self.treatment.set_case(case, local_now, editable=self.editable)
        planned = self.view.planned if self.view is not None else ()
        self.schedule.set_case(case, planned, self._today, editable=self.editable)
        proposal_hiv = view.proposal.hiv if view is not None else None
        pep_proposed = proposal_hiv is not None and proposal_hiv.pep_proposed
        self.pep_course.set_case(case, local_now, editable=self.editable, pep_proposed=pep_proposed)
        self.outcome.zone = self._zone
        self.outcome.set_case(case, self._today, editable=self.editable, reopenings=self.reopenings)
        self._show_state()
        if view is None:
            self.protocol_label.setText("")
            self.inputs_label.setText(
                self.problem
                or _("Not assessed yet. An OSH officer assesses the case from this tab.")
            )
            self.warnings_label.hide()
            for box in self.groups.values():
                box.hide()
            self.countdown.set_clock(None, self._zone)
            return
        self.protocol_label.setText(
            _("Protocol: {name} (version {version})").format(
                name=view.protocol_name, version=view.protocol_version
            )
        )
        self.inputs_label.setText(self._inputs_html(view))
        if view.warnings:
            self.warnings_label.setText("\n".join(view.warnings))
            style.set_role(self.warnings_label, "error")
            self.warnings_label.show()
        else:
            self.warnings_label.hide()
        for line in view.lines:
            widget = RecommendationLine(line)
            if line.pathogen in self.group_layouts:
                self.group_layouts[line.pathogen].addWidget(widget)
            else:
                self.general_layout.addWidget(widget)
        for key, title in GROUPS:
            box = self.groups[key]
            box.setVisible(not view.no_bbf_risk)
            if key == "hiv" and view.pep_level is not None:
                level = _(PEP_LEVEL_LABELS.get(PepLevel(view.pep_level), view.pep_level))
                box.setTitle(_("{virus}: {decision}").format(virus=_(title), decision=level))
            else:
                box.setTitle(_(title))
        self._show_clock(view)

    def _show_state(self) -> None:
        case = self.case
        assert case is not None
        saved = case.assessment
        role = "hint"
        if self.problem:
            text, role = self.problem, "error"
        elif self.draft is not None:
            text = _(
                "Proposal, not yet recorded: worked out from the values on the form. Save the "
                "record, then assess to record it and plan the follow-up."
            )
            role = "notice"
        elif self.draft_problem and case.closed is None:
            text, role = self.draft_problem, "error"
        elif case.closed is not None:
            text = _("The case is closed.")
        elif saved is None:
            text = _(
                "Not assessed yet: this is what the protocol proposes. Nothing is recorded and "
                "no follow-up is planned until you assess."
            )
            role = "error" if self.editable else "hint"
        elif saved.outdated:
            text = _(
                "The record or the worker's results changed since the assessment of {when}: "
                "assess again to bring the recommendation and the schedule up to date."
            ).format(when=self._when(saved.assessed_at))
            role = "plain"  # new results are expected, not an error: normal text
        else:
            text = _("Assessed {when} by {who}; the schedule is up to date.").format(
                when=self._when(saved.assessed_at), who=saved.assessed_by
            )
        self.state_label.setText(text)
        style.set_role(self.state_label, role)

    def _show_clock(self, view: pe.AssessmentView) -> None:
        hiv = view.proposal.hiv
        if hiv is None or hiv.pep is PepLevel.NOT_INDICATED:
            self.countdown.set_clock(None, self._zone)
            return
        started = self._pep_started()
        self.countdown.set_clock(hiv.clock, self._zone, started_at=started)

    def _pep_started(self) -> dt.datetime | None:
        case = self.case
        if case is None:
            return None
        local: dt.datetime | None = None
        if case.pep_course is not None:
            local = case.pep_course.started_at
        else:
            given = [
                p.given_at
                for p in case.prophylaxis
                if p.kind == "hiv_pep" and p.decision == "given" and p.given_at is not None
            ]
            local = min(given) if given else None
        return local.replace(tzinfo=self._zone) if local is not None else None

    def _inputs_html(self, view: pe.AssessmentView) -> str:
        inputs = view.inputs

        def result(value: str) -> str:
            return _(_RESULT_LABELS.get(value, value))

        status = _(HBV_STATUSES.label(view.worker_hbv_status))
        worker = _("Worker: {status}.").format(status=status)
        reason = view.worker_hbv_reason
        anti_hbs = (
            _("Anti-HBs {value} mIU/mL.").format(value=format_number(view.worker_anti_hbs, 1))
            if view.worker_anti_hbs is not None
            else _("Anti-HBs not known.")
        )
        if inputs.source_identified:
            source = _(
                "Source: HBsAg {hbsag}; anti-HCV {anti_hcv}, HCV RNA {hcv_rna}; HIV {hiv}."
            ).format(
                hbsag=result(inputs.source_hbsag),
                anti_hcv=result(inputs.source_anti_hcv),
                hcv_rna=result(inputs.source_hcv_rna),
                hiv=result(inputs.source_hiv),
            )
        else:
            source = _("Source: not identified (treated as of unknown status).")
        lines = [f"<b>{_esc(worker)}</b> {_esc(reason)} {_esc(anti_hbs)}", _esc(source)]
        grade = self._grade_text(view)
        if grade:
            lines.append(_esc(grade))
        return "<br>".join(lines)

    def _grade_text(self, view: pe.AssessmentView) -> str:
        inputs = view.inputs
        hiv = view.proposal.hiv
        if hiv is None or not hiv.pep_proposed:
            return ""
        level, grade = inputs.china_exposure_level, inputs.china_source_grade
        if level and grade:
            return _("China 2004 grade: {level}, source {grade}.").format(
                level=_(CHINA_GRADES.label(level)), grade=_(CHINA_SOURCE_GRADES.label(grade))
            )
        if view.protocol_id == "china":
            return _(
                "Enter the China exposure grade and source grade (tab 'Description and status') "
                "to see the regimen class of the 2004 guidance."
            )
        return ""

    def _clear_lines(self) -> None:
        for layout in (self.general_layout, *self.group_layouts.values()):
            _clear_layout(layout)

    def _show_banner(self, text: str, role: str = "error") -> None:
        self.banner.setText(text)
        style.set_role(self.banner, role)
        self.banner.setVisible(bool(text))

    def _local_now(self) -> dt.datetime:
        return self._now().astimezone(self._zone).replace(tzinfo=None, second=0, microsecond=0)

    def _when(self, moment: dt.datetime | None) -> str:
        if moment is None:
            return ""
        aware = moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)
        return aware.astimezone(self._zone).strftime("%Y-%m-%d %H:%M")

    # -- private: events ----------------------------------------------------------------------

    def _on_record_hbv(self) -> None:
        view = self.view
        kind = "hbig"
        if view is not None and view.proposal.hbv is not None and not view.proposal.hbv.hbig:
            kind = "hbv_vaccine"
        self.treatment.choose(kind)
        self.show_section("treatment")

    def _on_record_hiv(self) -> None:
        self.treatment.choose("hiv_pep")
        self.show_section("treatment")

    def _on_changed(self) -> None:
        self.refresh()
        self.case_changed.emit()

    def _on_schedule_changed(self, result: object) -> None:
        self.refresh()
        if isinstance(result, ResultSaved):
            text = seroconversion_text(result, in_case=True)
            if text:
                self._show_banner(text, "notice")
                if result.seroconversion:
                    self.show_section("outcome")
            self.schedule.select(result.row.id)
        self.case_changed.emit()


def _clear_layout(layout: QVBoxLayout) -> None:
    while layout.count():
        item = layout.takeAt(0)
        widget = item.widget()
        if widget is not None:
            widget.hide()
            widget.setParent(None)  # gone from findChildren at once
            widget.deleteLater()


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
