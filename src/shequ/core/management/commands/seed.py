"""``shequ seed --scale small|city|N --seed S``: build the demo city (territory, accounts)."""

from __future__ import annotations

import json
import secrets
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from shequ.accounts.models import Grant, User
from shequ.territory.demo import SCALES, Scale, build_demo_territory
from shequ.territory.models import Kind, Node

DEMO_USERS = [
    ("city", "city_admin", Kind.CITY, "市级管理员"),
    ("district", "district_officer", Kind.DISTRICT, "区级干部"),
    ("street", "street_officer", Kind.STREET, "街道干部"),
    ("community", "community_worker", Kind.COMMUNITY, "社区工作者"),
    ("secretary", "party_secretary", Kind.COMMUNITY, "社区党委书记"),
    ("grid", "grid_worker", Kind.GRID, "网格员"),
    ("auditor", "auditor", Kind.CITY, "审计员"),
]


class Command(BaseCommand):
    help = "Build a realistic, deterministic demo city (only into an empty database unless --force)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--scale", default="small", help="tiny, small, city, or a number of districts")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--if-empty", action="store_true", help="do nothing when the territory is not empty")
        parser.add_argument("--password", help="password for the demo accounts (default: generated, printed once)")
        parser.add_argument("--json", action="store_true", help="print a JSON summary")

    def handle(self, *args: Any, **opts: Any) -> None:
        if Node.objects.exists():
            if opts["if_empty"]:
                return
            raise CommandError("The territory is not empty; the demo city goes only into an empty database.")
        scale_name = opts["scale"]
        if scale_name in SCALES:
            scale = SCALES[scale_name]
        elif str(scale_name).isdigit():
            base = SCALES["small"]
            scale = Scale(
                int(scale_name),
                base.streets,
                base.communities,
                base.grids,
                base.estates,
                base.buildings,
                base.units,
            )
        else:
            raise CommandError(f"Unknown scale {scale_name!r}: tiny, small, city or a number.")
        password = opts["password"] or secrets.token_urlsafe(9)
        with transaction.atomic():
            city = build_demo_territory(scale, seed=opts["seed"])
            logins = []
            admin = User.objects.filter(is_superuser=True).first()
            if admin is None:
                admin = User.objects.create_superuser("admin", password=password, full_name="系统管理员", node=city)
                logins.append(("admin", "superuser"))
            for username, role, kind, full_name in DEMO_USERS:
                node = Node.objects.filter(kind=kind).order_by("path").first()
                if node is None or User.objects.filter(username=username).exists():
                    continue
                user = User.objects.create_user(username, password=password, full_name=full_name, node=node)
                Grant.objects.create(user=user, role=role, node=node, granted_by=admin)
                logins.append((username, f"{role} @ {node.name}"))
            from shequ.core.registry import DEMO_LOGINS, SEEDERS

            extra: dict[str, Any] = {}
            for seeder in SEEDERS:
                extra.update(seeder(city, scale_name, opts["seed"]) or {})
            # The figures of the targets page, this year and the four before (the trend).
            from shequ.core import indicators

            this = indicators.this_year()
            extra["indicator values"] = sum(indicators.refresh(year=y) for y in range(this - 4, this + 1))
            for find_logins in DEMO_LOGINS:
                for username, role, full_name, node, organization in find_logins(city):
                    if User.objects.filter(username=username).exists():
                        continue
                    user = User.objects.create_user(username, password=password, full_name=full_name, node=node)
                    Grant.objects.create(user=user, role=role, node=node, organization=organization, granted_by=admin)
                    logins.append((username, f"{role} @ {organization or node.name}"))
        summary = {"nodes": Node.objects.count(), **extra, "users": [u for u, _ in logins], "password": password}
        if opts["json"]:
            self.stdout.write(json.dumps(summary, ensure_ascii=False))
            return
        details = "".join(f", {value} {key}" for key, value in extra.items())
        self.stdout.write(self.style.SUCCESS(f"Demo city “{city.name}”: {summary['nodes']} places{details}."))
        if logins:
            self.stdout.write("Logins (shown only now; change them after the first login):")
            for username, what in logins:
                self.stdout.write(f"  {username:<10} {password}   {what}")
