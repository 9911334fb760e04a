"""run_audit loads the registry in a thread while reading rule files: errors keep their order."""

from __future__ import annotations

import pytest

from exitcheck.errors import InputError, RuleFileError
from exitcheck.pipeline import AuditOptions, run_audit


def test_load_error_from_the_thread_reaches_the_caller(tmp_path):
    missing = tmp_path / "absent.xlsx"
    with pytest.raises(InputError):
        run_audit(AuditOptions(paths=[missing]))


def test_broken_rule_file_is_reported_before_a_bad_input(tmp_path):
    rules = tmp_path / "bad.yaml"
    rules.write_text("family: INC\nrules: [ {code: \n", encoding="utf-8")
    garbage = tmp_path / "county.xlsx"
    garbage.write_bytes(b"not a workbook")
    with pytest.raises(RuleFileError):
        run_audit(AuditOptions(paths=[garbage], rules=[rules]))
