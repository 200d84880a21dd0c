"""``shequ import`` / ``shequ export`` of organizations and posts (the inherited set)."""

from __future__ import annotations

from pathlib import Path

from shequ.core.testing import CommandTestMixin, WorldTestCase, xlsx_rows
from shequ.orgs.models import OrgKind, Title
from shequ.orgs.tests.test_views import OrganizationData, PostData

from .helpers import org, post, resident


class OrganizationCommandTests(OrganizationData, CommandTestMixin, WorldTestCase):
    command_kind = "organizations"

    def test_a_party_tree_and_a_property_company_round_trip(self) -> None:
        w = self.world
        party = org(w.community_a, OrgKind.COMMUNITY_COMMITTEE, "和平社区党委")
        org(w.grid_a, OrgKind.BRANCH, "第1网格党支部", parent=party)
        target = self.sheet([["x"]], "orgs.xlsx")
        out = self.command("export", "organizations", "--node", w.community_a.code, "-o", target)
        self.assertEqual(out["exported"], 2)
        rows = xlsx_rows(Path(target).read_bytes())
        self.assertIn("和平社区党委", [r[4] for r in rows])  # the branch's parent, by name
        again = self.command("import", "organizations", target, "--user", "officer_a")
        self.assertEqual((again["unchanged"], again["rejected"]), (2, 0), again)


class PostCommandTests(PostData, CommandTestMixin, WorldTestCase):
    command_kind = "posts"

    def test_identity_numbers_are_masked_unless_the_role_allows_them(self) -> None:
        from shequ.people.tests.helpers import make_id

        number = make_id(seq=975)
        person = resident(self.world.community_a, "任命人", number)
        post(self.organization(self.world.street_a), Title.DIRECTOR, person=person)
        target = self.sheet([["x"]], "posts.xlsx")
        for user, shown in (("officer_a", number[:6] + "********" + number[-4:]), ("root", number)):
            self.command("export", "posts", "--node", self.world.community_a.code, "-o", target, "--user", user)
            rows = xlsx_rows(Path(target).read_bytes())
            self.assertEqual(rows[1][:2], ["任命人", shown])
            # Either file imports back unchanged (a masked number finds the resident by name and mask).
            again = self.command("import", "posts", target, "--user", user)
            self.assertEqual((again["unchanged"], again["rejected"]), (1, 0), again)
