"""One gettext catalogue for the UI, the reports and the command line.

The language is process-wide: the desktop application has one user at a time and the command line
one invocation. Source strings are English; ``zh_CN`` is the complete translation.
Babel is imported lazily for formatting so that the command line starts quickly.
"""

from __future__ import annotations

import datetime as dt
import gettext
import locale
import os
from collections.abc import Callable

from hospital_osh.paths import resource

DOMAIN = "hospital_osh"
LANGUAGES: tuple[str, ...] = ("zh_CN", "en")
_LANGUAGE_NAMES = {"zh_CN": "简体中文", "en": "English"}

_translations: gettext.NullTranslations = gettext.NullTranslations()
_language = "en"
_listeners: list[Callable[[str], None]] = []


def language_name(code: str) -> str:
    """The language's own name, shown in language pickers (never translated)."""
    return _LANGUAGE_NAMES[code]


def default_language() -> str:
    """Chinese where the system speaks Chinese (or the variable says so), English otherwise."""
    env = os.environ.get("HOSPITAL_OSH_LANG")
    if env:
        return normalise_language(env)
    system = (locale.getlocale()[0] or os.environ.get("LANG", "")).lower()
    return "zh_CN" if system.startswith("zh") else "en"


def normalise_language(code: str) -> str:
    """Accept ``zh``, ``zh-CN``, ``zh_CN.UTF-8``, ``en_US``...; raise ValueError for others."""
    value = code.strip().replace("-", "_").split(".")[0].lower()
    if value.startswith("zh"):
        return "zh_CN"
    if value.startswith("en"):
        return "en"
    raise ValueError(code)


def set_language(code: str) -> None:
    """Switch the process to ``code`` and tell listeners (the UI re-translates itself)."""
    global _translations, _language
    code = normalise_language(code)
    if code == "en":
        _translations = gettext.NullTranslations()
    else:
        _translations = gettext.translation(
            DOMAIN, localedir=str(resource("locale")), languages=[code], fallback=True
        )
    _language = code
    for listener in list(_listeners):
        listener(code)


def current_language() -> str:
    return _language


def add_language_listener(listener: Callable[[str], None]) -> None:
    _listeners.append(listener)


def remove_language_listener(listener: Callable[[str], None]) -> None:
    if listener in _listeners:
        _listeners.remove(listener)


def _(message: str) -> str:
    """Translate ``message`` into the current language."""
    return _translations.gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return _translations.ngettext(singular, plural, n)


def N_(message: str) -> str:
    """Mark ``message`` for extraction; it is translated later, where it is shown."""
    return message


def babel_locale() -> str:
    return "zh_Hans_CN" if _language == "zh_CN" else "en_GB"


def format_date(value: dt.date | None, fmt: str = "medium") -> str:
    if value is None:
        return ""
    from babel.dates import format_date as babel_format_date

    return babel_format_date(value, format=fmt, locale=babel_locale())


def format_datetime(value: dt.datetime | None, fmt: str = "medium") -> str:
    if value is None:
        return ""
    from babel.dates import format_datetime as babel_format_datetime

    return babel_format_datetime(value, format=fmt, locale=babel_locale())


def format_number(value: float | int | None, digits: int | None = None) -> str:
    if value is None:
        return ""
    from babel.numbers import format_decimal

    if digits is None:
        return format_decimal(value, locale=babel_locale())
    pattern = "#,##0." + "0" * digits if digits else "#,##0"
    return format_decimal(value, format=pattern, locale=babel_locale())
