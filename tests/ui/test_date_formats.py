"""Date entry fields follow the UI language's date format, switch with it live, and take typed
dates in that format (with or without separators)."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from PySide6.QtCore import QDate, QLocale, QObject, Qt
from PySide6.QtWidgets import (
    QApplication,
    QDateEdit,
    QDateTimeEdit,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

import hospital_osh.ui
from hospital_osh.ui.language import apply_language, qt_locale
from hospital_osh.ui.widgets.date_formats import (
    apply_locale_date_format,
    date_format,
    datetime_format,
)
from hospital_osh.ui.widgets.exposure_form import get_datetime, make_datetime_edit
from hospital_osh.ui.widgets.optional_date_edit import OptionalDateEdit


def _form(qtbot, make):  # type: ignore[no-untyped-def]
    """A window with a line edit before the field, so Tab enters the field as a user does."""
    window = QWidget()
    layout = QVBoxLayout(window)
    before = QLineEdit(window)
    layout.addWidget(before)
    field = make(window)
    layout.addWidget(field)
    qtbot.addWidget(window)
    with qtbot.waitActive(window):
        window.show()
        window.activateWindow()
    return window, before, field


def _enter(qtbot, before: QLineEdit, edit: QDateTimeEdit) -> None:  # type: ignore[no-untyped-def]
    """Tab into ``edit`` from ``before`` (past an optional date's check box, if focusable)."""
    before.setFocus()
    for _press in range(3):
        focus = QApplication.focusWidget()
        assert focus is not None
        qtbot.keyClick(focus, Qt.Key.Key_Tab)
        if edit.hasFocus():
            break
    assert edit.hasFocus()


def _type(qtbot, before: QLineEdit, edit: QDateTimeEdit, text: str) -> None:  # type: ignore[no-untyped-def]
    """Tab into ``edit``, type ``text`` and Tab out, as a user fills a form."""
    _enter(qtbot, before, edit)
    qtbot.keyClicks(edit, text)
    qtbot.keyClick(edit, Qt.Key.Key_Tab)


def test_formats_of_each_language_have_four_digit_years() -> None:
    assert date_format(qt_locale("zh_CN")) == "yyyy/M/d"
    assert date_format(qt_locale("en")) == "dd/MM/yyyy"
    assert datetime_format(qt_locale("zh_CN")) == "yyyy/M/d HH:mm"
    # A locale whose short format has a two-digit year gets four digits.
    american = QLocale(QLocale.Language.English, QLocale.Country.UnitedStates)
    assert american.dateFormat(QLocale.FormatType.ShortFormat) == "M/d/yy"
    assert date_format(american) == "M/d/yyyy"


def test_optional_date_follows_a_live_language_switch(qtbot) -> None:  # type: ignore[no-untyped-def]
    apply_language("zh_CN")
    _window, _before, field = _form(qtbot, lambda parent: OptionalDateEdit(None, parent))
    field.set_value(dt.date(2026, 3, 5))
    assert field.edit.displayFormat() == "yyyy/M/d"
    assert field.edit.text() == "2026/3/5"
    apply_language("en")  # sets the locale of every open window; no retranslate() call
    assert field.edit.text() == "05/03/2026"
    assert field.value() == dt.date(2026, 3, 5)
    apply_language("zh_CN")
    assert field.edit.text() == "2026/3/5"


def test_calling_the_helper_twice_installs_one_hook(qtbot) -> None:  # type: ignore[no-untyped-def]
    edit = QDateEdit()
    qtbot.addWidget(edit)
    apply_locale_date_format(edit)
    apply_locale_date_format(edit)
    assert len(edit.findChildren(QObject, "localeDateFormatHook")) == 1


@pytest.mark.parametrize(
    ("language", "typed", "expected"),
    [
        ("zh_CN", "2024/2/9", dt.date(2024, 2, 9)),
        ("zh_CN", "2024/12/25", dt.date(2024, 12, 25)),
        ("zh_CN", "2024/1/5", dt.date(2024, 1, 5)),
        ("zh_CN", "20241225", dt.date(2024, 12, 25)),
        ("en", "7/11/2023", dt.date(2023, 11, 7)),
        ("en", "07/11/2023", dt.date(2023, 11, 7)),
        ("en", "31/12/1999", dt.date(1999, 12, 31)),
        ("en", "01022023", dt.date(2023, 2, 1)),
    ],
)
def test_typing_a_date_in_the_language_format(qtbot, language, typed, expected) -> None:  # type: ignore[no-untyped-def]
    apply_language(language)
    _window, before, field = _form(qtbot, lambda parent: OptionalDateEdit(None, parent))
    field.set_value(dt.date(2026, 3, 15))
    _type(qtbot, before, field.edit, typed)
    assert field.value() == expected


@pytest.mark.parametrize(
    ("language", "typed", "expected"),
    [
        ("zh_CN", "2024/2/9 14:05", dt.datetime(2024, 2, 9, 14, 5)),
        ("en", "7/11/2023 09:30", dt.datetime(2023, 11, 7, 9, 30)),
    ],
)
def test_typing_a_date_and_time(qtbot, language, typed, expected) -> None:  # type: ignore[no-untyped-def]
    apply_language(language)
    _window, before, edit = _form(qtbot, make_datetime_edit)
    edit.setDate(QDate(2026, 3, 15))
    _type(qtbot, before, edit, typed)
    assert get_datetime(edit) == expected


def test_a_separator_that_does_not_follow_a_jump_still_moves_on(qtbot) -> None:  # type: ignore[no-untyped-def]
    """``1`` may begin ``12``: Qt waits, and the separator is what moves to the day."""
    apply_language("zh_CN")
    _window, before, field = _form(qtbot, lambda parent: OptionalDateEdit(None, parent))
    field.set_value(dt.date(2026, 3, 15))
    _enter(qtbot, before, field.edit)
    qtbot.keyClicks(field.edit, "2024")
    assert field.edit.currentSection() == QDateTimeEdit.Section.MonthSection
    qtbot.keyClicks(field.edit, "/1")
    assert field.edit.currentSection() == QDateTimeEdit.Section.MonthSection
    qtbot.keyClicks(field.edit, "/")
    assert field.edit.currentSection() == QDateTimeEdit.Section.DaySection
    qtbot.keyClicks(field.edit, "5")
    assert field.edit.text() == "2024/1/5"


def test_no_entry_field_keeps_a_fixed_iso_format() -> None:
    """Every date field in ``ui/`` goes through the helper: a fixed format would not follow
    the language."""
    offenders = []
    for path in Path(hospital_osh.ui.__file__).parent.rglob("*.py"):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            # a literal date format ("yyyy-MM-dd") or a constant holding one (DATETIME_FORMAT)
            fixed = re.search(r"setDisplayFormat\(.*(yy|FORMAT)", line)
            if fixed and path.name != "date_formats.py":
                offenders.append(f"{path.name}:{number}: {line.strip()}")
    assert offenders == []
