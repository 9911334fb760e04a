"""What a synthetic export is known to contain: planted defects, harmless traps and risk flags."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

# Planted defects: each should be found by the audit (rule family in brackets, docs/policy.md).
INCOME_BELOW_LINE = "income_below_line"  # exited (脱贫户) but per-capita income <= line [INC]
OUT_OF_SCHOOL = "out_of_school"  # child 6-15 失学或辍学 [EDU] (member)
NO_MEDICAL_INSURANCE = "no_medical_insurance"  # member in no basic medical scheme [MED] (member)
DANGEROUS_HOUSE = "dangerous_house"  # C/D house not rebuilt, not relocated [HOU]
WATER_UNSAFE = "water_unsafe"  # safe drinking water not solved [WAT]
INCOME_IDENTITY_BROKEN = "income_identity_broken"  # components do not add up to 纯收入 [DQ]
HOUSEHOLD_SIZE_MISMATCH = "household_size_mismatch"  # 家庭人口数 != member rows [DQ]
ID_BAD_CHECKSUM = "id_bad_checksum"  # wrong ISO 7064 check character [DQ] (member)
ID_DUPLICATE = "id_duplicate"  # same ID in two households [DQ] (member)
TWO_HEADS = "two_heads"  # two members with 与户主关系 = 户主 [DQ]
NO_HEAD = "no_head"  # no 户主 in the household [DQ]
ID_STORED_AS_NUMBER = "id_stored_as_number"  # xlsx cell is a number: digits lost [DQ] (member)
BLANK_NAME = "blank_name"  # mandatory 姓名 empty [DQ] (member)
# 文化程度 and 在校生状况 impossible for the age [DQ] (member)
EDUCATION_IMPOSSIBLE = "education_impossible"
RISK_ELIMINATED_BELOW_LINE = "risk_eliminated_below_line"  # monitoring: eliminated, still below
ELIMINATION_TOO_SOON = "elimination_too_soon"  # monitoring: eliminated <= 2 months after identified

DEFECT_KINDS = (
    INCOME_BELOW_LINE, OUT_OF_SCHOOL, NO_MEDICAL_INSURANCE, DANGEROUS_HOUSE, WATER_UNSAFE,
    INCOME_IDENTITY_BROKEN, HOUSEHOLD_SIZE_MISMATCH, ID_BAD_CHECKSUM, ID_DUPLICATE, TWO_HEADS,
    NO_HEAD, ID_STORED_AS_NUMBER, BLANK_NAME, EDUCATION_IMPOSSIBLE, RISK_ELIMINATED_BELOW_LINE,
    ELIMINATION_TOO_SOON,
)
MEMBER_DEFECT_KINDS = (
    OUT_OF_SCHOOL, NO_MEDICAL_INSURANCE, ID_BAD_CHECKSUM, ID_DUPLICATE, ID_STORED_AS_NUMBER,
    BLANK_NAME, EDUCATION_IMPOSSIBLE,
)

# Controls: look suspicious, must NOT be reported (or must be read correctly).
HOME_SCHOOLED = "home_schooled"  # child 6-15 送教上门: counts as schooled [EDU]
SCHOOLING_EXEMPT = "schooling_exempt"  # 失学或辍学 but 因身体原因不具备学习条件: exempt [EDU]
THOUSANDS_SEPARATOR = "thousands_separator"  # 人均纯收入 written "3,750.00"
FULLWIDTH_DIGITS = "fullwidth_digits"  # 工资性收入 written with full-width digits
GRADE_SUFFIX = "grade_suffix"  # 危房级别 written "C级" (a rebuilt C house: fine)
CHECK_MARK = "check_mark"  # a 是/否 flag written "√"

# Risk flags derived from the final data (not planted one by one): return-to-poverty signals.
TRANSFER_DOMINANT = "transfer_dominant"  # 转移性收入 > half of gross income (docs/policy.md §4)
NO_WORKING_AGE_LABOUR = "no_working_age_labour"  # no member 16-59 with 普通/技能劳动力
TRANSFER_SHARE = 0.5  # the share used for TRANSFER_DOMINANT in this ground truth


@dataclass
class GroundTruth:
    """Everything known about a generated county (keys are 户编号 / 人编号 strings)."""

    style: str
    year: int
    province_code: str
    county_code: str
    income_line: float
    as_of: date
    seed: int
    households: dict[str, set[str]] = field(default_factory=dict)  # household -> defect kinds
    members: dict[str, set[str]] = field(default_factory=dict)  # member -> member defect kinds
    controls: dict[str, set[str]] = field(default_factory=dict)  # household -> control kinds
    risks: dict[str, set[str]] = field(default_factory=dict)  # household -> risk flags
    # Cells written differently from the frame's value (odd spellings, ID stored as a number):
    # canonical column -> {row position in the frame: value to write}.
    overrides: dict[str, dict[int, object]] = field(default_factory=dict)

    def add(self, table: dict[str, set[str]], key: str, kind: str) -> None:
        table.setdefault(key, set()).add(kind)

    def households_with(self, kind: str) -> list[str]:
        """Households carrying a defect, control or risk flag of this kind, sorted."""
        found = set()
        for table in (self.households, self.controls, self.risks):
            found |= {key for key, kinds in table.items() if kind in kinds}
        return sorted(found)

    def members_with(self, kind: str) -> list[str]:
        return sorted(key for key, kinds in self.members.items() if kind in kinds)


def to_dict(truth: GroundTruth) -> dict[str, object]:
    """A JSON-ready view (sets as sorted lists; overrides left out: they are write details)."""

    def table(entries: dict[str, set[str]]) -> dict[str, list[str]]:
        return {key: sorted(kinds) for key, kinds in sorted(entries.items())}

    return {
        "style": truth.style, "year": truth.year, "province_code": truth.province_code,
        "county_code": truth.county_code, "income_line": truth.income_line,
        "as_of": truth.as_of.isoformat(), "seed": truth.seed,
        "households": table(truth.households), "members": table(truth.members),
        "controls": table(truth.controls), "risks": table(truth.risks),
    }
