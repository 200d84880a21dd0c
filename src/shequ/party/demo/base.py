"""What the demo's party seeders share: the settings, the organizations by place, ids, rows and dates."""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext

from shequ.core.importing import BulkInsert
from shequ.core.text import name_pinyin
from shequ.orgs.models import Organization, OrgKind
from shequ.party.models import (
    DuesPayment,
    MemberEvent,
    MemberStatus,
    PartyMember,
)
from shequ.party.models.common import add_months, add_years
from shequ.people.demo import Generator
from shequ.territory.models import Kind, Node

CHUNK = 5000
# Members in all for these scales; otherwise the residents' members and a quarter as many again.
TOTAL_MEMBERS = {"city": 500_000}
EXTRA_SHARE = 0.25
# Dues are seeded for every member up to this many; above it, for the first district's members only.
DUES_ALL_UP_TO = 50_000
# Share of on-the-job resident members whose relation is kept where they work.
ELSEWHERE_SHARE = 0.35
PIPELINE_SHARE = 0.4  # communities with applicants, activists and targets in progress
# Region codes of people who do not live in the territory (none of the residents' codes).
OUTSIDE_REGIONS = (
    "330106 320106 370102 350102 450102 520102 530102 620102 130102 140105 210102 220102 230102 150102 640104 460105"
).split()
MEMBER_FIELDS = tuple(
    "id created updated node path name pinyin initials id_number id_hash id_masked gender birth_date "
    "phone education occupation resident ethnicity work_unit status status_changed_on category "
    "organization joined_on probation_ends probation_extended converted_on dues_base basic_allowance "
    "notes".split()
)
EVENT_FIELDS = ("member", "kind", "on", "title", "details", "organization", "hours", "created")
DUES_FIELDS = ("created", "updated", "node", "path", "member", "month", "base", "amount", "paid_on")
RECORD_FIELDS = tuple(
    "created updated node path name pinyin initials id_number id_hash id_masked gender birth_date phone "
    "education occupation organization resident stage applied_on activist_on target_on admitted_on "
    "contact_1 contact_2 introducer_1 introducer_2 member stopped_on stopped_reason notes".split()
)
TRANSFER_FIELDS = tuple(
    "created updated node path member kind status is_open from_org to_org to_path outside_org "
    "letter_number valid_until reason requested_on due_on approved_on closed_on response person_name "
    "id_number id_hash id_masked member_status joined_on category".split()
)
REPORT_FIELDS = ("id", "created", "updated", "node", "path", "member", "branch", "registered_on", "ended_on", "notes")
ACTIVITY_FIELDS = ("report", "on", "title", "hours", "created")
SELECTION_FIELDS = ("report", "year", "citation", "created")

WORK_UNITS = (
    "市第一人民医院 市中心医院 市第十二中学 区实验小学 区税务局 市供电公司 市自来水公司 区人民法院 市公交集团 "
    "市农商银行 市邮政分公司 长江建设集团有限公司 华中光电科技有限公司 区教育局 市图书馆 区市场监督管理局"
).split()
OCCUPATIONS = "教师 医生 护士 工程师 公务员 会计 技术员 销售经理 公交司机 银行职员 法官 警察 编辑 设计师".split()
SCHOOLS = ("江城大学", "市职业技术学院", "华中理工学院")
ACTIVITIES = (
    "清洁家园志愿服务 社区治安巡逻 关爱空巢老人走访 垃圾分类宣传 文明交通劝导 主题党日活动 邻里纠纷调解 "
    "助老送餐服务 防汛值守 反诈宣传进小区 爱心义诊 四点半课堂辅导"
).split()
OUTSIDE_ORGS = (
    "江苏省南京市玄武区梅园新村街道党工委",
    "湖南省长沙市岳麓区望岳街道党工委",
    "广东省深圳市南山区粤海街道党工委",
    "浙江省杭州市西湖区文新街道党工委",
    "四川省成都市武侯区玉林街道党工委",
    "河南省郑州市金水区文化路街道党工委",
)
LETTER_PREFIXES = ("苏组转", "湘组转", "粤组转", "浙组转", "川组转", "豫组转", "鄂组转")
TRANSFER_TYPES = (
    "requested",
    "overdue",
    "approved",
    "completed",
    "rejected",
    "returned",
    "out_open",
    "out_done",
    "in_done",
)
ERA_EDUCATION = {
    "old": (("primary", 10), ("junior", 25), ("senior", 30), ("college", 18), ("bachelor", 15), ("master", 2)),
    "mid": (("junior", 8), ("senior", 20), ("college", 25), ("bachelor", 38), ("master", 8), ("doctor", 1)),
    "new": (("senior", 5), ("college", 20), ("bachelor", 55), ("master", 18), ("doctor", 2)),
}


@dataclass(frozen=True)
class _Org:
    pk: int
    kind: str
    node_id: int
    path: str
    name: str
    community: str  # the path of its community ("" for a street's committee)
    street: str


@dataclass
class _Kept:
    """A member later steps refer to."""

    pk: int
    org: _Org
    name: str
    status: str
    category: str
    joined_on: date
    born: date
    id_number: str = ""
    gender: str = ""
    phone: str = ""
    education: str = ""
    occupation: str = ""
    resident_id: int | None = None
    home: str = ""  # the path of the community they live in
    home_branch: _Org | None = None


@dataclass
class _Titles:
    """The timeline's titles as the actions write them, in the site's language."""

    admitted: str = ""
    admitted_by: str = ""
    admitted_details: str = ""
    converted: str = ""
    extended: str = ""
    transferred: str = ""
    transferred_in: str = ""
    transferred_out: str = ""
    reported: str = ""
    outstanding: str = ""
    status: str = ""
    statuses: dict[str, str] = field(default_factory=dict)

    @classmethod
    def load(cls) -> _Titles:
        with translation.override(settings.LANGUAGE_CODE):
            return cls(
                admitted=gettext("Admitted as a probationary member"),
                admitted_by=gettext("Admitted as a probationary member; introducers %(a)s and %(b)s"),
                admitted_details=gettext(
                    "Applied on %(applied)s; activist since %(activist)s; development target since %(target)s."
                ),
                converted=gettext("Became a full member"),
                extended=gettext("Probation extended by %(months)d months, to %(end)s"),
                transferred=gettext("Relation transferred from %(from)s to %(to)s"),
                transferred_in=gettext("Relation transferred in from %(from)s (letter %(letter)s)"),
                transferred_out=gettext("Relation transferred out of the platform to %(to)s (letter %(letter)s)"),
                reported=gettext("Reported to the community %(place)s"),
                outstanding=gettext("Outstanding on-the-job member of %(year)d (%(place)s)"),
                status=gettext("Status: %(old)s → %(new)s"),
                statuses={str(value): str(label) for value, label in MemberStatus.choices},
            )


class _Orgs:
    """The party organizations the orgs seeder made, by place."""

    def __init__(self, city: Node) -> None:
        nodes = dict(
            Node.objects.within(city.path)
            .filter(kind__in=(Kind.STREET, Kind.COMMUNITY), retired=False)
            .values_list("path", "kind")
        )
        self.communities = sorted(p for p, k in nodes.items() if k == Kind.COMMUNITY)
        self.community_names = dict(Node.objects.filter(path__in=self.communities).values_list("path", "name"))
        self.lengths = sorted({len(p) for p in self.communities})
        self.street_lengths = sorted({len(p) for p, k in nodes.items() if k == Kind.STREET})
        self.branch: dict[str, _Org] = {}  # by the path of its residential area (or grid)
        self.committee: dict[str, _Org] = {}  # by community path
        self.street: dict[str, _Org] = {}  # by street path
        self.all: list[_Org] = []
        rows = (
            Organization.objects.within(city.path)
            .filter(
                active=True,
                kind__in=(
                    OrgKind.STREET_COMMITTEE,
                    OrgKind.COMMUNITY_COMMITTEE,
                    OrgKind.GENERAL_BRANCH,
                    OrgKind.BRANCH,
                ),
            )
            .order_by("path", "id")
            .values_list("id", "kind", "node_id", "path", "name")
        )
        for pk, kind, node_id, path, name in rows:
            org = _Org(pk, kind, node_id, path, name, self.community_of(path), self.street_of(path))
            self.all.append(org)
            if kind == OrgKind.STREET_COMMITTEE:
                self.street.setdefault(path, org)
            elif path in nodes and nodes[path] == Kind.COMMUNITY:
                self.committee.setdefault(path, org)
            else:
                self.branch.setdefault(path, org)
        self.keeping = [o for o in self.all if o.kind != OrgKind.STREET_COMMITTEE and o.community]

    def community_of(self, path: str) -> str:
        for length in self.lengths:
            if len(path) >= length and path[:length] in self.community_names:
                return path[:length]
        return ""

    def street_of(self, path: str) -> str:
        for length in self.street_lengths:
            if len(path) >= length and path[:length] in self.street:
                return path[:length]
        return path[: self.street_lengths[0]] if self.street_lengths else ""

    def home(self, path: str) -> _Org | None:
        """The branch of the residential area (or grid) of *path*, else the community's committee."""
        end = len(path)
        while end > 0:
            found = self.branch.get(path[:end])
            if found is not None:
                return found
            end = path.rfind(".", 0, end - 1) + 1
        return self.committee.get(self.community_of(path))


class _Base:
    """The state of one seeding: the random generator, the organizations, the rows waiting for their insert."""

    def __init__(self, city: Node, scale_name: str, seed: int) -> None:
        self.rng = random.Random(seed * 104729 + 4)
        self.gen = Generator(seed * 31 + 5, timezone.localdate())
        self.gen.rng = self.rng
        self.today = timezone.localdate()
        self.now = timezone.now()
        self.city = city
        self.scale_name = scale_name
        self.orgs = _Orgs(city)
        self.titles = _Titles.load()
        self.counts: Counter[str] = Counter()
        self.member_insert = BulkInsert(PartyMember, MEMBER_FIELDS)
        self.event_insert = BulkInsert(MemberEvent, EVENT_FIELDS)
        self.dues_insert = BulkInsert(DuesPayment, DUES_FIELDS)
        self.member_rows: list[tuple] = []
        self.event_rows: list[tuple] = []
        self.dues_rows: list[tuple] = []
        self.ids: list[int] = []
        self.dues_area = ""  # every member's dues
        self.pools: dict[str, list[_Kept]] = defaultdict(list)  # full members per community
        self.probationary: list[_Kept] = []
        self.reporting: list[_Kept] = []
        self.transfers: list[tuple] = []
        self.community_rate: dict[str, float] = {}
        self.pinyin: dict[str, tuple[str, str]] = {}
        self._reports: list[tuple[int, _Kept, date]] = []  # (report id, member, registered on)
        self.probation_shown = False  # see shown_probation

    # -- ids and rows -----------------------------------------------------------------------------------

    def next_id(self) -> int:
        if not self.ids:
            self.flush()
            self.ids = list(reversed(self.member_insert.reserve_ids(CHUNK)))
        return self.ids.pop()

    def flush(self) -> None:
        if self.member_rows:
            self.counts["party members"] += self.member_insert.insert(self.member_rows)
        self.event_insert.insert(self.event_rows)
        self.counts["dues payments"] += self.dues_insert.insert(self.dues_rows)
        self.member_rows, self.event_rows, self.dues_rows = [], [], []

    def event(
        self, member: int, kind: str, on: date, title: str, org: _Org, details: str = "", hours: Any = None
    ) -> None:
        self.event_rows.append((member, str(kind), on, title[:200], details, org.pk, hours, self.now))

    def names(self, name: str) -> tuple[str, str]:
        found = self.pinyin.get(name)
        if found is None:
            found = self.pinyin[name] = name_pinyin(name)
        return found

    # -- dates ------------------------------------------------------------------------------------------

    def days(self, low: int, high: int) -> timedelta:
        return timedelta(days=self.rng.randint(low, high))

    def full_dates(self, born: date, latest_join: date | None = None) -> tuple[date, date, bool] | None:
        """Joining (18 or older) and conversion (after one year, or after an extension) by today."""
        extended = self.rng.random() < 0.03
        months = self.rng.choice((3, 6, 6, 12)) if extended else 0
        latest = add_months(add_years(self.today, -1), -months) - timedelta(days=1)
        if latest_join is not None:
            latest = min(latest, latest_join)
        earliest = add_years(born, 18) + timedelta(days=20)
        if earliest > latest:
            return None
        age = max(18.1, min(self.rng.gauss(27, 7), 60.0))
        joined = born + timedelta(days=int(age * 365.25))
        joined = min(max(joined, earliest), latest)
        converted = add_months(add_years(joined, 1), months)
        return joined, converted, extended

    def probation_dates(self, born: date) -> tuple[date, date, bool] | None:
        """Admitted within the last year or so (old enough to have gone through the pipeline)."""
        draw = self.rng.random()
        if draw < 0.1:
            joined = self.today - self.days(380, 520)
            ends, extended = add_months(add_years(joined, 1), 6), True
        elif draw < 0.2:
            joined = self.today - self.days(366, 395)  # probation over, decision pending
            ends, extended = add_years(joined, 1), False
        else:
            joined = self.today - self.days(5, 360)
            ends, extended = add_years(joined, 1), False
        if joined < add_years(born, 21):
            return None
        return joined, ends, extended

    def first_community(self) -> str:
        """The first community: the one the demo's ``secretary`` and ``branch`` logins work in."""
        return self.orgs.communities[0] if self.orgs.communities else ""

    def shown_probation(
        self, path: str, born: date, dates: tuple[date, date, bool] | None
    ) -> tuple[date, date, bool] | None:
        """The first probationary member living in the first community has ended the probation without a
        decision yet, so that the demo logins' home page shows one.  No draw of the generator: the rest of the
        demo stays as it is."""
        first = self.first_community()
        if dates is None or self.probation_shown or not first or not path.startswith(first):
            return dates
        joined = self.today - timedelta(days=370)
        if joined < add_years(born, 21):
            return dates
        self.probation_shown = True
        return joined, add_years(joined, 1), False

    # -- members ----------------------------------------------------------------------------------------

    def outsider(self, age_low: int = 18, age_high: int = 95) -> tuple[str, str, str, date, str]:
        """A made-up person who does not live in the territory: name, number, gender, birth date, education."""
        gen, rng = self.gen, self.rng
        age = rng.choices(((20, 30), (31, 45), (46, 60), (61, 75), (76, 95)), weights=(12, 25, 28, 25, 10))[0]
        age_years = rng.randint(max(age[0], age_low), max(min(age[1], age_high), max(age[0], age_low)))
        gender = rng.choices(("M", "F"), weights=(70, 30))[0]
        born = gen.birth(age_years)
        name = gen.surname() + gen.given(gender, born)
        number = gen.identity(rng.choice(OUTSIDE_REGIONS), born, gender)
        era = "old" if born.year < 1960 else "mid" if born.year < 1990 else "new"
        options = ERA_EDUCATION[era]
        education = rng.choices([e for e, _w in options], weights=[w for _e, w in options])[0]
        return name, number, gender, born, education
