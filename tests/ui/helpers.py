"""Helpers shared by UI tests: walk a widget tree for the texts a user can see, find English
source strings that leaked untranslated, and tell a real screenshot from a blank one."""

from __future__ import annotations

from functools import cache

from babel.messages.pofile import read_po
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QImage, QTextDocument
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QComboBox,
    QGroupBox,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMenu,
    QTabWidget,
    QWidget,
)

from hospital_osh.paths import resource

DATA_COLUMN_HEADERS = {"English name", "Name (English)"}
"""Columns that show stored English data on purpose (e.g. a department's English name); their
cells are not checked. Headers are compared in source and translated form."""
MAX_ROWS = 50


def _lines(text: str) -> list[str]:
    """A label's text as plain lines (rich text is reduced to what is displayed)."""
    if "<" in text and ">" in text:
        document = QTextDocument()
        document.setHtml(text)
        text = document.toPlainText()
    return [line for line in text.splitlines() if line.strip()] if "\n" in text else [text]


def _menu_texts(menu: QMenu, where: str, out: list[tuple[str, str]]) -> None:
    out.append((f"{where}.title", menu.title()))
    for action in menu.actions():
        if action.isSeparator() or not action.isVisible():
            continue
        out.append((f"{where}>{action.text()}", action.text()))
        out.append((f"{where}>{action.text()}.toolTip", action.toolTip()))
        if action.menu() is not None:
            _menu_texts(action.menu(), f"{where}>{action.text()}", out)


def _view_texts(view: QAbstractItemView, where: str, out: list[tuple[str, str]]) -> None:
    model = view.model()
    if model is None:
        return
    skip: set[int] = set()
    data_headers = DATA_COLUMN_HEADERS | {_translate(h) for h in DATA_COLUMN_HEADERS}
    root = QModelIndex()
    try:
        columns = model.columnCount(root)
    except TypeError:  # list models (QListWidget's) hide columnCount: one column
        columns = 1
    for column in range(columns):
        header = model.headerData(column, Qt.Orientation.Horizontal)
        if header is not None:
            out.append((f"{where}.header[{column}]", str(header)))
            if str(header) in data_headers:
                skip.add(column)
    for row in range(min(model.rowCount(root), MAX_ROWS)):
        for column in range(columns):
            if column in skip:
                continue
            value = model.index(row, column, root).data()
            if isinstance(value, str):
                out.append((f"{where}[{row},{column}]", value))


def _translate(message: str) -> str:
    from hospital_osh.i18n import _

    return _(message)


def visible_texts(root: QWidget) -> list[tuple[str, str]]:
    """(where, text) for every text a user can see in ``root``: window titles, labels, buttons,
    placeholders, tooltips, group and tab titles, combo items, table headers and cells, menus."""
    out: list[tuple[str, str]] = []
    widgets = [root, *root.findChildren(QWidget)]
    for widget in widgets:
        if widget is not root and not widget.isVisibleTo(root):
            continue
        where = f"{type(widget).__name__}({widget.objectName()})"
        if widget.isWindow():
            out.append((f"{where}.windowTitle", widget.windowTitle()))
        out.append((f"{where}.toolTip", widget.toolTip()))
        if isinstance(widget, QLabel):
            out += [(f"{where}.text", line) for line in _lines(widget.text())]
        elif isinstance(widget, QAbstractButton):
            out.append((f"{where}.text", widget.text()))
        elif isinstance(widget, QLineEdit):
            out.append((f"{where}.placeholder", widget.placeholderText()))
        elif isinstance(widget, QGroupBox):
            out.append((f"{where}.title", widget.title()))
        elif isinstance(widget, QComboBox):
            for index in range(widget.count()):
                out.append((f"{where}.item[{index}]", widget.itemText(index)))
        elif isinstance(widget, QTabWidget):
            for index in range(widget.count()):
                out.append((f"{where}.tab[{index}]", widget.tabText(index)))
        elif isinstance(widget, QAbstractItemView) and not isinstance(widget, QHeaderView):
            _view_texts(widget, where, out)  # headers: read from the view's model
    if isinstance(root, QMainWindow):
        for action in root.menuBar().actions():
            if action.menu() is not None:
                _menu_texts(action.menu(), "menu", out)
    return [(where, text) for where, text in out if text and text.strip()]


@cache
def translated_msgids(language: str = "zh_CN") -> frozenset[str]:
    """English source strings whose translation differs from them: seeing one of these in a
    Chinese UI means a string was not translated (or not retranslated)."""
    path = resource("locale", language, "LC_MESSAGES", "hospital_osh.po")
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=language)
    result = set()
    for message in catalog:
        if not message.id or not isinstance(message.id, str):
            continue
        if message.string and message.string != message.id and "fuzzy" not in message.flags:
            result.add(message.id)
    return frozenset(result)


def own_language_names() -> frozenset[str]:
    """Each language's name in that language ("English", "简体中文"): language pickers show
    these untranslated on purpose, even where the same word is also a msgid ("English" for the
    language of a PDF)."""
    from hospital_osh import i18n

    return frozenset(i18n.language_name(code) for code in i18n.LANGUAGES)


def untranslated(root: QWidget, language: str = "zh_CN") -> list[str]:
    """Visible texts in ``root`` that are English source strings left untranslated."""
    sources = translated_msgids(language) - own_language_names()
    return sorted({f"{where}: {text!r}" for where, text in visible_texts(root) if text in sources})


def is_blank(image: QImage) -> bool:
    """True when every sampled pixel has the same colour (nothing was drawn)."""
    if image.isNull():
        return True
    colours = set()
    step_x = max(1, image.width() // 64)
    step_y = max(1, image.height() // 64)
    for y in range(0, image.height(), step_y):
        for x in range(0, image.width(), step_x):
            colours.add(image.pixel(x, y))
            if len(colours) > 1:
                return False
    return True


def clipped_texts(root: QWidget) -> list[str]:
    """Visible one-line labels and buttons in ``root`` too narrow for their text."""
    found: list[str] = []
    for widget in [root, *root.findChildren(QWidget)]:
        if not widget.isVisible():
            continue
        if isinstance(widget, QLabel) and not widget.wordWrap() and widget.text():
            text = widget.text()
            if "<" in text or "\n" in text or not widget.pixmap().isNull():
                continue
            needed = widget.fontMetrics().horizontalAdvance(text.replace("&", ""))
            if needed > widget.contentsRect().width() + 1:
                found.append(f"label {text!r}: needs {needed}, has {widget.width()}")
        elif (
            isinstance(widget, QAbstractButton)
            and widget.text()
            and widget.width() < widget.sizeHint().width() - 1
        ):
            found.append(
                f"{type(widget).__name__} {widget.text()!r}: needs "
                f"{widget.sizeHint().width()}, has {widget.width()}"
            )
    return found
