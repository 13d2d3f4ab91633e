"""Roles and what each may do. The table is the single source of truth for permission checks,
which services enforce (the UI only hides what a role cannot use)."""

from __future__ import annotations

from enum import StrEnum

from hospital_osh.domain.codes import N_, code_list


class Role(StrEnum):
    ADMIN = "admin"
    OSH_OFFICER = "osh_officer"
    COMMITTEE_MEMBER = "committee_member"
    REPORTER = "reporter"
    VIEWER = "viewer"


ROLES = code_list(
    "role",
    (Role.ADMIN, N_("Administrator")),
    (Role.OSH_OFFICER, N_("OSH officer")),
    (Role.COMMITTEE_MEMBER, N_("Committee member")),
    (Role.REPORTER, N_("Reporter")),
    (Role.VIEWER, N_("Viewer")),
)


class Permission(StrEnum):
    MANAGE_USERS = "manage_users"
    MANAGE_HOSPITAL = "manage_hospital"  # profile, departments, staffing denominators, settings
    MANAGE_WORKERS = "manage_workers"
    VIEW_WORKERS = "view_workers"
    VIEW_IDENTITIES = "view_identities"  # names, staff numbers, serostatus
    VIEW_AUDIT = "view_audit"
    MANAGE_BACKUPS = "manage_backups"
    REPORT_EXPOSURE = "report_exposure"  # submit a quick report; see one's own reports
    VIEW_EXPOSURES = "view_exposures"  # list and open every exposure (masked as the role requires)
    MANAGE_EXPOSURES = "manage_exposures"  # create full records, complete, edit
    VIEW_SEROSTATUS = "view_serostatus"  # source patients' test results and identity links
    MANAGE_POST_EXPOSURE = "manage_post_exposure"  # immunisation, assessment, follow-ups, outcome
    VIEW_FOLLOWUPS = "view_followups"  # the follow-up list and reminders (masked as required)
    VIEW_HAZARDS = "view_hazards"
    MANAGE_HAZARDS = "manage_hazards"  # register entries, assessments, acceptance
    VIEW_ACTIONS = "view_actions"  # action plans, HealthWISE rounds, committee meetings
    MANAGE_ACTIONS = "manage_actions"  # propose, plan, update action items; run HealthWISE rounds
    DECIDE_ACTIONS = "decide_actions"  # approve, verify, close, reject; committee decisions
    MANAGE_COMMITTEE = "manage_committee"  # members, meetings, minutes
    VIEW_REPORTS = "view_reports"  # aggregate reports and the dashboard
    EXCHANGE_DATA = "exchange_data"  # export packages, historical import


_ALL = frozenset(Permission)

ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.ADMIN: _ALL,
    Role.OSH_OFFICER: frozenset(
        {
            Permission.MANAGE_WORKERS,
            Permission.VIEW_WORKERS,
            Permission.VIEW_IDENTITIES,
            Permission.VIEW_AUDIT,
            Permission.MANAGE_BACKUPS,
            Permission.REPORT_EXPOSURE,
            Permission.VIEW_EXPOSURES,
            Permission.MANAGE_EXPOSURES,
            Permission.VIEW_SEROSTATUS,
            Permission.MANAGE_POST_EXPOSURE,
            Permission.VIEW_FOLLOWUPS,
            Permission.VIEW_HAZARDS,
            Permission.MANAGE_HAZARDS,
            Permission.VIEW_ACTIONS,
            Permission.MANAGE_ACTIONS,
            Permission.MANAGE_COMMITTEE,
            Permission.VIEW_REPORTS,
            Permission.EXCHANGE_DATA,
        }
    ),
    # Committee members review aggregates and action plans; identities stay with the OSH office.
    Role.COMMITTEE_MEMBER: frozenset(
        {
            Permission.VIEW_WORKERS,
            Permission.VIEW_EXPOSURES,
            Permission.VIEW_HAZARDS,
            Permission.VIEW_ACTIONS,
            Permission.MANAGE_ACTIONS,
            Permission.DECIDE_ACTIONS,
            Permission.MANAGE_COMMITTEE,
            Permission.VIEW_REPORTS,
        }
    ),
    # Reporters (ward staff) submit quick reports and follow their own; nothing else.
    Role.REPORTER: frozenset({Permission.REPORT_EXPOSURE}),
    Role.VIEWER: frozenset(
        {
            Permission.VIEW_WORKERS,
            Permission.VIEW_EXPOSURES,
            Permission.VIEW_HAZARDS,
            Permission.VIEW_ACTIONS,
            Permission.VIEW_REPORTS,
        }
    ),
}


def has_permission(role: str, permission: Permission) -> bool:
    try:
        return permission in ROLE_PERMISSIONS[Role(role)]
    except ValueError:
        return False
