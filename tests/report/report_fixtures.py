"""A hand-built audit of 20 households (2 townships, 4 villages) with findings of every kind.

Used by conftest.py (fixtures) and imported by the tests for the ground truth.

The ground truth the tests check against is written down here as plain constants (which
household fails what), independent of the aggregate code.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd

from exitcheck.engine.result import AuditResult, ParamValue, RuleInfo
from exitcheck.findings import FINDING_COLUMNS
from exitcheck.schema.model import InputInfo, Registry

EXIT_LINE = 3750
SHEET = "贫困人口明细"


def hid(n: int) -> str:
    """Realistic 16-digit 户编号 (not an ID number: must never be masked)."""
    return f"511602001001{n:04d}"


def citizen_id(area: str, birth: str, seq: int) -> str:
    """A valid 18-character ID (GB 11643-1999 check character)."""
    body = f"{area}{birth}{seq:03d}"
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    total = sum(int(d) * w for d, w in zip(body, weights, strict=True))
    return body + "10X98765432"[total % 11]


# ---- ground truth ---------------------------------------------------------------------------
EXITED = [hid(n) for n in range(1, 13)]  # 已脱贫
PLANNED = [hid(n) for n in (15, 19, 20)]  # 拟脱贫
NOT_EXITED = [hid(n) for n in (13, 14, 16, 17, 18)]  # 未脱贫
INCOME = {hid(3): 3500.0, hid(7): 3700.0, hid(12): None, hid(15): 3600.0,
          hid(2): 3900.0, hid(9): 4000.0, hid(13): 2800.0, hid(17): 3000.0}
FAILING = {hid(3), hid(7), hid(10), hid(5), hid(16)}  # violated severity fail
AT_RISK = {hid(2), hid(9), hid(11)}
DATA_ERROR = {hid(13)}
WARNING = {hid(14)}
NOT_EVALUATED = {hid(12), hid(1), hid(2), hid(4)}
EXEMPTED = {hid(15)}
FORMULA_NAMES = {hid(16): "=1+2", hid(5): "@SUM(A1)"}  # heads with formula-looking names
BAD_ID = "511602199013451234"  # fails its check character: cited in a DQ001 message and values


def _area(n: int) -> tuple[str, str]:
    if n <= 10:
        return "城关镇", "东风村" if n <= 5 else "红星村"
    return "石桥乡", "石桥村" if n <= 15 else "白杨村"


def _registry(input_path: Path) -> Registry:
    hh_rows = []
    member_rows = []
    row = 4  # title row 1, two header rows 2-3
    for n in range(1, 21):
        h = hid(n)
        township, village = _area(n)
        status = "已脱贫" if h in EXITED else "拟脱贫" if h in PLANNED else "未脱贫"
        income = INCOME.get(h, 5000.0 + 300 * n)
        head_row = row
        people = [("户主", 45), ("配偶", 43), ("子女", 12 if n % 3 == 1 else 20)]
        for k, (relation, age) in enumerate(people[: 2 + n % 2 + (n in (7, 10))]):
            name = f"户{n}成员{k}"
            if relation == "户主":
                name = FORMULA_NAMES.get(h, f"张{n}")
            birth = f"{2019 - age}0{1 + k}1{n % 9}"
            idn = citizen_id("511602", birth, 10 + n)
            if h == hid(13) and k == 1:
                idn = BAD_ID
            member_rows.append({
                "household_id": h, "member_id": f"{h}-{k + 1}", "_input": 0, "_row": row,
                "name": name, "id_number": idn, "relation": relation, "age": age,
                "township": township, "village": village,
            })
            row += 1
        hh_rows.append({
            "household_id": h, "county": "翠屏区", "township": township, "village": village,
            "poverty_status": status, "per_capita_net_income": income,
            "member_count": sum(1 for m in member_rows if m["household_id"] == h),
            "_input": 0, "_row": head_row,
        })
    members = pd.DataFrame(member_rows)
    members["age"] = members["age"].astype("Int64")
    households = pd.DataFrame(hh_rows).set_index("household_id")
    households["per_capita_net_income"] = households["per_capita_net_income"].astype("Float64")
    info = InputInfo(
        path=input_path, sheet=SHEET, reader="calamine", encoding=None, sha256="ab" * 32,
        title_rows=[1], header_rows=[2, 3], rows_read=len(members) + 3,
        member_rows=len(members), skipped={"blank": 2, "total": 1},
        mapping={"household_id": ("户编号", "D"), "name": ("姓名", "F"),
                 "id_number": ("证件号码", "G"), "per_capita_net_income": ("人均纯收入", "Q")},
        unmatched=[], missing_optional=["food_secure"],
    )
    issues = pd.DataFrame(columns=["kind", "field", "household_id", "member_id", "_input",
                                   "_row", "value", "detail"])
    return Registry(members=members, households=households, inputs=[info],
                    as_of=date(2019, 12, 31), issues=issues)


RULES = [
    RuleInfo("INC001", "income.above_exit_line", "INC", "fail", "household",
             "人均纯收入稳定超过扶贫标准", "Per-capita net income above the exit line",
             "中办国办《关于建立贫困退出机制的意见》(2016)", ("exit_income_line",),
             "shipped:income.yaml"),
    RuleInfo("FOOD001", "food.secure", "FOOD", "fail", "household", "不愁吃", "Enough food",
             "中办国办《关于建立贫困退出机制的意见》(2016)", (), "shipped:food.yaml"),
    RuleInfo("EDU001", "education.in_school", "EDU", "fail", "member",
             "义务教育阶段适龄儿童不失学辍学", "No school-age child out of school",
             "中办国办《关于建立贫困退出机制的意见》(2016)", (), "shipped:education.yaml"),
    RuleInfo("MED001", "medical.insured", "MED", "fail", "member", "参加基本医疗保险",
             "Enrolled in basic medical insurance", "同上", (), "shipped:medical.yaml"),
    RuleInfo("HOU001", "housing.safe", "HOU", "fail", "household", "住房安全有保障",
             "Housing safe", "同上", (), "shipped:housing.yaml"),
    RuleInfo("WAT001", "water.safe", "WAT", "fail", "household", "饮水安全", "Safe water",
             "同上", (), "shipped:water.yaml"),
    RuleInfo("RISK001", "risk.income_margin", "RISK", "risk", "household",
             "人均纯收入略高于标准", "Income just above the line", "防止返贫监测 (2020)",
             ("exit_income_line", "income_margin"), "shipped:risk.yaml"),
    RuleInfo("RISK002", "risk.transfer_share", "RISK", "risk", "household",
             "转移性收入占比过高", "Transfer income dominates", "防止返贫监测 (2020)", (),
             "shipped:risk.yaml"),
    RuleInfo("DQ001", "dq.id_valid", "DQ", "error", "member", "证件号码有效",
             "Valid ID number", "GB 11643-1999", (), "shipped:dq.yaml"),
    RuleInfo("DQ002", "dq.household_size", "DQ", "warning", "household",
             "家庭人口数与成员数一致", "Household size matches members", "practice", (),
             "shipped:dq.yaml"),
]

PARAMS = [
    ParamValue("exit_income_line", "脱贫标准（人均纯收入）", "Exit income line", EXIT_LINE,
               "元/人·年", date(2019, 1, 1), "51", "广安区 2019 report: 3750", True),
    ParamValue("income_margin", "收入边缘幅度", "Income margin", 0.1, None, date(2020, 1, 1),
               None, "practice note", False, "无 四川 取值：使用全国值"),
]


def _finding(rule: str, status: str, h: str, message: str, values: dict[str, object],
             member: int | None = None, col: str = "Q") -> dict[str, object]:
    info = {r.code: r for r in RULES}[rule]
    return {"rule": rule, "family": info.family, "severity": info.severity, "status": status,
            "household_id": h, "member_id": None if member is None else f"{h}-{member}",
            "location": f"{SHEET}!{col}{4 + int(h[-4:])}", "message": message, "values": values}


def base_findings() -> list[dict[str, object]]:
    inc = "人均纯收入 {v} 元，未超过脱贫标准 3750 元"
    rows = [
        _finding("INC001", "violated", hid(3), inc.format(v=3500),
                 {"per_capita_net_income": 3500.0, "param.exit_income_line": EXIT_LINE}),
        _finding("INC001", "violated", hid(7), inc.format(v=3700),
                 {"per_capita_net_income": 3700.0, "param.exit_income_line": EXIT_LINE}),
        _finding("INC001", "not_evaluated", hid(12), "人均纯收入为空，无法判定",
                 {"per_capita_net_income": None}),
        _finding("INC001", "exempted", hid(15), inc.format(v=3600),
                 {"per_capita_net_income": 3600.0, "exemption": "县扶贫办 2019-11 批复"}),
        *(_finding("FOOD001", "not_evaluated", h, "不愁吃 未填写，无法判定", {"food_secure": None})
          for h in (hid(1), hid(2), hid(4))),
        _finding("EDU001", "violated", hid(7), "12 岁，在校生状况为 失学或辍学",
                 {"age": 12, "school_status": "失学或辍学"}, member=3, col="K"),
        _finding("EDU001", "violated", hid(10), "12 岁，在校生状况为 失学或辍学",
                 {"age": 12, "school_status": "失学或辍学"}, member=3, col="K"),
        _finding("MED001", "violated", hid(3), "未参加城乡居民基本医疗保险",
                 {"residents_medical": False, "employee_medical": False}, member=2, col="M"),
        _finding("HOU001", "violated", hid(5), "危房级别 D，未改造",
                 {"dangerous_house_grade": "D", "house_rebuilt": False}, col="R"),
        _finding("WAT001", "violated", hid(16), "饮水不安全", {"water_safe": False}, col="S"),
        _finding("RISK001", "violated", hid(2), "人均纯收入 3900 元，不足标准的 110%",
                 {"per_capita_net_income": 3900.0}),
        _finding("RISK001", "violated", hid(9), "人均纯收入 4000 元，不足标准的 110%",
                 {"per_capita_net_income": 4000.0}),
        _finding("RISK002", "violated", hid(11), "转移性收入占 80%",
                 {"transfer_share": 0.8, "phone": "13800001111", "bank_account": "6222"}),
        _finding("DQ001", "violated", hid(13), f"证件号码 {BAD_ID} 校验位错误",
                 {"id_number": BAD_ID}, member=2, col="G"),
        _finding("DQ002", "violated", hid(14), "家庭人口数 4 与成员数 2 不一致",
                 {"household_size": 4, "member_count": 2}, col="H"),
    ]
    return rows


def rule_stats(findings: pd.DataFrame, registry: Registry) -> pd.DataFrame:
    """Per-rule units consistent with the findings (applicable from the rules' populations)."""
    applicable = {"INC001": 15, "FOOD001": 15, "EDU001": 6, "MED001": registry.n_members,
                  "HOU001": 20, "WAT001": 20, "RISK001": 12, "RISK002": 12,
                  "DQ001": registry.n_members, "DQ002": 20}
    rows = []
    for code, n in applicable.items():
        sub = findings[findings["rule"] == code]
        counts = {s: int((sub["status"] == s).sum())
                  for s in ("violated", "not_evaluated", "exempted")}
        rows.append({"rule": code, "applicable": n, "passed": n - sum(counts.values()), **counts})
    return pd.DataFrame(rows)


def build_result(input_path: Path, findings: list[dict[str, object]] | None = None) -> AuditResult:
    """The full audit (``findings=None``) or a variant with the given findings."""
    registry = _registry(input_path)
    rows = base_findings() if findings is None else findings
    frame = pd.DataFrame(rows, columns=list(FINDING_COLUMNS)).astype(object)
    return AuditResult(
        registry=registry, rules=list(RULES), params=list(PARAMS), findings=frame,
        rule_stats=rule_stats(frame, registry), year=2019, as_of=date(2019, 12, 31),
        region="51", region_name="四川省", region_origin="inferred",
        notes=["区域由证件号码推断为 四川省"],
    )
