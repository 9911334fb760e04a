"""Synthetic counties: valid IDs, consistent families and incomes, ground truth matches the data."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from exitcheck.sample import truth as t
from exitcheck.sample.generator import generate_county

WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]


def check_char(body: str) -> str:
    """ISO 7064 MOD 11-2, written out independently of exitcheck.sample.idnumber."""
    total = sum(int(d) * w for d, w in zip(body, WEIGHTS, strict=True))
    return "10X98765432"[total % 11]


def id_ok(value: str) -> bool:
    if len(value) != 18 or not value[:17].isdigit():
        return False
    try:
        date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return False
    return check_char(value[:17]) == value[17]


def ages(frame: pd.DataFrame, year: int) -> pd.Series:
    """Whole years on 31 December of the data year, from the ID's birth date."""
    return year - frame["id_number"].str[6:10].astype(int)


def excluded_households(truth: t.GroundTruth, *kinds: str) -> set[str]:
    return {h for k in kinds for h in truth.households_with(k)}


def test_ids_valid_except_planted(national):
    frame, truth = national
    bad = set(truth.members_with(t.ID_BAD_CHECKSUM))
    valid = frame["id_number"].map(id_ok)
    assert not valid[frame["member_id"].isin(bad)].any()
    assert valid[~frame["member_id"].isin(bad)].all()
    assert (frame["id_number"].str[:6] == "511602").all()
    born = pd.to_datetime(frame["id_number"].str[6:14], format="%Y%m%d")
    assert (born <= pd.Timestamp("2019-12-31")).all()


def test_ids_unique_except_planted_duplicate(national):
    frame, truth = national
    dup_members = set(truth.members_with(t.ID_DUPLICATE))
    duplicated = frame[frame["id_number"].duplicated(keep=False)]
    assert set(duplicated["member_id"]) == dup_members
    assert duplicated["household_id"].nunique() == 2


def test_family_structure_consistent(national):
    frame, truth = national
    skip = excluded_households(truth, t.TWO_HEADS, t.NO_HEAD, t.ID_DUPLICATE)
    f = frame[~frame["household_id"].isin(skip)].copy()
    f["age"] = ages(f, 2019)
    f["male"] = f["id_number"].str[16].astype(int) % 2 == 1
    assert (f["sex_stated"] == np.where(f["male"], "男", "女")).all()
    heads = f[f["relation"] == "户主"]
    assert heads["household_id"].is_unique
    assert set(heads["household_id"]) == set(f["household_id"])
    head = heads.set_index("household_id")
    f["head_age"] = f["household_id"].map(head["age"])
    f["head_male"] = f["household_id"].map(head["male"])
    f["head_surname"] = f["household_id"].map(head["name"].str[0])
    rel = f["relation"]
    assert f.loc[rel.isin(["之子", "之孙子", "之女婿"]), "male"].all()
    assert not f.loc[rel.isin(["之女", "之孙女", "之儿媳"]), "male"].any()
    spouse = f[rel == "配偶"]
    assert (spouse["male"] != spouse["head_male"]).all()
    children = f[rel.isin(["之子", "之女"])]
    assert (children["age"] <= children["head_age"] - 18).all()
    parents = f[rel == "之父母"]
    assert (parents["age"] >= parents["head_age"] + 18).all()
    youngest_parent_gen = f[rel.isin(["之子", "之女", "之儿媳", "之女婿"])].groupby(
        "household_id")["age"].min()
    grand = f[rel.isin(["之孙子", "之孙女"])]
    assert (grand["age"] <= grand["household_id"].map(youngest_parent_gen) - 15).all()
    blood = f[rel.isin(["户主", "之子", "之女", "之孙子", "之孙女"])
              | ((rel == "之父母") & f["male"])]
    named = blood[blood["name"].notna()]
    assert (named["name"].str[0] == named["head_surname"]).all()
    assert frame["name"].dropna().str.len().between(2, 3).all()


def test_schooling_consistent_with_age(national):
    frame, truth = national
    f = frame.assign(age=ages(frame, 2019))
    planted = set(truth.members_with(t.OUT_OF_SCHOOL)) | set(
        truth.members_with(t.EDUCATION_IMPOSSIBLE))
    controls = excluded_households(truth, t.HOME_SCHOOLED, t.SCHOOLING_EXEMPT)
    clean = f[~f["member_id"].isin(planted) & ~f["household_id"].isin(controls)]
    compulsory = clean[clean["age"].between(6, 15)]
    assert compulsory["school_status"].str.contains("年级|高中|中职").all()
    primary = clean[clean["age"].between(6, 11)]
    assert primary["school_status"].str.startswith("小学").all()
    assert (clean.loc[clean["age"] < 6, "school_status"].isin(["学龄前儿童", "学前教育"])).all()
    assert not clean.loc[clean["age"] <= 11, "education_level"].isin(["初中", "高中"]).any()
    # 16-22 never "primary or less" (docs/policy.md §6)
    assert not clean.loc[clean["age"].between(16, 22), "education_level"].isin(
        ["小学", "文盲或半文盲"]).any()
    out = f[f["member_id"].isin(truth.members_with(t.OUT_OF_SCHOOL))]
    assert len(out) >= 1
    assert (out["school_status"] == "失学或辍学").all() and out["age"].between(6, 15).all()
    impossible = f[f["member_id"].isin(truth.members_with(t.EDUCATION_IMPOSSIBLE))]
    assert len(impossible) >= 1
    assert (impossible["age"] <= 11).all() and (impossible["education_level"] == "高中").all()


def test_controls_are_what_they_claim(national):
    frame, truth = national
    f = frame.assign(age=ages(frame, 2019))
    home = f[f["household_id"].isin(truth.households_with(t.HOME_SCHOOLED))]
    assert ((home["school_status"] == "送教上门") & home["age"].between(6, 15)).any()
    exempt = f[f["household_id"].isin(truth.households_with(t.SCHOOLING_EXEMPT))]
    row = exempt[exempt["out_of_school_reason"] == "因身体原因不具备学习条件"]
    assert len(row) == 1 and row["age"].between(6, 15).all()
    assert (row["school_status"] == "失学或辍学").all()


def _households(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.drop_duplicates("household_id").set_index("household_id")


def test_income_identity_holds_except_planted(national):
    frame, truth = national
    hh = _households(frame)
    parts = (hh["wage_income"] + hh["business_income"] + hh["property_income"]
             + hh["transfer_income"] - hh["business_expense"])
    ok = (parts - hh["net_income"]).abs() < 0.005
    broken = truth.households_with(t.INCOME_IDENTITY_BROKEN)
    assert len(broken) >= 1
    assert not ok[broken].any()
    assert ok.drop(broken).all()
    per_capita = hh["net_income"] / hh["household_size"]
    assert ((per_capita - hh["per_capita_net_income"]).abs() <= 0.01).all()  # rounded to cents
    transfer_parts = hh[["family_planning_income", "dibao_income", "wubao_income",
                         "pension_income", "eco_compensation_income",
                         "other_transfer_income"]].sum(axis=1)
    assert ((transfer_parts - hh["transfer_income"]).abs() < 0.005).all()
    assert (hh[["wage_income", "business_income", "property_income"]] >= 0).all().all()


def test_income_line_ground_truth(national):
    frame, truth = national
    assert truth.income_line == 3750
    hh = _households(frame)
    exited = hh[hh["poverty_status"] == "已脱贫"]
    below = truth.households_with(t.INCOME_BELOW_LINE)
    assert len(below) >= 2
    assert (exited.loc[below, "per_capita_net_income"] <= truth.income_line).all()
    others = exited.drop(below)
    assert (others["per_capita_net_income"] > truth.income_line).all()
    near = others["per_capita_net_income"] <= truth.income_line * 1.10
    assert 0.05 <= near.mean() <= 0.35  # a realistic share just above the line
    assert 0.8 <= len(exited) / len(hh) <= 0.97
    assert exited["exit_year"].between(2014, 2019).all()
    assert hh.loc[hh["poverty_status"] == "未脱贫", "exit_year"].isna().all()


def test_household_size_and_heads(national):
    frame, truth = national
    rows = frame.groupby("household_id").size()
    stated = _households(frame)["household_size"]
    mismatch = truth.households_with(t.HOUSEHOLD_SIZE_MISMATCH)
    assert (stated[mismatch] != rows[mismatch]).all()
    assert (stated.drop(mismatch) == rows.drop(mismatch)).all()
    assert rows.between(1, 8).all() and rows.nunique() >= 6
    heads = frame[frame["relation"] == "户主"].groupby("household_id").size()
    heads = heads.reindex(rows.index, fill_value=0)
    assert set(heads[heads == 2].index) == set(truth.households_with(t.TWO_HEADS))
    assert set(heads[heads == 0].index) == set(truth.households_with(t.NO_HEAD))


def test_three_guarantees_ground_truth(national):
    frame, truth = national
    hh = _households(frame)
    insured = (frame["residents_medical"] == "是") ^ (frame["employee_medical"] == "是")
    uninsured = frame.loc[~insured | (frame["critical_illness"] != "是"), "member_id"]
    assert set(uninsured) == set(truth.members_with(t.NO_MEDICAL_INSURANCE))
    unsafe = (hh["dangerous_house_grade"].isin(["C", "D"]) & (hh["house_rebuilt"] == "否")
              & (hh["relocated"] == "否"))
    assert set(hh.index[unsafe]) == set(truth.households_with(t.DANGEROUS_HOUSE))
    assert (hh.loc[unsafe, "dangerous_house"] == "是").all()
    water = hh.index[hh["water_safe"] != "是"]
    assert set(water) == set(truth.households_with(t.WATER_UNSAFE))
    assert (hh[["food_secure", "clothing_secure"]] == "是").all().all()


def test_blank_name_and_overrides(national):
    frame, truth = national
    blank = frame.loc[frame["name"].isna(), "member_id"]
    assert set(blank) == set(truth.members_with(t.BLANK_NAME)) and len(blank) == 1
    rows = truth.overrides["id_number"]
    assert len(rows) == 1
    (row, number), = rows.items()
    original = frame["id_number"].iloc[row]
    assert number == float(original[:15] + "000") and str(int(number)) != original
    assert frame["member_id"].iloc[row] in truth.members_with(t.ID_STORED_AS_NUMBER)
    pc = truth.overrides["per_capita_net_income"]
    assert all("," in v for v in pc.values())
    assert all(float(v.replace(",", "")) == frame["per_capita_net_income"].iloc[r]
               for r, v in pc.items())
    assert set(truth.overrides["dangerous_house_grade"].values()) == {"C级"}
    assert set(truth.overrides["food_secure"].values()) == {"√"}


def test_risk_flags_match_data(national):
    frame, truth = national
    hh = _households(frame)
    gross = hh[["wage_income", "business_income", "property_income", "transfer_income"]].sum(axis=1)
    dominant = set(hh.index[hh["transfer_income"] > 0.5 * gross])
    assert dominant == set(truth.households_with(t.TRANSFER_DOMINANT)) and dominant
    f = frame.assign(age=ages(frame, 2019))
    working = f["age"].between(16, 59) & f["labour_skill"].isin(["普通劳动力", "技能劳动力"])
    has = working.groupby(f["household_id"]).any()
    assert set(has.index[~has]) == set(truth.households_with(t.NO_WORKING_AGE_LABOUR))
    # docs/policy.md §6: a healthy 16-59-year-old is never 无劳动力
    healthy = f["age"].between(16, 59) & (f["health"] == "健康")
    assert not (healthy & (f["labour_skill"] == "无劳动力")).any()


def test_every_defect_kind_planted(national, monitoring):
    national_kinds = {k for ks in national[1].households.values() for k in ks}
    expected = set(t.DEFECT_KINDS) - {t.RISK_ELIMINATED_BELOW_LINE, t.ELIMINATION_TOO_SOON}
    assert national_kinds == expected
    monitoring_kinds = {k for ks in monitoring[1].households.values() for k in ks}
    assert monitoring_kinds == set(t.DEFECT_KINDS)
    planted = [h for h, ks in national[1].households.items()]
    assert set(planted) <= set(national[0]["household_id"])


def test_monitoring_style(monitoring):
    frame, truth = monitoring
    assert truth.income_line == 7300
    assert (frame["id_number"].str[:6] == "522327").all()
    hh = _households(frame)
    assert set(hh["household_category"]) == {"脱贫户", "监测户"}
    monitored = hh[hh["household_category"] == "监测户"]
    assert monitored["monitoring_identified"].str.fullmatch(r"202[1-3](0[1-9]|1[0-2])").all()
    assert hh.loc[hh["household_category"] == "脱贫户", "monitoring_category"].isna().all()

    def months(s: pd.Series) -> pd.Series:
        return s.str[:4].astype(int) * 12 + s.str[4:].astype(int)

    done = monitored[monitored["risk_eliminated"] == "是"]
    gap = months(done["risk_eliminated_month"]) - months(done["monitoring_identified"])
    soon = truth.households_with(t.ELIMINATION_TOO_SOON)
    assert gap[soon].between(1, 2).all()
    assert (gap.drop(soon) >= 6).all()
    below = truth.households_with(t.RISK_ELIMINATED_BELOW_LINE)
    assert (done.loc[below, "per_capita_net_income"] < 7300).all()
    assert (done.drop(below)["per_capita_net_income"] > 7300).all()
    out = hh[hh["household_category"] == "脱贫户"]
    low = truth.households_with(t.INCOME_BELOW_LINE)
    assert (out.loc[low, "per_capita_net_income"] < 7300).all()
    assert (out.drop(low)["per_capita_net_income"] > 7300).all()
    assert 7300 < out["per_capita_net_income"].median() < 3 * 7300
    births = frame["id_number"].str[6:14]
    dup = set(truth.members_with(t.ID_DUPLICATE))
    ok = ~frame["member_id"].isin(dup)
    assert (births[ok] == frame.loc[ok, "birth_date_stated"].str.replace("-", "")).all()
    assert (frame["id_type"] == "居民身份证").all()
    no_labour = hh["no_labour_security"] == "是"
    capable = frame["labour_skill"].isin(["普通劳动力", "技能劳动力", "弱劳动力或半劳动力"])
    has_capable = capable.groupby(frame["household_id"]).any()
    assert (no_labour == ~has_capable[hh.index]).all()


def test_deterministic_and_seed_sensitive():
    a, ta = generate_county(60, seed=5)
    b, tb = generate_county(60, seed=5)
    c, _ = generate_county(60, seed=6)
    pd.testing.assert_frame_equal(a, b)
    assert ta == tb
    assert not a["id_number"].equals(c["id_number"])


def test_bad_arguments_are_usage_errors():
    from exitcheck.errors import UsageError

    with pytest.raises(UsageError) as err:
        generate_county(10, seed=1, province_code="52", county_code="511602")
    assert "511602" in err.value.message and err.value.location == "--county"
    with pytest.raises(UsageError):
        generate_county(0, seed=1)
    with pytest.raises(UsageError):
        generate_county(5, seed=1, style="weird")  # type: ignore[arg-type]


def test_tiny_county_still_consistent():
    frame, truth = generate_county(3, seed=2)
    assert frame["household_id"].nunique() == 3
    assert all(h in set(frame["household_id"]) for h in truth.households)
