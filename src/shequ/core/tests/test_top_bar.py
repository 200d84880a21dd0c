"""The top bar of every signed-in page (``{% top_bar %}``) is kept with holes for each request's own values: what
it writes is the bar's template rendered with those values, and what the values must be comes through."""

from __future__ import annotations

import re
from typing import Any

from django.template.loader import get_template
from django.test import Client
from django.urls import reverse
from django.utils import translation

from shequ.core.models import Notification
from shequ.core.templatetags.shequ import HOLES, unread_badge
from shequ.core.testing import WorldTestCase

BAR = re.compile(r'<header class="navbar navbar-expand-md d-print-none">.*?</header>', re.S)


def bar_of(page: Any) -> str:
    found = BAR.search(page.content.decode())
    assert found is not None, "no top bar on the page"
    return found.group(0)


class TopBarTests(WorldTestCase):
    def reference(self, page: Any) -> str:
        """The bar's template rendered straight with the page's own values."""
        request, language = page.wsgi_request, page.get("Content-Language") or "zh-hans"
        unread = Notification.objects.filter(user=request.user, read_at=None).count()
        values = {
            "LANG": language,
            "csrf_token": self.token_of(page),
            "query": page.context[0].get("query") or "",  # the page's own, not the one of the bar kept with holes
            "full_path": request.get_full_path(),
            "unread_badge": unread_badge(unread),
        }
        with translation.override(language):
            html = get_template("core/_top_bar.html").render(values, request)
        return BAR.search(html).group(0)  # type: ignore[union-attr]

    def token_of(self, page: Any) -> str:
        return re.search(r'<meta name="csrf-token" content="([^"]+)">', page.content.decode()).group(1)  # type: ignore[union-attr]

    def notify(self, user: Any, n: int) -> None:
        Notification.objects.bulk_create(Notification(user=user, text=f"通知{i}") for i in range(n))

    def test_the_bar_is_its_template_with_the_requests_values(self) -> None:
        cases = [
            (self.world.officer_a, "zh-hans", reverse("territory:node_list") + '?q=<b>"和平"</b>&page=1', 0),
            (self.world.officer_a, "en", reverse("core:notification_list"), 3),
            (self.world.officer_b, "zh-hans", reverse("core:notification_list") + "?x=%E2%80%A6&y=a'b", 150),
            (self.world.admin, "en", reverse("home"), 1),
        ]
        for user, language, path, unread in cases:
            with self.subTest(user=user.username, language=language, path=path):
                Notification.objects.filter(user=user).delete()
                self.notify(user, unread)
                self.login(user)
                self.client.cookies["django_language"] = language
                for _ in range(2):  # rendered, then from memory
                    page = self.client.get(path, HTTP_ACCEPT_LANGUAGE=language)
                    self.assertEqual(page.status_code, 200)
                    bar = bar_of(page)
                    self.assertEqual(bar, self.reference(page))
                    self.assertFalse(any(hole in bar for hole in HOLES.values()))
                    self.assertIn(f'value="{self.token_of(page)}"', bar)
                if unread:
                    self.assertIn("99+" if unread > 99 else f">{unread}<", bar)
                else:
                    self.assertNotIn("unread-count", bar)
                self.assertNotIn("<b>", bar)

    def test_the_search_box_keeps_what_was_searched_escaped(self) -> None:
        self.login(self.world.officer_a)
        page = self.client.post(reverse("core:search"), {"q": '"><script>和平'}, follow=True)
        bar = bar_of(page)
        self.assertIn('value="&quot;&gt;&lt;script&gt;和平"', bar)
        self.assertEqual(bar, self.reference(page))

    def test_a_form_of_the_bar_posts_with_its_token(self) -> None:
        client = Client(enforce_csrf_checks=True)
        client.force_login(self.world.officer_a)
        for _ in range(2):
            page = client.get(reverse("core:notification_list"))
            token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', bar_of(page)).group(1)  # type: ignore[union-attr]
            answer = client.post(reverse("set_language"), {"language": "en", "next": "/", "csrfmiddlewaretoken": token})
            self.assertEqual(answer.status_code, 302)

    def test_a_new_name_and_a_new_grant_show_at_once(self) -> None:
        user = self.world.officer_a
        self.login(user)
        self.client.get(reverse("home"))
        user.full_name = "新名字"
        user.save()
        page = self.client.get(reverse("home"))
        self.assertIn(str(user), bar_of(page))
        self.assertEqual(bar_of(page), self.reference(page))
