"""Realistic demo exposures for existing workers and departments, inserted in bulk.

The distributions follow the Chinese hospital series summarised in domain/exposures.md c.4 and the
CDC phase split of a.5: ~80% percutaneous, ~60% nurses, operating rooms then wards then the
emergency department, a morning peak (10:00-12:00), a mild third-quarter peak, junior staff
over-represented, HBsAg-positive sources ~20%, rare seroconversions. Recent records are still open
and some are quick reports only; a few are reported late. No exposure predates its worker's hire.
Every code of every list turns up in a large enough sample, so reports and filters can be tried.
"""

from __future__ import annotations

import bisect
import datetime as dt
import itertools
import math
import random
import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from hospital_osh.domain import exposure_codes as codes
from hospital_osh.domain import exposure_rules as rules
from hospital_osh.models import Department, Exposure, User, Worker
from hospital_osh.services.context import SYSTEM
from hospital_osh.services.exposures import EDITABLE, age_at, format_reference, years_between

YEARS = 3
DEFAULT_COUNT = 900  # three years of ~300 exposures, a large teaching hospital's volume
BATCH = 5000
FLOOR = 0.3  # weight given to codes the priors do not name, so every code turns up


class _Pick:
    """Weighted choice over codes with precomputed cumulative weights (fast in a hot loop)."""

    def __init__(self, weights: dict[str, float], every: Iterable[str] = ()):
        merged = {code: FLOOR for code in every} | weights
        self.items = list(merged)
        self.cumulative = list(itertools.accumulate(merged.values()))

    def __call__(self, rng: random.Random) -> str:
        return self.items[bisect.bisect(self.cumulative, rng.random() * self.cumulative[-1])]


_JOBS = _Pick(
    {
        "nurse": 62,
        "doctor": 15,
        "student_intern": 7,
        "cleaner": 5,
        "lab_technician": 3,
        "midwife": 2,
        "caregiver": 1.5,
        "porter": 1,
        "dentist": 0.8,
        "imaging_technician": 0.7,
        "pharmacist": 0.3,
        "other": 0.7,
    }
)
_TYPES = _Pick(
    {"percutaneous": 81, "mucous_membrane": 10, "non_intact_skin": 6, "bite": 1.5, "other": 1.5}
)
_LOCATIONS = _Pick(
    {
        "operating_recovery": 25,
        "patient_room": 22,
        "outside_patient_room": 10,
        "emergency": 9,
        "icu": 7,
        "outpatient": 4,
        "venipuncture_centre": 3,
        "dialysis": 3,
        "clinical_lab": 3,
        "procedure_room": 3,
        "labour_delivery": 3,
        "service_utility": 3,
        "dental": 2,
        "autopsy_pathology": 1,
        "blood_bank": 1,
        "home_care": 0.5,
        "other": 1,
    }
)
_PURPOSES = _Pick(
    {
        "injection_im_sc": 14,
        "start_iv": 14,
        "needle_withdrawal": 10,
        "venous_blood_draw": 10,
        "suturing": 10,
        "drug_preparation": 8,
        "connect_iv_line": 5,
        "cutting": 5,
        "iv_port_injection": 3,
        "arterial_blood_draw": 3,
        "other": 3,
        "flush": 2,
        "finger_heel_stick": 2,
        "fluid_tissue_sample": 2,
        "unknown": 2,
        "arterial_central_line": 1.5,
        "contain_specimen_drug": 1,
        "drilling": 0.8,
        "electrocautery": 0.8,
    }
)


def _ranked(*names: str) -> _Pick:
    """The first device named is the likeliest for the purpose, the rest less and less so."""
    return _Pick({name: 6 / (rank + 1) for rank, name in enumerate(names)})


_DEVICE_BY_PURPOSE = {
    "injection_im_sc": _ranked(
        "syringe_needle", "syringe_insulin", "syringe_tuberculin", "prefilled_syringe"
    ),
    "flush": _ranked("syringe_needle", "prefilled_syringe", "syringe_other"),
    "iv_port_injection": _ranked("syringe_needle", "iv_line_needle", "unattached_needle"),
    "connect_iv_line": _ranked("iv_line_needle", "winged_steel_needle"),
    "start_iv": _ranked("winged_steel_needle", "iv_catheter_stylet"),
    "venous_blood_draw": _ranked("vacuum_tube_needle", "winged_steel_needle", "syringe_needle"),
    "arterial_blood_draw": _ranked("blood_gas_syringe", "syringe_needle"),
    "fluid_tissue_sample": _ranked(
        "syringe_needle",
        "spinal_epidural_needle",
        "biopsy_needle",
        "bone_marrow_needle",
        "tube_plastic",
        "glass_tube_pipette",
        "pipette_plastic",
    ),
    "finger_heel_stick": _ranked("lancet", "capillary_tube"),
    "suturing": _ranked("suture_needle", "forceps_clamp", "staples", "wire"),
    "cutting": _ranked(
        "scalpel_disposable",
        "scissors",
        "scalpel_reusable",
        "razor",
        "bone_cutter",
        "microtome_blade",
        "bone_chip",
    ),
    "drilling": _ranked("drill_bit", "pin", "wire"),
    "electrocautery": _ranked("electrocautery_device"),
    "arterial_central_line": _ranked("vascular_catheter_needle", "wire"),
    "contain_specimen_drug": _ranked(
        "vial", "glass_tube_pipette", "tube_plastic", "iv_bottle", "glass_slide", "capillary_tube"
    ),
    "drug_preparation": _ranked("ampoule", "syringe_needle", "vial", "iv_bottle"),
    "needle_withdrawal": _ranked(
        "winged_steel_needle", "iv_catheter_stylet", "syringe_needle", "needle_other"
    ),
    "unknown": _ranked("needle_unknown", "sharp_other", "glass_other"),
    "other": _ranked(
        "needle_other",
        "towel_clip",
        "trocar",
        "retractor",
        "sharp_other",
        "teeth_nails",
        "syringe_other",
        "glass_other",
    ),
}
# CDC hollow-bore split (a.5): during use ~52%, after use before disposal ~19%, disposal ~22%.
_CIRCUMSTANCES = _Pick(
    {
        "during_use": 33,
        "between_steps": 8,
        "restraining_patient": 4,
        "withdraw_from_rubber": 4,
        "before_use": 4,
        "recapping": 8,
        "after_use_before_disposal": 7,
        "disassembling": 3,
        "reprocessing": 3,
        "left_in_wrong_place": 7,
        "into_container": 6,
        "left_near_container": 3,
        "improper_disposal": 4,
        "protruding_from_container": 2,
        "pierced_container": 1,
        "other": 2,
        "unknown": 1,
    }
)
_CLEANER_CIRCUMSTANCES = _Pick(
    {
        "improper_disposal": 30,
        "left_in_wrong_place": 30,
        "reprocessing": 15,
        "pierced_container": 8,
        "protruding_from_container": 8,
        "other": 5,
        "unknown": 4,
    }
)
_SHARPS_SITES = _Pick(
    {
        "finger": 55,
        "thumb": 15,
        "hand": 17,
        "arm": 6,
        "leg_foot": 3,
        "trunk": 1,
        "face": 1,
        "other": 1,
    }
)
_MUCOUS_SITES = _Pick({"eye": 60, "mouth": 20, "nose": 8, "face": 12})
_SKIN_SITES = _Pick({"hand": 45, "finger": 25, "arm": 20, "face": 5, "trunk": 3, "leg_foot": 2})
_BITE_SITES = _Pick({"hand": 50, "arm": 35, "finger": 15})
_DEPTHS = _Pick({"superficial": 50, "moderate": 38, "deep": 12})
_GLOVES = _Pick({"single": 55, "double": 12, "none": 28, "unknown": 5})
_YNU_CONTAMINATED = _Pick({"yes": 40, "no": 35, "unknown": 25})
_SAFETY = _Pick({"no": 60, "yes": 30, "unknown": 10})
_ACTIVATED = _Pick({"no": 45, "fully": 30, "partially": 15, "unknown": 10})
_FLUIDS = _Pick(
    {
        "blood": 60,
        "saliva": 5,
        "sputum": 5,
        "vomit": 4,
        "urine": 4,
        "amniotic": 4,
        "solution_bloody": 3,
        "pleural": 2,
        "peritoneal": 2,
        "csf": 2,
    },
    codes.FLUID_TYPES.codes,
)
_BLOODY = _Pick({"yes": 55, "no": 35, "unknown": 10})
_DURATIONS = _Pick({"lt_5min": 70, "5_14min": 18, "15min_1h": 9, "gt_1h": 3})
_VOLUMES = _Pick({"small": 75, "moderate": 20, "large": 5})
_GARMENT_ODDS = {
    "gloves_single": 0.55,
    "gloves_double": 0.08,
    "surgical_mask": 0.5,
    "goggles": 0.1,
    "eyeglasses": 0.08,
    "face_shield": 0.05,
    "gown": 0.15,
    "plastic_apron": 0.04,
    "lab_coat": 0.05,
    "other": 0.02,
}
_WORKER_KINDS = _Pick({"student": 50, "contractor": 35, "visitor": 8, "other": 7})
_KIND_JOBS = {
    "student": "student_intern",
    "contractor": "cleaner",
    "visitor": "other",
    "other": "other",
}
_HOURS = _Pick(
    {
        str(h): w
        for h, w in enumerate(
            [
                1,
                0.8,
                0.8,
                0.8,
                0.8,
                1,
                1.5,
                3,
                7,
                10,
                14,
                14,
                6,
                5,
                7,
                8,
                7,
                5,
                3,
                2.5,
                2.5,
                2,
                1.5,
                1,
            ]
        )
    }
)
_MONTH_WEIGHT = [0.85, 0.75, 0.95, 1.0, 1.0, 1.05, 1.2, 1.2, 1.15, 0.95, 0.95, 0.9]

_SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程"
)
_GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红鹏辉建文斌宇浩凯琳婷雪倩"
_DESCRIPTIONS = {
    "percutaneous": (
        "拔针时针头滑脱，刺伤左手食指，局部少量出血。",
        "给患者肌内注射后回套针帽时被针头刺伤右手拇指。",
        "手术缝合时缝针刺破手套，刺伤左手中指。",
        "整理治疗盘时被遗留的头皮针刺伤手指。",
        "将用过的针头放入锐器盒时被盒口突出的针头刺伤。",
        "掰安瓿时玻璃碎裂划伤右手食指。",
        "传递手术刀时被刀片划伤手掌。",
        "清理床单时被遗留的针头扎伤。",
        "患者躁动，静脉穿刺时针头刺入自己手指。",
        "收集医疗废物时被垃圾袋中的锐器刺伤。",
    ),
    "mucous_membrane": (
        "吸痰时患者咳嗽，痰液溅入眼内。",
        "手术中血液喷溅至面部及眼睛，未戴护目镜。",
        "拔除动脉导管时血液溅入口腔。",
    ),
    "non_intact_skin": (
        "手部有未愈合伤口，接触患者血液时手套破损。",
        "更换引流袋时引流液渗漏至破损皮肤。",
    ),
    "bite": ("为患者口腔护理时被患者咬伤手指。", "约束躁动患者时被咬伤前臂。"),
    "other": ("处理标本时标本管破裂，液体溅到工作服及手臂。",),
}


@dataclass(frozen=True)
class _Person:
    id: int | None
    name: str
    kind: str
    sex: str
    birth: dt.date | None
    job: str
    department_id: int | None
    employment: str | None
    hire: dt.date | None


def _name(rng: random.Random) -> str:
    given = "".join(rng.choice(_GIVEN) for _ in range(rng.choice((1, 2, 2))))
    return rng.choice(_SURNAMES) + given


def _day(rng: random.Random, first: dt.date, last: dt.date) -> dt.date:
    """A day in [first, last] with a mild summer peak (rejection sampling on month weights)."""
    span = (last - first).days
    while True:
        day = first + dt.timedelta(days=rng.randint(0, span))
        if rng.random() * 1.2 <= _MONTH_WEIGHT[day.month - 1]:
            return day


def _delay_hours(rng: random.Random) -> float:
    """Most report within hours, some the next days, a few months or more than a year late."""
    draw = rng.random()
    if draw < 0.70:
        return min(rng.lognormvariate(math.log(0.8), 0.8), 6.0)
    if draw < 0.90:
        return rng.uniform(2, 24)
    if draw < 0.98:
        return rng.uniform(24, 14 * 24)
    if draw < 0.997:
        return rng.uniform(15 * 24, 200 * 24)
    return rng.uniform(366 * 24, 500 * 24)


def _status(rng: random.Random, age_days: int) -> str:
    """Recent exposures are still open; old ones closed or lost to follow-up."""
    table: tuple[tuple[str, float], ...]
    if age_days < 3:
        table = (("reported", 0.6), ("under_assessment", 1.0))
    elif age_days < 30:
        table = (("reported", 0.05), ("under_assessment", 0.25), ("under_follow_up", 1.0))
    elif age_days < 180:
        table = (("under_follow_up", 0.75), ("closed", 0.95), ("lost_to_follow_up", 1.0))
    else:
        table = (("closed", 0.88), ("lost_to_follow_up", 0.96), ("under_follow_up", 1.0))
    draw = rng.random()
    return next(status for status, upto in table if draw < upto)


def _outcome(rng: random.Random, status: str) -> str:
    if status == "lost_to_follow_up":
        return "lost_to_follow_up"
    if status != "closed":
        return "pending"
    draw = rng.random()
    if draw < 0.002:
        return "hbv_seroconversion"
    if draw < 0.0035:
        return "hcv_seroconversion"
    if draw < 0.004:
        return "hiv_seroconversion"
    return "no_seroconversion"


def _test_date(rng: random.Random, occurred: dt.date, today: dt.date) -> dt.date:
    if rng.random() < 0.04:  # an old result carried over: the stale-result warning
        return occurred - dt.timedelta(days=rng.randint(370, 700))
    return min(occurred + dt.timedelta(days=rng.randint(-3, 2)), today)


def _result(rng: random.Random, positive: float) -> str:
    draw = rng.random()
    return "unknown" if draw < 0.03 else "positive" if draw < 0.03 + positive else "negative"


def _split(rng: random.Random, positive: float, unknown: float) -> str:
    draw = rng.random()
    return "positive" if draw < positive else "unknown" if draw < positive + unknown else "negative"


def _source(rng: random.Random, values: dict[str, Any], today: dt.date) -> None:
    values["source_identified"] = "yes" if rng.random() < 0.85 else "no"
    if values["source_identified"] != "yes":
        return
    day = values["occurred_at"].date()
    values["source_reference"] = f"ZY{rng.randint(100000, 999999)}"
    values["source_hbsag"] = _result(rng, 0.20)
    values["source_hbsag_date"] = _test_date(rng, day, today)
    if values["source_hbsag"] == "positive":
        values["source_hbeag"] = _split(rng, 0.25, 0.10)
        values["source_hbeag_date"] = values["source_hbsag_date"]
    values["source_anti_hcv"] = _result(rng, 0.05)
    values["source_anti_hcv_date"] = _test_date(rng, day, today)
    if values["source_anti_hcv"] == "positive":
        values["source_hcv_rna"] = _split(rng, 0.65, 0.10)
        values["source_hcv_rna_date"] = values["source_anti_hcv_date"]
    values["source_hiv"] = _result(rng, 0.01)
    values["source_hiv_date"] = _test_date(rng, day, today)
    if values["source_hiv"] == "positive":
        values["source_hiv_viral_load"] = int(10 ** rng.uniform(1.3, 6))
        values["source_hiv_viral_load_date"] = values["source_hiv_date"]


def _sharps(rng: random.Random, values: dict[str, Any], job: str) -> None:
    purpose = _PURPOSES(rng)
    values["purpose"] = purpose
    values["device_type"] = _DEVICE_BY_PURPOSE[purpose](rng)
    safety = _SAFETY(rng)
    values["device_safety_engineered"] = safety
    if safety == "yes":
        values["safety_activated"] = _ACTIVATED(rng)
    elif safety == "unknown":
        values["safety_activated"] = "unknown"
    picker = _CLEANER_CIRCUMSTANCES if job in {"cleaner", "porter"} else _CIRCUMSTANCES
    values["circumstance"] = picker(rng)
    values["body_site"] = _SHARPS_SITES(rng)
    values["depth"] = _DEPTHS(rng)
    values["gloves"] = _GLOVES(rng)
    values["device_contaminated"] = _YNU_CONTAMINATED(rng)


def _fluids(rng: random.Random, values: dict[str, Any]) -> None:
    values["fluid_type"] = _FLUIDS(rng)
    values["fluid_visibly_bloody"] = "yes" if values["fluid_type"] == "blood" else _BLOODY(rng)
    mucous = values["exposure_type"] == "mucous_membrane"
    values["body_site"] = (_MUCOUS_SITES if mucous else _SKIN_SITES)(rng)
    values["contact_duration"] = _DURATIONS(rng)
    values["contact_volume"] = _VOLUMES(rng)
    worn = [code for code, odds in _GARMENT_ODDS.items() if rng.random() < odds]
    if "gloves_single" in worn and "gloves_double" in worn:
        worn.remove("gloves_single")
    values["barrier_garments"] = " ".join(worn) or "none"


def _grade(rng: random.Random, values: dict[str, Any]) -> None:
    if not rules.grade_applies(values):
        return
    values["china_grade"] = rules.suggest_china_grade(values) or rng.choice(
        codes.CHINA_GRADES.codes
    )
    if values["source_identified"] != "yes" or values["source_hiv"] != "positive":
        values["china_source_grade"] = "unknown"
    else:
        load = values["source_hiv_viral_load"] or 0
        values["china_source_grade"] = "severe" if load >= 10_000 else "mild"


_QUICK_FIELDS = frozenset(
    {
        "worker_id",
        "worker_kind",
        "worker_name",
        "job_category",
        "employment_type",
        "home_department_id",
        "sex",
        "age",
        "years_in_post",
        "occurred_at",
        "reported_at",
        "department_id",
        "location_type",
        "exposure_type",
        "description",
        "source_identified",
        "status",
        "outcome",
    }
)
_DROPPABLE = (
    "location_type",
    "depth",
    "gloves",
    "china_grade",
    "contact_volume",
    "source_hiv",
    "years_in_post",
    "description",
)


_TEXT = frozenset(
    {"worker_name", "device_brand", "barrier_garments", "source_reference", "description"}
)


def _blank(values: dict[str, Any], names: Iterable[str]) -> None:
    for name in names:
        values[name] = "" if name in _TEXT else None


class _Builder:
    """Draws rows; holds the workers and departments indexed the ways the draws need."""

    def __init__(
        self,
        rng: random.Random,
        today: dt.date,
        people: Sequence[_Person],
        departments: Sequence[tuple[int, str]],
        reporters: Sequence[str],
        officers: Sequence[str],
    ):
        self.rng = rng
        self.today = today
        self.first = today - dt.timedelta(days=365 * YEARS)
        self.last = today - dt.timedelta(days=1)
        self.reporters = list(reporters)
        self.officers = list(officers) or [SYSTEM.username]
        self.staff = [p for p in people if p.hire is None or p.hire <= self.last]
        self.by_job: dict[str, list[_Person]] = defaultdict(list)
        self.by_department_job: dict[tuple[int | None, str], list[_Person]] = defaultdict(list)
        for person in self.staff:
            self.by_job[person.job].append(person)
            self.by_department_job[(person.department_id, person.job)].append(person)
        self.departments_by_type: dict[str, list[int]] = defaultdict(list)
        self.department_type: dict[int, str] = {}
        for department_id, kind in departments:
            self.departments_by_type[kind].append(department_id)
            self.department_type[department_id] = kind
        self.all_departments = [d for d, _ in departments]

    def _where(self) -> tuple[str, int]:
        location = _LOCATIONS(self.rng)
        for kind in codes.LOCATION_DEPARTMENT_TYPES[location]:
            if self.departments_by_type.get(kind):
                return location, self.rng.choice(self.departments_by_type[kind])
        return location, self.rng.choice(self.all_departments)

    def _typed_in(self) -> _Person:
        kind = _WORKER_KINDS(self.rng)
        birth = self.today - dt.timedelta(days=self.rng.randint(18 * 365, 45 * 365))
        return _Person(
            None,
            _name(self.rng),
            kind,
            self.rng.choice(("female", "male")),
            birth,
            _KIND_JOBS[kind],
            None,
            "student" if kind == "student" else "other",
            None,
        )

    def _who(self, department_id: int) -> _Person:
        if not self.staff or self.rng.random() < 0.03:
            return self._typed_in()
        job = _JOBS(self.rng)
        local = self.by_department_job.get((department_id, job))
        if local and self.rng.random() < 0.6:
            return self.rng.choice(local)
        pool = self.by_job.get(job) or self.staff
        return self.rng.choice(pool)

    def row(self) -> dict[str, Any]:
        rng = self.rng
        location, department_id = self._where()
        person = self._who(department_id)
        first = max(self.first, person.hire) if person.hire else self.first
        day = _day(rng, first, self.last)
        hour = int(_HOURS(rng))
        occurred = dt.datetime.combine(day, dt.time(hour, rng.randrange(60)))
        latest = dt.datetime.combine(self.today, dt.time())
        reported = min(occurred + dt.timedelta(hours=_delay_hours(rng)), latest)
        reported = max(reported.replace(second=0, microsecond=0), occurred)
        kind = _TYPES(rng)
        values: dict[str, Any] = dict.fromkeys(EDITABLE)
        values |= {
            "worker_id": person.id,
            "worker_kind": person.kind,
            "worker_name": person.name,
            "job_category": person.job,
            "employment_type": person.employment,
            "home_department_id": person.department_id,
            "sex": person.sex,
            "age": age_at(person.birth, day),
            "years_in_post": years_between(person.hire, day) if person.kind == "staff" else None,
            "occurred_at": occurred,
            "reported_at": reported,
            "department_id": department_id,
            "location_type": location,
            "exposure_type": kind,
            "device_brand": "",
            "barrier_garments": "",
            "source_reference": "",
            "description": rng.choice(_DESCRIPTIONS[kind]),
        }
        if kind == "percutaneous":
            _sharps(rng, values, person.job)
        elif kind in rules.FLUID_TYPES_OF_EXPOSURE:
            _fluids(rng, values)
        elif kind == "bite":
            values["body_site"] = _BITE_SITES(rng)
        else:
            values["body_site"] = _SKIN_SITES(rng)
        _source(rng, values, self.today)
        _grade(rng, values)
        status = _status(rng, (self.today - day).days)
        values["status"] = status
        values["outcome"] = _outcome(rng, status)
        if status == "reported":  # a quick report the office has not completed yet
            _blank(values, [name for name in EDITABLE if name not in _QUICK_FIELDS])
        elif status != "closed" and rng.random() < 0.05:
            _blank(values, rng.sample(_DROPPABLE, rng.randint(1, 3)))
        return values

    def finish(self, values: dict[str, Any], reference: tuple[int, int]) -> dict[str, Any]:
        """Add what the service would compute: the number, completeness, bookkeeping."""
        rng = self.rng
        missing = rules.missing_fields(values)
        year, seq = reference
        reported: dt.datetime = values["reported_at"]
        by_reporter = self.reporters and rng.random() < 0.3
        stamp = reported - dt.timedelta(hours=8)  # stored in UTC; Beijing is UTC+8
        return values | {
            "uuid": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
            "reference": format_reference(year, seq),
            "ref_year": year,
            "ref_seq": seq,
            "incomplete": bool(missing),
            "missing": " ".join(missing),
            "reported_by": rng.choice(self.reporters if by_reporter else self.officers),
            "created_at": stamp,
            "updated_at": stamp,
            "completed_at": None if values["status"] == "reported" else stamp,
            "hours_to_report": rules.hours_between(values["occurred_at"], reported),
            "version": 1,
        }


def _people(session: Session) -> list[_Person]:
    rows = session.execute(
        select(
            Worker.id,
            Worker.name,
            Worker.sex,
            Worker.birth_date,
            Worker.job_category,
            Worker.department_id,
            Worker.employment_type,
            Worker.hire_date,
        )
    ).all()
    return [_Person(r[0], r[1], "staff", r[2], r[3], r[4], r[5], r[6], r[7]) for r in rows]


def build_rows(
    rng: random.Random,
    count: int,
    today: dt.date,
    people: Sequence[_Person],
    departments: Sequence[tuple[int, str]],
    *,
    reporters: Sequence[str] = (),
    officers: Sequence[str] = (),
    last_seq: dict[int, int] | None = None,
) -> list[dict[str, Any]]:
    """``count`` rows ready for INSERT, numbered in date order after ``last_seq`` per year."""
    if not departments or count <= 0:
        return []
    builder = _Builder(rng, today, people, departments, reporters, officers)
    drawn = sorted((builder.row() for _ in range(count)), key=lambda v: v["occurred_at"])
    counters = dict(last_seq or {})
    rows = []
    for values in drawn:
        year = values["occurred_at"].year
        counters[year] = counters.get(year, 0) + 1
        rows.append(builder.finish(values, (year, counters[year])))
    return rows


def _sqlite_value(value: object) -> object:
    """What SQLAlchemy's SQLite types would store (same text, so comparisons stay right)."""
    if isinstance(value, dt.datetime):
        return value.isoformat(" ", timespec="microseconds")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool):
        return int(value)
    return value


def _bulk_insert(session: Session, rows: list[dict[str, Any]]) -> None:
    """Insert through the driver: Core's per-row processing would triple the time at 100k rows.
    SQLite gets ``executemany`` with values as SQLAlchemy's SQLite types store them; PostgreSQL
    gets COPY; any other backend goes through Core."""
    if not rows:
        return
    columns = list(rows[0])
    known = set(Exposure.__table__.columns.keys())
    assert set(columns) <= known, set(columns) - known  # the SQL below names model columns only
    names = ", ".join(columns)
    connection = session.connection()
    dialect = connection.dialect.name
    if dialect not in {"sqlite", "postgresql"}:
        for start in range(0, len(rows), BATCH):
            session.execute(insert(Exposure), rows[start : start + BATCH])
        return
    cursor = connection.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        if dialect == "postgresql":
            with cursor.copy(f"COPY exposure ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row([row[c] for c in columns])
            return
        statement = f"INSERT INTO exposure ({names}) VALUES ({', '.join('?' * len(columns))})"
        for start in range(0, len(rows), BATCH):
            batch = rows[start : start + BATCH]
            cursor.executemany(statement, [[_sqlite_value(r[c]) for c in columns] for r in batch])
    finally:
        cursor.close()


def generate(session: Session, rng: random.Random, count: int, today: dt.date) -> int:
    """Add ``count`` exposures over the last three years; return how many were added.

    Runs in the caller's transaction; the caller audits the whole demo build (``demo.build``
    records one event with the counts)."""
    departments = [tuple(r) for r in session.execute(select(Department.id, Department.type))]
    users = session.execute(select(User.username, User.role).where(User.active.is_(True))).all()
    last_seq: dict[int, int] = {
        year: top
        for year, top in session.execute(
            select(Exposure.ref_year, func.max(Exposure.ref_seq)).group_by(Exposure.ref_year)
        )
    }
    rows = build_rows(
        rng,
        count,
        today,
        _people(session),
        departments,  # type: ignore[arg-type]
        reporters=[u for u, role in users if role == "reporter"],
        officers=[u for u, role in users if role in {"osh_officer", "admin"}],
        last_seq=last_seq,
    )
    _bulk_insert(session, rows)
    return len(rows)
