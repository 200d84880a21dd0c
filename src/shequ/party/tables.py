from __future__ import annotations

from functools import cached_property
from typing import Any

import django_tables2 as tables
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from shequ.core.tables import BaseTable
from shequ.people.models import Gender

from .models import (
    Category,
    CommunityReport,
    DevelopmentRecord,
    DuesPayment,
    MemberStatus,
    PartyMember,
    RelationTransfer,
)
from .privacy import shown_id_number


class PartyMemberTable(BaseTable):
    name = tables.Column(linkify=True, verbose_name=pgettext_lazy("person", "Name"))
    id_number = tables.Column(verbose_name=_("Identity number"), accessor="id_masked", orderable=False)
    gender = tables.Column(verbose_name=_("Gender"))
    # By place, then name: the order of the index ``party_member_list``, so that a page of a street or of
    # the whole city is a walk of the first rows of the index, and the capped count one of 10,000 entries.
    organization = tables.Column(verbose_name=_("Party organization"), order_by=("path", "name", "id"))
    status = tables.Column(verbose_name=_("Status"))
    category = tables.Column(verbose_name=_("Category"))
    joined_on = tables.DateColumn(verbose_name=_("Joined"), format="Y-m-d")

    class Meta(BaseTable.Meta):
        model = PartyMember
        fields = ("name", "id_number", "gender", "organization", "status", "category", "joined_on")
        order_by = ("organization",)

    def render_id_number(self, record: PartyMember) -> str:
        if "id_number" in record.get_deferred_fields():  # not read at all: the user sees masks only
            return record.id_masked
        return shown_id_number(getattr(self, "request", None) and self.request.user, record)

    def render_organization(self, record: PartyMember) -> str:
        return record.organization.name

    # The choices' labels looked up once a page, not through get_FOO_display for every cell.
    @cached_property
    def _labels(self) -> dict[str, dict[str, str]]:
        choices = {"gender": Gender.choices, "status": MemberStatus.choices, "category": Category.choices}
        return {name: {str(value): str(label) for value, label in pairs} for name, pairs in choices.items()}

    def render_gender(self, value: str) -> str:
        return self._labels["gender"].get(value, value)

    def render_status(self, value: str) -> str:
        return self._labels["status"].get(value, value)

    def render_category(self, value: str) -> str:
        return self._labels["category"].get(value, value)


class DevelopmentRecordTable(BaseTable):
    name = tables.Column(linkify=True, verbose_name=pgettext_lazy("person", "Name"))
    organization = tables.Column(verbose_name=_("Party organization"), order_by=("path",))
    stage = tables.Column(verbose_name=_("Stage"))
    applied_on = tables.DateColumn(verbose_name=_("Applied"), format="Y-m-d")
    activist_on = tables.DateColumn(verbose_name=_("Activist since"), format="Y-m-d")
    target_on = tables.DateColumn(verbose_name=_("Target since"), format="Y-m-d")
    admitted_on = tables.DateColumn(verbose_name=_("Admitted"), format="Y-m-d")

    class Meta(BaseTable.Meta):
        model = DevelopmentRecord
        fields = ("name", "organization", "stage", "applied_on", "activist_on", "target_on", "admitted_on")
        # No order_by: the model's order, place first ("path" is no column: django-tables2 dropped it).

    def render_organization(self, record: DevelopmentRecord) -> str:
        return record.organization.name


class RelationTransferTable(BaseTable):
    person = tables.Column(
        verbose_name=_("Party member"),
        empty_values=(),
        linkify=lambda record: record.get_absolute_url(),
        orderable=False,
    )
    kind = tables.Column(verbose_name=_("Kind"))
    source = tables.Column(verbose_name=_("From"), empty_values=(), orderable=False)
    target = tables.Column(verbose_name=_("To"), empty_values=(), orderable=False)
    status = tables.Column(verbose_name=_("Status"))
    requested_on = tables.DateColumn(verbose_name=_("Requested"), format="Y-m-d")
    due_on = tables.DateColumn(verbose_name=_("Due by"), format="Y-m-d")

    class Meta(BaseTable.Meta):
        model = RelationTransfer
        fields = ("person", "kind", "source", "target", "status", "requested_on", "due_on")
        order_by = ("-requested_on",)

    def render_person(self, record: RelationTransfer) -> str:
        return record.person_label

    def render_source(self, record: RelationTransfer) -> str:
        return record.from_label

    def render_target(self, record: RelationTransfer) -> str:
        return record.to_label

    def render_status(self, record: RelationTransfer) -> Any:
        if record.overdue:
            return format_html(
                '{} <span class="badge bg-red-lt" data-overdue>{}</span>', record.get_status_display(), _("overdue")
            )
        return record.get_status_display()


class CommunityReportTable(BaseTable):
    member = tables.Column(verbose_name=_("Party member"), linkify=lambda record: record.get_absolute_url())
    node = tables.Column(verbose_name=_("Community"), order_by=("path",))
    branch = tables.Column(verbose_name=_("Residential-area branch"))
    registered_on = tables.DateColumn(verbose_name=_("Reported on"), format="Y-m-d")
    ended_on = tables.DateColumn(verbose_name=_("Ended on"), format="Y-m-d")

    class Meta(BaseTable.Meta):
        model = CommunityReport
        fields = ("member", "node", "branch", "registered_on", "ended_on")
        # No order_by: the model's order, place first ("path" is no column: django-tables2 dropped it).

    def render_member(self, record: CommunityReport) -> str:
        return record.member.name


class DuesPaymentTable(BaseTable):
    member = tables.Column(verbose_name=_("Party member"), linkify=lambda record: record.get_absolute_url())
    month = tables.DateColumn(verbose_name=_("Month"), format="Y-m")
    amount = tables.Column(verbose_name=_("Amount (yuan)"))
    paid_on = tables.DateColumn(verbose_name=_("Paid on"), format="Y-m-d")

    class Meta(BaseTable.Meta):
        model = DuesPayment
        fields = ("member", "month", "amount", "paid_on")
        # No order_by: the model's order, place first ("path" is no column: django-tables2 dropped it).

    def render_member(self, record: DuesPayment) -> str:
        return record.member.name
