"""The public portal's volunteer tab (no account needed): the activities open to sign-ups, signing up with a
one-time code sent to the volunteer's phone (or with an account of the platform linked to the volunteer),
one's own sign-ups and hours, logging one's hours for the captain to confirm.

Nothing personal of anyone else is shown: an activity gives its team, place, time and places left; a phone
that belongs to no volunteer gets exactly the answer one that does gets.  Every form is rate-limited."""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from shequ.core.cells import RowError, phone_cell
from shequ.core.exceptions import ActionError, NotFound
from shequ.orgs.forms import DateInput
from shequ.services.portal import LIMITS, Throttled, _hit, client_ip, throttled

from . import actions, codes
from .models import (
    MAX_HOURS_A_DAY,
    Activity,
    ActivityStatus,
    SignUp,
    SignUpChannel,
    SignUpStatus,
    TeamMembership,
    Volunteer,
    VolunteerStatus,
)

LIMITS.update(
    {
        "volunteer_code_ip": (10, 3600),
        "volunteer_code_phone": (3, 3600),
        "volunteer_verify_ip": (30, 600),
        "volunteer_signup_ip": (30, 3600),
    }
)
SESSION_KEY = "portal_volunteers"
SESSION_SECONDS = 1800
PAGE = 30


class PhoneForm(forms.Form):
    phone = forms.CharField(
        label=gettext_lazy("Your phone number"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
        help_text=gettext_lazy("The number you registered with as a volunteer: we send a code to it."),
    )
    next = forms.CharField(required=False, widget=forms.HiddenInput)

    def clean_phone(self) -> str:
        try:
            phone = phone_cell(self.cleaned_data.get("phone"))
        except RowError:
            raise forms.ValidationError(_("Enter a phone number we can call.")) from None
        if not phone:
            raise forms.ValidationError(_("Enter a phone number we can call."))
        return phone


class CodeForm(PhoneForm):
    code = forms.RegexField(
        label=gettext_lazy("Code"),
        regex=r"^\d{6}$",
        max_length=6,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
        error_messages={"invalid": gettext_lazy("The code has six digits.")},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["phone"].widget = forms.HiddenInput()


class PortalHoursForm(forms.Form):
    team = forms.ChoiceField(label=gettext_lazy("Team"))
    served_on = forms.DateField(label=gettext_lazy("Date"), widget=DateInput(), initial=timezone.localdate)
    hours = forms.DecimalField(
        label=gettext_lazy("Hours"),
        max_digits=4,
        decimal_places=1,
        min_value=0.1,
        max_value=MAX_HOURS_A_DAY,  # type: ignore[arg-type]
    )
    description = forms.CharField(label=gettext_lazy("What you did"), max_length=200, required=False)

    def __init__(self, *args: Any, teams: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["team"].choices = [(str(t.pk), t.name) for t in teams]  # type: ignore[attr-defined]


def _safe_next(url: str) -> str:
    return url if url.startswith("/volunteers/portal/") and "//" not in url else reverse("volunteers:portal")


def volunteers_of(request: HttpRequest) -> list[Volunteer]:
    """The volunteers this visitor is: verified by a code in this session, or linked to their account."""
    found: list[Volunteer] = []
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        own = Volunteer.objects.filter(user=user, status=VolunteerStatus.ACTIVE).select_related("resident").first()
        if own is not None:
            own.channel = SignUpChannel.ACCOUNT  # type: ignore[attr-defined]
            found.append(own)
    stored = request.session.get(SESSION_KEY) or {}
    if stored and stored.get("until", 0) > timezone.now().timestamp():
        for v in Volunteer.objects.filter(pk__in=stored.get("ids", []), status=VolunteerStatus.ACTIVE).select_related(
            "resident"
        ):
            if all(v.pk != f.pk for f in found):
                v.channel = SignUpChannel.PORTAL  # type: ignore[attr-defined]
                found.append(v)
    return found


def _open_activities() -> Any:
    return Activity.objects.filter(status=ActivityStatus.PUBLISHED, public=True, starts_at__gt=timezone.now())


def activities(request: HttpRequest) -> HttpResponse:
    """The activities open to sign-ups, soonest first."""
    rows = list(_open_activities().select_related("team", "place").order_by("starts_at", "pk")[:PAGE])
    return render(request, "volunteers/portal/activities.html", {"activities": rows, "me": volunteers_of(request)})


@require_http_methods(["GET", "POST"])
def activity(request: HttpRequest, pk: str) -> HttpResponse:
    """One activity; signing up (posted) for a volunteer verified by code or account."""
    try:
        found = _open_activities().select_related("team", "place").filter(pk=int(pk)).first()
    except ValueError:
        found = None
    if found is None:
        raise NotFound()
    me = volunteers_of(request)
    error = ""
    status = 200
    if request.method == "POST":
        try:
            _hit("volunteer_signup_ip", client_ip(request))
        except Throttled:
            return throttled(request)
        chosen = next((v for v in me if str(v.pk) == request.POST.get("volunteer", str(me[0].pk) if me else "")), None)
        if chosen is None:
            error, status = _("Confirm your phone number first."), 400
        else:
            try:
                actions.do_sign_up(found, chosen, acting_user=None, channel=chosen.channel, trusted=True)  # type: ignore[attr-defined]
            except ActionError as exc:
                error, status = "；".join(exc.messages), 400
            else:
                return HttpResponseRedirect(reverse("volunteers:portal_mine") + "?signed=1")
    signed = {
        s.volunteer_id
        for s in SignUp.objects.filter(activity=found, volunteer__in=[v.pk for v in me]).exclude(
            status=SignUpStatus.CANCELLED
        )
    }
    return render(
        request,
        "volunteers/portal/activity.html",
        {
            "activity": found,
            "me": me,
            "signed": signed,
            "error": error,
            "phone_form": PhoneForm(initial={"next": request.path}),
        },
        status=status,
    )


@require_POST
def send_code(request: HttpRequest) -> HttpResponse:
    """Send a code to the phone if it belongs to an active volunteer; the answer is the same either way."""
    form = PhoneForm(request.POST)
    try:
        _hit("volunteer_code_ip", client_ip(request))
        if form.is_valid():
            _hit("volunteer_code_phone", form.cleaned_data["phone"])
    except Throttled:
        return throttled(request)
    if not form.is_valid():
        return render(request, "volunteers/portal/phone.html", {"form": form}, status=400)
    phone = form.cleaned_data["phone"]
    if Volunteer.objects.filter(phone=phone, status=VolunteerStatus.ACTIVE).exists():
        try:
            codes.issue(phone)
        except codes.CannotSend:
            form.add_error(
                None, _("Codes cannot be sent by SMS here: sign in with your account, or ask your volunteer station.")
            )
            return render(request, "volunteers/portal/phone.html", {"form": form}, status=400)
    code_form = CodeForm(initial={"phone": phone, "next": form.cleaned_data.get("next") or ""})
    return render(request, "volunteers/portal/verify.html", {"form": code_form})


@require_POST
def verify(request: HttpRequest) -> HttpResponse:
    form = CodeForm(request.POST)
    try:
        _hit("volunteer_verify_ip", client_ip(request))
    except Throttled:
        return throttled(request)
    if form.is_valid():
        phone = form.cleaned_data["phone"]
        if codes.check(phone, form.cleaned_data["code"]):
            ids = list(
                Volunteer.objects.filter(phone=phone, status=VolunteerStatus.ACTIVE).values_list("pk", flat=True)
            )
            request.session.cycle_key()
            request.session[SESSION_KEY] = {"ids": ids, "until": timezone.now().timestamp() + SESSION_SECONDS}
            return HttpResponseRedirect(_safe_next(form.cleaned_data.get("next") or ""))
        form.add_error("code", _("The code is wrong or has expired."))
    return render(request, "volunteers/portal/verify.html", {"form": form}, status=400)


def mine(request: HttpRequest, form: Any = None, status: int = 200) -> HttpResponse:
    """The verified volunteer's own page: upcoming sign-ups, confirmed hours and stars, logging hours."""
    me = volunteers_of(request)
    if not me:
        return render(request, "volunteers/portal/phone.html", {"form": PhoneForm(initial={"next": request.path})})
    signups = list(
        SignUp.objects.filter(
            volunteer__in=[v.pk for v in me], status=SignUpStatus.SIGNED_UP, activity__starts_at__gt=timezone.now()
        )
        .select_related("activity__place", "volunteer__resident")
        .order_by("activity__starts_at")
    )
    teams = _teams(me)
    return render(
        request,
        "volunteers/portal/mine.html",
        {
            "me": me,
            "signups": signups,
            "hours_form": form or PortalHoursForm(teams=teams),
            "teams": teams,
            "signed": request.GET.get("signed") == "1",
            "logged": request.GET.get("logged") == "1",
        },
        status=status,
    )


def _teams(me: list[Volunteer]) -> list[Any]:
    memberships = TeamMembership.objects.filter(volunteer__in=[v.pk for v in me], ended_on__isnull=True).select_related(
        "team"
    )
    return list({m.team_id: m.team for m in memberships}.values())


@require_POST
def cancel(request: HttpRequest, pk: str) -> HttpResponse:
    me = volunteers_of(request)
    signup = SignUp.objects.filter(pk=int(pk) if pk.isdigit() else 0, volunteer__in=[v.pk for v in me]).first()
    if signup is None:
        raise NotFound()
    try:
        actions.do_cancel_sign_up(signup, acting_user=None, trusted=True)
    except ActionError:
        pass
    return HttpResponseRedirect(reverse("volunteers:portal_mine"))


@require_POST
def log_hours(request: HttpRequest) -> HttpResponse:
    """The volunteer logs their own hours for one of their teams; the captain confirms or refuses them."""
    me = volunteers_of(request)
    if not me:
        return HttpResponseRedirect(reverse("volunteers:portal_mine"))
    try:
        _hit("volunteer_signup_ip", client_ip(request))
    except Throttled:
        return throttled(request)
    teams = _teams(me)
    form = PortalHoursForm(request.POST, teams=teams)
    if form.is_valid():
        d = form.cleaned_data
        team = next(t for t in teams if str(t.pk) == d["team"])
        volunteer = next(
            (v for v in me if TeamMembership.objects.filter(volunteer=v, team=team, ended_on__isnull=True).exists()),
            me[0],
        )
        try:
            actions.do_log_hours(
                acting_user=None,
                volunteer=volunteer,
                team=team,
                served_on=d["served_on"],
                hours=d["hours"],
                description=d.get("description") or "",
                trusted=True,
            )
        except ActionError as exc:
            form.add_error(None, "；".join(exc.messages))
        else:
            return HttpResponseRedirect(reverse("volunteers:portal_mine") + "?logged=1")
    return mine(request, form=form, status=400)


@require_POST
def forget(request: HttpRequest) -> HttpResponse:
    request.session.pop(SESSION_KEY, None)
    return HttpResponseRedirect(reverse("volunteers:portal"))
