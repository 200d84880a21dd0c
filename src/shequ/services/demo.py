"""`shequ seed`: the standard catalogue, a routing rule per community and a few requests of the demo city."""

from __future__ import annotations

import random
from typing import Any

from .catalogue import install_standard_catalogue


def seed_services(city: Any, scale_name: str, seed: int) -> dict[str, int]:
    from shequ.accounts.models import User
    from shequ.orgs.models import Organization, OrgKind
    from shequ.territory.models import Kind, Node

    from . import actions
    from .models import Channel, RoutingRule, ServiceCategory

    install_standard_catalogue()
    rng = random.Random(seed)
    admin = User.objects.filter(is_superuser=True).order_by("pk").first()
    communities = list(Node.objects.within(city.path).filter(kind=Kind.COMMUNITY).order_by("path")[:50])
    leaves = list(ServiceCategory.objects.filter(parent__isnull=False, active=True))
    rules = requests = 0
    for community in communities:
        committee = Organization.objects.filter(node=community, kind=OrgKind.RESIDENTS_COMMITTEE, active=True).first()
        if committee is None:
            continue
        _rule, created = RoutingRule.objects.get_or_create(
            node=community, category=None, defaults={"organization": committee}
        )
        rules += created
        if admin is None or not leaves:
            continue
        for _i in range(3):
            category = rng.choice(leaves)
            answers = {}
            for attr in category.attributes.all():
                if attr.required:
                    answers[attr.code] = attr.choice_keys()[0] if attr.values else "1号楼"
            actions.do_file_request(
                acting_user=admin,
                category=category,
                node=community,
                description=f"{category.name}：请尽快处理。",
                channel=rng.choice([Channel.WINDOW, Channel.HOTLINE, Channel.GRID]),
                contact_name=rng.choice(["张先生", "李女士", "王阿姨", "赵师傅"]),
                phone=f"139{rng.randrange(10**8):08d}",
                attributes=answers,
                accept=True,
            )
            requests += 1
    return {"routing rules": rules, "service requests": requests}
