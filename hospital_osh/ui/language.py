"""Switching the UI language at run time: our gettext catalogue plus Qt's own translator.

Qt's ``qtbase_zh_CN`` makes standard buttons, context menus and file dialogs speak Chinese.
Widgets then re-set their texts in ``retranslate()``; dates and numbers in widgets already open
follow the new locale. Nothing needs a restart.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator
from PySide6.QtWidgets import QApplication

from hospital_osh import i18n

_qt_translator: QTranslator | None = None


def qt_locale(code: str) -> QLocale:
    if code == "zh_CN":
        return QLocale(QLocale.Language.Chinese, QLocale.Country.China)
    return QLocale(QLocale.Language.English, QLocale.Country.UnitedKingdom)


def apply_language(code: str) -> str:
    """Make ``code`` the process language (gettext, Qt translator, default QLocale).

    Returns the normalised code. Callers retranslate their own widgets afterwards."""
    global _qt_translator
    code = i18n.normalise_language(code)
    app = QCoreApplication.instance()
    if app is not None:
        if _qt_translator is not None:
            app.removeTranslator(_qt_translator)
            _qt_translator = None
        if code != "en":
            translator = QTranslator(app)
            folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
            if translator.load(f"qtbase_{code}", folder):
                app.installTranslator(translator)
                _qt_translator = translator
    locale = qt_locale(code)
    QLocale.setDefault(locale)
    if isinstance(app, QApplication):
        # Widgets took the default locale when they were made; QLocale.setDefault does not
        # reach them. Their children inherit from them: calendars, spin boxes and date edits
        # in windows already open follow the switch too.
        for window in app.topLevelWidgets():
            window.setLocale(locale)
    i18n.set_language(code)
    return code


def language_choices() -> list[tuple[str, str]]:
    """(code, own name) pairs for language pickers; names are never translated."""
    return [(code, i18n.language_name(code)) for code in i18n.LANGUAGES]
