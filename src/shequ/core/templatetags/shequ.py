from __future__ import annotations

import copy
from typing import Any

from django import forms, template
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from shequ.core.widgets import SearchPickerWidget

register = template.Library()


# In a filter form an empty yes/no choice means "either", not "unknown" (Django's label for a form).
ANY_YES_NO = [("unknown", _("Any")), ("true", _("Yes")), ("false", _("No"))]


@register.simple_tag
def widget(field: Any, filtering: bool = False) -> SafeString:
    """Render a bound field's widget with the Tabler/Bootstrap class its kind needs (``filtering``: in a
    filter form, where an empty yes/no choice reads "any")."""
    w = field.field.widget
    if filtering and isinstance(w, forms.NullBooleanSelect):
        w = copy.copy(w)
        w.choices = ANY_YES_NO
    if isinstance(w, forms.CheckboxInput | forms.RadioSelect | forms.CheckboxSelectMultiple):
        css = "form-check-input"
    elif isinstance(w, forms.Select | forms.SelectMultiple):
        css = "form-select"
    elif w.is_hidden or isinstance(w, SearchPickerWidget):
        return field.as_widget(widget=w)
    else:
        css = "form-control"
    if field.errors:
        css += " is-invalid"
    existing = w.attrs.get("class", "")
    return field.as_widget(widget=w, attrs={"class": f"{existing} {css}".strip()})
