"""Menu entries and buttons appear only where the page they lead to lets the user in (one rule, declared by the
page), a refused save keeps what was typed, and errors answer in the site's frame (JSON under /api/)."""

from __future__ import annotations

import re
from unittest import mock

from django.test import Client, RequestFactory, override_settings
from django.urls import reverse
from django.utils import translation

from shequ.core.exceptions import NotFound
from shequ.core.menu import MENU, menu_for
from shequ.core.testing import WorldTestCase
from shequ.core.views import errors
from shequ.orgs.models import Organization, OrgKind


def menu_urls(user: object) -> set[str]:
    return {url for _section, items in menu_for(user) for _item, url in items}


class MenuTests(WorldTestCase):
    def test_every_entry_declares_the_rule_of_its_page(self) -> None:
        for _section, items in MENU:
            for item in items:
                with self.subTest(item.url_name):
                    self.assertIsNotNone(item.declared_rule(), "decorate the page with core.permissions.requires")

    def test_the_side_menu_marks_the_page_it_is_on_in_the_chosen_language(self) -> None:
        """The side menu is written once per set of grants, language and page (``{% sidebar_menu %}``): each
        page still gets its own entry marked, and the language switch its own labels."""
        self.login(self.world.officer_a)
        for url, label in (("/people/residents/", "居民"), ("/services/requests/", "诉求")):
            html = self.client.get(url).content.decode()
            active = re.findall(r'class="nav-link active" href="([^"]+)"><span class="nav-link-title">([^<]+)<', html)
            self.assertEqual(len(active), 1, url)
            self.assertEqual(active[0][0], url)
            self.assertIn(label, active[0][1])
        self.client.cookies["django_language"] = "en"
        html = self.client.get("/services/requests/").content.decode()
        entry = r'class="nav-link active" href="/services/requests/"><span class="nav-link-title">[A-Za-z]'
        self.assertRegex(html, entry)

    def test_every_entry_shown_opens(self) -> None:
        """For each role on a community, every menu entry shown answers 200 (the page's own rule let it in)."""
        w = self.world
        for role in ("community_worker", "party_secretary", "grid_worker", "auditor", "street_officer"):
            node = w.grid_a if role == "grid_worker" else w.community_a
            user = w.user(f"menu_{role}", role, node)
            self.login(user)
            for url in sorted(menu_urls(user)):
                with self.subTest(role=role, url=url):
                    self.assertEqual(self.client.get(url, follow=True).status_code, 200)

    def test_intake_only_for_who_may_file(self) -> None:
        """Issue 10: a party secretary and an auditor had 诉求受理 in the menu and a 404 behind it."""
        w = self.world
        intake = reverse("services:intake")
        for role, shown in (("party_secretary", False), ("auditor", False), ("grid_worker", True)):
            user = w.user(f"intake_{role}", role, w.community_a)
            with self.subTest(role):
                self.assertEqual(intake in menu_urls(user), shown)
                self.login(user)
                self.assertEqual(self.client.get(intake).status_code, 200 if shown else 404)

    def test_metrics_not_offered_to_a_branch_secretary_below_the_community(self) -> None:
        """Issue 10: the branch secretary of a grid's branch had 交叉任职与覆盖率 and a 404 behind it."""
        w = self.world
        from shequ.accounts.models import Grant, User

        branch = Organization.objects.create(name="第一党支部", kind=OrgKind.BRANCH, node=w.grid_a)
        user = User.objects.create_user("branch_a", password="branch-pass-123", node=w.grid_a)
        Grant.objects.create(user=user, role="branch_secretary", node=w.grid_a, organization=branch)
        metrics = reverse("orgs:metrics")
        self.assertNotIn(metrics, menu_urls(user))
        self.login(user)
        self.assertEqual(self.client.get(metrics).status_code, 404)
        secretary = w.user("metrics_secretary", "party_secretary", w.community_a)
        self.assertIn(metrics, menu_urls(secretary))


class ButtonTests(WorldTestCase):
    def test_catalogue_add_only_for_the_whole_territory(self) -> None:
        """Issue 10: grid and community workers saw 新增 on the catalogue, filled the form and got a 404."""
        w = self.world
        for url_name in ("services:servicecategory", "services:deadlinetier", "services:routingrule"):
            for role, node in (("community_worker", w.community_a), ("grid_worker", w.grid_a)):
                user = w.user(f"{role}_{url_name.split(':')[1]}", role, node)
                self.login(user)
                page = self.client.get(reverse(f"{url_name}_list")).content.decode()
                add = reverse(f"{url_name}_add")
                with self.subTest(url_name=url_name, role=role):
                    shown = f'href="{add}"' in page
                    self.assertEqual(shown, self.client.get(add).status_code == 200)
        self.login(w.user("city_officer", "district_officer", w.city))
        page = self.client.get(reverse("services:servicecategory_list")).content.decode()
        self.assertIn(f'href="{reverse("services:servicecategory_add")}"', page)

    def test_refused_save_keeps_the_input_and_says_why(self) -> None:
        """A save refused after the form was filled (the record would lie outside the user's area) shows the
        form again with what was typed and the reason, not a 404."""
        self.login(self.world.admin)
        data = {"code": "sample", "name": "示例档次", "amount": "3", "unit": "working_days", "warn_percent": "80"}
        with mock.patch("shequ.core.views.generic.do_create_object", side_effect=NotFound()):
            response = self.client.post(reverse("services:deadlinetier_add"), data)
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, 'value="示例档次"', status_code=400)
        self.assertContains(response, "超出您的角色可以操作的范围", status_code=400)


@override_settings(DEBUG=False)
class ErrorPageTests(WorldTestCase):
    def test_404_in_the_frame_in_chinese(self) -> None:
        self.login(self.world.officer_a)
        response = self.client.get("/no-such-page/")
        self.assertEqual(response.status_code, 404)
        self.assertContains(response, 'data-testid="error-page"', status_code=404)
        self.assertContains(response, "页面不存在", status_code=404)
        self.assertContains(response, 'id="sidebar-menu"', status_code=404)  # the site's frame, with the menu
        self.assertNotContains(response, "URLconf", status_code=404)

    def test_403_and_500_in_chinese(self) -> None:
        request = RequestFactory().get("/people/")
        request.user = self.world.officer_a
        with translation.override("zh-hans"):
            forbidden = errors.permission_denied(request, Exception())
            failed = errors.server_error(request)  # no request context: it must render all the same
        self.assertEqual(forbidden.status_code, 403)
        self.assertIn("无权", forbidden.content.decode())
        self.assertEqual(failed.status_code, 500)
        self.assertIn("服务器出错", failed.content.decode())
        self.assertIn('data-testid="error-page"', failed.content.decode())

    def test_500_when_the_frame_itself_fails(self) -> None:
        """The error page renders even when what every page uses fails (here the menu): no request context."""
        client = Client(raise_request_exception=False)
        client.force_login(self.world.officer_a)
        with mock.patch("shequ.core.menu.menu_for", side_effect=RuntimeError("the menu failed")):
            response = client.get(reverse("people:resident_list"))
        self.assertEqual(response.status_code, 500)
        page = response.content.decode()
        self.assertIn("服务器出错", page)
        self.assertNotIn("Traceback", page)

    def test_api_index_and_api_errors_are_json(self) -> None:
        index = self.client.get("/api/v1/")
        self.assertEqual(index.status_code, 200)
        body = index.json()
        self.assertEqual(body["docs"], "/api/v1/docs")
        self.assertIn("services", body["resources"])
        self.assertEqual(self.client.get(body["resources"]["services"] + "requests/").status_code, 401)
        missing = self.client.get("/api/v1/no-such-thing/")
        self.assertEqual(missing.status_code, 404)
        self.assertEqual(missing.json()["code"], "not_found")
        self.assertTrue(re.search(r"/api/v1/docs", missing.json()["message"]))
