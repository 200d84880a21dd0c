"""``shequ grant USERNAME ROLE NODE_CODE [--create --password P]``."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from shequ.accounts.actions import do_create_user, do_grant
from shequ.accounts.models import User
from shequ.accounts.roles import ROLES
from shequ.core.exceptions import ActionError
from shequ.territory.models import Node


class Command(BaseCommand):
    help = "Grant ROLE on the node with NODE_CODE to USERNAME (administrators)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("username")
        parser.add_argument("role", help=", ".join(ROLES))
        parser.add_argument("node_code")
        parser.add_argument("--create", action="store_true", help="create the user when missing")
        parser.add_argument("--password", help="password of a created user")
        parser.add_argument("--organization", type=int, help="the party organization's id (branch secretaries)")

    def handle(self, *args: Any, **opts: Any) -> None:
        if opts["role"] not in ROLES:
            raise CommandError(f"Unknown role {opts['role']!r}; one of: {', '.join(ROLES)}")
        node = Node.objects.filter(code=opts["node_code"]).first()
        if node is None:
            raise CommandError(f"No node with code {opts['node_code']!r}.")
        system = User.objects.filter(is_superuser=True, is_active=True).order_by("pk").first()
        actor = system or User(is_superuser=True, is_active=True)
        user = User.objects.filter(username=opts["username"]).first()
        try:
            if user is None:
                if not opts["create"]:
                    raise CommandError(f"No user {opts['username']!r}; add --create to create it.")
                user = do_create_user(
                    acting_user=actor, username=opts["username"], password=opts["password"], node=node
                )
                self.stdout.write(f"Created user {user.username}.")
            organization = None
            if opts.get("organization"):
                from shequ.orgs.models import Organization

                organization = Organization.objects.filter(pk=opts["organization"]).first()
                if organization is None:
                    raise CommandError(f"No organization with id {opts['organization']}.")
            do_grant(user, opts["role"], node, acting_user=actor, organization=organization)
        except ActionError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        self.stdout.write(self.style.SUCCESS(f"{user.username}: {opts['role']} on {node.name} ({node.code})."))
