"""The CLI shell: version, help, error mapping, and that --help imports no heavy library."""

from __future__ import annotations

import subprocess
import sys

from exitcheck import __version__


def test_version(cli):
    res = cli("--version")
    assert res.returncode == 0
    assert res.stdout.strip() == f"exitcheck {__version__}"


def test_help_lists_commands(cli):
    res = cli("--help")
    assert res.returncode == 0
    for command in ("inspect", "audit", "rules", "params", "explain", "sample"):
        assert command in res.stdout


def test_help_does_not_import_pandas():
    # `--help` must stay instant: command modules import pandas & co. inside their functions.
    code = (
        "import sys\n"
        "from exitcheck.cli import app\n"
        "heavy = [m for m in ('pandas', 'numpy', 'pyarrow', 'openpyxl', 'xlsxwriter') "
        "if m in sys.modules]\n"
        "print(','.join(heavy))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_unknown_option_is_usage_error(cli):
    res = cli("inspect", "--no-such-option", "x.xlsx")
    assert res.returncode == 2
    assert "Traceback" not in res.stderr
