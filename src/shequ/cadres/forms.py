"""Forms of the community workers' registry (every choice limited to the user's area)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from shequ.core.forms import ScopedModelForm, UserForm
from shequ.orgs.forms import DateInput

from .models import Assessment, Cadre, Course, PayGrade, PayTable, Qualification, Result, Sanction, TrainingRecord, Use


def _dates(*names: str) -> dict[str, Any]:
    return {name: DateInput() for name in names}


class SubjectPlaceMixin:
    """The record sits where its worker (or organization) works."""

    cleaned_data: dict[str, Any]
    instance: Any

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}  # type: ignore[misc]
        subject = data.get("cadre") or data.get("organization")
        if subject is not None:
            self.instance.node = subject.node
        return data


class CadreForm(ScopedModelForm):
    scope_action = "add"

    class Meta:
        model = Cadre
        fields = [
            "number", "name", "node", "gender", "birth_date", "phone", "resident", "user", "source", "employer",
            "contract_start", "contract_end", "service_start", "education", "political_status", "degree",
            "reserve", "reserve_for", "pension", "medical", "unemployment", "injury", "maternity", "housing_fund",
            "last_exam_on", "active", "left_on",
        ]  # fmt: skip
        labels = {"node": _("Works at")}
        widgets = _dates("birth_date", "contract_start", "contract_end", "service_start", "last_exam_on", "left_on")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from shequ.accounts.models import User
        from shequ.people.models import Resident

        self.fields["resident"].queryset = Resident.objects.restrict(self.user, "view").filter(archived=False)  # type: ignore[attr-defined]
        self.fields["user"].queryset = User.objects.restrict(self.user, "view")  # type: ignore[attr-defined]
        self.fields["resident"].widget = forms.NumberInput()
        self.fields["resident"].help_text = _("The resident's record number, when the worker lives here.")


class CourseForm(ScopedModelForm):
    scope_action = "add"

    class Meta:
        model = Course
        fields = ["title", "organiser", "kind", "node", "starts_on", "ends_on", "hours"]
        labels = {"node": _("Held for")}
        widgets = _dates("starts_on", "ends_on")


class TrainingRecordForm(ScopedModelForm):
    class Meta:
        model = TrainingRecord
        fields = ["cadre", "course", "attended_on", "hours"]
        widgets = _dates("attended_on")


class QualificationForm(SubjectPlaceMixin, ScopedModelForm):
    class Meta:
        model = Qualification
        fields = ["cadre", "level", "certificate_no", "obtained_on"]
        widgets = _dates("obtained_on")


class PayTableForm(ScopedModelForm):
    scope_action = "add"

    class Meta:
        model = PayTable
        fields = ["node", "year", "average_wage", "city_share"]
        labels = {"node": _("Place")}


class PayGradeForm(SubjectPlaceMixin, ScopedModelForm):
    class Meta:
        model = PayGrade
        fields = ["cadre", "category", "grade", "since", "reason"]
        widgets = _dates("since")


class AssessmentForm(SubjectPlaceMixin, ScopedModelForm):
    class Meta:
        model = Assessment
        fields = ["cadre", "organization", "year", "result", "note"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from shequ.orgs.models import Organization

        self.fields["organization"].queryset = Organization.objects.restrict(self.user, "view").filter(active=True)  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if bool(data.get("cadre")) == bool(data.get("organization")):
            raise forms.ValidationError(_("Choose either a community worker or an organization."))
        return data


class ConfirmAssessmentForm(UserForm):
    use = forms.ChoiceField(label=_("Result used for"), choices=Use.choices, initial=Use.NONE)
    document_no = forms.CharField(
        label=_("Document number"), max_length=100, required=False, help_text=_("For a reward or a warning.")
    )
    title = forms.CharField(label=_("What"), max_length=200, required=False)
    decided_by = forms.CharField(label=_("Decided by"), max_length=100, required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if str(data.get("use")) in (Use.REWARD, Use.WARNING) and not (data.get("document_no") or "").strip():
            self.add_error("document_no", _("A reward or a warning needs its document number."))
        return data


class SanctionForm(SubjectPlaceMixin, ScopedModelForm):
    class Meta:
        model = Sanction
        fields = ["kind", "cadre", "organization", "title", "document_no", "decided_on", "decided_by"]
        widgets = _dates("decided_on")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from shequ.orgs.models import Organization

        self.fields["organization"].queryset = Organization.objects.restrict(self.user, "view")  # type: ignore[attr-defined]


class YearForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100, required=False)


RESULT_CHOICES = Result.choices
