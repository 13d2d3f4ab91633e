"""SQLAlchemy models. Importing this package registers every table on ``Base.metadata``."""

from hospital_osh.models.accounts import Setting, User
from hospital_osh.models.actions import ActionEvidence, ActionItem, ActionUpdate
from hospital_osh.models.audit import AuditEvent
from hospital_osh.models.base import Base
from hospital_osh.models.committee import (
    CommitteeMeeting,
    CommitteeMember,
    MeetingAttendance,
    MeetingDecision,
    MinutesSignature,
    MinutesVersion,
)
from hospital_osh.models.exposures import Exposure, LocalCode
from hospital_osh.models.hazards import Hazard, HazardAssessment, HazardControl
from hospital_osh.models.healthwise import (
    Assessment,
    AssessmentMember,
    ChecklistAnswer,
    ChecklistModule,
    ChecklistSheet,
    ChecklistTemplate,
    Checkpoint,
    PlanRevision,
)
from hospital_osh.models.people import (
    Department,
    Hospital,
    StaffingFte,
    StaffingYear,
    Worker,
    WorkerHbvStatus,
)
from hospital_osh.models.post_exposure import (
    CaseOutcome,
    CaseReopening,
    DiseaseNotification,
    FollowUp,
    FollowUpDateChange,
    HbvVaccineDose,
    PepCourseRecord,
    PostExposureAssessment,
    Prophylaxis,
    ProtocolAdjustment,
    SerologyResult,
)

__all__ = [
    "ActionEvidence",
    "ActionItem",
    "ActionUpdate",
    "Assessment",
    "AssessmentMember",
    "AuditEvent",
    "Base",
    "CaseOutcome",
    "CaseReopening",
    "ChecklistAnswer",
    "ChecklistModule",
    "ChecklistSheet",
    "ChecklistTemplate",
    "Checkpoint",
    "CommitteeMeeting",
    "CommitteeMember",
    "Department",
    "DiseaseNotification",
    "Exposure",
    "FollowUp",
    "FollowUpDateChange",
    "Hazard",
    "HazardAssessment",
    "HazardControl",
    "HbvVaccineDose",
    "Hospital",
    "LocalCode",
    "MeetingAttendance",
    "MeetingDecision",
    "MinutesSignature",
    "MinutesVersion",
    "PepCourseRecord",
    "PlanRevision",
    "PostExposureAssessment",
    "Prophylaxis",
    "ProtocolAdjustment",
    "SerologyResult",
    "Setting",
    "StaffingFte",
    "StaffingYear",
    "User",
    "Worker",
    "WorkerHbvStatus",
]
