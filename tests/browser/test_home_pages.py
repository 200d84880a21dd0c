"""Every role's home page ("today") in a browser: what awaits the user's action in their area, each count a
link to the filtered list behind it, and an empty page that says so for a role asked for nothing."""

from __future__ import annotations

from typing import Any

import pytest

from shequ.core.testing import World
from shequ.services import actions as service_actions
from shequ.services.tests.helpers import file
from shequ.visits import actions as visit_actions
from shequ.volunteers.tests.helpers import Tree

from .conftest import PageProblems, artifact_path
from .test_territory_flow import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def todo_counts(page: Any) -> dict[str, str]:
    cards = page.locator("[data-todo]")
    return {
        cards.nth(i).get_attribute("data-todo"): cards.nth(i).locator(".h1").inner_text().strip()
        for i in range(cards.count())
    }


def test_every_role_sees_its_own_work_on_its_home_page(
    live_server: Any, page: Any, page_problems: PageProblems, request: pytest.FixtureRequest
) -> None:
    from playwright.sync_api import expect

    world = World()
    tree = Tree(world)  # community and grid workers, households, volunteer teams
    _services(world, tree)
    for _ in range(2):
        file(world, node=world.community_a, acting_user=world.admin)
    file(world, node=world.community_b, acting_user=world.admin)
    visit_actions.do_open_task(
        acting_user=world.admin, reason="emergency", description="老人摔倒", household=tree.a.households[0]
    )
    # Internal collaboration: community A's request hands a sub-task to community B's residents' committee.
    handled = file(world, node=world.community_a, acting_user=world.admin, accept=True)
    handled = service_actions.do_start(
        service_actions.do_assign(handled, acting_user=world.admin), acting_user=world.admin
    )
    service_actions.do_open_subtask(handled, acting_user=world.admin, organization=tree.b.rc, instruction="请协助核实")
    base = live_server.url
    expected: dict[str, dict[str, str]] = {
        # username: {todo key: count shown}
        "officer_a": {"services.to_accept": "2", "visits.to_arrive": "1"},
        "officer_b": {"services.to_accept": "1", "services.subtasks": "1"},
        "district_officer": {"services.to_accept": "3", "visits.to_arrive": "1"},
        "worker_a": {"services.to_accept": "2", "visits.to_arrive": "1"},
        "gridder_a": {"visits.to_arrive": "1"},
    }
    for username, wanted in expected.items():
        page.context.clear_cookies()
        log_in(page, base, username, f"{username}-pass-123")
        page.goto(f"{base}/")
        expect(page.locator("[data-testid=todos]")).to_be_visible()
        shown = todo_counts(page)
        for key, count in wanted.items():
            assert shown.get(key) == count, (username, shown)
        page.screenshot(path=str(artifact_path(request.node.name, username)), full_page=True)
    # The count leads to the list behind it: the street officer's requests to accept, two rows.
    page.context.clear_cookies()
    log_in(page, base, "officer_a", "officer_a-pass-123")
    page.goto(f"{base}/")
    with page.expect_navigation():
        page.locator("[data-todo='services.to_accept']").click()
    expect(page.locator("table tbody tr")).to_have_count(2)
    # Reading is not acting: the auditor is asked for nothing, and the page says so.
    page.context.clear_cookies()
    log_in(page, base, "auditor_a", "auditor_a-pass-123")
    page.goto(f"{base}/")
    expect(page.locator("[data-testid=nothing-to-do]")).to_be_visible()
    page.screenshot(path=str(artifact_path(request.node.name, "auditor_a")), full_page=True)
    # The receiving street's sub-task count leads to that one sub-task; the sending street has none to do.
    page.context.clear_cookies()
    log_in(page, base, "officer_b", "officer_b-pass-123")
    page.goto(f"{base}/")
    with page.expect_navigation():
        page.locator("[data-todo='services.subtasks']").click()
    expect(page.locator("table tbody tr")).to_have_count(1)
    expect(page.locator("table tbody")).to_contain_text("请协助核实")
    assert not page_problems.all(), page_problems.all()


def test_every_demo_user_sees_the_work_the_server_counts(
    live_server: Any, page: Any, page_problems: PageProblems, request: pytest.FixtureRequest
) -> None:
    """The demo city, every account: the home page's cards are exactly the user's items (``core.today``), and
    each kind of item, clicked once, lands on a list of exactly as many rows as the card says."""
    import io

    from django.core.management import call_command
    from playwright.sync_api import expect

    from shequ.accounts.models import User
    from shequ.core.today import todos

    call_command("seed", scale="tiny", seed=1, password="home-pass-123", stdout=io.StringIO())
    base = live_server.url
    clicked: set[str] = set()
    with_work = 0
    for user in User.objects.filter(is_active=True).order_by("username"):
        wanted = {t.key: str(t.count) for t in todos(user)}
        page.context.clear_cookies()
        log_in(page, base, user.username, "home-pass-123")
        page.goto(f"{base}/")
        if not wanted:
            expect(page.locator("[data-testid=nothing-to-do]")).to_be_visible()
            continue
        with_work += 1
        assert todo_counts(page) == wanted, (user.username, todo_counts(page), wanted)
        for key, count in wanted.items():
            if key in clicked or int(count) > 20:  # one page of the list holds them all
                continue
            clicked.add(key)
            with page.expect_navigation():
                page.locator(f"[data-todo='{key}']").click()
            expect(page.locator("table tbody tr:not(:has(td[colspan]))")).to_have_count(int(count))
            page.goto(f"{base}/")
        page.screenshot(path=str(artifact_path(request.node.name, user.username)), full_page=True)
    assert with_work > 3 and len(clicked) > 5, (with_work, clicked)
    assert not page_problems.all(), page_problems.all()


def _services(world: World, tree: Tree) -> Any:
    """What the services' fixture adds to the volunteers' tree: a rule sending every request to the community's
    residents' committee, a district officer."""
    from shequ.services.models import RoutingRule

    for side in (tree.a, tree.b):
        RoutingRule.objects.create(node=side.community, category=None, organization=side.rc)
    return world.user("district_officer", "district_officer", world.district)
