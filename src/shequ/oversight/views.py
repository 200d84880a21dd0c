"""Screens of the oversight app: declared view sets (entry applications, evaluation campaigns, termination cases,
agreements, commitments, hearings, consent requests), answers on paper, the units without an agreement."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from shequ.accounts.scope import can
from shequ.core.actions import fetch
from shequ.core.exceptions import ActionError
from shequ.core.models import stored_file_view
from shequ.core.permissions import may, requires
from shequ.core.views import ViewSet

from . import actions, forms
from .filtersets import (
    AgreementFilterSet,
    CampaignFilterSet,
    CommitmentFilterSet,
    ConsentRequestFilterSet,
    EntryApplicationFilterSet,
    HearingFilterSet,
    TerminationCaseFilterSet,
)
from .importers import CommitmentImporter
from .models import (
    Agreement,
    AnswerChannel,
    Campaign,
    CampaignStatus,
    Commitment,
    ConsentRequest,
    EntryApplication,
    Evaluators,
    Hearing,
    Rating,
    TerminationCase,
)
from .models_documents import ConsentDocument
from .results import complaints, item_results, refresh_counts, units_without_agreement
from .tables import (
    AgreementTable,
    CampaignTable,
    CommitmentTable,
    ConsentRequestTable,
    EntryApplicationTable,
    HearingTable,
    TerminationCaseTable,
)

CASE_ACTIONS = ("list", "detail", "add", "export", "history")


class OversightViewSet(ViewSet):
    namespace = "oversight"


class EntryApplicationViewSet(OversightViewSet):
    model = EntryApplication
    workflow = actions.ENTRY
    filterset = EntryApplicationFilterSet
    table = EntryApplicationTable
    form = forms.EntryForm
    select_related = ("company", "node")
    actions = CASE_ACTIONS
    detail_fields = ("company", "node", "contract_start", "contract_end", "scope", "status", "decided_on", "reason")
    detail_template = "oversight/entryapplication_detail.html"

    def detail_context(self, obj: EntryApplication) -> dict[str, Any]:
        from .models import SupervisionNote

        notes = SupervisionNote.objects.restrict(self.user, "view").filter(company=obj.company_id, node=obj.node_id)
        return {**super().detail_context(obj), "supervision_notes": list(notes.select_related("node")[:50])}

    def create(self, form: Any) -> EntryApplication:
        d = form.cleaned_data
        return actions.do_apply_entry(
            acting_user=self.user,
            company=d["company"],
            estate=d["node"],
            contract_start=d["contract_start"],
            contract_end=d["contract_end"],
            scope=d["scope"],
        )


class CampaignViewSet(OversightViewSet):
    model = Campaign
    workflow = actions.CAMPAIGN
    filterset = CampaignFilterSet
    table = CampaignTable
    form = forms.CampaignForm
    select_related = ("subject", "node")
    actions = CASE_ACTIONS
    detail_template = "oversight/campaign_detail.html"
    detail_fields = (
        "year",
        "subject_kind",
        "subject",
        "node",
        "evaluators",
        "expected",
        "answers_count",
        "response_rate",
        "satisfaction",
        "status",
        "closed_on",
    )
    export_fields = (
        "year",
        "subject",
        "node",
        "evaluators",
        "expected",
        "answers_count",
        "response_rate",
        "satisfaction",
        "status",
    )

    def get_object(self, pk: Any, action: str = "view") -> Campaign:
        obj = super().get_object(pk, action)
        if obj.status == CampaignStatus.OPEN:
            refresh_counts(Campaign.objects.filter(pk=obj.pk))
            obj.refresh_from_db(fields=["answers_count", "satisfied", "basic", "dissatisfied"])
        return obj

    def detail_context(self, obj: Campaign) -> dict[str, Any]:
        return {
            "items": item_results(obj),
            "ratings": Rating.choices,
            "can_answer": obj.status == CampaignStatus.OPEN and can(self.user, Campaign, "change", obj.path),
            "terminations": list(obj.termination_cases.all()),
        }

    def create(self, form: Any) -> Campaign:
        d = form.cleaned_data
        return actions.do_open_campaign(
            acting_user=self.user,
            node=d["node"],
            year=d["year"],
            subject_kind=d["subject_kind"],
            subject=d["subject"],
            evaluators=d["evaluators"],
            items=d["items"],
            expected=d.get("expected"),
        )


class TerminationCaseViewSet(OversightViewSet):
    model = TerminationCase
    workflow = actions.TERMINATION
    filterset = TerminationCaseFilterSet
    table = TerminationCaseTable
    select_related = ("company", "node", "campaign__subject", "new_entry__company")
    actions = ("list", "detail", "export", "history")
    detail_fields = (
        "company",
        "node",
        "campaign",
        "satisfaction",
        "status",
        "notice",
        "response",
        "decision",
        "legal_basis",
        "new_entry",
    )


class AgreementViewSet(OversightViewSet):
    model = Agreement
    filterset = AgreementFilterSet
    table = AgreementTable
    form = forms.AgreementForm
    select_related = ("unit", "node")
    actions = ("list", "detail", "add", "edit", "delete", "bulk_delete", "export", "history")
    detail_template = "oversight/agreement_detail.html"
    detail_fields = ("unit", "node", "year", "signed_on", "contribution", "grade")

    def detail_context(self, obj: Agreement) -> dict[str, Any]:
        from .parttime import part_time_members

        return {
            "part_time_members": part_time_members(self.user, [obj.unit_id]),
            "commitments": list(obj.commitments.all()),
            "can_add_commitment": can(self.user, Commitment, "add", obj.path),
        }

    def create(self, form: Any) -> Agreement:
        return actions.do_save_agreement(form.save(commit=False), acting_user=self.user)

    def update(self, form: Any, obj: Agreement) -> Agreement:
        return actions.do_save_agreement(form.save(commit=False), acting_user=self.user, action="change")


class CommitmentViewSet(OversightViewSet):
    model = Commitment
    filterset = CommitmentFilterSet
    table = CommitmentTable
    form = forms.CommitmentForm
    importer = CommitmentImporter
    select_related = ("agreement__unit", "node")
    actions = ("list", "detail", "add", "edit", "delete", "import", "export", "history")
    detail_fields = ("agreement", "kind", "description", "target", "unit_label", "achieved", "fulfilled")

    def create(self, form: Any) -> Commitment:
        return actions.do_save_commitment(form.save(commit=False), acting_user=self.user)

    def update(self, form: Any, obj: Commitment) -> Commitment:
        return actions.do_save_commitment(form.save(commit=False), acting_user=self.user, action="change")


class HearingViewSet(OversightViewSet):
    model = Hearing
    filterset = HearingFilterSet
    table = HearingTable
    form = forms.HearingForm
    select_related = ("node",)
    actions = ("list", "detail", "add", "edit", "delete", "bulk_delete", "export", "history")
    detail_fields = ("topic", "held_on", "node", "participants", "opinions", "outcome")


class ConsentRequestViewSet(OversightViewSet):
    model = ConsentRequest
    workflow = actions.CONSENT
    filterset = ConsentRequestFilterSet
    table = ConsentRequestTable
    form = forms.ConsentForm
    select_related = ("node",)
    actions = CASE_ACTIONS
    detail_fields = ("kind", "title", "applicant", "node", "description", "documents", "status", "opinion", "reasons")
    detail_template = "oversight/consentrequest_detail.html"

    def detail_context(self, obj: ConsentRequest) -> dict[str, Any]:
        return {"consent_files": list(obj.files.all())}

    def create(self, form: Any) -> ConsentRequest:
        return actions.do_request_consent(acting_user=self.user, **form.cleaned_data)


consent_document = stored_file_view(ConsentDocument)  # only within the user's scope; 404 otherwise


@login_required
def paper_answer(request: HttpRequest, pk: str) -> HttpResponse:
    """Staff enter an answer given on paper (one per household)."""
    campaign = fetch(Campaign.objects.select_related("subject", "node"), request.user, "change", pk)
    data = request.POST if request.method == "POST" else None
    form = forms.PaperAnswerForm(data, user=request.user, campaign=campaign)
    if data is not None and form.is_valid():
        household = None
        number = (form.cleaned_data.get("household_number") or "").strip()
        if campaign.evaluators == Evaluators.HOUSEHOLDS:
            household = (
                actions.households_of(campaign.node)
                .restrict(request.user, "view")
                .filter(number=number)
                .values_list("pk", flat=True)
                .first()
            )
            if household is None:
                form.add_error("household_number", _("No household with this number lives here."))
        if not form.errors:
            try:
                actions.do_answer(
                    campaign,
                    acting_user=request.user,
                    ratings=forms.ratings_of(form, len(campaign.item_list)),
                    comments=form.cleaned_data.get("comments") or "",
                    household=household,
                    channel=AnswerChannel.PAPER,
                )
            except ActionError as exc:
                form.add_error(None, "；".join(exc.messages))
            else:
                messages.success(request, _("Answer recorded."))
                return HttpResponseRedirect(request.path)
    return render(
        request,
        "oversight/paper_answer.html",
        {"form": form, "campaign": campaign},
        status=400 if data is not None else 200,
    )


@requires("oversight.agreement")
def missing_agreements(request: HttpRequest) -> HttpResponse:
    """Resident units of the user's area without an agreement this year (or the year asked)."""
    try:
        year = int(request.GET.get("year") or timezone.localdate().year)
    except ValueError:
        year = timezone.localdate().year
    year = min(max(year, 2000), 2100)
    units = units_without_agreement(request.user, year)
    return render(request, "oversight/missing_agreements.html", {"units": units, "year": year})


@requires("oversight.entryapplication", check=lambda user: may(user, "services.servicerequest", "view"))
def complaints_page(request: HttpRequest) -> HttpResponse:
    """Complaints about the property companies: residents' requests of the property categories, per company and
    residential area served."""

    try:
        year = min(max(int(request.GET.get("year") or timezone.localdate().year), 2000), 2100)
    except ValueError:
        year = timezone.localdate().year
    return render(request, "oversight/complaints.html", {"rows": complaints(request.user, year), "year": year})
