"""Checks every free-text field gets before it is stored.

Text pasted from spreadsheets, scanners or other systems may carry invisible control characters:
an embedded NUL is refused by PostgreSQL with a database error (and kept silently by SQLite), a
tab or line break in a name breaks lists and exports. A length check belongs here too: SQLite
does not enforce ``VARCHAR(n)``, PostgreSQL does, so a too-long value must be refused with a
message before it reaches either.
"""

from __future__ import annotations

import re

from hospital_osh.i18n import _

_CONTROL_ONE_LINE = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_CONTROL_MULTI_LINE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def has_control_characters(text: str, *, multiline: bool = False) -> bool:
    """True when ``text`` holds a control character (line breaks and tabs allowed if
    ``multiline``)."""
    pattern = _CONTROL_MULTI_LINE if multiline else _CONTROL_ONE_LINE
    return pattern.search(text) is not None


def text_problem(
    text: str, max_length: int | None = None, *, multiline: bool = False
) -> str | None:
    """Why ``text`` (as it will be stored, trimmed) cannot be stored, or None when it can."""
    if max_length is not None and len(text.strip()) > max_length:
        return _("At most {n} characters.").format(n=max_length)
    if has_control_characters(text.strip(), multiline=multiline):
        return _("Remove the invisible control characters (such as NUL) from this text.")
    return None
