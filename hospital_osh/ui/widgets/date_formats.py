"""Date entry fields in the format of the UI language, following a live language switch.

Tables show dates through Babel in the user's language; entry fields must read the same way, or a
Chinese user sees ``2026-03-15`` in a form and ``2026/3/15`` in the list. Qt's locale gives the
short format of each language (Chinese ``yyyy/M/d``, British English ``dd/MM/yyyy``). A two-digit
year is widened to four digits: ``3/4/05`` could be 1905 or 2005, and birth dates span both.

Every date or date-time edit in ``ui/`` goes through ``apply_locale_date_format(edit)``: it sets
the format from the widget's own locale now and again whenever that locale changes.
``ui/language.py`` gives every open window the new locale on a language switch; Qt passes it down
to the children, each of which receives ``QEvent.LocaleChange``, so no page has to remember its
date fields in ``retranslate()``.

The same hook makes typing with separators work. Qt moves to the next section by itself once a
section cannot take another digit (``2024`` of the year, ``7`` of a day), and then moves on again
when the user types the separator that they naturally type next: ``7/11/2023`` became
``07/03/2026``. The hook swallows a separator that directly follows such a jump, so a date can be
typed as it is written, with or without separators.
"""

from __future__ import annotations

import re

from PySide6.QtCore import QEvent, QLocale, QObject
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QDateEdit, QDateTimeEdit

_YEAR = re.compile(r"y+")
_HOOK_NAME = "localeDateFormatHook"


def date_format(locale: QLocale) -> str:
    """The locale's short date format with a four-digit year (Qt display-format syntax)."""
    return _YEAR.sub("yyyy", locale.dateFormat(QLocale.FormatType.ShortFormat))


def datetime_format(locale: QLocale) -> str:
    """The locale's short date (four-digit year) and short time, e.g. ``yyyy/M/d HH:mm``."""
    time = locale.timeFormat(QLocale.FormatType.ShortFormat)
    return f"{date_format(locale)} {time}"


def display_format(edit: QDateTimeEdit) -> str:
    """The format that ``edit`` should show in its current locale: a date edit shows a date,
    any other date-time edit the date and the time."""
    locale = edit.locale()
    return date_format(locale) if isinstance(edit, QDateEdit) else datetime_format(locale)


def apply_locale_date_format(edit: QDateTimeEdit) -> QDateTimeEdit:
    """Show ``edit`` in its locale's date format from now on, also after a language switch.

    Returns ``edit``, so a factory can end with ``return apply_locale_date_format(edit)``.
    Calling it twice on the same edit is harmless."""
    edit.setDisplayFormat(display_format(edit))
    if edit.findChild(_LocaleHook, _HOOK_NAME) is None:
        hook = _LocaleHook(edit)
        hook.setObjectName(_HOOK_NAME)
        edit.installEventFilter(hook)
    return edit


class _LocaleHook(QObject):
    """Re-sets its parent edit's display format when the edit's locale changes, and swallows a
    separator typed right after Qt moved to the next section by itself.

    A child of the edit, so it lives exactly as long as the edit does (no connection to a
    deleted widget can be left behind)."""

    def __init__(self, parent: QDateTimeEdit):
        super().__init__(parent)
        self._section_before_digit: QDateTimeEdit.Section | None = None

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if not isinstance(watched, QDateTimeEdit):
            return False
        kind = event.type()
        if kind == QEvent.Type.LocaleChange:
            format_now = display_format(watched)
            if watched.displayFormat() != format_now:
                watched.setDisplayFormat(format_now)
        elif kind == QEvent.Type.KeyPress and isinstance(event, QKeyEvent):
            return self._on_key(watched, event)
        elif kind in (QEvent.Type.FocusIn, QEvent.Type.MouseButtonPress):
            self._section_before_digit = None
        return False

    def _on_key(self, edit: QDateTimeEdit, event: QKeyEvent) -> bool:
        """True to swallow the key: a separator after a digit that completed its section."""
        text = event.text()
        if len(text) == 1 and text.isdigit():
            self._section_before_digit = edit.currentSection()
            return False
        jumped = (
            self._section_before_digit is not None
            and edit.currentSection() != self._section_before_digit
        )
        self._section_before_digit = None
        return jumped and len(text) == 1 and text in _separators(edit.displayFormat())


def _separators(display: str) -> set[str]:
    """The characters between the sections of a display format (``/``, ``-``, space, ``:``)."""
    return {char for char in display if not char.isalnum() and char != "'"}
