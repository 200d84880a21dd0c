from __future__ import annotations

import itertools
from datetime import date
from decimal import Decimal
from typing import Any

from shequ.accounts.models import Grant, User
from shequ.cadres.models import MAX_GRADE, Cadre, Course, CourseKind, PayGrade, PayRate, PayTable, PostCategory
from shequ.territory.actions import do_create_node
from shequ.territory.models import Kind, Node

_numbers = itertools.count(1)


def community(world: Any, street: Node) -> Node:
    return world.community_a if street.pk == world.street_a.pk else world.community_b


def cadre(node: Node, name: str = "张工作", **fields: Any) -> Cadre:
    fields.setdefault("number", f"T{next(_numbers):05d}")
    fields.setdefault("source", "recruited")
    return Cadre.objects.create(node=node, name=name, **fields)


def course(node: Node, title: str = "社区工作者轮训", **fields: Any) -> Course:
    fields.setdefault("starts_on", date(2024, 3, 1))
    fields.setdefault("ends_on", date(2024, 3, 31))
    fields.setdefault("hours", Decimal(40))
    fields.setdefault("kind", CourseKind.ROTATION)
    return Course.objects.create(node=node, title=title, **fields)


def pay_table(node: Node, year: int, average_wage: Any = 60000, base: int = 3000, step: int = 100) -> PayTable:
    table = PayTable.objects.create(node=node, year=year, average_wage=Decimal(average_wage))
    PayRate.objects.bulk_create(
        PayRate(table=table, category=c, grade=g, amount=Decimal(base + step * (g - 1)))
        for c in PostCategory.values
        for g in range(1, MAX_GRADE + 1)
    )
    return table


def grade(worker: Cadre, level: int, since: date = date(2020, 1, 1), category: str = PostCategory.OTHER) -> PayGrade:
    return PayGrade.objects.create(cadre=worker, node=worker.node, category=category, grade=level, since=since)


def org_officer(world: Any, username: str, node: Node) -> User:
    """A user of the organization department at *node*."""
    user = User.objects.create_user(username, password=f"{username}-pass-123", node=node)
    Grant.objects.create(user=user, role="organization_officer", node=node)
    return user


def make_org_officers(world: Any) -> None:
    """The world's street officers also serve in their street's organization department (the confidential
    models' inherited tests run as them)."""
    for user, node in ((world.officer_a, world.street_a), (world.officer_b, world.street_b)):
        Grant.objects.create(user=user, role="organization_officer", node=node)


def user_with(role: str, username: str, node: Node) -> User:
    user = User.objects.create_user(username, password=f"{username}-pass-123", node=node)
    Grant.objects.create(user=user, role=role, node=node)
    return user


def new_community(world: Any, name: str) -> Node:
    return do_create_node(acting_user=world.admin, parent=world.street_a, kind=Kind.COMMUNITY, name=name)
