"""The shared case workflow (core.workflow) as users meet it, through the request workflow that is built on
it: the steps offered on the detail page (a blocked one says why), the timeline, the one lock-and-check
helper, the deadline watch of ``shequ tick``, and deadlines across Chinese holidays."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from io import StringIO
from typing import Any, ClassVar
from zoneinfo import ZoneInfo

from django.core.management import call_command
from django.test import SimpleTestCase
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st

from shequ.core import workdays
from shequ.core.exceptions import ActionError, NotFound
from shequ.core.notifications import about
from shequ.core.testing import WorldTestCase
from shequ.core.workflow import WORKFLOWS, check_all_deadlines
from shequ.services import actions
from shequ.services.actions.requests import WORKFLOW
from shequ.services.models import EventKind, Status
from shequ.services.tests.helpers import ServicesTree, file

CST = ZoneInfo("Asia/Shanghai")


class WorkflowTests(WorldTestCase):
    tree: ClassVar[ServicesTree]

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.tree = ServicesTree(cls.world)

    def steps_on_page(self, user: Any, request: Any) -> dict[str, bool]:
        """The step buttons of the detail page: name → enabled."""
        self.login(user)
        page = self.client.get(request.get_absolute_url())
        self.assertEqual(page.status_code, 200)
        return {a.name: not a.blocked for a in page.context["case_steps"]}

    def test_registered(self) -> None:
        self.assertIs(WORKFLOWS["services.servicerequest"], WORKFLOW)

    def test_detail_page_offers_the_steps_of_the_state_and_side(self) -> None:
        r = file(self.world, acting_user=self.world.officer_a)
        self.assertEqual(
            self.steps_on_page(self.world.officer_a, r),
            {"accept": True, "merge": True, "comment": True, "attach": True},
        )
        # The auditor reads the case but is offered nothing; the timeline is there.
        self.login(self.world.auditor_a)
        page = self.client.get(r.get_absolute_url())
        self.assertEqual(page.context["case_steps"], [])
        self.assertContains(page, 'data-testid="timeline"')
        self.assertNotContains(page, 'data-step="accept"')

    def test_a_guard_shows_as_a_disabled_step_with_its_reason(self) -> None:
        a = self.world.officer_a
        r = file(self.world, acting_user=a, accept=True)
        r = actions.do_assign(r, acting_user=a)
        r = actions.do_start(r, acting_user=a)
        actions.do_open_subtask(r, acting_user=a, organization=self.tree.water, instruction="核实水压")
        steps = self.steps_on_page(a, r)
        self.assertFalse(steps["resolve"])
        self.assertFalse(steps["return"])
        page = self.client.get(r.get_absolute_url())
        self.assertContains(page, "请先完结未完成的协办任务")
        # The page of the step says why too, and its button is disabled; posting is refused, nothing written.
        url = reverse("services:servicerequest_step", args=[r.pk, "resolve"])
        self.assertContains(self.client.get(url), 'data-testid="step-blocked"')
        response = self.client.post(url, {"note": "已处理"})
        self.assertEqual(response.status_code, 400)
        r.refresh_from_db()
        self.assertEqual(r.status, Status.IN_PROGRESS)

    def test_a_refused_step_keeps_what_was_typed(self) -> None:
        a = self.world.officer_a
        r = actions.do_start(
            actions.do_assign(file(self.world, acting_user=a, accept=True), acting_user=a), acting_user=a
        )
        actions.do_open_subtask(r, acting_user=a, organization=self.tree.water, instruction="核实水压")
        self.login(a)
        response = self.client.post(
            reverse("services:servicerequest_step", args=[r.pk, "resolve"]), {"note": "换了阀门"}
        )
        self.assertContains(response, "换了阀门", status_code=400)

    def test_transition_checks_side_state_and_scope(self) -> None:
        r = file(self.world, acting_user=self.world.officer_a)
        with self.assertRaises(NotFound):  # another street
            actions.do_accept(r, acting_user=self.world.officer_b)
        with self.assertRaises(NotFound):  # reads, may not act
            actions.do_accept(r, acting_user=self.world.auditor_a)
        with self.assertRaises(ActionError) as ctx:  # not from this state
            actions.do_start(r, acting_user=self.world.officer_a)
        self.assertEqual(ctx.exception.code, "wrong_status")
        self.assertEqual(list(r.events.values_list("kind", flat=True)), [EventKind.STATUS, EventKind.ROUTING])  # filed

    def test_each_step_writes_its_timeline_entry(self) -> None:
        a = self.world.officer_a
        r = file(self.world, acting_user=a, accept=True)
        r = actions.do_assign(r, acting_user=a)
        entries = list(WORKFLOW.timeline_of(r).values_list("kind", "from_status", "to_status", "actor"))
        self.assertEqual(
            entries,
            [
                (EventKind.STATUS, "", Status.SUBMITTED, a.pk),
                (EventKind.ROUTING, "", "", a.pk),
                (EventKind.STATUS, Status.SUBMITTED, Status.ACCEPTED, a.pk),
                (EventKind.STATUS, Status.ACCEPTED, Status.ASSIGNED, a.pk),
            ],
        )
        # The assignment told the responsible organization's officers, linking to the request.
        notice = about(r).filter(user=self.tree.worker_a).get()
        self.assertEqual(notice.url, r.get_absolute_url())

    def test_a_reminder_before_the_deadline_once_to_the_assignee(self) -> None:
        """The clock is injected (``check_all_deadlines(now)``): nothing before the warning time; at it, one
        reminder to the request's handlers (not the officers above); never a second one; none once resolved."""
        a = self.tree.worker_a
        r = actions.do_assign(file(self.world, acting_user=a, accept=True), acting_user=a)
        assert r.warn_at is not None and r.deadline is not None
        self.assertLess(r.warn_at, r.deadline)

        def warnings() -> Any:
            return about(r).filter(kind=EventKind.WARNING)

        before = r.warn_at - timedelta(minutes=1)
        self.assertEqual(check_all_deadlines(before)["services.servicerequest"], {"warned": 0, "escalated": 0})
        self.assertFalse(warnings().exists())
        at = r.warn_at + timedelta(minutes=1)
        self.assertEqual(check_all_deadlines(at)["services.servicerequest"], {"warned": 1, "escalated": 0})
        self.assertEqual(list(warnings().values_list("user", flat=True)), [a.pk])
        self.assertFalse(warnings().filter(user=self.world.officer_a).exists())
        self.assertEqual(check_all_deadlines(at + timedelta(minutes=5))["services.servicerequest"]["warned"], 0)
        self.assertEqual(warnings().count(), 1)
        self.assertTrue(r.events.filter(kind=EventKind.WARNING).exists())
        # A request resolved before its warning time is never reminded.
        done = actions.do_assign(file(self.world, acting_user=a, accept=True), acting_user=a)
        done = actions.do_resolve(actions.do_start(done, acting_user=a), acting_user=a, note="已处理")
        assert done.warn_at is not None
        check_all_deadlines(done.warn_at + timedelta(minutes=1))
        self.assertFalse(about(done).filter(kind=EventKind.WARNING).exists())

    def test_tick_warns_and_escalates_every_workflow_once(self) -> None:
        r = file(self.world, acting_user=self.tree.worker_a, accept=True)
        assert r.deadline is not None
        later = r.deadline + timedelta(hours=1)
        self.assertEqual(check_all_deadlines(later)["services.servicerequest"], {"warned": 0, "escalated": 1})
        self.assertEqual(check_all_deadlines(later)["services.servicerequest"], {"warned": 0, "escalated": 0})
        self.assertTrue(r.events.filter(kind=EventKind.ESCALATION).exists())
        self.assertTrue(about(r).filter(user=self.world.officer_a).exists())  # one level up
        out = StringIO()
        call_command("tick", stdout=out)
        self.assertIn('"deadlines"', out.getvalue())


class NotificationCentreTests(WorldTestCase):
    tree: ClassVar[ServicesTree]

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.tree = ServicesTree(cls.world)

    def test_bell_list_open_and_read(self) -> None:
        w = self.tree.worker_a
        r = actions.do_assign(file(self.world, acting_user=w, accept=True), acting_user=w)
        notice = about(r).get(user=w)
        self.login(w)
        page = self.client.get(reverse("core:notification_list"))
        self.assertContains(page, 'data-testid="unread-count">1<')
        self.assertContains(page, r.code)
        # Opening it marks it read and leads to the request.
        self.assertRedirects(self.client.get(notice.get_absolute_url()), r.get_absolute_url())
        notice.refresh_from_db()
        self.assertIsNotNone(notice.read_at)
        self.assertNotContains(self.client.get(reverse("core:notification_list")), 'data-testid="unread-count"')
        # Another user's notification is not theirs to open.
        self.login(self.world.officer_b)
        self.assertEqual(self.client.get(notice.get_absolute_url()).status_code, 404)

    def test_a_foreign_address_is_not_followed(self) -> None:
        from shequ.core.notifications import notify

        notify([self.world.officer_a], "看这里", url="https://evil.example.com/x")
        self.login(self.world.officer_a)
        n = self.world.officer_a.notifications.get()
        self.assertRedirects(
            self.client.get(n.get_absolute_url()), reverse("core:notification_list"), fetch_redirect_response=False
        )

    def test_api_lists_and_marks_read_only_ones_own(self) -> None:
        from shequ.accounts.models import APIToken
        from shequ.core.notifications import notify

        notify([self.world.officer_a, self.world.officer_b], "通知")
        mine = self.world.officer_a.notifications.get()
        theirs = self.world.officer_b.notifications.get()
        _t, key = APIToken.issue(self.world.officer_a)
        headers: dict[str, Any] = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
        body = self.client.get("/api/v1/notifications/?unread=true", **headers).json()
        self.assertEqual((body["unread"], [i["id"] for i in body["items"]]), (1, [mine.pk]))
        response = self.client.post(
            "/api/v1/notifications/read", {"ids": [mine.pk, theirs.pk]}, content_type="application/json", **headers
        )
        self.assertEqual(response.json(), {"read": 1})
        theirs.refresh_from_db()
        self.assertIsNone(theirs.read_at)
        self.assertEqual(self.client.get("/api/v1/notifications/?page=0", **headers).status_code, 422)


class DeadlineProperties(SimpleTestCase):
    """Deadlines in working time, whatever the start: never before the start, never on a day off, and
    never fewer working days than allowed."""

    @settings(max_examples=200, deadline=None)
    @given(
        st.datetimes(min_value=datetime(2024, 1, 1), max_value=datetime(2026, 12, 31)),
        st.integers(min_value=1, max_value=30),
    )
    def test_working_days(self, start: datetime, days: int) -> None:
        start = start.replace(tzinfo=CST)
        due = workdays.deadline_for(workdays.Duration(days, workdays.DeadlineUnit.WORKING_DAYS), start)
        self.assertGreater(due, start)
        last = due.astimezone(CST).date()
        self.assertTrue(workdays.is_workday(last))
        counted = sum(
            workdays.is_workday(start.date() + timedelta(days=i)) for i in range(1, (last - start.date()).days + 1)
        )
        self.assertEqual(counted, days)

    @settings(max_examples=200, deadline=None)
    @given(
        st.datetimes(min_value=datetime(2024, 1, 1), max_value=datetime(2026, 12, 31)),
        st.integers(min_value=1, max_value=200),
    )
    def test_working_hours_and_warning(self, start: datetime, hours: int) -> None:
        start = start.replace(tzinfo=CST)
        tier = workdays.Duration(hours, workdays.DeadlineUnit.WORKING_HOURS, warn_percent=80)
        due = workdays.deadline_for(tier, start)
        self.assertAlmostEqual(workdays.working_hours_between(start, due), hours, places=6)
        warn = workdays.warning_for(tier, start, due)
        self.assertTrue(start <= warn <= due)

    def test_calendar_days_end_at_midnight(self) -> None:
        start = datetime(2025, 9, 30, 15, 0, tzinfo=CST)  # the month of the People's Mediation Law
        due = workdays.deadline_for(workdays.Duration(30, workdays.DeadlineUnit.DAYS), start)
        self.assertEqual(due.astimezone(CST).date(), date(2025, 10, 30))
        self.assertEqual((due.astimezone(CST).hour, due.astimezone(CST).minute), (23, 59))


class ListenerTests(WorldTestCase):
    tree: ClassVar[ServicesTree]

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.tree = ServicesTree(cls.world)

    def test_other_apps_hear_creations_and_steps_in_the_same_transaction(self) -> None:
        heard: list[tuple[str, int, str]] = []

        def created(case: Any, move: Any) -> None:
            heard.append(("created", case.pk, case.status))

        def accepted(case: Any, move: Any) -> None:
            heard.append(("accept", case.pk, move.before))

        WORKFLOW.on("created", created)
        WORKFLOW.on("accept", accepted)
        try:
            r = file(self.world, acting_user=self.world.officer_a, accept=True)
        finally:
            # Only these two: the apps' own listeners (visits' must-arrive tasks) stay.
            WORKFLOW.listeners["created"].remove(created)
            WORKFLOW.listeners["accept"].remove(accepted)
        self.assertEqual(heard, [("created", r.pk, Status.SUBMITTED), ("accept", r.pk, Status.SUBMITTED)])
