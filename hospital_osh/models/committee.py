"""The OSH committee: members, meetings with attendance, and decisions on items reviewed.

A decision names what it is about by ``action_id`` (an action item) or ``assessment_id`` (a
HealthWISE plan), and records the status it led to, so the minutes show both the decision and
its effect.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hospital_osh.models.base import Base, UuidMixin, VersionedMixin, utcnow

_CODE = 40


class CommitteeMember(VersionedMixin, Base):
    __tablename__ = "committee_member"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    committee_role: Mapped[str] = mapped_column(String(_CODE))  # chair, secretary, member...
    side: Mapped[str] = mapped_column(String(_CODE))  # management or worker representative
    department_id: Mapped[int | None] = mapped_column(ForeignKey("department.id"))
    sex: Mapped[str | None] = mapped_column(String(10))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    term_start: Mapped[dt.date | None] = mapped_column(Date)
    term_end: Mapped[dt.date | None] = mapped_column(Date)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class CommitteeMeeting(UuidMixin, VersionedMixin, Base):
    __tablename__ = "committee_meeting"

    id: Mapped[int] = mapped_column(primary_key=True)
    held_on: Mapped[dt.date] = mapped_column(Date, index=True)
    start_time: Mapped[str] = mapped_column(String(5), default="")  # HH:MM, local
    place: Mapped[str] = mapped_column(String(200), default="")
    agenda: Mapped[str] = mapped_column(Text, default="")
    minutes: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(_CODE), default="planned")  # planned, held
    next_meeting_on: Mapped[dt.date | None] = mapped_column(Date)
    created_by: Mapped[str] = mapped_column(String(40))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    attendance: Mapped[list[MeetingAttendance]] = relationship(
        back_populates="meeting", cascade="all, delete-orphan", order_by="MeetingAttendance.id"
    )


class MeetingAttendance(Base):
    __tablename__ = "committee_attendance"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("committee_meeting.id", ondelete="CASCADE"), index=True
    )
    member_id: Mapped[int | None] = mapped_column(ForeignKey("committee_member.id"))
    name: Mapped[str] = mapped_column(String(120))
    attendance: Mapped[str] = mapped_column(String(_CODE))  # present, absent, guest
    side: Mapped[str] = mapped_column(String(_CODE), default="")

    meeting: Mapped[CommitteeMeeting] = relationship(back_populates="attendance")


class MeetingDecision(Base):
    __tablename__ = "committee_decision"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("committee_meeting.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer)
    decision: Mapped[str] = mapped_column(String(_CODE))
    action_id: Mapped[int | None] = mapped_column(ForeignKey("action_item.id"), index=True)
    assessment_id: Mapped[int | None] = mapped_column(ForeignKey("hw_assessment.id"))
    old_status: Mapped[str | None] = mapped_column(String(_CODE))
    new_status: Mapped[str | None] = mapped_column(String(_CODE))
    subject: Mapped[str] = mapped_column(String(300), default="")  # what, as minuted
    note: Mapped[str] = mapped_column(Text, default="")
    decided_by: Mapped[str] = mapped_column(String(40))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class MinutesVersion(Base):
    """One version of a meeting's minutes and where it stands in the sign-off.

    A meeting without a row has draft minutes, version 1. Correcting approved minutes freezes
    the approved version (``snapshot``: JSON of what the minutes said, ``superseded_at``) with its
    signatures, and starts version ``version + 1`` in draft with the reason for the correction.
    """

    __tablename__ = "committee_minutes"
    __table_args__ = (UniqueConstraint("meeting_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("committee_meeting.id", ondelete="CASCADE"), index=True
    )
    version: Mapped[int] = mapped_column(Integer)
    state: Mapped[str] = mapped_column(String(_CODE), default="draft")
    reason: Mapped[str] = mapped_column(Text, default="")  # why this version corrects the last
    state_changed_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    state_changed_by: Mapped[str] = mapped_column(String(40))
    superseded_at: Mapped[dt.datetime | None] = mapped_column()
    snapshot: Mapped[str] = mapped_column(Text, default="")

    signatures: Mapped[list[MinutesSignature]] = relationship(
        back_populates="minutes", cascade="all, delete-orphan", order_by="MinutesSignature.id"
    )


class MinutesSignature(Base):
    """A co-chair's approval of one version of the minutes: name, role and time."""

    __tablename__ = "committee_minutes_signature"
    __table_args__ = (UniqueConstraint("minutes_id", "committee_role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    minutes_id: Mapped[int] = mapped_column(
        ForeignKey("committee_minutes.id", ondelete="CASCADE"), index=True
    )
    member_id: Mapped[int | None] = mapped_column(ForeignKey("committee_member.id"))
    name: Mapped[str] = mapped_column(String(120))
    committee_role: Mapped[str] = mapped_column(String(_CODE))
    side: Mapped[str] = mapped_column(String(_CODE), default="")
    signed_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    recorded_by: Mapped[str] = mapped_column(String(40))  # the account that recorded it

    minutes: Mapped[MinutesVersion] = relationship(back_populates="signatures")
