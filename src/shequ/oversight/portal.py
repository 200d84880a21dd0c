"""The public portal's evaluations: a household answers once, verified by its household number and the last four
digits of a member's phone.  Nothing personal is shown; a wrong number/digits pair answers like an unknown one,
and failed verifications are rate-limited per campaign and number."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from shequ.core.exceptions import ActionError
from shequ.services.portal import LIMITS, Throttled, _hit, client_ip, throttled

from . import actions
from .forms import SurveyForm, ratings_of
from .models import AnswerChannel, Campaign, CampaignStatus, Evaluators

# Failed verifications allowed (per campaign and household number; per address), per hour.
LIMITS.setdefault("survey_number", (10, 3600))
LIMITS.setdefault("survey_ip", (60, 3600))
NO_MATCH = "no_match"


def surveys(request: HttpRequest) -> HttpResponse:
    """The household evaluations open now."""
    campaigns = (
        Campaign.objects.filter(status=CampaignStatus.OPEN, evaluators=Evaluators.HOUSEHOLDS)
        .select_related("subject", "node")
        .order_by("path", "-year")[:100]
    )
    return render(request, "oversight/portal/surveys.html", {"campaigns": campaigns})


@require_http_methods(["GET", "POST"])
def survey(request: HttpRequest, pk: str) -> HttpResponse:
    try:
        campaign = (
            Campaign.objects.select_related("subject", "node")
            .only("id", "path", "items", "status", "evaluators", "year", "subject__name", "node__name")
            .get(pk=int(pk), evaluators=Evaluators.HOUSEHOLDS)
        )
    except (ValueError, Campaign.DoesNotExist):
        raise Http404() from None
    context = {"campaign": campaign, "done": request.GET.get("done") == "1"}
    if campaign.status != CampaignStatus.OPEN:
        return render(request, "oversight/portal/survey.html", {**context, "closed": True})
    data = request.POST if request.method == "POST" else None
    form = SurveyForm(data, campaign=campaign)
    if data is not None and form.is_valid():
        d = form.cleaned_data
        household = actions.find_household(campaign, d["household_number"], d["last4"])
        if household is None:
            try:
                _hit("survey_ip", client_ip(request))
                _hit("survey_number", f"{campaign.pk}:{d['household_number']}")
            except Throttled:
                return throttled(request)
            form.add_error(None, _("No household matches this number and these digits."))
        else:
            try:
                actions.do_answer(
                    campaign,
                    acting_user=None,
                    ratings=ratings_of(form, len(campaign.item_list)),
                    comments=d.get("comments") or "",
                    household=household,
                    channel=AnswerChannel.PORTAL,
                    trusted=True,
                )
            except ActionError as exc:
                form.add_error(None, "；".join(exc.messages))
            else:
                return HttpResponseRedirect(reverse("oversight:portal_survey", args=[campaign.pk]) + "?done=1")
    status = 400 if data is not None else 200
    return render(request, "oversight/portal/survey.html", {**context, "form": form}, status=status)
