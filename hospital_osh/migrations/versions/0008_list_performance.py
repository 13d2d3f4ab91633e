"""indexes for the follow-ups, hazards and action lists

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-29 09:00:00

``python bench/run.py --size L --only lists`` (issue 10) printed these plans before; each index
below turns the list's first page into an index walk that stops after one page (the plans after
are printed by the same command):

- ``ix_followup_urgency`` (state, window_end, due_date, id, window_start) replaces
  ``ix_followup_state_window_end``: the follow-ups list orders open items by window end, due
  date and id. Before, the order ended with the exposure's reference (a join), so the first page
  sorted all 68,782 open items (``USE TEMP B-TREE FOR ORDER BY``, 176 ms). ``window_start`` comes
  last so that the tab counts ("due this week" tests both ends of the window) read the index
  alone (``COVERING INDEX``), and deep pages skip index entries instead of rows.
- ``ix_hazard_review_order`` (status, next_review_on, ref_seq) replaces
  ``ix_hazard_status_review``: the register sorted by next review walked the index but sorted
  each date's hazards by reference (``USE TEMP B-TREE FOR RIGHT PART OF ORDER BY``); the review
  filters use the same prefix.
- ``ix_hazard_level_order`` (status, current_likelihood, current_severity, ref_seq): the default
  order (level of the matrix in force, a CASE over the cell) cannot come from an index, but the
  page's ids are now found from this index alone instead of 5,000 table rows (3.7 -> 1.7 ms).
- ``ix_action_item_due`` (due_date, id) and ``ix_action_item_updated`` (updated_at, id): the
  action plan's default order (due date, undated items last, read in two index ranges) and the
  "last update" order sorted the whole table before.
- ``ix_exposure_department_id`` (department_id, id): the exposures page sorted by department
  walks the departments by code and each department's records by id (PostgreSQL sorted all
  100,000 records over an outer join: 116 ms).
"""

from __future__ import annotations

from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

# (index name, table, columns); the models declare the same in ``__table_args__``.
NEW: tuple[tuple[str, str, list[str]], ...] = (
    ("ix_followup_urgency", "followup", ["state", "window_end", "due_date", "id", "window_start"]),
    ("ix_hazard_review_order", "hazard", ["status", "next_review_on", "ref_seq"]),
    (
        "ix_hazard_level_order",
        "hazard",
        ["status", "current_likelihood", "current_severity", "ref_seq"],
    ),
    ("ix_action_item_due", "action_item", ["due_date", "id"]),
    ("ix_action_item_updated", "action_item", ["updated_at", "id"]),
    ("ix_exposure_department_id", "exposure", ["department_id", "id"]),
)
# Indexes the new ones make redundant (each is a prefix of one above), as 0003 and 0005 made them.
REPLACED: tuple[tuple[str, str, list[str]], ...] = (
    ("ix_followup_state_window_end", "followup", ["state", "window_end"]),
    ("ix_hazard_status_review", "hazard", ["status", "next_review_on"]),
)


def upgrade() -> None:
    for name, table, columns in NEW:
        op.create_index(name, table, columns, unique=False)
    for name, table, _columns in REPLACED:
        op.drop_index(name, table_name=table)


def downgrade() -> None:
    for name, table, columns in REPLACED:
        op.create_index(name, table, columns, unique=False)
    for name, table, _columns in reversed(NEW):
        op.drop_index(name, table_name=table)
