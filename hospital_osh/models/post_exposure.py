"""Post-exposure management: immunity records, assessments, prophylaxis, follow-ups, outcomes.

What is derived is not stored: a follow-up's ``planned``/``due``/``overdue`` status follows from its
window and today's hospital-local date (``domain.followup.followup_status``), so only the closing
``state`` (``open``, ``done``, ``missed``, ``cancelled``) is a column; a worker's HBV status is
derived from the doses and results (``domain.immunity``). Dates here are hospital-local dates;
``*_at`` instants of clinical events (HBIG given, first PEP dose) are hospital-local naive
date-times like ``exposure.occurred_at``; bookkeeping stamps (``recorded_at``) are naive UTC.
Snapshots (assessment inputs and proposal) are JSON text, so a later protocol change never rewrites
what was proposed at the time.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from hospital_osh.models.base import Base, UuidMixin, VersionedMixin, utcnow

_CODE = 40


class HbvVaccineDose(Base):
    """One hepatitis B vaccine dose given to a worker (domain/exposures.md §a.8)."""

    __tablename__ = "hbv_vaccine_dose"

    id: Mapped[int] = mapped_column(primary_key=True)
    worker_id: Mapped[int] = mapped_column(ForeignKey("worker.id"), index=True)
    given_on: Mapped[dt.date] = mapped_column(Date)
    series: Mapped[int] = mapped_column(Integer, default=1)
    dose_number: Mapped[int] = mapped_column(Integer)
    doses_in_series: Mapped[int] = mapped_column(Integer, default=3)
    product: Mapped[str] = mapped_column(String(120), default="")
    dose_ug: Mapped[float | None] = mapped_column(Float)
    exposure_id: Mapped[int | None] = mapped_column(ForeignKey("exposure.id"))  # post-exposure
    recorded_by: Mapped[str] = mapped_column(String(40))
    recorded_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class SerologyResult(Base):
    """A worker's own test result: anti-HBs (mIU/mL), HBsAg, anti-HBc, anti-HCV, HIV."""

    __tablename__ = "serology_result"
    __table_args__ = (Index("ix_serology_result_worker_test", "worker_id", "test", "tested_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    worker_id: Mapped[int] = mapped_column(ForeignKey("worker.id"))
    test: Mapped[str] = mapped_column(String(_CODE))
    tested_on: Mapped[dt.date] = mapped_column(Date)
    result: Mapped[str | None] = mapped_column(String(_CODE))  # positive/negative/indeterminate
    value: Mapped[float | None] = mapped_column(Float)  # anti-HBs in mIU/mL
    followup_id: Mapped[int | None] = mapped_column(ForeignKey("followup.id"))
    recorded_by: Mapped[str] = mapped_column(String(40))
    recorded_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class PostExposureAssessment(UuidMixin, VersionedMixin, Base):
    """The protocol's proposal for one exposure, as snapshots: it never becomes a fact by itself."""

    __tablename__ = "post_exposure_assessment"

    id: Mapped[int] = mapped_column(primary_key=True)
    exposure_id: Mapped[int] = mapped_column(ForeignKey("exposure.id"), unique=True)
    protocol_id: Mapped[str] = mapped_column(String(_CODE))
    protocol_version: Mapped[int] = mapped_column(Integer)
    worker_hbv_status: Mapped[str] = mapped_column(String(_CODE))
    worker_anti_hbs: Mapped[float | None] = mapped_column(Float)
    pep_level: Mapped[str | None] = mapped_column(String(_CODE))
    inputs: Mapped[str] = mapped_column(Text)  # JSON: the ExposureInputs used
    proposal: Mapped[str] = mapped_column(Text)  # JSON: recommendations and planned items
    assessed_by: Mapped[str] = mapped_column(String(40))
    assessed_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class Prophylaxis(Base):
    """What the clinician did about HBIG, HBV vaccine or HIV PEP (given, declined, ...)."""

    __tablename__ = "prophylaxis"

    id: Mapped[int] = mapped_column(primary_key=True)
    exposure_id: Mapped[int] = mapped_column(ForeignKey("exposure.id"), index=True)
    kind: Mapped[str] = mapped_column(String(_CODE))  # hbig, hbv_vaccine, hiv_pep
    decision: Mapped[str] = mapped_column(String(_CODE))
    dose_number: Mapped[int | None] = mapped_column(Integer)
    given_at: Mapped[dt.datetime | None] = mapped_column()  # hospital-local
    product: Mapped[str] = mapped_column(String(120), default="")
    reason: Mapped[str] = mapped_column(Text, default="")
    recorded_by: Mapped[str] = mapped_column(String(40))
    recorded_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class FollowUp(UuidMixin, VersionedMixin, Base):
    """One planned test, treatment or visit of an exposure; its open status is derived by date."""

    __tablename__ = "followup"
    __table_args__ = (
        UniqueConstraint("exposure_id", "plan_key"),
        # The follow-ups page and reminders: open items by window, across all exposures. The
        # urgency index holds the list's order after the state (a page is an index range read)
        # and window_start last, so every tab's count reads the index alone (migration 0008).
        Index("ix_followup_urgency", "state", "window_end", "due_date", "id", "window_start"),
        Index("ix_followup_state_window_start", "state", "window_start"),
        # A case's tests by kind with what the period figures read of them (completion, overdue):
        # the summary's follow-up section reads this index alone (migration 0013).
        Index("ix_followup_exposure_tests", "exposure_id", "code", "state", "window_end"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    exposure_id: Mapped[int] = mapped_column(ForeignKey("exposure.id"))
    # code:dose:offset of the protocol item it came from; re-assessment matches on it.
    plan_key: Mapped[str] = mapped_column(String(80))
    code: Mapped[str] = mapped_column(String(_CODE))
    dose: Mapped[int | None] = mapped_column(Integer)
    pep_item: Mapped[bool] = mapped_column(default=False)  # PEP monitoring (kept only with PEP)
    due_date: Mapped[dt.date] = mapped_column(Date)
    window_start: Mapped[dt.date] = mapped_column(Date)
    window_end: Mapped[dt.date] = mapped_column(Date)
    basis: Mapped[str] = mapped_column(Text, default="[]")  # JSON: why (rule, item, source, tag)
    state: Mapped[str] = mapped_column(String(_CODE), default="open")
    state_reason: Mapped[str] = mapped_column(Text, default="")  # why cancelled or missed
    done_date: Mapped[dt.date | None] = mapped_column(Date)
    result: Mapped[str | None] = mapped_column(String(_CODE))  # positive/negative/indeterminate
    result_value: Mapped[float | None] = mapped_column(Float)  # anti-HBs mIU/mL
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class FollowUpDateChange(Base):
    """A changed due date or window, with the reason (the audit trail has it too)."""

    __tablename__ = "followup_date_change"

    id: Mapped[int] = mapped_column(primary_key=True)
    followup_id: Mapped[int] = mapped_column(ForeignKey("followup.id"), index=True)
    old_due: Mapped[dt.date] = mapped_column(Date)
    old_window_start: Mapped[dt.date] = mapped_column(Date)
    old_window_end: Mapped[dt.date] = mapped_column(Date)
    new_due: Mapped[dt.date] = mapped_column(Date)
    new_window_start: Mapped[dt.date] = mapped_column(Date)
    new_window_end: Mapped[dt.date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(Text)
    changed_by: Mapped[str] = mapped_column(String(40))
    changed_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class PepCourseRecord(VersionedMixin, Base):
    """The HIV PEP course as taken (domain.pep_course): regimen, first dose, days, stop, effects."""

    __tablename__ = "pep_course"

    id: Mapped[int] = mapped_column(primary_key=True)
    exposure_id: Mapped[int] = mapped_column(ForeignKey("exposure.id"), unique=True)
    regimen: Mapped[str] = mapped_column(String(200), default="")
    started_at: Mapped[dt.datetime] = mapped_column()  # hospital-local
    course_days: Mapped[int] = mapped_column(Integer, default=28)
    days_taken: Mapped[int | None] = mapped_column(Integer)
    stop_reason: Mapped[str | None] = mapped_column(String(_CODE))
    side_effects: Mapped[str] = mapped_column(Text, default="")  # one per line
    late_reason: Mapped[str] = mapped_column(Text, default="")  # started after the 72 h window
    recorded_by: Mapped[str] = mapped_column(String(40))
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class CaseOutcome(Base):
    """How an exposure case ended (``exposure.outcome`` holds the code for lists and exports)."""

    __tablename__ = "case_outcome"

    id: Mapped[int] = mapped_column(primary_key=True)
    exposure_id: Mapped[int] = mapped_column(ForeignKey("exposure.id"), unique=True)
    outcome: Mapped[str] = mapped_column(String(_CODE))
    seroconversion_date: Mapped[dt.date | None] = mapped_column(Date)
    note: Mapped[str] = mapped_column(Text, default="")
    closed_by: Mapped[str] = mapped_column(String(40))
    closed_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class DiseaseNotification(Base):
    """Who was notified of a seroconversion, when (occupational disease report, work injury)."""

    __tablename__ = "disease_notification"

    id: Mapped[int] = mapped_column(primary_key=True)
    exposure_id: Mapped[int] = mapped_column(ForeignKey("exposure.id"), index=True)
    notification_type: Mapped[str] = mapped_column(String(_CODE))
    pathogen: Mapped[str] = mapped_column(String(_CODE))
    notified_party: Mapped[str] = mapped_column(String(200))
    notified_on: Mapped[dt.date] = mapped_column(Date)
    case_number: Mapped[str] = mapped_column(String(80), default="")
    note: Mapped[str] = mapped_column(Text, default="")
    recorded_by: Mapped[str] = mapped_column(String(40))
    recorded_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class CaseReopening(Base):
    """A closed case opened again: the outcome it had, who reopened it, when and why."""

    __tablename__ = "case_reopening"

    id: Mapped[int] = mapped_column(primary_key=True)
    exposure_id: Mapped[int] = mapped_column(ForeignKey("exposure.id"), index=True)
    previous_status: Mapped[str] = mapped_column(String(_CODE))
    previous_outcome: Mapped[str] = mapped_column(String(_CODE))
    seroconversion_date: Mapped[dt.date | None] = mapped_column(Date)
    outcome_note: Mapped[str] = mapped_column(Text, default="")
    closed_by: Mapped[str] = mapped_column(String(40))
    closed_at: Mapped[dt.datetime] = mapped_column()
    reason: Mapped[str] = mapped_column(Text)
    reopened_by: Mapped[str] = mapped_column(String(40))
    reopened_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class ProtocolAdjustment(VersionedMixin, Base):
    """The hospital's own offsets for one schedule item of a protocol (days from D0), with the
    reason; merged over the shipped protocol file when schedules are generated."""

    __tablename__ = "protocol_adjustment"
    __table_args__ = (UniqueConstraint("protocol_id", "schedule", "item_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    protocol_id: Mapped[str] = mapped_column(String(_CODE))
    schedule: Mapped[str] = mapped_column(String(80))
    item_id: Mapped[str] = mapped_column(String(80))
    due: Mapped[int] = mapped_column(Integer)
    window_start: Mapped[int] = mapped_column(Integer)
    window_end: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(Text)
    changed_by: Mapped[str] = mapped_column(String(40))
    changed_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
