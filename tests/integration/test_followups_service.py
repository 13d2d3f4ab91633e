"""Follow-up list and edits: derived status across time zones and month ends, result validation,
date changes with reasons, masking of reminders per role, permissions and audit events."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from hospital_osh.domain import roles
from hospital_osh.domain.roles import Permission, Role
from hospital_osh.models import AuditEvent, FollowUp, FollowUpDateChange, SerologyResult
from hospital_osh.services import followups, hospital
from hospital_osh.services import post_exposure as pe
from hospital_osh.services.context import Actor
from hospital_osh.services.database import Database
from hospital_osh.services.errors import PermissionDenied, ValidationError
from hospital_osh.services.followups import FollowupFilter, ResultEntry, ScheduleChange
from tests.conftest import actor
from tests.integration.pe_data import ASSESSED, Place, add_exposure, source
from tests.integration.pe_data import hospital as setup

D = dt.date.fromisoformat


@pytest.fixture
def place(database: Database, admin: Actor) -> Place:
    return setup(database, admin)


@pytest.fixture
def exposure(database: Database, admin: Actor, place: Place) -> int:
    exposure_id = add_exposure(database, admin, place, **source(source_hiv="positive"))
    with database.transaction() as session:
        pe.assess_exposure(session, admin, exposure_id, now=ASSESSED)
    return exposure_id


def item(database: Database, exposure: int, code: str, due: str) -> FollowUp:
    with database.session() as session:
        found = session.scalar(
            select(FollowUp).where(
                FollowUp.exposure_id == exposure, FollowUp.code == code, FollowUp.due_date == D(due)
            )
        )
        assert found is not None
        return found


def statuses(database: Database, admin: Actor, exposure: int, today: dt.date) -> dict[str, str]:
    with database.session() as session:
        rows = followups.list_followups(
            session, admin, FollowupFilter(scope="all", exposure_id=exposure), today=today
        )
    return {f"{r.code}:{r.dose or ''}@{r.due_date}": r.status for r in rows}


def test_status_is_derived_from_the_window(database: Database, admin: Actor, exposure: int) -> None:
    # The PEP visit's window is 10-12 March 2026.
    key = "visit:@2026-03-12"
    assert statuses(database, admin, exposure, D("2026-03-09"))[key] == "planned"
    assert statuses(database, admin, exposure, D("2026-03-10"))[key] == "due"
    assert statuses(database, admin, exposure, D("2026-03-12"))[key] == "due"
    assert statuses(database, admin, exposure, D("2026-03-13"))[key] == "overdue"


def test_today_is_the_hospitals_date_across_time_zones(
    database: Database, admin: Actor, exposure: int
) -> None:
    # 15:59 UTC on 12 March is 23:59 in Shanghai (still the 12th); 16:01 UTC is the 13th.
    before = dt.datetime(2026, 3, 12, 15, 59, tzinfo=dt.UTC)
    after = dt.datetime(2026, 3, 12, 16, 1, tzinfo=dt.UTC)
    with database.session() as session:
        assert followups.today_in_hospital(session, before) == D("2026-03-12")
        assert followups.today_in_hospital(session, after) == D("2026-03-13")
    key = "visit:@2026-03-12"
    with database.session() as session:
        today = followups.today_in_hospital(session, after)
    assert statuses(database, admin, exposure, today)[key] == "overdue"
    with database.transaction() as session:  # the same instant in New York is still the 12th
        hospital.save_profile(
            session,
            admin,
            hospital.HospitalProfile("示范医院", "Demo", "X-1", time_zone="America/New_York"),
            bootstrap=True,
        )
    with database.session() as session:
        today = followups.today_in_hospital(session, after)
        assert today == D("2026-03-12")
        assert followups.overdue_count(session, admin, today=today) == 7  # the D0 items


def test_overdue_across_month_ends(database: Database, admin: Actor, exposure: int) -> None:
    visit = item(database, exposure, "visit", "2026-03-12")
    with database.transaction() as session:
        followups.reschedule(
            session,
            admin,
            visit.id,
            ScheduleChange(D("2026-03-31"), D("2026-03-30"), D("2026-03-31"), "员工出差"),
        )
    with database.session() as session:
        on_last_day = followups.get_followup(session, admin, visit.id, today=D("2026-03-31"))
        next_month = followups.get_followup(session, admin, visit.id, today=D("2026-04-01"))
        may = followups.get_followup(session, admin, visit.id, today=D("2026-05-01"))
    assert on_last_day.status == "due" and on_last_day.days_overdue == 0
    assert next_month.status == "overdue" and next_month.days_overdue == 1
    assert may.days_overdue == 31
    # February in a leap year: the window ends on the 29th.
    with database.transaction() as session:
        followups.reschedule(
            session,
            admin,
            visit.id,
            ScheduleChange(D("2028-02-28"), D("2028-02-28"), D("2028-02-29"), "延期"),
        )
    with database.session() as session:
        assert followups.get_followup(session, admin, visit.id, today=D("2028-02-29")).status == (
            "due"
        )
        assert followups.get_followup(session, admin, visit.id, today=D("2028-03-01")).status == (
            "overdue"
        )


def test_scopes_and_counts(database: Database, admin: Actor, exposure: int) -> None:
    today = D("2026-03-20")
    with database.session() as session:
        counts = followups.counts(session, admin, today=today)
        overdue = followups.list_followups(
            session, admin, FollowupFilter(scope="overdue"), today=today
        )
        week = followups.list_followups(
            session, admin, FollowupFilter(scope="due_week"), today=today
        )
        upcoming = followups.count_followups(
            session, admin, FollowupFilter(scope="upcoming"), today=today
        )
        by_date = followups.list_followups(
            session,
            admin,
            FollowupFilter(scope="due_or_overdue", due_by=D("2026-04-06")),
            today=today,
        )
        page = followups.list_followups(
            session, admin, FollowupFilter(scope="open"), today=today, offset=2, limit=3
        )
        everything = followups.list_followups(session, admin, FollowupFilter(), today=today)
    assert counts.overdue == len(overdue) == 8 and all(r.status == "overdue" for r in overdue)
    assert [r.code for r in week] == ["pep_review"]  # window 21-25 March
    assert counts.due_week == 1 and counts.upcoming == upcoming
    assert {r.code for r in by_date} >= {"hiv_ag_ab", "hcv_rna", "hbv_vaccine"}
    assert [r.id for r in page] == [r.id for r in everything[2:5]]
    assert overdue[0].worker_name == "李小红" and overdue[0].staff_no == "N001"


def test_result_dated_before_the_exposure_is_refused(
    database: Database, admin: Actor, exposure: int
) -> None:
    baseline = item(database, exposure, "hiv_ag_ab", "2026-03-09")
    anti_hbs = item(database, exposure, "anti_hbs", "2026-03-09")
    today = D("2026-03-10")
    cases = [
        (baseline.id, ResultEntry(D("2026-03-08"), "negative"), "done_date", "before the exposure"),
        (baseline.id, ResultEntry(D("2026-03-11"), "negative"), "done_date", "in the future"),
        (baseline.id, ResultEntry(D("2026-03-09")), "result", "positive, negative"),
        (anti_hbs.id, ResultEntry(D("2026-03-09"), value=-1.0), "value", "negative"),
        (anti_hbs.id, ResultEntry(D("2026-03-09"), value=500_000.0), "value", "not plausible"),
    ]
    for followup_id, entry, name, text in cases:
        with database.transaction() as session, pytest.raises(ValidationError) as error:
            followups.enter_result(session, admin, followup_id, entry, today=today)
        assert text in error.value.fields[name]
    with database.transaction() as session:
        saved = followups.enter_result(
            session, admin, anti_hbs.id, ResultEntry(D("2026-03-09"), value=4.0), today=today
        )
    assert saved.row.status == "done" and saved.row.result_value == 4.0
    with database.session() as session:  # the worker's own record follows
        result = session.scalar(
            select(SerologyResult).where(SerologyResult.followup_id == anti_hbs.id)
        )
        assert result is not None and result.value == 4.0 and result.test == "anti_hbs"


def test_positive_after_baseline_is_a_seroconversion(
    database: Database, admin: Actor, exposure: int
) -> None:
    baseline = item(database, exposure, "hiv_ag_ab", "2026-03-09")
    later = item(database, exposure, "hiv_ag_ab", "2026-04-06")
    with database.transaction() as session:
        first = followups.enter_result(
            session,
            admin,
            baseline.id,
            ResultEntry(D("2026-03-09"), "positive"),
            today=D("2026-05-01"),
        )
        second = followups.enter_result(
            session,
            admin,
            later.id,
            ResultEntry(D("2026-04-07"), "positive"),
            today=D("2026-05-01"),
        )
    assert first.baseline_positive == "hiv" and first.seroconversion is None
    assert second.seroconversion == "hiv"


def test_reschedule_needs_a_reason_and_is_kept(
    database: Database, admin: Actor, exposure: int
) -> None:
    visit = item(database, exposure, "visit", "2026-03-12")
    with database.transaction() as session, pytest.raises(ValidationError) as error:
        followups.reschedule(
            session,
            admin,
            visit.id,
            ScheduleChange(D("2026-03-14"), D("2026-03-13"), D("2026-03-15"), " "),
        )
    assert error.value.fields == {"reason": "Give the reason."}
    with database.transaction() as session, pytest.raises(ValidationError) as error:
        followups.reschedule(
            session,
            admin,
            visit.id,
            ScheduleChange(D("2026-03-20"), D("2026-03-13"), D("2026-03-15"), "x"),
        )
    assert "inside the window" in error.value.fields["due_date"]
    with database.transaction() as session, pytest.raises(ValidationError) as error:
        followups.reschedule(
            session,
            admin,
            visit.id,
            ScheduleChange(D("2026-03-08"), D("2026-03-01"), D("2026-03-15"), "x"),
        )
    assert "before the exposure" in error.value.fields["window_start"]
    with database.transaction() as session:
        row = followups.reschedule(
            session,
            admin,
            visit.id,
            ScheduleChange(
                D("2026-03-14"), D("2026-03-13"), D("2026-03-15"), "员工休假", visit.version
            ),
        )
    assert (row.due_date, row.window_end) == (D("2026-03-14"), D("2026-03-15"))
    with database.session() as session:
        change = session.scalar(select(FollowUpDateChange))
        event = session.scalar(select(AuditEvent).where(AuditEvent.action == "reschedule"))
    assert change is not None and change.reason == "员工休假" and change.old_due == D("2026-03-12")
    assert event is not None and "员工休假" in event.changes and "2026-03-14" in event.changes


def test_missed_cancelled_and_reopened(database: Database, admin: Actor, exposure: int) -> None:
    visit = item(database, exposure, "visit", "2026-03-12")
    with database.transaction() as session:
        row = followups.resolve(session, admin, visit.id, "missed", "未到院")
    assert row.status == "missed" and row.state_reason == "未到院"
    with database.transaction() as session, pytest.raises(ValidationError):
        followups.resolve(session, admin, visit.id, "cancelled", "again")
    with database.transaction() as session:
        row = followups.reopen(session, admin, visit.id, "误操作")
    assert row.is_open
    with database.session() as session:
        actions = session.scalars(
            select(AuditEvent.action).where(AuditEvent.entity == "followup").order_by(AuditEvent.id)
        ).all()
    assert actions == ["missed", "reopen"]


def test_reminders_are_masked_for_roles_that_may_not_see(
    database: Database, admin: Actor, exposure: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    baseline = item(database, exposure, "hiv_ag_ab", "2026-03-09")
    with database.transaction() as session:
        followups.enter_result(
            session,
            admin,
            baseline.id,
            ResultEntry(D("2026-03-09"), "negative"),
            today=D("2026-03-10"),
        )
    # A role allowed to see reminders but neither identities nor serostatus.
    table = dict(roles.ROLE_PERMISSIONS)
    table[Role.COMMITTEE_MEMBER] = table[Role.COMMITTEE_MEMBER] | {Permission.VIEW_FOLLOWUPS}
    monkeypatch.setattr(roles, "ROLE_PERMISSIONS", table)
    committee = actor(Role.COMMITTEE_MEMBER)
    with database.session() as session:
        rows = followups.list_followups(
            session, committee, FollowupFilter(scope="all"), today=D("2026-03-20")
        )
        done = followups.get_followup(session, committee, baseline.id)
        officer = followups.get_followup(session, actor(Role.OSH_OFFICER), baseline.id)
    assert rows and all(
        r.worker_name == followups.HIDDEN and r.staff_no == followups.HIDDEN for r in rows
    )
    assert all(r.identities_hidden and r.serostatus_hidden for r in rows)
    assert done.result is None and done.status == "done"
    assert officer.result == "negative" and officer.worker_name == "李小红"


@pytest.mark.parametrize("role", [Role.COMMITTEE_MEMBER, Role.REPORTER, Role.VIEWER])
def test_roles_without_followups_see_no_list(database: Database, exposure: int, role: str) -> None:
    with database.session() as session:
        with pytest.raises(PermissionDenied):
            followups.list_followups(session, actor(role))
        with pytest.raises(PermissionDenied):
            followups.overdue_count(session, actor(role))


@pytest.mark.parametrize("role", [Role.COMMITTEE_MEMBER, Role.VIEWER])
def test_roles_without_rights_cannot_enter_results(
    database: Database, exposure: int, role: str
) -> None:
    visit = item(database, exposure, "visit", "2026-03-12")
    with database.transaction() as session, pytest.raises(PermissionDenied):
        followups.enter_result(session, actor(role), visit.id, ResultEntry(D("2026-03-12")))
    with database.session() as session:
        assert session.scalar(select(func.count(FollowUp.id)).where(FollowUp.state == "done")) == 0
