"""The map's layers: offered by the view right on their model, drawn from the user's area only, and the care
layer counts people per building without a name."""

from __future__ import annotations

from typing import Any, ClassVar

from django.urls import reverse

from shequ.core.testing import WorldTestCase
from shequ.services.tests.helpers import ServicesTree, file
from shequ.territory.actions import do_create_node
from shequ.territory.models import Kind


class MapLayerTests(WorldTestCase):
    tree: ClassVar[ServicesTree]

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.tree = ServicesTree(cls.world)
        places = (
            (cls.world.community_a, 30.5),
            (cls.world.community_b, 30.6),
            (cls.world.street_a, 30.4),
            (cls.world.street_b, 30.7),
        )
        for node, lat in places:
            node.latitude, node.longitude = lat, 114.3
            node.save()

    def layer(self, user: Any, key: str, node: Any, option: str = "") -> Any:
        self.login(user)
        return self.client.get(reverse("territory:map_layer", args=[key]), {"node": node.pk, "option": option})

    def test_the_page_offers_the_layers_the_role_may_see(self) -> None:
        self.login(self.world.officer_a)
        page = self.client.get(reverse("territory:map"))
        self.assertEqual(
            {layer["key"] for layer in page.context["layers"]},
            {"indicator", "requests", "care", "facilities", "facility_gaps"},
        )
        self.assertContains(page, 'data-map-layer="requests"')
        self.login(self.world.nobody)
        # No right on any place: the map is not offered (no menu entry) and answers 404, with no layer.
        self.assertNotContains(self.client.get(reverse("territory:map")), "data-map-layer", status_code=404)

    def test_requests_are_counted_per_place_within_the_area(self) -> None:
        file(self.world, node=self.world.community_a, acting_user=self.world.admin)
        file(self.world, node=self.world.community_a, acting_user=self.world.admin)
        file(self.world, node=self.world.community_b, acting_user=self.world.admin)
        features = self.layer(self.world.officer_a, "requests", self.world.street_a).json()["features"]
        self.assertEqual([f["properties"]["count"] for f in features], [2])
        self.assertNotIn("张先生", str(features))  # the contact is never on the map
        # Another street's place is outside the area; an unknown layer is not found.
        self.assertEqual(self.layer(self.world.officer_a, "requests", self.world.street_b).status_code, 404)
        self.assertEqual(self.layer(self.world.officer_a, "nope", self.world.street_a).status_code, 404)
        self.assertEqual(self.layer(self.world.nobody, "requests", self.world.street_a).status_code, 404)

    def test_care_per_building_counts_without_names(self) -> None:
        from shequ.people.models import CareTag
        from shequ.people.tests.helpers import resident

        building = do_create_node(
            acting_user=self.world.admin,
            parent=self.world.grid_a,
            kind=Kind.BUILDING,
            name="1号楼",
            latitude=30.51,
            longitude=114.31,
        )
        unit = do_create_node(acting_user=self.world.admin, parent=building, kind=Kind.UNIT, name="1单元")
        tag = CareTag.objects.first() or CareTag.objects.create(code="alone", name="独居老人")
        for name in ("王大爷", "李奶奶"):
            resident(self.world, unit, name=name).tags.add(tag)
        features = self.layer(self.world.officer_a, "care", self.world.street_a).json()["features"]
        self.assertEqual([f["properties"]["count"] for f in features], [2])
        self.assertNotIn("王大爷", str(features))

    def test_areas_coloured_by_a_target(self) -> None:
        from shequ.services.indicators import SATISFACTION

        features = self.layer(self.world.admin, "indicator", self.world.district, SATISFACTION).json()["features"]
        self.assertEqual({f["properties"]["color"] for f in features}, {"#9ca3af"})  # nothing yet: grey
        self.assertEqual(self.layer(self.world.admin, "indicator", self.world.district, "nope").json()["features"], [])

    def test_overdue_requests_are_drawn_in_red(self) -> None:
        from datetime import timedelta

        from django.utils import timezone

        from shequ.services.models import ServiceRequest

        late = file(self.world, node=self.world.community_a, acting_user=self.world.admin, accept=True)
        file(self.world, node=self.world.community_b, acting_user=self.world.admin, accept=True)
        ServiceRequest.objects.filter(pk=late.pk).update(deadline=timezone.now() - timedelta(hours=1))
        features = self.layer(self.world.admin, "requests", self.world.district).json()["features"]
        colours = {f["properties"]["name"].split("：")[0].split(":")[0]: f["properties"]["color"] for f in features}
        self.assertEqual(sorted(colours.values()), ["#dc2626", "#f59e0b"])
        self.assertEqual(colours[self.world.community_a.name], "#dc2626")

    def test_care_layer_never_reaches_a_role_that_may_not_see_residents(self) -> None:
        from shequ.accounts.roles import ROLES
        from shequ.accounts.scope import can
        from shequ.people.models import CareTag, Resident
        from shequ.people.tests.helpers import resident

        unit = do_create_node(
            acting_user=self.world.admin,
            parent=do_create_node(
                acting_user=self.world.admin,
                parent=self.world.grid_a,
                kind=Kind.BUILDING,
                name="2号楼",
                latitude=30.52,
                longitude=114.32,
            ),
            kind=Kind.UNIT,
            name="1单元",
        )
        tag = CareTag.objects.first() or CareTag.objects.create(code="alone", name="独居老人")
        resident(self.world, unit, name="赵奶奶").tags.add(tag)
        refused = allowed = 0
        for role in ROLES:
            user = self.world.user(f"map_{role}", role, self.world.community_a)
            self.login(user)
            offered = {layer["key"] for layer in self.client.get(reverse("territory:map")).context["layers"] or []}
            answer = self.layer(user, "care", self.world.community_a)
            if can(user, Resident, "view"):
                allowed += 1
                self.assertIn("care", offered, role)
                self.assertEqual([f["properties"]["count"] for f in answer.json()["features"]], [1], role)
                self.assertNotIn("赵奶奶", answer.content.decode(), role)
            else:
                refused += 1
                self.assertNotIn("care", offered, role)
                self.assertEqual(answer.status_code, 404, role)
                self.assertNotIn("赵奶奶", answer.content.decode(), role)
        self.assertTrue(refused and allowed, (refused, allowed))

    def test_base_map_from_settings_and_a_page_useful_without_it(self) -> None:
        self.login(self.world.officer_a)
        with self.settings(SHEQU_MAP_TILES="", SHEQU_MAP_ATTRIBUTION=""):
            page = self.client.get(reverse("territory:map"))
        self.assertContains(page, 'data-map-tiles="{}"')
        self.assertContains(page, 'data-map-layer="requests"')  # the layers are offered without a base map
        url = "https://tiles.example.org/{z}/{x}/{y}.png"
        with self.settings(SHEQU_MAP_TILES=url, SHEQU_MAP_ATTRIBUTION="自建底图"):
            page = self.client.get(reverse("territory:map"))
        self.assertIn(url, page.context["tiles_json"])
        self.assertIn("自建底图", page.context["tiles_json"])
