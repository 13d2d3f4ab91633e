"""post-exposure: reopened cases keep their earlier outcome; a hospital's schedule offsets

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-29 09:00:00

``case_reopening`` keeps the outcome a case had when someone reopened it (with the reason), so
the outcome stays in the case's history while ``case_outcome`` is free for the next closing.
``protocol_adjustment`` holds the hospital's own due day and window for a protocol's schedule
item (with the reason), merged over the shipped protocol file.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "case_reopening",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("exposure_id", sa.Integer(), nullable=False),
        sa.Column("previous_status", sa.String(length=40), nullable=False),
        sa.Column("previous_outcome", sa.String(length=40), nullable=False),
        sa.Column("seroconversion_date", sa.Date(), nullable=True),
        sa.Column("outcome_note", sa.Text(), nullable=False),
        sa.Column("closed_by", sa.String(length=40), nullable=False),
        sa.Column("closed_at", sa.DateTime(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("reopened_by", sa.String(length=40), nullable=False),
        sa.Column("reopened_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["exposure_id"],
            ["exposure.id"],
            name=op.f("fk_case_reopening_exposure_id_exposure"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_reopening")),
    )
    op.create_index(
        op.f("ix_case_reopening_exposure_id"), "case_reopening", ["exposure_id"], unique=False
    )
    op.create_table(
        "protocol_adjustment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("protocol_id", sa.String(length=40), nullable=False),
        sa.Column("schedule", sa.String(length=80), nullable=False),
        sa.Column("item_id", sa.String(length=80), nullable=False),
        sa.Column("due", sa.Integer(), nullable=False),
        sa.Column("window_start", sa.Integer(), nullable=False),
        sa.Column("window_end", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("changed_by", sa.String(length=40), nullable=False),
        sa.Column("changed_at", sa.DateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_protocol_adjustment")),
        sa.UniqueConstraint(
            "protocol_id", "schedule", "item_id", name=op.f("uq_protocol_adjustment_protocol_id")
        ),
    )


def downgrade() -> None:
    op.drop_table("protocol_adjustment")
    op.drop_index(op.f("ix_case_reopening_exposure_id"), table_name="case_reopening")
    op.drop_table("case_reopening")
