"""Forms of the oversight app: the case-opening forms, the steps' forms, the records' forms, paper answers."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shequ.core.forms import ScopedFormMixin, ScopedModelForm, UserForm
from shequ.core.widgets import NodePickerWidget
from shequ.orgs.forms import DateInput
from shequ.orgs.models import Organization
from shequ.orgs.widgets import OrganizationPickerWidget
from shequ.territory.models import Kind, Node

from .models import (
    SUBJECT_ORG_KINDS,
    Agreement,
    Campaign,
    Commitment,
    ConsentKind,
    ConsentRequest,
    EntryApplication,
    Evaluators,
    Hearing,
    Rating,
    SubjectKind,
)

TEXTAREA = {"rows": 3}


def _places(form: Any, name: str, model: Any, kinds: list[str], label: Any = None) -> None:
    field: Any = form.fields[name]
    field.queryset = Node.objects.restrict(form.user, "add", perm_model=model).filter(kind__in=kinds, retired=False)
    field.widget = NodePickerWidget(kinds=kinds, action="add", model=model._meta.label_lower)
    if label:
        field.label = label


def _orgs(form: Any, name: str, kinds: list[str]) -> None:
    field: Any = form.fields[name]
    field.queryset = Organization.objects.restrict(form.user, "view").filter(kind__in=kinds, active=True)
    field.widget = OrganizationPickerWidget(kinds=kinds)


# -- opening cases -----------------------------------------------------------------------------------------------


class EntryForm(ScopedFormMixin, forms.Form):
    scope_model = EntryApplication
    scope_action = "add"
    company = forms.ModelChoiceField(queryset=Organization.objects.all(), label=_("Property company"))
    node = forms.ModelChoiceField(queryset=Node.objects.all(), label=_("Residential area"))
    contract_start = forms.DateField(label=_("Contract start"), widget=DateInput())
    contract_end = forms.DateField(label=_("Contract end"), widget=DateInput())
    scope = forms.CharField(label=_("Scope of service"), max_length=500, widget=forms.Textarea(attrs=TEXTAREA))

    def __init__(self, *args: Any, instance: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _places(self, "node", EntryApplication, [Kind.ESTATE])
        _orgs(self, "company", ["property_company"])

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("contract_start"), data.get("contract_end")
        if start and end and end < start:
            self.add_error("contract_end", _("The contract cannot end before it starts."))
        return data


class CampaignForm(ScopedFormMixin, forms.Form):
    scope_model = Campaign
    scope_action = "add"
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    subject_kind = forms.ChoiceField(label=_("Subject kind"), choices=SubjectKind.choices)
    subject = forms.ModelChoiceField(queryset=Organization.objects.all(), label=_("Evaluated"))
    node = forms.ModelChoiceField(
        queryset=Node.objects.all(),
        label=_("Where the evaluators live"),
        help_text=_("A property company is evaluated by the residential area it serves."),
    )
    evaluators = forms.ChoiceField(label=_("Evaluators"), choices=Evaluators.choices)
    items = forms.CharField(
        label=_("Questionnaire items"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("One question per line (at most 20)."),
    )
    expected = forms.IntegerField(
        label=_("Expected answers"),
        min_value=1,
        max_value=10_000_000,
        required=False,
        help_text=_("Households are counted when the campaign opens; otherwise the number of evaluators."),
    )

    def __init__(self, *args: Any, instance: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _places(self, "node", Campaign, [Kind.COMMUNITY, Kind.ESTATE])
        _orgs(self, "subject", sorted({k for ks in SUBJECT_ORG_KINDS.values() for k in ks}))
        self.initial.setdefault("year", timezone.localdate().year)


class ConsentForm(ScopedFormMixin, forms.Form):
    scope_model = ConsentRequest
    scope_action = "add"
    node = forms.ModelChoiceField(queryset=Node.objects.all(), label=_("Where"))
    kind = forms.ChoiceField(label=_("Kind"), choices=ConsentKind.choices)
    title = forms.CharField(label=_("Project"), max_length=200)
    applicant = forms.CharField(label=_("Applicant"), max_length=200)
    description = forms.CharField(label=_("Description"), max_length=5000, widget=forms.Textarea(attrs=TEXTAREA))
    documents = forms.CharField(
        label=_("Documents"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs=TEXTAREA),
        help_text=_("The documents submitted, one per line (title and number)."),
    )

    def __init__(self, *args: Any, instance: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _places(self, "node", ConsentRequest, [Kind.COMMUNITY, Kind.GRID, Kind.ESTATE])


# -- the steps ---------------------------------------------------------------------------------------------------


class OptionalNoteForm(UserForm):
    note = forms.CharField(label=_("Note"), max_length=500, required=False)


class NoticeForm(UserForm):
    notice = forms.CharField(
        label=_("Notice to the owners' committee"), max_length=2000, widget=forms.Textarea(attrs=TEXTAREA)
    )


class ResponseForm(UserForm):
    response = forms.CharField(
        label=_("The company's response"), max_length=2000, widget=forms.Textarea(attrs=TEXTAREA)
    )


class DecisionForm(UserForm):
    terminate = forms.ChoiceField(
        label=_("Decision"),
        choices=[("terminate", _("terminate the service contract")), ("continue", _("continue the contract"))],
        widget=forms.RadioSelect,
    )
    decision = forms.CharField(label=_("Decision text"), max_length=2000, widget=forms.Textarea(attrs=TEXTAREA))
    legal_basis = forms.CharField(label=_("Legal basis"), max_length=300)


class DocumentsForm(UserForm):
    documents = forms.CharField(
        label=_("Documents"), max_length=2000, widget=forms.Textarea(attrs=TEXTAREA), help_text=_("One per line.")
    )


class ConsentFileForm(UserForm):
    file = forms.FileField(label=_("Document"), help_text=_("A PDF, a Word or Excel file or a photo (at most 10 MB)."))


class OpinionForm(UserForm):
    opinion = forms.CharField(label=_("Opinion"), max_length=2000, widget=forms.Textarea(attrs=TEXTAREA))


class ReasonsForm(UserForm):
    reasons = forms.CharField(label=_("Reasons"), max_length=2000, widget=forms.Textarea(attrs=TEXTAREA))


# -- records -----------------------------------------------------------------------------------------------------


class AgreementForm(ScopedModelForm):
    scope_action = "add"

    class Meta:
        model = Agreement
        fields = ["node", "unit", "year", "signed_on", "contribution", "grade"]
        widgets = {"signed_on": DateInput()}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _places(self, "node", Agreement, [Kind.COMMUNITY], _("Community"))
        _orgs(self, "unit", ["resident_unit"])
        self.initial.setdefault("year", timezone.localdate().year)


class CommitmentForm(ScopedModelForm):
    scope_action = "add"

    class Meta:
        model = Commitment
        fields = ["agreement", "kind", "description", "target", "unit_label", "achieved"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        agreement: Any = self.fields["agreement"]
        agreement.queryset = Agreement.objects.restrict(self.user, "change").select_related("unit")


class HearingForm(ScopedModelForm):
    scope_action = "add"

    class Meta:
        model = Hearing
        fields = ["node", "topic", "held_on", "participants", "opinions", "outcome"]
        widgets = {
            "held_on": DateInput(),
            "participants": forms.Textarea(attrs=TEXTAREA),
            "opinions": forms.Textarea(attrs=TEXTAREA),
            "outcome": forms.Textarea(attrs=TEXTAREA),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _places(self, "node", Hearing, [Kind.STREET, Kind.COMMUNITY], _("Where"))


# -- answers -----------------------------------------------------------------------------------------------------


class RatingWidget(forms.RadioSelect):
    """Satisfied / basically satisfied / dissatisfied side by side, each a large target on a phone."""

    def render(self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None) -> Any:
        from django.utils.html import format_html, format_html_join

        base = (attrs or {}).get("id") or f"id_{name}"
        chosen = "" if value is None else str(value)
        options = format_html_join(
            "",
            '<label class="form-check form-check-inline me-3 mb-1"><input class="form-check-input" type="radio" '
            'name="{}" value="{}" id="{}_{}" required{}><span class="form-check-label">{}</span></label>',
            (
                (name, v, base, i, " checked" if str(v) == chosen else "", label)
                for i, (v, label) in enumerate(self.choices)
            ),
        )
        return format_html('<div id="{}" class="d-flex flex-wrap" role="radiogroup">{}</div>', base, options)


def rating_fields(form: forms.Form, items: list[str]) -> None:
    for i, item in enumerate(items):
        form.fields[f"item_{i}"] = forms.TypedChoiceField(
            label=item, choices=Rating.choices, coerce=int, widget=RatingWidget
        )
    form.fields["comments"] = forms.CharField(
        label=_("Comments"), max_length=1000, required=False, widget=forms.Textarea(attrs=TEXTAREA)
    )


def ratings_of(form: forms.Form, count: int) -> list[int]:
    return [form.cleaned_data[f"item_{i}"] for i in range(count)]


class PaperAnswerForm(UserForm):
    """An answer on paper, entered by staff: the household (by its number) and the ratings."""

    household_number = forms.CharField(label=_("Household number"), max_length=40, required=False)

    def __init__(self, *args: Any, campaign: Campaign, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.campaign = campaign
        if campaign.evaluators != Evaluators.HOUSEHOLDS:
            del self.fields["household_number"]
        rating_fields(self, campaign.item_list)


class SurveyForm(forms.Form):
    """The portal's survey: the household number and the last four digits of a member's phone, then the ratings."""

    household_number = forms.CharField(label=_("Household number"), max_length=40)
    last4 = forms.RegexField(
        label=_("Last four digits of a household member's phone"),
        regex=r"^\d{4}$",
        max_length=4,
        error_messages={"invalid": _("Enter four digits.")},
    )

    def __init__(self, *args: Any, campaign: Campaign, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.campaign = campaign
        rating_fields(self, campaign.item_list)
