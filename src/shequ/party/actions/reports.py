"""On-the-job members reporting to their home community; activities with hours; the yearly selection."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from shequ.accounts.scope import can
from shequ.core.actions import acting_as, ensure_in_scope
from shequ.core.exceptions import ActionError, NotFound
from shequ.core.indicators import mark_dirty
from shequ.orgs.models import Organization, OrgKind
from shequ.party.indicators import REPORTING
from shequ.party.models import Category, CommunityReport, EventKind, OutstandingSelection, PartyMember, ReportActivity
from shequ.party.models.members import ACTIVE_STATUSES
from shequ.people.fields import id_hash_of
from shequ.people.identity import normalize_id
from shequ.territory.models import Kind as NodeKind
from shequ.territory.models import Node

from .common import add_event, locked, not_future, pk_of, save_unique, today

BRANCH_KINDS = (OrgKind.BRANCH, OrgKind.GENERAL_BRANCH, OrgKind.COMMUNITY_COMMITTEE)


def find_reporting_member(user: Any, *, member: Any = None, id_number: str = "") -> PartyMember:
    """The member who reports: one the user may see, or anyone on the platform found by the full identity
    number they show at the community office (a mask or a partial number finds nothing)."""
    if member not in (None, ""):
        found = PartyMember.objects.restrict(user, "view").filter(pk=pk_of(member)).first()
    else:
        number = normalize_id(id_number)
        found = PartyMember.objects.filter(id_hash=id_hash_of(number)).first() if len(number) == 18 else None
    if found is None:
        raise NotFound()
    return found


def do_register_report(
    *,
    acting_user: Any,
    member: PartyMember,
    community: Node | int,
    branch: Organization | int | None = None,
    registered_on: date | None = None,
    notes: str = "",
) -> CommunityReport:
    """Register an on-the-job member with the community where they live, in its residential-area branch."""
    registered_on = registered_on or today()
    with acting_as(acting_user), transaction.atomic():
        place = Node.objects.filter(pk=pk_of(community), retired=False).first()
        if place is None or not can(acting_user, CommunityReport, "add", place.path):
            raise NotFound()
        if place.kind != NodeKind.COMMUNITY:
            raise ActionError(_("Members report to a community."), code="invalid_node")
        current = PartyMember.objects.select_for_update(of=("self",)).get(pk=member.pk)
        if current.status not in ACTIVE_STATUSES:
            raise ActionError(
                _("%(name)s is %(status)s.") % {"name": current.name, "status": current.get_status_display()},
                code="not_active",
            )
        if current.category != Category.ON_THE_JOB:
            raise ActionError(
                _("Only on-the-job members report to their home community; %(name)s is %(category)s.")
                % {"name": current.name, "category": current.get_category_display()},
                code="not_on_the_job",
            )
        not_future(registered_on, _("The date"))
        group = None
        if branch not in (None, ""):
            group = Organization.objects.filter(pk=pk_of(branch), active=True).select_related("node").first()
            if group is None or group.kind not in BRANCH_KINDS or not group.path.startswith(place.path):
                raise ActionError(
                    _("Choose a party branch of the community “%(place)s”.") % {"place": place.name},
                    code="invalid_branch",
                )
        if CommunityReport.objects.filter(member=current, ended_on__isnull=True).exists():
            raise ActionError(
                _("%(name)s has reported to a community already; end that first.") % {"name": current.name},
                code="already_reported",
            )
        report = CommunityReport(member=current, node=place, branch=group, registered_on=registered_on, notes=notes)
        save_unique(report, _("This member has reported to a community already."), "already_reported")
        ensure_in_scope(report, acting_user, "add")
        mark_dirty(REPORTING, place)
        add_event(
            current,
            EventKind.REPORT,
            registered_on,
            _("Reported to the community %(place)s") % {"place": place.name}
            + (f" · {group.name}" if group is not None else ""),
            user=acting_user,
        )
    return report


def do_end_report(report: CommunityReport, *, acting_user: Any, on: date | None = None) -> CommunityReport:
    on = on or today()
    with acting_as(acting_user), transaction.atomic():
        current: CommunityReport = locked(CommunityReport, acting_user, report.pk, "change")
        if current.ended_on is not None:
            raise ActionError(_("This report has ended already."), code="ended")
        if on < current.registered_on:
            raise ActionError(_("A report cannot end before it starts."), code="invalid_date")
        current.ended_on = on
        current.save()
        mark_dirty(REPORTING, current.node)
    return current


def _hours(value: Any) -> Decimal:
    try:
        hours = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise ActionError(_("Enter the hours as a number."), code="invalid_hours") from None
    if not Decimal("0") < hours <= Decimal("24"):
        raise ActionError(_("The hours of one activity are more than 0 and at most 24."), code="invalid_hours")
    return hours.quantize(Decimal("0.1"))


def do_record_activity(
    report: CommunityReport, *, acting_user: Any, on: date, title: str, hours: Any
) -> ReportActivity:
    if not (title or "").strip():
        raise ActionError(_("Name the activity."), code="required")
    amount = _hours(hours)
    with acting_as(acting_user), transaction.atomic():
        current: CommunityReport = locked(CommunityReport, acting_user, report.pk, "change")
        not_future(on, _("The date"))
        if on < current.registered_on or (current.ended_on is not None and on > current.ended_on):
            raise ActionError(_("The activity falls outside the period of the report."), code="invalid_date")
        return ReportActivity.objects.create(
            report=current,
            on=on,
            title=title.strip()[:200],
            hours=amount,
            recorded_by=acting_user if getattr(acting_user, "is_authenticated", False) else None,
        )


def do_select_outstanding(
    report: CommunityReport, *, acting_user: Any, year: int, citation: str = ""
) -> OutstandingSelection:
    """The community selects an outstanding on-the-job member of *year* (once a year each)."""
    with acting_as(acting_user), transaction.atomic():
        current: CommunityReport = locked(CommunityReport, acting_user, report.pk, "change", "member")
        if not current.registered_on.year <= int(year) <= today().year:
            raise ActionError(_("The member had not reported to the community in that year."), code="invalid_year")
        if current.ended_on is not None and current.ended_on.year < int(year):
            raise ActionError(_("The member had not reported to the community in that year."), code="invalid_year")
        selection = OutstandingSelection(report=current, year=int(year), citation=citation.strip()[:200])
        save_unique(selection, _("Already selected for that year."), "already_selected")
        add_event(
            current.member,
            EventKind.HONOUR,
            today(),
            _("Outstanding on-the-job member of %(year)d (%(place)s)")
            % {"year": int(year), "place": current.node.name},
            details=selection.citation,
            user=acting_user,
        )
    return selection
