from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from .spreadsheets import SPREADSHEET_EXTENSIONS


class ScopedFormMixin:
    """Every choice of a related object is limited to what the user may use (``restrict``).

    Places (territory nodes) are offered where the user may do ``scope_action`` on the
    *form's* model: a party secretary with write rights on organizations but read-only
    rights on the territory still picks the place of a new organization.
    """

    scope_action = "view"
    scope_model: Any = None

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[call-arg]
        self.user = user
        from shequ.territory.models import Node

        from .widgets import NodePickerWidget, bind_pickers

        meta = getattr(self, "_meta", None)
        perm_model = self.scope_model or getattr(meta, "model", None) or Node
        for field in self.fields.values():  # type: ignore[attr-defined]
            qs = getattr(field, "queryset", None)
            if qs is not None and hasattr(qs, "restrict"):
                if qs.model is Node:
                    field.queryset = qs.restrict(user, self.scope_action, perm_model=perm_model)
                    if isinstance(field, forms.ModelChoiceField):
                        field.widget = NodePickerWidget(
                            action=self.scope_action, model=perm_model._meta.label_lower, user=user
                        )
                else:
                    field.queryset = qs.restrict(user, self.scope_action)
        bind_pickers(self.fields.values(), user)  # type: ignore[attr-defined]


class ScopedModelForm(ScopedFormMixin, forms.ModelForm):
    pass


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("Spreadsheet"),
        help_text=_("Excel (.xlsx, .xls), OpenDocument (.ods) or CSV (UTF-8 or GB18030)."),
    )

    def __init__(self, *args: Any, max_bytes: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.max_bytes = max_bytes

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        name = upload.name.lower()
        if not name.endswith(SPREADSHEET_EXTENSIONS):
            raise forms.ValidationError(
                _("Unsupported file type: use .xlsx, .xls, .ods or .csv."), code="bad_file_type"
            )
        if upload.size > self.max_bytes:
            raise forms.ValidationError(
                _("The file is too large (%(size)d MB; at most %(max)d MB).")
                % {"size": upload.size // 2**20, "max": self.max_bytes // 2**20},
                code="too_large",
            )
        return upload


class ImportConfirmForm(forms.Form):
    MODES = [
        ("valid", _("Import the valid rows, skip the rejected ones")),
        ("all", _("All or nothing: import only if every row is valid")),
    ]
    mode = forms.ChoiceField(
        label=_("How to import"),
        choices=MODES,
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
        initial="valid",
    )


class UserForm(forms.Form):
    """A form that knows who fills it (choices limited to their area; a step's form)."""

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        from .widgets import bind_pickers

        bind_pickers(self.fields.values(), user)


class ConfirmForm(UserForm):
    """A step that needs nothing but the click."""


class ReasonForm(UserForm):
    reason = forms.CharField(label=_("Reason"), max_length=200)


class NoteForm(UserForm):
    note = forms.CharField(label=_("Note"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
