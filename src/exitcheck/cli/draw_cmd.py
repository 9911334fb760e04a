"""`exitcheck draw FILE... --seed N`: a reproducible two-stage stratified sample for field
visits, written as a workbook with the design, the sample, the reserves and one printable
入户核查表 per village (issue 10, part 2)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from exitcheck.cli.app import set_lang
from exitcheck.cli.choices import Lang
from exitcheck.cli.options import (
    AsOfOpt,
    ColumnsOpt,
    EncodingOpt,
    LangOpt,
    ParamsOpt,
    RegionOpt,
    RulesOpt,
    SheetOpt,
    YearOpt,
)
from exitcheck.errors import UsageError


def _pairs(values: list[str] | None, option: str, cast: type) -> dict[str, float]:
    from exitcheck.assess.frame import HH_TYPE_KEYS

    out: dict[str, float] = {}
    for item in values or []:
        for part in item.split(","):
            if not part.strip():
                continue
            key, sep, value = part.partition("=")
            label = HH_TYPE_KEYS.get(key.strip())
            try:
                number = cast(value.strip()) if sep else None
            except ValueError:
                number = None
            if label is None or number is None or number < 0:
                raise UsageError(
                    f"{option} 的取值 {part!r} 无效：应为 户类型=数，户类型为 exited、poor、monitored、"
                    "ordinary、other（或 已脱贫户、未脱贫户、监测户、一般农户、其他）",
                    message_en=f"invalid {option} value {part!r}: use TYPE=NUMBER with TYPE one of "
                               "exited, poor, monitored, ordinary, other",
                    location=option)
            out[label] = float(number)
    return out


def draw(
    files: Annotated[list[Path], typer.Argument(help="登记表文件（可多个）Registry exports", show_default=False)],
    seed: Annotated[int, typer.Option("--seed", help="随机种子（必填，记入方案；相同种子与数据得到相同样本）Seed (required)")],
    year: YearOpt = None,
    villages: Annotated[int, typer.Option("--villages", min=1, help="样本村总数（按村层分配）Villages to sample in total")] = 29,
    village_allocation: Annotated[str, typer.Option("--village-allocation", help="村层分配：proportional（按村数比例）或 equal")] = "proportional",
    rate: Annotated[list[str] | None, typer.Option("--rate", help="村内各类户抽样比例，如 ordinary=0.2,exited=1（默认 已脱贫/未脱贫/监测户 全部，一般农户 20%）Per-type rates")] = None,
    fixed: Annotated[list[str] | None, typer.Option("--fixed", help="村内各类户固定样本数，如 exited=20（优先于 --rate）Fixed per-type sizes")] = None,
    cap: Annotated[int, typer.Option("--cap", min=1, help="每村样本户上限 Households per village at most")] = 200,
    reserves: Annotated[int, typer.Option("--reserves", min=0, help="每村每类备选户数 Reserves per village and type")] = 3,
    output: Annotated[Path | None, typer.Option("-o", "--output", help="工作簿路径；默认 ./<输入名>_抽样_<种子>.xlsx Workbook path")] = None,
    show_ids: Annotated[bool, typer.Option("--show-ids", help="核查表中显示完整证件号码（默认脱敏）Unmask ID numbers")] = False,
    region: RegionOpt = None,
    as_of: AsOfOpt = None,
    rules: RulesOpt = None,
    params: ParamsOpt = None,
    lang: LangOpt = Lang.zh,
    sheet: SheetOpt = None,
    encoding: EncodingOpt = None,
    columns: ColumnsOpt = None,
) -> None:
    """抽取可复现的分层两阶段入户核查样本并生成核查表 Draw a reproducible field-visit sample."""
    set_lang(lang.value)
    from exitcheck.assess.draw import DEFAULT_RATES, DrawSpec, draw_sample
    from exitcheck.assess.frame import build_frame
    from exitcheck.assess.inputs import run_pipeline
    from exitcheck.assess.visit_sheet import WorkbookInfo, write_draw_workbook
    from exitcheck.cli.audit_cmd import check_outputs_differ
    from exitcheck.scope import parse_as_of

    rates = {**DEFAULT_RATES, **_pairs(rate, "--rate", float)}
    if any(r > 1 for r in rates.values()):
        raise UsageError("--rate 的比例不能大于 1", message_en="--rate values must be at most 1",
                         location="--rate")
    fixed_sizes = {k: int(v) for k, v in _pairs(fixed, "--fixed", int).items()}
    workbook = output or Path.cwd() / f"{files[0].stem}_抽样_{seed}.xlsx"
    check_outputs_differ(files, [workbook])
    result, _store = run_pipeline(files, year=year, region=region, as_of=parse_as_of(as_of),
                                  sheet=sheet, encoding=encoding, columns=columns,
                                  rules=rules or [], params=params or [], lang=lang.value)
    draw_year = year if year is not None else result.year
    frame = build_frame(result, seed=seed, year=draw_year)
    spec = DrawSpec(seed=seed, year=draw_year, villages=villages,
                    village_allocation=village_allocation, rates=rates, fixed=fixed_sizes,
                    cap=cap, reserves=reserves)
    drawn = draw_sample(frame, spec)
    hh = frame.households
    totals = {
        "建档立卡人数": float(hh["persons"].sum() - hh["nonregistered_persons"].sum()),
        "已脱贫人数": float(hh["exited_persons"].sum()),
        "未脱贫人数": float(hh.loc[hh["hh_type"] == "未脱贫户", "persons"].sum()),
        "非建档立卡人数（登记数据中）": float(hh["nonregistered_persons"].sum()),
    }
    info = WorkbookInfo([(i.path.name, i.sha256) for i in result.registry.inputs], totals,
                        region=result.region)
    write_draw_workbook(drawn, workbook, info, members=result.registry.members,
                        households=result.registry.households, show_ids=show_ids,
                        inputs=files)
    en = lang.value == "en"
    n_v = int(drawn.villages["sampled"].sum())
    if en:
        typer.echo(f"sample: {n_v} villages, {len(drawn.sample)} households, "
                   f"{len(drawn.reserves)} reserves (seed {seed}, year {draw_year})")
        typer.echo(f"frame SHA-256 {frame.sha256}")
        typer.echo(f"workbook: {workbook.resolve()}")
    else:
        typer.echo(f"样本：{n_v} 个村，{len(drawn.sample)} 户，备选 {len(drawn.reserves)} 户"
                   f"（种子 {seed}，年度 {draw_year}）")
        typer.echo(f"抽样框 SHA-256 {frame.sha256}")
        typer.echo(f"工作簿：{workbook.resolve()}")
    for note in drawn.notes:
        typer.echo(f"· {note}")
