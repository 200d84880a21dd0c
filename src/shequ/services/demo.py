"""`shequ seed`: the standard catalogue, a routing rule per community, and half a year of requests.

The requests look like a working service: filed over the past six months through every channel, in every
state (a few just filed, most closed), most handled by their deadline and some late, some overdue now,
rated (satisfied and not), some reopened after an unsatisfied rating, returned, with sub-tasks for other
organizations — each with its case file, written as the actions write it.  Everything goes in through
``BulkInsert`` (``executemany`` on SQLite, ``COPY`` on PostgreSQL); the same seed gives the same requests
relative to the day it runs.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from .catalogue import install_standard_catalogue

PER_COMMUNITY = 30
COMMUNITIES = 50
DAYS = 182
ON_TIME = 0.82  # share of requests handled by their deadline
RATED = 0.7  # share of resolved requests the resident rates
RATINGS = (5,) * 9 + (4,) * 6 + (3,) * 3 + (2, 1)  # 1–2 unsatisfied: reopened once
SUBTASKS = 0.12
RETURNED = 0.04
CHANNELS = (("window", 30), ("hotline", 30), ("grid", 20), ("portal", 15), ("open311", 5))
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
TITLES = ("先生", "女士", "阿姨", "师傅", "大爷")
ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"

# What residents write and what the handlers answer, by category (the top-level category's otherwise).
DESCRIPTIONS: dict[str, tuple[str, ...]] = {
    "water": ("早上起来家里没有水，邻居家也一样。", "楼道水管一直滴水，地面湿滑。"),
    "water-burst": ("小区门口的水管爆了，水流到路上。", "地下室管道破裂，已经积水。"),
    "water-quality": ("自来水发黄，有铁锈味。", "水里有白色沉淀，不敢喝。"),
    "power": ("整栋楼停电两个小时了，也没有通知。", "楼道电表箱冒火花。"),
    "heating": ("家里暖气不热，室温只有14度。", "暖气片接口漏水，楼下也渗了。"),
    "property": ("电梯又坏了，老人上下楼很困难。", "单元门禁坏了一周，谁都能进。", "路灯不亮，晚上很黑。"),
    "property-fees": ("物业费今年涨了，没有开业主大会。", "车位费收费标准不清楚。"),
    "property-parking": ("消防通道被私家车长期占用。", "小区外来车辆乱停，进出困难。"),
    "sanitation": ("垃圾桶满了两天没人清运，有异味。", "楼下绿化带的树枝挡住了窗户。"),
    "noise": ("楼上每天晚上十一点后还在装修。", "广场舞音响太大声，影响休息。"),
    "security": ("楼道堆满杂物和电动车，存在消防隐患。", "有人在地下室私拉电线给电动车充电。"),
    "public-order": ("最近小区有陌生人挨家敲门推销。", "车棚里的电动车电瓶被偷了。"),
    "disputes": ("和邻居因为漏水赔偿的问题谈不拢，请社区调解。", "家里老人赡养问题，兄弟之间有矛盾。"),
    "elderly": ("家里老人独居，想申请居家养老上门服务。", "想给父亲报名社区老年食堂。"),
    "employment": ("失业半年了，想登记求职。", "想参加社区组织的育婴师培训。"),
    "assistance": ("家里收入低，想咨询低保怎么申请。", "家人突发重病，医疗费负担重，申请临时救助。"),
    "consultation": ("想咨询一下居住证怎么办理。", "孩子上学需要开居住证明，去哪里办？"),
}
RESOLUTIONS: dict[str, tuple[str, ...]] = {
    "water": ("已联系供水公司抢修，已恢复供水。", "维修人员已更换漏水管段。"),
    "power": ("供电所已抢修线路，已恢复供电。", "已更换老化电表箱，排除隐患。"),
    "heating": ("热力公司已上门排气，室温恢复到20度。", "已更换暖气片阀门。"),
    "property": ("已督促物业完成维修。", "已与物业公司沟通，按规定公示收费标准。", "已清理占道车辆并设置警示。"),
    "sanitation": ("已安排环卫车辆清运并增加清运频次。", "已修剪树枝。"),
    "noise": ("已上门劝导，对方承诺晚上十点后停止施工。",),
    "security": ("已清理楼道杂物，拆除私拉电线。", "已联系派出所加强巡逻。"),
    "disputes": ("经调解，双方达成书面协议。", "已组织双方面谈，矛盾已化解。"),
    "elderly": ("已安排养老服务人员上门评估，每周服务两次。", "已办理老年助餐登记。"),
    "employment": ("已完成求职登记并推荐三个岗位。", "已报名下期培训班。"),
    "assistance": ("已指导提交申请材料，入户调查已完成。", "临时救助已审批发放。"),
    "consultation": ("已电话告知办理流程和所需材料。",),
}
SUBTASK_KINDS = {
    "disputes": ("mediation_committee", "请派调解员参与调解。"),
    "property": ("property_company", "请物业公司安排维修并反馈结果。"),
    "sanitation": ("property_company", "请物业配合清运。"),
    "security": ("property_company", "请物业配合清理楼道杂物。"),
}
SUBTASK_DEFAULT = ("service_station", "请服务站协助上门核实情况。")
RETURN_REASONS = ("不属于本单位职责，应由物业公司处理。", "地址不在本辖区。")


def _pick(rng: random.Random, table: dict[str, tuple[str, ...]], category: Any) -> str:
    options = table.get(category.code) or table.get(category.parent.code if category.parent else "", ())
    return rng.choice(options) if options else category.name


REQUEST_FIELDS = (
    "id",
    "code",
    "category",
    "channel",
    "status",
    "is_open",
    "description",
    "attributes",
    "address",
    "lat",
    "long",
    "media_url",
    "email",
    "external_account",
    "resident",
    "contact_name",
    "phone",
    "phone_last4",
    "organization",
    "responsible_path",
    "tier_name",
    "accepted_at",
    "warn_at",
    "deadline",
    "warned_at",
    "escalated_at",
    "resolved_at",
    "closed_at",
    "status_notes",
    "return_reason",
    "rating",
    "rating_comment",
    "reopened_count",
    "node",
    "path",
    "created",
    "updated",
)
EVENT_FIELDS = ("request", "kind", "from_status", "to_status", "text", "public", "actor_label", "organization", "at")
SUBTASK_FIELDS = (
    "request",
    "node",
    "path",
    "organization",
    "to_path",
    "instruction",
    "status",
    "result",
    "due",
    "done_at",
    "created",
    "updated",
)


@dataclass
class Case:
    """One request as it is built: its row (by field name), its case file and its sub-tasks."""

    row: dict[str, Any]
    category_name: str
    target: str = ""
    events: list[tuple[Any, ...]] = field(default_factory=list)
    subtasks: list[dict[str, Any]] = field(default_factory=list)
    status: str = ""

    def step(
        self, to: str, at: datetime, text: str = "", *, public: bool = True, by: str = "", org: Any = None
    ) -> None:
        self.events.append(("status", self.status, to, text, public, by, org, at))
        self.status = to
        if public and text:
            self.row["status_notes"] = text[:500]
        self.row["updated"] = at

    def note(self, kind: str, at: datetime, text: str, *, public: bool = False, by: str = "", org: Any = None) -> None:
        self.events.append((kind, "", "", text, public, by, org, at))
        self.row["updated"] = max(self.row["updated"], at)

    def stops(self, next_step: datetime, now: datetime) -> bool:
        """The request stays where it is: its next step has not come yet, or it reached its target."""
        return next_step > now or (self.target != "" and self.status == self.target)

    def finish(self) -> Case:
        from .models import OPEN_STATUSES

        self.row["status"] = self.status
        self.row["is_open"] = self.status in OPEN_STATUSES
        return self


class RequestBuilder:
    def __init__(self, rng: random.Random, now: datetime) -> None:
        self.rng, self.now = rng, now
        self.codes: set[str] = set()

    def code(self) -> str:
        while True:
            code = "".join(self.rng.choice(ALPHABET) for _ in range(12))
            if code not in self.codes:
                self.codes.add(code)
                return code

    def moment(self, target: str = "") -> datetime:
        """When a request was filed: over the last DAYS days, more of them lately, in the daytime; one to
        end in *target*, long enough ago to get there (days for the first steps, a month for the rest)."""
        if target:
            early = target in ("submitted", "accepted", "assigned", "returned", "in_progress")
            age = timedelta(days=self.rng.uniform(3, 6) if early else self.rng.uniform(25, 35))
        else:
            age = timedelta(days=DAYS * self.rng.random() ** 1.4)
        local = timezone.localtime(self.now - age)
        hour = self.rng.choice((8, 9, 9, 10, 10, 11, 14, 15, 15, 16, 17, 19, 20, 21))
        filed = local.replace(hour=hour, minute=self.rng.randrange(60), second=self.rng.randrange(60), microsecond=0)
        return min(filed, self.now - timedelta(minutes=self.rng.randrange(5, 90)))

    def later(self, start: datetime, low_minutes: float, high_minutes: float) -> datetime:
        return start + timedelta(minutes=self.rng.uniform(low_minutes, high_minutes))

    def office(self, moment: datetime, around_the_clock: bool = False) -> datetime:
        """Staff work from 8 to 19 o'clock: a step due outside those hours happens the next morning
        (emergencies are handled around the clock)."""
        local = timezone.localtime(moment)
        if around_the_clock or 8 <= local.hour < 19:
            return moment
        day = local.date() + timedelta(days=1 if local.hour >= 19 else 0)
        morning = datetime.combine(day, time(8, self.rng.randrange(60), self.rng.randrange(60)))
        return timezone.make_aware(morning)

    def answers(self, questions: list[Any]) -> dict[str, Any]:
        """Answers to the category's questions, as the actions store them (every required one)."""
        result: dict[str, Any] = {}
        for q in questions:
            if not q.required and self.rng.random() < 0.5:
                continue
            if q.datatype in ("singlevaluelist", "multivaluelist") and q.values:
                key = self.rng.choice(q.choice_keys())
                result[q.code] = [key] if q.datatype == "multivaluelist" else key
            elif q.datatype == "number":
                result[q.code] = str(self.rng.randrange(12, 17))
            elif q.datatype == "datetime":
                result[q.code] = timezone.localtime(self.now).replace(minute=0, second=0, microsecond=0).isoformat()
            else:
                result[q.code] = self.rng.choice(("1号楼地下室", "3单元楼道", "小区东门", "5号楼电梯"))
        return result


def build_case(
    builder: RequestBuilder,
    pk: int,
    category: Any,
    questions: list[Any],
    community: Any,
    place: Any,
    committee: Any,
    helpers: dict[str, list[Any]],
    residents: list[tuple[int, str, str]],
    names: dict[int, str],
    target: str = "",
) -> Case:
    """One request from filing to where it stands today, each step only once its time has come.
    *target*: the state it is to end in (it was filed long enough ago), else wherever chance takes it."""
    from shequ.core import workdays

    from .models import Channel, EventKind

    rng, now = builder.rng, builder.now
    created = builder.moment(target)
    channel = rng.choices([c for c, _w in CHANNELS], [w for _c, w in CHANNELS])[0]
    resident = None
    if residents and channel in ("window", "hotline", "grid") and rng.random() < 0.5:
        resident = rng.choice(residents)
    contact = resident[1] if resident else rng.choice(SURNAMES) + rng.choice(TITLES)
    phone = resident[2] if resident else f"1{rng.choice('3578')}{rng.randrange(10**9):09d}"
    room = f"{rng.randrange(1, 7)}单元{rng.randrange(1, 19)}0{rng.randrange(1, 5)}室"
    if place.kind == "building":
        address = f"{names.get(place.parent_id, '')}{place.name}{room}"
    elif place.kind == "estate":
        address = f"{place.name}{rng.randrange(1, 12)}号楼{room}"
    else:
        address = f"{community.name}{place.name}"
    lat = long = None
    if place.latitude is not None and place.longitude is not None:
        lat = Decimal(str(round(place.latitude + rng.uniform(-0.0008, 0.0008), 6)))
        long = Decimal(str(round(place.longitude + rng.uniform(-0.0008, 0.0008), 6)))
    case = Case(
        {
            "id": pk,
            "code": builder.code(),
            "category": category.pk,
            "channel": channel,
            "description": _pick(rng, DESCRIPTIONS, category),
            "attributes": builder.answers(questions),
            "address": address if channel in ("portal", "open311") or rng.random() < 0.5 else "",
            "lat": lat,
            "long": long,
            "media_url": "",
            "email": "",
            "external_account": "",
            "resident": resident[0] if resident else None,
            "contact_name": contact,
            "phone": phone,
            "phone_last4": phone[-4:],
            "organization": committee.pk,
            "responsible_path": committee.path,
            "tier_name": "",
            "accepted_at": None,
            "warn_at": None,
            "deadline": None,
            "warned_at": None,
            "escalated_at": None,
            "resolved_at": None,
            "closed_at": None,
            "status_notes": "",
            "return_reason": "",
            "rating": None,
            "rating_comment": "",
            "reopened_count": 0,
            "node": place.pk,
            "path": place.path,
            "created": created,
            "updated": created,
        },
        category_name=category.name,
        target=target,
    )
    row, org, by = case.row, committee.pk, committee.name
    label = str(Channel(channel).label)
    case.step("submitted", created, _("Filed through: %(channel)s") % {"channel": label}, by=label)
    text = _("Routed to %(org)s by the rule at %(node)s.") % {"org": committee.name, "node": community.name}
    case.note(EventKind.ROUTING, created, text, by=label, org=org)
    accepted = builder.office(builder.later(created, 5, 900 if channel in ("portal", "open311") else 120))
    if case.stops(accepted, now):
        return case.finish()
    tier = category.effective_tier()
    deadline = workdays.deadline_for(tier, accepted) if tier else accepted + timedelta(days=7)
    allowed = deadline - accepted
    row.update(accepted_at=accepted, deadline=deadline, tier_name=str(tier)[:80] if tier else "")
    row["warn_at"] = workdays.warning_for(tier, accepted, deadline) if tier else accepted + allowed * 0.8
    when = timezone.localtime(deadline).strftime("%Y-%m-%d %H:%M")
    case.step("accepted", accepted, _("Accepted; due by %(deadline)s.") % {"deadline": when}, by=by)
    urgent = tier is not None and tier.unit == "hours"

    def office(moment: datetime) -> datetime:
        return builder.office(moment, urgent)

    assigned = office(accepted + allowed * rng.uniform(0.01, 0.08))
    if case.stops(assigned, now):
        return watch(case, builder)
    wrong = (helpers.get("service_station") or [None])[0]
    if wrong is not None and (target == "returned" or (not target and rng.random() < RETURNED)):
        case.step("assigned", assigned, _("Assigned to %(org)s.") % {"org": wrong.name}, by=by, org=wrong.pk)
        returned = office(builder.later(assigned, 30, 240))
        if case.stops(returned, now):
            row.update(organization=wrong.pk, responsible_path=wrong.path)
            return watch(case, builder)
        reason = rng.choice(RETURN_REASONS)
        text = _("Returned by %(org)s: %(reason)s") % {"org": wrong.name, "reason": reason}
        case.step("returned", returned, text, public=False, by=wrong.name, org=wrong.pk)
        assigned = office(builder.later(returned, 30, 480))
        if case.stops(assigned, now):
            row.update(organization=None, responsible_path="", return_reason=reason)
            return watch(case, builder)
    case.step("assigned", assigned, _("Assigned to %(org)s.") % {"org": committee.name}, by=by, org=org)
    started = office(assigned + allowed * rng.uniform(0.02, 0.12))
    if case.stops(started, now):
        return watch(case, builder)
    case.step("in_progress", started, _("Work has started."), by=by, org=org)
    late = not target and rng.random() > ON_TIME
    resolved = accepted + allowed * (rng.uniform(1.05, 2.2) if late else rng.uniform(0.15, 0.95))
    resolved = office(max(resolved, started + timedelta(minutes=20)))
    subtask(case, builder, category, helpers, started, resolved, deadline, by)
    if case.stops(resolved, now):
        return watch(case, builder)
    satisfied = resolve(case, builder, category, resolved, by, org)
    if satisfied is not False:
        return close(case, builder, by)
    # Unsatisfied: reopened once, handled again, rated again.
    rated = row["updated"]
    row.update(reopened_count=1, resolved_at=None)
    case.step("reopened", rated, _("Reopened: the resident is not satisfied."), by=_("resident"), org=org)
    again = office(builder.later(rated, 30, 600))
    if case.stops(again, now):
        return watch(case, builder)
    case.step("in_progress", again, _("Work has started."), by=by, org=org)
    resolved = office(again + allowed * rng.uniform(0.2, 0.9))
    if case.stops(resolved, now):
        return watch(case, builder)
    resolve(case, builder, category, resolved, by, org, second=True)
    return close(case, builder, by)


def resolve(
    case: Case, builder: RequestBuilder, category: Any, at: datetime, by: str, org: int, second: bool = False
) -> bool | None:
    """Resolved at *at*, then perhaps rated: True satisfied (rated), False not (a first rating of 1–2:
    the caller reopens it), None not rated (yet)."""
    from .models import UNSATISFIED_MAX, EventKind

    rng = builder.rng
    case.row["resolved_at"] = at
    case.step("resolved", at, _pick(rng, RESOLUTIONS, category), by=by, org=org)
    rates = case.target in ("rated", "reopened") or (case.target != "resolved" and rng.random() < RATED)
    rated = builder.later(at, 30, 3 * 24 * 60)
    if not rates or rated > builder.now:
        return None
    if second or case.target in ("rated", "closed"):
        rating = rng.choice((3, 4, 5, 5))
    else:
        rating = 1 if case.target == "reopened" else rng.choice(RATINGS)
    comment = rng.choice(("处理很及时，谢谢！", "满意", "师傅很负责", "")) if rating >= 4 else ""
    if rating <= UNSATISFIED_MAX:
        comment = rng.choice(("问题没有彻底解决。", "等了太久，也没人回电话。"))
    case.row.update(rating=rating, rating_comment=comment)
    text = (_("Rated %(rating)d of 5. %(comment)s") % {"rating": rating, "comment": comment}).strip()
    case.note(EventKind.RATING, rated, text, public=True, by=_("resident"))
    if rating <= UNSATISFIED_MAX and not second:
        return False
    case.step("rated", rated, "", public=False, by=_("resident"))
    return True


def close(case: Case, builder: RequestBuilder, by: str) -> Case:
    """Closed some days after the rating (or, unrated, after a week)."""
    last = case.row["updated"]
    closing = builder.later(last, 60, 5 * 24 * 60) if case.status == "rated" else last + timedelta(days=7)
    closing = builder.office(closing)
    if case.status in ("rated", "resolved") and not case.stops(closing, builder.now):
        case.row["closed_at"] = closing
        case.step("closed", closing, _("Closed."), by=by)
    return case.finish()


def subtask(
    case: Case,
    builder: RequestBuilder,
    category: Any,
    helpers: dict[str, list[Any]],
    started: datetime,
    resolved: datetime,
    deadline: datetime,
    by: str,
) -> None:
    """Perhaps part of the work for another organization of the community (mediators, the property
    company, the service station), reported done before the request is resolved."""
    from .models import EventKind, SubTaskStatus

    rng = builder.rng
    kind, instruction = SUBTASK_KINDS.get(category.parent.code if category.parent else "", SUBTASK_DEFAULT)
    others = helpers.get(kind) or helpers.get(SUBTASK_DEFAULT[0])
    if not others or rng.random() > SUBTASKS:
        return
    other = rng.choice(others)
    opened = started + (resolved - started) * 0.2
    if opened > builder.now:
        return
    text = _("Sub-task for %(org)s: %(what)s") % {"org": other.name, "what": instruction}
    case.note(EventKind.SUBTASK, opened, text, by=by, org=other.pk)
    done = opened + (resolved - opened) * 0.7
    finished = done <= builder.now
    result = "已完成，情况已反馈。" if finished else ""
    if finished:
        text = _("Sub-task done by %(org)s: %(result)s") % {"org": other.name, "result": result}
        case.note(EventKind.SUBTASK, done, text, by=other.name, org=other.pk)
    case.subtasks.append(
        {
            "request": case.row["id"],
            "node": case.row["node"],
            "path": case.row["path"],
            "organization": other.pk,
            "to_path": other.path,
            "instruction": instruction,
            "status": SubTaskStatus.DONE if finished else SubTaskStatus.OPEN,
            "result": result,
            "due": deadline,
            "done_at": done if finished else None,
            "created": opened,
            "updated": done if finished else opened,
        }
    )


def watch(case: Case, builder: RequestBuilder) -> Case:
    """An open request: warned once most of its time is used, escalated once overdue (as the deadline
    watch does)."""
    from .models import EventKind

    row, now = case.row, builder.now
    if row["warn_at"] is not None and row["warn_at"] <= now:
        row["warned_at"] = row["warn_at"]
    if row["deadline"] is not None and row["deadline"] < now:
        row["escalated_at"] = row["deadline"] + timedelta(minutes=5)
        row["warned_at"] = row["warned_at"] or row["escalated_at"]
        values = {
            "code": row["code"],
            "category": case.category_name,
            "deadline": timezone.localtime(row["deadline"]).strftime("%Y-%m-%d %H:%M"),
        }
        text = _("Request %(code)s (%(category)s) is overdue since %(deadline)s; escalated.") % values
        case.note(EventKind.ESCALATION, row["escalated_at"], text, by=_("deadline watch"))
    return case.finish()


def seed_services(city: Any, scale_name: str, seed: int) -> dict[str, int]:
    from shequ.core.importing import BulkInsert, advance_sequences
    from shequ.orgs.models import Organization, OrgKind
    from shequ.people.models import Resident
    from shequ.territory.models import Kind, Node

    from .actions.requests import category_attributes
    from .models import CaseEvent, RoutingRule, ServiceRequest, Status, SubTask
    from .pickers import fileable_categories

    install_standard_catalogue()
    rng = random.Random(seed)
    now = timezone.now()
    communities = list(Node.objects.within(city.path).filter(kind=Kind.COMMUNITY).order_by("path")[:COMMUNITIES])
    committees: dict[int, Organization] = {}
    for org in Organization.objects.filter(
        node__in=communities, kind=OrgKind.RESIDENTS_COMMITTEE, active=True
    ).order_by("-pk"):
        committees[org.node_id] = org  # the first one of each community wins
    rules = 0
    for community in communities:
        if community.pk in committees:
            _rule, created = RoutingRule.objects.get_or_create(
                node=community, category=None, defaults={"organization": committees[community.pk]}
            )
            rules += created
    categories = list(fileable_categories().select_related("parent", "tier", "parent__tier").order_by("pk"))
    if not categories or not committees or ServiceRequest.objects.exists():
        return {"routing rules": rules, "service requests": 0}
    questions = {c.pk: category_attributes(c) for c in categories}
    common = ("property", "sanitation", "water")
    weights = [
        0.5 if not c.is_public else 2.0 if (c.parent.code if c.parent else c.code) in common else 1.0
        for c in categories
    ]
    # Where requests are (grids, estates, buildings of each community) and who else may help.
    by_prefix = sorted(communities, key=lambda c: -len(c.path))

    def community_of(path: str) -> Any:
        return next((c for c in by_prefix if path.startswith(c.path)), None)

    names: dict[int, str] = {}
    places: dict[int, list[Any]] = {}
    kinds = [Kind.GRID, Kind.ESTATE, Kind.BUILDING]
    for node in (
        Node.objects.within(city.path)
        .filter(kind__in=kinds, retired=False)
        .only("id", "name", "path", "kind", "parent_id", "latitude", "longitude")
        .order_by("path")
    ):
        names[node.pk] = node.name
        home = community_of(node.path)
        if home is not None:
            places.setdefault(home.pk, []).append(node)
    helpers: dict[int, dict[str, list[Any]]] = {}
    helper_kinds = [OrgKind.SERVICE_STATION, OrgKind.PROPERTY_COMPANY, OrgKind.MEDIATION_COMMITTEE]
    for org in Organization.objects.within(city.path).filter(kind__in=helper_kinds, active=True).order_by("pk"):
        home = community_of(org.path)
        if home is not None:
            helpers.setdefault(home.pk, {}).setdefault(org.kind, []).append(org)
    inserter = BulkInsert(ServiceRequest, REQUEST_FIELDS)
    served = [c for c in communities if c.pk in committees]
    ids = iter(inserter.reserve_ids(PER_COMMUNITY * len(served)))
    builder = RequestBuilder(rng, now)
    rows: list[Any] = []
    events: list[Any] = []
    tasks: list[Any] = []
    # The first community (the demo login's) shows every state of the workflow at least once.
    targets = list(Status.values)
    for index, community in enumerate(served):
        residents = list(
            Resident.objects.within(community.path)
            .filter(archived=False)
            .exclude(phone="")
            .order_by("pk")
            .values_list("id", "name", "phone")[:40]
        )
        spots = places.get(community.pk) or [community]
        for n in range(PER_COMMUNITY):
            target = targets[n] if index == 0 and n < len(targets) else ""
            category = rng.choices(categories, weights)[0]
            case = build_case(
                builder,
                next(ids),
                category,
                questions[category.pk],
                community,
                rng.choice(spots),
                committees[community.pk],
                helpers.get(community.pk, {}),
                residents,
                names,
                target,
            )
            rows.append(tuple(case.row[name] for name in REQUEST_FIELDS))
            events.extend((case.row["id"], *event) for event in case.events)
            tasks.extend(tuple(task[name] for name in SUBTASK_FIELDS) for task in case.subtasks)
    inserter.insert(rows)
    BulkInsert(CaseEvent, EVENT_FIELDS).insert(events)
    BulkInsert(SubTask, SUBTASK_FIELDS).insert(tasks)
    advance_sequences(ServiceRequest, CaseEvent, SubTask)
    return {"routing rules": rules, "service requests": len(rows)}
