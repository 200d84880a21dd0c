"""The public portal on a phone (390 px wide): find a category by pinyin, answer its question (fetched by
htmx), file, follow the request with the tracking code, read the public figures — no page wider than
the screen, no script error."""

from __future__ import annotations

from typing import Any

import pytest

from shequ.core.testing import World
from shequ.services.models import ServiceRequest

from .conftest import PageProblems, artifact_path

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = (390, 844)


def fits(page: Any) -> None:
    """Nothing sticks out sideways: the page scrolls only downwards on a phone."""
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE[0], f"{page.url} is {width} px wide"


def test_file_and_follow_a_request_on_a_phone(
    live_server: Any, page: Any, page_problems: PageProblems, request: pytest.FixtureRequest
) -> None:
    from playwright.sync_api import expect

    from shequ.services.tests.helpers import ServicesTree, category

    world = World()
    ServicesTree(world)
    burst = category("water-burst")
    base, shot = live_server.url, request.node.name
    page.set_viewport_size({"width": PHONE[0], "height": PHONE[1]})

    page.goto(f"{base}/services/portal/")
    fits(page)
    page.screenshot(path=str(artifact_path(shot, "0-form")), full_page=True)
    # The search box narrows the grouped list; one match left is chosen, and its question comes in.
    search = page.locator("[data-category-search]")
    expect(search).to_be_visible()
    search.fill("guandaopo")
    expect(page.locator("select[name=category]")).to_have_value(str(burst.pk))
    expect(page.locator("select[name=category] option")).to_have_count(2)  # the empty choice and the match
    question = page.locator("input[name=attr_location]")
    expect(question).to_be_visible()
    page.screenshot(path=str(artifact_path(shot, "1-question")), full_page=True)
    search.fill("")
    expect(page.locator("select[name=category] optgroup")).to_have_count(11)
    expect(page.locator("select[name=category]")).to_have_value(str(burst.pk))  # the choice stays

    question.fill("单元门口的水表井")
    page.fill("input[name=address]", f"{world.community_a.name}幸福里5号")
    page.fill("textarea[name=description]", "水管爆裂，路面积水")
    page.fill("input[name=phone]", "13987654321")
    with page.expect_navigation():
        page.click("[data-testid=portal-form] button[type=submit]")
    code = page.get_by_test_id("tracking-code").inner_text().strip()
    fits(page)
    page.screenshot(path=str(artifact_path(shot, "2-filed")), full_page=True)
    filed = ServiceRequest.objects.get(code=code)
    assert (filed.category_id, filed.attributes) == (burst.pk, {"location": "单元门口的水表井"})

    page.goto(f"{base}/services/portal/track/")
    fits(page)
    page.fill("input[name=code]", code.lower())
    page.fill("input[name=last4]", "4321")
    with page.expect_navigation():
        page.click("[data-testid=track-form] button[type=submit]")
    expect(page.get_by_test_id("status")).to_be_visible()
    fits(page)
    page.screenshot(path=str(artifact_path(shot, "3-progress")), full_page=True)

    page.goto(f"{base}/services/portal/statistics/")
    expect(page.get_by_test_id("public-stats")).to_contain_text(world.community_a.name)
    fits(page)
    page.screenshot(path=str(artifact_path(shot, "4-statistics")), full_page=True)
    assert page_problems.all() == [], "problems in the browser:\n" + "\n".join(page_problems.all())
