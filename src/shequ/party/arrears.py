"""Dues arrears per branch: the members with months of the year unpaid, and how much that makes.

A page of the members in scope (or of one organization) in the order of the list index, with a capped
count, and their payments of the year by the (member, month) key: the work of a page does not grow with
the city.  The arrears page and ``GET /api/v1/party/arrears`` both read ``arrears``."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.utils import timezone

from shequ.core.exceptions import ActionError, NotFound
from shequ.orgs.models import Organization

from .dues import monthly_dues
from .models import DuesPayment, PartyMember
from .models.members import ACTIVE_STATUSES

ARREARS_PAGE = 200  # members looked at per page


def months_due(joined: date, year: int, today: date) -> list[date]:
    """The months of *year* a member owes by *today*: from the month of joining, up to the month before
    this one (this month's dues may still be paid this month); every month of a past year, December too."""
    first = max(date(year, 1, 1), joined.replace(day=1))
    last = date(year + 1, 1, 1) if year < today.year else today.replace(day=1)
    months, current = [], first
    while current < last:
        months.append(current)
        current = date(current.year + (current.month // 12), current.month % 12 + 1, 1)
    return months


@dataclass
class ArrearsRow:
    member: PartyMember
    months: list[date]
    amount: Decimal | None  # None: the income needed to compute the dues is not recorded


@dataclass
class Arrears:
    year: int
    page: Any
    paginator: Any
    organization: Organization | None
    groups: dict[Organization, list[ArrearsRow]] = field(default_factory=dict)

    @property
    def in_arrears(self) -> int:
        return sum(len(rows) for rows in self.groups.values())


def arrears(
    user: Any,
    *,
    year: int | None = None,
    organization: int | None = None,
    page: Any = None,
    today: date | None = None,
) -> Arrears:
    """One page of the arrears of the members *user* may view (of one *organization* in scope, else 404)."""
    from shequ.core.pagination import CappedPaginator

    today = today or timezone.localdate()
    year = min(max(year or today.year, 1990), today.year)
    members = PartyMember.objects.restrict(user, "view").filter(status__in=ACTIVE_STATUSES)
    org = None
    if organization is not None:
        org = Organization.objects.restrict(user, "view", perm_model=PartyMember).filter(pk=organization).first()
        if org is None:
            raise NotFound()
        # One organization's members sit at one place: by its (organization, status) index, then by name.
        ordered = members.filter(organization_id=org.pk).order_by("name", "id")
    else:
        ordered = members.order_by("path", "name", "id")  # the list index
    ordered = ordered.only(
        "id", "name", "path", "organization", "joined_on", "category", "dues_base", "basic_allowance"
    )
    paginator = CappedPaginator(ordered, ARREARS_PAGE)
    current = paginator.get_page(page)
    chunk = list(current.object_list)
    orgs = Organization.objects.in_bulk({m.organization_id for m in chunk})
    paid: dict[int, set[date]] = defaultdict(set)
    months_of_year = [date(year, month, 1) for month in range(1, 13)]
    for member_id, month in DuesPayment.objects.filter(
        member_id__in=[m.pk for m in chunk], month__in=months_of_year
    ).values_list("member_id", "month"):
        paid[member_id].add(month)
    result = Arrears(year=year, page=current, paginator=paginator, organization=org)
    for m in chunk:
        owed = [mo for mo in months_due(m.joined_on, year, today) if mo not in paid[m.pk]]
        if not owed:
            continue
        try:
            amount: Decimal | None = monthly_dues(m.category, m.dues_base, m.basic_allowance) * len(owed)
        except ActionError:
            amount = None
        result.groups.setdefault(orgs[m.organization_id], []).append(ArrearsRow(m, owed, amount))
    return result
