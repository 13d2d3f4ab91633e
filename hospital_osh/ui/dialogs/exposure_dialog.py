"""The full exposure record: every EPINet section, the source patient, the China grade, status.

The OSH office completes here what the quick report started. Sections are tabs, each a form
whose rows are named by the service's field names, so a failed save puts every message beside
its field (and the input stays). While the user types, the completeness line lists the
required fields still missing, and warnings (a report over a year late, a stale source result)
and contradictions (no safety feature, yet 'activated') appear at the field. Save keeps the
record incomplete if need be; Complete requires everything. Both go through the service, which
checks the version (someone else's change is refused with a message) and writes the audit.

Roles that may not edit (viewer, committee member, reporter) get the same view read-only, with
what the service masked: no names, no source results.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QCheckBox,
    QComboBox,
    QDateTimeEdit,
    QDialog,
    QDoubleSpinBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from hospital_osh.domain import exposure_rules as rules
from hospital_osh.domain.codes import N_, Code
from hospital_osh.domain.exposure_codes import (
    BARRIER_GARMENTS,
    CHINA_GRADES,
    EXTENSIBLE_LISTS,
    FIELD_CODE_LISTS,
)
from hospital_osh.domain.roles import Permission
from hospital_osh.i18n import _, current_language, format_datetime, format_number, ngettext
from hospital_osh.services import local_codes
from hospital_osh.services.errors import UserError, ValidationError
from hospital_osh.services.exposures import (
    HIDDEN,
    SEROSTATUS_FIELDS,
    ExposureInfo,
    MissingField,
    SaveResult,
    WorkerChoice,
    check_exposure,
    complete_exposure,
    field_label,
    find_workers,
    missing_fields,
    update_exposure,
)
from hospital_osh.services.hospital import list_departments
from hospital_osh.ui import style
from hospital_osh.ui.context import AppContext
from hospital_osh.ui.widgets.code_combo import fill_combo
from hospital_osh.ui.widgets.exposure_completeness import CompletenessLabel
from hospital_osh.ui.widgets.exposure_form import (
    BLANK,
    ExposureForm,
    code_items,
    get_datetime,
    keep_unknown,
    make_datetime_edit,
    set_datetime,
)
from hospital_osh.ui.widgets.exposure_worker_picker import WorkerPicker
from hospital_osh.ui.widgets.optional_date_edit import OptionalDateEdit
from hospital_osh.ui.widgets.post_exposure_panel import PostExposurePanel, ProposalPreview

CHECK_DELAY_MS = 300
PROPOSAL_DELAY_MS = 200  # the protocol's proposal follows the typing this long after a change

SECTIONS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    (
        "worker",
        N_("Worker"),
        (
            "worker_kind",
            "worker",
            "worker_name",
            "job_category",
            "employment_type",
            "home_department_id",
            "sex",
            "age",
            "years_in_post",
        ),
    ),
    (
        "event",
        N_("Event"),
        (
            "occurred_at",
            "reported_at",
            "department_id",
            "location_type",
            "exposure_type",
            "body_site",
        ),
    ),
    (
        "sharps",
        N_("Sharps"),
        (
            "device_type",
            "device_brand",
            "device_safety_engineered",
            "safety_activated",
            "purpose",
            "circumstance",
            "depth",
            "gloves",
            "device_contaminated",
        ),
    ),
    (
        "fluid",
        N_("Blood or body fluid"),
        (
            "fluid_type",
            "fluid_visibly_bloody",
            "contact_duration",
            "contact_volume",
            "barrier_garments",
        ),
    ),
    (
        "source",
        N_("Source patient"),
        (
            "source_identified",
            "source_reference",
            *(
                name
                for test in rules.SOURCE_TESTS
                for name in (f"source_{test}", f"source_{test}_date")
            ),
        ),
    ),
    (
        "status",
        N_("Description and status"),
        ("description", "china_grade", "china_source_grade", "status", "outcome"),
    ),
)
_TEXT = ("worker_name", "source_reference")
_DEPARTMENTS = ("department_id", "home_department_id")
_DATES = tuple(f"source_{test}_date" for test in rules.SOURCE_TESTS)
_DATETIMES = ("occurred_at", "reported_at")


class _GarmentBoxes(QWidget):
    """Barrier garments: several may apply."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.boxes: dict[str, QCheckBox] = {}
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setHorizontalSpacing(16)
        for index, entry in enumerate(BARRIER_GARMENTS):
            box = QCheckBox(self)
            self.boxes[entry.code] = box
            grid.addWidget(box, index // 3, index % 3)
        self.setFocusProxy(next(iter(self.boxes.values())))
        self._entries: list[Code] = list(BARRIER_GARMENTS)

    def set_entries(self, entries: list[Code]) -> None:
        """Built-in garments are fixed boxes; a hospital's own ones are added after them."""
        grid = self.layout()
        assert isinstance(grid, QGridLayout)
        for entry in entries:
            if entry.code not in self.boxes:
                box = QCheckBox(self)
                index = len(self.boxes)
                grid.addWidget(box, index // 3, index % 3)
                self.boxes[entry.code] = box
        self._entries = entries

    def retranslate(self) -> None:
        labels = {entry.code: local_codes.display_label(entry) for entry in self._entries}
        for code, box in self.boxes.items():
            box.setText(labels.get(code, code))

    def value(self) -> tuple[str, ...]:
        return tuple(code for code, box in self.boxes.items() if box.isChecked())

    def set_value(self, codes: tuple[str, ...]) -> None:
        for code, box in self.boxes.items():
            box.setChecked(code in codes)

    def set_read_only(self, read_only: bool) -> None:
        for box in self.boxes.values():
            box.setEnabled(not read_only)


class ExposureDialog(QDialog):
    """A tabbed form over ``ExposureInfo``; read-only for roles that may not edit."""

    # -- signals ------------------------------------------------------------------------------
    saved = Signal(object)
    """Emitted with the saved ``ExposureInfo`` (new version, completeness updated)."""

    def __init__(
        self,
        context: AppContext,
        parent: QWidget | None = None,
        *,
        now: Callable[[], dt.datetime] = dt.datetime.now,
    ):
        super().__init__(parent)
        self.context = context
        self._now = now
        self.editable = context.actor.can(Permission.MANAGE_EXPOSURES)
        self._loaded = ExposureInfo()
        self._baseline = ExposureInfo()
        self._loading = False
        self._entries: dict[str, list[Code]] = {}
        self._departments: list[Any] = []
        self.fields: dict[str, QWidget] = {}
        self.forms: dict[str, ExposureForm] = {}
        self.section_of: dict[str, int] = {}
        self._build()
        self._load_lists()
        self.retranslate()
        self.load(ExposureInfo(occurred_at=self._now(), reported_at=self._now()))

    # -- public API ---------------------------------------------------------------------------

    def load(self, info: ExposureInfo) -> None:
        """Fill every section from ``info``; what is loaded counts as 'no unsaved changes'."""
        self._loading = True
        try:
            self._loaded = info
            self._fill_lists()
            for name, widget in self.fields.items():
                self._set_value(name, widget, info)
            self._apply_masking(info)
            for form in self.forms.values():
                form.clear_errors()
                form.show_warnings({})
            self.banner.hide()
        finally:
            self._loading = False
        self._baseline = self.to_info()
        self._update_visibility()
        self._update_header()
        self._check()
        self._set_read_only(not self.editable)
        if self.post_exposure is not None:
            self.post_exposure.set_exposure(info.id)
        self._update_proposal()

    def to_info(self) -> ExposureInfo:
        """What the form holds now, carrying the loaded id and version."""
        info = self._loaded
        values: dict[str, Any] = {}
        for name, widget in self.fields.items():
            if name == "worker":
                continue
            values[name] = self._value(name, widget)
        kind = values.get("worker_kind") or "staff"
        if kind == "staff":
            choice = self.picker.choice()
            values["worker_id"] = choice.id if choice is not None else None
            values["worker_name"] = info.worker_name if choice is not None else ""
            if choice is not None and choice.id != info.worker_id:
                values["worker_name"] = choice.name
        else:
            values["worker_id"] = None
        if info.identities_hidden:
            values["worker_name"] = info.worker_name
            values["description"] = info.description
        if info.serostatus_hidden:
            for name in self._serostatus_fields():
                values[name] = getattr(info, name)
        return replace(info, **values)

    def is_dirty(self) -> bool:
        return self.editable and self.to_info() != self._baseline

    def save(self, *, complete: bool = False) -> bool:
        """Save (or complete) through the service; on failure keep the input, say why."""
        if not self.editable:
            return False
        info = self.to_info()
        self._clear_messages()
        try:
            with self.context.database.transaction() as session:
                service = complete_exposure if complete else update_exposure
                result: SaveResult = service(session, self.context.actor, info, self._now())
        except ValidationError as error:
            self._show_errors(error.fields)
            return False
        except UserError as error:  # a conflict, a deleted record, a refused permission
            self._show_banner(str(error))
            return False
        self.load(result.exposure)
        self._show_warnings(result.warnings)
        self._show_banner(
            _("Saved; the record is complete.")
            if result.exposure.complete
            else _("Saved; the record is still incomplete."),
            ok=True,
        )
        self.saved.emit(result.exposure)
        return True

    def complete(self) -> bool:
        return self.save(complete=True)

    def field_widget(self, name: str) -> QWidget:
        return self.fields[name]

    def form_of(self, name: str) -> ExposureForm:
        return self.forms[SECTIONS[self.section_of[name]][0]]

    def retranslate(self) -> None:
        for index, (key, _title, names) in enumerate(SECTIONS):
            form = self.forms[key]
            for name in names:
                form.set_label_text(name, field_label(name))
            self.tabs.setTabText(index, self._tab_title(index))
        self.form_of("worker").set_label_text("worker", _("Staff member"))
        self.picker.retranslate()
        self.garments.retranslate()
        self.sharps_note.setText(_("These questions are for needle-sticks and cuts."))
        self.fluid_note.setText(
            _("These questions are for splashes onto mucous membranes or broken skin.")
        )
        self.masked_note.setText(
            _("Source test results and the patient's record number are hidden for your role.")
        )
        self.age.setSpecialValueText(_("Not set"))
        self.years_in_post.setSpecialValueText(_("Not set"))
        self.viral_load.setSpecialValueText(_("Not set"))
        self.years_in_post.setSuffix(_(" years"))
        self.description.setPlaceholderText(_("What happened, in the worker's words"))
        for edit in self.dates.values():
            edit.retranslate()
        self.save_button.setText(_("Save"))
        self.save_button.setToolTip(_("Save; missing fields are allowed (Ctrl+S)"))
        self.complete_button.setText(_("Complete record"))
        self.complete_button.setToolTip(
            _("Save and require every field a complete record needs; moves a new report on")
        )
        self.close_button.setText(_("Close") if not self.editable else _("Cancel"))
        if not self._loading:
            self._fill_lists()
            info = self.to_info()
            self._loading = True
            try:
                for name, widget in self.fields.items():
                    if isinstance(widget, QComboBox):
                        self._set_value(name, widget, info)
            finally:
                self._loading = False
        self._update_header()
        self.completeness.retranslate()
        if self.proposal_preview is not None:
            self.proposal_preview.retranslate()
            self._update_proposal()  # the proposal's texts again, in the new language
        if self.post_exposure is not None:  # the tab after the record's sections
            self.tabs.setTabText(len(SECTIONS), _("Post-exposure"))
            self.post_exposure.retranslate()

    # -- QDialog ------------------------------------------------------------------------------

    def reject(self) -> None:
        if self.is_dirty() and not self.context.ask.discard_changes(self):
            return
        self._baseline = self.to_info()
        super().reject()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.is_dirty() and not self.context.ask.discard_changes(self):
            event.ignore()
            return
        self._baseline = self.to_info()
        super().closeEvent(event)

    # -- private: building --------------------------------------------------------------------

    def _build(self) -> None:
        self.setMinimumSize(860, 620)
        self.title = QLabel(self)
        self.title.setObjectName("dialogTitle")
        self.subtitle = QLabel(self)
        self.subtitle.setProperty("role", "hint")
        self.subtitle.setWordWrap(True)
        self.completeness = CompletenessLabel(self)
        self.banner = QLabel(self)
        self.banner.setWordWrap(True)
        self.banner.hide()
        self.picker = WorkerPicker(self._search, self)
        self.garments = _GarmentBoxes(self)
        self.description = QPlainTextEdit(self)
        self.description.setTabChangesFocus(True)
        self.age = QSpinBox(self)
        self.age.setRange(rules.MIN_AGE - 1, rules.MAX_AGE)
        self.years_in_post = QDoubleSpinBox(self)
        self.years_in_post.setRange(-0.5, 80)
        self.years_in_post.setDecimals(1)
        self.years_in_post.setSingleStep(0.5)
        self.viral_load = QSpinBox(self)
        self.viral_load.setRange(-1, 2_000_000_000)
        self.viral_load.setGroupSeparatorShown(True)
        for box in (self.age, self.years_in_post, self.viral_load):
            box.setCorrectionMode(QAbstractSpinBox.CorrectionMode.CorrectToNearestValue)
        self.dates: dict[str, OptionalDateEdit] = {}
        self.sharps_note = QLabel(self)
        self.fluid_note = QLabel(self)
        self.masked_note = QLabel(self)
        for note in (self.sharps_note, self.fluid_note, self.masked_note):
            note.setProperty("role", "hint")
            note.setWordWrap(True)
        self.grade_hint = QLabel(self)
        self.grade_hint.setProperty("role", "hint")
        self.grade_hint.setWordWrap(True)

        # What the protocol proposes for the values typed (writers of post-exposure care only).
        self.proposal_preview: ProposalPreview | None = None
        actor = self.context.actor
        if PostExposurePanel.visible_for(actor) and actor.can(Permission.MANAGE_POST_EXPOSURE):
            self.proposal_preview = ProposalPreview(self)
            self.proposal_preview.hide()

        self.tabs = QTabWidget(self)
        self.tabs.setDocumentMode(True)
        for index, (key, _title, names) in enumerate(SECTIONS):
            page = QWidget()
            form = ExposureForm()
            self.forms[key] = form
            outer = QVBoxLayout(page)
            outer.setContentsMargins(12, 12, 12, 12)
            if key == "sharps":
                outer.addWidget(self.sharps_note)
            elif key == "fluid":
                outer.addWidget(self.fluid_note)
            elif key == "source":
                outer.addWidget(self.masked_note)
            if key == "source" and self.proposal_preview is not None:
                beside = QHBoxLayout()  # the proposal stays in view while the results are typed
                beside.setSpacing(16)
                beside.addLayout(form, 3)
                beside.addWidget(self.proposal_preview, 2, Qt.AlignmentFlag.AlignTop)
                outer.addLayout(beside)
            else:
                outer.addLayout(form)
            if key == "status":
                outer.addWidget(self.grade_hint)
            outer.addStretch(1)
            for name in names:
                widget = self._make_field(name, page)
                self.fields[name] = widget
                self.section_of[name] = index
                form.add_row(name, "", widget)
            scroll = QScrollArea()
            scroll.setWidgetResizable(True)
            scroll.setFrameShape(QScrollArea.Shape.NoFrame)
            scroll.setWidget(page)
            self.tabs.addTab(scroll, "")
        # Decision support and follow-up for roles that may see serostatus.
        self.post_exposure: PostExposurePanel | None = None
        if PostExposurePanel.visible_for(self.context.actor):
            self.post_exposure = PostExposurePanel(self.context)
            self.tabs.addTab(self.post_exposure, "")

        self.save_button = QPushButton(self)
        self.complete_button = QPushButton(self)
        self.complete_button.setProperty("accent", True)
        self.close_button = QPushButton(self)
        self.buttons = QHBoxLayout()
        self.buttons.addStretch(1)
        for button in (self.save_button, self.complete_button, self.close_button):
            self.buttons.addWidget(button)
        self.save_button.clicked.connect(self._on_save_clicked)
        self.complete_button.clicked.connect(self._on_complete_clicked)
        self.close_button.clicked.connect(self.reject)
        self.save_button.setShortcut("Ctrl+S")
        for button in (self.save_button, self.complete_button):
            button.setAutoDefault(False)
            button.setVisible(self.editable)

        header = QHBoxLayout()
        header.addWidget(self.title)
        header.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        layout.addLayout(header)
        layout.addWidget(self.subtitle)
        layout.addWidget(self.completeness)
        layout.addWidget(self.banner)
        layout.addWidget(self.tabs, 1)
        layout.addLayout(self.buttons)

        self.check_timer = QTimer(self)
        self.check_timer.setSingleShot(True)
        self.check_timer.setInterval(CHECK_DELAY_MS)
        self.check_timer.timeout.connect(self._check)
        self.proposal_timer = QTimer(self)
        self.proposal_timer.setSingleShot(True)
        self.proposal_timer.setInterval(PROPOSAL_DELAY_MS)
        self.proposal_timer.timeout.connect(self._update_proposal)

    def _make_field(self, name: str, parent: QWidget) -> QWidget:
        widget: QWidget
        if name == "worker":
            self.picker.setParent(parent)
            self.picker.chosen.connect(self._on_changed)
            return self.picker
        if name == "barrier_garments":
            self.garments.setParent(parent)
            for box in self.garments.boxes.values():
                box.toggled.connect(self._on_changed)
            return self.garments
        if name == "description":
            self.description.setParent(parent)
            self.description.textChanged.connect(self._on_changed)
            return self.description
        if name == "age":
            self.age.valueChanged.connect(self._on_changed)
            return self.age
        if name == "years_in_post":
            self.years_in_post.valueChanged.connect(self._on_changed)
            return self.years_in_post
        if name == "source_hiv_viral_load":
            self.viral_load.valueChanged.connect(self._on_changed)
            return self.viral_load
        if name in _DATETIMES:
            widget = make_datetime_edit(parent)
            widget.dateTimeChanged.connect(self._on_changed)
            return widget
        if name in _DATES:
            date = OptionalDateEdit(None, parent)
            date.value_changed.connect(self._on_changed)
            self.dates[name] = date
            return date
        if name in _TEXT:
            line = QLineEdit(parent)
            line.setMaxLength(120 if name == "worker_name" else 80)
            line.textChanged.connect(self._on_changed)
            return line
        combo = QComboBox(parent)
        combo.setMaxVisibleItems(16)
        if name == "device_brand":
            combo.setEditable(True)
            combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
            line_edit = combo.lineEdit()
            assert line_edit is not None
            line_edit.setMaxLength(120)
            combo.editTextChanged.connect(self._on_changed)
        combo.currentIndexChanged.connect(self._on_changed)
        return combo

    def _load_lists(self) -> None:
        with self.context.database.session() as session:
            self._departments = list_departments(session)
            for name, codes in FIELD_CODE_LISTS.items():
                if codes.name in EXTENSIBLE_LISTS:
                    self._entries[name] = local_codes.entries(session, codes.name)
            self._entries["device_brand"] = local_codes.entries(session, "device_brand")
        self.garments.set_entries(self._entries.get("barrier_garments", list(BARRIER_GARMENTS)))

    def _fill_lists(self) -> None:
        language = current_language()
        info = self._loaded
        for name in _DEPARTMENTS:
            keep = getattr(info, name)
            items: list[tuple[str, object]] = [(BLANK, None)]
            for department in self._departments:
                if department.active:
                    items.append((department.name(language), department.id))
                elif department.id == keep:
                    items.append(
                        (
                            _("{name} (inactive)").format(name=department.name(language)),
                            department.id,
                        )
                    )
            combo = self.fields[name]
            assert isinstance(combo, QComboBox)
            fill_combo(combo, items)
        for name, codes in FIELD_CODE_LISTS.items():
            combo = self.fields.get(name)
            if not isinstance(combo, QComboBox):
                continue
            entries = self._entries.get(name, list(codes))
            blank = None if name in ("worker_kind", "status", "outcome") else BLANK
            fill_combo(combo, code_items(entries, blank=blank))
        brand = self.fields["device_brand"]
        assert isinstance(brand, QComboBox)
        text = brand.currentText()
        fill_combo(brand, code_items(self._entries["device_brand"]), keep=False)
        brand.setEditText(text)
        self.garments.retranslate()

    # -- private: values ----------------------------------------------------------------------

    def _labels_for(self, name: str, info: ExposureInfo) -> dict[str, str]:
        """Labels of codes a record holds but the list no longer offers."""
        codes = FIELD_CODE_LISTS.get(name)
        list_name = codes.name if codes is not None else name
        result = {}
        for (lst, code), (zh, en) in info.local_labels.items():
            if lst == list_name:
                result[code] = (zh or en) if current_language() == "zh_CN" else (en or zh)
        if codes is not None:
            result |= {entry.code: _(entry.label) for entry in codes}
        return result

    def _set_value(self, name: str, widget: QWidget, info: ExposureInfo) -> None:
        if name == "worker":
            if info.worker_id is not None:
                self.picker.set_choice(
                    WorkerChoice(
                        info.worker_id,
                        info.staff_no,
                        info.worker_name,
                        info.job_category,
                        info.home_department_zh,
                        info.home_department_en,
                    ),
                    info.staff_no,
                )
            else:
                self.picker.set_choice(None)
            return
        value = getattr(info, name)
        if name == "device_brand":
            assert isinstance(widget, QComboBox)
            index = widget.findData(value) if value else -1
            if index >= 0:
                widget.setCurrentIndex(index)
            else:
                widget.setCurrentIndex(-1)
                widget.setEditText(value or "")
        elif isinstance(widget, QComboBox):
            keep_unknown(widget, value, self._labels_for(name, info))
        elif name == "barrier_garments":
            self.garments.set_value(value)
        elif name == "description":
            self.description.setPlainText(value or "")
        elif name in _TEXT:
            assert isinstance(widget, QLineEdit)
            widget.setText(value or "")
        elif name in _DATETIMES:
            assert isinstance(widget, QDateTimeEdit)
            set_datetime(widget, value)
        elif name in _DATES:
            assert isinstance(widget, OptionalDateEdit)
            widget.set_value(value)
        elif isinstance(widget, QSpinBox | QDoubleSpinBox):
            widget.setValue(widget.minimum() if value is None else value)

    def _value(self, name: str, widget: QWidget) -> Any:
        if name == "device_brand":
            assert isinstance(widget, QComboBox)
            text = widget.currentText().strip()
            index = widget.findText(text)
            if index >= 0 and widget.itemData(index) is not None:
                return widget.itemData(index)
            return "" if text == BLANK else text
        if isinstance(widget, QComboBox):
            return widget.currentData()
        if name == "barrier_garments":
            return self.garments.value()
        if name == "description":
            return self.description.toPlainText()
        if isinstance(widget, QLineEdit):
            return widget.text()
        if isinstance(widget, QDateTimeEdit):
            return get_datetime(widget)
        if isinstance(widget, OptionalDateEdit):
            return widget.value()
        if isinstance(widget, QSpinBox):
            return None if widget.value() == widget.minimum() else widget.value()
        if isinstance(widget, QDoubleSpinBox):
            return None if widget.value() == widget.minimum() else round(widget.value(), 1)
        return None

    def _serostatus_fields(self) -> tuple[str, ...]:
        return SEROSTATUS_FIELDS

    def _apply_masking(self, info: ExposureInfo) -> None:
        source = self.forms["source"]
        for name in self._serostatus_fields():
            source.set_field_visible(name, not info.serostatus_hidden)
        self.masked_note.setVisible(info.serostatus_hidden)
        if info.identities_hidden:
            self.picker.set_choice(None)
            self.picker.edit.setText(HIDDEN)

    def _set_read_only(self, read_only: bool) -> None:
        for name, widget in self.fields.items():
            if name == "description":
                self.description.setReadOnly(read_only)
            elif name == "barrier_garments":
                self.garments.set_read_only(read_only)
            elif name == "worker":
                self.picker.edit.setReadOnly(read_only)
            elif isinstance(widget, QLineEdit):
                widget.setReadOnly(read_only)
            else:
                widget.setEnabled(not read_only)

    # -- private: behaviour -------------------------------------------------------------------

    def _search(self, text: str) -> list[WorkerChoice]:
        try:
            with self.context.database.session() as session:
                return find_workers(session, self.context.actor, text)
        except UserError as error:
            self._show_banner(str(error))
            return []

    def _on_changed(self, *_args: object) -> None:
        if self._loading:
            return
        self._update_visibility()
        self._update_completeness()
        self.check_timer.start()
        if self.proposal_preview is not None:
            self.proposal_timer.start()

    def _on_save_clicked(self) -> None:
        self.save()

    def _on_complete_clicked(self) -> None:
        self.complete()

    def _update_visibility(self) -> None:
        form = self.forms["worker"]
        staff = self._value("worker_kind", self.fields["worker_kind"]) == "staff"
        form.set_field_visible("worker", staff)
        form.set_field_visible("worker_name", not staff)
        kind = self._value("exposure_type", self.fields["exposure_type"])
        self.sharps_note.setVisible(kind not in rules.SHARPS_TYPES)
        self.fluid_note.setVisible(kind not in rules.FLUID_TYPES_OF_EXPOSURE)
        values = self.to_info().values()
        grade = rules.suggest_china_grade(values)
        if not rules.grade_applies(values):
            self.grade_hint.setText(
                _(
                    "The China exposure grade applies to blood-borne exposures whose source "
                    "may carry HIV."
                )
            )
        elif grade is None:
            self.grade_hint.setText("")
        else:
            self.grade_hint.setText(
                _("Suggested by the 2004 guidance from the answers given: {grade}.").format(
                    grade=_(CHINA_GRADES.label(grade))
                )
            )
        self.grade_hint.setVisible(bool(self.grade_hint.text()))

    def _tab_title(self, index: int, missing: set[str] | None = None) -> str:
        title = _(SECTIONS[index][1])
        names = SECTIONS[index][2]
        count = len([n for n in names if n in (missing or set())])
        if index == 0 and missing and "worker" in missing:
            count = max(count, 1)
        if count:
            return _("{section} ({count} missing)").format(section=title, count=count)
        return title

    def _update_completeness(self) -> None:
        if self.editable:
            missing = missing_fields(self.to_info())
        else:  # masked values cannot be judged here: the service's verdict stands
            missing = [MissingField(name, field_label(name)) for name in self._loaded.missing]
        self.completeness.set_missing(missing)
        names = {m.field for m in missing}
        for index in range(len(SECTIONS)):
            self.tabs.setTabText(index, self._tab_title(index, names))

    def _update_header(self) -> None:
        info = self._loaded
        self.setWindowTitle(
            _("Exposure {reference}").format(reference=info.reference)
            if info.reference
            else _("Exposure record")
        )
        self.title.setText(info.reference or _("Exposure record"))
        parts = []
        if info.hours_to_report is not None:
            parts.append(
                _("Reported {hours} hours after the exposure").format(
                    hours=format_number(info.hours_to_report, 1)
                )
            )
        if info.completed_at is not None:
            parts.append(
                _("completed {when}").format(when=format_datetime(info.completed_at, "short"))
            )
        if not self.editable:
            parts.append(_("read only"))
        self.subtitle.setText("; ".join(parts))
        self.subtitle.setVisible(bool(parts))
        self._update_completeness()

    def _check(self) -> None:
        """Errors and warnings as the service sees the form now (nothing is saved)."""
        self.check_timer.stop()
        if not self.editable:
            return
        try:
            with self.context.database.session() as session:
                errors, warnings = check_exposure(
                    session, self.context.actor, self.to_info(), self._now()
                )
        except UserError:
            return
        for form in self.forms.values():
            form.show_errors({k: v for k, v in errors.items() if form.has_field(k)}, focus=False)
        self._show_warnings(warnings)

    def _update_proposal(self) -> None:
        """Show what the protocol proposes for the form's values (nothing is written): beside
        the source fields and in the post-exposure tab, marked as not yet recorded. A saved
        record without changes shows its saved state instead."""
        self.proposal_timer.stop()
        panel, preview = self.post_exposure, self.proposal_preview
        if panel is None or preview is None or not self.editable:
            return
        info = self.to_info()
        draft = info.id is None or info != self._baseline
        view, problem = panel.show_draft(info if draft else None)
        preview.set_view(view, problem)
        preview.setVisible(draft and (view is not None or bool(problem)))

    def _show_warnings(self, warnings: dict[str, str]) -> None:
        for form in self.forms.values():
            form.show_warnings({k: v for k, v in warnings.items() if form.has_field(k)})

    def _show_errors(self, errors: dict[str, str]) -> None:
        errors = dict(errors)
        if "worker" in errors and self._value("worker_kind", self.fields["worker_kind"]) != "staff":
            errors.setdefault("worker_name", errors.pop("worker"))
        leftover: dict[str, str] = {}
        first_tab: int | None = None
        for key, form in self.forms.items():
            mine = {k: v for k, v in errors.items() if form.has_field(k)}
            form.show_errors(mine, focus=False)
            if mine and first_tab is None:
                first_tab = [s[0] for s in SECTIONS].index(key)
        for name, message in errors.items():
            if not any(form.has_field(name) for form in self.forms.values()):
                leftover[name] = message
        if first_tab is not None:
            self.tabs.setCurrentIndex(first_tab)
            first = next(n for n in SECTIONS[first_tab][2] if n in errors)
            self.fields[first].setFocus(Qt.FocusReason.OtherFocusReason)
        count = len(errors)
        text = ngettext(
            "{count} field needs attention; see the message beside it.",
            "{count} fields need attention; see the messages beside them.",
            count,
        ).format(count=count)
        if leftover:
            text = "\n".join([text, *leftover.values()])
        self._show_banner(text)

    def _clear_messages(self) -> None:
        for form in self.forms.values():
            form.clear_errors()
        self.banner.hide()

    def _show_banner(self, text: str, *, ok: bool = False) -> None:
        self.banner.setText(text)
        style.set_role(self.banner, "ok" if ok else "error")
        self.banner.show()
