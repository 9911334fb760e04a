"""Bad input: every case is a one-line InputError (exit code 3) naming the file."""

from __future__ import annotations

import hashlib
import zlib
from pathlib import Path

import pytest
import xlwt
from io_helpers import MEMBER_HEADER, MEMBER_ROWS, rows_writer, write_xlsx

from exitcheck.errors import InputError
from exitcheck.exitcodes import ExitCode
from exitcheck.io import read_tables, sha256_of

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(range(64))


def _good_xlsx(path: Path) -> Path:
    return write_xlsx(path, {"人员表": rows_writer([MEMBER_HEADER, *MEMBER_ROWS])})


def _encrypted_xlsx(path: Path) -> Path:
    """A compound file with an EncryptionInfo stream, as Excel writes password-protected xlsx:
    an xlwt .xls whose 'Workbook' stream is renamed in the directory (name + name length)."""
    book = xlwt.Workbook()
    book.add_sheet("s").write(0, 0, "x")
    book.save(str(tmp := path.with_suffix(".xls")))
    data = bytearray(tmp.read_bytes())
    old = "Workbook".encode("utf-16-le")
    at = data.index(old)
    new = "EncryptionInfo".encode("utf-16-le")
    data[at : at + 64] = new + bytes(64 - len(new))
    data[at + 64 : at + 66] = (len(new) + 2).to_bytes(2, "little")
    path.write_bytes(bytes(data))
    tmp.unlink()
    return path


def _case(tmp_path: Path, name: str) -> tuple[Path, dict[str, str]]:
    """Build one bad input; returns the path and read_tables keyword arguments."""
    if name == "missing":
        return tmp_path / "nope.xlsx", {}
    if name == "directory":
        (folder := tmp_path / "exports.xlsx").mkdir()
        return folder, {}
    if name == "png_as_xlsx":
        (path := tmp_path / "photo.xlsx").write_bytes(PNG)
        return path, {}
    if name == "text_as_xlsx":
        (path := tmp_path / "notes.xlsx").write_text("姓名,证件号码\n张三,1\n", encoding="utf-8")
        return path, {}
    if name == "truncated_zip":
        good = _good_xlsx(tmp_path / "good.xlsx").read_bytes()
        (path := tmp_path / "cut.xlsx").write_bytes(good[: len(good) // 2])
        return path, {}
    if name == "encrypted":
        return _encrypted_xlsx(tmp_path / "secret.xlsx"), {}
    if name == "empty_workbook":
        return write_xlsx(tmp_path / "blank.xlsx", {"Sheet1": lambda ws: None}), {}
    if name == "empty_sheet":
        path = write_xlsx(
            tmp_path / "two.xlsx",
            {"人员表": rows_writer([MEMBER_HEADER, *MEMBER_ROWS]), "空表": lambda ws: None},
        )
        return path, {"sheet": "空表"}
    if name == "no_header":
        rows = [[1, 2, 3], [4, 5, 6], [7.5, 8, 9]]
        return write_xlsx(tmp_path / "numbers.xlsx", {"数": rows_writer(rows)}), {}
    if name == "header_without_data":
        return write_xlsx(tmp_path / "hdr.xlsx", {"表": rows_writer([MEMBER_HEADER])}), {}
    if name == "unknown_sheet":
        return _good_xlsx(tmp_path / "sheets.xlsx"), {"sheet": "户表"}
    if name == "unknown_sheet_index":
        return _good_xlsx(tmp_path / "index.xlsx"), {"sheet": "5"}
    if name == "unsupported_extension":
        (path := tmp_path / "registry.docx").write_bytes(b"PK\x03\x04rest")
        return path, {}
    if name == "empty_csv":
        (path := tmp_path / "empty.csv").write_bytes(b"")
        return path, {}
    if name == "binary_csv":
        (path := tmp_path / "image.csv").write_bytes(PNG)
        return path, {}
    if name == "corrupt_parquet":
        (path := tmp_path / "bad.parquet").write_bytes(b"PAR1" + zlib.compress(b"x" * 99))
        return path, {}
    raise AssertionError(name)


CASES = [
    "missing",
    "directory",
    "png_as_xlsx",
    "text_as_xlsx",
    "truncated_zip",
    "encrypted",
    "empty_workbook",
    "empty_sheet",
    "no_header",
    "header_without_data",
    "unknown_sheet",
    "unknown_sheet_index",
    "unsupported_extension",
    "empty_csv",
    "binary_csv",
    "corrupt_parquet",
]

EXPECTED_WORDS = {
    "missing": "找不到",
    "directory": "文件夹",
    "png_as_xlsx": "不是表格",
    "text_as_xlsx": "不是表格",
    "truncated_zip": "损坏",
    "encrypted": "密码",
    "empty_workbook": "没有数据",
    "empty_sheet": "空",
    "no_header": "表头",
    "header_without_data": "没有数据行",
    "unknown_sheet": "人员表",
    "unknown_sheet_index": "人员表",
    "unsupported_extension": ".docx",
    "empty_csv": "空",
    "binary_csv": "二进制",
    "corrupt_parquet": "损坏",
}


@pytest.mark.parametrize("name", CASES)
def test_bad_input_is_one_line_input_error_naming_the_file(tmp_path: Path, name: str) -> None:
    path, options = _case(tmp_path, name)
    with pytest.raises(InputError) as caught:
        read_tables(path, **options)
    error = caught.value
    assert error.exit_code == ExitCode.INPUT_UNREADABLE == 3
    for lang in ("zh", "en"):
        line = error.render(lang)
        assert "\n" not in line and path.name in line
    assert EXPECTED_WORDS[name] in error.message
    assert error.message_en != error.message  # an English text exists
    if "sheet" in options and name == "empty_sheet":
        assert "空表" in error.location


def test_encrypted_detection_does_not_reject_a_real_xls(tmp_path: Path) -> None:
    book = xlwt.Workbook()
    sheet = book.add_sheet("明细")
    for j, text in enumerate(MEMBER_HEADER):
        sheet.write(0, j, text)
    sheet.write(1, 0, "H001")
    (path := tmp_path / "ok.xls").parent.mkdir(exist_ok=True)
    book.save(str(path))
    assert read_tables(path)[0].rows.tolist() == [2]


def test_sha256_of_streams_the_file(tmp_path: Path) -> None:
    path = tmp_path / "blob.bin"
    path.write_bytes(bytes(range(256)) * 40_000)
    assert sha256_of(path) == hashlib.sha256(path.read_bytes()).hexdigest()
