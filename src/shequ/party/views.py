"""Declared viewsets of the party records, and the screens of their steps (conversion, transfer …)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shequ.accounts.scope import can
from shequ.core.actions import fetch
from shequ.core.exceptions import ActionError, NotFound
from shequ.core.views import ViewSet
from shequ.core.views.generic import ObjectDetailView, attr_getter

from . import actions, forms
from .filtersets import (
    CommunityReportFilterSet,
    DevelopmentRecordFilterSet,
    DuesPaymentFilterSet,
    PartyMemberFilterSet,
    RelationTransferFilterSet,
)
from .importers import MEMBER_EXPORT_COLUMNS, PartyMemberImporter
from .models import (
    CommunityReport,
    DevelopmentRecord,
    DuesPayment,
    MemberStatus,
    PartyMember,
    RelationTransfer,
    Stage,
    TransferKind,
    TransferStatus,
)
from .privacy import may, may_see_full_id, record_org, shown_id_number, without_pii_for
from .tables import (
    CommunityReportTable,
    DevelopmentRecordTable,
    DuesPaymentTable,
    PartyMemberTable,
    RelationTransferTable,
)


class ContextDetailView(ObjectDetailView):
    def get(self, request: HttpRequest, pk: str) -> HttpResponse:
        obj = self.vs.get_object(pk, "view")
        extra = self.vs.detail_context(obj)  # type: ignore[attr-defined]
        ctx = self.context(object=obj, rows=self.vs.detail_rows(obj), tab="detail", **extra)
        return render(request, self.vs.detail_template, ctx)


class PartyViewSet(ViewSet):
    namespace = "party"

    def detail_context(self, obj: Any) -> dict[str, Any]:
        return {}

    def perms(self, obj: Any = None) -> dict[str, bool]:
        perms = super().perms(obj)
        if obj is not None:  # the record's organization too (a branch secretary's grant)
            for action in ("view", "change", "delete"):
                perms[action] = perms[action] and may(self.user, obj, action)
        return perms

    @classmethod
    def urls(cls) -> list[Any]:
        name = f"{cls.basename()}_detail"
        return [
            path(str(p.pattern), ContextDetailView.as_view(viewset=cls), name=name) if p.name == name else p
            for p in super().urls()
        ]

    def changed_fields(self, form: Any, obj: Any) -> dict[str, Any]:
        data = {k: v for k, v in form.cleaned_data.items() if k in form.changed_data}
        if not data.get("id_number"):
            data.pop("id_number", None)
        return data


# -- members ----------------------------------------------------------------------------------------------------


class PartyMemberViewSet(PartyViewSet):
    model = PartyMember
    filterset = PartyMemberFilterSet
    table = PartyMemberTable
    form = forms.PartyMemberForm
    importer = PartyMemberImporter
    select_related = ("organization",)
    detail_template = "party/member_detail.html"
    # No delete: a member who leaves, dies or moves away keeps the archive with the status.
    actions = ("list", "detail", "add", "edit", "import", "export", "history")
    detail_fields = (
        "name",
        "gender",
        "birth_date",
        "ethnicity",
        "phone",
        "education",
        "occupation",
        "work_unit",
        "organization",
        "status",
        "status_changed_on",
        "category",
        "joined_on",
        "probation_ends",
        "converted_on",
        "dues_base",
        "basic_allowance",
        "resident",
        "notes",
    )

    def base_queryset(self) -> Any:
        return without_pii_for(self.user, super().base_queryset())

    def perms(self, obj: Any = None) -> dict[str, bool]:
        perms = super().perms(obj)
        perms["view_pii"] = may_see_full_id(
            self.user, getattr(obj, "path", None), (record_org(obj) or 0) if obj is not None else None
        )
        return perms

    def detail_rows(self, obj: PartyMember) -> list[tuple[str, Any]]:
        rows = super().detail_rows(obj)
        rows.insert(1, (_("Identity number"), shown_id_number(self.user, obj)))
        return rows

    def export_columns(self) -> list[Any]:
        show = may_see_full_id(self.user)
        columns = list(MEMBER_EXPORT_COLUMNS)
        columns[1] = ("身份证号", (lambda m: shown_id_number(self.user, m)) if show else attr_getter("id_masked"))
        return columns

    def detail_context(self, obj: PartyMember) -> dict[str, Any]:
        from .archive import member_archive

        user = self.user
        archive = member_archive(user, obj, payments=12)
        return {
            "events": archive.events,
            "transfers": archive.transfers,
            "posts": archive.posts,
            "open_transfer": next((t for t in archive.transfers if t.is_open), None),
            "payments": archive.payments,
            "dues_due": archive.monthly_dues,
            "development": archive.development,
            "can_change": may(user, obj, "change") and obj.is_active,
            "can_export": may(user, obj, "export"),
            "is_probationary": obj.status == MemberStatus.PROBATIONARY,
            # A conversion is decided on or after the probation's end, never ahead (do_convert's rule).
            "convertible": obj.probation_ends is not None and obj.probation_ends <= timezone.localdate(),
            "probation_overdue": obj.probation_overdue(),
        }

    def create(self, form: Any) -> PartyMember:
        return actions.do_create_member(acting_user=self.user, **form.cleaned_data)

    def update(self, form: Any, obj: PartyMember) -> PartyMember:
        return actions.do_update_member(obj, acting_user=self.user, **self.changed_fields(form, obj))


# -- development --------------------------------------------------------------------------------------------------


class DevelopmentRecordViewSet(PartyViewSet):
    model = DevelopmentRecord
    filterset = DevelopmentRecordFilterSet
    table = DevelopmentRecordTable
    form = forms.DevelopmentRecordForm
    select_related = ("organization",)
    detail_template = "party/development_detail.html"
    actions = ("list", "detail", "add", "edit", "export", "history")
    detail_fields = (
        "name",
        "gender",
        "birth_date",
        "phone",
        "education",
        "occupation",
        "organization",
        "stage",
        "applied_on",
        "activist_on",
        "target_on",
        "admitted_on",
        "converted_on",
        "contact_1",
        "contact_2",
        "introducer_1",
        "introducer_2",
        "member",
        "stopped_on",
        "stopped_reason",
        "notes",
    )
    export_fields = (
        "name",
        "id_masked",
        "organization",
        "stage",
        "applied_on",
        "activist_on",
        "target_on",
        "admitted_on",
        "converted_on",
        "contact_1",
        "introducer_1",
        "introducer_2",
    )

    def base_queryset(self) -> Any:
        return without_pii_for(self.user, super().base_queryset())

    def detail_rows(self, obj: DevelopmentRecord) -> list[tuple[str, Any]]:
        rows = super().detail_rows(obj)
        rows.insert(1, (_("Identity number"), shown_id_number(self.user, obj)))
        return rows

    def detail_context(self, obj: DevelopmentRecord) -> dict[str, Any]:
        from .due import next_step

        return {"can_change": may(self.user, obj, "change"), "next": next_step(obj)}

    def create(self, form: Any) -> DevelopmentRecord:
        return actions.do_register_applicant(acting_user=self.user, **form.cleaned_data)

    def update(self, form: Any, obj: DevelopmentRecord) -> DevelopmentRecord:
        return actions.do_update_record(obj, acting_user=self.user, **self.changed_fields(form, obj))


# -- transfers ----------------------------------------------------------------------------------------------------


class RelationTransferViewSet(PartyViewSet):
    model = RelationTransfer
    filterset = RelationTransferFilterSet
    table = RelationTransferTable
    select_related = ("member", "from_org", "to_org")
    detail_template = "party/transfer_detail.html"
    list_template = "party/transfer_list.html"
    actions = ("list", "detail", "export", "history")
    detail_fields = (
        "kind",
        "status",
        "from_org",
        "to_org",
        "outside_org",
        "letter_number",
        "valid_until",
        "reason",
        "requested_on",
        "due_on",
        "approved_on",
        "closed_on",
        "response",
    )
    export_fields = (
        "member",
        "person_name",
        "kind",
        "status",
        "from_org",
        "to_org",
        "outside_org",
        "letter_number",
        "valid_until",
        "requested_on",
        "due_on",
        "approved_on",
        "closed_on",
        "response",
    )

    def detail_context(self, obj: RelationTransfer) -> dict[str, Any]:
        user = self.user
        sender = obj.kind != TransferKind.INCOMING and can(
            user, RelationTransfer, "change", obj.path, obj.from_org_id or 0
        )
        receiver_path = obj.path if obj.kind == TransferKind.INCOMING else obj.to_path
        receiver = (
            obj.kind != TransferKind.OUTGOING
            and bool(receiver_path)
            and can(user, RelationTransfer, "change", receiver_path, obj.to_org_id or 0)
        )
        status = obj.status
        return {
            "person": obj.member,
            "person_id": shown_id_number(user, obj.member) if obj.member else obj.id_masked,
            "member_visible": obj.member_id is not None
            and PartyMember.objects.restrict(user, "view").filter(pk=obj.member_id).exists(),
            "can_approve": sender and status == TransferStatus.REQUESTED,
            "can_reject": sender and status == TransferStatus.REQUESTED,
            "can_confirm": sender and obj.kind == TransferKind.OUTGOING and status == TransferStatus.APPROVED,
            "can_accept": receiver
            and (
                (obj.kind == TransferKind.INTERNAL and status == TransferStatus.APPROVED)
                or (obj.kind == TransferKind.INCOMING and status == TransferStatus.REQUESTED)
            ),
            "can_return": receiver
            and (
                (obj.kind == TransferKind.INTERNAL and status == TransferStatus.APPROVED)
                or (obj.kind == TransferKind.INCOMING and status == TransferStatus.REQUESTED)
            ),
            "can_register_incoming": can(user, RelationTransfer, "add"),
        }


# -- reports and dues ---------------------------------------------------------------------------------------------


class CommunityReportViewSet(PartyViewSet):
    model = CommunityReport
    filterset = CommunityReportFilterSet
    table = CommunityReportTable
    form = forms.CommunityReportForm
    select_related = ("member", "node", "branch")
    detail_template = "party/report_detail.html"
    actions = ("list", "detail", "add", "export", "history")
    detail_fields = ("member", "node", "branch", "registered_on", "ended_on", "notes")

    def detail_context(self, obj: CommunityReport) -> dict[str, Any]:
        activities = list(obj.activities.order_by("-on", "-id"))
        return {
            "activities": activities,
            "hours": sum((a.hours for a in activities), 0),
            "selections": list(obj.selections.all()),
            "can_change": may(self.user, obj, "change") and obj.ended_on is None,
        }

    def create(self, form: Any) -> CommunityReport:
        data = form.cleaned_data
        member = actions.find_reporting_member(
            self.user, member=data.get("member"), id_number=data.get("member_id_number") or ""
        )
        return actions.do_register_report(
            acting_user=self.user,
            member=member,
            community=data["node"],
            branch=data.get("branch"),
            registered_on=data.get("registered_on"),
            notes=data.get("notes") or "",
        )


class DuesPaymentViewSet(PartyViewSet):
    model = DuesPayment
    filterset = DuesPaymentFilterSet
    table = DuesPaymentTable
    select_related = ("member",)
    actions = ("list", "detail", "export", "history")
    detail_fields = ("member", "month", "base", "amount", "paid_on", "recorded_by")
    export_fields = ("member", "month", "base", "amount", "paid_on")


# -- steps ----------------------------------------------------------------------------------------------------------


def _step(
    request: HttpRequest,
    obj: Any,
    form_class: type,
    title: str,
    work: Callable[[dict[str, Any]], Any],
    *,
    done: Callable[[Any], str] | None = None,
    warning: str = "",
    initial: dict[str, Any] | None = None,
) -> HttpResponse:
    form = form_class(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            result = work(form.cleaned_data)
        except ActionError as exc:
            form.add_error(None, "；".join(exc.messages))
        else:
            messages.success(request, _("Saved “%(obj)s”.") % {"obj": result})
            return HttpResponseRedirect(done(result) if done else result.get_absolute_url())
    return render(
        request,
        "party/action.html",
        {"object": obj, "form": form, "title": title, "warning": warning},
        status=400 if request.method == "POST" else 200,
    )


@dataclass(frozen=True)
class Step:
    """One step of a workflow on one object: its form, the page's title, the action it calls with
    ``(object, user, cleaned_data)``; after it the user lands on the result (or on the object, with
    ``back_to_object``).  ``warning(object)`` and ``initial(request, object)`` fill the page."""

    form: type
    title: Any
    work: Callable[[Any, Any, dict[str, Any]], Any]
    back_to_object: bool = False
    warning: Callable[[Any], str] | None = None
    initial: Callable[[HttpRequest, Any], dict[str, Any] | None] | None = None


def step_urls(route: str, name: str, load: Callable[[HttpRequest, str], Any], steps: dict[str, Step]) -> list[Any]:
    """``<route>/<pk>/<step>/`` named ``party:<name>_<step>`` for every step, the object loaded by *load*
    (within the user's scope, else 404)."""

    def view_for(step: Step) -> Callable[..., HttpResponse]:
        @login_required
        def view(request: HttpRequest, pk: str) -> HttpResponse:
            obj = load(request, pk)
            return _step(
                request,
                obj,
                step.form,
                str(step.title),
                lambda d: step.work(obj, request.user, d),
                done=(lambda _result: obj.get_absolute_url()) if step.back_to_object else None,
                warning=step.warning(obj) if step.warning else "",
                initial=step.initial(request, obj) if step.initial else None,
            )

        return view

    return [path(f"{route}/<str:pk>/{key}/", view_for(step), name=f"{name}_{key}") for key, step in steps.items()]


def _member(request: HttpRequest, pk: str, action: str = "change") -> PartyMember:
    return fetch(PartyMember.objects.select_related("organization"), request.user, action, pk)


MEMBER_STEPS = {
    "convert": Step(
        forms.OnForm,
        gettext_lazy("Convert to full member"),
        lambda m, user, d: actions.do_convert(m, acting_user=user, decided_on=d["on"]),
        warning=lambda m: (
            _("The probation ends on %(end)s; Party standing counts from that day.")
            % {"end": m.probation_ends.isoformat() if m.probation_ends else "—"}
        ),
    ),
    "extend": Step(
        forms.ExtendForm,
        gettext_lazy("Extend the probation"),
        lambda m, user, d: actions.do_extend_probation(
            m, acting_user=user, months=d["months"], decided_on=d["on"], reason=d["reason"]
        ),
        warning=lambda m: _("A probation is extended once, by at most one year."),
    ),
    "cancel": Step(
        forms.ReasonForm,
        gettext_lazy("Cancel the probationary membership"),
        lambda m, user, d: actions.do_cancel_probation(m, acting_user=user, reason=d["reason"], decided_on=d["on"]),
    ),
    "status": Step(
        forms.StatusForm,
        gettext_lazy("Change the status"),
        lambda m, user, d: actions.do_change_status(
            m, acting_user=user, status=d["status"], on=d["on"], reason=d["reason"]
        ),
    ),
    "event": Step(
        forms.EventForm,
        gettext_lazy("Add to the archive"),
        lambda m, user, d: actions.do_add_event(m, acting_user=user, **d),
        back_to_object=True,
    ),
    "dues": Step(
        forms.DuesForm,
        gettext_lazy("Record dues"),
        lambda m, user, d: actions.do_record_dues(m, acting_user=user, **d),
        back_to_object=True,
    ),
    "transfer": Step(
        forms.TransferRequestForm,
        gettext_lazy("Request a relation transfer"),
        lambda m, user, d: actions.do_request_transfer(m, acting_user=user, **d),
        warning=lambda m: (
            _("The member stays in “%(org)s” until the receiving organization accepts.") % {"org": m.organization.name}
        ),
    ),
}


def _record(request: HttpRequest, pk: str) -> DevelopmentRecord:
    return fetch(DevelopmentRecord.objects.select_related("organization"), request.user, "change", pk)


DEVELOPMENT_STEPS = {
    "activist": Step(
        forms.ActivistForm,
        Stage.ACTIVIST.label,
        lambda r, user, d: actions.do_make_activist(
            r, acting_user=user, on=d["on"], contacts=[d["contact_1"], d.get("contact_2")]
        ),
    ),
    "target": Step(
        forms.OnForm,
        Stage.TARGET.label,
        lambda r, user, d: actions.do_make_target(r, acting_user=user, on=d["on"]),
        warning=lambda r: _("At least one year as an activist."),
    ),
    "admit": Step(
        forms.AdmitForm,
        gettext_lazy("Admit as probationary member"),
        lambda r, user, d: actions.do_admit(
            r, acting_user=user, on=d["on"], introducers=[d["introducer_1"], d["introducer_2"]], category=d["category"]
        ),
    ),
    "stop": Step(
        forms.ReasonForm,
        gettext_lazy("Stop the development"),
        lambda r, user, d: actions.do_stop_development(r, acting_user=user, reason=d["reason"], on=d["on"]),
    ),
}


def _transfer(request: HttpRequest, pk: str) -> RelationTransfer:
    return fetch(RelationTransfer.objects.select_related("member", "from_org", "to_org"), request.user, "change", pk)


TRANSFER_STEPS = {
    "approve": Step(
        forms.ApproveForm,
        gettext_lazy("Approve"),
        lambda t, user, d: actions.do_approve_transfer(
            t, acting_user=user, on=d["on"], letter_number=d["letter_number"], valid_until=d["valid_until"]
        ),
        initial=lambda request, t: {"letter_number": t.letter_number, "valid_until": t.valid_until},
    ),
    "reject": Step(
        forms.ReasonForm,
        gettext_lazy("Reject"),
        lambda t, user, d: actions.do_reject_transfer(t, acting_user=user, reason=d["reason"], on=d["on"]),
    ),
    "return": Step(
        forms.ReasonForm,
        gettext_lazy("Return"),
        lambda t, user, d: actions.do_return_transfer(t, acting_user=user, reason=d["reason"], on=d["on"]),
    ),
    "accept": Step(
        forms.OnForm,
        gettext_lazy("Accept"),
        lambda t, user, d: actions.do_accept_transfer(t, acting_user=user, on=d["on"]),
    ),
    "confirm": Step(
        forms.OnForm,
        gettext_lazy("Confirm the arrival"),
        lambda t, user, d: actions.do_confirm_arrival(t, acting_user=user, on=d["on"]),
    ),
}


@login_required
def transfer_incoming(request: HttpRequest) -> HttpResponse:
    if not can(request.user, RelationTransfer, "add"):
        raise NotFound()
    return _step(
        request,
        None,
        forms.IncomingForm,
        _("Register an incoming transfer"),
        lambda d: actions.do_register_incoming(acting_user=request.user, **d),
    )


def _report(request: HttpRequest, pk: str) -> CommunityReport:
    return fetch(CommunityReport.objects.select_related("member", "node"), request.user, "change", pk)


REPORT_STEPS = {
    "activity": Step(
        forms.ActivityForm,
        gettext_lazy("Record an activity"),
        lambda r, user, d: actions.do_record_activity(r, acting_user=user, **d),
        back_to_object=True,
    ),
    "select": Step(
        forms.SelectionForm,
        gettext_lazy("Select as outstanding on-the-job member"),
        lambda r, user, d: actions.do_select_outstanding(r, acting_user=user, **d),
        back_to_object=True,
        initial=lambda request, r: {"year": request.GET["year"]} if request.GET.get("year", "").isdigit() else None,
    ),
    "end": Step(
        forms.OnForm,
        gettext_lazy("End the report"),
        lambda r, user, d: actions.do_end_report(r, acting_user=user, on=d["on"]),
    ),
}
