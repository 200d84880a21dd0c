"""The catalogue, routing, and every step of a request: who may take it, what it changes, the case file."""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar
from unittest import mock
from zoneinfo import ZoneInfo

from django.core.files.uploadedfile import SimpleUploadedFile

from shequ.core.exceptions import ActionError, NotFound
from shequ.core.notifications import about
from shequ.core.testing import WorldTestCase
from shequ.orgs.models import OrgKind
from shequ.services import actions, routing
from shequ.services.models import (
    Attachment,
    CaseEvent,
    DeadlineTier,
    EventKind,
    RoutingRule,
    ServiceCategory,
    ServiceRequest,
    Status,
    SubTask,
    SubTaskStatus,
)

from .helpers import ServicesTree, category, file, org

CST = ZoneInfo("Asia/Shanghai")


def routed(cat: ServiceCategory, path: str) -> Any:
    rule = routing.route(cat, path)
    assert rule is not None
    return rule.organization


def visible(user: Any) -> set[int]:
    return set(ServiceRequest.objects.restrict(user, "view").values_list("pk", flat=True))


class CatalogueTests(WorldTestCase):
    def test_standard_catalogue_is_installed(self) -> None:
        tiers = {t.code: (t.amount, t.unit) for t in DeadlineTier.objects.all()}
        self.assertEqual(
            tiers,
            {
                "emergency": (2, "hours"),
                "utilities": (24, "working_hours"),
                "general": (7, "working_days"),
                "complex": (15, "working_days"),
            },
        )
        names = set(ServiceCategory.objects.filter(parent__isnull=True).values_list("code", flat=True))
        for code in (
            "water",
            "power",
            "heating",
            "property",
            "sanitation",
            "security",
            "disputes",
            "elderly",
            "employment",
            "assistance",
            "consultation",
        ):
            self.assertIn(code, names)
        burst = category("water-burst")
        self.assertEqual(getattr(burst.effective_tier(), "code", None), "emergency")  # its own
        self.assertEqual(getattr(category("water-outage").effective_tier(), "code", None), "utilities")  # the parent's
        self.assertTrue(category("water-outage").attributes.filter(code="scope", required=True).exists())

    def test_catalogue_scope(self) -> None:
        w = self.world
        self.assertTrue(ServiceCategory.objects.restrict(w.officer_a, "view").exists())
        self.assertFalse(ServiceCategory.objects.restrict(w.officer_a, "change").exists())  # not the whole city
        self.assertFalse(ServiceCategory.objects.restrict(w.nobody, "view").exists())
        city = w.user("city_admin", "city_admin", w.city)
        self.assertTrue(ServiceCategory.objects.restrict(city, "change").exists())

    def test_attributes_are_typed(self) -> None:
        outage = category("water-outage")
        with self.assertRaises(ActionError) as ctx:
            actions.validate_attributes(outage, {})
        self.assertEqual(ctx.exception.code, "invalid_attribute")
        with self.assertRaises(ActionError):
            actions.validate_attributes(outage, {"scope": "galaxy"})
        with self.assertRaises(ActionError):
            actions.validate_attributes(outage, {"scope": "building", "since": "yesterday"})
        cleaned = actions.validate_attributes(
            outage, {"scope": "building", "since": "2025-01-02T08:00:00+08:00", "x": 1}
        )
        self.assertEqual(cleaned, {"scope": "building", "since": "2025-01-02T08:00:00+08:00"})
        with self.assertRaises(ActionError):
            actions.validate_attributes(category("heating-cold"), {"temperature": "warm"})
        self.assertEqual(
            actions.validate_attributes(category("heating-cold"), {"temperature": "16.5"}), {"temperature": "16.5"}
        )


class RoutingTests(WorldTestCase):
    tree: ClassVar[ServicesTree]

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.tree = ServicesTree(cls.world)

    def test_nearest_rule_up_the_tree_wins(self) -> None:
        w, t = self.world, self.tree
        water, outage = category("water"), category("water-outage")
        # Only the community's catch-all rule: it applies to the grid below too.
        self.assertEqual(routed(outage, w.grid_a.path), t.committee_a)
        # A district rule for water is farther away than the community's catch-all.
        RoutingRule.objects.create(node=w.district, category=water, organization=t.water)
        self.assertEqual(routed(outage, w.grid_a.path), t.committee_a)
        # At one node the category beats the catch-all, the sub-category beats its parent.
        RoutingRule.objects.create(node=w.community_a, category=water, organization=t.water)
        self.assertEqual(routed(outage, w.grid_a.path), t.water)
        RoutingRule.objects.create(node=w.community_a, category=outage, organization=t.station_a)
        self.assertEqual(routed(outage, w.grid_a.path), t.station_a)
        self.assertEqual(routed(category("water-burst"), w.grid_a.path), t.water)
        # The nearest node wins even over a more specific category farther up.
        RoutingRule.objects.create(node=w.grid_a, category=None, organization=t.committee_a)
        self.assertEqual(routed(outage, w.grid_a.path), t.committee_a)
        # Nothing applies in a street without rules.
        self.assertEqual(routed(outage, w.street_a.path), t.water)  # the district rule
        self.assertIsNone(routing.route(category("garbage"), w.street_a.path))

    def test_filing_routes_automatically(self) -> None:
        r = file(self.world, self.world.grid_a)
        self.assertEqual(
            (r.status, r.organization, r.responsible_path),
            (Status.SUBMITTED, self.tree.committee_a, self.tree.committee_a.path),
        )
        self.assertTrue(r.events.filter(kind=EventKind.ROUTING).exists())
        self.assertEqual(len(r.code), 12)
        self.assertEqual(r.phone_last4, "5678")


class WorkflowTests(WorldTestCase):
    tree: ClassVar[ServicesTree]

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.tree = ServicesTree(cls.world)

    def setUp(self) -> None:
        self.a, self.b = self.tree.worker_a, self.tree.worker_b

    def error(self, code: str, work: Any) -> None:
        with self.assertRaises(ActionError) as ctx:
            work()
        self.assertEqual(ctx.exception.code, code, ctx.exception.messages)

    def steps(self, r: ServiceRequest) -> list[str]:
        return list(r.events.filter(kind=EventKind.STATUS).values_list("to_status", flat=True))

    def test_full_flow(self) -> None:
        r = file(self.world, acting_user=self.a)
        with self.assertRaises(NotFound):
            actions.do_accept(r, acting_user=self.b)
        self.error("wrong_status", lambda: actions.do_assign(r, acting_user=self.a))
        r = actions.do_accept(r, acting_user=self.a)
        self.assertEqual(r.status, Status.ACCEPTED)
        self.assertIsNotNone(r.deadline)
        assert r.accepted_at and r.warn_at and r.deadline
        self.assertTrue(r.accepted_at < r.warn_at < r.deadline)
        r = actions.do_assign(r, acting_user=self.a)
        self.assertEqual((r.status, r.organization), (Status.ASSIGNED, self.tree.committee_a))
        self.assertTrue(about(r).filter(user=self.a).exists())
        r = actions.do_start(r, acting_user=self.a)
        self.assertEqual((r.status, r.handler), (Status.IN_PROGRESS, self.a))
        self.error("note_required", lambda: actions.do_resolve(r, acting_user=self.a, note=""))
        r = actions.do_resolve(r, acting_user=self.a, note="已与物业公司沟通，退还多收费用")
        self.assertEqual(
            (r.status, r.is_open, r.status_notes), (Status.RESOLVED, False, "已与物业公司沟通，退还多收费用")
        )
        self.assertTrue(r.on_time)
        self.error("invalid_rating", lambda: actions.do_rate(r, acting_user=None, rating=6))
        r = actions.do_rate(r, acting_user=None, rating=5, comment="满意", actor_label="居民")
        self.assertEqual((r.status, r.rating), (Status.RATED, 5))
        r = actions.do_close(r, acting_user=self.a)
        self.assertEqual(r.status, Status.CLOSED)
        self.assertEqual(
            self.steps(r)[1:],
            [Status.ACCEPTED, Status.ASSIGNED, Status.IN_PROGRESS, Status.RESOLVED, Status.RATED, Status.CLOSED],
        )
        # Every step says who and when.
        for event in r.events.all():
            self.assertTrue(event.who)
            self.assertIsNotNone(event.at)

    def test_window_accepts_on_the_spot(self) -> None:
        r = file(self.world, acting_user=self.a, accept=True)
        self.assertEqual(r.status, Status.ACCEPTED)
        self.assertEqual(r.tier_name.split(" ")[0], "一般")

    def test_deadline_computed_at_acceptance_across_national_day(self) -> None:
        r = file(self.world, acting_user=self.a)
        accepted = datetime(2025, 9, 30, 15, 0, tzinfo=CST)
        with mock.patch("django.utils.timezone.now", return_value=accepted):
            r = actions.do_accept(r, acting_user=self.a)
        self.assertEqual(r.deadline, datetime(2025, 10, 16, 23, 59, 59, tzinfo=CST))
        # An emergency runs around the clock.
        burst = file(self.world, code="water-burst", acting_user=self.a, attributes={"location": "3号楼"})
        with mock.patch("django.utils.timezone.now", return_value=datetime(2025, 10, 1, 23, 0, tzinfo=CST)):
            burst = actions.do_accept(burst, acting_user=self.a)
        self.assertEqual(burst.deadline, datetime(2025, 10, 2, 1, 0, tzinfo=CST))

    def _in_progress(self, **kw: Any) -> ServiceRequest:
        r = file(self.world, acting_user=self.a, accept=True, **kw)
        r = actions.do_assign(r, acting_user=self.a)
        return actions.do_start(r, acting_user=self.a)

    def test_returned_for_wrong_routing(self) -> None:
        water = self.tree.water
        r = file(self.world, acting_user=self.a, accept=True)
        r = actions.do_assign(r, acting_user=self.a, organization=water)
        self.assertEqual(r.responsible_path, water.path)
        # The community worker is not on the water company's side.
        with self.assertRaises(NotFound):
            actions.do_return(r, acting_user=self.a, reason="x")
        officer = self.tree.district_officer
        self.error("reason_required", lambda: actions.do_return(r, acting_user=officer, reason=" "))
        r = actions.do_return(r, acting_user=officer, reason="不属于供水问题")
        self.assertEqual((r.status, r.organization, r.return_reason), (Status.RETURNED, None, "不属于供水问题"))
        self.assertTrue(about(r).filter(user=self.a, text__contains="不属于供水问题").exists())
        r = actions.do_assign(r, acting_user=self.a, organization=self.tree.committee_a)
        self.assertEqual(r.status, Status.ASSIGNED)

    def test_unsatisfied_rating_reopens_once(self) -> None:
        r = actions.do_resolve(self._in_progress(), acting_user=self.a, note="已处理")
        r = actions.do_rate(r, acting_user=None, rating=1, comment="没有解决")
        self.assertEqual((r.status, r.is_open, r.reopened_count, r.resolved_at), (Status.REOPENED, True, 1, None))
        r = actions.do_start(r, acting_user=self.a)
        r = actions.do_resolve(r, acting_user=self.a, note="再次上门处理")
        r = actions.do_rate(r, acting_user=None, rating=2)
        self.assertEqual((r.status, r.rating), (Status.RATED, 2))  # not a second time
        self.error("wrong_status", lambda: actions.do_rate(r, acting_user=None, rating=5))

    def test_close_without_rating_and_wrong_steps(self) -> None:
        r = self._in_progress()
        self.error("wrong_status", lambda: actions.do_close(r, acting_user=self.a))
        self.error("wrong_status", lambda: actions.do_accept(r, acting_user=self.a))
        r = actions.do_resolve(r, acting_user=self.a, note="已处理")
        r = actions.do_close(r, acting_user=self.a)
        self.assertEqual(r.status, Status.CLOSED)

    def test_scope(self) -> None:
        r = file(self.world, acting_user=self.a)
        self.assertIn(r.pk, visible(self.a))
        self.assertIn(r.pk, visible(self.world.officer_a))
        self.assertNotIn(r.pk, visible(self.b))
        self.assertNotIn(r.pk, visible(self.world.officer_b))
        self.assertNotIn(r.pk, visible(self.world.nobody))
        with self.assertRaises(NotFound):
            file(self.world, acting_user=self.a, node=self.world.community_b)
        with self.assertRaises(NotFound):
            file(self.world, acting_user=self.world.auditor_a)

    def test_subtasks_share_the_case_file(self) -> None:
        r = self._in_progress()
        with self.assertRaises(NotFound):
            actions.do_open_subtask(r, acting_user=self.b, organization=self.tree.committee_b, instruction="x")
        self.error(
            "same_org",
            lambda: actions.do_open_subtask(r, acting_user=self.a, organization=self.tree.committee_a, instruction="x"),
        )
        task = actions.do_open_subtask(
            r, acting_user=self.a, organization=self.tree.committee_b, instruction="请协助核实楼上住户"
        )
        # Community B sees the request (through its sub-task) and the sub-task; nothing else of A's.
        other = file(self.world, acting_user=self.a)
        self.assertIn(r.pk, visible(self.b))
        self.assertNotIn(other.pk, visible(self.b))
        self.assertIn(task.pk, set(SubTask.objects.restrict(self.b, "view").values_list("pk", flat=True)))
        self.assertTrue(about(r).filter(user=self.b, kind=EventKind.SUBTASK).exists())
        # B writes in the shared case file, but may not resolve A's request.
        actions.do_comment(r, acting_user=self.b, text="已联系楼上住户")
        with self.assertRaises(NotFound):
            actions.do_resolve(r, acting_user=self.b, note="x")
        self.error("open_subtasks", lambda: actions.do_resolve(r, acting_user=self.a, note="已处理"))
        with self.assertRaises(NotFound):
            actions.do_complete_subtask(task, acting_user=self.world.nobody, result="x")
        task = actions.do_complete_subtask(task, acting_user=self.b, result="已核实")
        self.assertEqual((task.status, task.done_by), (SubTaskStatus.DONE, self.b))
        self.error("wrong_status", lambda: actions.do_complete_subtask(task, acting_user=self.b, result="again"))
        r = actions.do_resolve(r, acting_user=self.a, note="已处理")
        kinds = list(r.events.values_list("kind", flat=True))
        self.assertIn(EventKind.SUBTASK, kinds)
        self.assertTrue(CaseEvent.objects.filter(request=r, kind=EventKind.COMMENT, actor=self.b).exists())

    def test_duplicates_and_merge(self) -> None:
        first = file(self.world, acting_user=self.a)
        second = file(self.world, acting_user=self.a)
        elsewhere = file(self.world, acting_user=self.b, node=self.world.community_b)
        other_category = file(self.world, acting_user=self.a, code="garbage")
        dupes = list(routing.likely_duplicates(second.category, second.node, exclude=second.pk))
        self.assertEqual(dupes, [first])
        self.assertNotIn(elsewhere, dupes)
        self.assertNotIn(other_category, dupes)
        merged = actions.do_merge(second, acting_user=self.a, into=first)
        self.assertEqual((merged.status, merged.duplicate_of, merged.is_open), (Status.CLOSED, first, False))
        self.error(
            "invalid_merge",
            lambda: actions.do_merge(file(self.world, acting_user=self.a), acting_user=self.a, into=merged),
        )

    def test_attachments(self) -> None:
        r = file(self.world, acting_user=self.a)
        png = b"\x89PNG\r\n\x1a\n" + b"0" * 100
        attachment = actions.do_attach(r, acting_user=self.a, upload=SimpleUploadedFile("漏水.png", png))
        self.assertEqual((attachment.content_type, attachment.size), ("image/png", len(png)))
        self.assertFalse(attachment.stored.startswith("/"))
        from django.conf import settings

        stored = (settings.MEDIA_ROOT / attachment.stored).read_bytes()
        self.assertNotIn(b"0" * 50, stored)  # encrypted at rest
        response = actions.open_attachment(self.a, attachment.pk)
        self.assertEqual(b"".join(response.streaming_content), png)
        with self.assertRaises(NotFound):
            actions.open_attachment(self.b, attachment.pk)
        self.error(
            "bad_file_type", lambda: actions.do_attach(r, acting_user=self.a, upload=SimpleUploadedFile("x.exe", b"MZ"))
        )
        self.error(
            "bad_file_type",
            lambda: actions.do_attach(r, acting_user=self.a, upload=SimpleUploadedFile("x.png", b"GIF89a....")),
        )
        with self.settings(SHEQU_MAX_ATTACHMENT_BYTES=50):
            self.error(
                "too_large", lambda: actions.do_attach(r, acting_user=self.a, upload=SimpleUploadedFile("y.png", png))
            )
        self.assertEqual(Attachment.objects.filter(request=r).count(), 1)

    def test_required_fields(self) -> None:
        self.error("description_required", lambda: file(self.world, acting_user=self.a, description=" "))
        self.error("choose_subcategory", lambda: file(self.world, acting_user=self.a, code="water"))
        self.error("contact_required", lambda: file(self.world, acting_user=self.a, contact_name=""))
        self.error("invalid_attribute", lambda: file(self.world, acting_user=self.a, code="water-outage"))

    def test_no_rule_means_choosing_the_organization(self) -> None:
        RoutingRule.objects.all().delete()
        r = file(self.world, acting_user=self.a, accept=True)
        self.assertIsNone(r.organization)
        self.error("org_required", lambda: actions.do_assign(r, acting_user=self.a))
        station = org(self.world.community_a, OrgKind.VOLUNTEER_STATION, "志愿服务站")
        self.assertEqual(actions.do_assign(r, acting_user=self.a, organization=station).organization, station)
