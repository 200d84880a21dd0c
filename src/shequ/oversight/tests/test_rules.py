"""The rules of issue 13 as a user meets them: one portal answer per household verified by its number and phone
digits, none after the close, anonymous results; a property company under 50 % opens its termination case and
the law's steps follow it to the new company's entry; agreements only for the community's units; consent only
with its documents; the figures against a hand count; scope on every path."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from django.urls import reverse

from shequ.core import indicators
from shequ.core.exceptions import FieldErrors, NotFound
from shequ.core.models import TimelineKind
from shequ.oversight import actions
from shequ.oversight.indicators import UNDER_TERMINATION
from shequ.oversight.models import (
    Agreement,
    Answer,
    Campaign,
    CampaignStatus,
    Commitment,
    ConsentStatus,
    EntryStatus,
    Evaluators,
    SubjectKind,
    TerminationCase,
    TerminationStatus,
)
from shequ.oversight.results import refresh_counts

from .helpers import OversightCase, pdf_upload, phone_of


def survey_data(number: str, last4: str, ratings: list[int], comments: str = "") -> dict[str, object]:
    data: dict[str, object] = {"household_number": number, "last4": last4, "comments": comments}
    for i, value in enumerate(ratings):
        data[f"item_{i}"] = value
    return data


class PortalSurveyTests(OversightCase):
    def test_one_answer_per_household_verified_by_number_and_phone(self) -> None:
        a = self.a
        campaign = self.campaign(a.community)
        url = reverse("oversight:portal_survey", args=[campaign.pk])
        household = a.households[0]
        self.assertEqual(self.client.get(url).status_code, 200)
        # Wrong digits: refused like an unknown number, nothing recorded.
        response = self.client.post(url, survey_data(household.number, "0000", [1, 1, 1]))
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, "户号", status_code=400)
        self.assertEqual(Answer.objects.count(), 0)
        # A household of another community cannot answer here.
        b0 = self.b.households[0]
        response = self.client.post(url, survey_data(b0.number, phone_of(self.b, 0)[-4:], [1, 1, 1]))
        self.assertEqual(response.status_code, 400)
        # The right pair: recorded.
        response = self.client.post(url, survey_data(household.number, phone_of(a, 0)[-4:], [1, 2, 3], "电梯常坏"))
        self.assertEqual(response.status_code, 302)
        self.assertEqual(Answer.objects.filter(campaign=campaign, household=household).count(), 1)
        # A second answer from the same household: refused with a clear message, nothing doubled.
        response = self.client.post(url, survey_data(household.number, phone_of(a, 0)[-4:], [3, 3, 3]))
        self.assertContains(response, "已参加过", status_code=400)
        refresh_counts()
        campaign.refresh_from_db()
        self.assertEqual(
            (campaign.answers_count, campaign.satisfied, campaign.basic, campaign.dissatisfied), (1, 1, 1, 1)
        )
        # Every item must be rated.
        response = self.client.post(url, survey_data(a.households[1].number, phone_of(a, 1)[-4:], [1, 1]))
        self.assertEqual(response.status_code, 400)
        self.assertEqual(Answer.objects.count(), 1)

    def test_no_answer_after_the_campaign_closed(self) -> None:
        a = self.a
        campaign = self.campaign(a.community)
        actions.do_close_campaign(campaign, acting_user=self.world.officer_a)
        url = reverse("oversight:portal_survey", args=[campaign.pk])
        response = self.client.post(url, survey_data(a.households[0].number, phone_of(a, 0)[-4:], [1, 1, 1]))
        self.assertContains(response, "已结束")
        self.refused(
            "campaign_closed",
            lambda: actions.do_answer(
                campaign, acting_user=self.world.officer_a, ratings=[1, 1, 1], household=a.households[1]
            ),
        )
        self.assertEqual(Answer.objects.count(), 0)

    def test_staff_enter_paper_answers_once_per_household(self) -> None:
        a = self.a
        campaign = self.campaign(a.community)
        self.client.force_login(self.world.officer_a)
        url = reverse("oversight:paper_answer", args=[campaign.pk])
        data = {"household_number": a.households[2].number, "item_0": 1, "item_1": 1, "item_2": 2}
        self.assertEqual(self.client.post(url, data).status_code, 302)
        response = self.client.post(url, data)
        self.assertContains(response, "已参加过", status_code=400)
        self.assertEqual(Answer.objects.filter(campaign=campaign).count(), 1)
        self.assertEqual(Answer.objects.get().channel, "paper")
        # Another street's officer cannot enter answers here.
        self.client.force_login(self.world.officer_b)
        self.assertEqual(self.client.post(url, data).status_code, 404)

    def test_results_never_name_a_household(self) -> None:
        a = self.a
        campaign = self.campaign(a.community)
        self.answer_all(campaign, [[1, 1, 1], [3, 3, 3]])
        self.client.force_login(self.world.officer_a)
        page = self.client.get(campaign.get_absolute_url()).content.decode()
        for household in a.households[:2]:
            head: Any = household.head
            self.assertNotIn(household.number, page)
            self.assertNotIn(head.name, page)
        self.assertIn("50.0", page)  # 3 of 6 ratings satisfied or basically satisfied
        body = self.client.get(f"/api/v1/oversight/campaigns/{campaign.pk}").json()  # kept since the page
        self.assertNotIn("household_id", json.dumps(body))
        self.assertEqual(body["satisfaction"], 50.0)
        self.assertEqual(body["response_rate"], round(2 * 100 / 6, 1))


class TerminationTests(OversightCase):
    def test_a_company_under_half_satisfied_gets_its_termination_case_and_the_law_s_steps(self) -> None:
        a, officer = self.a, self.world.officer_a
        campaign = actions.do_open_campaign(
            acting_user=officer,
            node=a.estate,
            year=2026,
            subject_kind=SubjectKind.PROPERTY_COMPANY,
            subject=a.company,
            evaluators=Evaluators.HOUSEHOLDS,
            items=ITEMS_TEXT,
        )
        self.assertEqual(campaign.expected, len(a.households))
        self.answer_all(campaign, [[3, 3, 3], [3, 3, 1], [2, 3, 3]])
        actions.do_close_campaign(campaign, acting_user=officer)
        case = TerminationCase.objects.get()
        self.assertEqual((case.company, case.node, case.status), (a.company, a.estate, TerminationStatus.OPENED))
        self.assertEqual(float(case.satisfaction), round(200 / 9, 1))
        # The company still serves the estate: nothing is terminated silently.
        self.assertIn(a.estate, a.company.estates.all())
        # The steps cannot be skipped.
        self.refused(
            "wrong_status",
            lambda: actions.do_decide_termination(
                case, acting_user=officer, terminate=True, decision="解除", legal_basis="物业管理条例"
            ),
        )
        actions.do_notify_owners(case, acting_user=officer, notice="已书面告知业委会测评结果")
        actions.do_record_response(case, acting_user=officer, response="公司认可结果")
        actions.do_decide_termination(
            case, acting_user=officer, terminate=True, decision="解除物业服务合同", legal_basis="物业管理条例第三十四条"
        )
        case.refresh_from_db()
        self.assertEqual(case.status, TerminationStatus.TERMINATED)
        self.assertTrue(case.is_open)
        self.assertNotIn(a.estate, a.company.estates.all())
        # The new company's entry approval closes the case.
        entry = actions.do_apply_entry(
            acting_user=officer,
            company=a.new_company,
            estate=a.estate,
            contract_start=date(2026, 7, 1),
            contract_end=date(2029, 6, 30),
            scope="全面物业服务",
        )
        actions.do_approve_entry(entry, acting_user=officer)
        case.refresh_from_db()
        self.assertEqual((case.status, case.is_open, case.new_entry_id), (TerminationStatus.REPLACED, False, entry.pk))
        steps = [e.to_status for e in actions.TERMINATION.timeline_of(case) if e.kind == TimelineKind.STATUS]
        self.assertEqual(steps, ["opened", "notified", "responded", "terminated", "replaced"])
        self.assertIn(a.estate, a.new_company.estates.all())

    def test_half_satisfied_or_more_opens_no_case(self) -> None:
        a = self.a
        campaign = self.campaign(a.community)
        self.answer_all(campaign, [[1, 3, 3], [2, 1, 3]])  # 3 of 6: exactly 50 %
        actions.do_close_campaign(campaign, acting_user=self.world.officer_a)
        self.assertFalse(TerminationCase.objects.exists())

    def test_other_subjects_never_open_a_termination_case(self) -> None:
        a = self.a
        campaign = self.campaign(
            a.community, subject_kind=SubjectKind.RESIDENT_UNIT, subject=a.units[0], node=a.community
        )
        self.answer_all(campaign, [[3, 3, 3]])
        actions.do_close_campaign(campaign, acting_user=self.world.officer_a)
        self.assertFalse(TerminationCase.objects.exists())

    def test_a_campaign_s_subject_must_be_of_its_kind(self) -> None:
        a = self.a
        with self.assertRaises(FieldErrors) as caught:
            actions.do_open_campaign(
                acting_user=self.world.officer_a,
                node=a.estate,
                year=2026,
                subject_kind=SubjectKind.PROPERTY_COMPANY,
                subject=a.units[0],
                evaluators=Evaluators.HOUSEHOLDS,
                items=ITEMS_TEXT,
            )
        self.assertEqual(caught.exception.details[0]["field"], "subject")
        self.assertFalse(Campaign.objects.exists())

    def test_refused_entry_changes_nothing(self) -> None:
        a = self.a
        entry = self.entry(a.community)
        actions.do_refuse_entry(entry, acting_user=self.world.officer_a, reason="资质不足")
        entry.refresh_from_db()
        self.assertEqual(entry.status, EntryStatus.REFUSED)
        self.assertNotIn(a.estate, a.new_company.estates.all())


ITEMS_TEXT = "服务态度\n环境卫生\n安全秩序"


class AgreementTests(OversightCase):
    def test_an_agreement_for_a_unit_outside_the_community_is_refused(self) -> None:
        a, b = self.a, self.b
        self.client.force_login(self.world.admin)
        data = {"node": a.community.pk, "unit": b.units[0].pk, "year": 2026, "signed_on": "2026-01-10"}
        response = self.client.post(reverse("oversight:agreement_add"), data)
        self.assertContains(response, "不能与本社区签订", status_code=400)
        api = self.client.post(
            "/api/v1/oversight/agreements/",
            json.dumps(
                {"community_id": a.community.pk, "unit_id": b.units[0].pk, "year": 2026, "signed_on": "2026-01-10"}
            ),
            content_type="application/json",
        )
        self.assertEqual(api.status_code, 422)
        self.assertEqual(api.json()["details"][0]["field"], "unit")
        self.assertFalse(Agreement.objects.exists())
        data["unit"] = a.units[0].pk
        self.assertEqual(self.client.post(reverse("oversight:agreement_add"), data).status_code, 302)
        # A second agreement of the unit for the same year.
        response = self.client.post(reverse("oversight:agreement_add"), data)
        self.assertEqual(Agreement.objects.count(), 1)

    def test_units_without_an_agreement_are_listed(self) -> None:
        a = self.a
        Agreement.objects.create(node=a.community, unit=a.units[0], year=2026, signed_on=date(2026, 1, 5))
        self.client.force_login(self.world.officer_a)
        page = self.client.get(reverse("oversight:missing_agreements"), {"year": 2026}).content.decode()
        self.assertIn(a.units[1].name, page)
        self.assertNotIn(a.units[0].name, page)
        self.assertNotIn(self.b.units[1].name, page)

    def test_figures_against_a_hand_count(self) -> None:
        a = self.a
        agreement = Agreement.objects.create(node=a.community, unit=a.units[0], year=2026, signed_on=date(2026, 1, 5))
        for target, achieved in ((10, 12), (10, 3)):
            Commitment.objects.create(
                agreement=agreement,
                node=a.community,
                kind="jobs",
                description="岗位",
                target=target,
                unit_label="个",
                achieved=achieved,
            )
        campaign = self.campaign(a.community)
        self.answer_all(campaign, [[1, 1, 3], [3, 3, 3]])
        TerminationCase.objects.create(
            node=a.estate, company=a.company, campaign=campaign, satisfaction=33, status=TerminationStatus.OPENED
        )
        indicators.refresh(year=2026)
        values: dict[str, Any] = {
            code: indicators.figure(indicators.INDICATORS[code], self.world.street_a, 2026).value
            for code in (actions.SATISFACTION, actions.AGREEMENTS, actions.COMMITMENTS, UNDER_TERMINATION)
        }
        self.assertAlmostEqual(values[actions.SATISFACTION], 2 * 100 / 6)
        self.assertAlmostEqual(values[actions.AGREEMENTS], 50.0)
        self.assertAlmostEqual(values[actions.COMMITMENTS], 50.0)
        self.assertEqual(values[UNDER_TERMINATION], 1)


class ConsentTests(OversightCase):
    def test_consent_needs_its_documents(self) -> None:
        case = self.consent(self.world.street_a, status=ConsentStatus.OPINION, documents="")
        self.refused(
            "documents_missing",
            lambda: actions.do_consent(case, acting_user=self.world.officer_a, reasons="同意"),
        )
        self.client.force_login(self.world.officer_a)
        response = self.client.post(
            reverse("oversight:consentrequest_step", args=[case.pk, "consent"]), {"reasons": "同意"}
        )
        self.assertEqual(response.status_code, 400)
        case.refresh_from_db()
        self.assertEqual(case.status, ConsentStatus.OPINION)
        # A list of titles is not enough: the documents themselves must be uploaded.
        actions.do_add_documents(case, acting_user=self.world.officer_a, documents="施工图\n环评批复")
        self.refused(
            "documents_missing",
            lambda: actions.do_consent(case, acting_user=self.world.officer_a, reasons="同意"),
        )
        response = self.client.post(
            reverse("oversight:consentrequest_step", args=[case.pk, "attach"]), {"file": pdf_upload()}
        )
        self.assertEqual(response.status_code, 302)
        actions.do_consent(case, acting_user=self.world.officer_a, reasons="方案合理")
        case.refresh_from_db()
        self.assertEqual((case.status, case.is_open), (ConsentStatus.CONSENTED, False))

    def test_a_refusal_needs_reasons_and_outsiders_see_nothing(self) -> None:
        case = self.consent(self.world.street_a)
        with self.assertRaises(NotFound):
            actions.do_refuse_consent(case, acting_user=self.world.officer_b, reasons="不同意")
        self.client.force_login(self.world.officer_a)
        response = self.client.post(reverse("oversight:consentrequest_step", args=[case.pk, "refuse"]), {"reasons": ""})
        self.assertEqual(response.status_code, 400)
        self.client.force_login(self.world.officer_b)
        self.assertEqual(self.client.get(case.get_absolute_url()).status_code, 404)
        self.assertNotIn(case.title, self.client.get("/api/v1/oversight/consents/").content.decode())


class ScopeTests(OversightCase):
    def test_lists_and_counts_stay_within_the_user_s_area(self) -> None:
        mine = self.campaign(self.world.street_a)
        theirs = self.campaign(self.world.street_b)
        self.client.force_login(self.tree.worker_a)
        page = self.client.get(reverse("oversight:campaign_list")).content.decode()
        self.assertIn(mine.get_absolute_url(), page)
        self.assertNotIn(theirs.get_absolute_url(), page)
        self.assertEqual(self.client.get(theirs.get_absolute_url()).status_code, 404)
        # The grid worker has no oversight rights: no menu entry, no page.
        self.client.force_login(self.tree.grid_worker_a)
        self.assertEqual(self.client.get(reverse("oversight:campaign_list")).status_code, 404)
        self.assertNotContains(self.client.get("/"), reverse("oversight:campaign_list"))
        self.client.force_login(self.tree.worker_a)
        self.assertContains(self.client.get("/"), reverse("oversight:campaign_list"))
        _ = Campaign, CampaignStatus


class ComplaintTests(OversightCase):
    def test_property_requests_are_counted_per_company_and_estate(self) -> None:
        from shequ.services import actions as requests
        from shequ.services.models import ServiceCategory

        a = self.a
        category = ServiceCategory.objects.get(code="property-fees")
        other = ServiceCategory.objects.get(code="garbage")
        for cat in (category, category, other):
            requests.do_file_request(
                acting_user=self.world.admin,
                node=a.building,
                category=cat,
                description="电梯坏了",
                phone="13800000000",
                contact_name="王先生",
            )
        self.client.force_login(self.a_worker())
        response = self.client.get(reverse("oversight:complaints"))
        rows = {(r["company"].pk, r["estate"].pk): r["complaints"] for r in response.context["rows"]}
        self.assertEqual(rows, {(a.company.pk, a.estate.pk): 2})
        self.client.force_login(self.tree.grid_worker_a)
        self.assertEqual(self.client.get(reverse("oversight:complaints")).status_code, 404)

    def a_worker(self) -> Any:
        return self.tree.worker_a
