"""Test base classes: a model's view and API tests declare their data and inherit the full set.

Every inherited test runs each path (list, detail, create, edit, delete, import, export, history) as anonymous,
as a user without the permission, as a user with it, and as one with it on *another* subtree (sees, changes nothing).
"""

from __future__ import annotations

import io
import json
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from shequ.accounts.models import APIToken, Grant, User
from shequ.core.models import AuditEntry
from shequ.core.testing_files import pdf_text, spreadsheet_file, streamed, xlsx_bytes, xlsx_rows  # noqa: F401
from shequ.core.testing_shared import shared_database  # noqa: F401
from shequ.territory.actions import do_create_node
from shequ.territory.models import Kind, Node


class World:
    """A small territory with two streets, and users scoped to each."""

    def __init__(self) -> None:
        self.admin = User.objects.create_superuser("root", password="root-pass-123")
        a = self.admin
        self.city = do_create_node(acting_user=a, parent=None, kind=Kind.CITY, name="测试市", code="990100")
        self.district = do_create_node(acting_user=a, parent=self.city, kind=Kind.DISTRICT, name="东区", code="990101")
        self.street_a = do_create_node(
            acting_user=a, parent=self.district, kind=Kind.STREET, name="和平街道", code="990101001"
        )
        self.street_b = do_create_node(
            acting_user=a, parent=self.district, kind=Kind.STREET, name="胜利街道", code="990101002"
        )
        self.community_a = do_create_node(
            acting_user=a, parent=self.street_a, kind=Kind.COMMUNITY, name="和平社区", code="990101001001"
        )
        self.community_b = do_create_node(
            acting_user=a, parent=self.street_b, kind=Kind.COMMUNITY, name="胜利社区", code="990101002001"
        )
        self.grid_a = do_create_node(acting_user=a, parent=self.community_a, kind=Kind.GRID, name="第1网格")
        self.grid_b = do_create_node(acting_user=a, parent=self.community_b, kind=Kind.GRID, name="第1网格")
        self.officer_a = self.user("officer_a", "street_officer", self.street_a)
        self.officer_b = self.user("officer_b", "street_officer", self.street_b)
        self.auditor_a = self.user("auditor_a", "auditor", self.street_a)
        self.nobody = User.objects.create_user("nobody", password="nobody-pass-123", node=self.street_a)

    def user(self, username: str, role: str, node: Node) -> User:
        user = User.objects.create_user(username, password=f"{username}-pass-123", node=node)
        Grant.objects.create(user=user, role=role, node=node)
        return user


class WorldTestCase(TestCase):
    world: ClassVar[World]

    @classmethod
    def setUpTestData(cls) -> None:
        cls.world = World()

    def login(self, user: User | None) -> None:
        self.client.logout()
        if user is not None:
            self.client.force_login(user)


if TYPE_CHECKING:
    _MixinBase = WorldTestCase
else:
    _MixinBase = object


class ViewSetTestMixin(_MixinBase):
    """Inherit with WorldTestCase; declare the hooks below.

    ``make_object(node)``: an object inside *node* (created directly).
    ``create_data(node)``: POST data of the add form for an object inside *node*.
    ``edit_data(obj)``: POST data of the edit form that changes *obj*.
    ``changed(obj)``: whether *obj* (refreshed) shows the edit.
    ``import_rows(node)``: header + rows of a spreadsheet adding objects inside *node*.
    ``imported(node)``: queryset of what that import creates."""

    viewset: ClassVar[Any]
    world: ClassVar[World]
    list_query_budget: ClassVar[int] = 14

    # -- hooks ----------------------------------------------------------------
    def make_object(self, node: Node) -> Any:
        raise NotImplementedError

    def create_data(self, node: Node) -> dict[str, Any]:
        raise NotImplementedError

    def edit_data(self, obj: Any) -> dict[str, Any]:
        raise NotImplementedError

    def changed(self, obj: Any) -> bool:
        raise NotImplementedError

    def import_rows(self, node: Node) -> list[list[Any]] | None:
        return None

    def imported(self, node: Node) -> Any:
        raise NotImplementedError

    # -- helpers --------------------------------------------------------------
    def url(self, action: str, *args: Any) -> str:
        return reverse(self.viewset.url_name(action), args=args)

    def detail_url(self, obj: Any) -> str:
        return obj.get_absolute_url()

    @property
    def model(self) -> Any:
        return self.viewset.model

    def count(self) -> int:
        return self.model._default_manager.count()

    def assertLoginRedirect(self, response: Any) -> None:  # noqa: N802
        self.assertEqual(response.status_code, 302)
        self.assertIn(reverse("login"), response["Location"])

    # -- list -----------------------------------------------------------------
    def test_list_anonymous(self) -> None:
        self.login(None)
        self.assertLoginRedirect(self.client.get(self.url("list")))

    def test_list_without_permission(self) -> None:
        self.make_object(self.world.street_a)
        self.login(self.world.nobody)
        self.assertEqual(self.client.get(self.url("list")).status_code, 404)

    def test_list_with_permission_and_other_subtree(self) -> None:
        mine = self.make_object(self.world.street_a)
        theirs = self.make_object(self.world.street_b)
        self.login(self.world.officer_a)
        response = self.client.get(self.url("list"))
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, self.detail_url(mine))
        self.assertNotContains(response, self.detail_url(theirs))
        # Search within the list never reaches outside either.
        response = self.client.get(self.url("list"), {"q": str(theirs)[:4]})
        self.assertNotContains(response, self.detail_url(theirs))

    def test_list_query_count_is_constant(self) -> None:
        self.login(self.world.officer_a)
        self.make_object(self.world.street_a)
        self.client.get(self.url("list"))  # each count after a warm request: the user and grants are remembered
        with CaptureQueriesContext(connection) as few:
            self.client.get(self.url("list"))
        for _ in range(5):
            self.make_object(self.world.street_a)
        self.client.get(self.url("list"))  # (new users drop them: accounts.authcache)
        with CaptureQueriesContext(connection) as many:
            self.client.get(self.url("list"))
        self.assertEqual(len(few), len(many), "the list page does N+1 queries")
        self.assertLessEqual(len(many), self.list_query_budget)

    # -- detail and history ----------------------------------------------------
    def test_detail(self) -> None:
        mine = self.make_object(self.world.street_a)
        theirs = self.make_object(self.world.street_b)
        self.login(None)
        self.assertLoginRedirect(self.client.get(self.detail_url(mine)))
        self.login(self.world.nobody)
        self.assertEqual(self.client.get(self.detail_url(mine)).status_code, 404)
        self.login(self.world.officer_a)
        self.assertEqual(self.client.get(self.detail_url(mine)).status_code, 200)
        self.assertEqual(self.client.get(self.detail_url(theirs)).status_code, 404)
        # A forged, malformed id answers the same.
        forged = self.detail_url(mine).replace(f"/{mine.pk}/", "/9x'/")
        self.assertEqual(self.client.get(forged).status_code, 404)

    def test_history(self) -> None:
        mine = self.make_object(self.world.street_a)
        theirs = self.make_object(self.world.street_b)
        self.login(self.world.officer_a)
        self.assertEqual(self.client.get(self.url("history", mine.pk)).status_code, 200)
        self.assertEqual(self.client.get(self.url("history", theirs.pk)).status_code, 404)

    # -- create ----------------------------------------------------------------
    def test_create(self) -> None:
        before = self.count()
        self.login(None)
        self.assertLoginRedirect(self.client.post(self.url("add"), self.create_data(self.world.street_a)))
        self.login(self.world.auditor_a)
        self.assertEqual(self.client.post(self.url("add"), self.create_data(self.world.street_a)).status_code, 404)
        self.assertEqual(self.count(), before)
        # Another subtree: refused, nothing created.
        self.login(self.world.officer_a)
        response = self.client.post(self.url("add"), self.create_data(self.world.street_b))
        self.assertIn(response.status_code, (400, 404))
        self.assertEqual(self.count(), before)
        response = self.client.post(self.url("add"), self.create_data(self.world.street_a))
        self.assertEqual(response.status_code, 302, getattr(response, "content", b"")[:3000])
        self.assertEqual(self.count(), before + 1)
        created = self.model._default_manager.order_by("-pk").first()
        self.assertTrue(
            AuditEntry.objects.filter(
                content_type=ContentType.objects.get_for_model(self.model),
                object_pk=str(created.pk),
                action=AuditEntry.Action.CREATE,
                actor=self.world.officer_a,
            ).exists(),
            "the creation is not in the audit log",
        )

    # -- edit ------------------------------------------------------------------
    def test_edit(self) -> None:
        mine = self.make_object(self.world.street_a)
        theirs = self.make_object(self.world.street_b)
        self.login(None)
        self.assertLoginRedirect(self.client.post(self.url("edit", mine.pk), self.edit_data(mine)))
        self.login(self.world.auditor_a)
        self.assertEqual(self.client.post(self.url("edit", mine.pk), self.edit_data(mine)).status_code, 404)
        self.login(self.world.officer_a)
        self.assertEqual(self.client.post(self.url("edit", theirs.pk), self.edit_data(theirs)).status_code, 404)
        theirs.refresh_from_db()
        self.assertFalse(self.changed(theirs))
        response = self.client.post(self.url("edit", mine.pk), self.edit_data(mine))
        self.assertEqual(response.status_code, 302, getattr(response, "content", b"")[:3000])
        mine.refresh_from_db()
        self.assertTrue(self.changed(mine))
        self.assertTrue(
            AuditEntry.objects.filter(
                object_pk=str(mine.pk),
                action=AuditEntry.Action.UPDATE,
                content_type=ContentType.objects.get_for_model(self.model),
            ).exists()
        )

    # -- delete ----------------------------------------------------------------
    def test_delete(self) -> None:
        mine = self.make_object(self.world.street_a)
        theirs = self.make_object(self.world.street_b)
        self.login(self.world.auditor_a)
        self.assertEqual(self.client.post(self.url("delete", mine.pk)).status_code, 404)
        self.login(self.world.officer_a)
        self.assertEqual(self.client.post(self.url("delete", theirs.pk)).status_code, 404)
        self.assertTrue(self.model._default_manager.filter(pk=theirs.pk).exists())
        # Bulk delete with a forged id from the other subtree: nothing is deleted.
        response = self.client.post(self.url("bulk_delete"), {"pk": [mine.pk, theirs.pk], "confirm": "1"})
        self.assertEqual(response.status_code, 404)
        self.assertTrue(self.model._default_manager.filter(pk=mine.pk).exists())
        self.assert_deleted_by_owner(mine)

    def assert_deleted_by_owner(self, obj: Any) -> None:
        response = self.client.post(self.url("delete", obj.pk))
        self.assertEqual(response.status_code, 302)
        self.assertFalse(self.model._default_manager.filter(pk=obj.pk).exists())

    # -- export ----------------------------------------------------------------
    def test_export(self) -> None:
        mine = self.make_object(self.world.street_a)
        theirs = self.make_object(self.world.street_b)
        self.login(None)
        self.assertLoginRedirect(self.client.get(self.url("export")))
        self.login(self.world.nobody)
        self.assertEqual(self.client.get(self.url("export")).status_code, 404)
        self.login(self.world.officer_a)
        response = self.client.get(self.url("export"))
        self.assertEqual(response.status_code, 200)
        cells = {str(c) for row in xlsx_rows(streamed(response)) for c in row}
        self.assertIn(self.export_key(mine), cells)
        self.assertNotIn(self.export_key(theirs), cells)
        csv_text = streamed(self.client.get(self.url("export"), {"format": "csv"})).decode("utf-8-sig")
        self.assertIn(self.export_key(mine), csv_text)
        self.assertNotIn(self.export_key(theirs), csv_text)
        self.check_background_export(mine, theirs)

    def check_background_export(self, mine: Any, theirs: Any) -> None:
        """A list longer than an answer may carry is exported by the worker: a job page, then the file, with
        the same rows as at once, for the user who asked only."""
        from django.test import override_settings

        from shequ.core.models import Job

        with override_settings(SHEQU_EXPORT_SYNC_ROWS=0), self.captureOnCommitCallbacks(execute=True):
            response = self.client.get(self.url("export"))
        job = Job.objects.filter(kind="export", user=self.world.officer_a).latest("pk")
        self.assertRedirects(response, job.get_absolute_url(), fetch_redirect_response=False)
        job.refresh_from_db()
        self.assertEqual(job.status, Job.Status.DONE, job.message)
        page = self.client.get(job.get_absolute_url())
        self.assertContains(page, 'data-testid="export-download"')
        download = self.client.get(reverse("core:job_download", args=[job.pk]))
        self.assertEqual(download.status_code, 200)
        cells = {str(c) for row in xlsx_rows(streamed(download)) for c in row}
        self.assertIn(self.export_key(mine), cells)
        self.assertNotIn(self.export_key(theirs), cells)
        for other in (self.world.officer_b, self.world.admin):  # it holds what officer_a's role shows: theirs alone
            self.login(other)
            self.assertEqual(self.client.get(reverse("core:job_download", args=[job.pk])).status_code, 404)
        self.login(self.world.officer_a)

    def export_key(self, obj: Any) -> str:
        return str(obj)

    # -- import ----------------------------------------------------------------
    def test_import(self) -> None:
        rows = self.import_rows(self.world.street_a)
        if rows is None:
            return
        upload = xlsx_bytes(rows)
        self.login(None)
        self.assertLoginRedirect(self.client.get(self.url("import")))
        self.login(self.world.auditor_a)
        self.assertEqual(self.client.post(self.url("import"), {"file": _file(upload)}).status_code, 404)
        # Another subtree: every row is rejected, nothing is written.
        self.login(self.world.officer_b)
        before = self.count()
        job = self.run_import(upload, mode="valid")
        self.assertEqual(job.result["rejected"], len(rows) - 1)
        self.assertEqual(self.count(), before)
        # With permission: preview first (nothing written), then apply.
        self.login(self.world.officer_a)
        preview = self.start_import(upload)
        self.assertEqual(self.count(), before)
        self.assertEqual(preview.result["created"], len(rows) - 1, preview.result)
        applied = self.apply_import(preview, "all")
        self.assertTrue(applied.result["applied"], applied.result)
        self.assertEqual(self.imported(self.world.street_a).count(), len(rows) - 1)
        # The same file again changes nothing.
        again = self.run_import(upload, mode="valid")
        self.assertEqual(again.result["created"], 0, again.result)
        self.assertEqual(again.result["unchanged"], len(rows) - 1)

    def start_import(self, upload: bytes) -> Any:
        from shequ.core.models import Job

        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(self.url("import"), {"file": _file(upload)})
        self.assertEqual(response.status_code, 302, getattr(response, "content", b"")[:2000])
        job = Job.objects.latest("pk")
        self.assertEqual(job.status, Job.Status.DONE, job.message)
        page = self.client.get(job.get_absolute_url())
        self.assertEqual(page.status_code, 200)
        return job

    def apply_import(self, preview: Any, mode: str) -> Any:
        from shequ.core.models import Job

        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(reverse("core:job_apply", args=[preview.pk]), {"mode": mode})
        self.assertEqual(response.status_code, 302)
        job = Job.objects.latest("pk")
        self.assertEqual(job.status, Job.Status.DONE, job.message)
        return job

    def run_import(self, upload: bytes, mode: str) -> Any:
        return self.apply_import(self.start_import(upload), mode)


def _file(content: bytes, name: str = "upload.xlsx") -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(
        name, content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )


class APITestMixin(_MixinBase):
    """Inherit with WorldTestCase; declare ``endpoint`` and the hooks of ViewSetTestMixin plus
    ``create_payload(node)``, ``patch_payload(obj)``."""

    endpoint: ClassVar[str]
    model: ClassVar[Any]
    world: ClassVar[World]
    supports_write: ClassVar[bool] = True
    query_budget: ClassVar[int] = 8

    def make_object(self, node: Node) -> Any:
        raise NotImplementedError

    def create_payload(self, node: Node) -> dict[str, Any]:
        raise NotImplementedError

    def patch_payload(self, obj: Any) -> dict[str, Any]:
        raise NotImplementedError

    def changed(self, obj: Any) -> bool:
        raise NotImplementedError

    def token(self, user: User) -> dict[str, Any]:
        _t, key = APIToken.issue(user)
        return {"HTTP_AUTHORIZATION": f"Bearer {key}"}

    def api(self, method: str, path: str, user: User | None, payload: Any = None) -> Any:
        headers = self.token(user) if user is not None else {}
        kwargs: dict[str, Any] = dict(headers)
        if payload is not None:
            kwargs["data"] = json.dumps(payload)
            kwargs["content_type"] = "application/json"
        return getattr(self.client, method)(path, **kwargs)

    def ids(self, response: Any) -> set[int]:
        return {item["id"] for item in response.json()["items"]}

    def test_api_list(self) -> None:
        mine = self.make_object(self.world.street_a)
        theirs = self.make_object(self.world.street_b)
        response = self.api("get", self.endpoint, None)
        self.assertEqual(response.status_code, 401)
        self.assertEqual(response.json()["code"], "unauthenticated")
        self.assertEqual(self.ids(self.api("get", self.endpoint, self.world.nobody)), set())
        ids = self.ids(self.api("get", self.endpoint + "?page_size=500", self.world.officer_a))
        self.assertIn(mine.pk, ids)
        self.assertNotIn(theirs.pk, ids)

    def test_api_list_query_count(self) -> None:
        self.make_object(self.world.street_a)
        headers = self.token(self.world.officer_a)
        self.client.get(self.endpoint, **headers)  # the first use of a token records it
        with CaptureQueriesContext(connection) as few:
            self.client.get(self.endpoint, **headers)
        for _ in range(5):
            self.make_object(self.world.street_a)
        self.client.get(self.endpoint, **headers)  # new users drop the remembered token and grants (authcache)
        with CaptureQueriesContext(connection) as many:
            self.client.get(self.endpoint, **headers)
        self.assertEqual(len(few), len(many), "the endpoint does N+1 queries")
        self.assertLessEqual(len(many), self.query_budget)

    def test_api_detail(self) -> None:
        mine = self.make_object(self.world.street_a)
        theirs = self.make_object(self.world.street_b)
        self.assertEqual(self.api("get", f"{self.endpoint}{mine.pk}", None).status_code, 401)
        self.assertEqual(self.api("get", f"{self.endpoint}{mine.pk}", self.world.nobody).status_code, 404)
        self.assertEqual(self.api("get", f"{self.endpoint}{mine.pk}", self.world.officer_a).status_code, 200)
        response = self.api("get", f"{self.endpoint}{theirs.pk}", self.world.officer_a)
        self.assertEqual(response.status_code, 404)
        self.assertEqual(response.json()["code"], "not_found")
        self.assertEqual(self.api("get", f"{self.endpoint}abc", self.world.officer_a).status_code, 404)

    def test_api_create(self) -> None:
        if not self.supports_write:
            self.skipTest("the endpoint is read-only")
        before = self.model_count()
        self.assertEqual(
            self.api("post", self.endpoint, None, self.create_payload(self.world.street_a)).status_code, 401
        )
        self.assertEqual(
            self.api("post", self.endpoint, self.world.auditor_a, self.create_payload(self.world.street_a)).status_code,
            404,
        )
        self.assertEqual(
            self.api("post", self.endpoint, self.world.officer_a, self.create_payload(self.world.street_b)).status_code,
            404,
        )
        self.assertEqual(self.model_count(), before)
        bad = self.api("post", self.endpoint, self.world.officer_a, {"unexpected": True})
        self.assertEqual(bad.status_code, 422)
        self.assertEqual(bad.json()["code"], "validation_error")
        response = self.api("post", self.endpoint, self.world.officer_a, self.create_payload(self.world.street_a))
        self.assertEqual(response.status_code, 201, response.content)
        self.assertEqual(self.model_count(), before + 1)

    def test_api_update(self) -> None:
        if not self.supports_write:
            self.skipTest("the endpoint is read-only")
        mine = self.make_object(self.world.street_a)
        theirs = self.make_object(self.world.street_b)
        self.assertEqual(
            self.api("patch", f"{self.endpoint}{mine.pk}", None, self.patch_payload(mine)).status_code, 401
        )
        self.assertEqual(
            self.api("patch", f"{self.endpoint}{mine.pk}", self.world.auditor_a, self.patch_payload(mine)).status_code,
            404,
        )
        self.assertEqual(
            self.api(
                "patch", f"{self.endpoint}{theirs.pk}", self.world.officer_a, self.patch_payload(theirs)
            ).status_code,
            404,
        )
        theirs.refresh_from_db()
        self.assertFalse(self.changed(theirs))
        response = self.api("patch", f"{self.endpoint}{mine.pk}", self.world.officer_a, self.patch_payload(mine))
        self.assertEqual(response.status_code, 200, response.content)
        mine.refresh_from_db()
        self.assertTrue(self.changed(mine))

    def test_api_delete(self) -> None:
        if not self.supports_write:
            self.skipTest("the endpoint is read-only")
        mine = self.make_object(self.world.street_a)
        theirs = self.make_object(self.world.street_b)
        self.assertEqual(self.api("delete", f"{self.endpoint}{mine.pk}", None).status_code, 401)
        self.assertEqual(self.api("delete", f"{self.endpoint}{mine.pk}", self.world.auditor_a).status_code, 404)
        self.assertEqual(self.api("delete", f"{self.endpoint}{theirs.pk}", self.world.officer_a).status_code, 404)
        self.assertTrue(self.exists(theirs))
        self.assertEqual(self.api("delete", f"{self.endpoint}{mine.pk}", self.world.officer_a).status_code, 204)
        self.assertFalse(self.exists(mine))

    def model_count(self) -> int:
        return self.model._default_manager.count()

    def exists(self, obj: Any) -> bool:
        return type(obj)._default_manager.filter(pk=obj.pk).exists()


class StepTestMixin(_MixinBase):
    """Every step of a workflow (``core.workflow``), through its page and its API operation.

    Inherit with WorldTestCase; declare ``workflow``, ``viewset`` and ``endpoint`` (the API list's address,
    ``/api/v1/…/``) and the hooks: ``make_case(node, step)`` a case inside *node* in a state where *step* may
    be taken; ``actor(step)`` a user of street A who may take it (default: ``world.officer_a``);
    ``step_data(step, case)`` the page's POST data (default: none); ``api_body(step, case)`` the JSON body
    (default: the page's data).  ``skip_steps``: steps these tests cannot drive (say why in a comment).

    For each step: anonymous → login / 401; the auditor and the officer of street B → 404, nothing written;
    the case in a state the step does not start from → 400 ``wrong_status``; the page and the API each take
    it and write the same timeline entry (kind, from, to)."""

    workflow: ClassVar[Any]
    viewset: ClassVar[Any]
    endpoint: ClassVar[str]
    world: ClassVar[World]
    skip_steps: ClassVar[tuple[str, ...]] = ()

    def make_case(self, node: Node, step: Any) -> Any:
        raise NotImplementedError

    def actor(self, step: Any) -> User:
        return self.world.officer_a

    def step_data(self, step: Any, case: Any) -> dict[str, Any]:
        return {}

    def api_body(self, step: Any, case: Any) -> dict[str, Any]:
        return self.step_data(step, case)

    # -- helpers ---------------------------------------------------------------------------------------------
    def steps(self) -> list[Any]:
        return [s for s in self.workflow.steps.values() if s.name not in self.skip_steps]

    def page_url(self, case: Any, step: Any) -> str:
        return reverse(self.viewset.url_name("step"), args=[case.pk, step.name])

    def api_url(self, case: Any, step: Any) -> str:
        return f"{self.endpoint}{case.pk}/{step.api_path or step.name}"

    def post_api(self, user: User | None, case: Any, step: Any, body: Any = None) -> Any:
        headers: dict[str, Any] = {}
        if user is not None:
            _t, key = APIToken.issue(user)
            headers["HTTP_AUTHORIZATION"] = f"Bearer {key}"
        return self.client.post(
            self.api_url(case, step), data=json.dumps(body or {}), content_type="application/json", **headers
        )

    def entries(self, case: Any) -> list[tuple[str, str, str]]:
        return [(e.kind, e.from_status, e.to_status) for e in self.workflow.timeline_of(case).order_by("at", "id")]

    def fresh(self, case: Any) -> Any:
        return type(case)._default_manager.get(pk=case.pk)

    # -- the tests -------------------------------------------------------------------------------------------
    def test_steps_refuse_outsiders(self) -> None:
        for step in self.steps():
            with self.subTest(step=step.name):
                case = self.make_case(self.world.street_a, step)
                before = (self.fresh(case).status, self.entries(case))
                self.client.logout()
                response = self.client.post(self.page_url(case, step), self.step_data(step, case))
                self.assertEqual(response.status_code, 302, "anonymous: to the login page")
                if step.api:
                    self.assertEqual(self.post_api(None, case, step, self.api_body(step, case)).status_code, 401)
                for outsider in (self.world.officer_b, self.world.auditor_a):
                    self.client.force_login(outsider)
                    response = self.client.post(self.page_url(case, step), self.step_data(step, case))
                    self.assertEqual(response.status_code, 404, f"{outsider}: the page")
                    if step.api and not step.files:
                        response = self.post_api(outsider, case, step, self.api_body(step, case))
                        self.assertEqual(response.status_code, 404, f"{outsider}: the API")
                self.assertEqual((self.fresh(case).status, self.entries(case)), before, "nothing written")

    def test_steps_refuse_the_wrong_state(self) -> None:
        for step in self.steps():
            others = [s for s in self.workflow.states.values if step.states and s not in step.states]
            if not others:
                continue
            with self.subTest(step=step.name):
                case = self.make_case(self.world.street_a, step)
                type(case)._default_manager.filter(pk=case.pk).update(
                    status=others[0], is_open=others[0] in self.workflow.open_states
                )
                self.client.force_login(self.actor(step))
                response = self.client.post(self.page_url(case, step), self.step_data(step, case))
                self.assertEqual(response.status_code, 400, "the page says why")
                if step.api and not step.files:
                    response = self.post_api(self.actor(step), case, step, self.api_body(step, case))
                    self.assertEqual(response.status_code, 400, response.content)
                    self.assertEqual(response.json()["code"], "wrong_status")
                self.assertEqual(self.fresh(case).status, others[0])

    def test_steps_page_and_api_write_alike(self) -> None:
        for step in self.steps():
            with self.subTest(step=step.name):
                by_page = self.make_case(self.world.street_a, step)
                before = len(self.entries(by_page))
                self.client.force_login(self.actor(step))
                response = self.client.post(self.page_url(by_page, step), self.step_data(step, by_page))
                form = response.context.get("form") if response.context else None
                self.assertEqual(response.status_code, 302, form.errors if form is not None else response.content)
                page_entries = self.entries(by_page)[before:]
                self.assertTrue(page_entries, "the step wrote no timeline entry")
                if not step.api or step.files:
                    continue
                by_api = self.make_case(self.world.street_a, step)
                before = len(self.entries(by_api))
                response = self.post_api(self.actor(step), by_api, step, self.api_body(step, by_api))
                self.assertEqual(response.status_code, step.status, response.content)
                self.assertEqual(self.entries(by_api)[before:], page_entries)
                self.assertEqual(self.fresh(by_api).status, self.fresh(by_page).status)


class CommandCallMixin(_MixinBase):
    """Run ``shequ`` commands in tests: ``command(...)`` answers the one line of JSON they print."""

    def command(self, *args: str) -> dict[str, Any]:
        """Run a command; its output must be one line of JSON."""
        from django.core.management import call_command

        out = io.StringIO()
        call_command(*args, stdout=out)
        lines = out.getvalue().strip().splitlines()
        self.assertEqual(len(lines), 1, lines)
        return json.loads(lines[0])

    def sheet(self, rows: list[list[Any]], name: str = "sheet.xlsx") -> str:

        path = Path(tempfile.mkdtemp()) / name
        path.write_bytes(xlsx_bytes(rows))
        return str(path)


class CommandTestMixin(CommandCallMixin):
    """``shequ import KIND FILE`` and ``shequ export KIND`` from the shell, for one registered kind.

    Inherit with WorldTestCase; declare ``command_kind`` and the hooks ``import_rows(node)`` and
    ``imported(node)`` of ViewSetTestMixin (rows inside street A), and ``export_key(obj)``.
    ``round_trip_user()``: who exports community A and imports the file back (default street A's officer);
    ``export_extra_headers()``: columns an export adds after the import template's (ignored on import).
    Inherited: dry run, import and re-import; export → import round trip; scope; permission.
    """

    command_kind: ClassVar[str]
    world: ClassVar[World]

    # -- hooks ----------------------------------------------------------------
    def import_rows(self, node: Node) -> list[list[Any]] | None:
        raise NotImplementedError

    def imported(self, node: Node) -> Any:
        raise NotImplementedError

    def export_key(self, obj: Any) -> str:
        return str(obj)

    def round_trip_user(self) -> User:
        return self.world.officer_a

    def export_extra_headers(self) -> list[str]:
        return []

    # -- helpers --------------------------------------------------------------
    def template_header(self) -> list[str]:
        """The import template's headers (without the marks of required columns)."""

        from shequ.core.importing import COMMAND_NAMES
        from shequ.core.registry import IMPORTERS

        target = Path(tempfile.mkdtemp()) / "template.xlsx"
        IMPORTERS[COMMAND_NAMES[self.command_kind]].write_template(target)
        return [str(h).rstrip("*") for h in xlsx_rows(target.read_bytes())[0]]

    def import_street_a(self, user: str = "officer_a", *extra: str) -> tuple[dict[str, Any], int]:
        rows = self.import_rows(self.world.street_a)
        assert rows is not None
        return self.command("import", self.command_kind, self.sheet(rows), "--user", user, *extra), len(rows) - 1

    # -- tests ----------------------------------------------------------------
    def test_command_import_dry_run_and_reimport(self) -> None:
        from shequ.core.models import Job

        street = self.world.street_a
        dry, count = self.import_street_a("officer_a", "--dry-run")
        self.assertEqual((dry["created"], dry["rejected"], dry["applied"], dry["report"]), (count, 0, False, ""), dry)
        self.assertEqual(self.imported(street).count(), 0)
        done, _count = self.import_street_a()
        self.assertEqual((done["created"], done["rejected"], done["applied"]), (count, 0, True), done)
        self.assertEqual(self.imported(street).count(), count)
        for extra in ("--dry-run",), ():
            again, _count = self.import_street_a("officer_a", *extra)
            self.assertEqual((again["created"], again["updated"], again["unchanged"]), (0, 0, count), again)
        jobs = Job.objects.filter(params__command=True, user=self.world.officer_a)
        self.assertEqual(jobs.count(), 4)

    def test_command_export_round_trip(self) -> None:

        street, community = self.world.street_a, self.world.community_a  # the rows sit in the community
        self.import_street_a()
        user = self.round_trip_user()
        target = str(Path(tempfile.mkdtemp()) / "export.xlsx")
        node = str(community.code)
        out = self.command("export", self.command_kind, "--node", node, "-o", target, "--user", user.username)
        rows = xlsx_rows(Path(target).read_bytes())
        self.assertEqual(rows[0], [*self.template_header(), *self.export_extra_headers()])
        self.assertEqual(out["exported"], len(rows) - 1)
        cells = {str(c) for row in rows for c in row}
        for obj in self.imported(street):
            self.assertIn(self.export_key(obj), cells)
        again = self.command("import", self.command_kind, target, "--user", user.username)
        self.assertEqual(
            (again["created"], again["updated"], again["unchanged"], again["rejected"]),
            (0, 0, out["exported"], 0),
            again,
        )

    def test_command_scope(self) -> None:

        from django.core.management.base import CommandError

        street = self.world.street_a
        # Street B's officer: every row of street A is rejected, nothing is written.
        result, count = self.import_street_a("officer_b")
        self.assertEqual((result["created"], result["rejected"]), (0, count), result)
        self.assertEqual(self.imported(street).count(), 0)
        rows = self.import_rows(street)
        assert rows is not None
        for args in (
            ("import", self.command_kind, self.sheet(rows), "--node", street.code),
            ("export", self.command_kind, "--node", street.code, "-o", str(Path(tempfile.mkdtemp()) / "x.xlsx")),
        ):
            with self.assertRaisesMessage(CommandError, f"No place with the code '{street.code}'"):
                self.command(*args, "--user", "officer_b")
        # What street A's officer imported is not in street B's export.
        self.import_street_a()
        target = str(Path(tempfile.mkdtemp()) / "b.xlsx")
        self.command("export", self.command_kind, "-o", target, "--user", "officer_b")
        cells = {str(c) for row in xlsx_rows(Path(target).read_bytes()) for c in row}
        for obj in self.imported(street):
            self.assertNotIn(self.export_key(obj), cells)

    def test_command_without_permission(self) -> None:
        from django.core.management.base import CommandError

        with self.assertRaisesMessage(CommandError, f"auditor_a may not import {self.command_kind}"):
            self.import_street_a("auditor_a")
        with self.assertRaisesMessage(CommandError, f"nobody may not export {self.command_kind}"):
            self.command("export", self.command_kind, "-o", self.sheet([["x"]]), "--user", "nobody")


def project_subclasses(base: Any, modules_ending: str) -> list[Any]:
    """The project's subclasses of *base* (at any depth), once every module of the project whose name ends with
    *modules_ending* ("filtersets", "tables") is imported."""
    import importlib
    import pkgutil

    import shequ

    for module in pkgutil.walk_packages(shequ.__path__, "shequ."):
        if module.name.endswith(modules_ending):
            importlib.import_module(module.name)
    found, todo = set(), [base]
    while todo:
        for sub in todo.pop().__subclasses__():
            if sub not in found:
                found.add(sub)
                todo.append(sub)
    return [cls for cls in found if cls.__module__.startswith("shequ.")]
