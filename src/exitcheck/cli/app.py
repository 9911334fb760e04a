"""The `exitcheck` Typer application: registers one module per command and maps errors to exit codes.

Command modules import pandas & co. inside their functions so that ``--help`` stays instant.
"""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from exitcheck import __version__
from exitcheck.cli.help import HelpCommand, HelpGroup
from exitcheck.errors import ExitcheckError
from exitcheck.exitcodes import ExitCode

app = typer.Typer(
    name="exitcheck",
    cls=HelpGroup,
    help="脱贫退出核查：审核建档立卡数据是否达到退出标准。 Audit poverty-exit eligibility.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode="rich",
)

# Set by the --debug option; read by main() when an error escapes a command.
_state: dict[str, object] = {"debug": False, "lang": "zh", "show_ids": False}


def _version(value: bool) -> None:
    if value:
        typer.echo(f"exitcheck {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="显示版本 Show version."),
    ] = False,
    debug: Annotated[
        bool, typer.Option("--debug", help="出错时显示完整调用栈 Show tracebacks on errors.")
    ] = False,
) -> None:
    _state["debug"] = debug


def set_lang(lang: str) -> None:
    """Commands call this with their --lang so that errors escaping them use the same language."""
    _state["lang"] = lang


def set_show_ids(show_ids: bool) -> None:
    """audit --show-ids: error lines may then show ID numbers too (else they are masked)."""
    _state["show_ids"] = show_ids


def _shown(text: str) -> str:
    """An error line as printed: identifiers masked, control characters made visible."""
    from exitcheck.report.mask import inert

    return inert(text, show_ids=bool(_state["show_ids"]))


def _register() -> None:
    # Imported here, not at module top, so that each module's import cost stays small.
    from exitcheck.cli import (
        audit_cmd,
        bunching_cmd,
        diff_cmd,
        draw_cmd,
        estimate_cmd,
        exit_rates_cmd,
        explain_cmd,
        inspect_cmd,
        params_cmd,
        rules_cmd,
        sample_cmd,
    )

    app.command("audit", cls=HelpCommand)(audit_cmd.audit)
    app.command("inspect", cls=HelpCommand)(inspect_cmd.inspect)
    app.command("explain", cls=HelpCommand)(explain_cmd.explain)
    app.add_typer(rules_cmd.rules_app, name="rules", cls=HelpGroup)
    app.add_typer(params_cmd.params_app, name="params", cls=HelpGroup)
    app.command("demo-data", cls=HelpCommand)(sample_cmd.sample)
    app.command("sample", hidden=True, cls=HelpCommand)(sample_cmd.sample_alias)  # old name, one release
    app.command("exit-rates", cls=HelpCommand)(exit_rates_cmd.exit_rates)
    app.command("draw", cls=HelpCommand)(draw_cmd.draw)
    app.command("estimate", cls=HelpCommand)(estimate_cmd.estimate)
    app.command("diff", cls=HelpCommand)(diff_cmd.diff)
    app.command("bunching", cls=HelpCommand)(bunching_cmd.bunching)


_register()


def main() -> None:
    """Console-script entry point: run the app, turn ExitcheckError into one line + exit code.

    Typer runs with standalone_mode=False: --help and typer.Exit give back an exit code, and
    click's usage errors come back here to be said in the user's language (cli/usage.py), as do
    our own errors and genuine bugs. Every exit code is one of
    ExitCode (docs/exit-codes.md): running out of memory is INPUT_UNREADABLE (the input is too
    large for this machine; the read stage's limits normally stop such files first), a bug is
    INTERNAL_ERROR.
    """
    from exitcheck.cli import usage

    try:
        code = app(standalone_mode=False)
    except typer.Abort:
        sys.exit(usage.show_aborted(usage.current_lang()))
    except usage.USAGE_ERRORS as err:  # click's: unknown option, missing argument, bad value
        sys.exit(usage.show_usage_error(err, usage.current_lang()))
    except KeyboardInterrupt:
        sys.exit(usage.show_aborted(usage.current_lang()))
    except ExitcheckError as err:
        if _state["debug"]:
            import traceback

            traceback.print_exc()
        lang = str(_state["lang"])
        prefix = "error" if lang == "en" else "错误"
        typer.echo(f"{prefix}: {_shown(err.render(lang))}", err=True)
        sys.exit(int(err.exit_code))
    except MemoryError:
        if _state["debug"]:
            raise
        typer.echo("错误 error: 内存不足，无法处理该输入（文件过大？请拆分后再核查）"
                   " / out of memory: the input is too large for this machine (split it)",
                   err=True)
        sys.exit(int(ExitCode.INPUT_UNREADABLE))
    except Exception as exc:
        if _state["debug"]:
            raise
        typer.echo(
            _shown(f"内部错误 internal error: {type(exc).__name__}: {str(exc)[:300]}")
            + "（加 --debug 查看详情 / rerun with --debug）",
            err=True,
        )
        sys.exit(int(ExitCode.INTERNAL_ERROR))
    sys.exit(code if isinstance(code, int) else 0)
