"""Every construct outside the allow-list is a RuleFileError pointing at the offending text."""

from __future__ import annotations

import pytest
from test_expr_catalogue import small_catalogue

from exitcheck.engine.expr import compile_expression
from exitcheck.errors import RuleFileError
from exitcheck.exitcodes import ExitCode

CAT = small_catalogue()
WHERE = "rules/rulesets/income.yaml:12"


def compile_error(text: str, level: str = "household", **kwargs: object) -> RuleFileError:
    with pytest.raises(RuleFileError) as err:
        compile_expression(text, level=level, catalogue=CAT, where=WHERE, **kwargs)  # type: ignore[arg-type]
    return err.value


def caret(err: RuleFileError) -> tuple[int, int]:
    """(display column where ^^^ starts, number of ^) from the error's detail."""
    assert err.detail is not None
    marks = err.detail.split("\n")[-1]
    assert set(marks.strip()) == {"^"}, err.detail
    return len(marks) - len(marks.lstrip(" ")), marks.count("^")


REJECTED = [
    # (expression, message fragment, caret start, caret width)
    ("h_num.real > 1", "属性访问", 0, 10),
    ("().__class__", "属性访问", 0, 12),
    ("h_num[0] > 1", "下标", 0, 8),
    ("h_num > 0 and h_text[1:] == 'a'", "下标", 14, 10),
    ("(lambda: 1)() > 0", "lambda", 1, 9),
    ("any([m_bool for x in h_num])", "推导式", 4, 23),
    ("any(m_bool for x in h_num)", "推导式", 3, 23),
    ("__import__('os')", "双下划线", 0, 10),
    ("h_num > 0 or __builtins__", "双下划线", 13, 12),
    ("param.__class__", "双下划线", 0, 15),
    ("open('f') == 1", "未知函数 open()", 0, 4),
    ("eval('1')", "未知函数 eval()", 0, 4),
    ("exec('1')", "未知函数 exec()", 0, 4),
    ("round(h_num, ndigits=1) > 0", "关键字参数", 13, 9),
    ("(y := 1) > 0", "赋值表达式", 1, 6),
    ('f"{h_num}" == "1"', "f-字符串", 0, 10),
    ("count(*h_num)", "星号", 6, 6),
    ("{1: 2} == h_num", "字典", 0, 6),
    ("h_num in {1, 2}", "集合", 9, 6),
    ("1 if h_bool else 0", "条件表达式", 0, 18),
    ("h_num ** 2 > 1", "**", 0, 10),
    ("h_bool & h_bool", "and", 0, 15),
    ("h_num is None", "isblank", 0, 13),
    ("h_num > 0 and m_num > 1", "m_num 是成员字段", 14, 5),
    ("户数值 > 0 and 人数值 > 1", "人数值 是成员字段", 15, 6),  # CJK: two columns each
    ("h_numm > 1", "是否指 h_num", 0, 6),
    ("h_text > 1", "不能将文字与数值比较", 0, 10),
    ("h_text + 1 > 0", "算术运算的操作数须为数值", 0, 6),
    ("any(m_num)", "any()/all()/count() 的参数须为条件", 4, 5),
    ("sum(m_bool) > 1", "函数参数须为数值", 4, 6),
    ("h_bool < True", "不能比较大小", 0, 13),
    ("not h_num", "and/or/not 的操作数须为条件", 4, 5),
    ('status == "已退出"', "没有取值 '已退出'", 10, 8),
    ('status in ("已脱贫", "已退出")', "没有取值 '已退出'", 21, 8),
    ("h_num > > 1", "语法错误", 8, 1),
    ("h_num = 1", "==", 6, 1),
    ("date('2019-13-01') < h_date", "日期", 5, 12),
    ("round(h_num, 1.5) > 0", "整数常量", 13, 3),
    ("between(h_num, 1)", "需要 3 个参数", 0, 17),
    ("h_num in h_num", "in / not in 的右边", 9, 5),
    ("(1, 2) == h_num", "列表/元组只能写在 in", 0, 6),
    ("h_num in (1, h_num)", "in 列表中只能写常量", 13, 5),
    ("any > 1", "any 是函数", 0, 3),
    ("param > 1", "param.参数名", 0, 5),
    ("col(h_text) == 'a'", "带引号的文字", 4, 6),
]


@pytest.mark.parametrize(
    ("text", "fragment", "start", "width"), REJECTED, ids=[r[0] for r in REJECTED]
)
def test_rejected_with_caret(text: str, fragment: str, start: int, width: int) -> None:
    err = compile_error(text)
    assert fragment in err.message
    assert err.location == WHERE
    assert err.exit_code == ExitCode.RULES_INVALID
    assert err.message_en and err.message_en != err.message  # an English alternative exists
    assert caret(err) == (start, width), err.detail
    assert err.detail is not None and err.detail.split("\n")[0] == text


def test_unknown_param_with_suggestion() -> None:
    err = compile_error("h_num > param.lien", known_params={"line", "monitoring_line"})
    assert "未知参数 param.lien" in err.message and "line" in err.message
    assert "did you mean line" in err.message_en
    assert caret(err) == (8, 10)
    # without a list of known parameters any name compiles (checked when rules load)
    assert compile_expression("h_num > param.lien", level="household", catalogue=CAT).params == {
        "lien"
    }


def test_unknown_chinese_label_suggests_the_close_label() -> None:
    err = compile_error("户数 > 1")
    assert "户数值" in err.message
    assert caret(err) == (0, 4)


def test_multi_line_error_shows_the_line_of_the_node() -> None:
    err = compile_error("h_num > 0 and\n  h_bool and\n  h_text[0] == 'a'")
    assert err.detail == "  h_text[0] == 'a'\n  ^^^^^^^^^"


def test_empty_expression() -> None:
    err = compile_error("   ")
    assert "为空" in err.message and err.location == WHERE


def test_render_shows_location_message_and_caret() -> None:
    err = compile_error("h_num > 0 and m_num > 1")
    assert err.render() == (
        f"{WHERE}: m_num 是成员字段，户级规则中须放在 any()/all()/count()/sum()/min()/max() 中\n"
        "h_num > 0 and m_num > 1\n              ^^^^^"
    )


def test_member_field_allowed_at_member_level_and_inside_aggregates() -> None:
    compile_expression("m_num > 1", level="member", catalogue=CAT)
    compile_expression("any(m_num > 1) and count(m_bool) > 0", level="household", catalogue=CAT)
    compile_expression("h_num > 1 and all(h_bool or m_bool)", level="household", catalogue=CAT)
