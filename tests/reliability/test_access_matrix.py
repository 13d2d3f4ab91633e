"""Access control: every service operation x every role, allowed or refused, by calling the
services; viewers and reporters never receive an identity or a serostatus from any service; no
password reaches a log; login timing does not tell whether a user exists.

The tables are written out by hand on purpose: a change to ROLE_PERMISSIONS that changes who may
do what has to change this file too, where a reviewer sees it. To cover a new service, add its
call in ``operations.World.calls`` and its row here.
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import shutil
import statistics
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hospital_osh.cli import main
from hospital_osh.domain.roles import ROLE_PERMISSIONS, Permission, Role
from hospital_osh.models import AuditEvent
from hospital_osh.services import audit, exposures, followups, healthwise, users
from hospital_osh.services.context import Actor
from hospital_osh.services.database import Database, resolve_url
from hospital_osh.services.errors import NotFound, PermissionDenied
from tests.conftest import ADMIN, BACKENDS, POSTGRES_URL, actor, postgres_schema
from tests.reliability.operations import (
    RESULT_NOTE,
    ROLES,
    SECRET_TEXTS,
    UNCHECKED,
    World,
    service_functions,
)

# fmt: off
WRITES: dict[str, tuple[bool, bool, bool, bool, bool]] = {
    #                                      admin  officer committee reporter viewer
    "users.create_user":                  (True,  False,  False,    False,   False),
    "users.update_user":                  (True,  False,  False,    False,   False),
    "users.set_password":                 (True,  False,  False,    False,   False),
    "users.set_active":                   (True,  False,  False,    False,   False),
    "users.lock":                         (True,  False,  False,    False,   False),
    "users.unlock":                       (True,  False,  False,    False,   False),
    "hospital.save_profile":              (True,  False,  False,    False,   False),
    "hospital.save_department":           (True,  False,  False,    False,   False),
    "hospital.save_staffing":             (True,  False,  False,    False,   False),
    "settings.set_setting":               (True,  False,  False,    False,   False),
    "keys.set_recovery_passphrase":       (True,  False,  False,    False,   False),
    "local_codes.add_local_code":         (True,  False,  False,    False,   False),
    "local_codes.update_local_code":      (True,  False,  False,    False,   False),
    "local_codes.set_local_code_active":  (True,  False,  False,    False,   False),
    "workers.create_worker":              (True,  True,   False,    False,   False),
    "workers.update_worker":              (True,  True,   False,    False,   False),
    "workers.set_worker_active":          (True,  True,   False,    False,   False),
    "roster.apply_roster":                (True,  True,   False,    False,   False),
    "exposures.quick_report":             (True,  True,   False,    True,    False),
    "exposures.record_exposure":          (True,  True,   False,    False,   False),
    "exposures.update_exposure":          (True,  True,   False,    False,   False),
    "exposures.complete_exposure":        (True,  True,   False,    False,   False),
    "hazards.set_risk_matrix":            (True,  False,  False,    False,   False),
    "hazards.create_hazard":              (True,  True,   False,    False,   False),
    "hazards.update_hazard":              (True,  True,   False,    False,   False),
    "hazards.reassess_hazard":            (True,  True,   False,    False,   False),
    "hazards.accept_residual":            (True,  True,   False,    False,   False),
    "hazards.record_review_trigger":      (True,  True,   False,    False,   False),
    "hazards.retire_hazard":              (True,  True,   False,    False,   False),
    "hazards.propose_further_control":    (True,  True,   False,    False,   False),
    "actions.create_action":              (True,  True,   True,     False,   False),
    "actions.update_action":              (True,  True,   True,     False,   False),
    "actions.transition_action":          (True,  False,  True,     False,   False),  # approve
    "actions.add_note":                   (True,  True,   True,     False,   False),
    "actions.add_evidence":               (True,  True,   True,     False,   False),
    "followups.reschedule":               (True,  True,   False,    False,   False),
    "followups.enter_result":             (True,  True,   False,    False,   False),
    "followups.resolve":                  (True,  True,   False,    False,   False),
    "followups.reopen":                   (True,  True,   False,    False,   False),
    "immunisation.record_dose":           (True,  True,   False,    False,   False),
    "immunisation.record_serology":       (True,  True,   False,    False,   False),
    "immunisation.delete_dose":           (True,  True,   False,    False,   False),
    "immunisation.delete_serology":       (True,  True,   False,    False,   False),
    "post_exposure.assess_exposure":      (True,  True,   False,    False,   False),
    "post_exposure.ensure_assessed":      (True,  True,   False,    False,   False),
    "post_exposure.record_prophylaxis":   (True,  True,   False,    False,   False),
    "post_exposure.record_pep_course":    (True,  True,   False,    False,   False),
    "post_exposure.record_notification":  (True,  True,   False,    False,   False),
    "post_exposure.close_case":           (True,  True,   False,    False,   False),
    "post_exposure.reopen_case":          (True,  True,   False,    False,   False),
    "post_exposure.set_adjustment":       (True,  False,  False,    False,   False),
    "post_exposure.reset_adjustment":     (True,  False,  False,    False,   False),
    "healthwise.install_shipped_templates": (True,  True,   True,     False,   False),
    "healthwise.import_template":         (True,  True,   True,     False,   False),
    "healthwise.set_template_active":     (True,  True,   True,     False,   False),
    "healthwise.create_assessment":       (True,  True,   True,     False,   False),
    "healthwise.update_assessment":       (True,  True,   True,     False,   False),
    "healthwise.save_answers":            (True,  True,   True,     False,   False),
    "healthwise.set_no_action_reason":    (True,  True,   True,     False,   False),
    "healthwise.move_assessment":         (True,  True,   True,     False,   False),
    "healthwise.add_plan_action":         (True,  True,   True,     False,   False),
    "healthwise.create_actions_from_priorities": (True,  True,   True,     False,   False),
    "committee.save_member":              (True,  True,   True,     False,   False),
    "committee.create_meeting":           (True,  True,   True,     False,   False),
    "committee.update_meeting":           (True,  True,   True,     False,   False),
    "committee.record_decision":          (True,  False,  True,     False,   False),
    "committee.move_minutes":             (True,  True,   True,     False,   False),
    "committee.sign_minutes":             (True,  True,   True,     False,   False),
    "healthwise.approve_plan_revision":   (True,  False,  True,     False,   False),
}

READS: dict[str, tuple[bool, bool, bool, bool, bool]] = {
    #                                      admin  officer committee reporter viewer
    "users.list_users":                   (True,  False,  False,    False,   False),
    "workers.list_workers":               (True,  True,   True,     False,   True),
    "workers.count_workers":              (True,  True,   True,     False,   True),
    "workers.get_worker":                 (True,  True,   False,    False,   False),
    "exposures.find_workers":             (True,  True,   False,    True,    False),
    "exposures.check_exposure":           (True,  True,   True,     True,    True),
    "exposures.get_exposure":             (True,  True,   True,     False,   True),
    "exposures.list_exposures":           (True,  True,   True,     True,    True),
    "exposures.count_exposures":          (True,  True,   True,     True,    True),
    "audit.list_events":                  (True,  True,   False,    False,   False),
    "audit.count_events":                 (True,  True,   False,    False,   False),
    "audit.distinct_values":              (True,  True,   False,    False,   False),
    "hazards.get_hazard":                 (True,  True,   True,     False,   True),
    "hazards.list_hazards":               (True,  True,   True,     False,   True),
    "hazards.count_hazards":              (True,  True,   True,     False,   True),
    "hazards.cell_counts":                (True,  True,   True,     False,   True),
    "hazards.review_summary":             (True,  True,   True,     False,   True),
    "hazards.due_reviews":                (True,  True,   True,     False,   True),
    "hazards.owners":                     (True,  True,   True,     False,   True),
    "hazards.register_data":              (True,  True,   True,     False,   True),
    "hazards.further_controls":           (True,  True,   True,     False,   True),
    "actions.get_action":                 (True,  True,   True,     False,   True),
    "actions.list_evidence":              (True,  True,   True,     False,   True),
    "actions.evidence_data":              (True,  True,   True,     False,   True),
    "actions.list_updates":               (True,  True,   True,     False,   True),
    "actions.list_actions":               (True,  True,   True,     False,   True),
    "actions.count_actions":              (True,  True,   True,     False,   True),
    "actions.action_counts":              (True,  True,   True,     False,   True),
    "actions.actions_for_source":         (True,  True,   True,     False,   True),
    "actions.rows_by_ids":                (True,  True,   True,     False,   True),
    "summary.build_summary":              (True,  True,   True,     False,   True),
    "summary.export_rows":                (True,  True,   False,    False,   False),
    "summary.hazard_export_rows":         (True,  True,   False,    False,   False),
    "summary.action_export_rows":         (True,  True,   False,    False,   False),
    "followups.list_followups":           (True,  True,   False,    False,   False),
    "followups.count_followups":          (True,  True,   False,    False,   False),
    "followups.overdue_count":            (True,  True,   False,    False,   False),
    "followups.counts":                   (True,  True,   False,    False,   False),
    "followups.get_followup":             (True,  True,   False,    False,   False),
    "immunisation.immunity_status":       (True,  True,   False,    False,   False),
    "immunisation.history":               (True,  True,   False,    False,   False),
    "immunisation.coverage":              (True,  True,   True,     False,   True),
    "post_exposure.propose":              (True,  True,   False,    False,   False),
    "post_exposure.get_case":             (True,  True,   False,    False,   False),
    "post_exposure.propose_for":          (True,  True,   False,    False,   False),
    "post_exposure.reopenings":           (True,  True,   False,    False,   False),
    # Printing a case sheet reads the record as get_exposure does (masked for committee members
    # and viewers; another's report is NotFound for a reporter) and audits the print.
    "post_exposure.case_sheet_info":      (True,  True,   True,     False,   True),
    "summary.followup_export_rows":       (True,  True,   False,    False,   False),
    "healthwise.list_templates":          (True,  True,   True,     False,   True),
    "healthwise.get_template":            (True,  True,   True,     False,   True),
    "healthwise.get_assessment":          (True,  True,   True,     False,   True),
    "healthwise.list_assessments":        (True,  True,   True,     False,   True),
    "healthwise.count_assessments":       (True,  True,   True,     False,   True),
    "healthwise.get_sheet":               (True,  True,   True,     False,   True),
    "healthwise.get_plan":                (True,  True,   True,     False,   True),
    "healthwise.get_progress":            (True,  True,   True,     False,   True),
    "healthwise.period_summary":          (True,  True,   True,     False,   True),
    "committee.list_members":             (True,  True,   True,     False,   True),
    "committee.get_meeting":              (True,  True,   True,     False,   True),
    "committee.list_meetings":            (True,  True,   True,     False,   True),
    "committee.count_meetings":           (True,  True,   True,     False,   True),
    "committee.review_items":             (True,  True,   True,     False,   True),
    "committee.period_summary":           (True,  True,   True,     False,   True),
    "committee.minutes_history":          (True,  True,   True,     False,   True),
    "healthwise.plan_status":             (True,  True,   True,     False,   True),
    "healthwise.get_plan_revision":       (True,  True,   True,     False,   True),
    "healthwise.changed_plans":           (True,  True,   True,     False,   True),
    "dashboard.build_dashboard":          (True,  True,   True,     False,   True),
    "dashboard.immunity_figure":          (True,  True,   True,     False,   True),
    "dashboard.reporter_view":            (True,  True,   False,    True,    False),
}
# fmt: on
# A reporter reads get_exposure only for its own reports: the officer's record is NotFound for
# it, which the table shows as refused.
REFUSALS = (PermissionDenied, NotFound)


@pytest.fixture
def fast_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Cheap Argon2 parameters, except in the timing test, which needs the real cost."""
    hasher = PasswordHasher(time_cost=1, memory_cost=64, parallelism=1)
    monkeypatch.setattr(users, "_hasher", lambda: hasher)


@pytest.fixture
def world(database: Database, admin: Actor, tmp_path: Path, fast_hashing: None) -> World:
    return World(database, admin, tmp_path)


@pytest.fixture(scope="module", params=BACKENDS)
def shared_world(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    _sqlite_template: Path,
) -> Iterator[World]:
    """One world per backend for the whole access table (139 tests): every write attempt is
    rolled back and reads change nothing, so each test meets the same world, and building it
    once instead of 278 times saves minutes of every run. It lives in a database of its own
    (a copy of the template; a schema of its own on PostgreSQL) so that the tests using the
    ``database`` fixture, which empty theirs, cannot touch it. At the end the audit chain must
    still verify and hold exactly the events of building the world: a write that was not rolled
    back would have changed the world under the next tests."""
    folder = tmp_path_factory.mktemp("access-world")
    with contextlib.ExitStack() as stack:
        if request.param == "sqlite":
            path = folder / "osh.sqlite"
            shutil.copyfile(_sqlite_template, path)
            database = Database(resolve_url(path))
        else:
            database = stack.enter_context(_own_postgres_schema())
        stack.callback(database.dispose)
        with pytest.MonkeyPatch.context() as patch:  # not for the whole module: see the timing test
            hasher = PasswordHasher(time_cost=1, memory_cost=64, parallelism=1)
            patch.setattr(users, "_hasher", lambda: hasher)
            built = World(database, ADMIN, folder)
        with database.session() as session:
            events = _audit_count(session)
        yield built
        with database.session() as session:
            assert _audit_count(session) == events, "a write of the table was not rolled back"
            report = audit.verify_chain(session)
        assert report.ok, report.message()


@contextlib.contextmanager
def _own_postgres_schema() -> Iterator[Database]:
    """A migrated database in a fresh schema of the test server (dropped afterwards)."""
    assert POSTGRES_URL
    with postgres_schema(POSTGRES_URL) as url:
        database = Database(url)
        database.upgrade()
        yield database


# Service modules parked while their rows are written (a call in operations.World and a row
# here); a module leaves the set once it has them. Empty: every service function has its row,
# and a new one fails the test below until it gets one.
AWAITING_ROWS: frozenset[str] = frozenset()


def test_every_service_function_that_takes_an_actor_has_a_row() -> None:
    found = service_functions()
    awaiting = {name for name in found if name.split(".")[0] in AWAITING_ROWS}
    missing = found - awaiting - set(WRITES) - set(READS) - UNCHECKED
    assert not missing, f"add rows for {sorted(missing)} to test_access_matrix and operations"
    covered = {name.split(".")[0] for name in set(WRITES) | set(READS)}
    assert not AWAITING_ROWS & covered, "a module with rows: take it out of AWAITING_ROWS"
    gone = (set(WRITES) | set(READS)) - service_functions()
    assert not gone, f"rows for functions that no longer exist: {sorted(gone)}"


class _RolledBack(Exception):
    """Ends a role's attempt, so that every role meets the same world."""


def _audit_count(session: Session) -> int:
    return session.scalar(select(func.count(AuditEvent.id))) or 0


@pytest.mark.parametrize("name", list(WRITES))
def test_write_access(shared_world: World, fast_hashing: None, name: str) -> None:
    """Each role in turn, each attempt rolled back afterwards."""
    world, database = shared_world, shared_world.database
    for role, allowed in zip(ROLES, WRITES[name], strict=True):
        with pytest.raises(_RolledBack), database.transaction() as session:
            before = _audit_count(session)
            if allowed:
                world.call(name, session, actor(role))
                assert _audit_count(session) > before, f"{role}: written but not audited"
            else:
                with pytest.raises(PermissionDenied) as error:
                    world.call(name, session, actor(role))
                assert str(error.value).startswith(f"Your role ({role}) ")
                assert _audit_count(session) == before  # refused: nothing written or audited
            raise _RolledBack


@pytest.mark.parametrize("name", list(READS))
def test_read_access(shared_world: World, fast_hashing: None, name: str) -> None:
    world = shared_world
    with world.database.session() as session:
        for role, allowed in zip(ROLES, READS[name], strict=True):
            if allowed:
                assert world.call(name, session, actor(role)) is not None, role
            else:
                with pytest.raises(REFUSALS):
                    world.call(name, session, actor(role))


@pytest.mark.parametrize(
    ("name", "call"),
    [
        (
            "set_no_action_reason",
            lambda s, who: healthwise.set_no_action_reason(s, who, 999_999, "1.1", "Budgeted"),
        ),
        (
            "move_assessment",
            lambda s, who: healthwise.move_assessment(s, who, 999_999, "in_progress"),
        ),
    ],
)
@pytest.mark.parametrize("role", [Role.VIEWER, Role.REPORTER])
def test_healthwise_writes_check_the_write_right_first(
    database: Database, name: str, call: object, role: Role
) -> None:
    """Refused at entry, before the round is even looked up: a read-only role meets
    PermissionDenied, never "no longer exists" or a state message."""
    with database.session() as session, pytest.raises(PermissionDenied):
        call(session, actor(role))  # type: ignore[operator]


# -- identities and serostatus --------------------------------------------------------------------


def _values(value: object) -> Iterator[tuple[str, object]]:
    """Every (field name, leaf value) inside a service's answer."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        for item in dataclasses.fields(value):
            inner = getattr(value, item.name)
            if isinstance(inner, str | int | float | bool | None):
                yield item.name, inner
            else:
                yield from _values(inner)
    elif isinstance(value, dict):
        for key, inner in value.items():
            yield from _values(key)
            yield from _values(inner)
    elif isinstance(value, list | tuple | set | frozenset):
        for inner in value:
            yield from _values(inner)
    else:
        yield "", value


@pytest.mark.parametrize("role", [Role.VIEWER, Role.REPORTER, Role.COMMITTEE_MEMBER])
def test_roles_without_the_right_never_receive_identities_or_serostatus(
    database: Database, world: World, role: Role
) -> None:
    """Every read the role may make, over a world holding named workers and an exposure with a
    positive source: no name, staff number, description or source test result comes back."""
    who = actor(role, f"some_{role}")
    answers = 0
    with database.session() as session:
        for name, rights in READS.items():
            if not rights[ROLES.index(role)]:
                continue
            answer = world.call(name, session, who)
            answers += 1
            for field, value in _values(answer):
                if isinstance(value, str):
                    leaked = [s for s in SECRET_TEXTS if s in value]
                    assert not leaked, f"{name} gave {role} {leaked} in {field or 'a value'}"
                if field in exposures.SEROSTATUS_FIELDS:
                    assert value in (exposures.HIDDEN, None), f"{name} gave {role} {field}"
    assert answers >= 2
    # The same reads as an officer do show them: the world really holds what we look for.
    officer = actor(Role.OSH_OFFICER)
    with database.session() as session:
        seen = [
            value
            for name, rights in READS.items()
            if rights[ROLES.index(Role.OSH_OFFICER)]
            for _field, value in _values(world.call(name, session, officer))
        ]
    planted = {"李小红", "ZY123456", "positive", RESULT_NOTE}
    assert planted <= {v for v in seen if isinstance(v, str)}


FOLLOWUP_READS = tuple(name for name in READS if name.startswith("followups."))
# What a follow-up row holds that is health data (the result, its value, the clinician's note)
# or an identity; masked values are None, "" or HIDDEN.
FOLLOWUP_PRIVATE = ("worker_name", "staff_no", "result", "result_value", "note")


@pytest.mark.parametrize("role", [Role.VIEWER, Role.REPORTER, Role.COMMITTEE_MEMBER])
def test_follow_up_reads_stay_masked_for_a_role_given_the_list_alone(
    database: Database, world: World, role: Role, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No role has VIEW_FOLLOWUPS without VIEW_IDENTITIES and VIEW_SEROSTATUS today; should a
    hospital's change give one the list (reminders for ward managers, say), the follow-up reads
    still answer without names, staff numbers, results or notes."""
    granted = ROLE_PERMISSIONS[role] | {Permission.VIEW_FOLLOWUPS}
    monkeypatch.setitem(ROLE_PERMISSIONS, role, granted)
    who = actor(role, f"some_{role}")
    rows = 0
    with database.session() as session:
        for name in FOLLOWUP_READS:
            for field, value in _values(world.call(name, session, who)):
                if isinstance(value, str):
                    leaked = [s for s in SECRET_TEXTS if s in value]
                    assert not leaked, f"{name} gave {role} {leaked} in {field or 'a value'}"
                if field in FOLLOWUP_PRIVATE:
                    assert value in (followups.HIDDEN, None, ""), f"{name} gave {role} {field}"
                rows += field == "result"
    assert rows >= 3  # the list and the single item really answered with rows


# -- passwords in logs ----------------------------------------------------------------------------

PASSWORD = "Secret-Pa55word-Never-Logged"


def test_no_password_reaches_a_log_or_the_audit_trail(
    database: Database, world: World, admin: Actor, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)  # every logger, SQLAlchemy's statements and parameters too
    for name in ("sqlalchemy.engine", "sqlalchemy.pool"):
        logging.getLogger(name).setLevel(logging.DEBUG)
    try:
        with database.transaction() as session:
            users.create_user(
                session,
                admin,
                username="nurse_li",
                display_name="Li",
                role=Role.REPORTER,
                password=PASSWORD,
            )
        assert users.login(database, "nurse_li", PASSWORD).username == "nurse_li"
        with pytest.raises(users.LoginFailed):
            users.login(database, "nurse_li", PASSWORD + "x")
        with pytest.raises(users.LoginFailed):
            users.login(database, "nobody", PASSWORD)
        with database.transaction() as session:
            users.set_password(session, admin, "nurse_li", PASSWORD[::-1])
    finally:
        for name in ("sqlalchemy.engine", "sqlalchemy.pool"):
            logging.getLogger(name).setLevel(logging.NOTSET)
    assert any("sqlalchemy" in r.name for r in caplog.records)  # the logs were really captured
    logged = "\n".join(r.getMessage() + repr(r.args) for r in caplog.records)
    assert PASSWORD not in logged and PASSWORD[::-1] not in logged
    with database.session() as session:
        trail = " ".join(
            f"{e.action} {e.changes}" for e in session.scalars(select(AuditEvent)).all()
        )
    assert "set_password" in trail and PASSWORD not in trail and PASSWORD[::-1] not in trail


def test_the_command_line_never_prints_a_password(
    sqlite_path: Path,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
    fast_hashing: None,
) -> None:
    caplog.set_level(logging.DEBUG)
    db = str(sqlite_path)
    add = ["users", "add", "clerk", "--role", "viewer", "--password", PASSWORD]
    assert main(["--db", db, *add]) == 0
    assert main(["--db", db, "users", "passwd", "clerk", "--password", PASSWORD[::-1]]) == 0
    out = capsys.readouterr()
    text = out.out + out.err + "\n".join(r.getMessage() for r in caplog.records)
    assert "clerk" in text and PASSWORD not in text and PASSWORD[::-1] not in text


# -- login timing ---------------------------------------------------------------------------------


@pytest.mark.parametrize("database", ["sqlite"], indirect=True)
def test_login_timing_does_not_reveal_whether_a_user_exists(
    database: Database, admin: Actor
) -> None:
    """With the real Argon2 cost, a wrong password for an existing user and any password for an
    unknown user take the same time (interleaved samples, medians within 25%). Without the
    dummy verification the unknown user would answer in well under a tenth of the time."""
    with database.transaction() as session:
        users.create_user(
            session, admin, username="ward_nurse", display_name="W", role="reporter",
            password="the right password",
        )  # fmt: skip
    known: list[float] = []
    unknown: list[float] = []
    users._dummy_hash.cache_clear()  # an earlier test may have cached a cheap one
    with database.session() as session:
        for turn in range(16):
            for username, samples in (("ward_nurse", known), ("no_such_user", unknown))[
                :: 1 if turn % 2 else -1
            ]:
                started = time.perf_counter()
                with pytest.raises(users.LoginFailed, match="Wrong user name or password"):
                    users.authenticate(session, username, "a wrong password")
                samples.append(time.perf_counter() - started)
                session.rollback()  # keep the failed-login count (and lockout) out of it
    users._dummy_hash.cache_clear()
    fast, slow = sorted((statistics.median(known[4:]), statistics.median(unknown[4:])))
    assert slow > 0.005, "the hash is too cheap to measure anything"
    assert fast / slow > 0.75, f"known {statistics.median(known):.4f}s vs unknown " + (
        f"{statistics.median(unknown):.4f}s"
    )
