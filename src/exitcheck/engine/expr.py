"""Rule expressions: parse with Python's grammar, compile an allow-list to vectorized closures.

Never eval/exec/compile()/DataFrame.query/DataFrame.eval: the text is only ever handed to
ast.parse, and every node type the compiler does not know is a RuleFileError with a caret.
"""

from __future__ import annotations

import ast
from collections.abc import Collection
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from exitcheck.engine import expr_ops as ops
from exitcheck.engine.context import EvalContext
from exitcheck.engine.expr_calls import Compiler
from exitcheck.engine.expr_compile import Fn
from exitcheck.engine.expr_errors import caret_line
from exitcheck.engine.expr_names import Binding, ValueType
from exitcheck.engine.messages import MSG
from exitcheck.errors import RuleFileError
from exitcheck.levels import Level
from exitcheck.schema.catalogue import FieldCatalogue

__all__ = ["CompiledExpr", "compile_expression", "parse_expression"]


@dataclass(frozen=True, eq=False)
class CompiledExpr:
    text: str
    level: Level
    fields: frozenset[str]  # canonical fields referenced (both levels, incl. derived, raw:...)
    params: frozenset[str]
    type: ValueType  # result type: "bool" for conditions, "number", "text", "date", "any"
    tree: ast.Expression  # the parsed AST (for the reference interpreter)
    bindings: dict[str, Binding]  # identifier (or "col:<header>") -> what it stands for
    where: str = "<expr>"
    _fn: Fn | None = field(default=None, repr=False)
    _values: dict[str, tuple[ValueType, Fn]] = field(default_factory=dict, repr=False)

    def evaluate(self, ctx: EvalContext) -> pd.Series:
        """The value per unit, aligned to the level frame: "boolean" or Float64 (nullable)."""
        assert self._fn is not None
        return self._run(self._fn, self.type, ctx)

    def field_values(self, ctx: EvalContext) -> dict[str, pd.Series]:
        """Each referenced field, parameter ("param.X") and aggregate (by its source text, e.g.
        "count()") aligned to the level frame, for messages and the findings' values column."""
        out: dict[str, pd.Series] = {}
        index = ctx.frame(self.level).index
        for key, (vtype, fn) in self._values.items():
            if key.startswith("param."):
                cells = np.empty(len(index), dtype=object)
                cells.fill(ops.Const(ctx.params.get(key.removeprefix("param."))).value)
                out[key] = pd.Series(cells, index=index, dtype=object, copy=False)
                continue
            out[key] = self._run(fn, vtype, ctx)
        return out

    def _run(self, fn: Fn, vtype: ValueType, ctx: EvalContext) -> pd.Series:
        index = ctx.frame(self.level).index
        try:
            result = ops.broadcast(fn(ctx), index, vtype)
        except TypeError as exc:  # run-time types: a parameter value of the wrong kind
            zh, en = MSG.both("runtime_type", detail=str(exc))
            raise RuleFileError(zh, message_en=en, location=self.where, detail=self.text) from exc
        if vtype == "bool":
            return result.astype("boolean")
        if vtype == "number":
            return result.astype("Float64")
        return result


def parse_expression(text: str, where: str = "<expr>") -> ast.Expression:
    """Python's expression grammar; multi-line or indented text is read as if parenthesized."""
    if not text.strip():
        zh, en = MSG.both("empty")
        raise RuleFileError(zh, message_en=en, location=where)
    try:
        return ast.parse(text, mode="eval")
    except SyntaxError as first:
        try:
            # YAML block scalars keep newlines; "(\n...\n)" keeps columns, shifts lines by one.
            tree = ast.parse("(\n" + text + "\n)", mode="eval")
        except SyntaxError:
            raise _syntax_error(text, where, first) from None
        ast.increment_lineno(tree, -1)
        return tree


def _syntax_error(text: str, where: str, exc: SyntaxError) -> RuleFileError:
    lineno = exc.lineno or 1
    start = max((exc.offset or 1) - 1, 0)
    end = (exc.end_offset - 1) if exc.end_offset and exc.end_lineno == lineno else None
    lines = text.splitlines() or [""]
    line = lines[min(lineno, len(lines)) - 1]
    single_eq = line[start : start + 1] == "=" and line[start : start + 2] != "=="
    zh, en = MSG.both("syntax_eq") if single_eq else MSG.both("syntax", msg=exc.msg)
    return RuleFileError(
        zh, message_en=en, location=where, detail=caret_line(text, lineno, start, end)
    )


def compile_expression(
    text: str,
    *,
    level: Level,
    catalogue: FieldCatalogue,
    where: str = "<expr>",
    known_params: Collection[str] | None = None,
    extra_columns: Collection[str] = (),
    populations: Collection[str] | None = None,
) -> CompiledExpr:
    """Compile a rule expression for evaluation per household or per member.

    Raises RuleFileError located at ``where`` whose detail shows the expression with ^^^ under
    the offending part. ``known_params``: when given, param.X must be one of them.
    ``extra_columns``: raw headers present in the data (with or without "raw:"), usable as bare
    names besides col("header"). ``populations``: when given, pop.X must be one of them.
    """
    tree = parse_expression(text, where)
    compiler = Compiler(text, where, catalogue, known_params, extra_columns, populations)
    root = compiler.visit(tree.body, level)
    return CompiledExpr(
        text=text,
        level=level,
        fields=frozenset(compiler.fields),
        params=frozenset(compiler.params),
        type=root.type,
        tree=tree,
        bindings=dict(compiler.bindings),
        where=where,
        _fn=root.fn,
        _values=dict(compiler.values),
    )
