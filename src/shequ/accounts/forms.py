from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from shequ.core.forms import ScopedFormMixin, ScopedModelForm
from shequ.territory.models import Node

from .models import User
from .roles import ROLE_CHOICES


class UserForm(ScopedModelForm):
    scope_action = "add"
    password = forms.CharField(
        label=_("Password"),
        widget=forms.PasswordInput(render_value=False),
        required=False,
        help_text=_("At least 10 characters; leave empty to keep the current one."),
    )

    class Meta:
        model = User
        fields = ["username", "full_name", "email", "phone", "node", "is_active"]


class GrantForm(ScopedFormMixin, forms.Form):
    scope_action = "add"
    role = forms.ChoiceField(label=_("Role"), choices=ROLE_CHOICES)
    node = forms.ModelChoiceField(label=_("Node"), queryset=Node.objects.filter(retired=False), required=False)
    organization = forms.ModelChoiceField(
        label=_("Organization"),
        queryset=Node.objects.none(),
        required=False,
        help_text=_(
            "For a party branch secretary: the branch (the role then covers it and its groups only); "
            "for a volunteer team captain: the team."
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from shequ.orgs.models import Organization

        from .models import Grant
        from .roles import ROLES

        node_field: Any = self.fields["node"]
        node_field.queryset = Node.objects.filter(retired=False).restrict(self.user, "add", perm_model=Grant)
        org_field: Any = self.fields["organization"]
        kinds = sorted({kind for role in ROLES.values() for kind in role.org_kinds})
        org_field.queryset = Organization.objects.filter(kind__in=kinds, active=True).restrict(
            self.user, "add", perm_model=Grant
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("organization") is not None:
            data["node"] = data["organization"].node
        elif data.get("node") is None:
            self.add_error(
                "node", _("Choose the place (or, for a branch secretary or a team captain, the organization).")
            )
        return data
