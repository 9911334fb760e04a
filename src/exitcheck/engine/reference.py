"""Row-by-row reference interpreter of compiled expressions, for tests only (None is NA).

Deliberately naive: one Python loop per row, Python values, no pandas operations on columns.
The property tests check that the vectorized compiler (engine/expr.py) agrees with it.
"""

from __future__ import annotations

import ast
import datetime
import math
import operator
from collections.abc import Callable
from typing import Any, cast

import numpy as np
import pandas as pd

from exitcheck.engine.context import EvalContext
from exitcheck.engine.expr import CompiledExpr
from exitcheck.schema import ids as schema_ids

_CMP: dict[type[ast.cmpop], Callable[[Any, Any], Any]] = {
    ast.Eq: operator.eq,
    ast.NotEq: operator.ne,
    ast.Lt: operator.lt,
    ast.LtE: operator.le,
    ast.Gt: operator.gt,
    ast.GtE: operator.ge,
}
_TRUE = {"是", "True", "true", "TRUE", "1", "Y", "y", "√"}
_FALSE = {"否", "False", "false", "FALSE", "0", "N", "n", "×"}


def reference_evaluate(expr: CompiledExpr, ctx: EvalContext) -> list[object]:
    """The expression's value for each row of its level frame, computed one row at a time."""
    interp = _Interpreter(expr, ctx)
    n = len(ctx.households) if expr.level == "household" else len(ctx.members)
    return [interp.value_of(expr.tree.body, expr.level, row) for row in range(n)]


def _is_na(value: object) -> bool:
    return value is None or (not isinstance(value, list | tuple) and bool(pd.isna(value)))


def _cell(value: object, vtype: str) -> object:
    if _is_na(value):
        return None
    if vtype == "number":
        return _to_kind(value, "number") if isinstance(value, str) else float(value)  # type: ignore[arg-type]
    if vtype == "bool":
        return bool(value) if not isinstance(value, str) else _to_kind(value, "bool")
    if vtype == "date":
        return _to_kind(value, "date")
    return str(value)


def _to_kind(value: object, kind: str) -> object:
    """Coerce text to another kind, as run-time-typed operands are (None when it does not parse)."""
    if not isinstance(value, str):
        if kind == "date" and value is not None:
            stamp = pd.Timestamp(value)
            return None if pd.isna(stamp) else stamp
        return value
    text = value.strip()
    if kind == "number":
        try:
            number = float(text)
        except ValueError:
            return None
        return None if math.isnan(number) or "_" in text else number
    if kind == "date":
        stamp = pd.to_datetime(text, errors="coerce")
        return None if pd.isna(stamp) else pd.Timestamp(stamp)
    if kind == "bool":
        return True if text in _TRUE else False if text in _FALSE else None
    return value


def _kind(value: object) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, pd.Timestamp):
        return "date"
    return "text"


def _harmonize(a: object, b: object) -> tuple[object, object]:
    if isinstance(a, str) and b is not None and _kind(b) != "text":
        return _to_kind(a, _kind(b)), b
    if isinstance(b, str) and a is not None and _kind(a) != "text":
        return a, _to_kind(b, _kind(a))
    return a, b


def _and(values: list[object]) -> object:
    if any(v is False for v in values):
        return False
    return None if any(v is None for v in values) else True


def _or(values: list[object]) -> object:
    if any(v is True for v in values):
        return True
    return None if any(v is None for v in values) else False


def _number(value: object) -> float | None:
    value = _to_kind(value, "number")
    return None if value is None else float(value)  # type: ignore[arg-type]


def _compare(op: ast.cmpop, a: object, b: object) -> object:
    a, b = _harmonize(a, b)
    if a is None or b is None:
        return None
    return bool(_CMP[type(op)](a, b))


def _in(x: object, items: list[object]) -> object:
    if x is None:
        return None
    if any(_compare(ast.Eq(), x, item) is True for item in items if item is not None):
        return True
    return None if any(item is None for item in items) else False


def _valid_id(x: object) -> object:
    # The ID rules themselves belong to schema/ids.py (tested there); here one value at a time.
    if x is None:
        return None
    return bool(schema_ids.valid_id(pd.Series([str(x)], dtype="string")).iloc[0])


def _months_between(a: object, b: object) -> object:
    a, b = _to_kind(a, "date"), _to_kind(b, "date")
    if not isinstance(a, pd.Timestamp) or not isinstance(b, pd.Timestamp):
        return None
    months = (b.year - a.year) * 12 + b.month - a.month
    if months > 0 and b.day < a.day:
        months -= 1
    elif months < 0 and b.day > a.day:
        months += 1
    return float(months)


def _param(value: object) -> object:
    if isinstance(value, list | tuple):
        return [_param(v) for v in value]
    if isinstance(value, datetime.date):
        return pd.Timestamp(value)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    return value


class _Interpreter:
    def __init__(self, expr: CompiledExpr, ctx: EvalContext) -> None:
        self.expr, self.ctx = expr, ctx
        self.hh_pos = {str(h): i for i, h in enumerate(ctx.households.index)}
        ids = ctx.members["household_id"] if "household_id" in ctx.members else []
        self.member_hh: list[int | None] = [
            None if _is_na(h) else self.hh_pos.get(str(h)) for h in ids
        ]
        self.members_of: dict[int, list[int]] = {i: [] for i in range(len(ctx.households))}
        for m, h in enumerate(self.member_hh):
            if h is not None:
                self.members_of[h].append(m)

    def cell(self, level: str, name: str, vtype: str, row: int | None) -> object:
        if row is None:
            return None
        frame = self.ctx.households if level == "household" else self.ctx.members
        if name in frame.columns:
            return _cell(frame[name].iloc[row], vtype)
        if level == "household" and name in ("household_id", frame.index.name):
            return _cell(frame.index[row], vtype)
        return None

    def value_of(self, node: ast.AST, level: str, row: int | None) -> object:
        if row is None:
            return None
        if isinstance(node, ast.Constant):
            const: object = node.value
            return float(const) if isinstance(const, int) and not isinstance(const, bool) else const
        if isinstance(node, ast.Name):
            return self.field(self.expr.bindings[node.id], level, row)
        if isinstance(node, ast.Attribute):
            return _param(self.ctx.params.get(node.attr))
        if isinstance(node, ast.BoolOp):
            values = [self.value_of(v, level, row) for v in node.values]
            return _and(values) if isinstance(node.op, ast.And) else _or(values)
        if isinstance(node, ast.UnaryOp):
            operand = self.value_of(node.operand, level, row)
            if isinstance(node.op, ast.Not):
                return None if operand is None else not operand
            number = _number(operand)
            if number is None:
                return None
            return -number if isinstance(node.op, ast.USub) else number
        if isinstance(node, ast.BinOp):
            a = _number(self.value_of(node.left, level, row))
            b = _number(self.value_of(node.right, level, row))
            if a is None or b is None:
                return None
            if isinstance(node.op, ast.Add):
                return a + b
            if isinstance(node.op, ast.Sub):
                return a - b
            if isinstance(node.op, ast.Mult):
                return a * b
            return None if b == 0 else a / b
        if isinstance(node, ast.Compare):
            return self.compare(node, level, row)
        if isinstance(node, ast.Call):
            return self.call(node, level, row)
        raise TypeError(f"not an allowed node: {ast.dump(node)}")

    def field(self, binding: object, level: str, row: int) -> object:
        b_level, name, vtype = binding.level, binding.name, binding.type  # type: ignore[attr-defined]
        if b_level == level:
            return self.cell(level, name, vtype, row)
        return self.cell("household", name, vtype, self.member_hh[row])

    def literal(self, node: ast.AST) -> object:
        if isinstance(node, ast.Call):  # date("...")
            return self.value_of(node, "household", 0)
        if isinstance(node, ast.UnaryOp):
            value = float(node.operand.value)  # type: ignore[attr-defined]
            return -value if isinstance(node.op, ast.USub) else value
        value = node.value  # type: ignore[attr-defined]
        return float(value) if isinstance(value, int) and not isinstance(value, bool) else value

    def compare(self, node: ast.Compare, level: str, row: int) -> object:
        results = []
        left = self.value_of(node.left, level, row)
        for op, right_node in zip(node.ops, node.comparators, strict=True):
            if isinstance(op, ast.In | ast.NotIn):
                if isinstance(right_node, ast.Tuple | ast.List):
                    items = [self.literal(e) for e in right_node.elts]
                else:
                    got = self.value_of(right_node, level, row)
                    items = got if isinstance(got, list) else [got]
                hit = _in(left, items)
                results.append(hit if isinstance(op, ast.In) or hit is None else not hit)
                continue
            right = self.value_of(right_node, level, row)
            results.append(_compare(op, left, right))
            left = right
        return _and(results)

    def call(self, node: ast.Call, level: str, row: int) -> object:
        name = node.func.id  # type: ignore[attr-defined]
        if name in ("any", "all", "count", "sum", "min", "max"):
            return self.aggregate(name, node, level, row)
        if name == "col":
            header = node.args[0].value  # type: ignore[attr-defined]
            return self.field(self.expr.bindings[f"col:{header}"], level, row)
        if name == "date":
            return pd.Timestamp(datetime.date.fromisoformat(node.args[0].value.strip()))  # type: ignore[attr-defined]
        if name == "round":
            value = _number(self.value_of(node.args[0], level, row))
            digits = int(cast(float, self.literal(node.args[1]))) if len(node.args) > 1 else 0
            return None if value is None else float(np.round(value, digits))
        args = [self.value_of(a, level, row) for a in node.args]
        if name == "isblank":
            return args[0] is None or (isinstance(args[0], str) and not args[0].strip())
        if name == "notblank":
            return not (args[0] is None or (isinstance(args[0], str) and not args[0].strip()))
        if name == "between":
            return _and(
                [_compare(ast.GtE(), args[0], args[1]), _compare(ast.LtE(), args[0], args[2])]
            )
        if name == "valid_id":
            return _valid_id(args[0])
        if name == "months_between":
            return _months_between(args[0], args[1])
        if name == "coalesce":
            return next((a for a in args if a is not None), None)
        if name == "abs":
            value = _number(args[0])
            return None if value is None else abs(value)
        if name == "year":
            stamp = _to_kind(args[0], "date")
            return float(stamp.year) if isinstance(stamp, pd.Timestamp) else None
        raise TypeError(f"unknown function {name}")

    def aggregate(self, name: str, node: ast.Call, level: str, row: int) -> object:
        household = row if level == "household" else self.member_hh[row]
        if household is None:
            return None
        members = self.members_of[household]
        if not node.args:
            return float(len(members))
        values = [self.value_of(node.args[0], "member", m) for m in members]
        if name == "any":
            return _or(values)
        if name == "all":
            return _and(values)
        if name == "count":
            return None if None in values else float(sum(v is True for v in values))
        if any(v is None for v in values):
            return None
        if name == "sum":
            total = 0.0
            for v in values:
                total += _number(v)  # type: ignore[operator]
            return total
        if not values:
            return None
        if not isinstance(values[0], pd.Timestamp):
            values = [_number(v) for v in values]
        return min(values) if name == "min" else max(values)  # type: ignore[type-var]
