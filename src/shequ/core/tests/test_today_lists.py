"""Every item of every home page of the demo city: the count shown is the number of rows of the list it links
to, for that user; and the items the issue names (requests, sub-tasks, transfers, development steps, visits,
must-arrive tasks, mediation, decisions, disclosures) each reach the home page of a role concerned."""

from __future__ import annotations

import io
from typing import Any, ClassVar

from django.core.management import call_command
from django.test import TestCase
from django.urls import reverse

from shequ.accounts.models import User


def listed(page: Any) -> int:
    """The rows of a list page, across its pages."""
    table = page.context["table"]
    paginator = getattr(table, "paginator", None)
    return paginator.count if paginator is not None else len(table.rows)


class HomeCountsMatchTheirLists(TestCase):
    users: ClassVar[list[str]]

    @classmethod
    def setUpTestData(cls) -> None:
        call_command("seed", scale="tiny", seed=1, password="today-pass-123", stdout=io.StringIO())
        cls.users = list(User.objects.filter(is_active=True).order_by("username").values_list("username", flat=True))

    def test_every_count_is_the_rows_of_its_list(self) -> None:
        seen: set[str] = set()
        checked = 0
        for username in self.users:
            self.client.force_login(User.objects.get(username=username))
            home = self.client.get(reverse("home"))
            self.assertEqual(home.status_code, 200, username)
            for todo in home.context["todos"]:
                seen.add(todo.key)
                page = self.client.get(todo.url)
                self.assertEqual(page.status_code, 200, (username, todo.key, todo.url))
                self.assertEqual(listed(page), todo.count, (username, todo.key, todo.url))
                checked += 1
        self.assertGreater(checked, 0)
        # The demo city's work reaches the roles concerned (sub-tasks: test_today).
        expected = {
            "services.to_accept",
            "services.overdue",
            "party.transfers_to_approve",
            "party.development_due",
            "party.probations_ended",
            "visits.arrive_overdue",
            "visits.to_arrive",
            "mediation.open",
            "governance.decisions_open",
            "governance.disclosure_overdue",
        }
        self.assertLessEqual(expected, seen)
