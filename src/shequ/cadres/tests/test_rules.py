"""Every rule of issue 15, through the paths a user takes (pages, API, imports)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any, ClassVar

from django.urls import reverse
from django.utils import timezone

from shequ.accounts.models import APIToken
from shequ.cadres import actions
from shequ.cadres.indicators import SOCIAL_WORK, TRAINING, social_work, training
from shequ.cadres.models import (
    AssessmentStatus,
    PayGrade,
    PayTable,
    PostCategory,
    Qualification,
    Result,
    Sanction,
    SanctionKind,
    TrainingRecord,
    Use,
)
from shequ.cadres.pay import pay_of
from shequ.cadres.tests.helpers import cadre, course, grade, org_officer, pay_table, user_with
from shequ.core.exceptions import ActionError, FieldErrors
from shequ.core.models import AuditEntry, Notification
from shequ.core.testing import WorldTestCase, _file, xlsx_bytes, xlsx_rows

TRAINING_HEADER = ["工号", "姓名", "课程名称", "主办单位", "培训类型", "日期", "学时"]
PAY_HEADER = ["地区编码", "年度", "岗位类别", *[f"{g}级" for g in range(1, 19)], "上年度当地平均工资"]


class RulesTestCase(WorldTestCase):
    officer: ClassVar[Any]
    worker: ClassVar[Any]
    course: ClassVar[Any]

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        w = cls.world
        cls.officer = org_officer(w, "zuzhi_a", w.street_a)
        cls.worker = cadre(w.community_a, name="周社工", number="SG1")
        cls.course = course(w.street_a, starts_on=date(2024, 3, 1), ends_on=date(2024, 3, 31))

    def api(self, method: str, path: str, user: Any, payload: Any = None) -> Any:
        import json

        _t, key = APIToken.issue(user)
        kwargs: dict[str, Any] = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
        if payload is not None:
            kwargs.update(data=json.dumps(payload), content_type="application/json")
        return getattr(self.client, method)(path, **kwargs)

    def run_import(self, url_name: str, rows: list[list[Any]], mode: str = "valid") -> Any:
        from shequ.core.models import Job

        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(reverse(url_name), {"file": _file(xlsx_bytes(rows))})
        self.assertEqual(response.status_code, 302, getattr(response, "content", b"")[:2000])
        preview = Job.objects.latest("pk")
        with self.captureOnCommitCallbacks(execute=True):
            self.client.post(reverse("core:job_apply", args=[preview.pk]), {"mode": mode})
        return Job.objects.latest("pk")


class TrainingRules(RulesTestCase):
    def test_more_than_24_hours_a_day_is_refused_everywhere(self) -> None:
        with self.assertRaises(FieldErrors):
            actions.do_record_training(
                acting_user=self.world.officer_a, cadre=self.worker, course=self.course,
                attended_on=date(2024, 3, 2), hours=Decimal(25),
            )  # fmt: skip
        # Two courses the same day adding up to more than 24 hours.
        actions.do_record_training(
            acting_user=self.world.officer_a, cadre=self.worker, course=self.course, attended_on=date(2024, 3, 2),
            hours=Decimal(16),
        )  # fmt: skip
        other = course(self.world.street_a, title="网络课程")
        with self.assertRaises(ActionError) as caught:
            actions.do_record_training(
                acting_user=self.world.officer_a, cadre=self.worker, course=other, attended_on=date(2024, 3, 2),
                hours=Decimal(10),
            )  # fmt: skip
        self.assertEqual(caught.exception.code, "over_24_hours")
        # The API: 422 naming the field.
        response = self.api(
            "post", "/api/v1/cadres/training/", self.world.officer_a,
            {"cadre_id": self.worker.pk, "course_id": self.course.pk, "attended_on": "2024-03-03", "hours": 30},
        )  # fmt: skip
        self.assertEqual(response.status_code, 422)
        self.assertIn("hours", response.json()["details"][0]["field"])
        # The import: the row and its reason, nothing written for it.
        self.login(self.world.officer_a)
        job = self.run_import(
            "cadres:trainingrecord_import",
            [
                TRAINING_HEADER,
                ["SG1", "周社工", "社区工作者轮训", "", "年度轮训", "2024-03-05", 26],
                ["SG1", "周社工", "社区工作者轮训", "", "年度轮训", "2024-03-06", 20],
                ["SG1", "周社工", "网络课程", "", "网络培训", "2024-03-06", 6],
            ],
        )
        errors = {e["row"]: e["message"] for e in job.result["errors"]}
        self.assertEqual(set(errors), {2, 4})
        self.assertIn("24", errors[2])
        self.assertIn("24", errors[4])
        self.assertEqual(TrainingRecord.objects.filter(cadre=self.worker).count(), 2)

    def test_who_misses_160_hours(self) -> None:
        busy = cadre(self.world.community_a, name="吴满勤", number="SG2")
        long = course(self.world.street_a, title="长期课程", starts_on=date(2024, 1, 1), ends_on=date(2024, 12, 31),
                      hours=Decimal(400))  # fmt: skip
        for day in range(1, 21):
            TrainingRecord.objects.create(
                cadre=busy, node=busy.node, course=long, attended_on=date(2024, 2, day), hours=8
            )
        TrainingRecord.objects.create(cadre=self.worker, node=self.worker.node, course=long,
                                      attended_on=date(2024, 2, 1), hours=8)  # fmt: skip
        self.login(self.world.officer_a)
        page = self.client.get(reverse("cadres:training_hours"), {"year": 2024}).content.decode()
        self.assertIn("周社工", page)
        self.assertNotIn("吴满勤", page)
        self.assertEqual(training([self.world.community_a], 2024)[self.world.community_a.pk], (1.0, 2.0))
        from shequ.core.indicators import INDICATORS

        self.assertIn(TRAINING, INDICATORS)


class QualificationRules(RulesTestCase):
    def test_no_certificate_no_qualification(self) -> None:
        self.login(self.world.officer_a)
        response = self.client.post(
            reverse("cadres:qualification_add"),
            {"cadre": self.worker.pk, "level": "senior", "certificate_no": "  ", "obtained_on": "2024-01-01"},
        )
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, "证书", status_code=400)
        response = self.api(
            "post", "/api/v1/cadres/qualifications/", self.world.officer_a,
            {"cadre_id": self.worker.pk, "level": "senior", "certificate_no": "", "obtained_on": "2024-01-01"},
        )  # fmt: skip
        self.assertEqual(response.status_code, 422)
        self.assertEqual(response.json()["details"][0]["field"], "certificate_no")
        self.assertFalse(Qualification.objects.exists())

    def test_professionals_per_community(self) -> None:
        self.assertEqual(social_work([self.world.community_a], 2024)[self.world.community_a.pk], (0.0, 1.0))
        for n in range(3):
            cadre(self.world.community_a, name=f"学位{n}", number=f"D{n}", degree="bachelor")
        Qualification.objects.create(cadre=self.worker, node=self.worker.node, level="social_worker",
                                     certificate_no="Z1", obtained_on=date(2023, 1, 1))  # fmt: skip
        self.assertEqual(social_work([self.world.community_a], 2024)[self.world.community_a.pk], (1.0, 1.0))
        from shequ.core.indicators import INDICATORS

        self.assertIn(SOCIAL_WORK, INDICATORS)
        self.login(self.officer)
        page = self.client.get(reverse("cadres:professionals")).content.decode()
        self.assertIn("和平社区", page)


class PayRules(RulesTestCase):
    def test_pay_allowance_and_the_average_wage(self) -> None:
        year = timezone.localdate().year
        pay_table(self.world.city, year, average_wage=45000)  # base 3000 + 100 per grade
        grade(self.worker, 5)
        rich = cadre(self.world.community_a, name="郑高薪", number="SG9")
        grade(rich, 18, category=PostCategory.HEAD)
        pay = pay_of([self.worker], timezone.localdate())[0]
        self.assertEqual((pay.base, pay.monthly), (Decimal(3400), Decimal(3400)))
        self.assertTrue(pay.below_average)  # 40,800 a year < 45,000
        Qualification.objects.create(cadre=self.worker, node=self.worker.node, level="senior",
                                     certificate_no="G1", obtained_on=date(2020, 1, 1))  # fmt: skip
        pay = pay_of([self.worker], timezone.localdate())[0]
        self.assertEqual((pay.allowance_percent, pay.monthly), (15, Decimal("3910.00")))  # +15 %
        self.assertEqual((pay.city_part, pay.district_part), (Decimal("1955.00"), Decimal("1955.00")))  # 5:5
        self.assertFalse(pay.below_average)  # 46,920 ≥ 45,000
        # The street's own table (nearer) replaces the city's.
        pay_table(self.world.street_a, year, average_wage=80000)
        self.login(self.officer)
        page = self.client.get(reverse("cadres:below_average")).content.decode()
        self.assertIn("周社工", page)
        self.assertIn("郑高薪", page)  # 4,700 × 12 = 56,400 < 80,000

    def test_grade_outside_1_to_18_is_refused(self) -> None:
        response = self.api(
            "post", "/api/v1/cadres/grades/", self.officer,
            {"cadre_id": self.worker.pk, "category": "other", "grade": 19, "since": "2024-01-01"},
        )  # fmt: skip
        self.assertEqual(response.status_code, 422)
        self.assertIn("grade", response.json()["details"][0]["field"])
        self.login(self.officer)
        response = self.client.post(
            reverse("cadres:paygrade_add"),
            {"cadre": self.worker.pk, "category": "other", "grade": 0, "since": "2024-01-01", "reason": "appointed"},
        )
        self.assertEqual(response.status_code, 400)
        with self.assertRaises(FieldErrors):
            actions.do_set_grade(acting_user=self.officer, cadre=self.worker, category="other", grade=19,
                                 since=date(2024, 1, 1))  # fmt: skip
        self.assertFalse(PayGrade.objects.exists())

    def test_a_pay_table_missing_a_grade_is_refused_with_the_row(self) -> None:
        self.login(self.officer)
        grades = [3000 + 100 * g for g in range(1, 19)]
        gap: list[int | None] = list(grades)
        gap[6] = None  # grade 7
        job = self.run_import(
            "cadres:paytable_import",
            [PAY_HEADER, ["990101001", 2024, "书记、主任", *grades, 60000], ["990101001", 2024, "副职", *gap, 60000]],
        )
        self.assertEqual([e["row"] for e in job.result["errors"]], [3])
        self.assertIn("7级", job.result["errors"][0]["message"])
        table = PayTable.objects.get(node=self.world.street_a, year=2024)
        self.assertEqual(table.rates.filter(category="deputy").count(), 0)
        # The import's job (its rows and report) is not shown to a street officer outside the department.
        from shequ.core.models import Job

        self.assertTrue(Job.objects.restrict(self.officer).filter(pk=job.pk).exists())
        self.assertFalse(Job.objects.restrict(self.world.officer_a).filter(pk=job.pk).exists())
        self.login(self.world.officer_a)
        self.assertEqual(self.client.get(job.get_absolute_url()).status_code, 404)
        self.assertEqual(table.rates.filter(category="head").count(), 18)
        with self.assertRaises(ActionError):
            actions.do_save_pay_table(acting_user=self.officer, node=self.world.street_a, year=2025,
                                      rates={"other": {g: Decimal(1000) for g in range(1, 18)}})  # fmt: skip
        self.assertFalse(PayTable.objects.filter(year=2025).exists())

    def test_salary_sheet(self) -> None:
        year = timezone.localdate().year
        pay_table(self.world.city, year)
        grade(self.worker, 2)
        self.login(self.officer)
        response = self.client.get(reverse("cadres:salary_sheet"), {"year": year, "month": 1})
        self.assertEqual(response.status_code, 200)
        rows = xlsx_rows(response.content)
        self.assertEqual(rows[0][0], "工号")
        self.assertEqual(rows[1][:2], ["SG1", "周社工"])
        self.assertEqual(rows[1][8:11], [3100, 1550, 1550])


class ConfidentialityRules(RulesTestCase):
    def test_pay_and_assessments_only_for_the_organization_department_and_the_worker(self) -> None:
        year = timezone.localdate().year
        table = pay_table(self.world.street_a, year)
        grade(self.worker, 3)
        self.login(self.officer)
        response = self.client.post(
            reverse("cadres:paytable_edit", args=[table.pk]),
            {"node": self.world.street_a.pk, "year": year, "average_wage": "1", "city_share": 50},
        )
        self.assertEqual(response.status_code, 302)
        detail = reverse("cadres:cadre_detail", args=[self.worker.pk])
        urls = [
            reverse("cadres:paytable_list"),
            reverse("cadres:paygrade_list"),
            reverse("cadres:below_average"),
            reverse("cadres:salary_sheet"),
            reverse("cadres:assessment_list"),
            reverse("cadres:sanction_list"),
        ]
        outsiders = [
            self.world.officer_a,  # a street officer outside the organization department
            self.world.auditor_a,
            user_with("community_worker", "sg_worker", self.world.community_a),
            user_with("party_secretary", "secretary", self.world.community_a),
        ]
        for user in outsiders:
            with self.subTest(user=user.username):
                self.login(user)
                for url in urls:
                    self.assertEqual(self.client.get(url).status_code, 404, url)
                page = self.client.get(detail)
                self.assertEqual(page.status_code, 200)
                self.assertNotContains(page, 'data-testid="pay"')
                self.assertEqual(self.api("get", "/api/v1/cadres/pay-tables/", user).json()["items"], [])
                self.assertEqual(self.api("get", "/api/v1/cadres/grades/", user).json()["items"], [])
        # The audit log does not show the pay table's change to them either.
        self.login(self.world.officer_a)
        self.assertNotContains(self.client.get(reverse("core:audit_list")), "薪酬表")
        self.assertFalse(
            AuditEntry.objects.restrict(self.world.officer_a).filter(content_type__model="paytable").exists()
        )
        self.assertTrue(
            AuditEntry.objects.filter(content_type__model="paytable", path=self.world.street_a.path).exists()
        )
        self.login(self.officer)
        self.assertContains(self.client.get(detail), 'data-testid="pay"')
        # The worker sees their own, on their own page.
        own = user_with("community_worker", "zhou", self.world.community_a)
        self.worker.user = own
        self.worker.save()
        self.login(own)
        self.assertContains(self.client.get(reverse("cadres:mine")), 'data-testid="pay"')
        # … through the account menu of every page.
        self.assertContains(
            self.client.get(reverse("home")), f'href="{reverse("cadres:mine")}" data-testid="personal-link"'
        )
        self.login(self.world.officer_a)  # no file of their own, and no link to one
        self.assertEqual(self.client.get(reverse("cadres:mine")).status_code, 404)
        self.assertNotContains(self.client.get(reverse("home")), 'data-testid="personal-link"')


class AssessmentRules(RulesTestCase):
    def test_results_are_used(self) -> None:
        grade(self.worker, 17)
        own = user_with("community_worker", "zhou", self.world.community_a)
        self.worker.user = own
        self.worker.save()
        case = actions.do_record_assessment(acting_user=self.officer, year=2024, result=Result.COMPETENT,
                                            cadre=self.worker)  # fmt: skip
        with self.assertRaises(ActionError):  # a competent worker earns no reward
            actions.do_confirm_assessment(case, acting_user=self.officer, use=Use.REWARD, document_no="X")
        with self.captureOnCommitCallbacks(execute=True):
            actions.do_confirm_assessment(case, acting_user=self.officer, use=Use.GRADE_RISE)
        case.refresh_from_db()
        self.assertEqual(case.status, AssessmentStatus.CONFIRMED)
        rise = PayGrade.objects.filter(cadre=self.worker).order_by("-since").first()
        assert rise is not None
        self.assertEqual((rise.grade, rise.since, rise.reason), (18, date(2025, 1, 1), "assessment"))
        self.assertTrue(Notification.objects.filter(user=own).exists())
        # At grade 18 no more rises; an incompetent worker gets a warning with its document, never a rise.
        with self.assertRaises(ActionError):
            actions.do_record_assessment(acting_user=self.officer, year=2024, result=Result.EXCELLENT,
                                         cadre=self.worker)  # fmt: skip
        other = cadre(self.world.community_a, name="冯差", number="SG7")
        grade(other, 3)
        bad = actions.do_record_assessment(acting_user=self.officer, year=2024, result=Result.INCOMPETENT, cadre=other)
        with self.assertRaises(ActionError):
            actions.do_confirm_assessment(bad, acting_user=self.officer, use=Use.GRADE_RISE)
        with self.assertRaises(FieldErrors):
            actions.do_confirm_assessment(bad, acting_user=self.officer, use=Use.WARNING)
        actions.do_confirm_assessment(bad, acting_user=self.officer, use=Use.WARNING, document_no="街组〔2025〕3号")
        warning = Sanction.objects.get(cadre=other)
        self.assertEqual((warning.kind, warning.document_no), (SanctionKind.PUNISHMENT, "街组〔2025〕3号"))
        self.assertEqual(PayGrade.objects.filter(cadre=other).count(), 1)

    def test_organizations_are_assessed_too(self) -> None:
        from shequ.orgs.models import OrgKind
        from shequ.orgs.tests.helpers import org

        committee = org(self.world.community_a, OrgKind.RESIDENTS_COMMITTEE, "和平社区居委会")
        self.login(self.officer)
        response = self.client.post(
            reverse("cadres:assessment_add"), {"organization": committee.pk, "year": 2024, "result": "excellent"}
        )
        self.assertEqual(response.status_code, 302)
        case = committee_case = __import__("shequ.cadres.models", fromlist=["Assessment"]).Assessment.objects.get(
            organization=committee
        )
        response = self.client.post(
            reverse("cadres:assessment_step", args=[case.pk, "confirm"]),
            {"use": "reward", "document_no": "街组〔2025〕8号", "title": "先进集体"},
        )
        self.assertEqual(response.status_code, 302)
        self.assertTrue(Sanction.objects.filter(organization=committee, kind="reward").exists())
        self.assertIsNotNone(committee_case)


class SeniorityRules(RulesTestCase):
    def test_grade_rises_by_years_of_service_unless_held_back(self) -> None:
        today = timezone.localdate()
        grade(self.worker, 4, since=date(today.year - 3, 1, 1))
        held = cadre(self.world.community_a, name="钱慢", number="SG3")
        grade(held, 4, since=date(today.year - 3, 1, 1))
        case = actions.do_record_assessment(acting_user=self.officer, year=today.year - 2, result=Result.BASIC,
                                            cadre=held)  # fmt: skip
        actions.do_confirm_assessment(case, acting_user=self.officer, use=Use.NONE)
        recent = cadre(self.world.community_a, name="孙新", number="SG4")
        grade(recent, 4, since=today - timedelta(days=300))
        self.login(self.officer)
        page = self.client.get(reverse("cadres:seniority")).content.decode()
        self.assertIn("周社工", page)
        self.assertNotIn("钱慢", page)
        self.assertNotIn("孙新", page)
        self.login(self.world.officer_a)  # not the organization department
        self.assertEqual(self.client.post(reverse("cadres:seniority")).status_code, 404)
        self.login(self.officer)
        self.assertEqual(self.client.post(reverse("cadres:seniority")).status_code, 302)
        self.assertEqual([g.grade for g in PayGrade.objects.filter(cadre=self.worker).order_by("since")], [4, 5])
        self.assertEqual(PayGrade.objects.filter(cadre__in=[held, recent]).count(), 2)

    def test_figures_on_the_targets_page(self) -> None:
        self.login(self.officer)
        page = self.client.get("/targets/", {"app": "cadres"})
        self.assertEqual(page.status_code, 200)
        self.assertContains(page, "年培训达 160 学时的社区工作者")
        self.assertContains(page, "薪酬不低于当地平均工资的社区工作者")
        self.login(self.world.auditor_a)  # the pay figure is confidential
        self.assertNotContains(self.client.get("/targets/", {"app": "cadres"}), "薪酬不低于当地平均工资")


class WelfareRules(RulesTestCase):
    def test_who_is_due_for_the_examination_and_missing_an_insurance(self) -> None:
        year = timezone.localdate().year
        cadre(self.world.community_a, name="体检过", number="H1", last_exam_on=date(year, 1, 2), pension=True,
              medical=True, unemployment=True, injury=True, maternity=True)  # fmt: skip
        self.login(self.world.officer_a)
        url = reverse("cadres:cadre_list")
        due = self.client.get(url, {"exam_due": "true"}).content.decode()
        self.assertIn("周社工", due)
        self.assertNotIn("体检过", due)
        uninsured = self.client.get(url, {"uninsured": "true"}).content.decode()
        self.assertIn("周社工", uninsured)
        self.assertNotIn("体检过", uninsured)
        from shequ.core.today import todos

        labels = {str(t.label) for t in todos(self.world.officer_a)}
        self.assertIn("应进行年度体检的社区工作者", labels)
