"""The function calls of the expression language: fixed functions and member aggregates."""

from __future__ import annotations

import ast
import copy
from collections.abc import Callable

import pandas as pd

from exitcheck.engine import expr_ops as ops
from exitcheck.engine.context import EvalContext, Level, codes, column, down, has_column
from exitcheck.engine.expr_compile import AGGREGATES, FUNCTIONS, BaseCompiler, Fn, Node, level_index
from exitcheck.engine.expr_names import ValueType, resolve, resolve_header
from exitcheck.levels import LEVELS, PARENT, depth


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
        # A column the export does not have is neither blank nor filled: unknown, so that a
        # rule requiring it filled is reported as not run for the missing column instead of
        # violated on every unit (write coalesce(x, "") == "" to test an era's columns).
        binding = self.binding_of(node.args[0])

        def fn(ctx: EvalContext) -> pd.Series:
            index = level_index(ctx, level)
            if binding is not None and not has_column(ctx, binding.level, binding.name):
                return pd.Series(pd.NA, index=index, dtype="boolean")
            blank = ops.isblank(f(ctx), index, t)
            return ~blank if negate else blank

        return Node("bool", fn)

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

    # -- text ------------------------------------------------------------------------------
    def text_test(self, node: ast.Call, level: Level, test: str) -> Node:
        arg = self.visit(node.args[0], level)
        self.need(node.args[0], arg.type, ("text",), "what_arg")
        needle = self.string_arg_at(node, 1, f'{test}(村, "组")')
        f = arg.fn
        return Node("bool", lambda ctx: ops.text_test(test, f(ctx), needle,
                                                      level_index(ctx, level)))

    def call_contains(self, node: ast.Call, level: Level) -> Node:
        return self.text_test(node, level, "contains")

    def call_startswith(self, node: ast.Call, level: Level) -> Node:
        return self.text_test(node, level, "startswith")

    def call_endswith(self, node: ast.Call, level: Level) -> Node:
        return self.text_test(node, level, "endswith")

    def call_has(self, node: ast.Call, level: Level) -> Node:
        return self.text_test(node, level, "has")

    def call_matches(self, node: ast.Call, level: Level) -> Node:
        arg = self.visit(node.args[0], level)
        self.need(node.args[0], arg.type, ("text",), "what_arg")
        pattern = self.string_arg_at(node, 1, r'matches(证件号码, "\d{17}[\dX]")')
        reason = ops.pattern_error(pattern)
        if reason is not None:
            self.fail("bad_pattern", node.args[1], reason=reason)
        f = arg.fn
        return Node("bool", lambda ctx: ops.text_test("matches", f(ctx), pattern,
                                                      level_index(ctx, level)))

    def call_length(self, node: ast.Call, level: Level) -> Node:
        (arg,) = self.args(node, level)
        self.need(node.args[0], arg.type, ("text",), "what_arg")
        f = arg.fn
        return Node("number", lambda ctx: ops.length(f(ctx), level_index(ctx, level)))

    def call_duplicated(self, node: ast.Call, level: Level) -> Node:
        parts = self.args(node, level)
        fns = [p.fn for p in parts]
        types = [p.type for p in parts]
        key = "dup:" + level + ":" + self.canonical_dump(node)

        def fn(ctx: EvalContext) -> pd.Series:
            hit = ctx.cache.get(key)
            if hit is None:
                index = level_index(ctx, level)
                values = [ops.broadcast(f(ctx), index, t) for f, t in zip(fns, types,
                                                                           strict=True)]
                hit = ctx.cache[key] = ops.duplicated(values, index)
            assert isinstance(hit, pd.Series)
            return hit

        return Node("bool", fn)

    def string_arg_at(self, node: ast.Call, pos: int, example: str) -> str:
        arg = node.args[pos]
        if not (isinstance(arg, ast.Constant) and isinstance(arg.value, str)):
            self.fail("string_literal_arg", arg, name=getattr(node.func, "id", ""), example=example)
        return arg.value

    # -- aggregates across levels ----------------------------------------------------------
    def source_level(self, node: ast.Call, level: Level) -> tuple[Level, Level]:
        """(level aggregated over, level aggregated to) for an aggregate in a ``level`` rule.

        Over the lowest level of the fields the argument reads outside nested aggregates, up
        to the rule's level. An argument that reads nothing below the rule's level: a household
        rule aggregates its members, a village rule its households; a member rule its
        household's members (``count()`` = household size), a spell rule its person's spells,
        the result repeated onto each unit.
        """
        deepest: Level = level
        stack: list[ast.AST] = list(node.args)
        while stack:
            sub = stack.pop()
            if isinstance(sub, ast.Call) and isinstance(sub.func, ast.Name):
                if sub.func.id in AGGREGATES:
                    continue
                if sub.func.id == "col" and sub.args and isinstance(sub.args[0], ast.Constant):
                    header = resolve_header(str(sub.args[0].value), self.catalogue)
                    if depth(header.level) > depth(deepest):
                        deepest = header.level
                    continue
            if isinstance(sub, ast.Name):
                named = resolve(sub.id, self.catalogue, self.extra_columns)
                if named is not None and depth(named.level) > depth(deepest):
                    deepest = named.level
            stack.extend(ast.iter_child_nodes(sub))
        if deepest != level:
            return deepest, level
        if level in ("member", "spell"):
            parent = PARENT[level]
            assert parent is not None
            return level, parent
        return LEVELS[depth(level) + 1], level

    def aggregate(self, node: ast.Call, kind: str, level: Level) -> Node:
        source, target = self.source_level(node, level)
        if kind == "latest" and (source != "spell" or target not in ("member", "household")):
            self.fail("latest_needs_spell", node)
        self.agg_depth += 1
        arg = self.visit(node.args[0], source) if node.args else None
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
        elif kind == "latest":
            assert arg is not None
            result = arg.type
        else:
            assert arg is not None
            self.need(node.args[0], arg.type, ("number", "date"), "what_arg")
            result = arg.type if arg.type == "date" else "number"
        key = f"agg:{source}>{target}:" + self.canonical_dump(node)
        arg_fn, arg_type = (arg.fn, arg.type) if arg is not None else (None, "any")

        def per_unit(ctx: EvalContext) -> pd.Series:
            hit = ctx.cache.get(key)
            if hit is None:
                units = ctx.frame(source).index
                at = codes(ctx, source, target)
                index = ctx.frame(target).index
                values = None
                if arg_fn is not None:
                    if result == "number" and kind != "count":
                        values = ops.as_number(arg_fn(ctx), units)
                    else:
                        values = ops.broadcast(arg_fn(ctx), units, arg_type)
                if kind == "latest":
                    assert values is not None
                    start = column(ctx, "spell", "spell_start", "date")
                    hit = ops.latest(values, start, at, index)
                else:
                    hit = ops.aggregate(kind, values, at, index)
                ctx.cache[key] = hit
            assert isinstance(hit, pd.Series)
            return hit

        fn: Fn = per_unit
        if target != level:  # siblings: the aggregate of the unit above, on each unit

            def fn(ctx: EvalContext) -> ops.Value:
                hit = ctx.cache.get(f"{level}:" + key)
                if hit is None:
                    hit = ctx.cache[f"{level}:" + key] = down(ctx, per_unit(ctx), target, level)
                assert isinstance(hit, pd.Series)
                return hit

        if self.agg_depth == 0:
            source_text = ast.get_source_segment(self.text, node) or ast.unparse(node)
            self.values[source_text] = (result, fn)
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
