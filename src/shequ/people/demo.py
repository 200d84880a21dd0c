"""Demo residents and households for ``shequ seed``: deterministic, realistic, written in bulk.

Names follow the frequency of Chinese surnames and the given names of each generation; identity
numbers carry the district's region code (the demo city is 4201xx), a real birth date and a
correct check digit, and agree with gender and birth date; households of one to five people
live in the units (or buildings) of the demo city.  Residents are generated and inserted a chunk
at a time, with ids assigned up front, so a million of them need no more memory than a thousand.
"""

from __future__ import annotations

import bisect
import itertools
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from shequ.core.fields import path_ids
from shequ.core.importing import advance_sequences
from shequ.territory.models import Kind, Node

from .fields import id_hash_of
from .identity import mask_id
from .importers import cached_pinyin
from .models import CareTag, Household, Relation, Resident

CHUNK = 2000
RESIDENTS = {"tiny": 200, "small": 2000, "city": 1_000_000}
STANDARD_TAGS = [
    ("elderly_alone", "独居老人", "65岁以上独自居住的老人"),
    ("disabled", "残疾人", "持有残疾人证"),
    ("low_income", "低保户", "享受最低生活保障"),
    ("entitled", "优抚对象", "烈属、军属、退役军人等优抚对象"),
    ("unemployed", "失业人员", "登记失业人员"),
    ("released", "刑满释放人员", "刑满释放五年内人员"),
    ("hospitalized", "住院病人", "正在住院治疗"),
    ("hardship", "困难家庭", "因病、因残、因灾等致困家庭"),
]

# Surnames with their share of the population (per ten thousand, rounded; the long tail is folded in).
SURNAMES = [
    ("王", 710), ("李", 700), ("张", 640), ("刘", 530), ("陈", 460), ("杨", 310), ("黄", 240), ("赵", 220),
    ("吴", 200), ("周", 190), ("徐", 150), ("孙", 150), ("马", 130), ("朱", 130), ("胡", 120), ("郭", 120),
    ("何", 110), ("林", 100), ("高", 100), ("罗", 90), ("郑", 90), ("梁", 90), ("谢", 80), ("宋", 70),
    ("唐", 70), ("许", 70), ("韩", 70), ("冯", 60), ("邓", 60), ("曹", 60), ("彭", 60), ("曾", 60),
    ("肖", 60), ("田", 50), ("董", 50), ("袁", 50), ("潘", 50), ("于", 50), ("蒋", 50), ("蔡", 50),
    ("余", 50), ("杜", 50), ("叶", 50), ("程", 40), ("苏", 40), ("魏", 40), ("吕", 40), ("丁", 40),
    ("任", 40), ("沈", 40), ("姚", 40), ("卢", 40), ("姜", 40), ("崔", 40), ("钟", 30), ("谭", 30),
    ("陆", 30), ("汪", 30), ("范", 30), ("金", 30), ("石", 30), ("廖", 30), ("贾", 30), ("夏", 30),
    ("韦", 30), ("付", 30), ("方", 30), ("白", 30), ("邹", 30), ("孟", 30), ("熊", 30), ("秦", 30),
    ("邱", 30), ("江", 30), ("尹", 30), ("薛", 20), ("闫", 20), ("段", 20), ("雷", 20), ("侯", 20),
    ("龙", 20), ("史", 20), ("陶", 20), ("黎", 20), ("贺", 20), ("顾", 20), ("毛", 20), ("郝", 20),
    ("龚", 20), ("邵", 20), ("万", 20), ("钱", 20), ("严", 20), ("覃", 20), ("武", 20), ("戴", 20),
    ("莫", 20), ("孔", 20), ("向", 20), ("汤", 20), ("欧阳", 5), ("上官", 1), ("司马", 1), ("诸葛", 1),
]  # fmt: skip
# Given names by generation (born before 1960, 1960–1989, from 1990) and gender.
GIVEN = {
    ("old", "M"): (
        "建国 国庆 建华 德明 志强 福生 永福 振华 文革 卫东 建军 国强 明德 玉山 长顺 树林 德胜 宝山 金生 家宝"
    ).split(),
    ("old", "F"): (
        "秀英 桂兰 淑珍 凤英 玉兰 秀兰 桂英 玉梅 淑英 秀珍 翠花 素芬 桂芳 秀芳 凤兰 玉珍 淑华 兰英 春梅 金凤"
    ).split(),
    ("mid", "M"): ("伟 强 磊 军 勇 杰 涛 斌 超 明 刚 平 辉 鹏 华 飞 志刚 海涛 建平 晓东 文斌 国华 志勇 小龙").split(),
    ("mid", "F"): ("静 丽 敏 燕 芳 娟 霞 艳 玲 丹 萍 红 海燕 晓燕 丽娟 雪梅 春燕 慧 琳 婷 晓红 秀丽 美玲 丽华").split(),
    ("new", "M"): (
        "浩 宇 轩 博 昊 子轩 浩然 宇航 俊杰 梓豪 一鸣 皓轩 子墨 宇轩 浩宇 明轩 天佑 睿 泽宇 思远 嘉豪 梓睿"
    ).split(),
    ("new", "F"): (
        "欣怡 雨涵 子涵 梓萱 思琪 诗涵 一诺 可馨 雨桐 佳怡 梦瑶 语嫣 悦 欣 涵 若曦 紫涵 依诺 佳琪 梓涵"
    ).split(),
}
ETHNIC = [
    ("汉族", 9300),
    ("土家族", 300),
    ("回族", 150),
    ("苗族", 80),
    ("满族", 60),
    ("蒙古族", 40),
    ("壮族", 40),
    ("侗族", 30),
]
# Region codes of other provinces' districts, for people registered elsewhere (floating population).
ELSEWHERE = "110105 310115 440106 510107 430104 410105 360102 340104 500103 610113 420502 421002 422801 420902".split()
MOBILE_PREFIXES = [*range(130, 140), 150, 151, 152, 153, 155, 156, 157, 158, 159, 177, *range(180, 190), 191, 198, 199]


def ensure_standard_tags() -> dict[str, CareTag]:
    """The standard tags (a migration adds them; they may have been renamed since, or removed)."""
    tags = {}
    for code, name, description in STANDARD_TAGS:
        tag = CareTag.objects.filter(code=code).first()
        if tag is None:
            tag, _created = CareTag.objects.get_or_create(
                name=name, defaults={"code": code, "description": description}
            )
        tags[code] = tag
    return tags


@dataclass
class Person:
    name: str
    gender: str
    born: date
    relation: str
    tags: list[str] = field(default_factory=list)


class Generator:
    """Deterministic people for a seed."""

    def __init__(self, seed: int, today: date) -> None:
        self.rng = random.Random(seed)
        self.today = today
        self.used: set[int] = set()
        weights = list(itertools.accumulate(w for _s, w in SURNAMES))
        self.surname_cum, self.surname_total = weights, weights[-1]
        eth = list(itertools.accumulate(w for _e, w in ETHNIC))
        self.ethnic_cum, self.ethnic_total = eth, eth[-1]

    def surname(self) -> str:
        return SURNAMES[bisect.bisect_right(self.surname_cum, self.rng.randrange(self.surname_total))][0]

    def ethnicity(self) -> str:
        return ETHNIC[bisect.bisect_right(self.ethnic_cum, self.rng.randrange(self.ethnic_total))][0]

    def given(self, gender: str, born: date) -> str:
        era = "old" if born.year < 1960 else "mid" if born.year < 1990 else "new"
        return self.rng.choice(GIVEN[(era, gender)])

    def birth(self, age: int) -> date:
        year = self.today.year - age
        day = date(year, 1, 1) + timedelta(days=self.rng.randrange(365))
        return min(day, self.today - timedelta(days=1))

    def person(self, surname: str, gender: str, age: int, relation: str) -> Person:
        age = max(0, min(age, 99))
        born = self.birth(age)
        return Person(surname + self.given(gender, born), gender, born, relation)

    def household(self) -> list[Person]:
        """One to five people: a head, perhaps a spouse, children, the head's parents."""
        rng = self.rng
        size = rng.choices((1, 2, 3, 4, 5), weights=(20, 30, 28, 14, 8))[0]
        head_gender = rng.choices(("M", "F"), weights=(70, 30))[0]
        head_age = rng.randint(66, 92) if size == 1 and rng.random() < 0.45 else rng.randint(24, 80)
        family = self.surname()
        people = [self.person(family, head_gender, head_age, Relation.HEAD)]
        if size >= 2 and (size > 2 or rng.random() < 0.7):
            other = "F" if head_gender == "M" else "M"
            people.append(self.person(self.surname(), other, head_age + rng.randint(-5, 5), Relation.SPOUSE))
        children = size - len(people) - (1 if size == 5 else 0)
        for _ in range(max(0, children)):
            child_age = head_age - rng.randint(23, 36)
            if child_age < 0:
                child_age = rng.randint(0, 5)
            people.append(self.person(family, rng.choice("MF"), child_age, Relation.CHILD))
        while len(people) < size:
            people.append(self.person(family, rng.choice("MF"), head_age + rng.randint(24, 32), Relation.PARENT))
        return people

    def identity(self, region: str, born: date, gender: str) -> str:
        from stdnum.cn import ric

        while True:
            sequence = self.rng.randrange(500) * 2 + (1 if gender == "M" else 0)
            body = f"{region}{born:%Y%m%d}{sequence:03d}"
            number = body + ric.calc_check_digit(body + "0")
            key = int(body)
            if key not in self.used:
                self.used.add(key)
                return number

    def phone(self, age: int) -> str:
        if age < 14 or (age > 80 and self.rng.random() < 0.4):
            return ""
        if age > 70 and self.rng.random() < 0.3:
            return f"0278{self.rng.randrange(10_000_000):07d}"
        return f"{self.rng.choice(MOBILE_PREFIXES)}{self.rng.randrange(100_000_000):08d}"


def _age(born: date, today: date) -> int:
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def _details(gen: Generator, person: Person, today: date) -> dict[str, Any]:
    rng, age = gen.rng, _age(person.born, today)
    retire_age = 60 if person.gender == "M" else 55
    if age < 6:
        education, employment = "", ""
    elif age < 23:
        education = "primary" if age < 13 else "junior" if age < 16 else "senior" if age < 19 else "college"
        employment = "student"
    else:
        old = person.born.year < 1960
        education = rng.choices(
            ("none", "primary", "junior", "senior", "college", "bachelor", "master", "doctor"),
            weights=(6, 18, 30, 25, 10, 9, 2, 0) if old else (1, 4, 20, 25, 20, 24, 5, 1),
        )[0]
        if age >= retire_age:
            employment = "retired"
        else:
            employment = rng.choices(("employed", "self_employed", "unemployed", "other"), weights=(80, 9, 5, 6))[0]
    if age < 14:
        political = ""
    elif age <= 28 and rng.random() < 0.35:
        political = "league_member"
    else:
        draw = rng.random()
        political = (
            "party_member"
            if draw < 0.09 + (0.04 if age > 55 else 0)
            else "probationary"
            if draw < 0.097
            else "democratic_party"
            if draw < 0.1
            else "masses"
        )
        # A member joins at 18 at the earliest and is probationary for a year (the party app's rules):
        # nobody younger is a member, and a full member has had their year of probation.
        if (political == "probationary" and age < 18) or (political == "party_member" and age < 19):
            political = "league_member" if age <= 28 else "masses"
    return {"education": education, "employment": employment, "political_status": political}


def dwellings(city: Node) -> Iterator[tuple[int, str]]:
    for kind in (Kind.UNIT, Kind.BUILDING, Kind.GRID, Kind.COMMUNITY):
        qs = Node.objects.within(city.path).filter(kind=kind, retired=False).order_by("path")
        if qs.exists():
            yield from qs.values_list("id", "path").iterator(chunk_size=5000)
            return


def _target(scale_name: str) -> int:
    if scale_name in RESIDENTS:
        return RESIDENTS[scale_name]
    if str(scale_name).isdigit():
        return max(1, int(scale_name)) * RESIDENTS["small"] // 3
    return RESIDENTS["small"]


class _Writer:
    """Residents and households with ids assigned up front, inserted a chunk at a time."""

    def __init__(self) -> None:
        self.next_resident = (Resident.objects.aggregate(m=Max("id"))["m"] or 0) + 1
        self.next_household = (Household.objects.aggregate(m=Max("id"))["m"] or 0) + 1
        self.residents: list[Resident] = []
        self.households: list[Household] = []
        self.links: list[Any] = []
        self.total_residents = 0
        self.total_households = 0

    def flush(self) -> None:
        # Households name their heads before these exist: one transaction, the foreign keys are deferred.
        with transaction.atomic():
            if self.households:
                Household.objects.bulk_create(self.households, batch_size=CHUNK)
            if self.residents:
                Resident.objects.bulk_create(self.residents, batch_size=CHUNK)
            if self.links:
                Resident.tags.through.objects.bulk_create(self.links, batch_size=CHUNK * 2)
        self.total_residents += len(self.residents)
        self.total_households += len(self.households)
        self.residents, self.households, self.links = [], [], []


def seed_people(city: Node, scale_name: str, seed: int, residents: int | None = None) -> dict[str, int]:
    """The demo city's residents (about 2,000 for ``small``, 1,000,000 for ``city``; *residents* exactly when
    given) and households."""
    tags = ensure_standard_tags()
    target = _target(scale_name) if residents is None else residents
    places = list(dwellings(city)) if target <= 200_000 else None
    count = len(places) if places is not None else sum(1 for _ in dwellings(city))
    if not count:
        return {"residents": 0, "households": 0}
    today = timezone.localdate()
    gen = Generator(seed, today)
    rng = gen.rng
    districts = dict(Node.objects.within(city.path).filter(kind=Kind.DISTRICT).values_list("id", "code"))
    city_region = (city.code or "420100")[:6]
    writer = _Writer()
    through = Resident.tags.through
    now = timezone.now()
    per_place = target / count
    owed = 0.0
    made = 0
    for node_id, path in places if places is not None else dwellings(city):
        owed += per_place
        ids = path_ids(path)
        region = (districts.get(ids[1]) if len(ids) > 1 else None) or city_region
        room = 0
        while owed >= 1 and made < target:
            people = gen.household()
            room += 1
            household = Household(
                id=writer.next_household,
                node_id=node_id,
                path=path,
                number=f"{writer.next_household:09d}",
                address=f"{(room + 1) // 2}{2 - room % 2:02d}",
                created=now,
                updated=now,
            )
            writer.next_household += 1
            writer.households.append(household)
            hardship = rng.random() < 0.02
            low_income = rng.random() < 0.015
            floating = rng.random() < 0.15
            for index, person in enumerate(people):
                age = _age(person.born, today)
                pid = writer.next_resident
                writer.next_resident += 1
                number = gen.identity(rng.choice(ELSEWHERE) if floating else region, person.born, person.gender)
                pinyin, initials = cached_pinyin(person.name)
                residence = "floating" if floating else ("left" if rng.random() < 0.04 else "registered")
                details = _details(gen, person, today)
                resident = Resident(
                    id=pid,
                    node_id=node_id,
                    path=path,
                    name=person.name,
                    pinyin=pinyin,
                    initials=initials,
                    id_number=number,
                    id_hash=id_hash_of(number),
                    id_masked=mask_id(number),
                    gender=person.gender,
                    birth_date=person.born,
                    phone=gen.phone(age),
                    ethnicity=gen.ethnicity(),
                    residence_type=residence,
                    household_id=household.pk,
                    relation=person.relation,
                    created=now,
                    updated=now,
                    **details,
                )
                writer.residents.append(resident)
                if index == 0:
                    household.head_id = pid
                person_tags = []
                if len(people) == 1 and age >= 65:
                    person_tags.append("elderly_alone")
                if rng.random() < 0.02:
                    person_tags.append("disabled")
                if index == 0 and low_income:
                    person_tags.append("low_income")
                if index == 0 and hardship:
                    person_tags.append("hardship")
                if age >= 60 and rng.random() < 0.01:
                    person_tags.append("entitled")
                if details["employment"] == "unemployed":
                    person_tags.append("unemployed")
                if 25 <= age <= 60 and rng.random() < 0.002:
                    person_tags.append("released")
                if rng.random() < 0.003:
                    person_tags.append("hospitalized")
                writer.links.extend(through(resident_id=pid, caretag_id=tags[t].pk) for t in person_tags)
            owed -= len(people)
            made += len(people)
            if len(writer.residents) >= CHUNK:
                writer.flush()
    writer.flush()
    _reset_sequences()
    return {"residents": writer.total_residents, "households": writer.total_households}


def _reset_sequences() -> None:
    advance_sequences(Resident, Household)
