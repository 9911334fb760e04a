"""User-facing text of the read stage (Chinese first, English second)."""

from __future__ import annotations

from exitcheck.i18n import Catalogue

SUPPORTED = ".xlsx .xlsm .xls .ods .csv .txt .tsv .parquet"

MSG = Catalogue(
    {
        "file_missing": ("找不到文件", "file not found"),
        "is_directory": (
            "这是一个文件夹，不是表格文件；请列出其中的文件，例如 文件夹/*.xlsx",
            "this is a directory, not a spreadsheet file; list its files, e.g. folder/*.xlsx",
        ),
        "unsupported_ext": (
            "不支持的文件类型“{ext}”（支持 " + SUPPORTED + "）",
            "unsupported file type '{ext}' (supported: " + SUPPORTED + ")",
        ),
        "not_spreadsheet": (
            "文件内容不是表格：扩展名为 {ext}，但内容不是 Excel、CSV 或 Parquet 文件",
            "not a spreadsheet: named {ext} but the content is not Excel, CSV or Parquet",
        ),
        "corrupt": (
            "文件已损坏或不完整，无法读取（{detail}）",
            "the file is corrupt or truncated and cannot be read ({detail})",
        ),
        "encrypted": (
            "文件有密码保护（已加密），请先在 Excel 中取消密码再核查",
            "the workbook is password-protected (encrypted); remove the password in Excel first",
        ),
        "empty_workbook": (
            "工作簿中没有数据（没有工作表，或工作表都是空的）",
            "the workbook has no data (no worksheets, or all of them are empty)",
        ),
        "empty_file": ("文件是空的", "the file is empty"),
        "empty_sheet": ("工作表是空的", "the sheet is empty"),
        "no_data_rows": (
            "表头（第 {header} 行）下没有数据行",
            "no data rows below the header (row {header})",
        ),
        "no_header": (
            "前 {rows} 行中找不到可识别的表头（如“姓名”“证件号码”等列名）",
            "no recognisable header in the first {rows} rows (column names such as 姓名, 证件号码)",
        ),
        "no_sheet_with_header": (
            "没有哪个工作表含可识别的表头；工作表：{available}",
            "no sheet has a recognisable header; sheets: {available}",
        ),
        "unknown_sheet": (
            "没有工作表“{sheet}”；可用的工作表：{available}",
            "no sheet '{sheet}'; available sheets: {available}",
        ),
        "decode_failed": (
            "第 {line} 行无法按 {encoding} 编码解码（请检查 --encoding）",
            "line {line} cannot be decoded as {encoding} (check --encoding)",
        ),
        "unknown_encoding": ("未知的编码名称“{encoding}”", "unknown encoding name '{encoding}'"),
        "encoding_undetected": (
            "无法识别文本编码，请用 --encoding 指定（如 gb18030、utf-8）",
            "cannot detect the text encoding; give it with --encoding (e.g. gb18030, utf-8)",
        ),
        "binary_text": (
            "文件含二进制内容，不是文本表格（CSV）",
            "the file contains binary data, it is not a text table (CSV)",
        ),
        # Read limits (io/limits.py, docs/input-files.md "Limits"): value found, limit, override.
        "limit_uncompressed": (
            "压缩包解压后将达 {value} MB，超过上限 {limit} MB（可用环境变量 {env} 调整）",
            "the archive would expand to {value} MB, over the limit of {limit} MB "
            "(override with {env})",
        ),
        "limit_zip_ratio": (
            "压缩比 {value} 超过上限 {limit}（疑似压缩炸弹；可用环境变量 {env} 调整）",
            "compression ratio {value} is over the limit of {limit} (a zip bomb?; "
            "override with {env})",
        ),
        "limit_sheets": (
            "工作表数 {value} 超过上限 {limit}（可用环境变量 {env} 调整）",
            "{value} sheets, over the limit of {limit} (override with {env})",
        ),
        "limit_columns": (
            "列数 {value} 超过上限 {limit}（可用环境变量 {env} 调整）",
            "{value} columns, over the limit of {limit} (override with {env})",
        ),
        "limit_cells": (
            "表格范围 {value} 个单元格超过上限 {limit}"
            "（实有 {cells} 个单元格；可用环境变量 {env} 调整）",
            "the sheet spans {value} cells, over the limit of {limit} ({cells} cells present; "
            "override with {env})",
        ),
        "limit_sparse": (
            "表格范围 {value} 个单元格，但只有 {cells} 个单元格有内容："
            "有远离数据的单元格或虚报的范围"
            "（范围不得超过内容的 {limit} 倍；可用环境变量 {env} 调整）",
            "the sheet spans {value} cells but only {cells} are present: a cell far from the "
            "data or a false dimension (the span may be at most {limit} times the cells; "
            "override with {env})",
        ),
        "limit_bad_ref": (
            "单元格引用 {value} 无效（超出 Excel 的范围 XFD1048576）",
            "invalid cell reference {value} (beyond Excel's XFD1048576)",
        ),
        "limit_cell_chars": (
            "有一个单元格长 {value} 个字符，超过上限 {limit}（可用环境变量 {env} 调整）",
            "a cell is {value} characters long, over the limit of {limit} (override with {env})",
        ),
        "limit_reader": (
            "读取该文件需要的内存超过 {limit} MB，文件可能已损坏（可用环境变量 {env} 调整）",
            "reading this file needs more than {limit} MB of memory; the file may be damaged "
            "(override with {env})",
        ),
        "parquet_nested": (
            "列“{column}”是嵌套类型（{type}），不是表格数据，已忽略",
            "column '{column}' has a nested type ({type}), not table data; ignored",
        ),
        "parquet_binary": (
            "列“{column}”是二进制类型，按 UTF-8 读取（无法解码的字节显示为 �）",
            "column '{column}' is binary; read as UTF-8 (undecodable bytes shown as �)",
        ),
        "parquet_out_of_range": (
            "列“{column}”有超出可处理范围的日期或数值，按文本读取",
            "column '{column}' holds dates or numbers out of the range that can be handled; "
            "read as text",
        ),
        # Notes stored in RawTable.notes (Chinese, the default report language).
        "note_encoding_auto": ("编码 {encoding}（自动识别）", "encoding {encoding} (detected)"),
        "note_encoding_guess": (
            "编码 {encoding}（charset-normalizer 推测，请核对）",
            "encoding {encoding} (guessed by charset-normalizer, please check)",
        ),
        "note_encoding_given": ("编码 {encoding}（按指定）", "encoding {encoding} (as given)"),
        "note_two_row_header": (
            "两行合并表头（第 {upper}、{lower} 行），列名以“/”连接",
            "two-row merged header (rows {upper} and {lower}), names joined with '/'",
        ),
        "note_header_fallback": (
            "表头未匹配字段目录，按文本特征识别为第 {row} 行",
            "header matched no catalogue field; row {row} chosen by text heuristics",
        ),
    }
)
