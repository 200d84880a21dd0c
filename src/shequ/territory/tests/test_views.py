from __future__ import annotations

from typing import Any

from shequ.core.testing import APITestMixin, ViewSetTestMixin, WorldTestCase
from shequ.territory.actions import do_create_node
from shequ.territory.models import Kind, Node
from shequ.territory.views import NodeViewSet


class NodeData:
    world: Any
    _n = 0

    def make_object(self, node: Node) -> Node:
        NodeData._n += 1
        parent = self.world.community_a if node == self.world.street_a else self.world.community_b
        return do_create_node(
            acting_user=self.world.admin, parent=parent, kind=Kind.GRID, name=f"网格{NodeData._n:03d}"
        )

    def create_data(self, node: Node) -> dict[str, Any]:
        parent = self.world.community_a if node == self.world.street_a else self.world.community_b
        return {
            "parent": parent.pk,
            "kind": "grid",
            "name": "新网格",
            "code": "",
            "latitude": "",
            "longitude": "",
        }

    def edit_data(self, obj: Node) -> dict[str, Any]:
        return {"name": obj.name + "（改）", "code": "", "latitude": "30.5", "longitude": "114.3"}

    def changed(self, obj: Node) -> bool:
        return obj.name.endswith("（改）")

    def export_key(self, obj: Node) -> str:
        return obj.name

    def import_rows(self, node: Node) -> list[list[Any]]:
        return [
            ["名称", "类型", "上级编码", "经度", "纬度"],
            ["导入网格一", "网格", "990101001001", 114.3, 30.5],
            ["导入网格二", "网格", "990101001001", None, None],
        ]

    def imported(self, node: Node) -> Any:
        return Node.objects.within(node.path).filter(name__startswith="导入网格")


class NodeViewTests(NodeData, ViewSetTestMixin, WorldTestCase):
    viewset = NodeViewSet


class NodeAPITests(NodeData, APITestMixin, WorldTestCase):
    endpoint = "/api/v1/nodes/"
    model = Node

    def create_payload(self, node: Node) -> dict[str, Any]:
        parent = self.world.community_a if node == self.world.street_a else self.world.community_b
        return {"parent_id": parent.pk, "kind": "grid", "name": "接口网格"}

    def patch_payload(self, obj: Node) -> dict[str, Any]:
        return {"name": obj.name + "（改）"}
