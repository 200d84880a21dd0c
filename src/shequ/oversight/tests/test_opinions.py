"""Opinions on promoting civil servants living in the community, as users meet them: the party secretary records
the employer's request for a resident of the community (deadline in working days) and answers it; an unanswered
request past its deadline is escalated; confidential — the community's workers, grid workers, street officers and
auditors see it through no path (list, detail, steps, export, audit log, search, home page, menu), and neither does
the organization department of another street."""

from __future__ import annotations

from datetime import timedelta
from typing import Any, ClassVar

from django.urls import reverse
from django.utils import timezone

from shequ.core import workdays
from shequ.core.models import AuditEntry, Job
from shequ.core.testing import streamed
from shequ.core.views.misc import search_results
from shequ.oversight.models_opinions import Conclusion, OpinionStatus, PromotionOpinion
from shequ.oversight.opinions import OPINIONS, do_answer_opinion, do_request_opinion

from .helpers import OversightCase

EMPLOYER = "区发展和改革委员会"
POST = "副处长"


class PromotionOpinionTests(OversightCase):
    secretary: ClassVar[Any]
    org_officer: ClassVar[Any]
    org_officer_b: ClassVar[Any]

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        w = cls.world
        cls.secretary = w.user("secretary_a", "party_secretary", w.community_a)
        cls.org_officer = w.user("orgdept_a", "organization_officer", w.street_a)
        cls.org_officer_b = w.user("orgdept_b", "organization_officer", w.street_b)

    def person(self, side: Any = None) -> Any:
        return (side or self.a).households[0].head

    def request_page(self, **overrides: Any) -> Any:
        data = {
            "node": self.world.community_a.pk,
            "employer": EMPLOYER,
            "person": self.person().pk,
            "post_sought": POST,
            "requested_on": timezone.localdate().isoformat(),
            "answer_days": 5,
            **overrides,
        }
        return self.client.post(reverse("oversight:promotionopinion_add"), data)

    def make(self) -> PromotionOpinion:
        return do_request_opinion(
            acting_user=self.secretary,
            node=self.world.community_a,
            employer=EMPLOYER,
            person=self.person(),
            post_sought=POST,
            requested_on=timezone.localdate(),
            answer_days=5,
        )

    def test_request_and_answer_through_the_pages(self) -> None:
        self.client.force_login(self.secretary)
        self.assertEqual(self.client.get(reverse("oversight:promotionopinion_add")).status_code, 200)
        response = self.request_page()
        self.assertEqual(response.status_code, 302, response.content.decode()[-800:])
        case = PromotionOpinion.objects.get()
        self.assertEqual((case.status, case.is_open, case.person_id), (OpinionStatus.REQUESTED, True, self.person().pk))
        due = workdays.add_working_days(timezone.localdate(), 5)
        self.assertEqual(timezone.localtime(case.deadline).date(), due)
        page = self.client.get(case.get_absolute_url())
        self.assertContains(page, EMPLOYER)
        self.assertContains(page, self.person().name)
        url = reverse("oversight:promotionopinion_step", args=[case.pk, "answer"])
        self.assertEqual(self.client.post(url, {"conclusion": Conclusion.REMARKS, "opinion": ""}).status_code, 400)
        response = self.client.post(url, {"conclusion": Conclusion.REMARKS, "opinion": "表现良好，群众基础较好。"})
        self.assertEqual(response.status_code, 302)
        case.refresh_from_db()
        self.assertEqual((case.status, case.is_open, case.conclusion), (OpinionStatus.ANSWERED, False, "remarks"))
        self.assertEqual((case.answered_by, case.answered_on), (self.secretary, timezone.localdate()))
        # The organization department of the street reads it, and may not answer.
        self.client.force_login(self.org_officer)
        self.assertContains(self.client.get(reverse("oversight:promotionopinion_list")), EMPLOYER)
        self.assertContains(self.client.get(case.get_absolute_url()), "表现良好")

    def test_bad_input_is_refused_and_writes_nothing(self) -> None:
        self.client.force_login(self.secretary)
        # A resident of another community, a deadline out of bounds, a request dated in the future.
        for overrides in (
            {"person": self.person(self.b).pk},
            {"answer_days": 0},
            {"answer_days": 61},
            {"requested_on": (timezone.localdate() + timedelta(days=3)).isoformat()},
            {"employer": ""},
        ):
            response = self.request_page(**overrides)
            self.assertEqual(response.status_code, 400, overrides)
        self.assertFalse(PromotionOpinion.objects.exists())

    def test_overdue_requests_are_escalated(self) -> None:
        case = self.make()
        assert case.deadline is not None
        # Before the deadline nothing is escalated; after it, once.
        self.assertEqual(OPINIONS.check_deadlines(now=case.deadline - timedelta(minutes=1))["escalated"], 0)
        self.assertEqual(OPINIONS.check_deadlines(now=case.deadline + timedelta(hours=1))["escalated"], 1)
        self.assertEqual(OPINIONS.check_deadlines(now=case.deadline + timedelta(hours=2))["escalated"], 0)
        case.refresh_from_db()
        self.assertIsNotNone(case.escalated_at)
        do_answer_opinion(case, acting_user=self.secretary, conclusion=Conclusion.AGREE, opinion="同意")
        case.refresh_from_db()
        self.assertEqual(case.status, OpinionStatus.ANSWERED)

    def test_confidential_on_every_path(self) -> None:
        case = self.make()
        self.client.force_login(self.secretary)
        export = self.client.get(reverse("oversight:promotionopinion_export"), {"format": "csv"})
        self.assertIn(EMPLOYER, streamed(export).decode("utf-8-sig"))
        self.assertTrue(
            AuditEntry.objects.filter(object_pk=str(case.pk), content_type__model="promotionopinion").exists()
        )
        outsiders = (
            self.tree.worker_a,
            self.tree.grid_worker_a,
            self.world.officer_a,
            self.world.auditor_a,
            self.org_officer_b,
        )
        for user in outsiders:
            with self.subTest(user=user.username):
                self.client.force_login(user)
                home = self.client.get("/")
                self.assertNotContains(home, EMPLOYER)
                list_page = self.client.get(reverse("oversight:promotionopinion_list"))
                self.assertNotIn(EMPLOYER, list_page.content.decode())
                if user is not self.org_officer_b:  # no right at all: no menu entry, no page
                    self.assertNotContains(home, reverse("oversight:promotionopinion_list"))
                    self.assertIn(list_page.status_code, (403, 404))
                self.assertIn(self.client.get(case.get_absolute_url()).status_code, (403, 404))
                exported = self.client.get(reverse("oversight:promotionopinion_export"), {"format": "csv"})
                if user is self.org_officer_b:  # their own street's opinions only: none
                    self.assertNotIn(EMPLOYER, streamed(exported).decode("utf-8-sig"))
                else:
                    self.assertIn(exported.status_code, (403, 404))
                step = reverse("oversight:promotionopinion_step", args=[case.pk, "answer"])
                self.assertIn(self.client.post(step, {"conclusion": "agree", "opinion": "x"}).status_code, (403, 404))
                self.assertNotIn(EMPLOYER, self.client.get(reverse("core:audit_list")).content.decode())
                audit = AuditEntry.objects.restrict(user).filter(content_type__model="promotionopinion")
                self.assertFalse(audit.exists())
                self.assertNotIn(EMPLOYER, str(search_results(user, EMPLOYER)))
                self.assertNotIn(EMPLOYER, str(search_results(user, POST)))
                self.assertNotIn(EMPLOYER, self.client.get("/api/v1/oversight/consents/").content.decode())
                self.assertFalse(Job.objects.restrict(user).filter(params__model="oversight.promotionopinion").exists())
        case.refresh_from_db()
        self.assertEqual(case.status, OpinionStatus.REQUESTED)
        # The community's worker may handle the rest of oversight all the same.
        self.client.force_login(self.tree.worker_a)
        self.assertEqual(self.client.get(reverse("oversight:consentrequest_list")).status_code, 200)
        # The organization department of the other street has the menu entry, and an empty list.
        self.client.force_login(self.org_officer_b)
        self.assertContains(self.client.get("/"), reverse("oversight:promotionopinion_list"))
        self.assertEqual(self.client.get(reverse("oversight:promotionopinion_list")).status_code, 200)
