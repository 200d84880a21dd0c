"""Staff screens: the catalogue (declared viewsets), the intake, request lists, the case file and its steps."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.shortcuts import render
from django.utils.translation import gettext as _

from shequ.accounts.scope import can
from shequ.core.actions import fetch
from shequ.core.exceptions import ActionError
from shequ.core.filtersets import search_q
from shequ.core.permissions import requires
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
    detail_fields = ("name", "amount", "unit", "warn_percent")
    export_fields = ("code", *detail_fields)


class ServiceCategoryViewSet(ServicesViewSet):
    model = ServiceCategory
    filterset = ServiceCategoryFilterSet
    table = ServiceCategoryTable
    form = forms.ServiceCategoryForm
    select_related = ("parent", "tier")
    detail_template = "services/category_detail.html"
    actions = ("list", "detail", "add", "edit", "delete", "export", "history")
    detail_fields = ("name", "parent", "tier", "description", "keywords", "active", "public", "order")
    export_fields = ("code", *detail_fields)

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
    detail_fields = ("category", "label", "datatype", "required", "description", "values", "order")
    export_fields = ("code", *detail_fields)


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
    workflow = actions.requests.WORKFLOW
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
        status = obj.status
        subtasks = list(obj.subtasks.select_related("organization", "created_by", "done_by"))
        for task in subtasks:
            task.can_complete = task.status == SubTaskStatus.OPEN and can(user, SubTask, "change", task.to_path)  # type: ignore[attr-defined]
        questions = {a.code: a for a in actions.requests.category_attributes(obj.category)}
        return {
            "attachments": list(obj.attachments.select_related("uploaded_by")),
            "subtasks": subtasks,
            "answers": [
                (questions[k].label, questions[k].display(v)) if k in questions else (k, v)
                for k, v in (obj.attributes or {}).items()
            ],
            "requester": obj.requester,
            "duplicates": list(routing.likely_duplicates(obj.category, obj.node, exclude=obj.pk)[:5])
            if intake and status in (Status.SUBMITTED, Status.ACCEPTED)
            else [],
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


@requires("services.servicerequest", "add")
def intake(request: HttpRequest) -> HttpResponse:
    """The one-stop window and the hotline: find the resident, choose the category, file; likely
    duplicates are offered before filing."""
    user = request.user
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


# -- the case file ---------------------------------------------------------------------------------------------------


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
