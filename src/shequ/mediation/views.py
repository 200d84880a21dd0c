"""Screens of people's mediation: the roster of mediators, the cases (a workflow: status, steps, timeline), the
agreement as a printable page and as PDF, the figures of any place of the user's area."""

from __future__ import annotations

import os
from typing import Any

from django import forms as djforms
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shequ.accounts.scope import can
from shequ.core.actions import fetch
from shequ.core.exceptions import NotFound
from shequ.core.permissions import requires
from shequ.core.views import ViewSet
from shequ.core.widgets import NodePickerWidget
from shequ.territory.models import Node

from . import actions, document, forms, merging, stats
from .filtersets import MediationCaseFilterSet, MediatorFilterSet
from .models import MediationCase, Mediator
from .tables import MediationCaseTable, MediatorTable


class MediationViewSet(ViewSet):
    namespace = "mediation"


class MediatorViewSet(MediationViewSet):
    model = Mediator
    filterset = MediatorFilterSet
    table = MediatorTable
    form = forms.MediatorForm
    select_related = ("committee", "node")
    actions = ("list", "detail", "add", "edit", "export", "history")
    detail_fields = (
        "name",
        "committee",
        "background",
        "phone",
        "specialities",
        "training_hours",
        "available",
        "open_cases",
        "cases_handled",
    )

    def create(self, form: Any) -> Mediator:
        d = form.cleaned_data
        return actions.do_add_mediator(
            acting_user=self.user,
            committee=d["committee"],
            resident=d.get("resident"),
            name=d.get("name") or "",
            phone=d.get("phone") or "",
            background=d["background"],
            specialities=d.get("specialities") or "",
            training_hours=d.get("training_hours") or 0,
            available=bool(d.get("available")),
        )

    def update(self, form: Any, obj: Mediator) -> Mediator:
        d = form.cleaned_data
        return actions.do_update_mediator(
            obj,
            acting_user=self.user,
            phone=d.get("phone") or "",
            background=d["background"],
            specialities=d.get("specialities") or "",
            training_hours=d.get("training_hours") or 0,
            available=bool(d.get("available")),
        )


class MediationCaseViewSet(MediationViewSet):
    model = MediationCase
    workflow = actions.WORKFLOW
    filterset = MediationCaseFilterSet
    table = MediationCaseTable
    form = forms.CaseForm
    select_related = ("committee", "node")
    detail_template = "mediation/case_detail.html"
    edit_template = "mediation/case_form.html"
    actions = ("list", "detail", "add", "export", "history")
    detail_fields = (
        "code",
        "committee",
        "category",
        "summary",
        "amount",
        "risk",
        "source",
        "request",
        "visit",
        "status",
        "registered_at",
        "deadline",
        "extension_reason",
        "reason",
        "referred_to",
        "follow_up_due",
        "honoured",
        "follow_up_note",
    )
    export_fields = ("code", "committee", "category", "risk", "source", "status", "registered_at", "deadline")

    def detail_context(self, obj: MediationCase) -> dict[str, Any]:
        agreement = getattr(obj, "agreement", None)
        return {
            "parties": list(obj.parties.select_related("resident")),
            "sessions": list(obj.sessions.prefetch_related("mediators")),
            "case_mediators": list(obj.mediators.all()),
            "agreement": agreement,
        }

    def edit_context(self, form: Any, obj: Any) -> dict[str, Any]:
        """A refused duplicate: the open case, and whether the user may merge this registration into it."""
        duplicate = getattr(form, "duplicate", None)
        if duplicate is None:
            return {}
        step = actions.WORKFLOW.steps["merge"]
        may_merge = actions.WORKFLOW.may(self.user, duplicate, step) and not actions.WORKFLOW.blocked(duplicate, step)
        return {"duplicate": duplicate, "may_merge": may_merge}

    def create(self, form: Any) -> MediationCase:
        try:
            return self._register(form)
        except actions.DuplicateCase as exc:
            form.duplicate = exc.case
            raise

    def _register(self, form: Any) -> MediationCase:
        d = form.cleaned_data
        return actions.do_register_case(
            acting_user=self.user,
            committee=d["committee"],
            category=d["category"],
            summary=d["summary"],
            amount=d.get("amount"),
            risk=d["risk"],
            parties=merging.parties_from(d),
            visit=d.get("visit"),
        )


def _case_with_agreement(request: HttpRequest, pk: str) -> MediationCase:
    case = fetch(MediationCase.objects.select_related("committee", "agreement"), request.user, "view", pk)
    if getattr(case, "agreement", None) is None:
        raise NotFound()
    return case


@login_required
def agreement_print(request: HttpRequest, pk: str) -> HttpResponse:
    """The agreement as a page to print (the same blocks as the PDF)."""
    case = _case_with_agreement(request, pk)
    title, blocks = document.blocks(case)
    return render(request, "mediation/agreement_print.html", {"object": case, "title": title, "blocks": blocks})


@login_required
def agreement_pdf(request: HttpRequest, pk: str) -> HttpResponse:
    case = _case_with_agreement(request, pk)
    response = HttpResponse(document.agreement_pdf(case), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="agreement-{case.code}.pdf"'
    return response


# -- figures ---------------------------------------------------------------------------------------------------------


def anchor_for(user: Any, node_id: Any) -> Node:
    """The chosen place if the user sees mediation cases there, else the top of their area; 404 alike."""
    nodes = Node.objects.restrict(user, "view", perm_model=MediationCase).filter(retired=False)
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


class FiguresForm(djforms.Form):
    node = djforms.IntegerField(
        label=_("Place"), widget=NodePickerWidget(action="view", model="mediation.mediationcase")
    )


@requires("mediation.mediationcase")
def figures(request: HttpRequest) -> HttpResponse:
    anchor = anchor_for(request.user, request.GET.get("node"))
    board = stats.board(MediationCase.objects.restrict(request.user, "view"), anchor)
    return render(
        request,
        "mediation/figures.html",
        {
            "anchor": anchor,
            "board": board,
            "form": FiguresForm(initial={"node": anchor.pk}),
            "can_export": can(request.user, MediationCase, "export", anchor.path),
        },
    )


@login_required
def figures_export(request: HttpRequest) -> Any:
    anchor = anchor_for(request.user, request.GET.get("node"))
    if not can(request.user, MediationCase, "export", anchor.path):
        raise NotFound()
    target = stats.write_xlsx(stats.board(MediationCase.objects.restrict(request.user, "export"), anchor))
    handle = open(target, "rb")  # noqa: SIM115 - closed by FileResponse
    os.unlink(target)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return FileResponse(handle, as_attachment=True, filename=f"mediation-{anchor.pk}-{stamp}.xlsx")
