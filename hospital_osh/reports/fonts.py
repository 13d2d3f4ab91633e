"""The embedded CJK font: WenQuanYi Micro Hei, shipped in resources/fonts with its licence.

ReportLab embeds (subsets) TrueType fonts, so Chinese prints on a machine with no CJK font
installed; it cannot embed CFF/OTF fonts such as Noto CJK, hence this TrueType collection. The face
has Latin glyphs too, so one font serves both languages. It has no bold face: the bold variant
maps to the same face, and documents show emphasis with size and colour.
"""

from __future__ import annotations

from functools import cache

from hospital_osh.paths import resource

FONT = "WenQuanYiMicroHei"
FONT_FILE = ("fonts", "wqy-microhei.ttc")


@cache
def register_fonts() -> str:
    """Register the font once per process and return its name for styles."""
    from reportlab.lib.fonts import addMapping
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    pdfmetrics.registerFont(TTFont(FONT, str(resource(*FONT_FILE)), subfontIndex=0))
    for bold in (0, 1):
        for italic in (0, 1):
            addMapping(FONT, bold, italic, FONT)
    return FONT
