"""Forms of the volunteers' screens: every choice limited to what the user may use (``restrict``)."""

from __future__ import annotations

from typing import Any, ClassVar

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shequ.core.exceptions import ActionError
from shequ.core.forms import ScopedFormMixin, ScopedModelForm
from shequ.core.widgets import NodePickerWidget, SearchPickerWidget
from shequ.orgs.forms import DateInput
from shequ.orgs.models import Organization, OrgKind
from shequ.orgs.widgets import OrganizationPickerWidget, ResidentPickerWidget
from shequ.territory.models import Kind, Node

from .models import MAX_HOURS_A_DAY, Activity, Skill, TeamMembership, Volunteer, VolunteerStatus


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")


class VolunteerPickerWidget(SearchPickerWidget):
    url_name = "volunteers:volunteer_pick"
    model = "volunteers.volunteer"

    def offered(self, user: Any) -> Any:
        return super().offered(user).select_related("resident")

    def label_of(self, obj: Any) -> str:
        return obj.resident.name


def team_field(required: bool = True) -> forms.ModelChoiceField:
    return forms.ModelChoiceField(
        queryset=Organization.objects.none(),
        label=_("Volunteer team"),
        required=required,
        widget=OrganizationPickerWidget(kinds=[OrgKind.VOLUNTEER_TEAM]),
    )


def teams_for(user: Any, action: str = "view", model: Any = TeamMembership) -> Any:
    """Active teams the user sees (a captain: their own)."""
    from shequ.accounts.scope import reaches

    qs = Organization.objects.restrict(user, "view").filter(kind=OrgKind.VOLUNTEER_TEAM, active=True)
    found = reaches(user, model, action)
    if found is not None:
        limited = [r for r in found if r.orgs is not None]
        if limited and len(limited) == len(found):
            qs = Organization.objects.filter(pk__in=sorted({o for r in limited for o in r.orgs or ()}), active=True)
    return qs.select_related("node")


def skills_field(label: Any = None) -> forms.ModelMultipleChoiceField:
    return forms.ModelMultipleChoiceField(
        queryset=Skill.objects.filter(active=True),
        label=label or _("Skills"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )


class VolunteerForm(ScopedFormMixin, forms.Form):
    """Registration (a resident of this area by the picker, or anyone on the platform by identity number and
    name) and, for a registered volunteer, the details and status."""

    scope_model = Volunteer
    resident = forms.ModelChoiceField(
        queryset=Node.objects.none(), label=_("Resident"), required=False, widget=ResidentPickerWidget()
    )
    id_number = forms.CharField(
        label=_("Identity number"),
        max_length=18,
        required=False,
        help_text=_("For a resident of another area: the identity number and the name."),
    )
    name = forms.CharField(label=_("Name"), max_length=50, required=False)
    node = forms.ModelChoiceField(
        queryset=Node.objects.none(),
        label=_("Community where registered"),
        required=False,
        help_text=_("Default: the community where the resident lives."),
    )
    team = team_field(required=False)
    phone = forms.CharField(label=_("Phone"), max_length=20, required=False)
    skills = skills_field()
    weekdays = forms.BooleanField(label=_("Available on weekdays"), required=False)
    evenings = forms.BooleanField(label=_("Available in the evenings"), required=False)
    weekends = forms.BooleanField(label=_("Available at weekends"), required=False, initial=True)
    consent_on = forms.DateField(
        label=_("Consent given on"),
        widget=DateInput(),
        initial=timezone.localdate,
        help_text=_("The volunteer agreed to the use of their personal information."),
    )
    registered_on = forms.DateField(label=_("Registered on"), widget=DateInput(), initial=timezone.localdate)
    status = forms.ChoiceField(label=_("Status"), choices=VolunteerStatus.choices, initial=VolunteerStatus.ACTIVE)
    left_on = forms.DateField(label=_("Left on"), widget=DateInput(), required=False)
    notes = forms.CharField(label=_("Notes"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2}))

    shown_when: ClassVar[dict[str, tuple[str, tuple[str, ...]]]] = {"left_on": ("status", (VolunteerStatus.LEFT,))}

    def __init__(
        self, data: Any = None, files: Any = None, *, instance: Any = None, user: Any = None, initial: Any = None
    ) -> None:
        from shequ.people.models import Resident

        self.instance = instance
        if instance is not None:
            initial = {
                **{
                    n: getattr(instance, n)
                    for n in (
                        "phone",
                        "weekdays",
                        "evenings",
                        "weekends",
                        "consent_on",
                        "registered_on",
                        "status",
                        "left_on",
                        "notes",
                    )
                },
                "skills": list(instance.skills.all()),
            }
        super().__init__(data, files, user=user, initial=initial)
        resident: Any = self.fields["resident"]
        resident.queryset = Resident.objects.restrict(user, "view").filter(archived=False)
        node: Any = self.fields["node"]
        node.queryset = Node.objects.restrict(user, "add", perm_model=Volunteer).filter(
            kind=Kind.COMMUNITY, retired=False
        )
        node.widget = NodePickerWidget(kinds=[Kind.COMMUNITY], action="add", model="volunteers.volunteer")
        team: Any = self.fields["team"]
        team.queryset = teams_for(user)
        if instance is not None:
            for name in ("resident", "id_number", "name", "node", "team", "registered_on"):
                del self.fields[name]
        else:
            del self.fields["status"], self.fields["left_on"]

    def clean(self) -> dict[str, Any]:
        from .actions import find_resident_anywhere

        data = super().clean() or {}
        if self.instance is not None:
            return data
        if data.get("resident") is None and "resident" not in self.errors:
            number, name = (data.get("id_number") or "").strip(), (data.get("name") or "").strip()
            if not number:
                self.add_error("resident", _("Choose the resident, or give the identity number and the name."))
            else:
                try:
                    data["resident"] = find_resident_anywhere(number, name)
                except ActionError as exc:
                    self.add_error("id_number", exc.messages[0])
        return data


class MembershipForm(ScopedModelForm):
    scope_action = "add"

    class Meta:
        model = TeamMembership
        fields = ["volunteer", "team", "started_on", "ended_on", "notes"]
        widgets = {"started_on": DateInput(), "ended_on": DateInput()}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        volunteer: Any = self.fields["volunteer"]
        volunteer.queryset = Volunteer.objects.restrict(self.user, "view").filter(status=VolunteerStatus.ACTIVE)
        volunteer.widget = VolunteerPickerWidget(user=self.user)
        team: Any = self.fields["team"]
        team.queryset = teams_for(self.user, "add")
        team.widget = OrganizationPickerWidget(kinds=[OrgKind.VOLUNTEER_TEAM])
        if self.instance.pk:
            del self.fields["volunteer"], self.fields["team"]
            self.fields["started_on"].disabled = True
        else:
            del self.fields["ended_on"]
            self.initial.setdefault("started_on", timezone.localdate())


class ActivityForm(ScopedModelForm):
    scope_action = "add"

    class Meta:
        model = Activity
        fields = [
            "team",
            "title",
            "description",
            "place",
            "address",
            "starts_at",
            "ends_at",
            "places",
            "hours",
            "skills",
            "public",
        ]
        widgets = {
            "starts_at": DateTimeInput(),
            "ends_at": DateTimeInput(),
            "description": forms.Textarea(attrs={"rows": 3}),
            "skills": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        team: Any = self.fields["team"]
        team.queryset = teams_for(self.user, "add", Activity)
        team.widget = OrganizationPickerWidget(kinds=[OrgKind.VOLUNTEER_TEAM])
        place: Any = self.fields["place"]
        place.queryset = Node.objects.restrict(self.user, "view").filter(retired=False)
        place.widget = NodePickerWidget(action="view")
        self.fields["skills"].queryset = Skill.objects.filter(active=True)  # type: ignore[attr-defined]
        self.fields["hours"].required = False
        self.fields["hours"].help_text = _("Credited to each volunteer who attends (default: the duration).")
        for name in ("starts_at", "ends_at"):
            self.fields[name].input_formats = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"]  # type: ignore[attr-defined]
        if self.instance.pk:
            del self.fields["team"]


class HoursForm(ScopedFormMixin, forms.Form):
    """Staff log a volunteer's hours (awaiting the captain's confirmation, or confirmed at once)."""

    scope_action = "add"
    volunteer = forms.ModelChoiceField(queryset=Volunteer.objects.none(), label=_("Volunteer"))
    team = team_field()
    served_on = forms.DateField(label=_("Date"), widget=DateInput(), initial=timezone.localdate)
    hours = forms.DecimalField(
        label=_("Hours"), max_digits=4, decimal_places=1, min_value=0.1, max_value=MAX_HOURS_A_DAY
    )  # type: ignore[arg-type]
    description = forms.CharField(label=_("What was done"), max_length=200, required=False)
    confirm = forms.BooleanField(label=_("Confirm at once"), required=False)

    def __init__(
        self, data: Any = None, files: Any = None, *, instance: Any = None, user: Any = None, initial: Any = None
    ) -> None:
        super().__init__(data, files, user=user, initial=initial)
        volunteer: Any = self.fields["volunteer"]
        volunteer.queryset = Volunteer.objects.restrict(user, "view").filter(status=VolunteerStatus.ACTIVE)
        volunteer.widget = VolunteerPickerWidget(user=user)
        team: Any = self.fields["team"]
        from .models import ServiceHours

        team.queryset = teams_for(user, "add", ServiceHours)


class SignUpForm(ScopedFormMixin, forms.Form):
    volunteer = forms.ModelChoiceField(queryset=Volunteer.objects.none(), label=_("Volunteer"))

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, user=user, **kwargs)
        volunteer: Any = self.fields["volunteer"]
        volunteer.queryset = Volunteer.objects.restrict(user, "view").filter(status=VolunteerStatus.ACTIVE)
        volunteer.widget = VolunteerPickerWidget(user=user)


class AttendanceForm(forms.Form):
    attended = forms.TypedChoiceField(
        label=_("Attendance"),
        choices=[("1", _("attended")), ("0", _("absent"))],
        coerce=lambda v: v == "1",
    )
    hours = forms.DecimalField(
        label=_("Hours"),
        max_digits=4,
        decimal_places=1,
        min_value=0.1,
        max_value=MAX_HOURS_A_DAY,
        required=False,  # type: ignore[arg-type]
    )


class EndForm(forms.Form):
    ended_on = forms.DateField(label=_("Ended on"), widget=DateInput(), initial=timezone.localdate)


class SkillForm(ScopedModelForm):
    class Meta:
        model = Skill
        fields = ["code", "name", "active"]


class AreaForm(forms.Form):
    node = forms.ModelChoiceField(
        queryset=Node.objects.none(),
        label=_("Area"),
        widget=NodePickerWidget(kinds=[Kind.CITY, Kind.DISTRICT, Kind.STREET, Kind.COMMUNITY], action="view"),
    )
