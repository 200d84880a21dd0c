"""Forms of supervision notes, joint meetings, action items and alliances' joint activities."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from shequ.core.forms import ScopedModelForm
from shequ.orgs.forms import DateInput
from shequ.orgs.models import Organization
from shequ.territory.models import Kind

from .forms import TEXTAREA, _orgs, _places
from .models import ActionItem, JointActivity, JointMeeting, SupervisionNote


class SupervisionNoteForm(ScopedModelForm):
    scope_action = "add"

    class Meta:
        model = SupervisionNote
        fields = ["node", "company", "supervisor", "author", "noted_on", "finding", "follow_up", "follow_up_done_on"]
        widgets = {
            "noted_on": DateInput(),
            "follow_up_done_on": DateInput(),
            "finding": forms.Textarea(attrs=TEXTAREA),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _places(self, "node", SupervisionNote, [Kind.ESTATE], _("Residential area"))
        _orgs(self, "company", ["property_company"])


def _units_field(form: Any, kinds: list[str] | None = None) -> None:
    field: Any = form.fields["units"]
    qs = Organization.objects.restrict(form.user, "view").filter(active=True)
    if kinds:
        qs = qs.filter(kind__in=kinds)
    field.queryset = qs.order_by("path", "name")
    field.widget = forms.CheckboxSelectMultiple()


class JointMeetingForm(ScopedModelForm):
    scope_action = "add"

    class Meta:
        model = JointMeeting
        fields = ["node", "held_on", "place", "subject", "units", "attendees", "minutes", "decisions"]
        widgets = {
            "held_on": DateInput(),
            "attendees": forms.Textarea(attrs=TEXTAREA),
            "minutes": forms.Textarea(attrs=TEXTAREA),
            "decisions": forms.Textarea(attrs=TEXTAREA),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _places(self, "node", JointMeeting, [Kind.COMMUNITY], _("Community"))
        _units_field(self, ["resident_unit"])

    def clean(self) -> dict[str, Any]:
        data = super().clean() or self.cleaned_data
        node, units = data.get("node"), data.get("units")
        if node is not None and units:
            error = JointMeeting(node=node).units_error(units)
            if error:
                self.add_error("units", error)
        return data


class ActionItemForm(ScopedModelForm):
    scope_action = "add"

    class Meta:
        model = ActionItem
        fields = ["meeting", "unit", "person", "task", "due_on", "done_on"]
        widgets = {"due_on": DateInput(), "done_on": DateInput()}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        meeting: Any = self.fields["meeting"]
        meeting.queryset = JointMeeting.objects.restrict(self.user, "change")
        unit: Any = self.fields["unit"]
        unit.queryset = Organization.objects.restrict(self.user, "view").filter(kind="resident_unit", active=True)


class JointActivityForm(ScopedModelForm):
    scope_action = "add"

    class Meta:
        model = JointActivity
        fields = ["alliance", "held_on", "title", "units", "participants", "description"]
        widgets = {"held_on": DateInput(), "description": forms.Textarea(attrs=TEXTAREA)}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        alliance: Any = self.fields["alliance"]
        alliance.queryset = Organization.objects.restrict(self.user, "change").filter(kind="alliance", active=True)
        _units_field(self)
        units: Any = self.fields["units"]
        units.queryset = units.queryset.filter(alliances__kind="alliance").distinct()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or self.cleaned_data
        alliance, units = data.get("alliance"), data.get("units")
        if alliance is not None and units:
            error = JointActivity(alliance=alliance).units_error(units)
            if error:
                self.add_error("units", error)
        return data
