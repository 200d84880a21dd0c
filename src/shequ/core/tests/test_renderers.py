"""Selects are written in Python (core.renderers) with the same markup as Django's templates."""

from __future__ import annotations

import re

from django import forms
from django.forms.renderers import TemplatesSetting
from django.test import SimpleTestCase
from django.utils.translation import gettext, override

from shequ.core.renderers import FormRenderer
from shequ.core.testing import WorldTestCase
from shequ.territory.models import Kind


class Choices(forms.Form):
    single = forms.ChoiceField(
        choices=[("", "---"), ("x", "X <&> “引号”"), ("组", [("g1", "G1"), ("g2", "G2")])], required=False
    )
    several = forms.MultipleChoiceField(choices=[("1", "一"), ("2", "二"), ("3", "三")])
    maybe = forms.NullBooleanField()
    radio = forms.ChoiceField(choices=[("a", "A"), ("b", "B")], widget=forms.RadioSelect)


class RendererTests(SimpleTestCase):
    def test_selects_render_as_django_templates_render_them(self) -> None:
        data = {"single": "g1", "several": ["1", "3"], "maybe": "true", "radio": "b"}
        cases: list[dict[str, str | bool]] = [
            {},
            {"class": "form-select is-invalid", "disabled": True, "data-x": 'a"b'},
        ]
        for name in ("single", "several", "maybe", "radio"):
            for attrs in cases:
                with self.subTest(name=name, attrs=attrs):
                    ours = Choices(data, renderer=FormRenderer())[name].as_widget(attrs=attrs)
                    django = Choices(data, renderer=TemplatesSetting())[name].as_widget(attrs=attrs)
                    self.assertHTMLEqual(ours, django)
                    self.assertIn("selected" if name != "radio" else "checked", ours)

    def test_a_forms_default_renderer_is_ours(self) -> None:
        self.assertIsInstance(Choices().renderer, FormRenderer)


class ChecklistTests(WorldTestCase):
    """A filter's several-choices field is a drop-down of check boxes with the same parameters."""

    def test_ticked_choices_are_named_and_filter_the_list(self) -> None:
        self.login(self.world.officer_a)
        page = self.client.get("/territory/nodes/", {"kind": ["grid", "community"]})
        html = page.content.decode()
        with override("zh-hans"):
            grid, community, street = (str(Kind(k).label) for k in ("grid", "community", "street"))
            any_label = gettext("Any")
        box = re.search(r'<details class="filter-checklist" data-testid="checklist-kind".*?</details>', html, re.S)
        assert box is not None
        self.assertNotIn("<select", box.group(0))
        self.assertIn(f">{community}、{grid}</summary>", box.group(0))  # in the choices' order
        self.assertInHTML(
            '<input class="form-check-input" type="checkbox" name="kind" value="grid" checked>', box.group(0)
        )
        self.assertInHTML('<input class="form-check-input" type="checkbox" name="kind" value="street">', box.group(0))
        self.assertIn(street, box.group(0))
        rows = set(re.findall(r'name="pk" value="(\d+)"', html))
        self.assertEqual(rows, {str(self.world.grid_a.pk), str(self.world.community_a.pk)})
        # Nothing ticked: the box says "any".
        plain = self.client.get("/territory/nodes/").content.decode()
        self.assertIn(f">{any_label}</summary>", plain)
