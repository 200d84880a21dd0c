"""Household links from spreadsheets (and back): the member by name and identity number, the household by its
number (or the head's identity number)."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shequ.core.exceptions import ActionError
from shequ.core.importing import Column, Importer, ImportResult, Row, RowError, date_cell
from shequ.volunteers.importers import ID_NUMBER, NAME, PeopleMixin

from . import actions
from .forms import households_for, members_for
from .models import HouseholdLink


class LinkImporter(PeopleMixin, Importer):
    model = HouseholdLink
    sheet_name = "household links"
    columns = [
        Column(
            NAME.key,
            "委员姓名",
            ("姓名", "两委成员", "成员姓名", "name"),
            required=True,
            example="张三",
            meaning=gettext_lazy("The member of the two committees, by name."),
        ),
        Column(
            ID_NUMBER.key,
            "委员身份证号",
            ("身份证号", *ID_NUMBER.synonyms),
            required=True,
            parse=ID_NUMBER.parse,
            example=ID_NUMBER.example,
            meaning=ID_NUMBER.meaning,
        ),
        Column(
            "household",
            "户编号",
            ("户号", "家庭编号", "household"),
            required=True,
            example="000000123",
            meaning=gettext_lazy("The number of the household they answer for, in their community."),
        ),
        Column(
            "started_on",
            "联系开始日期",
            ("开始日期", "联系日期", "started"),
            parse=date_cell,
            example="2024-01-01",
            meaning=gettext_lazy("From when (default: today)."),
        ),
        Column(
            "ended_on",
            "联系结束日期",
            ("结束日期", "ended"),
            parse=date_cell,
            meaning=gettext_lazy("Until when (empty while the link holds)."),
        ),
    ]

    def sample(self) -> dict[str, Any]:
        """A committee member of the user's area and a household of their community they do not answer for yet."""
        from shequ.territory import samples
        from shequ.volunteers.importers import person_sample

        row = super().sample()
        member = members_for(self.user).select_related("node").order_by("path", "pk").first()
        if member is not None:
            community = samples.community_of(member.node)
            households = households_for(self.user, "add", HouseholdLink).exclude(number="")
            if community is not None:
                households = households.filter(path__startswith=community.path)
            household = households.exclude(links__member=member).order_by("path", "pk").first()
            row.update(person_sample(member), household=household.number if household is not None else "")
            row["started_on"] = timezone.localdate().isoformat()
        return row

    def validate(self, rows: list[Row]) -> None:
        self.people(rows)
        members = members_for(self.user)
        households = households_for(self.user, "add", HouseholdLink)
        seen: dict[tuple[int, int], int] = {}
        for row in rows:
            try:
                v = row.values
                member = self.resident(row)
                if not members.filter(pk=member.pk).exists():
                    raise RowError(
                        _("%(name)s is not a member of the two committees in your area.") % {"name": member.name},
                        code="not_committee_member",
                    )
                found = list(households.filter(number=v["household"]).select_related("node")[:2])
                if len(found) != 1:
                    raise RowError(
                        _("No household numbered “%(number)s” in your area.") % {"number": v["household"]},
                        code="no_household",
                    )
                household = found[0]
                started = v.get("started_on") or timezone.localdate()
                if started > timezone.localdate():
                    raise RowError(_("A link cannot start in the future."), code="date_in_future")
                if v.get("ended_on") and v["ended_on"] < started:
                    raise RowError(_("A link cannot end before it starts."), code="invalid_dates")
                key = (member.pk, household.pk)
                if key in seen:
                    raise RowError(_("The same link as row %(row)d.") % {"row": seen[key]}, code="duplicate")
                seen[key] = row.number
                existing = HouseholdLink.objects.filter(
                    member=member, household=household, ended_on__isnull=True
                ).first()
                if existing is None and v.get("started_on"):
                    existing = HouseholdLink.objects.filter(
                        member=member, household=household, started_on=v["started_on"]
                    ).first()
                row.cleaned = (member, household, existing)
            except RowError as exc:
                row.reject(exc, exc.code)

    def preview(self, rows: list[Row], result: ImportResult) -> None:
        for row in rows:
            existing = row.cleaned[2]
            result.count(existing, lambda e, r: bool(r.values.get("ended_on")) and e.ended_on is None, existing, row)

    def apply(self, rows: list[Row], result: ImportResult) -> None:
        for row in rows:
            member, household, existing = row.cleaned
            v = row.values
            try:
                if existing is None:
                    link = actions.do_link(
                        acting_user=self.user,
                        member=member,
                        household=household,
                        started_on=v.get("started_on"),
                        import_job=self.job,
                    )
                    if v.get("ended_on"):
                        actions.do_unlink(link, acting_user=self.user, ended_on=v["ended_on"])
                    result.created += 1
                elif v.get("ended_on") and existing.ended_on is None:
                    actions.do_unlink(existing, acting_user=self.user, ended_on=v["ended_on"])
                    result.updated += 1
                else:
                    result.unchanged += 1
            except ActionError as exc:
                row.reject("；".join(exc.messages), exc.code or "invalid")


def link_export_columns(show_id_numbers: bool) -> list[tuple[str, Any]]:
    def ident(link: HouseholdLink) -> str:
        return (link.member.id_number or "") if show_id_numbers else link.member.id_masked

    return [
        ("委员姓名", lambda link: link.member.name),
        ("委员身份证号", ident),
        ("户编号", lambda link: link.household.number),
        ("联系开始日期", lambda link: link.started_on),
        ("联系结束日期", lambda link: link.ended_on),
        ("户", lambda link: str(link.household)),
    ]
