"""The counts the sidebar shows beside page titles ("Follow-ups (3)"): one quick query each.

The main window reads them on a worker thread. They live here rather than in the pages'
classes so that counting never imports a page's module: pages are imported on the GUI thread
when first shown, and importing the same module on two threads at once is what Python's import
lock can refuse with a deadlock error. This module is imported with the page registry, on the
GUI thread.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from hospital_osh.domain.roles import Permission
from hospital_osh.services import actions, followups
from hospital_osh.services.actions import ActionFilter
from hospital_osh.services.errors import UserError

if TYPE_CHECKING:
    from hospital_osh.ui.context import AppContext


def overdue_followups(context: AppContext) -> int | None:
    """Follow-up tests past their window (None when there are none or the role sees none)."""
    if not context.actor.can(Permission.VIEW_FOLLOWUPS):
        return None
    try:
        with context.database.session() as session:
            count = followups.overdue_count(session, context.actor)
    except UserError:
        return None
    return count or None


def overdue_actions(context: AppContext) -> int | None:
    """Action items past their due date (None when there are none)."""
    with context.database.session() as session:
        overdue = actions.count_actions(session, context.actor, ActionFilter(overdue=True))
    return overdue or None
