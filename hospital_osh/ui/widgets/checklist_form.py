"""The checklist form for a walk-through: one checkpoint at a time, module by module, by keyboard.

Made for a small laptop carried around a ward (1280x800 and 1366x768): a navigator on the left
lists the modules and their checkpoints with the answer given so far; the right side shows one
checkpoint with its why/how hints and the answer fields. Keys (also shown on the buttons):

- Alt+1 / Alt+2 / Alt+3 (or 1 / 2 / 3 outside a text field): no action needed / not applicable /
  action proposed;
- Alt+P: priority (only when action is proposed);
- Page Down / Page Up: next / previous checkpoint; Ctrl+U: the next unanswered one;
- Tab moves through the fields; text fields pass Tab on instead of typing it.

The widget holds the answers as ``AnswerInput`` values and never touches the database; its owner
loads a ``SheetView`` and saves ``answers()`` through ``services.healthwise.save_answers``.
"""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QKeyEvent
from PySide6.QtWidgets import (
    QAbstractButton,
    QButtonGroup,
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QSplitter,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from hospital_osh.domain.healthwise import ANSWERS, Answer
from hospital_osh.i18n import _
from hospital_osh.services.healthwise import AnswerInput, AnswerView, SheetView
from hospital_osh.ui import style

_ANSWER_KEYS = {
    Qt.Key.Key_1: Answer.NO_ACTION,
    Qt.Key.Key_2: Answer.NOT_APPLICABLE,
    Qt.Key.Key_3: Answer.ACTION_PROPOSED,
}
_MARKS = {
    Answer.UNANSWERED: "·",
    Answer.NO_ACTION: "✓",
    Answer.NOT_APPLICABLE: "–",
    Answer.ACTION_PROPOSED: "!",
}
PRIORITY_MARK = "!!"
CODE_ROLE = Qt.ItemDataRole.UserRole + 1
_PRIORITY = QColor(style.ERROR)


def _text_edit(parent: QWidget, lines: int) -> QPlainTextEdit:
    edit = QPlainTextEdit(parent)
    edit.setTabChangesFocus(True)
    edit.setFixedHeight(edit.fontMetrics().lineSpacing() * lines + 14)
    return edit


class ChecklistForm(QWidget):
    """One sheet's answers, edited checkpoint by checkpoint."""

    # -- signals ------------------------------------------------------------------------------
    answers_changed = Signal()
    """Emitted whenever an answer, priority or text changes."""
    position_changed = Signal(int)
    """Emitted with the index of the checkpoint now shown."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._views: list[AnswerView] = []
        self._answers: dict[str, AnswerInput] = {}
        self._loaded: dict[str, AnswerInput] = {}
        self._index = -1
        self._chinese = False
        self._consensus = False
        self._editable = True
        self._showing = False
        self._reasons_only = False
        self._build()
        self.retranslate()

    # -- public API ---------------------------------------------------------------------------

    def load(
        self,
        sheet: SheetView,
        *,
        chinese: bool,
        editable: bool | None = None,
        reasons_only: bool = False,
    ) -> None:
        """Show ``sheet``; what it holds counts as 'no unsaved changes'. ``reasons_only``: the
        answers are agreed and only the reasons for no action may still change."""
        self._reasons_only = reasons_only
        self._views = list(sheet.answers)
        self._chinese = chinese
        self._consensus = sheet.member_id is None
        self._editable = sheet.editable if editable is None else editable
        self._answers = {
            v.checkpoint.code: AnswerInput(
                code=v.checkpoint.code,
                answer=v.answer,
                priority=v.priority,
                remarks=v.remarks,
                good_practice=v.good_practice,
                location_detail=v.location_detail,
                no_action_reason=v.no_action_reason,
            )
            for v in self._views
        }
        self._loaded = dict(self._answers)
        self._fill_navigator()
        self._index = -1
        first = next((i for i, v in enumerate(self._views) if self._is_open(v.checkpoint.code)), 0)
        self.show_checkpoint(first if self._views else -1)

    def answers(self) -> list[AnswerInput]:
        """Every checkpoint's answer as the form holds it now, in checklist order."""
        self._commit()
        return [self._answers[v.checkpoint.code] for v in self._views]

    def changed_answers(self) -> list[AnswerInput]:
        """Only the answers that differ from what was loaded."""
        return [a for a in self.answers() if a != self._loaded.get(a.code)]

    def is_dirty(self) -> bool:
        return bool(self.changed_answers())

    def mark_clean(self) -> None:
        self._commit()
        self._loaded = dict(self._answers)

    def unanswered(self) -> list[str]:
        self._commit()
        return [
            v.checkpoint.code
            for v in self._views
            if self._answers[v.checkpoint.code].answer == Answer.UNANSWERED
        ]

    def current_code(self) -> str | None:
        return (
            self._views[self._index].checkpoint.code
            if 0 <= self._index < len(self._views)
            else None
        )

    def reasons_only(self) -> bool:
        return self._reasons_only and self._editable

    def current_index(self) -> int:
        return self._index

    def count(self) -> int:
        return len(self._views)

    def show_checkpoint(self, index: int) -> None:
        """Show the checkpoint at ``index`` (the current one's input is kept first)."""
        self._commit()
        if not 0 <= index < len(self._views):
            self._index = -1
            self._show_nothing()
            return
        self._index = index
        self._show_current()
        self.position_changed.emit(index)

    def show_code(self, code: str) -> bool:
        for index, view in enumerate(self._views):
            if view.checkpoint.code == code:
                self.show_checkpoint(index)
                return True
        return False

    def next_checkpoint(self) -> None:
        if self._index + 1 < len(self._views):
            self.show_checkpoint(self._index + 1)
            self._focus_answer()

    def previous_checkpoint(self) -> None:
        if self._index > 0:
            self.show_checkpoint(self._index - 1)
            self._focus_answer()

    def next_unanswered(self) -> bool:
        """Go to the next unanswered checkpoint after the current one (wrapping round)."""
        self._commit()
        count = len(self._views)
        for step in range(1, count + 1):
            index = (self._index + step) % count
            if self._answers[self._views[index].checkpoint.code].answer == Answer.UNANSWERED:
                self.show_checkpoint(index)
                self._focus_answer()
                return True
        return False

    def set_answer(self, answer: str) -> None:
        """Choose the current checkpoint's answer (as the keys and radio buttons do)."""
        if not self._editable or self._reasons_only or self._index < 0:
            return
        button = self._answer_buttons.get(answer)
        if button is not None:
            button.setChecked(True)
            self._on_answer_clicked()

    def toggle_priority(self) -> None:
        if self.priority.isEnabled():
            self.priority.setChecked(not self.priority.isChecked())

    def retranslate(self) -> None:
        self.navigator.setHeaderLabels([_("Checkpoint"), _("Answer")])
        self.legend.setText(
            _("✓ no action needed · – not applicable · ! action proposed · !! priority")
        )
        self.navigator.setAccessibleName(_("Checkpoints of the checklist"))
        texts = {
            Answer.NO_ACTION: _("No action needed (Alt+1)"),
            Answer.NOT_APPLICABLE: _("Not applicable (Alt+2)"),
            Answer.ACTION_PROPOSED: _("Action proposed (Alt+3)"),
        }
        for answer, button in self._answer_buttons.items():
            button.setText(texts[answer])
        self.answer_caption.setText(_("Do you propose action?"))
        self.priority.setText(_("Priority (Alt+P)"))
        self.priority.setToolTip(_("Only an item where action is proposed can be a priority."))
        self.remarks_label.setText(_("Remarks: where is the problem, what do you suggest?"))
        self.good_label.setText(_("Good practice seen"))
        self.location_label.setText(_("Exact place"))
        self.reason_label.setText(_("Reason for no action (priority without an action item)"))
        self.previous_button.setText(_("Previous (PgUp)"))
        self.next_button.setText(_("Next (PgDn)"))
        self.unanswered_button.setText(_("Next unanswered (Ctrl+U)"))
        if self._views:
            self._fill_navigator()
            if self._index >= 0:
                self._show_current()
        else:
            self._show_nothing()

    # -- QWidget ------------------------------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind in (QEvent.Type.KeyPress, QEvent.Type.ShortcutOverride) and isinstance(
            event, QKeyEvent
        ):
            action = self._key_action(watched, event)
            if action is not None:
                if kind == QEvent.Type.ShortcutOverride:
                    event.accept()  # ours, not a window shortcut's
                    return True
                action()
                return True
        return super().eventFilter(watched, event)

    # -- private: building --------------------------------------------------------------------

    def _build(self) -> None:
        self.navigator = QTreeWidget(self)
        self.navigator.setColumnCount(2)
        self.navigator.setRootIsDecorated(True)
        self.navigator.setUniformRowHeights(True)
        self.navigator.setMinimumWidth(260)
        self.navigator.header().setStretchLastSection(False)
        self.navigator.header().setSectionResizeMode(0, self.navigator.header().ResizeMode.Stretch)
        self.navigator.header().setSectionResizeMode(
            1, self.navigator.header().ResizeMode.ResizeToContents
        )
        self.navigator.currentItemChanged.connect(self._on_navigator_moved)

        self.module_label = QLabel(self)
        style.set_role(self.module_label, "hint")
        self.module_label.setWordWrap(True)
        self.position_label = QLabel(self)
        style.set_role(self.position_label, "hint")
        self.title_label = QLabel(self)
        self.title_label.setWordWrap(True)
        self.title_label.setObjectName("checkpointTitle")
        font = self.title_label.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.15)
        self.title_label.setFont(font)
        self.hints = QLabel(self)
        self.hints.setWordWrap(True)
        self.hints.setTextFormat(Qt.TextFormat.RichText)
        self.hints.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        hint_scroll = QScrollArea(self)
        hint_scroll.setWidget(self.hints)
        hint_scroll.setWidgetResizable(True)
        hint_scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        hint_scroll.setMinimumHeight(self.fontMetrics().lineSpacing() * 3)
        hint_scroll.setMaximumHeight(self.fontMetrics().lineSpacing() * 7)
        hint_scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.verification_label = QLabel(self)
        style.set_role(self.verification_label, "hint")
        self.verification_label.setWordWrap(True)
        self.disputed_label = QLabel(self)
        style.set_role(self.disputed_label, "error")
        self.disputed_label.setWordWrap(True)

        self.answer_caption = QLabel(self)
        self.answer_group = QButtonGroup(self)
        self._answer_buttons: dict[str, QRadioButton] = {}
        answers_row = QHBoxLayout()
        for answer in (Answer.NO_ACTION, Answer.NOT_APPLICABLE, Answer.ACTION_PROPOSED):
            button = QRadioButton(self)
            button.setObjectName(f"answer_{answer}")
            self.answer_group.addButton(button)
            self._answer_buttons[answer] = button
            answers_row.addWidget(button)
        answers_row.addStretch(1)
        self.answer_group.buttonClicked.connect(self._on_answer_clicked)
        self.priority = QCheckBox(self)
        self.priority.toggled.connect(self._on_edited)
        self.remarks_label = QLabel(self)
        self.remarks = _text_edit(self, 2)
        self.remarks_label.setBuddy(self.remarks)
        self.good_label = QLabel(self)
        self.good_practice = _text_edit(self, 1)
        self.good_label.setBuddy(self.good_practice)
        self.location_label = QLabel(self)
        self.location = QLineEdit(self)
        self.location.setMaxLength(200)
        self.location_label.setBuddy(self.location)
        self.reason_label = QLabel(self)
        self.reason = _text_edit(self, 1)
        self.reason_label.setBuddy(self.reason)
        for edit in (self.remarks, self.good_practice, self.reason):
            edit.textChanged.connect(self._on_edited)
        self.location.textChanged.connect(self._on_edited)

        self.previous_button = QPushButton(self)
        self.next_button = QPushButton(self)
        self.unanswered_button = QPushButton(self)
        self.previous_button.clicked.connect(self.previous_checkpoint)
        self.next_button.clicked.connect(self.next_checkpoint)
        self.unanswered_button.clicked.connect(self.next_unanswered)
        for button in (self.previous_button, self.next_button, self.unanswered_button):
            button.setAutoDefault(False)

        right = QWidget(self)
        box = QVBoxLayout(right)
        box.setContentsMargins(8, 0, 0, 0)
        top = QHBoxLayout()
        top.addWidget(self.module_label, 1)
        top.addWidget(self.position_label)
        box.addLayout(top)
        box.addWidget(self.title_label)
        box.addWidget(hint_scroll)
        box.addWidget(self.verification_label)
        box.addWidget(self.disputed_label)
        box.addWidget(self.answer_caption)
        box.addLayout(answers_row)
        box.addWidget(self.priority)
        box.addWidget(self.remarks_label)
        box.addWidget(self.remarks)
        place_row = QHBoxLayout()
        place_row.addWidget(self.location_label)
        place_row.addWidget(self.location, 1)
        box.addLayout(place_row)
        box.addWidget(self.good_label)
        box.addWidget(self.good_practice)
        box.addWidget(self.reason_label)
        box.addWidget(self.reason)
        box.addStretch(1)
        nav = QHBoxLayout()
        nav.addWidget(self.previous_button)
        nav.addWidget(self.next_button)
        nav.addStretch(1)
        nav.addWidget(self.unanswered_button)
        box.addLayout(nav)

        self.legend = QLabel(self)
        style.set_role(self.legend, "hint")
        self.legend.setWordWrap(True)
        left = QWidget(self)
        left_box = QVBoxLayout(left)
        left_box.setContentsMargins(0, 0, 0, 0)
        left_box.addWidget(self.navigator, 1)
        left_box.addWidget(self.legend)
        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        splitter.addWidget(left)
        splitter.addWidget(right)
        splitter.setStretchFactor(0, 2)
        splitter.setStretchFactor(1, 3)
        splitter.setSizes([400, 700])
        splitter.setChildrenCollapsible(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(splitter)
        for widget in [self, *self.findChildren(QWidget)]:
            widget.installEventFilter(self)
        self.setFocusProxy(self._answer_buttons[Answer.NO_ACTION])

    def _fill_navigator(self) -> None:
        self.navigator.blockSignals(True)
        self.navigator.clear()
        self._items: dict[str, QTreeWidgetItem] = {}
        modules: dict[str, QTreeWidgetItem] = {}
        for view in self._views:
            point = view.checkpoint
            parent = modules.get(point.module_code)
            if parent is None:
                parent = QTreeWidgetItem(self.navigator)
                parent.setFlags(Qt.ItemFlag.ItemIsEnabled)
                parent.setData(0, CODE_ROLE, point.module_code)
                modules[point.module_code] = parent
                parent.setExpanded(True)
            item = QTreeWidgetItem(parent)
            item.setData(0, CODE_ROLE, point.code)
            item.setText(0, f"{point.code} {point.title(self._chinese)}")
            item.setToolTip(0, point.title(self._chinese))
            self._items[point.code] = item
        self._module_items = modules
        self._module_titles = self._titles_by_module()
        for item in modules.values():
            item.setExpanded(True)
            item.setFirstColumnSpanned(False)
        for code in self._answers:
            self._mark(code)
        self._mark_modules()
        self.navigator.blockSignals(False)

    def _titles_by_module(self) -> dict[str, str]:
        """Module titles come with the sheet's owner (``set_module_titles``); codes until then."""
        return getattr(self, "_given_module_titles", {})

    def set_module_titles(self, titles: dict[str, str]) -> None:
        """Module code -> title in the user's language, for the navigator and the header."""
        self._given_module_titles = dict(titles)
        for code, item in getattr(self, "_module_items", {}).items():
            item.setText(0, titles.get(code, code))
        self._mark_modules()
        if self._index >= 0:
            self._show_current()

    # -- private: showing ---------------------------------------------------------------------

    def _show_nothing(self) -> None:
        self._showing = True
        try:
            self.module_label.setText("")
            self.position_label.setText("")
            self.title_label.setText(_("This checklist has no checkpoints."))
            self.hints.setText("")
            for widget in self._input_widgets():
                widget.setEnabled(False)
        finally:
            self._showing = False

    def _show_current(self) -> None:
        view = self._views[self._index]
        point = view.checkpoint
        answer = self._answers[point.code]
        self._showing = True
        try:
            titles = self._titles_by_module()
            self.module_label.setText(titles.get(point.module_code, point.module_code))
            self.position_label.setText(
                _("{code} · {number} of {count}").format(
                    code=point.code, number=self._index + 1, count=len(self._views)
                )
            )
            self.title_label.setText(point.title(self._chinese))
            why = point.why_zh if self._chinese and point.why_zh else point.why_en or point.why_zh
            how = point.how_zh if self._chinese and point.how_zh else point.how_en or point.how_zh
            parts = []
            if why:
                parts.append(f"<b>{_('Why')}</b>: {_escape(why)}")
            if how:
                parts.append(f"<b>{_('How')}</b>: {_escape(how)}")
            self.hints.setText("<br>".join(parts) or _("No hints for this checkpoint."))
            self.verification_label.setText(
                _("Working wording, not the official checkpoint text.")
                if point.verification != "official"
                else ""
            )
            self.verification_label.setVisible(point.verification != "official")
            self.disputed_label.setText(
                _("The team's sheets disagreed on this item: agree the answer together.")
            )
            self.disputed_label.setVisible(self._consensus and view.disputed)
            self.answer_group.setExclusive(False)
            for code, button in self._answer_buttons.items():
                button.setChecked(code == answer.answer)
            self.answer_group.setExclusive(True)
            self.priority.setChecked(answer.priority)
            self.remarks.setPlainText(answer.remarks)
            self.good_practice.setPlainText(answer.good_practice)
            self.location.setText(answer.location_detail)
            self.reason.setPlainText(answer.no_action_reason)
            for widget in self._input_widgets():
                widget.setEnabled(self._editable and not self._reasons_only)
            self.reason.setEnabled(self._editable)
            self._update_priority_state()
            self.reason_label.setVisible(self._consensus)
            self.reason.setVisible(self._consensus)
            self.previous_button.setEnabled(self._index > 0)
            self.next_button.setEnabled(self._index + 1 < len(self._views))
            item = self._items.get(point.code)
            if item is not None and self.navigator.currentItem() is not item:
                self.navigator.blockSignals(True)
                self.navigator.setCurrentItem(item)
                self.navigator.blockSignals(False)
                self.navigator.scrollToItem(item)
        finally:
            self._showing = False

    def _input_widgets(self) -> list[QWidget]:
        return [
            *self._answer_buttons.values(),
            self.priority,
            self.remarks,
            self.good_practice,
            self.location,
            self.reason,
        ]

    def _update_priority_state(self) -> None:
        proposed = self._checked_answer() == Answer.ACTION_PROPOSED
        self.priority.setEnabled(self._editable and not self._reasons_only and proposed)
        if not proposed and self.priority.isChecked():
            self.priority.setChecked(False)

    def _checked_answer(self) -> str:
        for code, button in self._answer_buttons.items():
            if button.isChecked():
                return code
        return Answer.UNANSWERED

    def _mark(self, code: str) -> None:
        item = self._items.get(code)
        if item is None:
            return
        answer = self._answers[code]
        label = _(ANSWERS.label(answer.answer))
        mark = _MARKS.get(answer.answer, "·")
        if answer.priority:
            label = _("{answer}, priority").format(answer=label)
            mark = PRIORITY_MARK
        item.setText(1, mark)
        item.setToolTip(1, label)
        item.setTextAlignment(1, Qt.AlignmentFlag.AlignCenter)
        colour = _PRIORITY if answer.priority else None
        item.setForeground(1, QBrush(colour) if colour else QBrush())

    def _mark_modules(self) -> None:
        titles = self._titles_by_module()
        for code, item in getattr(self, "_module_items", {}).items():
            codes = [v.checkpoint.code for v in self._views if v.checkpoint.module_code == code]
            done = sum(1 for c in codes if self._answers[c].answer != Answer.UNANSWERED)
            item.setText(0, titles.get(code, code))
            item.setText(1, f"{done}/{len(codes)}")

    # -- private: editing ---------------------------------------------------------------------

    def _commit(self) -> None:
        """Take the shown fields into the answers."""
        if self._showing or not 0 <= self._index < len(self._views):
            return
        code = self._views[self._index].checkpoint.code
        answer = self._checked_answer()
        updated = replace(
            self._answers[code],
            answer=answer,
            priority=self.priority.isChecked() and answer == Answer.ACTION_PROPOSED,
            remarks=self.remarks.toPlainText(),
            good_practice=self.good_practice.toPlainText(),
            location_detail=self.location.text(),
            no_action_reason=self.reason.toPlainText() if self._consensus else "",
        )
        if updated != self._answers[code]:
            self._answers[code] = updated
            self._mark(code)
            self._mark_modules()

    def _on_answer_clicked(self, _button: QAbstractButton | None = None) -> None:
        if self._showing:
            return
        self._update_priority_state()
        self._on_edited()

    def _on_edited(self, *_args: object) -> None:
        if self._showing:
            return
        self._commit()
        self.answers_changed.emit()

    def _on_navigator_moved(self, current: QTreeWidgetItem | None, _previous: object) -> None:
        if current is None:
            return
        code = current.data(0, CODE_ROLE)
        if current.parent() is None:  # a module: show its first checkpoint
            if current.childCount():
                code = current.child(0).data(0, CODE_ROLE)
            else:
                return
        if code != self.current_code():
            self.show_code(code)

    def _focus_answer(self) -> None:
        checked = self._answer_buttons.get(self._checked_answer())
        target = checked or self._answer_buttons[Answer.NO_ACTION]
        if target.isEnabled():
            target.setFocus(Qt.FocusReason.OtherFocusReason)

    def _is_open(self, code: str) -> bool:
        return self._answers[code].answer == Answer.UNANSWERED

    def _key_action(self, watched: QObject, event: QKeyEvent):  # type: ignore[no-untyped-def]
        key = event.key()
        modifiers = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        alt = modifiers == Qt.KeyboardModifier.AltModifier
        plain = modifiers == Qt.KeyboardModifier.NoModifier
        typing = isinstance(watched, (QLineEdit, QPlainTextEdit))
        if key in _ANSWER_KEYS and (alt or (plain and not typing)):
            answer = _ANSWER_KEYS[Qt.Key(key)]
            return lambda: self._choose_by_key(answer)
        if key == Qt.Key.Key_P and alt:
            return self.toggle_priority
        if key == Qt.Key.Key_PageDown and plain:
            return self.next_checkpoint
        if key == Qt.Key.Key_PageUp and plain:
            return self.previous_checkpoint
        if key == Qt.Key.Key_U and modifiers == Qt.KeyboardModifier.ControlModifier:
            return self.next_unanswered
        return None

    def _choose_by_key(self, answer: str) -> None:
        self.set_answer(answer)
        button = self._answer_buttons.get(answer)
        focus = self.focusWidget()
        if button is not None and not isinstance(focus, (QLineEdit, QPlainTextEdit)):
            button.setFocus(Qt.FocusReason.ShortcutFocusReason)


def _escape(text: str) -> str:
    from html import escape

    return escape(text).replace("\n", "<br>")
