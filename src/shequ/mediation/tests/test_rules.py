"""Every rule of issue 12, through the actions and the pages a user takes: bad input refused with nothing written,
the one-month term (extended once), escalation, the high-risk alert, the request following its case, the
agreement document, judicial confirmation, the figures, and who may see a case at all."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.urls import reverse
from django.utils import timezone

from shequ.core.exceptions import ActionError, FieldErrors
from shequ.core.models import Notification
from shequ.mediation import actions
from shequ.mediation.actions import WORKFLOW, PartyIn
from shequ.mediation.models import CaseEvent, CaseStatus, Category, MediationCase, Party, PartyRole, Result, Risk
from shequ.services import actions as requests
from shequ.services.models import ServiceCategory, ServiceRequest, Status

from .test_views import MedCase


def _session(case: Any, side: Any, **kwargs: Any) -> Any:
    values = {
        "held_at": timezone.now(),
        "place": "调解室",
        "mediators": side.mediators[:1],
        "attendees": "双方当事人",
        "minutes": "双方陈述事实",
    }
    values.update(kwargs)
    return actions.do_record_session(case, acting_user=side.world.admin, **values)


def _counts() -> tuple[int, int, int]:
    return MediationCase.objects.count(), Party.objects.count(), CaseEvent.objects.count()


class BadInputTests(MedCase):
    def test_an_unknown_party_is_refused(self) -> None:
        a, b = self.med.a, self.med.b
        before = _counts()
        elsewhere = b.people[0]  # a resident of the other street: unknown here
        with self.assertRaises(FieldErrors) as caught:
            actions.do_register_case(
                acting_user=a.mediator,
                committee=a.committee,
                category=Category.NEIGHBOUR,
                summary="噪音",
                parties=[
                    PartyIn(PartyRole.APPLICANT, resident=a.people[0].pk),
                    PartyIn(PartyRole.RESPONDENT, resident=elsewhere.pk),
                ],
            )
        self.assertIn("parties[1].resident", str(caught.exception.details))
        with self.assertRaises(FieldErrors):
            actions.do_register_case(
                acting_user=a.mediator,
                committee=a.committee,
                category=Category.NEIGHBOUR,
                summary="噪音",
                parties=[PartyIn(PartyRole.APPLICANT, resident=a.people[0].pk), PartyIn(PartyRole.RESPONDENT)],
            )
        self.assertEqual(_counts(), before)
        # Through the API: 422 naming the field, nothing written.
        from shequ.accounts.models import APIToken

        _t, key = APIToken.issue(a.mediator)
        response = self.client.post(
            "/api/v1/mediation/cases/",
            data={
                "committee_id": a.committee.pk,
                "category": "neighbour",
                "summary": "噪音",
                "parties": [
                    {"role": "applicant", "resident_id": a.people[0].pk},
                    {"role": "respondent", "resident_id": 999999},
                ],
            },
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {key}",
        )
        self.assertEqual(response.status_code, 422, response.content)
        self.assertIn("parties[1].resident", response.content.decode())
        self.assertEqual(_counts(), before)

    def test_an_outside_persons_identity_number_is_checked_and_masked(self) -> None:
        a = self.med.a
        with self.assertRaises(FieldErrors):
            a.case(
                parties=[
                    PartyIn(PartyRole.APPLICANT, resident=a.people[0].pk),
                    PartyIn(PartyRole.RESPONDENT, name="外来人员", id_number="123"),
                ]
            )
        case = a.case(
            parties=[
                PartyIn(PartyRole.APPLICANT, resident=a.people[0].pk),
                PartyIn(PartyRole.RESPONDENT, name="外来人员", id_number="11010519491231002X"),
            ]
        )
        outsider = case.parties.get(role=PartyRole.RESPONDENT)
        self.assertEqual(outsider.id_masked, "110105********002X")
        self.login(a.secretary)
        page = self.client.get(case.get_absolute_url()).content.decode()
        self.assertIn("110105********002X", page)
        self.assertNotIn("11010519491231002X", page)

    def test_a_second_open_case_for_the_same_parties_and_matter_is_refused(self) -> None:
        a = self.med.a
        x, y = a.people[0], a.people[1]
        first = a.case(
            category=Category.FAMILY,
            parties=[PartyIn(PartyRole.APPLICANT, resident=x.pk), PartyIn(PartyRole.RESPONDENT, resident=y.pk)],
        )
        before = _counts()
        with self.assertRaises(actions.DuplicateCase) as caught:
            # The same parties the other way round.
            a.case(
                category=Category.FAMILY,
                parties=[PartyIn(PartyRole.APPLICANT, resident=y.pk), PartyIn(PartyRole.RESPONDENT, resident=x.pk)],
            )
        self.assertEqual(caught.exception.case, first)
        self.assertEqual(caught.exception.details[0]["case"], first.pk)
        self.assertIn(first.code, caught.exception.messages[0])
        self.assertEqual(_counts(), before)
        # Another matter between them is a case of its own; once the first is concluded, a new one may open.
        a.case(
            category=Category.PROPERTY,
            parties=[PartyIn(PartyRole.APPLICANT, resident=x.pk), PartyIn(PartyRole.RESPONDENT, resident=y.pk)],
        )
        actions.do_withdraw(first, acting_user=self.world.admin, reason="和好")
        again = a.case(
            category=Category.FAMILY,
            parties=[PartyIn(PartyRole.APPLICANT, resident=x.pk), PartyIn(PartyRole.RESPONDENT, resident=y.pk)],
        )
        self.assertEqual(again.parties_key, first.parties_key)

    def test_a_session_before_registration_is_refused(self) -> None:
        a = self.med.a
        case = a.case()
        actions.do_accept(case, acting_user=self.world.admin, mediators=a.mediators)
        events = CaseEvent.objects.count()
        with self.assertRaises(FieldErrors) as caught:
            _session(case, a, held_at=case.registered_at - timedelta(days=2))
        self.assertEqual(caught.exception.details[0]["field"], "held_at")
        with self.assertRaises(ActionError):  # a registered case (not accepted yet) has no session either
            _session(a.case(), a)
        self.assertEqual(case.sessions.count(), 0)
        self.assertEqual(CaseEvent.objects.count(), events + 1)  # only the second case's registration

    def test_no_agreement_on_a_declined_case(self) -> None:
        a = self.med.a
        case = actions.do_decline(a.case(), acting_user=self.world.admin, reason="不属于调解范围", referred_to="法院")
        self.login(a.mediator)
        response = self.client.post(
            reverse("mediation:mediationcase_step", args=[case.pk, "agree"]),
            {"form": "written", "facts": "事实", "terms": "条款", "performance": "履行"},
        )
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, "不予受理", status_code=400)
        self.assertFalse(hasattr(MediationCase.objects.get(pk=case.pk), "agreement"))
        self.assertEqual(MediationCase.objects.get(pk=case.pk).result, Result.DECLINED)

    def test_an_agreement_needs_a_session(self) -> None:
        a = self.med.a
        case = actions.do_accept(a.case(), acting_user=self.world.admin, mediators=a.mediators)
        with self.assertRaises(ActionError) as caught:
            actions.do_agree(case, acting_user=self.world.admin, facts="f", terms="t", performance="p")
        self.assertEqual(caught.exception.code, "no_session")


class TermTests(MedCase):
    def test_one_month_extended_once_with_a_reason(self) -> None:
        a = self.med.a
        case = actions.do_accept(a.case(), acting_user=self.world.admin, mediators=a.mediators)
        assert case.deadline is not None
        self.assertEqual((case.deadline.date() - timezone.localdate()).days, 30)
        with self.assertRaises(FieldErrors):
            actions.do_extend(case, acting_user=self.world.admin, days=15, reason=" ")
        case = actions.do_extend(case, acting_user=self.world.admin, days=15, reason="等待伤情鉴定")
        assert case.deadline is not None
        self.assertEqual((case.deadline.date() - timezone.localdate()).days, 45)
        with self.assertRaises(ActionError) as caught:
            actions.do_extend(case, acting_user=self.world.admin, days=5, reason="再延")
        self.assertEqual(caught.exception.code, "extended")

    def test_an_overdue_case_escalates_like_a_request(self) -> None:
        a = self.med.a
        case = actions.do_accept(a.case(), acting_user=self.world.admin, mediators=a.mediators)
        later = timezone.now() + timedelta(days=40)
        counts = WORKFLOW.check_deadlines(later)
        self.assertEqual(counts["escalated"], 1)
        self.assertTrue(CaseEvent.objects.filter(case=case, kind="escalation").exists())
        # The secretary of the community is told (the nearest level that may change cases).
        self.assertTrue(Notification.objects.filter(user=a.secretary, kind="escalation").exists())
        self.assertEqual(WORKFLOW.check_deadlines(later)["escalated"], 0)

    def test_on_time_and_success_rates(self) -> None:
        a = self.med.a
        admin = self.world.admin
        agreed = actions.do_accept(a.case(), acting_user=admin, mediators=a.mediators)
        _session(agreed, a)
        actions.do_agree(agreed, acting_user=admin, facts="f", terms="t", performance="p")
        failed = actions.do_accept(a.case(), acting_user=admin, mediators=a.mediators)
        MediationCase.objects.filter(pk=failed.pk).update(deadline=timezone.now() - timedelta(days=1))
        actions.do_fail(failed, acting_user=admin, reason="拒绝")
        a.case()  # open: not counted in the rates
        self.login(self.world.officer_a)
        response = self.client.get(reverse("mediation:figures"), {"node": self.world.street_a.pk})
        board = response.context["board"]
        self.assertEqual((board.total, board.concluded, board.agreed, board.on_time), (3, 2, 1, 1))
        self.assertEqual((board.success_rate, board.on_time_rate), (50.0, 50.0))
        # Counts only: no party's name on the figures page or in its export.
        page = response.content.decode()
        for party in a.people:
            self.assertNotIn(party.name, page)
        from shequ.core import indicators
        from shequ.mediation.indicators import ON_TIME, SUCCESS

        indicators.refresh([SUCCESS, ON_TIME], [a.community])
        figures = indicators.figures(a.community, timezone.localdate().year, indicators.ordered([SUCCESS, ON_TIME]))
        self.assertEqual((figures[SUCCESS].numerator, figures[SUCCESS].denominator), (1, 2))
        self.assertEqual((figures[ON_TIME].numerator, figures[ON_TIME].denominator), (1, 2))

    def test_repeat_disputes_and_mediators_load(self) -> None:
        a = self.med.a
        x, y = a.people[0], a.people[1]
        parties = [PartyIn(PartyRole.APPLICANT, resident=x.pk), PartyIn(PartyRole.RESPONDENT, resident=y.pk)]
        first = a.case(category=Category.FAMILY, parties=parties)
        second = a.case(category=Category.PROPERTY, parties=parties[::-1])
        self.assertEqual((first.repeat, second.repeat), (False, True))
        actions.do_accept(first, acting_user=self.world.admin, mediators=a.mediators[:1])
        self.login(a.secretary)
        board = self.client.get(reverse("mediation:figures")).context["board"]
        self.assertEqual(board.repeat_parties, 1)
        self.assertEqual(board.repeats, [second.code])
        self.assertEqual(board.load, [(a.mediators[0].name, a.committee.name, 1, 1)])
        # Concluded: the load drops, the record stays; a mediator of a session joins the case.
        _session(first, a, mediators=a.mediators[1:])
        actions.do_withdraw(first, acting_user=self.world.admin, reason="和解")
        board = self.client.get(reverse("mediation:figures")).context["board"]
        self.assertEqual(sorted(board.load), sorted((m.name, a.committee.name, 0, 1) for m in a.mediators))
        export = self.client.get(reverse("mediation:figures_export"))
        self.assertEqual(export.status_code, 200)


class AlertTests(MedCase):
    def test_a_high_risk_alerts_the_street_at_once(self) -> None:
        a = self.med.a
        case = a.case(risk=Risk.HIGH)
        alert = Notification.objects.filter(user=self.world.officer_a, kind="mediation_risk")
        self.assertEqual(alert.count(), 1)
        self.assertIn(case.code, alert.get().text)
        self.assertFalse(Notification.objects.filter(user=self.world.officer_b, kind="mediation_risk").exists())
        # Raised later: the street is alerted again then.
        low = a.case()
        self.assertEqual(alert.count(), 1)
        actions.do_raise_risk(low, acting_user=a.mediator, risk=Risk.HIGH, note="扬言报复")
        self.assertEqual(alert.count(), 2)


class PrivacyTests(MedCase):
    def test_only_mediators_of_the_committee_the_secretary_and_higher_officers_see_cases(self) -> None:
        a = self.med.a
        case = a.case()
        station = actions.committees_for(self.world.admin)[0]  # noqa: F841 - the committee exists
        from shequ.volunteers.tests.helpers import org

        other = org(a.community, "mediation_station", "甲调解工作站")
        theirs = actions.do_register_case(
            acting_user=self.world.admin,
            committee=other,
            category=Category.LABOUR,
            summary="欠薪",
            parties=a.parties(),
        )
        url = reverse("mediation:mediationcase_list")
        for user, sees in (
            (a.mediator, {case.pk}),
            (a.secretary, {case.pk, theirs.pk}),
            (self.world.officer_a, {case.pk, theirs.pk}),
        ):
            self.login(user)
            response = self.client.get(url)
            self.assertEqual(response.status_code, 200, user)
            shown = {pk for pk in (case.pk, theirs.pk) if f"/mediation/cases/{pk}/" in response.content.decode()}
            self.assertEqual(shown, sees, user)
        self.login(a.mediator)
        self.assertEqual(self.client.get(theirs.get_absolute_url()).status_code, 404)
        for user in (a.worker, self.world.auditor_a, self.med.b.mediator, self.med.b.secretary):
            self.login(user)
            listed = self.client.get(url)
            if user in (a.worker, self.world.auditor_a):  # no right on cases anywhere
                self.assertEqual(listed.status_code, 404, user)
            else:  # their own community's cases only
                self.assertNotContains(listed, case.get_absolute_url())
            self.assertEqual(self.client.get(case.get_absolute_url()).status_code, 404, user)
            self.assertEqual(self.client.get(reverse("mediation:agreement_pdf", args=[case.pk])).status_code, 404)
        # A community worker sees no mediation menu entry.
        self.login(a.worker)
        self.assertNotContains(self.client.get("/"), url)
        self.login(a.secretary)
        self.assertContains(self.client.get("/"), url)


class RequestTests(MedCase):
    def request(self, code: str = "family-dispute") -> ServiceRequest:
        a = self.med.a
        return requests.do_file_request(
            acting_user=self.world.admin,
            category=ServiceCategory.objects.select_related("parent", "tier").get(code=code),
            node=a.community,
            description="儿子儿媳与老人因住房问题争吵",
            resident=a.people[0],
            accept=True,
        )

    def test_a_dispute_request_becomes_a_case_and_follows_it(self) -> None:
        a = self.med.a
        filed = self.request()
        self.login(a.mediator)
        step = reverse("services:servicerequest_step", args=[filed.pk, "mediate"])
        self.assertContains(self.client.get(filed.get_absolute_url()), 'data-step="mediate"')
        form = self.client.get(step)
        self.assertEqual(form.status_code, 200)
        self.assertEqual(form.context["form"].initial["category"], Category.FAMILY)
        response = self.client.post(
            step,
            {"committee": a.committee.pk, "category": "family", "risk": "medium", "respondent": a.people[1].pk},
        )
        case = MediationCase.objects.get(request=filed)
        self.assertRedirects(response, case.get_absolute_url(), fetch_redirect_response=False)
        self.assertEqual([p.resident for p in case.parties.order_by("role")], [a.people[0], a.people[1]])
        filed.refresh_from_db()
        self.assertEqual((filed.status, filed.deadline), (Status.IN_PROGRESS, None))
        # Once only while the case is open.
        self.assertEqual(self.client.post(step, {"committee": a.committee.pk}).status_code, 400)
        admin = self.world.admin
        actions.do_accept(case, acting_user=admin, mediators=a.mediators)
        case.refresh_from_db()
        filed.refresh_from_db()
        self.assertEqual(filed.deadline, case.deadline)
        _session(case, a)
        actions.do_agree(case, acting_user=admin, facts="f", terms="t", performance="p")
        filed.refresh_from_db()
        self.assertEqual(filed.status, Status.RESOLVED)
        from shequ.services.actions.requests import WORKFLOW as REQUESTS

        public = [e.text for e in REQUESTS.timeline_of(filed).filter(public=True)]
        self.assertIn("调解达成协议。", public)
        for text in public:  # what the resident reads names no one
            self.assertNotIn(a.people[1].name, text)

    def test_only_disputes_are_offered_mediation(self) -> None:
        filed = self.request("noise")
        self.login(self.med.a.mediator)
        step = reverse("services:servicerequest_step", args=[filed.pk, "mediate"])
        self.assertEqual(self.client.post(step, {"committee": self.med.a.committee.pk}).status_code, 404)
        self.assertNotContains(self.client.get(filed.get_absolute_url()), 'data-step="mediate"')
        self.assertFalse(MediationCase.objects.exists())
        # Someone who may not register cases does not get the step at all.
        self.login(self.med.a.worker)
        self.assertEqual(self.client.get(step).status_code, 404)


class SourceTests(MedCase):
    def test_a_case_registered_from_a_visit_records_it(self) -> None:
        from shequ.people.models import Household
        from shequ.visits.actions import do_log_visit

        a = self.med.a
        household = Household.objects.create(node=a.community, address="1-101", number="H0001")
        visit = do_log_visit(acting_user=self.world.admin, household=household, findings="婆媳争吵")
        self.login(a.secretary)
        x, y = a.people[0], a.people[1]
        response = self.client.post(
            reverse("mediation:mediationcase_add") + f"?visit={visit.pk}",
            {
                "committee": a.committee.pk,
                "category": "family",
                "summary": "婆媳因家务争吵",
                "risk": "low",
                "applicant": x.pk,
                "respondent": y.pk,
                "visit": visit.pk,
            },
        )
        self.assertEqual(response.status_code, 302, response.content[:2000])
        case = MediationCase.objects.get(visit=visit)
        self.assertEqual(case.source, "visit")


class AgreementTests(MedCase):
    def agreed(self, **kwargs: Any) -> MediationCase:
        a = self.med.a
        case = a.case()
        MediationCase.objects.filter(pk=case.pk).update(registered_at=timezone.now() - timedelta(days=60))
        case = actions.do_accept(case, acting_user=self.world.admin, mediators=a.mediators)
        _session(case, a)
        _session(case, a, place="社区会议室")
        values: dict[str, Any] = {"facts": "楼上漏水", "terms": "楼上住户赔偿维修费800元", "performance": "十日内付清"}
        values.update(kwargs)
        return actions.do_agree(case, acting_user=self.world.admin, **values)

    def test_the_agreement_prints_and_downloads_as_pdf(self) -> None:
        case = self.agreed()
        self.login(self.med.a.mediator)
        page = self.client.get(reverse("mediation:agreement_print", args=[case.pk]))
        self.assertContains(page, "人民调解协议书")
        self.assertContains(page, "楼上住户赔偿维修费800元")
        self.assertContains(page, case.code)
        for party in case.parties.all():
            self.assertContains(page, party.name)
            self.assertNotContains(page, party.resident.id_number)
        pdf = self.client.get(reverse("mediation:agreement_pdf", args=[case.pk]))
        self.assertEqual(pdf["Content-Type"], "application/pdf")
        self.assertTrue(pdf.content.startswith(b"%PDF"))
        # A case without an agreement has no document.
        other = self.med.a.case()
        self.assertEqual(self.client.get(reverse("mediation:agreement_pdf", args=[other.pk])).status_code, 404)

    def test_judicial_confirmation_within_30_days(self) -> None:
        case = self.agreed(signed_on=timezone.localdate() - timedelta(days=1))
        agreement = MediationCase.objects.get(pk=case.pk).agreement
        self.assertEqual(agreement.confirmation_by, agreement.signed_on + timedelta(days=30))
        late = self.agreed(signed_on=timezone.localdate() - timedelta(days=31))
        with self.assertRaises(FieldErrors):
            actions.do_confirmation(late, acting_user=self.world.admin)
        actions.do_confirmation(case, acting_user=self.world.admin)
        with self.assertRaises(ActionError):
            actions.do_confirmation(case, acting_user=self.world.admin)
        oral = self.agreed(form="oral")
        with self.assertRaises(ActionError):
            actions.do_confirmation(oral, acting_user=self.world.admin)

    def test_follow_up_at_30_days_then_close(self) -> None:
        case = self.agreed()
        self.assertEqual(case.follow_up_due, timezone.localdate() + timedelta(days=30))
        self.login(self.med.a.secretary)
        todo_url = reverse("mediation:mediationcase_list") + "?follow_up_due=true"
        self.assertNotContains(self.client.get("/"), todo_url)
        self.assertEqual(len(self.client.get(todo_url).context["table"].rows), 0)
        MediationCase.objects.filter(pk=case.pk).update(follow_up_due=timezone.localdate())
        self.assertContains(self.client.get("/"), todo_url)
        # The list behind the count holds exactly that agreement (not every agreed case).
        self.assertEqual(len(self.client.get(todo_url).context["table"].rows), 1)
        case = actions.do_follow_up(case, acting_user=self.world.admin, honoured="yes", note="已付清")
        case = actions.do_close(case, acting_user=self.world.admin)
        self.assertEqual((case.status, case.result), (CaseStatus.CLOSED, Result.AGREED))
