"""imported exposures keep their age and years-in-post bands

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-29 04:00:00

An exposure imported from an exchange file for a typed-in worker (no staff number, so no birth or
hire date on file) arrives with ``age_band`` and ``tenure_band`` only. Two nullable columns keep
them, so that the record leaves again with the same bands; they are used only when the exact age
or years in post are unknown.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("exposure", schema=None) as batch_op:
        batch_op.add_column(sa.Column("age_band", sa.String(length=10), nullable=True))
        batch_op.add_column(sa.Column("tenure_band", sa.String(length=10), nullable=True))


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        # SQLite (3.35+) drops a plain column in place; a batch rebuild would have to drop the
        # exposure table, which the post-exposure tables reference with foreign keys on.
        op.execute("ALTER TABLE exposure DROP COLUMN tenure_band")
        op.execute("ALTER TABLE exposure DROP COLUMN age_band")
    else:
        op.drop_column("exposure", "tenure_band")
        op.drop_column("exposure", "age_band")
