from __future__ import annotations

import json
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from shequ.core.forms import ScopedModelForm

from .models import ALLOWED_PARENTS, Kind, Node


class NodeForm(ScopedModelForm):
    scope_action = "add"
    boundary_text = forms.CharField(
        label=_("Boundary (GeoJSON)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("A GeoJSON Polygon or MultiPolygon; leave empty for none."),
    )

    class Meta:
        model = Node
        fields = ["parent", "kind", "name", "code", "is_county", "latitude", "longitude"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        parent_field: Any = self.fields["parent"]
        parent_field.queryset = parent_field.queryset.filter(retired=False)
        parent = self.known_parent()
        if parent is not None and not self.instance.pk:
            # Offer only the kinds that may stand under the parent; preselect the usual one.
            allowed = [(k.value, k.label) for k in Kind if parent.kind in ALLOWED_PARENTS[k.value]]
            kind_field: Any = self.fields["kind"]
            kind_field.choices = allowed
            if allowed and not self.initial.get("kind"):
                self.initial["kind"] = allowed[0][0]
        if self.instance.pk:
            # Moving is its own action (with the subtree); kind does not change after creation.
            del self.fields["parent"]
            del self.fields["kind"]
            if self.instance.boundary:
                self.initial["boundary_text"] = json.dumps(self.instance.boundary, ensure_ascii=False)

    def known_parent(self) -> Node | None:
        raw = (self.data.get("parent") if self.is_bound else None) or self.initial.get("parent")
        try:
            return Node.objects.restrict(self.user, "add").filter(pk=int(raw)).first() if raw else None
        except (TypeError, ValueError):
            return None

    def clean_boundary_text(self) -> Any:
        text = self.cleaned_data.get("boundary_text", "").strip()
        if not text:
            return None
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise forms.ValidationError(_("Not valid JSON: %(error)s") % {"error": exc.msg}) from None
        if isinstance(data, dict) and data.get("type") == "Feature":
            data = data.get("geometry")
        if not isinstance(data, dict) or data.get("type") not in ("Polygon", "MultiPolygon"):
            raise forms.ValidationError(_("The boundary must be a GeoJSON Polygon or MultiPolygon."))
        if not isinstance(data.get("coordinates"), list):
            raise forms.ValidationError(_("The boundary has no coordinates."))
        return data

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        lat, lng = data.get("latitude"), data.get("longitude")
        if (lat is None) != (lng is None):
            raise forms.ValidationError(_("Give both latitude and longitude, or neither."))
        if lat is not None and lng is not None and not (-90 <= lat <= 90 and -180 <= lng <= 180):
            raise forms.ValidationError(_("The point is off the globe."))
        kind = data.get("kind") or self.instance.kind
        if data.get("is_county") and kind != Kind.DISTRICT:
            self.add_error("is_county", _("Only a district can be a county."))
        return data


class MoveForm(forms.Form):
    new_parent = forms.ModelChoiceField(queryset=Node.objects.none(), label=_("New parent"))

    def __init__(self, *args: Any, user: Any, node: Node, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        allowed = {
            "district": ["city"],
            "street": ["district"],
            "community": ["street"],
            "grid": ["community"],
            "estate": ["community", "grid"],
            "building": ["community", "grid", "estate"],
            "unit": ["building"],
        }.get(node.kind, [])
        self.fields["new_parent"].queryset = (  # type: ignore[attr-defined]
            Node.objects.restrict(user, "add").filter(retired=False, kind__in=allowed).exclude(path__within=node.path)
        )


class RetireForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=200)
