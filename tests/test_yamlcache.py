"""The parsed-YAML cache: same data and positions as ruamel's parse, safe when damaged or off."""

from __future__ import annotations

import io
import pickle
from pathlib import Path

import pytest

from exitcheck import yamlcache
from exitcheck.errors import RuleFileError
from exitcheck.resources import shipped_rules_dir
from exitcheck.yamldoc import YamlDoc, plain

TEXT = """\
family: INC
rules:
  - code: INC001
    title: 标题
    values: {51: 1.5, 52: true}
    day: 2019-12-31
    note: >-
      folded
      text
"""


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("EXITCHECK_CACHE_DIR", str(folder))
    monkeypatch.delenv("EXITCHECK_NO_CACHE", raising=False)
    return folder


def _positions(node: object, out: list[object]) -> list[object]:
    if isinstance(node, dict):
        out.append((node.lc.line, node.lc.col))  # type: ignore[attr-defined]
        for key, value in node.items():
            out.append((key, tuple(node.lc.key(key)), tuple(node.lc.value(key))))  # type: ignore[attr-defined]
            _positions(value, out)
    elif isinstance(node, list):
        for i, value in enumerate(node):
            out.append((i, tuple(node.lc.item(i))))  # type: ignore[attr-defined]
            _positions(value, out)
    return out


def test_cached_parse_matches_ruamel(tmp_path: Path, cache: Path) -> None:
    path = tmp_path / "r.yaml"
    path.write_text(TEXT, encoding="utf-8")
    ruamel = YamlDoc(path, cached=False)
    first = YamlDoc(path, cached=True)  # parsed and stored
    assert list(cache.rglob("*.pickle"))
    second = YamlDoc(path, cached=True)  # read back
    for doc in (first, second):
        assert plain(doc.data) == plain(ruamel.data)
        assert _positions(doc.data, []) == _positions(ruamel.data, [])
        assert doc.key_pos(["rules", 0, "title"]) == ruamel.key_pos(["rules", 0, "title"])
        assert doc.value_pos(["rules", 0, "note"]) == ruamel.value_pos(["rules", 0, "note"])


def test_edited_file_is_parsed_again(tmp_path: Path, cache: Path) -> None:
    path = tmp_path / "r.yaml"
    path.write_text(TEXT, encoding="utf-8")
    YamlDoc(path, cached=True)
    path.write_text(TEXT.replace("INC001", "INC002"), encoding="utf-8")
    assert YamlDoc(path, cached=True).data["rules"][0]["code"] == "INC002"


def test_syntax_error_is_reported_not_cached(tmp_path: Path, cache: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("a: [1, 2\nb: 3\n", encoding="utf-8")
    with pytest.raises(RuleFileError) as err:
        YamlDoc(path, cached=True)
    assert err.value.location.startswith(str(path))
    assert not list(cache.rglob("*.pickle"))


def test_damaged_or_unwritable_cache_is_ignored(tmp_path: Path, cache: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "r.yaml"
    path.write_text(TEXT, encoding="utf-8")
    YamlDoc(path, cached=True)
    for entry in cache.rglob("*.pickle"):
        entry.write_bytes(b"not a pickle")
    assert YamlDoc(path, cached=True).data["rules"][0]["code"] == "INC001"
    blocker = tmp_path / "file"
    blocker.write_text("x")
    monkeypatch.setenv("EXITCHECK_CACHE_DIR", str(blocker / "sub"))  # cannot be created
    assert YamlDoc(path, cached=True).data["family"] == "INC"


def test_cache_off(tmp_path: Path, cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EXITCHECK_NO_CACHE", "1")
    path = tmp_path / "r.yaml"
    path.write_text(TEXT, encoding="utf-8")
    YamlDoc(path, cached=True)
    assert not cache.exists()


def test_unpickler_builds_only_known_types() -> None:
    payload = pickle.dumps(Path("x"))
    with pytest.raises(pickle.UnpicklingError):
        yamlcache._SafeUnpickler(io.BytesIO(payload)).load()


def test_shipped_files_are_cached_by_default(cache: Path) -> None:
    YamlDoc(shipped_rules_dir() / "fields.yaml")
    assert list(cache.rglob("*.pickle"))
