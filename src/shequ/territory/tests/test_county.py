"""A district marked a county (its service-housing rule): only a district, on every write path."""

from __future__ import annotations

import json

from shequ.core.exceptions import FieldErrors
from shequ.core.testing import WorldTestCase
from shequ.territory import actions


class CountyFlagTests(WorldTestCase):
    def test_only_a_district_on_the_action_and_the_api(self) -> None:
        w = self.world
        with self.assertRaises(FieldErrors):
            actions.do_update_node(w.street_a, acting_user=w.admin, is_county=True)
        actions.do_update_node(w.district, acting_user=w.admin, is_county=True)
        w.district.refresh_from_db()
        self.assertTrue(w.district.is_county)
        self.client.force_login(w.admin)
        refused = self.client.patch(
            f"/api/v1/nodes/{w.street_a.pk}", json.dumps({"is_county": True}), content_type="application/json"
        )
        self.assertEqual(refused.status_code, 422)
        self.assertIn("is_county", refused.content.decode())
        made = self.client.post(
            "/api/v1/nodes/",
            json.dumps({"parent_id": w.city.pk, "kind": "district", "name": "西县", "is_county": True}),
            content_type="application/json",
        )
        self.assertEqual(made.status_code, 201, made.content)
        self.assertTrue(made.json()["is_county"])
        self.assertEqual(
            self.client.patch(
                f"/api/v1/nodes/{w.district.pk}", json.dumps({"is_county": None}), content_type="application/json"
            ).status_code,
            200,
        )
        w.district.refresh_from_db()
        self.assertTrue(w.district.is_county, "null changes nothing")
