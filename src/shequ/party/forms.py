from __future__ import annotations

from typing import Any, ClassVar

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from shequ.core.forms import ScopedModelForm
from shequ.core.widgets import NodePickerWidget
from shequ.orgs.models import Organization
from shequ.orgs.widgets import ResidentPickerWidget
from shequ.territory.models import Kind as NodeKind
from shequ.territory.models import Node

from .actions.common import MEMBER_ORG_KINDS
from .models import (
    Category,
    CommunityReport,
    DevelopmentRecord,
    MemberStatus,
    PartyMember,
    RelationTransfer,
    TransferKind,
)
from .models.members import MANUAL_EVENT_KINDS, EventKind
from .widgets import MemberPickerWidget, PartyOrgPickerWidget


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")


def party_orgs(user: Any, action: str, perm_model: Any = PartyMember) -> Any:
    return Organization.objects.restrict(user, action, perm_model=perm_model).filter(
        kind__in=MEMBER_ORG_KINDS, active=True
    )


def members_field(user: Any, label: Any, required: bool = True) -> forms.ModelChoiceField:
    return forms.ModelChoiceField(
        queryset=PartyMember.objects.restrict(user, "view").filter(status=MemberStatus.FULL),
        label=label,
        required=required,
        widget=MemberPickerWidget(),
    )


ID_HELP = _("18 characters; the birth date and gender are read from it.")


class PartyMemberForm(ScopedModelForm):
    id_number = forms.CharField(label=_("Identity number"), max_length=30, required=False, help_text=ID_HELP)
    status = forms.ChoiceField(label=_("Status"), choices=MemberStatus.choices[:2], initial=MemberStatus.FULL)

    class Meta:
        model = PartyMember
        fields = [
            "name",
            "organization",
            "status",
            "joined_on",
            "converted_on",
            "category",
            "resident",
            "phone",
            "ethnicity",
            "education",
            "occupation",
            "work_unit",
            "dues_base",
            "basic_allowance",
            "notes",
        ]
        widgets = {"joined_on": DateInput(), "converted_on": DateInput(), "notes": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from shequ.people.models import Resident

        resident: Any = self.fields["resident"]
        resident.queryset = Resident.objects.restrict(self.user, "view")
        resident.widget = ResidentPickerWidget()
        if self.instance.pk:
            # The organization changes by a transfer, the status by its own actions.
            del self.fields["organization"]
            del self.fields["status"]
            self.fields["id_number"].help_text = _("Leave empty to keep the number recorded.")
        else:
            field: Any = self.fields["organization"]
            field.queryset = party_orgs(self.user, "add")
            field.widget = PartyOrgPickerWidget()

    def _post_clean(self) -> None:  # the actions check the archive
        pass


class DevelopmentRecordForm(ScopedModelForm):
    id_number = forms.CharField(label=_("Identity number"), max_length=30, required=False, help_text=ID_HELP)

    class Meta:
        model = DevelopmentRecord
        fields = ["name", "organization", "applied_on", "resident", "phone", "education", "occupation", "notes"]
        widgets = {"applied_on": DateInput(), "notes": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from shequ.people.models import Resident

        resident: Any = self.fields["resident"]
        resident.queryset = Resident.objects.restrict(self.user, "view")
        resident.widget = ResidentPickerWidget()
        if self.instance.pk:
            for name in ("organization", "applied_on", "resident", "id_number"):
                del self.fields[name]
        else:
            field: Any = self.fields["organization"]
            field.queryset = party_orgs(self.user, "add", DevelopmentRecord)
            field.widget = PartyOrgPickerWidget()

    def _post_clean(self) -> None:
        pass


class OnForm(forms.Form):
    on = forms.DateField(label=_("Date"), widget=DateInput(), initial=timezone.localdate)

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user


class ActivistForm(OnForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["contact_1"] = members_field(self.user, _("Contact person"))
        self.fields["contact_2"] = members_field(self.user, _("Second contact person"), required=False)


class AdmitForm(OnForm):
    category = forms.ChoiceField(label=_("Category"), choices=Category.choices)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["introducer_1"] = members_field(self.user, _("Introducer"))
        self.fields["introducer_2"] = members_field(self.user, _("Second introducer"))


class ReasonForm(OnForm):
    reason = forms.CharField(label=_("Reason"), max_length=200)


class ExtendForm(OnForm):
    months = forms.IntegerField(label=_("Extend by (months)"), min_value=1, max_value=12, initial=6)
    reason = forms.CharField(label=_("Reason"), max_length=200)


class StatusForm(OnForm):
    status = forms.ChoiceField(
        label=_("New status"),
        choices=[
            (MemberStatus.LOST_CONTACT, MemberStatus.LOST_CONTACT.label),
            (MemberStatus.DECEASED, MemberStatus.DECEASED.label),
            (MemberStatus.LEFT, MemberStatus.LEFT.label),
            ("active", _("contact regained")),
        ],
    )
    reason = forms.CharField(label=_("Reason"), max_length=200, required=False)


class EventForm(OnForm):
    kind = forms.ChoiceField(
        label=_("Kind"), choices=[(k.value, k.label) for k in EventKind if k in MANUAL_EVENT_KINDS]
    )
    title = forms.CharField(label=_("Title"), max_length=200)
    details = forms.CharField(label=_("Details"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    hours = forms.DecimalField(label=_("Hours"), required=False, max_digits=6, decimal_places=1)


class DuesForm(forms.Form):
    month = forms.DateField(label=_("Month paid for"), widget=DateInput(), initial=timezone.localdate)
    paid_on = forms.DateField(label=_("Paid on"), widget=DateInput(), initial=timezone.localdate)
    amount = forms.DecimalField(
        label=_("Amount (yuan)"), required=False, max_digits=8, decimal_places=2, help_text=_("Empty: the amount due.")
    )

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)


class TransferRequestForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=list(TransferKind.choices)[:2])
    to_org = forms.ModelChoiceField(
        queryset=Organization.objects.filter(kind__in=MEMBER_ORG_KINDS, active=True),
        label=_("To (on the platform)"),
        required=False,
        widget=PartyOrgPickerWidget(everywhere=True),
    )
    outside_org = forms.CharField(label=_("To (outside the platform)"), max_length=200, required=False)
    letter_number = forms.CharField(label=_("Letter number"), max_length=50, required=False)
    valid_until = forms.DateField(label=_("Letter valid until"), widget=DateInput(), required=False)
    reason = forms.CharField(label=_("Reason for the transfer"), max_length=200, required=False)

    shown_when: ClassVar[dict[str, tuple[str, tuple[str, ...]]]] = {
        "to_org": ("kind", (TransferKind.INTERNAL,)),
        "outside_org": ("kind", (TransferKind.OUTGOING,)),
        "letter_number": ("kind", (TransferKind.OUTGOING,)),
        "valid_until": ("kind", (TransferKind.OUTGOING,)),
    }

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)


class ApproveForm(OnForm):
    letter_number = forms.CharField(label=_("Letter number"), max_length=50, required=False)
    valid_until = forms.DateField(label=_("Letter valid until"), widget=DateInput(), required=False)


class IncomingForm(forms.Form):
    to_org = forms.ModelChoiceField(queryset=Organization.objects.none(), label=_("Receiving organization"))
    outside_org = forms.CharField(label=_("From (outside the platform)"), max_length=200)
    letter_number = forms.CharField(label=_("Letter number"), max_length=50)
    valid_until = forms.DateField(label=_("Letter valid until"), widget=DateInput(), required=False)
    person_name = forms.CharField(label=pgettext_lazy("person", "Name"), max_length=50)
    id_number = forms.CharField(label=_("Identity number"), max_length=30)
    member_status = forms.ChoiceField(label=_("Status"), choices=MemberStatus.choices[:2])
    joined_on = forms.DateField(label=_("Joined the Party on"), widget=DateInput())
    category = forms.ChoiceField(label=_("Category"), choices=Category.choices)
    reason = forms.CharField(label=_("Reason for the transfer"), max_length=200, required=False)

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["to_org"]
        field.queryset = party_orgs(user, "add", RelationTransfer)
        field.widget = PartyOrgPickerWidget()


class CommunityReportForm(ScopedModelForm):
    member_id_number = forms.CharField(
        label=_("Identity number of the member"),
        max_length=30,
        required=False,
        help_text=_("For a member of an organization outside your area: the full number they show."),
    )

    class Meta:
        model = CommunityReport
        fields = ["member", "node", "branch", "registered_on", "notes"]
        widgets = {"registered_on": DateInput()}
        labels = {"node": _("Community")}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        member: Any = self.fields["member"]
        member.queryset = PartyMember.objects.restrict(self.user, "view")
        member.required = False
        member.widget = MemberPickerWidget()
        node: Any = self.fields["node"]
        node.queryset = Node.objects.restrict(self.user, "add", perm_model=CommunityReport).filter(
            kind=NodeKind.COMMUNITY, retired=False
        )
        node.widget = NodePickerWidget(kinds=[NodeKind.COMMUNITY], action="add", model="party.communityreport")
        branch: Any = self.fields["branch"]
        branch.queryset = Organization.objects.restrict(self.user, "add", perm_model=CommunityReport).filter(
            kind__in=MEMBER_ORG_KINDS
        )
        branch.widget = PartyOrgPickerWidget()
        if self.instance.pk:
            for name in ("member", "member_id_number", "node", "branch", "registered_on"):
                del self.fields[name]

    def _post_clean(self) -> None:
        pass


class ActivityForm(OnForm):
    title = forms.CharField(label=_("Activity"), max_length=200)
    hours = forms.DecimalField(label=_("Hours"), max_digits=5, decimal_places=1)


class SelectionForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), initial=lambda: timezone.localdate().year)
    citation = forms.CharField(label=_("Citation"), max_length=200, required=False)

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)


class StatsForm(forms.Form):
    node = forms.ModelChoiceField(
        queryset=Node.objects.none(),
        label=_("Area"),
        widget=NodePickerWidget(
            kinds=[NodeKind.CITY, NodeKind.DISTRICT, NodeKind.STREET, NodeKind.COMMUNITY], action="view"
        ),
    )
