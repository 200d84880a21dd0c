"""The framework's full matrix (anonymous / no permission / permission / other subtree) for volunteers, team
members, activities and service hours, in the UI, the API, the shell's import/export; every step of the
hours' workflow."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any, ClassVar

from django.utils import timezone

from shequ.core.testing import APITestMixin, CommandTestMixin, StepTestMixin, ViewSetTestMixin, WorldTestCase
from shequ.territory.models import Node
from shequ.volunteers import actions
from shequ.volunteers.actions import WORKFLOW
from shequ.volunteers.models import Activity, ActivityStatus, ServiceHours, TeamMembership, Volunteer
from shequ.volunteers.views import ActivityViewSet, ServiceHoursViewSet, TeamMembershipViewSet, VolunteerViewSet

from .helpers import Tree, activity, next_n, person, volunteer


class TreeCase(WorldTestCase):
    tree: ClassVar[Tree]

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.tree = Tree(cls.world)


class VolunteerData:
    tree: Tree
    world: Any

    def make_object(self, node: Node) -> Volunteer:
        return volunteer(self.tree.side(node), team=False)

    def create_data(self, node: Node) -> dict[str, Any]:
        who = person(self.tree.side(node).building, f"新志愿者{next_n():04d}")
        return {
            "resident": who.pk,
            "consent_on": "2024-05-01",
            "registered_on": "2024-05-01",
            "weekends": "on",
            "phone": "",
        }

    def edit_data(self, obj: Volunteer) -> dict[str, Any]:
        return {"consent_on": "2024-01-01", "status": "active", "notes": "改", "phone": "13912345678", "weekends": "on"}

    def changed(self, obj: Volunteer) -> bool:
        return obj.notes == "改"

    def export_key(self, obj: Volunteer) -> str:
        return obj.resident.name

    def create_payload(self, node: Node) -> dict[str, Any]:
        who = person(self.tree.side(node).building, f"接口志愿者{next_n():04d}")
        return {"resident_id": who.pk, "consent_on": "2024-05-01"}

    def patch_payload(self, obj: Volunteer) -> dict[str, Any]:
        return {"notes": "改"}

    def import_rows(self, node: Node) -> list[list[Any]]:
        if not hasattr(self, "_rows"):
            side = self.tree.side(node)
            people = [person(side.building, f"导入志愿者{i}") for i in range(2)]
            self._rows = [["姓名", "身份证号", "同意日期", "技能"]] + [
                [p.name, p.id_number, "2024-03-01", "应急救护"] for p in people
            ]
        return self._rows

    def imported(self, node: Node) -> Any:
        return Volunteer.objects.within(node.path).filter(resident__name__startswith="导入")


class VolunteerViewTests(VolunteerData, ViewSetTestMixin, TreeCase):
    viewset = VolunteerViewSet


class VolunteerAPITests(VolunteerData, APITestMixin, TreeCase):
    endpoint = "/api/v1/volunteers/volunteers/"
    model = Volunteer

    def test_api_delete(self) -> None:
        self.skipTest("volunteers leave (status), they are not deleted through the API")


class VolunteerCommandTests(VolunteerData, CommandTestMixin, TreeCase):
    command_kind = "volunteers"

    def export_extra_headers(self) -> list[str]:
        return ["状态", "累计服务时长", "星级"]


class MembershipData:
    tree: Tree

    def make_object(self, node: Node) -> TeamMembership:
        side = self.tree.side(node)
        v = volunteer(side, team=False)
        membership = TeamMembership(volunteer=v, team=side.team, node=side.team.node, started_on=date(2024, 2, 1))
        membership.save()
        return membership

    def create_data(self, node: Node) -> dict[str, Any]:
        side = self.tree.side(node)
        return {
            "volunteer": volunteer(side, team=False).pk,
            "team": side.team.pk,
            "started_on": "2024-03-01",
            "notes": "",
        }

    def edit_data(self, obj: TeamMembership) -> dict[str, Any]:
        return {"started_on": obj.started_on.isoformat(), "ended_on": timezone.localdate().isoformat(), "notes": ""}

    def changed(self, obj: TeamMembership) -> bool:
        return obj.ended_on is not None

    def export_key(self, obj: TeamMembership) -> str:
        return obj.volunteer.resident.name

    def create_payload(self, node: Node) -> dict[str, Any]:
        side = self.tree.side(node)
        return {"volunteer_id": volunteer(side, team=False).pk, "team_id": side.team.pk}

    def import_rows(self, node: Node) -> list[list[Any]]:
        if not hasattr(self, "_rows"):
            side = self.tree.side(node)
            people = [volunteer(side, name=f"导入队员{i}", team=False) for i in range(2)]
            self._rows = [["姓名", "身份证号", "服务队", "加入日期"]] + [
                [v.resident.name, v.resident.id_number, side.team.name, "2024-03-01"] for v in people
            ]
        return self._rows

    def imported(self, node: Node) -> Any:
        return TeamMembership.objects.within(node.path).filter(volunteer__resident__name__startswith="导入")


class MembershipViewTests(MembershipData, ViewSetTestMixin, TreeCase):
    viewset = TeamMembershipViewSet


class MembershipAPITests(MembershipData, APITestMixin, TreeCase):
    endpoint = "/api/v1/volunteers/members/"
    model = TeamMembership

    def test_api_update(self) -> None:
        self.skipTest("a membership is ended (POST …/end), not edited")

    def test_api_delete(self) -> None:
        self.skipTest("a membership is ended (POST …/end), not deleted through the API")


class MembershipCommandTests(MembershipData, CommandTestMixin, TreeCase):
    command_kind = "team-members"


class ActivityData:
    tree: Tree

    def make_object(self, node: Node) -> Activity:
        return activity(self.tree.side(node))

    def _times(self) -> tuple[str, str]:
        start = timezone.localtime() + timedelta(days=5)
        return start.strftime("%Y-%m-%dT10:00"), start.strftime("%Y-%m-%dT12:00")

    def create_data(self, node: Node) -> dict[str, Any]:
        side = self.tree.side(node)
        start, end = self._times()
        return {
            "team": side.team.pk,
            "title": "新活动",
            "description": "",
            "place": side.estate.pk,
            "address": "",
            "starts_at": start,
            "ends_at": end,
            "places": "10",
            "hours": "",
            "public": "on",
        }

    def edit_data(self, obj: Activity) -> dict[str, Any]:
        start, end = self._times()
        return {
            "title": obj.title + "（改）",
            "description": "",
            "place": obj.place_id,
            "address": "",
            "starts_at": start,
            "ends_at": end,
            "places": "10",
            "hours": "2",
            "public": "on",
        }

    def changed(self, obj: Activity) -> bool:
        return obj.title.endswith("（改）")

    def export_key(self, obj: Activity) -> str:
        return obj.title

    def create_payload(self, node: Node) -> dict[str, Any]:
        side = self.tree.side(node)
        start = timezone.now() + timedelta(days=4)
        return {
            "team_id": side.team.pk,
            "title": "接口活动",
            "place_id": side.estate.pk,
            "starts_at": start.isoformat(),
            "ends_at": (start + timedelta(hours=2)).isoformat(),
            "places": 5,
        }

    def patch_payload(self, obj: Activity) -> dict[str, Any]:
        return {"title": obj.title + "（改）"}


class ActivityViewTests(ActivityData, ViewSetTestMixin, TreeCase):
    viewset = ActivityViewSet

    def assert_deleted_by_owner(self, obj: Any) -> None:
        # Deleting an activity cancels it (its sign-ups with it); the record stays.
        response = self.client.post(self.url("delete", obj.pk))
        self.assertEqual(response.status_code, 302)
        obj.refresh_from_db()
        self.assertEqual(obj.status, ActivityStatus.CANCELLED)


class ActivityAPITests(ActivityData, APITestMixin, TreeCase):
    endpoint = "/api/v1/volunteers/activities/"
    model = Activity

    def exists(self, obj: Any) -> bool:
        return Activity.objects.filter(pk=obj.pk).exclude(status=ActivityStatus.CANCELLED).exists()


class HoursData:
    tree: Tree
    world: Any

    def make_object(self, node: Node) -> ServiceHours:
        side = self.tree.side(node)
        return actions.do_log_hours(
            acting_user=self.world.admin,
            volunteer=volunteer(side),
            team=side.team,
            served_on=timezone.localdate() - timedelta(days=1),
            hours="2.5",
        )

    def create_data(self, node: Node) -> dict[str, Any]:
        side = self.tree.side(node)
        return {
            "volunteer": volunteer(side).pk,
            "team": side.team.pk,
            "served_on": "2024-06-01",
            "hours": "3",
            "description": "巡逻",
        }

    def export_key(self, obj: ServiceHours) -> str:
        return obj.volunteer.resident.name

    def import_rows(self, node: Node) -> list[list[Any]]:
        if not hasattr(self, "_rows"):
            side = self.tree.side(node)
            people = [volunteer(side, name=f"导入时长{i}") for i in range(2)]
            self._rows = [["姓名", "身份证号", "服务队", "服务日期", "服务时长", "服务内容"]] + [
                [v.resident.name, v.resident.id_number, side.team.name, "2023-05-01", "2.5", "往年服务"] for v in people
            ]
        return self._rows

    def imported(self, node: Node) -> Any:
        return ServiceHours.objects.within(node.path).filter(volunteer__resident__name__startswith="导入")


class HoursViewTests(HoursData, ViewSetTestMixin, TreeCase):
    viewset = ServiceHoursViewSet

    def test_edit(self) -> None:
        self.skipTest("hours are confirmed or refused (the workflow's steps), not edited")

    def test_delete(self) -> None:
        self.skipTest("the ledger keeps every entry: refused ones stay, refused")

    def test_import(self) -> None:
        super().test_import()
        # Imported past hours are confirmed and credited to the volunteers' totals at once.
        for entry in self.imported(self.world.street_a):
            self.assertEqual(entry.status, "confirmed")
            self.assertEqual(entry.volunteer.total_hours, entry.hours)


class HoursCommandTests(HoursData, CommandTestMixin, TreeCase):
    command_kind = "service-hours"

    def export_extra_headers(self) -> list[str]:
        return ["状态"]


class HoursStepTests(StepTestMixin, TreeCase):
    workflow = WORKFLOW
    viewset = ServiceHoursViewSet
    endpoint = "/api/v1/volunteers/hours/"

    def make_case(self, node: Any, step: Any) -> ServiceHours:
        side = self.tree.a
        return actions.do_log_hours(
            acting_user=self.world.admin,
            volunteer=volunteer(side),
            team=side.team,
            served_on=timezone.localdate() - timedelta(days=2),
            hours="1.5",
        )

    def step_data(self, step: Any, case: Any) -> dict[str, Any]:
        return {"reason": "当天未参加"} if step.name == "refuse" else {}
