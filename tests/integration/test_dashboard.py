"""The dashboard's figures against hand-computed values, its alerts, and what each role sees.

Figures use the summary report's fixed data set (``summary_data``: six exposures in Q1 2026,
two in Q4 2025, three in Q1 2025). Alerts use a second small hospital built here, whose every
alert is worked out in ``_alerts_hospital``'s docstring.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest

from hospital_osh.domain.roles import Role
from hospital_osh.models import ActionItem
from hospital_osh.services import actions, dashboard, exposures, followups, hazards
from hospital_osh.services import post_exposure as pe
from hospital_osh.services.context import Actor
from hospital_osh.services.database import Database
from hospital_osh.services.errors import PermissionDenied, ValidationError
from hospital_osh.services.exposures import ExposureFilter
from hospital_osh.services.followups import FollowupFilter
from hospital_osh.services.hazards import HazardFilter
from hospital_osh.services.summary import build_summary
from tests.conftest import actor
from tests.integration import summary_data as data
from tests.integration.exposure_data import complete_sharps, setup_hospital

# 23:30 on 31 March 2026 in Shanghai: the last day of the first quarter.
END_OF_Q1 = dt.datetime(2026, 3, 31, 15, 30)
OFFICER = actor(Role.OSH_OFFICER, "officer")
VIEWER = actor(Role.VIEWER, "viewer")
COMMITTEE = actor(Role.COMMITTEE_MEMBER, "committee")


@pytest.fixture
def summary_hospital(database: Database, admin: Actor) -> Database:
    data.build(database, admin)
    return database


def _dashboard(database: Database, who: Actor, kind: str, now: dt.datetime) -> dashboard.Dashboard:
    with database.session() as session:
        return dashboard.build_dashboard(session, who, kind, now=now)


# -- periods ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "today", "expected"),
    [
        ("month", dt.date(2026, 3, 31), ("2026-03-01", "2026-02-01", "2026-02-28")),
        ("month", dt.date(2026, 3, 15), ("2026-03-01", "2026-02-01", "2026-02-15")),
        ("quarter", dt.date(2026, 3, 31), ("2026-01-01", "2025-10-01", "2025-12-29")),
        ("quarter", dt.date(2026, 5, 10), ("2026-04-01", "2026-01-01", "2026-02-09")),
        ("year", dt.date(2026, 3, 31), ("2026-01-01", "2025-01-01", "2025-03-31")),
        ("year", dt.date(2024, 12, 31), ("2024-01-01", "2023-01-01", "2023-12-31")),
    ],
)
def test_a_period_runs_to_today_against_as_many_days_before(
    kind: str, today: dt.date, expected: tuple[str, str, str]
) -> None:
    period = dashboard.period_of(kind, today)
    assert (period.start, period.previous_start, period.previous_end) == tuple(
        dt.date.fromisoformat(d) for d in expected
    )
    assert period.end == today
    assert (period.previous_end - period.previous_start) <= (period.end - period.start)


def test_an_unknown_period_is_refused() -> None:
    with pytest.raises(ValidationError):
        dashboard.period_of("week", dt.date(2026, 3, 31))


# -- figures ----------------------------------------------------------------------------------


def test_quarter_figures_match_the_hand_computed_values(
    summary_hospital: Database, admin: Actor
) -> None:
    board = _dashboard(summary_hospital, admin, "quarter", END_OF_Q1)
    assert board.today == dt.date(2026, 3, 31)
    figure = board.figure
    # Q1 2026 to 31 March: the six exposures of the table; before: 1 Oct - 29 Dec 2025 holds
    # only the needle-stick of 3 November (the one of 31 December falls after the 29th).
    assert (figure("exposures").value, figure("exposures").previous) == (6, 1)
    assert figure("exposures").change == pytest.approx(5.0)
    assert figure("exposures").improved is False
    assert figure("rate_per_100_fte").value == pytest.approx(6 / 90 * 100)
    assert figure("rate_per_100_fte").previous == pytest.approx(1 / 60 * 100)
    # SED yes 2, no 1, unknown 1; before, the one needle-stick did not record it.
    sed = figure("safety_engineered_share")
    assert (sed.value, sed.previous, sed.of) == (pytest.approx(2 / 3), None, 3)
    assert sed.change is None
    # Hours 0.5 1 2 6 12 24: median (2 + 6) / 2; before, the one report after 2 hours.
    hours = figure("median_hours_to_report")
    assert (hours.value, hours.previous, hours.of) == (4.0, 2.0, 6)
    assert hours.improved is False
    pep = figure("pep_within_2h_share")
    assert (pep.value, pep.of) == (None, 0)  # no PEP was started
    assert figure("followups_overdue").value == 0
    assert figure("followups_overdue").compared is False
    assert figure("high_risk_hazards").value == 0
    assert figure("actions_overdue").value == 0


def test_figures_are_the_report_s_figures(summary_hospital: Database, admin: Actor) -> None:
    """The same period gives the same numbers on the dashboard and in summary.json."""
    board = _dashboard(summary_hospital, admin, "quarter", END_OF_Q1)
    with summary_hospital.session() as session:
        report = build_summary(session, admin, data.START, data.END)
    assert board.figure("exposures").value == report["exposures"]["total"]
    assert board.figure("rate_per_100_fte").value == pytest.approx(report["rates"]["per_100_fte"])
    assert board.figure("safety_engineered_share").value == pytest.approx(
        report["exposures"]["safety_engineered_share"]
    )
    assert (
        board.figure("median_hours_to_report").value
        == (report["exposures"]["median_hours_to_report"])
    )
    assert dict(board.by_job_category) == report["exposures"]["by_job_category"]
    sharps = {k: v for k, v in report["exposures"]["by_device_type"].items() if k != "unknown"}
    assert dict(board.by_device) == sharps


def test_month_and_year_compare_like_with_like(summary_hospital: Database, admin: Actor) -> None:
    month = _dashboard(summary_hospital, admin, "month", END_OF_Q1).figure("exposures")
    assert (month.value, month.previous) == (3, 2)  # March; 1-28 February
    assert month.change == pytest.approx(0.5)
    year = _dashboard(summary_hospital, admin, "year", END_OF_Q1).figure("exposures")
    assert (year.value, year.previous) == (6, 3)  # 2026 to 31 March; 2025 to 31 March


def test_charts_hold_the_hand_computed_counts(summary_hospital: Database, admin: Actor) -> None:
    board = _dashboard(summary_hospital, admin, "quarter", END_OF_Q1)
    assert board.trend_months[0] == dt.date(2024, 4, 1)
    assert board.trend_months[-1] == dt.date(2026, 3, 1)
    assert len(board.trend_months) == dashboard.TREND_MONTHS
    month = {m: i for i, m in enumerate(board.trend_months)}

    def at(code: str, year: int, number: int) -> int:
        return board.trend[code][month[dt.date(year, number, 1)]]

    assert [at("percutaneous", 2025, m) for m in (1, 2, 3, 4)] == [1, 1, 1, 0]
    assert [at("percutaneous", 2025, m) for m in (11, 12)] == [1, 1]
    assert [at("percutaneous", 2026, m) for m in (1, 2, 3)] == [1, 2, 1]
    assert at("mucous_membrane", 2026, 3) == 1
    assert at("non_intact_skin", 2026, 3) == 1
    assert sum(sum(values) for values in board.trend.values()) == 11  # 1 April 2026 is later
    assert board.by_job_category == (("nurse", 3), ("doctor", 2), ("student_intern", 1))
    assert dict(board.by_device) == {
        "iv_catheter_stylet": 1,
        "suture_needle": 1,
        "syringe_needle": 1,
        "vacuum_tube_needle": 1,
    }
    assert board.followup_status == (("overdue", 0), ("due_week", 0), ("upcoming", 0))


def test_without_staffing_the_rate_says_why(database: Database, admin: Actor) -> None:
    data.build(database, admin, staffing=False)
    rate = _dashboard(database, admin, "quarter", END_OF_Q1).figure("rate_per_100_fte")
    assert rate.value is None
    assert rate.not_available == "no_staffing_year"


def test_an_empty_hospital_shows_zeros_and_no_alerts(database: Database, admin: Actor) -> None:
    board = _dashboard(database, admin, "month", END_OF_Q1)
    assert board.figure("exposures").value == 0
    assert board.figure("median_hours_to_report").value is None
    assert board.alerts == ()
    assert board.trend == {}


# -- alerts -----------------------------------------------------------------------------------

NOW = dt.datetime(2026, 3, 10, 7, 0)  # 15:00 on 10 March 2026 in Shanghai
TODAY = dt.date(2026, 3, 10)


def _sharps(place, occurred: str, **changes: object):  # type: ignore[no-untyped-def]
    at = dt.datetime.fromisoformat(occurred)
    return complete_sharps(place, occurred_at=at, reported_at=at + dt.timedelta(hours=1), **changes)


def _alerts_hospital(database: Database, admin: Actor) -> dict[str, int]:
    """Exposures at 15:00 on 10 March 2026 (local):

    - A: needle-stick (IV catheter, ICU) at 10:30 on 9 March, not assessed: in the 72-hour
      window without a PEP decision (28.5 hours).
    - B: the same at 11:30 on 9 March, assessed (HIV-negative source: PEP not indicated), which
      plans its follow-up tests: no PEP alert.
    - C: a quick report (splash, ICU) on 1 March: still incomplete after 48 hours.
    - D, E, F: suture-needle injuries in the ICU on 10 and 25 February and 5 March: a cluster.
    - G: a suture-needle injury on the surgical ward on 1 March: another department.
    - IV catheters in the ICU: A and B, two, no cluster.
    One orange hazard assessed on 1 October 2025 (review due 1 January: overdue) and one blue;
    one action item due on 1 February (overdue) and one verified on 5 March.
    """
    place = setup_hospital(database, admin)
    ids: dict[str, int] = {}
    with database.transaction() as session:
        for name, info in {
            "A": _sharps(place, "2026-03-09T10:30"),
            "B": _sharps(place, "2026-03-09T11:30"),
            "D": _sharps(place, "2026-02-10T09:00", device_type="suture_needle"),
            "E": _sharps(place, "2026-02-25T09:00", device_type="suture_needle"),
            "F": _sharps(place, "2026-03-05T09:00", device_type="suture_needle"),
            "G": _sharps(
                place, "2026-03-01T09:00", device_type="suture_needle", department_id=place.ward
            ),
        }.items():
            saved = exposures.record_exposure(session, admin, info, now=data.NOW)
            assert saved.exposure.id is not None and saved.exposure.complete
            ids[name] = saved.exposure.id
        receipt = exposures.quick_report(
            session,
            admin,
            exposures.QuickReport(
                occurred_at=dt.datetime(2026, 3, 1, 8, 0),
                reported_at=dt.datetime(2026, 3, 1, 9, 0),
                exposure_type="mucous_membrane",
                department_id=place.icu,
                description="溅入眼内",
                source_identified="no",
                worker_id=place.nurse,
            ),
            now=dt.datetime(2026, 3, 1, 9, 0),
        )
        ids["C"] = receipt.id
    with database.transaction() as session:
        pe.assess_exposure(session, admin, ids["B"], now=NOW)
        for assessed_on, cell in ((dt.date(2025, 10, 1), (3, 4)), (TODAY, (1, 1))):
            hazards.create_hazard(
                session,
                admin,
                hazards.HazardInfo(
                    department_id=place.icu,
                    activity="缝合",
                    category="biological",
                    potential_harm="锐器伤",
                    owner="主任",
                    assessed_on=assessed_on,
                    initial_likelihood=cell[0],
                    initial_severity=cell[1],
                ),
                today=TODAY,
            )
        for due in (dt.date(2026, 2, 1), dt.date(2026, 4, 1)):
            actions.create_action(
                session,
                admin,
                actions.ActionInfo(title="换用安全型缝合针", owner_name="护士长", due_date=due),
                today=dt.date(2026, 1, 1),
            )
    with database.transaction() as session:
        item = session.query(ActionItem).filter(ActionItem.due_date == dt.date(2026, 4, 1)).one()
        item.status, item.verified_on = "verified", dt.date(2026, 3, 5)
    return ids


@pytest.fixture
def alerts_hospital(database: Database, admin: Actor) -> dict[str, int]:
    return _alerts_hospital(database, admin)


def _kinds(board: dashboard.Dashboard) -> dict[str, list[dashboard.Alert]]:
    found: dict[str, list[dashboard.Alert]] = {}
    for alert in board.alerts:
        found.setdefault(alert.kind, []).append(alert)
    return found


def test_alerts_name_what_needs_action_today(
    database: Database, admin: Actor, alerts_hospital: dict[str, int]
) -> None:
    board = _dashboard(database, admin, "month", NOW)
    found = _kinds(board)
    (pep,) = found["pep_window"]
    assert (pep.count, pep.urgent, pep.hours_since) == (1, True, pytest.approx(28.5))
    assert pep.link == dashboard.Link(
        "exposures", ExposureFilter(search=pep.reference), alerts_hospital["A"], pep.reference
    )
    (incomplete,) = found["incomplete"]
    assert incomplete.count == 1
    assert incomplete.link == dashboard.Link("exposures", ExposureFilter(incomplete=True))
    (cluster,) = found["cluster"]
    assert (cluster.count, cluster.device_type, cluster.first, cluster.last) == (
        3,
        "suture_needle",
        dt.date(2026, 2, 10),
        dt.date(2026, 3, 5),
    )
    assert cluster.department_en == "Intensive care"
    assert cluster.link is not None and cluster.link.filters == ExposureFilter(
        start=dt.date(2026, 2, 10),
        end=dt.date(2026, 3, 5),
        department_id=cluster.link.filters.department_id,  # type: ignore[union-attr]
        device_type="suture_needle",
    )
    with database.session() as session:
        listed = exposures.list_exposures(session, admin, cluster.link.filters)  # type: ignore[arg-type]
    assert len(listed) == 3  # the link opens exactly the injuries of the cluster
    (reviews,) = found["reviews_overdue"]
    assert reviews.count == 1
    assert reviews.link == dashboard.Link("hazards", HazardFilter(review="overdue"))
    (overdue_actions,) = found["actions_overdue"]
    assert overdue_actions.count == 1
    # The assessment of B planned tests: those due this week are an alert, none overdue yet.
    with database.session() as session:
        due = followups.counts(session, admin, today=TODAY)
    assert due.overdue == 0 and "followups_overdue" not in found
    assert due.due_week > 0  # the baseline tests
    (week,) = found["followups_due"]
    assert (week.count, week.urgent) == (due.due_week, False)
    assert week.link == dashboard.Link("followups", FollowupFilter(scope="due_week"))
    assert board.alerts[0].kind == "pep_window"  # the most urgent first


def test_state_figures_of_the_alerts_hospital(
    database: Database, admin: Actor, alerts_hospital: dict[str, int]
) -> None:
    board = _dashboard(database, admin, "month", NOW)
    assert board.figure("high_risk_hazards").value == 1  # orange; blue is not high
    assert board.high_levels == ("red", "orange")
    assert board.figure("hazard_reviews_overdue").value == 1
    assert board.figure("actions_overdue").value == 1
    verified = board.figure("actions_verified")
    assert (verified.value, verified.previous, verified.improved) == (1, 0, True)
    assert sum(board.matrix_cells.values()) == 2
    assert board.matrix_cells[(3, 4)] == 1
    assert dict(board.action_status) == {"proposed": 1, "verified": 1}


def test_a_pep_decision_ends_the_pep_alert(
    database: Database, admin: Actor, alerts_hospital: dict[str, int]
) -> None:
    with database.transaction() as session:
        pe.record_prophylaxis(
            session,
            admin,
            alerts_hospital["A"],
            pe.ProphylaxisInput(kind="hiv_pep", decision="declined", reason="拒绝"),
            now=NOW,
        )
    assert "pep_window" not in _kinds(_dashboard(database, admin, "month", NOW))


def test_the_pep_alert_ends_with_the_72_hour_window(
    database: Database, admin: Actor, alerts_hospital: dict[str, int]
) -> None:
    later = NOW + dt.timedelta(hours=72 - 28.5 + 0.5)
    assert "pep_window" not in _kinds(_dashboard(database, admin, "month", later))


# -- roles ------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", [VIEWER, COMMITTEE], ids=["viewer", "committee"])
def test_viewers_and_committee_members_get_counts_only(
    database: Database, admin: Actor, alerts_hospital: dict[str, int], who: Actor
) -> None:
    mine = _dashboard(database, who, "month", NOW)
    full = _dashboard(database, admin, "month", NOW)
    assert not mine.sees_records
    assert all(alert.reference == "" for alert in mine.alerts)
    pep = _kinds(mine)["pep_window"][0]
    assert pep.count == 1
    assert pep.link is not None and pep.link.record_id is None
    assert [f.value for f in mine.figures] == [f.value for f in full.figures]
    assert mine.followup_status == full.followup_status  # the same counts, as an aggregate


def test_officers_get_single_records(database: Database, alerts_hospital: dict[str, int]) -> None:
    board = _dashboard(database, OFFICER, "month", NOW)
    assert board.sees_records
    assert _kinds(board)["pep_window"][0].link.record_id == alerts_hospital["A"]  # type: ignore[union-attr]


def test_many_pending_decisions_become_one_count(
    database: Database, alerts_hospital: dict[str, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(dashboard, "MAX_ITEM_ALERTS", 0)
    (pep,) = _kinds(_dashboard(database, OFFICER, "month", NOW))["pep_window"]
    assert (pep.count, pep.reference) == (1, "")
    assert pep.link == dashboard.Link(
        "exposures", ExposureFilter(start=dt.date(2026, 3, 7), end=TODAY)
    )


def test_a_reporter_gets_no_figures_but_its_own_reports(database: Database, admin: Actor) -> None:
    place = setup_hospital(database, admin)
    reporter = actor(Role.REPORTER, "ward1")
    other = actor(Role.REPORTER, "ward2")
    with database.transaction() as session:
        for who, when in ((reporter, "2026-03-09T10:30"), (other, "2026-03-09T12:00")):
            exposures.quick_report(
                session,
                who,
                exposures.QuickReport(
                    occurred_at=dt.datetime.fromisoformat(when),
                    exposure_type="percutaneous",
                    department_id=place.icu,
                    description="扎伤",
                    source_identified="no",
                    worker_id=place.nurse,
                ),
                now=dt.datetime(2026, 3, 9, 13, 0),
            )
    with database.session() as session, pytest.raises(PermissionDenied):
        dashboard.build_dashboard(session, reporter, now=NOW)
    with database.session() as session:
        mine = dashboard.reporter_view(session, reporter, now=NOW)
    assert len(mine) == 1
    (report,) = mine
    assert report.status == "reported"
    assert report.hours_since == pytest.approx(28.5)
    texts = [step.text for step in report.steps]
    assert any(report.reference in text for text in texts)  # go to the office with it
    assert any("28 hours since the exposure" in text for text in texts)
    assert any(step.urgent for step in report.steps)


def test_a_report_the_office_took_up_has_no_steps(
    database: Database, admin: Actor, alerts_hospital: dict[str, int]
) -> None:
    with database.session() as session:
        mine = dashboard.reporter_view(session, replace(admin, username="admin"), now=NOW)
    # The administrator filed everything here; the complete records are under assessment.
    by_status = {report.status: report for report in mine}
    assert by_status["reported"].steps  # the quick report C is still waiting for the office
    assert all(not r.steps for r in mine if r.status != "reported")


def test_viewers_cannot_see_the_reporter_view(database: Database) -> None:
    with database.session() as session, pytest.raises(PermissionDenied):
        dashboard.reporter_view(session, VIEWER, now=NOW)


# -- immunity coverage ------------------------------------------------------------------------


def _immunity_hospital(database: Database, admin: Actor) -> None:
    """Six workers; on 31 March 2026 (``END_OF_Q1``):

    | worker | hired | record | immune on 2025-12-29 | 2026-02-28 | 2026-03-31 |
    |---|---|---|---|---|---|
    | nurse | 2018 | series 2020, anti-HBs 120 on 2020-09-01 | yes | yes | yes |
    | doctor | 2005 | series 2025, anti-HBs 50 on 2026-03-02 | no | no | yes |
    | C | 2019 | series 2024, anti-HBs 80 on 2025-12-01, HBsAg + on 2026-01-10 | yes | no | no |
    | D | 2026-03-10 | anti-HBc + on 2026-03-15 | (not hired) | (not hired) | yes |
    | E | 2012, inactive | series 2020, anti-HBs 300 | (not staff) | (not staff) | (not staff) |
    | F | 2010 | none | no | no | no |

    Staff now: 5, immune 3 (60%). At the end of the previous month (28 February): staff 4,
    immune 1 (25%): 35 points up. At the end of the previous quarter's like-for-like span
    (29 December): staff 4, immune 2 (50%): 10 points up.
    """
    from hospital_osh.services import immunisation as im
    from hospital_osh.services import workers

    place = setup_hospital(database, admin)
    today = END_OF_Q1.date()

    def worker(staff_no: str, hired: dt.date) -> int:
        info = workers.WorkerInfo(
            staff_no=staff_no,
            name=f"Worker {staff_no}",
            sex="female",
            job_category="nurse",
            department_id=place.icu,
            hire_date=hired,
        )
        created = workers.create_worker(session, admin, info)
        assert created.id is not None
        return created.id

    def series(worker_id: int, first: dt.date) -> None:
        for number, days in ((1, 0), (2, 30), (3, 180)):
            dose = im.DoseInput(first + dt.timedelta(days=days), number)
            im.record_dose(session, admin, worker_id, dose, today=today)

    def test(worker_id: int, kind: str, day: dt.date, **result: object) -> None:
        entry = im.SerologyInput(kind, day, **result)  # type: ignore[arg-type]
        im.record_serology(session, admin, worker_id, entry, today=today)

    with database.transaction() as session:
        c, d, e, f = (
            worker(no, hired)
            for no, hired in (
                ("C01", dt.date(2019, 4, 1)),
                ("D01", dt.date(2026, 3, 10)),
                ("E01", dt.date(2012, 1, 1)),
                ("F01", dt.date(2010, 1, 1)),
            )
        )
        series(place.nurse, dt.date(2020, 1, 6))
        test(place.nurse, "anti_hbs", dt.date(2020, 9, 1), value=120.0)
        series(place.doctor, dt.date(2025, 6, 2))
        test(place.doctor, "anti_hbs", dt.date(2026, 3, 2), value=50.0)
        series(c, dt.date(2024, 1, 8))
        test(c, "anti_hbs", dt.date(2025, 12, 1), value=80.0)
        test(c, "hbsag", dt.date(2026, 1, 10), result="positive")
        test(d, "anti_hbc", dt.date(2026, 3, 15), result="positive")
        series(e, dt.date(2020, 1, 6))
        test(e, "anti_hbs", dt.date(2020, 9, 1), value=300.0)
        workers.set_worker_active(session, admin, e, False)
    del f  # no record: unvaccinated staff


@pytest.mark.parametrize(
    ("kind", "previous_end", "previous", "change"),
    [("month", dt.date(2026, 2, 28), 0.25, 0.35), ("quarter", dt.date(2025, 12, 29), 0.5, 0.1)],
)
def test_immunity_tile_against_the_end_of_the_previous_period(
    database: Database,
    admin: Actor,
    kind: str,
    previous_end: dt.date,
    previous: float,
    change: float,
) -> None:
    from hospital_osh.services import immunisation

    _immunity_hospital(database, admin)
    board = _dashboard(database, admin, kind, END_OF_Q1)
    figure = board.figure("hbv_immunity")
    assert board.period.previous_end == previous_end
    assert (figure.value, figure.count, figure.of) == (0.6, 3, 5)
    assert figure.previous == previous and figure.change == pytest.approx(change)
    assert figure.compared and figure.improved is True and figure.link is None
    with database.session() as session:
        assert dashboard.immunity_figure(session, VIEWER, kind, now=END_OF_Q1) == figure
        # The tile is the coverage service's figure on both days.
        now = immunisation.coverage(session, admin, on=END_OF_Q1.date()).total
        before = immunisation.coverage(session, admin, on=previous_end).total
    assert (now.staff, now.immune) == (5, 3)
    assert before.share == previous and before.staff == 4
    assert now.by_status["infected"] == 1 and now.by_status["unvaccinated"] == 1


def test_immunity_tile_needs_the_reports_permission(database: Database) -> None:
    with database.session() as session, pytest.raises(PermissionDenied):
        dashboard.immunity_figure(session, actor(Role.REPORTER), now=END_OF_Q1)
