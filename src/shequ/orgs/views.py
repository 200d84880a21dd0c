from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shequ.accounts.scope import can
from shequ.core.actions import fetch
from shequ.core.exceptions import ActionError, NotFound
from shequ.core.filtersets import search_q
from shequ.core.permissions import may, requires
from shequ.core.views import ViewSet
from shequ.territory.models import Kind as NodeKind
from shequ.territory.models import Node

from . import actions
from .filtersets import OrganizationFilterSet, PostFilterSet
from .forms import DissolveForm, EndPostForm, EstateForm, MemberForm, OrganizationForm, PostForm
from .importers import ORG_EXPORT_COLUMNS, OrganizationImporter, PostImporter, post_export_columns
from .models import PARTY_KINDS, REGISTRABLE_KINDS, TWO_NEW_KINDS, Organization, OrgKind, Post, Title
from .tables import OrganizationTable, PostTable

TITLE_ORDER = {t.value: i for i, t in enumerate(Title)}


def _sorted_posts(posts: list[Post]) -> list[Post]:
    return sorted(posts, key=lambda p: (TITLE_ORDER.get(p.title, 99), p.start_date, p.pk))


class OrganizationViewSet(ViewSet):
    model = Organization
    namespace = "orgs"
    filterset = OrganizationFilterSet
    table = OrganizationTable
    form = OrganizationForm
    importer = OrganizationImporter
    select_related = ("node", "parent")
    detail_template = "orgs/organization_detail.html"
    detail_fields = (
        "name",
        "kind",
        "node",
        "parent",
        "code",
        "established_on",
        "phone",
        "address",
        "registration",
        "filed_on",
        "registered_on",
        "contract_start",
        "contract_end",
        "has_party_org",
        "party_work_carried_out",
        "active",
        "dissolved_on",
        "dissolved_reason",
        "notes",
        "created",
        "updated",
    )

    def detail_rows(self, obj: Organization) -> list[tuple[str, Any]]:
        skip = set()
        if obj.kind not in REGISTRABLE_KINDS:
            skip |= {"registration", "filed_on", "registered_on"}
        if obj.kind != OrgKind.PROPERTY_COMPANY:
            skip |= {"contract_start", "contract_end"}
        if obj.kind not in TWO_NEW_KINDS:
            skip |= {"has_party_org", "party_work_carried_out"}
        if obj.kind not in PARTY_KINDS:
            skip.add("parent")
        if obj.active:
            skip |= {"dissolved_on", "dissolved_reason"}
        names = [n for n in self.detail_fields if n not in skip]
        rows = []
        for name in names:
            label = str(getattr(Organization._meta.get_field(name), "verbose_name", name))
            value = getattr(obj, f"get_{name}_display", None)
            rows.append((label, value() if callable(value) else getattr(obj, name)))
        return rows

    def get_queryset(self, action: str = "view") -> Any:
        qs = super().get_queryset(action)
        if action == "export":
            qs = qs.select_related("parent__parent__parent", "node__parent__parent__parent__parent").prefetch_related(
                "estates", "members"
            )
        return qs

    def export_columns(self) -> list[Any]:
        # The headers of the import template, so an export can be edited and imported back.
        return list(ORG_EXPORT_COLUMNS)

    def detail_context(self, obj: Organization) -> dict[str, Any]:
        user = self.user
        visible = Organization.objects.restrict(user, "view")
        ancestors: list[Organization] = []
        parent = obj.parent
        while parent is not None and len(ancestors) < 8:
            ancestors.insert(0, parent)
            parent = parent.parent
        posts = list(obj.posts.select_related("person"))
        current = _sorted_posts([p for p in posts if p.is_current])
        past = sorted((p for p in posts if not p.is_current), key=lambda p: p.end_date or p.start_date, reverse=True)
        ctx: dict[str, Any] = {
            "ancestors": ancestors,
            "visible_ancestors": set(visible.filter(pk__in=[a.pk for a in ancestors]).values_list("pk", flat=True)),
            "current_posts": current,
            "past_posts": past,
            "children": list(visible.filter(parent=obj).select_related("node").order_by("-active", "kind", "name")),
            "alliances": list(obj.alliances.restrict(user, "view").select_related("node")),  # type: ignore[attr-defined]
            "can_post": can(user, Post, "add", obj.path) and obj.active,
            "can_change": can(user, Organization, "change", obj.path),
        }
        if obj.kind in PARTY_KINDS:
            ctx["tree"] = party_tree(obj, visible)
        if obj.kind == OrgKind.PROPERTY_COMPANY:
            ctx["estates"] = list(obj.estates.restrict(user, "view").select_related("parent"))  # type: ignore[attr-defined]
            ctx["estate_form"] = EstateForm(user=user)
        if obj.kind == OrgKind.ALLIANCE:
            ctx["members"] = list(obj.members.restrict(user, "view").select_related("node"))  # type: ignore[attr-defined]
            ctx["member_form"] = MemberForm(user=user)
        # Records of the oversight app about this organization (through their reverse relations).
        if obj.kind == OrgKind.ALLIANCE and may(user, "oversight.jointactivity", "view"):
            ctx["joint_activities"] = list(obj.joint_activities.restrict(user, "view")[:20])  # type: ignore[attr-defined]
        if obj.kind == OrgKind.PROPERTY_COMPANY and may(user, "oversight.supervisionnote", "view"):
            notes = obj.supervision_notes.restrict(user, "view").select_related("node")  # type: ignore[attr-defined]
            ctx["supervision_notes"] = list(notes[:20])
        if obj.kind == OrgKind.RESIDENT_UNIT and may(user, "orgs.post", "view"):
            from shequ.oversight.parttime import part_time_members

            ctx["part_time_members"] = part_time_members(user, [obj.pk])
        return ctx

    def create(self, form: Any) -> Organization:
        return actions.do_create_organization(acting_user=self.user, **form.cleaned_data)

    def update(self, form: Any, obj: Organization) -> Organization:
        return actions.do_update_organization(obj, acting_user=self.user, **form.cleaned_data)

    def delete(self, obj: Organization) -> None:
        actions.do_delete_organization(obj, acting_user=self.user)


def party_tree(root: Organization, visible: Any) -> list[tuple[int, Organization]]:
    """The active party organizations under *root*, depth first, as (depth, organization); one query."""
    below = visible.filter(kind__in=PARTY_KINDS, active=True).within(root.path).select_related("node")
    children: dict[int, list[Organization]] = defaultdict(list)
    for org in below.order_by("path", "name"):
        if org.parent_id:
            children[org.parent_id].append(org)
    result: list[tuple[int, Organization]] = []

    def walk(pk: int, depth: int) -> None:
        for child in children.get(pk, ()):
            result.append((depth, child))
            if len(result) < 2000:
                walk(child.pk, depth + 1)

    walk(root.pk, 1)
    return result


class PostViewSet(ViewSet):
    model = Post
    namespace = "orgs"
    filterset = PostFilterSet
    table = PostTable
    form = PostForm
    importer = PostImporter
    select_related = ("organization", "person", "node")
    detail_template = "orgs/post_detail.html"
    detail_fields = (
        "person",
        "person_name",
        "organization",
        "title",
        "title_other",
        "start_date",
        "end_date",
        "notes",
        "created",
        "updated",
    )

    def detail_rows(self, obj: Post) -> list[tuple[str, Any]]:
        rows = [
            (_("Person"), obj.holder),
            (str(Post._meta.get_field("organization").verbose_name), obj.organization),
            (str(Post._meta.get_field("title").verbose_name), obj.title_display),
            (str(Post._meta.get_field("start_date").verbose_name), obj.start_date),
            (str(Post._meta.get_field("end_date").verbose_name), obj.end_date),
            (_("Held now"), obj.is_current),
            (str(Post._meta.get_field("notes").verbose_name), obj.notes),
        ]
        if obj.person_id is None:
            rows.insert(1, (_("Registered resident"), False))
        return rows

    def export_columns(self) -> list[Any]:
        # Full identity numbers only for those who may see them (and then the file imports back as is).
        return post_export_columns(can(self.user, "people.resident", "view_pii"))

    def get_queryset(self, action: str = "view") -> Any:
        qs = super().get_queryset(action)
        if action == "export":
            qs = qs.select_related("organization__node__parent__parent__parent__parent")
        return qs

    def create(self, form: Any) -> Post:
        return actions.do_appoint(acting_user=self.user, **form.cleaned_data)

    def update(self, form: Any, obj: Post) -> Post:
        return actions.do_update_post(obj, acting_user=self.user, **form.cleaned_data)

    def delete(self, obj: Post) -> None:
        actions.do_delete_post(obj, acting_user=self.user)


# -- actions on one organization or post ------------------------------------------------------------------------


def _org(request: HttpRequest, pk: Any, action: str = "view") -> Organization:
    return fetch(Organization.objects.select_related("node", "parent"), request.user, action, pk)


def _action_page(request: HttpRequest, obj: Any, form: Any, title: str, **extra: Any) -> HttpResponse:
    return render(
        request,
        "orgs/action.html",
        {"object": obj, "form": form, "title": title, **extra},
        status=400 if request.method == "POST" else 200,
    )


@login_required
def organization_dissolve(request: HttpRequest, pk: str) -> HttpResponse:
    org = _org(request, pk, "change")
    form = DissolveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_dissolve_organization(
                org, acting_user=request.user, on=form.cleaned_data["on"], reason=form.cleaned_data["reason"]
            )
        except ActionError as exc:
            form.add_error(None, exc.messages[0])
        else:
            messages.success(request, _("Dissolved “%(org)s”; its current posts ended.") % {"org": org})
            return HttpResponseRedirect(org.get_absolute_url())
    return _action_page(
        request,
        org,
        form,
        _("Dissolve"),
        warning=_("The organization is kept with its history; the posts held in it end on that day."),
    )


def _done(request: HttpRequest, org: Organization, work: Any) -> HttpResponse:
    try:
        work()
    except ActionError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, _("Saved “%(obj)s”.") % {"obj": org})
    return HttpResponseRedirect(org.get_absolute_url())


@login_required
@require_POST
def estate_add(request: HttpRequest, pk: str) -> HttpResponse:
    org = _org(request, pk, "change")
    form = EstateForm(request.POST, user=request.user)
    if not form.is_valid():
        messages.error(request, _("Choose a residential area inside your area."))
        return HttpResponseRedirect(org.get_absolute_url())
    estates = [*org.estates.all(), form.cleaned_data["estate"]]
    return _done(request, org, lambda: actions.do_set_estates(org, estates, acting_user=request.user))


@login_required
@require_POST
def estate_remove(request: HttpRequest, pk: str, node_pk: str) -> HttpResponse:
    org = _org(request, pk, "change")
    estates = [e for e in org.estates.all() if str(e.pk) != node_pk]
    return _done(request, org, lambda: actions.do_set_estates(org, estates, acting_user=request.user))


@login_required
@require_POST
def member_add(request: HttpRequest, pk: str) -> HttpResponse:
    org = _org(request, pk, "change")
    form = MemberForm(request.POST, user=request.user)
    if not form.is_valid():
        messages.error(request, _("Choose an organization inside your area."))
        return HttpResponseRedirect(org.get_absolute_url())
    member = form.cleaned_data["member"]
    return _done(request, org, lambda: actions.do_add_alliance_member(org, member, acting_user=request.user))


@login_required
@require_POST
def member_remove(request: HttpRequest, pk: str, member_pk: str) -> HttpResponse:
    org = _org(request, pk, "change")
    if not member_pk.isdigit():
        raise NotFound()
    return _done(request, org, lambda: actions.do_remove_alliance_member(org, int(member_pk), acting_user=request.user))


@login_required
def post_end(request: HttpRequest, pk: str) -> HttpResponse:
    post = fetch(Post.objects.select_related("organization", "person"), request.user, "change", pk)
    form = EndPostForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_end_post(post, acting_user=request.user, end_date=form.cleaned_data["end_date"])
        except ActionError as exc:
            form.add_error(None, exc.messages[0])
        except Exception as exc:  # a ValidationError of the model (e.g. an end before the start)
            from django.core.exceptions import ValidationError

            if not isinstance(exc, ValidationError):
                raise
            form.add_error(None, "；".join(exc.messages))
        else:
            messages.success(request, _("Saved “%(obj)s”.") % {"obj": post})
            return HttpResponseRedirect(post.organization.get_absolute_url())
    return _action_page(request, post, form, _("End the post"))


# -- pickers ---------------------------------------------------------------------------------------------------


def _query(request: HttpRequest) -> str:
    field = request.GET.get("field", "")
    return request.GET.get(f"{field}__q", request.GET.get("q", ""))[:50]


@login_required
def organization_pick(request: HttpRequest) -> HttpResponse:
    """Suggestions for the organization picker: by name, pinyin, initials or code, within scope."""
    qs = Organization.objects.restrict(request.user, "view").filter(active=True)
    kinds = [k for k in request.GET.get("kinds", "").split(",") if k in OrgKind.values]
    if kinds:
        qs = qs.filter(kind__in=kinds)
    query = _query(request)
    if query.strip():
        qs = qs.filter(search_q(Organization, query))
    results = list(qs.select_related("node").order_by("path", "name")[:15])
    return render(request, "orgs/_pick_results.html", {"results": results})


@login_required
def resident_pick(request: HttpRequest) -> HttpResponse:
    """Suggestions for the person of a post: residents by name, pinyin or initials, within scope."""
    from shequ.people.models import Resident

    query = _query(request).strip()
    results: list[Any] = []
    if query:
        qs = Resident.objects.restrict(request.user, "view").filter(archived=False)
        results = list(qs.filter(search_q(Resident, query)).select_related("node__parent").order_by("name", "pk")[:15])
    return render(request, "orgs/_resident_pick_results.html", {"results": results})


# -- metrics ----------------------------------------------------------------------------------------------------


def metrics_anchor(user: Any, node_id: Any) -> Node:
    """The node asked for (404 unless the user may view organizations there), or the user's topmost one."""
    nodes = Node.objects.restrict(user, "view", perm_model=Organization).filter(retired=False)
    if node_id not in (None, ""):
        try:
            anchor = nodes.filter(pk=int(node_id)).first()
        except (TypeError, ValueError):
            anchor = None
    else:
        anchor = nodes.exclude(kind__in=BELOW_COMMUNITY).order_by("depth", "path").first()
    if anchor is None:
        raise NotFound()
    return anchor


BELOW_COMMUNITY = (NodeKind.GRID, NodeKind.ESTATE, NodeKind.BUILDING, NodeKind.UNIT)


def has_metrics_anchor(user: Any) -> bool:
    """The figures are per community: a user whose organizations all lie below one (a branch secretary for a
    grid's branch) has none to see, and no menu entry leading there.  Asked on every page (the menu): a grant
    held at a community or above answers it from the grants already read; only others look further."""
    from shequ.accounts.scope import grant_kinds, reaches

    found = reaches(user, Organization, "view")
    if found is None:
        return True
    kinds = grant_kinds(user)
    if any(kinds.get(reach.path) not in (None, *BELOW_COMMUNITY) for reach in found):
        return True
    try:
        metrics_anchor(user, None)
    except NotFound:
        return False
    return True


@requires("orgs.organization", check=has_metrics_anchor)
def metrics_page(request: HttpRequest) -> HttpResponse:
    from .forms import MetricsForm
    from .metrics import COVERAGE_TARGET, CROSS_POSTING_TARGET, compute

    anchor = metrics_anchor(request.user, request.GET.get("node"))
    report = compute(anchor, request.user)
    return render(
        request,
        "orgs/metrics.html",
        {
            "anchor": anchor,
            "report": report,
            "form": MetricsForm(initial={"node": anchor.pk}),
            "cross_target": CROSS_POSTING_TARGET,
            "coverage_target": COVERAGE_TARGET,
            "can_export": can(request.user, Organization, "export", anchor.path),
        },
    )


@login_required
def metrics_export(request: HttpRequest) -> Any:
    import os

    from django.http import FileResponse
    from django.utils import timezone

    from .metrics import compute, write_xlsx

    if not can(request.user, Organization, "export"):
        raise NotFound()
    anchor = metrics_anchor(request.user, request.GET.get("node"))
    if not can(request.user, Organization, "export", anchor.path):
        raise NotFound()
    target = write_xlsx(compute(anchor, request.user))
    handle = open(target, "rb")  # noqa: SIM115 - closed by FileResponse
    os.unlink(target)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return FileResponse(handle, as_attachment=True, filename=f"org-metrics-{anchor.pk}-{stamp}.xlsx")
