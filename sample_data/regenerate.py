"""Regenerate the committed sample exports and their README (run from the repository root)."""

from __future__ import annotations

import json
from pathlib import Path

from exitcheck.sample import truth as t
from exitcheck.sample.generator import generate_county
from exitcheck.sample.monitoring_tables import write_monitoring_tables
from exitcheck.sample.writers import save

HERE = Path(__file__).resolve().parent

SAMPLES = [
    # (stem, households, seed, year, province, county, style, formats)
    ("county_2019", 500, 2019, 2019, "51", "511602", "national", ("xlsx", "csv")),
    ("monitoring_2023", 300, 2023, 2023, "52", "522327", "monitoring", ("xlsx",)),
]

KIND_TEXT = {
    t.INCOME_BELOW_LINE: "已脱贫/脱贫户但人均纯收入不高于标准 exited, income not above the line",
    t.RISK_ELIMINATED_BELOW_LINE: "风险已消除但收入仍低于监测线 eliminated, income below",
    t.ELIMINATION_TOO_SOON: "识别后 2 个月内即消除风险 eliminated within 2 months",
    t.OUT_OF_SCHOOL: "6-15 岁失学或辍学 child aged 6-15 out of school",
    t.NO_MEDICAL_INSURANCE: "成员未参加基本医疗保险 member without basic medical insurance",
    t.DANGEROUS_HOUSE: "危房未改造（C/D 级）dangerous house not rebuilt",
    t.WATER_UNSAFE: "饮水不安全 drinking water unsafe",
    t.INCOME_IDENTITY_BROKEN: "收入构成不平衡 income identity broken",
    t.HOUSEHOLD_SIZE_MISMATCH: "家庭人口数与成员行数不符 household size != member rows",
    t.ID_BAD_CHECKSUM: "身份证校验码错误 bad ID check character",
    t.ID_DUPLICATE: "身份证号跨户重复 ID duplicated across households",
    t.TWO_HEADS: "两个户主 two heads",
    t.NO_HEAD: "无户主 no head",
    t.ID_STORED_AS_NUMBER: "身份证号以数字存储（末位丢失）ID stored as a number (digits lost)",
    t.BLANK_NAME: "姓名为空 blank name",
    t.EDUCATION_IMPOSSIBLE: "文化程度与年龄不符 education impossible for age",
    t.HOME_SCHOOLED: "送教上门（视同在校，不应报告）home schooling: counts as schooled",
    t.SCHOOLING_EXEMPT: "因身体原因不具备学习条件（豁免）exempt from schooling",
    t.THOUSANDS_SEPARATOR: "人均纯收入写作 3,750.00 样式 thousands separator",
    t.FULLWIDTH_DIGITS: "工资性收入为全角数字 full-width digits",
    t.GRADE_SUFFIX: "危房级别写作 “C级”（已改造）grade written C级 (rebuilt)",
    t.CHECK_MARK: "是/否 写作 √ flag written as a check mark",
    t.TRANSFER_DOMINANT: "转移性收入超过总收入一半 transfer income > half of gross income",
    t.NO_WORKING_AGE_LABOUR: "无 16-59 岁普通/技能劳动力 no working-age labour",
}


def _section(title: str, table: dict[str, set[str]], kinds: list[str]) -> list[str]:
    lines = [f"#### {title}", "", "| kind | 说明 description | 户编号 household ids |",
             "|---|---|---|"]
    for kind in kinds:
        ids = sorted(h for h, ks in table.items() if kind in ks)
        if ids:
            lines.append(f"| `{kind}` | {KIND_TEXT[kind]} | {', '.join(ids)} |")
    return [*lines, ""]


TABLES = "monitoring_2023_tables"
TABLE_FILES = [  # (file, kind, what one row is)
    ("监测对象信息.xlsx", "members", "one row per person, household fields (户类型, 监测对象类别, "
     "识别监测时间, 风险是否已消除, incomes …) repeated"),
    ("户信息.xlsx", "households",
     "one row per household (家庭人口数, 耕地面积, 住房面积, 帮扶措施 …)"),
    ("已外出务工信息.xlsx", "work", "one row per work spell (是否已务工 = 是, 务工开始/结束时间, "
     "务工月收入 …)"),
    ("计划外出务工信息.xlsx", "work_plan", "planned work (是否计划外出务工 = 是, 就业服务需求)"),
    ("行政村信息.xlsx", "village", "one row per village (是否出列, 总户数, 总人口数 …), no 户编号"),
]


def _where(item: dict[str, object]) -> str:
    """A truth item's place: 户编号 / 人编号, the row of its table, or the village."""
    keys = " / ".join(str(item[k]) for k in ("household_id", "member_id") if item.get(k))
    if item.get("village"):
        return str(item["village"])
    if item.get("row"):
        return f"row {item['row']}: {keys}"
    return keys


def _tables_section(truth: dict[str, object]) -> list[str]:
    """The README section of the monitoring-era dataset, from the truth its generator returns."""
    counts: dict[str, int] = truth["counts"]  # type: ignore[assignment]
    lines = [
        f"### `{TABLES}/` — a monitoring-era dataset of five tables", "",
        f"A 防返贫监测信息系统 export of 贵州省 册亨县 ({truth['county_code']}) "
        f"for {truth['year']}, "
        "as several files (see [docs/dataset-model.md](../docs/dataset-model.md)): "
        f"{counts['households']} households, {counts['members']} persons, "
        f"{counts['village']} villages, {counts['work']} work spells. Every file has a title row "
        "above its single header row. Values use the national code-list spellings (患有大病, "
        f"农村低保, 高职高专一年级, 送教上门 …). Made by `exitcheck.sample.monitoring_tables` "
        f"(seed {truth['seed']}); regenerate with `python sample_data/regenerate.py`.", "",
        "| file | table kind | rows |", "|---|---|---|",
        *(f"| `{f}` | `{k}`: {what} | {counts[k]} |" for f, k, what in TABLE_FILES),
        "| `truth.json` | the planted problems and controls below (`problems`, `controls`) | |", "",
        f"Audit it with `exitcheck audit sample_data/{TABLES}/ --year {truth['year']} "
        "--region 贵州` "
        f"(or list the files: `sample_data/{TABLES}/*.xlsx`).", "",
    ]
    for key, title in (("problems", "Planted problems (the audit must report these)"),
                       ("controls", "Controls (look suspicious, must NOT be reported by the "
                                    "rule named)")):
        lines += [f"#### {title}", "", "| rule | 说明 description | file | "
                  "户编号 / 人编号 (or row, village) |", "|---|---|---|---|"]
        items: list[dict[str, object]] = truth[key]  # type: ignore[assignment]
        lines += [f"| {i['rule']} | {i['kind']} | {i['table']} | {_where(i)} |" for i in items]
        lines.append("")
    return lines


def main() -> None:
    parts: list[str] = []
    for stem, n, seed, year, province, county, style, formats in SAMPLES:
        frame, truth = generate_county(n, seed=seed, year=year, province_code=province,
                                       county_code=county, style=style)
        for fmt in formats:
            save(frame, truth, HERE / f"{stem}.{fmt}", fmt, overwrite=True)
        (HERE / f"{stem}.truth.json").write_text(
            json.dumps(t.to_dict(truth), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        files = ", ".join(f"`{stem}.{fmt}`" for fmt in formats)
        parts += [
            f"### {files}", "",
            f"- style `{style}`, province {province}, county {county}, year {year}, "
            f"{n} households, {len(frame)} member rows, seed {seed}",
            f"- income line used to shape incomes: {truth.income_line:g} 元 "
            f"(as of {truth.as_of.isoformat()})",
            f"- ground truth: `{stem}.truth.json`",
            f"- regenerate: `exitcheck sample --households {n} --seed {seed} --year {year} "
            f"--region {province} --county {county} --style {style} -o sample_data/{stem}.xlsx "
            f"--truth sample_data/{stem}.truth.json --force`",
            "",
        ]
        parts += _section("Planted defects (the audit must report these)", truth.households,
                          list(t.DEFECT_KINDS))
        members = [f"{m} ({', '.join(sorted(k))})" for m, k in sorted(truth.members.items())]
        parts += ["Member-level defects (人编号): " + "; ".join(members), ""]
        parts += _section("Controls (look odd, must NOT be reported / must be read correctly)",
                          truth.controls, list(KIND_TEXT))
        risky = {k: sum(k in v for v in truth.risks.values())
                 for k in (t.TRANSFER_DOMINANT, t.NO_WORKING_AGE_LABOUR)}
        parts += [
            "Risk flags derived from the data (see the truth JSON for ids): "
            + ", ".join(f"`{k}` {v} households" for k, v in risky.items()), "",
        ]
    parts += _tables_section(write_monitoring_tables(HERE / TABLES))
    text = (HERE / "README.head.md").read_text(encoding="utf-8") + "\n" + "\n".join(parts)
    (HERE / "README.md").write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
