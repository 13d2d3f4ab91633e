"""Exposures to blood and body fluids (EPINet-compatible) and the hospital's local code entries.

One wide row per exposure: the sharps and fluid sections are columns, not side tables, because
the exposures page filters and sorts on them across 100k rows and a join per section would cost
more than the empty columns do. Worker attributes are copied at the time of the event.
Codes are validated by ``domain.exposure_rules``; local date-times (the hospital's clock) are
stored naive, as the exchange files carry them.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    Boolean,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hospital_osh.models.base import Base, UuidMixin, VersionedMixin, utcnow
from hospital_osh.models.people import Department, Worker

_CODE = 40


class Exposure(UuidMixin, VersionedMixin, Base):
    __tablename__ = "exposure"
    __table_args__ = (
        # Reference numbers: one sequence per year; the pair is what the next number comes from.
        UniqueConstraint("ref_year", "ref_seq"),
        # The list's default order (newest first) and the period filter.
        Index("ix_exposure_occurred_at", "occurred_at"),
        # Filters of the exposures page, each selective enough to be worth an index.
        Index("ix_exposure_status_occurred", "status", "occurred_at"),
        Index("ix_exposure_department_occurred", "department_id", "occurred_at"),
        # With the device too, the dashboard's "percutaneous injuries by device" reads the
        # index alone (migration 0012).
        Index("ix_exposure_type_occurred", "exposure_type", "occurred_at", "device_type"),
        Index("ix_exposure_job_category", "job_category"),
        Index("ix_exposure_device_type", "device_type"),
        Index("ix_exposure_incomplete", "incomplete"),
        # A reporter lists only its own reports.
        Index("ix_exposure_reported_by", "reported_by"),
        Index("ix_exposure_worker_id", "worker_id"),
        # Sorts of the exposures page that otherwise sort the whole table for each page
        # (measured by bench/run.py; migration 0006). ``id`` is every list's tie-breaker.
        Index("ix_exposure_reported_at", "reported_at", "id"),
        Index("ix_exposure_hours_to_report", "hours_to_report", "id"),
        Index("ix_exposure_location_type", "location_type", "id"),
        Index("ix_exposure_worker_name", "worker_name", "id"),
        Index("ix_exposure_type_id", "exposure_type", "id"),
        Index("ix_exposure_status_id", "status", "id"),
        # The dashboard's and the summary's period aggregates read only these columns: with
        # them in one index led by the date, a year of exposures is read from index pages
        # alone instead of the wide (and, with SQLCipher, decrypted) table pages (migration 0012).
        Index(
            "ix_exposure_period_figures",
            "occurred_at",
            "exposure_type",
            "device_type",
            "device_safety_engineered",
            "job_category",
            "hours_to_report",
            "department_id",
        ),
        # The department order: each department's records by id (migration 0008).
        Index("ix_exposure_department_id", "department_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(20), unique=True)
    ref_year: Mapped[int] = mapped_column(Integer)
    ref_seq: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(_CODE), default="reported")
    outcome: Mapped[str] = mapped_column(String(_CODE), default="pending")
    incomplete: Mapped[bool] = mapped_column(Boolean, default=True)
    missing: Mapped[str] = mapped_column(Text, default="")  # space-separated field names

    # Who and when the record was made (the reporter's own list filters on reported_by).
    reported_by: Mapped[str] = mapped_column(String(40))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    completed_at: Mapped[dt.datetime | None] = mapped_column()

    # The worker: a staff member, or someone typed in (visitor, contractor, student).
    worker_id: Mapped[int | None] = mapped_column(ForeignKey("worker.id"))
    worker_kind: Mapped[str] = mapped_column(String(_CODE), default="staff")
    worker_name: Mapped[str] = mapped_column(String(120), default="")
    job_category: Mapped[str | None] = mapped_column(String(_CODE))
    employment_type: Mapped[str | None] = mapped_column(String(_CODE))
    home_department_id: Mapped[int | None] = mapped_column(ForeignKey("department.id"))
    sex: Mapped[str | None] = mapped_column(String(10))
    age: Mapped[int | None] = mapped_column(Integer)
    years_in_post: Mapped[float | None] = mapped_column(Float)
    # Only when the exact value is unknown: the band an imported exchange file carried for a
    # typed-in worker (no birth or hire date on file), so that re-export keeps it (0007).
    age_band: Mapped[str | None] = mapped_column(String(10))
    tenure_band: Mapped[str | None] = mapped_column(String(10))

    # When and where.
    occurred_at: Mapped[dt.datetime] = mapped_column()
    reported_at: Mapped[dt.datetime] = mapped_column()
    hours_to_report: Mapped[float] = mapped_column(Float)
    department_id: Mapped[int | None] = mapped_column(ForeignKey("department.id"))
    location_type: Mapped[str | None] = mapped_column(String(_CODE))
    exposure_type: Mapped[str] = mapped_column(String(_CODE))

    # Sharps (EPINet Needlestick & Sharp Object Injury Report).
    device_type: Mapped[str | None] = mapped_column(String(_CODE))
    device_brand: Mapped[str] = mapped_column(String(120), default="")
    device_safety_engineered: Mapped[str | None] = mapped_column(String(_CODE))
    safety_activated: Mapped[str | None] = mapped_column(String(_CODE))
    purpose: Mapped[str | None] = mapped_column(String(_CODE))
    circumstance: Mapped[str | None] = mapped_column(String(_CODE))
    depth: Mapped[str | None] = mapped_column(String(_CODE))
    gloves: Mapped[str | None] = mapped_column(String(_CODE))
    device_contaminated: Mapped[str | None] = mapped_column(String(_CODE))
    body_site: Mapped[str | None] = mapped_column(String(_CODE))

    # Blood and body fluids (EPINet BBF Report).
    fluid_type: Mapped[str | None] = mapped_column(String(_CODE))
    fluid_visibly_bloody: Mapped[str | None] = mapped_column(String(_CODE))
    contact_duration: Mapped[str | None] = mapped_column(String(_CODE))
    contact_volume: Mapped[str | None] = mapped_column(String(_CODE))
    barrier_garments: Mapped[str] = mapped_column(String(400), default="")  # space-separated

    # The source patient (identity link and results: osh_officer/admin only).
    source_identified: Mapped[str | None] = mapped_column(String(_CODE))
    source_reference: Mapped[str] = mapped_column(String(80), default="")
    source_hbsag: Mapped[str | None] = mapped_column(String(_CODE))
    source_hbsag_date: Mapped[dt.date | None] = mapped_column(Date)
    source_hbeag: Mapped[str | None] = mapped_column(String(_CODE))
    source_hbeag_date: Mapped[dt.date | None] = mapped_column(Date)
    source_anti_hcv: Mapped[str | None] = mapped_column(String(_CODE))
    source_anti_hcv_date: Mapped[dt.date | None] = mapped_column(Date)
    source_hcv_rna: Mapped[str | None] = mapped_column(String(_CODE))
    source_hcv_rna_date: Mapped[dt.date | None] = mapped_column(Date)
    source_hiv: Mapped[str | None] = mapped_column(String(_CODE))
    source_hiv_date: Mapped[dt.date | None] = mapped_column(Date)
    source_hiv_viral_load: Mapped[int | None] = mapped_column(Integer)
    source_hiv_viral_load_date: Mapped[dt.date | None] = mapped_column(Date)

    description: Mapped[str] = mapped_column(Text, default="")
    china_grade: Mapped[str | None] = mapped_column(String(_CODE))
    china_source_grade: Mapped[str | None] = mapped_column(String(_CODE))

    worker: Mapped[Worker | None] = relationship(foreign_keys=[worker_id])
    department: Mapped[Department | None] = relationship(foreign_keys=[department_id])
    home_department: Mapped[Department | None] = relationship(foreign_keys=[home_department_id])


class LocalCode(VersionedMixin, Base):
    """An entry a hospital adds to an extensible code list (a device brand, a local device)."""

    __tablename__ = "local_code"
    __table_args__ = (UniqueConstraint("list_name", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    list_name: Mapped[str] = mapped_column(String(40))
    code: Mapped[str] = mapped_column(String(_CODE))
    label_zh: Mapped[str] = mapped_column(String(200))
    label_en: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
