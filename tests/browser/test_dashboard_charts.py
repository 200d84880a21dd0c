"""The dashboards' charts in a real browser, in Chinese and in English: every slice listed with its count and
share, no legend text cut, every chart drawn (issue 10, 15).  Screenshots go to test-artifacts/browser/."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import pytest

from shequ.core.testing import World
from shequ.party.models import Category
from shequ.party.tests.helpers import PartyTree, member

from .conftest import PageProblems, artifact_path
from .test_territory_flow import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FIGURE = {"zh-hans": re.compile(r"^\d+（\d+\.\d%）$"), "en": re.compile(r"^\d+ \(\d+\.\d%\)$")}


def set_language(page: Any, base: str, language: str) -> None:
    page.goto(f"{base}/")
    with page.expect_navigation():
        page.select_option("select[name=language]", language)


def test_party_statistics_charts_in_both_languages(
    live_server: Any, page: Any, page_problems: PageProblems, request: pytest.FixtureRequest
) -> None:
    from playwright.sync_api import expect

    world = World()
    tree = PartyTree(world)
    categories = [Category.ON_THE_JOB, Category.RETIRED, Category.STUDENT, Category.FLOATING, Category.OTHER]
    for i, category in enumerate(categories * 2):
        member(world, tree.branch_a, category=category, joined_on=date(2000 + i, 7, 1))
    base = live_server.url
    log_in(page, base, "officer_a", "officer_a-pass-123")
    for language in ("zh-hans", "en"):
        set_language(page, base, language)
        page.goto(f"{base}/party/statistics/?node={world.street_a.pk}")
        expect(page.locator(".party-chart canvas")).to_have_count(5)
        legends = page.locator("[data-testid=chart-legend]")
        expect(legends).to_have_count(2)  # the two pies: by category, by status
        items = page.locator("[data-testid=chart-legend] li")
        assert items.count() >= len(categories)
        for index in range(items.count()):
            item = items.nth(index)
            expect(item).to_be_visible()
            figure = item.locator(".chart-figure").inner_text().strip()
            assert FIGURE[language].match(figure), figure
            name = item.locator(".chart-name")
            # The whole name shows: wrapped if need be, never cut.
            assert name.evaluate("e => e.scrollWidth <= e.clientWidth + 1"), name.inner_text()
        page.screenshot(path=str(artifact_path(request.node.name, language)), full_page=True)
    assert page_problems.all() == []
