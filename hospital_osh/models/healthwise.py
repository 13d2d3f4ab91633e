"""Checklist templates (HealthWISE and others) and assessment rounds with their sheets.

A template is stored whole (modules and checkpoints, both languages) so that a round always
shows the texts it was answered against, even after the hospital imports a newer edition.
Each round has its team, one sheet per member who filled one, and one consensus sheet
(``member_id`` NULL) made by merging them.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hospital_osh.models.base import Base, UuidMixin, VersionedMixin, utcnow
from hospital_osh.models.people import Department

_CODE = 40


class ChecklistTemplate(UuidMixin, Base):
    __tablename__ = "checklist_template"
    __table_args__ = (UniqueConstraint("code", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(60))
    version: Mapped[str] = mapped_column(String(40))
    name_zh: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    description_zh: Mapped[str] = mapped_column(Text, default="")
    description_en: Mapped[str] = mapped_column(Text, default="")
    source_note_zh: Mapped[str] = mapped_column(Text, default="")
    source_note_en: Mapped[str] = mapped_column(Text, default="")
    working_version: Mapped[bool] = mapped_column(Boolean, default=False)
    origin: Mapped[str] = mapped_column(String(20))  # shipped, imported
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_by: Mapped[str] = mapped_column(String(40))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    modules: Mapped[list[ChecklistModule]] = relationship(
        back_populates="template", cascade="all, delete-orphan", order_by="ChecklistModule.position"
    )


class ChecklistModule(Base):
    __tablename__ = "checklist_module"
    __table_args__ = (UniqueConstraint("template_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    template_id: Mapped[int] = mapped_column(
        ForeignKey("checklist_template.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer)
    code: Mapped[str] = mapped_column(String(_CODE))
    title_zh: Mapped[str] = mapped_column(String(500))
    title_en: Mapped[str] = mapped_column(String(500))
    verification: Mapped[str] = mapped_column(String(10), default="U")
    source: Mapped[str] = mapped_column(Text, default="")

    template: Mapped[ChecklistTemplate] = relationship(back_populates="modules")
    checkpoints: Mapped[list[Checkpoint]] = relationship(
        back_populates="module", cascade="all, delete-orphan", order_by="Checkpoint.position"
    )


class Checkpoint(Base):
    __tablename__ = "checkpoint"
    __table_args__ = (UniqueConstraint("template_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    template_id: Mapped[int] = mapped_column(
        ForeignKey("checklist_template.id", ondelete="CASCADE"), index=True
    )
    module_id: Mapped[int] = mapped_column(
        ForeignKey("checklist_module.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer)  # order within the whole template
    code: Mapped[str] = mapped_column(String(_CODE))
    title_zh: Mapped[str] = mapped_column(String(500))
    title_en: Mapped[str] = mapped_column(String(500))
    why_zh: Mapped[str] = mapped_column(Text, default="")
    why_en: Mapped[str] = mapped_column(Text, default="")
    how_zh: Mapped[str] = mapped_column(Text, default="")
    how_en: Mapped[str] = mapped_column(Text, default="")
    verification: Mapped[str] = mapped_column(String(10), default="U")
    source: Mapped[str] = mapped_column(Text, default="")

    module: Mapped[ChecklistModule] = relationship(back_populates="checkpoints")


class Assessment(UuidMixin, VersionedMixin, Base):
    """One round of a template in one area on one date, by a team."""

    __tablename__ = "hw_assessment"

    id: Mapped[int] = mapped_column(primary_key=True)
    template_id: Mapped[int] = mapped_column(ForeignKey("checklist_template.id"), index=True)
    department_id: Mapped[int | None] = mapped_column(ForeignKey("department.id"), index=True)
    area: Mapped[str] = mapped_column(String(200))
    assessed_on: Mapped[dt.date] = mapped_column(Date)
    state: Mapped[str] = mapped_column(String(_CODE), default="draft", index=True)
    previous_id: Mapped[int | None] = mapped_column(ForeignKey("hw_assessment.id"))
    notes: Mapped[str] = mapped_column(Text, default="")
    returned_reason: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[str] = mapped_column(String(40))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    template: Mapped[ChecklistTemplate] = relationship()
    department: Mapped[Department | None] = relationship()
    members: Mapped[list[AssessmentMember]] = relationship(
        back_populates="assessment", cascade="all, delete-orphan", order_by="AssessmentMember.id"
    )


class AssessmentMember(Base):
    """A member of the round's team: managers and staff of several professions."""

    __tablename__ = "hw_member"

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(
        ForeignKey("hw_assessment.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(120))
    team_role: Mapped[str] = mapped_column(String(_CODE))
    job_category: Mapped[str | None] = mapped_column(String(_CODE))
    sex: Mapped[str | None] = mapped_column(String(10))

    assessment: Mapped[Assessment] = relationship(back_populates="members")


class ChecklistSheet(Base):
    """A member's sheet, or the consensus sheet (``member_id`` NULL) of a round."""

    __tablename__ = "hw_sheet"
    __table_args__ = (UniqueConstraint("assessment_id", "member_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(
        ForeignKey("hw_assessment.id", ondelete="CASCADE"), index=True
    )
    member_id: Mapped[int | None] = mapped_column(ForeignKey("hw_member.id", ondelete="CASCADE"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class ChecklistAnswer(Base):
    __tablename__ = "hw_answer"
    __table_args__ = (UniqueConstraint("sheet_id", "checkpoint_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    sheet_id: Mapped[int] = mapped_column(ForeignKey("hw_sheet.id", ondelete="CASCADE"))
    checkpoint_id: Mapped[int] = mapped_column(ForeignKey("checkpoint.id"), index=True)
    answer: Mapped[str] = mapped_column(String(_CODE), default="unanswered")
    priority: Mapped[bool] = mapped_column(Boolean, default=False)
    remarks: Mapped[str] = mapped_column(Text, default="")
    good_practice: Mapped[str] = mapped_column(Text, default="")
    location_detail: Mapped[str] = mapped_column(String(200), default="")
    no_action_reason: Mapped[str] = mapped_column(Text, default="")
    disputed: Mapped[bool] = mapped_column(Boolean, default=False)


class PlanRevision(Base):
    """An approved revision of a round's action plan, kept read-only for audit.

    The committee's approval freezes the plan as it stood (``snapshot``: JSON of the plan lines
    and their items); editing the plan afterwards leaves this row untouched, and the next
    approval adds revision ``number + 1`` (domain/healthwise.md b.1).
    """

    __tablename__ = "hw_plan_revision"
    __table_args__ = (UniqueConstraint("assessment_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(
        ForeignKey("hw_assessment.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[int] = mapped_column(Integer)
    approved_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    approved_by: Mapped[str] = mapped_column(String(40))
    approved_by_name: Mapped[str] = mapped_column(String(120), default="")
    meeting_id: Mapped[int | None] = mapped_column(
        ForeignKey("committee_meeting.id", ondelete="SET NULL")
    )
    note: Mapped[str] = mapped_column(Text, default="")
    snapshot: Mapped[str] = mapped_column(Text)
