"""Write the estimation report: terminal (rich), JSON and workbook (xlsxwriter, atomic)."""

from __future__ import annotations

import json
import math
from dataclasses import asdict
from pathlib import Path
from typing import Any

from exitcheck.assess.estimate import VERDICT_LABELS, Composite, Measure
from exitcheck.assess.plan import Plan
from exitcheck.assess.visits import DrawBook, Visits
from exitcheck.assess.workbook import write_table

ISSUE_LABELS = {"no_household_id": "无户编号", "out_of_sample": "样本外", "duplicate": "重复",
                "bad_value": "取值无效", "inconsistent": "不一致"}


def _num(v: Any) -> Any:
    if isinstance(v, float) and (math.isnan(v) or math.isinf(v)):
        return None
    return v


def report_dict(book: DrawBook, visits: Visits, measures: list[Measure],
                composite: Composite | None, *, method: str, level: float, lang: str
                ) -> dict[str, Any]:
    en = lang == "en"
    out: dict[str, Any] = {
        "kind": "exitcheck.estimate", "version": 1,
        "draw": {"path": str(book.path), "seed": book.seed, "year": book.year,
                 "region": book.region, "sample_households": len(book.sample),
                 "reserve_households": len(book.reserves)},
        "method": method, "level": level,
        "visits": {"households": len(visits.households),
                   "reserves_used": visits.reserves_used,
                   "sample_not_visited": visits.not_visited,
                   "issues": [asdict(i) for i in visits.issues]},
        "estimates": [],
    }
    for m in measures:
        e, b = m.estimate, m.bounds
        out["estimates"].append({
            "measure": m.key, "label": m.label_en if en else m.label,
            "estimate": _num(e.r), "se": _num(e.se), "variance": _num(e.variance),
            "n": e.n, "households": e.households, "psus": e.psus, "strata": e.strata,
            "df": e.df, "deff": _num(e.deff), "n_eff": _num(b.n_eff),
            "n_eff_df": _num(b.n_eff_df), "lower": _num(b.lower), "upper": _num(b.upper),
            "threshold": m.threshold, "param": m.param, "verdict": m.verdict,
            "verdict_label": VERDICT_LABELS[m.verdict][1 if en else 0],
            "sentence": m.sentence_en if en else m.sentence,
            "weighted_numerator": _num(e.y_total), "weighted_denominator": _num(e.x_total),
        })
    if composite is not None:
        out["composite_incidence"] = {
            "estimate": _num(composite.value), "se": _num(composite.se),
            "upper": _num(composite.upper), "threshold": composite.threshold,
            "verdict": composite.verdict,
            "sentence": composite.sentence_en if en else composite.sentence}
    return out


def plan_dict(plan: Plan) -> dict[str, Any]:
    return {"kind": "exitcheck.sample_size", "version": 1,
            **{k: _num(v) for k, v in asdict(plan).items()}}


def write_json(data: dict[str, Any], path: Path | None, inputs: list[Path]) -> str:
    text = json.dumps(data, ensure_ascii=False, indent=1)
    if path is not None:
        from exitcheck.report.atomic import write_text_atomic

        write_text_atomic(path, text + "\n", inputs=inputs)
    return text


def write_workbook(data: dict[str, Any], visits: Visits, path: Path, inputs: list[Path]) -> None:
    import xlsxwriter

    from exitcheck.report.atomic import atomic_output

    with atomic_output(path, inputs=inputs) as tmp:
        wb = xlsxwriter.Workbook(str(tmp), {"strings_to_formulas": False,
                                            "strings_to_urls": False,
                                            "strings_to_numbers": False})
        head = wb.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
        pct = wb.add_format({"num_format": "0.0000%"})
        ws = wb.add_worksheet("估计结果")
        ws.write_string(0, 0, "错退率、漏评率与群众认可度估计（分层整群抽样，泰勒线性化方差）")
        cols = [("label", "指标"), ("estimate", "估计值"), ("se", "标准误"), ("n", "名义样本量"),
                ("psus", "村数"), ("strata", "层数"), ("df", "自由度"), ("deff", "设计效应"),
                ("n_eff", "有效样本量"), ("n_eff_df", "自由度调整后有效样本量"),
                ("lower", "单侧下限"), ("upper", "单侧上限"), ("threshold", "阈值"),
                ("verdict_label", "判定"), ("sentence", "结论")]
        fmts = [pct if c in ("estimate", "se", "lower", "upper", "threshold") else None
                for c, _ in cols]
        row = write_table(ws, 2, [h for _, h in cols],
                          [[e.get(c) for c, _ in cols] for e in data["estimates"]], head, fmts)
        comp = data.get("composite_incidence")
        if comp:
            ws.write_string(row + 1, 0, str(comp["sentence"]))
        ws.write_string(row + 3, 0, f"区间方法 {data['method']}，单侧置信水平 {data['level']}")
        ws.set_column(0, 0, 14)
        ws.set_column(1, 13, 12)
        ws.set_column(14, 14, 50)
        ws2 = wb.add_worksheet("核查户")
        vh = visits.households
        write_table(ws2, 0, ["户编号", "问题类型", "涉及人数", "认可度", "备选户", "来源"],
                    [[r.household_id, r.problem, r.affected, r.approval,
                      "是" if r.reserve else "", r.source] for r in vh.itertuples(index=False)],
                    head)
        ws2.set_column(0, 0, 20)
        ws2.set_column(5, 5, 40)
        ws3 = wb.add_worksheet("问题行")
        write_table(ws3, 0, ["类型", "位置", "户编号", "说明"],
                    [[ISSUE_LABELS.get(i.kind, i.kind), i.source, i.household_id, i.detail]
                     for i in visits.issues]
                    + [["未核查样本户", "", h, "样本户没有核查结论"] for h in visits.not_visited],
                    head)
        ws3.set_column(0, 3, 24)
        wb.close()


def render(data: dict[str, Any], visits: Visits, console: Any, lang: str,
           outputs: dict[str, Path]) -> None:
    from rich.table import Table

    en = lang == "en"
    console.print("错退率、漏评率与群众认可度" if not en
                  else "Wrong-exit, missed and approval rates")
    d = data["draw"]
    console.print(f"{d['path']} · seed {d['seed']} · {d['year']} · "
                  f"{data['visits']['households']} " + ("户有核查结果" if not en else
                                                         "households visited"))
    table = Table(show_edge=False, box=None, header_style="bold")
    heads = (["指标", "估计值", "标准误", "n", "村", "df", "deff", "有效n", "下限", "上限", "判定"]
             if not en else ["measure", "estimate", "se", "n", "PSUs", "df", "deff", "n_eff",
                             "lower", "upper", "verdict"])
    for i, h in enumerate(heads):
        table.add_column(h, justify="left" if i in (0, len(heads) - 1) else "right")

    def pct(v: Any) -> str:
        return "—" if v is None else f"{100 * float(v):.2f}%"

    def num(v: Any, digits: int = 1) -> str:
        return "—" if v is None else f"{float(v):,.{digits}f}"

    for e in data["estimates"]:
        table.add_row(e["label"], pct(e["estimate"]), pct(e["se"]), num(e["n"], 0),
                      str(e["psus"]), str(e["df"]), num(e["deff"], 2), num(e["n_eff_df"]),
                      pct(e["lower"]), pct(e["upper"]), e["verdict_label"])
    console.print(table)
    for e in data["estimates"]:
        console.print(f"· {e['sentence']}")
    comp = data.get("composite_incidence")
    if comp:
        console.print(f"· {comp['sentence']}")
    issues = visits.issues
    if issues or visits.not_visited or visits.reserves_used:
        console.print("核查结果问题" if not en else "Visit-file issues")
        counts: dict[str, int] = {}
        for issue in issues:
            counts[issue.kind] = counts.get(issue.kind, 0) + 1
        for kind, n in counts.items():
            console.print(f"  {ISSUE_LABELS.get(kind, kind)}：{n} 行")
        for issue in issues[:20]:
            console.print(f"    {issue.source} {issue.household_id} {issue.detail}")
        if visits.not_visited:
            console.print(f"  未核查样本户：{len(visits.not_visited)} 户")
        if visits.reserves_used:
            console.print(f"  使用备选户：{len(visits.reserves_used)} 户")
    if outputs:
        console.print("输出文件" if not en else "Output files")
        for label, path in outputs.items():
            console.print(f"  {label}: {path.resolve()}")


def render_plan(plan: Plan, console: Any, lang: str) -> None:
    en = lang == "en"
    if plan.persons < 0:
        console.print("预期比例不低于上限：无法证明" if not en else
                      "expected rate is not below the bound: cannot be demonstrated")
        return
    if en:
        console.print(f"to show a rate below {100 * plan.upper:g}% at {100 * plan.level:g}% "
                      f"(one-sided) with expected rate {100 * plan.expected:g}%: "
                      f"n_eff = {plan.n_eff:.1f}; with deff {plan.deff:g}: {plan.persons} persons"
                      + (f", ≈ {plan.households} households" if plan.households else ""))
    else:
        console.print(f"要以 {100 * plan.level:g}% 单侧置信证明比例低于 {100 * plan.upper:g}%"
                      f"（预期比例 {100 * plan.expected:g}%）：有效样本量 {plan.n_eff:.1f} 人；"
                      f"设计效应 {plan.deff:g} 时需核查 {plan.persons} 人"
                      + (f"，约 {plan.households} 户" if plan.households else ""))
    console.print("n = deff × ln α / ln(1 − p₀)（零发现时）" if not en else
                  "n = deff × ln α / ln(1 − p₀) (zero findings)")
