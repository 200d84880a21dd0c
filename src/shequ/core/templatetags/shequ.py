from __future__ import annotations

import copy
from typing import Any

from django import forms, template
from django.core.exceptions import ImproperlyConfigured
from django.utils import translation
from django.utils.html import conditional_escape, format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

from shequ.core.widgets import SearchPickerWidget, bind_pickers

register = template.Library()


# In a filter form an empty yes/no choice means "either", not "unknown" (Django's label for a form).
ANY_YES_NO = [("unknown", _("Any")), ("true", _("Yes")), ("false", _("No"))]


@register.simple_tag(takes_context=True)
def widget(context: Any, field: Any, filtering: bool = False) -> SafeString:
    """Render a bound field's widget with the Tabler/Bootstrap class its kind needs (``filtering``: in a
    filter form, where an empty yes/no choice reads "any").  A picker no form told who is looking names its
    chosen object as the request's user may see it (``core.widgets.bind_pickers``)."""
    w = field.field.widget
    request = context.get("request")
    if isinstance(w, SearchPickerWidget) and request is not None:
        bind_pickers([field.field], getattr(request, "user", None))
    if filtering and isinstance(w, forms.NullBooleanSelect):
        w = copy.copy(w)
        w.choices = ANY_YES_NO
    if filtering and type(w) is forms.SelectMultiple:
        return checklist(field)
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


@register.simple_tag(takes_context=True)
def sidebar_menu(context: Any) -> SafeString:
    """The entries of the side menu (``core.menu.menu_for``), written once per set of grants, language and
    active entry (``accounts.authcache``), not looped over in the template on every page."""
    from shequ.accounts import authcache
    from shequ.accounts.scope import grants_key

    user = getattr(context.get("request"), "user", None)
    menu, active = context.get("menu") or [], context.get("active_menu_url")
    if not menu or user is None or not user.is_authenticated:
        return mark_safe("")
    key = (grants_key(user), translation.get_language(), active)
    html = authcache.get("sidebar", key)
    if html is None:
        html = format_html_join(
            "\n",
            '<li class="nav-item mt-2"><span class="nav-link disabled text-uppercase small">{}</span></li>{}',
            (
                (
                    section,
                    format_html_join(
                        "",
                        '<li class="nav-item"><a class="nav-link{}" href="{}">'
                        '<span class="nav-link-title">{}</span></a></li>',
                        ((" active" if url == active else "", url, item.label) for item, url in items),
                    ),
                )
                for section, items in menu
            ),
        )
        authcache.put("sidebar", key, html)
    return html


def _render(context: Any, name: str) -> SafeString:
    """Template *name* rendered in the page's *context* (only when a remembered fragment is missing)."""
    return context.template.engine.get_template(name).render(context)  # type: ignore[no-any-return]


def unread_badge(count: int) -> SafeString:
    """The bell's red badge: the unread count, "99+" past the cap, nothing at 0."""
    from shequ.core.notifications import UNREAD_CAP

    if not count:
        return mark_safe("")
    return format_html(
        '<span class="badge bg-red badge-pill position-absolute top-0 start-100 translate-middle"'
        ' data-testid="unread-count">{}</span>',
        f"{UNREAD_CAP}+" if count > UNREAD_CAP else count,
    )


# Where ``top_bar`` puts a request's own values into the bar it keeps: characters of Unicode's private use area,
# which no translation, URL or name of the bar holds and escaping leaves alone.
HOLES = {name: f"\ue000{name}\ue000" for name in ("csrf_token", "query", "full_path", "unread_badge")}


@register.simple_tag(takes_context=True)
def top_bar(context: Any) -> SafeString:
    """The top bar of a signed-in page (``core/_top_bar.html``: search box, language, bell, account menu).

    Rendered once per user (and their name), set of grants, language and personal links, and remembered by the
    process (``accounts.authcache``) with holes (``HOLES``) where each request puts its own values: the CSRF
    token, the text in the search box (``query``), the page's address a change of language returns to and the
    bell's badge.  A page without a CSRF token renders the bar every time."""
    from shequ.accounts import authcache
    from shequ.accounts.scope import grants_key
    from shequ.core.notifications import unread_count
    from shequ.core.registry import SESSION_KEY

    request = context["request"]
    user = request.user
    token = context.get("csrf_token")
    values = {
        "csrf_token": token,
        "query": context.get("query") or "",
        "full_path": request.get_full_path(),
        "unread_badge": unread_badge(unread_count(user)),
    }
    if not token or token == "NOTPROVIDED":
        with context.push(values):
            return _render(context, "core/_top_bar.html")
    session = getattr(request, "session", None) or {}
    key = (
        user.pk,
        user.get_username(),
        str(user),
        grants_key(user),
        translation.get_language(),
        tuple(session.get(SESSION_KEY, ())),
    )
    html = authcache.get("top-bar", key)
    if html is None:
        with context.push({name: mark_safe(hole) for name, hole in HOLES.items()}):
            html = _render(context, "core/_top_bar.html")
        authcache.put("top-bar", key, html)
    for name, hole in HOLES.items():
        html = html.replace(hole, conditional_escape(values[name]))
    return mark_safe(html)  # noqa: S308 - the template escaped the rest, the values are escaped above


@register.simple_tag(takes_context=True)
def filter_form(context: Any) -> SafeString:
    """A list's filter form (``core/_filters.html``), remembered by the process per user, set of grants, page,
    query and language (``accounts.authcache``: dropped when a grant changes; a new category or organization
    among the choices shows within ``SHEQU_AUTH_CACHE_SECONDS``).  A form sent by POST (its CSRF token) is
    rendered every time."""
    from shequ.accounts import authcache
    from shequ.accounts.scope import grants_key

    request = context.get("request")
    filterset = context.get("filterset")
    user = getattr(request, "user", None)
    if request is None or request.method != "GET" or getattr(filterset, "submit_by_post", False) or user is None:
        return _render(context, "core/_filters.html")
    key = (user.pk, grants_key(user), request.path, request.GET.urlencode(), translation.get_language())
    html = authcache.get("filters", key)
    if html is None:
        html = _render(context, "core/_filters.html")
        authcache.put("filters", key, html)
    return html


@register.simple_tag(takes_context=True)
def table_results(context: Any, table: Any) -> SafeString:
    """``{% table_results table as results %}``: a list's results block written in Python
    (``BaseTable.results_html``), or nothing for a table of another kind (``core/_results.html`` then renders
    it with ``{% render_table %}``).  As ``render_table`` does, the table holds the page's context while it is
    written (a ``TemplateColumn`` renders its cells in it) and is told ``before_render``."""
    from shequ.core.tables import BaseTable

    if not isinstance(table, BaseTable):
        return mark_safe("")
    request = context.get("request")
    table.context = context
    try:
        table.before_render(request)
        return table.results_html(request)
    finally:
        del table.context


def checklist(field: Any) -> SafeString:
    """A filter's several-choices field as a drop-down of check boxes: the closed box names what is
    chosen ("any" when nothing is), a click opens the boxes; each tick is a ``change`` the filter form
    answers at once. Same parameters as the ``<select multiple>`` it replaces (``?status=a&status=b``)."""
    chosen = {str(v) for v in (field.value() or [])}
    choices = [(str(value), label) for value, label in field.field.choices if value != ""]
    picked = [str(label) for value, label in choices if value in chosen]
    checked = mark_safe(" checked")
    boxes = format_html_join(
        "",
        '<label class="form-check mb-1"><input class="form-check-input" type="checkbox" name="{}" value="{}"{}>'
        '<span class="form-check-label">{}</span></label>',
        ((field.html_name, value, checked if value in chosen else "", label) for value, label in choices),
    )
    return format_html(
        '<details class="filter-checklist" data-testid="checklist-{}" data-any="{}"><summary class="form-select"'
        ' id="{}" title="{}">{}</summary><div class="filter-checklist-menu card card-body p-2">{}</div></details>',
        field.html_name,
        _("Any"),
        field.id_for_label,
        "、".join(picked),
        "、".join(picked) if picked else _("Any"),
        boxes,
    )


@register.simple_tag
def shown_when(form: Any, field: Any) -> SafeString:
    """Attributes that show a form's field only while another field has one of some values, from the form's
    ``shown_when = {"field": ("other field", ("value", …))}`` (app.js hides it and disables its inputs, so
    what a hidden field held is not sent)."""
    rule = getattr(form, "shown_when", {}).get(field.name)
    if rule is None:
        return mark_safe("")
    other, values = rule
    if other not in form.fields:
        raise ImproperlyConfigured(f"{type(form).__name__}.shown_when: {field.name} depends on no field {other!r}")
    return format_html(
        ' data-shown-when="{}" data-shown-values="{}"', form.add_prefix(other), " ".join(str(v) for v in values)
    )


@register.inclusion_tag("core/_portal_nav.html")
def portal_nav(active: str = "") -> dict[str, Any]:
    """The public portal's tabs (``core.registry.PORTAL_TABS``), *active* highlighted."""
    from django.urls import reverse

    from shequ.core.registry import PORTAL_TABS

    return {"tabs": [(key, label, reverse(url)) for key, label, url in PORTAL_TABS], "active": active}


@register.simple_tag(takes_context=True)
def allowed(context: Any, url_name: str) -> bool:
    """``{% allowed 'app:name' as ok %}``: does the rule of the page at *url_name* allow the user (the rule the
    page itself enforces, ``core.permissions``)? A button leading there is shown only then."""
    from django.urls import reverse

    from shequ.core.permissions import rule_for_url

    user = context.get("user")
    if user is None and context.get("request") is not None:
        user = context["request"].user
    rule = rule_for_url(reverse(url_name))
    return rule is not None and rule.allows(user)
