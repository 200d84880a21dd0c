from __future__ import annotations

from typing import Any, ClassVar

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shequ.core.forms import ScopedModelForm
from shequ.core.widgets import NodePickerWidget
from shequ.territory.models import Kind as NodeKind
from shequ.territory.models import Node

from .models import PARTY_KINDS, Organization, Post, Title
from .widgets import OrganizationPickerWidget, ResidentPickerWidget


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")


DATE_FIELDS_ORG = ("established_on", "filed_on", "registered_on", "contract_start", "contract_end")


class OrganizationForm(ScopedModelForm):
    class Meta:
        model = Organization
        fields = [
            "kind",
            "name",
            "node",
            "parent",
            "code",
            "established_on",
            "phone",
            "address",
            "registration",
            "filed_on",
            "registered_on",
            "contract_start",
            "contract_end",
            "has_party_org",
            "party_work_carried_out",
            "notes",
        ]
        widgets = {name: DateInput() for name in DATE_FIELDS_ORG} | {"notes": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        action = "change" if self.instance.pk else "add"
        node_field: Any = self.fields["node"]
        node_field.queryset = Node.objects.restrict(self.user, action, perm_model=Organization).filter(retired=False)
        node_field.widget = NodePickerWidget(action="view")
        node_field.help_text = _("Where it sits: a street committee on the street, a residential-area branch on it …")
        parent_field: Any = self.fields["parent"]
        parent_field.queryset = Organization.objects.restrict(self.user, "view").filter(
            kind__in=PARTY_KINDS, active=True
        )
        parent_field.widget = OrganizationPickerWidget(kinds=list(PARTY_KINDS))
        if self.instance.pk:
            parent_field.queryset = parent_field.queryset.exclude(pk=self.instance.pk)
        self.fields["registration"].help_text = _("Social organizations only.")
        self.fields["contract_start"].help_text = _("Property companies only.")
        self.fields["has_party_org"].help_text = _("“Two new” organizations only.")


class PostForm(ScopedModelForm):
    class Meta:
        model = Post
        fields = ["organization", "person", "person_name", "title", "title_other", "start_date", "end_date", "notes"]
        widgets = {"start_date": DateInput(), "end_date": DateInput()}

    # The name of an "other" post, asked for only then.
    shown_when: ClassVar[dict[str, tuple[str, tuple[str, ...]]]] = {"title_other": ("title", (Title.OTHER,))}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from shequ.people.models import Resident

        org_field: Any = self.fields["organization"]
        org_field.queryset = Organization.objects.restrict(self.user, "view").select_related("node")
        org_field.widget = OrganizationPickerWidget()
        person_field: Any = self.fields["person"]
        person_field.queryset = Resident.objects.restrict(self.user, "view")
        person_field.widget = ResidentPickerWidget()
        if not self.instance.pk and not self.initial.get("start_date"):
            self.initial["start_date"] = timezone.localdate()


class DissolveForm(forms.Form):
    on = forms.DateField(label=_("Dissolved on"), widget=DateInput(), initial=timezone.localdate)
    reason = forms.CharField(label=_("Reason"), max_length=200, required=False)


class EndPostForm(forms.Form):
    end_date = forms.DateField(label=_("Left the post on"), widget=DateInput(), initial=timezone.localdate)


class EstateForm(forms.Form):
    estate = forms.ModelChoiceField(queryset=Node.objects.none(), label=_("Residential area"))

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["estate"]
        field.queryset = Node.objects.restrict(user, "change", perm_model=Organization).filter(
            kind=NodeKind.ESTATE, retired=False
        )
        field.widget = NodePickerWidget(kinds=[NodeKind.ESTATE], action="view")


class MemberForm(forms.Form):
    member = forms.ModelChoiceField(queryset=Organization.objects.none(), label=_("Member unit"))

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["member"]
        field.queryset = Organization.objects.restrict(user, "view").filter(active=True)
        field.widget = OrganizationPickerWidget()


class MetricsForm(forms.Form):
    node = forms.ModelChoiceField(
        queryset=Node.objects.none(),
        label=_("Area"),
        widget=NodePickerWidget(
            kinds=[NodeKind.CITY, NodeKind.DISTRICT, NodeKind.STREET, NodeKind.COMMUNITY], action="view"
        ),
    )
