"""Worker HBV status derivation (exposures.md §a.8, §b.10) and validation of the record."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hospital_osh.domain.immunity import (
    HBV_STATUSES,
    STATUS_RANK,
    AntiHbsResult,
    HbvStatus,
    VaccineDose,
    assess_hbv_status,
    derive_hbv_status,
    validate_anti_hbs,
    validate_dose,
    validate_history,
)
from hospital_osh.domain.messages import DomainError, Severity


def d(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def series(
    start: str, number: int = 1, doses: int = 3, product: str = "Engerix-B 20µg"
) -> list[VaccineDose]:
    """A series at 0, 1 and 6 months (or 0 and 1 month for a 2-dose product)."""
    first = d(start)
    offsets = [0, 30, 180] if doses == 3 else [0, 30]
    return [
        VaccineDose(first + dt.timedelta(days=o), i + 1, product, number, doses)
        for i, o in enumerate(offsets)
    ]


def result(day: str, value: float) -> AntiHbsResult:
    return AntiHbsResult(d(day), value)


FIRST = series("2020-01-01")  # complete on 2020-06-29
SECOND = series("2021-01-01", number=2)  # complete on 2021-06-30


@pytest.mark.parametrize(
    "doses,results,expected",
    [
        ([], [], HbvStatus.UNVACCINATED),
        (FIRST[:2], [], HbvStatus.UNVACCINATED),  # incomplete series
        (FIRST[:2], [result("2020-03-01", 50)], HbvStatus.UNVACCINATED),
        (FIRST, [], HbvStatus.VACCINATED_RESPONSE_UNKNOWN),
        (FIRST, [result("2020-08-01", 10.0)], HbvStatus.RESPONDER),  # exactly 10 protects
        (FIRST, [result("2020-08-01", 9.99)], HbvStatus.VACCINATED_RESPONSE_UNKNOWN),
        (FIRST, [result("2020-03-01", 80)], HbvStatus.VACCINATED_RESPONSE_UNKNOWN),  # mid-series
        (FIRST, [result("2020-06-29", 80)], HbvStatus.VACCINATED_RESPONSE_UNKNOWN),  # dose day
        (FIRST, [result("2020-08-01", 120), result("2030-01-01", 2)], HbvStatus.RESPONDER),
        ([*FIRST, *SECOND], [result("2021-08-15", 3)], HbvStatus.NON_RESPONDER),
        ([*FIRST, *SECOND], [result("2020-08-01", 3)], HbvStatus.VACCINATED_RESPONSE_UNKNOWN),
        (
            [*FIRST, *SECOND],
            [result("2020-08-01", 3), result("2021-08-01", 25)],
            HbvStatus.RESPONDER,
        ),
        ([*FIRST, *SECOND[:2]], [result("2021-03-01", 3)], HbvStatus.VACCINATED_RESPONSE_UNKNOWN),
        (
            series("2022-01-01", doses=2, product="Heplisav-B"),
            [result("2022-03-15", 40)],
            HbvStatus.RESPONDER,
        ),
    ],
)
def test_status(doses: list[VaccineDose], results: list[AntiHbsResult], expected: str) -> None:
    assert derive_hbv_status(doses, results, hbsag_positive=False) == expected


def test_hbsag_positive_is_infected_whatever_else() -> None:
    assert derive_hbv_status(FIRST, [result("2020-08-01", 500)], True) is HbvStatus.INFECTED
    assert derive_hbv_status([], [], True) is HbvStatus.INFECTED


def test_past_infection_counts_as_immune() -> None:
    """§a.8: anti-HBc positive and HBsAg negative counts as immune for PEP (folded in)."""
    finding = assess_hbv_status([], [], False, anti_hbc_positive=True)
    assert finding.status is HbvStatus.RESPONDER
    assert "anti-HBc" in finding.reason.render()


def test_non_responder_needs_two_series_and_says_why_not() -> None:
    """§b.10: <10 after one series is not a non-responder; the reason explains it."""
    finding = assess_hbv_status(FIRST, [result("2020-08-01", 2)], False)
    assert finding.status is HbvStatus.VACCINATED_RESPONSE_UNKNOWN
    assert finding.reason.kwargs == {"count": 1}
    assert "two documented series" in finding.reason.render()
    assert finding.complete_series == 1 and finding.latest_anti_hbs == result("2020-08-01", 2)


def test_responder_reason_names_the_result() -> None:
    finding = assess_hbv_status(FIRST, [result("2020-08-01", 12.5)], False)
    assert finding.reason.render() == "Anti-HBs 12.5 mIU/mL on 2020-08-01, after a complete series."


def test_status_as_of_a_date() -> None:
    history = ([*FIRST, *SECOND], [result("2020-08-01", 3), result("2021-08-15", 4)])
    assert derive_hbv_status(*history, False, on=d("2020-05-01")) is HbvStatus.UNVACCINATED
    assert derive_hbv_status(*history, False, on=d("2020-07-01")) is (
        HbvStatus.VACCINATED_RESPONSE_UNKNOWN
    )
    assert derive_hbv_status(*history, False, on=d("2021-09-01")) is HbvStatus.NON_RESPONDER


def test_code_list_matches_exchange() -> None:
    assert HBV_STATUSES.codes == (
        "responder",
        "non_responder",
        "vaccinated_response_unknown",
        "unvaccinated",
        "infected",
    )


# -- validation ---------------------------------------------------------------------------------


@pytest.mark.parametrize("value", [-0.1, 100_000.01, float("nan"), 1e9])
def test_absurd_anti_hbs_is_an_error(value: float) -> None:
    found = validate_anti_hbs(AntiHbsResult(d("2024-01-01"), value))
    assert [(i.field, i.severity) for i in found] == [("miu_per_ml", Severity.ERROR)]
    with pytest.raises(DomainError) as caught:
        derive_hbv_status(FIRST, [AntiHbsResult(d("2024-01-01"), value)], False)
    assert caught.value.issues[0].field == "miu_per_ml"


@pytest.mark.parametrize("value", [0.0, 10.0, 100_000.0])
def test_plausible_anti_hbs_passes(value: float) -> None:
    assert validate_anti_hbs(AntiHbsResult(d("2024-01-01"), value)) == []


def test_future_dates_are_errors() -> None:
    today = d("2026-03-01")
    assert validate_anti_hbs(result("2026-03-02", 20), today)[0].field == "tested_on"
    assert validate_anti_hbs(result("2026-03-01", 20), today) == []
    dose = VaccineDose(d("2026-03-02"), 1)
    assert [i.field for i in validate_dose(dose, today)] == ["given_on"]


@pytest.mark.parametrize(
    "dose,field",
    [
        (VaccineDose(d("2024-01-01"), 4), "dose_number"),
        (VaccineDose(d("2024-01-01"), 0), "dose_number"),
        (VaccineDose(d("2024-01-01"), 1, series=0), "series"),
        (VaccineDose(d("2024-01-01"), 1, dose_ug=0), "dose_ug"),
        (VaccineDose(d("2024-01-01"), 1, doses_in_series=0), "doses_in_series"),
    ],
)
def test_bad_doses(dose: VaccineDose, field: str) -> None:
    assert field in {i.field for i in validate_dose(dose)}


def test_doses_out_of_order_or_repeated_are_refused() -> None:
    swapped = [VaccineDose(d("2024-03-01"), 1), VaccineDose(d("2024-02-01"), 2)]
    with pytest.raises(DomainError, match="Dose 2 of series 1 is not after dose 1"):
        derive_hbv_status(swapped, [], False)
    twice = [VaccineDose(d("2024-01-01"), 1), VaccineDose(d("2024-02-01"), 1)]
    with pytest.raises(DomainError, match="same dose number twice"):
        derive_hbv_status(twice, [], False)
    mixed = [VaccineDose(d("2024-01-01"), 1), VaccineDose(d("2024-02-01"), 2, doses_in_series=2)]
    with pytest.raises(DomainError, match="different numbers of doses"):
        derive_hbv_status(mixed, [], False)


def test_second_series_before_the_first_is_complete_is_only_a_warning() -> None:
    early = series("2020-03-01", number=2)
    found = validate_history([*FIRST, *early], [])
    assert [(i.field, i.severity) for i in found] == [("series", Severity.WARNING)]
    assert derive_hbv_status([*FIRST, *early], [], False) is HbvStatus.VACCINATED_RESPONSE_UNKNOWN


# -- property: the status only moves forward as the record grows over time ---------------------

OFFSETS = st.lists(st.integers(0, 3000), min_size=0, max_size=8)


@st.composite
def histories(draw: st.DrawFn) -> tuple[list[VaccineDose], list[AntiHbsResult]]:
    base = d("2015-01-01")
    doses: list[VaccineDose] = []
    start = draw(st.integers(0, 400))
    for number in range(1, draw(st.integers(0, 3)) + 1):
        length = draw(st.sampled_from([2, 3]))
        given_doses = draw(st.integers(1, length))
        gaps = draw(st.lists(st.integers(28, 200), min_size=length, max_size=length))
        day = start
        for dose_number in range(1, given_doses + 1):
            doses.append(
                VaccineDose(base + dt.timedelta(days=day), dose_number, "", number, length)
            )
            day += gaps[dose_number - 1]
        start = day + draw(st.integers(1, 400))
    results = [
        AntiHbsResult(base + dt.timedelta(days=day), value)
        for day, value in draw(
            st.lists(st.tuples(st.integers(0, 3000), st.floats(0, 2000)), max_size=5)
        )
    ]
    return doses, results


@given(history=histories(), first=st.integers(0, 3200), step=st.integers(0, 3200))
def test_status_is_monotone_in_time(
    history: tuple[list[VaccineDose], list[AntiHbsResult]], first: int, step: int
) -> None:
    doses, results = history
    base = d("2015-01-01")
    earlier = derive_hbv_status(doses, results, False, on=base + dt.timedelta(days=first))
    later = derive_hbv_status(doses, results, False, on=base + dt.timedelta(days=first + step))
    assert STATUS_RANK[earlier] <= STATUS_RANK[later]
