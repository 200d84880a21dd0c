"""Scope through every path: search, audit log, jobs, API errors and counts."""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path
from typing import Any

from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from shequ.accounts.models import APIToken
from shequ.core.models import AuditEntry, Job
from shequ.core.testing import WorldTestCase
from shequ.territory.actions import do_create_node, do_update_node
from shequ.territory.models import Kind


class SearchScopeTests(WorldTestCase):
    def test_global_search_by_name_pinyin_initials_and_code_stays_in_scope(self) -> None:
        self.login(self.world.officer_a)
        for query in ["社区", "shequ", "heping", "hpsq", "990101"]:
            html = self.client.get("/search/", {"q": query}).content.decode()
            self.assertNotIn(self.world.community_b.get_absolute_url(), html, query)
        html = self.client.get("/search/", {"q": "hpsq"}).content.decode()
        self.assertIn(self.world.community_a.get_absolute_url(), html)
        _t, key = APIToken.issue(self.world.officer_a)
        hits = self.client.get("/api/v1/search/", {"q": "社区"}, HTTP_AUTHORIZATION=f"Bearer {key}").json()
        self.assertEqual({h["id"] for h in hits if h["type"] == "territory.node"}, {self.world.community_a.pk})

    def test_node_picker_suggests_only_choosable_places(self) -> None:
        self.login(self.world.officer_a)
        html = self.client.get("/territory/pick/", {"q": "社区", "action": "add"}).content.decode()
        self.assertIn("和平社区", html)
        self.assertNotIn("胜利社区", html)


class AuditScopeTests(WorldTestCase):
    def test_audit_list_and_api_are_scoped(self) -> None:
        do_update_node(self.world.grid_b, acting_user=self.world.admin, name="乙方网格")
        do_update_node(self.world.grid_a, acting_user=self.world.admin, name="甲方网格")
        self.login(self.world.officer_a)
        html = self.client.get("/audit/").content.decode()
        self.assertIn("甲方网格", html)
        self.assertNotIn("乙方网格", html)
        _t, key = APIToken.issue(self.world.officer_a)
        items = self.client.get("/api/v1/audit/?page_size=500", HTTP_AUTHORIZATION=f"Bearer {key}").json()["items"]
        reprs = {i["object_repr"] for i in items}
        self.assertIn("甲方网格", reprs)
        self.assertNotIn("乙方网格", reprs)
        # A history tab of an object outside the scope answers 404.
        self.assertEqual(self.client.get(f"/territory/nodes/{self.world.grid_b.pk}/history/").status_code, 404)

    def test_grid_worker_has_no_audit_log(self) -> None:
        gridder = self.world.user("gridder", "grid_worker", self.world.grid_a)
        self.login(gridder)
        self.assertEqual(self.client.get("/audit/").status_code, 404)

    def test_changes_record_actor_address_and_before_after(self) -> None:
        self.login(self.world.officer_a)
        self.client.post(
            f"/territory/nodes/{self.world.grid_a.pk}/edit/",
            {"name": "新名字", "code": "", "latitude": "", "longitude": ""},
            REMOTE_ADDR="10.9.8.7",
        )
        entry = AuditEntry.objects.filter(object_pk=str(self.world.grid_a.pk), action=AuditEntry.Action.UPDATE).latest(
            "pk"
        )
        self.assertEqual(entry.actor, self.world.officer_a)
        self.assertEqual(entry.remote_addr, "10.9.8.7")
        self.assertEqual(entry.changes["name"], ["第1网格", "新名字"])


class JobScopeTests(WorldTestCase):
    def test_a_job_is_seen_by_its_owner_and_in_scope_only(self) -> None:
        job = Job.objects.create(
            kind="import",
            title="甲的导入",
            user=self.world.officer_a,
            node=self.world.street_a,
            path=self.world.street_a.path,
        )
        self.login(self.world.officer_b)
        self.assertEqual(self.client.get(job.get_absolute_url()).status_code, 404)
        self.assertEqual(self.client.get(f"/jobs/{job.pk}/report/").status_code, 404)
        self.assertNotContains(self.client.get("/jobs/"), "甲的导入")
        self.login(self.world.officer_a)
        self.assertContains(self.client.get(job.get_absolute_url()), "甲的导入")

    def test_the_rejected_rows_go_to_the_uploader_and_who_may_import_and_see_numbers_there(self) -> None:
        """A job's report holds identity numbers as typed: seeing the job in one's scope is not enough."""
        from shequ.accounts.actions import do_grant
        from shequ.accounts.models import User
        from shequ.people.tests.helpers import grid_worker

        folder = Path(tempfile.mkdtemp())
        self.addCleanup(shutil.rmtree, folder, True)
        path = folder / "report.xlsx"  # where `shequ import --report` wrote it
        path.write_bytes(b"PK rows")
        job = Job.objects.create(
            kind="import",
            title="网格导入",
            user=self.world.officer_a,
            node=self.world.grid_a,
            path=self.world.grid_a.path,
            status=Job.Status.DONE,
            params={"model": "people.resident", "dry_run": True, "command": True},
            result={"report": str(path), "errors": [{"row": 2, "message": "x"}], "rejected": 1},
        )
        url = f"/jobs/{job.pk}/report/"
        gridder = grid_worker(self.world, self.world.grid_a)  # sees the job (in scope), may not import
        self.login(gridder)
        self.assertEqual(self.client.get(job.get_absolute_url()).status_code, 200)
        self.assertNotContains(self.client.get(job.get_absolute_url()), url)
        self.assertEqual(self.client.get(url).status_code, 404)
        worker = User.objects.create_user("report_worker", password="x-pass-123", node=self.world.community_a)
        do_grant(worker, "community_worker", self.world.community_a, acting_user=self.world.admin)
        self.login(worker)  # imports residents and sees their numbers there
        self.assertContains(self.client.get(job.get_absolute_url()), url)
        self.assertEqual(self.client.get(url).status_code, 200)
        self.login(self.world.officer_a)  # the uploader
        self.assertEqual(self.client.get(url).status_code, 200)


class APIErrorTests(WorldTestCase):
    def setUp(self) -> None:
        _t, key = APIToken.issue(self.world.officer_a)
        self.auth: dict[str, Any] = {"HTTP_AUTHORIZATION": f"Bearer {key}"}

    def test_malformed_payload_gets_specific_translated_messages(self) -> None:
        response = self.client.post("/api/v1/nodes/", data="{not json", content_type="application/json", **self.auth)
        self.assertEqual(response.status_code, 400)
        self.assertEqual(response.json()["code"], "malformed")
        response = self.client.post(
            "/api/v1/nodes/",
            data=json.dumps({"parent_id": "x", "kind": "planet"}),
            content_type="application/json",
            HTTP_ACCEPT_LANGUAGE="zh-hans",
            **self.auth,
        )
        self.assertEqual(response.status_code, 422)
        self.assertEqual(response.json()["code"], "validation_error")
        fields = {d["field"] for d in response.json()["details"]}
        self.assertTrue({"parent_id", "kind", "name"} <= fields, fields)

    def test_domain_rule_error_has_a_stable_code(self) -> None:
        payload = {"parent_id": self.world.grid_a.pk, "kind": "street", "name": "错"}
        response = self.client.post(
            "/api/v1/nodes/", data=json.dumps(payload), content_type="application/json", **self.auth
        )
        self.assertEqual(response.status_code, 400)
        self.assertEqual(response.json()["code"], "invalid_parent")

    def test_move_and_children_through_the_api(self) -> None:
        other = do_create_node(
            acting_user=self.world.admin, parent=self.world.street_a, kind=Kind.COMMUNITY, name="丙社区"
        )
        response = self.client.post(
            f"/api/v1/nodes/{self.world.grid_a.pk}/move",
            data=json.dumps({"new_parent_id": other.pk}),
            content_type="application/json",
            **self.auth,
        )
        self.assertEqual(response.status_code, 200, response.content)
        self.assertTrue(response.json()["path"].startswith(other.path))
        response = self.client.post(
            f"/api/v1/nodes/{self.world.grid_a.pk}/move",
            data=json.dumps({"new_parent_id": self.world.community_b.pk}),
            content_type="application/json",
            **self.auth,
        )
        self.assertEqual(response.status_code, 404)
        children = self.client.get(f"/api/v1/nodes/{self.world.street_a.pk}/children", **self.auth).json()
        self.assertEqual({c["name"] for c in children}, {"和平社区", "丙社区"})
        self.assertEqual(
            self.client.get(f"/api/v1/nodes/{self.world.street_b.pk}/children", **self.auth).status_code, 404
        )

    def test_filters_are_the_same_as_the_ui(self) -> None:
        items = self.client.get("/api/v1/nodes/", {"kind": "grid"}, **self.auth).json()["items"]
        self.assertEqual([i["name"] for i in items], ["第1网格"])
        bad = self.client.get("/api/v1/nodes/", {"kind": "planet"}, **self.auth)
        self.assertEqual(bad.status_code, 400)
        self.assertEqual(bad.json()["code"], "invalid")

    def test_session_auth_needs_csrf_for_writes(self) -> None:
        from django.test import Client

        client = Client(enforce_csrf_checks=True)
        client.force_login(self.world.officer_a)
        self.assertEqual(client.get("/api/v1/nodes/").status_code, 200)
        payload = {"parent_id": self.world.community_a.pk, "kind": "grid", "name": "无令牌"}
        response = client.post("/api/v1/nodes/", data=json.dumps(payload), content_type="application/json")
        self.assertIn(response.status_code, (401, 403))

    @override_settings(SHEQU_COUNT_CAP=3)
    def test_counts_are_capped(self) -> None:
        for i in range(5):
            do_create_node(acting_user=self.world.admin, parent=self.world.grid_a, kind=Kind.BUILDING, name=f"{i}号")
        body = self.client.get("/api/v1/nodes/", **self.auth).json()
        self.assertEqual(body["count"], 3)
        self.assertTrue(body["count_capped"])
        self.login(self.world.officer_a)
        with CaptureQueriesContext(connection) as queries:
            html = self.client.get("/territory/nodes/").content.decode()
        self.assertIn('data-testid="count"', html)
        self.assertIn("3", html.split('data-testid="count"')[1][:200])
        counts = [q["sql"] for q in queries.captured_queries if "COUNT(" in q["sql"].upper()]
        self.assertTrue(counts and all("LIMIT" in sql.upper() for sql in counts), counts)


class APIDocsTests(WorldTestCase):
    def test_openapi_docs_are_served_locally(self) -> None:
        self.login(self.world.officer_a)
        html = self.client.get("/api/v1/docs").content.decode()
        self.assertIn("/static/ninja/swagger-ui-bundle.js", html)
        self.assertNotIn("cdn", html)
        schema = self.client.get("/api/v1/openapi.json").json()
        self.assertIn("/api/v1/nodes/", schema["paths"])
        params = {p["name"] for p in schema["paths"]["/api/v1/nodes/"]["get"]["parameters"]}
        self.assertTrue({"q", "kind", "within", "page", "page_size"} <= params, params)


class PlacePickerPermissionTests(WorldTestCase):
    def test_places_are_offered_by_the_rights_on_the_form_model(self) -> None:
        """A grid worker may add residents but only read the territory: the picker still offers their grid."""
        from shequ.core.forms import ScopedModelForm
        from shequ.people.models import Resident

        gridder = self.world.user("gridder", "grid_worker", self.world.grid_a)
        self.login(gridder)
        html = self.client.get("/territory/pick/", {"q": "网格", "action": "add", "model": "people.resident"}).content
        self.assertIn(f'data-pick-id="{self.world.grid_a.pk}"'.encode(), html)
        self.assertNotIn(f'data-pick-id="{self.world.grid_b.pk}"'.encode(), html)
        # For places themselves the same user may add nothing.
        html = self.client.get("/territory/pick/", {"q": "网格", "action": "add"}).content
        self.assertNotIn(f'data-pick-id="{self.world.grid_a.pk}"'.encode(), html)

        class ResidentPlaceForm(ScopedModelForm):
            scope_action = "add"

            class Meta:
                model = Resident
                fields = ["node"]

        form = ResidentPlaceForm(user=gridder)
        self.assertEqual(list(form.fields["node"].queryset), [self.world.grid_a])  # type: ignore[attr-defined]
