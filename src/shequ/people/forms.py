from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shequ.core.forms import ScopedFormMixin, ScopedModelForm
from shequ.core.widgets import NodePickerWidget
from shequ.territory.models import Node

from .actions import DWELLING_KINDS
from .identity import IdentityError, parse_identity, parse_phone
from .models import ETHNICITIES, ArchiveReason, CareTag, Gender, Household, Relation, Resident
from .privacy import may_see_full_id

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def dwelling_nodes(user: Any, action: str, model: Any = Resident) -> Any:
    return Node.objects.filter(retired=False, kind__in=DWELLING_KINDS).restrict(user, action, perm_model=model)


def use_dwellings(field: Any, user: Any, action: str, model: Any = Resident) -> None:
    """Offer (and accept) the places where *user* may do *action* on *model*, where people live."""
    field.queryset = dwelling_nodes(user, action, model)
    field.widget = NodePickerWidget(kinds=sorted(DWELLING_KINDS), action=action, model=model._meta.label_lower)


def dwelling_field(label: Any, required: bool = True) -> forms.ModelChoiceField:
    return forms.ModelChoiceField(label=label, queryset=Node.objects.none(), required=required)


def clean_identity_field(value: str) -> str:
    value = (value or "").strip()
    if not value:
        return ""
    try:
        return parse_identity(value).number
    except IdentityError as exc:
        raise forms.ValidationError(exc.message, code=exc.code) from None


class ResidentForm(ScopedModelForm):
    scope_action = "add"
    id_number = forms.CharField(
        label=_("Identity number"),
        required=False,
        max_length=40,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false", "inputmode": "text"}),
        help_text=_("18 characters; the gender and the birth date are read from it."),
    )

    class Meta:
        model = Resident
        fields = [
            "node",
            "name",
            "gender",
            "birth_date",
            "phone",
            "ethnicity",
            "education",
            "political_status",
            "employment",
            "residence_type",
            "tags",
            "notes",
        ]
        widgets = {"birth_date": DATE_INPUT, "notes": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.order_fields(["node", "name", "id_number"])
        tags: Any = self.fields["tags"]
        tags.queryset = CareTag.objects.filter(active=True)
        tags.widget = forms.CheckboxSelectMultiple()
        ethnicity: Any = self.fields["ethnicity"]
        self.fields["ethnicity"] = forms.TypedChoiceField(
            label=ethnicity.label, required=False, choices=[("", "—"), *((e, e) for e in ETHNICITIES)]
        )
        if self.instance.pk:
            del self.fields["node"]  # moving is its own action, with the history
            if self.instance.id_masked:
                if may_see_full_id(self.user, self.instance.path):
                    self.initial["id_number"] = self.instance.id_number
                else:
                    self.fields["id_number"].widget.attrs["placeholder"] = self.instance.id_masked
                    self.fields["id_number"].help_text = _("Leave empty to keep the current number.")
        else:
            use_dwellings(self.fields["node"], self.user, "add", Resident)
            self.fields["node"].label = _("Lives at")

    def clean_id_number(self) -> str:
        return clean_identity_field(self.cleaned_data.get("id_number", ""))

    def clean_phone(self) -> str:
        try:
            return parse_phone(self.cleaned_data.get("phone", ""))
        except IdentityError as exc:
            raise forms.ValidationError(exc.message, code=exc.code) from None

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        number = data.get("id_number") or (
            self.instance.id_number if self.instance.pk and self.instance.id_masked else ""
        )
        if number and "id_number" not in self.errors:
            identity = parse_identity(number)
            gender, born = data.get("gender"), data.get("birth_date")
            if gender and gender != identity.gender:
                self.add_error(
                    "gender",
                    _("The identity number says %(gender)s.") % {"gender": Gender(identity.gender).label},
                )
            if born and born != identity.birth_date:
                self.add_error(
                    "birth_date",
                    _("The identity number says %(date)s.") % {"date": identity.birth_date.isoformat()},
                )
        return data


class ArchiveForm(forms.Form):
    reason = forms.ChoiceField(label=_("Reason"), choices=ArchiveReason.choices)
    archived_on = forms.DateField(label=_("Date"), widget=DATE_INPUT, initial=timezone.localdate)
    note = forms.CharField(label=_("Note"), required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 2}))


class MoveForm(forms.Form):
    to_node = dwelling_field(_("Moves to"))
    moved_on = forms.DateField(label=_("Date"), widget=DATE_INPUT, initial=timezone.localdate)
    reason = forms.CharField(label=_("Reason"), required=False, max_length=200)

    def __init__(self, *args: Any, user: Any, model: Any = Resident, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        use_dwellings(self.fields["to_node"], user, "change", model)


class HouseholdMoveForm(MoveForm):
    address = forms.CharField(label=_("Room / address detail"), required=False, max_length=100)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, user=user, model=Household, **kwargs)


class HouseholdForm(ScopedModelForm):
    scope_action = "add"

    class Meta:
        model = Household
        fields = ["node", "number", "address"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            del self.fields["node"]
        else:
            use_dwellings(self.fields["node"], self.user, "add", Household)
            self.fields["node"].label = _("Lives at")


class MemberChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        relation = obj.get_relation_display() if obj.relation else ""
        return f"{obj.name}（{obj.id_masked or '—'}）{relation}"


class MemberMultipleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return MemberChoiceField.label_from_instance(self, obj)  # type: ignore[arg-type]


class AddMemberForm(ScopedFormMixin, forms.Form):
    """A resident living at the household's place, or anyone in scope by the full identity number."""

    resident = MemberChoiceField(label=_("Resident"), queryset=Resident.objects.none(), required=False)
    id_number = forms.CharField(
        label=_("…or the identity number"),
        required=False,
        max_length=40,
        help_text=_("For someone who lives elsewhere: they move to the household's place."),
    )
    relation = forms.ChoiceField(label=_("Relation to the head"), choices=Relation.choices, initial=Relation.CHILD)

    def __init__(self, *args: Any, household: Household, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.household = household
        field: Any = self.fields["resident"]
        field.queryset = (
            Resident.objects.restrict(self.user, "change")
            .filter(node=household.node, archived=False)
            .exclude(household=household)
            .order_by("name")[:300]
        )

    def clean_id_number(self) -> str:
        return clean_identity_field(self.cleaned_data.get("id_number", ""))

    def clean(self) -> dict[str, Any]:
        from .actions import find_by_identity

        data = super().clean() or {}
        if self.errors:
            return data
        if data.get("id_number"):
            found = find_by_identity(self.user, data["id_number"], "change")
            if found is None:
                raise forms.ValidationError(_("No resident with this identity number in your area."))
            data["resident"] = found
        if not data.get("resident"):
            raise forms.ValidationError(_("Choose a resident or give an identity number."))
        return data


class MemberForm(forms.Form):
    """Pick one current member (set the head, remove)."""

    resident = MemberChoiceField(label=_("Member"), queryset=Resident.objects.none())

    def __init__(self, *args: Any, household: Household, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["resident"]
        field.queryset = Resident.objects.filter(household=household, archived=False).order_by("name")


class SplitForm(forms.Form):
    members = MemberMultipleChoiceField(
        label=_("Members who form the new household"),
        queryset=Resident.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )
    head = MemberChoiceField(label=_("Head of the new household"), queryset=Resident.objects.none())
    number = forms.CharField(label=_("Household number"), required=False, max_length=40)
    address = forms.CharField(label=_("Room / address detail"), required=False, max_length=100)
    node = dwelling_field(_("Lives at (if elsewhere)"), required=False)

    def __init__(self, *args: Any, household: Household, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        members = Resident.objects.filter(household=household, archived=False).order_by("name")
        if household.head_id:
            members = members.exclude(pk=household.head_id)
        for name in ("members", "head"):
            field: Any = self.fields[name]
            field.queryset = members
        use_dwellings(self.fields["node"], user, "add", Household)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        head, members = data.get("head"), data.get("members")
        if head is not None and members is not None and head not in members:
            self.add_error("head", _("The new head must be one of the members who leave."))
        return data


class MergeForm(forms.Form):
    sources = forms.ModelMultipleChoiceField(
        label=_("Households that join this one"),
        queryset=Household.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("They are dissolved; their members move here."),
    )
    numbers = forms.CharField(
        label=_("…or their household numbers"),
        required=False,
        max_length=500,
        help_text=_("Separated by commas or spaces."),
    )

    def __init__(self, *args: Any, household: Household, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.household, self.user = household, user
        # Neighbours: households in the same building (or the same place, higher up).
        node = household.node
        anchor = node.parent.path if node.kind == "unit" and node.parent_id and node.parent else node.path
        field: Any = self.fields["sources"]
        field.queryset = self.candidates().within(anchor).select_related("node", "head")

    def candidates(self) -> Any:
        return Household.objects.restrict(self.user, "change").filter(dissolved=False).exclude(pk=self.household.pk)

    def clean(self) -> dict[str, Any]:
        import re

        data = super().clean() or {}
        chosen = list(data.get("sources") or [])
        numbers = [n for n in re.split(r"[\s,，、;；]+", data.get("numbers") or "") if n]
        if numbers:
            found = list(self.candidates().filter(number__in=numbers))
            missing = sorted(set(numbers) - {h.number for h in found})
            if missing:
                self.add_error(
                    "numbers", _("No such household in your area: %(numbers)s.") % {"numbers": "、".join(missing)}
                )
            chosen.extend(h for h in found if h not in chosen)
        if not chosen and not self.errors:
            raise forms.ValidationError(_("Choose the households to merge."))
        data["households"] = chosen
        return data


class CareTagForm(ScopedModelForm):
    class Meta:
        model = CareTag
        fields = ["name", "code", "description", "active"]
