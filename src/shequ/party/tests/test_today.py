"""Issue 17: the home page's "development steps due" and "probations ended" each link to the list of exactly the
records they count (the development list's ``due`` filter, the member list's ``probation_ended`` filter), for a
street officer and for a branch secretary, and both follow the pipeline's steps."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any, ClassVar

from django.urls import reverse
from django.utils import timezone

from shequ.accounts.actions import do_grant
from shequ.accounts.models import User
from shequ.core.testing import WorldTestCase
from shequ.party import actions
from shequ.party.models import DevelopmentRecord, MemberStatus, PartyMember

from .helpers import DevelopmentStages, PartyTree, member


class HomeEntriesListWhatTheyCount(WorldTestCase):
    tree: ClassVar[PartyTree]
    secretary: ClassVar[User]
    applicant: ClassVar[DevelopmentRecord]
    ended: ClassVar[PartyMember]

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        w = cls.world
        cls.tree = PartyTree(w)
        today = timezone.localdate()
        stages = DevelopmentStages(w, cls.tree, 900)
        applicant = stages.register
        cls.applicant = stages.applicant
        stopped = applicant("已终止", cls.tree.branch_a, date(2021, 1, 1))
        actions.do_stop_development(stopped, acting_user=w.admin, on=date(2021, 6, 1), reason="本人撤回")
        applicant("外街申请人", cls.tree.branch_b, today - timedelta(days=10))
        probationary = MemberStatus.PROBATIONARY
        cls.ended = member(
            w, cls.tree.grid_branch_a, name="期满预备党员", status=probationary, joined_on=today - timedelta(days=400)
        )
        member(w, cls.tree.branch_a, name="新预备党员", status=probationary, joined_on=today - timedelta(days=30))
        member(w, cls.tree.branch_b, name="外街预备党员", status=probationary, joined_on=today - timedelta(days=400))
        cls.secretary = User.objects.create_user("today_secretary", password="x-pass-123", node=w.community_a)
        do_grant(cls.secretary, "branch_secretary", None, acting_user=w.admin, organization=cls.tree.branch_a)

    def entries(self, user: User) -> dict[str, Any]:
        self.login(user)
        home = self.client.get(reverse("home"))
        self.assertEqual(home.status_code, 200)
        return {t.key: t for t in home.context["todos"]}

    def listed(self, url: str) -> set[str]:
        page = self.client.get(url)
        self.assertEqual(page.status_code, 200, url)
        table = page.context["table"]
        self.assertEqual(table.paginator.count, len(table.page.object_list), url)
        return {row.record.name for row in table.page.object_list}

    def test_street_officer(self) -> None:
        todo = self.entries(self.world.officer_a)
        due = todo["party.development_due"]
        self.assertEqual(due.url, reverse("party:developmentrecord_list") + "?due=true")
        # Not the activist of a month, the stopped record, the other street's applicant.
        self.assertEqual(self.listed(due.url), {"申请人", "老积极分子", "发展对象"})
        self.assertEqual(due.count, 3)
        ended = todo["party.probations_ended"]
        self.assertEqual(ended.url, reverse("party:partymember_list") + "?probation_ended=true")
        self.assertEqual(self.listed(ended.url), {"期满预备党员"})  # not the new one, not the other street's
        self.assertEqual(ended.count, 1)
        self.assertTrue(ended.urgent)
        # The filter's other side: the rest of the list.
        rest = self.listed(reverse("party:developmentrecord_list") + "?due=false")
        self.assertEqual(rest, {"新积极分子", "已终止"})

    def test_branch_secretary_sees_their_branch_only(self) -> None:
        todo = self.entries(self.secretary)
        due = todo["party.development_due"]
        self.assertEqual(due.count, 2)
        self.assertEqual(self.listed(due.url), {"申请人", "老积极分子"})
        self.assertNotIn("party.probations_ended", todo)  # the ended probation is in the grid branch
        self.assertEqual(self.listed(reverse("party:partymember_list") + "?probation_ended=true"), set())

    def test_counts_follow_the_steps(self) -> None:
        today = timezone.localdate()
        contact = PartyMember.objects.get(name="联系人")
        actions.do_make_activist(self.applicant, acting_user=self.world.admin, on=today, contacts=[contact])
        actions.do_convert(self.ended, acting_user=self.world.admin, decided_on=today)
        todo = self.entries(self.world.officer_a)
        self.assertEqual(todo["party.development_due"].count, 2)
        self.assertEqual(self.listed(todo["party.development_due"].url), {"老积极分子", "发展对象"})
        self.assertNotIn("party.probations_ended", todo)
        self.assertEqual(self.listed(reverse("party:partymember_list") + "?probation_ended=true"), set())

    def test_no_entry_without_rights(self) -> None:
        todo = self.entries(self.world.nobody)
        self.assertNotIn("party.development_due", todo)
        self.assertNotIn("party.probations_ended", todo)
