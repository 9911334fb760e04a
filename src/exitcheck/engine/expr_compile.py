"""The expression compiler: walks an allow-list of AST node types into vectorized closures."""

from __future__ import annotations

import ast
import datetime
from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import NoReturn, cast

import pandas as pd

from exitcheck.engine import expr_ops as ops
from exitcheck.engine.context import (
    EvalContext,
    Level,
    ancestor_column,
    column,
    down,
)
from exitcheck.engine.expr_errors import Span, compile_error
from exitcheck.engine.expr_names import (
    Binding,
    ValueType,
    known_names,
    resolve,
    suggest,
)
from exitcheck.engine.messages import CONSTRUCTS, MSG, TYPE_NAMES
from exitcheck.levels import depth
from exitcheck.schema.catalogue import FieldCatalogue

Fn = Callable[[EvalContext], ops.Value]

AGGREGATES = ("any", "all", "count", "sum", "min", "max", "latest")
# name -> (min args, max args or None for no limit)
FUNCTIONS: dict[str, tuple[int, int | None]] = {
    "any": (1, 1),
    "all": (1, 1),
    "count": (0, 1),
    "sum": (1, 1),
    "min": (1, 1),
    "max": (1, 1),
    "isblank": (1, 1),
    "notblank": (1, 1),
    "between": (3, 3),
    "valid_id": (1, 1),
    "months_between": (2, 2),
    "coalesce": (2, None),
    "abs": (1, 1),
    "round": (1, 2),
    "year": (1, 1),
    "col": (1, 1),
    "date": (1, 1),
    "latest": (1, 1),
    "contains": (2, 2),
    "startswith": (2, 2),
    "endswith": (2, 2),
    "length": (1, 1),
    "has": (2, 2),
    "matches": (2, 2),
    "duplicated": (1, 2),
}
# Names that stand for the audit's reference date (--as-of).
AS_OF_NAMES = ("as_of", "基准日")
CMP_OPS: dict[type[ast.cmpop], str] = {
    ast.Eq: "==",
    ast.NotEq: "!=",
    ast.Lt: "<",
    ast.LtE: "<=",
    ast.Gt: ">",
    ast.GtE: ">=",
}
ARITH_OPS: dict[type[ast.operator], str] = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/"}
BAD_OPS: dict[str, tuple[str, str, str]] = {  # AST op -> (symbol, Chinese hint, English hint)
    "BitAnd": ("&", "，请用 and", ", use and"),
    "BitOr": ("|", "，请用 or", ", use or"),
    "Invert": ("~", "，请用 not", ", use not"),
    "Is": ("is", "，判断是否为空请用 isblank()/notblank()", ", use isblank()/notblank()"),
    "IsNot": ("is not", "，判断是否为空请用 isblank()/notblank()", ", use isblank()/notblank()"),
    "Pow": ("**", "", ""),
    "Mod": ("%", "", ""),
    "FloorDiv": ("//", "", ""),
    "MatMul": ("@", "", ""),
    "BitXor": ("^", "", ""),
    "LShift": ("<<", "", ""),
    "RShift": (">>", "", ""),
}


@dataclass
class Node:
    type: ValueType
    fn: Fn


def level_index(ctx: EvalContext, level: Level) -> pd.Index:
    return ctx.frame(level).index


def _param_value(value: object) -> object:
    """Parameter values as the language sees them: dates as Timestamps, sequences as lists."""
    if isinstance(value, datetime.date):
        return pd.Timestamp(value)
    if isinstance(value, list | tuple):
        return [_param_value(v) for v in value]
    return value.item() if hasattr(value, "item") else value


class BaseCompiler:
    """Names, literals, operators and comparisons (calls: engine/expr_calls.py)."""

    def __init__(
        self,
        text: str,
        where: str,
        catalogue: FieldCatalogue,
        known_params: Collection[str] | None,
        extra_columns: Collection[str],
        populations: Collection[str] | None = None,
    ) -> None:
        self.text, self.where, self.catalogue = text, where, catalogue
        self.known_params, self.extra_columns = known_params, extra_columns
        self.populations = populations
        self.fields: set[str] = set()
        self.params: set[str] = set()
        self.bindings: dict[str, Binding] = {}  # identifier or "col:<header>" -> binding
        self.values: dict[str, tuple[ValueType, Fn]] = {}  # field_values entries (top level)
        self.agg_depth = 0

    # -- errors ----------------------------------------------------------------------------
    def fail(self, key: str, node: ast.AST | Span | None, **values: object) -> NoReturn:
        raise compile_error(key, self.text, self.where, node, **values)

    def not_allowed(self, node: ast.AST) -> NoReturn:
        zh, en = CONSTRUCTS.get(type(node).__name__, (type(node).__name__, type(node).__name__))
        self.fail("not_allowed", node, what=zh, what_en=en)

    def need(self, node: ast.AST, got: ValueType, allowed: tuple[str, ...], what: str) -> None:
        if got in allowed or got in ("any", "null"):
            return
        need = next(t for t in allowed if t != "any")
        zh, en = MSG.both(what)
        self.fail(
            "type_need",
            node,
            what=zh,
            what_en=en,
            need=TYPE_NAMES[need][0],
            need_en=TYPE_NAMES[need][1],
            got=TYPE_NAMES[got][0],
            got_en=TYPE_NAMES[got][1],
        )

    # -- dispatch --------------------------------------------------------------------------
    def visit(self, node: ast.AST, level: Level) -> Node:
        method: Callable[[ast.AST, Level], Node] | None = getattr(
            self, f"visit_{type(node).__name__}", None
        )
        if method is None:
            self.not_allowed(node)
        return method(node, level)

    def visit_Constant(self, node: ast.Constant, level: Level) -> Node:
        value = node.value
        vtype: ValueType
        if isinstance(value, bool):
            vtype = "bool"
        elif isinstance(value, int | float):
            vtype, value = "number", float(value)
        elif isinstance(value, str):
            vtype = "text"
        elif value is None:
            vtype = "null"
        else:
            self.not_allowed(node)
        const = ops.Const(value)
        return Node(vtype, lambda ctx: const)

    def visit_Name(self, node: ast.Name, level: Level) -> Node:
        name = node.id
        if name.startswith("__"):
            self.fail("dunder", node, name=name)
        if name in FUNCTIONS:
            self.fail("function_not_called", node, name=name)
        if name == "param":
            self.fail("param_bare", node)
        if name in AS_OF_NAMES:
            return Node("date", lambda ctx: ops.Const(pd.Timestamp(ctx.as_of)))
        binding = resolve(name, self.catalogue, self.extra_columns)
        if binding is None:
            close = suggest(name, known_names(self.catalogue, self.extra_columns))
            zh, en = _did_you_mean(close)
            self.fail("unknown_field", node, name=name, hint=zh, hint_en=en)
        self.bindings[name] = binding
        return self.field(binding, level, node, name)

    def field(self, binding: Binding, level: Level, node: ast.AST, written: str) -> Node:
        if depth(binding.level) > depth(level):  # a lower level: only inside an aggregate
            fz, fe = MSG.both(f"level.{binding.level}")
            rz, re_ = MSG.both(f"level.{level}")
            if binding.level == "member" and level == "household":
                self.fail("member_at_household", node, name=written)
            self.fail("below_level", node, name=written, field_level=fz, field_level_en=fe,
                      rule_level=rz, rule_level_en=re_)
        self.fields.add(binding.name)
        name, vtype, source = binding.name, binding.type, binding.level
        fn: Fn
        if source == level:
            fn = lambda ctx: column(ctx, level, name, vtype)  # noqa: E731
        else:
            fn = lambda ctx: ancestor_column(ctx, source, level, name, vtype)  # noqa: E731
        if self.agg_depth == 0:
            self.values[name] = (vtype, fn)
        return Node(vtype, fn)

    def population(self, node: ast.Attribute, level: Level) -> Node:
        """pop.NAME: a household-level population (rules/populations.yaml), at any level below
        it repeated from the household, at village level only inside an aggregate."""
        name = node.attr
        if self.populations is not None and name not in self.populations:
            close = suggest(name, self.populations)
            zh, en = _did_you_mean(close)
            self.fail("unknown_population", node, name=name, hint=zh, hint_en=en)
        if level == "village":
            rz, re_ = MSG.both("level.village")
            fz, fe = MSG.both("level.household")
            self.fail("below_level", node, name=f"pop.{name}", field_level=fz, field_level_en=fe,
                      rule_level=rz, rule_level_en=re_)

        def at_household(ctx: EvalContext) -> pd.Series:
            key = f"pop:{name}"
            hit = ctx.cache.get(key)
            if hit is None:
                expr = ctx.populations[name]
                hit = ctx.cache[key] = expr.evaluate(ctx).fillna(False)  # type: ignore[attr-defined]
            assert isinstance(hit, pd.Series)
            return hit

        if level == "household":
            return Node("bool", at_household)

        def below(ctx: EvalContext) -> pd.Series:
            key = f"pop:{name}:{level}"
            hit = ctx.cache.get(key)
            if hit is None:
                hit = ctx.cache[key] = down(ctx, at_household(ctx), "household", level)
            assert isinstance(hit, pd.Series)
            return hit

        return Node("bool", below)

    def visit_Attribute(self, node: ast.Attribute, level: Level) -> Node:
        if isinstance(node.value, ast.Name) and node.value.id == "pop":
            if node.attr.startswith("__"):
                self.fail("dunder", node, name=node.attr)
            return self.population(node, level)
        if not (isinstance(node.value, ast.Name) and node.value.id == "param"):
            self.not_allowed(node)
        name = node.attr
        if name.startswith("__"):
            self.fail("dunder", node, name=name)
        if self.known_params is not None and name not in self.known_params:
            close = suggest(name, self.known_params)
            zh, en = _did_you_mean(close)
            self.fail("unknown_param", node, name=name, hint=zh, hint_en=en)
        self.params.add(name)

        def fn(ctx: EvalContext) -> ops.Value:
            return ops.Const(_param_value(ctx.params.get(name)))

        if self.agg_depth == 0:
            self.values[f"param.{name}"] = ("any", fn)
        return Node("any", fn)

    def visit_Tuple(self, node: ast.AST, level: Level) -> Node:
        self.fail("sequence_here", node)

    visit_List = visit_Tuple

    # -- operators -------------------------------------------------------------------------
    def visit_BoolOp(self, node: ast.BoolOp, level: Level) -> Node:
        parts = [self.visit(v, level) for v in node.values]
        for sub, part in zip(node.values, parts, strict=True):
            self.need(sub, part.type, ("bool",), "what_logic")
        fns = [p.fn for p in parts]
        combine = ops.and_ if isinstance(node.op, ast.And) else ops.or_
        return Node("bool", lambda ctx: combine([f(ctx) for f in fns], level_index(ctx, level)))

    def visit_UnaryOp(self, node: ast.UnaryOp, level: Level) -> Node:
        operand = self.visit(node.operand, level)
        f = operand.fn
        if isinstance(node.op, ast.Not):
            self.need(node.operand, operand.type, ("bool",), "what_logic")
            return Node("bool", lambda ctx: ops.not_(f(ctx), level_index(ctx, level)))
        if isinstance(node.op, ast.Invert):
            self.bad_operator(node, "Invert")
        self.need(node.operand, operand.type, ("number",), "what_arith")
        if isinstance(node.op, ast.USub):
            return Node("number", lambda ctx: ops.neg(f(ctx), level_index(ctx, level)))
        return Node("number", lambda ctx: ops.as_number(f(ctx), level_index(ctx, level)))

    def bad_operator(self, node: ast.AST | Span, op_name: str) -> NoReturn:
        symbol, zh, en = BAD_OPS.get(op_name, (op_name, "", ""))
        self.fail("bad_operator", node, op=symbol, hint=zh, hint_en=en)

    def visit_BinOp(self, node: ast.BinOp, level: Level) -> Node:
        op = ARITH_OPS.get(type(node.op))
        if op is None:
            self.bad_operator(node, type(node.op).__name__)
        left, right = self.visit(node.left, level), self.visit(node.right, level)
        self.need(node.left, left.type, ("number",), "what_arith")
        self.need(node.right, right.type, ("number",), "what_arith")
        lf, rf = left.fn, right.fn
        return Node("number", lambda ctx: ops.arith(op, lf(ctx), rf(ctx), level_index(ctx, level)))

    def visit_Compare(self, node: ast.Compare, level: Level) -> Node:
        operands = [node.left, *node.comparators]
        compiled: list[Node | None] = []
        for i, sub in enumerate(operands):
            is_list = isinstance(sub, ast.Tuple | ast.List)
            in_rhs = i > 0 and isinstance(node.ops[i - 1], ast.In | ast.NotIn)
            # A literal list is only read by the `in` step; it compiles to nothing itself.
            compiled.append(None if is_list and in_rhs else self.visit(sub, level))
        steps: list[Callable[[list[ops.Value | None], EvalContext], pd.Series]] = []
        for i, op in enumerate(node.ops):
            steps.append(self.compare_step(node, i, op, operands, compiled, level))

        fns = [c.fn if c is not None else None for c in compiled]

        def fn(ctx: EvalContext) -> ops.Value:
            values = [f(ctx) if f is not None else None for f in fns]
            results = [step(values, ctx) for step in steps]
            return results[0] if len(results) == 1 else ops.and_(results, level_index(ctx, level))

        return Node("bool", fn)

    def compare_step(
        self,
        node: ast.Compare,
        i: int,
        op: ast.cmpop,
        operands: list[ast.expr],
        compiled: list[Node | None],
        level: Level,
    ) -> Callable[[list[ops.Value | None], EvalContext], pd.Series]:
        left_node, right_node = operands[i], operands[i + 1]
        left = compiled[i]
        if left is None:  # a list used as the left side of the next comparison
            self.fail("sequence_here", left_node)
        if isinstance(op, ast.In | ast.NotIn):
            negate = isinstance(op, ast.NotIn)
            if isinstance(right_node, ast.Tuple | ast.List):
                items = [self.literal(e) for e in right_node.elts]
                for elt, item in zip(right_node.elts, items, strict=True):
                    self.check_pair(left_node, elt, left.type, _literal_type(item), "==")
                    self.check_value(left_node, elt, item)
                lt = left.type
                return lambda vals, ctx: ops.is_in(
                    vals[i],
                    items,
                    negate,
                    level_index(ctx, level),
                    lt,
                )
            right = compiled[i + 1]
            if not isinstance(right_node, ast.Attribute) or right is None:
                self.fail("in_needs_sequence", right_node)
            rf, lt = right.fn, left.type

            def in_param(vals: list[ops.Value | None], ctx: EvalContext) -> pd.Series:
                got = rf(ctx)
                items = got.value if isinstance(got, ops.Const) else None
                seq = items if isinstance(items, list) else [items]
                return ops.is_in(vals[i], seq, negate, level_index(ctx, level), lt)

            return in_param
        symbol = CMP_OPS.get(type(op))
        if symbol is None:
            self.bad_operator(Span(left_node, right_node), type(op).__name__)
        right = compiled[i + 1]
        assert right is not None
        self.check_pair(left_node, right_node, left.type, right.type, symbol)
        self.check_value(left_node, right_node, _const_of(right_node))
        self.check_value(right_node, left_node, _const_of(left_node))
        vtype: ValueType = left.type if left.type not in ("any", "null") else right.type
        return lambda vals, ctx: ops.compare(
            symbol,
            vals[i],
            vals[i + 1],
            level_index(ctx, level),
            vtype,
        )

    def check_pair(
        self, left: ast.AST, right: ast.AST, lt: ValueType, rt: ValueType, symbol: str
    ) -> None:
        if lt in ("any", "null") or rt in ("any", "null"):
            return
        if lt != rt:
            self.fail(
                "type_compare",
                Span(left, right),
                left=TYPE_NAMES[lt][0],
                right=TYPE_NAMES[rt][0],
                left_en=TYPE_NAMES[lt][1],
                right_en=TYPE_NAMES[rt][1],
            )
        if lt == "bool" and symbol not in ("==", "!="):
            self.fail("type_order", Span(left, right), kind=TYPE_NAMES[lt][0], kind_en="boolean")

    def check_value(self, field_node: ast.AST, value_node: ast.AST, value: object) -> None:
        """A text literal compared with an enum field must be one of its canonical values."""
        binding = self.binding_of(field_node)
        if binding is None or not binding.allowed or not isinstance(value, str):
            return
        if value not in binding.allowed:
            close = suggest(value, binding.allowed)
            zh, en = _did_you_mean(close)
            self.fail(
                "value_not_allowed",
                value_node,
                field=binding.name,
                value=value,
                hint=zh,
                hint_en=en,
                values="、".join(sorted(binding.allowed)),
            )

    def binding_of(self, node: ast.AST) -> Binding | None:
        if isinstance(node, ast.Name):
            return self.bindings.get(node.id)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "col":
            arg = node.args[0] if node.args else None
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                return self.bindings.get(f"col:{arg.value}")
        return None

    def literal(self, node: ast.AST) -> object:
        """An element of an in-list: a constant, a negative number, or date("...")."""
        if isinstance(node, ast.Constant) and isinstance(node.value, str | int | float | None):
            value: object = node.value
            return float(cast(float, value)) if _is_number(value) else value
        if (
            isinstance(node, ast.UnaryOp)
            and isinstance(node.op, ast.USub | ast.UAdd)
            and isinstance(node.operand, ast.Constant)
            and _is_number(node.operand.value)
        ):
            value = float(cast(float, node.operand.value))
            return -value if isinstance(node.op, ast.USub) else value
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            if node.func.id == "date":
                return self.date_literal(node)
        self.fail("literal_in_list", node)

    # -- literal helpers ------------------------------------------------------------------
    def string_arg(self, node: ast.Call, example: str) -> str:
        arg = node.args[0]
        if not (isinstance(arg, ast.Constant) and isinstance(arg.value, str)):
            self.fail("string_literal_arg", arg, name=getattr(node.func, "id", ""), example=example)
        return arg.value

    def date_literal(self, node: ast.Call) -> pd.Timestamp:
        text = self.string_arg(node, 'date("2019-12-31")')
        try:
            return pd.Timestamp(datetime.date.fromisoformat(text.strip()))
        except ValueError:
            self.fail("bad_date", node.args[0], value=text)


def _did_you_mean(close: list[str]) -> tuple[str, str]:
    if not close:
        return "", ""
    return MSG.both("did_you_mean", names="、".join(close), names_en=", ".join(close))


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _literal_type(value: object) -> ValueType:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, float):
        return "number"
    if isinstance(value, pd.Timestamp):
        return "date"
    return "text"


def _const_of(node: ast.AST) -> object:
    return node.value if isinstance(node, ast.Constant) else None
