"""Issue 4 §1, §2 and §5 beyond the rules: the member archive exported (.xlsx and API) within scope; who is
due for the next step per branch and the dues arrears per branch, on the pages and in the API."""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, ClassVar

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import override

from shequ.accounts.actions import do_grant
from shequ.accounts.models import APIToken, User
from shequ.core.testing import WorldTestCase, streamed, xlsx_rows
from shequ.orgs.actions import do_appoint
from shequ.orgs.models import Title
from shequ.party import actions
from shequ.party.models import Category, MemberStatus, PartyMember, RelationTransfer
from shequ.people.tests.helpers import make_id, resident

from .helpers import DevelopmentStages, PartyTree, member


def bearer(user: User) -> dict[str, Any]:
    return {"Authorization": f"Bearer {APIToken.issue(user)[1]}"}


class ArchiveExportTests(WorldTestCase):
    tree: ClassVar[PartyTree]
    m: ClassVar[PartyMember]

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        w = cls.world
        cls.tree = PartyTree(w)
        introducers = [member(w, cls.tree.branch_a, name=f"介绍人{i}") for i in (1, 2)]
        record = actions.do_register_applicant(
            acting_user=w.admin,
            organization=cls.tree.branch_a,
            name="档案党员",
            id_number=make_id(born=date(1990, 2, 2), seq=611),
            applied_on=date(2020, 1, 6),
        )
        actions.do_make_activist(record, acting_user=w.admin, on=date(2020, 2, 3), contacts=[introducers[0]])
        actions.do_make_target(record, acting_user=w.admin, on=date(2021, 3, 1))
        cls.m = actions.do_admit(record, acting_user=w.admin, on=date(2021, 7, 1), introducers=introducers)
        actions.do_convert(cls.m, acting_user=w.admin, decided_on=date(2022, 7, 1))
        actions.do_update_member(cls.m, acting_user=w.admin, category=Category.ON_THE_JOB, dues_base=Decimal("4000"))
        actions.do_add_event(cls.m, acting_user=w.admin, kind="honour", on=date(2023, 7, 1), title="优秀共产党员")
        actions.do_record_dues(cls.m, acting_user=w.admin, month=date(2023, 1, 1), paid_on=date(2023, 1, 20))
        t = actions.do_request_transfer(cls.m, acting_user=w.admin, to_org=cls.tree.branch_b)
        actions.do_reject_transfer(t, acting_user=w.admin, reason="材料不全")
        cls.m.refresh_from_db()

    def test_printable_and_exported_from_the_page(self) -> None:
        self.login(self.world.officer_a)
        page = self.client.get(self.m.get_absolute_url())
        self.assertContains(page, "data-print")
        # The printout starts with its heading (the member and the organization), before the record.
        html = page.content.decode()
        heading = html.index('data-testid="print-heading"')
        self.assertLess(heading, html.index("<dl"))
        self.assertIn("档案党员", html[heading : html.index("<dl")])
        url = reverse("party:member_archive_export", args=[self.m.pk])
        self.assertContains(page, url)
        rows = xlsx_rows(streamed(self.client.get(url)))
        cells = {str(c) for row in rows for c in row}
        self.assertIn("档案党员", cells)
        self.assertIn(self.m.id_masked, cells)  # a street officer sees the mask only
        self.assertNotIn(self.m.id_number, cells)
        self.assertIn("优秀共产党员", cells)  # the timeline
        self.assertIn("介绍人1、介绍人2", cells)  # the development and its introducers
        self.assertIn(self.tree.branch_b.name, cells)  # the transfer, rejected: the keeper still sees it
        self.assertIn("2023-01", cells)  # dues
        self.assertIn("40.00", cells)  # the monthly dues by the brackets

    def test_export_within_scope(self) -> None:
        url = reverse("party:member_archive_export", args=[self.m.pk])
        for user in (self.world.officer_b, self.world.nobody):
            self.login(user)
            self.assertEqual(self.client.get(url).status_code, 404)
        self.login(None)
        self.assertEqual(self.client.get(url).status_code, 302)
        secretary = User.objects.create_user("archive_secretary", password="x-pass-123", node=self.world.community_a)
        do_grant(secretary, "branch_secretary", None, acting_user=self.world.admin, organization=self.tree.branch_a)
        self.login(secretary)
        cells = {str(c) for row in xlsx_rows(streamed(self.client.get(url))) for c in row}
        self.assertIn(self.m.id_number, cells)  # view_pii in their branch
        other = User.objects.create_user("other_secretary", password="x-pass-123", node=self.world.community_a)
        do_grant(other, "branch_secretary", None, acting_user=self.world.admin, organization=self.tree.grid_branch_a)
        self.login(other)
        self.assertEqual(self.client.get(url).status_code, 404)

    def test_api(self) -> None:
        path = f"/api/v1/party/members/{self.m.pk}/archive"
        data = self.client.get(path, headers=bearer(self.world.officer_a)).json()
        self.assertEqual(data["member"]["name"], "档案党员")
        self.assertEqual(data["member"]["monthly_dues"], "40.00")
        self.assertEqual(data["id_number"], self.m.id_masked)
        self.assertEqual(data["development"]["admitted_on"], "2021-07-01")
        self.assertIn("优秀共产党员", [e["title"] for e in data["events"]])
        self.assertEqual([t["status"] for t in data["transfers"]], ["rejected"])
        self.assertEqual([p["month"] for p in data["dues"]], ["2023-01-01"])
        self.assertEqual(self.client.get(path, headers=bearer(self.world.officer_b)).status_code, 404)
        self.assertEqual(self.client.get(path).status_code, 401)

    def test_an_open_transfer_shows_to_the_receiver_but_not_the_archive(self) -> None:
        t = actions.do_request_transfer(self.m, acting_user=self.world.admin, to_org=self.tree.branch_b)
        self.assertEqual(
            self.client.get(f"/api/v1/party/transfers/{t.pk}", headers=bearer(self.world.officer_b)).status_code, 200
        )
        path = f"/api/v1/party/members/{self.m.pk}/archive"
        self.assertEqual(self.client.get(path, headers=bearer(self.world.officer_b)).status_code, 404)
        data = self.client.get(path, headers=bearer(self.world.officer_a)).json()
        self.assertEqual([x["is_open"] for x in data["transfers"]], [True, False])


class ArchivePostsTests(WorldTestCase):
    """A member who is a resident has the posts the register of posts records for them in the archive."""

    def test_posts_held_on_the_page_and_in_the_workbook(self) -> None:
        w = self.world
        tree = PartyTree(w)
        person = resident(w, w.grid_a, name="任职党员", id_number=make_id(seq=641))
        m = member(w, tree.branch_a, name="任职党员", id_number=make_id(seq=641), resident=person)
        elsewhere = resident(w, w.grid_a, name="别人", id_number=make_id(seq=642))
        do_appoint(
            acting_user=w.admin,
            organization=tree.committee_a,
            title=Title.DEPUTY_SECRETARY,
            person=person,
            start_date=date(2018, 3, 1),
            end_date=date(2021, 2, 28),
        )
        do_appoint(
            acting_user=w.admin,
            organization=tree.branch_a,
            title=Title.SECRETARY,
            person=person,
            start_date=date(2021, 3, 1),
        )
        do_appoint(
            acting_user=w.admin,
            organization=tree.branch_a,
            title=Title.MEMBER,
            person=elsewhere,
            start_date=date(2021, 3, 1),
        )
        self.login(w.officer_a)
        page = self.client.get(m.get_absolute_url())
        with override("zh-hans"):
            secretary, deputy, member_title = (
                str(t.label) for t in (Title.SECRETARY, Title.DEPUTY_SECRETARY, Title.MEMBER)
            )
        posts = re.search(r'data-testid="posts".*?</ul>', page.content.decode(), re.S)
        assert posts is not None
        # The current post first, then the one held before, with its dates; nobody else's post.
        self.assertLess(posts.group(0).index(f">{secretary}</a>"), posts.group(0).index(f">{deputy}</a>"))
        self.assertIn("2018-03-01 – 2021-02-28", posts.group(0))
        self.assertNotIn(f">{member_title}</a>", posts.group(0))
        cells = {
            str(c)
            for row in xlsx_rows(streamed(self.client.get(reverse("party:member_archive_export", args=[m.pk]))))
            for c in row
        }
        self.assertTrue({secretary, deputy, tree.committee_a.name} <= cells)
        self.assertNotIn(member_title, cells)
        data = self.client.get(f"/api/v1/party/members/{m.pk}/archive").json()
        self.assertEqual(
            [(p["title"], p["organization_name"], p["start_date"], p["end_date"]) for p in data["posts"]],
            [
                ("secretary", tree.branch_a.name, "2021-03-01", None),
                ("deputy_secretary", tree.committee_a.name, "2018-03-01", "2021-02-28"),
            ],
        )
        # A member who is not a resident: no posts card.
        plain = member(w, tree.branch_a, name="无居民档案")
        self.assertNotContains(self.client.get(plain.get_absolute_url()), 'data-testid="posts"')


class ConvertButtonTests(WorldTestCase):
    def test_offered_once_the_probation_has_ended(self) -> None:
        w = self.world
        tree = PartyTree(w)
        today = timezone.localdate()
        new = member(w, tree.branch_a, status=MemberStatus.PROBATIONARY, joined_on=today - timedelta(days=30))
        due = member(w, tree.branch_a, status=MemberStatus.PROBATIONARY, joined_on=date(today.year - 2, 1, 1))
        self.login(w.officer_a)
        page = self.client.get(new.get_absolute_url()).content.decode()
        convert = reverse("party:member_convert", args=[new.pk])
        self.assertNotIn(f'href="{convert}"', page)  # not before the end: the page says when instead
        assert new.probation_ends is not None
        self.assertRegex(
            page,
            rf'<span class="btn btn-primary disabled"[^>]*data-testid="convert"[^>]*>'
            rf"[^<]*{new.probation_ends:%Y-%m-%d}",
        )
        self.assertIn(
            f'href="{reverse("party:member_convert", args=[due.pk])}"',
            self.client.get(due.get_absolute_url()).content.decode(),
        )


class IncomingPageTests(WorldTestCase):
    """Registering a member who arrives from outside the platform, through the page."""

    def test_registered_through_the_form_and_a_bad_number_changes_nothing(self) -> None:
        w = self.world
        tree = PartyTree(w)
        self.login(w.officer_a)
        url = reverse("party:transfer_incoming")
        form = self.client.get(url)
        self.assertContains(form, 'name="outside_org"')
        data = {
            "to_org": tree.branch_a.pk,
            "outside_org": "外省某街道党工委",
            "letter_number": "外-2026-1",
            "valid_until": (timezone.localdate() + timedelta(days=30)).isoformat(),
            "person_name": "转入丙",
            "id_number": "110101199001011230",  # wrong check digit
            "member_status": MemberStatus.FULL,
            "joined_on": "2015-07-01",
            "category": Category.ON_THE_JOB,
            "reason": "",
        }
        refused = self.client.post(url, data)
        self.assertEqual(refused.status_code, 400)
        self.assertContains(refused, "外-2026-1", status_code=400)  # what was typed is kept
        self.assertFalse(RelationTransfer.objects.filter(person_name="转入丙").exists())
        data["id_number"] = make_id(born=date(1990, 1, 1), seq=881)
        done = self.client.post(url, data)
        self.assertEqual(done.status_code, 302)
        transfer = RelationTransfer.objects.get(person_name="转入丙")
        self.assertEqual((transfer.to_org_id, transfer.outside_org), (tree.branch_a.pk, "外省某街道党工委"))
        # Another street's officer cannot register into street A's branch (nor see it offered).
        self.login(w.officer_b)
        data["id_number"] = make_id(born=date(1990, 1, 1), seq=882)
        self.assertEqual(self.client.post(url, data).status_code, 400)


class DueListTests(WorldTestCase):
    """Who is due for the next step, per branch: applicants, activists of a year, development targets and
    probations ending (overdue when the end passed without a decision)."""

    tree: ClassVar[PartyTree]

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        w = cls.world
        cls.tree = PartyTree(w)
        today = timezone.localdate()
        DevelopmentStages(w, cls.tree, 700)
        member(
            w,
            cls.tree.grid_branch_a,
            name="逾期预备党员",
            status=MemberStatus.PROBATIONARY,
            joined_on=today - timedelta(days=400),
        )
        member(
            w,
            cls.tree.branch_b,
            name="外街预备党员",
            status=MemberStatus.PROBATIONARY,
            joined_on=today - timedelta(days=400),
        )

    def test_page_per_branch(self) -> None:
        self.login(self.world.officer_a)
        page = self.client.get(reverse("party:due"))
        groups = page.context["groups"]
        names = {org.pk: {i.obj.name for i in items} for org, items in groups.items()}
        self.assertEqual(names[self.tree.branch_a.pk], {"申请人", "老积极分子"})  # not the activist of a month
        self.assertEqual(names[self.tree.grid_branch_a.pk], {"发展对象", "逾期预备党员"})
        self.assertNotIn(self.tree.branch_b.pk, names)
        self.assertContains(page, "bg-red-lt")  # the overdue probation
        one = self.client.get(reverse("party:due"), {"organization": self.tree.grid_branch_a.pk})
        self.assertEqual([org.pk for org in one.context["groups"]], [self.tree.grid_branch_a.pk])

    def test_api(self) -> None:
        data = self.client.get("/api/v1/party/due", headers=bearer(self.world.officer_a)).json()
        steps = {g["organization_id"]: {i["name"]: (i["step"], i["overdue"]) for i in g["items"]} for g in data}
        self.assertEqual(steps[self.tree.branch_a.pk], {"申请人": ("activist", False), "老积极分子": ("target", False)})
        self.assertEqual(
            steps[self.tree.grid_branch_a.pk], {"发展对象": ("admit", False), "逾期预备党员": ("probation", True)}
        )
        self.assertNotIn(self.tree.branch_b.pk, steps)
        secretary = User.objects.create_user("due_secretary", password="x-pass-123", node=self.world.community_a)
        do_grant(secretary, "branch_secretary", None, acting_user=self.world.admin, organization=self.tree.branch_a)
        mine = self.client.get("/api/v1/party/due", headers=bearer(secretary)).json()
        self.assertEqual([g["organization_id"] for g in mine], [self.tree.branch_a.pk])
        self.assertEqual(self.client.get("/api/v1/party/due", headers=bearer(self.world.nobody)).status_code, 404)


class ArrearsTests(WorldTestCase):
    """Dues by the brackets, payments recorded, arrears listed per branch (page and API)."""

    tree: ClassVar[PartyTree]

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        w = cls.world
        cls.tree = PartyTree(w)
        cls.year = timezone.localdate().year - 1  # a whole year owed, whatever today is
        cls.employed = member(w, cls.tree.branch_a, name="在职党员", dues_base="4000")  # 1 %: 40.00 a month
        cls.retired = member(w, cls.tree.grid_branch_a, name="退休党员", category=Category.RETIRED, dues_base="6000")
        cls.unknown = member(w, cls.tree.grid_branch_a, name="未填收入党员")
        cls.student = member(w, cls.tree.grid_branch_a, name="学生党员", category=Category.STUDENT)
        cls.paid_up = member(w, cls.tree.branch_a, name="缴清党员", category=Category.LAID_OFF)
        for month in range(1, 13):
            actions.do_record_dues(cls.paid_up, acting_user=w.admin, month=date(cls.year, month, 1))
        actions.do_record_dues(cls.employed, acting_user=w.admin, month=date(cls.year, 1, 1))
        member(w, cls.tree.branch_b, name="外街党员", dues_base="4000")

    year: ClassVar[int]
    employed: ClassVar[PartyMember]
    retired: ClassVar[PartyMember]
    unknown: ClassVar[PartyMember]
    student: ClassVar[PartyMember]
    paid_up: ClassVar[PartyMember]

    def test_the_paid_up_indicator_counts_as_the_page_and_follows_payments(self) -> None:
        from shequ.core import indicators
        from shequ.party.indicators import DUES_PAID_UP

        w = self.world
        indicators.refresh([DUES_PAID_UP], year=self.year)
        rate = indicators.INDICATORS[DUES_PAID_UP]
        # Of the five members of street A, the page lists four in arrears: one is paid up.
        street = indicators.figure(rate, w.street_a, self.year)
        self.assertEqual((street.numerator, street.denominator), (1, 5))
        self.assertEqual(indicators.figure(rate, w.street_b, self.year).denominator, 1)
        with self.captureOnCommitCallbacks(execute=True):
            for month in range(2, 13):
                actions.do_record_dues(self.employed, acting_user=w.admin, month=date(self.year, month, 1))
        # Late payments for a past year count once that year's figure is computed again.
        indicators.refresh([DUES_PAID_UP], year=self.year)
        self.assertEqual(indicators.figure(rate, w.street_a, self.year).numerator, 2)

    def test_page_per_branch(self) -> None:
        self.login(self.world.officer_a)
        page = self.client.get(reverse("party:arrears"), {"year": self.year})
        rows = {
            org.pk: {r.member.name: (len(r.months), r.amount) for r in items}
            for org, items in page.context["groups"].items()
        }
        self.assertEqual(rows[self.tree.branch_a.pk], {"在职党员": (11, Decimal("440.00"))})
        self.assertEqual(
            rows[self.tree.grid_branch_a.pk],
            {"退休党员": (12, Decimal("720.00")), "未填收入党员": (12, None), "学生党员": (12, Decimal("2.40"))},
        )
        self.assertNotIn(self.tree.branch_b.pk, rows)
        self.assertNotContains(page, "外街党员")
        self.assertEqual(
            self.client.get(reverse("party:arrears"), {"organization": self.tree.branch_b.pk}).status_code, 404
        )

    def test_api(self) -> None:
        data = self.client.get(
            "/api/v1/party/arrears", {"year": self.year}, headers=bearer(self.world.officer_a)
        ).json()
        self.assertEqual((data["year"], data["page"], data["has_next"], data["count"]), (self.year, 1, False, 5))
        groups = {
            g["organization_id"]: {m["name"]: (len(m["months"]), m["amount"]) for m in g["members"]}
            for g in data["organizations"]
        }
        self.assertEqual(groups[self.tree.branch_a.pk], {"在职党员": (11, "440.00")})
        self.assertEqual(groups[self.tree.grid_branch_a.pk]["未填收入党员"], (12, None))
        one = self.client.get(
            "/api/v1/party/arrears",
            {"year": self.year, "organization": self.tree.branch_b.pk},
            headers=bearer(self.world.officer_a),
        )
        self.assertEqual(one.status_code, 404)
        secretary = User.objects.create_user("dues_secretary", password="x-pass-123", node=self.world.community_a)
        do_grant(secretary, "branch_secretary", None, acting_user=self.world.admin, organization=self.tree.branch_a)
        mine = self.client.get("/api/v1/party/arrears", {"year": self.year}, headers=bearer(secretary)).json()
        self.assertEqual([g["organization_id"] for g in mine["organizations"]], [self.tree.branch_a.pk])
        self.assertEqual(self.client.get("/api/v1/party/arrears", headers=bearer(self.world.nobody)).status_code, 404)

    def test_monthly_dues_in_the_member_api(self) -> None:
        headers = bearer(self.world.officer_a)
        due = {
            m.name: self.client.get(f"/api/v1/party/members/{m.pk}", headers=headers).json()["monthly_dues"]
            for m in (self.employed, self.retired, self.unknown, self.student, self.paid_up)
        }
        self.assertEqual(
            due,
            {"在职党员": "40.00", "退休党员": "60.00", "未填收入党员": None, "学生党员": "0.20", "缴清党员": "0.20"},
        )
