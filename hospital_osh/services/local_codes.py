"""A hospital's own entries in the extensible code lists (a device brand, a local device type).

Built-in entries come from ``domain.exposure_codes`` and are translated through the catalogue;
local entries carry their own Chinese and English labels. ``entries`` merges both, so forms,
filters and reports offer a hospital's additions without code changes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from hospital_osh.domain.codes import Code
from hospital_osh.domain.exposure_codes import EXTENSIBLE_LISTS, builtin
from hospital_osh.domain.roles import Permission
from hospital_osh.i18n import _, current_language
from hospital_osh.models import LocalCode
from hospital_osh.services import audit
from hospital_osh.services.context import Actor
from hospital_osh.services.errors import NotFound, ValidationError
from hospital_osh.services.text_checks import text_problem

CODE_PATTERN = re.compile(r"^[a-z][a-z0-9_]{1,39}$")
LOCAL = "local"


@dataclass(frozen=True)
class LocalCodeInfo:
    list_name: str
    code: str
    label_zh: str
    label_en: str
    active: bool = True
    id: int | None = None


def _info(row: LocalCode) -> LocalCodeInfo:
    return LocalCodeInfo(row.list_name, row.code, row.label_zh, row.label_en, row.active, row.id)


def _as_code(row: LocalCode) -> Code:
    return Code(
        row.code,
        row.label_en or row.label_zh,
        {LOCAL: "1", "label_zh": row.label_zh, "label_en": row.label_en},
    )


def display_label(entry: Code, language: str | None = None) -> str:
    """The label to show: a local entry's own label in ``language``, else the translation."""
    if entry.extra.get(LOCAL):
        zh, en = entry.extra.get("label_zh", ""), entry.extra.get("label_en", "")
        return (zh or en) if (language or current_language()) == "zh_CN" else (en or zh)
    return _(entry.label)


def entries(session: Session, list_name: str, *, include_inactive: bool = False) -> list[Code]:
    """Built-in entries first (in their order), then the hospital's own, by code."""
    result = list(builtin(list_name))
    if list_name in EXTENSIBLE_LISTS:
        query = select(LocalCode).where(LocalCode.list_name == list_name)
        if not include_inactive:
            query = query.where(LocalCode.active.is_(True))
        result += [_as_code(row) for row in session.scalars(query.order_by(LocalCode.code))]
    return result


def local_labels(session: Session) -> dict[tuple[str, str], tuple[str, str]]:
    """(list, code) -> (label_zh, label_en) of every local entry, for DTOs and reports."""
    rows = session.execute(
        select(LocalCode.list_name, LocalCode.code, LocalCode.label_zh, LocalCode.label_en)
    ).all()
    return {(r[0], r[1]): (r[2], r[3]) for r in rows}


def accepted_codes(session: Session) -> dict[str, set[str]]:
    """List name -> every code a record may hold (built-in and local, inactive included, so that
    deactivating an entry does not make old records invalid)."""
    accepted = {name: set(builtin(name).codes) for name in EXTENSIBLE_LISTS}
    for list_name, code in session.execute(select(LocalCode.list_name, LocalCode.code)):
        accepted.setdefault(list_name, set()).add(code)
    return accepted


def list_local_codes(session: Session, list_name: str | None = None) -> list[LocalCodeInfo]:
    query = select(LocalCode).order_by(LocalCode.list_name, LocalCode.code)
    if list_name:
        query = query.where(LocalCode.list_name == list_name)
    return [_info(row) for row in session.scalars(query)]


def _validate(session: Session, info: LocalCodeInfo) -> dict[str, str]:
    errors: dict[str, str] = {}
    if info.list_name not in EXTENSIBLE_LISTS:
        errors["list_name"] = _("This list cannot be extended.")
        return errors
    if not CODE_PATTERN.match(info.code):
        errors["code"] = _(
            "Use 2 to 40 lower-case letters, digits and underscores, starting with a letter."
        )
    elif info.code in builtin(info.list_name) or session.scalar(
        select(LocalCode.id).where(
            LocalCode.list_name == info.list_name, LocalCode.code == info.code
        )
    ):
        errors["code"] = _("The code '{code}' is already in this list.").format(code=info.code)
    errors |= _label_errors(info.label_zh.strip(), info.label_en.strip())
    return errors


def _label_errors(label_zh: str, label_en: str) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not label_zh and not label_en:
        errors["label_zh"] = _("Enter a label (Chinese or English).")
    elif len(label_zh) > 200 or len(label_en) > 200:
        errors["label_zh"] = _("A label has at most 200 characters.")
    for name, text in (("label_zh", label_zh), ("label_en", label_en)):
        problem = text_problem(text)
        if problem:
            errors.setdefault(name, problem)
    return errors


def add_local_code(session: Session, actor: Actor, info: LocalCodeInfo) -> LocalCodeInfo:
    actor.require(Permission.MANAGE_HOSPITAL)
    info = LocalCodeInfo(
        info.list_name, info.code.strip(), info.label_zh.strip(), info.label_en.strip()
    )
    errors = _validate(session, info)
    if errors:
        raise ValidationError(errors)
    row = LocalCode(
        list_name=info.list_name,
        code=info.code,
        label_zh=info.label_zh,
        label_en=info.label_en,
        active=True,
    )
    session.add(row)
    session.flush()
    values = {
        "list_name": row.list_name,
        "code": row.code,
        "label_zh": row.label_zh,
        "label_en": row.label_en,
        "active": True,
    }
    audit.record(session, actor, "create", "local_code", row.id, audit.created(values))
    return _info(row)


def update_local_code(session: Session, actor: Actor, info: LocalCodeInfo) -> LocalCodeInfo:
    """Change an entry's labels. Its list and code stay: records store the code."""
    actor.require(Permission.MANAGE_HOSPITAL)
    row = session.scalar(
        select(LocalCode).where(LocalCode.list_name == info.list_name, LocalCode.code == info.code)
    )
    if row is None:
        raise NotFound(_("The entry no longer exists."))
    label_zh, label_en = info.label_zh.strip(), info.label_en.strip()
    errors = _label_errors(label_zh, label_en)
    if errors:
        raise ValidationError(errors)
    before = {"label_zh": row.label_zh, "label_en": row.label_en}
    after = {"label_zh": label_zh, "label_en": label_en}
    if before == after:
        return _info(row)
    row.label_zh, row.label_en = label_zh, label_en
    session.flush()
    audit.record(session, actor, "update", "local_code", row.id, audit.diff(before, after))
    return _info(row)


def set_local_code_active(
    session: Session, actor: Actor, list_name: str, code: str, active: bool
) -> None:
    """Deactivate (or reactivate): records that use the code keep it; forms stop offering it."""
    actor.require(Permission.MANAGE_HOSPITAL)
    row = session.scalar(
        select(LocalCode).where(LocalCode.list_name == list_name, LocalCode.code == code)
    )
    if row is None:
        raise NotFound(_("The entry no longer exists."))
    if row.active == active:
        return
    row.active = active
    session.flush()
    audit.record(
        session,
        actor,
        "reactivate" if active else "deactivate",
        "local_code",
        row.id,
        {"active": [not active, active]},
    )
