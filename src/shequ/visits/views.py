"""Screens of the home visits: the visit log (a phone first), links with the coverage and the proposals, the
must-visit list (overdue per member, grid, community), must-arrive tasks (a workflow), intervals."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from shequ.accounts.scope import can
from shequ.core.actions import fetch
from shequ.core.exceptions import ActionError, NotFound
from shequ.core.indicators import community_of
from shequ.core.models import stored_file_view
from shequ.core.permissions import requires
from shequ.core.views import ViewSet
from shequ.territory.models import Kind, Node

from . import actions, forms
from .filtersets import HouseholdLinkFilterSet, MustArriveTaskFilterSet, VisitFilterSet, VisitRuleFilterSet
from .importers import LinkImporter
from .lists import attach_households, member_loads, must_visit, propose, unanswered
from .models import DEFAULT_INTERVALS, HouseholdLink, MustArriveTask, Visit, VisitPhoto, VisitRule
from .tables import HouseholdLinkTable, MustArriveTaskTable, VisitRuleTable, VisitTable


class VisitsViewSet(ViewSet):
    namespace = "visits"


class VisitRuleViewSet(VisitsViewSet):
    model = VisitRule
    filterset = VisitRuleFilterSet
    table = VisitRuleTable
    form = forms.RuleForm
    select_related = ("tag", "node")
    actions = ("list", "detail", "add", "edit", "delete", "bulk_delete", "export", "history")
    detail_fields = ("node", "tag", "interval_days", "active")

    def delete(self, obj: VisitRule) -> None:
        from shequ.core.actions import do_delete_object
        from shequ.core.indicators import mark_dirty

        from .indicators import VISITS_ON_TIME

        do_delete_object(obj, acting_user=self.user)
        mark_dirty(VISITS_ON_TIME, obj.node)

    def create(self, form: Any) -> VisitRule:
        return actions.do_save_rule(form.save(commit=False), acting_user=self.user)

    def update(self, form: Any, obj: VisitRule) -> VisitRule:
        return actions.do_save_rule(form.save(commit=False), acting_user=self.user)


class HouseholdLinkViewSet(VisitsViewSet):
    model = HouseholdLink
    filterset = HouseholdLinkFilterSet
    table = HouseholdLinkTable
    form = forms.LinkForm
    importer = LinkImporter
    select_related = ("member", "household__node__parent", "community")
    detail_fields = ("member", "household", "community", "started_on", "ended_on")

    def export_columns(self) -> list[Any]:
        from .importers import link_export_columns

        return link_export_columns(can(self.user, "people.resident", "view_pii"))

    def create(self, form: Any) -> HouseholdLink:
        d = form.cleaned_data
        return actions.do_link(
            acting_user=self.user, member=d["member"], household=d["household"], started_on=d["started_on"]
        )

    def update(self, form: Any, obj: HouseholdLink) -> HouseholdLink:
        ended_on = form.cleaned_data.get("ended_on")
        stored = self.get_object(obj.pk, "change")  # the form has already set its values on *obj*
        if ended_on and stored.ended_on is None:
            return actions.do_unlink(stored, acting_user=self.user, ended_on=ended_on)
        return stored


class MustArriveTaskViewSet(VisitsViewSet):
    model = MustArriveTask
    workflow = actions.WORKFLOW
    filterset = MustArriveTaskFilterSet
    table = MustArriveTaskTable
    form = forms.TaskForm
    select_related = ("household__node__parent", "member", "node")
    actions = ("list", "detail", "add", "export", "history")
    detail_fields = (
        "reason",
        "household",
        "node",
        "member",
        "description",
        "hours",
        "deadline",
        "status",
        "arrived_at",
        "request",
    )

    def detail_context(self, obj: MustArriveTask) -> dict[str, Any]:
        return {"visits": list(obj.visits.select_related("member"))}

    def create(self, form: Any) -> MustArriveTask:
        d = form.cleaned_data
        return actions.do_open_task(
            acting_user=self.user,
            reason=d["reason"],
            description=d["description"],
            household=d["household"],
            hours=d.get("hours"),
        )


class VisitViewSet(VisitsViewSet):
    model = Visit
    filterset = VisitFilterSet
    table = VisitTable
    form = forms.VisitForm
    select_related = ("household__node__parent", "member", "recorded_by")
    detail_template = "visits/visit_detail.html"
    list_template = "visits/visit_list.html"
    # Adding is the phone-first page ``visit_add`` (photos, the draft kept on the device), not the generic form.
    actions = ("list", "detail", "export", "history")
    detail_fields = (
        "household",
        "kind",
        "visited_at",
        "member",
        "recorded_by",
        "findings",
        "needs",
        "follow_up",
        "task",
        "request",
    )
    export_fields = ("visited_at", "household", "kind", "member", "findings", "needs", "follow_up", "request")

    def detail_context(self, obj: Visit) -> dict[str, Any]:
        return {
            "photos": list(obj.photos.all()),
            "can_follow_up": obj.request_id is None
            and can(self.user, Visit, "change", obj.path)
            and can(self.user, "services.servicerequest", "add", obj.path),
            "mediation_cases": mediation_cases_of(self.user, obj),
        }


def mediation_cases_of(user: Any, visit: Visit) -> list[Any]:
    """The mediation cases registered from *visit* that *user* may see (cases are confidential: none for most)."""
    from shequ.mediation.models import MediationCase

    if not can(user, MediationCase, "view"):
        return []
    return list(MediationCase.objects.restrict(user, "view").filter(visit=visit).order_by("pk"))


@requires("visits.visit", "add")
def visit_add(request: HttpRequest) -> HttpResponse:
    """The visit log, a phone first; what is typed is kept on the device until it is sent (``draft.js``)."""
    data = request.POST if request.method == "POST" else None
    form = forms.VisitForm(
        data, request.FILES if data is not None else None, user=request.user, initial=request.GET.dict()
    )
    if data is not None and form.is_valid():
        d = form.cleaned_data
        try:
            visit = actions.do_log_visit(
                acting_user=request.user,
                household=d["household"],
                findings=d["findings"],
                visited_at=d["visited_at"],
                member=d.get("member"),
                needs=d.get("needs") or "",
                follow_up=d.get("follow_up") or "",
                photos=form.files_list,
                request_category=d.get("request_category"),
            )
        except ActionError as exc:
            form.add_error(None, "；".join(exc.messages))
        else:
            messages.success(request, _("Visit logged."))
            return HttpResponseRedirect(visit.get_absolute_url() + "?saved=visit")
    return render(request, "visits/visit_form.html", {"form": form}, status=400 if data is not None else 200)


@login_required
def follow_up(request: HttpRequest, pk: str) -> HttpResponse:
    """The visit's follow-up becomes a residents' request."""
    visit = fetch(Visit.objects.select_related("household__node__parent"), request.user, "change", pk)
    data = request.POST if request.method == "POST" else None
    form = forms.FollowUpForm(data, user=request.user, initial={"description": visit.follow_up or visit.needs})
    if data is not None and form.is_valid():
        try:
            visit = actions.do_file_follow_up(
                visit,
                acting_user=request.user,
                category=form.cleaned_data["category"],
                description=form.cleaned_data["description"],
            )
        except ActionError as exc:
            form.add_error(None, "；".join(exc.messages))
        else:
            messages.success(
                request, _("Filed: tracking code %(code)s.") % {"code": getattr(visit.request, "code", "")}
            )
            return HttpResponseRedirect(visit.get_absolute_url())
    return render(
        request,
        "orgs/action.html",
        {"object": visit, "form": form, "title": _("Make the follow-up a residents' request")},
        status=400 if data is not None else 200,
    )


photo = stored_file_view(VisitPhoto)


# -- coverage and the must-visit list -------------------------------------------------------------------------------


def _anchor(user: Any, node_id: Any, model: Any) -> Node:
    nodes = Node.objects.restrict(user, "view", perm_model=model).filter(retired=False)
    anchor = None
    if node_id not in (None, ""):
        try:
            anchor = nodes.filter(pk=int(node_id)).first()
        except (TypeError, ValueError):
            anchor = None
    else:
        anchor = (
            nodes.filter(kind__in=[Kind.CITY, Kind.DISTRICT, Kind.STREET, Kind.COMMUNITY, Kind.GRID])
            .order_by("depth", "path")
            .first()
        )
    if anchor is None:
        raise NotFound()
    return anchor


ABOVE_COMMUNITY = (Kind.CITY, Kind.DISTRICT, Kind.STREET)


def _community_figures(anchor: Node, code: str) -> list[Any]:
    """The figure of *code* for each community under *anchor* (from the rollup), worst first."""
    from shequ.core.indicators import INDICATORS, figures, this_year

    indicator = INDICATORS[code]
    communities = list(
        Node.objects.within(anchor.path).filter(kind=Kind.COMMUNITY, retired=False).order_by("path")[:300]
    )
    rows = []
    for community in communities:
        figure = figures(community, this_year(), [indicator])[code]
        rows.append(figure)
    return sorted(rows, key=lambda f: (f.value is None, f.value if f.value is not None else 0))


@requires("visits.householdlink")
def links_page(request: HttpRequest) -> HttpResponse:
    """A community's members with their number of households (flagged below 3 or above 5), the households no
    one answers for, and the proposed links (applied in one step)."""
    from .indicators import LINK_COVERAGE

    anchor = _anchor(request.user, request.GET.get("node") or request.POST.get("node"), HouseholdLink)
    ctx: dict[str, Any] = {"anchor": anchor, "form": forms.AreaForm(initial={"node": anchor.pk})}
    if anchor.kind in ABOVE_COMMUNITY:
        ctx["figures"] = _community_figures(anchor, LINK_COVERAGE)
        return render(request, "visits/links.html", ctx)
    community = community_of(anchor)
    assert community is not None
    may_link = can(request.user, HouseholdLink, "add", community.path)
    if request.method == "POST":
        if not may_link:
            raise NotFound()
        wanted = set(request.POST.getlist("pair"))
        pairs = [(p.member, p.household) for p in propose(community) if f"{p.member.pk}:{p.household.pk}" in wanted]
        try:
            with transaction.atomic():
                made = actions.do_apply_proposal(acting_user=request.user, community=community, pairs=pairs)
        except ActionError as exc:
            messages.error(request, "；".join(exc.messages))
        else:
            messages.success(request, _("%(count)d links made.") % {"count": len(made)})
        return HttpResponseRedirect(f"{reverse('visits:links')}?node={anchor.pk}")
    loads = member_loads(community)
    households = unanswered(community)
    ctx.update(
        community=community,
        loads=loads,
        unanswered=list(households[:200]),
        unanswered_count=households.order_by().values("pk")[:10001].count(),
        proposals=propose(community) if may_link else [],
        may_link=may_link,
    )
    return render(request, "visits/links.html", ctx)


@requires("visits.visit")
def due_page(request: HttpRequest) -> HttpResponse:
    """The must-visit households and when each is due, overdue first: of a community, a grid, or one member
    (``?member=``); above a community, each community's share visited in time."""
    from .indicators import VISITS_ON_TIME

    anchor = _anchor(request.user, request.GET.get("node"), Visit)
    ctx: dict[str, Any] = {
        "anchor": anchor,
        "form": forms.AreaForm(initial={"node": anchor.pk}),
        "defaults": DEFAULT_INTERVALS,
    }
    if anchor.kind in ABOVE_COMMUNITY:
        ctx["figures"] = _community_figures(anchor, VISITS_ON_TIME)
        return render(request, "visits/due.html", ctx)
    community = community_of(anchor)
    assert community is not None
    from shequ.accounts.scope import scope_paths

    items = must_visit([community], within=anchor.path)
    paths = scope_paths(request.user, Visit, "view")
    if paths is not None:  # a grid worker granted on a grid sees their grid's households only
        items = [i for i in items if any(i.path.startswith(p) for p in paths)]
    member = request.GET.get("member", "")
    if member.isdigit():
        items = [i for i in items if int(member) in i.members]
    overdue_only = request.GET.get("overdue") != "0"
    shown = [i for i in items if i.overdue] if overdue_only else items
    ctx.update(
        community=community,
        items=attach_households(shown[:500]),
        total=len(items),
        overdue=sum(1 for i in items if i.overdue),
        overdue_only=overdue_only,
        member=member,
    )
    names = _tag_names()
    for item in ctx["items"]:
        item.kind_names = [names.get(k, k) for k in item.kinds]
    return render(request, "visits/due.html", ctx)


def _tag_names() -> dict[str, str]:
    from shequ.people.models import CareTag

    return dict(CareTag.objects.values_list("code", "name"))


# -- pickers ---------------------------------------------------------------------------------------------------------


def _query(request: HttpRequest) -> str:
    field = request.GET.get("field", "")
    return request.GET.get(f"{field}__q", request.GET.get("q", ""))[:50].strip()


@login_required
def household_pick(request: HttpRequest) -> HttpResponse:
    """Households in scope by the head's name (pinyin, initials) or the room number."""
    from django.db.models import Q

    from shequ.volunteers.filtersets import person_q

    query = _query(request)
    results: list[Any] = []
    if query:
        qs = forms.households_for(request.user, "view")
        condition = Q(address__startswith=query) if any(c.isdigit() for c in query) else person_q("head__", query)
        results = list(qs.filter(condition).select_related("node__parent", "head").order_by("path", "address")[:15])
    return render(request, "visits/_household_pick.html", {"results": results})


@login_required
def member_pick(request: HttpRequest) -> HttpResponse:
    from shequ.volunteers.filtersets import person_q

    query = _query(request)
    results: list[Any] = []
    if query:
        results = list(
            forms.members_for(request.user)
            .filter(person_q("", query))
            .select_related("node__parent")
            .order_by("name", "pk")[:15]
        )
    return render(request, "orgs/_resident_pick_results.html", {"results": results})
