"""docs/rule-catalogue.md generated from the loaded rules and parameters (`exitcheck rules doc`)."""

from __future__ import annotations

from pathlib import PurePath

from exitcheck.engine.params import ParamStore
from exitcheck.engine.ruleset import RuleSet

FAMILY_NAMES = {
    "INC": "一超过 income", "FOOD": "两不愁 food and clothing", "EDU": "义务教育 education",
    "MED": "基本医疗 medical", "HOU": "住房安全 housing", "WAT": "饮水安全 water",
    "RISK": "防返贫监测 return-to-poverty monitoring", "DQ": "数据质量 data quality",
    "VIL": "贫困村退出 village exit", "CTY": "贫困县退出 county exit",
}

INTRO = """# Shipped rule catalogue

Every rule shipped in `rules/rulesets/`, generated from the YAML by `exitcheck rules doc`
(`tests/engine/test_rule_docs.py` fails when this file is out of date). Severity: `fail` exit
criterion not met, `risk` return-to-poverty risk, `error` data-quality error, `warning`. Each rule
has test cases in `rules/tests/<CODE>.yaml`. Parameters are resolved for (year, province) from
`rules/params/`.
"""

MISSING_DATA = """## How missing data is read

- A value a rule needs that is blank (or a column the export lacks) is unknown: the rule is
  `not_evaluated` for that household, never passed (FOOD001/FOOD002 without 吃穿 columns, INC001
  without 人均纯收入, EDU001 for a school-age child with a blank 在校生状况).
- Population tests (`when`) are written so that they are never unknown: `coalesce(脱贫标志, "")`,
  `notblank(...)`. A household outside the population is `not_applicable`.
- Deliberate exceptions, each commented in its rule file: 城镇职工医保 (absent from 2014-2020
  exports) blank = not enrolled in that scheme (MED001); remedy flags of a dangerous house
  (危房改造, 搬迁, 其他保障) blank = no remedy recorded (HOU001); 饮水是否困难 blank = no difficulty
  recorded (WAT001); blank income components count as 0 in the identities (DQ020, DQ022);
  未上学原因 blank = no exemption (EDU001).
- A parameter with no value in force for the audited year (the monitoring line before 2020) means
  the rules reading it are not run; the report's notes name them.
"""


def _cell(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _practice_section(ruleset: RuleSet) -> list[str]:
    """Practitioners' check number -> the rules that cover it (docs/practice-checks.md lists
    every check, including the ones left out and why)."""
    covered: dict[str, list[str]] = {}
    for rule in ruleset.rules:
        for number in rule.spec.practice:
            covered.setdefault(number, []).append(rule.code)
    if not covered:
        return []
    out = ["## Practitioners' checks covered", "",
           f"{len(covered)} checks of the Guizhou practitioners' tool (Gzuwkj/fuping, numbered by "
           "its rule files) are covered by shipped rules; docs/practice-checks.md lists every "
           "check, with the ones left out and why.", "",
           "| check | rules |", "|---|---|"]
    for number in sorted(covered):
        out.append(f"| {number} | {', '.join(sorted(set(covered[number])))} |")
    out.append("")
    return out


def render_rule_catalogue(ruleset: RuleSet, params: ParamStore) -> str:
    out = [INTRO]
    for family, title in FAMILY_NAMES.items():
        rules = sorted((r for r in ruleset.rules if r.family == family), key=lambda r: r.code)
        if not rules:
            continue
        out += [f"## {family} — {title}", "",
                "| code | name | title | severity | level | reference | parameters | practice "
                "| file |",
                "|---|---|---|---|---|---|---|---|---|"]
        for rule in rules:
            spec = rule.spec
            used = (", ".join(f"`{p}`" for p in rule.params)
                    or (f"builtin `{spec.builtin}`" if spec.builtin else "—"))
            out.append(
                f"| {spec.code} | `{spec.name}` | {_cell(spec.title)}<br>{_cell(spec.title_en)} "
                f"| {spec.severity} | {spec.level} | {_cell(spec.reference)} | {used} "
                f"| {', '.join(spec.practice) or '—'} | {PurePath(rule.source).name} |"
            )
        out.append("")
    out += _practice_section(ruleset)
    out += [MISSING_DATA, "## Parameters", "",
            "| parameter | title | unit | values (from: value, region, verified) |",
            "|---|---|---|---|"]
    for name in sorted(params.names()):
        pdef = params.get(name)
        values = []
        for region, entry in pdef.table():
            value = entry.value
            if isinstance(value, list):
                value = "[" + ", ".join(map(str, value)) + "]"
            flag = "" if entry.verified else ", unverified"
            values.append(f"{entry.from_.isoformat()}: {value} ({region}{flag})")
        out.append(f"| `{name}` | {_cell(pdef.title)}<br>{_cell(pdef.title_en)} "
                   f"| {pdef.unit or '—'} | {'<br>'.join(values)} |")
    out.append("")
    return "\n".join(out)
