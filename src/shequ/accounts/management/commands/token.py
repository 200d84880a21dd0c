"""``shequ token USERNAME``: print a new API token (only its hash is stored)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from shequ.accounts.models import APIToken, User


class Command(BaseCommand):
    help = "Issue a new API token for USERNAME and print it (it cannot be shown again)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("username")
        parser.add_argument("--label", default="command line")

    def handle(self, *args: Any, **opts: Any) -> None:
        user = User.objects.filter(username=opts["username"], is_active=True).first()
        if user is None:
            raise CommandError(f"No active user {opts['username']!r}.")
        _token, key = APIToken.issue(user, label=opts["label"])
        self.stdout.write(key)
