"""a covering index for the period figures of the dashboard and the summary

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-29 11:00:00

The dashboard's key figures, trend and breakdowns (and the summary report's) aggregate the
exposures of a period by type, device, safety-engineered flag, job category, hours to report and
department. Each of those statements read every row of the period from the table itself: on the
L benchmark database a year is ~10,000 wide rows, and with SQLCipher every table page read is
decrypted, so the dashboard's "this year" took 0.85-0.95 s (seven scans of the same rows).
``EXPLAIN QUERY PLAN`` before: ``SEARCH exposure USING INDEX ix_exposure_occurred_at
(occurred_at>? AND occurred_at<?)`` (index, then a table row per entry); after: ``SEARCH exposure
USING COVERING INDEX ix_exposure_period_figures (occurred_at>? AND occurred_at<?)``.
The injuries-by-device breakdown filters on the type as well, which the planner serves with
``ix_exposure_type_occurred``; the device is added to that index so that it covers the statement
too (the exposures page's type filter uses the same leading columns as before).
"""

from __future__ import annotations

from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

COLUMNS = [
    "occurred_at",
    "exposure_type",
    "device_type",
    "device_safety_engineered",
    "job_category",
    "hours_to_report",
    "department_id",
]


def upgrade() -> None:
    op.create_index("ix_exposure_period_figures", "exposure", COLUMNS, unique=False)
    op.drop_index("ix_exposure_type_occurred", table_name="exposure")
    op.create_index(
        "ix_exposure_type_occurred",
        "exposure",
        ["exposure_type", "occurred_at", "device_type"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_exposure_type_occurred", table_name="exposure")
    op.create_index(
        "ix_exposure_type_occurred", "exposure", ["exposure_type", "occurred_at"], unique=False
    )
    op.drop_index("ix_exposure_period_figures", table_name="exposure")
