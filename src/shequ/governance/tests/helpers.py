"""Test data of the governance app: a community per street, decisions brought to any state, the access list."""

from __future__ import annotations

import itertools
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from shequ.governance import actions
from shequ.governance.models import (
    AccessItem,
    AccessList,
    Decision,
    DecisionKind,
    DecisionStatus,
    ListStatus,
    Stage,
)
from shequ.territory.actions import do_create_node
from shequ.territory.models import Kind, Node

_serial = itertools.count(1)


def community(world: Any, node: Node) -> Node:
    """The world's community of *node*'s street (*node* may be the community itself)."""
    if node.kind == Kind.COMMUNITY:
        return node
    return world.community_a if node.path.startswith(world.street_a.path) else world.community_b


def new_community(world: Any, node: Node) -> Node:
    street = world.street_a if node.path.startswith(world.street_a.path) else world.street_b
    n = next(_serial)
    return do_create_node(acting_user=world.admin, parent=street, kind=Kind.COMMUNITY, name=f"新建社区{n}")


def meeting(
    held_on: Any = None,
    *,
    entitled: int = 10,
    present: int = 8,
    votes: tuple[int, int, int] = (6, 1, 1),
    resolution: str = "同意实施。",
) -> dict[str, Any]:
    return {
        "held_on": held_on or timezone.localdate() - timedelta(days=1),
        "entitled": entitled,
        "present": present,
        "votes_for": votes[0],
        "votes_against": votes[1],
        "votes_abstaining": votes[2],
        "minutes": "会议记录：与会人员一致认为应当实施。",
        "attendees": "王书记、李主任",
        "resolution": resolution,
    }


ORDER = [Stage.PROPOSAL, Stage.DISCUSSION, Stage.REVIEW, Stage.RESOLUTION]
REACHED: dict[str, int] = {
    DecisionStatus.DRAFT: 0,
    DecisionStatus.PROPOSED: 1,
    DecisionStatus.DISCUSSED: 2,
    DecisionStatus.REVIEWED: 3,
    DecisionStatus.DECIDED: 4,
}


def make_decision(world: Any, node: Node, state: str = DecisionStatus.DRAFT, title: str = "") -> Decision:
    if state == DecisionStatus.RETURNED:
        proposed = make_decision(world, node, DecisionStatus.PROPOSED, title)
        return actions.do_send_back(proposed, acting_user=world.admin, reason="需补充预算")
    if state == DecisionStatus.DONE:
        decided = make_decision(world, node, DecisionStatus.DECIDED, title)
        return actions.do_publish_result(decided, acting_user=world.admin, result="已完成。")
    place = community(world, node)
    decision = actions.do_create_decision(
        acting_user=world.admin,
        node=place,
        title=title or f"{place.name}健身器材更新{next(_serial)}",
        kind=DecisionKind.FUNDS,
        amount=Decimal("36000"),
        description="更新社区广场健身器材。",
    )
    if state == DecisionStatus.WITHDRAWN:
        return actions.do_withdraw(decision, acting_user=world.admin, reason="不再需要")
    for stage in ORDER[: REACHED[state]]:
        decision = actions.do_hold_meeting(decision, acting_user=world.admin, stage=stage, **meeting())
    return decision


def png(name: str = "minutes.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"\x89PNG\r\n\x1a\n" + b"\0" * 64, content_type="image/png")


def access_list(world: Any, items: list[tuple[str, str]] | None = None) -> AccessList:
    """The district's list in force with *items* (matter, department)."""
    found = AccessList.objects.filter(node=world.district, status=ListStatus.IN_FORCE).first()
    if found is None:
        found = actions.do_new_access_list(acting_user=world.admin, node=world.district, reference="东区准入清单")
        AccessItem.objects.create(
            access_list=found,
            matter="退役军人服务",
            legal_basis="《退役军人保障法》",
            department="区退役军人事务局",
            funds_per_year=Decimal("15000"),
        )
        actions.do_put_in_force(found, acting_user=world.admin)
    for matter, department in items or []:
        AccessItem.objects.get_or_create(
            access_list=found,
            matter=matter,
            department=department,
            defaults={"legal_basis": "《条例》", "funds_per_year": Decimal("10000")},
        )
    return found
