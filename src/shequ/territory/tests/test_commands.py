"""``shequ import nodes`` / ``shequ export nodes`` (also ``territory``): the inherited set."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from shequ.core.testing import CommandTestMixin, WorldTestCase
from shequ.territory.tests.test_views import NodeData


class NodeCommandTests(NodeData, CommandTestMixin, WorldTestCase):
    command_kind = "nodes"

    def export_extra_headers(self) -> list[str]:
        return [_("Retired")]

    def test_a_new_community_with_a_grid_under_it_and_the_other_name(self) -> None:
        rows: list[list[Any]] = [
            ["名称", "类型", "编码", "上级编码"],
            ["命令社区", "社区", "990101001009", "990101001"],
            ["命令网格", "网格", None, "990101001009"],
        ]
        path = self.sheet(rows)
        dry = self.command("import", "territory", path, "--user", "officer_a", "--dry-run")
        self.assertEqual(dry["created"], 2, dry)
        self.assertEqual(self.command("import", "territory", path, "--user", "officer_a")["created"], 2)
        # Dry run and apply agree: the grid is matched under the community of the same file.
        for extra in ("--dry-run",), ():
            again = self.command("import", "nodes", path, "--user", "officer_a", *extra)
            self.assertEqual((again["created"], again["unchanged"]), (0, 2), again)
