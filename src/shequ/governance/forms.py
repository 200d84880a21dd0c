"""Forms of the governance app: a decision and its meetings, disclosures and duties, the access list."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shequ.core.forms import ScopedModelForm, UserForm
from shequ.orgs.forms import DateInput
from shequ.territory.models import Kind

from .models import (
    MAX_AMOUNT,
    MAX_PEOPLE,
    AccessItem,
    AccessList,
    Decision,
    Disclosure,
    DisclosureRequirement,
    GovernanceRules,
    Handover,
)


class CommunityFormMixin:
    """The place of the record is a community of the user's area."""

    place_kinds: tuple[str, ...] = (Kind.COMMUNITY,)

    def clean_node(self) -> Any:
        node = self.cleaned_data.get("node")  # type: ignore[attr-defined]
        if node is not None and node.kind not in self.place_kinds:
            raise forms.ValidationError(
                _("Choose a district.") if self.place_kinds == (Kind.DISTRICT,) else _("Choose a community.")
            )
        return node


class DecisionForm(CommunityFormMixin, ScopedModelForm):
    class Meta:
        model = Decision
        fields = ["node", "title", "kind", "amount", "description", "organization"]
        labels = {"node": _("Community")}
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from shequ.orgs.models import PARTY_KINDS

        field = self.fields["organization"]
        field.queryset = field.queryset.filter(kind__in=PARTY_KINDS, active=True)  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("kind") == "funds" and data.get("amount") is None:
            self.add_error("amount", _("A decision on funds names the amount."))
        return data


def _count(label: Any, minimum: int = 0) -> forms.IntegerField:
    return forms.IntegerField(label=label, min_value=minimum, max_value=MAX_PEOPLE)


class MeetingForm(UserForm):
    held_on = forms.DateField(label=_("Held on"), widget=DateInput())
    entitled = _count(_("Members entitled to attend"), 1)
    present = _count(_("Present"))
    votes_for = _count(_("For"))
    votes_against = _count(_("Against"))
    votes_abstaining = _count(_("Abstaining"))
    attendees = forms.CharField(
        label=_("Attendees"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Names of those present, separated by commas."),
    )
    minutes = forms.CharField(label=_("Minutes"), max_length=10000, widget=forms.Textarea(attrs={"rows": 5}))

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        held_on = data.get("held_on")
        if held_on is not None and held_on > timezone.localdate():
            self.add_error("held_on", _("A meeting cannot be in the future."))
        entitled, present = data.get("entitled"), data.get("present")
        if entitled is not None and present is not None and present > entitled:
            self.add_error("present", _("More present than entitled to attend."))
        votes = [data.get(k) for k in ("votes_for", "votes_against", "votes_abstaining")]
        if present is not None and None not in votes and sum(votes) != present:  # type: ignore[arg-type]
            self.add_error(
                "votes_for",
                _("The votes do not add up: %(sum)d cast, but %(present)d were present.")
                % {"sum": sum(votes), "present": present},  # type: ignore[arg-type]
            )
        return data


class ResolutionForm(MeetingForm):
    resolution = forms.CharField(
        label=_("Resolution"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Published on the community's public board: names of officials only, nothing personal."),
    )


class ResultForm(UserForm):
    result = forms.CharField(
        label=_("Implementation result"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Published on the community's public board: names of officials only, nothing personal."),
    )


class ReasonForm(UserForm):
    reason = forms.CharField(label=_("Reason"), max_length=500)


class AttachForm(UserForm):
    file = forms.FileField(label=_("Document or photo"))


class DisclosureForm(CommunityFormMixin, ScopedModelForm):
    class Meta:
        model = Disclosure
        fields = ["node", "kind", "title", "body", "published_on", "expires_on"]
        labels = {"node": _("Community")}
        widgets = {
            "body": forms.Textarea(attrs={"rows": 8}),
            "published_on": DateInput(),
            "expires_on": DateInput(),
        }
        help_texts = {"body": _("Names of officials only: no identity or phone numbers.")}

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        start, end = data.get("published_on"), data.get("expires_on")
        if start and end and end < start:
            self.add_error("expires_on", _("It cannot leave the board before it is published."))
        return data


class RequirementForm(CommunityFormMixin, ScopedModelForm):
    class Meta:
        model = DisclosureRequirement
        fields = ["node", "kind", "frequency", "grace_days"]
        labels = {"node": _("Community")}


class RulesForm(CommunityFormMixin, ScopedModelForm):
    class Meta:
        model = GovernanceRules
        fields = [
            "node",
            "proposal_quorum",
            "discussion_quorum",
            "review_quorum",
            "resolution_quorum",
            "publicity_days",
        ]
        labels = {"node": _("Community")}


class AccessListForm(CommunityFormMixin, ScopedModelForm):
    place_kinds = (Kind.DISTRICT,)

    class Meta:
        model = AccessList
        fields = ["node", "reference"]
        labels = {"node": _("District")}


class AccessItemForm(ScopedModelForm):
    class Meta:
        model = AccessItem
        fields = ["access_list", "matter", "legal_basis", "department", "funds_per_year"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from .models import ListStatus

        field = self.fields["access_list"]
        field.queryset = AccessList.objects.restrict(self.user, "change").filter(status=ListStatus.DRAFT)  # type: ignore[attr-defined]


class HandoverForm(CommunityFormMixin, ScopedModelForm):
    department = forms.CharField(label=_("Department"), max_length=100)
    matter = forms.CharField(
        label=_("Matter"), max_length=200, help_text=_("As written on the district's work access list.")
    )

    class Meta:
        model = Handover
        fields = ["node", "department", "matter", "year", "accepted_on"]
        labels = {"node": _("Community")}
        widgets = {"accepted_on": DateInput()}


class FundsForm(UserForm):
    amount = forms.DecimalField(
        label=_("Funds transferred (yuan)"), max_digits=12, decimal_places=2, min_value=0.01, max_value=MAX_AMOUNT - 1
    )
    transferred_on = forms.DateField(label=_("Transferred on"), widget=DateInput())
