"""User-facing text of the rule engine (expression compile and evaluation errors), Chinese first."""

from __future__ import annotations

from exitcheck.i18n import Catalogue

MSG = Catalogue(
    {
        "empty": ("表达式为空", "the expression is empty"),
        "syntax": ("表达式语法错误：{msg}", "expression syntax error: {msg}"),
        "syntax_eq": (
            "表达式语法错误：比较相等请用 ==，不是 =",
            "expression syntax error: use == to compare, not =",
        ),
        "not_allowed": ("表达式中不允许使用{what}", "not allowed in expressions: {what_en}"),
        "dunder": (
            "表达式中不允许使用双下划线名称 {name}",
            "double-underscore names such as {name} are not allowed in expressions",
        ),
        "bad_operator": (
            "不支持运算符 {op}{hint}",
            "operator {op} is not supported{hint_en}",
        ),
        "unknown_function": (
            "未知函数 {name}()；可用函数：{names}",
            "unknown function {name}(); available: {names}",
        ),
        "function_not_called": (
            "{name} 是函数，须写成 {name}(...)",
            "{name} is a function: write {name}(...)",
        ),
        "param_bare": (
            "param 须写作 param.参数名",
            "write param.NAME to use a parameter",
        ),
        "unknown_field": ("未知字段 {name}{hint}", "unknown field {name}{hint_en}"),
        "unknown_param": ("未知参数 param.{name}{hint}", "unknown parameter param.{name}{hint_en}"),
        "did_you_mean": ("（是否指 {names}？）", " (did you mean {names_en}?)"),
        "below_level": (
            "{name} 是{field_level}字段，{rule_level}级规则中须放在 "
            "any()/all()/count()/sum()/min()/max()/latest() 中",
            "{name} is a {field_level_en} field: in a {rule_level_en}-level rule put it inside "
            "any()/all()/count()/sum()/min()/max()/latest()",
        ),
        "no_level_below": (
            "{rule_level}级规则下面没有可汇总的层级",
            "there is no level below {rule_level_en} to aggregate over",
        ),
        "latest_needs_spell": (
            "latest() 取最近一次务工记录上的值，参数须含务工表字段，且只能用于成员或户级规则",
            "latest() takes the value at the most recent work spell: its argument must read a "
            "work-spell field, in a member- or household-level rule",
        ),
        "unknown_population": (
            "未知人群 pop.{name}{hint}（人群在 rules/populations.yaml 中定义）",
            "unknown population pop.{name}{hint_en} (populations: rules/populations.yaml)",
        ),
        "bad_pattern": (
            "matches() 的模式无效：{reason}",
            "invalid pattern in matches(): {reason}",
        ),
        "member_at_household": (
            "{name} 是成员字段，户级规则中须放在 any()/all()/count()/sum()/min()/max() 中",
            "{name} is a member field: in a household-level rule put it inside "
            "any()/all()/count()/sum()/min()/max()",
        ),
        "arity": (
            "{name}() 需要 {expected} 个参数，实际给了 {got} 个",
            "{name}() takes {expected} argument(s), {got} given",
        ),
        "string_literal_arg": (
            "{name}() 的参数须为带引号的文字，例如 {example}",
            "the argument of {name}() must be a quoted string, e.g. {example}",
        ),
        "int_literal_arg": (
            "{name}() 的第 {pos} 个参数须为整数常量",
            "argument {pos} of {name}() must be an integer constant",
        ),
        "bad_date": (
            '日期 {value!r} 无效，应写作 YYYY-MM-DD，例如 date("2019-12-31")',
            'invalid date {value!r}: write YYYY-MM-DD, e.g. date("2019-12-31")',
        ),
        "sequence_here": (
            "列表/元组只能写在 in / not in 的右边",
            "a list or tuple may only appear on the right of in / not in",
        ),
        "in_needs_sequence": (
            'in / not in 的右边须为常量列表，例如 ("已脱贫", "拟脱贫")，或列表参数 param.名称',
            "the right side of in / not in must be a list of constants, e.g. "
            '("a", "b"), or a list parameter param.NAME',
        ),
        "literal_in_list": (
            "in 列表中只能写常量（数字、文字、True/False/None、date(...)）",
            "an in-list may only hold constants (numbers, strings, True/False/None, date(...))",
        ),
        "type_compare": (
            "类型不匹配：不能将{left}与{right}比较",
            "type mismatch: cannot compare {left_en} with {right_en}",
        ),
        "type_order": (
            "{kind}不能比较大小",
            "{kind_en} values cannot be ordered",
        ),
        "type_need": (
            "{what}须为{need}，这里是{got}",
            "{what_en} must be {need_en}, got {got_en}",
        ),
        "what_logic": ("and/or/not 的操作数", "an operand of and/or/not"),
        "what_arith": ("算术运算的操作数", "an arithmetic operand"),
        "what_arg": ("函数参数", "the function argument"),
        "level.village": ("村", "village"),
        "level.household": ("户", "household"),
        "level.member": ("成员", "member"),
        "level.spell": ("务工记录", "work-spell"),
        "what_cond": ("any()/all()/count() 的参数", "the argument of any()/all()/count()"),
        "value_not_allowed": (
            "字段 {field} 没有取值 {value!r}{hint}；可选值：{values}",
            "field {field} has no value {value!r}{hint_en}; allowed: {values}",
        ),
        "runtime_type": (
            "计算表达式时类型不符：{detail}（参数取值与字段类型不一致？）",
            "type error while evaluating the expression: {detail} "
            "(a parameter value of the wrong type?)",
        ),
    }
)

# Construct names for "not_allowed": AST node type -> (Chinese, English).
CONSTRUCTS: dict[str, tuple[str, str]] = {
    "Attribute": ("属性访问（只允许 param.名称）", "attribute access (only param.NAME)"),
    "Subscript": ("下标/切片 [...]", "subscripts [...]"),
    "Lambda": ("lambda", "lambda"),
    "ListComp": ("推导式", "comprehensions"),
    "SetComp": ("推导式", "comprehensions"),
    "DictComp": ("推导式", "comprehensions"),
    "GeneratorExp": ("推导式/生成器", "generator expressions"),
    "NamedExpr": ("赋值表达式 :=", "assignment expressions (:=)"),
    "JoinedStr": ("f-字符串", "f-strings"),
    "FormattedValue": ("f-字符串", "f-strings"),
    "Starred": ("星号展开 *", "starred arguments"),
    "Dict": ("字典 {...}", "dicts {...}"),
    "Set": ("集合 {...}", "sets {...}"),
    "IfExp": ("条件表达式 ... if ... else ...", "conditional expressions (x if c else y)"),
    "Await": ("await", "await"),
    "Yield": ("yield", "yield"),
    "YieldFrom": ("yield", "yield"),
    "Slice": ("切片", "slices"),
    "keyword": ("关键字参数 name=...", "keyword arguments (name=...)"),
    "Constant": ("此类常量", "this kind of constant"),
}

# Value types of the expression language, for type messages: type -> (Chinese, English).
TYPE_NAMES: dict[str, tuple[str, str]] = {
    "bool": ("条件（是/否）", "a condition (true/false)"),
    "number": ("数值", "a number"),
    "text": ("文字", "text"),
    "date": ("日期", "a date"),
    "null": ("空值 None", "None"),
    "any": ("任意值", "any value"),
}
