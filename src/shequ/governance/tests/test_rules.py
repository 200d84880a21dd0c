"""Every rule of issue 14: the four meetings in order with quorum and votes that add up, sending back, the two
publics on the community's public board (nothing personal), disclosure duties overdue on the to-do, the work
access list (only listed matters, versions kept, the district maintains it), funds, the figures."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from django.urls import reverse
from django.utils import timezone

from shequ.core.exceptions import ActionError, FieldErrors, NotFound
from shequ.core.testing import WorldTestCase
from shequ.governance import actions, indicators
from shequ.governance.models import (
    AccessItem,
    AccessList,
    DecisionStatus,
    DecisionStep,
    Disclosure,
    DisclosureKind,
    DisclosureRequirement,
    Frequency,
    GovernanceRules,
    ListStatus,
    QuorumChoice,
    Stage,
    period_end,
)

from .helpers import access_list, make_decision, meeting

TODAY = timezone.localdate


class DecisionRules(WorldTestCase):
    def hold(self, decision, stage, **kwargs):  # type: ignore[no-untyped-def]
        return actions.do_hold_meeting(decision, acting_user=self.world.officer_a, stage=stage, **meeting(**kwargs))

    def test_a_funds_decision_passes_the_four_meetings_in_order_and_is_published(self) -> None:
        decision = make_decision(self.world, self.world.community_a)
        for stage, state in (
            (Stage.PROPOSAL, DecisionStatus.PROPOSED),
            (Stage.DISCUSSION, DecisionStatus.DISCUSSED),
            (Stage.REVIEW, DecisionStatus.REVIEWED),
            (Stage.RESOLUTION, DecisionStatus.DECIDED),
        ):
            decision = self.hold(decision, stage)
            self.assertEqual(decision.status, state)
        self.assertEqual(decision.steps.filter(adopted=True).count(), 4)
        published = Disclosure.objects.get(decision=decision, kind=DisclosureKind.RESOLUTION)
        self.assertEqual(published.expires_on, TODAY() + timedelta(days=7), "public for the default 7 days")
        self.assertIn("同意实施", published.body)
        board = self.client.get(reverse("governance:board", args=[self.world.community_a.pk]))
        self.assertContains(board, decision.title)
        other = self.client.get(reverse("governance:board", args=[self.world.community_b.pk]))
        self.assertNotContains(other, decision.title)

    def test_the_community_sets_the_publicity_period_and_quorums(self) -> None:
        GovernanceRules.objects.create(
            node=self.world.community_a, publicity_days=10, resolution_quorum=QuorumChoice.THREE_QUARTERS
        )
        decision = make_decision(self.world, self.world.community_a, DecisionStatus.REVIEWED)
        with self.assertRaises(ActionError) as refused:
            self.hold(decision, Stage.RESOLUTION, entitled=40, present=29, votes=(20, 5, 4))
        self.assertEqual(refused.exception.code, "no_quorum")
        self.assertIn("30", refused.exception.messages[0], "says how many are needed")
        decided = self.hold(decision, Stage.RESOLUTION, entitled=40, present=30, votes=(20, 5, 5))
        self.assertEqual(decided.public_until, TODAY() + timedelta(days=10))

    def test_a_step_out_of_order_is_refused_and_nothing_written(self) -> None:
        decision = make_decision(self.world, self.world.community_a)
        for stage in (Stage.DISCUSSION, Stage.REVIEW, Stage.RESOLUTION):
            with self.subTest(stage=stage), self.assertRaises(ActionError) as refused:
                self.hold(decision, stage)
            self.assertEqual(refused.exception.code, "wrong_status")
        proposed = self.hold(decision, Stage.PROPOSAL)
        with self.assertRaises(ActionError):
            self.hold(proposed, Stage.PROPOSAL)
        with self.assertRaises(ActionError):
            self.hold(proposed, Stage.REVIEW)
        self.assertEqual(DecisionStep.objects.filter(decision=decision).count(), 1)

    def test_a_meeting_without_quorum_is_refused(self) -> None:
        reviewed = make_decision(self.world, self.world.community_a, DecisionStatus.DISCUSSED)
        # The party members' meeting: at least half of 60.
        with self.assertRaises(ActionError) as refused:
            self.hold(reviewed, Stage.REVIEW, entitled=60, present=29, votes=(29, 0, 0))
        self.assertEqual(refused.exception.code, "no_quorum")
        reviewed = self.hold(reviewed, Stage.REVIEW, entitled=60, present=30, votes=(30, 0, 0))
        # The residents' representatives: at least two thirds of 30.
        with self.assertRaises(ActionError):
            self.hold(reviewed, Stage.RESOLUTION, entitled=30, present=19, votes=(19, 0, 0))
        self.assertEqual(
            self.hold(reviewed, Stage.RESOLUTION, entitled=30, present=20, votes=(11, 9, 0)).status,
            DecisionStatus.DECIDED,
        )
        self.assertEqual(DecisionStep.objects.filter(decision=reviewed).count(), 4)

    def test_votes_that_do_not_add_up_are_refused(self) -> None:
        decision = make_decision(self.world, self.world.community_a)
        for entitled, present, votes in ((10, 8, (6, 1, 0)), (10, 8, (6, 2, 1)), (10, 11, (11, 0, 0))):
            with self.subTest(votes=votes), self.assertRaises(FieldErrors):
                self.hold(decision, Stage.PROPOSAL, entitled=entitled, present=present, votes=votes)
        decision.refresh_from_db()
        self.assertEqual(decision.status, DecisionStatus.DRAFT)
        self.assertFalse(DecisionStep.objects.exists())

    def test_the_page_says_why_votes_do_not_add_up(self) -> None:
        decision = make_decision(self.world, self.world.community_a)
        self.login(self.world.officer_a)
        data = {**meeting(), "votes_for": 1}
        data["held_on"] = data["held_on"].isoformat()
        url = reverse("governance:decision_step", args=[decision.pk, "proposal"])
        response = self.client.post(url, data)
        self.assertEqual(response.status_code, 400)
        self.assertIn("votes_for", response.context["form"].errors)
        data = {**meeting(entitled=10, present=3, votes=(3, 0, 0))}
        data["held_on"] = data["held_on"].isoformat()
        response = self.client.post(url, data)
        self.assertContains(response, "10", status_code=400)
        self.assertFalse(DecisionStep.objects.exists())

    def test_a_meeting_in_the_future_or_before_the_previous_one_is_refused(self) -> None:
        decision = make_decision(self.world, self.world.community_a)
        with self.assertRaises(FieldErrors):
            self.hold(decision, Stage.PROPOSAL, held_on=TODAY() + timedelta(days=1))
        proposed = self.hold(decision, Stage.PROPOSAL, held_on=TODAY() - timedelta(days=3))
        with self.assertRaises(FieldErrors):
            self.hold(proposed, Stage.DISCUSSION, held_on=TODAY() - timedelta(days=5))

    def test_not_adopted_sends_the_matter_back_and_it_may_be_proposed_again(self) -> None:
        decision = make_decision(self.world, self.world.community_a, DecisionStatus.PROPOSED)
        returned = self.hold(decision, Stage.DISCUSSION, votes=(4, 3, 1))
        self.assertEqual(returned.status, DecisionStatus.RETURNED)
        self.assertFalse(returned.steps.get(stage=Stage.DISCUSSION).adopted)
        again = self.hold(returned, Stage.PROPOSAL)
        self.assertEqual(again.status, DecisionStatus.PROPOSED)

    def test_a_meeting_sends_the_matter_back_and_the_proposer_is_told(self) -> None:
        from shequ.core.models import Notification

        decision = make_decision(self.world, self.world.community_a, DecisionStatus.DISCUSSED)
        with self.assertRaises(FieldErrors):
            actions.do_send_back(decision, acting_user=self.world.officer_a, reason=" ")
        returned = actions.do_send_back(decision, acting_user=self.world.officer_a, reason="预算需重新测算")
        self.assertEqual(returned.status, DecisionStatus.RETURNED)
        self.assertIn("预算需重新测算", returned.events.order_by("-id")[0].text)
        told = Notification.objects.filter(user=self.world.admin).order_by("-id").first()
        self.assertIsNotNone(told)
        self.assertIn(decision.title, told.text)  # type: ignore[union-attr]

    def test_a_funds_decision_names_its_amount(self) -> None:
        with self.assertRaises(FieldErrors):
            actions.do_create_decision(
                acting_user=self.world.officer_a,
                node=self.world.community_a,
                title="经费",
                kind="funds",
                description="经费使用",
            )

    def test_a_decision_outside_ones_area_is_not_found(self) -> None:
        theirs = make_decision(self.world, self.world.community_b, DecisionStatus.PROPOSED)
        with self.assertRaises(NotFound):
            self.hold(theirs, Stage.DISCUSSION)
        with self.assertRaises(NotFound):
            actions.do_create_decision(
                acting_user=self.world.officer_a,
                node=self.world.community_b,
                title="x",
                kind="project",
                description="x",
            )

    def test_the_result_is_the_second_public(self) -> None:
        decided = make_decision(self.world, self.world.community_a, DecisionStatus.DECIDED)
        done = actions.do_publish_result(decided, acting_user=self.world.officer_a, result="器材已全部更新。")
        self.assertEqual(done.status, DecisionStatus.DONE)
        self.assertFalse(done.is_open)
        board = self.client.get(reverse("governance:board", args=[self.world.community_a.pk]))
        self.assertContains(board, "器材已全部更新。")


class PublicBoard(WorldTestCase):
    def test_nothing_personal_goes_on_a_public_page(self) -> None:
        for text in ("联系人手机 13912345678", "身份证 11010519491231002X"):
            with self.subTest(text=text), self.assertRaises(FieldErrors):
                actions.do_publish_disclosure(
                    acting_user=self.world.officer_a,
                    node=self.world.community_a,
                    kind=DisclosureKind.RESIDENTS,
                    title="通知",
                    body=text,
                )
        decided = make_decision(self.world, self.world.community_a, DecisionStatus.REVIEWED)
        with self.assertRaises(FieldErrors):
            actions.do_hold_meeting(
                decided,
                acting_user=self.world.officer_a,
                stage=Stage.RESOLUTION,
                **meeting(resolution="由张三（13912345678）负责"),
            )
        self.assertFalse(Disclosure.objects.exists())
        self.assertFalse(DecisionStep.objects.filter(stage=Stage.RESOLUTION).exists(), "nothing written")

    def test_the_board_shows_only_what_is_public_now_and_no_minutes(self) -> None:
        decided = make_decision(self.world, self.world.community_a, DecisionStatus.DECIDED, title="广场改造")
        a = self.world.community_a
        actions.do_publish_disclosure(
            acting_user=self.world.admin,
            node=a,
            kind=DisclosureKind.FINANCE,
            title="上季度财务公开",
            body="收支明细",
            published_on=TODAY() - timedelta(days=40),
            expires_on=TODAY() - timedelta(days=1),
        )
        actions.do_publish_disclosure(
            acting_user=self.world.admin, node=a, kind=DisclosureKind.PARTY, title="党费收缴情况", body="已全部收缴"
        )
        self.client.logout()
        page = self.client.get(reverse("governance:board", args=[a.pk]))
        self.assertEqual(page.status_code, 200)
        self.assertContains(page, "广场改造")
        self.assertContains(page, "党费收缴情况")
        self.assertNotContains(page, "上季度财务公开", msg_prefix="expired")
        self.assertNotContains(page, "王书记、李主任", msg_prefix="attendees stay inside")
        self.assertNotContains(page, "会议记录", msg_prefix="minutes stay inside")
        self.assertEqual(decided.steps.count(), 4)
        self.assertEqual(self.client.get(reverse("governance:board", args=[self.world.street_a.pk])).status_code, 404)
        self.assertContains(self.client.get(reverse("governance:board_index")), a.name)


class ResidentsComments(WorldTestCase):
    def test_residents_comment_on_a_public_resolution_seen_by_staff_only(self) -> None:
        decided = make_decision(self.world, self.world.community_a, DecisionStatus.DECIDED)
        published = Disclosure.objects.get(decision=decided, kind=DisclosureKind.RESOLUTION)
        self.client.logout()
        board = reverse("governance:board", args=[self.world.community_a.pk])
        self.assertContains(self.client.get(board), reverse("governance:comment", args=[published.pk]))
        response = self.client.post(
            reverse("governance:comment", args=[published.pk]), {"text": "建议增加夜间照明", "name": "老周"}
        )
        self.assertRedirects(response, board)
        comment = decided.events.get(kind="comment")
        self.assertIn("建议增加夜间照明", comment.text)
        self.assertEqual(comment.actor_label, "老周")
        self.assertNotContains(self.client.get(board), "建议增加夜间照明")
        self.login(self.world.officer_a)
        self.assertContains(self.client.get(decided.get_absolute_url()), "建议增加夜间照明")

    def test_no_comment_once_the_publicity_period_is_over(self) -> None:
        decided = make_decision(self.world, self.world.community_a, DecisionStatus.DECIDED)
        type(decided).objects.filter(pk=decided.pk).update(public_until=TODAY() - timedelta(days=1))
        with self.assertRaises(ActionError) as refused:
            actions.do_comment_resolution(decided, text="晚了")
        self.assertEqual(refused.exception.code, "closed_for_comments")
        self.assertFalse(decided.events.filter(kind="comment").exists())


class DisclosureDuties(WorldTestCase):
    def test_period_ends(self) -> None:
        self.assertEqual(period_end(date(2026, 8, 14), Frequency.QUARTERLY), date(2026, 9, 30))
        self.assertEqual(period_end(date(2026, 12, 4), Frequency.QUARTERLY), date(2026, 12, 31))
        self.assertEqual(period_end(date(2026, 2, 3), Frequency.MONTHLY), date(2026, 2, 28))
        self.assertEqual(period_end(date(2026, 7, 1), Frequency.HALF_YEARLY), date(2026, 12, 31))
        self.assertEqual(period_end(date(2026, 7, 1), Frequency.YEARLY), date(2026, 12, 31))

    def test_an_overdue_disclosure_is_on_the_communitys_to_do_until_published(self) -> None:
        worker = self.world.user("worker_a", "community_worker", self.world.community_a)
        worker_b = self.world.user("worker_b", "community_worker", self.world.community_b)
        duty = actions.do_save_requirement(
            DisclosureRequirement(
                node=self.world.community_a, kind=DisclosureKind.FINANCE, frequency=Frequency.QUARTERLY
            ),
            acting_user=worker,
        )
        DisclosureRequirement.objects.filter(pk=duty.pk).update(next_due=TODAY() - timedelta(days=3))
        self.login(worker)
        home = self.client.get("/")
        self.assertContains(home, reverse("governance:disclosurerequirement_list") + "?overdue=true")
        self.login(worker_b)
        self.assertNotContains(self.client.get("/"), reverse("governance:disclosurerequirement_list") + "?overdue")
        published = actions.do_publish_disclosure(
            acting_user=worker,
            node=self.world.community_a,
            kind=DisclosureKind.FINANCE,
            title="第三季度财务公开",
            body="收支",
        )
        self.assertFalse(published.on_time, "published after its due date")
        duty.refresh_from_db()
        self.assertGreater(duty.next_due, TODAY())
        self.login(worker)
        self.assertNotContains(self.client.get("/"), reverse("governance:disclosurerequirement_list") + "?overdue")
        pairs = indicators.disclosures_on_time([self.world.community_a], TODAY().year)
        self.assertEqual(pairs[self.world.community_a.pk], (0.0, 1.0))

    def test_published_by_its_due_date_is_on_time(self) -> None:
        actions.do_save_requirement(
            DisclosureRequirement(node=self.world.community_a, kind=DisclosureKind.PARTY, frequency=Frequency.MONTHLY),
            acting_user=self.world.admin,
        )
        done = actions.do_publish_disclosure(
            acting_user=self.world.admin,
            node=self.world.community_a,
            kind=DisclosureKind.PARTY,
            title="党务公开",
            body="本月党务",
        )
        self.assertTrue(done.on_time)

    def test_it_cannot_leave_the_board_before_it_is_published(self) -> None:
        with self.assertRaises(FieldErrors) as refused:
            actions.do_publish_disclosure(
                acting_user=self.world.admin,
                node=self.world.community_a,
                kind=DisclosureKind.PARTY,
                title="x",
                body="y",
                published_on=TODAY(),
                expires_on=TODAY() - timedelta(days=1),
            )
        self.assertEqual(refused.exception.details[0]["field"], "expires_on")


class WorkAccessList(WorldTestCase):
    def test_only_a_listed_matter_may_be_handed_over_and_the_refusal_cites_the_list(self) -> None:
        current = access_list(self.world)
        with self.assertRaises(ActionError) as refused:
            actions.do_hand_over(
                acting_user=self.world.officer_a, node=self.world.community_a, department="区住建局", matter="违建巡查"
            )
        self.assertEqual(refused.exception.code, "not_listed")
        self.assertIn(current.reference, refused.exception.messages[0])
        handed = actions.do_hand_over(
            acting_user=self.world.officer_a,
            node=self.world.community_a,
            department="区退役军人事务局",
            matter="退役军人服务",
        )
        self.assertFalse(handed.funded)
        with self.assertRaises(ActionError):
            actions.do_hand_over(
                acting_user=self.world.officer_a,
                node=self.world.community_a,
                department="区退役军人事务局",
                matter="退役军人服务",
            )

    def test_the_page_refuses_an_unlisted_matter_in_chinese(self) -> None:
        access_list(self.world)
        self.login(self.world.officer_a)
        form = self.client.get(reverse("governance:handover_add"))
        self.assertContains(form, "退役军人服务", msg_prefix="the matters on the list in force are shown")
        response = self.client.post(
            reverse("governance:handover_add"),
            {
                "node": self.world.community_a.pk,
                "department": "区住建局",
                "matter": "违建巡查",
                "year": TODAY().year,
                "accepted_on": TODAY().isoformat(),
            },
        )
        self.assertContains(response, "东区准入清单", status_code=400)

    def test_without_a_list_in_force_nothing_may_be_handed(self) -> None:
        with self.assertRaises(ActionError) as refused:
            actions.do_hand_over(
                acting_user=self.world.officer_a, node=self.world.community_a, department="区民政局", matter="养老"
            )
        self.assertEqual(refused.exception.code, "no_access_list")

    def test_the_district_maintains_the_list_and_versions_are_kept(self) -> None:
        with self.assertRaises(NotFound):
            actions.do_new_access_list(acting_user=self.world.officer_a, node=self.world.district, reference="x")
        officer = self.world.user("district_x", "district_officer", self.world.district)
        first = access_list(self.world)
        item = first.items.get()
        item.funds_per_year = Decimal("1")
        with self.assertRaises(ActionError) as refused:
            actions.do_save_item(item, acting_user=officer)
        self.assertEqual(refused.exception.code, "list_in_force")
        second = actions.do_new_access_list(
            acting_user=officer, node=self.world.district, reference="东区准入清单（修订）"
        )
        self.assertEqual(second.version, 2)
        self.assertEqual(second.items.count(), 1, "starts from the matters of the version before")
        with self.assertRaises(ActionError):
            actions.do_new_access_list(acting_user=officer, node=self.world.district, reference="again")
        actions.do_save_item(
            AccessItem(
                access_list=second,
                matter="养老摸底",
                legal_basis="《条例》",
                department="区民政局",
                funds_per_year=Decimal("8000"),
            ),
            acting_user=officer,
        )
        actions.do_put_in_force(second, acting_user=officer)
        first.refresh_from_db()
        self.assertEqual(first.status, ListStatus.SUPERSEDED)
        self.assertEqual(AccessList.objects.filter(node=self.world.district).count(), 2)
        handed = actions.do_hand_over(
            acting_user=self.world.officer_a, node=self.world.community_a, department="区民政局", matter="养老摸底"
        )
        self.assertEqual(handed.item.access_list, second)

    def test_matters_handed_without_funds_are_counted(self) -> None:
        access_list(self.world, [("养老摸底", "区民政局")])
        one = actions.do_hand_over(
            acting_user=self.world.officer_a, node=self.world.community_a, department="区民政局", matter="养老摸底"
        )
        actions.do_hand_over(
            acting_user=self.world.officer_a,
            node=self.world.community_a,
            department="区退役军人事务局",
            matter="退役军人服务",
        )
        with self.assertRaises(FieldErrors):
            actions.do_record_funds(one, acting_user=self.world.officer_a, amount=Decimal("0"), transferred_on=TODAY())
        actions.do_record_funds(one, acting_user=self.world.officer_a, amount=Decimal("8000"), transferred_on=TODAY())
        pairs = indicators.handovers_funded([self.world.community_a], TODAY().year)
        self.assertEqual(pairs[self.world.community_a.pk], (1.0, 2.0))
        self.login(self.world.officer_a)
        page = self.client.get(reverse("governance:figures"))
        self.assertContains(page, "1 / 2")


class FiguresAndMenu(WorldTestCase):
    def test_time_from_proposal_to_decision(self) -> None:
        decided = make_decision(self.world, self.world.community_a, DecisionStatus.DECIDED)
        type(decided).objects.filter(pk=decided.pk).update(
            proposed_on=TODAY() - timedelta(days=12), decided_on=TODAY() - timedelta(days=2)
        )
        pairs = indicators.days_to_decide([self.world.community_a], TODAY().year)
        self.assertEqual(pairs[self.world.community_a.pk], (10.0, 1.0))
        self.login(self.world.officer_a)
        page = self.client.get(reverse("governance:figures"))
        self.assertContains(page, "10.0")
        from shequ.core.testing import streamed, xlsx_rows

        sheet = self.client.get(reverse("governance:figures"), {"format": "xlsx"})
        rows = xlsx_rows(streamed(sheet))
        funds = next(r for r in rows if r[0] == "资金使用")
        self.assertEqual(funds[-1], 1, "one funds decision in street A")
        make_decision(self.world, self.world.community_b, DecisionStatus.DECIDED)
        rows = xlsx_rows(streamed(self.client.get(reverse("governance:figures"), {"format": "xlsx"})))
        self.assertEqual(next(r for r in rows if r[0] == "资金使用")[-1], 1, "street B's are not counted")
        self.login(self.world.nobody)
        self.assertEqual(self.client.get(reverse("governance:figures")).status_code, 404)

    def test_the_menu_shows_decisions_only_to_roles_that_may_use_them(self) -> None:
        url = reverse("governance:decision_list")
        self.login(self.world.officer_a)
        self.assertContains(self.client.get("/"), f'href="{url}"')
        grid = self.world.user("gridder", "grid_worker", self.world.grid_a)
        self.login(grid)
        self.assertNotContains(self.client.get("/"), f'href="{url}"')
        self.assertEqual(self.client.get(url).status_code, 404)
