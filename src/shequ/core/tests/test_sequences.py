"""advance_sequences: after explicit ids, PostgreSQL's id sequence moves past them, and never back."""

from __future__ import annotations

from unittest import skipUnless

from django.db import connection
from django.test import TestCase

from shequ.core.importing import advance_sequences
from shequ.people.models import CareTag


@skipUnless(connection.vendor == "postgresql", "SQLite has no sequences to keep")
class AdvanceSequencesTests(TestCase):
    def test_past_explicit_ids_and_never_back(self) -> None:
        first = CareTag.objects.create(name="序列甲", code="seq-a")
        explicit = CareTag.objects.create(pk=first.pk + 100, name="序列乙", code="seq-b")
        advance_sequences(CareTag)
        self.assertGreater(CareTag.objects.create(name="序列丙", code="seq-c").pk, explicit.pk)
        # Rows gone (deleted, or rolled back elsewhere) must not bring the sequence back to reuse their ids.
        top = CareTag.objects.order_by("-pk").first()
        assert top is not None
        CareTag.objects.filter(pk__gte=first.pk).delete()
        advance_sequences(CareTag)
        self.assertGreater(CareTag.objects.create(name="序列丁", code="seq-d").pk, top.pk)
