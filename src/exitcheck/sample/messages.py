"""User-facing messages of the sample-data generator and writers (Chinese, English)."""

from __future__ import annotations

from exitcheck.errors import UsageError
from exitcheck.i18n import Catalogue

MSG = Catalogue({
    "bad_households": ("户数必须是正整数，收到 {value}",
                       "--households must be a positive integer, got {value}"),
    "bad_style": ("样式必须是 national 或 monitoring，收到 {value}",
                  "style must be national or monitoring, got {value}"),
    "bad_region": ("地区必须是两位省级代码（如 51），收到 {value}",
                   "region must be a 2-digit province code (e.g. 51), got {value}"),
    "bad_county": ("县级代码 {value} 必须是以省级代码 {province} 开头的六位数字",
                   "county code {value} must be 6 digits starting with province code {province}"),
    "bad_year": ("年度 {value} 不在合理范围内", "year {value} is out of range"),
    "bad_format": ("不支持的输出格式 {value}（可选 xlsx、csv、parquet、xls）",
                   "unsupported output format {value} (choose xlsx, csv, parquet, xls)"),
    "xls_too_long": ("xls 格式最多 65535 行，本数据有 {rows} 行；请改用 xlsx",
                     "xls holds at most 65535 rows, this data has {rows}; use xlsx"),
    "exists": ("输出文件已存在：{path}（使用 --force 覆盖）",
               "output file exists: {path} (use --force to overwrite)"),
    "no_dir": ("输出目录不存在：{path}", "output directory does not exist: {path}"),
    "written": ("已生成 {households} 户 {members} 人（{style}，{year} 年，地区 {region}）：{path}",
                "wrote {households} households, {members} members "
                "({style}, {year}, region {region}): {path}"),
    "defects": ("埋设的问题户：{count} 户", "households with planted defects: {count}"),
    "next_year": ("已生成下一年度（{year} 年，埋设 {count} 处变化，清单见 {changes}）：{path}",
                  "wrote the next year ({year}, {count} planted changes listed in {changes}): "
                  "{path}"),
})


def usage_error(key: str, location: str, **values: object) -> UsageError:
    """A UsageError carrying both languages of a catalogue message."""
    zh, en = MSG.both(key, **values)
    return UsageError(zh, message_en=en, location=location)
