"""Hazard rules: review intervals and next-review dates, the weak-controls warning, validation,
the statutory catalogue."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from hospital_osh.domain import hazards as rules
from hospital_osh.domain.codes import JOB_CATEGORIES
from hospital_osh.domain.risk_matrix import MATRIX_FILES, load_matrix
from hospital_osh.paths import resource

TODAY = dt.date(2026, 11, 20)


def _matrix(matrix_id: str = "china_4_colour"):  # type: ignore[no-untyped-def]
    name = MATRIX_FILES[matrix_id]
    return load_matrix(resource("risk_matrices", name).read_text(encoding="utf-8"), name)


def _catalogue() -> rules.StatutoryCatalogue:
    path = resource("hazards", "statutory_factors.json")
    return rules.load_statutory_catalogue(path.read_text(encoding="utf-8"))


def _values(**changes: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "activity": "Preparing cytotoxic infusions",
        "category": "chemical",
        "potential_harm": "Reproductive toxicity",
        "owner": "Head of pharmacy",
        "identification_method": "walk_through",
        "statutory_factor_code": None,
        "job_categories": ("pharmacist", "nurse"),
        "vulnerable_groups": ("pregnant_breastfeeding",),
        "exposed_female": 10,
        "exposed_male": 2,
        "controls": (("Biological safety cabinet", "engineering"),),
        "assessed_on": dt.date(2026, 11, 1),
        "next_review_on": None,
        "initial_likelihood": 4,
        "initial_severity": 4,
        "residual_likelihood": 2,
        "residual_severity": 4,
        "residual_reason": "",
        "monitoring_value": None,
        "monitoring_unit": "",
        "monitoring_limit": None,
        "monitoring_date": None,
    }
    values.update(changes)
    return values


def _errors(**changes: Any) -> dict[str, str]:
    issues = rules.validate(
        _values(**changes),
        _matrix(),
        TODAY,
        job_categories=JOB_CATEGORIES.codes,
        statutory_codes=_catalogue().codes,
    )
    return {i.field: i.text.render() for i in issues}


# -- review intervals -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ((5, 5), dt.date(2026, 2, 28)),  # red: 1 month; 31 Jan + 1 month = 28 Feb
        ((3, 3), dt.date(2026, 4, 30)),  # orange: 3 months
        ((2, 2), dt.date(2026, 7, 31)),  # yellow: 6 months
        ((1, 1), dt.date(2027, 1, 31)),  # blue: 12 months
    ],
)
def test_next_review_from_the_level_interval(cell: tuple[int, int], expected: dt.date) -> None:
    level = _matrix().level(*cell)
    assert rules.next_review(dt.date(2026, 1, 31), level) == expected


def test_a_trigger_brings_the_review_forward_but_never_back() -> None:
    blue = _matrix().level(1, 1)
    assessed = dt.date(2026, 3, 1)
    assert rules.next_review(assessed, blue, dt.date(2026, 5, 10)) == dt.date(2026, 5, 10)
    assert rules.next_review(assessed, blue, dt.date(2028, 1, 1)) == dt.date(2027, 3, 1)
    # a trigger from before the assessment was dealt with by it
    assert rules.next_review(assessed, blue, dt.date(2026, 2, 1)) == dt.date(2027, 3, 1)


def test_three_band_intervals_differ() -> None:
    matrix = _matrix("three_band")
    assert rules.next_review(dt.date(2026, 1, 15), matrix.level(5, 5)) == dt.date(2026, 2, 15)
    assert rules.next_review(dt.date(2026, 1, 15), matrix.level(3, 3)) == dt.date(2026, 7, 15)


def test_review_state() -> None:
    assert rules.review_state(dt.date(2026, 11, 19), TODAY) == "overdue"
    assert rules.review_state(TODAY, TODAY) == "due"
    assert rules.review_state(TODAY + dt.timedelta(days=30), TODAY) == "due"
    assert rules.review_state(TODAY + dt.timedelta(days=31), TODAY) == "scheduled"
    assert rules.review_state(None, TODAY) is None


def test_add_months_across_years_and_leap_days() -> None:
    assert rules.add_months(dt.date(2027, 11, 30), 3) == dt.date(2028, 2, 29)
    assert rules.add_months(dt.date(2026, 12, 15), 1) == dt.date(2027, 1, 15)
    assert rules.add_months(dt.date(2026, 6, 30), 12) == dt.date(2027, 6, 30)


# -- the warning rule -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cell", "controls", "warned"),
    [
        ((5, 5), ["administrative", "ppe"], True),  # red on admin + PPE
        ((3, 3), ["ppe"], True),  # orange on PPE alone
        ((3, 3), [], True),  # orange with no control at all
        ((3, 3), ["administrative", "engineering"], False),  # one engineering control suffices
        ((5, 5), ["elimination"], False),
        ((5, 5), ["substitution", "ppe"], False),
        ((2, 2), ["ppe"], False),  # yellow: no warning
        ((1, 1), [], False),  # blue
    ],
)
def test_weak_controls_warning(cell, controls, warned: bool) -> None:  # type: ignore[no-untyped-def]
    assert rules.weak_controls_warning(_matrix().level(*cell), controls) is warned


def test_weak_controls_warning_follows_the_matrix() -> None:
    medium = _matrix("three_band").level(3, 3)  # 9 is orange in China, medium in three bands
    assert not rules.weak_controls_warning(medium, ["ppe"])
    assert rules.weak_controls_warning(_matrix("three_band").level(5, 5), ["ppe"])
    assert not rules.weak_controls_warning(None, [])


# -- validation -------------------------------------------------------------------------------


def test_valid_values_pass() -> None:
    assert _errors() == {}


@pytest.mark.parametrize(
    "field", ["initial_likelihood", "initial_severity", "residual_likelihood", "residual_severity"]
)
@pytest.mark.parametrize("value", [0, 6, -1, 2.5, True])
def test_scores_outside_1_to_5(field: str, value: object) -> None:
    assert _errors(**{field: value})[field] == "Choose a value from 1 to 5."


def test_initial_scores_are_required_and_residual_comes_in_pairs() -> None:
    assert _errors(initial_likelihood=None)["initial_likelihood"] == "Required."
    assert _errors(residual_severity=None)["residual_severity"] == (
        "Score both likelihood and severity, or neither."
    )
    assert _errors(residual_likelihood=None, residual_severity=None) == {}


def test_residual_higher_than_initial_needs_a_reason() -> None:
    higher = {"residual_likelihood": 5, "residual_severity": 5}
    assert _errors(**higher)["residual_reason"] == (
        "The residual risk is higher than the initial risk: say why."
    )
    assert _errors(**higher, residual_reason="New drug, more preparations") == {}
    # same level but a higher score counts as higher too
    same_level = {"initial_likelihood": 3, "initial_severity": 3, "residual_likelihood": 4,
                  "residual_severity": 4}  # fmt: skip
    assert "residual_reason" in _errors(**same_level)


def test_review_date_rules() -> None:
    assert _errors(next_review_on=dt.date(2026, 10, 31))["next_review_on"] == (
        "The next review cannot be before the assessment date."
    )
    # residual (2, 4) is yellow: 6 months at most
    assert _errors(next_review_on=dt.date(2027, 5, 2))["next_review_on"] == (
        "At this level the next review is due by 2027-05-01 at the latest."
    )
    assert _errors(next_review_on=dt.date(2027, 5, 1)) == {}
    assert _errors(assessed_on=TODAY + dt.timedelta(days=1))["assessed_on"] == (
        "The assessment date is in the future."
    )


def test_monitoring_value_needs_a_unit_and_a_date() -> None:
    errors = _errors(monitoring_value=0.8, monitoring_limit=0.5)
    assert errors["monitoring_unit"] == "Give the unit of the monitoring result (e.g. mg/m³)."
    assert errors["monitoring_date"] == "Give the date of the result."
    ok = {"monitoring_value": 0.8, "monitoring_unit": "mg/m³", "monitoring_date": TODAY}
    assert _errors(**ok) == {}
    assert _errors(monitoring_date=TODAY)["monitoring_value"] == "Enter the measured value."
    assert _errors(**(ok | {"monitoring_value": -1}))["monitoring_value"] == "Cannot be negative."


def test_codes_and_required_texts() -> None:
    errors = _errors(
        category="weather",
        activity=" ",
        owner="",
        job_categories=("nurse", "astronaut"),
        vulnerable_groups=("giants",),
        statutory_factor_code="chem.unobtainium",
        controls=(("", "engineering"), ("Rota", "prayer")),
        exposed_female=-3,
    )
    assert errors["category"] == "Choose a category from the list."
    assert errors["activity"] == "Required." and errors["owner"] == "Required."
    assert errors["job_categories"] == "Unknown code: astronaut."
    assert errors["vulnerable_groups"] == "Unknown code: giants."
    assert errors["statutory_factor_code"] == "Choose a factor from the catalogue."
    assert errors["controls"] == "Choose the hierarchy level of control 2."
    controls = [
        i.text.render()
        for i in rules.validate(
            _values(controls=(("", "engineering"), ("Rota", "prayer"))),
            _matrix(),
            TODAY,
            job_categories=JOB_CATEGORIES.codes,
            statutory_codes=(),
        )
    ]
    assert controls == [
        "Control 1 has no description.",
        "Choose the hierarchy level of control 2.",
    ]
    assert errors["exposed_female"] == "Enter a number from 0 to 100000."


def test_acceptance_rules() -> None:
    matrix = _matrix()
    base = {"assessed_on": dt.date(2026, 11, 1), "today": TODAY}

    def errors(residual, **kwargs):  # type: ignore[no-untyped-def]
        found = rules.validate_acceptance(matrix, residual, **(base | kwargs))
        return {i.field: i.text.render() for i in found}

    red, orange = (5, 4), (3, 4)
    person = {"person": "Dr Wang", "accepted_on": TODAY}
    assert "senior" not in str(errors(orange, role="department_head", **person))
    assert errors(orange, role="department_head", **person) == {}
    assert errors(red, role="department_head", **person)["accepted_role"].startswith(
        "A residual risk at the highest level must be accepted by hospital leadership"
    )
    assert errors(red, role="hospital_leader", **person) == {}
    assert errors(red, person=" ", role="hospital_leader", accepted_on=TODAY)["accepted_by"] == (
        "Name the person who accepts the risk."
    )
    assert errors((None, None), role="hospital_leader", **person)["acceptance"] == (
        "Score the residual risk before accepting it."
    )
    early = errors(orange, person="A", role="osh_officer", accepted_on=dt.date(2026, 10, 1))
    assert early["accepted_on"] == "The acceptance cannot be before the assessment."


# -- the statutory catalogue ------------------------------------------------------------------


def test_the_statutory_catalogue_is_tagged_and_bilingual() -> None:
    catalogue = _catalogue()
    assert len(catalogue.factors) >= 15
    assert catalogue.reference == "国卫疾控发〔2015〕92号"
    formaldehyde = catalogue.get("chem.formaldehyde")
    assert formaldehyde is not None and formaldehyde.name.zh == "甲醛"
    assert formaldehyde.verified == "V"
    assert formaldehyde.limit is not None and formaldehyde.limit.value == 0.5
    assert formaldehyde.limit.unit == "mg/m³" and formaldehyde.limit.kind == "MAC"
    hiv = catalogue.get("bio.hiv")
    assert hiv is not None and "医疗卫生人员" in hiv.name.zh
    for factor in catalogue.factors:
        assert factor.verified in ("V", "P", "U")
        assert factor.category in {code for code, _name in catalogue.categories}
    assert catalogue.get("chem.glutaraldehyde").verified == "U"  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("factor", "message"),
    [
        ({"code": "x", "category": "weather", "en": "X", "zh": "X", "verified": "V"}, "category"),
        ({"code": "x", "category": "chemical", "en": "X", "zh": "X", "verified": "?"}, "V/P/U"),
        (
            {"code": "x", "category": "chemical", "en": "X", "zh": "X", "verified": "V",
             "oel": {"value": 1, "verified": "V"}},
            "unit",
        ),
    ],
)  # fmt: skip
def test_the_catalogue_loader_refuses_bad_entries(factor: dict, message: str) -> None:  # type: ignore[type-arg]
    import json

    text = json.dumps({"categories": [{"code": "chemical", "en": "C", "zh": "化"}],
                       "factors": [factor]})  # fmt: skip
    with pytest.raises(rules.CatalogueError, match=message):
        rules.load_statutory_catalogue(text, "bad.json")
