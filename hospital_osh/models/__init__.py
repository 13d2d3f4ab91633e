"""SQLAlchemy models. Importing this package registers every table on ``Base.metadata``."""

from hospital_osh.models.accounts import Setting, User
from hospital_osh.models.audit import AuditEvent
from hospital_osh.models.base import Base
from hospital_osh.models.exposures import Exposure, LocalCode
from hospital_osh.models.people import Department, Hospital, StaffingFte, StaffingYear, Worker

__all__ = [
    "AuditEvent",
    "Base",
    "Department",
    "Exposure",
    "Hospital",
    "LocalCode",
    "Setting",
    "StaffingFte",
    "StaffingYear",
    "User",
    "Worker",
]
