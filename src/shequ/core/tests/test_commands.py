"""``shequ import`` / ``shequ export``: what every kind shares (each app's tests inherit
``core.testing.CommandTestMixin`` for its own kinds)."""

from __future__ import annotations

from django.core.management.base import CommandError
from django.utils import translation

from shequ.core.importing import COMMAND_NAMES
from shequ.core.testing import CommandCallMixin, WorldTestCase


class CommandErrorTests(CommandCallMixin, WorldTestCase):
    def test_every_kind_with_an_importer_has_a_name(self) -> None:
        self.assertEqual(
            {k: COMMAND_NAMES[k] for k in ("residents", "households", "organizations", "posts", "nodes", "territory")},
            {
                "residents": "people.resident",
                "households": "people.household",
                "organizations": "orgs.organization",
                "posts": "orgs.post",
                "nodes": "territory.node",
                "territory": "territory.node",
            },
        )

    def test_clear_messages(self) -> None:
        path = self.sheet([["名称"], ["x"]])
        with self.assertRaises(CommandError) as caught:
            self.command("import", "martians", path)
        message = str(caught.exception)
        self.assertTrue(message.startswith("Unknown kind 'martians': one of "), message)
        for kind in ("households", "nodes", "organizations", "posts", "residents", "territory"):
            self.assertIn(kind, message)
        with self.assertRaisesMessage(CommandError, "Unknown kind 'martians'"):
            self.command("export", "martians", "-o", path)
        with self.assertRaisesMessage(CommandError, "No file /nonexistent/x.xlsx."):
            self.command("import", "nodes", "/nonexistent/x.xlsx")
        with self.assertRaisesMessage(CommandError, "No active user 'ghost'."):
            self.command("import", "nodes", path, "--user", "ghost")
        with self.assertRaisesMessage(CommandError, "No place with the code '123' in the area of root."):
            self.command("import", "nodes", path, "--node", "123")
        with self.assertRaisesMessage(CommandError, "auditor_a may not import organizations."):
            self.command("import", "organizations", path, "--user", "auditor_a")
        with translation.override("en"), self.assertRaisesMessage(CommandError, "No header row found"):
            self.command("import", "nodes", self.sheet([["甲"], ["乙"]]))
