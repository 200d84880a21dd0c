"""A second open case for the same parties and matter is refused and offered for merging (form page and API);
a case registered from a visit: the button on the visit, the pre-filled form, the visit showing its case to
those who may see it."""

from __future__ import annotations

import json
from typing import Any

from django.urls import reverse

from shequ.accounts.models import APIToken
from shequ.mediation import actions
from shequ.mediation.actions import PartyIn
from shequ.mediation.models import CaseEvent, Category, MediationCase, Party, PartyRole

from .test_views import MedCase


def _counts() -> tuple[int, int, int]:
    return MediationCase.objects.count(), Party.objects.count(), CaseEvent.objects.count()


class MergeTests(MedCase):
    def first(self) -> MediationCase:
        a = self.med.a
        x, y = a.people[0], a.people[1]
        return a.case(
            category=Category.FAMILY,
            summary="婆媳因家务争吵",
            parties=[PartyIn(PartyRole.APPLICANT, resident=x.pk), PartyIn(PartyRole.RESPONDENT, resident=y.pk)],
        )

    def form_data(self, **extra: Any) -> dict[str, Any]:
        a = self.med.a
        data = {
            "committee": a.committee.pk,
            "category": "family",
            "summary": "儿媳又来反映婆婆不让进门",
            "risk": "low",
            "applicant": a.people[1].pk,  # the same parties the other way round
            "respondent": a.people[0].pk,
        }
        data.update(extra)
        return data

    def api(self, method: str, path: str, user: Any, payload: Any) -> Any:
        _t, key = APIToken.issue(user)
        return getattr(self.client, method)(
            path, data=json.dumps(payload), content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {key}"
        )

    def test_the_form_refuses_a_duplicate_and_offers_merging_into_the_open_case(self) -> None:
        a = self.med.a
        first = self.first()
        before = _counts()
        self.login(a.secretary)
        add = reverse("mediation:mediationcase_add")
        page = self.client.post(add, self.form_data())
        self.assertEqual(page.status_code, 400)
        self.assertEqual(_counts(), before)  # the refusal writes nothing
        self.assertContains(page, first.code, status_code=400)
        self.assertContains(page, f'href="{first.get_absolute_url()}"', status_code=400)
        merge = reverse("mediation:mediationcase_step", args=[first.pk, "merge"])
        self.assertContains(page, f'formaction="{merge}"', status_code=400)
        self.assertContains(page, "并入该案件", status_code=400)
        # The button posts what was typed to the open case.
        done = self.client.post(merge, self.form_data())
        self.assertRedirects(done, first.get_absolute_url(), fetch_redirect_response=False)
        self.assertEqual(MediationCase.objects.count(), before[0])  # no second case
        self.assertEqual(Party.objects.count(), before[1])  # the same two parties: none added
        event = CaseEvent.objects.filter(case=first).order_by("-pk").first()
        assert event is not None
        self.assertIn("儿媳又来反映婆婆不让进门", event.text)
        self.assertEqual(CaseEvent.objects.count(), before[2] + 1)
        self.assertContains(self.client.get(first.get_absolute_url()), "儿媳又来反映婆婆不让进门")

    def test_merging_adds_the_parties_the_case_lacks_and_the_visit(self) -> None:
        from shequ.people.models import Household
        from shequ.visits.actions import do_log_visit

        a = self.med.a
        first = self.first()
        household = Household.objects.create(node=a.community, address="2-201", number="H0002")
        visit = do_log_visit(acting_user=self.world.admin, household=household, findings="邻居也卷入争吵")
        self.login(a.secretary)
        merge = reverse("mediation:mediationcase_step", args=[first.pk, "merge"])
        response = self.client.post(
            merge, self.form_data(respondent=a.people[5].pk, applicant=a.people[0].pk, visit=visit.pk)
        )
        self.assertEqual(response.status_code, 302)
        names = sorted(first.parties.values_list("name", flat=True))
        self.assertEqual(names, sorted([a.people[0].name, a.people[1].name, a.people[5].name]))
        self.assertEqual(MediationCase.objects.get(pk=first.pk).visit_id, visit.pk)
        # An unknown party is refused and nothing is written.
        before = _counts()
        response = self.client.post(merge, self.form_data(respondent="", respondent_name=""))
        self.assertEqual(response.status_code, 400)
        self.assertEqual(_counts(), before)

    def test_no_merging_into_another_communitys_case(self) -> None:
        a, b = self.med.a, self.med.b
        theirs = b.case()
        before = _counts()
        self.login(a.secretary)
        merge = reverse("mediation:mediationcase_step", args=[theirs.pk, "merge"])
        self.assertEqual(self.client.post(merge, self.form_data()).status_code, 404)
        response = self.api("post", f"/api/v1/mediation/cases/{theirs.pk}/merge", a.secretary, self.api_merge())
        self.assertEqual(response.status_code, 404)
        self.assertEqual(_counts(), before)
        # A community worker (no mediation at all) cannot merge into their own community's case either.
        mine = self.first()
        before = _counts()
        self.login(a.worker)
        merge = reverse("mediation:mediationcase_step", args=[mine.pk, "merge"])
        self.assertEqual(self.client.post(merge, self.form_data()).status_code, 404)
        self.assertEqual(_counts(), before)

    def api_merge(self) -> dict[str, Any]:
        a = self.med.a
        return {"summary": "再次反映", "applicant_id": a.people[1].pk, "respondent_id": a.people[0].pk}

    def test_the_api_answers_422_naming_the_open_case_then_merges(self) -> None:
        a = self.med.a
        first = self.first()
        before = _counts()
        payload = {
            "committee_id": a.committee.pk,
            "category": "family",
            "summary": "再次反映",
            "parties": [
                {"role": "applicant", "resident_id": a.people[1].pk},
                {"role": "respondent", "resident_id": a.people[0].pk},
            ],
        }
        response = self.api("post", "/api/v1/mediation/cases/", a.mediator, payload)
        self.assertEqual(response.status_code, 422, response.content)
        detail = response.json()["details"][0]
        self.assertEqual((detail["field"], detail["case"], detail["code"]), ("parties", first.pk, first.code))
        self.assertEqual(_counts(), before)
        response = self.api("post", f"/api/v1/mediation/cases/{first.pk}/merge", a.mediator, self.api_merge())
        self.assertEqual(response.status_code, 200, response.content)
        self.assertEqual(response.json()["id"], first.pk)
        self.assertEqual(MediationCase.objects.count(), before[0])
        self.assertTrue(CaseEvent.objects.filter(case=first, text__contains="再次反映").exists())

    def test_a_closed_case_takes_no_merge(self) -> None:
        first = self.first()
        actions.do_withdraw(first, acting_user=self.world.admin, reason="和好")
        self.login(self.med.a.secretary)
        merge = reverse("mediation:mediationcase_step", args=[first.pk, "merge"])
        self.assertEqual(self.client.post(merge, self.form_data()).status_code, 400)


class FromVisitTests(MedCase):
    def test_a_visit_offers_registering_a_case_prefilled_and_then_shows_it(self) -> None:
        from shequ.people.models import Household
        from shequ.visits.actions import do_log_visit

        a = self.med.a
        x, y = a.people[2], a.people[3]
        household = Household.objects.create(node=a.community, address="3-301", number="H0003")
        for resident in (x, y):
            resident.household = household
            resident.save(update_fields=["household"])
        visit = do_log_visit(acting_user=self.world.admin, household=household, findings="父子因赡养费争吵")
        add = reverse("mediation:mediationcase_add") + f"?visit={visit.pk}"
        # The secretary may register cases: the button leads to the pre-filled form.
        self.login(a.secretary)
        self.assertContains(self.client.get(visit.get_absolute_url()), f'href="{add}"')
        form = self.client.get(add).context["form"]
        self.assertEqual(form.initial["summary"], "父子因赡养费争吵")
        self.assertEqual((form.initial["applicant"], form.initial["respondent"]), (x.pk, y.pk))
        self.assertEqual(form.initial["visit"], visit.pk)
        # A community worker may see the visit, but not mediation: no button, no case.
        self.login(a.worker)
        page = self.client.get(visit.get_absolute_url())
        self.assertEqual(page.status_code, 200)
        self.assertNotContains(page, 'data-testid="register-mediation"')
        self.login(a.secretary)
        response = self.client.post(
            add,
            {
                "committee": a.committee.pk,
                "category": "family",
                "summary": "父子因赡养费争吵",
                "risk": "low",
                "applicant": x.pk,
                "respondent": y.pk,
                "visit": visit.pk,
            },
        )
        self.assertEqual(response.status_code, 302, response.content[:2000])
        case = MediationCase.objects.get(visit=visit)
        self.assertEqual(case.source, "visit")
        self.assertContains(self.client.get(case.get_absolute_url()), str(visit))  # the case names its visit
        self.assertContains(self.client.get(visit.get_absolute_url()), case.get_absolute_url())
        self.login(a.worker)
        page = self.client.get(visit.get_absolute_url())
        self.assertNotContains(page, case.code)
        self.assertNotContains(page, 'data-testid="mediation-case"')


class FromRequestButtonTests(MedCase):
    def test_the_requests_mediation_button_only_for_who_may_register_cases(self) -> None:
        from shequ.services import actions as requests
        from shequ.services.models import ServiceCategory

        a = self.med.a
        filed = requests.do_file_request(
            acting_user=self.world.admin,
            category=ServiceCategory.objects.select_related("parent", "tier").get(code="family-dispute"),
            node=a.community,
            description="兄弟因老宅分割争吵",
            resident=a.people[0],
            accept=True,
        )
        self.login(a.worker)  # sees the request, may not register cases: no button
        page = self.client.get(filed.get_absolute_url())
        self.assertEqual(page.status_code, 200)
        self.assertNotContains(page, 'data-step="mediate"')
        self.login(a.secretary)
        self.assertContains(self.client.get(filed.get_absolute_url()), 'data-step="mediate"')


class FromRequestMergeTests(MedCase):
    def test_a_request_about_an_open_dispute_is_merged_into_its_case_and_follows_it(self) -> None:
        from shequ.services import actions as requests
        from shequ.services.models import ServiceCategory, ServiceRequest, Status

        a = self.med.a
        x, y = a.people[0], a.people[1]
        first = actions.do_accept(
            a.case(
                category=Category.FAMILY,
                parties=[PartyIn(PartyRole.APPLICANT, resident=x.pk), PartyIn(PartyRole.RESPONDENT, resident=y.pk)],
            ),
            acting_user=self.world.admin,
            mediators=a.mediators,
        )
        filed = requests.do_file_request(
            acting_user=self.world.admin,
            category=ServiceCategory.objects.select_related("parent", "tier").get(code="family-dispute"),
            node=a.community,
            description="儿子又来反映母亲不让进门",
            resident=x,
            accept=True,
        )
        step = reverse("services:servicerequest_step", args=[filed.pk, "mediate"])
        data = {"committee": a.committee.pk, "category": "family", "risk": "low", "respondent": y.pk}
        self.login(a.secretary)
        before = _counts()
        refused = self.client.post(step, data)
        self.assertContains(refused, first.code, status_code=400)
        self.assertEqual(_counts(), before)
        self.assertNotEqual(ServiceRequest.objects.get(pk=filed.pk).status, Status.IN_PROGRESS)
        done = self.client.post(step, {**data, "merge": "on"})
        self.assertRedirects(done, first.get_absolute_url(), fetch_redirect_response=False)
        self.assertEqual(MediationCase.objects.count(), before[0])
        case = MediationCase.objects.get(pk=first.pk)
        self.assertEqual(case.request_id, filed.pk)
        self.assertTrue(CaseEvent.objects.filter(case=case, text__contains="儿子又来反映母亲不让进门").exists())
        request = ServiceRequest.objects.get(pk=filed.pk)
        self.assertEqual((request.status, request.deadline), (Status.IN_PROGRESS, case.deadline))
