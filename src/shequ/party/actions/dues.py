"""Recording dues payments: the amount due is computed from the archive unless given."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from shequ.core.actions import acting_as, ensure_in_scope
from shequ.core.exceptions import ActionError
from shequ.core.indicators import mark_dirty
from shequ.party.dues import monthly_dues
from shequ.party.indicators import DUES_PAID_UP
from shequ.party.models import DuesPayment, MemberStatus, PartyMember

from .common import locked, not_future, save_unique, today


def month_start(day: date) -> date:
    return day.replace(day=1)


def do_record_dues(
    member: PartyMember,
    *,
    acting_user: Any,
    month: date,
    paid_on: date | None = None,
    amount: Any = None,
) -> DuesPayment:
    """One month's dues of *member*; at least the amount due (a member may pay more, never less)."""
    paid_on = paid_on or today()
    month = month_start(month)
    with acting_as(acting_user), transaction.atomic():
        current: PartyMember = locked(PartyMember, acting_user, member.pk, "change", "organization")
        if current.status not in (MemberStatus.PROBATIONARY, MemberStatus.FULL):
            raise ActionError(
                _("%(name)s is %(status)s and pays no dues here.")
                % {"name": current.name, "status": current.get_status_display()},
                code="not_active",
            )
        not_future(paid_on, _("The date of payment"))
        if month < month_start(current.joined_on):
            raise ActionError(_("Dues are paid from the month of joining."), code="invalid_month")
        if month > month_start(today()).replace(year=today().year + 1):
            raise ActionError(_("Dues can be paid at most a year ahead."), code="invalid_month")
        due = monthly_dues(current.category, current.dues_base, current.basic_allowance)
        paid = due if amount in (None, "") else Decimal(str(amount)).quantize(Decimal("0.01"))
        if paid < due:
            raise ActionError(
                _("The dues of %(month)s are %(due)s yuan; %(paid)s yuan is less.")
                % {"month": month.strftime("%Y-%m"), "due": due, "paid": paid},
                code="dues_too_low",
            )
        payment = DuesPayment(
            member=current,
            node=current.node,
            month=month,
            base=current.dues_base,
            amount=paid,
            paid_on=paid_on,
            recorded_by=acting_user if getattr(acting_user, "is_authenticated", False) else None,
        )
        save_unique(
            payment,
            _("The dues of %(month)s are recorded already.") % {"month": month.strftime("%Y-%m")},
            "already_paid",
        )
        ensure_in_scope(payment, acting_user, "add")
        mark_dirty(DUES_PAID_UP, current.node)
    return payment
