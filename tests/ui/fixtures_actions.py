"""Data for the action plan, HealthWISE and committee UI tests, made through the services on the
UI fixture hospital (``hospital_db``): templates, a ward's round and action items at a status.

Statuses are reached through the real transitions, so every item carries its update log."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from hospital_osh.domain.healthwise import Answer
from hospital_osh.services import actions, healthwise
from hospital_osh.services.actions import ActionInfo
from hospital_osh.services.context import Actor
from hospital_osh.services.database import Database
from hospital_osh.services.healthwise import AnswerInput, AssessmentInfo, MemberInfo
from hospital_osh.services.hospital import list_departments
from tests.ui.conftest import actor_of

TODAY = dt.date.today()
_PATH = {
    "proposed": (),
    "approved": ("approved",),
    "planned": ("approved", "planned"),
    "in_progress": ("approved", "planned", "in_progress"),
    "done": ("approved", "planned", "in_progress", "done"),
    "verified": ("approved", "planned", "in_progress", "done", "verified"),
}


def admin(database: Database) -> Actor:
    return actor_of(database, "admin")


def department_id(database: Database, index: int = 0) -> int:
    with database.session() as session:
        return list_departments(session)[index].id


def make_item(
    database: Database,
    status: str = "proposed",
    *,
    title: str = "Fix the sharps container holders",
    owner: str = "王护士长",
    owner_user_id: int | None = None,
    due: dt.date | None = None,
    source_kind: str = "other",
    hierarchy_level: str | None = None,
) -> int:
    """An item moved to ``status`` by the admin (owners other than the admin may verify)."""
    who = admin(database)
    with database.transaction() as session:
        made = actions.create_action(
            session,
            who,
            ActionInfo(
                title=title,
                owner_name=owner,
                owner_user_id=owner_user_id,
                due_date=due or TODAY + dt.timedelta(days=20),
                resources="Maintenance team",
                cost_cny=Decimal("300"),
                department_id=department_id(database),
                source_kind=source_kind,
                hierarchy_level=hierarchy_level,
            ),
        )
        assert made.id is not None
        for target in _PATH[status]:
            reason = "Fitted on every trolley" if target == "done" else ""
            actions.transition_action(session, who, made.id, target, reason=reason)
        return made.id


def templates(database: Database) -> dict[str, int]:
    """Install the shipped templates; code -> id."""
    with database.transaction() as session:
        installed = healthwise.install_shipped_templates(session, admin(database))
    if not installed:
        with database.session() as session:
            installed = healthwise.list_templates(session, admin(database))
    return {t.code: t.id for t in installed}


def codes(database: Database, template_id: int) -> list[str]:
    with database.session() as session:
        detail = healthwise.get_template(session, admin(database), template_id)
    return [c.code for c in detail.checkpoints]


def new_round(
    database: Database, day: dt.date = TODAY, members: tuple[str, ...] = ("王护士长", "护士甲")
) -> healthwise.AssessmentInfo:
    template_id = templates(database)["healthwise-working"]
    team = tuple(
        MemberInfo(name, "manager" if index == 0 else "staff", "nurse", "female")
        for index, name in enumerate(members)
    )
    with database.transaction() as session:
        return healthwise.create_assessment(
            session,
            admin(database),
            AssessmentInfo(
                template_id=template_id,
                department_id=department_id(database),
                area="3楼东区",
                assessed_on=day,
                members=team,
            ),
        )


def fill_sheet(
    database: Database, round_id: int, member_id: int, proposed: dict[str, bool]
) -> None:
    """Answer every item: ``proposed`` codes with their priority, the rest 'no action'."""
    info = get_round(database, round_id)
    assert info.template_id is not None
    answers = [
        AnswerInput(code, Answer.ACTION_PROPOSED, proposed[code], remarks="走廊")
        if code in proposed
        else AnswerInput(code, Answer.NO_ACTION)
        for code in codes(database, info.template_id)
    ]
    with database.transaction() as session:
        healthwise.save_answers(session, admin(database), round_id, member_id, answers)


def move(database: Database, round_id: int, target: str) -> None:
    with database.transaction() as session:
        healthwise.move_assessment(session, admin(database), round_id, target)


def get_round(database: Database, round_id: int) -> healthwise.AssessmentInfo:
    with database.session() as session:
        return healthwise.get_assessment(session, admin(database), round_id)


def prioritised_round(
    database: Database, proposed: dict[str, bool], day: dt.date = TODAY
) -> healthwise.AssessmentInfo:
    """A round walked by two members who agree, merged and with its priorities agreed."""
    info = new_round(database, day)
    assert info.id is not None
    move(database, info.id, "in_progress")
    for member in info.members:
        assert member.id is not None
        fill_sheet(database, info.id, member.id, proposed)
    move(database, info.id, "submitted")
    move(database, info.id, "in_group_review")
    move(database, info.id, "prioritized")
    return get_round(database, info.id)
