"""A worker's hepatitis B immunity: vaccine doses, anti-HBs results and the derived status.

The derived status is the ``worker_hbv_status`` input of the HBV decision tables and of the export
(EXCHANGE.md). Definitions follow CDC as summarised in domain/exposures.md §a.8 [V]:

- ``responder``: anti-HBs ≥10 mIU/mL measured after at least one complete series. Past infection
  (anti-HBc positive, HBsAg negative) also counts as immune for post-exposure management [V]; §a.8
  lets us fold it into ``responder`` rather than add a code, which keeps the exchange list fixed.
- ``non_responder``: anti-HBs <10 after two complete series (and not infected). With only one
  series documented the worker is ``vaccinated_response_unknown`` with an explanation (§b.10).
- ``vaccinated_response_unknown``: at least one complete series, no qualifying anti-HBs result.
- ``unvaccinated``: no complete series (never vaccinated, incomplete series, or refuser).
- ``infected``: HBsAg positive.

A dose belongs to a numbered series (1st, 2nd, ...) whose length comes from the product
(3 doses at 0/1/6 months for most products; 2 for Heplisav-B, §b.2).
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from hospital_osh.domain.codes import N_, code_list
from hospital_osh.domain.messages import DomainError, Issue, Severity, Text, issue, raise_errors

PROTECTIVE_ANTI_HBS = 10.0  # mIU/mL, §a.8 [V]
MAX_ANTI_HBS = 100_000.0  # above this a value is a typing error (post-exposure issue)
DEFAULT_SERIES_LENGTH = 3


class HbvStatus(StrEnum):
    RESPONDER = "responder"
    NON_RESPONDER = "non_responder"
    VACCINATED_RESPONSE_UNKNOWN = "vaccinated_response_unknown"
    UNVACCINATED = "unvaccinated"
    INFECTED = "infected"


HBV_STATUSES = code_list(
    "worker_hbv_status",
    (HbvStatus.RESPONDER, N_("Documented responder (anti-HBs ≥10 mIU/mL)")),
    (HbvStatus.NON_RESPONDER, N_("Non-responder after two series")),
    (HbvStatus.VACCINATED_RESPONSE_UNKNOWN, N_("Vaccinated, response unknown")),
    (HbvStatus.UNVACCINATED, N_("Unvaccinated or incompletely vaccinated")),
    (HbvStatus.INFECTED, N_("HBsAg positive (infected)")),
)

# Order in which a worker's status can move as doses and results accumulate (infected aside).
STATUS_RANK: dict[HbvStatus, int] = {
    HbvStatus.UNVACCINATED: 0,
    HbvStatus.VACCINATED_RESPONSE_UNKNOWN: 1,
    HbvStatus.NON_RESPONDER: 2,
    HbvStatus.RESPONDER: 3,
}


@dataclass(frozen=True)
class VaccineDose:
    """One hepatitis B vaccine dose (§a.8: date, dose number, series, product, µg)."""

    given_on: dt.date
    dose_number: int
    product: str = ""
    series: int = 1
    doses_in_series: int = DEFAULT_SERIES_LENGTH
    dose_ug: float | None = None


@dataclass(frozen=True)
class AntiHbsResult:
    """A quantitative anti-HBs result in mIU/mL (§a.8)."""

    tested_on: dt.date
    miu_per_ml: float

    @property
    def protective(self) -> bool:
        return self.miu_per_ml >= PROTECTIVE_ANTI_HBS


@dataclass(frozen=True)
class HbvStatusFinding:
    """The derived status with the reason a person can read beside it."""

    status: HbvStatus
    reason: Text
    complete_series: int
    latest_anti_hbs: AntiHbsResult | None


# -- validation -----------------------------------------------------------------------------------


def validate_anti_hbs(result: AntiHbsResult, today: dt.date | None = None) -> list[Issue]:
    """A negative, missing or absurd (>100,000 mIU/mL) value is an error; so is a future date."""
    found = []
    value = result.miu_per_ml
    if not isinstance(value, int | float) or math.isnan(value) or value < 0:
        found.append(
            issue("miu_per_ml", Severity.ERROR, N_("Anti-HBs cannot be negative or missing."))
        )
    elif value > MAX_ANTI_HBS:
        found.append(
            issue(
                "miu_per_ml",
                Severity.ERROR,
                N_("Anti-HBs above {limit} mIU/mL is not plausible: check the value and unit."),
                limit=int(MAX_ANTI_HBS),
            )
        )
    if today is not None and result.tested_on > today:
        found.append(issue("tested_on", Severity.ERROR, N_("The test date is in the future.")))
    return found


def validate_dose(dose: VaccineDose, today: dt.date | None = None) -> list[Issue]:
    found = []
    if dose.doses_in_series < 1:
        found.append(
            issue("doses_in_series", Severity.ERROR, N_("A series has at least one dose."))
        )
    if not 1 <= dose.dose_number <= max(dose.doses_in_series, 1):
        found.append(
            issue(
                "dose_number",
                Severity.ERROR,
                N_("The dose number must be between 1 and {count}."),
                count=dose.doses_in_series,
            )
        )
    if dose.series < 1:
        found.append(issue("series", Severity.ERROR, N_("The series number starts at 1.")))
    if dose.dose_ug is not None and dose.dose_ug <= 0:
        found.append(issue("dose_ug", Severity.ERROR, N_("The dose must be more than 0 µg.")))
    if today is not None and dose.given_on > today:
        found.append(
            issue("given_on", Severity.ERROR, N_("The vaccination date is in the future."))
        )
    return found


def _by_series(doses: Iterable[VaccineDose]) -> dict[int, list[VaccineDose]]:
    series: dict[int, list[VaccineDose]] = {}
    for dose in doses:
        series.setdefault(dose.series, []).append(dose)
    for members in series.values():
        members.sort(key=lambda d: (d.dose_number, d.given_on))
    return dict(sorted(series.items()))


def _check_series(number: int, members: Sequence[VaccineDose]) -> list[Issue]:
    found = []
    if len({d.doses_in_series for d in members}) > 1:
        found.append(
            issue(
                "doses_in_series",
                Severity.ERROR,
                N_("Series {series} mixes products with different numbers of doses."),
                series=number,
            )
        )
    numbers = [d.dose_number for d in members]
    if len(numbers) != len(set(numbers)):
        found.append(
            issue(
                "dose_number",
                Severity.ERROR,
                N_("Series {series} records the same dose number twice."),
                series=number,
            )
        )
    for earlier, later in itertools.pairwise(members):
        if earlier.dose_number != later.dose_number and later.given_on <= earlier.given_on:
            found.append(
                issue(
                    "given_on",
                    Severity.ERROR,
                    N_("Dose {later} of series {series} is not after dose {earlier}."),
                    series=number,
                    earlier=earlier.dose_number,
                    later=later.dose_number,
                )
            )
    return found


def validate_history(
    doses: Iterable[VaccineDose],
    results: Iterable[AntiHbsResult],
    today: dt.date | None = None,
) -> list[Issue]:
    """Every finding on a worker's HBV record; ``today`` also rejects future dates."""
    doses, results = list(doses), list(results)
    found: list[Issue] = []
    for dose in doses:
        found += validate_dose(dose, today)
    for result in results:
        found += validate_anti_hbs(result, today)
    grouped = _by_series(doses)
    for number, members in grouped.items():
        found += _check_series(number, members)
    previous_end: dt.date | None = None
    for number, members in grouped.items():
        start = min(d.given_on for d in members)
        if number > 1 and (previous_end is None or start <= previous_end):
            found.append(
                issue(
                    "series",
                    Severity.WARNING,
                    N_("Series {series} starts before series {previous} was complete."),
                    series=number,
                    previous=number - 1,
                )
            )
        previous_end = _completed_on(members)
    return found


# -- derivation -----------------------------------------------------------------------------------


def _completed_on(members: Sequence[VaccineDose]) -> dt.date | None:
    """The date of the dose that completed the series, or None if a dose is missing."""
    if not members:
        return None
    needed = set(range(1, members[0].doses_in_series + 1))
    if not needed <= {d.dose_number for d in members}:
        return None
    return max(d.given_on for d in members if d.dose_number in needed)


def assess_hbv_status(
    doses: Iterable[VaccineDose],
    anti_hbs_results: Iterable[AntiHbsResult],
    hbsag_positive: bool,
    *,
    anti_hbc_positive: bool | None = None,
    on: dt.date | None = None,
) -> HbvStatusFinding:
    """The status with its reason. ``on`` derives it as of that date (later records ignored).

    Raises :class:`~hospital_osh.domain.messages.DomainError` for invalid records (an absurd
    anti-HBs, doses out of order...): the status of a wrong record is never guessed.
    """
    doses = [d for d in doses if on is None or d.given_on <= on]
    results = sorted(
        (r for r in anti_hbs_results if on is None or r.tested_on <= on),
        key=lambda r: r.tested_on,
    )
    raise_errors(validate_history(doses, results))
    latest = results[-1] if results else None
    completions = sorted(
        day for members in _by_series(doses).values() if (day := _completed_on(members))
    )

    def finding(status: HbvStatus, reason: str, **params: int | float | str) -> HbvStatusFinding:
        return HbvStatusFinding(status, Text.of(reason, **params), len(completions), latest)

    if hbsag_positive:
        return finding(HbvStatus.INFECTED, N_("HBsAg positive."))
    if anti_hbc_positive:
        return finding(
            HbvStatus.RESPONDER,
            N_("Past hepatitis B infection (anti-HBc positive, HBsAg negative): immune."),
        )
    if not completions:
        return finding(HbvStatus.UNVACCINATED, N_("No complete hepatitis B vaccine series."))
    after_first = [r for r in results if r.tested_on > completions[0]]
    protective = [r for r in after_first if r.protective]
    if protective:
        return finding(
            HbvStatus.RESPONDER,
            N_("Anti-HBs {value} mIU/mL on {date}, after a complete series."),
            value=protective[0].miu_per_ml,
            date=protective[0].tested_on.isoformat(),
        )
    if len(completions) >= 2 and any(r.tested_on > completions[1] for r in results):
        return finding(
            HbvStatus.NON_RESPONDER,
            N_("Anti-HBs below 10 mIU/mL after two complete series."),
        )
    if after_first:
        return finding(
            HbvStatus.VACCINATED_RESPONSE_UNKNOWN,
            N_(
                "Anti-HBs below 10 mIU/mL after {count} complete series: a non-responder needs "
                "two documented series and a test after the second."
            ),
            count=len(completions),
        )
    return finding(
        HbvStatus.VACCINATED_RESPONSE_UNKNOWN,
        N_("Complete series, but no anti-HBs result after it."),
    )


def derive_hbv_status(
    doses: Iterable[VaccineDose],
    anti_hbs_results: Iterable[AntiHbsResult],
    hbsag_positive: bool,
    *,
    anti_hbc_positive: bool | None = None,
    on: dt.date | None = None,
) -> HbvStatus:
    """The worker's ``worker_hbv_status`` code (§a.8); see :func:`assess_hbv_status`."""
    return assess_hbv_status(
        doses, anti_hbs_results, hbsag_positive, anti_hbc_positive=anti_hbc_positive, on=on
    ).status


# -- the status over time (stored, so coverage is one SQL query) ----------------------------------


@dataclass(frozen=True)
class QualitativeResult:
    """An HBsAg or anti-HBc result (``positive``, ``negative``, ``indeterminate``)."""

    tested_on: dt.date
    result: str


@dataclass(frozen=True)
class StatusSpell:
    """The status a worker had from ``start`` up to the day before ``end`` (None: still has it).

    ``status`` None means the records up to then contradict each other (the status of a wrong
    record is never guessed). Before a worker's first spell the status is ``unvaccinated``.
    """

    status: HbvStatus | None
    start: dt.date
    end: dt.date | None = None

    def covers(self, day: dt.date) -> bool:
        return self.start <= day and (self.end is None or day < self.end)


def _latest_on(results: Sequence[QualitativeResult], day: dt.date) -> str | None:
    """The result recorded last among those tested on or before ``day`` (``results`` in the
    order they were recorded, sorted by test date)."""
    found = None
    for entry in results:
        if entry.tested_on <= day:
            found = entry.result
    return found


def status_on(
    doses: Sequence[VaccineDose],
    anti_hbs_results: Sequence[AntiHbsResult],
    hbsag: Sequence[QualitativeResult],
    anti_hbc: Sequence[QualitativeResult],
    day: dt.date | None = None,
) -> HbvStatus | None:
    """The status as of ``day`` (None: with every record) from the whole record, None when the
    records up to then contradict each other. HBsAg and anti-HBc count by their latest result."""
    last = day or dt.date.max
    try:
        return derive_hbv_status(
            doses,
            anti_hbs_results,
            _latest_on(hbsag, last) == "positive",
            anti_hbc_positive=(_latest_on(anti_hbc, last) == "positive") or None,
            on=day,
        )
    except DomainError:
        return None


def status_spells(
    doses: Sequence[VaccineDose],
    anti_hbs_results: Sequence[AntiHbsResult],
    hbsag: Sequence[QualitativeResult] = (),
    anti_hbc: Sequence[QualitativeResult] = (),
) -> tuple[StatusSpell, ...]:
    """The worker's status over time, as spells of one status each, unvaccinated ones left out.

    The status can only change on a day something was given or tested, so it is derived as of
    each such day (:func:`status_on`); a day that does not change it extends the spell. Stored,
    these spells answer "who was immune on day D" with one SQL query, for any D, with exactly
    the status :func:`derive_hbv_status` gives ``on=D``.
    """
    hbsag = sorted(hbsag, key=lambda r: r.tested_on)  # stable: recording order within a day
    anti_hbc = sorted(anti_hbc, key=lambda r: r.tested_on)
    days = sorted(
        {d.given_on for d in doses}
        | {r.tested_on for r in anti_hbs_results}
        | {r.tested_on for r in hbsag}
        | {r.tested_on for r in anti_hbc}
    )
    spells: list[StatusSpell] = []
    current: HbvStatus | None = HbvStatus.UNVACCINATED
    for day in days:
        status = status_on(doses, anti_hbs_results, hbsag, anti_hbc, day)
        if status == current:
            continue
        if spells and spells[-1].end is None:
            spells[-1] = StatusSpell(spells[-1].status, spells[-1].start, day)
        if status is not HbvStatus.UNVACCINATED:
            spells.append(StatusSpell(status, day))
        current = status
    return tuple(spells)


def spell_on(spells: Iterable[StatusSpell], day: dt.date | None = None) -> StatusSpell | None:
    """The spell covering ``day`` (None: the open one, today's status), if any."""
    for spell in spells:
        if (spell.end is None) if day is None else spell.covers(day):
            return spell
    return None


def immune_since(spells: Iterable[StatusSpell]) -> dt.date | None:
    """The day from which the worker counts as documented immune without a break (None: not
    immune now)."""
    spell = spell_on(spells)
    return spell.start if spell is not None and spell.status is HbvStatus.RESPONDER else None
