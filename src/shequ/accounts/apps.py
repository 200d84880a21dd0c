from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "shequ.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from . import authcache
        from .models import Grant, User

        authcache.connect()

        auditlog.register(
            User,
            include_fields=["username", "full_name", "email", "phone", "node", "is_active", "is_superuser"],
        )
        auditlog.register(Grant, include_fields=["user", "role", "node", "granted_by"])
