"""Screens of the promotion opinions (confidential: the pages, the menu entry and the buttons follow the rights on
``oversight.promotionopinion``, which only the party secretary and the organization departments hold)."""

from __future__ import annotations

from typing import Any

import django_filters
import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from shequ.core.filtersets import SearchFilterSet, WithinFilter
from shequ.core.tables import SelectableTable

from .forms_opinions import PromotionOpinionForm
from .models_opinions import Conclusion, OpinionStatus, PromotionOpinion
from .opinions import OPINIONS, do_request_opinion
from .views import CASE_ACTIONS, OversightViewSet


class PromotionOpinionFilterSet(SearchFilterSet):
    within = WithinFilter()
    text_field = "employer"
    status = django_filters.ChoiceFilter(choices=OpinionStatus.choices, label=_("Status"))
    conclusion = django_filters.ChoiceFilter(choices=Conclusion.choices, label=_("Conclusion"))
    is_open = django_filters.BooleanFilter(label=_("Open"))

    class Meta:
        model = PromotionOpinion
        fields = ["q", "status", "conclusion", "is_open", "within"]


def _link(record: Any) -> str:
    return str(record.get_absolute_url())


class PromotionOpinionTable(SelectableTable):
    employer = tables.Column(verbose_name=_("Employer"), linkify=_link)
    person = tables.Column(verbose_name=_("Person"), order_by=("person__name",))
    post_sought = tables.Column(verbose_name=_("Post sought"))
    node = tables.Column(verbose_name=_("Community"), order_by=("path",))
    requested_on = tables.DateColumn(verbose_name=_("Requested on"), format="Y-m-d")
    deadline = tables.DateTimeColumn(verbose_name=_("Deadline"), format="Y-m-d")
    status = tables.Column(verbose_name=_("Status"))
    conclusion = tables.Column(verbose_name=_("Conclusion"), default="—")

    class Meta(SelectableTable.Meta):
        model = PromotionOpinion
        fields = ("pk", "employer", "person", "post_sought", "node", "requested_on", "deadline", "status", "conclusion")


class PromotionOpinionViewSet(OversightViewSet):
    model = PromotionOpinion
    workflow = OPINIONS
    filterset = PromotionOpinionFilterSet
    table = PromotionOpinionTable
    form = PromotionOpinionForm
    select_related = ("node", "person", "answered_by")
    actions = CASE_ACTIONS
    detail_fields = (
        "employer",
        "person",
        "post_sought",
        "node",
        "requested_on",
        "answer_days",
        "deadline",
        "status",
        "conclusion",
        "opinion",
        "answered_by",
        "answered_on",
    )
    export_fields = ("employer", "person", "post_sought", "node", "requested_on", "deadline", "status", "conclusion")

    def create(self, form: Any) -> PromotionOpinion:
        return do_request_opinion(acting_user=self.user, **form.cleaned_data)
