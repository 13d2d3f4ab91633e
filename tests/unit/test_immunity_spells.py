"""A worker's HBV status over time (``status_spells``): hand-computed histories, and the
property that the spells give, on every day, exactly the status derived as of that day."""

from __future__ import annotations

import datetime as dt
import itertools

from hypothesis import example, given, settings
from hypothesis import strategies as st

from hospital_osh.domain.immunity import (
    AntiHbsResult,
    HbvStatus,
    QualitativeResult,
    StatusSpell,
    VaccineDose,
    derive_hbv_status,
    immune_since,
    spell_on,
    status_spells,
)
from hospital_osh.domain.messages import DomainError

D = dt.date.fromisoformat
R, N, V = HbvStatus.RESPONDER, HbvStatus.NON_RESPONDER, HbvStatus.VACCINATED_RESPONSE_UNKNOWN


def series(start: str, number: int = 1) -> list[VaccineDose]:
    first = D(start)
    return [
        VaccineDose(first + dt.timedelta(days=offset), dose, series=number)
        for dose, offset in ((1, 0), (2, 30), (3, 180))
    ]


FIRST = series("2020-01-01")  # complete on 2020-06-29
SECOND = series("2021-01-01", number=2)  # complete on 2021-06-30


def test_no_record_and_an_incomplete_series_have_no_spell() -> None:
    assert status_spells([], []) == ()
    assert status_spells(FIRST[:2], [AntiHbsResult(D("2020-03-01"), 80)]) == ()
    assert immune_since(()) is None


def test_a_non_responder_who_responds_later() -> None:
    spells = status_spells(
        [*FIRST, *SECOND],
        [
            AntiHbsResult(D("2020-09-01"), 4),
            AntiHbsResult(D("2021-09-01"), 5),
            AntiHbsResult(D("2022-01-10"), 48),
        ],
    )
    assert spells == (
        StatusSpell(V, D("2020-06-29"), D("2021-09-01")),
        StatusSpell(N, D("2021-09-01"), D("2022-01-10")),
        StatusSpell(R, D("2022-01-10")),
    )
    assert immune_since(spells) == D("2022-01-10")
    assert spell_on(spells, D("2021-08-31")) == spells[0]
    assert spell_on(spells, D("2020-06-28")) is None  # unvaccinated then


def test_infection_ends_immunity_and_contradicting_records_get_a_spell() -> None:
    hbsag = [QualitativeResult(D("2024-01-10"), "positive")]
    spells = status_spells(FIRST, [AntiHbsResult(D("2020-09-01"), 80)], hbsag)
    assert [(s.status, s.start, s.end) for s in spells] == [
        (V, D("2020-06-29"), D("2020-09-01")),
        (R, D("2020-09-01"), D("2024-01-10")),
        (HbvStatus.INFECTED, D("2024-01-10"), None),
    ]
    assert immune_since(spells) is None
    twice = [*FIRST, VaccineDose(D("2023-05-01"), 2)]  # dose 2 of series 1 recorded twice
    spells = status_spells(twice, [AntiHbsResult(D("2020-09-01"), 80)])
    assert spells[-1] == StatusSpell(None, D("2023-05-01"))


def test_the_latest_qualitative_result_of_a_day_counts() -> None:
    """Two HBsAg results on one day: the one recorded last decides (as the service reads it)."""
    day = D("2022-03-01")
    results = [QualitativeResult(day, "positive"), QualitativeResult(day, "negative")]
    assert status_spells([], [], results) == ()
    assert status_spells([], [], results[::-1]) == (StatusSpell(HbvStatus.INFECTED, day),)


DAYS = [D("2019-01-01") + dt.timedelta(days=61 * i) for i in range(10)]
days = st.sampled_from(DAYS)
stray_doses = st.builds(
    VaccineDose,
    given_on=days,
    dose_number=st.integers(1, 3),
    series=st.integers(1, 2),
    doses_in_series=st.sampled_from([2, 3]),
)


@st.composite
def doses(draw: st.DrawFn) -> list[VaccineDose]:
    """Up to two series, each complete or not, on consecutive days, and a few stray doses
    (which may contradict the series)."""
    found: list[VaccineDose] = []
    for number in (1, 2):
        if draw(st.integers(0, 3)):  # mostly there
            length = draw(st.sampled_from([2, 3]))
            start = draw(st.integers(0, len(DAYS) - length))
            given = draw(st.sampled_from([length, length, length - 1]))  # mostly complete
            found += [
                VaccineDose(DAYS[start + i], i + 1, series=number, doses_in_series=length)
                for i in range(given)
            ]
    return found + draw(st.lists(stray_doses, max_size=2))


anti_hbs = st.builds(AntiHbsResult, days, st.sampled_from([0.0, 4.0, 9.99, 10.0, 80.0]))
qualitative = st.builds(QualitativeResult, days, st.sampled_from(["positive", "negative"]))


@settings(max_examples=400, deadline=None)
@example([*FIRST, *SECOND], [AntiHbsResult(D("2021-09-01"), 5)], [], [])  # a non-responder
@given(
    doses(),
    st.lists(anti_hbs, max_size=4),
    st.lists(qualitative, max_size=2),
    st.lists(qualitative, max_size=2),
)
def test_spells_give_the_status_derived_on_every_day(
    given_doses: list[VaccineDose],
    results: list[AntiHbsResult],
    hbsag: list[QualitativeResult],
    anti_hbc: list[QualitativeResult],
) -> None:
    hbsag.sort(key=lambda r: r.tested_on)
    anti_hbc.sort(key=lambda r: r.tested_on)

    def derived(day: dt.date) -> HbvStatus | None:
        """The status as of ``day``, from the records up to then (None: they contradict)."""

        def latest(found: list[QualitativeResult]) -> str | None:
            return ([r.result for r in found if r.tested_on <= day] or [None])[-1]

        try:
            return derive_hbv_status(
                given_doses,
                results,
                latest(hbsag) == "positive",
                anti_hbc_positive=(latest(anti_hbc) == "positive") or None,
                on=day,
            )
        except DomainError:
            return None

    spells = status_spells(given_doses, results, hbsag, anti_hbc)
    for earlier, later in itertools.pairwise(spells):  # ordered, no overlap
        assert earlier.end is not None and earlier.end <= later.start
        assert earlier.status != later.status or earlier.end < later.start
    probes = sorted({*DAYS, *(d - dt.timedelta(days=1) for d in DAYS), dt.date(2040, 1, 1)})
    for day in probes:
        spell = spell_on(spells, day)
        assert (spell.status if spell else HbvStatus.UNVACCINATED) == derived(day), day
    now = spell_on(spells)
    assert (now.status if now else HbvStatus.UNVACCINATED) == derived(dt.date(2040, 1, 1))
    since = immune_since(spells)
    assert (since is not None) == (derived(dt.date(2040, 1, 1)) is R)
    if since is not None:  # immune from that day on without a break, and not the day before
        assert all(derived(day) is R for day in probes if day >= since)
        assert derived(since - dt.timedelta(days=1)) is not R
