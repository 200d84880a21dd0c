"""API routes of the framework itself: search, background jobs (imports), audit."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Field, File, Query, Router, Schema, Status
from ninja.files import UploadedFile

from shequ.accounts.scope import can

from .api import PAGE, PAGE_SIZE, ErrorOut, crud_router, user_of
from .exceptions import ActionError, NotFound
from .filtersets import AuditEntryFilterSet
from .models import AuditEntry, Job, Notification

search = Router(tags=["search"])
jobs = Router(tags=["jobs"])


class SearchHit(Schema):
    type: str
    id: int
    label: str
    url: str


@search.get("/", response=list[SearchHit], operation_id="search")
def search_all(request: HttpRequest, q: str) -> Any:
    """Search every registry (name, pinyin, initials, code) inside the caller's area."""
    from .views.misc import search_results

    hits = []
    for group in search_results(user_of(request), q[:100]):
        for obj in group["items"]:
            hits.append({"type": group["label"], "id": obj.pk, "label": str(obj), "url": obj.get_absolute_url()})
    return hits


class JobOut(Schema):
    id: int
    kind: str
    title: str
    status: str
    done: int
    total: int
    percent: int
    message: str
    result: dict
    created: datetime
    finished: datetime | None


@jobs.get("/{pk}", response={200: JobOut, 404: ErrorOut}, operation_id="get_job")
def get_job(request: HttpRequest, pk: str) -> Any:
    """A background job the caller started (an import or export): its status (``queued``, ``running``, ``done``,
    ``failed``, or ``interrupted`` when the process running it ended before it did), progress, message and
    result (for an interrupted import in "valid rows" mode: what it wrote before it stopped, with
    ``partial: true``). Another user's job answers 404."""
    from .jobs import refresh

    user = user_of(request)
    job = Job.objects.filter(user=user, pk=int(pk) if pk.isdigit() and len(pk) < 19 else 0).first()
    if job is None:
        raise NotFound()
    refresh([job])
    return job


@jobs.post("/{pk}/rerun", response={202: JobOut, 400: ErrorOut, 404: ErrorOut}, operation_id="rerun_job")
def rerun_job(request: HttpRequest, pk: str) -> Any:
    """Run an interrupted import of the caller's again: the same stored file, mode and place, as a new job
    (answered here; follow it with ``get_job``). Rows the first run wrote are recognised and left as they are.
    A job that is not an interrupted import of the caller answers 404; one started on the command line, or
    whose upload is no longer kept, 400."""
    from .jobs import do_rerun, refresh

    user = user_of(request)
    job = Job.objects.filter(user=user, pk=int(pk) if pk.isdigit() and len(pk) < 19 else 0).first()
    if job is None:
        raise NotFound()
    refresh([job])
    again = do_rerun(job, acting_user=user)
    again.refresh_from_db()
    return Status(202, again)


@jobs.post("/import/{model}", response={202: JobOut, 400: ErrorOut, 404: ErrorOut}, operation_id="start_import")
def start_import(
    request: HttpRequest, model: str, file: File[UploadedFile], dry_run: bool = True, mode: str = "valid"
) -> Any:
    """Upload a spreadsheet for ``territory.node`` (or any model with an importer); a dry run unless told otherwise."""
    from django.conf import settings

    from .registry import viewsets
    from .views.generic import start_import as start

    user = user_of(request)
    viewset = viewsets().get(model)
    if viewset is None or viewset.importer is None or not can(user, model, "import"):
        raise NotFound()
    if mode not in ("valid", "all"):
        raise ActionError("mode: valid | all", code="invalid_mode")
    if (file.size or 0) > settings.SHEQU_MAX_UPLOAD_BYTES:
        raise ActionError("file too large", code="too_large")
    request.user = user
    job = start(request, viewset, file, dry_run=dry_run, mode=mode)
    job.refresh_from_db()
    return Status(202, job)


class AuditOut(Schema):
    id: int
    timestamp: datetime
    action: int
    object_repr: str
    object_pk: str
    content_type_id: int
    actor_id: int | None
    remote_addr: str | None
    changes: dict | None = Field(
        None, description="Each changed field: [old, new], raw values; identity numbers masked, secrets left out."
    )
    additional_data: dict | None

    @staticmethod
    def resolve_changes(obj: AuditEntry) -> Any:
        from .audit import scrub

        return scrub(obj)

    @staticmethod
    def resolve_object_repr(obj: AuditEntry) -> str:
        from .logging import mask_identity_numbers

        return mask_identity_numbers(obj.object_repr or "")


audit = crud_router(model=AuditEntry, out_schema=AuditOut, filterset=AuditEntryFilterSet, tags=["audit"])


notifications = Router(tags=["notifications"])


class NotificationOut(Schema):
    id: int
    kind: str
    text: str
    url: str
    created: datetime
    read_at: datetime | None


class NotificationPage(Schema):
    unread: int
    page: int
    page_size: int
    items: list[NotificationOut]


class ReadIn(Schema):
    ids: list[int] | None = None


@notifications.get("/", response=NotificationPage, operation_id="list_notifications")
def list_notifications(
    request: HttpRequest,
    unread: bool = False,
    page: int = PAGE,
    page_size: int = PAGE_SIZE,
) -> Any:
    """The caller's own notifications, newest first (``unread=true``: only those not read yet), with the
    number unread (counted up to 100)."""
    from .notifications import unread_count

    user = user_of(request)
    qs = Notification.objects.filter(user_id=user.pk)
    if unread:
        qs = qs.filter(read_at__isnull=True)
    start = (page - 1) * page_size
    return {
        "unread": unread_count(user),
        "page": page,
        "page_size": page_size,
        "items": list(qs[start : start + page_size]),
    }


@notifications.post("/read", response={200: dict}, operation_id="read_notifications")
def read_notifications(request: HttpRequest, payload: ReadIn) -> Any:
    """Mark the caller's notifications read: those of ``ids``, or all when ``ids`` is absent. Answers how many
    changed; ids of other users' notifications change nothing."""
    from .notifications import mark_read

    return {"read": mark_read(user_of(request), payload.ids)}


targets = Router(tags=["targets"])


class FigureOut(Schema):
    code: str
    name: str
    unit: str
    target: float | None
    comparison: str
    value: float | None
    met: bool | None
    numerator: float
    denominator: float
    communities: int


class RankOut(Schema):
    node_id: int
    name: str
    rank: int | None
    value: float | None
    met: bool | None


class TargetOut(FigureOut):
    node_id: int
    year: int
    trend: list[tuple[int, float | None]]
    ranking: list[RankOut]


def _figure_out(f: Any) -> dict[str, Any]:
    i = f.indicator
    return {
        "code": i.code,
        "name": str(i.name),
        "unit": i.unit,
        "target": i.target,
        "comparison": i.comparison,
        "value": f.value,
        "met": f.met,
        "numerator": f.numerator,
        "denominator": f.denominator,
        "communities": f.communities,
    }


@targets.get("/", response={200: list[FigureOut], 404: ErrorOut}, operation_id="list_targets")
def list_targets(
    request: HttpRequest, node: int | None = None, year: int | None = Query(None, ge=2000, le=2100), app: str = ""
) -> Any:
    """Every policy indicator the caller may read, at *node* (default: the widest place of the caller's area;
    404 outside it) for *year* (default: this one): value, goal, whether it is met, and what it is summed from."""
    from . import indicators
    from .views.targets import _year, anchor_node

    user = user_of(request)
    anchor = anchor_node(user, node)
    shown = [i for i in indicators.visible(user) if not app or i.app == app]
    figures = indicators.figures(anchor, _year(year), shown)
    return [_figure_out(figures[i.code]) for i in shown]


@targets.get("/{code}", response={200: TargetOut, 404: ErrorOut}, operation_id="get_target")
def get_target(
    request: HttpRequest, code: str, node: int | None = None, year: int | None = Query(None, ge=2000, le=2100)
) -> Any:
    """One indicator at *node* for *year*: its figure, its trend over five years, and the ranking of the areas
    directly below the node (best first by the goal's direction)."""
    from . import indicators
    from .views.targets import TREND_YEARS, _children, _year, anchor_node

    user = user_of(request)
    indicator = indicators.INDICATORS.get(code)
    if indicator is None or indicator not in indicators.visible(user):
        raise NotFound()
    anchor = anchor_node(user, node)
    at = _year(year)
    figure = indicators.figure(indicator, anchor, at)
    ranking = indicators.ranking(indicator, anchor, at, _children(anchor))
    return {
        **_figure_out(figure),
        "node_id": anchor.pk,
        "year": at,
        "trend": indicators.trend(indicator, anchor, list(range(at - TREND_YEARS + 1, at + 1))),
        "ranking": [
            {"node_id": f.node.pk, "name": f.node.name, "rank": f.rank or None, "value": f.value, "met": f.met}
            for f in ranking
        ],
    }
