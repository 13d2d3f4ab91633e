"""Shared set-up for the HealthWISE and committee tests: templates, a ward and a filled round."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from hospital_osh.domain.roles import Role
from hospital_osh.services import healthwise as hws
from hospital_osh.services import hospital
from hospital_osh.services.context import Actor
from hospital_osh.services.database import Database
from hospital_osh.services.healthwise import AnswerInput, AssessmentInfo, MemberInfo
from tests.conftest import actor

TODAY = dt.date(2026, 6, 1)
OFFICER = actor(Role.OSH_OFFICER, "officer")
COMMITTEE = Actor("committee", Role.COMMITTEE_MEMBER, display_name="张委员")


@dataclass(frozen=True)
class Setup:
    template_id: int
    ipc_template_id: int
    department_id: int
    codes: tuple[str, ...]


def setup(database: Database) -> Setup:
    with database.transaction() as session:
        installed = hws.install_shipped_templates(session, OFFICER)
        ward = hospital.save_department(
            session,
            actor(Role.ADMIN, "admin"),
            hospital.DepartmentInfo("IM", "内科病房", "Medical ward", "ward"),
            bootstrap=True,
        )
    by_code = {t.code: t for t in installed}
    template = by_code["healthwise-working"]
    with database.session() as session:
        detail = hws.get_template(session, OFFICER, template.id)
    return Setup(
        template.id,
        by_code["ipc-walkround"].id,
        ward.id,
        tuple(c.code for c in detail.checkpoints),
    )


def new_round(
    database: Database, place: Setup, day: dt.date = TODAY, members: int = 2
) -> hws.AssessmentInfo:
    team = [MemberInfo("王护士长", "manager", "nurse", "female")]
    team += [MemberInfo(f"护士{n}", "staff", "nurse", "female") for n in range(1, members)]
    with database.transaction() as session:
        return hws.create_assessment(
            session,
            OFFICER,
            AssessmentInfo(
                template_id=place.template_id,
                department_id=place.department_id,
                area="3楼东区",
                assessed_on=day,
                members=tuple(team),
            ),
        )


def fill(
    database: Database,
    place: Setup,
    round_id: int,
    member_id: int,
    proposed: dict[str, bool],
    leave_out: tuple[str, ...] = (),
) -> None:
    """Answer every item: ``proposed`` maps codes to their priority, the rest "no action"."""
    answers = [
        AnswerInput(code, "action_proposed", proposed[code], remarks=f"remark {code}")
        if code in proposed
        else AnswerInput(code, "no_action")
        for code in place.codes
        if code not in leave_out
    ]
    with database.transaction() as session:
        hws.save_answers(session, OFFICER, round_id, member_id, answers)


def move(database: Database, round_id: int, target: str, who: Actor = OFFICER, **kw: object):  # type: ignore[no-untyped-def]
    with database.transaction() as session:
        return hws.move_assessment(session, who, round_id, target, today=TODAY, **kw)  # type: ignore[arg-type]


def prioritised_round(
    database: Database, place: Setup, proposed: dict[str, bool], day: dt.date = TODAY
) -> hws.AssessmentInfo:
    """A round walked by two members who agree, merged and prioritised."""
    info = new_round(database, place, day)
    assert info.id is not None
    move(database, info.id, "in_progress")
    for member in info.members:
        assert member.id is not None
        fill(database, place, info.id, member.id, proposed)
    move(database, info.id, "submitted")
    move(database, info.id, "in_group_review")
    return move(database, info.id, "prioritized")
