"""The page registry: the main window builds its sidebar, View menu and the tour from this list.

To add a page, import its class here and append it to ``PAGE_CLASSES``; the order in the sidebar
comes from each class's ``order`` (not from this list), and ``visible_for(actor)`` decides who
sees it. Nothing else changes.
"""

from __future__ import annotations

from hospital_osh.services.context import Actor
from hospital_osh.ui.pages.actions_page import ActionsPage
from hospital_osh.ui.pages.audit_page import AuditPage
from hospital_osh.ui.pages.base import Page
from hospital_osh.ui.pages.committee_page import CommitteePage
from hospital_osh.ui.pages.dashboard_page import DashboardPage
from hospital_osh.ui.pages.exposures_page import ExposuresPage
from hospital_osh.ui.pages.followups_page import FollowupsPage
from hospital_osh.ui.pages.hazards_page import HazardsPage
from hospital_osh.ui.pages.healthwise_page import HealthwisePage
from hospital_osh.ui.pages.reports_page import ReportsPage
from hospital_osh.ui.pages.settings_page import SettingsPage
from hospital_osh.ui.pages.staff_page import StaffPage

PAGE_CLASSES: list[type[Page]] = [
    AuditPage,
    StaffPage,
    HazardsPage,
    SettingsPage,
    ReportsPage,
    ExposuresPage,
    HealthwisePage,
    ActionsPage,
    CommitteePage,
    FollowupsPage,
    DashboardPage,
]


def pages_for(actor: Actor, classes: list[type[Page]] | None = None) -> list[type[Page]]:
    """The pages ``actor`` may see (of ``classes``, default all), in sidebar order."""
    candidates = PAGE_CLASSES if classes is None else classes
    visible = [cls for cls in candidates if cls.visible_for(actor)]
    return sorted(visible, key=lambda cls: (cls.order, cls.key))
