"""Terminal text shared by the rule commands (rules, params, explain): the bilingual pick, rule
outcome labels, and one line per parameter value."""

from __future__ import annotations

from typing import TYPE_CHECKING

from exitcheck.cli.choices import Lang

if TYPE_CHECKING:  # engine.result imports pandas: not at CLI start-up
    from exitcheck.engine.result import ParamValue

# Rule outcomes (engine/evaluate.py statuses, plus explain's not_run) and their colours.
OUTCOME: dict[str, tuple[str, str]] = {
    "pass": ("通过", "pass"),
    "violated": ("不符合", "violated"),
    "not_evaluated": ("未能核查", "not evaluated"),
    "not_applicable": ("不适用", "not applicable"),
    "not_run": ("未运行", "not run"),
}
_STYLE = {"pass": "green", "violated": "red", "not_evaluated": "yellow",
          "not_applicable": "dim", "not_run": "yellow"}


def pick(lang: Lang, zh: str, en: str) -> str:
    return en if lang is Lang.en else zh


def outcome_label(outcome: str, lang: Lang, *, styled: bool = False) -> str:
    """通过 / pass ...; with rich markup for its colour when ``styled``."""
    zh, en = OUTCOME.get(outcome, (outcome, outcome))
    text = pick(lang, zh, en)
    style = _STYLE.get(outcome)
    return f"[{style}]{text}[/{style}]" if styled and style else text


def param_line(pv: ParamValue, lang: Lang) -> str:
    """``  param.NAME = VALUE UNIT（生效 DATE，SOURCE，已核实）`` (rules show, explain)."""
    from exitcheck.engine.render import format_scalar

    flag = pick(lang, "已核实", "verified") if pv.verified else pick(lang, "未核实", "unverified")
    value = f"{format_scalar(pv.value, lang.value)} {pv.unit or ''}".rstrip()
    return (f"  param.{pv.name} = {value}（{pick(lang, '生效', 'from')} "
            f"{pv.effective_from.isoformat()}，{pv.source}，{flag}）")
