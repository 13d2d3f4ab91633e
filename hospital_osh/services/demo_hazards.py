"""A realistic hazard register for the demo hospital, inserted in bulk.

The entries follow the hospital hazards of domain/healthwise.md c.1-c.4: cytotoxic drug
preparation and administration, waste anaesthetic gases, glutaraldehyde, ethylene oxide and
formaldehyde, radiology and interventional radiology, patient handling, violence in the emergency
department, night shifts, sharps, tuberculosis, and more. Texts are in Chinese, as the demo
hospital would write them. Scores, dates and acceptances vary with the seed; some reviews are
overdue, some red or orange risks rest only on administrative controls and PPE (so the warning
shows), some residual risks await acceptance.

``count`` beyond the templates repeats them across floors and rooms with varied scores, so
benchmarks can ask for thousands of hazards; everything stays deterministic by seed and day.
"""

from __future__ import annotations

import datetime as dt
import random
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from hospital_osh.domain import hazards as rules
from hospital_osh.domain.risk_matrix import DEFAULT_MATRIX
from hospital_osh.models import Department, Hazard, HazardAssessment, HazardControl
from hospital_osh.services.hazards import format_reference, shipped_matrix

BATCH = 2000
ASSESSORS = ("李静、赵敏", "李静、王磊", "赵敏、陈晓", "李静")
APPROVER = "职业卫生管理办公室"
SENIOR = ("孙明", "hospital_leader")  # the vice-president in charge of safety


@dataclass(frozen=True)
class _Template:
    department: str
    location: str
    activity: str
    agent: str
    category: str
    factor: str | None
    jobs: tuple[str, ...]
    exposed: tuple[int, int]  # women, men
    harm: str
    method: str
    controls: tuple[tuple[str, str], ...]
    initial: tuple[int, int]
    residual: tuple[int, int] | None
    owner: str
    vulnerable: tuple[str, ...] = ()
    reproductive: bool = False
    legal: str = ""
    monitoring: tuple[float, str, float] | None = None  # value, unit, limit


_T = _Template
TEMPLATES: tuple[_Template, ...] = (
    _T("PIVAS", "门诊楼负一层 配置间", "细胞毒性药物配置", "环磷酰胺、氟尿嘧啶、顺铂", "chemical",
       None, ("pharmacist", "nurse"), (14, 3), "致癌、生殖毒性、皮肤黏膜刺激", "walk_through",
       (("II级生物安全柜（B2型）", "engineering"), ("密闭式药物转移装置", "engineering"),
        ("化疗防护服、双层手套", "ppe")),
       (4, 4), (2, 4), "药剂科 周主任", ("pregnant_breastfeeding",), True,
       "女职工劳动保护特别规定（2012）附录"),
    _T("ONC", "住院部8楼 肿瘤科病区", "化疗给药及患者排泄物处理", "抗肿瘤药物", "chemical",
       None, ("nurse", "caregiver"), (22, 1), "生殖毒性、皮肤接触吸收", "healthwise",
       (("化疗给药操作规程", "administrative"), ("化疗专用手套、隔离衣", "ppe")),
       (4, 4), (3, 4), "肿瘤科 何主任", ("pregnant_breastfeeding", "young_new"), True),
    _T("OR", "手术室 1-12间", "吸入麻醉", "七氟烷、一氧化二氮", "chemical", "chem.nitrous_oxide",
       ("doctor", "nurse"), (30, 18), "头痛、疲劳，孕期不良妊娠结局", "monitoring",
       (("麻醉废气排放系统", "engineering"), ("每日麻醉机回路泄漏检查", "administrative")),
       (4, 3), (2, 3), "麻醉科 吴主任", ("pregnant_breastfeeding",), True,
       "女职工劳动保护特别规定（2012）附录"),
    _T("ANES", "麻醉复苏室", "复苏期患者呼出麻醉气体", "七氟烷", "chemical", None,
       ("nurse", "doctor"), (9, 2), "头痛、恶心", "complaint",
       (("加强全面通风（每小时换气12次）", "engineering"),),
       (3, 3), (3, 2), "麻醉科 吴主任"),
    _T("OPD", "门诊楼3楼 内镜中心", "内镜手工清洗消毒", "戊二醛", "chemical", "chem.glutaraldehyde",
       ("nurse", "cleaner"), (8, 1), "哮喘、接触性皮炎、眼刺激", "walk_through",
       (("改用过氧乙酸全自动内镜清洗消毒机", "substitution"), ("局部排风罩", "engineering"),
        ("防护眼罩、丁腈手套", "ppe")),
       (4, 3), (2, 3), "门诊部 郑主任"),
    _T("CSSD", "消毒供应中心 灭菌区", "环氧乙烷低温灭菌", "环氧乙烷", "chemical",
       "chem.ethylene_oxide", ("nurse", "other"), (6, 2), "致癌、生殖毒性、急性中毒",
       "walk_through",
       (("独立灭菌间及专用排风", "engineering"), ("环氧乙烷泄漏报警器", "engineering"),
        ("灭菌后充分解析再开门", "administrative")),
       (3, 5), (2, 5), "消毒供应中心 冯护士长", ("pregnant_breastfeeding",), True,
       "女职工劳动保护特别规定（2012）附录", (0.4, "mg/m³", 2.0)),
    _T("PATH", "病理科 取材室", "标本取材与固定", "甲醛", "chemical", "chem.formaldehyde",
       ("doctor", "lab_technician"), (5, 4), "呼吸道刺激、致敏、致癌", "monitoring",
       (("取材台下吸式局部排风", "engineering"), ("防护面罩、丁腈手套", "ppe")),
       (4, 4), (3, 3), "病理科 钱主任", ("pregnant_breastfeeding",), True,
       "GBZ 2.1-2019 甲醛 MAC 0.5 mg/m³", (0.62, "mg/m³", 0.5)),
    _T("RAD", "放射科 DR及CT机房", "X射线摄影与CT检查", "X射线", "ionising_radiation",
       "rad.x_ray", ("imaging_technician", "doctor"), (10, 14), "随机性效应、眼晶状体损伤",
       "monitoring",
       (("机房屏蔽及门机联锁", "engineering"), ("个人剂量监测", "administrative"),
        ("铅橡胶围裙", "ppe")),
       (2, 4), (1, 4), "放射科 冯主任", ("pregnant_breastfeeding",), True,
       "GB 18871-2002 职业照射剂量限值", (1.2, "mSv/a", 20.0)),
    _T("RAD", "介入手术室（DSA）", "介入放射诊疗", "X射线（近台操作）", "ionising_radiation",
       "rad.x_ray", ("doctor", "nurse", "imaging_technician"), (6, 12),
       "眼晶状体混浊、皮肤损伤、随机性效应", "walk_through",
       (("床下铅帘及悬吊铅屏", "engineering"), ("铅衣、铅围脖、铅眼镜", "ppe"),
        ("双剂量计监测", "administrative")),
       (4, 4), (3, 4), "放射科 冯主任", ("pregnant_breastfeeding",), True,
       "GB 18871-2002", (8.5, "mSv/a", 20.0)),
    _T("NM", "核医学科 分装室", "放射性药物分装与注射", "非密封放射性物质（99mTc、18F）",
       "ionising_radiation", "rad.unsealed_source", ("nurse", "imaging_technician"), (4, 3),
       "内照射、外照射", "walk_through",
       (("自动分装仪与铅屏通风橱", "engineering"), ("注射防护套", "ppe")),
       (3, 4), (2, 4), "核医学科 褚主任", ("pregnant_breastfeeding",), True),
    _T("ICU", "重症医学科 全病区", "患者翻身、移位和搬运", "人工搬运患者", "ergonomic", None,
       ("nurse", "caregiver"), (38, 6), "腰背痛、肌肉骨骼疾患", "healthwise",
       (("天轨移位系统（4床）", "engineering"), ("移位滑板", "engineering"),
        ("双人操作规程", "administrative")),
       (5, 3), (4, 3), "重症医学科 卫护士长", ("young_new",)),
    _T("ORTH", "住院部5楼 骨科病区", "术后患者移位与搬运", "人工搬运患者", "ergonomic", None,
       ("nurse", "caregiver", "porter"), (24, 4), "腰背痛、肌肉骨骼疾患", "incident",
       (("安全搬运培训", "administrative"), ("护腰带", "ppe")),
       (5, 3), (4, 3), "骨科 蒋护士长", ("young_new",)),
    _T("OR", "手术室", "长时间站立手术", "静态站姿", "ergonomic", None, ("doctor", "nurse"),
       (30, 20), "下肢静脉曲张、腰背痛", "consultation",
       (("防疲劳地垫", "engineering"), ("长时间手术轮换", "administrative")),
       (4, 2), (3, 2), "手术室 沈护士长"),
    _T("ED", "急诊科 分诊台及抢救室", "接诊与抢救", "患者及家属的暴力行为", "psychosocial", None,
       ("nurse", "doctor", "porter"), (26, 17), "身体伤害、心理创伤、职业倦怠", "incident",
       (("保安驻点及一键报警系统", "engineering"), ("入口安检", "administrative"),
        ("冲突降级培训", "administrative")),
       (5, 4), (4, 4), "急诊科 韩主任", (), False,
       "关于推进医院安全秩序管理工作的指导意见（国卫医发〔2021〕28号）"),
    _T("ED", "急诊科", "夜班及连续值班", "轮班工作", "psychosocial", None, ("nurse", "doctor"),
       (26, 17), "睡眠障碍、疲劳相关差错", "consultation",
       (("排班规则：夜班后休息不少于24小时", "administrative"),),
       (4, 3), (4, 2), "急诊科 韩主任", ("pregnant_breastfeeding",)),
    _T("IM", "住院部3-4楼 内科病区", "夜班护理", "轮班工作、人员不足", "psychosocial", None,
       ("nurse",), (48, 2), "疲劳、职业倦怠", "healthwise",
       (("弹性排班", "administrative"), ("夜班休息室", "administrative")),
       (5, 2), (5, 2), "内科 杨护士长", ("pregnant_breastfeeding", "young_new")),
    _T("SUR", "住院部6楼 外科病区", "静脉穿刺、注射及采血", "锐器（血源性病原体）", "biological",
       "bio.hiv", ("nurse", "student_intern"), (35, 5), "乙肝、丙肝、艾滋病感染", "incident",
       (("安全型留置针和注射器", "engineering"), ("床旁锐器盒", "engineering"),
        ("禁止双手回套针帽", "administrative")),
       (4, 4), (3, 3), "外科 朱护士长", ("young_new",), False,
       "GBZ/T 213-2008 血源性病原体职业接触防护导则"),
    _T("OR", "手术室", "手术缝合及器械传递", "缝针、手术刀（血源性病原体）", "biological",
       "bio.hiv",
       ("doctor", "nurse"), (30, 20), "乙肝、丙肝、艾滋病感染", "incident",
       (("无接触传递（中立区）", "administrative"), ("双层手套", "ppe")),
       (4, 4), (3, 4), "手术室 沈护士长", (), False, "GBZ/T 213-2008"),
    _T("INF", "感染科 呼吸道病区", "疑似及确诊结核病患者诊疗", "结核分枝杆菌（空气传播）",
       "biological", None, ("nurse", "doctor"), (15, 8), "潜伏性及活动性结核感染", "walk_through",
       (("负压病房", "engineering"), ("医用防护口罩（N95）适合性检验", "ppe"),
        ("员工结核筛查", "administrative")),
       (4, 4), (2, 4), "感染科 秦主任", ("health_conditions",)),
    _T("LAB", "检验科 微生物室", "标本接收与处理", "血液及体液标本", "biological", None,
       ("lab_technician",), (12, 5), "血源性及空气传播感染", "walk_through",
       (("II级生物安全柜", "engineering"), ("标本转运密封箱", "engineering")),
       (3, 4), (2, 3), "检验科 尤主任"),
    _T("HD", "血液净化中心", "上下机操作", "血液（乙肝、丙肝）", "biological", None, ("nurse",),
       (18, 2), "血源性病原体感染", "healthwise",
       (("乙肝阳性患者专区专机", "administrative"), ("面屏、手套", "ppe")),
       (3, 4), (2, 4), "血液净化中心 许护士长"),
    _T("DEN", "口腔科 诊室", "口腔诊疗（高速手机）", "飞沫与气溶胶", "biological", None,
       ("dentist", "nurse"), (9, 5), "呼吸道感染", "walk_through",
       (("强力吸引器", "engineering"), ("防护面屏、口罩", "ppe")),
       (4, 3), (2, 3), "口腔科 何主任"),
    _T("DEN", "口腔科 诊室", "银汞合金充填与去除", "汞", "chemical", "chem.mercury",
       ("dentist", "nurse"), (9, 5), "汞中毒", "walk_through",
       (("改用复合树脂材料", "substitution"),), (2, 3), (1, 3), "口腔科 何主任",
       ("pregnant_breastfeeding",), True),
    _T("ENV", "各病区 污物间", "含氯消毒剂配制", "含氯消毒剂", "chemical", "chem.chlorine",
       ("cleaner",), (20, 6), "呼吸道刺激、灼伤", "complaint",
       (("定量配比装置", "engineering"), ("防护眼罩、手套", "ppe")),
       (3, 2), (2, 2), "保洁服务中心 施经理"),
    _T("CSSD", "消毒供应中心 去污区", "器械清洗", "噪声", "physical", "phys.noise",
       ("nurse", "other"), (6, 2), "噪声性听力损失", "monitoring",
       (("超声清洗机隔声罩", "engineering"),), (3, 2), (2, 2), "消毒供应中心 冯护士长",
       (), False, "GBZ 2.2-2007", (82.0, "dB(A)", 85.0)),
    _T("LOG", "洗衣房", "洗涤熨烫", "高温", "physical", "phys.heat", ("other",), (8, 4),
       "中暑、热疲劳", "walk_through",
       (("局部送风降温", "engineering"), ("高温时段轮换", "administrative")),
       (3, 2), (2, 2), "后勤保障部 张经理"),
    _T("LOG", "氧气站及各病区", "医用氧气钢瓶搬运与更换", "高压气瓶", "safety", None,
       ("porter",), (0, 9), "砸伤、爆炸", "walk_through",
       (("钢瓶专用推车", "engineering"), ("气瓶固定链", "engineering")),
       (2, 4), (2, 3), "后勤保障部 张经理"),
    _T("OR", "手术室", "电外科及富氧环境下手术", "手术室火灾（酒精消毒剂、富氧）", "safety", None,
       ("doctor", "nurse"), (30, 20), "烧伤、死亡", "walk_through",
       (("消毒剂待干时间规程", "administrative"), ("手术室灭火器及演练", "administrative")),
       (2, 5), (2, 5), "手术室 沈护士长"),
    _T("IM", "各病区走廊", "湿式拖地及走廊通行", "地面湿滑", "safety", None,
       ("nurse", "cleaner", "caregiver"), (48, 4), "跌倒、骨折", "incident",
       (("防滑地砖", "engineering"), ("湿地警示牌", "administrative")),
       (3, 2), (2, 2), "内科 杨护士长"),
    _T("PED", "儿科 门急诊", "输液穿刺", "患儿家属的言语及身体暴力", "psychosocial", None,
       ("nurse",), (20, 1), "身体伤害、心理创伤", "complaint",
       (("冲突降级培训", "administrative"),), (4, 3), (3, 3), "儿科 陶护士长"),
    _T("IPC", "全院", "呼吸道传染病流行季诊疗", "流感病毒、新型冠状病毒", "biological", None,
       ("nurse", "doctor", "cleaner"), (400, 180), "呼吸道感染", "healthwise",
       (("员工流感疫苗接种", "administrative"), ("预检分诊", "administrative"),
        ("医用口罩", "ppe")),
       (4, 3), (3, 3), "医院感染管理科 曹科长"),
)  # fmt: skip
DEFAULT_COUNT = len(TEMPLATES)


def _jitter(rng: random.Random, value: int) -> int:
    return min(5, max(1, value + rng.choice((-1, 0, 0, 0, 1))))


def generate(session: Session, rng: random.Random, today: dt.date, count: int | None = None) -> int:
    """Insert ``count`` hazards (default: one per template) with controls and history."""
    count = DEFAULT_COUNT if count is None else count
    if count <= 0:
        return 0
    matrix = shipped_matrix(DEFAULT_MATRIX)
    departments = dict(session.execute(select(Department.code, Department.id)).all())
    usable = [t for t in TEMPLATES if t.department in departments]
    if not usable:
        return 0
    first = (session.scalar(select(func.max(Hazard.ref_seq))) or 0) + 1
    created = 0
    for start in range(0, count, BATCH):
        rows, extras = [], []
        for number in range(start, min(count, start + BATCH)):
            template = usable[number % len(usable)]
            copy = number // len(usable)
            row, controls, history = _row(rng, template, copy, first + number, today, matrix)
            row["department_id"] = departments[template.department]
            rows.append(row)
            extras.append((controls, history))
        session.execute(insert(Hazard), rows)
        ids = dict(
            session.execute(
                select(Hazard.ref_seq, Hazard.id).where(
                    Hazard.ref_seq.between(first + start, first + start + len(rows) - 1)
                )
            ).all()
        )
        control_rows: list[dict[str, Any]] = []
        history_rows: list[dict[str, Any]] = []
        for row, (controls, history) in zip(rows, extras, strict=True):
            hazard_id = ids[row["ref_seq"]]
            control_rows += [
                {"hazard_id": hazard_id, "position": i, "description": d, "hierarchy_level": h}
                for i, (d, h) in enumerate(controls)
            ]
            history_rows += [entry | {"hazard_id": hazard_id} for entry in history]
        if control_rows:
            session.execute(insert(HazardControl), control_rows)
        session.execute(insert(HazardAssessment), history_rows)
        created += len(rows)
    _further_controls(session, first, today)
    return created


# Further controls planned for some of the first hazards: (template activity, title, level,
# days until due, status). Created through the shared action tracker, so they show there too.
_FURTHER: tuple[tuple[str, str, str, int, str], ...] = (
    ("化疗给药及患者排泄物处理", "引进密闭式输液给药装置", "engineering", 60, "planned"),
    ("术后患者移位与搬运", "配置电动移位机两台", "engineering", -10, "in_progress"),
    ("接诊与抢救", "分诊台加装防护隔断", "engineering", 45, "approved"),
    ("夜班护理", "增配夜班护士并调整排班", "administrative", 90, "proposed"),
    ("手术缝合及器械传递", "推广安全型手术刀和钝头缝针", "substitution", 30, "planned"),
    ("标本取材与固定", "更换为下送风取材台", "engineering", -5, "planned"),
)


def _further_controls(session: Session, first: int, today: dt.date) -> None:
    from hospital_osh.services import actions
    from hospital_osh.services.context import SYSTEM

    found = {
        activity: (hazard_id, department_id, location, owner, reference)
        for hazard_id, activity, department_id, location, owner, reference in session.execute(
            select(
                Hazard.id,
                Hazard.activity,
                Hazard.department_id,
                Hazard.location,
                Hazard.owner,
                Hazard.reference,
            ).where(Hazard.ref_seq.between(first, first + len(TEMPLATES) - 1))
        ).all()
    }
    for activity, title, level, days, status in _FURTHER:
        if activity not in found:
            continue
        hazard_id, department_id, location, owner, reference = found[activity]
        info = actions.ActionInfo(
            title=title,
            department_id=department_id,
            location=location,
            owner_name=owner,
            due_date=today + dt.timedelta(days=days),
            hierarchy_level=level,
            source_kind="hazard",
            source_id=hazard_id,
            source_label=f"{reference} {activity}",
        )
        actions.insert_action(session, SYSTEM, info, status=status)


def _row(
    rng: random.Random,
    template: _Template,
    copy: int,
    seq: int,
    today: dt.date,
    matrix: Any,
) -> tuple[dict[str, Any], tuple[tuple[str, str], ...], list[dict[str, Any]]]:
    initial = template.initial
    residual = template.residual
    location = template.location
    if copy:  # a further room or floor with the same kind of work
        initial = (_jitter(rng, initial[0]), _jitter(rng, initial[1]))
        if residual is not None:
            residual = (min(initial[0], _jitter(rng, residual[0])), min(initial[1], residual[1]))
        location = f"{template.location} {copy + 1}号"
    current = residual or initial
    level = matrix.level(*current)
    # Most assessments are recent; about one in six is past its interval (overdue).
    overdue = rng.random() < 0.17
    days_back = (
        rng.randint(level.review_months * 31 + 5, level.review_months * 31 + 120)
        if overdue
        else rng.randint(3, max(4, level.review_months * 28 - 3))
    )
    assessed = today - dt.timedelta(days=days_back)
    next_review = rules.next_review(assessed, level)
    monitoring_value = monitoring_date = monitoring_limit = None
    unit = ""
    trigger = trigger_on = None
    if template.monitoring is not None:
        value, unit, monitoring_limit = template.monitoring
        monitoring_value = round(value * rng.uniform(0.85, 1.15), 2)
        monitoring_date = assessed + dt.timedelta(days=rng.randint(0, max(0, days_back - 1)))
        if monitoring_value > monitoring_limit:
            trigger, trigger_on = "monitoring_above_limit", monitoring_date
            next_review = min(next_review, monitoring_date)
    accepted_by, accepted_role, accepted_on = "", None, None
    if residual is not None:
        residual_level = matrix.level(*residual)
        if residual_level.needs_acceptance and rng.random() < 0.6:
            if residual_level.needs_senior:
                accepted_by, accepted_role = SENIOR
            else:
                accepted_by, accepted_role = template.owner, "department_head"
            accepted_on = assessed + dt.timedelta(days=rng.randint(0, 7))
            accepted_on = min(accepted_on, today)
    row = {
        "ref_seq": seq,
        "reference": format_reference(seq),
        "status": "active",
        "location": location,
        "activity": template.activity,
        "agent": template.agent,
        "category": template.category,
        "statutory_factor_code": template.factor,
        "description": "",
        "potential_harm": template.harm,
        "identification_method": template.method,
        "legal_reference": template.legal,
        "job_categories": " ".join(template.jobs),
        "exposed_female": template.exposed[0],
        "exposed_male": template.exposed[1],
        "vulnerable_groups": " ".join(template.vulnerable),
        "reproductive_hazard": template.reproductive,
        "monitoring_value": monitoring_value,
        "monitoring_unit": unit,
        "monitoring_limit": monitoring_limit,
        "monitoring_date": monitoring_date,
        "owner": template.owner,
        "assessors": rng.choice(ASSESSORS),
        "approver": APPROVER,
        "assessed_on": assessed,
        "initial_likelihood": initial[0],
        "initial_severity": initial[1],
        "residual_likelihood": residual[0] if residual else None,
        "residual_severity": residual[1] if residual else None,
        "residual_reason": "",
        "current_likelihood": current[0],
        "current_severity": current[1],
        "next_review_on": next_review,
        "review_trigger": trigger,
        "review_trigger_on": trigger_on,
        "review_trigger_note": "",
        "accepted_by": accepted_by,
        "accepted_role": accepted_role,
        "accepted_on": accepted_on,
        "acceptance_note": "",
        "retired_reason": "",
        "created_by": "system",
        "uuid": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
        "version": 1,
    }
    history = []
    if rng.random() < 0.35:  # an earlier round with higher scores, before controls improved
        earlier = assessed - dt.timedelta(days=rng.randint(180, 400))
        before = (min(5, initial[0] + 1), initial[1])
        history.append(_history("initial", earlier, before, None, matrix, str(row["assessors"])))
        history.append(
            _history("reassessment", assessed, initial, residual, matrix, str(row["assessors"]))
        )
    else:
        history.append(
            _history("initial", assessed, initial, residual, matrix, str(row["assessors"]))
        )
    return row, template.controls, history


def _history(
    kind: str,
    day: dt.date,
    initial: tuple[int, int],
    residual: tuple[int, int] | None,
    matrix: Any,
    assessors: str,
) -> dict[str, Any]:
    return {
        "kind": kind,
        "assessed_on": day,
        "assessors": assessors,
        "matrix_id": matrix.id,
        "initial_likelihood": initial[0],
        "initial_severity": initial[1],
        "initial_level": matrix.level(*initial).code,
        "residual_likelihood": residual[0] if residual else None,
        "residual_severity": residual[1] if residual else None,
        "residual_level": matrix.level(*residual).code if residual else None,
        "note": "",
        "recorded_by": "system",
        "recorded_at": dt.datetime.combine(day, dt.time(9, 0)),
    }
