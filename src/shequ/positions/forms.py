"""Forms of facilities, inspections, culture and funds (bounds from the models; rules in the actions)."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shequ.core.forms import ScopedFormMixin, ScopedModelForm, UserForm
from shequ.orgs.forms import DateInput
from shequ.territory.models import Kind, Node

from .models import (
    MAX_AMOUNT,
    Book,
    Category,
    CulturalBrand,
    CulturalEvent,
    EntryKind,
    Facility,
    FundAccount,
    LedgerEntry,
    Room,
    StandardCheck,
)


def communities_only(form: Any, name: str = "node") -> None:
    field = form.fields.get(name)
    if field is not None and hasattr(field, "queryset"):
        field.queryset = field.queryset.filter(kind=Kind.COMMUNITY)
        field.label = _("Community")
        widget = getattr(field, "widget", None)
        if widget is not None and hasattr(widget, "kinds"):
            widget.kinds = [Kind.COMMUNITY]


class FacilityForm(ScopedModelForm):
    scope_action = "add"
    rooms = forms.MultipleChoiceField(
        label=_("Rooms and stations"), choices=Room.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    line_text = forms.CharField(
        label=_("Course of a fitness path"),
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("GeoJSON LineString, e.g. drawn on the map and pasted here."),
    )

    class Meta:
        model = Facility
        fields = ["node", "kind", "name", "area", "housing_area", "rooms", "opening_hours", "latitude", "longitude"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        communities_only(self)
        if self.instance.pk and self.instance.line:
            self.initial["line_text"] = json.dumps(self.instance.line, ensure_ascii=False)

    def clean_line_text(self) -> Any:
        text = self.cleaned_data.get("line_text", "").strip()
        if not text:
            return None
        try:
            value = json.loads(text)
        except ValueError:
            raise forms.ValidationError(_("Not valid GeoJSON.")) from None
        if not isinstance(value, dict) or value.get("type") != "LineString":
            raise forms.ValidationError(_("The line must be a GeoJSON LineString of two points or more."))
        return value

    def save(self, commit: bool = True) -> Any:
        obj = super().save(commit=False)
        obj.line = self.cleaned_data.get("line_text")
        obj.rooms = list(self.cleaned_data.get("rooms") or [])
        return obj


class StandardCheckForm(ScopedModelForm):
    scope_action = "add"

    class Meta:
        model = StandardCheck
        fields = [
            "node",
            "organization",
            "year",
            "checked_on",
            *StandardCheck.HAVES,
            "evidence",
            "inspector",
        ]
        widgets = {"checked_on": DateInput(), "evidence": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        communities_only(self)
        if not self.instance.pk:
            self.fields["year"].initial = timezone.localdate().year
            self.fields["checked_on"].initial = timezone.localdate()
        from shequ.orgs.models import COMMUNITY_PARTY_KINDS

        org = self.fields["organization"]
        org.queryset = org.queryset.filter(kind__in=COMMUNITY_PARTY_KINDS)  # type: ignore[attr-defined]


class BrandForm(ScopedModelForm):
    scope_action = "add"

    class Meta:
        model = CulturalBrand
        fields = ["node", "name", "description", "since"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        communities_only(self)


class EventForm(ScopedModelForm):
    scope_action = "add"

    class Meta:
        model = CulturalEvent
        fields = ["node", "brand", "title", "held_on", "place", "participants"]
        widgets = {"held_on": DateInput()}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        communities_only(self)


class AccountForm(ScopedFormMixin, forms.Form):
    scope_action = "add"
    scope_model = FundAccount
    node = forms.ModelChoiceField(queryset=Node.objects.all(), label=_("Community"))
    bank = forms.CharField(label=_("Bank"), max_length=100)
    number = forms.CharField(label=_("Account number"), max_length=34)
    opened_on = forms.DateField(label=_("Opened on"), required=False, widget=DateInput())

    def __init__(self, *args: Any, instance: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        communities_only(self)


class EntryForm(ScopedFormMixin, forms.Form):
    """An entry of a book; the amount is typed positive, the kind says whether money comes in or goes out."""

    scope_action = "add"
    scope_model = LedgerEntry
    account = forms.ModelChoiceField(queryset=FundAccount.objects.select_related("node"), label=_("Account"))
    book = forms.ChoiceField(label=_("Book"), choices=Book.choices)
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=[(EntryKind.ALLOCATION, EntryKind.ALLOCATION.label), (EntryKind.SPENDING, EntryKind.SPENDING.label)],
    )
    category = forms.ChoiceField(label=_("Category"), choices=Category.choices)
    amount = forms.DecimalField(
        label=_("Amount (yuan)"),
        max_digits=14,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(MAX_AMOUNT)],
    )
    occurred_on = forms.DateField(label=_("Date"), widget=DateInput(), initial=timezone.localdate)
    voucher = forms.CharField(label=_("Voucher number"), max_length=40, required=False)
    description = forms.CharField(label=_("Description"), max_length=200, required=False)

    def __init__(self, *args: Any, instance: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instance = instance
        if instance is not None and not self.is_bound:
            for name in ("account", "book", "kind", "category", "occurred_on", "voucher", "description"):
                self.initial[name] = getattr(instance, name)
            self.initial["amount"] = abs(instance.amount)


class StatementForm(ScopedFormMixin, forms.Form):
    scope_action = "add"
    scope_model = FundAccount
    node = forms.ModelChoiceField(queryset=Node.objects.all(), label=_("Community"))
    year = forms.IntegerField(
        label=_("Year"), min_value=2000, max_value=2100, initial=lambda: timezone.localdate().year
    )
    quarter = forms.IntegerField(label=_("Quarter"), min_value=1, max_value=4)

    def __init__(self, *args: Any, instance: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        communities_only(self)


class VoucherForm(UserForm):
    file = forms.FileField(label=_("Voucher (scan or photo)"))


class PhotoForm(forms.Form):
    file = forms.FileField(label=_("Photo"))
