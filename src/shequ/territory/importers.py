"""Import a tree (or part of one) from a spreadsheet: one row per place, parents by code or by path of names."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shequ.core.cells import accepts, alnum_code_cell, float_cell, text_cell
from shequ.core.exceptions import ActionError
from shequ.core.importing import Column, Importer, ImportResult, Row, RowError
from shequ.core.text import squash

from .actions import do_create_node, do_update_node, validate_placement
from .models import KIND_ORDER, Kind, Node

KIND_WORDS = {
    "city": Kind.CITY,
    "市": Kind.CITY,
    "城市": Kind.CITY,
    "地级市": Kind.CITY,
    "district": Kind.DISTRICT,
    "区": Kind.DISTRICT,
    "县": Kind.DISTRICT,
    "区县": Kind.DISTRICT,
    "区(县)": Kind.DISTRICT,
    "县级市": Kind.DISTRICT,
    "street": Kind.STREET,
    "街道": Kind.STREET,
    "乡镇": Kind.STREET,
    "镇": Kind.STREET,
    "乡": Kind.STREET,
    "街道(乡镇)": Kind.STREET,
    "community": Kind.COMMUNITY,
    "社区": Kind.COMMUNITY,
    "村": Kind.COMMUNITY,
    "社区(村)": Kind.COMMUNITY,
    "居委会": Kind.COMMUNITY,
    "村委会": Kind.COMMUNITY,
    "grid": Kind.GRID,
    "网格": Kind.GRID,
    "estate": Kind.ESTATE,
    "小区": Kind.ESTATE,
    "居民小区": Kind.ESTATE,
    "building": Kind.BUILDING,
    "楼栋": Kind.BUILDING,
    "楼": Kind.BUILDING,
    "栋": Kind.BUILDING,
    "楼宇": Kind.BUILDING,
    "unit": Kind.UNIT,
    "单元": Kind.UNIT,
}


def kind_cell(value: Any) -> str:
    text = squash(text_cell(value)).replace("（", "(").replace("）", ")")
    if not text:
        return ""
    kind = KIND_WORDS.get(text)
    if kind is None:
        raise RowError(
            _("Unknown kind “%(value)s”: use 市、区(县)、街道(乡镇)、社区(村)、网格、小区、楼栋 or 单元.")
            % {"value": value}
        )
    return str(kind)


# The word a template writes for each kind.
SAMPLE_KIND_WORDS = [
    (Kind.CITY, "市"),
    (Kind.DISTRICT, "区"),
    (Kind.STREET, "街道"),
    (Kind.COMMUNITY, "社区"),
    (Kind.GRID, "网格"),
    (Kind.ESTATE, "小区"),
    (Kind.BUILDING, "楼栋"),
    (Kind.UNIT, "单元"),
]
accepts(
    kind_cell, lambda: _("One of: %(names)s.") % {"names": "市、区(县)、街道(乡镇)、社区(村)、网格、小区、楼栋、单元"}
)


class NodeImporter(Importer):
    model = Node
    sheet_name = "territory"
    columns = [
        Column(
            "name",
            "名称",
            ("地名", "节点名称", "名字", "name"),
            required=True,
            example="和平社区",
            meaning=gettext_lazy("The place's name; under the same parent, a place of that name is updated."),
        ),
        Column(
            "kind",
            "类型",
            ("层级", "级别", "类别", "kind"),
            required=True,
            parse=kind_cell,
            example="社区",
            meaning=gettext_lazy("Its level in the tree, one below its parent's."),
        ),
        Column(
            "code",
            "编码",
            ("区划代码", "统计用区划代码", "代码", "code"),
            parse=alnum_code_cell,
            example="110101001001",
            meaning=gettext_lazy("The official division or statistical code; a place with this code is updated."),
        ),
        Column(
            "parent_code",
            "上级编码",
            ("上级代码", "父级编码", "parent code"),
            parse=alnum_code_cell,
            example="110101001",
            meaning=gettext_lazy("The code of the place it belongs to (a place in your area, or a row of the file)."),
        ),
        Column(
            "parent_path",
            "上级",
            ("上级名称", "上级路径", "所属", "parent"),
            example="示范市/东城区/和平街道",
            meaning=gettext_lazy("Or the place it belongs to, by its names from the city down, separated by /."),
        ),
        Column(
            "longitude",
            "经度",
            ("longitude", "lng"),
            parse=float_cell,
            example=116.41,
            meaning=gettext_lazy("Longitude of its centre, in degrees (−180 to 180)."),
        ),
        Column(
            "latitude",
            "纬度",
            ("latitude", "lat"),
            parse=float_cell,
            example=39.91,
            meaning=gettext_lazy("Latitude of its centre, in degrees (−90 to 90)."),
        ),
    ]

    # The name of a new place of each kind in a template's sample row ({n}: the first number free there).
    SAMPLE_NAMES = {
        Kind.DISTRICT: "新区{n}",
        Kind.STREET: "新街道{n}",
        Kind.COMMUNITY: "新社区{n}",
        Kind.GRID: "第{n}网格",
        Kind.ESTATE: "新小区{n}",
        Kind.BUILDING: "{n}号楼",
        Kind.UNIT: "{n}单元",
    }

    def sample(self) -> dict[str, Any]:
        """A new place under one of the user's area: a grid in a community (or a level below what there is)."""
        from shequ.territory import samples

        row = super().sample()
        parent = samples.first_of(self.user, Node, (Kind.COMMUNITY, Kind.STREET, Kind.DISTRICT, Kind.CITY), "add")
        if parent is None:
            return row
        kind = Kind(KIND_ORDER[KIND_ORDER.index(parent.kind) + 1])
        row.update(
            name=samples.free_name(parent, self.SAMPLE_NAMES[kind]),
            kind=dict(SAMPLE_KIND_WORDS)[kind],
            code="",
            parent_code=parent.code or "",
            parent_path=samples.names_below(None, parent),
            longitude=parent.longitude if parent.longitude is not None else "",
            latitude=parent.latitude if parent.latitude is not None else "",
        )
        return row

    def _scope(self) -> Any:
        return Node.objects.restrict(self.user, "add").filter(retired=False)

    def _by_path(self, names: str) -> Node | None:
        parts = [p.strip() for p in names.replace("\\", "/").replace(">", "/").split("/") if p.strip()]
        parent: Node | None = None
        for name in parts:
            qs = Node.objects.filter(parent=parent, name=name)
            parent = qs.first()
            if parent is None:
                return None
        return parent

    def validate(self, rows: list[Row]) -> None:
        by_code: dict[str, Row] = {}
        for row in rows:
            code = row.values.get("code")
            if code:
                if code in by_code:
                    row.error = _("The code %(code)s appears twice in the file (row %(row)d).") % {
                        "code": code,
                        "row": by_code[code].number,
                    }
                    continue
                by_code[code] = row
        in_scope = self._scope()
        existing_codes = {
            n.code: n
            for n in Node.objects.filter(code__in=[r.values.get("code") for r in rows if r.values.get("code")])
        }
        # Resolve parents: a row of the file, an existing node (by code or names), or the chosen node.
        for row in rows:
            if row.error:
                continue
            values = row.values
            parent_code, parent_path = values.get("parent_code"), values.get("parent_path")
            row.cleaned = {
                "parent_row": None,
                "parent": None,
                "existing": existing_codes.get(values.get("code") or ""),
            }
            if parent_code and parent_code in by_code:
                row.cleaned["parent_row"] = by_code[parent_code]
            elif parent_code:
                parent = in_scope.filter(code=parent_code).first()
                if parent is None:
                    row.error = _("No place with the parent code %(code)s in your area.") % {"code": parent_code}
                    continue
                row.cleaned["parent"] = parent
            elif parent_path:
                parent = self._by_path(parent_path)
                if parent is None or not in_scope.filter(pk=parent.pk).exists():
                    row.error = _("No place “%(path)s” in your area.") % {"path": parent_path}
                    continue
                row.cleaned["parent"] = parent
            elif self.node is not None and values["kind"] != Kind.CITY:
                row.cleaned["parent"] = self.node
            elif values["kind"] != Kind.CITY:
                row.error = _("Give the parent's code or its path of names.")
                continue
            elif not getattr(self.user, "is_superuser", False):
                row.error = _("Only a system administrator may create a city.")
                continue
        _propagate(rows)
        siblings: dict[tuple, int] = {}
        for row in rows:
            if row.error:
                continue
            cleaned, values = row.cleaned, row.values
            parent_row = cleaned["parent_row"]
            parent = _Stub(parent_row.values["kind"], parent_row.values["name"]) if parent_row else cleaned["parent"]
            try:
                validate_placement(values["kind"], parent)
            except ActionError as exc:
                row.error = "；".join(exc.messages)
                continue
            existing = cleaned["existing"]
            if existing is not None:
                if not in_scope.filter(pk=existing.pk).exists():
                    row.error = _("The code %(code)s belongs to a place outside your area.") % {"code": values["code"]}
                    continue
                if existing.kind != values["kind"]:
                    row.error = _("The code %(code)s is already a %(kind)s.") % {
                        "code": values["code"],
                        "kind": existing.get_kind_display(),
                    }
                    continue
            key = (
                id(cleaned["parent_row"]) if cleaned["parent_row"] else getattr(cleaned["parent"], "pk", None),
                values["name"],
            )
            if key in siblings:
                row.error = _("“%(name)s” appears twice under the same parent (row %(row)d).") % {
                    "name": values["name"],
                    "row": siblings[key],
                }
                continue
            siblings[key] = row.number
        _propagate(rows)

    def _match(self, row: Row, parent: Node | None) -> Node | None:
        if row.cleaned["existing"] is not None:
            return row.cleaned["existing"]
        if parent is None or parent.pk is None:
            return None
        return Node.objects.filter(parent=parent, name=row.values["name"]).first()

    @staticmethod
    def _changes(node: Node, values: dict[str, Any]) -> dict[str, Any]:
        changes = {}
        for key in ("name", "code", "latitude", "longitude"):
            value = values.get(key)
            if value in (None, ""):
                continue
            if getattr(node, key) != value:
                changes[key] = value
        return changes

    def preview(self, rows: list[Row], result: ImportResult) -> None:
        # Parents first, as apply goes: a row under a row of the file is matched under what that row matched.
        matched: dict[int, Node | None] = {}
        for row in sorted(rows, key=lambda r: (KIND_ORDER.index(r.values["kind"]), r.number)):
            parent_row = row.cleaned["parent_row"]
            parent = matched.get(id(parent_row)) if parent_row is not None else row.cleaned["parent"]
            node = matched[id(row)] = self._match(row, parent)
            if node is None:
                result.created += 1
            elif self._changes(node, row.values):
                result.updated += 1
            else:
                result.unchanged += 1

    def apply(self, rows: list[Row], result: ImportResult) -> None:
        made: dict[int, Node] = {}
        for row in sorted(rows, key=lambda r: (KIND_ORDER.index(r.values["kind"]), r.number)):
            parent_row = row.cleaned["parent_row"]
            parent = made[id(parent_row)] if parent_row is not None else row.cleaned["parent"]
            values = row.values
            node = self._match(row, parent)
            if node is None:
                node = do_create_node(
                    acting_user=self.user,
                    parent=parent,
                    kind=values["kind"],
                    name=values["name"],
                    code=values.get("code") or None,
                    latitude=values.get("latitude"),
                    longitude=values.get("longitude"),
                )
                result.created += 1
            else:
                changes = self._changes(node, values)
                if changes:
                    node = do_update_node(node, acting_user=self.user, **changes)
                    result.updated += 1
                else:
                    result.unchanged += 1
            made[id(row)] = node


def _propagate(rows: list[Row]) -> None:
    """A row whose parent row was rejected is rejected too, down the whole tree."""
    changed = True
    while changed:
        changed = False
        for row in rows:
            if row.error or row.cleaned is None:
                continue
            parent_row = row.cleaned["parent_row"]
            if parent_row is not None and parent_row.error:
                row.error = _("Its parent (row %(row)d) was rejected.") % {"row": parent_row.number}
                changed = True


class _Stub:
    """Enough of a Node for ``validate_placement`` when the parent is still a row of the file."""

    def __init__(self, kind: str, name: str) -> None:
        self.kind, self.name = kind, name
