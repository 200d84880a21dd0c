"""Organizations from a spreadsheet, keyed by code or by (place, name), parents by code or path of names."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shequ.core.cells import bool_cell
from shequ.core.importing import Column, Importer, ImportResult, Row, RowError
from shequ.core.views.generic import attr_getter
from shequ.orgs import actions
from shequ.orgs.cells import (
    KIND_NAMES,
    date_cell,
    kind_cell,
    registration_cell,
    split_list,
    split_path,
    status_cell,
    uscc_cell,
)
from shequ.orgs.models import PARTY_RANK, Organization, OrgKind, Registration, parent_error
from shequ.territory.models import Kind as NodeKind
from shequ.territory.models import Node

from .common import MAX_PATH, Places, _chain_filter, _error_text, node_path_text, org_path_text

ORG_LABELS = {
    "name": "名称",
    "kind": "类型",
    "node": "所在地",
    "parent": "上级组织",
    "code": "统一社会信用代码",
    "established_on": "成立日期",
    "registration": "登记状态",
    "filed_on": "备案日期",
    "registered_on": "登记日期",
    "contract_start": "合同开始日期",
    "contract_end": "合同结束日期",
    "has_party_org": "是否建立党组织",
    "party_work_carried_out": "是否开展党的工作",
    "__all__": "",
}
ORG_VALUE_FIELDS = (
    "code",
    "established_on",
    "phone",
    "address",
    "registration",
    "filed_on",
    "registered_on",
    "contract_start",
    "contract_end",
    "has_party_org",
    "party_work_carried_out",
    "notes",
)


@dataclass
class OrgRow:
    node: Node
    existing: Organization | None = None
    parent: Organization | None = None
    parent_row: Row | None = None
    fields: dict[str, Any] = field(default_factory=dict)
    chain: list[str] = field(default_factory=list)
    estates: list[Node] | None = None
    member_names: list[str] | None = None
    members: list[Any] | None = None
    dissolve: bool = False
    changes: dict[str, Any] = field(default_factory=dict)


class OrganizationImporter(Importer):
    model = Organization
    sheet_name = "organizations"
    columns = [
        Column(
            "name",
            "名称",
            ("组织名称", "单位名称", "名字", "name"),
            required=True,
            example="和平社区党委",
            meaning=gettext_lazy(
                "The organization's name; in the same place, an organization of that name is updated."
            ),
        ),
        Column(
            "kind",
            "类型",
            ("组织类型", "类别", "性质", "kind"),
            required=True,
            parse=kind_cell,
            example="社区党委",
            meaning=gettext_lazy("What kind of organization it is."),
        ),
        Column(
            "node_code",
            "所在地编码",
            ("所在地代码", "区划代码", "地点编码", "节点编码"),
            example="110101001001",
            meaning=gettext_lazy("The code of the place where it sits (a street, community, estate …)."),
        ),
        Column(
            "node_path",
            "所在地",
            ("所在地点", "所属地", "所属社区", "位置", "地点", "place"),
            example="和平街道/和平社区",
            meaning=gettext_lazy(
                "Or that place by its names, separated by / (the end of the path is enough when it is unique)."
            ),
        ),
        Column(
            "parent",
            "上级组织",
            ("上级党组织", "隶属", "上级", "parent"),
            example="和平街道党工委",
            meaning=gettext_lazy(
                "The organization above it (for party organizations: the one they report to), by name or a path of"
                " names."
            ),
        ),
        Column(
            "code",
            "统一社会信用代码",
            ("信用代码", "社会信用代码", "统一代码", "code"),
            parse=uscc_cell,
            meaning=gettext_lazy(
                "Its unified social credit code, when it has one; an organization with this code is updated."
            ),
        ),
        Column(
            "established_on",
            "成立日期",
            ("成立时间", "组建日期", "成立"),
            parse=date_cell,
            example="2018-03-01",
            meaning=gettext_lazy("The day it was founded."),
        ),
        Column("phone", "联系电话", ("电话", "phone"), meaning=gettext_lazy("A number to reach it.")),
        Column("address", "地址", ("办公地址", "住所", "address"), meaning=gettext_lazy("Its office address.")),
        Column(
            "registration",
            "登记状态",
            ("登记备案", "登记情况", "登记备案情况"),
            parse=registration_cell,
            meaning=gettext_lazy("Social organizations: registered with civil affairs, or filed with the community."),
        ),
        Column(
            "filed_on",
            "备案日期",
            ("备案时间",),
            parse=date_cell,
            meaning=gettext_lazy("The day it was filed with the community."),
        ),
        Column(
            "registered_on",
            "登记日期",
            ("登记时间", "注册日期"),
            parse=date_cell,
            meaning=gettext_lazy("The day it was registered with civil affairs."),
        ),
        Column(
            "estates",
            "服务小区",
            ("服务的小区", "管理小区", "物业服务小区", "服务范围"),
            meaning=gettext_lazy("Property companies: the residential areas they serve, separated by 、."),
        ),
        Column(
            "contract_start",
            "合同开始日期",
            ("合同开始", "合同起始日期", "合同起始"),
            parse=date_cell,
            meaning=gettext_lazy("Property companies: the first day of the service contract."),
        ),
        Column(
            "contract_end",
            "合同结束日期",
            ("合同结束", "合同到期日期", "合同截止日期", "合同到期"),
            parse=date_cell,
            meaning=gettext_lazy("Property companies: the last day of the service contract."),
        ),
        Column(
            "members",
            "成员单位",
            ("联盟成员", "成员", "members"),
            meaning=gettext_lazy("Party-building alliances: their member units, separated by 、."),
        ),
        Column(
            "has_party_org",
            "是否建立党组织",
            ("建立党组织", "有无党组织", "党组织覆盖", "已建党组织"),
            parse=bool_cell,
            meaning=gettext_lazy("“Two new” organizations: whether a party organization has been set up in it."),
        ),
        Column(
            "party_work_carried_out",
            "是否开展党的工作",
            ("开展党的工作", "党的工作覆盖", "已开展党的工作"),
            parse=bool_cell,
            meaning=gettext_lazy("“Two new” organizations: whether party work is carried out in it."),
        ),
        Column(
            "status",
            "状态",
            ("组织状态", "是否撤销", "status"),
            parse=status_cell,
            meaning=gettext_lazy("Whether it is still active."),
        ),
        Column(
            "dissolved_on",
            "撤销日期",
            ("撤销时间", "解散日期", "注销日期"),
            parse=date_cell,
            meaning=gettext_lazy("The day it was dissolved."),
        ),
        Column("notes", "备注", ("说明", "notes"), meaning=gettext_lazy("Anything else worth noting.")),
    ]

    def sample(self) -> dict[str, Any]:
        """A new party branch under a community party committee of the user's area; without one, a social
        organization filed with a community of it."""
        from shequ.territory import samples

        row = super().sample()
        scope = Organization.objects.restrict(self.user, "import")
        parent = (
            scope.filter(kind=OrgKind.COMMUNITY_COMMITTEE, active=True)
            .select_related("node", "parent")
            .order_by("path", "pk")
            .first()
        )
        node = parent.node if parent is not None else samples.first_of(self.user, Organization, (NodeKind.COMMUNITY,))
        if node is None:
            return row
        taken = Organization.objects.filter(node=node).values_list("name", flat=True)
        row.update(node_code=node.code or "", node_path=samples.names_below(None, node), established_on="2018-03-01")
        if parent is not None:
            pattern = node.name + "第{n}党支部"
            row.update(kind=KIND_NAMES[OrgKind.BRANCH], parent="/".join(self._db_chain(parent)[-3:]))
        else:
            pattern = node.name + "文体协会{n}"
            row.update(kind=KIND_NAMES[OrgKind.SOCIAL], parent="", registration="备案", filed_on="2020-05-01")
        row["name"] = samples.free_name(None, pattern, taken)
        return row

    # -- validation ---------------------------------------------------------------------------------------------
    def validate(self, rows: list[Row]) -> None:
        self.visible = Organization.objects.restrict(self.user, "view")
        places = Places(self.user)
        estates = Places(self.user, NodeKind.ESTATE)
        keys: dict[tuple, int] = {}
        for row in rows:
            try:
                row.cleaned = self._first_pass(row, places, estates)
            except RowError as exc:
                row.error = str(exc)
                continue
            key = (
                ("code", row.values["code"])
                if row.values.get("code")
                else ("name", row.cleaned.node.pk, row.values["name"])
            )
            if key in keys:
                row.error = _("The same organization appears twice in the file (row %(row)d).") % {"row": keys[key]}
                continue
            keys[key] = row.number
        # Parents, highest party organizations first, so a parent row of the file is resolved before its children.
        self.by_suffix: dict[tuple[str, ...], list[Row]] = defaultdict(list)
        self.by_code: dict[str, Row] = {r.values["code"]: r for r in rows if not r.error and r.values.get("code")}
        for row in sorted(rows, key=lambda r: (PARTY_RANK.get(r.values.get("kind", ""), 99), r.number)):
            if row.error:
                continue
            try:
                self._resolve_parent(row)
                for start in range(len(row.cleaned.chain)):
                    self.by_suffix[tuple(row.cleaned.chain[start:])].append(row)
                self._check(row)
            except RowError as exc:
                row.error = str(exc)
            except ValidationError as exc:
                row.error = _error_text(exc, ORG_LABELS)
        _propagate(rows)
        self._resolve_members(rows)

    def _first_pass(self, row: Row, places: Places, estates: Places) -> OrgRow:
        values = row.values
        code, path = values.get("node_code", ""), values.get("node_path", "")
        existing = None
        if values.get("code"):
            existing = Organization.objects.filter(code=values["code"]).select_related("node").first()
            if existing is not None and not self.visible.filter(pk=existing.pk).exists():
                raise RowError(
                    _("The code %(code)s belongs to an organization outside your area.") % {"code": values["code"]}
                )
        if not code and not path:
            if existing is None:
                raise RowError(_("Say where it sits: 所在地编码 or 所在地."))
            node = existing.node
        else:
            node = places.find(code, path)
        wants_dissolved = values.get("status") is False
        if existing is None:
            same = Organization.objects.filter(node=node, name=values["name"]).order_by("-active", "-pk")
            existing = same.select_related("node").first()
            if existing is not None and not existing.active and not wants_dissolved:
                existing = None  # a dissolved namesake stays in the past; this is a new one
        cleaned = OrgRow(node=node, existing=existing)
        cleaned.fields = {k: values[k] for k in ORG_VALUE_FIELDS if values.get(k) not in (None, "")}
        if values.get("registration") == "" and "registration" in values:
            cleaned.fields["registration"] = ""
        if values.get("estates"):
            cleaned.estates = [estates.find("", name) for name in split_list(values["estates"])]
        if values.get("members"):
            cleaned.member_names = split_list(values["members"])
        if wants_dissolved:
            if existing is None:
                raise RowError(_("A dissolved organization that is not on record is not imported."))
            cleaned.dissolve = existing.active
        elif existing is not None and not existing.active:
            raise RowError(
                _("“%(org)s” was dissolved on %(date)s.") % {"org": existing.name, "date": existing.dissolved_on}
            )
        return cleaned

    def _in_file(self, text: str, parts: list[str], exclude: Row | None = None) -> list[Row]:
        """The rows of the file that are *text*: by code, or whose path of names ends with *parts*."""
        by_code = self.by_code.get(text)
        if by_code is not None and by_code is not exclude and not by_code.error and by_code.cleaned is not None:
            return [by_code]
        return [r for r in self.by_suffix.get(tuple(parts), ()) if r is not exclude and not r.error]

    def _resolve_parent(self, row: Row) -> None:
        cleaned: OrgRow = row.cleaned
        text = row.values.get("parent", "")
        if not text:
            cleaned.parent = cleaned.existing.parent if cleaned.existing and cleaned.existing.parent_id else None
            if cleaned.existing is not None:
                cleaned.chain = self._db_chain(cleaned.parent) + [row.values["name"]]
            else:
                cleaned.chain = [row.values["name"]]
            return
        parts = split_path(text)
        in_file = self._in_file(text, parts, exclude=row)
        if len(in_file) > 1:
            raise RowError(_("More than one organization in the file is “%(parent)s”.") % {"parent": text})
        if in_file:
            cleaned.parent_row = in_file[0]
            cleaned.chain = in_file[0].cleaned.chain + [row.values["name"]]
            return
        found = list(self.visible.filter(Q(code=text) | Q(**_chain_filter(parts))).select_related("node")[:2])
        if not found:
            raise RowError(_("No organization “%(parent)s” in your area.") % {"parent": text})
        if len(found) > 1:
            raise RowError(
                _("More than one organization is “%(parent)s”: give the path (e.g. 和平街道党工委/和平社区党委).")
                % {"parent": text}
            )
        cleaned.parent = found[0]
        cleaned.chain = self._db_chain(found[0]) + [row.values["name"]]

    def _db_chain(self, org: Organization | None) -> list[str]:
        names: list[str] = []
        while org is not None and len(names) < MAX_PATH:
            names.insert(0, org.name)
            org = org.parent
        return names

    def _check(self, row: Row) -> None:
        cleaned: OrgRow = row.cleaned
        values = row.values
        if cleaned.existing is not None:
            candidate = Organization.objects.select_related("node", "parent").get(pk=cleaned.existing.pk)
        else:
            candidate = Organization()
        candidate.node, candidate.kind, candidate.name = cleaned.node, values["kind"], values["name"]
        for key, value in cleaned.fields.items():
            setattr(candidate, key, value)
        if cleaned.parent_row is not None:
            parent_cleaned: OrgRow = cleaned.parent_row.cleaned
            stub = Organization(kind=cleaned.parent_row.values["kind"], name=cleaned.parent_row.values["name"])
            message = parent_error(values["kind"], stub)
            if message is None and not cleaned.node.path.startswith(parent_cleaned.node.path):
                message = _("“%(parent)s” sits on “%(parent_node)s”, which is not above “%(node)s”.") % {
                    "parent": stub.name,
                    "parent_node": parent_cleaned.node.name,
                    "node": cleaned.node.name,
                }
            if message:
                raise RowError(f"{ORG_LABELS['parent']}：{message}")
            candidate.parent = None
        else:
            candidate.parent = cleaned.parent
        if cleaned.estates is not None and values["kind"] != OrgKind.PROPERTY_COMPANY:
            raise RowError(_("Only property companies serve residential areas."))
        if cleaned.member_names is not None and values["kind"] != OrgKind.ALLIANCE:
            raise RowError(_("Only party-building alliances have member units."))
        if cleaned.existing is not None and not cleaned.existing.active:
            candidate.active = False
        candidate.full_clean()
        if cleaned.existing is not None:
            cleaned.changes = self._changes(cleaned.existing, candidate, cleaned)

    @staticmethod
    def _changes(existing: Organization, candidate: Organization, cleaned: OrgRow) -> dict[str, Any]:
        changes: dict[str, Any] = {}
        for key in ("kind", "name", *ORG_VALUE_FIELDS):
            if getattr(existing, key) != getattr(candidate, key):
                changes[key] = getattr(candidate, key)
        if existing.node_id != cleaned.node.pk:
            changes["node"] = cleaned.node
        if cleaned.parent_row is None and existing.parent_id != (cleaned.parent.pk if cleaned.parent else None):
            changes["parent"] = cleaned.parent
        return changes

    def _resolve_members(self, rows: list[Row]) -> None:
        for row in rows:
            cleaned = row.cleaned
            if row.error or cleaned is None or cleaned.member_names is None:
                continue
            members: list[Any] = []
            for name in cleaned.member_names:
                parts = split_path(name)
                in_file = self._in_file(name, parts, exclude=row)
                if len(in_file) == 1:
                    members.append(in_file[0])
                    continue
                found = list(self.visible.filter(Q(code=name) | Q(**_chain_filter(parts)), active=True)[:2])
                if len(found) != 1 or len(in_file) > 1:
                    row.error = (
                        _("Member unit “%(name)s”: no such organization in your area.")
                        if not found and not in_file
                        else _("Member unit “%(name)s”: more than one organization has this name; give its path.")
                    ) % {"name": name}
                    break
                members.append(found[0])
            else:
                cleaned.member_names = None
                cleaned.members = members

    # -- writing ------------------------------------------------------------------------------------------------
    def _extra_changes(self, cleaned: OrgRow) -> bool:
        existing = cleaned.existing
        if existing is None:
            return False
        if cleaned.parent_row is not None and (
            cleaned.parent_row.cleaned.existing is None or existing.parent_id != cleaned.parent_row.cleaned.existing.pk
        ):
            return True
        if cleaned.estates is not None and {e.pk for e in cleaned.estates} != set(
            existing.estates.values_list("pk", flat=True)
        ):
            return True
        members = cleaned.members
        if members is not None:
            wanted = {
                m.cleaned.existing.pk if isinstance(m, Row) and m.cleaned.existing else getattr(m, "pk", None)
                for m in members
            }
            if None in wanted or wanted != set(
                existing.members.restrict(self.user, "view").values_list("pk", flat=True)
            ):  # type: ignore[attr-defined]
                return True
        return cleaned.dissolve

    def _changed(self, cleaned: OrgRow) -> bool:
        return bool(cleaned.changes or self._extra_changes(cleaned))

    def preview(self, rows: list[Row], result: ImportResult) -> None:
        for row in rows:
            cleaned: OrgRow = row.cleaned
            result.count(cleaned.existing, self._changed, cleaned)

    def apply(self, rows: list[Row], result: ImportResult) -> None:
        made: dict[int, Organization] = {}
        changed: set[int] = set()
        for row in sorted(rows, key=lambda r: (PARTY_RANK.get(r.values["kind"], 99), r.number)):
            cleaned: OrgRow = row.cleaned
            parent = made[id(cleaned.parent_row)] if cleaned.parent_row is not None else cleaned.parent
            extra = self._extra_changes(cleaned)
            if cleaned.existing is None:
                org = actions.do_create_organization(
                    acting_user=self.user,
                    node=cleaned.node,
                    kind=row.values["kind"],
                    name=row.values["name"],
                    parent=parent,
                    **cleaned.fields,
                )
                result.created += 1
            else:
                changes = dict(cleaned.changes)
                if cleaned.parent_row is not None and cleaned.existing.parent_id != getattr(parent, "pk", None):
                    changes["parent"] = parent
                org = cleaned.existing
                if changes:
                    org = actions.do_update_organization(org, acting_user=self.user, **changes)
                if changes or extra:
                    changed.add(id(row))
            made[id(row)] = org
            if cleaned.estates is not None:
                actions.do_set_estates(org, cleaned.estates, acting_user=self.user)
        for row in rows:
            cleaned = row.cleaned
            org = made[id(row)]
            members = cleaned.members
            if members is not None:
                wanted = {made[id(m)].pk if isinstance(m, Row) else m.pk for m in members}
                have = set(org.members.restrict(self.user, "view").values_list("pk", flat=True))  # type: ignore[attr-defined]
                for pk in wanted - have:
                    actions.do_add_alliance_member(org, pk, acting_user=self.user)
                for pk in have - wanted:
                    actions.do_remove_alliance_member(org, pk, acting_user=self.user)
            if cleaned.dissolve:
                actions.do_dissolve_organization(
                    org, acting_user=self.user, on=row.values.get("dissolved_on") or timezone.localdate()
                )
            if cleaned.existing is not None:
                if id(row) in changed:
                    result.updated += 1
                else:
                    result.unchanged += 1


def _propagate(rows: list[Row]) -> None:
    """A row whose parent row was rejected is rejected too, down the whole tree."""
    changed = True
    while changed:
        changed = False
        for row in rows:
            if row.error or row.cleaned is None:
                continue
            parent_row = row.cleaned.parent_row
            if parent_row is not None and parent_row.error:
                row.error = _("Its parent organization (row %(row)d) was rejected.") % {"row": parent_row.number}
                changed = True


def _kind_name(org: Organization) -> str:
    return KIND_NAMES.get(org.kind, org.kind)


def _registration_name(org: Organization) -> str:
    return {Registration.REGISTERED: "登记", Registration.FILED: "备案"}.get(org.registration, "")  # type: ignore[call-overload]


ORG_EXPORT_COLUMNS: list[tuple[str, Any]] = [
    ("名称", attr_getter("name")),
    ("类型", _kind_name),
    ("所在地编码", lambda o: o.node.code or ""),
    ("所在地", lambda o: node_path_text(o.node)),
    ("上级组织", lambda o: org_path_text(o.parent)),
    ("统一社会信用代码", attr_getter("code")),
    ("成立日期", attr_getter("established_on")),
    ("联系电话", attr_getter("phone")),
    ("地址", attr_getter("address")),
    ("登记状态", _registration_name),
    ("备案日期", attr_getter("filed_on")),
    ("登记日期", attr_getter("registered_on")),
    ("服务小区", lambda o: "、".join(e.name for e in o.estates.all()) if o.kind == OrgKind.PROPERTY_COMPANY else ""),
    ("合同开始日期", attr_getter("contract_start")),
    ("合同结束日期", attr_getter("contract_end")),
    ("成员单位", lambda o: "、".join(m.name for m in o.members.all()) if o.kind == OrgKind.ALLIANCE else ""),
    ("是否建立党组织", lambda o: ("是" if o.has_party_org else "否") if o.is_two_new else ""),
    ("是否开展党的工作", lambda o: ("是" if o.party_work_carried_out else "否") if o.is_two_new else ""),
    ("状态", lambda o: "在册" if o.active else "撤销"),
    ("撤销日期", attr_getter("dissolved_on")),
    ("备注", attr_getter("notes")),
]
