"""Services test data on top of the framework's World: organizations, workers, rules, requests."""

from __future__ import annotations

from typing import Any

from shequ.core.testing import World
from shequ.orgs.models import Organization, OrgKind
from shequ.services import actions
from shequ.services.models import RoutingRule, ServiceCategory, ServiceRequest


def org(node: Any, kind: str, name: str) -> Organization:
    obj = Organization(node=node, kind=kind, name=name)
    obj.full_clean()
    obj.save()
    return obj


def category(code: str) -> ServiceCategory:
    return ServiceCategory.objects.select_related("parent", "tier", "parent__tier").get(code=code)


class ServicesTree:
    """Residents' committees in both communities, a water company at the district, community workers,
    and a rule per community sending everything to its residents' committee."""

    def __init__(self, world: World) -> None:
        self.world = world
        self.committee_a = org(world.community_a, OrgKind.RESIDENTS_COMMITTEE, "和平社区居委会")
        self.committee_b = org(world.community_b, OrgKind.RESIDENTS_COMMITTEE, "胜利社区居委会")
        self.station_a = org(world.community_a, OrgKind.SERVICE_STATION, "和平社区服务站")
        self.water = org(world.district, OrgKind.OTHER, "东区自来水公司")
        self.worker_a = world.user("worker_a", "community_worker", world.community_a)
        self.worker_b = world.user("worker_b", "community_worker", world.community_b)
        self.district_officer = world.user("district_officer", "district_officer", world.district)
        for node, committee in ((world.community_a, self.committee_a), (world.community_b, self.committee_b)):
            RoutingRule.objects.create(node=node, category=None, organization=committee)


def file(world: World, node: Any = None, code: str = "property-fees", **kw: Any) -> ServiceRequest:
    kw.setdefault("acting_user", world.admin)
    kw.setdefault("contact_name", "张先生")
    kw.setdefault("phone", "13912345678")
    kw.setdefault("description", "物业费收取不合理")
    return actions.do_file_request(category=category(code), node=node or world.community_a, **kw)
