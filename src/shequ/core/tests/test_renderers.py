"""Selects are written in Python (core.renderers) with the same markup as Django's templates."""

from __future__ import annotations

from django import forms
from django.forms.renderers import TemplatesSetting
from django.test import SimpleTestCase

from shequ.core.renderers import FormRenderer


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
