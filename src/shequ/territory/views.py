from __future__ import annotations

from typing import Any

from django.apps import apps
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from shequ.accounts.scope import can
from shequ.core.actions import fetch
from shequ.core.exceptions import ActionError, NotFound
from shequ.core.filtersets import search_q
from shequ.core.views import ViewSet

from . import actions
from .filtersets import NodeFilterSet
from .forms import MoveForm, NodeForm, RetireForm
from .importers import NodeImporter
from .models import Kind, Node
from .queries import children_with_counts, geojson, subtree_kind_counts
from .tables import NodeTable


class NodeViewSet(ViewSet):
    model = Node
    namespace = "territory"
    filterset = NodeFilterSet
    table = NodeTable
    form = NodeForm
    importer = NodeImporter
    select_related = ("parent",)
    detail_template = "territory/node_detail.html"
    actions = ("list", "add", "edit", "delete", "bulk_delete", "import", "export", "history")
    detail_fields = (
        "name",
        "kind",
        "code",
        "parent",
        "latitude",
        "longitude",
        "retired",
        "retired_reason",
        "created",
        "updated",
    )
    export_fields = ("name", "kind", "code", "parent__code", "parent", "longitude", "latitude", "retired")

    def export_columns(self) -> list[Any]:
        # Same headers as the import template, so an export can be edited and imported back.
        from shequ.core.views.generic import attr_getter

        return [
            ("名称", attr_getter("name")),
            ("类型", lambda n: n.get_kind_display()),
            ("编码", attr_getter("code")),
            ("上级编码", attr_getter("parent__code")),
            ("上级", lambda n: "/".join(a.name for a in n.ancestors()) if n.parent_id else ""),
            ("经度", attr_getter("longitude")),
            ("纬度", attr_getter("latitude")),
            (_("Retired"), attr_getter("retired")),
        ]

    def create(self, form: Any) -> Node:
        data = form.cleaned_data
        return actions.do_create_node(
            acting_user=self.user,
            parent=data["parent"],
            kind=data["kind"],
            name=data["name"],
            code=data["code"],
            latitude=data["latitude"],
            longitude=data["longitude"],
            boundary=data.get("boundary_text"),
        )

    def update(self, form: Any, obj: Node) -> Node:
        data = form.cleaned_data
        return actions.do_update_node(
            obj,
            acting_user=self.user,
            name=data["name"],
            code=data["code"],
            latitude=data["latitude"],
            longitude=data["longitude"],
            boundary=data.get("boundary_text"),
        )

    def delete(self, obj: Node) -> None:
        actions.do_delete_node(obj, acting_user=self.user)

    def edit_context(self, form: Any, obj: Any) -> dict[str, Any]:
        parent = form.known_parent() if obj is None else None
        return {"cancel_url": parent.get_absolute_url()} if parent else {}

    def get_form(self, data: Any = None, files: Any = None, instance: Any = None, initial: Any = None) -> Any:
        form = super().get_form(data, files, instance, initial)
        if instance is None and not (data or {}).get("parent") and "parent" in form.fields:
            form.fields["parent"].required = not getattr(self.user, "is_superuser", False)
        return form


def _node(request: HttpRequest, pk: Any, action: str = "view") -> Node:
    return fetch(Node.objects.select_related("parent"), request.user, action, pk)


def breadcrumbs(request: HttpRequest, node: Node) -> list[tuple[Node, bool]]:
    """Ancestors with whether the user may open them (above their scope they show as plain text)."""
    ancestors = node.ancestors()
    visible = set(
        Node.objects.restrict(request.user, "view")
        .filter(pk__in=[a.pk for a in ancestors])
        .values_list("pk", flat=True)
    )
    return [(a, a.pk in visible) for a in ancestors]


@login_required
def node_detail(request: HttpRequest, pk: str) -> HttpResponse:
    node = _node(request, pk)
    vs = NodeViewSet(request)
    show_retired = request.GET.get("retired") == "1"
    children = children_with_counts(node, request.user, include_retired=show_retired)
    kinds_below = [k for k in Kind if k.value in {c.kind for c in children}]
    child_kinds = sorted(
        {k for c in children for k in getattr(c, "counts", {})}, key=lambda k: list(Kind).index(Kind(k))
    )
    ctx = {
        "object": node,
        "node": node,
        "crumbs": breadcrumbs(request, node),
        "children": children,
        "child_kinds": [Kind(k) for k in child_kinds],
        "kinds_below": kinds_below,
        "subtree_counts": [
            (Kind(k), n)
            for k, n in sorted(subtree_kind_counts(node).items(), key=lambda kv: list(Kind).index(Kind(kv[0])))
        ],
        "rows": vs.detail_rows(node),
        "perms": vs.perms(node),
        "can_add_child": can(request.user, Node, "add", node.path) and not node.retired and node.kind != Kind.UNIT,
        "show_retired": show_retired,
        "tab": "detail",
        "viewset": vs,
        "verbose_name": Node._meta.verbose_name,
    }
    return render(request, "territory/node_detail.html", ctx)


@login_required
def tree(request: HttpRequest) -> HttpResponse:
    roots = list(Node.objects.restrict(request.user, "view").filter(retired=False).order_by("depth", "path")[:1])
    if not roots:
        return render(request, "core/home.html", {})
    return HttpResponseRedirect(roots[0].get_absolute_url())


@login_required
def node_move(request: HttpRequest, pk: str) -> HttpResponse:
    node = _node(request, pk, "change")
    form = MoveForm(request.POST or None, user=request.user, node=node)
    if request.method == "POST" and form.is_valid():
        try:
            moved = actions.do_move_node(node, form.cleaned_data["new_parent"], acting_user=request.user)
        except ActionError as exc:
            form.add_error(None, exc.messages[0])
        else:
            messages.success(
                request, _("Moved “%(node)s” under “%(parent)s”.") % {"node": moved, "parent": moved.parent}
            )
            return HttpResponseRedirect(moved.get_absolute_url())
    return render(
        request,
        "territory/node_action.html",
        {"object": node, "form": form, "title": _("Move"), "crumbs": breadcrumbs(request, node)},
        status=400 if request.method == "POST" else 200,
    )


@login_required
def node_retire(request: HttpRequest, pk: str) -> HttpResponse:
    node = _node(request, pk, "delete")
    form = RetireForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            count = actions.do_retire_node(node, acting_user=request.user, reason=form.cleaned_data["reason"])
        except ActionError as exc:
            form.add_error(None, exc.messages[0])
        else:
            messages.success(request, _("Retired %(count)d places.") % {"count": count})
            return HttpResponseRedirect(node.get_absolute_url())
    return render(
        request,
        "territory/node_action.html",
        {
            "object": node,
            "form": form,
            "title": _("Retire"),
            "crumbs": breadcrumbs(request, node),
            "warning": _(
                "The place and everything under it are kept with all their data, but hidden from lists and pickers."
            ),
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
def node_restore(request: HttpRequest, pk: str) -> HttpResponse:
    node = _node(request, pk, "delete")
    if request.method != "POST":
        raise NotFound()
    try:
        actions.do_restore_node(node, acting_user=request.user)
    except ActionError as exc:
        messages.error(request, exc.messages[0])
    else:
        messages.success(request, _("Restored “%(node)s”.") % {"node": node})
    return HttpResponseRedirect(node.get_absolute_url())


@login_required
def node_geojson(request: HttpRequest, pk: str) -> JsonResponse:
    """The node and its children with geometry (for the map of a node)."""
    node = _node(request, pk)
    nodes = [node, *Node.objects.restrict(request.user, "view").filter(parent=node, retired=False)]
    return JsonResponse(geojson(nodes))


@login_required
def map_view(request: HttpRequest) -> HttpResponse:
    import json

    from django.conf import settings
    from django.urls import reverse

    from shequ.core.maplayers import layers_for

    node_id = request.GET.get("node")
    node = _node(request, node_id) if node_id else Node.objects.restrict(request.user, "view").order_by("depth").first()
    if node is None:
        return render(request, "core/home.html", {})
    layers = [
        {
            "key": layer.key,
            "label": str(layer.label),
            "color": layer.color,
            "url": f"{reverse('territory:map_layer', args=[layer.key])}?node={node.pk}",
            "options": layer.options(request.user) if layer.options else [],
        }
        for layer in layers_for(request.user)
    ]
    tiles = {"url": settings.SHEQU_MAP_TILES, "attribution": settings.SHEQU_MAP_ATTRIBUTION}
    return render(
        request,
        "territory/map.html",
        {
            "node": node,
            "object": node,
            "crumbs": breadcrumbs(request, node),
            "layers": layers,
            "layers_json": json.dumps(layers, ensure_ascii=False),
            "tiles_json": json.dumps(tiles if tiles["url"] else {}, ensure_ascii=False),
        },
    )


@login_required
def map_layer(request: HttpRequest, key: str) -> JsonResponse:
    """One layer's features at a place of the user's area (404 for a layer the user may not see)."""
    from shequ.core.maplayers import layers_for

    layer = next((item for item in layers_for(request.user) if item.key == key), None)
    if layer is None:
        raise NotFound()
    node = _node(request, request.GET.get("node", ""))
    features = layer.features(request.user, node, {"option": request.GET.get("option", "")[:80]})
    return JsonResponse({"type": "FeatureCollection", "features": features})


@login_required
def node_pick(request: HttpRequest) -> HttpResponse:
    """Suggestions for the node picker: matches by name, pinyin, initials or code, within scope."""
    field = request.GET.get("field", "")
    query = request.GET.get(f"{field}__q", request.GET.get("q", ""))[:50]
    action = request.GET.get("action", "view")
    if action not in ("view", "add", "change"):
        action = "view"
    try:
        perm_model = apps.get_model(request.GET.get("model") or "territory.node")
    except (LookupError, ValueError):
        perm_model = Node
    qs = Node.objects.restrict(request.user, action, perm_model=perm_model).filter(retired=False)
    kinds = [k for k in request.GET.get("kinds", "").split(",") if k in Kind.values]
    if kinds:
        qs = qs.filter(kind__in=kinds)
    if query.strip():
        qs = qs.filter(search_q(Node, query))
    from .trails import with_trails

    results = with_trails(qs.order_by("depth", "name")[:15])
    return render(request, "territory/_pick_results.html", {"results": results})
