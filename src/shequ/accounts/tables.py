from __future__ import annotations

import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from shequ.core.tables import BaseTable, SelectableTable

from .models import Grant, User


class UserTable(SelectableTable):
    username = tables.Column(linkify=True, verbose_name=_("User name"))
    full_name = tables.Column(verbose_name=_("Full name"))
    node = tables.Column(verbose_name=_("Home node"))
    is_active = tables.BooleanColumn(verbose_name=_("Active"))
    last_login = tables.DateTimeColumn(verbose_name=_("Last login"), format="Y-m-d H:i")

    class Meta(SelectableTable.Meta):
        model = User
        fields = ("pk", "username", "full_name", "node", "is_active", "last_login")


class GrantTable(BaseTable):
    user = tables.Column(linkify=True, verbose_name=_("User"))
    role = tables.Column(verbose_name=_("Role"))
    node = tables.Column(linkify=True, verbose_name=_("Node"))
    organization = tables.Column(verbose_name=_("Party organization"))
    granted_by = tables.Column(verbose_name=_("Granted by"))
    created = tables.DateTimeColumn(verbose_name=_("Granted"), format="Y-m-d H:i")
    revoke = tables.TemplateColumn(template_name="accounts/_revoke.html", verbose_name="", orderable=False)

    class Meta(BaseTable.Meta):
        model = Grant
        fields = ("user", "role", "node", "organization", "granted_by", "created", "revoke")
