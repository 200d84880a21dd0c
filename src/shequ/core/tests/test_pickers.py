"""Every picker of every list names a chosen object only as the user may see it (``restrict``): walking the ids of
``?person=1``, ``?member=14`` … as another street's user yields no name, and filters nothing."""

from __future__ import annotations

import copy
import re
from typing import Any

from django.urls import get_resolver, reverse

from shequ.accounts.scope import can
from shequ.core.filtersets import WithinFilter
from shequ.core.registry import VIEWSETS
from shequ.core.testing import WorldTestCase
from shequ.core.widgets import SearchPickerWidget
from shequ.orgs.models import OrgKind
from shequ.party.tests.helpers import member, org
from shequ.volunteers.tests.helpers import Tree, volunteer

COUNT = re.compile(r'data-testid="count">(.*?)</div>', re.S)


def picker_filters() -> list[tuple[Any, str, Any]]:
    """(view set, filter name, filter) of every list filter chosen with a picker, from the registered view sets."""
    get_resolver().url_patterns  # noqa: B018  (the view sets register themselves with the URLs)
    found = []
    for vs in VIEWSETS.values():
        filterset = getattr(vs, "filterset", None)
        if filterset is None or "list" not in vs.actions:
            continue
        for name, flt in filterset.base_filters.items():
            if isinstance(flt.extra.get("widget"), SearchPickerWidget):
                found.append((vs, name, flt))
    return found


class PickerScopeTests(WorldTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        tree = Tree(cls.world)  # households, committees and their members, teams in both streets
        for side in (tree.a, tree.b):
            branch = org(side.community, OrgKind.BRANCH, f"{side.community.name}第一党支部", side.party)
            member(cls.world, branch, name=f"{side.community.name[:2]}党员")
        volunteer(tree.b, "胜利志愿者")
        volunteer(tree.a, "和平志愿者")

    def out_of_scope(self, widget: SearchPickerWidget) -> tuple[Any, str]:
        """An object of the picker in the other street, and its name as the picker says it to one who may see it."""
        widget.user = self.world.admin
        obj = widget.offered(self.world.admin).within(self.world.street_b.path).order_by("-pk").first()
        self.assertIsNotNone(obj, f"no object of {widget!r} in the other street")
        return obj, widget.label_for(obj.pk)

    def test_no_picker_names_or_filters_by_an_object_outside_the_scope(self) -> None:
        user = self.world.auditor_a  # reads everything in street A
        self.login(user)
        checked = set()
        for vs, name, flt in picker_filters():
            if not can(user, vs.model, "view"):
                continue
            widget = flt.extra["widget"]
            obj, label = self.out_of_scope(copy.deepcopy(widget))
            url = reverse(vs.url_name("list"))
            with self.subTest(list=url, filter=name, label=label):
                plain = self.client.get(url)
                self.assertEqual(plain.status_code, 200)
                page = self.client.get(url, {name: obj.pk})
                self.assertEqual(page.status_code, 200)
                text = page.content.decode()
                self.assertTrue(label)
                self.assertNotIn(label, text)
                self.assertNotIn(f'href="{obj.get_absolute_url()}"', text)
                if not isinstance(flt, WithinFilter):  # filters nothing: the list as without the filter
                    self.assertEqual(COUNT.findall(text), COUNT.findall(plain.content.decode()))
                checked.add(f"{url}?{name}")
        # The pages the issue named, and one picker of each kind, were walked.
        for expected in ("/orgs/posts/?person", "/party/dues/?member", "/services/requests/?organization"):
            self.assertIn(expected, checked)
        self.assertGreaterEqual(len(checked), 20)

    def test_the_picker_names_an_object_inside_the_scope(self) -> None:
        self.login(self.world.auditor_a)
        from shequ.party.models import PartyMember

        mine = PartyMember.objects.get(name="和平党员")
        page = self.client.get("/party/dues/", {"member": mine.pk})
        self.assertContains(page, 'value="和平党员"', html=False)
