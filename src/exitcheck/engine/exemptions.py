"""Exemption lists (豁免清单): findings of listed households/persons and rules become `exempted`."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from exitcheck.errors import RuleFileError
from exitcheck.findings import Status
from exitcheck.i18n import Catalogue

if TYPE_CHECKING:
    from exitcheck.engine.ruleset import RuleSet
    from exitcheck.schema.model import Registry

# Accepted column names / YAML keys -> canonical key.
COLUMNS: dict[str, str] = {
    "户编号": "household_id", "household_id": "household_id",
    "证件号码": "id_number", "身份证号码": "id_number", "身份证号": "id_number",
    "id_number": "id_number",
    "规则": "rule", "规则编号": "rule", "rule": "rule",
    "原因": "reason", "豁免原因": "reason", "reason": "reason",
    "有效期至": "expires", "有效期": "expires", "expires": "expires",
}
ALL_RULES = ("*", "全部", "all")
VALUES_KEY = "exemption"  # key added to a finding's values: the reason

MSG = Catalogue(
    {
        "unreadable": ("无法读取豁免清单：{reason}", "cannot read the exemption list: {reason}"),
        "format": (
            "豁免清单应为 .yaml、.csv 或 .xlsx 文件",
            "exemption lists are .yaml, .csv or .xlsx",
        ),
        "shape": ("豁免清单应为条目列表（或 exemptions: 下的列表）",
                  "an exemption list is a list of entries (or one under exemptions:)"),
        "unknown_col": ("未知的列 {name}（可用：户编号、证件号码、规则、原因、有效期至）",
                        "unknown column {name} (use 户编号, 证件号码, 规则, 原因, 有效期至)"),
        "need_col": ("缺少列 {name}", "column {name} is missing"),
        "need_key": ("条目须有 户编号 或 证件号码", "an entry needs 户编号 or 证件号码"),
        "need_rule": ("条目须写明 规则", "an entry needs 规则 (rule)"),
        "need_reason": ("条目须写明 原因", "an entry needs 原因 (reason)"),
        "bad_date": (
            "有效期至 {value} 不是日期（YYYY-MM-DD）",
            "有效期至 {value} is not a date (YYYY-MM-DD)",
        ),
        "expired": ("豁免已过期，未使用：{where}（{key}，规则 {rule}，有效期至 {expires}）",
                    "expired exemption not used: {where} ({key}, rule {rule}, expired {expires})"),
        "unmatched": ("豁免条目没有匹配到任何问题：{where}（{key}，规则 {rule}）",
                      "exemption entry matched no finding: {where} ({key}, rule {rule})"),
        "unmatched_not_run": (
            "豁免条目的规则本次未运行（见说明），未使用：{where}（{key}，规则 {rule}）",
            "exemption entry unused, its rule was not run (see the notes): {where} ({key}, "
            "rule {rule})",
        ),
    }
)
ENTRY_COLUMNS = ("household_id", "id_number", "rule", "reason", "expires", "where")


@dataclass
class ExemptionList:
    """Validated entries: one row each, columns ENTRY_COLUMNS (expires: datetime64, NaT = none)."""

    source: str
    entries: pd.DataFrame

    def __len__(self) -> int:
        return len(self.entries)


def load_exemptions(path: Path) -> ExemptionList:
    """Read a YAML, CSV or Excel exemption list; any problem -> RuleFileError at file:line/row."""
    name = str(path)
    suffix = path.suffix.lower()
    if suffix in (".yaml", ".yml"):
        raw, where = _from_yaml(path)
    elif suffix in (".csv", ".txt"):
        raw = _read_csv(path)
        where = pd.Series([f"{name}:{i + 2}" for i in range(len(raw))], dtype=object)
    elif suffix in (".xlsx", ".xlsm", ".xls"):
        try:
            raw = pd.read_excel(path, dtype=str, engine="calamine")
        except Exception as exc:
            zh, en = MSG.both("unreadable", reason=exc)
            raise RuleFileError(zh, message_en=en, location=name) from None
        where = pd.Series([f"{name}:{i + 2}" for i in range(len(raw))], dtype=object)
    else:
        zh, en = MSG.both("format")
        raise RuleFileError(zh, message_en=en, location=name)
    return ExemptionList(name, _validate(raw, where.to_numpy(dtype=object), name))


def _read_csv(path: Path) -> pd.DataFrame:
    last: Exception | None = None
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return pd.read_csv(path, dtype=str, encoding=encoding, keep_default_na=False)
        except UnicodeDecodeError as exc:
            last = exc
        except (OSError, pd.errors.ParserError) as exc:
            last = exc
            break
    zh, en = MSG.both("unreadable", reason=last)
    raise RuleFileError(zh, message_en=en, location=str(path))


def _from_yaml(path: Path) -> tuple[pd.DataFrame, pd.Series]:
    from exitcheck.yamldoc import YamlDoc, plain

    doc = YamlDoc(path)
    data = doc.data
    prefix: list[Any] = []
    if isinstance(data, dict) and "exemptions" in data:
        data, prefix = data["exemptions"], ["exemptions"]
    if not isinstance(data, list) or not all(isinstance(e, dict) for e in data):
        zh, en = MSG.both("shape")
        raise doc.error(zh, en, doc.key_pos(prefix))
    for i, entry in enumerate(data):
        for key in entry:
            if str(key) not in COLUMNS:
                zh, en = MSG.both("unknown_col", name=key)
                raise doc.error(zh, en, doc.key_pos([*prefix, i, key]))
    rows = [{COLUMNS[str(k)]: v for k, v in plain(e).items()} for e in data]
    frame = pd.DataFrame(rows, columns=[c for c in ENTRY_COLUMNS if c != "where"], dtype=object)
    where = pd.Series([doc.where([*prefix, i]) for i in range(len(data))], dtype=object)
    return frame, where


def _validate(raw: pd.DataFrame, where: np.ndarray, name: str) -> pd.DataFrame:
    renamed = {}
    for col in raw.columns:
        key = COLUMNS.get(str(col).strip())
        if key is None:
            zh, en = MSG.both("unknown_col", name=col)
            raise RuleFileError(zh, message_en=en, location=f"{name}:1")
        renamed[col] = key
    frame = raw.rename(columns=renamed)
    if "rule" not in frame.columns:
        zh, en = MSG.both("need_col", name="规则")
        raise RuleFileError(zh, message_en=en, location=f"{name}:1")
    out = pd.DataFrame(index=frame.index)
    for col in ("household_id", "id_number", "rule", "reason"):
        text = frame[col] if col in frame.columns else pd.Series(pd.NA, index=frame.index)
        text = text.astype("string").str.strip()
        out[col] = text.where(text != "", pd.NA)
    out["id_number"] = out["id_number"].str.upper()

    def fail(mask: pd.Series | np.ndarray, key: str, **kw: Any) -> None:
        hits = np.flatnonzero(np.asarray(mask, dtype=bool))
        if len(hits):
            zh, en = MSG.both(key, **kw)
            raise RuleFileError(zh, message_en=en, location=str(where[hits[0]]))

    fail(out["household_id"].isna() & out["id_number"].isna(), "need_key")
    fail(out["rule"].isna(), "need_rule")
    fail(out["reason"].isna(), "need_reason")
    expires_raw = frame["expires"] if "expires" in frame.columns else pd.Series(
        pd.NA, index=frame.index)
    expires_text = expires_raw.astype("string").str.strip().str[:10]
    expires_text = expires_text.where(expires_text != "", pd.NA)
    expires = pd.to_datetime(expires_text, errors="coerce", format="%Y-%m-%d")
    bad = expires.isna() & expires_text.notna()
    if bad.any():
        fail(bad, "bad_date", value=expires_text[bad].iloc[0])
    out["expires"] = expires.astype("datetime64[ns]")
    out["where"] = where
    return out.reset_index(drop=True)


def apply_exemptions(
    findings: pd.DataFrame,
    exemptions: ExemptionList,
    ruleset: RuleSet,
    registry: Registry,
    as_of: date,
    lang: str = "zh",
    not_run: Collection[str] = (),
) -> tuple[pd.DataFrame, list[str]]:
    """Mark matching findings `exempted` (reason added to values); notes for expired/unmatched.

    ``not_run``: codes of rules that were not run; an entry naming only those is noted as unused
    for that reason rather than as matching nothing.
    """
    entries = exemptions.entries.copy()
    entries["entry"] = np.arange(len(entries))
    notes: list[str] = []
    expired = entries["expires"].notna() & (entries["expires"] < pd.Timestamp(as_of))
    for _, e in entries[expired].iterrows():  # one note per expired entry (a short list)
        notes.append(MSG("expired", lang, where=e["where"], key=_key(e), rule=e["rule"],
                         expires=e["expires"].date().isoformat()))
    active = entries[~expired]
    # Each entry's rule text -> the codes it names (once per distinct text).
    codes: list[tuple[str, str]] = []
    all_codes = [r.code for r in ruleset.rules]
    for text in active["rule"].dropna().unique():
        hits = all_codes if str(text).lower() in ALL_RULES else [
            r.code for r in ruleset.match(str(text))]
        codes += [(str(text), c) for c in hits]
    pairs = active.merge(pd.DataFrame(codes, columns=["rule", "code"], dtype=object),
                         on="rule", how="inner")

    out = findings.copy()
    out["_f"] = np.arange(len(out))
    out["_mid"] = out["member_id"].astype(object).where(out["member_id"].notna(), None)
    matched: list[pd.DataFrame] = []
    by_hh = pairs[pairs["household_id"].notna()]
    if len(by_hh):
        left = out.assign(_hh=out["household_id"].astype(str))
        right = by_hh.assign(_hh=by_hh["household_id"].astype(str))
        matched.append(left.merge(right[["code", "_hh", "entry", "reason"]],
                                  left_on=["rule", "_hh"], right_on=["code", "_hh"]))
    by_id = pairs[pairs["id_number"].notna() & pairs["household_id"].isna()]
    if len(by_id) and "id_number" in registry.members.columns:
        people = pd.DataFrame(
            {
                "id_number": registry.members["id_number"].astype("string").str.strip()
                .str.upper().to_numpy(dtype=object),
                "_hh": registry.members["household_id"].astype(str).to_numpy(dtype=object),
                "_pm": registry.members["member_id"].astype(str).to_numpy(dtype=object),
            }
        )
        ids = by_id.assign(id_number=by_id["id_number"].astype(object)).merge(
            people, on="id_number")
        member_rows = out[out["_mid"].notna()].assign(_pm=lambda f: f["_mid"].astype(str))
        matched.append(member_rows.merge(ids[["code", "_pm", "entry", "reason"]],
                                         left_on=["rule", "_pm"], right_on=["code", "_pm"]))
        hh_rows = out[out["_mid"].isna()].assign(_hh=lambda f: f["household_id"].astype(str))
        matched.append(hh_rows.merge(ids[["code", "_hh", "entry", "reason"]],
                                     left_on=["rule", "_hh"], right_on=["code", "_hh"]))
    hits = (
        pd.concat([m[["_f", "entry", "reason"]] for m in matched], ignore_index=True)
        if matched else pd.DataFrame(columns=["_f", "entry", "reason"])
    )
    first = hits.drop_duplicates("_f")
    if len(first):
        rows = first["_f"].to_numpy(dtype=np.int64)
        out.loc[rows, "status"] = Status.EXEMPTED.value
        # New dicts only for the exempted findings (few by nature), reason under "exemption".
        old = out["values"].to_numpy(dtype=object)[rows]
        out.loc[rows, "values"] = pd.Series(
            [{**(v if isinstance(v, dict) else {}), VALUES_KEY: r}
             for v, r in zip(old, first["reason"].to_numpy(dtype=object), strict=True)],
            index=rows, dtype=object,
        )
    used = set(hits["entry"].tolist())
    named = pairs.groupby("entry")["code"].agg(set).to_dict()  # entry -> the codes it names
    for _, e in active[~active["entry"].isin(used)].iterrows():  # the unmatched entries
        codes_named = named.get(e["entry"], set())
        key = "unmatched_not_run" if codes_named and codes_named <= set(not_run) else "unmatched"
        notes.append(MSG(key, lang, where=e["where"], key=_key(e), rule=e["rule"]))
    return out.drop(columns=["_f", "_mid"]), notes


def _key(entry: pd.Series) -> str:
    if pd.notna(entry["household_id"]):
        return f"户编号 {entry['household_id']}"
    return f"证件号码 {entry['id_number']}"
