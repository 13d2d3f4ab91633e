"""Who is acting: every service call names its actor, and services check the actor's rights."""

from __future__ import annotations

from dataclasses import dataclass

from hospital_osh.domain.roles import Permission, Role, has_permission
from hospital_osh.i18n import _
from hospital_osh.services.errors import PermissionDenied


@dataclass(frozen=True)
class Actor:
    username: str
    role: str
    user_id: int | None = None
    display_name: str = ""

    def can(self, permission: Permission) -> bool:
        return has_permission(self.role, permission)

    def require(self, permission: Permission) -> None:
        if not self.can(permission):
            raise PermissionDenied(
                _("Your role ({role}) does not allow this.").format(role=self.role)
            )

    @property
    def sees_identities(self) -> bool:
        return self.can(Permission.VIEW_IDENTITIES)


# The command line acts as the system administrator: it runs on the server or the hospital PC
# with direct access to the database file, which already implies full rights.
SYSTEM = Actor(username="system", role=Role.ADMIN)
