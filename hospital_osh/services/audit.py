"""The audit trail: every service write appends one event in its own transaction.

Events are hash-chained: each stores the previous event's hash and its own hash over its content
and that link. Altering or deleting a stored event breaks the chain at that point, and
``verify_chain`` names the first event where it breaks.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from hospital_osh.domain.roles import Permission
from hospital_osh.i18n import _, ngettext
from hospital_osh.models import AuditEvent
from hospital_osh.models.base import utcnow
from hospital_osh.services.context import Actor

GENESIS = "0" * 64
REDACTED = "***"
_PG_AUDIT_LOCK = 73_657_001  # advisory lock key that serialises appends on PostgreSQL


def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return value


def diff(old: Mapping[str, Any], new: Mapping[str, Any]) -> dict[str, list[Any]]:
    """Fields whose value changed, as ``{field: [old, new]}``."""
    keys = sorted(set(old) | set(new))
    return {
        key: [_plain(old.get(key)), _plain(new.get(key))]
        for key in keys
        if _plain(old.get(key)) != _plain(new.get(key))
    }


def created(values: Mapping[str, Any]) -> dict[str, list[Any]]:
    return {key: [None, _plain(value)] for key, value in sorted(values.items())}


def _digest(event: AuditEvent) -> str:
    payload = json.dumps(
        [
            event.at.isoformat(timespec="microseconds"),
            event.actor,
            event.action,
            event.entity,
            event.entity_id,
            event.changes,
            event.prev_hash,
        ],
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def record(
    session: Session,
    actor: Actor,
    action: str,
    entity: str,
    entity_id: object,
    changes: Mapping[str, list[Any]] | None = None,
) -> AuditEvent:
    """Append an event in the caller's transaction (which must also hold the write)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_AUDIT_LOCK})
    previous = session.scalar(select(AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1))
    event = AuditEvent(
        at=utcnow(),
        actor=actor.username,
        action=action,
        entity=entity,
        entity_id=str(entity_id),
        changes=json.dumps(changes or {}, ensure_ascii=False, sort_keys=True, default=str),
        prev_hash=previous or GENESIS,
    )
    event.hash = _digest(event)
    session.add(event)
    session.flush()
    return event


@dataclass(frozen=True)
class ChainReport:
    ok: bool
    checked: int
    bad_event_id: int | None = None
    reason: str = ""

    def message(self) -> str:
        if self.ok:
            return ngettext(
                "Audit trail intact: {count} event verified.",
                "Audit trail intact: {count} events verified.",
                self.checked,
            ).format(count=self.checked)
        return _("Audit trail broken at event {id}: {reason}").format(
            id=self.bad_event_id, reason=self.reason
        )


def verify_chain(session: Session, batch: int = 5000) -> ChainReport:
    """Walk the whole chain in id order; stop at the first event that does not verify."""
    expected_prev = GENESIS
    checked = 0
    last_id = 0
    while True:
        events = session.scalars(
            select(AuditEvent).where(AuditEvent.id > last_id).order_by(AuditEvent.id).limit(batch)
        ).all()
        if not events:
            return ChainReport(ok=True, checked=checked)
        for event in events:
            if event.prev_hash != expected_prev:
                return ChainReport(
                    ok=False,
                    checked=checked,
                    bad_event_id=event.id,
                    reason=_("the event before it was deleted or altered"),
                )
            if _digest(event) != event.hash:
                return ChainReport(
                    ok=False,
                    checked=checked,
                    bad_event_id=event.id,
                    reason=_("its content was altered after it was written"),
                )
            expected_prev = event.hash
            checked += 1
            last_id = event.id
        session.expunge_all()


@dataclass(frozen=True)
class AuditFilter:
    start: dt.datetime | None = None
    end: dt.datetime | None = None
    actor: str | None = None
    entity: str | None = None
    action: str | None = None


@dataclass(frozen=True)
class AuditRow:
    id: int
    at: dt.datetime
    actor: str
    action: str
    entity: str
    entity_id: str
    changes: dict[str, list[Any]]


def _filtered(query, filters: AuditFilter):  # type: ignore[no-untyped-def]
    if filters.start:
        query = query.where(AuditEvent.at >= filters.start)
    if filters.end:
        query = query.where(AuditEvent.at < filters.end)
    if filters.actor:
        query = query.where(AuditEvent.actor == filters.actor)
    if filters.entity:
        query = query.where(AuditEvent.entity == filters.entity)
    if filters.action:
        query = query.where(AuditEvent.action == filters.action)
    return query


def list_events(
    session: Session, actor: Actor, filters: AuditFilter, offset: int = 0, limit: int = 200
) -> list[AuditRow]:
    """Newest first."""
    actor.require(Permission.VIEW_AUDIT)
    query = _filtered(select(AuditEvent), filters).order_by(AuditEvent.id.desc())
    rows = session.scalars(query.offset(offset).limit(limit)).all()
    return [
        AuditRow(r.id, r.at, r.actor, r.action, r.entity, r.entity_id, json.loads(r.changes))
        for r in rows
    ]


def count_events(session: Session, actor: Actor, filters: AuditFilter) -> int:
    actor.require(Permission.VIEW_AUDIT)
    return session.scalar(_filtered(select(func.count(AuditEvent.id)), filters)) or 0


def distinct_values(session: Session, actor: Actor, column: str) -> list[str]:
    """The actors, entities or actions that occur, for filter pickers."""
    actor.require(Permission.VIEW_AUDIT)
    attribute = {
        "actor": AuditEvent.actor,
        "entity": AuditEvent.entity,
        "action": AuditEvent.action,
    }[column]
    return list(session.scalars(select(attribute).distinct().order_by(attribute)))
