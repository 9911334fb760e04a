"""Export layouts: each style's canonical fields, their headers, header groups and titles."""

from __future__ import annotations

from dataclasses import dataclass

from exitcheck.sample.vocab import COUNTIES, PROVINCES

INCOME_GROUP = "收入情况（元）"


@dataclass(frozen=True)
class Column:
    field: str  # canonical name (rules/fields.yaml)
    header: str  # header text as exports print it
    group: str | None = None  # upper header merged over a run of columns


def _cols(spec: list[tuple[str, str]], group: str | None = None) -> list[Column]:
    return [Column(field, header, group) for field, header in spec]


NATIONAL = (
    _cols([
        ("county", "县"), ("township", "乡(镇)"), ("village", "村"), ("group", "组"),
        ("household_id", "户编号"), ("member_id", "人编号"), ("name", "姓名"),
        ("sex_stated", "性别"), ("id_number", "证件号码"), ("relation", "与户主关系"),
        ("ethnicity", "民族"), ("education_level", "文化程度"), ("school_status", "在校生状况"),
        ("out_of_school_reason", "义务教育阶段未上学原因"), ("health", "健康状况"),
        ("labour_skill", "劳动技能"), ("residents_medical", "是否参加城乡居民基本医疗保险"),
        ("employee_medical", "是否参加城镇职工基本医疗保险"),
        ("critical_illness", "是否参加大病保险"), ("dibao_member", "是否享受农村低保"),
        ("poverty_attribute", "贫困户属性"), ("poverty_status", "脱贫标志"),
        ("exit_year", "脱贫年度"), ("household_size", "家庭人口数"), ("food_secure", "不愁吃"),
        ("clothing_secure", "不愁穿"), ("dangerous_house", "是否危房户"),
        ("dangerous_house_grade", "危房级别"), ("house_rebuilt", "是否危房改造"),
        ("relocated", "是否易地扶贫搬迁"), ("water_difficulty", "饮水是否困难"),
        ("water_safe", "饮水是否安全"),
    ])
    + _cols([
        ("wage_income", "工资性收入"), ("business_income", "生产经营性收入"),
        ("property_income", "财产性收入"), ("transfer_income", "转移性收入"),
        ("family_planning_income", "计划生育金"), ("dibao_income", "低保金"),
        ("wubao_income", "五保金"), ("pension_income", "养老保险金"),
        ("eco_compensation_income", "生态补偿金"), ("other_transfer_income", "其他转移性收入"),
        ("business_expense", "生产经营性支出"), ("net_income", "纯收入"),
    ], INCOME_GROUP)
    + _cols([("per_capita_net_income", "人均纯收入（元）")])
)

MONITORING = (
    _cols([
        ("county", "县"), ("township", "乡"), ("village", "村"), ("household_id", "户编号"),
        ("member_id", "人编号"), ("name", "姓名"), ("id_type", "证件类型"),
        ("id_number", "证件号码"), ("relation", "与户主关系"), ("birth_date_stated", "出生日期"),
        ("sex_stated", "性别"), ("ethnicity", "民族"), ("education_level", "文化程度"),
        ("school_status", "在校生状况"), ("out_of_school_reason", "义务教育阶段未上学原因"),
        ("health", "健康状况"), ("labour_skill", "劳动技能"), ("household_category", "户类型"),
        ("monitoring_category", "监测对象类别"), ("monitoring_identified", "识别监测时间"),
        ("risk_eliminated", "风险是否已消除"), ("risk_elimination_method", "风险消除方式"),
        ("risk_eliminated_month", "消除监测时间"), ("risk_1", "致贫/返贫风险1"),
        ("household_size", "家庭人口数"),
    ])
    + _cols([
        ("wage_income", "工资性收入"), ("business_income", "生产经营性收入"),
        ("property_income", "财产性收入"), ("transfer_income", "转移性收入"),
        ("business_expense", "生产经营性支出"), ("net_income", "纯收入"),
    ], INCOME_GROUP)
    + _cols([
        ("per_capita_net_income", "人均纯收入（元）"), ("compliant_out_of_pocket", "合规自付支出"),
        ("residents_medical", "是否参加城乡居民基本医疗保险"),
        ("employee_medical", "是否参加城镇职工基本医疗保险"),
        ("critical_illness", "是否参加大病保险"), ("dangerous_house", "是否危房户"),
        ("water_safe", "是否解决安全饮用水"), ("dibao_member", "享受低保政策情况"),
        ("no_labour_security", "整户无劳动能力兜底保障户"),
    ])
)

LAYOUTS: dict[str, list[Column]] = {"national": NATIONAL, "monitoring": MONITORING}
SHEET_NAMES = {"national": "贫困人口明细", "monitoring": "监测对象明细"}
MONEY_FIELDS = frozenset({
    "wage_income", "business_income", "property_income", "transfer_income",
    "family_planning_income", "dibao_income", "wubao_income", "pension_income",
    "eco_compensation_income", "other_transfer_income", "business_expense", "net_income",
    "per_capita_net_income", "compliant_out_of_pocket",
})
TOTAL_LABEL = "合计"


def place_names(province_code: str, county_code: str) -> tuple[str, str, str]:
    """(province, prefecture, county) names for a county code; generic names when unknown."""
    if county_code in COUNTIES:
        return COUNTIES[county_code]
    return PROVINCES.get(province_code, "某省"), "某市", "样例县"


def title_rows(style: str, year: int, province_code: str, county_code: str) -> tuple[str, str]:
    """The two title lines above the header (fixed export time: output must be reproducible)."""
    province, prefecture, county = place_names(province_code, county_code)
    if style == "monitoring":
        return (f"{county}{year}年防返贫监测对象及脱贫人口明细表",
                f"导出单位：{province}{prefecture}{county}乡村振兴局    "
                f"导出时间：{year + 1}-01-10 10:05:41")
    return (f"{county}{year}年建档立卡贫困人口明细表",
            f"导出单位：{province}{prefecture}{county}扶贫开发局    "
            f"导出时间：{year + 1}-01-15 09:30:12")
