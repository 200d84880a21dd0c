"""The public portal (no account): file a request, follow it with the tracking code and the phone's last
four digits, rate the result; public figures per community.

Nothing personal is ever shown: the progress page gives the category, the steps and the notes meant for
the resident, never a name, a phone or an address.  A wrong code/digits pair answers exactly like an
unknown code.  Every form is rate-limited per address (and filing per phone) through Django's cache."""

from __future__ import annotations

import hashlib
from typing import Any

from django import forms
from django.core.cache import cache
from django.core.cache.backends.base import BaseCache
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from shequ.core.cells import RowError, phone_cell
from shequ.core.exceptions import ActionError
from shequ.core.filtersets import search_q
from shequ.core.widgets import SearchPickerWidget
from shequ.territory.models import Kind, Node

from . import actions, stats
from .actions.attachments import check_upload
from .forms import QUESTIONS_HTMX, CategoryQuestionsForm, FilingForm
from .models import CaseEvent, Channel, ServiceRequest, Status
from .pickers import CategoryChoiceField, CategorySelect, fileable_categories

# Places a resident may pick: names of communities and what lies in them, nothing below a building.
PUBLIC_KINDS = (Kind.COMMUNITY, Kind.GRID, Kind.ESTATE, Kind.BUILDING)

# (how many, per seconds) for each kind of attempt.
LIMITS: dict[str, tuple[int, int]] = {
    "file_ip": (10, 3600),
    "file_phone": (3, 3600),
    "track_ip": (30, 600),
    "track_code": (10, 3600),
    "rate_ip": (20, 3600),
    "places_ip": (300, 600),
    "questions_ip": (300, 600),
}


class Throttled(Exception):
    pass


def _hit(kind: str, key: str, store: BaseCache | None = None) -> None:
    """Count one attempt of *kind* by *key*; raise Throttled past the limit (fixed window).

    The counters live in the default cache, which settings make shared by every worker process (Redis,
    or files in the var dir): a per-process cache would give each gunicorn worker the whole limit."""
    store = cache if store is None else store
    limit, window = LIMITS[kind]
    name = f"portal:{kind}:{hashlib.sha256(key.encode()).hexdigest()[:32]}"
    store.add(name, 0, window)
    try:
        count = store.incr(name)
    except ValueError:  # expired between add and incr
        store.set(name, 1, window)
        count = 1
    if count > limit:
        raise Throttled()


def client_ip(request: HttpRequest) -> str:
    """The peer address (the reverse proxy, if any, must set REMOTE_ADDR; X-Forwarded-For is not trusted)."""
    return str(request.META.get("REMOTE_ADDR") or "-")


def throttled(request: HttpRequest) -> HttpResponse:
    return render(request, "services/portal/throttled.html", {}, status=429)


# -- forms ---------------------------------------------------------------------------------------------------------


class PublicPlaceWidget(SearchPickerWidget):
    url_name = "services:portal_places"
    placeholder = gettext_lazy("Type the name of your community, estate or building")

    def offered(self, user: Any) -> Any:
        return public_places()  # public names, to anyone (the portal's visitors are not signed in)

    def label_of(self, obj: Any) -> str:
        from shequ.territory.trails import trail

        return trail(obj)


def public_places() -> Any:
    return Node.objects.filter(kind__in=PUBLIC_KINDS, retired=False)


class PortalForm(FilingForm):
    category = CategoryChoiceField(
        label=gettext_lazy("Category"),
        mark_private=True,
        widget=CategorySelect(attrs=QUESTIONS_HTMX),
        help_text=gettext_lazy(
            "Matters marked “not published” (social assistance, disputes, care, anything about a person) are"
            " never shown publicly: only you follow them, with the tracking code."
        ),
    )
    place = forms.ModelChoiceField(
        queryset=Node.objects.none(),
        label=gettext_lazy("Place"),
        required=False,
        help_text=gettext_lazy("Choose from the list, or write the address below."),
    )
    address = forms.CharField(label=gettext_lazy("Address"), max_length=200, required=False)
    description = forms.CharField(
        label=gettext_lazy("Description"), max_length=2000, widget=forms.Textarea(attrs={"rows": 4})
    )
    contact_name = forms.CharField(label=gettext_lazy("Your name"), max_length=50, required=False)
    phone = forms.CharField(
        label=gettext_lazy("Phone"),
        max_length=20,
        help_text=gettext_lazy("With the tracking code, its last four digits let you follow the request."),
    )
    photo = forms.FileField(label=gettext_lazy("Photo"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cat: Any = self.fields["category"]
        cat.queryset = fileable_categories()
        place: Any = self.fields["place"]
        place.queryset = public_places()
        place.widget = PublicPlaceWidget(kinds=list(PUBLIC_KINDS))
        self.setup_questions()

    def clean_phone(self) -> str:
        try:
            phone = phone_cell(self.cleaned_data.get("phone"))
        except RowError:
            raise forms.ValidationError(_("Enter a phone number we can call.")) from None
        if sum(c.isdigit() for c in phone) < 7:
            raise forms.ValidationError(_("Enter a phone number we can call."))
        return phone

    def clean_photo(self) -> Any:
        photo = self.cleaned_data.get("photo")
        if photo:
            try:
                check_upload(photo)
            except ActionError as exc:
                raise forms.ValidationError(exc.messages) from None
        return photo

    def clean(self) -> Any:
        data = super().clean() or {}
        if data.get("place") is None and "place" not in self.errors:
            address = (data.get("address") or "").strip()
            if not address:
                self.add_error("place", _("Choose the place, or write the address."))
            else:
                node = place_from_address(address)
                if node is None:
                    self.add_error("address", _("We could not find this address: choose the place from the list."))
                data["place"] = node
        return data


def place_from_address(address: str) -> Node | None:
    """The community whose name the address contains (the longest name wins)."""
    communities = Node.objects.filter(kind=Kind.COMMUNITY, retired=False).only("name", "path")
    found = [c for c in communities if c.name in address]
    return max(found, key=lambda c: len(c.name)) if found else None


class TrackForm(forms.Form):
    code = forms.CharField(label=gettext_lazy("Tracking code"), max_length=20)
    last4 = forms.RegexField(
        label=gettext_lazy("Last four digits of your phone"),
        regex=r"^\d{4}$",
        max_length=4,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )

    def clean_code(self) -> str:
        return "".join(self.cleaned_data["code"].split()).upper()


class PortalRateForm(forms.Form):
    """Posted from the progress page: the code only; the session remembers which codes were verified with
    the digits, so that the page never repeats them."""

    code = forms.CharField(max_length=20, widget=forms.HiddenInput())
    rating = forms.TypedChoiceField(
        label=gettext_lazy("Rating"),
        coerce=int,
        choices=[(i, f"{i} ★") for i in range(5, 0, -1)],
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(label=gettext_lazy("Comment"), required=False, max_length=300)

    def clean_code(self) -> str:
        return "".join(self.cleaned_data["code"].split()).upper()


VERIFIED = "portal_verified"


def _remember(request: HttpRequest, obj: ServiceRequest) -> None:
    codes = [c for c in request.session.get(VERIFIED, []) if c != obj.code][-9:]
    request.session[VERIFIED] = [*codes, obj.code]


def find(code: str, last4: str) -> ServiceRequest | None:
    """The request with this code and phone ending; None alike for an unknown code and a wrong pair."""
    if len(last4) != 4 or not last4.isdigit():
        return None
    qs = ServiceRequest.objects.select_related("category", "category__parent")
    return qs.filter(code=code, phone_last4=last4).first()


NOT_FOUND = gettext_lazy("No request matches this tracking code and these digits.")


# -- views ---------------------------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def submit(request: HttpRequest) -> HttpResponse:
    data = request.POST if request.method == "POST" else None
    form = PortalForm(data, request.FILES or None)
    if data is not None:
        try:
            _hit("file_ip", client_ip(request))
        except Throttled:
            return throttled(request)
        if form.is_valid():
            d = form.cleaned_data
            try:
                _hit("file_phone", d["phone"])
            except Throttled:
                return throttled(request)
            try:
                with transaction.atomic():
                    filed = actions.do_file_request(
                        acting_user=None,
                        category=d["category"],
                        node=d["place"],
                        description=d["description"],
                        channel=Channel.PORTAL,
                        contact_name=d.get("contact_name") or "",
                        phone=d["phone"],
                        address=d.get("address") or "",
                        attributes=form.attributes(),
                    )
                    if d.get("photo"):
                        actions.do_attach(filed, acting_user=None, upload=d["photo"], public=True)
            except ActionError as exc:
                form.add_error(None, "；".join(exc.messages))
            else:
                request.session["portal_filed"] = filed.code
                return HttpResponseRedirect(reverse("services:portal_filed"))
        if request.FILES.get("photo") and "photo" not in form.errors:
            photo: Any = form.fields["photo"]
            photo.help_text = _("Choose the photo again: a browser does not keep it across pages.")
    return render(request, "services/portal/submit.html", {"form": form}, status=400 if data is not None else 200)


def category_questions(request: HttpRequest) -> HttpResponse:
    """The extra questions of the chosen category (htmx, on a change of the portal's or the intake's
    category select); public, like the catalogue itself."""
    try:
        _hit("questions_ip", client_ip(request))
    except Throttled:
        return throttled(request)
    raw = request.GET.get("category", "")
    category = fileable_categories().filter(pk=int(raw)).first() if raw.isdigit() and len(raw) < 10 else None
    questions = CategoryQuestionsForm(category=category)
    return render(request, "services/_questions.html", {"questions": questions})


def filed(request: HttpRequest) -> HttpResponse:
    code = request.session.get("portal_filed")
    if not code:
        return HttpResponseRedirect(reverse("services:portal"))
    return render(request, "services/portal/filed.html", {"code": code})


def _progress(request: HttpRequest, obj: ServiceRequest, form: Any = None, status: int = 200) -> HttpResponse:
    events = list(
        CaseEvent.objects.filter(request=obj, public=True).only("kind", "to_status", "text", "at").order_by("at", "id")
    )
    rate_form = form
    if rate_form is None and obj.status == Status.RESOLVED:
        rate_form = PortalRateForm(initial={"code": obj.code})
    return render(
        request,
        "services/portal/progress.html",
        {"obj": obj, "events": events, "rate_form": rate_form if obj.status == Status.RESOLVED else None},
        status=status,
    )


@require_http_methods(["GET", "POST"])
def track(request: HttpRequest) -> HttpResponse:
    """Posted, not a GET: the digits stay out of URLs and logs."""
    if request.method != "POST":
        return render(request, "services/portal/track.html", {"form": TrackForm()})
    form = TrackForm(request.POST)
    try:
        _hit("track_ip", client_ip(request))
        if form.is_valid():
            _hit("track_code", form.cleaned_data["code"])
    except Throttled:
        return throttled(request)
    if form.is_valid():
        obj = find(form.cleaned_data["code"], form.cleaned_data["last4"])
        if obj is not None:
            _remember(request, obj)
            return _progress(request, obj)
    return render(request, "services/portal/track.html", {"form": TrackForm(request.POST), "error": NOT_FOUND})


@require_http_methods(["POST"])
def rate(request: HttpRequest) -> HttpResponse:
    form = PortalRateForm(request.POST)
    try:
        _hit("rate_ip", client_ip(request))
        if "code" in request.POST:
            _hit("track_code", "".join(str(request.POST["code"]).split()).upper())
    except Throttled:
        return throttled(request)
    form.is_valid()
    code = form.cleaned_data.get("code")
    obj = None
    if code and code in request.session.get(VERIFIED, []):
        obj = ServiceRequest.objects.select_related("category", "category__parent").filter(code=code).first()
    if obj is None:
        return render(request, "services/portal/track.html", {"form": TrackForm(request.POST), "error": NOT_FOUND})
    if not form.is_valid():
        return _progress(request, obj, form, status=400)
    try:
        obj = actions.do_rate(
            obj,
            acting_user=None,
            rating=form.cleaned_data["rating"],
            comment=form.cleaned_data.get("comment") or "",
            actor_label=_("resident"),
        )
    except ActionError as exc:
        form.add_error(None, "；".join(exc.messages))
        return _progress(request, obj, form, status=400)
    return _progress(request, obj)


def places(request: HttpRequest) -> HttpResponse:
    """Suggestions for the place picker: public names only (communities, grids, estates, buildings)."""
    try:
        _hit("places_ip", client_ip(request))
    except Throttled:
        return throttled(request)
    field = request.GET.get("field", "")
    query = request.GET.get(f"{field}__q", request.GET.get("q", ""))[:50].strip()
    results: list[Node] = []
    if query:
        qs = public_places().filter(search_q(Node, query))
        from shequ.territory.trails import with_trails

        results = with_trails(qs.only("name", "kind", "path").order_by("depth", "name")[:15])
    return render(request, "services/portal/_places.html", {"results": results})


def statistics(request: HttpRequest) -> HttpResponse:
    return render(request, "services/portal/statistics.html", {"rows": stats.per_community()})
