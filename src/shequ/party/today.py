"""What awaits a party secretary today (``core.today``): transfers to approve or to accept, development steps
due and probations ended."""

from __future__ import annotations

from typing import Any

from django.http import QueryDict
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from shequ.accounts.scope import can
from shequ.core.today import Todo

from .filtersets import RelationTransferFilterSet
from .models import DevelopmentRecord, PartyMember, RelationTransfer, TransferStatus


class _Request:
    def __init__(self, user: Any) -> None:
        self.user = user


def _transfers(user: Any, box: str, status: str) -> Any:
    data = QueryDict(mutable=True)
    data.update({"box": box})
    data.setlist("status", [status])
    filterset = RelationTransferFilterSet(
        data, queryset=RelationTransfer.objects.restrict(user, "change"), request=_Request(user)
    )
    return filterset.qs if filterset.is_valid() else 0


def todo(user: Any) -> list[Todo]:
    items: list[Todo] = []
    transfers = reverse("party:relationtransfer_list")
    if can(user, RelationTransfer, "change"):
        items.append(
            Todo(
                "party.transfers_to_approve",
                _("Transfers to approve"),
                _transfers(user, "outbox", TransferStatus.REQUESTED),
                f"{transfers}?box=outbox&status={TransferStatus.REQUESTED}",
            )
        )
        items.append(
            Todo(
                "party.transfers_to_accept",
                _("Transfers to accept"),
                _transfers(user, "inbox", TransferStatus.APPROVED),
                f"{transfers}?box=inbox&status={TransferStatus.APPROVED}",
            )
        )
    if can(user, DevelopmentRecord, "change"):
        # The same queryset methods as the lists' ``due`` and ``probation_ended`` filters: count == rows.
        due = DevelopmentRecord.objects.restrict(user, "change").due()
        items.append(
            Todo(
                "party.development_due",
                _("Development steps due"),
                due,
                f"{reverse('party:developmentrecord_list')}?due=true",
            )
        )
    if can(user, PartyMember, "change"):
        probations = PartyMember.objects.restrict(user, "change").probation_ended()
        items.append(
            Todo(
                "party.probations_ended",
                _("Probations ended, awaiting a decision"),
                probations,
                f"{reverse('party:partymember_list')}?probation_ended=true",
                urgent=True,
            )
        )
    return items
