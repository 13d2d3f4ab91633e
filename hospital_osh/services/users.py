"""Users, passwords (Argon2), roles and login with lockout."""

from __future__ import annotations

import contextlib
import datetime as dt
from dataclasses import dataclass
from functools import cache

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hospital_osh.domain.accounts import (
    LOCKOUT,
    MAX_FAILED_LOGINS,
    MIN_PASSWORD_LENGTH,
    USERNAME_PATTERN,
    is_locked,
)
from hospital_osh.domain.roles import Permission, Role
from hospital_osh.i18n import LANGUAGES, _, format_datetime
from hospital_osh.models import User
from hospital_osh.models.base import utcnow
from hospital_osh.services import audit
from hospital_osh.services.context import Actor
from hospital_osh.services.database import Database
from hospital_osh.services.errors import NotFound, UserError, ValidationError
from hospital_osh.services.text_checks import has_control_characters, text_problem


@cache
def _hasher():  # type: ignore[no-untyped-def]
    from argon2 import PasswordHasher

    return PasswordHasher()


@cache
def _dummy_hash() -> str:
    """A hash to verify against when the user does not exist, so timing reveals nothing."""
    return str(_hasher().hash("not a real password, only for timing"))


@dataclass(frozen=True)
class UserInfo:
    id: int
    username: str
    display_name: str
    role: str
    active: bool
    locked_until: dt.datetime | None
    failed_logins: int
    language: str
    version: int

    @classmethod
    def of(cls, user: User) -> UserInfo:
        return cls(
            user.id,
            user.username,
            user.display_name,
            user.role,
            user.active,
            user.locked_until,
            user.failed_logins,
            user.language,
            user.version,
        )


class LoginFailed(UserError):
    """Wrong user name or password, a locked account or a disabled user (message says which)."""


def _check_password(password: str, field: str = "password") -> dict[str, str]:
    if len(password) < MIN_PASSWORD_LENGTH:
        return {
            field: _("The password must have at least {n} characters.").format(
                n=MIN_PASSWORD_LENGTH
            )
        }
    return {}


def _check_role(role: str) -> dict[str, str]:
    if role not in set(Role):
        return {
            "role": _("Unknown role '{role}'. Choose one of: {roles}.").format(
                role=role, roles=", ".join(Role)
            )
        }
    return {}


def _check_language(language: str) -> dict[str, str]:
    if language not in LANGUAGES:
        return {"language": _("Unknown language '{language}'.").format(language=language)}
    return {}


def _get(session: Session, username: str) -> User:
    if has_control_characters(username):
        raise NotFound(_("There is no user '{username}'.").format(username=username))
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        raise NotFound(_("There is no user '{username}'.").format(username=username))
    return user


def count_admins(session: Session) -> int:
    return (
        session.scalar(
            select(func.count(User.id)).where(User.role == Role.ADMIN, User.active.is_(True))
        )
        or 0
    )


def create_user(
    session: Session,
    actor: Actor,
    *,
    username: str,
    display_name: str,
    role: str,
    password: str,
    language: str = "zh_CN",
    bootstrap: bool = False,
) -> UserInfo:
    """Create a user. ``bootstrap`` lets first-run setup create the first admin (no admin yet)."""
    if not (bootstrap and count_admins(session) == 0):
        actor.require(Permission.MANAGE_USERS)
    username = username.strip()
    errors: dict[str, str] = {}
    if not USERNAME_PATTERN.match(username):
        errors["username"] = _(
            "A user name has 2 to 40 letters, digits, dots, dashes or underscores."
        )
    elif session.scalar(select(User.id).where(User.username == username)) is not None:
        errors["username"] = _("The user name '{username}' is taken.").format(username=username)
    if not display_name.strip():
        errors["display_name"] = _("Enter the person's name.")
    elif problem := text_problem(display_name, 120):
        errors["display_name"] = problem
    errors |= _check_role(role) | _check_password(password) | _check_language(language)
    if errors:
        raise ValidationError(errors)
    user = User(
        username=username,
        display_name=display_name.strip(),
        role=role,
        password_hash=_hasher().hash(password),
        language=language,
        active=True,
        failed_logins=0,
    )
    session.add(user)
    session.flush()
    audit.record(
        session,
        actor,
        "create",
        "user",
        user.id,
        audit.created(
            {
                "username": username,
                "display_name": user.display_name,
                "role": role,
                "language": language,
                "active": True,
            }
        ),
    )
    return UserInfo.of(user)


def list_users(session: Session, actor: Actor) -> list[UserInfo]:
    actor.require(Permission.MANAGE_USERS)
    return [UserInfo.of(u) for u in session.scalars(select(User).order_by(User.username))]


def get_user(session: Session, username: str) -> UserInfo:
    return UserInfo.of(_get(session, username))


def update_user(
    session: Session,
    actor: Actor,
    username: str,
    *,
    display_name: str | None = None,
    role: str | None = None,
    language: str | None = None,
) -> UserInfo:
    """Change a user's name, role or language. Users may change their own language."""
    own_language_only = actor.username == username and display_name is None and role is None
    if not own_language_only:
        actor.require(Permission.MANAGE_USERS)
    user = _get(session, username)
    errors: dict[str, str] = {}
    if role is not None:
        errors |= _check_role(role)
        # A disabled admin is not counted by count_admins, so demoting one never removes the last.
        last_admin = user.role == Role.ADMIN and user.active and count_admins(session) <= 1
        if last_admin and role != Role.ADMIN:
            errors["role"] = _("This is the last administrator; keep at least one.")
    if language is not None:
        errors |= _check_language(language)
    if display_name is not None and not display_name.strip():
        errors["display_name"] = _("Enter the person's name.")
    elif display_name is not None and (problem := text_problem(display_name, 120)):
        errors["display_name"] = problem
    if errors:
        raise ValidationError(errors)
    before = {"display_name": user.display_name, "role": user.role, "language": user.language}
    if display_name is not None:
        user.display_name = display_name.strip()
    if role is not None:
        user.role = role
    if language is not None:
        user.language = language
    after = {"display_name": user.display_name, "role": user.role, "language": user.language}
    session.flush()
    audit.record(session, actor, "update", "user", user.id, audit.diff(before, after))
    return UserInfo.of(user)


def set_password(session: Session, actor: Actor, username: str, password: str) -> None:
    """Set a new password (admins for anyone, users for themselves); also unlocks."""
    if actor.username != username:
        actor.require(Permission.MANAGE_USERS)
    errors = _check_password(password)
    if errors:
        raise ValidationError(errors)
    user = _get(session, username)
    user.password_hash = _hasher().hash(password)
    user.failed_logins = 0
    user.locked_until = None
    session.flush()
    audit.record(
        session,
        actor,
        "set_password",
        "user",
        user.id,
        {"password": [audit.REDACTED, audit.REDACTED]},
    )


def set_active(session: Session, actor: Actor, username: str, active: bool) -> None:
    actor.require(Permission.MANAGE_USERS)
    user = _get(session, username)
    if not active and user.role == Role.ADMIN and user.active and count_admins(session) <= 1:
        raise UserError(_("This is the last administrator; it cannot be disabled."))
    if user.active == active:
        return
    user.active = active
    session.flush()
    audit.record(
        session,
        actor,
        "enable" if active else "disable",
        "user",
        user.id,
        {"active": [not active, active]},
    )


def lock(session: Session, actor: Actor, username: str, until: dt.datetime | None = None) -> None:
    actor.require(Permission.MANAGE_USERS)
    user = _get(session, username)
    user.locked_until = until or (utcnow() + dt.timedelta(days=36500))
    session.flush()
    audit.record(
        session,
        actor,
        "lock",
        "user",
        user.id,
        {"locked_until": [None, user.locked_until.isoformat()]},
    )


def unlock(session: Session, actor: Actor, username: str) -> None:
    actor.require(Permission.MANAGE_USERS)
    user = _get(session, username)
    before = user.locked_until
    user.locked_until = None
    user.failed_logins = 0
    session.flush()
    audit.record(
        session,
        actor,
        "unlock",
        "user",
        user.id,
        {"locked_until": [before.isoformat() if before else None, None]},
    )


def authenticate(
    session: Session, username: str, password: str, now: dt.datetime | None = None
) -> Actor:
    """Check a login. Failures are counted and audited in the caller's transaction, which the
    caller commits even when LoginFailed is raised (see ``login``)."""
    from argon2.exceptions import InvalidHashError, VerificationError

    now = now or utcnow()
    # A name PostgreSQL cannot even compare (NUL) is an unknown user, answered in the same time.
    valid_name = not has_control_characters(username)
    user = (
        session.scalar(select(User).where(User.username == username.strip()))
        if valid_name
        else None
    )
    system = Actor(username=username.strip()[:40] or "?", role=Role.VIEWER)
    if user is None:
        with contextlib.suppress(VerificationError):
            _hasher().verify(_dummy_hash(), password + "x")
        raise LoginFailed(_("Wrong user name or password."))
    if is_locked(user.locked_until, now):
        assert user.locked_until is not None
        raise LoginFailed(
            _(
                "This account is locked until {time} after too many failed "
                "logins. Wait, or ask an administrator to unlock it."
            ).format(time=format_datetime(_local(user.locked_until), "short"))
        )
    try:
        _hasher().verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        user.failed_logins += 1
        changes: dict[str, list[object]] = {
            "failed_logins": [user.failed_logins - 1, user.failed_logins]
        }
        if user.failed_logins >= MAX_FAILED_LOGINS:
            user.locked_until = now + LOCKOUT
            user.failed_logins = 0
            changes["locked_until"] = [None, user.locked_until.isoformat()]
        session.flush()
        audit.record(session, system, "login_failed", "user", user.id, changes)
        if user.locked_until is not None and is_locked(user.locked_until, now):
            raise LoginFailed(
                _("Too many failed logins: the account is locked for {minutes} minutes.").format(
                    minutes=int(LOCKOUT.total_seconds() // 60)
                )
            ) from None
        raise LoginFailed(_("Wrong user name or password.")) from None
    if not user.active:
        raise LoginFailed(_("This user is disabled. Ask an administrator."))
    user.failed_logins = 0
    user.locked_until = None
    user.last_login_at = now
    session.flush()
    actor = Actor(
        username=user.username, role=user.role, user_id=user.id, display_name=user.display_name
    )
    audit.record(session, actor, "login", "user", user.id)
    return actor


def _local(value: dt.datetime) -> dt.datetime:
    """Stored UTC -> the machine's local time, for messages."""
    return value.replace(tzinfo=dt.UTC).astimezone().replace(tzinfo=None)


def login(database: Database, username: str, password: str) -> Actor:
    """Authenticate in its own transaction, keeping failed-attempt counts even on failure."""
    failure: LoginFailed | None = None
    with database.transaction() as session:
        try:
            return authenticate(session, username, password)
        except LoginFailed as error:
            failure = error
    raise failure
