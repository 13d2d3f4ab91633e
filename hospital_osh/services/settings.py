"""Hospital-wide settings: a small registry of known keys, each with a default and a validator."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from hospital_osh.domain.codes import N_
from hospital_osh.domain.protocols import DEFAULT_PROTOCOL, PROTOCOL_FILES
from hospital_osh.domain.risk_matrix import DEFAULT_MATRIX, MATRIX_FILES
from hospital_osh.domain.roles import Permission
from hospital_osh.i18n import _
from hospital_osh.models import Setting
from hospital_osh.services import audit
from hospital_osh.services.context import Actor
from hospital_osh.services.errors import ValidationError


def _int_between(low: int, high: int) -> Callable[[str], str | None]:
    def check(value: str) -> str | None:
        if not value.strip().isdigit() or not low <= int(value) <= high:
            return _("Enter a whole number from {low} to {high}.").format(low=low, high=high)
        return None

    return check


def _one_of(choices: tuple[str, ...]) -> Callable[[str], str | None]:
    def check(value: str) -> str | None:
        if value.strip() not in choices:
            return _("Choose one of: {choices}.").format(choices=", ".join(choices))
        return None

    return check


@dataclass(frozen=True)
class SettingSpec:
    key: str
    default: str
    label: str
    check: Callable[[str], str | None]


SETTINGS: dict[str, SettingSpec] = {
    spec.key: spec
    for spec in (
        SettingSpec("backup_keep", "10", N_("Automatic backups to keep"), _int_between(1, 365)),
        SettingSpec(
            "session_timeout_minutes",
            "15",
            N_("Lock the window after this many idle minutes (0 = never)"),
            _int_between(0, 480),
        ),
        # The hazard register's matrix (resources/risk_matrices); hazards.set_risk_matrix too.
        SettingSpec(
            "risk_matrix",
            DEFAULT_MATRIX,
            N_("Risk matrix of the hazard register"),
            _one_of(tuple(MATRIX_FILES)),
        ),
        # The post-exposure protocol (resources/protocols); services.post_exposure loads it.
        SettingSpec(
            "post_exposure_protocol",
            DEFAULT_PROTOCOL,
            N_("Post-exposure protocol (china or cdc)"),
            _one_of(tuple(PROTOCOL_FILES)),
        ),
    )
}


def _spec(key: str) -> SettingSpec:
    if key not in SETTINGS:
        raise ValidationError(
            {
                "key": _("Unknown setting '{key}'. Known settings: {keys}.").format(
                    key=key, keys=", ".join(sorted(SETTINGS))
                )
            }
        )
    return SETTINGS[key]


def get_setting(session: Session, key: str) -> str:
    spec = _spec(key)
    value = session.scalar(select(Setting.value).where(Setting.key == key))
    return spec.default if value is None else value


def all_settings(session: Session) -> dict[str, str]:
    stored = {key: value for key, value in session.execute(select(Setting.key, Setting.value))}
    return {key: stored.get(key, spec.default) for key, spec in sorted(SETTINGS.items())}


def set_setting(session: Session, actor: Actor, key: str, value: str) -> None:
    actor.require(Permission.MANAGE_HOSPITAL)
    spec = _spec(key)
    value = value.strip()
    problem = spec.check(value)
    if problem:
        raise ValidationError({key: problem})
    row = session.get(Setting, key)
    old = row.value if row else spec.default
    if row is None:
        session.add(Setting(key=key, value=value))
    else:
        row.value = value
    session.flush()
    audit.record(session, actor, "update", "setting", key, audit.diff({key: old}, {key: value}))
