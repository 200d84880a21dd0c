"""Every filterset copies its filters cheaply (``core.filtersets.FilterSet``) and keeps them to itself."""

from __future__ import annotations

from typing import Any

import django_filters
from django.test import RequestFactory

from shequ.core.filtersets import FilterSet
from shequ.core.testing import WorldTestCase, project_subclasses
from shequ.core.widgets import SearchPickerWidget
from shequ.volunteers.filtersets import VolunteerFilterSet


class FilterSetTests(WorldTestCase):
    def test_every_filterset_of_the_project_is_a_core_filterset(self) -> None:
        ours = project_subclasses(django_filters.FilterSet, "filtersets")
        self.assertGreater(len(ours), 20)
        for cls in ours:
            with self.subTest(filterset=cls.__qualname__):
                self.assertTrue(issubclass(cls, FilterSet))

    def filterset(self, user: Any, data: Any = None) -> Any:
        request = RequestFactory().get("/")
        request.user = user
        return VolunteerFilterSet(data, request=request)

    def test_each_filterset_has_its_own_filters(self) -> None:
        first, second = self.filterset(self.world.officer_a), self.filterset(self.world.officer_b)
        self.assertEqual(list(first.filters), list(VolunteerFilterSet.base_filters))
        for name, declared in VolunteerFilterSet.base_filters.items():
            with self.subTest(filter=name):
                self.assertIsNot(first.filters[name], declared)
                self.assertIsNot(first.filters[name], second.filters[name])
                self.assertIs(first.filters[name].parent, first)
                self.assertIsNot(first.filters[name].extra, declared.extra)
                self.assertIsNot(first.form.fields[name], second.form.fields[name])
                self.assertNotIn("parent", declared.__dict__)

    def test_a_pickers_user_stays_with_its_filterset(self) -> None:
        first, second = self.filterset(self.world.officer_a), self.filterset(self.world.officer_b)
        widgets = [first.form.fields["team"].widget, second.form.fields["team"].widget]
        self.assertTrue(all(isinstance(w, SearchPickerWidget) for w in widgets))
        self.assertEqual([w.user for w in widgets], [self.world.officer_a, self.world.officer_b])
        self.assertIsNone(VolunteerFilterSet.base_filters["team"].extra["widget"].user)

    def test_a_form_field_made_before_copying_is_not_shared(self) -> None:
        declared = VolunteerFilterSet.base_filters["stars"]
        self.assertIsNotNone(declared.field)  # as a schema built from the class would
        try:
            first = self.filterset(self.world.officer_a, {"stars": "3"})
            self.assertIsNot(first.filters["stars"].field, declared.field)
            self.assertTrue(first.is_valid())
        finally:
            del declared._field

    def test_a_filter_by_method_calls_its_own_filtersets_method(self) -> None:
        filterset = self.filterset(self.world.officer_a, {"q": "张"})
        declared = VolunteerFilterSet.base_filters["q"]
        self.assertIs(filterset.filters["q"].filter.f, filterset.filters["q"])
        self.assertIs(declared.filter.f, declared)
        self.assertTrue(filterset.is_valid())
        self.assertEqual(list(filterset.qs), [])
        self.assertIn("张", str(filterset.qs.query))
