"""The form renderer: Django's templates, except for selects, which are written in Python.

Django renders a select through one template per option: a filter form's category list of 50 options
cost 9 ms, a fifth of the staff request list page.  The markup is exactly that of Django's
``select.html`` and ``select_option.html`` (attributes as ``attrs.html`` writes them)."""

from __future__ import annotations

from typing import Any

from django.forms.renderers import TemplatesSetting
from django.forms.utils import flatatt
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

SELECT = "django/forms/widgets/select.html"
OPTION = "django/forms/widgets/select_option.html"


class FormRenderer(TemplatesSetting):
    def render(self, template_name: str, context: dict[str, Any], request: Any = None) -> str:
        widget = context.get("widget") if template_name == SELECT else None
        if widget is not None and all(
            option.get("template_name") == OPTION
            for _group, options, _index in widget["optgroups"]
            for option in options
        ):
            return render_select(widget)
        return super().render(template_name, context, request)


def render_select(widget: dict[str, Any]) -> SafeString:
    parts: list[str] = [format_html('<select name="{}"{}>', widget["name"], flatatt(widget["attrs"]))]
    for group, options, _index in widget["optgroups"]:
        if group:
            parts.append(format_html('<optgroup label="{}">', group))
        for option in options:
            parts.append(
                format_html(
                    '<option value="{}"{}>{}</option>', option["value"], flatatt(option["attrs"]), option["label"]
                )
            )
        if group:
            parts.append("</optgroup>")
    parts.append("</select>")
    return mark_safe("".join(parts))  # noqa: S308 -- every part is escaped by format_html
