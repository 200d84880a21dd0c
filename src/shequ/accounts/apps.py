from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "shequ.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from .models import Grant, User

        auditlog.register(
            User,
            exclude_fields=["password", "last_login", "path"],
            mask_fields=[],
        )
        auditlog.register(Grant, exclude_fields=["path"])
