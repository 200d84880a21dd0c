"""Forms of the home visits: the visit log (a phone first), links, intervals, the task steps."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shequ.core.forms import ScopedFormMixin, ScopedModelForm, UserForm
from shequ.core.widgets import NodePickerWidget, SearchPickerWidget
from shequ.orgs.forms import DateInput
from shequ.territory.models import Kind, Node
from shequ.volunteers.forms import DateTimeInput

from .models import ArrivalReason, HouseholdLink, MustArriveTask, Visit, VisitRule


class HouseholdPickerWidget(SearchPickerWidget):
    url_name = "visits:household_pick"
    placeholder = _("Type the head's name, pinyin, or the room (e.g. 3-402)")

    def offered(self, user: Any) -> Any:
        return households_for(user, "view").select_related("node__parent")


class MemberPickerWidget(SearchPickerWidget):
    """Members of the two committees (residents holding a committee post) within the user's area."""

    url_name = "visits:member_pick"

    def offered(self, user: Any) -> Any:
        return members_for(user).select_related("node__parent")

    def label_of(self, obj: Any) -> str:
        from shequ.people.distinct import who

        return who(obj)


def members_for(user: Any) -> Any:
    """The residents holding a committee post now in a community of the user's area."""
    from shequ.orgs.models import Post
    from shequ.people.models import Resident

    from .lists import COMMITTEE_KINDS

    posts = (
        Post.objects.restrict(user, "view")
        .current()
        .filter(organization__kind__in=COMMITTEE_KINDS, person__isnull=False)
    )
    from shequ.orgs.models import COMMITTEE_TITLES

    return Resident.objects.filter(pk__in=posts.filter(title__in=COMMITTEE_TITLES).values("person_id"))


def households_for(user: Any, action: str = "add", model: Any = Visit) -> Any:
    from shequ.people.models import Household

    return Household.objects.restrict(user, action, perm_model=model).filter(dissolved=False)


def category_field() -> forms.ModelChoiceField:
    from shequ.services.models import ServiceCategory

    field = forms.ModelChoiceField(
        queryset=ServiceCategory.objects.filter(active=True, parent__isnull=False).select_related("parent"),
        label=_("Make the follow-up a residents' request of the category"),
        required=False,
        help_text=_("Leave empty to keep the follow-up in the visit only."),
    )
    field.label_from_instance = lambda c: f"{c.parent.name} · {c.name}" if c.parent_id else c.name  # type: ignore[method-assign,assignment]
    return field


class VisitForm(ScopedFormMixin, forms.Form):
    """The visit log, laid out for a phone: household, who, when, what was found and needed, photos."""

    household = forms.ModelChoiceField(queryset=Node.objects.none(), label=_("Household"))
    member = forms.ModelChoiceField(
        queryset=Node.objects.none(),
        label=_("Committee member who visited"),
        required=False,
        help_text=_("Empty: you yourself."),
    )
    visited_at = forms.DateTimeField(
        label=_("Visited at"),
        widget=DateTimeInput(),
        initial=lambda: timezone.localtime().replace(second=0, microsecond=0),
    )
    findings = forms.CharField(label=_("Findings"), max_length=1000, widget=forms.Textarea(attrs={"rows": 3}))
    needs = forms.CharField(label=_("Needs"), max_length=1000, required=False, widget=forms.Textarea(attrs={"rows": 2}))
    follow_up = forms.CharField(
        label=_("Follow-up"), max_length=1000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    request_category = category_field()

    def __init__(
        self, data: Any = None, files: Any = None, *, instance: Any = None, user: Any = None, initial: Any = None
    ) -> None:
        super().__init__(data, files, user=user, initial=initial)
        household: Any = self.fields["household"]
        household.queryset = households_for(user)
        household.widget = HouseholdPickerWidget(user=user)
        member: Any = self.fields["member"]
        member.queryset = members_for(user)
        member.widget = MemberPickerWidget(user=user)
        self.fields["visited_at"].input_formats = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"]  # type: ignore[attr-defined]
        self.files_list = list(files.getlist("photos")) if files is not None else []

    def clean_visited_at(self) -> Any:
        when = self.cleaned_data["visited_at"]
        if when and when > timezone.now() + timedelta(minutes=5):
            raise forms.ValidationError(_("A visit cannot be in the future."))
        return when

    def clean(self) -> dict[str, Any]:
        from .actions import check_photo

        data = super().clean() or {}
        if data.get("request_category") is not None and not (data.get("follow_up") or data.get("needs")):
            self.add_error("follow_up", _("Write the follow-up that the request is about."))
        for upload in self.files_list[:6]:
            try:
                check_photo(upload)
            except Exception as exc:
                self.add_error(None, "；".join(getattr(exc, "messages", [str(exc)])))
        if len(self.files_list) > 6:
            self.add_error(None, _("At most 6 photos a visit."))
        return data


class FollowUpForm(UserForm):
    category = category_field()
    description = forms.CharField(label=_("Description"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].required = True
        self.fields["category"].label = _("Category")
        self.fields["category"].help_text = ""


class LinkForm(ScopedModelForm):
    scope_action = "add"

    class Meta:
        model = HouseholdLink
        fields = ["member", "household", "started_on", "ended_on"]
        widgets = {"started_on": DateInput(), "ended_on": DateInput()}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        member: Any = self.fields["member"]
        member.queryset = members_for(self.user)
        member.widget = MemberPickerWidget(user=self.user)
        household: Any = self.fields["household"]
        household.queryset = households_for(self.user, "add", HouseholdLink)
        household.widget = HouseholdPickerWidget(user=self.user)
        if self.instance.pk:
            del self.fields["member"], self.fields["household"]
            self.fields["started_on"].disabled = True
        else:
            del self.fields["ended_on"]
            self.initial.setdefault("started_on", timezone.localdate())


class RuleForm(ScopedModelForm):
    scope_action = "add"

    class Meta:
        model = VisitRule
        fields = ["node", "tag", "interval_days", "active"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from shequ.people.models import CareTag

        node: Any = self.fields["node"]
        node.queryset = Node.objects.restrict(self.user, "add", perm_model=VisitRule).filter(
            kind=Kind.COMMUNITY, retired=False
        )
        node.widget = NodePickerWidget(kinds=[Kind.COMMUNITY], action="add", model="visits.visitrule")
        node.label = _("Community")
        tag: Any = self.fields["tag"]
        tag.queryset = CareTag.objects.filter(active=True)


class TaskForm(ScopedFormMixin, forms.Form):
    scope_model = MustArriveTask
    household = forms.ModelChoiceField(queryset=Node.objects.none(), label=_("Household"))
    reason = forms.ChoiceField(label=_("Reason"), choices=ArrivalReason.choices)
    description = forms.CharField(label=_("What happened"), max_length=500, widget=forms.Textarea(attrs={"rows": 3}))
    hours = forms.IntegerField(
        label=_("Arrive within (hours)"),
        min_value=1,
        max_value=168,
        required=False,
        help_text=_("Default: 2 for an emergency, else 24."),
    )

    def __init__(
        self, data: Any = None, files: Any = None, *, instance: Any = None, user: Any = None, initial: Any = None
    ) -> None:
        super().__init__(data, files, user=user, initial=initial)
        household: Any = self.fields["household"]
        household.queryset = households_for(user, "add", MustArriveTask)
        household.widget = HouseholdPickerWidget(user=user)


class ArrivalForm(UserForm):
    visited_at = forms.DateTimeField(
        label=_("Arrived at"), widget=DateTimeInput(), required=False, help_text=_("Empty: now.")
    )
    findings = forms.CharField(label=_("Findings"), max_length=1000, widget=forms.Textarea(attrs={"rows": 3}))
    needs = forms.CharField(label=_("Needs"), max_length=1000, required=False)
    follow_up = forms.CharField(label=_("Follow-up"), max_length=1000, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["visited_at"]
        field.input_formats = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S"]


class ReassignForm(UserForm):
    member = forms.ModelChoiceField(queryset=Node.objects.none(), label=_("Committee member"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        member: Any = self.fields["member"]
        member.queryset = members_for(self.user)
        member.widget = MemberPickerWidget(user=self.user)


class AreaForm(forms.Form):
    node = forms.ModelChoiceField(
        queryset=Node.objects.none(),
        label=_("Area"),
        widget=NodePickerWidget(
            kinds=[Kind.CITY, Kind.DISTRICT, Kind.STREET, Kind.COMMUNITY, Kind.GRID], action="view"
        ),
    )
