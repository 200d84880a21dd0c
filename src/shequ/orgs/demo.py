"""Demo organizations and posts for ``shequ seed``: deterministic, realistic, written in bulk.

Per street a party working committee; per community a party committee (a general branch in every
third one), a branch per residential area with a group per building, the residents' committee,
the comprehensive service station, a volunteer service station, a mediation committee, a
democratic council, an owners' committee and a volunteer team per residential area, property
companies serving the residential areas (some contracts end within weeks), resident units, an
alliance, social and "two new" organizations.  Posts go to the community's residents when the
people seeder has made some, and otherwise to names; most communities cross-post more than half of
the party committee, some miss the target, and about two in five are "one shoulder".
"""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db import connection
from django.db.models import Max
from django.utils import timezone
from stdnum.cn import uscc

from shequ.core.importing import advance_sequences
from shequ.core.text import pinyin_of
from shequ.territory.models import Kind, Node

from .models import Organization, OrgKind, Post, Registration, Title

BATCH = 5000
TERM_START = date(2021, 10, 15)  # the 2021 community elections
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林高罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈姚"
    "卢姜崔钟谭陆汪范金石廖贾夏韦方白邹孟熊秦邱江尹薛段雷侯龙史陶黎贺顾毛郝龚邵万钱严武戴"
)
GIVEN = (
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建国文辉力明永健世广志义兴良海山仁波宁贵福生"
    "龙元全胜学祥才发成康星光天达安岩中茂进林有坚和彪博诚先敬震振壮会思群豪心邦承乐绍功松善厚庆磊民友裕河"
    "哲江超浩亮政谦亨奇固之轮翰朗伯宏言若鸣朋斌梁栋维启克伦翔旭鹏泽晨辰士以建家致树炎德行时泰盛雄琛钧冠策"
    "腾楠榕风航弘"
)
COMPANY_WORDS = (
    "安居 恒泰 锦程 华宇 宏达 康桥 鑫源 德信 佳和 明珠 金盾 惠民 和美 瑞丰 嘉诚 邦泰 阳光 中联 新城 盛世".split()
)
UNIT_PATTERNS = [
    "市第{n}中学",
    "市第{n}人民医院",
    "{street}派出所",
    "{street}供电所",
    "{community}邮政支局",
    "{community}卫生服务中心",
    "区税务局第{n}税务所",
    "市自来水公司第{n}营业所",
]
ENTERPRISE_PATTERNS = ["{w}科技有限公司", "{w}商贸有限公司", "{w}餐饮管理有限公司", "{w}建筑工程有限公司"]
SOCIAL_PATTERNS = [
    ("{c}书画协会", Registration.REGISTERED),
    ("{c}广场舞队", Registration.FILED),
    ("{c}老年协会", Registration.REGISTERED),
    ("{c}邻里互助会", Registration.FILED),
]
NEW_SOCIAL_PATTERNS = ["{w}社会工作服务中心", "{w}养老服务中心", "{w}公益发展中心"]


ORG_COLUMNS = (
    "id",
    "created",
    "updated",
    "node",
    "path",
    "kind",
    "name",
    "pinyin",
    "initials",
    "parent",
    "code",
    "established_on",
    "phone",
    "address",
    "registration",
    "filed_on",
    "registered_on",
    "contract_start",
    "contract_end",
    "has_party_org",
    "party_work_carried_out",
    "active",
    "dissolved_on",
    "dissolved_reason",
    "notes",
)
POST_COLUMNS = (
    "created",
    "updated",
    "node",
    "path",
    "organization",
    "person",
    "person_name",
    "title",
    "title_other",
    "start_date",
    "end_date",
    "notes",
)


@dataclass(frozen=True)
class _Org:
    pk: int
    node_id: int
    path: str


def _insert(model: Any, names: tuple[str, ...], rows: list[tuple]) -> None:
    """A plain multi-row INSERT (``executemany``): ten times faster than ``bulk_create`` for wide rows."""
    if not rows:
        return
    quote = connection.ops.quote_name
    columns = ", ".join(quote(model._meta.get_field(n).column) for n in names)
    sql = f"INSERT INTO {quote(model._meta.db_table)} ({columns}) VALUES ({', '.join(['%s'] * len(names))})"
    with connection.cursor() as cursor:
        for start in range(0, len(rows), BATCH):
            cursor.executemany(sql, rows[start : start + BATCH])


class _Builder:
    """Organizations and posts with ids assigned up front, inserted in batches (no audit entries)."""

    def __init__(self) -> None:
        self.next_org = (Organization.objects.aggregate(m=Max("id"))["m"] or 0) + 1
        self.orgs: list[tuple] = []
        self.posts: list[tuple] = []
        self.estates: list[tuple[int, int]] = []
        self.members: list[tuple[int, int]] = []
        self.codes = 0
        self._pinyin: dict[str, tuple[str, str]] = {}
        self._dates: dict[date | None, Any] = {None: None}
        self.now = connection.ops.adapt_datetimefield_value(timezone.now())

    def day(self, value: date | None) -> Any:
        if value not in self._dates:
            self._dates[value] = connection.ops.adapt_datefield_value(value)
        return self._dates[value]

    def org(
        self,
        node: Node,
        kind: str,
        name: str,
        parent: _Org | None = None,
        *,
        code: str | None = None,
        established_on: date | None = None,
        registration: str = "",
        filed_on: date | None = None,
        registered_on: date | None = None,
        contract_start: date | None = None,
        contract_end: date | None = None,
        has_party_org: bool = False,
        party_work_carried_out: bool = False,
    ) -> _Org:
        if name not in self._pinyin:
            self._pinyin[name] = pinyin_of(name)
        pinyin, initials = self._pinyin[name]
        org = _Org(self.next_org, node.pk, node.path)
        self.next_org += 1
        self.orgs.append(
            (
                org.pk,
                self.now,
                self.now,
                node.pk,
                node.path,
                str(kind),
                name,
                pinyin,
                initials,
                parent.pk if parent else None,
                code,
                self.day(established_on),
                "",
                "",
                str(registration),
                self.day(filed_on),
                self.day(registered_on),
                self.day(contract_start),
                self.day(contract_end),
                has_party_org,
                party_work_carried_out,
                True,
                None,
                "",
                "",
            )
        )
        return org

    def code(self, region: str) -> str:
        self.codes += 1
        body = f"91{region[:6]:0<6}{self.codes:09d}"
        return body + uscc.calc_check_digit(body)

    def post(
        self,
        org: _Org,
        title: str,
        person: tuple[int | None, str],
        start: date,
        end: date | None = None,
        other: str = "",
    ) -> None:
        resident_id, name = person
        self.posts.append(
            (
                self.now,
                self.now,
                org.node_id,
                org.path,
                org.pk,
                resident_id,
                "" if resident_id else name,
                str(title),
                other,
                self.day(start),
                self.day(end),
                "",
            )
        )

    def flush(self) -> tuple[int, int]:
        _insert(Organization, ORG_COLUMNS, self.orgs)
        _insert(Post, POST_COLUMNS, self.posts)
        estates = Organization.estates.through
        _insert(estates, ("organization", "node"), self.estates)
        members = Organization.members.through
        _insert(members, ("from_organization", "to_organization"), self.members)
        advance_sequences(Organization)
        return len(self.orgs), len(self.posts)


class _People:
    """The people of one community: its residents first (when there are any), then made-up names."""

    def __init__(self, rng: random.Random, residents: list[tuple[int, str]]) -> None:
        self.rng = rng
        self.residents = residents
        self.used = 0
        self.names: set[str] = set()

    def next(self) -> tuple[int | None, str]:
        if self.used < len(self.residents):
            person = self.residents[self.used]
            self.used += 1
            return person
        while True:
            name = self.rng.choice(SURNAMES) + "".join(self.rng.choice(GIVEN) for _ in range(self.rng.choice((1, 2))))
            if name not in self.names:
                self.names.add(name)
                return (None, name)

    def name_only(self) -> tuple[None, str]:
        while True:
            name = self.rng.choice(SURNAMES) + "".join(self.rng.choice(GIVEN) for _ in range(self.rng.choice((1, 2))))
            if name not in self.names:
                self.names.add(name)
                return (None, name)


def _short(name: str, suffix: str) -> str:
    return name[: -len(suffix)] if name.endswith(suffix) and len(name) > len(suffix) else name


def _residents_of(community: Node, limit: int) -> list[tuple[int, str]]:
    try:
        from shequ.people.models import Resident
    except ImportError:  # pragma: no cover - the people app is part of the project
        return []
    return list(
        Resident.objects.within(community.path).filter(archived=False).order_by("id").values_list("id", "name")[:limit]
    )


def seed_organizations(city: Node, scale_name: str, seed: int) -> dict[str, Any]:
    rng = random.Random(seed * 7919 + 17)
    today = timezone.localdate()
    nodes = list(
        Node.objects.within(city.path)
        .filter(kind__in=[Kind.STREET, Kind.COMMUNITY, Kind.GRID, Kind.ESTATE, Kind.BUILDING], retired=False)
        .only("id", "kind", "name", "path", "parent_id", "code")
        .order_by("path")
    )
    children: dict[int | None, list[Node]] = defaultdict(list)
    for node in nodes:
        children[node.parent_id].append(node)
    b = _Builder()
    words = COMPANY_WORDS[:]
    rng.shuffle(words)
    company_count = community_count = 0
    for street in (n for n in nodes if n.kind == Kind.STREET):
        short_street = _short(street.name, "街道")
        committee = b.org(
            street, OrgKind.STREET_COMMITTEE, f"{short_street}街道党工委", established_on=date(2003, 7, 1)
        )
        street_people = _People(rng, [])
        b.post(committee, Title.SECRETARY, street_people.name_only(), date(2021, 9, 1))
        b.post(committee, Title.DEPUTY_SECRETARY, street_people.name_only(), date(2021, 9, 1))
        for ci, community in enumerate(children[street.pk]):
            grids = children[community.pk]
            estates = [e for g in grids for e in children[g.pk] if e.kind == Kind.ESTATE]
            buildings = {e.pk: [x for x in children[e.pk] if x.kind == Kind.BUILDING] for e in estates}
            need = 16 + len(estates) * 2 + sum(len(v) for v in buildings.values()) + len(grids)
            people = _People(rng, _residents_of(community, need))
            short = _short(community.name, "社区")
            region = (community.code or street.code or "420100")[:6]
            general = ci % 3 == 2
            party = b.org(
                community,
                OrgKind.GENERAL_BRANCH if general else OrgKind.COMMUNITY_COMMITTEE,
                f"{community.name}党总支" if general else f"{community.name}党委",
                parent=committee,
                established_on=date(2008 + ci % 10, 7, 1),
            )
            rc = b.org(
                community, OrgKind.RESIDENTS_COMMITTEE, f"{community.name}居民委员会", established_on=date(2001, 5, 1)
            )
            station = b.org(community, OrgKind.SERVICE_STATION, f"{community.name}综合服务站")
            volunteers = b.org(community, OrgKind.VOLUNTEER_STATION, f"{community.name}志愿者服务站")
            mediation = b.org(community, OrgKind.MEDIATION_COMMITTEE, f"{community.name}人民调解委员会")
            b.org(community, OrgKind.DEMOCRATIC_COUNCIL, f"{community.name}民主议事会")
            _committees(b, rng, people, party, rc, station, volunteers, mediation, grids, community_count)
            community_count += 1
            # Residential areas: a branch with a group per building, an owners' committee, a volunteer team.
            for estate in estates:
                branch = b.org(estate, OrgKind.BRANCH, f"{estate.name}党支部", parent=party)
                b.post(branch, Title.SECRETARY, people.next(), TERM_START)
                for building in buildings[estate.pk]:
                    group = b.org(building, OrgKind.PARTY_GROUP, f"{estate.name}{building.name}党小组", parent=branch)
                    b.post(group, Title.GROUP_LEADER, people.next(), TERM_START + timedelta(days=30))
                owners = b.org(estate, OrgKind.OWNERS_COMMITTEE, f"{estate.name}业主委员会")
                b.post(owners, Title.DIRECTOR, people.next(), date(2022, 3, 1))
                team = b.org(estate, OrgKind.VOLUNTEER_TEAM, f"{estate.name}志愿服务队")
                b.post(team, Title.CAPTAIN, people.next(), date(2022, 5, 1))
            # Property companies, each serving up to two residential areas; every fourth contract ends soon.
            companies = []
            for i in range(0, len(estates), 2):
                word = words[company_count % len(words)]
                round_ = company_count // len(words)
                company_count += 1
                # Three-year contracts still running: every fourth one ends within the next weeks.
                days_left = rng.randrange(10, 80) if company_count % 4 == 0 else rng.randrange(120, 1000)
                end = today + timedelta(days=days_left)
                start = end - timedelta(days=3 * 365)
                company = b.org(
                    community,
                    OrgKind.PROPERTY_COMPANY,
                    f"{word}物业服务有限公司" + (f"{round_ + 1}分公司" if round_ else ""),
                    code=b.code(region),
                    contract_start=start,
                    contract_end=end,
                )
                companies.append(company)
                b.estates.extend((company.pk, e.pk) for e in estates[i : i + 2])
                b.post(company, Title.MANAGER, people.name_only(), start)
            # Resident units, "two new" and social organizations, and the alliance.
            units = []
            for k in range(2):
                pattern = UNIT_PATTERNS[(ci * 2 + k) % len(UNIT_PATTERNS)]
                name = pattern.format(n=ci * 2 + k + 1, street=short_street, community=short)
                unit = b.org(community, OrgKind.RESIDENT_UNIT, name, code=b.code(region))
                units.append(unit)
                b.post(unit, Title.LIAISON, people.name_only(), date(2023, 1, 1))
            word = rng.choice(COMPANY_WORDS)
            enterprise = ENTERPRISE_PATTERNS[ci % len(ENTERPRISE_PATTERNS)].format(w=f"{short}{word}")
            b.org(
                grids[0] if grids else community,
                OrgKind.NONPUBLIC_ENTERPRISE,
                enterprise,
                code=b.code(region),
                has_party_org=rng.random() < 0.8,
                party_work_carried_out=rng.random() < 0.9,
            )
            b.org(
                community,
                OrgKind.NEW_SOCIAL_ORG,
                NEW_SOCIAL_PATTERNS[ci % len(NEW_SOCIAL_PATTERNS)].format(w=short),
                code=b.code(region),
                has_party_org=rng.random() < 0.6,
                party_work_carried_out=rng.random() < 0.85,
            )
            for pattern, registration in rng.sample(SOCIAL_PATTERNS, 2):
                b.org(
                    community,
                    OrgKind.SOCIAL,
                    pattern.format(c=short),
                    registration=registration,
                    filed_on=date(2020, 4, 1),
                    registered_on=date(2022, 6, 1) if registration == Registration.REGISTERED else None,
                )
            alliance = b.org(
                community, OrgKind.ALLIANCE, f"{community.name}区域化党建联盟", established_on=date(2019, 7, 1)
            )
            b.members.extend((alliance.pk, m.pk) for m in [*units, *companies[:2]])
    organizations, posts = b.flush()
    return {"organizations": organizations, "posts": posts}


def _committees(
    b: _Builder,
    rng: random.Random,
    people: _People,
    party: _Org,
    rc: _Org,
    station: _Org,
    volunteers: _Org,
    mediation: _Org,
    grids: list[Node],
    number: int,
) -> None:
    """The two committees and the station: cross-posting 40–100 %, "one shoulder" in about two in five."""
    committee = [people.next() for _ in range(5)]
    for person, title in zip(committee, [Title.SECRETARY, Title.DEPUTY_SECRETARY, *[Title.MEMBER] * 3], strict=True):
        b.post(party, title, person, TERM_START)
    # Of the 5 members, how many also sit on the residents' committee: one community in six misses the target.
    shared = 2 if number % 6 == 5 else 5 if number % 6 == 3 else rng.choice((3, 4))
    one_shoulder = number % 5 in (0, 2)
    secretary = committee[0]
    if one_shoulder:
        shared_people = committee[:shared]  # the secretary first: the director
    elif shared < 5:
        shared_people = committee[1 : shared + 1]
    else:
        shared_people = [*committee[1:], secretary]  # everyone, but the secretary is not the director
    members = shared_people + [people.next() for _ in range(5 - len(shared_people))]
    for person, title in zip(members, [Title.DIRECTOR, Title.DEPUTY_DIRECTOR, *[Title.MEMBER] * 3], strict=True):
        b.post(rc, title, person, TERM_START)
    b.post(station, Title.STATION_HEAD, secretary if one_shoulder else people.next(), TERM_START)
    b.post(station, Title.STAFF, people.next(), date(2022, 2, 1))
    b.post(volunteers, Title.STATION_HEAD, committee[1], date(2022, 1, 1))
    b.post(mediation, Title.DIRECTOR, committee[2], TERM_START)
    b.post(mediation, Title.MEDIATOR, people.next(), date(2022, 4, 1))
    # The previous secretary, for the history.
    b.post(party, Title.SECRETARY, people.name_only(), date(2016, 10, 1), end=TERM_START)
    for grid in grids:
        b.post(rc, Title.GRID_WORKER, people.next(), date(2022, 1, 1) + timedelta(days=grid.pk % 200))
