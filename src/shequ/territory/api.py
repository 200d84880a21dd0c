from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Field, Schema

from shequ.core.actions import fetch
from shequ.core.api import ErrorOut, crud_router, user_of
from shequ.core.exceptions import NotFound

from . import actions
from .filtersets import NodeFilterSet
from .models import Kind, Node
from .queries import children_with_counts


class NodeOut(Schema):
    id: int
    name: str
    kind: Kind
    kind_display: str = Field(..., alias="get_kind_display")
    code: str | None
    parent_id: int | None
    path: str
    depth: int
    latitude: float | None
    longitude: float | None
    boundary: dict | None
    is_county: bool
    retired: bool
    retired_reason: str
    created: datetime
    updated: datetime


class NodeIn(Schema):
    parent_id: int
    kind: Kind
    name: str = Field(..., min_length=1, max_length=100)
    code: str | None = Field(None, max_length=20)
    latitude: float | None = Field(None, ge=-90, le=90)
    longitude: float | None = Field(None, ge=-180, le=180)
    boundary: dict | None = None
    is_county: bool = False


class NodePatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=100)
    code: str | None = Field(None, max_length=20)
    latitude: float | None = Field(None, ge=-90, le=90)
    longitude: float | None = Field(None, ge=-180, le=180)
    boundary: dict | None = None
    is_county: bool | None = None


class ChildOut(Schema):
    id: int
    name: str
    kind: Kind
    code: str | None
    counts: dict[str, int]
    total: int


class MoveIn(Schema):
    new_parent_id: int


class RetireIn(Schema):
    reason: str = Field(..., min_length=1, max_length=200)


def _create(user: Any, payload: NodeIn) -> Node:
    parent = Node.objects.restrict(user, "add").filter(pk=payload.parent_id).first()
    if parent is None:
        raise NotFound()
    data = payload.dict(exclude={"parent_id", "kind", "name", "code"})
    return actions.do_create_node(
        acting_user=user, parent=parent, kind=payload.kind.value, name=payload.name, code=payload.code, **data
    )


def _update(user: Any, node: Node, payload: NodePatch) -> Node:
    return actions.do_update_node(node, acting_user=user, **payload.dict(exclude_unset=True))


def _delete(user: Any, node: Node) -> None:
    actions.do_delete_node(node, acting_user=user)


router = crud_router(
    model=Node,
    out_schema=NodeOut,
    filterset=NodeFilterSet,
    create_schema=NodeIn,
    update_schema=NodePatch,
    create=_create,
    update=_update,
    delete=_delete,
    tags=["territory"],
)


@router.get("/{pk}/children", response={200: list[ChildOut], 404: ErrorOut}, operation_id="node_children")
def node_children(request: HttpRequest, pk: str) -> Any:
    """Direct children, each with the number of active places of each kind under it."""
    user = user_of(request)
    node = fetch(Node.objects.all(), user, "view", pk)
    return children_with_counts(node, user)


@router.post(
    "/{pk}/move",
    response={200: NodeOut, 400: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    operation_id="move_node",
)
def move_node(request: HttpRequest, pk: str, payload: MoveIn) -> Any:
    """Move the place with its whole subtree under another place (``new_parent_id``, one where the caller may
    add): every path below and every record's copy of it change in one transaction. A place cannot go under
    itself or one of its own places, must fit the kind of the new parent and keep a name unique there."""
    user = user_of(request)
    node = fetch(Node.objects.all(), user, "change", pk)
    target = fetch(Node.objects.all(), user, "add", payload.new_parent_id)
    return actions.do_move_node(node, target, acting_user=user)


@router.post(
    "/{pk}/retire",
    response={200: NodeOut, 400: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    operation_id="retire_node",
)
def retire_node(request: HttpRequest, pk: str, payload: RetireIn) -> Any:
    """Retire the place and its whole subtree, with a reason: they are kept with all their data but hidden
    from pickers (a place that held records is retired, never deleted). Answers the place."""
    user = user_of(request)
    node = fetch(Node.objects.all(), user, "delete", pk)
    actions.do_retire_node(node, acting_user=user, reason=payload.reason)
    node.refresh_from_db()
    return node
