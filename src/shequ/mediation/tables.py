from __future__ import annotations

import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from shequ.core.tables import SelectableTable

from .models import MediationCase, Mediator


class MediatorTable(SelectableTable):
    name = tables.Column(verbose_name=_("Name"), linkify=True)
    committee = tables.Column(verbose_name=_("Mediation committee"), accessor="committee__name")
    background = tables.Column(verbose_name=_("Background"))
    specialities = tables.Column(verbose_name=_("Specialities"), orderable=False)
    training_hours = tables.Column(verbose_name=_("Training hours"))
    available = tables.BooleanColumn(verbose_name=_("Available"))
    open_cases = tables.Column(verbose_name=_("Open cases"))
    cases_handled = tables.Column(verbose_name=_("Cases handled"))

    class Meta(SelectableTable.Meta):
        model = Mediator
        fields = (
            *("pk", "name", "committee", "background", "specialities", "training_hours", "available"),
            *("open_cases", "cases_handled"),
        )


class MediationCaseTable(SelectableTable):
    code = tables.Column(verbose_name=_("Case number"), linkify=True)
    category = tables.Column(verbose_name=_("Kind of dispute"))
    committee = tables.Column(verbose_name=_("Mediation committee"), accessor="committee__name")
    risk = tables.Column(verbose_name=_("Risk level"))
    status = tables.Column(verbose_name=_("Status"))
    registered_at = tables.DateTimeColumn(verbose_name=_("Registered at"), format="Y-m-d")
    deadline = tables.DateTimeColumn(verbose_name=_("Deadline"), format="Y-m-d")

    class Meta(SelectableTable.Meta):
        model = MediationCase
        fields = ("pk", "code", "category", "committee", "risk", "status", "registered_at", "deadline")
