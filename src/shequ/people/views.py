"""Residents, households and special-care tags: declared viewsets, plus the action screens
(archive, move, household members, split, merge).  Residents are archived, never deleted."""

from __future__ import annotations

from collections.abc import Callable
from operator import attrgetter
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import F
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext
from django.views.decorators.http import require_POST

from shequ.core.actions import do_delete_object, fetch
from shequ.core.exceptions import ActionError
from shequ.core.views import ViewSet
from shequ.core.views.generic import attr_getter

from . import actions
from .cells import (
    EDUCATION_WORDS,
    EMPLOYMENT_WORDS,
    GENDER_WORDS,
    POLITICAL_WORDS,
    RELATION_WORDS,
    RESIDENCE_WORDS,
    first_word,
)
from .filtersets import CareTagFilterSet, HouseholdFilterSet, ResidentFilterSet
from .forms import (
    AddMemberForm,
    ArchiveForm,
    CareTagForm,
    HouseholdForm,
    HouseholdMoveForm,
    MemberForm,
    MergeForm,
    MoveForm,
    ResidentForm,
    SplitForm,
)
from .importers import HouseholdImporter, ResidentImporter
from .models import CareTag, Household, Resident
from .places import PlaceIndex
from .privacy import id_number_shower, may_see_full_id, shown_id_number, without_pii_for
from .tables import CareTagTable, HouseholdTable, ResidentTable, dwelling_label


class ResidentViewSet(ViewSet):
    model = Resident
    namespace = "people"
    filterset = ResidentFilterSet
    table = ResidentTable
    form = ResidentForm
    importer = ResidentImporter
    select_related = ("node__parent", "household")
    detail_template = "people/resident_detail.html"
    # No delete: a resident who leaves is archived with the reason and the date.
    actions = ("list", "detail", "add", "edit", "import", "export", "history")

    def base_queryset(self) -> Any:
        return without_pii_for(self.user, super().base_queryset().prefetch_related("tags"))

    def export_queryset(self, qs: Any) -> Any:
        # The export names places by code and path (no node rows to build), the household by its number,
        # the tags through ``prepare_export``: one row of the table each, nothing else built.
        return (
            qs.select_related(None)
            .prefetch_related(None)
            .defer("created", "updated", "pinyin", "initials", "id_hash", "import_job")
            .annotate(household_number=F("household__number"))
        )

    def prepare_export(self, objects: list[Resident]) -> None:
        """The names of each resident's special-care tags, for the whole chunk in one query."""
        names: dict[int, list[str]] = {}
        links = Resident.tags.through.objects.filter(resident_id__in=[r.pk for r in objects])
        for resident_id, name in links.order_by("caretag__name").values_list("resident_id", "caretag__name"):
            names.setdefault(resident_id, []).append(name)
        for resident in objects:
            resident.tag_names = "、".join(names.get(resident.pk, ()))  # type: ignore[attr-defined]

    def perms(self, obj: Any = None) -> dict[str, bool]:
        perms = super().perms(obj)
        perms["archive"] = perms["change"]
        perms["move"] = perms["change"]
        perms["view_pii"] = may_see_full_id(self.user, getattr(obj, "path", None))
        return perms

    def detail_rows(self, obj: Resident) -> list[tuple[str, Any]]:
        rows: list[tuple[str, Any]] = [
            (pgettext("person", "Name"), obj.name),
            (_("Identity number"), shown_id_number(self.user, obj)),
            (_("Gender"), obj.get_gender_display()),
            (_("Birth date"), obj.birth_date),
            (_("Age"), obj.age),
            (_("Phone"), obj.phone),
            (_("Ethnicity"), obj.ethnicity),
            (_("Education"), obj.get_education_display()),
            (_("Political status"), obj.get_political_status_display()),
            (_("Employment status"), obj.get_employment_display()),
            (_("Residence type"), obj.get_residence_type_display()),
            (_("Lives at"), dwelling_label(obj.node)),
            (_("Household"), obj.household or ""),
            (_("Relation to the head"), obj.get_relation_display()),
            (_("Special care"), "、".join(t.name for t in obj.tags.all())),
            (_("Notes"), obj.notes),
        ]
        if obj.archived:
            rows.append((_("Archived"), f"{obj.get_archived_reason_display()} · {obj.archived_on or ''}"))
        return rows

    def export_columns(self) -> list[tuple[str, Callable[[Any], Any]]]:
        """The import template's headers, so an exported list can be edited and imported back."""
        locate = PlaceIndex().locator()
        return [
            ("姓名", attrgetter("name")),
            ("身份证号", id_number_shower(self.user)),
            ("性别", lambda r: first_word(GENDER_WORDS, r.gender)),
            ("出生日期", attrgetter("birth_date")),
            ("联系电话", attrgetter("phone")),
            ("民族", attrgetter("ethnicity")),
            ("文化程度", lambda r: first_word(EDUCATION_WORDS, r.education)),
            ("政治面貌", lambda r: first_word(POLITICAL_WORDS, r.political_status)),
            ("就业状况", lambda r: first_word(EMPLOYMENT_WORDS, r.employment)),
            ("人员类型", lambda r: first_word(RESIDENCE_WORDS, r.residence_type)),
            ("地区编码", lambda r: locate(r.path)[0]),
            ("地址", lambda r: locate(r.path)[1]),
            ("户号", lambda r: r.household_number or ""),
            ("与户主关系", lambda r: first_word(RELATION_WORDS, r.relation)),
            ("特殊人群", attrgetter("tag_names")),
            ("备注", attrgetter("notes")),
            (_("Archived"), lambda r: r.get_archived_reason_display() if r.archived else ""),
        ]

    def create(self, form: Any) -> Resident:
        data = form.cleaned_data
        return actions.do_create_resident(
            acting_user=self.user,
            node=data["node"],
            name=data["name"],
            id_number=data.get("id_number") or "",
            gender=data.get("gender") or "",
            birth_date=data.get("birth_date"),
            phone=data.get("phone") or "",
            tags=data.get("tags") or (),
            ethnicity=data.get("ethnicity") or "",
            education=data.get("education") or "",
            political_status=data.get("political_status") or "",
            employment=data.get("employment") or "",
            notes=data.get("notes") or "",
            residence_type=data.get("residence_type") or "registered",
        )

    def update(self, form: Any, obj: Resident) -> Resident:
        data = form.cleaned_data
        fields = {k: data.get(k) or "" for k in ("name", "phone", "ethnicity", "education", "political_status")}
        fields.update({k: data.get(k) or "" for k in ("employment", "notes", "gender")})
        return actions.do_update_resident(
            obj,
            acting_user=self.user,
            id_number=data.get("id_number") or None,
            birth_date=data.get("birth_date"),
            residence_type=data.get("residence_type") or "registered",
            tags=data.get("tags") or [],
            **fields,
        )


class HouseholdViewSet(ViewSet):
    model = Household
    namespace = "people"
    filterset = HouseholdFilterSet
    table = HouseholdTable
    form = HouseholdForm
    importer = HouseholdImporter
    select_related = ("node__parent", "head")
    detail_template = "people/household_detail.html"
    detail_fields = ("number", "node", "address", "head", "dissolved", "created", "updated")

    def perms(self, obj: Any = None) -> dict[str, bool]:
        perms = super().perms(obj)
        perms["view_pii"] = may_see_full_id(self.user, getattr(obj, "path", None))
        return perms

    def detail_rows(self, obj: Household) -> list[tuple[str, Any]]:
        return [
            (_("Household number"), obj.number),
            (_("Lives at"), dwelling_label(obj.node)),
            (_("Room"), obj.address),
            (_("Head"), obj.head.name if obj.head else ""),
            (_("Dissolved"), obj.dissolved),
        ]

    def export_queryset(self, qs: Any) -> Any:
        # Places by code and path (no node rows), of the head the name and the number only.
        head = ["head__name", "head__path", "head__id_masked"]
        if may_see_full_id(self.user):
            head.append("head__id_number")
        return qs.select_related(None).select_related("head").only("number", "path", "address", "dissolved", *head)

    def export_columns(self) -> list[tuple[str, Callable[[Any], Any]]]:
        locate, shown = PlaceIndex().locator(), id_number_shower(self.user)
        return [
            ("户号", attr_getter("number")),
            ("地区编码", lambda h: locate(h.path)[0]),
            ("地址", lambda h: locate(h.path)[1]),
            ("门牌", attr_getter("address")),
            ("户主身份证号", lambda h: shown(h.head) if h.head else ""),
            # After the import template's columns: read by people, ignored on import.
            ("户主", lambda h: h.head.name if h.head else ""),
            (_("Dissolved"), attr_getter("dissolved")),
        ]

    def create(self, form: Any) -> Household:
        data = form.cleaned_data
        return actions.do_create_household(
            acting_user=self.user, node=data["node"], number=data.get("number") or "", address=data.get("address")
        )

    def update(self, form: Any, obj: Household) -> Household:
        data = form.cleaned_data
        return actions.do_update_household(
            obj, acting_user=self.user, number=data.get("number") or "", address=data.get("address") or ""
        )

    def delete(self, obj: Household) -> None:
        actions.do_delete_household(obj, acting_user=self.user)


class CareTagViewSet(ViewSet):
    model = CareTag
    namespace = "people"
    filterset = CareTagFilterSet
    table = CareTagTable
    form = CareTagForm
    detail_fields = ("name", "description", "active", "created", "updated")
    export_fields = ("name", "code", "description", "active", "created", "updated")
    actions = ("list", "detail", "add", "edit", "delete", "bulk_delete", "export", "history")

    def delete(self, obj: CareTag) -> None:
        if obj.residents.exists():
            raise ActionError(
                _("“%(tag)s” is given to residents; make it inactive instead.") % {"tag": obj.name}, code="in_use"
            )
        do_delete_object(obj, acting_user=self.user)


# -- action screens ---------------------------------------------------------------------------------------------


def _resident(request: HttpRequest, pk: Any, action: str = "view") -> Resident:
    return fetch(Resident.objects.select_related("node", "household"), request.user, action, pk)


def _household(request: HttpRequest, pk: Any, action: str = "view") -> Household:
    return fetch(Household.objects.select_related("node__parent", "head"), request.user, action, pk)


def _action_page(
    request: HttpRequest, obj: Any, form: Any, title: Any, *, warning: Any = None, status: int = 200
) -> HttpResponse:
    return render(
        request,
        "people/action.html",
        {"object": obj, "form": form, "title": title, "warning": warning},
        status=status,
    )


def _run(
    request: HttpRequest, obj: Any, form: Any, title: Any, do: Callable[[], Any], done: str, warning: Any = None
) -> HttpResponse:
    """GET shows the form; a valid POST runs *do* (an action) and goes back to what it returns."""
    if request.method == "POST" and form.is_valid():
        try:
            result = do()
        except ActionError as exc:
            for message in exc.messages:
                form.add_error(None, message)
        else:
            messages.success(request, done)
            return HttpResponseRedirect(result.get_absolute_url())
    status = 400 if request.method == "POST" else 200
    return _action_page(request, obj, form, title, warning=warning, status=status)


@login_required
def resident_archive(request: HttpRequest, pk: str) -> HttpResponse:
    resident = _resident(request, pk, "change")
    form = ArchiveForm(request.POST or None)

    def do() -> Resident:
        data = form.cleaned_data
        return actions.do_archive_resident(
            resident,
            acting_user=request.user,
            reason=data["reason"],
            archived_on=data["archived_on"],
            note=data.get("note") or "",
        )

    warning = gettext_lazy("The record is kept with its history; it leaves its household and the current lists.")
    return _run(request, resident, form, _("Archive"), do, _("Archived “%(name)s”.") % {"name": resident}, warning)


@login_required
@require_POST
def resident_restore(request: HttpRequest, pk: str) -> HttpResponse:
    resident = _resident(request, pk, "change")
    try:
        actions.do_restore_resident(resident, acting_user=request.user)
    except ActionError as exc:
        messages.error(request, exc.messages[0])
    else:
        messages.success(request, _("Restored “%(name)s”.") % {"name": resident})
    return HttpResponseRedirect(resident.get_absolute_url())


@login_required
def resident_move(request: HttpRequest, pk: str) -> HttpResponse:
    resident = _resident(request, pk, "change")
    form = MoveForm(request.POST or None, user=request.user)

    def do() -> Resident:
        data = form.cleaned_data
        return actions.do_move_resident(
            resident,
            data["to_node"],
            acting_user=request.user,
            moved_on=data["moved_on"],
            reason=data.get("reason") or "",
        )

    warning = gettext_lazy("Moving takes the resident out of their household; the move is kept in the history.")
    return _run(request, resident, form, _("Move"), do, _("Moved “%(name)s”.") % {"name": resident}, warning)


@login_required
def household_move(request: HttpRequest, pk: str) -> HttpResponse:
    household = _household(request, pk, "change")
    form = HouseholdMoveForm(request.POST or None, user=request.user, initial={"address": household.address})

    def do() -> Household:
        data = form.cleaned_data
        return actions.do_move_household(
            household,
            data["to_node"],
            acting_user=request.user,
            moved_on=data["moved_on"],
            reason=data.get("reason") or "",
            address=data.get("address"),
        )

    return _run(request, household, form, _("Move the household"), do, _("The household moved with its members."))


@login_required
def household_add_member(request: HttpRequest, pk: str) -> HttpResponse:
    household = _household(request, pk, "change")
    form = AddMemberForm(request.POST or None, user=request.user, household=household)

    def do() -> Household:
        data = form.cleaned_data
        actions.do_add_member(household, data["resident"], acting_user=request.user, relation=data["relation"])
        return household

    return _run(request, household, form, _("Add a member"), do, _("Added to the household."))


@login_required
def household_set_head(request: HttpRequest, pk: str) -> HttpResponse:
    household = _household(request, pk, "change")
    form = MemberForm(request.POST or None, household=household)

    def do() -> Household:
        return actions.do_set_head(household, form.cleaned_data["resident"], acting_user=request.user)

    return _run(request, household, form, _("Change the head"), do, _("The head of the household changed."))


@login_required
def household_remove_member(request: HttpRequest, pk: str) -> HttpResponse:
    household = _household(request, pk, "change")
    form = MemberForm(request.POST or None, household=household, initial={"resident": request.GET.get("resident")})

    def do() -> Household:
        actions.do_remove_member(household, form.cleaned_data["resident"], acting_user=request.user)
        return household

    return _run(request, household, form, _("Remove a member"), do, _("Removed from the household."))


@login_required
def household_split(request: HttpRequest, pk: str) -> HttpResponse:
    household = _household(request, pk, "change")
    form = SplitForm(request.POST or None, household=household, user=request.user)

    def do() -> Household:
        data = form.cleaned_data
        return actions.do_split_household(
            household,
            list(data["members"]),
            acting_user=request.user,
            head=data["head"],
            number=data.get("number") or "",
            address=data.get("address") or "",
            node=data.get("node"),
        )

    return _run(request, household, form, _("Split the household"), do, _("A new household was formed."))


@login_required
def household_merge(request: HttpRequest, pk: str) -> HttpResponse:
    household = _household(request, pk, "change")
    form = MergeForm(request.POST or None, household=household, user=request.user)

    def do() -> Household:
        return actions.do_merge_households(household, form.cleaned_data["households"], acting_user=request.user)

    warning = gettext_lazy("The members' relation to the head is cleared; set it again on the household's page.")
    return _run(request, household, form, _("Merge households"), do, _("The households were merged."), warning)
