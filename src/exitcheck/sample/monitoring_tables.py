"""A monitoring-era (2021+) county export as five tables (docs/dataset-model.md), with planted
problems and controls: the bundled sample `sample_data/monitoring_2023_tables/`.

The 防返贫监测信息系统 exports a county as several files: 监测对象信息 (one row per person, the
household fields repeated), 户信息 (one row per household), 已外出务工信息 and 计划外出务工信息
(one row per work spell) and 行政村信息 (one row per village). Values use the national code-list
spellings (患有大病, 农村低保, 高职高专一年级 …). Everything is drawn from a seeded numpy Generator,
so the same seed gives the same files byte for byte (the xlsx creation dates are fixed).

`write_monitoring_tables(folder, seed=2023)` writes the five xlsx files and `truth.json`:
{"problems": [...], "controls": [...]}, each entry {"rule", "household_id", "member_id", "kind",
"table"} (household_id null for a spell or village row that joins no household; "row" gives the
sheet row of a planted spell, "village" the village of a village-level entry; a control's rule is
the rule that must NOT report it).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np

from exitcheck.sample.idnumber import check_chars, make_bodies, to_strings, wrong_check_chars
from exitcheck.sample.vocab import COMMON_GIVEN, FEMALE_GIVEN, MALE_GIVEN, SURNAMES

YEAR = 2023
PROVINCE = "贵州省"
PREFECTURE = "黔西南布依族苗族自治州"
COUNTY = "册亨县"
COUNTY_CODE = "522327"
MONITORING_LINE = 7300.0
FILES = {
    "members": "监测对象信息.xlsx",
    "households": "户信息.xlsx",
    "work": "已外出务工信息.xlsx",
    "work_plan": "计划外出务工信息.xlsx",
    "village": "行政村信息.xlsx",
}
# (township, its villages): 8 villages with households.
PLACES = (
    ("者楼街道", ("纳福村", "坝佑村", "弼佑村")),
    ("丫他镇", ("板万村", "八达村", "岩架村")),
    ("巧马镇", ("沙坪村", "平安村")),
)
EXTRA_VILLAGE = ("巧马镇", "秧佑村")  # in 行政村信息 only: no household (DQ083)
UNLISTED_VILLAGE = ("巧马镇", "坡脚村")  # a household's village missing from 行政村信息 (DQ082)
ETHNIC = (("布依族", "汉族", "苗族"), (0.55, 0.30, 0.15))

MEMBER_COLUMNS = (
    "县", "乡镇", "村", "户编号", "人编号", "姓名", "性别", "证件号码", "与户主关系", "民族",
    "文化程度", "在校生状况", "健康状况", "劳动技能", "是否参加城乡居民基本医疗保险",
    "是否参加大病保险", "享受低保政策情况", "户类型", "监测对象类别", "识别监测时间",
    "风险是否已消除", "风险消除方式", "风险消除时间", "致贫返贫风险1", "因自然灾害子项",
    "风险消除后是否住房损毁", "风险消除后是否饮水设施损毁", "风险消除后是否有失学辍学",
    "风险消除后是否有未参加基本医疗保险", "人均纯收入", "纯收入", "工资性收入", "生产经营性收入",
    "财产性收入", "转移性收入", "生产经营性支出",
    "合规自付支出", "是否危房户", "是否解决安全饮用水",
    "是否参加城乡居民基本养老保险", "务工所在地",
)
HOUSEHOLD_COLUMNS = (
    "县", "乡镇", "村", "户编号", "家庭人口数", "耕地面积", "住房面积", "是否通生活用电",
    "林地面积", "退耕还林面积", "林果面积", "牧草地面积", "水面面积", "与村主干路距离",
    "入户道路是否硬化", "是否有卫生厕所", "产业帮扶",
    "就业帮扶", "健康帮扶", "教育帮扶", "综合保障",
    "实施开发式帮扶情况", "信息采集人",
)
WORK_COLUMNS = (
    "姓名", "证件号码", "人编号", "是否已务工", "务工开始时间", "务工结束时间", "务工所在县",
    "务工所在地", "务工月收入", "年度交通费补助", "务工企业名称", "所属行业", "就业渠道",
    "是否点对点输送",
)
PLAN_COLUMNS = ("姓名", "证件号码", "人编号", "是否计划外出务工", "务工所在县", "务工所在地",
                "就业服务需求")
VILLAGE_COLUMNS = (
    "县", "乡镇", "村", "是否贫困村", "是否出列", "总户数", "总人口数", "危房户数",
    "未实现饮水安全户数", "低保户数", "低保人口数", "村级集体经济收入", "卫生室个数",
    "执业（助理）医师数", "是否通客运班车", "是否通硬化路", "村小学", "参加城乡养老保险人数",
    "公共卫生厕所个数", "垃圾集中堆放点", "文化（图书）室", "特困供养人口数", "残疾人口数",
)
TEXT_COLUMNS = {"户编号", "人编号", "证件号码", "识别监测时间", "风险消除时间", "务工开始时间",
                "务工结束时间"}
# (务工所在地, 务工所在县, employer, industry); the last one is local (帮扶车间 only there).
WORK_PLACES = (
    ("广东省深圳市宝安区", "宝安区", "深圳市宝安五金制品有限公司", "制造业"),
    ("广东省东莞市长安镇", "东莞市", "东莞市长安电子厂", "制造业"),
    ("浙江省宁波市北仑区", "北仑区", "宁波市北仑服装有限公司", "制造业"),
    ("福建省泉州市晋江市", "晋江市", "晋江市鞋业有限公司", "制造业"),
    ("贵州省贵阳市南明区", "南明区", "贵阳市建工集团有限公司", "建筑业"),
    ("贵州省黔西南州兴义市", "兴义市", "兴义市万峰林酒店", "住宿和餐饮业"),
    ("贵州省黔西南州册亨县", "册亨县", "册亨县者楼街道帮扶车间", "制造业"),
)


@dataclass
class Person:
    member_id: str
    name: str
    sex: str
    id_number: str
    relation: str
    age: int
    education: str
    school: str
    health: str
    labour: str


@dataclass
class Household:
    township: str
    village: str
    household_id: str
    category: str  # 脱贫户 / 监测户 / 一般农户
    members: list[Person] = field(default_factory=list)
    monitoring: str = ""
    identified: str = ""
    eliminated: str = ""  # 是 / 否 / "" (not monitored)
    elimination_method: str = ""
    eliminated_month: str = ""
    risk: str = ""
    dibao: bool = False
    per_capita: float = 0.0
    money: dict[str, float] = field(default_factory=dict)
    target: float = 0.0  # per-capita net income aimed at
    disaster: str = ""
    out_of_pocket: float | None = None
    spells: int = 0


class _Gen:
    def __init__(self, seed: int) -> None:
        self.rng = np.random.default_rng(seed)
        self.seq = 100

    def pick(self, items: Any, p: Any = None) -> Any:
        return items[int(self.rng.choice(len(items), p=p))]

    def name(self, surname: str, sex: str) -> str:
        given = MALE_GIVEN if sex == "男" else FEMALE_GIVEN
        if self.rng.random() < 0.5:
            return surname + self.pick(COMMON_GIVEN) + self.pick(given)
        return surname + self.pick(given)

    def id_number(self, age: int, sex: str, bad_check: bool = False) -> str:
        year = YEAR - age
        month = int(self.rng.integers(1, 13))
        day = int(self.rng.integers(1, 29))
        self.seq += int(self.rng.integers(1, 7))
        seq = self.seq % 1000
        if (seq % 2 == 1) != (sex == "男"):
            seq = (seq + 1) % 1000
        body = make_bodies(int(COUNTY_CODE), np.array([year * 10000 + month * 100 + day]),
                           np.array([seq]))
        check = wrong_check_chars(body) if bad_check else check_chars(body)
        return str(to_strings(body, check)[0])


def _schooling(age: int) -> tuple[str, str]:
    """(文化程度, 在校生状况) of a person of this age in school as expected."""
    if age <= 2:
        return "学龄前儿童", "学龄前儿童"
    if age <= 5:
        return "学龄前儿童", "学前教育"
    if age <= 11:
        grade = "一二三四五六"[age - 6]
        return "小学", f"小学{grade}年级"
    if age <= 14:
        return "初中", "七八九"[age - 12] + "年级"
    if age <= 17:
        return "初中", "高中" + "一二三"[age - 15] + "年级"
    return "", ""


def _person(g: _Gen, hh_id: str, k: int, surname: str, relation: str, age: int,
            sex: str) -> Person:
    education, school = _schooling(age)
    health = "健康"
    if age >= 18:
        school = "非在校生"
        if age <= 22 and g.rng.random() < 0.35:
            education, school = "高中", "高职高专一年级"
        elif age < 40:
            education = g.pick(("初中", "高中", "中专", "初中"))
        elif age < 60:
            education = g.pick(("小学", "初中", "初中"))
        else:
            education = g.pick(("文盲或半文盲", "小学"))
        if age >= 55 and g.rng.random() < 0.35:
            health = "长期慢性病"
    if school not in ("非在校生", "失学或辍学"):
        education = ""
    if age < 16 or school not in ("非在校生",):
        labour = "无劳动力"
    elif age >= 65:
        labour = "无劳动力" if health != "健康" or age >= 70 else "弱劳动力或半劳动力"
    elif age >= 60:
        labour = "弱劳动力或半劳动力"
    else:
        labour = "技能劳动力" if g.rng.random() < 0.2 else "普通劳动力"
    name = g.name(surname if relation not in ("配偶", "之儿媳") else g.pick(SURNAMES), sex)
    return Person(member_id=f"{hh_id}{k:03d}", name=name, sex=sex,
                  id_number=g.id_number(age, sex), relation=relation, age=age,
                  education=education, school=school, health=health, labour=labour)


def _household(g: _Gen, township: str, village: str, hh_id: str) -> Household:
    category = g.pick(("脱贫户", "监测户", "一般农户"), p=(0.68, 0.2, 0.12))
    hh = Household(township=township, village=village, household_id=hh_id, category=category)
    surname = g.pick(SURNAMES[:20])
    head_age = int(g.rng.integers(28, 76))
    head_sex = "男" if g.rng.random() < 0.85 else "女"
    people = [_person(g, hh_id, 1, surname, "户主", head_age, head_sex)]
    if g.rng.random() < 0.85:
        age = int(np.clip(head_age + g.rng.integers(-5, 4), 22, 85))
        spouse_sex = "女" if head_sex == "男" else "男"
        people.append(_person(g, hh_id, 2, surname, "配偶", age, spouse_sex))
    if head_age <= 62:
        for _ in range(int(g.rng.integers(1, 4))):
            age = int(np.clip(head_age - g.rng.integers(22, 32), 0, 40))
            sex = g.pick(("男", "女"))
            people.append(_person(g, hh_id, len(people) + 1, surname,
                                  "之子" if sex == "男" else "之女", age, sex))
    if head_age <= 50 and g.rng.random() < 0.6:
        age = int(head_age + g.rng.integers(24, 30))
        people.append(_person(g, hh_id, len(people) + 1, surname, "之父母", age,
                              g.pick(("男", "女"))))
    hh.members = people
    hh.dibao = g.rng.random() < (0.3 if category != "一般农户" else 0.05)
    if category == "监测户":
        hh.monitoring = g.pick(("脱贫不稳定户", "边缘易致贫户", "突发严重困难户"),
                               p=(0.5, 0.35, 0.15))
        start = 2021 * 12 + 2 + int(g.rng.integers(0, 24))  # 202103 … 202302
        hh.identified = f"{start // 12}{start % 12 + 1:02d}"
        workers = [p for p in hh.members if p.labour in ("普通劳动力", "技能劳动力")]
        students = [p for p in hh.members if p.school not in ("非在校生", "学龄前儿童")]
        risks = ["因病", "因残", "因灾"] + (["因学"] if students else []) + (
            ["因务工就业不稳"] if workers else ["缺劳动力"])
        hh.risk = g.pick(risks)
        if hh.risk == "因灾":
            hh.disaster = g.pick(("洪涝灾害", "地质灾害", "风雹灾害"))
        if hh.risk == "因残":
            disabled = max(hh.members, key=lambda p: p.age)
            disabled.health = "残疾"
            if disabled.age >= 16:
                disabled.labour = "丧失劳动力" if disabled.age < 60 else "无劳动力"
                disabled.school = "非在校生"
        workers = [p for p in hh.members if p.labour in ("普通劳动力", "技能劳动力")]
        if workers and g.rng.random() < 0.6:
            end = start + int(g.rng.integers(9, 20))
            end = min(end, YEAR * 12 + 10)
            hh.eliminated = "是"
            hh.elimination_method = g.pick(("帮扶消除", "自然消除"), p=(0.8, 0.2))
            hh.eliminated_month = f"{end // 12}{end % 12 + 1:02d}"
        else:
            hh.eliminated = "否"
        if hh.risk == "因病":
            sick = max(hh.members, key=lambda p: p.age)
            sick.health = "患有大病"
            if sick.labour in ("普通劳动力", "技能劳动力"):
                sick.labour = "弱劳动力或半劳动力"
        hh.out_of_pocket = float(round(g.rng.uniform(800, 4000))) if hh.risk == "因病" else 0.0
    if category == "一般农户":
        hh.target = float(g.rng.uniform(14000, 30000))
    elif category == "监测户":
        hh.target = float(g.rng.uniform(7600, 11000) if hh.eliminated == "是"
                          else g.rng.uniform(6800, 9500))
    else:
        hh.target = float(g.rng.uniform(8200, 22000))
    return hh


def _incomes(g: _Gen, hh: Household, spell_wages: float) -> None:
    size = len(hh.members)
    target = hh.target
    net = round(target * size, 2)
    transfer = round(float(g.rng.uniform(0.10, 0.35)) * net, 2)
    if hh.dibao:
        transfer = round(transfer + 2400.0 * sum(1 for _ in hh.members) * 0.5, 2)
    expense = round(float(g.rng.uniform(300, 2500)), 2)
    property_ = round(float(g.rng.choice((0.0, 0.0, 120.0, 360.0, 800.0))), 2)
    rest = net - transfer - property_ + expense
    wage = max(round(spell_wages, 2), round(rest * float(g.rng.uniform(0.45, 0.8)), 2))
    if wage > rest:  # the spells alone earn more than the target: raise the net income
        rest = wage + round(float(g.rng.uniform(800, 3000)), 2)
    business = round(rest - wage, 2)
    net = round(wage + business + property_ + transfer - expense, 2)
    hh.money = {"纯收入": net, "工资性收入": wage, "生产经营性收入": business,
                "财产性收入": property_, "转移性收入": transfer, "生产经营性支出": expense}
    hh.per_capita = round(net / size, 2)


def _month(m: int) -> str:
    return f"{m // 12}{m % 12 + 1:02d}"


def _spell(g: _Gen, p: Person, wage: float | None = None) -> dict[str, Any]:
    start = YEAR * 12 + int(g.rng.integers(-10, 6))
    end = min(start + int(g.rng.integers(3, 12)), YEAR * 12 + 11)
    place = int(g.rng.integers(len(WORK_PLACES)))
    where, county, employer, industry = WORK_PLACES[place]
    if county == COUNTY:
        channel = "帮扶车间"
    else:
        channel = g.pick(("劳务输出", "自主务工", "灵活就业"), p=(0.5, 0.35, 0.15))
    if wage is None:
        wage = float(round(g.rng.uniform(2200 if county == COUNTY else 3000, 6500), -1))
    far = place < 4
    return {
        "姓名": p.name, "证件号码": p.id_number, "人编号": p.member_id, "是否已务工": "是",
        "务工开始时间": _month(start), "务工结束时间": _month(end),
        "务工所在县": county, "务工所在地": where,
        "务工月收入": wage, "年度交通费补助": float(g.pick((300, 500, 600)) if far else 0),
        "务工企业名称": employer, "所属行业": industry,
        "就业渠道": channel, "是否点对点输送": "是" if channel == "劳务输出" and far else "否",
    }


def _months_in_year(spell: dict[str, Any]) -> int:
    s, e = int(spell["务工开始时间"]), int(spell["务工结束时间"])
    s_m = max(s // 100 * 12 + s % 100 - 1, YEAR * 12)
    e_m = e // 100 * 12 + e % 100 - 1
    return max(0, e_m - s_m + 1)


SUPPORT = {
    "产业帮扶": ("发展种植业", "发展养殖业", "带动产业发展", "产业奖补"),
    "就业帮扶": ("劳务输出", "外出务工补贴", "技能培训"),
    "健康帮扶": ("家庭医生签约服务", "慢病签约服务", "医疗救助"),
}


def _support(g: _Gen, kind: str, n_min: int = 0, n_max: int = 2) -> str:
    items = SUPPORT[kind]
    n = int(g.rng.integers(n_min, n_max + 1))
    chosen = sorted(g.rng.choice(len(items), size=n, replace=False).tolist())
    return "、".join(items[i] for i in chosen)


def build(seed: int = YEAR) -> dict[str, Any]:
    """The five tables (lists of row dicts) and the truth: problems and controls."""
    g = _Gen(seed)
    households: list[Household] = []
    t_code = 101
    for township, villages in PLACES:
        for v_index, village in enumerate(villages):
            n = int(g.rng.integers(14, 17))
            for k in range(1, n + 1):
                hh_id = f"{COUNTY_CODE}{t_code}{201 + v_index:03d}{k:04d}"
                households.append(_household(g, township, village, hh_id))
        t_code += 1
    problems: list[dict[str, Any]] = []
    controls: list[dict[str, Any]] = []

    def rec(target: list[dict[str, Any]], rule: str, hh: Household | None, member: str | None,
            kind: str, table: str) -> None:
        target.append({"rule": rule, "household_id": hh.household_id if hh else None,
                       "member_id": member, "kind": kind, "table": FILES[table]})

    by_cat: dict[str, list[Household]] = {}
    for hh in households:
        by_cat.setdefault(hh.category, []).append(hh)
    used: set[str] = set()

    def take(category: str, pred: Any = lambda h: True,
             monitoring: bool | None = None) -> Household:
        for hh in by_cat[category]:
            if hh.household_id not in used and pred(hh) and (
                    monitoring is None or (hh.eliminated == "是") == monitoring):
                used.add(hh.household_id)
                return hh
        raise RuntimeError(f"no {category} household left for a planted case")

    def child(hh: Household, age: int, school: str, health: str = "健康") -> Person:
        surname = hh.members[0].name[0]
        p = _person(g, hh.household_id, len(hh.members) + 1, surname, "之子", age, "男")
        p.school, p.health = school, health
        hh.members.append(p)
        return p

    # --- planted problems --------------------------------------------------------------
    hh = take("脱贫户", lambda h: h.members[0].age <= 50)
    kid = child(hh, 10, "失学或辍学")
    rec(problems, "EDU001", hh, kid.member_id,
        "10 岁义务教育阶段失学辍学 child aged 10 out of school", "members")
    hh = take("监测户", monitoring=True)
    hh.target = 6480.0
    rec(problems, "RISK007", hh, None,
        "风险已消除但人均纯收入低于 7300 eliminated, income below line", "members")
    hh = take("脱贫户")
    hh.target = 6920.0
    rec(problems, "RISK006", hh, None,
        "脱贫户人均纯收入低于 7300 未纳入监测 below line, not monitored", "members")
    hh = take("脱贫户")
    p = hh.members[-1]
    p.id_number = g.id_number(p.age, p.sex, bad_check=True)
    rec(problems, "DQ001", hh, p.member_id, "身份证校验码错误 bad ID check character", "members")
    hh = take("脱贫户", lambda h: len(h.members) >= 3)
    hh.members[0].relation = "其他"
    rec(problems, "DQ010", hh, None, "无户主 no head", "members")
    hh = take("一般农户", lambda h: len(h.members) >= 2 and h.members[1].age >= 22)
    p = hh.members[1]
    p.age = 30
    p.id_number = g.id_number(30, p.sex)
    p.education, p.school, p.health, p.labour = "初中", "非在校生", "健康", "无劳动力"
    rec(problems, "DQ033", hh, p.member_id,
        "30 岁健康非在校生登记为无劳动力 healthy 30 without labour", "members")

    # --- controls (look suspicious, are fine) -------------------------------------------
    hh = take("脱贫户")
    hh.target = 7350.0
    rec(controls, "RISK006", hh, None, "人均纯收入 7350 略高于监测标准 just above the line",
        "members")
    hh = take("监测户", monitoring=True)
    hh.target = 7420.0
    rec(controls, "RISK007", hh, None, "风险已消除，人均纯收入 7420 略高于监测标准 just above",
        "members")
    hh = take("脱贫户", lambda h: h.members[0].age <= 50)
    kid = child(hh, 10, "送教上门", "残疾")
    rec(controls, "EDU001", hh, kid.member_id,
        "10 岁残疾儿童送教上门 home schooling counts as schooled", "members")
    hh = take("脱贫户", lambda h: h.members[0].age <= 50 and len(h.members) >= 2)
    p = hh.members[1]
    p.age = 30
    p.id_number = g.id_number(30, p.sex)
    p.education, p.school, p.health, p.labour = "初中", "非在校生", "患有大病", "无劳动力"
    rec(controls, "DQ033", hh, p.member_id, "30 岁患有大病无劳动力 seriously ill, without labour",
        "members")
    hh = take("脱贫户", lambda h: h.members[0].age <= 55)
    kid = child(hh, 19, "高职高专一年级")
    kid.education, kid.labour = "高中", "无劳动力"
    rec(controls, "DQ033", hh, kid.member_id, "19 岁高职高专在校生无劳动力 student without labour",
        "members")

    # --- work spells --------------------------------------------------------------------
    spells: list[dict[str, Any]] = []
    plans: list[dict[str, Any]] = []
    planted_ids = {e["household_id"] for e in problems + controls}
    for hh in households:
        if hh.household_id in planted_ids:
            continue
        budget = 0.7 * hh.target * len(hh.members)  # spells never lift the household's income
        earned = 0.0
        for p in hh.members:
            if p.labour not in ("普通劳动力", "技能劳动力") or not 18 <= p.age <= 55:
                continue
            u = g.rng.random()
            if u < 0.75:
                for _ in range(1 if g.rng.random() < 0.75 else 2):
                    s = _spell(g, p)
                    pay = s["务工月收入"] * _months_in_year(s)
                    if earned + pay > budget:
                        break
                    earned += pay
                    spells.append(s)
            elif u < 0.88:
                where, county, _, _ = WORK_PLACES[int(g.rng.integers(len(WORK_PLACES) - 1))]
                plans.append({"姓名": p.name, "证件号码": p.id_number, "人编号": p.member_id,
                              "是否计划外出务工": "是", "务工所在县": county, "务工所在地": where,
                              "就业服务需求": g.pick(("职业介绍", "技能培训", "岗位推荐",
                                                     "职业介绍、技能培训"))})
    # A spell at 300 元 a month (a data-entry slip for 3000) on a person's only spell.
    per_person: dict[str, int] = {}
    for s in spells:
        per_person[s["人编号"]] = per_person.get(s["人编号"], 0) + 1
    low = next(s for s in spells if per_person[s["人编号"]] == 1
               and s["人编号"][:16] not in planted_ids and s["就业渠道"] != "帮扶车间")
    low_hh = next(h for h in households if h.household_id == low["人编号"][:16])
    low["务工月收入"] = 300.0
    used.add(low_hh.household_id)
    rec(problems, "RISK400", low_hh, low["人编号"], "务工月收入 300 元 monthly wage 300", "work")
    problems[-1]["row"] = spells.index(low) + 3
    # A spell whose person is not in the member table (moved out, or a typo in the export).
    ghost_age = 34
    ghost = Person(member_id=f"{COUNTY_CODE}1012010098001", name=g.name("罗", "男"), sex="男",
                   id_number=g.id_number(ghost_age, "男"), relation="户主", age=ghost_age,
                   education="初中", school="非在校生", health="健康", labour="普通劳动力")
    spells.append(_spell(g, ghost))
    rec(problems, "DQ080", None, ghost.member_id,
        "务工人员不在监测对象信息中 spell of an unknown person", "work")
    problems[-1]["row"] = len(spells) + 2
    # Control: a spell given by 人编号 only (证件号码 blank) joins its person.
    blank_id = next(s for s in spells if s["人编号"][:16] not in used | planted_ids)
    blank_id["证件号码"] = ""
    bh = next(h for h in households if h.household_id == blank_id["人编号"][:16])
    used.add(bh.household_id)
    rec(controls, "DQ080", bh, blank_id["人编号"],
        "务工记录只有人编号（证件号码空）spell keyed by 人编号", "work")
    controls[-1]["row"] = spells.index(blank_id) + 3

    wages: dict[str, float] = {}
    latest: dict[str, dict[str, Any]] = {}
    for s in spells:
        key = s["人编号"][:16]
        wages[key] = wages.get(key, 0.0) + s["务工月收入"] * _months_in_year(s)
        if s["人编号"] not in latest or s["务工开始时间"] > latest[s["人编号"]]["务工开始时间"]:
            latest[s["人编号"]] = s
        for hh in households:
            if hh.household_id == key:
                hh.spells += 1
    for hh in households:
        _incomes(g, hh, wages.get(hh.household_id, 0.0))

    # --- households outside the joins --------------------------------------------------
    # 户信息 lists a household with no member rows.
    orphan = Household(township="丫他镇", village="八达村",
                       household_id=f"{COUNTY_CODE}1022020099", category="脱贫户")
    rec(problems, "DQ081", orphan, None, "户信息中的户没有成员 household without members",
        "households")
    # A household of a village the village table lacks.
    lost = _household(g, UNLISTED_VILLAGE[0], UNLISTED_VILLAGE[1],
                      f"{COUNTY_CODE}1032030001")
    lost.category, lost.monitoring, lost.eliminated, lost.identified = "一般农户", "", "", ""
    lost.risk = lost.elimination_method = lost.eliminated_month = lost.disaster = ""
    lost.out_of_pocket = None
    lost.target = 16800.0
    for p in lost.members:
        if p.health == "患有大病":
            p.health = "长期慢性病"
    _incomes(g, lost, 0.0)
    households.append(lost)
    rec(problems, "DQ082", lost, None,
        "户所在村不在行政村信息中 village missing from the village table", "households")
    rec(problems, "DQ083", None, None,
        f"行政村信息中的{EXTRA_VILLAGE[1]}没有任何户 village without households", "village")
    problems[-1]["village"] = EXTRA_VILLAGE[1]

    members_rows = []
    household_rows = []
    for hh in households:
        ethnicity = g.pick(*ETHNIC)
        after = "否" if hh.eliminated == "是" else ""
        for p in hh.members:
            work = latest.get(p.member_id)
            members_rows.append({
                "县": COUNTY, "乡镇": hh.township, "村": hh.village, "户编号": hh.household_id,
                "人编号": p.member_id, "姓名": p.name, "性别": p.sex, "证件号码": p.id_number,
                "与户主关系": p.relation, "民族": ethnicity,
                "文化程度": p.education, "在校生状况": p.school, "健康状况": p.health,
                "劳动技能": p.labour,
                "是否参加城乡居民基本医疗保险": "是", "是否参加大病保险": "是",
                "享受低保政策情况": "农村低保" if hh.dibao else "未享受", "户类型": hh.category,
                "监测对象类别": hh.monitoring, "识别监测时间": hh.identified,
                "风险是否已消除": hh.eliminated, "风险消除方式": hh.elimination_method,
                "风险消除时间": hh.eliminated_month, "致贫返贫风险1": hh.risk,
                "因自然灾害子项": hh.disaster, "风险消除后是否住房损毁": after,
                "风险消除后是否饮水设施损毁": after, "风险消除后是否有失学辍学": after,
                "风险消除后是否有未参加基本医疗保险": after,
                "人均纯收入": hh.per_capita, **hh.money, "合规自付支出": hh.out_of_pocket,
                "是否危房户": "否", "是否解决安全饮用水": "是",
                "是否参加城乡居民基本养老保险": "是" if p.age >= 16 and p.school == "非在校生"
                else "否",
                "务工所在地": work["务工所在地"] if work else "",
            })
    for hh in [*households, orphan]:
        size = len(hh.members) or 3
        able = any(p.labour in ("普通劳动力", "技能劳动力") for p in hh.members)
        helped = hh.category != "一般农户"
        unresolved = hh.category == "监测户" and hh.eliminated == "否"
        industry = (_support(g, "产业帮扶", 1 if unresolved or not hh.members else 0)
                    if helped else "")
        employment = _support(g, "就业帮扶", 1, 2) if helped and hh.spells and able else ""
        health = _support(g, "健康帮扶") if helped else ""
        if unresolved:
            health = "、".join(x for x in ("城乡居民基本医疗保险个人缴费补贴", health) if x)
        vocational = [p for p in hh.members if p.school in ("中职", "高职高专一年级")]
        education = "雨露计划" if helped and vocational else (
            "教育资助" if hh.risk == "因学" else "")
        security = "、".join(x for x in (
            "低保" if hh.dibao else "",
            "残疾人补贴" if any(p.health == "残疾" for p in hh.members) else "") if x)
        household_rows.append({
            "县": COUNTY, "乡镇": hh.township, "村": hh.village, "户编号": hh.household_id,
            "家庭人口数": size, "耕地面积": float(round(g.rng.uniform(0.5, 6.0), 1)),
            "住房面积": float(round(g.rng.uniform(60, 160))), "是否通生活用电": "是",
            "林地面积": float(round(g.rng.uniform(0, 8.0), 1)),
            "退耕还林面积": float(g.pick((0.0, 0.0, 0.5, 1.2))), "林果面积": 0.0, "牧草地面积": 0.0,
            "水面面积": 0.0, "与村主干路距离": float(round(g.rng.uniform(0, 1.5), 1)),
            "入户道路是否硬化": "是" if g.rng.random() < 0.9 else "否",
            "是否有卫生厕所": "是" if g.rng.random() < 0.85 else "否",
            "产业帮扶": industry, "就业帮扶": employment, "健康帮扶": health,
            "教育帮扶": education, "综合保障": security,
            "实施开发式帮扶情况": "已实施" if industry or employment else "",
            "信息采集人": g.name(g.pick(SURNAMES[:10]), g.pick(("男", "女"))),
        })
    # Village name written with a trailing space in 行政村信息 (a control: names are folded).
    spaced = "板万村"
    assert any(h.village == spaced for h in households)
    rec(controls, "DQ083", None, None, f"行政村信息中“{spaced} ”带尾随空格 trailing space in name",
        "village")
    controls[-1]["village"] = spaced
    village_rows = []
    for township, villages in [*PLACES, (EXTRA_VILLAGE[0], (EXTRA_VILLAGE[1],))]:
        for village in villages:
            hhs = [h for h in households if h.village == village]
            dibao = [h for h in hhs if h.dibao]
            village_rows.append({
                "县": COUNTY, "乡镇": township, "村": village + (" " if village == spaced else ""),
                "是否贫困村": "是", "是否出列": "是",
                "总户数": int(g.rng.integers(380, 720)),
                "总人口数": int(g.rng.integers(1500, 2900)),
                "危房户数": 0, "未实现饮水安全户数": 0,
                "低保户数": len(dibao) + int(g.rng.integers(5, 20)),
                "低保人口数": sum(len(h.members) for h in dibao) + int(g.rng.integers(15, 50)),
                "村级集体经济收入": float(round(g.rng.uniform(6, 40), 2)),
                "卫生室个数": 1, "执业（助理）医师数": int(g.rng.integers(1, 3)),
                "是否通客运班车": "是", "是否通硬化路": "是",
                "村小学": g.pick(("有", "有", "无")),
                "参加城乡养老保险人数": int(g.rng.integers(700, 1300)),
                "公共卫生厕所个数": int(g.rng.integers(1, 4)),
                "垃圾集中堆放点": int(g.rng.integers(2, 9)), "文化（图书）室": "有",
                "特困供养人口数": int(g.rng.integers(3, 15)),
                "残疾人口数": sum(p.health == "残疾" for h in hhs for p in h.members)
                + int(g.rng.integers(20, 60)),
            })
    return {"members": members_rows, "households": household_rows, "work": spells,
            "work_plan": plans, "village": village_rows,
            "truth": {"problems": problems, "controls": controls}}


TITLES = {
    "members": f"{COUNTY}{YEAR}年防返贫监测对象及脱贫人口信息",
    "households": f"{COUNTY}{YEAR}年户信息",
    "work": f"{COUNTY}{YEAR}年已外出务工信息",
    "work_plan": f"{COUNTY}{YEAR}年计划外出务工信息",
    "village": f"{COUNTY}{YEAR}年行政村信息",
}
COLUMNS = {"members": MEMBER_COLUMNS, "households": HOUSEHOLD_COLUMNS, "work": WORK_COLUMNS,
           "work_plan": PLAN_COLUMNS, "village": VILLAGE_COLUMNS}


def _write_xlsx(path: Path, title: str, columns: tuple[str, ...],
                rows: list[dict[str, Any]]) -> None:
    import xlsxwriter

    wb = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False})
    wb.set_properties({"title": title, "author": "exitcheck sample", "company": "",
                       "created": datetime(YEAR + 1, 1, 10, 10, 5, 41)})
    ws = wb.add_worksheet(path.stem)
    f_title = wb.add_format({"bold": True, "font_size": 14, "align": "center"})
    f_head = wb.add_format({"bold": True, "align": "center", "border": 1, "bg_color": "#D9E1F2"})
    f_text = wb.add_format({"num_format": "@"})
    for c, name in enumerate(columns):
        wide = name in ("户编号", "人编号", "证件号码")
        width = 20 if wide else max(8, min(2 * len(name) + 2, 16))
        ws.set_column(c, c, width, f_text if name in TEXT_COLUMNS else None)
    if len(columns) > 1:
        ws.merge_range(0, 0, 0, len(columns) - 1,
                       f"{title}（导出时间：{YEAR + 1}-01-10 10:05:41）", f_title)
    else:
        ws.write(0, 0, title, f_title)
    ws.write_row(1, 0, list(columns), f_head)
    for r, row in enumerate(rows, start=2):
        for c, name in enumerate(columns):
            value = row.get(name, "")
            if value == "" or value is None:
                continue
            if name in TEXT_COLUMNS:
                ws.write_string(r, c, str(value))
            else:
                ws.write(r, c, value)
    ws.freeze_panes(2, 0)
    wb.close()


def write_monitoring_tables(folder: str | Path, seed: int = YEAR) -> dict[str, Any]:
    """Write the five xlsx files and truth.json into `folder`; return the truth."""
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    data = build(seed)
    for kind, file in FILES.items():
        _write_xlsx(out / file, TITLES[kind], COLUMNS[kind], data[kind])
    truth = {"seed": seed, "year": YEAR, "region": "52", "county_code": COUNTY_CODE,
             "monitoring_income_line": MONITORING_LINE,
             "counts": {k: len(data[k]) for k in FILES},
             **data["truth"]}
    (out / "truth.json").write_text(json.dumps(truth, ensure_ascii=False, indent=1) + "\n",
                                    encoding="utf-8")
    return truth


if __name__ == "__main__":  # python -m exitcheck.sample.monitoring_tables [folder]
    import sys

    target = sys.argv[1] if len(sys.argv) > 1 else "sample_data/monitoring_2023_tables"
    print(json.dumps(write_monitoring_tables(target)["counts"], ensure_ascii=False))
