"""Icons from resources/icons (Lucide SVGs), tinted to the palette.

The SVGs draw with ``stroke="currentColor"``, which QtSvg would paint black; we substitute the
colour before rendering so that icons match the calm palette (grey, and the accent colour when
selected). Results are cached: building an icon renders a few pixmaps.
"""

from __future__ import annotations

import atexit
from functools import cache

from PySide6.QtCore import QByteArray, QRectF, QSize, Qt
from PySide6.QtGui import QIcon, QPainter, QPixmap
from PySide6.QtSvg import QSvgRenderer

from hospital_osh.paths import resource
from hospital_osh.ui import style

_SIZES = (16, 20, 24, 32, 48)


@cache
def _svg_text(name: str) -> str:
    path = resource("icons", f"{name}.svg")
    return path.read_text(encoding="utf-8")


def _pixmap(name: str, size: int, color: str) -> QPixmap:
    data = _svg_text(name).replace("currentColor", color)
    renderer = QSvgRenderer(QByteArray(data.encode("utf-8")))
    pixmap = QPixmap(QSize(size, size))
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter, QRectF(0, 0, size, size))
    painter.end()
    return pixmap


@cache
def icon(name: str, color: str | None = None, selected_color: str | None = None) -> QIcon:
    """The icon ``name`` (file name without .svg); an empty icon if there is no such file."""
    if not name or not resource("icons", f"{name}.svg").is_file():
        return QIcon()
    normal = color or style.ICON
    selected = selected_color or style.ACCENT
    result = QIcon()
    for size in _SIZES:
        result.addPixmap(_pixmap(name, size, normal), QIcon.Mode.Normal)
        result.addPixmap(_pixmap(name, size, selected), QIcon.Mode.Selected)
        result.addPixmap(_pixmap(name, size, style.DISABLED_TEXT), QIcon.Mode.Disabled)
    return result


def clear_cache() -> None:
    """Free the cached icons while the QApplication still exists: pixmaps destroyed during
    interpreter shutdown, after the application object, crash the process on exit."""
    icon.cache_clear()


atexit.register(clear_cache)


def available() -> list[str]:
    return sorted(path.stem for path in resource("icons").glob("*.svg"))
