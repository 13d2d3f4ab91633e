"""Code lists of the exposure record, in one place.

Codes are stable (the database and the exchange files store them; EXCHANGE.md fixes many of them);
labels are English sources translated where shown. ``Code.extra`` carries:

- ``epinet``: the EPINet answer number(s) the code maps to (comma-separated when several), so an
  EPINet-compatible tabulation can be produced from our simpler lists;
- ``evidence``: ``U`` where domain/exposures.md marks the fact unverified (check it against the
  current EPINet/ISC forms before presenting it as official); absent means verified or partly so.

Entries a hospital adds itself (a device brand, a local device type...) live in the ``local_code``
table; ``services.local_codes.entries(session, list_name)`` returns built-in + local entries.
"""

from __future__ import annotations

from hospital_osh.domain.codes import (
    DEPARTMENT_TYPES,
    EMPLOYMENT_TYPES,
    JOB_CATEGORIES,
    N_,
    SEXES,
    Code,
    CodeList,
    code_list,
)


def _with_extra(name: str, *rows: tuple[str, str, dict[str, str]]) -> CodeList:
    return CodeList(name, tuple(Code(code, label, extra) for code, label, extra in rows))


def _epinet(number: str, evidence: str = "") -> dict[str, str]:
    return {"epinet": number, "evidence": evidence} if evidence else {"epinet": number}


EXPOSURE_TYPES = code_list(
    "exposure_type",
    ("percutaneous", N_("Percutaneous (needle-stick or cut)")),
    ("mucous_membrane", N_("Mucous membrane")),
    ("non_intact_skin", N_("Non-intact skin")),
    ("bite", N_("Bite")),
    ("other", N_("Other")),
)

# EPINet Q6 "where did it occur" (US numbering; 19 from the Hong Kong variant) [V].
LOCATION_TYPES = _with_extra(
    "location_type",
    ("patient_room", N_("Patient room"), _epinet("1")),
    ("outside_patient_room", N_("Outside patient room (corridor, nurses' station)"), _epinet("2")),
    ("emergency", N_("Emergency department"), _epinet("3")),
    ("icu", N_("Intensive care unit"), _epinet("4")),
    ("operating_recovery", N_("Operating or recovery room"), _epinet("5")),
    ("outpatient", N_("Outpatient clinic"), _epinet("6")),
    ("blood_bank", N_("Blood bank"), _epinet("7")),
    ("venipuncture_centre", N_("Blood collection room"), _epinet("8")),
    ("dialysis", N_("Dialysis unit"), _epinet("9")),
    ("procedure_room", N_("Procedure or examination room"), _epinet("10")),
    ("clinical_lab", N_("Clinical laboratory"), _epinet("11")),
    ("autopsy_pathology", N_("Pathology or autopsy room"), _epinet("12")),
    ("service_utility", N_("Service area (laundry, supply, waste)"), _epinet("13")),
    ("labour_delivery", N_("Labour and delivery room"), _epinet("16")),
    ("home_care", N_("Home care"), _epinet("17")),
    ("dental", N_("Dental clinic"), _epinet("19")),
    ("other", N_("Other"), _epinet("14")),
)

# The department type a location usually belongs to (exposures.md a.4), for demo data and hints.
LOCATION_DEPARTMENT_TYPES: dict[str, tuple[str, ...]] = {
    "patient_room": ("ward",),
    "outside_patient_room": ("ward",),
    "emergency": ("emergency",),
    "icu": ("icu",),
    "operating_recovery": ("operating_theatre",),
    "outpatient": ("outpatient",),
    "blood_bank": ("laboratory",),
    "venipuncture_centre": ("outpatient",),
    "dialysis": ("dialysis",),
    "procedure_room": ("radiology",),
    "clinical_lab": ("laboratory",),
    "autopsy_pathology": ("laboratory",),
    "service_utility": ("cssd", "logistics"),
    "labour_delivery": ("ward",),
    "home_care": ("other",),
    "dental": ("dental",),
    "other": ("other", "pharmacy", "administration"),
}

# EPINet Q13 specific item. Names are verified; the US item numbers are from memory [U].
# ``group`` is EPINet Q12: 1 needle, 2 surgical instrument or other sharp, 3 glass.
_NEEDLE, _SURGICAL, _GLASS = "1", "2", "3"


def _device(code: str, label: str, group: str, number: str) -> tuple[str, str, dict[str, str]]:
    return code, label, {"epinet": number, "epinet_group": group, "evidence": "U"}


DEVICE_TYPES = _with_extra(
    "device_type",
    _device("syringe_insulin", N_("Insulin syringe"), _NEEDLE, "1a"),
    _device("syringe_tuberculin", N_("Tuberculin (1 mL) syringe"), _NEEDLE, "1b"),
    _device("syringe_needle", N_("Disposable syringe needle"), _NEEDLE, "1c,1d,1e,1f,1g,1h"),
    _device("prefilled_syringe", N_("Prefilled cartridge syringe"), _NEEDLE, "2"),
    _device("blood_gas_syringe", N_("Blood gas syringe"), _NEEDLE, "3"),
    _device("syringe_other", N_("Syringe, other type"), _NEEDLE, "4"),
    _device("iv_line_needle", N_("Needle on IV line or connector"), _NEEDLE, "5"),
    _device("winged_steel_needle", N_("Winged steel (scalp-vein) needle"), _NEEDLE, "6"),
    _device("iv_catheter_stylet", N_("IV catheter stylet"), _NEEDLE, "7"),
    _device("vacuum_tube_needle", N_("Vacuum blood-collection needle"), _NEEDLE, "8"),
    _device("spinal_epidural_needle", N_("Spinal or epidural needle"), _NEEDLE, "9"),
    _device("unattached_needle", N_("Unattached hypodermic needle"), _NEEDLE, "10"),
    _device("vascular_catheter_needle", N_("Arterial or central line needle"), _NEEDLE, "11,12,14"),
    _device("biopsy_needle", N_("Biopsy needle"), _NEEDLE, "29"),
    _device("bone_marrow_needle", N_("Bone marrow needle"), _NEEDLE, "29"),
    _device("needle_unknown", N_("Needle, kind unknown"), _NEEDLE, "28"),
    _device("needle_other", N_("Other needle"), _NEEDLE, "29"),
    _device("lancet", N_("Lancet"), _SURGICAL, "30"),
    _device("suture_needle", N_("Suture needle"), _SURGICAL, "31"),
    _device("scalpel_reusable", N_("Scalpel, reusable"), _SURGICAL, "32"),
    _device("scalpel_disposable", N_("Scalpel blade, disposable"), _SURGICAL, "50"),
    _device("razor", N_("Razor"), _SURGICAL, "33"),
    _device("pipette_plastic", N_("Plastic pipette"), _SURGICAL, "34"),
    _device("scissors", N_("Scissors"), _SURGICAL, "35"),
    _device("electrocautery_device", N_("Electrocautery device"), _SURGICAL, "36"),
    _device("bone_cutter", N_("Bone cutter"), _SURGICAL, "37"),
    _device("bone_chip", N_("Bone chip"), _SURGICAL, "38"),
    _device("towel_clip", N_("Towel clip"), _SURGICAL, "39"),
    _device("microtome_blade", N_("Microtome blade"), _SURGICAL, "40"),
    _device("trocar", N_("Trocar"), _SURGICAL, "41"),
    _device("tube_plastic", N_("Plastic vacuum or specimen tube"), _SURGICAL, "42,43"),
    _device("teeth_nails", N_("Teeth or fingernails (bite, scratch)"), _SURGICAL, "44"),
    _device("retractor", N_("Retractor, skin or bone hook"), _SURGICAL, "45"),
    _device("staples", N_("Staples or steel sutures"), _SURGICAL, "46"),
    _device("wire", N_("Wire (suture, fixation, guide)"), _SURGICAL, "47"),
    _device("pin", N_("Pin (fixation, guide)"), _SURGICAL, "48"),
    _device("drill_bit", N_("Drill bit or burr"), _SURGICAL, "49"),
    _device("forceps_clamp", N_("Haemostat, forceps or clamp"), _SURGICAL, "51,52,53"),
    _device("sharp_other", N_("Other or unknown sharp item"), _SURGICAL, "58,59"),
    _device("ampoule", N_("Medication ampoule"), _GLASS, "60"),
    _device("vial", N_("Medication vial"), _GLASS, "61"),
    _device("iv_bottle", N_("Glass medication or IV bottle"), _GLASS, "62"),
    _device("glass_tube_pipette", N_("Glass tube or pipette"), _GLASS, "63,64,65"),
    _device("capillary_tube", N_("Capillary tube"), _GLASS, "66"),
    _device("glass_slide", N_("Glass slide"), _GLASS, "67"),
    _device("glass_other", N_("Other or unknown glass item"), _GLASS, "68,69"),
)

# EPINet Q10 original purpose (1 and 16 verified, the rest partly). The last two are Chinese
# local additions proposed by exposures.md a.5 and mapped to their nearest EPINet answers [U].
PURPOSES = _with_extra(
    "purpose",
    ("unknown", N_("Unknown or not applicable"), _epinet("1")),
    ("injection_im_sc", N_("Intramuscular or subcutaneous injection"), _epinet("2")),
    ("flush", N_("Heparin or saline flush"), _epinet("3")),
    ("iv_port_injection", N_("Injection into or aspiration from an IV port"), _epinet("4")),
    ("connect_iv_line", N_("Connecting an IV line"), _epinet("5")),
    ("start_iv", N_("Starting an IV or setting up a heparin lock"), _epinet("6")),
    ("venous_blood_draw", N_("Drawing venous blood"), _epinet("7")),
    ("arterial_blood_draw", N_("Drawing arterial blood"), _epinet("8")),
    ("fluid_tissue_sample", N_("Obtaining a body fluid or tissue sample"), _epinet("9")),
    ("finger_heel_stick", N_("Finger or heel stick"), _epinet("10")),
    ("suturing", N_("Suturing"), _epinet("11")),
    ("cutting", N_("Cutting"), _epinet("12")),
    ("drilling", N_("Drilling"), _epinet("14")),
    ("electrocautery", N_("Electrocautery"), _epinet("15")),
    ("arterial_central_line", N_("Placing an arterial or central line"), _epinet("16")),
    ("contain_specimen_drug", N_("Containing a specimen or medicine"), _epinet("17")),
    ("drug_preparation", N_("Preparing medicines (opening ampoules)"), _epinet("2,4,17", "U")),
    ("needle_withdrawal", N_("Withdrawing a needle from the patient"), _epinet("2", "U")),
    ("other", N_("Other"), _epinet("13")),
)

# EPINet Q11 when and how [P]; ``phase`` groups them for the report (c.3 table 7).
_BEFORE, _DURING, _AFTER, _DISPOSAL = "before_use", "during_use", "after_use", "disposal"


def _circ(code: str, label: str, number: str, phase: str) -> tuple[str, str, dict[str, str]]:
    return code, label, {"epinet": number, "phase": phase}


CIRCUMSTANCES = _with_extra(
    "circumstance",
    _circ("before_use", N_("Before use of the item"), "1", _BEFORE),
    _circ("during_use", N_("During use of the item"), "2", _DURING),
    _circ("restraining_patient", N_("Restraining or holding the patient"), "3", _DURING),
    _circ("between_steps", N_("Between steps of a procedure, passing instruments"), "4", _DURING),
    _circ("disassembling", N_("Disassembling a device"), "5", _AFTER),
    _circ("reprocessing", N_("Cleaning or sorting reusable instruments"), "6", _AFTER),
    _circ("recapping", N_("Recapping a used needle"), "7", _AFTER),
    _circ(
        "withdraw_from_rubber", N_("Withdrawing a needle from a stopper or IV port"), "8", _DURING
    ),
    _circ("after_use_before_disposal", N_("After use, before disposal"), "9", _AFTER),
    _circ(
        "left_in_wrong_place",
        N_("Item left in the wrong place (bed, tray, floor)"),
        "9,10,14",
        _DISPOSAL,
    ),
    _circ("left_near_container", N_("Item left on or near the sharps container"), "10", _DISPOSAL),
    _circ("into_container", N_("Putting the item into the sharps container"), "11", _DISPOSAL),
    _circ(
        "protruding_from_container",
        N_("Item protruding from the sharps container opening"),
        "12",
        _DISPOSAL,
    ),
    _circ("pierced_container", N_("Item pierced the side of the container"), "13", _DISPOSAL),
    _circ(
        "improper_disposal",
        N_("Item in a waste bag or unsuitable container"),
        "14",
        _DISPOSAL,
    ),
    _circ("other", N_("Other"), "15", ""),
    _circ("unknown", N_("Unknown"), "16", ""),
)

# Body site: EPINet uses a body diagram; this coarse list is ours [U].
BODY_SITES = code_list(
    "body_site",
    ("finger", N_("Finger")),
    ("thumb", N_("Thumb")),
    ("hand", N_("Hand or palm")),
    ("arm", N_("Arm or wrist")),
    ("face", N_("Face")),
    ("eye", N_("Eye")),
    ("nose", N_("Nose")),
    ("mouth", N_("Mouth")),
    ("trunk", N_("Neck or trunk")),
    ("leg_foot", N_("Leg or foot")),
    ("other", N_("Other")),
)

DEPTHS = code_list(
    "depth",
    ("superficial", N_("Superficial (little or no bleeding)")),
    ("moderate", N_("Moderate (skin punctured, some bleeding)")),
    ("deep", N_("Deep (deep stick or cut, or profuse bleeding)")),
)

GLOVES = code_list(
    "gloves",
    ("single", N_("Single pair of gloves")),
    ("double", N_("Double pair of gloves")),
    ("none", N_("No gloves")),
    ("unknown", N_("Unknown")),
)

# EPINet BBF Q8 [V] with the NHSN additions proposed in exposures.md a.6.
FLUID_TYPES = code_list(
    "fluid_type",
    ("blood", N_("Blood or blood products")),
    ("vomit", N_("Vomit")),
    ("sputum", N_("Sputum")),
    ("saliva", N_("Saliva")),
    ("csf", N_("Cerebrospinal fluid")),
    ("peritoneal", N_("Peritoneal fluid")),
    ("pleural", N_("Pleural fluid")),
    ("amniotic", N_("Amniotic fluid")),
    ("urine", N_("Urine")),
    ("faeces", N_("Faeces")),
    ("semen_vaginal", N_("Semen or vaginal secretions")),
    ("synovial_pericardial", N_("Synovial or pericardial fluid")),
    ("tissue", N_("Tissue")),
    ("solution_bloody", N_("Visibly bloody solution (IV fluid, irrigation)")),
    ("other", N_("Other")),
)

# Bands proposed in exposures.md a.6 [U]; they feed the China grade (small/short vs large/long).
CONTACT_DURATIONS = code_list(
    "contact_duration",
    ("lt_5min", N_("Less than 5 minutes")),
    ("5_14min", N_("5 to 14 minutes")),
    ("15min_1h", N_("15 minutes to 1 hour")),
    ("gt_1h", N_("More than 1 hour")),
)

CONTACT_VOLUMES = code_list(
    "contact_volume",
    ("small", N_("Small (a few drops, up to about 5 mL)")),
    ("moderate", N_("Moderate (up to about 50 mL)")),
    ("large", N_("Large (more than 50 mL)")),
)

# EPINet BBF Q11, several may apply [U].
BARRIER_GARMENTS = code_list(
    "barrier_garment",
    ("none", N_("None")),
    ("gloves_single", N_("Gloves, single pair")),
    ("gloves_double", N_("Gloves, double pair")),
    ("goggles", N_("Goggles")),
    ("eyeglasses", N_("Eyeglasses")),
    ("face_shield", N_("Face shield")),
    ("surgical_mask", N_("Surgical mask")),
    ("gown", N_("Surgical gown")),
    ("plastic_apron", N_("Plastic apron")),
    ("lab_coat", N_("Lab coat")),
    ("other", N_("Other")),
)

TEST_RESULTS = code_list(
    "test_result",
    ("positive", N_("Positive")),
    ("negative", N_("Negative")),
    ("unknown", N_("Unknown")),
)

YES_NO = code_list("yes_no", ("yes", N_("Yes")), ("no", N_("No")))

YES_NO_UNKNOWN = code_list(
    "yes_no_unknown", ("yes", N_("Yes")), ("no", N_("No")), ("unknown", N_("Unknown"))
)

SAFETY_ACTIVATED = code_list(
    "safety_activated",
    ("fully", N_("Yes, fully")),
    ("partially", N_("Yes, partially")),
    ("no", N_("No")),
    ("unknown", N_("Unknown")),
)

STATUSES = code_list(
    "exposure_status",
    ("reported", N_("Reported")),
    ("under_assessment", N_("Under assessment")),
    ("under_follow_up", N_("Under follow-up")),
    ("closed", N_("Closed")),
    ("lost_to_follow_up", N_("Lost to follow-up")),
)

OUTCOMES = code_list(
    "outcome",
    ("pending", N_("Pending")),
    ("no_seroconversion", N_("No seroconversion")),
    ("hbv_seroconversion", N_("HBV seroconversion")),
    ("hcv_seroconversion", N_("HCV seroconversion")),
    ("hiv_seroconversion", N_("HIV seroconversion")),
    ("lost_to_follow_up", N_("Lost to follow-up")),
)

# China 2004 HIV guidance (卫医发〔2004〕108号) exposure level and source viral-load type [V].
CHINA_GRADES = code_list(
    "china_grade",
    ("level_1", N_("Level 1 exposure")),
    ("level_2", N_("Level 2 exposure")),
    ("level_3", N_("Level 3 exposure")),
)

CHINA_SOURCE_GRADES = code_list(
    "china_source_grade",
    ("mild", N_("Mild (low viral load)")),
    ("severe", N_("Severe (high viral load)")),
    ("unknown", N_("Source unknown")),
)

WORKER_KINDS = code_list(
    "worker_kind",
    ("staff", N_("Staff member")),
    ("student", N_("Student or trainee (not on staff)")),
    ("contractor", N_("Contractor or outsourced worker")),
    ("visitor", N_("Visitor")),
    ("other", N_("Other")),
)

# Every code list the exposure record uses, by the field that stores it.
FIELD_CODE_LISTS: dict[str, CodeList] = {
    "worker_kind": WORKER_KINDS,
    "job_category": JOB_CATEGORIES,
    "employment_type": EMPLOYMENT_TYPES,
    "sex": SEXES,
    "location_type": LOCATION_TYPES,
    "exposure_type": EXPOSURE_TYPES,
    "device_type": DEVICE_TYPES,
    "device_safety_engineered": YES_NO_UNKNOWN,
    "safety_activated": SAFETY_ACTIVATED,
    "purpose": PURPOSES,
    "circumstance": CIRCUMSTANCES,
    "body_site": BODY_SITES,
    "depth": DEPTHS,
    "gloves": GLOVES,
    "device_contaminated": YES_NO_UNKNOWN,
    "fluid_type": FLUID_TYPES,
    "fluid_visibly_bloody": YES_NO_UNKNOWN,
    "contact_duration": CONTACT_DURATIONS,
    "contact_volume": CONTACT_VOLUMES,
    "barrier_garments": BARRIER_GARMENTS,
    "source_identified": YES_NO,
    "source_hbsag": TEST_RESULTS,
    "source_hbeag": TEST_RESULTS,
    "source_anti_hcv": TEST_RESULTS,
    "source_hcv_rna": TEST_RESULTS,
    "source_hiv": TEST_RESULTS,
    "china_grade": CHINA_GRADES,
    "china_source_grade": CHINA_SOURCE_GRADES,
    "status": STATUSES,
    "outcome": OUTCOMES,
}

# Fields holding several codes (stored space-separated).
MULTI_CODE_FIELDS = frozenset({"barrier_garments"})

# Lists a hospital may extend with its own entries (``local_code`` table). ``device_brand`` has
# no built-in entries: brands are local by nature (OSHA asks for the brand where known).
EXTENSIBLE_LISTS: tuple[str, ...] = (
    "device_type",
    "device_brand",
    "purpose",
    "circumstance",
    "location_type",
    "body_site",
    "fluid_type",
    "barrier_garment",
)

ALL_LISTS: dict[str, CodeList] = {
    codes.name: codes
    for codes in (
        *FIELD_CODE_LISTS.values(),
        DEPARTMENT_TYPES,
        CodeList("device_brand", ()),
    )
}


def builtin(list_name: str) -> CodeList:
    """The built-in list called ``list_name`` (KeyError for an unknown list)."""
    return ALL_LISTS[list_name]
