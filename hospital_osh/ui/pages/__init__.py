"""The page registry: the main window builds its sidebar, View menu and the tour from this list.

Each entry is a ``PageSpec``: what the sidebar needs before the page exists (key, title, icon,
order, who sees it, whether it shows a count) and where its class lives. A page's module is
imported only when the page is first shown (or its sidebar count is first read), so that the
start of the application does not pay for eleven pages and their dialogs. To add a page,
append its ``PageSpec`` to ``PAGE_CLASSES`` with the same values as its class attributes
(``tests/ui/test_lazy_pages.py`` compares them); listing the class itself also works, but then
it is imported at start. The order in the sidebar comes from ``order``, not from this list.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from hospital_osh.domain.codes import N_
from hospital_osh.domain.roles import Permission
from hospital_osh.services.context import Actor
from hospital_osh.ui import sidebar_counts

if TYPE_CHECKING:
    from hospital_osh.ui.context import AppContext
    from hospital_osh.ui.pages.base import Page

_PACKAGE = "hospital_osh.ui.pages"


@dataclass(frozen=True)
class PageSpec:
    """A page known by name until it is needed."""

    key: str
    title: str
    """English source title (N_), translated where shown."""
    icon: str
    order: int
    target: str | type[Page]
    """``"module:Class"`` (imported on first use), or the class itself."""
    permissions: tuple[Permission, ...] = ()
    """The page is visible to a user holding any of these; empty: to everyone."""
    counter: Callable[[AppContext], int | None] | None = None
    """The count beside the title in the sidebar (the class's ``badge``; for a page known by
    name, a function of ``ui/sidebar_counts.py``, so that counting imports no page); None: no
    count."""

    @property
    def has_badge(self) -> bool:
        return self.counter is not None

    @classmethod
    def of(cls, page_class: type[Page]) -> PageSpec:
        """The spec of a class already imported (its own ``visible_for`` decides)."""
        from hospital_osh.ui.pages.base import Page

        overrides = page_class.badge.__func__ is not Page.badge.__func__  # type: ignore[attr-defined]
        return cls(
            key=page_class.key,
            title=page_class.title,
            icon=page_class.icon,
            order=page_class.order,
            target=page_class,
            counter=page_class.badge if overrides else None,
        )

    @property
    def loaded(self) -> bool:
        """Whether the page's class has been imported (nothing is imported to answer)."""
        if not isinstance(self.target, str):
            return True
        module_name, _, class_name = self.target.partition(":")
        return hasattr(sys.modules.get(module_name), class_name)

    def load(self) -> type[Page]:
        """The page's class, importing its module the first time."""
        if not isinstance(self.target, str):
            return self.target
        module_name, _, class_name = self.target.partition(":")
        page_class: type[Page] = getattr(importlib.import_module(module_name), class_name)
        return page_class

    def visible_for(self, actor: Actor) -> bool:
        if not isinstance(self.target, str):
            return self.target.visible_for(actor)
        return not self.permissions or any(actor.can(p) for p in self.permissions)

    def badge(self, context: AppContext) -> int | None:
        """The sidebar count; None for pages that have none. Imports nothing: the main window
        calls it on a worker thread."""
        return self.counter(context) if self.counter is not None else None


def _spec(
    key: str,
    title: str,
    icon: str,
    order: int,
    module: str,
    permissions: tuple[Permission, ...] = (),
    *,
    counter: Callable[[AppContext], int | None] | None = None,
) -> PageSpec:
    page_class = "".join(part.capitalize() for part in module.split("_"))
    target = f"{_PACKAGE}.{module}:{page_class}"
    return PageSpec(key, title, icon, order, target, permissions, counter)


PAGE_CLASSES: list[PageSpec | type[Page]] = [
    _spec(
        "dashboard",
        N_("Dashboard"),
        "layout-dashboard",
        10,
        "dashboard_page",
        (Permission.VIEW_REPORTS, Permission.REPORT_EXPOSURE),
    ),
    _spec(
        "exposures",
        N_("Exposure records"),
        "syringe",
        20,
        "exposures_page",
        (Permission.VIEW_EXPOSURES, Permission.REPORT_EXPOSURE),
    ),
    _spec(
        "followups",
        N_("Follow-ups"),
        "calendar-check",
        30,
        "followups_page",
        (Permission.VIEW_FOLLOWUPS,),
        counter=sidebar_counts.overdue_followups,
    ),
    _spec("hazards", N_("Hazards"), "shield-alert", 40, "hazards_page", (Permission.VIEW_HAZARDS,)),
    _spec("staff", N_("Staff"), "users", 50, "staff_page", (Permission.VIEW_WORKERS,)),
    _spec(
        "healthwise",
        N_("HealthWISE"),
        "list-checks",
        65,
        "healthwise_page",
        (Permission.VIEW_ACTIONS,),
    ),
    _spec(
        "actions",
        N_("Action plan"),
        "clipboard-check",
        70,
        "actions_page",
        (Permission.VIEW_ACTIONS,),
        counter=sidebar_counts.overdue_actions,
    ),
    _spec(
        "committee", N_("Committee"), "handshake", 75, "committee_page", (Permission.VIEW_ACTIONS,)
    ),
    _spec("reports", N_("Reports"), "chart-column", 80, "reports_page", (Permission.VIEW_REPORTS,)),
    _spec("settings", N_("Settings"), "settings", 90, "settings_page"),
    _spec("audit", N_("Audit log"), "scroll-text", 900, "audit_page", (Permission.VIEW_AUDIT,)),
]
"""Every page. Entries are PageSpec (imported when first needed) or, also accepted, classes."""


def specs(entries: list[PageSpec | type[Page]] | None = None) -> list[PageSpec]:
    """``entries`` (default: the registry) as specs."""
    chosen = PAGE_CLASSES if entries is None else entries
    return [entry if isinstance(entry, PageSpec) else PageSpec.of(entry) for entry in chosen]


def page_specs_for(
    actor: Actor, entries: list[PageSpec | type[Page]] | None = None
) -> list[PageSpec]:
    """The pages ``actor`` may see (of ``entries``, default all), in sidebar order, unloaded."""
    visible = [spec for spec in specs(entries) if spec.visible_for(actor)]
    return sorted(visible, key=lambda spec: (spec.order, spec.key))


def pages_for(actor: Actor, classes: list[PageSpec | type[Page]] | None = None) -> list[type[Page]]:
    """The classes of the pages ``actor`` may see, in sidebar order (imports them all: for
    the tour and tests; the window uses ``page_specs_for``)."""
    return [spec.load() for spec in page_specs_for(actor, classes)]
