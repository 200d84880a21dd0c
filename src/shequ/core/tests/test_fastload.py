"""Rows read by ``core.fastload``'s ``from_db`` are the instances Django's own ``from_db`` makes."""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models.signals import post_init
from django.test import TestCase

from shequ.accounts.models import User
from shequ.core import fastload
from shequ.core.testing import WorldTestCase
from shequ.territory.models import Node


def fields_of(obj: Any) -> dict[str, Any]:
    return {k: v for k, v in obj.__dict__.items() if k != "_state"}


class QualifiesTests(TestCase):
    def test_every_plain_model_of_the_project_is_read_directly(self) -> None:
        plain = [m for m in apps.get_models(include_auto_created=True) if fastload.qualifies(m)]
        self.assertIn(Node, fastload.INSTALLED)
        self.assertIn(User, fastload.INSTALLED)
        self.assertEqual(set(plain), fastload.INSTALLED)

    def test_what_does_not_qualify(self) -> None:
        class WithFile(models.Model):  # noqa: DJ008 - FileField's descriptor wraps the value: Django's way
            upload = models.FileField()

            class Meta:
                app_label = "core"

        class OwnInit(models.Model):  # noqa: DJ008
            name = models.CharField(max_length=10)

            class Meta:
                app_label = "core"

            def __init__(self, *args: Any, **kwargs: Any) -> None:
                super().__init__(*args, **kwargs)
                self.seen = True

        class Abstract(AbstractUser):
            class Meta:
                app_label = "core"
                abstract = True

        for model in (WithFile, OwnInit, Abstract):
            with self.subTest(model=model.__name__):
                self.assertFalse(fastload.qualifies(model))
                self.assertEqual(fastload.install([model]), [])
        apps.all_models["core"].pop("withfile", None)
        apps.all_models["core"].pop("owninit", None)
        apps.clear_cache()


class ReadTests(WorldTestCase):
    def test_same_instance_as_djangos(self) -> None:
        for pk in Node.objects.values_list("pk", flat=True):
            fast = Node.objects.get(pk=pk)
            with self.subTest(node=fast.name):
                names = [f.attname for f in Node._meta.concrete_fields]
                values = [getattr(fast, n) for n in names]
                django = fastload._django_from_db(Node, "default", names, values)
                self.assertEqual(fields_of(fast), fields_of(django))
                self.assertFalse(fast._state.adding)
                self.assertEqual(fast._state.db, "default")
                self.assertEqual(fast, django)

    def test_a_field_not_read_is_loaded_on_first_use(self) -> None:
        node = Node.objects.only("name").get(pk=self.world.grid_a.pk)
        self.assertNotIn("code", node.__dict__)
        self.assertEqual(node.get_deferred_fields(), {f.attname for f in Node._meta.concrete_fields} - {"id", "name"})
        with self.assertNumQueries(1):
            self.assertEqual(node.path, self.world.grid_a.path)

    def test_related_rows_read_together_are_cached(self) -> None:
        node = Node.objects.select_related("parent__parent").get(pk=self.world.grid_a.pk)
        with self.assertNumQueries(0):
            self.assertEqual(node.parent.parent, self.world.street_a)
            self.assertEqual(node.parent.parent.name, "和平街道")

    def test_a_read_row_saves_as_an_update(self) -> None:
        node = Node.objects.get(pk=self.world.grid_a.pk)
        count = Node.objects.count()
        node.name = "第9网格"
        node.save(update_fields=["name"])
        self.assertEqual(Node.objects.count(), count)
        self.assertEqual(Node.objects.get(pk=node.pk).name, "第9网格")
        node.refresh_from_db()
        self.assertEqual(node.name, "第9网格")

    def test_a_post_init_receiver_sees_every_row(self) -> None:
        seen: list[Any] = []

        def receiver(sender: Any, instance: Any, **kwargs: Any) -> None:
            seen.append(instance.pk)

        post_init.connect(receiver, sender=Node)
        try:
            pks = list(Node.objects.order_by("pk").values_list("pk", flat=True))
            read = [n.pk for n in Node.objects.order_by("pk")]
        finally:
            post_init.disconnect(receiver, sender=Node)
        self.assertEqual(read, pks)
        self.assertEqual(seen, pks)
