from __future__ import annotations

from typing import Any

import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from shequ.core.tables import SelectableTable

from .models import Agreement, Campaign, Commitment, ConsentRequest, EntryApplication, Hearing, TerminationCase


def _link(record: Any) -> str:
    return str(record.get_absolute_url())


class EntryApplicationTable(SelectableTable):
    company = tables.Column(verbose_name=_("Property company"), linkify=_link)
    node = tables.Column(verbose_name=_("Residential area"), order_by=("path",))
    contract_start = tables.DateColumn(verbose_name=_("Contract start"), format="Y-m-d")
    contract_end = tables.DateColumn(verbose_name=_("Contract end"), format="Y-m-d")
    status = tables.Column(verbose_name=_("Status"))

    class Meta(SelectableTable.Meta):
        model = EntryApplication
        fields = ("pk", "company", "node", "contract_start", "contract_end", "status")


class CampaignTable(SelectableTable):
    subject = tables.Column(verbose_name=_("Evaluated"), linkify=_link)
    year = tables.Column(verbose_name=_("Year"))
    node = tables.Column(verbose_name=_("Where"), order_by=("path",))
    evaluators = tables.Column(verbose_name=_("Evaluators"))
    answers_count = tables.Column(verbose_name=_("Answers"))
    response_rate = tables.Column(verbose_name=_("Response rate (%)"), orderable=False, default="—")
    satisfaction = tables.Column(verbose_name=_("Satisfaction (%)"), orderable=False, default="—")
    status = tables.Column(verbose_name=_("Status"))

    class Meta(SelectableTable.Meta):
        model = Campaign
        fields = (
            "pk",
            "subject",
            "year",
            "node",
            "evaluators",
            "answers_count",
            "response_rate",
            "satisfaction",
            "status",
        )


class TerminationCaseTable(SelectableTable):
    company = tables.Column(verbose_name=_("Property company"), linkify=_link)
    node = tables.Column(verbose_name=_("Residential area"), order_by=("path",))
    satisfaction = tables.Column(verbose_name=_("Satisfaction (%)"))
    status = tables.Column(verbose_name=_("Status"))
    created = tables.DateTimeColumn(verbose_name=_("Opened"), format="Y-m-d")

    class Meta(SelectableTable.Meta):
        model = TerminationCase
        fields = ("pk", "company", "node", "satisfaction", "status", "created")


class AgreementTable(SelectableTable):
    unit = tables.Column(verbose_name=_("Resident unit"), linkify=_link)
    year = tables.Column(verbose_name=_("Year"))
    node = tables.Column(verbose_name=_("Community"), order_by=("path",))
    signed_on = tables.DateColumn(verbose_name=_("Signed on"), format="Y-m-d")
    grade = tables.Column(verbose_name=_("Grade"), default="—")

    class Meta(SelectableTable.Meta):
        model = Agreement
        fields = ("pk", "unit", "year", "node", "signed_on", "grade")


class CommitmentTable(SelectableTable):
    description = tables.Column(verbose_name=_("Description"), linkify=_link)
    agreement = tables.Column(verbose_name=_("Agreement"))
    kind = tables.Column(verbose_name=_("Kind"))
    target = tables.Column(verbose_name=_("Target"))
    achieved = tables.Column(verbose_name=_("Achieved"))
    unit_label = tables.Column(verbose_name=_("Unit of measure"))

    class Meta(SelectableTable.Meta):
        model = Commitment
        fields = ("pk", "description", "agreement", "kind", "target", "achieved", "unit_label")


class HearingTable(SelectableTable):
    topic = tables.Column(verbose_name=_("Topic"), linkify=_link)
    held_on = tables.DateColumn(verbose_name=_("Held on"), format="Y-m-d")
    node = tables.Column(verbose_name=_("Where"), order_by=("path",))

    class Meta(SelectableTable.Meta):
        model = Hearing
        fields = ("pk", "topic", "held_on", "node")


class ConsentRequestTable(SelectableTable):
    title = tables.Column(verbose_name=_("Project"), linkify=_link)
    kind = tables.Column(verbose_name=_("Kind"))
    applicant = tables.Column(verbose_name=_("Applicant"))
    node = tables.Column(verbose_name=_("Where"), order_by=("path",))
    status = tables.Column(verbose_name=_("Status"))

    class Meta(SelectableTable.Meta):
        model = ConsentRequest
        fields = ("pk", "title", "kind", "applicant", "node", "status")
