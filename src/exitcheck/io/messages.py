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
