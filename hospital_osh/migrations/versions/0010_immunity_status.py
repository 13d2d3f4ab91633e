"""stored derived immunity status

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-29 09:00:00

``worker_hbv_status`` keeps each worker's hepatitis B status over time as spells of one status
(``valid_from`` up to the day before ``valid_to``; NULL: the status now), derived from the doses
and results by ``domain.immunity.status_spells``, so that coverage on any day (the dashboard's
tile and its value at the end of the previous period, the summary report) is one grouped query
instead of a derivation of every worker in Python. The upgrade fills it for the records that
exist, reading them as they are at this revision; the downgrade drops it (the records it is
derived from are untouched).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import sqlalchemy as sa
from alembic import op

from hospital_osh.domain import immunity

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

INVALID_RECORDS = "invalid_records"  # records that contradict each other (services.immunisation)
BATCH = 5_000

# The two source tables as they are at this revision (never the current models).
_doses = sa.table(
    "hbv_vaccine_dose",
    sa.column("id", sa.Integer()),
    sa.column("worker_id", sa.Integer()),
    sa.column("given_on", sa.Date()),
    sa.column("series", sa.Integer()),
    sa.column("dose_number", sa.Integer()),
    sa.column("doses_in_series", sa.Integer()),
    sa.column("product", sa.String()),
    sa.column("dose_ug", sa.Float()),
)
_results = sa.table(
    "serology_result",
    sa.column("id", sa.Integer()),
    sa.column("worker_id", sa.Integer()),
    sa.column("test", sa.String()),
    sa.column("tested_on", sa.Date()),
    sa.column("value", sa.Float()),
    sa.column("result", sa.String()),
)


def _create() -> sa.Table:
    return op.create_table(
        "worker_hbv_status",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("worker_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=40), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_to", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["worker_id"], ["worker.id"], name=op.f("fk_worker_hbv_status_worker_id_worker")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_worker_hbv_status")),
        sa.UniqueConstraint("worker_id", "valid_from", name=op.f("uq_worker_hbv_status_worker_id")),
    )


def _spell_rows(connection: sa.engine.Connection) -> list[dict[str, Any]]:
    """Every worker's spells, from the records as the services read them: anti-HBs with a
    value, other tests with a result, in the order they were recorded within a day."""
    doses: dict[int, list[immunity.VaccineDose]] = defaultdict(list)
    anti_hbs: dict[int, list[immunity.AntiHbsResult]] = defaultdict(list)
    qualitative: dict[tuple[int, str], list[immunity.QualitativeResult]] = defaultdict(list)
    for row in connection.execute(
        sa.select(
            _doses.c.worker_id,
            _doses.c.given_on,
            _doses.c.dose_number,
            _doses.c.product,
            _doses.c.series,
            _doses.c.doses_in_series,
            _doses.c.dose_ug,
        )
    ):
        doses[row.worker_id].append(
            immunity.VaccineDose(
                row.given_on,
                row.dose_number,
                row.product,
                row.series,
                row.doses_in_series,
                row.dose_ug,
            )
        )
    for row in connection.execute(
        sa.select(
            _results.c.worker_id,
            _results.c.test,
            _results.c.tested_on,
            _results.c.value,
            _results.c.result,
        ).order_by(_results.c.tested_on, _results.c.id)
    ):
        if row.test == "anti_hbs":
            if row.value is not None:
                anti_hbs[row.worker_id].append(immunity.AntiHbsResult(row.tested_on, row.value))
        elif row.test in ("hbsag", "anti_hbc") and row.result is not None:
            qualitative[(row.worker_id, row.test)].append(
                immunity.QualitativeResult(row.tested_on, row.result)
            )
    workers = sorted(set(doses) | set(anti_hbs) | {w for w, _test in qualitative})
    return [
        {
            "worker_id": worker,
            "status": str(spell.status) if spell.status is not None else INVALID_RECORDS,
            "valid_from": spell.start,
            "valid_to": spell.end,
        }
        for worker in workers
        for spell in immunity.status_spells(
            doses[worker],
            anti_hbs[worker],
            qualitative[(worker, "hbsag")],
            qualitative[(worker, "anti_hbc")],
        )
    ]


def upgrade() -> None:
    table = _create()
    op.create_index(
        "ix_worker_hbv_status_status",
        "worker_hbv_status",
        ["status", "valid_from", "valid_to", "worker_id"],
        unique=False,
    )
    rows = _spell_rows(op.get_bind())
    for start in range(0, len(rows), BATCH):
        op.bulk_insert(table, rows[start : start + BATCH])


def downgrade() -> None:
    op.drop_index("ix_worker_hbv_status_status", table_name="worker_hbv_status")
    op.drop_table("worker_hbv_status")
