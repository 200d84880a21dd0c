"""Every list's table body is written in Python (``BaseTable.tbody_html``): on every list page of the demo city it
is the markup django-tables2's own template writes from the same cells, and the few tables that write their rows
themselves (the staff request list) agree with it too."""

from __future__ import annotations

import io
import re

from django.conf import settings
from django.core.management import call_command
from django.test import TestCase, override_settings

from shequ.accounts.models import User
from shequ.core.menu import menu_for

TBODY = re.compile(r"<tbody[^>]*>(.*?)</tbody>", re.S)
# django-tables2's template: the rows loop of bootstrap5.html, as shipped.
SHIPPED = {"core/_table.html": '{% extends "django_tables2/bootstrap5-responsive.html" %}'}


def normalised(html: str) -> str:
    html = re.sub(r'name="csrfmiddlewaretoken" value="\w+"', 'name="csrfmiddlewaretoken"', html)  # masked anew
    html = re.sub(r"\s+", " ", html)
    html = re.sub(r"<(\w+) >", r"<\1>", html)  # ``<td {{ attrs }}>`` with no attributes
    return re.sub(r">\s+<", "><", html).strip()


def shipped_templates() -> list[dict]:  # type: ignore[type-arg]
    """The project's template settings, with ``core/_table.html`` being django-tables2's template unchanged."""
    templates = [dict(t) for t in settings.TEMPLATES]
    first = templates[0]
    first_options = dict(first.get("OPTIONS", {}))  # type: ignore[call-overload]
    first_options.pop("loaders", None)
    first["APP_DIRS"] = False
    first_options["loaders"] = [
        ("django.template.loaders.locmem.Loader", SHIPPED),
        "django.template.loaders.filesystem.Loader",
        "django.template.loaders.app_directories.Loader",
    ]
    first["OPTIONS"] = first_options
    return templates


class TableBodyTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        call_command("seed", scale="tiny", seed=1, password="tables-pass-123", stdout=io.StringIO())

    def test_every_list_body_is_the_templates_markup(self) -> None:
        self.maxDiff = None
        compared = 0
        for username in ("admin", "street", "community"):
            user = User.objects.filter(username=username).first()
            if user is None:
                continue
            self.client.force_login(user)
            urls = sorted({url for _section, items in menu_for(user) for _item, url in items})
            for url in urls:
                response = self.client.get(url)
                fast = TBODY.findall(response.content.decode()) if response.status_code == 200 else []
                if not fast:
                    continue
                with override_settings(TEMPLATES=shipped_templates()):
                    slow = TBODY.findall(self.client.get(url).content.decode())
                with self.subTest(user=username, url=url):
                    self.assertEqual([normalised(b) for b in fast], [normalised(b) for b in slow])
                    compared += sum(1 for b in fast if "<td" in b)
        self.assertGreater(compared, 20)  # lists with rows were compared, not only empty ones
