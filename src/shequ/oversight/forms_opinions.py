"""Forms of the promotion opinions: the employer's request (the person picked among the residents) and the answer."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shequ.core.forms import ScopedFormMixin, UserForm
from shequ.orgs.forms import DateInput
from shequ.orgs.widgets import ResidentPickerWidget
from shequ.people.models import Resident
from shequ.territory.models import Kind, Node

from .forms import TEXTAREA, _places
from .models_opinions import ANSWER_DAYS, MAX_ANSWER_DAYS, Conclusion, PromotionOpinion


class PromotionOpinionForm(ScopedFormMixin, forms.Form):
    scope_model = PromotionOpinion
    scope_action = "add"
    node = forms.ModelChoiceField(queryset=Node.objects.all(), label=_("Community"))
    employer = forms.CharField(label=_("Employer"), max_length=200)
    person = forms.ModelChoiceField(queryset=Resident.objects.all(), label=_("Person"))
    post_sought = forms.CharField(label=_("Post sought"), max_length=200)
    requested_on = forms.DateField(label=_("Requested on"), widget=DateInput())
    answer_days = forms.IntegerField(
        label=_("Answer within (working days)"), min_value=1, max_value=MAX_ANSWER_DAYS, initial=ANSWER_DAYS
    )

    def __init__(self, *args: Any, instance: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _places(self, "node", PromotionOpinion, [Kind.COMMUNITY])
        person: Any = self.fields["person"]
        person.queryset = Resident.objects.restrict(self.user, "view").filter(archived=False)
        person.widget = ResidentPickerWidget()
        self.initial.setdefault("requested_on", timezone.localdate())


class AnswerOpinionForm(UserForm):
    conclusion = forms.ChoiceField(label=_("Conclusion"), choices=Conclusion.choices)
    opinion = forms.CharField(label=_("Opinion"), max_length=3000, widget=forms.Textarea(attrs=TEXTAREA))
