"""The bilingual data dictionary of the exchange package (``docs/exchange.md``).

EXCHANGE.md asks the project to keep a data dictionary in step with the contract, in Chinese and
English. It is generated from the contract's own definitions (``exchange.layout``) and the code
lists of ``domain``, so it cannot drift: a test regenerates it and compares it with the committed
file (``python tools/exchange_dictionary.py`` rewrites it).
"""

from __future__ import annotations

import gettext
from collections.abc import Iterable
from dataclasses import dataclass

from hospital_osh.domain import codes, exposure_codes, hazards, immunity, metrics, pep_course
from hospital_osh.domain.actions import ACTION_STATUSES, COST_CATEGORIES, SOURCE_KINDS
from hospital_osh.domain.followup import FOLLOWUP_STATUSES
from hospital_osh.domain.protocol_vocab import FOLLOWUP_ITEMS
from hospital_osh.domain.risk_matrix import load_matrix
from hospital_osh.exchange import layout
from hospital_osh.i18n import DOMAIN, N_
from hospital_osh.paths import resource


@dataclass(frozen=True)
class Column:
    """One column: what it means in both languages and where its values come from."""

    en: str
    zh: str
    values: str = ""  # the name of a code list below, or a short description of the format


_VALUE_FORMATS = {
    "date": ("ISO date, e.g. 2026-03-01", "ISO 日期，如 2026-03-01"),
    "datetime": (
        "local date-time without zone, e.g. 2026-03-01T14:30",
        "本地日期时间（不含时区），如 2026-03-01T14:30",
    ),
    "uuid": ("UUID", "UUID"),
    "count": ("whole number", "整数"),
    "number": ("decimal number", "数值"),
    "pseudonym": (
        "16 hex characters: HMAC-SHA256(hospital secret, staff number)",
        "16 位十六进制：HMAC-SHA256（医院密钥，工号）",
    ),
    "text": ("code given by the hospital", "医院自定代码"),
}

_EXPOSURES = {
    "uuid": Column(
        "record identifier; re-importing never duplicates", "记录标识；重复导入不会重复", "uuid"
    ),
    "hospital_code": Column("facility code of the hospital", "医院机构代码", "text"),
    "occurred_at": Column("when the exposure happened", "暴露发生时间", "datetime"),
    "reported_at": Column("when it was reported", "报告时间", "datetime"),
    "exposure_type": Column("type of exposure", "暴露类型", "exposure_type"),
    "department_type": Column(
        "type of the department where it happened", "发生科室类型", "department_type"
    ),
    "location_type": Column("where it happened (EPINet)", "发生地点（EPINet）", "location_type"),
    "job_category": Column("the worker's job category", "职业类别", "job_category"),
    "employment_type": Column("the worker's employment type", "用工形式", "employment_type"),
    "sex": Column("the worker's sex", "性别", "sex"),
    "age_band": Column("age at the exposure, in bands", "暴露时年龄段", "age_band"),
    "tenure_band": Column("years in post, in bands", "工作年限段", "tenure_band"),
    "device_type": Column("the device that caused the injury", "致伤器具", "device_type"),
    "device_safety_engineered": Column(
        "was it a safety-engineered device", "是否为安全型器具", "yes_no_unknown"
    ),
    "safety_activated": Column(
        "was the safety feature activated", "安全装置是否启用", "safety_activated"
    ),
    "purpose": Column("what the device was used for", "器具原用途", "purpose"),
    "circumstance": Column("when and how the injury happened", "受伤时的情形", "circumstance"),
    "body_site": Column("where on the body", "受伤部位", "body_site"),
    "depth": Column("depth of the injury", "伤口深度", "depth"),
    "gloves": Column("gloves worn", "是否戴手套", "gloves"),
    "fluid_type": Column("blood or body fluid involved", "血液或体液类型", "fluid_type"),
    "contact_duration": Column("how long the contact lasted", "接触时间", "contact_duration"),
    "contact_volume": Column("how much fluid", "接触量", "contact_volume"),
    "source_identified": Column("was the source patient identified", "源患者是否明确", "yes_no"),
    "source_hbsag": Column("source HBsAg", "源患者 HBsAg", "test_result"),
    "source_anti_hcv": Column("source anti-HCV", "源患者抗-HCV", "test_result"),
    "source_hcv_rna": Column("source HCV RNA", "源患者 HCV RNA", "test_result"),
    "source_hiv": Column("source HIV", "源患者 HIV", "test_result"),
    "worker_hbv_status": Column(
        "the worker's hepatitis B immunity", "职工乙肝免疫状态", "hbv_status"
    ),
    "worker_anti_hbs_miu": Column(
        "the worker's anti-HBs (mIU/mL) at the exposure", "暴露时抗-HBs（mIU/mL）", "number"
    ),
    "hbig_given": Column("hepatitis B immunoglobulin given", "是否注射乙肝免疫球蛋白", "yes_no"),
    "hbv_vaccine_given": Column("hepatitis B vaccine given", "是否接种乙肝疫苗", "yes_no"),
    "hiv_pep_started": Column(
        "HIV post-exposure prophylaxis started", "是否开始 HIV 暴露后预防用药", "yes_no"
    ),
    "hiv_pep_started_at": Column("when HIV PEP started", "HIV 预防用药开始时间", "datetime"),
    "hiv_pep_completed": Column(
        "HIV PEP course completed", "HIV 预防用药是否完成疗程", "pep_completed"
    ),
    "outcome": Column("outcome of the follow-up", "随访结局", "outcome"),
    "status": Column("status of the record", "记录状态", "exposure_status"),
    "worker_key": Column("pseudonym of the worker", "职工假名", "pseudonym"),
}

_FOLLOWUPS = {
    "exposure_uuid": Column("the exposure this test belongs to", "所属暴露记录", "uuid"),
    "test": Column("test or visit", "检测或随访项目", "followup_test"),
    "due_date": Column("when it is due", "应检日期", "date"),
    "done_date": Column("when it was done", "实际完成日期", "date"),
    "status": Column("status", "状态", "followup_status"),
    "result": Column(
        "positive, negative, indeterminate, a number for anti-HBs, or empty",
        "阳性、阴性、不确定、抗-HBs 数值或空",
    ),
}

_HAZARDS = {
    "hospital_code": Column("facility code of the hospital", "医院机构代码", "text"),
    "uuid": Column("hazard identifier", "危害标识", "uuid"),
    "department_type": Column("type of the department", "科室类型", "department_type"),
    "category": Column("hazard category", "危害类别", "hazard_category"),
    "statutory_factor_code": Column(
        "statutory occupational hazard factor", "职业病危害因素", "statutory_factor"
    ),
    "status": Column("status of the entry", "条目状态", "hazard_status"),
    "assessed_on": Column("date of the latest assessment", "最近评估日期", "date"),
    "initial_level": Column("risk level before further controls", "初始风险等级", "risk_level"),
    "residual_level": Column("risk level after verified controls", "剩余风险等级", "risk_level"),
    "current_level": Column("risk level in force", "当前风险等级", "risk_level"),
    "next_review_on": Column("next review date", "下次复评日期", "date"),
    "review_overdue": Column("review overdue at the period's end", "期末是否逾期未复评", "yes_no"),
    "exposed_female": Column("number of women exposed", "接触女性人数", "count"),
    "exposed_male": Column("number of men exposed", "接触男性人数", "count"),
    "reproductive_hazard": Column("reproductive hazard", "是否为生殖危害", "yes_no"),
}

_ACTIONS = {
    "hospital_code": Column("facility code of the hospital", "医院机构代码", "text"),
    "uuid": Column("action item identifier", "改进措施标识", "uuid"),
    "department_type": Column("type of the department", "科室类型", "department_type"),
    "source_kind": Column("where the item came from", "措施来源", "action_source"),
    "hierarchy_level": Column(
        "level in the hierarchy of controls", "控制措施层级", "hierarchy_level"
    ),
    "status": Column("status", "状态", "action_status"),
    "created_on": Column("date created", "创建日期", "date"),
    "due_date": Column("due date", "截止日期", "date"),
    "overdue": Column("overdue at the period's end", "期末是否逾期", "yes_no"),
    "verified_on": Column("date verified", "验证日期", "date"),
    "gender_relevant": Column("addresses a gender-specific need", "是否涉及性别特定需求", "yes_no"),
    "cost_category": Column("cost category", "费用类别", "cost_category"),
}

FILES: tuple[tuple[str, tuple[str, ...], dict[str, Column]], ...] = (
    (layout.EXPOSURES, layout.EXPOSURE_COLUMNS, _EXPOSURES),
    (layout.FOLLOWUPS, layout.FOLLOWUP_COLUMNS, _FOLLOWUPS),
    (layout.HAZARDS, layout.HAZARD_COLUMNS, _HAZARDS),
    (layout.ACTIONS, layout.ACTION_COLUMNS, _ACTIONS),
)


_PEP_COMPLETION = codes.code_list(
    "pep_completed",
    (pep_course.PepCompletion.YES, N_("Yes")),
    (pep_course.PepCompletion.NO, N_("No")),
    (pep_course.PepCompletion.ONGOING, N_("Ongoing")),
)


def _bands(name: str, bands: Iterable[tuple[str, float, float]]) -> codes.CodeList:
    return codes.CodeList(name, tuple(codes.Code(band, band) for band, _low, _high in bands))


def _risk_levels() -> codes.CodeList:
    """Level codes of every shipped matrix (the package uses the one the hospital chose)."""
    entries: dict[str, codes.Code] = {}
    for file in ("china_4_colour.json", "three_band.json"):
        matrix = load_matrix(resource("risk_matrices", file).read_text("utf-8"), file)
        for level in matrix.levels:
            zh_name = {"zh": level.name.text("zh_CN")}
            entries.setdefault(level.code, codes.Code(level.code, level.name.text("en"), zh_name))
    return codes.CodeList("risk_level", tuple(entries.values()))


def _statutory_factors() -> list[tuple[str, str, str]]:
    text = resource("hazards", "statutory_factors.json").read_text("utf-8")
    catalogue = hazards.load_statutory_catalogue(text)
    return [(f.code, f.name.text("en"), f.name.text("zh_CN")) for f in catalogue.factors]


def code_lists() -> dict[str, codes.CodeList]:
    """Every code list a column refers to, by the name the columns use."""
    return {
        "exposure_type": exposure_codes.EXPOSURE_TYPES,
        "department_type": codes.DEPARTMENT_TYPES,
        "location_type": exposure_codes.LOCATION_TYPES,
        "job_category": codes.JOB_CATEGORIES,
        "employment_type": codes.EMPLOYMENT_TYPES,
        "sex": codes.SEXES,
        "age_band": _bands("age_band", metrics.AGE_BANDS),
        "tenure_band": _bands("tenure_band", metrics.TENURE_BANDS),
        "device_type": exposure_codes.DEVICE_TYPES,
        "yes_no_unknown": exposure_codes.YES_NO_UNKNOWN,
        "safety_activated": exposure_codes.SAFETY_ACTIVATED,
        "purpose": exposure_codes.PURPOSES,
        "circumstance": exposure_codes.CIRCUMSTANCES,
        "body_site": exposure_codes.BODY_SITES,
        "depth": exposure_codes.DEPTHS,
        "gloves": exposure_codes.GLOVES,
        "fluid_type": exposure_codes.FLUID_TYPES,
        "contact_duration": exposure_codes.CONTACT_DURATIONS,
        "contact_volume": exposure_codes.CONTACT_VOLUMES,
        "yes_no": exposure_codes.YES_NO,
        "test_result": exposure_codes.TEST_RESULTS,
        "hbv_status": immunity.HBV_STATUSES,
        "pep_completed": _PEP_COMPLETION,
        "outcome": exposure_codes.OUTCOMES,
        "exposure_status": exposure_codes.STATUSES,
        "followup_test": FOLLOWUP_ITEMS,
        "followup_status": FOLLOWUP_STATUSES,
        "hazard_category": hazards.CATEGORIES,
        "hazard_status": hazards.STATUSES,
        "risk_level": _risk_levels(),
        "action_source": SOURCE_KINDS,
        "hierarchy_level": hazards.HIERARCHY_LEVELS,
        "action_status": ACTION_STATUSES,
        "cost_category": COST_CATEGORIES,
    }


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render() -> str:
    """The whole dictionary as Markdown (deterministic: same code, same text)."""
    zh = gettext.translation(DOMAIN, str(resource("locale")), languages=["zh_CN"]).gettext
    lists = code_lists()
    lines = [
        "# Exchange package data dictionary / 数据交换包数据字典",
        "",
        "Generated by `python tools/exchange_dictionary.py` from the code; do not edit by hand. "
        "The contract is `design/EXCHANGE.md`; "
        f"this is format version {layout.FORMAT_VERSION} (`{layout.FORMAT}`).",
        "",
        "本文件由 `python tools/exchange_dictionary.py` 根据程序代码生成，请勿手工修改。"
        f"交换格式版本 {layout.FORMAT_VERSION}（`{layout.FORMAT}`）。",
        "",
        "CSV: UTF-8 with BOM, comma-separated, header row; empty cell = unknown. "
        "CSV：UTF-8（带 BOM），逗号分隔，首行为列名；空单元格表示未知。",
        "",
    ]
    for file, order, columns in FILES:
        lines += [
            f"## `{file}`",
            "",
            "| column 列 | meaning | 含义 | values 取值 |",
            "|---|---|---|---|",
        ]
        for name in order:
            column = columns[name]
            if column.values in lists:
                values = f"[{column.values}](#{column.values.replace('_', '-')})"
            elif column.values == "statutory_factor":
                values = "[statutory-factor](#statutory-factor)"
            elif column.values in _VALUE_FORMATS:
                values = " / ".join(_VALUE_FORMATS[column.values])
            else:
                values = ""
            lines.append(f"| `{name}` | {_cell(column.en)} | {_cell(column.zh)} | {values} |")
        lines.append("")
    lines += ["## Code lists / 代码表", ""]
    used = sorted({c.values for _f, _o, cols in FILES for c in cols.values() if c.values in lists})
    for name in used:
        lines += [
            f"### {name.replace('_', '-')}",
            "",
            "| code 代码 | English | 中文 |",
            "|---|---|---|",
        ]
        for entry in lists[name]:
            chinese = entry.extra.get("zh") or zh(entry.label)
            lines.append(f"| `{entry.code}` | {_cell(entry.label)} | {_cell(chinese)} |")
        lines.append("")
    lines += ["### statutory-factor", "", "| code 代码 | English | 中文 |", "|---|---|---|"]
    lines += [
        f"| `{code}` | {_cell(en)} | {_cell(zh_name)} |"
        for code, en, zh_name in _statutory_factors()
    ]
    lines.append("")
    return "\n".join(lines)
