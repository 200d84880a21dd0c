from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def percent(value: Any) -> str:
    """0.6 → "60.0%"; None → "—"."""
    if value is None or value == "":
        return "—"
    return f"{float(value) * 100:.1f}%"


@register.simple_tag
def target_badge(ok: bool | None) -> SafeString:
    """A pass / fail / no-data badge for a target."""
    if ok is None:
        return format_html('<span class="badge bg-secondary-lt" data-target="none">{}</span>', _("no data"))
    if ok:
        return format_html('<span class="badge bg-green-lt" data-target="met">{}</span>', _("met"))
    return format_html('<span class="badge bg-red-lt" data-target="missed">{}</span>', _("not met"))


@register.simple_tag
def yes_no(value: bool | None) -> str:
    if value is None:
        return "—"
    return _("yes") if value else _("no")
