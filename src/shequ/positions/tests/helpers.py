from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.utils import timezone

from shequ.positions import actions
from shequ.positions.models import Book, EntryKind, Facility, FacilityKind, FundAccount, LedgerEntry
from shequ.territory.models import Kind, Node

# The World's communities get a 0.02° square around a point, so that "inside the bounds" means something.
A = (30.50, 114.30)
B = (30.60, 114.50)


def square(lat: float, lng: float, half: float = 0.01) -> dict[str, Any]:
    return {
        "type": "Polygon",
        "coordinates": [
            [
                [lng - half, lat - half],
                [lng + half, lat - half],
                [lng + half, lat + half],
                [lng - half, lat + half],
                [lng - half, lat - half],
            ]
        ],
    }


def place_communities(world: Any) -> None:
    for node, (lat, lng) in ((world.community_a, A), (world.community_b, B)):
        Node.objects.filter(pk=node.pk).update(latitude=lat, longitude=lng, boundary=square(lat, lng))
        node.refresh_from_db()


def community_in(world: Any, node: Node) -> Node:
    """The World's community at or under *node* (a street, or the community itself)."""
    if node.kind == Kind.COMMUNITY:
        return node
    return world.community_a if node.path.startswith(world.street_a.path) else world.community_b


def facility(
    world: Any,
    node: Node,
    kind: str = FacilityKind.SERVICE_CENTRE,
    area: str = "320",
    offset: tuple[float, float] = (0.0, 0.0),
    **extra: Any,
) -> Facility:
    community = community_in(world, node)
    lat = community.latitude if community.latitude is not None else A[0]
    lng = community.longitude if community.longitude is not None else A[1]
    obj = Facility(
        node=community,
        kind=kind,
        name=extra.pop("name", f"{community.name}{kind}"),
        area=Decimal(area),
        latitude=round(lat + offset[0], 6),
        longitude=round(lng + offset[1], 6),
        rooms=extra.pop("rooms", ["office", "party"]),
        **extra,
    )
    return actions.do_save_facility(obj, acting_user=world.admin)


def account(world: Any, node: Node) -> FundAccount:
    community = community_in(world, node)
    found = FundAccount.objects.filter(node=community).first()
    if found:
        return found
    return actions.do_open_account(
        acting_user=world.admin, node=community, bank="示范银行", number="6222020200012345678"
    )


def entry(
    world: Any,
    node: Node,
    amount: str = "60000",
    kind: str = EntryKind.ALLOCATION,
    book: str = Book.WORK,
    category: str | None = None,
    approve: bool = False,
    on: date | None = None,
) -> LedgerEntry:
    acct = account(world, node)
    category = category or (
        "city" if kind == EntryKind.ALLOCATION else ("heating" if book == Book.UPKEEP else "office")
    )
    made = actions.do_record_entry(
        acting_user=world.admin,
        account=acct,
        book=book,
        kind=kind,
        category=category,
        amount=Decimal(amount),
        occurred_on=on or timezone.localdate(),
        voucher="记-001",
    )
    if approve:
        made = actions.do_approve_entry(made, acting_user=world.admin)
    return made
