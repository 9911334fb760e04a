"""Typer option declarations shared by several commands (year, region, as-of, rule/param sources)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from exitcheck.cli.choices import Lang, OutputFormat

LangOpt = Annotated[Lang, typer.Option("--lang", help="输出语言 Output language")]
YearOpt = Annotated[
    int | None,
    typer.Option("--year", min=2000, max=2100, help="核查的收入年度 Income year audited"),
]
RegionOpt = Annotated[
    str | None,
    typer.Option("--region", help="省份名称或代码（如 四川 / 51）Province name or code"),
]
AsOfOpt = Annotated[
    str | None,
    typer.Option("--as-of", help="计算年龄的基准日 YYYY-MM-DD（默认 --year 年末）Reference date"),
]
RulesOpt = Annotated[
    list[Path] | None,
    typer.Option("--rules", help="追加规则文件或目录 Extra rule files/folders"),
]
ParamsOpt = Annotated[
    list[Path] | None,
    typer.Option("--params", help="覆盖参数的文件或目录 Parameter overrides"),
]


def console() -> object:
    """A rich console; wide when not a terminal so that tables are not wrapped in pipes/tests."""
    from rich.console import Console

    con = Console()
    return con if con.is_terminal else Console(width=200)
# Reading options and report outputs shared by the assessor's commands (exit-rates, draw, diff,
# bunching): the same spelling and help everywhere.
SheetOpt = Annotated[
    str | None, typer.Option("--sheet", help="工作表名称或序号 Sheet name or 1-based index")
]
EncodingOpt = Annotated[str | None, typer.Option("--encoding", help="CSV 编码 CSV encoding")]
ColumnsOpt = Annotated[
    Path | None, typer.Option("--columns", help="表头映射文件 Header mapping YAML")
]
NoExcelOpt = Annotated[
    bool, typer.Option("--no-excel", help="不写工作簿 Do not write the workbook")
]
JsonOpt = Annotated[Path | None, typer.Option("--json", help="另存 JSON Write JSON")]
FormatOpt = Annotated[OutputFormat, typer.Option("--format", help="终端输出：rich 或 json")]
