"""A report's own language: translations and formats for one document, whatever the UI shows.

The process-wide language (``hospital_osh.i18n``) tells the UI to re-translate itself when it
changes, and reports are built off the GUI thread, so a report never switches it: it asks this
module for a translator of its own.
"""

from __future__ import annotations

import datetime as dt
import gettext
from dataclasses import dataclass
from functools import cache

from hospital_osh.i18n import DOMAIN, normalise_language
from hospital_osh.paths import resource


@cache
def _translations(language: str) -> gettext.NullTranslations:
    if language == "en":
        return gettext.NullTranslations()
    return gettext.translation(
        DOMAIN, localedir=str(resource("locale")), languages=[language], fallback=True
    )


@dataclass(frozen=True)
class ReportLanguage:
    code: str

    @classmethod
    def of(cls, language: str) -> ReportLanguage:
        return cls(normalise_language(language))

    @property
    def chinese(self) -> bool:
        return self.code == "zh_CN"

    def _(self, message: str) -> str:
        return _translations(self.code).gettext(message)

    @property
    def babel_locale(self) -> str:
        return "zh_Hans_CN" if self.chinese else "en_GB"

    def date(self, value: dt.date | None) -> str:
        if value is None:
            return ""
        from babel.dates import format_date

        return format_date(value, format="medium", locale=self.babel_locale)

    def datetime(self, value: dt.datetime | None) -> str:
        if value is None:
            return ""
        from babel.dates import format_time

        time = format_time(value, format="HH:mm", locale=self.babel_locale)
        return f"{self.date(value.date())} {time}"

    def number(self, value: float | None, digits: int = 1) -> str:
        if value is None:
            return ""
        from babel.numbers import format_decimal

        pattern = "#,##0." + "#" * digits if digits else "#,##0"
        return format_decimal(value, format=pattern, locale=self.babel_locale)
