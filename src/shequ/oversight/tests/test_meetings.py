"""Supervision notes, joint meetings with their action items, alliances' joint activities: scope on every page
and endpoint (the shared base classes), bad input refused with a clear message and nothing written, the
figures and the community worker's "today" items."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any, ClassVar

from django.urls import reverse
from django.utils import timezone

from shequ.core.indicators import INDICATORS
from shequ.core.testing import APITestMixin, ViewSetTestMixin
from shequ.core.today import todos
from shequ.orgs.models import OrgKind, Title
from shequ.oversight import views_meetings as views
from shequ.oversight.actions_meetings import ITEMS_OVERDUE, JOINT_ACTIVITIES, NOTES_OPEN
from shequ.oversight.models import ActionItem, JointActivity, JointMeeting, SupervisionNote
from shequ.volunteers.tests.helpers import org

from .helpers import OversightCase

_n = {"n": 0}


def label(prefix: str) -> str:
    _n["n"] += 1
    return f"{prefix}{_n['n']:04d}"


class MeetingsCase(OversightCase):
    alliance_a: ClassVar[Any]

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        for side, name in ((cls.a, "和平"), (cls.b, "胜利")):
            side.alliance = org(side.community, OrgKind.ALLIANCE, f"{name}党建联盟")
            side.alliance.members.add(*side.units)

    # -- records made directly -----------------------------------------------------------------------------------
    def note(self, node: Any, **fields: Any) -> SupervisionNote:
        side = self.side(node)
        values = {
            "node": side.estate,
            "company": side.company,
            "supervisor": "party",
            "author": "王书记",
            "noted_on": date(2026, 3, 1),
            "finding": label("保洁不到位"),
            **fields,
        }
        return SupervisionNote.objects.create(**values)

    def meeting(self, node: Any, **fields: Any) -> JointMeeting:
        side = self.side(node)
        values = {
            "node": side.community,
            "held_on": date(2026, 3, 1),
            "place": "社区会议室",
            "subject": label("联席会议"),
            "attendees": "张三、李四",
            **fields,
        }
        obj = JointMeeting.objects.create(**values)
        obj.units.set(side.units)
        return obj

    def item(self, node: Any, **fields: Any) -> ActionItem:
        meeting = fields.pop("meeting", None) or self.meeting(node)
        values = {"person": "张三", "task": label("修缮活动室"), "due_on": date(2026, 4, 1), **fields}
        return ActionItem.objects.create(meeting=meeting, node=meeting.node, unit=self.side(node).units[0], **values)

    def joint(self, node: Any, **fields: Any) -> JointActivity:
        side = self.side(node)
        values = {"held_on": date(2026, 5, 1), "title": label("联建活动"), "participants": 40, **fields}
        obj = JointActivity.objects.create(alliance=side.alliance, node=side.alliance.node, **values)
        obj.units.set(side.units[:1])
        return obj


# -- supervision notes -------------------------------------------------------------------------------------------


class SupervisionNoteViewTests(ViewSetTestMixin, MeetingsCase):
    viewset = views.SupervisionNoteViewSet

    def make_object(self, node: Any) -> SupervisionNote:
        return self.note(node)

    def create_data(self, node: Any) -> dict[str, Any]:
        side = self.side(node)
        return {
            "node": side.estate.pk,
            "company": side.company.pk,
            "supervisor": "owners",
            "author": "业委会主任",
            "noted_on": "2026-04-01",
            "finding": "电梯维保不及时",
            "follow_up": "on",
        }

    def edit_data(self, obj: SupervisionNote) -> dict[str, Any]:
        return {
            "node": obj.node_id,
            "company": obj.company_id,
            "supervisor": obj.supervisor,
            "author": obj.author,
            "noted_on": obj.noted_on.isoformat(),
            "finding": obj.finding,
            "follow_up": "on",
            "follow_up_done_on": "2026-04-10",
        }

    def changed(self, obj: SupervisionNote) -> bool:
        return obj.follow_up_done_on == date(2026, 4, 10)

    def export_key(self, obj: SupervisionNote) -> str:
        return obj.finding


class SupervisionNoteAPITests(APITestMixin, MeetingsCase):
    endpoint = "/api/v1/oversight/supervision-notes/"
    model = SupervisionNote

    def make_object(self, node: Any) -> SupervisionNote:
        return self.note(node, follow_up=True)

    def create_payload(self, node: Any) -> dict[str, Any]:
        side = self.side(node)
        return {
            "estate_id": side.estate.pk,
            "company_id": side.company.pk,
            "supervisor": "party",
            "author": "王书记",
            "noted_on": "2026-04-01",
            "finding": "绿化养护不到位",
            "follow_up": True,
        }

    def patch_payload(self, obj: SupervisionNote) -> dict[str, Any]:
        return {"follow_up_done_on": "2026-04-10"}

    def changed(self, obj: SupervisionNote) -> bool:
        return obj.follow_up_done_on == date(2026, 4, 10)

    def test_follow_up_done_before_the_note_is_refused_naming_the_field(self) -> None:
        payload = {**self.create_payload(self.world.street_a), "follow_up_done_on": "2026-03-01"}
        response = self.api("post", self.endpoint, self.world.officer_a, payload)
        self.assertEqual(response.status_code, 422)
        self.assertEqual(response.json()["details"][0]["field"], "follow_up_done_on")
        self.assertIn("跟进", response.json()["details"][0]["message"])
        self.assertFalse(SupervisionNote.objects.exists())

    def test_bounds_answer_422_naming_the_field(self) -> None:
        payload = {**self.create_payload(self.world.street_a), "author": "王" * 51}
        response = self.api("post", self.endpoint, self.world.officer_a, payload)
        self.assertEqual(response.status_code, 422)
        self.assertEqual(response.json()["details"][0]["field"], "author")
        self.assertFalse(SupervisionNote.objects.exists())


# -- joint meetings and action items -----------------------------------------------------------------------------


class JointMeetingViewTests(ViewSetTestMixin, MeetingsCase):
    viewset = views.JointMeetingViewSet

    def make_object(self, node: Any) -> JointMeeting:
        return self.meeting(node)

    def create_data(self, node: Any) -> dict[str, Any]:
        side = self.side(node)
        return {
            "node": side.community.pk,
            "held_on": "2026-04-01",
            "place": "社区党群服务中心",
            "subject": "共建项目推进",
            "units": [u.pk for u in side.units],
            "attendees": "各单位联络员",
            "minutes": "",
            "decisions": "",
        }

    def edit_data(self, obj: JointMeeting) -> dict[str, Any]:
        return {
            "node": obj.node_id,
            "held_on": obj.held_on.isoformat(),
            "place": obj.place,
            "subject": obj.subject,
            "units": [u.pk for u in obj.units.all()],
            "attendees": obj.attendees,
            "minutes": "会议纪要",
            "decisions": "开放停车场",
        }

    def changed(self, obj: JointMeeting) -> bool:
        return obj.decisions == "开放停车场"

    def export_key(self, obj: JointMeeting) -> str:
        return obj.subject

    def test_an_attendee_unit_outside_the_community_is_refused(self) -> None:
        self.login(self.world.admin)
        data = {**self.create_data(self.world.street_a), "units": [self.b.units[0].pk]}
        response = self.client.post(self.url("add"), data)
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, f"“{self.b.units[0].name}”不是", status_code=400)
        self.assertFalse(JointMeeting.objects.exists())

    def test_the_detail_page_lists_its_action_items(self) -> None:
        item = self.item(self.world.street_a)
        self.login(self.world.officer_a)
        page = self.client.get(item.meeting.get_absolute_url())
        self.assertContains(page, item.task)
        self.assertContains(page, reverse("oversight:actionitem_add") + f"?meeting={item.meeting.pk}")


class JointMeetingAPITests(APITestMixin, MeetingsCase):
    endpoint = "/api/v1/oversight/meetings/"
    model = JointMeeting

    def make_object(self, node: Any) -> JointMeeting:
        return self.meeting(node)

    def create_payload(self, node: Any) -> dict[str, Any]:
        side = self.side(node)
        return {
            "community_id": side.community.pk,
            "held_on": "2026-04-01",
            "place": "社区党群服务中心",
            "subject": "共建项目推进",
            "unit_ids": [u.pk for u in side.units],
            "attendees": "各单位联络员",
        }

    def patch_payload(self, obj: JointMeeting) -> dict[str, Any]:
        return {"minutes": "会议纪要", "decisions": "开放停车场"}

    def changed(self, obj: JointMeeting) -> bool:
        return obj.decisions == "开放停车场"

    def test_a_unit_of_another_community_is_refused(self) -> None:
        other = org(self.world.street_a, OrgKind.RESIDENT_UNIT, "街道直属单位")  # visible, but not in the community
        payload = {**self.create_payload(self.world.street_a), "unit_ids": [other.pk]}
        response = self.api("post", self.endpoint, self.world.officer_a, payload)
        self.assertEqual(response.status_code, 422)
        self.assertEqual(response.json()["details"][0]["field"], "units")
        self.assertFalse(JointMeeting.objects.exists())

    def test_the_units_attending_are_answered(self) -> None:
        response = self.api("post", self.endpoint, self.world.officer_a, self.create_payload(self.world.street_a))
        self.assertEqual(response.status_code, 201, response.content)
        self.assertEqual(set(response.json()["unit_ids"]), {u.pk for u in self.a.units})


class ActionItemViewTests(ViewSetTestMixin, MeetingsCase):
    viewset = views.ActionItemViewSet

    def make_object(self, node: Any) -> ActionItem:
        return self.item(node)

    def create_data(self, node: Any) -> dict[str, Any]:
        meeting = self.meeting(node)
        return {
            "meeting": meeting.pk,
            "unit": self.side(node).units[0].pk,
            "person": "李四",
            "task": "开放职工食堂",
            "due_on": "2026-05-01",
        }

    def edit_data(self, obj: ActionItem) -> dict[str, Any]:
        return {
            "meeting": obj.meeting_id,
            "unit": obj.unit_id,
            "person": obj.person,
            "task": obj.task,
            "due_on": obj.due_on.isoformat(),
            "done_on": "2026-03-20",
        }

    def changed(self, obj: ActionItem) -> bool:
        return obj.done_on == date(2026, 3, 20)

    def export_key(self, obj: ActionItem) -> str:
        return obj.task

    def test_an_item_due_before_the_meeting_is_refused(self) -> None:
        self.login(self.world.officer_a)
        data = {**self.create_data(self.world.street_a), "due_on": "2026-02-01"}
        response = self.client.post(self.url("add"), data)
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, "早于", status_code=400)
        self.assertFalse(ActionItem.objects.exists())


class ActionItemAPITests(APITestMixin, MeetingsCase):
    endpoint = "/api/v1/oversight/action-items/"
    model = ActionItem

    def make_object(self, node: Any) -> ActionItem:
        return self.item(node)

    def create_payload(self, node: Any) -> dict[str, Any]:
        return {
            "meeting_id": self.meeting(node).pk,
            "unit_id": self.side(node).units[1].pk,
            "task": "提供就业岗位",
            "due_on": "2026-06-01",
        }

    def patch_payload(self, obj: ActionItem) -> dict[str, Any]:
        return {"done_on": "2026-03-20"}

    def changed(self, obj: ActionItem) -> bool:
        return obj.done_on == date(2026, 3, 20)

    def test_an_item_due_before_the_meeting_answers_422(self) -> None:
        payload = {**self.create_payload(self.world.street_a), "due_on": "2026-01-01"}
        response = self.api("post", self.endpoint, self.world.officer_a, payload)
        self.assertEqual(response.status_code, 422)
        self.assertEqual(response.json()["details"][0]["field"], "due_on")
        self.assertFalse(ActionItem.objects.exists())

    def test_an_item_for_a_unit_of_another_community_answers_422(self) -> None:
        other = org(self.world.street_a, OrgKind.RESIDENT_UNIT, "街道直属单位")
        payload = {**self.create_payload(self.world.street_a), "unit_id": other.pk}
        response = self.api("post", self.endpoint, self.world.officer_a, payload)
        self.assertEqual(response.status_code, 422)
        self.assertEqual(response.json()["details"][0]["field"], "unit")
        self.assertFalse(ActionItem.objects.exists())


# -- alliances' joint activities ---------------------------------------------------------------------------------


class JointActivityViewTests(ViewSetTestMixin, MeetingsCase):
    viewset = views.JointActivityViewSet

    def make_object(self, node: Any) -> JointActivity:
        return self.joint(node)

    def create_data(self, node: Any) -> dict[str, Any]:
        side = self.side(node)
        return {
            "alliance": side.alliance.pk,
            "held_on": "2026-06-01",
            "title": "联合义诊",
            "units": [u.pk for u in side.units],
            "participants": 60,
            "description": "",
        }

    def edit_data(self, obj: JointActivity) -> dict[str, Any]:
        return {
            "alliance": obj.alliance_id,
            "held_on": obj.held_on.isoformat(),
            "title": obj.title,
            "units": [u.pk for u in obj.units.all()],
            "participants": 75,
            "description": "",
        }

    def changed(self, obj: JointActivity) -> bool:
        return obj.participants == 75

    def export_key(self, obj: JointActivity) -> str:
        return obj.title

    def test_a_unit_that_is_not_a_member_is_refused(self) -> None:
        outsider = org(self.world.community_a, OrgKind.RESIDENT_UNIT, "非成员单位")
        self.login(self.world.officer_a)
        data = {**self.create_data(self.world.street_a), "units": [outsider.pk]}
        response = self.client.post(self.url("add"), data)
        self.assertEqual(response.status_code, 400)
        self.assertFalse(JointActivity.objects.exists())

    def test_the_alliance_page_lists_its_activities(self) -> None:
        mine = self.joint(self.world.street_a)
        self.login(self.world.officer_a)
        page = self.client.get(self.a.alliance.get_absolute_url())
        self.assertContains(page, 'data-testid="joint-activities"')
        self.assertContains(page, mine.title)


class JointActivityAPITests(APITestMixin, MeetingsCase):
    endpoint = "/api/v1/oversight/joint-activities/"
    model = JointActivity

    def make_object(self, node: Any) -> JointActivity:
        return self.joint(node)

    def create_payload(self, node: Any) -> dict[str, Any]:
        side = self.side(node)
        return {
            "alliance_id": side.alliance.pk,
            "held_on": "2026-06-01",
            "title": "联合义诊",
            "unit_ids": [side.units[0].pk],
            "participants": 60,
        }

    def patch_payload(self, obj: JointActivity) -> dict[str, Any]:
        return {"participants": 75, "description": "义诊120人次"}

    def changed(self, obj: JointActivity) -> bool:
        return obj.participants == 75

    def test_participants_out_of_bounds_answer_422(self) -> None:
        payload = {**self.create_payload(self.world.street_a), "participants": 1_000_000}
        response = self.api("post", self.endpoint, self.world.officer_a, payload)
        self.assertEqual(response.status_code, 422)
        self.assertEqual(response.json()["details"][0]["field"], "participants")
        self.assertFalse(JointActivity.objects.exists())


# -- pages beside, figures, today --------------------------------------------------------------------------------


class FiguresAndTodayTests(MeetingsCase):
    def test_the_company_and_entry_pages_list_the_notes_of_their_area_only(self) -> None:
        mine = self.note(self.world.street_a, follow_up=True)
        theirs = self.note(self.world.street_b)
        entry = self.entry(self.world.street_a, company=self.a.company)
        self.login(self.world.officer_a)
        page = self.client.get(entry.get_absolute_url())
        self.assertContains(page, mine.finding)
        self.assertContains(page, "待跟进")
        self.assertNotContains(page, theirs.finding)
        page = self.client.get(self.a.company.get_absolute_url())
        self.assertContains(page, 'data-testid="supervision-notes"')
        self.assertContains(page, mine.finding)

    def test_overdue_action_items_are_on_the_workers_home_page_and_in_the_figures(self) -> None:
        today = timezone.localdate()
        meeting = self.meeting(self.world.street_a, held_on=today - timedelta(days=30))
        late = self.item(self.world.street_a, meeting=meeting, due_on=today - timedelta(days=1))
        self.item(self.world.street_a, meeting=meeting, due_on=today + timedelta(days=5))
        self.item(self.world.street_a, meeting=meeting, due_on=today - timedelta(days=3), done_on=today)
        self.item(self.world.street_b, due_on=date(2026, 3, 2))
        worker = self.tree.worker_a
        found = {t.key: t for t in todos(worker)}
        self.assertEqual(found["oversight.action_items_overdue"].count, 1)
        self.login(worker)
        listing = self.client.get(found["oversight.action_items_overdue"].url)
        self.assertContains(listing, late.task)
        home = self.client.get(reverse("home"))
        self.assertContains(home, "逾期")
        figures = INDICATORS[ITEMS_OVERDUE].compute([self.world.community_a], today.year)
        self.assertEqual(figures[self.world.community_a.pk][0], 1)

    def test_open_follow_ups_and_joint_activities_are_counted(self) -> None:
        self.note(self.world.street_a, follow_up=True)
        self.note(self.world.street_a, follow_up=True, follow_up_done_on=date(2026, 3, 5))
        self.note(self.world.street_a)
        self.joint(self.world.street_a)
        self.joint(self.world.street_a, held_on=date(2025, 5, 1))
        place = self.world.community_a
        self.assertEqual(INDICATORS[NOTES_OPEN].compute([place], 2026)[place.pk][0], 1)
        self.assertEqual(INDICATORS[JOINT_ACTIVITIES].compute([place], 2026)[place.pk][0], 1)


class PartTimeMemberTests(MeetingsCase):
    """Part-time committee members from units are posts: a unit's person with a part-time member's post in the
    community party committee is listed on the unit's agreement and on the list, within scope only."""

    def test_listed_on_the_agreement_and_the_list_within_scope(self) -> None:
        from shequ.oversight.models import Agreement
        from shequ.volunteers.tests.helpers import person, post

        for side in (self.a, self.b):
            who = person(side.community, f"{side.units[0].name}联络员")
            post(side.units[0], who, Title.LIAISON)
            post(side.party, who, Title.PART_TIME_MEMBER)
        outsider = person(self.a.community, "社区居民")
        post(self.a.party, outsider, Title.PART_TIME_MEMBER)  # a part-time member from no unit
        agreement = Agreement.objects.create(
            node=self.a.community, unit=self.a.units[0], year=2026, signed_on=date(2026, 1, 5)
        )
        self.login(self.world.officer_a)
        page = self.client.get(agreement.get_absolute_url())
        self.assertContains(page, f"{self.a.units[0].name}联络员")
        self.assertNotContains(page, "社区居民")
        unit_page = self.client.get(self.a.units[0].get_absolute_url())
        self.assertContains(unit_page, 'data-testid="part-time-members"')
        self.assertContains(unit_page, f"{self.a.units[0].name}联络员")
        listing = self.client.get(reverse("oversight:part_time_members"))
        self.assertContains(listing, f"{self.a.units[0].name}联络员")
        self.assertContains(listing, "2021-10-15")
        self.assertNotContains(listing, f"{self.b.units[0].name}联络员")
        self.login(self.world.nobody)
        self.assertEqual(self.client.get(reverse("oversight:part_time_members")).status_code, 404)
