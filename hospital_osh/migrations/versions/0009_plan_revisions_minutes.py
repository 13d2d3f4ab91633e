"""action-plan revisions and minutes approval

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-29 09:00:00

Three new tables, no change to existing ones (so no batch rebuild of tables that others reference):

- ``hw_plan_revision``: each committee approval of a HealthWISE round's action plan, frozen as a
  JSON snapshot; editing the plan afterwards leaves it untouched (domain/healthwise.md b.1).
- ``committee_minutes``: the versions of a meeting's minutes with their sign-off state (draft,
  circulated, approved, locked); a correction after approval starts a new version and keeps the
  approved one as a snapshot (d.4). A meeting without a row has draft minutes, version 1.
- ``committee_minutes_signature``: the co-chairs' approvals of one version (name, role, time).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "hw_plan_revision",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("assessment_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("approved_at", sa.DateTime(), nullable=False),
        sa.Column("approved_by", sa.String(length=40), nullable=False),
        sa.Column("approved_by_name", sa.String(length=120), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("snapshot", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["assessment_id"],
            ["hw_assessment.id"],
            name=op.f("fk_hw_plan_revision_assessment_id_hw_assessment"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["meeting_id"],
            ["committee_meeting.id"],
            name=op.f("fk_hw_plan_revision_meeting_id_committee_meeting"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hw_plan_revision")),
        sa.UniqueConstraint(
            "assessment_id", "number", name=op.f("uq_hw_plan_revision_assessment_id")
        ),
    )
    op.create_index(
        op.f("ix_hw_plan_revision_assessment_id"),
        "hw_plan_revision",
        ["assessment_id"],
        unique=False,
    )
    op.create_table(
        "committee_minutes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=40), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("state_changed_at", sa.DateTime(), nullable=False),
        sa.Column("state_changed_by", sa.String(length=40), nullable=False),
        sa.Column("superseded_at", sa.DateTime(), nullable=True),
        sa.Column("snapshot", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["meeting_id"],
            ["committee_meeting.id"],
            name=op.f("fk_committee_minutes_meeting_id_committee_meeting"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_committee_minutes")),
        sa.UniqueConstraint("meeting_id", "version", name=op.f("uq_committee_minutes_meeting_id")),
    )
    op.create_index(
        op.f("ix_committee_minutes_meeting_id"), "committee_minutes", ["meeting_id"], unique=False
    )
    op.create_table(
        "committee_minutes_signature",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("minutes_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=True),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("committee_role", sa.String(length=40), nullable=False),
        sa.Column("side", sa.String(length=40), nullable=False),
        sa.Column("signed_at", sa.DateTime(), nullable=False),
        sa.Column("recorded_by", sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["committee_member.id"],
            name=op.f("fk_committee_minutes_signature_member_id_committee_member"),
        ),
        sa.ForeignKeyConstraint(
            ["minutes_id"],
            ["committee_minutes.id"],
            name=op.f("fk_committee_minutes_signature_minutes_id_committee_minutes"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_committee_minutes_signature")),
        sa.UniqueConstraint(
            "minutes_id",
            "committee_role",
            name=op.f("uq_committee_minutes_signature_minutes_id"),
        ),
    )
    op.create_index(
        op.f("ix_committee_minutes_signature_minutes_id"),
        "committee_minutes_signature",
        ["minutes_id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index(
        op.f("ix_committee_minutes_signature_minutes_id"),
        table_name="committee_minutes_signature",
    )
    op.drop_table("committee_minutes_signature")
    op.drop_index(op.f("ix_committee_minutes_meeting_id"), table_name="committee_minutes")
    op.drop_table("committee_minutes")
    op.drop_index(op.f("ix_hw_plan_revision_assessment_id"), table_name="hw_plan_revision")
    op.drop_table("hw_plan_revision")
