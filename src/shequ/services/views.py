"""Staff screens: the catalogue (declared viewsets), the intake, request lists, the case file and its steps."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from shequ.accounts.scope import can
from shequ.core.actions import fetch
from shequ.core.exceptions import ActionError, NotFound
from shequ.core.filtersets import search_q
from shequ.core.views import ViewSet

from . import actions, forms, routing
from .filtersets import (
    DeadlineTierFilterSet,
    RoutingRuleFilterSet,
    ServiceAttributeFilterSet,
    ServiceCategoryFilterSet,
    ServiceRequestFilterSet,
    SubTaskFilterSet,
)
from .models import (
    DeadlineTier,
    Notification,
    RoutingRule,
    ServiceAttribute,
    ServiceCategory,
    ServiceRequest,
    Status,
    SubTask,
    SubTaskStatus,
)
from .tables import (
    DeadlineTierTable,
    RoutingRuleTable,
    ServiceAttributeTable,
    ServiceCategoryTable,
    ServiceRequestTable,
    SubTaskTable,
)


class ServicesViewSet(ViewSet):
    namespace = "services"


class DeadlineTierViewSet(ServicesViewSet):
    model = DeadlineTier
    filterset = DeadlineTierFilterSet
    table = DeadlineTierTable
    form = forms.DeadlineTierForm
    actions = ("list", "detail", "add", "edit", "delete", "export", "history")
    detail_fields = ("code", "name", "amount", "unit", "warn_percent")


class ServiceCategoryViewSet(ServicesViewSet):
    model = ServiceCategory
    filterset = ServiceCategoryFilterSet
    table = ServiceCategoryTable
    form = forms.ServiceCategoryForm
    select_related = ("parent", "tier")
    detail_template = "services/category_detail.html"
    actions = ("list", "detail", "add", "edit", "delete", "export", "history")
    detail_fields = ("code", "name", "parent", "tier", "description", "keywords", "active", "public", "order")

    def update(self, form: Any, obj: Any) -> Any:
        return actions.do_update_category(form.save(commit=False), acting_user=self.user)

    def detail_context(self, obj: ServiceCategory) -> dict[str, Any]:
        return {
            "attributes": list(obj.attributes.all()),
            "children": list(obj.children.select_related("tier")),
            "effective_tier": obj.effective_tier(),
        }


class ServiceAttributeViewSet(ServicesViewSet):
    model = ServiceAttribute
    filterset = ServiceAttributeFilterSet
    table = ServiceAttributeTable
    form = forms.ServiceAttributeForm
    select_related = ("category",)
    actions = ("list", "detail", "add", "edit", "delete", "history")
    detail_fields = ("category", "code", "label", "datatype", "required", "description", "values", "order")


class RoutingRuleViewSet(ServicesViewSet):
    model = RoutingRule
    filterset = RoutingRuleFilterSet
    table = RoutingRuleTable
    form = forms.RoutingRuleForm
    select_related = ("node", "category", "organization", "post")
    actions = ("list", "detail", "add", "edit", "delete", "bulk_delete", "export", "history")
    detail_fields = ("node", "category", "organization", "post", "notes")


class ServiceRequestViewSet(ServicesViewSet):
    model = ServiceRequest
    filterset = ServiceRequestFilterSet
    table = ServiceRequestTable
    select_related = ("category", "node", "organization")
    detail_template = "services/request_detail.html"
    actions = ("list", "detail", "export", "history")
    detail_fields = (
        "code",
        "category",
        "node",
        "channel",
        "status",
        "description",
        "address",
        "organization",
        "post",
        "handler",
        "tier_name",
        "accepted_at",
        "deadline",
        "resolved_at",
        "closed_at",
        "rating",
        "rating_comment",
        "status_notes",
        "return_reason",
        "duplicate_of",
    )
    export_fields = (
        "code",
        "category",
        "node",
        "channel",
        "status",
        "organization",
        "created",
        "accepted_at",
        "deadline",
        "resolved_at",
        "rating",
    )

    # What the list shows (ServiceRequestTable): the rest of a request (description, answers, contact …)
    # is neither fetched nor decoded for the 50 rows of a page.
    list_fields = (
        "code",
        "channel",
        "status",
        "is_open",
        "created",
        "deadline",
        "category__name",
        "node__name",
        "organization__name",
    )

    def get_queryset(self, action: str = "view") -> Any:
        qs = super().get_queryset(action)
        return qs.only(*self.list_fields) if action == "view" else qs

    def detail_context(self, obj: ServiceRequest) -> dict[str, Any]:
        user = self.user
        intake = can(user, ServiceRequest, "change", obj.path)
        handler = can(user, ServiceRequest, "change", obj.responsible_path or obj.path)
        status = obj.status
        subtasks = list(obj.subtasks.select_related("organization", "created_by", "done_by"))
        for task in subtasks:
            task.can_complete = task.status == SubTaskStatus.OPEN and can(user, SubTask, "change", task.to_path)  # type: ignore[attr-defined]
        labels = {a.code: a.label for a in actions.requests.category_attributes(obj.category)}
        return {
            "events": list(obj.events.select_related("actor", "organization")),
            "attachments": list(obj.attachments.select_related("uploaded_by")),
            "subtasks": subtasks,
            "answers": [(labels.get(k, k), v) for k, v in (obj.attributes or {}).items()],
            "requester": obj.requester,
            "duplicates": list(routing.likely_duplicates(obj.category, obj.node, exclude=obj.pk)[:5])
            if intake and status in (Status.SUBMITTED, Status.ACCEPTED)
            else [],
            "can": {
                "accept": intake and status == Status.SUBMITTED,
                "assign": intake and status in (Status.ACCEPTED, Status.RETURNED),
                "merge": intake and status in (Status.SUBMITTED, Status.ACCEPTED),
                "start": handler and status in (Status.ASSIGNED, Status.REOPENED),
                "return": handler and status in (Status.ASSIGNED, Status.IN_PROGRESS),
                "resolve": handler and status == Status.IN_PROGRESS,
                "subtask": handler and status in (Status.ASSIGNED, Status.IN_PROGRESS, Status.REOPENED),
                "rate": intake and status == Status.RESOLVED,
                "close": intake and status in (Status.RESOLVED, Status.RATED),
                "comment": can(user, ServiceRequest, "change")
                and ServiceRequest.objects.restrict(user, "change").filter(pk=obj.pk).exists(),
            },
        }


class SubTaskViewSet(ServicesViewSet):
    model = SubTask
    filterset = SubTaskFilterSet
    table = SubTaskTable
    select_related = ("request", "organization")
    actions = ("list", "export")
    export_fields = ("request", "organization", "instruction", "status", "result", "due", "created", "done_at")


# -- intake ---------------------------------------------------------------------------------------------------------


def find_residents(user: Any, text: str) -> list[Any]:
    """Residents within the user's scope by phone (exact), full identity number (blind index), or name,
    pinyin or initials."""
    from shequ.people.models import Resident

    text = text.strip()
    if not text:
        return []
    qs = Resident.objects.restrict(user, "view").filter(archived=False)
    digits = text.replace(" ", "").replace("-", "")
    if digits.isdigit() and 7 <= len(digits) <= 13:
        condition = Q(phone=digits) | Q(phone__endswith=digits[-8:]) if len(digits) >= 8 else Q(phone=digits)
        qs = qs.filter(condition)
    else:
        qs = qs.filter(search_q(Resident, text))
    return list(qs.select_related("node").order_by("name", "pk")[:20])


@login_required
def intake(request: HttpRequest) -> HttpResponse:
    """The one-stop window and the hotline: find the resident, choose the category, file; likely
    duplicates are offered before filing."""
    user = request.user
    if not can(user, ServiceRequest, "add"):
        raise NotFound()
    data = request.POST if request.method == "POST" else None
    category_id = (data or request.GET).get("category")
    found: list[Any] = []
    finder = forms.FindResidentForm(data if data and "find" in data else None)
    if data is not None and "find" in data:
        if finder.is_valid():
            found = find_residents(user, finder.cleaned_data["find"])
        form = forms.IntakeForm(user=user, initial={"category": category_id, "accept": True})
        finder = forms.FindResidentForm()  # what was typed (maybe an identity number) is not shown back
        return render(
            request, "services/intake.html", {"form": form, "finder": finder, "found": found, "searched": True}
        )
    initial = {"category": category_id, "resident": request.GET.get("resident"), "accept": True}
    form = forms.IntakeForm(data, request.FILES or None, user=user, initial=initial)
    duplicates: list[Any] = []
    if data is not None and form.is_valid():
        d = form.cleaned_data
        duplicates = list(routing.likely_duplicates(d["category"], d["node"])[:5])
        merge_into = data.get("merge_into", "")
        if duplicates and "confirm" not in data:
            return render(request, "services/intake.html", {"form": form, "finder": finder, "duplicates": duplicates})
        try:
            filed = actions.do_file_request(
                acting_user=user,
                category=d["category"],
                node=d["node"],
                description=d["description"],
                channel=d["channel"],
                resident=d.get("resident"),
                contact_name=d.get("contact_name") or "",
                phone=d.get("phone") or "",
                address=d.get("address") or "",
                lat=d.get("lat"),
                long=d.get("long"),
                attributes=form.attributes(),
                accept=bool(d.get("accept")),
            )
            if d.get("photo"):
                actions.do_attach(filed, acting_user=user, upload=d["photo"])
            if merge_into:
                original = next((r for r in duplicates if r.code == merge_into), None)
                if original is not None:
                    actions.do_merge(filed, acting_user=user, into=original)
        except ActionError as exc:
            form.add_error(None, "；".join(exc.messages))
        else:
            messages.success(request, _("Filed: tracking code %(code)s.") % {"code": filed.code})
            return HttpResponseRedirect(filed.get_absolute_url())
    return render(
        request,
        "services/intake.html",
        {"form": form, "finder": finder, "duplicates": duplicates},
        status=400 if data is not None else 200,
    )


# -- steps on the case file -----------------------------------------------------------------------------------------


def _request(request: HttpRequest, pk: str, action: str = "view") -> ServiceRequest:
    return fetch(ServiceRequest.objects.select_related("category", "node", "organization"), request.user, action, pk)


def _step(
    request: HttpRequest,
    pk: str,
    form_class: type,
    title: Any,
    work: Callable[[ServiceRequest, dict[str, Any]], Any],
    *,
    files: bool = False,
) -> HttpResponse:
    obj = _request(request, pk, "change")
    data = request.POST if request.method == "POST" else None
    form = form_class(data, request.FILES if files and data is not None else None, user=request.user)
    if data is not None and form.is_valid():
        try:
            work(obj, form.cleaned_data)
        except ActionError as exc:
            form.add_error(None, "；".join(exc.messages))
        else:
            messages.success(request, _("Saved “%(obj)s”.") % {"obj": obj})
            return HttpResponseRedirect(obj.get_absolute_url())
    return render(
        request,
        "services/action.html",
        {"object": obj, "form": form, "title": title, "multipart": files},
        status=400 if data is not None else 200,
    )


STEPS: dict[str, tuple[type, Any, Callable[..., Any], bool]] = {
    "accept": (
        forms.ConfirmForm,
        gettext_lazy("Accept the request"),
        lambda r, u, d: actions.do_accept(r, acting_user=u),
        False,
    ),
    "assign": (
        forms.AssignForm,
        gettext_lazy("Assign"),
        lambda r, u, d: actions.do_assign(r, acting_user=u, organization=d.get("organization")),
        False,
    ),
    "start": (forms.ConfirmForm, gettext_lazy("Start work"), lambda r, u, d: actions.do_start(r, acting_user=u), False),
    "return": (
        forms.ReasonForm,
        gettext_lazy("Return (wrong routing)"),
        lambda r, u, d: actions.do_return(r, acting_user=u, reason=d["reason"]),
        False,
    ),
    "resolve": (
        forms.NoteForm,
        gettext_lazy("Resolve"),
        lambda r, u, d: actions.do_resolve(r, acting_user=u, note=d["note"]),
        False,
    ),
    "rate": (
        forms.RateForm,
        gettext_lazy("Record the resident's rating"),
        lambda r, u, d: actions.do_rate(r, acting_user=u, rating=d["rating"], comment=d.get("comment") or ""),
        False,
    ),
    "close": (
        forms.CloseForm,
        gettext_lazy("Close"),
        lambda r, u, d: actions.do_close(r, acting_user=u, note=d.get("note") or ""),
        False,
    ),
    "merge": (
        forms.MergeForm,
        gettext_lazy("Merge into the original request"),
        lambda r, u, d: actions.do_merge(r, acting_user=u, into=d["into"]),
        False,
    ),
    "comment": (
        forms.CommentForm,
        gettext_lazy("Comment"),
        lambda r, u, d: actions.do_comment(r, acting_user=u, text=d["text"], public=d.get("public", False)),
        False,
    ),
    "attach": (
        forms.AttachForm,
        gettext_lazy("Attach a file"),
        lambda r, u, d: actions.do_attach(r, acting_user=u, upload=d["file"], public=d.get("public", False)),
        True,
    ),
    "subtask": (
        forms.SubTaskForm,
        gettext_lazy("Open a sub-task"),
        lambda r, u, d: actions.do_open_subtask(
            r, acting_user=u, organization=d["organization"], instruction=d["instruction"]
        ),
        False,
    ),
}


@login_required
def request_step(request: HttpRequest, pk: str, step: str) -> HttpResponse:
    if step not in STEPS:
        raise NotFound()
    form_class, title, work, files = STEPS[step]
    return _step(request, pk, form_class, title, lambda r, d: work(r, request.user, d), files=files)


@login_required
def subtask_done(request: HttpRequest, pk: str) -> HttpResponse:
    task = fetch(SubTask.objects.select_related("request", "organization"), request.user, "change", pk)
    data = request.POST if request.method == "POST" else None
    form = forms.SubTaskDoneForm(data, user=request.user)
    if data is not None and form.is_valid():
        try:
            actions.do_complete_subtask(
                task,
                acting_user=request.user,
                result=form.cleaned_data["result"],
                declined=form.cleaned_data["declined"],
            )
        except ActionError as exc:
            form.add_error(None, "；".join(exc.messages))
        else:
            return HttpResponseRedirect(task.get_absolute_url())
    return render(
        request,
        "services/action.html",
        {"object": task.request, "form": form, "title": _("Report on the sub-task")},
        status=400 if data is not None else 200,
    )


@login_required
def attachment_download(request: HttpRequest, pk: str) -> HttpResponseBase:
    return actions.open_attachment(request.user, pk)


# -- notifications --------------------------------------------------------------------------------------------------


@login_required
def notifications(request: HttpRequest) -> HttpResponse:
    items = list(Notification.objects.filter(user_id=getattr(request.user, "pk", 0)).select_related("request")[:100])
    return render(request, "services/notifications.html", {"items": items})


@login_required
@require_POST
def notifications_read(request: HttpRequest) -> HttpResponse:
    Notification.objects.filter(user_id=getattr(request.user, "pk", 0), read_at__isnull=True).update(
        read_at=timezone.now()
    )
    return HttpResponseRedirect(reverse("services:notifications"))
