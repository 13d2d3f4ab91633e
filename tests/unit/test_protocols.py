"""The shipped protocol files against domain/exposures.md, and the loader's refusals.

The reference tables below are written out by hand from exposures.md (§b.2 CDC HBV, §b.3 China
HBV, §b.4 HCV, §b.5 China HIV and grade table, §b.6 CDC HIV). Each reference row lists the input
values it covers; the tests expand every combination, run ``assess`` on it and check the row, the
action, the evidence tag and what is given or tested. A meta-test proves each reference covers
its whole input space exactly once, and that the file has no row the reference does not know.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import pytest

from hospital_osh.domain.immunity import HbvStatus
from hospital_osh.domain.post_exposure import ExposureInputs, PathogenAdvice, Proposal, assess
from hospital_osh.domain.protocol_vocab import (
    ACTION_TEXTS,
    HIV_ACTIONS,
    PEP_LEVELS,
    Evidence,
    FollowupItem,
    PepLevel,
    placeholders,
)
from hospital_osh.domain.protocols import (
    DEFAULT_PROTOCOL,
    PROTOCOL_FILES,
    Protocol,
    ProtocolError,
    load_protocol,
    merge_overrides,
    parse_protocol,
)
from hospital_osh.paths import resource

AT = dt.datetime(2026, 3, 1, 2, 30, tzinfo=dt.UTC)
NOW = AT + dt.timedelta(hours=1)
V, P, U = "V", "P", "U"


def path(name: str) -> Path:
    return resource("protocols", PROTOCOL_FILES[name])


@cache
def protocol(name: str) -> Protocol:
    return load_protocol(path(name))


def text(name: str) -> str:
    return path(name).read_text(encoding="utf-8")


def inputs(**values: object) -> ExposureInputs:
    values.setdefault("exposure_type", "percutaneous")
    return ExposureInputs(occurred_at=AT, **values)  # type: ignore[arg-type]


# -- HBV ------------------------------------------------------------------------------------------

STATUSES = tuple(HbvStatus)
SOURCES = ("positive", "negative", "unknown", "unidentified")
ANTI_HBS = {"unknown": None, "lt10": 4.0, "ge10": 48.0}
ANY_SOURCE = SOURCES
ANY_ANTI = tuple(ANTI_HBS)
POS_UNK = ("positive", "unknown", "unidentified")  # "unknown includes an unidentified source"
VRU, NR, UNVAC = "vaccinated_response_unknown", "non_responder", "unvaccinated"

# row, worker statuses, source HBsAg, worker anti-HBs now, action,
# HBIG doses, vaccine doses, PVST, HBV infection testing (anti-HBc/HBsAg), anti-HBs now, tag
CDC_HBV = [
    ("H1", ["responder"], ANY_SOURCE, ANY_ANTI, "hbv_none_immune", 0, 0, False, False, False, V),
    ("H2", [NR], POS_UNK, ANY_ANTI, "hbv_hbig_twice", 2, 0, False, True, False, V),
    ("H3", [NR], ["negative"], ANY_ANTI, "hbv_none_source_negative", 0, 0, False, False, False, V),
    ("H4", [VRU], POS_UNK, ["lt10"], "hbv_hbig_revaccinate", 1, 3, True, True, False, V),
    ("H5", [VRU], ["negative"], ["lt10"], "hbv_revaccinate", 0, 3, True, False, False, V),
    ("H6", [VRU], ANY_SOURCE, ["ge10"], "hbv_none_immune", 0, 0, False, False, False, V),
    ("HT", [VRU], ANY_SOURCE, ["unknown"], "hbv_test_anti_hbs_now", 0, 0, False, False, True, V),
    ("H7", [UNVAC], POS_UNK, ANY_ANTI, "hbv_hbig_vaccinate", 1, 3, True, True, False, V),
    ("H8", [UNVAC], ["negative"], ANY_ANTI, "hbv_vaccinate", 0, 3, True, False, False, V),
    ("H9", ["infected"], ANY_SOURCE, ANY_ANTI, "hbv_refer_infected", 0, 0, False, False, False, V),
]

# §b.3: two groups, "vaccinated and anti-HBs >= 10 known" or not. The PVST (U) is extrapolated.
CN_HBIG = "hbv_china_hbig_vaccinate"
CHINA_HBV = [
    (
        "C-H0",
        ["infected"],
        ANY_SOURCE,
        ANY_ANTI,
        "hbv_refer_infected",
        0,
        0,
        False,
        False,
        False,
        U,
    ),
    ("C-H1", ["responder"], ANY_SOURCE, ANY_ANTI, "hbv_none_immune", 0, 0, False, False, False, P),
    ("C-H1b", [VRU, NR], ANY_SOURCE, ["ge10"], "hbv_none_immune", 0, 0, False, False, False, P),
    ("C-H2", [VRU], POS_UNK, ["lt10", "unknown"], CN_HBIG, 1, 3, True, True, False, P),
    ("C-H2nr", [NR], POS_UNK, ["lt10", "unknown"], CN_HBIG, 1, 3, True, True, False, P),
    ("C-H2u", [UNVAC], POS_UNK, ANY_ANTI, CN_HBIG, 1, 3, True, True, False, P),
    (
        "C-H3",
        [VRU, NR],
        ["negative"],
        ["lt10", "unknown"],
        "hbv_china_vaccinate",
        0,
        3,
        False,
        True,
        False,
        U,
    ),
    ("C-H3u", [UNVAC], ["negative"], ANY_ANTI, "hbv_china_vaccinate", 0, 3, False, True, False, U),
]


def hbv_inputs(status: str, source: str, anti: str) -> ExposureInputs:
    if source == "unidentified":
        return inputs(
            worker_hbv_status=status, source_identified=False, worker_anti_hbs=ANTI_HBS[anti]
        )
    return inputs(worker_hbv_status=status, source_hbsag=source, worker_anti_hbs=ANTI_HBS[anti])


def hbv_cases(table: list[tuple]) -> Iterator[object]:  # type: ignore[type-arg]
    for row, statuses, sources, antis, *expected in table:
        for status, source, anti in itertools.product(statuses, sources, antis):
            yield pytest.param(
                status, source, anti, row, *expected, id=f"{row}-{status}-{source}-{anti}"
            )


def count(advice: PathogenAdvice, code: FollowupItem) -> int:
    return sum(item.code is code for item in advice.items)


def check_hbv(
    proposal: Proposal,
    row: str,
    action: str,
    hbig: int,
    vaccine: int,
    pvst: bool,
    infection_tests: bool,
    anti_hbs_now: bool,
    tag: str,
) -> None:
    advice = proposal.hbv
    assert advice is not None
    assert (advice.decision.rule_id, advice.decision.action) == (row, action)
    assert advice.decision.verified == Evidence(tag)
    assert count(advice, FollowupItem.HBIG) == hbig
    assert count(advice, FollowupItem.HBV_VACCINE) == vaccine
    assert any(item.reason == "pvst" for item in advice.items) is pvst
    tested = {item.code for item in advice.items}
    assert bool(tested & {FollowupItem.ANTI_HBC, FollowupItem.HBSAG}) is infection_tests
    assert any(item.reason == "anti_hbs_now" for item in advice.items) is anti_hbs_now


@pytest.mark.parametrize(
    "status,source,anti,row,action,hbig,vaccine,pvst,infection,now_test,tag",
    list(hbv_cases(CDC_HBV)),
)
def test_cdc_hbv_table(
    status: str,
    source: str,
    anti: str,
    row: str,
    action: str,
    hbig: int,
    vaccine: int,
    pvst: bool,
    infection: bool,
    now_test: bool,
    tag: str,
) -> None:
    proposal = assess(hbv_inputs(status, source, anti), protocol("cdc"), NOW)
    check_hbv(proposal, row, action, hbig, vaccine, pvst, infection, now_test, tag)


@pytest.mark.parametrize(
    "status,source,anti,row,action,hbig,vaccine,pvst,infection,now_test,tag",
    list(hbv_cases(CHINA_HBV)),
)
def test_china_hbv_table(
    status: str,
    source: str,
    anti: str,
    row: str,
    action: str,
    hbig: int,
    vaccine: int,
    pvst: bool,
    infection: bool,
    now_test: bool,
    tag: str,
) -> None:
    proposal = assess(hbv_inputs(status, source, anti), protocol("china"), NOW)
    check_hbv(proposal, row, action, hbig, vaccine, pvst, infection, now_test, tag)


def test_cdc_hbv_details() -> None:
    """H2: HBIG at D0 and D30 (§b.2); the vaccine schedule at 0/1/6 months, PVST at D210-240."""
    h2 = assess(hbv_inputs(NR, "positive", "lt10"), protocol("cdc"), NOW).hbv
    assert h2 is not None
    assert [
        (i.due, i.window_start, i.window_end) for i in h2.items if i.code is FollowupItem.HBIG
    ] == [(0, 0, 7), (30, 28, 35)]
    assert h2.decision.text.kwargs == {"hbig_dose": "0.06 mL/kg"}
    h7 = assess(hbv_inputs(UNVAC, "positive", "unknown"), protocol("cdc"), NOW).hbv
    assert h7 is not None
    assert [i.due for i in h7.items if i.code is FollowupItem.HBV_VACCINE] == [0, 30, 180]
    pvst = next(i for i in h7.items if i.reason == "pvst")
    assert (pvst.due, pvst.window_start, pvst.window_end) == (210, 210, 240)
    dose3 = next(i for i in h7.items if i.id == "vaccine_3")
    assert dose3.verified is Evidence.UNVERIFIED  # §b.2 tags the dose 2-3 interval [U]


def test_china_hbv_details() -> None:
    """C-H2: HBIG 200-400 IU + 20 µg vaccine; HBsAg, anti-HBs, ALT at D0, D90, D180 (§b.3)."""
    advice = assess(hbv_inputs(UNVAC, "positive", "unknown"), protocol("china"), NOW).hbv
    assert advice is not None
    assert advice.decision.text.kwargs == {"hbig_dose": "200–400 IU", "vaccine_dose": "20 µg"}
    hbig = next(i for i in advice.items if i.code is FollowupItem.HBIG)
    assert (hbig.due, hbig.window_start, hbig.window_end) == (0, 0, 1)
    for code in (FollowupItem.HBSAG, FollowupItem.ALT):
        assert [i.due for i in advice.items if i.code is code] == [0, 90, 180]
    assert [(i.due, i.reason) for i in advice.items if i.code is FollowupItem.ANTI_HBS] == [
        (0, "baseline"),
        (90, "hbv_follow_up"),
        (180, "hbv_follow_up"),
        (210, "pvst"),
    ]
    pvst = next(i for i in advice.items if i.reason == "pvst")
    assert pvst.verified is Evidence.UNVERIFIED


def test_china_non_responder_shows_the_cdc_row() -> None:
    """§b.3: for a documented non-responder the CDC row is shown as the alternative."""
    china, cdc = protocol("china"), protocol("cdc")
    proposal = assess(hbv_inputs(NR, "positive", "lt10"), china, NOW, alternative=cdc)
    assert proposal.hbv is not None and proposal.hbv.alternative is not None
    assert proposal.hbv.alternative.rule_id == "H2"
    assert proposal.hbv.alternative.protocol == "cdc"
    other = assess(hbv_inputs(VRU, "positive", "lt10"), china, NOW, alternative=cdc)
    assert other.hbv is not None and other.hbv.alternative is None


# -- HCV ------------------------------------------------------------------------------------------

# (source anti-HCV, source HCV RNA, recent risk, source identified) -> row, per §b.4.
HCV_CASES = [
    (("negative", "negative", None, True), "C1"),
    (("positive", "negative", None, True), "C1"),  # RNA negative decides
    (("unknown", "negative", True, True), "C1"),
    (("negative", "unknown", False, True), "C1"),  # anti-HCV negative, no recent risk
    (("negative", "positive", None, True), "C2"),
    (("positive", "positive", False, True), "C2"),
    (("unknown", "positive", None, True), "C2"),
    (("positive", "unknown", None, True), "C3"),
    (("positive", "unknown", False, True), "C3"),
    (("unknown", "unknown", None, True), "C4"),
    (("unknown", "unknown", None, False), "C4"),  # no source at all
    (("negative", "unknown", True, True), "C4b"),  # recent risk: RNA needed (option A)
    (("negative", "unknown", None, True), "C4b"),  # risk not assessed: same
]
CDC_HCV = {
    # row: action, tag, worker items (code, due, window)
    "C1": ("hcv_no_follow_up", V, [("anti_hcv", 0, 0, 2)]),
    "C2": (
        "hcv_follow_up",
        V,
        [("anti_hcv", 0, 0, 2), ("hcv_rna", 21, 21, 42), ("anti_hcv", 120, 120, 180)],
    ),
    "C3": (
        "hcv_follow_up",
        V,
        [("anti_hcv", 0, 0, 2), ("hcv_rna", 21, 21, 42), ("anti_hcv", 120, 120, 180)],
    ),
    "C4": (
        "hcv_follow_up",
        V,
        [("anti_hcv", 0, 0, 2), ("hcv_rna", 21, 21, 42), ("anti_hcv", 120, 120, 180)],
    ),
    "C4b": (
        "hcv_test_source_rna",
        P,
        [("anti_hcv", 0, 0, 2), ("hcv_rna", 21, 21, 42), ("anti_hcv", 120, 120, 180)],
    ),
}
# China default (§b.4 "China HCV default"): every row [U].
_CN_FOLLOW = [
    ("hcv_rna", 28, 28, 42),
    ("anti_hcv", 90, 80, 100),
    ("alt", 90, 80, 100),
    ("anti_hcv", 180, 170, 200),
    ("alt", 180, 170, 200),
]
_CN_BASE = [("anti_hcv", 0, 0, 2), ("alt", 0, 0, 2)]
CHINA_HCV_ROW = {"C1": "C-C1", "C2": "C-C2", "C3": "C-C3", "C4": "C-C3", "C4b": "C-C4"}
CHINA_HCV = {
    "C-C1": ("hcv_no_follow_up", U, _CN_BASE),
    "C-C2": ("hcv_follow_up", U, [*_CN_BASE, ("hcv_rna", 0, 0, 2), *_CN_FOLLOW]),
    "C-C3": ("hcv_follow_up", U, [*_CN_BASE, *_CN_FOLLOW]),
    "C-C4": ("hcv_test_source_rna", U, [*_CN_BASE, *_CN_FOLLOW]),
}


def hcv_inputs(anti: str, rna: str, risk: bool | None, identified: bool) -> ExposureInputs:
    if not identified:
        return inputs(source_identified=False)
    return inputs(source_anti_hcv=anti, source_hcv_rna=rna, source_recent_risk=risk)


def hcv_items(advice: PathogenAdvice) -> list[tuple[str, int, int, int]]:
    return [(str(i.code), i.due, i.window_start, i.window_end) for i in advice.items]


@pytest.mark.parametrize("source,cdc_row", HCV_CASES)
def test_cdc_hcv_table(source: tuple[str, str, bool | None, bool], cdc_row: str) -> None:
    advice = assess(hcv_inputs(*source), protocol("cdc"), NOW).hcv
    assert advice is not None
    action, tag, items = CDC_HCV[cdc_row]
    assert (advice.decision.rule_id, advice.decision.action) == (cdc_row, action)
    assert advice.decision.verified == Evidence(tag)
    assert hcv_items(advice) == items


@pytest.mark.parametrize("source,cdc_row", HCV_CASES)
def test_china_hcv_table(source: tuple[str, str, bool | None, bool], cdc_row: str) -> None:
    advice = assess(hcv_inputs(*source), protocol("china"), NOW).hcv
    assert advice is not None
    row = CHINA_HCV_ROW[cdc_row]
    action, tag, items = CHINA_HCV[row]
    assert (advice.decision.rule_id, advice.decision.action, advice.decision.verified) == (
        row,
        action,
        Evidence(tag),
    )
    assert sorted(hcv_items(advice)) == sorted(items)


def test_no_hcv_pep_and_source_testing() -> None:
    """§b.4: no HCV prophylaxis; an identified source of unknown status is tested within 48 h."""
    advice = assess(hcv_inputs("unknown", "unknown", None, True), protocol("cdc"), NOW).hcv
    assert advice is not None and advice.source_test is not None
    assert advice.source_test.text.kwargs == {"within_h": 48}
    assert not {FollowupItem.HBIG, FollowupItem.PEP_REVIEW} & {i.code for i in advice.items}
    unidentified = assess(hcv_inputs("unknown", "unknown", None, False), protocol("cdc"), NOW)
    assert unidentified.hcv is not None and unidentified.hcv.source_test is None


# -- HIV ------------------------------------------------------------------------------------------

MUCO_PERC = ("percutaneous", "mucous_membrane", "non_intact_skin")
ROUTES = (*MUCO_PERC, "bite", "other")
NOT_NEG = ("positive", "unknown", "unidentified")
# row, source, routes, infectious fluid, action, PEP level, tag
CDC_HIV = [
    ("X1", ["positive"], MUCO_PERC, [True], "hiv_pep_recommended", "recommended", V),
    ("X2", ["unknown"], MUCO_PERC, [True], "hiv_pep_start_test_source", "offer", P),
    ("X3", ["unidentified"], MUCO_PERC, [True], "hiv_pep_case_by_case", "consider", P),
    ("X4", ["negative"], ROUTES, [True, False], "hiv_pep_not_indicated", "not_indicated", V),
    ("X5", NOT_NEG, MUCO_PERC, [False], "hiv_not_an_exposure", "not_indicated", V),
    ("X6", NOT_NEG, ("bite", "other"), [True, False], "hiv_expert_assessment", "consider", U),
]
# §b.5 app rule: HIV-positive or unknown-source exposures are PEP-eligible within 72 h.
CHINA_HIV = [
    ("C-X1", ["positive"], MUCO_PERC, [True], "hiv_pep_recommended", "recommended", P),
    ("C-X2", ["unknown"], MUCO_PERC, [True], "hiv_pep_offer_test_source", "offer", P),
    ("C-X3", ["unidentified"], MUCO_PERC, [True], "hiv_pep_offer", "offer", P),
    ("C-X4", ["negative"], ROUTES, [True, False], "hiv_pep_not_indicated", "not_indicated", U),
    ("C-X5", NOT_NEG, MUCO_PERC, [False], "hiv_not_an_exposure", "not_indicated", U),
    ("C-X6", NOT_NEG, ("bite", "other"), [True, False], "hiv_expert_assessment", "consider", U),
]


def hiv_inputs(source: str, route: str, fluid: bool) -> ExposureInputs:
    if source == "unidentified":
        return inputs(exposure_type=route, infectious_fluid=fluid, source_identified=False)
    return inputs(exposure_type=route, infectious_fluid=fluid, source_hiv=source)


def hiv_cases(table: list[tuple]) -> Iterator[object]:  # type: ignore[type-arg]
    for row, sources, routes, fluids, *expected in table:
        for source, route, fluid in itertools.product(sources, routes, fluids):
            yield pytest.param(
                source, route, fluid, row, *expected, id=f"{row}-{source}-{route}-{fluid}"
            )


@pytest.mark.parametrize("source,route,fluid,row,action,pep,tag", list(hiv_cases(CDC_HIV)))
def test_cdc_hiv_table(
    source: str, route: str, fluid: bool, row: str, action: str, pep: str, tag: str
) -> None:
    advice = assess(hiv_inputs(source, route, fluid), protocol("cdc"), NOW).hiv
    assert advice is not None
    assert (advice.decision.rule_id, advice.decision.action) == (row, action)
    assert (advice.pep, advice.decision.verified) == (PepLevel(pep), Evidence(tag))


@pytest.mark.parametrize("source,route,fluid,row,action,pep,tag", list(hiv_cases(CHINA_HIV)))
def test_china_hiv_table(
    source: str, route: str, fluid: bool, row: str, action: str, pep: str, tag: str
) -> None:
    advice = assess(hiv_inputs(source, route, fluid), protocol("china"), NOW).hiv
    assert advice is not None
    assert (advice.decision.rule_id, advice.decision.action) == (row, action)
    assert (advice.pep, advice.decision.verified) == (PepLevel(pep), Evidence(tag))


# China 2004 Article 14 (§b.5) [P]; level 3 x unknown source "clinician may escalate" [U].
CHINA_GRADES = [
    ("level_1", "mild", "G1-mild", "grade_pep_optional", P),
    ("level_1", "severe", "G1-severe", "grade_basic", P),
    ("level_1", "unknown", "G1-unknown", "grade_basic_optional", P),
    ("level_2", "mild", "G2-mild", "grade_basic", P),
    ("level_2", "severe", "G2-severe", "grade_intensified", P),
    ("level_2", "unknown", "G2-unknown", "grade_basic_optional", P),
    ("level_3", "mild", "G3-mild", "grade_intensified", P),
    ("level_3", "severe", "G3-severe", "grade_intensified", P),
    ("level_3", "unknown", "G3-unknown", "grade_basic_optional", U),
]


@pytest.mark.parametrize("level,grade,row,action,tag", CHINA_GRADES)
def test_china_grade_table(level: str, grade: str, row: str, action: str, tag: str) -> None:
    given = inputs(source_hiv="positive", china_exposure_level=level, china_source_grade=grade)
    advice = assess(given, protocol("china"), NOW).hiv
    assert advice is not None and advice.china_grade is not None
    assert (advice.china_grade.rule_id, advice.china_grade.action) == (row, action)
    assert advice.china_grade.verified == Evidence(tag)


def test_hiv_timing_and_schedules() -> None:
    """CDC: target 2 h, limit 72 h, Ag/Ab at D0, 6 wk, 4 mo (§b.6); China: 2/24/72 h, D0 and
    4, 8, 12 weeks and 6 months (§b.5)."""
    cdc = assess(hiv_inputs("positive", "percutaneous", True), protocol("cdc"), NOW).hiv
    assert cdc is not None
    assert (cdc.clock.target_h, cdc.clock.guidance_h, cdc.clock.limit_h) == (2, None, 72)
    assert [(i.due, i.window_start, i.window_end) for i in cdc.items] == [
        (0, 0, 3),
        (42, 42, 49),
        (120, 120, 135),
    ]
    assert [(str(i.code), i.due) for i in cdc.pep_items] == [("visit", 3), ("pep_review", 14)]
    china = assess(hiv_inputs("positive", "percutaneous", True), protocol("china"), NOW).hiv
    assert china is not None
    assert (china.clock.target_h, china.clock.guidance_h, china.clock.limit_h) == (2, 24, 72)
    assert [i.due for i in china.items] == [0, 28, 56, 84, 180]
    assert china.decision.text.kwargs == {
        "target_h": 2,
        "guidance_h": 24,
        "limit_h": 72,
        "course_days": 28,
    }


# -- meta: the references are complete and the files hold no row they do not know ---------------


def _space_hbv() -> set[tuple[str, str, str]]:
    return set(itertools.product(STATUSES, SOURCES, ANTI_HBS))


@pytest.mark.parametrize("table", [CDC_HBV, CHINA_HBV], ids=["cdc", "china"])
def test_hbv_reference_covers_every_input_once(table: list[tuple]) -> None:  # type: ignore[type-arg]
    cells = [c for _, s, src, a, *_ in table for c in itertools.product(s, src, a)]
    assert len(cells) == len(set(cells)) and set(cells) == _space_hbv()


@pytest.mark.parametrize("table", [CDC_HIV, CHINA_HIV], ids=["cdc", "china"])
def test_hiv_reference_covers_every_input_once(table: list[tuple]) -> None:  # type: ignore[type-arg]
    cells = [c for _, s, r, f, *_ in table for c in itertools.product(s, r, f)]
    space = set(itertools.product(SOURCES, ROUTES, (True, False)))
    assert len(cells) == len(set(cells)) and set(cells) == space


def test_hcv_reference_covers_every_source_class() -> None:
    assert {row for _, row in HCV_CASES} == set(CDC_HCV)


@pytest.mark.parametrize(
    "name,table,reference",
    [
        ("cdc", "hbv", {r[0] for r in CDC_HBV}),
        ("china", "hbv", {r[0] for r in CHINA_HBV}),
        ("cdc", "hcv", set(CDC_HCV)),
        ("china", "hcv", set(CHINA_HCV)),
        ("cdc", "hiv", {r[0] for r in CDC_HIV}),
        ("china", "hiv", {r[0] for r in CHINA_HIV}),
        ("china", "hiv_grade", {r[2] for r in CHINA_GRADES}),
        ("cdc", "hiv_grade", set()),
    ],
)
def test_every_file_row_is_in_the_reference(name: str, table: str, reference: set[str]) -> None:
    assert {rule.id for rule in protocol(name).table(table)} == reference


def test_every_row_cites_a_source() -> None:
    for name in PROTOCOL_FILES:
        loaded = protocol(name)
        rules = [*loaded.hbv, *loaded.hcv, *loaded.hiv, *loaded.hiv_grade, *loaded.source_tests]
        assert all(rule.source and rule.verified in Evidence for rule in rules)


def test_default_protocol_is_china() -> None:
    assert DEFAULT_PROTOCOL == "china" and protocol("china").alternative == "cdc"


def test_every_hiv_action_has_a_pep_level() -> None:
    assert set(HIV_ACTIONS) == set(PEP_LEVELS)


def test_unverified_rows_say_so() -> None:
    advice = assess(hcv_inputs("unknown", "unknown", None, True), protocol("china"), NOW).hcv
    assert advice is not None and advice.decision.unverified
    rendered = advice.decision.evidence.render()
    assert rendered.startswith("Unverified") and "not read" in rendered


# -- loader refusals --------------------------------------------------------------------------


def refuse(name: str, edited: str) -> str:
    with pytest.raises(ProtocolError) as caught:
        parse_protocol(edited, PROTOCOL_FILES[name])
    return str(caught.value)


def without_line(source: str, after: str, line: str) -> str:
    """``source`` with the first ``line`` that follows ``after`` removed."""
    start = source.index(after)
    at = source.index(line, start)
    return source[:at] + source[at + len(line) + 1 :]


def test_missing_action_names_file_and_row() -> None:
    edited = without_line(text("china"), 'id = "C-H1b"', 'action = "hbv_none_immune"')
    assert refuse("china", edited) == "china.toml, hbv row 3 (C-H1b): missing 'action'"


def test_missing_condition_names_file_and_row() -> None:
    edited = without_line(text("cdc"), 'id = "X2"', 'infectious_fluid = ["yes"]')
    assert refuse("cdc", edited) == "cdc.toml, hiv row 2 (X2): missing 'infectious_fluid'"


def test_malformed_offset_names_file_and_item() -> None:
    edited = text("china").replace(
        'id = "hbsag_3m", code = "hbsag", due = 90,', 'id = "hbsag_3m", code = "hbsag", due = "3x",'
    )
    message = refuse("china", edited)
    assert message.startswith(
        "china.toml, schedule 'china_hbv_exposed' item 8 (hbsag_3m): malformed offset 'due'"
    )


def test_window_must_contain_the_due_day() -> None:
    edited = text("cdc").replace("due = 120, window = [120, 180]", "due = 200, window = [120, 180]")
    assert refuse("cdc", edited) == (
        "cdc.toml, schedule 'cdc_hcv_follow_up' item 2 (anti_hcv_final): "
        "the window [120, 180] does not contain due day 200"
    )


@pytest.mark.parametrize(
    "old,new,expected",
    [
        (
            'verified = "P"\n\n[[hbv]]\nid = "C-H2"',
            'verified = "X"\n\n[[hbv]]\nid = "C-H2"',
            "china.toml, hbv row 3 (C-H1b): 'verified' must be V, P or U, not 'X'",
        ),
        (
            'action = "hbv_china_vaccinate"',
            'action = "hbv_guess"',
            "china.toml, hbv row 7 (C-H3): unknown action 'hbv_guess' for the hbv table",
        ),
        (
            'schedule = ["china_hbv_vaccine"]',
            'schedule = ["china_hbv_vacine"]',
            "china.toml, hbv row 7 (C-H3): unknown schedule 'china_hbv_vacine'",
        ),
        (
            'id = "C-H3"\n',
            'id = "C-H3"\nacton = "x"\n',
            "china.toml, hbv row 7 (C-H3): unknown key 'acton'",
        ),
        (
            'source_hcv = ["antibody_negative_at_risk"]',
            'source_hcv = ["antibody_negativ"]',
            "china.toml, hcv row 4 (C-C4): 'source_hcv': unknown value 'antibody_negativ'",
        ),
        (
            'note_zh = "临床医生可升级为强化用药程序。"\n',
            "",
            "china.toml, hiv_grade row 9 (G3-unknown): missing 'note_zh' "
            "(a note is needed in both languages)",
        ),
        (
            'id = "C-H1b"',
            'id = "C-H1"',
            "china.toml, hbv row 3 (C-H1): id 'C-H1' is already used by hbv row 2 (C-H1)",
        ),
    ],
)
def test_bad_rows_are_refused(old: str, new: str, expected: str) -> None:
    source = text("china")
    assert old in source
    assert refuse("china", source.replace(old, new, 1)).startswith(expected)


def test_a_gap_in_a_table_is_refused() -> None:
    source = text("cdc")
    start = source.index('[[hbv]]\nid = "H9"')
    end = source.index("# -- HCV")
    message = refuse("cdc", source[:start] + source[end:])
    assert message == (
        "cdc.toml, hbv: no row for worker_hbv_status=infected, source_hbsag=positive, anti_hbs=ge10"
    )


def test_an_ambiguous_table_is_refused() -> None:
    edited = without_line(text("cdc"), 'id = "H6"', 'anti_hbs = ["ge10"]')
    edited = edited.replace(
        'source_hbsag = "any"\naction = "hbv_none_immune"',
        'source_hbsag = "any"\nanti_hbs = "any"\naction = "hbv_none_immune"',
    )
    message = refuse("cdc", edited)
    assert re.match(r"cdc\.toml, hbv: rows \d+ \(H\d\) and \d+ \(H\w\) both match", message)


def test_missing_params_are_refused() -> None:
    edited = without_line(text("cdc"), 'id = "H2"', 'params = { hbig_dose = "0.06 mL/kg" }')
    assert refuse("cdc", edited) == (
        "cdc.toml, hbv row 2 (H2): action 'hbv_hbig_twice' needs params: hbig_dose"
    )


def test_invalid_toml_is_refused() -> None:
    assert refuse("cdc", "[protocol\n").startswith("cdc.toml: not valid TOML")


def test_missing_section_is_refused() -> None:
    source = text("cdc")
    edited = source[: source.index("[hiv_timing]")] + source[source.index("[hiv_regimen]") :]
    assert refuse("cdc", edited) == "cdc.toml, top level: missing [hiv_timing]"


def test_every_action_text_placeholder_is_filled() -> None:
    for name in PROTOCOL_FILES:
        loaded = protocol(name)
        for rule in (*loaded.hbv, *loaded.hcv, *loaded.hiv, *loaded.hiv_grade):
            params = set(dict(rule.params)) | set(loaded.hiv_timing.params())
            assert placeholders(ACTION_TEXTS[rule.action]) <= params


# -- overrides --------------------------------------------------------------------------------


def test_override_adjusts_an_offset() -> None:
    changes = {
        "schedules": {
            "cdc_hcv_follow_up": {"items": [{"id": "hcv_rna_3w", "due": 28, "window": [28, 42]}]}
        }
    }
    loaded = parse_protocol(text("cdc"), "cdc.toml", changes, overrides_name="hospital.toml")
    item = loaded.schedule("cdc_hcv_follow_up")[0]
    assert (item.due, item.window_start, item.window_end, item.overridden) == (28, 28, 42, True)
    assert loaded.schedule("cdc_hcv_follow_up")[1].overridden is False
    assert loaded.overrides == ("hospital.toml",)
    assert protocol("cdc").schedule("cdc_hcv_follow_up")[0].due == 21  # shipped file untouched


def test_override_file_changes_the_hiv_clock(tmp_path: Path) -> None:
    override = tmp_path / "hospital.toml"
    override.write_text("[hiv_timing]\nlimit_h = 48\n", encoding="utf-8")
    loaded = load_protocol(path("china"), override)
    assert loaded.hiv_timing.limit_h == 48 and loaded.hiv_timing.overridden
    advice = assess(hiv_inputs("positive", "percutaneous", True), loaded, NOW).hiv
    assert advice is not None and advice.hours_left(NOW) == 47


def test_override_can_replace_a_row_and_add_one() -> None:
    """§b.2: a hospital may give vaccine only (no HBIG) for an unknown source."""
    changes = {
        "hbv": [
            {"id": "H7", "source_hbsag": ["positive"]},
            {
                "id": "H7u",
                "worker_hbv_status": ["unvaccinated"],
                "source_hbsag": ["unknown"],
                "anti_hbs": "any",
                "action": "hbv_vaccinate",
                "schedule": ["cdc_vaccine_series", "cdc_pvst"],
                "source": "Hospital policy (CDC allows vaccine only for a low-risk unknown source)",
                "verified": "P",
            },
        ]
    }
    loaded = parse_protocol(text("cdc"), "cdc.toml", changes)
    advice = assess(hbv_inputs(UNVAC, "unknown", "unknown"), loaded, NOW).hbv
    assert advice is not None
    assert (advice.decision.rule_id, advice.hbig, advice.vaccine) == ("H7u", False, True)
    assert advice.decision.overridden
    positive = assess(hbv_inputs(UNVAC, "positive", "unknown"), loaded, NOW).hbv
    assert positive is not None and positive.decision.rule_id == "H7" and positive.hbig


def test_override_that_breaks_a_table_is_refused_with_both_names() -> None:
    changes = {"hbv": [{"id": "H7", "source_hbsag": ["positive"]}]}  # leaves "unknown" uncovered
    with pytest.raises(ProtocolError) as caught:
        parse_protocol(text("cdc"), "cdc.toml", changes, overrides_name="hospital.toml")
    assert str(caught.value).startswith("cdc.toml (with hospital.toml), hbv: no row for")


def test_incomplete_new_row_from_an_override_is_refused() -> None:
    changes = {"schedules": {"cdc_pvst": {"items": [{"id": "pvst2", "due": 230}]}}}
    with pytest.raises(ProtocolError) as caught:
        parse_protocol(text("cdc"), "cdc.toml", changes, overrides_name="hospital.toml")
    assert str(caught.value) == (
        "cdc.toml (with hospital.toml), schedule 'cdc_pvst' item 2: missing 'code'"
    )


def test_override_cannot_test_anti_hbs_too_soon_after_hbig() -> None:
    """§b.2/§b.10: PVST at least 6 months after HBIG (passive antibody) and 1 month after the
    last vaccine dose."""
    changes = {
        "schedules": {"cdc_pvst": {"items": [{"id": "pvst", "due": 200, "window": [200, 240]}]}}
    }
    with pytest.raises(ProtocolError) as caught:
        parse_protocol(text("cdc"), "cdc.toml", changes)
    assert "tests anti-HBs from day 200, before day 210" in str(caught.value)


def test_merge_overrides_leaves_the_base_alone() -> None:
    base = {"a": {"b": 1}, "rows": [{"id": "x", "v": 1}]}
    merged = merge_overrides(base, {"a": {"b": 2}, "rows": [{"id": "x", "v": 3}]})
    assert merged["a"]["b"] == 2 and merged["rows"][0]["v"] == 3
    assert base == {"a": {"b": 1}, "rows": [{"id": "x", "v": 1}]}


def test_override_row_without_id_is_refused() -> None:
    with pytest.raises(ProtocolError, match="hbv override 1: needs an 'id'"):
        parse_protocol(text("cdc"), "cdc.toml", {"hbv": [{"action": "hbv_vaccinate"}]})
