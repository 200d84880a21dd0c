"""Screens of positions and funds: facilities, six-haves inspections, cultural brands and events, fund accounts,
ledger entries (a workflow), quarterly statements; the standards page and the funds summary of any place (read
from the rollups), the public statements of the portal."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db.models import Count, Q, Sum
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shequ.accounts.scope import can
from shequ.core.actions import fetch
from shequ.core.exceptions import ActionError, FieldErrors, NotFound
from shequ.core.fields import path_ids
from shequ.core.indicators import per_community
from shequ.core.models import stored_file_view
from shequ.core.permissions import requires
from shequ.core.views import ViewSet
from shequ.core.views.targets import AreaForm, _children, _year, anchor_node
from shequ.territory.models import Kind, Node

from . import actions, forms
from .filtersets import (
    AccountFilterSet,
    BrandFilterSet,
    EntryFilterSet,
    EventFilterSet,
    FacilityFilterSet,
    StandardCheckFilterSet,
    StatementFilterSet,
)
from .models import (
    PATH_RADIUS_M,
    SQUARE_RADIUS_M,
    STANDARD_AREA,
    AreaClass,
    Book,
    CommunityStandard,
    CulturalBrand,
    CulturalEvent,
    EntryAttachment,
    EntryStatus,
    Facility,
    FacilityPhoto,
    FundAccount,
    FundYear,
    LedgerEntry,
    StandardCheck,
    Statement,
    housing_required,
)
from .tables import (
    AccountTable,
    BrandTable,
    EntryTable,
    EventTable,
    FacilityTable,
    StandardCheckTable,
    StatementTable,
)


def _saving(run: Any) -> Any:
    """Run a ``do_*``; field errors come back as the form's messages (in the user's words, no field codes)."""
    try:
        return run()
    except FieldErrors as exc:
        raise ActionError([d["message"] for d in exc.details]) from exc


class PositionsViewSet(ViewSet):
    namespace = "positions"


class FacilityViewSet(PositionsViewSet):
    model = Facility
    filterset = FacilityFilterSet
    table = FacilityTable
    form = forms.FacilityForm
    select_related = ("node",)
    actions = ("list", "detail", "add", "edit", "delete", "bulk_delete", "export", "history")
    detail_fields = (
        "node",
        "kind",
        "name",
        "area",
        "housing_area",
        "opening_hours",
        "latitude",
        "longitude",
        "active",
    )

    def detail_rows(self, obj: Facility) -> list[tuple[str, Any]]:
        rows = super().detail_rows(obj)
        rows.append((_("Rooms and stations"), "、".join(obj.room_labels()) or "—"))
        return rows

    def detail_context(self, obj: Facility) -> dict[str, Any]:
        may_change = can(self.user, Facility, "change", obj.path)
        return {
            "stored_files": [
                {
                    "title": _("Photos"),
                    "files": list(obj.photos.all()),
                    "url_name": "positions:facility_photo",
                    "photos": True,
                    "upload": reverse("positions:facility_photo_add", args=[obj.pk]) if may_change else "",
                    "delete_url_name": "positions:facility_photo_delete" if may_change else "",
                }
            ]
        }

    def create(self, form: Any) -> Facility:
        return _saving(lambda: actions.do_save_facility(form.save(commit=False), acting_user=self.user))

    def update(self, form: Any, obj: Facility) -> Facility:
        return _saving(lambda: actions.do_save_facility(form.save(commit=False), acting_user=self.user))

    def delete(self, obj: Facility) -> None:
        actions.do_delete_facility(obj, acting_user=self.user)


class StandardCheckViewSet(PositionsViewSet):
    model = StandardCheck
    filterset = StandardCheckFilterSet
    table = StandardCheckTable
    form = forms.StandardCheckForm
    select_related = ("node", "organization")
    actions = ("list", "detail", "add", "edit", "export", "history")
    detail_fields = ("node", "organization", "year", "checked_on", *StandardCheck.HAVES, "evidence", "inspector")

    def create(self, form: Any) -> StandardCheck:
        return _saving(lambda: actions.do_save_check(form.save(commit=False), acting_user=self.user))

    def update(self, form: Any, obj: StandardCheck) -> StandardCheck:
        return _saving(lambda: actions.do_save_check(form.save(commit=False), acting_user=self.user))


class CulturalBrandViewSet(PositionsViewSet):
    model = CulturalBrand
    filterset = BrandFilterSet
    table = BrandTable
    form = forms.BrandForm
    select_related = ("node",)
    actions = ("list", "detail", "add", "edit", "delete", "bulk_delete", "export", "history")
    detail_fields = ("node", "name", "description", "since")

    def create(self, form: Any) -> CulturalBrand:
        return _saving(lambda: actions.do_save_brand(form.save(commit=False), acting_user=self.user))

    def update(self, form: Any, obj: CulturalBrand) -> CulturalBrand:
        return _saving(lambda: actions.do_save_brand(form.save(commit=False), acting_user=self.user))


class CulturalEventViewSet(PositionsViewSet):
    model = CulturalEvent
    filterset = EventFilterSet
    table = EventTable
    form = forms.EventForm
    select_related = ("node", "brand")
    actions = ("list", "detail", "add", "edit", "delete", "bulk_delete", "export", "history")
    detail_fields = ("node", "brand", "title", "held_on", "place", "participants")

    def create(self, form: Any) -> CulturalEvent:
        return _saving(lambda: actions.do_save_event(form.save(commit=False), acting_user=self.user))

    def update(self, form: Any, obj: CulturalEvent) -> CulturalEvent:
        return _saving(lambda: actions.do_save_event(form.save(commit=False), acting_user=self.user))


class FundAccountViewSet(PositionsViewSet):
    model = FundAccount
    filterset = AccountFilterSet
    table = AccountTable
    form = forms.AccountForm
    select_related = ("node",)
    actions = ("list", "detail", "add", "export", "history")
    detail_fields = ("node", "bank", "opened_on", "work_balance", "party_balance", "upkeep_balance")

    def detail_rows(self, obj: FundAccount) -> list[tuple[str, Any]]:
        rows = super().detail_rows(obj)
        return [*rows[:2], (_("Account number"), obj.masked_number), *rows[2:]]

    def export_columns(self) -> list[Any]:
        columns = super().export_columns()
        return [*columns[:2], (_("Account number"), lambda obj: obj.masked_number), *columns[2:]]

    def create(self, form: Any) -> FundAccount:
        d = form.cleaned_data
        return _saving(
            lambda: actions.do_open_account(
                acting_user=self.user, node=d["node"], bank=d["bank"], number=d["number"], opened_on=d["opened_on"]
            )
        )


class LedgerEntryViewSet(PositionsViewSet):
    model = LedgerEntry
    workflow = actions.WORKFLOW
    filterset = EntryFilterSet
    table = EntryTable
    form = forms.EntryForm
    select_related = ("node", "account")
    actions = ("list", "detail", "add", "edit", "export", "history")
    detail_fields = (
        "node",
        "book",
        "kind",
        "category",
        "amount",
        "occurred_on",
        "voucher",
        "description",
        "status",
        "reverses",
        "approved_at",
    )

    def detail_context(self, obj: LedgerEntry) -> dict[str, Any]:
        return {
            "stored_files": [
                {"title": _("Vouchers"), "files": list(obj.attachments.all()), "url_name": "positions:voucher"}
            ]
        }

    def perms(self, obj: Any = None) -> dict[str, bool]:
        found = super().perms(obj)
        if obj is not None and obj.status != EntryStatus.PENDING:
            found["change"] = False  # approved entries never change: no edit button (reversing is a step)
        return found

    def create(self, form: Any) -> LedgerEntry:
        d = form.cleaned_data
        account = FundAccount.objects.restrict(self.user, "view").filter(pk=d["account"].pk).first()
        if account is None:
            raise NotFound()
        return _saving(
            lambda: actions.do_record_entry(
                acting_user=self.user,
                account=account,
                book=d["book"],
                kind=d["kind"],
                category=d["category"],
                amount=d["amount"],
                occurred_on=d["occurred_on"],
                voucher=d["voucher"],
                description=d["description"],
            )
        )

    def update(self, form: Any, obj: LedgerEntry) -> LedgerEntry:
        d = form.cleaned_data
        if d["account"].pk != obj.account_id:
            raise ActionError(_("An entry stays in its account."))
        for name in ("book", "kind", "category", "amount", "occurred_on", "voucher", "description"):
            setattr(obj, name, d[name])
        return _saving(lambda: actions.do_update_entry(obj, acting_user=self.user))


facility_photo = stored_file_view(FacilityPhoto)
voucher = stored_file_view(EntryAttachment)


@requires("positions.facility", "change")
@require_POST
def facility_photo_add(request: HttpRequest, pk: str) -> HttpResponse:
    facility = fetch(Facility.objects.all(), request.user, "change", pk)
    form = forms.PhotoForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Choose a photo to upload."))
    else:
        try:
            actions.do_add_photo(facility, acting_user=request.user, upload=form.cleaned_data["file"])
            messages.success(request, _("Photo added."))
        except ActionError as exc:
            messages.error(request, "；".join(exc.messages))
    return HttpResponseRedirect(facility.get_absolute_url())


@requires("positions.facility", "change")
@require_POST
def facility_photo_delete(request: HttpRequest, pk: str) -> HttpResponse:
    photo = fetch(FacilityPhoto.objects.select_related("facility"), request.user, "change", pk)
    target = photo.facility.get_absolute_url()
    actions.do_delete_photo(photo, acting_user=request.user)
    messages.success(request, _("Photo removed."))
    return HttpResponseRedirect(target)


class StatementViewSet(PositionsViewSet):
    model = Statement
    filterset = StatementFilterSet
    table = StatementTable
    form = forms.StatementForm
    select_related = ("node",)
    actions = ("list", "detail", "add", "export", "history")
    detail_template = "positions/statement_detail.html"
    detail_fields = ("node", "year", "quarter", "bank", "masked_number", "published_at")

    def detail_context(self, obj: Statement) -> dict[str, Any]:
        return {"books": statement_books(obj)}

    def create(self, form: Any) -> Statement:
        d = form.cleaned_data
        return _saving(
            lambda: actions.do_publish_statement(
                acting_user=self.user, node=d["node"], year=d["year"], quarter=d["quarter"]
            )
        )


def statement_books(statement: Statement) -> list[dict[str, Any]]:
    """The statement's books for a page: label, opening, in, out, closing, and the categories by label."""
    from .models import Category

    rows = []
    for code, label in Book.choices:
        book = (statement.totals or {}).get(code)
        if not book:
            continue
        categories = [
            (str(Category(c).label) if c in Category.values else c, amount)
            for c, amount in sorted(book.get("categories", {}).items())
        ]
        rows.append(
            {"label": label, **{k: book.get(k) for k in ("opening", "in", "out", "closing")}, "categories": categories}
        )
    return rows


# -- the standards page and the funds summary of a place ---------------------------------------------------------------


def _area(request: HttpRequest, perm_model: str) -> tuple[Node, int, list[Node]]:
    if not can(request.user, perm_model, "view"):
        raise NotFound()
    anchor = anchor_node(request.user, request.GET.get("node"), perm_model)
    year = _year(request.GET.get("year"))
    children = _children(anchor) or [anchor]
    return anchor, year, children


@requires("positions.facility")
def standards(request: HttpRequest) -> HttpResponse:
    """Per area below the chosen place: communities, service-area classes, coverage, six haves (from the rollups);
    below a street, each community with its figures."""
    anchor, year, children = _area(request, "positions.facility")
    rows = per_community(
        CommunityStandard.objects.all(),
        children,
        n=Count("pk"),
        standard=Count("pk", filter=Q(area_class=AreaClass.STANDARD)),
        boutique=Count("pk", filter=Q(area_class=AreaClass.BOUTIQUE)),
        demonstration=Count("pk", filter=Q(area_class=AreaClass.DEMONSTRATION)),
        at_least=Count("pk", filter=Q(service_area__gte=STANDARD_AREA)),
        covered=Count("pk", filter=Q(square_m__lte=SQUARE_RADIUS_M, path_m__lte=PATH_RADIUS_M)),
    )
    counts = per_community(Node.objects.filter(kind=Kind.COMMUNITY, retired=False), children, n=Count("pk"))
    full = Q(**{name: True for name in StandardCheck.HAVES})
    checks = per_community(StandardCheck.objects.filter(year=year), children, ok=Count("pk", filter=full))
    areas = []
    totals: dict[str, int] = {
        "communities": 0,
        "standard": 0,
        "boutique": 0,
        "demonstration": 0,
        "at_least": 0,
        "covered": 0,
        "six": 0,
    }
    for child in children:
        r = rows.get(child.pk, {})
        n = (counts.get(child.pk) or {}).get("n") or 0
        item: dict[str, Any] = {
            "node": child,
            "communities": n,
            "standard": r.get("standard") or 0,
            "boutique": r.get("boutique") or 0,
            "demonstration": r.get("demonstration") or 0,
            "at_least": r.get("at_least") or 0,
            "covered": r.get("covered") or 0,
            "six": (checks.get(child.pk) or {}).get("ok") or 0,
        }
        for key in totals:
            totals[key] += item[key]
        areas.append(item)
    shares = {
        key: (round(100 * totals[key] / totals["communities"], 1) if totals["communities"] else None)
        for key in ("standard", "boutique", "demonstration", "at_least", "covered", "six")
    }
    communities = []
    if anchor.kind in (Kind.STREET, Kind.COMMUNITY):
        communities = community_rows(anchor, year)
    ctx = {
        "anchor": anchor,
        "year": year,
        "areas": areas,
        "totals": totals,
        "shares": shares,
        "communities": communities,
        "form": AreaForm(initial={"node": anchor.pk, "year": year}),
    }
    return render(request, "positions/standards.html", ctx)


def county_districts(places: list[Node]) -> set[int]:
    """The ids of the county districts above *places* (the service-housing rule differs in a county)."""
    ancestors = {pk for place in places for pk in path_ids(place.path)}
    return set(Node.objects.filter(pk__in=ancestors, kind=Kind.DISTRICT, is_county=True).values_list("pk", flat=True))


def community_rows(anchor: Node, year: int) -> list[dict[str, Any]]:
    """Each community at or under a street: area and class, service housing against its households, rooms,
    the nearest square and path, the six haves of *year*."""
    from shequ.people.models import Household

    places = list(Node.objects.filter(kind=Kind.COMMUNITY, retired=False).within(anchor.path).order_by("path"))
    standards_by = {s.node_id: s for s in CommunityStandard.objects.filter(node__in=places)}
    checks = {c.node_id: c for c in StandardCheck.objects.filter(node__in=places, year=year)}
    households = per_community(Household.objects.filter(dissolved=False), places, n=Count("pk"))
    counties = county_districts(places)
    result = []
    for place in places:
        s = standards_by.get(place.pk)
        n = (households.get(place.pk) or {}).get("n") or 0
        need = housing_required(n, county=bool(counties & set(path_ids(place.path))))
        result.append(
            {
                "node": place,
                "standard": s,
                "households": n,
                "housing_need": need,
                "housing_ok": bool(s and s.housing_area >= need),
                "check": checks.get(place.pk),
            }
        )
    return result


@requires("positions.ledgerentry")
def funds_summary(request: HttpRequest) -> HttpResponse:
    """Per area below the chosen place: the approved allocations and spending of the year by book, the work funds
    per community and the party-building funds per member (from the yearly rollup)."""
    from shequ.party.models import MemberStatus, PartyMember

    anchor, year, children = _area(request, "positions.ledgerentry")
    sums: dict[str, Any] = {
        f"{verb}_{book}": Sum(verb, filter=Q(book=book)) for verb in ("allocated", "spent") for book in Book.values
    }
    money = per_community(FundYear.objects.filter(year=year), children, **sums)
    counts = per_community(Node.objects.filter(kind=Kind.COMMUNITY, retired=False), children, n=Count("pk"))
    members = per_community(
        PartyMember.objects.filter(status__in=(MemberStatus.PROBATIONARY, MemberStatus.FULL)), children, n=Count("pk")
    )
    rows = []
    for child in children:
        m = money.get(child.pk, {})
        n = (counts.get(child.pk) or {}).get("n") or 0
        party_members = (members.get(child.pk) or {}).get("n") or 0
        work = m.get("allocated_work") or 0
        party = m.get("allocated_party") or 0
        rows.append(
            {
                "node": child,
                "communities": n,
                "books": [(m.get(f"allocated_{b}") or 0, m.get(f"spent_{b}") or 0) for b in Book.values],
                "work_per_community": round(float(work) / n) if n else None,
                "party_per_member": round(float(party) / party_members, 1) if party_members else None,
                "members": party_members,
            }
        )
    ctx = {
        "anchor": anchor,
        "year": year,
        "rows": rows,
        "books": Book.choices,
        "form": AreaForm(initial={"node": anchor.pk, "year": year}),
    }
    return render(request, "positions/funds.html", ctx)


# -- the public portal ----------------------------------------------------------------------------------------------


def portal_statements(request: HttpRequest) -> HttpResponse:
    """The published quarterly statements, newest first, by community (no account needed; nothing personal)."""
    qs = Statement.objects.select_related("node").order_by("-year", "-quarter", "path")
    term = request.GET.get("q", "").strip()[:50]
    if term:
        qs = qs.filter(node__name__icontains=term)
    return render(request, "positions/portal/statements.html", {"statements": list(qs[:60]), "q": term})


def portal_statement(request: HttpRequest, pk: str) -> HttpResponse:
    try:
        found = Statement.objects.select_related("node").filter(pk=int(pk)).first()
    except ValueError:
        found = None
    if found is None:
        raise NotFound()
    return render(request, "positions/portal/statement.html", {"statement": found, "books": statement_books(found)})
