"""Party members from the spreadsheets branches keep (and back): Chinese headers, the residents' pitfalls.

Identity numbers as Excel damages them (scientific notation, dropped digits, masks, wrong check digits),
dates in every form offices write, phones, choices by their Chinese names: the people app's cell parsers.
The upsert key is the identity number: importing the same file again changes nothing; empty cells never
erase what is recorded; a number whose archive is outside the user's area is rejected without saying whose.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shequ.core.exceptions import ActionError, NotFound
from shequ.core.importing import Column, Importer, ImportResult, Row, RowError, choice_cell, date_cell, text_cell
from shequ.core.views.generic import attr_getter
from shequ.orgs.models import Organization
from shequ.people.cells import EDUCATION_WORDS, ethnicity_cell, first_word, identity_cell, phone_cell
from shequ.people.fields import id_hash_of
from shequ.people.models import Education
from shequ.territory.models import Node

from .actions.common import MEMBER_ORG_KINDS
from .models import Category, MemberStatus, PartyMember

CATEGORY_WORDS = {
    "on_the_job": ("在职党员", "在职", "在岗"),
    "retired": ("离退休党员", "退休党员", "离退休", "退休", "离休"),
    "laid_off": ("下岗失业党员", "失业党员", "下岗", "失业", "待业", "无业"),
    "floating": ("流动党员", "流动"),
    "student": ("学生党员", "学生", "在校学生"),
    "other": ("其他",),
}
STATUS_WORDS = {"full": ("正式党员", "正式"), "probationary": ("预备党员", "预备")}
COMPARED = ("name", "phone", "education", "occupation", "work_unit", "ethnicity", "category", "notes")


class ActiveStatus:
    """Only the two statuses an archive is registered with."""

    choices = MemberStatus.choices[:2]


class PartyMemberImporter(Importer):
    model = PartyMember
    sheet_name = "party-members"
    columns = [
        Column(
            "name",
            "姓名",
            ("名字", "党员姓名", "name"),
            required=True,
            example="张伟",
            meaning=gettext_lazy("The member's full name, as on the identity card."),
        ),
        Column(
            "id_number",
            "身份证号",
            ("公民身份号码", "身份证号码", "身份证", "证件号码", "身份号码", "id_number"),
            required=True,
            parse=identity_cell,
            example="420102198503021237",
            meaning=gettext_lazy(
                "The identity number: it keys the archive, so importing the same number again updates the member."
            ),
        ),
        Column(
            "organization",
            "所在党组织",
            ("党组织", "所在支部", "支部", "党支部", "组织"),
            required=True,
            example="和平社区第一党支部",
            meaning=gettext_lazy(
                "The party organization the member belongs to (in your area), by name or by a path of names."
            ),
        ),
        Column(
            "org_place",
            "党组织所在地编码",
            ("所在地编码", "地区编码", "社区编码"),
            example="990101001001",
            meaning=gettext_lazy(
                "The code of the place of that organization, when several organizations have its name."
            ),
        ),
        Column(
            "status",
            "党员状态",
            ("党籍状态", "人员状态", "正式/预备"),
            parse=choice_cell(ActiveStatus, STATUS_WORDS),
            example="正式党员",
            repeats=True,
            meaning=gettext_lazy("Full member or probationary member."),
        ),
        Column(
            "joined_on",
            "入党日期",
            ("入党时间", "入党年月"),
            required=True,
            parse=date_cell,
            example="2010-07-01",
            repeats=True,
            meaning=gettext_lazy("The day they joined the party (admitted as a probationary member)."),
        ),
        Column(
            "converted_on",
            "转正日期",
            ("转正时间", "转正年月"),
            parse=date_cell,
            example="2011-07-01",
            repeats=True,
            meaning=gettext_lazy("The day they became a full member."),
        ),
        Column(
            "category",
            "党员类别",
            ("人员类别", "类别", "党员类型"),
            parse=choice_cell(Category, CATEGORY_WORDS),
            example="在职党员",
            repeats=True,
            meaning=gettext_lazy("On the job, retired, floating, student …"),
        ),
        Column(
            "phone",
            "联系电话",
            ("电话", "手机", "手机号", "手机号码", "联系方式"),
            parse=phone_cell,
            example="13812345678",
            meaning=gettext_lazy("A number to reach them."),
        ),
        Column(
            "education",
            "学历",
            ("文化程度",),
            parse=choice_cell(Education, EDUCATION_WORDS),
            example="本科",
            repeats=True,
            meaning=gettext_lazy("The highest schooling completed."),
        ),
        Column(
            "ethnicity",
            "民族",
            (),
            parse=ethnicity_cell,
            example="汉族",
            repeats=True,
            meaning=gettext_lazy("Their ethnic group."),
        ),
        Column(
            "occupation", "职业", ("岗位", "职务"), example="教师", meaning=gettext_lazy("What they do for a living.")
        ),
        Column(
            "work_unit",
            "工作单位",
            ("单位", "工作单位及职务"),
            example="市第一中学",
            meaning=gettext_lazy("Where they work."),
        ),
        Column("notes", "备注", ("说明",), meaning=gettext_lazy("Anything else worth noting.")),
    ]

    def organizations(self) -> Any:
        """The party organizations members may be imported to by this importer's user."""
        return Organization.objects.restrict(self.user, "add", perm_model=PartyMember).filter(
            kind__in=MEMBER_ORG_KINDS, active=True
        )

    def sample(self) -> dict[str, Any]:
        """A made-up member (张伟, with a number no archive has) of a party organization of the user's area."""
        from shequ.people.identity import sample_number

        row = super().sample()
        org = self.organizations().select_related("node").order_by("path", "pk").first()
        if org is not None:
            row.update(organization=org.name, org_place=org.node.code or "")
        row["id_number"] = sample_number(PartyMember.objects.all())
        return row

    def validate(self, rows: list[Row]) -> None:
        self.orgs = self.organizations()
        self.org_cache: dict[tuple[str, str], Organization | RowError] = {}
        hashes = {id_hash_of(r.values["id_number"].number) for r in rows if r.values.get("id_number")}
        self.existing = {
            m.id_hash: m for m in PartyMember.objects.filter(id_hash__in=hashes).select_related("organization")
        }
        self.visible = set(
            PartyMember.objects.restrict(self.user, "change").filter(id_hash__in=hashes).values_list("pk", flat=True)
        )
        seen: dict[str, int] = {}
        for row in rows:
            try:
                row.cleaned = self._clean(row, seen)
            except RowError as exc:
                row.reject(exc, exc.code)

    def _organization(self, name: str, place: str) -> Organization:
        key = (name, place)
        if key not in self.org_cache:
            qs = self.orgs.filter(name=name)
            if place:
                node = Node.objects.filter(code=place).first()
                qs = qs.within(node.path) if node is not None else qs.none()
            found = list(qs[:2])
            if not found:
                self.org_cache[key] = RowError(
                    _("No party organization “%(org)s” in your area.") % {"org": name}, "unknown_org"
                )
            elif len(found) > 1:
                self.org_cache[key] = RowError(
                    _("More than one party organization is called “%(org)s”: fill in 党组织所在地编码.")
                    % {"org": name},
                    "ambiguous_org",
                )
            else:
                self.org_cache[key] = found[0]
        value = self.org_cache[key]
        if isinstance(value, RowError):
            raise value
        return value

    def _clean(self, row: Row, seen: dict[str, int]) -> dict[str, Any]:
        values = row.values
        identity = values["id_number"]
        if identity.number in seen:
            raise RowError(
                _("The same identity number as row %(row)d.") % {"row": seen[identity.number]}, "duplicate_row"
            )
        seen[identity.number] = row.number
        org = self._organization(values["organization"], text_cell(values.get("org_place")))
        existing = self.existing.get(id_hash_of(identity.number))
        if existing is not None and existing.pk not in self.visible:
            raise RowError(
                _("This identity number already has a party archive in an organization outside your area."),
                "out_of_scope",
            )
        data: dict[str, Any] = {
            k: values[k] for k in (*COMPARED, "joined_on", "converted_on") if values.get(k) not in (None, "")
        }
        if existing is not None:
            if existing.organization_id != org.pk:
                raise RowError(
                    _("%(name)s belongs to “%(org)s”: a change of organization is a relation transfer.")
                    % {"name": existing.name, "org": existing.organization.name},
                    "transfer_needed",
                )
            changes = {k: v for k, v in data.items() if getattr(existing, k) != v}
            return {"existing": existing, "changes": changes}
        status = values.get("status") or (
            MemberStatus.FULL if values.get("converted_on") else MemberStatus.PROBATIONARY
        )
        data.update(id_number=identity.number, organization=org, status=status)
        data.setdefault("category", Category.OTHER)
        return {"existing": None, "data": data}

    def preview(self, rows: list[Row], result: ImportResult) -> None:
        for row in rows:
            result.count(row.cleaned["existing"], lambda r: r.cleaned["changes"], row)

    def apply(self, rows: list[Row], result: ImportResult) -> None:
        from . import actions

        for row in rows:
            cleaned = row.cleaned
            try:
                if cleaned["existing"] is None:
                    actions.do_create_member(acting_user=self.user, **cleaned["data"])
                    result.created += 1
                elif cleaned["changes"]:
                    actions.do_update_member(cleaned["existing"], acting_user=self.user, **cleaned["changes"])
                    result.updated += 1
                else:
                    result.unchanged += 1
            except ActionError as exc:
                row.reject("；".join(exc.messages), exc.code or "invalid")
                result.rejected += 1
                result.errors.append({"row": row.number, "message": row.error, "code": row.code})
            except NotFound:
                row.reject(_("Outside your area."), "out_of_scope")
                result.rejected += 1
                result.errors.append({"row": row.number, "message": row.error, "code": row.code})


def _word(words: dict[str, tuple[str, ...]]) -> Any:
    def get(value: str) -> str:
        return first_word(words, value)

    return get


MEMBER_EXPORT_COLUMNS: list[tuple[str, Any]] = [
    ("姓名", attr_getter("name")),
    ("身份证号", attr_getter("id_masked")),
    ("所在党组织", lambda m: m.organization.name),
    ("党组织所在地编码", lambda m: m.node.code or ""),
    ("党员状态", lambda m: first_word(STATUS_WORDS, m.status) or m.get_status_display()),
    ("入党日期", attr_getter("joined_on")),
    ("转正日期", attr_getter("converted_on")),
    ("党员类别", lambda m: first_word(CATEGORY_WORDS, m.category)),
    ("联系电话", attr_getter("phone")),
    ("学历", lambda m: first_word(EDUCATION_WORDS, m.education)),
    ("民族", attr_getter("ethnicity")),
    ("职业", attr_getter("occupation")),
    ("工作单位", attr_getter("work_unit")),
    ("备注", attr_getter("notes")),
]
