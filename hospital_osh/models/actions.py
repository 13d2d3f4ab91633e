"""Action items (shared by HealthWISE, hazards and the committee), their update log and evidence.

An item names its source by ``source_kind`` + ``source_id`` (+ ``source_item``, e.g. a checkpoint
code) instead of a foreign key, so the hazard register, HealthWISE and the committee can each link
items without coupling their tables. Evidence files live in the database as blobs so that a
backup of the database carries them; list queries never load the blob column.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import (
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hospital_osh.models.accounts import User
from hospital_osh.models.base import Base, UuidMixin, VersionedMixin, utcnow
from hospital_osh.models.people import Department

_CODE = 40


class ActionItem(UuidMixin, VersionedMixin, Base):
    __tablename__ = "action_item"
    __table_args__ = (
        UniqueConstraint("ref_year", "ref_seq"),
        Index("ix_action_item_source", "source_kind", "source_id"),
        Index("ix_action_item_status_due", "status", "due_date"),
        # The action plan's orders (migration 0008): due date (undated items read after the
        # dated ones, each part an index range) and last update.
        Index("ix_action_item_due", "due_date", "id"),
        Index("ix_action_item_updated", "updated_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    ref_year: Mapped[int] = mapped_column(Integer)
    ref_seq: Mapped[int] = mapped_column(Integer)
    reference: Mapped[str] = mapped_column(String(20), unique=True)
    title: Mapped[str] = mapped_column(String(300))  # what: the improvement, as an action
    details: Mapped[str] = mapped_column(Text, default="")
    department_id: Mapped[int | None] = mapped_column(ForeignKey("department.id"), index=True)
    location: Mapped[str] = mapped_column(String(200), default="")
    owner_user_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    owner_name: Mapped[str] = mapped_column(String(120), default="")  # shown; a named person
    supporting: Mapped[str] = mapped_column(String(300), default="")
    due_date: Mapped[dt.date | None] = mapped_column(Date)
    resources: Mapped[str] = mapped_column(Text, default="")
    cost_category: Mapped[str | None] = mapped_column(String(_CODE))
    cost_cny: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    hierarchy_level: Mapped[str | None] = mapped_column(String(_CODE))
    verification_method: Mapped[str] = mapped_column(Text, default="")
    gender_relevant: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(_CODE), default="proposed")
    status_reason: Mapped[str] = mapped_column(Text, default="")  # why deferred/rejected/...
    status_changed_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    reopened_count: Mapped[int] = mapped_column(Integer, default=0)
    verified_by: Mapped[str] = mapped_column(String(120), default="")
    verified_on: Mapped[dt.date | None] = mapped_column(Date)
    source_kind: Mapped[str] = mapped_column(String(20), default="other")
    source_id: Mapped[int | None] = mapped_column(Integer)
    source_item: Mapped[str] = mapped_column(String(60), default="")
    source_label: Mapped[str] = mapped_column(String(200), default="")
    created_by: Mapped[str] = mapped_column(String(40))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    department: Mapped[Department | None] = relationship()
    owner_user: Mapped[User | None] = relationship()


class ActionUpdate(Base):
    """One line of an item's follow-up trail: who changed what, when and why."""

    __tablename__ = "action_update"

    id: Mapped[int] = mapped_column(primary_key=True)
    action_id: Mapped[int] = mapped_column(
        ForeignKey("action_item.id", ondelete="CASCADE"), index=True
    )
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    actor: Mapped[str] = mapped_column(String(40))
    actor_name: Mapped[str] = mapped_column(String(120), default="")
    kind: Mapped[str] = mapped_column(String(20))  # create, edit, status, evidence, note
    old_status: Mapped[str | None] = mapped_column(String(_CODE))
    new_status: Mapped[str | None] = mapped_column(String(_CODE))
    changes: Mapped[str] = mapped_column(Text, default="{}")  # JSON {field: [old, new]}
    comment: Mapped[str] = mapped_column(Text, default="")


class ActionEvidence(Base):
    """A photo (before/after) or a document attached to an item, stored in the database."""

    __tablename__ = "action_evidence"

    id: Mapped[int] = mapped_column(primary_key=True)
    action_id: Mapped[int] = mapped_column(
        ForeignKey("action_item.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(_CODE))
    filename: Mapped[str] = mapped_column(String(200))
    mime_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    caption: Mapped[str] = mapped_column(String(300), default="")
    added_by: Mapped[str] = mapped_column(String(40))
    added_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    data: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
