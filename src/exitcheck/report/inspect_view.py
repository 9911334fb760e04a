"""Rich rendering of `exitcheck inspect` (the data comes from cli.inspect_cmd.inspection)."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table
from rich.text import Text

from exitcheck.i18n import Catalogue
from exitcheck.report.mask import printable

MSG = Catalogue({
    "input": ("文件", "File"),
    "reader": ("读取方式", "Reader"),
    "encoding": ("编码", "Encoding"),
    "sheet": ("工作表", "Sheet"),
    "title_rows": ("标题行", "Title rows"),
    "header_rows": ("表头行", "Header rows"),
    "rows": ("行数", "Rows"),
    "rows_line": ("读取 {read} 行 = 成员 {members} 行 + 跳过 {skipped} 行",
                  "{read} rows read = {members} member rows + {skipped} skipped"),
    "skip_reason": ("跳过原因", "Skipped because"),
    "mapping": ("列识别", "Column mapping"),
    "field": ("字段", "Field"),
    "header": ("表头", "Header"),
    "column": ("列", "Column"),
    "unmatched": ("未识别的表头（保留，可用 col(\"…\") 引用）：{items}",
                  "Unrecognised headers (kept, usable as col(\"…\")): {items}"),
    "missing_optional": (
        "缺少的推荐字段：{items}（其他字段缺失时，需要它们的规则由 audit 列为未运行或无法判定）",
        "Recommended fields absent: {items} (audit lists the rules that could not run or "
        "decide without a column)",
    ),
    "totals": ("共 {households} 户 {members} 人", "{households} households, {members} members"),
    "issues": ("读取时发现的数据问题", "Data issues found while loading"),
    "none": ("无", "none"),
})

SKIP_REASONS = Catalogue({
    "blank": ("空行", "blank row"),
    "total": ("合计/小计行", "total/subtotal row"),
    "repeated_header": ("重复的表头行", "repeated header row"),
    "no_household_id": ("缺少户编号", "no household id"),
})


ISSUE_KINDS = Catalogue({
    "id_stored_as_number": ("证件号码以数字存储", "ID stored as a number"),
    "value_not_allowed": ("取值不在允许范围", "value not allowed"),
    "household_field_conflict": ("同户各行户级字段不一致", "household rows disagree"),
    "unparseable_number": ("数值无法识别", "unreadable number"),
    "unparseable_date": ("日期无法识别", "unreadable date"),
    "duplicate_id_across_households": ("证件号码跨户重复", "ID in several households"),
})


def skip_reason_text(reason: str, lang: str) -> str:
    return SKIP_REASONS(reason, lang) if reason in SKIP_REASONS.entries else reason


def _t(text: object) -> Text:
    """Input-derived text (already masked by inspection()): markup and control characters
    shown, never acted on (report/mask.py printable)."""
    return Text(printable(str(text)))


def render_inspection(data: dict, console: Console, *, lang: str = "zh") -> None:
    for info in data["inputs"]:
        table = Table(show_header=False, box=None, pad_edge=False)
        table.add_column(style="bold")
        table.add_column()
        table.add_row(MSG("input", lang), _t(info["path"]))
        table.add_row(MSG("sheet", lang), _t(info["sheet"]))
        table.add_row(MSG("reader", lang), _t(info["reader"]))
        if info["encoding"]:
            table.add_row(MSG("encoding", lang), _t(info["encoding"]))
        table.add_row(MSG("title_rows", lang), ", ".join(map(str, info["title_rows"])) or "-")
        table.add_row(MSG("header_rows", lang), ", ".join(map(str, info["header_rows"])))
        skipped = sum(info["rows_skipped"].values())
        table.add_row(MSG("rows", lang), MSG("rows_line", lang, read=info["rows_read"],
                                              members=info["member_rows"], skipped=skipped))
        if skipped:
            reasons = "，".join(f"{skip_reason_text(k, lang)} {v}"
                               for k, v in info["rows_skipped"].items() if v)
            table.add_row(MSG("skip_reason", lang), reasons)
        console.print(table)

        mapping = Table(title=MSG("mapping", lang), title_justify="left")
        mapping.add_column(MSG("column", lang))
        mapping.add_column(MSG("header", lang))
        mapping.add_column(MSG("field", lang))
        for name, hit in info["columns"].items():
            mapping.add_row(_t(hit["column"]), _t(hit["header"]), _t(name))
        console.print(mapping)
        none = MSG("none", lang)
        console.print(_t(MSG("unmatched", lang, items="、".join(info["unmatched"]) or none)))
        console.print(_t(MSG("missing_optional", lang,
                             items="、".join(info["missing_optional"]) or none)))
        for note in info["notes"]:
            console.print(_t(f"· {note}"))
        console.print()
    console.print(MSG("totals", lang, households=data["households"], members=data["members"]),
                  style="bold")
    if data["issues"]:
        console.print(_t(MSG("issues", lang) + "：" + "，".join(
            f"{ISSUE_KINDS(k, lang) if k in ISSUE_KINDS.entries else k} {v}"
            for k, v in data["issues"].items())))
