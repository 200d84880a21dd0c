"""The rest of issue 12 checked through what a user sees: mediators' availability and training hours, the
figures by kind of dispute and by result (charts, export), the judicial-confirmation window and oral agreements
on the case page, and the request's "go to mediation" button only for who may register cases."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from shequ.accounts.models import APIToken
from shequ.core.exceptions import FieldErrors
from shequ.core.testing_files import streamed, xlsx_rows
from shequ.mediation import actions
from shequ.mediation.models import Category, MediationCase, Mediator

from .test_rules import _session
from .test_views import MedCase


class MediatorTests(MedCase):
    def api(self, method: str, path: str, user: Any, payload: Any) -> Any:
        _t, key = APIToken.issue(user)
        return getattr(self.client, method)(
            path, data=json.dumps(payload), content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {key}"
        )

    def test_an_unavailable_mediator_takes_no_new_case(self) -> None:
        a = self.med.a
        away, here = a.mediators
        actions.do_update_mediator(away, acting_user=self.world.admin, available=False)
        case = a.case()
        # Not offered on the page …
        self.login(a.mediator)
        form = self.client.get(reverse("mediation:mediationcase_step", args=[case.pk, "accept"])).context["form"]
        self.assertEqual(list(form.fields["mediators"].queryset), [here])
        # … and refused through the API, naming the field; nothing changes.
        response = self.api(
            "post", f"/api/v1/mediation/cases/{case.pk}/accept", a.mediator, {"mediators_ids": [away.pk]}
        )
        self.assertEqual(response.status_code, 422, response.content)
        self.assertTrue(response.json()["details"][0]["field"].startswith("mediators"))
        # The action itself refuses them too (whatever the caller offered).
        with self.assertRaises(FieldErrors) as caught:
            actions.do_accept(case, acting_user=a.mediator, mediators=[away.pk])
        self.assertIn(away.name, caught.exception.details[0]["message"])
        fresh = MediationCase.objects.get(pk=case.pk)
        self.assertEqual((fresh.status, fresh.mediators.count()), ("registered", 0))
        self.assertEqual(Mediator.objects.get(pk=away.pk).open_cases, 0)
        # Back on duty: accepted.
        actions.do_update_mediator(away, acting_user=self.world.admin, available=True)
        actions.do_accept(case, acting_user=a.mediator, mediators=[away.pk])
        self.assertEqual(Mediator.objects.get(pk=away.pk).open_cases, 1)

    def test_training_hours_are_bounded_and_shown(self) -> None:
        a = self.med.a
        body = {"committee_id": a.committee.pk, "name": "王调解", "background": "lawyer", "training_hours": "10000"}
        response = self.api("post", "/api/v1/mediation/mediators/", a.secretary, body)
        self.assertEqual(response.status_code, 422, response.content)
        self.assertIn("training_hours", {d["field"] for d in response.json()["details"]})
        self.assertFalse(Mediator.objects.filter(name="王调解").exists())
        body["training_hours"] = "36.5"
        response = self.api("post", "/api/v1/mediation/mediators/", a.secretary, body)
        self.assertEqual(response.status_code, 201, response.content)
        mediator = Mediator.objects.get(name="王调解")
        self.login(a.secretary)
        page = self.client.get(mediator.get_absolute_url())
        self.assertContains(page, "36.5")
        with self.assertRaises(ValidationError):
            actions.do_update_mediator(mediator, acting_user=self.world.admin, training_hours=-1)
        self.assertEqual(str(Mediator.objects.get(pk=mediator.pk).training_hours), "36.5")


class FiguresTests(MedCase):
    def test_cases_by_kind_and_result_with_charts_and_export(self) -> None:
        a = self.med.a
        admin = self.world.admin
        agreed = actions.do_accept(a.case(category=Category.FAMILY), acting_user=admin, mediators=a.mediators)
        _session(agreed, a)
        actions.do_agree(agreed, acting_user=admin, facts="f", terms="t", performance="p")
        actions.do_decline(a.case(category=Category.LABOUR), acting_user=admin, reason="劳动仲裁", referred_to="仲裁委")
        a.case(category=Category.FAMILY)
        self.med.b.case(category=Category.TRAFFIC)  # another street: not in A's figures
        self.login(self.world.officer_a)
        response = self.client.get(reverse("mediation:figures"), {"node": self.world.street_a.pk})
        board = response.context["board"]
        rows = {r.label: (r.total, r.open, r.agreed, r.declined) for r in board.by_category}
        self.assertEqual(rows, {"婚姻家庭": (2, 1, 1, 0), "劳动争议": (1, 0, 0, 1)})
        kinds, results = board.charts()
        self.assertContains(response, "婚姻家庭")
        self.assertNotContains(response, "交通事故")
        self.assertIn("劳动争议", json.dumps(kinds.option, ensure_ascii=False))
        self.assertIn("不予受理", json.dumps(results.option, ensure_ascii=False))
        export = self.client.get(reverse("mediation:figures_export"), {"node": self.world.street_a.pk})
        table = xlsx_rows(streamed(export))
        self.assertIn(["婚姻家庭", 2, 1, 1, 0, 0, 0], table)
        self.assertIn(["劳动争议", 1, 0, 0, 0, 0, 1], table)
        # Someone without mediation cannot read the figures nor export them.
        self.login(a.worker)
        self.assertEqual(self.client.get(reverse("mediation:figures")).status_code, 404)
        self.assertEqual(self.client.get(reverse("mediation:figures_export")).status_code, 404)


class AgreementPageTests(MedCase):
    def test_the_confirmation_window_and_an_oral_agreement_on_the_case_page(self) -> None:
        a = self.med.a
        admin = self.world.admin
        written = actions.do_accept(a.case(), acting_user=admin, mediators=a.mediators)
        _session(written, a)
        actions.do_agree(written, acting_user=admin, facts="漏水", terms="赔偿", performance="即时")
        oral = actions.do_accept(a.case(), acting_user=admin, mediators=a.mediators)
        _session(oral, a)
        actions.do_agree(oral, acting_user=admin, facts="噪音", terms="夜间不再装修", performance="即日", form="oral")
        self.login(a.mediator)
        page = self.client.get(written.get_absolute_url())
        last_day = timezone.localdate() + timedelta(days=30)
        self.assertContains(page, f"{last_day:%Y-%m-%d}")
        confirm = reverse("mediation:mediationcase_step", args=[written.pk, "confirmation"])
        self.assertContains(page, f'href="{confirm}"')
        page = self.client.get(oral.get_absolute_url())
        self.assertContains(page, "口头协议")
        self.assertContains(page, "夜间不再装修")
        # Judicial confirmation is for a written agreement: neither a window nor a step on the oral one.
        self.assertContains(page, "口头协议不适用司法确认")
        self.assertNotContains(page, f"{last_day:%Y-%m-%d}前申请")
        confirm = reverse("mediation:mediationcase_step", args=[oral.pk, "confirmation"])
        self.assertNotContains(page, f'href="{confirm}"')
