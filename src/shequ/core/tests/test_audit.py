"""The audit log in people's words (issue 10, 12): labels, choice labels, names within the reader's area, local
times, no identity number in full — on the audit list, each object's history tab, and (raw but masked) the API."""

from __future__ import annotations

import re
from typing import Any, ClassVar

from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from shequ.accounts.models import APIToken
from shequ.core.models import AuditEntry
from shequ.core.testing import WorldTestCase
from shequ.people.actions import do_move_resident, do_update_resident
from shequ.people.models import Resident
from shequ.people.tests.helpers import id_number_shapes, make_id, resident
from shequ.territory.actions import do_create_node
from shequ.territory.models import Kind, Node

NUMBER = make_id(seq=7)


class AuditWordsTests(WorldTestCase):
    estate: ClassVar[Node]
    person: ClassVar[Resident]
    crafted: ClassVar[AuditEntry]

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        w = cls.world
        cls.estate = do_create_node(acting_user=w.admin, parent=w.grid_a, kind=Kind.ESTATE, name="阳光小区")
        cls.person = resident(w, w.grid_a, name="王芳", id_number=NUMBER, gender="", birth_date=None)
        officer = w.officer_a
        do_update_resident(cls.person, acting_user=officer, name="王芳芳", education="bachelor", phone="13812345678")
        do_move_resident(cls.person, cls.estate, acting_user=w.officer_a)
        # What a resident's entry may hold besides: a time, a yes/no, a place of another street (she came from
        # there), and an identity number where it should never be (a model registered without care).
        cls.crafted = AuditEntry.objects.create(
            content_type=ContentType.objects.get_for_model(Resident),
            object_pk=str(cls.person.pk),
            object_id=cls.person.pk,
            object_repr="王芳芳",
            action=AuditEntry.Action.UPDATE,
            changes={
                "node": [str(w.grid_b.pk), str(w.grid_a.pk)],
                "archived": ["False", "True"],
                "created": ["None", "2026-01-05 01:30:00"],
                "archived_on": ["None", "2026-01-05"],
                "updated": ["2026-01-05 16:30:00.123456", "2026-01-05 17:00:00"],
                "id_number": ["None", NUMBER],
                "notes": ["", f"核对身份证 {NUMBER}"],
                "path": [w.grid_b.path, w.grid_a.path],
            },
            actor=w.officer_a,
            path=w.grid_a.path,
            additional_data={"path": w.grid_a.path},
        )

    def history(self, user: Any = None) -> str:
        self.login(user or self.world.officer_a)
        response = self.client.get(reverse("people:resident_history", args=[self.person.pk]))
        self.assertEqual(response.status_code, 200)
        return response.content.decode()

    def audit_list(self, user: Any = None, **query: Any) -> str:
        self.login(user or self.world.officer_a)
        response = self.client.get(reverse("core:audit_list"), query)
        self.assertEqual(response.status_code, 200)
        return response.content.decode()

    def changes_of(self, html: str) -> str:
        return " ".join(re.sub(r"<[^>]+>", " ", html).split()).replace(" ：", "：")

    def test_labels_choices_names_and_no_identity_number(self) -> None:
        for html in (self.history(), self.audit_list()):
            text = self.changes_of(html)
            self.assertIn("姓名：王芳 → 王芳芳", text)
            self.assertIn("文化程度：— → 本科", text)  # the choice's label, not "bachelor"
            self.assertIn("地点：第1网格 → 阳光小区", text)  # places by name, not by id
            self.assertNotIn("bachelor", text)
            self.assertNotRegex(text, r"\bnode\b|\bname\b|\beducation\b")
            # Never a full identity number (the masked one is what a screen may show).
            self.assertEqual(id_number_shapes(html), [])
            self.assertIn(f"{NUMBER[:6]}********{NUMBER[-4:]}", text)
            # Internal fields (the tree path) are not shown.
            self.assertNotIn(self.world.grid_a.path, html)

    def test_a_place_outside_the_readers_area_is_not_named_and_times_are_local(self) -> None:
        text = self.changes_of(self.history())
        self.assertIn("地点：（不在您的辖区内，或已删除） → 第1网格", text)
        self.assertNotIn("胜利社区", text)
        self.assertIn("已归档：否 → 是", text)
        self.assertIn("归档日期：— → 2026-01-05", text)
        # auditlog's times are UTC without a zone: shown in Asia/Shanghai, as the page's own times.
        self.assertNotIn("16:30", text)
        admin = self.changes_of(self.history(self.world.admin))
        self.assertIn("地点：第1网格 → 第1网格", admin)  # the administrator sees both (two grids of that name)

    def test_times_in_the_sites_zone(self) -> None:
        from shequ.services.models import ServiceRequest

        AuditEntry.objects.create(
            content_type=ContentType.objects.get_for_model(ServiceRequest),
            object_pk="1",
            object_repr="诉求",
            action=AuditEntry.Action.UPDATE,
            changes={"status": ["submitted", "accepted"], "deadline": ["None", "2026-01-05 01:30:00.704332"]},
            actor=self.world.officer_a,
            path=self.world.grid_a.path,
            additional_data={"path": self.world.grid_a.path},
        )
        text = self.changes_of(self.audit_list())
        self.assertIn("办理期限：— → 2026-01-05 09:30", text)  # 01:30 UTC is 09:30 in Asia/Shanghai
        self.assertNotIn("accepted", text)

    def test_an_import_summary_says_its_counts(self) -> None:
        AuditEntry.objects.create(
            content_type=ContentType.objects.get_for_model(Resident),
            object_pk="",
            object_repr="居民.xlsx",
            action=AuditEntry.Action.CREATE,
            changes={"created": [None, 12], "updated": [None, 3], "unchanged": [None, 0], "rejected": [None, 1]},
            actor=self.world.officer_a,
            path=self.world.street_a.path,
            additional_data={"event": "import", "path": self.world.street_a.path},
        )
        text = self.changes_of(self.audit_list())
        self.assertIn("已创建：12", text)
        self.assertIn("被拒绝：1", text)

    def test_english(self) -> None:
        self.login(self.world.officer_a)
        self.client.post(reverse("set_language"), {"language": "en"})
        response = self.client.get(reverse("people:resident_history", args=[self.person.pk]))
        text = self.changes_of(response.content.decode())
        self.assertIn("Education：—", text)
        self.assertIn("Archived：no → yes", text)

    def test_the_list_names_a_page_of_entries_in_a_few_queries(self) -> None:
        self.audit_list()
        with CaptureQueriesContext(connection) as few:
            self.audit_list()
        for n in range(15):
            do_update_resident(self.person, acting_user=self.world.officer_a, notes=f"第{n}次")
        with CaptureQueriesContext(connection) as many:
            self.audit_list()
        self.assertEqual(len(few), len(many), [q["sql"][:120] for q in many.captured_queries])

    def test_the_api_keeps_raw_values_without_personal_data(self) -> None:
        _token, key = APIToken.issue(self.world.officer_a)
        response = self.client.get("/api/v1/audit/?page_size=100", HTTP_AUTHORIZATION=f"Bearer {key}")
        self.assertEqual(response.status_code, 200)
        body = response.content.decode()
        self.assertEqual(id_number_shapes(body), [])
        items = {item["id"]: item for item in response.json()["items"]}
        crafted = items[self.crafted.pk]["changes"]
        self.assertEqual(crafted["node"], [str(self.world.grid_b.pk), str(self.world.grid_a.pk)])  # raw
        self.assertEqual(crafted["id_number"][1], f"{NUMBER[:6]}********{NUMBER[-4:]}")
        self.assertIn("********", crafted["notes"][1])
        education = [i["changes"]["education"] for i in items.values() if "education" in (i["changes"] or {})]
        self.assertIn(["", "bachelor"], education)  # the code, as stored
