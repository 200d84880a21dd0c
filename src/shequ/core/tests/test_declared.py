"""Every table copies its declared columns one by one (``core.declared``) and keeps them to itself."""

from __future__ import annotations

import django_tables2 as tables
from django.test import SimpleTestCase

from shequ.core.declared import ShallowCopies
from shequ.core.tables import BaseTable
from shequ.core.testing import project_subclasses
from shequ.services.models import ServiceRequest
from shequ.services.tables import ServiceRequestTable


class TableColumnsTests(SimpleTestCase):
    def test_every_table_of_the_project_copies_its_columns_one_by_one(self) -> None:
        ours = [c for c in project_subclasses(tables.Table, "tables") if c is not BaseTable]
        self.assertGreater(len(ours), 20)
        for cls in ours:
            with self.subTest(table=cls.__qualname__):
                self.assertTrue(issubclass(cls, BaseTable))
                self.assertIsInstance(cls.base_columns, ShallowCopies)

    def test_each_table_has_its_own_columns(self) -> None:
        first, second = ServiceRequestTable(ServiceRequest.objects.none()), ServiceRequestTable([])
        self.assertEqual([c.name for c in first.columns], list(ServiceRequestTable.base_columns))
        for name, declared in ServiceRequestTable.base_columns.items():
            with self.subTest(column=name):
                self.assertIsNot(first.columns[name].column, declared)
                self.assertIsNot(first.columns[name].column, second.columns[name].column)

    def test_hiding_a_column_hides_it_in_that_table_only(self) -> None:
        first = ServiceRequestTable([])
        first.columns.hide("channel")
        second = ServiceRequestTable([])
        self.assertNotIn("channel", [c.name for c in first.columns.iterall() if c.visible])
        self.assertIn("channel", [c.name for c in second.columns.iterall() if c.visible])
        self.assertTrue(ServiceRequestTable.base_columns["channel"].visible)
