"""Migrations with real data: for every schema revision, a database populated at the revision
before it upgrades without losing a row or changing a stored value; then it goes one step down and
up again, still whole.

Data-driven: the revisions come from Alembic and the rows are made by reflecting whatever tables
exist at the earlier revision (every column filled, foreign keys pointing at seeded rows), so each
new revision is covered the day it lands. A column whose values a migration converts on purpose
goes in ``CONVERTED``; a column whose generic value a constraint refuses gets a realistic one in
``SEED_VALUES``.
"""

from __future__ import annotations

import datetime as dt
import decimal
from collections.abc import Callable
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from hospital_osh.services.audit import GENESIS
from hospital_osh.services.database import Database, _alembic_config

ROWS = 3
FIRST_ID = 1000  # explicit keys far above what a data migration's own inserts would take
SKIP_TABLES = frozenset({"alembic_version"})
# (table, column) -> value for row i, where the generic value would break a constraint.
SEED_VALUES: dict[tuple[str, str], Callable[[int], object]] = {
    ("audit_event", "prev_hash"): lambda i: GENESIS,
}
# (revision, table, column): values the revision converts on purpose (not compared).
CONVERTED: frozenset[tuple[str, str, str]] = frozenset()


def _revisions() -> list[str]:
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(_alembic_config(None))
    return [r.revision for r in reversed(list(script.walk_revisions()))]


REVISIONS = _revisions()
STEPS = [(REVISIONS[i - 1], REVISIONS[i]) for i in range(1, len(REVISIONS))]


def _generic(column: sa.Column[Any], table: str, row: int) -> object:
    kind = column.type
    if isinstance(kind, sa.Boolean):
        return row % 2 == 0
    if isinstance(kind, sa.Integer):
        return FIRST_ID + row
    if isinstance(kind, sa.Numeric) and not isinstance(kind, sa.Float):
        return decimal.Decimal(f"{row}.25")
    if isinstance(kind, sa.Float):
        return 1.5 + row
    if isinstance(kind, sa.DateTime):
        return dt.datetime(2025, 3, 1 + row, 8, 30, 15)
    if isinstance(kind, sa.Date):
        return dt.date(2025, 3, 1 + row)
    if isinstance(kind, sa.LargeBinary):
        return b"\x00\xffbytes" + bytes([row])
    if isinstance(kind, sa.JSON):
        return {"row": row}
    if isinstance(kind, sa.String):  # also Text, Unicode
        value = f"{table[:8]}.{column.name}.{row}-数据"
        length = getattr(kind, "length", None)
        return value[-length:] if length else value
    raise AssertionError(
        f"no sample value for {table}.{column.name} ({kind!r}): add one to SEED_VALUES"
    )


def _seed(connection: Connection) -> dict[str, list[dict[str, object]]]:
    """ROWS rows in every table (parents first); returns what was written, per table."""
    metadata = sa.MetaData()
    metadata.reflect(connection)
    seeded: dict[str, list[dict[str, object]]] = {}
    for table in metadata.sorted_tables:
        if table.name in SKIP_TABLES:
            continue
        rows: list[dict[str, object]] = []
        for row in range(ROWS):
            values: dict[str, object] = {}
            for column in table.columns:
                override = SEED_VALUES.get((table.name, column.name))
                foreign = next(iter(column.foreign_keys), None)
                if override is not None:
                    values[column.name] = override(row)
                elif foreign is not None:
                    parent = foreign.column.table.name
                    if parent == table.name or parent not in seeded:
                        values[column.name] = None
                    else:
                        values[column.name] = seeded[parent][row][foreign.column.name]
                else:
                    values[column.name] = _generic(column, table.name, row)
            rows.append(values)
        try:
            connection.execute(table.insert(), rows)
        except sa.exc.DBAPIError as error:
            raise AssertionError(
                f"seeding {table.name} failed ({error.orig}): add values to SEED_VALUES"
            ) from error
        seeded[table.name] = rows
    return seeded


def _check(
    connection: Connection, seeded: dict[str, list[dict[str, object]]], revision: str
) -> None:
    """Every seeded table still holds its rows with the values written (columns that still
    exist, except those the revision converts on purpose)."""
    metadata = sa.MetaData()
    metadata.reflect(connection)
    for name, rows in seeded.items():
        assert name in metadata.tables, f"{revision} dropped the table {name} and its rows"
        table = metadata.tables[name]
        kept = [c for c in rows[0] if c in table.columns and (revision, name, c) not in CONVERTED]
        key = [c for c in table.primary_key.columns] or [table.columns[kept[0]]]
        stored = connection.execute(sa.select(*(table.c[c] for c in kept)).order_by(*key)).all()
        assert len(stored) == len(rows), f"{revision}: {name} has {len(stored)} rows"
        expected = [tuple(row[c] for c in kept) for row in rows]  # seeded in key order
        for got, want in zip(stored, expected, strict=True):
            for column, value, wanted in zip(kept, got, want, strict=True):
                assert _same(value, wanted), f"{revision}: {name}.{column} {value!r} != {wanted!r}"


def _same(value: object, wanted: object) -> bool:
    if isinstance(wanted, float) and isinstance(value, int | float | decimal.Decimal):
        return abs(float(value) - wanted) < 1e-9
    if isinstance(wanted, dt.datetime) and isinstance(value, dt.datetime):
        return value.replace(tzinfo=None) == wanted
    return value == wanted


def _clear_seeded_audit(database: Database) -> None:
    """The seeded audit events are not a chain; the fixture verifies the real one afterwards."""
    with database.engine.begin() as connection:
        connection.execute(sa.text("DELETE FROM audit_event"))


@pytest.mark.parametrize(("previous", "revision"), STEPS, ids=[r for _p, r in STEPS])
def test_upgrade_of_a_populated_database_keeps_every_row(
    database: Database, previous: str, revision: str
) -> None:
    database.downgrade(previous)
    with database.engine.begin() as connection:
        seeded = _seed(connection)
    assert seeded, "nothing was seeded"

    database.upgrade(revision)
    with database.engine.connect() as connection:
        _check(connection, seeded, revision)

    database.downgrade(previous)  # one step down...
    with database.engine.connect() as connection:
        _check(connection, seeded, f"{revision} downgraded")
    database.upgrade(revision)  # ...and back
    with database.engine.connect() as connection:
        _check(connection, seeded, f"{revision} upgraded again")

    database.upgrade()  # and on to the newest schema
    with database.engine.connect() as connection:
        _check(connection, seeded, "head")
    _clear_seeded_audit(database)


def test_every_revision_is_covered() -> None:
    """Guards the parametrisation itself: each revision after the first is one step."""
    assert [revision for _previous, revision in STEPS] == REVISIONS[1:]
    assert len(REVISIONS) >= 2
