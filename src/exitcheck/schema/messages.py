"""User-facing text of the normalize stage (errors, issue details, notes), Chinese and English."""

from __future__ import annotations

from exitcheck.i18n import Catalogue

MSG = Catalogue(
    {
        # ---- YAML / rule-file errors ----------------------------------------------------
        "schema_invalid": ("{loc}：{error}", "{loc}: {error}"),
        "values_required": (
            "{type} 类型的字段必须列出允许值（values）",
            "a field of type {type} must list its allowed values (values)",
        ),
        "values_not_allowed": (
            "只有 enum/grade 类型的字段可以有 values（本字段类型为 {type}）",
            "only enum/grade fields may have values (this field is {type})",
        ),
        "alias_clash": (
            "表头别名 “{alias}” 同时属于字段 {first} 和 {second}",
            "header alias '{alias}' belongs to both {first} and {second}",
        ),
        "synonym_clash": (
            "取值同义词 “{synonym}” 同时对应 {first} 和 {second}",
            "value synonym '{synonym}' maps to both {first} and {second}",
        ),
        "boolean_clash": (
            "布尔同义词 “{synonym}” 同时出现在 yes 和 no 中",
            "boolean synonym '{synonym}' is listed under both yes and no",
        ),
        "mapping_shape": (
            "列映射文件应为“原表头: 字段名”的映射（可放在 columns: 下）",
            "a column mapping file maps 'source header: field name' (optionally under columns:)",
        ),
        "mapping_value": (
            "表头 “{header}” 的目标必须是字段名或中文名称",
            "the target of header '{header}' must be a field name or Chinese label",
        ),
        "mapping_unknown": (
            "未知字段 “{target}”（表头 “{header}”）{hint}",
            "unknown field '{target}' (header '{header}'){hint}",
        ),
        "closest": ("，是否指：{names}", "; did you mean: {names}"),
        # ---- input errors ----------------------------------------------------------------
        "missing_required": (
            "缺少必需的列：{fields}",
            "required columns missing: {fields}",
        ),
        "missing_field_line": (
            "{label}（{name}，最接近的表头：{headers}）",
            "{label} ({name}; closest headers: {headers})",
        ),
        "missing_field_none": (
            "{label}（{name}，没有相近的表头）",
            "{label} ({name}; no similar header)",
        ),
        "no_tables": ("没有读到任何数据表", "no data table was read"),
        # ---- issue details -------------------------------------------------------------------
        "issue_id_number": (
            "证件号码以数值形式存储，末尾数字可能已丢失（保留现有数字 {kept}，未作修复）",
            "ID number stored as a number: trailing digits may be lost (kept {kept}, not repaired)",
        ),
        "issue_not_allowed": (
            "“{value}” 不是 {label} 的允许值",
            "'{value}' is not an allowed value of {label}",
        ),
        "issue_number": ("无法识别为数值：“{value}”", "not a number: '{value}'"),
        "issue_integer": ("不是整数：“{value}”", "not a whole number: '{value}'"),
        "issue_date": ("无法识别为日期：“{value}”", "not a date: '{value}'"),
        "issue_conflict": (
            "同一户的各成员行 {label} 不一致：{values}（采用 {chosen}）",
            "rows of one household disagree on {label}: {values} (used {chosen})",
        ),
        # ---- notes on InputInfo ------------------------------------------------------------
        "note_sensitive": (
            "敏感列（电话、银行卡等，在所有输出中脱敏，--show-ids 除外）：{headers}",
            "sensitive columns (phone, bank card…; masked in every output unless --show-ids):"
            " {headers}",
        ),
        "note_duplicate_field": (
            "列 “{header}” 与 “{first}” 对应同一字段 {name}，已作为原始列保留",
            "column '{header}' maps to the same field {name} as '{first}'; kept as a raw column",
        ),
        "note_household_sheet": (
            "户表：按户编号与成员表关联（{fields}）",
            "household sheet: joined to members by household ID ({fields})",
        ),
        "note_ignored_sheet": (
            "工作表 “{sheet}” 未识别为户表或成员表，已忽略",
            "sheet '{sheet}' is neither a household nor a member sheet; ignored",
        ),
        # ---- dataset model (restored after an accidental `git checkout` of this file by the
        # field-catalogue engineer at 08:45: wording reconstructed, please check) -----------
        "note_no_member_table": (
            "没有成员表（只有户表）：涉及成员的规则未运行",
            "no member table (households only): rules on members were not run",
        ),
        "table_unknown": (
            "无法判断表的类型（不是成员表、户表、务工表或行政村表），表头：{headers}",
            "cannot tell the table's kind (not a member, household, work or village table);"
            " headers: {headers}",
        ),
        "note_not_read": (
            "以下列属于其他表，未从本表读取：{headers}",
            "columns of other tables, not read from this table: {headers}",
        ),
        "issue_spell_without_member": (
            "务工记录找不到对应的成员（{key}）",
            "work spell without a matching member ({key})",
        ),
        "issue_household_without_village": (
            "户找不到对应的行政村（{key}）",
            "household without a matching village ({key})",
        ),
        "issue_village_without_households": (
            "行政村没有任何户（{key}）",
            "village without any household ({key})",
        ),
        "issue_household_without_members": (
            "户表中的户在成员表中没有成员",
            "household of the household table has no members in the member table",
        ),
        "note_single_row": (
            "成员表每户只有一行（{households} 户，其中 {multi} 户家庭人口数大于 1）："
            "不运行成员层级的规则",
            "the member table has one row per household ({households} households, {multi} with"
            " household size > 1): member-level rules are not run",
        ),
    }
)
