"""The volunteers' rules as a user meets them: registration of residents only, sign-ups (places, once, not at
the same time), hours (24 a day, members only, not in the future), credits in the confirming transaction,
the team captain's scope, who must join a team, the portal's one-time codes, the figures."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any, ClassVar

from django.core.cache import cache
from django.db.models import Sum
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase as HypothesisTestCase

from shequ.accounts.actions import do_grant
from shequ.accounts.models import APIToken, User
from shequ.core import indicators
from shequ.core.exceptions import ActionError, NotFound
from shequ.core.testing import WorldTestCase
from shequ.party.models import PartyMember
from shequ.volunteers import actions
from shequ.volunteers.indicators import HOURS_PER_VOLUNTEER, REGISTRATION_RATE
from shequ.volunteers.models import (
    HoursStatus,
    ServiceHours,
    SignUp,
    SignUpStatus,
    TeamMembership,
    Volunteer,
    VolunteerYear,
    star_level,
)

from .helpers import Tree, activity, id_number, org, person, volunteer

SENT: list[tuple[str, str]] = []


def capture_sms(phone: str, text: str) -> None:
    SENT.append((phone, text))


class TreeCase(WorldTestCase):
    tree: ClassVar[Tree]

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.tree = Tree(cls.world)

    def refused(self, code: str, call: Any) -> ActionError:
        with self.assertRaises(ActionError) as caught:
            call()
        self.assertEqual(caught.exception.code, code, caught.exception.messages)
        return caught.exception


class RegistrationTests(TreeCase):
    def test_only_residents_of_the_platform(self) -> None:
        officer = self.world.officer_a
        self.refused("not_a_resident", lambda: actions.find_resident_anywhere(id_number(), "无此人"))
        self.refused(
            "not_a_resident",
            lambda: actions.do_register_volunteer(acting_user=officer, resident=None, consent_on=timezone.localdate()),
        )
        self.assertFalse(Volunteer.objects.exists())

    def test_someone_from_another_community_by_identity_number(self) -> None:
        outsider = person(self.tree.b.building, "外来志愿者")
        found = actions.find_resident_anywhere(outsider.id_number, "外来志愿者")
        v = actions.do_register_volunteer(
            acting_user=self.world.officer_a,
            resident=found,
            node=self.world.community_a,
            consent_on=timezone.localdate(),
        )
        self.assertEqual(v.node, self.world.community_a)
        # A name that does not go with the number finds nobody.
        self.refused("not_a_resident", lambda: actions.find_resident_anywhere(outsider.id_number, "别人"))

    def test_the_form_says_why_and_keeps_what_was_typed(self) -> None:
        self.client.force_login(self.world.officer_a)
        data = {"id_number": id_number(), "name": "查无此人", "consent_on": "2024-05-01", "registered_on": "2024-05-01"}
        response = self.client.post(reverse("volunteers:volunteer_add"), data)
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, "查无此人", status_code=400)
        self.assertFalse(Volunteer.objects.exists())

    def test_duplicate_and_consent(self) -> None:
        who = person(self.tree.a.building, "重复登记")
        officer = self.world.officer_a
        self.refused(
            "consent_required",
            lambda: actions.do_register_volunteer(acting_user=officer, resident=who, consent_on=None),
        )
        future = timezone.localdate() + timedelta(days=3)
        self.refused(
            "date_in_future",
            lambda: actions.do_register_volunteer(acting_user=officer, resident=who, consent_on=future),
        )
        actions.do_register_volunteer(acting_user=officer, resident=who, consent_on=timezone.localdate())
        self.refused(
            "duplicate",
            lambda: actions.do_register_volunteer(acting_user=officer, resident=who, consent_on=timezone.localdate()),
        )
        self.assertEqual(Volunteer.objects.filter(resident=who).count(), 1)

    def test_other_street_cannot_register_here(self) -> None:
        who = person(self.tree.a.building, "别处登记")
        with self.assertRaises(NotFound):
            actions.do_register_volunteer(
                acting_user=self.world.officer_b, resident=who, consent_on=timezone.localdate()
            )


class SignUpTests(TreeCase):
    def test_places_once_and_not_at_the_same_time(self) -> None:
        side, officer = self.tree.a, self.world.officer_a
        first, second = volunteer(side), volunteer(side)
        small = activity(side, places=1, days=3)
        actions.do_sign_up(small, first, acting_user=officer)
        self.refused("duplicate", lambda: actions.do_sign_up(small, first, acting_user=officer))
        self.refused("full", lambda: actions.do_sign_up(small, second, acting_user=officer))
        clash = activity(side, days=3, title="同时段活动")  # the same hours, another activity
        error = self.refused("overlap", lambda: actions.do_sign_up(clash, first, acting_user=officer))
        self.assertIn(small.title, error.messages[0])
        small.refresh_from_db()
        self.assertEqual(small.taken, 1)
        # Withdrawn, the place is free again.
        actions.do_cancel_sign_up(SignUp.objects.get(activity=small, volunteer=first), acting_user=officer)
        actions.do_sign_up(small, second, acting_user=officer)
        small.refresh_from_db()
        self.assertEqual(small.taken, 1)

    def test_attendance_credits_hours_at_once(self) -> None:
        side, officer = self.tree.a, self.world.officer_a
        v = volunteer(side)
        a = activity(side, days=2, hours=3)
        signup = actions.do_sign_up(a, v, acting_user=officer)
        self.refused("not_started", lambda: actions.do_record_attendance(signup, acting_user=officer, attended=True))
        type(a).objects.filter(pk=a.pk).update(
            starts_at=timezone.now() - timedelta(hours=4), ends_at=timezone.now() - timedelta(hours=1)
        )
        actions.do_record_attendance(signup, acting_user=officer, attended=True)
        v.refresh_from_db()
        self.assertEqual(v.total_hours, Decimal(3))
        self.assertEqual(VolunteerYear.objects.get(volunteer=v, team=side.team).hours, Decimal(3))
        entry = ServiceHours.objects.get(volunteer=v)
        self.assertEqual((entry.status, entry.hours), (HoursStatus.CONFIRMED, Decimal(3)))
        self.refused("wrong_status", lambda: actions.do_record_attendance(signup, acting_user=officer, attended=False))

    def test_absent_credits_nothing(self) -> None:
        side, officer = self.tree.a, self.world.officer_a
        v = volunteer(side)
        a = activity(side, days=2)
        signup = actions.do_sign_up(a, v, acting_user=officer)
        type(a).objects.filter(pk=a.pk).update(starts_at=timezone.now() - timedelta(hours=3))
        actions.do_record_attendance(signup, acting_user=officer, attended=False)
        self.assertEqual(SignUp.objects.get(pk=signup.pk).status, SignUpStatus.ABSENT)
        self.assertFalse(ServiceHours.objects.filter(volunteer=v).exists())


class HoursTests(TreeCase):
    def log(self, v: Volunteer, hours: Any, days_ago: int = 1, **kw: Any) -> ServiceHours:
        kw.setdefault("acting_user", self.world.officer_a)
        return actions.do_log_hours(
            volunteer=v,
            team=self.tree.a.team,
            served_on=timezone.localdate() - timedelta(days=days_ago),
            hours=hours,
            **kw,
        )

    def test_bad_hours_are_refused(self) -> None:
        v = volunteer(self.tree.a)
        self.refused("invalid_hours", lambda: self.log(v, "25"))
        self.refused("invalid_hours", lambda: self.log(v, "0"))
        self.refused("invalid_hours", lambda: self.log(v, "1.25"))
        self.refused("date_in_future", lambda: self.log(v, "2", days_ago=-1))
        self.log(v, "20")
        error = self.refused("over_24_hours", lambda: self.log(v, "5"))
        self.assertIn("24", error.messages[0])
        outsider = volunteer(self.tree.a, team=False)
        self.refused("not_a_member", lambda: self.log(outsider, "2"))
        self.assertEqual(ServiceHours.objects.count(), 1)

    def test_credited_only_when_confirmed(self) -> None:
        v = volunteer(self.tree.a)
        entry = self.log(v, "12")
        v.refresh_from_db()
        self.assertEqual(v.total_hours, 0)
        actions.do_confirm_hours(entry, acting_user=self.world.officer_a)
        refused = self.log(v, "4", days_ago=2)
        self.refused(
            "reason_required", lambda: actions.do_refuse_hours(refused, acting_user=self.world.officer_a, reason=" ")
        )
        actions.do_refuse_hours(refused, acting_user=self.world.officer_a, reason="没有参加")
        v.refresh_from_db()
        self.assertEqual(v.total_hours, Decimal(12))
        self.assertEqual(ServiceHours.objects.get(pk=refused.pk).reason, "没有参加")

    def test_stars(self) -> None:
        self.assertEqual(
            [star_level(h) for h in (0, 99.9, 100, 299, 300, 600, 999, 1000, 1500, 5000)],
            [0, 0, 1, 1, 2, 3, 3, 4, 5, 5],
        )
        v = volunteer(self.tree.a)
        Volunteer.objects.filter(pk=v.pk).update(total_hours=Decimal("98"))
        actions.do_confirm_hours(self.log(v, "2"), acting_user=self.world.officer_a)
        v.refresh_from_db()
        self.assertEqual((v.total_hours, v.stars), (Decimal(100), 1))

    def test_api_refuses_a_malformed_body(self) -> None:
        v = volunteer(self.tree.a)
        _t, key = APIToken.issue(self.world.officer_a)
        body = {"volunteer_id": v.pk, "team_id": self.tree.a.team.pk, "served_on": "2024-05-01", "hours": 25}
        response = self.client.post(
            "/api/v1/volunteers/hours/", body, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {key}"
        )
        self.assertEqual(response.status_code, 422)
        self.assertEqual(response.json()["details"][0]["field"], "hours")
        self.assertFalse(ServiceHours.objects.exists())


class LedgerTests(HypothesisTestCase):
    """Whatever is logged, confirmed or refused: a volunteer's total, star level and yearly rollups equal the
    confirmed entries of the ledger."""

    world: ClassVar[Any]
    tree: ClassVar[Tree]

    @classmethod
    def setUpTestData(cls) -> None:
        from shequ.core.testing import World

        super().setUpTestData()
        cls.world = World()
        cls.tree = Tree(cls.world)

    @settings(max_examples=6, deadline=None)
    @given(
        st.lists(
            st.tuples(st.integers(1, 40), st.sampled_from(["0.5", "1", "2.5", "8"]), st.booleans()),
            min_size=1,
            max_size=8,
        )
    )
    def test_rollups_equal_the_ledger(self, entries: list[tuple[int, str, bool]]) -> None:
        v = volunteer(self.tree.a)
        for days_ago, hours, confirm in entries:
            try:
                entry = actions.do_log_hours(
                    acting_user=self.world.officer_a,
                    volunteer=v,
                    team=self.tree.a.team,
                    served_on=timezone.localdate() - timedelta(days=days_ago),
                    hours=hours,
                )
            except ActionError:
                continue  # over 24 hours that day: refused, nothing written
            if confirm:
                actions.do_confirm_hours(entry, acting_user=self.world.officer_a)
        v.refresh_from_db()
        confirmed = ServiceHours.objects.filter(volunteer=v, status=HoursStatus.CONFIRMED)
        self.assertEqual(v.total_hours, confirmed.aggregate(s=Sum("hours"))["s"] or 0)
        self.assertEqual(v.stars, star_level(v.total_hours))
        for year in {e.served_on.year for e in confirmed}:
            self.assertEqual(
                VolunteerYear.objects.get(volunteer=v, year=year).hours,
                confirmed.filter(served_on__year=year).aggregate(s=Sum("hours"))["s"],
            )


class CaptainTests(TreeCase):
    def test_a_captain_sees_and_confirms_their_team_only(self) -> None:
        side = self.tree.a
        other_team = org(side.estate, "volunteer_team", "另一支队")
        captain = User.objects.create_user("captain", password="captain-pass-123", node=side.estate)
        do_grant(captain, "team_captain", side.estate, acting_user=self.world.admin, organization=side.team)
        mine, theirs = volunteer(side), volunteer(side, team=False)
        TeamMembership(volunteer=theirs, team=other_team, node=other_team.node, started_on=timezone.localdate()).save()
        self.assertEqual(set(Volunteer.objects.restrict(captain, "view")), {mine})
        own = actions.do_log_hours(
            acting_user=self.world.admin, volunteer=mine, team=side.team, served_on=timezone.localdate(), hours="2"
        )
        other = actions.do_log_hours(
            acting_user=self.world.admin, volunteer=theirs, team=other_team, served_on=timezone.localdate(), hours="2"
        )
        actions.do_confirm_hours(own, acting_user=captain)
        with self.assertRaises(NotFound):
            actions.do_confirm_hours(other, acting_user=captain)
        self.client.force_login(captain)
        listing = self.client.get(reverse("volunteers:servicehours_list"))
        self.assertContains(listing, own.get_absolute_url())
        self.assertNotContains(listing, other.get_absolute_url())
        self.assertEqual(self.client.get(theirs.get_absolute_url()).status_code, 404)
        # Nor the community's cadres and party members who must join a team.
        self.assertEqual(self.client.get(reverse("volunteers:missing"), {"node": side.community.pk}).status_code, 404)
        # A captain's role is granted for a volunteer team, not for a party branch.
        self.refused(
            "not_party_org",
            lambda: do_grant(
                User.objects.create_user("x", password="x-pass-12345"),
                "team_captain",
                side.community,
                acting_user=self.world.admin,
                organization=side.party,
            ),
        )


class MissingTests(TreeCase):
    def test_members_and_cadres_must_join_and_are_enrolled_in_one_step(self) -> None:
        from shequ.volunteers.missing import missing

        side = self.tree.a
        branch = org(side.community, "branch", "和平社区第一支部")
        dweller = person(side.building, "党员住户")
        PartyMember.objects.create(
            resident=dweller,
            name=dweller.name,
            organization=branch,
            joined_on=timezone.localdate() - timedelta(days=900),
            status="full",
        )
        names = {m.resident.name for m in missing(side.community)}
        self.assertIn("党员住户", names)
        self.assertIn(side.members[0].name, names)  # the secretary is a cadre
        self.client.force_login(self.world.officer_a)
        page = self.client.get(reverse("volunteers:missing"), {"node": side.community.pk})
        self.assertContains(page, "党员住户")
        response = self.client.post(reverse("volunteers:enrol"), {"node": side.community.pk, "resident": [dweller.pk]})
        self.assertEqual(response.status_code, 302)
        self.assertTrue(
            TeamMembership.objects.filter(volunteer__resident=dweller, team=side.team, ended_on__isnull=True).exists()
        )
        self.assertNotIn("党员住户", {m.resident.name for m in missing(side.community)})


@override_settings(SHEQU_SMS_CODE_SENDER="shequ.volunteers.tests.test_rules.capture_sms")
class PortalTests(TreeCase):
    def setUp(self) -> None:
        SENT.clear()
        cache.clear()

    def test_sign_up_with_a_one_time_code(self) -> None:
        side = self.tree.a
        v = volunteer(side, phone="13900001111")
        a = activity(side, days=4)
        listing = self.client.get(reverse("volunteers:portal"))
        self.assertContains(listing, a.title)
        self.assertNotContains(listing, v.resident.name)
        # An unknown phone gets the same page, and no SMS.
        page = self.client.post(reverse("volunteers:portal_code"), {"phone": "13900009999"})
        self.assertEqual(page.status_code, 200)
        self.assertEqual(SENT, [])
        self.client.post(
            reverse("volunteers:portal_code"),
            {"phone": "13900001111", "next": f"/volunteers/portal/activities/{a.pk}/"},
        )
        self.assertEqual(len(SENT), 1)
        code = "".join(c for c in SENT[0][1] if c.isdigit())[:6]
        wrong = "000000" if code != "000000" else "111111"
        self.assertEqual(
            self.client.post(reverse("volunteers:portal_verify"), {"phone": "13900001111", "code": wrong}).status_code,
            400,
        )
        response = self.client.post(
            reverse("volunteers:portal_verify"),
            {"phone": "13900001111", "code": code, "next": f"/volunteers/portal/activities/{a.pk}/"},
        )
        self.assertEqual(response.status_code, 302)
        self.assertEqual(self.client.post(reverse("volunteers:portal_activity", args=[a.pk])).status_code, 302)
        self.assertTrue(SignUp.objects.filter(activity=a, volunteer=v, channel="portal").exists())
        again = self.client.post(reverse("volunteers:portal_activity", args=[a.pk]))
        self.assertEqual(again.status_code, 400)  # once
        # The volunteer logs their own hours; they await the captain.
        mine = self.client.post(
            reverse("volunteers:portal_hours"),
            {
                "team": side.team.pk,
                "served_on": timezone.localdate().isoformat(),
                "hours": "2",
                "description": "清扫楼道",
            },
        )
        self.assertEqual(mine.status_code, 302)
        self.assertEqual(ServiceHours.objects.get(volunteer=v).status, HoursStatus.PENDING)

    def test_without_a_verified_phone_nothing_is_signed(self) -> None:
        a = activity(self.tree.a, days=4)
        self.assertEqual(self.client.post(reverse("volunteers:portal_activity", args=[a.pk])).status_code, 400)
        self.assertFalse(SignUp.objects.exists())


class FigureTests(TreeCase):
    def test_figures_match_a_hand_count(self) -> None:
        side = self.tree.a
        people = [volunteer(side) for _ in range(3)]
        actions.do_confirm_hours(
            actions.do_log_hours(
                acting_user=self.world.admin,
                volunteer=people[0],
                team=side.team,
                served_on=timezone.localdate(),
                hours="6",
            ),
            acting_user=self.world.admin,
        )
        indicators.refresh([REGISTRATION_RATE, HOURS_PER_VOLUNTEER], [side.community])
        from shequ.people.models import Resident

        residents = Resident.objects.within(side.community.path).filter(archived=False).count()
        figures = indicators.figures(
            side.community, timezone.localdate().year, indicators.ordered([REGISTRATION_RATE, HOURS_PER_VOLUNTEER])
        )
        self.assertAlmostEqual(figures[REGISTRATION_RATE].value or 0, 100 * 3 / residents)
        self.assertAlmostEqual(figures[HOURS_PER_VOLUNTEER].value or 0, 6 / 3)
