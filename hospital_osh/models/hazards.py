"""The hazard register: one row per hazard, its existing controls and its assessment history.

Levels are not stored on the hazard: they come from the risk matrix in force (a hospital may
switch matrices), computed in SQL from the current likelihood and severity. The history keeps
each assessment's scores with the level they had under the matrix used at the time.
Multi-valued code fields (job categories, vulnerable groups) are space-separated codes, as in
``exposure.barrier_garments``.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, Date, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hospital_osh.models.base import Base, UuidMixin, VersionedMixin, utcnow
from hospital_osh.models.people import Department

_CODE = 40


class Hazard(UuidMixin, VersionedMixin, Base):
    __tablename__ = "hazard"
    __table_args__ = (
        # The register page's filters, orders and the review lists (migration 0008: the list's
        # orders end with ref_seq, so a page is an index walk or, by level, an index-only sort).
        Index("ix_hazard_review_order", "status", "next_review_on", "ref_seq"),
        Index(
            "ix_hazard_level_order", "status", "current_likelihood", "current_severity", "ref_seq"
        ),
        Index("ix_hazard_department_status", "department_id", "status"),
        Index("ix_hazard_cell", "current_likelihood", "current_severity"),
        Index("ix_hazard_category", "category"),
        Index("ix_hazard_owner", "owner"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    ref_seq: Mapped[int] = mapped_column(Integer, unique=True)
    reference: Mapped[str] = mapped_column(String(20), unique=True)
    status: Mapped[str] = mapped_column(String(_CODE), default="active")

    # What and where.
    department_id: Mapped[int] = mapped_column(ForeignKey("department.id"))
    location: Mapped[str] = mapped_column(String(200), default="")
    activity: Mapped[str] = mapped_column(String(200))
    agent: Mapped[str] = mapped_column(String(200), default="")
    category: Mapped[str] = mapped_column(String(_CODE))
    statutory_factor_code: Mapped[str | None] = mapped_column(String(_CODE))
    description: Mapped[str] = mapped_column(Text, default="")
    potential_harm: Mapped[str] = mapped_column(Text, default="")
    identification_method: Mapped[str | None] = mapped_column(String(_CODE))
    legal_reference: Mapped[str] = mapped_column(String(400), default="")

    # Who is exposed.
    job_categories: Mapped[str] = mapped_column(String(400), default="")
    exposed_female: Mapped[int | None] = mapped_column(Integer)
    exposed_male: Mapped[int | None] = mapped_column(Integer)
    vulnerable_groups: Mapped[str] = mapped_column(String(200), default="")
    reproductive_hazard: Mapped[bool] = mapped_column(Boolean, default=False)

    # The latest workplace monitoring result against its exposure limit.
    monitoring_value: Mapped[float | None] = mapped_column(Float)
    monitoring_unit: Mapped[str] = mapped_column(String(40), default="")
    monitoring_limit: Mapped[float | None] = mapped_column(Float)
    monitoring_date: Mapped[dt.date | None] = mapped_column(Date)

    # Responsibility.
    owner: Mapped[str] = mapped_column(String(120))
    assessors: Mapped[str] = mapped_column(String(400), default="")
    approver: Mapped[str] = mapped_column(String(120), default="")

    # The latest assessment (the history holds every one).
    assessed_on: Mapped[dt.date] = mapped_column(Date)
    initial_likelihood: Mapped[int] = mapped_column(Integer)
    initial_severity: Mapped[int] = mapped_column(Integer)
    residual_likelihood: Mapped[int | None] = mapped_column(Integer)
    residual_severity: Mapped[int | None] = mapped_column(Integer)
    residual_reason: Mapped[str] = mapped_column(Text, default="")
    # Residual once scored, else initial: the cell the register shows and filters on.
    current_likelihood: Mapped[int] = mapped_column(Integer)
    current_severity: Mapped[int] = mapped_column(Integer)

    # Review cycle.
    next_review_on: Mapped[dt.date] = mapped_column(Date)
    review_trigger: Mapped[str | None] = mapped_column(String(_CODE))
    review_trigger_on: Mapped[dt.date | None] = mapped_column(Date)
    review_trigger_note: Mapped[str] = mapped_column(Text, default="")

    # Acceptance of the residual risk (cleared when the residual scores change).
    accepted_by: Mapped[str] = mapped_column(String(120), default="")
    accepted_role: Mapped[str | None] = mapped_column(String(_CODE))
    accepted_on: Mapped[dt.date | None] = mapped_column(Date)
    acceptance_note: Mapped[str] = mapped_column(Text, default="")

    retired_reason: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[str] = mapped_column(String(40))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    department: Mapped[Department] = relationship()
    controls: Mapped[list[HazardControl]] = relationship(
        back_populates="hazard", cascade="all, delete-orphan", order_by="HazardControl.position"
    )
    assessments: Mapped[list[HazardAssessment]] = relationship(
        back_populates="hazard", cascade="all, delete-orphan", order_by="HazardAssessment.id"
    )


class HazardControl(Base):
    """An existing control measure, tagged with its level in the hierarchy of controls."""

    __tablename__ = "hazard_control"

    id: Mapped[int] = mapped_column(primary_key=True)
    hazard_id: Mapped[int] = mapped_column(ForeignKey("hazard.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    description: Mapped[str] = mapped_column(String(400))
    hierarchy_level: Mapped[str] = mapped_column(String(_CODE))

    hazard: Mapped[Hazard] = relationship(back_populates="controls")


class HazardAssessment(Base):
    """One assessment of a hazard: initial and residual scores with the date and the assessor.

    ``*_level`` are the levels under ``matrix_id`` at the time, kept for the record."""

    __tablename__ = "hazard_assessment"

    id: Mapped[int] = mapped_column(primary_key=True)
    hazard_id: Mapped[int] = mapped_column(ForeignKey("hazard.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(_CODE))  # initial | reassessment
    assessed_on: Mapped[dt.date] = mapped_column(Date)
    assessors: Mapped[str] = mapped_column(String(400), default="")
    matrix_id: Mapped[str] = mapped_column(String(_CODE))
    initial_likelihood: Mapped[int] = mapped_column(Integer)
    initial_severity: Mapped[int] = mapped_column(Integer)
    initial_level: Mapped[str] = mapped_column(String(_CODE))
    residual_likelihood: Mapped[int | None] = mapped_column(Integer)
    residual_severity: Mapped[int | None] = mapped_column(Integer)
    residual_level: Mapped[str | None] = mapped_column(String(_CODE))
    note: Mapped[str] = mapped_column(Text, default="")
    recorded_by: Mapped[str] = mapped_column(String(40))
    recorded_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    hazard: Mapped[Hazard] = relationship(back_populates="assessments")
