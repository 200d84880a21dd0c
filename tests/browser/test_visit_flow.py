"""End to end on a phone (390 px wide): a grid worker opens the households due for a visit, logs a visit with the
household picked by the head's name; what they typed survives a lost connection (kept in the browser and put
back when the page is opened again) and is forgotten once the visit is saved."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from shequ.core.testing import World
from shequ.people.demo import ensure_standard_tags
from shequ.visits import actions
from shequ.visits.models import Visit
from shequ.volunteers.tests.helpers import Tree

from .conftest import PageProblems, artifact_path
from .test_territory_flow import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VISIT_URL = re.compile(r"/visits/visits/(\d+)/")


def test_grid_worker_logs_a_visit_on_a_phone(
    live_server: Any, browser_context: Any, page_problems: PageProblems, request: pytest.FixtureRequest
) -> None:
    from playwright.sync_api import expect

    world = World()
    tree = Tree(world)
    tags = ensure_standard_tags()
    household = tree.a.households[2]
    household.head.tags.add(tags["elderly_alone"])
    actions.do_link(acting_user=world.admin, member=tree.a.members[0], household=household)
    actions.do_log_visit(
        acting_user=world.admin, household=household, findings="上次走访", visited_at=timezone.now() - timedelta(days=9)
    )
    base = live_server.url
    shot = request.node.name
    phone = browser_context.browser.new_context(
        viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True, has_touch=True, locale="zh-CN"
    )
    page = phone.new_page()
    page.on("pageerror", lambda exc: page_problems.page_errors.append(str(exc)))
    try:
        log_in(page, base, "gridder_a", "gridder_a-pass-123")
        # The lonely elderly household is overdue (weekly); the worker goes to log the visit from the list.
        page.goto(f"{base}/visits/due/?node={world.grid_a.pk}")
        item = page.locator("[data-testid=due-list] .list-group-item").first
        expect(item).to_contain_text(household.head.name)
        page.screenshot(path=str(artifact_path(shot, "1-due")), full_page=True)
        with page.expect_navigation():
            item.get_by_role("link").click()
        expect(page.locator("input[type=hidden][name=household]")).to_have_value(str(household.pk))
        page.fill("textarea[name=findings]", "老人血压偏高，已提醒服药")
        page.fill("textarea[name=needs]", "需要上门量血压")
        # The connection drops: the form is not sent, what was typed is kept on the phone.
        phone.set_offline(True)
        page.click("[data-testid=save-visit]")
        expect(page.locator("[data-testid=offline-note]")).to_be_visible()
        assert Visit.objects.filter(findings__startswith="老人血压").count() == 0
        phone.set_offline(False)
        page.goto(f"{base}/visits/visits/add/")
        expect(page.locator("[data-testid=draft-restored]")).to_be_visible()
        expect(page.locator("textarea[name=findings]")).to_have_value("老人血压偏高，已提醒服药")
        expect(page.locator("input[type=hidden][name=household]")).to_have_value(str(household.pk))
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"the form is wider than the phone: {width}px"
        page.screenshot(path=str(artifact_path(shot, "2-form")), full_page=True)
        with page.expect_navigation():
            page.click("[data-testid=save-visit]")
        expect(page).to_have_url(VISIT_URL)
        visit = Visit.objects.get(findings="老人血压偏高，已提醒服药")
        assert visit.household == household and visit.recorded_by.username == "gridder_a"
        assert visit.needs == "需要上门量血压"
        page.screenshot(path=str(artifact_path(shot, "3-saved")), full_page=True)
        # Saved: the draft is forgotten, a new visit starts empty.
        page.goto(f"{base}/visits/visits/add/")
        expect(page.locator("textarea[name=findings]")).to_have_value("")
        expect(page.locator("[data-testid=draft-restored]")).to_be_hidden()
        # The household is no longer overdue.
        page.goto(f"{base}/visits/due/?node={world.grid_a.pk}")
        expect(page.locator("[data-testid=overdue-count]")).to_have_text("0")
    finally:
        phone.close()
    assert not page_problems.all(), page_problems.all()
