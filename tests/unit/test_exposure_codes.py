"""The exposure code lists: EXCHANGE.md codes present, EPINet mappings, labels translated."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

from hospital_osh.domain import exposure_codes as codes
from hospital_osh.domain.codes import DEPARTMENT_TYPES, JOB_CATEGORIES, CodeList
from hospital_osh.domain.exposure_rules import FIELD_LABELS

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools"))

import i18n as catalogue_tool  # noqa: E402

# The codes EXCHANGE.md fixes (copied here on purpose: changing them breaks the exchange format).
EXCHANGE = {
    "exposure_type": {"percutaneous", "mucous_membrane", "non_intact_skin", "bite", "other"},
    "location_type": {
        "patient_room",
        "outside_patient_room",
        "emergency",
        "icu",
        "operating_recovery",
        "outpatient",
        "blood_bank",
        "venipuncture_centre",
        "dialysis",
        "procedure_room",
        "clinical_lab",
        "autopsy_pathology",
        "service_utility",
        "labour_delivery",
        "home_care",
        "dental",
        "other",
    },
    "device_safety_engineered": {"yes", "no", "unknown"},
    "safety_activated": {"fully", "partially", "no", "unknown"},
    "depth": {"superficial", "moderate", "deep"},
    "source_identified": {"yes", "no"},
    "source_hbsag": {"positive", "negative", "unknown"},
    "source_anti_hcv": {"positive", "negative", "unknown"},
    "source_hcv_rna": {"positive", "negative", "unknown"},
    "source_hiv": {"positive", "negative", "unknown"},
    "outcome": {
        "pending",
        "no_seroconversion",
        "hbv_seroconversion",
        "hcv_seroconversion",
        "hiv_seroconversion",
        "lost_to_follow_up",
    },
    "status": {"reported", "under_assessment", "under_follow_up", "closed", "lost_to_follow_up"},
    "job_category": {
        "doctor",
        "nurse",
        "midwife",
        "lab_technician",
        "imaging_technician",
        "pharmacist",
        "dentist",
        "student_intern",
        "cleaner",
        "caregiver",
        "porter",
        "other",
    },
    "sex": {"female", "male", "unknown"},
}

# Codes exposures.md proposes for lists EXCHANGE.md leaves to the project.
PROPOSED = {
    "contact_duration": {"lt_5min", "5_14min", "15min_1h", "gt_1h"},
    "contact_volume": {"small", "moderate", "large"},
    "purpose": {
        "unknown",
        "injection_im_sc",
        "flush",
        "start_iv",
        "venous_blood_draw",
        "suturing",
        "arterial_central_line",
        "contain_specimen_drug",
    },
    "circumstance": {
        "before_use",
        "during_use",
        "recapping",
        "between_steps",
        "into_container",
        "improper_disposal",
        "left_in_wrong_place",
        "other",
        "unknown",
    },
    "device_type": {
        "syringe_insulin",
        "winged_steel_needle",
        "iv_catheter_stylet",
        "vacuum_tube_needle",
        "suture_needle",
        "scalpel_disposable",
        "ampoule",
        "glass_other",
        "sharp_other",
        "needle_unknown",
    },
    "fluid_type": {
        "blood",
        "saliva",
        "csf",
        "amniotic",
        "urine",
        "semen_vaginal",
        "synovial_pericardial",
        "tissue",
        "solution_bloody",
    },
}
CODE = re.compile(r"^[a-z0-9][a-z0-9_]*$")


@pytest.mark.parametrize("field", sorted(EXCHANGE))
def test_exchange_codes_are_exactly_ours(field: str) -> None:
    assert set(codes.FIELD_CODE_LISTS[field].codes) == EXCHANGE[field]


@pytest.mark.parametrize("field", sorted(PROPOSED))
def test_proposed_codes_are_present(field: str) -> None:
    assert PROPOSED[field] <= set(codes.FIELD_CODE_LISTS[field].codes)


def _lists() -> list[CodeList]:
    return list(codes.ALL_LISTS.values())


@pytest.mark.parametrize("codes_", _lists(), ids=lambda c: c.name)
def test_codes_are_stable_snake_case(codes_: CodeList) -> None:
    assert all(CODE.match(code) for code in codes_.codes)
    assert all(entry.label for entry in codes_)


@pytest.mark.parametrize(
    "codes_",
    [JOB_CATEGORIES, codes.LOCATION_TYPES, codes.DEVICE_TYPES, codes.PURPOSES, codes.CIRCUMSTANCES],
    ids=lambda c: c.name,
)
def test_epinet_codes_travel_with_each_entry(codes_: CodeList) -> None:
    for entry in codes_:
        assert re.fullmatch(r"\d+(\.\d+|[a-h])?(,\d+(\.\d+|[a-h])?)*", entry.extra["epinet"]), entry


def test_unverified_numbers_are_marked() -> None:
    assert all(entry.extra["evidence"] == "U" for entry in codes.DEVICE_TYPES)
    assert {e.extra["epinet_group"] for e in codes.DEVICE_TYPES} == {"1", "2", "3"}
    assert codes.PURPOSES.get("drug_preparation").extra["evidence"] == "U"


def test_locations_map_to_known_department_types() -> None:
    assert set(codes.LOCATION_DEPARTMENT_TYPES) == set(codes.LOCATION_TYPES.codes)
    for kinds in codes.LOCATION_DEPARTMENT_TYPES.values():
        assert set(kinds) <= set(DEPARTMENT_TYPES.codes)


def test_circumstances_are_grouped_by_phase() -> None:
    phases = {e.code: e.extra["phase"] for e in codes.CIRCUMSTANCES}
    assert phases["recapping"] == "after_use" and phases["into_container"] == "disposal"
    assert {p for p in phases.values() if p} == {
        "before_use",
        "during_use",
        "after_use",
        "disposal",
    }


def test_extensible_lists_exist() -> None:
    assert set(codes.EXTENSIBLE_LISTS) <= set(codes.ALL_LISTS)
    assert len(codes.builtin("device_brand")) == 0


def test_every_label_has_a_chinese_translation() -> None:
    catalog = catalogue_tool.read_catalog("zh_CN")
    labels = {entry.label for codes_ in _lists() for entry in codes_} | set(FIELD_LABELS.values())
    untranslated = sorted(
        label
        for label in labels
        if catalog.get(label) is None
        or not catalog.get(label).string
        or "fuzzy" in catalog.get(label).flags
    )
    assert untranslated == []
