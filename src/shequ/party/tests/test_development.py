"""The rules on developing members, each as a clear error, with the boundaries."""

from __future__ import annotations

from datetime import date
from typing import ClassVar

from shequ.core.exceptions import ActionError, NotFound
from shequ.core.testing import WorldTestCase
from shequ.party import actions
from shequ.party.models import DevelopmentRecord, EventKind, MemberStatus, PartyMember, Stage
from shequ.party.models.common import add_months, add_years, age_on
from shequ.people.tests.helpers import make_id

from .helpers import PartyTree, member


class DateHelpersTests(WorldTestCase):
    def test_add_years_and_months(self) -> None:
        self.assertEqual(add_years(date(2020, 3, 2), 1), date(2021, 3, 2))
        self.assertEqual(add_years(date(2020, 2, 29), 1), date(2021, 3, 1))
        self.assertEqual(add_years(date(2020, 2, 29), 4), date(2024, 2, 29))
        self.assertEqual(add_months(date(2021, 1, 31), 1), date(2021, 3, 1))
        self.assertEqual(add_months(date(2021, 6, 15), 12), date(2022, 6, 15))
        self.assertEqual(add_months(date(2021, 12, 31), 2), date(2022, 3, 1))
        self.assertEqual(age_on(date(2000, 3, 2), date(2018, 3, 1)), 17)
        self.assertEqual(age_on(date(2000, 3, 2), date(2018, 3, 2)), 18)


class DevelopmentTests(WorldTestCase):
    tree: ClassVar[PartyTree]
    contact: ClassVar[PartyMember]
    second: ClassVar[PartyMember]
    probationary: ClassVar[PartyMember]
    outsider: ClassVar[PartyMember]

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.tree = PartyTree(cls.world)
        cls.contact = member(cls.world, cls.tree.branch_a)
        cls.second = member(cls.world, cls.tree.branch_a)
        cls.probationary = member(
            cls.world, cls.tree.branch_a, status=MemberStatus.PROBATIONARY, joined_on=date(2024, 1, 10)
        )
        cls.outsider = member(cls.world, cls.tree.branch_b)

    def applicant(
        self, born: date = date(1995, 3, 2), applied: date = date(2020, 3, 1), **kw: object
    ) -> DevelopmentRecord:
        return actions.do_register_applicant(
            acting_user=self.world.officer_a,
            organization=self.tree.branch_a,
            name="申请人",
            id_number=make_id(born=born, seq=7),
            applied_on=applied,
            **kw,  # type: ignore[arg-type]
        )

    def error(self, code: str, work: object) -> ActionError:
        with self.assertRaises(ActionError) as ctx:
            work()  # type: ignore[operator]
        self.assertEqual(ctx.exception.code, code, ctx.exception.messages)
        return ctx.exception

    # -- applicant ------------------------------------------------------------------------------------------------
    def test_applicant_at_least_18_on_the_day_of_applying(self) -> None:
        error = self.error("too_young", lambda: self.applicant(born=date(2000, 3, 2), applied=date(2018, 3, 1)))
        self.assertIn("18", error.messages[0])
        record = self.applicant(born=date(2000, 3, 2), applied=date(2018, 3, 2))  # the 18th birthday counts
        self.assertEqual(record.stage, Stage.APPLICANT)
        self.assertEqual(record.birth_date, date(2000, 3, 2))
        self.assertEqual(record.path, self.tree.branch_a.path)

    def test_applicant_needs_a_birth_date(self) -> None:
        self.error(
            "birth_date_required",
            lambda: actions.do_register_applicant(
                acting_user=self.world.officer_a,
                organization=self.tree.branch_a,
                name="无证",
                applied_on=date(2020, 1, 1),
            ),
        )

    def test_applicant_only_once_and_not_a_member(self) -> None:
        self.applicant()
        self.error("duplicate_identity", self.applicant)
        self.error(
            "already_member",
            lambda: actions.do_register_applicant(
                acting_user=self.world.officer_a,
                organization=self.tree.branch_a,
                name=self.contact.name,
                id_number=self.contact.id_number,
                applied_on=date(2020, 1, 1),
            ),
        )

    def test_applicant_outside_scope_or_in_a_non_party_org(self) -> None:
        with self.assertRaises(NotFound):
            actions.do_register_applicant(
                acting_user=self.world.officer_a,
                organization=self.tree.branch_b,
                name="甲",
                id_number=make_id(seq=9),
                applied_on=date(2020, 1, 1),
            )
        from shequ.orgs.models import OrgKind

        from .helpers import org

        rc = org(self.world.community_a, OrgKind.RESIDENTS_COMMITTEE, "居委会")
        self.error(
            "not_party_org",
            lambda: actions.do_register_applicant(
                acting_user=self.world.officer_a,
                organization=rc,
                name="甲",
                id_number=make_id(seq=9),
                applied_on=date(2020, 1, 1),
            ),
        )

    # -- activist --------------------------------------------------------------------------------------------------
    def test_activist_needs_full_members_as_contacts(self) -> None:
        record = self.applicant()
        user = self.world.officer_a
        self.error(
            "people_count", lambda: actions.do_make_activist(record, acting_user=user, on=date(2020, 4, 1), contacts=[])
        )
        self.error(
            "not_full_member",
            lambda: actions.do_make_activist(
                record, acting_user=user, on=date(2020, 4, 1), contacts=[self.probationary]
            ),
        )
        self.error(
            "same_person",
            lambda: actions.do_make_activist(
                record, acting_user=user, on=date(2020, 4, 1), contacts=[self.contact, self.contact]
            ),
        )
        with self.assertRaises(NotFound):  # a contact outside the user's area
            actions.do_make_activist(record, acting_user=user, on=date(2020, 4, 1), contacts=[self.outsider])
        self.error(
            "invalid_date",
            lambda: actions.do_make_activist(record, acting_user=user, on=date(2020, 2, 1), contacts=[self.contact]),
        )
        done = actions.do_make_activist(
            record, acting_user=user, on=date(2020, 4, 1), contacts=[self.contact, self.second]
        )
        self.assertEqual((done.stage, done.contact_1, done.contact_2), (Stage.ACTIVIST, self.contact, self.second))
        self.error(
            "wrong_stage",
            lambda: actions.do_make_activist(done, acting_user=user, on=date(2020, 4, 1), contacts=[self.contact]),
        )

    # -- development target ----------------------------------------------------------------------------------------
    def test_one_year_as_activist_before_becoming_a_target(self) -> None:
        user = self.world.officer_a
        record = actions.do_make_activist(
            self.applicant(), acting_user=user, on=date(2020, 3, 2), contacts=[self.contact]
        )
        self.error(
            "wrong_stage", lambda: actions.do_admit(record, acting_user=user, on=date(2022, 1, 1), introducers=[])
        )
        error = self.error(
            "activist_year", lambda: actions.do_make_target(record, acting_user=user, on=date(2021, 3, 1))
        )
        self.assertIn("2021-03-02", error.messages[0])
        done = actions.do_make_target(record, acting_user=user, on=date(2021, 3, 2))
        self.assertEqual((done.stage, done.target_on), (Stage.TARGET, date(2021, 3, 2)))

    def test_activist_since_29_february(self) -> None:
        user = self.world.officer_a
        record = actions.do_make_activist(
            self.applicant(applied=date(2020, 2, 1)), acting_user=user, on=date(2020, 2, 29), contacts=[self.contact]
        )
        self.error("activist_year", lambda: actions.do_make_target(record, acting_user=user, on=date(2021, 2, 28)))
        actions.do_make_target(record, acting_user=user, on=date(2021, 3, 1))

    # -- admission -------------------------------------------------------------------------------------------------
    def target(self) -> DevelopmentRecord:
        user = self.world.officer_a
        record = actions.do_make_activist(
            self.applicant(), acting_user=user, on=date(2020, 4, 1), contacts=[self.contact]
        )
        return actions.do_make_target(record, acting_user=user, on=date(2021, 5, 1))

    def test_admission_needs_two_full_introducers(self) -> None:
        record, user = self.target(), self.world.officer_a
        self.error(
            "people_count",
            lambda: actions.do_admit(record, acting_user=user, on=date(2021, 9, 1), introducers=[self.contact]),
        )
        self.error(
            "not_full_member",
            lambda: actions.do_admit(
                record, acting_user=user, on=date(2021, 9, 1), introducers=[self.contact, self.probationary]
            ),
        )
        self.error(
            "invalid_date",
            lambda: actions.do_admit(
                record, acting_user=user, on=date(2021, 4, 1), introducers=[self.contact, self.second]
            ),
        )
        new = actions.do_admit(record, acting_user=user, on=date(2021, 9, 1), introducers=[self.contact, self.second])
        self.assertEqual(new.status, MemberStatus.PROBATIONARY)
        self.assertEqual(new.probation_ends, date(2022, 9, 1))  # a probation of one year
        self.assertEqual(new.organization, self.tree.branch_a)
        self.assertEqual(new.id_hash, record.id_hash)
        record.refresh_from_db()
        self.assertEqual((record.stage, record.member, record.introducer_1), (Stage.PROBATIONARY, new, self.contact))
        self.assertTrue(new.events.filter(kind=EventKind.ADMITTED).exists())
        # The pipeline goes on with the member: conversion marks the record full too.
        actions.do_convert(new, acting_user=user, decided_on=date(2022, 9, 5))
        record.refresh_from_db()
        self.assertEqual((record.stage, record.converted_on), (Stage.FULL, date(2022, 9, 1)))

    def test_stop(self) -> None:
        record = self.applicant()
        self.error(
            "reason_required", lambda: actions.do_stop_development(record, acting_user=self.world.officer_a, reason=" ")
        )
        done = actions.do_stop_development(
            record, acting_user=self.world.officer_a, reason="本人撤回申请", on=date(2020, 5, 1)
        )
        self.assertEqual(done.stage, Stage.STOPPED)
        # Stopped: the person may apply again later.
        self.applicant(applied=date(2021, 1, 1))
