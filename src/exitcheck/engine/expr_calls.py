"""The function calls of the expression language: fixed functions and member aggregates."""

from __future__ import annotations

import ast
import copy
from collections.abc import Callable

import pandas as pd

from exitcheck.engine import expr_ops as ops
from exitcheck.engine.context import EvalContext, Level, to_members
from exitcheck.engine.expr_compile import AGGREGATES, FUNCTIONS, BaseCompiler, Fn, Node, level_index
from exitcheck.engine.expr_names import ValueType, resolve_header


class Compiler(BaseCompiler):
    """One expression's compilation: resolves names, checks types and levels, builds closures."""

    # -- calls -----------------------------------------------------------------------------
    def visit_Call(self, node: ast.Call, level: Level) -> Node:
        if not isinstance(node.func, ast.Name):
            self.visit(node.func, level)  # rejects attributes, lambdas, subscripts...
            self.not_allowed(node.func)
        name = node.func.id
        if name.startswith("__"):
            self.fail("dunder", node.func, name=name)
        if name not in FUNCTIONS:
            self.fail("unknown_function", node.func, name=name, names=", ".join(FUNCTIONS))
        for kw in node.keywords:
            self.not_allowed(kw)
        for arg in node.args:
            if isinstance(arg, ast.Starred):
                self.not_allowed(arg)
        low, high = FUNCTIONS[name]
        if not low <= len(node.args) <= (high if high is not None else len(node.args)):
            expected = str(low) if low == high else f"{low}-{high}" if high else f">={low}"
            self.fail("arity", node, name=name, expected=expected, got=len(node.args))
        if name in AGGREGATES:
            return self.aggregate(node, name, level)
        handler: Callable[[ast.Call, Level], Node] = getattr(self, f"call_{name}")
        return handler(node, level)

    def call_date(self, node: ast.Call, level: Level) -> Node:
        const = ops.Const(self.date_literal(node))
        return Node("date", lambda ctx: const)

    def call_col(self, node: ast.Call, level: Level) -> Node:
        header = self.string_arg(node, 'col("人均纯收入（元）")')
        binding = resolve_header(header, self.catalogue)
        self.bindings[f"col:{header}"] = binding
        return self.field(binding, level, node, f'col("{header}")')

    def args(self, node: ast.Call, level: Level) -> list[Node]:
        return [self.visit(a, level) for a in node.args]

    def call_isblank(self, node: ast.Call, level: Level, negate: bool = False) -> Node:
        (arg,) = self.args(node, level)
        f, t = arg.fn, arg.type
        if negate:
            return Node("bool", lambda ctx: ~ops.isblank(f(ctx), level_index(ctx, level), t))
        return Node("bool", lambda ctx: ops.isblank(f(ctx), level_index(ctx, level), t))

    def call_notblank(self, node: ast.Call, level: Level) -> Node:
        return self.call_isblank(node, level, negate=True)

    def call_between(self, node: ast.Call, level: Level) -> Node:
        x, lo, hi = self.args(node, level)
        self.check_pair(node.args[0], node.args[1], x.type, lo.type, "<=")
        self.check_pair(node.args[0], node.args[2], x.type, hi.type, "<=")
        fx, fl, fh = x.fn, lo.fn, hi.fn
        vt: ValueType = next(
            (t for t in (x.type, lo.type, hi.type) if t not in ("any", "null")), "any"
        )
        return Node(
            "bool", lambda ctx: ops.between(fx(ctx), fl(ctx), fh(ctx), level_index(ctx, level), vt)
        )

    def call_valid_id(self, node: ast.Call, level: Level) -> Node:
        (arg,) = self.args(node, level)
        self.need(node.args[0], arg.type, ("text",), "what_arg")
        f = arg.fn
        return Node("bool", lambda ctx: ops.valid_id(f(ctx), level_index(ctx, level)))

    def call_months_between(self, node: ast.Call, level: Level) -> Node:
        a, b = self.args(node, level)
        self.need(node.args[0], a.type, ("date",), "what_arg")
        self.need(node.args[1], b.type, ("date",), "what_arg")
        fa, fb = a.fn, b.fn
        return Node(
            "number", lambda ctx: ops.months_between(fa(ctx), fb(ctx), level_index(ctx, level))
        )

    def call_coalesce(self, node: ast.Call, level: Level) -> Node:
        parts = self.args(node, level)
        vtype: ValueType = next((p.type for p in parts if p.type not in ("any", "null")), "any")
        for sub, part in zip(node.args, parts, strict=True):
            self.check_pair(node.args[0], sub, vtype, part.type, "==")
        fns = [p.fn for p in parts]
        return Node(
            vtype, lambda ctx: ops.coalesce([f(ctx) for f in fns], level_index(ctx, level), vtype)
        )

    def call_abs(self, node: ast.Call, level: Level) -> Node:
        (arg,) = self.args(node, level)
        self.need(node.args[0], arg.type, ("number",), "what_arg")
        f = arg.fn
        return Node("number", lambda ctx: ops.abs_(f(ctx), level_index(ctx, level)))

    def call_round(self, node: ast.Call, level: Level) -> Node:
        arg = self.visit(node.args[0], level)
        self.need(node.args[0], arg.type, ("number",), "what_arg")
        digits = 0
        if len(node.args) == 2:
            raw = node.args[1]
            sign, inner = 1, raw
            if isinstance(raw, ast.UnaryOp) and isinstance(raw.op, ast.USub):
                sign, inner = -1, raw.operand
            if not (isinstance(inner, ast.Constant) and type(inner.value) is int):
                self.fail("int_literal_arg", raw, name="round", pos=2)
            digits = sign * inner.value
        f = arg.fn
        return Node("number", lambda ctx: ops.round_(f(ctx), digits, level_index(ctx, level)))

    def call_year(self, node: ast.Call, level: Level) -> Node:
        (arg,) = self.args(node, level)
        self.need(node.args[0], arg.type, ("date",), "what_arg")
        f = arg.fn
        return Node("number", lambda ctx: ops.year(f(ctx), level_index(ctx, level)))

    # -- member aggregates -----------------------------------------------------------------
    def aggregate(self, node: ast.Call, kind: str, level: Level) -> Node:
        self.agg_depth += 1
        arg = self.visit(node.args[0], "member") if node.args else None
        self.agg_depth -= 1
        result: ValueType
        if kind in ("any", "all", "count"):
            if arg is not None:
                self.need(node.args[0], arg.type, ("bool",), "what_cond")
            result = "bool" if kind != "count" else "number"
        elif kind == "sum":
            assert arg is not None
            self.need(node.args[0], arg.type, ("number",), "what_arg")
            result = "number"
        else:
            assert arg is not None
            self.need(node.args[0], arg.type, ("number", "date"), "what_arg")
            result = arg.type if arg.type == "date" else "number"
        key = "agg:" + self.canonical_dump(node)
        arg_fn, arg_type = (arg.fn, arg.type) if arg is not None else (None, "any")

        def per_household(ctx: EvalContext) -> pd.Series:
            hit = ctx.cache.get(key)
            if hit is None:
                values = None
                if arg_fn is not None:
                    members = ctx.members.index
                    if result == "number" and kind != "count":
                        values = ops.as_number(arg_fn(ctx), members)
                    else:
                        values = ops.broadcast(arg_fn(ctx), members, arg_type)
                hit = ops.aggregate(kind, values, ctx)
                ctx.cache[key] = hit
            assert isinstance(hit, pd.Series)
            return hit

        fn: Fn = per_household
        if level == "member":

            def fn(ctx: EvalContext) -> ops.Value:
                hit = ctx.cache.get("members:" + key)
                if hit is None:
                    hit = ctx.cache["members:" + key] = to_members(ctx, per_household(ctx))
                assert isinstance(hit, pd.Series)
                return hit

        if self.agg_depth == 0:
            source = ast.get_source_segment(self.text, node) or ast.unparse(node)
            self.values[source] = (result, fn)
        return Node(result, fn)

    def canonical_dump(self, node: ast.AST) -> str:
        """ast.dump with names replaced by canonical fields: the aggregate's cache key."""
        bindings = self.bindings

        class Canon(ast.NodeTransformer):
            def visit_Name(self, n: ast.Name) -> ast.AST:
                hit = bindings.get(n.id)
                return ast.Name(id=hit.name if hit else n.id, ctx=ast.Load())

            def visit_Call(self, n: ast.Call) -> ast.AST:
                if isinstance(n.func, ast.Name) and n.func.id == "col":
                    arg = n.args[0]
                    key = f"col:{arg.value!s}" if isinstance(arg, ast.Constant) else ""
                    if key in bindings:
                        return ast.Name(id=bindings[key].name, ctx=ast.Load())
                self.generic_visit(n)
                return n

        return ast.dump(Canon().visit(copy.deepcopy(node)))
