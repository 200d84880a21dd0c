"""The dashboard of a node in the user's scope: figures, charts, the overdue list, export to .xlsx."""

from __future__ import annotations

import os
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shequ.accounts.scope import can
from shequ.core.exceptions import NotFound
from shequ.core.permissions import requires
from shequ.core.widgets import NodePickerWidget
from shequ.territory.models import Node

from . import stats
from .models import ServiceRequest


def anchor_for(user: Any, node_id: Any) -> Node:
    """The chosen node if the user may see requests there, else the top of the user's scope; 404 alike."""
    nodes = Node.objects.restrict(user, "view", perm_model=ServiceRequest).filter(retired=False)
    if node_id not in (None, ""):
        try:
            pk = int(node_id)
        except (TypeError, ValueError):
            raise NotFound() from None
        anchor = nodes.filter(pk=pk).first()
    else:
        anchor = nodes.order_by("depth", "path").first()
    if anchor is None:
        raise NotFound()
    return anchor


class DashboardForm(forms.Form):
    node = forms.IntegerField(label=_("Place"), widget=NodePickerWidget(action="view", model="services.servicerequest"))


@requires("services.servicerequest")
def dashboard_page(request: HttpRequest) -> HttpResponse:
    anchor = anchor_for(request.user, request.GET.get("node"))
    board = stats.dashboard(anchor)
    return render(
        request,
        "services/dashboard.html",
        {
            "anchor": anchor,
            "board": board,
            "form": DashboardForm(initial={"node": anchor.pk}),
            "can_export": can(request.user, ServiceRequest, "export", anchor.path),
        },
    )


@login_required
def dashboard_export(request: HttpRequest) -> Any:
    anchor = anchor_for(request.user, request.GET.get("node"))
    if not can(request.user, ServiceRequest, "export", anchor.path):
        raise NotFound()
    target = stats.write_xlsx(stats.dashboard(anchor))
    handle = open(target, "rb")  # noqa: SIM115 - closed by FileResponse
    os.unlink(target)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return FileResponse(handle, as_attachment=True, filename=f"requests-{anchor.pk}-{stamp}.xlsx")
