"""/api/v1/services/: the catalogue, requests (file, list, read, every step), sub-tasks — within scope."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from django.utils import translation
from ninja import Field, Router, Schema

from shequ.core import api_dump
from shequ.core.actions import fetch
from shequ.core.api import ErrorOut, ObjectAction, crud_router, user_of
from shequ.core.exceptions import NotFound

from . import actions
from .filtersets import ServiceRequestFilterSet, SubTaskFilterSet
from .models import Channel, ServiceCategory, ServiceRequest, Status, SubTask

router = Router(tags=["services"])


class CategoryOut(Schema):
    id: int
    code: str
    name: str
    parent_id: int | None
    description: str
    active: bool
    public: bool


@router.get("/categories", response=list[CategoryOut], operation_id="services_categories")
def categories(request: HttpRequest) -> Any:
    """The service catalogue (what requests can be filed about)."""
    return list(ServiceCategory.objects.restrict(user_of(request), "view").filter(active=True))


class RequestOut(Schema):
    id: int
    code: str
    category_id: int
    category_name: str = Field(..., alias="category.name")
    node_id: int
    channel: str
    status: str
    status_display: str
    description: str
    attributes: dict[str, Any]
    address: str
    lat: Decimal | None
    long: Decimal | None
    organization_id: int | None
    handler_id: int | None
    accepted_at: datetime | None
    deadline: datetime | None
    resolved_at: datetime | None
    closed_at: datetime | None
    status_notes: str
    rating: int | None
    reopened_count: int
    duplicate_of_id: int | None
    path: str
    created: datetime
    updated: datetime

    @staticmethod
    @api_dump.reads("status")
    def resolve_status_display(obj: ServiceRequest) -> str:
        # Django's get_status_display() rebuilds a dict of the choices, translating each label, on every
        # call: a page of 50 did it 50 times.  Here the labels are translated once per language.
        return status_labels().get(obj.status, obj.status)


STATUS_LABELS = dict(Status.choices)
_STATUS_TEXT: dict[str | None, dict[str, str]] = {}


def status_labels() -> dict[str, str]:
    """The statuses' labels in the active language (translated once per language: catalogues do not change
    while a process runs)."""
    language = translation.get_language()
    found = _STATUS_TEXT.get(language)
    if found is None:
        found = _STATUS_TEXT[language] = {value: str(label) for value, label in STATUS_LABELS.items()}
    return found


class RequestIn(Schema):
    category_id: int
    node_id: int
    description: str = Field(..., min_length=1)
    channel: Channel = Channel.API
    resident_id: int | None = None
    contact_name: str = Field("", max_length=50)
    phone: str = Field("", max_length=20)
    email: str = ""
    address: str = Field("", max_length=200)
    lat: Decimal | None = None
    long: Decimal | None = None
    attributes: dict[str, Any] = {}
    accept: bool = False


def _create(user: Any, payload: RequestIn) -> ServiceRequest:
    from shequ.people.models import Resident
    from shequ.territory.models import Node

    node = Node.objects.restrict(user, "add", perm_model=ServiceRequest).filter(pk=payload.node_id).first()
    if node is None:
        raise NotFound()
    category = ServiceCategory.objects.filter(pk=payload.category_id).first()
    resident = None
    if payload.resident_id is not None:
        resident = Resident.objects.restrict(user, "view").filter(pk=payload.resident_id).first()
        if resident is None:
            raise NotFound()
    channel = payload.channel.value if hasattr(payload.channel, "value") else payload.channel
    return actions.do_file_request(
        acting_user=user,
        category=category,  # type: ignore[arg-type]
        node=node,
        description=payload.description,
        channel=channel if channel not in (Channel.PORTAL, Channel.OPEN311) else Channel.API,
        resident=resident,
        contact_name=payload.contact_name,
        phone=payload.phone,
        email=payload.email,
        address=payload.address,
        lat=payload.lat,
        long=payload.long,
        attributes=payload.attributes,
        accept=payload.accept,
    )


class SubTaskOut(Schema):
    id: int
    request_id: int
    organization_id: int
    instruction: str
    status: str
    result: str
    due: datetime | None
    created: datetime
    done_at: datetime | None


class EventOut(Schema):
    id: int
    kind: str
    from_status: str
    to_status: str
    text: str
    public: bool
    actor_id: int | None
    actor_label: str
    at: datetime


requests_router = crud_router(
    model=ServiceRequest,
    out_schema=RequestOut,
    filterset=ServiceRequestFilterSet,
    create_schema=RequestIn,
    create=_create,
    select_related=("category",),
    tags=["services"],
    workflow=actions.requests.WORKFLOW,
)


@requests_router.get("/{pk}/events", response={200: list[EventOut], 404: ErrorOut}, operation_id="services_case_file")
def case_file(request: HttpRequest, pk: str) -> Any:
    """The case file: every step, comment, attachment and sub-task, with who and when."""
    obj = fetch(ServiceRequest.objects.all(), user_of(request), "view", pk)
    return list(obj.events.all())


class DoneIn(Schema):
    result: str = Field(..., min_length=1, max_length=500)
    declined: bool = False


def _done(user: Any, obj: SubTask, p: DoneIn) -> None:
    """The receiving organization reports the sub-task done (or declines it)."""
    actions.do_complete_subtask(obj, acting_user=user, result=p.result, declined=p.declined)


subtasks_router = crud_router(
    model=SubTask,
    out_schema=SubTaskOut,
    filterset=SubTaskFilterSet,
    tags=["services"],
    actions=[ObjectAction("done", _done, DoneIn)],
)

router.add_router("/requests", requests_router)
router.add_router("/subtasks", subtasks_router)
