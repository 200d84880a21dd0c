"""Domain rules: the party tree, where organizations sit, posts and their dates, the write actions."""

from __future__ import annotations

from datetime import date

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from shequ.core.exceptions import ActionError, NotFound
from shequ.core.models import AuditEntry
from shequ.core.testing import WorldTestCase
from shequ.orgs import actions
from shequ.orgs.models import Organization, OrgKind, Post, Registration, Title
from shequ.territory.actions import do_create_node, do_move_node
from shequ.territory.models import Kind

from .helpers import make_uscc, org, post, resident


class NestingTests(WorldTestCase):
    def setUp(self) -> None:
        w = self.world
        self.estate = do_create_node(acting_user=w.admin, parent=w.grid_a, kind=Kind.ESTATE, name="阳光小区")
        self.building = do_create_node(acting_user=w.admin, parent=self.estate, kind=Kind.BUILDING, name="1号楼")
        self.street_committee = org(w.street_a, OrgKind.STREET_COMMITTEE, "和平街道党工委")

    def create(self, **kwargs: object) -> Organization:
        return actions.do_create_organization(acting_user=self.world.officer_a, **kwargs)  # type: ignore[arg-type]

    def test_the_party_tree_nests_in_order(self) -> None:
        w = self.world
        general = self.create(
            node=w.community_a, kind=OrgKind.GENERAL_BRANCH, name="和平社区党总支", parent=self.street_committee
        )
        branch = self.create(node=self.estate, kind=OrgKind.BRANCH, name="阳光小区党支部", parent=general)
        group = self.create(node=self.building, kind=OrgKind.PARTY_GROUP, name="1号楼党小组", parent=branch)
        functional = self.create(node=self.estate, kind=OrgKind.FUNCTIONAL_GROUP, name="文体党小组", parent=branch)
        self.assertEqual(list(general.children.order_by("pk")), [branch])
        self.assertEqual({o.pk for o in branch.children.all()}, {group.pk, functional.pk})

    def test_out_of_order_nesting_is_refused_with_a_clear_message(self) -> None:
        w = self.world
        branch = self.create(node=self.estate, kind=OrgKind.BRANCH, name="阳光小区党支部")
        with self.assertRaises(ValidationError) as ctx:
            self.create(node=w.community_a, kind=OrgKind.GENERAL_BRANCH, name="总支", parent=branch)
        message = " ".join(ctx.exception.message_dict["parent"])
        self.assertIn("阳光小区党支部", message)
        self.assertIn(str(OrgKind.GENERAL_BRANCH.label), message)
        # A group cannot stand directly under the street committee.
        with self.assertRaises(ValidationError):
            self.create(node=self.building, kind=OrgKind.PARTY_GROUP, name="党小组", parent=self.street_committee)
        # The street committee is the top.
        with self.assertRaises(ValidationError) as ctx:
            self.create(node=w.street_a, kind=OrgKind.STREET_COMMITTEE, name="另一党工委", parent=self.street_committee)
        self.assertIn(str(OrgKind.STREET_COMMITTEE.label), ctx.exception.message_dict["parent"][0])

    def test_only_party_organizations_nest(self) -> None:
        w = self.world
        rc = self.create(node=w.community_a, kind=OrgKind.RESIDENTS_COMMITTEE, name="和平社区居委会")
        with self.assertRaises(ValidationError) as ctx:
            self.create(
                node=w.community_a, kind=OrgKind.VOLUNTEER_STATION, name="志愿者服务站", parent=self.street_committee
            )
        self.assertIn("和平街道党工委", ctx.exception.message_dict["parent"][0])
        self.assertIn(str(OrgKind.VOLUNTEER_STATION.label), ctx.exception.message_dict["parent"][0])
        with self.assertRaises(ValidationError):
            self.create(node=self.building, kind=OrgKind.PARTY_GROUP, name="党小组", parent=rc)

    def test_the_parent_sits_above_and_the_kind_sits_on_the_right_place(self) -> None:
        w = self.world
        other_street = org(w.street_b, OrgKind.STREET_COMMITTEE, "胜利街道党工委")
        with self.assertRaises(NotFound):  # not even visible to officer A
            self.create(node=w.community_a, kind=OrgKind.COMMUNITY_COMMITTEE, name="党委", parent=other_street)
        with self.assertRaises(ValidationError) as ctx:
            actions.do_create_organization(
                acting_user=w.admin,
                node=w.community_a,
                kind=OrgKind.COMMUNITY_COMMITTEE,
                name="党委",
                parent=other_street,
            )
        self.assertIn("胜利街道", ctx.exception.message_dict["parent"][0])
        with self.assertRaises(ValidationError) as ctx:
            self.create(node=self.building, kind=OrgKind.RESIDENTS_COMMITTEE, name="居委会")
        self.assertIn("1号楼", ctx.exception.message_dict["node"][0])

    def test_a_kind_change_must_keep_the_children_valid(self) -> None:
        w = self.world
        party = self.create(
            node=w.community_a, kind=OrgKind.COMMUNITY_COMMITTEE, name="党委", parent=self.street_committee
        )
        self.create(node=self.estate, kind=OrgKind.BRANCH, name="支部", parent=party)
        with self.assertRaises(ValidationError) as ctx:
            actions.do_update_organization(party, acting_user=w.officer_a, kind=OrgKind.RESIDENTS_COMMITTEE)
        self.assertIn("支部", ctx.exception.message_dict["kind"][0])
        # General branch ← committee is fine: a branch may stand under either.
        actions.do_update_organization(party, acting_user=w.officer_a, kind=OrgKind.GENERAL_BRANCH)

    def test_kind_specific_fields(self) -> None:
        w = self.world
        with self.assertRaises(ValidationError) as ctx:
            self.create(
                node=w.community_a, kind=OrgKind.RESIDENT_UNIT, name="单位", registration=Registration.REGISTERED
            )
        self.assertIn("registration", ctx.exception.message_dict)
        with self.assertRaises(ValidationError) as ctx:
            self.create(node=w.community_a, kind=OrgKind.RESIDENT_UNIT, name="单位", has_party_org=True)
        self.assertIn("has_party_org", ctx.exception.message_dict)
        with self.assertRaises(ValidationError) as ctx:
            self.create(
                node=w.community_a,
                kind=OrgKind.PROPERTY_COMPANY,
                name="物业",
                contract_start=date(2025, 1, 1),
                contract_end=date(2024, 1, 1),
            )
        self.assertIn("contract_end", ctx.exception.message_dict)
        with self.assertRaises(ValidationError) as ctx:
            self.create(node=w.community_a, kind=OrgKind.RESIDENT_UNIT, name="单位", code="91420100000000001X")
        self.assertIn("code", ctx.exception.message_dict)
        social = self.create(
            node=w.community_a,
            kind=OrgKind.SOCIAL,
            name="书画协会",
            registration=Registration.REGISTERED,
            filed_on=date(2023, 1, 1),
            registered_on=date(2024, 6, 1),
            code=make_uscc(7).lower(),
        )
        self.assertEqual(social.code, make_uscc(7))
        with self.assertRaises(ValidationError) as ctx:
            self.create(node=w.community_a, kind=OrgKind.RESIDENT_UNIT, name="单位二", code=make_uscc(7))
        self.assertEqual(
            ctx.exception.messages, [str(_("Another organization already has this unified social credit code."))]
        )

    def test_outside_scope_is_not_found_and_nothing_is_written(self) -> None:
        w = self.world
        before = Organization.objects.count()
        with self.assertRaises(NotFound):
            self.create(node=w.community_b, kind=OrgKind.RESIDENT_UNIT, name="单位")
        with self.assertRaises(NotFound):
            actions.do_create_organization(
                acting_user=w.auditor_a, node=w.community_a, kind=OrgKind.RESIDENT_UNIT, name="单位"
            )
        theirs = org(w.community_b)
        with self.assertRaises(NotFound):
            actions.do_update_organization(theirs, acting_user=w.officer_a, name="改")
        # Moving one's own organization to another street is refused too.
        mine = org(w.community_a)
        with self.assertRaises(NotFound):
            actions.do_update_organization(mine, acting_user=w.officer_a, node=w.community_b)
        self.assertEqual(Organization.objects.count(), before + 2)

    def test_dissolve_ends_current_posts_and_keeps_the_history(self) -> None:
        w = self.world
        unit = org(w.community_a, OrgKind.VOLUNTEER_TEAM, "志愿服务队")
        current = post(unit, Title.CAPTAIN, name="王芳")
        past = post(unit, Title.MEMBER, name="李强", end=date(2024, 6, 1))
        actions.do_dissolve_organization(unit, acting_user=w.officer_a, on=date(2025, 3, 1), reason="合并")
        unit.refresh_from_db()
        current.refresh_from_db()
        past.refresh_from_db()
        self.assertFalse(unit.active)
        self.assertEqual(
            (unit.dissolved_on, current.end_date, past.end_date), (date(2025, 3, 1), date(2025, 3, 1), date(2024, 6, 1))
        )
        with self.assertRaises(ActionError):
            actions.do_dissolve_organization(unit, acting_user=w.officer_a)
        with self.assertRaises(ValidationError):
            actions.do_appoint(
                acting_user=w.officer_a,
                organization=unit,
                title=Title.MEMBER,
                person_name="赵六",
                start_date=date(2025, 4, 1),
            )
        self.assertTrue(
            AuditEntry.objects.filter(
                content_type=ContentType.objects.get_for_model(Organization),
                object_pk=str(unit.pk),
                actor=w.officer_a,
                action=AuditEntry.Action.UPDATE,
                changes__has_key="active",
            ).exists()
        )

    def test_a_party_organization_with_children_is_not_dissolved_or_deleted(self) -> None:
        w = self.world
        party = org(w.community_a, OrgKind.COMMUNITY_COMMITTEE, "党委", parent=self.street_committee)
        with self.assertRaises(ActionError):
            actions.do_dissolve_organization(self.street_committee, acting_user=w.officer_a)
        with self.assertRaises(ActionError):
            actions.do_delete_organization(self.street_committee, acting_user=w.officer_a)
        post(party, Title.SECRETARY, name="张书记")
        with self.assertRaises(ActionError):  # it has posts: dissolve it instead
            actions.do_delete_organization(party, acting_user=w.officer_a)
        self.assertTrue(Organization.objects.filter(pk=party.pk).exists())

    def test_a_move_of_the_territory_carries_organizations_and_posts(self) -> None:
        w = self.world
        grid = do_create_node(acting_user=w.admin, parent=w.community_a, kind=Kind.GRID, name="第9网格")
        unit = org(grid, OrgKind.VOLUNTEER_TEAM, "九网格志愿服务队")
        held = post(unit, Title.CAPTAIN, name="王芳")
        do_move_node(grid, w.community_b, acting_user=w.admin)
        unit.refresh_from_db()
        held.refresh_from_db()
        self.assertTrue(unit.path.startswith(w.community_b.path))
        self.assertEqual(held.path, unit.path)
        self.assertFalse(Organization.objects.restrict(w.officer_a, "view").filter(pk=unit.pk).exists())

    def test_an_organization_moved_to_another_place_takes_its_posts(self) -> None:
        w = self.world
        unit = org(w.community_a, OrgKind.RESIDENT_UNIT, "驻区单位")
        held = post(unit, Title.LIAISON, name="王芳")
        actions.do_update_organization(unit, acting_user=w.officer_a, node=w.grid_a)
        held.refresh_from_db()
        self.assertEqual((held.node_id, held.path), (w.grid_a.pk, w.grid_a.path))


class PropertyAndAllianceTests(WorldTestCase):
    def setUp(self) -> None:
        w = self.world
        self.estate1 = do_create_node(acting_user=w.admin, parent=w.grid_a, kind=Kind.ESTATE, name="阳光小区")
        self.estate2 = do_create_node(acting_user=w.admin, parent=w.grid_a, kind=Kind.ESTATE, name="翠湖花园")
        self.estate_b = do_create_node(acting_user=w.admin, parent=w.grid_b, kind=Kind.ESTATE, name="胜利小区")

    def test_property_company_estates_and_contract(self) -> None:
        w = self.world
        company = actions.do_create_organization(
            acting_user=w.officer_a,
            node=w.community_a,
            kind=OrgKind.PROPERTY_COMPANY,
            name="安居物业",
            contract_start=date(2024, 1, 1),
            contract_end=date(2026, 12, 31),
            estates=[self.estate1],
        )
        self.assertEqual(list(company.estates.all()), [self.estate1])
        actions.do_set_estates(company, [self.estate1, self.estate2], acting_user=w.officer_a)
        self.assertEqual({e.pk for e in company.estates.all()}, {self.estate1.pk, self.estate2.pk})
        self.assertEqual({c.pk for c in Organization.objects.filter(estates=self.estate2)}, {company.pk})
        # Another street's estate, a non-estate node: refused, nothing changed.
        with self.assertRaises(ActionError):
            actions.do_set_estates(company, [self.estate1, self.estate_b], acting_user=w.officer_a)
        with self.assertRaises(ActionError):
            actions.do_set_estates(company, [w.grid_a], acting_user=w.officer_a)
        self.assertEqual(company.estates.count(), 2)
        # Only property companies serve estates.
        unit = org(w.community_a)
        with self.assertRaises(ActionError):
            actions.do_set_estates(unit, [self.estate1], acting_user=w.officer_a)
        # The change is in the audit log.
        self.assertTrue(
            AuditEntry.objects.filter(
                content_type=ContentType.objects.get_for_model(Organization), object_pk=str(company.pk)
            ).count()
            >= 2
        )

    def test_alliance_members(self) -> None:
        w = self.world
        alliance = org(w.community_a, OrgKind.ALLIANCE, "和平社区党建联盟")
        unit1, unit2 = org(w.community_a), org(w.grid_a)
        theirs = org(w.community_b)
        actions.do_add_alliance_member(alliance, unit1, acting_user=w.officer_a)
        actions.do_add_alliance_member(alliance, unit2.pk, acting_user=w.officer_a)
        self.assertEqual({m.pk for m in alliance.members.all()}, {unit1.pk, unit2.pk})
        self.assertEqual(list(unit1.alliances.all()), [alliance])
        with self.assertRaises(NotFound):
            actions.do_add_alliance_member(alliance, theirs, acting_user=w.officer_a)
        with self.assertRaises(ActionError):
            actions.do_add_alliance_member(alliance, alliance, acting_user=w.officer_a)
        with self.assertRaises(ActionError):
            actions.do_add_alliance_member(unit1, unit2, acting_user=w.officer_a)
        actions.do_remove_alliance_member(alliance, unit1, acting_user=w.officer_a)
        self.assertEqual([m.pk for m in alliance.members.all()], [unit2.pk])
        with self.assertRaises(NotFound):
            actions.do_remove_alliance_member(alliance, unit1, acting_user=w.officer_a)
        with self.assertRaises(NotFound):
            actions.do_add_alliance_member(alliance, unit1, acting_user=w.officer_b)


class PostTests(WorldTestCase):
    def setUp(self) -> None:
        w = self.world
        self.rc = org(w.community_a, OrgKind.RESIDENTS_COMMITTEE, "和平社区居委会")
        self.person = resident(w.community_a, "张三")

    def appoint(self, **kwargs: object) -> Post:
        data: dict = {"organization": self.rc, "title": Title.MEMBER, "start_date": date(2024, 1, 1)}
        data.update(kwargs)
        return actions.do_appoint(acting_user=self.world.officer_a, **data)

    def test_end_not_before_start_and_a_person_is_needed(self) -> None:
        with self.assertRaises(ValidationError) as ctx:
            self.appoint(person=self.person, end_date=date(2023, 12, 31))
        self.assertIn("end_date", ctx.exception.message_dict)
        with self.assertRaises(ValidationError) as ctx:
            self.appoint()
        self.assertIn("person", ctx.exception.message_dict)
        with self.assertRaises(ValidationError) as ctx:
            self.appoint(person=self.person, title=Title.OTHER)
        self.assertIn("title_other", ctx.exception.message_dict)
        same_day = self.appoint(person=self.person, end_date=date(2024, 1, 1))
        self.assertEqual(same_day.end_date, same_day.start_date)

    def test_the_same_post_twice_at_overlapping_dates_is_refused(self) -> None:
        first = self.appoint(person=self.person, end_date=date(2024, 12, 31))
        with self.assertRaises(ValidationError) as ctx:
            self.appoint(person=self.person, start_date=date(2024, 6, 1))
        self.assertIn("2024-01-01", ctx.exception.message_dict["start_date"][0])
        with self.assertRaises(ValidationError):  # an open-ended post started earlier covers it
            self.appoint(person=self.person, start_date=date(2023, 1, 1))
        # Back to back (the next term starts the day the previous one ended) is fine.
        self.appoint(person=self.person, start_date=date(2024, 12, 31))
        # A different post, or another person, at the same time is fine.
        self.appoint(person=self.person, title=Title.DEPUTY_DIRECTOR, start_date=date(2024, 6, 1))
        self.appoint(person_name="李四", start_date=date(2024, 6, 1))
        with self.assertRaises(ValidationError):  # the same name typed twice
            self.appoint(person_name=" 李四 ", start_date=date(2024, 7, 1))
        # Editing the first post onto the second one's period is refused too.
        with self.assertRaises(ValidationError):
            actions.do_update_post(first, acting_user=self.world.officer_a, end_date=None)

    def test_end_post_and_scope(self) -> None:
        w = self.world
        held = self.appoint(person=self.person, person_name="ignored")
        self.assertEqual(held.person_name, "")
        self.assertEqual(held.path, w.community_a.path)
        self.assertTrue(held.is_current)
        actions.do_end_post(held, acting_user=w.officer_a, end_date=date(2025, 1, 1))
        held.refresh_from_db()
        self.assertEqual(held.end_date, date(2025, 1, 1))
        self.assertFalse(held.is_current)
        with self.assertRaises(ActionError):
            actions.do_end_post(held, acting_user=w.officer_a, end_date=date(2025, 2, 1))
        with self.assertRaises(NotFound):
            actions.do_end_post(held, acting_user=w.officer_b)
        theirs = org(w.community_b, OrgKind.RESIDENTS_COMMITTEE, "胜利社区居委会")
        with self.assertRaises(NotFound):
            self.appoint(organization=theirs, person_name="王五")
        someone_else = resident(w.community_b, "赵六")
        with self.assertRaises(NotFound):  # a resident outside the scope cannot be chosen
            self.appoint(person=someone_else)
