"""Posts from a spreadsheet, keyed by (identity number or name, organization, post, start)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shequ.accounts.scope import can
from shequ.core.crypto import blind_index
from shequ.core.importing import Column, Importer, ImportResult, Row, RowError
from shequ.core.views.generic import attr_getter
from shequ.orgs import actions
from shequ.orgs.cells import TITLE_NAMES, date_cell, split_path, title_cell
from shequ.orgs.models import Organization, Post, Title
from shequ.people.cells import id_number_cell
from shequ.people.identity import mask_id

from .common import Places, _chain_filter, _error_text, node_path_text

POST_LABELS = {
    "person": "姓名",
    "organization": "组织",
    "title": "职务",
    "title_other": "职务",
    "start_date": "任职开始日期",
    "end_date": "任职结束日期",
    "__all__": "",
}


@dataclass
class PostRow:
    organization: Organization
    person: Any
    title: str
    title_other: str
    existing: Post | None = None
    end_date: Any = None
    changes: dict[str, Any] = field(default_factory=dict)

    def person_key(self, name: str) -> tuple[str, Any]:
        return ("resident", self.person.pk) if self.person is not None else ("name", name)


class PostImporter(Importer):
    model = Post
    sheet_name = "posts"
    columns = [
        Column(
            "name",
            "姓名",
            ("名字", "人员姓名", "任职人", "name"),
            required=True,
            example="张三",
            meaning=gettext_lazy("The full name of the person holding the post."),
        ),
        Column(
            "id_number",
            "身份证号",
            ("身份证号码", "公民身份号码", "证件号码", "身份证", "id number"),
            parse=id_number_cell,
            example="11010519491231002X",
            meaning=gettext_lazy(
                "Their identity number, when they are a registered resident of your area (links the post to them);"
                " leave it empty to record the name only."
            ),
        ),
        Column(
            "organization",
            "组织",
            ("组织名称", "所在组织", "任职组织", "单位", "organization"),
            required=True,
            example="和平社区党委",
            meaning=gettext_lazy("The organization of the post (in your area), by name or a path of names."),
        ),
        Column(
            "org_place",
            "组织所在地",
            ("组织所在地点", "所在社区", "所在地"),
            example="和平街道/和平社区",
            meaning=gettext_lazy(
                "The place of that organization, by code or names, when several organizations have its name."
            ),
        ),
        Column(
            "title",
            "职务",
            ("职位", "岗位", "担任职务", "post"),
            required=True,
            example="书记",
            meaning=gettext_lazy("The post: 书记, 主任, 委员, 网格员 … (another word is kept as written)."),
        ),
        Column(
            "start_date",
            "任职开始日期",
            ("任职时间", "任职日期", "开始日期", "起始日期", "任职开始", "start"),
            required=True,
            parse=date_cell,
            example="2021-06-01",
            meaning=gettext_lazy("The first day in the post; the same person, post and start day update the record."),
        ),
        Column(
            "end_date",
            "任职结束日期",
            ("离任时间", "离任日期", "卸任日期", "结束日期", "任职结束", "end"),
            parse=date_cell,
            meaning=gettext_lazy("The day they left the post (empty or 至今 while they hold it)."),
        ),
        Column("notes", "备注", ("说明", "notes"), meaning=gettext_lazy("Anything else worth noting.")),
    ]

    def sample(self) -> dict[str, Any]:
        """A member (张三, by name only) of a party committee, or another organization, of the user's area."""
        from shequ.orgs.models import OrgKind
        from shequ.territory import samples

        row = super().sample()
        scope = Organization.objects.restrict(self.user, "add", perm_model=Post).filter(active=True)
        org = (
            scope.filter(kind=OrgKind.COMMUNITY_COMMITTEE).order_by("path", "pk").first()
            or scope.order_by("path", "pk").first()
        )
        if org is not None:
            row.update(
                id_number="",
                organization=org.name,
                org_place=samples.names_below(None, org.node),
                title=TITLE_NAMES[Title.MEMBER],
            )
        return row

    def validate(self, rows: list[Row]) -> None:
        from shequ.people.models import Resident

        self.orgs = Organization.objects.restrict(self.user, "view").select_related("node")
        self.places = Places(self.user)
        self.org_cache: dict[tuple[str, str], Organization] = {}
        residents = Resident.objects.restrict(self.user, "view")
        numbers = {
            r.values["id_number"] for r in rows if r.values.get("id_number") and "*" not in r.values["id_number"]
        }
        by_hash = {p.id_hash: p for p in residents.filter(id_hash__in=[blind_index(n) for n in numbers])}
        for row in rows:
            try:
                row.cleaned = self._resolve(row, by_hash, residents)
            except RowError as exc:
                row.error = str(exc)
        # The posts this file matches get their dates from it: they are checked against each other below.
        matched = {r.cleaned.existing.pk for r in rows if not r.error and r.cleaned.existing is not None}
        for row in rows:
            if row.error:
                continue
            try:
                self._check(row, matched)
            except RowError as exc:
                row.error = str(exc)
            except ValidationError as exc:
                row.error = _error_text(exc, POST_LABELS)
        self._overlaps_in_file(rows)

    def _organization(self, text: str, place: str) -> Organization:
        key = (text, place)
        if key in self.org_cache:
            return self.org_cache[key]
        qs = self.orgs
        if place:
            node = self.places.find(place if place.isdigit() else "", "" if place.isdigit() else place)
            qs = qs.within(node.path)
        parts = split_path(text)
        found = list(qs.filter(Q(code=text.upper()) | Q(**_chain_filter(parts))).order_by("-active")[:3])
        active = [o for o in found if o.active] or found
        if not active:
            raise RowError(_("No organization “%(org)s” in your area.") % {"org": text})
        if len(active) > 1:
            raise RowError(
                _("More than one organization is called “%(org)s”: fill in 组织所在地 or give the path of names.")
                % {"org": text}
            )
        self.org_cache[key] = active[0]
        return active[0]

    def _resolve(self, row: Row, by_hash: dict[str, Any], residents: Any) -> PostRow:
        values = row.values
        name = values["name"]
        number = values.get("id_number", "")
        person = None
        if number and "*" in number:
            matches = list(residents.filter(name=name, id_masked=number)[:2])
            if len(matches) != 1:
                raise RowError(
                    _("No single resident %(name)s with the identity number %(number)s in your area.")
                    % {"name": name, "number": number}
                )
            person = matches[0]
        elif number:
            person = by_hash.get(blind_index(number))
            if person is None:
                raise RowError(
                    _(
                        "No resident with the identity number %(number)s in your area; "
                        "leave it empty to record the name only."
                    )
                    % {"number": mask_id(number)}
                )
            if person.name != name:
                raise RowError(
                    _("The identity number %(number)s belongs to %(resident)s, not %(name)s.")
                    % {"number": mask_id(number), "resident": person.name, "name": name}
                )
        org = self._organization(values["organization"], values.get("org_place", ""))
        if not can(self.user, Post, "add", org.path):
            raise RowError(_("No organization “%(org)s” in your area.") % {"org": values["organization"]})
        title, title_other = title_cell(values["title"])
        if values.get("end_date") and values["end_date"] < values["start_date"]:
            raise RowError(_("A post cannot end before it starts."))
        cleaned = PostRow(organization=org, person=person, title=title, title_other=title_other)
        same = Post.objects.filter(
            organization=org, title=title, title_other=title_other, start_date=values["start_date"]
        )
        same = same.filter(person=person) if person is not None else same.filter(person__isnull=True, person_name=name)
        cleaned.existing = same.first()
        return cleaned

    def _check(self, row: Row, matched: set[int]) -> None:
        values, cleaned = row.values, row.cleaned
        existing = cleaned.existing
        candidate = Post.objects.get(pk=existing.pk) if existing is not None else Post()
        candidate.organization, candidate.person = cleaned.organization, cleaned.person
        candidate.person_name = "" if cleaned.person is not None else values["name"]
        candidate.title, candidate.title_other = cleaned.title, cleaned.title_other
        candidate.start_date = values["start_date"]
        if existing is None or values.get("end_date"):
            candidate.end_date = values.get("end_date")
        if values.get("notes"):
            candidate.notes = values["notes"]
        candidate.overlap_ignored = matched  # type: ignore[attr-defined]
        candidate.full_clean(exclude=["node"])
        cleaned.end_date = candidate.end_date
        if existing is not None:
            cleaned.changes = {
                k: getattr(candidate, k) for k in ("end_date", "notes") if getattr(candidate, k) != getattr(existing, k)
            }

    def _overlaps_in_file(self, rows: list[Row]) -> None:
        groups: dict[tuple, list[Row]] = defaultdict(list)
        for row in rows:
            if row.error:
                continue
            c: PostRow = row.cleaned
            groups[(c.organization.pk, c.title, c.title_other, c.person_key(row.values["name"]))].append(row)
        for group in groups.values():
            group.sort(key=lambda r: r.values["start_date"])
            for previous, row in zip(group, group[1:], strict=False):
                end = previous.cleaned.end_date
                if (
                    previous.values["start_date"] == row.values["start_date"]
                    or end is None
                    or end > row.values["start_date"]
                ):
                    row.error = _("The same post of the same person overlaps row %(row)d.") % {"row": previous.number}

    def preview(self, rows: list[Row], result: ImportResult) -> None:
        for row in rows:
            cleaned: PostRow = row.cleaned
            result.count(cleaned.existing, bool, cleaned.changes)

    def apply(self, rows: list[Row], result: ImportResult) -> None:
        # Earlier periods first, so a term that ends is closed before the next one starts.
        for row in sorted(rows, key=lambda r: (r.values["start_date"], r.number)):
            cleaned: PostRow = row.cleaned
            if cleaned.existing is None:
                actions.do_appoint(
                    acting_user=self.user,
                    organization=cleaned.organization,
                    title=cleaned.title,
                    title_other=cleaned.title_other,
                    person=cleaned.person,
                    person_name="" if cleaned.person is not None else row.values["name"],
                    start_date=row.values["start_date"],
                    end_date=row.values.get("end_date"),
                    notes=row.values.get("notes", ""),
                )
                result.created += 1
            elif cleaned.changes:
                actions.do_update_post(cleaned.existing, acting_user=self.user, **cleaned.changes)
                result.updated += 1
            else:
                result.unchanged += 1


def post_export_columns(show_id_numbers: bool) -> list[tuple[str, Any]]:
    def id_number(post: Post) -> str:
        if post.person is None:
            return ""
        return (post.person.id_number or "") if show_id_numbers else post.person.id_masked

    return [
        ("姓名", lambda p: p.holder),
        ("身份证号", id_number),
        ("组织", lambda p: p.organization.name),
        ("组织所在地", lambda p: node_path_text(p.organization.node)),
        ("职务", lambda p: TITLE_NAMES.get(p.title) or p.title_other or TITLE_NAMES.get(Title.STAFF)),
        ("任职开始日期", attr_getter("start_date")),
        ("任职结束日期", attr_getter("end_date")),
        ("备注", attr_getter("notes")),
    ]
