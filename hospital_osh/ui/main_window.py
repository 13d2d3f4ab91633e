"""The main window: a sidebar of pages from the registry, menus, status bar, idle lock.

Pages come from ``ui.pages.PAGE_CLASSES`` filtered by ``visible_for(actor)`` and sorted by
``order``; each page's module is imported and the page created the first time it is shown, and
the sidebar counts are read off the GUI thread, so the window shows without waiting for them.
Every page has a shortcut: Ctrl+1 to Ctrl+9, then Ctrl+0, Ctrl+- and Ctrl+= (the digit row).
The window remembers its geometry and last page in the QSettings it is given (tests give a
temporary one). The language switches without a restart: gettext + Qt's translator, then
``retranslate()`` on the window and every created page.
"""

from __future__ import annotations

import html
import re
import weakref

from PySide6.QtCore import QEvent, QObject, QSettings, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QActionGroup, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMenu,
    QMessageBox,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from hospital_osh import __version__, i18n
from hospital_osh.domain.roles import ROLES
from hospital_osh.i18n import _
from hospital_osh.services import settings as settings_service
from hospital_osh.services import users
from hospital_osh.services.errors import UserError
from hospital_osh.ui import icons, style
from hospital_osh.ui.context import AppContext
from hospital_osh.ui.dialogs.login_dialog import LoginDialog
from hospital_osh.ui.language import apply_language, language_choices
from hospital_osh.ui.pages import PageSpec, page_specs_for
from hospital_osh.ui.pages.base import Page
from hospital_osh.ui.tasks import TaskState

GEOMETRY_KEY = "main_window/geometry"
LAST_PAGE_KEY = "main_window/last_page"
DEFAULT_SIZE = (1280, 800)
BADGE_REFRESH_MS = 5 * 60_000
KEY_ROLE = Qt.ItemDataRole.UserRole
PAGE_SHORTCUT_KEYS = ("1", "2", "3", "4", "5", "6", "7", "8", "9", "0", "-", "=")
"""Ctrl+ these keys show the pages in sidebar order: the digit row, left to right."""
_MNEMONIC = re.compile(r"\(&\w\)")
"""A mnemonic in parentheses, as Chinese menu texts carry it: "退出(&Q)"."""

PAGE_SIGNALS = {
    # Settings: the language was applied and saved for the user; the window retranslates.
    "language_changed": "_on_page_changed_language",
    # Settings: a backup was restored over the database (path); the shell reopens it.
    "database_replaced": "database_replaced",
    # Settings: the hospital-wide settings were saved; the window reads the idle time again.
    "settings_changed": "reload_settings",
    # Follow-ups: the count in the sidebar may have changed.
    "badge_changed": "refresh_badges",
    # Dashboard: show page ``key`` and hand it to ``then``.
    "navigate_requested": "navigate",
}
"""Signals a page may declare (by these names) and the window slot each is connected to."""

_INPUT_EVENTS = frozenset(
    {
        QEvent.Type.KeyPress,
        QEvent.Type.MouseButtonPress,
        QEvent.Type.MouseMove,
        QEvent.Type.Wheel,
        QEvent.Type.TouchBegin,
    }
)


class IdleWatcher(QObject):
    """Restarts a single-shot timer on every user input anywhere in the application."""

    # -- signals ------------------------------------------------------------------------------
    idle = Signal()
    """Emitted when no input arrived for the interval."""

    def __init__(self, minutes: int, parent: QObject | None = None):
        super().__init__(parent)
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.timeout.connect(self.idle)
        self.minutes = minutes
        self.set_interval_ms(minutes * 60_000)
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self)

    # -- public API ---------------------------------------------------------------------------

    def set_interval_ms(self, msecs: int) -> None:
        """0 switches the lock off."""
        self.timer.setInterval(msecs)
        self.restart()

    def restart(self) -> None:
        if self.timer.interval() > 0:
            self.timer.start()
        else:
            self.timer.stop()

    def stop(self) -> None:
        self.timer.stop()

    def remove(self) -> None:
        self.timer.stop()
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)

    # -- Qt overrides -------------------------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in _INPUT_EVENTS and self.timer.isActive():
            self.timer.start()
        return False


class MainWindow(QMainWindow):
    """The application window for one logged-in user."""

    # -- signals ------------------------------------------------------------------------------
    closed = Signal(bool)
    """Emitted once the window has closed; True when the user logged out (show the login)."""
    page_changed = Signal(str)
    """Emitted with the key of the page now shown."""
    language_switched = Signal(str)
    """Emitted with the new language code after the window retranslated itself."""
    locked = Signal()
    """Emitted when the window locks (idle time or Lock now)."""
    unlocked = Signal()
    """Emitted when the user entered the password again."""
    database_replaced = Signal(object)
    """Emitted with the database path after a page (Settings) restored a backup over it: the
    shell closes this window (``close_without_asking``) and opens the database again."""

    def __init__(
        self,
        context: AppContext,
        settings: QSettings,
        *,
        hospital_name: str = "",
        page_classes: list[PageSpec | type[Page]] | None = None,
        idle_minutes: int | None = None,
        parent: QWidget | None = None,
    ):
        super().__init__(parent)
        self.context = context
        self.settings = settings
        self.hospital_name = hospital_name
        self.page_specs = page_specs_for(context.actor, page_classes)
        self.pages: dict[str, Page] = {}
        self.lock_dialog: LoginDialog | None = None
        self._hidden_dialogs: list[QDialog] = []
        self._logging_out = False
        self._forced = False
        self._is_locked = False
        self._closed = False

        self._build_body()
        self._build_menus()
        self._build_status_bar()
        self._idle_from_setting = idle_minutes is None
        if idle_minutes is None:
            idle_minutes = self._idle_minutes_setting()
        self.idle_watcher = IdleWatcher(idle_minutes, self)
        self.idle_watcher.idle.connect(self.lock)
        # Sidebar counts (``Page.badge``, e.g. overdue follow-ups), re-read now and then since
        # the date moves on and other workstations write too.
        self._badges: dict[str, int] = {}
        self._badge_generation = 0
        self.badge_timer = QTimer(self)
        self.badge_timer.setInterval(BADGE_REFRESH_MS)
        self.badge_timer.timeout.connect(self.refresh_badges)
        self.badge_timer.start()

        self.retranslate()
        self._restore_state()

    # -- public API ---------------------------------------------------------------------------

    @property
    def is_locked(self) -> bool:
        return self._is_locked

    def page_keys(self) -> list[str]:
        """Keys of the pages in the sidebar, in order."""
        return [spec.key for spec in self.page_specs]

    def current_page(self) -> Page | None:
        widget = self.stack.currentWidget()
        return widget if isinstance(widget, Page) else None

    def current_key(self) -> str | None:
        page = self.current_page()
        return page.key if page is not None else None

    def show_page(self, key: str) -> Page:
        """Show (importing and creating on first use) the page ``key``."""
        for row, spec in enumerate(self.page_specs):
            if spec.key == key:
                if self.sidebar.currentRow() != row:
                    self.sidebar.setCurrentRow(row)  # calls back into _on_sidebar_row
                else:
                    self._activate(row)
                return self.pages[key]
        raise KeyError(key)

    def navigate(self, key: str, then: object = None) -> Page | None:
        """Show page ``key`` and call ``then(page)`` (to apply a filter, open a record); None,
        doing nothing, when the user's role has no such page."""
        if key not in self.page_keys():
            return None
        page = self.show_page(key)
        if callable(then):
            then(page)
        return page

    def refresh_badges(self) -> None:
        """Read the sidebar counts again (``Page.badge``) off the GUI thread and show each
        beside its title when they arrive; a newer refresh supersedes an older one. The job
        imports the pages that have a count if they are not yet (their classes hold the
        query), so the window never waits for them."""
        wanted = [spec for spec in self.page_specs if spec.has_badge]
        if not wanted or self._closed:
            return
        self._badge_generation += 1
        generation, context = self._badge_generation, self.context

        def job(state: TaskState) -> dict[str, int]:
            counts: dict[str, int] = {}
            for spec in wanted:
                try:
                    count = spec.badge(context)
                except UserError:
                    count = None
                if count:
                    counts[spec.key] = count
            return counts

        window = weakref.ref(self)  # the runner may outlive the window: hold it weakly

        def show(counts: dict[str, int]) -> None:
            alive = window()
            if alive is not None:
                alive._show_badges(generation, counts)

        self.context.runner.run(job, on_done=show)

    def badge_count(self, key: str) -> int:
        """The count shown beside page ``key`` in the sidebar (0 when none)."""
        return self._badges.get(key, 0)

    def switch_language(self, code: str, *, persist: bool = True) -> None:
        """Switch the whole UI to ``code`` now, and remember it as the user's language."""
        code = apply_language(code)
        self.retranslate()
        if persist:
            database, actor = self.context.database, self.context.actor

            def job(state: TaskState) -> None:
                with database.transaction() as session:
                    users.update_user(session, actor, actor.username, language=code)

            self.context.runner.run(job, on_error=self._report_error, write=True)
        self.language_switched.emit(code)

    def retranslate(self) -> None:
        app_name = _("Hospital OSH")
        if self.hospital_name:
            self.setWindowTitle(
                _("{hospital} — {app}").format(hospital=self.hospital_name, app=app_name)
            )
        else:
            self.setWindowTitle(app_name)
        for row, spec in enumerate(self.page_specs):
            item = self.sidebar.item(row)
            item.setText(self._sidebar_text(spec))
            action = self.page_actions[spec.key]
            action.setText(_(spec.title))
            if action.shortcut().isEmpty():
                item.setToolTip(_(spec.title))
            else:
                item.setToolTip(
                    _("{title} ({shortcut})").format(
                        title=_(spec.title),
                        shortcut=action.shortcut().toString(QKeySequence.SequenceFormat.NativeText),
                    )
                )
        self.empty_label.setText(_("Your role has no pages to show. Ask an administrator."))
        self.file_menu.setTitle(_("&File"))
        self.edit_menu.setTitle(_("&Edit"))
        self.view_menu.setTitle(_("&View"))
        self.language_menu.setTitle(_("&Language"))
        self.help_menu.setTitle(_("&Help"))
        self.logout_action.setText(_("Log out / switch user…"))
        self.lock_action.setText(_("Lock now"))
        self.quit_action.setText(_("&Quit"))
        self.new_action.setText(_("&New"))
        self.find_action.setText(_("&Find"))
        self.about_action.setText(_("&About Hospital OSH"))
        self.shortcuts_action.setText(_("&Keyboard shortcuts"))
        self.refresh_action.setText(_("&Refresh"))
        self.actions_menu.setTitle(_("&Actions"))
        actor = self.context.actor
        self.user_label.setText(_("User: {name}").format(name=actor.display_name or actor.username))
        self.role_label.setText(_("Role: {role}").format(role=_(ROLES.label(actor.role))))
        name = self.context.database.display_name()
        metrics = self.database_label.fontMetrics()
        short = metrics.elidedText(name, Qt.TextElideMode.ElideMiddle, 380)
        self.database_label.setText(_("Database: {name}").format(name=short))
        self.database_label.setToolTip(name)
        self.language_label.setText(
            _("Language: {language}").format(language=i18n.language_name(i18n.current_language()))
        )
        for action in self.language_group.actions():
            action.setChecked(action.data() == i18n.current_language())
        self._update_page_title()
        for page in self.pages.values():
            page.retranslate()
        self._fill_actions_menu()
        if self.lock_dialog is not None:
            self.lock_dialog.retranslate()

    def log_out(self) -> None:
        """Close the window (asking about unsaved changes) and go back to the login."""
        if not self._confirm_discard():
            return
        self._logging_out = True
        self.close()

    def reload_settings(self) -> None:
        """Apply a changed idle time at once (unless the window was given a fixed one)."""
        if self._idle_from_setting:
            minutes = self._idle_minutes_setting()
            self.idle_watcher.minutes = minutes
            self.idle_watcher.set_interval_ms(minutes * 60_000)

    def close_without_asking(self) -> None:
        """Close at once, without the unsaved-changes question (the database under the window
        was replaced, so what the pages hold no longer applies). ``closed`` is emitted."""
        self._forced = True
        self.close()

    def lock(self) -> None:
        """Hide the content and ask for the password again (idle timeout or Lock now).

        Dialogs open over the window (a half-typed worker, a question) are hidden, not
        closed, and come back as they were after the unlock: nothing typed is lost."""
        if self._is_locked or self._closed:
            return
        self._is_locked = True
        self.idle_watcher.stop()
        self._hidden_dialogs = [
            dialog
            for dialog in self.findChildren(QDialog)
            if dialog.isVisible() and dialog is not self.lock_dialog
        ]
        for dialog in self._hidden_dialogs:
            dialog.hide()
        self.body_stack.setCurrentWidget(self.lock_cover)
        self.menuBar().setEnabled(False)
        dialog = LoginDialog(
            self.context.database,
            self.context.runner,
            hospital_name=self.hospital_name,
            locked_user=self.context.actor,
            idle_minutes=self.idle_watcher.minutes,
            parent=self,
        )
        dialog.accepted.connect(self._unlock)
        dialog.rejected.connect(self._log_out_from_lock)
        self.lock_dialog = dialog
        self.locked.emit()
        dialog.open()

    def about_box(self) -> QMessageBox:
        """The About box (not shown; ``show_about`` opens it, the tour grabs it)."""
        box = QMessageBox(self)
        box.setIcon(QMessageBox.Icon.Information)
        box.setWindowTitle(_("About Hospital OSH"))
        box.setTextFormat(Qt.TextFormat.RichText)
        box.setText(
            "<h3>{title}</h3><p>{version}</p>".format(
                title=_("Hospital occupational safety and health"),
                version=_("Version {version}").format(version=__version__),
            )
        )
        box.setInformativeText(
            "<p>{what}</p><p>{credits}</p>".format(
                what=_(
                    "Records exposures and follow-up, hazards and HealthWISE action plans for "
                    "a hospital's occupational safety and health office."
                ),
                credits=_(
                    "Icons: Lucide (ISC licence). Font: WenQuanYi Micro Hei (Apache 2.0 or GPL v3)."
                ),
            )
        )
        box.setStandardButtons(QMessageBox.StandardButton.Ok)
        # QMessageBox sizes itself from its text; give the paragraphs room to breathe.
        box.setStyleSheet(
            "QLabel#qt_msgbox_label, QLabel#qt_msgbox_informativelabel { min-width: 380px; }"
        )
        return box

    def shortcut_list(self) -> list[tuple[str, str]]:
        """(shortcut, command) for every menu command that has one, as shown in the menus."""
        self._sync_page_actions()
        rows: list[tuple[str, str]] = []
        for menu in self.menuBar().findChildren(QMenu):
            for action in menu.actions():
                if action.shortcut().isEmpty() or not action.isVisible():
                    continue
                key = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
                rows.append((key, _MNEMONIC.sub("", action.text()).replace("&", "").rstrip("…")))
        return rows

    def shortcuts_box(self) -> QMessageBox:
        """The list of keyboard shortcuts (not shown; ``show_shortcuts`` opens it)."""
        box = QMessageBox(self)
        box.setWindowTitle(_("Keyboard shortcuts"))
        box.setTextFormat(Qt.TextFormat.RichText)
        rows = "".join(
            f"<tr><td style='padding-right:18px'><b>{html.escape(key)}</b></td>"
            f"<td>{html.escape(text)}</td></tr>"
            for key, text in self.shortcut_list()
        )
        general = _(
            "In every form: Tab moves to the next field, Enter saves, Esc cancels (asking "
            "first if something was typed)."
        )
        box.setText(f"<table>{rows}</table><p>{html.escape(general)}</p>")
        box.setStandardButtons(QMessageBox.StandardButton.Ok)
        return box

    def show_shortcuts(self) -> None:
        box = self.shortcuts_box()
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()

    def show_about(self) -> None:
        box = self.about_box()
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()

    # -- Qt overrides -------------------------------------------------------------------------

    def closeEvent(self, event: QCloseEvent) -> None:
        if not (self._logging_out or self._forced) and not self._confirm_discard():
            event.ignore()
            return
        self._save_state()
        self.idle_watcher.remove()
        if self.lock_dialog is not None:
            self.lock_dialog.blockSignals(True)
            self.lock_dialog.close()
        self._closed = True
        event.accept()
        super().closeEvent(event)
        self.closed.emit(self._logging_out)

    # -- private: building --------------------------------------------------------------------

    def _build_body(self) -> None:
        self.sidebar = QListWidget()
        self.sidebar.setObjectName("sidebar")
        self.sidebar.setFixedWidth(210)
        self.sidebar.setIconSize(QSize(20, 20))
        self.sidebar.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        for spec in self.page_specs:
            item = QListWidgetItem(icons.icon(spec.icon), "")
            item.setData(KEY_ROLE, spec.key)
            self.sidebar.addItem(item)
        self.sidebar.currentRowChanged.connect(self._on_sidebar_row)

        self.page_title = QLabel()
        self.page_title.setObjectName("pageTitle")
        self.stack = QStackedWidget()
        self.empty_label = QLabel()
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        style.set_role(self.empty_label, "hint")
        self.stack.addWidget(self.empty_label)

        content = QWidget()
        content_layout = QVBoxLayout(content)
        style.set_margins(content_layout, style.MARGIN, style.SPACING)
        content_layout.addWidget(self.page_title)
        content_layout.addWidget(self.stack, 1)

        main = QWidget()
        main_layout = QHBoxLayout(main)
        main_layout.setContentsMargins(0, 0, 0, 0)
        main_layout.setSpacing(0)
        main_layout.addWidget(self.sidebar)
        main_layout.addWidget(content, 1)

        self.lock_cover = QWidget()
        self.body_stack = QStackedWidget()
        self.body_stack.addWidget(main)
        self.body_stack.addWidget(self.lock_cover)
        self.setCentralWidget(self.body_stack)

    def _build_menus(self) -> None:
        bar = self.menuBar()
        self.file_menu = bar.addMenu("")
        self.edit_menu = bar.addMenu("")
        self.actions_menu = bar.addMenu("")
        self.actions_menu.aboutToShow.connect(self._sync_page_actions)
        self.view_menu = bar.addMenu("")
        self.language_menu = bar.addMenu("")
        self.help_menu = bar.addMenu("")

        self.logout_action = self._action(
            self.file_menu, "log-out", QKeySequence("Ctrl+Shift+L"), self.log_out
        )
        self.lock_action = self._action(self.file_menu, "lock", QKeySequence("Ctrl+L"), self.lock)
        self.file_menu.addSeparator()
        self.quit_action = self._action(
            self.file_menu, "", QKeySequence(QKeySequence.StandardKey.Quit), self.close
        )
        if self.quit_action.shortcut().isEmpty():
            self.quit_action.setShortcut(QKeySequence("Ctrl+Q"))

        self.new_action = self._action(
            self.edit_menu,
            "plus",
            QKeySequence(QKeySequence.StandardKey.New),
            lambda: self._on_page("new_item"),
        )
        self.find_action = self._action(
            self.edit_menu,
            "search",
            QKeySequence(QKeySequence.StandardKey.Find),
            lambda: self._on_page("focus_search"),
        )

        self.refresh_action = self._action(
            self.view_menu,
            "refresh-cw",
            QKeySequence(QKeySequence.StandardKey.Refresh),
            lambda: self._on_page("activated"),
        )
        if self.refresh_action.shortcut().isEmpty():
            self.refresh_action.setShortcut(QKeySequence("F5"))
        self.view_menu.addSeparator()
        self.page_actions: dict[str, QAction] = {}
        for index, spec in enumerate(self.page_specs):
            shortcut = (
                QKeySequence(f"Ctrl+{PAGE_SHORTCUT_KEYS[index]}")
                if index < len(PAGE_SHORTCUT_KEYS)
                else QKeySequence()
            )
            action = self._action(
                self.view_menu, spec.icon, shortcut, lambda _=False, k=spec.key: self.show_page(k)
            )
            self.page_actions[spec.key] = action

        self.language_group = QActionGroup(self)
        self.language_group.setExclusive(True)
        for code, name in language_choices():
            action = QAction(name, self)  # a language's own name is never translated
            action.setCheckable(True)
            action.setData(code)
            action.triggered.connect(lambda _=False, c=code: self._on_language_action(c))
            self.language_group.addAction(action)
            self.language_menu.addAction(action)

        self.shortcuts_action = self._action(
            self.help_menu, "keyboard", QKeySequence("F1"), self.show_shortcuts
        )
        self.about_action = self._action(self.help_menu, "info", QKeySequence(), self.show_about)

    def _action(self, menu: QMenu, icon: str, shortcut: QKeySequence, slot) -> QAction:  # type: ignore[no-untyped-def]
        action = QAction(icons.icon(icon), "", self)
        if not shortcut.isEmpty():
            action.setShortcut(shortcut)
        action.triggered.connect(slot)
        menu.addAction(action)
        return action

    def _build_status_bar(self) -> None:
        bar = self.statusBar()
        bar.setSizeGripEnabled(True)
        self.user_label = QLabel()
        self.role_label = QLabel()
        self.database_label = QLabel()
        self.language_label = QLabel()
        for label in (self.user_label, self.role_label, self.database_label, self.language_label):
            bar.addPermanentWidget(label)

    # -- private: behaviour ---------------------------------------------------------------------

    def _idle_minutes_setting(self) -> int:
        try:
            with self.context.database.session() as session:
                return int(settings_service.get_setting(session, "session_timeout_minutes"))
        except (UserError, ValueError):
            return 0

    def _on_sidebar_row(self, row: int) -> None:
        if row >= 0:
            self._activate(row)

    def _activate(self, row: int) -> None:
        spec = self.page_specs[row]
        page = self.pages.get(spec.key)
        if page is None:
            page = spec.load()(self.context)
            self.pages[spec.key] = page
            self.stack.addWidget(page)
            for signal_name, slot_name in PAGE_SIGNALS.items():
                signal = getattr(page, signal_name, None)
                if signal is not None:
                    signal.connect(getattr(self, slot_name))
        self.stack.setCurrentWidget(page)
        self._update_page_title()
        self._fill_actions_menu()
        page.activated()
        self.refresh_badges()
        self.page_changed.emit(spec.key)

    def _show_badges(self, generation: int, counts: dict[str, int]) -> None:
        if generation != self._badge_generation or self._closed or not isValid(self):
            return  # a newer refresh is on its way, or the window is gone
        self._badges = dict(counts)
        for row, spec in enumerate(self.page_specs):
            self.sidebar.item(row).setText(self._sidebar_text(spec))

    def _sidebar_text(self, spec: PageSpec) -> str:
        count = self._badges.get(spec.key)
        if count:
            return _("{title} ({count})").format(title=_(spec.title), count=count)
        return _(spec.title)

    def _update_page_title(self) -> None:
        page = self.current_page()
        self.page_title.setText(_(page.title) if page is not None else "")
        self.page_title.setVisible(page is not None)

    def _fill_actions_menu(self) -> None:
        """The Actions menu holds the current page's commands (hidden when it has none)."""
        self.actions_menu.clear()
        page = self.current_page()
        actions = page.menu_actions() if page is not None else []
        for action in actions:
            self.actions_menu.addAction(action)
        self.actions_menu.menuAction().setVisible(bool(actions))
        self._sync_page_actions()

    def _sync_page_actions(self) -> None:
        page = self.current_page()
        if page is not None:
            page.sync_menu_actions()

    def _on_page(self, method: str) -> None:
        """Forward an Edit menu action to the current page (its override, if any)."""
        page = self.current_page()
        if page is not None:
            getattr(page, method)()

    def _on_language_action(self, code: str) -> None:
        if code != i18n.current_language():
            self.switch_language(code)

    def _on_page_changed_language(self, code: str) -> None:
        self.retranslate()
        self.language_switched.emit(code)

    def _confirm_discard(self) -> bool:
        if any(page.has_unsaved_changes() for page in self.pages.values()):
            return self.context.ask.discard_changes(self)
        return True

    def _unlock(self) -> None:
        self._is_locked = False
        self.lock_dialog = None
        self.body_stack.setCurrentIndex(0)
        self.menuBar().setEnabled(True)
        hidden, self._hidden_dialogs = self._hidden_dialogs, []
        for dialog in hidden:
            dialog.show()
        self.idle_watcher.restart()
        self.unlocked.emit()

    def _log_out_from_lock(self) -> None:
        """Cancel in the lock dialog logs out: the person at the screen may not be the user,
        so the hidden dialogs are closed unseen and their input is dropped."""
        self.lock_dialog = None
        for dialog in self._hidden_dialogs:
            if hasattr(dialog, "mark_clean"):
                dialog.mark_clean()
            dialog.done(QDialog.DialogCode.Rejected)
        self._hidden_dialogs = []
        self._logging_out = True
        self.close()

    def _report_error(self, error: BaseException) -> None:
        self.context.ask.error(self, _("Hospital OSH"), str(error))

    def _save_state(self) -> None:
        self.settings.setValue(GEOMETRY_KEY, self.saveGeometry())
        key = self.current_key()
        if key:
            self.settings.setValue(LAST_PAGE_KEY, key)
        self.settings.sync()

    def _restore_state(self) -> None:
        geometry = self.settings.value(GEOMETRY_KEY)
        if geometry is None or not self.restoreGeometry(geometry):
            self.resize(*DEFAULT_SIZE)
        if not self.page_specs:
            self.stack.setCurrentWidget(self.empty_label)
            self._update_page_title()
            return
        last = self.settings.value(LAST_PAGE_KEY)
        keys = self.page_keys()
        self.show_page(str(last) if last in keys else keys[0])
