"""The code lists of rules/fields.yaml as vocabulary: every listed spelling of every enum/grade
field loads from a real workbook onto its canonical value; unknown values are still reported,
once per distinct value (DQ090); a --columns file adds local spellings."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
from schema_helpers import make_id

from exitcheck.errors import RuleFileError
from exitcheck.schema.catalogue import FieldCatalogue, load_catalogue, load_column_mapping
from exitcheck.schema.loader import load_registry
from exitcheck.schema.text import fold

EXITCHECK = Path(sys.executable).with_name("exitcheck")


def _member_sheet_fields(catalogue: FieldCatalogue) -> list:
    """Enum/grade fields a member sheet carries (member and household level)."""
    return [s for s in catalogue.fields.values()
            if s.type in ("enum", "grade") and s.level in ("member", "household")]


def _cell(word: str) -> object:
    # Codes without a leading zero are written as numbers, as Excel stores them.
    return int(word) if word.isdigit() and not word.startswith("0") else word


def _write(path: Path, headers: list[str], rows: list[list[object]]) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "监测对象明细"
    ws.append(["防止返贫监测对象信息（测试）"])  # a title row above the header
    ws.append(headers)
    for row in rows:
        ws.append(row)
    wb.save(path)
    return path


def test_every_listed_value_loads_onto_its_canonical_value(
    tmp_path: Path, catalogue: FieldCatalogue
) -> None:
    specs = _member_sheet_fields(catalogue)
    # Each column lists the canonical values and every synonym of one field, one per row.
    words = {s.name: [(w, c) for c, syns in s.values.items() for w in (c, *syns)] for s in specs}
    n = max(len(v) for v in words.values())
    headers = ["户编号", "姓名", "证件号码"] + [s.label for s in specs]
    rows = []
    for i in range(n):
        row: list[object] = [f"H{i:04d}", f"成员{i}", make_id("510102", "19800101", i + 1)]
        for s in specs:
            listed = words[s.name]
            row.append(_cell(listed[i][0]) if i < len(listed) else None)
        rows.append(row)
    path = _write(tmp_path / "codes.xlsx", headers, rows)

    registry = load_registry([path])

    issues = registry.issues
    bad = issues[issues["kind"] == "value_not_allowed"]
    assert bad.empty, bad[["field", "value"]].to_string()
    members = registry.members.set_index("household_id")
    checked = 0
    for s in specs:
        for i, (word, canonical) in enumerate(words[s.name]):
            got = members.at[f"H{i:04d}", s.name]
            assert got == canonical, f"{s.name}: {word!r} -> {got!r}, expected {canonical!r}"
            checked += 1
    assert checked == sum(len(v) for v in words.values())


def test_monitoring_spellings_map_to_the_values_rules_use(catalogue: FieldCatalogue) -> None:
    """The spellings the issue names, and the canonical values shipped rules compare with."""
    expected = {
        "health": {"患有大病": "患大病", "健康": "健康", "长期慢性病": "长期慢性病", "残疾": "残疾",
                   "残疾,患有大病": "残疾、患大病", "患有大病,残疾": "残疾、患大病",
                   "长期慢性病,残疾": "残疾、长期慢性病", "03": "患大病"},
        "dibao_policy": {"农村低保": "农村低保", "城市低保": "城市低保", "未享受": "未享受",
                         "否": "未享受"},
        "tekun_policy": {"农村特困": "农村特困", "城市特困": "城市特困", "未享受": "未享受"},
        "school_status": {"高职高专一年级": "高职高专", "普通高中一年级": "高中",
                          "中职二年级": "中职", "本科三年级": "本科",
                          "硕士研究生及以上": "硕士及以上", "技师学院四年级": "技师学院",
                          "小学三年级": "小学三年级", "八年级": "八年级"},
        "education_level": {"高职高专": "高职高专", "本科": "本科",
                            "硕士研究生及以上": "硕士及以上", "技师": "技师",
                            "大专及以上": "大专及以上", "中职": "中专",
                            "文盲或半文盲": "文盲或半文盲", "学龄前儿童": "学龄前儿童"},
        "labour_skill": {w: w for w in ("普通劳动力", "技能劳动力", "弱劳动力或半劳动力",
                                        "丧失劳动力", "无劳动力")},
        "risk_1": {"因自然灾害": "因灾", "因产业项目失败": "产业项目失败",
                   "缺劳动力": "缺劳动力", "因务工就业不稳": "因务工就业不稳",
                   "因意外事故": "因意外事故", "其他": "其他"},
        "risk_elimination_method": {"帮扶消除": "帮扶消除", "自然消除": "自然消除"},
        "household_category": {"脱贫户": "脱贫户", "监测户": "监测户", "一般农户": "一般农户"},
        "monitoring_category": {"脱贫不稳定户": "脱贫不稳定户", "边缘易致贫户": "边缘易致贫户",
                                "突发严重困难户": "突发严重困难户"},
        "id_type": {"居民身份证": "居民身份证", "残疾人证": "残疾人证"},
    }
    for name, pairs in expected.items():
        spec = catalogue.fields[name]
        value_map = catalogue.value_map(spec)
        for word, canonical in pairs.items():
            assert value_map.get(fold(word)) == canonical, (name, word)


def test_job_channel_is_a_code_list_of_the_work_table(catalogue: FieldCatalogue) -> None:
    spec = catalogue.fields["job_channel"]
    assert spec.level == "spell" and spec.type == "enum"
    for canonical in ("公益岗位", "帮扶车间", "劳务输出"):  # the values practice rules compare with
        assert catalogue.value_map(spec)[fold(canonical)] == canonical


def test_unknown_value_is_still_reported_per_cell(tmp_path: Path) -> None:
    headers = ["户编号", "姓名", "证件号码", "健康状况", "劳动技能"]
    rows = [
        ["H1", "张三", make_id("510102", "19800101", 11), "体弱多病", "普通劳动力"],
        ["H1", "李四", make_id("510102", "19820315", 22), "体弱多病", "普通劳动力"],
        ["H2", "王五", make_id("510102", "19700101", 33), "患有大病", "半劳力"],
    ]
    registry = load_registry([_write(tmp_path / "unknown.xlsx", headers, rows)])
    bad = registry.issues[registry.issues["kind"] == "value_not_allowed"]
    # One issue row per cell (other code counts them); the value becomes blank.
    assert sorted(zip(bad["field"], bad["value"], strict=True)) == [
        ("health", "体弱多病"), ("health", "体弱多病"), ("labour_skill", "半劳力")]
    assert registry.members["health"].isna().sum() == 2


def _audit_json(tmp_path: Path, xlsx: Path, *extra: str) -> dict:
    out = tmp_path / "report.json"
    subprocess.run(
        [str(EXITCHECK), "audit", str(xlsx), "--year", "2023", "--region", "51",
         "--json", str(out), "-o", str(tmp_path / "out.xlsx"), "--select", "DQ090", *extra],
        check=False, capture_output=True, text=True, timeout=300,
    )
    return json.loads(out.read_text(encoding="utf-8"))


def _findings(report: dict) -> list[dict]:
    """Findings of the JSON report, wherever the format keeps them."""
    found: list[dict] = []

    def walk(node: object) -> None:
        if isinstance(node, dict):
            if node.get("rule") == "DQ090" and "message" in node:
                found.append(node)
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    walk(report)
    return found


def test_dq090_reports_each_distinct_value_once_with_its_count(tmp_path: Path) -> None:
    headers = ["户编号", "姓名", "证件号码", "与户主关系", "健康状况"]
    rows = [[f"H{i}", f"成员{i}", make_id("510102", "19800101", i + 1), "户主", "体弱多病"]
            for i in range(7)]
    rows.append(["H9", "赵六", make_id("510102", "19800101", 90), "户主", "多病"])
    report = _audit_json(tmp_path, _write(tmp_path / "dq090.xlsx", headers, rows))
    found = _findings(report)
    by_value = {}
    for f in found:
        by_value.setdefault(f["message"], f)
    messages = sorted(by_value)
    assert len(messages) == 2, messages
    many = next(m for m in messages if "体弱多病" in m)
    assert "共 7 处" in many and "监测对象明细!E3" in many and "等" in many
    one = next(m for m in messages if "“多病”" in m)
    assert "共 1 处" in one and "监测对象明细!E10" in one


# ---- --columns values: ------------------------------------------------------------------------


def _map(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "map.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_mapping_values_end_to_end(tmp_path: Path) -> None:
    headers = ["户编号", "姓名", "证件号码", "与户主关系", "健康状况", "劳动技能"]
    rows = [
        ["H1", "张三", make_id("510102", "19800101", 11), "户主", "体弱多病", "普通劳动力"],
        ["H1", "李四", make_id("510102", "19820315", 22), "配偶", "患有大病", "患病劳动力"],
    ]
    xlsx = _write(tmp_path / "local.xlsx", headers, rows)
    mapping = _map(tmp_path, "values:\n  健康状况:\n    体弱多病: []\n"
                             "  labour_skill:\n    弱劳动力或半劳动力: [患病劳动力]\n")

    def inspect(*extra: str) -> dict:
        done = subprocess.run([str(EXITCHECK), "inspect", str(xlsx), "--format", "json", *extra],
                              check=True, capture_output=True, text=True, timeout=300)
        return json.loads(done.stdout)

    assert inspect()["issues"] == {"value_not_allowed": 2}
    assert inspect("--columns", str(mapping))["issues"] == {}


def test_mapping_values_map_onto_canonical_values(tmp_path: Path) -> None:
    catalogue = load_catalogue()
    path = _map(tmp_path, "columns:\n  健康: health\nvalues:\n  health:\n"
                          "    患大病: [重大疾病患者]\n    体弱多病: [体弱]\n")
    mapping = load_column_mapping(path, catalogue)
    assert mapping == {"健康": "health"}
    assert mapping.value_lists == {"health": {"患大病": ("重大疾病患者",), "体弱多病": ("体弱",)}}
    value_map = catalogue.value_map(catalogue.fields["health"])
    assert value_map["重大疾病患者"] == "患大病" and value_map["体弱"] == "体弱多病"
    # A synonym written as the key adds to the value it already means.
    path = _map(tmp_path, "values:\n  health:\n    患有大病: [重病患者]\n")
    added = load_column_mapping(path, catalogue).value_lists
    assert added == {"health": {"患大病": ("患有大病", "重病患者")}}
    # The next load starts without them: the shipped catalogue is never changed.
    catalogue = load_catalogue()
    assert "体弱" not in catalogue.value_map(catalogue.fields["health"])


@pytest.mark.parametrize(
    ("text", "line", "needle"),
    [
        ("values:\n  healthh:\n    体弱: []\n", 2, "healthh"),
        ("values:\n  姓名:\n    张三: []\n", 2, "enum"),
        ("values:\n  health:\n    患大病: [残疾]\n", 3, "残疾"),
        ("values:\n  health: 体弱\n", 2, "values"),
        ("values:\n  health:\n    体弱: 多病\n", 3, "体弱"),
    ],
    ids=["unknown-field", "not-enum", "clash", "not-a-map", "synonyms-not-a-list"],
)
def test_mapping_values_errors_name_file_and_line(
    tmp_path: Path, text: str, line: int, needle: str
) -> None:
    path = _map(tmp_path, text)
    with pytest.raises(RuleFileError) as info:
        load_column_mapping(path, load_catalogue())
    assert info.value.location == f"{path}:{line}"
    assert needle in info.value.message_en or needle in info.value.message
