"""`exitcheck demo-data`: write a synthetic registry export with planted defects (demo and tests).

Formerly `exitcheck sample`, renamed so that it cannot be mistaken for field sampling (抽样, which
is `exitcheck draw`); `sample` stays as a hidden alias for one release (issue 10, item 6).
"""

from __future__ import annotations

import functools
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer


class SampleStyle(StrEnum):
    national = "national"
    monitoring = "monitoring"


class SampleFormat(StrEnum):
    xlsx = "xlsx"
    csv = "csv"
    parquet = "parquet"
    xls = "xls"


def sample(
    output: Annotated[Path, typer.Option("--output", "-o", help="输出文件 Output file.",
                                         dir_okay=False)],
    households: Annotated[int, typer.Option(help="户数 Number of households.", min=1)] = 500,
    seed: Annotated[int, typer.Option(help="随机种子：相同种子生成相同数据 Random seed "
                                           "(same seed, same data).")] = 1,
    year: Annotated[int | None, typer.Option(
        help="数据年度（默认 national 2019，monitoring 2023） Income year "
             "(default 2019 national, 2023 monitoring).")] = None,
    region: Annotated[str | None, typer.Option(
        help="省级代码或名称（默认 national 51 四川，monitoring 52 贵州） Province code or name "
             "(default 51 for national, 52 for monitoring).")] = None,
    county: Annotated[str | None, typer.Option(
        help="六位县级代码 6-digit county code (default: an example county of the region).")
    ] = None,
    style: Annotated[SampleStyle, typer.Option(
        help="导出样式：national 全国扶贫开发信息系统(2014–2020)，monitoring 防返贫监测(2021+) "
             "Export style.")] = SampleStyle.national,
    fmt: Annotated[SampleFormat | None, typer.Option(
        "--format", help="文件格式（默认取输出文件扩展名） File format (default: output suffix)."
    )] = None,
    truth: Annotated[Path | None, typer.Option(
        help="另存埋设问题清单（JSON） Also write the planted-defect list (JSON).",
        dir_okay=False)] = None,
    force: Annotated[bool, typer.Option("--force", help="覆盖已有文件 Overwrite existing files."
                                        )] = False,
    next_year: Annotated[Path | None, typer.Option(
        "--next-year", help="另生成下一年度数据（埋设年度变化，清单写入 <文件名>.changes.json；"
                            "用于 exitcheck diff） Also write the next year with planted "
                            "changes (for exitcheck diff).", dir_okay=False)] = None,
    lang: Annotated[str, typer.Option(help="提示语言 zh|en Message language.")] = "zh",
) -> None:
    """生成含已知问题的模拟建档立卡数据（演示与测试用；旧名 sample）。 Write a synthetic registry
    export with known planted defects (for demos and tests; formerly `sample`)."""
    import json
    import os

    from exitcheck.sample.generator import generate_county
    from exitcheck.sample.messages import MSG, usage_error
    from exitcheck.sample.truth import to_dict
    from exitcheck.sample.vocab import DEFAULT_COUNTY, PROVINCES
    from exitcheck.sample.writers import save

    style_name = style.value
    year = year if year is not None else (2023 if style_name == "monitoring" else 2019)
    region = region if region is not None else ("52" if style_name == "monitoring" else "51")
    by_name = {name: code for code, name in PROVINCES.items()}
    by_name.update({name.rstrip("省市"): code for name, code in list(by_name.items())})
    province = by_name.get(region.strip(), region.strip())
    county = county or DEFAULT_COUNTY.get(province, f"{province}0102")
    fmt_name = fmt.value if fmt else (output.suffix.lstrip(".").lower() or "xlsx")
    if truth is not None and truth.exists() and not force:
        raise usage_error("exists", str(truth), path=truth)

    frame, planted = generate_county(households, seed=seed, year=year, province_code=province,
                                     county_code=county, style=style_name)
    path = save(frame, planted, output, fmt_name, overwrite=force)
    if truth is not None:
        temp = truth.with_name(f".{truth.name}.{os.getpid()}.tmp")
        temp.write_text(json.dumps(to_dict(planted), ensure_ascii=False, indent=1),
                        encoding="utf-8")
        os.replace(temp, truth)
    typer.echo(MSG("written", lang, households=households, members=len(frame),
                   style=style_name, year=year, region=province, path=path))
    typer.echo(MSG("defects", lang, count=len(planted.households)))
    if next_year is not None:
        from exitcheck.sample.next_year import derive_next_year

        frame2, truth2, changes = derive_next_year(frame, planted, seed=seed + 1)
        path2 = save(frame2, truth2, next_year, fmt_name, overwrite=force)
        listed = path2.with_name(f"{path2.stem}.changes.json")
        temp = listed.with_name(f".{listed.name}.{os.getpid()}.tmp")
        temp.write_text(json.dumps(changes, ensure_ascii=False, indent=1), encoding="utf-8")
        os.replace(temp, listed)
        count = sum(len(v) for k, v in changes.items() if k != "controls")
        typer.echo(MSG("next_year", lang, year=truth2.year, count=count, changes=listed,
                       path=path2))


@functools.wraps(sample)
def sample_alias(*args: Any, **kwargs: Any) -> None:
    """The old name `exitcheck sample` (hidden): same command, with a note on stderr."""
    lang = str(kwargs.get("lang", "zh"))
    typer.echo("注意：exitcheck sample 已更名为 exitcheck demo-data（生成模拟数据，不是抽样；抽样请用 "
               "exitcheck draw）" if lang != "en" else
               "note: `exitcheck sample` is now `exitcheck demo-data` (synthetic data, not "
               "sampling; for field samples use `exitcheck draw`)", err=True)
    sample(*args, **kwargs)
