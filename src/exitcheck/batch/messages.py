"""User-facing text of batch audits and their roll-up: Chinese first, English alternative."""

from __future__ import annotations

from exitcheck.i18n import Catalogue

MSG = Catalogue(
    {
        "title": ("批量核查汇总", "Batch audit roll-up"),
        "units_line": ("共 {units} 个核查单元（县/数据集），{households} 户 {members} 人",
                       "{units} units (counties/datasets), {households} households, "
                       "{members} members"),
        "sheet.summary": ("汇总", "Summary"),
        "sheet.failing": ("未达标户", "Failing households"),
        "sheet.at_risk": ("返贫风险户", "At-risk households"),
        "sheet.villages": ("按村统计", "By village"),
        "sheet.overlap": ("跨文件重复", "Across files"),
        "sheet.findings": ("明细", "All findings"),
        "sec.units": ("各单元核查结果", "Units"),
        "sec.notes": ("说明", "Notes"),
        "sec.outputs": ("输出文件", "Output files"),
        "col.unit": ("文件", "File"),
        "col.counties": ("县", "County"),
        "col.rows_read": ("读取行数", "Rows read"),
        "col.rows_units": ("核查行数", "Rows audited"),
        "col.rows_skipped": ("跳过行", "Rows skipped"),
        "col.households": ("户数", "Households"),
        "col.members": ("人数", "Members"),
        "col.failing": ("未达标户", "Failing"),
        "col.at_risk": ("风险户", "At risk"),
        "col.data_errors": ("数据错误户", "Data errors"),
        "col.not_evaluated": ("无法判定户", "Not evaluated"),
        "col.rules_not_run": ("未运行规则", "Rules not run"),
        "col.findings": ("问题条数", "Findings"),
        "col.exit_code": ("退出码", "Exit status"),
        "col.status": ("结论", "Verdict"),
        "col.reconciled": ("行数平衡", "Rows reconcile"),
        # the terminal's narrower headers (80 columns)
        "con.rows_read": ("读取行", "Rows"),
        "con.households": ("户数", "HH"),
        "con.failing": ("未达标", "Fail"),
        "con.at_risk": ("风险", "Risk"),
        "con.data_errors": ("数据错", "Err"),
        "con.rules_not_run": ("未运行", "NotRun"),
        "con.exit_code": ("退出码", "Exit"),
        "total": ("合计", "Total"),
        "status.0": ("通过", "passed"),
        "status.1": ("有问题", "findings"),
        "status.error": ("未能核查：{error}", "not audited: {error}"),
        "yes": ("是", "yes"),
        "no": ("否", "no"),
        "overlap.household": ("户编号 {key} 同时出现在 ", "household {key} appears in "),
        "overlap.person": ("证件号码 {key} 同时出现在 ", "ID number {key} appears in "),
        "overlap_line": ("跨文件重复：{n} 条（DQ120，见“跨文件重复”）",
                         "across files: {n} findings (DQ120, see 'Across files')"),
        "overlap_none": ("跨文件重复：无", "across files: none"),
        "skipped_results": ("已跳过先前核查的结果文件（不作为输入）：{names}",
                            "skipped results of earlier runs (not inputs): {names}"),
        "skipped_more": ("等 {n} 个", " and {n} more"),
        "detail_in_file": ("问题共 {n} 条，超过工作簿明细上限 {limit} 条：逐条明细见 {path}",
                           "{n} findings exceed the workbook's limit of {limit}: every finding "
                           "is in {path}"),
        "detail_none": ("问题共 {n} 条，超过工作簿明细上限 {limit} 条；加 --out-dir 可写出明细文件",
                        "{n} findings exceed the workbook's limit of {limit}; use --out-dir for "
                        "the findings file"),
        "jobs_line": ("并行 {jobs} 个进程（{why}）", "{jobs} processes ({why})"),
        "dask_line": ("Dask 调度器 {address}，{workers} 个 worker",
                      "Dask scheduler {address}, {workers} workers"),
        "verdict.ok": ("结论：{units} 个单元均未发现达到 --fail-on={fail_on} 的问题，退出码 {code}",
                       "verdict: no unit has findings at or above --fail-on={fail_on}; "
                       "exit code {code}"),
        "verdict.fail": ("结论：{bad}/{units} 个单元有问题或未能核查，退出码 {code}",
                         "verdict: {bad} of {units} units have findings or could not be "
                         "audited; exit code {code}"),
        "output.rollup": ("汇总工作簿", "roll-up workbook"),
        "output.units": ("各单元工作簿", "unit workbooks"),
        "output.findings": ("明细文件", "findings file"),
        "output.json": ("JSON 报告", "JSON report"),
        "output.junit": ("JUnit XML", "JUnit XML"),
        "units_written": ("{n} 个，在 {folder}", "{n}, in {folder}"),
        "progress": ("已完成 {done}/{total}：{unit}（退出码 {code}，{seconds:.1f} 秒）",
                     "done {done}/{total}: {unit} (exit {code}, {seconds:.1f} s)"),
        # errors
        "no_dask": ("未安装 Dask：--scheduler 需要 pip install 'exitcheck[dask]'",
                    "Dask is not installed: --scheduler needs pip install 'exitcheck[dask]'"),
        "dask_connect": ("无法连接 Dask 调度器 {address}：{error}",
                         "cannot connect to the Dask scheduler {address}: {error}"),
        "dask_out_dir": ("远程 Dask 调度器需要 --out-dir（各 worker 可访问的共享目录）",
                         "a remote Dask scheduler needs --out-dir (a folder every worker can "
                         "reach)"),
        "out_dir_not_folder": ("--out-dir {path} 不是文件夹", "--out-dir {path} is not a folder"),
        "jobs_invalid": ("--jobs 须为正整数", "--jobs must be a positive number"),
    }
)
