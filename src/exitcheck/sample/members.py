"""Member rows of synthetic households: relation, age, sex, birth date, ID number, name, status."""

from __future__ import annotations

import numpy as np
import pandas as pd

from exitcheck.sample import idnumber
from exitcheck.sample.households import TEMPLATE_RELATIONS
from exitcheck.sample.vocab import (
    COMMON_GIVEN,
    ETHNICITIES,
    FEMALE_GIVEN,
    JUNIOR_GRADES,
    MALE_GIVEN,
    PRIMARY_GRADES,
    RELATIONS,
    SURNAMES,
)

R = {name: i for i, name in enumerate(RELATIONS)}
MALE_RELATIONS = [R["之子"], R["之女婿"], R["之孙子"]]
FEMALE_RELATIONS = [R["之女"], R["之儿媳"], R["之孙女"]]
# Members who do not take the head's surname (POLICY: spouses and in-laws marry in).
MARRIED_IN = [R["配偶"], R["之儿媳"], R["之女婿"]]

SURNAME_WEIGHTS = 1.0 / np.arange(1, len(SURNAMES) + 1) ** 0.8


def _pick(rng: np.random.Generator, values: tuple[str, ...] | list[str], n: int,
          p: list[float] | None = None) -> np.ndarray:
    return np.asarray(values, dtype=object)[rng.choice(len(values), size=n, p=p)]


def expand(hh: pd.DataFrame, rng: np.random.Generator, year: int, county_code: str,
           province_code: str) -> pd.DataFrame:
    """One row per member; ``hh`` is the household skeleton of households.draw_structure."""
    size = hh["size"].to_numpy()
    n_hh = len(size)
    hh_of = np.repeat(np.arange(n_hh), size)
    n = len(hh_of)
    starts = np.concatenate([[0], np.cumsum(size)[:-1]])
    k = np.arange(n) - starts[hh_of]
    relation = TEMPLATE_RELATIONS[hh["template"].to_numpy()[hh_of], k]

    ages = _ages(rng, hh["head_age"].to_numpy(), hh_of, relation, n_hh)
    sex_male = _sexes(rng, relation, hh_of, n_hh)
    birth = _birth_dates(rng, year, ages)
    id_number, body = _id_numbers(rng, county_code, birth, sex_male)
    name = _names(rng, relation, sex_male, hh_of, n_hh)
    education, school = _schooling(rng, ages)
    health, labour = _health_labour(rng, ages)
    employee = (rng.random(n) < 0.03) & (ages >= 18) & (ages <= 59)
    names, weights = ETHNICITIES.get(province_code, (("汉族",), (1.0,)))
    ethnicity = _pick(rng, names, n_hh, list(weights))[hh_of]

    return pd.DataFrame({
        "hh": hh_of,
        "k": k,
        "relation_code": relation,
        "relation": np.asarray(RELATIONS, dtype=object)[relation],
        "age": ages,
        "male": sex_male,
        "sex_stated": np.where(sex_male, "男", "女"),
        "birth": birth,
        "birth_date_stated": np.datetime_as_string(birth, unit="D"),
        "id_body": body,
        "id_number": id_number,
        "id_type": "居民身份证",
        "name": name,
        "ethnicity": ethnicity,
        "education_level": education,
        "school_status": school,
        "out_of_school_reason": None,
        "health": health,
        "labour_skill": labour,
        "residents_medical": np.where(employee, "否", "是"),
        "employee_medical": np.where(employee, "是", "否"),
        "critical_illness": "是",
    })


def _ages(rng: np.random.Generator, head_age: np.ndarray, hh_of: np.ndarray,
          relation: np.ndarray, n_hh: int) -> np.ndarray:
    n = len(hh_of)
    head = head_age[hh_of]
    gen1 = (head_age - rng.integers(22, 33, n_hh))[hh_of]  # children's generation
    gen2 = gen1 - rng.integers(20, 29, n_hh)[hh_of]  # grandchildren's generation
    jitter = rng.integers(-4, 5, n)
    conditions = [
        relation == R["户主"],
        relation == R["配偶"],
        np.isin(relation, [R["之子"], R["之女"]]),
        np.isin(relation, [R["之儿媳"], R["之女婿"]]),
        np.isin(relation, [R["之孙子"], R["之孙女"]]),
        relation == R["之父母"],
    ]
    choices = [
        head,
        np.maximum(head + rng.integers(-6, 4, n), 20),
        np.clip(gen1 + jitter, 0, head - 18),
        np.maximum(gen1 + rng.integers(-4, 3, n), 20),
        np.clip(gen2 - rng.integers(0, 9, n), 0, None),
        np.minimum(head + rng.integers(22, 33, n), 98),
    ]
    return np.select(conditions, choices, default=np.maximum(head - rng.integers(0, 30, n), 0))


def _sexes(rng: np.random.Generator, relation: np.ndarray, hh_of: np.ndarray,
           n_hh: int) -> np.ndarray:
    head_male = (rng.random(n_hh) < 0.85)[hh_of]
    random_sex = rng.random(len(relation)) < 0.5
    return np.select(
        [relation == R["户主"], relation == R["配偶"], np.isin(relation, MALE_RELATIONS),
         np.isin(relation, FEMALE_RELATIONS)],
        [head_male, ~head_male, True, False],
        default=random_sex,
    ).astype(bool)


def _birth_dates(rng: np.random.Generator, year: int, ages: np.ndarray) -> np.ndarray:
    # Age is whole years on 31 Dec of `year`: every birthday of that year has passed.
    birth_year = (year - ages - 1970).astype("datetime64[Y]")
    start = birth_year.astype("datetime64[D]")
    days = ((birth_year + 1).astype("datetime64[D]") - start).astype(np.int64)
    return start + np.floor(rng.random(len(ages)) * days).astype(np.int64)


def _yyyymmdd(dates: np.ndarray) -> np.ndarray:
    y = dates.astype("datetime64[Y]").astype(np.int64) + 1970
    month_start = dates.astype("datetime64[M]")
    m = month_start.astype(np.int64) % 12 + 1
    d = (dates - month_start.astype("datetime64[D]")).astype(np.int64) + 1
    return y * 10000 + m * 100 + d


def _id_numbers(rng: np.random.Generator, county_code: str, birth: np.ndarray,
                male: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Unique valid IDs: odd sequence for men, even for women (GB 11643-1999)."""
    n = len(birth)
    ymd = _yyyymmdd(birth)
    seq = 2 * rng.integers(1, 500, n) + male
    body = idnumber.make_bodies(int(county_code), ymd, seq)
    for _ in range(50):  # redraw the (rare) collisions until all IDs are unique
        dup = pd.Series(body).duplicated().to_numpy()
        if not dup.any():
            break
        seq[dup] = 2 * rng.integers(1, 500, int(dup.sum())) + male[dup]
        body = idnumber.make_bodies(int(county_code), ymd, seq)
    return idnumber.to_strings(body, idnumber.check_chars(body)).astype(object), body


def _names(rng: np.random.Generator, relation: np.ndarray, male: np.ndarray,
           hh_of: np.ndarray, n_hh: int) -> np.ndarray:
    n = len(relation)
    p = SURNAME_WEIGHTS / SURNAME_WEIGHTS.sum()
    family = rng.choice(len(SURNAMES), size=n_hh, p=p)[hh_of]
    own = rng.choice(len(SURNAMES), size=n, p=p)
    married_in = np.isin(relation, MARRIED_IN) | ((relation == R["之父母"]) & ~male)
    surname = np.asarray(list(SURNAMES), dtype=object)[np.where(married_in, own, family)]
    male_pool = np.asarray(list(MALE_GIVEN + COMMON_GIVEN), dtype=object)
    female_pool = np.asarray(list(FEMALE_GIVEN + COMMON_GIVEN[:6]), dtype=object)
    first = np.where(male, male_pool[rng.integers(0, len(male_pool), n)],
                     female_pool[rng.integers(0, len(female_pool), n)])
    second = np.where(male, np.asarray(list(MALE_GIVEN), dtype=object)[
        rng.integers(0, len(MALE_GIVEN), n)],
        np.asarray(list(FEMALE_GIVEN), dtype=object)[rng.integers(0, len(FEMALE_GIVEN), n)])
    second = np.where(rng.random(n) < 0.75, second, "")
    return surname + first + second


def _schooling(rng: np.random.Generator, age: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """文化程度 and 在校生状况 consistent with age on 31 Dec (compulsory school 6-15)."""
    n = len(age)
    u = rng.random(n)
    primary = np.asarray(PRIMARY_GRADES, dtype=object)[np.clip(age - 6, 0, 5)]
    junior = np.asarray(JUNIOR_GRADES, dtype=object)[np.clip(age - 12, 0, 2)]
    school = np.select(
        [age <= 2, age <= 5, age <= 11, age <= 14,
         (age == 15) & (u < 0.5), age == 15,
         (age <= 18) & (u < 0.5), (age <= 18) & (u < 0.7),
         (age <= 22) & (u < 0.15), (age <= 22) & (u < 0.25)],
        ["学龄前儿童", np.where(u < 0.8, "学前教育", "学龄前儿童"), primary, junior,
         "九年级", np.where(u < 0.9, "高中", "中职"),
         "高中", "中职", "高职高专", "本科"],
        default="非在校生",
    )
    in_school = school != "非在校生"
    adult = np.select(
        [age >= 60, age >= 40, age >= 23],
        [np.select([u < 0.5, u < 0.95], ["文盲或半文盲", "小学"], "初中"),
         np.select([u < 0.05, u < 0.5, u < 0.95], ["文盲或半文盲", "小学", "初中"], "高中"),
         np.select([u < 0.1, u < 0.7, u < 0.95], ["小学", "初中", "高中"], "大专及以上")],
        default=np.where(u < 0.6, "初中", "高中"),
    )
    education = np.select(
        [age <= 5, age <= 11, age <= 15,
         in_school & np.isin(school, ["高中", "中职"]),
         in_school & np.isin(school, ["高职高专", "本科"])],
        ["学龄前儿童", "小学", "初中", "高中", "大专及以上"],
        default=adult,
    )
    return education.astype(object), school.astype(object)


def _health_labour(rng: np.random.Generator, age: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    n = len(age)
    u, v = rng.random(n), rng.random(n)
    health = np.select(
        [age < 16, age < 60],
        [np.select([u < 0.97, u < 0.98], ["健康", "长期慢性病"], "残疾"),
         np.select([u < 0.85, u < 0.93, u < 0.96], ["健康", "长期慢性病", "患大病"], "残疾")],
        default=np.select([u < 0.45, u < 0.85, u < 0.92], ["健康", "长期慢性病", "患大病"], "残疾"),
    ).astype(object)
    sick = np.isin(health, ["患大病", "残疾"])
    # docs/policy.md §6: a healthy 16-59-year-old is never 无劳动力 (students included).
    labour = np.select(
        [age < 16,
         sick & (v < 0.6), sick,
         (age < 60) & (health == "长期慢性病"),
         age < 60,
         age < 65],
        ["无劳动力",
         "丧失劳动力", "弱劳动力或半劳动力",
         "弱劳动力或半劳动力",
         np.where(v < 0.8, "普通劳动力", "技能劳动力"),
         np.where(v < 0.4, "普通劳动力", "弱劳动力或半劳动力")],
        default=np.where(v < 0.3, "弱劳动力或半劳动力", "丧失劳动力"),
    ).astype(object)
    return health, labour
