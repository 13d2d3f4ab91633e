"""The look: Fusion, a light palette with one accent colour, the bundled CJK font, spacing.

One place for colours and metrics so that pages and dialogs stay consistent. The bundled
WenQuanYi Micro Hei (resources/fonts) is the application font, so Chinese renders the same on a
machine without any CJK font installed.
"""

from __future__ import annotations

from functools import cache

from PySide6.QtGui import QColor, QFont, QFontDatabase, QPalette
from PySide6.QtWidgets import QApplication, QLayout

from hospital_osh.paths import resource

# -- colours ------------------------------------------------------------------------------------
WINDOW = "#f4f6f8"
BASE = "#ffffff"
ALTERNATE = "#f8fafb"
TEXT = "#1f2933"
MUTED = "#5f6b7a"
BORDER = "#d5dbe1"
SIDEBAR = "#eaeef2"
HOVER = "#dde3e9"
ACCENT = "#0f766e"  # teal: calm, readable on white, not an alarm colour
ACCENT_DARK = "#0b5a54"
ACCENT_SOFT = "#d5ece9"
ICON = "#4b5563"
DISABLED_TEXT = "#9aa4ae"
ERROR = "#b42318"
OK = "#067647"

# -- metrics ------------------------------------------------------------------------------------
MARGIN = 16
SPACING = 8
FONT_POINT_SIZE = 10
FONT_FILE = "wqy-microhei.ttc"
FALLBACK_FAMILY = "WenQuanYi Micro Hei"


@cache
def bundled_font_families() -> tuple[str, ...]:
    """Register the bundled CJK font once; return its family names (empty if it failed)."""
    path = resource("fonts", FONT_FILE)
    if not path.is_file():
        return ()
    font_id = QFontDatabase.addApplicationFont(str(path))
    if font_id < 0:
        return ()
    return tuple(QFontDatabase.applicationFontFamilies(font_id))


def application_font() -> QFont:
    families = bundled_font_families()
    font = QFont(families[0] if families else FALLBACK_FAMILY)
    font.setPointSize(FONT_POINT_SIZE)
    font.setStyleHint(QFont.StyleHint.SansSerif)
    return font


def palette() -> QPalette:
    p = QPalette()
    roles = {
        QPalette.ColorRole.Window: WINDOW,
        QPalette.ColorRole.WindowText: TEXT,
        QPalette.ColorRole.Base: BASE,
        QPalette.ColorRole.AlternateBase: ALTERNATE,
        QPalette.ColorRole.ToolTipBase: BASE,
        QPalette.ColorRole.ToolTipText: TEXT,
        QPalette.ColorRole.PlaceholderText: DISABLED_TEXT,
        QPalette.ColorRole.Text: TEXT,
        QPalette.ColorRole.Button: "#eef1f4",
        QPalette.ColorRole.ButtonText: TEXT,
        QPalette.ColorRole.BrightText: ERROR,
        QPalette.ColorRole.Light: BASE,
        QPalette.ColorRole.Midlight: "#e6eaee",
        QPalette.ColorRole.Mid: BORDER,
        QPalette.ColorRole.Dark: "#9aa4ae",
        QPalette.ColorRole.Shadow: "#6b7280",
        QPalette.ColorRole.Highlight: ACCENT,
        QPalette.ColorRole.HighlightedText: BASE,
        QPalette.ColorRole.Link: ACCENT,
        QPalette.ColorRole.LinkVisited: ACCENT_DARK,
    }
    for role, colour in roles.items():
        p.setColor(role, QColor(colour))
    for role in (
        QPalette.ColorRole.WindowText,
        QPalette.ColorRole.Text,
        QPalette.ColorRole.ButtonText,
    ):
        p.setColor(QPalette.ColorGroup.Disabled, role, QColor(DISABLED_TEXT))
    return p


STYLESHEET = f"""
QListWidget#sidebar {{
    background: {SIDEBAR};
    border: none;
    border-right: 1px solid {BORDER};
    padding: 8px 6px;
    outline: 0;
}}
QListWidget#sidebar::item {{
    padding: 7px 8px;
    margin: 1px 0;
    border-radius: 6px;
    color: {TEXT};
}}
QListWidget#sidebar::item:hover:!selected {{ background: {HOVER}; }}
QListWidget#sidebar::item:selected {{
    background: {ACCENT_SOFT};
    color: {ACCENT_DARK};
    font-weight: 600;
}}
QLabel#pageTitle {{ font-size: 15pt; font-weight: 600; color: {TEXT}; }}
QLabel#dialogTitle {{ font-size: 14pt; font-weight: 600; color: {TEXT}; }}
QLabel#sectionTitle {{ font-weight: 600; color: {TEXT}; }}
QLabel[role="hint"] {{ color: {MUTED}; }}
QLabel[role="error"] {{ color: {ERROR}; }}
QLabel[role="ok"] {{ color: {OK}; }}
QLabel[role="notice"] {{
    background: {ACCENT_SOFT};
    color: {ACCENT_DARK};
    border: 1px solid #b7ddd8;
    border-radius: 6px;
    padding: 8px 10px;
}}
QLineEdit[invalid="true"], QComboBox[invalid="true"], QDateEdit[invalid="true"],
QSpinBox[invalid="true"], QDoubleSpinBox[invalid="true"] {{
    border: 1px solid {ERROR};
    border-radius: 3px;
    padding: 2px 4px;
    background: {BASE};
}}
QPushButton[accent="true"] {{
    background: {ACCENT};
    color: {BASE};
    border: 1px solid {ACCENT_DARK};
    border-radius: 4px;
    padding: 5px 16px;
}}
QPushButton[accent="true"]:hover {{ background: {ACCENT_DARK}; }}
QPushButton[accent="true"]:disabled {{ background: {BORDER}; border-color: {BORDER}; }}
QHeaderView::section {{
    background: #eef1f4;
    color: {TEXT};
    border: none;
    border-right: 1px solid {BORDER};
    border-bottom: 1px solid {BORDER};
    padding: 4px 6px;
    font-weight: 600;
}}
QTableView, QTableWidget, QTreeView {{
    gridline-color: #e6eaee;
    selection-background-color: {ACCENT_SOFT};
    selection-color: {TEXT};
}}
QStatusBar {{ background: {SIDEBAR}; border-top: 1px solid {BORDER}; }}
QStatusBar QLabel {{ color: {MUTED}; padding: 0 6px; }}
QListWidget#wizardSteps {{
    background: {SIDEBAR};
    border: none;
    border-right: 1px solid {BORDER};
    padding: 12px 6px;
    outline: 0;
}}
QListWidget#wizardSteps::item {{ padding: 8px 10px; border-radius: 6px; color: {MUTED}; }}
QListWidget#wizardSteps::item:selected {{
    background: {ACCENT_SOFT}; color: {ACCENT_DARK}; font-weight: 600;
}}
QFrame#banner {{ background: {ACCENT}; }}
QFrame#banner QLabel {{ color: {BASE}; }}
"""


def apply_style(app: QApplication) -> None:
    """Fusion style, our palette, the bundled font and the small stylesheet."""
    app.setStyle("Fusion")
    app.setPalette(palette())
    app.setFont(application_font())
    app.setStyleSheet(STYLESHEET)


def set_margins(layout: QLayout, margin: int = MARGIN, spacing: int = SPACING) -> QLayout:
    layout.setContentsMargins(margin, margin, margin, margin)
    layout.setSpacing(spacing)
    return layout


def set_role(widget, role: str) -> None:  # type: ignore[no-untyped-def]
    """Set the ``role`` property the stylesheet keys on (error, ok, hint, notice) and repolish."""
    widget.setProperty("role", role)
    widget.style().unpolish(widget)
    widget.style().polish(widget)
