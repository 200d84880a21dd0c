"""Screens of the governance app: decisions (a workflow), disclosures and duties, meeting rules, the work access
list with its versions, handed matters; the public disclosure board (no account needed); the figures."""

from __future__ import annotations

from collections import Counter
from typing import Any

from django import forms as forms_module
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from shequ.accounts.scope import can
from shequ.core.actions import do_delete_object, fetch
from shequ.core.exceptions import ActionError, NotFound
from shequ.core.models import stored_file_view
from shequ.core.permissions import requires
from shequ.core.views import ViewSet
from shequ.territory.models import Kind, Node

from . import actions, forms
from .filtersets import (
    AccessItemFilterSet,
    AccessListFilterSet,
    DecisionFilterSet,
    DisclosureFilterSet,
    HandoverFilterSet,
    RequirementFilterSet,
    RulesFilterSet,
)
from .importers import AccessItemImporter
from .models import (
    AccessItem,
    AccessList,
    Decision,
    DecisionAttachment,
    DecisionKind,
    DecisionStatus,
    Disclosure,
    DisclosureKind,
    DisclosureRequirement,
    GovernanceRules,
    Handover,
    ListStatus,
)
from .tables import (
    AccessItemTable,
    AccessListTable,
    DecisionTable,
    DisclosureTable,
    HandoverTable,
    RequirementTable,
    RulesTable,
)


class GovernanceViewSet(ViewSet):
    namespace = "governance"


class DecisionViewSet(GovernanceViewSet):
    model = Decision
    workflow = actions.WORKFLOW
    filterset = DecisionFilterSet
    table = DecisionTable
    form = forms.DecisionForm
    select_related = ("node", "organization")
    actions = ("list", "detail", "add", "export", "history")
    detail_template = "governance/decision_detail.html"
    detail_fields = (
        "node",
        "title",
        "kind",
        "amount",
        "organization",
        "description",
        "status",
        "proposed_on",
        "decided_on",
        "resolution",
        "public_until",
        "result",
        "result_published_on",
    )
    export_fields = ("node", "title", "kind", "amount", "status", "proposed_on", "decided_on", "result_published_on")

    def detail_context(self, obj: Decision) -> dict[str, Any]:
        return {
            "meetings": list(obj.steps.select_related("recorded_by")),
            "attachments": list(obj.attachments.all()),
            "disclosures": list(obj.disclosures.all()),
        }

    def create(self, form: Any) -> Decision:
        d = form.cleaned_data
        return actions.do_create_decision(
            acting_user=self.user,
            node=d["node"],
            title=d["title"],
            kind=d["kind"],
            description=d["description"],
            amount=d.get("amount"),
            organization=d.get("organization"),
        )


class DisclosureViewSet(GovernanceViewSet):
    model = Disclosure
    filterset = DisclosureFilterSet
    table = DisclosureTable
    form = forms.DisclosureForm
    select_related = ("node", "decision", "published_by")
    actions = ("list", "detail", "add", "delete", "bulk_delete", "export", "history")
    detail_template = "governance/disclosure_detail.html"
    detail_fields = (
        "node",
        "kind",
        "title",
        "body",
        "published_on",
        "expires_on",
        "decision",
        "due_on",
        "on_time",
        "published_by",
    )
    export_fields = ("node", "kind", "title", "published_on", "expires_on", "due_on", "on_time")

    def create(self, form: Any) -> Disclosure:
        d = form.cleaned_data
        return actions.do_publish_disclosure(
            acting_user=self.user,
            node=d["node"],
            kind=d["kind"],
            title=d["title"],
            body=d["body"],
            published_on=d["published_on"],
            expires_on=d["expires_on"],
        )


class RequirementViewSet(GovernanceViewSet):
    model = DisclosureRequirement
    filterset = RequirementFilterSet
    table = RequirementTable
    form = forms.RequirementForm
    select_related = ("node",)
    actions = ("list", "detail", "add", "edit", "delete", "bulk_delete", "export", "history")
    detail_fields = ("node", "kind", "frequency", "grace_days", "next_due", "last_published_on")

    def create(self, form: Any) -> DisclosureRequirement:
        return actions.do_save_requirement(form.save(commit=False), acting_user=self.user)

    def update(self, form: Any, obj: DisclosureRequirement) -> DisclosureRequirement:
        return actions.do_save_requirement(form.save(commit=False), acting_user=self.user)

    def delete(self, obj: DisclosureRequirement) -> None:
        from shequ.core.indicators import mark_dirty

        from .indicators import DISCLOSURES_ON_TIME

        do_delete_object(obj, acting_user=self.user)
        mark_dirty(DISCLOSURES_ON_TIME, obj.node)


class RulesViewSet(GovernanceViewSet):
    model = GovernanceRules
    filterset = RulesFilterSet
    table = RulesTable
    form = forms.RulesForm
    select_related = ("node",)
    actions = ("list", "detail", "add", "edit", "delete", "bulk_delete", "export", "history")
    detail_fields = (
        "node",
        "proposal_quorum",
        "discussion_quorum",
        "review_quorum",
        "resolution_quorum",
        "publicity_days",
    )


class AccessListViewSet(GovernanceViewSet):
    model = AccessList
    filterset = AccessListFilterSet
    table = AccessListTable
    form = forms.AccessListForm
    select_related = ("node",)
    actions = ("list", "detail", "add", "export", "history")
    detail_template = "governance/accesslist_detail.html"
    detail_fields = ("node", "reference", "version", "status", "in_force_from")

    def detail_context(self, obj: AccessList) -> dict[str, Any]:
        return {
            "items": list(obj.items.all()),
            "may_change": obj.status == ListStatus.DRAFT and can(self.user, AccessList, "change", obj.path),
        }

    def create(self, form: Any) -> AccessList:
        d = form.cleaned_data
        return actions.do_new_access_list(acting_user=self.user, node=d["node"], reference=d["reference"])


class AccessItemViewSet(GovernanceViewSet):
    model = AccessItem
    filterset = AccessItemFilterSet
    table = AccessItemTable
    form = forms.AccessItemForm
    importer = AccessItemImporter
    select_related = ("access_list__node",)
    actions = ("list", "detail", "add", "edit", "import", "export", "history")
    detail_fields = ("access_list", "matter", "department", "legal_basis", "funds_per_year")

    def create(self, form: Any) -> AccessItem:
        return actions.do_save_item(form.save(commit=False), acting_user=self.user)

    def update(self, form: Any, obj: AccessItem) -> AccessItem:
        return actions.do_save_item(form.save(commit=False), acting_user=self.user)


class HandoverViewSet(GovernanceViewSet):
    model = Handover
    filterset = HandoverFilterSet
    table = HandoverTable
    form = forms.HandoverForm
    select_related = ("node", "item__access_list")
    actions = ("list", "detail", "add", "edit", "export", "history")
    detail_fields = (
        "node",
        "item",
        "item__legal_basis",
        "item__access_list",
        "year",
        "accepted_on",
        "item__funds_per_year",
        "funds_amount",
        "funds_transferred_on",
    )
    export_fields = (
        "node",
        "item__matter",
        "item__department",
        "year",
        "accepted_on",
        "item__funds_per_year",
        "funds_amount",
        "funds_transferred_on",
    )

    edit_template = "governance/handover_edit.html"

    def edit_context(self, form: Any, obj: Any) -> dict[str, Any]:
        """Beside a new handover: the matters on the list in force of the user's district (what may be handed)."""
        node = getattr(self.user, "node", None)
        current = actions.list_in_force(node) if obj is None and node is not None else None
        return {"listed": list(current.items.all()[:300]) if current else [], "access_list": current}

    def get_form(self, data: Any = None, files: Any = None, instance: Any = None, initial: Any = None) -> Any:
        if instance is not None:  # editing a handed matter is recording its funds
            return forms.FundsForm(
                data,
                user=self.user,
                initial={"amount": instance.funds_amount, "transferred_on": instance.funds_transferred_on},
            )
        return super().get_form(data, files, instance=instance, initial=initial)

    def create(self, form: Any) -> Handover:
        d = form.cleaned_data
        return actions.do_hand_over(
            acting_user=self.user,
            node=d["node"],
            department=d["department"],
            matter=d["matter"],
            year=d["year"],
            accepted_on=d["accepted_on"],
        )

    def update(self, form: Any, obj: Handover) -> Handover:
        d = form.cleaned_data
        return actions.do_record_funds(
            obj, acting_user=self.user, amount=d["amount"], transferred_on=d["transferred_on"]
        )


@login_required
def put_in_force(request: HttpRequest, pk: str) -> HttpResponse:
    """The draft list becomes the list in force (POST)."""
    found = fetch(AccessList.objects.select_related("node"), request.user, "change", pk)
    if request.method == "POST":
        try:
            actions.do_put_in_force(found, acting_user=request.user)
        except ActionError as exc:
            messages.error(request, "；".join(exc.messages))
        else:
            messages.success(request, _("The list is in force."))
    return HttpResponseRedirect(found.get_absolute_url())


@login_required
def new_version(request: HttpRequest, pk: str) -> HttpResponse:
    """A new draft version from this one (POST)."""
    found = fetch(AccessList.objects.select_related("node"), request.user, "change", pk)
    if request.method != "POST":
        return HttpResponseRedirect(found.get_absolute_url())
    try:
        made = actions.do_new_access_list(
            acting_user=request.user, node=found.node, reference=request.POST.get("reference") or found.reference
        )
    except ActionError as exc:
        messages.error(request, "；".join(exc.messages))
        return HttpResponseRedirect(found.get_absolute_url())
    return HttpResponseRedirect(made.get_absolute_url())


attachment = stored_file_view(DecisionAttachment)


@requires("governance.decision")
def figures(request: HttpRequest) -> HttpResponseBase:
    """Decisions of the user's area by kind and status, the mean time from proposal to decision, the disclosures
    on time and the matters handed without funds; the ranking is on the targets page."""
    decisions = Decision.objects.restrict(request.user, "view")
    counts = Counter(decisions.values_list("kind", "status").order_by())
    statuses = list(DecisionStatus)
    rows = [
        (
            kind.label,
            [counts.get((kind.value, s.value), 0) for s in statuses],
            sum(counts.get((kind.value, s.value), 0) for s in statuses),
        )
        for kind in DecisionKind
    ]
    spans = [
        d.days_to_decide
        for d in decisions.filter(decided_on__isnull=False, proposed_on__isnull=False).only(
            "proposed_on", "decided_on"
        )[:5000]
    ]
    handovers = Handover.objects.restrict(request.user, "view").filter(year=timezone.localdate().year)
    duties = DisclosureRequirement.objects.restrict(request.user, "view")
    if request.GET.get("format") == "xlsx":
        return _figures_xlsx([str(_("Kind")), *[str(s.label) for s in statuses], str(_("Total"))], rows)
    ctx = {
        "statuses": [s.label for s in statuses],
        "rows": rows,
        "mean_days": round(sum(spans) / len(spans), 1) if spans else None,  # type: ignore[arg-type]
        "decided": len(spans),
        "handed": handovers.count(),
        "unfunded": handovers.filter(funds_transferred_on__isnull=True).count(),
        "duties": duties.count(),
        "overdue": duties.filter(next_due__lt=timezone.localdate()).count(),
    }
    return render(request, "governance/figures.html", ctx)


def _figures_xlsx(header: list[str], rows: list[Any]) -> HttpResponseBase:
    import os

    from django.http import FileResponse

    from shequ.core.spreadsheets import XlsxWriter, temp_xlsx_path

    target = temp_xlsx_path()
    try:
        writer = XlsxWriter(target, str(_("Decisions by kind and step")))
        writer.header(header)
        for label, cells, total in rows:
            writer.write((str(label), *cells, total))
        writer.close()
        handle = open(target, "rb")  # noqa: SIM115 - closed by FileResponse
    finally:
        os.unlink(target)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return FileResponse(handle, as_attachment=True, filename=f"decisions-{stamp}.xlsx")


# -- the public board (no account) -----------------------------------------------------------------------------------


def board_index(request: HttpRequest) -> HttpResponse:
    """The communities, to open one's public board."""
    query = (request.GET.get("q") or "").strip()[:50]
    communities = Node.objects.filter(kind=Kind.COMMUNITY, retired=False).select_related("parent")
    if query:
        communities = communities.filter(name__icontains=query)
    return render(
        request, "governance/board_index.html", {"communities": list(communities.order_by("path")[:200]), "q": query}
    )


def board(request: HttpRequest, pk: str) -> HttpResponse:
    """A community's public board: the announcements on it now, by kind; printable for the notice board."""
    community = Node.objects.filter(pk=int(pk) if pk.isdigit() else 0, kind=Kind.COMMUNITY, retired=False).first()
    if community is None:
        raise NotFound()
    today = timezone.localdate()
    current = list(
        Disclosure.objects.filter(node=community, published_on__lte=today, expires_on__gte=today)
        .select_related("decision")
        .only("kind", "title", "body", "published_on", "expires_on", "decision__public_until")
        .order_by("-published_on", "-id")
    )
    groups = [(kind.label, [d for d in current if d.kind == kind.value]) for kind in DisclosureKind]
    return render(
        request,
        "governance/board.html",
        {
            "community": community,
            "groups": [g for g in groups if g[1]],
            "today": today,
            "print": request.GET.get("print") == "1",
        },
    )


class CommentForm(forms_module.Form):
    text = forms_module.CharField(
        label=gettext_lazy("Your comment"), max_length=500, widget=forms_module.Textarea(attrs={"rows": 3})
    )
    name = forms_module.CharField(
        label=gettext_lazy("Your name (optional)"),
        max_length=20,
        required=False,
        help_text=gettext_lazy("Seen by the community's staff only, never published."),
    )


@require_POST
def comment(request: HttpRequest, pk: str) -> HttpResponse:
    """A resident comments on a resolution on the public board (rate-limited; no account)."""
    from shequ.services.portal import LIMITS, Throttled, _hit, client_ip, throttled

    LIMITS.setdefault("resolution_comment_ip", (10, 3600))
    found = Disclosure.objects.filter(pk=int(pk) if pk.isdigit() else 0, kind=DisclosureKind.RESOLUTION).first()
    if found is None or found.decision_id is None:
        raise NotFound()
    form = CommentForm(request.POST)
    if form.is_valid():
        try:
            _hit("resolution_comment_ip", client_ip(request))
        except Throttled:
            return throttled(request)
        try:
            actions.do_comment_resolution(
                found.decision, text=form.cleaned_data["text"], name=form.cleaned_data["name"]
            )
        except ActionError as exc:
            messages.error(request, "；".join(exc.messages))
        else:
            messages.success(request, _("Thank you: your comment was passed to the community."))
    else:
        messages.error(request, _("Write your comment (at most 500 characters)."))
    return HttpResponseRedirect(reverse("governance:board", args=[found.node_id]))
