"""Forms of people's mediation: the roster, registering a case (also from a request), the case's steps."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from shequ.core.forms import ScopedFormMixin, UserForm
from shequ.orgs.forms import DateInput
from shequ.orgs.models import Organization
from shequ.orgs.widgets import ResidentPickerWidget
from shequ.volunteers.forms import DateTimeInput

from .actions import committees_for
from .models import (
    MAX_EXTENSION_DAYS,
    AgreementForm,
    Background,
    Category,
    Honoured,
    MediationCase,
    Mediator,
    Risk,
)

DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S"]


def _committee_field(form: Any, user: Any, model: Any) -> None:
    field: Any = form.fields["committee"]
    field.queryset = Organization.objects.filter(pk__in=[o.pk for o in committees_for(user, "add", model)])


def _resident_field(label: Any) -> forms.ModelChoiceField:
    from shequ.people.models import Resident

    return forms.ModelChoiceField(
        queryset=Resident.objects.all(), label=label, required=False, widget=ResidentPickerWidget()
    )


class MediatorForm(ScopedFormMixin, forms.Form):
    scope_model = Mediator
    committee = forms.ModelChoiceField(queryset=Organization.objects.none(), label=_("Mediation committee"))
    resident = _resident_field(_("Resident"))
    name = forms.CharField(label=_("Name"), max_length=50, required=False, help_text=_("If not a resident."))
    phone = forms.CharField(label=_("Phone"), max_length=20, required=False)
    background = forms.ChoiceField(label=_("Background"), choices=Background.choices)
    specialities = forms.CharField(label=_("Specialities"), max_length=200, required=False)
    training_hours = forms.DecimalField(
        label=_("Training hours"), min_value=0, max_value=9999, max_digits=6, decimal_places=1, initial=0
    )
    available = forms.BooleanField(label=_("Available"), required=False, initial=True)

    def __init__(
        self, data: Any = None, files: Any = None, *, instance: Any = None, user: Any = None, initial: Any = None
    ) -> None:
        if instance is not None and instance.pk:
            initial = {
                "committee": instance.committee_id,
                "resident": instance.resident_id,
                "name": instance.name,
                "phone": instance.phone,
                "background": instance.background,
                "specialities": instance.specialities,
                "training_hours": instance.training_hours,
                "available": instance.available,
            }
        super().__init__(data, files, user=user, initial=initial)
        self.instance = instance
        _committee_field(self, user, Mediator)
        if instance is not None and instance.pk:
            for name in ("committee", "resident", "name"):
                self.fields[name].disabled = True


class PartyFieldsMixin(forms.Form):
    """The respondent (a resident of the area, or an outside person)."""

    respondent = _resident_field(_("Respondent (resident)"))
    respondent_name = forms.CharField(
        label=_("Respondent's name"), max_length=50, required=False, help_text=_("If not a resident.")
    )
    respondent_id_number = forms.CharField(label=_("Respondent's identity number"), max_length=18, required=False)
    respondent_phone = forms.CharField(label=_("Respondent's phone"), max_length=20, required=False)


class ApplicantFieldsMixin(PartyFieldsMixin):
    """The applicant and the respondent (each a resident of the area, or an outside person)."""

    applicant = _resident_field(_("Applicant (resident)"))
    applicant_name = forms.CharField(
        label=_("Applicant's name"), max_length=50, required=False, help_text=_("If not a resident.")
    )
    applicant_id_number = forms.CharField(label=_("Applicant's identity number"), max_length=18, required=False)
    applicant_phone = forms.CharField(label=_("Applicant's phone"), max_length=20, required=False)


def _visit_field(form: Any, user: Any) -> None:
    from shequ.visits.models import Visit

    visit: Any = form.fields["visit"]
    visit.queryset = Visit.objects.restrict(user, "view")


class CaseForm(ScopedFormMixin, ApplicantFieldsMixin):
    scope_model = MediationCase
    committee = forms.ModelChoiceField(queryset=Organization.objects.none(), label=_("Mediation committee"))
    category = forms.ChoiceField(label=_("Kind of dispute"), choices=Category.choices)
    summary = forms.CharField(
        label=_("What the dispute is about"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    amount = forms.DecimalField(
        label=_("Amount in dispute (yuan)"), min_value=0, max_digits=12, decimal_places=2, required=False
    )
    risk = forms.ChoiceField(
        label=_("Risk level"),
        choices=Risk.choices,
        initial=Risk.LOW,
        help_text=_("High: the dispute may turn violent or into a mass incident; the street is alerted at once."),
    )
    # From a home visit (``?visit=<id>`` on the add page): the case records where it came from.
    visit = forms.ModelChoiceField(queryset=Organization.objects.none(), required=False, widget=forms.HiddenInput)

    field_order = [
        "committee",
        "category",
        "summary",
        "amount",
        "risk",
        "applicant",
        "applicant_name",
        "applicant_id_number",
        "applicant_phone",
    ]

    def __init__(
        self, data: Any = None, files: Any = None, *, instance: Any = None, user: Any = None, initial: Any = None
    ) -> None:
        initial = dict(initial or {})
        if data is None and initial.get("visit"):
            initial.update(from_visit(user, initial["visit"]))
        super().__init__(data, files, user=user, initial=initial)
        _committee_field(self, user, MediationCase)
        _visit_field(self, user)


def from_visit(user: Any, visit_id: Any) -> dict[str, Any]:
    """What a case registered from a visit starts with: the visit's findings as the summary, the household's
    residents as the parties (the first two, applicant and respondent).  An unknown visit: nothing."""
    from shequ.people.models import Resident
    from shequ.visits.models import Visit

    if not str(visit_id).isdigit():
        return {}
    visit = Visit.objects.restrict(user, "view").filter(pk=visit_id).first()
    if visit is None:
        return {"visit": None}
    residents = list(Resident.objects.restrict(user, "view").filter(household_id=visit.household_id).order_by("pk")[:2])
    values: dict[str, Any] = {"visit": visit.pk, "summary": visit.findings}
    for name, resident in zip(("applicant", "respondent"), residents, strict=False):
        values[name] = resident.pk
    return values


class MergeForm(ApplicantFieldsMixin, UserForm):
    """A registration merged into the open case between the same parties (the add page's fields that count)."""

    summary = forms.CharField(
        label=_("What the dispute is about"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    visit = forms.ModelChoiceField(queryset=Organization.objects.none(), required=False, widget=forms.HiddenInput)

    field_order = ["summary", "applicant", "applicant_name", "applicant_id_number", "applicant_phone"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _visit_field(self, self.user)


class FromRequestForm(PartyFieldsMixin, UserForm):
    """Register a mediation case from a residents' request: the resident is the applicant."""

    committee = forms.ModelChoiceField(queryset=Organization.objects.none(), label=_("Mediation committee"))
    category = forms.ChoiceField(label=_("Kind of dispute"), choices=Category.choices)
    risk = forms.ChoiceField(label=_("Risk level"), choices=Risk.choices, initial=Risk.LOW)
    merge = forms.BooleanField(
        label=_("Merge into the open case of the same parties and matter, if there is one"), required=False
    )

    field_order = ["committee", "category", "risk"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _committee_field(self, self.user, MediationCase)


class _MediatorsMixin(UserForm):
    mediators = forms.ModelMultipleChoiceField(queryset=Mediator.objects.none(), label=_("Mediators"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["mediators"]
        field.queryset = Mediator.objects.restrict(self.user, "view").filter(available=True)


class AcceptForm(_MediatorsMixin):
    pass


class DeclineForm(UserForm):
    reason = forms.CharField(label=_("Reason"), max_length=500)
    referred_to = forms.CharField(label=_("Referred to"), max_length=200, required=False)


class SessionForm(_MediatorsMixin):
    held_at = forms.DateTimeField(label=_("Held at"), widget=DateTimeInput(), input_formats=DATETIME_FORMATS)
    place = forms.CharField(label=_("Place"), max_length=200)
    attendees = forms.CharField(label=_("Attendees"), max_length=500)
    minutes = forms.CharField(label=_("Minutes"), max_length=4000, widget=forms.Textarea(attrs={"rows": 5}))

    field_order = ["held_at", "place", "mediators", "attendees", "minutes"]


class AgreementStepForm(UserForm):
    form = forms.ChoiceField(label=_("Form"), choices=AgreementForm.choices, initial=AgreementForm.WRITTEN)
    facts = forms.CharField(
        label=_("Facts and matters in dispute"), max_length=4000, widget=forms.Textarea(attrs={"rows": 4})
    )
    terms = forms.CharField(label=_("Agreed terms"), max_length=4000, widget=forms.Textarea(attrs={"rows": 4}))
    performance = forms.CharField(label=_("Performance: how and by when"), max_length=1000)
    signed_on = forms.DateField(label=_("Signed on"), widget=DateInput(), required=False, help_text=_("Empty: today."))


class ExtendForm(UserForm):
    days = forms.IntegerField(label=_("Extend by (days)"), min_value=1, max_value=MAX_EXTENSION_DAYS)
    reason = forms.CharField(label=_("Reason"), max_length=500)


class RiskForm(UserForm):
    risk = forms.ChoiceField(label=_("Risk level"), choices=Risk.choices)
    note = forms.CharField(label=_("What changed"), max_length=500)


class ConfirmationForm(UserForm):
    applied_on = forms.DateField(
        label=_("Applied for on"), widget=DateInput(), required=False, help_text=_("Empty: today.")
    )


class FollowUpForm(UserForm):
    honoured = forms.ChoiceField(label=_("Is the agreement honoured?"), choices=Honoured.choices)
    note = forms.CharField(label=_("What you found"), max_length=1000, widget=forms.Textarea(attrs={"rows": 3}))


class CloseForm(UserForm):
    note = forms.CharField(label=_("Note"), max_length=500, required=False)
