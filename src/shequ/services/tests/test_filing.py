"""Filing through the portal and the intake: every category of the catalogue can be filed, its questions
shown with the category (htmx, or after a first submit without scripts), every error of the form at once,
nothing typed lost; the category picker grouped by parent and searchable."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any, ClassVar
from unittest import mock

from django.core.cache import cache
from django.urls import reverse

from shequ.core.testing import WorldTestCase
from shequ.services import portal
from shequ.services.actions.requests import category_attributes
from shequ.services.catalogue import CATEGORIES
from shequ.services.models import Channel, ServiceCategory, ServiceRequest, Status
from shequ.services.pickers import fileable_categories

from .helpers import ServicesTree, category


class Fields(HTMLParser):
    """The form fields of an HTML fragment: name → (tag, type, values offered)."""

    def __init__(self) -> None:
        super().__init__()
        self.fields: dict[str, dict[str, Any]] = {}
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag in ("input", "select", "textarea") and a.get("name"):
            field = self.fields.setdefault(a["name"] or "", {"tag": tag, "type": a.get("type"), "values": []})
            if a.get("type") in ("checkbox", "radio"):
                field["values"].append(a.get("value"))
            if a.get("type") == "hidden":
                field["values"].append(a.get("value"))
            self._select = a["name"] if tag == "select" else None
        elif tag == "option" and self._select and a.get("value"):
            self.fields[self._select]["values"].append(a["value"])

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None


def fields(html: str) -> dict[str, dict[str, Any]]:
    parser = Fields()
    parser.feed(html)
    return parser.fields


def answer(name: str, field: dict[str, Any]) -> Any:
    """A plausible answer to a question field, as a browser would send it."""
    if field["values"]:
        return field["values"][0]
    if field["type"] == "number" or name.endswith("temperature"):
        return "15"
    if field["type"] == "datetime-local":
        return "2026-12-01T08:30"
    return "3号楼地下室"


class PortalFilingTests(WorldTestCase):
    tree: ClassVar[ServicesTree]

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.tree = ServicesTree(cls.world)

    def setUp(self) -> None:
        cache.clear()
        self.addCleanup(cache.clear)

    def typed(self, **kw: Any) -> dict[str, Any]:
        d = {
            "place": self.world.grid_a.pk,
            "address": "和平路88号3栋",
            "description": "情况描述：已经两天了",
            "contact_name": "李秀英",
            "phone": "13987654321",
        }
        d.update(kw)
        return {k: v for k, v in d.items() if v is not None}

    def test_every_category_of_the_catalogue_can_be_filed(self) -> None:
        categories = list(fileable_categories().select_related("parent"))
        self.assertEqual(len(categories), sum(len(children) for *_top, children in CATEGORIES))
        form = self.client.get(reverse("services:portal")).content.decode()
        offered = set(fields(form)["category"]["values"])
        for n, cat in enumerate(categories):
            with self.subTest(category=cat.name):
                self.assertIn(str(cat.pk), offered)
                # What htmx fetches when the category changes: the questions, and the mark saying so.
                block = self.client.get(reverse("services:category_questions"), {"category": cat.pk})
                questions = fields(block.content.decode())
                self.assertEqual(questions.pop("questions_for")["values"], [str(cat.pk)])
                expected = {f"attr_{q.code}" for q in category_attributes(cat)}
                self.assertEqual(set(questions), expected)
                answers = {name: answer(name, f) for name, f in questions.items()}
                data = self.typed(category=cat.pk, questions_for=cat.pk, phone=f"1398765{n:04d}", **answers)
                with mock.patch.dict(portal.LIMITS, {"file_ip": (100, 3600)}):
                    response = self.client.post(reverse("services:portal"), data)
                errors = re.findall(r"invalid-feedback[^>]*>([^<]*)", response.content.decode())
                self.assertEqual(response.status_code, 302, errors)
                filed = ServiceRequest.objects.get(channel=Channel.PORTAL, category=cat)
                required = {q.code for q in category_attributes(cat) if q.required}
                self.assertLessEqual(required, set(filed.attributes))
        self.assertEqual(ServiceRequest.objects.count(), len(categories))

    def test_questions_come_with_the_category_on_the_page(self) -> None:
        burst = category("water-burst")
        # Chosen already (a form shown again, a link): the questions are on the page.
        page = self.client.get(reverse("services:portal")).content.decode()
        self.assertIn(f'hx-get="{reverse("services:category_questions")}"', page)
        self.assertIn('hx-target="#category-questions"', page)
        block = self.client.get(reverse("services:category_questions"), {"category": burst.pk})
        self.assertContains(block, "破裂位置")
        self.assertContains(block, 'name="attr_location"')
        # Nothing for a category that is not there to be filed (a parent, an unknown id, junk).
        for junk in (category("water").pk, 999999, "x", "1" * 30):
            empty = self.client.get(reverse("services:category_questions"), {"category": junk})
            self.assertEqual(empty.status_code, 200)
            self.assertNotContains(empty, "questions_for")

    def test_without_scripts_the_questions_appear_after_the_first_submit_and_nothing_is_lost(self) -> None:
        burst = category("water-burst")
        url = reverse("services:portal")
        data = self.typed(category=burst.pk)
        response = self.client.post(url, data)  # the questions of the category were not on the page
        self.assertEqual(response.status_code, 400)
        self.assertFalse(ServiceRequest.objects.exists())
        self.assertContains(response, "请回答下方关于“管道破裂”的问题。", status_code=400)
        html = response.content.decode()
        self.assertIn('name="attr_location"', html)
        self.assertIn(f'name="questions_for" value="{burst.pk}"', html)
        for typed in ("和平路88号3栋", "情况描述：已经两天了", "李秀英", "13987654321", self.world.grid_a.name):
            self.assertIn(typed, html)
        self.assertRegex(html, rf'<option value="{burst.pk}"[^>]* selected>')
        # Answered on that page: filed.
        response = self.client.post(url, {**data, "questions_for": burst.pk, "attr_location": "单元门口"})
        self.assertEqual(response.status_code, 302)
        self.assertEqual(ServiceRequest.objects.get().attributes, {"location": "单元门口"})

    def test_every_error_of_the_form_at_once(self) -> None:
        outage = category("water-outage")
        data = self.typed(
            category=outage.pk, questions_for=outage.pk, place=None, address=None, phone="12", description=""
        )
        response = self.client.post(reverse("services:portal"), data)
        self.assertEqual(response.status_code, 400)
        errors = response.context["form"].errors
        self.assertEqual(set(errors), {"place", "phone", "description"})
        self.assertEqual(set(response.context["form"].questions.errors), {"attr_scope"})
        html = response.content.decode()
        self.assertEqual(html.count("invalid-feedback"), 4)
        self.assertIn("李秀英", html)
        # A wrong answer to a typed question is a field error too, with the rest kept.
        cold = category("heating-cold")
        data = self.typed(category=cold.pk, questions_for=cold.pk, attr_temperature="很冷")
        response = self.client.post(reverse("services:portal"), data)
        self.assertEqual(set(response.context["form"].questions.errors), {"attr_temperature"})
        self.assertContains(response, "很冷", status_code=400)
        self.assertFalse(ServiceRequest.objects.exists())

    def test_the_picker_is_grouped_by_parent_searchable_and_says_what_is_not_published(self) -> None:
        html = self.client.get(reverse("services:portal")).content.decode()
        select = re.search(r'<select name="category".*?</select>', html, re.S)
        assert select is not None
        groups = re.findall(r'<optgroup label="([^"]+)">', select.group(0))
        self.assertEqual(groups[:3], ["供水", "供电", "供暖"])
        self.assertIn("社会救助", groups)
        self.assertIn("data-category-search", html)
        self.assertRegex(select.group(0), r'<option value="\d+" data-search="[^"]*guandaopolie[^"]*">管道破裂</option>')
        self.assertIn("低保申请（不公开）", select.group(0))
        self.assertNotIn(">供水<", select.group(0))  # a parent is a group, not a choice, on a filing form


class IntakeFilingTests(WorldTestCase):
    tree: ClassVar[ServicesTree]

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.tree = ServicesTree(cls.world)

    def test_questions_on_the_first_step_and_every_error_at_once(self) -> None:
        self.login(self.tree.worker_a)
        url = reverse("services:intake")
        outage = category("power-outage")
        page = self.client.get(url, {"category": outage.pk})  # e.g. back from finding the resident
        self.assertContains(page, 'name="attr_scope"')
        self.assertContains(page, 'hx-target="#category-questions"')
        data = {"category": outage.pk, "questions_for": outage.pk, "node": self.world.grid_a.pk, "channel": "hotline"}
        response = self.client.post(url, {**data, "address": "5号楼"})
        self.assertEqual(response.status_code, 400)
        form = response.context["form"]
        self.assertEqual(set(form.errors), {"description", "contact_name"})
        self.assertEqual(set(form.questions.errors), {"attr_scope"})
        self.assertContains(response, "5号楼", status_code=400)
        response = self.client.post(
            url, {**data, "description": "整栋楼停电", "contact_name": "赵师傅", "attr_scope": "building"}
        )
        self.assertEqual(response.status_code, 302)
        filed = ServiceRequest.objects.get()
        self.assertEqual((filed.attributes, filed.status), ({"scope": "building"}, Status.SUBMITTED))

    def test_every_filter_and_form_picks_categories_from_groups(self) -> None:
        self.login(self.world.admin)
        water = category("water")
        for name in (
            "services:servicerequest_list",
            "services:routingrule_list",
            "services:serviceattribute_list",
            "services:routingrule_add",
            "services:serviceattribute_add",
            "services:intake",
        ):
            with self.subTest(page=name):
                html = self.client.get(reverse(name)).content.decode()
                select = re.search(r'<select name="category".*?</select>', html, re.S)
                assert select is not None
                self.assertIn('<optgroup label="供水">', select.group(0))
                self.assertIn("data-category-search", html)
                parent = f'<option value="{water.pk}" data-search="'
                # Lists, rules and questions may name a whole category; filing takes a sub-category.
                self.assertEqual(parent in select.group(0), name != "services:intake")
        rule = self.client.get(reverse("services:routingrule_add")).content.decode()
        self.assertIn('<option value="" selected>所有类别</option>', rule)
        self.assertEqual(ServiceCategory.objects.filter(parent=water).count(), 3)
