"""Who is due for the next step of the pipeline, per branch: activists of a year, development targets,
probations ending (overdue when the end has passed without a decision)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from .models import DevelopmentRecord, MemberStatus, PartyMember, Stage
from .models.common import add_years

LOOKAHEAD_DAYS = 60


@dataclass
class DueItem:
    obj: Any
    step: str
    due_on: date | None
    overdue: bool
    url: str
    code: str = ""  # the step, for the API: activist, target, admit, probation


STEP_CODES = {Stage.APPLICANT: "activist", Stage.ACTIVIST: "target", Stage.TARGET: "admit"}


def next_step(record: DevelopmentRecord) -> tuple[str, date | None]:
    """The next step of a development record and the earliest date it may be taken."""
    if record.stage == Stage.APPLICANT:
        return str(_("designate as activist")), record.applied_on
    if record.stage == Stage.ACTIVIST and record.activist_on:
        return str(_("make a development target")), add_years(record.activist_on, 1)
    if record.stage == Stage.TARGET:
        return str(_("admit as probationary member")), record.target_on
    if record.stage == Stage.PROBATIONARY and record.member is not None:
        return str(_("convert to full member")), record.member.probation_ends
    return "", None


def due_list(user: Any, *, on: date | None = None, organization: int | None = None) -> dict[Any, list[DueItem]]:
    """Per organization, what is due by *on* + LOOKAHEAD_DAYS, oldest first."""
    on = on or timezone.localdate()
    horizon = on + timedelta(days=LOOKAHEAD_DAYS)
    records = DevelopmentRecord.objects.restrict(user, "view").filter(
        stage__in=(Stage.APPLICANT, Stage.ACTIVIST, Stage.TARGET)
    )
    members = PartyMember.objects.restrict(user, "view").filter(
        status=MemberStatus.PROBATIONARY, probation_ends__lte=horizon
    )
    if organization:
        records, members = records.filter(organization_id=organization), members.filter(organization_id=organization)
    groups: dict[Any, list[DueItem]] = {}
    for record in records.select_related("organization").order_by("path", "applied_on")[:2000]:
        step, due_on = next_step(record)
        if due_on is None or due_on > horizon:
            continue
        groups.setdefault(record.organization, []).append(
            DueItem(record, step, due_on, False, record.get_absolute_url(), STEP_CODES[Stage(record.stage)])
        )
    for member in members.select_related("organization").order_by("probation_ends")[:2000]:
        assert member.probation_ends is not None
        groups.setdefault(member.organization, []).append(
            DueItem(
                member,
                str(_("convert, extend or cancel the probation")),
                member.probation_ends,
                member.probation_ends < on,
                member.get_absolute_url(),
                "probation",
            )
        )
    for items in groups.values():
        items.sort(key=lambda i: i.due_on or on)
    return dict(sorted(groups.items(), key=lambda kv: (kv[0].path, kv[0].name)))
