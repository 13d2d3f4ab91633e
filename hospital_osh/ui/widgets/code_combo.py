"""Combo boxes over code lists: translated labels shown, stable codes kept as item data."""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtCore import QSignalBlocker
from PySide6.QtWidgets import QComboBox

from hospital_osh.domain.codes import CodeList
from hospital_osh.i18n import _


def fill_combo(combo: QComboBox, items: Iterable[tuple[str, object]], *, keep: bool = True) -> None:
    """Replace the items by ``(text, data)`` pairs, keeping the current data where it survives.

    Signals are blocked: refilling (say, after a language change) is not a user's choice.
    """
    had_choice = keep and combo.currentIndex() >= 0
    current = combo.currentData()
    with QSignalBlocker(combo):
        combo.clear()
        for text, data in items:
            combo.addItem(text, data)
        if not (had_choice and select_data(combo, current)) and combo.count():
            combo.setCurrentIndex(0)


def fill_code_combo(combo: QComboBox, codes: CodeList, *, any_label: str | None = None) -> None:
    """Fill with a code list's translated labels; ``any_label`` adds a first 'no filter' item."""
    items: list[tuple[str, object]] = [] if any_label is None else [(any_label, None)]
    items += [(_(entry.label), entry.code) for entry in codes]
    fill_combo(combo, items)


def select_data(combo: QComboBox, value: object) -> bool:
    """Select the item whose data equals ``value`` (None included); False if there is none."""
    for index in range(combo.count()):
        if combo.itemData(index) == value:
            combo.setCurrentIndex(index)
            return True
    if combo.count() and combo.currentIndex() < 0:
        combo.setCurrentIndex(0)
    return False
