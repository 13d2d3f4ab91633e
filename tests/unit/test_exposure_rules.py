"""Validation of exposure records: each rule, error or warning; completeness; next steps."""

from __future__ import annotations

import datetime as dt

import pytest

from hospital_osh.domain import exposure_rules as rules
from hospital_osh.domain.exposure_rules import Severity

NOW = dt.datetime(2026, 3, 10, 15, 0)


def complete(**changes: object) -> dict[str, object]:
    values: dict[str, object] = {
        "worker_id": 7,
        "worker_kind": "staff",
        "job_category": "nurse",
        "sex": "female",
        "age": 30,
        "years_in_post": 7.5,
        "occurred_at": dt.datetime(2026, 3, 9, 10, 30),
        "reported_at": dt.datetime(2026, 3, 9, 11, 15),
        "department_id": 1,
        "location_type": "icu",
        "exposure_type": "percutaneous",
        "device_type": "iv_catheter_stylet",
        "device_safety_engineered": "yes",
        "safety_activated": "partially",
        "purpose": "start_iv",
        "circumstance": "during_use",
        "body_site": "finger",
        "depth": "moderate",
        "gloves": "single",
        "device_contaminated": "yes",
        "source_identified": "yes",
        "source_hbsag": "positive",
        "source_hbsag_date": dt.date(2026, 3, 8),
        "source_anti_hcv": "negative",
        "source_hiv": "negative",
        "description": "stuck while placing a cannula",
        "barrier_garments": "",
        "status": "under_assessment",
        "outcome": "pending",
    }
    values.update(changes)
    return values


def found(values: dict[str, object], **options: object) -> dict[str, Severity]:
    return {i.field: i.severity for i in rules.validate(values, NOW, **options)}  # type: ignore[arg-type]


def test_a_complete_record_passes() -> None:
    assert rules.validate(complete(), NOW, completing=True) == []
    assert rules.missing_fields(complete()) == ()


def test_exposure_in_the_future_is_an_error() -> None:
    values = complete(occurred_at=NOW + dt.timedelta(minutes=5), reported_at=NOW)
    messages = [i.message for i in rules.validate(values, NOW)]
    assert found(values) == {"occurred_at": Severity.ERROR}
    assert any("in the future" in m for m in messages)


def test_report_in_the_future_is_an_error() -> None:
    assert found(complete(reported_at=NOW + dt.timedelta(days=1))) == {
        "reported_at": Severity.ERROR
    }


def test_exposure_after_report_is_an_error() -> None:
    values = complete(occurred_at=dt.datetime(2026, 3, 9, 12, 0))
    issues = rules.validate(values, NOW)
    assert [(i.field, i.severity) for i in issues] == [("occurred_at", Severity.ERROR)]
    assert "after the report" in issues[0].message


def test_report_more_than_a_year_late_is_only_a_warning() -> None:
    values = complete(occurred_at=dt.datetime(2025, 1, 2, 8, 0))
    issues = rules.validate(values, NOW)
    assert [(i.field, i.severity) for i in issues] == [("reported_at", Severity.WARNING)]
    assert issues[0].params == {"days": 431}
    assert found(complete(occurred_at=dt.datetime(2025, 3, 20, 8, 0))) == {}


def test_stale_source_result_is_a_warning() -> None:
    issues = rules.validate(complete(source_hbsag_date=dt.date(2025, 3, 1)), NOW)
    assert [(i.field, i.severity) for i in issues] == [("source_hbsag_date", Severity.WARNING)]
    assert found(complete(source_hbsag_date=dt.date(2025, 3, 20))) == {}
    assert found(complete(source_hiv_date=dt.date(2026, 4, 1))) == {
        "source_hiv_date": Severity.ERROR
    }


@pytest.mark.parametrize("activated", ["fully", "partially"])
def test_activation_without_a_safety_feature_contradicts(activated: str) -> None:
    values = complete(device_safety_engineered="no", safety_activated=activated)
    assert found(values) == {"safety_activated": Severity.ERROR}
    assert found(complete(device_safety_engineered="no", safety_activated="no")) == {}


def test_safety_feature_without_an_answer_warns_at_completion() -> None:
    values = complete(safety_activated=None)
    assert found(values) == {}
    assert found(values, completing=True) == {"safety_activated": Severity.WARNING}


@pytest.mark.parametrize(
    "field,value",
    [
        ("device_type", "lightsaber"),
        ("status", "archived"),
        ("job_category", "wizard"),
        ("barrier_garments", "gown cape"),
        ("china_grade", "level_4"),
    ],
)
def test_unknown_codes_are_errors(field: str, value: str) -> None:
    issues = rules.validate(complete(**{field: value}), NOW)
    assert [(i.field, i.severity) for i in issues] == [(field, Severity.ERROR)]
    assert issues[0].params["code"] in value.split()


def test_local_codes_are_accepted_when_allowed() -> None:
    values = complete(device_type="pen_needle")
    assert found(values) == {"device_type": Severity.ERROR}
    allowed = {"device_type": {"pen_needle", "iv_catheter_stylet"}}
    assert found(values, allowed=allowed) == {}


def test_none_with_garments_contradicts() -> None:
    values = complete(exposure_type="mucous_membrane", barrier_garments="none gown")
    assert found(values)["barrier_garments"] == Severity.ERROR


def test_numbers_out_of_range() -> None:
    assert found(complete(age=9, years_in_post=None)) == {"age": Severity.ERROR}
    assert found(complete(years_in_post=-1)) == {"years_in_post": Severity.ERROR}
    assert found(complete(age=20, years_in_post=10)) == {"years_in_post": Severity.ERROR}
    assert found(complete(source_hiv_viral_load=-5)) == {"source_hiv_viral_load": Severity.ERROR}


def test_missing_fields_at_completion_are_listed_by_field() -> None:
    values = complete(depth=None, gloves="", description="  ", worker_id=None)
    assert rules.missing_fields(values) == ("worker", "description", "depth", "gloves")
    errors = {
        i.field
        for i in rules.validate(values, NOW, completing=True)
        if i.severity == Severity.ERROR
    }
    assert errors == {"worker", "description", "depth", "gloves"}
    assert found(values) == {}  # an ordinary save allows gaps


def test_required_fields_follow_the_answers() -> None:
    fluid = rules.required_fields(complete(exposure_type="mucous_membrane"))
    assert {"fluid_type", "contact_volume", "barrier_garments"} <= set(fluid)
    assert "device_type" not in fluid
    unknown_source = rules.required_fields(complete(source_identified="no"))
    assert {"china_grade", "china_source_grade"} <= set(unknown_source)
    assert "source_hbsag" not in unknown_source
    assert "years_in_post" not in rules.required_fields(complete(worker_kind="visitor"))
    assert "china_grade" not in rules.required_fields(complete(exposure_type="bite"))


def test_closing_an_incomplete_record_is_an_error() -> None:
    assert found(complete(status="closed", depth=None)) == {"status": Severity.ERROR}
    assert found(complete(status="closed")) == {}


@pytest.mark.parametrize(
    "changes,grade",
    [
        ({"depth": "deep", "device_contaminated": "no"}, "level_3"),
        ({"depth": "superficial", "device_contaminated": "yes"}, "level_3"),
        ({"depth": "superficial", "device_contaminated": "no"}, "level_2"),
        ({"depth": None, "device_contaminated": "no"}, None),
        (
            {
                "exposure_type": "mucous_membrane",
                "contact_volume": "small",
                "contact_duration": "lt_5min",
            },
            "level_1",
        ),
        (
            {
                "exposure_type": "non_intact_skin",
                "contact_volume": "small",
                "contact_duration": "gt_1h",
            },
            "level_2",
        ),
        ({"exposure_type": "bite"}, None),
    ],
)
def test_china_grade_suggestion(changes: dict[str, object], grade: str | None) -> None:
    assert rules.suggest_china_grade(complete(**changes)) == grade


@pytest.mark.parametrize(
    "hours,expected",
    [(0.5, "within 2 hours"), (5, "within 24 hours"), (30, "up to 72"), (80, "has passed")],
)
def test_next_steps_follow_the_clock(hours: float, expected: str) -> None:
    steps = rules.next_steps("percutaneous", hours, "EXP-2026-0007")
    assert "squeeze" in steps[0].message
    assert steps[1].params == {"reference": "EXP-2026-0007"} and steps[1].urgent
    assert expected in steps[-1].message and steps[-1].params == {"hours": hours}
    assert steps[-1].urgent is (hours < 72)


def test_mucous_exposure_is_flushed_not_squeezed() -> None:
    assert "Flush" in rules.next_steps("mucous_membrane", 1, "X")[0].message
