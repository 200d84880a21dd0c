"""The lists the data migrations fill come back after a flush (a transactional test's teardown) or a migrate on an
emptied list; a single entry an administrator removed stays removed."""

from __future__ import annotations

from django.core.management import call_command
from django.test import TransactionTestCase

from shequ.people.models import CareTag
from shequ.services.models import ServiceCategory
from shequ.volunteers.models import Skill


class StandardListsTests(TransactionTestCase):
    def test_back_after_a_flush_but_a_removed_entry_stays_removed(self) -> None:
        call_command("flush", interactive=False, verbosity=0)
        self.assertTrue(ServiceCategory.objects.filter(code="family-dispute").exists())
        self.assertTrue(CareTag.objects.exists())
        self.assertTrue(Skill.objects.exists())
        removed = Skill.objects.order_by("pk").first()
        assert removed is not None
        removed.delete()
        call_command("migrate", verbosity=0)
        self.assertFalse(Skill.objects.filter(code=removed.code).exists())
