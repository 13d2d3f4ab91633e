"""stored derived immunity status

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-29 09:00:00

Reserved for this session's work; the engineer who owns it fills in the reason and the operations.
"""

from __future__ import annotations

import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
