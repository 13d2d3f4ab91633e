"""The closed vocabulary that protocol files (resources/protocols/*.toml) are written in.

A protocol row names an ``action`` code, a schedule item names a follow-up ``code`` and a
``reason`` code; the English source sentence for each code lives here, marked with ``N_``.

Why texts live here and not in the data file: the application acts on these codes (it schedules
follow-ups, starts the PEP countdown, prints the report), so they are a fixed vocabulary the code
understands, not free prose. Keeping their sentences in the one gettext catalogue means the
catalogue test catches any sentence without a Chinese translation, placeholders are checked, and
translators work in one place. Numbers a hospital may change (doses, hours, days) are parameters
taken from the data file, so an OSH expert who edits a dose or an offset never touches prose.
Free-text remarks an expert wants to add to a row go in the row's ``note_en``/``note_zh`` pair,
both required, so a note is never shown in only one language.
Sources: domain/exposures.md §b.2–§b.7, §b.11 (file shape) and §d (glossary, for the Chinese).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from string import Formatter

from hospital_osh.domain.codes import N_, code_list
from hospital_osh.domain.immunity import HbvStatus


class Evidence(StrEnum):
    """How well a row is verified, exactly as domain/exposures.md tags it."""

    VERIFIED = "V"
    PARTLY = "P"
    UNVERIFIED = "U"


EVIDENCE_NOTES: dict[Evidence, str] = {
    Evidence.VERIFIED: N_("Source: {source}"),
    Evidence.PARTLY: N_("Partly verified. Source: {source}"),
    Evidence.UNVERIFIED: N_("Unverified: check before relying on it. Source: {source}"),
}
OVERRIDDEN_NOTE = N_("Adjusted by the hospital's protocol settings.")


class Pathogen(StrEnum):
    HBV = "hbv"
    HCV = "hcv"
    HIV = "hiv"


PATHOGENS = code_list(
    "pathogen",
    (Pathogen.HBV, N_("Hepatitis B")),
    (Pathogen.HCV, N_("Hepatitis C")),
    (Pathogen.HIV, N_("HIV")),
)


class FollowupItem(StrEnum):
    """What a follow-up row is: the tests of EXCHANGE.md followups.csv plus treatments."""

    ANTI_HBS = "anti_hbs"
    HBSAG = "hbsag"
    ANTI_HBC = "anti_hbc"
    ANTI_HCV = "anti_hcv"
    HCV_RNA = "hcv_rna"
    HIV_AG_AB = "hiv_ag_ab"
    ALT = "alt"
    VISIT = "visit"
    HBIG = "hbig"
    HBV_VACCINE = "hbv_vaccine"
    PEP_REVIEW = "pep_review"


# The codes followups.csv accepts in its ``test`` column (EXCHANGE.md).
EXCHANGE_TESTS = frozenset(
    {"anti_hbs", "hbsag", "anti_hbc", "anti_hcv", "hcv_rna", "hiv_ag_ab", "alt", "visit"}
)

FOLLOWUP_ITEMS = code_list(
    "followup_item",
    (FollowupItem.ANTI_HBS, N_("Anti-HBs")),
    (FollowupItem.HBSAG, N_("HBsAg")),
    (FollowupItem.ANTI_HBC, N_("Total anti-HBc")),
    (FollowupItem.ANTI_HCV, N_("Anti-HCV")),
    (FollowupItem.HCV_RNA, N_("HCV RNA")),
    (FollowupItem.HIV_AG_AB, N_("HIV antigen/antibody")),
    (FollowupItem.ALT, N_("ALT (liver function)")),
    (FollowupItem.VISIT, N_("Follow-up visit")),
    (FollowupItem.HBIG, N_("HBIG injection")),
    (FollowupItem.HBV_VACCINE, N_("Hepatitis B vaccine dose")),
    (FollowupItem.PEP_REVIEW, N_("PEP review")),
)

# Why an item is scheduled. ``{dose}`` needs the item's ``dose`` key.
REASONS: dict[str, str] = {
    "baseline": N_("Baseline test after the exposure"),
    "anti_hbs_now": N_("Anti-HBs now, to decide on HBIG and vaccine"),
    "hbig_dose": N_("HBIG dose {dose}"),
    "vaccine_dose": N_("Hepatitis B vaccine dose {dose}"),
    "pvst": N_(
        "Anti-HBs after vaccination (1–2 months after the last dose, at least 6 months after HBIG)"
    ),
    "hbv_follow_up": N_("Hepatitis B follow-up test"),
    "hcv_rna_early": N_("Early HCV RNA test"),
    "hcv_final": N_("Final anti-HCV test (needed if HCV RNA was negative)"),
    "hcv_follow_up": N_("Hepatitis C follow-up test"),
    "hiv_follow_up": N_("HIV follow-up test"),
    "hiv_final": N_("Final HIV test"),
    "pep_visit": N_("First follow-up visit after starting PEP"),
    "pep_toxicity": N_("PEP side-effect tests (blood count, creatinine, ALT) and adherence check"),
}

# -- decision tables ---------------------------------------------------------------------------

ANY = "any"
SOURCE_RESULTS = ("positive", "negative", "unknown")

# Source HCV classes (§b.4): what the source's anti-HCV, HCV RNA and recent risk add up to.
SOURCE_HCV_CLASSES = (
    "rna_positive",
    "rna_negative",
    "antibody_positive_rna_unknown",
    "antibody_negative_low_risk",
    "antibody_negative_at_risk",
    "unknown",
)
# Source HIV classes (§b.6): an unknown status splits into a testable source and no source.
SOURCE_HIV_CLASSES = ("positive", "negative", "unknown_identified", "unidentified")
ROUTES = ("percutaneous", "mucous_membrane", "non_intact_skin", "bite", "other")
CHINA_LEVELS = ("level_1", "level_2", "level_3")
CHINA_SOURCE_GRADES = ("mild", "severe", "unknown")

_PEP_TIMING = ("target_h", "guidance_h", "limit_h", "course_days")

HBV_ACTIONS: dict[str, str] = {
    "hbv_none_immune": N_("No hepatitis B prophylaxis needed: the worker is immune."),
    "hbv_none_source_negative": N_(
        "No hepatitis B prophylaxis needed: the source is HBsAg-negative."
    ),
    "hbv_refer_infected": N_(
        "The worker is HBsAg-positive: no prophylaxis. Refer for hepatitis B care; this is not a "
        "reason to stop work."
    ),
    "hbv_test_anti_hbs_now": N_(
        "Test the worker's anti-HBs now. At 10 mIU/mL or more no action is needed; below 10 the "
        "decision follows the source's HBsAg."
    ),
    "hbv_hbig_twice": N_(
        "Give two doses of HBIG ({hbig_dose}) one month apart, the first as soon as possible "
        "(ideally within 24 hours); no vaccine. Test anti-HBc now, and HBsAg and anti-HBc at about "
        "6 months."
    ),
    "hbv_hbig_revaccinate": N_(
        "Give one dose of HBIG ({hbig_dose}) as soon as possible (ideally within 24 hours) and "
        "start a second hepatitis B vaccine series. Test anti-HBc now, HBsAg and anti-HBc at "
        "about 6 months, and anti-HBs after the series."
    ),
    "hbv_revaccinate": N_(
        "Start a second hepatitis B vaccine series and test anti-HBs 1–2 months after the last "
        "dose."
    ),
    "hbv_hbig_vaccinate": N_(
        "Give one dose of HBIG ({hbig_dose}) as soon as possible (ideally within 24 hours) and "
        "start or complete the hepatitis B vaccine series. Test anti-HBc now, HBsAg and anti-HBc "
        "at about 6 months, and anti-HBs after the series."
    ),
    "hbv_vaccinate": N_(
        "Start or complete the hepatitis B vaccine series and test anti-HBs 1–2 months after the "
        "last dose."
    ),
    "hbv_china_hbig_vaccinate": N_(
        "Give HBIG {hbig_dose} intramuscularly at once and hepatitis B vaccine {vaccine_dose} at a "
        "different site; further vaccine doses at 1 and 6 months. Test HBsAg, anti-HBs and ALT "
        "now, and again at 3 and 6 months."
    ),
    "hbv_china_vaccinate": N_(
        "Vaccinate against hepatitis B (0, 1 and 6 months) if the worker is not immune; test "
        "HBsAg and anti-HBs at baseline."
    ),
}

HCV_ACTIONS: dict[str, str] = {
    "hcv_no_follow_up": N_(
        "No hepatitis C follow-up after the baseline test: the source is not infectious. There "
        "is no post-exposure prophylaxis for hepatitis C."
    ),
    "hcv_follow_up": N_(
        "Follow the worker for hepatitis C: HCV RNA early, then anti-HCV, as scheduled. There is "
        "no post-exposure prophylaxis for hepatitis C; a positive HCV RNA means referral for "
        "treatment."
    ),
    "hcv_test_source_rna": N_(
        "The source is anti-HCV negative but may have been infected recently (or the risk is not "
        "known): test the source for HCV RNA, and follow the worker as for a positive source "
        "until that result is negative."
    ),
}

HIV_ACTIONS: dict[str, str] = {
    "hiv_pep_recommended": N_(
        "HIV PEP recommended: start as soon as possible (ideally within {target_h} hours, no "
        "later than {limit_h} hours after the exposure) and take it for {course_days} days. "
        "Consult an expert."
    ),
    "hiv_pep_start_test_source": N_(
        "Start HIV PEP if the risk assessment supports it, without waiting for results (no later "
        "than {limit_h} hours after the exposure). Test the source for HIV at once and stop PEP "
        "if the source is HIV-negative."
    ),
    "hiv_pep_offer": N_(
        "This exposure qualifies for HIV PEP: offer it as soon as possible (ideally within "
        "{target_h} hours, no later than {limit_h} hours) for {course_days} days."
    ),
    "hiv_pep_offer_test_source": N_(
        "This exposure qualifies for HIV PEP: offer it as soon as possible (ideally within "
        "{target_h} hours, no later than {limit_h} hours) for {course_days} days. Test the source "
        "for HIV at once and stop PEP if the source is HIV-negative."
    ),
    "hiv_pep_case_by_case": N_(
        "Source unknown: decide on HIV PEP case by case. It is generally not warranted unless the "
        "source is likely to be infected."
    ),
    "hiv_pep_not_indicated": N_("No HIV PEP: the source is HIV-negative."),
    "hiv_not_an_exposure": N_(
        "No HIV PEP: a fluid that is not infectious and not visibly bloody is not an exposure."
    ),
    "hiv_expert_assessment": N_(
        "No table row covers this kind of exposure: a clinician decides on HIV PEP and testing."
    ),
}

# China 2004 grade table (§b.5): regimen class by exposure level and source grade.
GRADE_ACTIONS: dict[str, str] = {
    "grade_pep_optional": N_("China 2004 grade: PEP may be omitted."),
    "grade_basic": N_(
        "China 2004 grade: basic regimen (two reverse-transcriptase inhibitors for 28 days)."
    ),
    "grade_intensified": N_(
        "China 2004 grade: intensified regimen (the basic regimen plus a protease inhibitor, for "
        "28 days)."
    ),
    "grade_basic_optional": N_("China 2004 grade: the basic regimen may be used."),
}

# Every decision-table action, whatever its table (action codes are unique across tables).
ACTION_TEXTS: dict[str, str] = {**HBV_ACTIONS, **HCV_ACTIONS, **HIV_ACTIONS, **GRADE_ACTIONS}

REGIMEN_ACTIONS: dict[str, str] = {
    "regimen_cdc_2013": N_(
        "Regimen: three or more antiretroviral drugs; preferred raltegravir plus tenofovir "
        "DF/emtricitabine."
    ),
    "regimen_china_2021": N_(
        "Regimen: TDF/FTC plus RAL or DTG; BIC/FTC/TAF as an alternative; a boosted protease "
        "inhibitor if integrase inhibitors are not available."
    ),
}

SOURCE_TEST_ACTIONS: dict[str, str] = {
    "source_test_hbsag": N_(
        "Test the source patient for HBsAg (with consent) as soon as possible: the HBIG decision "
        "depends on it."
    ),
    "source_test_hcv": N_(
        "Test the source patient for HCV RNA (preferred), or for anti-HCV with HCV RNA if "
        "positive, preferably within {within_h} hours."
    ),
    "source_test_hiv": N_(
        "Test the source patient for HIV at once (rapid antigen/antibody test, with consent)."
    ),
}


class PepLevel(StrEnum):
    """What an HIV row proposes about PEP, for the countdown and the schedule."""

    RECOMMENDED = "recommended"
    OFFER = "offer"
    CONSIDER = "consider"
    NOT_INDICATED = "not_indicated"


PEP_LEVELS: dict[str, PepLevel] = {
    "hiv_pep_recommended": PepLevel.RECOMMENDED,
    "hiv_pep_start_test_source": PepLevel.OFFER,
    "hiv_pep_offer": PepLevel.OFFER,
    "hiv_pep_offer_test_source": PepLevel.OFFER,
    "hiv_pep_case_by_case": PepLevel.CONSIDER,
    "hiv_expert_assessment": PepLevel.CONSIDER,
    "hiv_pep_not_indicated": PepLevel.NOT_INDICATED,
    "hiv_not_an_exposure": PepLevel.NOT_INDICATED,
}

# Texts of rules that hold under every protocol; they carry their own source and tag.
NO_BBF_RISK = N_(
    "Clean, unused sharp: no blood-borne pathogen risk. Record the injury; no prophylaxis or "
    "follow-up is needed."
)
WORKER_HCV_POSITIVE = N_(
    "The worker was anti-HCV positive at baseline: an existing infection, not caused by this "
    "exposure. Refer for assessment; no hepatitis C follow-up for this exposure."
)
WORKER_HIV_POSITIVE = N_("The worker is already HIV-positive: no PEP. Refer to HIV care.")


@dataclass(frozen=True)
class TableSpec:
    """What one decision table's rows may say: condition keys with their values, and actions."""

    name: str
    conditions: dict[str, tuple[str, ...]]
    actions: dict[str, str]
    optional: frozenset[str]
    # Placeholders the engine fills itself (the rest must come from the row's ``params``).
    provided: frozenset[str] = frozenset()


_ROW_OPTIONAL = frozenset({"schedule", "params", "note_en", "note_zh"})

TABLES: dict[str, TableSpec] = {
    "hbv": TableSpec(
        "hbv",
        {
            "worker_hbv_status": tuple(HbvStatus),
            "source_hbsag": SOURCE_RESULTS,
            "anti_hbs": ("ge10", "lt10", "unknown"),
        },
        HBV_ACTIONS,
        _ROW_OPTIONAL | {"show_alternative"},
    ),
    "hcv": TableSpec("hcv", {"source_hcv": SOURCE_HCV_CLASSES}, HCV_ACTIONS, _ROW_OPTIONAL),
    "hiv": TableSpec(
        "hiv",
        {
            "source_hiv": SOURCE_HIV_CLASSES,
            "route": ROUTES,
            "infectious_fluid": ("yes", "no"),
        },
        HIV_ACTIONS,
        _ROW_OPTIONAL | {"pep_schedule"},
        frozenset(_PEP_TIMING),
    ),
    "hiv_grade": TableSpec(
        "hiv_grade",
        {"exposure_level": CHINA_LEVELS, "source_grade": CHINA_SOURCE_GRADES},
        GRADE_ACTIONS,
        frozenset({"params", "note_en", "note_zh"}),
    ),
}


def placeholders(message: str) -> set[str]:
    """The named fields a source string needs, e.g. ``{'dose'}`` for "HBIG dose {dose}"."""
    return {name for _, name, _, _ in Formatter().parse(message) if name}
