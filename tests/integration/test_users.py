"""Users: creation rules, login with lockout, disabled and locked accounts, the last admin."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from argon2 import PasswordHasher
from sqlalchemy import select

from hospital_osh.domain.accounts import LOCKOUT, MAX_FAILED_LOGINS
from hospital_osh.domain.roles import Role
from hospital_osh.models import AuditEvent, User
from hospital_osh.models.base import utcnow
from hospital_osh.services import users
from hospital_osh.services.context import Actor
from hospital_osh.services.database import Database
from hospital_osh.services.errors import UserError, ValidationError
from hospital_osh.services.users import LoginFailed, login

PASSWORD = "correct horse 1"


@pytest.fixture(autouse=True)
def fast_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Cheap Argon2 parameters: the rules under test do not depend on the cost."""
    hasher = PasswordHasher(time_cost=1, memory_cost=64, parallelism=1)
    monkeypatch.setattr(users, "_hasher", lambda: hasher)


def add(database: Database, admin: Actor, username: str, role: str = Role.REPORTER) -> None:
    with database.transaction() as session:
        users.create_user(
            session,
            admin,
            username=username,
            display_name=username.title(),
            role=role,
            password=PASSWORD,
        )


def stored(database: Database, username: str) -> User:
    with database.session() as session:
        user = session.scalars(select(User).where(User.username == username)).one()
        session.expunge(user)
        return user


def test_create_user_stores_a_hash_and_audits_without_the_password(
    database: Database, admin: Actor
) -> None:
    add(database, admin, "li.na", Role.OSH_OFFICER)
    user = stored(database, "li.na")
    assert user.role == Role.OSH_OFFICER and user.active and user.failed_logins == 0
    assert user.password_hash.startswith("$argon2") and PASSWORD not in user.password_hash
    with database.session() as session:
        event = session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
    assert event is not None and (event.action, event.entity) == ("create", "user")
    assert PASSWORD not in event.changes and json.loads(event.changes)["role"] == [
        None,
        Role.OSH_OFFICER,
    ]


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"password": "short"}, "password", "at least 10 characters"),
        ({"role": "superuser"}, "role", "Unknown role 'superuser'"),
        ({"username": "a b"}, "username", "2 to 40 letters"),
        ({"display_name": "  "}, "display_name", "Enter the person's name"),
        ({"language": "fr"}, "language", "Unknown language 'fr'"),
    ],
)
def test_create_user_validation(
    database: Database, admin: Actor, changes: dict[str, str], field: str, message: str
) -> None:
    values = {
        "username": "zhang",
        "display_name": "Zhang",
        "role": Role.VIEWER,
        "password": PASSWORD,
        "language": "zh_CN",
    } | changes
    with database.transaction() as session, pytest.raises(ValidationError) as error:
        users.create_user(session, admin, **values)
    assert list(error.value.fields) == [field]
    assert message in error.value.fields[field]


def test_duplicate_username_is_refused(database: Database, admin: Actor) -> None:
    add(database, admin, "wang")
    with database.transaction() as session, pytest.raises(ValidationError) as error:
        users.create_user(
            session, admin, username="wang", display_name="W", role="viewer", password=PASSWORD
        )
    assert error.value.fields == {"username": "The user name 'wang' is taken."}


def test_login_returns_the_actor_and_records_the_time(database: Database, admin: Actor) -> None:
    add(database, admin, "zhao", Role.OSH_OFFICER)
    actor = login(database, "zhao", PASSWORD)
    assert (actor.username, actor.role) == ("zhao", Role.OSH_OFFICER)
    assert stored(database, "zhao").last_login_at is not None


def test_wrong_password_and_unknown_user_give_the_same_message(
    database: Database, admin: Actor
) -> None:
    add(database, admin, "zhao")
    with pytest.raises(LoginFailed, match=r"^Wrong user name or password\.$"):
        login(database, "zhao", "wrong password")
    with pytest.raises(LoginFailed, match=r"^Wrong user name or password\.$"):
        login(database, "nobody", PASSWORD)
    assert stored(database, "zhao").failed_logins == 1


def test_five_wrong_passwords_lock_the_account(database: Database, admin: Actor) -> None:
    add(database, admin, "zhao")
    for _attempt in range(MAX_FAILED_LOGINS - 1):
        with pytest.raises(LoginFailed, match="Wrong user name or password"):
            login(database, "zhao", "wrong password")
    with pytest.raises(LoginFailed) as error:
        login(database, "zhao", "wrong password")
    assert str(error.value) == "Too many failed logins: the account is locked for 15 minutes."
    user = stored(database, "zhao")
    assert user.locked_until is not None
    assert user.locked_until - utcnow() <= LOCKOUT
    assert user.locked_until - utcnow() > LOCKOUT - dt.timedelta(minutes=1)

    with pytest.raises(LoginFailed, match=r"^This account is locked until .+ after too many"):
        login(database, "zhao", PASSWORD)  # even the right password, while locked

    with database.session() as session:
        failed = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "login_failed")
        ).all()
    assert len(failed) == MAX_FAILED_LOGINS
    assert "locked_until" in json.loads(failed[-1].changes)


def test_the_lock_ends_by_itself_and_an_admin_can_unlock(database: Database, admin: Actor) -> None:
    add(database, admin, "zhao")
    with database.transaction() as session:
        users.lock(session, admin, "zhao", until=utcnow() - dt.timedelta(seconds=1))
    assert login(database, "zhao", PASSWORD).username == "zhao"  # expired lock
    with database.transaction() as session:
        users.lock(session, admin, "zhao")
    with pytest.raises(LoginFailed, match="locked"):
        login(database, "zhao", PASSWORD)
    with database.transaction() as session:
        users.unlock(session, admin, "zhao")
    assert login(database, "zhao", PASSWORD).username == "zhao"


def test_success_resets_the_failure_counter(database: Database, admin: Actor) -> None:
    add(database, admin, "zhao")
    for _attempt in range(MAX_FAILED_LOGINS - 1):
        with pytest.raises(LoginFailed):
            login(database, "zhao", "wrong password")
    login(database, "zhao", PASSWORD)
    assert stored(database, "zhao").failed_logins == 0
    for _attempt in range(MAX_FAILED_LOGINS - 1):
        with pytest.raises(LoginFailed, match="Wrong user name or password"):
            login(database, "zhao", "wrong password")
    assert stored(database, "zhao").locked_until is None


def test_a_disabled_user_cannot_log_in(database: Database, admin: Actor) -> None:
    add(database, admin, "zhao")
    with database.transaction() as session:
        users.set_active(session, admin, "zhao", False)
    with pytest.raises(LoginFailed) as error:
        login(database, "zhao", PASSWORD)
    assert str(error.value) == "This user is disabled. Ask an administrator."
    with database.transaction() as session:
        users.set_active(session, admin, "zhao", True)
    assert login(database, "zhao", PASSWORD).username == "zhao"


def test_set_password_checks_length_unlocks_and_lets_users_change_their_own(
    database: Database, admin: Actor
) -> None:
    add(database, admin, "zhao")
    zhao = Actor("zhao", Role.REPORTER)
    with database.transaction() as session, pytest.raises(ValidationError, match="at least 10"):
        users.set_password(session, zhao, "zhao", "short")
    with database.transaction() as session:
        users.lock(session, admin, "zhao")
    with database.transaction() as session:
        users.set_password(session, zhao, "zhao", "a new password")
    assert login(database, "zhao", "a new password").username == "zhao"
    with pytest.raises(LoginFailed):
        login(database, "zhao", PASSWORD)


def test_the_last_admin_cannot_be_disabled_or_demoted(database: Database, admin: Actor) -> None:
    add(database, admin, "boss", Role.ADMIN)
    with database.transaction() as session, pytest.raises(UserError) as disabled:
        users.set_active(session, admin, "boss", False)
    assert str(disabled.value) == "This is the last administrator; it cannot be disabled."
    with database.transaction() as session, pytest.raises(ValidationError) as demoted:
        users.update_user(session, admin, "boss", role=Role.VIEWER)
    assert demoted.value.fields == {"role": "This is the last administrator; keep at least one."}
    assert stored(database, "boss").role == Role.ADMIN and stored(database, "boss").active

    add(database, admin, "deputy", Role.ADMIN)  # with a second admin, both are allowed
    with database.transaction() as session:
        users.update_user(session, admin, "boss", role=Role.VIEWER)
    with database.transaction() as session, pytest.raises(UserError, match="last administrator"):
        users.set_active(session, admin, "deputy", False)


def test_a_disabled_admin_does_not_count_and_may_be_demoted(
    database: Database, admin: Actor
) -> None:
    add(database, admin, "boss", Role.ADMIN)
    add(database, admin, "old", Role.ADMIN)
    with database.transaction() as session:
        users.set_active(session, admin, "old", False)
    with database.transaction() as session:
        users.update_user(session, admin, "old", role=Role.VIEWER)
    assert stored(database, "old").role == Role.VIEWER


def test_users_may_change_their_own_language_only(database: Database, admin: Actor) -> None:
    add(database, admin, "zhao")
    zhao = Actor("zhao", Role.REPORTER)
    with database.transaction() as session:
        users.update_user(session, zhao, "zhao", language="en")
    assert stored(database, "zhao").language == "en"
    with database.transaction() as session, pytest.raises(UserError, match="does not allow"):
        users.update_user(session, zhao, "zhao", display_name="Boss")
