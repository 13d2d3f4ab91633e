"""The post-exposure protocol setting as a proper choice: each protocol by name, with what it
rests on (its main sources and how many of its decision rows are verified, partly verified or
unverified), read from the protocol files themselves so the description never drifts from them.

It stands in for the line edit of Settings › General (``text()`` / ``setText()`` hold the
setting's code, ``china`` or ``cdc``).
"""

from __future__ import annotations

from collections import Counter

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QLabel, QVBoxLayout, QWidget

from hospital_osh.domain.protocol_vocab import PATHOGENS, Evidence
from hospital_osh.domain.protocols import DEFAULT_PROTOCOL, PROTOCOL_FILES
from hospital_osh.i18n import _, current_language
from hospital_osh.services import post_exposure as pe
from hospital_osh.services.errors import UserError
from hospital_osh.ui import style
from hospital_osh.ui.widgets.code_combo import fill_combo, select_data

SETTING = pe.SETTING


def protocol_description(protocol_id: str) -> str:
    """'27 decision rows: …; main sources: …' in the user's language."""
    try:
        protocol = pe.protocol_by_id(protocol_id)
    except UserError as error:
        return str(error)
    tables = ("hbv", "hcv", "hiv", "hiv_grade")
    rows = [rule for table in tables for rule in protocol.table(table)]
    counts = Counter(rule.verified for rule in rows)
    sources = []
    for pathogen in ("hbv", "hcv", "hiv"):
        found = Counter(rule.source for rule in protocol.table(pathogen))
        if found:
            sources.append(
                _("{virus}: {source}").format(
                    virus=_(PATHOGENS.label(pathogen)), source=found.most_common(1)[0][0]
                )
            )
    return _(
        "{rows} decision rows: {verified} verified, {partly} partly verified, {unverified} "
        "unverified (the decision panel marks these). Main sources: {sources}."
    ).format(
        rows=len(rows),
        verified=counts[Evidence.VERIFIED],
        partly=counts[Evidence.PARTLY],
        unverified=counts[Evidence.UNVERIFIED],
        sources="; ".join(sources),
    )


class ProtocolChoice(QWidget):
    """A combo of the shipped protocols and the chosen one's description below it."""

    setting = SETTING
    """The key in ``services.settings.SETTINGS`` this widget edits."""

    # -- signals ------------------------------------------------------------------------------
    text_changed = Signal(str)
    """Emitted with the protocol code when the choice changes."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.combo = QComboBox(self)
        self.combo.setMinimumContentsLength(28)
        self.description = QLabel(self)
        self.description.setWordWrap(True)
        style.set_role(self.description, "hint")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.combo)
        layout.addWidget(self.description)
        self.setFocusProxy(self.combo)
        self.combo.currentIndexChanged.connect(self._on_changed)
        self.retranslate()

    # -- public API (as QLineEdit's, for the settings form) -----------------------------------

    def text(self) -> str:
        return str(self.combo.currentData() or DEFAULT_PROTOCOL)

    def setText(self, code: str) -> None:
        if not select_data(self.combo, code.strip()):
            select_data(self.combo, DEFAULT_PROTOCOL)
        self._describe()

    def retranslate(self) -> None:
        language = current_language()
        items: list[tuple[str, object]] = []
        for code in PROTOCOL_FILES:
            try:
                name = pe.protocol_by_id(code).name(language)
            except UserError:
                name = code
            items.append((name, code))
        fill_combo(self.combo, items)
        self.combo.setToolTip(_("Which guidance the decision panel and the schedules follow"))
        self._describe()

    # -- private ------------------------------------------------------------------------------

    def _describe(self) -> None:
        self.description.setText(protocol_description(self.text()))

    def _on_changed(self, _index: int) -> None:
        self._describe()
        self.text_changed.emit(self.text())
