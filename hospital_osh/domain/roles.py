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
        }
    ),
    # Committee members review aggregates and action plans; identities stay with the OSH office.
    Role.COMMITTEE_MEMBER: frozenset({Permission.VIEW_WORKERS}),
    Role.REPORTER: frozenset(),
    Role.VIEWER: frozenset({Permission.VIEW_WORKERS}),
}


def has_permission(role: str, permission: Permission) -> bool:
    try:
        return permission in ROLE_PERMISSIONS[Role(role)]
    except ValueError:
        return False
