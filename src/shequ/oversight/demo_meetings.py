"""Demo supervision notes, joint meetings with action items and alliances' joint activities for ``shequ seed``
(small, deterministic): per property company of the first ones a note by each supervisor, one with its
follow-up open; per community of the first ones a joint meeting of its resident units whose first action item
is overdue; per alliance of the first ones a joint activity of its member units."""

from __future__ import annotations

from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from shequ.territory.models import Kind, Node

MAX_RECORDS = 4


def seed_meetings(city: Node, scale_name: str, seed: int) -> dict[str, int]:
    from shequ.orgs.models import Organization

    from .models import ActionItem, JointActivity, JointMeeting, SupervisionNote, Supervisor

    today = timezone.localdate()
    counts = {"supervision notes": 0, "joint meetings": 0, "joint activities": 0}
    with transaction.atomic():
        companies = (
            Organization.objects.filter(kind="property_company", active=True, path__startswith=city.path)
            .prefetch_related("estates")
            .order_by("path", "pk")[:MAX_RECORDS]
        )
        for company in companies:
            for estate in list(company.estates.all())[:1]:
                SupervisionNote.objects.create(
                    node=estate,
                    company=company,
                    supervisor=Supervisor.PARTY,
                    author="社区党委书记",
                    noted_on=today - timedelta(days=20),
                    finding="楼道杂物未及时清理，消防通道部分堵塞",
                    follow_up=True,
                )
                SupervisionNote.objects.create(
                    node=estate,
                    company=company,
                    supervisor=Supervisor.OWNERS,
                    author="业委会主任",
                    noted_on=today - timedelta(days=40),
                    finding="电梯年检按时完成，维保记录齐全",
                    follow_up=True,
                    follow_up_done_on=today - timedelta(days=30),
                )
                counts["supervision notes"] += 2
        communities = Node.objects.filter(kind=Kind.COMMUNITY, path__startswith=city.path).order_by("path")
        for community in communities[:MAX_RECORDS]:
            units = list(
                Organization.objects.filter(kind="resident_unit", active=True, path__startswith=community.path)[:3]
            )
            if not units:
                continue
            held = today - timedelta(days=45)
            meeting = JointMeeting.objects.create(
                node=community,
                held_on=held,
                place="社区党群服务中心",
                subject="区域化党建共建项目推进会",
                attendees="社区党委书记、各驻区单位联络员",
                minutes="通报上季度共建项目进展，听取各单位意见。",
                decisions="开放单位停车场夜间停车；联合开展敬老志愿服务。",
            )
            meeting.units.set(units)
            ActionItem.objects.create(
                meeting=meeting,
                node=community,
                unit=units[0],
                task="夜间向居民开放停车场",
                due_on=held + timedelta(days=30),
            )
            ActionItem.objects.create(
                meeting=meeting,
                node=community,
                unit=units[-1],
                person="联络员",
                task="组织职工敬老志愿服务",
                due_on=held + timedelta(days=20),
                done_on=held + timedelta(days=15),
            )
            counts["joint meetings"] += 1
        alliances = Organization.objects.filter(kind="alliance", active=True, path__startswith=city.path)
        for alliance in alliances.order_by("path", "pk")[:MAX_RECORDS]:
            activity = JointActivity.objects.create(
                alliance=alliance,
                node=alliance.node,
                held_on=date(today.year, 1, 1) + timedelta(days=min(60, (today - date(today.year, 1, 1)).days)),
                title="联合开展义诊和法律咨询",
                participants=80,
                description="成员单位派出医生、律师志愿者为居民服务。",
            )
            activity.units.set(list(alliance.members.all()[:3]))
            counts["joint activities"] += 1
    return counts
