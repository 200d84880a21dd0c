""" "A branch secretary sees their branch only" (issue 4), where it is hard: several party organizations on
one place.  In the community 和平社区 sit the community committee, a general branch with two branches under
it, and a sibling branch — all on the same node.  A secretary granted the first branch sees its members
and nothing of the others, on every path; the general branch's secretary sees the general branch and the
two branches under it."""

from __future__ import annotations

from datetime import date
from typing import Any, ClassVar

from django.urls import reverse

from shequ.accounts.actions import do_grant
from shequ.accounts.models import APIToken, Grant, User
from shequ.core.exceptions import ActionError, NotFound
from shequ.core.testing import WorldTestCase, streamed, xlsx_rows
from shequ.orgs.models import Organization, OrgKind
from shequ.party import actions
from shequ.party.models import (
    CommunityReport,
    DevelopmentRecord,
    DuesPayment,
    MemberEvent,
    PartyMember,
    RelationTransfer,
    ReportActivity,
)
from shequ.party.stats import compute

from .helpers import PartyTree, member, org


class BranchScopeTests(WorldTestCase):
    tree: ClassVar[PartyTree]
    general: ClassVar[Organization]
    first: ClassVar[Organization]
    second: ClassVar[Organization]
    secretary: ClassVar[User]
    general_secretary: ClassVar[User]
    mine: ClassVar[PartyMember]
    sibling: ClassVar[PartyMember]
    neighbour: ClassVar[PartyMember]
    committee_member: ClassVar[PartyMember]
    general_member: ClassVar[PartyMember]

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        w = cls.world
        cls.tree = PartyTree(w)
        cls.general = org(w.community_a, OrgKind.GENERAL_BRANCH, "和平社区党总支", cls.tree.committee_a)
        cls.first = org(w.community_a, OrgKind.BRANCH, "和平社区第二党支部", cls.general)
        cls.second = org(w.community_a, OrgKind.BRANCH, "和平社区第三党支部", cls.general)
        cls.secretary = User.objects.create_user("b_secretary", password="x-pass-123", node=w.community_a)
        do_grant(cls.secretary, "branch_secretary", None, acting_user=w.admin, organization=cls.first)
        cls.general_secretary = User.objects.create_user("g_secretary", password="x-pass-123", node=w.community_a)
        do_grant(cls.general_secretary, "branch_secretary", None, acting_user=w.admin, organization=cls.general)
        cls.mine = member(w, cls.first, name="本支部党员", dues_base="4000")
        cls.sibling = member(w, cls.second, name="兄弟支部党员", dues_base="4000")
        cls.neighbour = member(w, cls.tree.branch_a, name="邻支部党员", dues_base="4000")
        cls.committee_member = member(w, cls.tree.committee_a, name="党委直属党员", dues_base="4000")
        cls.general_member = member(w, cls.general, name="总支直属党员", dues_base="4000")
        for m in (cls.mine, cls.sibling, cls.neighbour):
            actions.do_record_dues(m, acting_user=w.admin, month=date(date.today().year, 1, 1))
            actions.do_add_event(m, acting_user=w.admin, kind="honour", on=date(2020, 7, 1), title=f"{m.name}的表彰")

    others = ("兄弟支部党员", "邻支部党员", "党委直属党员", "总支直属党员")

    def key(self, user: User) -> str:
        return APIToken.issue(user)[1]

    def test_the_grant_names_the_branch(self) -> None:
        with self.assertRaises(ActionError):
            do_grant(self.secretary, "branch_secretary", self.world.community_a, acting_user=self.world.admin)
        with self.assertRaises(ActionError):  # a place role is not given for an organization
            do_grant(self.secretary, "auditor", None, acting_user=self.world.admin, organization=self.first)

    def test_a_grant_without_its_branch_reaches_no_member(self) -> None:
        # Written around do_grant (which refuses it), as an old or hand-made row would be.
        orphan = User.objects.create_user("orphan", password="x-pass-123", node=self.world.community_a)
        Grant.objects.create(user=orphan, role="branch_secretary", node=self.world.community_a)
        self.assertFalse(PartyMember.objects.restrict(orphan, "view").exists())
        self.assertFalse(DuesPayment.objects.restrict(orphan, "view").exists())
        self.client.force_login(orphan)
        page = self.client.get(reverse("party:partymember_list"))
        for name in ("本支部党员", *self.others):
            self.assertNotContains(page, name, status_code=page.status_code)
        self.assertEqual(self.client.get(self.mine.get_absolute_url()).status_code, 404)

    def test_querysets(self) -> None:
        names = set(PartyMember.objects.restrict(self.secretary, "view").values_list("name", flat=True))
        self.assertEqual(names, {"本支部党员"})
        wider = set(PartyMember.objects.restrict(self.general_secretary, "view").values_list("name", flat=True))
        self.assertEqual(wider, {"本支部党员", "兄弟支部党员", "总支直属党员"})
        self.assertEqual(
            set(DuesPayment.objects.restrict(self.secretary, "view").values_list("member__name", flat=True)),
            {"本支部党员"},
        )
        self.assertEqual(
            set(MemberEvent.objects.restrict(self.secretary, "view").values_list("member__name", flat=True)),
            {"本支部党员"},
        )
        # Choices of organizations for a new member: their own only (not every organization on the place).
        self.assertEqual(
            set(Organization.objects.restrict(self.secretary, "add", perm_model=PartyMember)),
            {self.first},
        )

    def test_list_search_detail_export(self) -> None:
        self.login(self.secretary)
        listing = self.client.get(reverse("party:partymember_list"))
        self.assertContains(listing, "本支部党员")
        for name in self.others:
            self.assertNotContains(listing, name)
        self.assertNotContains(self.client.get(reverse("party:partymember_list"), {"q": "兄弟"}), "兄弟支部党员")
        self.assertNotContains(
            self.client.get(reverse("party:partymember_list"), {"organization": self.second.pk}), "兄弟支部党员"
        )
        self.assertEqual(self.client.get(self.mine.get_absolute_url()).status_code, 200)
        for m in (self.sibling, self.neighbour, self.committee_member):
            self.assertEqual(self.client.get(m.get_absolute_url()).status_code, 404)
            self.assertEqual(self.client.get(reverse("party:member_dues", args=[m.pk])).status_code, 404)
        names = {
            str(c) for row in xlsx_rows(streamed(self.client.get(reverse("party:partymember_export")))) for c in row
        }
        self.assertIn("本支部党员", names)
        self.assertFalse(names & set(self.others))
        dues = self.client.get(reverse("party:duespayment_list"))
        self.assertContains(dues, "本支部党员")
        self.assertNotContains(dues, "兄弟支部党员")
        self.assertNotContains(self.client.get(reverse("party:member_pick"), {"q": "兄弟"}), "兄弟支部党员")
        self.assertNotContains(self.client.get(reverse("party:org_pick"), {"q": "和平"}), "第三党支部")

    def test_arrears_due_statistics(self) -> None:
        self.login(self.secretary)
        arrears = self.client.get(reverse("party:arrears"))
        self.assertContains(arrears, "本支部党员")
        for name in self.others:
            self.assertNotContains(arrears, name)
        self.assertEqual(self.client.get(reverse("party:arrears"), {"organization": self.second.pk}).status_code, 404)
        stats = compute(self.world.community_a, self.secretary)
        self.assertEqual(stats.total, 1)
        self.assertEqual({org.pk for _d, org, _own, _sub in stats.tree}, {self.first.pk})
        page = self.client.get(reverse("party:stats"))
        self.assertNotContains(page, "第三党支部")
        wide = compute(self.world.community_a, self.general_secretary)
        self.assertEqual(wide.total, 3)
        rows = {org.pk: (own, sub) for _d, org, own, sub in wide.tree}
        self.assertEqual(rows[self.general.pk], (1, 3))
        self.assertNotIn(self.tree.branch_a.pk, rows)

    def test_api(self) -> None:
        headers = {"Authorization": f"Bearer {self.key(self.secretary)}"}

        def get(path: str, data: dict[str, int] | None = None) -> Any:
            return self.client.get(path, data, headers=headers)

        listing = get("/api/v1/party/members/").json()
        self.assertEqual(({i["id"] for i in listing["items"]}, listing["count"]), ({self.mine.pk}, 1))
        self.assertEqual(get(f"/api/v1/party/members/{self.sibling.pk}").status_code, 404)
        self.assertEqual(get(f"/api/v1/party/members/{self.sibling.pk}/timeline").status_code, 404)
        self.assertEqual(get("/api/v1/party/dues/").json()["count"], 1)
        stats = get("/api/v1/party/statistics", {"node": self.world.community_a.pk}).json()
        self.assertEqual(stats["total"], 1)

    def test_writes_only_in_the_branch(self) -> None:
        actions.do_update_member(self.mine, acting_user=self.secretary, phone="13812345678")
        for m in (self.sibling, self.neighbour, self.committee_member):
            with self.assertRaises(NotFound):
                actions.do_update_member(m, acting_user=self.secretary, phone="13812345678")
            with self.assertRaises(NotFound):
                actions.do_record_dues(m, acting_user=self.secretary, month=date(2024, 1, 1))
        with self.assertRaises(NotFound):  # a new member in a sibling branch on the same place
            actions.do_create_member(
                acting_user=self.secretary,
                organization=self.second,
                name="越权党员",
                status="full",
                joined_on=date(2010, 7, 1),
                converted_on=date(2011, 7, 1),
                category="retired",
            )
        with self.assertRaises(NotFound):
            actions.do_register_applicant(
                acting_user=self.secretary,
                organization=self.second,
                name="越权申请人",
                applied_on=date(2024, 1, 1),
                birth_date=date(1990, 1, 1),
            )
        record = actions.do_register_applicant(
            acting_user=self.secretary,
            organization=self.first,
            name="本支部申请人",
            applied_on=date(2024, 1, 1),
            birth_date=date(1990, 1, 1),
        )
        self.assertEqual(list(DevelopmentRecord.objects.restrict(self.secretary, "view")), [record])
        self.assertFalse(DevelopmentRecord.objects.restrict(self.secretary, "view").filter(organization=self.second))

    def test_transfer_between_branches_of_one_place(self) -> None:
        """A transfer from the first to the second branch (one place): both secretaries see it while it is
        open, each acts for their own side only, and once completed the sender sees neither it nor the member."""
        other = User.objects.create_user("c_secretary", password="x-pass-123", node=self.world.community_a)
        do_grant(other, "branch_secretary", None, acting_user=self.world.admin, organization=self.second)
        t = actions.do_request_transfer(self.mine, acting_user=self.secretary, to_org=self.second)
        for user in (self.secretary, other):
            self.assertTrue(RelationTransfer.objects.restrict(user, "view").filter(pk=t.pk).exists())
        outsider = User.objects.create_user("d_secretary", password="x-pass-123", node=self.world.community_a)
        do_grant(outsider, "branch_secretary", None, acting_user=self.world.admin, organization=self.tree.branch_a)
        self.assertFalse(RelationTransfer.objects.restrict(outsider, "view").filter(pk=t.pk).exists())
        with self.assertRaises(NotFound):  # the receiver does not approve for the sender
            actions.do_approve_transfer(t, acting_user=other)
        self.login(other)
        detail = self.client.get(t.get_absolute_url())
        self.assertEqual(detail.status_code, 200)
        self.assertNotContains(detail, reverse("party:transfer_approve", args=[t.pk]))
        self.assertEqual(self.client.get(reverse("party:relationtransfer_list"), {"box": "outbox"}).status_code, 200)
        self.assertNotContains(
            self.client.get(reverse("party:relationtransfer_list"), {"box": "outbox"}), t.get_absolute_url()
        )
        self.assertContains(
            self.client.get(reverse("party:relationtransfer_list"), {"box": "inbox"}), t.get_absolute_url()
        )
        actions.do_approve_transfer(t, acting_user=self.secretary)
        with self.assertRaises(NotFound):  # the sender does not accept for the receiver
            actions.do_accept_transfer(t, acting_user=self.secretary)
        actions.do_accept_transfer(t, acting_user=other)
        self.assertFalse(RelationTransfer.objects.restrict(self.secretary, "view").filter(pk=t.pk).exists())
        self.assertFalse(PartyMember.objects.restrict(self.secretary, "view").filter(pk=self.mine.pk).exists())
        self.assertFalse(MemberEvent.objects.restrict(self.secretary, "view").filter(member=self.mine).exists())
        self.assertTrue(RelationTransfer.objects.restrict(other, "view").filter(pk=t.pk).exists())
        self.assertTrue(PartyMember.objects.restrict(other, "view").filter(pk=self.mine.pk).exists())
        self.login(self.secretary)
        self.assertEqual(self.client.get(t.get_absolute_url()).status_code, 404)
        self.assertEqual(self.client.get(self.mine.get_absolute_url()).status_code, 404)

    def test_reports_of_the_branch(self) -> None:
        reporter = member(self.world, self.tree.branch_b, name="在职报到党员")
        mine = actions.do_register_report(
            acting_user=self.world.admin, member=reporter, community=self.world.community_a, branch=self.first
        )
        elsewhere_member = member(self.world, self.tree.branch_b, name="报到别支部")
        theirs = actions.do_register_report(
            acting_user=self.world.admin,
            member=elsewhere_member,
            community=self.world.community_a,
            branch=self.second,
        )
        self.assertEqual(list(CommunityReport.objects.restrict(self.secretary, "view")), [mine])
        actions.do_record_activity(mine, acting_user=self.secretary, on=date.today(), title="清扫", hours="2")
        with self.assertRaises(NotFound):
            actions.do_record_activity(theirs, acting_user=self.secretary, on=date.today(), title="清扫", hours="2")
        with self.assertRaises(NotFound):  # registering someone with another branch
            other = member(self.world, self.tree.branch_b, name="另一报到党员")
            actions.do_register_report(
                acting_user=self.secretary, member=other, community=self.world.community_a, branch=self.second
            )
        self.assertEqual(ReportActivity.objects.restrict(self.secretary, "view").count(), 1)
        self.login(self.secretary)
        self.assertEqual(self.client.get(theirs.get_absolute_url()).status_code, 404)
        self.assertEqual(self.client.get(mine.get_absolute_url()).status_code, 200)

    def test_arrears_page_does_not_grow_with_the_members(self) -> None:
        """The arrears page reads one page of members and their payments: as many queries for 5 members as
        for 12, per branch or for the whole area, with the capped count."""
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        self.login(self.world.officer_a)

        def queries(**params: int) -> int:
            with CaptureQueriesContext(connection) as captured:
                response = self.client.get(reverse("party:arrears"), params)
            self.assertEqual(response.status_code, 200)
            return len(captured)

        queries()  # warm-up: the user's grants read once (accounts.authcache)
        before = (queries(), queries(organization=self.first.pk))
        for n in range(7):
            member(self.world, self.first, name=f"补充党员{n}", dues_base="2000")
        self.assertEqual((queries(), queries(organization=self.first.pk)), before)
        page = self.client.get(reverse("party:arrears"), {"organization": self.first.pk})
        self.assertContains(page, "补充党员6")
        self.assertNotContains(page, "兄弟支部党员")
