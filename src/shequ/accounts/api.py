from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema

from shequ.core.api import crud_router, user_of

from .filtersets import GrantFilterSet, UserFilterSet
from .models import Grant, User
from .roles import ROLES
from .scope import user_grants


class UserOut(Schema):
    id: int
    username: str
    full_name: str
    email: str
    node_id: int | None
    is_active: bool
    last_login: datetime | None


class GrantOut(Schema):
    id: int
    user_id: int
    role: str
    node_id: int
    organization_id: int | None
    created: datetime


class MeOut(Schema):
    id: int
    username: str
    full_name: str
    is_superuser: bool
    grants: list[dict[str, Any]]


users = crud_router(
    model=User, out_schema=UserOut, filterset=UserFilterSet, select_related=("node",), tags=["accounts"]
)
grants = crud_router(model=Grant, out_schema=GrantOut, filterset=GrantFilterSet, tags=["accounts"])
me = Router(tags=["accounts"])


@me.get("/", response=MeOut, operation_id="me")
def whoami(request: HttpRequest) -> Any:
    """The caller: their account and every role they hold, each with the path of the place it covers (the
    place and everything under it)."""
    user = user_of(request)
    return {
        "id": user.pk,
        "username": user.username,
        "full_name": user.full_name,
        "is_superuser": user.is_superuser,
        "grants": [
            {"role": role.code, "role_label": str(ROLES[role.code].label), "path": path}
            for role, path in user_grants(user)
        ],
    }
