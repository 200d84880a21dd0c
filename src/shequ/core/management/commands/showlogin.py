"""Say how to log in (the password itself is printed only once, when the demo city is built)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from shequ.accounts.models import User


class Command(BaseCommand):
    help = "Print the administrator account name and how to reset its password."

    def handle(self, *args: Any, **opts: Any) -> None:
        admin = User.objects.filter(is_superuser=True).order_by("pk").first()
        if admin is None:
            self.stdout.write("No administrator yet: `shequ createsuperuser`.")
            return
        self.stdout.write(
            f"Log in as “{admin.username}” (password printed when the database was first built; "
            f"reset it with `.venv/bin/shequ changepassword {admin.username}`)."
        )
