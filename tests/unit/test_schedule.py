"""Follow-up schedules with exact dates, and follow-up status across month ends and time zones."""

from __future__ import annotations

import datetime as dt
from functools import cache
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hospital_osh.domain.clock import hospital_date, hospital_today, hours_between
from hospital_osh.domain.followup import (
    FollowupStatus,
    PlannedTest,
    days_overdue,
    followup_status,
    generate_schedule,
    validate_done_date,
)
from hospital_osh.domain.immunity import HbvStatus
from hospital_osh.domain.post_exposure import ExposureInputs, assess
from hospital_osh.domain.protocol_vocab import ROUTES, Evidence, FollowupItem, Pathogen
from hospital_osh.domain.protocols import PROTOCOL_FILES, Protocol, load_protocol
from hospital_osh.paths import resource

SHANGHAI = ZoneInfo("Asia/Shanghai")
D0 = dt.date(2026, 1, 31)  # a month end before a short February
AT = dt.datetime(2026, 1, 31, 9, 15, tzinfo=SHANGHAI)


@cache
def protocol(name: str) -> Protocol:
    return load_protocol(resource("protocols", PROTOCOL_FILES[name]))


def d(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def rows(tests: list[PlannedTest]) -> list[tuple[str, str, str, str]]:
    return [
        (str(t.code), t.due.isoformat(), t.window_start.isoformat(), t.window_end.isoformat())
        for t in tests
    ]


def schedule(name: str, **values: object) -> list[PlannedTest]:
    values.setdefault("exposure_type", "percutaneous")
    given_inputs = ExposureInputs(occurred_at=AT, **values)  # type: ignore[arg-type]
    return generate_schedule(given_inputs, protocol(name), D0)


# -- exact dates per source status (CDC) ----------------------------------------------------------


def test_cdc_all_positive_source_unvaccinated_worker() -> None:
    """H7 + C2 + X1: every date written out; D30 after 31 January is 2 March (§b.2, b.4, b.6)."""
    tests = schedule(
        "cdc",
        source_hbsag="positive",
        source_hcv_rna="positive",
        source_hiv="positive",
        worker_hbv_status="unvaccinated",
    )
    assert rows(tests) == [
        ("anti_hcv", "2026-01-31", "2026-01-31", "2026-02-02"),
        ("hiv_ag_ab", "2026-01-31", "2026-01-31", "2026-02-03"),
        ("anti_hbc", "2026-01-31", "2026-01-31", "2026-02-07"),
        ("hbig", "2026-01-31", "2026-01-31", "2026-02-07"),
        ("hbv_vaccine", "2026-01-31", "2026-01-31", "2026-02-07"),
        ("visit", "2026-02-03", "2026-02-01", "2026-02-03"),
        ("pep_review", "2026-02-14", "2026-02-12", "2026-02-16"),
        ("hcv_rna", "2026-02-21", "2026-02-21", "2026-03-14"),
        ("hbv_vaccine", "2026-03-02", "2026-02-28", "2026-04-01"),
        ("hiv_ag_ab", "2026-03-14", "2026-03-14", "2026-03-21"),
        ("hiv_ag_ab", "2026-05-31", "2026-05-31", "2026-06-15"),
        ("anti_hcv", "2026-05-31", "2026-05-31", "2026-07-30"),
        ("hbsag", "2026-07-30", "2026-06-30", "2026-08-29"),
        ("anti_hbc", "2026-07-30", "2026-06-30", "2026-08-29"),
        ("hbv_vaccine", "2026-07-30", "2026-05-31", "2026-09-28"),
        ("anti_hbs", "2026-08-29", "2026-08-29", "2026-09-28"),
    ]
    doses = [t.dose for t in tests if t.code in (FollowupItem.HBV_VACCINE, FollowupItem.HBIG)]
    assert doses == [1, 1, 2, 3]
    assert [t.reason.render() for t in tests if t.code is FollowupItem.HBV_VACCINE] == [
        "Hepatitis B vaccine dose 1",
        "Hepatitis B vaccine dose 2",
        "Hepatitis B vaccine dose 3",
    ]


def test_cdc_all_negative_source_immune_worker() -> None:
    """H1 + C1 + X4: only the worker's baseline anti-HCV."""
    tests = schedule(
        "cdc",
        source_hbsag="negative",
        source_hcv_rna="negative",
        source_anti_hcv="negative",
        source_hiv="negative",
        worker_hbv_status="responder",
    )
    assert rows(tests) == [("anti_hcv", "2026-01-31", "2026-01-31", "2026-02-02")]


def test_cdc_source_identified_status_unknown() -> None:
    """HT + C4 + X2: anti-HBs now; HCV follow-up; PEP offered, so its visits are planned."""
    tests = schedule("cdc", worker_hbv_status="vaccinated_response_unknown")
    assert rows(tests) == [
        ("anti_hbs", "2026-01-31", "2026-01-31", "2026-02-01"),
        ("anti_hcv", "2026-01-31", "2026-01-31", "2026-02-02"),
        ("hiv_ag_ab", "2026-01-31", "2026-01-31", "2026-02-03"),
        ("visit", "2026-02-03", "2026-02-01", "2026-02-03"),
        ("pep_review", "2026-02-14", "2026-02-12", "2026-02-16"),
        ("hcv_rna", "2026-02-21", "2026-02-21", "2026-03-14"),
        ("hiv_ag_ab", "2026-03-14", "2026-03-14", "2026-03-21"),
        ("hiv_ag_ab", "2026-05-31", "2026-05-31", "2026-06-15"),
        ("anti_hcv", "2026-05-31", "2026-05-31", "2026-07-30"),
    ]


def test_cdc_unidentified_source_plans_pep_visits_only_once_pep_is_chosen() -> None:
    """X3 is "case by case": no PEP visits until the clinician starts PEP."""
    inputs = ExposureInputs(
        exposure_type="percutaneous",
        occurred_at=AT,
        source_identified=False,
        worker_hbv_status="responder",
    )
    proposal = assess(inputs, protocol("cdc"), AT)
    codes = {t.code for t in generate_schedule(proposal, protocol("cdc"), D0)}
    assert FollowupItem.PEP_REVIEW not in codes and FollowupItem.HIV_AG_AB in codes
    started = generate_schedule(proposal, protocol("cdc"), D0, include_pep=True)
    assert [t.due for t in started if t.code is FollowupItem.PEP_REVIEW] == [d("2026-02-14")]


# -- exact dates (China default) --------------------------------------------------------------


def test_china_positive_source() -> None:
    """C-H2 + C-C2 + C-X1. ALT for HBV and HCV on the same day is one item with both reasons."""
    tests = schedule(
        "china",
        source_hbsag="positive",
        source_hcv_rna="positive",
        source_hiv="positive",
        worker_hbv_status="unvaccinated",
    )
    assert rows(tests) == [
        ("anti_hbs", "2026-01-31", "2026-01-31", "2026-02-01"),
        ("hbsag", "2026-01-31", "2026-01-31", "2026-02-01"),
        ("hiv_ag_ab", "2026-01-31", "2026-01-31", "2026-02-01"),
        ("alt", "2026-01-31", "2026-01-31", "2026-02-01"),
        ("hbig", "2026-01-31", "2026-01-31", "2026-02-01"),
        ("hbv_vaccine", "2026-01-31", "2026-01-31", "2026-02-01"),
        ("anti_hcv", "2026-01-31", "2026-01-31", "2026-02-02"),
        ("hcv_rna", "2026-01-31", "2026-01-31", "2026-02-02"),
        ("visit", "2026-02-03", "2026-02-01", "2026-02-03"),
        ("pep_review", "2026-02-14", "2026-02-12", "2026-02-16"),
        ("hiv_ag_ab", "2026-02-28", "2026-02-28", "2026-03-07"),
        ("hcv_rna", "2026-02-28", "2026-02-28", "2026-03-14"),
        ("hbv_vaccine", "2026-03-02", "2026-02-28", "2026-04-01"),
        ("hiv_ag_ab", "2026-03-28", "2026-03-28", "2026-04-04"),
        ("hiv_ag_ab", "2026-04-25", "2026-04-25", "2026-05-02"),
        ("anti_hbs", "2026-05-01", "2026-04-21", "2026-05-11"),
        ("hbsag", "2026-05-01", "2026-04-21", "2026-05-11"),
        ("anti_hcv", "2026-05-01", "2026-04-21", "2026-05-11"),
        ("alt", "2026-05-01", "2026-04-21", "2026-05-11"),
        ("hiv_ag_ab", "2026-07-30", "2026-07-30", "2026-08-14"),
        ("anti_hbs", "2026-07-30", "2026-07-20", "2026-08-19"),
        ("hbsag", "2026-07-30", "2026-07-20", "2026-08-19"),
        ("anti_hcv", "2026-07-30", "2026-07-20", "2026-08-19"),
        ("alt", "2026-07-30", "2026-07-20", "2026-08-19"),
        ("hbv_vaccine", "2026-07-30", "2026-05-31", "2026-09-28"),
        ("anti_hbs", "2026-08-29", "2026-08-29", "2026-09-28"),
    ]
    alt = next(t for t in tests if t.code is FollowupItem.ALT)
    assert alt.pathogens == (Pathogen.HBV, Pathogen.HCV)
    assert [b.rule_id for b in alt.basis] == ["C-H2u", "C-C2"]
    hiv_baseline = next(t for t in tests if t.code is FollowupItem.HIV_AG_AB)
    assert hiv_baseline.verified is Evidence.VERIFIED  # 2015 procedure, 24 h, witnesses


def test_china_negative_source() -> None:
    tests = schedule(
        "china",
        source_hbsag="negative",
        source_hcv_rna="negative",
        source_hiv="negative",
        worker_hbv_status="responder",
    )
    assert rows(tests) == [
        ("anti_hcv", "2026-01-31", "2026-01-31", "2026-02-02"),
        ("alt", "2026-01-31", "2026-01-31", "2026-02-02"),
    ]
    assert all(t.verified is Evidence.UNVERIFIED for t in tests)  # China HCV is [U]


def test_leap_year_month_end() -> None:
    tests = generate_schedule(
        ExposureInputs(
            exposure_type="percutaneous",
            occurred_at=AT,
            source_hbsag="positive",
            worker_hbv_status="non_responder",
            source_hiv="negative",
            source_hcv_rna="negative",
        ),
        protocol("cdc"),
        dt.date(2028, 1, 31),
    )
    second = [t for t in tests if t.code is FollowupItem.HBIG][1]
    assert (second.due, second.window_start, second.window_end) == (
        d("2028-03-01"),
        d("2028-02-28"),
        d("2028-03-06"),
    )


def test_clean_unused_sharp_plans_nothing() -> None:
    tests = schedule("cdc", clean_unused_sharp=True, source_hiv="positive")
    assert tests == []


def test_proposal_from_another_protocol_is_refused() -> None:
    proposal = assess(ExposureInputs(exposure_type="bite", occurred_at=AT), protocol("cdc"), AT)
    with pytest.raises(ValueError, match="comes from 'cdc'"):
        generate_schedule(proposal, protocol("china"), D0)


def test_schedule_from_inputs_equals_schedule_from_proposal() -> None:
    inputs = ExposureInputs(exposure_type="mucous_membrane", occurred_at=AT, source_hiv="positive")
    proposal = assess(inputs, protocol("china"), AT + dt.timedelta(hours=3))
    assert generate_schedule(inputs, protocol("china"), D0) == generate_schedule(
        proposal, protocol("china"), D0
    )


# -- status -------------------------------------------------------------------------------------


def planned(start: str, end: str) -> PlannedTest:
    return PlannedTest(FollowupItem.HIV_AG_AB, d(start), d(start), d(end), basis=())


@pytest.mark.parametrize(
    "today,expected",
    [
        ("2026-02-27", FollowupStatus.PLANNED),
        ("2026-02-28", FollowupStatus.DUE),  # window opens on its first day
        ("2026-03-07", FollowupStatus.DUE),  # ... and is still open on its last
        ("2026-03-08", FollowupStatus.OVERDUE),
        ("2027-01-01", FollowupStatus.OVERDUE),
    ],
)
def test_status_follows_the_window_across_a_month_end(today: str, expected: str) -> None:
    assert followup_status(planned("2026-02-28", "2026-03-07"), None, False, d(today)) == expected


def test_window_ending_on_the_last_day_of_february() -> None:
    test = planned("2026-02-21", "2026-02-28")
    assert followup_status(test, None, False, d("2026-02-28")) is FollowupStatus.DUE
    assert followup_status(test, None, False, d("2026-03-01")) is FollowupStatus.OVERDUE
    assert days_overdue(test, d("2026-03-01")) == 1
    assert days_overdue(test, d("2026-02-01")) == 0


def test_status_precedence() -> None:
    test = planned("2026-02-28", "2026-03-07")
    late = d("2026-04-01")
    assert followup_status(test, d("2026-03-20"), False, late) is FollowupStatus.DONE
    assert followup_status(test, d("2026-03-20"), True, late) is FollowupStatus.CANCELLED
    assert followup_status(test, None, False, late, missed=True) is FollowupStatus.MISSED
    assert followup_status(test, None, True, late, missed=True) is FollowupStatus.CANCELLED


def test_overdue_is_decided_on_the_hospital_date_not_the_utc_date() -> None:
    """16:30 UTC on 7 March is 00:30 on 8 March in Shanghai: the test is overdue there."""
    test = planned("2026-02-28", "2026-03-07")
    now = dt.datetime(2026, 3, 7, 16, 30, tzinfo=dt.UTC)
    assert followup_status(test, None, False, now.date()) is FollowupStatus.DUE  # UTC: wrong
    today = hospital_today("Asia/Shanghai", now)
    assert today == d("2026-03-08")
    assert followup_status(test, None, False, today) is FollowupStatus.OVERDUE
    assert followup_status(test, None, False, hospital_today("Europe/London", now)) is (
        FollowupStatus.DUE
    )


def test_exposure_late_in_the_utc_day_starts_the_next_local_day() -> None:
    """D0 is the local date (§b): 17:30 UTC on 31 January is 1 February in Shanghai."""
    stored = dt.datetime(2026, 1, 31, 17, 30)  # naive = UTC, the storage convention
    d0 = hospital_date(stored, "Asia/Shanghai")
    assert d0 == d("2026-02-01")
    inputs = ExposureInputs(
        exposure_type="percutaneous",
        occurred_at=stored,
        source_hiv="positive",
        source_hbsag="negative",
        source_hcv_rna="negative",
        worker_hbv_status="responder",
    )
    tests = generate_schedule(inputs, protocol("cdc"), d0)
    assert [t.due for t in tests if t.code is FollowupItem.HIV_AG_AB][1] == d("2026-03-15")


def test_time_helpers() -> None:
    new_york = dt.datetime(2026, 3, 1, 20, 0, tzinfo=ZoneInfo("America/New_York"))
    assert hospital_date(new_york, "Asia/Shanghai") == d("2026-03-02")
    assert hospital_date(new_york, SHANGHAI) == d("2026-03-02")
    assert hours_between(new_york, dt.datetime(2026, 3, 2, 3, 0)) == 2.0  # naive = UTC


def test_done_date_validation() -> None:
    assert validate_done_date(d("2026-01-30"), D0, d("2026-03-01"))[0].field == "done_date"
    assert validate_done_date(d("2026-03-02"), D0, d("2026-03-01"))
    assert validate_done_date(D0, D0, D0) == []


# -- properties ---------------------------------------------------------------------------------

RESULTS = st.sampled_from(["positive", "negative", "unknown"])
exposure_inputs = st.builds(
    ExposureInputs,
    exposure_type=st.sampled_from(ROUTES),
    occurred_at=st.just(AT),
    clean_unused_sharp=st.booleans(),
    infectious_fluid=st.booleans(),
    source_identified=st.booleans(),
    source_hbsag=RESULTS,
    source_anti_hcv=RESULTS,
    source_hcv_rna=RESULTS,
    source_hiv=RESULTS,
    source_recent_risk=st.sampled_from([None, True, False]),
    worker_hbv_status=st.sampled_from(list(HbvStatus)),
    worker_anti_hbs=st.one_of(st.none(), st.floats(0, 1000)),
    worker_anti_hcv=RESULTS,
    worker_hiv=RESULTS,
).filter(
    lambda i: (
        i.source_identified
        or {i.source_hbsag, i.source_anti_hcv, i.source_hcv_rna, i.source_hiv} == {"unknown"}
    )
)


@settings(max_examples=150, deadline=None)
@given(
    inputs=exposure_inputs,
    name=st.sampled_from(sorted(PROTOCOL_FILES)),
    d0=st.dates(dt.date(2000, 1, 1), dt.date(2099, 12, 31)),
    include_pep=st.sampled_from([None, True, False]),
)
def test_windows_always_contain_due_dates(
    inputs: ExposureInputs, name: str, d0: dt.date, include_pep: bool | None
) -> None:
    tests = generate_schedule(inputs, protocol(name), d0, include_pep=include_pep)
    for test in tests:
        assert d0 <= test.window_start <= test.due <= test.window_end
    assert tests == sorted(tests, key=lambda t: t.due)
    assert len({(t.code, t.due, t.dose) for t in tests}) == len(tests)


_ORDER = [FollowupStatus.PLANNED, FollowupStatus.DUE, FollowupStatus.OVERDUE]


@given(
    start=st.dates(dt.date(2020, 1, 1), dt.date(2030, 12, 31)),
    length=st.integers(0, 120),
    first=st.dates(dt.date(2019, 6, 1), dt.date(2031, 6, 1)),
    step=st.integers(0, 400),
)
def test_status_never_goes_back_in_time(
    start: dt.date, length: int, first: dt.date, step: int
) -> None:
    test = PlannedTest(FollowupItem.ALT, start, start, start + dt.timedelta(days=length), ())
    earlier = followup_status(test, None, False, first)
    later = followup_status(test, None, False, first + dt.timedelta(days=step))
    assert _ORDER.index(earlier) <= _ORDER.index(later)


@given(
    moment=st.datetimes(
        dt.datetime(2000, 1, 1), dt.datetime(2099, 1, 1), timezones=st.just(dt.UTC)
    ),
    zone=st.sampled_from(["Asia/Shanghai", "Asia/Urumqi", "UTC", "America/New_York"]),
)
def test_hospital_date_is_the_local_calendar_date(moment: dt.datetime, zone: str) -> None:
    assert hospital_date(moment, zone) == moment.astimezone(ZoneInfo(zone)).date()
    assert hospital_date(moment.replace(tzinfo=None), zone) == hospital_date(moment, zone)
