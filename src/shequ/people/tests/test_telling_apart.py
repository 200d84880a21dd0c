"""Places and people are told apart wherever one is named among others: a place by its path from the street
down, a household by its building, two residents of the same name by birth year, masked number and dwelling;
the search box finds a resident by phone number."""

from __future__ import annotations

from datetime import date

from shequ.core.testing import WorldTestCase
from shequ.people.models import Household, Resident
from shequ.territory.actions import do_create_node
from shequ.territory.models import Kind, Node

from .helpers import household, make_id, resident


class TellingApartTests(WorldTestCase):
    estate: Node
    units: list[Node]
    zhang_1985: Resident
    zhang_1990: Resident
    far: Resident

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        w, a = cls.world, cls.world.admin
        cls.estate = do_create_node(acting_user=a, parent=w.grid_a, kind=Kind.ESTATE, name="阳光公寓2期")
        cls.units = []
        for building_name in ("3号楼", "4号楼"):
            building = do_create_node(acting_user=a, parent=cls.estate, kind=Kind.BUILDING, name=building_name)
            cls.units.append(do_create_node(acting_user=a, parent=building, kind=Kind.UNIT, name="2单元"))
        cls.zhang_1985 = resident(
            w, cls.units[0], name="张伟", id_number=make_id(born=date(1985, 3, 2), seq=401), phone="13812345678"
        )
        cls.zhang_1990 = resident(w, cls.units[1], name="张伟", id_number=make_id(born=date(1990, 6, 1), seq=402))
        cls.far = resident(w, w.grid_b, name="远方", id_number=make_id(seq=403), phone="13912345678")

    def test_the_place_picker_names_places_by_their_path(self) -> None:
        self.login(self.world.officer_a)
        page = self.client.get("/territory/pick/", {"q": "2单元"}).content.decode()
        self.assertIn("和平街道 / 和平社区 / 阳光公寓2期 / 3号楼 / 2单元", page)
        self.assertIn("和平街道 / 和平社区 / 阳光公寓2期 / 4号楼 / 2单元", page)
        self.assertNotIn("第1网格", page)  # a grid is no part of an address
        # The chosen place is named the same way.
        page = self.client.get("/people/residents/", {"within": self.units[1].pk}).content.decode()
        self.assertIn('value="和平街道 / 和平社区 / 阳光公寓2期 / 4号楼 / 2单元"', page)

    def test_a_household_is_titled_with_its_building(self) -> None:
        home = household(self.world, self.units[0], address="402")
        self.assertEqual(str(Household.objects.get(pk=home.pk)), "3号楼 2单元 402")
        self.login(self.world.officer_a)
        self.assertContains(self.client.get(home.get_absolute_url()), "3号楼 2单元 402")

    def test_the_resident_picker_tells_homonyms_apart(self) -> None:
        self.login(self.world.officer_a)
        page = self.client.get("/orgs/pick/residents/", {"q": "张伟"}).content.decode()
        for person, born, building in ((self.zhang_1985, "1985", "3号楼"), (self.zhang_1990, "1990", "4号楼")):
            self.assertIn(f"{born}年生 · {person.id_masked} · {building} 2单元", page)
        # The chosen resident keeps what tells them apart.
        from shequ.orgs.widgets import ResidentPickerWidget

        widget = ResidentPickerWidget(user=self.world.officer_a)
        self.assertEqual(
            widget.label_for(self.zhang_1990.pk), f"张伟（1990年生 · {self.zhang_1990.id_masked} · 4号楼 2单元）"
        )

    def test_the_search_box_tells_homonyms_apart(self) -> None:
        self.login(self.world.officer_a)
        page = self.client.get("/search/", {"q": "张伟"}).content.decode()
        self.assertIn(f"1985年生 · {self.zhang_1985.id_masked} · 3号楼 2单元", page)
        self.assertIn(f"1990年生 · {self.zhang_1990.id_masked} · 4号楼 2单元", page)

    def test_the_search_box_finds_a_resident_by_phone_number(self) -> None:
        self.login(self.world.officer_a)
        for typed in ("13812345678", "138 1234 5678", "+86 138-1234-5678"):
            with self.subTest(typed=typed):
                page = self.client.get("/search/", {"q": typed}).content.decode()
                self.assertIn(self.zhang_1985.get_absolute_url(), page)
                self.assertNotIn(self.zhang_1990.get_absolute_url(), page)
        # A part of a number finds nobody; another street's resident is not found by theirs.
        self.assertNotIn(
            self.zhang_1985.get_absolute_url(), self.client.get("/search/", {"q": "1381234"}).content.decode()
        )
        self.assertNotIn(
            self.far.get_absolute_url(), self.client.get("/search/", {"q": "13912345678"}).content.decode()
        )
        self.login(self.world.officer_b)
        self.assertIn(self.far.get_absolute_url(), self.client.get("/search/", {"q": "13912345678"}).content.decode())
