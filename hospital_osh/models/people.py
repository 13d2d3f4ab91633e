"""The hospital, its departments, yearly staffing denominators and its workers."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, Date, Float, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hospital_osh.models.base import Base, UuidMixin, VersionedMixin, utcnow


class Hospital(VersionedMixin, Base):
    """The one hospital this database belongs to (a single row)."""

    __tablename__ = "hospital"

    id: Mapped[int] = mapped_column(primary_key=True)
    name_zh: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    facility_code: Mapped[str] = mapped_column(String(40))
    province: Mapped[str] = mapped_column(String(80), default="")
    city: Mapped[str] = mapped_column(String(80), default="")
    grade: Mapped[str] = mapped_column(String(40), default="other")
    time_zone: Mapped[str] = mapped_column(String(64), default="Asia/Shanghai")
    # Key for export pseudonyms (HMAC); generated once, never shown, never exported.
    pseudonym_secret: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class Department(VersionedMixin, Base):
    __tablename__ = "department"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name_zh: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    type: Mapped[str] = mapped_column(String(40))
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class StaffingYear(VersionedMixin, Base):
    """Denominators for one calendar year: average occupied beds and FTE figures."""

    __tablename__ = "staffing_year"

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(Integer, unique=True)
    occupied_beds: Mapped[float | None] = mapped_column(Float)
    fte: Mapped[list[StaffingFte]] = relationship(
        back_populates="year_row", cascade="all, delete-orphan", order_by="StaffingFte.id"
    )


class StaffingFte(Base):
    """Full-time equivalents of one job category and sex in one year."""

    __tablename__ = "staffing_fte"
    __table_args__ = (UniqueConstraint("staffing_year_id", "job_category", "sex"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    staffing_year_id: Mapped[int] = mapped_column(
        ForeignKey("staffing_year.id", ondelete="CASCADE"), index=True
    )
    job_category: Mapped[str] = mapped_column(String(40))
    sex: Mapped[str] = mapped_column(String(10))
    fte: Mapped[float] = mapped_column(Float)
    year_row: Mapped[StaffingYear] = relationship(back_populates="fte")


class Worker(UuidMixin, VersionedMixin, Base):
    __tablename__ = "worker"
    __table_args__ = (
        Index("ix_worker_name", "name"),
        Index("ix_worker_department_active", "department_id", "active"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    staff_no: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    sex: Mapped[str] = mapped_column(String(10))
    birth_date: Mapped[dt.date | None] = mapped_column(Date)
    job_category: Mapped[str] = mapped_column(String(40), index=True)
    department_id: Mapped[int | None] = mapped_column(ForeignKey("department.id"))
    employment_type: Mapped[str] = mapped_column(String(40))
    hire_date: Mapped[dt.date | None] = mapped_column(Date)
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    department: Mapped[Department | None] = relationship()


class WorkerHbvStatus(Base):
    """A spell of one hepatitis B immunity status of a worker: from ``valid_from`` up to the day
    before ``valid_to`` (NULL: the status now).

    Derived from the doses and results by ``domain.immunity.status_spells`` and rewritten in the
    transaction that changes them (``services.immunisation``), so coverage on any day is one
    grouped query. A worker without a spell covering a day was unvaccinated that day. ``status``
    is a ``worker_hbv_status`` code or ``invalid_records`` (records that contradict each other).
    """

    __tablename__ = "worker_hbv_status"
    __table_args__ = (
        UniqueConstraint("worker_id", "valid_from"),
        # Covers the dashboard's count of responders on a day (no table read).
        Index("ix_worker_hbv_status_status", "status", "valid_from", "valid_to", "worker_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    worker_id: Mapped[int] = mapped_column(ForeignKey("worker.id"))
    status: Mapped[str] = mapped_column(String(40))
    valid_from: Mapped[dt.date] = mapped_column(Date)
    valid_to: Mapped[dt.date | None] = mapped_column(Date)
