"""indexes justified by the benchmark query plans

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-29 04:00:00

``python bench/run.py --size L`` (100,000 exposures) showed these sorts of the exposures page
reading the whole table into a temporary B-tree (``USE TEMP B-TREE FOR ORDER BY`` in
``EXPLAIN QUERY PLAN``) at 50-160 ms per page on SQLite: reported date, hours to report,
location, worker name, exposure type (descending) and status. Each index below lets the page
walk the index in the requested order and stop after one page; ``id`` is the tie-breaker of every
list order (``ORDER BY column, id``), so PostgreSQL can use the same index in both directions.
"""

from __future__ import annotations

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

# (index name, table, columns); the models declare the same in ``__table_args__``.
INDEXES: tuple[tuple[str, str, list[str]], ...] = (
    ("ix_exposure_reported_at", "exposure", ["reported_at", "id"]),
    ("ix_exposure_hours_to_report", "exposure", ["hours_to_report", "id"]),
    ("ix_exposure_location_type", "exposure", ["location_type", "id"]),
    ("ix_exposure_worker_name", "exposure", ["worker_name", "id"]),
    ("ix_exposure_type_id", "exposure", ["exposure_type", "id"]),
    ("ix_exposure_status_id", "exposure", ["status", "id"]),
)


def upgrade() -> None:
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns, unique=False)


def downgrade() -> None:
    for name, table, _columns in reversed(INDEXES):
        op.drop_index(name, table_name=table)
