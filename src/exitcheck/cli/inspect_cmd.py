"""`exitcheck inspect FILE...`: show what loading detected (reader, header, mapping, row accounting)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from exitcheck.cli.app import set_lang
from exitcheck.cli.choices import Lang, OutputFormat
from exitcheck.cli.options import LangOpt


def inspect(
    files: Annotated[list[Path], typer.Argument(help="登记表文件 Registry exports", show_default=False)],
    sheet: Annotated[str | None, typer.Option("--sheet", help="工作表名称或序号 Sheet name or 1-based index")] = None,
    encoding: Annotated[str | None, typer.Option("--encoding", help="CSV 编码（默认自动识别）CSV encoding")] = None,
    columns: Annotated[Path | None, typer.Option("--columns", help="表头映射文件 Header mapping YAML")] = None,
    fmt: Annotated[OutputFormat, typer.Option("--format", help="rich 或 json")] = OutputFormat.rich,
    lang: LangOpt = Lang.zh,
    show_ids: Annotated[bool, typer.Option("--show-ids", help="显示完整证件号码、电话、银行卡号（默认脱敏）Unmask identifiers")] = False,
) -> None:
    """查看读取与识别结果 Show what exitcheck detects in registry exports."""
    set_lang(lang.value)
    from exitcheck.inputs import expand_inputs
    from exitcheck.io import prefetch

    files = expand_inputs(list(files))  # a folder: the dataset's tables in it
    prefetch.start(list(files), sheet)  # parses while the rest is imported (io/prefetch.py)
    from exitcheck.schema.loader import load_registry

    registry = load_registry(list(files), sheet=sheet, encoding=encoding, columns=columns)
    data = inspection(registry, show_ids=show_ids)
    if fmt is OutputFormat.json:
        json.dump(data, sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
        return
    from rich.console import Console

    from exitcheck.report.inspect_view import render_inspection

    render_inspection(data, Console(), lang=lang.value)


def inspection(registry, *, show_ids: bool = False) -> dict[str, object]:
    """The JSON-able description of a loaded registry (also rendered by the rich view).

    Every text from the input (file and sheet names, headers, notes) passes the audit report's
    mask: an ID or phone number used as a header or file name is masked unless ``show_ids``.
    """
    from exitcheck.report.mask import mask_any

    issues = registry.issues
    by_kind = (issues.groupby("kind").size().astype(int).to_dict() if len(issues) else {})
    return mask_any({
        "households": int(registry.n_households),
        "members": int(registry.n_members),
        "inputs": [
            {
                "path": str(info.path),
                "sheet": info.sheet,
                "reader": info.reader,
                "encoding": info.encoding,
                "sha256": info.sha256,
                "title_rows": list(info.title_rows),
                "header_rows": list(info.header_rows),
                "rows_read": int(info.rows_read),
                "member_rows": int(info.member_rows),
                "rows_skipped": {k: int(v) for k, v in info.skipped.items()},
                "columns": {name: {"header": hdr, "column": letter}
                            for name, (hdr, letter) in info.mapping.items()},
                "unmatched": list(info.unmatched),
                "sensitive": list(info.sensitive),
                "missing_optional": list(info.missing_optional),
                "notes": list(info.notes),
            }
            for info in registry.inputs
        ],
        "issues": {str(k): int(v) for k, v in by_kind.items()},
    }, show_ids=show_ids)
