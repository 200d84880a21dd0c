"""``restrict(user, action)`` built once per user (``core.querysets.remembered``): the same rows and SQL as building
it each time, for every user, action and shape of queryset; each call its own copy; a grant shows at once; a
queryset that is not plain, or a scope that depends on the time, built at every call."""

from __future__ import annotations

from unittest import mock

from django.core.exceptions import EmptyResultSet
from django.test import override_settings
from django.utils import timezone

from shequ.accounts import authcache, scope
from shequ.accounts.models import Grant, User
from shequ.core import querysets
from shequ.core.models import AuditEntry
from shequ.core.querysets import RestrictedQuerySet
from shequ.core.testing import WorldTestCase
from shequ.services.models import ServiceRequest, SubTask
from shequ.territory.models import Node


class ClockedQuerySet(RestrictedQuerySet):
    """A scope that changes as time passes (none of the project's does today)."""

    def restrict(self, user, action="view", perm_model=None):  # type: ignore[no-untyped-def]
        return super().restrict(user, action, perm_model).filter(created__lte=timezone.now())


def shapes():  # type: ignore[no-untyped-def]
    """Querysets of every kind ``restrict`` is called on: plain ones (kept) and others (built each time)."""
    return {
        "all": lambda: Node.objects.all(),
        "select_related": lambda: Node.objects.select_related("parent"),
        "only": lambda: Node.objects.only("name"),
        "defer": lambda: Node.objects.defer("name"),
        "prefetch": lambda: Node.objects.prefetch_related("children"),
        "order_by": lambda: Node.objects.order_by("-pk"),
        "order_by()": lambda: Node.objects.order_by(),
        "reverse": lambda: Node.objects.reverse(),
        "filter": lambda: Node.objects.filter(kind="grid"),
        "values": lambda: Node.objects.values("pk"),
        "distinct": lambda: Node.objects.distinct(),
        "requests": lambda: ServiceRequest.objects.select_related("category", "node"),
        "subtasks": lambda: SubTask.objects.all(),
        "audit": lambda: AuditEntry.objects.all(),
    }


def answer(queryset):  # type: ignore[no-untyped-def]
    try:
        sql = str(queryset.query)
    except EmptyResultSet:
        sql = "nothing"
    return sql, list(queryset.values_list("pk", flat=True))


class RememberedRestrictTests(WorldTestCase):
    def users(self) -> list:  # type: ignore[type-arg]
        w = self.world
        return [w.admin, w.officer_a, w.officer_b, w.auditor_a, w.nobody]

    def test_the_same_rows_and_sql_as_building_it_each_time(self) -> None:
        for name, make in shapes().items():
            for action in ("view", "change", "delete"):
                for user in self.users():
                    authcache.forget_local()
                    first, second = make().restrict(user, action), make().restrict(user, action)
                    with override_settings(SHEQU_AUTH_CACHE_SECONDS=0):
                        each_time = answer(make().restrict(user, action))
                    self.assertEqual(answer(first), each_time, (name, action, user))
                    self.assertEqual(answer(second), each_time, (name, action, user))
        # perm_model: the places where the user may add requests, not those the user may see
        authcache.forget_local()
        user = self.world.auditor_a
        seen = answer(Node.objects.restrict(user, "view"))
        may_add = answer(Node.objects.restrict(user, "add", perm_model=ServiceRequest))
        self.assertEqual(answer(Node.objects.restrict(user, "add", perm_model=ServiceRequest)), may_add)
        self.assertEqual(answer(Node.objects.restrict(user, "view")), seen)

    def test_a_plain_queryset_is_built_once_per_user_and_the_others_each_time(self) -> None:
        kept = {"all", "select_related", "only", "defer", "prefetch", "requests", "subtasks", "audit"}
        for name, make in shapes().items():
            authcache.forget_local()
            make().restrict(self.world.officer_a, "view")
            with mock.patch.object(scope, "reaches", wraps=scope.reaches) as reaches:
                with mock.patch.object(scope, "scope_paths", wraps=scope.scope_paths) as paths:
                    make().restrict(self.world.officer_a, "view")
            self.assertEqual(reaches.call_count + paths.call_count == 0, name in kept, name)
            # another user, action or model is a scope of its own
            with mock.patch.object(scope, "reaches", wraps=scope.reaches) as reaches:
                with mock.patch.object(scope, "scope_paths", wraps=scope.scope_paths) as paths:
                    make().restrict(self.world.officer_b, "view")
                    make().restrict(self.world.officer_a, "change")
            self.assertGreaterEqual(reaches.call_count + paths.call_count, 2, name)

    def test_each_call_gets_its_own_copy(self) -> None:
        user = self.world.officer_a
        first = Node.objects.restrict(user, "view")
        rows = list(first)
        second = Node.objects.restrict(user, "view")
        self.assertIsNot(first, second)
        self.assertIsNot(first.query, second.query)
        self.assertIsNone(second._result_cache)
        narrowed = second.filter(kind="grid")
        self.assertEqual(list(narrowed), [self.world.grid_a])
        self.assertEqual(list(Node.objects.restrict(user, "view")), rows)
        self.assertEqual(Node.objects.restrict(user, "view").update(name="x"), len(rows))
        self.assertEqual(set(Node.objects.values_list("name", flat=True).filter(pk__in=[n.pk for n in rows])), {"x"})
        self.assertEqual(Node.objects.restrict(user, "view").count(), len(rows))

    def test_a_new_grant_or_a_deactivated_user_shows_at_once(self) -> None:
        def user() -> User:  # as the next request reads it (a user object keeps its grants: accounts.scope)
            return User.objects.get(pk=self.world.officer_b.pk)

        self.assertNotIn(self.world.grid_a, Node.objects.restrict(user(), "view"))
        grant = Grant.objects.create(user=user(), role="street_officer", node=self.world.street_a)
        self.assertIn(self.world.grid_a, Node.objects.restrict(user(), "view"))
        grant.delete()
        self.assertNotIn(self.world.grid_a, Node.objects.restrict(user(), "view"))
        self.assertTrue(Node.objects.restrict(user(), "view").exists())
        User.objects.filter(pk=self.world.officer_b.pk).update(is_active=False)  # no signal: the flag is read
        self.assertFalse(Node.objects.restrict(user(), "view").exists())

    def test_a_scope_that_depends_on_the_time_is_built_at_every_call(self) -> None:
        user = self.world.officer_a
        clocked = ClockedQuerySet(model=ServiceRequest)
        self.assertTrue(getattr(ClockedQuerySet.restrict, "remembered", False))
        clocked.restrict(user, "view")
        with mock.patch.object(scope, "scope_paths", wraps=scope.scope_paths) as paths:
            with mock.patch.object(scope, "reaches", wraps=scope.reaches) as reaches:
                first = clocked.restrict(user, "view")
                second = ClockedQuerySet(model=ServiceRequest).restrict(user, "view")
        self.assertEqual(paths.call_count + reaches.call_count, 2)
        self.assertNotEqual(first.query.where.children[-1].rhs, second.query.where.children[-1].rhs)

    def test_a_parent_called_by_a_subclass_is_not_kept_apart(self) -> None:
        authcache.forget_local()
        AuditEntry.objects.restrict(self.world.officer_a, "view")
        kept = [key for (kind, key) in authcache._entries if kind == querysets.KIND]
        self.assertEqual(len(kept), 1)
        self.assertIs(kept[0][0], AuditEntry.objects.none().__class__.restrict.__wrapped__)  # type: ignore[attr-defined]
